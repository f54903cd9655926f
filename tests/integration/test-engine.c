/* The emulated stub's state machine (clients/engine/stub.c) over real
 * sockets: the fake server of an inline scenario and the stub share one event
 * loop in this process. Each check names the server's behaviour (a scenario
 * point) and the profile's knobs, runs one lookup and asserts two witnesses:
 * the outcome (as a verdict against the zone) and what the server saw
 * (queries per transport, EDNS per query).
 *
 * The knobs that act on the exchange rather than on one reply are here:
 * transport, tc=retry-tcp, tcp-failure, tcp-closed-a/-aaaa, attempts,
 * timeout-ms, formerr-retry-plain, both-bad-reply. Times are never asserted
 * as upper bounds. */
#include "clients/engine/stub.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/server/server.h"
#include "harness/wire/reader.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/common/testmain.h"

#define GUARD_SECONDS 30      /* breaks a hung loop; never an assertion on the stub */
#define MAX_SEEN 16

/* api: `records` A records (30 make 514 bytes: TC at 512); big6: as many AAAA;
 * ds: as many A and AAAA (17 AAAA fit 512 bytes); dual: one A and one AAAA;
 * v4only: one A. */
static const char scenario_text[] =
        "suite engine\n"
        "origin example.test.\n"
        "grow api\n"
        "grow big6 AAAA\n"
        "grow ds A\n"
        "grow ds AAAA\n"
        "rr dual 60 IN A 192.0.2.1\n"
        "rr dual 60 IN AAAA 2001:db8::1\n"
        "rr v4only 60 IN A 192.0.2.2\n"
        "query api.example.test. A\n";

#define API "api.example.test."
#define BIG6 "big6.example.test."
#define DS "ds.example.test."

/* What the server saw, per query, in order. */
struct seen {
        enum transport transport;
        int edns;                   /* -1: no OPT */
        bool sent;
};

struct fixture {
        struct event_base *base;
        struct scenario *sc;
        struct point *pt;
        struct server *srv;
        struct seen seen[MAX_SEEN];
        unsigned nseen;
};

struct slot {
        struct fixture *f;
        struct outcome o;
        unsigned reported;          /* done calls: must end at exactly 1 */
};

static struct fixture fx;

static void observe(void *arg, const struct server_exchange *x)
{
        struct fixture *f = arg;
        if (f->nseen < MAX_SEEN)
                f->seen[f->nseen++] = (struct seen){ x->transport, x->edns, x->sent };
}

static void fixture_down(struct fixture *f)
{
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

/* The scenario's point with settings ("records=30 tcp=refuse") over its
 * defaults, served on 127.0.0.1, port chosen by the kernel. */
static void fixture_up(struct fixture *f, const char *settings)
{
        char err[256] = "no event base", buf[256];
        struct point_params p;
        struct server_config cfg = { .address = "127.0.0.1", .tcp_idle_ms = 2000 };

        memset(f, 0, sizeof(*f));
        if (!(f->base = event_base_new()) ||
            scenario_parse("engine.scn", scenario_text, &f->sc, err, sizeof(err)) < 0)
                goto fail;
        p = f->sc->defaults;
        snprintf(buf, sizeof(buf), "%s", settings);
        for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
                if (params_set_assignment(&p, tok, err, sizeof(err)) < 0)
                        goto fail;
        if (!(f->pt = point_new(f->sc, 0, &p, err, sizeof(err))) ||
            !(f->srv = server_new(f->base, &cfg, f->pt, err, sizeof(err))))
                goto fail;
        server_set_observer(f->srv, observe, f);
        return;
fail:
        fprintf(stderr, "\n      fixture '%s': %s\n", settings, err);
        fixture_down(f);
        CU_FAIL_FATAL("fixture");
}

static void on_done(void *arg, const struct outcome *o)
{
        struct slot *s = arg;
        if (s->reported++ == 0)
                s->o = *o;
        event_base_loopbreak(s->f->base);
}

static bool guard_fired;

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
        (void)fd; (void)what;
        guard_fired = true;
        event_base_loopbreak(arg);
}

/* The profile "name = engine" plus knob lines ("tc = use\nattempts = 2"). */
static struct profile profile_of(const char *knobs)
{
        char text[1024], err[256];
        struct profile p;

