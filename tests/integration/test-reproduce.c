/* `stubcompat reproduce` on what a customer would send, each made by a real
 * tool while the test runs: a dig output and a dumpcap capture of the
 * mixpanel-2016 scenario served with 30 records, a zone file NSD accepts,
 * and an ldns-testns data file that ldns-testns itself serves. The legacy
 * UDP-only stubs must fail where glibc resolves, the capture must give the
 * same verdicts as the dig output, and every malformed file under
 * tests/bad-input/ must give its message with exit status 2. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/report/matrix-read.h"
#include "harness/util/strutil.h"
#include "tests/common/command.h"
#include "tests/common/serverproc.h"
#include "tests/common/testmain.h"

#define SCN "scenarios/mixpanel-2016.scn"
#define API "api.mixpanel.com"
/* the emulated profiles, and the real libraries they stand for (skipped
 * where the sandbox is not available) */
#define CLIENTS "emulated,real:c-ares-1.18,real:glibc-2.36,real:musl-1.2.3"

static char bin[4096];
static char tmp[64];

static void setup(void)
{
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        if (!tmp[0]) {
                snprintf(tmp, sizeof(tmp), "/tmp/stubcompat-reproduce-XXXXXX");
                if (!mkdtemp(tmp))
                        tmp[0] = '\0';
        }
        CU_ASSERT_FATAL(tmp[0] != '\0');
}

static void cleanup_tmp(void)
{
        if (tmp[0]) {
                struct cmd_result r;
                cmd_run(SP_LIST("rm", "-rf", tmp), 10000, &r);
                cmd_result_free(&r);
        }
}

static void write_file(const char *path, const char *text)
{
        char err[512];
        int rc = file_write_atomic(path, text, strlen(text), err, sizeof(err));
        if (rc != 0)
                printf("\n    %s\n", err);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
}

/* Runs `stubcompat reproduce --KIND FILE EXTRA... --out DIR` and reads the
 * matrix it wrote. Returns the exit status. */
static int reproduce(const char *kind, const char *file, const char *const *extra, const char *out,
                     struct matrix *m, struct cmd_result *r)
{
        char opt[32], err[512], json[4200];
        const char *argv[32] = { bin, "reproduce", opt, file, "--out", out, "--clients", CLIENTS };
        size_t n = 8;
        snprintf(opt, sizeof(opt), "--%s", kind);
        for (size_t i = 0; extra && extra[i] && n < 30; i++)
                argv[n++] = extra[i];
        argv[n] = NULL;
        int status = cmd_run(argv, 120000, r);
        memset(m, 0, sizeof(*m));
        snprintf(json, sizeof(json), "%s/matrix.json", out);
        if ((status == 0 || status == 1) && matrix_read_file(json, m, err, sizeof(err)) < 0) {
                printf("\n    %s\n", err);
                cmd_result_dump(r);
        }
        return status;
}

static const struct matrix_cell *cell_of(const struct matrix *m, const char *client)
{
        for (size_t i = 0; i < m->ncells; i++)
                if (strcmp(m->cells[i].client, client) == 0)
                        return &m->cells[i];
        return NULL;
}

static enum verdict verdict_of_client(const struct matrix *m, const char *client)
{
        const struct matrix_cell *c = cell_of(m, client);
        return c ? c->verdict : VERDICT_INVALID;
}

/* The Mixpanel outcome: legacy UDP-only stubs fail, glibc resolves all 30. */
static void expect_mixpanel_verdicts(const struct matrix *m, const struct cmd_result *r)
{
        const struct matrix_cell *glibc = cell_of(m, "glibc-2.36");
        SP_CHECK(m->ncells >= 18, r);
        SP_CHECK(verdict_of_client(m, "musl-1.2.3") != VERDICT_OK &&
                 verdict_of_client(m, "musl-1.2.3") != VERDICT_INVALID, r);
        SP_CHECK(verdict_of_client(m, "rfc1035-udp512") != VERDICT_OK &&
                 verdict_of_client(m, "rfc1035-udp512") != VERDICT_INVALID, r);
        SP_CHECK(glibc && glibc->verdict == VERDICT_OK && glibc->addresses == 30 &&
                 glibc->expected == 30, r);
        SP_CHECK(glibc && glibc->tcp_queries >= 1 && glibc->tcp_bytes == 514, r);
        /* the real libraries agree where they could run */
        const struct matrix_cell *real_musl = cell_of(m, "real:musl-1.2.3");
        const struct matrix_cell *real_glibc = cell_of(m, "real:glibc-2.36");
        const struct matrix_cell *real_cares = cell_of(m, "real:c-ares-1.18");
        SP_CHECK(real_musl && (real_musl->verdict == VERDICT_SKIPPED ||
                               real_musl->verdict == verdict_of_client(m, "musl-1.2.3")), r);
        SP_CHECK(real_glibc && (real_glibc->verdict == VERDICT_SKIPPED ||
                                real_glibc->verdict == VERDICT_OK), r);
        SP_CHECK(real_cares && real_cares->verdict == VERDICT_OK, r);
        /* one sentence for each failing client, none for those that resolve */
        SP_CHECK(strstr(r->out, "musl 1.2.3 (Alpine <= 3.17) has no TCP fallback") != NULL, r);
        SP_CHECK(strstr(r->out, "strict RFC 1035 UDP-only stub treats TC=1 as an error") != NULL, r);
}

