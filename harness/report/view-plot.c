/* plot.svg: the answer's wire size (bytes, y) against the swept size axis
 * (x), one line per query, with the 512, 1232 and 1472-byte limits drawn
 * across and each client's breaking point marked on its query's line. With
 * several axes the line follows the size axis at the first value of every
 * other axis, and only breaking points at those values are marked. Written
 * beside the matrix and embedded in matrix.html; no external reference. */
#include "harness/report/view-html-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/breaking.h"

#define PLOT_W 760
#define PLOT_H 420
#define PLOT_LEFT 64
#define PLOT_RIGHT 230
#define PLOT_TOP 24
#define PLOT_BOTTOM 44

const long html_limits[HTML_NLIMITS] = { 512, 1232, 1472 };

static const char *const query_colour[] = { "#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                            "#56B4E9", "#D55E00" };

struct plot {
        const struct view_grid *g;
        const struct answer_sizes *sizes;
        int axis;
        long xmin, xmax, ymax;
        char others[256];               /* the other axes' values the line follows */
};

static bool on_line(const struct plot *pl, size_t p)
{
        char o[256];
        breaking_others(pl->g->m, pl->g->point_cell[p], pl->axis, o, sizeof(o));
        return strcmp(o, pl->others) == 0;
}

static double px(const struct plot *pl, long x)
{
        double span = pl->xmax > pl->xmin ? (double)(pl->xmax - pl->xmin) : 1.0;
        return PLOT_LEFT + (double)(x - pl->xmin) / span * (PLOT_W - PLOT_LEFT - PLOT_RIGHT);
}

static double py(const struct plot *pl, long y)
{
        return PLOT_H - PLOT_BOTTOM - (double)y / (double)pl->ymax * (PLOT_H - PLOT_TOP - PLOT_BOTTOM);
}

static void plot_frame(const struct plot *pl, struct strbuf *b)
{
        const char *key = pl->g->m->axes[pl->axis];

        strbuf_printf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n"
                         "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n",
                      PLOT_LEFT, PLOT_H - PLOT_BOTTOM, PLOT_W - PLOT_RIGHT, PLOT_H - PLOT_BOTTOM,
                      PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_H - PLOT_BOTTOM);
        for (int i = 0; i <= 4; i++) {
                long x = pl->xmin + (pl->xmax - pl->xmin) * i / 4;
                strbuf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ld</text>\n",
                              px(pl, x), PLOT_H - PLOT_BOTTOM + 16, x);
        }
        strbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (PLOT_W - PLOT_RIGHT + PLOT_LEFT) / 2,
                      PLOT_H - 8);
        view_xml_escape(b, key, 0);
        strbuf_puts(b, "</text>\n");
        strbuf_printf(b, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" "
                         "text-anchor=\"middle\">answer bytes (no EDNS)</text>\n",
                      (PLOT_H) / 2, PLOT_H / 2);
        for (int i = 0; i < HTML_NLIMITS; i++) {
                double y = py(pl, html_limits[i]);
                strbuf_printf(b, "<line class=\"limit\" data-limit=\"%ld\" x1=\"%d\" y1=\"%.1f\" "
                                 "x2=\"%d\" y2=\"%.1f\" stroke=\"#d00000\" stroke-dasharray=\"6 3\"/>\n"
                                 "<text x=\"%d\" y=\"%.1f\" fill=\"#d00000\">%ld bytes</text>\n",
                              html_limits[i], PLOT_LEFT, y, PLOT_W - PLOT_RIGHT, y,
                              PLOT_W - PLOT_RIGHT + 4, y + 4, html_limits[i]);
        }
}

