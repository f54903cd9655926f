/* What a careful application takes from a DNS reply it got from a raw query
 * API (res_nquery): the records of the asked type whose owner is on the CNAME
 * chain that starts at the query name. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/run/outcome.h"

#define REPLY_MAX_CHAIN 16   /* names on the chain, the query name included */

struct reply_summary {
        uint16_t flags;          /* the header's flags word (TC, RCODE) */
        unsigned ancount;        /* answer records the header announces */
        unsigned answers_read;   /* whole answer records read before any damage */
        unsigned cnames;         /* CNAME links followed from the query name */
        unsigned taken;          /* records of the asked type taken */
        bool damaged;            /* the message ran short or is malformed */
        char damage[96];         /* "short in answer record 29 at offset 498" */
};

/* Reads the reply msg (len bytes) to the query (qname, qtype): the whole
 * answer records up to the first damage, the CNAME chain from qname through
 * them (names compared case-insensitively, at most REPLY_MAX_CHAIN names, no
 * loops, any order), then every record of qtype whose owner is on the chain.
 * A and AAAA records are added to o as addresses of family 4 and 6, other
 * types as record keys (outcome_record_key of the rdata); o's status and
 * message are left alone. Returns 0 with *sum filled, or -1 (nothing added)
 * when msg is shorter than a header or qname is not a valid name. */
int reply_addrs_collect(const uint8_t *msg, size_t len, const char *qname, int qtype,
                        struct outcome *o, struct reply_summary *sum);
