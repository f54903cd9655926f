/* Attacks an independent review found (issue 13), each against a real
 * `stubcompat serve` or `stubcompat run` on loopback:
 *
 *   - a query from source port 0 inside a recvmmsg batch (its reply cannot be
 *     sent) must not take the other replies of the batch with it;
 *   - queries from reflector ports (chargen 19 ...) and responses are never
 *     answered;
 *   - slowloris: a query trickled a byte at a time is cut off, and a server
 *     whose TCP slots are all taken still accepts a legitimate client;
 *   - EMFILE: with its descriptors exhausted the server neither spins nor
 *     floods its log, still answers over UDP, and accepts TCP again later;
 *   - delay_ms under a flood: a legitimate reply still leaves on time and the
 *     parked replies are bounded;
 *   - UDP and late TCP data sprayed at a run's own ports while it runs.
 *
 * "Normal time" is judged with generous margins (a loaded machine is slow);
 * the failures these tests catch are seconds, not milliseconds. Raw-socket
 * and low-port cases need root (CAP_NET_RAW, CAP_NET_BIND_SERVICE) and are
 * skipped with that reason otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "tests/common/command.h"
#include "tests/common/probe.h"
#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define ANSWER_MS 1000          /* a legitimate answer on an idle loopback takes ~1 ms */

/* ---------------------------------------------------------------- helpers */

static struct sockaddr_in loopback(uint16_t port)
{
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sa;
}

/* Waits for a datagram on fd for up to ms. Returns its length, -1 on none. */
static ssize_t udp_wait(int fd, uint8_t *buf, size_t cap, unsigned ms)
{
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, (int)ms) <= 0)
                return -1;
        return recv(fd, buf, cap, 0);
}

/* One legitimate UDP query from a fresh socket. Returns the milliseconds until
 * its reply (matching id, QR set), or -1 when none came within safety_ms. */
static double udp_ask(uint16_t port, unsigned safety_ms)
{
        struct sockaddr_in sa = loopback(port);
        uint8_t q[64], r[4096];
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        double start = cmd_now_ms(), took = -1;
        size_t n = probe_api_query(q, 0x4242);

        if (fd < 0)
                return -1;
        sendto(fd, q, n, 0, (struct sockaddr *)&sa, sizeof(sa));
        while (cmd_now_ms() - start < safety_ms) {
                ssize_t got = udp_wait(fd, r, sizeof(r), 100);
                if (got >= 12 && r[0] == 0x42 && r[1] == 0x42 && (r[2] & 0x80)) {
                        took = cmd_now_ms() - start;
                        break;
                }
        }
        close(fd);
        return took;
}

/* One legitimate TCP query on a new connection. Returns the milliseconds
 * until the whole reply, or -1 (refused, closed, or nothing in safety_ms). */
static double tcp_ask(uint16_t port, unsigned safety_ms)
{
        uint8_t q[66], r[4096];
        double start = cmd_now_ms(), took = -1;
        size_t n = probe_api_query(q + 2, 0x4343), have = 0;
        int fd = probe_tcp_connect(port);

        if (fd < 0)
                return -1;
        q[0] = (uint8_t)(n >> 8);
        q[1] = (uint8_t)n;
        if (write(fd, q, n + 2) != (ssize_t)(n + 2))
                goto done;
        while (cmd_now_ms() - start < safety_ms) {
                struct pollfd p = { fd, POLLIN, 0 };
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t got = read(fd, r + have, sizeof(r) - have);
                if (got <= 0)
                        break;
                have += (size_t)got;
                if (have >= 2 && have >= 2 + ((size_t)r[0] << 8 | r[1])) {
                        took = cmd_now_ms() - start;
                        break;
                }
        }
done:
        close(fd);
        return took;
}

static rlim_t set_nofile(rlim_t want)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return 0;
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
        return rl.rlim_cur;
}

/* CPU seconds (user + system) the process used so far, or -1. */
static double cpu_seconds(pid_t pid)
{
        char path[64], buf[1024];
        unsigned long ut, st;
        FILE *f;
        char *p;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (!(f = fopen(path, "r")))
                return -1;
        p = fgets(buf, sizeof(buf), f);
        fclose(f);
        if (!p || !(p = strrchr(buf, ')')))
                return -1;
        /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
        if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return -1;
        return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

#define START(sp, sets, extra) do { \
        (sp) = serverproc_start(SCN, (sets), (extra)); \
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp); \
} while (0)

