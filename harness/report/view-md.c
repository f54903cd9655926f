/* matrix.md: GitHub-flavoured Markdown for a CI job summary.
 *
 *   # title: suite, complete or not
 *   ## Verdict of the run   the gate (harness/report/gate.h): PASSED/FAILED,
 *                           each failed check with file:line, then the others
 *   ## Breaking points      one bullet per breaking point (breaking_describe)
 *   ## Verdicts             one row per client: kind (and standing) and a count per verdict
 *   ## Grids                per query: rows = points, columns = clients,
 *                           cells = short verdict tokens (view_verdict_token)
 *
 * The file is meant for a CI job summary, which GitHub caps at 1 MiB: once
 * VIEW_MD_BUDGET bytes are written, the remaining grids (and breaking
 * points) are left out and a line says they are in matrix.html.
 *
 * A grid of more than VIEW_MD_FULL_ROWS points keeps only the rows around
 * changes: the first and last rows, each row where some client's verdict
 * differs from the row before, and that row before; a marker row stands for
 * each run of elided rows and a line under the grid says how many. */
#include "harness/report/views.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/breaking.h"
#include "harness/report/gate.h"
#include "harness/report/sizes.h"

/* Appends s as Markdown text: newlines become spaces and the characters
 * that could start markup or split a table cell are backslash-escaped. */
void view_md_text(struct strbuf *b, const char *s)
{
        for (const char *p = s; *p; p++) {
                if (*p == '\n' || *p == '\r' || *p == '\t')
                        strbuf_puts(b, " ");
                else if (strchr("\\`*_[]<>|~&", *p))
                        strbuf_printf(b, "\\%c", *p);
                else
                        strbuf_add(b, p, 1);
        }
}

static void md_title(const struct matrix *m, struct strbuf *b)
{
        strbuf_puts(b, "# stubcompat: ");
        view_md_text(b, m->suite);
        if (m->complete)
                strbuf_printf(b, " (complete, %zu cells)\n\n", m->ncells);
        else
                strbuf_printf(b, " (INCOMPLETE: %zu of %zu cells)\n\n", m->ncells, m->total);
        strbuf_puts(b, "Scenario ");
        view_md_text(b, m->scenario);
        strbuf_puts(b, "; axes: ");
        for (size_t a = 0; a < m->naxes; a++) {
                if (a)
                        strbuf_puts(b, ", ");
                view_md_text(b, m->axes[a]);
        }
        if (m->naxes == 0)
                strbuf_puts(b, "none");
        strbuf_puts(b, ".\n\n");
}

static void md_check(const struct gate_check *c, struct strbuf *b)
{
        static const char *const mark[] = {
                [GATE_PASSED] = "held", [GATE_FAILED] = "**FAILED**",
                [GATE_NOT_CHECKED] = "not checked",
        };
        strbuf_printf(b, "- %s: ", mark[c->status]);
        view_md_text(b, c->message);
        strbuf_puts(b, "\n");
}

/* The gate's result, as the exit code tells it. */
static void md_verdict(const struct matrix *m, const struct gate_result *g, struct strbuf *b)
{
        char line[1024];
        size_t shown = 0, passed = 0;

        strbuf_puts(b, "## Verdict of the run\n\n");
        if (!g) {
                strbuf_puts(b, "No gate: this command's exit code is about the cells below.\n\n");
                return;
        }
        strbuf_printf(b, "**%s**", g->status ? "FAILED" : !g->complete ? "INCOMPLETE" :
                                   g->harness_errors ? "HARNESS ERROR" : "PASSED");
        gate_summary(g, m->suite, line, sizeof(line));
        strbuf_puts(b, ": ");
        view_md_text(b, line);
        strbuf_printf(b, " (exit %d).\n\n", !g->complete ? 130 : g->harness_errors ? 3 :
                                             g->status);
        for (size_t i = 0; i < g->nchecks; i++)
                if (g->checks[i].status == GATE_FAILED && shown++ < VIEW_MD_MAX_CHECKS)
                        md_check(&g->checks[i], b);
        for (size_t i = 0; i < g->nchecks; i++) {
                const struct gate_check *c = &g->checks[i];
                if (c->status == GATE_FAILED)
                        continue;
                if (c->kind == GATE_CHECK_REGRESSION) {
                        passed++;
                        continue;
                }
                if (shown++ < VIEW_MD_MAX_CHECKS)
                        md_check(c, b);
        }
        if (passed)
                strbuf_printf(b, "- held: no regression in the other %zu (client, query) "
                                 "groups\n", passed);
        if (shown > VIEW_MD_MAX_CHECKS)
                strbuf_printf(b, "- ... %zu more checks: see junit.xml\n",
                              shown - VIEW_MD_MAX_CHECKS);
        if (g->nchecks == 0)
                strbuf_puts(b, "No `expect` lines and no baseline: nothing gates this run.\n");
        strbuf_puts(b, "\n");
}