        snprintf(text, sizeof(text), "name = engine\n%s\n", knobs);
        if (profile_parse("engine.profile", text, &p, err, sizeof(err)) < 0)
                fprintf(stderr, "\n      %s\n", err);
        CU_ASSERT_STRING_EQUAL_FATAL(p.name, "engine");
        return p;
}

/* A shipped profile, clients/profiles/NAME.profile. */
static struct profile profile_shipped(const char *name)
{
        char path[1024], err[256];
        struct profile p;

        snprintf(path, sizeof(path), "%s/clients/profiles/%s.profile", test_source_dir(), name);
        if (profile_load(path, &p, err, sizeof(err)) < 0)
                fprintf(stderr, "\n      %s\n", err);
        CU_ASSERT_STRING_EQUAL_FATAL(p.name, name);
        return p;
}

/* Runs one lookup of (qname, qtype) by a stub running profile p against the
 * fixture's server, until it reports. Returns the outcome (static). */
static const struct outcome *lookup_by(const struct profile *p, const char *qname, int qtype)
{
        static struct slot slot;
        struct client *c = stub_client_new(p);
        struct lookup l;
        struct sockaddr_in *in = (struct sockaddr_in *)&l.server;
        struct timeval guard_tv = { GUARD_SECONDS, 0 };
        struct event *guard = evtimer_new(fx.base, on_guard, fx.base);
        void *handle = NULL;

        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(guard);
        memset(&l, 0, sizeof(l));
        snprintf(l.qname, sizeof(l.qname), "%s", qname);
        l.qtype = qtype;
        in->sin_family = AF_INET;
        in->sin_port = htons(server_port(fx.srv));
        inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
        l.server_len = sizeof(*in);
        l.timeout_ms = (unsigned)p->timeout_ms;

        memset(&slot, 0, sizeof(slot));
        slot.f = &fx;
        outcome_init(&slot.o);
        fx.nseen = 0;
        server_reset_stats(fx.srv);
        CU_ASSERT_EQUAL_FATAL(c->ops->start(c, fx.base, &l, on_done, &slot, &handle), 0);
        guard_fired = false;
        evtimer_add(guard, &guard_tv);
        while (slot.reported == 0 && !guard_fired)
                if (event_base_dispatch(fx.base) != 0)
                        break;          /* nothing left to wait for */
        event_free(guard);
        CU_ASSERT_EQUAL(slot.reported, 1);
        if (slot.reported == 0) {
                c->ops->cancel(c, handle);
                outcome_set(&slot.o, OUTCOME_HARNESS_ERROR, "guard", "no report in %d s",
                            GUARD_SECONDS);
        }
        c->ops->destroy(c);
        free(c);
        return &slot.o;
}

/* ... by a stub with these knobs ("tc = use\nattempts = 2") over the defaults. */
static const struct outcome *lookup(const char *knobs, const char *qname, int qtype)
{
        struct profile p = profile_of(knobs);
        return lookup_by(&p, qname, qtype);
}

/* The verdict of o against what the zone serves for (qname, qtype); ADDR
 * expects A and AAAA together. */
static enum verdict verdict(const struct outcome *o, const char *qname, int qtype)
{
        struct expected_addrs e = { 0 };
        uint8_t wire[DNS_NAME_MAX];
        size_t len;
        const char *reason;
        enum verdict v;

        CU_ASSERT_EQUAL_FATAL(wire_name_from_text(qname, wire, &len), 0);
        for (int t = 0; t < 2; t++) {
                uint16_t type = t == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA;
                const struct answer *a;
                if (qtype != QTYPE_ADDR && qtype != type)
                        continue;
                a = point_answer(fx.pt, wire, len, type);
                CU_ASSERT_PTR_NOT_NULL_FATAL(a);
                for (size_t i = 0; i < a->naddrs; i++)
                        expected_add(&e, type == DNS_TYPE_A ? 4 : 6, a->addrs[i]);
        }
        v = verdict_of(o, &e, &reason);
        expected_free(&e);
        return v;
}

static unsigned queries(enum transport t)
{
        return server_stats(fx.srv)->queries[t];
}

/* The lookup's verdict and the server's counts; on a mismatch the outcome
 * and the counts are printed. */
