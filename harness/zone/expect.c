/* `expect` lines: the scenario grammar of expectations (scenarios/README.md).
 *
 *   expect SUBJECT PREDICATE... [when CONDITION [and CONDITION]...]
 *
 * Parsed here, with the rest of the scenario, so that a bad line is a
 * file:line:col error before any cell runs; evaluated over a matrix in
 * harness/report/expect-eval.c. */
#include "harness/zone/expect.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/util/strutil.h"
#include "harness/wire/dns.h"
#include "harness/zone/params.h"
#include "harness/zone/scenario.h"
#include "harness/zone/verdict.h"

const char *const expect_path_table[EXPECT_NPATHS] = EXPECT_PATHS;
const char *const expect_stub_reply_table[EXPECT_NSTUB_REPLIES] = EXPECT_STUB_REPLIES;

/* ---------------------------------------------------------------- parsing
 *
 * expect SUBJECT PREDICATE... [when CONDITION [and CONDITION]...]
 * Words are separated by white space; a condition is one word, KEY OP VALUE. */

struct word {
        char text[256];
        size_t len;             /* in the line; text holds at most 255 bytes of it */
        unsigned col;
};

struct xparse {
        const char *args;
        size_t pos;
        unsigned col0;          /* column of args[0] */
        struct expectation *e;
        unsigned *err_col;
        char *msg;
        size_t msglen;
};

static int xfail(struct xparse *x, unsigned col, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int xfail(struct xparse *x, unsigned col, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->msg, x->msglen, fmt, ap);
        va_end(ap);
        *x->err_col = col;
        return -1;
}

/* Reads the next word. Returns false at the end of the line (w->col is then
 * the column just past the line). */
static bool next_word(struct xparse *x, struct word *w)
{
        while (x->args[x->pos] && isspace((unsigned char)x->args[x->pos]))
                x->pos++;
        w->col = x->col0 + (unsigned)x->pos;
        w->len = 0;
        while (x->args[x->pos] && !isspace((unsigned char)x->args[x->pos])) {
                if (w->len < sizeof(w->text) - 1)
                        w->text[w->len] = x->args[x->pos];
                w->len++;
                x->pos++;
        }
        w->text[w->len < sizeof(w->text) ? w->len : sizeof(w->text) - 1] = '\0';
        return w->len > 0;
}

/* "'word'", or "end of line" after the last word. */
static const char *quoted(const struct word *w, char *buf, size_t len)
{
        if (!w->len)
                return "end of line";
        snprintf(buf, len, "'%s'", w->text);
        return buf;
}

static bool client_name_ok(const char *s, size_t len)
{
        if (len == 0 || len > EXPECT_CLIENT_NAME_MAX)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr("._:+-", s[i]))
                        return false;
        return true;
}

static int add_client(struct xparse *x, const char *name, size_t len, unsigned col)
{
        struct expectation *e = x->e;
        char buf[64];

        if (len == 0)
                return xfail(x, col, "expected a client name after ','");
        if (!client_name_ok(name, len))
                return xfail(x, col, "expected a client name (letters, digits, '.', '_', ':', "
                             "'+', '-'), got '%.*s'", (int)len, name);
        unsigned *cols = realloc(e->client_cols, (e->nclients + 1) * sizeof(*cols));
        if (!cols)
                return xfail(x, col, "out of memory");
        e->client_cols = cols;
        memcpy(buf, name, len);
        buf[len] = '\0';
        cols[e->nclients] = col;
        if (strv_push(&e->clients, &e->nclients, buf) < 0)
                return xfail(x, col, "out of memory");
        return 0;
}

static bool is_keyword(const char *s)
{
        return strcmp(s, "ok") == 0 || strcmp(s, "fails") == 0 || strcmp(s, "when") == 0 ||
               strcmp(s, "and") == 0 || strncmp(s, "verdict=", 8) == 0 ||
               strncmp(s, "path=", 5) == 0 || strncmp(s, "server-edns=", 12) == 0 ||
               strncmp(s, "stub-reply=", 11) == 0;
}

