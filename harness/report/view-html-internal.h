/* What the parts of matrix.html share: view-html.c (the page and the
 * per-cell grids), view-html-agg.c (the folded grids of large suites) and
 * view-plot.c (the SVG plot). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/report/sizes.h"
#include "harness/report/views.h"

/* Suites with more cells than this get one folded row per value of the size
 * axis instead of one element per cell, so the page stays small and fast;
 * the per-cell record is matrix.json. */
#define HTML_FULL_MAX_CELLS 20000

/* The byte limits drawn across the grids and the plot. */
#define HTML_NLIMITS 3
extern const long html_limits[HTML_NLIMITS];     /* 512, 1232, 1472 */

void html_text(struct strbuf *b, const char *s);
void html_attr(struct strbuf *b, const char *name, const char *value);
/* A glyph per verdict, so cells read without colour ("n" nodata, "x" nxdomain). */
const char *html_glyph(enum verdict v);

/* [client column]: the column of its twin (the registry's pairs when
 * clients is not NULL, else "real:X" and "X"), or -1. NULL when out of
 * memory. */
int *html_twins(const struct view_grid *g, const struct client_set *clients);

/* The grid's header row: a corner, the bytes column, one full client name
 * per column (vertical). */
void html_grid_head(const struct view_grid *g, struct strbuf *b);

/* A separator row for each limit that lies in (prev, cur]: the red line a
 * reader looks for. prev < 0: none before. */
void html_limit_rows(const struct view_grid *g, long prev, long cur, struct strbuf *b);

/* The folded grids (view-html-agg.c). */
void html_agg_grids(const struct view_grid *g, const struct answer_sizes *sizes,
                    const int *twin, struct strbuf *b);

/* The plot of view_plot_svg, inline (no namespace attribute). */
void html_plot(const struct matrix *m, const struct view_extras *x, struct strbuf *b);
