#include "harness/report/matrix-json.h"

#include <stdlib.h>

#include "harness/zone/params.h"

static void json_value(struct strbuf *b, const char *key, const char *v)
{
        /* numeric parameters are JSON numbers, the others strings */
        if (params_key_is_numeric(key)) {
                char *end;
                strtol(v, &end, 10);
                if (*v && !*end) {
                        strbuf_puts(b, v);
                        return;
                }
        }
        strbuf_json_string(b, v);
}

static void json_bytes(struct strbuf *b, long v)
{
        if (v < 0)
                strbuf_puts(b, "null");
        else
                strbuf_printf(b, "%ld", v);
}

static void json_cell(const struct matrix *m, const struct matrix_cell *c, struct strbuf *b)
{
        strbuf_puts(b, "{\"client\":");
        strbuf_json_string(b, c->client);
        strbuf_puts(b, ",\"kind\":");
        strbuf_json_string(b, c->kind);
        if (c->standing[0]) {
                strbuf_puts(b, ",\"standing\":");
                strbuf_json_string(b, c->standing);
        }
        strbuf_puts(b, ",\"qname\":");
        strbuf_json_string(b, c->qname);
        strbuf_puts(b, ",\"qtype\":");
        strbuf_json_string(b, c->qtype);
        strbuf_printf(b, ",\"index\":%zu,\"point\":%zu,\"params\":{", c->index, c->point);
        for (size_t a = 0; a < m->naxes; a++) {
                if (a)
                        strbuf_puts(b, ",");
                strbuf_json_string(b, m->axes[a]);
                strbuf_puts(b, ":");
                json_value(b, m->axes[a], c->values[a]);
        }
        strbuf_puts(b, "},\"verdict\":");
        strbuf_json_string(b, verdict_to_string(c->verdict));
        strbuf_puts(b, ",\"reason\":");
        strbuf_json_string(b, c->reason);
        strbuf_printf(b, ",\"addresses\":%zu,\"expected\":%zu,\"path\":", c->addresses, c->expected);
        strbuf_json_string(b, c->path);
        strbuf_puts(b, ",\"udp_bytes\":");
        json_bytes(b, c->udp_bytes);
        strbuf_puts(b, ",\"tcp_bytes\":");
        json_bytes(b, c->tcp_bytes);
        strbuf_printf(b, ",\"udp_queries\":%u,\"tcp_queries\":%u,\"tc_replies\":%u,\"edns\":",
                      c->udp_queries, c->tcp_queries, c->tc_replies);
        json_bytes(b, c->edns);
        if (c->resolver[0]) {
                strbuf_puts(b, ",\"resolver\":");
                strbuf_json_string(b, c->resolver);
                strbuf_printf(b, ",\"stub_udp_replies\":%u,\"stub_tcp_replies\":%u,"
                              "\"stub_udp_bytes\":", c->stub_udp_replies, c->stub_tcp_replies);
                json_bytes(b, c->stub_udp_bytes);
                strbuf_puts(b, ",\"stub_tcp_bytes\":");
                json_bytes(b, c->stub_tcp_bytes);
                strbuf_printf(b, ",\"stub_tc_replies\":%u,\"stub_udp_records\":", c->stub_tc_replies);
                json_bytes(b, c->stub_udp_records);
                strbuf_puts(b, ",\"stub_tcp_records\":");
                json_bytes(b, c->stub_tcp_records);
                strbuf_puts(b, ",\"stub_rcode\":");
                json_bytes(b, c->stub_rcode);
        }
        strbuf_puts(b, ",\"detail\":");
        strbuf_json_string(b, c->detail);
        strbuf_printf(b, ",\"elapsed_ms\":%.1f}", c->elapsed_ms);
}

void matrix_json_write(const struct matrix *m, struct strbuf *b)
{
        strbuf_printf(b, "{\"schema\":%d,\"suite\":", MATRIX_SCHEMA);
        strbuf_json_string(b, m->suite);
        strbuf_puts(b, ",\"scenario\":");
        strbuf_json_string(b, m->scenario);
        strbuf_printf(b, ",\"complete\":%s,\"total\":%zu,\"axes\":[", m->complete ? "true" : "false",
                      m->total);
        for (size_t a = 0; a < m->naxes; a++) {
                if (a)
                        strbuf_puts(b, ",");
                strbuf_json_string(b, m->axes[a]);
        }
        strbuf_puts(b, "],\"cells\":[\n");
        for (size_t i = 0; i < m->ncells; i++) {
                json_cell(m, &m->cells[i], b);
                strbuf_puts(b, i + 1 < m->ncells ? ",\n" : "\n");
        }
        strbuf_puts(b, "]}\n");
}
