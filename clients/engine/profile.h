/* An emulated stub resolver is data: a profile of knobs that the one engine
 * (stub.c) runs. Profiles live in clients/profiles/NAME.profile; the knobs and
 * their values are documented in clients/profiles/README.md. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum profile_transport {
        PROFILE_TRANSPORT_UDP_ONLY,
        PROFILE_TRANSPORT_UDP_THEN_TCP,
        PROFILE_TRANSPORT_TCP_ONLY,
        PROFILE_TRANSPORT_MAX,
};

/* A UDP datagram longer than recv-buffer (or than the advertised EDNS size). */
enum profile_oversize {
        PROFILE_OVERSIZE_CUT,        /* read only recv-buffer bytes, silently (musl) */
        PROFILE_OVERSIZE_TRUNCATED,  /* treat as TC=1 (c-ares) */
        PROFILE_OVERSIZE_DROP,       /* discard it and keep waiting (lwIP 1.4) */
        PROFILE_OVERSIZE_MAX,
};

enum profile_tc {
        PROFILE_TC_RETRY_TCP,        /* same query over TCP to the same server */
        PROFILE_TC_FAIL,             /* the lookup fails */
        PROFILE_TC_USE,              /* use what arrived (the TC bit is ignored) */
        PROFILE_TC_USE_IF_ANSWERS,   /* use it when it has an address, else fail (uclibc-ng) */
        PROFILE_TC_MAX,
};

enum profile_parse {
        PROFILE_PARSE_STRICT,        /* any malformed byte: the reply is bad */
        PROFILE_PARSE_KEEP_PARTIAL,  /* keep the records parsed before the damage */
        PROFILE_PARSE_KEEP_PARTIAL_IF_TC, /* keep them only when TC=1, else strict (uclibc-ng) */
        PROFILE_PARSE_ZERO_FILL,     /* strict, over the whole zero-filled receive buffer:
                                      * a UDP message shorter than recv-buffer reads as if
                                      * zeros followed it (JNDI's 8000-byte buffer) */
        PROFILE_PARSE_MAX,
};

enum profile_cname {
        PROFILE_CNAME_FOLLOW,        /* follow the chain from the qname, in order */
        PROFILE_CNAME_ANY_OWNER,     /* ignore owners: every A/AAAA in the answer counts */
        PROFILE_CNAME_MAX,
};

enum profile_tcp_failure {
        PROFILE_TCP_FAILURE_ERROR,   /* a failed TCP retry fails the lookup */
        PROFILE_TCP_FAILURE_USE_UDP, /* fall back to the truncated UDP answer (JNDI) */
        PROFILE_TCP_FAILURE_MAX,
};

enum profile_empty {
        PROFILE_EMPTY_NODATA,        /* success without an address is reported as no data */
        PROFILE_EMPTY_NXDOMAIN,      /* ... as "name not found" (musl's EAI_NONAME) */
        PROFILE_EMPTY_MAX,
};

/* Rcodes other than NOERROR, NXDOMAIN, SERVFAIL, REFUSED, NOTIMP, FORMERR. */
enum profile_other_rcode {
        PROFILE_OTHER_RCODE_NOERROR,   /* read as a NOERROR reply (the records, if any) */
        PROFILE_OTHER_RCODE_ERROR,     /* the lookup fails with an error */
        PROFILE_OTHER_RCODE_NXDOMAIN,  /* ... reported as no such name (glibc) */
        PROFILE_OTHER_RCODE_MAX,
};

/* How a lookup that got no reply in time is reported. */
enum profile_timeout_as {
        PROFILE_TIMEOUT_AS_TIMEOUT,
        PROFILE_TIMEOUT_AS_NXDOMAIN,   /* uClibc-ng: EAI_NONAME */
        PROFILE_TIMEOUT_AS_MAX,
};

/* How a reply that could not be parsed is reported to the application. */
enum profile_bad_reply {
        PROFILE_BAD_REPLY_ERROR,
        PROFILE_BAD_REPLY_NODATA,
        PROFILE_BAD_REPLY_NXDOMAIN,
        PROFILE_BAD_REPLY_MAX,
};

/* What a FORMERR to a query sent with EDNS does. */
enum profile_formerr_retry {
        PROFILE_FORMERR_RETRY_NO,         /* the FORMERR is the answer (formerr-as) */
        PROFILE_FORMERR_RETRY_PER_QUERY,  /* that query is asked again without OPT */
        PROFILE_FORMERR_RETRY_CHANNEL,    /* the first FORMERR turns EDNS off for the whole
                                           * lookup and is retried; a later FORMERR to a query
                                           * already sent with OPT is the answer (c-ares 1.18
                                           * clears ARES_FLAG_EDNS on the channel) */
        PROFILE_FORMERR_RETRY_MAX,
};

