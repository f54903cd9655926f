/* check-zone: the zone file loader (every directive and type, every error
 * of tests/bad-input/zone/), the size analysis against answer_build and the
 * mixpanel-2016 scenario, the output formats, and the command's exit codes. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report/zonecheck.h"
#include "harness/util/strutil.h"
#include "harness/zone/answer.h"
#include "harness/zone/zonefile.h"
#include "tests/common/command.h"
#include "tests/unit/dnstest.h"

/* ---------------------------------------------------------------- helpers */

static char tmpdir[256];

/* Writes text to <tmpdir>/name and returns the path (static buffer per call site: copy it). */
static const char *write_tmp(const char *name, const char *text)
{
        static char path[512];
        FILE *f;

        if (!tmpdir[0]) {
                snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-check-zone.XXXXXX");
                CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
        }
        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
        return path;
}

static void customer_path(const char *name, char *out, size_t len)
{
        snprintf(out, len, "%s/scenarios/customers/%s", test_source_dir(), name);
}

static struct zonefile *tread(const char *path, const char *origin)
{
        struct zonefile *zf = NULL;
        char err[1024];
        if (zonefile_read(path, origin, &zf, err, sizeof(err)) < 0)
                printf("\n    %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(zf);
        return zf;
}

static struct zonecheck_report *tcheck(const struct zone *z, const char *limits)
{
        struct zonecheck_limit l[ZONECHECK_LIMITS_MAX];
        size_t n = zonecheck_default_limits(l);
        struct zonecheck_report *r;
        char err[512];

        if (limits)
                CU_ASSERT_EQUAL_FATAL(zonecheck_parse_limits(limits, l, &n, err, sizeof(err)), 0);
        r = zonecheck_run(z, l, n, err, sizeof(err));
        if (!r)
                printf("\n    %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        return r;
}

/* The analysed answer for (name, type), or NULL. */
static const struct zonecheck_answer *tfind(const struct zonecheck_report *r, const struct zone *z,
                                            const char *name, uint16_t qtype)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl = tname(name, n);
        for (size_t i = 0; i < r->nanswers; i++) {
                const struct zone_rr *q = &z->rrs[r->answers[i].qname_rr];
                if (r->answers[i].qtype == qtype && wire_name_equal(q->owner, q->owner_len, n, nl))
                        return &r->answers[i];
        }
        return NULL;
}

/* Index of the first record at name of type, or -1. */
static long trecord(const struct zone *z, const char *name, uint16_t type)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl = tname(name, n);
        for (size_t i = 0; i < z->n; i++)
                if (z->rrs[i].type == type && wire_name_equal(z->rrs[i].owner, z->rrs[i].owner_len, n, nl))
                        return (long)i;
        return -1;
}

static char *twrite(const struct zonecheck_report *r, const struct zonefile *zf, const char *path,
                    enum zonecheck_format f, bool all)
{
        struct strbuf b;
        strbuf_init(&b);
        zonecheck_write(r, zf, path, f, all, &b);
        CU_ASSERT_FALSE_FATAL(strbuf_failed(&b));
        return b.data ? b.data : strdup("");
}

/* ---------------------------------------------------------------- loader */

static const char *every_type_zone =
        "; every common type, and the syntax around them\n"
        "$ORIGIN Example.COM.\n"
        "$TTL 1h30m\n"
        "@ IN SOA ns1 hostmaster (\n"
        "        2024010101 ; serial\n"
        "        7200 900 1209600 300 )\n"
        "  IN NS ns1.example.net.\n"
        "  IN MX 10 Mail\n"
        "  IN TXT \"v=spf1 ; not a comment\" \"(nor a parenthesis\"\n"
        "  IN CAA 0 issue \"letsencrypt.org\"\n"
        "Www 300 IN A 192.0.2.1\n"
        "    IN 600 AAAA 2001:db8::1\n"
        "alias CNAME Www\n"
        "_sip._tcp SRV 10 60 5060 sip.example.net.\n"
        "ptr PTR www.example.net.\n"
        "https HTTPS 1 . alpn=h2\n"
        "tlsa TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
        "naptr NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp\n"
        "ds DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118\n"
        "sshfp SSHFP 1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac\n"
        "unk TYPE65534 \\# 3 010203\n"
        "$ORIGIN sub\n"
        "rel A 192.0.2.2\n";

