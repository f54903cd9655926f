/* Suites in worker processes (suite-pool.h): one queue, in order; each
 * suite's stdout in a temporary file, copied out in the suites' order. */
#include "harness/cli/suite-pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS_MAX 16
#define POLL_MS 100
#define NONE ((size_t)-1)

/* What a worker tells the caller after each suite: one write, well under
 * PIPE_BUF, so the workers' reports never interleave. */
struct suite_report {
        unsigned worker;
        size_t index;
        int status;
};

struct pool_worker {
        pid_t pid;          /* -1 once reaped */
        int cmd_fd;         /* the caller's end: suite indexes to run; -1 once closed */
        size_t running;     /* suite index given and not reported, or NONE */
};

struct pool {
        size_t n, next, printed;
        int *status;        /* per suite; -1 not done */
        FILE **outs;        /* per suite: its stdout */
        struct pool_worker w[WORKERS_MAX];
        unsigned nworkers;
        int report_fd;
        bool stopping;
        bool worker_failed;  /* a worker ended badly after its suites (a sanitizer's exit) */
};

unsigned suite_pool_default_workers(void)
{
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (cores < 1)
                cores = 1;
        return cores + 1 > WORKERS_MAX ? WORKERS_MAX : (unsigned)cores + 1;
}

static void write_full(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return;
                p += k;
                len -= (size_t)k;
        }
}

/* A worker: runs the suites it is given until its command pipe closes or
 * the run is interrupted. Never returns to the caller's loop. */
static void worker_loop(unsigned id, int cmd_fd, int report_fd, struct pool *p,
                        suite_pool_run_fn run, void *arg, volatile sig_atomic_t *interrupted)
{
        size_t index;
        ssize_t k;

        while (!*interrupted) {
                k = read(cmd_fd, &index, sizeof(index));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k != (ssize_t)sizeof(index) || index >= p->n)
                        break;
                fflush(stdout);
                dup2(fileno(p->outs[index]), STDOUT_FILENO);
                struct suite_report r = { .worker = id, .index = index, .status = run(index, arg) };
                fflush(stdout);
                write_full(report_fd, &r, sizeof(r));
        }
        close(cmd_fd);
        close(report_fd);
}

/* Copies the stdout of every finished suite that comes next in order. */
static void print_ready(struct pool *p, FILE *out)
{
        char buf[65536];
        while (p->printed < p->n && p->status[p->printed] >= 0) {
                int fd = fileno(p->outs[p->printed]);
                off_t off = 0;
                ssize_t k;
                while ((k = pread(fd, buf, sizeof(buf), off)) > 0) {
                        fwrite(buf, 1, (size_t)k, out);
                        off += k;
                }
                fflush(out);
                p->printed++;
        }
}

/* Gives worker w its next suite, or closes its command pipe when none is left. */
static void dispatch(struct pool *p, struct pool_worker *w)
{
        if (w->cmd_fd < 0)
                return;
        if (p->stopping || p->next >= p->n) {
                close(w->cmd_fd);
                w->cmd_fd = -1;
                return;
        }
        w->running = p->next++;
        write_full(w->cmd_fd, &w->running, sizeof(w->running));
}

/* Reads every report waiting in the pipe. */
static void read_reports(struct pool *p, FILE *out)
{
        struct suite_report r;
        while (read(p->report_fd, &r, sizeof(r)) == (ssize_t)sizeof(r)) {
                if (r.worker >= p->nworkers || r.index >= p->n)
                        continue;
                p->status[r.index] = r.status;
                p->w[r.worker].running = NONE;
                dispatch(p, &p->w[r.worker]);
        }
        print_ready(p, out);
}

/* Reaps the workers that ended; a suite a dead worker never reported is a
 * harness error (or interrupted). Returns how many workers are still running. */