/* ---------------------------------------------------------------- port 0 */

/* Sends a UDP datagram from 127.0.0.1:sport through a raw socket (the only
 * way to send from port 0). Returns false without CAP_NET_RAW. */
static bool raw_udp_send(int raw, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len)
{
        uint8_t pkt[512];
        struct udphdr *u = (struct udphdr *)pkt;
        struct sockaddr_in to = loopback(dport);

        u->source = htons(sport);
        u->dest = htons(dport);
        u->len = htons((uint16_t)(sizeof(*u) + len));
        u->check = 0;   /* no checksum: allowed for UDP over IPv4 */
        memcpy(pkt + sizeof(*u), data, len);
        return sendto(raw, pkt, sizeof(*u) + len, 0, (struct sockaddr *)&to, sizeof(to)) ==
               (ssize_t)(sizeof(*u) + len);
}

#define BATCH_LEGIT 17

/* The server is stopped while a query from port 0 and 17 legitimate ones
 * queue up, so that one recvmmsg reads them all: the port-0 reply cannot be
 * sent (EINVAL), and before the fix the 17 others were dropped with it while
 * the log said they were sent. */
static void test_port_zero_in_batch(void)
{
        struct serverproc *sp;
        uint8_t q[64], r[4096];
        int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
        int fd;
        unsigned answered = 0;

        if (raw < 0)
                TEST_SKIP("no raw socket (%s): sending from port 0 needs CAP_NET_RAW", strerror(errno));
        START(sp, SP_LIST("records=3"), NULL);
        uint16_t port = serverproc_port(sp);
        struct sockaddr_in sa = loopback(port);
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        CU_ASSERT_FATAL(fd >= 0);

        kill(serverproc_pid(sp), SIGSTOP);
        CU_ASSERT(raw_udp_send(raw, 0, port, q, probe_api_query(q, 0xdead)));
        for (unsigned i = 0; i < BATCH_LEGIT; i++)
                sendto(fd, q, probe_api_query(q, (uint16_t)(0x100 + i)), 0, (struct sockaddr *)&sa, sizeof(sa));
        kill(serverproc_pid(sp), SIGCONT);

        double start = cmd_now_ms();
        while (answered < BATCH_LEGIT && cmd_now_ms() - start < 3000) {
                ssize_t got = udp_wait(fd, r, sizeof(r), 100);
                if (got >= 12 && (r[2] & 0x80))
                        answered++;
        }
        printf("\n    %u of %u legitimate queries answered after a port-0 query in their batch ",
               answered, BATCH_LEGIT);
        CU_ASSERT_EQUAL(answered, BATCH_LEGIT);

        /* the log tells the truth: one refused, the legitimate ones sent */
        serverproc_wait_exchanges(sp, BATCH_LEGIT + 1, 3000);
        CU_ASSERT_EQUAL(serverproc_count(sp, "udp", "source port refused"), 1);
        size_t sent = 0;
        struct serverproc_exchange x;
        for (size_t i = 0; serverproc_exchange(sp, i, &x); i++)
                if (x.reply_bytes > 0 && x.note[0] == '\0')
                        sent++;
        CU_ASSERT_EQUAL(sent, BATCH_LEGIT);
        if (sent != BATCH_LEGIT)
                serverproc_dump(sp);
        close(fd);
        close(raw);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- reflection */

/* A query from chargen's port (19) would start a ping-pong with a real
 * chargen; it and a response (QR=1) get nothing, a legitimate query right
 * after is answered. */
static void test_reflection(void)
{
        static const uint16_t ports[] = { 19, 7, 13, 17, 37 };
        struct serverproc *sp;
        uint8_t q[64], r[4096];
        int fd = -1;
        uint16_t from = 0;

        for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]) && fd < 0; i++) {
                struct sockaddr_in me = loopback(ports[i]);
                fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd >= 0 && bind(fd, (struct sockaddr *)&me, sizeof(me)) == 0) {
                        from = ports[i];
                        break;
                }
                if (fd >= 0)
                        close(fd);
                fd = -1;
        }
        if (fd < 0)
                TEST_SKIP("cannot bind a reflector port (19, 7, 13, 17, 37) on 127.0.0.1: %s",
                          strerror(errno));
        START(sp, SP_LIST("records=3"), NULL);
        struct sockaddr_in sa = loopback(serverproc_port(sp));

        sendto(fd, q, probe_api_query(q, 0x1919), 0, (struct sockaddr *)&sa, sizeof(sa));
        ssize_t got = udp_wait(fd, r, sizeof(r), 1000);
        printf("\n    query from port %u: %s ", from, got < 0 ? "no reply" : "answered");
        CU_ASSERT(got < 0);

        int other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        size_t n = probe_api_query(q, 0x2020);
        q[2] |= 0x80;   /* QR: a response, as a reflected reply would be */
        sendto(other, q, n, 0, (struct sockaddr *)&sa, sizeof(sa));
        CU_ASSERT(udp_wait(other, r, sizeof(r), 500) < 0);
        close(other);

        double took = udp_ask(serverproc_port(sp), 5000);
        CU_ASSERT(took >= 0 && took < ANSWER_MS);
        close(fd);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- slowloris */

