/* reply_interpret, the socket-free half of the emulated stub, on replies built
 * here byte by byte: each knob of clients/profiles/README.md that acts on one
 * reply is shown to change what the stub does with it. The knobs that act on
 * the exchange (tcp-failure, tcp-closed-a/-aaaa, attempts, timeout-ms) are
 * exercised over sockets in tests/integration/test-engine.c.
 *
 *   knob                         test(s)
 *   transport                    tc/transport
 *   edns                         size/edns-raises-limit
 *   recv-buffer                  size/recv-buffer
 *   oversize                     size/oversize-cut, -truncated, -drop
 *   tc                           tc/with-records, tc/without-records
 *   parse                        parse/strict-vs-keep-partial
 *   bad-reply-a, bad-reply-aaaa  parse/bad-reply-a, parse/bad-reply-aaaa
 *   max-addresses                records/max-addresses
 *   max-records                  records/max-records
 *   rdata-overread               records/rdata-overread
 *   cname, max-cname             cname/follow-any-owner, cname/max-cname
 *   reject-compressed-question   question/compressed-question
 *   glibc-lame-rule              rcode/glibc-lame-rule
 *   formerr-retry-plain          rcode/formerr-retry-plain
 *   formerr-as                   rcode/formerr-as
 *   fail-on-rcode-error          rcode/fail-on-rcode-error
 *   empty-answer                 rcode/empty-answer */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/reply.h"
#include "tests/unit/dnstest.h"

#define QN "a.test."            /* 8 bytes on the wire: 36 A records make 600 bytes */
#define ID 0x4242
#define RFLAGS (DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA)

/* ---------------------------------------------------------------- replies by hand */

/* The reply being built: a header whose counts rb_len() fills in, then the
 * records in the order written. Owner NULL means a pointer to the question's
 * name (0xC00C), as servers write it. */
struct rb {
        uint8_t buf[4096];
        struct wire_writer w;
        uint16_t count[4];      /* qd, an, ns, ar */
        int section;            /* 1: answer, 2: authority, 3: additional */
};

static struct rb rb;

static void rb_start(uint16_t id, uint16_t flags, const char *qname, uint16_t qtype)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl = tname(qname, n);
        struct dns_header h = { .id = id, .flags = flags };

        memset(&rb, 0, sizeof(rb));
        wire_writer_init(&rb.w, rb.buf, sizeof(rb.buf), false);
        wire_write_header(&rb.w, &h);
        wire_write_question(&rb.w, n, nl, qtype, DNS_CLASS_IN);
        rb.count[0] = 1;
        rb.section = 1;
}

static void rb_owner(const char *owner)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl;

        if (!owner) {
                wire_write_u16(&rb.w, 0xC000 | DNS_HEADER_LEN);
                return;
        }
        nl = tname(owner, n);
        wire_write_name(&rb.w, n, nl, false);
}

static void rb_rr(const char *owner, uint16_t type, const void *rdata, uint16_t rdlen)
{
        rb_owner(owner);
        wire_write_u16(&rb.w, type);
        wire_write_u16(&rb.w, DNS_CLASS_IN);
        wire_write_u32(&rb.w, 60);
        wire_write_u16(&rb.w, rdlen);
        wire_write_bytes(&rb.w, rdata, rdlen);
        rb.count[rb.section]++;
}

static void rb_a(const char *owner, const char *text)
{
        uint8_t a[4];
        CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET, text, a), 1);
        rb_rr(owner, DNS_TYPE_A, a, 4);
}

static void rb_aaaa(const char *owner, const char *text)
{
        uint8_t a[16];
        CU_ASSERT_EQUAL_FATAL(inet_pton(AF_INET6, text, a), 1);
        rb_rr(owner, DNS_TYPE_AAAA, a, 16);
}

static void rb_cname(const char *owner, const char *target)
{
        uint8_t t[DNS_NAME_MAX];
        size_t tl = tname(target, t);
        rb_rr(owner, DNS_TYPE_CNAME, t, (uint16_t)tl);
}

static void rb_opt(void)
{
        rb.section = 3;
        wire_write_opt(&rb.w, 1232, 0, 0, 0);
        rb.count[3]++;
}

/* Writes the counts into the header and returns the reply's length. */
static size_t rb_len(void)
{
        for (int i = 0; i < 4; i++)
                wire_patch_u16(&rb.w, 4 + 2 * (size_t)i, rb.count[i]);
        CU_ASSERT_EQUAL_FATAL(wire_writer_status(&rb.w), 0);
        return rb.w.len;
}

/* A reply to QN A with n A records 10.0.x.y (x.y = 1..n), owners compressed:
 * 24 + 16 n bytes, so 36 records make a 600-byte datagram. */
