/* gai-helper: runs the C library's getaddrinfo for requests on stdin.
 *
 * Standalone on purpose (plain libc, no project code) so the same file is
 * built against glibc and, statically, against musl. It is started by
 * sandbox_spawn_worker() inside a private namespace; it never chooses a
 * server itself: the libc reads /etc/resolv.conf as usual.
 *
 * Speaks the twin protocol of clients/real/twin.h: requests
 *   <id> <address> <port> <name> <family>    family: inet | inet6 | unspec
 *   <id> version
 * (address and port are ignored: the libc reads /etc/resolv.conf), replies
 *   <id> ok <elapsed_ms> <addr> ...           distinct addresses, libc order
 *   <id> <status> <elapsed_ms> - <EAI_NAME>: <gai_strerror text>
 *     status: EAI_NONAME nxdomain, EAI_NODATA and EAI_ADDRFAMILY nodata,
 *     EAI_AGAIN again, any other error (reason fail or other)
 *   <id> version glibc 2.36 | musl | uclibc
 *   <id-or-?> bad-request <why>
 * Exits 0 at end of input, 1 when stdout cannot be written.
 * Lookups use ai_socktype = SOCK_STREAM and ai_flags = 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* EAI_NODATA, EAI_ADDRFAMILY, ... in glibc's netdb.h */
#endif

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#ifdef __GLIBC__
#include <gnu/libc-version.h>
#endif

#define LINE_MAX_LEN 2048
#define ID_MAX_LEN   64
#define MAX_ADDRS    256
#define MAX_TOKENS   6

static const struct { int code; const char *name; } eai_names[] = {
#ifdef EAI_BADFLAGS
        { EAI_BADFLAGS, "EAI_BADFLAGS" },
#endif
#ifdef EAI_NONAME
        { EAI_NONAME, "EAI_NONAME" },
#endif
#ifdef EAI_AGAIN
        { EAI_AGAIN, "EAI_AGAIN" },
#endif
#ifdef EAI_FAIL
        { EAI_FAIL, "EAI_FAIL" },
#endif
#ifdef EAI_NODATA
        { EAI_NODATA, "EAI_NODATA" },
#endif
#ifdef EAI_FAMILY
        { EAI_FAMILY, "EAI_FAMILY" },
#endif
#ifdef EAI_SOCKTYPE
        { EAI_SOCKTYPE, "EAI_SOCKTYPE" },
#endif
#ifdef EAI_SERVICE
        { EAI_SERVICE, "EAI_SERVICE" },
#endif
#ifdef EAI_ADDRFAMILY
        { EAI_ADDRFAMILY, "EAI_ADDRFAMILY" },
#endif
#ifdef EAI_MEMORY
        { EAI_MEMORY, "EAI_MEMORY" },
#endif
#ifdef EAI_SYSTEM
        { EAI_SYSTEM, "EAI_SYSTEM" },
#endif
#ifdef EAI_OVERFLOW
        { EAI_OVERFLOW, "EAI_OVERFLOW" },
#endif
#ifdef EAI_INPROGRESS
        { EAI_INPROGRESS, "EAI_INPROGRESS" },
#endif
#ifdef EAI_CANCELED
        { EAI_CANCELED, "EAI_CANCELED" },
#endif
#ifdef EAI_NOTCANCELED
        { EAI_NOTCANCELED, "EAI_NOTCANCELED" },
#endif
#ifdef EAI_ALLDONE
        { EAI_ALLDONE, "EAI_ALLDONE" },
#endif
#ifdef EAI_INTR
        { EAI_INTR, "EAI_INTR" },
#endif
#ifdef EAI_IDN_ENCODE
        { EAI_IDN_ENCODE, "EAI_IDN_ENCODE" },
#endif
};

/* Macro name of a getaddrinfo error code; "EAI_UNKNOWN" for others. */
static const char *eai_name(int code)
{
        for (size_t i = 0; i < sizeof eai_names / sizeof eai_names[0]; i++)
                if (eai_names[i].code == code)
                        return eai_names[i].name;
        return "EAI_UNKNOWN";
}

/* Writes and flushes; exits 1 when stdout is gone. */
/* The twin protocol's "<status> <reason>" for a getaddrinfo error. */
static const char *eai_status(int code)
{
        if (code == EAI_NONAME)
                return "nxdomain -";
#ifdef EAI_NODATA
        if (code == EAI_NODATA)
                return "nodata -";
#endif
#ifdef EAI_ADDRFAMILY
        if (code == EAI_ADDRFAMILY)
                return "nodata -";
#endif
        if (code == EAI_AGAIN)
                return "again -";
        if (code == EAI_FAIL)
                return "error fail";
        return "error other";
}

