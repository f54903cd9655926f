/* matrix.html: one self-contained page (inline CSS and JS, no network) with a
 * heatmap per query: rows = scenario points, columns = clients.
 *
 * The grid is rendered here, not by script, so the page reads without JS and
 * a test can count cells in the bytes: each cell of the matrix is exactly one
 * <td class="cell v-VERDICT" data-verdict=VERDICT data-index=INDEX title=...>. A point a
 * client was not run at (an incomplete run) is <td class="none">. The title
 * holds the exchange as "key: value" lines, shown on hover; the script shows
 * the same lines in a panel on click (view-html-assets.h).
 *
 * Page order: title and run facts, legend, breaking points, verdict counts
 * per client (both collapsed when long), then one grid per query. Every string from the matrix goes
 * through view_xml_escape; elements are all closed, so the page is also
 * well-formed XML apart from the doctype and the raw-text style and script. */
#include "harness/report/views.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/breaking.h"
#include "harness/report/view-html-assets.h"

/* A glyph in each cell, so verdicts read without colour. */
static const char *const html_glyph[VERDICT_MAX] = {
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

static const char *glyph_of(enum verdict v)
{
        return (v >= 0 && v < VERDICT_MAX) ? html_glyph[v] : "?";
}

static void html_text(struct strbuf *b, const char *s)
{
        view_xml_escape(b, s, 0);
}

static void html_attr(struct strbuf *b, const char *name, const char *value)
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

static void html_facts(const struct view_grid *g, struct strbuf *b)
{
        const struct matrix *m = g->m;

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
        strbuf_puts(b, "</header>\n");
}

static void html_legend(struct strbuf *b)
{
        strbuf_puts(b, "<section id=\"legend\">\n<h2>Legend</h2>\n<ul class=\"legend\">\n");
        for (int v = 0; v < VERDICT_MAX; v++) {
                const char *name = verdict_to_string((enum verdict)v);
                strbuf_printf(b, "<li><span class=\"swatch v-%s\">%s</span>%s</li>\n", name,
                              glyph_of((enum verdict)v), name);
        }
        strbuf_puts(b, "<li><span class=\"swatch none\"></span>not run</li>\n</ul>\n"
                       "<p class=\"meta\">Hover a cell for the exchange; click it to pin the "
                       "details.</p>\n</section>\n");
}

/* Opens a collapsible section, open when it has at most HTML_OPEN_MAX rows so
 * a big suite's grids are not pushed pages down. Close with "</details>". */
#define HTML_OPEN_MAX 40
static void html_section(struct strbuf *b, const char *id, const char *title, size_t rows)
{
        strbuf_printf(b, "<details id=\"%s\"%s>\n<summary>%s (%zu)</summary>\n", id,
                      rows <= HTML_OPEN_MAX ? " open=\"open\"" : "", title, rows);
}

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
                              glyph_of((enum verdict)v), name);
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

static void html_grid_row(const struct view_grid *g, size_t q, size_t p, struct strbuf *b)
{
        char label[VIEW_LABEL_MAX];

        view_point_label(g->m, g->point_cell[p], label, sizeof(label));
        strbuf_puts(b, "<tr><th class=\"point\"");
        html_attr(b, "title", label);
        strbuf_puts(b, ">");
        html_text(b, label);
        strbuf_puts(b, "</th>");
        for (size_t k = 0; k < g->nclients; k++) {
                const struct matrix_cell *c = view_grid_at(g, q, p, k);
                if (!c) {
                        strbuf_puts(b, "<td class=\"none\" title=\"not run\"></td>");
                        continue;
                }
                const char *name = verdict_to_string(c->verdict);
                strbuf_printf(b, "<td class=\"cell v-%s\" data-verdict=\"%s\" data-index=\"%zu\"",
                              name, name, c->index);
                html_cell_title(g->m, c, b);
                strbuf_printf(b, ">%s</td>", glyph_of(c->verdict));
        }
        strbuf_puts(b, "</tr>\n");
}

/* A column header's text: names longer than HTML_NAME_MAX are cut in the
 * middle, where similar names differ least ("emulated-…edns0-udp"); the full
 * name is in the title. Non-ASCII names are left whole rather than cut
 * inside a character. */
#define HTML_NAME_MAX 20
static void html_short_name(struct strbuf *b, const char *name)
{
        size_t len = strlen(name);
        bool ascii = true;

        for (const char *p = name; *p; p++)
                ascii &= (unsigned char)*p < 0x80;
        if (len <= HTML_NAME_MAX || !ascii) {
                html_text(b, name);
                return;
        }
        char head[HTML_NAME_MAX], tail[HTML_NAME_MAX];
        size_t nhead = (HTML_NAME_MAX - 1) / 2, ntail = HTML_NAME_MAX - 1 - nhead;
        snprintf(head, sizeof(head), "%.*s", (int)nhead, name);
        snprintf(tail, sizeof(tail), "%s", name + len - ntail);
        html_text(b, head);
        strbuf_puts(b, "\xe2\x80\xa6");      /* U+2026 ellipsis */
        html_text(b, tail);
}

static void html_grid(const struct view_grid *g, size_t q, struct strbuf *b)
{
        char title[300];

        snprintf(title, sizeof(title), "%s %s", g->queries[q].qname, g->queries[q].qtype);
        strbuf_printf(b, "<section class=\"query\" id=\"q%zu\">\n<h2>", q);
        html_text(b, title);
        strbuf_puts(b, "</h2>\n<div class=\"scroll\">\n<table class=\"grid\"");
        html_attr(b, "data-query", title);
        strbuf_puts(b, ">\n<thead><tr><th class=\"corner\">point</th>");
        for (size_t k = 0; k < g->nclients; k++) {
                const struct matrix_cell *first = g->client_cell[k];
                char full[96];
                snprintf(full, sizeof(full), "%s (%s)", first->client, first->kind);
                strbuf_puts(b, "<th class=\"client\" scope=\"col\"");
                html_attr(b, "title", full);
                strbuf_puts(b, "><span>");
                html_short_name(b, first->client);
                strbuf_puts(b, "</span></th>");
        }
        strbuf_puts(b, "</tr></thead>\n<tbody>\n");
        for (size_t p = 0; p < g->npoints; p++)
                html_grid_row(g, q, p, b);
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
        struct view_grid g;

        if (view_grid_build(m, &g) < 0) {
                b->failed = true;
                return;
        }
        html_head(m, b);
        strbuf_puts(b, "<body>\n");
        html_facts(&g, b);
        html_legend(b);
        html_breaking(m, x ? x->sizes : NULL, b);
        html_counts(&g, b);
        strbuf_puts(b, "<div class=\"grids\">\n");
        for (size_t q = 0; q < g.nqueries; q++)
                html_grid(&g, q, b);
        strbuf_puts(b, "</div>\n");
        html_panel(b);
        strbuf_puts(b, "<script>\n");
        strbuf_puts(b, view_html_js);
        strbuf_puts(b, "</script>\n</body>\n</html>\n");
        view_grid_free(&g);
}
