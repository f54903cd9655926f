/* The fake nameserver against dig and kdig over UDP: the Mixpanel sizes,
 * every truncation policy, EDNS handling, header flags and the network-path
 * parameters. Each test starts `stubcompat serve` on a port of its own
 * (port 0) and checks both what the client printed and the server's own
 * exchange lines. TCP behaviours: test-server-tcp.c; c-ares:
 * test-server-cares.c; the CLI's safety rules: test-serve-cli.c.
 *
 * What the clients did here (dig 9.18.49, kdig 3.2.6), as asserted below:
 * - cut (TC=1, datagram cut at 512 mid-record): dig +ignore prints the 29
 *   whole records under a header announcing 30, with "WARNING: Message has 2
 *   extra bytes at end"; plain dig retries over TCP. kdig rejects the
 *   datagram ("malformed reply packet", exit 1) and never retries over TCP,
 *   with or without +ignore: it parses before it looks at TC.
 * - cut-notc: dig keeps the 512-byte datagram (29 records printed, no TCP);
 *   kdig fails as for cut.
 * - tc-partial: both keep the 29 whole records with +ignore and retry over
 *   TCP without it.
 * - edns=formerr: dig 9.18 does not retry without EDNS; it prints FORMERR and
 *   "WARNING: EDNS query returned status FORMERR - retry with '+noedns'". */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"
#define CDN "cdn.mixpanel.com"

/* Starts the server or fails the test. */
#define START(sp, ...) do { \
        (sp) = serverproc_start(SCN, SP_LIST(__VA_ARGS__), NULL); \
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp); \
} while (0)

static bool need(const char *program)
{
        return cmd_available(program);
}

#define NEED(program) do { if (!need(program)) TEST_SKIP("%s not installed", program); } while (0)

/* ---------------------------------------------------------------- the sizes */

