/* Hostile load on `stubcompat serve` (loopback only): random and malformed
 * datagrams as fast as they can be sent, TCP connections that stop inside
 * the length prefix or the message, a thousand idle connections at once, and
 * a client that pipelines queries without reading a reply. After each load
 * the server must still be alive, its memory bounded, a legitimate query
 * answered correctly (dig: TC over UDP, then 30 records over TCP), and
 * SIGTERM must end it with exit status 0.
 *
 * Everything random comes from one seeded PRNG (HOSTILE_SEED in the
 * environment overrides the seed; the seed is printed), so a failure can be
 * replayed. Timeouts are safety nets, never measurements. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "tests/common/command.h"
#include "tests/common/probe.h"
#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"
#define RECORDS 30

#define DATAGRAMS 100000
#define DATAGRAM_MAX 600
#define IDLE_MS 500
#define IDLE_CONNS 1000
#define RSS_GROWTH_MAX_KB (32 * 1024)
#define SAFETY_NET_MS 120000          /* never a measurement: only ends a hung test */

static uint64_t seed = 0x5eed2016c0ffee01ull;

/* Under `meson test --setup valgrind` the server runs inside memcheck, and in
 * an ASan build (build-asan, same build as this test) with AddressSanitizer's
 * quarantine: their own bookkeeping grows with every allocation, so resident
 * sizes say nothing about the server's memory there, and it is not judged.
 * The plain build judges it. */
static bool under_valgrind(void)
{
#if defined(__SANITIZE_ADDRESS__)
        return true;
#else
        const char *v = getenv("STUBCOMPAT_UNDER_VALGRIND");
        return v && *v && strcmp(v, "0") != 0;
#endif
}

/* ---------------------------------------------------------------- PRNG */

static uint64_t rng_state;

static void rng_init(void)
{
        const char *s = getenv("HOSTILE_SEED");
        if (s && *s)
                seed = strtoull(s, NULL, 0);
        rng_state = seed ? seed : 1;
        printf("\n    seed 0x%016llx (HOSTILE_SEED to replay) ", (unsigned long long)seed);
}

/* xorshift64*: small, fast, and the same on every platform. */
static uint64_t rng(void)
{
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rng_below(unsigned n)
{
        return n ? (unsigned)(rng() % n) : 0;
}

static void rng_fill(uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t)rng();
}

/* ---------------------------------------------------------------- the server */

struct target {
        struct serverproc *sp;
        uint16_t port;
        pid_t pid;
        long rss_before;
};

static bool target_start(struct target *t)
{
        char idle[16];
        snprintf(idle, sizeof(idle), "%d", IDLE_MS);
        memset(t, 0, sizeof(*t));
        t->sp = serverproc_start(SCN, SP_LIST("records=30"), SP_LIST("--quiet", "--idle-ms", idle));
        if (!t->sp)
                return false;
        t->port = serverproc_port(t->sp);
        t->pid = serverproc_pid(t->sp);
        t->rss_before = probe_status_kb(t->pid, "VmRSS");
        return true;
}

/* The legitimate client afterwards: dig without EDNS sees TC=1 over UDP and
 * gets the 30 records over TCP. */
static void expect_answers(struct target *t)
{
        struct cmd_result r;
        struct dig_reply d;

        if (!cmd_available("dig")) {
                printf("\n    note: no dig, the answer after the load is not checked ");
                return;
        }
        dig_query("dig", t->port, SP_LIST("+noedns", "+tries=1", "+time=5"), API, "A", &r, &d);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(d.have_header && strcmp(d.status, "NOERROR") == 0, &r);
        SP_CHECK(d.retried_tcp, &r);
        SP_CHECK(strcmp(d.transport, "TCP") == 0, &r);
        SP_CHECK(d.ancount == RECORDS && d.answer_lines == RECORDS, &r);
        SP_CHECK(d.msg_size == 12 + 22 + 16 * RECORDS, &r);
        cmd_result_free(&r);
}

/* Alive, memory bounded (the peak resident set, VmHWM, grew less than
 * RSS_GROWTH_MAX_KB over VmRSS before the load), still answering, and a clean
 * exit on SIGTERM. */
