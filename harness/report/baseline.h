/* Baselines: an earlier matrix.json of the same suite. A cell that was ok
 * there and is now neither ok, skipped nor harness-error is a regression. */
#pragma once

#include <stddef.h>

#include "harness/report/baseline-index.h"
#include "harness/report/matrix.h"

/* Checks a baseline matrix describes the same suite and set of axes as the
 * run. Returns 0, or -1 with "name: ..." in err (an input error). */
int baseline_compatible(const struct matrix *base, const char *name, const char *suite,
                        const char *const *axes, size_t naxes, char *err, size_t errlen);

#define BASELINE_NO_MATCH ((size_t)-1)

/* For each cell i of m, match[i] = the index of the base cell with the same
 * client, qname, qtype and axis values (axes matched by name), or
 * BASELINE_NO_MATCH. match has m->ncells entries. Returns 0, or -1 when out
 * of memory. */
int baseline_match(const struct matrix *base, const struct matrix *m, size_t *match);

struct regression {
        size_t cell;            /* index into the run's cells */
        size_t base_cell;       /* index into the baseline's cells */
};

/* The cells ok in the baseline (matched by client, qname, qtype and params
 * through its index, whose axes are m's) that are now neither ok, skipped
 * nor harness-error, in m's order. Returns the count and *out (caller frees;
 * NULL when none), or -1 when out of memory. */
long baseline_regressions(const struct baseline_index *base, const struct matrix *m,
                          struct regression **out);

/* "regression: <cell>: ok in <name>, now nxdomain, udp 34 bytes" */
void regression_message(const char *name, const struct matrix *m, const struct regression *r,
                        char *buf, size_t len);
