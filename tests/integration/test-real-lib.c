/* Integration test of the in-process real libraries (clients/real/real.h):
 * c-ares 1.18 and glibc 2.36 libresolv against the fake server of the
 * mixpanel-2016 scenario, both on one event loop in this process.
 *
 * Each check names the scenario point by its parameters, runs one real client
 * and asserts two witnesses: what the library returned (the outcome) and what
 * the server saw (queries per transport, EDNS size). Every row is printed as
 * a table line; "behaviour per truncation value" is what each real client
 * does at records=30, which the emulated profiles are calibrated against. */
#include "clients/real/real.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/server/server.h"
#include "harness/wire/reader.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/common/testmain.h"

#define API "api.mixpanel.com."
#define CDN "cdn.mixpanel.com."
#define GUARD_SECONDS 30      /* breaks a hung loop; never an assertion on a client */

struct fixture {
        struct event_base *base;
        struct scenario *sc;
        struct point *pt;
        struct server *srv;
        struct client_set set;
};

struct waiter;

/* One lookup in flight: where its outcome lands. */
struct slot {
        struct waiter *w;
        struct outcome o;
        unsigned reported;            /* done calls: must end at exactly 1 */
        void *handle;
};

struct waiter {
        struct fixture *f;
        unsigned pending;
        bool guard_fired;
};

static void fixture_down(struct fixture *f)
{
        client_set_free(&f->set);
        if (f->srv)
                server_free(f->srv);
        if (f->pt)
                point_free(f->pt);
        if (f->sc)
                scenario_free(f->sc);
        if (f->base)
                event_base_free(f->base);
        memset(f, 0, sizeof(*f));
}

/* Loads the scenario, builds the point with settings ("records=30
 * truncation=cut") over the scenario's defaults, starts the server on
 * 127.0.0.1 and registers the real clients. Returns 0, or -1 with a message. */
static int fixture_up(struct fixture *f, const char *settings)
{
        char path[4096], err[256] = "no event base", buf[256];
        struct point_params p;
        int ret = -1;
        struct server_config cfg = { .address = "127.0.0.1", .tcp_idle_ms = 2000 };

        memset(f, 0, sizeof(*f));
        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        if (!(f->base = event_base_new()) || scenario_load(path, &f->sc, err, sizeof(err)) < 0)
                goto cleanup;
        p = f->sc->defaults;
        snprintf(buf, sizeof(buf), "%s", settings);
        for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                if (params_set_assignment(&p, tok, err, sizeof(err)) < 0)
                        goto cleanup;
        if (!(f->pt = point_new(f->sc, 0, &p, err, sizeof(err))) ||
            !(f->srv = server_new(f->base, &cfg, f->pt, err, sizeof(err))))
                goto cleanup;
        if (real_cares_register(&f->set) < 0 || real_libresolv_register(&f->set) < 0) {
                snprintf(err, sizeof(err), "out of memory");
                goto cleanup;
        }
        ret = 0;
cleanup:
        if (ret < 0) {
                fprintf(stderr, "fixture %s: %s\n", settings, err);
                fixture_down(f);
        }
        return ret;
}

static void on_done(void *arg, const struct outcome *o)
{
        struct slot *s = arg;
        s->o = *o;
        s->handle = NULL;
        if (s->reported++ == 0 && --s->w->pending == 0)
                event_base_loopbreak(s->w->f->base);
}

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
        struct waiter *w = arg;
        (void)fd; (void)what;
        w->guard_fired = true;
        event_base_loopbreak(w->f->base);
}

static void lookup_make(const struct fixture *f, const char *qname, int qtype, struct lookup *l)
{
        struct sockaddr_in *in = (struct sockaddr_in *)&l->server;
        memset(l, 0, sizeof(*l));
        snprintf(l->qname, sizeof(l->qname), "%s", qname);
        l->qtype = qtype;
        in->sin_family = AF_INET;
        in->sin_port = htons(server_port(f->srv));
        inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
        l->server_len = sizeof(*in);
        l->timeout_ms = 1000;
}

/* Starts n lookups of (qname, qtype) with client c, reporting to w. Returns
 * the number started (stops at the first refusal). */
static unsigned start_all(struct fixture *f, struct client *c, const char *qname, int qtype,
                          struct slot *slots, unsigned n, struct waiter *w)
{
        struct lookup l;
        unsigned started = 0;

