#include "harness/server/reply-memo.h"

#include <string.h>

size_t reply_memo_get(const struct reply_memo *m, const uint8_t *query, size_t len, uint8_t *out,
                      struct server_exchange *x)
{
        if (!m || !m->valid || len != m->query_len || len < 2 ||
            memcmp(query + 2, m->query + 2, len - 2) != 0)
                return 0;
        memcpy(out, m->reply, m->reply_len);
        memcpy(out, query, 2);
        *x = m->x;
        x->query_data = query;
        x->reply_data = out;
        return m->reply_len;
}

void reply_memo_put(struct reply_memo *m, const uint8_t *query, size_t len, const uint8_t *reply,
                    size_t reply_len, const struct server_exchange *x)
{
        if (!m)
                return;
        m->valid = len >= 2 && len <= sizeof(m->query) && reply_len >= 2 &&
                   reply_len <= sizeof(m->reply);
        if (!m->valid)
                return;
        m->query_len = len;
        m->reply_len = reply_len;
        memcpy(m->query, query, len);
        memcpy(m->reply, reply, reply_len);
        m->x = *x;
        m->x.query_data = m->x.reply_data = NULL;
}

void reply_memo_clear(struct reply_memo *m)
{
        if (m)
                m->valid = false;
}
