/* Generated content: growing RRsets with deterministic data and the CNAME
 * chains placed in front of them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/zone/params.h"
#include "harness/zone/zone.h"

/* Adds the grown RRset number `index` (0-based, file order) at name:
 *   cname_depth=D > 0: name CNAME c1.name, c1.name CNAME c2.name, ...,
 *   and the RRset at cD.name; D = 0: the RRset at name.
 * A: records addresses 10.<index+1>.<i/256>.<i%256>, i = 1..records.
 * AAAA: 2001:db8:<index+1>::<i>.  TXT: records records of txt_bytes text bytes
 * (strings of at most 255 bytes, filled with 'x').
 * Returns 0, or -1 with a message in err. */
int grow_rrset(struct zone *z, const struct point_params *p, unsigned index,
               const uint8_t *name, size_t name_len, int type, char *err, size_t errlen);

/* The address a grown A (len 4) or AAAA (len 16) record i (1-based) of RRset
 * `index` holds; writes it to out. */
void grow_address(int type, unsigned index, unsigned i, uint8_t out[16]);

/* Writes "c<k>.<name>" into out. Returns 0, or -1 when the name gets too long. */
int grow_chain_name(const uint8_t *name, size_t len, unsigned k, uint8_t out[DNS_NAME_MAX],
                    size_t *outlen);
