#include "harness/report/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void matrix_cell_describe(const struct matrix *m, const struct matrix_cell *c, char *buf,
                          size_t len)
{
        size_t o = (size_t)snprintf(buf, len, "%s %s %s", c->client, c->qname, c->qtype);
        for (size_t a = 0; a < m->naxes && o < len; a++)
                o += (size_t)snprintf(buf + o, len - o, " %s=%s", m->axes[a], c->values[a]);
}

void matrix_cell_outcome(const struct matrix_cell *c, char *buf, size_t len)
{
        long bytes = strcmp(c->path, "udp") == 0 ? c->udp_bytes : c->tcp_bytes;
        size_t o = (size_t)snprintf(buf, len, "%s%s%s, %s", verdict_to_string(c->verdict),
                                    c->reason[0] ? " " : "", c->reason, c->path);
        if (bytes >= 0 && strcmp(c->path, "none") != 0 && o < len)
                o += (size_t)snprintf(buf + o, len - o, " %ld bytes", bytes);
        if (c->resolver[0] && o < len) {
                char edns[16] = "none";
                if (c->edns >= 0)
                        snprintf(edns, sizeof(edns), "%d", c->edns);
                o += (size_t)snprintf(buf + o, len - o, ", edns %s; %s to the stub: ", edns,
                                      c->resolver);
                if (o < len && c->stub_udp_replies)
                        snprintf(buf + o, len - o, "udp %ld bytes%s %d records", c->stub_udp_bytes,
                                 c->stub_tc_replies ? " TC" : "", c->stub_udp_records);
                else if (o < len)
                        snprintf(buf + o, len - o, "no udp reply");
        }
}

long long matrix_cell_tenths_ms(const struct matrix_cell *c)
{
        char text[48], *dot;
        /* the very digits matrix.json writes ("%.1f"), so rounding agrees with it */
        snprintf(text, sizeof(text), "%.1f", c->elapsed_ms);
        long long whole = strtoll(text, &dot, 10);
        int tenth = *dot == '.' && dot[1] >= '0' && dot[1] <= '9' ? dot[1] - '0' : 0;
        return text[0] == '-' ? whole * 10 - tenth : whole * 10 + tenth;
}

const char *matrix_cell_differs(const struct matrix *m, const struct matrix_cell *a,
                                const struct matrix_cell *b)
{
#define STR_FIELD(f) if (strcmp(a->f, b->f) != 0) return #f
#define NUM_FIELD(f) if (a->f != b->f) return #f
        NUM_FIELD(index);
        STR_FIELD(client);
        STR_FIELD(kind);
        STR_FIELD(standing);
        STR_FIELD(qname);
        STR_FIELD(qtype);
        NUM_FIELD(point);
        for (size_t i = 0; i < m->naxes; i++)
                if (strcmp(a->values[i], b->values[i]) != 0)
                        return "params";
        NUM_FIELD(verdict);
        STR_FIELD(reason);
        NUM_FIELD(addresses);
        NUM_FIELD(expected);
        STR_FIELD(path);
        NUM_FIELD(udp_bytes);
        NUM_FIELD(tcp_bytes);
        NUM_FIELD(udp_queries);
        NUM_FIELD(tcp_queries);
        NUM_FIELD(tc_replies);
        NUM_FIELD(edns);
        STR_FIELD(resolver);
        NUM_FIELD(stub_udp_replies);
        NUM_FIELD(stub_tcp_replies);
        NUM_FIELD(stub_udp_bytes);
        NUM_FIELD(stub_tcp_bytes);
        NUM_FIELD(stub_tc_replies);
        NUM_FIELD(stub_udp_records);
        NUM_FIELD(stub_tcp_records);
        NUM_FIELD(stub_rcode);
        STR_FIELD(detail);
#undef STR_FIELD
#undef NUM_FIELD
        return NULL;
}

/* The shards must describe the same suite. Returns 0, or -1 with err. */
static int check_same_suite(const struct matrix *shards, const char *const *names, size_t n,
                            char *err, size_t errlen)
{
        const struct matrix *f = &shards[0];
        for (size_t i = 1; i < n; i++) {
                const struct matrix *s = &shards[i];
                const char *what = NULL;
                if (strcmp(s->suite, f->suite) != 0)
                        what = "suite";
                else if (strcmp(s->scenario, f->scenario) != 0)
                        what = "scenario";
                else if (s->total != f->total)
                        what = "total";
                else if (s->naxes != f->naxes)
                        what = "axes";
                for (size_t a = 0; !what && a < f->naxes; a++)
                        if (strcmp(s->axes[a], f->axes[a]) != 0)
                                what = "axes";
                if (what) {
                        snprintf(err, errlen, "%s: \"%s\" differs from %s's: not a shard of the "
                                 "same run (suite %s, %s)", names[i], what, names[0], f->suite,
                                 f->scenario);
                        return -1;
                }
        }
        return 0;
}

/* Where each cell of the merged matrix came from while it is built: the
 * shard, and its place, so equal indices keep the shards' order. */
struct origin {
        size_t index;
        size_t shard;
        size_t at;              /* the cell's place in the merged matrix before sorting */
};

