/* Expectations: the `expect` lines of a scenario, as parsed.
 *
 * The grammar (scenarios/README.md) is part of the scenario's, so a scenario
 * holds its expectations and every error in one is "path:line:col: expect:
 * ...". What an expectation says about a matrix is computed in
 * harness/report/expect-eval.h; the gate (harness/report/gate.h) combines
 * those results with the baseline's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct scenario;

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
extern const char *const expect_path_table[EXPECT_NPATHS];

/* What a resolver in the path answered over UDP (`stub-reply=`), bit i of
 * expectation.stub_replies: TC=1 without answer records, TC=1 with some, no
 * TC, no UDP reply at all. A direct cell has none of them. */
#define EXPECT_STUB_REPLIES { "tc-empty", "tc-partial", "whole", "none" }
#define EXPECT_NSTUB_REPLIES 4
extern const char *const expect_stub_reply_table[EXPECT_NSTUB_REPLIES];
#define EXPECT_EDNS_MAX 8

/* The longest client name an expectation may use (clients/client.h name[]). */
#define EXPECT_CLIENT_NAME_MAX 63

struct expectation {
        unsigned line;
        char *text;                     /* "expect ..." as written, for messages */
        char **clients;                 /* the subject; nclients == 0: every client */
        unsigned *client_cols;
        size_t nclients;
        unsigned verdicts;              /* bit v: verdict v satisfies; 0: any verdict */
        unsigned paths;                 /* bit i: EXPECT_PATHS[i] satisfies; 0: any path */
        int server_edns[EXPECT_EDNS_MAX]; /* `server-edns=`: the EDNS size of the last query
                                         * the server saw is one of these (-1: no OPT) */
        size_t nserver_edns;            /* 0: any */
        unsigned stub_replies;          /* bit i: EXPECT_STUB_REPLIES[i]; 0: any */
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

/* True when e names qname (any qtype) in a `qname=` condition: the suite
 * says what a query for it should give, so a name the zone does not hold is
 * meant (a negative answer served is ok for a client that reports it, see
 * verdict_of). */
bool expect_names_qname(const struct expectation *e, const char *qname);

void expect_free(struct expectation *e);
