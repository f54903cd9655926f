/* The readers of stubcompat reproduce (harness/replay/): saved dig output,
 * ldns-testns files and captures become canned replies, the rules answer
 * queries the way the source did, and every malformed example under
 * tests/bad-input/ gives exactly the message in its .expected file.
 *
 * The captures here are written at test time with libpcap's own writer
 * (pcap_dump), one per link type; integration/test-reproduce.c uses
 * captures made by dumpcap. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <pcap/pcap.h>

#include "clients/engine/profile.h"
#include "harness/replay/canned.h"
#include "harness/replay/dig-read.h"
#include "harness/replay/pcap-read.h"
#include "harness/replay/testns-read.h"
#include "harness/report/explain.h"
#include "harness/server/query.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"
#include "harness/wire/writer.h"
#include "tests/common/testmain.h"

/* ---------------------------------------------------------------- helpers */

static size_t name_of(const char *text, uint8_t out[DNS_NAME_MAX])
{
        size_t len = 0;
        CU_ASSERT_EQUAL_FATAL(wire_name_from_text(text, out, &len), 0);
        return len;
}

/* A query as a stub would send it. */
static size_t make_query(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t type,
                         int edns)
{
        struct wire_writer w;
        struct dns_header h = { .id = id, .flags = DNS_FLAG_RD, .qdcount = 1,
                                .arcount = edns >= 0 ? 1 : 0 };
        uint8_t qn[DNS_NAME_MAX];
        size_t ql = name_of(name, qn);
        wire_writer_init(&w, out, cap, false);
        wire_write_header(&w, &h);
        wire_write_question(&w, qn, ql, type, DNS_CLASS_IN);
        if (edns >= 0)
                wire_write_opt(&w, (uint16_t)edns, 0, 0, 0);
        CU_ASSERT_EQUAL_FATAL(wire_writer_status(&w), 0);
        return w.len;
}

/* A reply for api.mixpanel.com A with `records` A records 10.1.0.N. */
static size_t make_reply(uint8_t *out, size_t cap, uint16_t id, int records, bool tc)
{
        struct wire_writer w;
        struct dns_header h = { .id = id, .qdcount = 1, .ancount = tc ? 0 : (uint16_t)records,
                                .flags = DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA | (tc ? DNS_FLAG_TC : 0) };
        uint8_t qn[DNS_NAME_MAX];
        size_t ql = name_of("api.mixpanel.com.", qn);
        wire_writer_init(&w, out, cap, true);
        wire_write_header(&w, &h);
        wire_write_question(&w, qn, ql, DNS_TYPE_A, DNS_CLASS_IN);
        for (int i = 0; !tc && i < records; i++) {
                uint8_t a[4] = { 10, 1, 0, (uint8_t)(i + 1) };
                wire_write_rr(&w, qn, ql, DNS_TYPE_A, DNS_CLASS_IN, 60, a, 4);
        }
        CU_ASSERT_EQUAL_FATAL(wire_writer_status(&w), 0);
        return w.len;
}

static struct query_info parsed_query(const uint8_t *buf, size_t len)
{
        struct query_info q;
        CU_ASSERT_EQUAL(query_parse(buf, len, &q), QUERY_OK);
        return q;
}

static const struct canned_rule *match(const struct canned_table *t, uint16_t id, const char *name,
                                       int edns, enum transport tr)
{
        static uint8_t buf[512];
        size_t n = make_query(buf, sizeof(buf), id, name, DNS_TYPE_A, edns);
        struct query_info q = parsed_query(buf, n);
        return canned_match(t, &q, tr);
}

/* ---------------------------------------------------------------- canned */

static void test_apply_copies_id_and_case(void)
{
        struct canned_table t;
        struct canned_rule r;
        struct render_result res;
        uint8_t reply[600], q[512], out[700];
        size_t rl = make_reply(reply, sizeof(reply), 0x1111, 30, false);
        size_t ql = make_query(q, sizeof(q), 0xbeef, "ApI.MixPanel.CoM.", DNS_TYPE_A, -1);
        struct query_info qi = parsed_query(q, ql);

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        canned_rule_init(&r, CANNED_SEND);
        CU_ASSERT_EQUAL(canned_add_rule(&t, &r, reply, rl), 0);
        CU_ASSERT_EQUAL(t.rules[0].records, 30);
        CU_ASSERT_EQUAL(t.rules[0].question_len, 22);
        CU_ASSERT_FALSE(t.rules[0].tc);
        size_t n = canned_apply(&t.rules[0], &qi, out, sizeof(out), &res);
        CU_ASSERT_EQUAL(n, rl);
        CU_ASSERT_EQUAL(rl, 514);          /* FACTS.md: 30 A records, no EDNS */
        CU_ASSERT(out[0] == 0xbe && out[1] == 0xef);
        CU_ASSERT(memcmp(out + 12, q + 12, 22) == 0);     /* the query's spelling */
        CU_ASSERT(memcmp(out + 34, reply + 34, rl - 34) == 0);
        CU_ASSERT_EQUAL(res.records, 30);
        /* without copy_id the recorded id stays, as ldns-testns does */
        t.rules[0].copy_id = false;
        canned_apply(&t.rules[0], &qi, out, sizeof(out), &res);
        CU_ASSERT(out[0] == 0x11 && out[1] == 0x11);
        canned_table_free(&t);
}

