#include "harness/replay/pcap-read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/replay/pcap-decode.h"
#include "harness/server/query.h"
#include "harness/wire/reader.h"

#define STREAM_MAX_BYTES (4u << 20)    /* per TCP direction: plenty for DNS */

/* ---------------------------------------------------------------- messages */

/* A query seen in the capture, for pairing replies with it. */
struct seen_query {
        struct endpoint client;
        bool tcp;
        uint16_t id;
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype;
        int edns;                       /* advertised size, -1 without OPT */
};

/* A reply, filed under its question. */
struct seen_reply {
        unsigned packet;
        bool tcp;
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype;
        int edns;                       /* its query's, -1 without OPT, -2 query not seen */
        uint8_t *data;
        size_t len;
};

/* One direction of a TCP connection. */
struct stream {
        struct endpoint src, dst;
        bool have_base;
        bool closed;                    /* a later SYN on the same ports began another */
        uint32_t base;                  /* sequence number of the first data byte */
        struct piece { uint32_t off; unsigned packet; size_t len; uint8_t *data; } *pieces;
        size_t n, cap;
        size_t bytes;
};

struct capture_state {
        struct packet_reader *r;
        uint16_t port;
        struct seen_query *queries;
        size_t nqueries, capqueries;
        struct seen_reply *replies;
        size_t nreplies, capreplies;
        struct stream *streams;
        size_t nstreams, capstreams;
        unsigned skipped_replies, cut_streams;
};

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 16;
        void *p = realloc(*items, ncap * size);
        if (!p)
                return -1;
        *items = p;
        *cap = ncap;
        return 0;
}

static int note_query(struct capture_state *cs, const struct endpoint *client, bool tcp,
                      const uint8_t *msg, size_t len)
{
        struct query_info q;
        if (query_parse(msg, len, &q) != QUERY_OK)
                return 0;       /* not a query we can pair replies with */
        if (grow((void **)&cs->queries, &cs->capqueries, cs->nqueries, sizeof(*cs->queries)) < 0)
                return -1;
        struct seen_query *s = &cs->queries[cs->nqueries++];
        s->client = *client;
        s->tcp = tcp;
        s->id = q.id;
        memcpy(s->qname, q.qname, q.qname_len);
        s->qname_len = q.qname_len;
        s->qtype = q.qtype;
        s->edns = q.has_opt ? q.opt_size : -1;
        return 0;
}

/* The latest query from client with this id, or NULL. */
static const struct seen_query *find_query(const struct capture_state *cs,
                                           const struct endpoint *client, bool tcp, uint16_t id)
{
        for (size_t i = cs->nqueries; i-- > 0;)
                if (cs->queries[i].id == id && cs->queries[i].tcp == tcp &&
                    endpoint_equal(&cs->queries[i].client, client))
                        return &cs->queries[i];
        return NULL;
}

static int note_reply(struct capture_state *cs, const struct endpoint *client, bool tcp,
                      unsigned packet, const uint8_t *msg, size_t len)
{
        struct wire_reader rd;
        struct wire_question wq;
        struct seen_reply *s;

        if (wire_reader_init(&rd, msg, len) < 0) {
                snprintf(cs->r->err, cs->r->errlen, "%s: packet %u: a %zu-byte %s payload from "
                         "port %u is not a DNS message (shorter than the 12-byte header)",
                         cs->r->path, packet, len, tcp ? "TCP" : "UDP", cs->port);
                return -1;
        }
        if (!(rd.hdr.flags & DNS_FLAG_QR))
                return note_query(cs, client, tcp, msg, len);   /* a query from the server's port */
        const struct seen_query *q = find_query(cs, client, tcp, rd.hdr.id);
        if (!q && wire_reader_question(&rd, &wq) != 1) {
                cs->skipped_replies++;
                return 0;
        }
        if (grow((void **)&cs->replies, &cs->capreplies, cs->nreplies, sizeof(*cs->replies)) < 0)
                return -1;
        s = &cs->replies[cs->nreplies];
        memset(s, 0, sizeof(*s));
        s->packet = packet;
        s->tcp = tcp;
        s->qname_len = q ? q->qname_len : wq.name_len;
        memcpy(s->qname, q ? q->qname : wq.name, s->qname_len);
        s->qtype = q ? q->qtype : wq.type;
        s->edns = q ? q->edns : -2;
        s->data = malloc(len ? len : 1);
        if (!s->data)
                return -1;
        memcpy(s->data, msg, len);
        s->len = len;
        cs->nreplies++;
        return 0;
}