#define CHECK(o, qname, qtype, want, udp, tcp) do { \
        enum verdict v_ = verdict((o), (qname), (qtype)); \
        bool ok_ = v_ == (want) && queries(TRANSPORT_UDP) == (udp) && \
                   queries(TRANSPORT_TCP) == (tcp); \
        CU_ASSERT(ok_); \
        if (!ok_) \
                fprintf(stderr, "\n      line %d: verdict %s (want %s) reason='%s' message='%s' " \
                        "naddrs=%zu udp=%u tcp=%u (want %u %u)\n", __LINE__, \
                        verdict_to_string(v_), verdict_to_string(want), (o)->reason, \
                        (o)->message, (o)->naddrs, queries(TRANSPORT_UDP), \
                        queries(TRANSPORT_TCP), (unsigned)(udp), (unsigned)(tcp)); \
} while (0)

/* A c-ares-like stub: UDP 512, TC or a longer datagram -> TCP. */
#define TCP_CAPABLE "transport = udp-then-tcp\nrecv-buffer = 512\noversize = truncated\ntc = retry-tcp"

/* ---------------------------------------------------------------- tc -> tcp */

static void test_tc_to_tcp(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=tc-empty");
        o = lookup(TCP_CAPABLE, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 1);
        CU_ASSERT_EQUAL(o->naddrs, 30);
        CU_ASSERT_EQUAL(server_stats(fx.srv)->tc_sent, 1);
        CU_ASSERT_EQUAL(server_stats(fx.srv)->tcp_connections, 1);

        /* 29 records fit: no TCP */
        fixture_down(&fx);
        fixture_up(&fx, "records=29 truncation=tc-empty");
        o = lookup(TCP_CAPABLE, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 0);
        fixture_down(&fx);
}

/* A longer datagram without TC (truncation=overflow) is truncated for
 * oversize=truncated, cut for oversize=cut. */
static void test_oversize_to_tcp(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=overflow");
        o = lookup(TCP_CAPABLE, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 1);
        o = lookup("recv-buffer = 512\noversize = cut\nparse = keep-partial", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_PARTIAL, 1, 0);
        CU_ASSERT_EQUAL(o->naddrs, 29);
        fixture_down(&fx);
}

static void test_udp_only_no_tcp(void)
{
        const struct outcome *o;

        /* tc = retry-tcp, but no TCP to retry over: the truncated reply is used */
        fixture_up(&fx, "records=30 truncation=tc-partial");
        o = lookup("transport = udp-only\ntc = retry-tcp", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_PARTIAL, 1, 0);
        CU_ASSERT_EQUAL(o->naddrs, 29);
        CU_ASSERT_EQUAL(server_stats(fx.srv)->tcp_connections, 0);
        fixture_down(&fx);
}

/* ---------------------------------------------------------------- tcp-failure, tcp-closed-* */

/* Java JNDI: TCP refused, the truncated UDP answer (TC=1, 29 records) is used. */
static void test_tcp_failure_use_udp(void)
{
        const char *jndi = "recv-buffer = 8000\noversize = cut\ntc = retry-tcp\ntcp-failure = use-udp";
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=tc-partial tcp=refuse");
        o = lookup(jndi, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_PARTIAL, 1, 0);
        CU_ASSERT_EQUAL(o->naddrs, 29);
        CU_ASSERT_EQUAL(server_stats(fx.srv)->tc_sent, 1);

        o = lookup("recv-buffer = 8000\noversize = cut\ntc = retry-tcp\ntcp-failure = error", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_ERROR, 1, 0);
        CU_ASSERT_STRING_EQUAL(o->reason, "tcp-failed");
        fixture_down(&fx);

        /* the kept UDP answer held no record: read as an empty answer */
        fixture_up(&fx, "records=30 truncation=tc-empty tcp=refuse");
        o = lookup(jndi, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NODATA, 1, 0);
        fixture_down(&fx);

        /* TCP accepted and never answered: after timeout-ms, the UDP answer */
        fixture_up(&fx, "records=30 truncation=tc-partial tcp=blackhole");
        o = lookup("recv-buffer = 8000\noversize = cut\ntc = retry-tcp\ntcp-failure = use-udp\n"
                   "timeout-ms = 100", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_PARTIAL, 1, 1);
        o = lookup("tc = retry-tcp\ntimeout-ms = 100", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_TIMEOUT, 1, 1);
        fixture_down(&fx);
}

