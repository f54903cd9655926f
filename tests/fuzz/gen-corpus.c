/* Writes the generated part of the seed corpora (run by hand, from the source
 * tree: build/tests/fuzz/fuzz-gen-corpus tests/fuzz/corpus). The rest is
 * copied: corpus/query/dig-*.bin are queries dig 9.18 sent to a UDP socket
 * (`dig @127.0.0.1 -p PORT +tries=1 NAME TYPE [+noedns|+dnssec|+edns=1|...]`),
 * the .scn files of corpus/scenario are the shipped scenarios.
 *   query/    queries built with the writer, one per reply variant (the
 *             id picks truncation, EDNS mode, compression and UDP cap in
 *             fuzz-query.c), and hostile queries
 *   reader/   every query, the server's UDP and TCP replies to them (each
 *             truncation variant), and the malformed messages of the unit tests
 * Files named fz-<sha1> are inputs libFuzzer found that add coverage (kept
 * with -merge=1), regress-* the inputs of bugs fixed; this program leaves
 * both alone and does not answer the fz-* queries. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/server/server.h"
#include "harness/wire/writer.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/fuzz/fuzz-config.h"

static const char *root;

static void put(const char *dir, const char *name, const void *data, size_t len)
{
        char path[4096];
        FILE *f;
        snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
        f = fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                perror(path);
                exit(1);
        }
}

static size_t name_of(const char *text, uint8_t out[DNS_NAME_MAX])
{
        size_t len;
        if (wire_name_from_text(text, out, &len) < 0)
                abort();
        return len;
}

/* A query as a stub sends it; nopt OPT records of size `opt`. */
static size_t query(uint8_t *buf, uint16_t id, uint16_t flags, const char *qname, uint16_t qtype,
                    uint16_t qdcount, unsigned nopt, uint16_t opt, uint8_t version)
{
        struct wire_writer w;
        uint8_t n[DNS_NAME_MAX];
        size_t nl = name_of(qname, n);
        struct dns_header h = { id, flags, qdcount, 0, 0, (uint16_t)nopt };

        wire_writer_init(&w, buf, 512, true);
        wire_write_header(&w, &h);
        for (unsigned i = 0; i < qdcount; i++)
                wire_write_question(&w, n, nl, qtype, DNS_CLASS_IN);
        for (unsigned i = 0; i < nopt; i++)
                wire_write_opt(&w, opt, 0, version, 0);
        return w.len;
}

/* Queries whose ids select every truncation x EDNS mode (fuzz-query.c). */
static void variant_queries(void)
{
        uint8_t q[512];
        char name[64];
        for (unsigned e = 0; e < EDNS_MODE_MAX; e++)
                for (unsigned t = 0; t < TRUNCATION_MAX; t++) {
                        uint16_t id = (uint16_t)(t + TRUNCATION_MAX * e);
                        size_t len = query(q, id, DNS_FLAG_RD, "api.mixpanel.com.", 1, 1, 0, 0, 0);
                        snprintf(name, sizeof(name), "w-api-a-%s-%s", truncation_to_string(t),
                                 edns_mode_to_string(e));
                        put("query", name, q, len);
                        len = query(q, id, DNS_FLAG_RD, "api.mixpanel.com.", 1, 1, 1, 1232, 0);
                        strcat(name, "-opt1232");
                        put("query", name, q, len);
                }
        /* compression off (bit 8), and a UDP cap of 512 / 1232 / 5 (bits 9-10) */
        put("query", "w-cdn-a-uncompressed-overflow", q,
            query(q, 0x101, DNS_FLAG_RD, "cdn.mixpanel.com.", 1, 1, 0, 0, 0));
        put("query", "w-api-a-cap512-partial-opt4096", q,
            query(q, 0x20e, 0, "api.mixpanel.com.", 1, 1, 1, 4096, 0));
        put("query", "w-api-a-cap1232-partial", q,
            query(q, 0x40c, 0, "api.mixpanel.com.", 1, 1, 1, 4096, 0));
        put("query", "w-api-a-cap5-partial-opt", q,
            query(q, 0x60a, 0, "api.mixpanel.com.", 1, 1, 1, 1232, 0));
        put("query", "w-api-aaaa-nodata", q,
            query(q, 2, DNS_FLAG_RD, "api.mixpanel.com.", 28, 1, 0, 0, 0));
        put("query", "w-badvers", q, query(q, 15, 0, "api.mixpanel.com.", 1, 1, 1, 1232, 1));
}

