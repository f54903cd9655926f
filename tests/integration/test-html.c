/* Integration test of matrix.html in a real browser.
 *
 * Runs `stubcompat run scenarios/mixpanel-2016.scn --clients
 * musl-1.2.3,glibc-2.36` into a temporary folder, opens matrix.html in
 * headless Chromium with --dump-dom (after the page's script has run) and
 * checks the DOM the browser built: one element with class "cell" per cell
 * of matrix.json, the legend, and the script's own count. A second test
 * opens the page at #cell=INDEX and checks the detail panel shows that cell.
 * The screenshot test (left at <build>/tests/test-html.png) reads the
 * pixels: the red 512-byte line lies between the row of 29 records (498
 * bytes, the last that fits) and of 30 (514 bytes), on the first screen.
 * The calibration test runs scenarios/calibration.scn (emulated clients and
 * real c-ares, > 20,000 cells: the folded page) and has the page time its
 * own load and every filter.
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
#include <sys/stat.h>
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
static char *browser_dom_of(const char *dir, const char *fragment, const char *window,
                            bool virtual_time)
{
        char profile[] = "/tmp/test-html-profile-XXXXXX";
        char dom_path[512], url[600], profile_arg[600], window_arg[64];
        char *dom = NULL;

        if (!mkdtemp(profile))
                return NULL;
        snprintf(dom_path, sizeof(dom_path), "%s/dom.html", dir);
        snprintf(url, sizeof(url), "file://%s/matrix.html%s", dir, fragment);
        snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
        snprintf(window_arg, sizeof(window_arg), "--window-size=%s", window);
        /* timing tests run in real time: a virtual clock would make them pass */
        char *argv[] = { CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", profile_arg,
                         "--hide-scrollbars", window_arg, "--dump-dom", url,
                         virtual_time ? "--virtual-time-budget=2000" : NULL, NULL };
        int rc = run_program(argv, dom_path, BROWSER_SECONDS);
        if (rc == 0)
                dom = read_file(dom_path);
        else
                printf("\n    chromium exited with %d\n", rc);
        rm_tree(profile);
        return dom;
}

static char *browser_dom(const char *fragment)
{
        return browser_dom_of(outdir, fragment, "1280,1400", true);
}

