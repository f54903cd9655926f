#include "clients/engine/stub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "clients/engine/reply.h"
#include "harness/wire/writer.h"
#include "harness/zone/params.h"

static const char *const stub_state_table[STUB_STATE_MAX] = {
        [STUB_INIT] = "init",
        [STUB_UDP_WAIT] = "udp-wait",
        [STUB_TCP_CONNECT] = "tcp-connect",
        [STUB_TCP_WRITE] = "tcp-write",
        [STUB_TCP_READ] = "tcp-read",
        [STUB_DONE] = "done",
};

const char *stub_state_to_string(enum stub_state s)
{
        return (s >= 0 && s < STUB_STATE_MAX) ? stub_state_table[s] : "invalid";
}

struct stub_lookup;

struct stub_query {
        struct stub_lookup *l;
        const struct profile *p;      /* how this query reads its replies */
        struct stub_question q;
        enum stub_state state;
        int attempt;
        int fd;
        struct event *io;
        struct event *timer;
        uint8_t wire[DNS_NAME_MAX + 64];
        size_t wire_len;
        uint8_t *buf;                 /* 65535 + 2: datagrams and TCP replies */
        size_t got, need;             /* TCP: bytes read, bytes expected (with prefix) */
        size_t sent;                  /* TCP: bytes of prefix+query written */
        bool have_udp;                /* a truncated UDP answer is kept (tcp-failure) */
        uint8_t *udp_kept;            /* its bytes */
        size_t udp_kept_len;
        struct outcome udp_result;
        struct outcome result;
        bool damaged;                 /* the last reply read did not parse to its end */
        int rounds;                   /* messages sent: of two queries, the one with more
                                       * rounds completes the lookup (ties: the later one) */
        char note[128];
};

struct stub_lookup {
        struct client *c;
        const struct profile *p;
        struct event_base *base;
        struct lookup lookup;
        client_done_fn done;
        void *arg;
        struct stub_query q[2];
        int nq, pending;
        bool edns_off;                /* formerr-retry-plain = channel: EDNS turned off */
        struct profile aaaa_keeps_prefix;  /* both-bad-reply = a-fails: the AAAA query's */
        bool starting;                /* inside stub_start: finishing is deferred */
        struct event *finish_ev;
        struct timeval started;
};

static uint16_t next_id(void)
{
        static uint16_t id;
        if (id == 0)
                id = (uint16_t)(getpid() * 7919u);
        return id += 40503u;
}

static void query_close_io(struct stub_query *sq)
{
        if (sq->io) {
                event_free(sq->io);
                sq->io = NULL;
        }
        if (sq->fd >= 0) {
                close(sq->fd);
                sq->fd = -1;
        }
}

static void query_release(struct stub_query *sq)
{
        query_close_io(sq);
        if (sq->timer) {
                event_free(sq->timer);
                sq->timer = NULL;
        }
        free(sq->buf);
        sq->buf = NULL;
        free(sq->udp_kept);
        sq->udp_kept = NULL;
}

static void lookup_free(struct stub_lookup *l)
{
        for (int i = 0; i < l->nq; i++)
                query_release(&l->q[i]);
        if (l->finish_ev)
                event_free(l->finish_ev);
        free(l);
}

/* The query whose failure fails a lookup of both families (both-fail-on-error):
 * an error or timeout of either, or NULL. A lame server is not such a failure
 * (measured, glibc: the other family's addresses are returned). */
static const struct outcome *failed_query(const struct stub_lookup *l)
{
        for (int i = 0; l->nq > 1 && l->p->both_fail_on_error && i < l->nq; i++)
                if ((l->q[i].result.status == OUTCOME_ERROR &&
                     strcmp(l->q[i].result.reason, "lame-server") != 0) ||
                    l->q[i].result.status == OUTCOME_TIMEOUT)
                        return &l->q[i].result;
        return NULL;
}

/* The query of two whose damaged reply fails the lookup (both-bad-reply),
 * or NULL. */
