#include "clients/registry.h"

#include <stdio.h>

#include "clients/real/twin.h"
#include "clients/real/real.h"

int registry_add_real_clients(struct client_set *set, char *err, size_t errlen)
{
        if (real_cares_register(set) < 0 || real_libresolv_register(set) < 0 ||
            real_twins_register(set) < 0) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        return 0;
}
