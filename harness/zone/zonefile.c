#include "harness/zone/zonefile.h"

#include <ctype.h>
#include <limits.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ldns/ldns.h>

#include "harness/util/strutil.h"
#include "harness/wire/reader.h"

/* Stands in for the origin while none is known, so that a name written
 * relative can be recognised after ldns appended it (RFC 2606 reserves
 * .invalid). */
#define NO_ORIGIN "stubcompat-no-origin.invalid."

#define ENTRY_TOKENS 4          /* owner, TTL/class, class/TTL, type */
#define TOKEN_MAX 1024          /* a 255-byte name written with \DDD escapes fits */
#define SHOWN_MAX 80

struct loader {
        struct zonefile *zf;
        size_t src_cap;
        char basedir[4096];             /* folder of the top-level file ("": the current one) */
        char realbase[4096];            /* the same, resolved: $INCLUDE stays inside it */
        bool include_anywhere;          /* ZONEFILE_INCLUDE_ANYWHERE */
        char *err;
        size_t errlen;
        uint32_t ttl;                   /* $TTL */
        uint8_t origin[DNS_NAME_MAX];   /* current $ORIGIN, or NO_ORIGIN */
        size_t origin_len;
        bool origin_known;
        ldns_rdf *origin_rdf;           /* the same, for ldns */
        uint8_t no_origin[DNS_NAME_MAX];
        size_t no_origin_len;
        uint8_t first_origin[DNS_NAME_MAX];  /* first $ORIGIN, the apex of last resort */
        size_t first_origin_len;
        struct {
                dev_t dev;
                ino_t ino;
                unsigned file;
        } stack[ZONEFILE_INCLUDE_MAX + 1];   /* files being read, outermost first */
        size_t depth;
        ldns_buffer *wire;              /* scratch: rdata in wire form */
};

/* One file being read. */
struct source {
        unsigned file;
        const char *path;
        const char *text;
        size_t len;
        size_t pos;                     /* line counting cursor: line of text[pos] */
        unsigned pos_line;
        ldns_rdf *prev;                 /* previous owner, for lines starting with blanks */
        bool have_owner;
};

/* One entry as ldns read it: the first tokens with comments and parentheses
 * removed, enough to check what ldns does not. */
struct entry {
        unsigned line;                  /* of the first significant character */
        bool blank_owner;               /* starts with white space: previous owner */
        char tok[ENTRY_TOKENS][TOKEN_MAX];
        bool tok_long[ENTRY_TOKENS];    /* cut at TOKEN_MAX - 1 */
        size_t ntok;                    /* all tokens, also those not kept */
        char shown[SHOWN_MAX + 4];      /* the entry on one line, for messages */
        size_t shown_len;
        char *norm;                     /* all of it on one line, tokens one space apart */
        size_t norm_len, norm_cap;
        size_t tok_at[ENTRY_TOKENS], tok_end[ENTRY_TOKENS];  /* of tok[k] in norm */
        bool oom;
};