static void plot_query(const struct plot *pl, size_t q, const struct breaking_point *bps,
                       size_t nbps, struct strbuf *b)
{
        const struct view_grid *g = pl->g;
        const char *colour = query_colour[q % (sizeof(query_colour) / sizeof(query_colour[0]))];
        bool first = true;

        strbuf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
        for (size_t p = 0; p < g->npoints; p++) {
                long bytes = answer_sizes_get(pl->sizes, g->points[p], g->queries[q].qname,
                                              g->queries[q].qtype);
                if (bytes < 0 || !on_line(pl, p))
                        continue;
                strbuf_printf(b, "%s%.1f,%.1f", first ? "" : " ",
                              px(pl, atol(g->point_cell[p]->values[pl->axis])), py(pl, bytes));
                first = false;
        }
        strbuf_puts(b, "\"/>\n");
        strbuf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", PLOT_LEFT + 8,
                      PLOT_TOP + 14 + 16 * (int)q, colour);
        view_xml_escape(b, g->queries[q].qname, 0);
        strbuf_printf(b, " %s</text>\n", g->queries[q].qtype);
        /* breaking points: one marker per first failing value, clients listed */
        for (size_t i = 0; i < nbps; i++) {
                const struct breaking_point *bp = &bps[i];
                bool seen = false;
                if (!bp->breaks || strcmp(bp->qname, g->queries[q].qname) != 0 ||
                    strcmp(bp->qtype, g->queries[q].qtype) != 0 || strcmp(bp->others, pl->others) != 0)
                        continue;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = bps[j].breaks && bps[j].first_fail == bp->first_fail &&
                               strcmp(bps[j].qname, bp->qname) == 0 &&
                               strcmp(bps[j].qtype, bp->qtype) == 0 &&
                               strcmp(bps[j].others, bp->others) == 0;
                if (seen)
                        continue;
                long bytes = answer_sizes_get(pl->sizes, bp->fail_point, bp->qname, bp->qtype);
                if (bytes < 0)
                        continue;
                double x = px(pl, bp->first_fail), y = py(pl, bytes);
                size_t n = 0;
                strbuf_printf(b, "<circle class=\"break\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n"
                                 "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%ld (%ld B): ", x, y,
                              colour, x + 6, y - 6 - 11.0 * (double)(q % 3), bp->first_fail, bytes);
                for (size_t j = i; j < nbps; j++) {
                        const struct breaking_point *o = &bps[j];
                        if (!o->breaks || o->first_fail != bp->first_fail ||
                            strcmp(o->qname, bp->qname) != 0 || strcmp(o->qtype, bp->qtype) != 0 ||
                            strcmp(o->others, bp->others) != 0)
                                continue;
                        if (n < 3) {
                                strbuf_puts(b, n ? ", " : "");
                                view_xml_escape(b, o->client, 0);
                        }
                        n++;
                }
                if (n > 3)
                        strbuf_printf(b, " +%zu", n - 3);
                strbuf_puts(b, "</text>\n");
        }
}

/* The SVG, standalone (a file: with its namespace) or inline in HTML. */
static void plot_write(const struct matrix *m, const struct view_extras *x, bool standalone,
                       struct strbuf *b)
{
        struct view_grid g;
        struct plot pl = { .g = &g, .sizes = x ? x->sizes : NULL, .axis = breaking_axis(m) };
        struct breaking_point *bps = NULL;
        size_t nbps = 0;

        if (view_grid_build(m, &g) < 0) {
                b->failed = true;
                return;
        }
        strbuf_printf(b, "<svg%s id=\"plot\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                         "font-family=\"sans-serif\" font-size=\"12\">\n<title>Answer size "
                         "against ", standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "",
                      PLOT_W, PLOT_H, PLOT_W, PLOT_H);
        view_xml_escape(b, pl.axis >= 0 ? m->axes[pl.axis] : "the size axis", 0);
        strbuf_puts(b, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        pl.xmin = pl.xmax = -1;
        for (size_t p = 0; pl.axis >= 0 && p < g.npoints; p++) {
                long v = atol(g.point_cell[p]->values[pl.axis]);
                if (pl.xmin < 0 || v < pl.xmin)
                        pl.xmin = v;
                if (v > pl.xmax)
                        pl.xmax = v;
                for (size_t q = 0; q < g.nqueries; q++) {
                        long bytes = answer_sizes_get(pl.sizes, g.points[p], g.queries[q].qname,
                                                      g.queries[q].qtype);
                        if (bytes > pl.ymax)
                                pl.ymax = bytes;
                }
        }
        if (pl.axis < 0 || g.npoints == 0 || pl.ymax <= 0) {
                strbuf_printf(b, "<text x=\"20\" y=\"40\">%s</text>\n</svg>\n", pl.axis < 0 ?
                              "No numeric axis is swept: nothing to plot." :
                              "Answer sizes are unknown for this matrix: nothing to plot.");
                view_grid_free(&g);
                return;
        }
        pl.ymax = (pl.ymax > html_limits[HTML_NLIMITS - 1] ? pl.ymax :
                   html_limits[HTML_NLIMITS - 1]) * 108 / 100;
        breaking_others(m, g.point_cell[0], pl.axis, pl.others, sizeof(pl.others));
        plot_frame(&pl, b);
        for (int i = 0; i <= 4; i++) {
                long y = pl.ymax * i / 4;
                strbuf_printf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%ld</text>\n",
                              PLOT_LEFT - 4, py(&pl, y) + 4, y);
        }
        if (pl.others[0]) {
                strbuf_printf(b, "<text x=\"%d\" y=\"14\" font-size=\"11\">at ", PLOT_LEFT);
                view_xml_escape(b, pl.others, 0);
                strbuf_puts(b, "</text>\n");
        }
        nbps = breaking_compute(m, &bps);
        for (size_t q = 0; q < g.nqueries; q++)
                plot_query(&pl, q, bps, nbps, b);
        strbuf_puts(b, "</svg>\n");
        free(bps);
        view_grid_free(&g);
}

void view_plot_svg(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        strbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        plot_write(m, x, true, b);
}

void html_plot(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        plot_write(m, x, false, b);
}
