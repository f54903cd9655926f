/* Files others can plant or hand us (issue 13): symlinks where results are
 * written, results folders that are not ours, read-only or dangling
 * folders, $INCLUDE of files outside the zone's folder, suite names that are
 * paths, incomplete matrices reused, and FIFOs given as input. Each runs the
 * real `stubcompat` binary on a small suite (musl-1.2.3, emulated: no
 * network beyond loopback). */
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

#define SUITE "scenarios/a-growth.scn"
#define SECRET "TOPSECRET-do-not-echo"
#define RUN_MS 60000   /* a safety net, never a measurement */

static char bin[4200], scn[4200];

static void paths(void)
{
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scn, sizeof(scn), "%s/" SUITE, test_source_dir());
}

static char *tmpdir(void)
{
        char tmpl[] = "/tmp/stubcompat-files-XXXXXX";
        char *d = mkdtemp(tmpl);
        return d ? strdup(d) : NULL;
}

static void rm_rf(const char *dir)
{
        char cmd[4400];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
                printf("\n    note: could not remove %s ", dir);
}

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

static char *read_text(const char *path)
{
        char *t = NULL, err[512];
        return file_read_all(path, &t, NULL, err, sizeof(err)) < 0 ? NULL : t;
}

/* `stubcompat run SUITE --out out --clients musl-1.2.3 --quiet EXTRA...` */
static int run_out(const char *out, const char *extra, struct cmd_result *r)
{
        const char *argv[] = { bin, "run", scn, "--out", out, "--clients", "musl-1.2.3", "--quiet",
                               extra, NULL };
        return cmd_run(argv, RUN_MS, r);
}

/* ---------------------------------------------------------------- symlinks */

static const char *const result_files[] = {
        "breaking-points.txt", "matrix.csv", "matrix.md", "junit.xml", "matrix.html",
        "matrix.json", "exchanges.pcap",
};
#define NRESULT (sizeof(result_files) / sizeof(result_files[0]))

/* Symlinks planted at every temporary name the run would have used before
 * (NAME.tmp.PID, the PID known because we fork it) point at a file outside
 * --out: it must stay as it was, and the results must be regular files. */
static void test_planted_symlinks(void)
{
        char *dir = tmpdir(), outside[4400], out[4400], link[4600], target[4600];
        int go[2], status;

        paths();
        CU_ASSERT_FATAL(dir != NULL && pipe(go) == 0);
        snprintf(outside, sizeof(outside), "%s/outside.txt", dir);
        snprintf(out, sizeof(out), "%s/out", dir);
        write_text(outside, "precious\n");
        CU_ASSERT_FATAL(mkdir(out, 0755) == 0);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                char c;
                int null = open("/dev/null", O_WRONLY);
                close(go[1]);
                if (read(go[0], &c, 1) != 1)
                        _exit(126);
                dup2(null, 1);
                dup2(null, 2);
                execl(bin, bin, "run", scn, "--out", out, "--clients", "musl-1.2.3", "--quiet",
                      "--pcap=all", (char *)NULL);
                _exit(127);
        }
        close(go[0]);
        for (size_t i = 0; i < NRESULT; i++) {
                snprintf(link, sizeof(link), "%s/%s.tmp.%ld", out, result_files[i], (long)pid);
                CU_ASSERT(symlink(outside, link) == 0);
        }
        CU_ASSERT(write(go[1], "x", 1) == 1);
        close(go[1]);
        waitpid(pid, &status, 0);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        char *text = read_text(outside);
        printf("\n    outside file after the run: %s", text ? text : "(unreadable)\n");
        CU_ASSERT(text && strcmp(text, "precious\n") == 0);
        free(text);
        for (size_t i = 0; i < NRESULT; i++) {
                struct stat st;
                snprintf(target, sizeof(target), "%s/%s", out, result_files[i]);
                CU_ASSERT(lstat(target, &st) == 0 && S_ISREG(st.st_mode));
        }
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- --out folders */

/* A folder writable by others, or (as root) owned by someone else, is
 * refused with exit 2 before any cell runs (nothing written in it). */
