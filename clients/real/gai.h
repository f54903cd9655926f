/* Real getaddrinfo of glibc 2.36 and musl 1.2.3, run in helper processes
 * inside the private sandbox (sandbox.h). Clients: real:glibc-2.36,
 * real:glibc-2.36-edns0 (resolv.conf "options edns0"), real:musl-1.2.3. */
#pragma once

#include "clients/client.h"

/* Adds the three clients; each is unavailable (with why) when its helper is
 * not built. They need the sandbox: ENDPOINT_PORT53. Returns 0, or -1 when
 * out of memory. */
int real_gai_register(struct client_set *set);
