/* c-ares 1.18 in process, on the harness's libevent loop.
 *
 * Each client keeps a pool of ares channels bound to one run's loop. A lookup
 * takes an idle channel (or creates one), re-points it at the cell's server
 * with ares_set_servers_ports and runs ares_getaddrinfo on it; a channel
 * carries one lookup at a time, so cells never share a channel's state.
 * Creating a channel (ares_init_options reads resolv.conf and /dev/urandom)
 * was most of a cell's cost. Between cells the server list is cleared, which
 * closes the previous cell's sockets. A channel whose state a cell changed
 * (c-ares 1.18 turns ARES_FLAG_EDNS off for the whole channel after a FORMERR,
 * NOTIMP or SERVFAIL to an EDNS query) is destroyed instead of reused.
 *
 * c-ares tells us which sockets it wants watched through
 * ARES_OPT_SOCK_STATE_CB; each becomes a persistent libevent event that calls
 * ares_process_fd. One timer follows ares_timeout(). The getaddrinfo callback
 * runs inside ares_process_fd, where the channel must not be touched, so it
 * only stores the outcome and activates the channel's `report` event; that
 * event calls done() and returns the channel to the pool. done must not
 * detach or destroy the client. */
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

struct cares_chan;

struct cares_client {
        int flags;                    /* ARES_FLAG_* */
        struct event_base *base;      /* the loop every pooled channel is bound to */
        struct cares_chan *busy;      /* channels with a lookup not yet reported */
        struct cares_chan *idle;      /* channels ready for the next lookup */
};

struct cares_sock {
        ares_socket_t fd;
        struct event *ev;
        struct cares_sock *next;
};

/* One channel and, while it is in cc->busy, the one lookup it runs. */
struct cares_chan {
        struct cares_client *cc;
        struct cares_chan *prev, *next;   /* in cc->busy, or next in cc->idle */
        ares_channel channel;
        unsigned timeout_ms;          /* the per-try timeout the channel was made with */
        struct event *timer;
        struct event *report;
        struct cares_sock *socks;
        /* the lookup */
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

static void busy_unlink(struct cares_chan *ch)
{
        if (ch->prev)
                ch->prev->next = ch->next;
        else
                ch->cc->busy = ch->next;
        if (ch->next)
                ch->next->prev = ch->prev;
        ch->prev = ch->next = NULL;
}

static void busy_link(struct cares_chan *ch)
{
        ch->prev = NULL;
        ch->next = ch->cc->busy;
        if (ch->next)
                ch->next->prev = ch;
        ch->cc->busy = ch;
}

/* Destroys the channel (which closes its sockets through on_sock_state),
 * the events and ch itself. ch must be in no list. */
static void chan_free(struct cares_chan *ch)
{
        if (ch->channel) {
                ares_channel channel = ch->channel;
                ch->cancelled = true;   /* on_addrinfo ignores ARES_EDESTRUCTION */
                ch->channel = NULL;
                ares_destroy(channel);
        }
        while (ch->socks) {
                struct cares_sock *s = ch->socks;
                ch->socks = s->next;
                event_free(s->ev);
                free(s);
        }
        if (ch->timer)
                event_free(ch->timer);
        if (ch->report)
                event_free(ch->report);
        free(ch);
}

/* Re-arms the timer from ares_timeout (nothing to wait for: disarmed). */
static void timer_update(struct cares_chan *ch)
{
        struct timeval tv, *tvp;

        if (!ch->channel || ch->finished)
                return;
        tvp = ares_timeout(ch->channel, NULL, &tv);
        if (tvp)
                evtimer_add(ch->timer, tvp);
        else
                evtimer_del(ch->timer);
}

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
        struct cares_chan *ch = arg;
        if (!ch->channel)
                return;
        ares_process_fd(ch->channel, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
                        (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
        timer_update(ch);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
        struct cares_chan *ch = arg;
        (void)fd; (void)what;
        if (!ch->channel)
                return;
        ares_process_fd(ch->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        timer_update(ch);
}

/* ARES_OPT_SOCK_STATE_CB: watch fd for what c-ares asks, or forget it. */
static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
        struct cares_chan *ch = data;
        struct cares_sock **pp = &ch->socks, *s;

        while (*pp && (*pp)->fd != fd)
                pp = &(*pp)->next;
        s = *pp;
        if (!readable && !writable) {
                if (s) {
                        *pp = s->next;
                        event_free(s->ev);
                        free(s);
                }
                return;
        }
        short what = (short)(EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0));
        if (s) {
                if (event_get_events(s->ev) == what)
                        return;
                event_del(s->ev);
                event_assign(s->ev, ch->cc->base, fd, what, on_sock_event, ch);
                event_add(s->ev, NULL);
                return;
        }
        if (!(s = calloc(1, sizeof(*s))))
                return;   /* the query then times out: nothing better to do */
        s->fd = fd;
        if (!(s->ev = event_new(ch->cc->base, fd, what, on_sock_event, ch))) {
                free(s);
                return;
        }
        s->next = ch->socks;
        ch->socks = s;
        event_add(s->ev, NULL);
}

/* ares_getaddrinfo's callback: runs inside ares_process_fd, ares_getaddrinfo
 * or ares_destroy. Stores the outcome; `report` does the rest. */
static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
        struct cares_chan *ch = arg;
        (void)timeouts;

