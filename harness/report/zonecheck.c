#include "harness/report/zonecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#include "harness/wire/dns.h"
#include "harness/wire/reader.h"
#include "harness/zone/answer.h"
#include "harness/zone/params.h"
#include "harness/zone/wildcard.h"

#define DNS_TYPE_RRSIG 46
#define DNS_TYPE_NSEC  47
#define DNS_TYPE_NSEC3 50
#define DNS_TYPE_CAA   257

/* What a stub asks for at every name; A and AAAA are what getaddrinfo sends. */
static const uint16_t stub_types[] = {
        DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_TXT, DNS_TYPE_MX, DNS_TYPE_SRV, DNS_TYPE_CAA,
};
#define NSTUB_TYPES (sizeof(stub_types) / sizeof(stub_types[0]))

static const char *const responses_names[ZONECHECK_RESPONSES_MAX] = {
        [ZONECHECK_RESPONSES_MINIMAL] = "minimal",
        [ZONECHECK_RESPONSES_FULL] = "full",
};

const char *zonecheck_responses_to_string(enum zonecheck_responses r)
{
        return r >= 0 && r < ZONECHECK_RESPONSES_MAX ? responses_names[r] : "invalid";
}

enum zonecheck_responses zonecheck_responses_from_string(const char *s)
{
        for (int i = 0; i < ZONECHECK_RESPONSES_MAX; i++)
                if (strcasecmp(s, responses_names[i]) == 0)
                        return (enum zonecheck_responses)i;
        return ZONECHECK_RESPONSES_INVALID;
}

static const char *const format_names[ZONECHECK_FORMAT_MAX] = {
        [ZONECHECK_FORMAT_TEXT] = "text",
        [ZONECHECK_FORMAT_JSON] = "json",
        [ZONECHECK_FORMAT_GITHUB] = "github",
};

const char *zonecheck_format_to_string(enum zonecheck_format f)
{
        return f >= 0 && f < ZONECHECK_FORMAT_MAX ? format_names[f] : "invalid";
}

enum zonecheck_format zonecheck_format_from_string(const char *s)
{
        for (int i = 0; i < ZONECHECK_FORMAT_MAX; i++)
                if (strcasecmp(s, format_names[i]) == 0)
                        return (enum zonecheck_format)i;
        return ZONECHECK_FORMAT_INVALID;
}

/* ------------------------------------------------------------------ limits */

static int limit_cmp(const void *a, const void *b)
{
        const struct zonecheck_limit *x = a, *y = b;
        return (x->bytes > y->bytes) - (x->bytes < y->bytes);
}

int zonecheck_parse_limits(const char *text, struct zonecheck_limit *out, size_t *n,
                           char *err, size_t errlen)
{
        const char *p = text;
        size_t count = 0, k = 0;

        for (;;) {
                char *end;
                unsigned long v;
                if (*p < '0' || *p > '9') {
                        snprintf(err, errlen, "--limit: expected a list of byte counts such as 512,1232, got '%s'", text);
                        return -1;
                }
                v = strtoul(p, &end, 10);
                if (v < DNS_HEADER_LEN || v > DNS_TCP_MAX) {
                        snprintf(err, errlen, "--limit: %.*s is outside %d..%d", (int)(end - p), p,
                                 DNS_HEADER_LEN, DNS_TCP_MAX);
                        return -1;
                }
                if (count == ZONECHECK_LIMITS_MAX) {
                        snprintf(err, errlen, "--limit: at most %d limits", ZONECHECK_LIMITS_MAX);
                        return -1;
                }
                out[count].bytes = (unsigned)v;
                out[count].edns = v > DNS_UDP_LEGACY_MAX;
                count++;
                if (*end == '\0')
                        break;
                if (*end != ',') {
                        snprintf(err, errlen, "--limit: expected a list of byte counts such as 512,1232, got '%s'", text);
                        return -1;
                }
                p = end + 1;
        }
        qsort(out, count, sizeof(*out), limit_cmp);
        for (size_t i = 0; i < count; i++)
                if (k == 0 || out[k - 1].bytes != out[i].bytes)
                        out[k++] = out[i];
        *n = k;
        return 0;
}

size_t zonecheck_default_limits(struct zonecheck_limit *out)
{
        out[0] = (struct zonecheck_limit){ .bytes = DNS_UDP_LEGACY_MAX, .edns = false };
        out[1] = (struct zonecheck_limit){ .bytes = 1232, .edns = true };
        return 2;
}

/* ------------------------------------------------------------------ index */

/* The zone's records sorted by (owner without case, type, file order); a
 * name is a run of that array. */
struct name_run {
        size_t first, count;            /* in order[] */
        size_t first_rr;                /* smallest record index: file order, spelling */
};

