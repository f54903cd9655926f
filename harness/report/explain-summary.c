#include "harness/report/explain-summary.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness/report/zonecheck.h"
#include "harness/wire/dns.h"

enum group { GROUP_LEGACY, GROUP_TCP, GROUP_EDNS, GROUP_OTHER, GROUP_MAX };

static const char *const group_names[GROUP_MAX] = {
        [GROUP_LEGACY] = "legacy UDP-only stubs",
        [GROUP_TCP] = "stubs that retry over TCP",
        [GROUP_EDNS] = "stubs with EDNS",
        [GROUP_OTHER] = "other stubs",
};

/* Why a group's failing members fail, in one clause. */
static const char *const group_why[GROUP_MAX] = {
        [GROUP_LEGACY] = "they read at most 512 bytes over UDP and never retry over TCP, so a "
                         "truncated reply is all they get",
        [GROUP_TCP] = "they retry over TCP when the reply is truncated, and that retry did not "
                      "give them the answer",
        [GROUP_EDNS] = "the answer is larger than the buffer they advertise",
        [GROUP_OTHER] = "they could not use the reply",
};

static enum group group_of(const struct explain_row *row)
{
        const struct profile *p = row->who.profile;
        const struct matrix_cell *c = row->c;
        if (!p) {       /* a library without a profile: what the server saw it do */
                if (c->tcp_queries > 0)
                        return GROUP_TCP;
                if (c->edns >= 0)
                        return GROUP_EDNS;
                return c->udp_queries > 0 ? GROUP_LEGACY : GROUP_OTHER;
        }
        if (p->transport == PROFILE_TRANSPORT_TCP_ONLY ||
            (p->transport == PROFILE_TRANSPORT_UDP_THEN_TCP && p->tc == PROFILE_TC_RETRY_TCP))
                return GROUP_TCP;
        return p->edns > 0 ? GROUP_EDNS : GROUP_LEGACY;
}

/* True for a word that is internal text: a function or file name, a flag. */
static bool internal_word(const char *w, size_t n)
{
        static const char *const words[] = { "getaddrinfo", "res_nquery", "__dns_lookup", "dns.c" };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (n == strlen(words[i]) && strncmp(w, words[i], n) == 0)
                        return true;
        for (size_t i = 0; i < n; i++)
                if (w[i] == '_' || (w[i] == '(' && i + 1 < n && w[i + 1] == ')') ||
                    (w[i] == '.' && i + 1 < n && isalpha((unsigned char)w[i + 1])))
                        return true;   /* __dns_lookup, ares_version(), net.Resolver */
        return false;
}

/* The option a client runs with, in customer words ("" for none). */
static const char *option_words(const char *with)
{
        static const struct { const char *flag, *words; } options[] = {
                { "IGNTC", " set to ignore truncation" }, { "USEVC", " over TCP only" },
                { "TCP only", " over TCP only" }, { "EDNS", " with EDNS" }, { "edns0", " with EDNS" },
        };
        for (size_t i = 0; with && i < sizeof(options) / sizeof(options[0]); i++)
                if (strstr(with, options[i].flag))
                        return options[i].words;
        return "";
}

void explain_customer_name(const struct explain_client *who, char *buf, size_t len)
{
        char full[256];
        size_t o = 0;
        explain_who(who, full, sizeof(full));
        /* cut at " with " (flags and options), kept as words below */
        char *with = strstr(full, " with ");
        const char *option = option_words(with ? with + 6 : NULL);
        if (with)
                *with = '\0';
        /* cut at ", " outside parentheses: ", one process per lookup" */
        for (int depth = 0, i = 0; full[i]; i++) {
                depth += full[i] == '(' ? 1 : full[i] == ')' ? -1 : 0;
                if (depth == 0 && full[i] == ',' && full[i + 1] == ' ') {
                        full[i] = '\0';
                        break;
                }
        }
        buf[0] = '\0';
        for (const char *s = full; *s && o + 1 < len;) {
                while (*s == ' ')
                        s++;
                if (*s == '(') {
                        size_t n = 0;
                        for (int depth = 0; s[n]; n++) {
                                depth += s[n] == '(' ? 1 : s[n] == ')' ? -1 : 0;
                                if (depth == 0) {
                                        n++;
                                        break;
                                }
                        }
                        /* build details: "(ares_version(); Debian 12 libc-ares2 1.18.1)" */
                        bool internal = memchr(s, ';', n) || memchr(s, '_', n) ||
                                        memmem(s, n, "helper", 6) ||
                                        (strncmp(s, "(Debian musl", 12) == 0) ||
                                        strncmp(s, "(this machine", 13) == 0;
                        if (!internal)
                                o += (size_t)snprintf(buf + o, len - o, "%s%.*s", o ? " " : "", (int)n, s);
                        s += n;
                        continue;
                }
                size_t n = strcspn(s, " ");
                if (n && !internal_word(s, n))
                        o += (size_t)snprintf(buf + o, len - o, "%s%.*s", o ? " " : "", (int)n, s);
                s += n;
        }
        if (!buf[0])
                snprintf(buf, len, "%s", who->name ? who->name : "a client");
        else if (o + 1 < len)
                snprintf(buf + o, len - o, "%s", option);
}

