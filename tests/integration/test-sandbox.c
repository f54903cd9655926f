/* Integration test of the real-libc sandbox (clients/real/sandbox.h).
 *
 * Each test forks a child that calls sandbox_enter() and reports back over a
 * pipe, one line per result ("check 0|1 <what>", "note <text>", "skip
 * <why>"); the parent turns the lines into CUnit assertions and then checks
 * that the host was left alone. Where namespaces are unavailable the child
 * reports "skip" and the test is counted skipped (TEST_SKIP), with the reason.
 *
 * Helper paths, first found wins: the environment (STUBCOMPAT_GAI_HELPER_GLIBC,
 * STUBCOMPAT_GAI_HELPER_MUSL), macros of the same names, then
 * <build dir>/clients/real/gai-helper-{glibc,musl}. A missing musl helper is
 * skipped with a note, a missing glibc helper fails.
 */
#include "clients/real/sandbox.h"
#include "tests/common/testmain.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef STUBCOMPAT_GAI_HELPER_GLIBC
#define STUBCOMPAT_GAI_HELPER_GLIBC NULL
#endif
#ifndef STUBCOMPAT_GAI_HELPER_MUSL
#define STUBCOMPAT_GAI_HELPER_MUSL NULL
#endif

#define SERVED_NS   "127.0.0.5"   /* the test's responder listens here */
#define SILENT_NS   "127.0.0.6"   /* nothing listens here */
#define QUERY_NAME  "api.mixpanel.com"
#define ANSWER_ADDR "10.1.0.1"
#define RESOLV(ns)  "nameserver " ns "\noptions timeout:1 attempts:1\n"
#define TIMING_ROUNDS 50

struct helper { const char *label, *path, *version; };

static FILE *report;   /* child side of the report pipe */

/* ---------------------------------------------------------------- child side */

__attribute__((format(printf, 2, 3)))
static bool check(bool ok, const char *fmt, ...)
{
        va_list ap;

        fprintf(report, "check %d ", ok ? 1 : 0);
        va_start(ap, fmt);
        vfprintf(report, fmt, ap);
        va_end(ap);
        fputc('\n', report);
        return ok;
}

__attribute__((format(printf, 1, 2)))
static void note(const char *fmt, ...)
{
        va_list ap;

        fputs("note ", report);
        va_start(ap, fmt);
        vfprintf(report, fmt, ap);
        va_end(ap);
        fputc('\n', report);
}

