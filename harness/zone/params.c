#include "harness/zone/params.h"

#include "harness/util/strutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/util/strutil.h"
#include "harness/wire/dns.h"

static const char *const truncation_table[TRUNCATION_MAX] = {
        [TRUNCATION_TC_EMPTY] = "tc-empty",
        [TRUNCATION_TC_PARTIAL] = "tc-partial",
        [TRUNCATION_OVERFLOW] = "overflow",
        [TRUNCATION_CUT] = "cut",
        [TRUNCATION_CUT_NOTC] = "cut-notc",
};

static const char *const edns_table[EDNS_MODE_MAX] = {
        [EDNS_HONOR] = "honor",
        [EDNS_IGNORE] = "ignore",
        [EDNS_FORMERR] = "formerr",
};

static const char *const tcp_table[TCP_MODE_MAX] = {
        [TCP_MODE_ON] = "on",
        [TCP_MODE_REFUSE] = "refuse",
        [TCP_MODE_BLACKHOLE] = "blackhole",
        [TCP_MODE_CLOSE] = "close",
        [TCP_MODE_SPLIT] = "split",
};

static const char *const path_table[VIA_MAX] = {
        [VIA_DIRECT] = "direct",
        [VIA_DNSMASQ] = "dnsmasq",
        [VIA_UNBOUND] = "unbound",
        [VIA_BIND9] = "bind9",
        [VIA_KNOT_RESOLVER] = "knot-resolver",
        [VIA_PDNS_RECURSOR] = "pdns-recursor",
};

static int table_lookup(const char *const *table, int n, const char *s)
{
        for (int i = 0; i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return i;
        return -1;
}

const char *truncation_to_string(enum truncation t)
{
        return (t >= 0 && t < TRUNCATION_MAX) ? truncation_table[t] : NULL;
}

enum truncation truncation_from_string(const char *s)
{
        return (enum truncation)table_lookup(truncation_table, TRUNCATION_MAX, s);
}

const char *edns_mode_to_string(enum edns_mode m)
{
        return (m >= 0 && m < EDNS_MODE_MAX) ? edns_table[m] : NULL;
}

enum edns_mode edns_mode_from_string(const char *s)
{
        return (enum edns_mode)table_lookup(edns_table, EDNS_MODE_MAX, s);
}

const char *tcp_mode_to_string(enum tcp_mode m)
{
        return (m >= 0 && m < TCP_MODE_MAX) ? tcp_table[m] : NULL;
}

enum tcp_mode tcp_mode_from_string(const char *s)
{
        return (enum tcp_mode)table_lookup(tcp_table, TCP_MODE_MAX, s);
}

const char *resolver_path_to_string(enum resolver_path p)
{
        return (p >= 0 && p < VIA_MAX) ? path_table[p] : NULL;
}

enum resolver_path resolver_path_from_string(const char *s)
{
        return (enum resolver_path)table_lookup(path_table, VIA_MAX, s);
}

void params_defaults(struct point_params *p)
{
        *p = (struct point_params){
                .records = 1,
                .qtype = DNS_TYPE_A,
                .txt_bytes = 100,
                .truncation = TRUNCATION_TC_EMPTY,
                .edns = EDNS_HONOR,
                .edns_size = 1232,
                .tcp = TCP_MODE_ON,
                .ra = true,
                .rcode = DNS_RCODE_NOERROR,
                .compression = true,
                .ttl = 60,
        };
}

enum param_kind { PARAM_INT, PARAM_BOOL, PARAM_ENUM, PARAM_QTYPE, PARAM_RCODE };

struct param_desc {
        const char *key;
        enum param_kind kind;
        size_t offset;
        long min, max;
        const char *const *table;  /* PARAM_ENUM */
        int table_len;
};

#define P_INT(k, f, lo, hi) { k, PARAM_INT, offsetof(struct point_params, f), lo, hi, NULL, 0 }
#define P_BOOL(k, f) { k, PARAM_BOOL, offsetof(struct point_params, f), 0, 1, NULL, 0 }
#define P_ENUM(k, f, t, n) { k, PARAM_ENUM, offsetof(struct point_params, f), 0, 0, t, n }

static const struct param_desc param_table[] = {
        P_INT("records", records, 0, 4096),
        P_INT("cname_depth", cname_depth, 0, 64),
        { "qtype", PARAM_QTYPE, offsetof(struct point_params, qtype), 0, 0, NULL, 0 },
        P_INT("txt_bytes", txt_bytes, 0, 65000),
        P_ENUM("truncation", truncation, truncation_table, TRUNCATION_MAX),
        P_INT("server_udp_max", server_udp_max, 0, 65535),
        P_ENUM("edns", edns, edns_table, EDNS_MODE_MAX),
        P_INT("edns_size", edns_size, 512, 65535),
        P_ENUM("tcp", tcp, tcp_table, TCP_MODE_MAX),
        P_BOOL("ra", ra),
        P_BOOL("aa", aa),
        { "rcode", PARAM_RCODE, offsetof(struct point_params, rcode), 0, 0, NULL, 0 },
        P_INT("udp_drop_above", udp_drop_above, 0, 65535),
        P_INT("delay_ms", delay_ms, 0, 600000),
        P_INT("drop_first", drop_first, 0, 1000000),
        P_BOOL("compression", compression),
        P_INT("ttl", ttl, 0, INT_MAX),
        P_ENUM("path", path, path_table, VIA_MAX),
};

#define PARAM_COUNT (sizeof(param_table) / sizeof(param_table[0]))

static const char *param_key_at(size_t i, void *arg)
{
        (void)arg;
        return param_table[i].key;
}

static const struct param_desc *param_find(const char *key)
{
        for (size_t i = 0; i < PARAM_COUNT; i++)
                if (strcmp(param_table[i].key, key) == 0)
                        return &param_table[i];
        return NULL;
}

bool params_is_key(const char *key)
{
        return param_find(key) != NULL;
}

size_t params_key_count(void)
{
        return PARAM_COUNT;
}

const char *params_key_name(size_t i)
{
        return i < PARAM_COUNT ? param_table[i].key : NULL;
}

bool params_key_is_numeric(const char *key)
{
        const struct param_desc *d = param_find(key);
        return d && d->kind == PARAM_INT;
}

static void enum_choices(const struct param_desc *d, char *buf, size_t len)
{
        size_t o = 0;
        buf[0] = '\0';
        for (int i = 0; i < d->table_len && o < len; i++)
                o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "|" : "", d->table[i]);
}

