/* stubcompat check-zone: which answers of a zone file are too large for
 * which stubs, before the zone is pushed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/commands.h"
#include "harness/report/zonecheck.h"
#include "harness/util/strbuf.h"
#include "harness/zone/zonefile.h"

static void check_zone_usage(FILE *f)
{
        fprintf(f,
                "usage: stubcompat check-zone ZONEFILE [options]\n"
                "\n"
                "Reads an RFC 1035 zone file ($ORIGIN, $TTL, $INCLUDE relative to the zone\n"
                "file's folder) and, for every name and every type a stub asks for (A and\n"
                "AAAA as getaddrinfo does, TXT, MX, SRV, CAA and any other type at the name),\n"
                "computes the exact size of the answer a recursive resolver hands the stub:\n"
                "the CNAME chain inside the zone plus the final RRset, compressed like NSD\n"
                "and the fake server. Names owning a CNAME are checked for the types at the\n"
                "chain's end; names at or below a delegation are not checked.\n"
                "\n"
                "Each answer over a limit is reported with its size and how many records of\n"
                "its final RRset would fit.\n"
                "\n"
                "The sizes model minimal responses: no authority or additional section on a\n"
                "positive answer, as a resolver hands a stub and as NSD sends with\n"
                "minimal-responses: yes (--responses full for the other behaviour).\n"
                "\n"
                "options:\n"
                "  -o, --origin NAME     the zone's origin (default: the first SOA's owner;\n"
                "                        needed when the file has relative names before $ORIGIN)\n"
                "  -l, --limit L[,L...]  UDP payload limits in bytes (default 512,1232).\n"
                "                        A limit <= 512 is a stub without EDNS and is checked\n"
                "                        against the answer without OPT; a limit > 512 is a\n"
                "                        stub advertising that EDNS buffer and is checked\n"
                "                        against the answer with its OPT record (+11 bytes).\n"
                "  -f, --format FMT      text (default: one line per finding), json, or github\n"
                "                        (::error annotations at the RRset's first record)\n"
                "  -a, --all             also list the answers within every limit (text, json)\n"
                "  -r, --responses MODEL minimal (default) or full: a positive answer also\n"
                "                        carries the zone's NS RRset in authority and the\n"
                "                        addresses of its name servers and of MX/SRV/NS\n"
                "                        targets in additional (NSD or BIND with\n"
                "                        minimal-responses off; servers drop those records\n"
                "                        before truncating, so this is the size when whole)\n"
                "      --include-anywhere  let $INCLUDE read files outside the zone file's\n"
                "                        folder (refused by default)\n"
                "  -h, --help            this text\n"
                "\n"
                "exit status: 0 no answer exceeds the smallest limit, 1 some answer does,\n"
                "2 usage or zone file errors (\"file:line: message\").\n");
}

int cmd_check_zone(int argc, char **argv)
{
        static const struct option opts[] = {
                { "origin", required_argument, NULL, 'o' },
                { "limit", required_argument, NULL, 'l' },
                { "format", required_argument, NULL, 'f' },
                { "all", no_argument, NULL, 'a' },
                { "responses", required_argument, NULL, 'r' },
                { "include-anywhere", no_argument, NULL, 'I' },
                { "help", no_argument, NULL, 'h' },
                { 0, 0, 0, 0 },
        };
        struct zonecheck_limit limits[ZONECHECK_LIMITS_MAX];
        size_t nlimits = zonecheck_default_limits(limits);
        enum zonecheck_format format = ZONECHECK_FORMAT_TEXT;
        const char *origin = NULL, *path;
        struct zonefile *zf = NULL;
        struct zonecheck_report *r = NULL;
        struct strbuf out, summary;
        char err[1024];
        bool all = false;
        enum zonecheck_responses responses = ZONECHECK_RESPONSES_MINIMAL;
        unsigned zflags = 0;
        int c, ret = EXIT_USAGE;

        optind = 1;
        while ((c = getopt_long(argc, argv, "o:l:f:ar:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o': origin = optarg; break;
                case 'I': zflags |= ZONEFILE_INCLUDE_ANYWHERE; break;
                case 'l':
                        if (zonecheck_parse_limits(optarg, limits, &nlimits, err, sizeof(err)) < 0) {
                                fprintf(stderr, "stubcompat check-zone: %s\n", err);
                                return EXIT_USAGE;
                        }
                        break;
                case 'f':
                        format = zonecheck_format_from_string(optarg);
                        if (format == ZONECHECK_FORMAT_INVALID) {
                                fprintf(stderr, "stubcompat check-zone: --format: expected text|json|github, got '%s'\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'a': all = true; break;
                case 'r':
                        responses = zonecheck_responses_from_string(optarg);
                        if (responses == ZONECHECK_RESPONSES_INVALID) {
                                fprintf(stderr, "stubcompat check-zone: --responses: expected "
                                        "minimal|full, got '%s'\n", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'h': check_zone_usage(stdout); return 0;
                default: check_zone_usage(stderr); return EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                check_zone_usage(stderr);
                return EXIT_USAGE;
        }
        path = argv[optind];
        strbuf_init(&out);
        strbuf_init(&summary);
        if (zonefile_read_flags(path, origin, zflags, &zf, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        r = zonecheck_run_model(zf->zone, limits, nlimits, responses, err, sizeof(err));
        if (!r) {
                fprintf(stderr, "%s: %s\n", path, err);
                goto cleanup;
        }
        zonecheck_write(r, zf, path, format, all, &out);
        zonecheck_summary(r, path, &summary);
        if (strbuf_failed(&out) || strbuf_failed(&summary)) {
                fprintf(stderr, "%s: out of memory\n", path);
                goto cleanup;
        }
        if (out.len)
                fwrite(out.data, 1, out.len, stdout);
        if (format != ZONECHECK_FORMAT_JSON && summary.len)
                fwrite(summary.data, 1, summary.len, stderr);
        if (fflush(stdout) != 0) {
                perror("stubcompat check-zone: stdout");
                goto cleanup;
        }
        ret = r->failed ? EXIT_CHECK_FAILED : 0;
cleanup:
        strbuf_free(&out);
        strbuf_free(&summary);
        zonecheck_report_free(r);
        zonefile_free(zf);
        return ret;
}