static int fail_at(struct loader *ld, const char *path, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static int fail_at(struct loader *ld, const char *path, unsigned line, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(ld->err, ld->errlen, "%s:%u: %s", path, line, msg);
        return -1;
}

/* "<ldns message> in '<entry>'" at the entry's line. */
static int fail_status(struct loader *ld, const struct source *s, const struct entry *e,
                       ldns_status st)
{
        return fail_at(ld, s->path, e->line, "%s in '%s'", ldns_get_errorstr_by_id(st), e->shown);
}

/* Line of text[off]; offsets must not decrease between calls. */
static unsigned line_at(struct source *s, size_t off)
{
        for (; s->pos < off; s->pos++)
                if (s->text[s->pos] == '\n')
                        s->pos_line++;
        return s->pos_line;
}

/* ------------------------------------------------------------------ entries */

struct tokenizer {
        struct entry *e;
        bool in_token;
        bool shown_cut;
        size_t tlen;
};

static void norm_char(struct entry *e, char c)
{
        if (e->norm_len + 2 > e->norm_cap) {
                size_t cap = e->norm_cap ? e->norm_cap * 2 : 256;
                char *n = realloc(e->norm, cap);
                if (!n) {
                        e->oom = true;
                        return;
                }
                e->norm = n;
                e->norm_cap = cap;
        }
        e->norm[e->norm_len++] = c;
        e->norm[e->norm_len] = '\0';
}

static void tok_char(struct tokenizer *t, char c)
{
        struct entry *e = t->e;
        if (!t->in_token) {
                t->in_token = true;
                t->tlen = 0;
                if (e->norm_len > 0 && e->norm[e->norm_len - 1] != ' ')
                        norm_char(e, ' ');
                if (e->ntok < ENTRY_TOKENS)
                        e->tok_at[e->ntok] = e->norm_len;
                if (e->shown_len > 0 && e->shown_len < SHOWN_MAX)
                        e->shown[e->shown_len++] = ' ';
                else if (e->shown_len > 0)
                        t->shown_cut = true;
        }
        if (e->ntok < ENTRY_TOKENS) {
                if (t->tlen < TOKEN_MAX - 1)
                        e->tok[e->ntok][t->tlen++] = c;
                else
                        e->tok_long[e->ntok] = true;
        }
        if (e->shown_len < SHOWN_MAX)
                e->shown[e->shown_len++] = c == '\n' || c == '\t' ? ' ' : c;
        else
                t->shown_cut = true;
        norm_char(e, c);
}

static void tok_end(struct tokenizer *t)
{
        if (!t->in_token)
                return;
        t->in_token = false;
        if (t->e->ntok < ENTRY_TOKENS) {
                t->e->tok[t->e->ntok][t->tlen] = '\0';
                t->e->tok_end[t->e->ntok] = t->e->norm_len;
        }
        t->e->ntok++;
}

/* Reads the entry ldns consumed, text[from, to): where it starts, whether it
 * has an owner, its first tokens, and whether its parentheses balance.
 * Returns 0, 1 when the span holds only blank lines and comments, or -1 with
 * err set for unbalanced parentheses. */
static int scan_entry(struct loader *ld, struct source *s, size_t from, size_t to,
                      struct entry *e)
{
        const char *t = s->text;
        struct tokenizer tk = { .e = e };
        size_t i = from;
        unsigned line, open_line = 0;
        int depth = 0;
        bool quoted = false;

        e->line = 0;
        e->ntok = 0;
        e->shown_len = 0;
        e->norm_len = 0;
        e->oom = false;
        for (size_t k = 0; k < ENTRY_TOKENS; k++) {
                e->tok[k][0] = '\0';
                e->tok_long[k] = false;
        }
        while (i < to) {
                if (t[i] == ';')
                        while (i < to && t[i] != '\n')
                                i++;
                else if (isspace((unsigned char)t[i]))
                        i++;
                else
                        break;
        }
        if (i >= to)
                return 1;
        line = e->line = line_at(s, i);
        e->blank_owner = i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t');
        if (e->blank_owner)
                norm_char(e, ' ');  /* ldns reads a leading blank as "previous owner" */
        for (; i < to; i++) {
                char c = t[i];
                if (c == '\n')
                        line++;
                if (quoted) {
                        if (c == '"')
                                quoted = false;
                        else if (c == '\\' && i + 1 < to)
                                tok_char(&tk, t[i++]);
                        tok_char(&tk, t[i]);
                        continue;
                }
                switch (c) {
                case '\\':
                        tok_char(&tk, c);
                        if (i + 1 < to)
                                tok_char(&tk, t[++i]);
                        break;
                case '"':
                        quoted = true;
                        tok_char(&tk, c);
                        break;
                case ';':
                        tok_end(&tk);
                        while (i + 1 < to && t[i + 1] != '\n')
                                i++;
                        break;
                case '(':
                        tok_end(&tk);
                        if (depth++ == 0)
                                open_line = line;
                        break;
                case ')':
                        tok_end(&tk);
                        if (--depth < 0)
                                return fail_at(ld, s->path, line,
                                               "unbalanced parenthesis: ')' without '('");
                        break;
                default:
                        if (isspace((unsigned char)c))
                                tok_end(&tk);
                        else
                                tok_char(&tk, c);
                }
        }
        tok_end(&tk);
        if (tk.shown_cut)
                memcpy(e->shown + e->shown_len, "...", 4);
        else
                e->shown[e->shown_len] = '\0';
        if (s->file != 0)   /* an $INCLUDE: the user did not name it, its text is not echoed */
                snprintf(e->shown, sizeof(e->shown), "an entry of an included file");
        if (depth > 0)
                return fail_at(ld, s->path, open_line, "unbalanced parenthesis: '(' is never closed");
        if (e->oom)
                return fail_at(ld, s->path, e->line, "out of memory");
        return 0;
}

/* ------------------------------------------------------------------ names */

/* Parses a TTL the way ldns reads one (seconds, or numbers with units s, m,
 * h, d, w as in "1h30m"), but strictly: nothing may follow, and it must fit
 * in 31 bits (RFC 2181 8). Returns 0, or -1. */
int zonefile_parse_ttl(const char *s, uint32_t *out)
{
        uint64_t total = 0;

        if (!isdigit((unsigned char)*s))
                return -1;
        while (*s) {
                uint64_t n = 0, unit = 1;
                if (!isdigit((unsigned char)*s))
                        return -1;
                while (isdigit((unsigned char)*s)) {
                        n = n * 10 + (uint64_t)(*s++ - '0');
                        if (n > INT32_MAX)
                                return -1;
                }
                switch (tolower((unsigned char)*s)) {
                case '\0': break;
                case 's': s++; break;
                case 'm': unit = 60; s++; break;
                case 'h': unit = 3600; s++; break;
                case 'd': unit = 86400; s++; break;
                case 'w': unit = 604800; s++; break;
                default: return -1;
                }
                total += n * unit;
                if (total > INT32_MAX)
                        return -1;
        }
        *out = (uint32_t)total;
        return 0;
}

/* True when the wire name ends in the label sequence suffix. */
static bool name_ends_with(const uint8_t *name, size_t len, const uint8_t *suffix, size_t slen)
{
        for (size_t p = 0; p < len && len - p >= slen; p += (size_t)name[p] + 1)
                if (len - p == slen)
                        return wire_name_equal(name + p, slen, suffix, slen);
        return false;
}

/* A name ldns built: not relative without an origin, at most 255 bytes. */
static int check_name(struct loader *ld, const struct source *s, const struct entry *e,
                      const ldns_rdf *name)
{
        const uint8_t *d = ldns_rdf_data(name);
        size_t len = ldns_rdf_size(name);

        if (!ld->origin_known && name_ends_with(d, len, ld->no_origin, ld->no_origin_len))
                return fail_at(ld, s->path, e->line,
                               "relative name and no origin (add $ORIGIN or use --origin) in '%s'",
                               e->shown);
        if (len > DNS_NAME_MAX)
                return fail_status(ld, s, e, LDNS_STATUS_DOMAINNAME_OVERFLOW);
        return 0;
}

static int set_origin(struct loader *ld, const uint8_t *name, size_t len, bool known)
{
        ldns_rdf *r = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, len, name);
        if (!r)
                return -1;
        ldns_rdf_deep_free(ld->origin_rdf);
        ld->origin_rdf = r;
        memmove(ld->origin, name, len);
        ld->origin_len = len;
        ld->origin_known = known;
        return 0;
}

