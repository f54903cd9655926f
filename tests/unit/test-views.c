/* Unit tests of the views of a matrix (harness/report/views.h).
 *
 * Each test builds a struct matrix by hand, writes a view into a strbuf and
 * reads it back: CSV through a small RFC 4180 parser, Markdown by counting
 * table columns, JUnit and HTML through a small well-formedness checker
 * (tags balanced, attributes quoted, entities known, UTF-8 valid). Nothing
 * outside the process is needed; xmllint, when installed, checks junit.xml
 * a second time. */
#include "harness/report/views.h"

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report/breaking.h"
#include "tests/common/testmain.h"

/* A detail with every character a view must escape or quote. */
#define NASTY "say \"hi\", a<b & c>d 'q'\nsecond line, | pipe *star* _u_"

/* ---------------------------------------------------------------- matrices */

typedef enum verdict (*verdict_fn)(size_t point, size_t query, size_t client);

/* Fills m with npoints x nqueries x nclients cells in index order (point,
 * query, client), axes records (= point + 1) and truncation. */
static void make_matrix(struct matrix *m, size_t nclients, size_t npoints, size_t nqueries,
                        verdict_fn verdict_of_cell)
{
        size_t n = nclients * npoints * nqueries;

        memset(m, 0, sizeof(*m));
        snprintf(m->suite, sizeof(m->suite), "unit-views");
        snprintf(m->scenario, sizeof(m->scenario), "scenarios/unit & <views>.scn");
        m->complete = true;
        m->total = n;
        m->naxes = 2;
        snprintf(m->axes[0], sizeof(m->axes[0]), "records");
        snprintf(m->axes[1], sizeof(m->axes[1]), "truncation");
        CU_ASSERT_FATAL(matrix_reserve(m, n ? n : 1) == 0);
        for (size_t p = 0; p < npoints; p++)
                for (size_t q = 0; q < nqueries; q++)
                        for (size_t k = 0; k < nclients; k++) {
                                struct matrix_cell *c = matrix_add_cell(m);
                                char client[32], qname[32], records[32];
                                const char *values[2] = { records, "tc-empty" };
                                CU_ASSERT_FATAL(c != NULL);
                                c->index = m->ncells - 1;
                                c->point = p;
                                snprintf(client, sizeof(client), "client-%zu", k);
                                snprintf(qname, sizeof(qname), "q%zu.example", q);
                                snprintf(records, sizeof(records), "%zu", p + 1);
                                CU_ASSERT_FATAL(matrix_cell_set_client(m, c, client) == 0 &&
                                                matrix_cell_set_kind(m, c, "emulated") == 0 &&
                                                matrix_cell_set_qname(m, c, qname) == 0 &&
                                                matrix_cell_set_values(m, c, values) == 0);
                                snprintf(c->qtype, sizeof(c->qtype), "A");
                                c->verdict = verdict_of_cell(p, q, k);
                                c->expected = p + 1;
                                c->addresses = c->verdict == VERDICT_OK ? p + 1 : 0;
                                snprintf(c->path, sizeof(c->path), "udp");
                                c->udp_bytes = 34 + 16 * (long)p;
                                c->tcp_bytes = -1;
                                c->udp_queries = 1;
                                c->edns = -1;
                                c->elapsed_ms = 0.5 * (double)c->index;
                        }
}

/* The small matrix: 2 clients x 3 points x 1 query, every kind of verdict
 * the views treat differently, and hostile text in details. */
static enum verdict small_verdict(size_t p, size_t q, size_t k)
{
        static const enum verdict v[3][2] = {
                { VERDICT_OK, VERDICT_OK },
                { VERDICT_OK, VERDICT_NXDOMAIN },
                { VERDICT_SKIPPED, VERDICT_HARNESS_ERROR },
        };
        (void)q;
        return v[p][k];
}

static void make_small(struct matrix *m)
{
        make_matrix(m, 2, 3, 1, small_verdict);
        struct matrix_cell *c = &m->cells[3];            /* point 1, client-1: nxdomain */
        CU_ASSERT(matrix_cell_set_detail(m, c, NASTY) == 0);
        snprintf(m->cells[4].reason, sizeof(m->cells[4].reason), "no-namespaces");
        snprintf(m->cells[5].reason, sizeof(m->cells[5].reason), "bind");
        CU_ASSERT(matrix_cell_set_detail(m, &m->cells[5], "port <53> & \"busy\"") == 0);
        m->cells[1].tcp_bytes = 512;
        m->cells[1].edns = 1232;
}

static enum verdict all_ok(size_t p, size_t q, size_t k)
{
        (void)p, (void)q, (void)k;
        return VERDICT_OK;
}

/* A client that breaks from point `break_from` on (used for elision). */
static size_t break_from;
static enum verdict breaks_at(size_t p, size_t q, size_t k)
{
        (void)q;
        return k == 1 && p >= break_from ? VERDICT_ERROR : VERDICT_OK;
}

typedef void (*view_fn)(const struct matrix *, struct strbuf *);

