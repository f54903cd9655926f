/* Faults from outside `stubcompat run`: a real getaddrinfo helper killed
 * mid-lookup, SIGTERM mid-run, and an --out that is a file. Each must end
 * the way the documentation says (results/README.md, `run --help`): a killed
 * helper marks only the cells it was serving, as harness-error, never as a
 * client's verdict, and the run exits 3; SIGTERM exits 130 with a matrix
 * marked incomplete; an unusable --out exits 2 with a message that names it
 * and changes nothing.
 *
 * Every fault is produced from outside the process (signals, the file
 * system); no test hook is needed. Timeouts are safety nets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/report/matrix-read.h"
#include "harness/util/strutil.h"
#include "tests/common/command.h"
#include "tests/common/testmain.h"

#define SAFETY_NET_MS 240000
#define HELPER "gai-helper-glibc"
#define KILLED_CLIENT "real:glibc-2.36"
#define CALM_CLIENT "musl-1.2.3"

static char bin[4096], scen[4096];

static void paths(const char *suite)
{
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scen, sizeof(scen), "%s/scenarios/%s.scn", test_source_dir(), suite);
}

static char *tmpdir(void)
{
        char *d = strdup("/tmp/stubcompat-faults-XXXXXX");
        return d && mkdtemp(d) ? d : NULL;
}

static void rm_rf(const char *path)
{
        struct cmd_result r;
        cmd_run(SP_LIST("rm", "-rf", path), 60000, &r);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- processes */

/* The parent of pid from /proc/PID/stat ("pid (comm) state ppid ..."; comm
 * may hold spaces and parentheses, so read after the last ')'). -1 if gone. */
static pid_t parent_of(pid_t pid)
{
        char path[64], buf[1024];
        int fd, ppid = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        char *rp = strrchr(buf, ')');
        if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
                return -1;
        return (pid_t)ppid;
}

static bool descends_from(pid_t pid, pid_t ancestor)
{
        for (int depth = 0; depth < 64 && pid > 1; depth++) {
                pid = parent_of(pid);
                if (pid == ancestor)
                        return true;
        }
        return false;
}

/* True when /proc/PID/cmdline holds `name` (the helper's path is argv[0]). */
static bool cmdline_has(pid_t pid, const char *name)
{
        char path[64], buf[4096];
        int fd;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return false;
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == '\0')
                        buf[i] = ' ';
        buf[n] = '\0';
        return strstr(buf, name) != NULL;
}

/* The inodes of pid's sockets (from /proc/PID/fd). Returns how many. */
static size_t socket_inodes(pid_t pid, unsigned long *out, size_t max)
{
        char path[64];
        struct dirent *e;
        size_t n = 0;
        DIR *d;

        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        d = opendir(path);
        if (!d)
                return 0;
        while (n < max && (e = readdir(d)) != NULL) {
                char link[384], target[64];
                ssize_t len;
                snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
                len = readlink(link, target, sizeof(target) - 1);
                if (len <= 0)
                        continue;
                target[len] = '\0';
                if (sscanf(target, "socket:[%lu]", &out[n]) == 1)
                        n++;
        }
        closedir(d);
        return n;
}

/* True when pid has a socket open: a helper does only inside getaddrinfo
 * (its stdin and stdout are pipes), so the lookup of some cell is in flight. */
static bool has_socket(pid_t pid)
{
        unsigned long inodes[8];
        return socket_inodes(pid, inodes, 8) > 0;
}

/* True when pid holds an established TCP connection to port 53 (seen in its
 * own network namespace, /proc/PID/net/tcp): a helper waiting for a TCP
 * answer, which a blackholed port never sends. */
static bool waits_on_tcp(pid_t pid)
{
        unsigned long inodes[8];
        size_t n = socket_inodes(pid, inodes, 8);
        char path[64], line[512];
        bool found = false;
        FILE *f;

        if (n == 0)
                return false;
        snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)pid);
        f = fopen(path, "r");
        if (!f)
                return false;
        while (!found && fgets(line, sizeof(line), f)) {
                unsigned rport, state;
                unsigned long inode;
                if (sscanf(line, " %*d: %*x:%*x %*x:%x %x %*x:%*x %*x:%*x %*x %*u %*u %lu",
                           &rport, &state, &inode) != 3)
                        continue;
                for (size_t i = 0; i < n && !found; i++)
                        found = inode == inodes[i] && rport == 53 && state == 1;
        }
        fclose(f);
        return found;
}

