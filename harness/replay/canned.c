#include "harness/replay/canned.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/run/outcome.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"
#include "harness/wire/writer.h"
#include "harness/util/grow.h"

#define CANNED_BUF_MAX 65535

static const char *const canned_action_table[CANNED_ACTION_MAX] = {
        [CANNED_SEND] = "send",
        [CANNED_RENDER] = "render",
        [CANNED_DROP] = "drop",
};

const char *canned_action_to_string(enum canned_action a)
{
        return (a >= 0 && a < CANNED_ACTION_MAX) ? canned_action_table[a] : "invalid";
}

int canned_table_init(struct canned_table *t)
{
        static const uint8_t root[1] = { 0 };
        memset(t, 0, sizeof(*t));
        t->records = zone_new(root, 1);
        return t->records ? 0 : -1;
}

void canned_table_free(struct canned_table *t)
{
        for (size_t i = 0; i < t->nrules; i++)
                free(t->rules[i].msg);
        free(t->rules);
        free(t->questions);
        for (size_t i = 0; i < t->nanswers; i++)
                answer_free(t->answers[i]);
        free(t->answers);
        zone_free(t->records);
        strv_free(t->sets, t->nsets);
        strv_free(t->notes, t->nnotes);
        memset(t, 0, sizeof(*t));
}

void canned_rule_init(struct canned_rule *r, enum canned_action a)
{
        memset(r, 0, sizeof(*r));
        r->qtype = CANNED_ANY_TYPE;
        r->transport[TRANSPORT_UDP] = r->transport[TRANSPORT_TCP] = true;
        r->edns_min = CANNED_EDNS_ANY;
        r->action = a;
        r->copy_id = r->copy_question = true;
        r->rcode = -1;
}

/* Reads the facts the exchange log shows about a message: its first
 * question's length, TC, rcode and the whole answer+authority records. */
static void rule_read_facts(struct canned_rule *r)
{
        struct wire_reader rd;
        struct wire_question q;
        struct wire_rr rr;

        r->question_len = 0;
        r->tc = false;
        r->rcode = -1;
        r->records = 0;
        if (wire_reader_init(&rd, r->msg, r->len) < 0)
                return;
        r->tc = (rd.hdr.flags & DNS_FLAG_TC) != 0;
        r->rcode = (int)DNS_RCODE(rd.hdr.flags);
        size_t start = rd.c.pos;
        if (wire_reader_question(&rd, &q) == 1)
                r->question_len = rd.c.pos - start;
        while (wire_reader_rr(&rd, &rr) == 1 && rr.section <= WIRE_SECTION_AUTHORITY)
                r->records++;
}

int canned_add_rule(struct canned_table *t, const struct canned_rule *r, const uint8_t *msg,
                    size_t len)
{
        struct canned_rule *slot;
        if (array_grow(&t->rules, &t->caprules, t->nrules, sizeof(*t->rules), 16) < 0)
                return -1;
        slot = &t->rules[t->nrules];
        *slot = *r;
        slot->msg = NULL;
        slot->len = 0;
        if (r->action == CANNED_SEND) {
                slot->msg = malloc(len ? len : 1);
                if (!slot->msg)
                        return -1;
                if (len)
                        memcpy(slot->msg, msg, len);
                slot->len = len;
                rule_read_facts(slot);
        }
        t->nrules++;
        return 0;
}

int canned_add_question(struct canned_table *t, const uint8_t *name, size_t len, uint16_t type)
{
        for (size_t i = 0; i < t->nquestions; i++)
                if (t->questions[i].type == type &&
                    wire_name_equal(t->questions[i].name, t->questions[i].len, name, len))
                        return 0;
        if (len == 0 || len > DNS_NAME_MAX)
                return 0;
        if (t->nquestions == t->capquestions) {
                size_t cap = t->capquestions ? t->capquestions * 2 : 8;
                struct canned_question *n = realloc(t->questions, cap * sizeof(*n));
                if (!n)
                        return -1;
                t->questions = n;
                t->capquestions = cap;
        }
        memcpy(t->questions[t->nquestions].name, name, len);
        t->questions[t->nquestions].len = len;
        t->questions[t->nquestions].type = type;
        t->questions[t->nquestions].no_edns_reply = false;
        t->nquestions++;
        return 0;
}

