/* The named parameters of a scenario point: content, truncation, EDNS, TCP,
 * header flags and network path. Every key and value is printed and parsed
 * through one table (params.c); scenarios/README.md documents them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the server does when an answer exceeds the UDP limit. */
enum truncation {
        TRUNCATION_TC_EMPTY,    /* TC=1, no records (NSD, BIND, Route 53) */
        TRUNCATION_TC_PARTIAL,  /* TC=1 and the whole records that fit */
        TRUNCATION_OVERFLOW,    /* the whole answer, no TC */
        TRUNCATION_CUT,         /* datagram cut at the limit, mid-record, TC=1 */
        TRUNCATION_CUT_NOTC,    /* cut at the limit, TC=0 */
        TRUNCATION_MAX,
        TRUNCATION_INVALID = -1,
};

enum edns_mode {
        EDNS_HONOR,             /* answer an OPT query with OPT; its size sets the limit */
        EDNS_IGNORE,            /* answer without OPT, limit 512 */
        EDNS_FORMERR,           /* FORMERR to any query with OPT */
        EDNS_MODE_MAX,
        EDNS_MODE_INVALID = -1,
};

enum tcp_mode {
        TCP_MODE_ON,                 /* answer every query on the connection, in order */
        TCP_MODE_REFUSE,             /* port closed: connections are refused */
        TCP_MODE_BLACKHOLE,          /* accept, read, never answer */
        TCP_MODE_CLOSE,              /* close after reading the query */
        TCP_MODE_SPLIT,              /* length prefix and message in separate small writes */
        TCP_MODE_MAX,
        TCP_MODE_INVALID = -1,
};

/* What stands between the client and the fake server (the `path` key): nothing,
 * or a real forwarder or recursive resolver started by the harness
 * (harness/path/resolver.c). */
enum resolver_path {
        VIA_DIRECT,            /* the client asks the fake server */
        VIA_DNSMASQ,           /* dnsmasq 2.90, home routers */
        VIA_UNBOUND,           /* unbound 1.17 */
        VIA_BIND9,             /* named 9.18 */
        VIA_KNOT_RESOLVER,     /* kresd 5.6 */
        VIA_PDNS_RECURSOR,     /* pdns_recursor 4.8 */
        VIA_MAX,
        VIA_INVALID = -1,
};

/* Query families: an RR type, or both A and AAAA the way getaddrinfo asks. */
#define QTYPE_ADDR 0x10000   /* getaddrinfo AF_UNSPEC: A and AAAA */

struct point_params {
        int records;            /* records in each grown RRset */
        int cname_depth;        /* generated CNAMEs in front of each grown RRset */
        int qtype;              /* type of grown RRsets without an explicit type */
        int txt_bytes;          /* text bytes of a grown TXT record */
        enum truncation truncation;
        int server_udp_max;     /* 0: no cap */
        enum edns_mode edns;
        int edns_size;          /* the server's own OPT payload size */
        enum tcp_mode tcp;
        bool ra, aa;
        int rcode;
        int udp_drop_above;     /* 0: deliver everything */
        int delay_ms;
        int drop_first;
        bool compression;
        int ttl;
        enum resolver_path path;
};

const char *truncation_to_string(enum truncation t);
enum truncation truncation_from_string(const char *s);
const char *edns_mode_to_string(enum edns_mode m);
enum edns_mode edns_mode_from_string(const char *s);
const char *tcp_mode_to_string(enum tcp_mode m);
enum tcp_mode tcp_mode_from_string(const char *s);
const char *resolver_path_to_string(enum resolver_path p);
enum resolver_path resolver_path_from_string(const char *s);

void params_defaults(struct point_params *p);
/* Sets key to value. Returns 0, or -1 with a message in err ("unknown key
 * 'recrods'", "truncation: expected tc-empty|tc-partial|..."). */
int params_set(struct point_params *p, const char *key, const char *value, char *err, size_t errlen);
/* Sets from "key=value". Same returns as params_set. */
int params_set_assignment(struct point_params *p, const char *assignment, char *err, size_t errlen);
/* True when key names a parameter. */
bool params_is_key(const char *key);
/* Writes the value of key into buf. Returns 0, or -1 for an unknown key. */
int params_get(const struct point_params *p, const char *key, char *buf, size_t len);
/* Number of keys and the name of key i, in table order (for reports). */
size_t params_key_count(void);
const char *params_key_name(size_t i);
/* True when key holds an integer (so sweeps over it are ordered). */
bool params_key_is_numeric(const char *key);
