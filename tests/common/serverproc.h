/* Integration-test helper: `stubcompat serve` as a child process.
 *
 * The server child is started with --port 0; its first line ("serving ... on
 * 127.0.0.1 port N, udp and tcp") gives the port, and every later line that
 * starts with "udp " or "tcp " is one exchange, parsed into a
 * struct serverproc_exchange. A reader thread drains the child's stdout and
 * stderr at all times, so a chatty server never blocks on a full pipe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <CUnit/CUnit.h>

#include "tests/common/command.h"

/* One exchange line of `stubcompat serve`:
 * "udp 127.0.0.1:40000 api.mixpanel.com. A edns=none query=34 reply=34 tc=1
 *  records=0 rcode=0 note=tc-empty" */
struct serverproc_exchange {
        char transport[4];          /* "udp" or "tcp" */
        char peer[64];
        char qname[256];            /* "-" when the query did not parse */
        char qtype[16];
        int edns;                   /* advertised size, -1 for "none" */
        size_t query_bytes;
        size_t reply_bytes;
        int tc;
        unsigned records;
        int rcode;
        char note[64];              /* empty without note= */
        char line[512];             /* the line as printed, without newline */
};

struct serverproc;

/* Starts `<build>/stubcompat serve SCENARIO --port 0 --set S ... EXTRA ...`.
 * scenario is relative to the source tree unless absolute; sets ("k=v") and
 * extra (more arguments, e.g. "--listen", "0.0.0.0") are NULL-terminated
 * lists and may be NULL. Waits up to 10 s for the port line. Returns the
 * process, or NULL after printing why (exit status, stderr) to stderr. */
struct serverproc *serverproc_start(const char *scenario, const char *const *sets,
                                    const char *const *extra);
uint16_t serverproc_port(const struct serverproc *sp);
pid_t serverproc_pid(const struct serverproc *sp);
/* The first line, e.g. "serving scenarios/x.scn (suite x) on 127.0.0.1 port
 * 40000, udp and tcp". Owned by sp. */
const char *serverproc_banner(const struct serverproc *sp);
/* Copies what the child wrote on stderr so far (at most the first 64 KiB)
 * into out (cap bytes, NUL-terminated; cap may be 0). Returns the number of
 * stderr bytes read so far, including those past the cap. */
size_t serverproc_stderr(struct serverproc *sp, char *out, size_t cap);
/* True while the child has not exited. */
bool serverproc_alive(struct serverproc *sp);

/* Waits until at least n exchange lines were read or timeout_ms passed.
 * Returns the number read so far (may be less than n on timeout). The
 * timeout is a safety net, never a measurement. */
size_t serverproc_wait_exchanges(struct serverproc *sp, size_t n, unsigned timeout_ms);
/* Exchange lines read so far, without waiting. */
size_t serverproc_exchange_count(struct serverproc *sp);
/* Copies exchange i into out. Returns false when i is out of range. */
bool serverproc_exchange(struct serverproc *sp, size_t i, struct serverproc_exchange *out);
/* Prints every exchange line read so far to stdout, indented (for failing
 * tests' context). */
void serverproc_dump(struct serverproc *sp);

/* Asserts (CUnit, at the caller's line) that exchange i exists, waiting up to
 * 5 s for it, and matches: transport "udp"/"tcp" or NULL; reply bytes, tc,
 * records, -1 for any; note: NULL for any, "" for none, else exact. Prints
 * the server's exchanges when it does not match. */
#define EXPECT_EXCHANGE(sp, i, transport, reply, tc, records, note) \
        serverproc_expect((sp), (i), (transport), (reply), (tc), (records), (note), __FILE__, __LINE__)
void serverproc_expect(struct serverproc *sp, size_t i, const char *transport, long reply, int tc,
                       long records, const char *note, const char *file, unsigned line);
/* Number of exchanges read so far on transport ("udp", "tcp" or NULL for
 * both) whose note is note (NULL: any). */
size_t serverproc_count(struct serverproc *sp, const char *transport, const char *note);

/* SIGTERM, then waits (SIGKILL after 5 s), collects the remaining output and
 * frees sp. Returns the exit status, 128+signal when killed, -1 on error. */
int serverproc_stop(struct serverproc *sp);
/* serverproc_stop, keeping what the child wrote on stderr (at most the first
 * 64 KiB) in err (errcap bytes, NUL-terminated). */
int serverproc_stop_stderr(struct serverproc *sp, char *err, size_t errcap);

/* Parses one exchange line. Returns false when it is not one. */
bool serverproc_parse_exchange(const char *line, struct serverproc_exchange *out);