/* 29 A records: 12 + 22 + 29 * 16 = 498 bytes, whole over UDP without EDNS. */
static void test_api_29_records_fit(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=29");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+ignore"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.ancount == 29 && d.answer_lines == 29, &r);
        SP_CHECK(d.msg_size == 498, &r);
        SP_CHECK(!d.tc && !d.opt && d.ra && strcmp(d.status, "NOERROR") == 0, &r);
        SP_CHECK(strcmp(d.transport, "UDP") == 0, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 498, 0, 29, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* 30 records need 514 bytes: tc-empty answers TC with no records (34 bytes);
 * dig without +ignore then gets all 30 over TCP. */
static void test_api_30_records_tc_then_tcp(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=30", "truncation=tc-empty");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+ignore"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.tc && d.ancount == 0 && d.answer_lines == 0, &r);
        SP_CHECK(d.msg_size == 34 && !d.retried_tcp, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        cmd_result_free(&r);

        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.retried_tcp && strcmp(d.transport, "TCP") == 0, &r);
        SP_CHECK(!d.tc && d.ancount == 30 && d.answer_lines == 30 && d.msg_size == 514, &r);
        EXPECT_EXCHANGE(sp, 1, "udp", 34, 1, 0, "tc-empty");
        EXPECT_EXCHANGE(sp, 2, "tcp", 514, 0, 30, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* Behind the 32-byte CNAME: 27 A records = 12 + 22 + 32 + 27 * 16 = 498. */
static void test_cdn_27_records_fit(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=27");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+ignore"), CDN, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(!d.tc && d.msg_size == 498, &r);
        SP_CHECK(d.ancount == 28 && d.answer_lines == 28, &r);    /* CNAME + 27 A */
        SP_CHECK(strstr(r.out, "CNAME\tapi-lb-us-east-1a.mixpanel.com.") != NULL, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 498, 0, 28, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_cdn_28_records_truncate(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=28");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+ignore"), CDN, "A", &r, &d);
        SP_CHECK(d.tc && d.ancount == 0 && d.msg_size == 34, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        cmd_result_free(&r);

        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), CDN, "A", &r, &d);
        SP_CHECK(d.retried_tcp && d.ancount == 29 && d.msg_size == 514, &r);
        EXPECT_EXCHANGE(sp, 2, "tcp", 514, 0, 29, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- truncation policies */

/* What dig and kdig show for api.mixpanel.com A with 30 records (514 bytes)
 * and no EDNS, under one truncation policy. */
struct truncation_case {
        const char *policy;
        /* the UDP datagram, from the server's log and dig +ignore */
        long udp_bytes;
        int udp_tc;
        int udp_records;          /* whole records in the datagram */
        int header_ancount;       /* as the header announces */
        /* without +ignore */
        bool dig_retries_tcp;
        bool kdig_parses;         /* false: kdig rejects the datagram */
};

static const struct truncation_case truncation_cases[] = {
        { "tc-empty",   34,  1, 0,  0,  true,  true },
        { "tc-partial", 498, 1, 29, 29, true,  true },
        { "overflow",   514, 0, 30, 30, false, true },
        { "cut",        512, 1, 29, 30, true,  false },
        { "cut-notc",   512, 0, 29, 30, false, false },
};

static void check_dig_truncation(const struct truncation_case *c, struct serverproc *sp)
{
        struct cmd_result r;
        struct dig_reply d;

        /* +ignore: the UDP datagram as it came */
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+ignore", "+time=1", "+tries=1"),
                  API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.msg_size == c->udp_bytes && d.tc == (c->udp_tc == 1), &r);
        SP_CHECK(d.ancount == c->header_ancount && d.answer_lines == c->udp_records, &r);
        SP_CHECK(!d.retried_tcp && strcmp(d.transport, "UDP") == 0, &r);
        if (c->udp_bytes == 512)   /* a cut record: dig says so */
                SP_CHECK(strstr(r.out, "extra bytes at end") != NULL, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", c->udp_bytes, c->udp_tc, c->udp_records, c->policy);
        cmd_result_free(&r);

        /* default: TCP after TC */
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+time=1", "+tries=1"), API, "A",
                  &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.retried_tcp == c->dig_retries_tcp, &r);
        if (c->dig_retries_tcp) {
                SP_CHECK(!d.tc && d.msg_size == 514 && d.answer_lines == 30, &r);
                SP_CHECK(strcmp(d.transport, "TCP") == 0, &r);
                EXPECT_EXCHANGE(sp, 1, "udp", c->udp_bytes, c->udp_tc, -1, c->policy);
                EXPECT_EXCHANGE(sp, 2, "tcp", 514, 0, 30, "");
        } else {
                SP_CHECK(d.msg_size == c->udp_bytes && d.answer_lines == c->udp_records, &r);
                SP_CHECK(strcmp(d.transport, "UDP") == 0, &r);
                EXPECT_EXCHANGE(sp, 1, "udp", c->udp_bytes, c->udp_tc, -1, c->policy);
                CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), 0);
        }
        cmd_result_free(&r);
}

