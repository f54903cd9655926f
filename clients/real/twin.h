/* One supervisor for every real twin that runs in a helper process.
 *
 * glibc, musl 1.2.3 and 1.2.4, uClibc-ng, Go, Java JNDI and BusyBox differ
 * only in what their helper links or runs. Every helper speaks the same line
 * protocol on stdin/stdout and is started by sandbox_spawn_worker() in a
 * private mount namespace with its own /etc/resolv.conf naming the cell's
 * server address ("nameserver <address>" + the twin's options line).
 *
 * Request, one line, one reply line each, flushed at once:
 *   <id> <address> <port> <name> <family>      family: inet | inet6 | unspec
 *   <id> version
 * Reply:
 *   <id> ok <elapsed_ms> <addr> ...             the addresses the library returned
 *   <id> <status> <elapsed_ms> <reason> <words> status: nxdomain | nodata |
 *                                               error | timeout | again
 *   <id> version <text>
 *   <id> bad-request <why>
 * <reason> is one token ("-" when none): the error class, say servfail.
 * <words> is the rest of the line: the library's own message, kept as the
 * cell's detail. `again` is a temporary failure, which is a timeout when it
 * took at least 90% of the twin's timeout and error(again) otherwise.
 * Libraries fixed to /etc/resolv.conf and port 53 (the libcs) ignore address
 * and port; the others (Go, Java, BusyBox) use them.
 *
 * The supervisor keeps one helper per server address (its resolv.conf names
 * it), one request in flight per helper, starts helpers on first use, starts
 * a new one after a death (the request in flight becomes harness-error
 * helper-died), and stops the helper of a cancelled lookup (the runner's cell
 * deadline). Adding a twin is a helper program and one line in twins.c. */
#pragma once

#include "clients/client.h"

/* One real twin: what twins.c lists. Strings are static. */
struct twin_spec {
        const char *name;          /* "real:go-1.19" */
        const char *helper;        /* program name in the helper search path: "go-helper" */
        const char *options;       /* resolv.conf options line: "timeout:1 attempts:1" */
        const char *twin;          /* its emulated profile, or "" */
        const char *stands_for;    /* whom it stands for, with the version */
        const char *install;       /* what builds the helper when it is missing */
        unsigned helpers;          /* helper processes at most (lookups in parallel) */
};

/* Adds the client of spec to set; unavailable, with spec->install as the
 * reason, when its helper is not built. Returns 0, or -1 when out of memory. */
int twin_register(struct client_set *set, const struct twin_spec *spec);

/* Adds every twin of twins.c: real:glibc-2.36, real:glibc-2.36-edns0,
 * real:musl-1.2.3, real:musl-1.2.4, real:uclibc-ng-1.0.35, real:go-1.19,
 * real:java-jndi-17, real:busybox-1.35. Returns 0, or -1 when out of memory. */
int real_twins_register(struct client_set *set);
