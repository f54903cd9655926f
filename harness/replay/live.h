/* reproduce --server: asks a live server what production answers now. Each
 * question is asked three ways, as the stubs of the matrix ask: over UDP
 * without EDNS, over UDP with EDNS advertising 1232 bytes, and over TCP
 * without EDNS. The queries and replies are kept as captured exchanges, to
 * be written as a pcap and replayed byte for byte like a customer's capture. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "harness/report/pcap.h"

/* Parses "ADDR", "ADDR:PORT", "[V6]:PORT" (numeric addresses only; port 53
 * when absent). Returns 0, or -1 with a message in err. */
int live_parse_server(const char *text, struct sockaddr_storage *sa, socklen_t *salen, char *err,
                      size_t errlen);

/* Asks (name, type) three ways and appends every query and reply to cap.
 * timeout_ms bounds each exchange. Returns the number of replies received
 * (0..3), or -1 with a message in err (bad name, out of memory). A way that
 * got no reply adds a sentence to note (for the report). */
int live_ask(const struct sockaddr *sa, socklen_t salen, const char *name, uint16_t type,
             unsigned timeout_ms, struct capture *cap, char *note, size_t notelen, char *err,
             size_t errlen);
