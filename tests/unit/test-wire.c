/* The wire codec: the sizes of FACTS.md's wire arithmetic table, built with
 * the writer directly and through scenario points, with and without
 * compression; a round trip of every record type.
 * Malformed input and names from text live in test-wire-read.c. */
#include <stdlib.h>
#include <string.h>

#include "harness/zone/answer.h"
#include "harness/zone/grow.h"
#include "harness/zone/rr-set.h"
#include "tests/unit/dnstest.h"

#define API "api.mixpanel.com."
#define CDN "cdn.mixpanel.com."
#define LB  "api-lb-us-east-1a.mixpanel.com."

/* A reply as an authoritative server writes it: header, question, the A (or
 * AAAA) records at the question's name, optionally behind one CNAME to LB,
 * and an OPT record. Returns its length, 0 when it did not fit cap. */
struct tmsg {
        const char *qname;
        uint16_t qtype;
        unsigned records;
        bool cname;          /* qname CNAME LB, records at LB */
        bool opt;
        bool compress;
};

static size_t tmsg_write(const struct tmsg *m, uint8_t *buf, size_t cap)
{
        struct wire_writer w;
        uint8_t q[DNS_NAME_MAX], lb[DNS_NAME_MAX];
        size_t ql = tname(m->qname, q), lbl = tname(LB, lb);
        struct dns_header h = { .id = 1, .flags = DNS_FLAG_QR, .qdcount = 1,
                                .ancount = (uint16_t)(m->records + m->cname), .arcount = m->opt };
        const uint8_t *owner = m->cname ? lb : q;
        size_t owner_len = m->cname ? lbl : ql;

        wire_writer_init(&w, buf, cap, m->compress);
        wire_write_header(&w, &h);
        wire_write_question(&w, q, ql, m->qtype, DNS_CLASS_IN);
        if (m->cname)
                wire_write_rr(&w, q, ql, DNS_TYPE_CNAME, DNS_CLASS_IN, 60, lb, lbl);
        for (unsigned i = 1; i <= m->records; i++) {
                uint8_t addr[16];
                grow_address(m->qtype, 0, i, addr);
                wire_write_rr(&w, owner, owner_len, m->qtype, DNS_CLASS_IN, 60, addr,
                              m->qtype == DNS_TYPE_A ? 4 : 16);
        }
        if (m->opt)
                wire_write_opt(&w, 1232, 0, 0, 0);
        return wire_writer_status(&w) == 0 ? w.len : 0;
}

static size_t tmsg_len(const char *qname, uint16_t qtype, unsigned records, bool cname, bool opt)
{
        static uint8_t buf[65535];
        struct tmsg m = { qname, qtype, records, cname, opt, true };
        size_t len = tmsg_write(&m, buf, sizeof(buf));
        char err[128];
        /* every vector must also read back cleanly, record for record */
        CU_ASSERT_EQUAL(twalk(buf, len, err, sizeof(err)), (int)(records + cname + opt));
        return len;
}

static void test_vector_a(void)
{
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 0, false, false), 34);
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 1, false, false), 50);
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 29, false, false), 498);
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 30, false, false), 514);
}

static void test_vector_aaaa(void)
{
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_AAAA, 1, false, false) - 34, 28);
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_AAAA, 17, false, false), 510);
        CU_ASSERT(tmsg_len(API, DNS_TYPE_AAAA, 18, false, false) > DNS_UDP_LEGACY_MAX);
}

static void test_vector_opt(void)
{
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 29, false, true) -
                        tmsg_len(API, DNS_TYPE_A, 29, false, false), DNS_OPT_RR_LEN);
        CU_ASSERT_EQUAL(tmsg_len(API, DNS_TYPE_A, 29, false, true), 509);
        CU_ASSERT(tmsg_len(API, DNS_TYPE_A, 74, false, true) <= 1232);
        CU_ASSERT(tmsg_len(API, DNS_TYPE_A, 75, false, true) > 1232);
}

