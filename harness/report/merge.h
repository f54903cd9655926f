/* Joins the shards of one suite (written by `run --shard K/N`) into one
 * matrix, so the views of a merge are those of a single run. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

/* Merges n >= 1 shards; names[i] names shard i in messages (its file).
 * The shards must agree on suite, scenario, total and axes. Cells are joined
 * in index order; a cell present in several shards must have equal content
 * (every field but elapsed_ms; the first one is kept). The result is complete
 * when every shard was complete and the cells cover all `total` indices.
 * The shards are taken once they pass the suite and index checks: the first
 * becomes *out and the others are given back as their cells are copied, so
 * the cells are held once; each is then left empty. Returns 0
 * and *out (free with matrix_free), or -1 with "file: message" in err (an
 * input error; the shards still need matrix_free). */
int matrix_merge(struct matrix *shards, const char *const *names, size_t n,
                 struct matrix *out, char *err, size_t errlen);

/* Compares two cells field by field, elapsed_ms excepted. Returns NULL when
 * equal, else the JSON name of the first field that differs ("verdict"). */
const char *matrix_cell_differs(const struct matrix *m, const struct matrix_cell *a,
                                const struct matrix_cell *b);

/* "musl-1.2.3 api.mixpanel.com A records=30": a cell's client, query and
 * parameters, for messages. */
void matrix_cell_describe(const struct matrix *m, const struct matrix_cell *c, char *buf,
                          size_t len);

/* What happened to a cell, for messages: "nxdomain, udp 34 bytes",
 * "error truncated, udp 34 bytes", "ok, udp+tcp 530 bytes". */
void matrix_cell_outcome(const struct matrix_cell *c, char *buf, size_t len);

/* A cell's time in tenths of a millisecond, as matrix.json keeps it: sums of
 * these over a run and over its matrix.json read back are equal (sum them as
 * integers; seconds = tenths / 10000.0). */
long long matrix_cell_tenths_ms(const struct matrix_cell *c);
