/* A real forwarder or recursive resolver between a stub and the fake server:
 * the `path` parameter (dnsmasq, unbound, bind9, knot-resolver,
 * pdns-recursor).
 *
 * The harness starts the Debian program itself, on 127.0.0.1 at a port of
 * its own, from a configuration it writes into a private directory (pid
 * file, control socket, cache files, log), forwarding every name to the fake
 * server at one upstream address, DNSSEC validation off and caching off or
 * flushed before each cell (resolver_flush) so that every cell reaches the
 * fake server. The process runs in the foreground in its own process group
 * and dies with the harness (PR_SET_PDEATHSIG); resolver_stop kills the
 * group and removes the directory.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/zone/params.h"

struct resolver_info {
        enum resolver_path path;
        const char *program;        /* absolute path of the Debian binary */
        const char *package;        /* Debian package that ships it */
        const char *stands_for;     /* where users meet it */
};

/* The program behind a path other than VIA_DIRECT, or NULL. */
const struct resolver_info *resolver_info(enum resolver_path path);

/* The installed program's version ("1.17.1"), read from its own --version
 * output. Returns 0, or -1 with the reason in why ("/usr/sbin/kresd: not
 * installed (apt-get install knot-resolver)"). */
int resolver_version(enum resolver_path path, char *buf, size_t len, char *why, size_t whylen);

struct resolver_config {
        enum resolver_path path;
        const char *upstream;       /* numeric IPv4 address of the fake server */
        uint16_t upstream_port;     /* 0: a free port on 127.0.0.1, see resolver_upstream_port */
        const char *parent_dir;     /* its directory is made here; NULL: $TMPDIR or /tmp */
};

struct resolver;

/* Writes the configuration and starts the program without waiting for it.
 * Call it from the thread that lives as long as the resolver should
 * (PR_SET_PDEATHSIG follows the thread). Returns the resolver, or NULL with
 * why set (nothing is left running or on disk then). */
struct resolver *resolver_start(const struct resolver_config *cfg, char *why, size_t whylen);

/* Whether a started resolver can serve: it accepts TCP connections on its
 * port and its flush works. Returns 1 when ready, 0 not yet, -1 when it
 * exited or was not ready within 10 s of the start, with why naming its
 * last log line ("unbound exited with status 1: error: bind: Address
 * already in use"). Never blocks longer than one flush. */
int resolver_poll_ready(struct resolver *r, char *why, size_t whylen);

/* resolver_start, then resolver_poll_ready until ready (at most 10 s).
 * Returns the ready resolver, or NULL with why; nothing is left then. */
struct resolver *resolver_start_wait(const struct resolver_config *cfg, char *why, size_t whylen);

/* Where the stub must ask: 127.0.0.1 and this port, UDP and TCP. */
uint16_t resolver_port(const struct resolver *r);
/* Where it sends every query: the fake server must listen there. */
uint16_t resolver_upstream_port(const struct resolver *r);
pid_t resolver_pid(const struct resolver *r);
/* A descriptor that becomes readable when the process has exited (a
 * pidfd), or -1 when the kernel has none. Owned by r. */
int resolver_exit_fd(const struct resolver *r);

/* Forgets what earlier cells left behind (cached answers, what it learnt
 * about the upstream's EDNS, TCP and timeouts), for the resolvers whose
 * configuration cannot turn that off. Blocks for at most 2 s. Returns 0, or
 * -1 with why. */
int resolver_flush(struct resolver *r, char *why, size_t whylen);

/* When the process has ended: "unbound killed by signal 9" plus its last
 * log line when there is one. Reaps it. Returns 1 when it has ended, 0 while
 * it runs. */
int resolver_ended(struct resolver *r, char *why, size_t whylen);

/* Kills the process group (SIGKILL: it keeps nothing), reaps it and
 * removes its directory. NULL is a no-op. */
void resolver_stop(struct resolver *r);
