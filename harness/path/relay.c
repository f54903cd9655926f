/* UDP: one connected socket towards the resolver per stub source address, so
 * replies find their way back. TCP: one connection towards the resolver per
 * stub connection; the bytes are copied both ways as they come, and the
 * length-prefixed messages are counted on the way. */
#include "harness/path/relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "harness/wire/reader.h"

#define RELAY_UDP_PEERS 16
#define RELAY_DATAGRAM_MAX 65535

struct udp_peer {
        struct relay *r;
        struct sockaddr_storage stub;
        socklen_t stub_len;
        int fd;                       /* connected to the resolver; -1: unused */
        struct event *ev;
};

struct tcp_pair {
        struct relay *r;
        struct tcp_pair *next;
        struct bufferevent *stub, *up;
        struct evbuffer *seen[TRANSPORT_MAX];  /* copies to count messages: [0] queries, [1] replies */
        unsigned pending;             /* queries not yet answered */
        bool up_closed;
};

struct relay {
        struct event_base *base;
        uint16_t port, resolver_port;
        int udp_fd;
        struct event *udp_ev;
        struct udp_peer peers[RELAY_UDP_PEERS];
        unsigned next_peer;           /* the one reused when all are taken */
        struct evconnlistener *listener;
        struct tcp_pair *pairs;
        struct relay_stats stats;
        uint8_t buf[RELAY_DATAGRAM_MAX];
};

static void count_reply(struct relay *r, enum transport t, const uint8_t *msg, size_t len)
{
        struct wire_reader rd;
        r->stats.replies[t]++;
        r->stats.bytes[t] = (long)len;
        if (wire_reader_init(&rd, msg, len) < 0) {
                r->stats.records[t] = -1;
                r->stats.rcode = -1;
                return;
        }
        r->stats.records[t] = rd.hdr.ancount;
        r->stats.rcode = rd.hdr.flags & 0x000f;
        if (rd.hdr.flags & 0x0200)
                r->stats.tc_replies++;
}

static struct sockaddr_in resolver_addr(const struct relay *r)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(r->resolver_port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        return a;
}

/* ------------------------------------------------------------------ UDP */

static void peer_close(struct udp_peer *p)
{
        if (p->ev)
                event_free(p->ev);
        if (p->fd >= 0)
                close(p->fd);
        p->ev = NULL;
        p->fd = -1;
}

static void peer_read(evutil_socket_t fd, short what, void *arg)
{
        struct udp_peer *p = arg;
        struct relay *r = p->r;
        (void)what;
        for (;;) {
                ssize_t n = recv(fd, r->buf, sizeof(r->buf), 0);
                if (n < 0)
                        return;  /* EAGAIN, or ECONNREFUSED from a dead resolver */
                count_reply(r, TRANSPORT_UDP, r->buf, (size_t)n);
                sendto(r->udp_fd, r->buf, (size_t)n, 0, (struct sockaddr *)&p->stub, p->stub_len);
        }
}

/* The peer for a stub source address: the existing one, or a new socket. */
static struct udp_peer *peer_for(struct relay *r, const struct sockaddr_storage *ss, socklen_t len)
{
        for (unsigned i = 0; i < RELAY_UDP_PEERS; i++)
                if (r->peers[i].fd >= 0 && r->peers[i].stub_len == len &&
                    memcmp(&r->peers[i].stub, ss, len) == 0)
                        return &r->peers[i];
        struct udp_peer *p = &r->peers[r->next_peer];
        r->next_peer = (r->next_peer + 1) % RELAY_UDP_PEERS;
        peer_close(p);
        struct sockaddr_in to = resolver_addr(r);
        p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&to, sizeof(to)) < 0 ||
            !(p->ev = event_new(r->base, p->fd, EV_READ | EV_PERSIST, peer_read, p)) ||
            event_add(p->ev, NULL) < 0) {
                peer_close(p);
                return NULL;
        }
        p->stub = *ss;
        p->stub_len = len;
        return p;
}