/* Absolute wire name of text as written in the file: "@" is the origin, a
 * name without a trailing dot gets the origin appended. Returns an ldns status. */
static ldns_status resolve_name(struct loader *ld, const char *text, uint8_t out[DNS_NAME_MAX],
                                size_t *outlen)
{
        ldns_rdf *r = NULL;
        ldns_status st;
        size_t len;

        if (strcmp(text, "@") == 0) {
                memcpy(out, ld->origin, ld->origin_len);
                *outlen = ld->origin_len;
                return LDNS_STATUS_OK;
        }
        st = ldns_str2rdf_dname(&r, text);
        if (st != LDNS_STATUS_OK)
                return st;
        len = ldns_rdf_size(r);
        if (!ldns_dname_str_absolute(text)) {
                len--;  /* drop the root label ldns added */
                if (len + ld->origin_len > DNS_NAME_MAX) {
                        ldns_rdf_deep_free(r);
                        return LDNS_STATUS_DOMAINNAME_OVERFLOW;
                }
                memcpy(out, ldns_rdf_data(r), len);
                memcpy(out + len, ld->origin, ld->origin_len);
                len += ld->origin_len;
        } else {
                if (len > DNS_NAME_MAX) {
                        ldns_rdf_deep_free(r);
                        return LDNS_STATUS_DOMAINNAME_OVERFLOW;
                }
                memcpy(out, ldns_rdf_data(r), len);
        }
        ldns_rdf_deep_free(r);
        *outlen = len;
        return LDNS_STATUS_OK;
}