static void target_finish(struct target *t, const char *load)
{
        long after, peak;

        CU_ASSERT(serverproc_alive(t->sp));
        if (!serverproc_alive(t->sp)) {
                printf("\n    the server died during: %s\n", load);
                serverproc_dump(t->sp);
        }
        after = probe_status_kb(t->pid, "VmRSS");
        peak = probe_status_kb(t->pid, "VmHWM");
        printf("\n    %s: server VmRSS %ld KiB before, %ld KiB after, peak VmHWM %ld KiB "
               "(growth %ld KiB, peak growth %ld KiB) ", load, t->rss_before, after, peak,
               after - t->rss_before, peak - t->rss_before);
        CU_ASSERT(t->rss_before > 0 && after > 0 && peak > 0);
        if (under_valgrind()) {
                printf("\n    note: memory growth not judged under valgrind or ASan ");
        } else {
                CU_ASSERT(after - t->rss_before < RSS_GROWTH_MAX_KB);
                CU_ASSERT(peak - t->rss_before < RSS_GROWTH_MAX_KB);
        }
        expect_answers(t);
        CU_ASSERT_EQUAL(serverproc_stop(t->sp), 0);
        t->sp = NULL;
}

/* Waits until fd reads EOF (or a reset), draining data. Returns true on EOF,
 * false when the safety net ran out. */
