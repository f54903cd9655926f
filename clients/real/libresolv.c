/* glibc 2.36 libresolv res_nquery, run on a pool of worker threads.
 *
 * res_nquery blocks, so each client owns a fixed pool of RES_WORKERS threads
 * (started on its first lookup) fed by a FIFO queue. A finished job goes onto
 * the pool's done list and one byte on a pipe wakes the loop, which calls
 * done() on the loop thread.
 *
 * Ownership of a job, all under pool->mu:
 *   QUEUED   in the queue: cancel unlinks and frees it;
 *   RUNNING  in a worker: cancel marks it, the worker frees it when
 *            res_nquery returns (done is never called);
 *   DONE     on the done list: cancel unlinks and frees it, else the loop
 *            takes it (REPORTING);
 *   REPORTING taken by the loop: cancel (from another job's done) marks it,
 *            the loop frees it without reporting; else reports and frees it.
 * detach frees queued and finished jobs and bumps the pool's generation, so
 * running ones are freed unreported when they come back. The pipe's libevent
 * event exists only while some job is active (started, neither reported nor
 * cancelled) or until detach, so no event outlives its event_base. */
#include "clients/real/real.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clients/real/reply-addrs.h"
#include "harness/wire/dns.h"
#include "harness/zone/params.h"

#define RES_WORKERS 8
#define RES_ANSWER_MAX 65536

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_REPORTING };

struct res_pool;

struct res_job {
        struct res_job *next;
        struct res_pool *pool;
        enum job_state state;
        bool cancelled;
        unsigned gen;                  /* the pool's generation when started */
        char qname[256];
        int qtype;
        struct sockaddr_in server;
        unsigned timeout_ms;
        unsigned long option;          /* RES_* added to the defaults */
        client_done_fn done;
        void *arg;
        struct outcome o;
};

struct res_pool {
        pthread_mutex_t mu;
        pthread_cond_t cv;
        pthread_t threads[RES_WORKERS];
        size_t nthreads;
        bool stopping;
        struct res_job *queue_head, *queue_tail;
        struct res_job *done_list;     /* newest first */
        int pipe_rd, pipe_wr;
        /* loop thread only */
        struct event_base *base;
        struct event *ev;
        unsigned active;
        unsigned gen;                  /* bumped by detach: older jobs are never reported */
};

struct res_client {
        unsigned long option;
        struct res_pool pool;
        bool started;
};

static const char *h_errno_name(int h)
{
        switch (h) {
        case HOST_NOT_FOUND: return "HOST_NOT_FOUND";
        case TRY_AGAIN: return "TRY_AGAIN";
        case NO_RECOVERY: return "NO_RECOVERY";
        case NO_DATA: return "NO_DATA";
        case NETDB_INTERNAL: return "NETDB_INTERNAL";
        case NETDB_SUCCESS: return "NETDB_SUCCESS";
        default: return "?";
        }
}

static const char *errno_name(int e)
{
        const char *n = e ? strerrorname_np(e) : "0";
        return n ? n : "?";
}

static double ms_since(const struct timespec *t0)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* ------------------------------------------------------------ worker side */

/* Maps a successful res_nquery (n bytes in ans) to o. */
static void map_reply(const struct res_job *j, int qtype, const uint8_t *ans, int n, struct outcome *o)
{
        struct reply_summary sum;
        char tbuf[16];
        const char *tname = dns_type_to_string((uint16_t)qtype, tbuf);

        if (reply_addrs_collect(ans, (size_t)n, j->qname, qtype, o, &sum) < 0) {
                outcome_set(o, OUTCOME_ERROR, "badresp", "res_nquery: %d bytes, no header", n);
                return;
        }
        if (sum.taken > 0)
                outcome_set(o, OUTCOME_ADDRESSES, "", "res_nquery: %d bytes, tc=%d, %u of %u answers read, %u %s%s%s",
                            n, (sum.flags & DNS_FLAG_TC) != 0, sum.answers_read, sum.ancount, sum.taken,
                            tname, sum.damaged ? "; " : "", sum.damaged ? sum.damage : "");
        else if (sum.damaged)
                outcome_set(o, OUTCOME_ERROR, "badresp", "res_nquery: %d bytes, tc=%d: %s", n,
                            (sum.flags & DNS_FLAG_TC) != 0, sum.damage);
        else
                outcome_set(o, OUTCOME_NODATA, "", "res_nquery: %d bytes, tc=%d, no %s on the chain", n,
                            (sum.flags & DNS_FLAG_TC) != 0, tname);
}