        lookup_make(f, qname, qtype, &l);
        for (; started < n; started++) {
                memset(&slots[started], 0, sizeof(slots[started]));
                slots[started].w = w;
                w->pending++;
                if (c->ops->start(c, f->base, &l, on_done, &slots[started], &slots[started].handle) < 0) {
                        w->pending--;
                        break;
                }
        }
        return started;
}

/* Starts n lookups at once and runs the loop until every one reported (or
 * the guard fired). Returns the number started. */
static unsigned lookups_run(struct fixture *f, struct client *c, const char *qname, int qtype,
                            struct slot *slots, unsigned n, bool *guard_fired)
{
        struct waiter w = { .f = f };
        struct timeval tv = { GUARD_SECONDS, 0 };
        struct event *guard = evtimer_new(f->base, on_guard, &w);
        unsigned started = start_all(f, c, qname, qtype, slots, n, &w);

        if (guard && w.pending > 0) {
                evtimer_add(guard, &tv);
                event_base_dispatch(f->base);
        }
        for (unsigned i = 0; i < started; i++)
                if (slots[i].reported == 0 && slots[i].handle)
                        c->ops->cancel(c, slots[i].handle);
        if (guard)
                event_free(guard);
        *guard_fired = w.guard_fired;
        return started;
}

/* Checks o against the zone's addresses for (qname, qtype): true when each
 * address of o is served; *all is set when o holds every one of them. */
static bool zone_serves(struct fixture *f, const struct outcome *o, const char *qname, int qtype,
                        bool *all)
{
        uint8_t wire[DNS_NAME_MAX];
        size_t len;
        const struct answer *a;

        *all = false;
        if (wire_name_from_text(qname, wire, &len) < 0 ||
            !(a = point_answer(f->pt, wire, len, (uint16_t)qtype)))
                return false;
        for (size_t k = 0; k < o->naddrs; k++) {
                bool found = false;
                for (size_t i = 0; i < a->naddrs && !found; i++)
                        found = o->addrs[k].family == 4 && memcmp(o->addrs[k].addr, a->addrs[i], 4) == 0;
                if (!found)
                        return false;
        }
        *all = o->naddrs == a->naddrs && !o->addrs_truncated;
        return true;
}

static const char *status_name(enum outcome_status s)
{
        static const char *const names[OUTCOME_STATUS_MAX] = {
                "addresses", "nodata", "nxdomain", "error", "timeout", "skipped", "harness-error",
        };
        return s < OUTCOME_STATUS_MAX ? names[s] : "?";
}

static void print_result(const char *client, const char *point, const struct outcome *o,
                         const struct server_stats *st)
{
        printf("\n    | %-26s | %-36s | %-9s %-12s | %2zu | udp %u tcp %u edns %d tc %u | %s",
               client, point, status_name(o->status), o->reason, o->naddrs,
               st->queries[TRANSPORT_UDP], st->queries[TRANSPORT_TCP], st->last_edns, st->tc_sent,
               o->message);
}

/* ------------------------------------------------------------ expectations */

#define CA "real:c-ares-1.18"
#define CI "real:c-ares-1.18-igntc"
#define CE "real:c-ares-1.18-edns"
#define CV "real:c-ares-1.18-usevc"
#define GR "real:glibc-2.36-res"
#define GI "real:glibc-2.36-res-igntc"
#define GE "real:glibc-2.36-res-edns0"
#define GV "real:glibc-2.36-res-usevc"

#define FULL  (-1)     /* naddrs: exactly the zone's set */
#define NOCHK (-9)     /* udp, tcp, edns: not checked */
#define A     DNS_TYPE_A

enum { ADDRS = OUTCOME_ADDRESSES, NODATA = OUTCOME_NODATA, NXDOMAIN = OUTCOME_NXDOMAIN,
       ERROR = OUTCOME_ERROR, TIMEOUT = OUTCOME_TIMEOUT };

/* One observed behaviour: at the point `settings`, client asks (qname,
 * qtype) and returns status (reason, naddrs); the server saw udp and tcp
 * queries, the last with EDNS size edns (-1: no OPT). */
