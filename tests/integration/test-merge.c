/* `stubcompat merge` and the gate of `stubcompat run`, as commands:
 * - the shards of a suite merged give the files of a single run (elapsed_ms
 *   aside), and reading a matrix back and writing it gives the same bytes;
 * - shards that do not fit together are input errors (exit 2);
 * - `expect` lines and --baseline decide the exit status (0, 1, 2), one line
 *   per failure, as text or GitHub annotations.
 * Emulated clients only: the real ones are the `real` suite's business. */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/util/strutil.h"
#include "tests/common/testmain.h"

static char tmp[256];
static char stubcompat[4096];
static char mixpanel[4096];
static char *out, *err;         /* the last command's stdout and stderr */

/* Runs a shell command (printf-style), keeping its output in out and err.
 * Returns its exit status, or -1 when it did not exit normally. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
        char *cmd = NULL, *full = NULL, path[512], e[256];
        va_list ap;
        int status;

        va_start(ap, fmt);
        CU_ASSERT_FATAL(vasprintf(&cmd, fmt, ap) > 0);
        va_end(ap);
        CU_ASSERT_FATAL(asprintf(&full, "%s >%s/out.txt 2>%s/err.txt", cmd, tmp, tmp) > 0);
        status = system(full);
        free(out);
        free(err);
        snprintf(path, sizeof(path), "%s/out.txt", tmp);
        CU_ASSERT_FATAL(file_read_all(path, &out, NULL, e, sizeof(e)) == 0);
        snprintf(path, sizeof(path), "%s/err.txt", tmp);
        CU_ASSERT_FATAL(file_read_all(path, &err, NULL, e, sizeof(e)) == 0);
        free(cmd);
        free(full);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *slurp(const char *dir, const char *name)
{
        char path[1024], e[256];
        char *text = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (file_read_all(path, &text, NULL, e, sizeof(e)) < 0)
                fprintf(stderr, "\n  %s\n", e);
        return text;
}

/* The text with every "elapsed_ms":<number> made "elapsed_ms":0 and every
 * time="<number>" (junit.xml) time="0. */
static char *without_timing(const char *text)
{
        static const char json_key[] = "\"elapsed_ms\":", xml_key[] = " time=\"";
        char *res = malloc(strlen(text) + 1), *o = res;
        CU_ASSERT_PTR_NOT_NULL_FATAL(res);
        while (*text) {
                const char *key = strncmp(text, json_key, sizeof(json_key) - 1) == 0 ? json_key :
                                  strncmp(text, xml_key, sizeof(xml_key) - 1) == 0 ? xml_key : NULL;
                if (key) {
                        memcpy(o, key, strlen(key));
                        o += strlen(key);
                        *o++ = '0';
                        text += strlen(key);
                        while (*text == '-' || *text == '.' || (*text >= '0' && *text <= '9') ||
                               *text == 'e' || *text == 'E' || *text == '+')
                                text++;
                        continue;
                }
                *o++ = *text++;
        }
        *o = '\0';
        return res;
}

/* Every file of dir a is in dir b with the same content (timing aside when
 * normalize). Returns the number of files compared. */
static int same_files(const char *a, const char *b, bool normalize)
{
        char da[512], db[512];
        DIR *d;
        struct dirent *ent;
        int n = 0;

        snprintf(da, sizeof(da), "%s/%s", tmp, a);
        snprintf(db, sizeof(db), "%s/%s", tmp, b);
        d = opendir(da);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((ent = readdir(d)) != NULL) {
                if (ent->d_name[0] == '.')
                        continue;
                char *x = slurp(da, ent->d_name), *y = slurp(db, ent->d_name);
                CU_ASSERT_PTR_NOT_NULL(y);
                if (x && y) {
                        char *nx = normalize ? without_timing(x) : strdup(x);
                        char *ny = normalize ? without_timing(y) : strdup(y);
                        CU_ASSERT_STRING_EQUAL(nx, ny);
                        if (strcmp(nx, ny) != 0)
                                fprintf(stderr, "\n  %s/%s and %s/%s differ\n", a, ent->d_name, b,
                                        ent->d_name);
                        free(nx);
                        free(ny);
                        n++;
                }
                free(x);
                free(y);
        }
        closedir(d);
        return n;
}