int canned_add_set(struct canned_table *t, const char *assignment)
{
        return strv_push(&t->sets, &t->nsets, assignment);
}

int canned_note(struct canned_table *t, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return strv_push(&t->notes, &t->nnotes, buf);
}

/* Writes rr's rdata with every name decompressed (the layouts of RFC 1035
 * and SRV; other types are copied as they are). Returns the length, or -1
 * when a name cannot be read. out holds rdlength + 2 * DNS_NAME_MAX bytes. */
static long rdata_uncompressed(const uint8_t *msg, size_t len, const struct wire_rr *rr,
                               uint8_t *out)
{
        struct wire_cursor c;
        size_t prefix = 0, names = 0, n = 0, end = rr->rdata_offset + rr->rdlength;

        switch (rr->type) {
        case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR: names = 1; break;
        case DNS_TYPE_MX: prefix = 2; names = 1; break;
        case DNS_TYPE_SRV: prefix = 6; names = 1; break;
        case DNS_TYPE_SOA: names = 2; break;
        default:
                if (rr->rdlength)
                        memcpy(out, rr->rdata, rr->rdlength);
                return rr->rdlength;
        }
        wire_cursor_init(&c, msg, len);
        c.pos = rr->rdata_offset;
        wire_read_bytes(&c, out, prefix);
        n = prefix;
        for (size_t i = 0; i < names; i++) {
                size_t nl;
                wire_read_name(&c, out + n, &nl);
                n += nl;
        }
        if (c.err != WIRE_OK || c.pos > end)
                return -1;
        size_t rest = end - c.pos;
        wire_read_bytes(&c, out + n, rest);
        n += rest;
        return c.err == WIRE_OK ? (long)n : -1;
}

/* Appends the record to z unless an equal one is there. */
static int zone_add_unique(struct zone *z, const struct zone_rr *rr)
{
        for (size_t i = 0; i < z->n; i++) {
                const struct zone_rr *o = &z->rrs[i];
                if (o->type == rr->type && o->class_ == rr->class_ && o->rdlen == rr->rdlen &&
                    wire_name_equal(o->owner, o->owner_len, rr->owner, rr->owner_len) &&
                    memcmp(o->rdata, rr->rdata, rr->rdlen) == 0)
                        return 0;
        }
        return zone_add(z, rr);
}

/* Reads the answer and authority records of msg (names decompressed) into
 * an and ns. Returns 0, with why set when a malformed record stopped the
 * reading, or -1 when out of memory or the header is unreadable (why set). */
static int read_records(const uint8_t *msg, size_t len, struct zone *an, struct zone *ns,
                        int *rcode, char *why, size_t whylen)
{
        struct wire_reader rd;
        struct wire_rr rr;
        uint8_t *buf = malloc(65535 + 2 * DNS_NAME_MAX);
        int got;

        why[0] = '\0';
        if (!buf)
                return -1;
        if (wire_reader_init(&rd, msg, len) < 0) {
                snprintf(why, whylen, "%zu bytes: shorter than a DNS header", len);
                free(buf);
                return -1;
        }
        *rcode = (int)DNS_RCODE(rd.hdr.flags);
        while ((got = wire_reader_rr(&rd, &rr)) == 1 && rr.section <= WIRE_SECTION_AUTHORITY) {
                long n = rdata_uncompressed(msg, len, &rr, buf);
                struct zone_rr z = { .owner_len = rr.owner_len, .type = rr.type,
                                     .class_ = rr.class_, .ttl = rr.ttl, .rdata = buf };
                if (n < 0 || n > 65535) {
                        snprintf(why, whylen, "%s record %u: a name in its rdata cannot be read",
                                 wire_section_to_string(rr.section), rr.index);
                        break;
                }
                z.rdlen = (uint16_t)n;
                memcpy(z.owner, rr.owner, rr.owner_len);
                if (zone_add(rr.section == WIRE_SECTION_ANSWER ? an : ns, &z) < 0) {
                        free(buf);
                        return -1;
                }
        }
        if (got < 0 && rd.err_section <= WIRE_SECTION_AUTHORITY)
                wire_reader_describe_error(&rd, why, whylen);
        free(buf);
        return 0;
}