/* matrix.md and junit.xml without a gate (reproduce, calibrate). */
static void md_ungated(const struct matrix *m, struct strbuf *b)
{
        view_md_write(m, NULL, b);
}

static void junit_ungated(const struct matrix *m, struct strbuf *b)
{
        view_junit_write(m, NULL, b);
}

static void html_plain(const struct matrix *m, struct strbuf *b)
{
        view_html_write(m, NULL, b);
}

/* Writes a view; the caller frees the result. */
static char *render(const struct matrix *m, view_fn fn)
{
        struct strbuf b;
        strbuf_init(&b);
        fn(m, &b);
        CU_ASSERT_FATAL(!strbuf_failed(&b));
        if (!b.data)
                return strdup("");
        return b.data;
}

static size_t count(const char *hay, const char *needle)
{
        size_t n = 0, len = strlen(needle);
        for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
                n++;
        return n;
}

/* ---------------------------------------------------------------- CSV */

struct csv {
        char ***rows;           /* rows[r][f] */
        size_t *nfields;
        size_t nrows;
};

static void csv_push(char ***fields, size_t *n, const char *s, size_t len)
{
        *fields = realloc(*fields, (*n + 1) * sizeof(**fields));
        (*fields)[*n] = strndup(s, len);
        (*n)++;
}

/* Parses RFC 4180 with CRLF record ends. Returns false on a malformed file
 * (a bare LF outside quotes, a quote inside an unquoted field, ...). */
static bool csv_parse(const char *s, struct csv *out)
{
        char buf[4096];
        char **fields = NULL;
        size_t nf = 0;

        memset(out, 0, sizeof(*out));
        while (*s) {
                size_t len = 0;
                if (*s == '"') {
                        for (s++;; s++) {
                                if (!*s)
                                        return false;
                                if (*s == '"' && s[1] == '"') {
                                        buf[len++] = '"';
                                        s++;
                                } else if (*s == '"') {
                                        s++;
                                        break;
                                } else {
                                        buf[len++] = *s;
                                }
                        }
                } else {
                        for (; *s && *s != ',' && *s != '\r'; s++) {
                                if (*s == '"' || *s == '\n')
                                        return false;
                                buf[len++] = *s;
                        }
                }
                csv_push(&fields, &nf, buf, len);
                if (*s == ',') {
                        s++;
                        continue;
                }
                if (s[0] != '\r' || s[1] != '\n')
                        return false;
                s += 2;
                out->rows = realloc(out->rows, (out->nrows + 1) * sizeof(*out->rows));
                out->nfields = realloc(out->nfields, (out->nrows + 1) * sizeof(*out->nfields));
                out->rows[out->nrows] = fields;
                out->nfields[out->nrows++] = nf;
                fields = NULL;
                nf = 0;
        }
        return nf == 0;
}

static void csv_free(struct csv *c)
{
        for (size_t r = 0; r < c->nrows; r++) {
                for (size_t f = 0; f < c->nfields[r]; f++)
                        free(c->rows[r][f]);
                free(c->rows[r]);
        }
        free(c->rows);
        free(c->nfields);
}

static void test_csv_rows(void)
{
        static const char *const header[] = {
                "client", "kind", "qname", "qtype", "records", "truncation", "verdict",
                "reason", "addresses", "expected", "path", "udp_bytes", "tcp_bytes",
                "udp_queries", "tcp_queries", "tc_replies", "edns", "detail",
        };
        const size_t nh = sizeof(header) / sizeof(header[0]);
        struct matrix m;
        struct csv csv;

        make_small(&m);
        char *s = render(&m, view_csv_write);
        CU_ASSERT_FATAL(csv_parse(s, &csv));
        CU_ASSERT_EQUAL(csv.nrows, m.ncells + 1);
        for (size_t r = 0; r < csv.nrows; r++)
                CU_ASSERT_EQUAL(csv.nfields[r], nh);
        for (size_t f = 0; f < nh && f < csv.nfields[0]; f++)
                CU_ASSERT_STRING_EQUAL(csv.rows[0][f], header[f]);
        /* row 1 + i is cell i */
        CU_ASSERT_STRING_EQUAL(csv.rows[4][17], NASTY);
        CU_ASSERT_STRING_EQUAL(csv.rows[4][6], "nxdomain");
        CU_ASSERT_STRING_EQUAL(csv.rows[6][17], "port <53> & \"busy\"");
        CU_ASSERT_STRING_EQUAL(csv.rows[6][7], "bind");
        /* null numbers are empty, present ones are numbers */
        CU_ASSERT_STRING_EQUAL(csv.rows[1][12], "");
        CU_ASSERT_STRING_EQUAL(csv.rows[1][16], "");
        CU_ASSERT_STRING_EQUAL(csv.rows[2][12], "512");
        CU_ASSERT_STRING_EQUAL(csv.rows[2][16], "1232");
        CU_ASSERT_STRING_EQUAL(csv.rows[2][11], "34");
        csv_free(&csv);
        free(s);
        matrix_free(&m);
}

