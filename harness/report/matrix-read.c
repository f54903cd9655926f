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

#include <jansson.h>

#include "harness/util/strutil.h"

/* ---------------------------------------------------------------- errors */

struct reader {
        const char *name;           /* file name, for messages */
        struct matrix *m;
        char *err;
        size_t errlen;
        bool failed;
        size_t line;                /* the line being read, from 1; 0: unknown */
        const char *text;           /* that line, to find a key's column */
        size_t text_len;
        size_t cell;                /* the cell being read, for layouts without lines */
        bool in_cells;              /* reading the cells of a whole-document tree */
        size_t cells_read;
        matrix_cell_fn *each;       /* NULL: the cells are kept in m */
        void *each_arg;
};

/* "name:line:col: message", or "name: cell N: message" where no line is known.
 * The first error is the one reported. */
__attribute__((format(printf, 3, 4)))
static void fail_at(struct reader *r, size_t col, const char *fmt, ...)
{
        char msg[384];
        va_list ap;

        if (r->failed)
                return;
        r->failed = true;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (r->line)
                snprintf(r->err, r->errlen, "%s:%zu:%zu: %s", r->name, r->line, col ? col : 1, msg);
        else if (r->in_cells)
                snprintf(r->err, r->errlen, "%s: cell %zu: %s", r->name, r->cell, msg);
        else
                snprintf(r->err, r->errlen, "%s: %s", r->name, msg);
}

/* The column of "key": in the line being read (1 when not found): a wrong
 * value is reported where its key is. */
static size_t key_column(const struct reader *r, const char *key)
{
        char quoted[64];
        int n = snprintf(quoted, sizeof(quoted), "\"%s\":", key);
        if (!r->text || n <= 0 || (size_t)n >= sizeof(quoted) || (size_t)n > r->text_len)
                return 1;
        for (size_t i = 0; i + (size_t)n <= r->text_len; i++)
                if (memcmp(r->text + i, quoted, (size_t)n) == 0)
                        return i + 1;
        return 1;
}

/* What a value is, for "expected X, got Y". */
static const char *kind_of(const json_t *v)
{
        switch (json_typeof(v)) {
        case JSON_OBJECT:  return "an object";
        case JSON_ARRAY:   return "an array";
        case JSON_STRING:  return "a string";
        case JSON_INTEGER:
        case JSON_REAL:    return "a number";
        case JSON_TRUE:    return "true";
        case JSON_FALSE:   return "false";
        case JSON_NULL:    return "null";
        }
        return "a value";
}

/* A number as written back in a message or a parameter value. */
static void number_text(const json_t *v, char *buf, size_t len)
{
        if (json_is_integer(v))
                snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else
                snprintf(buf, len, "%.17g", json_real_value(v));
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

/* Every one is required but the optional ones; "axes" before "cells". */
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
        CELL_OPTIONAL(standing, F_STRING),
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
        CELL_OPTIONAL(stub_udp_records, F_INT_OR_NULL),
        CELL_OPTIONAL(stub_tcp_records, F_INT_OR_NULL),
        CELL_OPTIONAL(stub_rcode, F_INT_OR_NULL),
        CELL_TEXT(detail, MATRIX_DETAIL_MAX),
        CELL_FIELD(elapsed_ms, F_DOUBLE),
};

#define NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

static void verdict_choices(char *buf, size_t len)
{
        size_t o = 0;
        buf[0] = '\0';
        for (int v = 0; v < VERDICT_MAX && o < len; v++)
                o += (size_t)snprintf(buf + o, len - o, "%s%s", v == 0 ? "" :
                                      v == VERDICT_MAX - 1 ? " or " : ", ",
                                      verdict_to_string((enum verdict)v));
}

/* A string of at most size - 1 bytes. Returns it, or NULL after an error. */
static const char *string_of(struct reader *r, const json_t *v, const char *key, size_t size)
{
        if (!json_is_string(v)) {
                fail_at(r, key_column(r, key), "\"%s\": expected a string, got %s", key, kind_of(v));
                return NULL;
        }
        if (json_string_length(v) >= size) {
                fail_at(r, key_column(r, key), "\"%s\": expected a string of at most %zu bytes", key,
                        size - 1);
                return NULL;
        }
        return json_string_value(v);
}

