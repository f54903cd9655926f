/* stubcompat run: scenario suites -> compatibility matrices. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/cli/commands.h"
#include "harness/cli/select.h"
#include "harness/cli/suite-pool.h"
#include "harness/report/breaking.h"
#include "harness/report/baseline.h"
#include "harness/report/matrix-input.h"
#include "harness/report/expect-eval.h"
#include "harness/report/gate.h"
#include "harness/report/matrix-read.h"
#include "harness/report/matrix.h"
#include "harness/report/sizes.h"
#include "harness/report/views.h"
#include "harness/report/write.h"
#include "harness/run/runner.h"
#include "harness/util/paths.h"
#include "harness/util/strutil.h"
#include "harness/zone/scenario.h"

static volatile sig_atomic_t interrupted;
/* suites run side by side: progress as plain lines, a bar per suite would
 * overwrite the others' */
static bool progress_lines;

static void on_signal(int sig)
{
        (void)sig;
        interrupted = 1;
}

struct run_options {
        const char *clients;
        char **sets;
        size_t nsets;
        const char *out;
        unsigned shard_k, shard_n;
        unsigned jobs;
        int quiet;
        int use_default;
        int out_is_root;
        enum capture_mode capture;        /* several suites: --out is the folder of their folders */
        const char *baseline;   /* a matrix.json or its folder (several suites: of folders) */
        unsigned outputs;       /* bits of enum report_output; 0: the default */
        enum gate_format format;
        int allow_incomplete;   /* a --baseline with "complete": false is used anyway */
        const struct client_set *all_clients;   /* to check the names `expect` lines use */
};

static void run_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat run [options] SUITE...\n"
                "       stubcompat run --default [options]\n"
                "\n"
                "Runs every cell (scenario point x query x client) of each SUITE (a scenario\n"
                "file) and writes the matrix to results/<suite>/ (matrix.json and its views).\n"
                "\n"
                "options:\n"
                "  -c, --clients LIST   names, 'emulated', 'real' or 'all' (default all)\n"
                "  -s, --set KEY=VALUE  fix a parameter on every point (repeatable)\n"
                "  -o, --out DIR        results folder (default results/<suite>; with several\n"
                "                       suites, DIR/<suite>)\n"
                "      --shard K/N      run the K-th of N stable shares of the cells\n"
                "  -j, --jobs N         cells in flight at once in each suite (default 64)\n"
                "      --default        run the default suites in scenarios/\n"
                "      --pcap[=failing|all] write the exchanges of failing (or all) cells\n"
                "                       to exchanges.pcap beside matrix.json\n"
                "      --baseline FILE  a previous matrix.json (or its folder; with several\n"
                "                       suites, the folder of their folders): a cell ok there\n"
                "                       and not ok now is a regression\n"
                "      --format FMT     failures as 'text' (default) or 'github' annotations\n"
                "      --outputs LIST   files to write: json,csv,md,junit,html,svg,breaking or\n"
                "                       all (default all; over 20000 cells all but csv and\n"
                "                       breaking)\n"
                "      --allow-incomplete  use a --baseline whose run was interrupted\n"
                "                       (\"complete\": false; refused by default)\n"
                "  -q, --quiet          no progress, no summary (failures still print)\n"
                "  -h, --help           this text\n"
                "\n"
                "After writing the results, every `expect` line of the suite is checked and,\n"
                "with --baseline, every cell; each failure is one line on stdout.\n"
                "\n"
                "exit: 0 done and every check holds, 1 an expectation failed or a cell\n"
                "      regressed, 2 usage or input error, 3 harness error in some cell,\n"
                "      130 interrupted (results written with \"complete\": false)\n");
}

