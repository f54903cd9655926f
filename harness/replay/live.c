#include "harness/replay/live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness/wire/dns.h"
#include "harness/wire/writer.h"

#define LIVE_EDNS_SIZE 1232

int live_parse_server(const char *text, struct sockaddr_storage *sa, socklen_t *salen, char *err,
                      size_t errlen)
{
        char host[256], port[16] = "53";
        const char *colon = strrchr(text, ':');
        struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
                                  .ai_socktype = SOCK_DGRAM }, *res = NULL;
        int rc;

        if (text[0] == '[') {
                const char *end = strchr(text, ']');
                if (!end || (end[1] != '\0' && end[1] != ':')) {
                        snprintf(err, errlen, "--server: expected [IPV6]:PORT, got '%s'", text);
                        return -1;
                }
                snprintf(host, sizeof(host), "%.*s", (int)(end - text - 1), text + 1);
                if (end[1] == ':')
                        snprintf(port, sizeof(port), "%s", end + 2);
        } else if (colon && strchr(text, ':') == colon) {   /* IPv4:PORT */
                snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
                snprintf(port, sizeof(port), "%s", colon + 1);
        } else {
                snprintf(host, sizeof(host), "%s", text);
        }
        rc = getaddrinfo(host, port, &hints, &res);
        if (rc != 0 || atoi(port) <= 0 || atoi(port) > 65535) {
                snprintf(err, errlen, "--server: '%s' is not ADDR[:PORT] with a numeric address "
                         "and port (%s)", text, rc ? gai_strerror(rc) : "bad port");
                if (res)
                        freeaddrinfo(res);
                return -1;
        }
        memcpy(sa, res->ai_addr, res->ai_addrlen);
        *salen = res->ai_addrlen;
        freeaddrinfo(res);
        return 0;
}

/* A stub's query: RD set, with an OPT advertising edns bytes when edns > 0. */
static size_t make_query(uint8_t *out, size_t cap, const uint8_t *name, size_t len, uint16_t type,
                         int edns)
{
        struct wire_writer w;
        struct dns_header h = { .id = (uint16_t)(random() & 0xffff), .flags = DNS_FLAG_RD,
                                .qdcount = 1, .arcount = edns > 0 ? 1 : 0 };
        wire_writer_init(&w, out, cap, false);
        wire_write_header(&w, &h);
        wire_write_question(&w, name, len, type, DNS_CLASS_IN);
        if (edns > 0)
                wire_write_opt(&w, (uint16_t)edns, 0, 0, 0);
        return wire_writer_status(&w) == 0 ? w.len : 0;
}

static void set_timeouts(int fd, unsigned ms)
{
        struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* One UDP exchange. Returns the reply length, or -1 (none within ms). Only
 * a datagram from the server with the query's id counts. */
static long ask_udp(const struct sockaddr *sa, socklen_t salen, const uint8_t *q, size_t qlen,
                    uint8_t *reply, size_t cap, unsigned ms)
{
        int fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        long n = -1;
        if (fd < 0)
                return -1;
        if (connect(fd, sa, salen) == 0 && send(fd, q, qlen, 0) == (ssize_t)qlen) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                while (poll(&p, 1, (int)ms) == 1) {
                        ssize_t got = recv(fd, reply, cap, 0);
                        if (got >= 2 && reply[0] == q[0] && reply[1] == q[1]) {
                                n = got;
                                break;
                        }
                        if (got < 0 && errno != EINTR)
                                break;
                }
        }
        close(fd);
        return n;
}

static int read_full(int fd, uint8_t *buf, size_t n)
{
        size_t have = 0;
        while (have < n) {
                ssize_t got = recv(fd, buf + have, n - have, 0);
                if (got <= 0)
                        return -1;
                have += (size_t)got;
        }
        return 0;
}

/* One TCP exchange (RFC 1035 4.2.2 length prefix). Returns the reply length or -1. */
static long ask_tcp(const struct sockaddr *sa, socklen_t salen, const uint8_t *q, size_t qlen,
                    uint8_t *reply, size_t cap, unsigned ms)
{
        int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        uint8_t pre[2] = { (uint8_t)(qlen >> 8), (uint8_t)qlen };
        long n = -1;
        if (fd < 0)
                return -1;
        set_timeouts(fd, ms);
        if (connect(fd, sa, salen) == 0 && send(fd, pre, 2, MSG_MORE) == 2 &&
            send(fd, q, qlen, 0) == (ssize_t)qlen && read_full(fd, pre, 2) == 0) {
                size_t len = (size_t)pre[0] << 8 | pre[1];
                if (len <= cap && read_full(fd, reply, len) == 0)
                        n = (long)len;
        }
        close(fd);
        return n;
}

int live_ask(const struct sockaddr *sa, socklen_t salen, const char *name, uint16_t type,
             unsigned timeout_ms, struct capture *cap, char *note, size_t notelen, char *err,
             size_t errlen)
{
        static const struct { enum transport tr; int edns; const char *what; } ways[] = {
                { TRANSPORT_UDP, 0, "UDP without EDNS" },
                { TRANSPORT_UDP, LIVE_EDNS_SIZE, "UDP with EDNS 1232" },
                { TRANSPORT_TCP, 0, "TCP" },
        };
        uint8_t wname[DNS_NAME_MAX], q[DNS_NAME_MAX + 64], *reply = malloc(65535);
        size_t wlen, used = 0;
        int replies = 0;

        if (note && notelen)
                note[0] = '\0';
        if (!reply) {
                snprintf(err, errlen, "out of memory");
                return -1;
        }
        if (wire_name_from_text(name, wname, &wlen) < 0) {
                snprintf(err, errlen, "--name: '%s' is not a domain name", name);
                free(reply);
                return -1;
        }
        srandom((unsigned)time(NULL) ^ (unsigned)getpid());
        for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
                size_t qlen = make_query(q, sizeof(q), wname, wlen, type, ways[i].edns);
                long n = ways[i].tr == TRANSPORT_UDP
                                 ? ask_udp(sa, salen, q, qlen, reply, 65535, timeout_ms)
                                 : ask_tcp(sa, salen, q, qlen, reply, 65535, timeout_ms);
                if (capture_add(cap, ways[i].tr, false, q, qlen) < 0 ||
                    (n >= 0 && capture_add(cap, ways[i].tr, true, reply, (size_t)n) < 0)) {
                        snprintf(err, errlen, "out of memory");
                        free(reply);
                        return -1;
                }
                if (n >= 0) {
                        replies++;
                } else if (note && used < notelen) {
                        int w = snprintf(note + used, notelen - used, "%sno reply over %s within %u ms",
                                         used ? "; " : "", ways[i].what, timeout_ms);
                        used += w > 0 ? (size_t)w : 0;
                }
        }
        free(reply);
        return replies;
}
