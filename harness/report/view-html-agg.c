/* matrix.html for large suites: per query, one row per value of the size
 * axis (the other axes folded), one cell per client with the counts of its
 * cells there. A cell shows how many of its cells fail; its colour is ok
 * when none does, else the commonest failing verdict (striped with green
 * when some are ok). Its title lists the counts and how many cells disagree
 * with the client's twin. */
#include "harness/report/view-html-internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/breaking.h"

struct agg_row {
        char value[MATRIX_VALUE_MAX + 1];   /* the size axis value; "" without one */
        long min_bytes, max_bytes;          /* -1: unknown */
};

struct agg {
        const struct view_grid *g;
        int axis;                           /* the size axis, or -1 */
        struct agg_row *rows;               /* [query][row] */
        size_t nrows;                       /* per query, the same values */
        size_t *point_row;                  /* [point slot]: its row */
        uint32_t *counts;                   /* [((q * nrows + r) * nclients + c) * VERDICT_MAX + v] */
        uint32_t *dis;                      /* [(q * nrows + r) * nclients + c] */
};

static int by_number(const void *a, const void *b)
{
        long x = strtol(((const struct agg_row *)a)->value, NULL, 10);
        long y = strtol(((const struct agg_row *)b)->value, NULL, 10);
        return x < y ? -1 : x > y;
}

/* The rows: the distinct values of the size axis over the points, ascending. */
static int agg_rows(struct agg *a)
{
        const struct view_grid *g = a->g;

        a->rows = calloc(g->npoints ? g->npoints : 1, sizeof(*a->rows));
        a->point_row = calloc(g->npoints ? g->npoints : 1, sizeof(*a->point_row));
        if (!a->rows || !a->point_row)
                return -1;
        for (size_t p = 0; p < g->npoints; p++) {
                const char *v = a->axis >= 0 ? g->point_cell[p]->values[a->axis] : "";
                size_t r = 0;
                while (r < a->nrows && strcmp(a->rows[r].value, v) != 0)
                        r++;
                if (r == a->nrows)
                        snprintf(a->rows[a->nrows++].value, sizeof(a->rows[0].value), "%s", v);
        }
        qsort(a->rows, a->nrows, sizeof(*a->rows), by_number);
        for (size_t p = 0; p < g->npoints; p++) {
                const char *v = a->axis >= 0 ? g->point_cell[p]->values[a->axis] : "";
                for (size_t r = 0; r < a->nrows; r++)
                        if (strcmp(a->rows[r].value, v) == 0)
                                a->point_row[p] = r;
        }
        return 0;
}

static int agg_count(struct agg *a, const struct answer_sizes *sizes, const int *twin)
{
        const struct view_grid *g = a->g;
        size_t cells = g->nqueries * a->nrows * g->nclients;
        struct agg_row *qrows = calloc(g->nqueries * a->nrows + 1, sizeof(*qrows));

        a->counts = calloc(cells * VERDICT_MAX + 1, sizeof(*a->counts));
        a->dis = calloc(cells + 1, sizeof(*a->dis));
        if (!qrows || !a->counts || !a->dis) {
                free(qrows);
                return -1;
        }
        for (size_t i = 0; i < g->nqueries * a->nrows; i++) {
                qrows[i] = a->rows[i % a->nrows];
                qrows[i].min_bytes = qrows[i].max_bytes = -1;
        }
        for (size_t q = 0; q < g->nqueries; q++)
                for (size_t p = 0; p < g->npoints; p++) {
                        size_t r = a->point_row[p];
                        struct agg_row *row = &qrows[q * a->nrows + r];
                        long bytes = answer_sizes_get(sizes, g->points[p], g->queries[q].qname,
                                                      g->queries[q].qtype);
                        if (bytes >= 0 && (row->min_bytes < 0 || bytes < row->min_bytes))
                                row->min_bytes = bytes;
                        if (bytes > row->max_bytes)
                                row->max_bytes = bytes;
                        for (size_t c = 0; c < g->nclients; c++) {
                                const struct matrix_cell *cell = view_grid_at(g, q, p, c);
                                size_t k = (q * a->nrows + r) * g->nclients + c;
                                if (!cell || cell->verdict < 0 || cell->verdict >= VERDICT_MAX)
                                        continue;
                                a->counts[k * VERDICT_MAX + cell->verdict]++;
                                const struct matrix_cell *t = twin[c] >= 0 ?
                                        view_grid_at(g, q, p, (size_t)twin[c]) : NULL;
                                if (t && !verdict_is_unchecked(t->verdict) &&
                                    !verdict_is_unchecked(cell->verdict) &&
                                    t->verdict != cell->verdict)
                                        a->dis[k]++;
                        }
                }
        free(a->rows);
        a->rows = qrows;
        return 0;
}