/* A query tool (dig, kdig, drill) against the served scenario, its output
 * saved as a customer would (path NULL: not saved). */
static bool save_output(const char *program, uint16_t port, const char *const *opts,
                        const char *name, const char *type, const char *path)
{
        char p[16];
        const char *argv[16] = { program };
        size_t n = 1;
        struct cmd_result r;
        snprintf(p, sizeof(p), "%u", port);
        for (size_t i = 0; opts && opts[i]; i++)
                argv[n++] = opts[i];
        argv[n++] = "-p";
        argv[n++] = p;
        argv[n++] = "@127.0.0.1";
        argv[n++] = name;
        argv[n++] = type;
        argv[n] = NULL;
        cmd_run(argv, 20000, &r);
        bool ok = r.status == 0 && r.out && r.out[0];
        SP_CHECK(ok, &r);
        if (ok && path)
                write_file(path, r.out);
        cmd_result_free(&r);
        return ok;
}

static bool save_dig_name(uint16_t port, const char *const *opts, const char *name,
                          const char *type, const char *path)
{
        return save_output("dig", port, opts, name, type, path);
}

static bool save_dig(uint16_t port, const char *const *opts, const char *path)
{
        return save_dig_name(port, opts, API, "A", path);
}

/* Lines of explain.txt's TSV part (after its header line). */
static int tsv_lines(const char *path)
{
        char *text = NULL, err[256];
        int n = -1;
        if (file_read_all(path, &text, NULL, err, sizeof(err)) < 0)
                return -1;
        const char *h = strstr(text, "client\tquestion\tverdict\texplanation\n");
        if (h)
                for (n = 0, h = strchr(h, '\n') + 1; *h; h++)
                        n += *h == '\n';
        free(text);
        return n;
}

/* ---------------------------------------------------------------- dig */

static void test_dig_output(void)
{
        char file[512], out[256];
        struct cmd_result r;
        struct matrix m;
        struct dig_reply d;
        char *text = NULL, err[256];

        if (!cmd_available("dig"))
                TEST_SKIP("dig is not installed");
        setup();
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=30"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        snprintf(file, sizeof(file), "%s/dig-api.txt", tmp);
        snprintf(out, sizeof(out), "%s/dig-results", tmp);
        bool saved = save_dig(serverproc_port(sp), SP_LIST("+noedns"), file);
        serverproc_stop(sp);
        CU_ASSERT_FATAL(saved);
        /* the file is what dig printed after its TCP retry: all 30 records */
        CU_ASSERT_EQUAL_FATAL(file_read_all(file, &text, NULL, err, sizeof(err)), 0);
        dig_parse(text, &d);
        free(text);
        CU_ASSERT(d.retried_tcp && d.ancount == 30 && d.answer_lines == 30 && d.msg_size == 514);

        int status = reproduce("dig", file, NULL, out, &m, &r);
        SP_CHECK(status == 1, &r);           /* some client fails */
        expect_mixpanel_verdicts(&m, &r);
        SP_CHECK(strstr(r.out, "answer: api.mixpanel.com. A: 514 bytes without EDNS, 30 records") != NULL, &r);
        /* explain.txt: one line per failing cell */
        size_t failing = 0;
        for (size_t i = 0; i < m.ncells; i++)
                failing += m.cells[i].verdict != VERDICT_OK && m.cells[i].verdict != VERDICT_SKIPPED;
        snprintf(file, sizeof(file), "%s/explain.txt", out);
        CU_ASSERT_EQUAL(tsv_lines(file), (int)failing);
        matrix_free(&m);
        cmd_result_free(&r);
}

