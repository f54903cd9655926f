/* Where the program finds its data (profiles, scenarios) and helper programs.
 * Environment variables override the build-time defaults:
 *   STUBCOMPAT_DATA_DIR     source tree with clients/profiles and scenarios
 *   STUBCOMPAT_HELPER_DIR   folder with gai-helper-glibc and gai-helper-musl */
#pragma once

#include <stddef.h>

const char *paths_data_dir(void);
const char *paths_helper_dir(void);
/* Writes "<data dir>/<rel>" into buf and returns buf. */
const char *paths_data(const char *rel, char *buf, size_t len);
