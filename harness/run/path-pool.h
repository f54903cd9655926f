/* The resolvers of one run (the `path` parameter): one process per path,
 * started before the first cell, serving one cell at a time so that what the
 * fake server sees belongs to that cell. For each cell the pool gives a
 * fresh fake server for the cell's point at the resolver's upstream port and
 * flushes the resolver's state. */
#pragma once

#include <stdint.h>

#include <event2/event.h>

#include "harness/server/server.h"
#include "harness/zone/params.h"

struct path_pool;

/* Called on the loop when a resolver process ends while the run needs it;
 * why says how ("unbound killed by signal 9"). */
typedef void (*path_died_fn)(void *arg, enum resolver_path path, const char *why);

struct path_pool *path_pool_new(struct event_base *base, path_died_fn died, void *arg);
/* Starts path's resolver unless already started; a failure is remembered
 * and given by path_claim. */
void path_pool_start(struct path_pool *pp, enum resolver_path path);

enum path_claim {
        PATH_CLAIMED,           /* *upstream serves pt, the stub asks 127.0.0.1:*port */
        PATH_BUSY,              /* another cell has it: wait */
        PATH_UNAVAILABLE,       /* it could not start here: skipped, why says so */
        PATH_BROKEN,            /* it died or could not be flushed: harness error */
};

/* Claims path's resolver for one cell of pt (borrowed until path_release). */
enum path_claim path_claim(struct path_pool *pp, enum resolver_path path, struct point *pt,
                           struct server **upstream, uint16_t *port, char *why, size_t whylen);
/* True while a cell holds path's resolver. */
bool path_busy(const struct path_pool *pp, enum resolver_path path);
/* Ends the claim; the fake server is closed. */
void path_release(struct path_pool *pp, enum resolver_path path);
/* Stops every resolver (nothing is left running) and frees the pool. NULL is a no-op. */
void path_pool_free(struct path_pool *pp);
