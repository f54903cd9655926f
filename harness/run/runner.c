#include "harness/run/runner.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/path/relay.h"
#include "harness/run/path-pool.h"
#include "harness/util/evbase.h"
#include "harness/server/server.h"
#include "harness/wire/reader.h"
#include "harness/zone/point.h"

struct live_point {
        size_t index;
        struct point *pt;
        size_t users;                  /* cells started and not finished */
        struct expected_addrs *expected;   /* per query, computed on first use */
        bool *have_expected;
};

struct run_state;

struct live_cell {
        struct run_state *rs;
        size_t index;
        struct cell_record *rec;
        struct live_point *lp;
        struct client *client;
        size_t client_index;
        int slot;                      /* port-53 slot, or -1 */
        struct server *srv;            /* behind a resolver: the path pool's, not the cell's */
        enum resolver_path via;        /* VIA_DIRECT, or the resolver between client and srv */
        struct relay *relay;           /* at the cell's endpoint, towards the resolver */
        bool relay_kept;               /* relay belongs to the cell's port-53 slot */
        void *handle;
        struct event *deadline;
        struct capture cap;            /* exchanges, when the run keeps them */
        struct live_cell *next;        /* in-flight list */
};

/* Cell indexes waiting, first in first out. */
struct cell_queue {
        size_t *queue;
        size_t qhead, qlen, qcap;
};

/* A slot's relay address is its server address plus this: slots stay below it. */
#define SLOT_RELAY_OFFSET 128u

struct client_slots {
        unsigned n;
        unsigned char *used;
        struct server **servers;       /* per slot: its idle server on 127.x.y.z:53, or NULL */
        struct relay **relays;         /* per slot: its relay on 127.x.y.(z+128):53, kept for
                                        * the run, or NULL */
        struct cell_queue waiting;     /* cells waiting for a slot */
};

struct run_state {
        const struct runner_config *cfg;
        struct run_result *res;
        struct event_base *base;
        struct event *kick;            /* deferred start_more */
        struct event *watch;           /* interruption check */
        struct live_point *points;     /* small: points with cells in flight */
        size_t npoints, cappoints;
        struct live_cell *inflight;
        size_t ninflight;
        size_t next;                   /* next cell index to consider */
        size_t done;
        size_t shard_total;            /* cells this run will do */
        struct client_slots *slots;    /* per client */
        struct server **pool;          /* idle servers on 127.0.0.1, reused by later cells */
        struct path_pool *paths;       /* resolvers of the path= points */
        struct cell_queue path_waiting[VIA_MAX];  /* cells waiting for their resolver,
                                                   * in index order (point by point) */
        char origin[DNS_NAME_MAX * 4]; /* the scenario's origin, presentation form */
        size_t npool, cappool;
        char *err;
        size_t errlen;
        bool failed;
};

const char *cell_path(const struct cell_record *c)
{
        if (c->udp_queries && c->tcp_queries)
                return "udp+tcp";
        if (c->udp_queries)
                return "udp";
        if (c->tcp_queries)
                return "tcp";
        return "none";
}

size_t runner_cell_count(const struct scenario *sc, size_t nclients)
{
        return scenario_point_count(sc) * sc->nqueries * nclients;
}

void runner_cell_coords(const struct scenario *sc, size_t nclients, size_t index, size_t *point,
                        size_t *query, size_t *client)
{
        *client = index % nclients;
        index /= nclients;
        *query = index % sc->nqueries;
        *point = index / sc->nqueries;
}

static bool cell_selected(const struct runner_config *cfg, size_t index)
{
        if (cfg->only_cells && !cfg->only_cells[index])
                return false;
        return cfg->shard_n == 0 || index % cfg->shard_n == cfg->shard_k - 1;
}

/* The parameters of point index with the run's --set overrides. */
static void point_params_of(const struct run_state *rs, size_t index, struct point_params *p)
{
        char msg[256];
        scenario_point_params(rs->cfg->sc, index, p);
        for (size_t i = 0; i < rs->cfg->nsets; i++)
                params_set_assignment(p, rs->cfg->sets[i], msg, sizeof(msg));  /* validated */
}

static struct live_point *point_acquire(struct run_state *rs, size_t index)
{
        struct point_params p;
        char msg[256];

