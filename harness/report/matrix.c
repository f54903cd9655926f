#include "harness/report/matrix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/dns.h"
#include "harness/zone/params.h"

static void qtype_text(int qtype, char out[8])
{
        char tmp[16];
        if (qtype == QTYPE_ADDR)
                snprintf(out, 8, "ADDR");
        else
                snprintf(out, 8, "%s", dns_type_to_string((uint16_t)qtype, tmp));
}

int matrix_from_run(struct matrix *m, const struct scenario *sc, struct client *const *clients,
                    const struct run_result *res)
{
        memset(m, 0, sizeof(*m));
        snprintf(m->suite, sizeof(m->suite), "%s", sc->suite);
        snprintf(m->scenario, sizeof(m->scenario), "%s", sc->path);
        m->complete = res->complete;
        m->total = res->total;
        for (size_t i = 0; i < sc->nsweeps && m->naxes < MATRIX_MAX_AXES; i++)
                snprintf(m->axes[m->naxes++], sizeof(m->axes[0]), "%s", sc->sweeps[i].key);
        m->cells = calloc(res->ncells ? res->ncells : 1, sizeof(*m->cells));
        if (!m->cells)
                return -1;
        for (size_t i = 0; i < res->ncells; i++) {
                const struct cell_record *r = &res->cells[i];
                struct matrix_cell *c = &m->cells[m->ncells++];
                const struct client *cl = clients[r->client];
                struct point_params p;
                char msg[256];
                scenario_point_params(sc, r->point, &p);
                for (size_t s = 0; s < res->nsets; s++)   /* what was served, --set included */
                        params_set_assignment(&p, res->sets[s], msg, sizeof(msg));
                c->index = r->index;
                c->point = r->point;
                snprintf(c->client, sizeof(c->client), "%s", cl->name);
                snprintf(c->kind, sizeof(c->kind), "%s", client_kind_to_string(cl->kind));
                snprintf(c->qname, sizeof(c->qname), "%s", sc->queries[r->query].text);
                size_t ql = strlen(c->qname);
                if (ql > 1 && c->qname[ql - 1] == '.')
                        c->qname[ql - 1] = '\0';
                qtype_text(sc->queries[r->query].qtype, c->qtype);
                for (size_t a = 0; a < m->naxes; a++)
                        params_get(&p, m->axes[a], c->values[a], sizeof(c->values[a]));
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
                snprintf(c->detail, sizeof(c->detail), "%s", r->detail ? r->detail : "");
                c->elapsed_ms = r->elapsed_ms;
        }
        return 0;
}

void matrix_free(struct matrix *m)
{
        free(m->cells);
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