/* ------------------------------------------------------------------ directives */

static int read_file(struct loader *ld, const char *path, const struct source *parent,
                     unsigned parent_line);

static int directive_origin(struct loader *ld, struct source *s, const struct entry *e)
{
        uint8_t name[DNS_NAME_MAX];
        size_t len;
        ldns_status st;

        if (e->ntok < 2)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_DNAME_ERR);
        if (e->ntok > 2)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_SUPERFLUOUS_TEXT_ERR);
        if (!ld->origin_known && !ldns_dname_str_absolute(e->tok[1]))
                return fail_at(ld, s->path, e->line,
                               "relative name and no origin (add $ORIGIN or use --origin) in '%s'",
                               e->shown);
        st = e->tok_long[1] ? LDNS_STATUS_DOMAINNAME_OVERFLOW : resolve_name(ld, e->tok[1], name, &len);
        if (st != LDNS_STATUS_OK)
                return fail_status(ld, s, e, st);
        if (ld->first_origin_len == 0) {
                memcpy(ld->first_origin, name, len);
                ld->first_origin_len = len;
        }
        if (set_origin(ld, name, len, true) < 0)
                return fail_at(ld, s->path, e->line, "out of memory");
        return 0;
}

static int directive_ttl(struct loader *ld, struct source *s, const struct entry *e)
{
        if (e->ntok > 2)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_SUPERFLUOUS_TEXT_ERR);
        if (e->ntok < 2 || zonefile_parse_ttl(e->tok[1], &ld->ttl) < 0)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_TTL_ERR);
        return 0;
}

/* True when path (an $INCLUDE) resolves, symlinks and ".." included, to
 * something outside the top-level zone file's folder. A path that does not
 * resolve is left to read_file, which reports it missing. */
static bool include_outside(const struct loader *ld, const char *path)
{
        char real[PATH_MAX];
        size_t n = strlen(ld->realbase);
        if (!realpath(path, real))
                return errno != ENOENT;
        if (strcmp(ld->realbase, "/") == 0)
                return false;
        return strncmp(real, ld->realbase, n) != 0 || real[n] != '/';
}

/* $INCLUDE FILE [ORIGIN]: FILE relative to the top-level file's folder; the
 * origin (and the previous owner) of the including file are restored after. */
static int directive_include(struct loader *ld, struct source *s, const struct entry *e)
{
        uint8_t saved[DNS_NAME_MAX];
        size_t saved_len = ld->origin_len;
        bool saved_known = ld->origin_known;
        char file[TOKEN_MAX], path[8192];
        size_t fl;
        int ret;

        if (e->ntok < 2)
                return fail_at(ld, s->path, e->line, "$INCLUDE without a file name");
        if (e->ntok > 3)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_SUPERFLUOUS_TEXT_ERR);
        snprintf(file, sizeof(file), "%s", e->tok[1]);
        fl = strlen(file);
        if (fl >= 2 && file[0] == '"' && file[fl - 1] == '"') {
                memmove(file, file + 1, fl - 2);
                file[fl - 2] = '\0';
        }
        if (file[0] == '/' || ld->basedir[0] == '\0')
                snprintf(path, sizeof(path), "%s", file);
        else
                snprintf(path, sizeof(path), "%s/%s", ld->basedir, file);
        memcpy(saved, ld->origin, saved_len);
        if (e->ntok == 3) {
                uint8_t name[DNS_NAME_MAX];
                size_t len;
                ldns_status st;
                if (!ld->origin_known && !ldns_dname_str_absolute(e->tok[2]))
                        return fail_at(ld, s->path, e->line,
                                       "relative name and no origin (add $ORIGIN or use --origin) in '%s'",
                                       e->shown);
                st = resolve_name(ld, e->tok[2], name, &len);
                if (st != LDNS_STATUS_OK)
                        return fail_status(ld, s, e, st);
                if (set_origin(ld, name, len, true) < 0)
                        return fail_at(ld, s->path, e->line, "out of memory");
        }
        if (!ld->include_anywhere && include_outside(ld, path))
                return fail_at(ld, s->path, e->line, "$INCLUDE %s: outside the folder of %s "
                               "(allow it with --include-anywhere)", file, ld->zf->files[0]);
        ret = read_file(ld, path, s, e->line);
        if (set_origin(ld, saved, saved_len, saved_known) < 0 && ret == 0)
                ret = fail_at(ld, s->path, e->line, "out of memory");
        return ret;
}