        for (size_t i = 0; i < rs->npoints; i++)
                if (rs->points[i].index == index) {
                        rs->points[i].users++;
                        return &rs->points[i];
                }
        if (rs->npoints == rs->cappoints) {
                size_t cap = rs->cappoints ? rs->cappoints * 2 : 8;
                struct live_point *n = realloc(rs->points, cap * sizeof(*n));
                if (!n)
                        return NULL;
                /* live cells hold pointers: fix them up */
                for (struct live_cell *c = rs->inflight; c; c = c->next)
                        c->lp = n + (c->lp - rs->points);
                rs->points = n;
                rs->cappoints = cap;
        }
        point_params_of(rs, index, &p);
        struct point *pt = point_new(rs->cfg->sc, index, &p, msg, sizeof(msg));
        if (!pt)
                return NULL;
        rs->points[rs->npoints] = (struct live_point){ .index = index, .pt = pt, .users = 1,
                .expected = calloc(rs->cfg->sc->nqueries, sizeof(struct expected_addrs)),
                .have_expected = calloc(rs->cfg->sc->nqueries, sizeof(bool)) };
        return &rs->points[rs->npoints++];
}

static void point_release(struct run_state *rs, struct live_point *lp)
{
        if (--lp->users > 0)
                return;
        for (size_t q = 0; lp->expected && q < rs->cfg->sc->nqueries; q++)
                expected_free(&lp->expected[q]);
        free(lp->expected);
        free(lp->have_expected);
        point_free(lp->pt);
        size_t i = (size_t)(lp - rs->points);
        rs->points[i] = rs->points[--rs->npoints];
        for (struct live_cell *c = rs->inflight; c; c = c->next)
                if (c->lp == &rs->points[rs->npoints])
                        c->lp = &rs->points[i];
}

/* The addresses the zone holds at the end of the chain for this query. */
static void expected_for(struct point *pt, const struct scenario_query *q, struct expected_addrs *e)
{
        uint16_t types[2] = { (uint16_t)q->qtype, 0 };
        if (q->qtype == QTYPE_ADDR) {
                types[0] = DNS_TYPE_A;
                types[1] = DNS_TYPE_AAAA;
        }
        bool negative = true;
        for (int t = 0; t < 2 && types[t]; t++) {
                const struct answer *a = point_answer(pt, q->name, q->name_len, types[t]);
                for (size_t i = 0; a && i < a->naddrs; i++)
                        expected_add(e, outcome_family_of(types[t]), a->addrs[i]);
                if (!a || (a->rcode != DNS_RCODE_NOERROR && a->rcode != DNS_RCODE_NXDOMAIN))
                        negative = false;
                if (a && a->missing[0]) {
                        negative = false;
                        snprintf(e->missing, sizeof(e->missing), "%s", a->missing);
                }
                if (a && a->missing_edns[0])
                        snprintf(e->missing_edns, sizeof(e->missing_edns), "%s", a->missing_edns);
        }
        e->negative = negative && e->n == 0;
}

static void schedule_kick(struct run_state *rs)
{
        struct timeval now = { 0, 0 };
        evtimer_add(rs->kick, &now);
}

static void slot_release(struct run_state *rs, struct live_cell *lc)
{
        if (lc->slot < 0)
                return;
        rs->slots[lc->client_index].used[lc->slot] = 0;
        lc->slot = -1;
}

/* Keeps a finished cell's server for a later cell: creating and closing two
 * sockets per cell is most of a cell's cost. A port-53 slot keeps its own
 * (its address is the slot's); the others share the pool on 127.0.0.1. A
 * kept server is parked: it answers nobody and drops its reference on the
 * cell's point, which is freed right after (late datagrams or TCP bytes from
 * the cell's client, or anyone spraying the run's ports, must not reach a
 * freed point). Servers of cells that ended at their deadline are closed,
 * since their client may still be sending. */
static void pool_put(struct run_state *rs, struct live_cell *lc, struct server *s,
                     const struct outcome *o)
{
        bool reusable = strcmp(o->reason, "deadline") != 0;
        if (lc->slot >= 0) {
                struct server **kept = &rs->slots[lc->client_index].servers[lc->slot];
                server_free(*kept);
                *kept = NULL;
                if (!reusable) {
                        server_free(s);
                        return;
                }
                server_park(s);
                *kept = s;
                return;
        }
        if (reusable && rs->npool == rs->cappool) {
                size_t cap = rs->cappool ? rs->cappool * 2 : 64;
                struct server **n = realloc(rs->pool, cap * sizeof(*n));
                if (n) {
                        rs->pool = n;
                        rs->cappool = cap;
                }
        }
        if (!reusable || rs->npool == rs->cappool) {
                server_free(s);
                return;
        }
        server_park(s);
        rs->pool[rs->npool++] = s;
}