static int parse_subject(struct xparse *x)
{
        struct word w, w2;
        char q[260];
        static const char expected[] = "expected a subject: 'every client', a client name "
                                       "or clients=NAME,NAME...";

        if (!next_word(x, &w))
                return xfail(x, w.col, "%s, got end of line", expected);
        if (strcmp(w.text, "every") == 0) {
                if (!next_word(x, &w2) || strcmp(w2.text, "client") != 0)
                        return xfail(x, w2.col, "expected 'client' after 'every', got %s",
                                     quoted(&w2, q, sizeof(q)));
                return 0;
        }
        if (strncmp(w.text, "clients=", 8) == 0) {
                const char *p = w.text + 8;
                if (*p == '\0')
                        return xfail(x, w.col + 8, "expected client names after 'clients='");
                for (;;) {
                        size_t n = strcspn(p, ",");
                        if (add_client(x, p, n, w.col + (unsigned)(p - w.text)) < 0)
                                return -1;
                        if (p[n] == '\0')
                                return 0;
                        p += n + 1;
                }
        }
        if (is_keyword(w.text) || strchr(w.text, '='))
                return xfail(x, w.col, "%s, got '%s'", expected, w.text);
        return add_client(x, w.text, w.len, w.col);
}

/* A comma-separated list of verdicts or paths after "verdict=" or "path=". */
static int parse_list(struct xparse *x, const struct word *w, size_t skip, bool verdicts)
{
        const char *p = w->text + skip;
        unsigned *mask = verdicts ? &x->e->verdicts : &x->e->paths;
        char item[64];

        if (*p == '\0')
                return xfail(x, w->col + (unsigned)skip, "expected %s after '%.*s'",
                             verdicts ? "verdicts" : "paths", (int)skip, w->text);
        for (;;) {
                size_t n = strcspn(p, ",");
                unsigned col = w->col + (unsigned)(p - w->text);
                int v = -1;
                snprintf(item, sizeof(item), "%.*s", (int)n, p);
                if (verdicts) {
                        v = verdict_from_string(item);
                        if (v == VERDICT_SKIPPED || v == VERDICT_HARNESS_ERROR)
                                v = -1;
                } else {
                        for (int i = 0; i < EXPECT_NPATHS; i++)
                                if (strcmp(expect_path_table[i], item) == 0)
                                        v = i;
                }
                if (v < 0)
                        return xfail(x, col, verdicts ?
                                     "expected a verdict (ok, partial, wrong, nodata, nxdomain, "
                                     "error or timeout), got '%s'" :
                                     "expected a path (udp, udp+tcp, tcp or none), got '%s'", item);
                *mask |= 1u << v;
                if (p[n] == '\0')
                        return 0;
                p += n + 1;
        }
}

/* `server-edns=1232,none` and `stub-reply=tc-empty,...`: the witnesses of a
 * resolver's two hops. Returns 1, or -1 on error. */
static int parse_hop_predicate(struct xparse *x, const struct word *w)
{
        bool edns = strncmp(w->text, "server-edns=", 12) == 0;
        size_t skip = edns ? 12 : 11;
        const char *p = w->text + skip;
        char item[64];

        if ((edns && x->e->nserver_edns) || (!edns && x->e->stub_replies))
                return xfail(x, w->col, "expected at most one '%.*s', got a second", (int)skip,
                             w->text);
        for (;;) {
                size_t n = strcspn(p, ",");
                unsigned col = w->col + (unsigned)(p - w->text);
                char *end;
                snprintf(item, sizeof(item), "%.*s", (int)n, p);
                if (edns) {
                        long v = strcmp(item, "none") == 0 ? -1 : strtol(item, &end, 10);
                        if ((v != -1 && (*item == '\0' || *end || v < 512 || v > 65535)) ||
                            x->e->nserver_edns == EXPECT_EDNS_MAX)
                                return xfail(x, col, "expected an EDNS size 512..65535 or none "
                                             "(at most %d), got '%s'", EXPECT_EDNS_MAX, item);
                        x->e->server_edns[x->e->nserver_edns++] = (int)v;
                } else {
                        int v = -1;
                        for (int i = 0; i < EXPECT_NSTUB_REPLIES; i++)
                                if (strcmp(expect_stub_reply_table[i], item) == 0)
                                        v = i;
                        if (v < 0)
                                return xfail(x, col, "expected a stub reply (tc-empty, tc-partial, "
                                             "whole or none), got '%s'", item);
                        x->e->stub_replies |= 1u << v;
                }
                if (p[n] == '\0')
                        return 1;
                p += n + 1;
        }
}