static double now_ms(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Sends req (one line with its '\n') and reads one answer line, without its
 * newline, into buf. Returns the round trip in ms, or -1 on timeout/EOF. */
static double ask(struct sandbox_worker *w, const char *req, char *buf, size_t cap, int timeout_ms)
{
        double t0 = now_ms();
        size_t len = 0;

        buf[0] = '\0';
        if (write(w->to_fd, req, strlen(req)) != (ssize_t)strlen(req))
                return -1;
        while (len + 1 < cap) {
                struct pollfd p = { .fd = w->from_fd, .events = POLLIN };
                int left = timeout_ms - (int)(now_ms() - t0);

                if (left <= 0 || poll(&p, 1, left) <= 0 || read(w->from_fd, buf + len, 1) != 1)
                        return -1;
                if (buf[len] == '\n')
                        break;
                buf[++len] = '\0';
        }
        buf[len] = '\0';
        return now_ms() - t0;
}

static bool spawn(const struct helper *h, const char *resolv, struct sandbox_worker *w)
{
        struct sandbox_worker_config cfg = { .helper_path = h->path, .resolv_conf = resolv };
        char why[256] = "";

        return check(sandbox_spawn_worker(&cfg, w, why, sizeof why) == 0,
                     "%s: spawn worker: %s", h->label, why[0] ? why : "ok");
}

/* Checks the worker's mount table: its files are on the "stubcompat" tmpfs
 * and the staging mount on /tmp was detached before exec. */
static void check_worker_mounts(const struct helper *h, pid_t pid)
{
        char path[64], line[1024];
        int ours = 0, staged = 0;
        FILE *fp;

        snprintf(path, sizeof path, "/proc/%ld/mountinfo", (long)pid);
        fp = fopen(path, "r");
        while (fp != NULL && fgets(line, sizeof line, fp) != NULL) {
                if (strstr(line, " - tmpfs stubcompat ") == NULL)
                        continue;
                ours++;
                staged += strstr(line, " /tmp ") != NULL;
        }
        if (fp != NULL)
                fclose(fp);
        check(ours >= 1 && staged == 0, "%s: worker has %d private mounts, %d left on /tmp",
              h->label, ours, staged);
}

/* Path of a helper: env, then macro, then the build tree (written to buf). */
static const char *helper_path(const char *env, const char *macro, const char *name, char *buf,
                               size_t cap)
{
        const char *p = getenv(env);

        if (p != NULL || (p = macro) != NULL)
                return p;
        snprintf(buf, cap, "%s/clients/real/%s", test_build_dir(), name);
        return buf;
}

/* Returns the helpers to run: glibc always, musl when built. */
static int helpers(struct helper out[2])
{
        static char gbuf[4096], mbuf[4096];
        const char *glibc = helper_path("STUBCOMPAT_GAI_HELPER_GLIBC", STUBCOMPAT_GAI_HELPER_GLIBC,
                                        "gai-helper-glibc", gbuf, sizeof gbuf);
        const char *musl = helper_path("STUBCOMPAT_GAI_HELPER_MUSL", STUBCOMPAT_GAI_HELPER_MUSL,
                                       "gai-helper-musl", mbuf, sizeof mbuf);
        int n = 0;

        if (check(glibc != NULL && access(glibc, X_OK) == 0, "glibc helper available (%s)",
                  glibc))
                out[n++] = (struct helper){ "glibc", glibc, " version glibc " };
        if (access(musl, X_OK) == 0)
                out[n++] = (struct helper){ "musl", musl, " version musl" };
        else
                note("musl helper not built (%s): musl cases skipped", musl);
        return n;
}

/* Forks, enters the sandbox in the child and runs body there; returns the
 * read end of the report pipe and sets *pid. */
static int run_in_sandbox(void (*body)(void), pid_t *pid)
{
        int fds[2];
        char why[256] = "";

        if (pipe(fds) < 0 || (*pid = fork()) < 0)
                return -1;
        if (*pid > 0) {
                close(fds[1]);
                return fds[0];
        }
        close(fds[0]);
        report = fdopen(fds[1], "w");
        setvbuf(report, NULL, _IOLBF, 0);
        alarm(60);                  /* a hung helper fails the test, not the run */
        signal(SIGPIPE, SIG_IGN);   /* a dead helper shows as a failed ask() */
        if (sandbox_enter(why, sizeof why) < 0)
                fprintf(report, "skip sandbox_enter: %s\n", why);
        else
                body();
        fclose(report);
        _exit(0);
}

/* ---------------------------------------------------------------- parent side */

/* Runs body in a sandboxed child and asserts every check it reported.
 * Returns false, with the reason in skip, when the child could not enter
 * the sandbox. */
static bool collect(void (*body)(void), char *skip, size_t cap)
{
        char line[1024];
        bool skipped = false;
        int status = -1;
        pid_t pid = -1;
        int fd = run_in_sandbox(body, &pid);
        FILE *in = fd >= 0 ? fdopen(fd, "r") : NULL;

        CU_ASSERT_FATAL(in != NULL);
        while (fgets(line, sizeof line, in) != NULL) {
                line[strcspn(line, "\n")] = '\0';
                if (strncmp(line, "check ", 6) == 0) {
                        CU_assertImplementation(line[6] == '1', __LINE__, line + 8, __FILE__, "", CU_FALSE);
                        printf("\n    %s %s", line[6] == '1' ? "ok  " : "FAIL", line + 8);
                } else if (strncmp(line, "skip ", 5) == 0) {
                        snprintf(skip, cap, "%s", line + 5);
                        skipped = true;
                } else {
                        printf("\n    %s", line);
                }
        }
        fclose(in);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        printf("\n");
        return !skipped;
}

struct host_file { const char *path; char *bytes; size_t len; struct stat st; };

static void snapshot(struct host_file *f)
{
        FILE *fp = fopen(f->path, "rb");
        char buf[4096];
        size_t n;

        f->bytes = NULL;
        f->len = 0;
        memset(&f->st, 0, sizeof f->st);   /* a missing file compares as ino 0 */
        if (stat(f->path, &f->st) < 0 || fp == NULL)
                return;
        while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
                f->bytes = realloc(f->bytes, f->len + n);
                memcpy(f->bytes + f->len, buf, n);
                f->len += n;
        }
        fclose(fp);
}

