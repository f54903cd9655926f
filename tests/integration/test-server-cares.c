/* The fake nameserver against c-ares (the library linked in, 1.18.1 on
 * Debian 12): ares_query/ares_search on a channel pointed at the server's
 * port, driven by a select()/ares_process() loop. Checks what c-ares
 * returns and which transports the server saw.
 *
 * What c-ares 1.18.1 did here, as asserted below (records=30, 514 bytes):
 * - default flags: any TC, and also a UDP reply over 512 bytes without TC
 *   (overflow), makes it resend over TCP: 30 addresses. A cut datagram
 *   without TC (cut-notc, exactly 512 bytes) is accepted as is: ares_query
 *   reports ARES_SUCCESS with the 512 bytes and ares_parse_a_reply() then
 *   fails with ARES_EBADRESP (the last record is cut); no TCP.
 * - ARES_FLAG_IGNTC: the UDP reply is used, cut to 512 bytes first.
 *   tc-empty: ARES_ENODATA (ancount 0); tc-partial: 29 addresses;
 *   overflow, cut and cut-notc: 512 bytes that ares_parse_a_reply()
 *   rejects with ARES_EBADRESP.
 * - ARES_FLAG_EDNS advertises 1280: the 525-byte answer comes whole over UDP.
 *   A FORMERR to the EDNS query turns EDNS off and the query is resent
 *   without OPT (then TC, then TCP).
 * - tcp=refuse and tcp=close: ARES_ECONNREFUSED; tcp=blackhole:
 *   ARES_ETIMEOUT. SERVFAIL and REFUSED: the server is skipped, and with one
 *   server that is ARES_ECONNREFUSED; NXDOMAIN: ARES_ENOTFOUND. */
#include <ares.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>

#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"

#define START(sp, ...) do { \
        (sp) = serverproc_start(SCN, SP_LIST(__VA_ARGS__), NULL); \
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp); \
} while (0)

/* What one lookup gave. */
struct cares_outcome {
        bool done;
        int status;                 /* of the callback */
        int timeouts;
        int alen;                   /* reply bytes handed to the callback */
        int tc, ancount;            /* from the reply's header, -1 without one */
        int parse;                  /* ares_parse_a_reply() on it, -1 without reply */
        int naddrs;                 /* addresses it parsed */
};

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
        struct cares_outcome *o = arg;
        struct hostent *h = NULL;
        struct ares_addrttl ttls[128];
        int nttls = 128;

        o->done = true;
        o->status = status;
        o->timeouts = timeouts;
        o->alen = abuf ? alen : 0;
        o->tc = o->ancount = o->parse = -1;
        if (!abuf || alen < 12)
                return;
        o->tc = (abuf[2] >> 1) & 1;
        o->ancount = abuf[6] << 8 | abuf[7];
        o->parse = ares_parse_a_reply(abuf, alen, &h, ttls, &nttls);
        if (o->parse == ARES_SUCCESS)
                o->naddrs = nttls;
        if (h)
                ares_free_hostent(h);
}

/* One lookup of name A on a new channel with flags, 1 s per try. */
static void cares_lookup(uint16_t port, int flags, int tries, bool search, const char *name,
                         struct cares_outcome *o)
{
        struct ares_options opts = { 0 };
        ares_channel ch;
        char csv[64];
        int rc;

        memset(o, 0, sizeof(*o));
        o->status = -1;
        opts.flags = flags;
        opts.timeout = 1000;
        opts.tries = tries;
        opts.ndomains = 0;          /* no search list from resolv.conf */
        rc = ares_init_options(&ch, &opts,
                               ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS);
        CU_ASSERT_EQUAL_FATAL(rc, ARES_SUCCESS);
        snprintf(csv, sizeof(csv), "127.0.0.1:%u", port);
        CU_ASSERT_EQUAL(ares_set_servers_ports_csv(ch, csv), ARES_SUCCESS);
        if (search)
                ares_search(ch, name, C_IN, T_A, on_answer, o);
        else
                ares_query(ch, name, C_IN, T_A, on_answer, o);
        while (!o->done) {
                fd_set rd, wr;
                struct timeval tv, *tvp;
                int nfds;

                FD_ZERO(&rd);
                FD_ZERO(&wr);
                nfds = ares_fds(ch, &rd, &wr);
                tvp = ares_timeout(ch, NULL, &tv);
                if (nfds == 0 && !tvp)
                        break;
                select(nfds, &rd, &wr, NULL, tvp);
                ares_process(ch, &rd, &wr);
        }
        ares_destroy(ch);
        CU_ASSERT(o->done);
}

