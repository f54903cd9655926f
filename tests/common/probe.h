#pragma once
/* Raw-socket helpers for the tests that attack the server from outside
 * (test-hostile, test-attacks): a known query and a loopback TCP connection. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes dig's query for api.mixpanel.com A without EDNS, with id, to buf
 * (at least 34 bytes). Returns its length. */
size_t probe_api_query(uint8_t *buf, uint16_t id);
/* A blocking TCP connection to 127.0.0.1:port with TCP_NODELAY. Returns the
 * descriptor, or -1. */
int probe_tcp_connect(uint16_t port);
/* A size in KiB from /proc/PID/status: field "VmRSS" (resident now) or
 * "VmHWM" (the peak resident set). Returns -1 when unknown. */
long probe_status_kb(pid_t pid, const char *field);
