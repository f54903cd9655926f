/* Profile files (clients/engine/profile.c): every parse error with its exact
 * "path:line: message", comments and blank lines, the shipped profiles in
 * clients/profiles/, and profile_print read back by profile_parse. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/profile.h"
#include "tests/common/testmain.h"

#define P "t.profile"

static char err[512];

/* Parses text; on a mismatch of the return prints the message. */
static int parse(const char *text, struct profile *p)
{
        int rc;
        err[0] = '\0';
        rc = profile_parse(P, text, p, err, sizeof(err));
        if (rc < 0)
                fprintf(stderr, "\n      %s\n", err);
        return rc;
}

/* The text must be refused with exactly this message. */
#define REFUSED(text, message) do { \
        struct profile p_; \
        err[0] = '\0'; \
        CU_ASSERT_EQUAL(profile_parse(P, (text), &p_, err, sizeof(err)), -1); \
        CU_ASSERT_STRING_EQUAL(err, (message)); \
        if (strcmp(err, (message)) != 0) \
                fprintf(stderr, "\n      line %d: got \"%s\"\n", __LINE__, err); \
} while (0)

/* ---------------------------------------------------------------- errors */

static void test_unknown_knob(void)
{
        REFUSED("name = t\n\nx = 1\n", P ":3: unknown knob 'x'");
        REFUSED("name = t\ntimeout = 5\n", P ":2: unknown knob 'timeout'");
        /* knob names are exact: no case folding, no underscores */
        REFUSED("Name = t\n", P ":1: unknown knob 'Name'");
        REFUSED("name = t\nmax_cname = 3\n", P ":2: unknown knob 'max_cname'");
}

static void test_bad_enum(void)
{
        REFUSED("name = t\ntc = maybe\n",
                P ":2: tc: expected retry-tcp|fail|use|use-if-answers, got 'maybe'");
        REFUSED("name = t\ntransport = tcp\n",
                P ":2: transport: expected udp-only|udp-then-tcp|tcp-only, got 'tcp'");
        REFUSED("name = t\noversize = truncate\n",
                P ":2: oversize: expected cut|truncated|drop, got 'truncate'");
        REFUSED("name = t\nbad-reply-aaaa = servfail\n",
                P ":2: bad-reply-aaaa: expected error|nodata|nxdomain, got 'servfail'");
        REFUSED("name = t\nempty-answer = error\n",
                P ":2: empty-answer: expected nodata|nxdomain, got 'error'");
        REFUSED("name = t\nglibc-lame-rule = true\n",
                P ":2: glibc-lame-rule: expected no|yes, got 'true'");
        /* values are exact too */
        REFUSED("name = t\ntc = USE\n",
                P ":2: tc: expected retry-tcp|fail|use|use-if-answers, got 'USE'");
        /* an empty value is a value */
        REFUSED("name = t\nparse =\n", P ":2: parse: expected strict|keep-partial|keep-partial-if-tc|zero-fill, got ''");
}

static void test_bad_int(void)
{
        REFUSED("name = t\nattempts = 11\n", P ":2: attempts: expected 1..10, got '11'");
        REFUSED("name = t\nattempts = 0\n", P ":2: attempts: expected 1..10, got '0'");
        REFUSED("name = t\ntimeout-ms = 5\n", P ":2: timeout-ms: expected 10..60000, got '5'");
        REFUSED("name = t\nrdata-overread = 65\n", P ":2: rdata-overread: expected 0..64, got '65'");
        REFUSED("name = t\nrecv-buffer = 11\n", P ":2: recv-buffer: expected 12..65535, got '11'");
        REFUSED("name = t\nmax-addresses = -1\n", P ":2: max-addresses: expected 0..65535, got '-1'");
        REFUSED("name = t\nattempts = 2x\n", P ":2: attempts: expected 1..10, got '2x'");
        REFUSED("name = t\nattempts = \n", P ":2: attempts: expected 1..10, got ''");
        REFUSED("name = t\nmax-cname = 99999999999999999999\n",
                P ":2: max-cname: expected 0..1000, got '99999999999999999999'");
        REFUSED("name = t\nedns = 511\n", P ":2: edns: expected none or 512..65535, got '511'");
        REFUSED("name = t\nedns = 65536\n", P ":2: edns: expected none or 512..65535, got '65536'");
        REFUSED("name = t\nedns = off\n", P ":2: edns: expected none or 512..65535, got 'off'");
}