static void test_csv_quoting(void)
{
        struct matrix m;

        make_small(&m);
        char *s = render(&m, view_csv_write);
        /* quotes doubled, the field quoted because of comma, quote and LF */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, ",\"say \"\"hi\"\", a<b & c>d 'q'\nsecond line, | pipe "
                                         "*star* _u_\"\r\n"));
        /* plain fields are not quoted */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "\r\nclient-0,emulated,q0.example,A,1,tc-empty,ok,,"));
        free(s);
        matrix_free(&m);
}

/* ---------------------------------------------------------------- Markdown */

/* Columns of a Markdown table row: the unescaped pipes less one. */
static size_t md_columns(const char *line, size_t len)
{
        size_t pipes = 0;
        for (size_t i = 0; i < len; i++) {
                if (line[i] == '\\')
                        i++;
                else if (line[i] == '|')
                        pipes++;
        }
        return pipes ? pipes - 1 : 0;
}

/* Checks every table in s: each row has the header's column count and the
 * second row is a delimiter row. Returns the number of tables and stores
 * the data rows of each in rows[] (up to 8). */
static size_t md_tables(const char *s, size_t rows[8])
{
        size_t tables = 0;
        const char *line = s;

        while (*line) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t)(eol - line) : strlen(line);
                if (line[0] == '|') {
                        size_t cols = md_columns(line, len), nrows = 0;
                        const char *r = eol ? eol + 1 : line + len;
                        CU_ASSERT(strncmp(r, "|---|", 5) == 0);
                        while (*r == '|') {
                                const char *e = strchr(r, '\n');
                                size_t l = e ? (size_t)(e - r) : strlen(r);
                                CU_ASSERT_EQUAL(md_columns(r, l), cols);
                                nrows++;
                                r = e ? e + 1 : r + l;
                        }
                        if (tables < 8)
                                rows[tables] = nrows - 1;      /* less the delimiter */
                        tables++;
                        line = r;
                        continue;
                }
                line = eol ? eol + 1 : line + len;
        }
        return tables;
}

static void test_md_shape(void)
{
        struct matrix m;
        struct breaking_point *bps;
        size_t rows[8];

        make_small(&m);
        size_t nbp = breaking_compute(&m, &bps);
        free(bps);
        char *s = render(&m, md_ungated);
        CU_ASSERT(strncmp(s, "# stubcompat: unit-views (complete, 6 cells)\n", 45) == 0);
        /* the counts table and one grid */
        CU_ASSERT_EQUAL_FATAL(md_tables(s, rows), 2);
        CU_ASSERT_EQUAL(rows[0], 2);     /* one row per client */
        CU_ASSERT_EQUAL(rows[1], 3);     /* one row per point */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| client | kind | ok | partial | wrong | nodata | "
                                         "nxdomain | error | timeout | skipped | "
                                         "harness-error |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| client-1 | emulated | 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 1 |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| point | client-0 | client-1 |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| records=2 truncation=tc-empty | ok | nx |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| records=3 truncation=tc-empty | skip | H! |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "\n## Breaking points\n"));
        CU_ASSERT_EQUAL(count(s, "\n- client-"), nbp);
        CU_ASSERT_EQUAL(nbp, 2);
        /* markup in names is escaped */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "scenarios/unit \\& \\<views\\>.scn"));
        CU_ASSERT_PTR_NULL(strstr(s, "elided"));
        free(s);
        matrix_free(&m);
}

static void test_md_incomplete(void)
{
        struct matrix m;

        make_small(&m);
        m.complete = false;
        m.total = 12;
        m.ncells = 5;            /* the last cell was not run */
        char *s = render(&m, md_ungated);
        CU_ASSERT(strncmp(s, "# stubcompat: unit-views (INCOMPLETE: 5 of 12 cells)\n", 53) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| records=3 truncation=tc-empty | skip |  |\n"));
        free(s);
        matrix_free(&m);
}

static void test_md_elision(void)
{
        struct matrix m;
        size_t rows[8];

        break_from = 150;
        make_matrix(&m, 2, 300, 1, breaks_at);
        char *s = render(&m, md_ungated);
        CU_ASSERT_EQUAL_FATAL(md_tables(s, rows), 2);
        /* first, 149 (before the change), 150 (the change), last, and two
         * marker rows for the runs between them */
        CU_ASSERT_EQUAL(rows[1], 6);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "| records=1 truncation=tc-empty | ok | ok |\n"
                                         "| ... 148 rows ... | | |\n"
                                         "| records=150 truncation=tc-empty | ok | ok |\n"
                                         "| records=151 truncation=tc-empty | ok | err |\n"
                                         "| ... 148 rows ... | | |\n"
                                         "| records=300 truncation=tc-empty | ok | err |\n"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "\n296 of 300 rows elided"));
        free(s);
        matrix_free(&m);

        /* at the limit every row is shown */
        make_matrix(&m, 2, VIEW_MD_FULL_ROWS, 1, breaks_at);
        s = render(&m, md_ungated);
        CU_ASSERT_EQUAL_FATAL(md_tables(s, rows), 2);
        CU_ASSERT_EQUAL(rows[1], VIEW_MD_FULL_ROWS);
        free(s);
        matrix_free(&m);
}

