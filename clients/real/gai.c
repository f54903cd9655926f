#include "clients/real/gai.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clients/real/sandbox.h"
#include "harness/util/paths.h"
#include "harness/wire/dns.h"
#include "harness/zone/params.h"

#define GAI_WORKERS 8
#define GAI_LINE_MAX 8192

struct gai_client;

/* One helper process answering for one nameserver address. */
struct gai_worker {
        struct gai_client *gc;
        char address[64];
        struct sandbox_worker w;
        struct event *ev;
        char line[GAI_LINE_MAX];
        size_t len;
        unsigned long id;              /* request in progress, 0: idle */
        client_done_fn done;
        void *arg;
        struct timeval started;
};

struct gai_client {
        char helper[4096];
        char options[128];             /* resolv.conf options line */
        unsigned timeout_ms;
        struct gai_worker workers[GAI_WORKERS];
        size_t nworkers;
        unsigned long next_id;
};

static void worker_stop(struct gai_worker *gw)
{
        if (gw->ev) {
                event_free(gw->ev);
                gw->ev = NULL;
        }
        sandbox_worker_stop(&gw->w);
        gw->len = 0;
        gw->id = 0;
}

/* Maps a getaddrinfo error to an outcome. EAI_AGAIN after the whole resolver
 * timeout is the library's way of saying nothing answered. */
static void map_error(struct outcome *o, const char *eai, const char *text, double ms,
                      unsigned timeout_ms)
{
        if (strcmp(eai, "EAI_NONAME") == 0)
                outcome_set(o, OUTCOME_NXDOMAIN, "", "%s: %s", eai, text);
        else if (strcmp(eai, "EAI_NODATA") == 0 || strcmp(eai, "EAI_ADDRFAMILY") == 0)
                outcome_set(o, OUTCOME_NODATA, "", "%s: %s", eai, text);
        else if (strcmp(eai, "EAI_AGAIN") == 0 && ms >= 0.9 * timeout_ms)
                outcome_set(o, OUTCOME_TIMEOUT, "", "%s after %.0f ms: %s", eai, ms, text);
        else if (strcmp(eai, "EAI_AGAIN") == 0)
                outcome_set(o, OUTCOME_ERROR, "again", "%s: %s", eai, text);
        else if (strcmp(eai, "EAI_FAIL") == 0)
                outcome_set(o, OUTCOME_ERROR, "fail", "%s: %s", eai, text);
        else
                outcome_set(o, OUTCOME_ERROR, "other", "%s: %s", eai, text);
}

/* Parses "<id> ok <ms> <addr>..." or "<id> err <ms> <EAI> <text>". */
static int parse_response(char *line, unsigned long *id, struct outcome *o, unsigned timeout_ms)
{
        char *save = NULL, *tok;
        char *sid = strtok_r(line, " ", &save);
        char *kind = strtok_r(NULL, " ", &save);
        char *ms = strtok_r(NULL, " ", &save);

        if (!sid || !kind || !ms)
                return -1;
        *id = strtoul(sid, NULL, 10);
        outcome_init(o);
        o->elapsed_ms = atof(ms);
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
        if (strcmp(kind, "err") == 0) {
                char *eai = strtok_r(NULL, " ", &save);
                map_error(o, eai ? eai : "?", save ? save : "", o->elapsed_ms, timeout_ms);
                return 0;
        }
        return -1;
}

static void worker_report(struct gai_worker *gw, const struct outcome *o)
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
        struct gai_worker *gw = arg;
        ssize_t n = read(fd, gw->line + gw->len, sizeof(gw->line) - 1 - gw->len);
        (void)what;

        if (n <= 0) {
                struct outcome o;
                bool busy = gw->id != 0;
                outcome_init(&o);
                outcome_set(&o, OUTCOME_HARNESS_ERROR, "helper-died", "the getaddrinfo helper exited");
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
                if (o && parse_response(gw->line, &id, o, gw->gc->timeout_ms) == 0 && id == gw->id)
                        worker_report(gw, o);  /* answers to cancelled requests are dropped */
                free(o);
                size_t used = (size_t)(nl - gw->line) + 1;
                memmove(gw->line, nl + 1, gw->len - used);
                gw->len -= used;
        }
        if (gw->len == sizeof(gw->line) - 1)
                gw->len = 0;  /* an absurd line: drop it */
}

static struct gai_worker *worker_for(struct gai_client *gc, struct event_base *base,
                                     const char *address, char *why, size_t whylen)
{
        struct gai_worker *gw = NULL;
        char conf[256];

        for (size_t i = 0; i < gc->nworkers; i++)
                if (strcmp(gc->workers[i].address, address) == 0)
                        gw = &gc->workers[i];
        if (!gw) {
                if (gc->nworkers == GAI_WORKERS) {
                        snprintf(why, whylen, "more than %d sandbox addresses", GAI_WORKERS);
                        return NULL;
                }
                gw = &gc->workers[gc->nworkers++];
                memset(gw, 0, sizeof(*gw));
                gw->gc = gc;
                gw->w.pid = gw->w.to_fd = gw->w.from_fd = -1;
                snprintf(gw->address, sizeof(gw->address), "%s", address);
        }
        if (gw->w.pid > 0)
                return gw;
        snprintf(conf, sizeof(conf), "nameserver %s\noptions %s\n", address, gc->options);
        struct sandbox_worker_config cfg = { .helper_path = gc->helper, .resolv_conf = conf };
        if (sandbox_spawn_worker(&cfg, &gw->w, why, whylen) < 0)
                return NULL;
        gw->ev = event_new(base, gw->w.from_fd, EV_READ | EV_PERSIST, worker_readable, gw);
        if (!gw->ev || event_add(gw->ev, NULL) < 0) {
                worker_stop(gw);
                snprintf(why, whylen, "cannot watch the helper");
                return NULL;
        }
        return gw;
}