/* A name that exists: an owner, or an ancestor of one inside the zone (an
 * empty non-terminal); rr is a record at or below it. */
struct existing {
        const uint8_t *name;            /* points into the record's owner */
        size_t len;
        size_t rr;
};

struct index {
        const struct zone *z;
        size_t *order;
        struct name_run *names;
        size_t nnames;
        struct existing *exist;         /* sorted by name, distinct */
        size_t nexist;
};

static inline int ascii_lower(uint8_t c)
{
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
        size_t n = alen < blen ? alen : blen;
        for (size_t i = 0; i < n; i++) {
                int ca = ascii_lower(a[i]), cb = ascii_lower(b[i]);
                if (ca != cb)
                        return ca - cb;
        }
        return (alen > blen) - (alen < blen);
}

static int order_cmp(const void *pa, const void *pb, void *arg)
{
        const struct zone *z = arg;
        size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
        const struct zone_rr *a = &z->rrs[ia], *b = &z->rrs[ib];
        int c = name_cmp(a->owner, a->owner_len, b->owner, b->owner_len);
        if (c)
                return c;
        if (a->type != b->type)
                return a->type < b->type ? -1 : 1;
        return (ia > ib) - (ia < ib);
}

static int existing_cmp(const void *pa, const void *pb)
{
        const struct existing *a = pa, *b = pb;
        return name_cmp(a->name, a->len, b->name, b->len);
}

/* Fills ix->exist with every owner and its ancestors down to the origin. */
static int index_build_existing(struct index *ix)
{
        const struct zone *z = ix->z;
        size_t cap = 0, k = 0;

        for (size_t i = 0; i < ix->nnames; i++) {
                const struct zone_rr *rr = &z->rrs[ix->names[i].first_rr];
                for (size_t p = 0; p < rr->owner_len && rr->owner_len - p >= z->origin_len;
                     p += (size_t)rr->owner[p] + 1) {
                        if (ix->nexist == cap) {
                                size_t ncap = cap ? cap * 2 : 64;
                                struct existing *n = realloc(ix->exist, ncap * sizeof(*n));
                                if (!n)
                                        return -1;
                                ix->exist = n;
                                cap = ncap;
                        }
                        ix->exist[ix->nexist++] = (struct existing){
                                rr->owner + p, rr->owner_len - p, ix->names[i].first_rr };
                        if (rr->owner[p] == 0)
                                break;
                }
        }
        qsort(ix->exist, ix->nexist, sizeof(*ix->exist), existing_cmp);
        for (size_t i = 0; i < ix->nexist; i++)
                if (k == 0 || existing_cmp(&ix->exist[k - 1], &ix->exist[i]) != 0)
                        ix->exist[k++] = ix->exist[i];
        ix->nexist = k;
        return 0;
}

static int index_build(struct index *ix, const struct zone *z)
{
        ix->z = z;
        ix->order = malloc((z->n ? z->n : 1) * sizeof(*ix->order));
        ix->names = malloc((z->n ? z->n : 1) * sizeof(*ix->names));
        ix->nnames = 0;
        ix->exist = NULL;
        ix->nexist = 0;
        if (!ix->order || !ix->names)
                return -1;
        for (size_t i = 0; i < z->n; i++)
                ix->order[i] = i;
        qsort_r(ix->order, z->n, sizeof(*ix->order), order_cmp, (void *)z);
        for (size_t i = 0; i < z->n; i++) {
                const struct zone_rr *rr = &z->rrs[ix->order[i]];
                struct name_run *last = ix->nnames ? &ix->names[ix->nnames - 1] : NULL;
                const struct zone_rr *lr = last ? &z->rrs[ix->order[last->first]] : NULL;
                if (last && name_cmp(lr->owner, lr->owner_len, rr->owner, rr->owner_len) == 0) {
                        last->count++;
                        if (ix->order[i] < last->first_rr)
                                last->first_rr = ix->order[i];
                        continue;
                }
                ix->names[ix->nnames++] = (struct name_run){ i, 1, ix->order[i] };
        }
        return index_build_existing(ix);
}

static void index_free(struct index *ix)
{
        free(ix->order);
        free(ix->names);
        free(ix->exist);
}

