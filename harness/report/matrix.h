/* The compatibility matrix: the record every report is a view of. It is built
 * from a run, or read back from matrix.json (merge, baseline), so a merged
 * set of shards and a single run give the same views. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/run/outcome.h"
#include "harness/run/runner.h"

#define MATRIX_SCHEMA 1
#define MATRIX_MAX_AXES 16

struct matrix_cell {
        size_t index;
        size_t point;
        char client[64];
        char kind[16];
        char qname[256];
        char qtype[8];
        char values[MATRIX_MAX_AXES][32];   /* aligned with matrix.axes */
        enum verdict verdict;
        char reason[32];
        size_t addresses, expected;
        char path[8];
        long udp_bytes, tcp_bytes;          /* -1: none */
        unsigned udp_queries, tcp_queries, tc_replies;
        int edns;                           /* -1: none */
        char detail[256];
        double elapsed_ms;                  /* timing, not compared */
};

struct matrix {
        char suite[128];
        char scenario[512];
        bool complete;
        size_t total;                       /* cells in the whole suite */
        char axes[MATRIX_MAX_AXES][32];     /* swept parameters, file order */
        size_t naxes;
        struct matrix_cell *cells;
        size_t ncells;
};

/* Builds the matrix of a run. Returns 0, or -1 when out of memory. */
int matrix_from_run(struct matrix *m, const struct scenario *sc, struct client *const *clients,
                    const struct run_result *res);
void matrix_free(struct matrix *m);

/* Counts of each verdict per client, for summaries. */
void matrix_count(const struct matrix *m, const char *client, size_t counts[VERDICT_MAX]);
