/* stubcompat serve: one scenario point in the foreground, a log line per exchange. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "harness/cli/commands.h"
#include "harness/server/server.h"
#include "harness/util/evbase.h"
#include "harness/util/strutil.h"
#include "harness/zone/params.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"

static void serve_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat serve SCENARIO [options]\n"
                "\n"
                "Serves one point of SCENARIO on 127.0.0.1 over UDP and TCP until interrupted,\n"
                "printing one line per exchange. Swept parameters not fixed with --set take\n"
                "their first value.\n"
                "\n"
                "options:\n"
                "  -p, --port N         port (default 0: pick a free one and print it)\n"
                "  -s, --set KEY=VALUE  fix a parameter (repeatable), e.g. --set records=30\n"
                "  -l, --listen ADDR    serve on ADDR; anything outside loopback needs this\n"
                "      --idle-ms N      close TCP connections idle for N ms (default 10000)\n"
                "  -q, --quiet          no per-exchange lines\n"
                "      --floor          benchmarks only: answer every UDP query with the reply\n"
                "                       to the first query line, only its id copied in (the\n"
                "                       same loop without parsing or rendering)\n"
                "      --keys           print the parameter names, one a line, and exit\n"
                "  -h, --help           this text\n"
                "\n"
                "parameters:");
        size_t col = 11;
        for (size_t i = 0; i < params_key_count(); i++) {
                const char *k = params_key_name(i);
                if (col + 1 + strlen(k) > 78) {
                        fprintf(f, "\n ");
                        col = 1;
                }
                col += fprintf(f, " %s", k);
        }
        fprintf(f, "\n  (see scenarios/README.md)\n");
}

static void print_exchange(void *arg, const struct server_exchange *x)
{
        char type[16];
        char edns[16] = "none";
        (void)arg;
        if (x->edns >= 0)
                snprintf(edns, sizeof(edns), "%d", x->edns);
        printf("%s %s %s %s edns=%s query=%zu reply=%zu tc=%d records=%u rcode=%d%s%s\n",
               transport_to_string(x->transport), x->peer, x->qname[0] ? x->qname : "-",
               x->qname[0] ? dns_type_to_string(x->qtype, type) : "-", edns, x->query_bytes,
               x->reply_bytes, x->tc ? 1 : 0, x->records, x->rcode, x->note ? " note=" : "",
               x->note ? x->note : "");
        fflush(stdout);
}

/* What the server refused hostile or excessive peers, on stderr at exit
 * (nothing when nothing was refused). */
static void print_defences(const struct server_stats *st)
{
        if (!st->bad_source && !st->send_failed && !st->delayed_dropped && !st->tcp_evicted &&
            !st->tcp_accept_paused)
                return;
        fprintf(stderr, "stubcompat serve: refused: %u queries from refused source ports, "
                "%u replies the kernel would not send, %u delayed replies (queue full), "
                "%u idle TCP connections evicted, TCP accepting paused %u times\n",
                st->bad_source, st->send_failed, st->delayed_dropped, st->tcp_evicted,
                st->tcp_accept_paused);
}

/* The UDP reply to the scenario's first query line (A for an address
 * query), without EDNS, as the server renders it. Returns its length. */
static size_t render_first_reply(const struct scenario *sc, struct point *pt, uint8_t *out,
                                 size_t cap)
{
        const struct scenario_query *q = &sc->queries[0];
        uint16_t type = q->qtype == QTYPE_ADDR ? DNS_TYPE_A : (uint16_t)q->qtype;
        uint8_t query[DNS_HEADER_LEN + DNS_NAME_MAX + 4] = { 0, 0, 0x01, 0, 0, 1 };
        struct server_exchange x;
        size_t len = DNS_HEADER_LEN;

        memcpy(query + len, q->name, q->name_len);
        len += q->name_len;
        query[len++] = (uint8_t)(type >> 8);
        query[len++] = (uint8_t)type;
        query[len++] = 0;
        query[len++] = DNS_CLASS_IN;
        return server_handle_query(pt, query, len, TRANSPORT_UDP, out, cap, &x);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
        (void)sig; (void)what;
        event_base_loopbreak(arg);
}

