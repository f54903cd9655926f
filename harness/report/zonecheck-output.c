/* check-zone's report as text, GitHub annotations or JSON (zonecheck_write)
 * and its one-line summary. */
#include "harness/report/zonecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "harness/wire/dns.h"
#include "harness/wire/reader.h"

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