static const struct stub_query *damaged_query(const struct stub_lookup *l)
{
        const struct stub_query *last;

        if (l->nq < 2)
                return NULL;
        switch (l->p->both_bad_reply) {
        case PROFILE_BOTH_BAD_REPLY_LAST_FAILS:
                last = l->q[0].rounds > l->q[1].rounds ? &l->q[0] : &l->q[1];
                return last->damaged && last->result.status != OUTCOME_ADDRESSES ? last : NULL;
        case PROFILE_BOTH_BAD_REPLY_A_FAILS:
                return l->q[0].damaged && l->q[0].result.status != OUTCOME_ADDRESSES ? &l->q[0] : NULL;
        case PROFILE_BOTH_BAD_REPLY_PER_FAMILY:
        default:
                return NULL;
        }
}

/* How a damaged reply fails a lookup of both families. */
static void damaged_outcome(const struct stub_lookup *l, const struct stub_query *d,
                            struct outcome *o)
{
        if (l->p->both_bad_reply != PROFILE_BOTH_BAD_REPLY_A_FAILS) {
                o->status = d->result.status;
                memcpy(o->reason, d->result.reason, sizeof(o->reason));
                memcpy(o->message, d->result.message, sizeof(o->message));
                return;
        }
        switch (l->p->both_bad_reply_as) {
        case PROFILE_BAD_REPLY_NXDOMAIN:
                outcome_set(o, OUTCOME_NXDOMAIN, "", "malformed A reply fails both families "
                            "(reported as no such name)");
                break;
        case PROFILE_BAD_REPLY_NODATA:
                outcome_set(o, OUTCOME_NODATA, "", "malformed A reply fails both families "
                            "(reported as no data)");
                break;
        default:
                outcome_set(o, OUTCOME_ERROR, "badresp", "malformed A reply fails both families");
                break;
        }
}

/* Joins the queries' results into o: any addresses win (at most
 * max-addresses in all); else the first failure. */
static void join_results(const struct stub_lookup *l, struct outcome *o)
{
        const struct outcome *failed = failed_query(l);
        size_t cap = l->p->max_addresses > 0 ? (size_t)l->p->max_addresses : SIZE_MAX;
        for (int i = 0; !failed && i < l->nq; i++)
                for (size_t k = 0; l->q[i].result.status == OUTCOME_ADDRESSES &&
                                   k < l->q[i].result.naddrs && o->naddrs < cap; k++)
                        outcome_add_addr(o, l->q[i].result.addrs[k].family, l->q[i].result.addrs[k].addr);
        if (failed) {
                o->status = failed->status;
                memcpy(o->reason, failed->reason, sizeof(o->reason));
                memcpy(o->message, failed->message, sizeof(o->message));
        } else if (o->naddrs == 0) {
                const struct outcome *pick = &l->q[0].result;
                for (int i = 0; i < l->nq; i++)
                        if (l->q[i].result.status != OUTCOME_NODATA &&
                            l->q[i].result.status != OUTCOME_NXDOMAIN) {
                                pick = &l->q[i].result;
                                break;
                        }
                o->status = pick->status;
                memcpy(o->reason, pick->reason, sizeof(o->reason));
                memcpy(o->message, pick->message, sizeof(o->message));
        }
}

/* Reports the lookup's outcome: a damaged reply that fails it
 * (both-bad-reply), else the joined results. */
static void lookup_finish(struct stub_lookup *l)
{
        struct outcome *o = malloc(sizeof(*o));
        struct timeval now;

        if (!o) {
                lookup_free(l);
                return;
        }
        outcome_init(o);
        const struct stub_query *damaged = damaged_query(l);
        if (damaged)
                damaged_outcome(l, damaged, o);
        else
                join_results(l, o);
        if (l->q[0].note[0] && strlen(o->message) == 0)
                snprintf(o->message, sizeof(o->message), "%s", l->q[0].note);
        gettimeofday(&now, NULL);
        o->elapsed_ms = (double)(now.tv_sec - l->started.tv_sec) * 1000.0 +
                        (double)(now.tv_usec - l->started.tv_usec) / 1000.0;
        l->done(l->arg, o);
        free(o);
        lookup_free(l);
}

