#include "harness/report/breaking.h"

#include "harness/report/sizes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int breaking_axis(const struct matrix *m)
{
        for (size_t a = 0; a < m->naxes; a++)
                if (strcmp(m->axes[a], "records") == 0)
                        return (int)a;
        for (size_t a = 0; a < m->naxes; a++)
                if (params_key_is_numeric(m->axes[a]))
                        return (int)a;
        return -1;
}

void breaking_others(const struct matrix *m, const struct matrix_cell *c, int axis, char *buf,
                     size_t len)
{
        size_t o = 0;
        buf[0] = '\0';
        for (size_t a = 0; a < m->naxes && o < len; a++)
                if ((int)a != axis)
                        o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "",
                                              m->axes[a], c->values[a]);
}

/* An open-addressing index from (client, qname, qtype, others) to a slot. */
struct bp_index {
        size_t *slots;          /* breaking point number + 1; 0 empty */
        size_t mask;
};

static uint64_t bp_hash(const struct matrix_cell *c, const char *others)
{
        const char *parts[4] = { c->client, c->qname, c->qtype, others };
        uint64_t h = 0xcbf29ce484222325u;
        for (int i = 0; i < 4; i++) {
                for (const char *p = parts[i]; *p; p++)
                        h = (h ^ (uint8_t)*p) * 0x100000001b3u;
                h = (h ^ 0xff) * 0x100000001b3u;
        }
        return h;
}

static bool bp_matches(const struct breaking_point *b, const struct matrix_cell *c,
                       const char *others)
{
        return strcmp(b->client, c->client) == 0 && strcmp(b->qname, c->qname) == 0 &&
               strcmp(b->qtype, c->qtype) == 0 && strcmp(b->others, others) == 0;
}

static struct breaking_point *find_or_add(struct breaking_point **bps, size_t *n, size_t *cap,
                                          struct bp_index *ix, const struct matrix_cell *c,
                                          const char *others)
{
        size_t at = (size_t)bp_hash(c, others) & ix->mask;
        while (ix->slots[at]) {
                struct breaking_point *b = &(*bps)[ix->slots[at] - 1];
                if (bp_matches(b, c, others))
                        return b;
                at = (at + 1) & ix->mask;
        }
        if (*n == *cap) {
                size_t nc = *cap ? *cap * 2 : 32;
                struct breaking_point *nb = realloc(*bps, nc * sizeof(*nb));
                if (!nb)
                        return NULL;
                *bps = nb;
                *cap = nc;
        }
        struct breaking_point *b = &(*bps)[(*n)++];
        memset(b, 0, sizeof(*b));
        snprintf(b->client, sizeof(b->client), "%s", c->client);
        snprintf(b->qname, sizeof(b->qname), "%s", c->qname);
        snprintf(b->qtype, sizeof(b->qtype), "%s", c->qtype);
        snprintf(b->others, sizeof(b->others), "%s", others);
        b->min = b->first_fail = b->ok_through = -1;
        ix->slots[at] = *n;
        return b;
}

/* Folds one cell into its breaking point. Cells may come in any order.
 * Skipped and harness-error cells say nothing about the client: they are
 * counted, never taken as ok or as a failure. */
static void fold(struct breaking_point *b, const struct matrix_cell *c, long v)
{
        bool ok = verdict_is_success(c->verdict);
        if (verdict_is_unchecked(c->verdict)) {
                if (b->unchecked++ == 0) {
                        b->unchecked_verdict = c->verdict;
                        snprintf(b->unchecked_reason, sizeof(b->unchecked_reason), "%s",
                                 c->reason[0] ? c->reason : c->detail);
                }
                return;
        }
        b->checked++;
        if (b->min < 0 || v < b->min) {
                b->min = v;
                b->min_point = c->point;
        }
        if (v > b->max) {
                b->max = v;
                b->max_point = c->point;
        }
        if (!ok && (!b->breaks || v < b->first_fail)) {
                b->breaks = true;
                b->first_fail = v;
                b->fail_point = c->point;
                b->fail_verdict = c->verdict;
                snprintf(b->fail_reason, sizeof(b->fail_reason), "%s", c->reason);
                snprintf(b->fail_path, sizeof(b->fail_path), "%s", c->path);
                b->fail_udp_bytes = c->udp_bytes;
                b->fail_tcp_bytes = c->tcp_bytes;
        }
}