static void agg_cell(const struct agg *a, size_t q, size_t r, size_t c, struct strbuf *b)
{
        const struct view_grid *g = a->g;
        size_t k = (q * a->nrows + r) * g->nclients + c;
        const uint32_t *n = &a->counts[k * VERDICT_MAX];
        uint32_t total = 0, fail = 0, top = 0;
        int worst = -1;
        char label[MATRIX_VALUE_MAX + 64];

        for (int v = 0; v < VERDICT_MAX; v++) {
                total += n[v];
                if (v == VERDICT_OK || verdict_is_unchecked((enum verdict)v))
                        continue;
                fail += n[v];
                if (n[v] > top) {
                        top = n[v];
                        worst = v;
                }
        }
        if (total == 0) {
                strbuf_puts(b, "<td class=\"none\" title=\"not run\"></td>");
                return;
        }
        int shown = worst >= 0 ? worst : n[VERDICT_OK] ? VERDICT_OK :
                    n[VERDICT_SKIPPED] >= n[VERDICT_HARNESS_ERROR] ? VERDICT_SKIPPED :
                    VERDICT_HARNESS_ERROR;
        strbuf_printf(b, "<td class=\"cell agg v-%s%s", verdict_to_string((enum verdict)shown),
                      worst >= 0 && n[VERDICT_OK] ? " mixed" : "");
        for (int v = 0; v < VERDICT_MAX; v++)
                if (n[v])
                        strbuf_printf(b, " h-%s", verdict_to_string((enum verdict)v));
        strbuf_printf(b, "%s\" data-cells=\"%u\" data-fail=\"%u\"", a->dis[k] ? " dis" : "",
                      total, fail);
        strbuf_puts(b, " title=\"client: ");
        view_xml_escape(b, g->client_cell[c]->client, 1);
        strbuf_puts(b, "&#10;query: ");
        view_xml_escape(b, g->queries[q].qname, 1);
        strbuf_printf(b, " %s&#10;point: ", g->queries[q].qtype);
        snprintf(label, sizeof(label), "%s%s%s (other axes folded)",
                 a->axis >= 0 ? g->m->axes[a->axis] : "all points", a->axis >= 0 ? "=" : "",
                 a->rows[q * a->nrows + r].value);
        view_xml_escape(b, label, 1);
        strbuf_printf(b, "&#10;cells: %u, %u failing", total, fail);
        for (int v = 0; v < VERDICT_MAX; v++)
                if (n[v])
                        strbuf_printf(b, "&#10;%s: %u", verdict_to_string((enum verdict)v), n[v]);
        strbuf_printf(b, "&#10;disagree with twin: %u\">", a->dis[k]);
        if (fail)
                strbuf_printf(b, "%u", fail);
        else
                strbuf_puts(b, html_glyph((enum verdict)shown));
        strbuf_puts(b, "</td>");
}

static void agg_grid(const struct agg *a, size_t q, struct strbuf *b)
{
        const struct view_grid *g = a->g;
        char title[300], bytes[48];
        long prev = -1;

        snprintf(title, sizeof(title), "%s %s", g->queries[q].qname, g->queries[q].qtype);
        strbuf_printf(b, "<section class=\"query\" id=\"q%zu\">\n<h2>", q);
        html_text(b, title);
        strbuf_printf(b, " <span class=\"meta\">folded: one row per %s, %zu points each</span>"
                         "</h2>\n<div class=\"scroll\">\n<table class=\"grid agg\"",
                      a->axis >= 0 ? g->m->axes[a->axis] : "run", g->npoints / (a->nrows ? a->nrows : 1));
        html_attr(b, "data-query", title);
        strbuf_puts(b, ">\n");
        html_grid_head(g, b);
        strbuf_puts(b, "<tbody>\n");
        for (size_t r = 0; r < a->nrows; r++) {
                const struct agg_row *row = &a->rows[q * a->nrows + r];
                bool fail = false, dis = false;
                for (size_t c = 0; c < g->nclients; c++) {
                        size_t k = (q * a->nrows + r) * g->nclients + c;
                        for (int v = 0; v < VERDICT_MAX; v++)
                                fail |= v != VERDICT_OK && !verdict_is_unchecked((enum verdict)v) &&
                                        a->counts[k * VERDICT_MAX + v];
                        dis |= a->dis[k] != 0;
                }
                html_limit_rows(g, prev, row->min_bytes, b);
                prev = row->min_bytes;
                if (row->min_bytes < 0)
                        snprintf(bytes, sizeof(bytes), "?");
                else if (row->min_bytes == row->max_bytes)
                        snprintf(bytes, sizeof(bytes), "%ld", row->min_bytes);
                else
                        snprintf(bytes, sizeof(bytes), "%ld..%ld", row->min_bytes, row->max_bytes);
                strbuf_printf(b, "<tr%s%s data-bytes=\"%ld\"><th class=\"point\">",
                              fail ? " data-fail=\"1\"" : "", dis ? " data-dis=\"1\"" : "",
                              row->min_bytes);
                if (a->axis >= 0) {
                        html_text(b, g->m->axes[a->axis]);
                        strbuf_puts(b, "=");
                }
                html_text(b, a->axis >= 0 ? row->value : "all");
                strbuf_printf(b, "</th><td class=\"bytes\">%s</td>", bytes);
                for (size_t c = 0; c < g->nclients; c++)
                        agg_cell(a, q, r, c, b);
                strbuf_puts(b, "</tr>\n");
        }
        strbuf_puts(b, "</tbody>\n</table>\n</div>\n</section>\n");
}

void html_agg_grids(const struct view_grid *g, const struct answer_sizes *sizes,
                    const int *twin, struct strbuf *b)
{
        struct agg a = { .g = g, .axis = breaking_axis(g->m) };

        if (agg_rows(&a) < 0 || agg_count(&a, sizes, twin) < 0) {
                b->failed = true;
        } else {
                for (size_t q = 0; q < g->nqueries; q++)
                        agg_grid(&a, q, b);
        }
        free(a.rows);
        free(a.point_row);
        free(a.counts);
        free(a.dis);
}