int canned_add_records(struct canned_table *t, const uint8_t *msg, size_t len)
{
        static const uint8_t root[1] = { 0 };
        struct zone *an = zone_new(root, 1), *ns = zone_new(root, 1);
        char why[128];
        int rcode, ret = -1;

        if (!an || !ns)
                goto cleanup;
        if (read_records(msg, len, an, ns, &rcode, why, sizeof(why)) < 0) {
                ret = why[0] ? 0 : -1;   /* an unreadable header holds no records */
                goto cleanup;
        }
        for (size_t i = 0; i < an->n; i++)
                if (zone_add_unique(t->records, &an->rrs[i]) < 0)
                        goto cleanup;
        for (size_t i = 0; i < ns->n; i++)
                if (zone_add_unique(t->records, &ns->rrs[i]) < 0)
                        goto cleanup;
        ret = 0;
cleanup:
        zone_free(an);
        zone_free(ns);
        return ret;
}

static int answer_add_address(struct answer *a, const struct zone_rr *rr)
{
        uint8_t (*n)[16] = realloc(a->addrs, (a->naddrs + 1) * sizeof(*n));
        if (!n)
                return -1;
        a->addrs = n;
        memset(a->addrs[a->naddrs], 0, 16);
        if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA)
                memcpy(a->addrs[a->naddrs], rr->rdata, rr->rdlen > 16 ? 16 : rr->rdlen);
        else
                outcome_record_key_of(rr->type, rr->rdata, rr->rdlen, 0, rr->rdlen, a->addrs[a->naddrs]);
        a->naddrs++;
        return 0;
}

/* The end of the CNAME chain from the qname inside the answer records, and
 * the records of qtype held there. */
static int answer_find_addresses(struct answer *a, const struct zone *an)
{
        uint8_t name[DNS_NAME_MAX];
        size_t name_len = a->qname_len;

        memcpy(name, a->qname, name_len);
        for (unsigned hops = 0; a->qtype != DNS_TYPE_CNAME && hops < ANSWER_MAX_CHAIN; hops++) {
                const struct zone_rr *c = zone_find(an, name, name_len, DNS_TYPE_CNAME);
                if (!c || c->rdlen > DNS_NAME_MAX)
                        break;
                memcpy(name, c->rdata, c->rdlen);
                name_len = c->rdlen;
        }
        memcpy(a->final_name, name, name_len);
        a->final_len = name_len;
        for (size_t i = 0; i < an->n; i++) {
                const struct zone_rr *rr = &an->rrs[i];
                if (rr->type == DNS_TYPE_CNAME && a->qtype != DNS_TYPE_CNAME)
                        a->cnames++;
                if ((rr->type == a->qtype || (a->qtype == DNS_TYPE_ANY && rr->type != DNS_TYPE_CNAME)) &&
                    wire_name_equal(rr->owner, rr->owner_len, name, name_len) &&
                    answer_add_address(a, rr) < 0)
                        return -1;
        }
        return 0;
}

