#include "harness/report/pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "harness/util/safefile.h"
#include "harness/util/grow.h"

#define CLIENT_ADDR 0xc0000201u   /* 192.0.2.1 */
#define SERVER_ADDR 0xc0000235u   /* 192.0.2.53 */
#define TCP_SEGMENT 1400

int capture_add(struct capture *c, enum transport t, bool from_server, const uint8_t *data,
                size_t len)
{
        if (array_grow(&c->packets, &c->cap, c->n, sizeof(*c->packets), 4) < 0)
                return -1;
        uint8_t *copy = malloc(len ? len : 1);
        if (!copy)
                return -1;
        memcpy(copy, data, len);
        c->packets[c->n++] = (struct capture_packet){ .transport = t, .from_server = from_server,
                                                      .len = len, .data = copy };
        return 0;
}

void capture_free(struct capture *c)
{
        for (size_t i = 0; i < c->n; i++)
                free(c->packets[i].data);
        free(c->packets);
        memset(c, 0, sizeof(*c));
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

static uint16_t checksum(const uint8_t *p, size_t n, uint32_t sum)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                sum += (uint32_t)p[i] << 8 | p[i + 1];
        if (n & 1)
                sum += (uint32_t)p[n - 1] << 8;
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

struct flow {
        pcap_dumper_t *d;
        uint32_t src, dst;
        uint16_t sport, dport;
        struct timeval ts;
        long packets;
};

/* One IPv4 packet carrying `proto` with the given L4 header and payload. */
static void emit(struct flow *f, uint8_t proto, uint8_t *l4, size_t l4len, const uint8_t *payload,
                 size_t plen)
{
        static uint8_t pkt[20 + 20 + TCP_SEGMENT + 65535 + 8];
        size_t total = 20 + l4len + plen;
        struct pcap_pkthdr h;

        memset(pkt, 0, 20);
        pkt[0] = 0x45;
        put16(pkt + 2, (uint16_t)total);
        pkt[8] = 64;
        pkt[9] = proto;
        put32(pkt + 12, f->src);
        put32(pkt + 16, f->dst);
        put16(pkt + 10, checksum(pkt, 20, 0));
        memcpy(pkt + 20, l4, l4len);
        if (plen)
                memcpy(pkt + 20 + l4len, payload, plen);
        /* L4 checksum over the pseudo-header */
        uint32_t pseudo = (f->src >> 16) + (f->src & 0xffff) + (f->dst >> 16) + (f->dst & 0xffff) +
                          proto + (uint32_t)(l4len + plen);
        size_t csum_at = proto == 17 ? 6 : 16;
        put16(pkt + 20 + csum_at, checksum(pkt + 20, l4len + plen, pseudo));
        h.ts = f->ts;
        h.caplen = h.len = (bpf_u_int32)total;
        pcap_dump((u_char *)f->d, &h, pkt);
        f->ts.tv_usec += 100;
        f->packets++;
}

static void swap_dir(struct flow *f)
{
        uint32_t a = f->src;
        uint16_t p = f->sport;
        f->src = f->dst;
        f->dst = a;
        f->sport = f->dport;
        f->dport = p;
}

static void emit_udp(struct flow *f, const uint8_t *data, size_t len)
{
        uint8_t udp[8];
        put16(udp, f->sport);
        put16(udp + 2, f->dport);
        put16(udp + 4, (uint16_t)(8 + len));
        put16(udp + 6, 0);
        emit(f, 17, udp, 8, data, len);
}

static void emit_tcp(struct flow *f, uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *data, size_t len)
{
        uint8_t tcp[20] = { 0 };
        put16(tcp, f->sport);
        put16(tcp + 2, f->dport);
        put32(tcp + 4, seq);
        put32(tcp + 8, ack);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        put16(tcp + 14, 65535);
        emit(f, 6, tcp, 20, data, len);
}

/* A whole TCP exchange: handshake, the framed message in segments, no close
 * (the reply, if any, follows on the same synthetic connection). */
static void emit_tcp_message(struct flow *f, uint32_t *seq, uint32_t ack, const uint8_t *msg,
                             size_t len)
{
        uint8_t *framed = malloc(len + 2);
        if (!framed)
                return;
        put16(framed, (uint16_t)len);
        memcpy(framed + 2, msg, len);
        for (size_t off = 0; off < len + 2; off += TCP_SEGMENT) {
                size_t n = len + 2 - off < TCP_SEGMENT ? len + 2 - off : TCP_SEGMENT;
                emit_tcp(f, *seq, ack, 0x18, framed + off, n);   /* PSH|ACK */
                *seq += (uint32_t)n;
        }
        free(framed);
}

static void emit_capture(struct flow *f, const struct capture *c)
{
        uint32_t cseq = 1000, sseq = 5000;
        bool tcp_open = false;

        for (size_t i = 0; i < c->n; i++) {
                const struct capture_packet *p = &c->packets[i];
                bool flip = p->from_server;
                if (flip)
                        swap_dir(f);
                if (p->transport == TRANSPORT_UDP) {
                        emit_udp(f, p->data, p->len);
                } else {
                        if (!p->from_server && !tcp_open) {
                                emit_tcp(f, cseq - 1, 0, 0x02, NULL, 0);          /* SYN */
                                swap_dir(f);
                                emit_tcp(f, sseq - 1, cseq, 0x12, NULL, 0);       /* SYN|ACK */
                                swap_dir(f);
                                emit_tcp(f, cseq, sseq, 0x10, NULL, 0);           /* ACK */
                                tcp_open = true;
                        }
                        if (p->from_server)
                                emit_tcp_message(f, &sseq, cseq, p->data, p->len);
                        else
                                emit_tcp_message(f, &cseq, sseq, p->data, p->len);
                }
                if (flip)
                        swap_dir(f);
        }
}

long pcap_write_captures_fd(int fd, const struct capture *caps, size_t n, const char *name,
                            char *err, size_t errlen)
{
        pcap_t *p = pcap_open_dead(DLT_RAW, 65535 + 64);
        struct flow f = { 0 };
        FILE *stream = NULL;
        long ret = -1;

        if (!p) {
                snprintf(err, errlen, "%s: libpcap cannot open a dead handle", name);
                close(fd);
                return -1;
        }
        /* pcap_dump_fopen on a descriptor we opened: libpcap never opens a path itself */
        if (!(stream = fdopen(fd, "wb"))) {
                snprintf(err, errlen, "%s: %s", name, strerror(errno));
                close(fd);
                goto cleanup;
        }
        f.d = pcap_dump_fopen(p, stream);
        if (!f.d) {
                snprintf(err, errlen, "%s: %s", name, pcap_geterr(p));
                fclose(stream);
                goto cleanup;
        }
        for (size_t i = 0; i < n; i++) {
                f.src = CLIENT_ADDR;
                f.dst = SERVER_ADDR;
                f.sport = (uint16_t)(10000 + caps[i].cell % 50000);
                f.dport = 53;
                f.ts.tv_sec = 1000000000 + (long)caps[i].cell;   /* deterministic: second = cell */
                f.ts.tv_usec = 0;
                emit_capture(&f, &caps[i]);
        }
        errno = 0;
        if (pcap_dump_flush(f.d) < 0 || ferror(stream) || fsync(fileno(stream)) < 0) {
                snprintf(err, errlen, "%s: %s", name, errno ? strerror(errno) : "write failed");
                pcap_dump_close(f.d);
                goto cleanup;
        }
        pcap_dump_close(f.d);   /* closes stream and fd */
        ret = f.packets;
cleanup:
        pcap_close(p);
        return ret;
}

long pcap_write_captures(const char *path, const struct capture *caps, size_t n, char *err,
                         size_t errlen)
{
        char tmp[4096];
        const char *base;
        long ret = -1;
        int dirfd, fd = safe_tmp_beside(path, &dirfd, &base, tmp, sizeof(tmp));

        if (fd < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        ret = pcap_write_captures_fd(fd, caps, n, path, err, errlen);
        if (ret >= 0 && renameat(dirfd, tmp, dirfd, base) < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                ret = -1;
        }
        if (ret < 0)
                unlinkat(dirfd, tmp, 0);
        close(dirfd);
        return ret;
}
