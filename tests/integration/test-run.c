/* `stubcompat run` as users and CI meet it: deterministic output, exit
 * statuses, interruption, and results that are never half-written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/util/strutil.h"
#include "tests/common/command.h"
#include "tests/common/testmain.h"

static char bin[4096], scen[4096];

static void paths(const char *suite)
{
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scen, sizeof(scen), "%s/scenarios/%s.scn", test_source_dir(), suite);
}

static char *tmpdir(void)
{
        char *d = strdup("/tmp/stubcompat-run-XXXXXX");
        return d && mkdtemp(d) ? d : NULL;
}

/* Reads a file with every "elapsed_ms":<number> replaced by a constant. */
static char *read_normalised(const char *path)
{
        char *text = NULL, err[256];
        if (file_read_all(path, &text, NULL, err, sizeof(err)) < 0)
                return NULL;
        /* copy in place, dropping the number after each "elapsed_ms": (matrix.json)
         * and each time=" (junit.xml) */
        char *w = text;
        for (const char *r = text; *r;) {
                size_t k = strncmp(r, "\"elapsed_ms\":", 13) == 0 ? 13 :
                           strncmp(r, " time=\"", 7) == 0 ? 7 : 0;
                if (k) {
                        memmove(w, r, k);
                        w += k;
                        r += k;
                        while ((*r >= '0' && *r <= '9') || *r == '.')
                                r++;
                        continue;
                }
                *w++ = *r++;
        }
        *w = '\0';
        return text;
}

static int run_into(const char *suite, const char *out, const char *clients, struct cmd_result *r)
{
        paths(suite);
        const char *argv[] = { bin, "run", scen, "--clients", clients, "--out", out, "--quiet", NULL };
        return cmd_run(argv, 120000, r);
}

/* The same suite run 20 times gives byte-identical files, apart from the
 * documented timing fields: elapsed_ms in matrix.json, time in junit.xml. */
static void test_deterministic(void)
{
        static const char *const views[] = { "matrix.json", "matrix.csv", "matrix.md", "junit.xml",
                                              "matrix.html", "breaking-points.txt" };
        char *dir = tmpdir(), first[4300], other[4200];
        char *ref[6] = { 0 };

        CU_ASSERT_FATAL(dir != NULL);
        for (int run = 0; run < 20; run++) {
                struct cmd_result r;
                snprintf(other, sizeof(other), "%s/%d", dir, run);
                run_into("mixpanel-2016", other, "emulated,real:musl-1.2.3", &r);
                SP_CHECK(r.status == 0, &r);
                cmd_result_free(&r);
                for (int v = 0; v < 6; v++) {
                        snprintf(first, sizeof(first), "%s/%s", other, views[v]);
                        char *text = read_normalised(first);
                        CU_ASSERT_PTR_NOT_NULL(text);
                        if (!text)
                                continue;
                        if (run == 0) {
                                ref[v] = text;
                                continue;
                        }
                        if (ref[v] && strcmp(ref[v], text) != 0) {
                                printf("\n    %s of run %d differs from run 0\n", views[v], run);
                                CU_FAIL("output differs between runs");
                        }
                        free(text);
                }
        }
        CU_ASSERT_PTR_NOT_NULL(ref[0] ? strstr(ref[0], "\"complete\":true") : NULL);
        for (int v = 0; v < 6; v++)
                free(ref[v]);
        free(dir);
}

