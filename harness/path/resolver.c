/* Starting, watching, flushing and stopping a resolver process. */
#include "harness/path/resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/path/resolver-config.h"

#define START_TIMEOUT_MS 10000
#define FLUSH_TIMEOUT_MS 2000
#define VERSION_TIMEOUT_MS 10000  /* a --version that hangs longer is broken, not slow */

static const struct resolver_info info_table[VIA_MAX] = {
        [VIA_DNSMASQ] = { VIA_DNSMASQ, "/usr/sbin/dnsmasq", "dnsmasq-base",
                           "home routers and small forwarders" },
        [VIA_UNBOUND] = { VIA_UNBOUND, "/usr/sbin/unbound", "unbound",
                           "validating recursive resolvers (ISPs, pfSense, OPNsense)" },
        [VIA_BIND9] = { VIA_BIND9, "/usr/sbin/named", "bind9",
                         "company and ISP resolvers running BIND" },
        [VIA_KNOT_RESOLVER] = { VIA_KNOT_RESOLVER, "/usr/sbin/kresd", "knot-resolver",
                                 "Knot Resolver (Turris routers, some public resolvers)" },
        [VIA_PDNS_RECURSOR] = { VIA_PDNS_RECURSOR, "/usr/sbin/pdns_recursor", "pdns-recursor",
                                 "PowerDNS Recursor (ISP resolvers)" },
};

struct resolver {
        enum resolver_path path;
        pid_t pid;                  /* -1 once reaped */
        pid_t pgid;                 /* its process group (dnsmasq forks per TCP client) */
        int exit_fd;
        uint16_t port, upstream_port;
        char dir[256];
        struct resolver_flush flush;
        long ready_by;              /* monotonic ms: not ready by then is a failure */
        bool ready;
};

const struct resolver_info *resolver_info(enum resolver_path path)
{
        if (path <= VIA_DIRECT || path >= VIA_MAX)
                return NULL;
        return &info_table[path];
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
}

/* Runs argv with stdout+stderr into out (NUL-terminated, may be cut) and
 * waits at most timeout_ms. Returns its exit status, or -1 with why (could
 * not start, killed at the timeout, ended by a signal). */
static int run_capture(char *const argv[], char *out, size_t outlen, long timeout_ms, char *why,
                       size_t whylen)
{
        int fds[2];
        size_t got = 0;
        int status = 0;

        if (outlen)
                out[0] = '\0';
        if (pipe2(fds, O_CLOEXEC) < 0) {
                snprintf(why, whylen, "pipe: %s", strerror(errno));
                return -1;
        }
        pid_t pid = fork();
        if (pid < 0) {
                snprintf(why, whylen, "fork: %s", strerror(errno));
                close(fds[0]);
                close(fds[1]);
                return -1;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDONLY);
                dup2(devnull, 0);
                dup2(fds[1], 1);
                dup2(fds[1], 2);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                execv(argv[0], argv);
                dprintf(2, "%s: %s", argv[0], strerror(errno));
                _exit(127);
        }
        close(fds[1]);
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        long end = now_ms() + timeout_ms;
        bool timed_out = false;
        for (;;) {
                char buf[512];
                ssize_t n = read(fds[0], buf, sizeof(buf));
                if (n > 0) {
                        size_t keep = outlen > got + 1 ? outlen - got - 1 : 0;
                        if ((size_t)n < keep)
                                keep = (size_t)n;
                        memcpy(out + got, buf, keep);
                        got += keep;
                        if (outlen)
                                out[got] = '\0';
                        continue;
                }
                if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                        break;
                if (now_ms() > end) {
                        kill(pid, SIGKILL);
                        timed_out = true;
                        break;
                }
                sleep_ms(5);
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        snprintf(why, whylen, "%s: killed by signal %d%s", argv[0], WTERMSIG(status),
                 timed_out ? " (no exit within the time allowed)" : "");
        return -1;
}

/* The first dotted number of text: "Version 1.17.1" -> "1.17.1". */
static int first_version(const char *text, char *buf, size_t len)
{
        for (const char *p = text; *p; p++) {
                if (*p < '0' || *p > '9' || (p > text && p[-1] != ' ' && p[-1] != 'v'))
                        continue;
                size_t n = strspn(p, "0123456789.");
                if (n < 3 || !memchr(p, '.', n))
                        continue;
                snprintf(buf, len, "%.*s", (int)n, p);
                return 0;
        }
        return -1;
}

