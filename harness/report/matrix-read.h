/* Reads matrix.json (schema 1, results/README.md) back into a struct matrix,
 * for merge and baselines. JSON is parsed by jansson (Debian libjansson):
 * the writer's layout (a header line ending in "cells":[, one cell a line,
 * "]}") is streamed a line at a time, so memory is the matrix and one line;
 * any other layout is parsed whole into a tree. Keys are never duplicated.
 *
 * Every error is "file:line:col: what was expected" (line from 1: the line
 * names the cell; the column is jansson's for syntax, the key's for a wrong
 * value); in another layout a wrong value is "file: cell N: ...". Unknown keys
 * are skipped, every key the writer writes is required, "schema" must be 1. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

/* Parses len bytes of JSON (need not be NUL-terminated); name is used in
 * messages only. Returns 0 and fills *m (free with matrix_free), or -1 with
 * the message in err and *m empty. */
int matrix_read_buffer(const char *name, const char *buf, size_t len, struct matrix *m,
                       char *err, size_t errlen);

/* Reads a matrix.json file. Same returns; a file that cannot be read gives
 * "path: reason". */
int matrix_read_file(const char *path, struct matrix *m, char *err, size_t errlen);

/* A cell as it is read: c is a cell of m, whose texts stay in m's pool.
 * Returns 0, or -1 when out of memory (the read then fails). */
typedef int matrix_cell_fn(void *arg, const struct matrix *m, const struct matrix_cell *c);

/* Reads a matrix.json file handing each cell to each(arg, ...) in file
 * order instead of keeping it: *m gets every other member (m->ncells stays
 * 0; the cells' texts stay in its pool), *ncells the cells read. Memory: m's
 * texts, what each keeps and, in the writer's layout, one line. each NULL
 * is matrix_read_file (ncells may be NULL). Same returns. */
int matrix_read_file_each(const char *path, struct matrix *m, matrix_cell_fn *each, void *arg,
                          size_t *ncells, char *err, size_t errlen);

/* The matrix.json a command-line argument names: arg itself, or
 * arg/matrix.json when arg is a folder. Returns buf. */
const char *matrix_json_path(const char *arg, char *buf, size_t len);