/* A malformed scenario: file:line: message on stderr, exit 2, nothing written. */
static void test_bad_scenario(void)
{
        char *dir = tmpdir(), path[4200], out[4200];
        struct cmd_result r;
        struct stat st;

        CU_ASSERT_FATAL(dir != NULL);
        snprintf(path, sizeof(path), "%s/bad.scn", dir);
        snprintf(out, sizeof(out), "%s/out", dir);
        FILE *f = fopen(path, "w");
        CU_ASSERT_FATAL(f != NULL);
        fputs("origin example.com.\nquery www.example.com A\nsweep records=9..1\n", f);
        fclose(f);
        paths("mixpanel-2016");
        const char *argv[] = { bin, "run", path, "--out", out, NULL };
        cmd_run(argv, 30000, &r);
        SP_CHECK(r.status == 2, &r);
        SP_CHECK(strstr(r.err, "bad.scn:3: sweep records: range 9..1 is empty") != NULL, &r);
        CU_ASSERT(stat(out, &st) < 0 && errno == ENOENT);
        cmd_result_free(&r);
        const char *usage[] = { bin, "run", "--jobs", "0", path, NULL };
        cmd_run(usage, 30000, &r);
        SP_CHECK(r.status == 2, &r);
        cmd_result_free(&r);
        free(dir);
}

/* SIGINT mid-run: exit 130, the cells done so far with "complete": false. */
static void test_interrupted(void)
{
        char *dir = tmpdir(), json[4200];
        pid_t pid;
        int status = 0;

        CU_ASSERT_FATAL(dir != NULL);
        paths("tcp-blocked");
        snprintf(json, sizeof(json), "%s/matrix.json", dir);
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                dup2(null, 2);
                execl(bin, bin, "run", scen, "--clients", "emulated", "--out", dir, "--jobs", "2",
                      (char *)NULL);
                _exit(127);
        }
        CU_ASSERT_FATAL(pid > 0);
        usleep(1500 * 1000);   /* blackholed cells take a second each at --jobs 2 */
        kill(pid, SIGINT);
        waitpid(pid, &status, 0);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 130);
        char *text = read_normalised(json);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"complete\":false"));
        size_t n = strlen(text);
        CU_ASSERT(n > 3 && strcmp(text + n - 3, "]}\n") == 0);
        free(text);
        free(dir);
}

/* Several suites in one run go side by side in worker processes (a twin's
 * helpers kept from one suite to the next): each suite's files are those of
 * the suite run alone, stdout reads suite after suite in the order given, and
 * the exit status is the worst suite's. */
static void test_several_suites(void)
{
        static const char *const names[] = { "s1", "s2", "s3", "s4", "s5" };
        const char *clients = "rfc1035-udp512,real:musl-1.2.3,real:go-1.19";
        char *dir = tmpdir(), path[5][4200], out[4200], alone[4200], json[4300];
        const char *argv[16] = { 0 };
        struct cmd_result r;
        size_t n = 0;

        CU_ASSERT_FATAL(dir != NULL);
        paths("mixpanel-2016");
        argv[n++] = bin;
        argv[n++] = "run";
        for (int i = 0; i < 5; i++) {
                snprintf(path[i], sizeof(path[i]), "%s/%s.scn", dir, names[i]);
                FILE *f = fopen(path[i], "w");
                CU_ASSERT_FATAL(f != NULL);
                /* s2 expects what the 512-byte stub cannot do over 29 records: exit 1 */
                fprintf(f, "suite %s\norigin example.com.\ngrow www\nquery www.example.com A\n"
                        "sweep records=%d..%d\n%s", names[i], 1 + 7 * i, 30 + 7 * i,
                        i == 1 ? "expect clients=rfc1035-udp512 ok\n" : "");
                fclose(f);
                argv[n++] = path[i];
        }
        snprintf(out, sizeof(out), "%s/all", dir);
        argv[n++] = "--clients";
        argv[n++] = clients;
        argv[n++] = "--out";
        argv[n++] = out;
        cmd_run(argv, 120000, &r);
        SP_CHECK(r.status == 1, &r);
        const char *at = r.out;
        for (int i = 0; i < 5 && at; i++) {
                char head[64];
                snprintf(head, sizeof(head), "%s: 90 cells\n", names[i]);
                const char *hit = strstr(r.out, head);
                SP_CHECK(hit != NULL && hit >= at, &r);
                at = hit;
        }
        SP_CHECK(strstr(r.out, "s2") != NULL && strstr(r.err, "worker") == NULL, &r);
        cmd_result_free(&r);
        for (int i = 0; i < 5; i++) {
                const char *one[] = { bin, "run", path[i], "--clients", clients, "--out", alone,
                                      "--quiet", NULL };
                snprintf(alone, sizeof(alone), "%s/alone-%s", dir, names[i]);
                cmd_run(one, 120000, &r);
                SP_CHECK(r.status == (i == 1 ? 1 : 0), &r);
                cmd_result_free(&r);
                snprintf(json, sizeof(json), "%s/matrix.json", alone);
                char *a = read_normalised(json);
                snprintf(json, sizeof(json), "%s/%s/matrix.json", out, names[i]);
                char *b = read_normalised(json);
                CU_ASSERT(a && b && strcmp(a, b) == 0);
                CU_ASSERT(b && strstr(b, "\"complete\":true") != NULL);
                free(a);
                free(b);
        }
        free(dir);
}

