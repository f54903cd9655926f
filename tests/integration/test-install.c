/* `meson install --destdir`: the installed tree holds the program, the
 * profiles and scenarios under datadir/stubcompat and the helpers under
 * libexecdir/stubcompat; no installed file names the build machine's source or
 * build folder; the installed program finds its files relative to itself
 * (run from /, no checkout needed), and STUBCOMPAT_DATA_DIR and
 * STUBCOMPAT_HELPER_DIR override that; it reports its version and the
 * libraries' versions.
 *
 * The install layout comes from meson through STUBCOMPAT_INSTALL_BINDIR,
 * _DATADIR and _LIBEXECDIR (absolute, as configured). */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/common/command.h"
#include "tests/common/testmain.h"

static char destdir[256];
static char bindir[4096], datadir[4096], helperdir[4096], program[4096 + 16];
static bool installed;

static const char *layout(const char *var)
{
        const char *v = getenv(var);
        return v && *v ? v : NULL;
}

static void remove_destdir(void)
{
        if (destdir[0]) {
                struct cmd_result r;
                cmd_run(SP_LIST("rm", "-rf", destdir), 60000, &r);
                cmd_result_free(&r);
        }
}

/* Installs the build tree once into a fresh destdir. */
static bool install_once(void)
{
        static bool tried;
        if (tried)
                return installed;
        tried = true;
        const char *b = layout("STUBCOMPAT_INSTALL_BINDIR"), *d = layout("STUBCOMPAT_INSTALL_DATADIR"),
                   *l = layout("STUBCOMPAT_INSTALL_LIBEXECDIR");
        if (!b || !d || !l)
                return false;
        snprintf(destdir, sizeof(destdir), "/tmp/stubcompat-install-XXXXXX");
        if (!mkdtemp(destdir))
                return false;
        atexit(remove_destdir);
        snprintf(bindir, sizeof(bindir), "%s%s", destdir, b);
        snprintf(datadir, sizeof(datadir), "%s%s/stubcompat", destdir, d);
        snprintf(helperdir, sizeof(helperdir), "%s%s/stubcompat", destdir, l);
        snprintf(program, sizeof(program), "%s/stubcompat", bindir);
        struct cmd_result r;
        cmd_run(SP_LIST("meson", "install", "-C", test_build_dir(), "--no-rebuild", "--quiet",
                        "--destdir", destdir), 120000, &r);
        SP_CHECK(r.status == 0, &r);
        installed = r.status == 0;
        cmd_result_free(&r);
        /* from here on the installed program must find everything by itself */
        unsetenv("STUBCOMPAT_DATA_DIR");
        unsetenv("STUBCOMPAT_HELPER_DIR");
        return installed;
}

#define NEED_INSTALL() do { \
        if (!install_once()) { \
                CU_FAIL("meson install --destdir failed (or the layout variables are unset)"); \
                return; \
        } \
} while (0)

static bool exists(const char *dir, const char *rel, mode_t type)
{
        char path[8192];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

static void test_layout(void)
{
        NEED_INSTALL();
        CU_ASSERT(exists(bindir, "stubcompat", S_IFREG));
        CU_ASSERT(exists(datadir, "profiles/musl-1.2.3.profile", S_IFREG));
        CU_ASSERT(exists(datadir, "profiles/glibc-2.36.profile", S_IFREG));
        CU_ASSERT(exists(datadir, "scenarios/mixpanel-2016.scn", S_IFREG));
        CU_ASSERT(exists(datadir, "scenarios/calibration.scn", S_IFREG));
        CU_ASSERT(exists(helperdir, "gai-helper-glibc", S_IFREG));
}

/* ---------------------------------------------------------------- no build paths */

static char needle_source[4096], needle_build[4096];
static int files_seen, files_with_path;

static bool file_contains(const char *path, const char *needle)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return false;
        size_t nlen = strlen(needle), have = 0;
        char buf[65536 + 4096];
        bool hit = false;
        for (;;) {
                size_t got = fread(buf + have, 1, sizeof(buf) - have, f);
                if (got == 0)
                        break;
                have += got;
                if (memmem(buf, have, needle, nlen)) {
                        hit = true;
                        break;
                }
                /* keep a tail so a match across two reads is found */
                size_t keep = have < nlen ? have : nlen - 1;
                memmove(buf, buf + have - keep, keep);
                have = keep;
        }
        fclose(f);
        return hit;
}

static int check_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)st;
        (void)ftw;
        if (type != FTW_F)
                return 0;
        files_seen++;
        bool src = file_contains(path, needle_source), bld = file_contains(path, needle_build);
        if (src || bld) {
                files_with_path++;
                printf("\n    %s names the %s folder", path, bld ? "build" : "source");
        }
        return 0;
}