static size_t rb_many(uint16_t flags, unsigned n)
{
        rb_start(ID, flags, QN, DNS_TYPE_A);
        for (unsigned i = 1; i <= n; i++) {
                char text[32];
                snprintf(text, sizeof(text), "10.0.%u.%u", i / 256, i % 256);
                rb_a(NULL, text);
        }
        return rb_len();
}

/* ---------------------------------------------------------------- the stub's side */

static struct outcome out;
static char note[256];

static struct profile prof(void)
{
        struct profile p;
        profile_defaults(&p);
        snprintf(p.name, sizeof(p.name), "test");
        return p;
}

static struct stub_question question(const char *qname, uint16_t qtype, bool sent_edns)
{
        struct stub_question q = { .id = ID, .qtype = qtype, .sent_edns = sent_edns };
        q.qname_len = tname(qname, q.qname);
        return q;
}

/* Reads the first len bytes of the reply being built as the answer to q. */
static enum reply_action interpret(const struct profile *p, const struct stub_question *q,
                                   size_t len, bool tcp)
{
        note[0] = '\0';
        return reply_interpret(p, q, rb.buf, len, tcp, &out, note, sizeof(note), NULL);
}

/* ... to QN A over UDP, without EDNS. */
static enum reply_action udp(const struct profile *p, size_t len)
{
        struct stub_question q = question(QN, DNS_TYPE_A, false);
        return interpret(p, &q, len, false);
}

static bool has4(const char *text)
{
        uint8_t a[4];
        inet_pton(AF_INET, text, a);
        for (size_t i = 0; i < out.naddrs; i++)
                if (out.addrs[i].family == 4 && memcmp(out.addrs[i].addr, a, 4) == 0)
                        return true;
        return false;
}

/* The action, and for DONE/NEXT the outcome's status and address count; on a
 * mismatch the outcome is printed. */
#define EXPECT(action, want_, status_, n_) do { \
        enum reply_action got_ = (action); \
        bool ok_ = got_ == (want_) && out.naddrs == (size_t)(n_) && \
                   ((want_) == REPLY_IGNORE || (want_) == REPLY_RETRY_TCP || \
                    (want_) == REPLY_RETRY_PLAIN || out.status == (status_)); \
        CU_ASSERT(ok_); \
        if (!ok_) \
                fprintf(stderr, "\n      line %d: %s status=%d naddrs=%zu reason='%s' " \
                        "message='%s' note='%s'\n", __LINE__, reply_action_to_string(got_), \
                        (int)out.status, out.naddrs, out.reason, out.message, note); \
} while (0)

/* ---------------------------------------------------------------- basics */

