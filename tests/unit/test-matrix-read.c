/* The matrix.json reader: write -> read -> write gives the same bytes, every
 * JSON escape decodes, and malformed input (truncated, bad escapes, deep
 * nesting, wrong types, missing keys) is refused with an exact
 * "file:line:col: what was expected" and never read past its end. The
 * "build" suite checks the matrix's own storage: texts stored once and cut
 * to their field, values shared by a point's cells, copies that own their
 * texts, and the string pool under them. */
#include <stdlib.h>
#include <string.h>

#include "harness/report/matrix-json.h"
#include "harness/report/matrix-read.h"
#include "harness/report/merge.h"
#include "harness/util/strpool.h"
#include "tests/common/testmain.h"

/* A matrix with every kind of field: nulls, escapes, two axes (one numeric). */
static void build_matrix(struct matrix *m)
{
        memset(m, 0, sizeof(*m));
        snprintf(m->suite, sizeof(m->suite), "t\"q\\s");
        snprintf(m->scenario, sizeof(m->scenario), "scenarios/t.scn");
        m->complete = true;
        m->total = 6;
        m->naxes = 2;
        snprintf(m->axes[0], sizeof(m->axes[0]), "records");
        snprintf(m->axes[1], sizeof(m->axes[1]), "truncation");
        CU_ASSERT_FATAL(matrix_reserve(m, 2) == 0);

        struct matrix_cell *c = matrix_add_cell(m);
        const char *values0[2] = { "30", "tc-empty" }, *values1[2] = { "64", "cut" };
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        c->index = 1;
        c->point = 0;
        CU_ASSERT_FATAL(matrix_cell_set_client(m, c, "musl-1.2.3") == 0 &&
                        matrix_cell_set_kind(m, c, "emulated") == 0 &&
                        matrix_cell_set_qname(m, c, "api.example.com") == 0 &&
                        matrix_cell_set_values(m, c, values0) == 0);
        snprintf(c->qtype, sizeof(c->qtype), "A");
        c->verdict = VERDICT_NXDOMAIN;
        c->expected = 30;
        snprintf(c->path, sizeof(c->path), "udp");
        c->udp_bytes = 34;
        c->tcp_bytes = -1;
        c->udp_queries = 1;
        c->tc_replies = 1;
        c->edns = -1;
        CU_ASSERT_FATAL(matrix_cell_set_detail(m, c, "line\nquote\" back\\ tab\t ctl\x01 "
                                               "del\x7f utf8 \xc3\xa9") == 0);
        c->elapsed_ms = 0.4;

        c = matrix_add_cell(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        c->index = 4;
        c->point = 1;
        CU_ASSERT_FATAL(matrix_cell_set_client(m, c, "real:glibc-2.36") == 0 &&
                        matrix_cell_set_kind(m, c, "real") == 0 &&
                        matrix_cell_set_qname(m, c, "api.example.com") == 0 &&
                        matrix_cell_set_values(m, c, values1) == 0);
        snprintf(c->qtype, sizeof(c->qtype), "ADDR");
        c->verdict = VERDICT_ERROR;
        snprintf(c->reason, sizeof(c->reason), "truncated");
        c->addresses = 3;
        c->expected = 64;
        snprintf(c->path, sizeof(c->path), "udp+tcp");
        c->udp_bytes = 512;
        c->tcp_bytes = 1058;
        c->udp_queries = 2;
        c->tcp_queries = 1;
        c->tc_replies = 1;
        c->edns = 1232;
        c->elapsed_ms = 1234.5;
}

/* Reads len bytes from an exact-size heap copy, so a read past the end is
 * caught by ASan and valgrind. */
static int read_exact(const char *text, size_t len, struct matrix *m, char *err, size_t errlen)
{
        char *copy = malloc(len ? len : 1);
        int r;
        CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
        memcpy(copy, text, len);
        r = matrix_read_buffer("m.json", copy, len, m, err, errlen);
        free(copy);
        return r;
}

static void test_round_trip(void)
{
        struct matrix m, back;
        struct strbuf a, b;
        char err[512];

        build_matrix(&m);
        strbuf_init(&a);
        strbuf_init(&b);
        matrix_json_write(&m, &a);
        CU_ASSERT_EQUAL_FATAL(read_exact(a.data, a.len, &back, err, sizeof(err)), 0);
        CU_ASSERT_STRING_EQUAL(back.suite, m.suite);
        CU_ASSERT_EQUAL(back.total, 6);
        CU_ASSERT_EQUAL_FATAL(back.ncells, 2);
        CU_ASSERT_STRING_EQUAL(back.cells[0].detail, m.cells[0].detail);
        CU_ASSERT_STRING_EQUAL(back.cells[0].values[0], "30");
        CU_ASSERT_STRING_EQUAL(back.cells[1].values[1], "cut");
        CU_ASSERT_EQUAL(back.cells[0].tcp_bytes, -1);
        CU_ASSERT_EQUAL(back.cells[0].edns, -1);
        CU_ASSERT_EQUAL(back.cells[1].edns, 1232);
        CU_ASSERT_EQUAL(back.cells[1].verdict, VERDICT_ERROR);
        matrix_json_write(&back, &b);
        CU_ASSERT_EQUAL_FATAL(a.len, b.len);
        CU_ASSERT_EQUAL(memcmp(a.data, b.data, a.len), 0);
        strbuf_free(&a);
        strbuf_free(&b);
        matrix_free(&back);
        matrix_free(&m);
}

/* A minimal valid matrix; the error tests below edit it. */
static const char doc[] =
        "{\"schema\":1,\"suite\":\"s\",\"scenario\":\"s.scn\",\"complete\":true,\"total\":2,"
        "\"axes\":[\"records\"],\"cells\":[\n"
        "{\"client\":\"c\",\"kind\":\"emulated\",\"qname\":\"q.example\",\"qtype\":\"A\",\"index\":0,"
        "\"point\":0,\"params\":{\"records\":1},\"verdict\":\"ok\",\"reason\":\"\",\"addresses\":1,"
        "\"expected\":1,\"path\":\"udp\",\"udp_bytes\":50,\"tcp_bytes\":null,\"udp_queries\":1,"
        "\"tcp_queries\":0,\"tc_replies\":0,\"edns\":null,\"detail\":\"\",\"elapsed_ms\":0.1}\n"
        "]}";

/* doc with the first occurrence of `from` replaced by `to`. */
static char *edit(const char *from, const char *to)
{
        const char *at = strstr(doc, from);
        size_t fl = strlen(from), tl = strlen(to);
        char *out = malloc(sizeof(doc) - fl + tl);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);
        memcpy(out, doc, (size_t)(at - doc));
        memcpy(out + (at - doc), to, tl);
        strcpy(out + (at - doc) + tl, at + fl);
        return out;
}

