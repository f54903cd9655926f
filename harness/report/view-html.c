/* matrix.html: one self-contained page (inline CSS, JS and SVG, no network)
 * that shows the cliff at a glance.
 *
 * Page order: a title line with the gate's verdict; a toolbar with the
 * filters (client, verdict, disagreements only, failures only) and the
 * legend; then the grids, first on screen: per query, rows = scenario points
 * with the answer's size in bytes, columns = clients under their full names,
 * a red line across where the answer passes 512, 1232 and 1472 bytes; the
 * plot of size against the swept axis beside them; then breaking points and
 * verdict counts (collapsed when long) and the detail panel.
 *
 * Up to HTML_FULL_MAX_CELLS cells, each cell of the matrix is exactly one
 * <td class="cell v-VERDICT" data-verdict=VERDICT data-index=INDEX title=...>,
 * with class "dis" when it disagrees with its twin's cell ("real:X" and
 * "X"); a point a client was not run at is <td class="none">. Larger suites
 * get folded grids (view-html-agg.c). The title holds the exchange as
 * "key: value" lines, shown on hover; the script shows them in a panel on
 * click and applies the filters as style rules (view-html-assets.h). Every
 * string from the matrix goes through view_xml_escape; elements are all
 * closed, so the page is also well-formed XML apart from the doctype and the
 * raw-text style and script. */
#include "harness/report/views.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/client.h"
#include "harness/report/breaking.h"
#include "harness/report/gate.h"
#include "harness/report/view-html-assets.h"
#include "harness/report/view-html-internal.h"

/* A glyph in each cell, so verdicts read without colour. */
static const char *const glyph_table[VERDICT_MAX] = {
        [VERDICT_OK] = "",
        [VERDICT_PARTIAL] = "p",
        [VERDICT_WRONG] = "W",
        [VERDICT_NODATA] = "n",
        [VERDICT_NXDOMAIN] = "x",
        [VERDICT_ERROR] = "E",
        [VERDICT_TIMEOUT] = "T",
        [VERDICT_SKIPPED] = "s",
        [VERDICT_HARNESS_ERROR] = "H",
};

const char *html_glyph(enum verdict v)
{
        return (v >= 0 && v < VERDICT_MAX) ? glyph_table[v] : "?";
}

void html_text(struct strbuf *b, const char *s)
{
        view_xml_escape(b, s, 0);
}

void html_attr(struct strbuf *b, const char *name, const char *value)
{
        strbuf_printf(b, " %s=\"", name);
        view_xml_escape(b, value, 1);
        strbuf_puts(b, "\"");
}

static void html_head(const struct matrix *m, struct strbuf *b)
{
        strbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                       "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"/>\n<title>stubcompat: ");
        html_text(b, m->suite);
        strbuf_puts(b, "</title>\n<style>\n");
        strbuf_puts(b, view_html_css);
        strbuf_puts(b, "</style>\n</head>\n");
}

static void html_facts(const struct view_grid *g, const struct gate_result *gate,
                       struct strbuf *b)
{
        const struct matrix *m = g->m;
        char line[1024];

        strbuf_puts(b, "<header>\n<h1>stubcompat: ");
        html_text(b, m->suite);
        strbuf_puts(b, "</h1>\n<p class=\"meta\">scenario <code>");
        html_text(b, m->scenario);
        strbuf_puts(b, "</code>; axes: ");
        for (size_t a = 0; a < m->naxes; a++) {
                strbuf_puts(b, a ? ", " : "");
                html_text(b, m->axes[a]);
        }
        strbuf_puts(b, m->naxes ? "" : "none");
        strbuf_printf(b, "; %zu clients, %zu queries, %zu points, %zu cells</p>\n", g->nclients,
                      g->nqueries, g->npoints, m->ncells);
        if (!m->complete)
                strbuf_printf(b, "<p class=\"warn\">Incomplete run: %zu of %zu cells.</p>\n",
                              m->ncells, m->total);
        if (gate) {
                gate_summary(gate, m->suite, line, sizeof(line));
                strbuf_printf(b, "<p class=\"verdict %s\"><b>%s</b>: ", gate->status ? "failed" : "passed",
                              gate->status ? "FAILED" : "PASSED");
                html_text(b, line);
                strbuf_puts(b, " (details in matrix.md and junit.xml)</p>\n");
        }
        strbuf_puts(b, "</header>\n");
}

