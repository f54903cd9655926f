#!/usr/bin/env python3
"""Writes the malformed captures of this folder (run it here to remake them).

Each file is a small classic pcap with one thing wrong; NAME.pcap.expected
holds the message `stubcompat reproduce --pcap` must give for it. The good
parts are built the way the kernel would write them, so only the named
fault stands out."""
import struct

def pcap(linktype, packets, snaplen=262144):
    out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)
    for i, p in enumerate(packets):
        data, orig = (p, len(p)) if isinstance(p, bytes) else p
        out += struct.pack('<IIII', 1700000000 + i, 0, len(data), orig) + data
    return out

def eth(payload, ethertype=0x0800):
    return b'\x00' * 12 + struct.pack('>H', ethertype) + payload

def ipv4(proto, payload, ihl=5, total=None):
    total = 4 * ihl + len(payload) if total is None else total
    hdr = struct.pack('>BBHHHBBH4s4s', 0x40 | ihl, 0, total, 1, 0x4000, 64, proto, 0,
                      bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    return hdr + b'\x00' * max(0, 4 * ihl - 20) + payload

def udp(sport, dport, payload, length=None):
    length = 8 + len(payload) if length is None else length
    return struct.pack('>HHHH', sport, dport, length, 0) + payload

def tcp(sport, dport, payload, offset=5):
    return struct.pack('>HHIIBBHHH', sport, dport, 1000, 1, offset << 4, 0x18, 65535, 0, 0) + payload

def dns_query():
    q = b'\x03api\x08mixpanel\x03com\x00\x00\x01\x00\x01'
    return struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + q

def dns_reply(records=30):
    q = b'\x03api\x08mixpanel\x03com\x00\x00\x01\x00\x01'
    rr = b''.join(b'\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04' + bytes([10, 1, 0, i + 1])
                  for i in range(records))
    return struct.pack('>HHHHHH', 0x1234, 0x8180, 1, records, 0, 0) + q + rr

def write(name, data, expected):
    with open(name, 'wb') as f:
        f.write(data)
    with open(name + '.expected', 'w') as f:
        f.write(expected + '\n')

write('not-a-pcap.pcap', b'; <<>> DiG 9.18 <<>> api.mixpanel.com\n',
      'not-a-pcap.pcap: unknown file format')
whole = pcap(1, [eth(ipv4(17, udp(40000, 53, dns_query())))])
write('truncated-record.pcap', whole[:24 + 16 + 20],
      'truncated-record.pcap: packet 1: truncated dump file; tried to read 76 captured bytes, only got 20')
write('bad-ihl.pcap', pcap(1, [eth(ipv4(17, udp(40000, 53, dns_query()), ihl=3))]),
      'bad-ihl.pcap: packet 1: IPv4 header length 12 is below 20')
write('udp-length.pcap', pcap(1, [eth(ipv4(17, udp(53, 40000, dns_reply(1), length=4)))]),
      'udp-length.pcap: packet 1: UDP length 4 is below 8')
write('short-dns.pcap', pcap(1, [eth(ipv4(17, udp(40000, 53, dns_query()))),
                                 eth(ipv4(17, udp(53, 40000, b'\x12\x34\x81\x80\x00')))]),
      'short-dns.pcap: packet 2: a 5-byte UDP payload from port 53 is not a DNS message '
      '(shorter than the 12-byte header)')
write('wifi-link.pcap', pcap(105, [b'\x08\x00' + b'\x00' * 30]),
      'wifi-link.pcap: link type IEEE802_11 (105) is not supported '
      '(EN10MB, RAW, LINUX_SLL, LINUX_SLL2, NULL, LOOP)')
write('no-replies.pcap', pcap(1, [eth(ipv4(17, udp(40000, 53, dns_query())))] * 2),
      'no-replies.pcap: no DNS replies from port 53 in 2 packets')
reply = eth(ipv4(17, udp(53, 40000, dns_reply(30))))
write('snaplen-cut.pcap', pcap(1, [eth(ipv4(17, udp(40000, 53, dns_query()))),
                                   (reply[:96], len(reply))], snaplen=96),
      'snaplen-cut.pcap: packet 2: only 96 of its %d bytes were captured: capture again with the '
      'full packet (dumpcap -s 0)' % len(reply))
ip6 = struct.pack('>IHBB16s16s', 6 << 28, 500, 17, 64, b'\x00' * 15 + b'\x01',
                  b'\x00' * 15 + b'\x01') + udp(53, 40000, dns_reply(0))
write('ipv6-payload.pcap', pcap(101, [ip6]),
      'ipv6-payload.pcap: packet 1: IPv6 payload length 500 exceeds the 42 bytes captured')
write('tcp-offset.pcap', pcap(1, [eth(ipv4(6, tcp(53, 40000, b'\x00\x0c' + dns_reply(0)[:12], offset=2)))]),
      'tcp-offset.pcap: packet 1: TCP data offset 8 is outside 20..34')
