/* `stubcompat serve` as a command: it binds loopback only unless told
 * otherwise, reports bad input as "file:line: message" with exit status 2,
 * and prints its usage. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "harness/server/server.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"

static char stubcompat[4096];
static char scenario_path[4096];

static void set_paths(void)
{
        snprintf(stubcompat, sizeof(stubcompat), "%s/stubcompat", test_build_dir());
        snprintf(scenario_path, sizeof(scenario_path), "%s/%s", test_source_dir(), SCN);
}

/* Counts the sockets in /proc/net/{udp,tcp} bound to hexaddr:port
 * (hexaddr as the kernel prints it: "0100007F" for 127.0.0.1). For TCP
 * only listening sockets (state 0A) count. */
static int proc_sockets(const char *proto, const char *hexaddr, uint16_t port)
{
        char path[64], line[512], want[32];
        int n = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/net/%s", proto);
        snprintf(want, sizeof(want), "%s:%04X", hexaddr, port);
        f = fopen(path, "r");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                char local[64], remote[64], state[8];
                if (sscanf(line, " %*[0-9]: %63s %63s %7s", local, remote, state) != 3)
                        continue;
                if (strcmp(local, want) != 0)
                        continue;
                if (strcmp(proto, "tcp") == 0 && strcmp(state, "0A") != 0)
                        continue;
                n++;
        }
        fclose(f);
        return n;
}

/* Any socket, any address, on this port. */
static int proc_sockets_any_address(const char *proto, uint16_t port)
{
        char path[64], line[512], suffix[16];
        int n = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/net/%s", proto);
        snprintf(suffix, sizeof(suffix), ":%04X", port);
        f = fopen(path, "r");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f)) {
                char local[64];
                if (sscanf(line, " %*[0-9]: %63s", local) != 1)
                        continue;
                size_t len = strlen(local);
                if (len > 5 && strcmp(local + len - 5, suffix) == 0)
                        n++;
        }
        fclose(f);
        return n;
}

/* ---------------------------------------------------------------- binding */