static void test_no_build_machine_paths(void)
{
        NEED_INSTALL();
        /* realpath: the folders as the compiler saw them */
        if (!realpath(test_source_dir(), needle_source) || !realpath(test_build_dir(), needle_build)) {
                CU_FAIL("cannot resolve the source or build folder");
                return;
        }
        files_seen = files_with_path = 0;
        CU_ASSERT(nftw(destdir, check_file, 16, FTW_PHYS) == 0);
        CU_ASSERT(files_seen > 10);
        CU_ASSERT_EQUAL(files_with_path, 0);
}

/* ---------------------------------------------------------------- runs from / */

static void test_clients_from_root(void)
{
        NEED_INSTALL();
        struct cmd_result r;
        CU_ASSERT(chdir("/") == 0);
        cmd_run(SP_LIST(program, "clients"), 30000, &r);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "files (installed)") != NULL, &r);
        SP_CHECK(strstr(r.out, "musl-1.2.3 ") != NULL, &r);          /* a profile was read */
        /* the folder is printed as bindir/../libexec/stubcompat: the tail */
        SP_CHECK(strstr(r.out, "libexec/stubcompat: ") != NULL, &r);
        SP_CHECK(strstr(r.out, " gai-helper-glibc") != NULL, &r);
        SP_CHECK(strstr(r.out, test_build_dir()) == NULL, &r);
        cmd_result_free(&r);
}

static void test_run_from_root(void)
{
        NEED_INSTALL();
        struct cmd_result r;
        char scn[8192], out[512];
        snprintf(scn, sizeof(scn), "%s/scenarios/mixpanel-2016.scn", datadir);
        snprintf(out, sizeof(out), "%s/r", destdir);
        CU_ASSERT(chdir("/") == 0);
        cmd_run(SP_LIST(program, "run", scn, "--clients", "rfc1035-udp512,glibc-2.36", "--out", out),
                120000, &r);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "expectations hold") != NULL, &r);
        cmd_result_free(&r);
        CU_ASSERT(exists(out, "matrix.json", S_IFREG));
}

/* ---------------------------------------------------------------- version */

/* The "build" and "run" versions of one library in `version --json`. */
static bool library_versions(const char *json, const char *name, char *built, char *running, size_t len)
{
        char key[64];
        snprintf(key, sizeof(key), "\"%s\":{\"build\":\"", name);
        const char *p = strstr(json, key);
        if (!p)
                return false;
        p += strlen(key);
        snprintf(built, len, "%.*s", (int)strcspn(p, "\""), p);
        p = strstr(p, "\"run\":\"");
        if (!p)
                return false;
        p += strlen("\"run\":\"");
        snprintf(running, len, "%.*s", (int)strcspn(p, "\""), p);
        return built[0] && running[0];
}

static void test_version(void)
{
        NEED_INSTALL();
        struct cmd_result r;
        cmd_run(SP_LIST(program, "--help"), 30000, &r);
        SP_CHECK(r.status == 0 && strstr(r.out, "--version") != NULL, &r);
        cmd_result_free(&r);

        cmd_run(SP_LIST(program, "--version"), 30000, &r);
        SP_CHECK(r.status == 0 && strncmp(r.out, "stubcompat ", 11) == 0 && strstr(r.out, "commit "), &r);
        cmd_result_free(&r);

        cmd_run(SP_LIST(program, "version", "--json"), 30000, &r);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "\"commit\":\"") != NULL, &r);
        static const char *const libs[] = { "c-ares", "libevent", "ldns", "libpcap" };
        for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
                char built[64], running[64];
                bool found = library_versions(r.out, libs[i], built, running, sizeof(built));
                SP_CHECK(found, &r);
                /* this machine runs the libraries it built against */
                if (found && strcmp(built, running) != 0)
                        printf("\n    %s: built %s, running %s", libs[i], built, running);
                CU_ASSERT(found && strcmp(built, running) == 0);
        }
        cmd_result_free(&r);

        cmd_run(SP_LIST(program, "version", "--bogus"), 30000, &r);
        SP_CHECK(r.status == 2, &r);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- man page, completion */

static void test_man_page(void)
{
        NEED_INSTALL();
        char page[8192];
        if (!layout("STUBCOMPAT_INSTALL_MANDIR"))
                TEST_SKIP("STUBCOMPAT_INSTALL_MANDIR unset (built with -Dman=disabled)");
        snprintf(page, sizeof(page), "%s%s/man1/stubcompat.1", destdir, layout("STUBCOMPAT_INSTALL_MANDIR"));
        struct stat st;
        CU_ASSERT_FATAL(stat(page, &st) == 0);
        /* the roff source names the installed scenarios folder and every command */
        struct cmd_result r;
        cmd_run(SP_LIST("cat", page), 30000, &r);
        SP_CHECK(strstr(r.out, ".TH \"stubcompat\" \"1\"") != NULL, &r);
        static const char *const commands[] = { "run", "merge", "diff", "clients", "resolvers", "calibrate", "serve",
                                                "reproduce", "check-zone", "version" };
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                char heading[64];
                snprintf(heading, sizeof(heading), ".SS %s", commands[i]);
                SP_CHECK(strstr(r.out, heading) != NULL, &r);
        }
        SP_CHECK(strstr(r.out, "/stubcompat/scenarios/") != NULL, &r);
        cmd_result_free(&r);
}

