/* Files opened so that what others can plant cannot redirect them: inputs
 * that are regular files (a FIFO would block open() forever), temporary
 * files that are created new (never through a planted symlink), and results
 * folders that belong to the user. */
#pragma once

#include <stdio.h>
#include <stddef.h>

/* Opens an input for reading without blocking in open() (O_NONBLOCK) and
 * refuses anything but a regular file. Returns the descriptor (blocking
 * again, close-on-exec), or -1 with "path: reason" in err. */
int safe_open_input(const char *path, char *err, size_t errlen);
/* safe_open_input as a stdio stream ("rb"). NULL with err on failure. */
FILE *safe_fopen_input(const char *path, char *err, size_t errlen);

/* Creates a new temporary file NAME.tmp.XXXXXXXX in the folder dirfd with
 * O_CREAT|O_EXCL|O_NOFOLLOW (an existing file or symlink there is never
 * opened), mode 0644. Writes its name (relative to dirfd) into tmp. Returns
 * the descriptor, or -1 with errno set. */
int safe_tmp_create(int dirfd, const char *name, char *tmp, size_t tmplen);

/* safe_tmp_create in the folder of path: opens that folder into *dirfd (the
 * caller closes it, renames the temp onto *base with renameat, or unlinks
 * it) and returns the temp's descriptor; -1 with errno set, *dirfd closed. */
int safe_tmp_beside(const char *path, int *dirfd, const char **base, char *tmp, size_t tmplen);

/* Checks a results folder opened as dirfd (path for messages): it must be
 * owned by the effective user and not writable by others, so nobody else can
 * plant or swap files in it. Returns 0, or -1 with "path: reason" in err. */
int safe_dir_check(int dirfd, const char *path, char *err, size_t errlen);