/* glibc: the server closes TCP before the reply: nxdomain for A, error for AAAA. */
static void test_tcp_closed(void)
{
        static const struct {
                const char *value;
                enum verdict verdict;
        } rows[] = {
                { "nxdomain", VERDICT_NXDOMAIN },
                { "nodata", VERDICT_NODATA },
                { "error", VERDICT_ERROR },
        };
        const struct outcome *o;
        char knobs[256];

        fixture_up(&fx, "records=30 truncation=tc-empty tcp=close");
        for (size_t i = 0; i < 3; i++) {
                /* the other type's knob differs, to show it is not the one read */
                snprintf(knobs, sizeof(knobs), TCP_CAPABLE "\ntcp-closed-a = %s\ntcp-closed-aaaa = %s",
                         rows[i].value, rows[(i + 1) % 3].value);
                o = lookup(knobs, API, DNS_TYPE_A);
                CHECK(o, API, DNS_TYPE_A, rows[i].verdict, 1, 1);
                snprintf(knobs, sizeof(knobs), TCP_CAPABLE "\ntcp-closed-a = %s\ntcp-closed-aaaa = %s",
                         rows[(i + 1) % 3].value, rows[i].value);
                o = lookup(knobs, BIG6, DNS_TYPE_AAAA);
                CHECK(o, BIG6, DNS_TYPE_AAAA, rows[i].verdict, 1, 1);
        }
        /* error is a TCP failure: tcp-failure decides (here: the UDP answer, empty) */
        o = lookup(TCP_CAPABLE "\ntcp-closed-a = error\ntcp-failure = use-udp", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NODATA, 1, 1);
        o = lookup(TCP_CAPABLE "\ntcp-closed-a = error", API, DNS_TYPE_A);
        CU_ASSERT_STRING_EQUAL(o->reason, "tcp-failed");
        fixture_down(&fx);
}

/* ---------------------------------------------------------------- attempts, timeout-ms */

static void test_attempts(void)
{
        const struct outcome *o;

        /* the first try is dropped; the second is answered (well within 1 s) */
        fixture_up(&fx, "records=1 drop_first=1");
        o = lookup("attempts = 2\ntimeout-ms = 1000", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 2, 0);
        CU_ASSERT_EQUAL(server_stats(fx.srv)->dropped, 1);
        fixture_down(&fx);

        fixture_up(&fx, "records=1 drop_first=1");
        o = lookup("attempts = 1\ntimeout-ms = 100", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_TIMEOUT, 1, 0);
        fixture_down(&fx);

        /* every try is used up, one query each */
        fixture_up(&fx, "records=1 drop_first=5");
        o = lookup("attempts = 3\ntimeout-ms = 50", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_TIMEOUT, 3, 0);
        fixture_down(&fx);
}

/* fail-on-rcode-error = no: SERVFAIL is a failed try; the last one reports it. */
static void test_rcode_next_try(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=1 rcode=servfail");
        o = lookup("attempts = 3\nfail-on-rcode-error = no", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_ERROR, 3, 0);
        CU_ASSERT_STRING_EQUAL(o->reason, "servfail");
        o = lookup("attempts = 3\nfail-on-rcode-error = yes", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_ERROR, 1, 0);
        fixture_down(&fx);
}

static void test_timeout(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=1 delay_ms=5000");
        o = lookup("timeout-ms = 50", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_TIMEOUT, 1, 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(o->message, "UDP"));
        fixture_down(&fx);

        /* over TCP: a connection that never answers */
        fixture_up(&fx, "records=1 tcp=blackhole");
        o = lookup("transport = tcp-only\ntimeout-ms = 50", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_TIMEOUT, 0, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(o->message, "TCP"));
        fixture_down(&fx);
}

/* ---------------------------------------------------------------- ADDR, formerr, tcp modes */

