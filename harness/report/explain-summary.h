/* The paragraph a support engineer sends a customer, at the top of
 * explain.txt and explain.md: for one question, the answer's size against
 * each limit ("530 bytes: 18 over the 512 that stubs without EDNS accept"),
 * who is affected, grouped (legacy UDP-only stubs, stubs that retry over TCP,
 * stubs with EDNS), why in one clause, and the fix ("at most 27 A records fit
 * behind this 32-byte CNAME; or drop the CNAME"), from the answer's record
 * ends like check-zone's "at most N fit" (zonecheck_fit). Clients are named
 * as a customer knows them: no function names, flags or package versions. */
#pragma once

#include <stddef.h>

#include "harness/report/explain.h"
#include "harness/util/strbuf.h"
#include "harness/zone/answer.h"

/* One cell of the question with its client's facts. */
struct explain_row {
        const struct matrix_cell *c;
        struct explain_client who;
};

/* The client's name in customer words: stands_for without function names,
 * flags, library file names or parentheses holding build details
 * ("musl 1.2.3 (Alpine <= 3.17)", "glibc 2.36 (Debian 12, Ubuntu 22.04+)"). */
void explain_customer_name(const struct explain_client *who, char *buf, size_t len);

/* Appends the paragraph for the question of rows (all cells of one qname,
 * qtype) to out. a: the full answer served (NULL when unknown). */
void explain_paragraph(const struct explain_row *rows, size_t n, const struct answer *a,
                       struct strbuf *out);
