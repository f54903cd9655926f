#include "harness/util/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_grow(void *items_ptr, size_t *cap, size_t n, size_t size, size_t first)
{
        void *items, *grown;
        size_t want;

        if (n < *cap)
                return 0;
        want = *cap ? *cap * 2 : (first ? first : 1);
        if (want <= *cap || want > SIZE_MAX / size)
                return -1;
        memcpy(&items, items_ptr, sizeof(items));
        if (!(grown = realloc(items, want * size)))
                return -1;
        memcpy(items_ptr, &grown, sizeof(grown));
        *cap = want;
        return 0;
}
