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
#include "harness/replay/live.h"
#include "harness/replay/pcap-read.h"
#include "harness/replay/testns-read.h"
#include "harness/report/explain.h"
#include "harness/report/explain-summary.h"
#include "harness/report/matrix.h"
#include "harness/report/pcap.h"
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

enum source_kind { SOURCE_NONE, SOURCE_ZONE, SOURCE_PCAP, SOURCE_DIG, SOURCE_TESTNS, SOURCE_SERVER };

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
        unsigned zone_flags;            /* --include-anywhere: ZONEFILE_INCLUDE_ANYWHERE */
};

static const char *const source_names[] = {
        [SOURCE_NONE] = "none", [SOURCE_ZONE] = "zone", [SOURCE_PCAP] = "pcap",
        [SOURCE_DIG] = "dig", [SOURCE_TESTNS] = "testns", [SOURCE_SERVER] = "server",
};

static void reproduce_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat reproduce --zone FILE --name NAME [--type T] [options]\n"
                "       stubcompat reproduce --pcap FILE | --dig FILE | --testns FILE [options]\n"
                "       stubcompat reproduce --server ADDR[:PORT] --name NAME [--type T] [options]\n"
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
                "  --server ADDR[:PORT] a live server (numeric address; port 53 by default): NAME\n"
                "                       is asked over UDP without EDNS, over UDP with EDNS 1232\n"
                "                       and over TCP; the exchanges are saved as\n"
                "                       DIR/server-exchanges.pcap and replayed like --pcap\n"
                "\n"
                "options:\n"
                "  -n, --name NAME      the name the clients look up (required with --zone;\n"
                "                       otherwise every question the source holds)\n"
                "  -t, --type T         A, AAAA, ADDR (A and AAAA, as getaddrinfo), TXT... (default\n"
                "                       A with --zone)\n"
                "      --origin NAME    initial $ORIGIN of the zone file\n"
                "      --include-anywhere  let the zone file's $INCLUDE read outside its folder\n"
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
                { "server", required_argument, NULL, 'S' },
                { "name", required_argument, NULL, 'n' }, { "type", required_argument, NULL, 't' },
                { "origin", required_argument, NULL, 'O' }, { "set", required_argument, NULL, 's' },
                { "clients", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
                { "pcap-out", optional_argument, NULL, 'W' },
                { "server-port", required_argument, NULL, 'p' },
                { "jobs", required_argument, NULL, 'j' }, { "quiet", no_argument, NULL, 'q' },
                { "include-anywhere", no_argument, NULL, 'I' },
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
                case 'S': r = set_source(o, SOURCE_SERVER, optarg); break;
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
                case 'I': o->zone_flags |= ZONEFILE_INCLUDE_ANYWHERE; break;
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
                fprintf(stderr, "stubcompat reproduce: expected --zone, --pcap, --dig, --testns or --server\n");
                reproduce_usage(stderr);
                return -1;
        }
        if ((o->kind == SOURCE_ZONE || o->kind == SOURCE_SERVER) && !o->name) {
                fprintf(stderr, "stubcompat reproduce: --%s needs --name NAME\n", source_names[o->kind]);
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

static const char *out_dir(const struct reproduce_options *o)
{
        return o->out ? o->out : "results/reproduce";
}

/* --server: asks the live server, writes DIR/server-exchanges.pcap and reads
 * it back like a customer's capture. Returns 0, or -1 with err set. */
static int ask_server(const struct reproduce_options *o, struct canned_table *t, char *err,
                      size_t errlen)
{
        struct sockaddr_storage sa;
        socklen_t salen;
        struct capture cap = { 0 };
        char path[4200], note[256], types[2][8] = { "", "" };
        int replies = 0, ret = -1;

        if (live_parse_server(o->path, &sa, &salen, err, errlen) < 0)
                return -1;
        if (!o->type || strcasecmp(o->type, "ADDR") == 0) {
                snprintf(types[0], sizeof(types[0]), "A");
                if (o->type)
                        snprintf(types[1], sizeof(types[1]), "AAAA");
        } else {
                snprintf(types[0], sizeof(types[0]), "%s", o->type);
        }
        for (int i = 0; i < 2 && types[i][0]; i++) {
                int n = live_ask((struct sockaddr *)&sa, salen, o->name,
                                 (uint16_t)dns_type_from_string(types[i]), 3000, &cap, note,
                                 sizeof(note), err, errlen);
                if (n < 0)
                        goto cleanup;
                replies += n;
                if (note[0] && canned_note(t, "%s %s: %s", o->name, types[i], note) < 0)
                        goto cleanup;
        }
        if (replies == 0) {
                snprintf(err, errlen, "stubcompat reproduce: --server %s: no reply to %s over UDP "
                         "or TCP (is a server listening there?)", o->path, o->name);
                goto cleanup;
        }
        snprintf(path, sizeof(path), "%s/server-exchanges.pcap", out_dir(o));
        if (report_mkdirs(out_dir(o), err, errlen) < 0 ||
            pcap_write_captures(path, &cap, 1, err, errlen) < 0 ||
            replay_pcap_read(path, 53, t, err, errlen) < 0)
                goto cleanup;
        if (canned_note(t, "the exchanges with %s are saved in %s (server shown as "
                        "192.0.2.53:53)", o->path, path) < 0)
                goto cleanup;
        ret = 0;
cleanup:
        capture_free(&cap);
        return ret;
}

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
                r = zonefile_load_flags(o->path, o->origin, o->zone_flags, &src->zone, err,
                                        sizeof(err));
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
        case SOURCE_SERVER:
                r = ask_server(o, &src->table, err, sizeof(err));
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

/* One line about a cell that needs no failure sentence. */
static void cell_status_line(const struct matrix_cell *c, char *buf, size_t len)
{
        if (c->verdict == VERDICT_OK && strcmp(c->reason, "expected-negative") == 0)
                snprintf(buf, len, "reports the negative answer the server gave (expected negative)");
        else if (c->verdict == VERDICT_OK)
                snprintf(buf, len, "resolves it (%zu of %zu)", c->addresses, c->expected);
        else if (c->verdict == VERDICT_SKIPPED)
                snprintf(buf, len, "not judged: %s", c->detail && c->detail[0] ? c->detail : c->reason);
        else
                buf[0] = '\0';
}

static const char *verdict_label(const struct matrix_cell *c)
{
        return c->verdict == VERDICT_OK && strcmp(c->reason, "expected-negative") == 0
                       ? "ok (expected negative)" : verdict_to_string(c->verdict);
}

/* Prints the verdicts by query with a sentence for each failing cell, and
 * writes DIR/explain.txt and DIR/explain.md: per question the paragraph for
 * the customer, then one line per client, then (explain.txt) the failing
 * cells as TSV under a header line. answer_of gives the full answer served
 * for a cell's question. Returns the failing cells, or -1 when a file
 * cannot be written. */
static long report_cells(const struct matrix *m, struct client *const *clients, size_t n,
                         const char *dir, int quiet, struct point *pt)
{
        struct strbuf txt, md, tsv;
        struct explain_row *rows = calloc(m->ncells ? m->ncells : 1, sizeof(*rows));
        struct profile *profiles = calloc(m->ncells ? m->ncells : 1, sizeof(*profiles));
        char line[1024], path[4200], err[512];
        long failing = 0;

        strbuf_init(&txt);
        strbuf_init(&md);
        strbuf_init(&tsv);
        if (!rows || !profiles) {
                free(rows);
                free(profiles);
                fprintf(stderr, "stubcompat reproduce: out of memory\n");
                return -1;
        }
        strbuf_printf(&tsv, "client\tquestion\tverdict\texplanation\n");
        strbuf_printf(&md, "# What to tell the customer\n\n");
        for (size_t i = 0; i < m->ncells;) {
                size_t first = i, nrows = 0;
                char q[300];
                snprintf(q, sizeof(q), "%s. %s", m->cells[i].qname, m->cells[i].qtype);
                for (; i < m->ncells && strcmp(m->cells[i].qname, m->cells[first].qname) == 0 &&
                       strcmp(m->cells[i].qtype, m->cells[first].qtype) == 0; i++) {
                        const struct matrix_cell *c = &m->cells[i];
                        const struct client *cl = client_named(clients, n, c->client);
                        struct explain_row *r = &rows[nrows++];
                        r->c = c;
                        r->who = (struct explain_client){ .name = c->client,
                                                          .stands_for = cl ? cl->stands_for : NULL };
                        if (cl && client_profile(cl, &profiles[i]))
                                r->who.profile = &profiles[i];
                }
                const struct matrix_cell *c0 = &m->cells[first];
                int type = strcmp(c0->qtype, "ADDR") == 0 ? DNS_TYPE_A : dns_type_from_string(c0->qtype);
                uint8_t wn[DNS_NAME_MAX];
                size_t wl;
                const struct answer *a = pt && type > 0 && wire_name_from_text(c0->qname, wn, &wl) == 0
                                                 ? point_answer(pt, wn, wl, (uint16_t)type) : NULL;
                size_t para = txt.len;
                explain_paragraph(rows, nrows, a, &txt);
                strbuf_printf(&md, "%.*s\n", (int)(txt.len - para), txt.data + para);
                if (!quiet)
                        printf("%s (%zu expected)\n", q, c0->expected);
                strbuf_printf(&txt, "\n");
                strbuf_printf(&md, "| client | verdict | what happened |\n|---|---|---|\n");
                for (size_t k = 0; k < nrows; k++) {
                        const struct matrix_cell *c = rows[k].c;
                        bool fails = explain_cell(c, &rows[k].who, line, sizeof(line));
                        if (!fails)
                                cell_status_line(c, line, sizeof(line));
                        if (!quiet)
                                printf("  %-13s %-26s %s\n", verdict_label(c), c->client, line);
                        else if (fails)
                                printf("%s %s %s: %s\n", c->client, q, verdict_to_string(c->verdict), line);
                        strbuf_printf(&txt, "%s: %s: %s\n", c->client, verdict_label(c), line);
                        strbuf_printf(&md, "| %s | %s | %s |\n", c->client, verdict_label(c), line);
                        if (fails) {
                                strbuf_printf(&tsv, "%s\t%s\t%s\t%s\n", c->client, q,
                                              verdict_to_string(c->verdict), line);
                                failing += c->verdict != VERDICT_HARNESS_ERROR;
                        }
                }
                strbuf_printf(&txt, "\n");
                strbuf_printf(&md, "\n");
        }
        strbuf_add(&txt, tsv.data ? tsv.data : "", tsv.len);
        snprintf(path, sizeof(path), "%s/explain.txt", dir);
        if (strbuf_failed(&txt) || strbuf_failed(&md) ||
            file_write_atomic(path, txt.data ? txt.data : "", txt.len, err, sizeof(err)) < 0 ||
            (snprintf(path, sizeof(path), "%s/explain.md", dir),
             file_write_atomic(path, md.data ? md.data : "", md.len, err, sizeof(err)) < 0)) {
                fprintf(stderr, "stubcompat reproduce: %s\n",
                        strbuf_failed(&txt) || strbuf_failed(&md) ? "out of memory" : err);
                failing = -1;
        }
        strbuf_free(&txt);
        strbuf_free(&md);
        strbuf_free(&tsv);
        free(rows);
        free(profiles);
        return failing;
}

/* The full answer of each query, as the points of the run will hold it. */
/* The run's one point (the source's parameters and --set), for its full
 * answers; NULL when out of memory. Free with point_free. */
static struct point *report_point(const struct reproduce_options *o, const struct scenario *sc)
{
        struct point_params p;
        char err[512];

        scenario_point_params(sc, 0, &p);
        for (size_t i = 0; i < o->nsets; i++)
                params_set_assignment(&p, o->sets[i], err, sizeof(err));   /* validated */
        return point_new(sc, 0, &p, err, sizeof(err));
}

static void print_answers(const struct reproduce_options *o, const struct scenario *sc)
{
        char tbuf[16];
        struct point *pt = report_point(o, sc);

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
        struct point *pt;
        char err[1024];
        const char *dir = out_dir(o);
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
        pt = report_point(o, sc);
        failing = report_cells(&m, clients, n, dir, o->quiet, pt);
        point_free(pt);
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