static void test_answer(void)
{
        struct profile p = prof();
        struct stub_question q = question(QN, DNS_TYPE_AAAA, false);
        size_t len;

        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_a(NULL, "192.0.2.1");
        rb_a(NULL, "192.0.2.2");
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT(has4("192.0.2.1") && has4("192.0.2.2"));

        rb_start(ID, RFLAGS, QN, DNS_TYPE_AAAA);
        rb_aaaa(NULL, "2001:db8::1");
        len = rb_len();
        EXPECT(interpret(&p, &q, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        CU_ASSERT_EQUAL(out.addrs[0].family, 6);
        CU_ASSERT_EQUAL(out.addrs[0].addr[15], 1);
}

static void test_wrong_id(void)
{
        struct profile p = prof();
        rb_start(ID + 1, RFLAGS, QN, DNS_TYPE_A);
        rb_a(NULL, "192.0.2.1");
        EXPECT(udp(&p, rb_len()), REPLY_IGNORE, 0, 0);
}

static void test_not_a_reply(void)
{
        struct profile p = prof();
        rb_start(ID, DNS_FLAG_RD | DNS_FLAG_RA, QN, DNS_TYPE_A);     /* QR=0 */
        rb_a(NULL, "192.0.2.1");
        EXPECT(udp(&p, rb_len()), REPLY_IGNORE, 0, 0);
        /* under a header */
        EXPECT(udp(&p, 11), REPLY_IGNORE, 0, 0);
}

static void test_other_question(void)
{
        struct profile p = prof();
        size_t len;

        rb_start(ID, RFLAGS, "b.test.", DNS_TYPE_A);
        rb_a(NULL, "192.0.2.1");
        EXPECT(udp(&p, rb_len()), REPLY_IGNORE, 0, 0);

        rb_start(ID, RFLAGS, QN, DNS_TYPE_AAAA);
        rb_aaaa(NULL, "2001:db8::1");
        EXPECT(udp(&p, rb_len()), REPLY_IGNORE, 0, 0);

        /* the same name in another case is the same question (0x20) */
        rb_start(ID, RFLAGS, "A.TeSt.", DNS_TYPE_A);
        rb_a(NULL, "192.0.2.1");
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_ADDRESSES, 1);

        /* no question echoed, or two */
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        len = rb_len();
        wire_patch_u16(&rb.w, 4, 0);
        EXPECT(udp(&p, len), REPLY_IGNORE, 0, 0);
        wire_patch_u16(&rb.w, 4, 2);
        EXPECT(udp(&p, len), REPLY_IGNORE, 0, 0);
}

static void test_nxdomain(void)
{
        struct profile p = prof();
        rb_start(ID, RFLAGS | DNS_RCODE_NXDOMAIN, QN, DNS_TYPE_A);
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
        /* whatever empty-answer says */
        p.empty = PROFILE_EMPTY_NODATA;
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
}

static void test_tcp_reply_ignores_tc(void)
{
        struct profile p = prof();
        struct stub_question q = question(QN, DNS_TYPE_A, false);
        size_t len = rb_many(RFLAGS | DNS_FLAG_TC, 36);

        /* over TCP neither the TC bit nor the UDP buffer applies */
        p.tc = PROFILE_TC_FAIL;
        p.oversize = PROFILE_OVERSIZE_DROP;
        EXPECT(interpret(&p, &q, len, true), REPLY_DONE, OUTCOME_ADDRESSES, 36);
}

/* ---------------------------------------------------------------- size: edns, recv-buffer, oversize */

/* The 600-byte reply: 36 records; 512 bytes hold 30 whole ones and 8 bytes of
 * the 31st (owner pointer, type, class, TTL: cut before its rdlength). */
static size_t big(uint16_t flags)
{
        size_t len = rb_many(flags, 36);
        CU_ASSERT_EQUAL_FATAL(len, 600);
        return len;
}

static void test_recv_buffer(void)
{
        struct profile p = prof();
        size_t len = big(RFLAGS);

        p.oversize = PROFILE_OVERSIZE_DROP;
        p.recv_buffer = 512;
        EXPECT(udp(&p, len), REPLY_IGNORE, 0, 0);
        p.recv_buffer = 600;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 36);
        p.recv_buffer = 599;
        EXPECT(udp(&p, len), REPLY_IGNORE, 0, 0);
}

static void test_oversize_cut(void)
{
        struct profile p = prof();
        size_t len = big(RFLAGS);

        p.oversize = PROFILE_OVERSIZE_CUT;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 30);
        CU_ASSERT(has4("10.0.0.30") && !has4("10.0.0.31"));
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "cut"));
        /* the cut is silent: no TC, so tc=fail does not apply */
        p.tc = PROFILE_TC_FAIL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 30);
        /* strict: the cut record makes the reply bad */
        p.parse = PROFILE_PARSE_STRICT;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "badresp");
}

static void test_oversize_truncated(void)
{
        struct profile p = prof();
        size_t len = big(RFLAGS);     /* TC=0: only its size makes it truncated */

        p.oversize = PROFILE_OVERSIZE_TRUNCATED;
        p.tc = PROFILE_TC_RETRY_TCP;
        EXPECT(udp(&p, len), REPLY_RETRY_TCP, 0, 0);
        p.tc = PROFILE_TC_FAIL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "truncated");
        /* used as truncated: read up to the buffer */
        p.tc = PROFILE_TC_USE;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 30);
        CU_ASSERT(!has4("10.0.0.31"));
        /* it fits: nothing happens */
        p.recv_buffer = 600;
        p.tc = PROFILE_TC_FAIL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 36);
}

static void test_oversize_drop(void)
{
        struct profile p = prof();
        size_t len = big(RFLAGS);

        p.oversize = PROFILE_OVERSIZE_DROP;
        p.tc = PROFILE_TC_USE;
        EXPECT(udp(&p, len), REPLY_IGNORE, 0, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "dropped"));
        /* a datagram within the buffer is read */
        EXPECT(udp(&p, rb_many(RFLAGS, 30)), REPLY_DONE, OUTCOME_ADDRESSES, 30);
}

