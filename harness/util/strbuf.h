/* A growable byte buffer for building output files in memory before an
 * atomic write. Allocation failure is sticky: check strbuf_failed() once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
        char *data;
        size_t len, cap;
        bool failed;
        int sink;               /* -1, or a file the buffer drains into */
        int sink_errno;         /* why writing to the sink failed */
        size_t drained;         /* bytes written to the sink so far */
};

void strbuf_init(struct strbuf *b);
/* A buffer that writes itself to fd whenever it holds more than 64 KiB, so a
 * view of any size needs little memory. data then holds only the unwritten
 * tail; call strbuf_flush at the end. */
void strbuf_init_sink(struct strbuf *b, int fd);
/* Writes what is buffered to the sink. Returns 0, or -1 (also marking the
 * buffer failed, errno in sink_errno). */
int strbuf_flush(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_add(struct strbuf *b, const void *p, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void strbuf_json_string(struct strbuf *b, const char *s);
/* Appends s with &, <, >, " and ' escaped for HTML and XML. */
void strbuf_xml_escape(struct strbuf *b, const char *s);
bool strbuf_failed(const struct strbuf *b);
/* Bytes appended since init: those drained to the sink and those held. */
size_t strbuf_total(const struct strbuf *b);
