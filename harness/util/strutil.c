#include "harness/util/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/util/safefile.h"

void str_trim(char *s)
{
        size_t n = strlen(s), b = 0;
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        while (b < n && isspace((unsigned char)s[b]))
                b++;
        if (b)
                memmove(s, s + b, n - b + 1);
}

void str_strip_comment(char *s)
{
        int quoted = 0;
        for (char *p = s; *p; p++) {
                if (*p == '\\' && p[1]) {
                        p++;
                } else if (*p == '"') {
                        quoted = !quoted;
                } else if (*p == '#' && !quoted && (p == s || isspace((unsigned char)p[-1]))) {
                        *p = '\0';
                        return;
                }
        }
}

int strv_push(char ***v, size_t *n, const char *s)
{
        char **nv = realloc(*v, (*n + 1) * sizeof(**v));
        if (!nv)
                return -1;
        *v = nv;
        nv[*n] = strdup(s);
        if (!nv[*n])
                return -1;
        (*n)++;
        return 0;
}

void strv_free(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int file_read_all(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
        FILE *f = safe_fopen_input(path, err, errlen);
        char *buf = NULL;
        size_t n = 0, cap = 0;
        int ret = -1;

        *out = NULL;
        if (!f)
                return -1;
        for (;;) {
                if (cap - n < 4096) {
                        cap = cap ? cap * 2 : 8192;
                        if (cap > (size_t)256 << 20) {
                                snprintf(err, errlen, "%s: file too large", path);
                                goto cleanup;
                        }
                        char *nb = realloc(buf, cap + 1);
                        if (!nb) {
                                snprintf(err, errlen, "%s: out of memory", path);
                                goto cleanup;
                        }
                        buf = nb;
                }
                size_t got = fread(buf + n, 1, cap - n, f);
                n += got;
                if (got == 0)
                        break;
        }
        if (ferror(f)) {
                snprintf(err, errlen, "%s: read error", path);
                goto cleanup;
        }
        buf[n] = '\0';
        *out = buf;
        buf = NULL;
        if (len)
                *len = n;
        ret = 0;
cleanup:
        free(buf);
        fclose(f);
        return ret;
}

int file_read_text(const char *path, const char *what, char **out, char *err, size_t errlen)
{
        size_t len;
        if (file_read_all(path, out, &len, err, errlen) < 0)
                return -1;
        const char *nul = memchr(*out, '\0', len);
        if (nul) {
                unsigned line = 1;
                for (const char *c = *out; c < nul; c++)
                        line += *c == '\n';
                snprintf(err, errlen, "%s:%u: a NUL byte: not %s", path, line, what);
                free(*out);
                *out = NULL;
                return -1;
        }
        return 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
        char tmp[4096] = "";
        const char *base, *p = data;
        int dirfd = -1, fd = safe_tmp_beside(path, &dirfd, &base, tmp, sizeof(tmp)), ret = -1;

        if (fd < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                tmp[0] = '\0';
                goto cleanup;
        }
        while (len > 0) {
                ssize_t w = write(fd, p, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        snprintf(err, errlen, "%s: %s", path, w < 0 ? strerror(errno) : "short write");
                        goto cleanup;
                }
                p += w;
                len -= (size_t)w;
        }
        if (fsync(fd) < 0 || close(fd) < 0) {
                fd = -1;
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                goto cleanup;
        }
        fd = -1;
        if (renameat(dirfd, tmp, dirfd, base) < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                goto cleanup;
        }
        ret = 0;
cleanup:
        if (fd >= 0)
                close(fd);
        if (ret < 0 && tmp[0])
                unlinkat(dirfd, tmp, 0);
        if (dirfd >= 0)
                close(dirfd);
        return ret;
}

/* Levenshtein distance, case-insensitive, capped at 64 bytes of each word. */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), row[65];

        if (la > 64)
                la = 64;
        if (lb > 64)
                lb = 64;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = tolower((unsigned char)a[i - 1]) !=
                                      tolower((unsigned char)b[j - 1]);
                        size_t best = diag + cost;
                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

const char *str_closest(const char *word, size_t n, const char *(*get)(size_t i, void *arg),
                        void *arg)
{
        size_t limit = strlen(word) / 3, best_d = (size_t)-1;
        const char *best = NULL;

        if (limit < 2)
                limit = 2;
        for (size_t i = 0; i < n; i++) {
                const char *c = get(i, arg);
                size_t d = c ? edit_distance(word, c) : (size_t)-1;
                if (d < best_d) {
                        best_d = d;
                        best = c;
                }
        }
        return best_d <= limit ? best : NULL;
}
