/* TCP side of the fake server: length-prefixed queries answered in order on
 * each connection (glibc sends A and AAAA back to back on one), with the
 * point's tcp= behaviour. */
#include "harness/server/server-internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#define SPLIT_CHUNK 64
/* Replies queued for a client that does not read: past this, reading pauses
 * until the client has taken them (or the write times out and it is closed). */
#define CONN_OUTPUT_MAX (256 * 1024)
#define SPLIT_GAP_US 2000
/* After accept() fails for lack of descriptors (EMFILE, ENFILE), accepting
 * stops for this long, or until one of our connections closes. */
#define ACCEPT_PAUSE_MS 100

struct server_conn {
        struct server_conn *prev, *next;
        struct server *s;
        struct bufferevent *bev;
        char peer[64];
        struct event *timer;          /* delay_ms and split writes */
        struct event *deadline;       /* a started query must be whole by then (slowloris) */
        struct evbuffer *out;         /* the framed reply waiting for the timer */
        struct evbuffer *batch;       /* replies to the queries of one read, written
                                         together when the read is handled */
        size_t split_sent;            /* bytes of out's frame written so far */
        bool busy;                    /* a reply is in progress: reading paused */
};

static void conn_unlink(struct server_conn *c)
{
        struct server *s = c->s;
        if (c->prev)
                c->prev->next = c->next;
        else
                s->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        else
                s->conns_tail = c->prev;
        c->prev = c->next = NULL;
}

/* Most recently active first: the tail is what a full server evicts. */
static void conn_push_front(struct server_conn *c)
{
        struct server *s = c->s;
        c->next = s->conns;
        c->prev = NULL;
        if (s->conns)
                s->conns->prev = c;
        else
                s->conns_tail = c;
        s->conns = c;
}

static void conn_free(struct server_conn *c)
{
        struct server *s = c->s;
        conn_unlink(c);
        s->nconns--;
        if (s->accept_paused)
                server_tcp_resume(s);   /* a descriptor is free again */
        if (c->timer)
                event_free(c->timer);
        if (c->deadline)
                event_free(c->deadline);
        if (c->out)
                evbuffer_free(c->out);
        if (c->batch)
                evbuffer_free(c->batch);
        bufferevent_free(c->bev);
        free(c);
}

static void conn_process(struct server_conn *c);

/* Writes the next piece of a split reply: the 2-byte prefix alone, then the
 * message in chunks of SPLIT_CHUNK bytes, each after a short pause. */
static void conn_split_step(struct server_conn *c)
{
        size_t left = evbuffer_get_length(c->out);
        size_t n = c->split_sent == 0 ? 2 : (left < SPLIT_CHUNK ? left : SPLIT_CHUNK);
        struct timeval gap = { 0, SPLIT_GAP_US };

        if (n > left)
                n = left;
        bufferevent_write(c->bev, evbuffer_pullup(c->out, (ssize_t)n), n);
        evbuffer_drain(c->out, n);
        c->split_sent += n;
        if (evbuffer_get_length(c->out) > 0) {
                evtimer_add(c->timer, &gap);
                return;
        }
        c->split_sent = 0;
        c->busy = false;
        bufferevent_enable(c->bev, EV_READ);
        conn_process(c);
}

static void conn_timer(evutil_socket_t fd, short what, void *arg)
{
        struct server_conn *c = arg;
        (void)fd; (void)what;
        if (c->s->pt->params.tcp == TCP_MODE_SPLIT) {
                conn_split_step(c);
                return;
        }
        bufferevent_write_buffer(c->bev, c->out);
        c->busy = false;
        bufferevent_enable(c->bev, EV_READ);
        conn_process(c);
}

/* Sends or schedules one framed reply. */
static void conn_reply(struct server_conn *c, const uint8_t *msg, size_t len)
{
        const struct point_params *p = &c->s->pt->params;
        uint8_t prefix[2] = { (uint8_t)(len >> 8), (uint8_t)len };

        if (p->tcp != TCP_MODE_SPLIT && p->delay_ms == 0) {
                evbuffer_add(c->batch, prefix, 2);
                evbuffer_add(c->batch, msg, len);
                return;
        }
        evbuffer_add(c->out, prefix, 2);
        evbuffer_add(c->out, msg, len);
        c->busy = true;
        bufferevent_disable(c->bev, EV_READ);
        struct timeval tv = { p->delay_ms / 1000, (p->delay_ms % 1000) * 1000 };
        evtimer_add(c->timer, &tv);
}

/* The input holds the start of a query: it must be whole within tcp_idle_ms
 * of the first byte, however slowly the rest trickles in (each byte restarts
 * the bufferevent's idle timeout, not this one). */