static void test_edns_raises_limit(void)
{
        struct profile p = prof();
        struct stub_question with = question(QN, DNS_TYPE_A, true);
        struct stub_question without = question(QN, DNS_TYPE_A, false);
        size_t len = big(RFLAGS);

        p.recv_buffer = 512;
        p.edns = 1232;
        p.oversize = PROFILE_OVERSIZE_DROP;
        /* the query carried OPT 1232: 600 bytes are within the limit */
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 36);
        /* asked again without OPT (formerr-retry-plain): 512 again */
        EXPECT(interpret(&p, &without, len, false), REPLY_IGNORE, 0, 0);
        /* an EDNS size under the buffer does not lower it */
        p.edns = 512;
        p.recv_buffer = 600;
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 36);
        /* oversize=cut reads up to the EDNS size */
        p.edns = 560;
        p.recv_buffer = 512;
        p.oversize = PROFILE_OVERSIZE_CUT;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 33);
        EXPECT(interpret(&p, &without, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 30);
}

/* ---------------------------------------------------------------- tc, transport */

static void test_tc_with_records(void)
{
        struct profile p = prof();
        size_t len = rb_many(RFLAGS | DNS_FLAG_TC, 2);

        p.tc = PROFILE_TC_RETRY_TCP;
        EXPECT(udp(&p, len), REPLY_RETRY_TCP, 0, 0);
        p.tc = PROFILE_TC_FAIL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "truncated");
        p.tc = PROFILE_TC_USE;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "truncated reply used"));
        p.tc = PROFILE_TC_USE_IF_ANSWERS;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
}

static void test_tc_without_records(void)
{
        struct profile p = prof();
        size_t len = rb_many(RFLAGS | DNS_FLAG_TC, 0);   /* Route 53 style tc-empty */

        p.tc = PROFILE_TC_RETRY_TCP;
        EXPECT(udp(&p, len), REPLY_RETRY_TCP, 0, 0);
        p.tc = PROFILE_TC_FAIL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "truncated");
        p.tc = PROFILE_TC_USE;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        p.empty = PROFILE_EMPTY_NXDOMAIN;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
        /* next server (or try), with the reason kept for when none is left */
        p.tc = PROFILE_TC_USE_IF_ANSWERS;
        EXPECT(udp(&p, len), REPLY_NEXT, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "truncated");
}

static void test_transport(void)
{
        struct profile p = prof();
        size_t len = rb_many(RFLAGS | DNS_FLAG_TC, 2);

        p.tc = PROFILE_TC_RETRY_TCP;
        p.transport = PROFILE_TRANSPORT_UDP_THEN_TCP;
        EXPECT(udp(&p, len), REPLY_RETRY_TCP, 0, 0);
        /* no TCP to retry over: the truncated reply is what there is */
        p.transport = PROFILE_TRANSPORT_UDP_ONLY;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "truncated reply used"));
        /* the same for a datagram truncated by its size */
        p.oversize = PROFILE_OVERSIZE_TRUNCATED;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        EXPECT(udp(&p, big(RFLAGS)), REPLY_DONE, OUTCOME_ADDRESSES, 30);
        p.transport = PROFILE_TRANSPORT_UDP_THEN_TCP;
        EXPECT(udp(&p, big(RFLAGS)), REPLY_RETRY_TCP, 0, 0);
}

/* ---------------------------------------------------------------- parse, bad-reply-* */

/* Three A records (or AAAA for qtype AAAA), the reply cut in the middle of the
 * third one's type field: 24 + 2 x 16 + 3 bytes for A. */
static size_t cut_reply(uint16_t qtype)
{
        size_t rr = qtype == DNS_TYPE_A ? 16 : 28;
        rb_start(ID, RFLAGS, QN, qtype);
        for (int i = 1; i <= 3; i++) {
                char text[32];
                if (qtype == DNS_TYPE_A) {
                        snprintf(text, sizeof(text), "192.0.2.%d", i);
                        rb_a(NULL, text);
                } else {
                        snprintf(text, sizeof(text), "2001:db8::%d", i);
                        rb_aaaa(NULL, text);
                }
        }
        CU_ASSERT_EQUAL_FATAL(rb_len(), 24 + 3 * rr);
        return 24 + 2 * rr + 3;
}

static void test_parse(void)
{
        struct profile p = prof();
        size_t len = cut_reply(DNS_TYPE_A);

        p.parse = PROFILE_PARSE_STRICT;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "badresp");
        CU_ASSERT_PTR_NOT_NULL(strstr(out.message, "answer record 3"));
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT(has4("192.0.2.1") && has4("192.0.2.2") && !has4("192.0.2.3"));
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "kept records before damage"));
        /* a cut in the first record: nothing kept, which is an empty answer */
        EXPECT(udp(&p, 24 + 5), REPLY_DONE, OUTCOME_NODATA, 0);
        /* the whole reply parses the same either way */
        p.parse = PROFILE_PARSE_STRICT;
        EXPECT(udp(&p, 24 + 3 * 16), REPLY_DONE, OUTCOME_ADDRESSES, 3);
}