/* ---------------------------------------------------------------- XML checker */

struct xml {
        const char *s, *p;
        bool html;              /* doctype, raw-text <script> and <style> allowed */
        char stack[64][32];
        size_t depth, roots;
        char err[160];
};

static bool xml_fail(struct xml *x, const char *what)
{
        if (!x->err[0])
                snprintf(x->err, sizeof(x->err), "%s at offset %zu", what, (size_t)(x->p - x->s));
        return false;
}

static bool name_char(char c, bool first)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
               (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

static size_t xml_name(struct xml *x, char *out, size_t len)
{
        size_t n = 0;
        if (!name_char(*x->p, true))
                return 0;
        while (name_char(x->p[n], n == 0)) {
                if (n + 1 < len)
                        out[n] = x->p[n];
                n++;
        }
        out[n < len ? n : len - 1] = '\0';
        x->p += n;
        return n;
}

/* At '&': a known entity or a character reference. */
static bool xml_entity(struct xml *x)
{
        static const char *const named[] = { "amp;", "lt;", "gt;", "quot;", "apos;" };
        const char *p = x->p + 1;
        for (size_t i = 0; i < 5; i++)
                if (strncmp(p, named[i], strlen(named[i])) == 0) {
                        x->p = p + strlen(named[i]);
                        return true;
                }
        if (*p++ != '#')
                return xml_fail(x, "unknown entity");
        bool hex = *p == 'x';
        p += hex;
        const char *digits = p;
        while ((*p >= '0' && *p <= '9') || (hex && strchr("abcdefABCDEF", *p) && *p))
                p++;
        if (p == digits || *p != ';')
                return xml_fail(x, "bad character reference");
        x->p = p + 1;
        return true;
}

static bool xml_skip_to(struct xml *x, const char *end)
{
        const char *e = strstr(x->p, end);
        if (!e)
                return xml_fail(x, "unterminated construct");
        x->p = e + strlen(end);
        return true;
}

static bool xml_attrs(struct xml *x, bool *self_closed)
{
        char names[32][32];
        size_t n = 0;
        for (;;) {
                char name[32];
                while (*x->p == ' ' || *x->p == '\n' || *x->p == '\t')
                        x->p++;
                if (x->p[0] == '/' && x->p[1] == '>') {
                        x->p += 2;
                        *self_closed = true;
                        return true;
                }
                if (*x->p == '>') {
                        x->p++;
                        return true;
                }
                if (!xml_name(x, name, sizeof(name)))
                        return xml_fail(x, "bad attribute name");
                for (size_t i = 0; i < n; i++)
                        if (strcmp(names[i], name) == 0)
                                return xml_fail(x, "duplicate attribute");
                if (n < 32)
                        snprintf(names[n++], sizeof(names[0]), "%s", name);
                if (x->p[0] != '=' || (x->p[1] != '"' && x->p[1] != '\''))
                        return xml_fail(x, "attribute without a quoted value");
                char quote = x->p[1];
                x->p += 2;
                while (*x->p != quote) {
                        if (!*x->p || *x->p == '<')
                                return xml_fail(x, "bad attribute value");
                        if (*x->p == '&') {
                                if (!xml_entity(x))
                                        return false;
                        } else {
                                x->p++;
                        }
                }
                x->p++;
        }
}

static bool xml_tag(struct xml *x)
{
        char name[32];
        bool self_closed = false;

        if (strncmp(x->p, "<?", 2) == 0)
                return xml_skip_to(x, "?>");
        if (strncmp(x->p, "<!--", 4) == 0)
                return xml_skip_to(x, "-->");
        if (strncmp(x->p, "<!DOCTYPE", 9) == 0) {
                if (!x->html || x->roots || x->depth)
                        return xml_fail(x, "misplaced doctype");
                return xml_skip_to(x, ">");
        }
        if (x->p[1] == '/') {
                x->p += 2;
                if (!xml_name(x, name, sizeof(name)) || *x->p != '>')
                        return xml_fail(x, "bad end tag");
                if (x->depth == 0 || strcmp(x->stack[x->depth - 1], name) != 0)
                        return xml_fail(x, "end tag does not match");
                x->depth--;
                x->p++;
                return true;
        }
        x->p++;
        if (!xml_name(x, name, sizeof(name)))
                return xml_fail(x, "bad start tag");
        if (x->depth == 0 && x->roots++)
                return xml_fail(x, "second root element");
        if (!xml_attrs(x, &self_closed))
                return false;
        if (self_closed)
                return true;
        if (x->html && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
                char end[48];
                snprintf(end, sizeof(end), "</%s>", name);
                return xml_skip_to(x, end);      /* raw text */
        }
        if (x->depth == 64)
                return xml_fail(x, "too deep");
        snprintf(x->stack[x->depth++], sizeof(x->stack[0]), "%s", name);
        return true;
}

static bool utf8_valid(const unsigned char *p)
{
        while (*p) {
                size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
                         : (*p & 0xf8) == 0xf0 ? 4 : 0;
                if (n == 0 || (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r'))
                        return false;
                for (size_t i = 1; i < n; i++)
                        if ((p[i] & 0xc0) != 0x80)
                                return false;
                p += n;
        }
        return true;
}

/* Checks that s is a well-formed document. Returns true, or false with a
 * message in x->err. */
static bool xml_check(struct xml *x, const char *s, bool html)
{
        memset(x, 0, sizeof(*x));
        x->s = x->p = s;
        x->html = html;
        if (!utf8_valid((const unsigned char *)s))
                return xml_fail(x, "invalid UTF-8 or control character");
        while (*x->p) {
                if (*x->p == '<') {
                        if (!xml_tag(x))
                                return false;
                } else if (*x->p == '&') {
                        if (!xml_entity(x))
                                return false;
                } else {
                        if (x->depth == 0 && !strchr(" \n\r\t", *x->p))
                                return xml_fail(x, "text outside the root");
                        x->p++;
                }
        }
        if (x->depth)
                return xml_fail(x, "unclosed element");
        if (x->roots != 1)
                return xml_fail(x, "no root element");
        return true;
}

static void assert_well_formed(const char *s, bool html)
{
        struct xml x;
        bool ok = xml_check(&x, s, html);
        if (!ok)
                printf("\n    not well-formed: %s\n", x.err);
        CU_ASSERT(ok);
}

/* The checker itself must reject what it is there to catch. */
static void test_checker_rejects(void)
{
        static const char *const bad[] = {
                "<a><b></a></b>", "<a x=1/>", "<a>&nbsp;</a>", "<a>a < b</a>",
                "<a x=\"<\"/>", "<a></a><b/>", "<a>", "<a x=\"1\" x=\"2\"/>", "<a>\x01</a>",
                "<a>\xff</a>",
        };
        struct xml x;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CU_ASSERT(!xml_check(&x, bad[i], false));
        CU_ASSERT(xml_check(&x, "<?xml version=\"1.0\"?>\n<a b='&amp;&#10;'><c/>t&#x41;</a>\n",
                            false));
}

/* ---------------------------------------------------------------- JUnit */

static long attr_of(const char *s, const char *tag, const char *attr)
{
        char key[64];
        const char *t = strstr(s, tag), *a, *end;
        if (!t)
                return -1;
        end = strchr(t, '>');
        snprintf(key, sizeof(key), " %s=\"", attr);
        a = strstr(t, key);
        return a && a < end ? atol(a + strlen(key)) : -1;
}

static void test_junit_counts(void)
{
        struct matrix m;

        make_small(&m);
        char *s = render(&m, junit_ungated);
        assert_well_formed(s, false);
        /* ok 3, nxdomain 1 (failure), skipped 1, harness-error 1 */
        CU_ASSERT_EQUAL(attr_of(s, "<testsuite ", "tests"), 6);
        CU_ASSERT_EQUAL(attr_of(s, "<testsuite ", "failures"), 1);
        CU_ASSERT_EQUAL(attr_of(s, "<testsuite ", "errors"), 1);
        CU_ASSERT_EQUAL(attr_of(s, "<testsuite ", "skipped"), 1);
        CU_ASSERT_EQUAL(attr_of(s, "<testsuites ", "tests"), 6);
        CU_ASSERT_EQUAL(count(s, "<testcase "), 6);
        CU_ASSERT_EQUAL(count(s, "<failure "), 1);
        CU_ASSERT_EQUAL(count(s, "<error "), 1);
        CU_ASSERT_EQUAL(count(s, "<skipped "), 1);
        const char *tc = strstr(s, "<testcase classname=\"client-1\" name=\"q0.example A "
                                   "records=2 truncation=tc-empty\" time=\"");
        CU_ASSERT_PTR_NOT_NULL_FATAL(tc);
        tc = strchr(tc, '>');
        CU_ASSERT_EQUAL(strncmp(tc, ">\n      <failure message=\"nxdomain\" type=\"nxdomain\">",
                                51), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<skipped message=\"no-namespaces\"/>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<error message=\"harness-error bind\" "
                                         "type=\"harness-error\">"));
        /* the failure text: detail escaped and the server's witness */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "detail: say &quot;hi&quot;, a&lt;b &amp; c&gt;d "
                                         "&#39;q&#39;\nsecond line"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "server: path udp, udp 50 bytes, tcp -, queries udp 1 "
                                         "tcp 0, tc 0, edns -"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<property name=\"scenario\" "
                                         "value=\"scenarios/unit &amp; &lt;views&gt;.scn\"/>"));
        free(s);
        matrix_free(&m);
}

