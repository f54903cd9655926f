/* c-ares 1.18 in process, on the harness's libevent loop.
 *
 * One ares channel per lookup. c-ares tells us which sockets it wants watched
 * through ARES_OPT_SOCK_STATE_CB; each becomes a persistent libevent event
 * that calls ares_process_fd. One timer follows ares_timeout(). The getaddrinfo
 * callback runs inside ares_process_fd, where the channel must not be
 * destroyed, so it only stores the outcome and activates the lookup's
 * `report` event; that event destroys the channel and calls done(). */
#include "clients/real/real.h"

#include <ares.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/wire/dns.h"
#include "harness/zone/params.h"

#define CARES_EDNS_SIZE 1232

struct cares_lookup;

struct cares_client {
        int flags;                    /* ARES_FLAG_* */
        struct cares_lookup *live;    /* lookups started and not yet reported */
};

struct cares_sock {
        ares_socket_t fd;
        struct event *ev;
        struct cares_sock *next;
};

struct cares_lookup {
        struct cares_client *cc;
        struct cares_lookup *prev, *next;   /* in cc->live */
        struct event_base *base;
        ares_channel channel;
        struct event *timer;
        struct event *report;
        struct cares_sock *socks;
        client_done_fn done;
        void *arg;
        bool finished;                /* the getaddrinfo callback has run */
        bool cancelled;
        struct timespec started;
        struct outcome o;
};

static const char *const status_names[] = {
        [ARES_SUCCESS] = "ARES_SUCCESS", [ARES_ENODATA] = "ARES_ENODATA",
        [ARES_EFORMERR] = "ARES_EFORMERR", [ARES_ESERVFAIL] = "ARES_ESERVFAIL",
        [ARES_ENOTFOUND] = "ARES_ENOTFOUND", [ARES_ENOTIMP] = "ARES_ENOTIMP",
        [ARES_EREFUSED] = "ARES_EREFUSED", [ARES_EBADQUERY] = "ARES_EBADQUERY",
        [ARES_EBADNAME] = "ARES_EBADNAME", [ARES_EBADFAMILY] = "ARES_EBADFAMILY",
        [ARES_EBADRESP] = "ARES_EBADRESP", [ARES_ECONNREFUSED] = "ARES_ECONNREFUSED",
        [ARES_ETIMEOUT] = "ARES_ETIMEOUT", [ARES_EOF] = "ARES_EOF",
        [ARES_EFILE] = "ARES_EFILE", [ARES_ENOMEM] = "ARES_ENOMEM",
        [ARES_EDESTRUCTION] = "ARES_EDESTRUCTION", [ARES_EBADSTR] = "ARES_EBADSTR",
        [ARES_EBADFLAGS] = "ARES_EBADFLAGS", [ARES_ENONAME] = "ARES_ENONAME",
        [ARES_EBADHINTS] = "ARES_EBADHINTS", [ARES_ENOTINITIALIZED] = "ARES_ENOTINITIALIZED",
        [ARES_ECANCELLED] = "ARES_ECANCELLED",
};

/* "ARES_ETIMEOUT", or "ARES_E?" for a code this table does not know. */
static const char *status_name(int status)
{
        size_t n = sizeof(status_names) / sizeof(status_names[0]);
        return status >= 0 && (size_t)status < n && status_names[status] ? status_names[status]
                                                                           : "ARES_E?";
}

/* The verdict reason of an error status: the harness's common words for the
 * common ones, else the lower-case name without "ARES_E" ("eof", "nomem"). */
