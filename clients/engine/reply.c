#include "clients/engine/reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/reader.h"

static const char *const reply_action_table[REPLY_ACTION_MAX] = {
        [REPLY_DONE] = "done",
        [REPLY_IGNORE] = "ignore",
        [REPLY_RETRY_TCP] = "retry-tcp",
        [REPLY_RETRY_PLAIN] = "retry-plain",
        [REPLY_NEXT] = "next",
};

const char *reply_action_to_string(enum reply_action a)
{
        return (a >= 0 && a < REPLY_ACTION_MAX) ? reply_action_table[a] : "invalid";
}

static void note_add(char *note, size_t len, const char *what)
{
        size_t o;
        if (!note || len == 0)
                return;
        o = strlen(note);
        snprintf(note + o, len - o, "%s%s", o ? ", " : "", what);
}

/* Checks the echoed question. Returns false when the reply is not for q. */
static bool question_matches(const struct profile *p, const struct stub_question *q,
                             struct wire_reader *r)
{
        struct wire_question wq;
        size_t start = r->c.pos;

        if (r->hdr.qdcount != 1 || wire_reader_question(r, &wq) != 1)
                return false;
        if (p->reject_compressed_question && r->c.pos - start != q->qname_len + 4)
                return false;
        return wq.type == q->qtype && wire_name_equal(wq.name, wq.name_len, q->qname, q->qname_len);
}

static const char *rcode_reason(int rcode)
{
        const char *s = dns_rcode_to_string(rcode);
        return s ? s : "rcode";
}

/* How the library reports a reply it could not parse, for this query type. */
static void bad_reply(const struct profile *p, const struct stub_question *q, struct outcome *out,
                      const char *where)
{
        enum profile_bad_reply how = q->qtype == DNS_TYPE_AAAA ? p->bad_reply_aaaa : p->bad_reply_a;
        switch (how) {
        case PROFILE_BAD_REPLY_NODATA:
                outcome_set(out, OUTCOME_NODATA, "", "malformed reply (%s) reported as no data", where);
                break;
        case PROFILE_BAD_REPLY_NXDOMAIN:
                outcome_set(out, OUTCOME_NXDOMAIN, "", "malformed reply (%s) reported as no such name", where);
                break;
        default:
                outcome_set(out, OUTCOME_ERROR, "badresp", "malformed reply: %s", where);
                break;
        }
}

/* The record at offset `start` ran past the received data. A profile with
 * rdata-overread reads its rdata anyway when it ends at most that many bytes
 * past the data; the bytes it never received read as zero here (in the real
 * library they are whatever was in memory). Adds the address, if any. */
static void overread_record(const struct profile *p, const struct stub_question *q,
                            const uint8_t *msg, size_t len, size_t start, const uint8_t *current,
                            size_t current_len, struct outcome *out, char *note, size_t nl)
{
        struct wire_cursor c;
        uint8_t owner[DNS_NAME_MAX], addr[16] = { 0 };
        size_t owner_len, want = q->qtype == DNS_TYPE_A ? 4 : 16;

        wire_cursor_init(&c, msg, len);
        c.pos = start;
        wire_read_name(&c, owner, &owner_len);
        uint16_t type = wire_read_u16(&c);
        wire_read_u16(&c);
        wire_read_u32(&c);
        uint16_t rdlen = wire_read_u16(&c);
        if (c.err != WIRE_OK || type != q->qtype || rdlen != want || c.pos + rdlen > len + (size_t)p->rdata_overread)
                return;
        if (p->cname == PROFILE_CNAME_FOLLOW &&
            !wire_name_equal(owner, owner_len, current, current_len))
                return;
        if (p->max_addresses > 0 && out->naddrs >= (size_t)p->max_addresses)
                return;
        memcpy(addr, msg + c.pos, len - c.pos);
        outcome_add_addr(out, want == 4 ? 4 : 6, addr);
        note_add(note, nl, "read a record past the end of the datagram");
}

/* zero-fill (JNDI): the record at `start` failed to parse in the zeros past
 * the datagram. JNDI decodes an A or AAAA record of class IN at its fixed
 * size whatever its rdlength says, so an address half made of zeros (never
 * served) is returned. Adds it, if the record's header got that far. */