static void expect_error(const char *text, const char *message)
{
        struct matrix m;
        char err[512] = "";
        CU_ASSERT_EQUAL(read_exact(text, strlen(text), &m, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, message);
        if (strcmp(err, message) != 0)
                fprintf(stderr, "\n  got:      %s\n  expected: %s\n", err, message);
        CU_ASSERT_PTR_NULL(m.cells);
        CU_ASSERT_EQUAL(m.ncells, 0);
}

static void expect_edit_error(const char *from, const char *to, const char *message)
{
        char *text = edit(from, to);
        expect_error(text, message);
        free(text);
}

static void test_valid_doc(void)
{
        struct matrix m;
        char err[512];
        CU_ASSERT_EQUAL_FATAL(read_exact(doc, strlen(doc), &m, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(m.ncells, 1);
        CU_ASSERT_EQUAL(m.cells[0].verdict, VERDICT_OK);
        CU_ASSERT_DOUBLE_EQUAL(m.cells[0].elapsed_ms, 0.1, 1e-9);
        matrix_free(&m);
}

static void test_truncated(void)
{
        struct matrix m;
        char err[512];

        /* every proper prefix is refused, none is read past its end */
        for (size_t len = 0; len < strlen(doc); len++) {
                int r = read_exact(doc, len, &m, err, sizeof(err));
                CU_ASSERT_EQUAL(r, -1);
                if (r == 0) {
                        fprintf(stderr, "\n  prefix of %zu bytes accepted\n", len);
                        matrix_free(&m);
                }
        }
        expect_error("", "m.json:1:1: '[' or '{' expected near end of file");
        expect_error("{\"schema\":1,\"sui", "m.json:1:16: premature end of input near '\"sui'");
        expect_error("{\"schema\":1", "m.json:1:11: '}' expected near end of file");
        expect_error("{\"schema\":", "m.json:1:10: unexpected token near end of file");
        expect_error("{\"schema\":1,\"suite\":\"s\\", "m.json:1:23: invalid escape near '\"s\\'");
        char *text = strndup(doc, strlen(doc) - 3);
        expect_error(text, "m.json:2:295: expected ']}' to end the cells, got end of file");
        free(text);
}

static void test_bad_escapes(void)
{
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"a\\qb\"",
                          "m.json:2:278: invalid escape near '\"a\\q'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"\\u12x4\"",
                          "m.json:2:280: invalid escape near '\"\\u12x'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"\\udc00\"",
                          "m.json:2:282: invalid Unicode '\\uDC00' near '\"\\udc00\"'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"\\ud800x\"",
                          "m.json:2:283: invalid Unicode '\\uD800' near '\"\\ud800x\"'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"\\ud800\\u0041\"",
                          "m.json:2:288: invalid Unicode '\\uD800\\u0041' near '\"\\ud800\\u0041\"'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"\\u0000\"",
                          "m.json:2:282: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'");
        expect_edit_error("\"detail\":\"\"", "\"detail\":\"a\tb\"",
                          "m.json:2:276: control character 0x9 near '\"a'");
}

static void test_escapes_decode(void)
{
        struct matrix m;
        char err[512];
        char *text = edit("\"detail\":\"\"",
                          "\"detail\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t \\u00e9 \\u20AC \\ud83d\\ude00 \xc3\xa9\"");
        CU_ASSERT_EQUAL_FATAL(read_exact(text, strlen(text), &m, err, sizeof(err)), 0);
        CU_ASSERT_STRING_EQUAL(m.cells[0].detail,
                               "\"\\/\b\f\n\r\t \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc3\xa9");
        matrix_free(&m);
        free(text);
}

static void test_deep_nesting(void)
{
        /* jansson stops at 2048 levels (JSON_PARSER_MAX_DEPTH): the stack is bounded */
        enum { LEVELS = 3000 };
        char *text = malloc(2 * LEVELS + 16);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        size_t o = (size_t)snprintf(text, 2 * LEVELS + 16, "{\"x\":");
        for (int i = 0; i < LEVELS; i++)
                text[o++] = '[';
        for (int i = 0; i < LEVELS; i++)
                text[o++] = ']';
        snprintf(text + o, 2 * LEVELS + 16 - o, "}");
        expect_error(text, "m.json:1:2053: maximum parsing depth reached near '['");
        free(text);

        /* 62 levels inside an unknown key are fine */
        char *deep = malloc(sizeof(doc) + 200);
        CU_ASSERT_PTR_NOT_NULL_FATAL(deep);
        o = (size_t)snprintf(deep, sizeof(doc) + 200, "{\"x\":");
        for (int i = 0; i < 63; i++)
                deep[o++] = '[';
        for (int i = 0; i < 63; i++)
                deep[o++] = ']';
        snprintf(deep + o, sizeof(doc) + 200 - o, ",%s", doc + 1);
        struct matrix m;
        char err[512];
        CU_ASSERT_EQUAL(read_exact(deep, strlen(deep), &m, err, sizeof(err)), 0);
        matrix_free(&m);
        free(deep);
}

static void test_wrong_types(void)
{
        expect_edit_error("\"schema\":1", "\"schema\":\"1\"",
                          "m.json:1:2: \"schema\": expected 1, got a string");
        expect_edit_error("\"schema\":1", "\"schema\":2",
                          "m.json:1:2: \"schema\": expected 1, got 2");
        expect_edit_error("\"suite\":\"s\"", "\"suite\":[]",
                          "m.json:1:13: \"suite\": expected a string, got an array");
        expect_edit_error("\"complete\":true", "\"complete\":1",
                          "m.json:1:44: \"complete\": expected true or false, got a number");
        expect_edit_error("\"total\":2", "\"total\":-2",
                          "m.json:1:60: \"total\": expected a whole number 0..9223372036854775807, got -2");
        expect_edit_error("\"axes\":[\"records\"]", "\"axes\":{}",
                          "m.json:1:70: \"axes\": expected an array, got an object");
        expect_edit_error("\"axes\":[\"records\"]", "\"axes\":[1]",
                          "m.json:1:70: \"axes\": expected a string, got a number");
        expect_edit_error("\"cells\":[", "\"cells\":{",
                          "m.json:2:1: string or '}' expected near '{'");
        expect_edit_error("\"index\":0", "\"index\":1.5",
                          "m.json:2:65: \"index\": expected a whole number 0..9223372036854775807, got 1.5");
        expect_edit_error("\"udp_bytes\":50", "\"udp_bytes\":\"50\"",
                          "m.json:2:175: \"udp_bytes\": expected a number or null, got a string");
        expect_edit_error("\"edns\":null", "\"edns\":4294967296",
                          "m.json:2:254: \"edns\": expected a whole number 0..2147483647, got 4294967296");
        expect_edit_error("\"tc_replies\":0", "\"tc_replies\":true",
                          "m.json:2:239: \"tc_replies\": expected a number, got true");
        expect_edit_error("\"verdict\":\"ok\"", "\"verdict\":\"fine\"",
                          "m.json:2:108: \"verdict\": expected ok, partial, wrong, nodata, nxdomain, error, timeout, skipped or harness-error, got \"fine\"");
        expect_edit_error("\"params\":{\"records\":1}", "\"params\":{\"records\":[1]}",
                          "m.json:2:85: \"params\": expected a string or a number, got an array");
        expect_edit_error("\"elapsed_ms\":0.1", "\"elapsed_ms\":1e999",
                          "m.json:2:295: real number overflow near '1e999'");
        expect_edit_error("\"client\":\"c\"",
                          "\"client\":\"0123456789012345678901234567890123456789012345678901234567890123\"",
                          "m.json:2:2: \"client\": expected a string of at most 63 bytes");
        expect_edit_error("\"total\":2", "\"total\":-", "m.json:1:68: invalid token near '-'");
        expect_edit_error("\"total\":2", "\"total\":2.", "m.json:1:69: invalid token near '2.'");
        expect_edit_error("\"total\":2", "\"total\":2e+", "m.json:1:70: invalid token near '2e+'");
        expect_edit_error("\"total\":2", "\"total\":02", "m.json:1:68: invalid token near '0'");
        expect_edit_error("\"complete\":true", "\"complete\":tru",
                          "m.json:1:57: invalid token near 'tru'");
}

static void test_missing_and_duplicate_keys(void)
{
        expect_edit_error("\"verdict\":\"ok\",", "",
                          "m.json:2:279: expected key \"verdict\" in cell 0");
        expect_edit_error("\"total\":2,", "",
                          "m.json:1:87: expected key \"total\" in the matrix object");
        expect_edit_error("\"params\":{\"records\":1}", "\"params\":{\"other\":1}",
                          "m.json:2:85: \"params\": expected key \"records\"");
        expect_edit_error("\"suite\":\"s\",", "\"suite\":\"s\",\"suite\":\"t\",",
                          "m.json:1:31: duplicate object key near '\"suite\"'");
        expect_edit_error("\"index\":0,", "\"index\":0,\"index\":0,",
                          "m.json:2:81: duplicate object key near '\"index\"'");
        expect_edit_error("\"params\":{\"records\":1}", "\"params\":{\"records\":1,\"records\":2}",
                          "m.json:2:115: duplicate object key near '\"records\"'");
        expect_edit_error("\"axes\":[\"records\"]", "\"axes\":[\"records\",\"records\"]",
                          "m.json:1:70: \"axes\": duplicate axis \"records\"");
}

static void test_structure_errors(void)
{
        char *text = malloc(sizeof(doc) + 8);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        snprintf(text, sizeof(doc) + 8, "%s x", doc);
        expect_error(text, "m.json:3:4: expected end of file after the matrix object");
        free(text);
        expect_error("[]", "m.json:1:1: expected a matrix object ('{'), got an array");
        expect_error("{\"schema\" 1}", "m.json:1:11: ':' expected near '1'");
        expect_error("{schema:1}", "m.json:1:7: string or '}' expected near 'schema'");
        expect_edit_error("\"tc_replies\":0,", "\"tc_replies\":0,,",
                          "m.json:2:254: string or '}' expected near ','");
        expect_edit_error("\n]}", "\n,]}", "m.json:3:1: expected ']}' to end the cells, or ',' after the cell before");
        expect_edit_error("\"complete\":true", "\"complete\":\x01",
                          "m.json:1:55: invalid token near '\x01'");
}

static void test_unknown_keys_and_order(void)
{
        struct matrix m;
        char err[512];
        /* unknown keys anywhere are skipped; "cells" may come before "axes" */
        static const char text[] =
                "{\"cells\":[{\"future\":{\"a\":[1,{\"b\":null}]},\"client\":\"c\",\"kind\":\"real\","
                "\"qname\":\"q\",\"qtype\":\"A\",\"index\":1,\"point\":0,"
                "\"params\":{\"extra\":\"x\",\"truncation\":\"cut\",\"records\":7},\"verdict\":\"timeout\","
                "\"reason\":\"deadline\",\"addresses\":0,\"expected\":7,\"path\":\"none\",\"udp_bytes\":null,"
                "\"tcp_bytes\":null,\"udp_queries\":0,\"tcp_queries\":0,\"tc_replies\":0,\"edns\":0,"
                "\"detail\":\"\",\"elapsed_ms\":15000}],"
                " \"note\" : \"written by hand\" , \"axes\":[\"records\",\"truncation\"],\"total\":9,"
                "\"complete\":false,\"scenario\":\"x.scn\",\"suite\":\"x\",\"schema\":1}\r\n";
        CU_ASSERT_EQUAL_FATAL(read_exact(text, strlen(text), &m, err, sizeof(err)), 0);
        CU_ASSERT_FALSE(m.complete);
        CU_ASSERT_EQUAL(m.naxes, 2);
        CU_ASSERT_EQUAL_FATAL(m.ncells, 1);
        CU_ASSERT_STRING_EQUAL(m.cells[0].values[0], "7");
        CU_ASSERT_STRING_EQUAL(m.cells[0].values[1], "cut");
        CU_ASSERT_EQUAL(m.cells[0].verdict, VERDICT_TIMEOUT);
        CU_ASSERT_EQUAL(m.cells[0].edns, 0);
        CU_ASSERT_EQUAL(m.cells[0].udp_bytes, -1);
        matrix_free(&m);
}

/* Every byte of doc replaced by each of a few troublesome bytes: the reader
 * answers 0 or -1 and never reads past the end (run under ASan/valgrind). */
static void test_mutations(void)
{
        static const char bytes[] = "\"\\{}[],:0-enu\x00\xff";
        size_t len = strlen(doc);
        char *text = malloc(len);
        struct matrix m;
        char err[512];

        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        for (size_t i = 0; i < len; i++)
                for (size_t b = 0; b < sizeof(bytes) - 1; b++) {
                        memcpy(text, doc, len);
                        text[i] = bytes[b];
                        int r = read_exact(text, len, &m, err, sizeof(err));
                        CU_ASSERT(r == 0 || r == -1);
                        if (r == 0)
                                matrix_free(&m);
                        else
                                CU_ASSERT_PTR_NOT_NULL(strstr(err, "m.json:"));
                }
        free(text);
}

static void test_file_errors(void)
{
        struct matrix m;
        char err[512];
        CU_ASSERT_EQUAL(matrix_read_file("/nonexistent/matrix.json", &m, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "/nonexistent/matrix.json: No such file or directory");
}

/* ---------------------------------------------------------------- building */

/* A fresh cell has "" texts and values; each text is stored once per matrix
 * and cut to its field's length, as the fixed arrays of schema 1 cut it. */
static void test_build_texts(void)
{
        struct matrix m = { 0 };
        char long_text[400], client[8];
        struct matrix_cell *a, *b;

        m.naxes = 2;
        snprintf(m.axes[0], sizeof(m.axes[0]), "records");
        snprintf(m.axes[1], sizeof(m.axes[1]), "truncation");
        CU_ASSERT_FATAL(matrix_reserve(&m, 2) == 0);
        a = matrix_add_cell(&m);
        b = matrix_add_cell(&m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_STRING_EQUAL(a->client, "");
        CU_ASSERT_STRING_EQUAL(a->detail, "");
        CU_ASSERT_STRING_EQUAL(a->values[1], "");
        snprintf(client, sizeof(client), "musl");
        CU_ASSERT(matrix_cell_set_client(&m, a, client) == 0);
        snprintf(client, sizeof(client), "glibc");  /* the matrix has its own copy */
        CU_ASSERT(matrix_cell_set_client(&m, b, "musl") == 0);
        CU_ASSERT_STRING_EQUAL(a->client, "musl");
        CU_ASSERT_PTR_EQUAL(a->client, b->client);
        memset(long_text, 'x', sizeof(long_text) - 1);
        long_text[sizeof(long_text) - 1] = '\0';
        CU_ASSERT(matrix_cell_set_client(&m, a, long_text) == 0);
        CU_ASSERT(matrix_cell_set_kind(&m, a, long_text) == 0);
        CU_ASSERT(matrix_cell_set_qname(&m, a, long_text) == 0);
        CU_ASSERT(matrix_cell_set_detail(&m, a, long_text) == 0);
        CU_ASSERT_EQUAL(strlen(a->client), MATRIX_CLIENT_MAX);
        CU_ASSERT_EQUAL(strlen(a->kind), MATRIX_KIND_MAX);
        CU_ASSERT_EQUAL(strlen(a->qname), MATRIX_QNAME_MAX);
        CU_ASSERT_EQUAL(strlen(a->detail), MATRIX_DETAIL_MAX);
        CU_ASSERT(matrix_cell_set_value(&m, a, 1, long_text) == 0);
        CU_ASSERT_EQUAL(strlen(a->values[1]), MATRIX_VALUE_MAX);
        CU_ASSERT_STRING_EQUAL(a->values[0], "");
        CU_ASSERT_NOT_EQUAL(matrix_cell_set_value(&m, a, 2, "7"), 0);   /* no such axis */
        matrix_free(&m);
        CU_ASSERT_PTR_NULL(m.cells);
        CU_ASSERT_EQUAL(m.ncells, 0);
}

/* Consecutive cells of one point share one values array; changing one
 * cell's value leaves the others alone. */
static void test_build_values_shared(void)
{
        struct matrix m = { 0 };
        const char *p1[2] = { "1", "cut" }, *p2[2] = { "2", "cut" };
        struct matrix_cell *c[3];

        m.naxes = 2;
        CU_ASSERT_FATAL(matrix_reserve(&m, 3) == 0);
        for (int i = 0; i < 3; i++) {
                c[i] = matrix_add_cell(&m);
                CU_ASSERT_PTR_NOT_NULL_FATAL(c[i]);
                CU_ASSERT_FATAL(matrix_cell_set_values(&m, c[i], i < 2 ? p1 : p2) == 0);
        }
        CU_ASSERT_PTR_EQUAL(c[0]->values, c[1]->values);
        CU_ASSERT_PTR_NOT_EQUAL(c[1]->values, c[2]->values);
        CU_ASSERT_PTR_EQUAL(c[0]->values[1], c[2]->values[1]);      /* "cut" stored once */
        CU_ASSERT_FATAL(matrix_cell_set_value(&m, c[1], 0, "9") == 0);
        CU_ASSERT_STRING_EQUAL(c[0]->values[0], "1");
        CU_ASSERT_STRING_EQUAL(c[1]->values[0], "9");
        CU_ASSERT_STRING_EQUAL(c[1]->values[1], "cut");
        CU_ASSERT_STRING_EQUAL(c[2]->values[0], "2");
        matrix_free(&m);
}

/* A copied cell owns its texts: the source matrix can go first. */
static void test_build_copy(void)
{
        struct matrix src, dst = { 0 };

        build_matrix(&src);
        dst.naxes = src.naxes;
        memcpy(dst.axes, src.axes, sizeof(dst.axes));
        for (size_t i = 0; i < src.ncells; i++) {
                struct matrix_cell *c = matrix_add_cell(&dst);
                CU_ASSERT_FATAL(c && matrix_cell_copy(&dst, c, &src.cells[i]) == 0);
                CU_ASSERT_PTR_NOT_EQUAL(c->client, src.cells[i].client);
                CU_ASSERT_PTR_NULL(matrix_cell_differs(&dst, c, &src.cells[i]));
        }
        matrix_free(&src);
        CU_ASSERT_STRING_EQUAL(dst.cells[0].client, "musl-1.2.3");
        CU_ASSERT_STRING_EQUAL(dst.cells[1].values[1], "cut");
        CU_ASSERT_PTR_NOT_NULL(strstr(dst.cells[0].detail, "utf8 \xc3\xa9"));
        matrix_free(&dst);
}

/* Read back, the cells of a point share texts and values as built. */
static void test_build_read_shares(void)
{
        static const char cell[] =
                "{\"client\":\"c\",\"kind\":\"emulated\",\"qname\":\"q.example\",\"qtype\":\"A\","
                "\"index\":%d,\"point\":0,\"params\":{\"records\":1},\"verdict\":\"ok\","
                "\"reason\":\"\",\"addresses\":1,\"expected\":1,\"path\":\"udp\",\"udp_bytes\":50,"
                "\"tcp_bytes\":null,\"udp_queries\":1,\"tcp_queries\":0,\"tc_replies\":0,"
                "\"edns\":null,\"detail\":\"no address\",\"elapsed_ms\":0.1}";
        char text[2048], one[600], err[512];
        size_t o;
        struct matrix m;

        o = (size_t)snprintf(text, sizeof(text), "{\"schema\":1,\"suite\":\"s\",\"scenario\":"
                             "\"s.scn\",\"complete\":true,\"total\":2,\"axes\":[\"records\"],"
                             "\"cells\":[\n");
        for (int i = 0; i < 2; i++) {
                snprintf(one, sizeof(one), cell, i);
                o += (size_t)snprintf(text + o, sizeof(text) - o, "%s%s\n", one, i ? "" : ",");
        }
        snprintf(text + o, sizeof(text) - o, "]}");
        CU_ASSERT_EQUAL_FATAL(read_exact(text, strlen(text), &m, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL_FATAL(m.ncells, 2);
        CU_ASSERT_PTR_EQUAL(m.cells[0].client, m.cells[1].client);
        CU_ASSERT_PTR_EQUAL(m.cells[0].detail, m.cells[1].detail);
        CU_ASSERT_PTR_EQUAL(m.cells[0].values, m.cells[1].values);
        CU_ASSERT_STRING_EQUAL(m.cells[1].detail, "no address");
        matrix_free(&m);
}

/* The pool itself: many strings (its index grows), a large one (a chunk of
 * its own), each interned twice to the same copy. */
static void test_strpool(void)
{
        struct strpool *p = strpool_new();
        const char *first[3000], *big = NULL;
        char s[32], *large = malloc(100000);

        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(large);
        memset(large, 'L', 99999);
        large[99999] = '\0';
        for (int i = 0; i < 3000; i++) {
                snprintf(s, sizeof(s), "value-%d", i);
                first[i] = strpool_intern(p, s);
                CU_ASSERT_PTR_NOT_NULL_FATAL(first[i]);
                if (i == 1500)
                        CU_ASSERT_PTR_NOT_NULL_FATAL(big = strpool_intern(p, large));
        }
        for (int i = 0; i < 3000; i++) {
                snprintf(s, sizeof(s), "value-%d", i);
                CU_ASSERT_PTR_EQUAL(strpool_intern(p, s), first[i]);
                CU_ASSERT_STRING_EQUAL(first[i], s);
        }
        CU_ASSERT_PTR_EQUAL(strpool_intern(p, large), big);
        CU_ASSERT_EQUAL(strlen(big), 99999);
        CU_ASSERT_STRING_EQUAL(strpool_intern_n(p, "value-12", 7), "value-1");
        CU_ASSERT_PTR_EQUAL(strpool_intern_n(p, "value-12", 7), first[1]);
        CU_ASSERT(strpool_footprint(p) > 3000 * 8 + 99999);
        free(large);
        strpool_free(p);
        strpool_free(NULL);
}

static const struct test_case read_tests[] = {
        { "round trip: write, read, write", test_round_trip },
        { "a valid document", test_valid_doc },
        { "escapes decode to UTF-8", test_escapes_decode },
        { "unknown keys, any key order", test_unknown_keys_and_order },
        { "file errors", test_file_errors },
        { NULL, NULL },
};

static const struct test_case malformed_tests[] = {
        { "truncated input", test_truncated },
        { "bad escapes", test_bad_escapes },
        { "deep nesting", test_deep_nesting },
        { "wrong types and values", test_wrong_types },
        { "missing and duplicate keys", test_missing_and_duplicate_keys },
        { "structure errors", test_structure_errors },
        { "byte mutations", test_mutations },
        { NULL, NULL },
};

static const struct test_case build_tests[] = {
        { "texts stored once, cut to their field", test_build_texts },
        { "a point's cells share its values", test_build_values_shared },
        { "a copied cell owns its texts", test_build_copy },
        { "read back, texts and values are shared", test_build_read_shares },
        { "the string pool", test_strpool },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "read", read_tests },
        { "malformed", malformed_tests },
        { "build", build_tests },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "matrix-read", suites);
}
