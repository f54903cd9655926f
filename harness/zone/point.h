/* One scenario point: concrete parameters, the zone they build, and the
 * answers encoded from it. Shared by serve, run, check-zone and reproduce. */
#pragma once

#include <stddef.h>

#include "harness/zone/answer.h"
#include "harness/zone/params.h"
#include "harness/zone/scenario.h"
#include "harness/zone/zone.h"

struct canned_table;

struct point {
        size_t index;                  /* in the scenario's sweep order */
        struct point_params params;
        struct zone *zone;             /* owned */
        struct answer_cache answers;
        /* Recorded replies the server tries first (stubcompat reproduce);
         * borrowed, NULL for every other point. See harness/replay/canned.h. */
        const struct canned_table *canned;
        unsigned refs;                 /* point_new/point_from_zone: 1; point_ref: +1 */
};

/* Builds point `index` of the scenario with its parameters (already overridden
 * by the caller, e.g. --set). Returns the point, or NULL with err set. */
struct point *point_new(const struct scenario *sc, size_t index, const struct point_params *p,
                        char *err, size_t errlen);
/* A point around a zone built elsewhere (check-zone, reproduce); takes ownership. */
struct point *point_from_zone(struct zone *z, const struct point_params *p);
/* Takes another reference: a server answering from pt holds one, so the
 * point outlives every socket that can still reach it. Returns pt. */
struct point *point_ref(struct point *pt);
/* Drops one reference; the last one frees the point. NULL is ignored. */
void point_free(struct point *pt);
/* The answer for (qname, qtype), built once. NULL when out of memory. */
const struct answer *point_answer(struct point *pt, const uint8_t *qname, size_t qname_len,
                                  uint16_t qtype);
/* Writes "records=30 cname_depth=0 truncation=tc-empty" with the keys of the
 * scenario's sweeps (or every key when sc is NULL). */
void point_describe(const struct scenario *sc, const struct point_params *p, char *buf,
                    size_t len);