/* getaddrinfo's both families: what a reply that does not parse does to the
 * lookup when the other family's query succeeds. */
enum profile_both_bad_reply {
        PROFILE_BOTH_BAD_REPLY_PER_FAMILY,  /* that family is reported by bad-reply-a/-aaaa
                                             * alone; the other family's addresses are kept */
        PROFILE_BOTH_BAD_REPLY_LAST_FAILS,  /* the lookup fails when the damaged reply's
                                             * query is the one that completes it (c-ares
                                             * host_callback keeps only the last parse status) */
        PROFILE_BOTH_BAD_REPLY_A_FAILS,     /* a damaged A reply fails the lookup (reported as
                                             * both-bad-reply-as); a damaged AAAA reply keeps
                                             * the records before the damage (glibc
                                             * gaih_getanswer reads the A answer first) */
        PROFILE_BOTH_BAD_REPLY_MAX,
};

struct profile {
        char name[64];
        char stands_for[192];
        char twin[64];
        char source[256];
        enum profile_transport transport;
        int edns;                     /* advertised size; 0: no OPT */
        int recv_buffer;              /* bytes of a datagram read */
        int tcp_recv_buffer;          /* bytes of a TCP reply read; 0: all (musl 1.2.4: 768) */
        enum profile_oversize oversize;
        enum profile_tc tc;
        enum profile_tcp_failure tcp_failure;
        enum profile_bad_reply tcp_closed_a;    /* the server closed TCP before the A reply */
        enum profile_bad_reply tcp_closed_aaaa; /* ... before the AAAA reply */
        enum profile_parse parse;
        enum profile_bad_reply bad_reply_a;    /* strict parse failure of an A reply */
        enum profile_bad_reply bad_reply_aaaa; /* ... of an AAAA reply */
        int max_addresses;            /* 0: no limit */
        int max_records;              /* qdcount+ancount above this: reply rejected; 0: none */
        int rdata_overread;           /* a last record's rdata may run this many bytes past
                                       * the data received and is still read (musl 1.2.3) */
        enum profile_cname cname;
        int max_cname;                /* CNAMEs followed at most; more: the lookup fails */
        bool reject_compressed_question;
        bool glibc_lame_rule;         /* NOERROR, ancount=aa=ra=arcount=0: server is lame */
        enum profile_formerr_retry formerr_retry_plain;  /* FORMERR to an EDNS query */
        enum profile_bad_reply formerr_as;   /* otherwise FORMERR is reported as this */
        bool fail_on_rcode_error;     /* SERVFAIL/REFUSED/NOTIMP fail the lookup (else next try) */
        enum profile_bad_reply rcode_error_as;  /* how SERVFAIL/REFUSED/NOTIMP are reported */
        enum profile_other_rcode other_rcode;  /* other rcodes (YXDOMAIN, NOTAUTH, ...) */
        bool ignore_rcode_error;      /* any rcode but NOERROR/NXDOMAIN: the reply is ignored,
                                       * the lookup waits on (musl res_msend.c) */
        bool lame_after_tc;           /* the lame rule (NOERROR, ancount=aa=ra=arcount=0)
                                       * applies to the final reply, after TC (Go) */
        enum profile_timeout_as timeout_as;  /* no reply in time */
        bool both_fail_on_error;      /* both families (getaddrinfo AF_UNSPEC): an error or
                                       * timeout of either query fails the lookup */
        enum profile_both_bad_reply both_bad_reply;  /* both families: a damaged reply */
        enum profile_bad_reply both_bad_reply_as;    /* ... how a-fails reports it */
        bool empty_before_tc;         /* NOERROR with ancount 0 is an empty answer before
                                       * TC is looked at (uclibc-ng __dns_lookup) */
        enum profile_empty empty;
        int attempts;                 /* UDP sends per query */
        int timeout_ms;               /* per attempt */
};

const char *profile_transport_to_string(enum profile_transport v);
const char *profile_tc_to_string(enum profile_tc v);

void profile_defaults(struct profile *p);
/* Parses a profile file. Returns 0, or -1 with "path:line: message" in err. */
int profile_load(const char *path, struct profile *p, char *err, size_t errlen);
int profile_parse(const char *path, const char *text, struct profile *p, char *err, size_t errlen);
/* One line per knob, "key = value", in table order (for `clients --verbose`). */
void profile_print(const struct profile *p, void *file);