static void test_vector_cname(void)
{
        /* the CNAME record itself is 32 bytes */
        CU_ASSERT_EQUAL(tmsg_len(CDN, DNS_TYPE_A, 0, true, false), 34 + 32);
        CU_ASSERT_EQUAL(tmsg_len(CDN, DNS_TYPE_A, 27, true, false), 498);
        CU_ASSERT_EQUAL(tmsg_len(CDN, DNS_TYPE_A, 28, true, false), 514);
}

static void test_vector_overflow(void)
{
        uint8_t buf[513];
        struct tmsg m = { API, DNS_TYPE_A, 30, false, false, true };
        CU_ASSERT_EQUAL(tmsg_write(&m, buf, 513), 0);
        m.records = 29;
        CU_ASSERT_EQUAL(tmsg_write(&m, buf, 498), 498);
        CU_ASSERT_EQUAL(tmsg_write(&m, buf, 497), 0);
}

/* Owner names and CNAME targets of the message that start with a pointer. */
static int compressed_names(const uint8_t *buf, size_t len)
{
        struct wire_reader r;
        struct wire_rr rr;
        int n = 0;

        CU_ASSERT_EQUAL_FATAL(wire_reader_init(&r, buf, len), 0);
        while (wire_reader_rr(&r, &rr) == 1) {
                n += (buf[rr.offset] & 0xc0) == 0xc0;
                if (rr.type == DNS_TYPE_CNAME)
                        n += (rr.rdata[0] & 0xc0) == 0xc0;
        }
        CU_ASSERT_EQUAL(wire_reader_finish(&r), 0);
        return n;
}

/* Compression off: every owner and target written in full. */
static void test_vector_uncompressed(void)
{
        static uint8_t buf[4096];
        struct tmsg m = { API, DNS_TYPE_A, 29, false, false, false };
        char err[128];
        size_t len = tmsg_write(&m, buf, sizeof(buf));

        /* 18-byte owner + type, class, ttl, rdlength + 4 */
        CU_ASSERT_EQUAL(len, 12 + 22 + 29 * (18 + 10 + 4));
        CU_ASSERT_EQUAL(twalk(buf, len, err, sizeof(err)), 29);
        m = (struct tmsg){ CDN, DNS_TYPE_A, 2, true, false, false };
        len = tmsg_write(&m, buf, sizeof(buf));
        /* CNAME: 18 + 10 + 32-byte target; A: 32-byte owner + 14 */
        CU_ASSERT_EQUAL(len, 12 + 22 + 60 + 2 * 46);
        CU_ASSERT_EQUAL(compressed_names(buf, len), 0);
        m.compress = true;
        len = tmsg_write(&m, buf, sizeof(buf));
        /* the CNAME's owner and both A owners; the target starts with its own label */
        CU_ASSERT_EQUAL(compressed_names(buf, len), 3);
}

/* The same sizes through the shipped scenario and answer_build. */
static void test_vector_scenario(void)
{
        static const struct { int records; bool cdn; size_t len; } v[] = {
                { 29, false, 498 }, { 30, false, 514 }, { 27, true, 498 }, { 28, true, 514 },
                { 1, false, 50 }, { 64, false, 12 + 22 + 64 * 16 },
        };
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
                struct point *pt = tmixpanel_point(v[i].records, NULL);
                const struct answer *a = tanswer(pt, v[i].cdn ? CDN : API, DNS_TYPE_A);
                char err[128];
                CU_ASSERT_EQUAL(a->len, v[i].len);
                CU_ASSERT_EQUAL(a->ancount, (unsigned)v[i].records + v[i].cdn);
                CU_ASSERT_EQUAL(a->nrr, a->ancount);
                CU_ASSERT_EQUAL(a->rr_end[a->nrr - 1], a->len);
                CU_ASSERT_EQUAL(a->naddrs, (size_t)v[i].records);
                CU_ASSERT_EQUAL(twalk(a->wire, a->len, err, sizeof(err)), (int)a->ancount);
                point_free(pt);
        }
}

static void test_vector_scenario_uncompressed(void)
{
        static const char *const off[] = { "compression=off", NULL };
        struct point *pt = tmixpanel_point(29, off);
        const struct answer *a = tanswer(pt, API, DNS_TYPE_A);
        CU_ASSERT_EQUAL(a->len, 12 + 22 + 29 * 32);
        a = tanswer(pt, CDN, DNS_TYPE_A);
        CU_ASSERT_EQUAL(a->len, 12 + 22 + 60 + 29 * 46);
        point_free(pt);
}

