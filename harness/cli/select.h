/* Client selection shared by run, calibrate and clients. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "clients/client.h"

/* Loads every client. Returns 0, or -1 with err. */
int select_load_clients(struct client_set *set, char *err, size_t errlen);

/* Picks clients from a comma-separated list of names, "emulated", "real" or
 * "all" (NULL: all). Order: the set's order. Returns the count and *out
 * (caller frees the array, not the clients), or -1 with err naming an
 * unknown client. */
long select_clients(const struct client_set *set, const char *list, struct client ***out,
                    char *err, size_t errlen);

/* When a selected client needs port 53, moves the process into the private
 * sandbox (once); if that fails, marks those clients unavailable with the
 * reason. Call before any thread or socket exists. */
void select_prepare_sandbox(struct client *const *clients, size_t n);