static void test_bounds_accepted(void)
{
        struct profile p;
        CU_ASSERT_EQUAL_FATAL(parse("name = t\nattempts = 10\nedns = 512\nrdata-overread = 64\n"
                                    "recv-buffer = 65535\ntimeout-ms = 10\nmax-cname = 0\n", &p), 0);
        CU_ASSERT_EQUAL(p.attempts, 10);
        CU_ASSERT_EQUAL(p.edns, 512);
        CU_ASSERT_EQUAL(p.rdata_overread, 64);
        CU_ASSERT_EQUAL(p.recv_buffer, 65535);
        CU_ASSERT_EQUAL(p.timeout_ms, 10);
        CU_ASSERT_EQUAL(p.max_cname, 0);
        CU_ASSERT_EQUAL_FATAL(parse("name = t\nedns = none\n", &p), 0);
        CU_ASSERT_EQUAL(p.edns, 0);
}

static void test_no_equals(void)
{
        REFUSED("name = t\ntc use\n", P ":2: expected 'knob = value'");
        REFUSED("name t\n", P ":1: expected 'knob = value'");
        /* the first error wins */
        REFUSED("# x\ntc use\nx = 1\n", P ":2: expected 'knob = value'");
}

static void test_missing_name(void)
{
        /* reported at the line after the last one, where it would have to be */
        REFUSED("tc = use\n", P ":2: missing 'name = ...'");
        REFUSED("tc = use", P ":1: missing 'name = ...'");
        REFUSED("", P ":1: missing 'name = ...'");
        REFUSED("name =\n", P ":2: missing 'name = ...'");
        REFUSED("name = # only a comment\n", P ":2: missing 'name = ...'");
}

static void test_load_errors(void)
{
        struct profile p;
        char path[1024];

        snprintf(path, sizeof(path), "%s/clients/profiles/no-such.profile", test_source_dir());
        err[0] = '\0';
        CU_ASSERT_EQUAL(profile_load(path, &p, err, sizeof(err)), -1);
        CU_ASSERT_EQUAL(strncmp(err, path, strlen(path)), 0);
}

/* ---------------------------------------------------------------- comments, defaults */

static void test_comments_blank_lines(void)
{
        struct profile p, d;
        const char *text =
                "# a profile\n"
                "\n"
                "   \n"
                "\t# indented comment\n"
                "name = t   # trailing comment\n"
                "  tc   =   use-if-answers  \n"
                "source = a#b (no space before '#': kept)\n"
                "stands-for = x  #  y\n"
                "edns=1232\n"
                "attempts = 3\r\n"
                "\n";

        CU_ASSERT_EQUAL_FATAL(parse(text, &p), 0);
        CU_ASSERT_STRING_EQUAL(p.name, "t");
        CU_ASSERT_EQUAL(p.tc, PROFILE_TC_USE_IF_ANSWERS);
        CU_ASSERT_STRING_EQUAL(p.source, "a#b (no space before '#': kept)");
        CU_ASSERT_STRING_EQUAL(p.stands_for, "x");
        CU_ASSERT_EQUAL(p.edns, 1232);
        CU_ASSERT_EQUAL(p.attempts, 3);

        /* knobs not given keep their defaults */
        profile_defaults(&d);
        CU_ASSERT_EQUAL(p.transport, d.transport);
        CU_ASSERT_EQUAL(p.recv_buffer, d.recv_buffer);
        CU_ASSERT_EQUAL(p.oversize, d.oversize);
        CU_ASSERT_EQUAL(p.parse, d.parse);
        CU_ASSERT_EQUAL(p.max_cname, d.max_cname);
        CU_ASSERT_EQUAL(p.fail_on_rcode_error, d.fail_on_rcode_error);
        CU_ASSERT_EQUAL(p.timeout_ms, d.timeout_ms);

        /* line numbers count comment and blank lines */
        REFUSED("# one\n\n# three\nname = t\n\nbogus = 1\n", P ":6: unknown knob 'bogus'");
}