static void test_out_not_ours(void)
{
        char *dir = tmpdir(), out[4400];
        struct cmd_result r;

        paths();
        CU_ASSERT_FATAL(dir != NULL);
        snprintf(out, sizeof(out), "%s/shared", dir);
        CU_ASSERT_FATAL(mkdir(out, 0777) == 0 && chmod(out, 0777) == 0);
        run_out(out, NULL, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "writable by others"), &r);
        cmd_result_free(&r);
        snprintf(out, sizeof(out), "%s/shared/matrix.json", dir);
        CU_ASSERT(access(out, F_OK) < 0);

        if (geteuid() == 0) {
                snprintf(out, sizeof(out), "%s/theirs", dir);
                CU_ASSERT_FATAL(mkdir(out, 0755) == 0 && chown(out, 65534, 65534) == 0);
                run_out(out, NULL, &r);
                SP_CHECK(r.status == 2 && strstr(r.err, "not by you"), &r);
                cmd_result_free(&r);
        } else {
                printf("\n    note: not root, a folder owned by another user is not tried ");
        }
        rm_rf(dir);
        free(dir);
}

/* A dangling symlink as --out, and (in a private mount namespace) a
 * read-only file system: exit 2 before any cell runs, not exit 3 after. */
static void test_out_unusable(void)
{
        char *dir = tmpdir(), out[4400];
        struct cmd_result r;
        int status;

        paths();
        CU_ASSERT_FATAL(dir != NULL);
        snprintf(out, sizeof(out), "%s/dangling", dir);
        CU_ASSERT_FATAL(symlink("/nonexistent/stubcompat-results", out) == 0);
        run_out(out, NULL, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "symlink to nothing"), &r);
        cmd_result_free(&r);

        snprintf(out, sizeof(out), "%s/ro", dir);
        CU_ASSERT_FATAL(mkdir(out, 0755) == 0);
        pid_t pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("tmpfs", out, "tmpfs", MS_RDONLY, "size=64k,mode=0755") < 0)
                        _exit(77);
                int rc = run_out(out, NULL, &r);
                bool ok = rc == 2 && strstr(r.err, "Read-only file system") &&
                          r.out[0] == '\0';   /* nothing ran: no summary, no gate lines */
                if (!ok)
                        cmd_result_dump(&r);
                _exit(ok ? 0 : 1);
        }
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
                printf("\n    note: no private mount namespace, the read-only case is not tried ");
        else
                CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- $INCLUDE */

/* $INCLUDE ../secret (and a symlink inside the folder pointing at it) is
 * refused without showing the secret; with --include-anywhere it is read,
 * and the parse error it causes still names file:line without quoting. */
