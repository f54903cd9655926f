/* How an emulated stub reads one reply: the profile's knobs applied to the
 * bytes, with no sockets involved (unit-testable on hand-made replies). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clients/engine/profile.h"
#include "harness/run/outcome.h"
#include "harness/wire/dns.h"

enum reply_action {
        REPLY_DONE,           /* *out holds the query's result */
        REPLY_IGNORE,         /* not ours or unusable: keep waiting for another */
        REPLY_RETRY_TCP,      /* truncated: ask again over TCP */
        REPLY_RETRY_PLAIN,    /* FORMERR to EDNS: ask again without OPT */
        REPLY_NEXT,           /* this server is no good (lame, rcode): next try or fail */
        REPLY_ACTION_MAX,
};

const char *reply_action_to_string(enum reply_action a);

/* The question the stub asked. */
struct stub_question {
        uint16_t id;
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype;
        bool sent_edns;
};

/* What reading a reply found besides its outcome. */
struct reply_info {
        bool damaged;     /* the answer section did not parse to its end: the records
                           * after the damage were never read */
};

/* Interprets a reply received over UDP (tcp=false) or TCP. len is the
 * datagram's full length; the profile decides how much of it the stub reads.
 * On REPLY_DONE, out has status, addresses and reason; on REPLY_NEXT,
 * out->reason says why (used if no try is left). `note` gets a short account
 * of what the stub did ("cut to 512", "tc ignored"), may be NULL; `info`, may
 * be NULL, is always set. */
enum reply_action reply_interpret(const struct profile *p, const struct stub_question *q,
                                  const uint8_t *msg, size_t len, bool tcp,
                                  struct outcome *out, char *note, size_t notelen,
                                  struct reply_info *info);
