/* stubcompat reproduce: what a customer sent (a zone, a capture, a saved dig
 * output or an ldns-testns file) -> the client matrix for that answer, and
 * one sentence per failing client. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clients/engine/profile.h"
#include "harness/cli/commands.h"
#include "harness/cli/select.h"
#include "harness/replay/canned.h"
#include "harness/replay/dig-read.h"
#include "harness/replay/pcap-read.h"
#include "harness/replay/testns-read.h"
#include "harness/report/explain.h"
#include "harness/report/matrix.h"
#include "harness/report/write.h"
#include "harness/run/runner.h"
#include "harness/util/paths.h"
#include "harness/util/strbuf.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"
#include "harness/zone/params.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "harness/zone/zonefile.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
        (void)sig;
        interrupted = 1;
}

enum source_kind { SOURCE_NONE, SOURCE_ZONE, SOURCE_PCAP, SOURCE_DIG, SOURCE_TESTNS };

struct reproduce_options {
        enum source_kind kind;
        const char *path;
        const char *name, *type, *origin;
        char **sets;
        size_t nsets;
        const char *clients;
        const char *out;
        int pcap_out;                   /* --pcap-out given */
        const char *pcap_out_path;      /* its value, or NULL for DIR/exchanges.pcap */
        unsigned server_port;
        unsigned jobs;
        int quiet;
};

static const char *const source_names[] = {
        [SOURCE_NONE] = "none", [SOURCE_ZONE] = "zone", [SOURCE_PCAP] = "pcap",
        [SOURCE_DIG] = "dig", [SOURCE_TESTNS] = "testns",
};

static void reproduce_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat reproduce --zone FILE --name NAME [--type T] [options]\n"
                "       stubcompat reproduce --pcap FILE | --dig FILE | --testns FILE [options]\n"
                "\n"
                "Runs the client matrix on what a customer sent and says, for each client that\n"
                "fails, why (one sentence). Results go to results/reproduce/ (matrix.json and its\n"
                "views, explain.txt).\n"
                "\n"
                "sources (exactly one):\n"
                "  --zone FILE          a zone file: the fake server answers from it with the\n"
                "                       normal truncation behaviours (--set truncation=...)\n"
                "  --pcap FILE          a capture (pcap or pcapng): each question gets the exact\n"
                "                       UDP and TCP reply bytes captured, sent as they are\n"
                "  --dig FILE           a saved dig output: the reply is rebuilt; a TC=1 reply is\n"
                "                       replayed as it is on UDP\n"
                "  --testns FILE        an ldns-testns (or testbound) data file, served entry by\n"
                "                       entry like ldns-testns\n"
                "\n"
                "options:\n"
                "  -n, --name NAME      the name the clients look up (required with --zone;\n"
                "                       otherwise every question the source holds)\n"
                "  -t, --type T         A, AAAA, ADDR (A and AAAA, as getaddrinfo), TXT... (default\n"
                "                       A with --zone)\n"
                "      --origin NAME    initial $ORIGIN of the zone file\n"
                "  -s, --set KEY=VALUE  fix a server parameter (repeatable); see scenarios/README.md\n"
                "  -c, --clients LIST   names, 'emulated', 'real' or 'all' (default all)\n"
                "  -o, --out DIR        results folder (default results/reproduce)\n"
                "      --pcap-out[=FILE] write the exchanges of failing cells (default\n"
                "                       DIR/exchanges.pcap)\n"
                "      --server-port N  the server's port in the capture (default 53, or the\n"
                "                       port every packet uses)\n"
                "  -j, --jobs N         cells in flight at once (default 64)\n"
                "  -q, --quiet          only the explanations\n"
                "  -h, --help           this text\n"
                "\n"
                "exit: 0 every client resolves, 1 some client fails, 2 usage or input error\n"
                "      (file:line: message; pcap: file: packet N: message), 3 harness error\n");
}

static int set_source(struct reproduce_options *o, enum source_kind k, const char *path)
{
        if (o->kind != SOURCE_NONE) {
                fprintf(stderr, "stubcompat reproduce: --%s and --%s: give one source\n",
                        source_names[o->kind], source_names[k]);
                return -1;
        }
        o->kind = k;
        o->path = path;
        return 0;
}