static int set_bool(bool *field, const char *key, const char *value, char *err, size_t errlen)
{
        if (strcmp(value, "1") == 0 || strcmp(value, "on") == 0 || strcmp(value, "yes") == 0) {
                *field = true;
        } else if (strcmp(value, "0") == 0 || strcmp(value, "off") == 0 || strcmp(value, "no") == 0) {
                *field = false;
        } else {
                snprintf(err, errlen, "%s: expected 1 or 0, got '%s'", key, value);
                return -1;
        }
        return 0;
}

int params_set(struct point_params *p, const char *key, const char *value, char *err, size_t errlen)
{
        const struct param_desc *d = param_find(key);
        void *field = (char *)p + (d ? d->offset : 0);

        if (!d) {
                const char *near = str_closest(key, PARAM_COUNT, param_key_at, NULL);
                if (near)
                        snprintf(err, errlen, "unknown parameter '%s' (did you mean '%s'?)", key,
                                 near);
                else
                        snprintf(err, errlen, "unknown parameter '%s'", key);
                return -1;
        }
        switch (d->kind) {
        case PARAM_INT: {
                char *end;
                errno = 0;
                long v = strtol(value, &end, 10);
                if (strcmp(key, "server_udp_max") == 0 && v > 0 && v < 512 && *end == '\0') {
                        /* DNS guarantees 512 bytes over UDP (RFC 1035 4.2.1) */
                        snprintf(err, errlen, "%s: expected 0 (no cap) or 512..65535, got '%s'",
                                 key, value);
                        return -1;
                }
                if (*value == '\0' || *end != '\0' || errno || v < d->min || v > d->max) {
                        snprintf(err, errlen, "%s: expected an integer in %ld..%ld, got '%s'",
                                 key, d->min, d->max, value);
                        return -1;
                }
                *(int *)field = (int)v;
                return 0;
        }
        case PARAM_BOOL:
                return set_bool(field, key, value, err, errlen);
        case PARAM_ENUM: {
                int v = table_lookup(d->table, d->table_len, value);
                if (v < 0) {
                        char choices[128];
                        enum_choices(d, choices, sizeof(choices));
                        snprintf(err, errlen, "%s: expected %s, got '%s'", key, choices, value);
                        return -1;
                }
                *(int *)field = v;
                return 0;
        }
        case PARAM_QTYPE: {
                int t = dns_type_from_string(value);
                if (t != DNS_TYPE_A && t != DNS_TYPE_AAAA && t != DNS_TYPE_TXT) {
                        snprintf(err, errlen, "%s: expected A, AAAA or TXT, got '%s'", key, value);
                        return -1;
                }
                *(int *)field = t;
                return 0;
        }
        case PARAM_RCODE: {
                int r = dns_rcode_from_string(value);
                if (r == DNS_RCODE_INVALID) {
                        snprintf(err, errlen, "%s: expected an rcode name (servfail, refused, ...) "
                                 "or 0..15, got '%s'", key, value);
                        return -1;
                }
                *(int *)field = r;
                return 0;
        }
        }
        return -1;
}

int params_set_assignment(struct point_params *p, const char *assignment, char *err, size_t errlen)
{
        char key[64];
        const char *eq = strchr(assignment, '=');

        if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key)) {
                snprintf(err, errlen, "expected key=value, got '%s'", assignment);
                return -1;
        }
        memcpy(key, assignment, (size_t)(eq - assignment));
        key[eq - assignment] = '\0';
        return params_set(p, key, eq + 1, err, errlen);
}

int params_get(const struct point_params *p, const char *key, char *buf, size_t len)
{
        const struct param_desc *d = param_find(key);
        const void *field = (const char *)p + (d ? d->offset : 0);
        char tmp[16];

        if (!d)
                return -1;
        switch (d->kind) {
        case PARAM_INT:
                snprintf(buf, len, "%d", *(const int *)field);
                break;
        case PARAM_BOOL:
                snprintf(buf, len, "%d", *(const bool *)field ? 1 : 0);
                break;
        case PARAM_ENUM:
                snprintf(buf, len, "%s", d->table[*(const int *)field]);
                break;
        case PARAM_QTYPE:
                snprintf(buf, len, "%s", dns_type_to_string((uint16_t)*(const int *)field, tmp));
                break;
        case PARAM_RCODE: {
                const char *s = dns_rcode_to_string(*(const int *)field);
                if (s)
                        snprintf(buf, len, "%s", s);
                else
                        snprintf(buf, len, "%d", *(const int *)field);
                break;
        }
        }
        return 0;
}
