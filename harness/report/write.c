#include "harness/report/write.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/report/breaking.h"
#include "harness/report/matrix-json.h"
#include "harness/report/views.h"
#include "harness/util/strbuf.h"
#include "harness/util/safefile.h"
#include "harness/util/strutil.h"

int report_mkdirs(const char *dir, char *err, size_t errlen)
{
        char path[4096];
        size_t n = strlen(dir);
        if (n == 0 || n >= sizeof(path)) {
                snprintf(err, errlen, "%s: bad folder name", dir);
                return -1;
        }
        memcpy(path, dir, n + 1);
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                        snprintf(err, errlen, "%s: %s", path, strerror(errno));
                        return -1;
                }
                *p = '/';
        }
        if (mkdir(path, 0755) < 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        return 0;
}

int result_set_open(struct result_set *rs, const char *dir, char *err, size_t errlen)
{
        struct stat st;
        char probe[96];
        int fd;

        memset(rs, 0, sizeof(*rs));
        rs->dirfd = -1;
        snprintf(rs->dir, sizeof(rs->dir), "%s", dir);
        if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode) && stat(dir, &st) < 0) {
                snprintf(err, errlen, "%s: a symlink to nothing (%s)", dir, strerror(errno));
                return -1;
        }
        if (report_mkdirs(dir, err, errlen) < 0)
                return -1;
        rs->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rs->dirfd < 0) {
                snprintf(err, errlen, "%s: %s", dir, strerror(errno));
                return -1;
        }
        if (safe_dir_check(rs->dirfd, dir, err, errlen) < 0)
                goto fail;
        fd = safe_tmp_create(rs->dirfd, "probe", probe, sizeof(probe));
        if (fd < 0) {
                snprintf(err, errlen, "%s: cannot write results here: %s", dir, strerror(errno));
                goto fail;
        }
        close(fd);
        unlinkat(rs->dirfd, probe, 0);
        return 0;
fail:
        close(rs->dirfd);
        rs->dirfd = -1;
        return -1;
}

int result_set_add(struct result_set *rs, const char *name, char *err, size_t errlen)
{
        int fd;
        if (rs->n == RESULT_SET_MAX) {
                snprintf(err, errlen, "%s/%s: too many result files", rs->dir, name);
                return -1;
        }
        snprintf(rs->files[rs->n].name, sizeof(rs->files[rs->n].name), "%s", name);
        fd = safe_tmp_create(rs->dirfd, name, rs->files[rs->n].tmp, sizeof(rs->files[rs->n].tmp));
        if (fd < 0) {
                snprintf(err, errlen, "%s/%s: %s", rs->dir, name, strerror(errno));
                return -1;
        }
        rs->n++;
        return fd;
}

int result_set_remove(struct result_set *rs, const char *name, char *err, size_t errlen)
{
        if (rs->ngone >= RESULT_SET_MAX) {
                snprintf(err, errlen, "%s: more than %d files to remove", rs->dir, RESULT_SET_MAX);
                return -1;
        }
        snprintf(rs->gone[rs->ngone++], sizeof(rs->gone[0]), "%s", name);
        return 0;
}

int result_set_commit(struct result_set *rs, char *err, size_t errlen)
{
        for (size_t i = 0; i < rs->n; i++) {
                if (renameat(rs->dirfd, rs->files[i].tmp, rs->dirfd, rs->files[i].name) < 0) {
                        snprintf(err, errlen, "%s/%s: %s", rs->dir, rs->files[i].name, strerror(errno));
                        return -1;
                }
                rs->files[i].tmp[0] = '\0';
        }
        for (size_t i = 0; i < rs->ngone; i++)
                if (unlinkat(rs->dirfd, rs->gone[i], 0) < 0 && errno != ENOENT) {
                        snprintf(err, errlen, "%s/%s: %s", rs->dir, rs->gone[i], strerror(errno));
                        return -1;
                }
        fsync(rs->dirfd);
        return 0;
}

void result_set_close(struct result_set *rs)
{
        if (rs->dirfd < 0)
                return;
        for (size_t i = 0; i < rs->n; i++)
                if (rs->files[i].tmp[0])
                        unlinkat(rs->dirfd, rs->files[i].tmp, 0);
        close(rs->dirfd);
        rs->dirfd = -1;
        rs->n = 0;
}

typedef void (*view_fill)(const struct matrix *, const struct view_extras *, struct strbuf *);

/* Writes one view into the set through a draining buffer, then fsync.
 * Returns 0, or -1 with "path: reason" in err. */
static int write_view(struct result_set *rs, const char *name, view_fill fill,
                      const struct matrix *m, const struct view_extras *x, char *err,
                      size_t errlen)
{
        struct strbuf b;
        int fd = result_set_add(rs, name, err, errlen), ret = -1;

        if (fd < 0)
                return -1;
        strbuf_init_sink(&b, fd);
        fill(m, x, &b);
        if (strbuf_flush(&b) < 0 || strbuf_failed(&b)) {
                snprintf(err, errlen, "%s/%s: %s", rs->dir, name,
                         b.sink_errno ? strerror(b.sink_errno) : "out of memory");
                goto cleanup;
        }
        if (fsync(fd) < 0 || close(fd) < 0) {
                fd = -1;
                snprintf(err, errlen, "%s/%s: %s", rs->dir, name, strerror(errno));
                goto cleanup;
        }
        fd = -1;
        ret = 0;
cleanup:
        strbuf_free(&b);
        if (fd >= 0)
                close(fd);
        return ret;
}