static void test_load_every_type(void)
{
        const char *path = write_tmp("every.zone", every_type_zone);
        struct zonefile *zf = tread(path, NULL);
        const struct zone *z = zf->zone;
        char text[512];
        long i;

        CU_ASSERT_EQUAL(z->n, 17);
        wire_name_to_text(z->origin, z->origin_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "Example.COM.");  /* the SOA's owner, case kept */
        /* the SOA entry spans lines 4..6: its line is the first */
        CU_ASSERT_EQUAL(zf->src[0].line, 4);
        CU_ASSERT_EQUAL(z->rrs[0].type, DNS_TYPE_SOA);
        CU_ASSERT_EQUAL(z->rrs[0].ttl, 5400);
        /* MX rdata: preference, then the exchange uncompressed, case as written */
        i = trecord(z, "example.com.", DNS_TYPE_MX);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(zf->src[i].line, 8);
        CU_ASSERT_EQUAL(z->rrs[i].rdlen, 2 + 18);
        CU_ASSERT_EQUAL(memcmp(z->rrs[i].rdata, "\0\012\004Mail\007Example\003COM\0", 20), 0);
        /* quotes protect ';' and '(' */
        i = trecord(z, "example.com.", DNS_TYPE_TXT);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(z->rrs[i].rdlen, 1 + 22 + 1 + 18);
        /* a blank owner repeats the previous one; TTL and class in either order */
        i = trecord(z, "www.example.com.", DNS_TYPE_AAAA);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(z->rrs[i].ttl, 600);
        wire_name_to_text(z->rrs[i].owner, z->rrs[i].owner_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "Www.Example.COM.");
        CU_ASSERT_EQUAL(z->rrs[trecord(z, "www.example.com.", DNS_TYPE_A)].ttl, 300);
        CU_ASSERT(trecord(z, "_sip._tcp.example.com.", DNS_TYPE_SRV) >= 0);
        CU_ASSERT(trecord(z, "https.example.com.", 65) >= 0);
        CU_ASSERT(trecord(z, "tlsa.example.com.", 52) >= 0);
        CU_ASSERT(trecord(z, "naptr.example.com.", 35) >= 0);
        CU_ASSERT(trecord(z, "ds.example.com.", 43) >= 0);
        CU_ASSERT(trecord(z, "sshfp.example.com.", 44) >= 0);
        CU_ASSERT(trecord(z, "example.com.", 257) >= 0);
        i = trecord(z, "unk.example.com.", 65534);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(z->rrs[i].rdlen, 3);
        /* a relative $ORIGIN is relative to the current origin (RFC 1035 5.1) */
        i = trecord(z, "rel.sub.example.com.", DNS_TYPE_A);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(zf->src[i].line, 23);
        CU_ASSERT_STRING_EQUAL(zonefile_record_file(zf, (size_t)i), path);
        zonefile_free(zf);
}

static void test_load_include(void)
{
        char top[512];
        struct zonefile *zf;
        const struct zone *z;
        long i;

        write_tmp("part.inc", "; included\n@ A 192.0.2.10\n\nhost AAAA 2001:db8::10\n");
        snprintf(top, sizeof(top), "%s",
                 write_tmp("include.zone",
                           "$ORIGIN example.com.\n"
                           "before A 192.0.2.1\n"
                           "$INCLUDE part.inc inc\n"
                           "after A 192.0.2.3\n"
                           "  AAAA 2001:db8::3\n"));
        zf = tread(top, NULL);
        z = zf->zone;
        CU_ASSERT_EQUAL(z->n, 5);
        CU_ASSERT_EQUAL(zf->nfiles, 2);
        /* the include's origin is "inc" relative to example.com. */
        i = trecord(z, "inc.example.com.", DNS_TYPE_A);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(zonefile_record_line(zf, (size_t)i), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(zonefile_record_file(zf, (size_t)i), "/part.inc"));
        i = trecord(z, "host.inc.example.com.", DNS_TYPE_AAAA);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(zonefile_record_line(zf, (size_t)i), 4);
        /* after it the including file's origin and previous owner come back */
        i = trecord(z, "after.example.com.", DNS_TYPE_AAAA);
        CU_ASSERT_FATAL(i >= 0);
        CU_ASSERT_EQUAL(zonefile_record_line(zf, (size_t)i), 5);
        CU_ASSERT_STRING_EQUAL(zonefile_record_file(zf, (size_t)i), top);
        /* no SOA: the apex is the first $ORIGIN */
        CU_ASSERT_EQUAL(z->origin_len, 13);
        zonefile_free(zf);
}