static void udp_read(evutil_socket_t fd, short what, void *arg)
{
        struct relay *r = arg;
        (void)what;
        for (;;) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                ssize_t n = recvfrom(fd, r->buf, sizeof(r->buf), 0, (struct sockaddr *)&ss, &len);
                if (n < 0)
                        return;
                struct udp_peer *p = peer_for(r, &ss, len);
                if (!p)
                        continue;
                r->stats.queries[TRANSPORT_UDP]++;
                send(p->fd, r->buf, (size_t)n, 0);
        }
}

/* ------------------------------------------------------------------ TCP */

static void pair_free(struct tcp_pair *p)
{
        struct relay *r = p->r;
        for (struct tcp_pair **pp = &r->pairs; *pp; pp = &(*pp)->next)
                if (*pp == p) {
                        *pp = p->next;
                        break;
                }
        if (p->pending && p->up_closed)
                r->stats.closed_unanswered++;
        if (p->stub)
                bufferevent_free(p->stub);
        if (p->up)
                bufferevent_free(p->up);
        for (int i = 0; i < TRANSPORT_MAX; i++)
                if (p->seen[i])
                        evbuffer_free(p->seen[i]);
        free(p);
}

/* Counts the whole length-prefixed messages copied into seen[dir]. */
static void count_messages(struct tcp_pair *p, int dir)
{
        struct evbuffer *b = p->seen[dir];
        for (;;) {
                uint8_t pfx[2];
                if (evbuffer_copyout(b, pfx, 2) < 2)
                        return;
                size_t len = (size_t)pfx[0] << 8 | pfx[1];
                if (evbuffer_get_length(b) < 2 + len)
                        return;
                evbuffer_drain(b, 2);
                if (dir == 0) {
                        p->r->stats.queries[TRANSPORT_TCP]++;
                        p->pending++;
                } else {
                        count_reply(p->r, TRANSPORT_TCP, evbuffer_pullup(b, (ssize_t)len), len);
                        if (p->pending)
                                p->pending--;
                }
                evbuffer_drain(b, len);
        }
}

static void pair_copy(struct tcp_pair *p, struct bufferevent *from, struct bufferevent *to, int dir)
{
        struct evbuffer *in = bufferevent_get_input(from);
        evbuffer_add_buffer_reference(p->seen[dir], in);
        count_messages(p, dir);
        bufferevent_write_buffer(to, in);
}

static void stub_read(struct bufferevent *bev, void *arg)
{
        struct tcp_pair *p = arg;
        pair_copy(p, bev, p->up, 0);
}

static void up_read(struct bufferevent *bev, void *arg)
{
        struct tcp_pair *p = arg;
        pair_copy(p, bev, p->stub, 1);
}

/* The stub has taken everything the resolver sent before it closed. */
static void stub_written(struct bufferevent *bev, void *arg)
{
        struct tcp_pair *p = arg;
        (void)bev;
        if (p->up_closed)
                pair_free(p);
}

static void stub_event(struct bufferevent *bev, short what, void *arg)
{
        (void)bev;
        if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
                pair_free(arg);
}

static void up_event(struct bufferevent *bev, short what, void *arg)
{
        struct tcp_pair *p = arg;
        if (!(what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)))
                return;
        up_read(bev, p);
        p->up_closed = true;
        if (evbuffer_get_length(bufferevent_get_output(p->stub)) == 0)
                pair_free(p);
}

static void tcp_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                       int salen, void *arg)
{
        struct relay *r = arg;
        struct tcp_pair *p = calloc(1, sizeof(*p));
        struct sockaddr_in to = resolver_addr(r);
        (void)l; (void)sa; (void)salen;

        if (!p) {
                close(fd);
                return;
        }
        p->r = r;
        p->next = r->pairs;
        r->pairs = p;
        p->stub = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
        p->up = bufferevent_socket_new(r->base, -1, BEV_OPT_CLOSE_ON_FREE);
        p->seen[0] = evbuffer_new();
        p->seen[1] = evbuffer_new();
        if (!p->stub || !p->up || !p->seen[0] || !p->seen[1]) {
                if (!p->stub)
                        close(fd);
                pair_free(p);
                return;
        }
        bufferevent_setcb(p->stub, stub_read, stub_written, stub_event, p);
        bufferevent_setcb(p->up, up_read, NULL, up_event, p);
        bufferevent_enable(p->stub, EV_READ | EV_WRITE);
        bufferevent_enable(p->up, EV_READ | EV_WRITE);
        if (bufferevent_socket_connect(p->up, (struct sockaddr *)&to, sizeof(to)) < 0)
                pair_free(p);
}