static int directive(struct loader *ld, struct source *s, const struct entry *e)
{
        const char *d = e->tok[0];
        if (strcasecmp(d, "$ORIGIN") == 0)
                return directive_origin(ld, s, e);
        if (strcasecmp(d, "$TTL") == 0)
                return directive_ttl(ld, s, e);
        if (strcasecmp(d, "$INCLUDE") == 0)
                return directive_include(ld, s, e);
        if (strcasecmp(d, "$GENERATE") == 0)
                return fail_at(ld, s->path, e->line,
                               "$GENERATE is a BIND extension, not supported in '%s'", e->shown);
        return fail_at(ld, s->path, e->line, "unknown directive %.40s in '%s'", s->file ? "" : d,
                       e->shown);
}

/* ------------------------------------------------------------------ records */

/* What ldns accepts but should not: no owner at the start of a file, owner
 * names with bad labels, TTLs with garbage, unknown types. */
static int check_fields(struct loader *ld, struct source *s, const struct entry *e)
{
        size_t k = 0;

        if (e->blank_owner && !s->have_owner)
                return fail_at(ld, s->path, e->line,
                               "no previous owner for a record that starts with white space in '%s'",
                               e->shown);
        if (!e->blank_owner) {
                if (e->tok_long[0])
                        return fail_status(ld, s, e, LDNS_STATUS_DOMAINNAME_OVERFLOW);
                if (strcmp(e->tok[0], "@") != 0) {
                        ldns_rdf *r = NULL;
                        ldns_status st = ldns_str2rdf_dname(&r, e->tok[0]);
                        ldns_rdf_deep_free(r);
                        if (st != LDNS_STATUS_OK)
                                return fail_status(ld, s, e, st);
                }
                k = 1;
        }
        for (int field = 0; field < 2 && k < e->ntok && k < ENTRY_TOKENS; field++, k++) {
                uint32_t ttl;
                if (isdigit((unsigned char)e->tok[k][0])) {
                        if (zonefile_parse_ttl(e->tok[k], &ttl) < 0)
                                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_TTL_ERR);
                } else if (ldns_get_rr_class_by_name(e->tok[k]) == 0) {
                        break;
                }
        }
        if (k < e->ntok && k < ENTRY_TOKENS && ldns_get_rr_type_by_name(e->tok[k]) == 0)
                return fail_status(ld, s, e, LDNS_STATUS_SYNTAX_TYPE_ERR);
        return 0;
}

static int add_source(struct loader *ld, unsigned file, unsigned line)
{
        struct zonefile *zf = ld->zf;
        size_t n = zf->zone->n;
        if (n > ld->src_cap) {
                size_t cap = ld->src_cap ? ld->src_cap * 2 : 256;
                struct zonefile_source *p;
                while (cap < n)
                        cap *= 2;
                p = realloc(zf->src, cap * sizeof(*p));
                if (!p)
                        return -1;
                zf->src = p;
                ld->src_cap = cap;
        }
        zf->src[n - 1] = (struct zonefile_source){ .file = file, .line = line };
        return 0;
}

/* RFC 1035 5.1 allows [<TTL>] [<class>] in either order; ldns reads only TTL
 * first. For "www IN 300 A ..." the entry is parsed again with the two
 * swapped. Returns the new status (and *rr), or st unchanged. */
