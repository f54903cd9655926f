/* Bounds-checked, sticky-error reader for untrusted DNS messages.
 *
 * Every read checks the cursor's error first and sets it at most once, so
 * callers chain reads and test the error at the end (OpenBSD asr's unpack).
 * Outputs of a failed read are zero-filled. When a message runs short the
 * reader reports where: section, record index and byte offset, because a cut
 * reply is a verdict, not a crash. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"

enum wire_error {
        WIRE_OK = 0,
        WIRE_ERR_SHORT,           /* the message ended inside a field */
        WIRE_ERR_POINTER,         /* compression pointer not strictly backwards */
        WIRE_ERR_LABEL_TYPE,      /* 0x40/0x80 label types (RFC 6891 6.1.1 obsoletes them) */
        WIRE_ERR_NAME_TOO_LONG,   /* more than 255 bytes once decompressed */
        WIRE_ERR_RDLENGTH,        /* rdata not consumed exactly by its fields */
        WIRE_ERR_TRAILING,        /* bytes after the last record the header announced */
        WIRE_ERR_MAX,
        WIRE_ERR_INVALID = -1,
};

/* Short lower-case name ("short", "bad-pointer"). */
const char *wire_error_to_string(enum wire_error e);

enum wire_section {
        WIRE_SECTION_HEADER = 0,
        WIRE_SECTION_QUESTION,
        WIRE_SECTION_ANSWER,
        WIRE_SECTION_AUTHORITY,
        WIRE_SECTION_ADDITIONAL,
        WIRE_SECTION_END,
        WIRE_SECTION_MAX,
};

const char *wire_section_to_string(enum wire_section s);

struct wire_cursor {
        const uint8_t *buf;
        size_t len;
        size_t pos;
        enum wire_error err;
        size_t err_pos;        /* offset of the read that failed */
};

void wire_cursor_init(struct wire_cursor *c, const uint8_t *buf, size_t len);
uint8_t wire_read_u8(struct wire_cursor *c);
uint16_t wire_read_u16(struct wire_cursor *c);
uint32_t wire_read_u32(struct wire_cursor *c);
/* Copies n bytes into dst (may be NULL to skip). */
void wire_read_bytes(struct wire_cursor *c, void *dst, size_t n);
/* Reads a possibly compressed name at the cursor into out (uncompressed wire
 * form, at most DNS_NAME_MAX bytes) and sets *outlen. Pointers must point
 * strictly before the pointer that refers to them, which rules out loops. */
void wire_read_name(struct wire_cursor *c, uint8_t out[DNS_NAME_MAX], size_t *outlen);
/* Marks the cursor failed with e at the current position (if not failed yet). */
void wire_cursor_fail(struct wire_cursor *c, enum wire_error e);

struct dns_header {
        uint16_t id;
        uint16_t flags;
        uint16_t qdcount, ancount, nscount, arcount;
};

struct wire_question {
        uint8_t name[DNS_NAME_MAX];
        size_t name_len;
        uint16_t type, class_;
};

struct wire_rr {
        enum wire_section section;
        unsigned index;              /* within its section, from 0 */
        size_t offset;               /* of the owner name */
        uint8_t owner[DNS_NAME_MAX];
        size_t owner_len;
        uint16_t type, class_;
        uint32_t ttl;
        uint16_t rdlength;
        const uint8_t *rdata;        /* points into the message */
        size_t rdata_offset;
        /* Decoded for CNAME, NS, PTR (target), MX, SRV (exchange/target). */
        uint8_t target[DNS_NAME_MAX];
        size_t target_len;
};

struct wire_reader {
        struct wire_cursor c;
        struct dns_header hdr;
        enum wire_section section;
        unsigned index;              /* next record within section */
        /* where a failure happened */
        enum wire_section err_section;
        unsigned err_index;
};

/* Reads the header. Returns 0, or -1 when fewer than 12 bytes. */
int wire_reader_init(struct wire_reader *r, const uint8_t *buf, size_t len);
/* Next question. Returns 1 with *q filled, 0 when the questions are done, -1 on error. */
int wire_reader_question(struct wire_reader *r, struct wire_question *q);
/* Next resource record of answer, authority or additional (questions not yet
 * read are skipped first). Checks rdata of known types field by field and that
 * rdlength is consumed exactly. Returns 1 with *rr filled, 0 at the end of the
 * records the header announced, -1 on error. */
int wire_reader_rr(struct wire_reader *r, struct wire_rr *rr);
/* Returns -1 when bytes follow the last announced record, else 0. */
int wire_reader_finish(struct wire_reader *r);
/* Describes a failure: "short in answer record 28 at offset 498". */
void wire_reader_describe_error(const struct wire_reader *r, char *buf, size_t len);

/* Name helpers on uncompressed wire names. */
bool wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Presentation form with trailing dot ("api.mixpanel.com."), escaping as RFC 1035 5.1. */
void wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen);
/* Parses a presentation-form name (relative names are treated as absolute).
 * Returns 0, or -1 for an empty label, a label over 63 or a name over 255 bytes. */
int wire_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX], size_t *outlen);
/* Lower-cases a wire name in place (ASCII only). */
void wire_name_lower(uint8_t *name, size_t len);
