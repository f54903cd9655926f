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
        char gone[RESULT_SET_MAX][64];    /* files removed at commit: views not chosen */
        size_t ngone;
};

/* Creates dir (and parents), opens it and checks it is usable before any
 * work is done: owned by the user, not writable by others, and a file can
 * be created in it (a read-only folder or file system, a dangling symlink
 * are refused here). Returns 0, or -1 with "dir: reason" in err. */
int result_set_open(struct result_set *rs, const char *dir, char *err, size_t errlen);
/* A new temporary file that becomes dir/name at commit. Returns its
 * descriptor (the caller writes, fsyncs and closes it), or -1 with err. */
int result_set_add(struct result_set *rs, const char *name, char *err, size_t errlen);
/* Marks dir/name to be removed at commit (a view of an earlier run that this
 * run does not write, so the folder never mixes two runs). Returns 0, or -1
 * with err when the set is full. */
int result_set_remove(struct result_set *rs, const char *name, char *err, size_t errlen);
/* Renames every file into place in the order added, then removes the files
 * marked with result_set_remove. Returns 0, or -1 with err. */
int result_set_commit(struct result_set *rs, char *err, size_t errlen);
/* Removes the temporary files not committed and closes the folder. */
void result_set_close(struct result_set *rs);

/* The files a run can write; --outputs names them. */
enum report_output {
        REPORT_OUT_JSON,        /* matrix.json, the record */
        REPORT_OUT_CSV,         /* matrix.csv */
        REPORT_OUT_MD,          /* matrix.md */
        REPORT_OUT_JUNIT,       /* junit.xml */
        REPORT_OUT_HTML,        /* matrix.html */
        REPORT_OUT_SVG,         /* plot.svg */
        REPORT_OUT_BREAKING,    /* breaking-points.txt */
        REPORT_OUT_MAX,
        REPORT_OUT_INVALID = -1,
};

const char *report_output_to_string(enum report_output o);
enum report_output report_output_from_string(const char *s);

/* Above this many cells a suite is over the size budget: by default its
 * per-cell heavy views (matrix.csv, breaking-points.txt) are not written;
 * matrix.json holds every cell. */
#define REPORT_HEAVY_CELLS 20000
#define REPORT_OUTPUTS_ALL ((1u << REPORT_OUT_MAX) - 1)
#define REPORT_OUTPUTS_HEAVY ((1u << REPORT_OUT_CSV) | (1u << REPORT_OUT_BREAKING))

/* Parses "json,md,html" (or "all") into a bit mask of report_output.
 * Returns 0, or -1 with "unknown output 'x' (did you mean ...)" in err. */
int report_outputs_parse(const char *list, unsigned *mask, char *err, size_t errlen);
/* The outputs written when none are chosen: all, but the heavy ones for a
 * matrix over REPORT_HEAVY_CELLS cells. */
unsigned report_outputs_default(const struct matrix *m);

/* Adds the chosen views (x->outputs; 0 or x NULL: the default) to an open
 * set, and marks the others for removal; junit.xml and matrix.md render
 * x's gate, the views x's sizes (x may be NULL: no gate, sizes unknown).
 * Returns 0, or -1 with "path: reason" in err. */
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
