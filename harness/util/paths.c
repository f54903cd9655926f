#include "harness/util/paths.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef STUBCOMPAT_SOURCE_ROOT
#define STUBCOMPAT_SOURCE_ROOT "."
#endif
#ifndef STUBCOMPAT_BUILD_ROOT
#define STUBCOMPAT_BUILD_ROOT "build"
#endif

const char *paths_data_dir(void)
{
        const char *d = getenv("STUBCOMPAT_DATA_DIR");
        return d && *d ? d : STUBCOMPAT_SOURCE_ROOT;
}

const char *paths_helper_dir(void)
{
        const char *d = getenv("STUBCOMPAT_HELPER_DIR");
        return d && *d ? d : STUBCOMPAT_BUILD_ROOT "/clients/real";
}

const char *paths_data(const char *rel, char *buf, size_t len)
{
        snprintf(buf, len, "%s/%s", paths_data_dir(), rel);
        return buf;
}
