/* The supervisor of twin.h: helper processes per server address, the line
 * protocol, restarts and cancellation. */
#include "clients/real/twin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clients/real/sandbox.h"
#include "harness/util/paths.h"
#include "harness/wire/dns.h"
#include "harness/zone/params.h"

#define TWIN_WORKERS_MAX 16
#define TWIN_LINE_MAX 16384
/* Helpers start at most one per SPAWN_SPACING_MS across all twins: a burst of
 * forks at the start of a run would stall the event loop that also runs the
 * fake servers and the emulated clients' timers. */
#define SPAWN_SPACING_MS 10

static struct timeval next_spawn;     /* earliest time of the next helper start */

struct twin_client;

/* One helper process answering for one nameserver address. */
struct twin_worker {
        struct twin_client *gc;
        char address[64];
        struct sandbox_worker w;
        struct event *ev;
        struct event *spawn_ev;        /* pending start of the helper, or NULL */
        char req[512];                 /* the request to write once it runs */
        size_t reqlen;
        char line[TWIN_LINE_MAX];
        size_t len;
        unsigned long id;              /* request in progress, 0: idle */
        client_done_fn done;
        void *arg;
        struct timeval started;
};

struct twin_client {
        char helper[4096];
        char options[128];             /* resolv.conf options line */
        unsigned timeout_ms;
        struct twin_worker workers[TWIN_WORKERS_MAX];
        size_t nworkers;
        unsigned long next_id;
};

static void worker_stop(struct twin_worker *gw)
{
        if (gw->ev) {
                event_free(gw->ev);
                gw->ev = NULL;
        }
        if (gw->spawn_ev) {
                event_free(gw->spawn_ev);
                gw->spawn_ev = NULL;
        }
        sandbox_worker_stop(&gw->w);
        gw->len = 0;
        gw->id = 0;
}

/* Status words of the reply line, and the outcome each one means. */
static const struct {
        const char *word;
        enum outcome_status status;
} reply_statuses[] = {
        { "nxdomain", OUTCOME_NXDOMAIN },
        { "nodata", OUTCOME_NODATA },
        { "error", OUTCOME_ERROR },
        { "timeout", OUTCOME_TIMEOUT },
        { "again", OUTCOME_ERROR },     /* or a timeout: see twin.h */
};

/* Parses one reply line (in place) into *id and *o. Returns 0, or -1 for a
 * line that is not a lookup reply. */
static int parse_reply(char *line, unsigned long *id, struct outcome *o, unsigned timeout_ms)
{
        char *save = NULL, *tok, *end;
        char *sid = strtok_r(line, " ", &save);
        char *kind = strtok_r(NULL, " ", &save);
        char *ms = strtok_r(NULL, " ", &save);

        if (!sid || !kind || !ms)
                return -1;
        *id = strtoul(sid, &end, 10);
        if (*end != '\0')
                return -1;
        outcome_init(o);
        o->elapsed_ms = strtod(ms, NULL);
        if (strcmp(kind, "ok") == 0) {
                while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
                        uint8_t a[16];
                        if (inet_pton(AF_INET, tok, a) == 1)
                                outcome_add_addr(o, 4, a);
                        else if (inet_pton(AF_INET6, tok, a) == 1)
                                outcome_add_addr(o, 6, a);
                }
                return 0;
        }
        for (size_t i = 0; i < sizeof(reply_statuses) / sizeof(reply_statuses[0]); i++) {
                if (strcmp(kind, reply_statuses[i].word) != 0)
                        continue;
                char *reason = strtok_r(NULL, " ", &save);
                const char *words = save ? save : "";
                enum outcome_status st = reply_statuses[i].status;
                if (!reason || strcmp(reason, "-") == 0)
                        reason = "";
                if (strcmp(kind, "again") == 0) {
                        bool timed_out = o->elapsed_ms >= 0.9 * timeout_ms;
                        st = timed_out ? OUTCOME_TIMEOUT : OUTCOME_ERROR;
                        reason = timed_out ? "" : "again";
                }
                outcome_set(o, st, reason, "%s", words);
                return 0;
        }
        return -1;
}

static void worker_report(struct twin_worker *gw, const struct outcome *o)
{
        client_done_fn done = gw->done;
        void *arg = gw->arg;
        gw->id = 0;
        gw->done = NULL;
        if (done)
                done(arg, o);
}

