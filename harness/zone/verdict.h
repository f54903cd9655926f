/* Verdicts: the names a cell's result is printed and parsed by.
 *
 * The vocabulary lives below run and report because the scenario grammar
 * speaks it too (`expect ... verdict=nodata`): the scenario parser, the
 * runner that decides a verdict and the views that print one share this one
 * table. */
#pragma once

#include <stdbool.h>

enum verdict {
        VERDICT_OK,             /* the same set of addresses */
        VERDICT_PARTIAL,        /* a non-empty proper subset */
        VERDICT_WRONG,          /* an address the server never served */
        VERDICT_NODATA,         /* success without an address */
        VERDICT_NXDOMAIN,
        VERDICT_ERROR,          /* with a reason: servfail, formerr, badresp, tcp-failed, ... */
        VERDICT_TIMEOUT,
        VERDICT_SKIPPED,        /* with why */
        VERDICT_HARNESS_ERROR,
        VERDICT_MAX,
        VERDICT_INVALID = -1,
};

/* "ok", "nxdomain", "harness-error"; "invalid" outside the enum. */
const char *verdict_to_string(enum verdict v);
/* The verdict named s, or VERDICT_INVALID. */
enum verdict verdict_from_string(const char *s);
/* True for ok only: what "works" means for breaking points and expectations. */
bool verdict_is_success(enum verdict v);
/* True for skipped and harness-error: cells that say nothing about the client. */
bool verdict_is_unchecked(enum verdict v);
