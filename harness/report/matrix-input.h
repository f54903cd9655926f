/* A matrix.json read back as input (a shard given to merge, a --baseline)
 * is checked before it is trusted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/report/matrix.h"

/* Its suite must be a name (scenario_suite_name_ok: it becomes a folder
 * under results/), and it must be complete ("complete": true) unless
 * allow_incomplete: an interrupted run compared against or merged would
 * pass its missing cells off as results. Returns 0, or -1 with
 * "path:line: reason" in err. */
int matrix_input_check(const char *path, const struct matrix *m, bool allow_incomplete,
                       char *err, size_t errlen);

/* The same for a matrix read cell by cell (matrix_read_file_each), which
 * read ncells cells. */
int matrix_input_check_cells(const char *path, const struct matrix *m, size_t ncells,
                             bool allow_incomplete, char *err, size_t errlen);