/* A server for pt on 127.0.0.1: a reset one from the pool, or a new one. */
static struct server *pool_get(struct run_state *rs, const struct server_config *cfg,
                               struct point *pt, char *err, size_t errlen)
{
        while (rs->npool > 0) {
                struct server *s = rs->pool[--rs->npool];
                if (server_reset(s, pt) == 0)
                        return s;
                server_free(s);
        }
        return server_new(rs->base, cfg, pt, err, errlen);
}

/* The server of a port-53 slot: the slot's idle one reset for pt, or a new one. */
static struct server *slot_server_get(struct run_state *rs, struct live_cell *lc,
                                      const struct server_config *cfg, struct point *pt,
                                      char *err, size_t errlen)
{
        struct server **kept = &rs->slots[lc->client_index].servers[lc->slot];
        struct server *s = *kept;

        *kept = NULL;
        if (s && server_reset(s, pt) == 0)
                return s;
        server_free(s);
        return server_new(rs->base, cfg, pt, err, errlen);
}

static void cell_exchange(void *arg, const struct server_exchange *x)
{
        struct live_cell *lc = arg;
        capture_add(&lc->cap, x->transport, false, x->query_data, x->query_bytes);
        if (x->sent && x->reply_data)
                capture_add(&lc->cap, x->transport, true, x->reply_data, x->reply_bytes);
}

/* Keeps the cell's exchanges when the run wants them. */
static void cell_keep_capture(struct run_state *rs, struct live_cell *lc)
{
        enum verdict v = lc->rec->verdict;
        bool keep = rs->cfg->capture == CAPTURE_ALL ||
                    (rs->cfg->capture == CAPTURE_FAILING && v != VERDICT_OK && v != VERDICT_SKIPPED);
        struct capture *n;

        if (!keep || lc->cap.n == 0 || lc->rec->index == (size_t)-1 ||
            !(n = realloc(rs->res->captures, (rs->res->ncaptures + 1) * sizeof(*n)))) {
                capture_free(&lc->cap);
                return;
        }
        rs->res->captures = n;
        lc->cap.cell = lc->index;
        n[rs->res->ncaptures++] = lc->cap;
        memset(&lc->cap, 0, sizeof(lc->cap));
}

static void cell_finish(struct live_cell *lc, const struct outcome *o)
{
        struct run_state *rs = lc->rs;
        struct cell_record *r = lc->rec;
        const struct scenario_query *q = &rs->cfg->sc->queries[r->query];
        struct live_point *lp = lc->lp;
        struct expected_addrs none = { 0 }, *e = &none;
        const char *reason;

        if (lp->expected && lp->have_expected) {
                e = &lp->expected[r->query];
                if (!lp->have_expected[r->query]) {
                        expected_for(lp->pt, q, e);
                        lp->have_expected[r->query] = true;
                }
        } else {
                expected_for(lp->pt, q, e);
        }
        r->expected = e->n;
        r->addresses = o->naddrs;
        r->verdict = verdict_of(o, e, &reason);
        snprintf(r->reason, sizeof(r->reason), "%s", reason);
        r->detail = o->message[0] ? strdup(o->message) : NULL;
        r->elapsed_ms = o->elapsed_ms;
        if (lc->via != VIA_DIRECT) {
                const struct relay_stats *h = lc->relay ? relay_stats(lc->relay) : NULL;
                r->resolver = (int)lc->via;
                r->hop = (struct stub_hop){ .udp_bytes = -1, .tcp_bytes = -1,
                                            .udp_records = -1, .tcp_records = -1,
                                            .rcode = -1 };
                if (h)
                        r->hop = (struct stub_hop){
                                .udp_replies = h->replies[TRANSPORT_UDP],
                                .tcp_replies = h->replies[TRANSPORT_TCP],
                                .udp_bytes = h->bytes[TRANSPORT_UDP],
                                .tcp_bytes = h->bytes[TRANSPORT_TCP],
                                .tc_replies = h->tc_replies,
                                .udp_records = h->records[TRANSPORT_UDP],
                                .tcp_records = h->records[TRANSPORT_TCP],
                                .rcode = h->rcode };
                /* every query of the client answered: the resolver is done with it */
                bool settled = h && h->replies[TRANSPORT_UDP] + h->replies[TRANSPORT_TCP] >=
                                    h->queries[TRANSPORT_UDP] + h->queries[TRANSPORT_TCP];
                if (!lc->relay_kept)
                        relay_free(lc->relay);
                lc->relay = NULL;
                if (lc->srv)
                        path_release(rs->paths, lc->via, settled);
                lc->srv = NULL;
        }
        if (lc->srv) {
                const struct server_stats *st = server_stats(lc->srv);
                r->udp_queries = st->queries[TRANSPORT_UDP];
                r->tcp_queries = st->queries[TRANSPORT_TCP];
                /* the client needed the part the recording lacks: no verdict */
                const char *lacks = e->missing[0] && r->tcp_queries > 0 ? e->missing
                        : e->missing_edns[0] && st->last_edns >= 0 ? e->missing_edns : NULL;
                if (lacks && !verdict_is_unchecked(r->verdict)) {
                        r->verdict = VERDICT_SKIPPED;
                        snprintf(r->reason, sizeof(r->reason), "incomplete-recording");
                        free(r->detail);
                        r->detail = strdup(lacks);
                }
                r->udp_bytes = st->replies[TRANSPORT_UDP] ? (long)st->bytes[TRANSPORT_UDP] : -1;
                r->tcp_bytes = st->replies[TRANSPORT_TCP] ? (long)st->bytes[TRANSPORT_TCP] : -1;
                r->tc_replies = st->tc_sent;
                r->edns = st->last_edns;
                pool_put(rs, lc, lc->srv, o);
                lc->srv = NULL;
        }
        if (e == &none)
                expected_free(&none);
        if (r->verdict == VERDICT_HARNESS_ERROR)
                rs->res->harness_failed = true;
        cell_keep_capture(rs, lc);
        if (lc->deadline)
                event_free(lc->deadline);
        slot_release(rs, lc);
        point_release(rs, lc->lp);
        for (struct live_cell **pp = &rs->inflight; *pp; pp = &(*pp)->next)
                if (*pp == lc) {
                        *pp = lc->next;
                        break;
                }
        rs->ninflight--;
        rs->done++;
        if (rs->cfg->progress)
                rs->cfg->progress(rs->cfg->progress_arg, rs->done, rs->shard_total);
        free(lc);
        schedule_kick(rs);
}