/* The filters and the legend, on one line above the grids. */
static void html_toolbar(const struct view_grid *g, struct strbuf *b)
{
        strbuf_puts(b, "<form id=\"filters\" class=\"toolbar\">\n<label>client <select id=\"f-client\">"
                       "<option value=\"\">all</option>");
        for (size_t c = 0; c < g->nclients; c++) {
                strbuf_printf(b, "<option value=\"%zu\">", c + 3);
                html_text(b, g->client_cell[c]->client);
                strbuf_puts(b, "</option>");
        }
        strbuf_puts(b, "</select></label>\n<label>verdict <select id=\"f-verdict\">"
                       "<option value=\"\">all</option>");
        for (int v = 0; v < VERDICT_MAX; v++)
                strbuf_printf(b, "<option>%s</option>", verdict_to_string((enum verdict)v));
        strbuf_puts(b, "</select></label>\n<label><input type=\"checkbox\" id=\"f-dis\"/> "
                       "disagreements only</label>\n<label><input type=\"checkbox\" id=\"f-fail\"/> "
                       "failures only</label>\n</form>\n");
        strbuf_puts(b, "<ul class=\"legend\">\n");
        for (int v = 0; v < VERDICT_MAX; v++) {
                const char *name = verdict_to_string((enum verdict)v);
                strbuf_printf(b, "<li><span class=\"swatch v-%s\">%s</span>%s</li>\n", name,
                              html_glyph((enum verdict)v), name);
        }
        strbuf_puts(b, "<li><span class=\"swatch none\"></span>not run</li>\n"
                       "<li><span class=\"swatch dis\"></span>disagrees with its twin</li>\n"
                       "<li><span class=\"swatch limit\"></span>512 / 1232 / 1472 bytes</li>\n"
                       "</ul>\n");
}

/* Opens a collapsible section, open when it has at most HTML_OPEN_MAX rows so
 * a big suite's grids are not pushed pages down. Close with "</details>". */
#define HTML_OPEN_MAX 40
static void html_section(struct strbuf *b, const char *id, const char *title, size_t rows)
{
        strbuf_printf(b, "<details id=\"%s\"%s>\n<summary>%s (%zu)</summary>\n", id,
                      rows <= HTML_OPEN_MAX ? " open=\"open\"" : "", title, rows);
}

/* At most this many breaking points are listed; all are in breaking-points.txt. */
#define HTML_BREAKING_MAX 400

static void html_breaking(const struct matrix *m, const struct answer_sizes *sizes,
                          struct strbuf *b)
{
        struct breaking_point *bps;
        size_t n = breaking_compute(m, &bps);
        char line[512];

        html_section(b, "breaking", "Breaking points", n);
        if (n == 0)
                strbuf_puts(b, breaking_axis(m) < 0 ? "<p>No numeric axis is swept.</p>\n"
                                                    : "<p>None.</p>\n");
        else
                strbuf_puts(b, "<ul class=\"breaking\">\n");
        for (size_t i = 0; i < n; i++) {
                if (i == HTML_BREAKING_MAX) {
                        strbuf_printf(b, "<li>... %zu more in breaking-points.txt</li>\n", n - i);
                        break;
                }
                breaking_describe(m, &bps[i], sizes, line, sizeof(line));
                strbuf_puts(b, "<li>");
                html_text(b, bps[i].client);
                strbuf_puts(b, ": ");
                html_text(b, bps[i].qname);
                strbuf_puts(b, " ");
                html_text(b, bps[i].qtype);
                if (bps[i].others[0]) {
                        strbuf_puts(b, " at ");
                        html_text(b, bps[i].others);
                }
                strbuf_puts(b, ": ");
                html_text(b, line);
                strbuf_puts(b, "</li>\n");
        }
        if (n)
                strbuf_puts(b, "</ul>\n");
        strbuf_puts(b, "</details>\n");
        free(bps);
}

