/* `stubcompat calibrate`: every emulated profile with a real twin agrees with
 * it on every calibration cell. This is the oracle check the project's
 * emulated verdicts rest on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/command.h"
#include "tests/common/testmain.h"

static const char *const pairs[] = {
        "musl-1.2.3", "glibc-2.36", "glibc-2.36-edns0", "c-ares-1.18",
        "c-ares-1.18-igntc", "c-ares-1.18-edns", "tcp-only", "musl-1.2.4", "uclibc-ng",
        "go", "java-jndi", "busybox-nslookup",
};

static void test_full_agreement(void)
{
        char bin[4096], out[4200], line[512];
        struct cmd_result r;
        unsigned agreed = 0, skipped = 0;

        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(out, sizeof(out), "%s/calibration-test", test_build_dir());
        const char *argv[] = { bin, "calibrate", "--jobs", "16", "--out", out, NULL };
        /* --jobs 16: under ASan on a loaded machine 64 cells in flight stall
         * the loop long enough to look like a library's timeout */
        cmd_run(argv, 600000, &r);
        for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
                char want[128];
                const char *at = r.out;
                bool found = false;
                snprintf(want, sizeof(want), "%s ", pairs[i]);
                while ((at = strstr(at, want)) != NULL) {
                        if (at == r.out || at[-1] == '\n') {
                                found = true;
                                break;
                        }
                        at++;
                }
                SP_CHECK(found, &r);
                if (!found)
                        continue;
                snprintf(line, sizeof(line), "%.*s", (int)strcspn(at, "\n"), at);
                if (strstr(line, "skipped:")) {
                        printf("\n    %s\n", line);
                        skipped++;
                        continue;
                }
                unsigned a = 0, n = 0;
                if (sscanf(line, "%*s <-> %*s %u/%u cells agree", &a, &n) != 2)
                        a = n = 0;
                CU_ASSERT(n > 0 && a == n);
                if (n > 0 && a == n)
                        agreed++;
                else
                        printf("\n    %s\n", line);
        }
        SP_CHECK(strstr(r.out, "DISAGREE") == NULL, &r);
        if (skipped)
                TEST_SKIP("%u pairs could not run here (real twin unavailable)", skipped);
        SP_CHECK(r.status == 0, &r);
        CU_ASSERT_EQUAL(agreed, sizeof(pairs) / sizeof(pairs[0]));
        cmd_result_free(&r);
}

static const struct test_case cases[] = {
        { "every profile agrees with its real twin", test_full_agreement },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "calibrate", cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "calibrate", suites);
}
