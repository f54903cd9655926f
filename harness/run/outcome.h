/* What a stub client said about one lookup, and the verdict of a cell.
 *
 * A cell is (scenario point, client, query). Its verdict compares the
 * addresses the client returned with the addresses the zone holds at the end
 * of the chain; cells the harness could not run are `skipped` or
 * `harness-error`, never blamed on the client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/zone/verdict.h"

enum outcome_status {
        OUTCOME_ADDRESSES,      /* the client reported success with addrs (maybe none) */
        OUTCOME_NODATA,         /* the client said: name exists, no address */
        OUTCOME_NXDOMAIN,       /* the client said: no such name */
        OUTCOME_ERROR,
        OUTCOME_TIMEOUT,
        OUTCOME_SKIPPED,
        OUTCOME_HARNESS_ERROR,
        OUTCOME_STATUS_MAX,
};

#define OUTCOME_MAX_ADDRS 512

struct outcome_addr {
        uint8_t family;         /* 4, 6, or 0 for a record key (outcome_record_key) */
        uint8_t addr[16];
};

struct outcome {
        enum outcome_status status;
        char reason[32];        /* error/skip class: "servfail", "badresp", "no-namespaces" */
        char message[192];      /* the client's own words: "EAI_NONAME: Name does not resolve" */
        size_t naddrs;
        struct outcome_addr addrs[OUTCOME_MAX_ADDRS];
        bool addrs_truncated;   /* more than OUTCOME_MAX_ADDRS were returned */
        double elapsed_ms;
};

void outcome_init(struct outcome *o);
/* The identity of a record of another type than A/AAAA (family 0 entries):
 * a 16-byte digest of its rdata, so TXT answers compare like address sets. */
void outcome_record_key(const uint8_t *rdata, size_t len, uint8_t out[16]);
/* The same key for a record of type as a reply or a zone holds it: of its
 * canonical rdata (wire_rdata_canonical: names decompressed, lower case),
 * so an MX read from a compressed reply matches the zone's MX. msg/len: the
 * message (or the rdata itself with offset 0). */
void outcome_record_key_of(uint16_t type, const uint8_t *msg, size_t len, size_t offset,
                           uint16_t rdlen, uint8_t out[16]);
/* Family of the entries a query type yields: 4 for A, 6 for AAAA, 0 others. */
int outcome_family_of(int qtype);
/* Appends an address unless already present. */
void outcome_add_addr(struct outcome *o, int family, const void *addr);
/* Sets status, reason and a printf message. */
void outcome_set(struct outcome *o, enum outcome_status st, const char *reason,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The set of addresses a lookup should return. */
struct expected_addrs {
        size_t n;
        struct outcome_addr *addrs;   /* owned */
        bool negative;                /* n == 0 and the served answer says so: NXDOMAIN,
                                       * or NOERROR without records (NODATA) */
        char missing[96];             /* the recorded answer lacks a part (answer.h) */
        char missing_edns[96];        /* the part clients asking with EDNS need */
};

void expected_free(struct expected_addrs *e);
int expected_add(struct expected_addrs *e, int family, const void *addr);

/* The verdict of an outcome against the expected set. *reason points into o
 * or to a static string. When the answer served is negative (e->negative),
 * a client that returns no address (NXDOMAIN, NODATA or an empty success)
 * reports it faithfully: ok, reason "expected-negative". A stub's
 * getaddrinfo cannot always tell NXDOMAIN from NODATA (musl says EAI_NONAME
 * for both), so either counts. */
enum verdict verdict_of(const struct outcome *o, const struct expected_addrs *e,
                        const char **reason);