/* The name's run, or NULL when no record is owned by it. */
static const struct name_run *index_find(const struct index *ix, const uint8_t *name, size_t len)
{
        size_t lo = 0, hi = ix->nnames;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct zone_rr *rr = &ix->z->rrs[ix->order[ix->names[mid].first]];
                int c = name_cmp(rr->owner, rr->owner_len, name, len);
                if (c == 0)
                        return &ix->names[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* The records of type at a name: *first in order[] and the count (0: none). */
static size_t index_rrset(const struct index *ix, const struct name_run *nr, uint16_t type,
                          size_t *first)
{
        size_t n = 0;
        if (!nr)
                return 0;
        for (size_t i = nr->first; i < nr->first + nr->count; i++) {
                if (ix->z->rrs[ix->order[i]].type != type)
                        continue;
                if (n++ == 0)
                        *first = i;
        }
        return n;
}

/* The entry of an existing name, or NULL. */
static const struct existing *index_existing(const struct index *ix, const uint8_t *name, size_t len)
{
        struct existing key = { name, len, 0 };
        return bsearch(&key, ix->exist, ix->nexist, sizeof(*ix->exist), existing_cmp);
}

static int index_exists_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return index_existing(ctx, name, len) != NULL;
}

static int index_owns_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return index_find(ctx, name, len) != NULL;
}

/* The owner whose records answer name (exact, or the wildcard at its closest
 * encloser), as answer_build finds it. */
static enum zone_match index_match(const struct index *ix, const uint8_t *name, size_t len,
                                   uint8_t source[DNS_NAME_MAX], size_t *source_len)
{
        struct zone_names zn = { ix->z->origin, ix->z->origin_len, index_exists_cb, index_owns_cb, ix };
        return zone_names_match(&zn, name, len, source, source_len);
}

/* True when the name is a delegation point or below one (an NS RRset at the
 * name or at an ancestor, the apex excepted): a parent's glue, not an answer. */
static bool below_cut(const struct index *ix, const uint8_t *name, size_t len)
{
        size_t origin_len = ix->z->origin_len, first;
        for (size_t p = 0; p < len && len - p > origin_len; p += (size_t)name[p] + 1)
                if (index_rrset(ix, index_find(ix, name + p, len - p), DNS_TYPE_NS, &first))
                        return true;
        return false;
}

/* ------------------------------------------------------------------ analysis */

struct run {
        const struct zone *z;
        struct index ix;
        struct point_params params;
        struct zonecheck_report *r;
        size_t soa;                     /* record index of the apex SOA, or SIZE_MAX */
        bool full;                      /* ZONECHECK_RESPONSES_FULL */
        size_t answers_cap, findings_cap;
        size_t *sel;                    /* records of the answer being built */
        size_t nsel, sel_cap;
        size_t *sorted;                 /* the same in zone order (sel keeps its prefix) */
        size_t sorted_cap;
        struct zone_rr *view;           /* shallow copies of sel, in zone order */
        size_t view_cap;
        char *err;
        size_t errlen;
};

static int sel_add(struct run *run, size_t rr)
{
        if (run->nsel == run->sel_cap) {
                size_t cap = run->sel_cap ? run->sel_cap * 2 : 64;
                size_t *n = realloc(run->sel, cap * sizeof(*n));
                if (!n)
                        return -1;
                run->sel = n;
                run->sel_cap = cap;
        }
        run->sel[run->nsel++] = rr;
        return 0;
}

static int size_cmp(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        return (x > y) - (x < y);
}

/* Builds the answer from a view of the zone holding only the selected
 * records, in zone order. answer_build only looks at the CNAMEs along the
 * chain, the records of qtype at its end, whether that name exists, and the
 * apex SOA, so the view gives the very bytes the whole zone would. The view
 * shares rdata with the zone: it is never freed with zone_free. */
static struct answer *build_from_view(struct run *run, const uint8_t *qname, size_t qlen,
                                      uint16_t qtype)
{
        struct zone view;
        size_t n = 0;

        if (run->nsel > run->view_cap) {
                struct zone_rr *v = realloc(run->view, run->nsel * sizeof(*v));
                size_t *o = realloc(run->sorted, run->nsel * sizeof(*o));
                if (v)
                        run->view = v;
                if (o)
                        run->sorted = o;
                if (!v || !o)
                        return NULL;
                run->view_cap = run->nsel;
        }
        memcpy(run->sorted, run->sel, run->nsel * sizeof(*run->sel));
        qsort(run->sorted, run->nsel, sizeof(*run->sorted), size_cmp);
        for (size_t i = 0; i < run->nsel; i++)
                if (i == 0 || run->sorted[i] != run->sorted[i - 1])
                        run->view[n++] = run->z->rrs[run->sorted[i]];
        memset(&view, 0, sizeof(view));
        memcpy(view.origin, run->z->origin, run->z->origin_len);
        view.origin_len = run->z->origin_len;
        view.rrs = run->view;
        view.n = view.cap = n;
        return run->full ? answer_build_full(&view, &run->params, qname, qlen, qtype)
                         : answer_build(&view, &run->params, qname, qlen, qtype);
}

