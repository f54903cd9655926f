/* The path axis with the real resolvers of Debian 12 (dnsmasq, unbound,
 * named, kresd, pdns_recursor) between the clients and the fake server:
 * `stubcompat resolvers` starts each; a resolver killed mid-run turns only
 * its own cells into harness-error while the run completes; SIGTERM and a
 * killed harness leave no resolver running; and the measured claims of
 * scenarios/behind-resolvers.scn hold for the libc stubs.
 *
 * Every run gets TMPDIR set to a directory of its own: the resolvers keep
 * their configuration there, so `ps` finds exactly this run's resolvers by
 * that path in their command line, and the test can see that nothing is
 * left behind. A resolver that is not installed makes its test skipped,
 * with the package to install. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/path/resolver.h"
#include "harness/report/matrix-read.h"
#include "harness/util/strutil.h"
#include "tests/common/command.h"
#include "tests/common/testmain.h"

#define SAFETY_NET_MS 600000

static char bin[4096];

static char *make_tmpdir(void)
{
        char *d = strdup("/tmp/stubcompat-paths-XXXXXX");
        return d && mkdtemp(d) ? d : NULL;
}

static void remove_tree(const char *path)
{
        struct cmd_result r;
        cmd_run(SP_LIST("rm", "-rf", path), 60000, &r);
        cmd_result_free(&r);
}

static void write_text(const char *dir, const char *name, const char *text)
{
        char path[4200];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

/* The first missing resolver program, or NULL when all are installed. */
static const struct resolver_info *missing_resolver(void)
{
        for (int p = VIA_DIRECT + 1; p < VIA_MAX; p++) {
                const struct resolver_info *ri = resolver_info((enum resolver_path)p);
                if (access(ri->program, X_OK) != 0)
                        return ri;
        }
        return NULL;
}

/* Pids of the processes whose command line holds text (this run's TMPDIR). */
static size_t processes_naming(const char *text, const char *also, pid_t *out, size_t max)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        size_t n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)) != NULL && n < max) {
                char path[300], buf[4096], *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 1)
                        continue;
                snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
                FILE *f = fopen(path, "r");
                if (!f)
                        continue;
                size_t len = fread(buf, 1, sizeof(buf) - 1, f);
                fclose(f);
                for (size_t i = 0; i < len; i++)
                        if (buf[i] == '\0')
                                buf[i] = ' ';
                buf[len] = '\0';
                if (strstr(buf, text) && (!also || strstr(buf, also)) &&
                    !strstr(buf, "stubcompat run"))
                        out[n++] = (pid_t)pid;
        }
        closedir(d);
        return n;
}

/* Waits up to ms for no process to name text. Returns how many are left. */
static size_t wait_none_left(const char *text, unsigned ms)
{
        pid_t pids[16];
        size_t n;
        double end = cmd_now_ms() + ms;
        while ((n = processes_naming(text, NULL, pids, 16)) > 0 && cmd_now_ms() < end)
                usleep(20000);
        for (size_t i = 0; i < n; i++) {
                char path[64], buf[512] = "";
                snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pids[i]);
                FILE *f = fopen(path, "r");
                size_t len = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
                if (f)
                        fclose(f);
                for (size_t k = 0; k < len; k++)
                        buf[k] = buf[k] ? buf[k] : ' ';
                printf("\n    still running: pid %d: %s", (int)pids[i], buf);
        }
        return n;
}

/* Resolver directories left in dir. */
static size_t resolver_dirs_left(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        size_t n = 0;
        while (d && (e = readdir(d)) != NULL)
                n += strncmp(e->d_name, "stubcompat-resolver-", 20) == 0;
        if (d)
                closedir(d);
        return n;
}

/* `stubcompat run ARGS` in the background, TMPDIR=dir, output in dir/run.*. */
static pid_t spawn_with_tmpdir(const char *dir, const char *scenario, const char *clients,
                               const char *out)
{
        pid_t pid = fork();
        if (pid == 0) {
                char o[4200], e[4200];
                snprintf(o, sizeof(o), "%s/run.out", dir);
                snprintf(e, sizeof(e), "%s/run.err", dir);
                if (!freopen("/dev/null", "r", stdin) || !freopen(o, "w", stdout) ||
                    !freopen(e, "w", stderr))
                        _exit(126);
                setenv("TMPDIR", dir, 1);
                setpgid(0, 0);
                execl(bin, bin, "run", scenario, "--clients", clients, "--out", out, (char *)NULL);
                _exit(127);
        }
        return pid;
}

