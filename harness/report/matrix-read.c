#include "harness/report/matrix-read.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/util/strutil.h"

/* ---------------------------------------------------------------- JSON cursor
 *
 * A sticky-error cursor over untrusted bytes (asr_unpack style): every step
 * checks `failed` first and the first error is the one reported. Positions are
 * byte offsets into buf; they become line:col only when an error is printed. */

struct json {
        const char *name;       /* file name, for messages */
        const char *buf;
        size_t len, pos;
        size_t key_at;          /* where the last key read by json_member starts */
        unsigned depth;
        bool failed;
        char *err;
        size_t errlen;
};

static void json_fail_at(struct json *j, size_t at, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void json_fail_at(struct json *j, size_t at, const char *fmt, ...)
{
        char msg[384];
        unsigned long line = 1, col = 1;
        va_list ap;

        if (j->failed)
                return;
        j->failed = true;
        if (at > j->len)
                at = j->len;
        for (size_t i = 0; i < at; i++) {
                if (j->buf[i] == '\n') {
                        line++;
                        col = 1;
                } else {
                        col++;
                }
        }
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(j->err, j->errlen, "%s:%lu:%lu: %s", j->name, line, col, msg);
}

static void json_skip_ws(struct json *j)
{
        while (j->pos < j->len && (j->buf[j->pos] == ' ' || j->buf[j->pos] == '\t' ||
                                   j->buf[j->pos] == '\n' || j->buf[j->pos] == '\r'))
                j->pos++;
}

/* The next significant byte, or -1 at the end or after an error. */
static int json_peek(struct json *j)
{
        if (j->failed)
                return -1;
        json_skip_ws(j);
        return j->pos < j->len ? (unsigned char)j->buf[j->pos] : -1;
}

static bool json_literal(const struct json *j, const char *word)
{
        size_t n = strlen(word);
        return j->len - j->pos >= n && memcmp(j->buf + j->pos, word, n) == 0;
}

/* What the next value looks like, for "expected X, got Y" messages. */
static const char *json_got(struct json *j, char tmp[16])
{
        int c = json_peek(j);
        switch (c) {
        case -1: return "end of file";
        case '"': return "a string";
        case '{': return "an object";
        case '[': return "an array";
        case '-': return "a number";
        default: break;
        }
        if (c >= '0' && c <= '9')
                return "a number";
        if (json_literal(j, "true"))
                return "true";
        if (json_literal(j, "false"))
                return "false";
        if (json_literal(j, "null"))
                return "null";
        if (c > 0x20 && c < 0x7f)
                snprintf(tmp, 16, "'%c'", c);
        else
                snprintf(tmp, 16, "byte 0x%02x", (unsigned)c);
        return tmp;
}

static void json_expected(struct json *j, const char *what, const char *expected)
{
        char tmp[16];
        const char *got = json_got(j, tmp);
        json_fail_at(j, j->pos, "%s%sexpected %s, got %s", what, *what ? ": " : "", expected, got);
}

/* Enters an object or array whose opening byte is next. */
static bool json_enter(struct json *j, int open, const char *what, const char *expected)
{
        if (json_peek(j) != open) {
                json_expected(j, what, expected);
                return false;
        }
        if (j->depth >= MATRIX_READ_MAX_DEPTH) {
                json_fail_at(j, j->pos, "expected at most %d levels of nesting",
                             MATRIX_READ_MAX_DEPTH);
                return false;
        }
        j->depth++;
        j->pos++;
        return true;
}

static int hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Reads the 4 hex digits of a \u escape at pos. Returns the code unit or -1. */
static long json_hex4(struct json *j)
{
        long v = 0;
        if (j->len - j->pos < 4) {
                json_fail_at(j, j->pos, "expected 4 hex digits after '\\u', got end of file");
                return -1;
        }
        for (int i = 0; i < 4; i++) {
                int d = hex_digit(j->buf[j->pos + (size_t)i]);
                if (d < 0) {
                        json_fail_at(j, j->pos + (size_t)i, "expected 4 hex digits after '\\u'");
                        return -1;
                }
                v = v * 16 + d;
        }
        j->pos += 4;
        return v;
}

static size_t utf8_encode(unsigned long cp, char out[4])
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

/* Decodes the escape whose backslash is at pos into out. Returns its length
 * in bytes, or 0 after an error. */
static size_t json_escape(struct json *j, char out[4])
{
        size_t at = j->pos;
        long cp, lo;

        j->pos++;
        if (j->pos >= j->len) {
                json_fail_at(j, j->pos, "expected an escape after '\\', got end of file");
                return 0;
        }
        switch (j->buf[j->pos++]) {
        case '"': out[0] = '"'; return 1;
        case '\\': out[0] = '\\'; return 1;
        case '/': out[0] = '/'; return 1;
        case 'b': out[0] = '\b'; return 1;
        case 'f': out[0] = '\f'; return 1;
        case 'n': out[0] = '\n'; return 1;
        case 'r': out[0] = '\r'; return 1;
        case 't': out[0] = '\t'; return 1;
        case 'u': break;
        default:
                json_fail_at(j, at, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                             "\\uXXXX), got '\\%c'", j->buf[j->pos - 1]);
                return 0;
        }
        if ((cp = json_hex4(j)) < 0)
                return 0;
        if (cp >= 0xdc00 && cp <= 0xdfff) {
                json_fail_at(j, at, "expected a high surrogate before \\u%04lX", cp);
                return 0;
        }
        if (cp >= 0xd800 && cp <= 0xdbff) {
                if (!json_literal(j, "\\u")) {
                        json_fail_at(j, j->pos, "expected a low surrogate \\uDC00..\\uDFFF "
                                     "after \\u%04lX", cp);
                        return 0;
                }
                j->pos += 2;
                if ((lo = json_hex4(j)) < 0)
                        return 0;
                if (lo < 0xdc00 || lo > 0xdfff) {
                        json_fail_at(j, j->pos - 6, "expected a low surrogate \\uDC00..\\uDFFF "
                                     "after \\u%04lX", cp);
                        return 0;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (cp == 0) {
                json_fail_at(j, at, "expected a character other than \\u0000 "
                             "(strings are C strings)");
                return 0;
        }
        return utf8_encode((unsigned long)cp, out);
}

/* Reads a string into out (outlen > 0), or discards it when out is NULL.
 * A string that does not fit is an error ("expected at most N bytes"), unless
 * truncate: then out is "" (used for keys, which are then unknown). */
static bool json_string(struct json *j, char *out, size_t outlen, const char *what, bool truncate)
{
        size_t start, o = 0;
        bool too_long = false;

        if (json_peek(j) != '"') {
                json_expected(j, what, "a string");
                return false;
        }
        start = j->pos++;
        for (;;) {
                char bytes[4];
                size_t n;
                if (j->pos >= j->len) {
                        json_fail_at(j, j->pos, "expected '\"' to end the string, got end of file");
                        return false;
                }
                unsigned char c = (unsigned char)j->buf[j->pos];
                if (c == '"') {
                        j->pos++;
                        break;
                }
                if (c < 0x20) {
                        json_fail_at(j, j->pos, "expected an escape (\\n, \\t, \\u00%02X) "
                                     "instead of control byte 0x%02x in a string", c, c);
                        return false;
                }
                if (c == '\\') {
                        if ((n = json_escape(j, bytes)) == 0)
                                return false;
                } else {
                        bytes[0] = (char)c;
                        n = 1;
                        j->pos++;
                }
                if (!out || too_long)
                        continue;
                if (n > outlen - 1 - o) {
                        if (!truncate) {
                                json_fail_at(j, start, "%s%sexpected a string of at most %zu bytes",
                                             what, *what ? ": " : "", outlen - 1);
                                return false;
                        }
                        too_long = true;
                        continue;
                }
                memcpy(out + o, bytes, n);
                o += n;
        }
        if (out)
                out[too_long ? 0 : o] = '\0';
        return true;
}

/* Reads a number (RFC 8259 grammar) and copies its text into lex. */
static bool json_number(struct json *j, char *lex, size_t lexlen, const char *what)
{
        int c = json_peek(j);
        size_t start = j->pos, p;

        if (c != '-' && !(c >= '0' && c <= '9')) {
                json_expected(j, what, "a number");
                return false;
        }
        p = start;
        if (j->buf[p] == '-')
                p++;
        if (p < j->len && j->buf[p] == '0') {
                p++;
        } else if (p < j->len && j->buf[p] >= '1' && j->buf[p] <= '9') {
                while (p < j->len && j->buf[p] >= '0' && j->buf[p] <= '9')
                        p++;
        } else {
                json_fail_at(j, p, "%s%sexpected a digit after '-'", what, *what ? ": " : "");
                return false;
        }
        if (p < j->len && j->buf[p] == '.') {
                p++;
                if (p >= j->len || j->buf[p] < '0' || j->buf[p] > '9') {
                        json_fail_at(j, p, "%s%sexpected a digit after '.'", what, *what ? ": " : "");
                        return false;
                }
                while (p < j->len && j->buf[p] >= '0' && j->buf[p] <= '9')
                        p++;
        }
        if (p < j->len && (j->buf[p] == 'e' || j->buf[p] == 'E')) {
                p++;
                if (p < j->len && (j->buf[p] == '+' || j->buf[p] == '-'))
                        p++;
                if (p >= j->len || j->buf[p] < '0' || j->buf[p] > '9') {
                        json_fail_at(j, p, "%s%sexpected a digit in the exponent", what,
                                     *what ? ": " : "");
                        return false;
                }
                while (p < j->len && j->buf[p] >= '0' && j->buf[p] <= '9')
                        p++;
        }
        if (lex) {
                if (p - start > lexlen - 1) {
                        json_fail_at(j, start, "%s%sexpected a number of at most %zu characters",
                                     what, *what ? ": " : "", lexlen - 1);
                        return false;
                }
                memcpy(lex, j->buf + start, p - start);
                lex[p - start] = '\0';
        }
        j->pos = p;
        return true;
}

/* Steps through the members of an object entered with json_enter: call with
 * *n = 0; returns true with the next key read and ':' consumed, or false at
 * the closing '}' (consumed) or after an error. Keys too long for key are
 * returned as "" (unknown). */
static bool json_member(struct json *j, size_t *n, char *key, size_t keylen)
{
        int c = json_peek(j);
        if (c == '}') {
                j->pos++;
                j->depth--;
                return false;
        }
        if (*n > 0) {
                if (c != ',') {
                        json_expected(j, "", "',' or '}' after a member");
                        return false;
                }
                j->pos++;
        }
        if (json_peek(j) != '"') {
                json_expected(j, "", "a key (a string)");
                return false;
        }
        j->key_at = j->pos;
        if (!json_string(j, key, keylen, "", true))
                return false;
        if (json_peek(j) != ':') {
                json_expected(j, "", "':' after the key");
                return false;
        }
        j->pos++;
        (*n)++;
        return true;
}

/* Steps through the elements of an array entered with json_enter: call with
 * *n = 0; returns true when an element follows, false at the closing ']'
 * (consumed) or after an error. */
static bool json_element(struct json *j, size_t *n)
{
        int c = json_peek(j);
        if (c == ']') {
                j->pos++;
                j->depth--;
                return false;
        }
        if (*n > 0) {
                if (c != ',') {
                        json_expected(j, "", "',' or ']' after an element");
                        return false;
                }
                j->pos++;
        }
        (*n)++;
        return !j->failed;
}

/* Reads and discards any value, checking its syntax and depth. */
static void json_skip(struct json *j)
{
        char key[8];
        size_t n = 0;
        int c = json_peek(j);

        if (c == '{') {
                json_enter(j, '{', "", "an object");
                while (!j->failed && json_member(j, &n, key, sizeof(key)))
                        json_skip(j);
        } else if (c == '[') {
                json_enter(j, '[', "", "an array");
                while (!j->failed && json_element(j, &n))
                        json_skip(j);
        } else if (c == '"') {
                json_string(j, NULL, 0, "", false);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
                json_number(j, NULL, 0, "");
        } else if (json_literal(j, "true")) {
                j->pos += 4;
        } else if (json_literal(j, "false")) {
                j->pos += 5;
        } else if (json_literal(j, "null")) {
                j->pos += 4;
        } else {
                json_expected(j, "", "a value");
        }
}

static bool json_null(struct json *j)
{
        if (json_peek(j) == 'n' && json_literal(j, "null")) {
                j->pos += 4;
                return true;
        }
        return false;
}

/* A whole number 0..max (no sign, fraction or exponent). */
static bool json_whole(struct json *j, const char *what, unsigned long long max,
                       unsigned long long *out)
{
        char lex[32];
        size_t at;
        char *end;

        json_peek(j);
        at = j->pos;
        if (!json_number(j, lex, sizeof(lex), what))
                return false;
        errno = 0;
        *out = strtoull(lex, &end, 10);
        if (lex[0] == '-' || *end || errno || *out > max) {
                json_fail_at(j, at, "%s: expected a whole number 0..%llu, got %s", what, max, lex);
                return false;
        }
        return true;
}

/* ---------------------------------------------------------------- matrix fields */

enum field_type {
        F_STRING, F_TEXT, F_SIZE, F_UINT, F_LONG_OR_NULL, F_INT_OR_NULL, F_DOUBLE, F_BOOL,
        F_VERDICT, F_PARAMS, F_SCHEMA, F_AXES, F_CELLS,
};

/* F_STRING is read into a char array of `size` bytes at `offset`; F_TEXT
 * (at most size - 1 bytes) into the matrix through `set`. */
struct field {
        const char *key;
        enum field_type type;
        size_t offset, size;
        int (*set)(struct matrix *m, struct matrix_cell *c, const char *s);
        bool optional;       /* may be absent (the resolver hop of a direct cell) */
};

#define CELL_FIELD(k, t) { #k, t, offsetof(struct matrix_cell, k), sizeof(((struct matrix_cell *)0)->k), NULL, false }
#define CELL_TEXT(k, max) { #k, F_TEXT, 0, (max) + 1, matrix_cell_set_##k, false }
#define CELL_OPTIONAL(k, t) { #k, t, offsetof(struct matrix_cell, k), sizeof(((struct matrix_cell *)0)->k), NULL, true }
#define TOP_FIELD(k, t) { #k, t, offsetof(struct matrix, k), sizeof(((struct matrix *)0)->k), NULL, false }

/* In the order the writer writes them; every one is required but the
 * optional ones. */
static const struct field top_fields[] = {
        { "schema", F_SCHEMA, 0, 0, NULL, false },
        TOP_FIELD(suite, F_STRING),
        TOP_FIELD(scenario, F_STRING),
        TOP_FIELD(complete, F_BOOL),
        TOP_FIELD(total, F_SIZE),
        { "axes", F_AXES, 0, 0, NULL, false },
        { "cells", F_CELLS, 0, 0, NULL, false },
};

static const struct field cell_fields[] = {
        CELL_TEXT(client, MATRIX_CLIENT_MAX),
        CELL_TEXT(kind, MATRIX_KIND_MAX),
        CELL_TEXT(qname, MATRIX_QNAME_MAX),
        CELL_FIELD(qtype, F_STRING),
        CELL_FIELD(index, F_SIZE),
        CELL_FIELD(point, F_SIZE),
        { "params", F_PARAMS, 0, 0, NULL, false },
        CELL_FIELD(verdict, F_VERDICT),
        CELL_FIELD(reason, F_STRING),
        CELL_FIELD(addresses, F_SIZE),
        CELL_FIELD(expected, F_SIZE),
        CELL_FIELD(path, F_STRING),
        CELL_FIELD(udp_bytes, F_LONG_OR_NULL),
        CELL_FIELD(tcp_bytes, F_LONG_OR_NULL),
        CELL_FIELD(udp_queries, F_UINT),
        CELL_FIELD(tcp_queries, F_UINT),
        CELL_FIELD(tc_replies, F_UINT),
        CELL_FIELD(edns, F_INT_OR_NULL),
        CELL_OPTIONAL(resolver, F_STRING),
        CELL_OPTIONAL(stub_udp_replies, F_UINT),
        CELL_OPTIONAL(stub_tcp_replies, F_UINT),
        CELL_OPTIONAL(stub_udp_bytes, F_LONG_OR_NULL),
        CELL_OPTIONAL(stub_tcp_bytes, F_LONG_OR_NULL),
        CELL_OPTIONAL(stub_tc_replies, F_UINT),
        CELL_OPTIONAL(stub_records, F_INT_OR_NULL),
        CELL_OPTIONAL(stub_rcode, F_INT_OR_NULL),
        CELL_TEXT(detail, MATRIX_DETAIL_MAX),
        CELL_FIELD(elapsed_ms, F_DOUBLE),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

/* The longest F_TEXT field. */
#define TEXT_MAX MATRIX_DETAIL_MAX
_Static_assert(MATRIX_CLIENT_MAX <= TEXT_MAX && MATRIX_KIND_MAX <= TEXT_MAX &&
               MATRIX_QNAME_MAX <= TEXT_MAX, "F_TEXT fields fit the read buffer");

static int field_find(const struct field *fields, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(fields[i].key, key) == 0)
                        return (int)i;
        return -1;
}

static void verdict_choices(char *buf, size_t len)
{
        size_t o = 0;
        buf[0] = '\0';
        for (int v = 0; v < VERDICT_MAX && o < len; v++)
                o += (size_t)snprintf(buf + o, len - o, "%s%s", v == 0 ? "" :
                                      v == VERDICT_MAX - 1 ? " or " : ", ",
                                      verdict_to_string((enum verdict)v));
}

/* The "params" object of a cell: one value per axis, text as the writer had it. */
static void read_params(struct json *j, struct matrix *m, struct matrix_cell *c)
{
        char key[40], vals[MATRIX_MAX_AXES][MATRIX_VALUE_MAX + 1];
        const char *v[MATRIX_MAX_AXES];
        size_t n = 0;
        uint32_t seen = 0;

        if (!json_enter(j, '{', "\"params\"", "an object"))
                return;
        while (json_member(j, &n, key, sizeof(key))) {
                size_t a = 0;
                while (a < m->naxes && strcmp(m->axes[a], key) != 0)
                        a++;
                if (a == m->naxes) {
                        json_skip(j);
                        continue;
                }
                if (seen & (1u << a)) {
                        json_fail_at(j, j->key_at, "\"params\": duplicate key \"%s\"", key);
                        return;
                }
                seen |= 1u << a;
                int ch = json_peek(j);
                if (ch == '"')
                        json_string(j, vals[a], sizeof(vals[a]), "\"params\"", false);
                else if (ch == '-' || (ch >= '0' && ch <= '9'))
                        json_number(j, vals[a], sizeof(vals[a]), "\"params\"");
                else
                        json_expected(j, "\"params\"", "a string or a number");
        }
        for (size_t a = 0; a < m->naxes && !j->failed; a++)
                if (!(seen & (1u << a)))
                        json_fail_at(j, j->pos - 1, "\"params\": expected key \"%s\"", m->axes[a]);
        for (size_t a = 0; a < m->naxes; a++)
                v[a] = vals[a];
        if (!j->failed && matrix_cell_set_values(m, c, v) < 0)
                json_fail_at(j, j->pos, "out of memory");
}

static void read_axes(struct json *j, struct matrix *m)
{
        size_t n = 0;
        if (!json_enter(j, '[', "\"axes\"", "an array"))
                return;
        while (json_element(j, &n)) {
                if (m->naxes == MATRIX_MAX_AXES) {
                        json_fail_at(j, j->pos, "\"axes\": expected at most %d axes", MATRIX_MAX_AXES);
                        return;
                }
                json_peek(j);
                size_t at = j->pos;
                if (!json_string(j, m->axes[m->naxes], sizeof(m->axes[0]), "\"axes\"", false))
                        return;
                for (size_t a = 0; a < m->naxes; a++)
                        if (strcmp(m->axes[a], m->axes[m->naxes]) == 0) {
                                json_fail_at(j, at, "\"axes\": duplicate axis \"%s\"", m->axes[a]);
                                return;
                        }
                m->naxes++;
        }
}

static void read_verdict(struct json *j, const char *what, enum verdict *out)
{
        char v[32], choices[160];
        size_t at;

        json_peek(j);
        at = j->pos;
        if (!json_string(j, v, sizeof(v), what, false))
                return;
        *out = verdict_from_string(v);
        if (*out == VERDICT_INVALID) {
                verdict_choices(choices, sizeof(choices));
                json_fail_at(j, at, "%s: expected %s, got \"%s\"", what, choices, v);
        }
}

/* "schema" must be the number 1. */
static void read_schema(struct json *j, const char *what)
{
        char lex[64];
        int c = json_peek(j);
        size_t at = j->pos;

        if (c != '-' && !(c >= '0' && c <= '9')) {
                snprintf(lex, sizeof(lex), "%d", MATRIX_SCHEMA);
                json_expected(j, what, lex);
                return;
        }
        if (json_number(j, lex, sizeof(lex), what) && strcmp(lex, "1") != 0)
                json_fail_at(j, at, "%s: expected %d, got %s", what, MATRIX_SCHEMA, lex);
}

/* The shortest valid cell: every key of cell_fields with the shortest value
 * ({"client":"",...,"elapsed_ms":0} without axes). */
#define CELL_MIN_BYTES 252

/* Skips the "cells" array, checking its syntax, and makes room for its
 * elements so that the second pass allocates the cells once. No more room
 * than the array's bytes could hold valid cells for: an array of many small
 * values costs no more than its own text. A failure to make room is left to
 * the second pass, which reports it where it happens. */
static void skip_cells(struct json *j, struct matrix *m)
{
        size_t n = 0, start = j->pos, most;

        if (!json_enter(j, '[', "", "an array"))
                return;
        while (!j->failed && json_element(j, &n))
                json_skip(j);
        if (j->failed)
                return;
        most = (j->pos - start) / CELL_MIN_BYTES + 1;
        (void)matrix_reserve(m, n < most ? n : most);
}

/* Reads one value into base + f->offset. */
static void read_field(struct json *j, const struct field *f, void *base, struct matrix *m)
{
        char what[48], lex[64], text[TEXT_MAX + 1];
        unsigned long long u;
        void *dst = (char *)base + f->offset;
        size_t at;

        snprintf(what, sizeof(what), "\"%s\"", f->key);
        json_peek(j);
        at = j->pos;
        switch (f->type) {
        case F_STRING:
                json_string(j, dst, f->size, what, false);
                break;
        case F_TEXT:
                if (json_string(j, text, f->size, what, false) && f->set(m, base, text) < 0)
                        json_fail_at(j, at, "out of memory");
                break;
        case F_SIZE:
                if (json_whole(j, what, SIZE_MAX, &u))
                        *(size_t *)dst = (size_t)u;
                break;
        case F_UINT:
                if (json_whole(j, what, UINT_MAX, &u))
                        *(unsigned *)dst = (unsigned)u;
                break;
        case F_LONG_OR_NULL:
        case F_INT_OR_NULL: {
                bool is_long = f->type == F_LONG_OR_NULL;
                int c = json_peek(j);
                long v = -1;
                if (json_null(j))
                        v = -1;
                else if (c != '-' && !(c >= '0' && c <= '9'))
                        json_expected(j, what, "a number or null");
                else if (json_whole(j, what, is_long ? LONG_MAX : INT_MAX, &u))
                        v = (long)u;
                if (is_long)
                        *(long *)dst = v;
                else
                        *(int *)dst = (int)v;
                break;
        }
        case F_DOUBLE:
                if (json_number(j, lex, sizeof(lex), what)) {
                        double d = strtod(lex, NULL);
                        if (!isfinite(d))
                                json_fail_at(j, at, "%s: expected a finite number, got %s", what, lex);
                        *(double *)dst = d;
                }
                break;
        case F_BOOL:
                if (json_literal(j, "true") || json_literal(j, "false")) {
                        *(bool *)dst = j->buf[j->pos] == 't';
                        j->pos += *(bool *)dst ? 4 : 5;
                } else {
                        json_expected(j, what, "true or false");
                }
                break;
        case F_VERDICT:
                read_verdict(j, what, dst);
                break;
        case F_PARAMS:
                read_params(j, m, base);
                break;
        case F_SCHEMA:
                read_schema(j, what);
                break;
        case F_AXES:
                read_axes(j, m);
                break;
        case F_CELLS:
                /* read in a second pass, once "axes" is known wherever it is */
                if (json_peek(j) != '[')
                        json_expected(j, what, "an array");
                else
                        skip_cells(j, m);
                break;
        }
}

/* Reads the members of an object entered with json_enter into base. Every
 * field is required; a key seen twice is an error. */
static void read_object(struct json *j, const struct field *fields, size_t nfields, void *base,
                        struct matrix *m, const char *where, size_t *cells_at)
{
        char key[40];
        size_t n = 0;
        uint32_t seen = 0;

        while (json_member(j, &n, key, sizeof(key))) {
                int f = field_find(fields, nfields, key);
                if (f < 0) {
                        json_skip(j);
                        continue;
                }
                if (seen & (1u << f)) {
                        json_fail_at(j, j->key_at, "duplicate key \"%s\"%s", key, where);
                        return;
                }
                seen |= 1u << f;
                json_peek(j);
                if (fields[f].type == F_CELLS && cells_at)
                        *cells_at = j->pos;
                read_field(j, &fields[f], base, m);
        }
        for (size_t f = 0; f < nfields && !j->failed; f++)
                if (!(seen & (1u << f)) && !fields[f].optional)
                        json_fail_at(j, j->pos - 1, "expected key \"%s\"%s", fields[f].key, where);
}

static void read_cells(struct json *j, struct matrix *m)
{
        size_t n = 0;
        char where[48];

        if (!json_enter(j, '[', "\"cells\"", "an array"))
                return;
        while (json_element(j, &n)) {
                snprintf(where, sizeof(where), " in cell %zu", m->ncells);
                struct matrix_cell *c = matrix_add_cell(m);
                if (!c) {
                        json_fail_at(j, j->pos, "out of memory");
                        return;
                }
                if (!json_enter(j, '{', "\"cells\"", "a cell object"))
                        return;
                read_object(j, cell_fields, NFIELDS(cell_fields), c, m, where, NULL);
                if (j->failed)
                        return;
        }
}

int matrix_read_buffer(const char *name, const char *buf, size_t len, struct matrix *m,
                       char *err, size_t errlen)
{
        struct json j = { .name = name, .buf = buf, .len = len, .err = err, .errlen = errlen };
        size_t cells_at = 0;

        memset(m, 0, sizeof(*m));
        if (json_enter(&j, '{', "", "a matrix object ('{')"))
                read_object(&j, top_fields, NFIELDS(top_fields), m, m, " in the matrix object",
                            &cells_at);
        if (json_peek(&j) != -1)
                json_expected(&j, "", "end of file after the matrix object");
        if (!j.failed) {
                /* second pass over "cells", its syntax already checked */
                j.pos = cells_at;
                j.depth = 1;
                read_cells(&j, m);
        }
        if (j.failed) {
                matrix_free(m);
                return -1;
        }
        matrix_trim(m);
        if (matrix_reserve(m, 1) < 0) {
                matrix_free(m);
                snprintf(err, errlen, "%s: out of memory", name);
                return -1;
        }
        return 0;
}

int matrix_read_file(const char *path, struct matrix *m, char *err, size_t errlen)
{
        char *text = NULL;
        size_t len = 0;
        int ret;

        memset(m, 0, sizeof(*m));
        if (file_read_all(path, &text, &len, err, errlen) < 0)
                return -1;
        ret = matrix_read_buffer(path, text, len, m, err, errlen);
        free(text);
        return ret;
}

const char *matrix_json_path(const char *arg, char *buf, size_t len)
{
        struct stat st;
        if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
                snprintf(buf, len, "%s%smatrix.json", arg,
                         arg[0] && arg[strlen(arg) - 1] == '/' ? "" : "/");
        else
                snprintf(buf, len, "%s", arg);
        return buf;
}