static void write_file(const char *name, const char *text)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tmp, name);
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

static bool contains(const char *haystack, const char *needle)
{
        bool yes = haystack && strstr(haystack, needle) != NULL;
        if (!yes)
                fprintf(stderr, "\n  expected to find: %s\n  in: %s\n", needle,
                        haystack ? haystack : "(null)");
        return yes;
}

/* ---------------------------------------------------------------- shards */

static void run_shards(void)
{
        static bool done;
        if (done)
                return;
        CU_ASSERT_EQUAL_FATAL(sh("%s run -q --clients emulated %s --out %s/A", stubcompat,
                                 mixpanel, tmp), 0);
        for (int k = 1; k <= 3; k++) {
                int r = sh("%s run -q --clients emulated --shard %d/3 %s --out %s/B%d", stubcompat,
                           k, mixpanel, tmp, k);
                /* expectations hold on every shard; those with no cell in it are notes */
                CU_ASSERT_EQUAL_FATAL(r, 0);
        }
        done = true;
}

/* Cells of the mixpanel suite with --clients emulated: 64 points x 2 queries
 * x every shipped profile. */
static unsigned mixpanel_cells(void)
{
        char dir[4096];
        unsigned n = 0;
        struct dirent *e;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/clients/profiles", test_source_dir());
        d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((e = readdir(d)) != NULL)
                n += strlen(e->d_name) > 8 && strcmp(e->d_name + strlen(e->d_name) - 8, ".profile") == 0;
        closedir(d);
        return 128 * n;
}

static void test_merge_equals_single_run(void)
{
        char want[128];
        unsigned total = mixpanel_cells();

        run_shards();
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/B2 %s/B3 --out %s/C", stubcompat, tmp, tmp, tmp,
                           tmp), 0);
        snprintf(want, sizeof(want), "mixpanel-2016: %u of %u cells from 3 shards ->", total, total);
        CU_ASSERT_TRUE(contains(out, want));
        CU_ASSERT_TRUE(same_files("A", "C", true) >= 2);
        CU_ASSERT_TRUE(same_files("C", "A", true) >= 2);
        char *m = slurp(tmp, "C/matrix.json");
        snprintf(want, sizeof(want), "\"complete\":true,\"total\":%u,", total);
        CU_ASSERT_TRUE(contains(m, want));
        free(m);

        /* a shard may be given as its matrix.json, in any order */
        CU_ASSERT_EQUAL(sh("%s merge -q %s/B3/matrix.json %s/B1 %s/B2 --out %s/C2", stubcompat,
                           tmp, tmp, tmp, tmp), 0);
        CU_ASSERT_STRING_EQUAL(out, "");
        same_files("C", "C2", false);
}

static void test_read_write_same_bytes(void)
{
        run_shards();
        /* run -> write -> read -> write: every view byte for byte, timing included */
        CU_ASSERT_EQUAL(sh("%s merge -q %s/A --out %s/R", stubcompat, tmp, tmp), 0);
        CU_ASSERT_TRUE(same_files("A", "R", false) >= 2);
        CU_ASSERT_TRUE(same_files("R", "A", false) >= 2);
}

static void test_merge_partial_and_duplicates(void)
{
        char want[128];
        unsigned total = mixpanel_cells();

        run_shards();
        /* a shard given twice: equal duplicates are fine */
        CU_ASSERT_EQUAL(sh("%s merge -q %s/B1 %s/B2 %s/B1 %s/B3 --out %s/D", stubcompat, tmp,
                           tmp, tmp, tmp, tmp), 0);
        same_files("A", "D", true);

        /* a missing shard: written, but not complete */
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/B3 --out %s/P", stubcompat, tmp, tmp, tmp), 0);
        /* shards 1 and 3 of 3: all but the middle third */
        snprintf(want, sizeof(want), "mixpanel-2016: %u of %u cells from 2 shards (INCOMPLETE) ->",
                 total - (total + 1) / 3, total);
        CU_ASSERT_TRUE(contains(out, want));
        char *m = slurp(tmp, "P/matrix.json");
        snprintf(want, sizeof(want), "\"complete\":false,\"total\":%u,", total);
        CU_ASSERT_TRUE(contains(m, want));
        free(m);
}