static void test_defaults(void)
{
        struct profile p;
        profile_defaults(&p);
        CU_ASSERT_EQUAL(p.transport, PROFILE_TRANSPORT_UDP_THEN_TCP);
        CU_ASSERT_EQUAL(p.edns, 0);
        CU_ASSERT_EQUAL(p.recv_buffer, 512);
        CU_ASSERT_EQUAL(p.oversize, PROFILE_OVERSIZE_TRUNCATED);
        CU_ASSERT_EQUAL(p.tc, PROFILE_TC_RETRY_TCP);
        CU_ASSERT_EQUAL(p.tcp_failure, PROFILE_TCP_FAILURE_ERROR);
        CU_ASSERT_EQUAL(p.parse, PROFILE_PARSE_STRICT);
        CU_ASSERT_EQUAL(p.cname, PROFILE_CNAME_FOLLOW);
        CU_ASSERT_EQUAL(p.max_cname, 16);
        CU_ASSERT_TRUE(p.fail_on_rcode_error);
        CU_ASSERT_FALSE(p.glibc_lame_rule);
        CU_ASSERT_EQUAL(p.formerr_retry_plain, PROFILE_FORMERR_RETRY_NO);
        CU_ASSERT_EQUAL(p.both_bad_reply, PROFILE_BOTH_BAD_REPLY_PER_FAMILY);
        CU_ASSERT_EQUAL(p.empty, PROFILE_EMPTY_NODATA);
        CU_ASSERT_EQUAL(p.attempts, 1);
        CU_ASSERT_EQUAL(p.timeout_ms, 1000);
        CU_ASSERT_STRING_EQUAL(profile_transport_to_string(PROFILE_TRANSPORT_TCP_ONLY), "tcp-only");
        CU_ASSERT_STRING_EQUAL(profile_tc_to_string(PROFILE_TC_USE_IF_ANSWERS), "use-if-answers");
        CU_ASSERT_STRING_EQUAL(profile_tc_to_string(PROFILE_TC_MAX), "invalid");
}

/* ---------------------------------------------------------------- print -> parse */

/* profile_print's text. Returns a malloc'd string. */
static char *print(const struct profile *p)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        profile_print(p, f);
        fclose(f);
        return text;
}

/* Both profiles start from profile_defaults (zeroed, padding included), so
 * the whole struct compares; the fields are compared too, to name the one
 * that differs. */
static void check_equal(const struct profile *a, const struct profile *b)
{
        CU_ASSERT_STRING_EQUAL(a->name, b->name);
        CU_ASSERT_STRING_EQUAL(a->stands_for, b->stands_for);
        CU_ASSERT_STRING_EQUAL(a->twin, b->twin);
        CU_ASSERT_STRING_EQUAL(a->source, b->source);
        CU_ASSERT_EQUAL(a->transport, b->transport);
        CU_ASSERT_EQUAL(a->edns, b->edns);
        CU_ASSERT_EQUAL(a->recv_buffer, b->recv_buffer);
        CU_ASSERT_EQUAL(a->oversize, b->oversize);
        CU_ASSERT_EQUAL(a->tc, b->tc);
        CU_ASSERT_EQUAL(a->tcp_failure, b->tcp_failure);
        CU_ASSERT_EQUAL(a->tcp_closed_a, b->tcp_closed_a);
        CU_ASSERT_EQUAL(a->tcp_closed_aaaa, b->tcp_closed_aaaa);
        CU_ASSERT_EQUAL(a->parse, b->parse);
        CU_ASSERT_EQUAL(a->bad_reply_a, b->bad_reply_a);
        CU_ASSERT_EQUAL(a->bad_reply_aaaa, b->bad_reply_aaaa);
        CU_ASSERT_EQUAL(a->max_addresses, b->max_addresses);
        CU_ASSERT_EQUAL(a->max_records, b->max_records);
        CU_ASSERT_EQUAL(a->rdata_overread, b->rdata_overread);
        CU_ASSERT_EQUAL(a->cname, b->cname);
        CU_ASSERT_EQUAL(a->max_cname, b->max_cname);
        CU_ASSERT_EQUAL(a->reject_compressed_question, b->reject_compressed_question);
        CU_ASSERT_EQUAL(a->glibc_lame_rule, b->glibc_lame_rule);
        CU_ASSERT_EQUAL(a->formerr_retry_plain, b->formerr_retry_plain);
        CU_ASSERT_EQUAL(a->formerr_as, b->formerr_as);
        CU_ASSERT_EQUAL(a->both_bad_reply, b->both_bad_reply);
        CU_ASSERT_EQUAL(a->both_bad_reply_as, b->both_bad_reply_as);
        CU_ASSERT_EQUAL(a->fail_on_rcode_error, b->fail_on_rcode_error);
        CU_ASSERT_EQUAL(a->empty, b->empty);
        CU_ASSERT_EQUAL(a->attempts, b->attempts);
        CU_ASSERT_EQUAL(a->timeout_ms, b->timeout_ms);
        CU_ASSERT_EQUAL(memcmp(a, b, sizeof(*a)), 0);
}