static void query_done(struct stub_query *sq)
{
        struct stub_lookup *l = sq->l;
        query_close_io(sq);
        if (sq->timer)
                evtimer_del(sq->timer);
        sq->state = STUB_DONE;
        if (--l->pending == 0 && !l->starting)
                lookup_finish(l);
}

static void lookup_finish_deferred(evutil_socket_t fd, short what, void *arg)
{
        (void)fd; (void)what;
        lookup_finish(arg);
}

static void query_fail(struct stub_query *sq, enum outcome_status st, const char *reason,
                       const char *msg)
{
        outcome_init(&sq->result);
        outcome_set(&sq->result, st, reason, "%s", msg);
        query_done(sq);
}

/* Builds the query message: RD=1, one question, OPT when the profile sends EDNS. */
static void query_build(struct stub_query *sq, bool edns)
{
        struct wire_writer w;
        struct dns_header h = { .id = sq->q.id, .flags = DNS_FLAG_RD, .qdcount = 1,
                                .arcount = edns ? 1 : 0 };
        wire_writer_init(&w, sq->wire, sizeof(sq->wire), false);
        wire_write_header(&w, &h);
        wire_write_question(&w, sq->q.qname, sq->q.qname_len, sq->q.qtype, DNS_CLASS_IN);
        if (edns)
                wire_write_opt(&w, (uint16_t)sq->l->p->edns, 0, 0, 0);
        sq->wire_len = w.len;
        sq->q.sent_edns = edns;
}

static void query_arm_timer(struct stub_query *sq)
{
        struct timeval tv = { sq->l->p->timeout_ms / 1000, (sq->l->p->timeout_ms % 1000) * 1000 };
        evtimer_add(sq->timer, &tv);
}

static void tcp_start(struct stub_query *sq);
static void udp_send(struct stub_query *sq);

/* Applies what reply_interpret decided. */
static void query_act(struct stub_query *sq, enum reply_action a, bool tcp, struct outcome *r)
{
        switch (a) {
        case REPLY_IGNORE:
                if (tcp)
                        query_fail(sq, OUTCOME_ERROR, "badresp", "unusable TCP reply");
                return;
        case REPLY_DONE:
                sq->result = *r;
                query_done(sq);
                return;
        case REPLY_RETRY_TCP:
                sq->have_udp = true;
                free(sq->udp_kept);
                sq->udp_kept = malloc(sq->udp_kept_len ? sq->udp_kept_len : 1);
                if (sq->udp_kept)
                        memcpy(sq->udp_kept, sq->buf, sq->udp_kept_len);
                else
                        sq->have_udp = false;
                tcp_start(sq);
                return;
        case REPLY_RETRY_PLAIN:
                if (sq->p->formerr_retry_plain == PROFILE_FORMERR_RETRY_CHANNEL) {
                        if (sq->l->edns_off) {
                                query_fail(sq, OUTCOME_ERROR, "formerr", "server answered formerr "
                                           "(EDNS was already turned off for the channel)");
                                return;
                        }
                        sq->l->edns_off = true;
                }
                /* the same try again without OPT, on the transport that got the FORMERR */
                query_build(sq, false);
                if (tcp || sq->l->p->transport == PROFILE_TRANSPORT_TCP_ONLY) {
                        tcp_start(sq);
                        return;
                }
                query_close_io(sq);
                sq->attempt--;
                udp_send(sq);
                return;
        case REPLY_NEXT:
        default:
                if (!tcp && sq->attempt < sq->l->p->attempts) {
                        query_close_io(sq);
                        udp_send(sq);
                        return;
                }
                sq->result = *r;
                query_done(sq);
                return;
        }
}

