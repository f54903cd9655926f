/* The gate: what turns a matrix into a pass/fail status for CI.
 *
 * The gate is ONE evaluation: gate_evaluate checks each `expect` line of the
 * scenario (harness/report/expect-eval.h) and, with a baseline, each
 * (client, query) of the run for regressions (harness/report/baseline.h),
 * into a gate_result. The exit code, junit.xml, matrix.md's first section
 * and the text/GitHub annotations (gate-output.c) all render that one
 * result; no view derives pass/fail from raw cells on its own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/report/baseline-index.h"
#include "harness/report/matrix.h"
#include "harness/zone/scenario.h"

enum gate_check_kind { GATE_CHECK_EXPECTATION, GATE_CHECK_REGRESSION };

enum gate_check_status {
        GATE_PASSED,
        GATE_FAILED,            /* makes the run exit 1 */
        GATE_NOT_CHECKED,       /* its cells are skipped, or not in this run: neither */
};

/* One thing the gate checked: an `expect` line, or one (client, query) of
 * the run against the baseline. */
struct gate_check {
        enum gate_check_kind kind;
        enum gate_check_status status;
        unsigned line;          /* the suite's line: the expect line or the query line; 0: unknown */
        char *name;             /* "expect ... (line 31)", "no regression: musl-1.2.3 api.mixpanel.com A" */
        char *message;          /* "path:line: ...: fails in 1 of 29 cells, first ...", one line */
        size_t cells;           /* cells it looked at */
        size_t failed_cells;    /* of those, cells that failed it (regressed) */
        double seconds;         /* the time its cells took, summed */
};

struct gate_result {
        char *path;             /* the suite file lines refer to; "" when unknown */
        char *baseline_name;    /* NULL: no baseline */
        struct gate_check *checks;      /* expectations in file order, then regressions
                                         * by query line, client */
        size_t nchecks;
        size_t expectations, held, failed, not_checked;
        size_t regression_groups;       /* (client, query) groups that regressed */
        size_t regressed_cells;
        size_t harness_errors;          /* cells: exit 3 */
        bool complete;                  /* false: exit 130 */
        int status;                     /* 0 every check holds, 1 some check failed */
};

/* Evaluates the gate of m: sc's expectations (sc may be NULL: none) and,
 * when baseline is not NULL, regressions against it (an index with m's
 * axes, named baseline_name in messages). Returns 0 and fills *r (free with
 * gate_result_free), or -1 when out of memory (r is then empty). */
int gate_evaluate(const struct scenario *sc, const struct baseline_index *baseline,
                  const char *baseline_name, const struct matrix *m, struct gate_result *r);
void gate_result_free(struct gate_result *r);

/* "2 of 2 expectations hold; 0 regressions against base/matrix.json": the
 * verdict of the run in one line, without file:line details. */
void gate_summary(const struct gate_result *r, const char *suite, char *buf, size_t len);

/* ---------------------------------------------------------------- output */

enum gate_format { GATE_FORMAT_TEXT, GATE_FORMAT_GITHUB, GATE_FORMAT_MAX, GATE_FORMAT_INVALID = -1 };

const char *gate_format_to_string(enum gate_format f);
enum gate_format gate_format_from_string(const char *s);

/* At most this many ::error annotations a run prints; GitHub shows 10 per step. */
#define GATE_ANNOTATIONS_MAX 10

/* Prints the failed checks of r to f: one plain line each (text), or GitHub
 * Actions annotations "::error file=F,line=L,title=stubcompat::MESSAGE",
 * sorted by line, at most GATE_ANNOTATIONS_MAX, then one "::notice" saying
 * how many more. Unless quiet, notes for unchecked expectations and a
 * summary line follow. */
void gate_print(const struct gate_result *r, const char *suite, enum gate_format format,
                bool quiet, FILE *f);
