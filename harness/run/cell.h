/* The record of one cell: (scenario point, query, client), the client's
 * outcome, the verdict, and what the server saw (the second witness). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/run/outcome.h"

/* What a resolver in the path (path= other than direct) answered the stub,
 * counted by the relay at the cell's endpoint. */
struct stub_hop {
        unsigned udp_replies, tcp_replies;
        long udp_bytes, tcp_bytes; /* last reply size on each, -1 when none */
        unsigned tc_replies;
        int udp_records, tcp_records; /* answer records of the last reply on each, -1: none */
        int rcode;                 /* of the last reply, -1 when none */
};

struct cell_record {
        size_t index;              /* position in the suite's deterministic order */
        size_t point;              /* point index in the scenario */
        size_t query;              /* query index in the scenario */
        size_t client;             /* client index in the run's client list */
        enum verdict verdict;
        char reason[32];
        char *detail;              /* the client's own words and the stub's notes; owned,
                                    * NULL when empty */
        size_t addresses;          /* distinct addresses returned */
        size_t expected;           /* addresses the zone holds at the end of the chain */
        /* what the server saw: the client's queries, or behind a resolver the
         * resolver's queries for the zone (transport, EDNS size, tries) */
        unsigned udp_queries, tcp_queries;
        long udp_bytes, tcp_bytes; /* last reply size on each, -1 when none was sent */
        unsigned tc_replies;
        int edns;                  /* EDNS size of the last query, -1 without OPT */
        int resolver;              /* enum resolver_path; VIA_DIRECT (0): hop unused */
        struct stub_hop hop;
        double elapsed_ms;         /* timing: excluded from determinism checks */
};

/* "udp", "udp+tcp", "tcp" or "none" from the server's counts. */
const char *cell_path(const struct cell_record *c);
