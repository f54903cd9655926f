/* The full answer a recursive resolver would hand a stub for (qname, qtype),
 * encoded once per scenario point. Every variant the server sends (UDP at a
 * limit, truncated, cut, TCP) is derived from these bytes by render.c, and
 * check-zone sizes use the same encoder, so their sizes cannot disagree. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"
#include "harness/zone/params.h"
#include "harness/zone/zone.h"

#define ANSWER_MAX_CHAIN 32

struct answer {
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype;
        int rcode;
        uint8_t *wire;           /* id 0, flags 0; counts filled in */
        size_t len;
        size_t question_end;     /* offset after the question */
        uint16_t ancount, nscount;
        uint16_t arcount;        /* answer_build_full only; 0 otherwise */
        size_t *rr_end;          /* end offset of each record (answer, then authority) */
        size_t nrr;
        /* The end of the chain and the addresses of qtype held there. */
        uint8_t final_name[DNS_NAME_MAX];
        size_t final_len;
        unsigned cnames;         /* CNAME records in the answer */
        size_t naddrs;
        uint8_t (*addrs)[16];    /* 4 used for A; other types: outcome_record_key */
        /* A recorded answer that lacks a part of the exchange: what is missing
         * ("the capture holds no TCP answer"); "" when whole. Cells whose
         * client needed that part are skipped, never blamed. */
        char missing[96];
        /* The same for clients that ask with EDNS: no reply to such a query
         * was recorded ("" when one was, or when it does not matter). */
        char missing_edns[96];
};

/* Builds the answer from the zone: follows CNAMEs inside the zone (qtype
 * other than CNAME), then the RRset of qtype; NODATA and NXDOMAIN carry the
 * zone's SOA in authority when it has one. p->rcode other than NOERROR gives
 * a bare reply with that rcode. Names keep the zone's case; compression as
 * p->compression. Returns the answer (free with answer_free), or NULL when out
 * of memory or when the answer exceeds 65535 bytes. */
struct answer *answer_build(const struct zone *z, const struct point_params *p,
                            const uint8_t *qname, size_t qname_len, uint16_t qtype);
/* The same answer as an authoritative server sends it without minimal
 * responses (NSD and BIND with minimal-responses off): a positive answer
 * also carries the zone's NS RRset in authority and, in additional, the A
 * then AAAA records the zone holds for the names its NS, MX and SRV records
 * point at. check-zone --responses full; the fake server never sends it. */
struct answer *answer_build_full(const struct zone *z, const struct point_params *p,
                                 const uint8_t *qname, size_t qname_len, uint16_t qtype);
/* The name a record points at for additional data (NS and MX, RFC 1035
 * 3.3; SRV, RFC 2782), with its length; NULL for other types. */
const uint8_t *answer_additional_target(const struct zone_rr *rr, size_t *len);
void answer_free(struct answer *a);

/* A small cache of answers by (qname, qtype), owned by one scenario point. */
#define ANSWER_CACHE_MAX 256

struct answer_cache {
        struct answer **items;
        size_t n, cap;
        size_t pinned;           /* items[0, pinned) are never evicted (recorded answers) */
        size_t next_victim;      /* round-robin over the unpinned items */
};

/* Returns the cached answer, building it on first use; NULL when out of memory.
 * At most ANSWER_CACHE_MAX answers are kept: a client asking for ever new
 * names reuses slots, so the pointer is valid only until the next call. */
const struct answer *answer_cache_get(struct answer_cache *c, const struct zone *z,
                                      const struct point_params *p, const uint8_t *qname,
                                      size_t qname_len, uint16_t qtype);
void answer_cache_clear(struct answer_cache *c);