static int parse_unsigned(const char *opt, const char *v, unsigned min, unsigned max, unsigned *out)
{
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*v == '\0' || *end || n < min || n > max) {
                fprintf(stderr, "stubcompat reproduce: %s: expected %u..%u, got '%s'\n", opt, min,
                        max, v);
                return -1;
        }
        *out = (unsigned)n;
        return 0;
}

/* Returns 0, 1 after --help, -1 on a usage error. */
static int parse_options(int argc, char **argv, struct reproduce_options *o)
{
        static const struct option opts[] = {
                { "zone", required_argument, NULL, 'Z' }, { "pcap", required_argument, NULL, 'P' },
                { "dig", required_argument, NULL, 'D' }, { "testns", required_argument, NULL, 'T' },
                { "name", required_argument, NULL, 'n' }, { "type", required_argument, NULL, 't' },
                { "origin", required_argument, NULL, 'O' }, { "set", required_argument, NULL, 's' },
                { "clients", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
                { "pcap-out", optional_argument, NULL, 'W' },
                { "server-port", required_argument, NULL, 'p' },
                { "jobs", required_argument, NULL, 'j' }, { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 },
        };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "n:t:s:c:o:j:qh", opts, NULL)) != -1) {
                int r = 0;
                switch (c) {
                case 'Z': r = set_source(o, SOURCE_ZONE, optarg); break;
                case 'P': r = set_source(o, SOURCE_PCAP, optarg); break;
                case 'D': r = set_source(o, SOURCE_DIG, optarg); break;
                case 'T': r = set_source(o, SOURCE_TESTNS, optarg); break;
                case 'n': o->name = optarg; break;
                case 't': o->type = optarg; break;
                case 'O': o->origin = optarg; break;
                case 's': r = strv_push(&o->sets, &o->nsets, optarg); break;
                case 'c': o->clients = optarg; break;
                case 'o': o->out = optarg; break;
                case 'W': o->pcap_out = 1; o->pcap_out_path = optarg; break;
                case 'p': r = parse_unsigned("--server-port", optarg, 1, 65535, &o->server_port); break;
                case 'j': r = parse_unsigned("--jobs", optarg, 1, 4096, &o->jobs); break;
                case 'q': o->quiet = 1; break;
                case 'h': reproduce_usage(stdout); return 1;
                default: reproduce_usage(stderr); return -1;
                }
                if (r < 0)
                        return -1;
        }
        if (optind != argc) {
                fprintf(stderr, "stubcompat reproduce: unexpected argument '%s'\n", argv[optind]);
                return -1;
        }
        if (o->kind == SOURCE_NONE) {
                fprintf(stderr, "stubcompat reproduce: expected --zone, --pcap, --dig or --testns\n");
                reproduce_usage(stderr);
                return -1;
        }
        if (o->kind == SOURCE_ZONE && !o->name) {
                fprintf(stderr, "stubcompat reproduce: --zone needs --name NAME\n");
                return -1;
        }
        if (o->type && strcasecmp(o->type, "ADDR") != 0 && dns_type_from_string(o->type) < 0) {
                fprintf(stderr, "stubcompat reproduce: --type: unknown type '%s'\n", o->type);
                return -1;
        }
        return 0;
}

/* ---------------------------------------------------------------- source */

struct source {
        struct canned_table table;
        bool canned;                    /* the points answer from the table */
        struct zone *zone;              /* --zone: the customer's zone (owned until moved) */
};

/* Reads the source. Returns 0, or -1 after printing the reader's message. */
static int load_source(const struct reproduce_options *o, struct source *src)
{
        char err[1024];
        int r = -1;

        if (canned_table_init(&src->table) < 0) {
                fprintf(stderr, "stubcompat reproduce: out of memory\n");
                return -1;
        }
        switch (o->kind) {
        case SOURCE_ZONE:
                r = zonefile_load(o->path, o->origin, &src->zone, err, sizeof(err));
                break;
        case SOURCE_PCAP:
                r = replay_pcap_read(o->path, (uint16_t)o->server_port, &src->table, err, sizeof(err));
                break;
        case SOURCE_DIG:
                r = replay_dig_read(o->path, &src->table, err, sizeof(err));
                break;
        case SOURCE_TESTNS:
                r = replay_testns_read(o->path, &src->table, err, sizeof(err));
                break;
        default:
                break;
        }
        if (r < 0) {
                fprintf(stderr, "%s\n", err);
                return -1;
        }
        src->canned = o->kind != SOURCE_ZONE;
        return 0;
}