int resolver_version(enum resolver_path path, char *buf, size_t len, char *why, size_t whylen)
{
        const struct resolver_info *ri = resolver_info(path);
        char out[2048];

        if (!ri) {
                snprintf(why, whylen, "no resolver for path '%s'", resolver_path_to_string(path));
                return -1;
        }
        if (access(ri->program, X_OK) != 0) {
                snprintf(why, whylen, "%s: not installed (apt-get install %s)", ri->program,
                         ri->package);
                return -1;
        }
        const char *flag = path == VIA_UNBOUND ? "-V" : path == VIA_BIND9 ? "-v" : "--version";
        char *const argv[] = { (char *)ri->program, (char *)flag, NULL };
        if (run_capture(argv, out, sizeof(out), VERSION_TIMEOUT_MS, why, whylen) < 0)
                return -1;
        if (first_version(out, buf, len) < 0) {
                snprintf(why, whylen, "%s %s: no version in its output", ri->program, flag);
                return -1;
        }
        return 0;
}

/* Ports handed out by free_port in this process: a resolver's upstream port
 * stays unbound between cells, and must not become another's listener. */
#define HANDED_OUT_MAX 256
static uint16_t handed_out[HANDED_OUT_MAX];   /* a ring: the last HANDED_OUT_MAX */
static size_t nhanded_out;                    /* ever handed out */

static bool port_handed_out(uint16_t port)
{
        size_t n = nhanded_out < HANDED_OUT_MAX ? nhanded_out : HANDED_OUT_MAX;
        for (size_t i = 0; i < n; i++)
                if (handed_out[i] == port)
                        return true;
        return false;
}

/* A number that differs between processes and calls (two runs at once must
 * not pick the same fixed ports). */
static unsigned pick(void)
{
        static uint64_t state;
        if (!state)
                state = ((uint64_t)getpid() << 32) ^ (uint64_t)now_ms() ^ 0x9e3779b97f4a7c15ull;
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return (unsigned)(state >> 16);
}

/* The lowest ephemeral port: below it the kernel never picks a port for a
 * socket bound to port 0 (a fake server, a relay, an outgoing query). */
static void ephemeral_range(unsigned *lo, unsigned *hi)
{
        FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
        if (!f || fscanf(f, "%u %u", lo, hi) != 2 || *lo <= 2048 || *hi < *lo || *hi > 65535) {
                *lo = 32768;
                *hi = 60999;
        }
        if (f)
                fclose(f);
}

static unsigned ephemeral_low(void)
{
        unsigned lo, hi;
        ephemeral_range(&lo, &hi);
        return lo;
}

/* A port that was free on 127.0.0.1 for both UDP and TCP a moment ago and
 * that no earlier call returned: any one (below_ephemeral false), or one
 * the kernel never hands out by itself, for a port left unbound between
 * cells (a resolver's upstream). */
static int free_port(uint16_t *port, bool below_ephemeral, char *why, size_t whylen)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof(a);
        unsigned low = ephemeral_low();

        for (int tries = 0; tries < 64; tries++) {
                int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                a.sin_port = below_ephemeral ? htons((uint16_t)(1024 + pick() % (low - 1024))) : 0;
                bool ok = t >= 0 && u >= 0 && bind(t, (struct sockaddr *)&a, sizeof(a)) == 0 &&
                          getsockname(t, (struct sockaddr *)&a, &alen) == 0 &&
                          bind(u, (struct sockaddr *)&a, sizeof(a)) == 0;
                if (t >= 0)
                        close(t);
                if (u >= 0)
                        close(u);
                if (ok && !port_handed_out(ntohs(a.sin_port))) {
                        *port = ntohs(a.sin_port);
                        handed_out[nhanded_out++ % HANDED_OUT_MAX] = *port;
                        return 0;
                }
        }
        snprintf(why, whylen, "no free port on 127.0.0.1: %s", strerror(errno));
        return -1;
}

static bool tcp_accepts(uint16_t port)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
        if (s >= 0)
                close(s);
        return ok;
}

/* The last non-empty line of the log that is not a warning about limits. */
static void last_log_line(const struct resolver *r, char *buf, size_t len)
{
        char path[300], line[256];
        snprintf(path, sizeof(path), "%s/log", r->dir);
        buf[0] = '\0';
        FILE *f = fopen(path, "r");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = '\0';
                if (line[0] && !strstr(line, "file-descriptors"))
                        snprintf(buf, len, "%s", line);
        }
        fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st; (void)flag; (void)ftw;
        remove(path);
        return 0;
}

/* Removes the resolver's directory and what the resolver made in it (kresd:
 * control/, cache files). Only directories this file made. */