/* ------------------------------------------------------------ lifecycle */

static int bind_socket(int type, const char *address, uint16_t port, char *err, size_t errlen)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        int one = 1;
        if (inet_pton(AF_INET, address, &a.sin_addr) != 1) {
                snprintf(err, errlen, "relay: '%s' is not an IPv4 address", address);
                return -1;
        }
        int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd >= 0 && type == SOCK_STREAM)
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
                snprintf(err, errlen, "relay %s:%u: %s", address, port, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

struct relay *relay_new(struct event_base *base, const char *address, uint16_t port,
                        uint16_t resolver_port, char *err, size_t errlen)
{
        struct relay *r = calloc(1, sizeof(*r));
        struct sockaddr_in a;
        socklen_t alen = sizeof(a);
        int tcp_fd = -1;

        if (!r) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        r->base = base;
        r->udp_fd = -1;
        for (unsigned i = 0; i < RELAY_UDP_PEERS; i++)
                r->peers[i] = (struct udp_peer){ .r = r, .fd = -1 };
        relay_reset(r, resolver_port);
        /* the same port for both; with port 0, until the kernel's UDP choice is
         * also free for TCP */
        for (int tries = 0; tcp_fd < 0 && tries < 16; tries++) {
                if (r->udp_fd >= 0)
                        close(r->udp_fd);
                if ((r->udp_fd = bind_socket(SOCK_DGRAM, address, port, err, errlen)) < 0 ||
                    getsockname(r->udp_fd, (struct sockaddr *)&a, &alen) < 0)
                        goto fail;
                r->port = ntohs(a.sin_port);
                tcp_fd = bind_socket(SOCK_STREAM, address, r->port, err, errlen);
                if (port != 0 && tcp_fd < 0)
                        usleep(2000);   /* the last cell's connection closing on port 53 */
        }
        if (tcp_fd < 0)
                goto fail;
        r->listener = evconnlistener_new(base, tcp_accept, r,
                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                         LEV_OPT_CLOSE_ON_EXEC, 64, tcp_fd);
        if (!r->listener) {
                close(tcp_fd);
                snprintf(err, errlen, "relay %s:%u: cannot listen on TCP", address, r->port);
                goto fail;
        }
        r->udp_ev = event_new(base, r->udp_fd, EV_READ | EV_PERSIST, udp_read, r);
        if (!r->udp_ev || event_add(r->udp_ev, NULL) < 0) {
                snprintf(err, errlen, "relay: out of memory");
                goto fail;
        }
        return r;
fail:
        relay_free(r);
        return NULL;
}

uint16_t relay_port(const struct relay *r)
{
        return r->port;
}

const struct relay_stats *relay_stats(const struct relay *r)
{
        return &r->stats;
}

void relay_reset(struct relay *r, uint16_t resolver_port)
{
        while (r->pairs)
                pair_free(r->pairs);
        for (unsigned i = 0; i < RELAY_UDP_PEERS; i++)
                peer_close(&r->peers[i]);
        r->next_peer = 0;
        r->resolver_port = resolver_port;
        r->stats = (struct relay_stats){ 0 };
        r->stats.bytes[TRANSPORT_UDP] = r->stats.bytes[TRANSPORT_TCP] = -1;
        r->stats.records[TRANSPORT_UDP] = r->stats.records[TRANSPORT_TCP] = r->stats.rcode = -1;
}

void relay_free(struct relay *r)
{
        if (!r)
                return;
        while (r->pairs)
                pair_free(r->pairs);
        for (unsigned i = 0; i < RELAY_UDP_PEERS; i++)
                peer_close(&r->peers[i]);
        if (r->udp_ev)
                event_free(r->udp_ev);
        if (r->udp_fd >= 0)
                close(r->udp_fd);
        if (r->listener)
                evconnlistener_free(r->listener);
        free(r);
}