/* Appends "query NAME TYPE" lines: --name/--type, else the source's questions. */
static int add_queries(const struct reproduce_options *o, const struct canned_table *t,
                       struct strbuf *b)
{
        char name[1024], type[16];
        unsigned n = 0;
        for (size_t i = 0; !o->name && i < t->nquestions; i++) {
                char tbuf[16];
                snprintf(type, sizeof(type), "%s", dns_type_to_string(t->questions[i].type, tbuf));
                if (o->type && strcasecmp(o->type, type) != 0)
                        continue;
                wire_name_to_text(t->questions[i].name, t->questions[i].len, name, sizeof(name));
                strbuf_printf(b, "query %s %s\n", name, type);
                n++;
        }
        for (size_t i = 0; o->name && !o->type && i < t->nquestions; i++) {
                uint8_t w[DNS_NAME_MAX];
                size_t wl;
                if (wire_name_from_text(o->name, w, &wl) < 0 ||
                    !wire_name_equal(w, wl, t->questions[i].name, t->questions[i].len))
                        continue;
                strbuf_printf(b, "query %s %s\n", o->name, dns_type_to_string(t->questions[i].type, type));
                n++;
        }
        if (o->name && n == 0) {
                strbuf_printf(b, "query %s %s\n", o->name, o->type ? o->type : "A");
                n++;
        }
        return (int)n;
}

/* The scenario the runner expands: no sweeps, the source's parameters as
 * `set` lines, one query per question. */
static struct scenario *build_scenario(const struct reproduce_options *o, struct source *src)
{
        struct strbuf b;
        struct scenario *sc = NULL;
        char err[1024], label[4200];

        strbuf_init(&b);
        strbuf_printf(&b, "suite reproduce\ndescribe reproduce --%s %s\norigin .\n",
                      source_names[o->kind], o->path);
        for (size_t i = 0; i < src->table.nsets; i++)
                strbuf_printf(&b, "set %s\n", src->table.sets[i]);
        if (add_queries(o, &src->table, &b) == 0) {
                fprintf(stderr, "stubcompat reproduce: %s: no question %s%s to ask\n", o->path,
                        o->type ? "of type " : "", o->type ? o->type : "");
                goto cleanup;
        }
        if (strbuf_failed(&b)) {
                fprintf(stderr, "stubcompat reproduce: out of memory\n");
                goto cleanup;
        }
        strbuf_add(&b, "", 1);
        snprintf(label, sizeof(label), "reproduce --%s %s", source_names[o->kind], o->path);
        if (scenario_parse(label, b.data, &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat reproduce: %s\n", err);
                goto cleanup;
        }
        /* the records the points answer from: the zone, or what the source held */
        zone_free(sc->records);
        if (src->zone) {
                sc->records = src->zone;
                src->zone = NULL;
        } else {
                sc->records = src->table.records;
                src->table.records = NULL;
        }
        memcpy(sc->origin, sc->records->origin, sc->records->origin_len);
        sc->origin_len = sc->records->origin_len;
cleanup:
        strbuf_free(&b);
        return sc;
}

/* ---------------------------------------------------------------- report */

/* The profile behind a client: its own (emulated) or its twin's (real). */
static bool client_profile(const struct client *c, struct profile *p)
{
        char path[4096 + 256], err[512];
        const char *name = c->kind == CLIENT_EMULATED ? c->name : c->twin;
        if (!name[0])
                return false;
        snprintf(path, sizeof(path), "%s/%s.profile", paths_profiles_dir(), name);
        return profile_load(path, p, err, sizeof(err)) == 0;
}

static const struct client *client_named(struct client *const *clients, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(clients[i]->name, name) == 0)
                        return clients[i];
        return NULL;
}