static void cell_done(void *arg, const struct outcome *o)
{
        struct live_cell *lc = arg;
        lc->handle = NULL;
        cell_finish(lc, o);
}

/* Stops the client of a cell that ends before it reported. */
static void cell_cancel(struct live_cell *lc)
{
        if (lc->handle && lc->client->ops->cancel)
                lc->client->ops->cancel(lc->client, lc->handle);
        lc->handle = NULL;
}

static void cell_deadline(evutil_socket_t fd, short what, void *arg)
{
        struct live_cell *lc = arg;
        struct outcome o;
        (void)fd; (void)what;
        cell_cancel(lc);
        outcome_init(&o);
        outcome_set(&o, OUTCOME_TIMEOUT, "deadline", "no result within the cell deadline of %u ms",
                    lc->rs->cfg->cell_deadline_ms ? lc->rs->cfg->cell_deadline_ms : 15000);
        cell_finish(lc, &o);
}

/* Picks the endpoint of a cell: any port on 127.0.0.1 for most clients; for
 * clients bound to port 53, a free slot address 127.<c/256+1>.<c%256>.<s+1>,
 * or .<s+129> behind a resolver (the slot's relay keeps that address bound
 * for the run, apart from the slot's server). Returns 0, 1 when no slot is
 * free (the cell waits), -1 on error. */
static int cell_endpoint(struct run_state *rs, struct live_cell *lc, struct server_config *cfg,
                         char *addr, size_t addrlen)
{
        struct client_slots *cs = &rs->slots[lc->client_index];
        if (lc->client->endpoint != ENDPOINT_PORT53) {
                snprintf(addr, addrlen, "127.0.0.1");
                cfg->port = 0;
                return 0;
        }
        for (unsigned s = 0; s < cs->n; s++)
                if (!cs->used[s]) {
                        cs->used[s] = 1;
                        lc->slot = (int)s;
                        snprintf(addr, addrlen, "127.%zu.%zu.%u", lc->client_index / 256 + 1,
                                 lc->client_index % 256,
                                 s + 1 + (lc->via != VIA_DIRECT ? SLOT_RELAY_OFFSET : 0));
                        cfg->port = 53;
                        return 0;
                }
        return 1;
}