static void test_junit_xmllint(void)
{
        struct matrix m;
        char path[] = "/tmp/test-views-XXXXXX";
        char cmd[128];

        if (access("/usr/bin/xmllint", X_OK) != 0)
                TEST_SKIP("/usr/bin/xmllint is not installed (Debian libxml2-utils)");
        make_small(&m);
        char *s = render(&m, junit_ungated);
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, s, strlen(s)) == (ssize_t)strlen(s));
        close(fd);
        snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s", path);
        CU_ASSERT_EQUAL(system(cmd), 0);
        unlink(path);
        free(s);
        matrix_free(&m);
}

/* Control characters and invalid UTF-8 in client words still give XML. */
static void test_junit_hostile_bytes(void)
{
        struct matrix m;

        make_small(&m);
        CU_ASSERT(matrix_cell_set_detail(&m, &m.cells[3], "bell\a esc\x1b cr\r bad\xff\xfe "
                                         "over\xc0\x80 sur\xed\xa0\x80 ok\xc3\xa9 ]]>") == 0);
        CU_ASSERT(matrix_cell_set_client(&m, &m.cells[3], "cl\x01ient\"<") == 0);
        char *s = render(&m, junit_ungated);
        assert_well_formed(s, false);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "ok\xc3\xa9 ]]&gt;"));       /* valid UTF-8 kept */
        free(s);
        s = render(&m, html_plain);
        assert_well_formed(s, true);
        free(s);
        matrix_free(&m);
}

