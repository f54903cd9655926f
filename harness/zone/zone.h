/* The records a scenario point serves: the scenario's static records plus the
 * generated RRsets and CNAME chains its parameters ask for. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"

struct zone_rr {
        uint8_t owner[DNS_NAME_MAX];   /* uncompressed wire form, case as written */
        size_t owner_len;
        uint16_t type, class_;
        uint32_t ttl;
        uint16_t rdlen;
        uint8_t *rdata;                /* uncompressed wire form, owned by the zone */
};

struct zone {
        uint8_t origin[DNS_NAME_MAX];
        size_t origin_len;
        struct zone_rr *rrs;
        size_t n, cap;
};

struct zone *zone_new(const uint8_t *origin, size_t origin_len);
void zone_free(struct zone *z);
/* Appends a copy of rr (rdata copied). Returns 0, or -1 when out of memory. */
int zone_add(struct zone *z, const struct zone_rr *rr);
/* Appends a record from its parts. Same returns as zone_add. */
int zone_add_parts(struct zone *z, const uint8_t *owner, size_t owner_len, uint16_t type,
                   uint32_t ttl, const void *rdata, size_t rdlen);
/* True when some record is owned by name. */
int zone_has_name(const struct zone *z, const uint8_t *name, size_t len);
/* First record at name of type, or NULL. */
const struct zone_rr *zone_find(const struct zone *z, const uint8_t *name, size_t len,
                                uint16_t type);
/* True when a name is at or below the zone's origin. */
int zone_in_zone(const struct zone *z, const uint8_t *name, size_t len);
