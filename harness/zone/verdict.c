#include "harness/zone/verdict.h"

#include <string.h>

static const char *const verdict_table[VERDICT_MAX] = {
        [VERDICT_OK] = "ok",
        [VERDICT_PARTIAL] = "partial",
        [VERDICT_WRONG] = "wrong",
        [VERDICT_NODATA] = "nodata",
        [VERDICT_NXDOMAIN] = "nxdomain",
        [VERDICT_ERROR] = "error",
        [VERDICT_TIMEOUT] = "timeout",
        [VERDICT_SKIPPED] = "skipped",
        [VERDICT_HARNESS_ERROR] = "harness-error",
};

const char *verdict_to_string(enum verdict v)
{
        return (v >= 0 && v < VERDICT_MAX) ? verdict_table[v] : "invalid";
}

enum verdict verdict_from_string(const char *s)
{
        for (int i = 0; i < VERDICT_MAX; i++)
                if (strcmp(verdict_table[i], s) == 0)
                        return (enum verdict)i;
        return VERDICT_INVALID;
}

bool verdict_is_success(enum verdict v)
{
        return v == VERDICT_OK;
}

bool verdict_is_unchecked(enum verdict v)
{
        return v == VERDICT_SKIPPED || v == VERDICT_HARNESS_ERROR;
}