int cmd_serve(int argc, char **argv)
{
        static const struct option opts[] = {
                { "port", required_argument, NULL, 'p' },
                { "set", required_argument, NULL, 's' },
                { "listen", required_argument, NULL, 'l' },
                { "idle-ms", required_argument, NULL, 'I' },
                { "quiet", no_argument, NULL, 'q' },
                { "floor", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                { "keys", no_argument, NULL, 'K' },
                { 0, 0, 0, 0 },
        };
        struct server_config cfg = { .address = "127.0.0.1" };
        struct scenario *sc = NULL;
        struct point *pt = NULL;
        struct server *srv = NULL;
        struct event_base *base = NULL;
        struct event *sigint = NULL, *sigterm = NULL;
        struct point_params p;
        char **sets = NULL, err[512], desc[512];
        size_t nsets = 0;
        int quiet = 0, floor_reply = 0, c, ret = EXIT_USAGE;
        static uint8_t fixed[65535 + 64];

        optind = 1;
        while ((c = getopt_long(argc, argv, "p:s:l:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'p': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*end || v < 0 || v > 65535) {
                                fprintf(stderr, "stubcompat serve: --port: expected 0..65535, got '%s'\n", optarg);
                                goto cleanup;
                        }
                        cfg.port = (uint16_t)v;
                        break;
                }
                case 'I': {
                        char *end;
                        long v = strtol(optarg, &end, 10);
                        if (*optarg == '\0' || *end || v < 1 || v > 3600000) {
                                fprintf(stderr, "stubcompat serve: --idle-ms: expected 1..3600000, got '%s'\n", optarg);
                                goto cleanup;
                        }
                        cfg.tcp_idle_ms = (unsigned)v;
                        break;
                }
                case 's':
                        if (strv_push(&sets, &nsets, optarg) < 0)
                                goto cleanup;
                        break;
                case 'l':
                        cfg.address = optarg;
                        cfg.allow_any_address = true;
                        break;
                case 'q':
                        quiet = 1;
                        break;
                case 'F':
                        floor_reply = 1;
                        break;
                case 'h':
                        serve_usage(stdout);
                        ret = 0;
                        goto cleanup;
                case 'K':
                        for (size_t i = 0; i < params_key_count(); i++)
                                printf("%s\n", params_key_name(i));
                        ret = 0;
                        goto cleanup;
                default:
                        serve_usage(stderr);
                        goto cleanup;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "stubcompat serve: expected exactly one SCENARIO file\n");
                serve_usage(stderr);
                goto cleanup;
        }
        if (scenario_load(argv[optind], &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        scenario_point_params(sc, 0, &p);
        for (size_t i = 0; i < nsets; i++)
                if (params_set_assignment(&p, sets[i], err, sizeof(err)) < 0) {
                        fprintf(stderr, "stubcompat serve: --set %s: %s\n", sets[i], err);
                        goto cleanup;
                }
        pt = point_new(sc, 0, &p, err, sizeof(err));
        if (!pt) {
                fprintf(stderr, "%s: %s\n", sc->path, err);
                goto cleanup;
        }
        /* a client that closes while its TCP answer is still being written
         * (tcp=split, delay_ms, pipelining) must not kill the server */
        signal(SIGPIPE, SIG_IGN);
        if (floor_reply) {
                cfg.fixed_reply = fixed;
                cfg.fixed_reply_len = render_first_reply(sc, pt, fixed, sizeof(fixed));
        }
        /* precise timers re-arm a timerfd at every turn of the loop, one more
         * system call per wake-up: only for behaviours timed in milliseconds
         * (idle timeouts are seconds, and a coarse clock is off by a jiffy) */
        base = p.delay_ms > 0 || p.tcp == TCP_MODE_SPLIT ? evbase_new_precise() : event_base_new();
        if (!base)
                goto cleanup;
        srv = server_new(base, &cfg, pt, err, sizeof(err));
        if (!srv) {
                fprintf(stderr, "stubcompat serve: %s\n", err);
                ret = 1;
                goto cleanup;
        }
        if (!server_address_is_loopback(server_address(srv)))
                fprintf(stderr, "stubcompat serve: warning: serving on %s port %u, outside loopback: "
                        "anyone who can reach this address can query it over UDP and TCP and get "
                        "this scenario's answers%s\n", server_address(srv), server_port(srv),
                        quiet ? "" : ", and their queries are logged here");
        if (!quiet)
                server_set_observer(srv, print_exchange, NULL);
        point_describe(NULL, &p, desc, sizeof(desc));
        printf("serving %s (suite %s) on %s port %u, udp and tcp\npoint: %s\n", sc->path,
               sc->suite, server_address(srv), server_port(srv), desc);
        for (size_t i = 0; i < sc->nqueries; i++) {
                const struct answer *a = point_answer(pt, sc->queries[i].name, sc->queries[i].name_len,
                                                      sc->queries[i].qtype == QTYPE_ADDR ? DNS_TYPE_A
                                                                                         : (uint16_t)sc->queries[i].qtype);
                char type[16];
                if (a)
                        printf("answer: %s %s: %zu bytes, %u records (%u cname), %zu addresses\n",
                               sc->queries[i].text,
                               dns_type_to_string(a->qtype, type), a->len, a->ancount, a->cnames,
                               a->naddrs);
        }
        fflush(stdout);
        sigint = evsignal_new(base, SIGINT, on_signal, base);
        sigterm = evsignal_new(base, SIGTERM, on_signal, base);
        if (!sigint || !sigterm || evsignal_add(sigint, NULL) < 0 || evsignal_add(sigterm, NULL) < 0)
                goto cleanup;
        event_base_dispatch(base);
        print_defences(server_stats(srv));
        ret = 0;
cleanup:
        if (sigint)
                event_free(sigint);
        if (sigterm)
                event_free(sigterm);
        server_free(srv);
        if (base)
                event_base_free(base);
        point_free(pt);
        scenario_free(sc);
        strv_free(sets, nsets);
        return ret;
}