struct expect {
        const char *settings;
        const char *client;
        const char *qname;
        int qtype;
        int status;
        const char *reason;          /* NULL: not checked */
        int naddrs;                  /* FULL, or an exact count of served addresses */
        int udp, tcp, edns;
};

static bool counter_ok(int want, unsigned got)
{
        return want == NOCHK || (unsigned)want == got;
}

/* Runs one row on a fresh fixture, prints it and asserts it: the lookup
 * started and reported exactly once, its outcome and the server's counters. */
static void run_row(const struct expect *e)
{
        struct fixture f;
        struct slot s;
        int zt = e->qtype == QTYPE_ADDR ? DNS_TYPE_A : e->qtype;   /* the zone has no AAAA */
        char label[96];
        bool ok, all, guard_fired = false, ran;

        if (fixture_up(&f, e->settings) < 0) {
                CU_FAIL("fixture");
                return;
        }
        struct client *c = client_set_find(&f.set, e->client);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        ran = lookups_run(&f, c, e->qname, e->qtype, &s, 1, &guard_fired) == 1;
        const struct server_stats *st = server_stats(f.srv);
        snprintf(label, sizeof(label), "%s%s%s", e->settings, strcmp(e->qname, API) ? " cdn" : "",
                 e->qtype == A ? "" : e->qtype == DNS_TYPE_AAAA ? " AAAA"
                 : e->qtype == DNS_TYPE_TXT ? " TXT" : " A+AAAA");
        print_result(e->client, label, &s.o, st);
        ok = ran && !guard_fired && s.reported == 1 && (int)s.o.status == e->status &&
             (!e->reason || strcmp(s.o.reason, e->reason) == 0) &&
             zone_serves(&f, &s.o, e->qname, zt, &all) &&
             (e->naddrs == FULL ? all && s.o.status == OUTCOME_ADDRESSES : (int)s.o.naddrs == e->naddrs) &&
             counter_ok(e->udp, st->queries[TRANSPORT_UDP]) &&
             counter_ok(e->tcp, st->queries[TRANSPORT_TCP]) &&
             (e->edns == NOCHK || e->edns == st->last_edns);
        if (!ok)
                printf("\n    ^ MISMATCH: expected %s %s, %d addresses, udp %d tcp %d edns %d",
                       status_name((enum outcome_status)e->status), e->reason ? e->reason : "*",
                       e->naddrs, e->udp, e->tcp, e->edns);
        CU_ASSERT(ok);
        fixture_down(&f);
}

static void run_rows(const struct expect *rows, size_t n)
{
        for (size_t i = 0; i < n; i++)
                run_row(&rows[i]);
        printf("\n");
}

#define RUN(rows) run_rows(rows, sizeof(rows) / sizeof(rows[0]))
/* A test case that runs the rows given as its arguments. */
#define ROW_TEST(name, ...)                                          \
        static void name(void)                                       \
        {                                                            \
                static const struct expect rows[] = { __VA_ARGS__ }; \
                RUN(rows);                                           \
        }

/* ------------------------------------------------------------ the cases */

ROW_TEST(test_fits,
                { "records=29", CA, API, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=29", CI, API, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=29", CE, API, A, ADDRS, "", FULL, 1, 0, 1232 },
                { "records=29", CV, API, A, ADDRS, "", FULL, 0, 1, -1 },
                { "records=29", GR, API, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=29", GI, API, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=29", GE, API, A, ADDRS, "", FULL, 1, 0, 1200 },
                { "records=29", GV, API, A, ADDRS, "", FULL, 0, 1, -1 })

/* Rows for api.mixpanel.com A. */
#define T(set, cl, st, why, n, u, t, ed) { set, cl, API, A, st, why, n, u, t, ed }

#define TC_EMPTY30 "records=30 truncation=tc-empty"
#define TC_PART30  "records=30 truncation=tc-partial"
#define OVERFL30   "records=30 truncation=overflow"
#define CUT30      "records=30 truncation=cut"
#define CUTNOTC30  "records=30 truncation=cut-notc"