/* The processes running `name` below ancestor, at most max. Returns how many. */
static size_t find_descendants(pid_t ancestor, const char *name, pid_t *out, size_t max)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        size_t n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)) != NULL && n < max) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 1 || pid == ancestor)
                        continue;
                if (cmdline_has((pid_t)pid, name) && descends_from((pid_t)pid, ancestor))
                        out[n++] = (pid_t)pid;
        }
        closedir(d);
        return n;
}

/* Starts `stubcompat run ...` with stdout and stderr into files in dir
 * (run.out, run.err), in a process group of its own (pgid = pid), as a shell
 * starts a foreground job. Returns the pid. */
static pid_t spawn_run(const char *dir, char *const *argv)
{
        pid_t pid = fork();
        if (pid == 0) {
                setpgid(0, 0);
                char out[4200], err[4200];
                snprintf(out, sizeof(out), "%s/run.out", dir);
                snprintf(err, sizeof(err), "%s/run.err", dir);
                int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (o < 0 || e < 0 || null < 0)
                        _exit(126);
                dup2(null, 0);
                dup2(o, 1);
                dup2(e, 2);
                execv(argv[0], argv);
                _exit(127);
        }
        return pid;
}

/* waitpid with a safety net: SIGKILL after SAFETY_NET_MS. Returns the exit
 * status (128+signal when killed). */
