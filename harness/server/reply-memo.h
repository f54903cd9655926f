/* A server's last UDP reply, kept so that the same query again (any id)
 * costs a compare and a copy instead of a parse, a lookup and a render: the
 * reply is a function of the query's bytes after the id and of the point,
 * as long as no canned rule (reproduce) decides it. The caller clears the
 * memo whenever its point changes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/server/server.h"

#define REPLY_MEMO_QUERY_MAX 512
#define REPLY_MEMO_REPLY_MAX 4096

struct reply_memo {
        bool valid;
        size_t query_len, reply_len;
        struct server_exchange x;        /* what the reply said, for the counters */
        uint8_t query[REPLY_MEMO_QUERY_MAX];
        uint8_t reply[REPLY_MEMO_REPLY_MAX];
};

/* When query[0, len) matches the kept query apart from its id: copies the
 * kept reply to out with query's id, fills x as server_answer would and
 * returns the reply's length. Else returns 0 and leaves out and x alone. */
size_t reply_memo_get(const struct reply_memo *m, const uint8_t *query, size_t len, uint8_t *out,
                      struct server_exchange *x);

/* Keeps (query, reply, x) when both fit; else forgets what was kept. */
void reply_memo_put(struct reply_memo *m, const uint8_t *query, size_t len, const uint8_t *reply,
                    size_t reply_len, const struct server_exchange *x);

void reply_memo_clear(struct reply_memo *m);