/* Why res_nquery said TRY_AGAIN: the reply's rcode when one came back with
 * an error; a refused connection; a timeout (the whole retrans elapsed);
 * glibc's lame-server rule (NOERROR with ancount, AA, RA and arcount all
 * zero: next server, before TC is looked at); a failed TCP retry; else
 * "try-again". Returns the reason and whether it is a timeout. */
static const char *try_again_reason(const uint8_t *ans, int err, double ms, unsigned retrans,
                                    unsigned long option, bool *timeout)
{
        bool reply = (ans[2] & 0x80) != 0;
        int rcode = ans[3] & 0xf;
        bool lame = rcode == DNS_RCODE_NOERROR && !(ans[2] & 0x04) && !(ans[3] & 0x80) &&
                    ans[6] == 0 && ans[7] == 0 && ans[10] == 0 && ans[11] == 0;
        const char *rname = dns_rcode_to_string(rcode);

        *timeout = false;
        if (reply && rcode != DNS_RCODE_NOERROR)
                return rname ? rname : "rcode";
        if (err == ECONNREFUSED)
                return "conn-refused";
        if (ms >= 900.0 * retrans) {
                *timeout = true;
                return "";
        }
        if (reply && lame)
                return "lame";
        if ((reply && (ans[2] & 0x02)) || (option & RES_USEVC))
                return "tcp-failed";
        return "try-again";
}

/* Maps a failed res_nquery to o. ans holds a reply when its QR bit is set
 * (the buffer's header is zeroed before the call). */
static void map_failure(const uint8_t *ans, int h, int err, double ms, unsigned retrans,
                        unsigned long option, struct outcome *o)
{
        bool reply = (ans[2] & 0x80) != 0, timeout;
        const char *rname = dns_rcode_to_string(ans[3] & 0xf);
        char seen[64] = "";

        if (reply)
                snprintf(seen, sizeof(seen), "; reply rcode=%s tc=%d", rname ? rname : "?",
                         (ans[2] & 0x02) != 0);
        if (h == HOST_NOT_FOUND) {
                outcome_set(o, OUTCOME_NXDOMAIN, "", "h_errno=%s%s", h_errno_name(h), seen);
        } else if (h == NO_DATA) {
                outcome_set(o, OUTCOME_NODATA, "", "h_errno=%s%s", h_errno_name(h), seen);
        } else if (h == NO_RECOVERY) {
                outcome_set(o, OUTCOME_ERROR, reply && rname ? rname : "no-recovery", "h_errno=%s%s",
                            h_errno_name(h), seen);
        } else if (h == TRY_AGAIN) {
                const char *why = try_again_reason(ans, err, ms, retrans, option, &timeout);
                outcome_set(o, timeout ? OUTCOME_TIMEOUT : OUTCOME_ERROR, why,
                            "h_errno=%s errno=%s after %.0f ms%s", h_errno_name(h), errno_name(err),
                            ms, seen);
        } else {
                outcome_set(o, OUTCOME_ERROR, "other", "h_errno=%s errno=%s%s", h_errno_name(h),
                            errno_name(err), seen);
        }
}

