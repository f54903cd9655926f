/* The resolvers of one run (the `path` parameter): one process per (path,
 * point), serving the point's cells one at a time so that what the fake
 * server sees belongs to that cell. A new point gets a new process, so that
 * nothing a resolver learnt about one upstream behaviour (a cached SERVFAIL,
 * an upstream marked EDNS-lame or down) reaches the next; within a point
 * its state is flushed before each cell where the program allows it. For
 * each cell the pool gives a fresh fake server for the cell's point at the
 * resolver's upstream port. */
#pragma once

#include <stdint.h>

#include <event2/event.h>

#include "harness/server/server.h"
#include "harness/zone/params.h"

struct path_pool;

/* Called on the loop when a resolver process ends while the run needs it;
 * why says how ("unbound killed by signal 9"). */
typedef void (*path_died_fn)(void *arg, enum resolver_path path, const char *why);
/* Called on the loop when a released resolver is free for the next cell. */
typedef void (*path_idle_fn)(void *arg);

struct path_pool *path_pool_new(struct event_base *base, path_died_fn died, path_idle_fn idle,
                                void *arg);
/* Starts path's resolver unless already started, without waiting: the path
 * is busy until it is ready (idle is called then). A failure is remembered
 * and given by path_claim. */
void path_pool_start(struct path_pool *pp, enum resolver_path path);

enum path_claim {
        PATH_CLAIMED,           /* *upstream serves pt, the stub asks 127.0.0.1:*port */
        PATH_BUSY,              /* another cell has it: wait */
        PATH_UNAVAILABLE,       /* it could not start here: skipped, why says so */
        PATH_BROKEN,            /* it died or could not be flushed: harness error */
};

/* Claims path's resolver for one cell of pt, point number point (pt is
 * borrowed until path_release); a resolver that served another point is
 * restarted first. A resolver that died stays broken for the rest of the run. */
enum path_claim path_claim(struct path_pool *pp, enum resolver_path path, size_t point,
                           struct point *pt, struct server **upstream, uint16_t *port,
                           char *why, size_t whylen);
/* True while a cell holds path's resolver, it drains or it starts. */
bool path_busy(const struct path_pool *pp, enum resolver_path path);
/* True when path_claim for a cell of point would not be PATH_BUSY. When it
 * would, the resolver is (re)started for point as needed, and the idle
 * callback says when to ask again. */
bool path_ready_for(struct path_pool *pp, enum resolver_path path, size_t point);
/* Ends the claim: the fake server is closed. When the resolver left some of
 * the client's queries unanswered (settled false), it may still be working
 * on them (retries, timeouts): it drains first, every query it sends
 * upstream answered REFUSED until it has been quiet for a moment (at most a
 * few seconds), so that nothing of this cell reaches the next one; then it
 * is free and idle() is called. */
void path_release(struct path_pool *pp, enum resolver_path path, bool settled);
/* Stops every resolver (nothing is left running) and frees the pool. NULL is a no-op. */
void path_pool_free(struct path_pool *pp);
