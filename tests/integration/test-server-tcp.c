/* The fake nameserver's TCP behaviours (tcp=on|refuse|blackhole|close|split)
 * against dig, kdig and small TCP clients written here, TCP pipelining the
 * way glibc uses it, and robustness against garbage on both transports.
 *
 * What the clients did here (dig 9.18.49, kdig 3.2.6), as asserted below:
 * - refuse: dig +tcp "connection refused", exit 9; kdig "can't connect",
 *   exit 1.
 * - blackhole: dig +tcp "timed out", exit 9; kdig "response timeout".
 * - close: dig +tcp "end of file", exit 9; kdig "can't receive reply".
 * - split: both reassemble the 514-byte answer; our own client's first
 *   recv() returns the 2-byte prefix alone.
 * A client that closes while a split or delayed answer is still being
 * written used to kill `stubcompat serve` with SIGPIPE (exit 141); the
 * client_gone tests keep it fixed. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"

#define START(sp, ...) do { \
        (sp) = serverproc_start(SCN, SP_LIST(__VA_ARGS__), NULL); \
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp); \
} while (0)

#define NEED(program) do { if (!cmd_available(program)) TEST_SKIP("%s not installed", program); } while (0)

#define TYPE_A 1
#define TYPE_AAAA 28

/* ---------------------------------------------------------------- a minimal client */

/* Writes a query for name/qtype with RD set and no OPT into buf (>= 512
 * bytes). Returns its length. Built here by hand, independent of the
 * harness's wire code. */
static size_t build_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype)
{
        size_t n = 12;
        memset(buf, 0, 12);
        buf[0] = (uint8_t)(id >> 8);
        buf[1] = (uint8_t)id;
        buf[2] = 0x01;                  /* RD */
        buf[5] = 1;                     /* QDCOUNT */
        while (*name) {
                const char *dot = strchr(name, '.');
                size_t len = dot ? (size_t)(dot - name) : strlen(name);
                buf[n++] = (uint8_t)len;
                memcpy(buf + n, name, len);
                n += len;
                name += len + (dot ? 1 : 0);
        }
        buf[n++] = 0;
        buf[n++] = (uint8_t)(qtype >> 8);
        buf[n++] = (uint8_t)qtype;
        buf[n++] = 0;
        buf[n++] = 1;                   /* IN */
        return n;
}

static size_t frame(uint8_t *out, const uint8_t *msg, size_t len)
{
        out[0] = (uint8_t)(len >> 8);
        out[1] = (uint8_t)len;
        memcpy(out + 2, msg, len);
        return len + 2;
}

static uint16_t get16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* A blocking TCP connection to the server with a 5 s receive timeout (a
 * safety net). Returns the fd, or -1 with errno set. */
static int tcp_connect(uint16_t port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        struct timeval tv = { 5, 0 };
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                return -1;
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                errno = e;
                return -1;
        }
        return fd;
}

static bool send_all(int fd, const uint8_t *p, size_t len)
{
        while (len > 0) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n <= 0)
                        return false;
                p += n;
                len -= (size_t)n;
        }
        return true;
}

/* Reads one length-prefixed message into msg, never past its end (a next
 * one may follow). Returns its length, or -1 on EOF, error or timeout. */
static long read_frame(int fd, uint8_t *msg, size_t cap)
{
        uint8_t buf[65537];
        size_t have = 0, want = 2;

        while (have < want) {
                ssize_t n = recv(fd, buf + have, want - have, 0);
                if (n <= 0)
                        return -1;
                have += (size_t)n;
                if (have == 2)
                        want = 2 + get16(buf);
        }
        if (want - 2 > cap)
                return -1;
        memcpy(msg, buf + 2, want - 2);
        return (long)(want - 2);
}

/* ---------------------------------------------------------------- tcp modes */