static void print_outcome(const char *what, const struct cares_outcome *o)
{
        printf("\n    %s: %s, alen %d, tc %d, ancount %d, parse %s, %d addresses, %d timeouts", what,
               ares_strerror(o->status), o->alen, o->tc, o->ancount,
               o->parse < 0 ? "-" : ares_strerror(o->parse), o->naddrs, o->timeouts);
        printf("\n  ");
}

/* ---------------------------------------------------------------- truncation */

struct cares_case {
        const char *policy;
        int flags;
        int status;                 /* of ares_query */
        int alen;
        int parse;                  /* ares_parse_a_reply, -1: no reply */
        int naddrs;
        bool tcp;                   /* resent over TCP */
};

static const struct cares_case cares_cases[] = {
        /* default: TCP on TC and on anything over 512 bytes */
        { "tc-empty",   0, ARES_SUCCESS, 514, ARES_SUCCESS,  30, true },
        { "tc-partial", 0, ARES_SUCCESS, 514, ARES_SUCCESS,  30, true },
        { "overflow",   0, ARES_SUCCESS, 514, ARES_SUCCESS,  30, true },
        { "cut",        0, ARES_SUCCESS, 514, ARES_SUCCESS,  30, true },
        { "cut-notc",   0, ARES_SUCCESS, 512, ARES_EBADRESP, 0,  false },
        /* IGNTC: the UDP reply, cut to 512 */
        { "tc-empty",   ARES_FLAG_IGNTC, ARES_ENODATA, 34,  ARES_ENODATA,  0,  false },
        { "tc-partial", ARES_FLAG_IGNTC, ARES_SUCCESS, 498, ARES_SUCCESS,  29, false },
        { "overflow",   ARES_FLAG_IGNTC, ARES_SUCCESS, 512, ARES_EBADRESP, 0,  false },
        { "cut",        ARES_FLAG_IGNTC, ARES_SUCCESS, 512, ARES_EBADRESP, 0,  false },
        { "cut-notc",   ARES_FLAG_IGNTC, ARES_SUCCESS, 512, ARES_EBADRESP, 0,  false },
};

static void run_cares_case(const struct cares_case *c)
{
        char set[64], what[64];
        struct serverproc *sp;
        struct cares_outcome o;

        snprintf(set, sizeof(set), "truncation=%s", c->policy);
        START(sp, "records=30", set);
        cares_lookup(serverproc_port(sp), c->flags, 1, false, API, &o);
        snprintf(what, sizeof(what), "%s%s", c->policy, c->flags ? " IGNTC" : "");
        print_outcome(what, &o);
        CU_ASSERT_EQUAL(o.status, c->status);
        CU_ASSERT_EQUAL(o.alen, c->alen);
        CU_ASSERT_EQUAL(o.parse, c->parse);
        CU_ASSERT_EQUAL(o.naddrs, c->naddrs);
        CU_ASSERT_EQUAL(o.timeouts, 0);
        EXPECT_EXCHANGE(sp, 0, "udp", -1, -1, -1, c->policy);
        if (c->tcp)
                EXPECT_EXCHANGE(sp, 1, "tcp", 514, 0, 30, "");
        else
                CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), 0);
        CU_ASSERT_EQUAL(serverproc_exchange_count(sp), c->tcp ? 2u : 1u);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_default_tc_empty(void) { run_cares_case(&cares_cases[0]); }
