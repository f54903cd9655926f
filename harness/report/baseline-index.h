/* A baseline kept as an index: per cell of an earlier matrix.json only what
 * the regression check needs (client, query, the run's axis values, whether
 * it was ok, its place in the file), built while the file is read cell by
 * cell. A 200,000-cell baseline then costs ~12 MiB beside the run's own
 * matrix, not a second matrix (~60 MiB). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/report/matrix.h"

struct strpool;

struct baseline_entry {
        const char *client, *qname;     /* interned in the index's pool */
        const char *const *values;      /* [naxes] in the run's axis order; shared by the
                                         * cells of a point */
        char qtype[8];
        size_t cell;                    /* its place among the baseline's cells */
        bool ok;                        /* its verdict was ok */
};

/* `struct baseline_index ix = { 0 }` is empty; baseline_index_begin sets it
 * up, baseline_index_free frees it. */
struct baseline_index {
        size_t naxes;                   /* the run's axes */
        const char *axes[MATRIX_MAX_AXES];      /* their names, the caller's */
        size_t map[MATRIX_MAX_AXES];    /* run axis a is the baseline's axis map[a] */
        bool mapped, comparable;        /* comparable: the baseline has every run axis */
        struct baseline_entry *entries; /* sorted by key once finished */
        size_t n, cap;
        size_t cells;                   /* cells of the baseline seen */
        struct strpool *pool;
        const char *const *last_values;
};

/* Starts an index for a run with these axes (names kept by the caller until
 * baseline_index_free). */
void baseline_index_begin(struct baseline_index *ix, const char *const *axes, size_t naxes);

/* Adds c, the next cell of base (a matrix or the header of one read cell by
 * cell). Returns 0, or -1 when out of memory. */
int baseline_index_add(struct baseline_index *ix, const struct matrix *base,
                       const struct matrix_cell *c);

/* Sorts the entries for baseline_index_find. Call once, after the last add. */
void baseline_index_finish(struct baseline_index *ix);

/* The baseline's cell with c's client, qname, qtype and axis values (c a
 * cell of a matrix with the run's axes, in its order); the first in file
 * order when several match. NULL when none does. */
const struct baseline_entry *baseline_index_find(const struct baseline_index *ix,
                                                 const struct matrix_cell *c);

/* The index of every cell of base: begin, add, finish. Returns 0, or -1 when
 * out of memory (ix then empty). */
int baseline_index_of_matrix(struct baseline_index *ix, const struct matrix *base,
                             const char *const *axes, size_t naxes);

/* Reads the baseline file path cell by cell into ix (the file itself is never
 * held), and checks it as input (matrix_input_check) and as the baseline of
 * suite with these axes (baseline_compatible). Returns 0, or -1 with the
 * message in err (ix then empty). */
int baseline_index_read(const char *path, bool allow_incomplete, const char *suite,
                        const char *const *axes, size_t naxes, struct baseline_index *ix,
                        char *err, size_t errlen);

void baseline_index_free(struct baseline_index *ix);
