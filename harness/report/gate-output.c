/* The gate's result on stdout: plain lines, or GitHub Actions annotations. */
#include "harness/report/gate.h"

#include <stdlib.h>
#include <string.h>

static const char *const format_table[GATE_FORMAT_MAX] = {
        [GATE_FORMAT_TEXT] = "text",
        [GATE_FORMAT_GITHUB] = "github",
};

const char *gate_format_to_string(enum gate_format f)
{
        return f >= 0 && f < GATE_FORMAT_MAX ? format_table[f] : NULL;
}

enum gate_format gate_format_from_string(const char *s)
{
        for (int i = 0; i < GATE_FORMAT_MAX; i++)
                if (strcmp(format_table[i], s) == 0)
                        return (enum gate_format)i;
        return GATE_FORMAT_INVALID;
}

/* Writes s as GitHub workflow-command data: %, CR and LF escaped; in a
 * property (file=, title=) also ':' and ','. */
static void github_escape(FILE *f, const char *s, bool property)
{
        for (const char *p = s; *p; p++) {
                if (*p == '%')
                        fputs("%25", f);
                else if (*p == '\r')
                        fputs("%0D", f);
                else if (*p == '\n')
                        fputs("%0A", f);
                else if (property && *p == ':')
                        fputs("%3A", f);
                else if (property && *p == ',')
                        fputs("%2C", f);
                else
                        fputc(*p, f);
        }
}

static void github_annotation(FILE *f, const char *level, const char *path, unsigned line,
                              const char *msg)
{
        fprintf(f, "::%s ", level);
        if (path && *path) {
                fputs("file=", f);
                github_escape(f, path, true);
                if (line)
                        fprintf(f, ",line=%u", line);
                fputc(',', f);
        }
        fputs("title=stubcompat::", f);
        github_escape(f, msg, false);
        fputc('\n', f);
}

static int by_line(const void *pa, const void *pb)
{
        const struct gate_check *a = *(const struct gate_check *const *)pa;
        const struct gate_check *b = *(const struct gate_check *const *)pb;
        if (a->line != b->line)
                return a->line < b->line ? -1 : 1;
        if (a->kind != b->kind)
                return a->kind < b->kind ? -1 : 1;
        return strcmp(a->name, b->name);
}

/* The failed checks sorted by suite line. Returns the count; *out is NULL
 * when out of memory (the checks are then printed in evaluation order). */
static size_t failed_sorted(const struct gate_result *r, const struct gate_check ***out)
{
        size_t n = 0;
        *out = calloc(r->nchecks ? r->nchecks : 1, sizeof(**out));
        for (size_t i = 0; i < r->nchecks; i++)
                if (r->checks[i].status == GATE_FAILED && *out)
                        (*out)[n++] = &r->checks[i];
                else if (r->checks[i].status == GATE_FAILED)
                        n++;
        if (*out)
                qsort(*out, n, sizeof(**out), by_line);
        return n;
}

void gate_print(const struct gate_result *r, const char *suite, enum gate_format format,
                bool quiet, FILE *f)
{
        const struct gate_check **failed;
        size_t n = failed_sorted(r, &failed), shown = 0;
        char line[2048];

        for (size_t i = 0, k = 0; i < r->nchecks && k < n; i++) {
                const struct gate_check *c = failed ? failed[k] : &r->checks[i];
                if (!failed && c->status != GATE_FAILED)
                        continue;
                k++;
                if (format == GATE_FORMAT_TEXT) {
                        fprintf(f, "%s\n", c->message);
                } else if (shown < GATE_ANNOTATIONS_MAX) {
                        github_annotation(f, "error", r->path, c->line, c->message);
                        shown++;
                }
        }
        if (format == GATE_FORMAT_GITHUB && n > shown) {
                snprintf(line, sizeof(line), "%zu more failed checks: see junit.xml or matrix.md",
                         n - shown);
                github_annotation(f, "notice", NULL, 0, line);
        }
        free(failed);
        if (quiet)
                return;
        for (size_t i = 0; i < r->nchecks; i++)
                if (r->checks[i].status == GATE_NOT_CHECKED)
                        fprintf(f, "note: %s\n", r->checks[i].message);
        if (r->expectations || r->baseline_name) {
                gate_summary(r, suite, line, sizeof(line));
                fprintf(f, "%s\n", line);
        }
}
