/* stubcompat merge: the shards of one suite -> one matrix and its views. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/commands.h"
#include "harness/cli/select.h"
#include "harness/report/baseline.h"
#include "harness/report/matrix-input.h"
#include "harness/report/expect-eval.h"
#include "harness/report/gate.h"
#include "harness/report/matrix-read.h"
#include "harness/report/merge.h"
#include "harness/report/sizes.h"
#include "harness/report/views.h"
#include "harness/report/write.h"
#include "harness/zone/scenario.h"

struct merge_options {
        const char *out;
        const char *scenario;
        const char *baseline;
        unsigned outputs;       /* bits of enum report_output; 0: the default */
        enum gate_format format;
        int quiet;
        bool allow_incomplete;
};

static void merge_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat merge [options] DIR...\n"
                "\n"
                "Joins the shards of one suite (each DIR holds the matrix.json of a\n"
                "'run --shard K/N'; a DIR may also be the file itself) into one matrix and\n"
                "writes it with every view, as a single run of the whole suite would.\n"
                "\n"
                "options:\n"
                "  -o, --out DIR         results folder (default results/<suite>)\n"
                "      --scenario FILE   check the expectations of this scenario file (default:\n"
                "                        the matrix's own scenario, when it is readable)\n"
                "      --baseline FILE   check for cells ok in this matrix.json and not ok now\n"
                "      --format FMT      failures as 'text' (default) or 'github' annotations\n"
                "      --outputs LIST    files to write: json,csv,md,junit,html,svg,breaking or\n"
                "                        all (default all; over 20000 cells all but csv and\n"
                "                        breaking)\n"
                "      --allow-incomplete  accept shards and a baseline whose run was\n"
                "                        interrupted (\"complete\": false)\n"
                "  -q, --quiet           no summary\n"
                "  -h, --help            this text\n"
                "\n"
                "exit: 0 merged (and every check holds), 1 an expectation failed or a cell\n"
                "      regressed, 2 usage or input error (shards that do not fit together)\n");
}

static int parse_merge_options(int argc, char **argv, struct merge_options *o)
{
        static const struct option opts[] = {
                { "out", required_argument, NULL, 'o' },
                { "scenario", required_argument, NULL, 'S' },
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
        while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'o': o->out = optarg; break;
                case 'S': o->scenario = optarg; break;
                case 'B': o->baseline = optarg; break;
                case 'O': {
                        char oerr[256];
                        if (report_outputs_parse(optarg, &o->outputs, oerr, sizeof(oerr)) < 0) {
                                fprintf(stderr, "%s: --outputs: %s\n", "stubcompat merge", oerr);
                                return -1;
                        }
                        break;
                }
                case 'A': o->allow_incomplete = true; break;
                case 'F':
                        o->format = gate_format_from_string(optarg);
                        if (o->format == GATE_FORMAT_INVALID) {
                                fprintf(stderr, "stubcompat merge: --format: expected text or "
                                        "github, got '%s'\n", optarg);
                                return -1;
                        }
                        break;
                case 'q': o->quiet = 1; break;
                case 'h': merge_usage(stdout); return 1;
                default: merge_usage(stderr); return -1;
                }
        }
        return 0;
}

/* Loads the scenario whose expectations are checked. Returns 0, or -1
 * (an input error, printed). */
