#include "harness/report/matrix-input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/strutil.h"
#include "harness/zone/scenario.h"

/* The line of the first occurrence of key (a quoted JSON key) in path, 1
 * when it cannot be found: only for messages, on the error path. */
static unsigned key_line(const char *path, const char *key)
{
        char *text = NULL, err[256];
        unsigned line = 1;
        if (file_read_all(path, &text, NULL, err, sizeof(err)) < 0)
                return 1;
        const char *at = strstr(text, key);
        for (const char *p = text; at && p < at; p++)
                if (*p == '\n')
                        line++;
        free(text);
        return line;
}

int matrix_input_check(const char *path, const struct matrix *m, bool allow_incomplete,
                       char *err, size_t errlen)
{
        return matrix_input_check_cells(path, m, m->ncells, allow_incomplete, err, errlen);
}

int matrix_input_check_cells(const char *path, const struct matrix *m, size_t ncells,
                             bool allow_incomplete, char *err, size_t errlen)
{
        char why[160];
        if (!scenario_suite_name_ok(m->suite, why, sizeof(why))) {
                snprintf(err, errlen, "%s:%u: \"suite\": %s", path, key_line(path, "\"suite\""),
                         why);
                return -1;
        }
        if (!m->complete && !allow_incomplete) {
                snprintf(err, errlen, "%s:%u: \"complete\": false: this matrix is from an "
                         "interrupted or partial run (%zu of %zu cells); use "
                         "--allow-incomplete to use it anyway", path,
                         key_line(path, "\"complete\""), ncells, m->total);
                return -1;
        }
        return 0;
}
