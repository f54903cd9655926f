#include "harness/util/paths.h"

#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stubcompat-config.h"

/* The marker meson writes into the build tree (never installed). */
#define BUILD_TREE_FILE "stubcompat-build-tree"

static struct {
        char data[PATH_MAX];
        char profiles[PATH_MAX];
        char scenarios[PATH_MAX];
        char helpers[4 * PATH_MAX];
        const char *origin;
} where;
static pthread_once_t where_once = PTHREAD_ONCE_INIT;

/* snprintf for paths: a path that does not fit becomes "" (found nowhere)
 * rather than a shorter path naming something else. */
__attribute__((format(printf, 3, 4)))
static bool path_printf(char *buf, size_t len, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= len) {
                buf[0] = '\0';
                return false;
        }
        return true;
}

static bool is_dir(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder of the running executable, or "" when /proc is not mounted. */
static void exe_dir(char *buf, size_t len)
{
        ssize_t n = readlink("/proc/self/exe", buf, len - 1);
        if (n <= 0) {
                buf[0] = '\0';
                return;
        }
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash)
                *slash = '\0';
}

/* "<base>/<rel>", or rel alone when it is absolute (an install dir outside
 * the prefix). */
static void join(char *buf, size_t len, const char *base, const char *rel)
{
        if (rel[0] == '/' || !base[0])
                path_printf(buf, len, "%s", rel);
        else
                path_printf(buf, len, "%s/%s", base, rel);
}

/* Reads the `data` and `helpers` lines of the build tree marker in dir.
 * Returns true when dir is a build tree. */
static bool read_build_tree(const char *dir)
{
        char path[PATH_MAX], line[4 * PATH_MAX + 16];
        path_printf(path, sizeof(path), "%s/" BUILD_TREE_FILE, dir);
        FILE *f = fopen(path, "r");
        if (!f)
                return false;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                if (strncmp(line, "data ", 5) == 0)
                        path_printf(where.data, sizeof(where.data), "%s", line + 5);
                else if (strncmp(line, "helpers ", 8) == 0)
                        path_printf(where.helpers, sizeof(where.helpers), "%s", line + 8);
        }
        fclose(f);
        return true;
}

/* path made canonical in place ("bin/../share" -> "share") when it exists,
 * so that messages and listings show the folder a user would type. */
static void canonical(char *path, size_t len)
{
        char real[PATH_MAX];
        if (path[0] && realpath(path, real))
                path_printf(path, len, "%s", real);
}

/* Each ':'-separated folder of list made canonical. */
static void canonical_list(char *list, size_t len)
{
        char out[sizeof(where.helpers)] = "", dir[PATH_MAX];
        size_t used = 0;
        for (const char *d = list; *d;) {
                size_t n = strcspn(d, ":");
                if (path_printf(dir, sizeof(dir), "%.*s", (int)n, d)) {
                        canonical(dir, sizeof(dir));
                        int w = snprintf(out + used, sizeof(out) - used, "%s%s", used ? ":" : "", dir);
                        if (w > 0 && (size_t)w < sizeof(out) - used)
                                used += (size_t)w;
                }
                d += n + (d[n] == ':');
        }
        path_printf(list, len, "%s", out);
}

static void resolve(void)
{
        char exe[PATH_MAX];
        exe_dir(exe, sizeof(exe));
        where.origin = "installed";
        if (exe[0] && read_build_tree(exe)) {
                where.origin = "build tree";
        } else {
                /* without /proc the install dirs as configured (prefix-relative
                 * ones then relative to the current folder: best effort) */
                join(where.data, sizeof(where.data), exe, STUBCOMPAT_DATA_FROM_BINDIR);
                join(where.helpers, sizeof(where.helpers), exe, STUBCOMPAT_HELPERS_FROM_BINDIR);
        }
        const char *env_data = getenv("STUBCOMPAT_DATA_DIR");
        const char *env_helpers = getenv("STUBCOMPAT_HELPER_DIR");
        if (env_data && *env_data) {
                path_printf(where.data, sizeof(where.data), "%s", env_data);
                where.origin = "environment";
        }
        if (env_helpers && *env_helpers) {
                path_printf(where.helpers, sizeof(where.helpers), "%s", env_helpers);
                where.origin = "environment";
        }
        canonical(where.data, sizeof(where.data));
        canonical_list(where.helpers, sizeof(where.helpers));
        /* installed layout (profiles/), else a source tree (clients/profiles/) */
        path_printf(where.profiles, sizeof(where.profiles), "%s/profiles", where.data);
        if (!is_dir(where.profiles))
                path_printf(where.profiles, sizeof(where.profiles), "%s/clients/profiles", where.data);
        path_printf(where.scenarios, sizeof(where.scenarios), "%s/scenarios", where.data);
}

const char *paths_profiles_dir(void)
{
        pthread_once(&where_once, resolve);
        return where.profiles;
}

const char *paths_scenarios_dir(void)
{
        pthread_once(&where_once, resolve);
        return where.scenarios;
}

const char *paths_helper_dirs(void)
{
        pthread_once(&where_once, resolve);
        return where.helpers;
}

const char *paths_origin(void)
{
        pthread_once(&where_once, resolve);
        return where.origin;
}

int paths_helper(const char *name, char *buf, size_t len)
{
        const char *dirs = paths_helper_dirs();
        buf[0] = '\0';
        for (const char *d = dirs; *d;) {
                size_t n = strcspn(d, ":");
                if (n > 0) {
                        path_printf(buf, len, "%.*s/%s", (int)n, d, name);
                        struct stat st;
                        if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
                                return 0;
                }
                d += n + (d[n] == ':');
        }
        /* not found: name it in the first folder */
        size_t first = strcspn(dirs, ":");
        path_printf(buf, len, "%.*s/%s", (int)first, dirs, name);
        return -1;
}
