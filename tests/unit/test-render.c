/* The fake server's replies without sockets: server_handle_query on the
 * mixpanel-2016 point with hand-built queries, for every truncation policy,
 * EDNS mode, header flag and malformed query. */
#include <stdlib.h>
#include <string.h>

#include "harness/server/server.h"
#include "tests/unit/dnstest.h"

#define API "api.mixpanel.com."
#define OUT_CAP (65535 + 64)

/* One exchange: the reply bytes and what the server says it did. */
struct tx {
        uint8_t out[OUT_CAP];
        size_t len;
        struct server_exchange x;
        struct dns_header h;     /* of the reply, when len >= 12 */
};

static struct tx tx;

static size_t ask(struct point *pt, const struct tquery *tq, enum transport t)
{
        uint8_t q[512];
        size_t ql = tquery_build(tq, q, sizeof(q));

        memset(&tx, 0, sizeof(tx));
        tx.len = server_handle_query(pt, q, ql, t, tx.out, sizeof(tx.out), &tx.x);
        CU_ASSERT_EQUAL(tx.x.reply_bytes, tx.len);
        CU_ASSERT_EQUAL(tx.x.query_bytes, ql);
        if (tx.len >= DNS_HEADER_LEN) {
                struct wire_reader r;
                wire_reader_init(&r, tx.out, tx.len);
                tx.h = r.hdr;
        }
        return tx.len;
}

/* The mixpanel point after `set` assignments. */
static struct point *point_with(int records, const char *a1, const char *a2)
{
        const char *set[3] = { a1, a2, NULL };
        return tmixpanel_point(records, set);
}

static bool has(uint16_t flag)
{
        return (tx.h.flags & flag) != 0;
}

/* The reply must parse cleanly and hold n records (OPT included). */
static void parses(int n)
{
        char err[128];
        int got = twalk(tx.out, tx.len, err, sizeof(err));
        CU_ASSERT_EQUAL(got, n);
        if (got != n)
                fprintf(stderr, "\n      reply: %d records, %s\n", got, err);
}

static void fails_with(const char *want)
{
        char err[128];
        CU_ASSERT_EQUAL(twalk(tx.out, tx.len, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, want);
}

static const struct tquery api_a = { .id = 0x1234, .flags = DNS_FLAG_RD, .name = API };

static void test_fits(void)
{
        /* 29 records fit 512 whatever the policy */
        for (int t = 0; t < TRUNCATION_MAX; t++) {
                struct point *pt = point_with(29, NULL, NULL);
                pt->params.truncation = (enum truncation)t;
                CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);
                CU_ASSERT_FALSE(has(DNS_FLAG_TC));
                CU_ASSERT_EQUAL(tx.h.ancount, 29);
                CU_ASSERT_EQUAL(tx.x.records, 29);
                CU_ASSERT_PTR_NULL(tx.x.note);
                parses(29);
                point_free(pt);
        }
}

static void test_tc_empty(void)
{
        struct point *pt = point_with(30, "truncation=tc-empty", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 34);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        CU_ASSERT_TRUE(has(DNS_FLAG_QR));
        CU_ASSERT_EQUAL(tx.h.qdcount, 1);
        CU_ASSERT_EQUAL(tx.h.ancount + tx.h.nscount + tx.h.arcount, 0);
        CU_ASSERT_TRUE(tx.x.tc);
        CU_ASSERT_EQUAL(tx.x.records, 0);
        CU_ASSERT_STRING_EQUAL(tx.x.note, "tc-empty");
        parses(0);
        point_free(pt);
}

static void test_tc_partial(void)
{
        struct point *pt = point_with(30, "truncation=tc-partial", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.ancount, 29);
        CU_ASSERT_EQUAL(tx.h.nscount, 0);
        CU_ASSERT_EQUAL(tx.x.records, 29);
        parses(29);
        /* behind the CNAME: the CNAME and 27 A records */
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = "cdn.mixpanel.com." }, TRANSPORT_UDP),
                        498);
        CU_ASSERT_EQUAL(tx.h.ancount, 28);
        parses(28);
        point_free(pt);
}

