/* The real-library adapters known to this build. */
#pragma once

#include <stddef.h>

#include "clients/client.h"

/* Adds every real client (available or not, with why). Returns 0, or -1 with err. */
int registry_add_real_clients(struct client_set *set, char *err, size_t errlen);
