/* Writes every view of a matrix into a results folder, each file atomically. */
#pragma once

#include <stddef.h>

#include "harness/report/matrix.h"

struct view_extras;

/* The files of one run, switched in together: each is written whole to a
 * new temporary file in the folder (never through a planted symlink), and
 * only when every one of them is written are they renamed into place,
 * matrix.json last. A failure before that (a full disk) leaves every
 * previous file as it was. */
#define RESULT_SET_MAX 16
struct result_set {
        int dirfd;                        /* -1 when not open */
        char dir[4096];
        size_t n;
        struct {
                char name[64];
                char tmp[96];
        } files[RESULT_SET_MAX];
};

/* Creates dir (and parents), opens it and checks it is usable before any
 * work is done: owned by the user, not writable by others, and a file can
 * be created in it (a read-only folder or file system, a dangling symlink
 * are refused here). Returns 0, or -1 with "dir: reason" in err. */
int result_set_open(struct result_set *rs, const char *dir, char *err, size_t errlen);
/* A new temporary file that becomes dir/name at commit. Returns its
 * descriptor (the caller writes, fsyncs and closes it), or -1 with err. */
int result_set_add(struct result_set *rs, const char *name, char *err, size_t errlen);
/* Renames every file into place in the order added. Returns 0, or -1 with
 * err. */
int result_set_commit(struct result_set *rs, char *err, size_t errlen);
/* Removes the temporary files not committed and closes the folder. */
void result_set_close(struct result_set *rs);

/* Adds matrix.json and the other views to an open set; junit.xml and
 * matrix.md render x's gate, the views x's sizes (x may be NULL: no gate,
 * sizes unknown). Returns 0, or -1 with "path: reason" in err. */
int report_write_views(struct result_set *rs, const struct matrix *m,
                       const struct view_extras *x, char *err, size_t errlen);
/* result_set_open + report_write_views + commit: every view of a matrix in
 * dir, switched in as one set. Returns 0, or -1 with err. */
int report_write_all(const struct matrix *m, const struct view_extras *x, const char *dir,
                     char *err, size_t errlen);

struct strbuf;
/* breaking-points.txt: one line per breaking point, with answer sizes when
 * x->sizes has them. */
void report_breaking_text(const struct matrix *m, const struct view_extras *x, struct strbuf *b);

/* Creates a folder and its parents. Returns 0, or -1 with err. */
int report_mkdirs(const char *dir, char *err, size_t errlen);
