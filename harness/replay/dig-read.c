#include "harness/replay/dig-read.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/replay/message.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"

#define DIG_LINE_MAX 65536
#define DIG_MSG_MAX 65535

enum dig_section {
        DIG_NONE,
        DIG_OPT,
        DIG_QUESTION,
        DIG_ANSWER,
        DIG_AUTHORITY,
        DIG_ADDITIONAL,
};

/* One ";; Got answer:" block. */
struct dig_msg {
        struct text_message m;
        unsigned header_line, flags_line, question_line;
        bool have_flags;
        unsigned counts[4];             /* QUERY, ANSWER, AUTHORITY, ADDITIONAL */
        long msg_size;                  /* ";; MSG SIZE  rcvd: N", -1 when absent */
        bool over_tcp;                  /* ";; SERVER: ... (TCP)" */
        bool retried_tcp;               /* "Truncated, retrying in TCP mode." came first */
};

struct dig_parser {
        const char *path;
        struct canned_table *t;
        char *err;
        size_t errlen;
        unsigned line;
        enum dig_section section;
        bool in_msg;
        struct dig_msg msg;
        unsigned nmsgs;
        bool pending_retry;
        bool query_edns;                /* dig's command line has no +noedns */
        /* a record over several lines (dig +multiline) */
        char *record;
        size_t record_len;
        unsigned record_line;
        int depth;
};

