#include "harness/report/diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/baseline.h"
#include "harness/report/merge.h"
#include "harness/report/views.h"

static const char *const change_table[DIFF_CHANGE_MAX] = {
        [DIFF_WORSE] = "worse",
        [DIFF_BETTER] = "better",
        [DIFF_CHANGED] = "changed",
        [DIFF_UNCHECKED] = "unchecked",
};

const char *diff_change_to_string(enum diff_change c)
{
        return c >= 0 && c < DIFF_CHANGE_MAX ? change_table[c] : "invalid";
}

static enum diff_change classify(enum verdict from, enum verdict to)
{
        if (verdict_is_unchecked(from) || verdict_is_unchecked(to))
                return DIFF_UNCHECKED;
        if (verdict_is_success(from))
                return DIFF_WORSE;
        if (verdict_is_success(to))
                return DIFF_BETTER;
        return DIFF_CHANGED;
}

struct sort_ctx {
        const struct matrix_diff *d;
};

static int group_key_compare(const struct matrix_diff *d, size_t x, size_t y)
{
        const struct matrix_cell *bx = &d->b->cells[x], *by = &d->b->cells[y];
        const struct matrix_cell *ax = &d->a->cells[d->match[x]], *ay = &d->a->cells[d->match[y]];
        enum diff_change cx = classify(ax->verdict, bx->verdict);
        enum diff_change cy = classify(ay->verdict, by->verdict);
        int r;

        if (cx != cy)
                return cx < cy ? -1 : 1;
        if ((r = strcmp(bx->client, by->client)) != 0 || (r = strcmp(bx->qname, by->qname)) != 0 ||
            (r = strcmp(bx->qtype, by->qtype)) != 0)
                return r;
        if (ax->verdict != ay->verdict)
                return ax->verdict < ay->verdict ? -1 : 1;
        if (bx->verdict != by->verdict)
                return bx->verdict < by->verdict ? -1 : 1;
        return 0;
}

static int by_group(const void *pa, const void *pb, void *arg)
{
        const struct sort_ctx *ctx = arg;
        size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
        int r = group_key_compare(ctx->d, x, y);
        return r ? r : (x < y ? -1 : 1);
}

int matrix_diff_compute(const struct matrix *a, const char *name_a, const struct matrix *b,
                        const char *name_b, struct matrix_diff *d)
{
        size_t *changed = NULL, n = 0;
        bool *a_seen = NULL;
        struct sort_ctx ctx = { d };

        memset(d, 0, sizeof(*d));
        d->a = a;
        d->b = b;
        d->name_a = name_a;
        d->name_b = name_b;
        d->match = calloc(b->ncells ? b->ncells : 1, sizeof(*d->match));
        changed = calloc(b->ncells ? b->ncells : 1, sizeof(*changed));
        a_seen = calloc(a->ncells ? a->ncells : 1, sizeof(*a_seen));
        if (!d->match || !changed || !a_seen || baseline_match(a, b, d->match) < 0)
                goto fail;
        for (size_t i = 0; i < b->ncells; i++) {
                if (d->match[i] == BASELINE_NO_MATCH) {
                        d->only_b++;
                        continue;
                }
                a_seen[d->match[i]] = true;
                enum verdict from = a->cells[d->match[i]].verdict, to = b->cells[i].verdict;
                if (from == to) {
                        d->same++;
                        continue;
                }
                d->cells[classify(from, to)]++;
                changed[n++] = i;
        }
        for (size_t i = 0; i < a->ncells; i++)
                d->only_a += !a_seen[i];
        qsort_r(changed, n, sizeof(*changed), by_group, &ctx);
        for (size_t i = 0; i < n;) {
                size_t j = i;
                while (j < n && group_key_compare(d, changed[i], changed[j]) == 0)
                        j++;
                struct diff_group *g = realloc(d->groups, (d->ngroups + 1) * sizeof(*g));
                if (!g)
                        goto fail;
                d->groups = g;
                g = &d->groups[d->ngroups++];
                g->cells = malloc((j - i) * sizeof(*g->cells));
                if (!g->cells) {
                        d->ngroups--;
                        goto fail;
                }
                memcpy(g->cells, changed + i, (j - i) * sizeof(*g->cells));
                g->ncells = j - i;
                g->first_b = &b->cells[changed[i]];
                g->first_a = &a->cells[d->match[changed[i]]];
                g->change = classify(g->first_a->verdict, g->first_b->verdict);
                i = j;
        }
        free(changed);
        free(a_seen);
        return 0;
fail:
        free(changed);
        free(a_seen);
        matrix_diff_free(d);
        return -1;
}