static void test_default_tc_partial(void) { run_cares_case(&cares_cases[1]); }
static void test_default_overflow(void) { run_cares_case(&cares_cases[2]); }
static void test_default_cut(void) { run_cares_case(&cares_cases[3]); }
static void test_default_cut_notc(void) { run_cares_case(&cares_cases[4]); }
static void test_igntc_tc_empty(void) { run_cares_case(&cares_cases[5]); }
static void test_igntc_tc_partial(void) { run_cares_case(&cares_cases[6]); }
static void test_igntc_overflow(void) { run_cares_case(&cares_cases[7]); }
static void test_igntc_cut(void) { run_cares_case(&cares_cases[8]); }
static void test_igntc_cut_notc(void) { run_cares_case(&cares_cases[9]); }

/* 29 records (498 bytes) need no TCP, whatever the flags. */
static void test_29_records_udp_only(void)
{
        struct serverproc *sp;
        struct cares_outcome o;

        START(sp, "records=29");
        cares_lookup(serverproc_port(sp), 0, 1, false, API, &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.alen == 498 && o.naddrs == 29);
        EXPECT_EXCHANGE(sp, 0, "udp", 498, 0, 29, "");
        CU_ASSERT_EQUAL(serverproc_exchange_count(sp), 1u);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- EDNS and TCP */

static void test_edns(void)
{
        struct serverproc *sp;
        struct cares_outcome o;
        struct serverproc_exchange x;

        START(sp, "records=30");
        cares_lookup(serverproc_port(sp), ARES_FLAG_EDNS, 1, false, API, &o);
        print_outcome("EDNS", &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.alen == 525 && o.naddrs == 30);
        EXPECT_EXCHANGE(sp, 0, "udp", 525, 0, 30, "");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.edns == 1280);   /* c-ares' ednspsz */
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);

        /* 80 records + OPT = 1325 bytes > 1280: TC, then TCP */
        START(sp, "records=80");
        cares_lookup(serverproc_port(sp), ARES_FLAG_EDNS, 1, false, API, &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.naddrs == 80);
        EXPECT_EXCHANGE(sp, 0, "udp", 45, 1, 0, "tc-empty");
        EXPECT_EXCHANGE(sp, 1, "tcp", 1325, 0, 80, "");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_edns_formerr(void)
{
        struct serverproc *sp;
        struct cares_outcome o;
        struct serverproc_exchange x;

        START(sp, "records=30", "edns=formerr");
        cares_lookup(serverproc_port(sp), ARES_FLAG_EDNS, 1, false, API, &o);
        print_outcome("EDNS to edns=formerr", &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.alen == 514 && o.naddrs == 30);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 0, 0, "");
        CU_ASSERT(serverproc_exchange(sp, 0, &x) && x.edns == 1280 && x.rcode == 1);
        EXPECT_EXCHANGE(sp, 1, "udp", 34, 1, 0, "tc-empty");            /* resent without OPT */
        CU_ASSERT(serverproc_exchange(sp, 1, &x) && x.edns == -1);
        EXPECT_EXCHANGE(sp, 2, "tcp", 514, 0, 30, "");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_usevc(void)
{
        struct serverproc *sp;
        struct cares_outcome o;

        START(sp, "records=30");
        cares_lookup(serverproc_port(sp), ARES_FLAG_USEVC, 1, false, API, &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.alen == 514 && o.naddrs == 30);
        EXPECT_EXCHANGE(sp, 0, "tcp", 514, 0, 30, "");
        CU_ASSERT_EQUAL(serverproc_count(sp, "udp", NULL), 0);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void check_tcp_mode(const char *mode, int status, const char *note)
{
        char set[64], what[64];
        struct serverproc *sp;
        struct cares_outcome o;

        snprintf(set, sizeof(set), "tcp=%s", mode);
        START(sp, "records=30", set);
        cares_lookup(serverproc_port(sp), 0, 1, false, API, &o);
        snprintf(what, sizeof(what), "tcp=%s", mode);
        print_outcome(what, &o);
        CU_ASSERT_EQUAL(o.status, status);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        if (note)
                EXPECT_EXCHANGE(sp, 1, "tcp", note[0] ? 0 : 514, 0, note[0] ? 0 : 30, note);
        else
                CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), 0);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_tcp_refuse(void) { check_tcp_mode("refuse", ARES_ECONNREFUSED, NULL); }