static void fixed_size_record(const struct stub_question *q, const uint8_t *msg, size_t len,
                              size_t start, struct outcome *out, char *note, size_t nl)
{
        struct wire_cursor c;
        uint8_t owner[DNS_NAME_MAX];
        size_t owner_len, want = q->qtype == DNS_TYPE_A ? 4 : 16;

        if (q->qtype != DNS_TYPE_A && q->qtype != DNS_TYPE_AAAA)
                return;
        wire_cursor_init(&c, msg, len);
        c.pos = start;
        wire_read_name(&c, owner, &owner_len);
        uint16_t type = wire_read_u16(&c);
        uint16_t class_ = wire_read_u16(&c);
        wire_read_u32(&c);
        wire_read_u16(&c);
        if (c.err != WIRE_OK || type != q->qtype || class_ != DNS_CLASS_IN || want > len - c.pos)
                return;
        outcome_add_addr(out, want == 4 ? 4 : 6, msg + c.pos);
        note_add(note, nl, "read a record at its fixed size in the zeros past the datagram");
}

/* Walks the answer section and collects addresses per the cname knob.
 * Returns 0, or -1 when the reply is bad for this profile (out set). */
static int collect_addresses(const struct profile *p, const struct stub_question *q,
                             struct wire_reader *r, size_t received, struct outcome *out,
                             char *note, size_t nl, struct reply_info *info)
{
        uint8_t current[DNS_NAME_MAX];
        size_t current_len = q->qname_len;
        int cnames = 0, got = 0;
        bool got_any = false;   /* a record decoded before any damage */
        struct wire_rr rr;

        size_t start = r->c.pos;
        unsigned left = r->hdr.ancount;

        /* the answer section only: stubs never look at authority or additional */
        memcpy(current, q->qname, q->qname_len);
        while (left-- > 0 && (got = wire_reader_rr(r, &rr)) == 1) {
                start = r->c.pos;
                got_any = true;
                bool owner_ok = p->cname == PROFILE_CNAME_ANY_OWNER ||
                                wire_name_equal(rr.owner, rr.owner_len, current, current_len);
                if (rr.type == DNS_TYPE_CNAME && p->cname == PROFILE_CNAME_FOLLOW && owner_ok) {
                        if (++cnames > p->max_cname) {
                                outcome_set(out, OUTCOME_ERROR, "cname-depth",
                                            "more than %d CNAMEs", p->max_cname);
                                return -1;
                        }
                        memcpy(current, rr.target, rr.target_len);
                        current_len = rr.target_len;
                        continue;
                }
                if (rr.type != q->qtype || !owner_ok || rr.class_ != DNS_CLASS_IN)
                        continue;
                if (p->max_addresses > 0 && out->naddrs >= (size_t)p->max_addresses)
                        continue;
                if (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_AAAA) {
                        outcome_add_addr(out, outcome_family_of(q->qtype), rr.rdata);
                } else {
                        uint8_t key[16];
                        outcome_record_key_of(rr.type, r->c.buf, r->c.len, rr.rdata_offset, rr.rdlength, key);
                        outcome_add_addr(out, 0, key);
                }
        }
        if (got < 0) {
                char where[96];
                info->damaged = true;
                wire_reader_describe_error(r, where, sizeof(where));
                /* zero-fill: damage in the zeros past the datagram ends the records */
                bool past_end = p->parse == PROFILE_PARSE_ZERO_FILL && r->c.err_pos >= received;
                bool keep = p->parse == PROFILE_PARSE_KEEP_PARTIAL ||
                            (p->parse == PROFILE_PARSE_KEEP_PARTIAL_IF_TC &&
                             (r->hdr.flags & DNS_FLAG_TC) && got_any) || past_end;
                if (!keep) {
                        out->naddrs = 0;
                        bad_reply(p, q, out, where);
                        return -1;
                }
                note_add(note, nl, "kept records before damage");
                if (past_end)
                        fixed_size_record(q, r->c.buf, r->c.len, start, out, note, nl);
                if (p->rdata_overread > 0 && r->err_section == WIRE_SECTION_ANSWER)
                        overread_record(p, q, r->c.buf, r->c.len, start, current, current_len,
                                        out, note, nl);
        }
        return 0;
}

/* NOERROR with no answer and neither AA nor RA (and, when no_additional, no
 * additional records): what glibc (send_dg) and Go 1.19 (checkHeader, which
 * does not look at the additional section) take for a lame server. */