void matrix_diff_free(struct matrix_diff *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->ngroups; i++)
                free(d->groups[i].cells);
        free(d->groups);
        free(d->match);
        memset(d, 0, sizeof(*d));
}

/* ---------------------------------------------------------------- output */

#define DIFF_POINTS_SHOWN 8

/* True when every cell of g has one axis and an integer value. */
static bool one_numeric_axis(const struct matrix_diff *d, const struct diff_group *g)
{
        if (d->b->naxes != 1)
                return false;
        for (size_t i = 0; i < g->ncells; i++) {
                char *end;
                const char *v = d->b->cells[g->cells[i]].values[0];
                strtol(v, &end, 10);
                if (!*v || *end)
                        return false;
        }
        return true;
}

/* "records=30..64", "records=1, 3..5": runs of consecutive values, in the
 * order the cells come (a run's cells are ascending). */
static void group_ranges(const struct matrix_diff *d, const struct diff_group *g,
                         struct strbuf *out)
{
        strbuf_printf(out, "%s=", d->b->axes[0]);
        for (size_t i = 0; i < g->ncells;) {
                long first = strtol(d->b->cells[g->cells[i]].values[0], NULL, 10), last = first;
                size_t j = i + 1;
                while (j < g->ncells &&
                       strtol(d->b->cells[g->cells[j]].values[0], NULL, 10) == last + 1) {
                        last++;
                        j++;
                }
                strbuf_printf(out, "%s%ld", i ? ", " : "", first);
                if (last != first)
                        strbuf_printf(out, "..%ld", last);
                i = j;
        }
}

/* The group's points: ranges of one numeric axis, else the first
 * DIFF_POINTS_SHOWN labels and how many more. */
static void group_points(const struct matrix_diff *d, const struct diff_group *g,
                         struct strbuf *out, void (*text)(struct strbuf *, const char *))
{
        char label[VIEW_LABEL_MAX];

        if (one_numeric_axis(d, g)) {
                group_ranges(d, g, out);
                return;
        }
        for (size_t i = 0; i < g->ncells && i < DIFF_POINTS_SHOWN; i++) {
                view_point_label(d->b, &d->b->cells[g->cells[i]], label, sizeof(label));
                if (i)
                        strbuf_puts(out, "; ");
                text(out, label);
        }
        if (g->ncells > DIFF_POINTS_SHOWN)
                strbuf_printf(out, " (and %zu more)", g->ncells - DIFF_POINTS_SHOWN);
}

static void plain(struct strbuf *out, const char *s)
{
        strbuf_puts(out, s);
}

static void summary_line(const struct matrix_diff *d, char *buf, size_t len)
{
        snprintf(buf, len, "%zu worse, %zu better, %zu changed, %zu unchecked; %zu cells the "
                 "same, %zu only in A, %zu only in B", d->cells[DIFF_WORSE], d->cells[DIFF_BETTER],
                 d->cells[DIFF_CHANGED], d->cells[DIFF_UNCHECKED], d->same, d->only_a, d->only_b);
}

void diff_write_text(const struct matrix_diff *d, struct strbuf *out)
{
        char line[512], was[160], now[160];

        strbuf_printf(out, "A: %s\nB: %s\n", d->name_a, d->name_b);
        for (size_t i = 0; i < d->ngroups; i++) {
                const struct diff_group *g = &d->groups[i];
                matrix_cell_outcome(g->first_a, was, sizeof(was));
                matrix_cell_outcome(g->first_b, now, sizeof(now));
                strbuf_printf(out, "%s: %s %s %s: %zu cell%s %s -> %s, first: %s -> %s\n  at ",
                              diff_change_to_string(g->change), g->first_b->client,
                              g->first_b->qname, g->first_b->qtype, g->ncells,
                              g->ncells == 1 ? "" : "s", verdict_to_string(g->first_a->verdict),
                              verdict_to_string(g->first_b->verdict), was, now);
                group_points(d, g, out, plain);
                strbuf_puts(out, "\n");
        }
        summary_line(d, line, sizeof(line));
        strbuf_printf(out, "%s\n", line);
}