static void test_tcp_blackhole(void) { check_tcp_mode("blackhole", ARES_ETIMEOUT, "tcp=blackhole"); }
static void test_tcp_close(void) { check_tcp_mode("close", ARES_ECONNREFUSED, "tcp=close"); }
static void test_tcp_split(void) { check_tcp_mode("split", ARES_SUCCESS, ""); }

/* ---------------------------------------------------------------- rcodes, search, loss */

static void check_rcode(const char *rcode, int status)
{
        char set[64];
        struct serverproc *sp;
        struct cares_outcome o;

        snprintf(set, sizeof(set), "rcode=%s", rcode);
        START(sp, "records=3", set);
        cares_lookup(serverproc_port(sp), 0, 1, false, API, &o);
        print_outcome(set, &o);
        CU_ASSERT_EQUAL(o.status, status);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 0, 0, "");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_rcode_servfail(void) { check_rcode("servfail", ARES_ECONNREFUSED); }
static void test_rcode_refused(void) { check_rcode("refused", ARES_ECONNREFUSED); }
static void test_rcode_nxdomain(void) { check_rcode("nxdomain", ARES_ENOTFOUND); }

static void test_search(void)
{
        struct serverproc *sp;
        struct cares_outcome o;

        START(sp, "records=30");
        cares_lookup(serverproc_port(sp), 0, 1, true, API, &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.naddrs == 30);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        EXPECT_EXCHANGE(sp, 1, "tcp", 514, 0, 30, "");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);

        START(sp, "records=3", "rcode=nxdomain");
        cares_lookup(serverproc_port(sp), 0, 1, true, API ".", &o);
        CU_ASSERT_EQUAL(o.status, ARES_ENOTFOUND);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* The first UDP query is lost; the second try (after 1 s) is answered. */
static void test_drop_first(void)
{
        struct serverproc *sp;
        struct cares_outcome o;

        START(sp, "records=3", "drop_first=1");
        cares_lookup(serverproc_port(sp), 0, 2, false, API, &o);
        print_outcome("drop_first=1, tries=2", &o);
        CU_ASSERT(o.status == ARES_SUCCESS && o.naddrs == 3);
        CU_ASSERT_EQUAL(o.timeouts, 1);
        EXPECT_EXCHANGE(sp, 0, "udp", 0, 0, 0, "drop_first");
        EXPECT_EXCHANGE(sp, 1, "udp", 82, 0, 3, "");
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static const struct test_case truncation_cases[] = {
        { "29_records_udp_only", test_29_records_udp_only },
        { "default_tc_empty", test_default_tc_empty },
        { "default_tc_partial", test_default_tc_partial },
        { "default_overflow", test_default_overflow },
        { "default_cut", test_default_cut },
        { "default_cut_notc", test_default_cut_notc },
        { "igntc_tc_empty", test_igntc_tc_empty },
        { "igntc_tc_partial", test_igntc_tc_partial },
        { "igntc_overflow", test_igntc_overflow },
        { "igntc_cut", test_igntc_cut },
        { "igntc_cut_notc", test_igntc_cut_notc },
        { NULL, NULL },
};

static const struct test_case transport_cases[] = {
        { "edns", test_edns },
        { "edns_formerr", test_edns_formerr },
        { "usevc", test_usevc },
        { "tcp_refuse", test_tcp_refuse },
        { "tcp_blackhole", test_tcp_blackhole },
        { "tcp_close", test_tcp_close },
        { "tcp_split", test_tcp_split },
        { NULL, NULL },
};

static const struct test_case other_cases[] = {
        { "rcode_servfail", test_rcode_servfail },
        { "rcode_refused", test_rcode_refused },
        { "rcode_nxdomain", test_rcode_nxdomain },
        { "search", test_search },
        { "drop_first", test_drop_first },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "cares_truncation", truncation_cases },
        { "cares_transport", transport_cases },
        { "cares_other", other_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        int rc;
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
                return 2;
        rc = test_main(argc, argv, "server-cares", suites);
        ares_library_cleanup();
        return rc;
}
