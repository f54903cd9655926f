#include "harness/util/strpool.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Strings live in chunks of STRPOOL_CHUNK bytes (one chunk of its own for a
 * string larger than a quarter of that); the index is an open-addressing
 * table of slots, at most half full, found by FNV-1a hash. */
#define STRPOOL_CHUNK (64 * 1024)

struct chunk {
        struct chunk *next;
        size_t used, cap;
        alignas(max_align_t) unsigned char data[];
};

struct slot {
        const char *s;          /* NULL: empty */
        uint32_t hash;
        uint32_t len;           /* strlen(s): a string of 4 GiB or more is refused */
};

struct strpool {
        struct chunk *chunks;   /* the newest first: the one strings are added to */
        struct slot *slots;
        size_t mask;            /* slots - 1; a power of two minus one */
        size_t count;
        size_t chunk_bytes;
};

struct strpool *strpool_new(void)
{
        struct strpool *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->mask = 63;
        p->slots = calloc(p->mask + 1, sizeof(*p->slots));
        if (!p->slots) {
                free(p);
                return NULL;
        }
        return p;
}

void strpool_free(struct strpool *p)
{
        if (!p)
                return;
        for (struct chunk *c = p->chunks, *next; c; c = next) {
                next = c->next;
                free(c);
        }
        free(p->slots);
        free(p);
}

/* n bytes aligned to align (a power of two) from the newest chunk, or from a
 * new one. */
static void *pool_take(struct strpool *p, size_t n, size_t align)
{
        struct chunk *c = p->chunks;
        size_t at = c ? (c->used + align - 1) & ~(align - 1) : 0;

        if (!c || at > c->cap || n > c->cap - at) {
                bool own = n > STRPOOL_CHUNK / 4;
                size_t cap = own ? n : STRPOOL_CHUNK - sizeof(*c);
                if (n > SIZE_MAX - sizeof(*c) || !(c = malloc(sizeof(*c) + cap)))
                        return NULL;
                /* a chunk of its own goes second, so the newest keeps its room */
                if (own && p->chunks) {
                        c->next = p->chunks->next;
                        p->chunks->next = c;
                } else {
                        c->next = p->chunks;
                        p->chunks = c;
                }
                c->used = 0;
                c->cap = cap;
                p->chunk_bytes += sizeof(*c) + cap;
                at = 0;
        }
        c->used = at + n;
        return c->data + at;
}

void *strpool_alloc(struct strpool *p, size_t n)
{
        return pool_take(p, n ? n : 1, alignof(void *));
}

static uint32_t fnv1a(const char *s, size_t n)
{
        uint32_t h = 0x811c9dc5u;
        for (size_t i = 0; i < n; i++)
                h = (h ^ (unsigned char)s[i]) * 0x01000193u;
        return h;
}

/* Doubles the index. Returns false when out of memory (the index is kept). */
static bool pool_grow(struct strpool *p)
{
        size_t mask = p->mask * 2 + 1;
        struct slot *slots = calloc(mask + 1, sizeof(*slots));
        if (!slots)
                return false;
        for (size_t i = 0; i <= p->mask; i++) {
                if (!p->slots[i].s)
                        continue;
                size_t at = p->slots[i].hash & mask;
                while (slots[at].s)
                        at = (at + 1) & mask;
                slots[at] = p->slots[i];
        }
        free(p->slots);
        p->slots = slots;
        p->mask = mask;
        return true;
}

const char *strpool_intern_n(struct strpool *p, const char *s, size_t n)
{
        size_t len = strnlen(s, n), at;
        uint32_t hash;
        char *copy;

        if (len > UINT32_MAX)
                return NULL;
        hash = fnv1a(s, len);
        for (at = hash & p->mask; p->slots[at].s; at = (at + 1) & p->mask)
                if (p->slots[at].hash == hash && p->slots[at].len == len &&
                    memcmp(p->slots[at].s, s, len) == 0)
                        return p->slots[at].s;
        if (2 * (p->count + 1) > p->mask + 1) {
                if (!pool_grow(p))
                        return NULL;
                for (at = hash & p->mask; p->slots[at].s; at = (at + 1) & p->mask)
                        ;
        }
        if (!(copy = pool_take(p, len + 1, 1)))
                return NULL;
        memcpy(copy, s, len);
        copy[len] = '\0';
        p->slots[at] = (struct slot){ copy, hash, (uint32_t)len };
        p->count++;
        return copy;
}

const char *strpool_intern(struct strpool *p, const char *s)
{
        return strpool_intern_n(p, s, SIZE_MAX);
}

size_t strpool_footprint(const struct strpool *p)
{
        return sizeof(*p) + p->chunk_bytes + (p->mask + 1) * sizeof(*p->slots);
}