static void conn_await_rest(struct server_conn *c)
{
        struct timeval tv = { c->s->cfg.tcp_idle_ms / 1000, (c->s->cfg.tcp_idle_ms % 1000) * 1000 };
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 ||
            evtimer_pending(c->deadline, NULL))
                return;
        evtimer_add(c->deadline, &tv);
}

static void conn_deadline(evutil_socket_t fd, short what, void *arg)
{
        (void)fd; (void)what;
        conn_free(arg);
}

/* Writes the replies batched by conn_reply. With nothing queued before them,
 * one writev on the socket now: handing them to the bufferevent instead
 * costs a second turn of the loop (epoll_ctl to watch for writable,
 * epoll_wait, writev, epoll_ctl to stop), which a client with one query in
 * flight waits for. Whatever the socket does not take now (a full send
 * buffer, an error) goes to the bufferevent, which queues it, or reports
 * the error, as before. */
static void conn_flush(struct server_conn *c)
{
        if (evbuffer_get_length(c->batch) == 0)
                return;
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
                evbuffer_write(c->batch, bufferevent_getfd(c->bev));
        if (evbuffer_get_length(c->batch) > 0)
                bufferevent_write_buffer(c->bev, c->batch);
}

static bool conn_process_queries(struct server_conn *c);

/* Handles every complete query in the input, in order, and writes the
 * replies. Returns after freeing the connection when the behaviour closes it. */
static void conn_process(struct server_conn *c)
{
        if (conn_process_queries(c))
                conn_flush(c);
}

/* conn_process without the write. Returns false when the connection was freed. */
static bool conn_process_queries(struct server_conn *c)
{
        struct server *s = c->s;
        struct evbuffer *in = bufferevent_get_input(c->bev);

        while (!c->busy) {
                uint8_t prefix[2];
                if (evbuffer_get_length(bufferevent_get_output(c->bev)) +
                    evbuffer_get_length(c->batch) > CONN_OUTPUT_MAX) {
                        bufferevent_disable(c->bev, EV_READ);   /* conn_write resumes */
                        return true;
                }
                if (evbuffer_copyout(in, prefix, 2) < 2) {
                        conn_await_rest(c);
                        return true;
                }
                size_t len = (size_t)prefix[0] << 8 | prefix[1];
                if (evbuffer_get_length(in) < len + 2) {
                        conn_await_rest(c);
                        return true;
                }
                evtimer_del(c->deadline);
                if (c != s->conns) {
                        conn_unlink(c);
                        conn_push_front(c);
                }
                evbuffer_drain(in, 2);
                /* copied out: the exchange is reported after the input is drained */
                evbuffer_remove(in, s->query, len);
                struct server_exchange x = { 0 };
                size_t n = server_answer(s->pt, s->query, len, TRANSPORT_TCP, s->reply,
                                         SERVER_REPLY_CAP, &x, s->observer != NULL);
                if (s->observer)
                        snprintf(x.peer, sizeof(x.peer), "%s", c->peer);
                switch (s->pt->params.tcp) {
                case TCP_MODE_BLACKHOLE:
                        /* a blackhole never closes: the connection lives until the server does */
                        bufferevent_set_timeouts(c->bev, NULL, NULL);
                        x.note = "tcp=blackhole";
                        server_note_exchange(s, &x);
                        continue;
                case TCP_MODE_CLOSE:
                        x.note = "tcp=close";
                        server_note_exchange(s, &x);
                        conn_free(c);
                        return false;
                default:
                        break;
                }
                if (n > 0) {
                        x.sent = true;
                        conn_reply(c, s->reply, n);
                }
                server_note_exchange(s, &x);
        }
        return true;
}

/* The output has drained: read again if a full output paused reading. */
static void conn_write(struct bufferevent *bev, void *arg)
{
        struct server_conn *c = arg;
        if (!c->busy && !(bufferevent_get_enabled(bev) & EV_READ)) {
                bufferevent_enable(bev, EV_READ);
                conn_process(c);
        }
}

static void conn_read(struct bufferevent *bev, void *arg)
{
        (void)bev;
        conn_process(arg);
}

static void conn_event(struct bufferevent *bev, short what, void *arg)
{
        (void)bev;
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
                conn_free(arg);
}

/* Makes room for one more connection: closes the least recently active. */
static void conn_evict_oldest(struct server *s)
{
        if (!s->conns_tail)
                return;
        s->stats.tcp_evicted++;
        conn_free(s->conns_tail);
}

