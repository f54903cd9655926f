/* stubcompat calibrate: each emulated profile beside its real twin, cell by cell. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/cli/commands.h"
#include "harness/cli/select.h"
#include "harness/report/matrix.h"
#include "harness/report/write.h"
#include "harness/run/runner.h"
#include "harness/util/paths.h"
#include "harness/util/strutil.h"
#include "harness/zone/calibration-grid.h"
#include "harness/zone/scenario.h"
#include "harness/util/grow.h"

struct pair {
        struct client *emulated, *real;
        size_t col_e, col_r;          /* columns in the run */
        size_t cells, agree;
        size_t rechecked;             /* of agree: only on a re-run after a timeout */
};

/* Two cells agree when the verdicts match and, for address verdicts, the
 * number of distinct addresses too. Reasons are each library's own words. */
static bool cells_agree(const struct matrix_cell *a, const struct matrix_cell *b)
{
        return a->verdict == b->verdict && a->addresses == b->addresses;
}

static void print_cell(const struct matrix_cell *c)
{
        printf("%s %s (%zu/%zu addresses, %s", verdict_to_string(c->verdict),
               c->reason[0] ? c->reason : "-", c->addresses, c->expected, c->path);
        if (c->udp_bytes >= 0)
                printf(", udp %ld bytes", c->udp_bytes);
        printf(")");
}

static void print_point(const struct matrix *m, const struct matrix_cell *c)
{
        printf("%s %s", c->qname, c->qtype);
        for (size_t a = 0; a < m->naxes; a++)
                printf(" %s=%s", m->axes[a], c->values[a]);
}

/* A pair's cells (emulated, real) that disagreed on the first run. */
struct disagreement {
        struct pair *p;
        size_t e, r;                  /* cell indexes in the suite */
        bool rerun;                   /* one side timed out: run again once */
};

struct disagreements {
        struct disagreement *items;
        size_t n, cap;
};

static int disagreements_push(struct disagreements *d, struct disagreement x)
{
        if (array_grow(&d->items, &d->cap, d->n, sizeof(*d->items), 64) < 0)
                return -1;
        d->items[d->n++] = x;
        return 0;
}

/* Compares the pair over the (full) matrix: counts agreeing cells, collects
 * the others. */
static int compare_pair(const struct matrix *m, size_t nclients, struct pair *p,
                        struct disagreements *d)
{
        if (!p->real->available || !p->emulated->available)
                return 0;
        for (size_t i = 0; i + nclients <= m->ncells; i += nclients) {
                const struct matrix_cell *e = &m->cells[i + p->col_e], *r = &m->cells[i + p->col_r];
                if (e->verdict == VERDICT_SKIPPED || r->verdict == VERDICT_SKIPPED)
                        continue;
                p->cells++;
                if (cells_agree(e, r)) {
                        p->agree++;
                        continue;
                }
                bool rerun = e->verdict == VERDICT_TIMEOUT || r->verdict == VERDICT_TIMEOUT;
                if (disagreements_push(d, (struct disagreement){ p, i + p->col_e, i + p->col_r,
                                                                 rerun }) < 0)
                        return -1;
        }
        return 0;
}

