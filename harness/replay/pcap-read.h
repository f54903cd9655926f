/* A packet capture (pcap or pcapng, read with libpcap) -> canned replies:
 * the exact bytes a customer's server sent, for each question.
 *
 * Packets are decoded by pcap-decode.c: link types EN10MB (with VLAN tags),
 * RAW/IPV4/IPV6, LINUX_SLL and LINUX_SLL2, NULL and LOOP; IPv4 and IPv6
 * (extension headers skipped; IP fragments are noted and skipped). UDP
 * datagrams and TCP streams to and from the server port are taken here: TCP
 * segments are put in sequence order
 * (retransmissions dropped, reading stops at a gap) and cut into
 * length-prefixed DNS messages. Every header and every DNS byte is read
 * through the bounds-checked cursor (harness/wire/reader.h).
 *
 * A reply is filed under the question of its query (same client endpoint
 * and id), or its own question when the query is not in the capture. Per
 * question the table gets, in this order:
 *   - UDP: the first reply to a query without OPT (queries without OPT get
 *     it), then the first reply to queries with OPT, per advertised size from
 *     the largest down (queries with at least that size get it), then the
 *     first UDP reply for any other query; each is sent as captured, even
 *     over 512 bytes;
 *   - TCP: the first TCP reply; without one, the largest recorded reply for
 *     the question, and the exchange log says so;
 *   - no UDP reply captured: UDP replies are rendered from the full answer
 *     with the point's truncation.
 * The full answer (expected addresses) is the largest reply's records. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/replay/canned.h"

/* Reads the capture at path into t (initialised by the caller). The server
 * is the side using server_port; 0 means 53, or when nothing in the capture
 * uses 53, the one port every UDP and TCP packet uses (a capture taken with
 * a "port N" filter). Returns 0, or -1 with "path: packet N: message" (or
 * "path: message" for the file as a whole) in err. */
int replay_pcap_read(const char *path, uint16_t server_port, struct canned_table *t, char *err,
                     size_t errlen);
