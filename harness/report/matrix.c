#include "harness/report/matrix.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/strpool.h"
#include "harness/wire/dns.h"
#include "harness/zone/calibration-grid.h"
#include "harness/zone/params.h"

/* The values of a cell before any are set: "" for every axis. */
static const char *const no_values[MATRIX_MAX_AXES] = {
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
};

/* ---------------------------------------------------------------- building */

/* m's copy of s cut to max bytes, or NULL when out of memory. */
static const char *matrix_intern(struct matrix *m, const char *s, size_t max)
{
        if (!m->pool && !(m->pool = strpool_new()))
                return NULL;
        return strpool_intern_n(m->pool, s, max);
}

int matrix_reserve(struct matrix *m, size_t n)
{
        struct matrix_cell *cells;

        if (n <= m->cap)
                return 0;
        if (n > SIZE_MAX / sizeof(*cells) || !(cells = realloc(m->cells, n * sizeof(*cells))))
                return -1;
        m->cells = cells;
        m->cap = n;
        return 0;
}

void matrix_trim(struct matrix *m)
{
        struct matrix_cell *cells;
        size_t n = m->ncells ? m->ncells : 1;

        if (n < m->cap && (cells = realloc(m->cells, n * sizeof(*cells)))) {
                m->cells = cells;
                m->cap = n;
        }
}

struct matrix_cell *matrix_add_cell(struct matrix *m)
{
        struct matrix_cell *c;

        if (m->ncells == m->cap && matrix_reserve(m, m->cap ? m->cap * 2 : 256) < 0)
                return NULL;
        c = &m->cells[m->ncells++];
        memset(c, 0, sizeof(*c));
        c->client = c->kind = c->qname = c->detail = "";
        c->values = no_values;
        c->stub_udp_bytes = c->stub_tcp_bytes = -1;
        c->stub_udp_records = c->stub_tcp_records = c->stub_rcode = -1;
        return c;
}

static int set_text(struct matrix *m, const char **field, const char *s, size_t max)
{
        const char *t = matrix_intern(m, s, max);
        if (!t)
                return -1;
        *field = t;
        return 0;
}

int matrix_cell_set_client(struct matrix *m, struct matrix_cell *c, const char *s)
{
        return set_text(m, &c->client, s, MATRIX_CLIENT_MAX);
}

int matrix_cell_set_kind(struct matrix *m, struct matrix_cell *c, const char *s)
{
        return set_text(m, &c->kind, s, MATRIX_KIND_MAX);
}

int matrix_cell_set_qname(struct matrix *m, struct matrix_cell *c, const char *s)
{
        return set_text(m, &c->qname, s, MATRIX_QNAME_MAX);
}

int matrix_cell_set_detail(struct matrix *m, struct matrix_cell *c, const char *s)
{
        return set_text(m, &c->detail, s, MATRIX_DETAIL_MAX);
}

int matrix_cell_set_values(struct matrix *m, struct matrix_cell *c, const char *const *values)
{
        const char *v[MATRIX_MAX_AXES];
        const char **array;
        size_t n = m->naxes < MATRIX_MAX_AXES ? m->naxes : MATRIX_MAX_AXES;
        bool same = m->last_values && m->last_nvalues == n;

        if (n == 0) {
                c->values = no_values;
                return 0;
        }
        for (size_t a = 0; a < n; a++) {
                if (!(v[a] = matrix_intern(m, values[a], MATRIX_VALUE_MAX)))
                        return -1;
                same = same && m->last_values[a] == v[a];     /* interned: equal texts */
        }
        if (same) {
                c->values = m->last_values;
                return 0;
        }
        if (!(array = strpool_alloc(m->pool, n * sizeof(*array))))
                return -1;
        memcpy(array, v, n * sizeof(*array));
        c->values = m->last_values = array;
        m->last_nvalues = n;
        return 0;
}

int matrix_cell_set_value(struct matrix *m, struct matrix_cell *c, size_t axis, const char *value)
{
        const char *v[MATRIX_MAX_AXES];

        if (axis >= m->naxes || axis >= MATRIX_MAX_AXES)
                return -1;
        for (size_t a = 0; a < m->naxes && a < MATRIX_MAX_AXES; a++)
                v[a] = c->values[a];
        v[axis] = value;
        return matrix_cell_set_values(m, c, v);
}

int matrix_cell_copy(struct matrix *m, struct matrix_cell *dst, const struct matrix_cell *src)
{
        struct matrix_cell c = *src;

        if (set_text(m, &c.client, src->client, MATRIX_CLIENT_MAX) < 0 ||
            set_text(m, &c.kind, src->kind, MATRIX_KIND_MAX) < 0 ||
            set_text(m, &c.qname, src->qname, MATRIX_QNAME_MAX) < 0 ||
            set_text(m, &c.detail, src->detail, MATRIX_DETAIL_MAX) < 0 ||
            matrix_cell_set_values(m, &c, src->values) < 0)
                return -1;
        *dst = c;
        return 0;
}

