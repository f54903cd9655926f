/* Shared between server.c (sockets, UDP) and server-tcp.c (TCP connections). */
#pragma once

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <sys/socket.h>

#include "harness/server/server.h"

#define SERVER_REPLY_CAP (65535 + 64)
/* Bounds on UDP replies waiting for delay_ms (server-delay.c). */
#define SERVER_PARKED_MAX 10000
#define SERVER_PARKED_BYTES_MAX (16u * 1024 * 1024)

struct server_conn;
struct pending_reply;

struct server {
        struct event_base *base;
        struct point *pt;                 /* a reference (point_ref); NULL while parked */
        struct server_config cfg;
        char address[64];
        uint16_t port;
        int udp_fd;
        struct event *udp_ev;
        int tcp_fd;                       /* bound; listening unless tcp=refuse */
        struct evconnlistener *listener;
        struct server_conn *conns;        /* doubly linked, most recently active first */
        struct server_conn *conns_tail;   /* least recently active: evicted first */
        unsigned nconns;
        struct event *accept_resume;      /* re-enables the listener after EMFILE */
        bool accept_paused;               /* the listener is off for lack of descriptors */
        struct server_stats stats;
        unsigned udp_seen;                /* UDP queries ever, for drop_first */
        server_exchange_cb observer;
        void *observer_arg;
        struct pending_reply *pending_head, *pending_tail;  /* delayed UDP replies, oldest first */
        unsigned npending;
        size_t pending_bytes;
        struct event *pending_ev;         /* fires when the oldest is due */
        struct reply_memo *memo;          /* the last UDP reply (reply-memo.h); NULL: none yet */
        uint8_t *reply;                   /* shared scratch (server_scratch), SERVER_REPLY_CAP */
        uint8_t *query;                   /* shared scratch: the TCP query being handled */
};

/* Scratch buffers shared by every server on this thread: the loop handles one
 * message at a time, so one set is enough however many servers exist.
 * Returns NULL when out of memory. */
struct server_scratch {
        uint8_t reply[SERVER_REPLY_CAP];
        uint8_t query[65536];
};
struct server_scratch *server_scratch(void);

/* server_handle_query, with the query name's text (x->qname) only when
 * name_text: formatting it is a tenth of a query's user time, and only an
 * observer reads it. */
size_t server_answer(struct point *pt, const uint8_t *query, size_t len, enum transport t,
                     uint8_t *out, size_t cap, struct server_exchange *x, bool name_text);

/* Reports an exchange to the observer and counts it. */
void server_note_exchange(struct server *s, const struct server_exchange *x);
int server_tcp_start(struct server *s, char *err, size_t errlen);
void server_tcp_stop(struct server *s);
void server_tcp_close_connections(struct server *s);
/* Stops or resumes accepting (server_park, server_reset). */
void server_tcp_pause(struct server *s);
void server_tcp_resume(struct server *s);

/* delay_ms (server-delay.c). init: 0, or -1 when out of memory. park: holds
 * a copy of the reply for the point's delay_ms, dropping the oldest held
 * reply when the queue is full. clear: drops every held reply. */
int server_delay_init(struct server *s);
void server_delay_park(struct server *s, const struct sockaddr_storage *peer, socklen_t plen,
                       const uint8_t *data, size_t len);
void server_delay_clear(struct server *s);
void server_delay_free(struct server *s);