static void test_overflow(void)
{
        struct point *pt = point_with(30, "truncation=overflow", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 514);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.ancount, 30);
        CU_ASSERT_EQUAL(tx.x.records, 30);
        CU_ASSERT_STRING_EQUAL(tx.x.note, "overflow");
        parses(30);
        point_free(pt);
}

static void test_cut(void)
{
        static const char *const modes[] = { "truncation=cut", "truncation=cut-notc" };
        for (int i = 0; i < 2; i++) {
                struct point *pt = point_with(30, modes[i], NULL);
                CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 512);
                CU_ASSERT_EQUAL(has(DNS_FLAG_TC), i == 0);
                CU_ASSERT_EQUAL(tx.x.tc, i == 0);
                CU_ASSERT_EQUAL(tx.h.ancount, 30);   /* the counts still announce it all */
                CU_ASSERT_EQUAL(tx.x.records, 29);
                fails_with("short in answer record 30 at offset 510");
                point_free(pt);
        }
}

/* TCP gets the whole answer whatever the UDP policy. */
static void test_tcp_whole(void)
{
        for (int t = 0; t < TRUNCATION_MAX; t++) {
                struct point *pt = point_with(64, NULL, NULL);
                pt->params.truncation = (enum truncation)t;
                CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_TCP), 12 + 22 + 64 * 16);
                CU_ASSERT_FALSE(has(DNS_FLAG_TC));
                CU_ASSERT_EQUAL(tx.x.transport, TRANSPORT_TCP);
                parses(64);
                point_free(pt);
        }
}

static const struct tquery api_edns = { .id = 7, .name = API, .nopt = 1, .opt_size = 1232 };

static void test_edns_honor(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        struct wire_reader r;
        struct wire_rr rr;

        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 525);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.ancount, 30);
        CU_ASSERT_EQUAL(tx.h.arcount, 1);
        CU_ASSERT_EQUAL(tx.x.edns, 1232);
        parses(31);
        wire_reader_init(&r, tx.out, tx.len);
        while (wire_reader_rr(&r, &rr) == 1 && rr.section != WIRE_SECTION_ADDITIONAL)
                ;
        CU_ASSERT_EQUAL(rr.type, DNS_TYPE_OPT);
        CU_ASSERT_EQUAL(rr.class_, 1232);      /* the server's edns_size */
        CU_ASSERT_EQUAL(rr.ttl, 0);
        point_free(pt);
        /* the server's own OPT advertises edns_size */
        pt = point_with(64, "edns_size=4096", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 12 + 22 + 64 * 16 + 11);
        CU_ASSERT_EQUAL(tx.out[tx.len - 8], 4096 >> 8);
        point_free(pt);
        /* an OPT size under 512 means 512 */
        pt = point_with(30, NULL, NULL);
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = API, .nopt = 1, .opt_size = 100 },
                            TRANSPORT_UDP), 34 + 11);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.x.edns, 100);
        parses(1);
        point_free(pt);
}

/* A 1232-byte EDNS buffer holds 74 A records with the OPT record, not 75. */
static void test_edns_1232_holds_74(void)
{
        const char *text = "origin mixpanel.com.\ngrow api\nquery api.mixpanel.com A\n"
                           "sweep records=74,75\n";
        struct scenario *sc = NULL;
        char err[256];

        CU_ASSERT_EQUAL_FATAL(scenario_parse("edns.scn", text, &sc, err, sizeof(err)), 0);
        for (size_t i = 0; i < 2; i++) {
                struct point_params p;
                struct point *pt;
                scenario_point_params(sc, i, &p);
                pt = point_new(sc, i, &p, err, sizeof(err));
                CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
                ask(pt, &api_edns, TRANSPORT_UDP);
                CU_ASSERT_EQUAL(has(DNS_FLAG_TC), i == 1);
                CU_ASSERT_EQUAL(tx.len, i == 0 ? 12 + 22 + 74 * 16 + 11u : 34 + 11u);
                CU_ASSERT(tx.len <= 1232);
                parses(i == 0 ? 75 : 1);
                point_free(pt);
        }
        scenario_free(sc);
}