/* True when two customer names are one library with one option: the same
 * first two words and the same option words ("glibc 2.36 (Debian 12)" and
 * "glibc 2.36 libresolv (Debian 12)" are one; "c-ares 1.18.1" and "c-ares
 * 1.18.1 set to ignore truncation" are two). */
static bool same_library(const char *a, const char *b)
{
        size_t key = strcspn(a, " ");
        key += a[key] ? 1 + strcspn(a + key + 1, " ") : 0;
        if (strncasecmp(a, b, key) != 0 || (b[key] != '\0' && b[key] != ' '))
                return false;
        static const char *const words[] = { " set to ignore truncation", " over TCP only", " with EDNS" };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if ((strstr(a, words[i]) != NULL) != (strstr(b, words[i]) != NULL))
                        return false;
        return true;
}

/* Appends "a, b and c" of the group's names (each once). */
static void list_names(const struct explain_row *rows, size_t n, enum group g, bool failing,
                       struct strbuf *out)
{
        char names[32][160];
        size_t k = 0;
        for (size_t i = 0; i < n && k < 32; i++) {
                bool fails = !verdict_is_success(rows[i].c->verdict) &&
                             !verdict_is_unchecked(rows[i].c->verdict);
                if (group_of(&rows[i]) != g || fails != failing ||
                    verdict_is_unchecked(rows[i].c->verdict))
                        continue;
                char name[160];
                bool dup = false;
                explain_customer_name(&rows[i].who, name, sizeof(name));
                /* one mention per library and option: "c-ares 1.18.1" once */
                for (size_t j = 0; j < k; j++)
                        dup |= same_library(names[j], name);
                if (!dup)
                        snprintf(names[k++], sizeof(names[0]), "%s", name);
        }
        for (size_t j = 0; j < k; j++)
                strbuf_printf(out, "%s%s", j == 0 ? "" : j + 1 == k ? " and " : ", ", names[j]);
}

static size_t count_group(const struct explain_row *rows, size_t n, enum group g, bool failing)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                bool fails = !verdict_is_success(rows[i].c->verdict) &&
                             !verdict_is_unchecked(rows[i].c->verdict);
                k += group_of(&rows[i]) == g && fails == failing &&
                     !verdict_is_unchecked(rows[i].c->verdict);
        }
        return k;
}

static void size_sentence(const struct answer *a, struct strbuf *out)
{
        struct zonecheck_limit limits[ZONECHECK_LIMITS_MAX];
        size_t nl = zonecheck_default_limits(limits);
        strbuf_printf(out, "The answer is %zu bytes", a->len);
        for (size_t l = 0; l < nl; l++) {
                size_t size = limits[l].edns ? a->len + DNS_OPT_RR_LEN : a->len;
                const char *who = limits[l].edns ? "stubs with EDNS commonly advertise"
                                                 : "stubs without EDNS accept";
                const char *with = limits[l].edns ? " with EDNS" : "";
                if (l == 0 && !limits[l].edns)
                        strbuf_printf(out, ": ");
                else
                        strbuf_printf(out, "%s%zu bytes%s: ", l == 0 ? ", " : "; ", size, with);
                if (size > limits[l].bytes)
                        strbuf_printf(out, "%zu over the %u that %s", size - limits[l].bytes,
                                      limits[l].bytes, who);
                else
                        strbuf_printf(out, "within the %u that %s", limits[l].bytes, who);
        }
        strbuf_printf(out, ". ");
}

