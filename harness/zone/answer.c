#include "harness/zone/answer.h"

#include <stdlib.h>
#include <string.h>

#include "harness/run/outcome.h"
#include "harness/wire/writer.h"
#include "harness/zone/rr-set.h"
#include "harness/zone/wildcard.h"

#define ANSWER_BUF_MAX 65535

struct build {
        const struct zone *z;
        struct answer *a;
        struct wire_writer w;
        size_t *ends;
        size_t nends, ends_cap;
        size_t addrs_cap;       /* room in a->addrs */
};

/* Returns items (n of size bytes each) with room for one more, *cap
 * doubling as needed; NULL when out of memory (items is then unchanged and
 * still the caller's). */
static void *room_for_one(void *items, size_t n, size_t *cap, size_t size)
{
        if (n < *cap)
                return items;
        size_t more = *cap ? *cap * 2 : 16;
        void *grown = realloc(items, more * size);
        if (grown)
                *cap = more;
        return grown;
}

/* Writes rr with owner as its owner name (a wildcard's records are written
 * with the name they answer for, RFC 4592 2.1.1). */
static int build_rr(struct build *b, const struct zone_rr *rr, const uint8_t *owner,
                    size_t owner_len)
{
        wire_write_rr(&b->w, owner, owner_len, rr->type, rr->class_, rr->ttl, rr->rdata, rr->rdlen);
        if (wire_writer_status(&b->w) < 0)
                return -1;
        size_t *ends = room_for_one(b->ends, b->nends, &b->ends_cap, sizeof(*ends));
        if (!ends)
                return -1;
        b->ends = ends;
        b->ends[b->nends++] = b->w.len;
        return 0;
}

static int add_address(struct build *b, const struct zone_rr *rr)
{
        struct answer *a = b->a;
        uint8_t (*addrs)[16] = room_for_one(a->addrs, a->naddrs, &b->addrs_cap, sizeof(*addrs));
        if (!addrs)
                return -1;
        a->addrs = addrs;
        memset(a->addrs[a->naddrs], 0, 16);
        if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA)
                memcpy(a->addrs[a->naddrs], rr->rdata, rr->rdlen > 16 ? 16 : rr->rdlen);
        else
                outcome_record_key_of(rr->type, rr->rdata, rr->rdlen, 0, rr->rdlen, a->addrs[a->naddrs]);
        a->naddrs++;
        return 0;
}

static int chain_seen(uint8_t seen[][DNS_NAME_MAX], const size_t *lens, unsigned n,
                      const uint8_t *name, size_t len)
{
        for (unsigned i = 0; i < n; i++)
                if (wire_name_equal(seen[i], lens[i], name, len))
                        return 1;
        return 0;
}

/* Writes the answer section the way NSD does: the CNAME chain inside the
 * zone (each name looked up exactly, else through the wildcard at its closest
 * encloser), then the RRset of qtype at its end, each record once. A chain
 * that comes back to a name already answered stops there, and *loop is set:
 * the answer then carries no SOA. Returns the rcode, or -1 on overflow/OOM. */
static int build_answer_section(struct build *b, uint16_t qtype, bool *loop)
{
        const struct zone *z = b->z;
        struct answer *a = b->a;
        uint8_t seen[ANSWER_MAX_CHAIN + 1][DNS_NAME_MAX];
        size_t seen_len[ANSWER_MAX_CHAIN + 1];
        unsigned hops = 0;
        uint8_t name[DNS_NAME_MAX], source[DNS_NAME_MAX];
        size_t name_len = a->qname_len, source_len;
        enum zone_match m;

        memcpy(name, a->qname, name_len);
        *loop = false;
        for (;;) {
                m = zone_match_name(z, name, name_len, source, &source_len);
                const struct zone_rr *cname = qtype == DNS_TYPE_CNAME || m == ZONE_MATCH_NONE ? NULL
                        : zone_find(z, source, source_len, DNS_TYPE_CNAME);
                memcpy(seen[hops], name, name_len);
                seen_len[hops] = name_len;
                if (!cname)
                        break;
                if (build_rr(b, cname, name, name_len) < 0)
                        return -1;
                a->ancount++;
                a->cnames++;
                if (chain_seen(seen, seen_len, hops + 1, cname->rdata, cname->rdlen)) {
                        *loop = true;   /* NSD stops at a CNAME it has already added */
                        break;
                }
                if (hops == ANSWER_MAX_CHAIN)
                        break;  /* a chain too long: stop like a resolver would */
                memcpy(name, cname->rdata, cname->rdlen);
                name_len = cname->rdlen;
                hops++;
        }
        memcpy(a->final_name, name, name_len);
        a->final_len = name_len;
        if (*loop)
                return DNS_RCODE_NOERROR;
        struct rr_set written = { 0 };
        int ret = m == ZONE_MATCH_NONE ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
        for (size_t i = 0; m != ZONE_MATCH_NONE && i < z->n; i++) {
                const struct zone_rr *rr = &z->rrs[i];
                if ((rr->type != qtype && (qtype != DNS_TYPE_ANY || rr->type == DNS_TYPE_CNAME)) ||
                    !wire_name_equal(rr->owner, rr->owner_len, source, source_len))
                        continue;
                int added = rr_set_add(&written, rr);   /* 0: the zone lists it twice */
                if (added < 0 || (added && (build_rr(b, rr, name, name_len) < 0 ||
                                            add_address(b, rr) < 0))) {
                        ret = -1;
                        break;
                }
                a->ancount += (uint16_t)added;
        }
        rr_set_free(&written);
        return ret;
}

