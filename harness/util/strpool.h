/* A string pool: interned copies of strings, kept in large chunks the pool
 * owns and freed all at once. Equal strings are stored once, so a text that
 * 100,000 records share (a client's name, a parameter value, a stub's usual
 * complaint) costs its bytes once and a pointer per record.
 *
 * Every string the pool returns stays valid, and unchanged, until
 * strpool_free. Pointer equality of two strings from one pool is equality of
 * their contents. */
#pragma once

#include <stddef.h>

struct strpool;

/* An empty pool. Returns NULL when out of memory. */
struct strpool *strpool_new(void);

/* Frees the pool and every string it returned. NULL is a no-op. */
void strpool_free(struct strpool *p);

/* The pool's copy of the first n bytes of s (fewer when s ends sooner; no
 * byte after the first NUL is read), NUL-terminated. Returns it, or NULL
 * when out of memory. */
const char *strpool_intern_n(struct strpool *p, const char *s, size_t n);

/* The pool's copy of s: strpool_intern_n(p, s, SIZE_MAX). */
const char *strpool_intern(struct strpool *p, const char *s);

/* n bytes of pool memory aligned for a pointer (arrays of pointers to
 * interned strings), not interned: each call returns new memory. Returns
 * NULL when out of memory. */
void *strpool_alloc(struct strpool *p, size_t n);

/* Bytes the pool holds (chunks and its index), for measurements. */
size_t strpool_footprint(const struct strpool *p);