size_t zonecheck_fit(const struct answer *a, size_t records, size_t opt, unsigned limit,
                     size_t skip)
{
        for (size_t k = records; k > 0; k--)
                if (a->rr_end[a->cnames + k - 1] - skip + opt <= limit)
                        return k;
        return 0;
}

/* Adds the A and AAAA records of name (additional data of FULL answers). */
static int sel_addresses(struct run *run, const uint8_t *name, size_t len)
{
        const struct name_run *nr = index_find(&run->ix, name, len);
        for (int t = 0; nr && t < 2; t++) {
                size_t first = 0, n = index_rrset(&run->ix, nr, t ? DNS_TYPE_AAAA : DNS_TYPE_A, &first);
                for (size_t k = 0; k < n; k++)
                        if (sel_add(run, run->ix.order[first + k]) < 0)
                                return -1;
        }
        return 0;
}

/* Adds the records answer_build_full may add for records [first, first+n)
 * of order[]: the addresses of the names they point at. */
static int sel_targets(struct run *run, size_t first, size_t n)
{
        for (size_t k = 0; k < n; k++) {
                size_t len;
                const uint8_t *t = answer_additional_target(&run->z->rrs[run->ix.order[first + k]], &len);
                if (t && sel_addresses(run, t, len) < 0)
                        return -1;
        }
        return 0;
}

/* FULL: the apex NS RRset and the addresses of its targets. */
static int sel_apex_ns(struct run *run)
{
        size_t first = 0;
        size_t n = index_rrset(&run->ix, index_find(&run->ix, run->z->origin, run->z->origin_len),
                               DNS_TYPE_NS, &first);
        for (size_t k = 0; k < n; k++)
                if (sel_add(run, run->ix.order[first + k]) < 0)
                        return -1;
        return sel_targets(run, first, n);
}

static int record_answer(struct run *run, size_t qname_rr, uint16_t qtype, size_t final_rr,
                         size_t records, const struct answer *a)
{
        struct zonecheck_report *r = run->r;
        struct zonecheck_answer *ans;

        if (r->nanswers == run->answers_cap) {
                size_t cap = run->answers_cap ? run->answers_cap * 2 : 256;
                struct zonecheck_answer *n = realloc(r->answers, cap * sizeof(*n));
                if (!n)
                        return -1;
                r->answers = n;
                run->answers_cap = cap;
        }
        ans = &r->answers[r->nanswers];
        *ans = (struct zonecheck_answer){
                .qname_rr = qname_rr, .final_rr = records ? final_rr : SIZE_MAX, .qtype = qtype,
                .cnames = a->cnames, .records = records,
                .size = a->len, .size_edns = a->len + DNS_OPT_RR_LEN,
        };
        for (size_t l = 0; l < r->nlimits; l++) {
                size_t size = r->limits[l].edns ? ans->size_edns : ans->size;
                if (size <= r->limits[l].bytes)
                        continue;
                if (r->nfindings == run->findings_cap) {
                        size_t cap = run->findings_cap ? run->findings_cap * 2 : 64;
                        struct zonecheck_finding *n = realloc(r->findings, cap * sizeof(*n));
                        if (!n)
                                return -1;
                        r->findings = n;
                        run->findings_cap = cap;
                }
                r->findings[r->nfindings++] = (struct zonecheck_finding){
                        .answer = r->nanswers, .limit = l, .size = size,
                        .fit = zonecheck_fit(a, records, (r->limits[l].edns ? DNS_OPT_RR_LEN : 0) +
                                             (records ? a->len - a->rr_end[a->cnames + records - 1] : 0),
                                             r->limits[l].bytes, 0),
                };
                if (l == 0)
                        r->failed = true;
        }
        r->nanswers++;
        return 0;
}

static bool is_stub_type(uint16_t t)
{
        for (size_t i = 0; i < NSTUB_TYPES; i++)
                if (stub_types[i] == t)
                        return true;
        return false;
}

/* Adds a record that makes the closest existing ancestor-or-self of name
 * exist in the view too, so that answer_build finds the same closest
 * encloser there as in the zone (and the same NODATA/NXDOMAIN). */
static int sel_witness(struct run *run, const uint8_t *name, size_t len)
{
        for (size_t p = 0; p < len; p += (size_t)name[p] + 1) {
                const struct existing *e = index_existing(&run->ix, name + p, len - p);
                if (e)
                        return sel_add(run, e->rr);
                if (name[p] == 0)
                        break;
        }
        return 0;
}

/* Follows the CNAMEs from name the way answer_build does (each name exact or
 * through a wildcard, first CNAME at each, stop at a loop or after
 * ANSWER_MAX_CHAIN hops), adding each CNAME and each name's existence
 * witness to the selection. Writes the end of the chain to final and the
 * owner whose records answer it to source (NULL run: no name answers). */
