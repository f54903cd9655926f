/* Expectations over a matrix: the cells an `expect` line (parsed with the
 * scenario, harness/zone/expect.h) selects, and whether they satisfy it.
 * Skipped and harness-error cells never satisfy or violate anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "clients/client.h"
#include "harness/report/matrix.h"
#include "harness/zone/expect.h"
#include "harness/zone/scenario.h"

/* Checks every client named by the scenario's expectations exists in set.
 * Returns 0, or -1 with "path:line:col: expect: unknown client ..." in err. */
int expect_check_clients(const struct scenario *sc, const struct client_set *set, char *err,
                         size_t errlen);

enum expect_status {
        EXPECT_HOLDS,           /* every checked cell satisfies it */
        EXPECT_FAILED,          /* some checked cell does not */
        EXPECT_NO_CELL,         /* a failure: no cell of a full matrix matches it */
        EXPECT_NOT_CHECKED,     /* its cells are all skipped, or not in this (partial) run */
};

struct expect_result {
        enum expect_status status;
        size_t matched;         /* cells its subject and conditions select */
        size_t checked;         /* of those, not skipped or harness-error */
        size_t failed;          /* of those, not satisfying the predicate */
        size_t first_failed;    /* index into m->cells of the first failing cell */
        char why[96];           /* EXPECT_NOT_CHECKED: why */
};

/* True when the cell is one the expectation speaks of. */
bool expect_selects(const struct expectation *e, const struct matrix *m,
                    const struct matrix_cell *c);
/* True when the cell satisfies the predicate (whatever its subject). */
bool expect_satisfied(const struct expectation *e, const struct matrix_cell *c);
void expect_evaluate(const struct expectation *e, const struct matrix *m,
                     struct expect_result *r);

/* The one line that reports an expectation's result:
 * "scenarios/x.scn:31: expect ...: fails in 1 of 29 cells, first <cell>: nxdomain, udp 34 bytes". */
void expect_result_message(const char *path, const struct expectation *e,
                           const struct matrix *m, const struct expect_result *r, char *buf,
                           size_t len);