static void udp_readable(evutil_socket_t fd, short what, void *arg)
{
        struct stub_query *sq = arg;
        struct outcome *r = &sq->udp_result;
        ssize_t n;
        (void)what;

        n = recv(fd, sq->buf, 65535, MSG_TRUNC);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                outcome_init(r);
                outcome_set(r, OUTCOME_ERROR, "conn-refused", "udp: %s", strerror(errno));
                query_act(sq, REPLY_NEXT, false, r);
                return;
        }
        if (n > 65535)
                n = 65535;  /* MSG_TRUNC reports the real length; we read this much */
        sq->udp_kept_len = (size_t)n;
        struct reply_info info;
        enum reply_action a = reply_interpret(sq->p, &sq->q, sq->buf, (size_t)n, false, r,
                                              sq->note, sizeof(sq->note), &info);
        sq->damaged = info.damaged;
        query_act(sq, a, false, r);
}

static int connect_socket(struct stub_query *sq, int type)
{
        const struct lookup *l = &sq->l->lookup;
        int fd = socket(l->server.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -1;
        if (connect(fd, (const struct sockaddr *)&l->server, l->server_len) < 0 &&
            errno != EINPROGRESS) {
                close(fd);
                return -1;
        }
        return fd;
}

static void udp_send(struct stub_query *sq)
{
        sq->attempt++;
        sq->rounds++;
        sq->fd = connect_socket(sq, SOCK_DGRAM);
        if (sq->fd < 0) {
                query_fail(sq, OUTCOME_HARNESS_ERROR, "socket", strerror(errno));
                return;
        }
        sq->io = event_new(sq->l->base, sq->fd, EV_READ | EV_PERSIST, udp_readable, sq);
        if (!sq->io || event_add(sq->io, NULL) < 0 || send(sq->fd, sq->wire, sq->wire_len, 0) < 0) {
                query_fail(sq, OUTCOME_HARNESS_ERROR, "socket", "cannot send the UDP query");
                return;
        }
        sq->state = STUB_UDP_WAIT;
        query_arm_timer(sq);
}

/* TCP failed: the profile decides between an error and the UDP answer kept. */
static void tcp_failed(struct stub_query *sq, const char *why)
{
        if (sq->have_udp && sq->l->p->tcp_failure == PROFILE_TCP_FAILURE_USE_UDP) {
                /* re-read the kept UDP reply with the TC bit ignored */
                struct profile p = *sq->p;
                struct outcome r;
                struct reply_info info;
                p.tc = PROFILE_TC_USE;
                p.oversize = PROFILE_OVERSIZE_CUT;
                enum reply_action a = reply_interpret(&p, &sq->q, sq->udp_kept, sq->udp_kept_len,
                                                      false, &r, sq->note, sizeof(sq->note), &info);
                sq->damaged = info.damaged;
                if (a != REPLY_DONE)
                        outcome_set(&r, OUTCOME_ERROR, "tcp-failed", "%s", why);
                sq->result = r;
                query_done(sq);
                return;
        }
        query_fail(sq, OUTCOME_ERROR, "tcp-failed", why);
}

static void tcp_io(evutil_socket_t fd, short what, void *arg);

static void tcp_set_io(struct stub_query *sq, short what)
{
        if (sq->io)
                event_free(sq->io);
        sq->io = event_new(sq->l->base, sq->fd, what | EV_PERSIST, tcp_io, sq);
        if (sq->io)
                event_add(sq->io, NULL);
}

static void tcp_read_some(struct stub_query *sq)
{
        ssize_t n = recv(sq->fd, sq->buf + sq->got, sq->need - sq->got, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                char why[96];
                snprintf(why, sizeof(why), "tcp: %s after %zu bytes",
                         n == 0 ? "connection closed" : strerror(errno), sq->got);
                enum profile_bad_reply closed = sq->q.qtype == DNS_TYPE_AAAA
                        ? sq->l->p->tcp_closed_aaaa : sq->l->p->tcp_closed_a;
                if (n == 0 && closed == PROFILE_BAD_REPLY_NXDOMAIN) {
                        query_fail(sq, OUTCOME_NXDOMAIN, "", why);
                        return;
                }
                if (n == 0 && closed == PROFILE_BAD_REPLY_NODATA) {
                        query_fail(sq, OUTCOME_NODATA, "", why);
                        return;
                }
                tcp_failed(sq, why);
                return;
        }
        sq->got += (size_t)n;
        if (sq->got == 2 && sq->need == 2) {
                sq->need = 2 + ((size_t)sq->buf[0] << 8 | sq->buf[1]);
                return;
        }
        if (sq->got < sq->need)
                return;
        struct outcome r;
        struct reply_info info;
        enum reply_action a = reply_interpret(sq->p, &sq->q, sq->buf + 2, sq->need - 2, true,
                                              &r, sq->note, sizeof(sq->note), &info);
        sq->damaged = info.damaged;
        query_act(sq, a, true, &r);
}

static void tcp_io(evutil_socket_t fd, short what, void *arg)
{
        struct stub_query *sq = arg;
        (void)what;
        if (sq->state == STUB_TCP_CONNECT) {
                int err = 0;
                socklen_t len = sizeof(err);
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) {
                        char why[96];
                        snprintf(why, sizeof(why), "tcp connect: %s", strerror(err));
                        tcp_failed(sq, why);
                        return;
                }
                sq->state = STUB_TCP_WRITE;
        }
        if (sq->state == STUB_TCP_WRITE) {
                uint8_t out[sizeof(sq->wire) + 2];
                out[0] = (uint8_t)(sq->wire_len >> 8);
                out[1] = (uint8_t)sq->wire_len;
                memcpy(out + 2, sq->wire, sq->wire_len);
                ssize_t n = send(fd, out + sq->sent, sq->wire_len + 2 - sq->sent, MSG_NOSIGNAL);
                if (n < 0 && errno != EAGAIN) {
                        tcp_failed(sq, "tcp: write failed");
                        return;
                }
                if (n > 0)
                        sq->sent += (size_t)n;
                if (sq->sent < sq->wire_len + 2)
                        return;
                sq->state = STUB_TCP_READ;
                sq->got = 0;
                sq->need = 2;
                tcp_set_io(sq, EV_READ);
                return;
        }
        if (sq->state == STUB_TCP_READ)
                tcp_read_some(sq);
}