static int fail(struct dig_parser *p, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(struct dig_parser *p, unsigned line, const char *fmt, ...)
{
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(p->err, p->errlen, "%s:%u: %s", p->path, line, msg);
        return -1;
}

static bool starts(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int msg_start(struct dig_parser *p)
{
        memset(&p->msg, 0, sizeof(p->msg));
        if (text_message_init(&p->msg.m) < 0)
                return fail(p, p->line, "out of memory");
        p->msg.msg_size = -1;
        p->msg.retried_tcp = p->pending_retry;
        p->pending_retry = false;
        p->in_msg = true;
        p->section = DIG_NONE;
        return 0;
}

/* ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 58872" */
static int parse_header(struct dig_parser *p, const char *s)
{
        char opcode[32], status[32];
        unsigned id;
        if (strstr(s, "; status: "))
                return fail(p, p->line, "kdig output is not supported: save `dig` output (dig "
                            "NAME TYPE > file), or capture the exchange and use --pcap");
        if (strstr(s, ", rcode: "))
                return fail(p, p->line, "drill output is not supported: save `dig` output (dig "
                            "NAME TYPE > file), or capture the exchange and use --pcap");
        if (sscanf(s, "->>HEADER<<- opcode: %31[^,], status: %31[^,], id: %u", opcode, status,
                   &id) != 3)
                return fail(p, p->line, "cannot read the ->>HEADER<<- line: save dig's full "
                            "output (dig NAME TYPE > file)");
        if (strcmp(opcode, "QUERY") != 0)
                return fail(p, p->line, "opcode %s: only QUERY replies can be replayed", opcode);
        int rcode = dns_rcode_from_string(status);
        if (rcode < 0 || rcode > 15)
                return fail(p, p->line, "status %s cannot be replayed (not a 4-bit rcode)", status);
        p->msg.header_line = p->line;
        p->msg.m.id = (uint16_t)id;
        p->msg.m.flags = (uint16_t)((p->msg.m.flags & ~0xfu) | (unsigned)rcode);
        return 0;
}

/* ";; flags: qr rd ra; QUERY: 1, ANSWER: 30, AUTHORITY: 0, ADDITIONAL: 0" */
static int parse_flags(struct dig_parser *p, const char *s)
{
        static const struct { const char *word; uint16_t bit; } bits[] = {
                { "qr", DNS_FLAG_QR }, { "aa", DNS_FLAG_AA }, { "tc", DNS_FLAG_TC },
                { "rd", DNS_FLAG_RD }, { "ra", DNS_FLAG_RA }, { "ad", 0x0020 }, { "cd", 0x0010 },
        };
        const char *semi = strchr(s, ';');
        char words[64], word[16];
        int off = 0, used;

        if (!semi || (size_t)(semi - s) >= sizeof(words) + 6)
                return fail(p, p->line, "cannot read the flags line");
        snprintf(words, sizeof(words), "%.*s", (int)(semi - s - 6), s + 6);
        while (sscanf(words + off, "%15s%n", word, &used) == 1) {
                size_t i;
                for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
                        if (strcmp(word, bits[i].word) == 0)
                                break;
                if (i == sizeof(bits) / sizeof(bits[0]))
                        return fail(p, p->line, "unknown flag '%s'", word);
                p->msg.m.flags |= bits[i].bit;
                off += used;
        }
        if (sscanf(semi + 1, " QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u",
                   &p->msg.counts[0], &p->msg.counts[1], &p->msg.counts[2], &p->msg.counts[3]) != 4)
                return fail(p, p->line, "expected 'QUERY: n, ANSWER: n, AUTHORITY: n, ADDITIONAL: n' after the flags");
        p->msg.have_flags = true;
        p->msg.flags_line = p->line;
        return 0;
}

/* "; EDNS: version: 0, flags: do; udp: 1232" */
static int parse_edns(struct dig_parser *p, const char *s)
{
        unsigned version, udp;
        char flags[64] = "";
        if (sscanf(s, "; EDNS: version: %u, flags:%63[^;]; udp: %u", &version, flags, &udp) != 3 &&
            sscanf(s, "; EDNS: version: %u, flags:; udp: %u", &version, &udp) != 2)
                return fail(p, p->line, "cannot read the EDNS line (expected '; EDNS: version: N, flags: ...; udp: N')");
        if (version > 255 || udp > 65535)
                return fail(p, p->line, "EDNS version %u or udp size %u out of range", version, udp);
        p->msg.m.opt = true;
        p->msg.m.opt_version = (uint8_t)version;
        p->msg.m.opt_size = (uint16_t)udp;
        p->msg.m.opt_do = strstr(flags, "do") != NULL;
        return 0;
}

/* Reads hex digits (spaces between bytes allowed) up to the end, a '(' or
 * a space after the last byte; returns the byte count, or -1. */
static long read_hex(const char *s, uint8_t *out, size_t cap)
{
        size_t n = 0;
        for (;;) {
                while (*s == ' ')
                        s++;
                if (!isxdigit((unsigned char)s[0]))
                        return *s == '\0' || *s == '(' ? (long)n : -1;
                if (!isxdigit((unsigned char)s[1]) || n == cap)
                        return -1;
                char b[3] = { s[0], s[1], 0 };
                out[n++] = (uint8_t)strtoul(b, NULL, 16);
                s += 2;
        }
}

/* An EDNS option line of the OPT PSEUDOSECTION, kept so that the rebuilt
 * reply has the bytes dig received: "; COOKIE: 0123...cdef (good)",
 * "; NSID: 6e 73 64 31 (\"nsd1\")", "; OPT=65001: 01 02 (\"..\")",
 * "; EDE: 18 (Prohibited)". Other options are noted and left out. */
static int parse_option(struct dig_parser *p, const char *s)
{
        static const struct { const char *name; uint16_t code; } hex_options[] = {
                { "; COOKIE: ", 10 }, { "; NSID: ", 3 },
        };
        uint8_t data[512];
        long n = -1;
        unsigned code = 0;

        for (size_t i = 0; i < sizeof(hex_options) / sizeof(hex_options[0]); i++)
                if (starts(s, hex_options[i].name)) {
                        code = hex_options[i].code;
                        n = read_hex(s + strlen(hex_options[i].name), data, sizeof(data));
                }
        if (sscanf(s, "; OPT=%u: ", &code) == 1 && code <= 65535)
                n = read_hex(strchr(s, ':') + 1, data, sizeof(data));
        unsigned ede;
        if (sscanf(s, "; EDE: %u", &ede) == 1 && ede <= 65535) {
                code = 15;
                data[0] = (uint8_t)(ede >> 8);
                data[1] = (uint8_t)ede;
                n = 2;
                if (strstr(s, "): (")) {   /* extra text: "; EDE: 18 (Prohibited): (text)" */
                        canned_note(p->t, "line %u: the EDE option's extra text is not kept: the "
                                    "rebuilt reply may be shorter than dig's", p->line);
                }
        }
        if (n < 0) {
                if (starts(s, "; EDNS:"))
                        return 0;
                canned_note(p->t, "line %u: an EDNS option dig printed as '%.40s' is not kept: "
                            "the rebuilt reply may be shorter than dig's", p->line, s);
                return 0;
        }
        if (text_message_add_option(&p->msg.m, (uint16_t)code, data, (size_t)n) < 0)
                return fail(p, p->line, "the EDNS options are longer than 1024 bytes");
        return 0;
}

/* "; <<>> DiG 9.18.49 <<>> +noedns -p 5300 @127.0.0.1 api.mixpanel.com A" */
static void parse_banner(struct dig_parser *p, const char *s)
{
        const char *args = strstr(s + 3, "<<>>");
        p->query_edns = true;
        if (!args)
                return;
        if (strstr(args, "+noedns") || strstr(args, "+noed"))
                p->query_edns = false;
}

static enum text_section text_section_of(enum dig_section s)
{
        return s == DIG_ANSWER ? TEXT_SECTION_ANSWER
             : s == DIG_AUTHORITY ? TEXT_SECTION_AUTHORITY : TEXT_SECTION_ADDITIONAL;
}

static const char *section_name(enum dig_section s)
{
        return s == DIG_ANSWER ? "ANSWER" : s == DIG_AUTHORITY ? "AUTHORITY" : "ADDITIONAL";
}

/* The record as messages show it: white space runs as one space. */
static void record_display(const char *rec, char *out, size_t len)
{
        size_t n = 0;
        for (const char *c = rec + strspn(rec, " \t"); *c && n + 1 < len; c++) {
                if (isspace((unsigned char)*c) && (n == 0 || out[n - 1] == ' '))
                        continue;
                out[n++] = isspace((unsigned char)*c) ? ' ' : *c;
        }
        while (n > 0 && out[n - 1] == ' ')
                n--;
        out[n] = '\0';
}

static int record_add(struct dig_parser *p)
{
        char why[200], shown[160];
        struct zone *z = p->msg.m.sections[text_section_of(p->section)];
        if (text_rr_add(z, p->record, 0, NULL, 0, why, sizeof(why)) < 0) {
                record_display(p->record, shown, sizeof(shown));
                return fail(p, p->record_line, "%s: %s: %s", section_name(p->section), why, shown);
        }
        p->record_len = 0;
        p->depth = 0;
        return 0;
}

/* A record line, or one line of a record in parentheses. */
static int record_line(struct dig_parser *p, char *line)
{
        size_t n;
        if (p->record_len == 0)
                p->record_line = p->line;
        text_strip_comment(line, &p->depth);
        n = strlen(line);
        if (p->record_len + n + 2 > DIG_LINE_MAX)
                return fail(p, p->record_line, "%s: record longer than %d bytes",
                            section_name(p->section), DIG_LINE_MAX);
        memcpy(p->record + p->record_len, line, n);
        p->record_len += n;
        p->record[p->record_len++] = ' ';
        p->record[p->record_len] = '\0';
        if (p->depth < 0)
                return fail(p, p->line, "%s: ')' without '('", section_name(p->section));
        return p->depth == 0 ? record_add(p) : 0;
}

static int check_counts(struct dig_parser *p)
{
        static const char *const names[4] = { "QUERY", "ANSWER", "AUTHORITY", "ADDITIONAL" };
        const struct text_message *m = &p->msg.m;
        unsigned got[4] = {
                m->have_question ? 1u : 0u, (unsigned)m->sections[TEXT_SECTION_ANSWER]->n,
                (unsigned)m->sections[TEXT_SECTION_AUTHORITY]->n,
                (unsigned)(m->sections[TEXT_SECTION_ADDITIONAL]->n + (m->opt ? 1 : 0)),
        };
        for (int i = 0; i < 4; i++)
                if (got[i] != p->msg.counts[i])
                        return fail(p, p->msg.flags_line,
                                    "the header says %s: %u but the output holds %u (%s)",
                                    names[i], p->msg.counts[i], got[i],
                                    i == 3 ? "records plus the OPT pseudosection"
                                           : i == 0 ? "questions" : "records");
        return 0;
}

/* Encodes the reply: compressed, unless only the uncompressed form has the
 * size dig printed. Returns the length (0 on overflow). */
static size_t msg_encode(struct dig_parser *p, uint8_t *buf, bool *compress)
{
        size_t len = text_message_encode(&p->msg.m, true, buf, DIG_MSG_MAX);
        *compress = true;
        if (len && p->msg.msg_size >= 0 && (long)len != p->msg.msg_size) {
                size_t plain = text_message_encode(&p->msg.m, false, buf, DIG_MSG_MAX);
                if ((long)plain == p->msg.msg_size) {
                        *compress = false;
                        return plain;
                }
                len = text_message_encode(&p->msg.m, true, buf, DIG_MSG_MAX);
                canned_note(p->t, "line %u: dig received %ld bytes; the rebuilt reply has %zu "
                            "(the server compressed names differently)", p->msg.header_line,
                            p->msg.msg_size, len);
        }
        return len;
}

/* The parameters the first reply implies, for every point. */
static int msg_sets(struct dig_parser *p, bool compress)
{
        const struct text_message *m = &p->msg.m;
        char buf[64];
        int r = 0;
        r |= canned_add_set(p->t, (m->flags & DNS_FLAG_RA) ? "ra=1" : "ra=0");
        r |= canned_add_set(p->t, (m->flags & DNS_FLAG_AA) ? "aa=1" : "aa=0");
        if (m->opt && m->opt_size >= 512) {
                snprintf(buf, sizeof(buf), "edns_size=%u", m->opt_size);
                r |= canned_add_set(p->t, buf);
        } else if (!m->opt && p->query_edns) {
                r |= canned_add_set(p->t, "edns=ignore");
                r |= canned_note(p->t, "line %u: dig asked with EDNS and the reply had no OPT "
                                 "record: the server ignores EDNS (edns=ignore)", p->msg.header_line);
        }
        if (!compress)
                r |= canned_add_set(p->t, "compression=0");
        return r ? -1 : 0;
}

/* A reply with EDNS options (COOKIE, NSID...): queries with OPT get dig's
 * bytes, options included, so their size is what the server sent; over UDP
 * only when the query's buffer holds them (smaller buffers get the point's
 * rendering and truncation). Returns 0, or -1 after fail(). */
static int add_options_rules(struct dig_parser *p, const uint8_t *buf, size_t len)
{
        const struct text_message *m = &p->msg.m;
        struct canned_rule r;
        canned_rule_init(&r, CANNED_SEND);
        memcpy(r.qname, m->qname, m->qname_len);
        r.qname_len = m->qname_len;
        r.qtype = m->qtype;
        r.edns_min = len > DNS_UDP_LEGACY_MAX ? (int)len : 0;
        r.transport[TRANSPORT_TCP] = false;
        snprintf(r.note, sizeof(r.note), "dig's reply with its EDNS options (line %u)",
                 p->msg.header_line);
        snprintf(r.origin, sizeof(r.origin), "line %u", p->msg.header_line);
        if (canned_add_rule(p->t, &r, buf, len) < 0)
                return fail(p, p->msg.header_line, "out of memory");
        r.transport[TRANSPORT_UDP] = false;
        r.transport[TRANSPORT_TCP] = true;
        r.edns_min = 0;
        if (canned_add_rule(p->t, &r, buf, len) < 0)
                return fail(p, p->msg.header_line, "out of memory");
        return 0;
}

static int msg_finish(struct dig_parser *p)
{
        struct text_message *m = &p->msg.m;
        uint8_t *buf = malloc(DIG_MSG_MAX);
        char why[160], name[1024], type[16], tbuf[16];
        bool compress;
        size_t len;
        int ret = -1;

        p->in_msg = false;
        if (!buf)
                return fail(p, p->line, "out of memory");
        if (!p->msg.have_flags) {
                fail(p, p->msg.header_line, "the reply has no ';; flags:' line");
                goto cleanup;
        }
        if (!(m->flags & DNS_FLAG_QR)) {   /* dig +qr printed the query it sent */
                p->query_edns = m->opt;
                ret = 0;
                goto cleanup;
        }
        if (!m->have_question) {
                fail(p, p->msg.header_line, "the reply has no QUESTION SECTION");
                goto cleanup;
        }
        if (check_counts(p) < 0)
                goto cleanup;
        len = msg_encode(p, buf, &compress);
        if (len == 0) {
                fail(p, p->msg.header_line, "the reply does not fit 65535 bytes");
                goto cleanup;
        }
        struct answer *a = canned_answer_from_message(buf, len, m->qname, m->qname_len, m->qtype,
                                                      compress, why, sizeof(why));
        if (a && (m->flags & DNS_FLAG_TC))   /* dig +ignore: the whole answer was never seen */
                snprintf(a->missing, sizeof(a->missing), "the dig output holds no TCP answer, "
                         "only the truncated UDP reply");
        if (!a || canned_set_answer(p->t, a) < 0 ||
            canned_add_question(p->t, m->qname, m->qname_len, m->qtype) < 0 ||
            canned_add_records(p->t, buf, len) < 0 || (p->nmsgs == 0 && msg_sets(p, compress) < 0)) {
                fail(p, p->msg.header_line, "out of memory");
                goto cleanup;
        }
        wire_name_to_text(m->qname, m->qname_len, name, sizeof(name));
        snprintf(type, sizeof(type), "%s", dns_type_to_string(m->qtype, tbuf));
        if (m->opt && m->opt_options_len && !(m->flags & DNS_FLAG_TC) &&
            add_options_rules(p, buf, len) < 0)
                goto cleanup;
        if (m->flags & DNS_FLAG_TC) {
                struct canned_rule r;
                canned_rule_init(&r, CANNED_SEND);
                memcpy(r.qname, m->qname, m->qname_len);
                r.qname_len = m->qname_len;
                r.qtype = m->qtype;
                r.transport[TRANSPORT_TCP] = false;
                snprintf(r.note, sizeof(r.note), "dig's TC=1 reply (line %u), as dig saw it",
                         p->msg.header_line);
                snprintf(r.origin, sizeof(r.origin), "line %u", p->msg.header_line);
                if (canned_add_rule(p->t, &r, buf, len) < 0) {
                        fail(p, p->msg.header_line, "out of memory");
                        goto cleanup;
                }
                canned_note(p->t, "line %u: dig kept a TC=1 reply for %s %s (%zu bytes, %u "
                            "records): UDP queries get it as it is; clients that retry over "
                            "TCP are not judged (no TCP answer was saved)", p->msg.header_line,
                            name, type, len, a->ancount);
        } else if (p->msg.retried_tcp) {
                canned_note(p->t, "line %u: dig retried %s %s over TCP after a TC=1 UDP reply it "
                            "did not print: UDP queries get the point's truncation", p->msg.header_line,
                            name, type);
        }
        p->nmsgs++;
        ret = 0;
cleanup:
        free(buf);
        text_message_free(m);
        return ret;
}

/* ";; ..." lines: section heads and facts about the reply. */
static int comment2_line(struct dig_parser *p, const char *s)
{
        if (starts(s, "Truncated, retrying in TCP mode")) {
                p->pending_retry = true;
        } else if (starts(s, "Got answer:")) {
                if (p->in_msg && msg_finish(p) < 0)
                        return -1;
                return msg_start(p);
        } else if (starts(s, "->>HEADER<<-")) {
                if (p->in_msg && p->msg.header_line && msg_finish(p) < 0)
                        return -1;
                if (!p->in_msg && msg_start(p) < 0)
                        return -1;
                return parse_header(p, s);
        } else if (!p->in_msg) {
                return 0;
        } else if (starts(s, "flags:")) {
                return parse_flags(p, s);
        } else if (starts(s, "OPT PSEUDOSECTION:")) {
                p->section = DIG_OPT;
        } else if (starts(s, "QUESTION SECTION:")) {
                p->section = DIG_QUESTION;
        } else if (starts(s, "ANSWER SECTION:")) {
                p->section = DIG_ANSWER;
        } else if (starts(s, "AUTHORITY SECTION:")) {
                p->section = DIG_AUTHORITY;
        } else if (starts(s, "ADDITIONAL SECTION:")) {
                p->section = DIG_ADDITIONAL;
        } else if (starts(s, "SERVER:")) {
                p->msg.over_tcp = strstr(s, "(TCP)") != NULL;
                p->section = DIG_NONE;
        } else if (starts(s, "MSG SIZE")) {
                const char *c = strchr(s, ':');
                p->msg.msg_size = c ? strtol(c + 1, NULL, 10) : -1;
                p->section = DIG_NONE;
        } else {
                p->section = DIG_NONE;
        }
        return 0;
}

static int question_line(struct dig_parser *p, const char *s)
{
        char why[200];
        if (p->msg.m.have_question)
                return fail(p, p->line, "a second question: only one can be replayed");
        if (text_question_set(&p->msg.m, s, NULL, 0, why, sizeof(why)) < 0)
                return fail(p, p->line, "QUESTION: %s: %s", why, s);
        p->msg.question_line = p->line;
        return 0;
}

static int dig_line(struct dig_parser *p, char *line)
{
        size_t n = strlen(line);
        while (n > 0 && isspace((unsigned char)line[n - 1]))
                line[--n] = '\0';
        if (p->depth > 0)
                return record_line(p, line);
        if (n == 0) {
                p->section = DIG_NONE;
                return 0;
        }
        if (starts(line, ";;"))
                return comment2_line(p, line + 2 + strspn(line + 2, " \t"));
        if (starts(line, "; <<>> DiG")) {
                parse_banner(p, line);
                return 0;
        }
        if (line[0] == ';') {
                if (p->in_msg && p->section == DIG_OPT && starts(line, "; EDNS:"))
                        return parse_edns(p, line);
                if (p->in_msg && p->section == DIG_OPT)
                        return parse_option(p, line);
                if (p->in_msg && p->section == DIG_QUESTION)
                        return question_line(p, line + 1);
                return 0;
        }
        if (!p->in_msg)
                return fail(p, p->line, "a record before any ';; ->>HEADER<<-' line: save dig's "
                            "full output (not +short or +noall)");
        if (p->section < DIG_ANSWER)
                return fail(p, p->line, "a record outside the ANSWER, AUTHORITY and ADDITIONAL "
                            "sections");
        return record_line(p, line);
}

int replay_dig_parse(const char *path, const char *text, struct canned_table *t, char *err,
                     size_t errlen)
{
        struct dig_parser p = { .path = path, .t = t, .err = err, .errlen = errlen,
                                .query_edns = true };
        char *line = malloc(DIG_LINE_MAX);
        int ret = -1;

        p.record = malloc(DIG_LINE_MAX + 2);
        if (!line || !p.record) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        for (const char *s = text; *s;) {
                size_t n = strcspn(s, "\n");
                p.line++;
                if (n >= DIG_LINE_MAX) {
                        fail(&p, p.line, "line longer than %d bytes", DIG_LINE_MAX - 1);
                        goto cleanup;
                }
                memcpy(line, s, n);
                line[n] = '\0';
                if (dig_line(&p, line) < 0)
                        goto cleanup;
                s += n;
                if (*s == '\n')
                        s++;
        }
        if (p.depth > 0) {
                fail(&p, p.record_line, "%s: '(' without ')' before the end of the file",
                     section_name(p.section));
                goto cleanup;
        }
        if (p.in_msg && msg_finish(&p) < 0)
                goto cleanup;
        if (p.nmsgs == 0) {
                fail(&p, p.line ? p.line : 1, "no reply: the file has no ';; ->>HEADER<<-' line "
                     "(dig printed no answer, or this is not dig's output)");
                goto cleanup;
        }
        t->source = "dig output";
        ret = canned_finish(t, true);
        if (ret < 0)
                snprintf(err, errlen, "%s: out of memory", path);
cleanup:
        if (p.in_msg)
                text_message_free(&p.msg.m);
        free(p.record);
        free(line);
        return ret;
}

int replay_dig_read(const char *path, struct canned_table *t, char *err, size_t errlen)
{
        char *text;
        int ret;
        if (file_read_text(path, "a dig output", &text, err, errlen) < 0)
                return -1;
        ret = replay_dig_parse(path, text, t, err, errlen);
        free(text);
        return ret;
}
