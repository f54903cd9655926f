/* The reader on hostile and cut input: every malformed-input class gives one
 * exact error with its section, record and offset (what a test report shows
 * for a cut reply), and names from and to presentation text. */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/dnstest.h"

/* A message assembled byte by byte. */
struct raw {
        uint8_t b[1024];
        size_t n;
};

static void raw_put(struct raw *r, const void *p, size_t n)
{
        CU_ASSERT_FATAL(n <= sizeof(r->b) - r->n);
        memcpy(r->b + r->n, p, n);
        r->n += n;
}

static void raw_u16(struct raw *r, uint16_t v)
{
        uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
        raw_put(r, b, 2);
}

static void raw_hex(struct raw *r, const char *bytes, size_t n)
{
        raw_put(r, bytes, n);
}

/* A label of n bytes of ch (no terminator). */
static void raw_label(struct raw *r, uint8_t n, char ch)
{
        uint8_t l[64];
        l[0] = n;
        memset(l + 1, ch, n);
        raw_put(r, l, (size_t)n + 1);
}

static void raw_header(struct raw *r, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
        r->n = 0;
        raw_u16(r, 0x4242);
        raw_u16(r, DNS_FLAG_QR);
        raw_u16(r, qd);
        raw_u16(r, an);
        raw_u16(r, ns);
        raw_u16(r, ar);
}

/* Header and the question api.mixpanel.com. IN A: 34 bytes. */
static void raw_query_api(struct raw *r, uint16_t an, uint16_t ar)
{
        raw_header(r, 1, an, 0, ar);
        raw_hex(r, "\003api\010mixpanel\003com\000\000\001\000\001", 22);
        CU_ASSERT_EQUAL(r->n, 34);
}

/* Type, class IN, ttl 60 and rdlength, after an owner the caller wrote. */
static void raw_rr_fixed(struct raw *r, uint16_t type, uint16_t rdlength)
{
        raw_u16(r, type);
        raw_u16(r, DNS_CLASS_IN);
        raw_hex(r, "\000\000\000\074", 4);
        raw_u16(r, rdlength);
}