static const struct matrix_cell *cell_by_index(const struct matrix *m, size_t index)
{
        size_t lo = 0, hi = m->ncells;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (m->cells[mid].index == index)
                        return &m->cells[mid];
                if (m->cells[mid].index < index)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static void print_disagreement(const struct matrix *m, const struct disagreement *x,
                               const char *again)
{
        const struct matrix_cell *e = &m->cells[x->e], *r = &m->cells[x->r];
        printf("  DISAGREE %s: ", m->suite);
        print_point(m, e);
        printf(":%s\n    %-24s ", again, x->p->emulated->name);
        print_cell(e);
        printf("  %s\n    %-24s ", e->detail, x->p->real->name);
        print_cell(r);
        printf("  %s\n", r->detail);
}

/* Runs the cells of the disagreements where one side timed out once more,
 * few at a time: on a loaded machine a stalled loop looks like a library's
 * timeout, and a real difference repeats. A cell that agrees on the re-run
 * counts as agreeing and is listed as re-checked; any other is printed. */
static int recheck(const struct runner_config *base, const struct matrix *m,
                   struct disagreements *d, char *err, size_t errlen)
{
        struct run_result res = { 0 };
        struct matrix again = { 0 };
        bool *only = NULL;
        size_t nrerun = 0;
        int ret = -1;

        for (size_t i = 0; i < d->n; i++)
                nrerun += d->items[i].rerun;
        if (nrerun > 0) {
                if (!(only = calloc(m->total ? m->total : 1, sizeof(*only)))) {
                        snprintf(err, errlen, "out of memory");
                        goto cleanup;
                }
                for (size_t i = 0; i < d->n; i++)
                        if (d->items[i].rerun)
                                only[m->cells[d->items[i].e].index] =
                                        only[m->cells[d->items[i].r].index] = true;
                struct runner_config cfg = *base;
                cfg.only_cells = only;
                cfg.max_inflight = 8;
                if (runner_run(&cfg, &res, err, errlen) < 0 ||
                    matrix_from_run(&again, base->sc, base->clients, &res) < 0)
                        goto cleanup;
        }
        for (size_t i = 0; i < d->n; i++) {
                struct disagreement *x = &d->items[i];
                const struct matrix_cell *e = NULL, *r = NULL;
                if (x->rerun) {
                        e = cell_by_index(&again, m->cells[x->e].index);
                        r = cell_by_index(&again, m->cells[x->r].index);
                }
                if (e && r && cells_agree(e, r)) {
                        x->p->agree++;
                        x->p->rechecked++;
                        printf("  RECHECKED %s: ", m->suite);
                        print_point(m, e);
                        printf(": %s and %s disagreed once (one timed out) and agreed on a re-run: %s\n",
                               x->p->emulated->name, x->p->real->name, verdict_to_string(e->verdict));
                        continue;
                }
                print_disagreement(m, x, x->rerun ? " (again on a re-run)" : "");
        }
        ret = 0;
cleanup:
        free(only);
        matrix_free(&again);
        run_result_free(&res);
        return ret;
}

/* Finds the emulated/real pairs among all clients. */
static size_t find_pairs(const struct client_set *set, const char *only, struct pair *pairs,
                         struct client **cols, size_t *ncols)
{
        size_t n = 0;
        for (size_t i = 0; i < set->n; i++) {
                struct client *e = set->items[i], *r;
                if (e->kind != CLIENT_EMULATED || !e->twin[0] || !(r = client_set_find(set, e->twin)))
                        continue;
                if (only && !strstr(only, e->name) && !strstr(only, r->name))
                        continue;
                pairs[n] = (struct pair){ .emulated = e, .real = r, .col_e = *ncols, .col_r = *ncols + 1 };
                cols[(*ncols)++] = e;
                cols[(*ncols)++] = r;
                n++;
        }
        return n;
}

/* Runs one calibration suite over the pairs' columns, writes its views to
 * out and adds its cells to each pair. Returns 0, 3 when the harness failed,
 * or 2 for a bad scenario (message printed). */
static int calibrate_suite(const char *path, const char *out, struct client **cols, size_t ncols,
                           size_t jobs, struct pair *pairs, size_t npairs)
{
        struct scenario *sc = NULL;
        struct run_result res = { 0 };
        struct matrix m = { 0 };
        struct disagreements d = { 0 };
        char err[512];
        int ret = 0;

        if (scenario_load(path, &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return EXIT_USAGE;
        }
        struct runner_config cfg = { .sc = sc, .clients = cols, .nclients = ncols,
                                     .max_inflight = jobs };
        if (runner_run(&cfg, &res, err, sizeof(err)) < 0 || matrix_from_run(&m, sc, cols, &res) < 0) {
                fprintf(stderr, "stubcompat calibrate: %s\n", err);
                ret = 3;
                goto cleanup;
        }
        if (report_write_all(&m, NULL, out, err, sizeof(err)) < 0)
                fprintf(stderr, "stubcompat calibrate: %s\n", err);
        for (size_t i = 0; i < npairs; i++)
                if (compare_pair(&m, ncols, &pairs[i], &d) < 0) {
                        fprintf(stderr, "stubcompat calibrate: out of memory\n");
                        ret = 3;
                        goto cleanup;
                }
        if (recheck(&cfg, &m, &d, err, sizeof(err)) < 0) {
                fprintf(stderr, "stubcompat calibrate: re-check: %s\n", err);
                ret = 3;
                goto cleanup;
        }
        printf("%s: %zu cells\n", m.suite, m.ncells);
        if (res.harness_failed)
                ret = 3;
cleanup:
        free(d.items);
        matrix_free(&m);
        run_result_free(&res);
        scenario_free(sc);
        return ret;
}

int cmd_calibrate(int argc, char **argv)
{
        static const struct option opts[] = {
                { "clients", required_argument, NULL, 'c' },
                { "out", required_argument, NULL, 'o' },
                { "jobs", required_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { 0, 0, 0, 0 },
        };
        struct client_set set = { 0 };
        struct pair *pairs = NULL;
        struct client **cols = NULL;
        char **paths = NULL;
        const char *only = NULL, *out = "results/calibration";
        char err[512], dir[8192];
        size_t npairs, ncols = 0, npaths = 0, jobs = 0;
        char *end;
        int c, ret = EXIT_USAGE;
        bool harness_failed = false;

        optind = 1;
        while ((c = getopt_long(argc, argv, "c:o:j:h", opts, NULL)) != -1) {
                switch (c) {
                case 'j':
                        jobs = strtoul(optarg, &end, 10);
                        if (*optarg == '\0' || *end != '\0' || jobs == 0 || jobs > 4096) {
                                fprintf(stderr, "stubcompat calibrate: --jobs: expected 1..4096, got '%s'\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'c': only = optarg; break;
                case 'o': out = optarg; break;
                case 'h':
                        printf("usage: stubcompat calibrate [--clients LIST] [--out DIR] [--jobs N] [SCENARIO...]\n\n"
                               "Runs each emulated profile beside its real twin over each SCENARIO\n"
                               "(default scenarios/calibration.scn and scenarios/calibration/*.scn;\n"
                               "views in DIR/<suite>/), prints the agreement per pair and every cell\n"
                               "where they disagree. A cell where one side timed out is run once\n"
                               "more, few at a time, and counts as agreeing (listed RECHECKED) only\n"
                               "when both sides agree then. Exit 1 on any disagreement, 2 on usage errors,\n"
                               "3 when the harness failed in some cell. --jobs N: cells in flight\n"
                               "at once (default 64; fewer on a slow or loaded machine, where a\n"
                               "stalled loop would look like a library's timeout).\n");
                        return 0;
                default: return EXIT_USAGE;
                }
        }
        for (int i = optind; i < argc; i++)
                if (strv_push(&paths, &npaths, argv[i]) < 0)
                        goto cleanup;
        if (npaths == 0 && calibration_suite_paths(&paths, &npaths) < 0) {
                fprintf(stderr, "stubcompat calibrate: out of memory\n");
                goto cleanup;
        }
        if (select_load_clients(&set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                goto cleanup;
        }
        pairs = calloc(set.n + 1, sizeof(*pairs));
        cols = calloc(2 * set.n + 1, sizeof(*cols));
        if (!pairs || !cols)
                goto cleanup;
        npairs = find_pairs(&set, only, pairs, cols, &ncols);
        if (npairs == 0) {
                fprintf(stderr, "stubcompat calibrate: no emulated profile with a real twin selected\n");
                goto cleanup;
        }
        select_prepare_sandbox(cols, ncols);
        signal(SIGPIPE, SIG_IGN);
        for (size_t i = 0; i < npaths; i++) {
                snprintf(dir, sizeof(dir), "%s", out);
                if (npaths > 1) {
                        const char *base = strrchr(paths[i], '/');
                        base = base ? base + 1 : paths[i];
                        snprintf(dir, sizeof(dir), "%s/%.*s", out, (int)strcspn(base, "."), base);
                }
                int r = calibrate_suite(paths[i], dir, cols, ncols, jobs, pairs, npairs);
                if (r == EXIT_USAGE) {
                        ret = EXIT_USAGE;
                        goto cleanup;
                }
                harness_failed |= r == 3;
        }
        ret = 0;
        for (size_t i = 0; i < npairs; i++) {
                struct pair *p = &pairs[i];
                if (!p->real->available || !p->emulated->available) {
                        printf("%-22s <-> %-26s skipped: %s\n", p->emulated->name, p->real->name,
                               p->real->available ? p->emulated->why_not : p->real->why_not);
                        continue;
                }
                printf("%-22s <-> %-26s %zu/%zu cells agree (%.1f%%)", p->emulated->name,
                       p->real->name, p->agree, p->cells,
                       p->cells ? 100.0 * (double)p->agree / (double)p->cells : 0.0);
                if (p->rechecked)
                        printf(", %zu of them on a re-run after a timeout", p->rechecked);
                printf("\n");
                if (p->agree != p->cells || p->cells == 0)
                        ret = EXIT_CHECK_FAILED;
        }
        if (harness_failed)
                ret = 3;
cleanup:
        for (size_t i = 0; i < npaths; i++)
                free(paths[i]);
        free(paths);
        free(pairs);
        free(cols);
        client_set_free(&set);
        return ret;
}
