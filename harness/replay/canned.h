/* Canned replies: what a customer's server sent, replayed by the fake server
 * (stubcompat reproduce). A table is filled by one reader (pcap-read.c,
 * dig-read.c, testns-read.c) and attached to the points of a scenario
 * (point_attach_canned in point.h); the server asks it first for every query.
 *
 * A table holds rules, tried in order like ldns-testns entries: the first
 * rule whose match fields fit the query decides what is sent:
 *
 *   CANNED_SEND    the rule's bytes as they are (even over 512 on UDP), with
 *                  the query's id and question spelling copied in when the
 *                  rule says so;
 *   CANNED_RENDER  the normal rendering of the question's full answer (the
 *                  point's truncation, EDNS and flags apply);
 *   CANNED_DROP    nothing (ldns-testns sends nothing when no entry matches).
 *
 * A query no rule matches is answered from the point's zone. Besides rules a
 * table holds the questions the matrix asks and, per question, the full
 * answer: the largest reply the source holds for it, re-encoded by our
 * writer. The full answer gives the cells their expected addresses and is
 * what CANNED_RENDER renders. Every byte read from a source goes through the
 * bounds-checked reader (harness/wire/reader.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/server/render.h"
#include "harness/wire/dns.h"
#include "harness/zone/answer.h"
#include "harness/zone/zone.h"

#define CANNED_EDNS_ANY  (-2)     /* rule matches queries with or without OPT */
#define CANNED_EDNS_NONE (-1)     /* rule matches queries without OPT only */
#define CANNED_ANY_TYPE  (-1)

enum canned_action {
        CANNED_SEND,
        CANNED_RENDER,
        CANNED_DROP,
        CANNED_ACTION_MAX,
};

const char *canned_action_to_string(enum canned_action a);

struct canned_rule {
        /* which queries it answers */
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;              /* 0: any name */
        bool subdomain;                /* names below qname match too */
        int qtype;                     /* CANNED_ANY_TYPE or an RR type */
        bool transport[TRANSPORT_MAX];
        int edns_min;                  /* CANNED_EDNS_ANY, CANNED_EDNS_NONE, or: the query
                                        * has OPT advertising at least this size */
        bool need_do;                  /* the query must set the DO bit */
        /* what it does */
        enum canned_action action;
        uint8_t *msg;                  /* CANNED_SEND: the bytes (owned by the table) */
        size_t len;
        bool copy_id;                  /* the query's id goes into bytes 0-1 */
        bool copy_question;            /* the query's question bytes replace msg's when
                                        * they have the same length (case, 0x20) */
        /* facts about msg, read once when the rule is added */
        size_t question_len;           /* bytes of msg's first question; 0: none readable */
        bool tc;
        int rcode;
        unsigned records;              /* whole answer+authority records */
        char note[112];                /* shown in the exchange log; "" for none */
        char origin[48];               /* where it came from: "packet 12", "line 30" */
};

/* A question the matrix asks, in the order the source first names it. */
struct canned_question {
        uint8_t name[DNS_NAME_MAX];
        size_t len;
        uint16_t type;
        bool no_edns_reply;            /* the source holds no reply to a query with OPT */
};

struct canned_table {
        struct canned_rule *rules;
        size_t nrules, caprules;
        struct canned_question *questions;
        size_t nquestions, capquestions;
        struct answer **answers;       /* full answers, at most one per question (owned) */
        size_t nanswers;
        struct zone *records;          /* every record the source holds: the zone that
                                        * answers queries no rule matches (owned) */
        char **sets;                   /* point parameters the source implies ("ra=0") */
        size_t nsets;
        char **notes;                  /* what a reader noticed, one sentence each */
        size_t nnotes;
        const char *source;            /* what the reader read, for sentences: "capture",
                                        * "dig output", "file" (static) */
};

/* Returns 0, or -1 when out of memory. */
int canned_table_init(struct canned_table *t);
void canned_table_free(struct canned_table *t);

/* Appends a copy of rule r; for CANNED_SEND msg (len bytes) is copied and its
 * facts (question length, TC, rcode, whole records) are read through the
 * bounds-checked reader. Any bytes are accepted: a reply cut mid-record is
 * replayed as it is. Returns 0, or -1 when out of memory. */
int canned_add_rule(struct canned_table *t, const struct canned_rule *r, const uint8_t *msg,
                    size_t len);
/* A rule with every match field open (any name, type, transport, EDNS). */
void canned_rule_init(struct canned_rule *r, enum canned_action a);
/* Adds a question unless it is there already (names compare without case).
 * Returns 0, or -1 when out of memory. */
int canned_add_question(struct canned_table *t, const uint8_t *name, size_t len, uint16_t type);
/* Adds a point parameter assignment ("edns_size=4096"). Returns 0 or -1. */
int canned_add_set(struct canned_table *t, const char *assignment);
/* Adds a note (printf format). Returns 0 or -1. */
int canned_note(struct canned_table *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Adds every whole answer and authority record of msg to t->records (once
 * each). Returns 0 or -1 when out of memory. */
int canned_add_records(struct canned_table *t, const uint8_t *msg, size_t len);

/* Sets the full answer of (a->qname, a->qtype), replacing an earlier one;
 * takes ownership. Returns 0 or -1 (a is freed then). */
int canned_set_answer(struct canned_table *t, struct answer *a);
/* The full answer of a question, or NULL. */
const struct answer *canned_find_answer(const struct canned_table *t, const uint8_t *name,
                                        size_t len, uint16_t type);
/* Gives every question without a full answer one: the records of the largest
 * reply some rule would send for it (over UDP or TCP, with or without EDNS),
 * re-encoded with compression as `compress`. When that reply has TC=1 the
 * source holds no whole answer: the answer's `missing` says so ("the capture
 * holds no TCP answer"). Returns 0, or -1 when out of memory. */
int canned_finish(struct canned_table *t, bool compress);

/* Builds a full answer for (qname, qtype) from a message's answer and
 * authority records, read through the bounds-checked reader and re-encoded
 * by our writer (names decompressed first). Reading stops at the first
 * malformed record; what was whole is kept and `why` says what stopped it
 * ("" when nothing did). The rcode is the header's. Returns the answer, or
 * NULL when the header cannot be read (why says so) or out of memory. */
struct answer *canned_answer_from_message(const uint8_t *msg, size_t len, const uint8_t *qname,
                                          size_t qname_len, uint16_t qtype, bool compress,
                                          char *why, size_t whylen);
/* A deep copy, or NULL when out of memory. */
struct answer *canned_answer_copy(const struct answer *a);

/* The first rule that answers q over transport tr, or NULL. */
const struct canned_rule *canned_match(const struct canned_table *t, const struct query_info *q,
                                       enum transport tr);
/* Writes what a CANNED_SEND rule sends to q into out and fills res (len, tc,
 * rcode, records). Returns the length, 0 when it does not fit cap. */
size_t canned_apply(const struct canned_rule *r, const struct query_info *q, uint8_t *out,
                    size_t cap, struct render_result *res);

/* One line about a rule: "api.mixpanel.com. A, udp, queries without OPT:
 * send 34 bytes, TC=1, 0 records (packet 2)". */
void canned_rule_describe(const struct canned_rule *r, char *buf, size_t len);

/* Copies the table's full answers into a point's answer cache, so point_answer
 * (expected addresses, CANNED_RENDER) finds them. Returns 0 or -1. */
int canned_seed(const struct canned_table *t, struct answer_cache *c);