static void test_addr_joins(void)
{
        const struct outcome *o;
        bool v4 = false, v6 = false;

        fixture_up(&fx, "records=1");
        o = lookup("", "dual.example.test.", QTYPE_ADDR);
        CHECK(o, "dual.example.test.", QTYPE_ADDR, VERDICT_OK, 2, 0);
        for (size_t i = 0; i < o->naddrs; i++) {
                v4 |= o->addrs[i].family == 4;
                v6 |= o->addrs[i].family == 6;
        }
        CU_ASSERT(o->naddrs == 2 && v4 && v6);
        /* one side empty: the other's addresses */
        o = lookup("", "v4only.example.test.", QTYPE_ADDR);
        CHECK(o, "v4only.example.test.", QTYPE_ADDR, VERDICT_OK, 2, 0);
        /* neither */
        o = lookup("", "none.example.test.", QTYPE_ADDR);
        CHECK(o, "none.example.test.", QTYPE_ADDR, VERDICT_NXDOMAIN, 2, 0);
        fixture_down(&fx);

        /* each query takes its own path: A over TCP (30 records, TC), the
         * empty AAAA answer over UDP alone */
        fixture_up(&fx, "records=30 truncation=tc-empty");
        o = lookup(TCP_CAPABLE, API, QTYPE_ADDR);
        CHECK(o, API, QTYPE_ADDR, VERDICT_OK, 2, 1);
        CU_ASSERT_EQUAL(o->naddrs, 30);
        fixture_down(&fx);
}

static void test_formerr_retry_plain(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=1 edns=formerr");
        o = lookup("edns = 1232\nformerr-retry-plain = yes", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 2, 0);
        CU_ASSERT_EQUAL_FATAL(fx.nseen, 2);
        CU_ASSERT_EQUAL(fx.seen[0].edns, 1232);
        CU_ASSERT_EQUAL(fx.seen[1].edns, -1);

        o = lookup("edns = 1232\nformerr-retry-plain = no\nformerr-as = nxdomain", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NXDOMAIN, 1, 0);
        o = lookup("edns = 1232\nformerr-retry-plain = no", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_ERROR, 1, 0);
        CU_ASSERT_STRING_EQUAL(o->reason, "formerr");
        /* without EDNS there is nothing to retry */
        o = lookup("edns = none\nformerr-retry-plain = yes", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 0);
        CU_ASSERT_EQUAL(fx.seen[0].edns, -1);
        fixture_down(&fx);
}

static void test_tcp_split(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=tc-empty tcp=split");
        o = lookup(TCP_CAPABLE, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 1);
        o = lookup("transport = tcp-only", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 0, 1);
        fixture_down(&fx);
}

static void test_tcp_only(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=tc-empty");
        o = lookup("transport = tcp-only", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 0, 1);
        o = lookup("transport = tcp-only", "dual.example.test.", QTYPE_ADDR);
        CHECK(o, "dual.example.test.", QTYPE_ADDR, VERDICT_OK, 0, 2);
        fixture_down(&fx);

        /* refused: an error, never a fall back to UDP */
        fixture_up(&fx, "records=1 tcp=refuse");
        o = lookup("transport = tcp-only\ntcp-failure = use-udp", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_ERROR, 0, 0);
        CU_ASSERT_STRING_EQUAL(o->reason, "tcp-failed");
        fixture_down(&fx);
}

/* ---------------------------------------------------------------- shipped profiles */

/* The profiles whose README lines speak of the exchange do what they say. */
static void test_shipped(void)
{
        struct profile p;
        const struct outcome *o;

        fixture_up(&fx, "records=30 truncation=tc-empty");
        p = profile_shipped("c-ares-1.18");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 1, 1);
        p = profile_shipped("tcp-only");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 0, 1);
        /* musl 1.2.3: no TCP; the empty TC reply reads as "name not found" */
        p = profile_shipped("musl-1.2.3");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NXDOMAIN, 1, 0);
        fixture_down(&fx);

        fixture_up(&fx, "records=30 truncation=tc-partial tcp=refuse");
        p = profile_shipped("java-jndi");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_PARTIAL, 1, 0);
        fixture_down(&fx);

        fixture_up(&fx, "records=30 truncation=tc-empty tcp=close");
        p = profile_shipped("glibc-2.36");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NXDOMAIN, 1, 1);
        o = lookup_by(&p, BIG6, DNS_TYPE_AAAA);
        CHECK(o, BIG6, DNS_TYPE_AAAA, VERDICT_ERROR, 1, 1);
        fixture_down(&fx);

        fixture_up(&fx, "records=1 edns=formerr");
        p = profile_shipped("c-ares-1.18-edns");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 2, 0);
        p = profile_shipped("glibc-2.36-edns0");
        o = lookup_by(&p, API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_NXDOMAIN, 1, 0);
        fixture_down(&fx);
}