static bool same_bytes(const struct host_file *a, const struct host_file *b)
{
        return a->len == b->len && (a->len == 0 || memcmp(a->bytes, b->bytes, a->len) == 0);
}

/* Same bytes, same inode, same mtime and ctime. */
static bool same_file(const struct host_file *a, const struct host_file *b)
{
        return same_bytes(a, b) && a->st.st_ino == b->st.st_ino
               && a->st.st_mtim.tv_sec == b->st.st_mtim.tv_sec
               && a->st.st_mtim.tv_nsec == b->st.st_mtim.tv_nsec
               && a->st.st_ctim.tv_sec == b->st.st_ctim.tv_sec
               && a->st.st_ctim.tv_nsec == b->st.st_ctim.tv_nsec;
}

static void read_link(const char *path, char *buf, size_t cap)
{
        ssize_t n = readlink(path, buf, cap - 1);

        buf[n > 0 ? n : 0] = '\0';
}

/* Host state the sandbox must not change. */
struct host_state { struct host_file files[3]; char net[64], mnt[64]; struct host_file mounts; };

static void host_state_take(struct host_state *s)
{
        static const char *paths[] = { "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf" };

        for (int i = 0; i < 3; i++) {
                s->files[i].path = paths[i];
                snapshot(&s->files[i]);
        }
        s->mounts.path = "/proc/self/mountinfo";
        snapshot(&s->mounts);
        read_link("/proc/self/ns/net", s->net, sizeof s->net);
        read_link("/proc/self/ns/mnt", s->mnt, sizeof s->mnt);
}

static void host_state_free(struct host_state *s)
{
        for (int i = 0; i < 3; i++)
                free(s->files[i].bytes);
        free(s->mounts.bytes);
        memset(s, 0, sizeof *s);
}

static struct host_state before;   /* taken by the parent before each fork */

/* ---------------------------------------------------------------- test bodies */

/* (a) in the sandbox: two workers per helper, no server listening. */
static void body_isolation(void)
{
        struct helper h[2];
        int nh = helpers(h);
        char net[64], buf[512];
        struct host_file seen = { .path = "/etc/resolv.conf" };

        read_link("/proc/self/ns/net", net, sizeof net);
        check(strcmp(net, before.net) != 0, "sandbox has its own network namespace (%s)", net);
        for (int i = 0; i < nh; i++) {
                struct sandbox_worker w[2];
                const char *ns[2] = { RESOLV(SERVED_NS), RESOLV(SILENT_NS) };

                for (int k = 0; k < 2; k++) {
                        if (!spawn(&h[i], ns[k], &w[k]))
                                continue;
                        check_worker_mounts(&h[i], w[k].pid);
                        ask(&w[k], "v1 version\n", buf, sizeof buf, 2000);
                        check(strncmp(buf, "v1", 2) == 0 && strstr(buf, h[i].version) == buf + 2,
                              "%s: version line: '%s'", h[i].label, buf);
                        double ms = ask(&w[k], "q1 127.0.0.1 53 " QUERY_NAME " inet\n", buf, sizeof buf, 4000);
                        check(ms >= 0 && ms < 2500 && strncmp(buf, "q1 ", 3) == 0 && strncmp(buf, "q1 ok ", 6) != 0,
                              "%s: no server -> quick failure: '%s' in %.1f ms", h[i].label, buf, ms);
                        ask(&w[k], "b1 127.0.0.1 53 " QUERY_NAME " bogus\n", buf, sizeof buf, 2000);
                        check(strncmp(buf, "b1 bad-request ", 15) == 0,
                              "%s: bad family -> bad-request: '%s'", h[i].label, buf);
                        sandbox_worker_stop(&w[k]);
                        sandbox_worker_stop(&w[k]);   /* idempotent */
                }
        }
        snapshot(&seen);
        check(same_file(&seen, &before.files[0]),
              "workers' resolv.conf did not leak into the sandbox's own mounts");
}