static void tcp_start(struct stub_query *sq)
{
        sq->rounds++;
        query_close_io(sq);
        sq->fd = connect_socket(sq, SOCK_STREAM);
        if (sq->fd < 0) {
                char why[96];
                snprintf(why, sizeof(why), "tcp connect: %s", strerror(errno));
                tcp_failed(sq, why);
                return;
        }
        sq->state = STUB_TCP_CONNECT;
        sq->sent = 0;
        tcp_set_io(sq, EV_WRITE);
        evtimer_del(sq->timer);
        query_arm_timer(sq);
}

static void query_timeout(evutil_socket_t fd, short what, void *arg)
{
        struct stub_query *sq = arg;
        (void)fd; (void)what;
        if (sq->state == STUB_UDP_WAIT && sq->attempt < sq->l->p->attempts) {
                query_close_io(sq);
                udp_send(sq);
                return;
        }
        if (sq->state != STUB_UDP_WAIT && sq->have_udp &&
            sq->l->p->tcp_failure == PROFILE_TCP_FAILURE_USE_UDP) {
                tcp_failed(sq, "tcp: timed out");
                return;
        }
        if (sq->l->p->timeout_as == PROFILE_TIMEOUT_AS_NXDOMAIN)
                query_fail(sq, OUTCOME_NXDOMAIN, "", sq->state == STUB_UDP_WAIT
                           ? "no UDP reply (reported as no such name)"
                           : "no TCP reply (reported as no such name)");
        else
                query_fail(sq, OUTCOME_TIMEOUT, "", sq->state == STUB_UDP_WAIT ? "no UDP reply"
                                                                                : "no TCP reply");
}

