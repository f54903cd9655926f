/* What fuzz-dig.c, fuzz-testns.c and fuzz-pcap.c check on a canned table a
 * reader filled: counts within capacity, every rule describable with sane
 * fields, every question's name a valid length. */
#pragma once

#include <stdlib.h>
#include <string.h>

#include "harness/replay/canned.h"

static inline void fuzz_check_table(const struct canned_table *t)
{
        char line[512];

        if (t->nrules > t->caprules || t->nquestions > t->capquestions)
                abort();
        for (size_t i = 0; i < t->nrules; i++) {
                const struct canned_rule *r = &t->rules[i];
                if ((unsigned)r->action >= CANNED_ACTION_MAX || r->qname_len > DNS_NAME_MAX ||
                    (r->action == CANNED_SEND && r->len > 0 && !r->msg) ||
                    r->question_len > r->len ||
                    !memchr(r->note, '\0', sizeof(r->note)) ||
                    !memchr(r->origin, '\0', sizeof(r->origin)))
                        abort();
                canned_rule_describe(r, line, sizeof(line));
                if (!memchr(line, '\0', sizeof(line)))
                        abort();
        }
        for (size_t i = 0; i < t->nquestions; i++) {
                const struct canned_question *q = &t->questions[i];
                if (q->len == 0 || q->len > DNS_NAME_MAX)
                        abort();
                (void)canned_find_answer(t, q->name, q->len, q->type);
        }
}
