#include "clients/registry.h"

#include <stdio.h>

int registry_add_real_clients(struct client_set *set, char *err, size_t errlen)
{
        (void)set;
        (void)err;
        (void)errlen;
        return 0;
}
