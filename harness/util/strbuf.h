/* A growable byte buffer for building output files in memory before an
 * atomic write. Allocation failure is sticky: check strbuf_failed() once. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
        char *data;
        size_t len, cap;
        bool failed;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_add(struct strbuf *b, const void *p, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void strbuf_json_string(struct strbuf *b, const char *s);
/* Appends s with &, <, >, " and ' escaped for HTML and XML. */
void strbuf_xml_escape(struct strbuf *b, const char *s);
bool strbuf_failed(const struct strbuf *b);
