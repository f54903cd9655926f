/* Helpers shared by the views (views.h): the grid of queries x points x
 * clients, point labels, verdict tokens, XML escaping and the server witness. */
#include "harness/report/views.h"

#include "harness/report/sizes.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- grid */

static size_t client_slot(const struct view_grid *g, const char *name)
{
        for (size_t i = 0; i < g->nclients; i++)
                if (strcmp(g->client_cell[i]->client, name) == 0)
                        return i;
        return SIZE_MAX;
}

static size_t query_slot(const struct view_grid *g, const struct matrix_cell *c)
{
        for (size_t i = 0; i < g->nqueries; i++)
                if (strcmp(g->queries[i].qname, c->qname) == 0 &&
                    strcmp(g->queries[i].qtype, c->qtype) == 0)
                        return i;
        return SIZE_MAX;
}

static int cmp_size(const void *a, const void *b)
{
        size_t x = *(const size_t *)a, y = *(const size_t *)b;
        return x < y ? -1 : x > y;
}

static size_t point_slot(const struct view_grid *g, size_t point)
{
        const size_t *p = bsearch(&point, g->points, g->npoints, sizeof(*p), cmp_size);
        return p ? (size_t)(p - g->points) : SIZE_MAX;
}

/* First pass: the distinct clients, queries and points. Returns 0 or -1. */
static int grid_collect(struct view_grid *g)
{
        const struct matrix *m = g->m;
        size_t n = m->ncells ? m->ncells : 1;

        g->client_cell = calloc(n, sizeof(*g->client_cell));
        g->queries = calloc(n, sizeof(*g->queries));
        g->points = calloc(n, sizeof(*g->points));
        if (!g->client_cell || !g->queries || !g->points)
                return -1;
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                if (client_slot(g, c->client) == SIZE_MAX)
                        g->client_cell[g->nclients++] = c;
                if (query_slot(g, c) == SIZE_MAX)
                        g->queries[g->nqueries++] = (struct view_query){ c->qname, c->qtype };
                g->points[i] = c->point;
        }
        qsort(g->points, m->ncells, sizeof(*g->points), cmp_size);
        for (size_t i = 0; i < m->ncells; i++)
                if (g->npoints == 0 || g->points[g->npoints - 1] != g->points[i])
                        g->points[g->npoints++] = g->points[i];
        return 0;
}

int view_grid_build(const struct matrix *m, struct view_grid *g)
{
        size_t slots;

        memset(g, 0, sizeof(*g));
        g->m = m;
        if (grid_collect(g) < 0)
                goto fail;
        slots = g->nqueries * g->npoints;
        if (g->npoints && slots / g->npoints != g->nqueries)
                goto fail;
        if (g->nclients && slots > SIZE_MAX / sizeof(*g->at) / g->nclients)
                goto fail;
        slots *= g->nclients;
        g->at = calloc(slots ? slots : 1, sizeof(*g->at));
        g->point_cell = calloc(g->npoints ? g->npoints : 1, sizeof(*g->point_cell));
        if (!g->at || !g->point_cell)
                goto fail;
        for (size_t i = 0; i < m->ncells; i++) {
                const struct matrix_cell *c = &m->cells[i];
                size_t q = query_slot(g, c), p = point_slot(g, c->point);
                size_t k = client_slot(g, c->client);
                size_t at = (q * g->npoints + p) * g->nclients + k;
                if (!g->at[at])         /* a duplicate cell keeps the first */
                        g->at[at] = c;
                if (!g->point_cell[p])
                        g->point_cell[p] = c;
        }
        return 0;
fail:
        view_grid_free(g);
        g->m = m;
        return -1;
}

void view_grid_free(struct view_grid *g)
{
        free(g->client_cell);
        free(g->queries);
        free(g->points);
        free(g->point_cell);
        free(g->at);
        memset(g, 0, sizeof(*g));
}

/* ---------------------------------------------------------------- text */

void view_point_label(const struct matrix *m, const struct matrix_cell *c, char *buf,
                      size_t len)
{
        size_t o = 0;

        if (len == 0)
                return;
        buf[0] = '\0';
        if (m->naxes == 0) {
                snprintf(buf, len, "defaults");
                return;
        }
        for (size_t a = 0; a < m->naxes && o < len; a++) {
                int n = snprintf(buf + o, len - o, "%s%s=%s", a ? " " : "", m->axes[a],
                                 c->values[a]);
                if (n < 0)
                        break;
                o += (size_t)n;
        }
}