static void lookup_fill(struct live_cell *lc, const struct runner_config *cfg, const char *addr,
                        uint16_t port, struct lookup *l)
{
        const struct scenario_query *q = &cfg->sc->queries[lc->rec->query];
        struct sockaddr_in *in = (struct sockaddr_in *)&l->server;
        memset(l, 0, sizeof(*l));
        snprintf(l->qname, sizeof(l->qname), "%s", q->text);
        l->qtype = q->qtype;
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        inet_pton(AF_INET, addr, &in->sin_addr);
        l->server_len = sizeof(*in);
        l->timeout_ms = cfg->client_timeout_ms ? cfg->client_timeout_ms : 1000;
}

/* True when the presentation name qname is origin or below it. */
static bool name_in_zone(const char *qname, const char *origin)
{
        size_t q = strlen(qname), o = strlen(origin);
        if (strcmp(origin, ".") == 0)
                return true;
        if (q < o || strcasecmp(qname + q - o, origin) != 0)
                return false;
        return q == o || qname[q - o - 1] == '.';
}

/* Behind a resolver the fake server's counts are the resolver's queries for
 * the zone; its own housekeeping (root priming after a flush) is left out. */
static void path_exchange(void *arg, const struct server_exchange *x)
{
        struct live_cell *lc = arg;
        struct cell_record *r = lc->rec;
        if (!name_in_zone(x->qname, lc->rs->origin))
                return;
        if (x->transport == TRANSPORT_UDP)
                r->udp_queries++;
        else
                r->tcp_queries++;
        r->edns = x->edns;
        if (x->sent) {
                if (x->transport == TRANSPORT_UDP)
                        r->udp_bytes = (long)x->reply_bytes;
                else
                        r->tcp_bytes = (long)x->reply_bytes;
                r->tc_replies += x->tc;
        }
        if (lc->rs->cfg->capture != CAPTURE_NONE)
                cell_exchange(lc, x);
}

static void finish_now(struct live_cell *lc, enum outcome_status st, const char *reason,
                       const char *msg)
{
        struct outcome o;
        outcome_init(&o);
        outcome_set(&o, st, reason, "%s", msg);
        cell_finish(lc, &o);
}

/* Starts the client and its deadline; a failure finishes the cell. */
static void cell_launch(struct run_state *rs, struct live_cell *lc, const char *addr, uint16_t port)
{
        unsigned deadline = rs->cfg->cell_deadline_ms ? rs->cfg->cell_deadline_ms : 15000;
        struct timeval tv = { deadline / 1000, (deadline % 1000) * 1000 };
        struct lookup l;

        lookup_fill(lc, rs->cfg, addr, port, &l);
        lc->deadline = evtimer_new(rs->base, cell_deadline, lc);
        if (!lc->deadline || evtimer_add(lc->deadline, &tv) < 0 ||
            lc->client->ops->start(lc->client, rs->base, &l, cell_done, lc, &lc->handle) < 0)
                finish_now(lc, OUTCOME_HARNESS_ERROR, "client-start", "the client could not start");
}

/* A cell behind a resolver: the resolver's fake server for the point, and a
 * relay at the cell's endpoint that the client asks. Returns 0. */
static int cell_start_behind(struct run_state *rs, struct live_cell *lc,
                             const struct server_config *scfg, const char *addr)
{
        char msg[256];
        uint16_t port;

        switch (path_claim(rs->paths, lc->via, lc->rec->point, lc->lp->pt, &lc->srv, &port, msg,
                           sizeof(msg))) {
        case PATH_CLAIMED:
                break;
        case PATH_UNAVAILABLE:
                finish_now(lc, OUTCOME_SKIPPED, "resolver-unavailable", msg);
                return 0;
        case PATH_BUSY:   /* checked before the cell took a slot */
        case PATH_BROKEN:
                finish_now(lc, OUTCOME_HARNESS_ERROR, "resolver", msg);
                return 0;
        }
        server_set_observer(lc->srv, path_exchange, lc);
        struct relay **kept = lc->slot >= 0 ? &rs->slots[lc->client_index].relays[lc->slot] : NULL;
        if (kept && *kept) {
                relay_reset(*kept, port);
                lc->relay = *kept;
        } else {
                lc->relay = relay_new(rs->base, addr, scfg->port, port, msg, sizeof(msg));
        }
        if (!lc->relay) {
                finish_now(lc, OUTCOME_HARNESS_ERROR, "relay", msg);
                return 0;
        }
        if (kept) {
                *kept = lc->relay;
                lc->relay_kept = true;
        }
        cell_launch(rs, lc, addr, relay_port(lc->relay));
        return 0;
}

/* A resolver ended while the run needed it: the cell it served is a harness
 * error, and so will be the cells still to come on it (path_claim). */
