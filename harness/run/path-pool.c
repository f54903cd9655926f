#include "harness/run/path-pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/path/resolver.h"

#define UPSTREAM_ADDRESS "127.0.0.1"
#define DRAIN_QUIET_MS 40
#define DRAIN_MAX_MS 4000
#define START_POLL_MS 20
#define START_TRIES 3           /* a port taken between the choice and the bind */

struct path_slot {
        struct path_pool *pp;
        enum resolver_path path;
        bool started;
        size_t point;                   /* the point its process serves */
        bool has_point;
        struct resolver *res;           /* NULL: not running (why says why) */
        bool starting;                  /* res is not ready yet: poll is armed */
        int start_tries;                /* failed starts in a row */
        struct event *poll;
        bool broken;                    /* it ran and died */
        char why[256];
        struct event *exit_ev;
        uint16_t upstream_port;         /* the same for every process of the path */
        struct server *upstream;        /* the fake server there: serving the claiming
                                         * cell's point, or parked; NULL before the first */
        int reserved[2];                /* UDP and TCP sockets holding upstream_port until
                                         * the first fake server binds it; -1 */
        bool busy;                      /* claimed, starting, or draining */
        struct event *quiet;            /* draining: fires once the resolver is quiet */
        struct timeval drain_end;
};

struct path_pool {
        struct event_base *base;
        path_died_fn died;
        path_idle_fn idle;
        void *arg;
        struct path_slot slots[VIA_MAX];
};

static void unreserve(struct path_slot *s)
{
        for (int i = 0; i < 2; i++) {
                if (s->reserved[i] >= 0)
                        close(s->reserved[i]);
                s->reserved[i] = -1;
        }
}

/* Binds the upstream port (UDP and TCP, nothing read, no listen) from the
 * moment the resolver is told it until a fake server takes it over: left
 * free even for a while, another program's random source port can take it
 * (Java's DNS client picks its own in 1024-65535). */