/* The message must fail to parse with exactly `want`. */
static void expect_error(const uint8_t *buf, size_t len, const char *want)
{
        char err[128];
        CU_ASSERT_EQUAL(twalk(buf, len, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, want);
        if (strcmp(err, want) != 0)
                fprintf(stderr, "\n      got '%s', want '%s'\n", err, want);
}

static void test_err_header(void)
{
        struct raw r;
        struct wire_reader rd;
        char err[128];

        raw_query_api(&r, 0, 0);
        expect_error(r.b, 11, "short in header at offset 10");
        expect_error(r.b, 0, "short in header at offset 0");
        CU_ASSERT_EQUAL(wire_reader_init(&rd, r.b, 5), -1);
        CU_ASSERT_EQUAL(rd.hdr.id, 0x4242);     /* what was read before the cut */
        CU_ASSERT_EQUAL(rd.hdr.qdcount, 0);
        raw_header(&r, 0, 0, 0, 0);
        CU_ASSERT_EQUAL(twalk(r.b, 12, err, sizeof(err)), 0);
        CU_ASSERT_STRING_EQUAL(err, "ok");
}

static void test_err_question(void)
{
        struct raw r;
        raw_query_api(&r, 0, 0);
        expect_error(r.b, 12, "short in question record 1 at offset 12");
        expect_error(r.b, 20, "short in question record 1 at offset 16");   /* in "mixpanel" */
        expect_error(r.b, 30, "short in question record 1 at offset 30");   /* no type */
        expect_error(r.b, 32, "short in question record 1 at offset 32");   /* no class */
        r.b[5] = 2;   /* qdcount 2, one question */
        expect_error(r.b, r.n, "short in question record 2 at offset 34");
}

/* The 514-byte answer of 30 A records, cut where a middlebox would cut it. */
static void test_err_cut_answer(void)
{
        static uint8_t buf[1024];
        uint8_t name[DNS_NAME_MAX], addr[4] = { 10, 1, 0, 0 };
        size_t nl = tname("api.mixpanel.com.", name), len;
        struct dns_header h = { .id = 1, .flags = DNS_FLAG_QR, .qdcount = 1, .ancount = 30 };
        struct wire_writer w;
        struct wire_reader r;
        struct wire_rr rr;
        int got, n = 0;

        wire_writer_init(&w, buf, sizeof(buf), true);
        wire_write_header(&w, &h);
        wire_write_question(&w, name, nl, DNS_TYPE_A, DNS_CLASS_IN);
        for (int i = 0; i < 30; i++)
                wire_write_rr(&w, name, nl, DNS_TYPE_A, DNS_CLASS_IN, 60, addr, 4);
        len = w.len;
        CU_ASSERT_EQUAL_FATAL(len, 514);
        CU_ASSERT_EQUAL(twalk(buf, 514, (char[8]){ 0 }, 8), 30);
        expect_error(buf, 512, "short in answer record 30 at offset 510");
        expect_error(buf, 500, "short in answer record 30 at offset 500");
        expect_error(buf, 499, "short in answer record 30 at offset 498");
        expect_error(buf, 498, "short in answer record 30 at offset 498");
        /* the 29 whole records are still read before the failure */
        wire_reader_init(&r, buf, 512);
        while ((got = wire_reader_rr(&r, &rr)) == 1)
                n++;
        CU_ASSERT_EQUAL(got, -1);
        CU_ASSERT_EQUAL(n, 29);
        CU_ASSERT_EQUAL(rr.section, WIRE_SECTION_ANSWER);
        CU_ASSERT_EQUAL(rr.index, 29);
        CU_ASSERT_EQUAL(rr.rdlength, 0);             /* zero-filled */
        CU_ASSERT_EQUAL(wire_reader_rr(&r, &rr), -1); /* sticky */
        CU_ASSERT_EQUAL(wire_reader_finish(&r), -1);
        CU_ASSERT_EQUAL(r.c.err_pos, 510);
}

/* Question a. IN A (12..18), then record 1 at 19 of an unknown type whose
 * 2-byte rdata (at 31) is `rdata`, then record 2 at 33 owned by `owner2`. */
static void raw_two_records(struct raw *r, const char *rdata, const char *owner2)
{
        raw_header(r, 1, 2, 0, 0);
        raw_hex(r, "\001a\000\000\001\000\001", 7);
        raw_hex(r, "\300\014", 2);
        raw_rr_fixed(r, 65280, 2);
        raw_hex(r, rdata, 2);
        CU_ASSERT_EQUAL(r->n, 33);
        raw_hex(r, owner2, 2);
        raw_rr_fixed(r, 65280, 0);
}

static void test_err_pointers(void)
{
        struct raw r;

        /* self-pointer in the question */
        raw_header(&r, 1, 0, 0, 0);
        raw_hex(&r, "\300\014\000\001\000\001", 6);
        expect_error(r.b, r.n, "bad-pointer in question record 1 at offset 12");
        /* forward pointer: record 1's owner points at record 2 */
        raw_two_records(&r, "\000\000", "\300\014");
        r.b[19] = 0xc0, r.b[20] = 33;
        expect_error(r.b, r.n, "bad-pointer in answer record 1 at offset 19");
        /* a pointer past the end of the message */
        r.b[20] = 0xff;
        expect_error(r.b, r.n, "bad-pointer in answer record 1 at offset 19");
        /* two-pointer cycle: 33 -> 31 -> 33 */
        raw_two_records(&r, "\300\041", "\300\037");
        expect_error(r.b, r.n, "bad-pointer in answer record 2 at offset 35");
        /* self-pointer inside a CNAME target (rdata at 31) */
        raw_two_records(&r, "\300\037", "\300\014");
        r.b[21] = 0, r.b[22] = DNS_TYPE_CNAME;
        expect_error(r.b, r.n, "bad-pointer in answer record 1 at offset 31");
        /* the same bytes as a valid backward pointer parse */
        raw_two_records(&r, "\300\014", "\300\037");
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 2);
}

static void test_err_label_types(void)
{
        struct raw r;
        raw_header(&r, 1, 0, 0, 0);
        raw_hex(&r, "\101abc\000\000\001\000\001", 9);   /* 0x41: extended label 0x40 */
        expect_error(r.b, r.n, "bad-label-type in question record 1 at offset 12");
        r.b[12] = 0x80;
        expect_error(r.b, r.n, "bad-label-type in question record 1 at offset 12");
        /* after a label read in place the failure is still reported at the name */
        raw_header(&r, 1, 0, 0, 0);
        raw_hex(&r, "\001a\200b\000\000\001\000\001", 9);
        expect_error(r.b, r.n, "bad-label-type in question record 1 at offset 12");
        r.b[14] = 0x01;
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 0);
}

/* 3 labels of 63 and one of `last` bytes, then the root: 193 + last + 1 bytes. */
static void raw_long_name(struct raw *r, uint8_t last)
{
        raw_label(r, 63, 'a');
        raw_label(r, 63, 'b');
        raw_label(r, 63, 'c');
        raw_label(r, last, 'z');
        raw_hex(r, "", 1);
}

