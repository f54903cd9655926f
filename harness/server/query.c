#include "harness/server/query.h"

#include <string.h>

#include "harness/wire/reader.h"

static const char *const query_status_table[QUERY_STATUS_MAX] = {
        [QUERY_OK] = "ok",
        [QUERY_DROP] = "drop",
        [QUERY_FORMERR] = "formerr",
        [QUERY_NOTIMP] = "notimp",
};

const char *query_status_to_string(enum query_status s)
{
        return (s >= 0 && s < QUERY_STATUS_MAX) ? query_status_table[s] : "invalid";
}

enum query_status query_parse(const uint8_t *buf, size_t len, struct query_info *q)
{
        struct wire_reader r;
        struct wire_question question;
        struct wire_rr rr;
        int got, opts = 0;

        memset(q, 0, sizeof(*q));
        if (wire_reader_init(&r, buf, len) < 0)
                return QUERY_DROP;
        q->id = r.hdr.id;
        q->flags = r.hdr.flags;
        if (r.hdr.flags & DNS_FLAG_QR)
                return QUERY_DROP;
        if (DNS_OPCODE(r.hdr.flags) != 0)
                return QUERY_NOTIMP;
        if (r.hdr.qdcount != 1)
                return QUERY_FORMERR;
        if (wire_reader_question(&r, &question) != 1)
                return QUERY_FORMERR;
        q->question = buf + DNS_HEADER_LEN;
        q->question_len = r.c.pos - DNS_HEADER_LEN;
        memcpy(q->qname, question.name, question.name_len);
        q->qname_len = question.name_len;
        q->qtype = question.type;
        q->qclass = question.class_;
        while ((got = wire_reader_rr(&r, &rr)) == 1) {
                if (rr.type != DNS_TYPE_OPT)
                        continue;
                if (rr.section != WIRE_SECTION_ADDITIONAL || rr.owner_len != 1 || ++opts > 1)
                        return QUERY_FORMERR;  /* RFC 6891 6.1.1 */
                q->has_opt = true;
                q->opt_size = rr.class_;
                q->opt_version = (uint8_t)(rr.ttl >> 16);
                q->do_bit = (rr.ttl & 0x8000u) != 0;
        }
        if (got < 0 || wire_reader_finish(&r) < 0)
                return QUERY_FORMERR;
        if (q->qclass != DNS_CLASS_IN)
                return QUERY_NOTIMP;
        return QUERY_OK;
}