static int load_scenario(const char *path, const struct matrix *m, struct scenario **sc)
{
        struct client_set set = { 0 };
        char err[512];
        int ret = -1;

        if (scenario_load(path, sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return -1;
        }
        if (strcmp((*sc)->suite, m->suite) != 0) {
                fprintf(stderr, "%s: expected the scenario of suite \"%s\", got \"%s\"\n", path,
                        m->suite, (*sc)->suite);
                goto cleanup;
        }
        if (select_load_clients(&set, err, sizeof(err)) < 0 ||
            expect_check_clients(*sc, &set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        ret = 0;
cleanup:
        client_set_free(&set);
        return ret;
}

/* Evaluates the gate of the merged matrix as `run` would. Returns 0 and
 * fills *gate, or an exit status (input error or out of memory). */
static int evaluate_merged(const struct merge_options *o, const struct matrix *m,
                           struct gate_result *gate, struct answer_sizes *sizes)
{
        struct scenario *sc = NULL;
        struct baseline_index base = { 0 };
        char err[512], path[4096];
        const char *axes[MATRIX_MAX_AXES];
        int ret = EXIT_USAGE;

        /* by default the scenario the shards were run from, when it is still there, so
         * a merge gates (and its views read) as the single run would */
        const char *scenario = o->scenario ? o->scenario :
                               access(m->scenario, R_OK) == 0 ? m->scenario : NULL;
        if (scenario && load_scenario(scenario, m, &sc) < 0)
                goto cleanup;
        if (o->baseline) {
                matrix_json_path(o->baseline, path, sizeof(path));
                for (size_t a = 0; a < m->naxes; a++)
                        axes[a] = m->axes[a];
                if (baseline_index_read(path, o->allow_incomplete, m->suite, axes, m->naxes,
                                        &base, err, sizeof(err)) < 0) {
                        fprintf(stderr, "%s\n", err);
                        goto cleanup;
                }
        }
        ret = gate_evaluate(sc, o->baseline ? &base : NULL, path, m, gate) < 0 ||
              answer_sizes_compute(sc, m, sizes) < 0 ? 3 : 0;
        if (ret)
                fprintf(stderr, "stubcompat merge: out of memory\n");
cleanup:
        baseline_index_free(&base);
        scenario_free(sc);
        return ret;
}

int cmd_merge(int argc, char **argv)
{
        struct merge_options o = { 0 };
        struct matrix *shards = NULL, merged = { 0 };
        struct gate_result gate = { 0 };
        struct answer_sizes sizes = { 0 };
        char **names = NULL, err[512], dir[4096];
        size_t n = 0;
        int ret = EXIT_USAGE, r;

        r = parse_merge_options(argc, argv, &o);
        if (r != 0)
                return r > 0 ? 0 : EXIT_USAGE;
        if (optind >= argc) {
                fprintf(stderr, "stubcompat merge: expected shard folders\n");
                merge_usage(stderr);
                return EXIT_USAGE;
        }
        shards = calloc((size_t)(argc - optind), sizeof(*shards));
        names = calloc((size_t)(argc - optind), sizeof(*names));
        if (!shards || !names) {
                fprintf(stderr, "stubcompat merge: out of memory\n");
                ret = 3;
                goto cleanup;
        }
        for (int i = optind; i < argc; i++, n++) {
                char path[4096];
                names[n] = strdup(matrix_json_path(argv[i], path, sizeof(path)));
                if (!names[n] || matrix_read_file(names[n], &shards[n], err, sizeof(err)) < 0 ||
                    matrix_input_check(names[n], &shards[n], o.allow_incomplete, err,
                                       sizeof(err)) < 0) {
                        fprintf(stderr, "%s\n", names[n] ? err : "stubcompat merge: out of memory");
                        n++;
                        goto cleanup;
                }
        }
        if (matrix_merge(shards, (const char *const *)names, n, &merged, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        if (o.out)
                snprintf(dir, sizeof(dir), "%s", o.out);
        else
                snprintf(dir, sizeof(dir), "results/%s", merged.suite);
        ret = evaluate_merged(&o, &merged, &gate, &sizes);
        if (ret)
                goto cleanup;
        /* the registry pairs each client with its twin in the heatmap; without it, by name */
        struct client_set set = { 0 };
        char serr[512];
        bool have_set = select_load_clients(&set, serr, sizeof(serr)) == 0;
        struct view_extras extras = { .gate = &gate, .sizes = &sizes, .outputs = o.outputs,
                                      .clients = have_set ? &set : NULL };
        int written = report_write_all(&merged, &extras, dir, err, sizeof(err));
        client_set_free(&set);
        if (written < 0) {
                fprintf(stderr, "stubcompat merge: %s\n", err);
                ret = 3;
                goto cleanup;
        }
        if (!o.quiet)
                printf("%s: %zu of %zu cells from %zu shard%s%s -> %s/matrix.json\n", merged.suite,
                       merged.ncells, merged.total, n, n == 1 ? "" : "s",
                       merged.complete ? "" : " (INCOMPLETE)", dir);
        gate_print(&gate, merged.suite, o.format, o.quiet, stdout);
        ret = gate.status;
cleanup:
        answer_sizes_free(&sizes);
        gate_result_free(&gate);
        for (size_t i = 0; i < n; i++) {
                matrix_free(&shards[i]);
                free(names[i]);
        }
        free(shards);
        free(names);
        matrix_free(&merged);
        return ret;
}
