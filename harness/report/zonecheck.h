/* check-zone's size analysis: for every name of a zone and every type a stub
 * asks for, the exact size of the answer a recursive resolver hands the stub,
 * against a list of UDP payload limits.
 *
 * Answers are the ones the fake server sends: answer_build on a point made
 * from params_defaults (compression on), that is the whole CNAME chain inside
 * the zone plus the final RRset (NODATA and NXDOMAIN: the SOA in authority).
 * The zone is indexed by name once (sorted array), and each answer is built
 * from a view holding only the records it can contain, so a zone of n
 * records costs O(n log n), not O(n^2).
 *
 * Limits: a limit L <= 512 is what a stub without EDNS receives over UDP and
 * is checked against the plain answer; a limit L > 512 can only be reached
 * with EDNS and is checked against the answer with an OPT record (+11 bytes,
 * a client advertising a buffer of L). Both sizes are in every answer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/util/strbuf.h"
#include "harness/zone/answer.h"
#include "harness/zone/zone.h"
#include "harness/zone/zonefile.h"

#define ZONECHECK_LIMITS_MAX 16

enum zonecheck_format {
        ZONECHECK_FORMAT_TEXT,
        ZONECHECK_FORMAT_JSON,
        ZONECHECK_FORMAT_GITHUB,
        ZONECHECK_FORMAT_MAX,
        ZONECHECK_FORMAT_INVALID = -1,
};

const char *zonecheck_format_to_string(enum zonecheck_format f);
enum zonecheck_format zonecheck_format_from_string(const char *s);

/* Which server behaviour the sizes model. */
enum zonecheck_responses {
        ZONECHECK_RESPONSES_MINIMAL,    /* no authority/additional on a positive answer */
        ZONECHECK_RESPONSES_FULL,       /* + the zone's NS in authority, glue in additional */
        ZONECHECK_RESPONSES_MAX,
        ZONECHECK_RESPONSES_INVALID = -1,
};

const char *zonecheck_responses_to_string(enum zonecheck_responses r);
enum zonecheck_responses zonecheck_responses_from_string(const char *s);

struct zonecheck_limit {
        unsigned bytes;
        bool edns;                      /* checked with OPT: bytes > 512 */
};

/* One (name, type) a stub asks for. Names are not copied: qname_rr is a
 * record owned by the query name (its spelling is the question's). */
struct zonecheck_answer {
        size_t qname_rr;                /* index in the zone */
        size_t final_rr;                /* first record of the final RRset; SIZE_MAX for none */
        uint16_t qtype;
        unsigned cnames;                /* CNAME records in front of the final RRset */
        size_t records;                 /* records in the final RRset (0: NODATA/NXDOMAIN) */
        size_t size;                    /* bytes without EDNS */
        size_t size_edns;               /* bytes with an OPT record */
};

/* An answer over a limit. */
struct zonecheck_finding {
        size_t answer;                  /* index into answers */
        size_t limit;                   /* index into limits */
        size_t size;                    /* the size checked against it */
        size_t fit;                     /* most records of the final RRset that fit */
};

struct zonecheck_report {
        struct zonecheck_limit limits[ZONECHECK_LIMITS_MAX];  /* ascending */
        size_t nlimits;
        struct zonecheck_answer *answers;
        size_t nanswers;
        struct zonecheck_finding *findings;  /* by answer, then limit */
        size_t nfindings;
        size_t names;                   /* names analysed */
        size_t below_cut;               /* names at or below a delegation: not analysed */
        size_t outside;                 /* names outside the origin: not analysed */
        size_t chain_out;               /* names whose CNAME chain leaves the zone */
        enum zonecheck_responses responses;
        bool failed;                    /* some answer exceeds the strictest limit */
};

/* Parses "512,1232" into ascending, distinct limits (each 12..65535).
 * Returns 0, or -1 with a message in err. */
int zonecheck_parse_limits(const char *text, struct zonecheck_limit *out, size_t *n,
                           char *err, size_t errlen);
/* The default limits: 512 without EDNS, 1232 with EDNS. */
size_t zonecheck_default_limits(struct zonecheck_limit *out);

/* Most of the first `records` records of a's final RRset that fit in limit
 * bytes: the answer cut after record k is rr_end[cnames + k - 1] bytes, plus
 * opt (an OPT record), minus skip (bytes a fix would remove, such as the
 * CNAME chain). check-zone's "at most N fit" and explain's fix both use it. */
size_t zonecheck_fit(const struct answer *a, size_t records, size_t opt, unsigned limit,
                     size_t skip);

/* Analyses zone z against the limits. Returns the report (free with
 * zonecheck_report_free), or NULL with a message in err: out of memory, or an
 * answer over 65535 bytes (no server can send it). */
struct zonecheck_report *zonecheck_run(const struct zone *z, const struct zonecheck_limit *limits,
                                       size_t nlimits, char *err, size_t errlen);
/* The same with the answers of a model: zonecheck_run is MINIMAL; FULL
 * sizes answers like answer_build_full (NSD or BIND with minimal-responses
 * off), and "at most N fit" then keeps the authority and additional records. */
struct zonecheck_report *zonecheck_run_model(const struct zone *z, const struct zonecheck_limit *limits,
                                             size_t nlimits, enum zonecheck_responses responses,
                                             char *err, size_t errlen);
void zonecheck_report_free(struct zonecheck_report *r);

/* Writes the report of zf's zone (display name `path`) in a format:
 *   text    one line per finding ("zone.db: cdn.mixpanel.com. A: 530 bytes
 *           without EDNS > 512 (CNAME chain 1, 29 A records; at most 27 fit)"),
 *           and with all one line per answer within every limit too;
 *   json    one object: limits, counts, findings (and answers with all);
 *   github  "::error file=F,line=N::message" per finding at the strictest
 *           limit, "::warning ..." for the others; line of the final RRset's
 *           first record (of the query name's first record for NODATA). */
void zonecheck_write(const struct zonecheck_report *r, const struct zonefile *zf, const char *path,
                     enum zonecheck_format format, bool all, struct strbuf *out);
/* One line: "N answers at M names checked: K over 512 without EDNS, ...". */
void zonecheck_summary(const struct zonecheck_report *r, const char *path, struct strbuf *out);