static void md_counts(const struct view_grid *g, struct strbuf *b)
{
        size_t counts[VERDICT_MAX];

        strbuf_puts(b, "## Verdicts\n\n| client | kind |");
        for (int v = 0; v < VERDICT_MAX; v++)
                strbuf_printf(b, " %s |", verdict_to_string((enum verdict)v));
        strbuf_puts(b, "\n|---|---|");
        for (int v = 0; v < VERDICT_MAX; v++)
                strbuf_puts(b, "---:|");
        strbuf_puts(b, "\n");
        for (size_t c = 0; c < g->nclients; c++) {
                const struct matrix_cell *first = g->client_cell[c];
                matrix_count(g->m, first->client, counts);
                strbuf_puts(b, "| ");
                view_md_text(b, first->client);
                strbuf_puts(b, " | ");
                view_md_text(b, first->kind);
                if (first->standing[0] && strcmp(first->standing, first->kind) != 0) {
                        strbuf_puts(b, ", ");           /* calibrated, model */
                        view_md_text(b, first->standing);
                }
                strbuf_puts(b, " |");
                for (int v = 0; v < VERDICT_MAX; v++)
                        strbuf_printf(b, " %zu |", counts[v]);
                strbuf_puts(b, "\n");
        }
        strbuf_puts(b, "\n");
}

/* True when no breaking point of client has a checked cell. */
static bool client_unchecked_everywhere(const struct breaking_point *bps, size_t n,
                                        const char *client)
{
        for (size_t i = 0; i < n; i++)
                if (bps[i].checked && strcmp(bps[i].client, client) == 0)
                        return false;
        return true;
}

/* True when bps[i] is the first breaking point of its client. */
static bool first_of_client(const struct breaking_point *bps, size_t i)
{
        for (size_t j = 0; j < i; j++)
                if (strcmp(bps[j].client, bps[i].client) == 0)
                        return false;
        return true;
}

/* "- CLIENT: QNAME QTYPE at OTHERS": where a breaking point is. */
static void md_bp_where(const struct breaking_point *bp, struct strbuf *b)
{
        strbuf_puts(b, "- ");
        view_md_text(b, bp->client);
        strbuf_puts(b, ": ");
        view_md_text(b, bp->qname);
        strbuf_puts(b, " ");
        view_md_text(b, bp->qtype);
        if (bp->others[0]) {
                strbuf_puts(b, " at ");
                view_md_text(b, bp->others);
        }
}

/* "- CLIENT: skipped: REASON (every cell)", or, when the client has checked
 * cells elsewhere, the breaking point's own "skipped: REASON" line. */
static void md_unchecked(const struct breaking_point *bps, size_t n, size_t i, struct strbuf *b)
{
        bool everywhere = client_unchecked_everywhere(bps, n, bps[i].client);

        if (everywhere) {
                strbuf_puts(b, "- ");
                view_md_text(b, bps[i].client);
        } else {
                md_bp_where(&bps[i], b);
        }
        strbuf_printf(b, ": %s: ", verdict_to_string(bps[i].unchecked_verdict));
        view_md_text(b, bps[i].unchecked_reason[0] ? bps[i].unchecked_reason : "no reason given");
        strbuf_puts(b, everywhere ? " (every cell)\n" : "\n");
}

static void md_breaking(const struct matrix *m, const struct answer_sizes *sizes,
                        struct strbuf *b, size_t start)
{
        struct breaking_point *bps;
        size_t n = breaking_compute(m, &bps);
        char line[512];

        strbuf_puts(b, "## Breaking points\n\n");
        if (n == 0)
                strbuf_puts(b, breaking_axis(m) < 0 ? "No numeric axis is swept.\n\n"
                                                    : "None.\n\n");
        for (size_t i = 0; i < n; i++) {
                if (strbuf_total(b) - start >= VIEW_MD_BUDGET / 2) {
                        strbuf_printf(b, "\n%zu more breaking points: details in matrix.html "
                                         "and breaking-points.txt (--outputs breaking).\n", n - i);
                        break;
                }
                if (bps[i].checked == 0) {
                        /* a client with no checked cell here: said once, for the whole run */
                        if (!client_unchecked_everywhere(bps, n, bps[i].client) ||
                            first_of_client(bps, i))
                                md_unchecked(bps, n, i, b);
                        continue;
                }
                breaking_describe(m, &bps[i], sizes, line, sizeof(line));
                md_bp_where(&bps[i], b);
                strbuf_puts(b, ": ");
                view_md_text(b, line);
                strbuf_puts(b, "\n");
        }
        if (n)
                strbuf_puts(b, "\n");
        free(bps);
}

/* True when some client's verdict at point p differs from point p - 1 (a
 * missing cell counts as a verdict of its own). */
static bool row_changes(const struct view_grid *g, size_t q, size_t p)
{
        for (size_t c = 0; c < g->nclients; c++) {
                const struct matrix_cell *x = view_grid_at(g, q, p - 1, c);
                const struct matrix_cell *y = view_grid_at(g, q, p, c);
                int vx = x ? (int)x->verdict : -2, vy = y ? (int)y->verdict : -2;
                if (vx != vy)
                        return true;
        }
        return false;
}