static void test_answer_from_cut_message(void)
{
        uint8_t reply[600], qn[DNS_NAME_MAX];
        size_t ql = name_of("api.mixpanel.com.", qn);
        char why[160];
        CU_ASSERT_EQUAL(make_reply(reply, sizeof(reply), 1, 30, false), 514);
        /* a reply cut at 512 mid-record: 29 whole records are kept, and why says so */
        struct answer *a = canned_answer_from_message(reply, 512, qn, ql, DNS_TYPE_A, true, why,
                                                      sizeof(why));
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->nrr, 29);
        CU_ASSERT_EQUAL(a->naddrs, 29);
        CU_ASSERT_EQUAL(a->len, 498);
        if (!strstr(why, "answer record 30"))
                printf("\n    why: %s\n", why);
        CU_ASSERT(strstr(why, "answer record 30") != NULL);
        struct answer *c = canned_answer_copy(a);
        CU_ASSERT(c && c->len == a->len && memcmp(c->wire, a->wire, a->len) == 0);
        answer_free(c);
        answer_free(a);
        CU_ASSERT_PTR_NULL(canned_answer_from_message(reply, 5, qn, ql, DNS_TYPE_A, true, why,
                                                      sizeof(why)));
        CU_ASSERT(strstr(why, "shorter than a DNS header") != NULL);
}

/* ---------------------------------------------------------------- dig */

static const char dig_tcp_retry[] =
        ";; Truncated, retrying in TCP mode.\n"
        "\n"
        "; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +noedns -p 5300 @127.0.0.1 api.mixpanel.com A\n"
        "; (1 server found)\n"
        ";; global options: +cmd\n"
        ";; Got answer:\n"
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 58872\n"
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 0\n"
        "\n"
        ";; QUESTION SECTION:\n"
        ";api.mixpanel.com.\t\tIN\tA\n"
        "\n"
        ";; ANSWER SECTION:\n"
        "api.mixpanel.com.\t60\tIN\tA\t10.1.0.1\n"
        "api.mixpanel.com.\t60\tIN\tA\t10.1.0.2\n"
        "api.mixpanel.com.\t60\tIN\tA\t10.1.0.3\n"
        "\n"
        ";; Query time: 0 msec\n"
        ";; SERVER: 127.0.0.1#5300(127.0.0.1) (TCP)\n"
        ";; MSG SIZE  rcvd: 82\n";