static void test_err_name_length(void)
{
        struct raw r;
        struct wire_reader rd;
        struct wire_question q;

        /* 255 bytes is the longest name */
        raw_header(&r, 1, 0, 0, 0);
        raw_long_name(&r, 61);
        raw_hex(&r, "\000\001\000\001", 4);
        CU_ASSERT_EQUAL_FATAL(wire_reader_init(&rd, r.b, r.n), 0);
        CU_ASSERT_EQUAL(wire_reader_question(&rd, &q), 1);
        CU_ASSERT_EQUAL(q.name_len, 255);
        /* 256 bytes (the reader used to accept these, writing one byte past its buffer) */
        raw_header(&r, 1, 0, 0, 0);
        raw_long_name(&r, 62);
        raw_hex(&r, "\000\001\000\001", 4);
        expect_error(r.b, r.n, "name-too-long in question record 1 at offset 12");
        /* 257 bytes through a pointer: 64 in place + 193 behind the pointer */
        raw_header(&r, 1, 2, 0, 0);
        raw_hex(&r, "\001a\000\000\001\000\001\300\014", 9);
        raw_rr_fixed(&r, 65280, 193);
        raw_label(&r, 63, 'a');
        raw_label(&r, 63, 'b');
        raw_label(&r, 63, 'c');
        raw_hex(&r, "", 1);
        CU_ASSERT_EQUAL(r.n, 224);
        raw_label(&r, 63, 'd');
        raw_hex(&r, "\300\037", 2);
        raw_rr_fixed(&r, 65280, 0);
        expect_error(r.b, r.n, "name-too-long in answer record 2 at offset 290");
        /* 255 through the same pointer with a 61-byte first label */
        r.n = 224;
        raw_label(&r, 61, 'd');
        raw_hex(&r, "\300\037", 2);
        raw_rr_fixed(&r, 65280, 0);
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 2);
}

/* The api question, then one answer record owned by a pointer to it (at 34),
 * its rdata at 46. */
static void raw_one_record(struct raw *r, uint16_t type, uint16_t rdlength, const char *rdata,
                           size_t n)
{
        raw_query_api(r, 1, 0);
        raw_hex(r, "\300\014", 2);
        raw_rr_fixed(r, type, rdlength);
        CU_ASSERT_EQUAL(r->n, 46);
        raw_hex(r, rdata, n);
}

static void test_err_rdata_fixed(void)
{
        struct raw r;
        raw_one_record(&r, DNS_TYPE_A, 5, "\012\000\000\001\377", 5);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 46");
        raw_one_record(&r, DNS_TYPE_A, 3, "\012\000\000", 3);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 46");
        raw_one_record(&r, DNS_TYPE_AAAA, 4, "\012\000\000\001", 4);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 46");
        /* rdlength 4 announced, 2 bytes left */
        raw_one_record(&r, DNS_TYPE_A, 4, "\012\000", 2);
        expect_error(r.b, r.n, "short in answer record 1 at offset 46");
        raw_one_record(&r, DNS_TYPE_A, 4, "\012\000\000\001", 4);
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 1);
}

static void test_err_rdata_names(void)
{
        struct raw r;
        /* the target ends before rdlength: 2 bytes of rdata left over */
        raw_one_record(&r, DNS_TYPE_CNAME, 4, "\300\014\000\000", 4);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 48");
        /* the target runs past rdlength (still inside the message) */
        raw_one_record(&r, DNS_TYPE_CNAME, 2, "\003foo\000", 5);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 51");
        /* the target runs past the message */
        raw_one_record(&r, DNS_TYPE_CNAME, 2, "\003f", 2);
        expect_error(r.b, r.n, "short in answer record 1 at offset 46");
        /* MX: preference, then the exchange must end at rdlength */
        raw_one_record(&r, DNS_TYPE_MX, 5, "\000\012\300\014\000", 5);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 50");
        /* SOA: 20 bytes must follow the two names */
        raw_one_record(&r, DNS_TYPE_SOA, 23, "\300\014\300\014\000\000\000\001"
                       "\000\000\000\002\000\000\000\003\000\000\000\004\000\000\000", 23);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 50");
        raw_one_record(&r, DNS_TYPE_CNAME, 2, "\300\014", 2);
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 1);
}

