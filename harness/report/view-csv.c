/* matrix.csv: one row per cell in matrix order (RFC 4180).
 *
 *   client,kind,qname,qtype,<axis>...,verdict,reason,addresses,expected,path,
 *   udp_bytes,tcp_bytes,udp_queries,tcp_queries,tc_replies,edns,detail
 *
 * Records end in CRLF. A field holding a comma, a double quote, CR or LF is
 * quoted and its quotes doubled; a null number (no reply on a transport, no
 * OPT) is an empty field. elapsed_ms is left out so equal runs give equal
 * files. */
#include "harness/report/views.h"

#include <string.h>

static void csv_field(struct strbuf *b, const char *s, int first)
{
        if (!first)
                strbuf_puts(b, ",");
        if (!strpbrk(s, ",\"\r\n")) {
                strbuf_puts(b, s);
                return;
        }
        strbuf_puts(b, "\"");
        for (const char *p = s; *p; p++) {
                if (*p == '"')
                        strbuf_puts(b, "\"\"");
                else
                        strbuf_add(b, p, 1);
        }
        strbuf_puts(b, "\"");
}

static void csv_number(struct strbuf *b, long v)
{
        if (v >= 0)
                strbuf_printf(b, ",%ld", v);
        else
                strbuf_puts(b, ",");
}

static void csv_row(const struct matrix *m, const struct matrix_cell *c, struct strbuf *b)
{
        csv_field(b, c->client, 1);
        csv_field(b, c->kind, 0);
        csv_field(b, c->qname, 0);
        csv_field(b, c->qtype, 0);
        for (size_t a = 0; a < m->naxes; a++)
                csv_field(b, c->values[a], 0);
        csv_field(b, verdict_to_string(c->verdict), 0);
        csv_field(b, c->reason, 0);
        strbuf_printf(b, ",%zu,%zu", c->addresses, c->expected);
        csv_field(b, c->path, 0);
        csv_number(b, c->udp_bytes);
        csv_number(b, c->tcp_bytes);
        strbuf_printf(b, ",%u,%u,%u", c->udp_queries, c->tcp_queries, c->tc_replies);
        csv_number(b, c->edns);
        csv_field(b, c->detail, 0);
        strbuf_puts(b, "\r\n");
}

void view_csv_write(const struct matrix *m, struct strbuf *b)
{
        strbuf_puts(b, "client,kind,qname,qtype");
        for (size_t a = 0; a < m->naxes; a++)
                csv_field(b, m->axes[a], 0);
        strbuf_puts(b, ",verdict,reason,addresses,expected,path,udp_bytes,tcp_bytes,"
                       "udp_queries,tcp_queries,tc_replies,edns,detail\r\n");
        for (size_t i = 0; i < m->ncells; i++)
                csv_row(m, &m->cells[i], b);
}
