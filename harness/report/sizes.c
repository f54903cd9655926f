#include "harness/report/sizes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/wire/dns.h"
#include "harness/zone/answer.h"

/* True when each axis value of c is what sc gives its point. */
static bool point_agrees(const struct scenario *sc, const struct matrix *m,
                         const struct matrix_cell *c)
{
        struct point_params p;
        char value[64];

        scenario_point_params(sc, c->point, &p);
        for (size_t a = 0; a < m->naxes; a++)
                if (params_get(&p, m->axes[a], value, sizeof(value)) < 0 ||
                    strcmp(value, c->values[a]) != 0)
                        return false;
        return true;
}

/* The answer size of query q at point p: for ADDR (getaddrinfo asks A and
 * AAAA) the larger of the two. -1 when it cannot be encoded. */
static long query_size(const struct scenario *sc, const struct zone *z,
                       const struct point_params *p, size_t q)
{
        const struct scenario_query *sq = &sc->queries[q];
        uint16_t types[2] = { (uint16_t)sq->qtype, 0 };
        long best = -1;

        if (sq->qtype == QTYPE_ADDR) {
                types[0] = DNS_TYPE_A;
                types[1] = DNS_TYPE_AAAA;
        }
        for (int t = 0; t < 2 && types[t]; t++) {
                struct answer *a = answer_build(z, p, sq->name, sq->name_len, types[t]);
                if (a && (long)a->len > best)
                        best = (long)a->len;
                answer_free(a);
        }
        return best;
}

static int fill_point(const struct scenario *sc, size_t point, struct answer_sizes *s)
{
        struct point_params p;
        char err[256];

        scenario_point_params(sc, point, &p);
        struct zone *z = scenario_build_zone(sc, &p, err, sizeof(err));
        if (!z)
                return 0;       /* a zone that cannot be built: sizes stay unknown */
        for (size_t q = 0; q < s->nqueries; q++)
                s->bytes[point * s->nqueries + q] = query_size(sc, z, &p, q);
        zone_free(z);
        return 0;
}

int answer_sizes_compute(const struct scenario *sc, const struct matrix *m,
                         struct answer_sizes *s)
{
        char text[16];
        bool *seen = NULL;
        int ret = -1;

        memset(s, 0, sizeof(*s));
        if (!sc || sc->nqueries == 0 || sc->canned)
                return 0;
        for (size_t i = 0; i < m->ncells; i++)
                if (m->cells[i].point + 1 > s->npoints)
                        s->npoints = m->cells[i].point + 1;
        if (s->npoints == 0 || s->npoints > scenario_point_count(sc)) {
                s->npoints = 0;
                return 0;
        }
        s->nqueries = sc->nqueries;
        s->qname = calloc(s->nqueries, sizeof(*s->qname));
        s->qtype = calloc(s->nqueries, sizeof(*s->qtype));
        s->bytes = malloc(s->npoints * s->nqueries * sizeof(*s->bytes));
        seen = calloc(s->npoints, sizeof(*seen));
        if (!s->qname || !s->qtype || !s->bytes || !seen)
                goto cleanup;
        for (size_t q = 0; q < s->nqueries; q++) {
                const struct scenario_query *sq = &sc->queries[q];
                snprintf(s->qname[q], sizeof(s->qname[q]), "%s", sq->text);
                size_t l = strlen(s->qname[q]);
                if (l > 1 && s->qname[q][l - 1] == '.')
                        s->qname[q][l - 1] = '\0';
                snprintf(s->qtype[q], sizeof(s->qtype[q]), "%s", sq->qtype == QTYPE_ADDR ? "ADDR" :
                         dns_type_to_string((uint16_t)sq->qtype, text));
        }
        for (size_t i = 0; i < s->npoints * s->nqueries; i++)
                s->bytes[i] = -1;
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                if (seen[c->point])
                        continue;
                seen[c->point] = true;
                if (!point_agrees(sc, m, c)) {
                        ret = 0;        /* run with other parameters: sizes unknown */
                        goto cleanup;
                }
                if (fill_point(sc, c->point, s) < 0)
                        goto cleanup;
        }
        free(seen);
        return 0;
cleanup:
        free(seen);
        answer_sizes_free(s);
        return ret;
}

void answer_sizes_free(struct answer_sizes *s)
{
        if (!s)
                return;
        free(s->qname);
        free(s->qtype);
        free(s->bytes);
        memset(s, 0, sizeof(*s));
}

long answer_sizes_get(const struct answer_sizes *s, size_t point, const char *qname,
                      const char *qtype)
{
        if (!s || point >= s->npoints)
                return -1;
        for (size_t q = 0; q < s->nqueries; q++)
                if (strcasecmp(s->qname[q], qname) == 0 && strcmp(s->qtype[q], qtype) == 0)
                        return s->bytes[point * s->nqueries + q];
        return -1;
}