/* A whole number 0..max. */
static bool whole_of(struct reader *r, const json_t *v, const char *key, unsigned long long max,
                     unsigned long long *out)
{
        char lex[64];
        if (!json_is_number(v)) {
                fail_at(r, key_column(r, key), "\"%s\": expected a number, got %s", key, kind_of(v));
                return false;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            (unsigned long long)json_integer_value(v) > max) {
                number_text(v, lex, sizeof(lex));
                fail_at(r, key_column(r, key), "\"%s\": expected a whole number 0..%llu, got %s", key,
                        max, lex);
                return false;
        }
        *out = (unsigned long long)json_integer_value(v);
        return true;
}

/* The "params" object of a cell: one value per axis, a string or a number. */
static void read_params(struct reader *r, const json_t *v, struct matrix_cell *c)
{
        struct matrix *m = r->m;
        char vals[MATRIX_MAX_AXES][MATRIX_VALUE_MAX + 1];
        const char *p[MATRIX_MAX_AXES];

        if (!json_is_object(v)) {
                fail_at(r, key_column(r, "params"), "\"params\": expected an object, got %s", kind_of(v));
                return;
        }
        for (size_t a = 0; a < m->naxes; a++) {
                const json_t *x = json_object_get(v, m->axes[a]);
                if (!x) {
                        fail_at(r, key_column(r, "params"), "\"params\": expected key \"%s\"", m->axes[a]);
                        return;
                }
                if (json_is_string(x)) {
                        if (json_string_length(x) > MATRIX_VALUE_MAX) {
                                fail_at(r, key_column(r, "params"),
                                        "\"params\": \"%s\": expected at most %d bytes", m->axes[a],
                                        MATRIX_VALUE_MAX);
                                return;
                        }
                        snprintf(vals[a], sizeof(vals[a]), "%s", json_string_value(x));
                } else if (json_is_number(x)) {
                        number_text(x, vals[a], sizeof(vals[a]));
                } else {
                        fail_at(r, key_column(r, "params"),
                                "\"params\": expected a string or a number, got %s", kind_of(x));
                        return;
                }
                p[a] = vals[a];
        }
        if (matrix_cell_set_values(m, c, p) < 0)
                fail_at(r, 1, "out of memory");
}

static void read_axes(struct reader *r, const json_t *v)
{
        struct matrix *m = r->m;
        size_t i;
        const json_t *x;

        if (!json_is_array(v)) {
                fail_at(r, key_column(r, "axes"), "\"axes\": expected an array, got %s", kind_of(v));
                return;
        }
        json_array_foreach(v, i, x) {
                if (m->naxes == MATRIX_MAX_AXES) {
                        fail_at(r, key_column(r, "axes"), "\"axes\": expected at most %d axes",
                                MATRIX_MAX_AXES);
                        return;
                }
                const char *s = string_of(r, x, "axes", sizeof(m->axes[0]));
                if (!s)
                        return;
                for (size_t a = 0; a < m->naxes; a++)
                        if (strcmp(m->axes[a], s) == 0) {
                                fail_at(r, key_column(r, "axes"), "\"axes\": duplicate axis \"%s\"", s);
                                return;
                        }
                snprintf(m->axes[m->naxes++], sizeof(m->axes[0]), "%s", s);
        }
}

static void read_cell(struct reader *r, const json_t *obj);