static void html_counts(const struct view_grid *g, struct strbuf *b)
{
        size_t counts[VERDICT_MAX];

        html_section(b, "counts", "Verdicts per client", g->nclients);
        strbuf_puts(b, "<table class=\"counts\">\n<thead><tr><th>client</th><th>kind</th>");
        for (int v = 0; v < VERDICT_MAX; v++) {
                const char *name = verdict_to_string((enum verdict)v);
                strbuf_printf(b, "<th><span class=\"swatch v-%s\">%s</span> %s</th>", name,
                              html_glyph((enum verdict)v), name);
        }
        strbuf_puts(b, "</tr></thead>\n<tbody>\n");
        for (size_t c = 0; c < g->nclients; c++) {
                const struct matrix_cell *first = g->client_cell[c];
                matrix_count(g->m, first->client, counts);
                strbuf_puts(b, "<tr><td>");
                html_text(b, first->client);
                strbuf_puts(b, "</td><td>");
                html_text(b, first->kind);
                strbuf_puts(b, "</td>");
                for (int v = 0; v < VERDICT_MAX; v++)
                        strbuf_printf(b, "<td%s>%zu</td>", counts[v] ? "" : " class=\"zero\"",
                                      counts[v]);
                strbuf_puts(b, "</tr>\n");
        }
        strbuf_puts(b, "</tbody>\n</table>\n</details>\n");
}

/* One "key: value" line of a cell title (escaped, newline as &#10;). */
static void title_line(struct strbuf *b, const char *key, const char *value, int last)
{
        strbuf_printf(b, "%s: ", key);
        view_xml_escape(b, value, 1);
        if (!last)
                strbuf_puts(b, "&#10;");
}

static void title_number(struct strbuf *b, const char *key, long v)
{
        char text[24] = "-";
        if (v >= 0)
                snprintf(text, sizeof(text), "%ld", v);
        title_line(b, key, text, 0);
}

/* The title of a cell: the exchange, one field a line, detail last. */
static void html_cell_title(const struct matrix *m, const struct matrix_cell *c,
                            struct strbuf *b)
{
        char text[VIEW_LABEL_MAX + 300];

        strbuf_puts(b, " title=\"");
        snprintf(text, sizeof(text), "%s (%s)", c->client, c->kind);
        title_line(b, "client", text, 0);
        snprintf(text, sizeof(text), "%s %s", c->qname, c->qtype);
        title_line(b, "query", text, 0);
        view_point_label(m, c, text, sizeof(text));
        title_line(b, "point", text, 0);
        title_line(b, "verdict", verdict_to_string(c->verdict), 0);
        title_line(b, "reason", c->reason[0] ? c->reason : "-", 0);
        snprintf(text, sizeof(text), "%zu of %zu expected", c->addresses, c->expected);
        title_line(b, "addresses", text, 0);
        title_line(b, "path", c->path[0] ? c->path : "none", 0);
        title_number(b, "udp bytes", c->udp_bytes);
        title_number(b, "tcp bytes", c->tcp_bytes);
        snprintf(text, sizeof(text), "udp %u, tcp %u", c->udp_queries, c->tcp_queries);
        title_line(b, "queries", text, 0);
        title_number(b, "tc replies", c->tc_replies);
        title_number(b, "edns", c->edns);
        if (c->resolver[0]) {
                view_stub_hop(c, text, sizeof(text));
                title_line(b, "to the stub", text, 0);
        }
        title_line(b, "detail", c->detail[0] ? c->detail : "-", 1);
        strbuf_puts(b, "\"");
}