/* Returns 1 when w is a predicate (stored), 0 when it is not one, -1 on error. */
static int parse_predicate(struct xparse *x, const struct word *w, bool *have_verdict,
                           bool *have_path)
{
        bool verdict = strcmp(w->text, "ok") == 0 || strcmp(w->text, "fails") == 0 ||
                       strncmp(w->text, "verdict=", 8) == 0;
        bool path = strncmp(w->text, "path=", 5) == 0;

        if (strncmp(w->text, "server-edns=", 12) == 0 || strncmp(w->text, "stub-reply=", 11) == 0) {
                return parse_hop_predicate(x, w);
        }
        if (!verdict && !path)
                return 0;
        if ((verdict && *have_verdict) || (path && *have_path))
                return xfail(x, w->col, "expected at most one of ok, fails and verdict=, and at "
                             "most one path=, got a second '%s'", w->text);
        if (verdict) {
                *have_verdict = true;
                if (strcmp(w->text, "ok") == 0) {
                        x->e->verdicts = 1u << VERDICT_OK;
                } else if (strcmp(w->text, "fails") == 0) {
                        for (int v = 0; v < VERDICT_MAX; v++)
                                if (v != VERDICT_OK && v != VERDICT_SKIPPED &&
                                    v != VERDICT_HARNESS_ERROR)
                                        x->e->verdicts |= 1u << v;
                } else if (parse_list(x, w, 8, true) < 0) {
                        return -1;
                }
                return 1;
        }
        *have_path = true;
        return parse_list(x, w, 5, false) < 0 ? -1 : 1;
}

static const struct {
        const char *text;
        enum expect_op op;
} op_table[] = {
        { "<=", EXPECT_LE }, { ">=", EXPECT_GE }, { "!=", EXPECT_NE },
        { "<", EXPECT_LT }, { ">", EXPECT_GT }, { "=", EXPECT_EQ },
};

static const char *op_text(enum expect_op op)
{
        for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]); i++)
                if (op_table[i].op == op)
                        return op_table[i].text;
        return "?";
}