/* The value of body's attribute name in a dumped DOM, copied to buf ("" when absent). */
static const char *body_attr(const char *dom, const char *name, char *buf, size_t len)
{
        char key[64];
        const char *body = dom ? strstr(dom, "<body") : NULL, *end = body ? strchr(body, '>') : NULL;
        snprintf(key, sizeof(key), " %s=\"", name);
        const char *a = body ? strstr(body, key) : NULL;
        buf[0] = '\0';
        if (a && a < end) {
                a += strlen(key);
                snprintf(buf, len, "%.*s", (int)strcspn(a, "\""), a);
        }
        return buf;
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

/* "name=A,B" in a data-layout value: A and B, or false. */
static bool layout_pair(const char *layout, const char *name, long *a, long *b)
{
        char key[32];
        snprintf(key, sizeof(key), "%s=", name);
        const char *p = layout;
        while ((p = strstr(p, key)) != NULL && p != layout && p[-1] != ';')
                p++;
        return p && sscanf(p + strlen(key), "%ld,%ld", a, b) == 2;
}

/* Reads the RGB of pixel (x, y) of each point from a PNG (Python's zlib
 * undoes the compression; the PNG row filters are undone here). */
static const char png_pixels[] =
        "import sys, zlib, struct\n"
        "d = open(sys.argv[1], 'rb').read()\n"
        "assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
        "pos, idat = 8, b''\n"
        "while pos < len(d):\n"
        "    n, t = struct.unpack('>I4s', d[pos:pos + 8]); body = d[pos + 8:pos + 8 + n]\n"
        "    if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])\n"
        "    if t == b'IDAT': idat += body\n"
        "    pos += 12 + n\n"
        "assert depth == 8 and ctype in (2, 6)\n"
        "bpp = 3 if ctype == 2 else 4; raw = zlib.decompress(idat); stride = w * bpp\n"
        "rows, prev, o = [], bytearray(stride), 0\n"
        "for y in range(h):\n"
        "    f = raw[o]; line = bytearray(raw[o + 1:o + 1 + stride]); o += 1 + stride\n"
        "    for i in range(stride):\n"
        "        a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0\n"
        "        if f == 1: line[i] = (line[i] + a) & 255\n"
        "        elif f == 2: line[i] = (line[i] + b) & 255\n"
        "        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255\n"
        "        elif f == 4:\n"
        "            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)\n"
        "            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255\n"
        "    rows.append(line); prev = line\n"
        "for arg in sys.argv[2:]:\n"
        "    x, y = map(int, arg.split(','))\n"
        "    px = rows[y][x * bpp:x * bpp + 3]\n"
        "    print(px[0], px[1], px[2])\n";

static bool is_red(int r, int g, int b)
{
        return r > 170 && g < 50 && b < 50;
}

/* The 512-byte line of mixpanel-2016's first grid (api.mixpanel.com A) lies
 * between the row of 29 records (498 bytes) and of 30 (514 bytes), on the
 * first screen: from the layout the page reports and from the screenshot's
 * pixels at those heights. */
static void test_screenshot(void)
{
        char png[512], shot_arg[600], url[600], profile_arg[600], layout[512], cmd[2400];
        char profile[] = "/tmp/test-html-profile-XXXXXX";
        long line_top, line_bottom, before_top, before_bottom, after_top, after_bottom, x0, x1;

        if (access(CHROMIUM, X_OK) != 0)
                TEST_SKIP(CHROMIUM " is missing (Debian package chromium)");
        CU_ASSERT_FATAL(ensure_run());
        char *dom = browser_dom("#layout");
        CU_ASSERT_FATAL(dom != NULL);
        body_attr(dom, "data-layout", layout, sizeof(layout));
        free(dom);
        printf("\n    layout: %s\n", layout);
        CU_ASSERT_PTR_NOT_NULL(strstr(layout, ";before-bytes=498;after-bytes=514;"));
        CU_ASSERT_FATAL(layout_pair(layout, "line", &line_top, &line_bottom) &&
                        layout_pair(layout, "before", &before_top, &before_bottom) &&
                        layout_pair(layout, "after", &after_top, &after_bottom) &&
                        layout_pair(layout, "x", &x0, &x1));
        CU_ASSERT(before_bottom <= line_top && line_bottom <= after_top);
        CU_ASSERT(line_bottom < 1400);          /* on the first screen of a 1280x1400 window */

        CU_ASSERT_FATAL(mkdtemp(profile) != NULL);
        snprintf(png, sizeof(png), "%s/tests/test-html.png", test_build_dir());
        unlink(png);
        snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", png);
        snprintf(url, sizeof(url), "file://%s/matrix.html#layout", outdir);
        snprintf(profile_arg, sizeof(profile_arg), "--user-data-dir=%s", profile);
        char *argv[] = { CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", profile_arg,
                         "--hide-scrollbars", "--window-size=1280,1400",
                         "--virtual-time-budget=2000", shot_arg, url, NULL };
        CU_ASSERT_EQUAL(run_program(argv, NULL, BROWSER_SECONDS), 0);
        rm_tree(profile);
        printf("    screenshot: %s\n", png);

        /* three columns across the grid, at the middle of the line and of each row */
        char points[256] = "", pixels_path[600];
        size_t o = 0;
        long ys[3] = { (line_top + line_bottom) / 2, (before_top + before_bottom) / 2,
                       (after_top + after_bottom) / 2 };
        for (int k = 0; k < 3; k++)
                for (int i = 1; i <= 3; i++)
                        o += (size_t)snprintf(points + o, sizeof(points) - o, " %ld,%ld",
                                              x0 + (x1 - x0) * (2 * i + 1) / 8, ys[k]);
        snprintf(pixels_path, sizeof(pixels_path), "%s/pixels.txt", outdir);
        FILE *py = fopen(pixels_path, "w");
        CU_ASSERT_FATAL(py != NULL);
        fputs(png_pixels, py);
        fclose(py);
        snprintf(cmd, sizeof(cmd), "python3 %s %s%s > %s.out", pixels_path, png, points,
                 pixels_path);
        CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s.out", pixels_path);
        char *out = read_file(cmd);
        CU_ASSERT_FATAL(out != NULL);
        int rgb[9][3], n = 0;
        for (const char *p = out; n < 9 && sscanf(p, "%d %d %d", &rgb[n][0], &rgb[n][1],
                                                  &rgb[n][2]) == 3; n++)
                p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
        free(out);
        CU_ASSERT_EQUAL_FATAL(n, 9);
        for (int i = 0; i < 3; i++) {
                CU_ASSERT(is_red(rgb[i][0], rgb[i][1], rgb[i][2]));             /* the line */
                CU_ASSERT(!is_red(rgb[3 + i][0], rgb[3 + i][1], rgb[3 + i][2]));  /* 29 records */
                CU_ASSERT(!is_red(rgb[6 + i][0], rgb[6 + i][1], rgb[6 + i][2]));  /* 30 records */
        }
}

/* ---------------------------------------------------------------- calibration */

#define CALIBRATION "scenarios/calibration.scn"
#define CALIBRATION_CLIENTS "emulated,real:c-ares-1.18"

/* calibration's page: folded (over 20,000 cells), under 5 MB, loaded in
 * under 3 s and each filter applied in under 1 s, in real time; the filters
 * change what is shown. */
static void test_calibration_page(void)
{
        char dir[] = "/tmp/test-html-cal-XXXXXX", bin[512], scenario[512], path[600];
        char value[128];
        struct stat st;

        if (access(CHROMIUM, X_OK) != 0)
                TEST_SKIP(CHROMIUM " is missing (Debian package chromium)");
        CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scenario, sizeof(scenario), "%s/%s", test_source_dir(), CALIBRATION);
        char *argv[] = { bin, "run", "-q", scenario, "--clients", CALIBRATION_CLIENTS, "--out",
                         dir, NULL };
        int rc = run_program(argv, NULL, 600);
        CU_ASSERT_FATAL(rc == 0 || rc == 1);    /* 1: an expectation failed; the page is still whole */
        snprintf(path, sizeof(path), "%s/matrix.html", dir);
        CU_ASSERT_FATAL(stat(path, &st) == 0);
        printf("\n    matrix.html: %lld bytes\n", (long long)st.st_size);
        CU_ASSERT(st.st_size < 5 * 1000 * 1000);

        char *dom = browser_dom_of(dir, "#selftest", "1280,900", false);
        CU_ASSERT_FATAL(dom != NULL);
        CU_ASSERT_STRING_EQUAL(body_attr(dom, "data-mode", value, sizeof(value)), "folded");
        long load = atol(body_attr(dom, "data-load-ms", value, sizeof(value)));
        long filter = atol(body_attr(dom, "data-filter-ms", value, sizeof(value)));
        printf("    load %ld ms, slowest filter %ld ms\n", load, filter);
        CU_ASSERT(value[0] != '\0');
        CU_ASSERT(load > 0 && load < 3000);
        CU_ASSERT(filter >= 0 && filter < 1000);
        /* rows: all, failures only, disagreements only; header cells: one client, all */
        long all = -1, failing = -1, disagreeing = -1, one = -1, cols = -1;
        CU_ASSERT_EQUAL(sscanf(body_attr(dom, "data-rows", value, sizeof(value)), "%ld %ld %ld %ld %ld",
                               &all, &failing, &disagreeing, &one, &cols), 5);
        printf("    rows %ld, failing %ld, disagreeing %ld; columns %ld of %ld\n", all, failing,
               disagreeing, one, cols);
        CU_ASSERT(all > 0 && failing > 0 && failing <= all && disagreeing <= all);
        CU_ASSERT(one == 6 && cols > one);      /* per grid: point, bytes, the one client */
        free(dom);
        rm_tree(dir);
}

static const struct test_case html_cases[] = {
        { "one rendered cell per matrix cell", test_cells_rendered },
        { "detail panel from #cell=INDEX", test_detail_panel },
        { "screenshot: the 512-byte line between 29 and 30 records", test_screenshot },
        { "calibration: folded, < 5 MB, load < 3 s, filters", test_calibration_page },
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
