/* Scenario files: the names, records, parameters and sweeps of a suite.
 * The grammar is documented in scenarios/README.md. One directive a line, so
 * every error names its line: "scenarios/x.scn:12: sweep: ...". */
#pragma once

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>

#include "harness/zone/params.h"
#include "harness/zone/zone.h"

struct scenario_sweep {
        unsigned line;
        char key[32];
        char **values;          /* validated against the parameter table */
        size_t nvalues;
};

struct scenario_grow {
        unsigned line;
        uint8_t name[DNS_NAME_MAX];
        size_t name_len;
        int type;               /* 0: the point's qtype parameter */
};

struct scenario_query {
        unsigned line;
        char *text;             /* as written, absolute with trailing dot */
        uint8_t name[DNS_NAME_MAX];
        size_t name_len;
        int qtype;              /* an RR type, or QTYPE_ADDR */
};

struct expectation;     /* an `expect` line: harness/zone/expect.h */

struct canned_table;

struct scenario {
        char *path;
        char *suite;
        char *description;
        uint8_t origin[DNS_NAME_MAX];
        size_t origin_len;
        struct point_params defaults;   /* built-in defaults plus `set` lines */
        struct scenario_sweep *sweeps;
        size_t nsweeps;
        struct zone *records;           /* the `rr` lines, in file order */
        struct scenario_grow *grows;
        size_t ngrows;
        struct scenario_query *queries;
        size_t nqueries;
        /* reproduce: recorded replies every point answers from (borrowed), or NULL */
        const struct canned_table *canned;
        struct expectation *expects;    /* the `expect` lines, in file order */
        size_t nexpects;
};

/* Parses a scenario file. Returns 0 and *out (free with scenario_free), or -1
 * with "path:line: message" in err ("path:line:col: message" for `expect`).
 * A file's `query` names must be held by its zone (an `rr` owner, a `grow`
 * name, or under a wildcard) unless an `expect` line names that qname; scenario_parse leaves that to its caller (reproduce supplies the
 * zone afterwards). */
int scenario_load(const char *path, struct scenario **out, char *err, size_t errlen);
/* A suite name is a file name under results/: 1..64 of [A-Za-z0-9._-], not
 * starting with '.' or '-' (so never "..", never a path, always UTF-8).
 * Returns true, or false with the reason in why. */
#define SCENARIO_SUITE_MAX 64
bool scenario_suite_name_ok(const char *name, char *why, size_t whylen);

/* Same, from a string; path is used in messages only. */
int scenario_parse(const char *path, const char *text, struct scenario **out,
                   char *err, size_t errlen);
void scenario_free(struct scenario *sc);

/* At most this many points: a larger product is a parse error, so counts of
 * points (and of cells, times queries and clients) cannot overflow. */
#define SCENARIO_MAX_POINTS 1000000u

/* Number of points the sweeps expand to (product of their sizes; 1 without sweeps). */
size_t scenario_point_count(const struct scenario *sc);
/* Parameters of point i (0 <= i < count): defaults with each sweep's value
 * applied; the last sweep in the file varies fastest. */
void scenario_point_params(const struct scenario *sc, size_t i, struct point_params *out);
/* Applies --set style overrides: a swept key is pinned (its sweep keeps the
 * one value), any other key changes the defaults. Returns 0, or -1 with err. */
int scenario_apply_sets(struct scenario *sc, const char *const *sets, size_t n, char *err,
                        size_t errlen);
/* Looks up a sweep by key, or NULL. */
const struct scenario_sweep *scenario_find_sweep(const struct scenario *sc, const char *key);

/* Builds the zone of a point: the static records, then each grown RRset behind
 * its generated CNAME chain. Returns the zone, or NULL with a message in err. */
struct zone *scenario_build_zone(const struct scenario *sc, const struct point_params *p,
                                 char *err, size_t errlen);
