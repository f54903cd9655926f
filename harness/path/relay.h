/* The stub's side of a resolver in the path: a transparent UDP and TCP relay
 * at the cell's endpoint (127.0.0.1:any, or 127.x.y.z:53 in the sandbox) that
 * passes every datagram and byte on to the resolver and back unchanged, and
 * counts what the resolver answered the stub: the cell's third witness
 * (the fake server sees the resolver's side). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "harness/server/render.h"

struct relay_stats {
        unsigned queries[TRANSPORT_MAX];    /* stub -> resolver messages */
        unsigned replies[TRANSPORT_MAX];    /* resolver -> stub messages */
        long bytes[TRANSPORT_MAX];          /* size of the last reply on each; -1: none */
        unsigned tc_replies;                /* replies with TC=1 */
        int records[TRANSPORT_MAX];         /* answer records of the last reply on each; -1: none */
        int rcode;                          /* of the last reply; -1: none */
        unsigned closed_unanswered;         /* TCP connections the resolver closed with a
                                             * query unanswered */
};

struct relay;

/* Binds address:port (port 0: any) for UDP and TCP on base and relays to
 * 127.0.0.1:resolver_port. Returns the relay, or NULL with err set. */
struct relay *relay_new(struct event_base *base, const char *address, uint16_t port,
                        uint16_t resolver_port, char *err, size_t errlen);
uint16_t relay_port(const struct relay *r);
const struct relay_stats *relay_stats(const struct relay *r);
/* Makes r serve a new cell: closes its connections and per-peer sockets
 * towards the old resolver, zeroes its stats and relays to
 * 127.0.0.1:resolver_port from now on. Its own address stays bound, so a
 * port-53 slot never has to bind it again (a re-bind can find the port still
 * held by the last cell's closing connection). */
void relay_reset(struct relay *r, uint16_t resolver_port);
/* Closes every socket and connection. NULL is a no-op. */
void relay_free(struct relay *r);
