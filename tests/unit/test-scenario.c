/* The scenario parser: the shipped mixpanel-2016 suite, the point order of
 * sweeps, every error form ("path:line: message"), the parameter table, and
 * the content grow_rrset generates (CNAME chains and their sizes). */
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "harness/zone/grow.h"
#include "tests/unit/dnstest.h"

/* The line of the shipped file that starts with prefix (0 when none). */
static unsigned mixpanel_line(const char *prefix)
{
        char path[1024], line[512];
        unsigned n = 0;
        FILE *f;

        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        f = fopen(path, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        while (fgets(line, sizeof(line), f)) {
                n++;
                if (strncmp(line, prefix, strlen(prefix)) == 0) {
                        fclose(f);
                        return n;
                }
        }
        fclose(f);
        return 0;
}

static void test_load_mixpanel(void)
{
        struct scenario *sc = tload_mixpanel();
        const struct scenario_sweep *sw = scenario_find_sweep(sc, "records");
        char text[256];

        CU_ASSERT_EQUAL(scenario_point_count(sc), 64);
        CU_ASSERT_STRING_EQUAL(sc->suite, "mixpanel-2016");
        CU_ASSERT_PTR_NOT_NULL(strstr(sc->description, "32-byte CNAME"));
        wire_name_to_text(sc->origin, sc->origin_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "mixpanel.com.");
        CU_ASSERT_EQUAL_FATAL(sc->nqueries, 2);
        CU_ASSERT_STRING_EQUAL(sc->queries[0].text, "api.mixpanel.com.");
        CU_ASSERT_EQUAL(sc->queries[0].qtype, DNS_TYPE_A);
        CU_ASSERT_STRING_EQUAL(sc->queries[1].text, "cdn.mixpanel.com.");
        CU_ASSERT_EQUAL_FATAL(sc->ngrows, 2);
        wire_name_to_text(sc->grows[1].name, sc->grows[1].name_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "api-lb-us-east-1a.mixpanel.com.");
        CU_ASSERT_EQUAL(sc->grows[1].type, 0);
        CU_ASSERT_EQUAL_FATAL(sc->records->n, 1);
        CU_ASSERT_EQUAL(sc->records->rrs[0].type, DNS_TYPE_CNAME);
        CU_ASSERT_EQUAL(sc->records->rrs[0].ttl, 60);
        CU_ASSERT_EQUAL(sc->defaults.truncation, TRUNCATION_TC_EMPTY);
        CU_ASSERT_TRUE(sc->defaults.ra);
        CU_ASSERT_FALSE(sc->defaults.aa);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
        CU_ASSERT_EQUAL(sw->line, mixpanel_line("sweep records=1..64"));
        CU_ASSERT_EQUAL_FATAL(sw->nvalues, 64);
        CU_ASSERT_STRING_EQUAL(sw->values[0], "1");
        CU_ASSERT_STRING_EQUAL(sw->values[63], "64");
        CU_ASSERT_EQUAL(sc->queries[0].line, mixpanel_line("query api.mixpanel.com"));
        CU_ASSERT_EQUAL(sc->grows[0].line, mixpanel_line("grow api "));
        CU_ASSERT_NOT_EQUAL(sc->grows[0].line, 0);
        scenario_free(sc);
}

static struct scenario *parse_ok(const char *text)
{
        struct scenario *sc = NULL;
        char err[512];
        if (scenario_parse("t.scn", text, &sc, err, sizeof(err)) < 0)
                fprintf(stderr, "\n      %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        return sc;
}

static void test_point_order(void)
{
        struct scenario *sc = parse_ok("query a.example.\nsweep records=1..3\n"
                                       "sweep truncation=tc-empty,cut\n");
        static const struct { int records; enum truncation t; } want[] = {
                { 1, TRUNCATION_TC_EMPTY }, { 1, TRUNCATION_CUT }, { 2, TRUNCATION_TC_EMPTY },
                { 2, TRUNCATION_CUT }, { 3, TRUNCATION_TC_EMPTY }, { 3, TRUNCATION_CUT },
        };
        CU_ASSERT_EQUAL_FATAL(scenario_point_count(sc), 6);
        for (size_t i = 0; i < 6; i++) {
                struct point_params p;
                scenario_point_params(sc, i, &p);
                CU_ASSERT_EQUAL(p.records, want[i].records);
                CU_ASSERT_EQUAL(p.truncation, want[i].t);
                CU_ASSERT_EQUAL(p.ttl, 60);   /* untouched defaults */
        }
        scenario_free(sc);
}

static void test_sweep_forms(void)
{
        struct scenario *sc = parse_ok("query a.example.\nsweep records=0..16/4\n"
                                       "sweep cname_depth=1..3,8,16\n");
        const struct scenario_sweep *r = scenario_find_sweep(sc, "records");
        const struct scenario_sweep *c = scenario_find_sweep(sc, "cname_depth");
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL_FATAL(r->nvalues, 5);
        CU_ASSERT_STRING_EQUAL(r->values[4], "16");
        CU_ASSERT_EQUAL_FATAL(c->nvalues, 5);
        CU_ASSERT_STRING_EQUAL(c->values[3], "8");
        CU_ASSERT_STRING_EQUAL(c->values[4], "16");
        CU_ASSERT_EQUAL(scenario_point_count(sc), 25);
        CU_ASSERT_PTR_NULL(scenario_find_sweep(sc, "ttl"));
        scenario_free(sc);
        /* a step that ends past hi stops at the last value in range */
        /* blanks after a comma are not part of the value */
        sc = parse_ok("query a.example.\nsweep truncation=cut, tc-empty\nsweep ttl=1 ,2\n");
        CU_ASSERT_STRING_EQUAL(sc->sweeps[0].values[1], "tc-empty");
        CU_ASSERT_STRING_EQUAL(sc->sweeps[1].values[0], "1");
        scenario_free(sc);
        sc = parse_ok("query a.example.\nsweep records=1..10/4\n");
        CU_ASSERT_EQUAL(scenario_point_count(sc), 3);
        scenario_free(sc);
        /* a step that would overflow a long (used to wrap and fail the sweep) */
        sc = parse_ok("query a.example.\nsweep ttl=10..10/9223372036854775807\n");
        CU_ASSERT_EQUAL(scenario_point_count(sc), 1);
        scenario_free(sc);
        sc = parse_ok("query a.example.\nsweep ttl=2147483646..2147483647/9223372036854775807\n");
        CU_ASSERT_EQUAL(scenario_point_count(sc), 1);
        scenario_free(sc);
}

/* Parsing text must fail with want: the whole message, or its start when
 * want ends in "...". */
static void expect_error(const char *text, const char *want)
{
        struct scenario *sc = (struct scenario *)&sc;
        char err[512] = "";
        size_t wl = strlen(want);
        bool prefix = wl > 3 && strcmp(want + wl - 3, "...") == 0;

        CU_ASSERT_EQUAL(scenario_parse("t.scn", text, &sc, err, sizeof(err)), -1);
        CU_ASSERT_PTR_NULL(sc);
        if (prefix ? strncmp(err, want, wl - 3) != 0 : strcmp(err, want) != 0) {
                fprintf(stderr, "\n      got  '%s'\n      want '%s'\n", err, want);
                CU_FAIL("scenario error message");
        }
        scenario_free(sc);
}

static void test_err_directives(void)
{
        expect_error("query a.example.\nbogus 1\n",
                     "t.scn:2: unknown directive 'bogus' (expected suite, describe, origin, set, "
                     "sweep, rr, grow...");
        expect_error("suite\nquery a.example.\n", "t.scn:1: suite: expected text");
        expect_error("origin example.com\n", "t.scn:1: origin: expected an absolute name "
                     "ending in '.', got 'example.com'");
        expect_error("set\n", "t.scn:1: set: expected key=value");
        expect_error("set recrods=3\n", "t.scn:1: set: unknown parameter 'recrods' (did you mean 'records'?)");
        expect_error("set records\n", "t.scn:1: set: expected key=value, got 'records'");
        expect_error("set records=abc\n",
                     "t.scn:1: set: records: expected an integer in 0..4096, got 'abc'");
        expect_error("set records=4097\n",
                     "t.scn:1: set: records: expected an integer in 0..4096, got '4097'");
        expect_error("set ra=1 truncation=foo\n", "t.scn:1: set: truncation: expected "
                     "tc-empty|tc-partial|overflow|cut|cut-notc, got 'foo'");
        expect_error("set aa=maybe\n", "t.scn:1: set: aa: expected 1 or 0, got 'maybe'");
        expect_error("set qtype=MX\n", "t.scn:1: set: qtype: expected A, AAAA or TXT, got 'MX'");
        expect_error("set rcode=bogus\n", "t.scn:1: set: rcode: expected an rcode name "
                     "(servfail, refused, ...) or 0..15, got 'bogus'");
}

static void test_err_sweeps(void)
{
        expect_error("sweep records=\n", "t.scn:1: sweep records: no values");
        expect_error("sweep records=64..1\n",
                     "t.scn:1: sweep records: range 64..1 is empty or too large");
        expect_error("sweep records=a..b\n",
                     "t.scn:1: sweep records: expected a range like 1..64, got 'a..'");
        expect_error("sweep records=1..x\n",
                     "t.scn:1: sweep records: expected a range like 1..64, got '..x'");
        expect_error("sweep records=1..8/0\n",
                     "t.scn:1: sweep records: expected a positive step after '/'");
        expect_error("sweep records=4090..5000\n",
                     "t.scn:1: sweep: records: expected an integer in 0..4096, got '4097'");
        expect_error("sweep records=0..1000000\n",
                     "t.scn:1: sweep records: range 0..1000000 is empty or too large");
        /* the span of this range overflows a long */
        expect_error("sweep ttl=-9223372036854775807..9223372036854775807\n",
                     "t.scn:1: sweep ttl: range -9223372036854775807..9223372036854775807 "
                     "is empty or too large");
        expect_error("sweep truncation=cut,nope\n", "t.scn:1: sweep: truncation: expected "
                     "tc-empty|tc-partial|overflow|cut|cut-notc, got 'nope'");
        expect_error("sweep bogus=1\n", "t.scn:1: sweep: unknown parameter 'bogus'");
        expect_error("sweep records\n",
                     "t.scn:1: sweep: expected key=values (e.g. records=1..64)");
        expect_error("sweep records=1..2\nsweep ttl=1\nsweep records=3\n",
                     "t.scn:3: sweep: 'records' is swept twice");
        /* 2^64 points used to wrap the point count to 0 */
        expect_error("sweep delay_ms=0..65535\nsweep udp_drop_above=0..65535\n",
                     "t.scn:2: sweep udp_drop_above: the sweeps expand to more than "
                     "1000000 points");
        /* one value too many, in a list after a range */
        expect_error("sweep records=0..999\nsweep ttl=0..998,5000,6000\n",
                     "t.scn:2: sweep ttl: the sweeps expand to more than 1000000 points");
        /* a range is checked whole, before any of its values is stored */
        expect_error("sweep records=0..999\nsweep ttl=1,0..99999\n",
                     "t.scn:2: sweep ttl: the sweeps expand to more than 1000000 points");
}

static void test_sweep_max_points(void)
{
        struct scenario *sc = parse_ok("query a.example.\nsweep records=0..999\n"
                                       "sweep ttl=1000..1999\n");
        struct point_params p;
        CU_ASSERT_EQUAL(scenario_point_count(sc), SCENARIO_MAX_POINTS);
        scenario_point_params(sc, SCENARIO_MAX_POINTS - 1, &p);
        CU_ASSERT_EQUAL(p.records, 999);
        CU_ASSERT_EQUAL(p.ttl, 1999);
        scenario_point_params(sc, 1001, &p);
        CU_ASSERT_EQUAL(p.records, 1);
        CU_ASSERT_EQUAL(p.ttl, 1001);
        scenario_free(sc);
}

/* The rr error carries ldns's own text for the same record. */
static void test_err_rr(void)
{
        static const char *const bad[] = {
                "api 60 IN A 300.1.1.1", "api 60 IN MX mail",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                ldns_rr *rr = NULL;
                ldns_rdf *origin = ldns_dname_new_frm_str("example.com.");
                ldns_status st = ldns_rr_new_frm_str(&rr, bad[i], 60, origin, NULL);
                char text[256], want[512];
                CU_ASSERT_NOT_EQUAL(st, LDNS_STATUS_OK);
                snprintf(text, sizeof(text), "origin example.com.\n\nrr %s\nquery a.example.\n",
                         bad[i]);
                snprintf(want, sizeof(want), "t.scn:3: rr: %s in '%s'",
                         ldns_get_errorstr_by_id(st), bad[i]);
                expect_error(text, want);
                ldns_rr_free(rr);
                ldns_rdf_deep_free(origin);
        }
        /* checked before ldns, which would blame the rdata */
        expect_error("origin example.com.\n\nrr api 60 IN BOGUSTYPE 1\nquery a.example.\n",
                     "t.scn:3: rr: Syntax error, could not parse the RR's type in 'api 60 IN BOGUSTYPE 1'");
        expect_error("origin example.com.\n\nrr api 60 CH TXT \"x\"\nquery a.example.\n",
                     "t.scn:3: rr: class CH: only IN records are served, in 'api 60 CH TXT \"x\"'");
}

static void test_err_names(void)
{
        char long_label[65], text[512], want[512];

        memset(long_label, 'x', 64);
        long_label[64] = '\0';
        snprintf(text, sizeof(text), "origin example.com.\ngrow %s\n", long_label);
        snprintf(want, sizeof(want), "t.scn:2: '%s' is not a valid domain name", long_label);
        expect_error(text, want);
        snprintf(text, sizeof(text), "query %s.example.com A\n", long_label);
        snprintf(want, sizeof(want), "t.scn:1: '%s.example.com.' is not a valid domain name",
                 long_label);
        expect_error(text, want);
        snprintf(text, sizeof(text), "origin %s.\n", long_label);
        snprintf(want, sizeof(want), "t.scn:1: origin: '%s.' is not a valid domain name",
                 long_label);
        expect_error(text, want);
        expect_error("query a..example.\n", "t.scn:1: 'a..example.' is not a valid domain name");
        expect_error("origin example.com.\ngrow api MX\n",
                     "t.scn:2: grow: type 'MX' is not A, AAAA or TXT");
        expect_error("origin example.com.\ngrow api A extra\n",
                     "t.scn:2: grow: expected NAME [TYPE]");
        expect_error("grow\n", "t.scn:1: grow: expected a name");
        expect_error("query a.example. BOGUS\n",
                     "t.scn:1: query: type 'BOGUS' is not a record type or ADDR");
}

static void test_err_no_queries(void)
{
        /* the line is the one after the last: the end of the file */
        expect_error("origin example.com.\ngrow api\n", "t.scn:3: no query lines: a scenario "
                     "needs at least one 'query NAME [TYPE]'");
        expect_error("", "t.scn:1: no query lines: a scenario needs at least one "
                     "'query NAME [TYPE]'");
}

/* Comments and blank lines count as lines. */
static void test_line_numbers(void)
{
        const char *text = "# a comment\n"
                           "\n"
                           "   \t \n"
                           "set records=2   # a trailing comment\n"
                           "describe text with a#hash inside\n"
                           "query a.example. ADDR\n"
                           "\n"
                           "bogus\n";
        struct scenario *sc;

        expect_error(text, "t.scn:8: unknown directive 'bogus' (expected ...");
        sc = parse_ok("# c\n\nset records=2 # c\ndescribe a#b\nquery a.example. ADDR\n");
        CU_ASSERT_EQUAL(sc->defaults.records, 2);
        CU_ASSERT_STRING_EQUAL(sc->description, "a#b");
        CU_ASSERT_EQUAL(sc->queries[0].line, 5);
        CU_ASSERT_EQUAL(sc->queries[0].qtype, QTYPE_ADDR);
        CU_ASSERT_STRING_EQUAL(sc->suite, "t");   /* from the path */
        scenario_free(sc);
}

/* A value other than the default for every key; a key missing here fails. */
static const struct { const char *key, *value; } other_values[] = {
        { "records", "30" }, { "cname_depth", "3" }, { "qtype", "AAAA" },
        { "txt_bytes", "300" }, { "truncation", "cut-notc" }, { "server_udp_max", "1400" },
        { "edns", "formerr" }, { "edns_size", "4096" }, { "tcp", "split" }, { "ra", "0" },
        { "aa", "1" }, { "rcode", "servfail" }, { "udp_drop_above", "1452" },
        { "delay_ms", "250" }, { "drop_first", "2" }, { "compression", "0" }, { "ttl", "0" },
        { "path", "unbound" },
};
#define NOTHER (sizeof(other_values) / sizeof(other_values[0]))

static const char *other_value(const char *key)
{
        for (size_t i = 0; i < NOTHER; i++)
                if (strcmp(other_values[i].key, key) == 0)
                        return other_values[i].value;
        return NULL;
}

static void test_params_roundtrip(void)
{
        CU_ASSERT_EQUAL(params_key_count(), NOTHER);
        CU_ASSERT_PTR_NULL(params_key_name(params_key_count()));
        for (size_t i = 0; i < params_key_count(); i++) {
                const char *key = params_key_name(i), *v = other_value(key);
                struct point_params p, d;
                char before[64], after[64], err[256];

                CU_ASSERT_PTR_NOT_NULL_FATAL(v);
                CU_ASSERT_TRUE(params_is_key(key));
                params_defaults(&p);
                d = p;
                CU_ASSERT_EQUAL(params_get(&p, key, before, sizeof(before)), 0);
                CU_ASSERT_STRING_NOT_EQUAL(before, v);
                CU_ASSERT_EQUAL(params_set(&p, key, v, err, sizeof(err)), 0);
                CU_ASSERT_EQUAL(params_get(&p, key, after, sizeof(after)), 0);
                CU_ASSERT_STRING_EQUAL(after, v);
                /* every other key kept its default */
                for (size_t j = 0; j < params_key_count(); j++) {
                        char a[64], b[64];
                        if (j == i)
                                continue;
                        params_get(&p, params_key_name(j), a, sizeof(a));
                        params_get(&d, params_key_name(j), b, sizeof(b));
                        CU_ASSERT_STRING_EQUAL(a, b);
                }
                /* and the default prints back to itself */
                CU_ASSERT_EQUAL(params_set(&p, key, before, err, sizeof(err)), 0);
                CU_ASSERT_EQUAL(params_get(&p, key, after, sizeof(after)), 0);
                CU_ASSERT_STRING_EQUAL(after, before);
        }
}

static void test_params_misc(void)
{
        struct point_params p;
        char buf[64], err[256];

        params_defaults(&p);
        CU_ASSERT_EQUAL(params_get(&p, "bogus", buf, sizeof(buf)), -1);
        CU_ASSERT_FALSE(params_is_key("bogus"));
        CU_ASSERT_TRUE(params_key_is_numeric("records"));
        CU_ASSERT_FALSE(params_key_is_numeric("truncation"));
        CU_ASSERT_FALSE(params_key_is_numeric("ra"));
        CU_ASSERT_EQUAL(params_set_assignment(&p, "ra=off", err, sizeof(err)), 0);
        CU_ASSERT_FALSE(p.ra);
        CU_ASSERT_EQUAL(params_set_assignment(&p, "=1", err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "expected key=value, got '=1'");
        CU_ASSERT_EQUAL(params_set(&p, "rcode", "3", err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(p.rcode, DNS_RCODE_NXDOMAIN);
        CU_ASSERT_EQUAL(params_set(&p, "rcode", "12", err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(params_get(&p, "rcode", buf, sizeof(buf)), 0);
        CU_ASSERT_STRING_EQUAL(buf, "12");   /* no mnemonic: the number */
        CU_ASSERT_EQUAL(params_set(&p, "edns_size", "511", err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(params_set(&p, "records", "", err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(params_set(&p, "records", "99999999999999999999", err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(truncation_from_string("tc-partial"), TRUNCATION_TC_PARTIAL);
        CU_ASSERT_EQUAL(truncation_from_string("TC-PARTIAL"), TRUNCATION_INVALID);
        CU_ASSERT_PTR_NULL(truncation_to_string(TRUNCATION_MAX));
        CU_ASSERT_STRING_EQUAL(edns_mode_to_string(EDNS_IGNORE), "ignore");
        CU_ASSERT_EQUAL(tcp_mode_from_string("blackhole"), TCP_MODE_BLACKHOLE);
}

/* ---------------------------------------------------------------- grow */

/* Each generated CNAME hop costs 17 bytes compressed: pointer owner (2), type,
 * class, ttl, rdlength (10), "c<k>" (3) and a pointer to the grown name (2). */
static void test_grow_cname_depth(void)
{
        struct scenario *sc = parse_ok("origin mixpanel.com.\nset records=29\ngrow api\n"
                                       "query api.mixpanel.com A\nsweep cname_depth=0..5\n");
        for (size_t d = 0; d <= 5; d++) {
                struct point_params p;
                char err[256], text[256], want[64];
                scenario_point_params(sc, d, &p);
                CU_ASSERT_EQUAL(p.cname_depth, (int)d);
                struct point *pt = point_new(sc, d, &p, err, sizeof(err));
                CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
                const struct answer *a = tanswer(pt, "api.mixpanel.com.", DNS_TYPE_A);
                CU_ASSERT_EQUAL(a->len, 498 + 17 * d);
                CU_ASSERT_EQUAL(a->cnames, d);
                CU_ASSERT_EQUAL(a->ancount, 29 + d);
                CU_ASSERT_EQUAL(a->naddrs, 29);
                wire_name_to_text(a->final_name, a->final_len, text, sizeof(text));
                if (d)
                        snprintf(want, sizeof(want), "c%zu.api.mixpanel.com.", d);
                else
                        snprintf(want, sizeof(want), "api.mixpanel.com.");
                CU_ASSERT_STRING_EQUAL(text, want);
                CU_ASSERT_EQUAL(pt->zone->n, 29 + d);
                point_free(pt);
        }
        scenario_free(sc);
}

/* The chain itself: api -> c1.api -> c2.api -> c3.api, records at c3.api. */
static void test_grow_chain_names(void)
{
        uint8_t api[DNS_NAME_MAX];
        size_t al = tname("api.mixpanel.com.", api);
        struct zone *z = zone_new(api + 4, al - 4);
        struct point_params p;
        char err[256], owner[256], target[256], want[64];

        params_defaults(&p);
        p.cname_depth = 3;
        p.records = 2;
        CU_ASSERT_EQUAL_FATAL(grow_rrset(z, &p, 0, api, al, DNS_TYPE_A, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(z->n, 5);
        for (unsigned k = 0; k < 3; k++) {
                CU_ASSERT_EQUAL(z->rrs[k].type, DNS_TYPE_CNAME);
                wire_name_to_text(z->rrs[k].owner, z->rrs[k].owner_len, owner, sizeof(owner));
                wire_name_to_text(z->rrs[k].rdata, z->rrs[k].rdlen, target, sizeof(target));
                snprintf(want, sizeof(want), k ? "c%u.api.mixpanel.com." : "api.mixpanel.com.", k);
                CU_ASSERT_STRING_EQUAL(owner, want);
                snprintf(want, sizeof(want), "c%u.api.mixpanel.com.", k + 1);
                CU_ASSERT_STRING_EQUAL(target, want);
                CU_ASSERT_EQUAL(z->rrs[k].ttl, 60);
        }
        wire_name_to_text(z->rrs[4].owner, z->rrs[4].owner_len, owner, sizeof(owner));
        CU_ASSERT_STRING_EQUAL(owner, "c3.api.mixpanel.com.");
        CU_ASSERT_EQUAL(z->rrs[4].rdlen, 4);
        CU_ASSERT_EQUAL(memcmp(z->rrs[4].rdata, "\012\001\000\002", 4), 0);
        zone_free(z);
}

static void test_grow_content(void)
{
        uint8_t out[16], name[DNS_NAME_MAX];
        size_t nl = tname("t.example.", name), cl;
        struct zone *z = zone_new(name, nl);
        struct point_params p;
        char err[256];

        grow_address(DNS_TYPE_A, 0, 300, out);
        CU_ASSERT_EQUAL(memcmp(out, "\012\001\001\054", 4), 0);      /* 10.1.1.44 */
        grow_address(DNS_TYPE_AAAA, 1, 5, out);
        CU_ASSERT_EQUAL(memcmp(out, "\040\001\015\270\000\002", 6), 0);  /* 2001:db8:2:: */
        CU_ASSERT_EQUAL(out[15], 5);
        {
                uint8_t chain[DNS_NAME_MAX];
                CU_ASSERT_EQUAL(grow_chain_name(name, nl, 12, chain, &cl), 0);
                CU_ASSERT_EQUAL(cl, nl + 4);
                CU_ASSERT_EQUAL(memcmp(chain, "\003c12\001t", 6), 0);
        }
        params_defaults(&p);
        p.records = 3;
        p.txt_bytes = 300;
        CU_ASSERT_EQUAL_FATAL(grow_rrset(z, &p, 0, name, nl, DNS_TYPE_TXT, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(z->n, 3);
        CU_ASSERT_EQUAL(z->rrs[0].rdlen, 302);
        CU_ASSERT_EQUAL(z->rrs[0].rdata[0], 255);
        CU_ASSERT_EQUAL(z->rrs[0].rdata[256], 45);
        p.txt_bytes = 10;
        CU_ASSERT_EQUAL_FATAL(grow_rrset(z, &p, 1, name, nl, DNS_TYPE_TXT, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(z->rrs[3].rdlen, 11);
        CU_ASSERT_NOT_EQUAL(memcmp(z->rrs[3].rdata, z->rrs[4].rdata, 11), 0);  /* distinct */
        CU_ASSERT_EQUAL(grow_rrset(z, &p, 2, name, nl, DNS_TYPE_MX, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "grow: type must be A, AAAA or TXT");
        zone_free(z);
}

static void test_grow_chain_too_long(void)
{
        char text[300];
        uint8_t name[DNS_NAME_MAX], out[DNS_NAME_MAX];
        size_t nl, ol;
        struct zone *z;
        struct point_params p;
        char err[256];

        /* 63+63+63+59 text bytes: a 253-byte name; "c1." adds 3 */
        memset(text, 'a', 249 + 3);
        text[63] = text[127] = text[191] = '.';
        text[251] = '.';
        text[252] = '\0';
        nl = tname(text, name);
        CU_ASSERT_EQUAL(nl, 253);
        CU_ASSERT_EQUAL(grow_chain_name(name, nl, 1, out, &ol), -1);
        z = zone_new(name, nl);
        params_defaults(&p);
        p.cname_depth = 1;
        CU_ASSERT_EQUAL(grow_rrset(z, &p, 0, name, nl, DNS_TYPE_A, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "cname chain name too long");
        zone_free(z);
}

static const struct test_case parse_tests[] = {
        { "load-mixpanel-64-points", test_load_mixpanel },
        { "point-order-last-fastest", test_point_order },
        { "sweep-forms", test_sweep_forms },
        { "sweep-max-points", test_sweep_max_points },
        { "line-numbers", test_line_numbers },
        { NULL, NULL },
};

static const struct test_case error_tests[] = {
        { "directives-and-set", test_err_directives },
        { "sweeps", test_err_sweeps },
        { "rr-ldns-text", test_err_rr },
        { "names-and-types", test_err_names },
        { "no-queries", test_err_no_queries },
        { NULL, NULL },
};

static const struct test_case params_tests[] = {
        { "roundtrip-every-key", test_params_roundtrip },
        { "misc", test_params_misc },
        { NULL, NULL },
};

static const struct test_case grow_tests[] = {
        { "cname-depth-17-bytes", test_grow_cname_depth },
        { "chain-names", test_grow_chain_names },
        { "content", test_grow_content },
        { "chain-too-long", test_grow_chain_too_long },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "parse", parse_tests },
        { "errors", error_tests },
        { "params", params_tests },
        { "grow", grow_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "scenario", suites);
}