static void fix_sentence(const struct answer *a, const char *qtype, struct strbuf *out)
{
        size_t records = a->ancount > a->cnames ? (size_t)(a->ancount - a->cnames) : 0;
        if (a->len <= DNS_UDP_LEGACY_MAX || records == 0)
                return;
        size_t fit = zonecheck_fit(a, records, 0, DNS_UDP_LEGACY_MAX, 0);
        if (a->cnames > 0) {
                size_t cname_bytes = a->rr_end[a->cnames - 1] - a->question_end;
                size_t without = zonecheck_fit(a, records, 0, DNS_UDP_LEGACY_MAX, cname_bytes);
                strbuf_printf(out, "The fix: at most %zu %s records fit behind this %zu-byte "
                              "CNAME%s; or drop the CNAME", fit, qtype, cname_bytes,
                              a->cnames > 1 ? " chain" : "");
                if (without >= records)
                        strbuf_printf(out, " (all %zu then fit)", records);
                else
                        strbuf_printf(out, " (then %zu fit)", without);
                strbuf_printf(out, ". ");
        } else {
                strbuf_printf(out, "The fix: at most %zu %s records fit in 512 bytes; serve "
                              "%zu or fewer. ", fit, qtype, fit);
        }
}

void explain_paragraph(const struct explain_row *rows, size_t n, const struct answer *a,
                       struct strbuf *out)
{
        size_t failing = 0, unaffected = 0;
        if (n == 0)
                return;
        strbuf_printf(out, "%s. %s: ", rows[0].c->qname, rows[0].c->qtype);
        if (a && a->naddrs == 0 && a->rcode == DNS_RCODE_NXDOMAIN)
                strbuf_printf(out, "the name does not exist (NXDOMAIN). ");
        else if (a && a->naddrs == 0 && !a->missing[0])
                strbuf_printf(out, "the name has no records of this type (NODATA). ");
        if (a && a->missing[0])
                strbuf_printf(out, "Only a truncated %zu-byte reply was recorded: the whole "
                              "answer's size is not known. ", a->len);
        else if (a)
                size_sentence(a, out);
        for (int g = 0; g < GROUP_MAX; g++) {
                if (!count_group(rows, n, (enum group)g, true))
                        continue;
                strbuf_printf(out, "%s %s (", failing++ ? "Also affected:" : "Affected:",
                              group_names[g]);
                list_names(rows, n, (enum group)g, true, out);
                strbuf_printf(out, "): %s. ", group_why[g]);
        }
        if (!failing)
                strbuf_printf(out, "No client fails on this answer. ");
        for (int g = 0; g < GROUP_MAX; g++) {
                if (!count_group(rows, n, (enum group)g, false))
                        continue;
                strbuf_printf(out, "%s %s (", unaffected++ ? "; and" : "Not affected:",
                              group_names[g]);
                list_names(rows, n, (enum group)g, false, out);
                strbuf_printf(out, ")");
        }
        if (unaffected)
                strbuf_printf(out, ". ");
        if (a && failing)
                fix_sentence(a, rows[0].c->qtype, out);
        if (a && a->missing[0])
                strbuf_printf(out, "The recording is incomplete: %s; to judge the clients that "
                              "retry over TCP, capture the TCP retry too (for example `tcpdump -w "
                              "dns.pcap port 53` while `dig +tcp NAME` runs) or run "
                              "`stubcompat reproduce --server ADDR --name NAME`. ", a->missing);
        if (a && a->missing_edns[0])
                strbuf_printf(out, "%s%s: to judge the clients that ask with EDNS, capture a "
                              "query with EDNS too (for example `dig +bufsize=1232 NAME`) or run "
                              "`stubcompat reproduce --server ADDR --name NAME`. ",
                              a->missing[0] ? "Also, " : "The recording is incomplete: ",
                              a->missing_edns);
        /* drop the trailing space */
        if (out->len && out->data[out->len - 1] == ' ')
                out->len--;
        strbuf_printf(out, "\n");
}
