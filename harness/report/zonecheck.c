#include "harness/report/zonecheck.h"
#include "harness/report/zonecheck-index.h"

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
#include "harness/util/grow.h"

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

/* ------------------------------------------------------------------ analysis */

struct run {
        const struct zone *z;
        struct zone_index ix;
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
        if (array_grow(&run->sel, &run->sel_cap, run->nsel, sizeof(*run->sel), 64) < 0)
                return -1;
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
        const struct name_run *nr = zone_index_find(&run->ix, name, len);
        for (int t = 0; nr && t < 2; t++) {
                size_t first = 0, n = zone_index_rrset(&run->ix, nr, t ? DNS_TYPE_AAAA : DNS_TYPE_A, &first);
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
        size_t n = zone_index_rrset(&run->ix, zone_index_find(&run->ix, run->z->origin, run->z->origin_len),
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

        if (array_grow(&r->answers, &run->answers_cap, r->nanswers, sizeof(*r->answers), 256) < 0)
                return -1;
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
                const struct existing *e = zone_index_existing(&run->ix, name + p, len - p);
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
                enum zone_match m = zone_index_match(&run->ix, final, *final_len, source, source_len);

                memcpy(seen[hops], final, *final_len);
                seen_len[hops] = *final_len;
                *source_run = m == ZONE_MATCH_NONE ? NULL : zone_index_find(&run->ix, source, *source_len);
                if (sel_witness(run, final, *final_len) < 0 ||
                    (*source_run && sel_add(run, (*source_run)->first_rr) < 0))
                        return -1;
                if (!zone_index_rrset(&run->ix, *source_run, DNS_TYPE_CNAME, &first))
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
        if (zone_index_below_cut(&run->ix, q->owner, q->owner_len)) {
                run->r->below_cut++;
                return 0;
        }
        run->nsel = 0;
        if (follow_chain(run, q->owner, q->owner_len, final, &final_len, source, &source_len, &fr,
                         &cnames) < 0)
                goto oom;
        if (cnames && (!zone_in_zone(z, final, final_len) || zone_index_below_cut(&run->ix, final, final_len))) {
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
                size_t first = 0, count = zone_index_rrset(&run->ix, fr, types[i], &first);
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
        if (zone_index_build(&run.ix, z) < 0)
                goto fail_msg;
        if (zone_index_rrset(&run.ix, zone_index_find(&run.ix, z->origin, z->origin_len), DNS_TYPE_SOA, &first))
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
        zone_index_free(&run.ix);
        return run.r;
fail_msg:
        snprintf(err, errlen, nlimits ? "out of memory" : "no limits");
fail:
        free(names);
        free(run.sel);
        free(run.sorted);
        free(run.view);
        zone_index_free(&run.ix);
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
