/* Comparing two runs: every cell whose verdict changed between matrix A and
 * matrix B (cells matched by client, query and axis values, as baselines
 * are), grouped by (change, client, query, from, to).
 *
 *   worse      ok in A, a failure in B (neither skipped nor harness-error)
 *   better     a failure in A, ok in B
 *   changed    one failure for another (nodata -> nxdomain)
 *   unchecked  skipped or harness-error on one side: says nothing of the client */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"
#include "harness/util/strbuf.h"

enum diff_change { DIFF_WORSE, DIFF_BETTER, DIFF_CHANGED, DIFF_UNCHECKED, DIFF_CHANGE_MAX };

const char *diff_change_to_string(enum diff_change c);

struct diff_group {
        enum diff_change change;
        const struct matrix_cell *first_a, *first_b;    /* the group's first cell, each side */
        size_t *cells;          /* indices into B's cells, in B's order */
        size_t ncells;
};

struct matrix_diff {
        const struct matrix *a, *b;
        const char *name_a, *name_b;
        size_t *match;          /* [b cell]: its A cell, or BASELINE_NO_MATCH */
        struct diff_group *groups;      /* worse first, then better, changed, unchecked */
        size_t ngroups;
        size_t cells[DIFF_CHANGE_MAX];  /* changed cells of each kind */
        size_t same, only_a, only_b;
};

/* Compares b with a (same suite and axes: check with baseline_compatible).
 * Returns 0 and fills *d (free with matrix_diff_free; it borrows a, b and
 * the names), or -1 when out of memory. */
int matrix_diff_compute(const struct matrix *a, const char *name_a, const struct matrix *b,
                        const char *name_b, struct matrix_diff *d);
void matrix_diff_free(struct matrix_diff *d);

/* The diff as plain text, GitHub Markdown or JSON (documented in
 * results/README.md). Deterministic: the same two matrices give the same
 * bytes. */
void diff_write_text(const struct matrix_diff *d, struct strbuf *out);
void diff_write_md(const struct matrix_diff *d, struct strbuf *out);
void diff_write_json(const struct matrix_diff *d, struct strbuf *out);
