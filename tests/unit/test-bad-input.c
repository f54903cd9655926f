/* The bad-input catalogue (tests/bad-input/, see its README.md): every
 * malformed file of every kind is refused the way the README of the project
 * promises, exit status 2 with "file:line: message" as the first line on
 * stderr (exactly the case's .expected file), and nothing written.
 *
 * Each kind is one row of `kinds`: the folder, the extension of its cases,
 * and the stubcompat command line that reads a case (FILE and TMP stand for
 * the case and an output folder that must not appear), or a loader called in
 * process for files no command reads on its own (profiles). Commands run with
 * the kind's folder as working directory and the bare file name, so messages
 * and .expected files name the file as "case.scn:3: ...".
 *
 * A bad file must be refused before any socket is opened: children run under
 * a seccomp filter that kills them (SIGSYS) if they open an IPv4 or IPv6
 * socket, so this unit test needs no network and proves it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "clients/engine/profile.h"
#include "harness/util/strutil.h"
#include "tests/common/testmain.h"

#define CASE_TIMEOUT_MS 30000   /* a safety net for a hung command, never a measurement */
#define ARGV_MAX 12

/* Reads one case in process. Returns 0 when the file was accepted, -1 with
 * the message in err. */
typedef int (*kind_loader)(const char *file, char *err, size_t errlen);

struct kind {
        const char *name;                 /* folder under tests/bad-input/ */
        const char *ext;                  /* its cases end in ".ext" */
        const char *argv[ARGV_MAX];       /* after the stubcompat binary; NULL-terminated */
        kind_loader load;                 /* instead of argv */
};

static int load_profile(const char *file, char *err, size_t errlen)
{
        struct profile p;
        return profile_load(file, &p, err, errlen);
}

static const struct kind kinds[] = {
        { "scenario", "scn", { "run", "FILE", "--out", "TMP", "--clients", "musl-1.2.3", NULL }, NULL },
        { "profile", "profile", { NULL }, load_profile },
        { "zone", "zone", { "check-zone", "FILE", NULL }, NULL },
        { "pcap", "pcap", { "reproduce", "--pcap", "FILE", "--out", "TMP", NULL }, NULL },
        { "dig", "txt", { "reproduce", "--dig", "FILE", "--out", "TMP", NULL }, NULL },
        { "testns", "testns", { "reproduce", "--testns", "FILE", "--out", "TMP", NULL }, NULL },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int seccomp_state;   /* 0 not probed, 1 works, -1 unavailable */

/* ---------------------------------------------------------------- no network */

/* Installs a filter that kills the process when it calls socket(AF_INET or
 * AF_INET6, ...). Returns 0, or -1 when seccomp filters are unavailable. */
static int forbid_network_sockets(void)
{
#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif
#ifdef TEST_AUDIT_ARCH
        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        };
        struct sock_fprog prog = { (unsigned short)(sizeof(f) / sizeof(f[0])), f };
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -1;
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
        return -1;
#endif
}

/* Whether the filter can be installed here, and that it does kill. */
static void probe_seccomp(void)
{
        int status = 0;
        pid_t pid;

        if (seccomp_state)
                return;
        pid = fork();
        if (pid == 0) {
                if (forbid_network_sockets() < 0)
                        _exit(1);
                socket(AF_INET, SOCK_DGRAM, 0);
                _exit(2);
        }
        seccomp_state = -1;
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
            WTERMSIG(status) == SIGSYS)
                seccomp_state = 1;
        if (seccomp_state < 0)
                printf("\n    note: no seccomp filter here; a command that opens a socket "
                       "on bad input is not caught\n");
}

/* ---------------------------------------------------------------- running a case */

struct outcome {
        int status;         /* exit status, 128+signal, -1 when not run */
        char *err;          /* stderr (or the loader's message), owned */
};

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Runs stubcompat with argv in dir, stderr into a temporary file. */
static void run_command(const char *dir, const char *file, char *const *argv, struct outcome *o)
{
        char errpath[] = "/tmp/stubcompat-bad-input-err-XXXXXX", msg[256];
        int errfd = mkstemp(errpath), status = 0;
        double deadline = now_ms() + CASE_TIMEOUT_MS;
        pid_t pid;

        o->status = -1;
        o->err = NULL;
        if (errfd < 0)
                return;
        unlink(errpath);
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                if (chdir(dir) < 0)
                        _exit(126);
                dup2(null, 0);
                dup2(null, 1);
                dup2(errfd, 2);
                if (seccomp_state > 0 && forbid_network_sockets() < 0)
                        _exit(126);
                execv(argv[0], argv);
                _exit(127);
        }
        if (pid > 0) {
                pid_t got;
                while ((got = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
                        usleep(2000);
                if (got == 0) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        printf("\n    %s: still running after %d ms, killed\n", file,
                               CASE_TIMEOUT_MS);
                }
                o->status = WIFEXITED(status) ? WEXITSTATUS(status)
                          : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
        }
        if (lseek(errfd, 0, SEEK_SET) == 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/self/fd/%d", errfd);
                if (file_read_all(path, &o->err, NULL, msg, sizeof(msg)) < 0)
                        o->err = NULL;
        }
        close(errfd);
}