static int follow_chain(struct run *run, const uint8_t *name, size_t len,
                        uint8_t final[DNS_NAME_MAX], size_t *final_len,
                        uint8_t source[DNS_NAME_MAX], size_t *source_len,
                        const struct name_run **source_run, unsigned *cnames)
{
        uint8_t seen[ANSWER_MAX_CHAIN + 1][DNS_NAME_MAX];
        size_t seen_len[ANSWER_MAX_CHAIN + 1];
        unsigned hops = 0;

        memcpy(final, name, len);
        *final_len = len;
        *cnames = 0;
        for (;;) {
                size_t first;
                const struct zone_rr *cname;
                bool loop = false;
                enum zone_match m = index_match(&run->ix, final, *final_len, source, source_len);

                memcpy(seen[hops], final, *final_len);
                seen_len[hops] = *final_len;
                *source_run = m == ZONE_MATCH_NONE ? NULL : index_find(&run->ix, source, *source_len);
                if (sel_witness(run, final, *final_len) < 0 ||
                    (*source_run && sel_add(run, (*source_run)->first_rr) < 0))
                        return -1;
                if (!index_rrset(&run->ix, *source_run, DNS_TYPE_CNAME, &first))
                        return 0;
                if (sel_add(run, run->ix.order[first]) < 0)
                        return -1;
                (*cnames)++;
                cname = &run->z->rrs[run->ix.order[first]];
                for (unsigned i = 0; i <= hops; i++)
                        if (wire_name_equal(seen[i], seen_len[i], cname->rdata, cname->rdlen))
                                loop = true;
                if (hops == ANSWER_MAX_CHAIN || loop) {
                        *source_run = NULL;   /* answer_build stops here: no final RRset */
                        return 0;
                }
                memcpy(final, cname->rdata, cname->rdlen);
                *final_len = cname->rdlen;
                hops++;
        }
}

static int fail_build(struct run *run, const uint8_t *name, size_t len, uint16_t qtype)
{
        char text[1024], type[16];
        const ldns_rr_descriptor *d = ldns_rr_descript(qtype);
        wire_name_to_text(name, len, text, sizeof(text));
        snprintf(run->err, run->errlen,
                 "%s %s: cannot build the answer (over %d bytes, or out of memory)", text,
                 d && d->_type == qtype && d->_name ? d->_name : dns_type_to_string(qtype, type),
                 DNS_TCP_MAX);
        return -1;
}

/* Every answer at one name: the stub types plus any other type held at the
 * end of its chain (not CNAME, RRSIG, NSEC, NSEC3: a stub never asks them). */
static int analyse_name(struct run *run, const struct name_run *nr)
{
        const struct zone *z = run->z;
        const struct zone_rr *q = &z->rrs[nr->first_rr];
        const struct name_run *fr;
        uint8_t final[DNS_NAME_MAX], source[DNS_NAME_MAX];
        size_t final_len, source_len, chain_sel;
        unsigned cnames;
        uint16_t types[NSTUB_TYPES + 64];
        size_t ntypes = 0;
        struct answer *nodata = NULL;
        int ret = -1, rc;

        if (!zone_in_zone(z, q->owner, q->owner_len)) {
                run->r->outside++;
                return 0;
        }
        if (below_cut(&run->ix, q->owner, q->owner_len)) {
                run->r->below_cut++;
                return 0;
        }
        run->nsel = 0;
        if (follow_chain(run, q->owner, q->owner_len, final, &final_len, source, &source_len, &fr,
                         &cnames) < 0)
                goto oom;
        if (cnames && (!zone_in_zone(z, final, final_len) || below_cut(&run->ix, final, final_len))) {
                run->r->chain_out++;
                return 0;
        }
        run->r->names++;
        if (run->soa != SIZE_MAX && sel_add(run, run->soa) < 0)
                goto oom;
        if (run->full && sel_apex_ns(run) < 0)
                goto oom;
        chain_sel = run->nsel;
        for (size_t i = 0; i < NSTUB_TYPES; i++)
                types[ntypes++] = stub_types[i];
        for (size_t i = 0; fr && i < fr->count && ntypes < sizeof(types) / sizeof(types[0]); i++) {
                uint16_t t = z->rrs[run->ix.order[fr->first + i]].type;
                if (t == DNS_TYPE_CNAME || t == DNS_TYPE_RRSIG || t == DNS_TYPE_NSEC ||
                    t == DNS_TYPE_NSEC3 || is_stub_type(t) || t == types[ntypes - 1])
                        continue;
                types[ntypes++] = t;
        }
        for (size_t i = 0; i < ntypes; i++) {
                size_t first = 0, count = index_rrset(&run->ix, fr, types[i], &first);
                struct answer *a;
                if (count == 0) {
                        /* NODATA: the same bytes whatever the type asked */
                        if (!nodata) {
                                run->nsel = chain_sel;
                                nodata = build_from_view(run, q->owner, q->owner_len, types[i]);
                                if (!nodata) {
                                        fail_build(run, q->owner, q->owner_len, types[i]);
                                        goto cleanup;
                                }
                        }
                        if (record_answer(run, nr->first_rr, types[i], SIZE_MAX, 0, nodata) < 0)
                                goto oom;
                        continue;
                }
                run->nsel = chain_sel;
                for (size_t k = 0; k < count; k++)
                        if (sel_add(run, run->ix.order[first + k]) < 0)
                                goto oom;
                if (run->full && sel_targets(run, first, count) < 0)
                        goto oom;
                a = build_from_view(run, q->owner, q->owner_len, types[i]);
                if (!a) {
                        fail_build(run, q->owner, q->owner_len, types[i]);
                        goto cleanup;
                }
                /* records as served: duplicates in the file count once */
                rc = record_answer(run, nr->first_rr, types[i], run->ix.order[first],
                                   (size_t)(a->ancount - a->cnames), a);
                answer_free(a);
                if (rc < 0)
                        goto oom;
        }
        ret = 0;
        goto cleanup;
oom:
        snprintf(run->err, run->errlen, "out of memory");
cleanup:
        answer_free(nodata);
        return ret;
}

