/* The canonical form of a record's rdata, for telling whether two records
 * are the same: the names inside it decompressed and in lower case (the
 * layouts of RFC 1035 and SRV), other bytes as they are. A record read from
 * a reply (names compressed against the rest of the message) and the same
 * record in a zone (names written out) have one canonical form. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Room for the canonical form of any rdata of rdlen bytes. */
#define WIRE_RDATA_CANONICAL_MAX(rdlen) ((size_t)(rdlen) + 2 * 255)

/* Writes the canonical rdata of a record of type whose rdlen bytes start at
 * msg[offset] (msg: the whole message, for compression pointers; or the
 * rdata itself with offset 0). Untrusted bytes are read through the
 * bounds-checked cursor; rdata whose names cannot be read is copied as it
 * is. out holds WIRE_RDATA_CANONICAL_MAX(rdlen) bytes. Returns the length. */
size_t wire_rdata_canonical(uint16_t type, const uint8_t *msg, size_t len, size_t offset,
                            uint16_t rdlen, uint8_t *out);
