/* The emulated stub resolver engine: one state machine per query, driven by
 * the harness's libevent loop, with every behaviour taken from a profile.
 *
 *   INIT -> UDP_WAIT -> (TCP_CONNECT -> TCP_WRITE -> TCP_READ) -> DONE
 *
 * A getaddrinfo-style lookup (QTYPE_ADDR) runs an A and an AAAA query side by
 * side and joins them. */
#pragma once

#include "clients/client.h"
#include "clients/engine/profile.h"

enum stub_state {
        STUB_INIT,
        STUB_UDP_WAIT,
        STUB_TCP_CONNECT,
        STUB_TCP_WRITE,
        STUB_TCP_READ,
        STUB_DONE,
        STUB_STATE_MAX,
};

const char *stub_state_to_string(enum stub_state s);

/* Makes a client that runs profile p (copied). Returns NULL when out of memory. */
struct client *stub_client_new(const struct profile *p);