/* Encodes the records as a full answer with our writer. */
static struct answer *answer_from_zones(const uint8_t *qname, size_t qname_len, uint16_t qtype,
                                        int rcode, const struct zone *an, const struct zone *ns,
                                        bool compress)
{
        struct answer *a = calloc(1, sizeof(*a));
        uint8_t *buf = malloc(CANNED_BUF_MAX);
        size_t *ends = calloc(an->n + ns->n + 1, sizeof(*ends));
        struct dns_header h = { .qdcount = 1, .ancount = (uint16_t)an->n,
                                .nscount = (uint16_t)ns->n };
        struct wire_writer w;
        size_t k = 0;

        if (!a || !buf || !ends || qname_len > DNS_NAME_MAX || an->n > 65535 || ns->n > 65535)
                goto fail;
        memcpy(a->qname, qname, qname_len);
        a->qname_len = qname_len;
        a->qtype = qtype;
        a->rcode = rcode;
        wire_writer_init(&w, buf, CANNED_BUF_MAX, compress);
        wire_write_header(&w, &h);
        wire_write_question(&w, qname, qname_len, qtype, DNS_CLASS_IN);
        a->question_end = w.len;
        for (int s = 0; s < 2; s++) {
                const struct zone *z = s == 0 ? an : ns;
                for (size_t i = 0; i < z->n; i++) {
                        const struct zone_rr *rr = &z->rrs[i];
                        wire_write_rr(&w, rr->owner, rr->owner_len, rr->type, rr->class_, rr->ttl,
                                      rr->rdata, rr->rdlen);
                        ends[k++] = w.len;
                }
        }
        if (wire_writer_status(&w) < 0 || answer_find_addresses(a, an) < 0)
                goto fail;
        a->ancount = (uint16_t)an->n;
        a->nscount = (uint16_t)ns->n;
        a->len = w.len;
        a->wire = realloc(buf, a->len);
        if (!a->wire)
                goto fail;
        a->rr_end = ends;
        a->nrr = k;
        return a;
fail:
        free(buf);
        free(ends);
        if (a)
                free(a->addrs);
        free(a);
        return NULL;
}

struct answer *canned_answer_from_message(const uint8_t *msg, size_t len, const uint8_t *qname,
                                          size_t qname_len, uint16_t qtype, bool compress,
                                          char *why, size_t whylen)
{
        static const uint8_t root[1] = { 0 };
        struct zone *an = zone_new(root, 1), *ns = zone_new(root, 1);
        struct answer *a = NULL;
        int rcode = 0;

        if (why && whylen)
                why[0] = '\0';
        if (an && ns && read_records(msg, len, an, ns, &rcode, why, whylen) == 0)
                a = answer_from_zones(qname, qname_len, qtype, rcode, an, ns, compress);
        zone_free(an);
        zone_free(ns);
        return a;
}

struct answer *canned_answer_copy(const struct answer *a)
{
        struct answer *c = malloc(sizeof(*c));
        if (!c)
                return NULL;
        *c = *a;
        c->wire = malloc(a->len ? a->len : 1);
        c->rr_end = malloc((a->nrr ? a->nrr : 1) * sizeof(*c->rr_end));
        c->addrs = malloc((a->naddrs ? a->naddrs : 1) * sizeof(*c->addrs));
        if (!c->wire || !c->rr_end || !c->addrs) {
                answer_free(c);
                return NULL;
        }
        /* an NXDOMAIN or NODATA answer has no records and no addresses: its
         * arrays are NULL, and memcpy from NULL is undefined even for 0 bytes */
        if (a->len)
                memcpy(c->wire, a->wire, a->len);
        if (a->nrr)
                memcpy(c->rr_end, a->rr_end, a->nrr * sizeof(*c->rr_end));
        if (a->naddrs)
                memcpy(c->addrs, a->addrs, a->naddrs * sizeof(*c->addrs));
        return c;
}

const struct answer *canned_find_answer(const struct canned_table *t, const uint8_t *name,
                                        size_t len, uint16_t type)
{
        for (size_t i = 0; i < t->nanswers; i++)
                if (t->answers[i]->qtype == type &&
                    wire_name_equal(t->answers[i]->qname, t->answers[i]->qname_len, name, len))
                        return t->answers[i];
        return NULL;
}

int canned_set_answer(struct canned_table *t, struct answer *a)
{
        struct answer **n;
        for (size_t i = 0; i < t->nanswers; i++)
                if (t->answers[i]->qtype == a->qtype &&
                    wire_name_equal(t->answers[i]->qname, t->answers[i]->qname_len, a->qname,
                                    a->qname_len)) {
                        answer_free(t->answers[i]);
                        t->answers[i] = a;
                        return 0;
                }
        n = realloc(t->answers, (t->nanswers + 1) * sizeof(*n));
        if (!n) {
                answer_free(a);
                return -1;
        }
        t->answers = n;
        t->answers[t->nanswers++] = a;
        return 0;
}