static void round_trip(const struct profile *p)
{
        struct profile back;
        char *text = print(p);
        CU_ASSERT_EQUAL(parse(text, &back), 0);
        check_equal(p, &back);
        free(text);
}

static void test_print_round_trip(void)
{
        struct profile p;
        char *text;

        /* every knob away from its default */
        profile_defaults(&p);
        snprintf(p.name, sizeof(p.name), "everything");
        snprintf(p.stands_for, sizeof(p.stands_for), "a stub: with = signs, commas");
        snprintf(p.twin, sizeof(p.twin), "real:nothing");
        snprintf(p.source, sizeof(p.source), "src/x.c#L10 (no space before '#')");
        p.transport = PROFILE_TRANSPORT_TCP_ONLY;
        p.edns = 4096;
        p.recv_buffer = 1232;
        p.oversize = PROFILE_OVERSIZE_DROP;
        p.tc = PROFILE_TC_USE_IF_ANSWERS;
        p.tcp_failure = PROFILE_TCP_FAILURE_USE_UDP;
        p.tcp_closed_a = PROFILE_BAD_REPLY_NXDOMAIN;
        p.tcp_closed_aaaa = PROFILE_BAD_REPLY_NODATA;
        p.parse = PROFILE_PARSE_KEEP_PARTIAL;
        p.bad_reply_a = PROFILE_BAD_REPLY_NODATA;
        p.bad_reply_aaaa = PROFILE_BAD_REPLY_NXDOMAIN;
        p.max_addresses = 48;
        p.max_records = 64;
        p.rdata_overread = 10;
        p.cname = PROFILE_CNAME_ANY_OWNER;
        p.max_cname = 3;
        p.reject_compressed_question = true;
        p.glibc_lame_rule = true;
        p.formerr_retry_plain = PROFILE_FORMERR_RETRY_CHANNEL;
        p.both_bad_reply = PROFILE_BOTH_BAD_REPLY_A_FAILS;
        p.both_bad_reply_as = PROFILE_BAD_REPLY_NXDOMAIN;
        p.formerr_as = PROFILE_BAD_REPLY_NXDOMAIN;
        p.fail_on_rcode_error = false;
        p.empty = PROFILE_EMPTY_NXDOMAIN;
        p.attempts = 4;
        p.timeout_ms = 250;
        round_trip(&p);

        /* the defaults, with edns none and empty text knobs */
        profile_defaults(&p);
        snprintf(p.name, sizeof(p.name), "defaults");
        round_trip(&p);

        /* one line per knob, in table order */
        text = print(&p);
        {
                static const char head[] = "name = defaults\nstands-for = \ntwin = \nsource = \n"
                                           "transport = udp-then-tcp\nedns = none\n";
                CU_ASSERT_EQUAL(strncmp(text, head, sizeof(head) - 1), 0);
        }
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "\ntimeout-ms = 1000\n"));
        free(text);
}

/* ---------------------------------------------------------------- shipped profiles */