/* bad-reply-X maps a strict parse failure of an X reply, and only of it. */
static void check_bad_reply(uint16_t qtype)
{
        static const struct {
                enum profile_bad_reply how;
                enum outcome_status status;
        } rows[] = {
                { PROFILE_BAD_REPLY_ERROR, OUTCOME_ERROR },
                { PROFILE_BAD_REPLY_NODATA, OUTCOME_NODATA },
                { PROFILE_BAD_REPLY_NXDOMAIN, OUTCOME_NXDOMAIN },
        };
        struct stub_question q = question(QN, qtype, false);
        size_t len = cut_reply(qtype);

        for (size_t i = 0; i < 3; i++) {
                struct profile p = prof();
                enum profile_bad_reply *knob = qtype == DNS_TYPE_A ? &p.bad_reply_a : &p.bad_reply_aaaa;
                enum profile_bad_reply *other = qtype == DNS_TYPE_A ? &p.bad_reply_aaaa : &p.bad_reply_a;
                p.parse = PROFILE_PARSE_STRICT;
                *knob = rows[i].how;
                *other = rows[(i + 1) % 3].how;         /* the other type's knob differs */
                EXPECT(interpret(&p, &q, len, false), REPLY_DONE, rows[i].status, 0);
                CU_ASSERT_PTR_NOT_NULL(strstr(out.message, "malformed reply"));
                /* keep-partial never consults it */
                p.parse = PROFILE_PARSE_KEEP_PARTIAL;
                EXPECT(interpret(&p, &q, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        }
}

static void test_bad_reply_a(void)
{
        check_bad_reply(DNS_TYPE_A);
}

static void test_bad_reply_aaaa(void)
{
        check_bad_reply(DNS_TYPE_AAAA);
}

/* ---------------------------------------------------------------- records: caps, overread */

static void test_max_addresses(void)
{
        struct profile p = prof();
        size_t len = rb_many(RFLAGS, 5);

        p.max_addresses = 0;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 5);
        p.max_addresses = 2;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT(has4("10.0.0.1") && has4("10.0.0.2"));
        p.max_addresses = 1;
        p.cname = PROFILE_CNAME_ANY_OWNER;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        CU_ASSERT(has4("10.0.0.1"));
}

static void test_max_records(void)
{
        struct profile p = prof();
        size_t len = rb_many(RFLAGS, 3);            /* qdcount + ancount = 4 */

        p.max_records = 0;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 3);
        p.max_records = 4;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 3);
        /* over the limit: read as empty, so empty-answer decides (musl: nxdomain) */
        p.max_records = 3;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        p.empty = PROFILE_EMPTY_NXDOMAIN;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "max-records"));
}

/* musl's overread: three A records, the last one's rdata cut by two bytes. */
static void test_rdata_overread(void)
{
        struct profile p = prof();
        struct expected_addrs served = { 0 };
        const char *reason;
        static const uint8_t a1[4] = { 192, 0, 2, 1 }, a2[4] = { 192, 0, 2, 2 },
                             a3[4] = { 198, 51, 100, 7 }, zero_tail[4] = { 198, 51, 0, 0 };
        size_t len;

        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_rr(NULL, DNS_TYPE_A, a1, 4);
        rb_rr(NULL, DNS_TYPE_A, a2, 4);
        rb_rr(NULL, DNS_TYPE_A, a3, 4);
        len = rb_len() - 2;
        CU_ASSERT_EQUAL(len, 24 + 3 * 16 - 2);
        expected_add(&served, 4, a1);
        expected_add(&served, 4, a2);
        expected_add(&served, 4, a3);

        /* the shape of musl-1.2.3: keep-partial, any-owner */
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        p.cname = PROFILE_CNAME_ANY_OWNER;

        p.rdata_overread = 10;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 3);
        CU_ASSERT(out.naddrs == 3 && memcmp(out.addrs[2].addr, zero_tail, 4) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(note, "past the end"));
        CU_ASSERT_EQUAL(verdict_of(&out, &served, &reason), VERDICT_WRONG);
        CU_ASSERT_STRING_EQUAL(reason, "unserved-address");

        /* exactly as far as allowed, and one byte short of it */
        p.rdata_overread = 2;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 3);
        p.rdata_overread = 1;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);

        p.rdata_overread = 0;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT(has4("192.0.2.1") && has4("192.0.2.2"));
        CU_ASSERT_EQUAL(verdict_of(&out, &served, &reason), VERDICT_PARTIAL);

        /* a cut before the rdlength leaves nothing to overread */
        p.rdata_overread = 10;
        EXPECT(udp(&p, 24 + 2 * 16 + 9), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        /* strict parsing rejects the reply before any overread */
        p.parse = PROFILE_PARSE_STRICT;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        /* max-addresses still caps it */
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        p.max_addresses = 2;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        expected_free(&served);
}

