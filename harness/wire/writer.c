#include "harness/wire/writer.h"

#include <ctype.h>
#include <string.h>

void wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap, bool compress)
{
        /* slots[] is not cleared: only slots[0, nslots) are ever read */
        w->nslots = 0;
        w->len = 0;
        w->overflow = false;
        w->buf = buf;
        w->cap = cap;
        w->compress = compress;
}

static bool writer_room(struct wire_writer *w, size_t n)
{
        if (w->overflow)
                return false;
        if (n > w->cap - w->len) {
                w->overflow = true;
                return false;
        }
        return true;
}

void wire_write_bytes(struct wire_writer *w, const void *p, size_t n)
{
        if (!writer_room(w, n))
                return;
        memcpy(w->buf + w->len, p, n);
        w->len += n;
}

void wire_write_u8(struct wire_writer *w, uint8_t v)
{
        wire_write_bytes(w, &v, 1);
}

void wire_write_u16(struct wire_writer *w, uint16_t v)
{
        uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
        wire_write_bytes(w, b, 2);
}

void wire_write_u32(struct wire_writer *w, uint32_t v)
{
        uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
        wire_write_bytes(w, b, 4);
}

void wire_patch_u16(struct wire_writer *w, size_t offset, uint16_t v)
{
        if (w->overflow || offset > w->len || 2 > w->len - offset)
                return;
        w->buf[offset] = (uint8_t)(v >> 8);
        w->buf[offset + 1] = (uint8_t)v;
}

void wire_write_header(struct wire_writer *w, const struct dns_header *h)
{
        wire_write_u16(w, h->id);
        wire_write_u16(w, h->flags);
        wire_write_u16(w, h->qdcount);
        wire_write_u16(w, h->ancount);
        wire_write_u16(w, h->nscount);
        wire_write_u16(w, h->arcount);
}

size_t wire_name_length(const uint8_t *p, size_t max)
{
        size_t n = 0;
        while (n < max && p[n] != 0)
                n += (size_t)p[n] + 1;
        return n < max ? n + 1 : max;
}

/* True when the (possibly compressed) name written at off equals the
 * uncompressed name suffix, ignoring ASCII case. Only our own output is
 * walked here, so pointers are known to go backwards. */
static bool written_name_equals(const struct wire_writer *w, size_t off, const uint8_t *suffix)
{
        for (;;) {
                uint8_t l = w->buf[off];
                if ((l & 0xc0) == 0xc0) {
                        off = (size_t)(l & 0x3f) << 8 | w->buf[off + 1];
                        continue;
                }
                if (l != *suffix)
                        return false;
                if (l == 0)
                        return true;
                for (uint8_t i = 1; i <= l; i++)
                        if (tolower(w->buf[off + i]) != tolower(suffix[i]))
                                return false;
                off += (size_t)l + 1;
                suffix += (size_t)l + 1;
        }
}

static int find_suffix(const struct wire_writer *w, const uint8_t *suffix)
{
        for (unsigned i = 0; i < w->nslots; i++)
                if (written_name_equals(w, w->slots[i], suffix))
                        return w->slots[i];
        return -1;
}

/* Makes the labels a name wrote in full pointer targets. Called once the whole
 * name is on the wire: earlier, a suffix of the name being written could match
 * its own first labels followed by bytes not written yet, and the name would
 * point at itself. Nothing is added after an overflow. */
static void add_slots(struct wire_writer *w, const uint16_t *at, unsigned n)
{
        for (unsigned i = 0; i < n && w->nslots < WIRE_COMPRESSION_SLOTS && !w->overflow; i++)
                w->slots[w->nslots++] = at[i];
}

/* True when name is whole within len: labels of at most 63 bytes that end
 * inside it, then the root label. */
static bool name_well_formed(const uint8_t *name, size_t len)
{
        size_t p = 0;
        while (p < len && name[p] != 0) {
                if (name[p] > 63 || (size_t)name[p] + 1 > len - p)
                        return false;
                p += (size_t)name[p] + 1;
        }
        return p < len;
}