/* Reads one value into base + f->offset. */
static void read_field(struct reader *r, const struct field *f, const json_t *v, void *base)
{
        struct matrix *m = r->m;
        void *dst = (char *)base + f->offset;
        unsigned long long u;
        const char *s;
        char choices[160];

        switch (f->type) {
        case F_STRING:
                if ((s = string_of(r, v, f->key, f->size)))
                        snprintf(dst, f->size, "%s", s);
                break;
        case F_TEXT:
                if ((s = string_of(r, v, f->key, f->size)) && f->set(m, base, s) < 0)
                        fail_at(r, 1, "out of memory");
                break;
        case F_SIZE:
                if (whole_of(r, v, f->key, SIZE_MAX < LLONG_MAX ? SIZE_MAX : LLONG_MAX, &u))
                        *(size_t *)dst = (size_t)u;
                break;
        case F_UINT:
                if (whole_of(r, v, f->key, UINT_MAX, &u))
                        *(unsigned *)dst = (unsigned)u;
                break;
        case F_LONG_OR_NULL:
        case F_INT_OR_NULL: {
                bool is_long = f->type == F_LONG_OR_NULL;
                long x = -1;
                if (json_is_null(v))
                        x = -1;
                else if (!json_is_number(v))
                        fail_at(r, key_column(r, f->key), "\"%s\": expected a number or null, got %s",
                                f->key, kind_of(v));
                else if (whole_of(r, v, f->key, is_long ? LONG_MAX : INT_MAX, &u))
                        x = (long)u;
                if (is_long)
                        *(long *)dst = x;
                else
                        *(int *)dst = (int)x;
                break;
        }
        case F_DOUBLE:
                if (!json_is_number(v))
                        fail_at(r, key_column(r, f->key), "\"%s\": expected a number, got %s", f->key,
                                kind_of(v));
                else
                        *(double *)dst = json_number_value(v);
                break;
        case F_BOOL:
                if (!json_is_boolean(v))
                        fail_at(r, key_column(r, f->key), "\"%s\": expected true or false, got %s",
                                f->key, kind_of(v));
                else
                        *(bool *)dst = json_is_true(v);
                break;
        case F_VERDICT:
                if (!(s = string_of(r, v, f->key, 32)))
                        break;
                *(enum verdict *)dst = verdict_from_string(s);
                if (*(enum verdict *)dst == VERDICT_INVALID) {
                        verdict_choices(choices, sizeof(choices));
                        fail_at(r, key_column(r, f->key), "\"%s\": expected %s, got \"%s\"", f->key,
                                choices, s);
                }
                break;
        case F_PARAMS:
                read_params(r, v, base);
                break;
        case F_SCHEMA:
                if (!json_is_integer(v) || json_integer_value(v) != MATRIX_SCHEMA) {
                        char got[64];
                        if (json_is_number(v))
                                number_text(v, got, sizeof(got));
                        else
                                snprintf(got, sizeof(got), "%s", kind_of(v));
                        fail_at(r, key_column(r, f->key), "\"schema\": expected %d, got %s",
                                MATRIX_SCHEMA, got);
                }
                break;
        case F_AXES:
                read_axes(r, v);
                break;
        case F_CELLS: {
                /* a whole document in one tree; streamed cells come line by line */
                size_t i;
                const json_t *x;
                if (!json_is_array(v)) {
                        fail_at(r, key_column(r, f->key), "\"cells\": expected an array, got %s",
                                kind_of(v));
                        break;
                }
                if (matrix_reserve(m, r->each ? 1 : json_array_size(v)) < 0) {
                        fail_at(r, 1, "out of memory");
                        break;
                }
                r->in_cells = true;
                json_array_foreach(v, i, x) {
                        r->cell = i;
                        read_cell(r, x);
                        if (r->failed)
                                break;
                }
                r->in_cells = false;
                break;
        }
        }
}

/* Reads every field of obj (an object) into base; unknown keys are skipped.
 * where ends the message about a missing key. */
static void read_object(struct reader *r, const json_t *obj, const struct field *fields,
                        size_t nfields, void *base, const char *where)
{
        for (size_t f = 0; f < nfields && !r->failed; f++) {
                const json_t *v = json_object_get(obj, fields[f].key);
                if (v)
                        read_field(r, &fields[f], v, base);
                else if (!fields[f].optional)
                        fail_at(r, r->text_len, "expected key \"%s\"%s", fields[f].key, where);
        }
}

