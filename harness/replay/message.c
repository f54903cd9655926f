#include "harness/replay/message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "harness/wire/writer.h"

int text_message_init(struct text_message *m)
{
        static const uint8_t root[1] = { 0 };
        memset(m, 0, sizeof(*m));
        m->qclass = DNS_CLASS_IN;
        for (int s = 0; s < TEXT_SECTION_MAX; s++)
                if (!(m->sections[s] = zone_new(root, 1))) {
                        text_message_free(m);
                        return -1;
                }
        return 0;
}

void text_message_free(struct text_message *m)
{
        for (int s = 0; s < TEXT_SECTION_MAX; s++)
                zone_free(m->sections[s]);
        memset(m, 0, sizeof(*m));
}

size_t text_message_encode(const struct text_message *m, bool compress, uint8_t *out, size_t cap)
{
        struct wire_writer w;
        struct dns_header h = {
                .id = m->id, .flags = m->flags, .qdcount = m->have_question ? 1 : 0,
                .ancount = (uint16_t)m->sections[TEXT_SECTION_ANSWER]->n,
                .nscount = (uint16_t)m->sections[TEXT_SECTION_AUTHORITY]->n,
                .arcount = (uint16_t)(m->sections[TEXT_SECTION_ADDITIONAL]->n + (m->opt ? 1 : 0)),
        };

        for (int s = 0; s < TEXT_SECTION_MAX; s++)
                if (m->sections[s]->n > 65534)
                        return 0;
        wire_writer_init(&w, out, cap, compress);
        wire_write_header(&w, &h);
        if (m->have_question)
                wire_write_question(&w, m->qname, m->qname_len, m->qtype, m->qclass);
        for (int s = 0; s < TEXT_SECTION_MAX; s++)
                for (size_t i = 0; i < m->sections[s]->n; i++) {
                        const struct zone_rr *rr = &m->sections[s]->rrs[i];
                        wire_write_rr(&w, rr->owner, rr->owner_len, rr->type, rr->class_, rr->ttl,
                                      rr->rdata, rr->rdlen);
                }
        if (m->opt) {
                wire_write_opt(&w, m->opt_size, 0, m->opt_version,
                               m->opt_do ? 0x8000 : 0);
                if (m->opt_options_len) {
                        wire_patch_u16(&w, w.len - 2, (uint16_t)m->opt_options_len);
                        wire_write_bytes(&w, m->opt_options, m->opt_options_len);
                }
        }
        return wire_writer_status(&w) < 0 ? 0 : w.len;
}

int text_message_add_option(struct text_message *m, uint16_t code, const uint8_t *data,
                            size_t len)
{
        uint8_t *o = m->opt_options + m->opt_options_len;
        if (len > 0xffff || len + 4 > sizeof(m->opt_options) - m->opt_options_len)
                return -1;
        o[0] = (uint8_t)(code >> 8);
        o[1] = (uint8_t)code;
        o[2] = (uint8_t)(len >> 8);
        o[3] = (uint8_t)len;
        if (len)
                memcpy(o + 4, data, len);
        m->opt_options_len += len + 4;
        return 0;
}

static ldns_rdf *origin_rdf(const uint8_t *origin, size_t origin_len)
{
        static const uint8_t root[1] = { 0 };
        if (!origin || origin_len == 0) {
                origin = root;
                origin_len = 1;
        }
        return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, origin_len, origin);
}

/* Copies ldns's owner name (uncompressed wire form) out. */
static int owner_of(const ldns_rr *rr, uint8_t out[DNS_NAME_MAX], size_t *len)
{
        const ldns_rdf *o = ldns_rr_owner(rr);
        if (!o || ldns_rdf_size(o) == 0 || ldns_rdf_size(o) > DNS_NAME_MAX)
                return -1;
        memcpy(out, ldns_rdf_data(o), ldns_rdf_size(o));
        *len = ldns_rdf_size(o);
        return 0;
}

int text_rr_add(struct zone *z, const char *text, uint32_t default_ttl, const uint8_t *origin,
                size_t origin_len, char *err, size_t errlen)
{
        ldns_rdf *orig = origin_rdf(origin, origin_len);
        ldns_rr *rr = NULL;
        ldns_buffer *buf = NULL;
        struct zone_rr z_rr = { 0 };
        int ret = -1;
        ldns_status st;

        if (!orig) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        st = ldns_rr_new_frm_str(&rr, text, default_ttl, orig, NULL);
        if (st != LDNS_STATUS_OK) {
                snprintf(err, errlen, "%s", ldns_get_errorstr_by_id(st));
                goto cleanup;
        }
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_OPT) {
                snprintf(err, errlen, "an OPT record is not a record here");
                goto cleanup;
        }
        buf = ldns_buffer_new(512);
        if (!buf || owner_of(rr, z_rr.owner, &z_rr.owner_len) < 0 ||
            ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK ||
            ldns_buffer_position(buf) > 65535) {
                snprintf(err, errlen, "the record cannot be encoded");
                goto cleanup;
        }
        z_rr.type = (uint16_t)ldns_rr_get_type(rr);
        z_rr.class_ = (uint16_t)ldns_rr_get_class(rr);
        z_rr.ttl = ldns_rr_ttl(rr);
        z_rr.rdlen = (uint16_t)ldns_buffer_position(buf);
        z_rr.rdata = ldns_buffer_begin(buf);
        if (zone_add(z, &z_rr) < 0) {
                snprintf(err, errlen, "out of memory");
                goto cleanup;
        }
        ret = 0;
cleanup:
        if (buf)
                ldns_buffer_free(buf);
        ldns_rr_free(rr);
        ldns_rdf_deep_free(orig);
        return ret;
}

int text_question_set(struct text_message *m, const char *text, const uint8_t *origin,
                      size_t origin_len, char *err, size_t errlen)
{
        ldns_rdf *orig = origin_rdf(origin, origin_len);
        ldns_rr *rr = NULL;
        ldns_status st;
        int ret = -1;

        if (!orig) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        st = ldns_rr_new_question_frm_str(&rr, text, orig, NULL);
        if (st != LDNS_STATUS_OK) {
                snprintf(err, errlen, "%s", ldns_get_errorstr_by_id(st));
                goto cleanup;
        }
        if (owner_of(rr, m->qname, &m->qname_len) < 0) {
                snprintf(err, errlen, "the question has no name");
                goto cleanup;
        }
        m->qtype = (uint16_t)ldns_rr_get_type(rr);
        m->qclass = (uint16_t)ldns_rr_get_class(rr);
        m->have_question = true;
        ret = 0;
cleanup:
        ldns_rr_free(rr);
        ldns_rdf_deep_free(orig);
        return ret;
}

void text_strip_comment(char *s, int *depth)
{
        bool quoted = false;
        for (char *c = s; *c; c++) {
                if (*c == '\\' && c[1]) {
                        c++;
                } else if (*c == '"') {
                        quoted = !quoted;
                } else if (!quoted && *c == ';') {
                        *c = '\0';
                        return;
                } else if (!quoted && *c == '(') {
                        (*depth)++;
                } else if (!quoted && *c == ')') {
                        (*depth)--;
                }
        }
}