static void test_vector_scenario_aaaa(void)
{
        const char *text = "origin mixpanel.com.\ngrow api AAAA\nquery api.mixpanel.com AAAA\n"
                           "sweep records=16..18\n";
        static const size_t want[] = { 482, 510, 538 };
        struct scenario *sc = NULL;
        char err[256];

        CU_ASSERT_EQUAL_FATAL(scenario_parse("aaaa.scn", text, &sc, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(scenario_point_count(sc), 3);
        for (size_t i = 0; i < 3; i++) {
                struct point_params p;
                scenario_point_params(sc, i, &p);
                struct point *pt = point_new(sc, i, &p, err, sizeof(err));
                CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
                const struct answer *a = tanswer(pt, API, DNS_TYPE_AAAA);
                CU_ASSERT_EQUAL(a->len, want[i]);
                CU_ASSERT_EQUAL(a->ancount, 16 + i);
                point_free(pt);
        }
        scenario_free(sc);
}

/* A writer whose buffer is full records no compression target for a label it
 * could not write (it used to, and the next label then read past the buffer). */
static void test_writer_full_buffer(void)
{
        uint8_t *buf = malloc(DNS_HEADER_LEN);
        uint8_t name[DNS_NAME_MAX];
        size_t nl = tname("a.b.c.", name);
        struct wire_writer w;
        struct dns_header h = { .id = 7 };

        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        wire_writer_init(&w, buf, DNS_HEADER_LEN, true);
        wire_write_header(&w, &h);
        CU_ASSERT_EQUAL(wire_writer_status(&w), 0);
        wire_write_name(&w, name, nl, true);
        CU_ASSERT_EQUAL(wire_writer_status(&w), -1);
        CU_ASSERT_EQUAL(w.nslots, 0);
        CU_ASSERT_EQUAL(w.len, DNS_HEADER_LEN);
        wire_write_name(&w, name, nl, true);
        CU_ASSERT_EQUAL(w.nslots, 0);
        free(buf);
}

/* A name whose tail repeats its head ("a.a.", "b.c.b.c.") is written in full:
 * its own labels become targets only once it is complete. The writer used to
 * match them against the unwritten bytes after them (zeros here, stale data
 * in a reused buffer) and point the name at itself: a pointer loop. */
static void test_writer_repeated_labels(void)
{
        static uint8_t buf[128];
        uint8_t n[DNS_NAME_MAX], back[DNS_NAME_MAX];
        size_t nl = tname("a.a.", n), bl, len;
        struct wire_writer w;
        struct wire_cursor c;

        memset(buf, 0, sizeof(buf));
        wire_writer_init(&w, buf, sizeof(buf), true);
        wire_write_bytes(&w, buf, DNS_HEADER_LEN);
        wire_write_name(&w, n, nl, true);
        CU_ASSERT_EQUAL(w.len, DNS_HEADER_LEN + nl);
        CU_ASSERT_EQUAL(memcmp(buf + DNS_HEADER_LEN, "\001a\001a", 5), 0);
        len = w.len;
        nl = tname("b.c.b.c.", n);
        wire_write_name(&w, n, nl, true);
        CU_ASSERT_EQUAL(w.len, len + nl);
        /* a later "b.c." points at the complete name's tail */
        wire_write_name(&w, n + 4, nl - 4, true);
        CU_ASSERT_EQUAL(tget16(buf + w.len - 2), 0xc000 | (len + 4));
        wire_cursor_init(&c, buf, w.len);
        c.pos = len;
        wire_read_name(&c, back, &bl);
        CU_ASSERT_EQUAL(c.err, WIRE_OK);
        CU_ASSERT_TRUE(wire_name_equal(back, bl, n, nl));
        wire_read_name(&c, back, &bl);
        CU_ASSERT_EQUAL(c.err, WIRE_OK);
        CU_ASSERT_TRUE(wire_name_equal(back, bl, n + 4, nl - 4));
        CU_ASSERT_EQUAL(c.pos, w.len);
}

static void test_writer_compression_targets(void)
{
        uint8_t buf[128], a[DNS_NAME_MAX], b[DNS_NAME_MAX];
        size_t al = tname("www.Example.com.", a), bl = tname("mail.EXAMPLE.COM.", b);
        struct wire_writer w;

        wire_writer_init(&w, buf, sizeof(buf), true);
        wire_write_name(&w, a, al, true);
        CU_ASSERT_EQUAL(w.len, al);
        /* "mail" in full, then a pointer to "Example.com." at offset 4 (case-insensitive) */
        wire_write_name(&w, b, bl, true);
        CU_ASSERT_EQUAL(w.len, al + 5 + 2);
        CU_ASSERT_EQUAL(tget16(buf + al + 5), 0xc000 | 4);
        /* not compressible: written in full */
        wire_write_name(&w, a, al, false);
        CU_ASSERT_EQUAL(w.len, al + 7 + al);
        /* a whole name seen before: one pointer */
        wire_write_name(&w, b, bl, true);
        CU_ASSERT_EQUAL(tget16(buf + w.len - 2), 0xc000 | al);
        CU_ASSERT_EQUAL(wire_name_length(a, al), al);
}

/* A name whose label runs past its length (recorded rdata replayed as it
 * came): the bytes are copied as they are, nothing past them is read (the
 * input is a heap copy of exactly that length, so ASan sees any overread),
 * and it is never compressed against. */
static void test_writer_malformed_name(void)
{
        static const uint8_t bad[] = { 3, 'w', 'w', 'w', 40, 'x', 'y' };
        uint8_t buf[64], *heap = malloc(sizeof(bad));
        struct wire_writer w;

        CU_ASSERT_PTR_NOT_NULL_FATAL(heap);
        memcpy(heap, bad, sizeof(bad));
        wire_writer_init(&w, buf, sizeof(buf), true);
        wire_write_name(&w, heap, sizeof(bad), true);
        CU_ASSERT_EQUAL(wire_writer_status(&w), 0);
        CU_ASSERT_EQUAL(w.len, sizeof(bad));
        CU_ASSERT_EQUAL(memcmp(buf, bad, sizeof(bad)), 0);
        wire_write_name(&w, heap, sizeof(bad), true);   /* not a pointer to the first copy */
        CU_ASSERT_EQUAL(w.len, 2 * sizeof(bad));
        free(heap);
}

static void test_writer_patch(void)
{
        uint8_t buf[4] = { 0 };
        struct wire_writer w;
        wire_writer_init(&w, buf, sizeof(buf), false);
        wire_write_u16(&w, 0x1111);
        wire_patch_u16(&w, 0, 0xabcd);
        wire_patch_u16(&w, 1, 0xffff);   /* past the written bytes: ignored */
        CU_ASSERT_EQUAL(tget16(buf), 0xabcd);
        CU_ASSERT_EQUAL(buf[2], 0);
        wire_write_u32(&w, 1);           /* does not fit: overflow, nothing written */
        CU_ASSERT_EQUAL(wire_writer_status(&w), -1);
        CU_ASSERT_EQUAL(w.len, 2);
}

static const struct test_case vector_tests[] = {
        { "a-29-498-30-514", test_vector_a },
        { "aaaa-17-510", test_vector_aaaa },
        { "opt-11-1232-holds-74", test_vector_opt },
        { "cname-32-27-498", test_vector_cname },
        { "writer-overflow", test_vector_overflow },
        { "uncompressed", test_vector_uncompressed },
        { "scenario-sizes", test_vector_scenario },
        { "scenario-uncompressed", test_vector_scenario_uncompressed },
        { "scenario-aaaa", test_vector_scenario_aaaa },
        { NULL, NULL },
};

static const struct test_case writer_tests[] = {
        { "full-buffer-no-slot", test_writer_full_buffer },
        { "repeated-labels-no-self-pointer", test_writer_repeated_labels },
        { "compression-targets", test_writer_compression_targets },
        { "patch", test_writer_patch },
        { "malformed-name-copied-as-is", test_writer_malformed_name },
        { NULL, NULL },
};


/* ---------------------------------------------------------------- round trip */

struct trr {
        uint16_t type;
        const char *owner;
        uint8_t rdata[300];
        size_t rdlen;
        const char *target;      /* decoded target expected, or NULL */
};

/* Appends a wire name from text to rdata. */
static void rd_name(struct trr *t, const char *text)
{
        t->rdlen += tname(text, t->rdata + t->rdlen);
}

static void rd_u16(struct trr *t, uint16_t v)
{
        t->rdata[t->rdlen++] = (uint8_t)(v >> 8);
        t->rdata[t->rdlen++] = (uint8_t)v;
}

static void rd_bytes(struct trr *t, const void *p, size_t n)
{
        memcpy(t->rdata + t->rdlen, p, n);
        t->rdlen += n;
}

/* One record of every type the reader decodes, plus an unknown one. */
static size_t roundtrip_records(struct trr *t)
{
        static const uint8_t a[4] = { 192, 0, 2, 1 };
        static const uint8_t aaaa[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
        static const uint8_t soa_nums[20] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x03, 0x84,
                                              0, 0x09, 0x3a, 0x80, 0, 0, 0, 60 };
        static const uint8_t txt[] = "\005hello\005world";
        static const uint8_t raw[5] = { 0xde, 0xad, 0xc0, 0x0c, 0x00 };
        size_t n = 0;

        memset(t, 0, 11 * sizeof(*t));
        t[n] = (struct trr){ .type = DNS_TYPE_A, .owner = "example.com." }; rd_bytes(&t[n++], a, 4);
        t[n] = (struct trr){ .type = DNS_TYPE_AAAA, .owner = "Example.COM." }; rd_bytes(&t[n++], aaaa, 16);
        t[n] = (struct trr){ .type = DNS_TYPE_CNAME, .owner = "www.example.com.", .target = "host.example.com." };
        rd_name(&t[n++], "host.example.com.");
        t[n] = (struct trr){ .type = DNS_TYPE_NS, .owner = "example.com.", .target = "ns1.example.com." };
        rd_name(&t[n++], "ns1.example.com.");
        t[n] = (struct trr){ .type = DNS_TYPE_SOA, .owner = "example.com.", .target = "ns1.example.com." };
        rd_name(&t[n], "ns1.example.com.");
        rd_name(&t[n], "hostmaster.example.com.");
        rd_bytes(&t[n++], soa_nums, 20);
        t[n] = (struct trr){ .type = DNS_TYPE_TXT, .owner = "example.com." }; rd_bytes(&t[n++], txt, 12);
        t[n] = (struct trr){ .type = DNS_TYPE_MX, .owner = "example.com.", .target = "mail.example.com." };
        rd_u16(&t[n], 10);
        rd_name(&t[n++], "mail.example.com.");
        t[n] = (struct trr){ .type = DNS_TYPE_SRV, .owner = "_sip._udp.example.com.", .target = "sip.example.com." };
        rd_u16(&t[n], 1); rd_u16(&t[n], 2); rd_u16(&t[n], 5060);
        rd_name(&t[n++], "sip.example.com.");
        t[n] = (struct trr){ .type = DNS_TYPE_PTR, .owner = "1.2.0.192.in-addr.arpa.", .target = "example.com." };
        rd_name(&t[n++], "example.com.");
        t[n] = (struct trr){ .type = 65280, .owner = "example.com." }; rd_bytes(&t[n++], raw, 5);
        return n;
}

static size_t roundtrip_write(const struct trr *t, size_t n, uint8_t *buf, size_t cap)
{
        struct wire_writer w;
        struct dns_header h = { .id = 0x1234, .flags = DNS_FLAG_QR | DNS_FLAG_AA, .qdcount = 1,
                                .ancount = (uint16_t)n, .arcount = 1 };
        uint8_t name[DNS_NAME_MAX];

        wire_writer_init(&w, buf, cap, true);
        wire_write_header(&w, &h);
        wire_write_question(&w, name, tname("example.com.", name), DNS_TYPE_ANY, DNS_CLASS_IN);
        for (size_t i = 0; i < n; i++)
                wire_write_rr(&w, name, tname(t[i].owner, name), t[i].type, DNS_CLASS_IN,
                              (uint32_t)(3600 + i), t[i].rdata, t[i].rdlen);
        wire_write_opt(&w, 1232, 1, 0, 0x8000);
        CU_ASSERT_EQUAL_FATAL(wire_writer_status(&w), 0);
        return w.len;
}

/* Checks what the reader decoded of record t (compressed on the wire). */
static void roundtrip_check(const uint8_t *msg, size_t len, const struct trr *t,
                            const struct wire_rr *rr)
{
        uint8_t want[DNS_NAME_MAX];
        size_t wl = tname(t->owner, want);

        CU_ASSERT_EQUAL(rr->type, t->type);
        CU_ASSERT_EQUAL(rr->class_, DNS_CLASS_IN);
        CU_ASSERT_TRUE(wire_name_equal(rr->owner, rr->owner_len, want, wl));
        CU_ASSERT_EQUAL(rr->rdata, msg + rr->rdata_offset);
        if (t->target) {
                wl = tname(t->target, want);
                CU_ASSERT_TRUE(wire_name_equal(rr->target, rr->target_len, want, wl));
        } else {
                CU_ASSERT_EQUAL(rr->target_len, 0);
        }
        switch (t->type) {
        case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR: case DNS_TYPE_MX:
        case DNS_TYPE_SOA:
                /* compressed: shorter on the wire than in the zone */
                CU_ASSERT(rr->rdlength < t->rdlen);
                break;
        default:
                /* A, AAAA, TXT, SRV (RFC 2782: never compressed), unknown: as given */
                CU_ASSERT_EQUAL_FATAL(rr->rdlength, t->rdlen);
                CU_ASSERT_EQUAL(memcmp(rr->rdata, t->rdata, t->rdlen), 0);
                break;
        }
        if (t->type == DNS_TYPE_SOA) {
                struct wire_cursor c;
                uint8_t n[DNS_NAME_MAX];
                size_t nl;
                wire_cursor_init(&c, msg, len);
                c.pos = rr->rdata_offset;
                wire_read_name(&c, n, &nl);
                wire_read_name(&c, n, &nl);
                CU_ASSERT_TRUE(wire_name_equal(n, nl, want, tname("hostmaster.example.com.", want)));
                CU_ASSERT_EQUAL(wire_read_u32(&c), 1);
                CU_ASSERT_EQUAL(wire_read_u32(&c), 3600);
                c.pos += 8;
                CU_ASSERT_EQUAL(wire_read_u32(&c), 60);
                CU_ASSERT_EQUAL(c.pos, rr->rdata_offset + rr->rdlength);
        }
        if (t->type == DNS_TYPE_MX)
                CU_ASSERT_EQUAL(tget16(rr->rdata), 10);
        (void)len;
}

static void test_roundtrip(void)
{
        struct trr t[11];
        size_t n = roundtrip_records(t);
        static uint8_t buf[2048];
        size_t len = roundtrip_write(t, n, buf, sizeof(buf));
        struct wire_reader r;
        struct wire_question q;
        struct wire_rr rr;
        uint8_t want[DNS_NAME_MAX];

        CU_ASSERT_EQUAL_FATAL(wire_reader_init(&r, buf, len), 0);
        CU_ASSERT_EQUAL(r.hdr.id, 0x1234);
        CU_ASSERT_EQUAL(r.hdr.flags, DNS_FLAG_QR | DNS_FLAG_AA);
        CU_ASSERT_EQUAL(wire_reader_question(&r, &q), 1);
        CU_ASSERT_TRUE(wire_name_equal(q.name, q.name_len, want, tname("example.com.", want)));
        CU_ASSERT_EQUAL(q.type, DNS_TYPE_ANY);
        CU_ASSERT_EQUAL(wire_reader_question(&r, &q), 0);
        for (size_t i = 0; i < n; i++) {
                CU_ASSERT_EQUAL_FATAL(wire_reader_rr(&r, &rr), 1);
                CU_ASSERT_EQUAL(rr.section, WIRE_SECTION_ANSWER);
                CU_ASSERT_EQUAL(rr.index, i);
                CU_ASSERT_EQUAL(rr.ttl, 3600 + i);
                roundtrip_check(buf, len, &t[i], &rr);
        }
        CU_ASSERT_EQUAL_FATAL(wire_reader_rr(&r, &rr), 1);
        CU_ASSERT_EQUAL(rr.section, WIRE_SECTION_ADDITIONAL);
        CU_ASSERT_EQUAL(rr.type, DNS_TYPE_OPT);
        CU_ASSERT_EQUAL(rr.owner_len, 1);
        CU_ASSERT_EQUAL(rr.class_, 1232);
        CU_ASSERT_EQUAL(rr.ttl, 0x01008000u);   /* ext rcode 1, version 0, DO */
        CU_ASSERT_EQUAL(rr.rdlength, 0);
        CU_ASSERT_EQUAL(wire_reader_rr(&r, &rr), 0);
        CU_ASSERT_EQUAL(wire_reader_finish(&r), 0);
}

/* Uncompressed, the bytes of every record are exactly owner + 10 + rdata. */
static void test_roundtrip_uncompressed(void)
{
        struct trr t[11];
        size_t n = roundtrip_records(t), want = 12 + 13 + 4;
        static uint8_t buf[2048];
        struct wire_writer w;
        uint8_t name[DNS_NAME_MAX];
        struct dns_header h = { .qdcount = 1, .ancount = (uint16_t)n };
        char err[64];

        wire_writer_init(&w, buf, sizeof(buf), false);
        wire_write_header(&w, &h);
        wire_write_question(&w, name, tname("example.com.", name), DNS_TYPE_ANY, DNS_CLASS_IN);
        for (size_t i = 0; i < n; i++) {
                size_t ol = tname(t[i].owner, name);
                wire_write_rr(&w, name, ol, t[i].type, DNS_CLASS_IN, 1, t[i].rdata, t[i].rdlen);
                want += ol + 10 + t[i].rdlen;
        }
        CU_ASSERT_EQUAL(w.len, want);
        CU_ASSERT_EQUAL(twalk(buf, w.len, err, sizeof(err)), (int)n);
}

static void test_type_names(void)
{
        char buf[16];
        CU_ASSERT_STRING_EQUAL(dns_type_to_string(DNS_TYPE_AAAA, buf), "AAAA");
        CU_ASSERT_STRING_EQUAL(dns_type_to_string(65280, buf), "TYPE65280");
        CU_ASSERT_EQUAL(dns_type_from_string("type65280"), 65280);
        CU_ASSERT_EQUAL(dns_type_from_string("srv"), DNS_TYPE_SRV);
        CU_ASSERT_EQUAL(dns_type_from_string("TYPE65536"), -1);
        CU_ASSERT_EQUAL(dns_type_from_string("TYPE"), -1);
        CU_ASSERT_EQUAL(dns_rcode_from_string("NXDOMAIN"), DNS_RCODE_NXDOMAIN);
        CU_ASSERT_EQUAL(dns_rcode_from_string("15"), 15);
        CU_ASSERT_EQUAL(dns_rcode_from_string("16"), DNS_RCODE_INVALID);
        CU_ASSERT_STRING_EQUAL(wire_error_to_string(WIRE_ERR_POINTER), "bad-pointer");
        CU_ASSERT_STRING_EQUAL(wire_error_to_string(WIRE_ERR_MAX), "invalid");
}

static const struct test_case roundtrip_tests[] = {
        { "every-type", test_roundtrip },
        { "uncompressed-sizes", test_roundtrip_uncompressed },
        { "type-names", test_type_names },
        { NULL, NULL },
};

/* ---------------------------------------------------------------- RRset duplicates */

static struct zone_rr rr_a(const char *owner, uint32_t ttl, uint8_t *rdata, unsigned i)
{
        struct zone_rr rr = { .type = DNS_TYPE_A, .class_ = DNS_CLASS_IN, .ttl = ttl, .rdlen = 4,
                              .rdata = rdata };
        rr.owner_len = tname(owner, rr.owner);
        grow_address(DNS_TYPE_A, 0, i, rdata);
        return rr;
}

/* The set keeps one of each (owner without case, type, class, rdata), past
 * its inline slots; TTL does not count, every other part does. */
static void test_rr_set_equality(void)
{
        enum { N = 1000 };
        static uint8_t rdata[N][16], other[16];
        static struct zone_rr rrs[N];
        struct rr_set s = { 0 };

        for (unsigned i = 0; i < N; i++) {
                rrs[i] = rr_a("www.example.com.", 60, rdata[i], i);
                CU_ASSERT_EQUAL(rr_set_add(&s, &rrs[i]), 1);
        }
        CU_ASSERT_EQUAL(s.n, N);
        for (unsigned i = 0; i < N; i += 7) {
                struct zone_rr again = rr_a("WWW.Example.COM.", 5, other, i);
                CU_ASSERT_EQUAL(rr_set_add(&s, &again), 0);
        }
        struct zone_rr diff = rr_a("www.example.com.", 60, other, 3);
        diff.class_ = 3;        /* CH */
        CU_ASSERT_EQUAL(rr_set_add(&s, &diff), 1);
        diff = rr_a("www.example.org.", 60, other, 3);
        CU_ASSERT_EQUAL(rr_set_add(&s, &diff), 1);
        diff = rr_a("www.example.com.", 60, other, 3);
        diff.rdlen = 3;
        CU_ASSERT_EQUAL(rr_set_add(&s, &diff), 1);
        diff = rr_a("www.example.com.", 60, other, N + 1);
        CU_ASSERT_EQUAL(rr_set_add(&s, &diff), 1);
        CU_ASSERT_EQUAL(rr_set_add(&s, &diff), 0);
        CU_ASSERT_EQUAL(s.n, N + 4);
        rr_set_free(&s);
        CU_ASSERT_EQUAL(s.n, 0);
}

/* An answer from a zone that lists every record twice (the copies after
 * all the originals, TTLs differing) holds each once, in zone order, and
 * so does the full answer's authority and additional. */
static void test_rr_set_answers(void)
{
        enum { N = 300 };
        uint8_t origin[DNS_NAME_MAX], www[DNS_NAME_MAX], ns[DNS_NAME_MAX], addr[16];
        size_t origin_len = tname("example.com.", origin), www_len = tname("www.example.com.", www);
        size_t ns_len = tname("ns.example.com.", ns);
        struct point_params p;
        struct zone *z = zone_new(origin, origin_len);

        CU_ASSERT_PTR_NOT_NULL_FATAL(z);
        params_defaults(&p);
        for (int copy = 0; copy < 2; copy++) {
                CU_ASSERT_EQUAL(zone_add_parts(z, origin, origin_len, DNS_TYPE_NS, 60 + copy, ns,
                                               ns_len), 0);
                for (unsigned i = 1; i <= N; i++) {
                        grow_address(DNS_TYPE_A, 0, i, addr);
                        CU_ASSERT_EQUAL(zone_add_parts(z, www, www_len, DNS_TYPE_A, 60 + copy, addr,
                                                       4), 0);
                        if (i <= 3)
                                CU_ASSERT_EQUAL(zone_add_parts(z, ns, ns_len, DNS_TYPE_A, 60 + copy,
                                                               addr, 4), 0);
                }
        }
        struct answer *a = answer_build(z, &p, www, www_len, DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->ancount, N);
        CU_ASSERT_EQUAL(a->naddrs, N);
        CU_ASSERT_EQUAL(a->len, 12 + 21 + N * 16);
        for (unsigned i = 0; i < N; i++) {
                grow_address(DNS_TYPE_A, 0, i + 1, addr);
                CU_ASSERT_EQUAL(memcmp(a->addrs[i], addr, 4), 0);
        }
        answer_free(a);
        a = answer_build_full(z, &p, www, www_len, DNS_TYPE_A);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->ancount, N);
        CU_ASSERT_EQUAL(a->nscount, 1);
        CU_ASSERT_EQUAL(a->arcount, 3);
        CU_ASSERT_EQUAL(a->nrr, N + 1 + 3);
        answer_free(a);
        zone_free(z);
}

static const struct test_case rr_set_tests[] = {
        { "one-of-each", test_rr_set_equality },
        { "answers-list-each-once", test_rr_set_answers },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "vectors", vector_tests },
        { "writer", writer_tests },
        { "roundtrip", roundtrip_tests },
        { "rrset-duplicates", rr_set_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "wire", suites);
}