static void read_cell(struct reader *r, const json_t *obj)
{
        char where[48];
        snprintf(where, sizeof(where), " in cell %zu", r->cells_read);
        if (!json_is_object(obj)) {
                fail_at(r, 1, "expected a cell object, got %s", kind_of(obj));
                return;
        }
        struct matrix_cell *c = matrix_add_cell(r->m);
        if (!c) {
                fail_at(r, 1, "out of memory");
                return;
        }
        read_object(r, obj, cell_fields, NFIELDS(cell_fields), c, where);
        if (r->each && !r->failed && r->each(r->each_arg, r->m, c) < 0)
                fail_at(r, 1, "out of memory");
        if (r->each)
                r->m->ncells--;         /* handed over, not kept */
        r->cells_read++;
}

/* Parses len bytes as one JSON text; a syntax error is reported at its line
 * (first_line + the line inside the text) and column. */
static json_t *parse(struct reader *r, const char *text, size_t len, size_t first_line)
{
        json_error_t e;
        json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
        if (!v) {
                r->line = first_line + (e.line > 1 ? (size_t)e.line - 1 : 0);
                fail_at(r, e.column > 0 ? (size_t)e.column : 1, "%s", e.text);
        }
        return v;
}

/* ---------------------------------------------------------------- the two layouts */

/* A source of lines: a buffer, or a file read line by line. */
struct lines {
        FILE *f;
        const char *buf;
        size_t len, pos;
        char *line;                 /* getline's buffer */
        size_t cap;
};

/* The next line without its 'newline' and trailing white space, in text and n.
 * Returns false at the end. */
static bool next_line(struct lines *ls, const char **text, size_t *n)
{
        size_t got;
        if (ls->f) {
                ssize_t k = getline(&ls->line, &ls->cap, ls->f);
                if (k < 0)
                        return false;
                *text = ls->line;
                got = (size_t)k;
        } else {
                if (ls->pos >= ls->len)
                        return false;
                const char *start = ls->buf + ls->pos;
                const char *nl = memchr(start, '\n', ls->len - ls->pos);
                got = nl ? (size_t)(nl - start) + 1 : ls->len - ls->pos;
                ls->pos += got;
                *text = start;
        }
        while (got > 0 && strchr(" \t\r\n", (*text)[got - 1]))
                got--;
        *n = got;
        return true;
}

/* The first line of the writer's layout ends with "cells":[ and holds every
 * other member; it is read as that line + "]}". Returns the header, or NULL
 * when the text is in another layout (nothing reported). */
static json_t *read_header_line(const char *text, size_t n)
{
        static const char tail[] = "\"cells\":[";
        if (n < sizeof(tail) || memcmp(text + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1) != 0)
                return NULL;
        char *whole = malloc(n + 2);
        if (!whole)
                return NULL;
        memcpy(whole, text, n);
        memcpy(whole + n, "]}", 2);
        json_t *v = json_loadb(whole, n + 2, JSON_REJECT_DUPLICATES, NULL);
        free(whole);
        if (v && !json_is_object(v)) {
                json_decref(v);
                v = NULL;
        }
        return v;
}

/* Streams the writer's layout: header line, one cell a line (each but the
 * last ending in ','), "]}" alone. Memory: the matrix and one line. Returns
 * 1 when done (r->failed tells), 0 when the text is in another layout. */