/* ---------------------------------------------------------------- from a run */

void matrix_qtype_text(int qtype, char out[8])
{
        char tmp[16];
        if (qtype == QTYPE_ADDR)
                snprintf(out, 8, "ADDR");
        else
                snprintf(out, 8, "%s", dns_type_to_string((uint16_t)qtype, tmp));
}

/* The texts every cell of a client or a query shares, interned once. */
struct run_texts {
        const char **client, **kind;        /* [client index] */
        const char **standing;              /* [client index], static strings */
        const char **qname;                 /* [query index], without the final dot */
        char (*qtype)[8];
};

static int run_texts_init(struct run_texts *t, struct matrix *m, const struct scenario *sc,
                          struct client *const *clients, const struct run_result *res)
{
        size_t nclients = 0;
        char qname[MATRIX_QNAME_MAX + 1];

        for (size_t i = 0; i < res->ncells; i++)
                if (res->cells[i].client >= nclients)
                        nclients = res->cells[i].client + 1;
        t->client = calloc(nclients ? nclients : 1, sizeof(*t->client));
        t->kind = calloc(nclients ? nclients : 1, sizeof(*t->kind));
        t->standing = calloc(nclients ? nclients : 1, sizeof(*t->standing));
        t->qname = calloc(sc->nqueries ? sc->nqueries : 1, sizeof(*t->qname));
        t->qtype = calloc(sc->nqueries ? sc->nqueries : 1, sizeof(*t->qtype));
        if (!t->client || !t->kind || !t->standing || !t->qname || !t->qtype)
                return -1;
        for (size_t k = 0; k < nclients; k++)
                t->standing[k] = client_standing(clients[k]);
        for (size_t k = 0; k < nclients; k++)
                if (!(t->client[k] = matrix_intern(m, clients[k]->name, MATRIX_CLIENT_MAX)) ||
                    !(t->kind[k] = matrix_intern(m, client_kind_to_string(clients[k]->kind),
                                                 MATRIX_KIND_MAX)))
                        return -1;
        for (size_t q = 0; q < sc->nqueries; q++) {
                snprintf(qname, sizeof(qname), "%s", sc->queries[q].text);
                size_t ql = strlen(qname);
                if (ql > 1 && qname[ql - 1] == '.')
                        qname[ql - 1] = '\0';
                if (!(t->qname[q] = matrix_intern(m, qname, MATRIX_QNAME_MAX)))
                        return -1;
                matrix_qtype_text(sc->queries[q].qtype, t->qtype[q]);
        }
        return 0;
}

static void run_texts_free(struct run_texts *t)
{
        free(t->client);
        free(t->kind);
        free(t->standing);
        free(t->qname);
        free(t->qtype);
}

/* Sets the values of c to those of its point, as served (--set included). */
static int point_values(struct matrix *m, struct matrix_cell *c, const struct scenario *sc,
                        const struct run_result *res)
{
        char vals[MATRIX_MAX_AXES][MATRIX_VALUE_MAX + 1], msg[256];
        const char *v[MATRIX_MAX_AXES];
        struct point_params p;

        scenario_point_params(sc, c->point, &p);
        for (size_t s = 0; s < res->nsets; s++)
                params_set_assignment(&p, res->sets[s], msg, sizeof(msg));
        for (size_t a = 0; a < m->naxes; a++) {
                params_get(&p, m->axes[a], vals[a], sizeof(vals[a]));
                v[a] = vals[a];
        }
        return matrix_cell_set_values(m, c, v);
}

/* The matrix's cells are filled from the last while the run's array is cut
 * from its end every RUN_GIVE_BACK cells: the run's records and the matrix's
 * cells are never all held at once. */
#define RUN_GIVE_BACK 4096

static void run_cells_cut(struct run_result *res, size_t n)
{
        struct cell_record *cells;

        res->ncells = n;
        if (n == 0) {
                free(res->cells);
                res->cells = NULL;
        } else if ((cells = realloc(res->cells, n * sizeof(*cells)))) {
                res->cells = cells;
        }
}

