/* The generated configuration of each resolver behind `path`: what file it
 * reads, how it is started in the foreground and how its state is flushed
 * between cells. One function per program in resolver-config.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/zone/params.h"

#define RESOLVER_ARGV_MAX 12

/* A command line whose words live in store. argv[argc] is NULL; argc 0
 * means no command. */
struct resolver_argv {
        char store[1024];
        char *argv[RESOLVER_ARGV_MAX + 1];
        int argc;
};

#define RESOLVER_FLUSH_MAX 3

/* One line for a control socket in the resolver's directory: unbound's
 * remote control (control.sock, "UBCT1 cmd", answered then closed) or
 * kresd's Lua console (control/PID, answered with a "> " prompt). */
struct resolver_control {
        char socket[32];            /* relative to its directory; "": control/PID */
        char line[64];
        bool until_eof;             /* the reply ends at EOF, else at the prompt */
};

/* How a resolver's state is flushed before a cell: commands run in turn,
 * then lines sent to its control sockets (no process to start: cheaper). */
struct resolver_flush {
        struct resolver_argv cmd[RESOLVER_FLUSH_MAX];
        int ncmd;
        struct resolver_control control[RESOLVER_FLUSH_MAX];
        int ncontrol;
};

struct resolver_setup {
        const char *dir;            /* private directory, exists and is empty */
        uint16_t port;              /* where it listens on 127.0.0.1, UDP and TCP */
        uint16_t control_port;      /* a second free port, for a TCP control channel */
        unsigned query_port_min, query_port_max;  /* the kernel's ephemeral range: the
                                                   * source ports of its queries stay in
                                                   * it, clear of every upstream port */
        const char *upstream;       /* numeric IPv4 of the fake server */
        uint16_t upstream_port;
};

/* Writes the configuration of path into s->dir and fills the command that
 * runs it in the foreground (run) and how its state is flushed before a cell
 * (flush; empty when the configuration already keeps nothing).
 * Returns 0, or -1 with why. */
int resolver_config_write(enum resolver_path path, const struct resolver_setup *s,
                          struct resolver_argv *run, struct resolver_flush *flush, char *why,
                          size_t whylen);
