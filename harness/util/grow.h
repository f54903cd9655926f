/* A doubling array: room for one more element. */
#pragma once

#include <stddef.h>

/* items_ptr points to an array pointer (T **) holding n elements of size
 * bytes in *cap allocated. When n == *cap the array grows to twice *cap (to
 * `first` when empty). Returns 0, or -1 when out of memory with the array
 * and *cap unchanged. */
int array_grow(void *items_ptr, size_t *cap, size_t n, size_t size, size_t first);
