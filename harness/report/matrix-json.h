/* matrix.json: the versioned record of a run (schema in results/README.md). */
#pragma once

#include "harness/report/matrix.h"
#include "harness/util/strbuf.h"

/* Appends the matrix as JSON, one cell per line, keys in a fixed order so
 * equal runs give equal bytes (elapsed_ms is the only timing field). */
void matrix_json_write(const struct matrix *m, struct strbuf *out);
