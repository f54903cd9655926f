/* Reads matrix.json (schema 1, results/README.md) back into a struct matrix,
 * for merge and baselines. The JSON reader is our own and bounds-checked: it
 * never reads past the buffer, limits nesting to MATRIX_READ_MAX_DEPTH and
 * stops at the first error.
 *
 * Every error is "file:line:col: what was expected" (line and column of the
 * offending byte, both from 1; matrix.json has one cell per line, so the line
 * names the cell). Unknown keys are skipped, every key the writer writes is
 * required, "schema" must be 1. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

#define MATRIX_READ_MAX_DEPTH 64

/* Parses len bytes of JSON (need not be NUL-terminated); name is used in
 * messages only. Returns 0 and fills *m (free with matrix_free), or -1 with
 * the message in err and *m empty. */
int matrix_read_buffer(const char *name, const char *buf, size_t len, struct matrix *m,
                       char *err, size_t errlen);

/* Reads a matrix.json file. Same returns; a file that cannot be read gives
 * "path: reason". */
int matrix_read_file(const char *path, struct matrix *m, char *err, size_t errlen);

/* The matrix.json a command-line argument names: arg itself, or
 * arg/matrix.json when arg is a folder. Returns buf. */
const char *matrix_json_path(const char *arg, char *buf, size_t len);