void view_size_cell(long bytes, char *buf, size_t len)
{
        static const long edns_limits[] = { 4096, 1472, 1232 };
        char mark[48] = "";

        if (bytes < 0) {
                snprintf(buf, len, "?");
                return;
        }
        for (size_t i = 0; i < sizeof(edns_limits) / sizeof(edns_limits[0]) && !mark[0]; i++)
                if (bytes + ANSWER_OPT_BYTES > edns_limits[i])
                        snprintf(mark, sizeof(mark), " >%ld", edns_limits[i]);
        if (!mark[0] && bytes > 512)
                snprintf(mark, sizeof(mark), " >512");
        snprintf(buf, len, "%ld B%s, +OPT %ld", bytes, mark, bytes + ANSWER_OPT_BYTES);
}

const char *view_verdict_token(enum verdict v)
{
        static const char *const tokens[VERDICT_MAX] = {
                [VERDICT_OK] = "ok",
                [VERDICT_PARTIAL] = "part",
                [VERDICT_WRONG] = "WRONG",
                [VERDICT_NODATA] = "nodata",
                [VERDICT_NXDOMAIN] = "nx",
                [VERDICT_ERROR] = "err",
                [VERDICT_TIMEOUT] = "t/o",
                [VERDICT_SKIPPED] = "skip",
                [VERDICT_HARNESS_ERROR] = "H!",
        };
        return (v >= 0 && v < VERDICT_MAX) ? tokens[v] : "?";
}

/* Length of the valid UTF-8 sequence at p that is an XML 1.0 character, or 0.
 * p is NUL-terminated, so a short sequence stops at a byte that fails. */
static size_t utf8_xml_char(const unsigned char *p)
{
        uint32_t cp;
        size_t n;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                n = 2;
                cp = p[0] & 0x1f;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                n = 3;
                cp = p[0] & 0x0f;
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                n = 4;
                cp = p[0] & 0x07;
        } else {
                return 0;
        }
        for (size_t i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                return 0;       /* overlong or out of range */
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
                return 0;       /* surrogates and non-characters are not XML */
        return n;
}

void view_xml_escape(struct strbuf *b, const char *s, int in_attr)
{
        const unsigned char *p = (const unsigned char *)s;

        while (*p) {
                size_t n;
                switch (*p) {
                case '&': strbuf_puts(b, "&amp;"); p++; continue;
                case '<': strbuf_puts(b, "&lt;"); p++; continue;
                case '>': strbuf_puts(b, "&gt;"); p++; continue;
                case '"': strbuf_puts(b, "&quot;"); p++; continue;
                case '\'': strbuf_puts(b, "&#39;"); p++; continue;
                case '\n': strbuf_puts(b, in_attr ? "&#10;" : "\n"); p++; continue;
                case '\t': strbuf_puts(b, in_attr ? "&#9;" : "\t"); p++; continue;
                case '\r': strbuf_puts(b, "&#13;"); p++; continue;
                default: break;
                }
                n = *p < 0x20 ? 0 : utf8_xml_char(p);
                if (n == 0) {
                        strbuf_puts(b, "?");
                        p++;
                } else {
                        strbuf_add(b, p, n);
                        p += n;
                }
        }
}

/* "1 reply 34 bytes, 0 records" or "no reply". */
static void hop_transport(char *buf, size_t len, unsigned replies, long bytes, int records)
{
        if (!replies) {
                snprintf(buf, len, "no reply");
                return;
        }
        snprintf(buf, len, "%u %s, last %ld bytes %d records", replies,
                 replies == 1 ? "reply" : "replies", bytes, records);
}

void view_stub_hop(const struct matrix_cell *c, char *buf, size_t len)
{
        char udp[64], tcp[64];

        buf[0] = '\0';
        if (!c->resolver[0])
                return;
        hop_transport(udp, sizeof(udp), c->stub_udp_replies, c->stub_udp_bytes, c->stub_udp_records);
        hop_transport(tcp, sizeof(tcp), c->stub_tcp_replies, c->stub_tcp_bytes, c->stub_tcp_records);
        snprintf(buf, len, "%s: udp %s; tcp %s; %u with TC, last rcode %d", c->resolver, udp, tcp,
                 c->stub_tc_replies, c->stub_rcode);
}

void view_witness(const struct matrix_cell *c, char *buf, size_t len)
{
        char udp[32] = "-", tcp[32] = "-", edns[16] = "-";

        if (c->udp_bytes >= 0)
                snprintf(udp, sizeof(udp), "%ld bytes", c->udp_bytes);
        if (c->tcp_bytes >= 0)
                snprintf(tcp, sizeof(tcp), "%ld bytes", c->tcp_bytes);
        if (c->edns >= 0)
                snprintf(edns, sizeof(edns), "%d", c->edns);
        snprintf(buf, len, "path %s, udp %s, tcp %s, queries udp %u tcp %u, tc %u, edns %s",
                 c->path[0] ? c->path : "none", udp, tcp, c->udp_queries, c->tcp_queries,
                 c->tc_replies, edns);
}
