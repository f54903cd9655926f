/* Which records answer a name (RFC 1034 4.3.2, RFC 4592 4.3.3): the name's
 * own when it exists, else those of the wildcard at its closest encloser.
 * This is the lookup NSD and BIND do; answer_build and check-zone use it so
 * that a CNAME into a wildcard-owned set is sized like the server sends it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"
#include "harness/zone/zone.h"

enum zone_match {
        ZONE_MATCH_NONE,        /* the name does not exist and no wildcard covers it */
        ZONE_MATCH_EXACT,       /* the name owns records, or names below it do */
        ZONE_MATCH_WILDCARD,    /* "*.<closest encloser>" answers for it */
};

/* True when a record is owned by name or by a name below it (an empty
 * non-terminal exists too). */
int zone_name_exists(const struct zone *z, const uint8_t *name, size_t len);

/* How a lookup asks whether a name exists (owns records, or names below it
 * do) and whether it owns records; ctx is passed through. check-zone asks
 * its sorted index, answer_build the zone itself. */
struct zone_names {
        const uint8_t *origin;
        size_t origin_len;
        int (*exists)(const void *ctx, const uint8_t *name, size_t len);
        int (*owns)(const void *ctx, const uint8_t *name, size_t len);
        const void *ctx;
};

/* Finds the owner whose records answer name. For ZONE_MATCH_EXACT the source
 * is name itself, for ZONE_MATCH_WILDCARD the wildcard's owner; source and
 * *source_len are written for both. Names outside the zone are NONE unless
 * they exist exactly. */
enum zone_match zone_names_match(const struct zone_names *names, const uint8_t *name, size_t len,
                                 uint8_t source[DNS_NAME_MAX], size_t *source_len);
/* The same on a zone (linear scans). */
enum zone_match zone_match_name(const struct zone *z, const uint8_t *name, size_t len,
                                uint8_t source[DNS_NAME_MAX], size_t *source_len);
