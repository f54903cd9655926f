/* How fuzz-query.c (and the seeds gen-corpus.c writes for it) turn a query's
 * id into the point's parameters, so one corpus reaches every reply variant:
 *   id % 5         truncation (tc-empty, tc-partial, overflow, cut, cut-notc)
 *   id / 5 % 3     edns (honor, ignore, formerr)
 *   bit 8          compression off
 *   bits 9-10      server_udp_max 0, 512, 1232 or 5 */
#pragma once

#include "harness/zone/params.h"

static inline void fuzz_configure(struct point_params *p, unsigned id)
{
        static const int caps[4] = { 0, 512, 1232, 5 };
        p->truncation = (enum truncation)(id % TRUNCATION_MAX);
        p->edns = (enum edns_mode)((id / TRUNCATION_MAX) % EDNS_MODE_MAX);
        p->compression = !((id >> 8) & 1);
        p->server_udp_max = caps[(id >> 9) & 3];
}
