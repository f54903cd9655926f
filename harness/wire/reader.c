#include "harness/wire/reader.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const wire_error_table[WIRE_ERR_MAX] = {
        [WIRE_OK] = "ok",
        [WIRE_ERR_SHORT] = "short",
        [WIRE_ERR_POINTER] = "bad-pointer",
        [WIRE_ERR_LABEL_TYPE] = "bad-label-type",
        [WIRE_ERR_NAME_TOO_LONG] = "name-too-long",
        [WIRE_ERR_RDLENGTH] = "bad-rdlength",
        [WIRE_ERR_TRAILING] = "trailing-bytes",
};

static const char *const wire_section_table[WIRE_SECTION_MAX] = {
        [WIRE_SECTION_HEADER] = "header",
        [WIRE_SECTION_QUESTION] = "question",
        [WIRE_SECTION_ANSWER] = "answer",
        [WIRE_SECTION_AUTHORITY] = "authority",
        [WIRE_SECTION_ADDITIONAL] = "additional",
        [WIRE_SECTION_END] = "end",
};

const char *wire_error_to_string(enum wire_error e)
{
        if (e < 0 || e >= WIRE_ERR_MAX)
                return "invalid";
        return wire_error_table[e];
}

const char *wire_section_to_string(enum wire_section s)
{
        if (s < 0 || s >= WIRE_SECTION_MAX)
                return "invalid";
        return wire_section_table[s];
}

void wire_cursor_init(struct wire_cursor *c, const uint8_t *buf, size_t len)
{
        *c = (struct wire_cursor){ .buf = buf, .len = len };
}

void wire_cursor_fail(struct wire_cursor *c, enum wire_error e)
{
        if (c->err != WIRE_OK)
                return;
        c->err = e;
        c->err_pos = c->pos;
}

/* Returns true when n more bytes can be read; fails the cursor otherwise. */
static bool cursor_has(struct wire_cursor *c, size_t n)
{
        if (c->err != WIRE_OK)
                return false;
        if (n > c->len - c->pos) {
                wire_cursor_fail(c, WIRE_ERR_SHORT);
                return false;
        }
        return true;
}

uint8_t wire_read_u8(struct wire_cursor *c)
{
        if (!cursor_has(c, 1))
                return 0;
        return c->buf[c->pos++];
}

uint16_t wire_read_u16(struct wire_cursor *c)
{
        if (!cursor_has(c, 2))
                return 0;
        uint16_t v = (uint16_t)(c->buf[c->pos] << 8 | c->buf[c->pos + 1]);
        c->pos += 2;
        return v;
}

