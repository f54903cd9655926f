/* The fake nameserver: one scenario point served over UDP and TCP on one
 * endpoint, driven by a libevent event_base (event core only). Behaviours are
 * the point's parameters: truncation, EDNS, TCP mode, header flags and
 * network-path loss (see scenarios/README.md). Binds loopback only unless the
 * configuration allows other addresses explicitly. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "harness/server/render.h"
#include "harness/zone/point.h"

struct server_config {
        const char *address;        /* numeric IPv4/IPv6; NULL: 127.0.0.1 */
        uint16_t port;              /* 0: let the kernel pick (same port for UDP and TCP) */
        bool allow_any_address;     /* needed for anything outside 127.0.0.0/8 and ::1 */
        unsigned tcp_idle_ms;       /* idle TCP connections are closed, and so is one whose
                                       query is not whole this long after its first byte
                                       (slowloris); 0: 10000 */
        unsigned tcp_max_conns;     /* past this, a new connection evicts the least
                                       recently active one; 0: 1024 */
        /* Benchmarks only (serve --floor): every UDP query is answered with
         * these bytes, only its id copied in; nothing is parsed or rendered.
         * Borrowed; NULL for a real server. */
        const uint8_t *fixed_reply;
        size_t fixed_reply_len;
};

/* One query and what the server did with it. */
struct server_exchange {
        enum transport transport;
        char peer[64];
        char qname[256];            /* presentation form; empty when unparsed (and, inside a
                                     * server, when it has no observer) */
        bool malformed;             /* the query could not be parsed: FORMERR */
        uint16_t qtype;
        int edns;                   /* advertised size, -1 without OPT */
        size_t query_bytes;
        size_t reply_bytes;         /* 0 when nothing was sent */
        bool sent;
        bool tc;
        unsigned records;           /* whole answer+authority records sent */
        int rcode;                  /* -1 when nothing was sent */
        const char *note;           /* why nothing or something odd was sent, or NULL */
        const uint8_t *query_data;  /* the query's bytes, valid during the callback */
        const uint8_t *reply_data;  /* the reply's bytes (reply_bytes long), or NULL */
};

struct server_stats {
        unsigned queries[TRANSPORT_MAX];
        unsigned replies[TRANSPORT_MAX];
        size_t bytes[TRANSPORT_MAX];       /* size of the last reply sent on each */
        unsigned tc_sent;
        unsigned tcp_connections;
        unsigned dropped;                  /* queries deliberately left unanswered */
        unsigned malformed;
        unsigned bad_source;               /* from port 0 or a reflector's port: dropped */
        unsigned send_failed;              /* replies the kernel refused (e.g. EINVAL) */
        unsigned delayed_dropped;          /* delay_ms queue full: oldest dropped */
        unsigned tcp_evicted;              /* idle connections closed to make room */
        unsigned tcp_accept_paused;        /* times accepting stopped on EMFILE/ENFILE */
        int last_edns;                     /* -1: last query had no OPT */
};

typedef void (*server_exchange_cb)(void *arg, const struct server_exchange *x);

struct server;

/* Creates the sockets and registers them on base. The server holds a
 * reference on the point (point_ref) until it is parked or freed. Returns the server, or NULL with err set
 * ("127.0.0.1:53: Address already in use"). */
struct server *server_new(struct event_base *base, const struct server_config *cfg,
                          struct point *pt, char *err, size_t errlen);
/* Closes the sockets and every connection; pending delayed replies are dropped. */
void server_free(struct server *s);
/* Takes a server out of service between two points (the runner's pool):
 * closes every TCP connection, drops delayed replies, clears the observer and
 * releases the point. Its sockets stay registered with the loop: datagrams
 * that arrive while parked are read and dropped, connections accepted and
 * closed at once, so a parked server answers nobody. */
void server_park(struct server *s);
/* Reuses the sockets for another point (a parked server or a live one):
 * drops every queued datagram, TCP connection and delayed reply, clears the
 * counters and the observer, and serves pt again.
 * Returns 0, or -1 when the sockets cannot serve pt's TCP mode (a refusing
 * server has no listener, the others have one): free it and make another. */
int server_reset(struct server *s, struct point *pt);
uint16_t server_port(const struct server *s);
const char *server_address(const struct server *s);
void server_set_observer(struct server *s, server_exchange_cb cb, void *arg);
const struct server_stats *server_stats(const struct server *s);
void server_reset_stats(struct server *s);

/* Handles one datagram outside any socket (fuzzing, tests): parses the query
 * and renders the reply for transport t into out. Returns the reply length,
 * 0 when the query gets no reply. */
size_t server_handle_query(struct point *pt, const uint8_t *query, size_t len, enum transport t,
                           uint8_t *out, size_t cap, struct server_exchange *x);

/* True for 127.0.0.0/8 and ::1. */
bool server_address_is_loopback(const char *address);