/* ---------------------------------------------------------------- cname */

static void test_cname_follow_any_owner(void)
{
        struct profile p = prof();
        size_t len;

        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_cname(NULL, "t.test.");
        rb_a("t.test.", "192.0.2.1");
        rb_a("other.test.", "203.0.113.9");
        len = rb_len();

        p.cname = PROFILE_CNAME_FOLLOW;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        CU_ASSERT(has4("192.0.2.1") && !has4("203.0.113.9"));
        p.cname = PROFILE_CNAME_ANY_OWNER;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 2);
        CU_ASSERT(has4("192.0.2.1") && has4("203.0.113.9"));

        /* an address at a name the chain never reaches */
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_cname(NULL, "t.test.");
        rb_a("other.test.", "203.0.113.9");
        len = rb_len();
        p.cname = PROFILE_CNAME_FOLLOW;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        p.cname = PROFILE_CNAME_ANY_OWNER;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 1);
}

/* QN -> c1 -> c2 -> c3, and the address at c3. */
static size_t chain3(void)
{
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_cname(NULL, "c1.test.");
        rb_cname("c1.test.", "c2.test.");
        rb_cname("c2.test.", "c3.test.");
        rb_a("c3.test.", "192.0.2.3");
        return rb_len();
}

static void test_max_cname(void)
{
        struct profile p = prof();
        size_t len = chain3();

        p.cname = PROFILE_CNAME_FOLLOW;
        p.max_cname = 3;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        CU_ASSERT(has4("192.0.2.3"));
        p.max_cname = 2;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "cname-depth");
        p.max_cname = 0;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
        /* any-owner follows nothing, so no limit applies */
        p.cname = PROFILE_CNAME_ANY_OWNER;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 1);
}

/* ---------------------------------------------------------------- question */

/* A reply to ". A" whose question name is the pointer 0xC004: offset 4 is
 * QDCOUNT's high byte, 0, i.e. the root name. The only backward pointer a
 * question can hold; lwIP's name comparison does not follow it. */
static size_t compressed_question_reply(void)
{
        static const uint8_t a[4] = { 192, 0, 2, 4 };
        struct dns_header h = { .id = ID, .flags = RFLAGS };

        memset(&rb, 0, sizeof(rb));
        wire_writer_init(&rb.w, rb.buf, sizeof(rb.buf), false);
        wire_write_header(&rb.w, &h);
        wire_write_u16(&rb.w, 0xC004);
        wire_write_u16(&rb.w, DNS_TYPE_A);
        wire_write_u16(&rb.w, DNS_CLASS_IN);
        rb.count[0] = 1;
        rb.section = 1;
        wire_write_u8(&rb.w, 0);                      /* owner: the root, in full */
        wire_write_u16(&rb.w, DNS_TYPE_A);
        wire_write_u16(&rb.w, DNS_CLASS_IN);
        wire_write_u32(&rb.w, 60);
        wire_write_u16(&rb.w, 4);
        wire_write_bytes(&rb.w, a, 4);
        rb.count[1] = 1;
        return rb_len();
}

