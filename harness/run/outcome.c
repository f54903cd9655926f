#include "harness/run/outcome.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/rdata.h"

void outcome_init(struct outcome *o)
{
        memset(o, 0, sizeof(*o));
        o->status = OUTCOME_ADDRESSES;
}

void outcome_record_key(const uint8_t *rdata, size_t len, uint8_t out[16])
{
        uint64_t h1 = 0xcbf29ce484222325u, h2 = 0x84222325cbf29ce4u;
        for (size_t i = 0; i < len; i++) {
                h1 = (h1 ^ rdata[i]) * 0x100000001b3u;
                h2 = (h2 ^ rdata[i]) * 0x100000001b3u + i;
        }
        for (int i = 0; i < 8; i++) {
                out[i] = (uint8_t)(h1 >> (8 * i));
                out[8 + i] = (uint8_t)(h2 >> (8 * i));
        }
}

void outcome_record_key_of(uint16_t type, const uint8_t *msg, size_t len, size_t offset,
                           uint16_t rdlen, uint8_t out[16])
{
        uint8_t canon[WIRE_RDATA_CANONICAL_MAX(65535)];
        outcome_record_key(canon, wire_rdata_canonical(type, msg, len, offset, rdlen, canon), out);
}

int outcome_family_of(int qtype)
{
        return qtype == 1 ? 4 : qtype == 28 ? 6 : 0;
}

/* Constant lengths, so that the compiler compares in place instead of calling
 * memcmp: the check runs for every pair of addresses a cell returns. */
static bool addr_equal(const struct outcome_addr *a, int family, const void *addr)
{
        if (a->family != family)
                return false;
        return family == 4 ? memcmp(a->addr, addr, 4) == 0 : memcmp(a->addr, addr, 16) == 0;
}

void outcome_add_addr(struct outcome *o, int family, const void *addr)
{
        for (size_t i = 0; i < o->naddrs; i++)
                if (addr_equal(&o->addrs[i], family, addr))
                        return;
        if (o->naddrs == OUTCOME_MAX_ADDRS) {
                o->addrs_truncated = true;
                return;
        }
        memset(&o->addrs[o->naddrs], 0, sizeof(o->addrs[0]));
        o->addrs[o->naddrs].family = (uint8_t)family;
        memcpy(o->addrs[o->naddrs].addr, addr, family == 4 ? 4 : 16);
        o->naddrs++;
}

void outcome_set(struct outcome *o, enum outcome_status st, const char *reason,
                 const char *fmt, ...)
{
        va_list ap;
        o->status = st;
        snprintf(o->reason, sizeof(o->reason), "%s", reason ? reason : "");
        va_start(ap, fmt);
        vsnprintf(o->message, sizeof(o->message), fmt, ap);
        va_end(ap);
}

void expected_free(struct expected_addrs *e)
{
        free(e->addrs);
        e->addrs = NULL;
        e->n = 0;
}

int expected_add(struct expected_addrs *e, int family, const void *addr)
{
        for (size_t i = 0; i < e->n; i++)
                if (addr_equal(&e->addrs[i], family, addr))
                        return 0;
        struct outcome_addr *n = realloc(e->addrs, (e->n + 1) * sizeof(*n));
        if (!n)
                return -1;
        e->addrs = n;
        memset(&n[e->n], 0, sizeof(n[0]));
        n[e->n].family = (uint8_t)family;
        memcpy(n[e->n].addr, addr, family == 4 ? 4 : 16);
        e->n++;
        return 0;
}

static bool expected_has(const struct expected_addrs *e, const struct outcome_addr *a)
{
        for (size_t i = 0; i < e->n; i++)
                if (addr_equal(&e->addrs[i], a->family, a->addr))
                        return true;
        return false;
}

enum verdict verdict_of(const struct outcome *o, const struct expected_addrs *e,
                        const char **reason)
{
        *reason = o->reason;
        if (e->negative && e->n == 0 &&
            (o->status == OUTCOME_NODATA || o->status == OUTCOME_NXDOMAIN ||
             (o->status == OUTCOME_ADDRESSES && o->naddrs == 0))) {
                *reason = "expected-negative";
                return VERDICT_OK;
        }
        switch (o->status) {
        case OUTCOME_NODATA: return VERDICT_NODATA;
        case OUTCOME_NXDOMAIN: return VERDICT_NXDOMAIN;
        case OUTCOME_ERROR: return VERDICT_ERROR;
        case OUTCOME_TIMEOUT: return VERDICT_TIMEOUT;
        case OUTCOME_SKIPPED: return VERDICT_SKIPPED;
        case OUTCOME_HARNESS_ERROR: return VERDICT_HARNESS_ERROR;
        case OUTCOME_ADDRESSES: break;
        default: return VERDICT_HARNESS_ERROR;
        }
        *reason = "";
        for (size_t i = 0; i < o->naddrs; i++)
                if (!expected_has(e, &o->addrs[i])) {
                        *reason = "unserved-address";
                        return VERDICT_WRONG;
                }
        if (o->naddrs == 0)
                return VERDICT_NODATA;
        if (o->naddrs == e->n && !o->addrs_truncated)
                return VERDICT_OK;
        return VERDICT_PARTIAL;
}