        if (!ch->cancelled && !ch->finished) {
                outcome_from_ares(&ch->o, status, res);
                ch->o.elapsed_ms = ms_since(&ch->started);
                ch->finished = true;
                evtimer_del(ch->timer);
                event_active(ch->report, EV_TIMEOUT, 0);
        }
        if (res)
                ares_freeaddrinfo(res);
}

/* True when the cell left the channel as it was made: c-ares 1.18 drops
 * ARES_FLAG_EDNS for good after an EDNS query is refused. */
static bool chan_reusable(const struct cares_chan *ch)
{
        struct ares_options opt;
        int mask = 0;
        bool same;

        if (!(ch->cc->flags & ARES_FLAG_EDNS))
                return true;
        if (ares_save_options(ch->channel, &opt, &mask) != ARES_SUCCESS)
                return false;
        same = (opt.flags & ARES_FLAG_EDNS) != 0;
        ares_destroy_options(&opt);
        return same;
}

/* Returns a channel whose lookup has ended to the idle pool, its server
 * list cleared (which closes the cell's sockets), or frees it. */
static void chan_put(struct cares_chan *ch)
{
        struct cares_client *cc = ch->cc;

        if (!chan_reusable(ch) || ares_set_servers_ports(ch->channel, NULL) != ARES_SUCCESS) {
                chan_free(ch);
                return;
        }
        ch->done = NULL;
        ch->arg = NULL;
        ch->finished = ch->cancelled = false;
        ch->next = cc->idle;
        cc->idle = ch;
}

static void on_report(evutil_socket_t fd, short what, void *arg)
{
        struct cares_chan *ch = arg;
        (void)fd; (void)what;

        busy_unlink(ch);
        if (ch->done)
                ch->done(ch->arg, &ch->o);   /* ch is in no list: done cannot reach it */
        chan_put(ch);
}

/* A new channel on cc->base with a per-try timeout of timeout_ms and no
 * server yet, or NULL. */
static struct cares_chan *chan_new(struct cares_client *cc, unsigned timeout_ms)
{
        struct cares_chan *ch = calloc(1, sizeof(*ch));
        struct ares_options opt;
        char lookups[] = "b";
        int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_NDOTS |
                   ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB;