static ldns_status reparse_class_ttl(struct loader *ld, struct source *s, const struct entry *e,
                                     ldns_status st, ldns_rr **rr)
{
        size_t k = e->blank_owner ? 0 : 1;
        char *text;

        if (st == LDNS_STATUS_OK || e->ntok < k + 3 || k + 1 >= ENTRY_TOKENS ||
            ldns_get_rr_class_by_name(e->tok[k]) == 0 || !isdigit((unsigned char)e->tok[k + 1][0]))
                return st;
        text = malloc(e->norm_len + 2);
        if (!text)
                return LDNS_STATUS_MEM_ERR;
        snprintf(text, e->norm_len + 2, "%.*s%s %s%s", (int)e->tok_at[k], e->norm, e->tok[k + 1],
                 e->tok[k], e->norm + e->tok_end[k + 1]);
        ldns_rr_free(*rr);
        *rr = NULL;
        st = ldns_rr_new_frm_str(rr, text, ld->ttl, ld->origin_rdf, &s->prev);
        free(text);
        return st;
}

static int add_record(struct loader *ld, struct source *s, const struct entry *e,
                      ldns_status st, ldns_rr **rrp)
{
        struct zone *z = ld->zf->zone;
        const ldns_rdf *owner;
        const ldns_rr *rr;

        if (check_fields(ld, s, e) < 0)
                return -1;
        st = reparse_class_ttl(ld, s, e, st, rrp);
        rr = *rrp;
        if (st != LDNS_STATUS_OK || !rr)
                return fail_status(ld, s, e, st != LDNS_STATUS_OK ? st : LDNS_STATUS_SYNTAX_ERR);
        owner = ldns_rr_owner(rr);
        if (check_name(ld, s, e, owner) < 0)
                return -1;
        for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
                const ldns_rdf *f = ldns_rr_rdf(rr, i);
                if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME && check_name(ld, s, e, f) < 0)
                        return -1;
        }
        ldns_buffer_clear(ld->wire);
        if (ldns_rr_rdata2buffer_wire(ld->wire, rr) != LDNS_STATUS_OK)
                return fail_at(ld, s->path, e->line, "cannot encode the rdata of '%s'", e->shown);
        if (ldns_buffer_position(ld->wire) > 65535)
                return fail_status(ld, s, e, LDNS_STATUS_RDATA_OVERFLOW);
        if (zone_add_parts(z, ldns_rdf_data(owner), ldns_rdf_size(owner),
                           (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
                           ldns_buffer_begin(ld->wire), ldns_buffer_position(ld->wire)) < 0)
                return fail_at(ld, s->path, e->line, "out of memory");
        z->rrs[z->n - 1].class_ = (uint16_t)ldns_rr_get_class(rr);
        if (add_source(ld, s->file, e->line) < 0)
                return fail_at(ld, s->path, e->line, "out of memory");
        s->have_owner = true;
        return 0;
}

/* Reads every entry of one file with ldns, checking each. */
static int read_entries(struct loader *ld, struct source *s)
{
        FILE *fp;
        int ldns_line = 0, ret = 0;
        struct entry *e;

        if (s->len == 0)
                return 0;
        e = calloc(1, sizeof(*e));
        fp = fmemopen((void *)s->text, s->len, "r");
        if (!e || !fp) {
                free(e);
                if (fp)
                        fclose(fp);
                snprintf(ld->err, ld->errlen, "%s: out of memory", s->path);
                return -1;
        }
        for (;;) {
                long from = ftell(fp), to;
                ldns_rr *rr = NULL;
                ldns_rdf *origin = ld->origin_rdf;
                ldns_status st;
                int r;

                st = ldns_rr_new_frm_fp_l(&rr, fp, &ld->ttl, &origin, &s->prev, &ldns_line);
                to = ftell(fp);
                if (origin != ld->origin_rdf) {
                        /* ldns read a $ORIGIN and freed ours; directive_origin sets it */
                        ldns_rdf_deep_free(origin);
                        ld->origin_rdf = NULL;
                }
                r = scan_entry(ld, s, (size_t)from, (size_t)to, e);
                if (r == 0 && !e->blank_owner && e->tok[0][0] == '$')
                        r = directive(ld, s, e);
                else if (r == 0)
                        r = add_record(ld, s, e, st, &rr);
                else if (r == 1)
                        r = 0;
                ldns_rr_free(rr);
                if (r == 0 && !ld->origin_rdf &&
                    set_origin(ld, ld->origin, ld->origin_len, ld->origin_known) < 0) {
                        snprintf(ld->err, ld->errlen, "%s: out of memory", s->path);
                        r = -1;
                }
                if (r < 0) {
                        ret = -1;
                        break;
                }
                if (feof(fp) || to <= from || (size_t)to >= s->len)
                        break;
        }
        fclose(fp);
        free(e->norm);
        free(e);
        return ret;
}

