#include "tests/common/serverproc.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/command.h"
#include "tests/common/testmain.h"

#define START_TIMEOUT_MS 10000
#define STOP_GRACE_MS 5000
#define STDERR_MAX (64 * 1024)

struct serverproc {
        pid_t pid;
        int out_fd, err_fd;
        pthread_t reader;
        bool reader_started;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        /* everything below is guarded by lock */
        char partial[4096];           /* an incomplete stdout line */
        size_t partial_len;
        char *errtext;                /* stderr, capped at STDERR_MAX */
        size_t err_len;
        size_t err_total;             /* stderr bytes read, including past the cap */
        struct serverproc_exchange *ex;
        size_t nex, capex;
        char banner[512];
        bool have_banner;
        uint16_t port;
        bool eof;                     /* both pipes closed */
        bool reaped;
        int status;
};

/* ---------------------------------------------------------------- exchange lines */

bool serverproc_parse_exchange(const char *line, struct serverproc_exchange *out)
{
        char edns[16];
        const char *note;
        int n;

        memset(out, 0, sizeof(*out));
        if (strncmp(line, "udp ", 4) != 0 && strncmp(line, "tcp ", 4) != 0)
                return false;
        n = sscanf(line, "%3s %63s %255s %15s edns=%15s query=%zu reply=%zu tc=%d records=%u rcode=%d",
                   out->transport, out->peer, out->qname, out->qtype, edns, &out->query_bytes,
                   &out->reply_bytes, &out->tc, &out->records, &out->rcode);
        if (n != 10)
                return false;
        out->edns = strcmp(edns, "none") == 0 ? -1 : atoi(edns);
        note = strstr(line, " note=");
        if (note)
                snprintf(out->note, sizeof(out->note), "%s", note + 6);
        snprintf(out->line, sizeof(out->line), "%s", line);
        return true;
}

/* Called with the lock held, for each complete stdout line. */
static void handle_line(struct serverproc *sp, const char *line)
{
        struct serverproc_exchange x;

        if (!sp->have_banner && strncmp(line, "serving ", 8) == 0) {
                const char *p = strstr(line, " port ");
                snprintf(sp->banner, sizeof(sp->banner), "%.*s", (int)sizeof(sp->banner) - 1, line);
                sp->have_banner = true;
                sp->port = p ? (uint16_t)atoi(p + 6) : 0;
                return;
        }
        if (!serverproc_parse_exchange(line, &x))
                return;
        if (sp->nex == sp->capex) {
                size_t cap = sp->capex ? sp->capex * 2 : 64;
                struct serverproc_exchange *ex = realloc(sp->ex, cap * sizeof(*ex));
                if (!ex)
                        return;
                sp->ex = ex;
                sp->capex = cap;
        }
        sp->ex[sp->nex++] = x;
}

static void take_stdout(struct serverproc *sp, const char *buf, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                        sp->partial[sp->partial_len] = '\0';
                        handle_line(sp, sp->partial);
                        sp->partial_len = 0;
                } else if (sp->partial_len < sizeof(sp->partial) - 1) {
                        sp->partial[sp->partial_len++] = buf[i];
                }
        }
}

static void take_stderr(struct serverproc *sp, const char *buf, size_t n)
{
        sp->err_total += n;
        if (n > STDERR_MAX - sp->err_len)
                n = STDERR_MAX - sp->err_len;
        memcpy(sp->errtext + sp->err_len, buf, n);
        sp->err_len += n;
        sp->errtext[sp->err_len] = '\0';
}

