/* The records of one RRset already written to an answer, so that a record a
 * zone lists twice (same owner, type, class and rdata; NSD and BIND keep one,
 * whatever the TTLs) is written once. A hash of (type, class, rdata): finding
 * the duplicates of n records costs O(n), not the O(n^2) of comparing each
 * record with every earlier one of the zone. */
#pragma once

#include <stddef.h>

#include "harness/zone/zone.h"

#define RR_SET_INLINE 64

/* `struct rr_set s = { 0 }` is an empty set; free it with rr_set_free. It
 * holds pointers to the records added: they must outlive the set. */
struct rr_set {
        const struct zone_rr **slots;   /* open addressing, cap a power of two; NULL: free */
        size_t cap, n;
        const struct zone_rr *inline_slots[RR_SET_INLINE];     /* the first few, no malloc */
};

/* Adds rr unless an equal record (owner compared without case, type, class,
 * rdata; TTL ignored) was added before. Returns 1 when added, 0 when an equal
 * record is already in the set, -1 when out of memory (the set unchanged). */
int rr_set_add(struct rr_set *s, const struct zone_rr *rr);

/* Frees what the set allocated; s is then empty. */
void rr_set_free(struct rr_set *s);
