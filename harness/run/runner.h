/* Expands a scenario into cells and runs them concurrently on one event
 * loop: every cell gets its own server endpoint, a bounded number are in
 * flight, each has a deadline, and nothing waits for one cell before starting
 * the next. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "clients/client.h"
#include "harness/report/pcap.h"
#include "harness/run/cell.h"
#include "harness/zone/scenario.h"

enum capture_mode {
        CAPTURE_NONE,
        CAPTURE_FAILING,                /* cells whose verdict is not ok (skipped excluded) */
        CAPTURE_ALL,
};

struct runner_config {
        const struct scenario *sc;
        struct client **clients;        /* the matrix's columns, in order */
        size_t nclients;
        const char *const *sets;        /* --set key=value overrides, applied to every point */
        size_t nsets;
        size_t max_inflight;            /* 0: 64 */
        unsigned cell_deadline_ms;      /* 0: 15000 */
        unsigned client_timeout_ms;     /* hint passed to clients; 0: 1000 */
        unsigned shard_k, shard_n;      /* run cells with index % n == k-1; n=0: all */
        const bool *only_cells;         /* non-NULL: run only the cells whose entry is true
                                         * (indexed like the suite's cells; a re-check) */
        enum capture_mode capture;      /* keep the exchanges of these cells */
        volatile sig_atomic_t *interrupted;
        /* progress: called after each cell, on the loop thread */
        void (*progress)(void *arg, size_t done, size_t total);
        void *progress_arg;
};

struct run_result {
        struct cell_record *cells;      /* in index order; only the shard's cells */
        size_t ncells;
        size_t total;                   /* cells of the whole suite (all shards) */
        bool complete;                  /* false when interrupted */
        bool harness_failed;            /* some cell is harness-error */
        const char *const *sets;        /* the run's --set overrides (borrowed from the config) */
        size_t nsets;
        struct capture *captures;       /* kept exchanges, in cell order */
        size_t ncaptures;
};

/* Runs the cells. Returns 0, or -1 with err for a setup failure (bad --set,
 * a point that cannot be built). The result is owned by the caller. */
int runner_run(const struct runner_config *cfg, struct run_result *res, char *err, size_t errlen);
void run_result_free(struct run_result *res);

/* Total cells of a scenario: points x queries x clients. */
size_t runner_cell_count(const struct scenario *sc, size_t nclients);
/* Decomposes a cell index (point-major, then query, then client). */
void runner_cell_coords(const struct scenario *sc, size_t nclients, size_t index, size_t *point,
                        size_t *query, size_t *client);
