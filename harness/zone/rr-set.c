#include "harness/zone/rr-set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/reader.h"

/* FNV-1a over type, class and rdata; the owner is compared, not hashed (the
 * records of one RRset share it, and it is compared without case). */
static uint64_t rr_hash(const struct zone_rr *rr)
{
        uint64_t h = 1469598103934665603ULL;
        uint8_t head[4] = { (uint8_t)(rr->type >> 8), (uint8_t)rr->type,
                            (uint8_t)(rr->class_ >> 8), (uint8_t)rr->class_ };
        for (size_t i = 0; i < sizeof(head); i++)
                h = (h ^ head[i]) * 1099511628211ULL;
        for (size_t i = 0; i < rr->rdlen; i++)
                h = (h ^ rr->rdata[i]) * 1099511628211ULL;
        return h;
}

static bool rr_equal(const struct zone_rr *a, const struct zone_rr *b)
{
        return a->type == b->type && a->class_ == b->class_ && a->rdlen == b->rdlen &&
               memcmp(a->rdata, b->rdata, a->rdlen) == 0 &&
               wire_name_equal(a->owner, a->owner_len, b->owner, b->owner_len);
}

/* The slot of rr, or of an equal record, in slots (cap a power of two with a
 * free slot). */
static size_t slot_of(const struct zone_rr *const *slots, size_t cap, const struct zone_rr *rr)
{
        size_t i = (size_t)rr_hash(rr) & (cap - 1);
        while (slots[i] && !rr_equal(slots[i], rr))
                i = (i + 1) & (cap - 1);
        return i;
}

/* Doubles the table (or moves it off the inline slots). Returns 0 or -1. */
static int grow(struct rr_set *s)
{
        size_t cap = s->cap * 2;
        const struct zone_rr **slots = calloc(cap, sizeof(*slots));
        if (!slots)
                return -1;
        for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i])
                        slots[slot_of(slots, cap, s->slots[i])] = s->slots[i];
        if (s->slots != s->inline_slots)
                free(s->slots);
        s->slots = slots;
        s->cap = cap;
        return 0;
}

int rr_set_add(struct rr_set *s, const struct zone_rr *rr)
{
        if (!s->slots) {
                s->slots = s->inline_slots;
                s->cap = RR_SET_INLINE;
                memset(s->inline_slots, 0, sizeof(s->inline_slots));
        }
        size_t at = slot_of(s->slots, s->cap, rr);
        if (s->slots[at])
                return 0;
        if ((s->n + 1) * 2 > s->cap) {  /* at most half full: probes stay short */
                if (grow(s) < 0)
                        return -1;
                at = slot_of(s->slots, s->cap, rr);
        }
        s->slots[at] = rr;
        s->n++;
        return 1;
}

void rr_set_free(struct rr_set *s)
{
        if (s->slots && s->slots != s->inline_slots)
                free(s->slots);
        s->slots = NULL;
        s->cap = s->n = 0;
}