static void tcp_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                       int salen, void *arg)
{
        struct server *s = arg;
        struct server_conn *c;
        struct timeval idle = { s->cfg.tcp_idle_ms / 1000, (s->cfg.tcp_idle_ms % 1000) * 1000 };
        char host[INET6_ADDRSTRLEN] = "?";
        int one = 1;
        (void)l; (void)salen;

        if (!s->pt) {   /* parked: a connection of an ended cell is refused */
                close(fd);
                return;
        }
        s->stats.tcp_connections++;
        if (s->nconns >= s->cfg.tcp_max_conns)
                conn_evict_oldest(s);
        if (!(c = calloc(1, sizeof(*c)))) {
                close(fd);
                return;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->s = s;
        c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
        c->timer = evtimer_new(s->base, conn_timer, c);
        c->deadline = evtimer_new(s->base, conn_deadline, c);
        c->out = evbuffer_new();
        c->batch = evbuffer_new();
        if (!c->bev || !c->timer || !c->deadline || !c->out || !c->batch) {
                if (c->bev)
                        bufferevent_free(c->bev);
                else
                        close(fd);
                if (c->timer)
                        event_free(c->timer);
                if (c->deadline)
                        event_free(c->deadline);
                if (c->out)
                        evbuffer_free(c->out);
                if (c->batch)
                        evbuffer_free(c->batch);
                free(c);
                return;
        }
        if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
        else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, host, sizeof(host));
        snprintf(c->peer, sizeof(c->peer), "%s:%u", host,
                 ntohs(sa->sa_family == AF_INET ? ((struct sockaddr_in *)sa)->sin_port
                                                : ((struct sockaddr_in6 *)sa)->sin6_port));
        conn_push_front(c);
        s->nconns++;
        s->accept_paused = false;   /* an episode of EMFILE, if any, is over */
        bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
        /* idle: no byte for tcp_idle_ms, or replies not taken for as long */
        bufferevent_set_timeouts(c->bev, &idle, &idle);
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* accept() failed with something other than a retriable error. Out of
 * descriptors (EMFILE, ENFILE) or memory, retrying at once spins: stop
 * accepting for ACCEPT_PAUSE_MS (or until a connection closes) and say so
 * once per episode, not once per failure. */
static void tcp_accept_error(struct evconnlistener *l, void *arg)
{
        struct server *s = arg;
        int e = EVUTIL_SOCKET_ERROR();
        struct timeval pause = { 0, ACCEPT_PAUSE_MS * 1000 };
        (void)l;

        if (!s->accept_paused)
                fprintf(stderr, "stubcompat: %s:%u: accept: %s; TCP accepting paused, retrying "
                        "every %d ms\n", s->address, s->port, strerror(e), ACCEPT_PAUSE_MS);
        s->stats.tcp_accept_paused++;
        s->accept_paused = true;
        evconnlistener_disable(s->listener);
        evtimer_add(s->accept_resume, &pause);
}

static void tcp_accept_resume(evutil_socket_t fd, short what, void *arg)
{
        (void)fd; (void)what;
        server_tcp_resume(arg);
}

void server_tcp_pause(struct server *s)
{
        if (s->accept_resume)
                evtimer_del(s->accept_resume);
        s->accept_paused = false;
        if (s->listener)
                evconnlistener_disable(s->listener);
}

void server_tcp_resume(struct server *s)
{
        if (s->accept_resume)
                evtimer_del(s->accept_resume);
        if (s->listener && s->pt)
                evconnlistener_enable(s->listener);
}

int server_tcp_start(struct server *s, char *err, size_t errlen)
{
        if (s->pt->params.tcp == TCP_MODE_REFUSE)
                return 0;  /* bound but not listening: the kernel refuses connections */
        s->accept_resume = evtimer_new(s->base, tcp_accept_resume, s);
        if (!s->accept_resume) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        s->listener = evconnlistener_new(s->base, tcp_accept, s,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 128, s->tcp_fd);
        if (!s->listener) {
                snprintf(err, errlen, "%s:%u: cannot listen on TCP", s->address, s->port);
                return -1;
        }
        s->tcp_fd = -1;  /* owned by the listener now */
        evconnlistener_set_error_cb(s->listener, tcp_accept_error);
        return 0;
}

void server_tcp_close_connections(struct server *s)
{
        while (s->conns)
                conn_free(s->conns);
}

void server_tcp_stop(struct server *s)
{
        server_tcp_pause(s);
        while (s->conns)
                conn_free(s->conns);
        if (s->listener)
                evconnlistener_free(s->listener);
        s->listener = NULL;
        if (s->accept_resume)
                event_free(s->accept_resume);
        s->accept_resume = NULL;
        if (s->tcp_fd >= 0)
                close(s->tcp_fd);
        s->tcp_fd = -1;
}
