/* Several suites of one command at once, in worker processes.
 *
 * A suite's wall time is mostly its slowest cells: a 15-second cell deadline
 * or a twin's helper starting holds a suite open while the cores idle, and
 * one event loop uses one core. Suites are independent (own results folder,
 * own matrix), so workers forked from the command each run suites one after
 * another, taken from one queue in order; each worker is a process of its
 * own, so each enters its own private network namespace and keeps its own
 * twin helpers from one suite to the next.
 *
 * What a suite prints on stdout is kept in a temporary file and copied to
 * the command's stdout in the suites' order, so the output reads as if they
 * had run one by one. stderr is not held back. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Runs suite i of the command (in a worker); returns its exit status. */
typedef int (*suite_pool_run_fn)(size_t i, void *arg);

/* Runs suites 0..n-1 with run, at most `workers` at once, and copies their
 * stdout to out in order. The workers are forked from the caller, which must
 * have no threads and must not have entered the sandbox yet (each worker
 * does). *interrupted (set by the caller's SIGINT/SIGTERM handler) stops the
 * dispatch and is passed on to the workers as SIGTERM.
 *
 * In the caller: returns the highest exit status of the suites (a suite whose
 * worker died is 3, or 130 once interrupted), and *in_worker is false.
 * In a worker, when the queue is done: returns 0 with *in_worker true; the
 * caller then releases what it holds and exits with 0 (its stdout is no
 * longer the command's).
 * Returns -1 (nothing run; errno set) when the temporary files, pipes or
 * processes cannot be made. */
int suite_pool_run(size_t n, unsigned workers, suite_pool_run_fn run, void *arg,
                   volatile sig_atomic_t *interrupted, FILE *out, bool *in_worker);

/* How many suites to run at once on this machine: one more than the online
 * cores (a suite waiting on timeouts leaves its core to the others). */
unsigned suite_pool_default_workers(void);
