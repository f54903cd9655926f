#include "harness/report/zonecheck-index.h"

#include <stdlib.h>
#include <string.h>

static inline int ascii_lower(uint8_t c)
{
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
        size_t n = alen < blen ? alen : blen;
        for (size_t i = 0; i < n; i++) {
                int ca = ascii_lower(a[i]), cb = ascii_lower(b[i]);
                if (ca != cb)
                        return ca - cb;
        }
        return (alen > blen) - (alen < blen);
}

static int order_cmp(const void *pa, const void *pb, void *arg)
{
        const struct zone *z = arg;
        size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;
        const struct zone_rr *a = &z->rrs[ia], *b = &z->rrs[ib];
        int c = name_cmp(a->owner, a->owner_len, b->owner, b->owner_len);
        if (c)
                return c;
        if (a->type != b->type)
                return a->type < b->type ? -1 : 1;
        return (ia > ib) - (ia < ib);
}

static int existing_cmp(const void *pa, const void *pb)
{
        const struct existing *a = pa, *b = pb;
        return name_cmp(a->name, a->len, b->name, b->len);
}

/* Fills ix->exist with every owner and its ancestors down to the origin. */
static int index_build_existing(struct zone_index *ix)
{
        const struct zone *z = ix->z;
        size_t cap = 0, k = 0;

        for (size_t i = 0; i < ix->nnames; i++) {
                const struct zone_rr *rr = &z->rrs[ix->names[i].first_rr];
                for (size_t p = 0; p < rr->owner_len && rr->owner_len - p >= z->origin_len;
                     p += (size_t)rr->owner[p] + 1) {
                        if (ix->nexist == cap) {
                                size_t ncap = cap ? cap * 2 : 64;
                                struct existing *n = realloc(ix->exist, ncap * sizeof(*n));
                                if (!n)
                                        return -1;
                                ix->exist = n;
                                cap = ncap;
                        }
                        ix->exist[ix->nexist++] = (struct existing){
                                rr->owner + p, rr->owner_len - p, ix->names[i].first_rr };
                        if (rr->owner[p] == 0)
                                break;
                }
        }
        qsort(ix->exist, ix->nexist, sizeof(*ix->exist), existing_cmp);
        for (size_t i = 0; i < ix->nexist; i++)
                if (k == 0 || existing_cmp(&ix->exist[k - 1], &ix->exist[i]) != 0)
                        ix->exist[k++] = ix->exist[i];
        ix->nexist = k;
        return 0;
}

int zone_index_build(struct zone_index *ix, const struct zone *z)
{
        ix->z = z;
        ix->order = malloc((z->n ? z->n : 1) * sizeof(*ix->order));
        ix->names = malloc((z->n ? z->n : 1) * sizeof(*ix->names));
        ix->nnames = 0;
        ix->exist = NULL;
        ix->nexist = 0;
        if (!ix->order || !ix->names)
                return -1;
        for (size_t i = 0; i < z->n; i++)
                ix->order[i] = i;
        qsort_r(ix->order, z->n, sizeof(*ix->order), order_cmp, (void *)z);
        for (size_t i = 0; i < z->n; i++) {
                const struct zone_rr *rr = &z->rrs[ix->order[i]];
                struct name_run *last = ix->nnames ? &ix->names[ix->nnames - 1] : NULL;
                const struct zone_rr *lr = last ? &z->rrs[ix->order[last->first]] : NULL;
                if (last && name_cmp(lr->owner, lr->owner_len, rr->owner, rr->owner_len) == 0) {
                        last->count++;
                        if (ix->order[i] < last->first_rr)
                                last->first_rr = ix->order[i];
                        continue;
                }
                ix->names[ix->nnames++] = (struct name_run){ i, 1, ix->order[i] };
        }
        return index_build_existing(ix);
}

void zone_index_free(struct zone_index *ix)
{
        free(ix->order);
        free(ix->names);
        free(ix->exist);
}

/* The name's run, or NULL when no record is owned by it. */
const struct name_run *zone_index_find(const struct zone_index *ix, const uint8_t *name, size_t len)
{
        size_t lo = 0, hi = ix->nnames;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct zone_rr *rr = &ix->z->rrs[ix->order[ix->names[mid].first]];
                int c = name_cmp(rr->owner, rr->owner_len, name, len);
                if (c == 0)
                        return &ix->names[mid];
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/* The records of type at a name: *first in order[] and the count (0: none). */
size_t zone_index_rrset(const struct zone_index *ix, const struct name_run *nr, uint16_t type,
                        size_t *first)
{
        size_t n = 0;
        if (!nr)
                return 0;
        for (size_t i = nr->first; i < nr->first + nr->count; i++) {
                if (ix->z->rrs[ix->order[i]].type != type)
                        continue;
                if (n++ == 0)
                        *first = i;
        }
        return n;
}

/* The entry of an existing name, or NULL. */
const struct existing *zone_index_existing(const struct zone_index *ix, const uint8_t *name, size_t len)
{
        struct existing key = { name, len, 0 };
        return bsearch(&key, ix->exist, ix->nexist, sizeof(*ix->exist), existing_cmp);
}

static int index_exists_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return zone_index_existing(ctx, name, len) != NULL;
}

static int index_owns_cb(const void *ctx, const uint8_t *name, size_t len)
{
        return zone_index_find(ctx, name, len) != NULL;
}

/* The owner whose records answer name (exact, or the wildcard at its closest
 * encloser), as answer_build finds it. */
enum zone_match zone_index_match(const struct zone_index *ix, const uint8_t *name, size_t len,
                                 uint8_t source[DNS_NAME_MAX], size_t *source_len)
{
        struct zone_names zn = { ix->z->origin, ix->z->origin_len, index_exists_cb, index_owns_cb, ix };
        return zone_names_match(&zn, name, len, source, source_len);
}

/* True when the name is a delegation point or below one (an NS RRset at the
 * name or at an ancestor, the apex excepted): a parent's glue, not an answer. */
bool zone_index_below_cut(const struct zone_index *ix, const uint8_t *name, size_t len)
{
        size_t origin_len = ix->z->origin_len, first;
        for (size_t p = 0; p < len && len - p > origin_len; p += (size_t)name[p] + 1)
                if (zone_index_rrset(ix, zone_index_find(ix, name + p, len - p), DNS_TYPE_NS, &first))
                        return true;
        return false;
}
