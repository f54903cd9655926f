/* Answer sizes: the wire size of each query's full answer at each point of a
 * matrix, computed with the one encoder (harness/zone/answer.c) that the
 * server sends from, so a report's "514 bytes" is the server's 514.
 *
 * The size is the whole answer without OPT, what a UDP reply without EDNS
 * must fit in 512 bytes; with EDNS the OPT record adds ANSWER_OPT_BYTES,
 * which must fit the buffer the client advertises (1200 glibc edns0, 1232
 * Go and DNS Flag Day, 1280 c-ares, 4096). */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"
#include "harness/zone/scenario.h"

#define ANSWER_OPT_BYTES 11

struct answer_sizes {
        size_t npoints;                 /* point numbers 0..npoints-1 */
        size_t nqueries;
        char (*qname)[MATRIX_QNAME_MAX + 1];    /* [query], as in the matrix's cells */
        char (*qtype)[8];
        long *bytes;                    /* [point * nqueries + query]; -1: not computed */
};

/* Computes the size of every (point, query) of m from its scenario. sc's
 * point parameters must be those the matrix was run with (the same --set):
 * when a cell's axis values disagree with sc's point, nothing is computed.
 * Returns 0 (s may then be empty: s->npoints == 0), or -1 when out of memory. */
int answer_sizes_compute(const struct scenario *sc, const struct matrix *m,
                         struct answer_sizes *s);
void answer_sizes_free(struct answer_sizes *s);

/* The size of (qname, qtype)'s answer at point, or -1 when unknown (s may
 * be NULL). */
long answer_sizes_get(const struct answer_sizes *s, size_t point, const char *qname,
                      const char *qtype);