/* The behaviour table: records=30 is 514 bytes without EDNS, 525 with OPT. */
ROW_TEST(test_truncation,
                T(TC_EMPTY30, CA, ADDRS, "", FULL, 1, 1, -1),
                T(TC_EMPTY30, CI, NODATA, "", 0, 1, 0, -1),       /* TC ignored: empty answer */
                T(TC_EMPTY30, CE, ADDRS, "", FULL, 1, 0, 1232),   /* 525 <= 1232: one exchange */
                T(TC_EMPTY30, CV, ADDRS, "", FULL, 0, 1, -1),
                T(TC_EMPTY30, GR, ADDRS, "", FULL, 1, 1, -1),
                T(TC_EMPTY30, GI, NODATA, "", 0, 1, 0, -1),       /* h_errno NO_DATA */
                T(TC_EMPTY30, GE, ADDRS, "", FULL, 1, 0, 1200),
                T(TC_EMPTY30, GV, ADDRS, "", FULL, 0, 1, -1),
                T(TC_PART30, CA, ADDRS, "", FULL, 1, 1, -1),
                T(TC_PART30, CI, ADDRS, "", 29, 1, 0, -1),        /* the 29 that fit */
                T(TC_PART30, CE, ADDRS, "", FULL, 1, 0, 1232),
                T(TC_PART30, CV, ADDRS, "", FULL, 0, 1, -1),
                T(TC_PART30, GR, ADDRS, "", FULL, 1, 1, -1),
                T(TC_PART30, GI, ADDRS, "", 29, 1, 0, -1),
                T(TC_PART30, GE, ADDRS, "", FULL, 1, 0, 1200),
                T(TC_PART30, GV, ADDRS, "", FULL, 0, 1, -1),
                T(OVERFL30, CA, ADDRS, "", FULL, 1, 1, -1),       /* 514 > 512: as if TC */
                T(OVERFL30, CI, ERROR, "badresp", 0, 1, 0, -1),   /* cut to 512, then unparsable */
                T(OVERFL30, CE, ADDRS, "", FULL, 1, 0, 1232),
                T(OVERFL30, CV, ADDRS, "", FULL, 0, 1, -1),
                T(OVERFL30, GR, ADDRS, "", FULL, 1, 0, -1),       /* takes 514 bytes over UDP */
                T(OVERFL30, GI, ADDRS, "", FULL, 1, 0, -1),
                T(OVERFL30, GE, ADDRS, "", FULL, 1, 0, 1200),
                T(OVERFL30, GV, ADDRS, "", FULL, 0, 1, -1),
                T(CUT30, CA, ADDRS, "", FULL, 1, 1, -1),
                T(CUT30, CI, ERROR, "badresp", 0, 1, 0, -1),      /* whole reply rejected */
                T(CUT30, CE, ADDRS, "", FULL, 1, 0, 1232),
                T(CUT30, CV, ADDRS, "", FULL, 0, 1, -1),
                T(CUT30, GR, ADDRS, "", FULL, 1, 1, -1),
                T(CUT30, GI, ADDRS, "", 29, 1, 0, -1),            /* 512 bytes returned as is */
                T(CUT30, GE, ADDRS, "", FULL, 1, 0, 1200),
                T(CUT30, GV, ADDRS, "", FULL, 0, 1, -1),
                T(CUTNOTC30, CA, ERROR, "badresp", 0, 1, 0, -1),  /* 512 is not > 512: no TCP */
                T(CUTNOTC30, CI, ERROR, "badresp", 0, 1, 0, -1),
                T(CUTNOTC30, CE, ADDRS, "", FULL, 1, 0, 1232),
                T(CUTNOTC30, CV, ADDRS, "", FULL, 0, 1, -1),
                T(CUTNOTC30, GR, ADDRS, "", 29, 1, 0, -1),
                T(CUTNOTC30, GI, ADDRS, "", 29, 1, 0, -1),
                T(CUTNOTC30, GE, ADDRS, "", FULL, 1, 0, 1200),
                T(CUTNOTC30, GV, ADDRS, "", FULL, 0, 1, -1))

