#include "harness/report/write.h"

#include <errno.h>
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

static int write_view(const char *dir, const char *name, const struct strbuf *b, char *err,
                      size_t errlen)
{
        char path[4096];
        if (strbuf_failed(b)) {
                snprintf(err, errlen, "%s/%s: out of memory", dir, name);
                return -1;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        return file_write_atomic(path, b->data ? b->data : "", b->len, err, errlen);
}

static void breaking_text(const struct matrix *m, struct strbuf *b)
{
        struct breaking_point *bps;
        size_t n = breaking_compute(m, &bps);
        char line[512];
        for (size_t i = 0; i < n; i++) {
                breaking_describe(m, &bps[i], line, sizeof(line));
                strbuf_printf(b, "%s: %s %s%s%s: %s\n", bps[i].client, bps[i].qname, bps[i].qtype,
                              bps[i].others[0] ? " at " : "", bps[i].others, line);
        }
        free(bps);
}

/* matrix.csv, matrix.md, junit.xml and matrix.html (views.h). */
static int write_views(const struct matrix *m, const char *dir, char *err, size_t errlen)
{
        static const struct {
                const char *name;
                void (*write)(const struct matrix *, struct strbuf *);
        } views[] = {
                { "matrix.csv", view_csv_write },
                { "matrix.md", view_md_write },
                { "junit.xml", view_junit_write },
                { "matrix.html", view_html_write },
        };
        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
                struct strbuf b;
                int ret;
                strbuf_init(&b);
                views[i].write(m, &b);
                ret = write_view(dir, views[i].name, &b, err, errlen);
                strbuf_free(&b);
                if (ret < 0)
                        return -1;
        }
        return 0;
}

int report_write_all(const struct matrix *m, const char *dir, char *err, size_t errlen)
{
        struct strbuf b;
        int ret;

        if (report_mkdirs(dir, err, errlen) < 0)
                return -1;
        strbuf_init(&b);
        breaking_text(m, &b);
        ret = write_view(dir, "breaking-points.txt", &b, err, errlen);
        strbuf_free(&b);
        if (ret < 0)
                return -1;
        if (write_views(m, dir, err, errlen) < 0)
                return -1;
        /* matrix.json last: its presence means every view beside it is whole */
        strbuf_init(&b);
        matrix_json_write(m, &b);
        ret = write_view(dir, "matrix.json", &b, err, errlen);
        strbuf_free(&b);
        return ret;
}
