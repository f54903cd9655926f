#include "harness/replay/pcap-decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "harness/util/safefile.h"
#include "harness/wire/reader.h"

/* ---------------------------------------------------------------- headers */

enum decode { DECODE_OK, DECODE_SKIP, DECODE_CUT, DECODE_BAD };

static enum decode bad(struct packet_reader *d, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static enum decode bad(struct packet_reader *d, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(d->why, sizeof(d->why), fmt, ap);
        va_end(ap);
        return DECODE_BAD;
}

/* Length left after the cursor. */
static size_t left(const struct wire_cursor *c)
{
        return c->err ? 0 : c->len - c->pos;
}

/* Link layer: leaves the cursor at the network header; *proto is an
 * ethertype (0x0800, 0x86dd), or 0 when the version nibble decides. */
static enum decode decode_link(struct packet_reader *d, struct wire_cursor *c, uint16_t *proto)
{
        *proto = 0;
        switch (d->dlt) {
        case DLT_EN10MB:
                wire_read_bytes(c, NULL, 12);
                *proto = wire_read_u16(c);
                for (int tags = 0; (*proto == 0x8100 || *proto == 0x88a8) && tags < 2; tags++) {
                        wire_read_u16(c);
                        *proto = wire_read_u16(c);
                }
                break;
        case DLT_LINUX_SLL:
                wire_read_bytes(c, NULL, 14);
                *proto = wire_read_u16(c);
                break;
        case DLT_LINUX_SLL2:
                *proto = wire_read_u16(c);
                wire_read_bytes(c, NULL, 18);
                break;
        case DLT_NULL:
        case DLT_LOOP: {
                uint32_t fam = wire_read_u32(c);
                if (fam > 0xffff)
                        fam = __builtin_bswap32(fam);   /* DLT_NULL: the capturing host's order */
                if (fam == 2)
                        *proto = 0x0800;
                else if (fam == 10 || fam == 24 || fam == 28 || fam == 30)
                        *proto = 0x86dd;
                else if (c->err == WIRE_OK)
                        return DECODE_SKIP;
                break;
        }
        default:   /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
                break;
        }
        if (c->err != WIRE_OK)
                return d->cut ? DECODE_SKIP : bad(d, "%zu bytes: too short for its link-layer header", c->len);
        if (*proto != 0 && *proto != 0x0800 && *proto != 0x86dd)
                return DECODE_SKIP;
        return DECODE_OK;
}

/* IPv4 (RFC 791): leaves the cursor at the transport header and sets
 * *plen to the transport length the header announces. */
static enum decode decode_ipv4(struct packet_reader *d, struct wire_cursor *c, struct segment *s,
                               uint8_t *proto, size_t *plen)
{
        size_t start = c->pos;
        uint8_t vihl = wire_read_u8(c);
        wire_read_u8(c);
        uint16_t total = wire_read_u16(c);
        wire_read_u16(c);
        uint16_t frag = wire_read_u16(c);
        wire_read_u8(c);
        *proto = wire_read_u8(c);
        wire_read_u16(c);
        s->src.family = s->dst.family = 4;
        wire_read_bytes(c, s->src.addr, 4);
        wire_read_bytes(c, s->dst.addr, 4);
        if (c->err != WIRE_OK)
                return d->cut ? DECODE_SKIP : bad(d, "IPv4 header cut short");
        size_t ihl = (size_t)(vihl & 0x0f) * 4;
        if ((vihl >> 4) != 4)
                return bad(d, "IP version %u where IPv4 was announced", vihl >> 4);
        if (ihl < 20)
                return bad(d, "IPv4 header length %zu is below 20", ihl);
        if (total < ihl)
                return bad(d, "IPv4 total length %u is below its header length %zu", total, ihl);
        if (ihl - 20 > left(c))
                return d->cut ? DECODE_SKIP : bad(d, "IPv4 options run past the packet");
        wire_read_bytes(c, NULL, ihl - 20);
        if (total - (c->pos - start) > left(c) && !d->cut)
                return bad(d, "IPv4 total length %u exceeds the %zu bytes captured", total,
                           c->len - start);
        if ((frag & 0x3fff) != 0) {
                d->fragments++;
                return DECODE_SKIP;
        }
        *plen = total - ihl;
        return DECODE_OK;
}

/* IPv6 (RFC 8200): skips hop-by-hop, routing and destination options. */
static enum decode decode_ipv6(struct packet_reader *d, struct wire_cursor *c, struct segment *s,
                               uint8_t *proto, size_t *plen)
{
        uint32_t vtf = wire_read_u32(c);
        uint16_t payload = wire_read_u16(c);
        uint8_t next = wire_read_u8(c);
        wire_read_u8(c);
        s->src.family = s->dst.family = 6;
        wire_read_bytes(c, s->src.addr, 16);
        wire_read_bytes(c, s->dst.addr, 16);
        if (c->err != WIRE_OK)
                return d->cut ? DECODE_SKIP : bad(d, "IPv6 header cut short");
        if ((vtf >> 28) != 6)
                return bad(d, "IP version %u where IPv6 was announced", vtf >> 28);
        if (payload > left(c) && !d->cut)
                return bad(d, "IPv6 payload length %u exceeds the %zu bytes captured", payload,
                           left(c));
        size_t used = 0;
        while (next == 0 || next == 43 || next == 60 || next == 44) {
                if (next == 44) {
                        d->fragments++;
                        return DECODE_SKIP;
                }
                next = wire_read_u8(c);
                size_t ext = ((size_t)wire_read_u8(c) + 1) * 8;
                wire_read_bytes(c, NULL, ext - 2);
                used += ext;
                if (c->err != WIRE_OK || used > payload)
                        return d->cut ? DECODE_SKIP : bad(d, "IPv6 extension headers run past the payload");
        }
        *proto = next;
        *plen = payload - used;
        return DECODE_OK;
}

bool segment_uses_port(const struct segment *s, uint16_t port)
{
        return s->src.port == port || s->dst.port == port;
}

/* UDP (RFC 768) or TCP (RFC 9293) header, then the payload. */
static enum decode decode_transport(struct packet_reader *d, struct wire_cursor *c, struct segment *s,
                                    uint8_t proto, size_t plen, uint16_t port)
{
        size_t hdr;
        s->src.port = wire_read_u16(c);
        s->dst.port = wire_read_u16(c);
        if (proto == 17) {
                uint16_t ulen = wire_read_u16(c);
                wire_read_u16(c);
                if (c->err == WIRE_OK && ulen < 8)
                        return bad(d, "UDP length %u is below 8", ulen);
                if (c->err == WIRE_OK && ulen > plen)
                        return bad(d, "UDP length %u exceeds the IP payload of %zu bytes", ulen, plen);
                hdr = 8;
                plen = ulen;
        } else {
                s->tcp = true;
                s->seq = wire_read_u32(c);
                wire_read_u32(c);
                uint8_t off = wire_read_u8(c);
                s->tcp_flags = wire_read_u8(c);
                wire_read_bytes(c, NULL, 6);
                hdr = (size_t)(off >> 4) * 4;
                if (c->err == WIRE_OK && (hdr < 20 || hdr > plen))
                        return bad(d, "TCP data offset %zu is outside 20..%zu", hdr, plen);
                if (c->err == WIRE_OK && hdr - 20 > left(c))
                        return d->cut ? DECODE_CUT : bad(d, "TCP options run past the packet");
                wire_read_bytes(c, NULL, hdr > 20 ? hdr - 20 : 0);
        }
        if (c->err != WIRE_OK)
                return d->cut ? DECODE_SKIP : bad(d, "%s header cut short", s->tcp ? "TCP" : "UDP");
        if (port && !segment_uses_port(s, port))
                return DECODE_SKIP;
        s->len = plen - hdr;
        if (s->len > left(c))
                return d->cut ? DECODE_CUT : bad(d, "%s payload runs past the packet", s->tcp ? "TCP" : "UDP");
        s->data = c->buf + c->pos;
        return DECODE_OK;
}

/* Decodes one packet. port 0: any port. */
static enum decode decode_packet(struct packet_reader *d, const uint8_t *pkt, size_t caplen,
                                 struct segment *s, uint16_t port)
{
        struct wire_cursor c;
        uint16_t eth;
        uint8_t proto = 0;
        size_t plen = 0;
        enum decode r;

        memset(s, 0, sizeof(*s));
        s->packet = d->packet;
        wire_cursor_init(&c, pkt, caplen);
        if ((r = decode_link(d, &c, &eth)) != DECODE_OK)
                return r;
        if (eth == 0) {
                if (c.pos >= caplen)
                        return d->cut ? DECODE_SKIP : bad(d, "no IP header after the link-layer header");
                eth = (c.buf[c.pos] >> 4) == 6 ? 0x86dd : 0x0800;
        }
        r = eth == 0x0800 ? decode_ipv4(d, &c, s, &proto, &plen) : decode_ipv6(d, &c, s, &proto, &plen);
        if (r != DECODE_OK)
                return r;
        if (proto != 17 && proto != 6)
                return DECODE_SKIP;
        return decode_transport(d, &c, s, proto, plen, port);
}

/* ---------------------------------------------------------------- file */

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
        return a->family == b->family && a->port == b->port &&
               memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

int packet_reader_open(struct packet_reader *r, const char *path, char *err, size_t errlen)
{
        char ebuf[PCAP_ERRBUF_SIZE] = "";
        *r = (struct packet_reader){ .path = path, .err = err, .errlen = errlen };
        /* opened by us (never blocking on a FIFO, regular files only); libpcap reads the stream */
        FILE *f = safe_fopen_input(path, err, errlen);
        if (!f)
                return -1;
        r->pc = pcap_fopen_offline(f, ebuf);
        if (!r->pc) {
                fclose(f);
                snprintf(r->err, r->errlen, "%s: %s", r->path, ebuf);
                return -1;
        }
        r->dlt = pcap_datalink(r->pc);
        switch (r->dlt) {
        case DLT_EN10MB: case DLT_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_LINUX_SLL:
        case DLT_LINUX_SLL2: case DLT_NULL: case DLT_LOOP:
                return 0;
        default: {
                const char *name = pcap_datalink_val_to_name(r->dlt);
                snprintf(r->err, r->errlen, "%s: link type %s (%d) is not supported (EN10MB, RAW, "
                         "LINUX_SLL, LINUX_SLL2, NULL, LOOP)", r->path, name ? name : "unknown",
                         r->dlt);
                pcap_close(r->pc);
                r->pc = NULL;
                return -1;
        }
        }
}

void packet_reader_close(struct packet_reader *r)
{
        if (r->pc)
                pcap_close(r->pc);
        r->pc = NULL;
}

int packet_reader_next(struct packet_reader *r, struct segment *s, uint16_t port)
{
        struct pcap_pkthdr *h;
        const u_char *data;
        for (;;) {
                int got = pcap_next_ex(r->pc, &h, &data);
                if (got == -2)
                        return 0;
                r->packet++;
                if (got != 1) {
                        snprintf(r->err, r->errlen, "%s: packet %u: %s", r->path, r->packet,
                                 pcap_geterr(r->pc));
                        return -1;
                }
                r->cut = h->caplen < h->len;
                switch (decode_packet(r, data, h->caplen, s, port)) {
                case DECODE_OK:
                        return 1;
                case DECODE_SKIP:
                        continue;
                case DECODE_CUT:
                        if (port == 0)
                                continue;
                        snprintf(r->err, r->errlen, "%s: packet %u: only %u of its %u bytes were "
                                 "captured: capture again with the full packet (dumpcap -s 0)",
                                 r->path, r->packet, h->caplen, h->len);
                        return -1;
                case DECODE_BAD:
                        snprintf(r->err, r->errlen, "%s: packet %u: %s", r->path, r->packet,
                                 r->why);
                        return -1;
                }
        }
}

/* Evidence that a segment's source (+1) or destination (-1) is the server:
 * a DNS header with QR set or clear, a SYN or a SYN-ACK. */
static int server_side(const struct segment *s)
{
        if (s->tcp)
                return (s->tcp_flags & TCP_SYN) ? ((s->tcp_flags & TCP_ACK) ? 1 : -1) : 0;
        if (s->len < DNS_HEADER_LEN)
                return 0;
        return (s->data[2] & 0x80) ? 1 : -1;
}

uint16_t packet_reader_guess_port(struct packet_reader *r)
{
        struct segment s;
        unsigned total = 0, with53 = 0, with[2] = { 0, 0 };
        int votes[2] = { 0, 0 };
        uint16_t cand[2] = { 0, 0 };
        int got;

        while ((got = packet_reader_next(r, &s, 0)) == 1) {
                if (total == 0) {
                        cand[0] = s.src.port;
                        cand[1] = s.dst.port;
                }
                total++;
                with53 += segment_uses_port(&s, 53);
                for (int i = 0; i < 2; i++) {
                        with[i] += segment_uses_port(&s, cand[i]);
                        int side = server_side(&s);
                        if (side && cand[i] == (side > 0 ? s.src.port : s.dst.port))
                                votes[i]++;
                }
        }
        if (got < 0)
                return 0;
        if (with53)
                return 53;
        bool all0 = total && with[0] == total, all1 = total && with[1] == total;
        if (all0 && all1)
                return votes[0] != votes[1] ? cand[votes[0] > votes[1] ? 0 : 1]
                                            : cand[cand[0] < cand[1] ? 0 : 1];
        if (all0 || all1)
                return cand[all0 ? 0 : 1];
        snprintf(r->err, r->errlen, "%s: no DNS traffic on port 53 among %u UDP and TCP packets "
                 "(give the server's port with --server-port)", r->path, total);
        return 0;
}