/* ---------------------------------------------------------------- HTML */

static void test_html_cells(void)
{
        struct matrix m;

        make_small(&m);
        char *s = render(&m, html_plain);
        assert_well_formed(s, true);
        CU_ASSERT(strncmp(s, "<!DOCTYPE html>\n", 16) == 0);
        CU_ASSERT_EQUAL(count(s, "class=\"cell "), m.ncells);
        CU_ASSERT_EQUAL(count(s, "data-verdict=\"ok\""), 3);
        CU_ASSERT_EQUAL(count(s, "data-verdict=\"nxdomain\""), 1);
        CU_ASSERT_EQUAL(count(s, "data-verdict=\"skipped\""), 1);
        CU_ASSERT_EQUAL(count(s, "data-verdict=\"harness-error\""), 1);
        CU_ASSERT_EQUAL(count(s, "<td class=\"none\""), 0);
        /* self-contained: no network reference of any kind */
        CU_ASSERT_PTR_NULL(strstr(s, "http://"));
        CU_ASSERT_PTR_NULL(strstr(s, "https://"));
        CU_ASSERT_PTR_NULL(strstr(s, "src="));
        CU_ASSERT_PTR_NULL(strstr(s, "<link"));
        CU_ASSERT_PTR_NULL(strstr(s, "@import"));
        CU_ASSERT_PTR_NULL(strstr(s, "url("));
        /* legend, breaking points, counts, one grid, the panel */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<ul class=\"legend\">"));
        CU_ASSERT_EQUAL(count(s, "<span class=\"swatch v-"), 2 * VERDICT_MAX);
        CU_ASSERT_EQUAL(count(s, "<table class=\"grid\""), 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<li>client-1: q0.example A at truncation=tc-empty: "
                                         "records &lt;= 1; 2: nxdomain, udp 50 bytes</li>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<aside id=\"panel\" hidden=\"hidden\">"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<details id=\"counts\" open=\"open\">"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<details id=\"breaking\" open=\"open\">\n"
                                         "<summary>Breaking points (2)</summary>"));
        /* the hostile detail only escaped, in a title, one line per field */
        CU_ASSERT_PTR_NULL(strstr(s, "a<b"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "&#10;detail: say &quot;hi&quot;, a&lt;b &amp; "
                                         "c&gt;d &#39;q&#39;&#10;second line"));
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "title=\"client: client-0 (emulated)&#10;"
                                         "query: q0.example A&#10;"
                                         "point: records=1 truncation=tc-empty&#10;verdict: ok&#10;"
                                         "reason: -&#10;addresses: 1 of 1 expected&#10;"
                                         "path: udp&#10;udp bytes: 34&#10;tcp bytes: -&#10;"
                                         "queries: udp 1, tcp 0&#10;tc replies: 0&#10;"
                                         "edns: -&#10;detail: -\""));
        free(s);
        matrix_free(&m);
}

static void test_html_incomplete(void)
{
        struct matrix m;

        make_small(&m);
        m.complete = false;
        m.total = 6;
        m.cells[2] = m.cells[5];          /* cells 2..4 not run: 3 cells left */
        m.ncells = 3;
        char *s = render(&m, html_plain);
        assert_well_formed(s, true);
        CU_ASSERT_EQUAL(count(s, "class=\"cell "), 3);
        CU_ASSERT_EQUAL(count(s, "<td class=\"none\""), 1);  /* points 1 and 3 left */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "Incomplete run: 3 of 6 cells."));
        free(s);
        matrix_free(&m);
}