/* Answers every query read from fd: one A record ANSWER_ADDR for type A,
 * an empty NOERROR (RA set) answer for any other type. Never returns. */
static void respond_forever(int fd)
{
        static const uint8_t answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 0, 1 };
        uint8_t q[512], r[512 + sizeof answer];

        for (;;) {
                struct sockaddr_in from;
                socklen_t fl = sizeof from;
                ssize_t n = recvfrom(fd, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
                size_t off = 12, len;

                while (n > 12 && off < (size_t)n && q[off] != 0 && q[off] < 64)
                        off += 1u + q[off];
                if (n <= 12 || off + 5 > (size_t)n || q[off] != 0)
                        continue;
                len = off + 5;   /* root label, type, class */
                memcpy(r, q, len);
                r[2] = 0x80 | (q[2] & 0x01);   /* QR, opcode 0, RD copied */
                r[3] = 0x80;                   /* RA, NOERROR */
                memset(r + 4, 0, 8);
                r[5] = 1;                      /* qdcount */
                if (q[off + 1] == 0 && q[off + 2] == 1) {   /* type A */
                        r[7] = 1;
                        memcpy(r + len, answer, sizeof answer);
                        len += sizeof answer;
                }
                sendto(fd, r, len, 0, (struct sockaddr *)&from, fl);
        }
}

/* Binds SERVED_NS:53 and forks the responder. Returns its pid, or -1. */
static pid_t start_responder(void)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        bool bound;
        pid_t pid;

        inet_pton(AF_INET, SERVED_NS, &sa.sin_addr);
        bound = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (!check(bound, "bind " SERVED_NS ":53 in the sandbox: %s", bound ? "ok" : strerror(errno)))
                return -1;
        pid = fork();
        if (pid == 0)
                respond_forever(fd);
        close(fd);
        return pid;
}

/* Asks TIMING_ROUNDS lookups and notes the mean and worst round trip. */
static void time_lookups(const struct helper *h, struct sandbox_worker *w)
{
        double sum = 0, worst = 0;
        char buf[512];
        int ok = 0;

        for (int i = 0; i < TIMING_ROUNDS; i++) {
                double ms = ask(w, "t 127.0.0.1 53 " QUERY_NAME " inet\n", buf, sizeof buf, 3000);
                ok += ms >= 0 && strstr(buf, " ok ") != NULL;
                sum += ms;
                worst = ms > worst ? ms : worst;
        }
        check(ok == TIMING_ROUNDS, "%s: %d/%d timed lookups ok", h->label, ok, TIMING_ROUNDS);
        note("%s: one lookup (inet, served) takes %.3f ms mean, %.3f ms worst over %d",
             h->label, sum / TIMING_ROUNDS, worst, TIMING_ROUNDS);
}

/* (b) in the sandbox: a responder on SERVED_NS proves each worker's own
 * resolv.conf is the one its libc reads. */
