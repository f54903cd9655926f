#include "harness/replay/testns-read.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/replay/message.h"
#include "harness/util/strutil.h"
#include "harness/wire/reader.h"

#define TESTNS_LINE_MAX 10240
#define TESTNS_MSG_MAX 65535

enum testns_section {
        TESTNS_QUESTION,
        TESTNS_ANSWER,
        TESTNS_AUTHORITY,
        TESTNS_ADDITIONAL,
};

struct testns_entry {
        unsigned line;                  /* of ENTRY_BEGIN */
        bool match_opcode, match_qtype, match_qname, match_subdomain, need_do, noedns;
        bool udp_only, tcp_only;
        char unsupported[32];           /* a MATCH word we cannot replay, or "" */
        bool copy_id, copy_query;
        unsigned sleep;
        unsigned opcode;
        struct text_message m;          /* the first packet */
        enum testns_section section;
        bool extra;                     /* past EXTRA_PACKET: later packets are ignored */
        bool reading_hex, have_hex, reading_ednsdata;
        unsigned hex_line;
        uint8_t *hex;
        size_t hexlen;
        int nibble;                     /* pending high nibble, or -1 */
};

struct testns_parser {
        const char *path;
        struct canned_table *t;
        char *err;
        size_t errlen;
        unsigned line;
        uint8_t origin[DNS_NAME_MAX];
        size_t origin_len;
        uint32_t ttl;
        bool testbound;                 /* the file has SCENARIO_BEGIN */
        bool in_range;                  /* testbound: inside RANGE_BEGIN ... RANGE_END */
        bool in_entry;
        struct testns_entry e;
        unsigned entries, replies;
        char server[64];                /* testbound: the first range's ADDRESS, "" for none */
        unsigned server_line;
};

static int fail(struct testns_parser *p, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(struct testns_parser *p, unsigned line, const char *fmt, ...)
{
        char msg[400];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(p->err, p->errlen, "%s:%u: %s", p->path, line, msg);
        return -1;
}

/* True when s starts with the word kw (followed by space or the end); moves
 * s past it and the space after it. */
static bool keyword(char **s, const char *kw)
{
        size_t n = strlen(kw);
        if (strncmp(*s, kw, n) != 0 || ((*s)[n] && !isspace((unsigned char)(*s)[n])))
                return false;
        *s += n;
        *s += strspn(*s, " \t");
        return true;
}

/* Cuts a ';' or '#' comment (MATCH, REPLY and ADJUST lines hold no quotes). */
static void cut_comment(char *s)
{
        s[strcspn(s, ";#")] = '\0';
}

/* Calls fn for every word of s; stops at the first failure. */
static int each_word(struct testns_parser *p, char *s, int (*fn)(struct testns_parser *, const char *))
{
        char *save = NULL;
        cut_comment(s);
        for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                if (fn(p, w) < 0)
                        return -1;
        return 0;
}

static int match_word(struct testns_parser *p, const char *w)
{
        struct testns_entry *e = &p->e;
        if (strcmp(w, "opcode") == 0) e->match_opcode = true;
        else if (strcmp(w, "qtype") == 0) e->match_qtype = true;
        else if (strcmp(w, "qname") == 0) e->match_qname = true;
        else if (strcmp(w, "subdomain") == 0) e->match_subdomain = true;
        else if (strcmp(w, "DO") == 0) e->need_do = true;
        else if (strcmp(w, "noedns") == 0) e->noedns = true;
        else if (strcmp(w, "UDP") == 0) { e->udp_only = true; e->tcp_only = false; }
        else if (strcmp(w, "TCP") == 0) { e->tcp_only = true; e->udp_only = false; }
        else if (strcmp(w, "all") == 0 || strcmp(w, "ttl") == 0 || strcmp(w, "ednsdata") == 0 ||
                 strncmp(w, "serial", 6) == 0) {
                if (strncmp(w, "serial", 6) == 0 && w[6] != '=' && w[6] != ':')
                        return fail(p, p->line, "MATCH: expected serial=N, got '%s'", w);
                if (!e->unsupported[0])
                        snprintf(e->unsupported, sizeof(e->unsupported), "%s", w);
        } else {
                return fail(p, p->line, "MATCH: unknown word '%s'", w);
        }
        return 0;
}

static int reply_word(struct testns_parser *p, const char *w)
{
        static const struct { const char *word; uint16_t bit; } flags[] = {
                { "QR", DNS_FLAG_QR }, { "AA", DNS_FLAG_AA }, { "TC", DNS_FLAG_TC },
                { "RD", DNS_FLAG_RD }, { "RA", DNS_FLAG_RA }, { "AD", 0x0020 }, { "CD", 0x0010 },
        };
        static const char *const opcodes[] = { "QUERY", "IQUERY", "STATUS", NULL, "NOTIFY", "UPDATE" };
        static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                              "NOTIMPL", "REFUSED", "YXDOMAIN", "YXRRSET",
                                              "NXRRSET", "NOTAUTH", "NOTZONE" };
        struct text_message *m = &p->e.m;
        if (p->e.extra)
                return 0;
        for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
                if (strcmp(w, flags[i].word) == 0) {
                        m->flags |= flags[i].bit;
                        return 0;
                }
        for (unsigned i = 0; i < sizeof(opcodes) / sizeof(opcodes[0]); i++)
                if (opcodes[i] && strcmp(w, opcodes[i]) == 0) {
                        p->e.opcode = i;
                        m->flags = (uint16_t)((m->flags & ~0x7800u) | i << 11);
                        return 0;
                }
        for (unsigned i = 0; i < sizeof(rcodes) / sizeof(rcodes[0]); i++)
                if (strcmp(w, rcodes[i]) == 0 || (i == 4 && strcmp(w, "NOTIMP") == 0)) {
                        m->flags = (uint16_t)((m->flags & ~0xfu) | i);
                        return 0;
                }
        if (strcmp(w, "DO") == 0) {
                m->opt = true;
                m->opt_size = 4096;
                m->opt_do = true;
                return 0;
        }
        return fail(p, p->line, "REPLY: unknown word '%s'", w);
}