static void worker_readable(evutil_socket_t fd, short what, void *arg)
{
        struct twin_worker *gw = arg;
        ssize_t n = read(fd, gw->line + gw->len, sizeof(gw->line) - 1 - gw->len);
        (void)what;

        if (n <= 0) {
                struct outcome o;
                bool busy = gw->id != 0;
                outcome_init(&o);
                outcome_set(&o, OUTCOME_HARNESS_ERROR, "helper-died", "the helper %s exited (or could not start in the sandbox)", gw->gc->helper);
                worker_stop(gw);   /* respawned on next use */
                if (busy)
                        worker_report(gw, &o);
                return;
        }
        gw->len += (size_t)n;
        char *nl;
        while ((nl = memchr(gw->line, '\n', gw->len)) != NULL) {
                struct outcome *o = malloc(sizeof(*o));
                unsigned long id;
                *nl = '\0';
                if (o && parse_reply(gw->line, &id, o, gw->gc->timeout_ms) == 0 && id == gw->id)
                        worker_report(gw, o);  /* answers to cancelled requests are dropped */
                free(o);
                size_t used = (size_t)(nl - gw->line) + 1;
                memmove(gw->line, nl + 1, gw->len - used);
                gw->len -= used;
        }
        if (gw->len == sizeof(gw->line) - 1)
                gw->len = 0;  /* an absurd line: drop it */
}

/* The worker slot for address (created idle), or NULL + why. */
static struct twin_worker *worker_get(struct twin_client *gc, const char *address,
                                      char *why, size_t whylen)
{
        for (size_t i = 0; i < gc->nworkers; i++)
                if (strcmp(gc->workers[i].address, address) == 0)
                        return &gc->workers[i];
        if (gc->nworkers == TWIN_WORKERS_MAX) {
                snprintf(why, whylen, "more than %d sandbox addresses", TWIN_WORKERS_MAX);
                return NULL;
        }
        struct twin_worker *gw = &gc->workers[gc->nworkers++];
        memset(gw, 0, sizeof(*gw));
        gw->gc = gc;
        gw->w.pid = gw->w.to_fd = gw->w.from_fd = -1;
        snprintf(gw->address, sizeof(gw->address), "%s", address);
        return gw;
}

/* Watches the output of gw's running helper on base. Returns 0, or -1 (the
 * helper is stopped). */
static int worker_watch(struct twin_worker *gw, struct event_base *base)
{
        gw->ev = event_new(base, gw->w.from_fd, EV_READ | EV_PERSIST, worker_readable, gw);
        if (!gw->ev || event_add(gw->ev, NULL) < 0) {
                worker_stop(gw);
                return -1;
        }
        return 0;
}

/* Watches a helper kept from an earlier run on this run's base; one that
 * ended (or wrote) meanwhile is stopped, to be started again. Returns 0, or
 * -1 (stopped: cannot watch it). */
static int worker_resume(struct twin_worker *gw, struct event_base *base)
{
        struct pollfd pfd = { .fd = gw->w.from_fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) != 0) {
                worker_stop(gw);
                return 0;
        }
        return worker_watch(gw, base);
}

/* Starts gw's helper and watches its output. Returns 0, or -1 + why. */
static int worker_spawn(struct twin_worker *gw, struct event_base *base, char *why, size_t whylen)
{
        char conf[256];

        snprintf(conf, sizeof(conf), "nameserver %s\noptions %s\n", gw->address, gw->gc->options);
        struct sandbox_worker_config cfg = { .helper_path = gw->gc->helper, .resolv_conf = conf };
        if (sandbox_spawn_worker_nowait(&cfg, &gw->w, why, whylen) < 0)
                return -1;
        if (worker_watch(gw, base) < 0) {
                snprintf(why, whylen, "cannot watch the helper");
                return -1;
        }
        return 0;
}

/* Writes gw's pending request. Returns 0, or -1 (the helper is stopped). */
static int worker_send(struct twin_worker *gw)
{
        if (write(gw->w.to_fd, gw->req, gw->reqlen) != (ssize_t)gw->reqlen) {
                worker_stop(gw);
                return -1;
        }
        return 0;
}

/* The helper's turn to start came: start it and send the request; a failure
 * is the cell's harness error. */
static void worker_spawn_due(evutil_socket_t fd, short what, void *arg)
{
        struct twin_worker *gw = arg;
        struct event_base *base = event_get_base(gw->spawn_ev);
        char why[256] = "the request could not be written";
        (void)fd;
        (void)what;

        event_free(gw->spawn_ev);
        gw->spawn_ev = NULL;
        if (worker_spawn(gw, base, why, sizeof(why)) == 0 && worker_send(gw) == 0)
                return;
        struct outcome o;
        outcome_init(&o);
        outcome_set(&o, OUTCOME_HARNESS_ERROR, "helper-start", "%s: %s", gw->gc->helper, why);
        worker_report(gw, &o);
}

/* Schedules gw's helper start in the next free slot (SPAWN_SPACING_MS). */
static int worker_schedule(struct twin_worker *gw, struct event_base *base)
{
        struct timeval now, delay, spacing = { 0, SPAWN_SPACING_MS * 1000 };

        gettimeofday(&now, NULL);
        if (timercmp(&next_spawn, &now, <))
                next_spawn = now;
        timersub(&next_spawn, &now, &delay);
        timeradd(&next_spawn, &spacing, &next_spawn);
        gw->spawn_ev = evtimer_new(base, worker_spawn_due, gw);
        if (!gw->spawn_ev || evtimer_add(gw->spawn_ev, &delay) < 0) {
                worker_stop(gw);
                return -1;
        }
        return 0;
}