static void test_html_wide(void)
{
        struct matrix m;

        make_matrix(&m, 120, 5, 3, all_ok);
        for (size_t i = 0; i < m.ncells; i++)
                if (strcmp(m.cells[i].client, "client-7") == 0)
                        CU_ASSERT(matrix_cell_set_client(&m, &m.cells[i],
                                                         "a-long-client-name-with-edns0-udp") == 0);
        char *s = render(&m, html_plain);
        assert_well_formed(s, true);
        CU_ASSERT_EQUAL(count(s, "class=\"cell "), 120 * 5 * 3);
        CU_ASSERT_EQUAL(count(s, "<th class=\"client\""), 120 * 3);
        /* a long name is shown whole in the header (and in the title) */
        CU_ASSERT_EQUAL(count(s, "<th class=\"client\" scope=\"col\" title=\"a-long-client-"
                                 "name-with-edns0-udp (emulated)\"><span>a-long-client-name-with-"
                                 "edns0-udp</span></th>"), 3);
        CU_ASSERT_EQUAL(count(s, "<table class=\"grid\""), 3);
        /* 120 rows of counts are collapsed, so the grids come first on screen */
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<details id=\"counts\">\n<summary>Verdicts per client "
                                         "(120)</summary>"));
        free(s);
        matrix_free(&m);
}

static enum verdict second_skipped(size_t p, size_t q, size_t k)
{
        (void)p, (void)q;
        return k == 1 ? VERDICT_SKIPPED : VERDICT_OK;
}

/* A client skipped in every cell is never "ok": matrix.md says
 * "skipped: REASON" once for it, whatever the number of queries. */
static void test_md_skipped_client(void)
{
        struct matrix m;

        make_matrix(&m, 2, 4, 3, second_skipped);
        for (size_t i = 0; i < m.ncells; i++)
                if (m.cells[i].verdict == VERDICT_SKIPPED)
                        snprintf(m.cells[i].reason, sizeof(m.cells[i].reason), "no-namespaces");
        char *s = render(&m, md_ungated);
        CU_ASSERT_EQUAL(count(s, "- client-1: skipped: no-namespaces (every cell)\n"), 1);
        CU_ASSERT_EQUAL(count(s, "client-1: q"), 0);
        CU_ASSERT_PTR_NULL(strstr(s, "client-1: ok for"));
        CU_ASSERT_EQUAL(count(s, "- client-0: q"), 3);
        free(s);
        matrix_free(&m);
}

/* count() for long pages: memmem with the length left, so a sanitizer's
 * strstr (a strlen of the haystack per call) does not make it quadratic. */
static size_t count_long(const char *hay, const char *needle)
{
        size_t n = 0, len = strlen(needle), left = strlen(hay);
        for (const char *p = hay; (p = memmem(p, left - (size_t)(p - hay), needle, len)) != NULL;
             p += len)
                n++;
        return n;
}

/* Over HTML_FULL_MAX_CELLS cells the grids fold: one element per (query,
 * size-axis value, client), counting its cells; the page says so. */
static void test_html_folded(void)
{
        struct matrix m;

        make_matrix(&m, 7, 1000, 3, all_ok);            /* 21,000 cells */
        char *s = render(&m, html_plain);
        assert_well_formed(s, true);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<body data-mode=\"folded\">"));
        CU_ASSERT_EQUAL(count(s, "<table class=\"grid agg\""), 3);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "21000 cells: the grids fold"));
        CU_ASSERT_EQUAL(count_long(s, "data-cells=\"1\""), count_long(s, "class=\"cell agg "));
        CU_ASSERT_EQUAL(count_long(s, "class=\"cell agg "), 21000);
        CU_ASSERT_PTR_NULL(strstr(s, "<td class=\"cell v-"));
        free(s);
        matrix_free(&m);

        make_matrix(&m, 7, 100, 3, all_ok);             /* 2,100 cells: one element each */
        s = render(&m, html_plain);
        CU_ASSERT_PTR_NOT_NULL(strstr(s, "<body data-mode=\"cells\">"));
        CU_ASSERT_EQUAL(count_long(s, "class=\"cell "), 2100);
        free(s);
        matrix_free(&m);
}

/* ---------------------------------------------------------------- all views */

static const struct { const char *name; view_fn fn; } all_views[] = {
        { "csv", view_csv_write },
        { "md", md_ungated },
        { "junit", junit_ungated },
        { "html", html_plain },
};

/* Same matrix, same bytes; elapsed_ms changes nothing but junit.xml's time
 * attributes. */
static void test_deterministic(void)
{
        struct matrix m;

        make_small(&m);
        for (size_t v = 0; v < sizeof(all_views) / sizeof(all_views[0]); v++) {
                if (all_views[v].fn == junit_ungated)
                        continue;
                char *a = render(&m, all_views[v].fn);
                for (size_t i = 0; i < m.ncells; i++)
                        m.cells[i].elapsed_ms += 1234.5;
                char *b = render(&m, all_views[v].fn);
                if (strcmp(a, b) != 0)
                        printf("\n    %s differs between equal matrices\n", all_views[v].name);
                CU_ASSERT_STRING_EQUAL(a, b);
                free(a);
                free(b);
        }
        matrix_free(&m);
}