/* A TCP-only stub that gets FORMERR asks again without OPT over TCP, never UDP. */
static void test_tcp_only_formerr(void)
{
        const struct outcome *o;
        fixture_up(&fx, "records=1 edns=formerr");
        o = lookup("transport = tcp-only\nedns = 1232\nformerr-retry-plain = yes", API, DNS_TYPE_A);
        CHECK(o, API, DNS_TYPE_A, VERDICT_OK, 0, 2);
        fixture_down(&fx);
}

/* c-ares turns EDNS off for the channel: of two queries sent with OPT, only
 * the first FORMERR is asked again; the second is the answer. */
static void test_formerr_channel(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=1 edns=formerr");
        o = lookup("edns = 1232\nformerr-retry-plain = channel", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_PARTIAL, 3, 0);
        CU_ASSERT_EQUAL(o->naddrs, 1);
        CU_ASSERT_EQUAL_FATAL(fx.nseen, 3);
        CU_ASSERT_EQUAL(fx.seen[2].edns, -1);
        /* per query: both are asked again */
        o = lookup("edns = 1232\nformerr-retry-plain = yes", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_OK, 4, 0);
        /* one query alone is retried either way */
        o = lookup("edns = 1232\nformerr-retry-plain = channel", DS, DNS_TYPE_A);
        CHECK(o, DS, DNS_TYPE_A, VERDICT_OK, 2, 0);
        fixture_down(&fx);
}

/* A reply cut without TC beside a good one (20 records: the A answer fits
 * 512 bytes, the AAAA answer is cut after 17 records). */
static void test_both_bad_reply(void)
{
        const struct outcome *o;

        fixture_up(&fx, "records=20 truncation=cut-notc");
        o = lookup("both-bad-reply = per-family", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_PARTIAL, 2, 0);
        CU_ASSERT_EQUAL(o->naddrs, 20);
        /* the AAAA query completes the lookup (same rounds, sent later) */
        o = lookup("both-bad-reply = last-fails", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_ERROR, 2, 0);
        CU_ASSERT_STRING_EQUAL(o->reason, "badresp");
        /* the A answer is whole: the AAAA records before the cut are kept */
        o = lookup("both-bad-reply = a-fails\nboth-bad-reply-as = nxdomain", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_PARTIAL, 2, 0);
        CU_ASSERT_EQUAL(o->naddrs, 20 + 17);
        fixture_down(&fx);

        /* 40 records: both answers cut; a damaged A answer fails the lookup */
        fixture_up(&fx, "records=40 truncation=cut-notc");
        o = lookup("both-bad-reply = a-fails\nboth-bad-reply-as = nxdomain", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_NXDOMAIN, 2, 0);
        o = lookup("both-bad-reply = per-family\nbad-reply-a = nodata\nbad-reply-aaaa = nodata", DS, QTYPE_ADDR);
        CHECK(o, DS, QTYPE_ADDR, VERDICT_NODATA, 2, 0);
        fixture_down(&fx);
}

static const struct test_case tcp_tests[] = {
        { "tcp-only formerr retries over tcp", test_tcp_only_formerr },
        { "tc-to-tcp", test_tc_to_tcp },
        { "oversize-to-tcp", test_oversize_to_tcp },
        { "udp-only-no-tcp", test_udp_only_no_tcp },
        { "tcp-failure-use-udp", test_tcp_failure_use_udp },
        { "tcp-closed", test_tcp_closed },
        { "split", test_tcp_split },
        { "tcp-only", test_tcp_only },
        { NULL, NULL },
};

static const struct test_case try_tests[] = {
        { "attempts", test_attempts },
        { "rcode-next-try", test_rcode_next_try },
        { "timeout-ms", test_timeout },
        { "formerr-retry-plain", test_formerr_retry_plain },
        { NULL, NULL },
};

static const struct test_case lookup_tests[] = {
        { "addr-joins", test_addr_joins },
        { "formerr-channel", test_formerr_channel },
        { "both-bad-reply", test_both_bad_reply },
        { NULL, NULL },
};

static const struct test_case shipped_tests[] = {
        { "profiles", test_shipped },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "tcp", tcp_tests },
        { "tries", try_tests },
        { "lookup", lookup_tests },
        { "shipped", shipped_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "engine", suites);
}
