#include "clients/engine/profile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/util/strutil.h"

static const char *const transport_table[] = { "udp-only", "udp-then-tcp", "tcp-only" };
static const char *const oversize_table[] = { "cut", "truncated", "drop" };
static const char *const tc_table[] = { "retry-tcp", "fail", "use", "use-if-answers" };
static const char *const tcp_failure_table[] = { "error", "use-udp" };
static const char *const parse_table[] = { "strict", "keep-partial", "keep-partial-if-tc", "zero-fill" };
static const char *const bad_reply_table[] = { "error", "nodata", "nxdomain" };
static const char *const cname_table[] = { "follow", "any-owner" };
static const char *const empty_table[] = { "nodata", "nxdomain" };
static const char *const bool_table[] = { "no", "yes" };
static const char *const other_rcode_table[] = { "noerror", "error", "nxdomain" };
static const char *const timeout_as_table[] = { "timeout", "nxdomain" };
static const char *const formerr_retry_table[] = { "no", "yes", "channel" };
static const char *const both_bad_reply_table[] = { "per-family", "last-fails", "a-fails" };

#define N(t) (int)(sizeof(t) / sizeof(t[0]))

const char *profile_transport_to_string(enum profile_transport v)
{
        return (v >= 0 && v < PROFILE_TRANSPORT_MAX) ? transport_table[v] : "invalid";
}

const char *profile_tc_to_string(enum profile_tc v)
{
        return (v >= 0 && v < PROFILE_TC_MAX) ? tc_table[v] : "invalid";
}

enum knob_kind { KNOB_TEXT, KNOB_INT, KNOB_ENUM, KNOB_BOOL, KNOB_EDNS };

struct knob {
        const char *key;
        enum knob_kind kind;
        size_t offset;
        size_t size;                 /* KNOB_TEXT buffer size */
        const char *const *table;
        int table_len;
        int min, max;
};

#define K_TEXT(k, f) { k, KNOB_TEXT, offsetof(struct profile, f), sizeof(((struct profile *)0)->f), NULL, 0, 0, 0 }
#define K_INT(k, f, lo, hi) { k, KNOB_INT, offsetof(struct profile, f), 0, NULL, 0, lo, hi }
#define K_ENUM(k, f, t) { k, KNOB_ENUM, offsetof(struct profile, f), 0, t, N(t), 0, 0 }
#define K_BOOL(k, f) { k, KNOB_BOOL, offsetof(struct profile, f), 0, bool_table, 2, 0, 0 }

static const struct knob knobs[] = {
        K_TEXT("name", name),
        K_TEXT("stands-for", stands_for),
        K_TEXT("twin", twin),
        K_TEXT("source", source),
        K_ENUM("transport", transport, transport_table),
        { "edns", KNOB_EDNS, offsetof(struct profile, edns), 0, NULL, 0, 512, 65535 },
        K_INT("recv-buffer", recv_buffer, 12, 65535),
        K_INT("tcp-recv-buffer", tcp_recv_buffer, 0, 65535),
        K_ENUM("oversize", oversize, oversize_table),
        K_ENUM("tc", tc, tc_table),
        K_ENUM("tcp-failure", tcp_failure, tcp_failure_table),
        K_ENUM("tcp-closed-a", tcp_closed_a, bad_reply_table),
        K_ENUM("tcp-closed-aaaa", tcp_closed_aaaa, bad_reply_table),
        K_ENUM("parse", parse, parse_table),
        K_ENUM("bad-reply-a", bad_reply_a, bad_reply_table),
        K_ENUM("bad-reply-aaaa", bad_reply_aaaa, bad_reply_table),
        K_INT("max-addresses", max_addresses, 0, 65535),
        K_INT("max-records", max_records, 0, 65535),
        K_INT("rdata-overread", rdata_overread, 0, 64),
        K_ENUM("cname", cname, cname_table),
        K_INT("max-cname", max_cname, 0, 1000),
        K_BOOL("reject-compressed-question", reject_compressed_question),
        K_BOOL("glibc-lame-rule", glibc_lame_rule),
        K_ENUM("formerr-retry-plain", formerr_retry_plain, formerr_retry_table),
        K_ENUM("formerr-as", formerr_as, bad_reply_table),
        K_BOOL("fail-on-rcode-error", fail_on_rcode_error),
        K_ENUM("rcode-error-as", rcode_error_as, bad_reply_table),
        K_BOOL("empty-before-tc", empty_before_tc),
        K_BOOL("both-fail-on-error", both_fail_on_error),
        K_ENUM("both-bad-reply", both_bad_reply, both_bad_reply_table),
        K_ENUM("both-bad-reply-as", both_bad_reply_as, bad_reply_table),
        K_ENUM("other-rcode-as", other_rcode, other_rcode_table),
        K_BOOL("ignore-rcode-error", ignore_rcode_error),
        K_BOOL("lame-after-tc", lame_after_tc),
        K_ENUM("timeout-as", timeout_as, timeout_as_table),
        K_ENUM("empty-answer", empty, empty_table),
        K_INT("attempts", attempts, 1, 10),
        K_INT("timeout-ms", timeout_ms, 10, 60000),
};