static void test_compressed_question(void)
{
        struct profile p = prof();
        struct stub_question root = question(".", DNS_TYPE_A, false);
        size_t len = compressed_question_reply();

        CU_ASSERT_EQUAL(rb.buf[4], 0);
        p.reject_compressed_question = false;
        EXPECT(interpret(&p, &root, len, false), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        p.reject_compressed_question = true;
        EXPECT(interpret(&p, &root, len, false), REPLY_IGNORE, 0, 0);

        /* the same reply with the question written in full is accepted */
        rb_start(ID, RFLAGS, ".", DNS_TYPE_A);
        rb_a(".", "192.0.2.4");
        EXPECT(interpret(&p, &root, rb_len(), false), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_a(NULL, "192.0.2.4");      /* compressed owners are fine */
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_ADDRESSES, 1);
}

/* ---------------------------------------------------------------- rcode, lame, empty */

static void test_glibc_lame_rule(void)
{
        struct profile p = prof();
        /* NOERROR, ancount=0, AA=0, RA=0, arcount=0, and TC=1 */
        size_t lame = rb_many(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_TC, 0);
        size_t len;

        p.tc = PROFILE_TC_RETRY_TCP;
        p.glibc_lame_rule = false;
        EXPECT(udp(&p, lame), REPLY_RETRY_TCP, 0, 0);
        /* the lame check comes before TC is looked at */
        p.glibc_lame_rule = true;
        EXPECT(udp(&p, lame), REPLY_NEXT, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "lame-server");
        /* any of RA, AA, an OPT record or an answer: not lame, TC path */
        EXPECT(udp(&p, rb_many(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_TC | DNS_FLAG_RA, 0)),
               REPLY_RETRY_TCP, 0, 0);
        EXPECT(udp(&p, rb_many(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_TC | DNS_FLAG_AA, 0)),
               REPLY_RETRY_TCP, 0, 0);
        EXPECT(udp(&p, rb_many(DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_TC, 1)), REPLY_RETRY_TCP, 0, 0);
        rb_start(ID, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_TC, QN, DNS_TYPE_A);
        rb_opt();
        len = rb_len();
        EXPECT(udp(&p, len), REPLY_RETRY_TCP, 0, 0);
        /* without TC: lame vs an empty answer */
        len = rb_many(DNS_FLAG_QR | DNS_FLAG_RD, 0);
        EXPECT(udp(&p, len), REPLY_NEXT, OUTCOME_ERROR, 0);
        p.glibc_lame_rule = false;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        /* NXDOMAIN is never lame */
        p.glibc_lame_rule = true;
        rb_start(ID, DNS_FLAG_QR | DNS_FLAG_RD | DNS_RCODE_NXDOMAIN, QN, DNS_TYPE_A);
        EXPECT(udp(&p, rb_len()), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
}

static size_t rcode_reply(int rcode)
{
        rb_start(ID, RFLAGS | (uint16_t)rcode, QN, DNS_TYPE_A);
        return rb_len();
}

static void test_formerr_retry_plain(void)
{
        struct profile p = prof();
        struct stub_question with = question(QN, DNS_TYPE_A, true);
        struct stub_question without = question(QN, DNS_TYPE_A, false);
        size_t len = rcode_reply(DNS_RCODE_FORMERR);

        p.edns = 1232;
        p.formerr_retry_plain = PROFILE_FORMERR_RETRY_PER_QUERY;
        EXPECT(interpret(&p, &with, len, false), REPLY_RETRY_PLAIN, 0, 0);
        /* the plain query got FORMERR too: no second retry */
        EXPECT(interpret(&p, &without, len, false), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "formerr");
        p.formerr_retry_plain = PROFILE_FORMERR_RETRY_NO;
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_ERROR, 0);
        CU_ASSERT_STRING_EQUAL(out.reason, "formerr");
}

static void test_formerr_as(void)
{
        struct profile p = prof();
        struct stub_question with = question(QN, DNS_TYPE_A, true);
        size_t len = rcode_reply(DNS_RCODE_FORMERR);

        p.edns = 1200;
        p.formerr_retry_plain = PROFILE_FORMERR_RETRY_NO;
        p.formerr_as = PROFILE_BAD_REPLY_NXDOMAIN;    /* glibc-2.36-edns0 */
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
        p.formerr_as = PROFILE_BAD_REPLY_NODATA;
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_NODATA, 0);
        /* error: an error rcode like the others, so fail-on-rcode-error decides */
        p.formerr_as = PROFILE_BAD_REPLY_ERROR;
        p.fail_on_rcode_error = true;
        EXPECT(interpret(&p, &with, len, false), REPLY_DONE, OUTCOME_ERROR, 0);
        p.fail_on_rcode_error = false;
        EXPECT(interpret(&p, &with, len, false), REPLY_NEXT, OUTCOME_ERROR, 0);
        /* formerr-retry-plain wins when it applies */
        p.formerr_as = PROFILE_BAD_REPLY_NXDOMAIN;
        p.formerr_retry_plain = PROFILE_FORMERR_RETRY_PER_QUERY;
        EXPECT(interpret(&p, &with, len, false), REPLY_RETRY_PLAIN, 0, 0);
}

static void test_fail_on_rcode_error(void)
{
        static const struct {
                int rcode;
                const char *reason;
        } rows[] = {
                { DNS_RCODE_SERVFAIL, "servfail" },
                { DNS_RCODE_REFUSED, "refused" },
                { DNS_RCODE_NOTIMP, "notimp" },
        };
        struct profile p = prof();

        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
                size_t len = rcode_reply(rows[i].rcode);
                p.fail_on_rcode_error = true;
                EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ERROR, 0);
                CU_ASSERT_STRING_EQUAL(out.reason, rows[i].reason);
                /* next try or server; the reason is kept for when none is left */
                p.fail_on_rcode_error = false;
                EXPECT(udp(&p, len), REPLY_NEXT, OUTCOME_ERROR, 0);
                CU_ASSERT_STRING_EQUAL(out.reason, rows[i].reason);
        }
}

