/* Packets of a capture file, decoded down to UDP and TCP payloads: the
 * layer under pcap-read.c. libpcap reads the file (pcap or pcapng); every
 * header is read through the bounds-checked cursor (harness/wire/reader.h).
 *
 * Link types EN10MB (with up to two VLAN tags), RAW/IPV4/IPV6, LINUX_SLL,
 * LINUX_SLL2, NULL (either byte order) and LOOP; IPv4 with options, IPv6
 * with hop-by-hop, routing and destination options. IP fragments are
 * counted and skipped. A header that contradicts itself or the bytes
 * captured is an error naming the packet; packets that are not IP, UDP or
 * TCP, or (with a port) do not use the port, are skipped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcap/pcap.h>

struct endpoint {
        uint8_t family;                 /* 4 or 6 */
        uint8_t addr[16];
        uint16_t port;
};

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b);

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* One UDP datagram or TCP segment; data points into libpcap's buffer and
 * is valid until the next packet_reader_next. */
struct segment {
        unsigned packet;                /* 1-based, as Wireshark numbers them */
        bool tcp;
        struct endpoint src, dst;
        uint32_t seq;
        uint8_t tcp_flags;
        const uint8_t *data;
        size_t len;
};

/* True when either end of s uses port. */
bool segment_uses_port(const struct segment *s, uint16_t port);

struct packet_reader {
        const char *path;
        char *err;
        size_t errlen;
        pcap_t *pc;
        int dlt;
        unsigned packet;                /* packets read so far */
        unsigned fragments;             /* IP fragments skipped */
        bool cut;                       /* the current packet: caplen < len */
        char why[160];
};

/* Opens the capture and checks its link type. Returns 0, or -1 with
 * "path: reason" in err (libpcap's words for an unreadable file). */
int packet_reader_open(struct packet_reader *r, const char *path, char *err, size_t errlen);
void packet_reader_close(struct packet_reader *r);
/* The next UDP or TCP segment using port (0: any port). Returns 1 with *s,
 * 0 at the end of the file, or -1 with "path: packet N: message" in err (a
 * malformed header, a packet cut by the snap length when port is given). */
int packet_reader_next(struct packet_reader *r, struct segment *s, uint16_t port);
/* Reads the whole capture for the server port: 53 when some packet uses it,
 * else of the two ports every packet uses, the one the traffic shows as the
 * server's (replies come from it, SYNs go to it). Returns the port, or 0
 * with err set. The reader is at the end of the file afterwards. */
uint16_t packet_reader_guess_port(struct packet_reader *r);