/* True when a and b are twins: in the registry, or by name ("real:X", "X"). */
static bool are_twins(const struct client_set *clients, const char *a, const char *b)
{
        if (clients) {
                const struct client *ca = client_set_find(clients, a);
                const struct client *cb = client_set_find(clients, b);
                if (ca || cb)
                        return (ca && strcmp(ca->twin, b) == 0) || (cb && strcmp(cb->twin, a) == 0);
        }
        return (strncmp(a, "real:", 5) == 0 && strcmp(a + 5, b) == 0) ||
               (strncmp(b, "real:", 5) == 0 && strcmp(b + 5, a) == 0);
}

int *html_twins(const struct view_grid *g, const struct client_set *clients)
{
        int *twin = malloc((g->nclients ? g->nclients : 1) * sizeof(*twin));

        for (size_t c = 0; twin && c < g->nclients; c++) {
                twin[c] = -1;
                for (size_t o = 0; o < g->nclients; o++)
                        if (o != c && are_twins(clients, g->client_cell[c]->client,
                                                g->client_cell[o]->client))
                                twin[c] = (int)o;
        }
        return twin;
}

void html_limit_rows(const struct view_grid *g, long prev, long cur, struct strbuf *b)
{
        for (int i = 0; i < HTML_NLIMITS; i++)
                if (prev >= 0 && cur >= 0 && prev <= html_limits[i] && cur > html_limits[i])
                        strbuf_printf(b, "<tr class=\"limit\" data-limit=\"%ld\"><td colspan="
                                         "\"%zu\">%ld bytes</td></tr>\n", html_limits[i],
                                      g->nclients + 2, html_limits[i]);
}

void html_grid_head(const struct view_grid *g, struct strbuf *b)
{
        size_t longest = 4;

        for (size_t k = 0; k < g->nclients; k++)
                if (strlen(g->client_cell[k]->client) > longest)
                        longest = strlen(g->client_cell[k]->client);
        /* full names, vertical: the header is as tall as the longest needs */
        strbuf_printf(b, "<thead><tr style=\"height:%zupx\"><th class=\"corner\">point</th>"
                         "<th class=\"bytes\">bytes</th>", 12 + longest * 7);
        for (size_t k = 0; k < g->nclients; k++) {
                const struct matrix_cell *first = g->client_cell[k];
                char full[96];
                snprintf(full, sizeof(full), "%s (%s)", first->client, first->kind);
                strbuf_puts(b, "<th class=\"client\" scope=\"col\"");
                html_attr(b, "title", full);
                strbuf_puts(b, "><span>");
                html_text(b, first->client);
                strbuf_puts(b, "</span></th>");
        }
        strbuf_puts(b, "</tr></thead>\n");
}

static void html_grid_row(const struct view_grid *g, const int *twin, long bytes, size_t q,
                          size_t p, struct strbuf *b)
{
        char label[VIEW_LABEL_MAX], size[48] = "?";
        bool fail = false, dis = false;

        for (size_t k = 0; k < g->nclients; k++) {
                const struct matrix_cell *c = view_grid_at(g, q, p, k);
                const struct matrix_cell *t = twin[k] >= 0 ? view_grid_at(g, q, p, (size_t)twin[k]) : NULL;
                fail |= c && c->verdict != VERDICT_OK && !verdict_is_unchecked(c->verdict);
                dis |= c && t && c->verdict != t->verdict && !verdict_is_unchecked(c->verdict) &&
                       !verdict_is_unchecked(t->verdict);
        }
        if (bytes >= 0)
                snprintf(size, sizeof(size), "%ld", bytes);
        view_point_label(g->m, g->point_cell[p], label, sizeof(label));
        strbuf_printf(b, "<tr%s%s data-bytes=\"%ld\"><th class=\"point\"",
                      fail ? " data-fail=\"1\"" : "", dis ? " data-dis=\"1\"" : "", bytes);
        html_attr(b, "title", label);
        strbuf_puts(b, ">");
        html_text(b, label);
        strbuf_printf(b, "</th><td class=\"bytes\">%s</td>", size);
        for (size_t k = 0; k < g->nclients; k++) {
                const struct matrix_cell *c = view_grid_at(g, q, p, k);
                const struct matrix_cell *t = twin[k] >= 0 ? view_grid_at(g, q, p, (size_t)twin[k]) : NULL;
                if (!c) {
                        strbuf_puts(b, "<td class=\"none\" title=\"not run\"></td>");
                        continue;
                }
                const char *name = verdict_to_string(c->verdict);
                bool differs = t && c->verdict != t->verdict && !verdict_is_unchecked(c->verdict) &&
                               !verdict_is_unchecked(t->verdict);
                strbuf_printf(b, "<td class=\"cell v-%s%s\" data-verdict=\"%s\" data-index=\"%zu\"",
                              name, differs ? " dis" : "", name, c->index);
                html_cell_title(g->m, c, b);
                strbuf_printf(b, ">%s</td>", html_glyph(c->verdict));
        }
        strbuf_puts(b, "</tr>\n");
}