static void test_err_txt_opt(void)
{
        struct raw r;
        /* a string of 5 in an rdlength of 3, the message going on */
        raw_one_record(&r, DNS_TYPE_TXT, 3, "\005hello", 6);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 52");
        /* a string of 9 with 5 bytes left in the message */
        raw_one_record(&r, DNS_TYPE_TXT, 6, "\011hello", 6);
        expect_error(r.b, r.n, "short in answer record 1 at offset 47");
        raw_one_record(&r, DNS_TYPE_TXT, 0, "", 0);
        expect_error(r.b, r.n, "bad-rdlength in answer record 1 at offset 46");
        raw_one_record(&r, DNS_TYPE_TXT, 6, "\005hello", 6);
        CU_ASSERT_EQUAL(twalk(r.b, r.n, (char[8]){ 0 }, 8), 1);
        /* an OPT option of 8 bytes with none left */
        raw_query_api(&r, 0, 1);
        raw_hex(&r, "\000\000\051\004\320\000\000\000\000\000\004\000\012\000\010", 15);
        expect_error(r.b, r.n, "short in additional record 1 at offset 49");
}

static void test_err_trailing(void)
{
        struct raw r;
        struct wire_reader rd;
        struct wire_question q;
        char err[128];

        raw_query_api(&r, 0, 0);
        raw_hex(&r, "\000", 1);
        expect_error(r.b, r.n, "trailing-bytes in end at offset 34");
        CU_ASSERT_EQUAL(wire_reader_init(&rd, r.b, r.n), 0);
        CU_ASSERT_EQUAL(wire_reader_question(&rd, &q), 1);
        CU_ASSERT_EQUAL(wire_reader_question(&rd, &q), 0);
        CU_ASSERT_EQUAL(wire_reader_finish(&rd), -1);
        CU_ASSERT_EQUAL(rd.c.err, WIRE_ERR_TRAILING);
        /* reading stops at what the header announces: finish is the only check */
        CU_ASSERT_EQUAL(wire_reader_init(&rd, r.b, r.n - 1), 0);
        CU_ASSERT_EQUAL(wire_reader_question(&rd, &q), 1);
        CU_ASSERT_EQUAL(wire_reader_finish(&rd), 0);
        wire_reader_describe_error(&rd, err, sizeof(err));
        CU_ASSERT_STRING_EQUAL(err, "ok");
}

/* Reads of a failed cursor return zeros and keep the first error. */
static void test_err_sticky(void)
{
        const uint8_t b[3] = { 1, 2, 3 };
        uint8_t out[4] = { 9, 9, 9, 9 };
        struct wire_cursor c;

        wire_cursor_init(&c, b, sizeof(b));
        CU_ASSERT_EQUAL(wire_read_u16(&c), 0x0102);
        CU_ASSERT_EQUAL(wire_read_u16(&c), 0);
        CU_ASSERT_EQUAL(c.err, WIRE_ERR_SHORT);
        CU_ASSERT_EQUAL(c.err_pos, 2);
        CU_ASSERT_EQUAL(wire_read_u8(&c), 0);       /* a byte is left, but the cursor failed */
        wire_read_bytes(&c, out, 4);
        CU_ASSERT_EQUAL(out[0] | out[1] | out[2] | out[3], 0);
        wire_cursor_fail(&c, WIRE_ERR_POINTER);
        CU_ASSERT_EQUAL(c.err, WIRE_ERR_SHORT);
        CU_ASSERT_EQUAL(c.pos, 2);
}

/* ---------------------------------------------------------------- names */

/* A name of `labels` labels of 63 bytes and one of `last` bytes, as text. */
static void long_name(char *out, unsigned labels, unsigned last)
{
        size_t o = 0;
        for (unsigned i = 0; i < labels; i++) {
                memset(out + o, 'a' + (int)i, 63);
                o += 63;
                out[o++] = '.';
        }
        memset(out + o, 'z', last);
        o += last;
        out[o++] = '.';
        out[o] = '\0';
}