static int reap(pid_t pid)
{
        int status = 0;
        double end = cmd_now_ms() + SAFETY_NET_MS;
        pid_t got;
        while ((got = waitpid(pid, &status, WNOHANG)) == 0 && cmd_now_ms() < end)
                usleep(20000);
        if (got == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        return cmd_exit_code(status);
}

/* Waits (at most 20 s) until a process of this run names `what`, then for
 * it to serve a while. Returns its pid, or -1. */
static pid_t wait_for_resolver(const char *dir, const char *what, unsigned serve_ms)
{
        pid_t pid;
        double end = cmd_now_ms() + 20000;
        while (processes_naming(dir, what, &pid, 1) == 0)
                if (cmd_now_ms() > end)
                        return -1;
                else
                        usleep(10000);
        usleep(serve_ms * 1000);
        return pid;
}

/* ---------------------------------------------------------------- resolvers */

static void test_resolvers_command(void)
{
        const struct resolver_info *missing = missing_resolver();
        struct cmd_result r;

        if (missing)
                TEST_SKIP("%s is not installed (apt-get install %s)", missing->program,
                          missing->package);
        int rc = cmd_run(SP_LIST(bin, "resolvers"), 60000, &r);
        SP_CHECK(rc == 0, &r);
        static const char *const lines[] = { "dnsmasq         dnsmasq-base    2.90 ",
                                             "unbound         unbound         1.17.",
                                             "bind9           bind9           9.18.",
                                             "knot-resolver   knot-resolver   5.6.",
                                             "pdns-recursor   pdns-recursor   4.8." };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                SP_CHECK(r.out && strstr(r.out, lines[i]), &r);
        SP_CHECK(r.out && !strstr(r.out, "why not"), &r);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- a resolver dies */

static const char killed_scenario[] =
        "suite killed\norigin mixpanel.com.\nset ra=1 aa=0 records=30 delay_ms=100\n"
        "rr cdn 60 IN CNAME api-lb-us-east-1a\ngrow api\ngrow api-lb-us-east-1a\n"
        "query api.mixpanel.com A\nquery cdn.mixpanel.com A\nquery api.mixpanel.com AAAA\n"
        "sweep path=unbound,direct\n";

static void test_resolver_killed(void)
{
        struct matrix m = { 0 };
        size_t errors = 0, unbound_cells = 0, direct_cells = 0, unbound_errors = 0;
        char scen[4200], out[4200];

        if (access("/usr/sbin/unbound", X_OK) != 0)
                TEST_SKIP("/usr/sbin/unbound is not installed (apt-get install unbound)");
        char *dir = make_tmpdir();
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        write_text(dir, "killed.scn", killed_scenario);
        snprintf(scen, sizeof(scen), "%s/killed.scn", dir);
        snprintf(out, sizeof(out), "%s/out", dir);
        /* 45 cells behind one unbound process, each answer 100 ms late: 4.5 s */
        pid_t run = spawn_with_tmpdir(dir, scen, "emulated", out);
        pid_t victim = wait_for_resolver(dir, "unbound.conf", 400);
        CU_ASSERT(victim > 0);
        if (victim > 0)
                kill(victim, SIGKILL);
        int rc = reap(run);
        CU_ASSERT_EQUAL(rc, 3);   /* a harness error, the run finished */
        CU_ASSERT_EQUAL(wait_none_left(dir, 2000), 0);
        CU_ASSERT_EQUAL(resolver_dirs_left(dir), 0);
        char path[4300], err[512];
        snprintf(path, sizeof(path), "%s/matrix.json", out);
        if (matrix_read_file(path, &m, err, sizeof(err)) < 0)
                printf("\n    %s", err);
        CU_ASSERT_FATAL(m.ncells > 0);
        CU_ASSERT_TRUE(m.complete);
        CU_ASSERT_EQUAL(m.ncells, m.total);
        for (size_t i = 0; i < m.ncells; i++) {
                const struct matrix_cell *c = &m.cells[i];
                bool behind = strcmp(c->values[0], "unbound") == 0;
                bool herr = c->verdict == VERDICT_HARNESS_ERROR;
                unbound_cells += behind;
                direct_cells += !behind;
                errors += herr;
                unbound_errors += behind && herr;
                if (herr && !strstr(c->detail, "unbound killed by signal 9"))
                        printf("\n    harness-error without the resolver's end: %s", c->detail);
                CU_ASSERT(!herr || strstr(c->detail, "unbound killed by signal 9") != NULL);
        }
        /* only the resolver's cells are blamed on the harness; all the others ran */
        CU_ASSERT(unbound_errors > 0);
        CU_ASSERT_EQUAL(errors, unbound_errors);
        CU_ASSERT_EQUAL(direct_cells, unbound_cells);
        matrix_free(&m);
        remove_tree(dir);
        free(dir);
}

/* ---------------------------------------------------------------- the harness ends */

static const char ending_scenario[] =
        "suite ending\norigin mixpanel.com.\nset ra=1 aa=0 delay_ms=300\ngrow api\n"
        "query api.mixpanel.com A\nsweep records=1..50\n"
        "sweep path=dnsmasq,unbound,bind9,knot-resolver,pdns-recursor\n";

/* Ends a run once its named is serving, with sig; returns its exit code. */
static int end_run_with(const char *dir, int sig)
{
        char scen[4200], out[4200];
        write_text(dir, "ending.scn", ending_scenario);
        snprintf(scen, sizeof(scen), "%s/ending.scn", dir);
        snprintf(out, sizeof(out), "%s/out", dir);
        pid_t run = spawn_with_tmpdir(dir, scen, "musl-1.2.3", out);
        CU_ASSERT(wait_for_resolver(dir, "named.conf", 300) > 0);
        kill(run, sig);
        return reap(run);
}

static void test_harness_ends(void)
{
        const struct resolver_info *missing = missing_resolver();

        if (missing)
                TEST_SKIP("%s is not installed (apt-get install %s)", missing->program,
                          missing->package);
        char *dir = make_tmpdir();
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        /* SIGTERM: the run stops, writes what it has, stops its resolvers */
        CU_ASSERT_EQUAL(end_run_with(dir, SIGTERM), 130);
        CU_ASSERT_EQUAL(wait_none_left(dir, 3000), 0);
        CU_ASSERT_EQUAL(resolver_dirs_left(dir), 0);
        /* SIGKILL: nothing runs in the harness any more; the resolvers die
         * with it (PR_SET_PDEATHSIG); their directories stay */
        CU_ASSERT_EQUAL(end_run_with(dir, SIGKILL), 128 + SIGKILL);
        CU_ASSERT_EQUAL(wait_none_left(dir, 3000), 0);
        remove_tree(dir);
        free(dir);
}

/* ---------------------------------------------------------------- the suite */

/* scenarios/behind-resolvers.scn for the emulated and real libc stubs, a
 * TCP-only and a strict UDP-only stub: every expectation about them holds
 * (the others are "not checked"). The real getaddrinfo clients sit on port-53
 * slots, whose relays must stay bound from cell to cell (no harness error). */
static void test_behind_resolvers(void)
{
        const struct resolver_info *missing = missing_resolver();
        char scen[4200], out[4200], gate[4200], path[4300], err[512];
        struct matrix m = { 0 };

        if (missing)
                TEST_SKIP("%s is not installed (apt-get install %s)", missing->program,
                          missing->package);
        char *dir = make_tmpdir();
        CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
        snprintf(scen, sizeof(scen), "%s/scenarios/behind-resolvers.scn", test_source_dir());
        snprintf(out, sizeof(out), "%s/out", dir);
        pid_t run = spawn_with_tmpdir(dir, scen,
                                      "glibc-2.36,musl-1.2.3,tcp-only,rfc1035-udp512,"
                                      "real:glibc-2.36,real:musl-1.2.3", out);
        int rc = reap(run);
        snprintf(gate, sizeof(gate), "%s/run.out", dir);
        char *text = NULL;
        if (file_read_all(gate, &text, NULL, err, sizeof(err)) == 0 && rc != 0)
                printf("\n    exit %d:\n%s", rc, text);
        CU_ASSERT_EQUAL(rc, 0);
        CU_ASSERT(text && strstr(text, "behind-resolvers: ") && strstr(text, " 0 failed"));
        free(text);
        /* every resolver ran: no cell skipped, none a harness error */
        snprintf(path, sizeof(path), "%s/matrix.json", out);
        if (matrix_read_file(path, &m, err, sizeof(err)) < 0)
                printf("\n    %s", err);
        CU_ASSERT(m.ncells > 0 && m.ncells == m.total);
        for (size_t i = 0; i < m.ncells; i++) {
                enum verdict v = m.cells[i].verdict;
                if (v == VERDICT_SKIPPED || v == VERDICT_HARNESS_ERROR)
                        printf("\n    %s: %s", verdict_to_string(v), m.cells[i].detail);
                CU_ASSERT(v != VERDICT_SKIPPED && v != VERDICT_HARNESS_ERROR);
        }
        matrix_free(&m);
        CU_ASSERT_EQUAL(wait_none_left(dir, 2000), 0);
        remove_tree(dir);
        free(dir);
}

static const struct test_case path_cases[] = {
        { "stubcompat resolvers: each starts here", test_resolvers_command },
        { "a resolver killed mid-run: its cells harness-error, the rest completes", test_resolver_killed },
        { "SIGTERM or SIGKILL of the harness leaves no resolver running", test_harness_ends },
        { "behind-resolvers.scn: the stubs' expectations hold", test_behind_resolvers },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "paths", path_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        return test_main(argc, argv, "paths", suites);
}
