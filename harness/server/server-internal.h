/* Shared between server.c (sockets, UDP) and server-tcp.c (TCP connections). */
#pragma once

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "harness/server/server.h"

#define SERVER_REPLY_CAP (65535 + 64)

struct server_conn;

struct server {
        struct event_base *base;
        struct point *pt;
        struct server_config cfg;
        char address[64];
        uint16_t port;
        int udp_fd;
        struct event *udp_ev;
        int tcp_fd;                       /* bound; listening unless tcp=refuse */
        struct evconnlistener *listener;
        struct server_conn *conns;        /* doubly linked list */
        unsigned nconns;
        struct server_stats stats;
        unsigned udp_seen;                /* UDP queries ever, for drop_first */
        server_exchange_cb observer;
        void *observer_arg;
        struct pending_reply *pending;    /* delayed UDP replies */
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

/* Reports an exchange to the observer and counts it. */
void server_note_exchange(struct server *s, const struct server_exchange *x);
int server_tcp_start(struct server *s, char *err, size_t errlen);
void server_tcp_stop(struct server *s);
void server_tcp_close_connections(struct server *s);