static int add_file(struct zonefile *zf, const char *path)
{
        char **n = realloc(zf->files, (zf->nfiles + 1) * sizeof(*n));
        if (!n)
                return -1;
        zf->files = n;
        if (!(zf->files[zf->nfiles] = strdup(path)))
                return -1;
        zf->nfiles++;
        return 0;
}

/* "$INCLUDE loop: a.zone -> b.inc -> a.zone", from the first file of the loop. */
static int fail_loop(struct loader *ld, const struct source *parent, unsigned line, size_t first,
                     const char *path)
{
        char chain[2048] = "";
        size_t len = 0;
        for (size_t i = first; i < ld->depth && len < sizeof(chain); i++) {
                int n = snprintf(chain + len, sizeof(chain) - len, "%s -> ",
                                 ld->zf->files[ld->stack[i].file]);
                len = n < 0 ? sizeof(chain) : len + (size_t)n;
        }
        return fail_at(ld, parent->path, line, "$INCLUDE loop: %s%s", chain, path);
}

/* Reads path (the top-level file when parent is NULL, else an $INCLUDE of
 * parent at parent_line). */
static int read_file(struct loader *ld, const char *path, const struct source *parent,
                     unsigned parent_line)
{
        struct source s = { .path = path, .pos_line = 1 };
        struct stat st = { 0 };
        char msg[1024];
        char *text = NULL;
        int ret;

        if (file_read_all(path, &text, &s.len, msg, sizeof(msg)) < 0) {
                text = NULL;
        } else if (stat(path, &st) < 0) {
                snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
                free(text);
                text = NULL;
        }
        if (!text) {
                if (parent)
                        return fail_at(ld, parent->path, parent_line, "$INCLUDE %s", msg);
                snprintf(ld->err, ld->errlen, "%s", msg);
                return -1;
        }
        for (size_t i = 0; parent && i < ld->depth; i++)
                if (ld->stack[i].dev == st.st_dev && ld->stack[i].ino == st.st_ino) {
                        free(text);
                        return fail_loop(ld, parent, parent_line, i, path);
                }
        if (parent && ld->depth > ZONEFILE_INCLUDE_MAX) {
                free(text);
                return fail_at(ld, parent->path, parent_line,
                               "$INCLUDE nested more than %d levels deep", ZONEFILE_INCLUDE_MAX);
        }
        if (add_file(ld->zf, path) < 0) {
                free(text);
                snprintf(ld->err, ld->errlen, "%s: out of memory", path);
                return -1;
        }
        s.file = (unsigned)(ld->zf->nfiles - 1);
        s.path = ld->zf->files[s.file];
        s.text = text;
        ld->stack[ld->depth].dev = st.st_dev;
        ld->stack[ld->depth].ino = st.st_ino;
        ld->stack[ld->depth].file = s.file;
        ld->depth++;
        ret = read_entries(ld, &s);
        ld->depth--;
        ldns_rdf_deep_free(s.prev);
        free(text);
        return ret;
}

/* ------------------------------------------------------------------ API */

/* The apex: the origin given, else the first SOA's owner, else the first
 * $ORIGIN, else the root. */
static void choose_apex(struct loader *ld, const uint8_t *given, size_t given_len)
{
        struct zone *z = ld->zf->zone;
        const uint8_t *name = (const uint8_t *)"";
        size_t len = 1;

        if (given_len) {
                name = given;
                len = given_len;
        } else {
                const struct zone_rr *soa = NULL;
                for (size_t i = 0; i < z->n && !soa; i++)
                        if (z->rrs[i].type == DNS_TYPE_SOA)
                                soa = &z->rrs[i];
                if (soa) {
                        name = soa->owner;
                        len = soa->owner_len;
                } else if (ld->first_origin_len) {
                        name = ld->first_origin;
                        len = ld->first_origin_len;
                }
        }
        memcpy(z->origin, name, len);
        z->origin_len = len;
}

static void basedir_of(const char *path, char *out, size_t len)
{
        const char *slash = strrchr(path, '/');
        if (!slash)
                snprintf(out, len, "%s", "");  /* the current folder: paths as written */
        else if (slash == path)
                snprintf(out, len, "/");
        else
                snprintf(out, len, "%.*s", (int)(slash - path), path);
}

