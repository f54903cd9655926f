#include "harness/zone/wildcard.h"

#include <string.h>

#include "harness/wire/reader.h"

/* True when name equals ancestor or lies below it (label boundaries). */
static int name_at_or_below(const uint8_t *name, size_t len, const uint8_t *ancestor, size_t alen)
{
        size_t p = 0;
        while (p < len && len - p > alen)
                p += (size_t)name[p] + 1;
        return len - p == alen && wire_name_equal(name + p, alen, ancestor, alen);
}

int zone_name_exists(const struct zone *z, const uint8_t *name, size_t len)
{
        for (size_t i = 0; i < z->n; i++)
                if (name_at_or_below(z->rrs[i].owner, z->rrs[i].owner_len, name, len))
                        return 1;
        return 0;
}

/* True when name is at or below the origin (label boundaries). */
static int in_origin(const struct zone_names *zn, const uint8_t *name, size_t len)
{
        return len >= zn->origin_len && name_at_or_below(name, len, zn->origin, zn->origin_len);
}

enum zone_match zone_names_match(const struct zone_names *zn, const uint8_t *name, size_t len,
                                 uint8_t source[DNS_NAME_MAX], size_t *source_len)
{
        memcpy(source, name, len);
        *source_len = len;
        if (zn->exists(zn->ctx, name, len))
                return ZONE_MATCH_EXACT;
        if (len <= zn->origin_len || !in_origin(zn, name, len))
                return ZONE_MATCH_NONE;
        /* the closest encloser: the longest existing ancestor (the origin at worst) */
        for (size_t p = (size_t)name[0] + 1; p < len && len - p >= zn->origin_len;
             p += (size_t)name[p] + 1) {
                const uint8_t *ce = name + p;
                size_t ce_len = len - p;
                if (ce_len > zn->origin_len && !zn->exists(zn->ctx, ce, ce_len))
                        continue;
                if (ce_len + 2 > DNS_NAME_MAX)
                        return ZONE_MATCH_NONE;
                source[0] = 1;
                source[1] = '*';
                memcpy(source + 2, ce, ce_len);
                *source_len = ce_len + 2;
                return zn->owns(zn->ctx, source, *source_len) ? ZONE_MATCH_WILDCARD : ZONE_MATCH_NONE;
        }
        return ZONE_MATCH_NONE;
}

static int zone_exists_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return zone_name_exists(ctx, name, len);
}

static int zone_owns_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return zone_has_name(ctx, name, len);
}

enum zone_match zone_match_name(const struct zone *z, const uint8_t *name, size_t len,
                                uint8_t source[DNS_NAME_MAX], size_t *source_len)
{
        struct zone_names zn = { z->origin, z->origin_len, zone_exists_cb, zone_owns_cb, z };
        return zone_names_match(&zn, name, len, source, source_len);
}
