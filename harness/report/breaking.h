/* Breaking points: for each client, query and combination of the other swept
 * axes, the largest value of the size axis up to which every cell is ok. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/report/matrix.h"

struct breaking_point {
        char client[MATRIX_CLIENT_MAX + 1];
        char qname[MATRIX_QNAME_MAX + 1];
        char qtype[8];
        char others[256];        /* "cname_depth=1 truncation=tc-empty", or "" */
        bool any_ok;             /* some value worked */
        long ok_through;         /* largest v with every value <= v ok (valid if any_ok) */
        bool breaks;             /* some value failed */
        long first_fail;         /* smallest failing value (valid if breaks) */
        enum verdict fail_verdict;
        char fail_reason[32];
        char fail_path[8];
        long fail_udp_bytes;
        bool ok_after_fail;      /* a larger value works again (not monotonic) */
        long min, max;           /* the axis range seen */
};

/* The size axis: `records` when swept, else the first numeric swept axis, or
 * -1 when there is none. */
int breaking_axis(const struct matrix *m);

/* Computes the breaking points in first-seen order. Returns the count and
 * *out (caller frees), or 0 with *out NULL when there is no size axis. */
size_t breaking_compute(const struct matrix *m, struct breaking_point **out);

/* "records <= 29 (30: nxdomain, udp, 34 bytes)", "ok for records 1..64",
 * "fails from records 1 (timeout)". */
void breaking_describe(const struct matrix *m, const struct breaking_point *b, char *buf,
                       size_t len);