static int names_by_file_order(const void *a, const void *b)
{
        const struct name_run *x = *(const struct name_run *const *)a;
        const struct name_run *y = *(const struct name_run *const *)b;
        return (x->first_rr > y->first_rr) - (x->first_rr < y->first_rr);
}

struct zonecheck_report *zonecheck_run(const struct zone *z, const struct zonecheck_limit *limits,
                                       size_t nlimits, char *err, size_t errlen)
{
        return zonecheck_run_model(z, limits, nlimits, ZONECHECK_RESPONSES_MINIMAL, err, errlen);
}

struct zonecheck_report *zonecheck_run_model(const struct zone *z, const struct zonecheck_limit *limits,
                                             size_t nlimits, enum zonecheck_responses responses,
                                             char *err, size_t errlen)
{
        struct run run = { .z = z, .soa = SIZE_MAX, .err = err, .errlen = errlen,
                           .full = responses == ZONECHECK_RESPONSES_FULL };
        const struct name_run **names = NULL;
        size_t first;

        run.r = calloc(1, sizeof(*run.r));
        if (!run.r || nlimits == 0 || nlimits > ZONECHECK_LIMITS_MAX)
                goto fail_msg;
        memcpy(run.r->limits, limits, nlimits * sizeof(*limits));
        run.r->nlimits = nlimits;
        run.r->responses = responses;
        params_defaults(&run.params);
        if (index_build(&run.ix, z) < 0)
                goto fail_msg;
        if (index_rrset(&run.ix, index_find(&run.ix, z->origin, z->origin_len), DNS_TYPE_SOA, &first))
                run.soa = run.ix.order[first];
        names = malloc((run.ix.nnames ? run.ix.nnames : 1) * sizeof(*names));
        if (!names)
                goto fail_msg;
        for (size_t i = 0; i < run.ix.nnames; i++)
                names[i] = &run.ix.names[i];
        qsort(names, run.ix.nnames, sizeof(*names), names_by_file_order);
        for (size_t i = 0; i < run.ix.nnames; i++)
                if (analyse_name(&run, names[i]) < 0)
                        goto fail;
        free(names);
        free(run.sel);
        free(run.sorted);
        free(run.view);
        index_free(&run.ix);
        return run.r;
fail_msg:
        snprintf(err, errlen, nlimits ? "out of memory" : "no limits");
fail:
        free(names);
        free(run.sel);
        free(run.sorted);
        free(run.view);
        index_free(&run.ix);
        zonecheck_report_free(run.r);
        return NULL;
}

void zonecheck_report_free(struct zonecheck_report *r)
{
        if (!r)
                return;
        free(r->answers);
        free(r->findings);
        free(r);
}

/* ------------------------------------------------------------------ output */

static const char *type_name(uint16_t t, char buf[16])
{
        const ldns_rr_descriptor *d = ldns_rr_descript(t);
        if (d && d->_type == t && d->_name)
                return d->_name;
        return dns_type_to_string(t, buf);
}

/* "CNAME chain 1, 29 A records" or "no TXT records". */
static void describe_rrset(const struct zonecheck_answer *a, struct strbuf *out)
{
        char tb[16];
        if (a->cnames)
                strbuf_printf(out, "CNAME chain %u, ", a->cnames);
        if (a->records)
                strbuf_printf(out, "%zu %s record%s", a->records, type_name(a->qtype, tb),
                              a->records == 1 ? "" : "s");
        else
                strbuf_printf(out, "no %s records", type_name(a->qtype, tb));
}

