#include "harness/zone/scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "harness/zone/expect.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"
#include "harness/zone/grow.h"
#include "harness/zone/zonefile.h"

struct parse_state {
        struct scenario *sc;
        const char *path;
        unsigned line;
        unsigned args_col;      /* column of the directive's arguments (from 1) */
        char *err;
        size_t errlen;
        ldns_rdf *origin_rdf;
        ldns_rdf *prev_rdf;
};

static int parse_fail(struct parse_state *ps, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int parse_fail(struct parse_state *ps, const char *fmt, ...)
{
        char msg[384];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(ps->err, ps->errlen, "%s:%u: %s", ps->path, ps->line, msg);
        return -1;
}

/* Resolves a name relative to the origin ("api" -> "api.mixpanel.com."). */
static int parse_name(struct parse_state *ps, const char *text, uint8_t out[DNS_NAME_MAX],
                      size_t *outlen)
{
        char full[1100];
        size_t tl = strlen(text);

        if (strcmp(text, "@") == 0) {
                memcpy(out, ps->sc->origin, ps->sc->origin_len);
                *outlen = ps->sc->origin_len;
                return 0;
        }
        if (tl > 0 && text[tl - 1] == '.')
                snprintf(full, sizeof(full), "%s", text);
        else if (ps->sc->origin_len <= 1)
                snprintf(full, sizeof(full), "%s.", text);
        else {
                char origin[1024];
                wire_name_to_text(ps->sc->origin, ps->sc->origin_len, origin, sizeof(origin));
                snprintf(full, sizeof(full), "%s.%s", text, origin);
        }
        if (wire_name_from_text(full, out, outlen) < 0)
                return parse_fail(ps, "'%s' is not a valid domain name", text);
        return 0;
}

static int directive_origin(struct parse_state *ps, char *args)
{
        size_t l = strlen(args);
        if (l == 0 || args[l - 1] != '.')
                return parse_fail(ps, "origin: expected an absolute name ending in '.', got '%s'", args);
        if (wire_name_from_text(args, ps->sc->origin, &ps->sc->origin_len) < 0)
                return parse_fail(ps, "origin: '%s' is not a valid domain name", args);
        if (ps->origin_rdf)
                ldns_rdf_deep_free(ps->origin_rdf);
        ps->origin_rdf = ldns_dname_new_frm_str(args);
        if (!ps->origin_rdf)
                return parse_fail(ps, "origin: '%s' is not a valid domain name", args);
        memcpy(ps->sc->records->origin, ps->sc->origin, ps->sc->origin_len);
        ps->sc->records->origin_len = ps->sc->origin_len;
        return 0;
}

static int directive_set(struct parse_state *ps, char *args)
{
        char *save = NULL, msg[256];
        int any = 0;
        for (char *tok = strtok_r(args, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                any = 1;
                if (params_set_assignment(&ps->sc->defaults, tok, msg, sizeof(msg)) < 0)
                        return parse_fail(ps, "set: %s", msg);
        }
        if (!any)
                return parse_fail(ps, "set: expected key=value");
        return 0;
}

/* hi - lo for lo <= hi, without the signed overflow of e.g. LONG_MIN..0. */
static unsigned long range_span(long lo, long hi)
{
        return (unsigned long)hi - (unsigned long)lo;
}

/* Pushes lo, lo+step, ... up to hi (lo <= hi, step > 0), each validated as a
 * value of the sweep's key. Stops before v + step could pass hi, so that it
 * never overflows (ttl=10..10/9223372036854775807). The vector grows once
 * for the whole range, not once per value. */
static int push_range(struct parse_state *ps, struct scenario_sweep *sw,
                      struct point_params *scratch, long lo, long hi, long step)
{
        unsigned long span = range_span(lo, hi);
        size_t count = (size_t)(span / (unsigned long)step) + 1;
        char **values = realloc(sw->values, (sw->nvalues + count) * sizeof(*values));
        char msg[256];

        if (!values)
                return parse_fail(ps, "out of memory");
        sw->values = values;
        for (unsigned long k = 0;; k += (unsigned long)step) {
                char num[32];
                snprintf(num, sizeof(num), "%ld", (long)((unsigned long)lo + k));
                if (params_set(scratch, sw->key, num, msg, sizeof(msg)) < 0)
                        return parse_fail(ps, "sweep: %s", msg);
                if (!(sw->values[sw->nvalues] = strdup(num)))
                        return parse_fail(ps, "out of memory");
                sw->nvalues++;
                if (span - k < (unsigned long)step)
                        return 0;
        }
}

static int too_many_points(struct parse_state *ps, const struct scenario_sweep *sw)
{
        return parse_fail(ps, "sweep %s: the sweeps expand to more than %u points", sw->key,
                          SCENARIO_MAX_POINTS);
}

/* Expands "1..64", "1..64/4", "a,b,c" or a mix ("1..8,16,32") into at most
 * max_values values (checked before they are stored, so memory stays bounded). */
static int expand_values(struct parse_state *ps, struct scenario_sweep *sw, char *spec,
                         size_t max_values)
{
        char *save = NULL, msg[256];
        struct point_params scratch = ps->sc->defaults;

        for (char *item = strtok_r(spec, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
                char *dots;
                str_trim(item);   /* "8, 16": the value is "16", as reports print it */
                dots = strstr(item, "..");
                if (dots && params_key_is_numeric(sw->key)) {
                        long lo, hi, step = 1;
                        char *end;
                        *dots = '\0';
                        errno = 0;
                        lo = strtol(item, &end, 10);
                        if (*item == '\0' || *end)
                                return parse_fail(ps, "sweep %s: expected a range like 1..64, got '%s..'", sw->key, item);
                        hi = strtol(dots + 2, &end, 10);
                        if (end == dots + 2 || (*end && *end != '/'))
                                return parse_fail(ps, "sweep %s: expected a range like 1..64, got '..%s'", sw->key, dots + 2);
                        if (*end == '/') {
                                char *e2;
                                step = strtol(end + 1, &e2, 10);
                                if (*e2 || step <= 0)
                                        return parse_fail(ps, "sweep %s: expected a positive step after '/'", sw->key);
                        }
                        if (hi < lo || range_span(lo, hi) / (unsigned long)step > 100000)
                                return parse_fail(ps, "sweep %s: range %ld..%ld is empty or too large", sw->key, lo, hi);
                        if (range_span(lo, hi) / (unsigned long)step >= max_values - sw->nvalues)
                                return too_many_points(ps, sw);
                        if (push_range(ps, sw, &scratch, lo, hi, step) < 0)
                                return -1;
                        continue;
                }
                if (params_set(&scratch, sw->key, item, msg, sizeof(msg)) < 0)
                        return parse_fail(ps, "sweep: %s", msg);
                if (sw->nvalues >= max_values)
                        return too_many_points(ps, sw);
                if (strv_push(&sw->values, &sw->nvalues, item) < 0)
                        return parse_fail(ps, "out of memory");
        }
        if (sw->nvalues == 0)
                return parse_fail(ps, "sweep %s: no values", sw->key);
        return 0;
}

static int directive_sweep(struct parse_state *ps, char *args)
{
        struct scenario *sc = ps->sc;
        struct scenario_sweep *sw;
        char *eq = strchr(args, '=');
        /* the earlier sweeps' product is at most SCENARIO_MAX_POINTS, never 0 */
        size_t max_values = SCENARIO_MAX_POINTS / scenario_point_count(sc);

        if (!eq)
                return parse_fail(ps, "sweep: expected key=values (e.g. records=1..64)");
        *eq = '\0';
        str_trim(args);
        if (!params_is_key(args))
                return parse_fail(ps, "sweep: unknown parameter '%s'", args);
        if (scenario_find_sweep(sc, args))
                return parse_fail(ps, "sweep: '%s' is swept twice", args);
        sw = realloc(sc->sweeps, (sc->nsweeps + 1) * sizeof(*sw));
        if (!sw)
                return parse_fail(ps, "out of memory");
        sc->sweeps = sw;
        sw = &sc->sweeps[sc->nsweeps++];
        memset(sw, 0, sizeof(*sw));
        sw->line = ps->line;
        snprintf(sw->key, sizeof(sw->key), "%s", args);
        char *spec = eq + 1;
        str_trim(spec);
        return expand_values(ps, sw, spec, max_values);
}

/* What ldns accepts but a zone file may not hold: a TTL with garbage or over
 * 2^31-1, an unknown type, another class than IN (the answers are IN). */
static int check_rr_fields(struct parse_state *ps, const char *args)
{
        char copy[1024], *save = NULL, *tok;
        int field = 0;

        snprintf(copy, sizeof(copy), "%s", args);
        if (!strtok_r(copy, " \t", &save))   /* the owner */
                return 0;
        while ((tok = strtok_r(NULL, " \t", &save)) != NULL && field++ < 2) {
                uint32_t ttl;
                if (isdigit((unsigned char)*tok)) {
                        if (zonefile_parse_ttl(tok, &ttl) < 0)
                                return parse_fail(ps, "rr: %s in '%s'",
                                                  ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_TTL_ERR), args);
                        continue;
                }
                if (ldns_get_rr_class_by_name(tok) == 0)
                        break;
                if (ldns_get_rr_class_by_name(tok) != LDNS_RR_CLASS_IN)
                        return parse_fail(ps, "rr: class %s: only IN records are served, in '%s'", tok, args);
        }
        if (tok && ldns_get_rr_type_by_name(tok) == 0)
                return parse_fail(ps, "rr: %s in '%s'", ldns_get_errorstr_by_id(LDNS_STATUS_SYNTAX_TYPE_ERR), args);
        return 0;
}

static int directive_rr(struct parse_state *ps, char *args)
{
        ldns_rr *rr = NULL;
        ldns_buffer *buf = NULL;
        ldns_status st;
        int ret = -1;

        if (check_rr_fields(ps, args) < 0)
                return -1;
        st = ldns_rr_new_frm_str(&rr, args, (uint32_t)ps->sc->defaults.ttl, ps->origin_rdf,
                                 &ps->prev_rdf);
        if (st != LDNS_STATUS_OK) {
                parse_fail(ps, "rr: %s in '%s'", ldns_get_errorstr_by_id(st), args);
                goto cleanup;
        }
        buf = ldns_buffer_new(1024);
        if (!buf || ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
                parse_fail(ps, "rr: cannot encode '%s'", args);
                goto cleanup;
        }
        const ldns_rdf *owner = ldns_rr_owner(rr);
        if (zone_add_parts(ps->sc->records, ldns_rdf_data(owner), ldns_rdf_size(owner),
                           (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
                           ldns_buffer_begin(buf), ldns_buffer_position(buf)) < 0) {
                parse_fail(ps, "rr: record too large or out of memory");
                goto cleanup;
        }
        ps->sc->records->rrs[ps->sc->records->n - 1].class_ = (uint16_t)ldns_rr_get_class(rr);
        ret = 0;
cleanup:
        ldns_buffer_free(buf);
        ldns_rr_free(rr);
        return ret;
}

/* Splits "NAME [TYPE]" and resolves both. */
static int name_and_type(struct parse_state *ps, const char *what, char *args, uint8_t *name,
                         size_t *name_len, int *type, int default_type, int allow_addr)
{
        char absolute[1100];
        char *save = NULL;
        char *n = strtok_r(args, " \t", &save);
        char *t = strtok_r(NULL, " \t", &save);

        if (!n)
                return parse_fail(ps, "%s: expected a name", what);
        if (strtok_r(NULL, " \t", &save))
                return parse_fail(ps, "%s: expected NAME [TYPE]", what);
        /* query names are absolute, as typed to dig; grow names follow zone-file rules */
        if (allow_addr && n[strlen(n) - 1] != '.') {
                snprintf(absolute, sizeof(absolute), "%s.", n);
                n = absolute;
        }
        if (parse_name(ps, n, name, name_len) < 0)
                return -1;
        *type = default_type;
        if (t) {
                if (allow_addr && strcasecmp(t, "ADDR") == 0) {
                        *type = QTYPE_ADDR;
                } else {
                        *type = dns_type_from_string(t);
                        if (*type != DNS_TYPE_A && *type != DNS_TYPE_AAAA && *type != DNS_TYPE_TXT &&
                            (allow_addr ? *type < 0 : 1))
                                return parse_fail(ps, "%s: type '%s' is not %s", what, t,
                                                  allow_addr ? "a record type or ADDR" : "A, AAAA or TXT");
                }
        }
        return 0;
}

static int directive_grow(struct parse_state *ps, char *args)
{
        struct scenario *sc = ps->sc;
        struct scenario_grow *g = realloc(sc->grows, (sc->ngrows + 1) * sizeof(*g));
        if (!g)
                return parse_fail(ps, "out of memory");
        sc->grows = g;
        g = &sc->grows[sc->ngrows];
        memset(g, 0, sizeof(*g));
        g->line = ps->line;
        if (name_and_type(ps, "grow", args, g->name, &g->name_len, &g->type, 0, 0) < 0)
                return -1;
        sc->ngrows++;
        return 0;
}

static int directive_query(struct parse_state *ps, char *args)
{
        struct scenario *sc = ps->sc;
        struct scenario_query *q = realloc(sc->queries, (sc->nqueries + 1) * sizeof(*q));
        char text[1024];
        if (!q)
                return parse_fail(ps, "out of memory");
        sc->queries = q;
        q = &sc->queries[sc->nqueries];
        memset(q, 0, sizeof(*q));
        q->line = ps->line;
        if (name_and_type(ps, "query", args, q->name, &q->name_len, &q->qtype, DNS_TYPE_A, 1) < 0)
                return -1;
        wire_name_to_text(q->name, q->name_len, text, sizeof(text));
        q->text = strdup(text);
        if (!q->text)
                return parse_fail(ps, "out of memory");
        sc->nqueries++;
        return 0;
}

bool scenario_suite_name_ok(const char *name, char *why, size_t whylen)
{
        size_t n = strlen(name);
        if (n == 0 || n > SCENARIO_SUITE_MAX) {
                snprintf(why, whylen, "a suite name has 1 to %d characters, not %zu",
                         SCENARIO_SUITE_MAX, n);
                return false;
        }
        if (name[0] == '.' || name[0] == '-') {
                snprintf(why, whylen, "a suite name cannot start with '%c'", name[0]);
                return false;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) &&
                    c != '.' && c != '_' && c != '-') {
                        snprintf(why, whylen, c >= 0x20 && c < 0x7f ?
                                 "'%c' in a suite name (letters, digits, '.', '_' and '-' only: it "
                                 "names a folder under results/)" :
                                 "byte 0x%02x in a suite name (letters, digits, '.', '_' and '-' "
                                 "only: it names a folder under results/)", c);
                        return false;
                }
        }
        return true;
}

/* Text that goes into matrix.json as a string: valid UTF-8 only (RFC 3629:
 * no overlongs, no surrogates, nothing past U+10FFFF). */
static bool utf8_valid(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        while (*p) {
                unsigned c = *p, need, min;
                uint32_t cp;
                if (c < 0x80) {
                        p++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
                else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
                else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
                else return false;
                for (unsigned k = 1; k <= need; k++) {
                        if ((p[k] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (p[k] & 0x3f);
                }
                if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                        return false;
                p += need + 1;
        }
        return true;
}

static int directive_text(struct parse_state *ps, char **field, const char *what, char *args)
{
        char why[160];
        if (*args == '\0')
                return parse_fail(ps, "%s: expected text", what);
        if (!utf8_valid(args))
                return parse_fail(ps, "%s: not valid UTF-8", what);
        if (field == &ps->sc->suite && !scenario_suite_name_ok(args, why, sizeof(why)))
                return parse_fail(ps, "suite: %s", why);
        free(*field);
        *field = strdup(args);
        return *field ? 0 : parse_fail(ps, "out of memory");
}

/* An `expect` line: its grammar is harness/zone/expect.c. */
static int directive_expect(struct parse_state *ps, char *args)
{
        struct scenario *sc = ps->sc;
        struct expectation *e = realloc(sc->expects, (sc->nexpects + 1) * sizeof(*e));
        char msg[384];
        unsigned col = ps->args_col;

        if (!e)
                return parse_fail(ps, "out of memory");
        sc->expects = e;
        if (expect_parse(args, ps->line, ps->args_col, &sc->expects[sc->nexpects], &col, msg,
                         sizeof(msg)) < 0) {
                snprintf(ps->err, ps->errlen, "%s:%u:%u: expect: %s", ps->path, ps->line, col, msg);
                return -1;
        }
        sc->nexpects++;
        return 0;
}

/* Once every line is read: what an `expect` line names must exist. */
static int resolve_expects(struct parse_state *ps)
{
        char msg[384];
        unsigned col;

        for (size_t i = 0; i < ps->sc->nexpects; i++) {
                struct expectation *e = &ps->sc->expects[i];
                if (expect_resolve(e, ps->sc, &col, msg, sizeof(msg)) < 0) {
                        snprintf(ps->err, ps->errlen, "%s:%u:%u: expect: %s", ps->path, e->line,
                                 col, msg);
                        return -1;
                }
        }
        return 0;
}

static int parse_line(struct parse_state *ps, char *line)
{
        char *args;
        size_t lead = 0, args_lead = 0;

        str_strip_comment(line);
        while (isspace((unsigned char)line[lead]))
                lead++;
        str_trim(line);
        if (*line == '\0')
                return 0;
        args = line;
        while (*args && !isspace((unsigned char)*args))
                args++;
        if (*args)
                *args++ = '\0';
        while (isspace((unsigned char)args[args_lead]))
                args_lead++;
        ps->args_col = (unsigned)(lead + (size_t)(args - line) + args_lead + 1);
        str_trim(args);

        if (strcmp(line, "suite") == 0)
                return directive_text(ps, &ps->sc->suite, "suite", args);
        if (strcmp(line, "describe") == 0)
                return directive_text(ps, &ps->sc->description, "describe", args);
        if (strcmp(line, "origin") == 0)
                return directive_origin(ps, args);
        if (strcmp(line, "set") == 0)
                return directive_set(ps, args);
        if (strcmp(line, "sweep") == 0)
                return directive_sweep(ps, args);
        if (strcmp(line, "rr") == 0)
                return directive_rr(ps, args);
        if (strcmp(line, "grow") == 0)
                return directive_grow(ps, args);
        if (strcmp(line, "query") == 0)
                return directive_query(ps, args);
        if (strcmp(line, "expect") == 0)
                return directive_expect(ps, args);
        return parse_fail(ps, "unknown directive '%s' (expected suite, describe, origin, set, "
                          "sweep, rr, grow, query or expect)", line);
}

static char *suite_from_path(const char *path)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        char *s = strdup(base);
        if (s) {
                char *dot = strrchr(s, '.');
                if (dot && dot != s)
                        *dot = '\0';
        }
        return s;
}

int scenario_parse(const char *path, const char *text, struct scenario **out, char *err,
                   size_t errlen)
{
        struct parse_state ps = { .path = path, .err = err, .errlen = errlen };
        struct scenario *sc = calloc(1, sizeof(*sc));
        char *copy = strdup(text), *p;
        int ret = -1;

        *out = NULL;
        if (!sc || !copy) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        ps.sc = sc;
        sc->path = strdup(path);
        params_defaults(&sc->defaults);
        sc->origin[0] = 0;
        sc->origin_len = 1;
        sc->records = zone_new(sc->origin, sc->origin_len);
        ps.origin_rdf = ldns_dname_new_frm_str(".");
        if (!sc->path || !sc->records || !ps.origin_rdf) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        /* strsep keeps empty lines, so line numbers stay exact */
        p = copy;
        for (char *line; (line = strsep(&p, "\n")) != NULL;) {
                ps.line++;
                if (parse_line(&ps, line) < 0)
                        goto cleanup;
        }
        if (sc->nqueries == 0) {
                snprintf(err, errlen, "%s:%u: no query lines: a scenario needs at least one "
                         "'query NAME [TYPE]'", path, ps.line);
                goto cleanup;
        }
        if (resolve_expects(&ps) < 0)
                goto cleanup;
        if (!sc->suite) {
                char why[160];
                sc->suite = suite_from_path(path);
                if (sc->suite && !scenario_suite_name_ok(sc->suite, why, sizeof(why))) {
                        snprintf(err, errlen, "%s:1: no 'suite' line, and the file name does not "
                                 "make a suite name: %s", path, why);
                        goto cleanup;
                }
        }
        *out = sc;
        sc = NULL;
        ret = 0;
cleanup:
        if (ps.origin_rdf)
                ldns_rdf_deep_free(ps.origin_rdf);
        if (ps.prev_rdf)
                ldns_rdf_deep_free(ps.prev_rdf);
        free(copy);
        scenario_free(sc);
        return ret;
}

/* True when the zone's static records or grown names hold name, itself or
 * under a wildcard owner ("*.example.com."). */
static bool zone_holds(const struct scenario *sc, const uint8_t *name, size_t len)
{
        for (size_t g = 0; g < sc->ngrows; g++)
                if (wire_name_equal(sc->grows[g].name, sc->grows[g].name_len, name, len))
                        return true;
        for (size_t i = 0; i < sc->records->n; i++) {
                const struct zone_rr *rr = &sc->records->rrs[i];
                if (wire_name_equal(rr->owner, rr->owner_len, name, len))
                        return true;
                /* a wildcard: "\001*" then the suffix the name must end with, below it */
                if (rr->owner_len > 2 && rr->owner[0] == 1 && rr->owner[1] == '*') {
                        size_t suffix = rr->owner_len - 2, first = (size_t)name[0] + 1;
                        if (len > suffix && first <= len - suffix &&
                            wire_name_equal(rr->owner + 2, suffix, name + len - suffix, suffix))
                                return true;
                }
        }
        return false;
}

/* A query whose name the zone does not hold would only ever measure a
 * negative answer: a typo, unless an expect line names it (qname=NAME). */
static int check_query_names(const struct scenario *sc, char *err, size_t errlen)
{
        for (size_t q = 0; q < sc->nqueries; q++) {
                const struct scenario_query *sq = &sc->queries[q];
                bool allowed = zone_holds(sc, sq->name, sq->name_len);
                for (size_t e = 0; e < sc->nexpects && !allowed; e++)
                        allowed = expect_names_qname(&sc->expects[e], sq->text);
                if (!allowed) {
                        snprintf(err, errlen, "%s:%u: query: the zone holds no name '%s' (no rr "
                                 "or grow line); every answer would be negative. If that is the point, "
                                 "say what clients should do: 'expect ... when qname=%s'",
                                 sc->path, sq->line, sq->text, sq->text);
                        return -1;
                }
        }
        return 0;
}

int scenario_load(const char *path, struct scenario **out, char *err, size_t errlen)
{
        char *text = NULL;
        int ret;

        *out = NULL;
        if (file_read_all(path, &text, NULL, err, errlen) < 0)
                return -1;
        ret = scenario_parse(path, text, out, err, errlen);
        free(text);
        if (ret == 0 && check_query_names(*out, err, errlen) < 0) {
                scenario_free(*out);
                *out = NULL;
                ret = -1;
        }
        return ret;
}

void scenario_free(struct scenario *sc)
{
        if (!sc)
                return;
        for (size_t i = 0; i < sc->nsweeps; i++)
                strv_free(sc->sweeps[i].values, sc->sweeps[i].nvalues);
        for (size_t i = 0; i < sc->nqueries; i++)
                free(sc->queries[i].text);
        for (size_t i = 0; i < sc->nexpects; i++)
                expect_free(&sc->expects[i]);
        free(sc->expects);
        free(sc->sweeps);
        free(sc->grows);
        free(sc->queries);
        zone_free(sc->records);
        free(sc->path);
        free(sc->suite);
        free(sc->description);
        free(sc);
}

int scenario_apply_sets(struct scenario *sc, const char *const *sets, size_t n, char *err,
                        size_t errlen)
{
        for (size_t i = 0; i < n; i++) {
                const char *eq = strchr(sets[i], '=');
                char key[64];
                if (params_set_assignment(&sc->defaults, sets[i], err, errlen) < 0)
                        return -1;
                snprintf(key, sizeof(key), "%.*s", (int)(eq - sets[i]), sets[i]);
                for (size_t k = 0; k < sc->nsweeps; k++) {
                        struct scenario_sweep *sw = &sc->sweeps[k];
                        if (strcmp(sw->key, key) != 0)
                                continue;
                        strv_free(sw->values, sw->nvalues);
                        sw->values = NULL;
                        sw->nvalues = 0;
                        if (strv_push(&sw->values, &sw->nvalues, eq + 1) < 0) {
                                snprintf(err, errlen, "out of memory");
                                return -1;
                        }
                }
        }
        return 0;
}

const struct scenario_sweep *scenario_find_sweep(const struct scenario *sc, const char *key)
{
        for (size_t i = 0; i < sc->nsweeps; i++)
                if (strcmp(sc->sweeps[i].key, key) == 0)
                        return &sc->sweeps[i];
        return NULL;
}

size_t scenario_point_count(const struct scenario *sc)
{
        size_t n = 1;
        for (size_t i = 0; i < sc->nsweeps; i++)
                n *= sc->sweeps[i].nvalues;
        return n;
}

void scenario_point_params(const struct scenario *sc, size_t idx, struct point_params *out)
{
        char msg[256];
        *out = sc->defaults;
        for (size_t k = sc->nsweeps; k-- > 0;) {
                const struct scenario_sweep *sw = &sc->sweeps[k];
                /* values were validated at load time */
                params_set(out, sw->key, sw->values[idx % sw->nvalues], msg, sizeof(msg));
                idx /= sw->nvalues;
        }
}

struct zone *scenario_build_zone(const struct scenario *sc, const struct point_params *p,
                                 char *err, size_t errlen)
{
        struct zone *z = zone_new(sc->origin, sc->origin_len);

        if (!z)
                goto oom;
        for (size_t i = 0; i < sc->records->n; i++)
                if (zone_add(z, &sc->records->rrs[i]) < 0)
                        goto oom;
        for (size_t g = 0; g < sc->ngrows; g++) {
                const struct scenario_grow *gr = &sc->grows[g];
                if (grow_rrset(z, p, (unsigned)g, gr->name, gr->name_len,
                               gr->type ? gr->type : p->qtype, err, errlen) < 0) {
                        zone_free(z);
                        return NULL;
                }
        }
        return z;
oom:
        zone_free(z);
        snprintf(err, errlen, "out of memory building the zone");
        return NULL;
}