/* COMPREPLY of the installed completion for the words given (the last one
 * being completed), with bash-completion's own helpers loaded. */
static int complete_words(const char *words, struct cmd_result *r)
{
        char script[16384];
        snprintf(script, sizeof(script),
                 ". /usr/share/bash-completion/bash_completion; . '%s'; "
                 "COMP_WORDS=('%s' %s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                 "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
                 "_stubcompat; printf '%%s\\n' \"${COMPREPLY[@]}\"",
                 layout("STUBCOMPAT_TEST_COMPLETION"), program, words);
        return cmd_run(SP_LIST("bash", "-c", script), 30000, r);
}

static void test_completion(void)
{
        NEED_INSTALL();
        char path[8192];
        const char *dir = layout("STUBCOMPAT_INSTALL_COMPLETIONSDIR");
        if (!dir)
                TEST_SKIP("STUBCOMPAT_INSTALL_COMPLETIONSDIR unset (built without the completion)");
        if (access("/usr/share/bash-completion/bash_completion", R_OK) != 0)
                TEST_SKIP("bash-completion is not installed (Debian package bash-completion)");
        snprintf(path, sizeof(path), "%s%s/stubcompat", destdir, dir);
        CU_ASSERT_FATAL(access(path, R_OK) == 0);
        setenv("STUBCOMPAT_TEST_COMPLETION", path, 1);
        struct cmd_result r;

        complete_words("ch", &r);                          /* a command */
        SP_CHECK(r.status == 0 && strcmp(r.out, "check-zone\n") == 0, &r);
        cmd_result_free(&r);

        complete_words("run --cl", &r);                    /* an option */
        SP_CHECK(strcmp(r.out, "--clients\n") == 0, &r);
        cmd_result_free(&r);

        complete_words("run --clients rfc1035-udp512,lw", &r);   /* client names */
        SP_CHECK(strcmp(r.out, "rfc1035-udp512,lwip-1.4\n") == 0, &r);
        cmd_result_free(&r);

        complete_words("run x.scn --clients real:glibc-2.36-e", &r);
        SP_CHECK(strstr(r.out, "real:glibc-2.36-edns0\n") != NULL, &r);
        cmd_result_free(&r);

        complete_words("serve x.scn --set recor", &r);     /* --set keys */
        SP_CHECK(strcmp(r.out, "records=\n") == 0, &r);
        cmd_result_free(&r);

        complete_words("version --j", &r);
        SP_CHECK(strcmp(r.out, "--json\n") == 0, &r);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- overrides */

static void test_overrides(void)
{
        NEED_INSTALL();
        struct cmd_result r;
        char empty[512];
        snprintf(empty, sizeof(empty), "%s/empty", destdir);
        CU_ASSERT(mkdir(empty, 0755) == 0);

        setenv("STUBCOMPAT_HELPER_DIR", empty, 1);
        cmd_run(SP_LIST(program, "clients"), 30000, &r);
        unsetenv("STUBCOMPAT_HELPER_DIR");
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "files (environment)") != NULL, &r);
        SP_CHECK(strstr(r.out, "gai-helper-glibc not found in") != NULL, &r);
        SP_CHECK(strstr(r.out, empty) != NULL, &r);
        cmd_result_free(&r);

        /* an empty data folder: no profiles, a usage error naming the folder */
        setenv("STUBCOMPAT_DATA_DIR", empty, 1);
        cmd_run(SP_LIST(program, "clients"), 30000, &r);
        unsetenv("STUBCOMPAT_DATA_DIR");
        SP_CHECK(r.status == 2, &r);
        SP_CHECK(strstr(r.err, empty) != NULL, &r);
        cmd_result_free(&r);

        /* a source tree as the data folder (clients/profiles/) */
        setenv("STUBCOMPAT_DATA_DIR", test_source_dir(), 1);
        cmd_run(SP_LIST(program, "clients"), 30000, &r);
        unsetenv("STUBCOMPAT_DATA_DIR");
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "clients/profiles") != NULL, &r);
        cmd_result_free(&r);
}

static const struct test_case install_cases[] = {
        { "installed layout", test_layout },
        { "no path of the build machine in the installed tree", test_no_build_machine_paths },
        { "installed clients from / find profiles and helpers", test_clients_from_root },
        { "installed run from / with the installed scenario", test_run_from_root },
        { "--help lists --version; version --json names the libraries", test_version },
        { "the man page names every command", test_man_page },
        { "bash completion: commands, options, clients, --set keys", test_completion },
        { "STUBCOMPAT_DATA_DIR and STUBCOMPAT_HELPER_DIR override", test_overrides },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "install", install_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "install", suites);
}
