/* UDP replies held back by delay_ms: a FIFO with one timer per server.
 *
 * Every reply of a point waits the same delay_ms, so replies become due in
 * the order they were parked: appending at the tail and sending from the
 * head is O(1), and one timer armed for the head replaces a timer per reply.
 * A flood cannot grow the queue without bound: past SERVER_PARKED_MAX
 * replies or SERVER_PARKED_BYTES_MAX bytes the oldest is dropped and counted
 * (stats.delayed_dropped), so the newest (a legitimate query behind a flood)
 * still leaves on time. */
#include "harness/server/server-internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct pending_reply {
        struct pending_reply *next;
        uint64_t due_us;                  /* CLOCK_MONOTONIC */
        struct sockaddr_storage peer;
        socklen_t peer_len;
        size_t len;
        uint8_t data[];
};

static uint64_t monotonic_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct pending_reply *pending_pop(struct server *s)
{
        struct pending_reply *p = s->pending_head;
        if (!p)
                return NULL;
        s->pending_head = p->next;
        if (!s->pending_head)
                s->pending_tail = NULL;
        s->npending--;
        s->pending_bytes -= p->len;
        return p;
}

static void pending_arm(struct server *s, uint64_t now)
{
        uint64_t wait = s->pending_head->due_us > now ? s->pending_head->due_us - now : 0;
        struct timeval tv = { (time_t)(wait / 1000000u), (suseconds_t)(wait % 1000000u) };
        evtimer_add(s->pending_ev, &tv);
}

static void pending_fire(evutil_socket_t fd, short what, void *arg)
{
        struct server *s = arg;
        uint64_t now = monotonic_us();
        (void)fd; (void)what;

        while (s->pending_head && s->pending_head->due_us <= now) {
                struct pending_reply *p = pending_pop(s);
                sendto(s->udp_fd, p->data, p->len, MSG_DONTWAIT, (struct sockaddr *)&p->peer,
                       p->peer_len);
                free(p);
        }
        if (s->pending_head)
                pending_arm(s, now);
}

int server_delay_init(struct server *s)
{
        s->pending_ev = evtimer_new(s->base, pending_fire, s);
        return s->pending_ev ? 0 : -1;
}

void server_delay_park(struct server *s, const struct sockaddr_storage *peer, socklen_t plen,
                       const uint8_t *data, size_t len)
{
        uint64_t now = monotonic_us();
        struct pending_reply *p;

        while (s->pending_head && (s->npending >= SERVER_PARKED_MAX ||
                                   s->pending_bytes + len > SERVER_PARKED_BYTES_MAX)) {
                free(pending_pop(s));
                s->stats.delayed_dropped++;
        }
        p = malloc(sizeof(*p) + len);
        if (!p) {
                s->stats.delayed_dropped++;
                return;
        }
        p->next = NULL;
        p->due_us = now + (uint64_t)s->pt->params.delay_ms * 1000u;
        p->peer = *peer;
        p->peer_len = plen;
        p->len = len;
        memcpy(p->data, data, len);
        if (s->pending_tail)
                s->pending_tail->next = p;
        else
                s->pending_head = p;
        s->pending_tail = p;
        s->npending++;
        s->pending_bytes += len;
        if (!evtimer_pending(s->pending_ev, NULL))
                pending_arm(s, now);
}

void server_delay_clear(struct server *s)
{
        struct pending_reply *p;
        if (s->pending_ev)
                evtimer_del(s->pending_ev);
        while ((p = pending_pop(s)))
                free(p);
}

void server_delay_free(struct server *s)
{
        server_delay_clear(s);
        if (s->pending_ev)
                event_free(s->pending_ev);
        s->pending_ev = NULL;
}