/* Validates one value of a condition and stores its canonical text. */
static int cond_value(struct xparse *x, struct expect_cond *c, const char *v, unsigned col)
{
        char canon[256], m[256];
        struct point_params scratch;

        if (*v == '\0' && c->nvalues)
                return xfail(x, col, "expected a value after ','");
        if (*v == '\0')
                return xfail(x, col, "expected a value after '%s%s'", c->key, op_text(c->op));
        if (strcmp(c->key, "qname") == 0) {
                snprintf(canon, sizeof(canon), "%s", v);
                size_t l = strlen(canon);
                if (l > 1 && canon[l - 1] == '.')
                        canon[l - 1] = '\0';
        } else if (strcmp(c->key, "qtype") == 0) {
                snprintf(canon, sizeof(canon), "%s", v);
                for (char *p = canon; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                if (strcmp(canon, "ADDR") != 0 && dns_type_from_string(canon) < 0)
                        return xfail(x, col, "qtype: expected a record type or ADDR, got '%s'", v);
        } else {
                params_defaults(&scratch);
                if (params_set(&scratch, c->key, v, m, sizeof(m)) < 0)
                        return xfail(x, col, "%s", m);
                params_get(&scratch, c->key, canon, sizeof(canon));
                c->bound = strtol(canon, NULL, 10);
        }
        if (strv_push(&c->values, &c->nvalues, canon) < 0)
                return xfail(x, col, "out of memory");
        return 0;
}

static int parse_condition(struct xparse *x, const struct word *w)
{
        struct expectation *e = x->e;
        struct expect_cond *c;
        size_t k = 0, oplen = 0;

        while (isalnum((unsigned char)w->text[k]) || w->text[k] == '_')
                k++;
        if (k == 0 || k >= sizeof(c->key))
                return xfail(x, w->col, "expected a condition KEY OP VALUE (e.g. records<=29), "
                             "got '%s'", w->text);
        c = realloc(e->conds, (e->nconds + 1) * sizeof(*c));
        if (!c)
                return xfail(x, w->col, "out of memory");
        e->conds = c;
        c = &e->conds[e->nconds++];
        memset(c, 0, sizeof(*c));
        c->col = w->col;
        memcpy(c->key, w->text, k);
        for (size_t i = 0; i < sizeof(op_table) / sizeof(op_table[0]) && !oplen; i++)
                if (strncmp(w->text + k, op_table[i].text, strlen(op_table[i].text)) == 0) {
                        c->op = op_table[i].op;
                        oplen = strlen(op_table[i].text);
                }
        if (!oplen)
                return xfail(x, w->col + (unsigned)k, "expected an operator (=, !=, <, <=, >, >=) "
                             "after '%s'", c->key);
        bool special = strcmp(c->key, "qname") == 0 || strcmp(c->key, "qtype") == 0;
        if (!special && !params_is_key(c->key))
                return xfail(x, w->col, "unknown key '%s' (expected a swept parameter, qname "
                             "or qtype)", c->key);
        bool ordered = c->op != EXPECT_EQ && c->op != EXPECT_NE;
        if (ordered && (special || !params_key_is_numeric(c->key)))
                return xfail(x, w->col + (unsigned)k, "expected = or != after '%s' (it is not "
                             "a number)", c->key);
        const char *p = w->text + k + oplen;
        c->value_col = w->col + (unsigned)(k + oplen);
        if (ordered && strchr(p, ','))
                return xfail(x, c->value_col, "expected one number after '%s%s', got '%s'",
                             c->key, op_text(c->op), p);
        for (;;) {
                char item[256];
                size_t n = strcspn(p, ",");
                snprintf(item, sizeof(item), "%.*s", (int)n, p);
                if (cond_value(x, c, item, w->col + (unsigned)(p - w->text)) < 0)
                        return -1;
                if (p[n] == '\0')
                        return 0;
                p += n + 1;
        }
}

static int parse_conditions(struct xparse *x)
{
        struct word w;
        bool after_and = false;

        while (next_word(x, &w)) {
                if (strcmp(w.text, "and") == 0) {
                        if (after_and || x->e->nconds == 0)
                                return xfail(x, w.col, "expected a condition KEY OP VALUE, "
                                             "got 'and'");
                        after_and = true;
                        continue;
                }
                if (parse_condition(x, &w) < 0)
                        return -1;
                after_and = false;
        }
        if (x->e->nconds == 0 || after_and)
                return xfail(x, w.col, "expected a condition KEY OP VALUE after '%s', got end "
                             "of line", after_and ? "and" : "when");
        return 0;
}

int expect_parse(const char *args, unsigned line, unsigned col, struct expectation *e,
                 unsigned *err_col, char *msg, size_t msglen)
{
        struct xparse x = { .args = args, .col0 = col, .e = e, .err_col = err_col, .msg = msg,
                            .msglen = msglen };
        bool have_verdict = false, have_path = false;
        struct word w;
        char q[260];
        int r;

        memset(e, 0, sizeof(*e));
        e->line = line;
        if (asprintf(&e->text, "expect %s", args) < 0) {
                e->text = NULL;
                return xfail(&x, col, "out of memory");
        }
        while (next_word(&x, &w))
                if (w.len >= sizeof(w.text)) {
                        xfail(&x, w.col, "expected words of at most %zu bytes", sizeof(w.text) - 1);
                        goto fail;
                }
        x.pos = 0;
        if (parse_subject(&x) < 0)
                goto fail;
        while ((r = next_word(&x, &w) ? parse_predicate(&x, &w, &have_verdict, &have_path) : 0) == 1)
                ;
        if (r < 0)
                goto fail;
        if (!have_verdict && !have_path && !e->nserver_edns && !e->stub_replies) {
                xfail(&x, w.col, "expected a predicate: ok, fails, verdict=V,V... or "
                      "path=P,P..., got %s", quoted(&w, q, sizeof(q)));
                goto fail;
        }
        if (w.len == 0)
                return 0;
        if (strcmp(w.text, "when") != 0) {
                xfail(&x, w.col, "expected a predicate or 'when', got '%s'", w.text);
                goto fail;
        }
        if (parse_conditions(&x) < 0)
                goto fail;
        return 0;
fail:
        expect_free(e);
        return -1;
}

int expect_resolve(struct expectation *e, const struct scenario *sc, unsigned *err_col,
                   char *msg, size_t msglen)
{
        char swept[256];
        size_t o = 0;

        swept[0] = '\0';
        for (size_t i = 0; i < sc->nsweeps && o < sizeof(swept); i++)
                o += (size_t)snprintf(swept + o, sizeof(swept) - o, "%s, ", sc->sweeps[i].key);
        for (size_t i = 0; i < e->nconds; i++) {
                struct expect_cond *c = &e->conds[i];
                bool qname = strcmp(c->key, "qname") == 0, qtype = strcmp(c->key, "qtype") == 0;
                if (!qname && !qtype) {
                        if (!scenario_find_sweep(sc, c->key)) {
                                *err_col = c->col;
                                snprintf(msg, msglen, "'%s' is not swept in this suite "
                                         "(expected %sqname or qtype)", c->key, swept);
                                return -1;
                        }
                        continue;
                }
                for (size_t v = 0; v < c->nvalues; v++) {
                        bool found = false;
                        char list[512], text[16], one[300];
                        size_t lo = 0;
                        list[0] = '\0';
                        for (size_t q = 0; q < sc->nqueries; q++) {
                                const struct scenario_query *sq = &sc->queries[q];
                                if (qname) {
                                        snprintf(one, sizeof(one), "%s", sq->text);
                                        size_t l = strlen(one);
                                        if (l > 1 && one[l - 1] == '.')
                                                one[l - 1] = '\0';
                                } else {
                                        snprintf(one, sizeof(one), "%s", sq->qtype == QTYPE_ADDR ?
                                                 "ADDR" : dns_type_to_string((uint16_t)sq->qtype, text));
                                }
                                found = found || strcasecmp(one, c->values[v]) == 0;
                                bool listed = false;
                                for (size_t p = 0; p < q && !listed; p++)
                                        listed = sc->queries[p].qtype == sq->qtype && !qname;
                                if (!listed && lo < sizeof(list))
                                        lo += (size_t)snprintf(list + lo, sizeof(list) - lo, "%s%s",
                                                               lo ? ", " : "", one);
                        }
                        if (!found) {
                                *err_col = c->value_col;
                                snprintf(msg, msglen, "%s: expected a query %s of this suite (%s), "
                                         "got '%s'", c->key, qname ? "name" : "type", list,
                                         c->values[v]);
                                return -1;
                        }
                }
        }
        return 0;
}

void expect_free(struct expectation *e)
{
        if (!e)
                return;
        for (size_t i = 0; i < e->nconds; i++)
                strv_free(e->conds[i].values, e->conds[i].nvalues);
        free(e->conds);
        strv_free(e->clients, e->nclients);
        free(e->client_cols);
        free(e->text);
        memset(e, 0, sizeof(*e));
}


bool expect_names_qname(const struct expectation *e, const char *qname)
{
        for (size_t i = 0; i < e->nconds; i++) {
                const struct expect_cond *c = &e->conds[i];
                if (strcmp(c->key, "qname") != 0 || c->op != EXPECT_EQ)
                        continue;
                for (size_t v = 0; v < c->nvalues; v++) {
                        size_t n = strlen(c->values[v]);
                        if (strncasecmp(c->values[v], qname, n) == 0 &&
                            (qname[n] == '\0' || (qname[n] == '.' && qname[n + 1] == '\0')))
                                return true;
                }
        }
        return false;
}