/* Calls the kind's loader on file from inside dir. A refused file counts as
 * exit status 2 (what the command that loads it exits with). */
static void run_loader(const struct kind *k, const char *dir, const char *file, struct outcome *o)
{
        char err[1024] = "";
        int here = open(".", O_RDONLY | O_DIRECTORY);

        o->status = -1;
        o->err = NULL;
        if (here < 0 || chdir(dir) < 0) {
                if (here >= 0)
                        close(here);
                return;
        }
        o->status = k->load(file, err, sizeof(err)) < 0 ? 2 : 0;
        if (fchdir(here) < 0)
                perror("fchdir");
        close(here);
        o->err = strdup(err);
}

/* ---------------------------------------------------------------- the catalogue */

static bool ends_with(const char *s, const char *suffix)
{
        size_t l = strlen(s), n = strlen(suffix);
        return l >= n && strcmp(s + l - n, suffix) == 0;
}

/* The expected line of case `file` in dir: FILE.expected, or STEM.expected
 * (the zone folder's naming). Returns the text without its newline (owned),
 * or NULL when the case has none. */
static char *read_expected(const char *dir, const char *file)
{
        char path[8400], err[256], *text = NULL;
        snprintf(path, sizeof(path), "%s/%s.expected", dir, file);
        if (access(path, F_OK) != 0) {
                const char *dot = strrchr(file, '.');
                snprintf(path, sizeof(path), "%s/%.*s.expected", dir,
                         (int)(dot ? dot - file : (ptrdiff_t)strlen(file)), file);
        }
        if (file_read_all(path, &text, NULL, err, sizeof(err)) < 0)
                return NULL;
        text[strcspn(text, "\n")] = '\0';
        return text;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted (free each and the vector). Returns the count,
 * or -1 when dir cannot be read. */
static long list_dir(const char *dir, char ***out)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        char **v = NULL;
        size_t n = 0;

        *out = NULL;
        if (!d)
                return -1;
        while ((e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.')
                        continue;
                if (strv_push(&v, &n, e->d_name) < 0)
                        break;
        }
        closedir(d);
        if (n)
                qsort(v, n, sizeof(*v), name_cmp);
        *out = v;
        return (long)n;
}

static void catalogue_dir(const char *kind, char *buf, size_t len)
{
        snprintf(buf, len, "%s/tests/bad-input/%s", test_source_dir(), kind);
}

/* Checks one case; returns true when it holds, printing why not. */
static bool check_case(const struct kind *k, const char *dir, const char *file)
{
        char stubcompat[4096], tmp[] = "/tmp/stubcompat-bad-input-XXXXXX", out[4200];
        char *argv[ARGV_MAX + 1], *expected = read_expected(dir, file), *first = NULL;
        char **before = NULL, **after = NULL;
        long nbefore, nafter;
        struct outcome o = { -1, NULL };
        struct stat st;
        bool ok = true;
        size_t a = 0;

        if (!expected) {
                printf("\n    %s/%s: no .expected file\n", k->name, file);
                return false;
        }
        if (!mkdtemp(tmp)) {
                free(expected);
                return false;
        }
        nbefore = list_dir(dir, &before);
        snprintf(out, sizeof(out), "%s/out", tmp);
        snprintf(stubcompat, sizeof(stubcompat), "%s/stubcompat", test_build_dir());
        if (k->load) {
                run_loader(k, dir, file, &o);
        } else {
                argv[a++] = stubcompat;
                for (size_t i = 0; k->argv[i] && a < ARGV_MAX; i++)
                        argv[a++] = strcmp(k->argv[i], "FILE") == 0 ? (char *)file
                                  : strcmp(k->argv[i], "TMP") == 0 ? out
                                  : (char *)k->argv[i];
                argv[a] = NULL;
                run_command(dir, file, argv, &o);
        }
        if (o.err)
                first = strndup(o.err, strcspn(o.err, "\n"));
        if (o.status != 2) {
                printf("\n    %s/%s: exit status %d, expected 2%s\n", k->name, file, o.status,
                       o.status == 128 + SIGSYS ? " (killed: it opened a network socket)" : "");
                ok = false;
        }
        if (!first || strcmp(first, expected) != 0) {
                printf("\n    %s/%s: first line of stderr differs\n      got:      %s\n"
                       "      expected: %s\n", k->name, file, first && first[0] ? first : "(nothing)", expected);
                ok = false;
        }
        if (stat(out, &st) == 0) {
                printf("\n    %s/%s: %s was created\n", k->name, file, out);
                ok = false;
        }
        nafter = list_dir(dir, &after);
        if (nafter != nbefore) {
                printf("\n    %s/%s: the folder held %ld names before and %ld after\n", k->name,
                       file, nbefore, nafter);
                ok = false;
        }
        if (!ok && o.err && o.err[0])
                printf("      stderr:\n%s", o.err);
        /* cleanup: the output folder may hold anything a failing command wrote */
        char *rm[] = { "rm", "-rf", tmp, NULL };
        pid_t pid = fork();
        if (pid == 0) {
                execvp(rm[0], rm);
                _exit(127);
        }
        if (pid > 0)
                waitpid(pid, NULL, 0);
        strv_free(before, nbefore > 0 ? (size_t)nbefore : 0);
        strv_free(after, nafter > 0 ? (size_t)nafter : 0);
        free(first);
        free(o.err);
        free(expected);
        return ok;
}

/* Every case of one kind. Returns the number of cases, -1 when the folder
 * does not exist. */
static long check_kind(const struct kind *k, size_t *failed)
{
        char dir[4096], suffix[32], **names = NULL;
        long n, cases = 0;

        catalogue_dir(k->name, dir, sizeof(dir));
        n = list_dir(dir, &names);
        if (n < 0)
                return -1;
        snprintf(suffix, sizeof(suffix), ".%s", k->ext);
        probe_seccomp();
        for (long i = 0; i < n; i++) {
                if (!ends_with(names[i], suffix))
                        continue;   /* .expected files, README.md, helpers (.inc, .py) */
                cases++;
                if (!check_case(k, dir, names[i]))
                        (*failed)++;
        }
        strv_free(names, (size_t)n);
        return cases;
}

static const struct kind *kind_find(const char *name)
{
        for (size_t i = 0; i < NKINDS; i++)
                if (strcmp(kinds[i].name, name) == 0)
                        return &kinds[i];
        return NULL;
}

static void test_kind(const char *name, long at_least)
{
        const struct kind *k = kind_find(name);
        size_t failed = 0;
        long cases = check_kind(k, &failed);

        if (cases < 0)
                TEST_SKIP("no tests/bad-input/%s/ folder", name);
        printf("\n    %s: %ld cases, %zu failed ", name, cases, failed);
        CU_ASSERT(cases >= at_least);
        CU_ASSERT_EQUAL(failed, 0);
}

static void test_scenario(void) { test_kind("scenario", 20); }
static void test_profile(void) { test_kind("profile", 8); }
static void test_zone(void) { test_kind("zone", 1); }
static void test_pcap(void) { test_kind("pcap", 1); }
static void test_dig(void) { test_kind("dig", 1); }
static void test_testns(void) { test_kind("testns", 1); }

/* A folder nobody wired up would be silently ignored: every folder needs a
 * row in kinds, and every file a role (case, its .expected, or a helper). */
static void test_every_folder_has_a_rule(void)
{
        char root[4096], **names = NULL;
        long n;

        snprintf(root, sizeof(root), "%s/tests/bad-input", test_source_dir());
        n = list_dir(root, &names);
        CU_ASSERT_FATAL(n >= 0);
        for (long i = 0; i < n; i++) {
                char path[4400];
                struct stat st;
                snprintf(path, sizeof(path), "%s/%s", root, names[i]);
                if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                        continue;
                if (!kind_find(names[i])) {
                        printf("\n    tests/bad-input/%s/: no row for this kind in "
                               "tests/unit/test-bad-input.c\n", names[i]);
                        CU_FAIL("a bad-input folder without a rule");
                }
        }
        strv_free(names, n > 0 ? (size_t)n : 0);
}

/* An .expected file whose case is gone (renamed, deleted) is a case that
 * silently stopped running. */
static void test_no_orphan_expected(void)
{
        for (size_t k = 0; k < NKINDS; k++) {
                char dir[4096], **names = NULL;
                long n;
                catalogue_dir(kinds[k].name, dir, sizeof(dir));
                n = list_dir(dir, &names);
                for (long i = 0; i < n; i++) {
                        char stem[1024], path[5200];
                        if (!ends_with(names[i], ".expected"))
                                continue;
                        snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(names[i]) - 9), names[i]);
                        snprintf(path, sizeof(path), "%s/%s", dir, stem);
                        bool found = access(path, F_OK) == 0;
                        snprintf(path, sizeof(path), "%s/%s.%s", dir, stem, kinds[k].ext);
                        found = found || access(path, F_OK) == 0;
                        if (!found) {
                                printf("\n    %s/%s: no case for this .expected file\n",
                                       kinds[k].name, names[i]);
                                CU_FAIL("an .expected file without its case");
                        }
                }
                strv_free(names, n > 0 ? (size_t)n : 0);
        }
}

static const struct test_case bad_input_cases[] = {
        { "every folder has a rule", test_every_folder_has_a_rule },
        { "every .expected has its case", test_no_orphan_expected },
        { "scenario files", test_scenario },
        { "profiles", test_profile },
        { "zone files", test_zone },
        { "pcap files", test_pcap },
        { "dig output", test_dig },
        { "testns files", test_testns },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "bad-input", bad_input_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "bad-input", suites);
}
