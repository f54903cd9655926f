/* DNS protocol constants (RFC 1035, 3596, 6891) and their name tables. */
#pragma once

#include <stdint.h>
#include <stddef.h>

#define DNS_HEADER_LEN      12
#define DNS_NAME_MAX        255   /* wire length, RFC 1035 2.3.4 */
#define DNS_LABEL_MAX       63
#define DNS_UDP_LEGACY_MAX  512
#define DNS_OPT_RR_LEN      11    /* root owner + type + class + ttl + rdlength */
#define DNS_TCP_MAX         65535

/* Header flag bits in the second 16-bit word (RFC 1035 4.1.1). */
#define DNS_FLAG_QR  0x8000u
#define DNS_FLAG_AA  0x0400u
#define DNS_FLAG_TC  0x0200u
#define DNS_FLAG_RD  0x0100u
#define DNS_FLAG_RA  0x0080u
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xfu)
#define DNS_RCODE(flags)  ((flags) & 0xfu)

enum dns_type {
        DNS_TYPE_A     = 1,
        DNS_TYPE_NS    = 2,
        DNS_TYPE_CNAME = 5,
        DNS_TYPE_SOA   = 6,
        DNS_TYPE_MB    = 7,
        DNS_TYPE_MG    = 8,
        DNS_TYPE_MR    = 9,
        DNS_TYPE_PTR   = 12,
        DNS_TYPE_MINFO = 14,
        DNS_TYPE_MX    = 15,
        DNS_TYPE_TXT   = 16,
        DNS_TYPE_AAAA  = 28,
        DNS_TYPE_SRV   = 33,
        DNS_TYPE_OPT   = 41,
        DNS_TYPE_ANY   = 255,
};

#define DNS_CLASS_IN 1

enum dns_rcode {
        DNS_RCODE_NOERROR  = 0,
        DNS_RCODE_FORMERR  = 1,
        DNS_RCODE_SERVFAIL = 2,
        DNS_RCODE_NXDOMAIN = 3,
        DNS_RCODE_NOTIMP   = 4,
        DNS_RCODE_REFUSED  = 5,
        DNS_RCODE_MAX      = 16,
        DNS_RCODE_INVALID  = -1,
};

/* Mnemonic of a type ("AAAA"), or "TYPEnnn" (RFC 3597) written into buf.
 * Returns a pointer to a static string or to buf. */
const char *dns_type_to_string(uint16_t type, char buf[16]);
/* Parses a mnemonic or TYPEnnn, case-insensitive. Returns the type, or -1. */
int dns_type_from_string(const char *s);

/* Lower-case mnemonic ("nxdomain"), or NULL for codes without one. */
const char *dns_rcode_to_string(int rcode);
/* Parses "nxdomain"/"NXDOMAIN" or a decimal 0..15. Returns the code, or DNS_RCODE_INVALID. */
int dns_rcode_from_string(const char *s);