/* Saved NXDOMAIN and NODATA answers: every client that reports them is ok
 * (expected negative) and reproduce exits 0. A dig +ignore output holding
 * only the truncated UDP reply: the clients that retry over TCP are skipped
 * with the reason, the UDP-only ones are still judged. */
static void test_dig_negative_and_incomplete(void)
{
        static const struct { const char *name, *type, *opts[3]; int status; } cases[] = {
                { "nothere.mixpanel.com.", "A", { "+noedns", NULL }, 0 },
                { API, "TXT", { "+noedns", NULL }, 0 },
                { API, "A", { "+noedns", "+ignore", NULL }, 1 },
        };
        char file[512], out[256];
        struct cmd_result r;
        struct matrix m;

        if (!cmd_available("dig"))
                TEST_SKIP("dig is not installed");
        setup();
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=30"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(file, sizeof(file), "%s/dig-case%zu.txt", tmp, i);
                snprintf(out, sizeof(out), "%s/dig-case%zu", tmp, i);
                if (!save_dig_name(serverproc_port(sp), cases[i].opts, cases[i].name, cases[i].type, file))
                        continue;
                int status = reproduce("dig", file, NULL, out, &m, &r);
                SP_CHECK(status == cases[i].status, &r);
                for (size_t k = 0; k < m.ncells && cases[i].status == 0; k++) {
                        const struct matrix_cell *c = &m.cells[k];
                        SP_CHECK(c->verdict == VERDICT_SKIPPED ||
                                 (c->verdict == VERDICT_OK && strcmp(c->reason, "expected-negative") == 0), &r);
                }
                if (cases[i].status == 1) {
                        const struct matrix_cell *g = cell_of(&m, "glibc-2.36");
                        SP_CHECK(g && g->verdict == VERDICT_SKIPPED &&
                                 strstr(g->detail, "holds no TCP answer") != NULL, &r);
                        SP_CHECK(verdict_of_client(&m, "musl-1.2.3") == VERDICT_NXDOMAIN, &r);
                        char *text = NULL, err[256];
                        snprintf(file, sizeof(file), "%s/explain.txt", out);
                        CU_ASSERT_EQUAL(file_read_all(file, &text, NULL, err, sizeof(err)), 0);
                        CU_ASSERT(text && strstr(text, "capture the TCP retry too") != NULL);
                        free(text);
                }
                matrix_free(&m);
                cmd_result_free(&r);
        }
        serverproc_stop(sp);
}

/* Outputs of kdig and drill, made here by the real tools, are refused with
 * file:line and a hint; dig +qr output replays its reply, not its query. */
static void test_other_tools(void)
{
        static const struct { const char *program, *opts[3], *want; } refused[] = {
                { "kdig", { "+notcp", NULL }, "kdig output is not supported: save `dig` output" },
                { "drill", { NULL }, "drill output is not supported: save `dig` output" },
        };
        char file[512], out[256], want[600];
        struct cmd_result r;
        struct matrix m;

        setup();
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=3"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        unsigned ran = 0;
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                if (!cmd_available(refused[i].program))
                        continue;
                snprintf(file, sizeof(file), "%s/%s.txt", tmp, refused[i].program);
                snprintf(out, sizeof(out), "%s/%s-results", tmp, refused[i].program);
                if (!save_output(refused[i].program, serverproc_port(sp), refused[i].opts, API, "A", file))
                        continue;
                int status = reproduce("dig", file, NULL, out, &m, &r);
                snprintf(want, sizeof(want), "%s:", file);
                SP_CHECK(status == 2 && strncmp(r.err, want, strlen(want)) == 0 &&
                         strstr(r.err, refused[i].want) != NULL, &r);
                SP_CHECK(access(out, F_OK) != 0, &r);    /* nothing written */
                cmd_result_free(&r);
                ran++;
        }
        if (cmd_available("dig")) {
                snprintf(file, sizeof(file), "%s/dig-qr.txt", tmp);
                snprintf(out, sizeof(out), "%s/dig-qr-results", tmp);
                if (save_dig_name(serverproc_port(sp), SP_LIST("+qr", "+noedns"), API, "A", file)) {
                        int status = reproduce("dig", file, NULL, out, &m, &r);
                        /* the reply's flags (qr rd ra), not the query's (rd) */
                        SP_CHECK((status == 0 || status == 1) && strstr(r.out, "set ra=1") != NULL &&
                                 strstr(r.out, "1 question, 3 records") != NULL, &r);
                        SP_CHECK(verdict_of_client(&m, "glibc-2.36") == VERDICT_OK, &r);
                        matrix_free(&m);
                        cmd_result_free(&r);
                        ran++;
                }
        }
        serverproc_stop(sp);
        if (ran == 0)
                TEST_SKIP("needs kdig (knot-dnsutils), drill (ldnsutils) or dig");
}