/* A UDP datagram: a query to the server or a reply from it. */
static int take_udp(struct capture_state *cs, const struct segment *s)
{
        if (s->dst.port == cs->port && s->src.port != cs->port)
                return s->len >= DNS_HEADER_LEN ? note_query(cs, &s->src, false, s->data, s->len) : 0;
        return note_reply(cs, &s->dst, false, s->packet, s->data, s->len);
}

static struct stream *stream_for(struct capture_state *cs, const struct segment *s)
{
        for (size_t i = 0; i < cs->nstreams; i++)
                if (!cs->streams[i].closed && endpoint_equal(&cs->streams[i].src, &s->src) &&
                    endpoint_equal(&cs->streams[i].dst, &s->dst))
                        return &cs->streams[i];
        if (grow((void **)&cs->streams, &cs->capstreams, cs->nstreams, sizeof(*cs->streams)) < 0)
                return NULL;
        struct stream *st = &cs->streams[cs->nstreams++];
        memset(st, 0, sizeof(*st));
        st->src = s->src;
        st->dst = s->dst;
        return st;
}

/* A TCP segment: kept with its offset in the stream (SYN sets the base). */
static int take_tcp(struct capture_state *cs, const struct segment *s)
{
        struct stream *st = stream_for(cs, s);
        if (st && (s->tcp_flags & TCP_SYN) && st->n > 0) {
                st->closed = true;      /* a new connection on the same ports */
                st = stream_for(cs, s);
        }
        if (!st)
                return -1;
        if (s->tcp_flags & TCP_SYN) {
                st->have_base = true;
                st->base = s->seq + 1;
        }
        if (s->len == 0)
                return 0;
        if (!st->have_base) {
                st->have_base = true;
                st->base = s->seq;
        }
        uint32_t off = s->seq - st->base;
        if (off > STREAM_MAX_BYTES || st->bytes + s->len > STREAM_MAX_BYTES)
                return 0;
        if (grow((void **)&st->pieces, &st->cap, st->n, sizeof(*st->pieces)) < 0)
                return -1;
        struct piece *p = &st->pieces[st->n];
        p->data = malloc(s->len);
        if (!p->data)
                return -1;
        memcpy(p->data, s->data, s->len);
        p->off = off;
        p->len = s->len;
        p->packet = s->packet;
        st->n++;
        st->bytes += s->len;
        return 0;
}

static int piece_cmp(const void *a, const void *b)
{
        const struct piece *x = a, *y = b;
        return x->off < y->off ? -1 : x->off > y->off;
}

/* Puts a stream's bytes in order up to the first gap; *packets gets, for
 * each byte, the packet that carried it. Returns the length, or -1 (OOM). */
static long stream_bytes(struct stream *st, uint8_t **out, unsigned **packets)
{
        size_t have = 0;
        if (st->n > 0)
                qsort(st->pieces, st->n, sizeof(*st->pieces), piece_cmp);
        *out = malloc(st->bytes + 1);
        *packets = malloc((st->bytes + 1) * sizeof(**packets));
        if (!*out || !*packets)
                return -1;
        for (size_t i = 0; i < st->n; i++) {
                const struct piece *p = &st->pieces[i];
                if (p->off > have)
                        break;          /* a gap: what follows cannot be read */
                if (p->off + p->len <= have)
                        continue;       /* a retransmission */
                size_t skip = have - p->off;
                memcpy(*out + have, p->data + skip, p->len - skip);
                for (size_t k = have; k < have + p->len - skip; k++)
                        (*packets)[k] = p->packet;
                have += p->len - skip;
        }
        return (long)have;
}