static void path_died(void *arg, enum resolver_path path, const char *why)
{
        struct run_state *rs = arg;
        for (struct live_cell *lc = rs->inflight; lc; lc = lc->next)
                if (lc->via == path && lc->srv) {
                        cell_cancel(lc);
                        finish_now(lc, OUTCOME_HARNESS_ERROR, "resolver", why);
                        return;
                }
}

static void path_idle(void *arg)
{
        schedule_kick(arg);
}

/* Starts one cell. Returns 0, 1 when it must wait for a port-53 slot, 2 when
 * it must wait for its resolver. */
static int cell_start(struct run_state *rs, size_t index)
{
        const struct runner_config *cfg = rs->cfg;
        struct live_cell *lc = calloc(1, sizeof(*lc));
        struct server_config scfg = { 0 };
        char addr[64], msg[256];
        size_t point, query, client;

        if (!lc)
                return -1;
        runner_cell_coords(cfg->sc, cfg->nclients, index, &point, &query, &client);
        lc->rs = rs;
        lc->index = index;
        lc->slot = -1;
        lc->client = cfg->clients[client];
        lc->client_index = client;
        struct point_params pp;
        point_params_of(rs, point, &pp);
        lc->via = pp.path;
        if (lc->via != VIA_DIRECT && lc->client->available &&
            !path_ready_for(rs->paths, lc->via, point)) {
                free(lc);
                return 2;   /* one cell at a time per resolver */
        }
        if (lc->client->available && cell_endpoint(rs, lc, &scfg, addr, sizeof(addr)) == 1) {
                free(lc);
                return 1;
        }
        lc->rec = &rs->res->cells[rs->res->ncells];
        rs->res->ncells++;
        *lc->rec = (struct cell_record){ .index = index, .point = point, .query = query,
                                         .client = client, .udp_bytes = -1, .tcp_bytes = -1,
                                         .edns = -1 };
        lc->lp = point_acquire(rs, point);
        lc->next = rs->inflight;
        rs->inflight = lc;
        rs->ninflight++;
        if (!lc->lp) {
                rs->failed = true;
                snprintf(rs->err, rs->errlen, "point %zu cannot be built", point);
                event_base_loopbreak(rs->base);
                return -1;
        }
        if (!lc->client->available) {
                finish_now(lc, OUTCOME_SKIPPED, "unavailable", lc->client->why_not);
                return 0;
        }
        int qtype = cfg->sc->queries[query].qtype;
        if (!lc->client->any_type && qtype != DNS_TYPE_A && qtype != DNS_TYPE_AAAA && qtype != QTYPE_ADDR) {
                finish_now(lc, OUTCOME_SKIPPED, "address-lookups-only",
                           "this client looks up addresses only");
                return 0;
        }
        scfg.address = addr;
        if (lc->via != VIA_DIRECT)
                return cell_start_behind(rs, lc, &scfg, addr);
        lc->srv = lc->slot < 0 ? pool_get(rs, &scfg, lc->lp->pt, msg, sizeof(msg))
                               : slot_server_get(rs, lc, &scfg, lc->lp->pt, msg, sizeof(msg));
        if (!lc->srv) {
                finish_now(lc, OUTCOME_HARNESS_ERROR, "server", msg);
                return 0;
        }
        if (cfg->capture != CAPTURE_NONE)
                server_set_observer(lc->srv, cell_exchange, lc);
        cell_launch(rs, lc, addr, server_port(lc->srv));
        return 0;
}

static int queue_push(struct cell_queue *cs, size_t index)
{
        if (cs->qlen == cs->qcap) {
                size_t cap = cs->qcap ? cs->qcap * 2 : 64;
                size_t *n = malloc(cap * sizeof(*n));
                if (!n)
                        return -1;
                for (size_t i = 0; i < cs->qlen; i++)
                        n[i] = cs->queue[(cs->qhead + i) % cs->qcap];
                free(cs->queue);
                cs->queue = n;
                cs->qhead = 0;
                cs->qcap = cap;
        }
        cs->queue[(cs->qhead + cs->qlen++) % cs->qcap] = index;
        return 0;
}

static size_t queue_pop(struct cell_queue *q)
{
        size_t index = q->queue[q->qhead];
        q->qhead = (q->qhead + 1) % q->qcap;
        q->qlen--;
        return index;
}

static size_t queued_total(const struct run_state *rs)
{
        size_t n = 0;
        for (size_t c = 0; c < rs->cfg->nclients; c++)
                n += rs->slots[c].waiting.qlen;
        for (int p = 0; p < VIA_MAX; p++)
                n += rs->path_waiting[p].qlen;
        return n;
}