static void test_edns_ignore(void)
{
        struct point *pt = point_with(30, "edns=ignore", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 34);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.arcount, 0);
        parses(0);
        pt->params.truncation = TRUNCATION_TC_PARTIAL;
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 498);
        CU_ASSERT_EQUAL(tx.h.arcount, 0);
        parses(29);
        point_free(pt);
        /* 29 records still fit without OPT */
        pt = point_with(29, "edns=ignore", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 498);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        point_free(pt);
}

static void test_edns_formerr(void)
{
        struct point *pt = point_with(30, "edns=formerr", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 34);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_FORMERR);
        CU_ASSERT_EQUAL(tx.x.rcode, DNS_RCODE_FORMERR);
        CU_ASSERT_EQUAL(tx.h.ancount + tx.h.arcount, 0);
        CU_ASSERT_EQUAL(tx.h.id, 7);
        parses(0);
        /* the same point answers a query without OPT */
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 34);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_NOERROR);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        point_free(pt);
}

static void test_server_udp_max(void)
{
        /* an EDNS query advertising 1232 meets a server that caps UDP at 512 */
        struct point *pt = point_with(40, "server_udp_max=512", "truncation=tc-partial");
        /* room for 512 - 11 bytes: 34 + 29 * 16 = 498 */
        CU_ASSERT_EQUAL(ask(pt, &api_edns, TRANSPORT_UDP), 498 + 11);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.ancount, 29);
        parses(30);
        /* without OPT: the same 29 records in 498 bytes (30 would be 514) */
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);
        CU_ASSERT_EQUAL(tx.h.ancount, 29);
        point_free(pt);
        /* a cap above the limit changes nothing */
        pt = point_with(30, "server_udp_max=600", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 34);
        CU_ASSERT_TRUE(has(DNS_FLAG_TC));
        point_free(pt);
        /* and TCP is not capped */
        pt = point_with(30, "server_udp_max=512", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_TCP), 514);
        point_free(pt);
}

static void test_badvers(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        struct tquery q = api_edns;
        struct wire_reader r;
        struct wire_rr rr;

        q.opt_version = 1;
        CU_ASSERT_EQUAL(ask(pt, &q, TRANSPORT_UDP), 34 + 11);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), 0);
        CU_ASSERT_EQUAL(tx.h.ancount, 0);
        CU_ASSERT_EQUAL(tx.h.arcount, 1);
        CU_ASSERT_EQUAL(tx.x.rcode, 16);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        wire_reader_init(&r, tx.out, tx.len);
        CU_ASSERT_EQUAL_FATAL(wire_reader_rr(&r, &rr), 1);
        CU_ASSERT_EQUAL(rr.type, DNS_TYPE_OPT);
        CU_ASSERT_EQUAL(rr.ttl >> 24, 1);           /* extended rcode 16 = 1 << 4 | 0 */
        CU_ASSERT_EQUAL((rr.ttl >> 16) & 0xff, 0);  /* our version */
        point_free(pt);
}

static void test_flags(void)
{
        struct point *pt = point_with(29, "ra=0", "aa=1");
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);
        CU_ASSERT_FALSE(has(DNS_FLAG_RA));
        CU_ASSERT_TRUE(has(DNS_FLAG_AA));
        CU_ASSERT_TRUE(has(DNS_FLAG_RD));
        CU_ASSERT_EQUAL(tx.h.id, 0x1234);
        /* RD and the id are the query's */
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .id = 0xbeef, .name = API }, TRANSPORT_UDP), 498);
        CU_ASSERT_FALSE(has(DNS_FLAG_RD));
        CU_ASSERT_EQUAL(tx.h.id, 0xbeef);
        CU_ASSERT_EQUAL(tx.out[0], 0xbe);
        point_free(pt);
        pt = point_with(29, NULL, NULL);    /* the scenario's ra=1 aa=0 */
        ask(pt, &api_a, TRANSPORT_TCP);
        CU_ASSERT_TRUE(has(DNS_FLAG_RA));
        CU_ASSERT_FALSE(has(DNS_FLAG_AA));
        CU_ASSERT_EQUAL(DNS_OPCODE(tx.h.flags), 0);
        point_free(pt);
}

