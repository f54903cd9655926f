/* An ldns-testns data file (also the ENTRY blocks of an unbound testbound
 * .rpl file) -> canned replies, so existing fixtures can be reused.
 *
 *   $ORIGIN example.com.          $TTL 3600        (anywhere)
 *   ENTRY_BEGIN
 *   MATCH opcode qtype qname      what a query must share with the reply's
 *   MATCH UDP | TCP               question; subdomain, DO and noedns too
 *   REPLY QR AA TC RD RA NOERROR  header flags, opcode, rcode; DO adds OPT
 *   ADJUST copy_id copy_query     the query's id / question go into the reply
 *   SECTION QUESTION | ANSWER | AUTHORITY | ADDITIONAL
 *   <records in zone-file syntax, parsed by ldns>
 *   HEX_ANSWER_BEGIN ... HEX_ANSWER_END   the reply as raw hex instead
 *   ENTRY_END
 *
 * Entries become rules in file order, so the first entry that matches a
 * query answers it, as in ldns-testns; a query no entry matches gets no
 * reply. Replies are sent as written, over 512 bytes too (ldns-testns does
 * not truncate). Without ADJUST copy_id the reply keeps the id it was
 * written with, as in ldns-testns (stub clients then ignore it).
 *
 * Not replayed (noted, the entry is skipped): MATCH all, ttl, serial= and
 * ednsdata (they match whole packets or zone transfers, never a stub's
 * query); ADJUST sleep= and packet_sleep= are noted and ignored; packets
 * after EXTRA_PACKET are noted and ignored. In a testbound file (one with
 * SCENARIO_BEGIN) only the entries inside RANGE_BEGIN ... RANGE_END are
 * replies; the rest of the file is skipped. */
#pragma once

#include <stddef.h>

#include "harness/replay/canned.h"

/* Reads a data file into t (initialised by the caller). Returns 0, or -1
 * with "path:line: message" in err. */
int replay_testns_read(const char *path, struct canned_table *t, char *err, size_t errlen);
/* Same from text; path is used in messages only. */
int replay_testns_parse(const char *path, const char *text, struct canned_table *t, char *err,
                        size_t errlen);