static int gaiclient_start(struct client *c, struct event_base *base, const struct lookup *l,
                     client_done_fn done, void *arg, void **handle)
{
        struct gai_client *gc = c->impl;
        const struct sockaddr_in *in = (const struct sockaddr_in *)&l->server;
        char address[64], why[256], req[512];
        const char *family = l->qtype == DNS_TYPE_A ? "inet" : l->qtype == DNS_TYPE_AAAA ? "inet6" : "unspec";
        struct gai_worker *gw;

        if (l->server.ss_family != AF_INET || ntohs(in->sin_port) != 53 ||
            (l->qtype != DNS_TYPE_A && l->qtype != DNS_TYPE_AAAA && l->qtype != QTYPE_ADDR))
                return -1;
        inet_ntop(AF_INET, &in->sin_addr, address, sizeof(address));
        gw = worker_for(gc, base, address, why, sizeof(why));
        if (!gw || gw->id != 0)
                return -1;
        gw->id = ++gc->next_id;
        gw->done = done;
        gw->arg = arg;
        int n = snprintf(req, sizeof(req), "%lu %s %s\n", gw->id, l->qname, family);
        if (n <= 0 || (size_t)n >= sizeof(req) || write(gw->w.to_fd, req, (size_t)n) != n) {
                gw->id = 0;
                worker_stop(gw);
                return -1;
        }
        *handle = gw;
        return 0;
}

static void gaiclient_cancel(struct client *c, void *handle)
{
        struct gai_worker *gw = handle;
        (void)c;
        /* the helper is still inside getaddrinfo: stop it, a fresh one starts next time */
        gw->done = NULL;
        worker_stop(gw);
}

/* Helpers and their events belong to one run's loop. */
static void gaiclient_detach(struct client *c)
{
        struct gai_client *gc = c->impl;
        for (size_t i = 0; gc && i < gc->nworkers; i++)
                worker_stop(&gc->workers[i]);
        if (gc)
                gc->nworkers = 0;
}

static void gaiclient_destroy(struct client *c)
{
        gaiclient_detach(c);
        free(c->impl);
        c->impl = NULL;
}

static const struct client_ops gaiclient_ops = {
        .start = gaiclient_start,
        .cancel = gaiclient_cancel,
        .detach = gaiclient_detach,
        .destroy = gaiclient_destroy,
};

static int add_one(struct client_set *set, const char *name, const char *helper,
                   const char *options, const char *twin, const char *stands_for)
{
        struct client *c = calloc(1, sizeof(*c));
        struct gai_client *gc = calloc(1, sizeof(*gc));
        if (!c || !gc || client_set_add(set, c) < 0) {
                free(c);
                free(gc);
                return -1;
        }
        bool found = paths_helper(helper, gc->helper, sizeof(gc->helper)) == 0;
        snprintf(gc->options, sizeof(gc->options), "%s", options);
        gc->timeout_ms = 1000;
        snprintf(c->name, sizeof(c->name), "%s", name);
        snprintf(c->twin, sizeof(c->twin), "%s", twin);
        snprintf(c->stands_for, sizeof(c->stands_for), "%s", stands_for);
        snprintf(c->source, sizeof(c->source), "the library itself, in a private network namespace");
        c->kind = CLIENT_REAL;
        c->endpoint = ENDPOINT_PORT53;
        c->max_parallel = GAI_WORKERS;
        c->ops = &gaiclient_ops;
        c->impl = gc;
        c->available = found;
        if (!c->available)
                snprintf(c->why_not, sizeof(c->why_not), "%s not found in %s%s", helper, paths_helper_dirs(),
                         strstr(helper, "musl") ? " (needs musl-gcc from Debian musl-tools)" : "");
        return 0;
}

int real_gai_register(struct client_set *set)
{
        if (add_one(set, "real:glibc-2.36", "gai-helper-glibc", "timeout:1 attempts:1",
                    "glibc-2.36", "glibc 2.36 getaddrinfo (this machine's libc), resolv.conf defaults") < 0 ||
            add_one(set, "real:glibc-2.36-edns0", "gai-helper-glibc", "timeout:1 attempts:1 edns0",
                    "glibc-2.36-edns0", "glibc 2.36 getaddrinfo with options edns0") < 0 ||
            add_one(set, "real:musl-1.2.3", "gai-helper-musl", "timeout:1 attempts:1",
                    "musl-1.2.3", "musl 1.2.3 getaddrinfo (Debian musl-tools, static helper)") < 0)
                return -1;
        return 0;
}