/* One res_nquery of (j->qname, qtype) on a private resolver state. */
static void query_one(const struct res_job *j, int qtype, struct outcome *o)
{
        struct __res_state st;
        struct timespec t0;
        uint8_t *ans = malloc(RES_ANSWER_MAX);
        unsigned retrans = (j->timeout_ms + 999) / 1000;
        int n, err, h;

        outcome_init(o);
        memset(&st, 0, sizeof(st));
        if (!ans || res_ninit(&st) < 0) {
                outcome_set(o, OUTCOME_HARNESS_ERROR, "res-init", "res_ninit failed");
                goto cleanup;
        }
        st.nscount = 1;
        st.nsaddr_list[0] = j->server;
        st.retrans = (int)(retrans ? retrans : 1);
        st.retry = 1;
        st.options = RES_INIT | RES_DEFAULT | j->option;
        memset(ans, 0, DNS_HEADER_LEN);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        errno = 0;
        n = res_nquery(&st, j->qname, ns_c_in, qtype, ans, RES_ANSWER_MAX);
        err = errno;
        h = st.res_h_errno;
        o->elapsed_ms = ms_since(&t0);
        res_nclose(&st);
        if (n >= 0)
                map_reply(j, qtype, ans, n, o);
        else
                map_failure(ans, h, err, o->elapsed_ms, (unsigned)st.retrans, j->option, o);
cleanup:
        free(ans);
}

/* A then AAAA, united the way getaddrinfo would: any address wins; else the
 * first failure in the order timeout, error, nxdomain, nodata. */
static void query_addr(struct res_job *j)
{
        struct outcome *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
        static const enum outcome_status order[] = { OUTCOME_HARNESS_ERROR, OUTCOME_TIMEOUT,
                                                     OUTCOME_ERROR, OUTCOME_NXDOMAIN, OUTCOME_NODATA };

        outcome_init(&j->o);
        if (!a || !b) {
                outcome_set(&j->o, OUTCOME_HARNESS_ERROR, "oom", "out of memory");
                goto cleanup;
        }
        query_one(j, DNS_TYPE_A, a);
        query_one(j, DNS_TYPE_AAAA, b);
        j->o.elapsed_ms = a->elapsed_ms + b->elapsed_ms;
        if (a->naddrs + b->naddrs > 0) {
                for (size_t i = 0; i < a->naddrs; i++)
                        outcome_add_addr(&j->o, a->addrs[i].family, a->addrs[i].addr);
                for (size_t i = 0; i < b->naddrs; i++)
                        outcome_add_addr(&j->o, b->addrs[i].family, b->addrs[i].addr);
                outcome_set(&j->o, OUTCOME_ADDRESSES, "", "A: %.80s | AAAA: %.80s", a->message, b->message);
                goto cleanup;
        }
        for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
                const struct outcome *w = a->status == order[k] ? a : b->status == order[k] ? b : NULL;
                if (w) {
                        outcome_set(&j->o, w->status, w->reason, "A: %.80s | AAAA: %.80s", a->message,
                                    b->message);
                        break;
                }
        }
cleanup:
        free(a);
        free(b);
}

static void *worker_main(void *arg)
{
        struct res_pool *p = arg;

        pthread_mutex_lock(&p->mu);
        for (;;) {
                while (!p->stopping && !p->queue_head)
                        pthread_cond_wait(&p->cv, &p->mu);
                if (p->stopping)
                        break;
                struct res_job *j = p->queue_head;
                p->queue_head = j->next;
                if (!p->queue_head)
                        p->queue_tail = NULL;
                j->next = NULL;
                j->state = JOB_RUNNING;
                pthread_mutex_unlock(&p->mu);

                if (j->qtype == QTYPE_ADDR)
                        query_addr(j);
                else
                        query_one(j, j->qtype, &j->o);

                pthread_mutex_lock(&p->mu);
                if (j->cancelled) {
                        free(j);
                        continue;
                }
                bool wake = p->done_list == NULL;
                j->state = JOB_DONE;
                j->next = p->done_list;
                p->done_list = j;
                if (wake && write(p->pipe_wr, "j", 1) < 0) {
                        /* full pipe: a wake-up is pending anyway */
                }
        }
        pthread_mutex_unlock(&p->mu);
        return NULL;
}

/* ------------------------------------------------------------ loop side */

static void pool_idle_check(struct res_pool *p)
{
        if (p->active == 0 && p->ev) {
                event_free(p->ev);
                p->ev = NULL;
                p->base = NULL;
        }
}

