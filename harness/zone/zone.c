#include "harness/zone/zone.h"

#include <stdlib.h>
#include <string.h>

#include "harness/wire/reader.h"
#include "harness/util/grow.h"

struct zone *zone_new(const uint8_t *origin, size_t origin_len)
{
        struct zone *z = calloc(1, sizeof(*z));
        if (!z)
                return NULL;
        if (origin_len > DNS_NAME_MAX)
                origin_len = DNS_NAME_MAX;
        memcpy(z->origin, origin, origin_len);
        z->origin_len = origin_len;
        return z;
}

void zone_free(struct zone *z)
{
        if (!z)
                return;
        for (size_t i = 0; i < z->n; i++)
                free(z->rrs[i].rdata);
        free(z->rrs);
        free(z);
}

int zone_add_parts(struct zone *z, const uint8_t *owner, size_t owner_len, uint16_t type,
                   uint32_t ttl, const void *rdata, size_t rdlen)
{
        struct zone_rr *rr;

        if (owner_len > DNS_NAME_MAX || rdlen > 65535)
                return -1;
        if (array_grow(&z->rrs, &z->cap, z->n, sizeof(*z->rrs), 64) < 0)
                return -1;
        rr = &z->rrs[z->n];
        memset(rr, 0, sizeof(*rr));
        rr->rdata = malloc(rdlen ? rdlen : 1);
        if (!rr->rdata)
                return -1;
        memcpy(rr->owner, owner, owner_len);
        rr->owner_len = owner_len;
        rr->type = type;
        rr->class_ = DNS_CLASS_IN;
        rr->ttl = ttl;
        rr->rdlen = (uint16_t)rdlen;
        if (rdlen)
                memcpy(rr->rdata, rdata, rdlen);
        z->n++;
        return 0;
}

int zone_add(struct zone *z, const struct zone_rr *rr)
{
        if (zone_add_parts(z, rr->owner, rr->owner_len, rr->type, rr->ttl, rr->rdata, rr->rdlen) < 0)
                return -1;
        z->rrs[z->n - 1].class_ = rr->class_;
        return 0;
}

int zone_has_name(const struct zone *z, const uint8_t *name, size_t len)
{
        for (size_t i = 0; i < z->n; i++)
                if (wire_name_equal(z->rrs[i].owner, z->rrs[i].owner_len, name, len))
                        return 1;
        return 0;
}

const struct zone_rr *zone_find(const struct zone *z, const uint8_t *name, size_t len,
                                uint16_t type)
{
        for (size_t i = 0; i < z->n; i++)
                if (z->rrs[i].type == type &&
                    wire_name_equal(z->rrs[i].owner, z->rrs[i].owner_len, name, len))
                        return &z->rrs[i];
        return NULL;
}

int zone_in_zone(const struct zone *z, const uint8_t *name, size_t len)
{
        if (len < z->origin_len)
                return 0;
        /* the suffix must start at a label boundary */
        size_t p = 0;
        while (p < len && len - p > z->origin_len)
                p += (size_t)name[p] + 1;
        return len - p == z->origin_len &&
               wire_name_equal(name + p, z->origin_len, z->origin, z->origin_len);
}