static void test_rcode_param(void)
{
        struct point *pt = point_with(30, "rcode=servfail", NULL);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 34);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_SERVFAIL);
        CU_ASSERT_EQUAL(tx.x.rcode, DNS_RCODE_SERVFAIL);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        CU_ASSERT_EQUAL(tx.h.ancount, 0);
        parses(0);
        point_free(pt);
}

/* The question comes back in the query's own case, at the same size. */
static void test_question_case(void)
{
        struct point *pt = point_with(29, NULL, NULL);
        struct tquery q = api_a;
        uint8_t qb[512];
        size_t ql;

        q.name = "API.MixPanel.COM.";
        ql = tquery_build(&q, qb, sizeof(qb));
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);     /* cached lower case */
        CU_ASSERT_EQUAL(ask(pt, &q, TRANSPORT_UDP), 498);
        CU_ASSERT_EQUAL(memcmp(tx.out + 12, qb + 12, ql - 12), 0);
        CU_ASSERT_STRING_EQUAL(tx.x.qname, "API.MixPanel.COM.");
        parses(29);
        point_free(pt);
        /* and when the mixed case is asked first */
        pt = point_with(29, NULL, NULL);
        CU_ASSERT_EQUAL(ask(pt, &q, TRANSPORT_UDP), 498);
        CU_ASSERT_EQUAL(ask(pt, &api_a, TRANSPORT_UDP), 498);
        CU_ASSERT_EQUAL(memcmp(tx.out + 12, "\003api\010mixpanel\003com", 18), 0);
        point_free(pt);
}

static void test_nxdomain_nodata(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = "nope.mixpanel.com." }, TRANSPORT_UDP),
                        35);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_NXDOMAIN);
        CU_ASSERT_EQUAL(tx.h.ancount + tx.h.nscount, 0);   /* the zone has no SOA */
        parses(0);
        /* a name whose tail repeats its head: the question must not point at itself */
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = "mixpanel.com.mixpanel.com." },
                            TRANSPORT_UDP), 12 + 27 + 4);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_NXDOMAIN);
        parses(0);
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = API, .qtype = DNS_TYPE_AAAA },
                            TRANSPORT_UDP), 34);
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), DNS_RCODE_NOERROR);
        CU_ASSERT_EQUAL(tx.h.ancount, 0);
        CU_ASSERT_FALSE(has(DNS_FLAG_TC));
        /* NODATA behind the CNAME: the CNAME alone */
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .name = "cdn.mixpanel.com.",
                                                  .qtype = DNS_TYPE_AAAA }, TRANSPORT_UDP), 66);
        CU_ASSERT_EQUAL(tx.h.ancount, 1);
        parses(1);
        point_free(pt);
}

/* Sends raw query bytes. */
static size_t ask_raw(struct point *pt, const uint8_t *q, size_t ql)
{
        memset(&tx, 0, sizeof(tx));
        tx.len = server_handle_query(pt, q, ql, TRANSPORT_UDP, tx.out, sizeof(tx.out), &tx.x);
        if (tx.len >= DNS_HEADER_LEN) {
                struct wire_reader r;
                wire_reader_init(&r, tx.out, tx.len);
                tx.h = r.hdr;
        }
        return tx.len;
}

static void test_malformed_drop(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        uint8_t q[512];
        size_t ql = tquery_build(&api_a, q, sizeof(q));

        CU_ASSERT_EQUAL(ask_raw(pt, q, 11), 0);
        CU_ASSERT_FALSE(tx.x.sent);
        CU_ASSERT_EQUAL(tx.x.rcode, -1);
        CU_ASSERT_PTR_NOT_NULL(tx.x.note);
        CU_ASSERT_EQUAL(ask_raw(pt, q, 0), 0);
        CU_ASSERT_EQUAL(ask(pt, &(struct tquery){ .flags = DNS_FLAG_QR, .name = API },
                            TRANSPORT_UDP), 0);
        CU_ASSERT_EQUAL(tx.x.rcode, -1);
        CU_ASSERT_EQUAL(ask_raw(pt, q, ql), 514 - 480);   /* the same bytes whole: answered */
        point_free(pt);
}