/* Drains both pipes until the child closes them. */
static void *reader_main(void *arg)
{
        struct serverproc *sp = arg;
        struct pollfd pfd[2] = { { sp->out_fd, POLLIN, 0 }, { sp->err_fd, POLLIN, 0 } };
        char buf[8192];

        while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
                if (poll(pfd, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (int i = 0; i < 2; i++) {
                        if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t got = read(pfd[i].fd, buf, sizeof(buf));
                        if (got < 0 && errno == EINTR)
                                continue;
                        pthread_mutex_lock(&sp->lock);
                        if (got <= 0)
                                pfd[i].fd = -1;
                        else if (i == 0)
                                take_stdout(sp, buf, (size_t)got);
                        else
                                take_stderr(sp, buf, (size_t)got);
                        pthread_cond_broadcast(&sp->cond);
                        pthread_mutex_unlock(&sp->lock);
                }
        }
        pthread_mutex_lock(&sp->lock);
        sp->eof = true;
        pthread_cond_broadcast(&sp->cond);
        pthread_mutex_unlock(&sp->lock);
        return NULL;
}

/* ---------------------------------------------------------------- server process */

static void abs_deadline(struct timespec *ts, unsigned ms)
{
        clock_gettime(CLOCK_REALTIME, ts);
        ts->tv_sec += ms / 1000;
        ts->tv_nsec += (long)(ms % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

static char **build_argv(const char *program, const char *scenario, const char *const *sets,
                         const char *const *extra)
{
        size_t n = 5, i = 0;
        char **argv;

        for (const char *const *s = sets; s && *s; s++)
                n += 2;
        for (const char *const *s = extra; s && *s; s++)
                n++;
        argv = calloc(n + 1, sizeof(*argv));
        if (!argv)
                return NULL;
        argv[i++] = strdup(program);
        argv[i++] = strdup("serve");
        if (scenario[0] == '/')
                argv[i++] = strdup(scenario);
        else if (asprintf(&argv[i++], "%s/%s", test_source_dir(), scenario) < 0)
                argv[i - 1] = NULL;
        argv[i++] = strdup("--port");
        argv[i++] = strdup("0");
        for (const char *const *s = sets; s && *s; s++) {
                argv[i++] = strdup("--set");
                argv[i++] = strdup(*s);
        }
        for (const char *const *s = extra; s && *s; s++)
                argv[i++] = strdup(*s);
        for (size_t k = 0; k < i; k++)
                if (!argv[k]) {
                        for (size_t j = 0; j < i; j++)
                                free(argv[j]);
                        free(argv);
                        return NULL;
                }
        return argv;
}

static void free_argv(char **argv)
{
        for (size_t i = 0; argv && argv[i]; i++)
                free(argv[i]);
        free(argv);
}

static void serverproc_free(struct serverproc *sp)
{
        if (sp->out_fd >= 0)
                close(sp->out_fd);
        if (sp->err_fd >= 0)
                close(sp->err_fd);
        pthread_mutex_destroy(&sp->lock);
        pthread_cond_destroy(&sp->cond);
        free(sp->errtext);
        free(sp->ex);
        free(sp);
}

struct serverproc *serverproc_start(const char *scenario, const char *const *sets,
                                    const char *const *extra)
{
        struct serverproc *sp = calloc(1, sizeof(*sp));
        char *program = NULL, **argv = NULL;
        struct timespec deadline;

        if (!sp)
                return NULL;
        sp->out_fd = sp->err_fd = -1;
        sp->pid = -1;
        pthread_mutex_init(&sp->lock, NULL);
        pthread_cond_init(&sp->cond, NULL);
        sp->errtext = calloc(1, STDERR_MAX + 1);
        if (!sp->errtext || asprintf(&program, "%s/stubcompat", test_build_dir()) < 0) {
                program = NULL;
                goto fail;
        }
        argv = build_argv(program, scenario, sets, extra);
        if (!argv)
                goto fail;
        sp->pid = cmd_spawn(argv, false, &sp->out_fd, &sp->err_fd);
        if (sp->pid < 0) {
                fprintf(stderr, "serverproc: cannot start %s: %s\n", program, strerror(errno));
                goto fail;
        }
        if (pthread_create(&sp->reader, NULL, reader_main, sp) != 0)
                goto fail;
        sp->reader_started = true;

        abs_deadline(&deadline, START_TIMEOUT_MS);
        pthread_mutex_lock(&sp->lock);
        while (!sp->have_banner && !sp->eof)
                if (pthread_cond_timedwait(&sp->cond, &sp->lock, &deadline) == ETIMEDOUT)
                        break;
        bool ok = sp->have_banner && sp->port != 0;
        pthread_mutex_unlock(&sp->lock);
        if (!ok) {
                int status = serverproc_stop(sp);
                fprintf(stderr, "serverproc: %s %s printed no port (exit status %d)\n", program,
                        scenario, status);
                sp = NULL;
                goto done;
        }
        goto done;
fail:
        if (sp->pid > 0) {
                kill(sp->pid, SIGKILL);
                waitpid(sp->pid, NULL, 0);
        }
        serverproc_free(sp);
        sp = NULL;
done:
        free_argv(argv);
        free(program);
        return sp;
}

size_t serverproc_stderr(struct serverproc *sp, char *out, size_t cap)
{
        size_t total;
        pthread_mutex_lock(&sp->lock);
        if (cap)
                snprintf(out, cap, "%s", sp->errtext);
        total = sp->err_total;
        pthread_mutex_unlock(&sp->lock);
        return total;
}

uint16_t serverproc_port(const struct serverproc *sp)
{
        return sp->port;
}

pid_t serverproc_pid(const struct serverproc *sp)
{
        return sp->pid;
}

const char *serverproc_banner(const struct serverproc *sp)
{
        return sp->banner;
}

bool serverproc_alive(struct serverproc *sp)
{
        int wstatus;
        if (sp->reaped)
                return false;
        if (waitpid(sp->pid, &wstatus, WNOHANG) == sp->pid) {
                sp->reaped = true;
                sp->status = cmd_exit_code(wstatus);
                return false;
        }
        return true;
}

size_t serverproc_wait_exchanges(struct serverproc *sp, size_t n, unsigned timeout_ms)
{
        struct timespec deadline;
        size_t got;

        abs_deadline(&deadline, timeout_ms);
        pthread_mutex_lock(&sp->lock);
        while (sp->nex < n && !sp->eof)
                if (pthread_cond_timedwait(&sp->cond, &sp->lock, &deadline) == ETIMEDOUT)
                        break;
        got = sp->nex;
        pthread_mutex_unlock(&sp->lock);
        return got;
}

size_t serverproc_exchange_count(struct serverproc *sp)
{
        size_t n;
        pthread_mutex_lock(&sp->lock);
        n = sp->nex;
        pthread_mutex_unlock(&sp->lock);
        return n;
}

bool serverproc_exchange(struct serverproc *sp, size_t i, struct serverproc_exchange *out)
{
        bool ok;
        pthread_mutex_lock(&sp->lock);
        ok = i < sp->nex;
        if (ok)
                *out = sp->ex[i];
        pthread_mutex_unlock(&sp->lock);
        return ok;
}

void serverproc_dump(struct serverproc *sp)
{
        pthread_mutex_lock(&sp->lock);
        printf("    server on port %u, %zu exchanges:\n", sp->port, sp->nex);
        for (size_t i = 0; i < sp->nex && i < 50; i++)
                printf("      %s\n", sp->ex[i].line);
        if (sp->err_len)
                printf("    server stderr: %s\n", sp->errtext);
        pthread_mutex_unlock(&sp->lock);
}

static bool exchange_matches(const struct serverproc_exchange *x, const char *transport,
                             long reply, int tc, long records, const char *note)
{
        if (transport && strcmp(x->transport, transport) != 0)
                return false;
        if (reply >= 0 && x->reply_bytes != (size_t)reply)
                return false;
        if (tc >= 0 && x->tc != tc)
                return false;
        if (records >= 0 && x->records != (unsigned long)records)
                return false;
        return !note || strcmp(x->note, note) == 0;
}

void serverproc_expect(struct serverproc *sp, size_t i, const char *transport, long reply, int tc,
                       long records, const char *note, const char *file, unsigned line)
{
        struct serverproc_exchange x;
        char what[256];
        bool ok;

        serverproc_wait_exchanges(sp, i + 1, 5000);
        ok = serverproc_exchange(sp, i, &x) &&
             exchange_matches(&x, transport, reply, tc, records, note);
        snprintf(what, sizeof(what), "exchange %zu is %s reply=%ld tc=%d records=%ld note=%s", i,
                 transport ? transport : "*", reply, tc, records, note ? note : "*");
        CU_assertImplementation(ok, line, what, file, "", CU_FALSE);
        if (!ok)
                serverproc_dump(sp);
}

size_t serverproc_count(struct serverproc *sp, const char *transport, const char *note)
{
        size_t n = 0;
        pthread_mutex_lock(&sp->lock);
        for (size_t i = 0; i < sp->nex; i++)
                if (exchange_matches(&sp->ex[i], transport, -1, -1, -1, note))
                        n++;
        pthread_mutex_unlock(&sp->lock);
        return n;
}

int serverproc_stop(struct serverproc *sp)
{
        return serverproc_stop_stderr(sp, NULL, 0);
}

int serverproc_stop_stderr(struct serverproc *sp, char *err, size_t errcap)
{
        int wstatus, status = -1;

        if (!sp)
                return -1;
        if (sp->reaped) {
                status = sp->status;
        } else if (sp->pid > 0) {
                double start = cmd_now_ms();
                pid_t got = 0;
                kill(sp->pid, SIGTERM);
                while ((got = waitpid(sp->pid, &wstatus, WNOHANG)) == 0 &&
                       cmd_now_ms() - start < STOP_GRACE_MS)
                        usleep(2000);
                if (got == 0) {
                        kill(sp->pid, SIGKILL);
                        got = waitpid(sp->pid, &wstatus, 0);
                }
                if (got == sp->pid)
                        status = cmd_exit_code(wstatus);
        }
        if (sp->reader_started)
                pthread_join(sp->reader, NULL);
        if (sp->err_len)   /* the server writes nothing there when all is well */
                fprintf(stderr, "serverproc: server stderr: %s\n", sp->errtext);
        if (errcap)
                snprintf(err, errcap, "%s", sp->errtext);
        serverproc_free(sp);
        return status;
}