/* Queues a cell that could not start: 1 waits for a port-53 slot of its
 * client, 2 for its resolver. */
static void cell_wait(struct run_state *rs, size_t index, int why)
{
        size_t point, query, client;
        struct point_params p;
        runner_cell_coords(rs->cfg->sc, rs->cfg->nclients, index, &point, &query, &client);
        if (why == 1) {
                queue_push(&rs->slots[client].waiting, index);
                return;
        }
        point_params_of(rs, point, &p);
        queue_push(&rs->path_waiting[p.path], index);
}

static void start_more(evutil_socket_t fd, short what, void *arg)
{
        struct run_state *rs = arg;
        size_t max = rs->cfg->max_inflight ? rs->cfg->max_inflight : 64;
        size_t total = runner_cell_count(rs->cfg->sc, rs->cfg->nclients);
        (void)fd; (void)what;

        if (rs->cfg->interrupted && *rs->cfg->interrupted) {
                event_base_loopbreak(rs->base);
                return;
        }
        /* cells waiting for their resolver first, then for a port-53 slot, in order */
        for (int p = 0; p < VIA_MAX && rs->ninflight < max; p++) {
                struct cell_queue *q = &rs->path_waiting[p];
                while (q->qlen > 0 && rs->ninflight < max) {
                        int r = cell_start(rs, q->queue[q->qhead]);
                        if (r == 2)
                                break;
                        size_t index = queue_pop(q);
                        if (r == 1)
                                cell_wait(rs, index, r);
                }
        }
        for (size_t c = 0; c < rs->cfg->nclients && rs->ninflight < max; c++) {
                struct cell_queue *q = &rs->slots[c].waiting;
                while (q->qlen > 0 && rs->ninflight < max) {
                        int r = cell_start(rs, q->queue[q->qhead]);
                        if (r == 1)
                                break;
                        size_t index = queue_pop(q);
                        if (r == 2)
                                cell_wait(rs, index, r);
                }
        }
        while (rs->ninflight < max && rs->next < total && queued_total(rs) < 4 * max && !rs->failed) {
                size_t index = rs->next++;
                if (!cell_selected(rs->cfg, index))
                        continue;
                int r = cell_start(rs, index);
                if (r > 0)
                        cell_wait(rs, index, r);
        }
        if (rs->ninflight == 0 && queued_total(rs) == 0 && rs->next >= total)
                event_base_loopbreak(rs->base);
}

static void watch_interrupt(evutil_socket_t fd, short what, void *arg)
{
        struct run_state *rs = arg;
        (void)fd; (void)what;
        if (rs->cfg->interrupted && *rs->cfg->interrupted)
                event_base_loopbreak(rs->base);
}

static int capture_cmp(const void *a, const void *b)
{
        const struct capture *x = a, *y = b;
        return x->cell < y->cell ? -1 : x->cell > y->cell;
}

static int cell_record_cmp(const void *a, const void *b)
{
        const struct cell_record *x = a, *y = b;
        return x->index < y->index ? -1 : x->index > y->index;
}

static int state_init(struct run_state *rs, const struct runner_config *cfg, struct run_result *res)
{
        size_t total = runner_cell_count(cfg->sc, cfg->nclients);
        size_t mine = cfg->shard_n ? total / cfg->shard_n + 1 : total;
        struct timeval tick = { 0, 100000 };

        res->total = total;
        for (size_t i = 0; i < total; i++)
                rs->shard_total += cell_selected(cfg, i);
        res->cells = calloc(mine ? mine : 1, sizeof(*res->cells));
        rs->slots = calloc(cfg->nclients ? cfg->nclients : 1, sizeof(*rs->slots));
        rs->base = evbase_new_precise();
        if (!res->cells || !rs->slots || !rs->base)
                return -1;
        for (size_t c = 0; c < cfg->nclients; c++) {
                rs->slots[c].n = cfg->clients[c]->max_parallel ? cfg->clients[c]->max_parallel : 1;
                if (rs->slots[c].n > SLOT_RELAY_OFFSET - 1)
                        rs->slots[c].n = SLOT_RELAY_OFFSET - 1;
                rs->slots[c].used = calloc(rs->slots[c].n, 1);
                rs->slots[c].servers = calloc(rs->slots[c].n, sizeof(struct server *));
                rs->slots[c].relays = calloc(rs->slots[c].n, sizeof(struct relay *));
                if (!rs->slots[c].used || !rs->slots[c].servers || !rs->slots[c].relays)
                        return -1;
        }
        wire_name_to_text(cfg->sc->origin, cfg->sc->origin_len, rs->origin, sizeof(rs->origin));
        rs->paths = path_pool_new(rs->base, path_died, path_idle, rs);
        if (!rs->paths)
                return -1;
        /* every resolver the run needs starts before the first cell, so that no
         * start blocks the loop while cells are in flight */
        for (size_t pt = 0; pt < scenario_point_count(cfg->sc); pt++) {
                struct point_params p;
                point_params_of(rs, pt, &p);
                path_pool_start(rs->paths, p.path);
        }
        rs->kick = evtimer_new(rs->base, start_more, rs);
        rs->watch = event_new(rs->base, -1, EV_PERSIST, watch_interrupt, rs);
        if (!rs->kick || !rs->watch || event_add(rs->watch, &tick) < 0)
                return -1;
        return 0;
}

