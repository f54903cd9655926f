#include "harness/util/strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STRBUF_SINK_CHUNK (64 * 1024)

void strbuf_init(struct strbuf *b)
{
        memset(b, 0, sizeof(*b));
        b->sink = -1;
}

void strbuf_init_sink(struct strbuf *b, int fd)
{
        strbuf_init(b);
        b->sink = fd;
}

int strbuf_flush(struct strbuf *b)
{
        size_t off = 0;
        if (b->sink < 0 || b->failed)
                return b->failed ? -1 : 0;
        while (off < b->len) {
                ssize_t w = write(b->sink, b->data + off, b->len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        b->sink_errno = w < 0 ? errno : EIO;
                        b->failed = true;
                        return -1;
                }
                off += (size_t)w;
        }
        b->drained += b->len;
        b->len = 0;
        if (b->data)
                b->data[0] = '\0';
        return 0;
}

void strbuf_free(struct strbuf *b)
{
        free(b->data);
        memset(b, 0, sizeof(*b));
        b->sink = -1;
}

static bool strbuf_reserve(struct strbuf *b, size_t n)
{
        if (b->failed)
                return false;
        if (b->sink >= 0 && b->len > 0 && b->len + n > STRBUF_SINK_CHUNK && strbuf_flush(b) < 0)
                return false;
        if (n + 1 <= b->cap - b->len && b->data)
                return true;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n + 1) {
                if (cap > ((size_t)1 << 40)) {
                        b->failed = true;
                        return false;
                }
                cap *= 2;
        }
        char *d = realloc(b->data, cap);
        if (!d) {
                b->failed = true;
                return false;
        }
        b->data = d;
        b->cap = cap;
        return true;
}

void strbuf_add(struct strbuf *b, const void *p, size_t n)
{
        if (!strbuf_reserve(b, n))
                return;
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

void strbuf_puts(struct strbuf *b, const char *s)
{
        strbuf_add(b, s, strlen(s));
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
        va_list ap;
        int n;
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || !strbuf_reserve(b, (size_t)n))
                return;
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
}

void strbuf_json_string(struct strbuf *b, const char *s)
{
        strbuf_add(b, "\"", 1);
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        char e[2] = { '\\', (char)*p };
                        strbuf_add(b, e, 2);
                } else if (*p < 0x20 || *p == 0x7f) {
                        strbuf_printf(b, "\\u%04x", *p);
                } else {
                        strbuf_add(b, p, 1);
                }
        }
        strbuf_add(b, "\"", 1);
}

void strbuf_xml_escape(struct strbuf *b, const char *s)
{
        for (const char *p = s; *p; p++) {
                switch (*p) {
                case '&': strbuf_puts(b, "&amp;"); break;
                case '<': strbuf_puts(b, "&lt;"); break;
                case '>': strbuf_puts(b, "&gt;"); break;
                case '"': strbuf_puts(b, "&quot;"); break;
                case '\'': strbuf_puts(b, "&#39;"); break;
                default:
                        if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                                strbuf_puts(b, "?");
                        else
                                strbuf_add(b, p, 1);
                }
        }
}

bool strbuf_failed(const struct strbuf *b)
{
        return b->failed;
}

size_t strbuf_total(const struct strbuf *b)
{
        return b->drained + b->len;
}