static void test_binds_loopback_only(void)
{
        struct serverproc *sp = serverproc_start(SCN, NULL, NULL);
        uint16_t port;

        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        port = serverproc_port(sp);
        CU_ASSERT(strstr(serverproc_banner(sp), "on 127.0.0.1 port ") != NULL);
        CU_ASSERT(strstr(serverproc_banner(sp), "udp and tcp") != NULL);
        CU_ASSERT_EQUAL(proc_sockets("udp", "0100007F", port), 1);
        CU_ASSERT_EQUAL(proc_sockets("tcp", "0100007F", port), 1);
        CU_ASSERT_EQUAL(proc_sockets_any_address("udp", port), 1);
        CU_ASSERT_EQUAL(proc_sockets("udp", "00000000", port), 0);
        CU_ASSERT_EQUAL(proc_sockets("tcp", "00000000", port), 0);
        CU_ASSERT_EQUAL(proc_sockets_any_address("udp6", port), 0);
        CU_ASSERT_EQUAL(proc_sockets_any_address("tcp6", port), 0);

        if (cmd_available("ss")) {
                /* the same, as ss reports it */
                struct cmd_result r;
                char want[32];
                snprintf(want, sizeof(want), "127.0.0.1:%u ", port);
                cmd_run(SP_LIST("ss", "-H", "-lun"), 10000, &r);
                SP_CHECK(r.status == 0 && strstr(r.out, want) != NULL, &r);
                cmd_result_free(&r);
                cmd_run(SP_LIST("ss", "-H", "-ltn"), 10000, &r);
                SP_CHECK(r.status == 0 && strstr(r.out, want) != NULL, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* --listen is how to serve anything but loopback, with a warning on stderr. */
static void test_listen_any_address(void)
{
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=3"), SP_LIST("--listen", "0.0.0.0"));
        uint16_t port;

        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        port = serverproc_port(sp);
        CU_ASSERT(strstr(serverproc_banner(sp), "on 0.0.0.0 port ") != NULL);
        /* the warning names what is exposed; it is written before the banner */
        char err[1024] = "";
        for (int i = 0; i < 100 && !strstr(err, "outside loopback"); i++) {
                serverproc_stderr(sp, err, sizeof(err));
                usleep(20000);
        }
        CU_ASSERT(strstr(err, "warning: serving on 0.0.0.0 port ") != NULL &&
                  strstr(err, "outside loopback") != NULL);
        CU_ASSERT_EQUAL(proc_sockets("udp", "00000000", port), 1);
        CU_ASSERT_EQUAL(proc_sockets("tcp", "00000000", port), 1);
        if (cmd_available("dig")) {
                struct cmd_result r;
                struct dig_reply d;
                dig_query("dig", port, SP_LIST("+noedns"), API, "A", &r, &d);
                SP_CHECK(r.status == 0 && d.ancount == 3, &r);
                cmd_result_free(&r);
        }
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* --floor (benchmarks): every UDP query gets the first query line's reply
 * with its own id; nothing is parsed (an EDNS query gets no OPT back). */
static void test_floor(void)
{
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=29"), SP_LIST("--floor"));
        struct cmd_result r;
        struct dig_reply d;

        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        if (!cmd_available("dig")) {
                serverproc_stop(sp);
                TEST_SKIP("dig is not installed");
        }
        dig_query("dig", serverproc_port(sp), SP_LIST("+noedns", "+tries=1"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 29 && d.msg_size == 498, &r);
        cmd_result_free(&r);
        dig_query("dig", serverproc_port(sp), SP_LIST("+bufsize=1232", "+tries=1"), API, "A", &r, &d);
        SP_CHECK(r.status == 0 && d.ancount == 29 && d.msg_size == 498 && !d.opt, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* The library refuses a non-loopback address unless allowed. */
static void test_library_refuses_other_addresses(void)
{
        static const char *const addresses[] = { "0.0.0.0", "192.0.2.1", "::", NULL };
        struct scenario *sc = NULL;
        struct point *pt;
        struct point_params p;
        struct event_base *base;
        char err[512];

        CU_ASSERT_FATAL(scenario_load(scenario_path, &sc, err, sizeof(err)) == 0);
        scenario_point_params(sc, 0, &p);
        pt = point_new(sc, 0, &p, err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
        base = event_base_new();
        CU_ASSERT_PTR_NOT_NULL_FATAL(base);
        for (const char *const *a = addresses; *a; a++) {
                struct server_config cfg = { .address = *a };
                struct server *s;
                err[0] = '\0';
                s = server_new(base, &cfg, pt, err, sizeof(err));
                CU_ASSERT_PTR_NULL(s);
                CU_ASSERT(strstr(err, "not a loopback address") != NULL);
                server_free(s);
        }
        {
                struct server_config cfg = { .address = NULL };    /* default 127.0.0.1 */
                struct server *s = server_new(base, &cfg, pt, err, sizeof(err));
                CU_ASSERT_PTR_NOT_NULL(s);
                if (s) {
                        CU_ASSERT_STRING_EQUAL(server_address(s), "127.0.0.1");
                        CU_ASSERT(server_port(s) != 0);
                }
                server_free(s);
        }
        event_base_free(base);
        point_free(pt);
        scenario_free(sc);
}

/* A port already taken: exit status 1 and the reason. */
static void test_port_in_use(void)
{
        struct serverproc *sp = serverproc_start(SCN, NULL, NULL);
        struct cmd_result r;
        char port[8];

        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        snprintf(port, sizeof(port), "%u", serverproc_port(sp));
        cmd_run(SP_LIST(stubcompat, "serve", scenario_path, "--port", port), 10000, &r);
        SP_CHECK(r.status == 1 && strstr(r.err, "Address already in use") != NULL, &r);
        SP_CHECK(strstr(r.out, "serving") == NULL, &r);
        cmd_result_free(&r);
        CU_ASSERT_EQUAL(serverproc_stop(sp), 0);
}

/* ---------------------------------------------------------------- bad input */

/* Writes text to a new temporary .scn file; path receives its name. */
static bool write_temp_scenario(const char *text, char *path, size_t len)
{
        int fd;
        FILE *f;

        snprintf(path, len, "/tmp/stubcompat-test-XXXXXX.scn");
        fd = mkstemps(path, 4);
        if (fd < 0)
                return false;
        f = fdopen(fd, "w");
        if (!f) {
                close(fd);
                return false;
        }
        fputs(text, f);
        return fclose(f) == 0;
}

/* stderr starts with "path:line: " and says something after it. */
static bool names_line(const char *err, const char *path, unsigned line)
{
        char prefix[4200];
        snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
        return strncmp(err, prefix, strlen(prefix)) == 0 && strlen(err) > strlen(prefix) + 3;
}

static void check_malformed(const char *text, unsigned line)
{
        char path[64];
        struct cmd_result r;

        CU_ASSERT_FATAL(write_temp_scenario(text, path, sizeof(path)));
        cmd_run(SP_LIST(stubcompat, "serve", path, "--port", "0"), 10000, &r);
        SP_CHECK(r.status == 2, &r);
        SP_CHECK(names_line(r.err, path, line), &r);
        SP_CHECK(strstr(r.out, "serving") == NULL, &r);
        cmd_result_free(&r);
        unlink(path);
}

static void test_malformed_scenario(void)
{
        check_malformed("suite bad\norigin mixpanel.com.\nbogus directive\n", 3);
        check_malformed("# comment\nsuite bad\nset records=lots\n", 3);
        check_malformed("suite bad\norigin mixpanel.com.\ngrow api\nquery api.mixpanel.com A\n"
                        "sweep truncation=tc-empty,shred\n", 5);
        check_malformed("suite bad\norigin mixpanel.com.\nrr api 60 IN A 10.0.0.300\n", 3);
}

static void test_bad_set(void)
{
        struct cmd_result r;

        cmd_run(SP_LIST(stubcompat, "serve", scenario_path, "--port", "0", "--set", "recrods=30"), 10000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "recrods") != NULL, &r);
        cmd_result_free(&r);
        cmd_run(SP_LIST(stubcompat, "serve", scenario_path, "--port", "0", "--set", "truncation=shred"),
                10000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "truncation") != NULL, &r);
        cmd_result_free(&r);
        cmd_run(SP_LIST(stubcompat, "serve", scenario_path, "--port", "65536"), 10000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "--port") != NULL, &r);
        cmd_result_free(&r);
}

static void test_missing_scenario(void)
{
        struct cmd_result r;

        cmd_run(SP_LIST(stubcompat, "serve", "/nonexistent/none.scn", "--port", "0"), 10000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "/nonexistent/none.scn") != NULL, &r);
        cmd_result_free(&r);
}

static void test_no_arguments(void)
{
        struct cmd_result r;

        cmd_run(SP_LIST(stubcompat, "serve"), 10000, &r);
        SP_CHECK(r.status == 2, &r);
        SP_CHECK(strstr(r.err, "usage: stubcompat serve SCENARIO") != NULL, &r);
        SP_CHECK(r.out[0] == '\0', &r);
        cmd_result_free(&r);
}

static void test_help(void)
{
        struct cmd_result r;

        cmd_run(SP_LIST(stubcompat, "serve", "--help"), 10000, &r);
        SP_CHECK(r.status == 0, &r);
        SP_CHECK(strstr(r.out, "usage: stubcompat serve SCENARIO") != NULL, &r);
        SP_CHECK(strstr(r.out, "--listen") != NULL && strstr(r.out, "--set") != NULL, &r);
        SP_CHECK(r.err[0] == '\0', &r);
        cmd_result_free(&r);
}

static const struct test_case bind_cases[] = {
        { "binds_loopback_only", test_binds_loopback_only },
        { "listen_any_address", test_listen_any_address },
        { "floor", test_floor },
        { "library_refuses_other_addresses", test_library_refuses_other_addresses },
        { "port_in_use", test_port_in_use },
        { NULL, NULL },
};

static const struct test_case input_cases[] = {
        { "malformed_scenario", test_malformed_scenario },
        { "bad_set", test_bad_set },
        { "missing_scenario", test_missing_scenario },
        { "no_arguments", test_no_arguments },
        { "help", test_help },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "serve_bind", bind_cases },
        { "serve_input", input_cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        set_paths();
        return test_main(argc, argv, "serve-cli", suites);
}
