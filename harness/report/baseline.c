/* Baselines: an earlier matrix.json the run is compared with, cell by cell. */
#include "harness/report/baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/merge.h"

static int axis_index(const struct matrix *m, const char *key)
{
        for (size_t a = 0; a < m->naxes; a++)
                if (strcmp(m->axes[a], key) == 0)
                        return (int)a;
        return -1;
}

int baseline_compatible(const struct matrix *base, const char *name, const char *suite,
                             const char *const *axes, size_t naxes, char *err, size_t errlen)
{
        char mine[256], theirs[256];
        size_t o = 0, t = 0;
        bool same = base->naxes == naxes;

        if (strcmp(base->suite, suite) != 0) {
                snprintf(err, errlen, "%s: expected a matrix of suite \"%s\", got \"%s\"", name,
                         suite, base->suite);
                return -1;
        }
        mine[0] = theirs[0] = '\0';
        for (size_t a = 0; a < naxes; a++) {
                same = same && axis_index(base, axes[a]) >= 0;
                if (o < sizeof(mine))
                        o += (size_t)snprintf(mine + o, sizeof(mine) - o, "%s%s", a ? ", " : "",
                                              axes[a]);
        }
        for (size_t a = 0; a < base->naxes && t < sizeof(theirs); a++)
                t += (size_t)snprintf(theirs + t, sizeof(theirs) - t, "%s%s", a ? ", " : "",
                                      base->axes[a]);
        if (!same) {
                snprintf(err, errlen, "%s: expected the axes of this run (%s), got (%s)", name,
                         mine, theirs);
                return -1;
        }
        return 0;
}

/* Cells are matched by client, qname, qtype and the value of each axis, the
 * axes taken in the run's order through a map into each matrix's own. */
struct keyed {
        const struct matrix *m;
        const size_t *map;
        size_t naxes;
};

static int key_compare(const struct keyed *ka, const struct matrix_cell *a,
                       const struct keyed *kb, const struct matrix_cell *b)
{
        int d;
        if ((d = strcmp(a->client, b->client)) != 0 || (d = strcmp(a->qname, b->qname)) != 0 ||
            (d = strcmp(a->qtype, b->qtype)) != 0)
                return d;
        for (size_t i = 0; i < ka->naxes; i++)
                if ((d = strcmp(a->values[ka->map[i]], b->values[kb->map[i]])) != 0)
                        return d;
        return 0;
}

static int by_key(const void *pa, const void *pb, void *arg)
{
        const struct keyed *k = arg;
        const struct matrix_cell *a = &k->m->cells[*(const size_t *)pa];
        const struct matrix_cell *b = &k->m->cells[*(const size_t *)pb];
        int d = key_compare(k, a, k, b);
        if (d)
                return d;
        return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

int baseline_match(const struct matrix *base, const struct matrix *m, size_t *match)
{
        size_t base_map[MATRIX_MAX_AXES], run_map[MATRIX_MAX_AXES], *order = NULL;
        struct keyed kb = { base, base_map, m->naxes }, km = { m, run_map, m->naxes };

        for (size_t i = 0; i < m->ncells; i++)
                match[i] = BASELINE_NO_MATCH;
        for (size_t a = 0; a < m->naxes; a++) {
                int b = axis_index(base, m->axes[a]);
                if (b < 0)
                        return 0;       /* not comparable: see baseline_compatible */
                base_map[a] = (size_t)b;
                run_map[a] = a;
        }
        order = calloc(base->ncells ? base->ncells : 1, sizeof(*order));
        if (!order)
                return -1;
        for (size_t i = 0; i < base->ncells; i++)
                order[i] = i;
        qsort_r(order, base->ncells, sizeof(*order), by_key, &kb);
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                size_t lo = 0, hi = base->ncells;
                while (lo < hi) {       /* the first base cell with a key >= c's */
                        size_t mid = lo + (hi - lo) / 2;
                        if (key_compare(&kb, &base->cells[order[mid]], &km, c) < 0)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo < base->ncells && key_compare(&kb, &base->cells[order[lo]], &km, c) == 0)
                        match[i] = order[lo];
        }
        free(order);
        return 0;
}

long baseline_regressions(const struct baseline_index *base, const struct matrix *m,
                          struct regression **out)
{
        long n = 0;

        *out = NULL;
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                if (c->verdict == VERDICT_OK || verdict_is_unchecked(c->verdict))
                        continue;
                const struct baseline_entry *e = baseline_index_find(base, c);
                if (!e || !e->ok)
                        continue;
                struct regression *nr = realloc(*out, ((size_t)n + 1) * sizeof(*nr));
                if (!nr) {
                        free(*out);
                        *out = NULL;
                        return -1;
                }
                *out = nr;
                nr[n++] = (struct regression){ i, e->cell };
        }
        return n;
}

void regression_message(const char *name, const struct matrix *m, const struct regression *r,
                        char *buf, size_t len)
{
        char desc[512], outcome[128];
        matrix_cell_describe(m, &m->cells[r->cell], desc, sizeof(desc));
        matrix_cell_outcome(&m->cells[r->cell], outcome, sizeof(outcome));
        snprintf(buf, len, "regression: %s: ok in %s, now %s", desc, name, outcome);
}