/* records=80: 1314 bytes, 1325 with OPT: past both EDNS sizes. */
ROW_TEST(test_past_edns,
                T("records=80 truncation=tc-empty", CE, ADDRS, "", FULL, 1, 1, 1232),
                T("records=80 truncation=tc-partial", CE, ADDRS, "", FULL, 1, 1, 1232),
                T("records=80 truncation=overflow", CE, ADDRS, "", FULL, 1, 1, 1232),  /* > ednspsz */
                T("records=80 truncation=cut", CE, ADDRS, "", FULL, 1, 1, 1232),
                T("records=80 truncation=cut-notc", CE, ERROR, "badresp", 0, 1, 0, 1232),
                T("records=80 truncation=tc-empty", GE, ADDRS, "", FULL, 1, 1, 1200),
                T("records=80 truncation=tc-partial", GE, ADDRS, "", FULL, 1, 1, 1200),
                T("records=80 truncation=overflow", GE, ADDRS, "", FULL, 1, 0, 1200),
                T("records=80 truncation=cut", GE, ADDRS, "", FULL, 1, 1, 1200),
                T("records=80 truncation=cut-notc", GE, ADDRS, "", 72, 1, 0, 1200),
                T("records=80 truncation=tc-partial", CI, ADDRS, "", 29, 1, 0, -1),
                T("records=80 truncation=overflow", CA, ADDRS, "", FULL, 1, 1, -1),
                T("records=80 truncation=overflow", GR, ADDRS, "", FULL, 1, 0, -1),
                T("records=80 truncation=cut-notc", GR, ADDRS, "", 29, 1, 0, -1))

ROW_TEST(test_tcp_refused,
                T("records=30 tcp=refuse", CA, ERROR, "conn-refused", 0, 1, 0, -1),
                T("records=30 tcp=refuse", CI, NODATA, "", 0, 1, 0, -1),
                T("records=30 tcp=refuse", CE, ADDRS, "", FULL, 1, 0, 1232),
                T("records=30 tcp=refuse", CV, ERROR, "conn-refused", 0, 0, 0, -1),
                T("records=30 tcp=refuse", GR, ERROR, "conn-refused", 0, 1, 0, -1),
                T("records=30 tcp=refuse", GI, NODATA, "", 0, 1, 0, -1),
                T("records=30 tcp=refuse", GE, ADDRS, "", FULL, 1, 0, 1200),
                T("records=30 tcp=refuse", GV, ERROR, "conn-refused", 0, 0, 0, -1),
                T("records=30 tcp=close", CA, ERROR, "conn-refused", 0, 1, 1, -1),
                T("records=30 tcp=close", CV, ERROR, "conn-refused", 0, 0, 1, -1),
                T("records=30 tcp=close", GR, ERROR, "tcp-failed", 0, 1, 1, -1),
                T("records=30 tcp=close", GV, ERROR, "tcp-failed", 0, 0, 1, -1),
                T("records=30 tcp=split", CA, ADDRS, "", FULL, 1, 1, -1),
                T("records=30 tcp=split", GR, ADDRS, "", FULL, 1, 1, -1))

ROW_TEST(test_rcodes,
                /* c-ares 1.18.1 keeps ARES_ECONNREFUSED, its initial error, when the only
                 * server answered SERVFAIL, REFUSED or NOTIMP (next_server, no error_status) */
                T("records=29 rcode=servfail", CA, ERROR, "conn-refused", 0, 1, 0, -1),
                T("records=29 rcode=servfail", CV, ERROR, "conn-refused", 0, 0, 1, -1),
                T("records=29 rcode=servfail", GR, ERROR, "servfail", 0, 1, 0, -1),
                T("records=29 rcode=servfail", GV, ERROR, "servfail", 0, 0, 1, -1),
                T("records=29 rcode=refused", CA, ERROR, "conn-refused", 0, 1, 0, -1),
                T("records=29 rcode=refused", GR, ERROR, "refused", 0, 1, 0, -1),
                T("records=29 rcode=refused", GV, ERROR, "refused", 0, 0, 1, -1),
                T("records=29 rcode=formerr", CA, ERROR, "formerr", 0, 1, 0, -1),
                T("records=29 rcode=formerr", GR, ERROR, "formerr", 0, 1, 0, -1),
                T("records=29 rcode=nxdomain", CA, NXDOMAIN, "", 0, 1, 0, -1),
                T("records=29 rcode=nxdomain", CE, NXDOMAIN, "", 0, 1, 0, 1232),
                T("records=29 rcode=nxdomain", GR, NXDOMAIN, "", 0, 1, 0, -1),
                T("records=29 rcode=nxdomain", GE, NXDOMAIN, "", 0, 1, 0, 1200),
                T("records=29 rcode=nxdomain", GV, NXDOMAIN, "", 0, 0, 1, -1))