static void test_name_text(void)
{
        uint8_t n[DNS_NAME_MAX], m[DNS_NAME_MAX];
        size_t nl, ml;
        char text[1100];

        CU_ASSERT_EQUAL(wire_name_from_text("api.mixpanel.com", n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 18);
        CU_ASSERT_EQUAL(memcmp(n, "\003api\010mixpanel\003com", 18), 0);
        CU_ASSERT_EQUAL(wire_name_from_text("api.mixpanel.com.", m, &ml), 0);
        CU_ASSERT_TRUE(ml == nl && memcmp(n, m, nl) == 0);
        wire_name_to_text(n, nl, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "api.mixpanel.com.");
        CU_ASSERT_EQUAL(wire_name_from_text(".", n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 1);
        wire_name_to_text(n, nl, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, ".");
        CU_ASSERT_EQUAL(wire_name_from_text("a..b.", n, &nl), -1);
        CU_ASSERT_EQUAL(wire_name_from_text("..", n, &nl), -1);
        CU_ASSERT_EQUAL(nl, 0);
}

static void test_name_escapes(void)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl;
        char text[1100];

        CU_ASSERT_EQUAL(wire_name_from_text("a\\.b.c.", n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 1 + 3 + 1 + 1 + 1);
        CU_ASSERT_EQUAL(memcmp(n, "\003a.b\001c", 7), 0);
        wire_name_to_text(n, nl, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "a\\.b.c.");
        CU_ASSERT_EQUAL(wire_name_from_text("\\065\\032\\255\\000x.", n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 7);
        CU_ASSERT_EQUAL(memcmp(n, "\005A \377\000x", 6), 0);
        wire_name_to_text(n, nl, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "A\\032\\255\\000x.");
        CU_ASSERT_EQUAL(wire_name_from_text("q\\\"\\;\\(\\)\\\\.", n, &nl), 0);
        wire_name_to_text(n, nl, text, sizeof(text));
        CU_ASSERT_STRING_EQUAL(text, "q\\\"\\;\\(\\)\\\\.");
        CU_ASSERT_EQUAL(wire_name_from_text("\\256.", n, &nl), -1);
        CU_ASSERT_EQUAL(wire_name_from_text("ab\\", n, &nl), -1);
        /* "\0a" is not a decimal escape: the character '0' */
        CU_ASSERT_EQUAL(wire_name_from_text("\\0a.", n, &nl), 0);
        CU_ASSERT_EQUAL(memcmp(n, "\0020a", 4), 0);
        /* a short output buffer is cut and still terminated */
        CU_ASSERT_EQUAL(wire_name_from_text("abcdef.", n, &nl), 0);
        wire_name_to_text(n, nl, text, 4);
        CU_ASSERT_STRING_EQUAL(text, "abc");
}

static void test_name_limits(void)
{
        char text[1100];
        uint8_t n[DNS_NAME_MAX];
        size_t nl;

        long_name(text, 0, 63);
        CU_ASSERT_EQUAL(wire_name_from_text(text, n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 65);
        long_name(text, 0, 64);
        CU_ASSERT_EQUAL(wire_name_from_text(text, n, &nl), -1);
        /* 3 * 64 + 62 + root = 255 bytes: the longest name */
        long_name(text, 3, 61);
        CU_ASSERT_EQUAL(wire_name_from_text(text, n, &nl), 0);
        CU_ASSERT_EQUAL(nl, 255);
        {
                char back[1100];
                wire_name_to_text(n, nl, back, sizeof(back));
                CU_ASSERT_STRING_EQUAL(back, text);
        }
        long_name(text, 3, 62);   /* 256 bytes */
        CU_ASSERT_EQUAL(wire_name_from_text(text, n, &nl), -1);
        long_name(text, 4, 1);
        CU_ASSERT_EQUAL(wire_name_from_text(text, n, &nl), -1);
}

static void test_name_compare(void)
{
        uint8_t a[DNS_NAME_MAX], b[DNS_NAME_MAX];
        size_t al = tname("API.MixPanel.com.", a), bl = tname("api.mixpanel.COM.", b);

        CU_ASSERT_TRUE(wire_name_equal(a, al, b, bl));
        CU_ASSERT_FALSE(memcmp(a, b, al) == 0);
        wire_name_lower(a, al);
        CU_ASSERT_EQUAL(memcmp(a, "\003api\010mixpanel\003com", al), 0);
        bl = tname("api.mixpanel.co.", b);
        CU_ASSERT_FALSE(wire_name_equal(a, al, b, bl));
        /* label lengths take part: "ab.c" is not "a.bc" */
        CU_ASSERT_FALSE(wire_name_equal(a, tname("ab.c.", a), b, tname("a.bc.", b)));
}

static const struct test_case name_tests[] = {
        { "text", test_name_text },
        { "escapes", test_name_escapes },
        { "limits-63-255", test_name_limits },
        { "compare", test_name_compare },
        { NULL, NULL },
};

static const struct test_case error_tests[] = {
        { "header-under-12", test_err_header },
        { "cut-in-question", test_err_question },
        { "cut-in-answer-record-30", test_err_cut_answer },
        { "pointers-forward-self-cycle", test_err_pointers },
        { "label-types-0x40-0x80", test_err_label_types },
        { "name-over-255", test_err_name_length },
        { "rdlength-fixed", test_err_rdata_fixed },
        { "rdlength-names", test_err_rdata_names },
        { "txt-opt-overrun", test_err_txt_opt },
        { "trailing-bytes", test_err_trailing },
        { "sticky-cursor", test_err_sticky },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "errors", error_tests },
        { "names", name_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "wire-read", suites);
}