static void html_grid(const struct view_grid *g, const struct answer_sizes *sizes,
                      const int *twin, size_t q, struct strbuf *b)
{
        char title[300];
        long prev = -1;

        snprintf(title, sizeof(title), "%s %s", g->queries[q].qname, g->queries[q].qtype);
        strbuf_printf(b, "<section class=\"query\" id=\"q%zu\">\n<h2>", q);
        html_text(b, title);
        strbuf_puts(b, "</h2>\n<div class=\"scroll\">\n<table class=\"grid\"");
        html_attr(b, "data-query", title);
        strbuf_puts(b, ">\n");
        html_grid_head(g, b);
        strbuf_puts(b, "<tbody>\n");
        for (size_t p = 0; p < g->npoints; p++) {
                long bytes = answer_sizes_get(sizes, g->points[p], g->queries[q].qname,
                                              g->queries[q].qtype);
                html_limit_rows(g, prev, bytes, b);
                prev = bytes;
                html_grid_row(g, twin, bytes, q, p, b);
        }
        strbuf_puts(b, "</tbody>\n</table>\n</div>\n</section>\n");
}

static void html_panel(struct strbuf *b)
{
        strbuf_puts(b, "<aside id=\"panel\" hidden=\"hidden\">\n"
                       "<button type=\"button\" id=\"panel-close\">close</button>\n"
                       "<h2>Cell</h2>\n<dl id=\"panel-fields\"></dl>\n</aside>\n");
}

void view_html_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        const struct answer_sizes *sizes = x ? x->sizes : NULL;
        struct view_grid g;
        int *twin;

        if (view_grid_build(m, &g) < 0 || !(twin = html_twins(&g, x ? x->clients : NULL))) {
                view_grid_free(&g);
                b->failed = true;
                return;
        }
        html_head(m, b);
        strbuf_printf(b, "<body data-mode=\"%s\">\n", m->ncells > HTML_FULL_MAX_CELLS ?
                      "folded" : "cells");
        html_facts(&g, x ? x->gate : NULL, b);
        html_toolbar(&g, b);
        strbuf_puts(b, "<div class=\"grids\">\n");
        if (m->ncells > HTML_FULL_MAX_CELLS) {
                strbuf_printf(b, "<p class=\"meta wide\">%zu cells: the grids fold every axis but "
                                 "the size axis; each cell counts its cells and shows how many fail. "
                                 "Every cell is in matrix.json.</p>\n", m->ncells);
                html_agg_grids(&g, sizes, twin, b);
        } else {
                for (size_t q = 0; q < g.nqueries; q++)
                        html_grid(&g, sizes, twin, q, b);
        }
        strbuf_puts(b, "<section class=\"plot\">\n<h2>Answer size</h2>\n");
        html_plot(m, x, b);
        strbuf_puts(b, "<p class=\"meta\">Also <a href=\"plot.svg\">plot.svg</a>.</p>\n"
                       "</section>\n</div>\n");
        html_breaking(m, sizes, b);
        html_counts(&g, b);
        html_panel(b);
        strbuf_puts(b, "<script>\n");
        strbuf_puts(b, view_html_js);
        strbuf_puts(b, view_html_filters_js);
        strbuf_puts(b, "</script>\n</body>\n</html>\n");
        free(twin);
        view_grid_free(&g);
}