void profile_defaults(struct profile *p)
{
        memset(p, 0, sizeof(*p));
        p->transport = PROFILE_TRANSPORT_UDP_THEN_TCP;
        p->recv_buffer = 512;
        p->oversize = PROFILE_OVERSIZE_TRUNCATED;
        p->tc = PROFILE_TC_RETRY_TCP;
        p->parse = PROFILE_PARSE_STRICT;
        p->cname = PROFILE_CNAME_FOLLOW;
        p->max_cname = 16;
        p->fail_on_rcode_error = true;
        p->attempts = 1;
        p->timeout_ms = 1000;
}

static int knob_set(const struct knob *k, struct profile *p, const char *v, char *msg, size_t len)
{
        void *field = (char *)p + k->offset;
        switch (k->kind) {
        case KNOB_TEXT:
                snprintf(field, k->size, "%s", v);
                return 0;
        case KNOB_EDNS:
                if (strcmp(v, "none") == 0) {
                        *(int *)field = 0;
                        return 0;
                }
                /* fall through */
        case KNOB_INT: {
                char *end;
                errno = 0;
                long n = strtol(v, &end, 10);
                if (*v == '\0' || *end || errno || n < k->min || n > k->max) {
                        snprintf(msg, len, "%s: expected %s%d..%d, got '%s'", k->key,
                                 k->kind == KNOB_EDNS ? "none or " : "", k->min, k->max, v);
                        return -1;
                }
                *(int *)field = (int)n;
                return 0;
        }
        case KNOB_ENUM:
        case KNOB_BOOL:
                for (int i = 0; i < k->table_len; i++)
                        if (strcmp(k->table[i], v) == 0) {
                                if (k->kind == KNOB_BOOL)
                                        *(bool *)field = i == 1;
                                else
                                        *(int *)field = i;
                                return 0;
                        }
                {
                        size_t o = (size_t)snprintf(msg, len, "%s: expected ", k->key);
                        for (int i = 0; i < k->table_len && o < len; i++)
                                o += (size_t)snprintf(msg + o, len - o, "%s%s", i ? "|" : "", k->table[i]);
                        if (o < len)
                                snprintf(msg + o, len - o, ", got '%s'", v);
                }
                return -1;
        }
        return -1;
}

int profile_parse(const char *path, const char *text, struct profile *p, char *err, size_t errlen)
{
        char *copy = strdup(text), *cur = copy, *line;
        unsigned lineno = 0;
        int ret = -1;

        profile_defaults(p);
        if (!copy) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
        }
        while ((line = strsep(&cur, "\n")) != NULL) {
                char msg[256], *eq;
                const struct knob *k = NULL;
                lineno++;
                str_strip_comment(line);
                str_trim(line);
                if (*line == '\0')
                        continue;
                eq = strchr(line, '=');
                if (!eq) {
                        snprintf(err, errlen, "%s:%u: expected 'knob = value'", path, lineno);
                        goto cleanup;
                }
                *eq = '\0';
                str_trim(line);
                str_trim(eq + 1);
                for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
                        if (strcmp(knobs[i].key, line) == 0)
                                k = &knobs[i];
                if (!k) {
                        snprintf(err, errlen, "%s:%u: unknown knob '%s'", path, lineno, line);
                        goto cleanup;
                }
                if (knob_set(k, p, eq + 1, msg, sizeof(msg)) < 0) {
                        snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
                        goto cleanup;
                }
        }
        if (p->name[0] == '\0') {
                snprintf(err, errlen, "%s:%u: missing 'name = ...'", path, lineno);
                goto cleanup;
        }
        ret = 0;
cleanup:
        free(copy);
        return ret;
}

int profile_load(const char *path, struct profile *p, char *err, size_t errlen)
{
        char *text;
        int ret;
        if (file_read_all(path, &text, NULL, err, errlen) < 0)
                return -1;
        ret = profile_parse(path, text, p, err, errlen);
        free(text);
        return ret;
}

void profile_print(const struct profile *p, void *file)
{
        FILE *f = file;
        for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
                const struct knob *k = &knobs[i];
                const void *field = (const char *)p + k->offset;
                switch (k->kind) {
                case KNOB_TEXT:
                        fprintf(f, "%s = %s\n", k->key, (const char *)field);
                        break;
                case KNOB_EDNS:
                        if (*(const int *)field == 0) {
                                fprintf(f, "%s = none\n", k->key);
                                break;
                        }
                        /* fall through */
                case KNOB_INT:
                        fprintf(f, "%s = %d\n", k->key, *(const int *)field);
                        break;
                case KNOB_ENUM:
                        fprintf(f, "%s = %s\n", k->key, k->table[*(const int *)field]);
                        break;
                case KNOB_BOOL:
                        fprintf(f, "%s = %s\n", k->key, bool_table[*(const bool *)field]);
                        break;
                }
        }
}