/* The pipe is readable: report every finished job, oldest first. */
static void on_jobs_done(evutil_socket_t fd, short what, void *arg)
{
        struct res_pool *p = arg;
        struct res_job *list, *fifo = NULL;
        char buf[64];
        (void)what;

        while (read(fd, buf, sizeof(buf)) > 0)
                ;
        pthread_mutex_lock(&p->mu);
        list = p->done_list;
        p->done_list = NULL;
        pthread_mutex_unlock(&p->mu);
        while (list) {
                struct res_job *j = list;
                list = j->next;
                j->state = JOB_REPORTING;
                j->next = fifo;
                fifo = j;
        }
        while (fifo) {
                struct res_job *j = fifo;
                fifo = j->next;
                if (!j->cancelled && j->gen == p->gen) {
                        p->active--;
                        j->done(j->arg, &j->o);
                }
                free(j);
        }
        pool_idle_check(p);
}

/* Starts the threads and the pipe. Returns 0, or -1 (nothing left running). */
static int pool_start(struct res_pool *p)
{
        int fds[2];

        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return -1;
        p->pipe_rd = fds[0];
        p->pipe_wr = fds[1];
        for (p->nthreads = 0; p->nthreads < RES_WORKERS; p->nthreads++)
                if (pthread_create(&p->threads[p->nthreads], NULL, worker_main, p) != 0)
                        break;
        if (p->nthreads > 0)
                return 0;
        close(p->pipe_rd);
        close(p->pipe_wr);
        p->pipe_rd = p->pipe_wr = -1;
        return -1;
}

static void free_jobs(struct res_job **list)
{
        while (*list) {
                struct res_job *j = *list;
                *list = j->next;
                free(j);
        }
}

/* Stops the threads (waiting for those inside res_nquery) and frees every job
 * still held. done is not called. */
static void pool_stop(struct res_pool *p)
{
        pthread_mutex_lock(&p->mu);
        p->stopping = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (size_t i = 0; i < p->nthreads; i++)
                pthread_join(p->threads[i], NULL);
        p->nthreads = 0;
        free_jobs(&p->queue_head);
        free_jobs(&p->done_list);
        p->queue_tail = NULL;
        if (p->ev)
                event_free(p->ev);
        p->ev = NULL;
        if (p->pipe_rd >= 0) {
                close(p->pipe_rd);
                close(p->pipe_wr);
        }
        p->pipe_rd = p->pipe_wr = -1;
}

static int res_start(struct client *c, struct event_base *base, const struct lookup *l,
                     client_done_fn done, void *arg, void **handle)
{
        struct res_client *rc = c->impl;
        struct res_pool *p = &rc->pool;
        struct res_job *j;

        if (l->server.ss_family != AF_INET || (p->active > 0 && p->base != base))
                return -1;
        if (!rc->started) {
                if (pool_start(p) < 0)
                        return -1;
                rc->started = true;
        }
        if (!p->ev) {
                p->ev = event_new(base, p->pipe_rd, EV_READ | EV_PERSIST, on_jobs_done, p);
                if (!p->ev || event_add(p->ev, NULL) < 0) {
                        pool_idle_check(p);
                        return -1;
                }
                p->base = base;
        }
        if (!(j = calloc(1, sizeof(*j)))) {
                pool_idle_check(p);
                return -1;
        }
        j->pool = p;
        j->gen = p->gen;
        snprintf(j->qname, sizeof(j->qname), "%s", l->qname);
        j->qtype = l->qtype;
        memcpy(&j->server, &l->server, sizeof(j->server));
        j->timeout_ms = l->timeout_ms ? l->timeout_ms : 1000;
        j->option = rc->option;
        j->done = done;
        j->arg = arg;
        pthread_mutex_lock(&p->mu);
        if (p->queue_tail)
                p->queue_tail->next = j;
        else
                p->queue_head = j;
        p->queue_tail = j;
        pthread_cond_signal(&p->cv);
        pthread_mutex_unlock(&p->mu);
        p->active++;
        *handle = j;
        return 0;
}

