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

struct shard_cell {
        const struct matrix_cell *cell;
        size_t shard;
};

static int by_index_then_shard(const void *pa, const void *pb)
{
        const struct shard_cell *a = pa, *b = pb;
        if (a->cell->index != b->cell->index)
                return a->cell->index < b->cell->index ? -1 : 1;
        if (a->shard != b->shard)
                return a->shard < b->shard ? -1 : 1;
        return a->cell < b->cell ? -1 : a->cell > b->cell;
}

/* Lists every shard's cells, sorted by index then shard. Returns the array
 * (caller frees) and *n, or NULL with err. */
static struct shard_cell *gather_cells(const struct matrix *shards, const char *const *names,
                                       size_t n, size_t *nall, char *err, size_t errlen)
{
        struct shard_cell *all;
        size_t total = 0;

        for (size_t i = 0; i < n; i++)
                total += shards[i].ncells;
        all = calloc(total ? total : 1, sizeof(*all));
        if (!all) {
                snprintf(err, errlen, "merge: out of memory");
                return NULL;
        }
        *nall = 0;
        for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < shards[i].ncells; c++) {
                        const struct matrix_cell *cell = &shards[i].cells[c];
                        if (cell->index >= shards[i].total) {
                                snprintf(err, errlen, "%s: cell %zu has index %zu, not below "
                                         "\"total\" %zu", names[i], c, cell->index,
                                         shards[i].total);
                                free(all);
                                return NULL;
                        }
                        all[(*nall)++] = (struct shard_cell){ cell, i };
                }
        qsort(all, *nall, sizeof(*all), by_index_then_shard);
        return all;
}

int matrix_merge(const struct matrix *shards, const char *const *names, size_t n,
                 struct matrix *out, char *err, size_t errlen)
{
        struct shard_cell *all = NULL;
        size_t nall = 0, kept = 0;      /* kept: where the cell last copied came from */
        bool complete = true;
        int ret = -1;

        memset(out, 0, sizeof(*out));
        if (n == 0) {
                snprintf(err, errlen, "merge: no shards");
                return -1;
        }
        if (check_same_suite(shards, names, n, err, errlen) < 0)
                return -1;
        if (!(all = gather_cells(shards, names, n, &nall, err, errlen)))
                return -1;
        snprintf(out->suite, sizeof(out->suite), "%s", shards[0].suite);
        snprintf(out->scenario, sizeof(out->scenario), "%s", shards[0].scenario);
        out->total = shards[0].total;
        out->naxes = shards[0].naxes;
        memcpy(out->axes, shards[0].axes, sizeof(out->axes));
        for (size_t i = 0; i < n; i++)
                complete = complete && shards[i].complete;
        if (matrix_reserve(out, nall ? nall : 1) < 0) {
                snprintf(err, errlen, "merge: out of memory");
                goto cleanup;
        }
        for (size_t i = 0; i < nall; i++) {
                const struct shard_cell *sc = &all[i];
                const struct matrix_cell *last = out->ncells ? &out->cells[out->ncells - 1] : NULL;
                if (!last || last->index != sc->cell->index) {
                        /* room reserved: the cells do not move */
                        struct matrix_cell *c = matrix_add_cell(out);
                        if (matrix_cell_copy(out, c, sc->cell) < 0) {
                                snprintf(err, errlen, "merge: out of memory");
                                goto cleanup;
                        }
                        kept = sc->shard;
                        continue;
                }
                /* the same cell again: fine when equal */
                const char *field = matrix_cell_differs(out, last, sc->cell);
                if (field) {
                        char desc[512];
                        matrix_cell_describe(out, last, desc, sizeof(desc));
                        snprintf(err, errlen, "%s: cell %zu (%s): \"%s\" conflicts with %s",
                                 names[sc->shard], sc->cell->index, desc, field, names[kept]);
                        goto cleanup;
                }
        }
        out->complete = complete && out->ncells == out->total;
        ret = 0;
cleanup:
        free(all);
        if (ret < 0)
                matrix_free(out);
        return ret;
}
