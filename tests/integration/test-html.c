/* Integration test of matrix.html in a real browser.
 *
 * Runs `stubcompat run scenarios/mixpanel-2016.scn --clients
 * musl-1.2.3,glibc-2.36` into a temporary folder, opens matrix.html in
 * headless Chromium with --dump-dom (after the page's script has run) and
 * checks the DOM the browser built: one element with class "cell" per cell
 * of matrix.json, the legend, and the script's own count. A second test
 * opens the page at #cell=INDEX and checks the detail panel shows that cell.
 * A screenshot of the page is left at <build>/tests/test-html.png.
 *
 * Needs /usr/bin/chromium (Debian package `chromium`); skipped without it. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/util/strutil.h"
#include "tests/common/testmain.h"

#define CHROMIUM "/usr/bin/chromium"
#define SCENARIO "scenarios/mixpanel-2016.scn"
#define CLIENTS "musl-1.2.3,glibc-2.36"
#define EXPECTED_CELLS (64 * 2 * 2)     /* points x queries x clients */
#define BROWSER_SECONDS 60

static char outdir[256];                /* the run's results, once per program */
static bool run_done, run_ok;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

static void rm_tree(const char *dir)
{
        if (dir[0])
                nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs argv with stdout to out_path (or /dev/null) and stderr to /dev/null,
 * in its own process group, killed with the group after `seconds`. Returns
 * the exit status, or -1 when it could not run or timed out. */
static int run_program(char *const argv[], const char *out_path, int seconds)
{
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -1;
        if (pid == 0) {
                int out = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                               0644);
                int null = open("/dev/null", O_RDWR);
                setpgid(0, 0);
                if (out < 0 || null < 0)
                        _exit(126);
                dup2(null, STDIN_FILENO);
                dup2(out, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execv(argv[0], argv);
                _exit(127);
        }
        setpgid(pid, pid);
        for (int waited_ms = 0;; waited_ms += 50) {
                pid_t r = waitpid(pid, &status, WNOHANG);
                if (r == pid)
                        break;
                if (r < 0)
                        return -1;
                if (waited_ms >= seconds * 1000) {
                        printf("\n    %s: no exit after %d s, killed\n", argv[0], seconds);
                        kill(-pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        return -1;
                }
                nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
        }
        /* helpers the browser left in its group */
        kill(-pid, SIGKILL);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *read_file(const char *path)
{
        char err[256], *data = NULL;
        if (file_read_all(path, &data, NULL, err, sizeof(err)) < 0) {
                printf("\n    %s\n", err);
                return NULL;
        }
        return data;
}

static size_t count(const char *hay, const char *needle)
{
        size_t n = 0, len = strlen(needle);
        for (const char *p = strstr(hay, needle); p; p = strstr(p + len, needle))
                n++;
        return n;
}

/* The suite's results, run once and shared by the tests. */
static bool ensure_run(void)
{
        char bin[512], scenario[512];

        if (run_done)
                return run_ok;
        run_done = true;
        snprintf(outdir, sizeof(outdir), "/tmp/test-html-XXXXXX");
        if (!mkdtemp(outdir)) {
                outdir[0] = '\0';
                return false;
        }
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scenario, sizeof(scenario), "%s/%s", test_source_dir(), SCENARIO);
        char *argv[] = { bin, "run", scenario, "--clients", CLIENTS, "--out", outdir, NULL };
        int rc = run_program(argv, NULL, 60);
        if (rc != 0)
                printf("\n    %s run exited with %d\n", bin, rc);
        run_ok = rc == 0;
        return run_ok;
}

/* Loads the page (with an optional #fragment) in headless Chromium and
 * returns the DOM after scripts ran, or NULL. */
static char *browser_dom(const char *fragment)
{
        char profile[] = "/tmp/test-html-profile-XXXXXX";
        char dom_path[512], url[600], profile_arg[600];
        char *dom = NULL;

        if (!mkdtemp(profile))
                return NULL;
        snprintf(dom_path, sizeof(dom_path), "%s/dom.html", outdir);
        snprintf(url, sizeof(url), "file://%s/matrix.html%s", outdir, fragment);
        snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
        char *argv[] = { CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", profile_arg,
                         "--virtual-time-budget=2000", "--dump-dom", url, NULL };
        int rc = run_program(argv, dom_path, BROWSER_SECONDS);
        if (rc == 0)
                dom = read_file(dom_path);
        else
                printf("\n    chromium exited with %d\n", rc);
        rm_tree(profile);
        return dom;
}

static void test_cells_rendered(void)
{
        char path[512], want[64];

        if (access(CHROMIUM, X_OK) != 0)
                TEST_SKIP(CHROMIUM " is missing (Debian package chromium)");
        CU_ASSERT_FATAL(ensure_run());
        snprintf(path, sizeof(path), "%s/matrix.json", outdir);
        char *json = read_file(path);
        CU_ASSERT_FATAL(json != NULL);
        size_t cells = count(json, "\"verdict\":");
        CU_ASSERT_EQUAL(cells, EXPECTED_CELLS);
        free(json);

        char *dom = browser_dom("");
        CU_ASSERT_FATAL(dom != NULL);
        size_t rendered = count(dom, "class=\"cell ");
        if (rendered != cells)
                printf("\n    rendered %zu cells, matrix.json has %zu\n", rendered, cells);
        CU_ASSERT_EQUAL(rendered, cells);
        /* the script ran and counted the same */
        snprintf(want, sizeof(want), "data-rendered-cells=\"%zu\"", cells);
        CU_ASSERT_PTR_NOT_NULL(strstr(dom, want));
        CU_ASSERT_PTR_NOT_NULL(strstr(dom, "<ul class=\"legend\">"));
        CU_ASSERT_EQUAL(count(dom, "<span class=\"swatch v-"), 2 * 9);
        CU_ASSERT_EQUAL(count(dom, "<table class=\"grid\""), 2);
        CU_ASSERT_PTR_NOT_NULL(strstr(dom, "musl-1.2.3: api.mixpanel.com A: records &lt;= 29"));
        free(dom);
}

/* The index of the first nxdomain cell in matrix.json, or -1. */
static long first_nxdomain(const char *json)
{
        const char *v = strstr(json, "\"verdict\":\"nxdomain\"");
        const char *line;
        if (!v)
                return -1;
        for (line = v; line > json && line[-1] != '\n'; line--)
                ;
        const char *i = strstr(line, "\"index\":");
        return i && i < v ? atol(i + 8) : -1;
}

static void test_detail_panel(void)
{
        char path[512], fragment[32];

        if (access(CHROMIUM, X_OK) != 0)
                TEST_SKIP(CHROMIUM " is missing (Debian package chromium)");
        CU_ASSERT_FATAL(ensure_run());
        snprintf(path, sizeof(path), "%s/matrix.json", outdir);
        char *json = read_file(path);
        CU_ASSERT_FATAL(json != NULL);
        long index = first_nxdomain(json);
        free(json);
        CU_ASSERT_FATAL(index >= 0);
        snprintf(fragment, sizeof(fragment), "#cell=%ld", index);
        char *dom = browser_dom(fragment);
        CU_ASSERT_FATAL(dom != NULL);
        const char *panel = strstr(dom, "<aside id=\"panel\"");
        CU_ASSERT_FATAL(panel != NULL);
        /* shown, and filled from the cell */
        CU_ASSERT(strncmp(panel, "<aside id=\"panel\">", 18) == 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(panel, "<dt>client</dt><dd>musl-1.2.3 (emulated)</dd>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(panel, "<dt>verdict</dt><dd>nxdomain</dd>"));
        CU_ASSERT_PTR_NOT_NULL(strstr(panel, "<dt>tc replies</dt><dd>1</dd>"));
        CU_ASSERT_EQUAL(count(dom, "class=\"cell v-nxdomain selected\""), 1);
        free(dom);
}

static void test_screenshot(void)
{
        char png[512], shot_arg[600], url[600], profile_arg[600];
        char profile[] = "/tmp/test-html-profile-XXXXXX";

        if (access(CHROMIUM, X_OK) != 0)
                TEST_SKIP(CHROMIUM " is missing (Debian package chromium)");
        CU_ASSERT_FATAL(ensure_run());
        CU_ASSERT_FATAL(mkdtemp(profile) != NULL);
        snprintf(png, sizeof(png), "%s/tests/test-html.png", test_build_dir());
        unlink(png);
        snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", png);
        snprintf(url, sizeof(url), "file://%s/matrix.html", outdir);
        snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
        char *argv[] = { CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", profile_arg,
                         "--hide-scrollbars", "--window-size=1280,1600",
                         "--virtual-time-budget=2000", shot_arg, url, NULL };
        CU_ASSERT_EQUAL(run_program(argv, NULL, BROWSER_SECONDS), 0);
        rm_tree(profile);
        char *data = read_file(png);
        CU_ASSERT_FATAL(data != NULL);
        CU_ASSERT(memcmp(data, "\x89PNG", 4) == 0);
        printf("\n    screenshot: %s\n", png);
        free(data);
}

static const struct test_case html_cases[] = {
        { "one rendered cell per matrix cell", test_cells_rendered },
        { "detail panel from #cell=INDEX", test_detail_panel },
        { "screenshot", test_screenshot },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "html", html_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        int rc = test_main(argc, argv, "html", suites);
        rm_tree(outdir);
        return rc;
}
