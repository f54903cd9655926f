/* Where the program finds its data (profiles, shipped scenarios) and the helper
 * programs it starts (getaddrinfo helpers, twins' helpers). First match wins:
 *
 *   1. the environment:
 *        STUBCOMPAT_DATA_DIR    a folder with profiles/ and scenarios/ (as
 *                               installed), or a source tree (clients/profiles/)
 *        STUBCOMPAT_HELPER_DIR  folders with the helper programs, ':'-separated,
 *                               searched in order
 *   2. a build tree: when the running executable's folder holds the file
 *      `stubcompat-build-tree` (written by meson, never installed), its
 *      `data` and `helpers` lines (the source tree, the helpers' build folders)
 *   3. installed: relative to the running executable (/proc/self/exe), the
 *      install layout meson was configured with, e.g. bin/../share/stubcompat
 *      and bin/../libexec/stubcompat.
 *
 * No path of the build machine is compiled in. Safe to call from any thread. */
#pragma once

#include <stddef.h>

/* Folder of the emulated client profiles (*.profile). */
const char *paths_profiles_dir(void);
/* Folder of the shipped scenarios (*.scn). */
const char *paths_scenarios_dir(void);
/* The helper search path, ':'-separated folders, for messages and listings. */
const char *paths_helper_dirs(void);
/* Writes the path of helper program `name` into buf: in the first folder of the
 * helper search path that has it as an executable file, else in the first
 * folder (so a message can say where it was looked for). Returns 0 when found,
 * -1 when not. */
int paths_helper(const char *name, char *buf, size_t len);
/* Where each path came from: "environment", "build tree" or "installed". */
const char *paths_origin(void);