static bool read_until_eof(int fd, unsigned safety_ms)
{
        double end = cmd_now_ms() + safety_ms;
        uint8_t buf[4096];

        while (cmd_now_ms() < end) {
                struct pollfd p = { fd, POLLIN, 0 };
                if (poll(&p, 1, 200) <= 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                        return true;
        }
        return false;
}

/* ---------------------------------------------------------------- queries */

/* Appends a name of 1..4 random labels (letters, digits, odd bytes) and maybe
 * mixpanel.com. Returns the new length. */
static size_t put_random_name(uint8_t *buf, size_t at, size_t cap)
{
        static const uint8_t tail[] = { 8, 'm', 'i', 'x', 'p', 'a', 'n', 'e', 'l', 3, 'c', 'o', 'm', 0 };
        unsigned labels = 1 + rng_below(4);

        for (unsigned l = 0; l < labels; l++) {
                unsigned len = 1 + rng_below(rng_below(8) == 0 ? 63 : 12);
                if (at + 1 + len + sizeof(tail) > cap)
                        break;
                buf[at++] = (uint8_t)len;
                for (unsigned i = 0; i < len; i++)
                        buf[at++] = rng_below(16) == 0 ? (uint8_t)rng() : (uint8_t)('a' + rng_below(26));
        }
        if (rng_below(4)) {
                memcpy(buf + at, tail, sizeof(tail));
                return at + sizeof(tail);
        }
        buf[at++] = 0;
        return at;
}

static void put16(uint8_t *p, unsigned v)
{
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

static const uint16_t qtypes[] = { 1, 28, 16, 5, 2, 6, 15, 255, 41, 252, 0, 65535 };

/* A well-formed question with random header flags (opcodes, QR, TC, Z,
 * rcode) and random section counts, sometimes an OPT record, sometimes
 * trailing garbage. */
static size_t dgram_random_header_query(uint8_t *buf)
{
        size_t n = 12;
        rng_fill(buf, 12);
        switch (rng_below(4)) {
        case 0: put16(buf + 4, 1); put16(buf + 6, 0); put16(buf + 8, 0); put16(buf + 10, rng_below(2)); break;
        case 1: put16(buf + 4, rng_below(3)); put16(buf + 6, rng_below(3)); put16(buf + 8, rng_below(3)); put16(buf + 10, rng_below(3)); break;
        case 2: put16(buf + 4, 0xffff); put16(buf + 6, 0xffff); put16(buf + 8, 0xffff); put16(buf + 10, 0xffff); break;
        default: break;   /* random counts */
        }
        n = put_random_name(buf, n, DATAGRAM_MAX - 16);
        put16(buf + n, qtypes[rng_below(sizeof(qtypes) / sizeof(qtypes[0]))]);
        put16(buf + n + 2, rng_below(8) ? 1 : (unsigned)rng());
        n += 4;
        if (rng_below(2) && n + 11 <= DATAGRAM_MAX) {
                /* OPT: root owner, random size, version, flags and rdlength */
                buf[n] = 0;
                put16(buf + n + 1, 41);
                rng_fill(buf + n + 3, 8);
                if (rng_below(2))
                        put16(buf + n + 9, 0);
                n += 11;
        }
        if (rng_below(4) == 0) {
                size_t extra = rng_below((unsigned)(DATAGRAM_MAX - n + 1));
                rng_fill(buf + n, extra);
                n += extra;
        }
        return n;
}

/* A query as a stub would send it (standard query, RD, qdcount 1), for a
 * random name and type: these reach the answer path. */
static size_t dgram_valid_query(uint8_t *buf)
{
        size_t n;
        rng_fill(buf, 2);
        put16(buf + 2, 0x0100);
        put16(buf + 4, 1);
        put16(buf + 6, 0);
        put16(buf + 8, 0);
        put16(buf + 10, 0);
        if (rng_below(4) == 0)
                return probe_api_query(buf, (uint16_t)rng());
        n = put_random_name(buf, 12, DATAGRAM_MAX - 4);
        put16(buf + n, qtypes[rng_below(4)]);
        put16(buf + n + 2, 1);
        return n + 4;
}

/* A question whose name loops through compression pointers (RFC 1035
 * 4.1.4): a pointer to itself, two pointers to each other, a label then a
 * pointer back to it, a pointer into the header, a pointer past the end. */
static size_t dgram_pointer_loop(uint8_t *buf)
{
        size_t n = 12;
        rng_fill(buf, 2);
        put16(buf + 2, 0x0100);
        put16(buf + 4, 1);
        memset(buf + 6, 0, 6);
        switch (rng_below(6)) {
        case 0: buf[n] = 0xc0; buf[n + 1] = 12; n += 2; break;
        case 1: buf[n] = 0xc0; buf[n + 1] = 14; buf[n + 2] = 0xc0; buf[n + 3] = 12; n += 4; break;
        case 2: buf[n] = 3; memcpy(buf + n + 1, "api", 3); buf[n + 4] = 0xc0; buf[n + 5] = 12; n += 6; break;
        case 3: buf[n] = 0xc0; buf[n + 1] = (uint8_t)rng_below(12); n += 2; break;
        case 4: buf[n] = (uint8_t)(0xc0 | rng_below(64)); buf[n + 1] = (uint8_t)rng(); n += 2; break;
        default: {
                /* a chain of pointers, each to the one before it, the first to the last */
                unsigned hops = 2 + rng_below(40);
                for (unsigned i = 0; i < hops; i++) {
                        unsigned to = i == 0 ? 12 + 2 * (hops - 1) : 12 + 2 * (i - 1);
                        buf[n] = (uint8_t)(0xc0 | (to >> 8));
                        buf[n + 1] = (uint8_t)to;
                        n += 2;
                }
                break;
        }
        }
        put16(buf + n, 1);
        put16(buf + n + 2, 1);
        return n + 4;
}

/* One hostile datagram into buf (DATAGRAM_MAX bytes). Returns its length, 0..600. */
static size_t dgram_make(uint8_t *buf)
{
        size_t n;
        switch (rng_below(5)) {
        case 0:   /* pure garbage */
                n = rng_below(DATAGRAM_MAX + 1);
                rng_fill(buf, n);
                return n;
        case 1:   /* a standard query header, random rest */
                n = 12 + rng_below(DATAGRAM_MAX - 12 + 1);
                rng_fill(buf, n);
                put16(buf + 2, 0x0100);
                put16(buf + 4, 1);
                return n;
        case 2:
                return dgram_random_header_query(buf);
        case 3:
                return dgram_pointer_loop(buf);
        default:
                return dgram_valid_query(buf);
        }
}

/* ---------------------------------------------------------------- the tests */

/* Reads /proc/net/snmp's Udp RcvbufErrors (datagrams the kernel dropped on a
 * full receive buffer, host-wide): a measurement for the report only. */
static long udp_rcvbuf_errors(void)
{
        char line[1024], names[1024] = "";
        long value = -1;
        FILE *f = fopen("/proc/net/snmp", "r");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                if (strncmp(line, "Udp: ", 5) != 0)
                        continue;
                if (!names[0]) {
                        snprintf(names, sizeof(names), "%s", line);
                        continue;
                }
                /* the value line: find the column of RcvbufErrors */
                char *save1 = NULL, *save2 = NULL;
                char *n = strtok_r(names, " \n", &save1), *v = strtok_r(line, " \n", &save2);
                while (n && v) {
                        if (strcmp(n, "RcvbufErrors") == 0)
                                value = atol(v);
                        n = strtok_r(NULL, " \n", &save1);
                        v = strtok_r(NULL, " \n", &save2);
                }
                break;
        }
        fclose(f);
        return value;
}

static void test_random_datagrams(void)
{
        struct target t;
        struct sockaddr_in sa = { .sin_family = AF_INET };
        static uint8_t buf[DATAGRAM_MAX + 64];
        int fds[8];
        size_t replies = 0, failed_sends = 0;
        long drops_before = udp_rcvbuf_errors();
        double start, elapsed;

        CU_ASSERT_FATAL(target_start(&t));
        rng_init();
        sa.sin_port = htons(t.port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        /* a few source ports, so replies and ICMP errors spread over sockets */
        for (int i = 0; i < 8; i++) {
                fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                CU_ASSERT_FATAL(fds[i] >= 0);
                CU_ASSERT_FATAL(connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) == 0);
        }
        start = cmd_now_ms();
        for (int i = 0; i < DATAGRAMS; i++) {
                size_t n = dgram_make(buf);
                int fd = fds[i % 8];
                while (send(fd, buf, n, 0) < 0) {
                        if (errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED) {
                                failed_sends++;
                                break;
                        }
                        if (errno == ECONNREFUSED) {
                                /* the server's port is gone: it died */
                                failed_sends++;
                                break;
                        }
                        struct pollfd p = { fd, POLLOUT, 0 };
                        poll(&p, 1, 100);
                }
                /* drain replies as we go, so our own buffers never stall us */
                if ((i & 63) == 63)
                        for (int k = 0; k < 8; k++)
                                while (recv(fds[k], buf, sizeof(buf), 0) > 0)
                                        replies++;
        }
        elapsed = cmd_now_ms() - start;
        /* the last replies */
        for (int round = 0; round < 50; round++) {
                size_t before = replies;
                usleep(10000);
                for (int k = 0; k < 8; k++)
                        while (recv(fds[k], buf, sizeof(buf), 0) > 0)
                                replies++;
                if (replies == before && round > 5)
                        break;
        }
        long drops_after = udp_rcvbuf_errors();
        printf("\n    %d datagrams sent in %.0f ms (%.0f/s), %zu replies received, "
               "%ld dropped by the kernel on full buffers (host-wide), %zu sends failed ",
               DATAGRAMS, elapsed, DATAGRAMS * 1000.0 / (elapsed > 0 ? elapsed : 1), replies,
               drops_before >= 0 && drops_after >= 0 ? drops_after - drops_before : -1L,
               failed_sends);
        CU_ASSERT_EQUAL(failed_sends, 0);
        CU_ASSERT(replies > 0);
        for (int i = 0; i < 8; i++)
                close(fds[i]);
        target_finish(&t, "100,000 random datagrams");
}

/* Datagrams paced by the server: after every batch a probe query whose reply
 * says the batch was read, so every hostile datagram reaches the parser
 * (a flood mostly exercises the kernel's drops). */
static void test_random_datagrams_paced(void)
{
        struct target t;
        struct sockaddr_in sa = { .sin_family = AF_INET };
        static uint8_t buf[DATAGRAM_MAX + 64], reply[4096];
        int fd, probe;
        size_t lost_probes = 0;
        double start;

        CU_ASSERT_FATAL(target_start(&t));
        rng_init();
        sa.sin_port = htons(t.port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(fd >= 0 && probe >= 0);
        CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        CU_ASSERT_FATAL(connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        start = cmd_now_ms();
        for (int i = 0; i < DATAGRAMS; i += 64) {
                for (int k = 0; k < 64 && i + k < DATAGRAMS; k++) {
                        size_t n = dgram_make(buf);
                        send(fd, buf, n, MSG_DONTWAIT);
                }
                while (recv(fd, reply, sizeof(reply), MSG_DONTWAIT) > 0)
                        ;
                size_t q = probe_api_query(buf, (uint16_t)i);
                send(probe, buf, q, 0);
                struct pollfd p = { probe, POLLIN, 0 };
                if (poll(&p, 1, 2000) <= 0 || recv(probe, reply, sizeof(reply), 0) < 12) {
                        lost_probes++;
                        if (!serverproc_alive(t.sp))
                                break;
                }
        }
        printf("\n    %d datagrams paced by the server in %.0f ms, %zu probes unanswered ",
               DATAGRAMS, cmd_now_ms() - start, lost_probes);
        CU_ASSERT(lost_probes < DATAGRAMS / 64 / 10);
        close(fd);
        close(probe);
        target_finish(&t, "100,000 random datagrams, paced");
}

/* A random-subdomain flood: well-formed queries, each for a name never
 * asked before (four random 50-letter labels under mixpanel.com, 218 bytes),
 * paced like the test above. Every one is answered (NXDOMAIN or the zone's
 * answer); none may leave memory behind. */
#define DISTINCT_NAMES 60000
static void test_distinct_names(void)
{
        struct target t;
        struct sockaddr_in sa = { .sin_family = AF_INET };
        static uint8_t buf[512], reply[4096];
        size_t replies = 0;
        int fd;
        double start;

        if (under_valgrind())
                TEST_SKIP("a memory test: memory growth is not judged under valgrind or ASan");
        CU_ASSERT_FATAL(target_start(&t));
        rng_init();
        sa.sin_port = htons(t.port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        start = cmd_now_ms();
        for (int i = 0; i < DISTINCT_NAMES; i += 32) {
                int batch = 0;
                for (int k = 0; k < 32 && i + k < DISTINCT_NAMES; k++, batch++) {
                        static const uint8_t tail[] = { 8, 'm', 'i', 'x', 'p', 'a', 'n', 'e', 'l',
                                                        3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
                        size_t n = 12;
                        put16(buf, (unsigned)(i + k));
                        put16(buf + 2, 0x0100);
                        put16(buf + 4, 1);
                        memset(buf + 6, 0, 6);
                        for (int l = 0; l < 4; l++) {
                                buf[n++] = 50;
                                for (int c = 0; c < 50; c++)
                                        buf[n++] = (uint8_t)('a' + rng_below(26));
                        }
                        memcpy(buf + n, tail, sizeof(tail));
                        n += sizeof(tail);
                        send(fd, buf, n, 0);
                }
                /* wait for this batch's replies (2 s each at most, a safety net) */
                for (int got = 0; got < batch;) {
                        struct pollfd p = { fd, POLLIN, 0 };
                        if (poll(&p, 1, 2000) <= 0)
                                break;
                        if (recv(fd, reply, sizeof(reply), 0) >= 12) {
                                got++;
                                replies++;
                        }
                }
                if (!serverproc_alive(t.sp))
                        break;
        }
        printf("\n    %d queries for distinct names in %.0f ms, %zu answered ", DISTINCT_NAMES,
               cmd_now_ms() - start, replies);
        CU_ASSERT(replies > DISTINCT_NAMES * 9 / 10);
        close(fd);
        target_finish(&t, "60,000 distinct names");
}

/* Writes data one byte per write (TCP_NODELAY: one segment each). */
static bool write_bytewise(int fd, const uint8_t *data, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (write(fd, data + i, 1) != 1)
                        return false;
                if (i % 4 == 3)
                        usleep(200);
        }
        return true;
}

/* Reads one framed reply of `expect` message bytes from fd (safety net
 * 10 s). Returns true when it came whole, with the query's id 0x4242. */
static bool read_api_reply(int fd, size_t expect)
{
        uint8_t reply[2048];
        size_t got = 0;
        double end = cmd_now_ms() + 10000;

        while (got < 2 + expect && cmd_now_ms() < end) {
                struct pollfd p = { fd, POLLIN, 0 };
                if (poll(&p, 1, 200) <= 0)
                        continue;
                ssize_t n = read(fd, reply + got, sizeof(reply) - got);
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        return got == 2 + expect && (size_t)(reply[0] << 8 | reply[1]) == expect &&
               reply[2] == 0x42 && reply[3] == 0x42;
}

/* The query framed, stopped after every possible number of bytes written
 * one at a time; then the whole of it one byte at a time is answered. */
static void truncated_bytewise(uint16_t port, const uint8_t *msg, size_t len)
{
        int fd;

        for (size_t cut = 1; cut < len; cut++) {
                fd = probe_tcp_connect(port);
                CU_ASSERT_FATAL(fd >= 0);
                write_bytewise(fd, msg, cut);
                close(fd);
        }
        fd = probe_tcp_connect(port);
        CU_ASSERT_FATAL(fd >= 0);
        write_bytewise(fd, msg, len);
        CU_ASSERT(read_api_reply(fd, 12 + 22 + 16 * RECORDS));
        close(fd);
}

/* A prefix announcing 65535 bytes, then 10, then close (200 times); and one
 * such connection left open, which the idle timeout still closes. */
static void truncated_big_prefix(uint16_t port)
{
        uint8_t big[12] = { 0xff, 0xff };
        double t0;
        int fd;

        for (int i = 0; i < 200; i++) {
                rng_fill(big + 2, 10);
                fd = probe_tcp_connect(port);
                CU_ASSERT_FATAL(fd >= 0);
                CU_ASSERT(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
                close(fd);
        }
        t0 = cmd_now_ms();
        fd = probe_tcp_connect(port);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, big, sizeof(big)) == (ssize_t)sizeof(big));
        CU_ASSERT(read_until_eof(fd, SAFETY_NET_MS));
        printf("\n    a connection stuck inside a 65535-byte message closed after %.0f ms ",
               cmd_now_ms() - t0);
        close(fd);
}

/* Prefix 0 then close (200 times); prefix 0 twice, then the query, on one
 * connection: the empty messages are skipped and the query answered. */
static void truncated_zero_prefix(uint16_t port, const uint8_t *msg, size_t len)
{
        uint8_t both[4 + 64] = { 0, 0, 0, 0 };
        int fd;

        for (int i = 0; i < 200; i++) {
                fd = probe_tcp_connect(port);
                CU_ASSERT_FATAL(fd >= 0);
                CU_ASSERT(write(fd, both, 2) == 2);
                close(fd);
        }
        memcpy(both + 4, msg, len);
        fd = probe_tcp_connect(port);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(write(fd, both, 4 + len) == (ssize_t)(4 + len));
        CU_ASSERT(read_api_reply(fd, 12 + 22 + 16 * RECORDS));
        close(fd);
}

static void test_truncated_tcp(void)
{
        struct target t;
        uint8_t msg[2 + 64];
        size_t qlen;

        CU_ASSERT_FATAL(target_start(&t));
        rng_init();
        qlen = probe_api_query(msg + 2, 0x4242);
        put16(msg, (unsigned)qlen);
        truncated_bytewise(t.port, msg, qlen + 2);
        truncated_big_prefix(t.port);
        truncated_zero_prefix(t.port, msg, qlen + 2);
        target_finish(&t, "truncated TCP length prefixes");
}

/* Reads framed replies from fd until the one with id `want` (the probe),
 * parsing the length prefixes. Returns the number of replies read, -1 when
 * the connection closed or the safety net ran out first. */
static long read_until_probe(int fd, uint16_t want)
{
        static uint8_t buf[256 * 1024];
        size_t have = 0;
        long replies = 0;
        double end = cmd_now_ms() + 10000;

        while (cmd_now_ms() < end) {
                while (have >= 2) {
                        size_t len = (size_t)buf[0] << 8 | buf[1];
                        if (have < 2 + len)
                                break;
                        replies++;
                        bool probe = len >= 2 && (buf[2] << 8 | buf[3]) == want;
                        memmove(buf, buf + 2 + len, have - 2 - len);
                        have -= 2 + len;
                        if (probe)
                                return replies;
                }
                struct pollfd p = { fd, POLLIN, 0 };
                if (poll(&p, 1, 200) <= 0)
                        continue;
                ssize_t n = read(fd, buf + have, sizeof(buf) - have);
                if (n <= 0)
                        return -1;
                have += (size_t)n;
        }
        return -1;
}

/* The random messages of the datagram tests, framed over TCP: 100
 * connections, each 200 messages in batches of 20 followed by a probe query
 * whose reply says the batch was handled. */
static void test_random_tcp_messages(void)
{
        struct target t;
        static uint8_t buf[DATAGRAM_MAX + 64 + 2];
        long replies = 0;
        int lost = 0;
        double start;

        CU_ASSERT_FATAL(target_start(&t));
        rng_init();
        start = cmd_now_ms();
        for (int c = 0; c < 100 && serverproc_alive(t.sp); c++) {
                int fd = probe_tcp_connect(t.port);
                CU_ASSERT_FATAL(fd >= 0);
                for (int b = 0; b < 10; b++) {
                        for (int k = 0; k < 20; k++) {
                                size_t n = dgram_make(buf + 2);
                                put16(buf, (unsigned)n);
                                if (write(fd, buf, n + 2) != (ssize_t)(n + 2))
                                        break;
                        }
                        uint16_t id = (uint16_t)(0xa000 + c * 10 + b);
                        size_t q = probe_api_query(buf + 2, id);
                        put16(buf, (unsigned)q);
                        if (write(fd, buf, q + 2) != (ssize_t)(q + 2)) {
                                lost++;
                                break;
                        }
                        long r = read_until_probe(fd, id);
                        if (r < 0) {
                                lost++;
                                break;
                        }
                        replies += r;
                }
                close(fd);
        }
        printf("\n    20,000 random messages over 100 TCP connections in %.0f ms, %ld replies, "
               "%d probes lost ", cmd_now_ms() - start, replies, lost);
        CU_ASSERT_EQUAL(lost, 0);
        target_finish(&t, "random messages over TCP");
}

/* Raises the soft RLIMIT_NOFILE to at least want. Returns the soft limit. */
static rlim_t raise_nofile(rlim_t want)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 0;
        if (rl.rlim_cur < want) {
                rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
                getrlimit(RLIMIT_NOFILE, &rl);
        }
        return rl.rlim_cur;
}

static void test_idle_connections(void)
{
        struct target t;
        static int fds[IDLE_CONNS];
        static double opened_at[IDLE_CONNS];
        static struct pollfd pfd[IDLE_CONNS];
        int opened = 0, closed = 0, early = 0;
        double t_open_done, t_last = 0, end;

        if (raise_nofile(IDLE_CONNS + 64) < IDLE_CONNS + 64)
                TEST_SKIP("RLIMIT_NOFILE cannot be raised to %d", IDLE_CONNS + 64);
        CU_ASSERT_FATAL(target_start(&t));
        for (int i = 0; i < IDLE_CONNS; i++) {
                opened_at[i] = cmd_now_ms();
                fds[i] = probe_tcp_connect(t.port);
                if (fds[i] >= 0)
                        opened++;
        }
        t_open_done = cmd_now_ms();
        CU_ASSERT_EQUAL(opened, IDLE_CONNS);
        for (int i = 0; i < IDLE_CONNS; i++)
                pfd[i] = (struct pollfd){ fds[i], POLLIN, 0 };
        /* every connection must read EOF: the server closed it when idle */
        end = t_open_done + SAFETY_NET_MS;
        while (closed < opened && cmd_now_ms() < end) {
                if (poll(pfd, IDLE_CONNS, 500) <= 0)
                        continue;
                for (int i = 0; i < IDLE_CONNS; i++) {
                        uint8_t b[64];
                        if (pfd[i].fd < 0 || !pfd[i].revents)
                                continue;
                        ssize_t n = read(pfd[i].fd, b, sizeof(b));
                        if (n > 0)
                                continue;   /* the server never sends unasked: counted below */
                        if (n < 0 && errno == EINTR)
                                continue;
                        double now = cmd_now_ms();
                        /* the server accepted it after connect() began: it may close
                         * it IDLE_MS after that, never sooner (a little slack for
                         * timer rounding) */
                        if (now - opened_at[i] < IDLE_MS - 20)
                                early++;
                        t_last = now;
                        close(pfd[i].fd);
                        pfd[i].fd = -1;
                        closed++;
                }
        }
        printf("\n    %d idle connections: %d closed by the server, the last %.0f ms after "
               "the last was opened (idle timeout %d ms); %d closed too early ",
               opened, closed, t_last - t_open_done, IDLE_MS, early);
        CU_ASSERT_EQUAL(closed, opened);
        CU_ASSERT_EQUAL(early, 0);
        for (int i = 0; i < IDLE_CONNS; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        target_finish(&t, "1,000 idle TCP connections");
}

/* A client pipelines queries on one connection and never reads: the replies
 * must not pile up in the server's memory without bound (a real server stops
 * reading from a peer whose replies it cannot deliver). */
static void test_pipelined_unread(void)
{
        struct target t;
        enum { QUERIES = 200000 };
        uint8_t *stream;
        size_t qlen, total, sent = 0;
        uint8_t one[64];
        int fd;
        double end;

        if (under_valgrind())
                TEST_SKIP("a memory test: memory growth is not judged under valgrind or ASan");
        CU_ASSERT_FATAL(target_start(&t));
        qlen = probe_api_query(one + 2, 7) + 2;
        put16(one, (unsigned)(qlen - 2));
        total = qlen * QUERIES;
        stream = malloc(total);
        CU_ASSERT_FATAL(stream != NULL);
        for (size_t i = 0; i < QUERIES; i++)
                memcpy(stream + i * qlen, one, qlen);
        fd = probe_tcp_connect(t.port);
        CU_ASSERT_FATAL(fd >= 0);
        fcntl(fd, F_SETFL, O_NONBLOCK);
        /* write until the server stops taking the stream (it should, once its
         * replies back up) or all of it is sent; a stall of 3 s ends the writing */
        end = cmd_now_ms() + SAFETY_NET_MS;
        double last_progress = cmd_now_ms();
        while (sent < total && cmd_now_ms() < end && cmd_now_ms() - last_progress < 3000) {
                struct pollfd p = { fd, POLLOUT, 0 };
                if (poll(&p, 1, 200) <= 0)
                        continue;
                ssize_t n = write(fd, stream + sent, total - sent);
                if (n > 0) {
                        sent += (size_t)n;
                        last_progress = cmd_now_ms();
                } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        break;
                }
        }
        usleep(500 * 1000);   /* let the server work through what it took */
        printf("\n    pipelined without reading: %zu of %zu query bytes (%zu queries) taken ",
               sent, total, sent / qlen);
        free(stream);
        target_finish(&t, "pipelined queries never read");
        close(fd);
}

static const struct test_case hostile_cases[] = {
        { "100,000 random datagrams as fast as possible", test_random_datagrams },
        { "100,000 random datagrams paced by the server", test_random_datagrams_paced },
        { "60,000 queries for distinct names", test_distinct_names },
        { "truncated TCP length prefixes", test_truncated_tcp },
        { "random messages over TCP", test_random_tcp_messages },
        { "1,000 idle TCP connections are closed", test_idle_connections },
        { "pipelined TCP queries never read", test_pipelined_unread },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "hostile", hostile_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "hostile", suites);
}
