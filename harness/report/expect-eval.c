/* Expectations over a matrix: which cells an `expect` line speaks of and
 * whether they satisfy it. Skipped and harness-error cells never satisfy or
 * violate anything. */
#include "harness/report/expect-eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/report/merge.h"
#include "harness/zone/scenario.h"

int expect_check_clients(const struct scenario *sc, const struct client_set *set, char *err,
                         size_t errlen)
{
        for (size_t i = 0; i < sc->nexpects; i++) {
                const struct expectation *e = &sc->expects[i];
                for (size_t c = 0; c < e->nclients; c++)
                        if (!client_set_find(set, e->clients[c])) {
                                snprintf(err, errlen, "%s:%u:%u: expect: expected a client name "
                                         "(see 'stubcompat clients'), got '%s'", sc->path, e->line,
                                         e->client_cols[c], e->clients[c]);
                                return -1;
                        }
        }
        return 0;
}


static bool cond_holds(const struct expect_cond *c, const struct matrix *m,
                       const struct matrix_cell *cell)
{
        const char *v = NULL;
        bool any = false;

        if (strcmp(c->key, "qname") == 0) {
                v = cell->qname;
        } else if (strcmp(c->key, "qtype") == 0) {
                v = cell->qtype;
        } else {
                for (size_t a = 0; a < m->naxes && !v; a++)
                        if (strcmp(m->axes[a], c->key) == 0)
                                v = cell->values[a];
                if (!v)
                        return false;
        }
        if (c->op == EXPECT_EQ || c->op == EXPECT_NE) {
                for (size_t i = 0; i < c->nvalues && !any; i++)
                        any = strcasecmp(v, c->values[i]) == 0;
                return c->op == EXPECT_EQ ? any : !any;
        }
        char *end;
        long n = strtol(v, &end, 10);
        if (*v == '\0' || *end)
                return false;
        switch (c->op) {
        case EXPECT_LT: return n < c->bound;
        case EXPECT_LE: return n <= c->bound;
        case EXPECT_GT: return n > c->bound;
        case EXPECT_GE: return n >= c->bound;
        default: return false;
        }
}

static bool names_client(const struct expectation *e, const char *client)
{
        if (e->nclients == 0)
                return true;
        for (size_t i = 0; i < e->nclients; i++)
                if (strcmp(e->clients[i], client) == 0)
                        return true;
        return false;
}

bool expect_selects(const struct expectation *e, const struct matrix *m,
                    const struct matrix_cell *c)
{
        if (!names_client(e, c->client))
                return false;
        for (size_t i = 0; i < e->nconds; i++)
                if (!cond_holds(&e->conds[i], m, c))
                        return false;
        return true;
}

/* Index in EXPECT_STUB_REPLIES of what the resolver answered the client
 * over UDP, or -1 for a direct cell. */
static int stub_reply_kind(const struct matrix_cell *c)
{
        if (!c->resolver[0])
                return -1;
        if (c->stub_udp_replies == 0)
                return 3;
        if (c->stub_tc_replies == 0)
                return 2;
        return c->stub_udp_records > 0 ? 1 : 0;
}

/* The predicates on the resolver's two hops. */
static bool hop_satisfied(const struct expectation *e, const struct matrix_cell *c)
{
        bool edns_ok = e->nserver_edns == 0;
        for (size_t i = 0; i < e->nserver_edns; i++)
                edns_ok = edns_ok || e->server_edns[i] == c->edns;
        int k = stub_reply_kind(c);
        return edns_ok && (!e->stub_replies || (k >= 0 && (e->stub_replies & (1u << k))));
}

bool expect_satisfied(const struct expectation *e, const struct matrix_cell *c)
{
        if (!hop_satisfied(e, c))
                return false;
        if (e->verdicts && (c->verdict < 0 || c->verdict >= VERDICT_MAX ||
                            !(e->verdicts & (1u << c->verdict))))
                return false;
        if (e->paths) {
                for (int i = 0; i < EXPECT_NPATHS; i++)
                        if (strcmp(expect_path_table[i], c->path) == 0)
                                return (e->paths & (1u << i)) != 0;
                return false;
        }
        return true;
}


void expect_evaluate(const struct expectation *e, const struct matrix *m,
                     struct expect_result *r)
{
        bool subject_seen = false;

        memset(r, 0, sizeof(*r));
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                subject_seen = subject_seen || names_client(e, c->client);
                if (!expect_selects(e, m, c))
                        continue;
                r->matched++;
                if (verdict_is_unchecked(c->verdict))
                        continue;
                r->checked++;
                if (!expect_satisfied(e, c) && r->failed++ == 0)
                        r->first_failed = i;
        }
        if (r->failed) {
                r->status = EXPECT_FAILED;
        } else if (r->matched == 0 && !subject_seen && e->nclients) {
                r->status = EXPECT_NOT_CHECKED;
                snprintf(r->why, sizeof(r->why), "%s", e->nclients == 1 ?
                         "its client is not in this run" : "none of its clients is in this run");
        } else if (r->matched == 0 && (!m->complete || m->ncells < m->total)) {
                r->status = EXPECT_NOT_CHECKED;
                snprintf(r->why, sizeof(r->why), "no matching cell among the %zu of %zu cells "
                         "of this run", m->ncells, m->total);
        } else if (r->matched == 0) {
                r->status = EXPECT_NO_CELL;
        } else if (r->checked == 0) {
                r->status = EXPECT_NOT_CHECKED;
                snprintf(r->why, sizeof(r->why), "all %zu matching cells skipped", r->matched);
        } else {
                r->status = EXPECT_HOLDS;
        }
}

/* "nxdomain, udp 34 bytes", "error truncated, udp 34 bytes", "ok, udp+tcp 530 bytes" */

void expect_result_message(const char *path, const struct expectation *e,
                           const struct matrix *m, const struct expect_result *r, char *buf,
                           size_t len)
{
        char desc[512], outcome[128];

        switch (r->status) {
        case EXPECT_HOLDS:
                snprintf(buf, len, "%s:%u: %s: holds in %zu cells", path, e->line, e->text,
                         r->checked);
                break;
        case EXPECT_FAILED:
                matrix_cell_describe(m, &m->cells[r->first_failed], desc, sizeof(desc));
                matrix_cell_outcome(&m->cells[r->first_failed], outcome, sizeof(outcome));
                snprintf(buf, len, "%s:%u: %s: fails in %zu of %zu cells, first %s: %s", path,
                         e->line, e->text, r->failed, r->checked, desc, outcome);
                break;
        case EXPECT_NO_CELL:
                snprintf(buf, len, "%s:%u: %s: matched no cell", path, e->line, e->text);
                break;
        case EXPECT_NOT_CHECKED:
                snprintf(buf, len, "%s:%u: %s: not checked: %s", path, e->line, e->text, r->why);
                break;
        }
}