/* Cuts one direction into length-prefixed messages (RFC 7766 8). */
static int stream_messages(struct capture_state *cs, struct stream *st, bool to_server)
{
        uint8_t *buf = NULL;
        unsigned *packets = NULL;
        long n = stream_bytes(st, &buf, &packets);
        size_t at = 0;
        int ret = -1;

        if (n < 0)
                goto cleanup;
        while ((size_t)n - at >= 2) {
                struct wire_cursor c;
                wire_cursor_init(&c, buf + at, (size_t)n - at);
                uint16_t len = wire_read_u16(&c);
                if (len > (size_t)n - at - 2) {
                        cs->cut_streams++;
                        break;
                }
                const uint8_t *msg = buf + at + 2;
                if (to_server && len >= DNS_HEADER_LEN && note_query(cs, &st->src, true, msg, len) < 0)
                        goto cleanup;
                if (!to_server && note_reply(cs, &st->dst, true, packets[at], msg, len) < 0)
                        goto cleanup;
                at += 2 + (size_t)len;
        }
        ret = 0;
cleanup:
        free(buf);
        free(packets);
        return ret;
}

/* Streams to the server first, so every reply finds its query. */
static int take_streams(struct capture_state *cs)
{
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < cs->nstreams; i++) {
                        struct stream *st = &cs->streams[i];
                        bool to_server = st->dst.port == cs->port;
                        if (to_server == (pass == 0) && stream_messages(cs, st, to_server) < 0)
                                return -1;
                }
        return 0;
}

static void state_free(struct capture_state *cs)
{
        for (size_t i = 0; i < cs->nreplies; i++)
                free(cs->replies[i].data);
        for (size_t i = 0; i < cs->nstreams; i++) {
                for (size_t k = 0; k < cs->streams[i].n; k++)
                        free(cs->streams[i].pieces[k].data);
                free(cs->streams[i].pieces);
        }
        free(cs->queries);
        free(cs->replies);
        free(cs->streams);
}

/* ---------------------------------------------------------------- rules */

static bool same_question(const struct seen_reply *a, const struct canned_question *q)
{
        return a->qtype == q->type && wire_name_equal(a->qname, a->qname_len, q->name, q->len);
}

/* Equal bytes apart from the id. */
static bool same_reply(const struct seen_reply *a, const struct seen_reply *b)
{
        return a->len == b->len && a->len >= 2 && memcmp(a->data + 2, b->data + 2, a->len - 2) == 0;
}

static int add_send(struct canned_table *t, const struct canned_question *q, const struct seen_reply *s,
                    enum transport tr, int edns_min, const char *note)
{
        struct canned_rule r;
        canned_rule_init(&r, CANNED_SEND);
        memcpy(r.qname, q->name, q->len);
        r.qname_len = q->len;
        r.qtype = q->type;
        r.transport[TRANSPORT_UDP] = tr == TRANSPORT_UDP;
        r.transport[TRANSPORT_TCP] = tr == TRANSPORT_TCP;
        r.edns_min = edns_min;
        snprintf(r.origin, sizeof(r.origin), "packet %u", s->packet);
        snprintf(r.note, sizeof(r.note), "%s%s%s %s reply of packet %u", note ? note : "",
                 note ? ": " : "", "captured", s->tcp ? "TCP" : "UDP", s->packet);
        return canned_add_rule(t, &r, s->data, s->len);
}

/* The first UDP reply of each EDNS size, largest size first. */
static int udp_edns_rules(struct canned_table *t, const struct canned_question *q,
                          const struct seen_reply *rs, size_t n)
{
        int last = 65536, added = 0;
        for (;; added++) {
                const struct seen_reply *pick = NULL;
                for (size_t i = 0; i < n; i++)
                        if (!rs[i].tcp && rs[i].edns >= 0 && rs[i].edns < last &&
                            same_question(&rs[i], q) && (!pick || rs[i].edns > pick->edns))
                                pick = &rs[i];
                if (!pick)
                        return added;
                int below = -1;
                for (size_t i = 0; i < n; i++)
                        if (!rs[i].tcp && rs[i].edns >= 0 && rs[i].edns < pick->edns &&
                            same_question(&rs[i], q))
                                below = 1;
                for (size_t i = 0; i < n; i++)          /* the first reply of that size */
                        if (!rs[i].tcp && rs[i].edns == pick->edns && same_question(&rs[i], q)) {
                                pick = &rs[i];
                                break;
                        }
                if (add_send(t, q, pick, TRANSPORT_UDP, below > 0 ? pick->edns : 0, NULL) < 0)
                        return -1;
                last = pick->edns;
        }
}