/* Header flags and EDNS refusal. */
ROW_TEST(test_flags_and_edns,
                /* glibc's lame rule (NOERROR, ancount=aa=ra=arcount=0) comes before TC */
                T("records=30 truncation=tc-empty ra=0", GR, ERROR, "lame", 0, 1, 0, -1),
                T("records=30 truncation=tc-empty ra=0", GI, ERROR, "lame", 0, 1, 0, -1),
                T("records=30 truncation=tc-empty ra=0", CA, ADDRS, "", FULL, 1, 1, -1),
                /* FORMERR to OPT: c-ares asks again without it, glibc does not */
                T("records=29 edns=formerr", CE, ADDRS, "", FULL, 2, 0, -1),
                T("records=29 edns=formerr", GE, ERROR, "formerr", 0, 1, 0, 1200),
                T("records=30 edns=formerr", CE, ADDRS, "", FULL, 2, 1, -1),
                T("records=30 edns=ignore", CE, ADDRS, "", FULL, 1, 1, 1232),
                T("records=30 edns=ignore", GE, ADDRS, "", FULL, 1, 1, 1200))

/* cdn.mixpanel.com sits behind a 32-byte CNAME: 498 bytes at records=27. */
ROW_TEST(test_cname,
                { "records=27", CA, CDN, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=27", CI, CDN, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=27", CE, CDN, A, ADDRS, "", FULL, 1, 0, 1232 },
                { "records=27", CV, CDN, A, ADDRS, "", FULL, 0, 1, -1 },
                { "records=27", GR, CDN, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=27", GI, CDN, A, ADDRS, "", FULL, 1, 0, -1 },
                { "records=27", GE, CDN, A, ADDRS, "", FULL, 1, 0, 1200 },
                { "records=27", GV, CDN, A, ADDRS, "", FULL, 0, 1, -1 },
                { "records=28 truncation=tc-partial", CI, CDN, A, ADDRS, "", 27, 1, 0, -1 },
                { "records=28 truncation=tc-partial", GI, CDN, A, ADDRS, "", 27, 1, 0, -1 })

/* One try and the first UDP query unanswered: a timeout (~1 s; only the
 * outcome is asserted, never the time). TCP-only clients are not affected. */
ROW_TEST(test_timeout,
                T("records=29 drop_first=1", CA, TIMEOUT, "", 0, 1, 0, -1),
                T("records=29 drop_first=1", CI, TIMEOUT, "", 0, 1, 0, -1),
                T("records=29 drop_first=1", CE, TIMEOUT, "", 0, 1, 0, 1232),
                T("records=29 drop_first=1", CV, ADDRS, "", FULL, 0, 1, -1),
                T("records=29 drop_first=1", GR, TIMEOUT, "", 0, 1, 0, -1),
                T("records=29 drop_first=1", GI, TIMEOUT, "", 0, 1, 0, -1),
                T("records=29 drop_first=1", GE, TIMEOUT, "", 0, 1, 0, 1200),
                T("records=29 drop_first=1", GV, ADDRS, "", FULL, 0, 1, -1))

/* AAAA (none in the zone) and getaddrinfo-style A+AAAA. */
ROW_TEST(test_families,
                { "records=29", CA, API, DNS_TYPE_AAAA, NODATA, "", 0, 1, 0, -1 },
                { "records=29", GR, API, DNS_TYPE_AAAA, NODATA, "", 0, 1, 0, -1 },
                { "records=29", GR, API, DNS_TYPE_TXT, NODATA, "", 0, 1, 0, -1 },
                { "records=29", CA, API, QTYPE_ADDR, ADDRS, "", FULL, 2, 0, -1 },
                { "records=29", CV, API, QTYPE_ADDR, ADDRS, "", FULL, 0, 2, -1 },
                { "records=29", GR, API, QTYPE_ADDR, ADDRS, "", FULL, 2, 0, -1 },
                { "records=29", GV, API, QTYPE_ADDR, ADDRS, "", FULL, 0, 2, -1 },
                { "records=30", CA, API, QTYPE_ADDR, ADDRS, "", FULL, 2, 1, NOCHK },
                { "records=30", GR, API, QTYPE_ADDR, ADDRS, "", FULL, 2, 1, NOCHK })

#define CONCURRENT 50   /* lookups started at once per client, answered over UDP then TCP */
static void test_concurrency(void)
{
        static const char *const clients[] = { CA, CI, CE, CV, GR, GI, GE, GV };
        struct slot *slots = calloc(CONCURRENT, sizeof(*slots));

        CU_ASSERT_PTR_NOT_NULL_FATAL(slots);
        for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++) {
                struct fixture f;
                bool guard_fired = false, igntc = strstr(clients[c], "igntc") != NULL;
                unsigned ok = 0, once = 0;

                if (fixture_up(&f, TC_EMPTY30) < 0) {
                        CU_FAIL("fixture");
                        continue;
                }
                struct client *cl = client_set_find(&f.set, clients[c]);
                CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
                unsigned started = lookups_run(&f, cl, API, A, slots, CONCURRENT, &guard_fired);
                for (unsigned i = 0; i < started; i++) {
                        bool all;
                        once += slots[i].reported == 1;
                        ok += igntc ? slots[i].o.status == OUTCOME_NODATA
                                    : zone_serves(&f, &slots[i].o, API, A, &all) && all;
                }
                printf("\n    | %-26s | %u started, %u reported once, %u as expected, udp %u tcp %u",
                       clients[c], started, once, ok, server_stats(f.srv)->queries[TRANSPORT_UDP],
                       server_stats(f.srv)->queries[TRANSPORT_TCP]);
                CU_ASSERT_EQUAL(started, CONCURRENT);
                CU_ASSERT(!guard_fired);
                CU_ASSERT_EQUAL(once, started);
                CU_ASSERT_EQUAL(ok, started);
                fixture_down(&f);
        }
        printf("\n");
        free(slots);
}

