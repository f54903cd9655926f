/* Integration test of harness/server/udp-send.h on loopback: a batch of
 * replies to two peers, interleaved, with runs of equal sizes (joined into
 * UDP GSO messages), shorter and longer ones (which end a run) and a peer
 * the kernel refuses. Each peer must receive exactly its own datagrams, in
 * its own order, byte for byte, as one sendto per reply would deliver them. */
#include "harness/server/udp-send.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/testmain.h"

#define NREPLIES 13

/* A UDP socket on 127.0.0.1 with a kernel-chosen port; its address in sa. */
static int bound_socket(struct sockaddr_storage *sa, socklen_t *len)
{
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

        memset(sa, 0, sizeof(*sa));
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        *len = sizeof(*in);
        if (fd < 0 || bind(fd, (struct sockaddr *)sa, *len) < 0 ||
            getsockname(fd, (struct sockaddr *)sa, len) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* Reads every datagram queued on fd (waiting up to 1 s for the first) and
 * checks that they are, in order, the replies of r whose peer is `peer`. */
static void expect_datagrams(int fd, const struct udp_reply *r, const enum udp_send_status *st,
                             const struct sockaddr_storage *peer, const char *name)
{
        static uint8_t buf[65536];
        struct pollfd p = { .fd = fd, .events = POLLIN };
        unsigned got = 0, want = 0, matched = 0;
        int i = 0;

        poll(&p, 1, 1000);
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                if (n < 0)
                        break;
                got++;
                while (i < NREPLIES && (r[i].peer != peer || st[i] != UDP_SENT))
                        i++;
                if (i < NREPLIES && (size_t)n == r[i].len && memcmp(buf, r[i].data, r[i].len) == 0)
                        matched++;
                else
                        printf("\n    %s: datagram %u (%zd bytes) is not reply %d", name, got, n, i);
                i++;
        }
        for (int k = 0; k < NREPLIES; k++)
                want += r[k].peer == peer && st[k] == UDP_SENT;
        printf("\n    %s: %u datagrams, %u expected, %u identical and in order", name, got, want,
               matched);
        CU_ASSERT_EQUAL(got, want);
        CU_ASSERT_EQUAL(matched, want);
}

static void test_batch(void)
{
        /* peer per reply: a, b, or the refused port 0 (x) */
        static const char peers[NREPLIES + 1] = "aabaxaababbba";
        static const size_t sizes[NREPLIES] = { 498, 498, 100, 498, 60, 300, 498, 498, 100, 498,
                                                700, 100, 498 };
        static uint8_t data[NREPLIES][700];
        struct sockaddr_storage sa_a, sa_b, sa_x, sa_s;
        socklen_t la, lb, ls;
        struct udp_reply r[NREPLIES];
        enum udp_send_status st[NREPLIES];
        int fa = bound_socket(&sa_a, &la), fb = bound_socket(&sa_b, &lb);
        int fs = bound_socket(&sa_s, &ls);

        CU_ASSERT_FATAL(fa >= 0 && fb >= 0 && fs >= 0);
        sa_x = sa_a;
        ((struct sockaddr_in *)&sa_x)->sin_port = 0;   /* sendmsg refuses port 0 */
        for (int i = 0; i < NREPLIES; i++) {
                for (size_t k = 0; k < sizes[i]; k++)
                        data[i][k] = (uint8_t)(i * 31 + k);
                const struct sockaddr_storage *peer = peers[i] == 'a' ? &sa_a
                                                    : peers[i] == 'b' ? &sa_b : &sa_x;
                r[i] = (struct udp_reply){ data[i], sizes[i], peer, la };
                st[i] = UDP_BUFFER_FULL;
        }
        udp_send_replies(fs, r, NREPLIES, st);
        for (int i = 0; i < NREPLIES; i++) {
                enum udp_send_status want = peers[i] == 'x' ? UDP_SEND_FAILED : UDP_SENT;
                if (st[i] != want)
                        printf("\n    reply %d to %c: status %d, expected %d", i, peers[i], st[i], want);
                CU_ASSERT_EQUAL(st[i], want);
        }
        expect_datagrams(fa, r, st, &sa_a, "peer a");
        expect_datagrams(fb, r, st, &sa_b, "peer b");
        printf("\n");
        close(fa);
        close(fb);
        close(fs);
}

static const struct test_case udp_send_cases[] = {
        { "interleaved peers, runs of equal sizes, a refused peer", test_batch },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "udp-send", udp_send_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "test-udp-send", suites);
}