/* The first reply matching (tcp, edns class), or NULL. edns: -1 none,
 * -2 query unseen, -3 anything. */
static const struct seen_reply *first_reply(const struct seen_reply *rs, size_t n,
                                            const struct canned_question *q, bool tcp, int edns)
{
        for (size_t i = 0; i < n; i++)
                if (rs[i].tcp == tcp && same_question(&rs[i], q) &&
                    (edns == -3 || rs[i].edns == edns))
                        return &rs[i];
        return NULL;
}

static const struct seen_reply *largest_reply(const struct seen_reply *rs, size_t n,
                                              const struct canned_question *q)
{
        const struct seen_reply *best = NULL;
        for (size_t i = 0; i < n; i++)
                if (same_question(&rs[i], q) && (!best || rs[i].len > best->len))
                        best = &rs[i];
        return best;
}

static unsigned count_variants(const struct seen_reply *rs, size_t n, const struct canned_question *q,
                               const struct seen_reply *first)
{
        unsigned v = 0;
        for (size_t i = 0; i < n; i++)
                if (rs[i].tcp == first->tcp && rs[i].edns == first->edns &&
                    same_question(&rs[i], q) && !same_reply(&rs[i], first))
                        v++;
        return v;
}

/* True when a TCP reply to a query with OPT was captured. */
static bool tcp_edns_reply(const struct seen_reply *rs, size_t n, const struct canned_question *q)
{
        for (size_t i = 0; i < n; i++)
                if (rs[i].tcp && rs[i].edns >= 0 && same_question(&rs[i], q))
                        return true;
        return false;
}

static int question_rules(struct canned_table *t, struct canned_question *q,
                          const struct seen_reply *rs, size_t n)
{
        const struct seen_reply *plain = first_reply(rs, n, q, false, -1);
        const struct seen_reply *unseen = first_reply(rs, n, q, false, -2);
        const struct seen_reply *any = first_reply(rs, n, q, false, -3);
        const struct seen_reply *tcp = first_reply(rs, n, q, true, -3);
        const struct seen_reply *big = largest_reply(rs, n, q);
        char name[1024], type[16], tbuf[16];

        int edns_rules;
        if ((plain && add_send(t, q, plain, TRANSPORT_UDP, CANNED_EDNS_NONE, NULL) < 0) ||
            (edns_rules = udp_edns_rules(t, q, rs, n)) < 0 ||
            (unseen && add_send(t, q, unseen, TRANSPORT_UDP, CANNED_EDNS_ANY, NULL) < 0))
                return -1;
        q->no_edns_reply = edns_rules == 0 && !unseen && !tcp_edns_reply(rs, n, q);
        /* queries of a kind no reply was captured for get the first UDP reply */
        if (any && !unseen && !(plain && edns_rules > 0) &&
            add_send(t, q, any, TRANSPORT_UDP, CANNED_EDNS_ANY,
                     "no reply to a query like this one was captured") < 0)
                return -1;
        if (tcp ? add_send(t, q, tcp, TRANSPORT_TCP, CANNED_EDNS_ANY, NULL) < 0
                : add_send(t, q, big, TRANSPORT_TCP, CANNED_EDNS_ANY,
                           "no TCP reply captured: the largest reply instead") < 0)
                return -1;
        if (!any) {
                struct canned_rule r;
                canned_rule_init(&r, CANNED_RENDER);
                memcpy(r.qname, q->name, q->len);
                r.qname_len = q->len;
                r.qtype = q->type;
                r.transport[TRANSPORT_TCP] = false;
                snprintf(r.note, sizeof(r.note), "no UDP reply captured: rendered from the TCP reply");
                if (canned_add_rule(t, &r, NULL, 0) < 0)
                        return -1;
        }
        wire_name_to_text(q->name, q->len, name, sizeof(name));
        snprintf(type, sizeof(type), "%s", dns_type_to_string(q->type, tbuf));
        if (!tcp && canned_note(t, "%s %s: no TCP reply captured: TCP queries get the largest "
                                "reply (%zu bytes, packet %u)", name, type, big->len, big->packet) < 0)
                return -1;
        if (any && count_variants(rs, n, q, any) &&
            canned_note(t, "%s %s: %u other UDP replies differ from packet %u; the first of "
                        "each kind is replayed", name, type, count_variants(rs, n, q, any),
                        any->packet) < 0)
                return -1;
        return 0;
}