/* Fills c from the record r, its detail taken. */
static int cell_from_record(struct matrix *m, struct matrix_cell *c, const struct run_texts *t,
                            struct cell_record *r)
{
        memset(c, 0, sizeof(*c));
        c->index = r->index;
        c->point = r->point;
        c->client = t->client[r->client];
        c->kind = t->kind[r->client];
        snprintf(c->standing, sizeof(c->standing), "%s", t->standing[r->client]);
        c->qname = t->qname[r->query];
        memcpy(c->qtype, t->qtype[r->query], sizeof(c->qtype));
        c->values = no_values;
        c->verdict = r->verdict;
        snprintf(c->reason, sizeof(c->reason), "%s", r->reason);
        c->addresses = r->addresses;
        c->expected = r->expected;
        snprintf(c->path, sizeof(c->path), "%s", cell_path(r));
        c->udp_bytes = r->udp_bytes;
        c->tcp_bytes = r->tcp_bytes;
        c->udp_queries = r->udp_queries;
        c->tcp_queries = r->tcp_queries;
        c->tc_replies = r->tc_replies;
        c->edns = r->edns;
        if (r->resolver != VIA_DIRECT) {
                snprintf(c->resolver, sizeof(c->resolver), "%s",
                         resolver_path_to_string((enum resolver_path)r->resolver));
                c->stub_udp_replies = r->hop.udp_replies;
                c->stub_tcp_replies = r->hop.tcp_replies;
                c->stub_tc_replies = r->hop.tc_replies;
                c->stub_udp_bytes = r->hop.udp_bytes;
                c->stub_tcp_bytes = r->hop.tcp_bytes;
                c->stub_udp_records = r->hop.udp_records;
                c->stub_tcp_records = r->hop.tcp_records;
                c->stub_rcode = r->hop.rcode;
        }
        c->detail = "";
        c->elapsed_ms = r->elapsed_ms;
        if (r->detail && matrix_cell_set_detail(m, c, r->detail) < 0)
                return -1;
        free(r->detail);
        r->detail = NULL;
        return 0;
}

/* The calibration grid, loaded once per process on first use; NULL when the
 * calibration suites cannot be read (no cell is then flagged). */
static const struct calibration_grid *grid_once(void)
{
        static struct calibration_grid *grid;
        static bool tried;
        char err[256];

        if (!tried) {
                tried = true;
                grid = calibration_grid_load(err, sizeof(err));
        }
        return grid;
}

/* Calibrated clients' cells at points the calibration suites do not reach. */
static void flag_uncalibrated(struct matrix *m)
{
        const struct calibration_grid *g = NULL;

        for (size_t i = 0; i < m->ncells; i++) {
                struct matrix_cell *c = &m->cells[i];
                if (strcmp(c->standing, "calibrated") != 0)
                        continue;
                if (!g && !(g = grid_once()))
                        return;
                if (!calibration_grid_covers(g, m, c))
                        snprintf(c->standing, sizeof(c->standing), "uncalibrated point");
        }
}

int matrix_from_run(struct matrix *m, const struct scenario *sc, struct client *const *clients,
                    struct run_result *res)
{
        struct run_texts t = { 0 };
        size_t n = res->ncells;
        int ret = -1;

        memset(m, 0, sizeof(*m));
        snprintf(m->suite, sizeof(m->suite), "%s", sc->suite);
        snprintf(m->scenario, sizeof(m->scenario), "%s", sc->path);
        m->complete = res->complete;
        m->total = res->total;
        for (size_t i = 0; i < sc->nsweeps && m->naxes < MATRIX_MAX_AXES; i++)
                snprintf(m->axes[m->naxes++], sizeof(m->axes[0]), "%s", sc->sweeps[i].key);
        if (matrix_reserve(m, n ? n : 1) < 0 || run_texts_init(&t, m, sc, clients, res) < 0)
                goto cleanup;
        for (size_t i = n; i-- > 0;) {
                struct matrix_cell *c = &m->cells[i];
                if (cell_from_record(m, c, &t, &res->cells[i]) < 0)
                        goto cleanup;
                /* cells are in index order: a point's cells are consecutive */
                if (i + 1 < n && m->cells[i + 1].point == c->point)
                        c->values = m->cells[i + 1].values;
                else if (point_values(m, c, sc, res) < 0)
                        goto cleanup;
                if (i % RUN_GIVE_BACK == 0)
                        run_cells_cut(res, i);
        }
        m->ncells = n;
        flag_uncalibrated(m);
        ret = 0;
cleanup:
        run_texts_free(&t);
        if (ret < 0)
                matrix_free(m);
        return ret;
}

void matrix_free(struct matrix *m)
{
        free(m->cells);
        strpool_free(m->pool);
        memset(m, 0, sizeof(*m));
}

void matrix_count(const struct matrix *m, const char *client, size_t counts[VERDICT_MAX])
{
        memset(counts, 0, sizeof(size_t) * VERDICT_MAX);
        for (size_t i = 0; i < m->ncells; i++)
                if (!client || strcmp(m->cells[i].client, client) == 0)
                        if (m->cells[i].verdict >= 0 && m->cells[i].verdict < VERDICT_MAX)
                                counts[m->cells[i].verdict]++;
}