static void remove_dir(const char *dir)
{
        if (dir[0] == '/' && strstr(dir, "/stubcompat-resolver-"))
                nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Child side of the fork: own process group, dies with the parent thread,
 * log on stdout and stderr, then exec. Never returns. */
static void exec_resolver(const struct resolver *r, char *const argv[], pid_t parent)
{
        char log[300];
        snprintf(log, sizeof(log), "%s/log", r->dir);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(126);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int devnull = open("/dev/null", O_RDONLY);
        if (fd < 0 || devnull < 0 || chdir(r->dir) < 0)
                _exit(126);
        dup2(devnull, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execv(argv[0], argv);
        dprintf(2, "%s: %s\n", argv[0], strerror(errno));
        _exit(127);
}

static void describe_end(const struct resolver *r, int status, char *why, size_t whylen)
{
        char line[256];
        const char *name = resolver_path_to_string(r->path);
        last_log_line(r, line, sizeof(line));
        if (WIFEXITED(status))
                snprintf(why, whylen, "%s exited with status %d%s%s", name, WEXITSTATUS(status),
                         line[0] ? ": " : "", line);
        else
                snprintf(why, whylen, "%s killed by signal %d%s%s", name, WTERMSIG(status),
                         line[0] ? ": " : "", line);
}

/* Sends one control line and reads the reply. Returns 0, or -1 with why. */
static int control_send(const struct resolver *r, const struct resolver_control *c, char *why,
                        size_t whylen)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        char reply[512];
        size_t got = 0;
        int ret = -1, n;

        if (c->socket[0])
                n = snprintf(a.sun_path, sizeof(a.sun_path), "%.80s/%s", r->dir, c->socket);
        else
                n = snprintf(a.sun_path, sizeof(a.sun_path), "%.80s/control/%d", r->dir, (int)r->pid);
        if (strlen(r->dir) > 80 || n < 0 || (size_t)n >= sizeof(a.sun_path)) {
                snprintf(why, whylen, "%s: control socket path too long", r->dir);
                return -1;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct timeval tv = { FLUSH_TIMEOUT_MS / 1000, (FLUSH_TIMEOUT_MS % 1000) * 1000 };
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
            connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            write(fd, c->line, strlen(c->line)) != (ssize_t)strlen(c->line)) {
                snprintf(why, whylen, "%s: %s", a.sun_path, strerror(errno));
                goto cleanup;
        }
        for (;;) {
                ssize_t k = read(fd, reply + got, sizeof(reply) - 1 - got);
                if (k > 0) {
                        got += (size_t)k;
                        reply[got] = '\0';
                        if (!c->until_eof && strstr(reply, "> ")) {
                                ret = 0;
                                break;
                        }
                        if (got < sizeof(reply) - 1)
                                continue;
                        got = 0;   /* keep reading: only the end matters */
                        continue;
                }
                reply[got] = '\0';
                if (k == 0 && c->until_eof && !strstr(reply, "error"))
                        ret = 0;
                break;
        }
        if (ret < 0)
                snprintf(why, whylen, "%s: '%.*s' got '%.*s'", a.sun_path,
                         (int)strcspn(c->line, "\n"), c->line, (int)strcspn(reply, "\n"), reply);
cleanup:
        if (fd >= 0)
                close(fd);
        return ret;
}

int resolver_flush(struct resolver *r, char *why, size_t whylen)
{
        char out[512];
        for (int i = 0; i < r->flush.ncmd; i++) {
                const struct resolver_argv *a = &r->flush.cmd[i];
                int st = run_capture(a->argv, out, sizeof(out), FLUSH_TIMEOUT_MS, why, whylen);
                if (st == 0)
                        continue;
                if (st > 0) {
                        out[strcspn(out, "\n")] = '\0';
                        snprintf(why, whylen, "%s %s exited with status %d: %s", a->argv[0],
                                 a->argv[a->argc - 1], st, out);
                }
                return -1;
        }
        for (int i = 0; i < r->flush.ncontrol; i++)
                if (control_send(r, &r->flush.control[i], why, whylen) < 0)
                        return -1;
        return 0;
}

struct resolver *resolver_start(const struct resolver_config *cfg, char *why, size_t whylen)
{
        const struct resolver_info *ri = resolver_info(cfg->path);
        const char *parent = cfg->parent_dir ? cfg->parent_dir : getenv("TMPDIR");
        struct resolver *r = calloc(1, sizeof(*r));
        struct resolver_argv run;

        if (!r) {
                snprintf(why, whylen, "out of memory");
                return NULL;
        }
        r->path = cfg->path;
        r->pid = -1;
        r->exit_fd = -1;
        if (!ri) {
                snprintf(why, whylen, "no resolver for path '%s'", resolver_path_to_string(cfg->path));
                goto fail;
        }
        if (access(ri->program, X_OK) != 0) {
                snprintf(why, whylen, "%s: not installed (apt-get install %s)", ri->program,
                         ri->package);
                goto fail;
        }
        snprintf(r->dir, sizeof(r->dir), "%s/stubcompat-resolver-XXXXXX",
                 parent && parent[0] ? parent : "/tmp");
        if (!mkdtemp(r->dir)) {
                snprintf(why, whylen, "%s: %s", r->dir, strerror(errno));
                r->dir[0] = '\0';
                goto fail;
        }
        struct resolver_setup setup = { .dir = r->dir, .upstream = cfg->upstream,
                                        .upstream_port = cfg->upstream_port };
        if (!setup.upstream_port && free_port(&setup.upstream_port, true, why, whylen) < 0)
                goto fail;
        r->upstream_port = setup.upstream_port;
        ephemeral_range(&setup.query_port_min, &setup.query_port_max);
        if (free_port(&setup.port, false, why, whylen) < 0 ||
            free_port(&setup.control_port, false, why, whylen) < 0)
                goto fail;
        if (resolver_config_write(cfg->path, &setup, &run, &r->flush, why, whylen) < 0)
                goto fail;
        r->port = setup.port;
        pid_t self = getpid();
        r->pid = fork();
        if (r->pid < 0) {
                snprintf(why, whylen, "fork: %s", strerror(errno));
                goto fail;
        }
        if (r->pid == 0)
                exec_resolver(r, run.argv, self);
        setpgid(r->pid, r->pid);  /* both sides, so that a kill of the group never misses */
        r->pgid = r->pid;
        r->exit_fd = (int)syscall(SYS_pidfd_open, r->pid, 0);
        r->ready_by = now_ms() + START_TIMEOUT_MS;
        return r;
fail:
        resolver_stop(r);
        return NULL;
}

int resolver_poll_ready(struct resolver *r, char *why, size_t whylen)
{
        char flush_why[256] = "", line[256];
        int status;

        if (r->ready)
                return 1;
        /* ready: it accepts on its port and its flush works (named opens its
         * control channel after the listeners) */
        if (r->pid > 0 && tcp_accepts(r->port) &&
            resolver_flush(r, flush_why, sizeof(flush_why)) == 0) {
                r->ready = true;
                return 1;
        }
        if (r->pid > 0 && waitpid(r->pid, &status, WNOHANG) == r->pid) {
                r->pid = -1;
                describe_end(r, status, why, whylen);
                return -1;
        }
        if (r->pid > 0 && now_ms() <= r->ready_by)
                return 0;
        last_log_line(r, line, sizeof(line));
        snprintf(why, whylen, "%s not ready on 127.0.0.1:%u within %d ms%s%.*s%s%s",
                 resolver_path_to_string(r->path), r->port, START_TIMEOUT_MS,
                 flush_why[0] ? ": " : "", 120, flush_why, line[0] ? ": " : "", line);
        return -1;
}

struct resolver *resolver_start_wait(const struct resolver_config *cfg, char *why, size_t whylen)
{
        struct resolver *r = resolver_start(cfg, why, whylen);
        int st = 0;
        while (r && (st = resolver_poll_ready(r, why, whylen)) == 0)
                sleep_ms(20);
        if (st < 0) {
                resolver_stop(r);
                return NULL;
        }
        return r;
}

uint16_t resolver_port(const struct resolver *r)
{
        return r->port;
}

uint16_t resolver_upstream_port(const struct resolver *r)
{
        return r->upstream_port;
}

pid_t resolver_pid(const struct resolver *r)
{
        return r->pid;
}

int resolver_exit_fd(const struct resolver *r)
{
        return r->exit_fd;
}


int resolver_ended(struct resolver *r, char *why, size_t whylen)
{
        int status;
        if (r->pid < 0) {
                snprintf(why, whylen, "%s is not running", resolver_path_to_string(r->path));
                return 1;
        }
        if (waitpid(r->pid, &status, WNOHANG) != r->pid)
                return 0;
        r->pid = -1;
        describe_end(r, status, why, whylen);
        return 1;
}

void resolver_stop(struct resolver *r)
{
        int status;
        if (!r)
                return;
        if (r->pid > 0) {
                kill(-r->pgid, SIGKILL);    /* it keeps nothing worth a clean shutdown */
                kill(r->pid, SIGKILL);
                while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
                        ;
        }
        if (r->pgid > 0)
                kill(-r->pgid, SIGKILL);    /* what is left of the group: dnsmasq's TCP children */
        if (r->exit_fd >= 0)
                close(r->exit_fd);
        remove_dir(r->dir);
        free(r);
}