static int read_streamed(struct reader *r, struct lines *ls, size_t bytes)
{
        const char *text;
        size_t n;
        if (!next_line(ls, &text, &n))
                return 0;
        json_t *header = read_header_line(text, n);
        if (!header)
                return 0;
        r->line = 1;
        r->text = text;
        r->text_len = n;
        read_object(r, header, top_fields, NFIELDS(top_fields), r->m, " in the matrix object");
        json_decref(header);
        /* room for every cell at once: at most "total", and no more than the
         * bytes could hold (a cell line is never shorter than ~250 bytes) */
        size_t most = bytes / 250 + 1;
        if (!r->failed && !r->each)
                (void)matrix_reserve(r->m, r->m->total < most ? r->m->total : most);

        bool ended = false, comma = true;
        while (!r->failed && next_line(ls, &text, &n)) {
                r->line++;
                r->text = text;
                r->text_len = n;
                if (n == 0)
                        continue;
                if (ended) {
                        fail_at(r, 1, "expected end of file after the matrix object");
                        break;
                }
                if (n >= 2 && memcmp(text, "]}", 2) == 0) {
                        if (comma && r->cells_read > 0)
                                fail_at(r, 1, "expected a cell after ','");
                        size_t rest = 2;
                        while (rest < n && strchr(" \t\r", text[rest]))
                                rest++;
                        if (rest < n)
                                fail_at(r, rest + 1, "expected end of file after the matrix object");
                        ended = true;
                        continue;
                }
                if (!comma) {
                        fail_at(r, 1, "expected ']}' to end the cells, or ',' after the cell before");
                        break;
                }
                comma = text[n - 1] == ',';
                json_t *cell = parse(r, text, comma ? n - 1 : n, r->line);
                if (cell)
                        read_cell(r, cell);
                json_decref(cell);
        }
        if (!r->failed && !ended)
                fail_at(r, r->text_len + 1, "expected ']}' to end the cells, got end of file");
        return 1;
}

/* Any other layout: the whole text as one tree (more memory: the tree). */
static void read_whole(struct reader *r, const char *text, size_t len)
{
        r->line = 1;
        r->text = NULL;
        json_t *root = parse(r, text, len, 1);
        if (!root)
                return;
        if (!json_is_object(root)) {
                fail_at(r, 1, "expected a matrix object ('{'), got %s", kind_of(root));
        } else {
                r->line = 0;    /* positions inside the tree are unknown: name the cell */
                read_object(r, root, top_fields, NFIELDS(top_fields), r->m, " in the matrix object");
        }
        json_decref(root);
}

static int finish(struct reader *r)
{
        if (r->failed) {
                matrix_free(r->m);
                return -1;
        }
        matrix_trim(r->m);
        if (matrix_reserve(r->m, 1) < 0) {
                matrix_free(r->m);
                snprintf(r->err, r->errlen, "%s: out of memory", r->name);
                return -1;
        }
        return 0;
}

int matrix_read_buffer(const char *name, const char *buf, size_t len, struct matrix *m,
                       char *err, size_t errlen)
{
        struct reader r = { .name = name, .m = m, .err = err, .errlen = errlen };
        struct lines ls = { .buf = buf, .len = len };

        memset(m, 0, sizeof(*m));
        if (!read_streamed(&r, &ls, len)) {
                matrix_free(m);
                memset(m, 0, sizeof(*m));
                read_whole(&r, buf, len);
        }
        return finish(&r);
}

int matrix_read_file(const char *path, struct matrix *m, char *err, size_t errlen)
{
        return matrix_read_file_each(path, m, NULL, NULL, NULL, err, errlen);
}

int matrix_read_file_each(const char *path, struct matrix *m, matrix_cell_fn *each, void *arg,
                          size_t *ncells, char *err, size_t errlen)
{
        struct reader r = { .name = path, .m = m, .err = err, .errlen = errlen, .each = each,
                            .each_arg = arg };
        int ret;
        struct lines ls = { 0 };
        struct stat st;
        int streamed;

        memset(m, 0, sizeof(*m));
        ls.f = fopen(path, "r");
        if (!ls.f) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        streamed = read_streamed(&r, &ls, fstat(fileno(ls.f), &st) == 0 ? (size_t)st.st_size : 0);
        if (!streamed && !ferror(ls.f)) {
                char *text = NULL;
                size_t len = 0;
                matrix_free(m);
                memset(m, 0, sizeof(*m));
                if (file_read_all(path, &text, &len, err, errlen) < 0) {
                        r.failed = true;
                } else {
                        read_whole(&r, text, len);
                        free(text);
                }
        } else if (ferror(ls.f)) {
                fail_at(&r, 1, "%s", strerror(errno));
        }
        free(ls.line);
        fclose(ls.f);
        ret = finish(&r);
        if (ncells)
                *ncells = ret == 0 ? r.cells_read : 0;
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