static int by_index_then_shard(const void *pa, const void *pb)
{
        const struct origin *a = pa, *b = pb;
        if (a->index != b->index)
                return a->index < b->index ? -1 : 1;
        if (a->shard != b->shard)
                return a->shard < b->shard ? -1 : 1;
        return a->at < b->at ? -1 : a->at > b->at;
}

/* Checks every cell of shard has an index below its "total". */
static int check_indices(const struct matrix *shard, const char *name, char *err, size_t errlen)
{
        for (size_t c = 0; c < shard->ncells; c++)
                if (shard->cells[c].index >= shard->total) {
                        snprintf(err, errlen, "%s: cell %zu has index %zu, not below \"total\" %zu",
                                 name, c, shard->cells[c].index, shard->total);
                        return -1;
                }
        return 0;
}

/* Puts the cells of m in the order of by (by[k].at: the cell that goes to
 * place k), in place: each cycle of the permutation is followed once. */
static void permute(struct matrix *m, struct origin *by)
{
        for (size_t k = 0; k < m->ncells; k++) {
                if (by[k].at == k || by[k].at == SIZE_MAX)
                        continue;
                struct matrix_cell held = m->cells[k];
                size_t to = k;
                while (by[to].at != k) {
                        size_t from = by[to].at;
                        m->cells[to] = m->cells[from];
                        by[to].at = SIZE_MAX;
                        to = from;
                }
                m->cells[to] = held;
                by[to].at = SIZE_MAX;
        }
}

/* Sorts out's cells by index then shard (from[k]: the origin of out's cell
 * k; consumed) and keeps the first of each index, checking the others equal
 * it. Returns 0, or -1 with err. */
static int sort_and_join(struct matrix *out, struct origin *from, const char *const *names,
                         char *err, size_t errlen)
{
        size_t kept = 0;

        qsort(from, out->ncells, sizeof(*from), by_index_then_shard);
        size_t *shard_of = malloc((out->ncells ? out->ncells : 1) * sizeof(*shard_of));
        if (!shard_of) {
                snprintf(err, errlen, "merge: out of memory");
                return -1;
        }
        for (size_t k = 0; k < out->ncells; k++)
                shard_of[k] = from[k].shard;
        permute(out, from);
        size_t n = 0;
        for (size_t k = 0; k < out->ncells; k++) {
                const struct matrix_cell *cell = &out->cells[k];
                const struct matrix_cell *last = n ? &out->cells[n - 1] : NULL;
                if (!last || last->index != cell->index) {
                        out->cells[n++] = *cell;
                        kept = shard_of[k];
                        continue;
                }
                /* the same cell again: fine when equal */
                const char *field = matrix_cell_differs(out, last, cell);
                if (field) {
                        char desc[512];
                        matrix_cell_describe(out, last, desc, sizeof(desc));
                        snprintf(err, errlen, "%s: cell %zu (%s): \"%s\" conflicts with %s",
                                 names[shard_of[k]], cell->index, desc, field, names[kept]);
                        free(shard_of);
                        return -1;
                }
        }
        out->ncells = n;
        free(shard_of);
        return 0;
}

int matrix_merge(struct matrix *shards, const char *const *names, size_t n,
                 struct matrix *out, char *err, size_t errlen)
{
        struct origin *from = NULL;
        size_t ncells = 0;
        bool complete = true;
        int ret = -1;

        memset(out, 0, sizeof(*out));
        if (n == 0) {
                snprintf(err, errlen, "merge: no shards");
                return -1;
        }
        if (check_same_suite(shards, names, n, err, errlen) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                if (check_indices(&shards[i], names[i], err, errlen) < 0)
                        return -1;
                complete = complete && shards[i].complete;
                ncells += shards[i].ncells;
        }
        from = malloc((ncells ? ncells : 1) * sizeof(*from));
        if (!from) {
                snprintf(err, errlen, "merge: out of memory");
                return -1;
        }
        /* the first shard becomes the merged matrix; the others are copied in
         * and given back one by one, so the cells are never held twice */
        *out = shards[0];
        memset(&shards[0], 0, sizeof(shards[0]));
        for (size_t c = 0; c < out->ncells; c++)
                from[c] = (struct origin){ out->cells[c].index, 0, c };
        if (matrix_reserve(out, ncells ? ncells : 1) < 0) {
                snprintf(err, errlen, "merge: out of memory");
                goto cleanup;
        }
        for (size_t i = 1; i < n; i++) {
                for (size_t c = 0; c < shards[i].ncells; c++) {
                        /* room reserved: the cells do not move */
                        struct matrix_cell *cell = matrix_add_cell(out);
                        if (matrix_cell_copy(out, cell, &shards[i].cells[c]) < 0) {
                                snprintf(err, errlen, "merge: out of memory");
                                goto cleanup;
                        }
                        from[out->ncells - 1] = (struct origin){ cell->index, i, out->ncells - 1 };
                }
                matrix_free(&shards[i]);
        }
        if (sort_and_join(out, from, names, err, errlen) < 0)
                goto cleanup;
        matrix_trim(out);
        out->complete = complete && out->ncells == out->total;
        ret = 0;
cleanup:
        free(from);
        if (ret < 0)
                matrix_free(out);
        return ret;
}