uint32_t wire_read_u32(struct wire_cursor *c)
{
        if (!cursor_has(c, 4))
                return 0;
        const uint8_t *p = c->buf + c->pos;
        c->pos += 4;
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void wire_read_bytes(struct wire_cursor *c, void *dst, size_t n)
{
        if (!cursor_has(c, n)) {
                if (dst)
                        memset(dst, 0, n);
                return;
        }
        if (dst)
                memcpy(dst, c->buf + c->pos, n);
        c->pos += n;
}

void wire_read_name(struct wire_cursor *c, uint8_t out[DNS_NAME_MAX], size_t *outlen)
{
        size_t n = 0;          /* bytes written to out */
        size_t p = c->pos;     /* where the next label byte is read */
        size_t limit = c->pos; /* pointers must target offsets below this */
        bool jumped = false;

        *outlen = 0;
        if (c->err != WIRE_OK)
                goto fail;
        for (;;) {
                if (p >= c->len) {
                        if (!jumped)
                                c->pos = p;
                        wire_cursor_fail(c, WIRE_ERR_SHORT);
                        goto fail;
                }
                uint8_t l = c->buf[p];
                if ((l & 0xc0) == 0xc0) {
                        if (1 >= c->len - p) {
                                if (!jumped)
                                        c->pos = p;
                                wire_cursor_fail(c, WIRE_ERR_SHORT);
                                goto fail;
                        }
                        size_t target = (size_t)(l & 0x3f) << 8 | c->buf[p + 1];
                        if (target >= limit) {
                                wire_cursor_fail(c, WIRE_ERR_POINTER);
                                goto fail;
                        }
                        if (!jumped)
                                c->pos = p + 2;
                        jumped = true;
                        limit = target;
                        p = target;
                        continue;
                }
                if (l & 0xc0) {
                        wire_cursor_fail(c, WIRE_ERR_LABEL_TYPE);
                        goto fail;
                }
                /* this label, plus the root label still to come after a non-root one */
                if ((size_t)l + (l ? 2 : 1) > DNS_NAME_MAX - n) {
                        wire_cursor_fail(c, WIRE_ERR_NAME_TOO_LONG);
                        goto fail;
                }
                if (l >= c->len - p) {
                        if (!jumped)
                                c->pos = p;
                        wire_cursor_fail(c, WIRE_ERR_SHORT);
                        goto fail;
                }
                memcpy(out + n, c->buf + p, (size_t)l + 1);
                n += (size_t)l + 1;
                p += (size_t)l + 1;
                if (l == 0)
                        break;
                if (!jumped && p > limit)
                        limit = p;  /* labels read in place extend what may be pointed at */
        }
        if (!jumped)
                c->pos = p;
        *outlen = n;
        return;
fail:
        memset(out, 0, DNS_NAME_MAX);
        *outlen = 0;
}

int wire_reader_init(struct wire_reader *r, const uint8_t *buf, size_t len)
{
        memset(r, 0, sizeof(*r));
        wire_cursor_init(&r->c, buf, len);
        r->hdr.id = wire_read_u16(&r->c);
        r->hdr.flags = wire_read_u16(&r->c);
        r->hdr.qdcount = wire_read_u16(&r->c);
        r->hdr.ancount = wire_read_u16(&r->c);
        r->hdr.nscount = wire_read_u16(&r->c);
        r->hdr.arcount = wire_read_u16(&r->c);
        r->section = WIRE_SECTION_QUESTION;
        if (r->c.err != WIRE_OK) {
                r->err_section = WIRE_SECTION_HEADER;
                return -1;
        }
        return 0;
}

static unsigned section_count(const struct wire_reader *r, enum wire_section s)
{
        switch (s) {
        case WIRE_SECTION_QUESTION: return r->hdr.qdcount;
        case WIRE_SECTION_ANSWER: return r->hdr.ancount;
        case WIRE_SECTION_AUTHORITY: return r->hdr.nscount;
        case WIRE_SECTION_ADDITIONAL: return r->hdr.arcount;
        default: return 0;
        }
}

/* Moves to the next section that still has records. */
static void reader_settle(struct wire_reader *r)
{
        while (r->section < WIRE_SECTION_END && r->index >= section_count(r, r->section)) {
                r->section++;
                r->index = 0;
        }
}

static int reader_fail(struct wire_reader *r)
{
        r->err_section = r->section;
        r->err_index = r->index;
        return -1;
}

int wire_reader_question(struct wire_reader *r, struct wire_question *q)
{
        memset(q, 0, sizeof(*q));
        if (r->c.err != WIRE_OK)
                return -1;
        reader_settle(r);
        if (r->section != WIRE_SECTION_QUESTION)
                return 0;
        wire_read_name(&r->c, q->name, &q->name_len);
        q->type = wire_read_u16(&r->c);
        q->class_ = wire_read_u16(&r->c);
        if (r->c.err != WIRE_OK) {
                memset(q, 0, sizeof(*q));
                return reader_fail(r);
        }
        r->index++;
        return 1;
}

/* Checks the rdata fields of known types against rdlength; decodes targets. */
static void read_rdata(struct wire_cursor *c, struct wire_rr *rr)
{
        size_t end = rr->rdata_offset + rr->rdlength;
        size_t fixed = 0;

        switch (rr->type) {
        case DNS_TYPE_A:
                if (rr->rdlength != 4)
                        wire_cursor_fail(c, WIRE_ERR_RDLENGTH);
                fixed = 4;
                break;
        case DNS_TYPE_AAAA:
                if (rr->rdlength != 16)
                        wire_cursor_fail(c, WIRE_ERR_RDLENGTH);
                fixed = 16;
                break;
        case DNS_TYPE_CNAME: case DNS_TYPE_NS: case DNS_TYPE_PTR:
                wire_read_name(c, rr->target, &rr->target_len);
                break;
        case DNS_TYPE_MX:
                wire_read_u16(c);
                wire_read_name(c, rr->target, &rr->target_len);
                break;
        case DNS_TYPE_SRV:
                wire_read_u16(c); wire_read_u16(c); wire_read_u16(c);
                wire_read_name(c, rr->target, &rr->target_len);
                break;
        case DNS_TYPE_SOA: {
                uint8_t tmp[DNS_NAME_MAX];
                size_t tl;
                wire_read_name(c, rr->target, &rr->target_len);
                wire_read_name(c, tmp, &tl);
                fixed = 20;
                break;
        }
        case DNS_TYPE_TXT:
                if (rr->rdlength == 0)
                        wire_cursor_fail(c, WIRE_ERR_RDLENGTH);
                while (c->err == WIRE_OK && c->pos < end)
                        wire_read_bytes(c, NULL, wire_read_u8(c));
                break;
        case DNS_TYPE_OPT:
                while (c->err == WIRE_OK && c->pos < end) {
                        wire_read_u16(c);
                        wire_read_bytes(c, NULL, wire_read_u16(c));
                }
                break;
        default:
                fixed = rr->rdlength;
                break;
        }
        if (c->err != WIRE_OK)
                return;
        if (c->pos > end || fixed != end - c->pos) {
                wire_cursor_fail(c, end > c->len ? WIRE_ERR_SHORT : WIRE_ERR_RDLENGTH);
                return;
        }
        wire_read_bytes(c, NULL, fixed);
}

int wire_reader_rr(struct wire_reader *r, struct wire_rr *rr)
{
        struct wire_question q;
        int got;

        memset(rr, 0, sizeof(*rr));
        if (r->c.err != WIRE_OK)
                return -1;
        while ((got = wire_reader_question(r, &q)) == 1)
                ;
        if (got < 0)
                return -1;
        reader_settle(r);
        if (r->section == WIRE_SECTION_END)
                return 0;

        rr->section = r->section;
        rr->index = r->index;
        rr->offset = r->c.pos;
        wire_read_name(&r->c, rr->owner, &rr->owner_len);
        rr->type = wire_read_u16(&r->c);
        rr->class_ = wire_read_u16(&r->c);
        rr->ttl = wire_read_u32(&r->c);
        rr->rdlength = wire_read_u16(&r->c);
        rr->rdata_offset = r->c.pos;
        if (r->c.err == WIRE_OK && rr->rdlength > r->c.len - r->c.pos)
                wire_cursor_fail(&r->c, WIRE_ERR_SHORT);
        if (r->c.err == WIRE_OK) {
                rr->rdata = r->c.buf + r->c.pos;
                read_rdata(&r->c, rr);
        }
        if (r->c.err != WIRE_OK) {
                enum wire_section s = rr->section;
                unsigned i = rr->index;
                memset(rr, 0, sizeof(*rr));
                rr->section = s;
                rr->index = i;
                return reader_fail(r);
        }
        r->index++;
        return 1;
}

int wire_reader_finish(struct wire_reader *r)
{
        if (r->c.err != WIRE_OK)
                return -1;
        if (r->c.pos != r->c.len) {
                r->err_section = WIRE_SECTION_END;
                wire_cursor_fail(&r->c, WIRE_ERR_TRAILING);
                return -1;
        }
        return 0;
}

void wire_reader_describe_error(const struct wire_reader *r, char *buf, size_t len)
{
        if (r->c.err == WIRE_OK) {
                snprintf(buf, len, "ok");
        } else if (r->err_section == WIRE_SECTION_HEADER || r->err_section == WIRE_SECTION_END) {
                snprintf(buf, len, "%s in %s at offset %zu", wire_error_to_string(r->c.err),
                         wire_section_to_string(r->err_section), r->c.err_pos);
        } else {
                snprintf(buf, len, "%s in %s record %u at offset %zu",
                         wire_error_to_string(r->c.err), wire_section_to_string(r->err_section),
                         r->err_index + 1, r->c.err_pos);
        }
}

bool wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
        if (alen != blen)
                return false;
        for (size_t i = 0; i < alen; i++)
                if (tolower(a[i]) != tolower(b[i]))
                        return false;  /* label lengths (< 64) are never letters */
        return true;
}