static int reap(pid_t pid)
{
        int status = 0;
        double end = cmd_now_ms() + SAFETY_NET_MS;
        pid_t got;

        while ((got = waitpid(pid, &status, WNOHANG)) == 0 && cmd_now_ms() < end)
                usleep(20000);
        if (got == 0) {
                printf("\n    the run was still going after %d ms: killed\n", SAFETY_NET_MS);
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        return cmd_exit_code(status);
}

static void dump_file(const char *dir, const char *name)
{
        char path[4200], *text = NULL, err[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        if (file_read_all(path, &text, NULL, err, sizeof(err)) == 0 && text[0])
                printf("\n    %s:\n%s", name, text);
        free(text);
}

static bool read_matrix(const char *dir, struct matrix *m)
{
        char path[4300], err[512];
        snprintf(path, sizeof(path), "%s/matrix.json", dir);
        if (matrix_read_file(path, m, err, sizeof(err)) < 0) {
                printf("\n    %s\n", err);
                return false;
        }
        return true;
}

/* ---------------------------------------------------------------- (a) a helper dies */

/* tcp-blocked: the glibc cells behind a blackholed TCP port sit inside
 * getaddrinfo for seconds, so a helper killed while the run goes on is all
 * but certain to be serving a cell. The same run without faults is the
 * reference: emulated cells must not change at all; a real glibc cell either
 * keeps its verdict or, when its helper was killed, becomes harness-error
 * (reason helper-died), never another client verdict. */
struct kill_tally {
        size_t kills;           /* helpers killed */
        size_t busy_kills;      /* ... of which had a socket open: inside getaddrinfo */
        size_t harness;         /* real cells that became harness-error */
        size_t kept;            /* real cells with their reference verdict */
};

/* Runs argv, killing every HELPER below the run as soon as it shows up,
 * until the run ends. Returns its exit status. */
static int run_killing_helpers(const char *dir, char *const *argv, struct kill_tally *t)
{
        pid_t pid = spawn_run(dir, argv), got;
        double end = cmd_now_ms() + SAFETY_NET_MS;
        int status = 0;

        if (pid < 0)
                return -1;
        while ((got = waitpid(pid, &status, WNOHANG)) == 0 && cmd_now_ms() < end) {
                pid_t helpers[64];
                size_t n = find_descendants(pid, HELPER, helpers, 64);
                for (size_t i = 0; i < n; i++) {
                        bool in_flight = has_socket(helpers[i]);
                        if (kill(helpers[i], SIGKILL) == 0) {
                                t->kills++;
                                t->busy_kills += in_flight;
                        }
                }
                usleep(20000);
        }
        if (got == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        return cmd_exit_code(status);
}

/* One cell of the faulted run against the same cell of the reference. */
static void compare_cell(const struct matrix *m, const struct matrix_cell *c,
                         const struct matrix_cell *b, struct kill_tally *t)
{
        bool same = c->verdict == b->verdict && strcmp(c->reason, b->reason) == 0 &&
                    c->addresses == b->addresses;

        CU_ASSERT_FATAL(c->index == b->index && strcmp(c->client, b->client) == 0);
        if (strcmp(c->client, CALM_CLIENT) == 0) {
                if (!same)
                        printf("\n    %s cell %zu changed: %s (%s) -> %s (%s)", c->client,
                               c->index, verdict_to_string(b->verdict), b->reason,
                               verdict_to_string(c->verdict), c->reason);
                CU_ASSERT(same);
                CU_ASSERT(c->verdict == VERDICT_OK || c->verdict == VERDICT_NXDOMAIN);
                return;
        }
        if (c->verdict == VERDICT_HARNESS_ERROR) {
                /* killed mid-lookup (helper-died), or killed between its start
                 * and the request being written (client-start) */
                bool known = strcmp(c->reason, "helper-died") == 0 ||
                             strcmp(c->reason, "client-start") == 0;
                t->harness++;
                if (!known)
                        printf("\n    %s cell %zu: harness-error (%s: %s)", c->client, c->index,
                               c->reason, c->detail);
                CU_ASSERT(known);
                return;
        }
        t->kept += same;
        if (!same)
                printf("\n    %s cell %zu (%s=%s %s=%s): %s (%s) without faults, %s (%s: %s) "
                       "with its helper killed", c->client, c->index, m->axes[0], c->values[0],
                       m->axes[1], c->values[1], verdict_to_string(b->verdict), b->reason,
                       verdict_to_string(c->verdict), c->reason, c->detail);
        CU_ASSERT(same);
}

static void test_helper_killed(void)
{
        char *dir = tmpdir(), ref[4200], hit[4200];
        char *argv[] = { bin, "run", scen, "--clients", KILLED_CLIENT "," CALM_CLIENT, "--out", NULL,
                         "--quiet", NULL };
        struct matrix base = { 0 }, m = { 0 };
        struct kill_tally t = { 0 };
        size_t skipped = 0;
        int rc;

        CU_ASSERT_FATAL(dir != NULL);
        paths("tcp-blocked");
        snprintf(ref, sizeof(ref), "%s/reference", dir);
        snprintf(hit, sizeof(hit), "%s/faulted", dir);
        argv[6] = ref;
        rc = reap(spawn_run(dir, argv));
        CU_ASSERT_EQUAL(rc, 0);
        if (rc != 0)
                dump_file(dir, "run.err");
        CU_ASSERT_FATAL(read_matrix(ref, &base));
        for (size_t i = 0; i < base.ncells; i++)
                skipped += strcmp(base.cells[i].client, KILLED_CLIENT) == 0 &&
                           base.cells[i].verdict == VERDICT_SKIPPED;
        if (skipped) {
                matrix_free(&base);
                rm_rf(dir);
                free(dir);
                TEST_SKIP("%s cannot run here (no sandbox?)", KILLED_CLIENT);
        }

        argv[6] = hit;
        rc = run_killing_helpers(dir, argv, &t);
        CU_ASSERT(t.kills > 0);
        CU_ASSERT_EQUAL(rc, 3);   /* harness error in some cell */
        if (rc != 3)
                dump_file(dir, "run.err");
        CU_ASSERT_FATAL(read_matrix(hit, &m));
        CU_ASSERT(m.complete);
        CU_ASSERT_EQUAL_FATAL(m.ncells, base.ncells);
        for (size_t i = 0; i < m.ncells; i++)
                compare_cell(&m, &m.cells[i], &base.cells[i], &t);
        printf("\n    %zu helpers killed (%zu inside getaddrinfo): %zu %s cells harness-error, "
               "%zu unchanged ", t.kills, t.busy_kills, t.harness, KILLED_CLIENT, t.kept);
        CU_ASSERT(t.harness >= 1);
        /* one helper serves one lookup at a time: a kill ends at most one cell
         * (a helper with a socket open was surely serving one; one without may
         * have been too, between two sockets or reading its files) */
        CU_ASSERT(t.harness >= t.busy_kills / 2);
        CU_ASSERT(t.harness <= t.kills);
        matrix_free(&base);
        matrix_free(&m);
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- (b) SIGTERM */

/* The first "N/M cells" progress line on stderr: some cells are done and
 * many are left. Returns false when the run ended or the safety net ran out. */
static bool wait_for_progress(const char *dir, pid_t pid)
{
        char path[4200];
        double end = cmd_now_ms() + SAFETY_NET_MS;
        snprintf(path, sizeof(path), "%s/run.err", dir);
        while (cmd_now_ms() < end) {
                char *text = NULL, err[256];
                bool seen = file_read_all(path, &text, NULL, err, sizeof(err)) == 0 &&
                            strstr(text, " cells\n") != NULL;
                free(text);
                if (seen)
                        return true;
                if (waitpid(pid, NULL, WNOHANG) != 0)
                        return false;
                usleep(20000);
        }
        return false;
}

/* The cells in flight when a run is interrupted were not run: they are
 * dropped, never recorded as harness errors. */
static void expect_no_harness_errors(const struct matrix *m)
{
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                if (c->verdict != VERDICT_HARNESS_ERROR)
                        continue;
                printf("\n    cell %zu %s %s=%s %s=%s: harness-error (%s: %s) in an interrupted run",
                       c->index, c->client, m->axes[0], c->values[0],
                       m->naxes > 1 ? m->axes[1] : "-", m->naxes > 1 ? c->values[1] : "-",
                       c->reason, c->detail);
                CU_FAIL("a cell in flight at the interruption is recorded as harness-error");
        }
}

/* SIGTERM mid-run, with real glibc helpers in flight: exit 130, the cells
 * done so far in a matrix.json marked "complete": false, and no helper left
 * behind. */
static void test_sigterm(void)
{
        char *dir = tmpdir(), out[4200];
        char *argv[] = { bin, "run", scen, "--clients", "emulated," KILLED_CLIENT, "--out", out,
                         "--jobs", "4", NULL };
        struct matrix m = { 0 };
        pid_t pid, helpers[64];
        size_t nhelpers = 0, left = 0;
        int rc;

        CU_ASSERT_FATAL(dir != NULL);
        paths("tcp-blocked");
        snprintf(out, sizeof(out), "%s/out", dir);
        pid = spawn_run(dir, argv);
        CU_ASSERT_FATAL(pid > 0);
        CU_ASSERT(wait_for_progress(dir, pid));
        nhelpers = find_descendants(pid, HELPER, helpers, 64);
        kill(pid, SIGTERM);
        rc = reap(pid);
        CU_ASSERT_EQUAL(rc, 130);
        if (rc != 130)
                dump_file(dir, "run.err");
        CU_ASSERT_FATAL(read_matrix(out, &m));
        CU_ASSERT(!m.complete);
        CU_ASSERT(m.ncells > 0 && m.ncells < m.total);
        printf("\n    SIGTERM after %zu of %zu cells (%zu helpers running) ", m.ncells, m.total,
               nhelpers);
        expect_no_harness_errors(&m);
        {
                char json[4300], *text = NULL, err[256];
                snprintf(json, sizeof(json), "%s/matrix.json", out);
                CU_ASSERT(file_read_all(json, &text, NULL, err, sizeof(err)) == 0);
                if (text) {
                        size_t n = strlen(text);
                        CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"complete\":false"));
                        CU_ASSERT(n > 3 && strcmp(text + n - 3, "]}\n") == 0);
                }
                free(text);
        }
        /* the helpers go with the run (a safety net, not a bound) */
        double end = cmd_now_ms() + 30000;
        do {
                left = 0;
                for (size_t i = 0; i < nhelpers; i++)
                        if (cmdline_has(helpers[i], HELPER))
                                left++;
                if (left)
                        usleep(50000);
        } while (left && cmd_now_ms() < end);
        CU_ASSERT_EQUAL(left, 0);
        matrix_free(&m);
        rm_rf(dir);
        free(dir);
}

/* Ctrl-C in a terminal sends SIGINT to the whole foreground process group:
 * the run and its getaddrinfo helpers. The run must still end as
 * interrupted (exit 130, incomplete matrix) and must not blame the cells
 * whose helpers the same keystroke killed on the harness. */
static void test_sigint_process_group(void)
{
        char *dir = tmpdir(), out[4200];
        char *argv[] = { bin, "run", scen, "--clients", "emulated," KILLED_CLIENT, "--out", out,
                         "--jobs", "4", NULL };
        struct matrix m = { 0 };
        pid_t pid, helpers[64];
        size_t nhelpers = 0;
        int rc;

        CU_ASSERT_FATAL(dir != NULL);
        paths("tcp-blocked");
        snprintf(out, sizeof(out), "%s/out", dir);
        pid = spawn_run(dir, argv);
        CU_ASSERT_FATAL(pid > 0);
        CU_ASSERT(wait_for_progress(dir, pid));
        /* a moment when a glibc lookup waits on a blackholed TCP port, so it
         * is surely in flight (the safety net aside) */
        double end = cmd_now_ms() + SAFETY_NET_MS;
        bool busy = false;
        while (!busy && cmd_now_ms() < end && waitpid(pid, NULL, WNOHANG) == 0) {
                nhelpers = find_descendants(pid, HELPER, helpers, 64);
                for (size_t i = 0; i < nhelpers; i++)
                        busy = busy || waits_on_tcp(helpers[i]);
                if (!busy)
                        usleep(2000);
        }
        CU_ASSERT(busy);
        kill(-pid, SIGINT);
        rc = reap(pid);
        CU_ASSERT_EQUAL(rc, 130);
        if (rc != 130)
                dump_file(dir, "run.err");
        CU_ASSERT_FATAL(read_matrix(out, &m));
        CU_ASSERT(!m.complete);
        printf("\n    SIGINT to the process group after %zu of %zu cells (%zu helpers running) ",
               m.ncells, m.total, nhelpers);
        expect_no_harness_errors(&m);
        matrix_free(&m);
        rm_rf(dir);
        free(dir);
}

/* ---------------------------------------------------------------- (c) --out is a file */

/* Every name under dir with its size and content hash, one per line, to
 * compare a folder before and after. Returns an owned string. */
static char *tree_snapshot(const char *dir)
{
        struct cmd_result r;
        char *s;
        cmd_run(SP_LIST("sh", "-c", "cd \"$0\" && find . -printf '%p %s %y\\n' | sort && "
                        "find . -type f -exec md5sum {} + | sort", dir), 60000, &r);
        s = r.out ? strdup(r.out) : strdup("");
        cmd_result_free(&r);
        return s;
}

/* --out names an existing file: exit 2, a message that names the --out
 * path and says it is not a folder, and nothing changed: the file, its
 * folder, and the working directory (no results/ appears there). */
static void test_out_is_a_file(void)
{
        char *dir = tmpdir(), file[4200], cwd[4200];
        struct cmd_result r;
        char *before, *after;
        int rc;

        CU_ASSERT_FATAL(dir != NULL);
        paths("mixpanel-2016");
        snprintf(file, sizeof(file), "%s/outputs/precious.json", dir);
        snprintf(cwd, sizeof(cwd), "%s/cwd", dir);
        CU_ASSERT_FATAL(mkdir(cwd, 0755) == 0);
        {
                char sub[4200];
                snprintf(sub, sizeof(sub), "%s/outputs", dir);
                CU_ASSERT_FATAL(mkdir(sub, 0755) == 0);
                FILE *f = fopen(file, "w");
                CU_ASSERT_FATAL(f != NULL);
                fputs("{\"not\":\"a folder\"}\n", f);
                fclose(f);
        }
        before = tree_snapshot(dir);
        /* run from cwd so a stray results/ would show up in the snapshot */
        char script[] = "cd \"$0\" && exec \"$1\" run \"$2\" --clients musl-1.2.3 --out \"$3\"";
        const char *argv[] = { "sh", "-c", script, cwd, bin, scen, file, NULL };
        rc = cmd_run(argv, SAFETY_NET_MS, &r);
        after = tree_snapshot(dir);
        SP_CHECK(rc == 2, &r);   /* an input error, found before any cell runs */
        /* the message names the --out path as given and what is wrong with it */
        SP_CHECK(r.err && strstr(r.err, file) != NULL, &r);
        SP_CHECK(r.err && (strstr(r.err, "ot a directory") || strstr(r.err, "ot a folder")), &r);
        /* ... not a temporary file of the writer */
        SP_CHECK(r.err && strstr(r.err, ".tmp") == NULL, &r);
        CU_ASSERT_STRING_EQUAL(before, after);
        if (strcmp(before, after) != 0)
                printf("\n    before:\n%s    after:\n%s", before, after);
        if (r.err && strstr(r.err, "/128 cells"))
                printf("\n    note: every cell ran before --out was found unusable ");
        cmd_result_free(&r);
        free(before);
        free(after);
        rm_rf(dir);
        free(dir);
}

static const struct test_case faults_cases[] = {
        { "a killed getaddrinfo helper marks only its cells", test_helper_killed },
        { "SIGTERM leaves an incomplete matrix", test_sigterm },
        { "Ctrl-C to the process group blames no cell", test_sigint_process_group },
        { "--out is an existing file", test_out_is_a_file },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "faults", faults_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "faults", suites);
}