static void error_reason(int status, char *buf, size_t len)
{
        const char *name = status_name(status);
        switch (status) {
        case ARES_ESERVFAIL: snprintf(buf, len, "servfail"); return;
        case ARES_EREFUSED: snprintf(buf, len, "refused"); return;
        case ARES_EFORMERR: snprintf(buf, len, "formerr"); return;
        case ARES_EBADRESP: snprintf(buf, len, "badresp"); return;
        case ARES_ECONNREFUSED: snprintf(buf, len, "conn-refused"); return;
        case ARES_ENOTIMP: snprintf(buf, len, "notimp"); return;
        default: break;
        }
        size_t i = 0;
        for (const char *p = name + (strncmp(name, "ARES_E", 6) == 0 ? 6 : 0); *p && i + 1 < len; p++)
                buf[i++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        if (len)
                buf[i] = '\0';
}

static double ms_since(const struct timespec *t0)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Fills o from what ares_getaddrinfo reported. */
static void outcome_from_ares(struct outcome *o, int status, const struct ares_addrinfo *res)
{
        char reason[32];
        const char *name = status_name(status);
        const char *text = ares_strerror(status);

        switch (status) {
        case ARES_SUCCESS:
                for (const struct ares_addrinfo_node *n = res ? res->nodes : NULL; n; n = n->ai_next) {
                        if (n->ai_family == AF_INET)
                                outcome_add_addr(o, 4, &((const struct sockaddr_in *)n->ai_addr)->sin_addr);
                        else if (n->ai_family == AF_INET6)
                                outcome_add_addr(o, 6, &((const struct sockaddr_in6 *)n->ai_addr)->sin6_addr);
                }
                outcome_set(o, OUTCOME_ADDRESSES, "", "%s: %zu address%s", name, o->naddrs,
                            o->naddrs == 1 ? "" : "es");
                return;
        case ARES_ENODATA: outcome_set(o, OUTCOME_NODATA, "", "%s: %s", name, text); return;
        case ARES_ENOTFOUND: outcome_set(o, OUTCOME_NXDOMAIN, "", "%s: %s", name, text); return;
        case ARES_ETIMEOUT: outcome_set(o, OUTCOME_TIMEOUT, "", "%s: %s", name, text); return;
        default:
                error_reason(status, reason, sizeof(reason));
                outcome_set(o, OUTCOME_ERROR, reason, "%s: %s", name, text);
                return;
        }
}

static void live_unlink(struct cares_lookup *cl)
{
        if (cl->prev)
                cl->prev->next = cl->next;
        else
                cl->cc->live = cl->next;
        if (cl->next)
                cl->next->prev = cl->prev;
        cl->prev = cl->next = NULL;
}

/* Releases everything but the lookup itself. Destroying the channel closes
 * its sockets, which calls on_sock_state and frees their events. */
static void lookup_release(struct cares_lookup *cl)
{
        if (cl->channel) {
                ares_channel ch = cl->channel;
                cl->channel = NULL;
                ares_destroy(ch);
        }
        while (cl->socks) {
                struct cares_sock *s = cl->socks;
                cl->socks = s->next;
                event_free(s->ev);
                free(s);
        }
        if (cl->timer)
                event_free(cl->timer);
        if (cl->report)
                event_free(cl->report);
        cl->timer = cl->report = NULL;
}

/* Re-arms the timer from ares_timeout (nothing to wait for: disarmed). */
static void timer_update(struct cares_lookup *cl)
{
        struct timeval tv, *tvp;

        if (!cl->channel || cl->finished)
                return;
        tvp = ares_timeout(cl->channel, NULL, &tv);
        if (tvp)
                evtimer_add(cl->timer, tvp);
        else
                evtimer_del(cl->timer);
}

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
        struct cares_lookup *cl = arg;
        if (!cl->channel)
                return;
        ares_process_fd(cl->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
                        (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
        timer_update(cl);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
        struct cares_lookup *cl = arg;
        (void)fd; (void)what;
        if (!cl->channel)
                return;
        ares_process_fd(cl->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        timer_update(cl);
}

/* ARES_OPT_SOCK_STATE_CB: watch fd for what c-ares asks, or forget it. */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
        struct cares_lookup *cl = data;
        struct cares_sock **pp = &cl->socks, *s;

        while (*pp && (*pp)->fd != fd)
                pp = &(*pp)->next;
        s = *pp;
        if (s) {
                event_free(s->ev);
                s->ev = NULL;
        }
        if (!readable && !writable) {
                if (s) {
                        *pp = s->next;
                        free(s);
                }
                return;
        }
        if (!s) {
                if (!(s = calloc(1, sizeof(*s))))
                        return;   /* the query then times out: nothing better to do */
                s->fd = fd;
                s->next = cl->socks;
                cl->socks = s;
        }
        short what = (short)(EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
        s->ev = event_new(cl->base, fd, what, on_sock_event, cl);
        if (s->ev)
                event_add(s->ev, NULL);
}

/* ares_getaddrinfo's callback: runs inside ares_process_fd, ares_getaddrinfo
 * or ares_destroy. Stores the outcome; `report` does the rest. */
static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
        struct cares_lookup *cl = arg;
        (void)timeouts;

        if (!cl->cancelled && !cl->finished) {
                outcome_from_ares(&cl->o, status, res);
                cl->o.elapsed_ms = ms_since(&cl->started);
                cl->finished = true;
                evtimer_del(cl->timer);
                event_active(cl->report, EV_TIMEOUT, 0);
        }
        if (res)
                ares_freeaddrinfo(res);
}

static void on_report(evutil_socket_t fd, short what, void *arg)
{
        struct cares_lookup *cl = arg;
        (void)fd; (void)what;

        live_unlink(cl);
        lookup_release(cl);
        if (cl->done)
                cl->done(cl->arg, &cl->o);
        free(cl);
}

/* Creates the lookup's channel for server sa. Returns an ARES_* status. */
static int channel_open(struct cares_lookup *cl, const struct sockaddr_storage *sa,
                        unsigned timeout_ms)
{
        struct ares_options opt;
        struct ares_addr_port_node server;
        char lookups[] = "b";
        int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
                   ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB;
        int status;

        memset(&opt, 0, sizeof(opt));
        memset(&server, 0, sizeof(server));
        opt.flags = cl->cc->flags | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
        opt.timeout = (int)(timeout_ms ? timeout_ms : 1000);
        opt.tries = 1;
        opt.ndots = 1;
        opt.domains = NULL;
        opt.ndomains = 0;
        opt.lookups = lookups;
        opt.sock_state_cb = on_sock_state;
        opt.sock_state_cb_data = cl;
        if (cl->cc->flags & ARES_FLAG_EDNS) {
                mask |= ARES_OPT_EDNSPSZ;
                opt.ednspsz = CARES_EDNS_SIZE;
        }
        if (sa->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
                server.family = AF_INET;
                server.addr.addr4 = in->sin_addr;
                server.udp_port = server.tcp_port = ntohs(in->sin_port);
        } else if (sa->ss_family == AF_INET6) {
                const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
                server.family = AF_INET6;
                memcpy(&server.addr.addr6, &in6->sin6_addr, sizeof(in6->sin6_addr));
                server.udp_port = server.tcp_port = ntohs(in6->sin6_port);
        } else {
                return ARES_EBADFAMILY;
        }
        status = ares_init_options(&cl->channel, &opt, mask);
        if (status != ARES_SUCCESS) {
                cl->channel = NULL;
                return status;
        }
        return ares_set_servers_ports(cl->channel, &server);
}

static int cares_start(struct client *c, struct event_base *base, const struct lookup *l,
                       client_done_fn done, void *arg, void **handle)
{
        struct cares_lookup *cl;
        struct ares_addrinfo_hints hints;
        int ret = -1, family = l->qtype == DNS_TYPE_A ? AF_INET : l->qtype == DNS_TYPE_AAAA ? AF_INET6
                             : l->qtype == QTYPE_ADDR ? AF_UNSPEC : -1;

        if (family < 0 || !(cl = calloc(1, sizeof(*cl))))
                return -1;
        cl->cc = c->impl;
        cl->base = base;
        cl->done = done;
        cl->arg = arg;
        outcome_init(&cl->o);
        clock_gettime(CLOCK_MONOTONIC, &cl->started);
        cl->timer = evtimer_new(base, on_timer, cl);
        cl->report = event_new(base, -1, 0, on_report, cl);
        if (!cl->timer || !cl->report || channel_open(cl, &l->server, l->timeout_ms) != ARES_SUCCESS)
                goto cleanup;
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = family;
        /* may call on_addrinfo at once; done still comes later, from `report` */
        ares_getaddrinfo(cl->channel, l->qname, NULL, &hints, on_addrinfo, cl);
        timer_update(cl);
        cl->next = cl->cc->live;
        if (cl->next)
                cl->next->prev = cl;
        cl->cc->live = cl;
        *handle = cl;
        cl = NULL;     /* owned by the loop until on_report or cares_cancel */
        ret = 0;
cleanup:
        if (cl) {
                lookup_release(cl);
                free(cl);
        }
        return ret;
}

static void cares_cancel(struct client *c, void *handle)
{
        struct cares_lookup *cl = handle;
        (void)c;
        cl->cancelled = true;
        live_unlink(cl);
        lookup_release(cl);   /* on_addrinfo sees ARES_EDESTRUCTION and ignores it */
        free(cl);
}

/* Every lookup's channel, sockets and events belong to one run's loop:
 * lookups still live are cancelled (done is not called). */
static void cares_detach(struct client *c)
{
        struct cares_client *cc = c->impl;
        while (cc && cc->live)
                cares_cancel(c, cc->live);
}

static void cares_destroy(struct client *c)
{
        cares_detach(c);
        free(c->impl);
        c->impl = NULL;
}

static const struct client_ops cares_ops = {
        .start = cares_start,
        .cancel = cares_cancel,
        .detach = cares_detach,
        .destroy = cares_destroy,
};

static int add_one(struct client_set *set, const char *suffix, int flags, const char *twin,
                   const char *knob)
{
        struct client *c = calloc(1, sizeof(*c));
        struct cares_client *cc = calloc(1, sizeof(*cc));

        if (!c || !cc || client_set_add(set, c) < 0) {
                free(c);
                free(cc);
                return -1;
        }
        cc->flags = flags;
        snprintf(c->name, sizeof(c->name), "real:c-ares-1.18%s", suffix);
        snprintf(c->twin, sizeof(c->twin), "%s", twin);
        snprintf(c->stands_for, sizeof(c->stands_for),
                 "c-ares %s (ares_version(); Debian 12 libc-ares2 1.18.1)%s", ares_version(NULL),
                 knob);
        snprintf(c->source, sizeof(c->source),
                 "the library itself: ares_getaddrinfo on a private channel, one try, no search");
        c->kind = CLIENT_REAL;
        c->endpoint = ENDPOINT_ANY_PORT;
        c->available = true;
        c->max_parallel = 0;
        c->any_type = false;
        c->ops = &cares_ops;
        c->impl = cc;
        return 0;
}

int real_cares_register(struct client_set *set)
{
        static bool initialised;

        if (!initialised) {
                if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
                        return -1;
                initialised = true;
        }
        if (add_one(set, "", 0, "c-ares-1.18", "") < 0 ||
            add_one(set, "-igntc", ARES_FLAG_IGNTC, "c-ares-1.18-igntc", " with ARES_FLAG_IGNTC") < 0 ||
            add_one(set, "-edns", ARES_FLAG_EDNS, "c-ares-1.18-edns",
                    " with ARES_FLAG_EDNS, ednspsz 1232") < 0 ||
            add_one(set, "-usevc", ARES_FLAG_USEVC, "", " with ARES_FLAG_USEVC (TCP only)") < 0)
                return -1;
        return 0;
}