#define TRICKLERS 20
#define TRICKLE_MS 200
#define DEADLINE_IDLE_MS 1000

/* Each connection sends one byte of a query every 200 ms, so the idle timeout
 * (1 s) never fires; the query must still be whole within 1 s of its first
 * byte, or the connection is closed. A legitimate client is answered
 * meanwhile. */
static void test_slowloris_deadline(void)
{
        struct serverproc *sp;
        int fds[TRICKLERS];
        double closed_after[TRICKLERS];
        uint8_t msg[66];
        size_t n = probe_api_query(msg + 2, 7);
        unsigned closed = 0;

        msg[0] = 0;
        msg[1] = (uint8_t)n;
        START(sp, SP_LIST("records=3"), SP_LIST("--quiet", "--idle-ms", "1000"));
        uint16_t port = serverproc_port(sp);
        for (int i = 0; i < TRICKLERS; i++) {
                fds[i] = probe_tcp_connect(port);
                closed_after[i] = -1;
                CU_ASSERT_FATAL(fds[i] >= 0);
        }
        double start = cmd_now_ms();
        for (size_t byte = 0; byte < n + 2 && closed < TRICKLERS; byte++) {
                for (int i = 0; i < TRICKLERS; i++) {
                        if (closed_after[i] >= 0)
                                continue;
                        struct pollfd p = { fds[i], POLLIN, 0 };
                        uint8_t b;
                        if ((poll(&p, 1, 0) > 0 && read(fds[i], &b, 1) <= 0) ||
                            send(fds[i], msg + byte, 1, MSG_NOSIGNAL) < 0) {
                                closed_after[i] = cmd_now_ms() - start;
                                closed++;
                        }
                }
                if (byte == 2) {
                        double took = tcp_ask(port, 5000);
                        printf("\n    legitimate TCP query during the trickle: %.0f ms ", took);
                        CU_ASSERT(took >= 0 && took < ANSWER_MS);
                }
                usleep(TRICKLE_MS * 1000);
        }
        double worst = 0;
        for (int i = 0; i < TRICKLERS; i++)
                if (closed_after[i] > worst)
                        worst = closed_after[i];
        printf("\n    %u of %d trickling connections closed, the last after %.0f ms ", closed,
               TRICKLERS, worst);
        CU_ASSERT_EQUAL(closed, TRICKLERS);
        CU_ASSERT(worst < DEADLINE_IDLE_MS + 2000);
        for (int i = 0; i < TRICKLERS; i++)
                close(fds[i]);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

#define SLOT_HOGS 1100   /* more than the server's 1,024 TCP slots */

/* Every TCP slot taken by a connection that sent one byte (default idle
 * timeout, 10 s): a new legitimate connection evicts the least recently
 * active one instead of being closed at once. */
static void test_slowloris_slots(void)
{
        struct serverproc *sp;
        static int fds[SLOT_HOGS];
        int opened = 0;

        if (set_nofile(4096) < SLOT_HOGS + 64)
                TEST_SKIP("cannot raise the descriptor limit to %d", SLOT_HOGS + 64);
        START(sp, SP_LIST("records=3"), SP_LIST("--quiet"));
        uint16_t port = serverproc_port(sp);
        for (int i = 0; i < SLOT_HOGS; i++) {
                fds[i] = probe_tcp_connect(port);
                if (fds[i] < 0)
                        break;
                send(fds[i], "\0", 1, MSG_NOSIGNAL);
                opened++;
                if (i % 100 == 99)
                        usleep(20000);   /* lets the server accept them */
        }
        usleep(500000);
        CU_ASSERT_EQUAL(opened, SLOT_HOGS);
        double took = tcp_ask(port, 5000);
        printf("\n    %d connections holding every slot; legitimate TCP query: %.0f ms ", opened, took);
        CU_ASSERT(took >= 0 && took < ANSWER_MS);
        for (int i = 0; i < opened; i++)
                close(fds[i]);
        char err[4096] = "";
        CU_ASSERT_EQUAL(serverproc_stop_stderr(sp, err, sizeof(err)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "idle TCP connections evicted"));
}

/* ---------------------------------------------------------------- EMFILE */

#define EMFILE_LIMIT 48
#define EMFILE_CONNS 100

/* The server starts with 48 descriptors; 100 connections exhaust them. It
 * must not spin on accept() (CPU over one second well below 30%), must not
 * write a warning per failure (before the fix: megabytes a second), must
 * answer UDP at once, and must accept TCP again when descriptors free up. */
static void test_emfile(void)
{
        struct serverproc *sp;
        struct rlimit limit = { EMFILE_LIMIT, EMFILE_LIMIT };
        int fds[EMFILE_CONNS], opened = 0;

        START(sp, SP_LIST("records=3"), SP_LIST("--quiet"));
        uint16_t port = serverproc_port(sp);
        pid_t pid = serverproc_pid(sp);
        /* stubcompat raises its soft limit to the hard one at start: lower both */
        if (prlimit(pid, RLIMIT_NOFILE, &limit, NULL) < 0) {
                serverproc_stop(sp);
                TEST_SKIP("cannot lower the server's descriptor limit: %s", strerror(errno));
        }

        for (int i = 0; i < EMFILE_CONNS; i++)
                if ((fds[i] = probe_tcp_connect(port)) >= 0)
                        opened++;
        usleep(300000);
        double cpu0 = cpu_seconds(pid), t0 = cmd_now_ms();
        size_t err0 = serverproc_stderr(sp, NULL, 0);
        usleep(1000000);
        double cpu = cpu_seconds(pid) - cpu0, wall = (cmd_now_ms() - t0) / 1000;
        size_t err_bytes = serverproc_stderr(sp, NULL, 0) - err0;
        double udp = udp_ask(port, 5000);
        printf("\n    %d connections at a 48-descriptor server: %.0f%% CPU, %zu stderr bytes in "
               "%.1f s, UDP answered in %.0f ms ", opened, 100 * cpu / wall, err_bytes, wall, udp);
        CU_ASSERT(cpu >= 0 && cpu < 0.3 * wall);
        CU_ASSERT(err_bytes < 1024);
        CU_ASSERT(udp >= 0 && udp < ANSWER_MS);

        for (int i = 0; i < EMFILE_CONNS; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        double tcp = -1;
        for (int tries = 0; tries < 20 && tcp < 0; tries++)   /* the closes reach the server */
                if ((tcp = tcp_ask(port, 2000)) < 0)
                        usleep(100000);
        printf("\n    after the connections closed: TCP answered in %.0f ms ", tcp);
        CU_ASSERT(tcp >= 0 && tcp < ANSWER_MS);
        char err[4096] = "";
        CU_ASSERT_EQUAL(serverproc_stop_stderr(sp, err, sizeof(err)), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "TCP accepting paused"));
}

/* ---------------------------------------------------------------- delay_ms flood */

#define FLOOD 60000
#define FLOOD_DELAY_MS 1000

/* 60,000 queries at a server that holds every reply for a second, then a
 * legitimate one: its answer comes after about a second, not after the
 * flood's, and the held replies are bounded (the oldest dropped, counted in
 * the summary serve prints at exit). */
static void test_delay_flood(void)
{
        struct serverproc *sp;
        uint8_t q[64];
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int big = 8 * 1024 * 1024;

        CU_ASSERT_FATAL(fd >= 0);
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
        START(sp, SP_LIST("records=3", "delay_ms=1000"), SP_LIST("--quiet"));
        struct sockaddr_in sa = loopback(serverproc_port(sp));
        long rss0 = probe_status_kb(serverproc_pid(sp), "VmRSS");
        double start = cmd_now_ms();
        for (unsigned i = 0; i < FLOOD; i++) {
                sendto(fd, q, probe_api_query(q, (uint16_t)i), 0, (struct sockaddr *)&sa, sizeof(sa));
                if (i % 64 == 63)
                        usleep(500);   /* paced, so the server's socket buffer holds them */
        }
        double flood_ms = cmd_now_ms() - start;
        double took = udp_ask(serverproc_port(sp), 20000);
        long peak = probe_status_kb(serverproc_pid(sp), "VmHWM");
        printf("\n    %d queries in %.0f ms, then a legitimate one answered in %.0f ms "
               "(delay_ms=%d); server VmRSS %ld KiB before, VmHWM %ld KiB ", FLOOD, flood_ms, took,
               FLOOD_DELAY_MS, rss0, peak);
        CU_ASSERT(took >= FLOOD_DELAY_MS - 50 && took < FLOOD_DELAY_MS + ANSWER_MS);
        close(fd);
        char err[4096] = "";
        CU_ASSERT_EQUAL(serverproc_stop_stderr(sp, err, sizeof(err)), 0);
        unsigned dropped = 0;
        const char *p = strstr(err, "queries from refused source ports, ");
        if (p)
                sscanf(strstr(p, ", ") + 2, "%*u replies the kernel would not send, %u delayed", &dropped);
        printf("\n    delayed replies dropped (queue full): %u ", dropped);
        CU_ASSERT(dropped > 0);
}

/* ---------------------------------------------------------------- a run's ports */

/* The 127.0.0.1 ports (UDP, and listening TCP) of the sockets process pid
 * holds: each of its socket descriptors is duplicated with pidfd_getfd and
 * asked with getsockname (fast however many sockets the machine has, unlike
 * reading /proc/net/tcp). Returns how many, 0 when the process is gone. */
static size_t process_ports(pid_t pid, uint16_t *udp, size_t *nudp, uint16_t *tcp, size_t *ntcp,
                            size_t cap)
{
        char path[64], link[64];
        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        DIR *d;
        struct dirent *e;

        *nudp = *ntcp = 0;
        snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
        if (pidfd < 0 || !(d = opendir(path))) {
                if (pidfd >= 0)
                        close(pidfd);
                return 0;
        }
        while ((e = readdir(d))) {
                char fdpath[320];
                struct sockaddr_in sa;
                socklen_t len = sizeof(sa);
                int type = 0, listening = 0;
                socklen_t tl = sizeof(type), ll = sizeof(listening);
                snprintf(fdpath, sizeof(fdpath), "%s/%s", path, e->d_name);
                ssize_t n = readlink(fdpath, link, sizeof(link) - 1);
                if (n <= 0 || strncmp(link, "socket:", 7) != 0)
                        continue;
                int fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
                if (fd < 0)
                        continue;
                if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 && sa.sin_family == AF_INET &&
                    sa.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && sa.sin_port != 0 &&
                    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0) {
                        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ll);
                        if (type == SOCK_DGRAM && *nudp < cap)
                                udp[(*nudp)++] = ntohs(sa.sin_port);
                        else if (type == SOCK_STREAM && listening && *ntcp < cap)
                                tcp[(*ntcp)++] = ntohs(sa.sin_port);
                }
                close(fd);
        }
        closedir(d);
        close(pidfd);
        return *nudp + *ntcp;
}