/* Runs the loop for ms milliseconds. */
static void loop_for(struct fixture *f, unsigned ms)
{
        struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
        event_base_loopexit(f->base, &tv);
        event_base_dispatch(f->base);
}

/* Starts n lookups, lets them run for ms (0: the loop does not run), then
 * cancels them one by one or detaches the client, runs the loop past their
 * timeout and asserts that none reported. After a detach the client must
 * serve a lookup on a second event loop (where the old jobs never report). */
static void interrupt(const char *settings, const char *client, unsigned n, unsigned ms, bool detach)
{
        struct fixture f = { 0 }, g = { 0 };
        struct slot *slots = calloc(n + 1, sizeof(*slots));
        struct waiter w = { .f = &f };
        unsigned started, reported = 0;
        bool guard_fired = false, all = false;

        CU_ASSERT_PTR_NOT_NULL_FATAL(slots);
        if (fixture_up(&f, settings) < 0 || (detach && fixture_up(&g, "records=29") < 0)) {
                CU_FAIL("fixture");
                goto cleanup;
        }
        struct client *c = client_set_find(&f.set, client);
        started = start_all(&f, c, API, A, slots, n, &w);
        if (ms)
                loop_for(&f, ms);
        else
                usleep(200 * 1000);   /* replies and finished jobs wait for the loop */
        for (unsigned i = 0; i < started && !detach; i++)
                c->ops->cancel(c, slots[i].handle);
        if (detach)
                c->ops->detach(c);
        loop_for(&f, 1500);
        for (unsigned i = 0; i < started; i++)
                reported += slots[i].reported;
        printf("\n    | %-26s | %-32s | %u started, %s after %u ms, %u reported", client, settings,
               started, detach ? "detached" : "cancelled", ms, reported);
        CU_ASSERT_EQUAL(started, n);
        CU_ASSERT_EQUAL(reported, 0);
        if (detach) {
                started = lookups_run(&g, c, API, A, &slots[n], 1, &guard_fired);
                printf("; then on a new loop: %s", slots[n].o.message);
                CU_ASSERT(started == 1 && !guard_fired && slots[n].reported == 1);
                CU_ASSERT(zone_serves(&g, &slots[n].o, API, A, &all) && all);
        }
cleanup:
        fixture_down(&f);     /* joins the worker threads */
        fixture_down(&g);
        free(slots);
}