static void test_shipped_profiles(void)
{
        char dir[1024];
        struct dirent *e;
        unsigned n = 0;
        DIR *d;

        snprintf(dir, sizeof(dir), "%s/clients/profiles", test_source_dir());
        d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        while ((e = readdir(d)) != NULL) {
                size_t len = strlen(e->d_name);
                char path[2048], stem[256];
                struct profile p;

                if (len <= 8 || strcmp(e->d_name + len - 8, ".profile") != 0)
                        continue;
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                snprintf(stem, sizeof(stem), "%.*s", (int)(len - 8), e->d_name);
                err[0] = '\0';
                if (profile_load(path, &p, err, sizeof(err)) < 0) {
                        fprintf(stderr, "\n      %s\n", err);
                        CU_FAIL("a shipped profile does not load");
                        continue;
                }
                n++;
                /* the file is named after the profile, and it says where it comes from */
                CU_ASSERT_STRING_EQUAL(p.name, stem);
                CU_ASSERT_NOT_EQUAL(p.stands_for[0], '\0');
                CU_ASSERT_NOT_EQUAL(p.source[0], '\0');
                round_trip(&p);
        }
        closedir(d);
        /* the README's "Shipped" list */
        CU_ASSERT(n >= 16);
}

/* The profiles the unit and engine tests lean on keep the knobs they model. */
static void test_shipped_knobs(void)
{
        char path[1024];
        struct profile p;

        snprintf(path, sizeof(path), "%s/clients/profiles/musl-1.2.3.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &p, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(p.transport, PROFILE_TRANSPORT_UDP_ONLY);
        CU_ASSERT_EQUAL(p.rdata_overread, 10);
        CU_ASSERT_EQUAL(p.max_records, 64);
        CU_ASSERT_EQUAL(p.cname, PROFILE_CNAME_ANY_OWNER);
        CU_ASSERT_EQUAL(p.empty, PROFILE_EMPTY_NXDOMAIN);

        snprintf(path, sizeof(path), "%s/clients/profiles/java-jndi.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &p, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(p.tcp_failure, PROFILE_TCP_FAILURE_USE_UDP);
        CU_ASSERT_EQUAL(p.parse, PROFILE_PARSE_ZERO_FILL);
        CU_ASSERT_EQUAL(p.recv_buffer, 8000);

        snprintf(path, sizeof(path), "%s/clients/profiles/uclibc-ng.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &p, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(p.parse, PROFILE_PARSE_KEEP_PARTIAL_IF_TC);
        CU_ASSERT_TRUE(p.empty_before_tc);
        CU_ASSERT_EQUAL(p.rcode_error_as, PROFILE_BAD_REPLY_NXDOMAIN);

        snprintf(path, sizeof(path), "%s/clients/profiles/musl-1.2.4.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &p, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(p.tc, PROFILE_TC_RETRY_TCP);
        CU_ASSERT_EQUAL(p.tcp_recv_buffer, 768);

        snprintf(path, sizeof(path), "%s/clients/profiles/glibc-2.36.profile", test_source_dir());
        CU_ASSERT_EQUAL_FATAL(profile_load(path, &p, err, sizeof(err)), 0);
        CU_ASSERT_TRUE(p.glibc_lame_rule);
        CU_ASSERT_EQUAL(p.tcp_closed_a, PROFILE_BAD_REPLY_NXDOMAIN);
        CU_ASSERT_EQUAL(p.tcp_closed_aaaa, PROFILE_BAD_REPLY_ERROR);
        CU_ASSERT_EQUAL(p.bad_reply_a, PROFILE_BAD_REPLY_NODATA);
        CU_ASSERT_EQUAL(p.bad_reply_aaaa, PROFILE_BAD_REPLY_NXDOMAIN);
}

static const struct test_case error_tests[] = {
        { "unknown-knob", test_unknown_knob },
        { "bad-enum", test_bad_enum },
        { "bad-int", test_bad_int },
        { "bounds-accepted", test_bounds_accepted },
        { "no-equals", test_no_equals },
        { "missing-name", test_missing_name },
        { "load-errors", test_load_errors },
        { NULL, NULL },
};

static const struct test_case syntax_tests[] = {
        { "comments-blank-lines", test_comments_blank_lines },
        { "defaults", test_defaults },
        { "print-round-trip", test_print_round_trip },
        { NULL, NULL },
};

static const struct test_case shipped_tests[] = {
        { "all-load", test_shipped_profiles },
        { "knobs", test_shipped_knobs },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "errors", error_tests },
        { "syntax", syntax_tests },
        { "shipped", shipped_tests },
        { NULL, NULL },
};

int main(int c, char **v)
{
        return test_main(c, v, "profile", suites);
}