static bool is_lame(const struct wire_reader *r, int rcode, bool no_additional)
{
        return rcode == DNS_RCODE_NOERROR && r->hdr.ancount == 0 &&
               !(r->hdr.flags & (DNS_FLAG_AA | DNS_FLAG_RA)) &&
               (!no_additional || r->hdr.arcount == 0);
}

/* Success without an address, as the profile reports it. */
static void empty_answer(const struct profile *p, struct outcome *out)
{
        if (p->empty == PROFILE_EMPTY_NXDOMAIN)
                outcome_set(out, OUTCOME_NXDOMAIN, "", "no address (reported as name not found)");
        else
                outcome_set(out, OUTCOME_NODATA, "", "no address");
}

/* The UDP length the stub reads, or 0 to drop the datagram. Sets *oversized. */
static size_t udp_read_length(const struct profile *p, const struct stub_question *q, size_t len,
                              bool *oversized, char *note, size_t nl)
{
        size_t limit = (q->sent_edns && p->edns > p->recv_buffer) ? (size_t)p->edns
                                                                    : (size_t)p->recv_buffer;
        *oversized = false;
        if (len <= limit)
                return len;
        switch (p->oversize) {
        case PROFILE_OVERSIZE_CUT:
                note_add(note, nl, "datagram cut at buffer");
                return limit;
        case PROFILE_OVERSIZE_DROP:
                note_add(note, nl, "oversized datagram dropped");
                return 0;
        case PROFILE_OVERSIZE_TRUNCATED:
        default:
                *oversized = true;
                return len;
        }
}

static enum reply_action interpret(const struct profile *p, const struct stub_question *q,
                                   const uint8_t *msg, size_t len, size_t received, bool tcp,
                                   bool oversized, struct outcome *out, char *note, size_t nl,
                                   struct reply_info *info);

enum reply_action reply_interpret(const struct profile *p, const struct stub_question *q,
                                  const uint8_t *msg, size_t len, bool tcp,
                                  struct outcome *out, char *note, size_t nl,
                                  struct reply_info *info)
{
        bool oversized = false;
        struct reply_info unused;

        if (!info)
                info = &unused;
        info->damaged = false;
        outcome_init(out);
        if (tcp && p->tcp_recv_buffer > 0 && len > (size_t)p->tcp_recv_buffer) {
                note_add(note, nl, "TCP reply cut at buffer");
                len = (size_t)p->tcp_recv_buffer;
        }
        if (tcp)
                return interpret(p, q, msg, len, len, tcp, false, out, note, nl, info);
        len = udp_read_length(p, q, len, &oversized, note, nl);
        if (len == 0)
                return REPLY_IGNORE;
        if (p->parse != PROFILE_PARSE_ZERO_FILL || len >= (size_t)p->recv_buffer)
                return interpret(p, q, msg, len, len, tcp, oversized, out, note, nl, info);
        /* the message followed by the rest of the zero-filled receive buffer */
        uint8_t *buf = calloc(1, (size_t)p->recv_buffer);
        if (!buf) {
                outcome_set(out, OUTCOME_HARNESS_ERROR, "memory", "out of memory");
                return REPLY_DONE;
        }
        memcpy(buf, msg, len);
        enum reply_action a = interpret(p, q, buf, (size_t)p->recv_buffer, len, tcp, oversized,
                                        out, note, nl, info);
        free(buf);
        return a;
}

/* reply_interpret once the bytes the stub reads are known: len of them, of
 * which the first `received` came from the server (zero-fill adds zeros). */
static enum reply_action interpret(const struct profile *p, const struct stub_question *q,
                                   const uint8_t *msg, size_t len, size_t received, bool tcp,
                                   bool oversized, struct outcome *out, char *note, size_t nl,
                                   struct reply_info *info)
{
        struct wire_reader r;
        bool tc;
        int rcode;

