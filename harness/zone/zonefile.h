/* RFC 1035 master files (zone files) -> struct zone, through ldns.
 *
 * Records are parsed by ldns (every type it knows, RFC 3597 TYPEnnn and \#),
 * entry by entry so that every record keeps its file and line. On top of
 * ldns this loader:
 *   - handles $ORIGIN (relative to the current origin, as RFC 1035 5.1 says),
 *     $TTL and $INCLUDE FILE [ORIGIN] (FILE relative to the folder of the
 *     top-level zone file; loops and nesting deeper than ZONEFILE_INCLUDE_MAX
 *     are errors);
 *   - rejects what ldns lets through: unbalanced parentheses, TTLs with
 *     trailing garbage, unknown types and directives, names over 255 bytes
 *     once the origin is appended, a first record without an owner, and
 *     relative names when no origin is known.
 * Errors are "path:line: message", the message ldns's own text where ldns
 * found the problem (ldns_get_errorstr_by_id), followed by the entry:
 * "zone.db:7: Syntax error, could not parse the RR's rdata in 'www A 1.2.3.400'".
 *
 * Owners and rdata are stored in uncompressed wire form, case as written. */
#pragma once

#include <stddef.h>

#include "harness/zone/zone.h"

#define ZONEFILE_INCLUDE_MAX 16

/* Where a record was read. */
struct zonefile_source {
        unsigned file;                 /* index into zonefile.files */
        unsigned line;                 /* first line of the record's entry, from 1 */
};

struct zonefile {
        struct zone *zone;             /* owned; origin as zonefile_read documents */
        char **files;                  /* [0] the path given, then each $INCLUDE as opened */
        size_t nfiles;
        struct zonefile_source *src;   /* one per zone record, same index as zone->rrs */
};

/* Reads a zone file. origin_or_null is the initial $ORIGIN (absolute or not,
 * a trailing dot is implied); without it relative names are an error until
 * the file sets $ORIGIN. The zone's origin (its apex, where answers find the
 * SOA) is origin_or_null, else the owner of the first SOA record, else the
 * first $ORIGIN, else the root.
 * Returns 0 and *out (free with zonefile_free), or -1 with "path:line: message"
 * in err (or "path: reason" when the file cannot be read). */
int zonefile_read(const char *path, const char *origin_or_null, struct zonefile **out,
                  char *err, size_t errlen);
/* zonefile_read with flags. By default an $INCLUDE must resolve (".." and
 * symlinks followed) inside the top-level file's folder: a zone file from
 * someone else cannot make us read and echo /etc/shadow.
 * ZONEFILE_INCLUDE_ANYWHERE lifts that. Entries of included files are never
 * quoted in messages, only their file and line. */
#define ZONEFILE_INCLUDE_ANYWHERE 1u
int zonefile_read_flags(const char *path, const char *origin_or_null, unsigned flags,
                        struct zonefile **out, char *err, size_t errlen);
void zonefile_free(struct zonefile *zf);

/* The same, keeping only the zone (free with zone_free): what `check-zone`
 * and `reproduce --zone` build their answers from. */
int zonefile_load(const char *path, const char *origin_or_null, struct zone **out,
                  char *err, size_t errlen);
int zonefile_load_flags(const char *path, const char *origin_or_null, unsigned flags,
                        struct zone **out, char *err, size_t errlen);

/* The file and line of record i of zf->zone ("zone.db", 12). */
const char *zonefile_record_file(const struct zonefile *zf, size_t i);
unsigned zonefile_record_line(const struct zonefile *zf, size_t i);

/* Parses a TTL strictly: seconds or units as in "1h30m", nothing after, at
 * most 2^31-1 (RFC 2181 8). Returns 0 with *out, or -1. */
int zonefile_parse_ttl(const char *s, uint32_t *out);
