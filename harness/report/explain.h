/* One sentence per failing cell, in words a support engineer can paste to a
 * customer ("musl 1.2.3 getaddrinfo (Alpine <= 3.17) has no TCP fallback and
 * read only the first 512 bytes of the 514-byte reply: 29 of 30
 * addresses"). Built from the cell's record (verdict, path, UDP and TCP
 * reply sizes, TC, addresses against expected, the client's own words) and
 * the client's facts: whom it stands for and, when it has one, the profile
 * of its behaviour (its own, or its emulated twin's for a real library). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "clients/engine/profile.h"
#include "harness/report/matrix.h"

struct explain_client {
        const char *name;               /* "musl-1.2.3" */
        const char *stands_for;         /* the client's stands_for text; "" or NULL: unknown */
        const struct profile *profile;  /* NULL: no profile facts */
};

/* Writes the sentence for cell c into buf. Returns false (buf empty) when
 * the cell needs none: ok and skipped cells. */
bool explain_cell(const struct matrix_cell *c, const struct explain_client *who, char *buf,
                  size_t len);

/* The client as a customer knows it: stands_for up to its first ':'
 * ("musl 1.2.3 getaddrinfo (Alpine <= 3.17)"), else the client's name. */
void explain_who(const struct explain_client *who, char *buf, size_t len);
