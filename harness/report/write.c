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

int result_set_commit(struct result_set *rs, char *err, size_t errlen)
{
        for (size_t i = 0; i < rs->n; i++) {
                if (renameat(rs->dirfd, rs->files[i].tmp, rs->dirfd, rs->files[i].name) < 0) {
                        snprintf(err, errlen, "%s/%s: %s", rs->dir, rs->files[i].name, strerror(errno));
                        return -1;
                }
                rs->files[i].tmp[0] = '\0';
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

int report_write_views(struct result_set *rs, const struct matrix *m,
                       const struct view_extras *x, char *err, size_t errlen)
{
        static const struct {
                const char *name;
                view_fill write;
        } views[] = {
                { "breaking-points.txt", report_breaking_text },
                { "matrix.csv", view_csv_write_plain },
                { "matrix.md", view_md_write },
                { "junit.xml", view_junit_write },
                { "plot.svg", view_plot_svg },
                { "matrix.html", view_html_write },
                /* matrix.json last: its presence means every view beside it is whole */
                { "matrix.json", matrix_json_write_plain },
        };

        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
                if (write_view(rs, views[i].name, views[i].write, m, x, err, errlen) < 0)
                        return -1;
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