static void reserve(struct path_slot *s)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(s->upstream_port) };
        int one = 1;
        inet_pton(AF_INET, UPSTREAM_ADDRESS, &a.sin_addr);
        for (int i = 0; i < 2 && s->reserved[i] < 0; i++) {
                s->reserved[i] = socket(AF_INET, (i ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
                if (i)
                        setsockopt(s->reserved[i], SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
                if (s->reserved[i] >= 0 && bind(s->reserved[i], (struct sockaddr *)&a, sizeof(a)) < 0) {
                        close(s->reserved[i]);
                        s->reserved[i] = -1;
                }
        }
}

static void slot_stop(struct path_slot *s)
{
        if (s->exit_ev)
                event_free(s->exit_ev);
        s->exit_ev = NULL;
        if (s->poll)
                event_free(s->poll);
        s->poll = NULL;
        s->starting = false;
        resolver_stop(s->res);
        s->res = NULL;
}

static void slot_exited(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        (void)fd; (void)what;
        if (!s->res || s->starting || !resolver_ended(s->res, s->why, sizeof(s->why)))
                return;     /* one that fails to start is seen by start_poll */
        s->broken = true;
        slot_stop(s);
        if (s->pp->died)
                s->pp->died(s->pp->arg, s->path, s->why);
}

struct path_pool *path_pool_new(struct event_base *base, path_died_fn died, path_idle_fn idle,
                                void *arg)
{
        struct path_pool *pp = calloc(1, sizeof(*pp));
        if (!pp)
                return NULL;
        pp->base = base;
        pp->died = died;
        pp->idle = idle;
        pp->arg = arg;
        for (int p = 0; p < VIA_MAX; p++)
                pp->slots[p] = (struct path_slot){ .pp = pp, .path = (enum resolver_path)p,
                                                   .reserved = { -1, -1 } };
        return pp;
}

/* While a resolver starts, cells wait (busy); once it is ready, or failed,
 * they may come. */
static void start_poll(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        struct timeval again = { 0, START_POLL_MS * 1000 };
        (void)fd; (void)what;
        int st = resolver_poll_ready(s->res, s->why, sizeof(s->why));
        if (st == 0) {
                evtimer_add(s->poll, &again);
                return;
        }
        s->start_tries = st < 0 ? s->start_tries + 1 : 0;
        if (st < 0)
                slot_stop(s);           /* why says why: its cells are skipped */
        s->starting = false;
        s->busy = false;
        if (st < 0 && s->start_tries < START_TRIES) {
                s->started = false;
                path_pool_start(s->pp, s->path);
                if (s->busy)
                        return;
        }
        if (s->pp->idle)
                s->pp->idle(s->pp->arg);
}

void path_pool_start(struct path_pool *pp, enum resolver_path path)
{
        struct path_slot *s = &pp->slots[path];
        struct resolver_config cfg = { .path = path, .upstream = UPSTREAM_ADDRESS,
                                       .upstream_port = s->upstream_port };
        struct timeval now = { 0, 0 };

        if (path <= VIA_DIRECT || path >= VIA_MAX || s->started || s->broken)
                return;
        s->started = true;
        s->res = resolver_start(&cfg, s->why, sizeof(s->why));
        if (!s->res)
                return;
        s->upstream_port = resolver_upstream_port(s->res);
        if (!s->upstream)
                reserve(s);
        int fd = resolver_exit_fd(s->res);
        if (fd >= 0) {
                s->exit_ev = event_new(pp->base, fd, EV_READ, slot_exited, s);
                if (s->exit_ev)
                        event_add(s->exit_ev, NULL);
        }
        s->poll = evtimer_new(pp->base, start_poll, s);
        if (!s->poll) {
                snprintf(s->why, sizeof(s->why), "out of memory");
                slot_stop(s);
                return;
        }
        s->starting = true;
        s->busy = true;
        evtimer_add(s->poll, &now);
}

bool path_busy(const struct path_pool *pp, enum resolver_path path)
{
        return path > VIA_DIRECT && path < VIA_MAX && pp->slots[path].busy;
}

bool path_ready_for(struct path_pool *pp, enum resolver_path path, size_t point)
{
        struct path_slot *s = &pp->slots[path];

        if (path <= VIA_DIRECT || path >= VIA_MAX)
                return true;
        if (s->busy)
                return false;
        if (s->res && s->has_point && s->point != point) {
                slot_stop(s);           /* a fresh process for a new point */
                s->started = false;
        }
        s->point = point;
        s->has_point = true;
        path_pool_start(pp, path);
        return !s->busy;
}

/* Starts the resolver again, waiting for it, on a new upstream port.
 * Returns 0, or -1 with why (the slot then has no resolver). */
static int restart_elsewhere(struct path_slot *s, char *why, size_t whylen)
{
        struct resolver_config cfg = { .path = s->path, .upstream = UPSTREAM_ADDRESS };
        slot_stop(s);
        s->res = resolver_start_wait(&cfg, why, whylen);
        if (!s->res)
                return -1;
        s->upstream_port = resolver_upstream_port(s->res);
        int fd = resolver_exit_fd(s->res);
        if (fd >= 0 && (s->exit_ev = event_new(s->pp->base, fd, EV_READ, slot_exited, s)))
                event_add(s->exit_ev, NULL);
        return 0;
}

enum path_claim path_claim(struct path_pool *pp, enum resolver_path path, size_t point,
                           struct point *pt, struct server **upstream, uint16_t *port,
                           char *why, size_t whylen)
{
        struct path_slot *s = &pp->slots[path];
        char msg[256];

        if (!path_ready_for(pp, path, point))
                return PATH_BUSY;
        if (!s->res) {
                snprintf(why, whylen, "%s", s->why);
                return s->broken ? PATH_BROKEN : PATH_UNAVAILABLE;
        }
        if (resolver_ended(s->res, s->why, sizeof(s->why))) {
                s->broken = true;
                slot_stop(s);
                snprintf(why, whylen, "%s", s->why);
                return PATH_BROKEN;
        }
        if (resolver_flush(s->res, msg, sizeof(msg)) < 0) {
                snprintf(why, whylen, "%s: flush failed: %s", resolver_path_to_string(path), msg);
                return PATH_BROKEN;
        }
        /* the upstream port stays bound from one cell to the next: left free, a
         * client's own random source port (Java's) could take it */
        if (s->upstream && server_reset(s->upstream, pt) < 0) {
                server_free(s->upstream);
                s->upstream = NULL;
        }
        /* a new fake server on the same port can find it held by the resolver's
         * connections to the last one (kresd keeps them, dnsmasq's TCP children
         * too): then the resolver is started again on a fresh upstream port */
        for (int attempt = 0; !s->upstream && attempt < 2; attempt++) {
                struct server_config cfg = { .address = UPSTREAM_ADDRESS,
                                             .port = s->upstream_port };
                unreserve(s);
                s->upstream = server_new(pp->base, &cfg, pt, msg, sizeof(msg));
                if (!s->upstream && attempt == 0 && restart_elsewhere(s, msg, sizeof(msg)) < 0)
                        break;
        }
        if (!s->upstream) {
                snprintf(why, whylen, "%s's upstream: %s", resolver_path_to_string(path), msg);
                return PATH_BROKEN;
        }
        s->busy = true;
        *upstream = s->upstream;
        *port = resolver_port(s->res);
        return PATH_CLAIMED;
}

static void drain_end(struct path_slot *s)
{
        if (s->quiet)
                event_free(s->quiet);
        s->quiet = NULL;
        if (s->upstream)
                server_park(s->upstream);
        s->busy = false;
}

static void drain_quiet(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        (void)fd; (void)what;
        drain_end(s);
        if (s->pp->idle)
                s->pp->idle(s->pp->arg);
}

/* (Re)arms the quiet timer: DRAIN_QUIET_MS, never past drain_end. */
static void drain_arm(struct path_slot *s)
{
        struct timeval now, left, quiet = { 0, DRAIN_QUIET_MS * 1000 };
        event_base_gettimeofday_cached(s->pp->base, &now);
        timersub(&s->drain_end, &now, &left);
        if (left.tv_sec < 0)
                left = (struct timeval){ 0, 0 };
        evtimer_add(s->quiet, timercmp(&left, &quiet, <) ? &left : &quiet);
}

/* A late query of the last cell, answered as the cell's point would. */
static void drain_seen(void *arg, const struct server_exchange *x)
{
        (void)x;
        drain_arm(arg);
}

/* Keeps the fake server serving the last point until the resolver is
 * quiet. Returns 0, or -1 (no drain then). */
static int drain_start(struct path_slot *s)
{
        struct timeval now, max = { DRAIN_MAX_MS / 1000, (DRAIN_MAX_MS % 1000) * 1000 };
        s->quiet = evtimer_new(s->pp->base, drain_quiet, s);
        if (!s->quiet)
                return -1;
        server_set_observer(s->upstream, drain_seen, s);
        event_base_gettimeofday_cached(s->pp->base, &now);
        timeradd(&now, &max, &s->drain_end);
        drain_arm(s);
        return 0;
}

void path_release(struct path_pool *pp, enum resolver_path path, bool settled)
{
        struct path_slot *s = &pp->slots[path];
        server_set_observer(s->upstream, NULL, NULL);
        if (!settled && s->res && drain_start(s) == 0)
                return;
        drain_end(s);
}

void path_pool_free(struct path_pool *pp)
{
        if (!pp)
                return;
        for (int p = 0; p < VIA_MAX; p++) {
                if (pp->slots[p].quiet)
                        event_free(pp->slots[p].quiet);
                unreserve(&pp->slots[p]);
                server_free(pp->slots[p].upstream);
                slot_stop(&pp->slots[p]);
        }
        free(pp);
}