const uint8_t *answer_additional_target(const struct zone_rr *rr, size_t *len)
{
        size_t skip = rr->type == DNS_TYPE_NS ? 0 : rr->type == DNS_TYPE_MX ? 2
                      : rr->type == DNS_TYPE_SRV ? 6 : SIZE_MAX;
        if (skip == SIZE_MAX || rr->rdlen <= skip)
                return NULL;
        *len = wire_name_length(rr->rdata + skip, rr->rdlen - skip);
        return rr->rdata + skip;
}

/* Targets whose addresses go in additional, in the order NSD adds them. */
struct targets {
        const uint8_t *name[256];
        size_t len[256];
        unsigned n;
};

static void targets_add_rrset(struct targets *t, const struct zone *z, const uint8_t *owner,
                              size_t owner_len, uint16_t type)
{
        for (size_t i = 0; i < z->n && t->n < 256; i++) {
                size_t len;
                const uint8_t *name;
                if (z->rrs[i].type != type ||
                    !wire_name_equal(z->rrs[i].owner, z->rrs[i].owner_len, owner, owner_len) ||
                    !(name = answer_additional_target(&z->rrs[i], &len)))
                        continue;
                t->name[t->n] = name;
                t->len[t->n++] = len;
        }
}

/* True when (owner, type) was already written: an RRset goes in once. */
static bool rrset_written(const struct targets *done, uint16_t done_types[], const uint8_t *owner,
                          size_t len, uint16_t type)
{
        for (unsigned i = 0; i < done->n; i++)
                if (done_types[i] == type && wire_name_equal(done->name[i], done->len[i], owner, len))
                        return true;
        return false;
}

/* Writes every record of (owner, type) once; returns the count or -1. */
static int build_rrset(struct build *b, const uint8_t *owner, size_t owner_len, uint16_t type)
{
        struct rr_set written = { 0 };
        int n = 0;
        for (size_t i = 0; i < b->z->n && n >= 0; i++) {
                const struct zone_rr *rr = &b->z->rrs[i];
                if (rr->type != type || !wire_name_equal(rr->owner, rr->owner_len, owner, owner_len))
                        continue;
                int added = rr_set_add(&written, rr);   /* 0: the zone lists it twice */
                if (added < 0 || (added && build_rr(b, rr, rr->owner, rr->owner_len) < 0))
                        n = -1;
                else
                        n += added;
        }
        rr_set_free(&written);
        return n;
}

/* The rest of a positive answer when the server does not minimise it (NSD
 * and BIND with minimal-responses off): the zone's NS RRset in authority
 * (unless the answer is that RRset), then in additional the A records, then
 * the AAAA records, of the names the answer's NS, MX and SRV records and the
 * authority's NS records point at, where the zone holds them, each RRset
 * once and none that the answer holds. Returns the additional count or -1. */
static int build_full_sections(struct build *b, uint16_t qtype)
{
        const struct zone *z = b->z;
        struct answer *a = b->a;
        struct targets t = { .n = 0 }, done = { .n = 0 };
        uint16_t done_types[256];
        uint8_t source[DNS_NAME_MAX];
        size_t source_len;
        int ar = 0;
        bool apex_ns = qtype == DNS_TYPE_NS &&
                       wire_name_equal(a->final_name, a->final_len, z->origin, z->origin_len);

        if (zone_match_name(z, a->final_name, a->final_len, source, &source_len) != ZONE_MATCH_NONE)
                targets_add_rrset(&t, z, source, source_len, qtype);
        done.name[0] = a->final_name;
        done.len[0] = a->final_len;
        done_types[0] = qtype;
        done.n = 1;
        if (!apex_ns) {
                int n = build_rrset(b, z->origin, z->origin_len, DNS_TYPE_NS);
                if (n < 0)
                        return -1;
                a->nscount = (uint16_t)n;
                targets_add_rrset(&t, z, z->origin, z->origin_len, DNS_TYPE_NS);
        }
        for (int pass = 0; pass < 2; pass++) {
                uint16_t type = pass == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA;
                for (unsigned i = 0; i < t.n && done.n < 256; i++) {
                        if (rrset_written(&done, done_types, t.name[i], t.len[i], type))
                                continue;
                        int n = build_rrset(b, t.name[i], t.len[i], type);
                        if (n < 0)
                                return -1;
                        ar += n;
                        done.name[done.n] = t.name[i];
                        done.len[done.n] = t.len[i];
                        done_types[done.n++] = type;
                }
        }
        return ar;
}

