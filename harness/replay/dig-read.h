/* A saved `dig` output (BIND 9.18 format) -> canned replies.
 *
 * Each ";; Got answer:" block is one reply: the ->>HEADER<<- status, the
 * flags line (qr aa tc rd ra ad cd and the four counts), the OPT
 * PSEUDOSECTION, the QUESTION section and the ANSWER, AUTHORITY and
 * ADDITIONAL records in zone-file syntax (parsed by ldns). The reply is
 * rebuilt with our writer, compressed unless only the uncompressed form has
 * the size dig printed (";; MSG SIZE  rcvd: N"), and becomes the question's
 * full answer, so the normal truncation rendering applies. A reply dig kept
 * with TC=1 is what the server sent over UDP: it is replayed as it is there.
 *
 * Point parameters the output implies go to t->sets: ra and aa from the
 * flags, edns_size from the OPT record; edns=ignore when dig asked with EDNS
 * (no +noedns in its command line) and the reply had no OPT. */
#pragma once

#include <stddef.h>

#include "harness/replay/canned.h"

/* Reads a dig output file into t (initialised by the caller). Returns 0, or
 * -1 with "path:line: message" in err. */
int replay_dig_read(const char *path, struct canned_table *t, char *err, size_t errlen);
/* Same from text; path is used in messages only. */
int replay_dig_parse(const char *path, const char *text, struct canned_table *t, char *err,
                     size_t errlen);
