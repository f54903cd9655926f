#include "harness/server/render.h"

#include <string.h>

#include "harness/wire/writer.h"

static const char *const transport_table[TRANSPORT_MAX] = {
        [TRANSPORT_UDP] = "udp",
        [TRANSPORT_TCP] = "tcp",
};

const char *transport_to_string(enum transport t)
{
        return (t >= 0 && t < TRANSPORT_MAX) ? transport_table[t] : "invalid";
}

size_t render_udp_limit(const struct point_params *p, const struct query_info *q)
{
        size_t limit = DNS_UDP_LEGACY_MAX;
        if (q->has_opt && p->edns == EDNS_HONOR && q->opt_size > DNS_UDP_LEGACY_MAX)
                limit = q->opt_size;
        if (p->server_udp_max > 0 && (size_t)p->server_udp_max < limit)
                limit = (size_t)p->server_udp_max;
        return limit;
}

static uint16_t reply_flags(const struct point_params *p, const struct query_info *q, int rcode,
                            bool tc)
{
        uint16_t f = DNS_FLAG_QR | (q->flags & (DNS_FLAG_RD | 0x7800u));
        if (p->aa)
                f |= DNS_FLAG_AA;
        if (p->ra)
                f |= DNS_FLAG_RA;
        if (tc)
                f |= DNS_FLAG_TC;
        return (uint16_t)(f | (rcode & 0xf));
}