static unsigned reap(struct pool *p, FILE *out)
{
        unsigned alive = 0;
        for (unsigned i = 0; i < p->nworkers; i++) {
                struct pool_worker *w = &p->w[i];
                int st;
                if (w->pid < 0)
                        continue;
                if (waitpid(w->pid, &st, WNOHANG) != w->pid) {
                        alive++;
                        continue;
                }
                w->pid = -1;
                read_reports(p, out);   /* its last report was written before it exited */
                if (w->cmd_fd >= 0) {
                        close(w->cmd_fd);
                        w->cmd_fd = -1;
                }
                if (w->running != NONE) {
                        fprintf(stderr, "stubcompat run: suite %zu: its worker process %s\n",
                                w->running + 1, WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
                        p->status[w->running] = p->stopping ? 130 : 3;
                        w->running = NONE;
                } else if (!p->stopping && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
                        /* every suite reported, but the process did not end
                         * cleanly: LeakSanitizer's exit code, a crash in cleanup */
                        fprintf(stderr, "stubcompat run: a worker process %s %d after its suites\n",
                                WIFSIGNALED(st) ? "was killed by signal" : "exited with status",
                                WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
                        p->worker_failed = true;
                }
        }
        print_ready(p, out);
        return alive;
}

static void stop_workers(struct pool *p)
{
        p->stopping = true;
        for (unsigned i = 0; i < p->nworkers; i++)
                if (p->w[i].pid > 0)
                        kill(p->w[i].pid, SIGTERM);
}

static int pool_start(struct pool *p, unsigned workers, suite_pool_run_fn run, void *arg,
                      volatile sig_atomic_t *interrupted, bool *in_worker)
{
        int rep[2];

        if (pipe2(rep, O_CLOEXEC) < 0)
                return -1;
        p->report_fd = rep[0];
        fflush(stdout);
        fflush(stderr);
        for (unsigned i = 0; i < workers; i++) {
                int cmd[2];
                if (pipe2(cmd, O_CLOEXEC) < 0)
                        break;
                pid_t pid = fork();
                if (pid < 0) {
                        close(cmd[0]);
                        close(cmd[1]);
                        break;
                }
                if (pid == 0) {
                        close(rep[0]);
                        p->report_fd = -1;
                        close(cmd[1]);
                        for (unsigned j = 0; j < i; j++)
                                close(p->w[j].cmd_fd);
                        worker_loop(i, cmd[0], rep[1], p, run, arg, interrupted);
                        *in_worker = true;
                        return 0;
                }
                close(cmd[0]);
                p->w[i] = (struct pool_worker){ .pid = pid, .cmd_fd = cmd[1], .running = NONE };
                p->nworkers++;
        }
        close(rep[1]);
        if (p->nworkers == 0)
                return -1;
        fcntl(p->report_fd, F_SETFL, O_NONBLOCK);
        return 0;
}

int suite_pool_run(size_t n, unsigned workers, suite_pool_run_fn run, void *arg,
                   volatile sig_atomic_t *interrupted, FILE *out, bool *in_worker)
{
        struct pool p = { .n = n, .report_fd = -1 };
        int ret = -1;

        *in_worker = false;
        if (workers > WORKERS_MAX)
                workers = WORKERS_MAX;
        if (workers > n)
                workers = (unsigned)n;
        p.status = malloc((n ? n : 1) * sizeof(*p.status));
        p.outs = calloc(n ? n : 1, sizeof(*p.outs));
        if (!p.status || !p.outs || workers == 0)
                goto cleanup;
        for (size_t i = 0; i < n; i++) {
                p.status[i] = -1;
                if (!(p.outs[i] = tmpfile()))
                        goto cleanup;
        }
        if (pool_start(&p, workers, run, arg, interrupted, in_worker) < 0)
                goto cleanup;
        if (*in_worker) {
                ret = 0;
                goto cleanup;
        }
        for (unsigned i = 0; i < p.nworkers; i++)
                dispatch(&p, &p.w[i]);
        while (reap(&p, out) > 0) {
                struct pollfd pfd = { .fd = p.report_fd, .events = POLLIN };
                if (*interrupted && !p.stopping)
                        stop_workers(&p);
                if (poll(&pfd, 1, POLL_MS) > 0)
                        read_reports(&p, out);
        }
        read_reports(&p, out);
        ret = 0;
        for (size_t i = 0; i < n; i++) {
                int st = p.status[i] < 0 ? (p.stopping ? 130 : 3) : p.status[i];
                if (p.status[i] < 0 && !p.stopping)
                        fprintf(stderr, "stubcompat run: suite %zu was not run\n", i + 1);
                if (st > ret)
                        ret = st;
        }
        if (p.worker_failed && ret < 3)
                ret = 3;
cleanup:
        if (p.report_fd >= 0)
                close(p.report_fd);
        for (unsigned i = 0; i < p.nworkers && !*in_worker; i++)
                if (p.w[i].cmd_fd >= 0)
                        close(p.w[i].cmd_fd);
        for (size_t i = 0; p.outs && i < n; i++)
                if (p.outs[i])
                        fclose(p.outs[i]);
        free(p.outs);
        free(p.status);
        return ret;
}
