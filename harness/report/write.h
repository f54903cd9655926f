/* Writes every view of a matrix into a results folder, each file atomically. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

struct view_extras;

/* Creates dir (and parents) and writes matrix.json and the other views;
 * junit.xml and matrix.md render x's gate, the views x's sizes (x may be
 * NULL: no gate, sizes unknown).
 * Returns 0, or -1 with "path: reason" in err; files written before a
 * failure are complete (each is renamed into place whole). */
int report_write_all(const struct matrix *m, const struct view_extras *x, const char *dir,
                     char *err, size_t errlen);

struct strbuf;
/* breaking-points.txt: one line per breaking point, with answer sizes when
 * x->sizes has them. */
void report_breaking_text(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* Creates a folder and its parents. Returns 0, or -1 with err. */
int report_mkdirs(const char *dir, char *err, size_t errlen);