/* Header flags and EDNS of the first reply, for rendered replies. */
static int reply_sets(struct canned_table *t, const struct seen_reply *s)
{
        struct wire_reader rd;
        struct wire_rr rr;
        char buf[32];
        if (wire_reader_init(&rd, s->data, s->len) < 0)
                return 0;
        if (canned_add_set(t, rd.hdr.flags & DNS_FLAG_RA ? "ra=1" : "ra=0") < 0 ||
            canned_add_set(t, rd.hdr.flags & DNS_FLAG_AA ? "aa=1" : "aa=0") < 0)
                return -1;
        while (wire_reader_rr(&rd, &rr) == 1)
                if (rr.type == DNS_TYPE_OPT && rr.class_ >= 512) {
                        snprintf(buf, sizeof(buf), "edns_size=%u", rr.class_);
                        return canned_add_set(t, buf);
                }
        return 0;
}

static int build_table(struct capture_state *cs, struct canned_table *t)
{
        for (size_t i = 0; i < cs->nreplies; i++) {
                const struct seen_reply *s = &cs->replies[i];
                if (canned_add_question(t, s->qname, s->qname_len, s->qtype) < 0 ||
                    canned_add_records(t, s->data, s->len) < 0)
                        return -1;
        }
        for (size_t i = 0; i < t->nquestions; i++)
                if (question_rules(t, &t->questions[i], cs->replies, cs->nreplies) < 0)
                        return -1;
        if (reply_sets(t, &cs->replies[0]) < 0)
                return -1;
        if (cs->r->fragments &&
            canned_note(t, "%u IP fragments skipped (not reassembled)", cs->r->fragments) < 0)
                return -1;
        if (cs->skipped_replies &&
            canned_note(t, "%u replies with neither a readable question nor their query in the "
                        "capture skipped", cs->skipped_replies) < 0)
                return -1;
        if (cs->cut_streams &&
            canned_note(t, "%u TCP streams end inside a message (capture stopped early?)",
                        cs->cut_streams) < 0)
                return -1;
        t->source = "capture";
        return canned_finish(t, true);
}

static int read_messages(struct packet_reader *r, struct capture_state *cs)
{
        struct segment s;
        int got;
        while ((got = packet_reader_next(r, &s, cs->port)) == 1)
                if ((s.tcp ? take_tcp(cs, &s) : take_udp(cs, &s)) < 0)
                        return -1;
        if (got < 0)
                return -1;
        return take_streams(cs);
}

int replay_pcap_read(const char *path, uint16_t server_port, struct canned_table *t, char *err,
                     size_t errlen)
{
        struct packet_reader r;
        struct capture_state cs = { .r = &r, .port = server_port };
        int ret = -1;

        err[0] = '\0';
        if (packet_reader_open(&r, path, err, errlen) < 0)
                return -1;
        if (cs.port == 0) {
                cs.port = packet_reader_guess_port(&r);
                packet_reader_close(&r);
                if (cs.port == 0) {
                        if (err[0])   /* a malformed packet stopped the guess: say which */
                                return -1;
                        snprintf(err, errlen, "%s: no DNS server port found (no UDP or TCP "
                                 "traffic on a non-zero port)", path);
                        return -1;
                }
                if (packet_reader_open(&r, path, err, errlen) < 0)
                        return -1;
                if (cs.port != 53 && canned_note(t, "no traffic on port 53: the server is on port "
                                                 "%u (every packet uses it)", cs.port) < 0)
                        goto oom;
        }
        if (read_messages(&r, &cs) < 0) {
                if (!err[0])
                        goto oom;
                goto cleanup;
        }
        if (cs.nreplies == 0) {
                snprintf(err, errlen, "%s: no DNS replies from port %u in %u packets", path,
                         cs.port, r.packet);
                goto cleanup;
        }
        if (build_table(&cs, t) < 0)
                goto oom;
        ret = 0;
        goto cleanup;
oom:
        snprintf(err, errlen, "%s: out of memory", path);
cleanup:
        state_free(&cs);
        packet_reader_close(&r);
        return ret;
}