static void test_dig_answer(void)
{
        struct canned_table t;
        char err[512];
        uint8_t qn[DNS_NAME_MAX];
        size_t ql = name_of("api.mixpanel.com.", qn);

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_dig_parse("dig.txt", dig_tcp_retry, &t, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(t.nquestions, 1);
        CU_ASSERT_EQUAL(t.nrules, 0);                 /* no TC=1 reply: rendered normally */
        const struct answer *a = canned_find_answer(&t, qn, ql, DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->len, 82);                  /* = MSG SIZE: compressed like the server */
        CU_ASSERT_EQUAL(a->naddrs, 3);
        CU_ASSERT_EQUAL(t.nsets, 2);
        CU_ASSERT_STRING_EQUAL(t.sets[0], "ra=1");
        CU_ASSERT_STRING_EQUAL(t.sets[1], "aa=0");
        CU_ASSERT(t.nnotes == 1 && strstr(t.notes[0], "retried") != NULL);
        CU_ASSERT_EQUAL(t.records->n, 3);
        canned_table_free(&t);
}

static void test_dig_tc_reply_is_replayed_on_udp(void)
{
        static const char text[] =
                "; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +ignore -p 5300 @127.0.0.1 api.mixpanel.com A\n"
                ";; Got answer:\n"
                ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 7760\n"
                ";; flags: qr tc rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1\n"
                "\n"
                ";; OPT PSEUDOSECTION:\n"
                "; EDNS: version: 0, flags:; udp: 4096\n"
                "; COOKIE: 0123456789abcdef0011223344556677 (good)\n"
                ";; QUESTION SECTION:\n"
                ";api.mixpanel.com.\t\tIN\tA\n"
                "\n"
                ";; MSG SIZE  rcvd: 65\n";
        struct canned_table t;
        char err[512];

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_dig_parse("dig.txt", text, &t, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(t.nrules, 1);
        CU_ASSERT(t.rules[0].transport[TRANSPORT_UDP] && !t.rules[0].transport[TRANSPORT_TCP]);
        CU_ASSERT(t.rules[0].tc);
        CU_ASSERT_EQUAL(t.rules[0].len, 65);          /* with the server's OPT and COOKIE */
        CU_ASSERT_PTR_EQUAL(match(&t, 9, "API.mixpanel.com.", -1, TRANSPORT_UDP), &t.rules[0]);
        CU_ASSERT_PTR_NULL(match(&t, 9, "api.mixpanel.com.", -1, TRANSPORT_TCP));
        CU_ASSERT_PTR_NULL(match(&t, 9, "www.mixpanel.com.", -1, TRANSPORT_UDP));
        CU_ASSERT_STRING_EQUAL(t.sets[2], "edns_size=4096");
        canned_table_free(&t);
}

static void test_dig_multiline_nxdomain(void)
{
        static const char text[] =
                "; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +multiline www.mixpanel.com A\n"
                ";; Got answer:\n"
                ";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n"
                ";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 0\n"
                "\n"
                ";; QUESTION SECTION:\n"
                ";www.mixpanel.com.\tIN A\n"
                "\n"
                ";; AUTHORITY SECTION:\n"
                "mixpanel.com.\t\t900 IN SOA ns-1.awsdns-00.com. awsdns-hostmaster.amazon.com. (\n"
                "\t\t\t\t2016102101 ; serial\n"
                "\t\t\t\t7200       ; refresh (2 hours)\n"
                "\t\t\t\t900        ; retry (15 minutes)\n"
                "\t\t\t\t1209600    ; expire (2 weeks)\n"
                "\t\t\t\t86400      ; minimum (1 day)\n"
                "\t\t\t\t)\n";
        struct canned_table t;
        char err[512];
        uint8_t qn[DNS_NAME_MAX];
        size_t ql = name_of("www.mixpanel.com.", qn);

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        int rc = replay_dig_parse("dig.txt", text, &t, err, sizeof(err));
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        const struct answer *a = canned_find_answer(&t, qn, ql, DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->rcode, DNS_RCODE_NXDOMAIN);
        CU_ASSERT_EQUAL(a->nscount, 1);
        CU_ASSERT_EQUAL(a->naddrs, 0);
        /* dig asked with EDNS (no +noedns) and the reply had none */
        CU_ASSERT(t.nsets == 3 && strcmp(t.sets[2], "edns=ignore") == 0);
        /* the copy every point seeds from: no records, no addresses (the
         * ASan+UBSan build fails here on a memcpy from a NULL array) */
        struct answer *copy = canned_answer_copy(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        CU_ASSERT(copy->len == a->len && copy->naddrs == 0 && copy->rcode == DNS_RCODE_NXDOMAIN);
        answer_free(copy);
        canned_table_free(&t);
}

/* ---------------------------------------------------------------- testns */

static const char testns_text[] =
        "; UDP gets TC=1, TCP the records, other names nothing\n"
        "$ORIGIN mixpanel.com.\n"
        "$TTL 60\n"
        "ENTRY_BEGIN\n"
        "MATCH opcode qtype qname UDP\n"
        "ADJUST copy_id\n"
        "REPLY QR RD RA TC NOERROR\n"
        "SECTION QUESTION\n"
        "api IN A\n"
        "ENTRY_END\n"
        "ENTRY_BEGIN\n"
        "MATCH opcode qtype qname TCP\n"
        "ADJUST copy_id\n"
        "REPLY QR RD RA NOERROR\n"
        "SECTION QUESTION\n"
        "api IN A\n"
        "SECTION ANSWER\n"
        "api IN A 10.1.0.1\n"
        "api IN A 10.1.0.2\n"
        "ENTRY_END\n"
        "ENTRY_BEGIN\n"
        "MATCH opcode subdomain noedns\n"
        "REPLY QR RA NXDOMAIN\n"
        "SECTION QUESTION\n"
        "cdn IN A\n"
        "ENTRY_END\n"
        "ENTRY_BEGIN\n"
        "MATCH opcode qtype qname serial=5\n"
        "REPLY QR AA NOERROR\n"
        "SECTION QUESTION\n"
        "@ IN IXFR\n"
        "ENTRY_END\n"
        "ENTRY_BEGIN\n"
        "MATCH qname qtype\n"
        "ADJUST copy_id\n"
        "HEX_ANSWER_BEGIN\n"
        "; header: id 0, QR RD RA, one question, no records\n"
        "00 00 81 80 00 01 00 00 00 00 00 00\n"
        "03 77 77 77 08 6d 69 78 70 61 6e 65 6c 03 63 6f 6d 00 ; www.mixpanel.com\n"
        "00 1c 00 01\n"
        "HEX_ANSWER_END\n"
        "ENTRY_END\n";

static void test_testns_rules(void)
{
        struct canned_table t;
        char err[512];
        const struct canned_rule *r;

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_testns_parse("t.testns", testns_text, &t, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(t.nrules, 5);            /* 4 usable entries + the final drop */
        CU_ASSERT_EQUAL(t.nquestions, 3);
        r = match(&t, 1, "api.mixpanel.com.", -1, TRANSPORT_UDP);
        CU_ASSERT(r == &t.rules[0] && r->tc && r->len == 34 && r->copy_id);
        r = match(&t, 1, "api.mixpanel.com.", 1232, TRANSPORT_TCP);
        CU_ASSERT(r == &t.rules[1] && !r->tc && r->records == 2);
        /* subdomain + noedns: below cdn, without OPT only */
        r = match(&t, 1, "x.cdn.mixpanel.com.", -1, TRANSPORT_UDP);
        CU_ASSERT(r == &t.rules[2] && r->rcode == DNS_RCODE_NXDOMAIN && !r->copy_id);
        r = match(&t, 1, "x.cdn.mixpanel.com.", 1232, TRANSPORT_UDP);
        CU_ASSERT(r && r->action == CANNED_DROP);
        /* the hex entry answers www AAAA; A queries for it fall through to the drop */
        uint8_t q[512];
        size_t n = make_query(q, sizeof(q), 3, "www.mixpanel.com.", DNS_TYPE_AAAA, -1);
        struct query_info qi = parsed_query(q, n);
        r = canned_match(&t, &qi, TRANSPORT_UDP);
        CU_ASSERT(r == &t.rules[3] && r->len == 34);
        CU_ASSERT(match(&t, 1, "www.mixpanel.com.", -1, TRANSPORT_UDP)->action == CANNED_DROP);
        /* the IXFR entry was skipped with a note */
        bool noted = false;
        for (size_t i = 0; i < t.nnotes; i++)
                noted |= strstr(t.notes[i], "line 27: entry skipped") != NULL;
        CU_ASSERT(noted);
        canned_table_free(&t);
}

/* An entry that matches only with the DO bit is never served to a stub, and
 * its (signed, larger) reply is not taken for the expected answer. */
static void test_testns_do_entry_not_served(void)
{
        static const char text[] =
                "ENTRY_BEGIN\n"
                "MATCH opcode qtype qname DO\n"
                "ADJUST copy_id\n"
                "REPLY QR AA NOERROR\n"
                "SECTION QUESTION\n"
                "api.mixpanel.com. IN A\n"
                "SECTION ANSWER\n"
                "api.mixpanel.com. 60 IN A 10.1.0.1\n"
                "api.mixpanel.com. 60 IN A 10.1.0.2\n"
                "ENTRY_END\n"
                "ENTRY_BEGIN\n"
                "MATCH opcode qtype qname\n"
                "ADJUST copy_id\n"
                "REPLY QR AA NOERROR\n"
                "SECTION QUESTION\n"
                "api.mixpanel.com. IN A\n"
                "SECTION ANSWER\n"
                "api.mixpanel.com. 60 IN A 10.1.0.1\n"
                "ENTRY_END\n";
        struct canned_table t;
        char err[512];
        uint8_t qn[DNS_NAME_MAX];
        size_t ql = name_of("api.mixpanel.com.", qn);

        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_testns_parse("do.testns", text, &t, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(t.nrules, 2);                  /* the plain entry + the final drop */
        const struct answer *a = canned_find_answer(&t, qn, ql, DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->naddrs, 1);
        bool noted = false;
        for (size_t i = 0; i < t.nnotes; i++)
                noted |= strstr(t.notes[i], "line 1: entry skipped: it matches only queries with "
                                            "the DO bit") != NULL;
        CU_ASSERT(noted);
        canned_table_free(&t);
}

static void test_testbound_ranges(void)
{
        static const char text[] =
                "server:\n"
                "\ttarget-fetch-policy: \"0 0 0 0 0\"\n"
                "CONFIG_END\n"
                "SCENARIO_BEGIN a stub asks\n"
                "RANGE_BEGIN 0 100\n"
                "\tADDRESS 193.0.14.129\n"
                "ENTRY_BEGIN\n"
                "MATCH opcode qtype qname\n"
                "ADJUST copy_id\n"
                "REPLY QR AA NOERROR\n"
                "SECTION QUESTION\n"
                "api.mixpanel.com. IN A\n"
                "SECTION ANSWER\n"
                "api.mixpanel.com. IN A 10.1.0.1\n"
                "ENTRY_END\n"
                "RANGE_END\n"
                "STEP 1 QUERY\n"
                "ENTRY_BEGIN\n"
                "REPLY RD\n"
                "SECTION QUESTION\n"
                "api.mixpanel.com. IN A\n"
                "ENTRY_END\n"
                "SCENARIO_END\n";
        struct canned_table t;
        char err[512];
        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_testns_parse("t.rpl", text, &t, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(t.nrules, 2);                  /* the RANGE entry and the drop */
        CU_ASSERT_EQUAL(t.rules[0].records, 1);
        canned_table_free(&t);
}

/* ---------------------------------------------------------------- pcap */

struct frame {
        uint8_t b[2048];
        size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
        CU_ASSERT_FATAL(f->n + n <= sizeof(f->b));
        if (n)
                memcpy(f->b + f->n, p, n);
        f->n += n;
}

static void put16(struct frame *f, uint16_t v)
{
        uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
        put(f, b, 2);
}

static void put32(struct frame *f, uint32_t v)
{
        put16(f, (uint16_t)(v >> 16));
        put16(f, (uint16_t)v);
}

struct flow {
        int link;                       /* DLT_* */
        bool v6;
        uint16_t client_port, server_port;
};

/* A frame from client (to_server) or server, with a UDP or TCP header. */
static void frame_start(struct frame *f, const struct flow *fl, bool to_server, bool tcp,
                        size_t payload)
{
        size_t l4 = (tcp ? 20 : 8) + payload;
        static const uint8_t lo4[4] = { 127, 0, 0, 1 };
        static const uint8_t lo6[16] = { [15] = 1 };
        f->n = 0;
        switch (fl->link) {
        case DLT_EN10MB:
                put(f, (uint8_t[12]){ 0 }, 12);
                put16(f, fl->v6 ? 0x86dd : 0x0800);
                break;
        case DLT_LINUX_SLL:
                put(f, (uint8_t[14]){ 0, 0, 3, 4, 0, 6 }, 14);
                put16(f, fl->v6 ? 0x86dd : 0x0800);
                break;
        case DLT_NULL: {
                uint32_t fam = fl->v6 ? 30 : 2;     /* host order, as BSD writes it */
                put(f, &fam, 4);
                break;
        }
        case DLT_LOOP:
                put32(f, fl->v6 ? 30 : 2);
                break;
        default:
                break;
        }
        if (fl->v6) {
                put32(f, 6u << 28);
                put16(f, (uint16_t)l4);
                put(f, (uint8_t[2]){ tcp ? 6 : 17, 64 }, 2);
                put(f, lo6, 16);
                put(f, lo6, 16);
        } else {
                put(f, (uint8_t[2]){ 0x45, 0 }, 2);
                put16(f, (uint16_t)(20 + l4));
                put(f, (uint8_t[6]){ 0, 1, 0x40, 0, 64, tcp ? 6 : 17 }, 6);
                put16(f, 0);
                put(f, lo4, 4);
                put(f, lo4, 4);
        }
        put16(f, to_server ? fl->client_port : fl->server_port);
        put16(f, to_server ? fl->server_port : fl->client_port);
        if (!tcp) {
                put16(f, (uint16_t)(8 + payload));
                put16(f, 0);
        }
}

static void tcp_header(struct frame *f, uint32_t seq, uint8_t flags)
{
        put32(f, seq);
        put32(f, 0);
        put(f, (uint8_t[2]){ 5 << 4, flags }, 2);
        put16(f, 65535);
        put32(f, 0);
}

struct capture_file {
        pcap_t *pd;
        pcap_dumper_t *dump;
        unsigned packets;
};

static void cap_open(struct capture_file *c, const char *path, int link)
{
        c->pd = pcap_open_dead(link, 262144);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c->pd);
        c->dump = pcap_dump_open(c->pd, path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c->dump);
        c->packets = 0;
}

static void cap_write(struct capture_file *c, const struct frame *f)
{
        struct pcap_pkthdr h = { .ts = { 1700000000, (long)c->packets }, .caplen = (bpf_u_int32)f->n,
                                 .len = (bpf_u_int32)f->n };
        pcap_dump((u_char *)c->dump, &h, f->b);
        c->packets++;
}

static void cap_close(struct capture_file *c)
{
        pcap_dump_close(c->dump);
        pcap_close(c->pd);
}

static void udp_packet(struct capture_file *c, const struct flow *fl, bool to_server,
                       const uint8_t *msg, size_t n)
{
        struct frame f;
        frame_start(&f, fl, to_server, false, n);
        put(&f, msg, n);
        cap_write(c, &f);
}

static void tcp_packet(struct capture_file *c, const struct flow *fl, bool to_server, uint32_t seq,
                       uint8_t flags, const uint8_t *data, size_t n)
{
        struct frame f;
        frame_start(&f, fl, to_server, true, n);
        tcp_header(&f, seq, flags);
        put(&f, data, n);
        cap_write(c, &f);
}

/* UDP: a query without EDNS gets TC=1, one with EDNS the whole answer; then
 * TCP, the reply in three segments out of order with a retransmission. */
static void write_exchange(const char *path, const struct flow *fl)
{
        struct capture_file c;
        uint8_t q[512], r[1024], stream[1100];
        size_t qn, rn;

        cap_open(&c, path, fl->link);
        qn = make_query(q, sizeof(q), 0x0101, "api.mixpanel.com.", DNS_TYPE_A, -1);
        udp_packet(&c, fl, true, q, qn);
        rn = make_reply(r, sizeof(r), 0x0101, 30, true);
        udp_packet(&c, fl, false, r, rn);
        qn = make_query(q, sizeof(q), 0x0202, "api.mixpanel.com.", DNS_TYPE_A, 1232);
        udp_packet(&c, fl, true, q, qn);
        rn = make_reply(r, sizeof(r), 0x0202, 30, false);
        udp_packet(&c, fl, false, r, rn);

        tcp_packet(&c, fl, true, 1000, 0x02, NULL, 0);
        tcp_packet(&c, fl, false, 5000, 0x12, NULL, 0);
        qn = make_query(q + 2, sizeof(q) - 2, 0x0303, "api.mixpanel.com.", DNS_TYPE_A, -1);
        q[0] = (uint8_t)(qn >> 8);
        q[1] = (uint8_t)qn;
        tcp_packet(&c, fl, true, 1001, 0x18, q, qn + 2);
        rn = make_reply(stream + 2, sizeof(stream) - 2, 0x0303, 30, false);
        stream[0] = (uint8_t)(rn >> 8);
        stream[1] = (uint8_t)rn;
        tcp_packet(&c, fl, false, 5001 + 300, 0x18, stream + 300, rn + 2 - 300);
        tcp_packet(&c, fl, false, 5001, 0x10, stream, 200);
        tcp_packet(&c, fl, false, 5001, 0x10, stream, 300);      /* retransmission, longer */
        tcp_packet(&c, fl, false, 5001 + rn + 2, 0x11, NULL, 0);
        cap_close(&c);
}

static void check_exchange(const struct flow *fl)
{
        char path[] = "/tmp/stubcompat-replay-XXXXXX", err[512];
        struct canned_table t;
        uint8_t reply[1024];
        size_t rn = make_reply(reply, sizeof(reply), 0x0303, 30, false);
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        close(fd);
        write_exchange(path, fl);
        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        int rc = replay_pcap_read(path, 0, &t, err, sizeof(err));
        if (rc != 0)
                printf("\n    %s\n", err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        CU_ASSERT_EQUAL(t.nquestions, 1);
        const struct canned_rule *r = match(&t, 7, "api.mixpanel.com.", -1, TRANSPORT_UDP);
        CU_ASSERT(r && r->tc && r->len == 34);
        r = match(&t, 7, "api.mixpanel.com.", 1232, TRANSPORT_UDP);
        CU_ASSERT(r && !r->tc && r->len == 514);      /* sent as captured, over 512 */
        r = match(&t, 7, "api.mixpanel.com.", 512, TRANSPORT_UDP);
        CU_ASSERT(r && r->len == 514);
        r = match(&t, 7, "api.mixpanel.com.", -1, TRANSPORT_TCP);
        CU_ASSERT_FATAL(r != NULL);
        CU_ASSERT(r->len == rn && memcmp(r->msg, reply, rn) == 0);   /* reassembled */
        CU_ASSERT_EQUAL(t.nanswers, 1);
        CU_ASSERT_EQUAL(t.answers[0]->naddrs, 30);
        canned_table_free(&t);
        unlink(path);
}

static void test_pcap_ethernet_ipv4(void)
{
        check_exchange(&(struct flow){ DLT_EN10MB, false, 40000, 53 });
}

static void test_pcap_sll_ipv6(void)
{
        check_exchange(&(struct flow){ DLT_LINUX_SLL, true, 40000, 53 });
}

static void test_pcap_null_loop_raw(void)
{
        check_exchange(&(struct flow){ DLT_NULL, false, 40000, 53 });
        check_exchange(&(struct flow){ DLT_LOOP, true, 40000, 53 });
        check_exchange(&(struct flow){ DLT_RAW, false, 40000, 53 });
}

/* A capture taken with a "port N" filter: the port every packet uses. */
static void test_pcap_guesses_port(void)
{
        check_exchange(&(struct flow){ DLT_EN10MB, false, 40000, 5391 });
}

static void test_pcap_no_tcp_reply(void)
{
        char path[] = "/tmp/stubcompat-replay-XXXXXX", err[512];
        struct flow fl = { DLT_EN10MB, false, 40000, 53 };
        struct capture_file c;
        struct canned_table t;
        uint8_t r[1024];
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        close(fd);
        cap_open(&c, path, fl.link);
        udp_packet(&c, &fl, false, r, make_reply(r, sizeof(r), 1, 30, true));
        udp_packet(&c, &fl, false, r, make_reply(r, sizeof(r), 2, 40, false));
        cap_close(&c);
        CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
        CU_ASSERT_EQUAL_FATAL(replay_pcap_read(path, 53, &t, err, sizeof(err)), 0);
        const struct canned_rule *tcp = match(&t, 7, "api.mixpanel.com.", -1, TRANSPORT_TCP);
        CU_ASSERT(tcp && tcp->len == 12 + 22 + 40 * 16);              /* the largest */
        CU_ASSERT(tcp && strstr(tcp->note, "no TCP reply captured") != NULL);
        canned_table_free(&t);
        unlink(path);
}

/* ---------------------------------------------------------------- bad input */

/* Cases of a kind end in its extension: .pcap, .txt (dig), .testns. */
static bool is_case(const char *kind, const char *name, size_t len)
{
        const char *ext = strcmp(kind, "dig") == 0 ? ".txt" : strcmp(kind, "pcap") == 0 ? ".pcap"
                                                                                      : ".testns";
        size_t el = strlen(ext);
        return name[0] != '.' && len > el && strcmp(name + len - el, ext) == 0;
}

/* Runs every file of tests/bad-input/KIND through its reader. */
static void check_bad_inputs(const char *kind)
{
        char dir[4096];
        struct dirent *e;
        unsigned checked = 0;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/tests/bad-input/%s", test_source_dir(), kind);
        d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((e = readdir(d)) != NULL) {
                char path[8192], epath[8300], err[1024], *expected = NULL;
                size_t l = strlen(e->d_name);
                struct canned_table t;
                int rc;
                if (!is_case(kind, e->d_name, l))
                        continue;   /* .expected files, README.md, make-bad-pcaps.py */
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                snprintf(epath, sizeof(epath), "%s.expected", path);
                CU_ASSERT_EQUAL_FATAL(file_read_all(epath, &expected, NULL, err, sizeof(err)), 0);
                expected[strcspn(expected, "\n")] = '\0';
                CU_ASSERT_EQUAL_FATAL(canned_table_init(&t), 0);
                if (strcmp(kind, "pcap") == 0)
                        rc = replay_pcap_read(path, 0, &t, err, sizeof(err));
                else if (strcmp(kind, "dig") == 0)
                        rc = replay_dig_read(path, &t, err, sizeof(err));
                else
                        rc = replay_testns_read(path, &t, err, sizeof(err));
                /* messages name the file as given: compare from its base name */
                const char *got = strncmp(err, dir, strlen(dir)) == 0 ? err + strlen(dir) + 1 : err;
                CU_ASSERT_EQUAL(rc, -1);
                if (rc != -1 || strcmp(got, expected) != 0)
                        printf("\n    %s\n      got:      %s\n      expected: %s\n", e->d_name,
                               rc == -1 ? got : "(accepted)", expected);
                CU_ASSERT_STRING_EQUAL(got, expected);
                canned_table_free(&t);
                free(expected);
                checked++;
        }
        closedir(d);
        CU_ASSERT(checked >= 5);
}

static void test_bad_pcap(void)
{
        check_bad_inputs("pcap");
}

static void test_bad_dig(void)
{
        check_bad_inputs("dig");
}

static void test_bad_testns(void)
{
        check_bad_inputs("testns");
}

/* ---------------------------------------------------------------- explain */

static void test_explain_sentences(void)
{
        char path[4096], err[512], line[512];
        struct profile musl, glibc;
        struct matrix_cell c = { .verdict = VERDICT_PARTIAL, .addresses = 29, .expected = 30,
                                 .udp_queries = 1, .udp_bytes = 514, .tcp_bytes = -1,
                                 .edns = -1, .detail = "" };
        snprintf(c.qtype, sizeof(c.qtype), "A");
        snprintf(path, sizeof(path), "%s/clients/profiles/musl-1.2.3.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &musl, err, sizeof(err)), 0);
        snprintf(path, sizeof(path), "%s/clients/profiles/glibc-2.36.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &glibc, err, sizeof(err)), 0);
        struct explain_client m = { "musl-1.2.3", musl.stands_for, &musl };
        struct explain_client g = { "glibc-2.36", glibc.stands_for, &glibc };

        CU_ASSERT(explain_cell(&c, &m, line, sizeof(line)));
        CU_ASSERT(strstr(line, "musl 1.2.3") == line);
        CU_ASSERT(strstr(line, "has no TCP fallback and read only the first 512 bytes of the "
                               "514-byte reply: 29 of 30 addresses") != NULL);
        /* glibc: TC=1, TCP tried, refused */
        c = (struct matrix_cell){ .verdict = VERDICT_ERROR, .expected = 30, .udp_queries = 1,
                                  .tcp_queries = 1, .udp_bytes = 34, .tcp_bytes = -1,
                                  .tc_replies = 1, .edns = -1,
                                  .detail = "connect: Connection refused" };
        snprintf(c.qtype, sizeof(c.qtype), "A");
        snprintf(c.reason, sizeof(c.reason), "tcp-failed");
        CU_ASSERT(explain_cell(&c, &g, line, sizeof(line)));
        CU_ASSERT(strstr(line, "saw TC=1 and retried over TCP, but the TCP connection was refused") != NULL);
        c.verdict = VERDICT_OK;
        CU_ASSERT_FALSE(explain_cell(&c, &g, line, sizeof(line)));
        CU_ASSERT_STRING_EQUAL(line, "");
        /* without a profile the sentence still says what happened */
        struct explain_client none = { "real:x", "", NULL };
        c = (struct matrix_cell){ .verdict = VERDICT_TIMEOUT, .udp_queries = 1, .udp_bytes = -1,
                                  .tcp_bytes = -1, .edns = -1, .detail = "" };
        CU_ASSERT(explain_cell(&c, &none, line, sizeof(line)));
        CU_ASSERT(strstr(line, "real:x got no UDP reply") == line);
}

static const struct test_case canned_cases[] = {
        { "apply copies id and case", test_apply_copies_id_and_case },
        { "answer from a cut message", test_answer_from_cut_message },
        { NULL, NULL },
};

static const struct test_case dig_cases[] = {
        { "answer rebuilt from dig", test_dig_answer },
        { "TC=1 reply replayed on UDP", test_dig_tc_reply_is_replayed_on_udp },
        { "multiline NXDOMAIN", test_dig_multiline_nxdomain },
        { NULL, NULL },
};

static const struct test_case testns_cases[] = {
        { "entries become rules", test_testns_rules },
        { "testbound ranges", test_testbound_ranges },
        { "DO-only entries are not served", test_testns_do_entry_not_served },
        { NULL, NULL },
};

static const struct test_case pcap_cases[] = {
        { "ethernet ipv4", test_pcap_ethernet_ipv4 },
        { "sll ipv6", test_pcap_sll_ipv6 },
        { "null, loop, raw", test_pcap_null_loop_raw },
        { "server port guessed", test_pcap_guesses_port },
        { "no tcp reply", test_pcap_no_tcp_reply },
        { NULL, NULL },
};

static const struct test_case bad_cases[] = {
        { "pcap", test_bad_pcap },
        { "dig", test_bad_dig },
        { "testns", test_bad_testns },
        { NULL, NULL },
};

static const struct test_case explain_cases[] = {
        { "sentences", test_explain_sentences },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "canned", canned_cases },
        { "dig", dig_cases },
        { "testns", testns_cases },
        { "pcap", pcap_cases },
        { "bad-input", bad_cases },
        { "explain", explain_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "test-replay-readers", suites);
}