static void test_merge_input_errors(void)
{
        char expected[8192];

        run_shards();
        /* the same cell with another verdict */
        char *m = slurp(tmp, "B1/matrix.json");
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        /* the first cell is on line 2; the column of its "verdict" key */
        char *v = strstr(m, "\"verdict\":\"ok\"");
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        const char *line2 = strchr(m, '\n');
        CU_ASSERT_FATAL(line2 != NULL && line2 < v && memchr(line2 + 1, '\n', (size_t)(v - line2 - 1)) == NULL);
        int column = (int)(v - line2);
        memcpy(v, "\"verdict\":\"no\"", 14);
        CU_ASSERT_EQUAL_FATAL(sh("mkdir -p %s/X", tmp), 0);
        write_file("X/matrix.json", m);
        free(m);
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/X --out %s/E", stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/X/matrix.json:2:%d: \"verdict\": expected ok, "
                 "partial, wrong, nodata, nxdomain, error, timeout, skipped or harness-error, "
                 "got \"no\"\n", tmp, column);
        CU_ASSERT_STRING_EQUAL(err, expected);

        /* a conflicting duplicate */
        m = slurp(tmp, "B1/matrix.json");
        v = strstr(m, "\"addresses\":1,");
        CU_ASSERT_PTR_NOT_NULL_FATAL(v);
        v[12] = '7';
        write_file("X/matrix.json", m);
        free(m);
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/X --out %s/E", stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/X/matrix.json: cell 0 (busybox-nslookup "
                 "api.mixpanel.com A records=1): \"addresses\" conflicts with %s/B1/matrix.json\n",
                 tmp, tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);

        /* a shard of another suite */
        write_file("other.scn", "suite other\norigin example.com.\ngrow www\n"
                   "query www.example.com A\nsweep records=1..2\n");
        CU_ASSERT_EQUAL_FATAL(sh("%s run -q --clients go %s/other.scn --out %s/O", stubcompat,
                                 tmp, tmp), 0);
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/O --out %s/E", stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/O/matrix.json: \"suite\" differs from "
                 "%s/B1/matrix.json's: not a shard of the same run (suite mixpanel-2016, %s)\n",
                 tmp, tmp, mixpanel);
        CU_ASSERT_STRING_EQUAL(err, expected);

        /* not a matrix at all, or nothing */
        write_file("garbage.json", "garbage\n");
        CU_ASSERT_EQUAL(sh("%s merge %s/garbage.json", stubcompat, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/garbage.json:1:7: '[' or '{' expected near "
                 "'garbage'\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        CU_ASSERT_EQUAL(sh("%s merge %s/nothing-here", stubcompat, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/nothing-here: No such file or directory\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        CU_ASSERT_EQUAL(sh("%s merge", stubcompat), 2);
        CU_ASSERT_TRUE(contains(err, "expected shard folders"));
        CU_ASSERT_EQUAL(sh("%s merge --format xml %s/B1", stubcompat, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "--format: expected text or github, got 'xml'"));
}

/* ---------------------------------------------------------------- the gate of run */

static const char gate_scn[] =
        "suite gate-test\n"                                     /* 1 */
        "origin example.com.\n"                                 /* 2 */
        "grow www\n"                                            /* 3 */
        "query www.example.com A\n"                             /* 4 */
        "sweep records=1,29,30,40\n"                            /* 5 */
        "expect glibc-2.36 ok path=udp+tcp when records>=30\n"  /* 6 */
        "expect musl-1.2.3 ok when records<=29\n"               /* 7 */
        "expect musl-1.2.3 ok\n"                                /* 8: fails from 30 */
        "expect go ok when records>40\n";                       /* 9: matched no cell */

#define GATE_CLIENTS "--clients glibc-2.36,musl-1.2.3,go"

static void test_run_expectations(void)
{
        char expected[2048];

        /* the shipped suite's expectations hold */
        CU_ASSERT_EQUAL(sh("%s run --clients emulated %s --out %s/M", stubcompat, mixpanel, tmp), 0);
        CU_ASSERT_TRUE(contains(out, "mixpanel-2016: 7 of 7 expectations hold, 0 failed, 0 not "
                                "checked; no baseline\n"));
        /* junit.xml tells the same story: exit 0, no failure */
        char *junit = slurp(tmp, "M/junit.xml");
        CU_ASSERT_TRUE(contains(junit, "<testsuites name=\"mixpanel-2016\" tests=\"8\" "
                                "failures=\"0\" errors=\"0\" skipped=\"0\""));
        free(junit);
        char *md = slurp(tmp, "M/matrix.md");
        CU_ASSERT_TRUE(contains(md, "## Verdict of the run\n\n**PASSED**: mixpanel-2016: 7 of 7"));
        free(md);

        /* the shipped suite with one broken expectation: exit 1, exactly one failing
         * case naming file:line, exactly one annotation with file= and line= */
        char *shipped = slurp("", mixpanel);
        CU_ASSERT_PTR_NOT_NULL_FATAL(shipped);
        unsigned lines = 0;
        for (const char *p = shipped; *p; p++)
                lines += *p == '\n';
        char *broken = NULL;
        CU_ASSERT_FATAL(asprintf(&broken, "%sexpect musl-1.2.3 ok when qname=api.mixpanel.com\n",
                                 shipped) > 0);
        write_file("broken.scn", broken);
        free(broken);
        free(shipped);
        CU_ASSERT_EQUAL(sh("%s run -q --clients emulated --format github %s/broken.scn --out %s/BR",
                           stubcompat, tmp, tmp), 1);
        snprintf(expected, sizeof(expected), "::error file=%s/broken.scn,line=%u,title=stubcompat::"
                 "%s/broken.scn:%u: expect musl-1.2.3 ok when qname=api.mixpanel.com: fails in 35 "
                 "of 64 cells", tmp, lines + 1, tmp, lines + 1);
        CU_ASSERT_TRUE(contains(out, expected));
        CU_ASSERT_PTR_NULL(strstr(strstr(out, "::error") + 1, "::error"));
        junit = slurp(tmp, "BR/junit.xml");
        CU_ASSERT_TRUE(contains(junit, "failures=\"1\""));
        snprintf(expected, sizeof(expected), "<failure message=\"%s/broken.scn:%u: expect "
                 "musl-1.2.3 ok", tmp, lines + 1);
        CU_ASSERT_TRUE(contains(junit, expected));
        CU_ASSERT_PTR_NULL(strstr(strstr(junit, "<failure ") + 1, "<failure "));
        free(junit);

        write_file("gate.scn", gate_scn);
        CU_ASSERT_EQUAL(sh("%s run -q " GATE_CLIENTS " %s/gate.scn --out %s/G", stubcompat, tmp,
                           tmp), 1);
        snprintf(expected, sizeof(expected),
                 "%s/gate.scn:8: expect musl-1.2.3 ok: fails in 2 of 4 cells, first musl-1.2.3 "
                 "www.example.com A records=30: nxdomain, udp 33 bytes\n"
                 "%s/gate.scn:9: expect go ok when records>40: matched no cell\n", tmp, tmp);
        CU_ASSERT_STRING_EQUAL(out, expected);

        CU_ASSERT_EQUAL(sh("%s run -q --format github " GATE_CLIENTS " %s/gate.scn --out %s/G",
                           stubcompat, tmp, tmp), 1);
        snprintf(expected, sizeof(expected),
                 "::error file=%s/gate.scn,line=8,title=stubcompat::%s/gate.scn:8: expect "
                 "musl-1.2.3 ok: fails in 2 of 4 cells, first musl-1.2.3 www.example.com A "
                 "records=30: nxdomain, udp 33 bytes\n"
                 "::error file=%s/gate.scn,line=9,title=stubcompat::%s/gate.scn:9: expect go ok "
                 "when records>40: matched no cell\n", tmp, tmp, tmp, tmp);
        CU_ASSERT_STRING_EQUAL(out, expected);

        /* junit.xml: the two failed expectations are the two failures, each naming
         * file:line; the one that holds passes, the unchecked are no failure */
        junit = slurp(tmp, "G/junit.xml");
        CU_ASSERT_TRUE(contains(junit, "failures=\"2\" errors=\"0\" skipped=\"0\""));
        unsigned failures = 0;
        for (const char *p = junit; p && (p = strstr(p, "<failure ")) != NULL; p++)
                failures++;
        CU_ASSERT_EQUAL(failures, 2);
        snprintf(expected, sizeof(expected), "<failure message=\"%s/gate.scn:8: expect "
                 "musl-1.2.3 ok: fails in 2 of 4 cells", tmp);
        CU_ASSERT_TRUE(contains(junit, expected));
        free(junit);
        md = slurp(tmp, "G/matrix.md");
        snprintf(expected, sizeof(expected), "## Verdict of the run\n\n**FAILED**: gate-test: 2 "
                 "of 4 expectations hold, 2 failed, 0 not checked; no baseline (exit 1).\n\n"
                 "- **FAILED**: %s/gate.scn:8: expect musl-1.2.3 ok", tmp);
        CU_ASSERT_TRUE(contains(md, expected));
        free(md);

        /* without musl, its lines are notes; the rest holds but line 9 */
        CU_ASSERT_EQUAL(sh("%s run --clients glibc-2.36,go %s/gate.scn --out %s/G", stubcompat,
                           tmp, tmp), 1);
        CU_ASSERT_TRUE(contains(out, "note: "));
        CU_ASSERT_TRUE(contains(out, "gate.scn:8: expect musl-1.2.3 ok: not checked: its client "
                                "is not in this run\n"));
        CU_ASSERT_TRUE(contains(out, "gate-test: 1 of 4 expectations hold, 1 failed, 2 not "
                                "checked; no baseline\n"));

        /* a client that does not exist, a key that is not swept: exit 2 before running */
        write_file("bad.scn", "suite bad\norigin example.com.\ngrow www\n"
                   "query www.example.com A\nsweep records=1..2\nexpect muls-1.2.3 ok\n");
        CU_ASSERT_EQUAL(sh("%s run -q --clients go %s/bad.scn --out %s/Z", stubcompat, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/bad.scn:6:8: expect: expected a client name "
                 "(see 'stubcompat clients'), got 'muls-1.2.3'\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        write_file("bad.scn", "suite bad\norigin example.com.\ngrow www\n"
                   "query www.example.com A\nsweep records=1..2\nexpect go ok when tcp=on\n");
        CU_ASSERT_EQUAL(sh("%s run -q --clients go %s/bad.scn --out %s/Z", stubcompat, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/bad.scn:6:19: expect: 'tcp' is not swept in "
                 "this suite (expected records, qname or qtype)\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        snprintf(expected, sizeof(expected), "%s/Z/matrix.json", tmp);
        CU_ASSERT_EQUAL(access(expected, F_OK), -1);
        /* typos in --set and --clients: the option named, and the nearest name */
        CU_ASSERT_EQUAL(sh("%s run -q --clients go --set recrods=3 %s/gate.scn --out %s/Z",
                           stubcompat, tmp, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "stubcompat run: --set: unknown parameter 'recrods' (did "
                                "you mean 'records'?)\n"));
        CU_ASSERT_EQUAL(sh("%s run -q --clients muls-1.2.3 %s/gate.scn --out %s/Z", stubcompat,
                           tmp, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "stubcompat run: --clients: unknown client 'muls-1.2.3' "
                                "(did you mean 'musl-1.2.3'?"));
        /* a query the zone does not hold: an error, unless an expect line names it (a
         * negative answer reported as such is ok) */
        write_file("nx.scn", "suite nx\norigin example.com.\ngrow www\n"
                   "query nope.example.com A\nsweep records=1..2\n");
        CU_ASSERT_EQUAL(sh("%s run -q --clients go %s/nx.scn --out %s/Z", stubcompat, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/nx.scn:4: query: the zone holds no name "
                 "'nope.example.com.'", tmp);
        CU_ASSERT_TRUE(contains(err, expected));
        write_file("nx.scn", "suite nx\norigin example.com.\ngrow www\n"
                   "query nope.example.com A\nsweep records=1..2\n"
                   "expect go ok when qname=nope.example.com\n");
        CU_ASSERT_EQUAL(sh("%s run -q --clients go %s/nx.scn --out %s/NX", stubcompat, tmp, tmp), 0);
        CU_ASSERT_EQUAL(sh("%s run --format xml %s/bad.scn", stubcompat, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "--format: expected text or github, got 'xml'"));
}

/* The expectations of gate.scn without the failing ones. */
static const char base_scn[] =
        "suite gate-test\n"
        "origin example.com.\n"
        "grow www\n"
        "query www.example.com A\n"
        "sweep records=1,29,30,40\n"
        "expect glibc-2.36 ok\n";

static void test_run_baseline(void)
{
        char expected[2048];

        write_file("base.scn", base_scn);
        CU_ASSERT_EQUAL_FATAL(sh("%s run -q " GATE_CLIENTS " %s/base.scn --out %s/BASE",
                                 stubcompat, tmp, tmp), 0);
        CU_ASSERT_EQUAL(sh("%s run " GATE_CLIENTS " %s/base.scn --out %s/NOW --baseline %s/BASE",
                           stubcompat, tmp, tmp, tmp), 0);
        snprintf(expected, sizeof(expected), "gate-test: 1 of 1 expectations hold, 0 failed, 0 "
                 "not checked; 0 cells regressed in 0 (client, query) groups against "
                 "%s/BASE/matrix.json\n", tmp);
        CU_ASSERT_TRUE(contains(out, expected));

        /* a server that cuts the datagram without TC breaks glibc past 512 bytes */
        CU_ASSERT_EQUAL(sh("%s run -q " GATE_CLIENTS " %s/base.scn --out %s/NOW --set "
                           "truncation=cut-notc --baseline %s/BASE/matrix.json", stubcompat, tmp,
                           tmp, tmp), 1);
        snprintf(expected, sizeof(expected),
                 "%s/base.scn:4: 2 of 4 cells regressed, first regression: glibc-2.36 "
                 "www.example.com A records=30: ok in %s/BASE/matrix.json, now nodata, udp 512 "
                 "bytes\n"
                 "%s/base.scn:6: expect glibc-2.36 ok: fails in 2 of 4 cells, first glibc-2.36 "
                 "www.example.com A records=30: nodata, udp 512 bytes\n", tmp, tmp, tmp);
        CU_ASSERT_STRING_EQUAL(out, expected);

        CU_ASSERT_EQUAL(sh("%s run -q --format github " GATE_CLIENTS " %s/base.scn --out %s/NOW "
                           "--set truncation=cut-notc --baseline %s/BASE", stubcompat, tmp, tmp,
                           tmp), 1);
        /* one annotation per failed expectation, one per regressed (client, query) */
        snprintf(expected, sizeof(expected), "::error file=%s/base.scn,line=4,title=stubcompat::"
                 "%s/base.scn:4: 2 of 4 cells regressed, first regression: glibc-2.36 "
                 "www.example.com A records=30: ok in %s/BASE/matrix.json, now nodata", tmp, tmp,
                 tmp);
        CU_ASSERT_TRUE(contains(out, expected));
        unsigned annotations = 0;
        for (char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                CU_ASSERT_EQUAL(strncmp(line, "::error file=", 13), 0);
                annotations++;
        }
        CU_ASSERT_EQUAL(annotations, 2);

        /* a baseline that is not a matrix, is missing, or is another suite's: exit 2 */
        write_file("garbage.json", "garbage\n");
        CU_ASSERT_EQUAL(sh("%s run -q " GATE_CLIENTS " %s/base.scn --out %s/NOW --baseline "
                           "%s/garbage.json", stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/garbage.json:1:7: '[' or '{' expected near "
                 "'garbage'\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        CU_ASSERT_STRING_EQUAL(out, "");
        CU_ASSERT_EQUAL(sh("%s run -q " GATE_CLIENTS " %s/base.scn --out %s/NOW --baseline "
                           "%s/missing", stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/missing: No such file or directory\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
        CU_ASSERT_EQUAL(sh("%s run -q --clients go %s/other.scn --out %s/NOW --baseline %s/BASE",
                           stubcompat, tmp, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/BASE/matrix.json: expected a matrix of suite "
                 "\"other\", got \"gate-test\"\n", tmp);
        CU_ASSERT_STRING_EQUAL(err, expected);
}

static void test_merge_gates(void)
{
        run_shards();
        /* the merged shards meet the suite's expectations */
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 %s/B2 %s/B3 --out %s/C --scenario %s --baseline %s/A",
                           stubcompat, tmp, tmp, tmp, tmp, mixpanel, tmp), 0);
        CU_ASSERT_TRUE(contains(out, "mixpanel-2016: 7 of 7 expectations hold, 0 failed, 0 not "
                                "checked; 0 cells regressed in 0 (client, query) groups against"));
        /* ... and a partial merge leaves some unchecked, failing none */
        CU_ASSERT_EQUAL(sh("%s merge %s/B2 --out %s/C1 --scenario %s", stubcompat, tmp, tmp,
                           mixpanel), 0);
        CU_ASSERT_TRUE(contains(out, "expectations hold, 0 failed"));
        /* a scenario of another suite is an input error */
        CU_ASSERT_EQUAL(sh("%s merge %s/B1 --out %s/C1 --scenario %s/other.scn", stubcompat, tmp,
                           tmp, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "other.scn: expected the scenario of suite "
                                "\"mixpanel-2016\", got \"other\""));
}

/* ---------------------------------------------------------------- diff */

/* Two real runs: TCP answered, then refused. glibc's cells past 512 bytes
 * get worse (they needed TCP); musl never uses TCP and is unchanged. */
static void test_diff_two_runs(void)
{
        char expected[1024];

        CU_ASSERT_EQUAL_FATAL(sh("%s run -q --clients glibc-2.36,musl-1.2.3 --set tcp=on %s "
                                 "--out %s/TON", stubcompat, mixpanel, tmp), 0);
        /* the refused run fails line 40's expectation: exit 1 */
        CU_ASSERT_EQUAL_FATAL(sh("%s run -q --clients glibc-2.36,musl-1.2.3 --set tcp=refuse %s "
                                 "--out %s/TREF", stubcompat, mixpanel, tmp), 1);
        CU_ASSERT_EQUAL(sh("%s diff %s/TON %s/TREF", stubcompat, tmp, tmp), 1);
        CU_ASSERT_TRUE(contains(out, "worse: glibc-2.36 api.mixpanel.com A: 35 cells ok -> error, "
                                "first: ok, udp+tcp 514 bytes -> error tcp-failed, udp 34 bytes\n"
                                "  at records=30..64\n"));
        CU_ASSERT_TRUE(contains(out, "worse: glibc-2.36 cdn.mixpanel.com A: 37 cells"));
        CU_ASSERT_TRUE(contains(out, "72 worse, 0 better, 0 changed, 0 unchecked; 184 cells the "
                                "same, 0 only in A, 0 only in B\n"));
        CU_ASSERT_PTR_NULL(strstr(out, "musl"));
        /* the other way round: better, exit 0 */
        CU_ASSERT_EQUAL(sh("%s diff %s/TREF/matrix.json %s/TON", stubcompat, tmp, tmp), 0);
        CU_ASSERT_TRUE(contains(out, "better: glibc-2.36 api.mixpanel.com A: 35 cells error -> ok"));
        /* Markdown and JSON say the same */
        CU_ASSERT_EQUAL(sh("%s diff --format md %s/TON %s/TREF", stubcompat, tmp, tmp), 1);
        CU_ASSERT_TRUE(contains(out, "# stubcompat diff\n"));
        CU_ASSERT_TRUE(contains(out, "| worse | glibc-2.36 | api.mixpanel.com A | 35 | ok, udp+tcp "
                                "514 bytes | error tcp-failed, udp 34 bytes | records=30..64 |\n"));
        CU_ASSERT_EQUAL(sh("%s diff --format json %s/TON %s/TREF", stubcompat, tmp, tmp), 1);
        write_file("diff.json", out);
        CU_ASSERT_EQUAL(sh("python3 -c \"import json,sys; d=json.load(open(sys.argv[1])); "
                           "n=sum(len(g['cells']) for g in d['groups'] if g['change']=='worse'); "
                           "print(n, d['counts']['worse'])\" %s/diff.json", tmp), 0);
        CU_ASSERT_TRUE(contains(out, "72 72\n"));
        /* the same run twice: nothing changed */
        CU_ASSERT_EQUAL(sh("%s diff %s/TON %s/TON", stubcompat, tmp, tmp), 0);
        CU_ASSERT_TRUE(contains(out, "0 worse, 0 better, 0 changed, 0 unchecked; 256 cells"));
        /* not a matrix, another suite: exit 2 */
        write_file("garbage2.json", "garbage\n");
        CU_ASSERT_EQUAL(sh("%s diff %s/TON %s/garbage2.json", stubcompat, tmp, tmp), 2);
        snprintf(expected, sizeof(expected), "%s/garbage2.json:1:7:", tmp);
        CU_ASSERT_TRUE(contains(err, expected));
        CU_ASSERT_EQUAL(sh("%s diff %s/TON", stubcompat, tmp), 2);
}

/* --outputs chooses the files; a view not chosen is removed, so the folder
 * never mixes two runs; a typo names the nearest output. */
static void test_outputs(void)
{
        char path[600];

        CU_ASSERT_EQUAL_FATAL(sh("%s run -q --clients go %s --out %s/OUT", stubcompat, mixpanel,
                                 tmp), 0);
        snprintf(path, sizeof(path), "%s/OUT/matrix.csv", tmp);
        CU_ASSERT_EQUAL(access(path, F_OK), 0);
        CU_ASSERT_EQUAL(sh("%s run -q --clients go --outputs json,md %s --out %s/OUT", stubcompat,
                           mixpanel, tmp), 0);
        static const char *const gone[] = { "matrix.csv", "junit.xml", "matrix.html", "plot.svg",
                                            "breaking-points.txt" };
        for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
                snprintf(path, sizeof(path), "%s/OUT/%s", tmp, gone[i]);
                CU_ASSERT_EQUAL(access(path, F_OK), -1);
        }
        snprintf(path, sizeof(path), "%s/OUT/matrix.md", tmp);
        CU_ASSERT_EQUAL(access(path, F_OK), 0);
        CU_ASSERT_EQUAL(sh("%s run -q --clients go --outputs json,htm %s --out %s/OUT",
                           stubcompat, mixpanel, tmp), 2);
        CU_ASSERT_TRUE(contains(err, "stubcompat run: --outputs: unknown output 'htm' (did you "
                                "mean 'html'?)"));
}

static const struct test_case diff_tests[] = {
        { "tcp=on against tcp=refuse", test_diff_two_runs },
        { "--outputs chooses the files", test_outputs },
        { NULL, NULL },
};

static int setup(void)
{
        snprintf(tmp, sizeof(tmp), "/tmp/stubcompat-merge-XXXXXX");
        if (!mkdtemp(tmp))
                return -1;
        snprintf(stubcompat, sizeof(stubcompat), "%s/stubcompat", test_build_dir());
        snprintf(mixpanel, sizeof(mixpanel), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        return 0;
}

static const struct test_case merge_tests[] = {
        { "shards merged = one run", test_merge_equals_single_run },
        { "read and write again: same bytes", test_read_write_same_bytes },
        { "duplicates and missing shards", test_merge_partial_and_duplicates },
        { "shards that do not fit", test_merge_input_errors },
        { "merge checks expectations and baselines", test_merge_gates },
        { NULL, NULL },
};

static const struct test_case gate_tests[] = {
        { "expect lines decide the exit status", test_run_expectations },
        { "regressions against a baseline", test_run_baseline },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "merge", merge_tests },
        { "gate", gate_tests },
        { "diff", diff_tests },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        int ret;
        char cmd[512];

        if (setup() < 0) {
                perror("mkdtemp");
                return 1;
        }
        ret = test_main(argc, argv, "merge", suites);
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
        if (ret == 0 && system(cmd) != 0)
                fprintf(stderr, "could not remove %s\n", tmp);
        free(out);
        free(err);
        return ret;
}