static void test_empty_matrix(void)
{
        struct matrix m;

        make_matrix(&m, 0, 0, 0, all_ok);
        m.naxes = 0;
        for (size_t v = 0; v < sizeof(all_views) / sizeof(all_views[0]); v++) {
                char *s = render(&m, all_views[v].fn);
                CU_ASSERT(strlen(s) > 0);
                free(s);
        }
        char *s = render(&m, view_csv_write);
        CU_ASSERT_STRING_EQUAL(s, "client,kind,qname,qtype,verdict,reason,addresses,expected,"
                                  "path,udp_bytes,tcp_bytes,udp_queries,tcp_queries,tc_replies,"
                                  "edns,detail\r\n");
        free(s);
        s = render(&m, junit_ungated);
        assert_well_formed(s, false);
        CU_ASSERT_EQUAL(attr_of(s, "<testsuite ", "tests"), 0);
        free(s);
        s = render(&m, html_plain);
        assert_well_formed(s, true);
        CU_ASSERT_EQUAL(count(s, "class=\"cell "), 0);
        free(s);
        matrix_free(&m);
}

static void test_grid(void)
{
        struct matrix m;
        struct view_grid g;
        char label[VIEW_LABEL_MAX];

        make_matrix(&m, 3, 4, 2, all_ok);
        /* shuffle two cells: the grid does not depend on matrix order */
        struct matrix_cell t = m.cells[0];
        m.cells[0] = m.cells[23];
        m.cells[23] = t;
        m.cells[5].point = 40;        /* sparse point numbers (a shard) */
        CU_ASSERT(matrix_cell_set_value(&m, &m.cells[5], 0, "9") == 0);
        CU_ASSERT_EQUAL_FATAL(view_grid_build(&m, &g), 0);
        CU_ASSERT_EQUAL(g.nclients, 3);
        CU_ASSERT_EQUAL(g.nqueries, 2);
        CU_ASSERT_EQUAL(g.npoints, 5);
        CU_ASSERT_EQUAL(g.points[4], 40);
        /* first seen: cell 0 is now (point 3, q1, client-2), cell 1 client-1 */
        CU_ASSERT_STRING_EQUAL(g.client_cell[0]->client, "client-2");
        CU_ASSERT_STRING_EQUAL(g.client_cell[1]->client, "client-1");
        CU_ASSERT_STRING_EQUAL(g.client_cell[2]->client, "client-0");
        CU_ASSERT_STRING_EQUAL(g.queries[0].qname, "q1.example");
        /* cell 5 was (point 0, q1, client-2) */
        CU_ASSERT_PTR_EQUAL(view_grid_at(&g, 0, 4, 0), &m.cells[5]);
        CU_ASSERT_PTR_NULL(view_grid_at(&g, 0, 0, 0));
        CU_ASSERT_PTR_NULL(view_grid_at(&g, 1, 4, 0));
        CU_ASSERT_PTR_EQUAL(view_grid_at(&g, 1, 0, 2), &m.cells[23]);  /* was cell 0 */
        view_point_label(&m, view_grid_at(&g, 1, 2, 0), label, sizeof(label));
        CU_ASSERT_STRING_EQUAL(label, "records=3 truncation=tc-empty");
        m.naxes = 0;
        view_point_label(&m, &m.cells[1], label, sizeof(label));
        CU_ASSERT_STRING_EQUAL(label, "defaults");
        CU_ASSERT_STRING_EQUAL(view_verdict_token(VERDICT_TIMEOUT), "t/o");
        CU_ASSERT_STRING_EQUAL(view_verdict_token(VERDICT_INVALID), "?");
        view_grid_free(&g);
        matrix_free(&m);
}

static const struct test_case csv_cases[] = {
        { "rows and fields", test_csv_rows },
        { "RFC 4180 quoting", test_csv_quoting },
        { NULL, NULL },
};

static const struct test_case md_cases[] = {
        { "table shape", test_md_shape },
        { "incomplete run", test_md_incomplete },
        { "big grids elide unchanged rows", test_md_elision },
        { NULL, NULL },
};

static const struct test_case junit_cases[] = {
        { "checker rejects malformed XML", test_checker_rejects },
        { "counts and well-formed", test_junit_counts },
        { "xmllint", test_junit_xmllint },
        { "control bytes and bad UTF-8", test_junit_hostile_bytes },
        { NULL, NULL },
};

static const struct test_case html_cases[] = {
        { "one element per cell, no network", test_html_cells },
        { "incomplete run", test_html_incomplete },
        { "120 clients", test_html_wide },
        { "folded over 20,000 cells", test_html_folded },
        { "a client skipped everywhere: said once in matrix.md", test_md_skipped_client },
        { NULL, NULL },
};

static const struct test_case common_cases[] = {
        { "grid of queries, points, clients", test_grid },
        { "deterministic bytes", test_deterministic },
        { "empty matrix", test_empty_matrix },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "csv", csv_cases },
        { "md", md_cases },
        { "junit", junit_cases },
        { "html", html_cases },
        { "common", common_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "views", suites);
}
