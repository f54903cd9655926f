#include "harness/run/path-pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/path/resolver.h"

#define UPSTREAM_ADDRESS "127.0.0.1"

struct path_slot {
        struct path_pool *pp;
        enum resolver_path path;
        bool started;
        struct resolver *res;           /* NULL: not running (why says why) */
        bool broken;                    /* it ran and died */
        char why[256];
        struct event *exit_ev;
        struct server *upstream;        /* the claiming cell's fake server, or NULL */
        bool busy;
};

struct path_pool {
        struct event_base *base;
        path_died_fn died;
        void *arg;
        struct path_slot slots[VIA_MAX];
};

static void slot_stop(struct path_slot *s)
{
        if (s->exit_ev)
                event_free(s->exit_ev);
        s->exit_ev = NULL;
        resolver_stop(s->res);
        s->res = NULL;
}

static void slot_exited(evutil_socket_t fd, short what, void *arg)
{
        struct path_slot *s = arg;
        (void)fd; (void)what;
        if (!s->res || !resolver_ended(s->res, s->why, sizeof(s->why)))
                return;
        s->broken = true;
        slot_stop(s);
        if (s->pp->died)
                s->pp->died(s->pp->arg, s->path, s->why);
}

struct path_pool *path_pool_new(struct event_base *base, path_died_fn died, void *arg)
{
        struct path_pool *pp = calloc(1, sizeof(*pp));
        if (!pp)
                return NULL;
        pp->base = base;
        pp->died = died;
        pp->arg = arg;
        for (int p = 0; p < VIA_MAX; p++)
                pp->slots[p] = (struct path_slot){ .pp = pp, .path = (enum resolver_path)p };
        return pp;
}

void path_pool_start(struct path_pool *pp, enum resolver_path path)
{
        struct path_slot *s = &pp->slots[path];
        struct resolver_config cfg = { .path = path, .upstream = UPSTREAM_ADDRESS };

        if (path <= VIA_DIRECT || path >= VIA_MAX || s->started)
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
}

bool path_busy(const struct path_pool *pp, enum resolver_path path)
{
        return path > VIA_DIRECT && path < VIA_MAX && pp->slots[path].busy;
}

enum path_claim path_claim(struct path_pool *pp, enum resolver_path path, struct point *pt,
                           struct server **upstream, uint16_t *port, char *why, size_t whylen)
{
        struct path_slot *s = &pp->slots[path];
        char msg[256];

        path_pool_start(pp, path);
        if (s->busy)
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

void path_release(struct path_pool *pp, enum resolver_path path)
{
        struct path_slot *s = &pp->slots[path];
        server_free(s->upstream);
        s->upstream = NULL;
        s->busy = false;
}

void path_pool_free(struct path_pool *pp)
{
        if (!pp)
                return;
        for (int p = 0; p < VIA_MAX; p++) {
                server_free(pp->slots[p].upstream);
                slot_stop(&pp->slots[p]);
        }
        free(pp);
}