struct sprayer {
        pid_t pid;
        volatile bool stop;
        unsigned long datagrams, tcp_late;
};

#define LATE_CONNS 64

/* Until told to stop: every few milliseconds, a query to each UDP port the run
 * holds, a new connection with a query to each listening TCP port, and one
 * more query on connections opened earlier (late data after their cell
 * ended). */
static void *spray_main(void *arg)
{
        struct sprayer *sp = arg;
        uint16_t udp[512], tcp[512];
        size_t nudp, ntcp;
        int late[LATE_CONNS], nlate = 0, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        uint8_t q[66];
        size_t n = probe_api_query(q + 2, 0x5151);

        q[0] = 0;
        q[1] = (uint8_t)n;
        while (!sp->stop) {
                process_ports(sp->pid, udp, &nudp, tcp, &ntcp, 512);
                for (size_t i = 0; i < nudp; i++) {
                        struct sockaddr_in sa = loopback(udp[i]);
                        if (sendto(fd, q + 2, n, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa)) > 0)
                                sp->datagrams++;
                }
                for (int i = 0; i < nlate; i++)
                        if (send(late[i], q, n + 2, MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
                                sp->tcp_late++;
                for (size_t i = 0; i < ntcp; i++) {
                        if (nlate == LATE_CONNS) {
                                close(late[0]);
                                memmove(late, late + 1, sizeof(late[0]) * (LATE_CONNS - 1));
                                nlate--;
                        }
                        int c = probe_tcp_connect(tcp[i]);
                        if (c >= 0) {
                                send(c, q, 1, MSG_NOSIGNAL);   /* the rest comes late */
                                late[nlate++] = c;
                        }
                }
                usleep(2000);
        }
        for (int i = 0; i < nlate; i++)
                close(late[i]);
        close(fd);
        return NULL;
}

#define SPRAY_MS 8000

/* `stubcompat run` again and again for 8 s while another thread sprays
 * queries at every UDP port it holds and sends late TCP data to its
 * listeners. Before the fix a pooled server answered from its freed point:
 * SIGSEGV in the plain build, heap-use-after-free under ASan. */
static void test_spray_run(void)
{
        char bin[512], out[] = "/tmp/stubcompat-spray-XXXXXX", scn[512];
        unsigned runs = 0, bad = 0;
        unsigned long datagrams = 0, late = 0;
        double start = cmd_now_ms();

        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scn, sizeof(scn), "%s/" SCN, test_source_dir());
        CU_ASSERT_FATAL(mkdtemp(out) != NULL);
        while (cmd_now_ms() - start < SPRAY_MS) {
                char *argv[] = { bin, "run", scn, "--clients", "emulated,real:c-ares-1.18",
                                 "--out", out, "--quiet", NULL };
                int out_fd, err_fd, wstatus;
                pid_t pid = cmd_spawn(argv, false, &out_fd, &err_fd);
                CU_ASSERT_FATAL(pid > 0);
                struct sprayer s = { .pid = pid };
                pthread_t th;
                pthread_create(&th, NULL, spray_main, &s);
                /* drain the pipes until the run ends */
                char buf[4096], err[8192] = "";
                size_t elen = 0;
                struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
                while (p[0].fd >= 0 || p[1].fd >= 0) {
                        if (poll(p, 2, 1000) < 0 && errno != EINTR)
                                break;
                        for (int i = 0; i < 2; i++) {
                                if (p[i].fd < 0 || !p[i].revents)
                                        continue;
                                ssize_t got = read(p[i].fd, buf, sizeof(buf));
                                if (got <= 0) {
                                        close(p[i].fd);
                                        p[i].fd = -1;
                                } else if (i == 1 && elen < sizeof(err) - 1) {
                                        size_t k = (size_t)got < sizeof(err) - 1 - elen ? (size_t)got
                                                                                       : sizeof(err) - 1 - elen;
                                        memcpy(err + elen, buf, k);
                                        elen += k;
                                        err[elen] = '\0';
                                }
                        }
                }
                waitpid(pid, &wstatus, 0);
                s.stop = true;
                pthread_join(th, NULL);
                runs++;
                datagrams += s.datagrams;
                late += s.tcp_late;
                int code = cmd_exit_code(wstatus);
                if (code > 1 || strstr(err, "Sanitizer") || strstr(err, "runtime error")) {
                        bad++;
                        printf("\n    run %u: exit %d\n%s", runs, code, err);
                }
        }
        printf("\n    %u runs under spray: %lu datagrams, %lu late TCP queries, %u crashed or "
               "reported memory errors ", runs, datagrams, late, bad);
        CU_ASSERT(runs > 0);
        CU_ASSERT(datagrams > 0);
        CU_ASSERT_EQUAL(bad, 0);
        char rm[600];
        snprintf(rm, sizeof(rm), "rm -rf '%s'", out);
        if (system(rm) != 0)
                printf("\n    note: could not remove %s ", out);
}

static const struct test_case server_cases[] = {
        { "port 0 in a batch drops its own reply only", test_port_zero_in_batch },
        { "reflector ports and responses are not answered", test_reflection },
        { "slowloris: a trickled query is cut off", test_slowloris_deadline },
        { "slowloris: full slots evict the oldest idle", test_slowloris_slots },
        { "EMFILE pauses accepting and resumes", test_emfile },
        { "delay_ms flood is bounded and on time", test_delay_flood },
        { NULL, NULL },
};

static const struct test_case run_cases[] = {
        { "UDP spray and late TCP data at a run's ports", test_spray_run },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "server", server_cases },
        { "run", run_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        signal(SIGPIPE, SIG_IGN);
        return test_main(argc, argv, "attacks", suites);
}