static void test_load_origin(void)
{
        const char *path = write_tmp("noorigin.zone", "www A 192.0.2.1\n@ MX 10 www\n");
        struct zone *z = NULL;
        char err[512], text[256];

        /* without an origin relative names are an error; --origin supplies one */
        CU_ASSERT_EQUAL(zonefile_load(path, NULL, &z, err, sizeof(err)), -1);
        CU_ASSERT_PTR_NULL(z);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "noorigin.zone:1: relative name and no origin"));
        CU_ASSERT_EQUAL_FATAL(zonefile_load(path, "example.org", &z, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(z->n, 2);
        wire_name_to_text(z->origin, z->origin_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "example.org.");
        wire_name_to_text(z->rrs[1].owner, z->rrs[1].owner_len, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "example.org.");
        zone_free(z);
        /* an origin that is not a name */
        CU_ASSERT_EQUAL(zonefile_load(path, "a..b", &z, err, sizeof(err)), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "origin 'a..b'"));
        /* a file that does not exist: "path: reason" */
        CU_ASSERT_EQUAL(zonefile_load("/nonexistent/zone.db", NULL, &z, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "/nonexistent/zone.db: No such file or directory");
        /* an empty file is an empty zone */
        CU_ASSERT_EQUAL_FATAL(zonefile_load(write_tmp("empty.zone", "; nothing\n"), NULL, &z, err,
                                            sizeof(err)), 0);
        CU_ASSERT_EQUAL(z->n, 0);
        zone_free(z);
}

/* Every NAME.expected in tests/bad-input/zone/ holds the exact message for NAME.zone. */
static void test_bad_inputs(void)
{
        char dir[1024], prefix[1100];
        struct dirent *d;
        unsigned checked = 0;
        DIR *dh;

        snprintf(dir, sizeof(dir), "%s/tests/bad-input/zone", test_source_dir());
        snprintf(prefix, sizeof(prefix), "%s/", dir);
        dh = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dh);
        while ((d = readdir(dh))) {
                size_t nl = strlen(d->d_name);
                char zpath[2048], epath[2048], err[1024], got[1024] = "", *want = NULL;
                struct zone *z = NULL;
                size_t o = 0;

                if (nl < 10 || strcmp(d->d_name + nl - 9, ".expected") != 0)
                        continue;
                snprintf(epath, sizeof(epath), "%s/%s", dir, d->d_name);
                snprintf(zpath, sizeof(zpath), "%s/%.*s.zone", dir, (int)(nl - 9), d->d_name);
                CU_ASSERT_EQUAL_FATAL(file_read_all(epath, &want, NULL, err, sizeof(err)), 0);
                want[strcspn(want, "\n")] = '\0';
                CU_ASSERT_EQUAL(zonefile_load(zpath, NULL, &z, err, sizeof(err)), -1);
                zone_free(z);
                /* paths in the message are relative to the folder */
                for (const char *p = err; *p && o < sizeof(got) - 1;) {
                        if (strncmp(p, prefix, strlen(prefix)) == 0) {
                                p += strlen(prefix);
                                continue;
                        }
                        got[o++] = *p++;
                }
                got[o] = '\0';
                if (strcmp(got, want) != 0)
                        printf("\n    %s:\n      want %s\n      got  %s\n", d->d_name, want, got);
                CU_ASSERT_STRING_EQUAL(got, want);
                free(want);
                checked++;
        }
        closedir(dh);
        CU_ASSERT(checked >= 10);
}

/* ---------------------------------------------------------------- analysis */

