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
        long fail_udp_bytes, fail_tcp_bytes;    /* what the server sent (-1: nothing) */
        bool ok_after_fail;      /* a larger value works again (not monotonic) */
        long min, max;           /* the axis range seen in checked cells */
        size_t min_point, max_point, ok_point, fail_point;     /* the matrix points of
                                                                 * min, max, ok_through, first_fail */
        size_t checked;          /* cells neither skipped nor harness-error */
        size_t unchecked;        /* cells skipped or harness-error */
        enum verdict unchecked_verdict; /* the first unchecked cell's: skipped or harness-error */
        char unchecked_reason[MATRIX_DETAIL_MAX + 1];   /* and its reason (or detail) */
};

/* The size axis: `records` when swept, else the first numeric swept axis, or
 * -1 when there is none. */
int breaking_axis(const struct matrix *m);

/* "cname_depth=1 truncation=tc-empty": c's values of every axis but axis,
 * as breaking points name them in others. */
void breaking_others(const struct matrix *m, const struct matrix_cell *c, int axis, char *buf,
                     size_t len);

/* Computes the breaking points in first-seen order. Returns the count and
 * *out (caller frees), or 0 with *out NULL when there is no size axis. */
size_t breaking_compute(const struct matrix *m, struct breaking_point **out);

struct answer_sizes;

/* "records <= 29 (498 bytes); 30 (514 bytes): nxdomain, udp 34 bytes",
 * "ok for records 1..64 (46..1042 bytes)", "fails from records 1 (46 bytes):
 * timeout", "skipped: REASON" when no cell was checked. Answer sizes come
 * from sizes (NULL or unknown: left out); the failing cell's witness says
 * what the server sent, over TCP too ("udp 34 then tcp 514 bytes"). */
void breaking_describe(const struct matrix *m, const struct breaking_point *b,
                       const struct answer_sizes *sizes, char *buf, size_t len);

/* The label breaking points are grouped under in summaries: "records <= 29",
 * "ok for records 1..64", "fails from records 1", "skipped: REASON". */
void breaking_label(const struct matrix *m, const struct breaking_point *b, char *buf,
                    size_t len);