void wire_name_lower(uint8_t *name, size_t len)
{
        for (size_t i = 0; i < len; i++)
                name[i] = (uint8_t)tolower(name[i]);
}

void wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t outlen)
{
        size_t o = 0, p = 0;

        if (outlen == 0)
                return;
        if (len <= 1) {
                snprintf(out, outlen, ".");
                return;
        }
        while (p < len && name[p] != 0) {
                uint8_t l = name[p++];
                for (uint8_t i = 0; i < l && p < len; i++, p++) {
                        uint8_t ch = name[p];
                        char tmp[5];
                        if (ch == '.' || ch == '\\' || ch == '"' || ch == ';' || ch == '(' || ch == ')')
                                snprintf(tmp, sizeof(tmp), "\\%c", ch);
                        else if (ch <= 0x20 || ch >= 0x7f)
                                snprintf(tmp, sizeof(tmp), "\\%03u", ch);
                        else
                                snprintf(tmp, sizeof(tmp), "%c", ch);
                        for (char *t = tmp; *t && o + 1 < outlen; t++)
                                out[o++] = *t;
                }
                if (o + 1 < outlen)
                        out[o++] = '.';
        }
        out[o] = '\0';
}

int wire_name_from_text(const char *text, uint8_t out[DNS_NAME_MAX], size_t *outlen)
{
        size_t n = 0;
        const char *s = text;

        *outlen = 0;
        if (strcmp(text, ".") == 0) {
                out[0] = 0;
                *outlen = 1;
                return 0;
        }
        while (*s) {
                size_t lpos = n++;
                uint8_t l = 0;
                if (n >= DNS_NAME_MAX)
                        return -1;
                while (*s && *s != '.') {
                        int ch = (unsigned char)*s++;
                        if (ch == '\\') {
                                if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
                                    isdigit((unsigned char)s[2])) {
                                        ch = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
                                        if (ch > 255)
                                                return -1;
                                        s += 3;
                                } else if (*s) {
                                        ch = (unsigned char)*s++;
                                } else {
                                        return -1;
                                }
                        }
                        if (l == DNS_LABEL_MAX || n >= DNS_NAME_MAX - 1)
                                return -1;
                        out[n++] = (uint8_t)ch;
                        l++;
                }
                if (l == 0)
                        return -1;
                out[lpos] = l;
                if (*s == '.')
                        s++;
        }
        if (n >= DNS_NAME_MAX)
                return -1;
        out[n++] = 0;
        *outlen = n;
        return 0;
}