/* True when name equals parent or lies below it. */
static bool name_at_or_below(const uint8_t *name, size_t len, const uint8_t *parent, size_t plen)
{
        size_t off = 0;
        while (off < len && len - off >= plen) {
                if (wire_name_equal(name + off, len - off, parent, plen))
                        return true;
                if (name[off] == 0)
                        break;
                off += (size_t)name[off] + 1;
        }
        return false;
}

const struct canned_rule *canned_match(const struct canned_table *t, const struct query_info *q,
                                       enum transport tr)
{
        for (size_t i = 0; i < t->nrules; i++) {
                const struct canned_rule *r = &t->rules[i];
                if (!r->transport[tr])
                        continue;
                if (r->qname_len &&
                    !(r->subdomain ? name_at_or_below(q->qname, q->qname_len, r->qname, r->qname_len)
                                   : wire_name_equal(q->qname, q->qname_len, r->qname, r->qname_len)))
                        continue;
                if (r->qtype != CANNED_ANY_TYPE && r->qtype != q->qtype)
                        continue;
                if (r->edns_min == CANNED_EDNS_NONE && q->has_opt)
                        continue;
                if (r->edns_min >= 0 && (!q->has_opt || q->opt_size < r->edns_min))
                        continue;
                if (r->need_do && !q->do_bit)
                        continue;
                return r;
        }
        return NULL;
}

size_t canned_apply(const struct canned_rule *r, const struct query_info *q, uint8_t *out,
                    size_t cap, struct render_result *res)
{
        memset(res, 0, sizeof(*res));
        if (r->action != CANNED_SEND || r->len > cap)
                return 0;
        memcpy(out, r->msg, r->len);
        if (r->copy_id && r->len >= 2) {
                out[0] = (uint8_t)(q->id >> 8);
                out[1] = (uint8_t)q->id;
        }
        if (r->copy_question && r->question_len && r->question_len == q->question_len &&
            r->len - DNS_HEADER_LEN >= r->question_len)
                memcpy(out + DNS_HEADER_LEN, q->question, q->question_len);
        res->len = r->len;
        res->tc = r->tc;
        res->rcode = r->rcode < 0 ? 0 : r->rcode;
        res->records = r->records;
        return r->len;
}

/* The largest reply a rule sends a stub for the question, over either
 * transport, with or without EDNS (never with DO: stubs do not set it);
 * NULL when every rule renders, drops or misses. */
static const struct canned_rule *largest_reply(const struct canned_table *t,
                                               const struct canned_question *cq)
{
        static const int sizes[] = { -1, 512, 1232, 4096, 65535 };
        const struct canned_rule *best = NULL;
        struct query_info q = { 0 };

        memcpy(q.qname, cq->name, cq->len);
        q.qname_len = cq->len;
        q.qtype = cq->type;
        q.qclass = DNS_CLASS_IN;
        for (int tr = 0; tr < TRANSPORT_MAX; tr++)
                for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
                        q.has_opt = sizes[s] >= 0;
                        q.opt_size = q.has_opt ? (uint16_t)sizes[s] : 0;
                        q.do_bit = false;
                        const struct canned_rule *r = canned_match(t, &q, (enum transport)tr);
                        if (r && r->action == CANNED_SEND && (!best || r->len > best->len))
                                best = r;
                }
        return best;
}

/* Marks the answers of questions the source holds no EDNS reply for. */
static void mark_missing_edns(struct canned_table *t)
{
        for (size_t i = 0; i < t->nquestions; i++)
                for (size_t k = 0; t->questions[i].no_edns_reply && k < t->nanswers; k++) {
                        struct answer *a = t->answers[k];
                        if (a->qtype == t->questions[i].type &&
                            wire_name_equal(a->qname, a->qname_len, t->questions[i].name,
                                            t->questions[i].len))
                                snprintf(a->missing_edns, sizeof(a->missing_edns), "the %s holds "
                                         "no reply to a query with EDNS",
                                         t->source ? t->source : "file");
                }
}

