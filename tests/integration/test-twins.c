/* The real twins alone, no emulation: tests/real/twins.scn writes down, from
 * each library's source, what it does with answers around its limits (sizes,
 * truncation, TCP refused, EDNS), and `stubcompat run` checks every line
 * against the libraries themselves. A twin that cannot run here skips the
 * test (with its reason); it never passes in its place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/command.h"
#include "tests/common/testmain.h"

static const char *const twins[] = {
        "real:glibc-2.36", "real:glibc-2.36-edns0", "real:musl-1.2.3", "real:musl-1.2.4",
        "real:uclibc-ng-1.0.35", "real:go-1.19", "real:java-jndi-17", "real:busybox-1.35",
};
#define NTWINS (sizeof(twins) / sizeof(twins[0]))

/* True when `stubcompat clients` lists name as available; else prints why. */
static bool available(const char *listing, const char *name)
{
        char head[96];
        snprintf(head, sizeof(head), "\n%s ", name);
        const char *at = strstr(listing, head);
        if (!at) {
                printf("\n    %s: not listed", name);
                return false;
        }
        at += strlen(head);
        while (*at == ' ')
                at++;
        /* KIND STANDING AVAILABLE */
        char kind[16], standing[24], avail[8];
        if (sscanf(at, "%15s %23s %7s", kind, standing, avail) != 3 || strcmp(avail, "yes") != 0) {
                const char *why = strstr(at, "why not:");
                printf("\n    %s: %.*s", name, why ? (int)strcspn(why, "\n") : 11,
                       why ? why : "unavailable");
                return false;
        }
        return true;
}

static void test_twins_hold(void)
{
        char bin[4096], out[4200], scn[4200], list[1024] = "";
        struct cmd_result r;
        unsigned missing = 0;

        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        const char *argv_clients[] = { bin, "clients", NULL };
        cmd_run(argv_clients, 60000, &r);
        SP_CHECK(r.status == 0, &r);
        for (size_t i = 0; i < NTWINS; i++) {
                if (!available(r.out ? r.out : "", twins[i]))
                        missing++;
                snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? "," : "",
                         twins[i]);
        }
        cmd_result_free(&r);
        if (missing)
                TEST_SKIP("%u of %zu real twins cannot run here", missing, NTWINS);
        snprintf(out, sizeof(out), "%s/twins-test", test_build_dir());
        snprintf(scn, sizeof(scn), "%s/tests/real/twins.scn", test_source_dir());
        /* --jobs 4: few helpers start at once, so no start-up stall of the
         * loop is taken for a library's timeout on a loaded machine */
        const char *argv[] = { bin, "run", scn, "--clients", list, "--jobs", "4", "--out", out, NULL };
        cmd_run(argv, 300000, &r);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(r.out && strstr(r.out, "real-twins: 26 of 26 expectations hold, 0 failed, 0 not checked") != NULL, &r);
        cmd_result_free(&r);
}

static const struct test_case cases[] = {
        { "each twin's real code keeps the limits its source says", test_twins_hold },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "twins", cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "twins", suites);
}