void wire_write_name(struct wire_writer *w, const uint8_t *name, size_t len, bool compressible)
{
        uint16_t mine[DNS_NAME_MAX / 2 + 1];  /* labels of this name written in full */
        unsigned nmine = 0;
        size_t p = 0;
        bool use = w->compress && compressible;

        /* a malformed name (recorded rdata replayed as it came) is copied as it
         * is: never read past it, never compressed, never a pointer target */
        if (!name_well_formed(name, len)) {
                wire_write_bytes(w, name, len);
                return;
        }

        while (p < len && name[p] != 0 && !w->overflow) {
                if (use) {
                        int at = find_suffix(w, name + p);
                        if (at >= 0) {
                                wire_write_u16(w, (uint16_t)(0xc000 | at));
                                add_slots(w, mine, nmine);
                                return;
                        }
                }
                if (w->len < 0x4000 && nmine < sizeof(mine) / sizeof(mine[0]))
                        mine[nmine++] = (uint16_t)w->len;
                wire_write_bytes(w, name + p, (size_t)name[p] + 1);
                p += (size_t)name[p] + 1;
        }
        wire_write_u8(w, 0);
        add_slots(w, mine, nmine);
}

void wire_write_question(struct wire_writer *w, const uint8_t *name, size_t len,
                         uint16_t type, uint16_t class_)
{
        wire_write_name(w, name, len, true);
        wire_write_u16(w, type);
        wire_write_u16(w, class_);
}

/* Writes rdata whose layout is: prefix bytes, then names (compressible), then suffix. */
static void write_rdata_names(struct wire_writer *w, const uint8_t *rdata, size_t rdlen,
                              size_t prefix, unsigned names)
{
        size_t p = prefix;
        wire_write_bytes(w, rdata, prefix);
        for (unsigned i = 0; i < names && p < rdlen; i++) {
                size_t nl = wire_name_length(rdata + p, rdlen - p);
                wire_write_name(w, rdata + p, nl, true);
                p += nl;
        }
        wire_write_bytes(w, rdata + p, rdlen - p);
}

void wire_write_rr(struct wire_writer *w, const uint8_t *owner, size_t owner_len, uint16_t type,
                   uint16_t class_, uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
        size_t rdlen_at;

        wire_write_name(w, owner, owner_len, true);
        wire_write_u16(w, type);
        wire_write_u16(w, class_);
        wire_write_u32(w, ttl);
        rdlen_at = w->len;
        wire_write_u16(w, 0);
        switch (type) {
        case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR:
        case DNS_TYPE_MB: case DNS_TYPE_MG: case DNS_TYPE_MR:
                write_rdata_names(w, rdata, rdlen, 0, 1);
                break;
        case DNS_TYPE_MINFO:
                write_rdata_names(w, rdata, rdlen, 0, 2);
                break;
        case DNS_TYPE_MX:
                write_rdata_names(w, rdata, rdlen, 2, 1);
                break;
        case DNS_TYPE_SOA:
                write_rdata_names(w, rdata, rdlen, 0, 2);
                break;
        default:
                wire_write_bytes(w, rdata, rdlen);
                break;
        }
        wire_patch_u16(w, rdlen_at, (uint16_t)(w->len - rdlen_at - 2));
}

void wire_write_opt(struct wire_writer *w, uint16_t udp_size, uint8_t ext_rcode,
                    uint8_t version, uint16_t flags)
{
        wire_write_u8(w, 0);
        wire_write_u16(w, DNS_TYPE_OPT);
        wire_write_u16(w, udp_size);
        wire_write_u8(w, ext_rcode);
        wire_write_u8(w, version);
        wire_write_u16(w, flags);
        wire_write_u16(w, 0);
}

int wire_writer_status(const struct wire_writer *w)
{
        return w->overflow ? -1 : 0;
}
