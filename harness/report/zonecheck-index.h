/* check-zone's index of a zone: its records sorted by owner (case-folded),
 * type and file order, and the names that exist (owners and empty
 * non-terminals), so that each question is answered by binary search. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"
#include "harness/zone/wildcard.h"
#include "harness/zone/zone.h"

/* The zone's records sorted by (owner without case, type, file order); a
 * name is a run of that array. */
struct name_run {
        size_t first, count;            /* in order[] */
        size_t first_rr;                /* smallest record index: file order, spelling */
};

/* A name that exists: an owner, or an ancestor of one inside the zone (an
 * empty non-terminal); rr is a record at or below it. */
struct existing {
        const uint8_t *name;            /* points into the record's owner */
        size_t len;
        size_t rr;
};

struct zone_index {
        const struct zone *z;
        size_t *order;
        struct name_run *names;
        size_t nnames;
        struct existing *exist;         /* sorted by name, distinct */
        size_t nexist;
};

/* Builds the index of z (which must outlive it). Returns 0, or -1 when out
 * of memory. */
int zone_index_build(struct zone_index *ix, const struct zone *z);
void zone_index_free(struct zone_index *ix);

/* The name's run, or NULL when no record is owned by it. */
const struct name_run *zone_index_find(const struct zone_index *ix, const uint8_t *name, size_t len);

/* The records of type at a name: *first in order[] and the count (0: none). */
size_t zone_index_rrset(const struct zone_index *ix, const struct name_run *nr, uint16_t type,
                        size_t *first);

/* The entry of an existing name, or NULL. */
const struct existing *zone_index_existing(const struct zone_index *ix, const uint8_t *name, size_t len);

/* The owner whose records answer name (exact, or the wildcard at its closest
 * encloser), as answer_build finds it. */
enum zone_match zone_index_match(const struct zone_index *ix, const uint8_t *name, size_t len,
                                 uint8_t source[DNS_NAME_MAX], size_t *source_len);

/* True when the name is a delegation point or below one (an NS RRset at the
 * name or at an ancestor, the apex excepted): a parent's glue, not an answer. */
bool zone_index_below_cut(const struct zone_index *ix, const uint8_t *name, size_t len);