void report_breaking_text(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        struct breaking_point *bps;
        size_t n = breaking_compute(m, &bps);
        char line[512];
        for (size_t i = 0; i < n; i++) {
                breaking_describe(m, &bps[i], x ? x->sizes : NULL, line, sizeof(line));
                strbuf_printf(b, "%s: %s %s%s%s: %s\n", bps[i].client, bps[i].qname, bps[i].qtype,
                              bps[i].others[0] ? " at " : "", bps[i].others, line);
        }
        free(bps);
}

/* The views that need nothing beside the matrix. */
#define PLAIN(fn) \
        static void fn##_plain(const struct matrix *m, const struct view_extras *x, \
                               struct strbuf *b) { (void)x; fn(m, b); }
PLAIN(view_csv_write)
PLAIN(matrix_json_write)

static const char *const output_table[REPORT_OUT_MAX] = {
        [REPORT_OUT_JSON] = "json",
        [REPORT_OUT_CSV] = "csv",
        [REPORT_OUT_MD] = "md",
        [REPORT_OUT_JUNIT] = "junit",
        [REPORT_OUT_HTML] = "html",
        [REPORT_OUT_SVG] = "svg",
        [REPORT_OUT_BREAKING] = "breaking",
};

const char *report_output_to_string(enum report_output o)
{
        return o >= 0 && o < REPORT_OUT_MAX ? output_table[o] : NULL;
}

enum report_output report_output_from_string(const char *s)
{
        for (int i = 0; i < REPORT_OUT_MAX; i++)
                if (strcmp(output_table[i], s) == 0)
                        return (enum report_output)i;
        return REPORT_OUT_INVALID;
}

static const char *output_at(size_t i, void *arg)
{
        (void)arg;
        return output_table[i];
}

int report_outputs_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
        char item[64];

        *mask = 0;
        for (const char *p = list;;) {
                size_t n = strcspn(p, ",");
                snprintf(item, sizeof(item), "%.*s", (int)n, p);
                enum report_output o = report_output_from_string(item);
                if (strcmp(item, "all") == 0) {
                        *mask |= REPORT_OUTPUTS_ALL;
                } else if (o == REPORT_OUT_INVALID) {
                        const char *near = str_closest(item, REPORT_OUT_MAX, output_at, NULL);
                        snprintf(err, errlen, "unknown output '%s'%s%s%s (expected json, csv, md, "
                                 "junit, html, svg, breaking or all)", item,
                                 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
                        return -1;
                } else {
                        *mask |= 1u << o;
                }
                if (p[n] == '\0')
                        return 0;
                p += n + 1;
        }
}

unsigned report_outputs_default(const struct matrix *m)
{
        return m->ncells > REPORT_HEAVY_CELLS ? REPORT_OUTPUTS_ALL & ~REPORT_OUTPUTS_HEAVY :
                                                REPORT_OUTPUTS_ALL;
}

int report_write_views(struct result_set *rs, const struct matrix *m,
                       const struct view_extras *x, char *err, size_t errlen)
{
        static const struct {
                enum report_output output;
                const char *name;
                view_fill write;
        } views[] = {
                { REPORT_OUT_BREAKING, "breaking-points.txt", report_breaking_text },
                { REPORT_OUT_CSV, "matrix.csv", view_csv_write_plain },
                { REPORT_OUT_MD, "matrix.md", view_md_write },
                { REPORT_OUT_JUNIT, "junit.xml", view_junit_write },
                { REPORT_OUT_SVG, "plot.svg", view_plot_svg },
                { REPORT_OUT_HTML, "matrix.html", view_html_write },
                /* matrix.json last: its presence means every view beside it is whole */
                { REPORT_OUT_JSON, "matrix.json", matrix_json_write_plain },
        };
        unsigned chosen = x && x->outputs ? x->outputs : report_outputs_default(m);

        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
                int r = chosen & (1u << views[i].output) ?
                        write_view(rs, views[i].name, views[i].write, m, x, err, errlen) :
                        result_set_remove(rs, views[i].name, err, errlen);
                if (r < 0)
                        return -1;
        }
        return 0;
}

int report_write_all(const struct matrix *m, const struct view_extras *x, const char *dir,
                     char *err, size_t errlen)
{
        struct result_set rs;
        int ret = -1;

        if (result_set_open(&rs, dir, err, errlen) < 0)
                return -1;
        if (report_write_views(&rs, m, x, err, errlen) == 0 &&
            result_set_commit(&rs, err, errlen) == 0)
                ret = 0;
        result_set_close(&rs);
        return ret;
}