        if (wire_reader_init(&r, msg, len) < 0 || r.hdr.id != q->id || !(r.hdr.flags & DNS_FLAG_QR))
                return REPLY_IGNORE;
        if (!question_matches(p, q, &r))
                return REPLY_IGNORE;
        rcode = DNS_RCODE(r.hdr.flags);
        if (p->ignore_rcode_error && rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN) {
                note_add(note, nl, "reply with an error rcode ignored");
                return REPLY_IGNORE;
        }
        if (rcode == DNS_RCODE_FORMERR && q->sent_edns && p->formerr_retry_plain)
                return REPLY_RETRY_PLAIN;
        if (rcode == DNS_RCODE_FORMERR && p->formerr_as != PROFILE_BAD_REPLY_ERROR) {
                outcome_set(out, p->formerr_as == PROFILE_BAD_REPLY_NXDOMAIN ? OUTCOME_NXDOMAIN
                                                                              : OUTCOME_NODATA,
                            "", "server answered formerr");
                return REPLY_DONE;
        }
        if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED ||
            rcode == DNS_RCODE_NOTIMP || rcode == DNS_RCODE_FORMERR) {
                if (p->rcode_error_as == PROFILE_BAD_REPLY_ERROR)
                        outcome_set(out, OUTCOME_ERROR, rcode_reason(rcode), "server answered %s",
                                    rcode_reason(rcode));
                else
                        outcome_set(out, p->rcode_error_as == PROFILE_BAD_REPLY_NXDOMAIN
                                         ? OUTCOME_NXDOMAIN : OUTCOME_NODATA,
                                    "", "server answered %s (reported as %s)", rcode_reason(rcode),
                                    p->rcode_error_as == PROFILE_BAD_REPLY_NXDOMAIN ? "no such name"
                                                                                   : "no data");
                return p->fail_on_rcode_error ? REPLY_DONE : REPLY_NEXT;
        }
        if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN &&
            p->other_rcode != PROFILE_OTHER_RCODE_NOERROR) {
                if (p->other_rcode == PROFILE_OTHER_RCODE_NXDOMAIN)
                        outcome_set(out, OUTCOME_NXDOMAIN, "", "server answered %s (reported as no such name)",
                                    rcode_reason(rcode));
                else
                        outcome_set(out, OUTCOME_ERROR, rcode_reason(rcode), "server answered %s",
                                    rcode_reason(rcode));
                return REPLY_DONE;
        }
        if (p->glibc_lame_rule && is_lame(&r, rcode, true)) {
                outcome_set(out, OUTCOME_ERROR, "lame-server",
                            "NOERROR, no answer, AA=0, RA=0: server treated as lame");
                return REPLY_NEXT;
        }
        if (p->empty_before_tc && rcode == DNS_RCODE_NOERROR && r.hdr.ancount == 0) {
                empty_answer(p, out);
                return REPLY_DONE;
        }
        tc = !tcp && ((r.hdr.flags & DNS_FLAG_TC) || oversized);
        if (tc) {
                switch (p->tc) {
                case PROFILE_TC_RETRY_TCP:
                        if (p->transport != PROFILE_TRANSPORT_UDP_ONLY)
                                return REPLY_RETRY_TCP;
                        break;
                case PROFILE_TC_FAIL:
                        outcome_set(out, OUTCOME_ERROR, "truncated", "reply truncated (TC=1)");
                        return REPLY_DONE;
                default:
                        break;
                }
                if (oversized && len > (size_t)p->recv_buffer)
                        r.c.len = len = (size_t)(q->sent_edns && p->edns > p->recv_buffer ? p->edns : p->recv_buffer);
                note_add(note, nl, "truncated reply used");
        }
        if (p->lame_after_tc && !tc && is_lame(&r, rcode, false)) {
                outcome_set(out, OUTCOME_ERROR, "lame-server",
                            "NOERROR, no answer, AA=0, RA=0: lame referral");
                return REPLY_NEXT;
        }
        if (p->max_records > 0 && (unsigned)r.hdr.qdcount + r.hdr.ancount > (unsigned)p->max_records)
                note_add(note, nl, "reply over max-records ignored");  /* parsed as empty */
        else if (collect_addresses(p, q, &r, received, out, note, nl, info) < 0)
                return REPLY_DONE;
        if (out->naddrs > 0)
                return REPLY_DONE;
        if (tc && p->tc == PROFILE_TC_USE_IF_ANSWERS) {
                outcome_set(out, OUTCOME_ERROR, "truncated", "truncated reply without an address");
                return REPLY_NEXT;
        }
        if (rcode == DNS_RCODE_NXDOMAIN)
                outcome_set(out, OUTCOME_NXDOMAIN, "", "NXDOMAIN");
        else
                empty_answer(p, out);
        return REPLY_DONE;
}