static void test_empty_answer(void)
{
        struct profile p = prof();
        size_t len = rcode_reply(DNS_RCODE_NOERROR);

        p.empty = PROFILE_EMPTY_NODATA;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        p.empty = PROFILE_EMPTY_NXDOMAIN;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NXDOMAIN, 0);

        /* a CNAME and no address is empty too */
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_cname(NULL, "t.test.");
        len = rb_len();
        p.empty = PROFILE_EMPTY_NODATA;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NODATA, 0);
        p.empty = PROFILE_EMPTY_NXDOMAIN;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_NXDOMAIN, 0);
}

/* rdata-overread follows the chain too: the cut record belongs to the qname */
static void test_overread_follow(void)
{
        struct profile p = prof();
        static const uint8_t a1[4] = { 192, 0, 2, 1 }, a2[4] = { 192, 0, 2, 2 }, a3[4] = { 198, 51, 100, 7 };
        size_t len;
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_rr(NULL, DNS_TYPE_A, a1, 4);
        rb_rr(NULL, DNS_TYPE_A, a2, 4);
        rb_rr(NULL, DNS_TYPE_A, a3, 4);
        len = rb_len() - 2;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        p.cname = PROFILE_CNAME_FOLLOW;
        p.rdata_overread = 10;
        EXPECT(udp(&p, len), REPLY_DONE, OUTCOME_ADDRESSES, 3);
}
/* strict parsing reads the answer section only: damage after it is never seen */
static void test_strict_answer_only(void)
{
        struct profile p = prof();
        size_t len;
        rb_start(ID, RFLAGS, QN, DNS_TYPE_A);
        rb_a(NULL, "192.0.2.1");
        rb.section = 2;
        rb_a("ns.test.", "192.0.2.53");
        rb_a("ns.test.", "192.0.2.54");
        len = rb_len();
        p.parse = PROFILE_PARSE_STRICT;
        /* cut inside authority record 1 */
        EXPECT(udp(&p, len - 23 - 5), REPLY_DONE, OUTCOME_ADDRESSES, 1);
        /* cut inside authority record 2 */
        EXPECT(udp(&p, len - 5), REPLY_DONE, OUTCOME_ADDRESSES, 1);
}
/* ---------------------------------------------------------------- suites */

static const struct test_case basic_tests[] = {
        { "answer", test_answer },
        { "wrong-id", test_wrong_id },
        { "not-a-reply", test_not_a_reply },
        { "other-question", test_other_question },
        { "nxdomain", test_nxdomain },
        { "tcp-ignores-tc", test_tcp_reply_ignores_tc },
        { NULL, NULL },
};

static const struct test_case size_tests[] = {
        { "recv-buffer", test_recv_buffer },
        { "oversize-cut", test_oversize_cut },
        { "oversize-truncated", test_oversize_truncated },
        { "oversize-drop", test_oversize_drop },
        { "edns-raises-limit", test_edns_raises_limit },
        { NULL, NULL },
};

static const struct test_case tc_tests[] = {
        { "with-records", test_tc_with_records },
        { "without-records", test_tc_without_records },
        { "transport", test_transport },
        { NULL, NULL },
};

static const struct test_case parse_tests[] = {
        { "strict-vs-keep-partial", test_parse },
        { "bad-reply-a", test_bad_reply_a },
        { "bad-reply-aaaa", test_bad_reply_aaaa },
        { "strict-answer-only", test_strict_answer_only },
        { NULL, NULL },
};

static const struct test_case records_tests[] = {
        { "max-addresses", test_max_addresses },
        { "max-records", test_max_records },
        { "rdata-overread", test_rdata_overread },
        { "rdata-overread-follow", test_overread_follow },
        { NULL, NULL },
};

static const struct test_case cname_tests[] = {
        { "follow-any-owner", test_cname_follow_any_owner },
        { "max-cname", test_max_cname },
        { NULL, NULL },
};

static const struct test_case question_tests[] = {
        { "compressed-question", test_compressed_question },
        { NULL, NULL },
};

static const struct test_case rcode_tests[] = {
        { "glibc-lame-rule", test_glibc_lame_rule },
        { "formerr-retry-plain", test_formerr_retry_plain },
        { "formerr-as", test_formerr_as },
        { "fail-on-rcode-error", test_fail_on_rcode_error },
        { "empty-answer", test_empty_answer },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "basic", basic_tests },
        { "size", size_tests },
        { "tc", tc_tests },
        { "parse", parse_tests },
        { "records", records_tests },
        { "cname", cname_tests },
        { "question", question_tests },
        { "rcode", rcode_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "reply", suites);
}