void diff_write_md(const struct matrix_diff *d, struct strbuf *out)
{
        char line[512], was[160], now[160];

        strbuf_puts(out, "# stubcompat diff\n\n- A: ");
        view_md_text(out, d->name_a);
        strbuf_puts(out, "\n- B: ");
        view_md_text(out, d->name_b);
        summary_line(d, line, sizeof(line));
        strbuf_printf(out, "\n\n**%s**: %s.\n\n", d->cells[DIFF_WORSE] ? "WORSE" : "NOT WORSE",
                      line);
        if (d->ngroups == 0) {
                strbuf_puts(out, "No cell changed its verdict.\n");
                return;
        }
        strbuf_puts(out, "| change | client | query | cells | A | B | points |\n"
                         "|---|---|---|---:|---|---|---|\n");
        for (size_t i = 0; i < d->ngroups; i++) {
                const struct diff_group *g = &d->groups[i];
                matrix_cell_outcome(g->first_a, was, sizeof(was));
                matrix_cell_outcome(g->first_b, now, sizeof(now));
                strbuf_printf(out, "| %s | ", diff_change_to_string(g->change));
                view_md_text(out, g->first_b->client);
                strbuf_puts(out, " | ");
                view_md_text(out, g->first_b->qname);
                strbuf_printf(out, " %s | %zu | ", g->first_b->qtype, g->ncells);
                view_md_text(out, was);
                strbuf_puts(out, " | ");
                view_md_text(out, now);
                strbuf_puts(out, " | ");
                group_points(d, g, out, view_md_text);
                strbuf_puts(out, " |\n");
        }
}

static void json_cell(const struct matrix *m, const struct matrix_cell *c, struct strbuf *out)
{
        strbuf_puts(out, "{\"verdict\":");
        strbuf_json_string(out, verdict_to_string(c->verdict));
        strbuf_puts(out, ",\"reason\":");
        strbuf_json_string(out, c->reason);
        strbuf_puts(out, ",\"path\":");
        strbuf_json_string(out, c->path);
        strbuf_puts(out, ",\"udp_bytes\":");
        if (c->udp_bytes >= 0)
                strbuf_printf(out, "%ld", c->udp_bytes);
        else
                strbuf_puts(out, "null");
        strbuf_puts(out, ",\"tcp_bytes\":");
        if (c->tcp_bytes >= 0)
                strbuf_printf(out, "%ld", c->tcp_bytes);
        else
                strbuf_puts(out, "null");
        strbuf_printf(out, ",\"index\":%zu}", c->index);
        (void)m;
}

void diff_write_json(const struct matrix_diff *d, struct strbuf *out)
{
        strbuf_puts(out, "{\"a\":");
        strbuf_json_string(out, d->name_a);
        strbuf_puts(out, ",\"b\":");
        strbuf_json_string(out, d->name_b);
        strbuf_puts(out, ",\"suite\":");
        strbuf_json_string(out, d->b->suite);
        strbuf_puts(out, ",\"counts\":{");
        for (int c = 0; c < DIFF_CHANGE_MAX; c++)
                strbuf_printf(out, "\"%s\":%zu,", change_table[c], d->cells[c]);
        strbuf_printf(out, "\"same\":%zu,\"only_a\":%zu,\"only_b\":%zu},\"groups\":[", d->same,
                      d->only_a, d->only_b);
        for (size_t i = 0; i < d->ngroups; i++) {
                const struct diff_group *g = &d->groups[i];
                strbuf_printf(out, "%s\n{\"change\":\"%s\",\"client\":", i ? "," : "",
                              diff_change_to_string(g->change));
                strbuf_json_string(out, g->first_b->client);
                strbuf_puts(out, ",\"qname\":");
                strbuf_json_string(out, g->first_b->qname);
                strbuf_puts(out, ",\"qtype\":");
                strbuf_json_string(out, g->first_b->qtype);
                strbuf_puts(out, ",\"from\":");
                strbuf_json_string(out, verdict_to_string(g->first_a->verdict));
                strbuf_puts(out, ",\"to\":");
                strbuf_json_string(out, verdict_to_string(g->first_b->verdict));
                strbuf_puts(out, ",\"cells\":[");
                for (size_t k = 0; k < g->ncells; k++) {
                        const struct matrix_cell *cb = &d->b->cells[g->cells[k]];
                        const struct matrix_cell *ca = &d->a->cells[d->match[g->cells[k]]];
                        strbuf_puts(out, k ? "," : "");
                        strbuf_puts(out, "{\"params\":{");
                        for (size_t a = 0; a < d->b->naxes; a++) {
                                strbuf_puts(out, a ? "," : "");
                                strbuf_json_string(out, d->b->axes[a]);
                                strbuf_puts(out, ":");
                                strbuf_json_string(out, cb->values[a]);
                        }
                        strbuf_puts(out, "},\"a\":");
                        json_cell(d->a, ca, out);
                        strbuf_puts(out, ",\"b\":");
                        json_cell(d->b, cb, out);
                        strbuf_puts(out, "}");
                }
                strbuf_puts(out, "]}");
        }
        strbuf_puts(out, "\n]}\n");
}
