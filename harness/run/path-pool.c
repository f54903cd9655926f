#include "harness/run/path-pool.h"

#include <arpa/inet.h>
#include <errno.h>
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

struct path_slot {
        struct path_pool *pp;
        enum resolver_path path;
        bool started;
        size_t point;                   /* the point its process serves */
        bool has_point;
        struct resolver *res;           /* NULL: not running (why says why) */
        bool starting;                  /* res is not ready yet: poll is armed */
        struct event *poll;
        bool broken;                    /* it ran and died */
        char why[256];
        struct event *exit_ev;
        struct server *upstream;        /* the claiming cell's fake server, or NULL */
        bool busy;                      /* claimed, or draining */
        int sink_fd;                    /* draining: UDP at the upstream port, -1 otherwise */
        struct event *sink_ev, *quiet;
        struct timeval drain_end;
};

struct path_pool {
        struct event_base *base;
        path_died_fn died;
        path_idle_fn idle;
        void *arg;
        struct path_slot slots[VIA_MAX];
};

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
                                                   .sink_fd = -1 };
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
        if (st < 0)
                slot_stop(s);           /* why says why: its cells are skipped */
        s->starting = false;
        s->busy = false;
        if (s->pp->idle)
                s->pp->idle(s->pp->arg);
}

void path_pool_start(struct path_pool *pp, enum resolver_path path)
{
        struct path_slot *s = &pp->slots[path];
        struct resolver_config cfg = { .path = path, .upstream = UPSTREAM_ADDRESS };
        struct timeval now = { 0, 0 };

        if (path <= VIA_DIRECT || path >= VIA_MAX || s->started || s->broken)
                return;
        s->started = true;
        s->res = resolver_start(&cfg, s->why, sizeof(s->why));
        if (!s->res)
                return;
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
        struct server_config cfg = { .address = UPSTREAM_ADDRESS,
                                     .port = resolver_upstream_port(s->res) };
        s->upstream = server_new(pp->base, &cfg, pt, msg, sizeof(msg));
        if (!s->upstream) {
                snprintf(why, whylen, "%s's upstream: %s", resolver_path_to_string(path), msg);
                return PATH_BROKEN;
        }
        s->busy = true;
        *upstream = s->upstream;
        *port = resolver_port(s->res);
        return PATH_CLAIMED;
}

static void drain_stop(struct path_slot *s)
{
        if (s->sink_ev)
                event_free(s->sink_ev);
        if (s->quiet)
                event_free(s->quiet);
        if (s->sink_fd >= 0)
                close(s->sink_fd);
        s->sink_ev = s->quiet = NULL;
        s->sink_fd = -1;
}

static void drain_quiet(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        (void)fd; (void)what;
        drain_stop(s);
        s->busy = false;
        if (s->pp->idle)
                s->pp->idle(s->pp->arg);
}

static void drain_arm(struct path_slot *s)
{
        struct timeval now, left, quiet = { 0, DRAIN_QUIET_MS * 1000 };
        event_base_gettimeofday_cached(s->pp->base, &now);
        timersub(&s->drain_end, &now, &left);
        if (left.tv_sec < 0)
                left = (struct timeval){ 0, 0 };
        evtimer_add(s->quiet, timercmp(&left, &quiet, <) ? &left : &quiet);
}

/* A late query of the last cell: REFUSED (its header and question sent
 * back with QR set), so that the resolver gives up at once. */
static void drain_read(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        uint8_t buf[1500];
        (void)what;
        for (;;) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&ss, &len);
                if (n < 0)
                        break;
                if (n < 12)
                        continue;
                buf[2] |= 0x80;
                buf[3] = (uint8_t)((buf[3] & 0xf0) | 5);
                sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&ss, len);
        }
        drain_arm(s);
}

/* Opens the sink at the upstream port. Returns 0, or -1 (no drain then). */
static int drain_start(struct path_slot *s)
{
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_port = htons(resolver_upstream_port(s->res)) };
        struct timeval now, max = { DRAIN_MAX_MS / 1000, (DRAIN_MAX_MS % 1000) * 1000 };
        inet_pton(AF_INET, UPSTREAM_ADDRESS, &a.sin_addr);
        s->sink_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->sink_fd < 0 || bind(s->sink_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            !(s->sink_ev = event_new(s->pp->base, s->sink_fd, EV_READ | EV_PERSIST, drain_read, s)) ||
            !(s->quiet = evtimer_new(s->pp->base, drain_quiet, s)) || event_add(s->sink_ev, NULL) < 0) {
                drain_stop(s);
                return -1;
        }
        event_base_gettimeofday_cached(s->pp->base, &now);
        timeradd(&now, &max, &s->drain_end);
        drain_arm(s);
        return 0;
}

void path_release(struct path_pool *pp, enum resolver_path path)
{
        struct path_slot *s = &pp->slots[path];
        server_free(s->upstream);
        s->upstream = NULL;
        if (s->res && drain_start(s) == 0)
                return;
        s->busy = false;
}

void path_pool_free(struct path_pool *pp)
{
        if (!pp)
                return;
        for (int p = 0; p < VIA_MAX; p++) {
                server_free(pp->slots[p].upstream);
                drain_stop(&pp->slots[p]);
                slot_stop(&pp->slots[p]);
        }
        free(pp);
}