static void body_private_resolv(void)
{
        struct helper h[2];
        int nh = helpers(h);
        pid_t responder = start_responder();
        char buf[512];

        for (int i = 0; i < nh && responder > 0; i++) {
                struct sandbox_worker served = { -1, -1, -1 }, silent = { -1, -1, -1 };
                double ms;

                if (!spawn(&h[i], RESOLV(SERVED_NS), &served) || !spawn(&h[i], RESOLV(SILENT_NS), &silent))
                        goto next;
                ms = ask(&served, "a 127.0.0.1 53 " QUERY_NAME " inet\n", buf, sizeof buf, 3000);
                check(ms >= 0 && strncmp(buf, "a ok ", 5) == 0 && strstr(buf, " " ANSWER_ADDR) != NULL
                      && strchr(strstr(buf, " " ANSWER_ADDR) + 1, ' ') == NULL,
                      "%s: served inet -> " ANSWER_ADDR ": '%s' (%.1f ms)", h[i].label, buf, ms);
                ms = ask(&served, "u 127.0.0.1 53 " QUERY_NAME " unspec\n", buf, sizeof buf, 3000);
                check(ms >= 0 && strncmp(buf, "u ok ", 5) == 0 && strstr(buf, " " ANSWER_ADDR) != NULL,
                      "%s: served unspec -> " ANSWER_ADDR ": '%s' (%.1f ms)", h[i].label, buf, ms);
                ms = ask(&served, "s6 127.0.0.1 53 " QUERY_NAME " inet6\n", buf, sizeof buf, 3000);
                note("%s: served inet6 (NODATA) -> '%s' (%.1f ms)", h[i].label, buf, ms);
                ms = ask(&silent, "n 127.0.0.1 53 " QUERY_NAME " inet\n", buf, sizeof buf, 3000);
                check(ms >= 0 && strncmp(buf, "n ", 2) == 0 && strncmp(buf, "n ok ", 5) != 0,
                      "%s: other worker (" SILENT_NS ") -> failure: '%s' (%.1f ms)", h[i].label, buf, ms);
                time_lookups(&h[i], &served);
        next:
                sandbox_worker_stop(&served);
                sandbox_worker_stop(&silent);
        }
        if (responder > 0) {
                kill(responder, SIGKILL);
                waitpid(responder, NULL, 0);
        }
}

/* ---------------------------------------------------------------- tests */

static void assert_host_unchanged(void)
{
        struct host_state after;

        host_state_take(&after);
        for (int i = 0; i < 3; i++) {
                CU_ASSERT(before.files[i].bytes != NULL || before.files[i].st.st_ino == 0);
                CU_assertImplementation(same_file(&before.files[i], &after.files[i]), __LINE__,
                                        before.files[i].path, __FILE__, "", CU_FALSE);
        }
        CU_ASSERT_STRING_EQUAL(before.net, after.net);
        CU_ASSERT_STRING_EQUAL(before.mnt, after.mnt);
        CU_assertImplementation(same_bytes(&before.mounts, &after.mounts), __LINE__,
                                "host mount table unchanged", __FILE__, "", CU_FALSE);
        host_state_free(&after);
        host_state_free(&before);
}

/* Runs body in the sandbox, then checks the host. */
static void run_sandboxed(void (*body)(void))
{
        char skip[1024] = "";

        host_state_take(&before);
        if (!collect(body, skip, sizeof skip)) {
                host_state_free(&before);
                TEST_SKIP("%s", skip);
        }
        assert_host_unchanged();
}

static void test_isolation(void)
{
        run_sandboxed(body_isolation);
}

static void test_private_resolv(void)
{
        run_sandboxed(body_private_resolv);
}

static const struct test_case sandbox_cases[] = {
        { "host untouched, helpers answer", test_isolation },
        { "private resolv.conf per worker", test_private_resolv },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "sandbox", sandbox_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "test-sandbox", suites);
}