size_t breaking_compute(const struct matrix *m, struct breaking_point **out)
{
        int axis = breaking_axis(m);
        struct breaking_point *bps = NULL;
        size_t n = 0, cap = 0;
        char others[256];

        struct bp_index ix = { 0 };

        *out = NULL;
        if (axis < 0)
                return 0;
        /* at most one breaking point per cell: size the table for that */
        for (ix.mask = 63; ix.mask < 2 * m->ncells; ix.mask = ix.mask * 2 + 1)
                ;
        ix.slots = calloc(ix.mask + 1, sizeof(*ix.slots));
        if (!ix.slots)
                return 0;
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                breaking_others(m, c, axis, others, sizeof(others));
                struct breaking_point *b = find_or_add(&bps, &n, &cap, &ix, c, others);
                if (!b)
                        break;
                fold(b, c, atol(c->values[axis]));
        }
        /* second pass: ok_through and whether a larger value works again */
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                long v = atol(c->values[axis]);
                breaking_others(m, c, axis, others, sizeof(others));
                struct breaking_point *b = find_or_add(&bps, &n, &cap, &ix, c, others);
                if (!b || !verdict_is_success(c->verdict))
                        continue;
                if (!b->breaks || v < b->first_fail) {
                        b->any_ok = true;
                        if (v > b->ok_through) {
                                b->ok_through = v;
                                b->ok_point = c->point;
                        }
                } else if (v > b->first_fail) {
                        b->ok_after_fail = true;
                }
        }
        free(ix.slots);
        *out = bps;
        return n;
}

/* " (514 bytes)", or "" when the size is unknown. */
static void size_note(const struct answer_sizes *sizes, const struct breaking_point *b,
                      size_t point, char *buf, size_t len)
{
        long bytes = answer_sizes_get(sizes, point, b->qname, b->qtype);
        if (bytes >= 0)
                snprintf(buf, len, " (%ld bytes)", bytes);
        else
                buf[0] = '\0';
}

/* "udp 34 bytes", "udp 34 then tcp 514 bytes", "tcp 514 bytes", "none". */
static void sent_note(const struct breaking_point *b, char *buf, size_t len)
{
        bool udp = strstr(b->fail_path, "udp") != NULL, tcp = strstr(b->fail_path, "tcp") != NULL;
        if (udp && tcp && b->fail_udp_bytes >= 0 && b->fail_tcp_bytes >= 0)
                snprintf(buf, len, "udp %ld then tcp %ld bytes", b->fail_udp_bytes,
                         b->fail_tcp_bytes);
        else if (tcp && b->fail_tcp_bytes >= 0)
                snprintf(buf, len, "%s, tcp %ld bytes", b->fail_path, b->fail_tcp_bytes);
        else if (udp && b->fail_udp_bytes >= 0)
                snprintf(buf, len, "%s %ld bytes", b->fail_path, b->fail_udp_bytes);
        else
                snprintf(buf, len, "%s", b->fail_path);
}

void breaking_label(const struct matrix *m, const struct breaking_point *b, char *buf,
                    size_t len)
{
        int axis = breaking_axis(m);
        const char *key = axis >= 0 ? m->axes[axis] : "?";

        if (b->checked == 0)
                snprintf(buf, len, "%s: %s", verdict_to_string(b->unchecked_verdict),
                         b->unchecked_reason[0] ? b->unchecked_reason : "no reason given");
        else if (!b->breaks)
                snprintf(buf, len, "ok for %s %ld..%ld", key, b->min, b->max);
        else if (!b->any_ok)
                snprintf(buf, len, "fails from %s %ld", key, b->first_fail);
        else
                snprintf(buf, len, "%s <= %ld", key, b->ok_through);
}

void breaking_describe(const struct matrix *m, const struct breaking_point *b,
                       const struct answer_sizes *sizes, char *buf, size_t len)
{
        char label[MATRIX_DETAIL_MAX + 64], fail[192] = "", sent[96], lo[32], hi[32];
        long min_bytes = answer_sizes_get(sizes, b->min_point, b->qname, b->qtype);
        long max_bytes = answer_sizes_get(sizes, b->max_point, b->qname, b->qtype);

        breaking_label(m, b, label, sizeof(label));
        if (b->checked == 0) {
                snprintf(buf, len, "%s", label);
                return;
        }
        if (!b->breaks) {
                if (min_bytes >= 0 && max_bytes >= 0)
                        snprintf(buf, len, "%s (%ld..%ld bytes)", label, min_bytes, max_bytes);
                else
                        snprintf(buf, len, "%s", label);
                return;
        }
        sent_note(b, sent, sizeof(sent));
        size_note(sizes, b, b->fail_point, hi, sizeof(hi));
        snprintf(fail, sizeof(fail), "%ld%s: %s%s%s, %s", b->first_fail, hi,
                 verdict_to_string(b->fail_verdict), b->fail_reason[0] ? " " : "",
                 b->fail_reason, sent);
        if (!b->any_ok) {
                int axis = breaking_axis(m);
                snprintf(buf, len, "fails from %s %s", axis >= 0 ? m->axes[axis] : "?", fail);
                return;
        }
        size_note(sizes, b, b->ok_point, lo, sizeof(lo));
        snprintf(buf, len, "%s%s; %s%s", label, lo, fail,
                 b->ok_after_fail ? "; works again above" : "");
}
