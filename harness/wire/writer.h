/* DNS message writer with optional name compression (RFC 1035 4.1.4).
 *
 * Writes into a caller-owned buffer; the first write that does not fit marks
 * the writer overflowed and every later write is ignored, so callers check
 * once at the end. Compression follows NSD 4.6 (measured against it in
 * tests/integration/test-nsd.c): owner names and the names inside rdata of
 * the RFC 1035 types NSD compresses (CNAME, NS, PTR, MX, SOA, MB, MG, MR,
 * MINFO; not MD and MF) point at the longest earlier suffix; SRV targets and
 * other types are never compressed (RFC 2782, RFC 3597 4). Every label
 * written in full below offset 0x4000 is a pointer target, however many:
 * a label takes at least 2 bytes, so 8192 targets cover the whole range. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/wire/reader.h"

#define WIRE_COMPRESSION_SLOTS 8192

struct wire_writer {
        uint8_t *buf;
        size_t cap;
        size_t len;
        bool compress;
        bool overflow;
        unsigned nslots;
        uint16_t slots[WIRE_COMPRESSION_SLOTS];  /* offsets of names written in full */
};

void wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap, bool compress);
void wire_write_u8(struct wire_writer *w, uint8_t v);
void wire_write_u16(struct wire_writer *w, uint16_t v);
void wire_write_u32(struct wire_writer *w, uint32_t v);
void wire_write_bytes(struct wire_writer *w, const void *p, size_t n);
void wire_write_header(struct wire_writer *w, const struct dns_header *h);
/* Writes an uncompressed wire name, compressed when the writer compresses and
 * compressible is true. Suffixes written in full become pointer targets. */
void wire_write_name(struct wire_writer *w, const uint8_t *name, size_t len, bool compressible);
void wire_write_question(struct wire_writer *w, const uint8_t *name, size_t len,
                         uint16_t type, uint16_t class_);
/* Writes one resource record; rdata is in uncompressed wire form and is
 * trusted (it comes from our own zone). */
void wire_write_rr(struct wire_writer *w, const uint8_t *owner, size_t owner_len, uint16_t type,
                   uint16_t class_, uint32_t ttl, const uint8_t *rdata, size_t rdlen);
/* Writes an EDNS0 OPT pseudo-record without options (11 bytes). */
void wire_write_opt(struct wire_writer *w, uint16_t udp_size, uint8_t ext_rcode,
                    uint8_t version, uint16_t flags);
/* Overwrites the 16-bit value at offset (for counts and rdlength). */
void wire_patch_u16(struct wire_writer *w, size_t offset, uint16_t v);
/* Returns 0 when everything fitted, -1 after an overflow. */
int wire_writer_status(const struct wire_writer *w);

/* Length of the uncompressed wire name at the start of p (trusted input). */
size_t wire_name_length(const uint8_t *p, size_t max);