static void test_limits(void)
{
        struct zonecheck_limit l[ZONECHECK_LIMITS_MAX];
        char err[256];
        size_t n;

        CU_ASSERT_EQUAL(zonecheck_default_limits(l), 2);
        CU_ASSERT_EQUAL(l[0].bytes, 512);
        CU_ASSERT_FALSE(l[0].edns);
        CU_ASSERT_EQUAL(l[1].bytes, 1232);
        CU_ASSERT_TRUE(l[1].edns);
        CU_ASSERT_EQUAL_FATAL(zonecheck_parse_limits("1452,512,1232,512", l, &n, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(n, 3);
        CU_ASSERT_EQUAL(l[0].bytes, 512);
        CU_ASSERT_EQUAL(l[2].bytes, 1452);
        CU_ASSERT_TRUE(l[2].edns);
        CU_ASSERT_EQUAL(zonecheck_parse_limits("513", l, &n, err, sizeof(err)), 0);
        CU_ASSERT_TRUE(l[0].edns);  /* above 512 only EDNS reaches */
        CU_ASSERT_EQUAL(zonecheck_parse_limits("abc", l, &n, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(zonecheck_parse_limits("512,,1232", l, &n, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(zonecheck_parse_limits("5", l, &n, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(zonecheck_parse_limits("70000", l, &n, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(zonecheck_parse_limits("512,", l, &n, err, sizeof(err)), -1);
}

static void test_customers_monday(void)
{
        char path[1024];
        struct zonefile *zf;
        struct zonecheck_report *r;
        const struct zonecheck_answer *a;
        const struct zonecheck_finding *f;

        customer_path("mixpanel-monday.zone", path, sizeof(path));
        zf = tread(path, NULL);
        r = tcheck(zf->zone, NULL);
        CU_ASSERT_TRUE(r->failed);
        CU_ASSERT_EQUAL(r->names, 4);
        CU_ASSERT_EQUAL_FATAL(r->nfindings, 1);
        f = &r->findings[0];
        a = &r->answers[f->answer];
        CU_ASSERT_PTR_EQUAL(a, tfind(r, zf->zone, "cdn.mixpanel.com.", DNS_TYPE_A));
        CU_ASSERT_EQUAL(a->size, 530);
        CU_ASSERT_EQUAL(a->size_edns, 541);
        CU_ASSERT_EQUAL(a->cnames, 1);
        CU_ASSERT_EQUAL(a->records, 29);
        CU_ASSERT_EQUAL(f->limit, 0);
        CU_ASSERT_EQUAL(f->size, 530);
        CU_ASSERT_EQUAL(f->fit, 27);
        /* the rest fits: api 498 bytes, and the CNAME's target alone exactly 512 */
        CU_ASSERT_EQUAL(tfind(r, zf->zone, "api.mixpanel.com.", DNS_TYPE_A)->size, 498);
        CU_ASSERT_EQUAL(tfind(r, zf->zone, "api-lb-us-east-1a.mixpanel.com.", DNS_TYPE_A)->size, 512);
        zonecheck_report_free(r);
        /* a limit above 512 is a stub with EDNS: checked with the OPT record.
         * 520: api 498+11 fits; api-lb 512+11 and cdn 530+11 do not */
        r = tcheck(zf->zone, "520");
        CU_ASSERT_TRUE(r->failed);
        CU_ASSERT_TRUE(r->limits[0].edns);
        CU_ASSERT_EQUAL_FATAL(r->nfindings, 2);
        for (size_t i = 0; i < 2; i++) {
                f = &r->findings[i];
                a = &r->answers[f->answer];
                CU_ASSERT_EQUAL(f->size, a->size_edns);
                if (a == tfind(r, zf->zone, "cdn.mixpanel.com.", DNS_TYPE_A)) {
                        CU_ASSERT_EQUAL(f->size, 541);
                        CU_ASSERT_EQUAL(f->fit, 27);   /* 12+22+32+27*16+11 = 509 */
                } else {
                        CU_ASSERT_PTR_EQUAL(a, tfind(r, zf->zone, "api-lb-us-east-1a.mixpanel.com.", DNS_TYPE_A));
                        CU_ASSERT_EQUAL(f->size, 523);
                        CU_ASSERT_EQUAL(f->fit, 28);   /* 12+36+28*16+11 = 507 */
                }
        }
        zonecheck_report_free(r);
        zonefile_free(zf);
}

static void test_customers_fixed(void)
{
        char path[1024];
        struct zonefile *zf;
        struct zonecheck_report *r;

        customer_path("mixpanel-fixed.zone", path, sizeof(path));
        zf = tread(path, NULL);
        r = tcheck(zf->zone, NULL);
        CU_ASSERT_FALSE(r->failed);
        CU_ASSERT_EQUAL(r->nfindings, 0);
        CU_ASSERT_EQUAL(tfind(r, zf->zone, "cdn.mixpanel.com.", DNS_TYPE_A)->size, 498);
        CU_ASSERT_EQUAL(tfind(r, zf->zone, "cdn.mixpanel.com.", DNS_TYPE_A)->records, 27);
        zonecheck_report_free(r);
        zonefile_free(zf);
}

/* The sizes are the fake server's: scenarios/mixpanel-2016.scn points. */
static void test_sizes_match_scenario(void)
{
        char path[1024];
        const char *zones[2] = { "mixpanel-monday.zone", "mixpanel-fixed.zone" };
        const int records[2] = { 29, 27 };

        for (int k = 0; k < 2; k++) {
                struct point *pt = tmixpanel_point(records[k], NULL);
                const struct answer *scn = tanswer(pt, "cdn.mixpanel.com.", DNS_TYPE_A);
                struct zonefile *zf;
                struct zonecheck_report *r;

                customer_path(zones[k], path, sizeof(path));
                zf = tread(path, NULL);
                r = tcheck(zf->zone, NULL);
                CU_ASSERT_EQUAL(scn->len, records[k] == 29 ? 530 : 498);
                CU_ASSERT_EQUAL(tfind(r, zf->zone, "cdn.mixpanel.com.", DNS_TYPE_A)->size, scn->len);
                CU_ASSERT_EQUAL(tfind(r, zf->zone, "api-lb-us-east-1a.mixpanel.com.", DNS_TYPE_A)->size,
                                tanswer(pt, "api-lb-us-east-1a.mixpanel.com.", DNS_TYPE_A)->len);
                if (records[k] == 29)
                        CU_ASSERT_EQUAL(tfind(r, zf->zone, "api.mixpanel.com.", DNS_TYPE_A)->size,
                                        tanswer(pt, "api.mixpanel.com.", DNS_TYPE_A)->len);
                zonecheck_report_free(r);
                zonefile_free(zf);
                point_free(pt);
        }
}

static const char *analysis_zone =
        "$ORIGIN example.com.\n"
        "$TTL 300\n"
        "@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n"
        "  NS ns1.example.net.\n"
        "  MX 10 mail\n"
        "www CNAME web\n"
        "web CNAME lb\n"
        "lb A 192.0.2.80\n"
        "   A 192.0.2.81\n"
        "   AAAA 2001:db8::80\n"
        "mail A 192.0.2.25\n"
        "ext CNAME www.example.net.\n"
        "toDeleg CNAME host.sub\n"
        "loop1 CNAME loop2\n"
        "loop2 CNAME loop1\n"
        "dangling CNAME nothere\n"
        "*.wild A 192.0.2.99\n"
        "cdn CNAME x.edge\n"
        "*.edge A 192.0.2.1\n"
        "*.edge A 192.0.2.2\n"
        "wc CNAME y.wcn\n"
        "*.wcn CNAME lb\n"
        "dup A 192.0.2.7\n"
        "dup 60 A 192.0.2.7\n"
        "ent CNAME a.b.deep\n"
        "x.a.b.deep A 192.0.2.9\n"
        "deepnx CNAME y.b.deep\n"
        "sub NS ns.sub\n"
        "ns.sub A 192.0.2.100\n"
        "elsewhere.org. A 192.0.2.200\n";

/* Each answer equals answer_build on the whole zone (the views are exact),
 * and each finding's fit is the largest prefix of the final RRset that fits. */
static void check_against_full_zone(const struct zone *z, const struct zonecheck_report *r)
{
        struct point_params p;
        params_defaults(&p);
        for (size_t i = 0; i < r->nanswers; i++) {
                const struct zonecheck_answer *a = &r->answers[i];
                const struct zone_rr *q = &z->rrs[a->qname_rr];
                struct answer *full = answer_build(z, &p, q->owner, q->owner_len, a->qtype);
                CU_ASSERT_PTR_NOT_NULL_FATAL(full);
                if (full->len != a->size) {
                        char text[300];
                        wire_name_to_text(q->owner, q->owner_len, text, sizeof(text));
                        printf("\n    %s type %u: %zu bytes, full zone %zu\n", text, a->qtype, a->size,
                               full->len);
                }
                CU_ASSERT_EQUAL(full->len, a->size);
                CU_ASSERT_EQUAL(full->cnames, a->cnames);
                CU_ASSERT_EQUAL(full->ancount - full->cnames, a->records);
                for (size_t f = 0; f < r->nfindings; f++) {
                        const struct zonecheck_finding *fi = &r->findings[f];
                        size_t opt = r->limits[fi->limit].edns ? DNS_OPT_RR_LEN : 0;
                        if (fi->answer != i)
                                continue;
                        if (a->records == 0) {
                                CU_ASSERT_EQUAL(fi->fit, 0);
                                continue;
                        }
                        CU_ASSERT(fi->fit < a->records);
                        if (fi->fit > 0)
                                CU_ASSERT(full->rr_end[a->cnames + fi->fit - 1] + opt <= r->limits[fi->limit].bytes);
                        CU_ASSERT(full->rr_end[a->cnames + fi->fit] + opt > r->limits[fi->limit].bytes);
                }
                answer_free(full);
        }
}

static void test_analysis_matches_answer_build(void)
{
        struct zonefile *zf;
        const struct zone *z;
        struct zonecheck_report *r;
        const struct zonecheck_answer *a;
        struct strbuf b;

        /* big: a TXT record of one 255-byte string (301 bytes with the header
         * and question), then a short one */
        strbuf_init(&b);
        strbuf_puts(&b, analysis_zone);
        strbuf_puts(&b, "big TXT \"");
        for (int i = 0; i < 255; i++)
                strbuf_puts(&b, "x");
        strbuf_puts(&b, "\"\n    TXT \"second\"\n");
        CU_ASSERT_FALSE_FATAL(strbuf_failed(&b));
        zf = tread(write_tmp("analysis.zone", b.data), NULL);
        strbuf_free(&b);
        z = zf->zone;
        r = tcheck(z, "100,200,300,512,600");

        check_against_full_zone(z, r);
        /* what is not analysed, and why */
        CU_ASSERT_EQUAL(r->below_cut, 2);      /* sub, ns.sub */
        CU_ASSERT_EQUAL(r->outside, 1);        /* elsewhere.org. */
        CU_ASSERT_EQUAL(r->chain_out, 2);      /* ext, toDeleg */
        CU_ASSERT_PTR_NULL(tfind(r, z, "ns.sub.example.com.", DNS_TYPE_A));
        CU_ASSERT_PTR_NULL(tfind(r, z, "ext.example.com.", DNS_TYPE_A));
        /* the apex: the stub types, then NS and SOA; never CNAME */
        CU_ASSERT_PTR_NOT_NULL(tfind(r, z, "example.com.", DNS_TYPE_SOA));
        CU_ASSERT_PTR_NOT_NULL(tfind(r, z, "example.com.", DNS_TYPE_NS));
        CU_ASSERT_PTR_NOT_NULL(tfind(r, z, "example.com.", 257));
        CU_ASSERT_PTR_NULL(tfind(r, z, "www.example.com.", DNS_TYPE_CNAME));
        /* a chain: the end's types */
        a = tfind(r, z, "www.example.com.", DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->cnames, 2);
        CU_ASSERT_EQUAL(a->records, 2);
        a = tfind(r, z, "www.example.com.", DNS_TYPE_TXT);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->records, 0);
        CU_ASSERT_EQUAL(a->final_rr, SIZE_MAX);
        /* a CNAME into a wildcard-owned set; through a wildcard CNAME */
        a = tfind(r, z, "cdn.example.com.", DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT(a->cnames == 1 && a->records == 2);
        a = tfind(r, z, "wc.example.com.", DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT(a->cnames == 2 && a->records == 2);
        /* a record listed twice (TTLs differ) is served once */
        a = tfind(r, z, "dup.example.com.", DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT(a->records == 1 && a->size == 12 + 21 + 16);
        /* big TXT: 1 record over 300, none fits; 2 records at 512 */
        a = tfind(r, z, "big.example.com.", DNS_TYPE_TXT);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->records, 2);
        CU_ASSERT_EQUAL(a->size, 320);
        for (size_t f = 0; f < r->nfindings; f++)
                if (&r->answers[r->findings[f].answer] == a)
                        CU_ASSERT(r->limits[r->findings[f].limit].bytes <= 300 && r->findings[f].fit == 0);
        CU_ASSERT_TRUE(r->failed);
        zonecheck_report_free(r);
        zonefile_free(zf);
}

/* A generated zone of a few thousand names: same answers as answer_build. */
static void test_analysis_generated(void)
{
        struct strbuf b;
        struct zonefile *zf;
        struct zonecheck_report *r;

        strbuf_init(&b);
        strbuf_puts(&b, "$ORIGIN gen.example.\n@ SOA ns. host. 1 2 3 4 5\n");
        for (int i = 0; i < 1500; i++) {
                if (i % 7 == 3)
                        strbuf_printf(&b, "n%d CNAME N%d\n", i, i - 1);
                else if (i % 11 == 5)
                        for (int k = 0; k < 35; k++) {
                                if (k == 0)
                                        strbuf_printf(&b, "n%d", i);
                                strbuf_printf(&b, " A 10.%d.%d.%d\n", i / 256, i % 256, k);
                        }
                else
                        strbuf_printf(&b, "n%d A 10.0.%d.%d\n  AAAA 2001:db8::%x\n  MX %d n%d\n",
                                      i, i / 256, i % 256, i, i % 20, (i + 1) % 1500);
        }
        CU_ASSERT_FALSE_FATAL(strbuf_failed(&b));
        zf = tread(write_tmp("generated.zone", b.data), NULL);
        strbuf_free(&b);
        r = tcheck(zf->zone, NULL);
        CU_ASSERT(r->nanswers > 1500 * 6);
        CU_ASSERT(r->nfindings > 0);
        check_against_full_zone(zf->zone, r);
        zonecheck_report_free(r);
        zonefile_free(zf);
}

/* ---------------------------------------------------------------- output */

static void test_output_formats(void)
{
        char path[1024];
        struct zonefile *zf;
        struct zonecheck_report *r;
        struct strbuf s;
        char *out;

        customer_path("mixpanel-monday.zone", path, sizeof(path));
        zf = tread(path, NULL);
        r = tcheck(zf->zone, NULL);
        out = twrite(r, zf, "zone.db", ZONECHECK_FORMAT_TEXT, false);
        CU_ASSERT_STRING_EQUAL(out, "zone.db: cdn.mixpanel.com. A: 530 bytes without EDNS > 512 "
                                    "(CNAME chain 1, 29 A records; at most 27 fit)\n");
        free(out);
        out = twrite(r, zf, "zone.db", ZONECHECK_FORMAT_TEXT, true);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "zone.db: api.mixpanel.com. A: 498 bytes without EDNS, "
                                           "509 with EDNS (29 A records; within every limit)\n"));
        free(out);
        /* github: at the first A record behind the CNAME (file and line of the RRset) */
        out = twrite(r, zf, "zone.db", ZONECHECK_FORMAT_GITHUB, false);
        {
                char want[2048];
                long first = trecord(zf->zone, "api-lb-us-east-1a.mixpanel.com.", DNS_TYPE_A);
                CU_ASSERT_FATAL(first >= 0);
                snprintf(want, sizeof(want), "::error file=%s,line=%u::cdn.mixpanel.com. A: 530 bytes "
                         "without EDNS > 512 (CNAME chain 1, 29 A records; at most 27 fit)\n",
                         path, zf->src[first].line);
                CU_ASSERT_STRING_EQUAL(out, want);
        }
        free(out);
        out = twrite(r, zf, "zone.db", ZONECHECK_FORMAT_JSON, true);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"failed\": true"));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"name\": \"cdn.mixpanel.com.\", \"type\": \"A\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"size_without_edns\": 530, \"size_with_edns\": 541, "
                                           "\"cname_chain\": 1, \"records\": 29, "
                                           "\"final_name\": \"api-lb-us-east-1a.mixpanel.com.\", "
                                           "\"limit\": 512, \"edns\": false, \"size\": 530, \"fit\": 27"));
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"all_answers\": ["));
        free(out);
        strbuf_init(&s);
        zonecheck_summary(r, "zone.db", &s);
        CU_ASSERT_STRING_EQUAL(s.data, "zone.db: 26 answers at 4 names checked: 1 over 512 without "
                                       "EDNS, 0 over 1232 with EDNS\n");
        strbuf_free(&s);
        zonecheck_report_free(r);
        zonefile_free(zf);
        CU_ASSERT_EQUAL(zonecheck_format_from_string("GitHub"), ZONECHECK_FORMAT_GITHUB);
        CU_ASSERT_EQUAL(zonecheck_format_from_string("yaml"), ZONECHECK_FORMAT_INVALID);
}

/* ---------------------------------------------------------------- the command */

static void run_cli(const char *const *args, struct cmd_result *r)
{
        char exe[1024];
        const char *argv[16];
        size_t n = 0;

        snprintf(exe, sizeof(exe), "%s/stubcompat", test_build_dir());
        argv[n++] = exe;
        argv[n++] = "check-zone";
        for (; args[n - 2] && n < 15; n++)
                argv[n] = args[n - 2];
        argv[n] = NULL;
        cmd_run(argv, 30000, r);
}

/* api.mixpanel.com CNAME api.edge, *.edge owning `records` A records,
 * each listed `copies` times. */
static const char *wildcard_zone(int records, int copies)
{
        static char text[8192];
        size_t n = (size_t)snprintf(text, sizeof(text),
                                    "$ORIGIN mixpanel.com.\n$TTL 300\n"
                                    "@ SOA ns1.example.net. admin.example.net. 1 3600 600 86400 300\n"
                                    "  NS ns1.example.net.\n"
                                    "api CNAME api.edge\n");
        for (int c = 0; c < copies; c++)
                for (int i = 1; i <= records && n < sizeof(text) - 64; i++)
                        n += (size_t)snprintf(text + n, sizeof(text) - n, "*.edge A 10.0.0.%d\n", i);
        return text;
}

static void test_cli_exit_codes(void)
{
        char monday[1024], fixed[1024], bad[1024], exe[1024];
        struct cmd_result r;

        snprintf(exe, sizeof(exe), "%s/stubcompat", test_build_dir());
        if (access(exe, X_OK) != 0)
                TEST_SKIP("%s not built", exe);
        customer_path("mixpanel-monday.zone", monday, sizeof(monday));
        customer_path("mixpanel-fixed.zone", fixed, sizeof(fixed));
        snprintf(bad, sizeof(bad), "%s/tests/bad-input/zone/bad-ttl.zone", test_source_dir());

        run_cli(SP_LIST(monday), &r);
        SP_CHECK(r.status == 1, &r);
        SP_CHECK(strstr(r.out, ": cdn.mixpanel.com. A: 530 bytes without EDNS > 512") != NULL, &r);
        SP_CHECK(strstr(r.err, "1 over 512 without EDNS") != NULL, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(fixed), &r);
        SP_CHECK(r.status == 0 && r.out[0] == '\0', &r);
        cmd_result_free(&r);
        /* only the strictest limit decides: 541 bytes with OPT fit 1232 */
        run_cli(SP_LIST(monday, "--limit", "1232"), &r);
        SP_CHECK(r.status == 0, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(monday, "--format", "json"), &r);
        SP_CHECK(r.status == 1 && strstr(r.out, "\"fit\": 27") != NULL, &r);
        cmd_result_free(&r);
        /* 30 A records owned by a wildcard behind a CNAME: 537 bytes */
        run_cli(SP_LIST(write_tmp("wildcard.zone", wildcard_zone(30, 1))), &r);
        SP_CHECK(r.status == 1, &r);
        SP_CHECK(strstr(r.out, ": api.mixpanel.com. A: 537 bytes without EDNS > 512 (CNAME chain 1, "
                               "30 A records; at most 28 fit)") != NULL, &r);
        cmd_result_free(&r);
        /* 28 records each listed three times fit: 505 bytes */
        run_cli(SP_LIST(write_tmp("duplicates.zone", wildcard_zone(28, 3))), &r);
        SP_CHECK(r.status == 0 && r.out[0] == '\0', &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(bad), &r);
        SP_CHECK(r.status == 2, &r);
        SP_CHECK(strstr(r.err, "bad-ttl.zone:5: Syntax error, could not parse the RR's TTL") != NULL, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(monday, "--limit", "x"), &r);
        SP_CHECK(r.status == 2, &r);
        cmd_result_free(&r);
        /* the full model: the NS RRset and glue make answers bigger, never smaller */
        run_cli(SP_LIST(monday, "--responses", "full", "--format", "json"), &r);
        SP_CHECK(r.status == 1 && strstr(r.out, "\"responses\": \"full\"") != NULL, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(monday, "--responses", "most"), &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "--responses: expected minimal|full") != NULL, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST(monday, "--format", "yaml"), &r);
        SP_CHECK(r.status == 2, &r);
        cmd_result_free(&r);
        run_cli(SP_LIST("--help"), &r);
        SP_CHECK(r.status == 0 && strstr(r.out, "--limit") != NULL, &r);
        cmd_result_free(&r);
}

static void cleanup_tmp(void)
{
        char cmd[512];
        if (!tmpdir[0])
                return;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
        static const struct test_case loader[] = {
                { "every type and directive", test_load_every_type },
                { "$INCLUDE with an origin", test_load_include },
                { "origins", test_load_origin },
                { "bad inputs and their messages", test_bad_inputs },
                { NULL, NULL },
        };
        static const struct test_case analysis[] = {
                { "limits", test_limits },
                { "mixpanel-monday.zone fails", test_customers_monday },
                { "mixpanel-fixed.zone passes", test_customers_fixed },
                { "sizes match the scenario points", test_sizes_match_scenario },
                { "answers match answer_build on the zone", test_analysis_matches_answer_build },
                { "a generated zone", test_analysis_generated },
                { "output formats", test_output_formats },
                { "exit codes", test_cli_exit_codes },
                { NULL, NULL },
        };
        static const struct test_suite suites[] = {
                { "zonefile", loader },
                { "zonecheck", analysis },
                { NULL, NULL },
        };
        int ret = test_main(argc, argv, "check-zone", suites);
        cleanup_tmp();
        return ret;
}
