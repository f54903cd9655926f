#include "tests/common/testmain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

static unsigned skipped;
static const char *current_test;

void test_skip(const char *fmt, ...)
{
        va_list ap;
        CU_pTest t = CU_get_current_test();
        fprintf(stdout, "\n    SKIPPED %s: ", t && t->pName ? t->pName : current_test ? current_test : "?");
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        skipped++;
}

static void on_test_start(const CU_pTest test, const CU_pSuite suite)
{
        (void)suite;
        current_test = test->pName;
}

const char *test_build_dir(void)
{
        const char *d = getenv("STUBCOMPAT_BUILD_DIR");
        return d ? d : ".";
}

const char *test_source_dir(void)
{
        const char *d = getenv("STUBCOMPAT_SOURCE_DIR");
        return d ? d : "..";
}

int test_main(int argc, char **argv, const char *program, const struct test_suite *suites)
{
        unsigned run, failed, passed;

        if (CU_initialize_registry() != CUE_SUCCESS)
                return 2;
        for (const struct test_suite *s = suites; s->name; s++) {
                int wanted = argc < 2;
                for (int i = 1; i < argc; i++)
                        if (strcmp(argv[i], s->name) == 0)
                                wanted = 1;
                if (!wanted)
                        continue;
                CU_pSuite suite = CU_add_suite(s->name, NULL, NULL);
                for (const struct test_case *c = s->cases; c->name; c++)
                        CU_add_test(suite, c->name, c->fn);
        }
        CU_set_test_start_handler(on_test_start);
        CU_basic_set_mode(CU_BRM_VERBOSE);
        CU_basic_run_tests();
        run = CU_get_number_of_tests_run();
        failed = CU_get_number_of_tests_failed();
        passed = run - failed >= skipped ? run - failed - skipped : 0;
        printf("\nTESTSUMMARY %s passed=%u failed=%u skipped=%u\n", program, passed, failed, skipped);
        CU_cleanup_registry();
        return failed ? 1 : 0;
}
