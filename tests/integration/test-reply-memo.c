/* Integration test of the UDP reply memo (harness/server/reply-memo.h) in a
 * server on loopback: the same query with another id gets the same reply
 * with its own id; another query (an OPT record) gets its own reply; after
 * the server is parked and reset for another point, the memo is never
 * served (the answer grows from 3 to 5 records). */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/server/server.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/common/testmain.h"

/* api.mixpanel.com A, RD, id given; with an OPT record (1232) when edns. */
static size_t make_query(uint16_t id, bool edns, uint8_t *q)
{
        static const uint8_t name[] = "\3api\10mixpanel\3com";
        size_t n = 0;
        uint8_t hdr[12] = { (uint8_t)(id >> 8), (uint8_t)id, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, edns };

        memcpy(q, hdr, 12);
        n = 12;
        memcpy(q + n, name, sizeof(name));   /* with the root's 0 */
        n += sizeof(name);
        q[n++] = 0; q[n++] = 1; q[n++] = 0; q[n++] = 1;
        if (edns) {
                static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
                memcpy(q + n, opt, sizeof(opt));
                n += sizeof(opt);
        }
        return n;
}

/* Sends q to the server and runs the loop until the reply arrives (2 s at
 * most). Returns the reply's length, 0 when none came. */
static size_t exchange(struct event_base *base, int fd, const struct sockaddr_in *to,
                       const uint8_t *q, size_t qlen, uint8_t *reply, size_t cap)
{
        if (sendto(fd, q, qlen, 0, (const struct sockaddr *)to, sizeof(*to)) != (ssize_t)qlen)
                return 0;
        for (int i = 0; i < 200; i++) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                event_base_loop(base, EVLOOP_NONBLOCK);
                if (poll(&p, 1, 10) == 1) {
                        ssize_t n = recv(fd, reply, cap, 0);
                        return n > 0 ? (size_t)n : 0;
                }
        }
        return 0;
}

static unsigned ancount(const uint8_t *r)
{
        return (unsigned)(r[6] << 8 | r[7]);
}

static void test_memo(void)
{
        char path[4096], err[256] = "";
        struct scenario *sc = NULL;
        struct point *a = NULL, *b = NULL;
        struct point_params p;
        struct server *srv = NULL;
        struct event_base *base = event_base_new();
        struct server_config cfg = { .address = "127.0.0.1" };
        struct sockaddr_in to = { .sin_family = AF_INET };
        uint8_t q[128], r1[1024], r2[1024], r3[1024], r4[1024];
        size_t n1, n2, n3, n4, ql;
        int fd = socket(AF_INET, SOCK_DGRAM, 0);

        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        CU_ASSERT_FATAL(base != NULL && fd >= 0 && scenario_load(path, &sc, err, sizeof(err)) == 0);
        p = sc->defaults;
        params_set_assignment(&p, "records=3", err, sizeof(err));
        a = point_new(sc, 0, &p, err, sizeof(err));
        params_set_assignment(&p, "records=5", err, sizeof(err));
        b = point_new(sc, 1, &p, err, sizeof(err));
        CU_ASSERT_FATAL(a && b && (srv = server_new(base, &cfg, a, err, sizeof(err))) != NULL);
        to.sin_port = htons(server_port(srv));
        inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);

        ql = make_query(0x1111, false, q);
        n1 = exchange(base, fd, &to, q, ql, r1, sizeof(r1));
        ql = make_query(0x2222, false, q);
        n2 = exchange(base, fd, &to, q, ql, r2, sizeof(r2));
        printf("\n    records=3: %zu then %zu bytes, ids %02x%02x %02x%02x", n1, n2, r1[0], r1[1],
               r2[0], r2[1]);
        CU_ASSERT(n1 > 12 && n1 == n2 && ancount(r1) == 3);
        CU_ASSERT(r2[0] == 0x22 && r2[1] == 0x22 && memcmp(r1 + 2, r2 + 2, n1 - 2) == 0);

        ql = make_query(0x3333, true, q);
        n3 = exchange(base, fd, &to, q, ql, r3, sizeof(r3));
        printf("; with OPT %zu bytes", n3);
        CU_ASSERT(n3 == n1 + 11 && r3[0] == 0x33 && r3[11] == 1);   /* arcount 1: the OPT */
        CU_ASSERT_EQUAL(server_stats(srv)->queries[TRANSPORT_UDP], 3);

        server_park(srv);
        CU_ASSERT_FATAL(server_reset(srv, b) == 0);
        ql = make_query(0x4444, true, q);
        n4 = exchange(base, fd, &to, q, ql, r4, sizeof(r4));
        printf("; after reset for records=5: %zu bytes, %u records\n", n4, n4 > 12 ? ancount(r4) : 0);
        CU_ASSERT(n4 == n3 + 2 * 16 && ancount(r4) == 5 && r4[0] == 0x44);

        server_free(srv);
        point_free(a);
        point_free(b);
        scenario_free(sc);
        event_base_free(base);
        close(fd);
}

static const struct test_case memo_cases[] = {
        { "same query, other id; OPT; reset for another point", test_memo },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "reply-memo", memo_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "test-reply-memo", suites);
}