        if (!ch)
                return NULL;
        ch->cc = cc;
        ch->timeout_ms = timeout_ms;
        ch->timer = evtimer_new(cc->base, on_timer, ch);
        ch->report = event_new(cc->base, -1, 0, on_report, ch);
        if (!ch->timer || !ch->report)
                goto fail;
        memset(&opt, 0, sizeof(opt));
        opt.flags = cc->flags | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
        opt.timeout = (int)timeout_ms;
        opt.tries = 1;
        opt.ndots = 1;
        opt.domains = NULL;
        opt.ndomains = 0;
        opt.lookups = lookups;
        opt.sock_state_cb = on_sock_state;
        opt.sock_state_cb_data = ch;
        if (cc->flags & ARES_FLAG_EDNS) {
                mask |= ARES_OPT_EDNSPSZ;
                opt.ednspsz = CARES_EDNS_SIZE;
        }
        if (ares_init_options(&ch->channel, &opt, mask) != ARES_SUCCESS) {
                ch->channel = NULL;
                goto fail;
        }
        return ch;
fail:
        chan_free(ch);
        return NULL;
}

/* Drops every pooled channel (they are bound to cc->base). */
static void idle_free(struct cares_client *cc)
{
        while (cc->idle) {
                struct cares_chan *ch = cc->idle;
                cc->idle = ch->next;
                chan_free(ch);
        }
}

/* An idle channel with this timeout on base, or a new one; NULL when out of
 * memory. The channel is in no list. */
static struct cares_chan *chan_get(struct cares_client *cc, struct event_base *base,
                                   unsigned timeout_ms)
{
        if (cc->base != base) {
                if (cc->busy)
                        return NULL;   /* still serving another loop */
                idle_free(cc);
                cc->base = base;
        }
        while (cc->idle) {
                struct cares_chan *ch = cc->idle;
                cc->idle = ch->next;
                ch->next = NULL;
                if (ch->timeout_ms == timeout_ms)
                        return ch;
                chan_free(ch);
        }
        return chan_new(cc, timeout_ms);
}

/* Points ch at the single server sa. Returns an ARES_* status. */
static int chan_point(struct cares_chan *ch, const struct sockaddr_storage *sa)
{
        struct ares_addr_port_node server;

        memset(&server, 0, sizeof(server));
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
        return ares_set_servers_ports(ch->channel, &server);
}

static int cares_start(struct client *c, struct event_base *base, const struct lookup *l,
                       client_done_fn done, void *arg, void **handle)
{
        struct cares_client *cc = c->impl;
        struct cares_chan *ch;
        struct ares_addrinfo_hints hints;
        unsigned timeout_ms = l->timeout_ms ? l->timeout_ms : 1000;
        int family = l->qtype == DNS_TYPE_A ? AF_INET : l->qtype == DNS_TYPE_AAAA ? AF_INET6
                   : l->qtype == QTYPE_ADDR ? AF_UNSPEC : -1;

        if (family < 0 || !(ch = chan_get(cc, base, timeout_ms)))
                return -1;
        if (chan_point(ch, &l->server) != ARES_SUCCESS) {
                chan_free(ch);
                return -1;
        }
        ch->done = done;
        ch->arg = arg;
        outcome_init(&ch->o);
        clock_gettime(CLOCK_MONOTONIC, &ch->started);
        busy_link(ch);
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = family;
        /* The RFC 6724 sort only reorders (verdicts compare address sets) and
         * opens, connects and closes a socket per address: 50 syscalls/cell. */
        hints.ai_flags = ARES_AI_NOSORT;
        /* may call on_addrinfo at once; done still comes later, from `report` */
        ares_getaddrinfo(ch->channel, l->qname, NULL, &hints, on_addrinfo, ch);
        timer_update(ch);
        *handle = ch;   /* owned by the loop until on_report or cares_cancel */
        return 0;
}

static void cares_cancel(struct client *c, void *handle)
{
        struct cares_chan *ch = handle;
        (void)c;
        busy_unlink(ch);
        chan_free(ch);   /* its query may still be pending: not reused */
}

/* Every channel, socket and event belongs to one run's loop: lookups still
 * live are cancelled (done is not called) and the pool is emptied. */
static void cares_detach(struct client *c)
{
        struct cares_client *cc = c->impl;
        if (!cc)
                return;
        while (cc->busy)
                cares_cancel(c, cc->busy);
        idle_free(cc);
        cc->base = NULL;
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
