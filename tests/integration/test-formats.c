/* Every output format checked by a consumer other than our own code:
 * matrix.json against results/matrix.schema.json (python3-jsonschema),
 * junit.xml and matrix.csv by Python's parsers, exchanges.pcap by tshark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/command.h"
#include "tests/common/testmain.h"

static char out[4096];
static int have_run;

/* One run for every check: two clients, every exchange captured. */
static int run_once(void)
{
        char bin[4096], scen[4096];
        struct cmd_result r;

        if (have_run)
                return have_run > 0 ? 0 : -1;
        snprintf(out, sizeof(out), "/tmp/stubcompat-formats-XXXXXX");
        if (!mkdtemp(out))
                return -1;
        snprintf(bin, sizeof(bin), "%s/stubcompat", test_build_dir());
        snprintf(scen, sizeof(scen), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        const char *argv[] = { bin, "run", scen, "--clients", "musl-1.2.3,glibc-2.36", "--pcap=all",
                               "--out", out, "--quiet", NULL };
        cmd_run(argv, 120000, &r);
        have_run = r.status == 0 ? 1 : -1;
        SP_CHECK(r.status == 0, &r);
        cmd_result_free(&r);
        return have_run > 0 ? 0 : -1;
}

/* Runs a Python snippet with the results folder as argv[1]; returns its
 * stdout's first line in buf, or -1 when python3 or a module is missing (77). */
static int python(const char *code, char *buf, size_t len, struct cmd_result *r)
{
        const char *argv[] = { "python3", "-c", code, out, test_source_dir(), NULL };
        cmd_run(argv, 60000, r);
        snprintf(buf, len, "%.*s", (int)strcspn(r->out, "\n"), r->out);
        return r->status;
}

static void test_json_schema(void)
{
        static const char code[] =
                "import json, sys\n"
                "try:\n    import jsonschema\nexcept ImportError:\n    sys.exit(77)\n"
                "schema = json.load(open(sys.argv[2] + '/results/matrix.schema.json'))\n"
                "jsonschema.Draft202012Validator.check_schema(schema)\n"
                "m = json.load(open(sys.argv[1] + '/matrix.json'))\n"
                "jsonschema.validate(m, schema)\n"
                "print(len(m['cells']))\n";
        struct cmd_result r;
        char line[128];
        if (run_once() < 0) {
                CU_FAIL("stubcompat run failed: nothing to check");
                return;
        }
        int rc = python(code, line, sizeof(line), &r);
        if (rc == 77) {
                cmd_result_free(&r);
                TEST_SKIP("python3-jsonschema is not installed");
        }
        SP_CHECK(rc == 0, &r);
        CU_ASSERT_EQUAL(atoi(line), 256);
        cmd_result_free(&r);
}

/* junit.xml is the gate: the run exited 0, so no case fails; one case per
 * `expect` line of the suite plus the run's own; every case has a time. */
static void test_junit_and_csv(void)
{
        static const char code[] =
                "import csv, json, sys, xml.dom.minidom\n"
                "d = sys.argv[1]\n"
                "doc = xml.dom.minidom.parse(d + '/junit.xml')\n"
                "cases = doc.getElementsByTagName('testcase')\n"
                "fails = sum(1 for c in cases if c.getElementsByTagName('failure'))\n"
                "timed = sum(1 for c in cases if float(c.getAttribute('time')) >= 0)\n"
                "attr = int(doc.documentElement.getAttribute('failures'))\n"
                "scn = sys.argv[2] + '/scenarios/mixpanel-2016.scn'\n"
                "expects = sum(1 for l in open(scn) if l.split()[:1] == ['expect'])\n"
                "rows = list(csv.reader(open(d + '/matrix.csv', newline='')))\n"
                "m = json.load(open(d + '/matrix.json'))\n"
                "print(len(cases), fails, attr, timed, expects, len(m['cells']), len(rows) - 1, "
                "rows[0][0], rows[0][4])\n";
        struct cmd_result r;
        char line[256];
        unsigned cases = 0, fails = 0, attr = 1, timed = 0, expects = 0, cells = 0, rows = 0;
        char first[32] = "", axis[32] = "";
        if (run_once() < 0) {
                CU_FAIL("stubcompat run failed: nothing to check");
                return;
        }
        SP_CHECK(python(code, line, sizeof(line), &r) == 0, &r);
        CU_ASSERT_EQUAL(sscanf(line, "%u %u %u %u %u %u %u %31s %31s", &cases, &fails, &attr,
                               &timed, &expects, &cells, &rows, first, axis), 9);
        CU_ASSERT(expects >= 5);
        CU_ASSERT_EQUAL(cases, 1 + expects);
        CU_ASSERT_EQUAL(timed, cases);
        CU_ASSERT_EQUAL(fails, 0);
        CU_ASSERT_EQUAL(attr, 0);
        CU_ASSERT_EQUAL(cells, 256);
        CU_ASSERT_EQUAL(rows, 256);
        CU_ASSERT_STRING_EQUAL(first, "client");
        CU_ASSERT_STRING_EQUAL(axis, "records");
        cmd_result_free(&r);
}

/* tshark decodes every packet as DNS, none malformed, and counts queries,
 * responses and TC responses equal to what the server witnessed. */
static void test_pcap_in_tshark(void)
{
        static const char expect[] =
                "import json, sys\n"
                "m = json.load(open(sys.argv[1] + '/matrix.json'))\n"
                "q = sum(c['udp_queries'] + c['tcp_queries'] for c in m['cells'])\n"
                "tc = sum(c['tc_replies'] for c in m['cells'])\n"
                "print(q, tc)\n";
        char pcap[4200], line[128], filter[64];
        unsigned queries = 0, tcs = 0;
        struct cmd_result r;

        if (!cmd_available("tshark"))
                TEST_SKIP("tshark is not installed (Debian package tshark)");
        if (run_once() < 0) {
                CU_FAIL("stubcompat run failed: nothing to check");
                return;
        }
        SP_CHECK(python(expect, line, sizeof(line), &r) == 0, &r);
        CU_ASSERT_EQUAL(sscanf(line, "%u %u", &queries, &tcs), 2);
        cmd_result_free(&r);
        snprintf(pcap, sizeof(pcap), "%s/exchanges.pcap", out);
        const struct { const char *filter; unsigned want; } checks[] = {
                { "dns.flags.response == 0", queries },
                { "dns.flags.response == 1", queries },
                { "dns.flags.truncated == 1", tcs },
                { "_ws.malformed || _ws.expert.severity == error", 0 },
        };
        for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
                snprintf(filter, sizeof(filter), "%s", checks[i].filter);
                const char *argv[] = { "tshark", "-r", pcap, "-Y", filter, "-T", "fields",
                                       "-e", "frame.number", NULL };
                cmd_run(argv, 120000, &r);
                SP_CHECK(r.status == 0, &r);
                unsigned n = 0;
                for (const char *p = r.out; *p; p++)
                        n += *p == '\n';
                if (n != checks[i].want)
                        printf("\n    tshark -Y '%s': %u packets, want %u\n", filter, n, checks[i].want);
                CU_ASSERT_EQUAL(n, checks[i].want);
                cmd_result_free(&r);
        }
}

static const struct test_case cases[] = {
        { "matrix.json matches its schema", test_json_schema },
        { "junit.xml and matrix.csv parse", test_junit_and_csv },
        { "exchanges.pcap decodes in tshark", test_pcap_in_tshark },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "formats", cases },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "formats", suites);
}