static struct answer *build(const struct zone *z, const struct point_params *p,
                            const uint8_t *qname, size_t qname_len, uint16_t qtype, bool full)
{
        struct build b = { .z = z };
        struct answer *a = calloc(1, sizeof(*a));
        uint8_t *buf = malloc(ANSWER_BUF_MAX);
        struct dns_header h = { .qdcount = 1 };

        if (!a || !buf || qname_len > DNS_NAME_MAX)
                goto fail;
        b.a = a;
        memcpy(a->qname, qname, qname_len);
        a->qname_len = qname_len;
        a->qtype = qtype;
        wire_writer_init(&b.w, buf, ANSWER_BUF_MAX, p->compression);
        wire_write_header(&b.w, &h);
        wire_write_question(&b.w, qname, qname_len, qtype, DNS_CLASS_IN);
        a->question_end = b.w.len;
        if (p->rcode != DNS_RCODE_NOERROR) {
                a->rcode = p->rcode;
        } else {
                bool loop;
                a->rcode = build_answer_section(&b, qtype, &loop);
                if (a->rcode < 0)
                        goto fail;
                if (a->ancount == a->cnames && !loop) {
                        const struct zone_rr *soa = zone_find(z, z->origin, z->origin_len, DNS_TYPE_SOA);
                        if (soa) {
                                if (build_rr(&b, soa, soa->owner, soa->owner_len) < 0)
                                        goto fail;
                                a->nscount = 1;
                        }
                } else if (full && a->ancount > a->cnames) {
                        int ar = build_full_sections(&b, qtype);
                        if (ar < 0)
                                goto fail;
                        a->arcount = (uint16_t)ar;
                }
        }
        wire_patch_u16(&b.w, 6, a->ancount);
        wire_patch_u16(&b.w, 8, a->nscount);
        wire_patch_u16(&b.w, 10, a->arcount);
        if (wire_writer_status(&b.w) < 0)
                goto fail;
        a->len = b.w.len;
        a->wire = realloc(buf, a->len);
        if (!a->wire)
                goto fail;
        a->rr_end = b.ends;
        a->nrr = b.nends;
        return a;
fail:
        free(buf);
        free(b.ends);
        if (a)
                free(a->addrs);
        free(a);
        return NULL;
}

struct answer *answer_build(const struct zone *z, const struct point_params *p,
                            const uint8_t *qname, size_t qname_len, uint16_t qtype)
{
        return build(z, p, qname, qname_len, qtype, false);
}

struct answer *answer_build_full(const struct zone *z, const struct point_params *p,
                                 const uint8_t *qname, size_t qname_len, uint16_t qtype)
{
        return build(z, p, qname, qname_len, qtype, true);
}

void answer_free(struct answer *a)
{
        if (!a)
                return;
        free(a->wire);
        free(a->rr_end);
        free(a->addrs);
        free(a);
}

const struct answer *answer_cache_get(struct answer_cache *c, const struct zone *z,
                                      const struct point_params *p, const uint8_t *qname,
                                      size_t qname_len, uint16_t qtype)
{
        struct answer *a;
        for (size_t i = 0; i < c->n; i++)
                if (c->items[i]->qtype == qtype &&
                    wire_name_equal(c->items[i]->qname, c->items[i]->qname_len, qname, qname_len))
                        return c->items[i];
        a = answer_build(z, p, qname, qname_len, qtype);
        if (!a)
                return NULL;
        if (c->n >= ANSWER_CACHE_MAX && c->n > c->pinned) {
                size_t span = c->n - c->pinned;
                size_t at = c->pinned + c->next_victim++ % span;
                answer_free(c->items[at]);
                c->items[at] = a;
                return a;
        }
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 8;
                struct answer **n = realloc(c->items, cap * sizeof(*n));
                if (!n) {
                        answer_free(a);
                        return NULL;
                }
                c->items = n;
                c->cap = cap;
        }
        c->items[c->n++] = a;
        return a;
}

void answer_cache_clear(struct answer_cache *c)
{
        for (size_t i = 0; i < c->n; i++)
                answer_free(c->items[i]);
        free(c->items);
        memset(c, 0, sizeof(*c));
}