static bool row_kept(const struct view_grid *g, size_t q, size_t p)
{
        if (g->npoints <= VIEW_MD_FULL_ROWS || p == 0 || p + 1 == g->npoints)
                return true;
        return row_changes(g, q, p) || row_changes(g, q, p + 1);
}

static void md_grid_row(const struct view_grid *g, const struct answer_sizes *sizes, size_t q,
                        size_t p, struct strbuf *b)
{
        char label[VIEW_LABEL_MAX];
        long bytes = answer_sizes_get(sizes, g->points[p], g->queries[q].qname,
                                      g->queries[q].qtype);

        view_point_label(g->m, g->point_cell[p], label, sizeof(label));
        strbuf_puts(b, "| ");
        view_md_text(b, label);
        strbuf_puts(b, " |");
        if (sizes)
                view_size_cell(bytes, label, sizeof(label));
        if (sizes)
                strbuf_printf(b, " %s |", label);
        for (size_t c = 0; c < g->nclients; c++) {
                const struct matrix_cell *cell = view_grid_at(g, q, p, c);
                strbuf_printf(b, " %s |", cell ? view_verdict_token(cell->verdict) : "");
        }
        strbuf_puts(b, "\n");
}

static void md_elided_row(const struct view_grid *g, bool sizes, size_t n, struct strbuf *b)
{
        strbuf_printf(b, "| ... %zu rows ... |%s", n, sizes ? " |" : "");
        for (size_t c = 0; c < g->nclients; c++)
                strbuf_puts(b, " |");
        strbuf_puts(b, "\n");
}

static void md_grid(const struct view_grid *g, const struct answer_sizes *sizes, size_t q,
                    struct strbuf *b, size_t start)
{
        size_t elided = 0, run = 0, p;

        strbuf_puts(b, "### ");
        view_md_text(b, g->queries[q].qname);
        strbuf_puts(b, " ");
        view_md_text(b, g->queries[q].qtype);
        strbuf_printf(b, "\n\n| point |%s", sizes ? " answer |" : "");
        for (size_t c = 0; c < g->nclients; c++) {
                strbuf_puts(b, " ");
                view_md_text(b, g->client_cell[c]->client);
                strbuf_puts(b, " |");
        }
        strbuf_printf(b, "\n|---|%s", sizes ? "---:|" : "");
        for (size_t c = 0; c < g->nclients; c++)
                strbuf_puts(b, ":-:|");
        strbuf_puts(b, "\n");
        for (p = 0; p < g->npoints && strbuf_total(b) - start < VIEW_MD_HARD_CAP; p++) {
                if (!row_kept(g, q, p)) {
                        run++;
                        elided++;
                        continue;
                }
                if (run)
                        md_elided_row(g, sizes != NULL, run, b);
                run = 0;
                md_grid_row(g, sizes, q, p, b);
        }
        strbuf_puts(b, "\n");
        if (p < g->npoints)
                strbuf_printf(b, "%zu more rows left out to keep this summary under 1 MiB: "
                                 "details in matrix.html.\n\n", g->npoints - p);
        if (elided)
                strbuf_printf(b, "%zu of %zu rows elided: shown are the first and last rows "
                                 "and the rows around each verdict change.\n\n",
                              elided, g->npoints);
}

void view_md_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        const struct gate_result *gate = x ? x->gate : NULL;
        const struct answer_sizes *sizes = x && x->sizes && x->sizes->npoints ? x->sizes : NULL;
        struct view_grid g;
        size_t start = strbuf_total(b), q;

        md_title(m, b);
        md_verdict(m, gate, b);
        if (view_grid_build(m, &g) < 0) {
                b->failed = true;
                return;
        }
        md_breaking(m, sizes, b, start);
        strbuf_puts(b, "Plot of answer size against the swept axis: [plot.svg](plot.svg); the "
                       "heatmap: [matrix.html](matrix.html).\n\n");
        md_counts(&g, b);
        strbuf_puts(b, "## Grids\n\n");
        if (g.nqueries == 0)
                strbuf_puts(b, "No cells.\n");
        else
                strbuf_puts(b, "Tokens: ok, part = partial, WRONG = wrong address, nodata, "
                               "nx = nxdomain, err = error, t/o = timeout, skip = skipped, "
                               "H! = harness error; empty = not run.\n\n");
        for (q = 0; q < g.nqueries && strbuf_total(b) - start < VIEW_MD_BUDGET; q++)
                md_grid(&g, sizes, q, b, start);
        if (q < g.nqueries)
                strbuf_printf(b, "%zu of %zu grids left out to keep this summary under 1 MiB: "
                                 "details in matrix.html.\n", g.nqueries - q, g.nqueries);
        view_grid_free(&g);
}