/* ---------------------------------------------------------------- pcap */

/* Waits until fd has printed `want` (dumpcap's "Capturing on"). */
static bool wait_for_text(int fd, const char *want, unsigned timeout_ms, char *buf, size_t len)
{
        size_t have = strlen(buf);
        double end = cmd_now_ms() + timeout_ms;
        while (!strstr(buf, want) && cmd_now_ms() < end && have + 1 < len) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t n = read(fd, buf + have, len - have - 1);
                if (n <= 0)
                        break;
                have += (size_t)n;
                buf[have] = '\0';
        }
        return strstr(buf, want) != NULL;
}

static long file_size(const char *path)
{
        FILE *f = fopen(path, "rb");
        long n = -1;
        if (f && fseek(f, 0, SEEK_END) == 0)
                n = ftell(f);
        if (f)
                fclose(f);
        return n;
}

/* "Capturing on" comes before the filter sees packets: send 1-byte UDP
 * probes to the port (the server drops them unanswered, the reader skips
 * them) until one grows the capture file, which dumpcap writes packet by
 * packet. */
static bool wait_until_live(uint16_t port, const char *file)
{
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        bool live = false;
        for (int i = 0; fd >= 0 && i < 200 && !live; i++) {
                long before = file_size(file);
                sendto(fd, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
                usleep(50 * 1000);
                live = before > 0 && file_size(file) > before;
        }
        if (fd >= 0)
                close(fd);
        return live;
}

/* dumpcap (or tshark) on lo, filtered to the server's port. Returns the
 * pid, or -1 after printing why. */
static pid_t start_capture(uint16_t port, const char *file, int *err_fd)
{
        char filter[32], log[4096] = "";
        int out_fd;
        pid_t pid;
        snprintf(filter, sizeof(filter), "port %u", port);
        char *dumpcap[] = { "dumpcap", "-q", "-i", "lo", "-f", filter, "-w", (char *)file, NULL };
        char *tshark[] = { "tshark", "-q", "-i", "lo", "-f", filter, "-w", (char *)file, NULL };
        pid = cmd_spawn(cmd_available("dumpcap") ? dumpcap : tshark, true, &out_fd, err_fd);
        if (pid < 0)
                return -1;
        close(out_fd);
        if (!wait_for_text(*err_fd, "Capturing on", 10000, log, sizeof(log)) ||
            !wait_until_live(port, file)) {
                printf("\n    capture did not start: %s\n", log);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                close(*err_fd);
                return -1;
        }
        return pid;
}

static int stop_capture(pid_t pid, int err_fd)
{
        char log[4096] = "";
        int st = 0;
        usleep(300 * 1000);     /* the last packets reach the capture socket */
        kill(pid, SIGINT);
        wait_for_text(err_fd, "Packets captured", 5000, log, sizeof(log));
        waitpid(pid, &st, 0);
        close(err_fd);
        return cmd_exit_code(st);
}

/* A capture of `dig +noedns +ignore` only: the truncated UDP reply, no TCP
 * retry, no query with EDNS. The clients that retry over TCP and those that
 * ask with EDNS are skipped with what is missing; the legacy UDP-only ones
 * are judged; explain.txt says what to capture. */
static void test_pcap_incomplete_capture(void)
{
        char file[256], out[256], path[300], *text = NULL, err[256];
        struct cmd_result r;
        struct matrix m;
        int err_fd;

        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=30"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        snprintf(file, sizeof(file), "%s/incomplete.pcapng", tmp);
        pid_t cap = start_capture(serverproc_port(sp), file, &err_fd);
        if (cap < 0) {
                serverproc_stop(sp);
                return;
        }
        bool ok = save_dig(serverproc_port(sp), SP_LIST("+noedns", "+ignore"), NULL);
        int cs = stop_capture(cap, err_fd);
        serverproc_stop(sp);
        CU_ASSERT_FATAL(ok && cs == 0);
        snprintf(out, sizeof(out), "%s/incomplete-results", tmp);
        int status = reproduce("pcap", file, NULL, out, &m, &r);
        SP_CHECK(status == 1, &r);
        const struct matrix_cell *g = cell_of(&m, "glibc-2.36");
        SP_CHECK(g && g->verdict == VERDICT_SKIPPED &&
                 strcmp(g->detail, "the capture holds no TCP answer, only the truncated UDP reply") == 0, &r);
        const struct matrix_cell *e = cell_of(&m, "edns4096-udp-only");
        SP_CHECK(e && e->verdict == VERDICT_SKIPPED &&
                 strcmp(e->detail, "the capture holds no reply to a query with EDNS") == 0, &r);
        SP_CHECK(verdict_of_client(&m, "musl-1.2.3") == VERDICT_NXDOMAIN, &r);
        snprintf(path, sizeof(path), "%s/explain.txt", out);
        CU_ASSERT_EQUAL(file_read_all(path, &text, NULL, err, sizeof(err)), 0);
        CU_ASSERT(text && strstr(text, "capture the TCP retry too") != NULL &&
                  strstr(text, "capture a query with EDNS too") != NULL);
        free(text);
        matrix_free(&m);
        cmd_result_free(&r);
}

static void test_pcap_capture(void)
{
        char file[256], out[256], dig_out[256], digfile[256], pcap_out[256];
        struct cmd_result r, rd;
        struct matrix m, md;
        int err_fd;

        if (!cmd_available("dig") || (!cmd_available("dumpcap") && !cmd_available("tshark")))
                TEST_SKIP("needs dig and dumpcap or tshark");
        setup();
        struct serverproc *sp = serverproc_start(SCN, SP_LIST("records=30"), NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
        uint16_t port = serverproc_port(sp);
        snprintf(file, sizeof(file), "%s/customer.pcapng", tmp);
        snprintf(digfile, sizeof(digfile), "%s/pcap-dig.txt", tmp);
        pid_t cap = start_capture(port, file, &err_fd);
        if (cap < 0) {
                serverproc_stop(sp);
                TEST_SKIP("cannot capture on lo here");
        }
        /* without EDNS: TC=1 over UDP, then TCP; with EDNS: 525 bytes over UDP */
        bool ok = save_dig(port, SP_LIST("+noedns"), digfile) && save_dig(port, NULL, NULL);
        int cs = stop_capture(cap, err_fd);
        size_t udp = 0, tcp = 0;
        struct serverproc_exchange x;
        for (size_t i = 0; serverproc_exchange(sp, i, &x); i++) {
                bool api = strcmp(x.qname, API ".") == 0;
                udp += api && strcmp(x.transport, "udp") == 0;
                tcp += api && strcmp(x.transport, "tcp") == 0;
        }
        serverproc_stop(sp);
        CU_ASSERT_FATAL(ok);
        CU_ASSERT_EQUAL(cs, 0);
        CU_ASSERT(udp == 2 && tcp == 1);

        snprintf(out, sizeof(out), "%s/pcap-results", tmp);
        snprintf(pcap_out, sizeof(pcap_out), "--pcap-out=%s/failing.pcap", tmp);
        int status = reproduce("pcap", file, SP_LIST(pcap_out), out, &m, &r);
        SP_CHECK(status == 1, &r);
        expect_mixpanel_verdicts(&m, &r);
        SP_CHECK(strstr(r.out, "udp, queries without OPT: send 34 bytes, TC=1") != NULL, &r);
        SP_CHECK(strstr(r.out, "udp, queries with OPT: send 525 bytes") != NULL, &r);
        SP_CHECK(strstr(r.out, "tcp: send 514 bytes") != NULL, &r);
        const struct matrix_cell *e = cell_of(&m, "edns4096-udp-only");
        SP_CHECK(e && e->verdict == VERDICT_OK && e->udp_bytes == 525, &r);

        /* the same verdicts as the dig output of the same server */
        snprintf(dig_out, sizeof(dig_out), "%s/pcap-dig-results", tmp);
        reproduce("dig", digfile, NULL, dig_out, &md, &rd);
        CU_ASSERT_EQUAL(m.ncells, md.ncells);
        for (size_t i = 0; i < m.ncells && i < md.ncells; i++) {
                const struct matrix_cell *o = cell_of(&md, m.cells[i].client);
                bool same = o && o->verdict == m.cells[i].verdict &&
                            o->addresses == m.cells[i].addresses;
                if (!same)
                        printf("\n    %s: pcap %s, dig %s\n", m.cells[i].client,
                               verdict_to_string(m.cells[i].verdict),
                               o ? verdict_to_string(o->verdict) : "missing");
                CU_ASSERT(same);
        }
        /* --pcap-out: the failing cells' exchanges, readable by tshark */
        if (cmd_available("tshark")) {
                struct cmd_result t;
                char path[256];
                snprintf(path, sizeof(path), "%s/failing.pcap", tmp);
                cmd_run(SP_LIST("tshark", "-r", path), 30000, &t);
                SP_CHECK(t.status == 0 && strstr(t.out, "Standard query response") != NULL, &t);
                cmd_result_free(&t);
        }
        matrix_free(&m);
        matrix_free(&md);
        cmd_result_free(&r);
        cmd_result_free(&rd);
        test_pcap_incomplete_capture();
}

/* ---------------------------------------------------------------- zone */

static void test_zone_file(void)
{
        char zone[4200], out[256];
        struct cmd_result r;
        struct matrix m;

        setup();
        snprintf(zone, sizeof(zone), "%s/scenarios/customers/mixpanel-monday.zone", test_source_dir());
        if (access(zone, R_OK) != 0)
                TEST_SKIP("scenarios/customers/mixpanel-monday.zone is not there");
        if (cmd_available("nsd-checkzone")) {
                struct cmd_result c;
                cmd_run(SP_LIST("nsd-checkzone", "mixpanel.com", zone), 30000, &c);
                SP_CHECK(c.status == 0, &c);        /* a zone NSD accepts */
                cmd_result_free(&c);
        }
        snprintf(out, sizeof(out), "%s/zone-results", tmp);
        int status = reproduce("zone", zone, SP_LIST("--name", "cdn.mixpanel.com"), out, &m, &r);
        SP_CHECK(status == 1, &r);
        /* 530 bytes behind the 32-byte CNAME: the legacy stubs fail again */
        SP_CHECK(strstr(r.out, "answer: cdn.mixpanel.com. A: 530 bytes without EDNS") != NULL, &r);
        const struct matrix_cell *g = cell_of(&m, "glibc-2.36");
        SP_CHECK(g && g->verdict == VERDICT_OK && g->expected == 29, &r);
        SP_CHECK(verdict_of_client(&m, "musl-1.2.3") == VERDICT_NXDOMAIN, &r);
        SP_CHECK(verdict_of_client(&m, "rfc1035-udp512") == VERDICT_ERROR, &r);
        matrix_free(&m);
        cmd_result_free(&r);
        /* explain.md opens with the paragraph for the customer: sizes against
         * each limit, who, why, and check-zone's fix; no internal text in it */
        char path[300], *md = NULL, *txt = NULL, err[256];
        snprintf(path, sizeof(path), "%s/explain.md", out);
        CU_ASSERT_EQUAL_FATAL(file_read_all(path, &md, NULL, err, sizeof(err)), 0);
        const char *want = "# What to tell the customer\n\ncdn.mixpanel.com. A: The answer is 530 "
                           "bytes: 18 over the 512 that stubs without EDNS accept; 541 bytes with "
                           "EDNS: within the 1232";
        CU_ASSERT(strncmp(md, want, strlen(want)) == 0);
        char *para_end = strchr(md + strlen("# What to tell the customer\n\n"), '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(para_end);
        *para_end = '\0';
        CU_ASSERT(strstr(md, "Affected: legacy UDP-only stubs (") != NULL);
        CU_ASSERT(strstr(md, "musl 1.2.3 (Alpine <= 3.17)") != NULL);
        CU_ASSERT(strstr(md, "Not affected: stubs that retry over TCP (") != NULL);
        CU_ASSERT(strstr(md, "at most 27 A records fit behind this 32-byte CNAME; or drop the "
                             "CNAME (all 29 then fit)") != NULL);
        CU_ASSERT(strstr(md, "getaddrinfo") == NULL && strstr(md, "ARES_") == NULL &&
                  strstr(md, "Debian 12 lib") == NULL && strstr(md, "__") == NULL);
        if (strstr(md, "getaddrinfo") || strstr(md, "ARES_"))
                printf("\n    %s\n", md);
        free(md);
        snprintf(path, sizeof(path), "%s/explain.txt", out);
        CU_ASSERT_EQUAL_FATAL(file_read_all(path, &txt, NULL, err, sizeof(err)), 0);
        CU_ASSERT(strncmp(txt, "cdn.mixpanel.com. A: The answer is 530 bytes", 44) == 0);
        CU_ASSERT(strstr(txt, "\nmusl-1.2.3: nxdomain: ") != NULL);
        CU_ASSERT(strstr(txt, "\nclient\tquestion\tverdict\texplanation\n") != NULL);
        free(txt);

        /* --set like run: TC=1 with the records that fit gives musl a partial list */
        int st2 = reproduce("zone", zone, SP_LIST("--name", "cdn.mixpanel.com", "--set",
                                                   "truncation=tc-partial"), out, &m, &r);
        SP_CHECK(st2 == 1, &r);
        const struct matrix_cell *musl = cell_of(&m, "musl-1.2.3");
        SP_CHECK(musl && musl->verdict == VERDICT_PARTIAL && musl->addresses == 27, &r);
        SP_CHECK(strstr(r.out, "ignores TC=1 and has no TCP fallback") != NULL, &r);
        matrix_free(&m);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- testns */

/* A port no one is listening on, UDP and TCP, for ldns-testns. */
static uint16_t free_port(void)
{
        for (int attempt = 0; attempt < 32; attempt++) {
                struct sockaddr_in a = { .sin_family = AF_INET,
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                socklen_t len = sizeof(a);
                int u = socket(AF_INET, SOCK_DGRAM, 0), t = socket(AF_INET, SOCK_STREAM, 0);
                uint16_t port = 0;
                if (u >= 0 && t >= 0 && bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
                    getsockname(u, (struct sockaddr *)&a, &len) == 0 &&
                    bind(t, (struct sockaddr *)&a, sizeof(a)) == 0)
                        port = ntohs(a.sin_port);
                if (u >= 0)
                        close(u);
                if (t >= 0)
                        close(t);
                if (port)
                        return port;
        }
        return 0;
}

/* Starts `ldns-testns -p PORT file` on a free port; retries when another
 * program took the port first. Returns the pid, or -1. */
static pid_t start_testns(const char *file, uint16_t *port, int *out_fd, int *err_fd)
{
        for (int attempt = 0; attempt < 5; attempt++) {
                char p[16], log[4096] = "";
                *port = free_port();
                if (*port == 0)
                        continue;
                snprintf(p, sizeof(p), "%u", *port);
                char *argv[] = { "ldns-testns", "-p", p, (char *)file, NULL };
                pid_t pid = cmd_spawn(argv, true, out_fd, err_fd);
                if (pid < 0)
                        return -1;
                if (wait_for_text(*err_fd, "Listening on port", 5000, log, sizeof(log)) ||
                    wait_for_text(*out_fd, "Listening on port", 500, log, sizeof(log)))
                        return pid;
                printf("\n    ldns-testns on port %u: %s\n", *port, log);
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                close(*out_fd);
                close(*err_fd);
        }
        return -1;
}

static void write_testns(const char *path)
{
        char text[8192];
        size_t n = 0;
        n += (size_t)snprintf(text + n, sizeof(text) - n,
                "; api.mixpanel.com after the failover: TC=1 over UDP, 30 records over TCP\n"
                "$ORIGIN mixpanel.com.\n"
                "$TTL 60\n"
                "ENTRY_BEGIN\n"
                "MATCH opcode qtype qname UDP\n"
                "ADJUST copy_id\n"
                "REPLY QR RD RA TC NOERROR\n"
                "SECTION QUESTION\n"
                "api IN A\n"
                "ENTRY_END\n"
                "\n"
                "ENTRY_BEGIN\n"
                "MATCH opcode qtype qname TCP\n"
                "ADJUST copy_id\n"
                "REPLY QR RD RA NOERROR\n"
                "SECTION QUESTION\n"
                "api IN A\n"
                "SECTION ANSWER\n");
        for (int i = 1; i <= 30; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "api IN A 10.1.0.%d\n", i);
        snprintf(text + n, sizeof(text) - n, "ENTRY_END\n");
        write_file(path, text);
}

static void test_testns_file(void)
{
        char file[256], out[256];
        struct cmd_result r;
        struct matrix m;
        int out_fd, err_fd;

        if (!cmd_available("ldns-testns") || !cmd_available("dig"))
                TEST_SKIP("needs ldns-testns (ldnsutils) and dig");
        setup();
        snprintf(file, sizeof(file), "%s/failover.testns", tmp);
        write_testns(file);
        uint16_t port = 0;
        pid_t pid = start_testns(file, &port, &out_fd, &err_fd);
        CU_ASSERT_FATAL(pid > 0);
        /* ldns-testns serves it: dig sees TC=1, retries over TCP and gets 30 records */
        struct cmd_result dr;
        struct dig_reply d = { 0 };
        dig_query("dig", port, SP_LIST("+noedns", "+tries=1", "+time=2"), API, "A", &dr, &d);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        close(out_fd);
        close(err_fd);
        SP_CHECK(d.retried_tcp && d.ancount == 30 && d.msg_size == 514, &dr);
        cmd_result_free(&dr);

        snprintf(out, sizeof(out), "%s/testns-results", tmp);
        int status = reproduce("testns", file, NULL, out, &m, &r);
        SP_CHECK(status == 1, &r);
        expect_mixpanel_verdicts(&m, &r);
        SP_CHECK(strstr(r.out, "any name any type, udp+tcp: no reply") != NULL, &r);
        /* the UDP entry answers every UDP query: EDNS does not help here */
        SP_CHECK(verdict_of_client(&m, "edns4096-udp-only") == VERDICT_ERROR, &r);
        matrix_free(&m);
        cmd_result_free(&r);
}

/* ---------------------------------------------------------------- bad input */

/* Cases of a kind end in its extension: .pcap, .txt (dig), .testns. */
static bool is_case(const char *kind, const char *name, size_t len)
{
        const char *ext = strcmp(kind, "dig") == 0 ? ".txt" : strcmp(kind, "pcap") == 0 ? ".pcap"
                                                                                      : ".testns";
        size_t el = strlen(ext);
        return name[0] != '.' && len > el && strcmp(name + len - el, ext) == 0;
}

static void check_bad_kind(const char *kind)
{
        char dir[4096];
        struct dirent *e;
        unsigned n = 0;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/tests/bad-input/%s", test_source_dir(), kind);
        d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((e = readdir(d)) != NULL) {
                size_t l = strlen(e->d_name);
                char path[8192], exp_path[8300], want[9000], opt[16], *expected = NULL, err[256];
                struct cmd_result r;
                if (!is_case(kind, e->d_name, l))
                        continue;   /* .expected files, README.md, make-bad-pcaps.py */
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                snprintf(exp_path, sizeof(exp_path), "%s.expected", path);
                CU_ASSERT_EQUAL_FATAL(file_read_all(exp_path, &expected, NULL, err, sizeof(err)), 0);
                snprintf(want, sizeof(want), "%s/%s", dir, expected);
                snprintf(opt, sizeof(opt), "--%s", kind);
                cmd_run(SP_LIST(bin, "reproduce", opt, path, "--out", tmp), 30000, &r);
                SP_CHECK(r.status == 2 && strcmp(r.err, want) == 0 && r.out[0] == '\0', &r);
                cmd_result_free(&r);
                free(expected);
                n++;
        }
        closedir(d);
        CU_ASSERT(n >= 5);
}

static void test_bad_inputs(void)
{
        struct cmd_result r;
        char zone[256], want[300];
        setup();
        check_bad_kind("pcap");
        check_bad_kind("dig");
        check_bad_kind("testns");
        /* a zone NSD would refuse: file:line: message, exit 2 */
        snprintf(zone, sizeof(zone), "%s/broken.zone", tmp);
        write_file(zone, "$ORIGIN mixpanel.com.\n$TTL 60\n@ IN SOA ns1 host 1 2 3 4 5\n"
                         "api IN A 10.1.0.1\napi IN A 10.1.0.300\n");
        cmd_run(SP_LIST(bin, "reproduce", "--zone", zone, "--name", "api.mixpanel.com"), 30000, &r);
        snprintf(want, sizeof(want), "%s:5: ", zone);
        SP_CHECK(r.status == 2 && strncmp(r.err, want, strlen(want)) == 0, &r);
        cmd_result_free(&r);
        /* usage errors */
        cmd_run(SP_LIST(bin, "reproduce", "--dig", zone, "--testns", zone), 30000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "give one source") != NULL, &r);
        cmd_result_free(&r);
        cmd_run(SP_LIST(bin, "reproduce", "--zone", zone), 30000, &r);
        SP_CHECK(r.status == 2 && strstr(r.err, "--zone needs --name") != NULL, &r);
        cmd_result_free(&r);
}

static const struct test_case cases[] = {
        { "dig output", test_dig_output },
        { "saved negative answers, a truncated-only dig", test_dig_negative_and_incomplete },
        { "kdig and drill refused, dig +qr read", test_other_tools },
        { "pcap capture", test_pcap_capture },
        { "zone file", test_zone_file },
        { "testns file", test_testns_file },
        { "bad inputs", test_bad_inputs },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "reproduce", cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        int ret = test_main(argc, argv, "test-reproduce", suites);
        cleanup_tmp();
        return ret;
}