static void progress(void *arg, size_t done, size_t total)
{
        const char *suite = arg;
        static int tty = -1;
        if (tty < 0)
                tty = !progress_lines && isatty(2);
        if (tty) {
                int w = 30, fill = total ? (int)(done * (size_t)w / total) : w;
                fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu cells", suite, fill,
                        "##############################", w - fill, "", done, total);
                if (done == total)
                        fputc('\n', stderr);
        } else if (total && (done == total || done % (total / 10 + 1) == 0)) {
                fprintf(stderr, "%s: %zu/%zu cells\n", suite, done, total);
        }
}

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
        char tail;
        if (sscanf(s, "%u/%u%c", k, n, &tail) != 2 || *n == 0 || *k == 0 || *k > *n)
                return -1;
        return 0;
}

/* Colour on a terminal unless NO_COLOR is set (https://no-color.org/). */
static bool use_colour(void)
{
        static int on = -1;
        if (on < 0) {
                const char *nc = getenv("NO_COLOR");
                on = isatty(1) && !(nc && *nc);
        }
        return on;
}

static bool same_group(const struct breaking_point *a, const struct breaking_point *b)
{
        return strcmp(a->qname, b->qname) == 0 && strcmp(a->qtype, b->qtype) == 0 &&
               strcmp(a->others, b->others) == 0;
}

/* One line per (query, other axes, breaking point) with the clients that
 * share it, so a suite of 18 clients reads in a few lines. */
/* " (498 bytes)" after a group's label: the answer at its last ok value, or
 * the range of an all-ok group; "" when sizes are unknown. */
static void label_size(const struct breaking_point *b, const struct answer_sizes *sizes,
                       char *buf, size_t len)
{
        long lo = answer_sizes_get(sizes, b->min_point, b->qname, b->qtype);
        long hi = answer_sizes_get(sizes, b->max_point, b->qname, b->qtype);
        long ok = answer_sizes_get(sizes, b->ok_point, b->qname, b->qtype);
        buf[0] = '\0';
        if (b->checked && !b->breaks && lo >= 0 && hi >= 0)
                snprintf(buf, len, " (%ld..%ld bytes)", lo, hi);
        else if (b->checked && b->breaks && b->any_ok && ok >= 0)
                snprintf(buf, len, " (%ld bytes)", ok);
}

static void print_summary(const struct matrix *m, const struct answer_sizes *sizes,
                          const char *dir)
{
        struct breaking_point *bps;
        size_t n = breaking_compute(m, &bps);
        bool *done = calloc(n ? n : 1, sizeof(*done));
        char label[128], other[128], size[64];

        printf("%s: %zu cells%s\n", m->suite, m->ncells, m->complete ? "" : " (INCOMPLETE)");
        for (size_t i = 0; done && i < n; i++) {
                if (i == 0 || !same_group(&bps[i], &bps[i - 1]))
                        printf("  %s %s%s%s:\n", bps[i].qname, bps[i].qtype,
                               bps[i].others[0] ? " at " : "", bps[i].others);
                if (done[i])
                        continue;
                breaking_label(m, &bps[i], label, sizeof(label));
                label_size(&bps[i], sizes, size, sizeof(size));
                printf("    %s%s:", label, size);
                for (size_t j = i; j < n && same_group(&bps[j], &bps[i]); j++) {
                        breaking_label(m, &bps[j], other, sizeof(other));
                        if (done[j] || strcmp(label, other) != 0)
                                continue;
                        done[j] = true;
                        if (bps[j].breaks)
                                printf(" %s (%ld: %s%s%s)", bps[j].client, bps[j].first_fail,
                                       use_colour() ? "\033[31m" : "",
                                       verdict_to_string(bps[j].fail_verdict),
                                       use_colour() ? "\033[0m" : "");
                        else
                                printf(" %s", bps[j].client);
                }
                printf("\n");
        }
        free(done);
        free(bps);
        if (n == 0) {
                size_t counts[VERDICT_MAX];
                matrix_count(m, NULL, counts);
                printf(" ");
                for (int v = 0; v < VERDICT_MAX; v++)
                        if (counts[v])
                                printf(" %s=%zu", verdict_to_string((enum verdict)v), counts[v]);
                printf("\n");
        }
        printf("  heatmap: %s/matrix.html\n  summary: %s/matrix.md\n", dir, dir);
}