int zonefile_read(const char *path, const char *origin_or_null, struct zonefile **out,
                  char *err, size_t errlen)
{
        return zonefile_read_flags(path, origin_or_null, 0, out, err, errlen);
}

int zonefile_read_flags(const char *path, const char *origin_or_null, unsigned flags,
                        struct zonefile **out, char *err, size_t errlen)
{
        struct loader ld = { .err = err, .errlen = errlen, .ttl = 3600,
                             .include_anywhere = flags & ZONEFILE_INCLUDE_ANYWHERE };
        uint8_t given[DNS_NAME_MAX];
        size_t given_len = 0;
        ldns_rdf *r = NULL;
        int ret = -1;

        *out = NULL;
        ld.zf = calloc(1, sizeof(*ld.zf));
        ld.wire = ldns_buffer_new(512);
        if (!ld.zf || !ld.wire || !(ld.zf->zone = zone_new((const uint8_t *)"", 1))) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        basedir_of(path, ld.basedir, sizeof(ld.basedir));
        if (!realpath(ld.basedir[0] ? ld.basedir : ".", ld.realbase))
                snprintf(ld.realbase, sizeof(ld.realbase), "%s", ld.basedir);
        if (ldns_str2rdf_dname(&r, NO_ORIGIN) != LDNS_STATUS_OK) {
                snprintf(err, errlen, "%s: out of memory", path);
                goto cleanup;
        }
        ld.no_origin_len = ldns_rdf_size(r);
        memcpy(ld.no_origin, ldns_rdf_data(r), ld.no_origin_len);
        ldns_rdf_deep_free(r);
        r = NULL;
        if (origin_or_null) {
                ldns_status st = ldns_str2rdf_dname(&r, origin_or_null);
                if (st == LDNS_STATUS_OK && ldns_rdf_size(r) > DNS_NAME_MAX)
                        st = LDNS_STATUS_DOMAINNAME_OVERFLOW;
                if (st != LDNS_STATUS_OK) {
                        snprintf(err, errlen, "origin '%s': %s", origin_or_null,
                                 ldns_get_errorstr_by_id(st));
                        goto cleanup;
                }
                given_len = ldns_rdf_size(r);
                memcpy(given, ldns_rdf_data(r), given_len);
                if (set_origin(&ld, given, given_len, true) < 0)
                        goto oom;
        } else if (set_origin(&ld, ld.no_origin, ld.no_origin_len, false) < 0) {
                goto oom;
        }
        if (read_file(&ld, path, NULL, 0) < 0)
                goto cleanup;
        choose_apex(&ld, given, given_len);
        *out = ld.zf;
        ld.zf = NULL;
        ret = 0;
        goto cleanup;
oom:
        snprintf(err, errlen, "%s: out of memory", path);
cleanup:
        ldns_rdf_deep_free(r);
        ldns_rdf_deep_free(ld.origin_rdf);
        ldns_buffer_free(ld.wire);
        zonefile_free(ld.zf);
        return ret;
}

void zonefile_free(struct zonefile *zf)
{
        if (!zf)
                return;
        zone_free(zf->zone);
        for (size_t i = 0; i < zf->nfiles; i++)
                free(zf->files[i]);
        free(zf->files);
        free(zf->src);
        free(zf);
}

int zonefile_load(const char *path, const char *origin_or_null, struct zone **out,
                  char *err, size_t errlen)
{
        return zonefile_load_flags(path, origin_or_null, 0, out, err, errlen);
}

int zonefile_load_flags(const char *path, const char *origin_or_null, unsigned flags,
                        struct zone **out, char *err, size_t errlen)
{
        struct zonefile *zf;
        if (zonefile_read_flags(path, origin_or_null, flags, &zf, err, errlen) < 0) {
                *out = NULL;
                return -1;
        }
        *out = zf->zone;  /* handed to the caller */
        zf->zone = NULL;
        zonefile_free(zf);
        return 0;
}

const char *zonefile_record_file(const struct zonefile *zf, size_t i)
{
        return zf->files[zf->src[i].file];
}

unsigned zonefile_record_line(const struct zonefile *zf, size_t i)
{
        return zf->src[i].line;
}
