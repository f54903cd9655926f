#include "harness/wire/rdata.h"

#include <string.h>

#include "harness/wire/dns.h"
#include "harness/wire/reader.h"

/* Bytes before the names, and how many names, for the types that hold names. */
static int rdata_layout(uint16_t type, size_t *prefix, unsigned *names)
{
        *prefix = 0;
        switch (type) {
        case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR:
        case DNS_TYPE_MB: case DNS_TYPE_MG: case DNS_TYPE_MR:
                *names = 1;
                return 1;
        case DNS_TYPE_MX: *prefix = 2; *names = 1; return 1;
        case DNS_TYPE_SRV: *prefix = 6; *names = 1; return 1;
        case DNS_TYPE_SOA: case DNS_TYPE_MINFO: *names = 2; return 1;
        default: return 0;
        }
}

static void lower_name(uint8_t *name, size_t len)
{
        for (size_t p = 0; p < len && name[p] != 0; p += (size_t)name[p] + 1)
                for (size_t i = 1; i <= name[p] && p + i < len; i++)
                        if (name[p + i] >= 'A' && name[p + i] <= 'Z')
                                name[p + i] = (uint8_t)(name[p + i] + 32);
}

size_t wire_rdata_canonical(uint16_t type, const uint8_t *msg, size_t len, size_t offset,
                            uint16_t rdlen, uint8_t *out)
{
        struct wire_cursor c;
        size_t prefix, n, end;
        unsigned names;

        if (offset > len || rdlen > len - offset) {
                rdlen = offset > len ? 0 : (uint16_t)(len - offset);
        }
        end = offset + rdlen;
        if (!rdata_layout(type, &prefix, &names) || prefix > rdlen)
                goto raw;
        wire_cursor_init(&c, msg, end);
        c.pos = offset;
        wire_read_bytes(&c, out, prefix);
        n = prefix;
        for (unsigned i = 0; i < names; i++) {
                size_t nl = 0;
                wire_read_name(&c, out + n, &nl);
                if (c.err != WIRE_OK)
                        goto raw;
                lower_name(out + n, nl);
                n += nl;
        }
        if (c.err != WIRE_OK || c.pos > end)
                goto raw;
        memcpy(out + n, msg + c.pos, end - c.pos);
        return n + (end - c.pos);
raw:
        if (rdlen)
                memcpy(out, msg + offset, rdlen);
        return rdlen;
}