static int adjust_word(struct testns_parser *p, const char *w)
{
        char *end;
        if (strcmp(w, "copy_id") == 0) {
                p->e.copy_id = true;
        } else if (strcmp(w, "copy_query") == 0) {
                p->e.copy_query = true;
        } else if (strncmp(w, "sleep=", 6) == 0 || strncmp(w, "packet_sleep=", 13) == 0) {
                const char *v = strchr(w, '=') + 1;
                unsigned long n = strtoul(v, &end, 10);
                if (*v == '\0' || *end)
                        return fail(p, p->line, "ADJUST: expected %.*sN, got '%s'",
                                    (int)(v - w), w, w);
                p->e.sleep = (unsigned)n;
        } else {
                return fail(p, p->line, "ADJUST: unknown word '%s'", w);
        }
        return 0;
}

static int hex_digit(int c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = tolower(c);
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One line inside HEX_ANSWER_BEGIN ... HEX_ANSWER_END. */
static int hex_line(struct testns_parser *p, const char *s)
{
        struct testns_entry *e = &p->e;
        for (; *s && *s != ';'; s++) {
                int v;
                if (isspace((unsigned char)*s))
                        continue;
                v = hex_digit((unsigned char)*s);
                if (v < 0)
                        return fail(p, p->line, "HEX_ANSWER: '%c' is not a hex digit",
                                    isprint((unsigned char)*s) ? *s : '?');
                if (e->nibble < 0) {
                        e->nibble = v;
                        continue;
                }
                if (e->hexlen == TESTNS_MSG_MAX)
                        return fail(p, p->line, "HEX_ANSWER: more than %d bytes", TESTNS_MSG_MAX);
                e->hex[e->hexlen++] = (uint8_t)(e->nibble << 4 | v);
                e->nibble = -1;
        }
        return 0;
}

static int entry_begin(struct testns_parser *p)
{
        if (p->in_entry)
                return fail(p, p->line, "ENTRY_BEGIN inside the entry that began on line %u",
                            p->e.line);
        memset(&p->e, 0, sizeof(p->e));
        p->e.line = p->line;
        p->e.nibble = -1;
        p->e.hex = malloc(TESTNS_MSG_MAX);
        if (!p->e.hex || text_message_init(&p->e.m) < 0) {
                free(p->e.hex);
                return fail(p, p->line, "out of memory");
        }
        p->in_entry = true;
        p->entries++;
        return 0;
}

static void entry_free(struct testns_parser *p)
{
        if (!p->in_entry)
                return;
        free(p->e.hex);
        text_message_free(&p->e.m);
        p->in_entry = false;
}

/* The question the reply holds: the QUESTION section, or the hex's own. */
static bool entry_question(const struct testns_entry *e, const uint8_t *msg, size_t len,
                           struct wire_question *q)
{
        struct wire_reader rd;
        memset(q, 0, sizeof(*q));
        if (!e->have_hex) {
                if (!e->m.have_question)
                        return false;
                memcpy(q->name, e->m.qname, e->m.qname_len);
                q->name_len = e->m.qname_len;
                q->type = e->m.qtype;
                return true;
        }
        return wire_reader_init(&rd, msg, len) == 0 && wire_reader_question(&rd, q) == 1;
}

/* Why an entry can never answer a stub's query, or NULL. */
static const char *entry_unusable(const struct testns_entry *e, bool have_q)
{
        if (e->unsupported[0])
                return "its MATCH word is not replayed (it matches whole packets or zone "
                       "transfers, never a stub's query)";
        if ((e->match_qname || e->match_subdomain || e->match_qtype) && !have_q)
                return "it matches on a question it does not hold";
        if (e->match_opcode && e->opcode != 0)
                return "it matches an opcode other than QUERY";
        if (e->need_do)
                return "it matches only queries with the DO bit, which stub resolvers never set";
        return NULL;
}

static int entry_rule(struct testns_parser *p, const uint8_t *msg, size_t len)
{
        struct testns_entry *e = &p->e;
        struct wire_question q;
        struct canned_rule r;
        bool have_q = entry_question(e, msg, len, &q);
        const char *why = entry_unusable(e, have_q);

        if (why)
                return canned_note(p->t, "line %u: entry skipped: %s", e->line, why);
        canned_rule_init(&r, CANNED_SEND);
        if (e->match_qname || e->match_subdomain) {
                memcpy(r.qname, q.name, q.name_len);
                r.qname_len = q.name_len;
                r.subdomain = e->match_subdomain && !e->match_qname;
        }
        if (e->match_qtype)
                r.qtype = q.type;
        r.transport[TRANSPORT_UDP] = !e->tcp_only;
        r.transport[TRANSPORT_TCP] = !e->udp_only;
        r.edns_min = e->noedns ? CANNED_EDNS_NONE : CANNED_EDNS_ANY;
        r.need_do = e->need_do;
        r.copy_id = e->copy_id;
        r.copy_question = e->copy_query;
        snprintf(r.note, sizeof(r.note), "testns entry line %u%s", e->line,
                 e->udp_only ? " (UDP)" : e->tcp_only ? " (TCP)" : "");
        snprintf(r.origin, sizeof(r.origin), "line %u", e->line);
        if (canned_add_rule(p->t, &r, msg, len) < 0 || canned_add_records(p->t, msg, len) < 0 ||
            (have_q && canned_add_question(p->t, q.name, q.name_len, q.type) < 0))
                return -1;
        if (!e->copy_id && canned_note(p->t, "line %u: no ADJUST copy_id: the reply keeps id %u "
                                       "whatever the query's id (as ldns-testns sends it)",
                                       e->line, len >= 2 ? (unsigned)(msg[0] << 8 | msg[1]) : 0) < 0)
                return -1;
        if (e->sleep && canned_note(p->t, "line %u: ADJUST sleep ignored", e->line) < 0)
                return -1;
        if (e->extra && canned_note(p->t, "line %u: packets after EXTRA_PACKET ignored", e->line) < 0)
                return -1;
        p->replies++;
        return 0;
}

static int entry_end(struct testns_parser *p)
{
        uint8_t *msg = NULL;
        size_t len;
        int ret = -1;

        if (p->e.reading_hex)
                return fail(p, p->e.hex_line, "HEX_ANSWER_BEGIN without HEX_ANSWER_END");
        if (p->testbound && !p->in_range) {
                entry_free(p);   /* a STEP's query or expected answer, not a reply */
                return 0;
        }
        if (p->e.have_hex) {
                msg = p->e.hex;
                len = p->e.hexlen;
        } else {
                msg = malloc(TESTNS_MSG_MAX);
                len = msg ? text_message_encode(&p->e.m, true, msg, TESTNS_MSG_MAX) : 0;
                if (!len) {
                        fail(p, p->e.line, "the entry's reply does not fit 65535 bytes");
                        goto cleanup;
                }
        }
        if (entry_rule(p, msg, len) < 0) {
                fail(p, p->line, "out of memory");
                goto cleanup;
        }
        ret = 0;
cleanup:
        if (!p->e.have_hex)
                free(msg);
        entry_free(p);
        return ret;
}

static int section_line(struct testns_parser *p, char *s)
{
        cut_comment(s);
        str_trim(s);
        if (p->e.extra)
                return 0;
        if (strcmp(s, "QUESTION") == 0) p->e.section = TESTNS_QUESTION;
        else if (strcmp(s, "ANSWER") == 0) p->e.section = TESTNS_ANSWER;
        else if (strcmp(s, "AUTHORITY") == 0) p->e.section = TESTNS_AUTHORITY;
        else if (strcmp(s, "ADDITIONAL") == 0) p->e.section = TESTNS_ADDITIONAL;
        else return fail(p, p->line, "SECTION: unknown section '%s'", s);
        return 0;
}

static int record(struct testns_parser *p, char *s)
{
        static const char *const names[] = { "QUESTION", "ANSWER", "AUTHORITY", "ADDITIONAL" };
        char why[200];
        int depth = 0;
        text_strip_comment(s, &depth);
        str_trim(s);
        if (p->e.extra || !*s)
                return 0;
        if (p->e.section == TESTNS_QUESTION) {
                if (p->e.m.have_question)
                        return fail(p, p->line, "QUESTION: a second question cannot be replayed");
                if (text_question_set(&p->e.m, s, p->origin, p->origin_len, why, sizeof(why)) < 0)
                        return fail(p, p->line, "QUESTION: %s: %s", why, s);
                return 0;
        }
        if (text_rr_add(p->e.m.sections[p->e.section - 1], s, p->ttl, p->origin, p->origin_len,
                        why, sizeof(why)) < 0)
                return fail(p, p->line, "%s: %s: %s", names[p->e.section], why, s);
        return 0;
}

static int directive(struct testns_parser *p, char *s)
{
        if (keyword(&s, "$ORIGIN")) {
                cut_comment(s);
                str_trim(s);
                if (wire_name_from_text(s, p->origin, &p->origin_len) < 0)
                        return fail(p, p->line, "$ORIGIN: '%s' is not a domain name", s);
                return 0;
        }
        keyword(&s, "$TTL");
        char *end;
        unsigned long v = strtoul(s, &end, 10);
        if (end == s || v > 0x7fffffffUL)
                return fail(p, p->line, "$TTL: expected a number of seconds, got '%s'", s);
        p->ttl = (uint32_t)v;
        return 0;
}

/* A line inside ENTRY_BEGIN ... ENTRY_END (keywords first, as ldns-testns). */
static int entry_line(struct testns_parser *p, char *s)
{
        struct testns_entry *e = &p->e;
        if (keyword(&s, "MATCH"))
                return each_word(p, s, match_word);
        if (keyword(&s, "REPLY"))
                return each_word(p, s, reply_word);
        if (keyword(&s, "ADJUST"))
                return each_word(p, s, adjust_word);
        if (keyword(&s, "EXTRA_PACKET")) {
                e->extra = true;
                return 0;
        }
        if (keyword(&s, "SECTION"))
                return section_line(p, s);
        if (keyword(&s, "HEX_ANSWER_BEGIN")) {
                e->reading_hex = true;
                e->hex_line = p->line;
                return 0;
        }
        if (keyword(&s, "HEX_ANSWER_END")) {
                if (!e->reading_hex)
                        return fail(p, p->line, "HEX_ANSWER_END without HEX_ANSWER_BEGIN");
                if (e->nibble >= 0)
                        return fail(p, p->line, "HEX_ANSWER: odd number of hex digits");
                e->reading_hex = false;
                if (e->extra)
                        return 0;
                e->have_hex = true;
                return 0;
        }
        if (e->reading_hex)
                return e->extra && e->have_hex ? 0 : hex_line(p, s);
        if (keyword(&s, "HEX_EDNSDATA_BEGIN")) {
                e->reading_ednsdata = true;
                return 0;
        }
        if (keyword(&s, "HEX_EDNSDATA_END")) {
                e->reading_ednsdata = false;
                return 0;
        }
        if (e->reading_ednsdata)
                return 0;
        if (keyword(&s, "ENTRY_END"))
                return entry_end(p);
        return record(p, s);
}

/* A testbound range's "ADDRESS 192.0.2.1": the server its entries answer
 * for. Entries of several servers would be merged into one fake server and
 * answer queries no real server would: refused. Returns 0 or -1. */
static int range_address(struct testns_parser *p, char *s)
{
        s[strcspn(s, " \t;#")] = '\0';
        if (!p->server[0]) {
                snprintf(p->server, sizeof(p->server), "%s", s);
                p->server_line = p->line;
                return 0;
        }
        if (strcmp(p->server, s) == 0)
                return 0;
        return fail(p, p->line, "ADDRESS %s: this testbound file has ranges for several servers "
                    "(ADDRESS %s on line %u): reproduce replays one server; keep the ranges of "
                    "the server the stubs ask in a file of their own", s, p->server,
                    p->server_line);
}

static int testns_line(struct testns_parser *p, char *line)
{
        char *s = line + strspn(line, " \t");
        s[strcspn(s, "\r")] = '\0';
        if (*s == '\0' || *s == ';' || *s == '#')
                return 0;
        if (keyword(&s, "ENTRY_BEGIN"))
                return entry_begin(p);
        if (strncmp(s, "$ORIGIN", 7) == 0 || strncmp(s, "$TTL", 4) == 0)
                return directive(p, s);
        if (p->in_entry)
                return entry_line(p, s);
        if (p->testbound) {
                if (keyword(&s, "RANGE_BEGIN"))
                        p->in_range = true;
                else if (keyword(&s, "RANGE_END"))
                        p->in_range = false;
                else if (p->in_range && keyword(&s, "ADDRESS"))
                        return range_address(p, s);
                return 0;    /* configuration, STEP and CHECK lines */
        }
        s[strcspn(s, " \t")] = '\0';
        return fail(p, p->line, "expected ENTRY_BEGIN, got '%.40s'", s);
}

static bool has_line_starting(const char *text, const char *word)
{
        size_t n = strlen(word);
        for (const char *s = text; s; s = strchr(s, '\n')) {
                if (*s == '\n')
                        s++;
                s += strspn(s, " \t");
                if (strncmp(s, word, n) == 0)
                        return true;
        }
        return false;
}

static int add_drop_rule(struct canned_table *t)
{
        struct canned_rule r;
        canned_rule_init(&r, CANNED_DROP);
        snprintf(r.note, sizeof(r.note), "no testns entry matches: no reply (as ldns-testns)");
        snprintf(r.origin, sizeof(r.origin), "end of file");
        return canned_add_rule(t, &r, NULL, 0);
}

int replay_testns_parse(const char *path, const char *text, struct canned_table *t, char *err,
                        size_t errlen)
{
        struct testns_parser p = { .path = path, .t = t, .err = err, .errlen = errlen,
                                   .origin_len = 1 };
        char *line = malloc(TESTNS_LINE_MAX);
        int ret = -1;

        if (!line) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
        }
        p.testbound = has_line_starting(text, "SCENARIO_BEGIN");
        for (const char *s = text; *s;) {
                size_t n = strcspn(s, "\n");
                p.line++;
                if (n >= TESTNS_LINE_MAX) {
                        fail(&p, p.line, "line longer than %d bytes", TESTNS_LINE_MAX - 1);
                        goto cleanup;
                }
                memcpy(line, s, n);
                line[n] = '\0';
                if (testns_line(&p, line) < 0)
                        goto cleanup;
                s += n + (s[n] == '\n');
        }
        if (p.in_entry) {
                if (p.e.reading_hex)
                        fail(&p, p.e.hex_line, "HEX_ANSWER_BEGIN without HEX_ANSWER_END before the end of the file");
                else
                        fail(&p, p.e.line, "ENTRY_BEGIN without ENTRY_END before the end of the file");
                goto cleanup;
        }
        if (p.entries == 0) {
                fail(&p, p.line ? p.line : 1, "no ENTRY_BEGIN: not an ldns-testns data file");
                goto cleanup;
        }
        if (add_drop_rule(t) < 0 || canned_finish(t, true) < 0) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        if (p.replies == 0)
                canned_note(t, "no entry can answer a stub's query: every query goes unanswered");
        ret = 0;
cleanup:
        entry_free(&p);
        free(line);
        return ret;
}

int replay_testns_read(const char *path, struct canned_table *t, char *err, size_t errlen)
{
        char *text;
        int ret;
        if (file_read_text(path, "an ldns-testns data file", &text, err, errlen) < 0)
                return -1;
        ret = replay_testns_parse(path, text, t, err, errlen);
        free(text);
        return ret;
}