static void test_include_outside(void)
{
        char *dir = tmpdir(), path[4400], zone[4400], link[4400];
        struct cmd_result r;

        paths();
        CU_ASSERT_FATAL(dir != NULL);
        snprintf(path, sizeof(path), "%s/secret.txt", dir);
        write_text(path, "root:" SECRET ":19000:0:99999:7:::\n");
        snprintf(path, sizeof(path), "%s/zones", dir);
        CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
        snprintf(link, sizeof(link), "%s/zones/inside.inc", dir);
        CU_ASSERT_FATAL(symlink("../secret.txt", link) == 0);

        const char *const includes[] = { "../secret.txt", "inside.inc" };
        for (size_t i = 0; i < 2; i++) {
                char text[512];
                snprintf(text, sizeof(text), "$ORIGIN example.com.\n$TTL 300\n"
                         "@ IN SOA ns1.example.net. h.example.net. 1 7200 900 1209600 300\n"
                         "$INCLUDE %s\nwww IN A 192.0.2.1\n", includes[i]);
                snprintf(zone, sizeof(zone), "%s/zones/z%zu.zone", dir, i);
                write_text(zone, text);
                const char *argv[] = { bin, "check-zone", zone, NULL };
                cmd_run(argv, RUN_MS, &r);
                SP_CHECK(r.status == 2 && strstr(r.err, "outside the folder of") &&
                         !strstr(r.err, SECRET) && !strstr(r.out, SECRET), &r);
                cmd_result_free(&r);
                const char *anywhere[] = { bin, "check-zone", "--include-anywhere", zone, NULL };
                cmd_run(anywhere, RUN_MS, &r);
                SP_CHECK(r.status == 2 && !strstr(r.err, SECRET) && !strstr(r.out, SECRET), &r);
                cmd_result_free(&r);
        }
        const char *repro[] = { bin, "reproduce", "--zone", zone, "--name", "www.example.com",
                                "--clients", "musl-1.2.3", "--out", dir, NULL };
        cmd_run(repro, RUN_MS, &r);
        SP_CHECK(r.status == 2 && !strstr(r.err, SECRET) && !strstr(r.out, SECRET), &r);
        cmd_result_free(&r);
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- matrices as input */

/* A run's matrix.json, rewritten with one replacement (from -> to). */
static void edited_matrix(const char *from_dir, const char *to_dir, const char *from,
                          const char *to)
{
        char src[4400], dst[4400];
        snprintf(src, sizeof(src), "%s/matrix.json", from_dir);
        snprintf(dst, sizeof(dst), "%s/matrix.json", to_dir);
        char *t = read_text(src);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        char *at = strstr(t, from);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        mkdir(to_dir, 0755);
        FILE *f = fopen(dst, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fwrite(t, 1, (size_t)(at - t), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
        fclose(f);
        free(t);
}

/* A shard whose suite is a path is refused by merge (file:line); a matrix
 * with "complete": false is refused as a shard and as a baseline unless
 * --allow-incomplete. */
static void test_matrices_as_input(void)
{
        char *dir = tmpdir(), good[4400], evil[4400], part[4400], out[4400], escaped[4400];
        struct cmd_result r;

        paths();
        CU_ASSERT_FATAL(dir != NULL);
        snprintf(good, sizeof(good), "%s/good", dir);
        snprintf(evil, sizeof(evil), "%s/evil", dir);
        snprintf(part, sizeof(part), "%s/part", dir);
        snprintf(out, sizeof(out), "%s/merged", dir);
        CU_ASSERT_FATAL(run_out(good, NULL, &r) == 0);
        cmd_result_free(&r);

        edited_matrix(good, evil, "\"suite\":\"a-growth\"", "\"suite\":\"../../escaped\"");
        const char *m1[] = { bin, "merge", evil, "--quiet", NULL };
        cmd_run(m1, RUN_MS, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "matrix.json:1: \"suite\""), &r);
        cmd_result_free(&r);
        snprintf(escaped, sizeof(escaped), "%s/../escaped", dir);
        CU_ASSERT(access(escaped, F_OK) < 0 && access("../escaped", F_OK) < 0);

        edited_matrix(good, part, "\"complete\":true", "\"complete\":false");
        const char *m2[] = { bin, "merge", part, "--out", out, "--quiet", NULL };
        cmd_run(m2, RUN_MS, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "--allow-incomplete"), &r);
        cmd_result_free(&r);
        const char *m3[] = { bin, "merge", part, "--out", out, "--quiet", "--allow-incomplete", NULL };
        cmd_run(m3, RUN_MS, &r);
        SP_CHECK(r.status != 2, &r);
        cmd_result_free(&r);

        char base[4500];
        snprintf(base, sizeof(base), "--baseline=%s", part);
        run_out(out, base, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "\"complete\": false"), &r);
        cmd_result_free(&r);
        const char *argv[] = { bin, "run", scn, "--out", out, "--clients", "musl-1.2.3", "--quiet",
                               base, "--allow-incomplete", NULL };
        cmd_run(argv, RUN_MS, &r);
        SP_CHECK(r.status == 0, &r);
        cmd_result_free(&r);
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- FIFO */

/* A FIFO given as a scenario, a zone and a pcap: refused at once (open() no
 * longer blocks), exit 2. */
static void test_fifo_inputs(void)
{
        char *dir = tmpdir(), fifo[4400];
        struct cmd_result r;

        paths();
        CU_ASSERT_FATAL(dir != NULL);
        snprintf(fifo, sizeof(fifo), "%s/input.fifo", dir);
        CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
        const char *run[] = { bin, "run", fifo, "--out", dir, "--clients", "musl-1.2.3", NULL };
        const char *zone[] = { bin, "check-zone", fifo, NULL };
        const char *pcap[] = { bin, "reproduce", "--pcap", fifo, "--out", dir, NULL };
        const char *const *cmds[] = { run, zone, pcap };
        for (size_t i = 0; i < 3; i++) {
                cmd_run(cmds[i], 10000, &r);
                SP_CHECK(!r.timed_out && r.status == 2 && strstr(r.err, "a FIFO"), &r);
                cmd_result_free(&r);
        }
        rm_rf(dir);
        free(dir);
}

static const struct test_case files_cases[] = {
        { "planted symlinks leave the outside file intact", test_planted_symlinks },
        { "--out not ours is refused", test_out_not_ours },
        { "--out read-only or dangling is refused first", test_out_unusable },
        { "$INCLUDE outside is refused without echo", test_include_outside },
        { "merge and --baseline check the matrices they read", test_matrices_as_input },
        { "FIFO inputs are refused at once", test_fifo_inputs },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "files", files_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        signal(SIGPIPE, SIG_IGN);
        return test_main(argc, argv, "files", suites);
}