static int query_init(struct stub_lookup *l, struct stub_query *sq, uint16_t qtype)
{
        memset(sq, 0, sizeof(*sq));
        sq->l = l;
        sq->p = l->p;
        sq->fd = -1;
        sq->q.id = next_id();
        sq->q.qtype = qtype;
        if (wire_name_from_text(l->lookup.qname, sq->q.qname, &sq->q.qname_len) < 0)
                return -1;
        sq->buf = malloc(65535 + 2);
        sq->timer = evtimer_new(l->base, query_timeout, sq);
        if (!sq->buf || !sq->timer)
                return -1;
        query_build(sq, l->p->edns > 0);
        outcome_init(&sq->result);
        return 0;
}

static void query_begin(struct stub_query *sq)
{
        if (sq->l->p->transport == PROFILE_TRANSPORT_TCP_ONLY)
                tcp_start(sq);
        else
                udp_send(sq);
}

static int stub_start(struct client *c, struct event_base *base, const struct lookup *lk,
                      client_done_fn done, void *arg, void **handle)
{
        struct stub_lookup *l = calloc(1, sizeof(*l));
        if (!l)
                return -1;
        l->c = c;
        l->p = c->impl;
        l->base = base;
        l->lookup = *lk;
        l->done = done;
        l->arg = arg;
        gettimeofday(&l->started, NULL);
        if (lk->qtype == QTYPE_ADDR) {
                l->nq = 2;
                if (query_init(l, &l->q[0], DNS_TYPE_A) < 0 || query_init(l, &l->q[1], DNS_TYPE_AAAA) < 0)
                        goto fail;
                if (l->p->both_bad_reply == PROFILE_BOTH_BAD_REPLY_A_FAILS) {
                        l->aaaa_keeps_prefix = *l->p;
                        l->aaaa_keeps_prefix.parse = PROFILE_PARSE_KEEP_PARTIAL;
                        l->q[1].p = &l->aaaa_keeps_prefix;
                }
        } else {
                l->nq = 1;
                if (query_init(l, &l->q[0], (uint16_t)lk->qtype) < 0)
                        goto fail;
        }
        l->pending = l->nq;
        l->finish_ev = evtimer_new(base, lookup_finish_deferred, l);
        if (!l->finish_ev)
                goto fail;
        *handle = l;
        /* a query may fail at once; done() must still come later, from the loop */
        l->starting = true;
        for (int i = 0; i < l->nq; i++)
                query_begin(&l->q[i]);
        l->starting = false;
        if (l->pending == 0) {
                struct timeval now = { 0, 0 };
                evtimer_add(l->finish_ev, &now);
        }
        return 0;
fail:
        lookup_free(l);
        return -1;
}

static void stub_cancel(struct client *c, void *handle)
{
        (void)c;
        lookup_free(handle);
}

static void stub_destroy(struct client *c)
{
        free(c->impl);
        c->impl = NULL;
}

static const struct client_ops stub_ops = {
        .start = stub_start,
        .cancel = stub_cancel,
        .destroy = stub_destroy,
};

struct client *stub_client_new(const struct profile *p)
{
        struct client *c = calloc(1, sizeof(*c));
        struct profile *copy = malloc(sizeof(*copy));
        if (!c || !copy) {
                free(c);
                free(copy);
                return NULL;
        }
        *copy = *p;
        snprintf(c->name, sizeof(c->name), "%s", p->name);
        snprintf(c->stands_for, sizeof(c->stands_for), "%s", p->stands_for);
        snprintf(c->twin, sizeof(c->twin), "%s", p->twin);
        snprintf(c->source, sizeof(c->source), "%s", p->source);
        c->kind = CLIENT_EMULATED;
        c->endpoint = ENDPOINT_ANY_PORT;
        c->available = true;
        c->any_type = true;
        c->ops = &stub_ops;
        c->impl = copy;
        return c;
}