static void put_u16(uint8_t *p, uint16_t v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

/* Writes header and question; returns the offset after the question. The
 * query's own question bytes are echoed when they have the answer's length
 * (same name, maybe other case); else the answer's canonical question. */
static size_t start_reply(const struct answer *a, const struct query_info *q, uint8_t *out)
{
        put_u16(out, q->id);
        memset(out + 2, 0, 10);
        put_u16(out + 4, 1);
        if (a && q->question_len == a->question_end - DNS_HEADER_LEN) {
                memcpy(out + DNS_HEADER_LEN, q->question, q->question_len);
                return a->question_end;
        }
        if (a) {
                memcpy(out + DNS_HEADER_LEN, a->wire + DNS_HEADER_LEN, a->question_end - DNS_HEADER_LEN);
                return a->question_end;
        }
        if (q->question_len)    /* none for FORMERR/NOTIMP: question may be NULL */
                memcpy(out + DNS_HEADER_LEN, q->question, q->question_len);
        return DNS_HEADER_LEN + q->question_len;
}

static size_t append_opt(const struct point_params *p, uint8_t *out, size_t at, uint8_t ext_rcode)
{
        struct wire_writer w;
        wire_writer_init(&w, out + at, DNS_OPT_RR_LEN, false);
        wire_write_opt(&w, (uint16_t)p->edns_size, ext_rcode, 0, 0);
        return at + DNS_OPT_RR_LEN;
}

/* Records [0, k) of the answer (answer section first, then authority) after
 * the question, counts set. Returns the new length. */
static size_t copy_records(const struct answer *a, unsigned k, uint8_t *out, size_t at)
{
        size_t end = k ? a->rr_end[k - 1] : a->question_end;
        unsigned an = k < a->ancount ? k : a->ancount;
        memcpy(out + at, a->wire + a->question_end, end - a->question_end);
        put_u16(out + 6, (uint16_t)an);
        put_u16(out + 8, (uint16_t)(k - an));
        return at + (end - a->question_end);
}

struct variant {
        const struct answer *a;
        const struct point_params *p;
        const struct query_info *q;
        uint8_t *out;
        size_t qend;
        size_t limit;
        bool opt;
        struct render_result *res;
};

static size_t finish(struct variant *v, size_t len, unsigned records, bool tc)
{
        if (v->opt) {
                len = append_opt(v->p, v->out, len, 0);
                put_u16(v->out + 10, 1);
        }
        put_u16(v->out + 2, reply_flags(v->p, v->q, v->a->rcode, tc));
        v->res->tc = tc;
        v->res->records = records;
        v->res->opt = v->opt;
        return len;
}

/* The whole answer: TCP, or UDP when it fits, or truncation=overflow. */
static size_t reply_whole(struct variant *v)
{
        size_t len = copy_records(v->a, (unsigned)v->a->nrr, v->out, v->qend);
        return finish(v, len, (unsigned)v->a->nrr, false);
}

/* truncation=tc-empty: TC=1 and no records, as NSD, BIND and Route 53 answer. */
static size_t truncation_tc_empty(struct variant *v)
{
        return finish(v, copy_records(v->a, 0, v->out, v->qend), 0, true);
}

/* truncation=tc-partial: TC=1 with the whole records that fit the limit. */
static size_t truncation_tc_partial(struct variant *v)
{
        size_t room = v->limit - (v->opt ? DNS_OPT_RR_LEN : 0);
        unsigned k = 0;
        while (k < v->a->nrr && v->a->rr_end[k] <= room)
                k++;
        return finish(v, copy_records(v->a, k, v->out, v->qend), k, true);
}

static size_t truncation_overflow(struct variant *v)
{
        return reply_whole(v);
}

/* The whole reply cut at the limit, mid-record; counts still announce it all. */
static size_t cut_at_limit(struct variant *v, bool tc)
{
        size_t len = reply_whole(v);
        unsigned whole = 0;
        put_u16(v->out + 2, reply_flags(v->p, v->q, v->a->rcode, tc));
        v->res->tc = tc;
        if (len <= v->limit)
                return len;
        while (whole < v->a->nrr && v->a->rr_end[whole] <= v->limit)
                whole++;
        v->res->records = whole;
        v->res->opt = false;
        return v->limit;
}

/* truncation=cut: the datagram cut at the limit with TC=1. */
static size_t truncation_cut(struct variant *v)
{
        return cut_at_limit(v, true);
}

/* truncation=cut-notc: the datagram cut at the limit, TC=0 (broken middleboxes). */
static size_t truncation_cut_notc(struct variant *v)
{
        return cut_at_limit(v, false);
}

static size_t (*const truncation_handlers[TRUNCATION_MAX])(struct variant *) = {
        [TRUNCATION_TC_EMPTY] = truncation_tc_empty,
        [TRUNCATION_TC_PARTIAL] = truncation_tc_partial,
        [TRUNCATION_OVERFLOW] = truncation_overflow,
        [TRUNCATION_CUT] = truncation_cut,
        [TRUNCATION_CUT_NOTC] = truncation_cut_notc,
};

size_t render_bare(const struct point_params *p, const struct query_info *q, int rcode,
                   uint8_t *out, size_t cap, struct render_result *res)
{
        size_t len;
        memset(res, 0, sizeof(*res));
        if (cap < DNS_HEADER_LEN + q->question_len)
                return 0;
        len = start_reply(NULL, q, out);
        if (q->question_len == 0)
                put_u16(out + 4, 0);
        put_u16(out + 2, reply_flags(p, q, rcode, false));
        res->len = len;
        res->rcode = rcode;
        return len;
}

size_t render_reply(const struct answer *a, const struct point_params *p,
                    const struct query_info *q, enum transport t, uint8_t *out, size_t cap,
                    struct render_result *res)
{
        struct variant v = { .a = a, .p = p, .q = q, .out = out, .res = res };
        size_t full, len;

        memset(res, 0, sizeof(*res));
        if (cap < a->len + DNS_OPT_RR_LEN)
                return 0;
        if (q->has_opt && p->edns == EDNS_FORMERR)
                return render_bare(p, q, DNS_RCODE_FORMERR, out, cap, res);
        v.opt = q->has_opt && p->edns == EDNS_HONOR;
        v.qend = start_reply(a, q, out);
        res->rcode = a->rcode;
        if (v.opt && q->opt_version > 0) {
                /* BADVERS (RFC 6891 6.1.3): extended rcode 16 = ext 1, rcode 0 */
                len = append_opt(p, out, v.qend, 1);
                put_u16(out + 10, 1);
                put_u16(out + 2, reply_flags(p, q, 0, false));
                res->opt = true;
                res->rcode = 16;
                res->len = len;
                return len;
        }
        full = a->len + (v.opt ? DNS_OPT_RR_LEN : 0);
        if (t == TRANSPORT_TCP) {
                len = reply_whole(&v);
        } else {
                v.limit = render_udp_limit(p, q);
                res->limit = v.limit;
                if (full <= v.limit) {
                        len = reply_whole(&v);
                } else {
                        res->truncated = true;
                        len = truncation_handlers[p->truncation](&v);
                }
        }
        res->len = len;
        return len;
}
