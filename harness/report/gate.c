/* The gate's one evaluation: expectations, then regressions per (client,
 * query), into a gate_result every output renders. */
#include "harness/report/gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/report/baseline.h"
#include "harness/report/expect-eval.h"
#include "harness/report/merge.h"
#include "harness/wire/dns.h"
#include "harness/zone/expect.h"

/* Appends an empty check. Returns it, or NULL when out of memory. */
static struct gate_check *check_add(struct gate_result *r)
{
        struct gate_check *c = realloc(r->checks, (r->nchecks + 1) * sizeof(*c));
        if (!c)
                return NULL;
        r->checks = c;
        c = &r->checks[r->nchecks++];
        memset(c, 0, sizeof(*c));
        return c;
}

static double cells_seconds(const struct expectation *e, const struct matrix *m)
{
        long long tenths = 0;
        for (size_t i = 0; i < m->ncells; i++)
                if (expect_selects(e, m, &m->cells[i]))
                        tenths += matrix_cell_tenths_ms(&m->cells[i]);
        return (double)tenths / 10000.0;
}

static int add_expectations(const struct scenario *sc, const struct matrix *m,
                            struct gate_result *r)
{
        char msg[1024];

        for (size_t i = 0; sc && i < sc->nexpects; i++) {
                const struct expectation *e = &sc->expects[i];
                struct expect_result er;
                struct gate_check *c = check_add(r);
                if (!c)
                        return -1;
                expect_evaluate(e, m, &er);
                expect_result_message(r->path, e, m, &er, msg, sizeof(msg));
                c->kind = GATE_CHECK_EXPECTATION;
                c->line = e->line;
                c->cells = er.checked;
                c->failed_cells = er.failed;
                c->seconds = cells_seconds(e, m);
                c->message = strdup(msg);
                if (asprintf(&c->name, "line %u: %s", e->line, e->text) < 0)
                        c->name = NULL;
                if (!c->message || !c->name)
                        return -1;
                r->expectations++;
                switch (er.status) {
                case EXPECT_HOLDS: c->status = GATE_PASSED; r->held++; break;
                case EXPECT_NOT_CHECKED: c->status = GATE_NOT_CHECKED; r->not_checked++; break;
                default: c->status = GATE_FAILED; r->failed++; break;
                }
        }
        return 0;
}

/* The line of the suite's `query` line for (qname, qtype), or 0. */
static unsigned query_line(const struct scenario *sc, const char *qname, const char *qtype)
{
        char text[16];

        for (size_t q = 0; sc && q < sc->nqueries; q++) {
                const struct scenario_query *sq = &sc->queries[q];
                size_t n = strlen(qname);
                const char *t = sq->qtype == QTYPE_ADDR ? "ADDR" :
                                dns_type_to_string((uint16_t)sq->qtype, text);
                if (strncasecmp(sq->text, qname, n) == 0 &&
                    (sq->text[n] == '\0' || strcmp(sq->text + n, ".") == 0) &&
                    strcmp(t, qtype) == 0)
                        return sq->line;
        }
        return 0;
}

static int same_group(const struct matrix_cell *a, const struct matrix_cell *b)
{
        return strcmp(a->client, b->client) == 0 && strcmp(a->qname, b->qname) == 0 &&
               strcmp(a->qtype, b->qtype) == 0;
}

