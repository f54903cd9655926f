#include "harness/report/baseline-index.h"

#include <stdlib.h>
#include <string.h>

#include "harness/report/baseline.h"
#include "harness/report/matrix-input.h"
#include "harness/report/matrix-read.h"
#include "harness/util/strpool.h"
#include "harness/util/grow.h"

void baseline_index_begin(struct baseline_index *ix, const char *const *axes, size_t naxes)
{
        memset(ix, 0, sizeof(*ix));
        ix->naxes = naxes < MATRIX_MAX_AXES ? naxes : MATRIX_MAX_AXES;
        for (size_t a = 0; a < ix->naxes; a++)
                ix->axes[a] = axes[a];
}

/* Maps each run axis to the baseline's, once its axes are known. */
static void map_axes(struct baseline_index *ix, const struct matrix *base)
{
        ix->mapped = true;
        ix->comparable = true;
        for (size_t a = 0; a < ix->naxes; a++) {
                size_t b = 0;
                while (b < base->naxes && strcmp(base->axes[b], ix->axes[a]) != 0)
                        b++;
                if (b == base->naxes)
                        ix->comparable = false; /* see baseline_compatible */
                ix->map[a] = b;
        }
}

/* c's values in the run's order, interned; the last array again when equal. */
static const char *const *values_of(struct baseline_index *ix, const struct matrix_cell *c)
{
        const char *v[MATRIX_MAX_AXES];
        bool same = ix->last_values != NULL;
        for (size_t a = 0; a < ix->naxes; a++) {
                if (!(v[a] = strpool_intern(ix->pool, c->values[ix->map[a]])))
                        return NULL;
                same = same && ix->last_values[a] == v[a];      /* interned: == is equal */
        }
        if (same)
                return ix->last_values;
        const char **arr = strpool_alloc(ix->pool, (ix->naxes ? ix->naxes : 1) * sizeof(*arr));
        if (!arr)
                return NULL;
        memcpy(arr, v, ix->naxes * sizeof(*arr));
        ix->last_values = arr;
        return arr;
}

int baseline_index_add(struct baseline_index *ix, const struct matrix *base,
                       const struct matrix_cell *c)
{
        size_t at = ix->cells++;
        if (!ix->mapped)
                map_axes(ix, base);
        if (!ix->comparable)
                return 0;       /* no cell matches: nothing to keep */
        if (!ix->pool && !(ix->pool = strpool_new()))
                return -1;
        if (array_grow(&ix->entries, &ix->cap, ix->n, sizeof(*ix->entries), 1024) < 0)
                return -1;
        struct baseline_entry *e = &ix->entries[ix->n];
        e->client = strpool_intern(ix->pool, c->client);
        e->qname = strpool_intern(ix->pool, c->qname);
        e->values = values_of(ix, c);
        if (!e->client || !e->qname || !e->values)
                return -1;
        memcpy(e->qtype, c->qtype, sizeof(e->qtype));
        e->qtype[sizeof(e->qtype) - 1] = '\0';
        e->cell = at;
        e->ok = c->verdict == VERDICT_OK;
        ix->n++;
        return 0;
}

/* Orders by client, qname, qtype, then the values in the run's axis order. */
static int key_compare(size_t naxes, const char *client, const char *qname, const char *qtype,
                       const char *const *values, const struct baseline_entry *e)
{
        int d;
        if ((d = strcmp(client, e->client)) != 0 || (d = strcmp(qname, e->qname)) != 0 ||
            (d = strcmp(qtype, e->qtype)) != 0)
                return d;
        for (size_t a = 0; a < naxes; a++)
                if ((d = strcmp(values[a], e->values[a])) != 0)
                        return d;
        return 0;
}

static int by_key_then_cell(const void *pa, const void *pb, void *arg)
{
        const struct baseline_entry *a = pa, *b = pb;
        int d = key_compare(*(const size_t *)arg, a->client, a->qname, a->qtype, a->values, b);
        if (d)
                return d;
        return a->cell < b->cell ? -1 : a->cell > b->cell;
}

void baseline_index_finish(struct baseline_index *ix)
{
        if (ix->n)
                qsort_r(ix->entries, ix->n, sizeof(*ix->entries), by_key_then_cell, &ix->naxes);
}

const struct baseline_entry *baseline_index_find(const struct baseline_index *ix,
                                                 const struct matrix_cell *c)
{
        size_t lo = 0, hi = ix->n;
        while (lo < hi) {       /* the first entry with a key >= c's */
                size_t mid = lo + (hi - lo) / 2;
                if (key_compare(ix->naxes, c->client, c->qname, c->qtype, c->values,
                                &ix->entries[mid]) > 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < ix->n && key_compare(ix->naxes, c->client, c->qname, c->qtype, c->values,
                                      &ix->entries[lo]) == 0)
                return &ix->entries[lo];
        return NULL;
}

int baseline_index_of_matrix(struct baseline_index *ix, const struct matrix *base,
                             const char *const *axes, size_t naxes)
{
        baseline_index_begin(ix, axes, naxes);
        for (size_t i = 0; i < base->ncells; i++)
                if (baseline_index_add(ix, base, &base->cells[i]) < 0) {
                        baseline_index_free(ix);
                        return -1;
                }
        baseline_index_finish(ix);
        return 0;
}

static int add_cell(void *arg, const struct matrix *m, const struct matrix_cell *c)
{
        return baseline_index_add(arg, m, c);
}

int baseline_index_read(const char *path, bool allow_incomplete, const char *suite,
                        const char *const *axes, size_t naxes, struct baseline_index *ix,
                        char *err, size_t errlen)
{
        struct matrix head = { 0 };
        size_t ncells = 0;
        int ret = -1;

        baseline_index_begin(ix, axes, naxes);
        if (matrix_read_file_each(path, &head, add_cell, ix, &ncells, err, errlen) < 0 ||
            matrix_input_check_cells(path, &head, ncells, allow_incomplete, err, errlen) < 0 ||
            baseline_compatible(&head, path, suite, axes, naxes, err, errlen) < 0)
                goto cleanup;
        baseline_index_finish(ix);
        ret = 0;
cleanup:
        matrix_free(&head);
        if (ret < 0)
                baseline_index_free(ix);
        return ret;
}

void baseline_index_free(struct baseline_index *ix)
{
        free(ix->entries);
        strpool_free(ix->pool);
        memset(ix, 0, sizeof(*ix));
}
