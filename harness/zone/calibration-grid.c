#include "harness/zone/calibration-grid.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/report/matrix.h"
#include "harness/util/paths.h"
#include "harness/util/strutil.h"
#include "harness/zone/params.h"
#include "harness/zone/scenario.h"

/* Every value one parameter takes somewhere in the grid. */
struct grid_axis {
        char key[32];
        char **values;
        size_t nvalues;
        bool numeric;            /* every value is an integer */
        long lo, hi;
};

struct calibration_grid {
        struct grid_axis *axes;
        size_t naxes;
        char **qtypes;           /* "A", "AAAA", "ADDR" as matrix cells spell them */
        size_t nqtypes;
        struct point_params defaults;   /* of calibration.scn */
};

int calibration_suite_paths(char ***paths, size_t *n)
{
        char dir[4096 + 32], buf[8192];
        struct dirent **names = NULL;
        int count, rc = 0;

        snprintf(buf, sizeof(buf), "%s/calibration.scn", paths_scenarios_dir());
        if (strv_push(paths, n, buf) < 0)
                return -1;
        snprintf(dir, sizeof(dir), "%s/calibration", paths_scenarios_dir());
        count = scandir(dir, &names, NULL, alphasort);
        for (int i = 0; i < count; i++) {
                size_t len = strlen(names[i]->d_name);
                if (rc == 0 && len > 4 && strcmp(names[i]->d_name + len - 4, ".scn") == 0) {
                        snprintf(buf, sizeof(buf), "%s/%s", dir, names[i]->d_name);
                        rc = strv_push(paths, n, buf);
                }
                free(names[i]);
        }
        free(names);
        return rc;
}

static bool has(char *const *v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

static struct grid_axis *axis_get(struct calibration_grid *g, const char *key)
{
        for (size_t i = 0; i < g->naxes; i++)
                if (strcmp(g->axes[i].key, key) == 0)
                        return &g->axes[i];
        struct grid_axis *a = realloc(g->axes, (g->naxes + 1) * sizeof(*a));
        if (!a)
                return NULL;
        g->axes = a;
        a = &g->axes[g->naxes++];
        memset(a, 0, sizeof(*a));
        snprintf(a->key, sizeof(a->key), "%s", key);
        a->numeric = true;
        return a;
}

/* Adds one suite's sweeps and query types. Returns 0, or -1 (out of memory). */
static int add_suite(struct calibration_grid *g, const struct scenario *sc)
{
        for (size_t s = 0; s < sc->nsweeps; s++) {
                struct grid_axis *a = axis_get(g, sc->sweeps[s].key);
                if (!a)
                        return -1;
                for (size_t v = 0; v < sc->sweeps[s].nvalues; v++) {
                        const char *text = sc->sweeps[s].values[v];
                        char *end;
                        long x = strtol(text, &end, 10);
                        if (*text == '\0' || *end != '\0')
                                a->numeric = false;
                        else if (a->nvalues == 0 || x < a->lo || x > a->hi) {
                                a->lo = a->nvalues == 0 || x < a->lo ? x : a->lo;
                                a->hi = a->nvalues == 0 || x > a->hi ? x : a->hi;
                        }
                        if (!has(a->values, a->nvalues, text) &&
                            strv_push(&a->values, &a->nvalues, text) < 0)
                                return -1;
                }
        }
        for (size_t q = 0; q < sc->nqueries; q++) {
                char qtype[8];
                matrix_qtype_text(sc->queries[q].qtype, qtype);
                if (!has(g->qtypes, g->nqtypes, qtype) && strv_push(&g->qtypes, &g->nqtypes, qtype) < 0)
                        return -1;
        }
        return 0;
}

struct calibration_grid *calibration_grid_load(char *err, size_t errlen)
{
        struct calibration_grid *g = calloc(1, sizeof(*g));
        char **paths = NULL;
        size_t npaths = 0;
        bool ok = g && calibration_suite_paths(&paths, &npaths) == 0;

        if (!ok)
                snprintf(err, errlen, "out of memory");
        for (size_t i = 0; ok && i < npaths; i++) {
                struct scenario *sc = NULL;
                ok = scenario_load(paths[i], &sc, err, errlen) == 0;
                if (ok && i == 0)
                        g->defaults = sc->defaults;
                if (ok && add_suite(g, sc) < 0) {
                        snprintf(err, errlen, "out of memory");
                        ok = false;
                }
                scenario_free(sc);
        }
        for (size_t i = 0; i < npaths; i++)
                free(paths[i]);
        free(paths);
        if (!ok) {
                calibration_grid_free(g);
                return NULL;
        }
        return g;
}

void calibration_grid_free(struct calibration_grid *g)
{
        if (!g)
                return;
        for (size_t i = 0; i < g->naxes; i++) {
                for (size_t v = 0; v < g->axes[i].nvalues; v++)
                        free(g->axes[i].values[v]);
                free(g->axes[i].values);
        }
        for (size_t i = 0; i < g->nqtypes; i++)
                free(g->qtypes[i]);
        free(g->qtypes);
        free(g->axes);
        free(g);
}

bool calibration_grid_covers(const struct calibration_grid *g, const struct matrix *m,
                             const struct matrix_cell *c)
{
        if (!has(g->qtypes, g->nqtypes, c->qtype))
                return false;
        for (size_t i = 0; i < m->naxes; i++) {
                const char *value = c->values[i];
                const struct grid_axis *a = NULL;
                for (size_t k = 0; k < g->naxes && !a; k++)
                        if (strcmp(g->axes[k].key, m->axes[i]) == 0)
                                a = &g->axes[k];
                if (!a) {
                        char def[64];
                        if (params_get(&g->defaults, m->axes[i], def, sizeof(def)) < 0 ||
                            strcmp(def, value) != 0)
                                return false;
                        continue;
                }
                char *end;
                long x = strtol(value, &end, 10);
                if (a->numeric && *value && *end == '\0' ? (x < a->lo || x > a->hi)
                                                          : !has(a->values, a->nvalues, value))
                        return false;
        }
        return true;
}