static int by_group(const void *pa, const void *pb, void *arg)
{
        const struct matrix *m = arg;
        const struct matrix_cell *a = &m->cells[*(const size_t *)pa];
        const struct matrix_cell *b = &m->cells[*(const size_t *)pb];
        int d;
        if ((d = strcmp(a->client, b->client)) != 0 || (d = strcmp(a->qname, b->qname)) != 0 ||
            (d = strcmp(a->qtype, b->qtype)) != 0)
                return d;
        return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

/* One check per (client, query) of the run: passed when none of its cells
 * regressed. regressed[i] is true for the run's regressed cells. */
static int add_regression_groups(const struct scenario *sc, const struct matrix *m,
                                 const bool *regressed, const struct regression *regs,
                                 long nregs, struct gate_result *r)
{
        size_t *order = calloc(m->ncells ? m->ncells : 1, sizeof(*order));
        char msg[1024], first[900];
        int ret = -1;

        if (!order)
                return -1;
        for (size_t i = 0; i < m->ncells; i++)
                order[i] = i;
        qsort_r(order, m->ncells, sizeof(*order), by_group, (void *)m);
        for (size_t i = 0; i < m->ncells;) {
                const struct matrix_cell *head = &m->cells[order[i]];
                struct gate_check *c = check_add(r);
                size_t j = i, first_reg = (size_t)-1;
                long long tenths = 0;
                if (!c)
                        goto cleanup;
                c->kind = GATE_CHECK_REGRESSION;
                c->line = query_line(sc, head->qname, head->qtype);
                for (; j < m->ncells && same_group(&m->cells[order[j]], head); j++) {
                        const struct matrix_cell *cell = &m->cells[order[j]];
                        c->cells++;
                        tenths += matrix_cell_tenths_ms(cell);
                        if (regressed[order[j]] && c->failed_cells++ == 0)
                                first_reg = order[j];
                }
                if (asprintf(&c->name, "no regression: %s %s %s", head->client, head->qname,
                             head->qtype) < 0)
                        c->name = NULL;
                c->seconds = (double)tenths / 10000.0;
                c->status = c->failed_cells ? GATE_FAILED : GATE_PASSED;
                char where[16] = "";
                if (c->line)
                        snprintf(where, sizeof(where), ":%u", c->line);
                if (c->failed_cells) {
                        for (long k = 0; k < nregs; k++)
                                if (regs[k].cell == first_reg)
                                        regression_message(r->baseline_name, m, &regs[k], first,
                                                           sizeof(first));
                        snprintf(msg, sizeof(msg), "%s%s: %zu of %zu cells regressed, first %s",
                                 r->path, where, c->failed_cells, c->cells, first);
                        r->regression_groups++;
                        r->regressed_cells += c->failed_cells;
                } else {
                        snprintf(msg, sizeof(msg), "%s%s: %s %s %s: none of %zu cells regressed "
                                 "against %s", r->path, where, head->client, head->qname,
                                 head->qtype, c->cells, r->baseline_name);
                }
                c->message = strdup(msg);
                if (!c->name || !c->message)
                        goto cleanup;
                i = j;
        }
        ret = 0;
cleanup:
        free(order);
        return ret;
}

static int by_line_then_name(const void *pa, const void *pb)
{
        const struct gate_check *a = pa, *b = pb;
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        return strcmp(a->name, b->name);
}

static int add_regressions(const struct scenario *sc, const struct baseline_index *base,
                           const struct matrix *m, struct gate_result *r)
{
        struct regression *regs = NULL;
        bool *regressed = calloc(m->ncells ? m->ncells : 1, sizeof(*regressed));
        long n = regressed ? baseline_regressions(base, m, &regs) : -1;
        size_t before = r->nchecks;
        int ret = -1;

        if (n < 0)
                goto cleanup;
        for (long i = 0; i < n; i++)
                regressed[regs[i].cell] = true;
        if (add_regression_groups(sc, m, regressed, regs, n, r) < 0)
                goto cleanup;
        qsort(r->checks + before, r->nchecks - before, sizeof(*r->checks), by_line_then_name);
        ret = 0;
cleanup:
        free(regs);
        free(regressed);
        return ret;
}

int gate_evaluate(const struct scenario *sc, const struct baseline_index *baseline,
                  const char *baseline_name, const struct matrix *m, struct gate_result *r)
{
        memset(r, 0, sizeof(*r));
        r->complete = m->complete && m->ncells >= m->total;
        for (size_t i = 0; i < m->ncells; i++)
                r->harness_errors += m->cells[i].verdict == VERDICT_HARNESS_ERROR;
        r->path = strdup(sc ? sc->path : m->scenario);
        if (!r->path)
                goto fail;
        if (baseline && !(r->baseline_name = strdup(baseline_name ? baseline_name : "the baseline")))
                goto fail;
        if (add_expectations(sc, m, r) < 0)
                goto fail;
        if (baseline && add_regressions(sc, baseline, m, r) < 0)
                goto fail;
        r->status = r->failed || r->regression_groups ? 1 : 0;
        return 0;
fail:
        gate_result_free(r);
        return -1;
}

void gate_result_free(struct gate_result *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->nchecks; i++) {
                free(r->checks[i].name);
                free(r->checks[i].message);
        }
        free(r->checks);
        free(r->path);
        free(r->baseline_name);
        memset(r, 0, sizeof(*r));
}

void gate_summary(const struct gate_result *r, const char *suite, char *buf, size_t len)
{
        size_t o = (size_t)snprintf(buf, len, "%s: ", suite);

        if (o < len && r->expectations)
                o += (size_t)snprintf(buf + o, len - o, "%zu of %zu expectations hold, %zu "
                                      "failed, %zu not checked", r->held, r->expectations,
                                      r->failed, r->not_checked);
        else if (o < len)
                o += (size_t)snprintf(buf + o, len - o, "no expectations");
        if (o < len && r->baseline_name)
                o += (size_t)snprintf(buf + o, len - o, "; %zu cells regressed in %zu "
                                      "(client, query) groups against %s", r->regressed_cells,
                                      r->regression_groups, r->baseline_name);
        else if (o < len)
                o += (size_t)snprintf(buf + o, len - o, "; no baseline");
        if (o < len && r->harness_errors)
                o += (size_t)snprintf(buf + o, len - o, "; %zu harness-error cells",
                                      r->harness_errors);
        if (o < len && !r->complete)
                snprintf(buf + o, len - o, "; INCOMPLETE");
}