/* Prints the verdicts by query with a sentence for each failing cell, and
 * writes the sentences to DIR/explain.txt. Returns the failing cells, or -1
 * when explain.txt cannot be written. */
static long report_cells(const struct matrix *m, struct client *const *clients, size_t n,
                         const char *dir, int quiet)
{
        struct strbuf out;
        char line[1024], path[4200], err[512], last[300] = "";
        long failing = 0;

        strbuf_init(&out);
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                const struct client *cl = client_named(clients, n, c->client);
                struct profile p;
                struct explain_client who = { .name = c->client,
                                              .stands_for = cl ? cl->stands_for : NULL };
                char q[300];
                if (cl && client_profile(cl, &p))
                        who.profile = &p;
                snprintf(q, sizeof(q), "%s. %s", c->qname, c->qtype);
                if (!quiet && strcmp(q, last) != 0) {
                        printf("%s (%zu expected)\n", q, c->expected);
                        snprintf(last, sizeof(last), "%s", q);
                }
                bool fails = explain_cell(c, &who, line, sizeof(line));
                if (!quiet)
                        printf("  %-13s %-26s %s\n", verdict_to_string(c->verdict), c->client, line);
                else if (fails)
                        printf("%s %s %s: %s\n", c->client, q, verdict_to_string(c->verdict), line);
                if (fails) {
                        strbuf_printf(&out, "%s\t%s\t%s\t%s\n", c->client, q,
                                      verdict_to_string(c->verdict), line);
                        failing += c->verdict != VERDICT_HARNESS_ERROR;
                }
        }
        snprintf(path, sizeof(path), "%s/explain.txt", dir);
        if (strbuf_failed(&out) ||
            file_write_atomic(path, out.data ? out.data : "", out.len, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat reproduce: %s\n", strbuf_failed(&out) ? "out of memory" : err);
                failing = -1;
        }
        strbuf_free(&out);
        return failing;
}

/* The full answer of each query, as the points of the run will hold it. */
static void print_answers(const struct reproduce_options *o, const struct scenario *sc)
{
        struct point_params p;
        char err[512], tbuf[16];
        struct point *pt;

        scenario_point_params(sc, 0, &p);
        for (size_t i = 0; i < o->nsets; i++)
                params_set_assignment(&p, o->sets[i], err, sizeof(err));   /* validated */
        pt = point_new(sc, 0, &p, err, sizeof(err));
        for (size_t i = 0; pt && i < sc->nqueries; i++) {
                const struct scenario_query *q = &sc->queries[i];
                for (int k = 0; k < 2; k++) {
                        int type = q->qtype != QTYPE_ADDR ? q->qtype : k == 0 ? DNS_TYPE_A : DNS_TYPE_AAAA;
                        const struct answer *a = point_answer(pt, q->name, q->name_len, (uint16_t)type);
                        if (a)
                                printf("  answer: %s %s: %zu bytes without EDNS, %zu records, "
                                       "%zu addresses, rcode %d\n", q->text,
                                       dns_type_to_string((uint16_t)type, tbuf), a->len, a->nrr,
                                       a->naddrs, a->rcode);
                        if (q->qtype != QTYPE_ADDR)
                                break;
                }
        }
        point_free(pt);
}

static void print_source(const struct reproduce_options *o, const struct source *src,
                         const struct scenario *sc)
{
        printf("reproduce --%s %s: %zu %s, %zu records\n", source_names[o->kind], o->path,
               sc->nqueries, sc->nqueries == 1 ? "question" : "questions", sc->records->n);
        print_answers(o, sc);
        for (size_t i = 0; i < src->table.nrules; i++) {
                char line[1200];
                canned_rule_describe(&src->table.rules[i], line, sizeof(line));
                printf("  rule %zu: %s\n", i + 1, line);
        }
        for (size_t i = 0; i < src->table.nnotes; i++)
                printf("  note: %s\n", src->table.notes[i]);
        for (size_t i = 0; i < src->table.nsets; i++)
                printf("  set %s (from the %s)\n", src->table.sets[i],
                       o->kind == SOURCE_DIG ? "dig output" : o->kind == SOURCE_PCAP ? "capture" : "file");
}