/* Adds the kept exchanges to the results as exchanges.pcap. Returns 0, or -1
 * after printing why. */
static int write_pcap(const struct run_result *res, struct result_set *rs, int quiet)
{
        char err[512];
        long n;
        int fd = result_set_add(rs, "exchanges.pcap", err, sizeof(err));
        if (fd < 0 ||
            (n = pcap_write_captures_fd(fd, res->captures, res->ncaptures, "exchanges.pcap", err,
                                        sizeof(err))) < 0) {
                fprintf(stderr, "stubcompat run: %s/%s\n", rs->dir, err);
                return -1;
        }
        if (!quiet)
                printf("%s/exchanges.pcap: %ld packets of %zu cells\n", rs->dir, n, res->ncaptures);
        return 0;
}

/* Loads the baseline of a suite and checks it fits. Returns 0, or -1 (an
 * input error, printed). */
static int load_baseline(const struct run_options *o, const struct scenario *sc,
                         struct baseline_index *base, char *name, size_t namelen)
{
        char err[512], dir[4096];
        const char *axes[MATRIX_MAX_AXES];
        size_t naxes = 0;

        if (o->out_is_root) {
                snprintf(dir, sizeof(dir), "%s/%s", o->baseline, sc->suite);
                matrix_json_path(dir, name, namelen);
        } else {
                matrix_json_path(o->baseline, name, namelen);
        }
        for (size_t i = 0; i < sc->nsweeps && naxes < MATRIX_MAX_AXES; i++)
                axes[naxes++] = sc->sweeps[i].key;
        if (baseline_index_read(name, o->allow_incomplete, sc->suite, axes, naxes, base, err,
                                sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return -1;
        }
        return 0;
}

/* Runs one suite. Returns an exit status. */
static int run_suite(const char *path, const struct run_options *o, struct client **clients,
                     size_t nclients)
{
        struct scenario *sc = NULL;
        struct run_result res = { 0 };
        struct matrix m = { 0 };
        struct baseline_index base = { 0 };
        struct gate_result gate = { 0 };
        struct answer_sizes sizes = { 0 };
        struct result_set rs = { .dirfd = -1 };
        char err[512], dir[4096], base_name[4096];
        bool harness_failed;
        int ret = EXIT_USAGE;

        if (scenario_load(path, &sc, err, sizeof(err)) < 0 ||
            expect_check_clients(sc, o->all_clients, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        if (scenario_apply_sets(sc, (const char *const *)o->sets, o->nsets, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat run: --set: %s\n", err);
                goto cleanup;
        }
        if (o->baseline && load_baseline(o, sc, &base, base_name, sizeof(base_name)) < 0)
                goto cleanup;
        if (o->out && !o->out_is_root)
                snprintf(dir, sizeof(dir), "%s", o->out);
        else if (o->out)
                snprintf(dir, sizeof(dir), "%s/%s", o->out, sc->suite);
        else
                snprintf(dir, sizeof(dir), "results/%s", sc->suite);
        {
                struct stat st;   /* an unusable results folder is known before any cell runs */
                if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
                        fprintf(stderr, "stubcompat run: --out %s: not a folder\n", dir);
                        ret = EXIT_USAGE;
                        goto cleanup;
                }
        }
        /* checked and held open from here: the results are written into it as one set */
        if (result_set_open(&rs, dir, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat run: --out %s\n", err);
                ret = EXIT_USAGE;
                goto cleanup;
        }
        struct runner_config cfg = {
                .sc = sc, .clients = clients, .nclients = nclients,
                .sets = (const char *const *)o->sets, .nsets = o->nsets,
                .max_inflight = o->jobs, .shard_k = o->shard_k, .shard_n = o->shard_n,
                .capture = o->capture,
                .interrupted = &interrupted,
                .progress = o->quiet ? NULL : progress, .progress_arg = sc->suite,
        };
        if (runner_run(&cfg, &res, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat run: %s: %s\n", path, err);
                goto cleanup;
        }
        if (matrix_from_run(&m, sc, clients, &res) < 0) {
                fprintf(stderr, "stubcompat run: out of memory\n");
                ret = 3;
                goto cleanup;
        }
        if (o->capture != CAPTURE_NONE && write_pcap(&res, &rs, o->quiet) < 0) {
                ret = 3;
                goto cleanup;
        }
        /* the matrix is the record from here on: the cells need not be held twice */
        harness_failed = res.harness_failed;
        run_result_free(&res);
        /* the gate is evaluated once; the views, the lines below and the exit code render it */
        if (gate_evaluate(sc, o->baseline ? &base : NULL, base_name, &m, &gate) < 0 ||
            answer_sizes_compute(sc, &m, &sizes) < 0) {
                fprintf(stderr, "stubcompat run: out of memory\n");
                ret = 3;
                goto cleanup;
        }
        struct view_extras extras = { .gate = &gate, .sizes = &sizes, .outputs = o->outputs,
                                      .clients = o->all_clients };
        if (report_write_views(&rs, &m, &extras, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat run: %s (the previous results are unchanged)\n", err);
                ret = 3;
                goto cleanup;
        }
        if (result_set_commit(&rs, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat run: %s\n", err);
                ret = 3;
                goto cleanup;
        }
        if (!o->quiet)
                print_summary(&m, &sizes, dir);
        ret = !m.complete ? 130 : harness_failed ? 3 : 0;
        gate_print(&gate, m.suite, o->format, o->quiet, stdout);
        if (gate.status > ret)
                ret = gate.status;
cleanup:
        result_set_close(&rs);
        answer_sizes_free(&sizes);
        gate_result_free(&gate);
        baseline_index_free(&base);
        matrix_free(&m);
        run_result_free(&res);
        scenario_free(sc);
        return ret;
}

/* The suites of one command, for the workers of suite-pool.h. */
struct pooled_suites {
        char **paths;
        const struct run_options *o;
        struct client **clients;
        size_t nclients;
};

/* Runs suite i in a worker: the worker enters its own sandbox (a private
 * network namespace each, so workers' port-53 addresses never meet). */
static int run_pooled(size_t i, void *arg)
{
        const struct pooled_suites *ps = arg;
        select_prepare_sandbox(ps->clients, ps->nclients);
        return run_suite(ps->paths[i], ps->o, ps->clients, ps->nclients);
}

static int default_suites(char ***paths, size_t *n)
{
        static const char *const names[] = {
                "mixpanel-2016", "a-growth", "aaaa-growth", "dual-stack", "cname-depth",
                "txt-growth", "edns-sizes", "tcp-blocked", "fragment-loss", "lame-flags",
                "server-overflow",
        };
        char buf[4096 + 256];
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                snprintf(buf, sizeof(buf), "%s/%s.scn", paths_scenarios_dir(), names[i]);
                if (strv_push(paths, n, buf) < 0)
                        return -1;
        }
        return 0;
}

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
        static const struct option opts[] = {
                { "clients", required_argument, NULL, 'c' },
                { "set", required_argument, NULL, 's' },
                { "out", required_argument, NULL, 'o' },
                { "shard", required_argument, NULL, 'S' },
                { "jobs", required_argument, NULL, 'j' },
                { "default", no_argument, NULL, 'D' },
                { "pcap", optional_argument, NULL, 'P' },
                { "baseline", required_argument, NULL, 'B' },
                { "outputs", required_argument, NULL, 'O' },
                { "format", required_argument, NULL, 'F' },
                { "allow-incomplete", no_argument, NULL, 'A' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { 0, 0, 0, 0 },
        };
        int c;
        optind = 1;
        while ((c = getopt_long(argc, argv, "c:s:o:j:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'c': o->clients = optarg; break;
                case 's':
                        if (strv_push(&o->sets, &o->nsets, optarg) < 0)
                                return -1;
                        break;
                case 'o': o->out = optarg; break;
                case 'S':
                        if (parse_shard(optarg, &o->shard_k, &o->shard_n) < 0) {
                                fprintf(stderr, "stubcompat run: --shard: expected K/N with 1 <= K <= N, got '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'j':
                        o->jobs = (unsigned)atoi(optarg);
                        if (o->jobs == 0 || o->jobs > 4096) {
                                fprintf(stderr, "stubcompat run: --jobs: expected 1..4096, got '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'D': o->use_default = 1; break;
                case 'B': o->baseline = optarg; break;
                case 'O': {
                        char oerr[256];
                        if (report_outputs_parse(optarg, &o->outputs, oerr, sizeof(oerr)) < 0) {
                                fprintf(stderr, "%s: --outputs: %s\n", "stubcompat run", oerr);
                                return -1;
                        }
                        break;
                }
                case 'A': o->allow_incomplete = 1; break;
                case 'F':
                        o->format = gate_format_from_string(optarg);
                        if (o->format == GATE_FORMAT_INVALID) {
                                fprintf(stderr, "stubcompat run: --format: expected text or github, got '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'P':
                        if (!optarg || strcmp(optarg, "failing") == 0) {
                                o->capture = CAPTURE_FAILING;
                        } else if (strcmp(optarg, "all") == 0) {
                                o->capture = CAPTURE_ALL;
                        } else {
                                fprintf(stderr, "stubcompat run: --pcap: expected failing or all, got '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'q': o->quiet = 1; break;
                case 'h': run_usage(stdout); return 1;
                default: run_usage(stderr); return -1;
                }
        }
        return 0;
}

int cmd_run(int argc, char **argv)
{
        struct run_options o = { 0 };
        struct client_set set = { 0 };
        struct client **clients = NULL;
        char **paths = NULL, err[512];
        struct stat st;
        size_t npaths = 0;
        long n;
        int ret = EXIT_USAGE, r;

        r = parse_run_options(argc, argv, &o);
        if (r != 0) {
                ret = r > 0 ? 0 : EXIT_USAGE;
                goto cleanup;
        }
        for (int i = optind; i < argc; i++)
                if (strv_push(&paths, &npaths, argv[i]) < 0)
                        goto cleanup;
        if (o.use_default && default_suites(&paths, &npaths) < 0)
                goto cleanup;
        if (npaths == 0) {
                fprintf(stderr, "stubcompat run: expected SUITE files or --default\n");
                run_usage(stderr);
                goto cleanup;
        }
        if (select_load_clients(&set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        n = select_clients(&set, o.clients, &clients, err, sizeof(err));
        if (n < 0) {
                fprintf(stderr, "stubcompat run: --clients: %s\n", err);
                goto cleanup;
        }
        o.out_is_root = npaths > 1;
        o.all_clients = &set;
        if (o.baseline && o.out_is_root && (stat(o.baseline, &st) < 0 || !S_ISDIR(st.st_mode))) {
                fprintf(stderr, "stubcompat run: --baseline: with several suites, expected the "
                        "folder of their folders, got '%s'\n", o.baseline);
                goto cleanup;
        }
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGPIPE, SIG_IGN);
        struct pooled_suites ps = { paths, &o, clients, (size_t)n };
        bool in_worker = false;
        progress_lines = npaths > 1;
        ret = npaths > 1 ? suite_pool_run(npaths, suite_pool_default_workers(), run_pooled, &ps,
                                          &interrupted, stdout, &in_worker) : -1;
        if (in_worker) {
                ret = 0;
                goto cleanup;
        }
        if (ret < 0) {   /* one suite, or no worker could start: here, one by one */
                select_prepare_sandbox(clients, (size_t)n);
                ret = 0;
                for (size_t i = 0; i < npaths && !interrupted; i++) {
                        r = run_suite(paths[i], &o, clients, (size_t)n);
                        if (r > ret)
                                ret = r;
                }
        }
cleanup:
        free(clients);
        client_set_free(&set);
        strv_free(paths, npaths);
        strv_free(o.sets, o.nsets);
        return ret;
}