int canned_finish(struct canned_table *t, bool compress)
{
        char why[160], name[DNS_NAME_MAX * 4 + 8], type[16];
        for (size_t i = 0; i < t->nquestions; i++) {
                const struct canned_question *cq = &t->questions[i];
                if (canned_find_answer(t, cq->name, cq->len, cq->type))
                        continue;
                const struct canned_rule *r = largest_reply(t, cq);
                if (!r)
                        continue;
                struct answer *a = canned_answer_from_message(r->msg, r->len, cq->name, cq->len,
                                                              cq->type, compress, why, sizeof(why));
                if (!a) {
                        if (!why[0])
                                return -1;
                        continue;
                }
                if (r->tc)
                        snprintf(a->missing, sizeof(a->missing), "the %s holds no TCP answer, "
                                 "only the truncated UDP reply", t->source ? t->source : "file");
                if (canned_set_answer(t, a) < 0)
                        return -1;
                if (why[0]) {
                        wire_name_to_text(cq->name, cq->len, name, sizeof(name));
                        if (canned_note(t, "%s: the largest reply for %s %s is malformed (%s): "
                                        "its %zu whole records are the expected answer",
                                        r->origin, name, dns_type_to_string(cq->type, type), why,
                                        a->nrr) < 0)
                                return -1;
                }
        }
        mark_missing_edns(t);
        return 0;
}

int canned_seed(const struct canned_table *t, struct answer_cache *c)
{
        for (size_t i = 0; i < t->nanswers; i++) {
                struct answer *a;
                if (c->n == c->cap) {
                        size_t cap = c->cap ? c->cap * 2 : 8;
                        struct answer **n = realloc(c->items, cap * sizeof(*n));
                        if (!n)
                                return -1;
                        c->items = n;
                        c->cap = cap;
                }
                a = canned_answer_copy(t->answers[i]);
                if (!a)
                        return -1;
                c->items[c->n++] = a;
        }
        c->pinned = c->n;   /* recorded answers are the only copy: never evicted */
        return 0;
}

void canned_rule_describe(const struct canned_rule *r, char *buf, size_t len)
{
        char name[DNS_NAME_MAX * 4 + 8] = "any name", type[16] = "any type", tbuf[16], edns[48];
        char action[96];
        if (r->qname_len) {
                wire_name_to_text(r->qname, r->qname_len, name, sizeof(name) - 10);
                if (r->subdomain)
                        strcat(name, " and below");
        }
        if (r->qtype != CANNED_ANY_TYPE)
                snprintf(type, sizeof(type), "%s", dns_type_to_string((uint16_t)r->qtype, tbuf));
        if (r->edns_min == CANNED_EDNS_NONE)
                snprintf(edns, sizeof(edns), ", queries without OPT");
        else if (r->edns_min > 0)
                snprintf(edns, sizeof(edns), ", queries with OPT >= %d", r->edns_min);
        else if (r->edns_min == 0)
                snprintf(edns, sizeof(edns), ", queries with OPT");
        else
                edns[0] = '\0';
        if (r->action == CANNED_SEND)
                snprintf(action, sizeof(action), "send %zu bytes%s, rcode %d, %u records", r->len,
                         r->tc ? ", TC=1" : "", r->rcode, r->records);
        else
                snprintf(action, sizeof(action), "%s", r->action == CANNED_RENDER
                         ? "render the full answer (the point's truncation)" : "no reply");
        snprintf(buf, len, "%s %s, %s%s%s: %s (%s)", name, type,
                 r->transport[TRANSPORT_UDP] && r->transport[TRANSPORT_TCP] ? "udp+tcp"
                 : r->transport[TRANSPORT_UDP] ? "udp" : "tcp",
                 edns, r->need_do ? ", DO" : "", action, r->origin);
}
