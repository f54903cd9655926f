/* A DNS message described as text (a saved dig output, an ldns-testns entry):
 * records in zone-file syntax parsed by ldns, header fields and EDNS set by
 * the reader, encoded by our writer (harness/wire/writer.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/wire/dns.h"
#include "harness/zone/zone.h"

enum text_section {
        TEXT_SECTION_ANSWER,
        TEXT_SECTION_AUTHORITY,
        TEXT_SECTION_ADDITIONAL,
        TEXT_SECTION_MAX,
};

struct text_message {
        uint16_t id;
        uint16_t flags;                 /* QR AA TC RD RA AD CD, opcode and rcode bits */
        bool have_question;
        uint8_t qname[DNS_NAME_MAX];
        size_t qname_len;
        uint16_t qtype, qclass;
        struct zone *sections[TEXT_SECTION_MAX];   /* owned; OPT is not among them */
        bool opt;                       /* an OPT record goes last in additional */
        uint16_t opt_size;
        uint8_t opt_version;
        bool opt_do;
        uint8_t opt_options[1024];      /* the OPT rdata: options (COOKIE, NSID...) as sent */
        size_t opt_options_len;
};

/* Appends one EDNS option (RFC 6891 6.1.2) to m's OPT rdata. Returns 0, or
 * -1 when it does not fit. */
int text_message_add_option(struct text_message *m, uint16_t code, const uint8_t *data,
                            size_t len);

/* Returns 0, or -1 when out of memory. */
int text_message_init(struct text_message *m);
void text_message_free(struct text_message *m);

/* Encodes the message: header (counts from the sections), the question when
 * there is one, the three sections, OPT. Returns the length, or 0 when it
 * does not fit cap (65535 bytes always do for the sizes ldns accepts). */
size_t text_message_encode(const struct text_message *m, bool compress, uint8_t *out, size_t cap);

/* Parses one record in zone-file syntax with ldns (relative names below
 * origin; origin NULL: the root) and appends it to z. Returns 0, or -1 with
 * ldns's words in err ("Syntax error, could not parse the RR's type").
 * OPT records are refused: EDNS is a header matter here. */
int text_rr_add(struct zone *z, const char *text, uint32_t default_ttl, const uint8_t *origin,
                size_t origin_len, char *err, size_t errlen);
/* Parses a question ("api.mixpanel.com. IN A") with ldns into m. Returns 0,
 * or -1 with err. */
int text_question_set(struct text_message *m, const char *text, const uint8_t *origin,
                      size_t origin_len, char *err, size_t errlen);
/* Cuts a ';' comment outside double quotes and adds the parentheses seen
 * outside quotes to *depth (zone-file records may span lines in them). */
void text_strip_comment(char *s, int *depth);