static void check_kdig_truncation(const struct truncation_case *c, struct serverproc *sp)
{
        struct cmd_result r;
        struct dig_reply d;
        size_t before_tcp = serverproc_count(sp, "tcp", NULL), before;

        /* +ignore: kdig keeps the UDP reply */
        dig_query("kdig", serverproc_port(sp), SP_LIST("+noedns", "+ignore", "+timeout=1", "+retry=0"),
                  API, "A", &r, &d);
        if (c->kdig_parses) {
                SP_CHECK(r.status == 0, &r);
                SP_CHECK(d.msg_size == c->udp_bytes && d.tc == (c->udp_tc == 1), &r);
                SP_CHECK(d.ancount == c->header_ancount && d.answer_lines == c->udp_records, &r);
        } else {
                SP_CHECK(r.status != 0 && !d.have_header, &r);
                SP_CHECK(strstr(r.out, "malformed reply packet") || strstr(r.err, "malformed reply packet"), &r);
        }
        cmd_result_free(&r);

        /* default: kdig retries over TCP after a TC it could parse */
        /* dig's two queries (plus its TCP retry), then kdig's one */
        before = serverproc_wait_exchanges(sp, c->dig_retries_tcp ? 4 : 3, 5000);
        dig_query("kdig", serverproc_port(sp), SP_LIST("+noedns", "+timeout=1", "+retry=0"), API, "A",
                  &r, &d);
        if (!c->kdig_parses) {
                /* the cut datagram is rejected before TC is looked at */
                SP_CHECK(r.status != 0 && !d.have_header && !d.retried_tcp, &r);
                CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), before_tcp);
        } else if (c->udp_tc) {
                SP_CHECK(r.status == 0 && d.retried_tcp && strcmp(d.transport, "TCP") == 0, &r);
                SP_CHECK(d.msg_size == 514 && d.answer_lines == 30, &r);
                serverproc_wait_exchanges(sp, before + 2, 5000);
                CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), before_tcp + 1);
        } else {
                SP_CHECK(r.status == 0 && !d.retried_tcp && d.msg_size == c->udp_bytes, &r);
                SP_CHECK(strcmp(d.transport, "UDP") == 0, &r);
        }
        cmd_result_free(&r);
}