int runner_run(const struct runner_config *cfg, struct run_result *res, char *err, size_t errlen)
{
        struct run_state rs = { .cfg = cfg, .res = res, .err = err, .errlen = errlen };
        struct point_params scratch;
        int ret = -1;

        memset(res, 0, sizeof(*res));
        res->sets = cfg->sets;
        res->nsets = cfg->nsets;
        params_defaults(&scratch);
        for (size_t i = 0; i < cfg->nsets; i++)
                if (params_set_assignment(&scratch, cfg->sets[i], err, errlen) < 0)
                        return -1;
        if (cfg->nclients == 0) {
                snprintf(err, errlen, "no clients selected");
                return -1;
        }
        if (state_init(&rs, cfg, res) < 0) {
                snprintf(err, errlen, "out of memory");
                goto cleanup;
        }
        schedule_kick(&rs);
        event_base_dispatch(rs.base);
        res->complete = !rs.failed && rs.ninflight == 0 && queued_total(&rs) == 0 &&
                        rs.next >= res->total;
        bool harness_failed = res->harness_failed;
        while (rs.inflight) {
                struct live_cell *lc = rs.inflight;
                if (lc->handle && lc->client->ops->cancel)
                        lc->client->ops->cancel(lc->client, lc->handle);
                lc->handle = NULL;
                lc->rec->index = (size_t)-1;  /* not run: dropped below */
                finish_now(lc, OUTCOME_HARNESS_ERROR, "interrupted", "run interrupted");
        }
        res->harness_failed = harness_failed;
        qsort(res->cells, res->ncells, sizeof(*res->cells), cell_record_cmp);
        if (res->ncaptures)
                qsort(res->captures, res->ncaptures, sizeof(*res->captures), capture_cmp);
        while (res->ncells > 0 && res->cells[res->ncells - 1].index == (size_t)-1)
                free(res->cells[--res->ncells].detail);
        ret = rs.failed ? -1 : 0;
cleanup:
        if (rs.kick)
                event_free(rs.kick);
        if (rs.watch)
                event_free(rs.watch);
        for (size_t c = 0; rs.slots && c < cfg->nclients; c++) {
                for (unsigned i = 0; rs.slots[c].servers && i < rs.slots[c].n; i++)
                        server_free(rs.slots[c].servers[i]);
                for (unsigned i = 0; rs.slots[c].relays && i < rs.slots[c].n; i++)
                        relay_free(rs.slots[c].relays[i]);
                free(rs.slots[c].servers);
                free(rs.slots[c].relays);
                free(rs.slots[c].used);
                free(rs.slots[c].waiting.queue);
        }
        free(rs.slots);
        free(rs.points);
        for (size_t i = 0; i < rs.npool; i++)
                server_free(rs.pool[i]);
        path_pool_free(rs.paths);
        for (int p = 0; p < VIA_MAX; p++)
                free(rs.path_waiting[p].queue);
        free(rs.pool);
        for (size_t c = 0; c < cfg->nclients; c++)
                if (cfg->clients[c]->ops && cfg->clients[c]->ops->detach)
                        cfg->clients[c]->ops->detach(cfg->clients[c]);
        if (rs.base)
                event_base_free(rs.base);
        return ret;
}

void run_result_free(struct run_result *res)
{
        for (size_t i = 0; i < res->ncaptures; i++)
                capture_free(&res->captures[i]);
        free(res->captures);
        for (size_t i = 0; i < res->ncells; i++)
                free(res->cells[i].detail);
        free(res->cells);
        memset(res, 0, sizeof(*res));
}
