/* Parsing of queries the fake server receives (untrusted bytes). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "harness/server/render.h"

enum query_status {
        QUERY_OK,
        QUERY_DROP,      /* no reply possible or wanted: under 12 bytes, or QR=1 */
        QUERY_FORMERR,   /* header read, rest malformed: FORMERR */
        QUERY_NOTIMP,    /* an opcode other than QUERY */
        QUERY_STATUS_MAX,
};

const char *query_status_to_string(enum query_status s);

/* Parses a query: one question, then any records, an OPT among the additional
 * ones. q->question points into buf. Never reads outside buf[0, len). */
enum query_status query_parse(const uint8_t *buf, size_t len, struct query_info *q);
