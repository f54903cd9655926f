/* Shared CUnit runner: each test program defines its suites in a table and
 * calls test_main(). Skips are explicit and never counted as passes. */
#pragma once

#include <CUnit/CUnit.h>

struct test_case {
        const char *name;
        void (*fn)(void);
};

struct test_suite {
        const char *name;
        const struct test_case *cases;   /* terminated by { NULL, NULL } */
};

/* Marks the running test skipped with a reason and returns from it. The
 * summary line counts it as skipped, not passed. */
#define TEST_SKIP(...) do { test_skip(__VA_ARGS__); return; } while (0)
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs the suites (all of them, or those named in argv[1..]) and prints
 * CUnit's summary plus "TESTSUMMARY program passed=N failed=N skipped=N".
 * Returns the process exit status: 0 when nothing failed. */
int test_main(int argc, char **argv, const char *program, const struct test_suite *suites);

/* The build directory's tree (for helper programs) and the source tree. */
const char *test_build_dir(void);
const char *test_source_dir(void);
