/* Private world for the real libc stub resolvers.
 *
 * glibc's and musl's getaddrinfo read only /etc/resolv.conf (plus /etc/hosts,
 * /etc/nsswitch.conf for glibc) and talk to port 53. The harness therefore
 * moves itself into a private network and mount namespace once
 * (sandbox_enter), runs its fake servers on 127.x.y.z:53 there, and starts
 * one helper process per resolv.conf (sandbox_spawn_worker). Each worker gets
 * its own mount namespace with its own /etc files bind-mounted over the real
 * ones, so the host's files, network and nscd are never seen or touched.
 *
 * Linux only. Every function reports failure as -1 plus a one-line reason in
 * the caller's `why` buffer (always NUL-terminated when whylen > 0).
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Enters a private network and mount namespace, for good.
 *
 * Call once, early, before any thread or socket exists: unshare(CLONE_NEWUSER)
 * fails with EINVAL in a multi-threaded process, and sockets opened before
 * stay in the host network. When geteuid() != 0 a user namespace is created
 * too, mapping the caller's uid/gid to root inside (setgroups is denied).
 * Every mount is made private recursively before anything else happens, so
 * no later mount propagates to the host. The loopback interface is brought
 * up: afterwards every address in 127.0.0.0/8 is reachable and nothing else.
 *
 * Returns 0, or -1 with the reason in why. On failure after unshare() the
 * network and mount namespaces (and the working directory) are restored when
 * the privileges allow it (root); a new user namespace cannot be left, which
 * the reason then says. */
int sandbox_enter(char *why, size_t whylen);

/* What one worker sees. The strings are read by sandbox_spawn_worker only
 * and stay owned by the caller. */
struct sandbox_worker_config {
        /* Program to exec, e.g. the gai-helper-glibc path. Must be
         * executable; it gets no arguments and the caller's environment. */
        const char *helper_path;
        /* Full text of the worker's /etc/resolv.conf, e.g.
         * "nameserver 127.0.0.5\noptions timeout:1 attempts:1\n". Required. */
        const char *resolv_conf;
        /* Full text of its /etc/hosts; NULL means localhost lines only. */
        const char *hosts;
};

/* A running helper. Owned by the caller; release with sandbox_worker_stop. */
struct sandbox_worker {
        pid_t pid;      /* -1 when not running */
        int to_fd;      /* write end of the helper's stdin, O_CLOEXEC; -1 when closed.
                         * Writing after the helper died raises SIGPIPE. */
        int from_fd;    /* read end of the helper's stdout, O_CLOEXEC; -1 when closed */
};

/* Forks a helper in its own mount namespace, with private copies of
 * /etc/resolv.conf (cfg->resolv_conf), /etc/hosts (cfg->hosts or localhost
 * only), /etc/nsswitch.conf ("hosts: files dns") and, when the host has one,
 * an empty /etc/gai.conf, and an empty /var/run/nscd so glibc cannot ask a
 * host nscd. A symlinked /etc/resolv.conf is overlaid where it points.
 * Nothing is written to or mounted on the host: the files live on a tmpfs
 * mounted and detached inside the worker's namespace only.
 *
 * Meant to be called after sandbox_enter() succeeded (it works without it,
 * as root, but the helper would then share the host network). Safe to call
 * from a threaded process: before exec the child only makes system calls
 * and formats text with snprintf (no malloc, no locks).
 * Blocks until the helper has been exec'd or has failed to start.
 *
 * Returns 0 and fills *w, or -1 with the reason in why (including a failure
 * of the child before exec, e.g. "worker: mount --bind over /etc/hosts: Permission denied") and *w set
 * to {-1, -1, -1}. On success the caller owns w's pid and fds. */
int sandbox_spawn_worker(const struct sandbox_worker_config *cfg,
                         struct sandbox_worker *w, char *why, size_t whylen);

/* As sandbox_spawn_worker, but returns as soon as the child has closed its
 * copies of the caller's descriptors (so no socket the caller closes later
 * stays open there), before the mounts: a caller on an event loop never
 * waits for them. A child that fails
 * before exec ends without a report (it is dropped): the caller sees EOF on
 * from_fd. Requests may be written at once; the pipe holds them. */
int sandbox_spawn_worker_nowait(const struct sandbox_worker_config *cfg,
                                struct sandbox_worker *w, char *why, size_t whylen);

/* Closes both pipes, kills the helper (SIGKILL) and reaps it. Resets *w to
 * {-1, -1, -1}; calling it again, or on a never-started worker, is a no-op. */
void sandbox_worker_stop(struct sandbox_worker *w);
