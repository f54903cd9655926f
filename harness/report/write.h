/* Writes every view of a matrix into a results folder, each file atomically. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

struct gate_result;

/* Creates dir (and parents) and writes matrix.json and the other views;
 * junit.xml and matrix.md render gate (NULL: a command without a gate).
 * Returns 0, or -1 with "path: reason" in err; files written before a
 * failure are complete (each is renamed into place whole). */
int report_write_all(const struct matrix *m, const struct gate_result *gate, const char *dir,
                     char *err, size_t errlen);

struct strbuf;
/* breaking-points.txt: one line per breaking point. */
void report_breaking_text(const struct matrix *m, struct strbuf *b);

/* Creates a folder and its parents. Returns 0, or -1 with err. */
int report_mkdirs(const char *dir, char *err, size_t errlen);