static void test_tcp_on(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=30", "tcp=on");
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+noedns"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && strcmp(d.transport, "TCP") == 0, &r);
        SP_CHECK(!d.tc && d.ancount == 30 && d.answer_lines == 30 && d.msg_size == 514, &r);
        EXPECT_EXCHANGE(sp, 0, "tcp", 514, 0, 30, "");
        cmd_result_free(&r);

        /* EDNS over TCP: OPT echoed, no size limit applies */
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+bufsize=512"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && d.opt && !d.tc && d.ancount == 30 && d.msg_size == 525, &r);
        EXPECT_EXCHANGE(sp, 1, "tcp", 525, 0, 30, "");
        cmd_result_free(&r);

        if (cmd_available("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+tcp", "+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && strcmp(d.transport, "TCP") == 0, &r);
                SP_CHECK(d.ancount == 30 && d.answer_lines == 30 && d.msg_size == 514, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* The port is bound but not listening: the kernel refuses the connection. */
static void test_tcp_refuse(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=30", "tcp=refuse");
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+time=1", "+tries=1"), API, "A", &r, &d);
        SP_CHECK(r.status == 9 && !d.have_header, &r);
        SP_CHECK(strstr(r.out, "connection refused") || strstr(r.err, "connection refused"), &r);
        cmd_result_free(&r);

        /* TC over UDP, then the refused TCP retry */
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+time=1", "+tries=1"), API, "A", &r, &d);
        SP_CHECK(r.status == 9 && d.retried_tcp, &r);
        EXPECT_EXCHANGE(sp, 0, "udp", 34, 1, 0, "tc-empty");
        cmd_result_free(&r);

        if (cmd_available("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+tcp", "+timeout=1", "+retry=0"), API,
                          "A", &r, &d);
                SP_CHECK(r.status != 0 && !d.have_header, &r);
                SP_CHECK(strstr(r.out, "can't connect") || strstr(r.err, "can't connect"), &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(tcp_connect(serverproc_port(sp)), -1);
        CU_ASSERT_EQUAL(errno, ECONNREFUSED);
        CU_ASSERT_EQUAL(serverproc_count(sp, "tcp", NULL), 0);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* Accepts and reads, never answers: the query shows in the log. */
static void test_tcp_blackhole(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;

        NEED("dig");
        START(sp, "records=30", "tcp=blackhole");
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+noedns", "+time=1", "+tries=1"), API,
                  "A", &r, &d);
        SP_CHECK(r.status == 9 && !d.have_header, &r);
        SP_CHECK(strstr(r.out, "timed out") != NULL, &r);
        EXPECT_EXCHANGE(sp, 0, "tcp", 0, 0, 0, "tcp=blackhole");
        cmd_result_free(&r);

        if (cmd_available("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+tcp", "+timeout=1", "+retry=0"), API,
                          "A", &r, &d);
                SP_CHECK(r.status != 0 && !d.have_header, &r);
                SP_CHECK(strstr(r.out, "timeout") || strstr(r.err, "timeout"), &r);
                EXPECT_EXCHANGE(sp, 1, "tcp", 0, 0, 0, "tcp=blackhole");
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* Reads the query, then closes: the client sees EOF instead of a reply. */
static void test_tcp_close(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        uint8_t q[512], f[514], msg[1024];
        int fd;

        NEED("dig");
        START(sp, "records=30", "tcp=close");
        dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+noedns", "+time=1", "+tries=1"), API,
                  "A", &r, &d);
        SP_CHECK(r.status == 9 && !d.have_header, &r);
        SP_CHECK(strstr(r.out, "end of file") != NULL, &r);
        EXPECT_EXCHANGE(sp, 0, "tcp", 0, 0, 0, "tcp=close");
        cmd_result_free(&r);

        if (cmd_available("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+tcp", "+timeout=1", "+retry=0"), API,
                          "A", &r, &d);
                SP_CHECK(r.status != 0 && !d.have_header, &r);
                SP_CHECK(strstr(r.out, "can't receive reply") || strstr(r.err, "can't receive reply"), &r);
                cmd_result_free(&r);
        }

        fd = tcp_connect(serverproc_port(sp));
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(send_all(fd, f, frame(f, q, build_query(q, 0x1234, API, TYPE_A))));
        CU_ASSERT_EQUAL(read_frame(fd, msg, sizeof(msg)), -1);   /* EOF */
        close(fd);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* One exchange with the split server, read with large recv calls: returns
 * the message length (or -1), the first recv's size in *first and the
 * number of recv calls that returned data in *recvs. */
static long split_exchange(uint16_t port, long *first, unsigned *recvs, uint8_t *msg, size_t cap)
{
        uint8_t q[512], f[514], buf[4096];
        struct pollfd pfd;
        size_t have = 0, want = 2;
        int fd = tcp_connect(port);

        *first = -1;
        *recvs = 0;
        if (fd < 0)
                return -1;
        if (!send_all(fd, f, frame(f, q, build_query(q, 0x5151, API, TYPE_A)))) {
                close(fd);
                return -1;
        }
        pfd = (struct pollfd){ fd, POLLIN, 0 };
        poll(&pfd, 1, 5000);
        while (have < want) {
                ssize_t n = recv(fd, buf + have, sizeof(buf) - have, 0);
                if (n <= 0)
                        break;
                if (*first < 0)
                        *first = n;
                (*recvs)++;
                have += (size_t)n;
                if (have >= 2)
                        want = 2 + get16(buf);
        }
        close(fd);
        if (have != want || want - 2 > cap)
                return -1;
        memcpy(msg, buf + 2, want - 2);
        return (long)(want - 2);
}

/* Prefix and message in separate writes with pauses: clients must
 * reassemble. Our own client sees a first recv of exactly the 2-byte
 * prefix (checked over up to 3 tries, since a late reader could find more
 * already queued). */
static void test_tcp_split(void)
{
        struct serverproc *sp;
        struct cmd_result r;
        struct dig_reply d;
        uint8_t msg[2048];
        bool prefix_alone = false;

        START(sp, "records=30", "tcp=split");
        for (int attempt = 0; attempt < 3 && !prefix_alone; attempt++) {
                long first;
                unsigned recvs;
                long len = split_exchange(serverproc_port(sp), &first, &recvs, msg, sizeof(msg));
                CU_ASSERT_EQUAL(len, 514);
                CU_ASSERT(len == 514 && get16(msg) == 0x5151 && get16(msg + 6) == 30);
                CU_ASSERT(recvs >= 2);      /* the message never came in one piece */
                prefix_alone = first == 2;
                if (!prefix_alone)
                        printf("\n    split attempt %d: first recv %ld bytes, %u recvs\n", attempt,
                               first, recvs);
        }
        CU_ASSERT(prefix_alone);

        if (cmd_available("dig")) {
                dig_query("dig", serverproc_port(sp), SP_LIST("+tcp", "+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && strcmp(d.transport, "TCP") == 0, &r);
                SP_CHECK(d.ancount == 30 && d.answer_lines == 30 && d.msg_size == 514, &r);
                cmd_result_free(&r);
                /* and after TC on UDP */
                dig_query("dig", serverproc_port(sp), SP_LIST("+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && d.retried_tcp && d.msg_size == 514, &r);
                cmd_result_free(&r);
        }
        if (cmd_available("kdig")) {
                dig_query("kdig", serverproc_port(sp), SP_LIST("+tcp", "+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && d.answer_lines == 30 && d.msg_size == 514, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* glibc sends A and AAAA back to back on one connection: two framed
 * queries in one write get two framed answers, in order. */
static void check_pipelining(const char *tcp_mode)
{
        char set[64];
        struct serverproc *sp;
        uint8_t q[512], buf[1100], msg[2048];
        size_t n = 0;
        int fd;

        snprintf(set, sizeof(set), "tcp=%s", tcp_mode);
        START(sp, "records=30", set);
        n += frame(buf + n, q, build_query(q, 0xa001, API, TYPE_A));
        n += frame(buf + n, q, build_query(q, 0xa002, API, TYPE_AAAA));
        fd = tcp_connect(serverproc_port(sp));
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n);   /* one write */

        long len = read_frame(fd, msg, sizeof(msg));
        CU_ASSERT_EQUAL(len, 514);
        CU_ASSERT(len > 0 && get16(msg) == 0xa001 && get16(msg + 6) == 30);
        CU_ASSERT(len > 0 && get16(msg + 12 + 18) == TYPE_A);        /* the question's type */
        len = read_frame(fd, msg, sizeof(msg));
        CU_ASSERT_EQUAL(len, 34);                                      /* no AAAA: NODATA */
        CU_ASSERT(len > 0 && get16(msg) == 0xa002 && get16(msg + 6) == 0);
        CU_ASSERT(len > 0 && (msg[3] & 0x0f) == 0 && get16(msg + 12 + 18) == TYPE_AAAA);

        /* the connection stays usable for a third query */
        n = frame(buf, q, build_query(q, 0xa003, API, TYPE_A));
        CU_ASSERT(send_all(fd, buf, n));
        len = read_frame(fd, msg, sizeof(msg));
        CU_ASSERT(len == 514 && get16(msg) == 0xa003);
        close(fd);

        EXPECT_EXCHANGE(sp, 0, "tcp", 514, 0, 30, "");
        EXPECT_EXCHANGE(sp, 1, "tcp", 34, 0, 0, "");
        EXPECT_EXCHANGE(sp, 2, "tcp", 514, 0, 30, "");
        struct serverproc_exchange x0, x1;
        CU_ASSERT(serverproc_exchange(sp, 0, &x0) && serverproc_exchange(sp, 1, &x1));
        CU_ASSERT(strcmp(x0.qtype, "A") == 0 && strcmp(x1.qtype, "AAAA") == 0);
        CU_ASSERT(strcmp(x0.peer, x1.peer) == 0);                      /* one connection */
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* A client that goes away while its answer is still being written (a
 * split reply, or pipelined delayed ones) must not take the server down:
 * the next write to the dead connection raises SIGPIPE unless ignored. */
static void check_client_gone(const char *const *sets, bool wait_prefix)
{
        struct serverproc *sp = serverproc_start(SCN, sets, NULL);
        uint8_t q[512], buf[1100], msg[2048];
        size_t n;

        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        for (int k = 0; k < 5; k++) {
                int fd = tcp_connect(serverproc_port(sp));
                CU_ASSERT_FATAL(fd >= 0);
                n = frame(buf, q, build_query(q, (uint16_t)(0xb000 + k), API, TYPE_A));
                n += frame(buf + n, q, build_query(q, (uint16_t)(0xb100 + k), API, TYPE_A));
                CU_ASSERT(send_all(fd, buf, n));
                if (wait_prefix)
                        CU_ASSERT_EQUAL(recv(fd, msg, 2, 0), 2);
                close(fd);      /* an orderly close: the server's next write is answered by RST */
        }
        /* the server's remaining writes land on dead connections meanwhile */
        usleep(500 * 1000);
        if (!serverproc_alive(sp)) {
                CU_FAIL("the server died");
                printf("\n    exit status %d\n", serverproc_stop(sp));
                return;
        }
        int fd = tcp_connect(serverproc_port(sp));
        CU_ASSERT_FATAL(fd >= 0);
        n = frame(buf, q, build_query(q, 0xbeef, API, TYPE_A));
        CU_ASSERT(send_all(fd, buf, n));
        long len = read_frame(fd, msg, sizeof(msg));
        CU_ASSERT(len == 514 && get16(msg) == 0xbeef);
        close(fd);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static void test_client_gone_split(void)
{
        check_client_gone(SP_LIST("records=30", "tcp=split"), true);
}

static void test_client_gone_delayed(void)
{
        check_client_gone(SP_LIST("records=30", "delay_ms=50"), false);
}

static void test_pipelining(void) { check_pipelining("on"); }
static void test_pipelining_split(void) { check_pipelining("split"); }

/* ---------------------------------------------------------------- robustness */

static uint64_t prng_state;

static uint64_t prng(void)
{
        /* xorshift64*: reproducible garbage from a fixed seed */
        prng_state ^= prng_state >> 12;
        prng_state ^= prng_state << 25;
        prng_state ^= prng_state >> 27;
        return prng_state * 0x2545F4914F6CDD1DULL;
}

/* Datagram i of the flood: random bytes, a mutated query, a random header
 * over a query, or a query cut short. Returns its length. */
static size_t flood_datagram(unsigned i, uint8_t *buf)
{
        size_t n;
        switch (i % 4) {
        case 0:
                n = prng() % 601;
                for (size_t k = 0; k < n; k++)
                        buf[k] = (uint8_t)prng();
                return n;
        case 1:
                n = build_query(buf, (uint16_t)prng(), API, TYPE_A);
                for (int k = 1 + (int)(prng() % 4); k > 0; k--)
                        buf[prng() % n] = (uint8_t)prng();
                return n;
        case 2:
                n = build_query(buf, 0, API, (uint16_t)prng());
                for (int k = 0; k < 12; k++)
                        buf[k] = (uint8_t)prng();
                return n;
        default:
                n = build_query(buf, (uint16_t)prng(), API, TYPE_A);
                return prng() % n;
        }
}

/* Connection j: a truncated length prefix or message, then either closed
 * at once or left open until the end of the test. */
static int flood_tcp(uint16_t port, unsigned j)
{
        uint8_t buf[600], q[512];
        size_t n = 0;
        int fd = tcp_connect(port);

        if (fd < 0)
                return -1;
        /* garbage bytes first; the start decides what the server sees */
        for (size_t k = 0; k < sizeof(buf); k++)
                buf[k] = (uint8_t)prng();
        switch (j % 5) {
        case 0: n = 1; buf[0] = 0; break;                            /* half a prefix */
        case 1: n = 12; buf[0] = 0; buf[1] = 64; break;              /* 64 announced, 10 sent */
        case 2: n = 2; buf[0] = buf[1] = 0xff; break;                /* 65535 announced, none sent */
        case 3: n = 3; buf[0] = buf[1] = buf[2] = 0; break;          /* empty message, half a prefix */
        default:                                                     /* garbage message, cut query */
                buf[0] = 0;
                buf[1] = 40;
                n = 42 + frame(buf + 42, q, build_query(q, (uint16_t)prng(), API, TYPE_A)) - 20;
                break;
        }
        send_all(fd, buf, n);
        if (j % 2 == 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static void test_garbage_then_normal_query(void)
{
        struct serverproc *sp;
        struct sockaddr_in sa = { .sin_family = AF_INET };
        struct cmd_result r;
        struct dig_reply d;
        uint8_t buf[700];
        int udp, open_fds[50], nopen = 0;
        unsigned sent = 0;

        START(sp, "records=30");
        sa.sin_port = htons(serverproc_port(sp));
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        CU_ASSERT_FATAL(udp >= 0);
        prng_state = 0x5eed5eed5eedULL;
        for (unsigned i = 0; i < 2000; i++) {
                size_t n = flood_datagram(i, buf);
                if (sendto(udp, buf, n, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)n)
                        sent++;
                if (i % 100 == 99) {
                        /* drain the replies; pace so the server sees most of them */
                        while (recv(udp, buf, sizeof(buf), 0) > 0)
                                ;
                        usleep(1000);
                }
        }
        close(udp);
        for (unsigned j = 0; j < 50; j++) {
                int fd = flood_tcp(serverproc_port(sp), j);
                if (fd >= 0)
                        open_fds[nopen++] = fd;
        }
        printf("\n    sent %u datagrams and 50 cut TCP streams; server logged %zu exchanges\n", sent,
               serverproc_exchange_count(sp));
        CU_ASSERT(sent == 2000);
        CU_ASSERT_FATAL(serverproc_alive(sp));

        if (cmd_available("dig")) {
                size_t before = serverproc_exchange_count(sp);
                dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+time=2", "+tries=2"), API,
                          "A", &r, &d);
                SP_CHECK(r.status == 0 && d.retried_tcp, &r);
                SP_CHECK(strcmp(d.status, "NOERROR") == 0 && d.answer_lines == 30 && d.msg_size == 514, &r);
                cmd_result_free(&r);
                CU_ASSERT(serverproc_wait_exchanges(sp, before + 2, 5000) >= before + 2);
        } else {
                /* our own client then */
                uint8_t q[512], f[514], msg[2048];
                int fd = tcp_connect(serverproc_port(sp));
                CU_ASSERT_FATAL(fd >= 0);
                CU_ASSERT(send_all(fd, f, frame(f, q, build_query(q, 7, API, TYPE_A))));
                CU_ASSERT_EQUAL(read_frame(fd, msg, sizeof(msg)), 514);
                close(fd);
        }
        for (int k = 0; k < nopen; k++)
                close(open_fds[k]);
        CU_ASSERT(serverproc_alive(sp));
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

static const struct test_case tcp_cases[] = {
        { "on", test_tcp_on },
        { "refuse", test_tcp_refuse },
        { "blackhole", test_tcp_blackhole },
        { "close", test_tcp_close },
        { "split", test_tcp_split },
        { "pipelining", test_pipelining },
        { "pipelining_split", test_pipelining_split },
        { "client_gone_split", test_client_gone_split },
        { "client_gone_delayed", test_client_gone_delayed },
        { NULL, NULL },
};

static const struct test_case robustness_cases[] = {
        { "garbage_then_normal_query", test_garbage_then_normal_query },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "tcp", tcp_cases },
        { "robustness", robustness_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "server-tcp", suites);
}