static void hostile_queries(void)
{
        uint8_t q[512];
        size_t len = query(q, 1, DNS_FLAG_RD, "api.mixpanel.com.", 1, 1, 0, 0, 0);

        put("query", "h-11-bytes", q, 11);
        put("query", "h-cut-question", q, 20);
        q[len] = 0;
        put("query", "h-trailing-byte", q, len + 1);
        put("query", "h-qr-set", q, query(q, 1, DNS_FLAG_QR, "api.mixpanel.com.", 1, 1, 0, 0, 0));
        put("query", "h-qdcount-0", q, query(q, 1, 0, "api.mixpanel.com.", 1, 0, 0, 0, 0));
        put("query", "h-qdcount-2", q, query(q, 1, 0, "api.mixpanel.com.", 1, 2, 0, 0, 0));
        put("query", "h-opcode-2", q, query(q, 1, 2 << 11, "api.mixpanel.com.", 1, 1, 0, 0, 0));
        put("query", "h-two-opt", q, query(q, 1, 0, "api.mixpanel.com.", 1, 1, 2, 1232, 0));
        memcpy(q, "\0\1\0\0\0\1\0\0\0\0\0\0\300\014\0\1\0\1", 18);
        put("query", "h-self-pointer", q, 18);
        memcpy(q, "\0\1\0\0\0\1\0\0\0\0\0\0\101ab\0\0\1\0\1", 20);
        put("query", "h-label-0x40", q, 20);
        memset(q + 12, 0, 300);
        for (size_t i = 0; i < 4; i++) {
                q[12 + i * 64] = 63;
                memset(q + 13 + i * 64, 'a', 63);
        }
        q[12 + 3 * 64] = 62;                                 /* 256 bytes with the root */
        put("query", "h-name-256", q, 12 + 256 + 4);
}

/* The server's replies to every query in corpus/query, UDP and TCP. */
static void replies(struct point *pt)
{
        char dir[4096], path[4096 + 256], name[512];
        static uint8_t out[65535 + 64];
        struct dirent **list;
        int n;

        snprintf(dir, sizeof(dir), "%s/query", root);
        n = scandir(dir, &list, NULL, alphasort);
        for (int i = 0; i < n; i++) {
                uint8_t q[4096];
                size_t len;
                FILE *f;
                if (list[i]->d_name[0] == '.' || strncmp(list[i]->d_name, "fz-", 3) == 0)
                        goto next;
                snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
                f = fopen(path, "rb");
                len = f ? fread(q, 1, sizeof(q), f) : 0;
                if (f)
                        fclose(f);
                snprintf(name, sizeof(name), "q-%s", list[i]->d_name);
                put("reader", name, q, len);
                for (int t = 0; t < TRANSPORT_MAX; t++) {
                        struct server_exchange x = { 0 };
                        unsigned id = len >= 2 ? (unsigned)(q[0] << 8 | q[1]) : 0;
                        size_t r;
                        fuzz_configure(&pt->params, id);
                        answer_cache_clear(&pt->answers);
                        r = server_handle_query(pt, q, len, (enum transport)t, out, sizeof(out), &x);
                        snprintf(name, sizeof(name), "r-%s-%s", transport_to_string(t),
                                 list[i]->d_name);
                        if (r)
                                put("reader", name, out, r);
                }
next:
                free(list[i]);
        }
        free(list);
}