static int write_pcap_out(const struct reproduce_options *o, const struct run_result *res,
                          const char *dir)
{
        char path[4200], err[512];
        long n;
        if (o->pcap_out_path)
                snprintf(path, sizeof(path), "%s", o->pcap_out_path);
        else
                snprintf(path, sizeof(path), "%s/exchanges.pcap", dir);
        n = pcap_write_captures(path, res->captures, res->ncaptures, err, sizeof(err));
        if (n < 0) {
                fprintf(stderr, "stubcompat reproduce: %s\n", err);
                return -1;
        }
        if (!o->quiet)
                printf("%s: %ld packets of %zu failing cells\n", path, n, res->ncaptures);
        return 0;
}

/* ---------------------------------------------------------------- run */

static int run_matrix(const struct reproduce_options *o, struct scenario *sc,
                      struct client **clients, size_t n)
{
        struct run_result res = { 0 };
        struct matrix m = { 0 };
        char err[1024];
        const char *dir = o->out ? o->out : "results/reproduce";
        int ret = 3;
        long failing;

        struct runner_config cfg = {
                .sc = sc, .clients = clients, .nclients = n,
                .sets = (const char *const *)o->sets, .nsets = o->nsets, .max_inflight = o->jobs,
                .capture = o->pcap_out ? CAPTURE_FAILING : CAPTURE_NONE,
                .interrupted = &interrupted,
        };
        if (runner_run(&cfg, &res, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat reproduce: %s\n", err);
                ret = EXIT_USAGE;
                goto cleanup;
        }
        if (matrix_from_run(&m, sc, clients, &res) < 0) {
                fprintf(stderr, "stubcompat reproduce: out of memory\n");
                goto cleanup;
        }
        if (report_mkdirs(dir, err, sizeof(err)) < 0 ||
            (o->pcap_out && write_pcap_out(o, &res, dir) < 0) ||
            report_write_all(&m, NULL, dir, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat reproduce: %s\n", err);
                goto cleanup;
        }
        if (!o->quiet)
                printf("%s/matrix.json: %zu cells%s\n", dir, m.ncells, m.complete ? "" : " (INCOMPLETE)");
        failing = report_cells(&m, clients, n, dir, o->quiet);
        if (failing < 0)
                goto cleanup;
        ret = !m.complete ? 130 : res.harness_failed ? 3 : failing > 0 ? EXIT_CHECK_FAILED : 0;
cleanup:
        matrix_free(&m);
        run_result_free(&res);
        return ret;
}

int cmd_reproduce(int argc, char **argv)
{
        struct reproduce_options o = { 0 };
        struct source src = { 0 };
        struct client_set set = { 0 };
        struct client **clients = NULL;
        struct scenario *sc = NULL;
        char err[512];
        int ret = EXIT_USAGE, r;
        long n;

        r = parse_options(argc, argv, &o);
        if (r != 0) {
                ret = r > 0 ? 0 : EXIT_USAGE;
                goto cleanup;
        }
        for (size_t i = 0; i < o.nsets; i++) {
                struct point_params p;
                params_defaults(&p);
                if (params_set_assignment(&p, o.sets[i], err, sizeof(err)) < 0) {
                        fprintf(stderr, "stubcompat reproduce: --set: %s\n", err);
                        goto cleanup;
                }
        }
        if (load_source(&o, &src) < 0 || !(sc = build_scenario(&o, &src)))
                goto cleanup;
        if (src.canned)
                sc->canned = &src.table;   /* every point of the run answers from it */
        if (!o.quiet)
                print_source(&o, &src, sc);
        if (select_load_clients(&set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        n = select_clients(&set, o.clients, &clients, err, sizeof(err));
        if (n < 0) {
                fprintf(stderr, "stubcompat reproduce: --clients: %s\n", err);
                goto cleanup;
        }
        select_prepare_sandbox(clients, (size_t)n);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGPIPE, SIG_IGN);
        ret = run_matrix(&o, sc, clients, (size_t)n);
cleanup:
        scenario_free(sc);
        zone_free(src.zone);
        canned_table_free(&src.table);
        free(clients);
        client_set_free(&set);
        strv_free(o.sets, o.nsets);
        return ret;
}