static void run_truncation_case(size_t i)
{
        const struct truncation_case *c = &truncation_cases[i];
        char set[64];
        struct serverproc *sp;

        NEED("dig");
        snprintf(set, sizeof(set), "truncation=%s", c->policy);
        START(sp, "records=30", set);
        check_dig_truncation(c, sp);
        if (need("kdig"))
                check_kdig_truncation(c, sp);
        else
                printf("\n    kdig not installed: dig only\n");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_truncation_tc_empty(void) { run_truncation_case(0); }
static void test_truncation_tc_partial(void) { run_truncation_case(1); }
static void test_truncation_overflow(void) { run_truncation_case(2); }
static void test_truncation_cut(void) { run_truncation_case(3); }
static void test_truncation_cut_notc(void) { run_truncation_case(4); }

/* ---------------------------------------------------------------- EDNS */

/* 30 A + OPT = 525 bytes, whole in one datagram for a 1232-byte buffer. */
static void test_edns_honor(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        struct serverproc_exchange x;

        NEED("dig");
        START(sp, "records=30", "edns=honor");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+ignore"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(!d.tc && d.opt && d.ancount == 30 && d.arcount == 1 && d.msg_size == 525, &r);
        SP_CHECK(strstr(r.out, "udp: 1232") != NULL, &r);    /* the server's edns_size */
        EXPECT_EXCHANGE(sp, 0, "udp", 525, 0, 30, "");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.edns == 1232);
        cmd_result_free(&r);

        /* a 512-byte buffer is the legacy limit again */
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=512", "+ignore"), API, "A", &r, &d);
        SP_CHECK(d.tc && d.opt && d.ancount == 0 && d.msg_size == 45, &r);   /* 34 + OPT */
        EXPECT_EXCHANGE(sp, 1, "udp", 45, 1, 0, "tc-empty");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_edns_ignore(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        struct serverproc_exchange x;

        NEED("dig");
        START(sp, "records=30", "edns=ignore");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+ignore"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(!d.opt && d.arcount == 0, &r);
        SP_CHECK(d.tc && d.ancount == 0 && d.msg_size == 34, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.edns == 1232);
        cmd_result_free(&r);

        /* 29 records fit 512 with no OPT added */
        serverproc_stop(sp);
        START(sp, "records=29", "edns=ignore");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232"), API, "A", &r, &d);
        SP_CHECK(!d.tc && !d.opt && d.ancount == 29 && d.msg_size == 498, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* FORMERR to any OPT query. dig 9.18 does not fall back by itself: it
 * prints the FORMERR and a warning; +noedns then gets the answer. */
static void test_edns_formerr(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        struct serverproc_exchange x;

        NEED("dig");
        START(sp, "records=3", "edns=formerr");
        dig_query("dig", serverproc_port(sp), SP_LIST("+time=1", "+tries=1"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && strcmp(d.status, "FORMERR") == 0, &r);
        SP_CHECK(d.ancount == 0 && !d.opt && !d.tc, &r);
        SP_CHECK(strstr(r.out, "returned status FORMERR") != NULL, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 0, 0, "");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.edns == 1232 && x.rcode == 1);
        /* no automatic retry without EDNS */
        CU_ASSERT_EQUAL(serverproc_wait_exchanges(sp, 2, 300), 1);
        cmd_result_free(&r);

        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
        SP_CHECK(strcmp(d.status, "NOERROR") == 0 && d.ancount == 3 && d.msg_size == 82, &r);
        CU_ASSERT(serverproc_exchange(sp, 1, &x) && x.edns == -1 && x.rcode == 0);
        cmd_result_free(&r);

        if (need("kdig")) {
                /* kdig sends OPT by default (4096) and behaves like dig */
                size_t before = serverproc_exchange_count(sp);
                dig_query("kdig", serverproc_port(sp), SP_LIST("+edns", "+timeout=1", "+retry=0"), API,
                          "A", &r, &d);
                SP_CHECK(strcmp(d.status, "FORMERR") == 0, &r);
                CU_ASSERT_EQUAL(serverproc_wait_exchanges(sp, before + 2, 300), before + 1);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* server_udp_max caps the client's EDNS size: with 600, 34 records + OPT
 * (589 bytes) go whole, cdn's 621 bytes truncate. */
static void test_server_udp_max(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=34", "server_udp_max=600");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+ignore"), API, "A", &r, &d);
        SP_CHECK(!d.tc && d.opt && d.ancount == 34 && d.msg_size == 589, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 589, 0, 34, "");
        cmd_result_free(&r);

        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+ignore"), CDN, "A", &r, &d);
        SP_CHECK(d.tc && d.opt && d.ancount == 0 && d.msg_size == 45, &r);
        EXPECT_EXCHANGE(sp, 1, "udp", 45, 1, 0, "tc-empty");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);

        /* without the cap the same 621 bytes fit the 1232-byte buffer */
        START(sp, "records=34");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+ignore"), CDN, "A", &r, &d);
        SP_CHECK(!d.tc && d.ancount == 35 && d.msg_size == 621, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- header flags */

static void test_flags_ra0_aa1(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=3", "ra=0", "aa=1");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && d.qr && d.aa && d.rd && !d.ra && !d.tc, &r);
        SP_CHECK(d.ancount == 3 && d.msg_size == 82, &r);
        SP_CHECK(strstr(r.out, "recursion requested but not available") != NULL, &r);
        cmd_result_free(&r);

        /* RD is echoed, not invented */
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+norecurse"), API, "A", &r, &d);
        SP_CHECK(d.aa && !d.rd && !d.ra, &r);
        cmd_result_free(&r);

        if (need("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && d.qr && d.aa && d.rd && !d.ra && d.ancount == 3, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);

        /* the defaults: like a recursive resolver, ra=1 aa=0 */
        START(sp, "records=3");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
        SP_CHECK(d.qr && !d.aa && d.rd && d.ra, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void check_rcode(const char *value, const char *status, int code)
{
        char set[64];
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        struct serverproc_exchange x;

        snprintf(set, sizeof(set), "rcode=%s", value);
        START(sp, "records=30", set);
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && strcmp(d.status, status) == 0, &r);
        SP_CHECK(d.ancount == 0 && d.answer_lines == 0 && !d.tc && d.ra && d.msg_size == 34, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 0, 0, "");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.rcode == code);
        cmd_result_free(&r);
        if (need("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
                SP_CHECK(strcmp(d.status, status) == 0 && d.ancount == 0, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_rcode_servfail(void)
{
        NEED("dig");
        check_rcode("servfail", "SERVFAIL", 2);
}

static void test_rcode_refused(void)
{
        NEED("dig");
        check_rcode("refused", "REFUSED", 5);
}

static void test_rcode_nxdomain(void)
{
        NEED("dig");
        check_rcode("nxdomain", "NXDOMAIN", 3);
}

/* ---------------------------------------------------------------- network path */

/* udp_drop_above=600: 30 A + OPT (525 bytes) arrive; 60 A + OPT (1005
 * bytes) never do, and dig times out. */
static void test_udp_drop_above(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=30", "udp_drop_above=600");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+time=1", "+tries=1"), API,
                  "A", &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 30 && d.msg_size == 525, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 525, 0, 30, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);

        START(sp, "records=60", "udp_drop_above=600");
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+time=1", "+tries=1"), API,
                  "A", &r, &d);
        SP_CHECK(r.status == 9 && !d.have_header, &r);     /* 9: no reply from server */
        SP_CHECK(strstr(r.out, "timed out") != NULL, &r);
        /* nothing was sent: the exchange line says why */
        EXPECT_EXCHANGE(sp, 0, "udp", 0, 0, 0, "udp_drop_above");
        cmd_result_free(&r);

        /* the same answer over TCP is not subject to the path's loss */
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+bufsize=1232"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 60 && d.msg_size == 1005, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* Only a lower bound on time: a loaded machine may always be slower. */
static void test_delay_ms(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=3", "delay_ms=300");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+time=5", "+tries=1"), API, "A",
                  &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 3, &r);
        /* the wall time around dig, not dig's "Query time": dig starts that
         * clock when its send completes, which can be after the server read
         * the query, so it may print 299 for a reply held 300 ms */
        SP_CHECK(r.elapsed_ms >= 300.0, &r);
        cmd_result_free(&r);

        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+tcp", "+time=5", "+tries=1"), API,
                  "A", &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 3 && strcmp(d.transport, "TCP") == 0, &r);
        SP_CHECK(r.elapsed_ms >= 300.0, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_drop_first(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=3", "drop_first=1");
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+time=1", "+tries=2"), API, "A",
                  &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 3 && d.msg_size == 82, &r);
        SP_CHECK(strstr(r.out, "timed out") != NULL, &r);   /* the first try's report */
        EXPECT_EXCHANGE(sp, 0, "udp", 0, 0, 0, "drop_first");
        EXPECT_EXCHANGE(sp, 1, "udp", 82, 0, 3, "");
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static const struct test_case mixpanel_cases[] = {
        { "api_29_records_fit", test_api_29_records_fit },
        { "api_30_records_tc_then_tcp", test_api_30_records_tc_then_tcp },
        { "cdn_27_records_fit", test_cdn_27_records_fit },
        { "cdn_28_records_truncate", test_cdn_28_records_truncate },
        { NULL, NULL },
};

static const struct test_case truncation_tests[] = {
        { "tc_empty", test_truncation_tc_empty },
        { "tc_partial", test_truncation_tc_partial },
        { "overflow", test_truncation_overflow },
        { "cut", test_truncation_cut },
        { "cut_notc", test_truncation_cut_notc },
        { NULL, NULL },
};

static const struct test_case edns_cases[] = {
        { "honor", test_edns_honor },
        { "ignore", test_edns_ignore },
        { "formerr", test_edns_formerr },
        { "server_udp_max", test_server_udp_max },
        { NULL, NULL },
};

static const struct test_case flag_cases[] = {
        { "ra0_aa1", test_flags_ra0_aa1 },
        { "rcode_servfail", test_rcode_servfail },
        { "rcode_refused", test_rcode_refused },
        { "rcode_nxdomain", test_rcode_nxdomain },
        { NULL, NULL },
};

static const struct test_case path_cases[] = {
        { "udp_drop_above", test_udp_drop_above },
        { "delay_ms", test_delay_ms },
        { "drop_first", test_drop_first },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "mixpanel", mixpanel_cases },
        { "truncation", truncation_tests },
        { "edns", edns_cases },
        { "flags", flag_cases },
        { "path", path_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "server", suites);
}