/* Every file in dir, sorted by name, with its bytes: "name\0size\0bytes" for
 * each. Returns a malloc'd snapshot of *len bytes, or NULL. */
static char *snapshot_dir(const char *dir, size_t *len)
{
        struct dirent **names;
        int n = scandir(dir, &names, NULL, alphasort);
        size_t cap = 0;
        char *out = NULL;

        *len = 0;
        if (n < 0)
                return NULL;
        for (int i = 0; i < n; i++) {
                char path[4400], *data = NULL, err[256];
                size_t dlen = 0;
                if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
                        snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
                        if (file_read_all(path, &data, &dlen, err, sizeof(err)) < 0)
                                dlen = 0;
                        size_t need = strlen(names[i]->d_name) + 32 + dlen;
                        char *grown = realloc(out, cap + need);
                        if (grown) {
                                out = grown;
                                cap += need;
                                *len += (size_t)sprintf(out + *len, "%s%c%zu%c", names[i]->d_name, 0, dlen, 0);
                                if (dlen)
                                        memcpy(out + *len, data, dlen);
                                *len += dlen;
                        }
                        free(data);
                }
                free(names[i]);
        }
        free(names);
        return out;
}

/* A full disk at write time leaves every previous result file byte-identical
 * and no temporary file behind: a 96 KiB tmpfs in a private mount namespace
 * holds a small result, then a run too big for it fails with exit 3. */
static void test_full_disk(void)
{
        char *dir = tmpdir();
        pid_t pid;
        int status = 0;

        CU_ASSERT_FATAL(dir != NULL);
        pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("tmpfs", dir, "tmpfs", 0, "size=96k,mode=0755") < 0)
                        _exit(77);
                struct cmd_result r;
                size_t blen, alen;
                if (run_into("aaaa-growth", dir, "musl-1.2.3", &r) != 0)
                        _exit(10);
                cmd_result_free(&r);
                char *b = snapshot_dir(dir, &blen);
                if (!b || blen == 0)
                        _exit(11);
                int rc = run_into("a-growth", dir, "emulated", &r);
                cmd_result_free(&r);
                char *a = snapshot_dir(dir, &alen);
                if (!a)
                        _exit(12);
                if (rc != 3)
                        _exit(13);
                _exit(alen == blen && memcmp(a, b, blen) == 0 ? 0 : 14);
        }
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
                free(dir);
                TEST_SKIP("no private mount namespace for a small tmpfs");
        }
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                printf("\n    full-disk child exited %d (13: not exit 3, 14: a file changed or was "
                       "left behind)\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        free(dir);
}

static const struct test_case run_cases[] = {
        { "deterministic over 20 runs", test_deterministic },
        { "malformed scenario exits 2", test_bad_scenario },
        { "SIGINT leaves an incomplete matrix", test_interrupted },
        { "full disk keeps previous results", test_full_disk },
        { "several suites side by side", test_several_suites },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "run", run_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "run", suites);
}