/* "cdn.mixpanel.com. A: 530 bytes without EDNS > 512 (CNAME chain 1, 29 A records; at most 27 fit)" */
static void finding_message(const struct zonecheck_report *r, const struct zone *z,
                            const struct zonecheck_finding *f, struct strbuf *out)
{
        const struct zonecheck_answer *a = &r->answers[f->answer];
        const struct zone_rr *q = &z->rrs[a->qname_rr];
        char name[1024], tb[16];

        wire_name_to_text(q->owner, q->owner_len, name, sizeof(name));
        strbuf_printf(out, "%s %s: %zu bytes %s > %u (", name, type_name(a->qtype, tb), f->size,
                      r->limits[f->limit].edns ? "with EDNS" : "without EDNS",
                      r->limits[f->limit].bytes);
        describe_rrset(a, out);
        if (a->records)
                strbuf_printf(out, "; at most %zu fit", f->fit);
        strbuf_puts(out, ")");
}

/* The record a finding points at: the final RRset's first, else the name's. */
static size_t answer_rr(const struct zonecheck_answer *a)
{
        return a->final_rr != SIZE_MAX ? a->final_rr : a->qname_rr;
}

/* GitHub workflow command escaping: data, and property values (prop). */
static void github_escape(struct strbuf *out, const char *s, bool prop)
{
        for (; *s; s++) {
                switch (*s) {
                case '%': strbuf_puts(out, "%25"); break;
                case '\r': strbuf_puts(out, "%0D"); break;
                case '\n': strbuf_puts(out, "%0A"); break;
                case ':': strbuf_puts(out, prop ? "%3A" : ":"); break;
                case ',': strbuf_puts(out, prop ? "%2C" : ","); break;
                default: strbuf_add(out, s, 1);
                }
        }
}

static void write_text(const struct zonecheck_report *r, const struct zone *z, const char *path,
                       bool all, struct strbuf *out)
{
        size_t f = 0;
        for (size_t i = 0; i < r->nanswers; i++) {
                const struct zonecheck_answer *a = &r->answers[i];
                if (f < r->nfindings && r->findings[f].answer == i) {
                        for (; f < r->nfindings && r->findings[f].answer == i; f++) {
                                strbuf_printf(out, "%s: ", path);
                                finding_message(r, z, &r->findings[f], out);
                                strbuf_puts(out, "\n");
                        }
                } else if (all) {
                        const struct zone_rr *q = &z->rrs[a->qname_rr];
                        char name[1024], tb[16];
                        wire_name_to_text(q->owner, q->owner_len, name, sizeof(name));
                        strbuf_printf(out, "%s: %s %s: %zu bytes without EDNS, %zu with EDNS (", path,
                                      name, type_name(a->qtype, tb), a->size, a->size_edns);
                        describe_rrset(a, out);
                        strbuf_puts(out, "; within every limit)\n");
                }
        }
}

static void write_github(const struct zonecheck_report *r, const struct zonefile *zf,
                         struct strbuf *out)
{
        struct strbuf msg;
        for (size_t i = 0; i < r->nfindings; i++) {
                const struct zonecheck_finding *f = &r->findings[i];
                size_t rr = answer_rr(&r->answers[f->answer]);
                strbuf_init(&msg);
                finding_message(r, zf->zone, f, &msg);
                strbuf_puts(out, f->limit == 0 ? "::error file=" : "::warning file=");
                github_escape(out, zonefile_record_file(zf, rr), true);
                strbuf_printf(out, ",line=%u::", zonefile_record_line(zf, rr));
                github_escape(out, msg.data ? msg.data : "", false);
                strbuf_puts(out, "\n");
                strbuf_free(&msg);
        }
}

static void json_answer_fields(const struct zonecheck_answer *a, const struct zonefile *zf,
                               struct strbuf *out)
{
        const struct zone *z = zf->zone;
        const struct zone_rr *q = &z->rrs[a->qname_rr];
        char name[1024], tb[16];
        size_t rr = answer_rr(a);

        wire_name_to_text(q->owner, q->owner_len, name, sizeof(name));
        strbuf_puts(out, "\"name\": ");
        strbuf_json_string(out, name);
        strbuf_puts(out, ", \"type\": ");
        strbuf_json_string(out, type_name(a->qtype, tb));
        strbuf_puts(out, ", \"file\": ");
        strbuf_json_string(out, zonefile_record_file(zf, rr));
        strbuf_printf(out, ", \"line\": %u, \"size_without_edns\": %zu, \"size_with_edns\": %zu, "
                      "\"cname_chain\": %u, \"records\": %zu",
                      zonefile_record_line(zf, rr), a->size, a->size_edns, a->cnames, a->records);
        if (a->final_rr != SIZE_MAX && a->cnames) {
                const struct zone_rr *f = &z->rrs[a->final_rr];
                wire_name_to_text(f->owner, f->owner_len, name, sizeof(name));
                strbuf_puts(out, ", \"final_name\": ");
                strbuf_json_string(out, name);
        }
}

