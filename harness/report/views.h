/* Views of a matrix: the files a run writes beside matrix.json, each computed
 * from struct matrix alone.
 *
 * Every writer appends to a strbuf (allocation failure is sticky: check
 * strbuf_failed() once) and is deterministic: the same matrix gives the same
 * bytes. No view holds a timestamp or elapsed_ms, so two equal runs give equal
 * files.
 *
 *   matrix.csv   view-csv.c    one row per cell, RFC 4180
 *   matrix.md    view-md.c     CI job summary: the gate's verdict, breaking
 *                              points, counts, grids
 *   junit.xml    view-junit.c  the gate: one testcase per expectation and per
 *                              regression check, for CI test reports
 *   matrix.html  view-html.c   self-contained heatmap, one grid per query;
 *                view-html-agg.c  folded grids over HTML_FULL_MAX_CELLS cells
 *   plot.svg     view-plot.c   answer size against the size axis, limits,
 *                              breaking points (also inline in matrix.html)
 *
 * The helpers below (view-common.c) are shared by the views: the grid of
 * queries x points x clients, point labels, verdict tokens and escaping. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"
#include "harness/util/strbuf.h"

struct gate_result;
struct answer_sizes;
struct client_set;

/* What some views show beside the matrix. Either pointer may be NULL. */
struct view_extras {
        const struct gate_result *gate;     /* NULL: a command without a gate */
        const struct answer_sizes *sizes;   /* NULL: answer sizes unknown */
        unsigned outputs;                   /* bits of enum report_output (write.h); 0: default */
        const struct client_set *clients;   /* the registry, for each client's twin; NULL:
                                             * "real:X" pairs with "X" */
};

/* One row per cell in matrix order, CRLF line ends, a header row naming one
 * column per axis. Null numbers are empty fields. */
void view_csv_write(const struct matrix *m, struct strbuf *b);

/* GitHub-flavoured Markdown for a CI job summary. Grids of more than
 * VIEW_MD_FULL_ROWS points show only the rows around verdict changes. */
#define VIEW_MD_FULL_ROWS 200
/* matrix.md stays under GitHub's 1 MiB step-summary limit: no grid starts
 * past VIEW_MD_BUDGET bytes and no grid row is written past VIEW_MD_HARD_CAP;
 * what is left out is in matrix.html, and the file says so. At most
 * VIEW_MD_MAX_CHECKS gate checks are listed (all are in junit.xml). */
#define VIEW_MD_BUDGET (768 * 1024)
#define VIEW_MD_HARD_CAP (960 * 1024)
#define VIEW_MD_MAX_CHECKS 50
void view_md_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* Appends s as Markdown text: newlines become spaces and the characters
 * that could start markup or split a table cell are backslash-escaped. */
void view_md_text(struct strbuf *b, const char *s);

/* JUnit XML rendering the gate (harness/report/gate.h): one <testcase> per
 * expectation and per regression check, failures = what made the run exit
 * 1. Without a gate (x or x->gate NULL): one <testcase> per cell. */
void view_junit_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* One HTML file with inline CSS and JS and no external reference. Each cell
 * of the matrix is exactly one element with class "cell" and data-verdict. */
void view_html_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* plot.svg: answer bytes against the size axis, one line per query, the
 * 512/1232/1472-byte limits and each client's breaking point (needs
 * x->sizes; says so when it has none). Also embedded in matrix.html. */
void view_plot_svg(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* ---------------------------------------------------------------- shared */

struct view_query {
        const char *qname, *qtype;          /* point into a cell of the matrix */
};

/* The matrix as a grid: queries, points and clients in first-seen order
 * (points sorted by number), and the cell at each (query, point, client), or
 * NULL where an incomplete run has none. Borrows from the matrix. */
struct view_grid {
        const struct matrix *m;
        size_t nclients, nqueries, npoints;
        const struct matrix_cell **client_cell;  /* [client]: its first cell (name, kind) */
        struct view_query *queries;
        size_t *points;                          /* point numbers, ascending */
        const struct matrix_cell **point_cell;   /* [point]: a cell of it (axis values) */
        const struct matrix_cell **at;           /* [(q * npoints + p) * nclients + c] */
};

/* Builds the grid. Returns 0, or -1 when out of memory (g is then empty and
 * safe to free). */
int view_grid_build(const struct matrix *m, struct view_grid *g);
void view_grid_free(struct view_grid *g);

static inline const struct matrix_cell *view_grid_at(const struct view_grid *g, size_t q,
                                                     size_t p, size_t c)
{
        return g->at[(q * g->npoints + p) * g->nclients + c];
}

/* "records=30 truncation=tc-empty", or "defaults" when nothing is swept.
 * VIEW_LABEL_MAX holds every axis of a matrix. */
#define VIEW_LABEL_MAX (MATRIX_MAX_AXES * 66)
void view_point_label(const struct matrix *m, const struct matrix_cell *c, char *buf,
                      size_t len);

/* An answer size for a grid row: without EDNS, the largest limit it passes
 * (512 without EDNS; 1232, 1472, 4096 with the OPT record added), and the
 * size with OPT: "498 B, +OPT 509", "514 B >512, +OPT 525", "1243 B >1232,
 * +OPT 1254"; "?" when unknown (bytes < 0). */
void view_size_cell(long bytes, char *buf, size_t len);

/* Short verdict tokens for grids: "ok", "part", "WRONG", "nodata", "nx",
 * "err", "t/o", "skip", "H!"; "?" for an invalid verdict. */
const char *view_verdict_token(enum verdict v);

/* Appends s escaped for XML/HTML text or a double-quoted attribute: & < > " '
 * as entities, newline, CR and tab as character references when in_attr
 * (so parsers keep them), other control characters and invalid UTF-8 as '?'.
 * The output is always well-formed XML 1.0 character data. */
void view_xml_escape(struct strbuf *b, const char *s, int in_attr);

/* What a resolver in the path answered the client: "unbound: udp 1 reply,
 * last 34 bytes 0 records; tcp 1 reply, last 514 bytes 30 records; 1 with TC,
 * last rcode 0", or "" for a direct cell. */
void view_stub_hop(const struct matrix_cell *c, char *buf, size_t len);

/* The server's witness of a cell in one line: "path udp, udp 34 bytes, tcp -,
 * queries udp 1 tcp 0, tc 1, edns -". */
void view_witness(const struct matrix_cell *c, char *buf, size_t len);