static int twinclient_start(struct client *c, struct event_base *base, const struct lookup *l,
                     client_done_fn done, void *arg, void **handle)
{
        struct twin_client *gc = c->impl;
        const struct sockaddr_in *in = (const struct sockaddr_in *)&l->server;
        char address[64], why[256];
        const char *family = l->qtype == DNS_TYPE_A ? "inet" : l->qtype == DNS_TYPE_AAAA ? "inet6" : "unspec";
        struct twin_worker *gw;

        if (l->server.ss_family != AF_INET || ntohs(in->sin_port) != 53 ||
            (l->qtype != DNS_TYPE_A && l->qtype != DNS_TYPE_AAAA && l->qtype != QTYPE_ADDR))
                return -1;
        inet_ntop(AF_INET, &in->sin_addr, address, sizeof(address));
        gw = worker_get(gc, address, why, sizeof(why));
        if (!gw || gw->id != 0 || gw->spawn_ev)
                return -1;
        int n = snprintf(gw->req, sizeof(gw->req), "%lu %s %u %s %s\n", gc->next_id + 1, address,
                         (unsigned)ntohs(in->sin_port), l->qname, family);
        if (n <= 0 || (size_t)n >= sizeof(gw->req))
                return -1;
        gw->reqlen = (size_t)n;
        gw->id = ++gc->next_id;
        gw->done = done;
        gw->arg = arg;
        if (gw->w.pid > 0 && !gw->ev && worker_resume(gw, base) < 0)
                return -1;
        if (gw->w.pid > 0 ? worker_send(gw) < 0 : worker_schedule(gw, base) < 0) {
                gw->id = 0;
                gw->done = NULL;
                return -1;
        }
        *handle = gw;
        return 0;
}

static void twinclient_cancel(struct client *c, void *handle)
{
        struct twin_worker *gw = handle;
        (void)c;
        /* the helper is still inside the library: stop it, a fresh one starts next time */
        gw->done = NULL;
        worker_stop(gw);
}

/* Events belong to one run's loop; an idle helper outlives it, for the next
 * run of this process (the next suite: a JVM or a Go runtime is not started
 * again per suite). A helper busy or starting is stopped. */
static void twinclient_detach(struct client *c)
{
        struct twin_client *gc = c->impl;
        for (size_t i = 0; gc && i < gc->nworkers; i++) {
                struct twin_worker *gw = &gc->workers[i];
                if (gw->id != 0 || gw->spawn_ev || gw->len != 0) {
                        worker_stop(gw);
                } else if (gw->ev) {
                        event_free(gw->ev);
                        gw->ev = NULL;
                }
        }
}

static void twinclient_destroy(struct client *c)
{
        struct twin_client *gc = c->impl;
        for (size_t i = 0; gc && i < gc->nworkers; i++)
                worker_stop(&gc->workers[i]);
        free(c->impl);
        c->impl = NULL;
}

static const struct client_ops twinclient_ops = {
        .start = twinclient_start,
        .cancel = twinclient_cancel,
        .detach = twinclient_detach,
        .destroy = twinclient_destroy,
};

int twin_register(struct client_set *set, const struct twin_spec *spec)
{
        struct client *c = calloc(1, sizeof(*c));
        struct twin_client *gc = calloc(1, sizeof(*gc));
        if (!c || !gc || client_set_add(set, c) < 0) {
                free(c);
                free(gc);
                return -1;
        }
        bool found = paths_helper(spec->helper, gc->helper, sizeof(gc->helper)) == 0;
        snprintf(gc->options, sizeof(gc->options), "%s", spec->options);
        gc->timeout_ms = 1000;
        snprintf(c->name, sizeof(c->name), "%s", spec->name);
        snprintf(c->twin, sizeof(c->twin), "%s", spec->twin);
        snprintf(c->stands_for, sizeof(c->stands_for), "%s", spec->stands_for);
        snprintf(c->source, sizeof(c->source), "the library itself, in a private network namespace");
        c->kind = CLIENT_REAL;
        c->endpoint = ENDPOINT_PORT53;
        c->max_parallel = spec->helpers < TWIN_WORKERS_MAX ? spec->helpers : TWIN_WORKERS_MAX;
        c->ops = &twinclient_ops;
        c->impl = gc;
        c->available = found;
        if (!c->available)
                snprintf(c->why_not, sizeof(c->why_not), "%s not found in %s: %s", spec->helper,
                         paths_helper_dirs(), spec->install);
        return 0;
}