static void write_json(const struct zonecheck_report *r, const struct zonefile *zf,
                       const char *path, bool all, struct strbuf *out)
{
        char origin[1024];

        wire_name_to_text(zf->zone->origin, zf->zone->origin_len, origin, sizeof(origin));
        strbuf_puts(out, "{\n  \"file\": ");
        strbuf_json_string(out, path);
        strbuf_puts(out, ",\n  \"origin\": ");
        strbuf_json_string(out, origin);
        strbuf_printf(out, ",\n  \"responses\": \"%s\"", zonecheck_responses_to_string(r->responses));
        strbuf_puts(out, ",\n  \"limits\": [");
        for (size_t l = 0; l < r->nlimits; l++)
                strbuf_printf(out, "%s{\"bytes\": %u, \"edns\": %s}", l ? ", " : "",
                              r->limits[l].bytes, r->limits[l].edns ? "true" : "false");
        strbuf_printf(out, "],\n  \"names\": %zu,\n  \"answers\": %zu,\n"
                      "  \"not_checked\": {\"below_zone_cut\": %zu, \"outside_origin\": %zu, "
                      "\"cname_leaves_zone\": %zu},\n  \"failed\": %s,\n  \"findings\": [",
                      r->names, r->nanswers, r->below_cut, r->outside, r->chain_out,
                      r->failed ? "true" : "false");
        for (size_t i = 0; i < r->nfindings; i++) {
                const struct zonecheck_finding *f = &r->findings[i];
                struct strbuf msg;
                strbuf_puts(out, i ? ",\n    {" : "\n    {");
                json_answer_fields(&r->answers[f->answer], zf, out);
                strbuf_printf(out, ", \"limit\": %u, \"edns\": %s, \"size\": %zu, \"fit\": %zu, "
                              "\"strictest\": %s, \"message\": ",
                              r->limits[f->limit].bytes, r->limits[f->limit].edns ? "true" : "false",
                              f->size, f->fit, f->limit == 0 ? "true" : "false");
                strbuf_init(&msg);
                finding_message(r, zf->zone, f, &msg);
                strbuf_json_string(out, msg.data ? msg.data : "");
                strbuf_free(&msg);
                strbuf_puts(out, "}");
        }
        strbuf_puts(out, r->nfindings ? "\n  ]" : "]");
        if (all) {
                strbuf_puts(out, ",\n  \"all_answers\": [");
                for (size_t i = 0; i < r->nanswers; i++) {
                        strbuf_puts(out, i ? ",\n    {" : "\n    {");
                        json_answer_fields(&r->answers[i], zf, out);
                        strbuf_puts(out, "}");
                }
                strbuf_puts(out, r->nanswers ? "\n  ]" : "]");
        }
        strbuf_puts(out, "\n}\n");
}

void zonecheck_write(const struct zonecheck_report *r, const struct zonefile *zf, const char *path,
                     enum zonecheck_format format, bool all, struct strbuf *out)
{
        switch (format) {
        case ZONECHECK_FORMAT_JSON:
                write_json(r, zf, path, all, out);
                break;
        case ZONECHECK_FORMAT_GITHUB:
                write_github(r, zf, out);
                break;
        default:
                write_text(r, zf->zone, path, all, out);
        }
}

void zonecheck_summary(const struct zonecheck_report *r, const char *path, struct strbuf *out)
{
        strbuf_printf(out, "%s: %zu answers at %zu names checked%s:", path, r->nanswers, r->names,
                      r->responses == ZONECHECK_RESPONSES_FULL
                              ? " (full responses: authority NS and additional glue)" : "");
        for (size_t l = 0; l < r->nlimits; l++) {
                size_t n = 0;
                for (size_t i = 0; i < r->nfindings; i++)
                        n += r->findings[i].limit == l;
                strbuf_printf(out, "%s %zu over %u %s", l ? "," : "", n, r->limits[l].bytes,
                              r->limits[l].edns ? "with EDNS" : "without EDNS");
        }
        if (r->below_cut || r->outside || r->chain_out)
                strbuf_printf(out, "; not checked: %zu names at or below zone cuts, %zu outside the "
                              "origin, %zu whose CNAME chain leaves the zone",
                              r->below_cut, r->outside, r->chain_out);
        strbuf_puts(out, "\n");
}
