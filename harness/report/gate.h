/* Gating: what turns a matrix into a pass/fail status for CI.
 *
 * Expectations are `expect` lines in a scenario file (grammar in
 * scenarios/README.md), parsed here for scenario.c and checked against a
 * matrix. A baseline is an earlier matrix.json: a cell that was ok there and
 * is not ok now is a regression. Skipped and harness-error cells never
 * satisfy or violate anything. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clients/client.h"
#include "harness/report/matrix.h"
#include "harness/zone/scenario.h"

/* ---------------------------------------------------------------- expectations */

enum expect_op { EXPECT_EQ, EXPECT_NE, EXPECT_LT, EXPECT_LE, EXPECT_GT, EXPECT_GE };

/* One `when` condition: KEY OP VALUE. */
struct expect_cond {
        unsigned col, value_col;        /* columns of the key and the value */
        char key[32];                   /* a swept parameter, "qname" or "qtype" */
        enum expect_op op;
        char **values;                  /* = and !=: any of them; canonical text */
        size_t nvalues;
        long bound;                     /* < <= > >=: the number */
};

/* The path values of `path=`, bit i of expectation.paths. */
#define EXPECT_PATHS { "udp", "udp+tcp", "tcp", "none" }
#define EXPECT_NPATHS 4

struct expectation {
        unsigned line;
        char *text;                     /* "expect ..." as written, for messages */
        char **clients;                 /* the subject; nclients == 0: every client */
        unsigned *client_cols;
        size_t nclients;
        unsigned verdicts;              /* bit v: verdict v satisfies; 0: any verdict */
        unsigned paths;                 /* bit i: EXPECT_PATHS[i] satisfies; 0: any path */
        struct expect_cond *conds;
        size_t nconds;
};

/* Parses the arguments of an `expect` line (args: the text after the word,
 * trimmed, found at column col of line `line`). Returns 0 and fills *e (free
 * with expect_free), or -1 with "expected ..." in msg and its column in
 * *err_col. Checks what needs no other line: words, operators, values. */
int expect_parse(const char *args, unsigned line, unsigned col, struct expectation *e,
                 unsigned *err_col, char *msg, size_t msglen);

/* Checks an expectation against its whole scenario, once every line is read:
 * condition keys must be swept (or qname/qtype), qname and qtype values must
 * be among the queries. Returns 0, or -1 with msg and *err_col. */
int expect_resolve(struct expectation *e, const struct scenario *sc, unsigned *err_col,
                   char *msg, size_t msglen);

void expect_free(struct expectation *e);

/* Checks every client named by the scenario's expectations exists in set.
 * Returns 0, or -1 with "path:line:col: expect: unknown client ..." in err. */
int expect_check_clients(const struct scenario *sc, const struct client_set *set, char *err,
                         size_t errlen);

enum expect_status {
        EXPECT_HOLDS,           /* every checked cell satisfies it */
        EXPECT_FAILED,          /* some checked cell does not */
        EXPECT_NO_CELL,         /* a failure: no cell of a full matrix matches it */
        EXPECT_NOT_CHECKED,     /* its cells are all skipped, or not in this (partial) run */
};

struct expect_result {
        enum expect_status status;
        size_t matched;         /* cells its subject and conditions select */
        size_t checked;         /* of those, not skipped or harness-error */
        size_t failed;          /* of those, not satisfying the predicate */
        size_t first_failed;    /* index into m->cells of the first failing cell */
        char why[96];           /* EXPECT_NOT_CHECKED: why */
};

/* True when the cell is one the expectation speaks of. */
bool expect_selects(const struct expectation *e, const struct matrix *m,
                    const struct matrix_cell *c);
/* True when the cell satisfies the predicate (whatever its subject). */
bool expect_satisfied(const struct expectation *e, const struct matrix_cell *c);
void expect_evaluate(const struct expectation *e, const struct matrix *m,
                     struct expect_result *r);

/* The one line that reports a failed (or unchecked) expectation:
 * "scenarios/x.scn:31: expect ...: 1 of 29 cells fail: <cell>: nxdomain, udp 34 bytes". */
void expect_result_message(const char *path, const struct expectation *e,
                           const struct matrix *m, const struct expect_result *r, char *buf,
                           size_t len);

/* ---------------------------------------------------------------- baselines */

/* Checks a baseline matrix describes the same suite and set of axes as the
 * run. Returns 0, or -1 with "name: ..." in err (an input error). */
int gate_baseline_compatible(const struct matrix *base, const char *name, const char *suite,
                             const char *const *axes, size_t naxes, char *err, size_t errlen);

struct regression {
        size_t cell;            /* index into the run's cells */
        size_t base_cell;       /* index into the baseline's cells */
};

/* The cells ok in base (matched by client, qname, qtype and params) that are
 * now neither ok, skipped nor harness-error, in m's order. Returns the count
 * and *out (caller frees; NULL when none), or -1 when out of memory. */
long gate_regressions(const struct matrix *base, const struct matrix *m,
                      struct regression **out);

/* "regression: <cell>: ok in <name>, now nxdomain, udp 34 bytes" */
void regression_message(const char *name, const struct matrix *m, const struct regression *r,
                        char *buf, size_t len);

/* ---------------------------------------------------------------- the gate */

enum gate_format { GATE_FORMAT_TEXT, GATE_FORMAT_GITHUB, GATE_FORMAT_MAX, GATE_FORMAT_INVALID = -1 };

const char *gate_format_to_string(enum gate_format f);
enum gate_format gate_format_from_string(const char *s);

struct gate {
        const struct scenario *sc;      /* its expectations are checked; NULL: none */
        const struct matrix *baseline;  /* NULL: no regression check */
        const char *baseline_name;
        enum gate_format format;
        bool quiet;                     /* failures only, no summary or notes */
};

/* Checks m, printing one line per failure to f: plain text, or GitHub
 * Actions annotations ("::error title=stubcompat::<message>"). Returns 0
 * when everything holds, 1 when an expectation failed or a cell regressed,
 * -1 when out of memory. */
int gate_check(const struct gate *g, const struct matrix *m, FILE *f);