/* A FORMERR keeps the id and carries no question. */
static void expect_rcode(int rcode, uint16_t qdcount)
{
        CU_ASSERT_EQUAL(tx.len, DNS_HEADER_LEN + (qdcount ? 22u : 0u));
        CU_ASSERT_EQUAL(DNS_RCODE(tx.h.flags), rcode);
        CU_ASSERT_EQUAL(tx.x.rcode, rcode);
        CU_ASSERT_TRUE(has(DNS_FLAG_QR));
        CU_ASSERT_EQUAL(tx.h.qdcount, qdcount);
        CU_ASSERT_EQUAL(tx.h.ancount + tx.h.nscount + tx.h.arcount, 0);
        parses(0);
}

static void test_malformed_formerr(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        uint8_t q[512];
        size_t ql;

        ask(pt, &(struct tquery){ .id = 9, .name = API, .qdcount = 2 }, TRANSPORT_UDP);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        CU_ASSERT_EQUAL(tx.h.id, 9);
        ql = tquery_build(&api_a, q, sizeof(q));
        q[5] = 0;                                  /* qdcount 0, the question left over */
        ask_raw(pt, q, DNS_HEADER_LEN);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        CU_ASSERT_EQUAL(tx.h.id, 0x1234);
        ask(pt, &(struct tquery){ .name = API, .nopt = 2, .opt_size = 1232 }, TRANSPORT_UDP);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        q[5] = 1;
        q[ql] = 0;                                 /* a trailing byte */
        ask_raw(pt, q, ql + 1);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        ask_raw(pt, q, ql - 1);                    /* the question cut */
        expect_rcode(DNS_RCODE_FORMERR, 0);
        /* OPT in the answer section, and OPT with an owner other than the root */
        ql = tquery_build(&api_edns, q, sizeof(q));
        q[7] = 1, q[11] = 0;
        ask_raw(pt, q, ql);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        q[7] = 0, q[11] = 1;
        memmove(q + 35, q + 34, 11);
        q[34] = 0xc0, q[35] = 0x0c;                /* owner: the question's name */
        ask_raw(pt, q, ql + 1);
        expect_rcode(DNS_RCODE_FORMERR, 0);
        point_free(pt);
}

static void test_malformed_notimp(void)
{
        struct point *pt = point_with(30, NULL, NULL);
        ask(pt, &(struct tquery){ .id = 3, .flags = 2 << 11, .name = API }, TRANSPORT_UDP);
        expect_rcode(DNS_RCODE_NOTIMP, 0);
        CU_ASSERT_EQUAL(DNS_OPCODE(tx.h.flags), 2);    /* the opcode is echoed */
        ask(pt, &(struct tquery){ .name = API, .qclass = 3 }, TRANSPORT_UDP);
        expect_rcode(DNS_RCODE_NOTIMP, 0);
        point_free(pt);
}

static const struct test_case truncation_tests[] = {
        { "29-fits-every-policy", test_fits },
        { "tc-empty", test_tc_empty },
        { "tc-partial", test_tc_partial },
        { "overflow", test_overflow },
        { "cut-and-cut-notc", test_cut },
        { "tcp-whole", test_tcp_whole },
        { NULL, NULL },
};

static const struct test_case edns_tests[] = {
        { "honor-525", test_edns_honor },
        { "1232-holds-74", test_edns_1232_holds_74 },
        { "ignore", test_edns_ignore },
        { "formerr", test_edns_formerr },
        { "server-udp-max", test_server_udp_max },
        { "badvers", test_badvers },
        { NULL, NULL },
};

static const struct test_case header_tests[] = {
        { "flags-rd-id", test_flags },
        { "rcode-param", test_rcode_param },
        { "question-case", test_question_case },
        { "nxdomain-nodata", test_nxdomain_nodata },
        { NULL, NULL },
};

static const struct test_case malformed_tests[] = {
        { "dropped", test_malformed_drop },
        { "formerr", test_malformed_formerr },
        { "notimp", test_malformed_notimp },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "truncation", truncation_tests },
        { "edns", edns_tests },
        { "header", header_tests },
        { "malformed", malformed_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "render", suites);
}