static void test_cancel(void)
{
        interrupt("records=29 drop_first=100", CA, 5, 100, false);    /* waiting on UDP */
        interrupt("records=30", CA, 5, 0, false);                     /* reply never read */
        interrupt("records=29 delay_ms=300", GR, 20, 50, false);      /* running and queued */
        interrupt("records=29", GR, 3, 0, false);                     /* finished, not reported */
        interrupt("records=29 drop_first=100", CA, 5, 100, true);
        interrupt("records=29 delay_ms=300", GR, 20, 50, true);
        printf("\n");
}

/* c-ares channels are kept between lookups on one loop: the next lookup must
 * reach its own server and must not inherit what the last one did to the
 * channel (an EDNS FORMERR turns EDNS off for a whole 1.18 channel). */
static void test_channel_reuse(void)
{
        static const char *const clients[] = { CA, CE };
        struct fixture f;
        struct server_config cfg = { .address = "127.0.0.1", .tcp_idle_ms = 2000 };
        struct point_params p;
        struct point *pt2 = NULL;
        struct server *srv1, *srv2 = NULL;
        struct slot slot;
        char err[256] = "";
        bool guard_fired = false, all = false;

        if (fixture_up(&f, "records=29 edns=formerr") < 0) {
                CU_FAIL("fixture");
                return;
        }
        p = f.sc->defaults;
        if (params_set_assignment(&p, "records=29", err, sizeof(err)) < 0 ||
            !(pt2 = point_new(f.sc, 1, &p, err, sizeof(err))) ||
            !(srv2 = server_new(f.base, &cfg, pt2, err, sizeof(err)))) {
                CU_FAIL(err);
                goto cleanup;
        }
        srv1 = f.srv;
        for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++) {
                struct client *cl = client_set_find(&f.set, clients[c]);
                bool edns = strcmp(clients[c], CE) == 0;
                unsigned udp1 = server_stats(srv1)->queries[TRANSPORT_UDP];
                unsigned udp2 = server_stats(srv2)->queries[TRANSPORT_UDP];

                CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
                for (int round = 0; round < 2; round++) {
                        f.srv = srv1;   /* edns=formerr */
                        lookups_run(&f, cl, API, A, &slot, 1, &guard_fired);
                        CU_ASSERT(slot.reported == 1 && !guard_fired);
                        CU_ASSERT(zone_serves(&f, &slot.o, API, A, &all) && all);
                        f.srv = srv2;   /* edns=honor */
                        lookups_run(&f, cl, API, A, &slot, 1, &guard_fired);
                        CU_ASSERT(slot.reported == 1 && !guard_fired);
                        CU_ASSERT(zone_serves(&f, &slot.o, API, A, &all) && all);
                        printf("\n    | %-26s | round %d: formerr server udp %u, honor server udp %u edns %d",
                               clients[c], round, server_stats(srv1)->queries[TRANSPORT_UDP] - udp1,
                               server_stats(srv2)->queries[TRANSPORT_UDP] - udp2,
                               server_stats(srv2)->last_edns);
                        CU_ASSERT_EQUAL(server_stats(srv2)->last_edns, edns ? 1232 : -1);
                }
                /* each lookup went to its own server only: 1 or 2 (EDNS retry) there, 1 here */
                CU_ASSERT_EQUAL(server_stats(srv1)->queries[TRANSPORT_UDP] - udp1, edns ? 4u : 2u);
                CU_ASSERT_EQUAL(server_stats(srv2)->queries[TRANSPORT_UDP] - udp2, 2u);
        }
        printf("\n");
        f.srv = srv1;
cleanup:
        if (srv2)
                server_free(srv2);
        if (pt2)
                point_free(pt2);
        fixture_down(&f);
}

static const struct test_case real_lib_cases[] = {
        { "records=29 fits: every client, one exchange", test_fits },
        { "behaviour per truncation value at records=30", test_truncation },
        { "records=80: past the EDNS sizes", test_past_edns },
        { "tcp refused, closed, split", test_tcp_refused },
        { "rcodes", test_rcodes },
        { "lame flags and EDNS formerr", test_flags_and_edns },
        { "CNAME chain", test_cname },
        { "drop_first=1: timeout", test_timeout },
        { "AAAA, TXT and A+AAAA", test_families },
        { "50 lookups at once", test_concurrency },
        { "cancel in every state, detach", test_cancel },
        { "c-ares channels reused between lookups", test_channel_reuse },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "real-lib", real_lib_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "test-real-lib", suites);
}