/* Malformed replies of the unit tests' classes (test-wire-read.c). */
static void hostile_replies(void)
{
        static const uint8_t api_q[] = "\0\1\201\200\0\1\0\1\0\0\0\0\003api\010mixpanel\003com\0\0\1\0\1";
        uint8_t m[600];
        size_t n = sizeof(api_q) - 1;

        memcpy(m, api_q, n);
        memcpy(m + n, "\300\014\0\1\0\1\0\0\0\074\0\005\012\0\0\1\377", 17);
        put("reader", "h-a-rdlength-5", m, n + 17);
        memcpy(m + n, "\300\014\0\5\0\1\0\0\0\074\0\002\003foo\0", 17);
        put("reader", "h-cname-past-rdlength", m, n + 17);
        memcpy(m + n, "\300\014\0\20\0\1\0\0\0\074\0\003\005hello", 18);
        put("reader", "h-txt-overrun", m, n + 18);
        m[11] = 1, m[7] = 0;
        memcpy(m + n, "\0\0\051\004\320\0\0\0\0\0\004\0\012\0\010", 15);
        put("reader", "h-opt-option-overrun", m, n + 15);
        /* two-pointer cycle 33 -> 31 -> 33 */
        memcpy(m, "\0\1\201\200\0\1\0\2\0\0\0\0\001a\0\0\1\0\1\300\014\377\0\0\1\0\0\0\074\0\002"
               "\300\041\300\037\377\0\0\1\0\0\0\074\0\0", 45);
        put("reader", "h-pointer-cycle", m, 45);
        /* 257 bytes through a pointer */
        memcpy(m, "\0\1\201\200\0\1\0\2\0\0\0\0\001a\0\0\1\0\1\300\014\377\0\0\1\0\0\0\074\0\301", 31);
        n = 31;
        for (int i = 0; i < 4; i++) {
                m[n] = 63;
                memset(m + n + 1, 'a' + i, 63);
                n += 64;
                if (i == 2)
                        m[n++] = 0;
        }
        memcpy(m + n, "\300\037\377\0\0\1\0\0\0\074\0\0", 12);
        put("reader", "h-name-257-via-pointer", m, n + 12);
}

/* One record of every type the reader decodes, compressed. */
static void all_types(void)
{
        static const struct { uint16_t type; const char *rdata; size_t len; } rr[] = {
                { 1, "\300\0\2\1", 4 },
                { 28, "\040\1\015\270\0\0\0\0\0\0\0\0\0\0\0\1", 16 },
                { 5, "\004host\007example\003com", 18 },
                { 2, "\003ns1\007example\003com", 17 },
                { 6, "\003ns1\007example\003com\0\012hostmaster\007example\003com"
                     "\0\0\0\0\1\0\0\016\020\0\0\003\204\0\011\072\200\0\0\0\074", 61 },
                { 16, "\005hello\005world", 12 },
                { 15, "\0\012\004mail\007example\003com", 20 },
                { 33, "\0\1\0\2\023\304\003sip\007example\003com", 23 },
                { 12, "\007example\003com", 13 },
                { 65280, "\336\255\300\014\0", 5 },
        };
        uint8_t buf[1024], owner[DNS_NAME_MAX];
        size_t ol = name_of("example.com.", owner);
        struct dns_header h = { 0x1234, DNS_FLAG_QR | DNS_FLAG_AA, 1, 10, 0, 1 };
        struct wire_writer w;

        wire_writer_init(&w, buf, sizeof(buf), true);
        wire_write_header(&w, &h);
        wire_write_question(&w, owner, ol, 255, DNS_CLASS_IN);
        for (size_t i = 0; i < sizeof(rr) / sizeof(rr[0]); i++)
                wire_write_rr(&w, owner, ol, rr[i].type, DNS_CLASS_IN, 60,
                              (const uint8_t *)rr[i].rdata, rr[i].len);
        wire_write_opt(&w, 1232, 0, 0, 0x8000);
        put("reader", "w-every-type", buf, w.len);
}

int main(int argc, char **argv)
{
        struct scenario *sc;
        struct point_params p;
        struct point *pt;
        char err[512], path[4096];

        if (argc != 2) {
                fprintf(stderr, "usage: %s CORPUS-DIR (tests/fuzz/corpus)\n", argv[0]);
                return 2;
        }
        root = argv[1];
        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", STUBCOMPAT_SOURCE_ROOT);
        if (scenario_load(path, &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        scenario_point_params(sc, 29, &p);
        pt = point_new(sc, 29, &p, err, sizeof(err));
        scenario_free(sc);
        if (!pt) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        variant_queries();
        hostile_queries();
        replies(pt);
        hostile_replies();
        all_types();
        point_free(pt);
        return 0;
}
