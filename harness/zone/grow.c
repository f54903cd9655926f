#include "harness/zone/grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/dns.h"

void grow_address(int type, unsigned index, unsigned i, uint8_t out[16])
{
        memset(out, 0, 16);
        if (type == DNS_TYPE_A) {
                out[0] = 10;
                out[1] = (uint8_t)(index + 1);
                out[2] = (uint8_t)(i >> 8);
                out[3] = (uint8_t)i;
        } else {
                out[0] = 0x20; out[1] = 0x01; out[2] = 0x0d; out[3] = 0xb8;
                out[4] = (uint8_t)((index + 1) >> 8);
                out[5] = (uint8_t)(index + 1);
                out[12] = (uint8_t)(i >> 24);
                out[13] = (uint8_t)(i >> 16);
                out[14] = (uint8_t)(i >> 8);
                out[15] = (uint8_t)i;
        }
}

int grow_chain_name(const uint8_t *name, size_t len, unsigned k, uint8_t out[DNS_NAME_MAX],
                    size_t *outlen)
{
        char label[16];
        int l = snprintf(label, sizeof(label), "c%u", k);
        if ((size_t)l + 1 + len > DNS_NAME_MAX)
                return -1;
        out[0] = (uint8_t)l;
        memcpy(out + 1, label, (size_t)l);
        memcpy(out + 1 + l, name, len);
        *outlen = (size_t)l + 1 + len;
        return 0;
}

static int grow_txt(struct zone *z, const struct point_params *p, const uint8_t *owner,
                    size_t owner_len)
{
        size_t chunks = p->txt_bytes ? ((size_t)p->txt_bytes + 254) / 255 : 1;
        size_t rdlen = chunks + (size_t)p->txt_bytes;
        uint8_t *rd;
        int ret = 0;

        if (rdlen > 65535)
                return -1;
        rd = malloc(rdlen);
        if (!rd)
                return -1;
        for (size_t c = 0, off = 0, left = (size_t)p->txt_bytes; c < chunks; c++) {
                size_t n = left > 255 ? 255 : left;
                rd[off++] = (uint8_t)n;
                memset(rd + off, 'x', n);
                off += n;
                left -= n;
        }
        for (int i = 0; i < p->records && ret == 0; i++) {
                if (chunks == 1 && p->txt_bytes > 1)
                        rd[1] = (uint8_t)('a' + i % 26);  /* keep the records distinct */
                ret = zone_add_parts(z, owner, owner_len, DNS_TYPE_TXT, (uint32_t)p->ttl, rd, rdlen);
        }
        free(rd);
        return ret;
}

int grow_rrset(struct zone *z, const struct point_params *p, unsigned index,
               const uint8_t *name, size_t name_len, int type, char *err, size_t errlen)
{
        uint8_t owner[DNS_NAME_MAX], next[DNS_NAME_MAX];
        size_t owner_len = name_len, next_len;

        memcpy(owner, name, name_len);
        for (int k = 1; k <= p->cname_depth; k++) {
                if (grow_chain_name(name, name_len, (unsigned)k, next, &next_len) < 0) {
                        snprintf(err, errlen, "cname chain name too long");
                        return -1;
                }
                if (zone_add_parts(z, owner, owner_len, DNS_TYPE_CNAME, (uint32_t)p->ttl, next,
                                   next_len) < 0)
                        goto oom;
                memcpy(owner, next, next_len);
                owner_len = next_len;
        }
        if (type == DNS_TYPE_TXT) {
                if (grow_txt(z, p, owner, owner_len) < 0)
                        goto oom;
                return 0;
        }
        if (type != DNS_TYPE_A && type != DNS_TYPE_AAAA) {
                snprintf(err, errlen, "grow: type must be A, AAAA or TXT");
                return -1;
        }
        for (int i = 1; i <= p->records; i++) {
                uint8_t addr[16];
                grow_address(type, index, (unsigned)i, addr);
                if (zone_add_parts(z, owner, owner_len, (uint16_t)type, (uint32_t)p->ttl, addr,
                                   type == DNS_TYPE_A ? 4 : 16) < 0)
                        goto oom;
        }
        return 0;
oom:
        snprintf(err, errlen, "out of memory growing the zone");
        return -1;
}