static void put_line(const char *line)
{
        if (fputs(line, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
                exit(1);
}

static long elapsed_ms(const struct timespec *t0)
{
        struct timespec t1;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        return (t1.tv_sec - t0->tv_sec) * 1000L + (t1.tv_nsec - t0->tv_nsec) / 1000000L;
}

/* Appends the distinct addresses of res to out (cap bytes, NUL-terminated),
 * each preceded by a space, in list order. */
static void format_addrs(const struct addrinfo *res, char *out, size_t cap)
{
        static char seen[MAX_ADDRS][INET6_ADDRSTRLEN];
        size_t nseen = 0, len = strlen(out);

        for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
                char text[INET6_ADDRSTRLEN];
                const void *src;
                size_t i;

                if (ai->ai_family == AF_INET)
                        src = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
                else if (ai->ai_family == AF_INET6)
                        src = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
                else
                        continue;
                if (inet_ntop(ai->ai_family, src, text, sizeof text) == NULL)
                        continue;
                for (i = 0; i < nseen && strcmp(seen[i], text) != 0; i++)
                        ;
                if (i < nseen || nseen == MAX_ADDRS)
                        continue;
                memcpy(seen[nseen++], text, sizeof text);
                len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, " %s", text);
                if (len >= cap)
                        return;
        }
}

/* Answers one lookup request. */
static void lookup(const char *id, const char *name, int family)
{
        static char line[MAX_ADDRS * (INET6_ADDRSTRLEN + 1) + 128];
        struct addrinfo hints, *res = NULL;
        struct timespec t0;
        long ms;
        int rc;

        memset(&hints, 0, sizeof hints);
        hints.ai_family = family;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = getaddrinfo(name, NULL, &hints, &res);
        ms = elapsed_ms(&t0);
        if (rc != 0) {
                char status[32];
                snprintf(status, sizeof status, "%s", eai_status(rc));
                char *reason = strchr(status, ' ');
                *reason++ = '\0';
                snprintf(line, sizeof line, "%s %s %ld %s %s: %s", id, status, ms, reason,
                         eai_name(rc), gai_strerror(rc));
        } else {
                snprintf(line, sizeof line, "%s ok %ld", id, ms);
                format_addrs(res, line, sizeof line);
                freeaddrinfo(res);
        }
        put_line(line);
}

static void version(const char *id)
{
        char line[ID_MAX_LEN + 64];

#if defined(__UCLIBC__)
        snprintf(line, sizeof line, "%s version uclibc", id);
#elif defined(__GLIBC__)
        snprintf(line, sizeof line, "%s version glibc %s", id, gnu_get_libc_version());
#else
        snprintf(line, sizeof line, "%s version musl", id);   /* musl has no version API */
#endif
        put_line(line);
}

static void bad_request(const char *id, const char *why)
{
        char line[ID_MAX_LEN + 128];

        snprintf(line, sizeof line, "%s bad-request %s", id, why);
        put_line(line);
}

/* Splits line at blanks into at most MAX_TOKENS tokens (in place). Returns
 * the number of tokens, MAX_TOKENS + 1 when there are more. */
static int split(char *line, char *tok[MAX_TOKENS])
{
        int n = 0;

        for (char *p = strtok(line, " \t\r\n"); p != NULL; p = strtok(NULL, " \t\r\n")) {
                if (n == MAX_TOKENS)
                        return MAX_TOKENS + 1;
                tok[n++] = p;
        }
        return n;
}

/* Handles one complete request line (without its newline). */
static void handle(char *line)
{
        char *tok[MAX_TOKENS];
        int n = split(line, tok);

        if (n == 0)
                bad_request("?", "empty line");
        else if (strlen(tok[0]) > ID_MAX_LEN)
                bad_request("?", "id longer than 64 characters");
        else if (n == 2 && strcmp(tok[1], "version") == 0)
                version(tok[0]);
        else if (n != 5)
                bad_request(tok[0], "expected '<id> <address> <port> <name> <family>' or '<id> version'");
        else if (strcmp(tok[4], "inet") == 0)
                lookup(tok[0], tok[3], AF_INET);
        else if (strcmp(tok[4], "inet6") == 0)
                lookup(tok[0], tok[3], AF_INET6);
        else if (strcmp(tok[4], "unspec") == 0)
                lookup(tok[0], tok[3], AF_UNSPEC);
        else
                bad_request(tok[0], "family must be inet, inet6 or unspec");
}

int main(void)
{
        static char line[LINE_MAX_LEN];
        char *tok[MAX_TOKENS];

        while (fgets(line, sizeof line, stdin) != NULL) {
                size_t len = strlen(line);
                int c;

                if (len == sizeof line - 1 && line[len - 1] != '\n') {
                        /* Too long: drop the rest, answer with its id if it has one. */
                        while ((c = getchar()) != EOF && c != '\n')
                                ;
                        bad_request(split(line, tok) > 0 && strlen(tok[0]) <= ID_MAX_LEN
                                    ? tok[0] : "?", "line too long");
                        continue;
                }
                handle(line);
        }
        return 0;
}
