/* Turns a point's encoded answer into the exact bytes sent for one query:
 * the query's id, RD bit and question bytes, the point's header flags, EDNS,
 * and on UDP the truncation behaviour when the answer exceeds the limit. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/zone/answer.h"
#include "harness/zone/params.h"

enum transport {
        TRANSPORT_UDP,
        TRANSPORT_TCP,
        TRANSPORT_MAX,
};

const char *transport_to_string(enum transport t);

/* What the server learnt from a query it could parse. */
struct query_info {
        uint16_t id;
        uint16_t flags;
        const uint8_t *question;     /* the question's bytes as received */
        size_t question_len;
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype, qclass;
        bool has_opt;
        uint16_t opt_size;           /* as advertised, before clamping to 512 */
        uint8_t opt_version;
        bool do_bit;
};

struct render_result {
        size_t len;
        size_t limit;                /* the UDP limit applied (0 on TCP) */
        bool tc;
        bool truncated;              /* the answer did not fit and a policy applied */
        bool opt;                    /* an OPT record was included */
        unsigned records;            /* answer+authority records whole in the reply */
        int rcode;
};

/* The UDP payload limit for a query: its EDNS size (at least 512) when it has
 * OPT and the point honours EDNS, else 512; capped by server_udp_max. */
size_t render_udp_limit(const struct point_params *p, const struct query_info *q);

/* Renders the reply into out (cap >= 65535 + 11). Returns the length, also in
 * res->len. a may be NULL for FORMERR-class replies built from q alone. */
size_t render_reply(const struct answer *a, const struct point_params *p,
                    const struct query_info *q, enum transport t, uint8_t *out, size_t cap,
                    struct render_result *res);

/* A bare reply (header + question, rcode, no records): FORMERR to a query
 * that parsed only partly, NOTIMP to other opcodes. */
size_t render_bare(const struct point_params *p, const struct query_info *q, int rcode,
                   uint8_t *out, size_t cap, struct render_result *res);
