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

/* Writes one view straight to DIR/NAME through a draining buffer: a
 * temporary file in the same folder, fsync, rename. On failure the previous
 * file is untouched. Returns 0, or -1 with "path: reason" in err. */
typedef void (*view_fill)(const struct matrix *, const struct view_extras *, struct strbuf *);

static int write_view(const char *dir, const char *name, view_fill fill, const struct matrix *m,
                      const struct view_extras *x, char *err, size_t errlen)
{
        char path[4200], tmp[4300];
        struct strbuf b;
        int fd, ret = -1;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
                snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
                return -1;
        }
        strbuf_init_sink(&b, fd);
        fill(m, x, &b);
        if (strbuf_flush(&b) < 0 || strbuf_failed(&b)) {
                snprintf(err, errlen, "%s: %s", path,
                         b.sink_errno ? strerror(b.sink_errno) : "out of memory");
                goto cleanup;
        }
        if (fsync(fd) < 0 || close(fd) < 0) {
                fd = -1;
                snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
                goto cleanup;
        }
        fd = -1;
        if (rename(tmp, path) < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                goto cleanup;
        }
        ret = 0;
cleanup:
        strbuf_free(&b);
        if (fd >= 0)
                close(fd);
        if (ret < 0)
                unlink(tmp);
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

int report_write_all(const struct matrix *m, const struct view_extras *x, const char *dir,
                     char *err, size_t errlen)
{
        static const struct {
                const char *name;
                view_fill write;
        } views[] = {
                { "breaking-points.txt", report_breaking_text },
                { "matrix.csv", view_csv_write_plain },
                { "matrix.md", view_md_write },
                { "junit.xml", view_junit_write },
                { "matrix.html", view_html_write },
                /* matrix.json last: its presence means every view beside it is whole */
                { "matrix.json", matrix_json_write_plain },
        };

        if (report_mkdirs(dir, err, errlen) < 0)
                return -1;
        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
                if (write_view(dir, views[i].name, views[i].write, m, x, err, errlen) < 0)
                        return -1;
        return 0;
}
