/* stubcompat diff: what changed between two runs of a suite. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/cli/commands.h"
#include "harness/report/baseline.h"
#include "harness/report/diff.h"
#include "harness/report/matrix-read.h"
#include "harness/util/strbuf.h"

static void diff_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat diff [options] A B\n"
                "\n"
                "Lists every cell whose verdict differs between two runs of one suite (A and\n"
                "B: each a matrix.json or its folder), grouped by change, client, query and\n"
                "verdicts, with what the server sent on each side.\n"
                "\n"
                "options:\n"
                "      --format FMT   text (default), md or json\n"
                "  -h, --help         this text\n"
                "\n"
                "exit: 0 nothing got worse, 1 some cell ok in A fails in B, 2 usage or input\n"
                "      error (not matrices, or of another suite or axes)\n");
}

enum diff_format { DIFF_TEXT, DIFF_MD, DIFF_JSON };

int cmd_diff(int argc, char **argv)
{
        static const struct option opts[] = {
                { "format", required_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                { 0, 0, 0, 0 },
        };
        struct matrix a = { 0 }, b = { 0 };
        struct matrix_diff d = { 0 };
        struct strbuf out;
        enum diff_format format = DIFF_TEXT;
        char name_a[4096], name_b[4096], err[512];
        const char *axes[MATRIX_MAX_AXES];
        int c, ret = EXIT_USAGE;

        strbuf_init(&out);
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'F':
                        if (strcmp(optarg, "text") == 0) {
                                format = DIFF_TEXT;
                        } else if (strcmp(optarg, "md") == 0) {
                                format = DIFF_MD;
                        } else if (strcmp(optarg, "json") == 0) {
                                format = DIFF_JSON;
                        } else {
                                fprintf(stderr, "stubcompat diff: --format: expected text, md or "
                                        "json, got '%s'\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'h': diff_usage(stdout); return 0;
                default: diff_usage(stderr); return EXIT_USAGE;
                }
        }
        if (argc - optind != 2) {
                fprintf(stderr, "stubcompat diff: expected two results (A B), got %d\n",
                        argc - optind);
                diff_usage(stderr);
                return EXIT_USAGE;
        }
        matrix_json_path(argv[optind], name_a, sizeof(name_a));
        matrix_json_path(argv[optind + 1], name_b, sizeof(name_b));
        if (matrix_read_file(name_a, &a, err, sizeof(err)) < 0 ||
            matrix_read_file(name_b, &b, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        for (size_t i = 0; i < b.naxes; i++)
                axes[i] = b.axes[i];
        if (baseline_compatible(&a, name_a, b.suite, axes, b.naxes, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        if (matrix_diff_compute(&a, name_a, &b, name_b, &d) < 0) {
                fprintf(stderr, "stubcompat diff: out of memory\n");
                ret = 3;
                goto cleanup;
        }
        if (format == DIFF_MD)
                diff_write_md(&d, &out);
        else if (format == DIFF_JSON)
                diff_write_json(&d, &out);
        else
                diff_write_text(&d, &out);
        if (strbuf_failed(&out)) {
                fprintf(stderr, "stubcompat diff: out of memory\n");
                ret = 3;
                goto cleanup;
        }
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        ret = d.cells[DIFF_WORSE] ? EXIT_CHECK_FAILED : 0;
cleanup:
        strbuf_free(&out);
        matrix_diff_free(&d);
        matrix_free(&a);
        matrix_free(&b);
        return ret;
}