/* Unlinks j from the list at *head (tail: the queue's tail pointer, or NULL). */
static void unlink_job(struct res_job **head, struct res_job **tail, struct res_job *j)
{
        struct res_job *prev = NULL;
        for (struct res_job **pp = head; *pp; prev = *pp, pp = &(*pp)->next)
                if (*pp == j) {
                        *pp = j->next;
                        if (tail && *tail == j)
                                *tail = prev;
                        return;
                }
}

static void res_cancel(struct client *c, void *handle)
{
        struct res_job *j = handle;
        struct res_pool *p = j->pool;
        (void)c;

        pthread_mutex_lock(&p->mu);
        if (j->state == JOB_RUNNING || j->state == JOB_REPORTING) {
                j->cancelled = true;      /* freed by its worker, or by on_jobs_done */
        } else {
                if (j->state == JOB_QUEUED)
                        unlink_job(&p->queue_head, &p->queue_tail, j);
                else
                        unlink_job(&p->done_list, NULL, j);
                free(j);
        }
        pthread_mutex_unlock(&p->mu);
        p->active--;
        pool_idle_check(p);
}

/* The pipe's event belongs to one run's loop. Lookups still active are
 * dropped: queued and finished ones freed, running ones freed when they
 * return; their handles are dead and done is never called. */
static void res_detach(struct client *c)
{
        struct res_client *rc = c->impl;
        struct res_pool *p = rc ? &rc->pool : NULL;

        if (!p || !rc->started)
                return;
        p->gen++;
        pthread_mutex_lock(&p->mu);
        free_jobs(&p->queue_head);
        p->queue_tail = NULL;
        free_jobs(&p->done_list);
        pthread_mutex_unlock(&p->mu);
        p->active = 0;
        pool_idle_check(p);
}

static void res_destroy(struct client *c)
{
        struct res_client *rc = c->impl;
        if (!rc)
                return;
        if (rc->started)
                pool_stop(&rc->pool);
        pthread_cond_destroy(&rc->pool.cv);
        pthread_mutex_destroy(&rc->pool.mu);
        free(rc);
        c->impl = NULL;
}

static const struct client_ops res_ops = {
        .start = res_start,
        .cancel = res_cancel,
        .detach = res_detach,
        .destroy = res_destroy,
};

static int add_one(struct client_set *set, const char *suffix, unsigned long option,
                   const char *knob)
{
        struct client *c = calloc(1, sizeof(*c));
        struct res_client *rc = calloc(1, sizeof(*rc));

        if (!c || !rc || client_set_add(set, c) < 0) {
                free(c);
                free(rc);
                return -1;
        }
        rc->option = option;
        pthread_mutex_init(&rc->pool.mu, NULL);
        pthread_cond_init(&rc->pool.cv, NULL);
        rc->pool.pipe_rd = rc->pool.pipe_wr = -1;
        snprintf(c->name, sizeof(c->name), "real:glibc-2.36-res%s", suffix);
        snprintf(c->stands_for, sizeof(c->stands_for),
                 "glibc %s libresolv res_nquery (Debian 12)%s", gnu_get_libc_version(), knob);
        snprintf(c->source, sizeof(c->source),
                 "the library itself: res_nquery on a private __res_state, one nameserver, retry 1; "
                 "records of the asked type on the CNAME chain");
        c->kind = CLIENT_REAL;
        c->endpoint = ENDPOINT_ANY_PORT;
        c->available = true;
        c->max_parallel = RES_WORKERS;
        c->any_type = true;
        c->ops = &res_ops;
        c->impl = rc;
        return 0;
}

int real_libresolv_register(struct client_set *set)
{
        if (add_one(set, "", 0, "") < 0 ||
            add_one(set, "-igntc", RES_IGNTC, " with RES_IGNTC") < 0 ||
            add_one(set, "-edns0", RES_USE_EDNS0, " with RES_USE_EDNS0") < 0 ||
            add_one(set, "-usevc", RES_USEVC, " with RES_USEVC (TCP only)") < 0)
                return -1;
        return 0;
}
