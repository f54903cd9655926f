/* Gating: the `expect` grammar (every error, with its column), the evaluator
 * on a hand-built matrix (holds, fails, matched no cell, not checked), the
 * baseline regressions, and the lines the gate prints (text and GitHub). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/report/baseline.h"
#include "harness/report/matrix-json.h"
#include "harness/util/strbuf.h"
#include "harness/report/expect-eval.h"
#include "harness/report/gate.h"
#include "harness/report/breaking.h"
#include "harness/report/sizes.h"
#include "harness/zone/scenario.h"
#include "tests/common/testmain.h"

/* 8 lines; an expect line appended is line 9. */
static const char base_scn[] =
        "suite t\n"
        "origin example.com.\n"
        "grow www\n"
        "grow cdn\n"
        "query www.example.com A\n"
        "query cdn.example.com A\n"
        "sweep records=1..4\n"
        "sweep truncation=tc-empty,cut\n";

static struct scenario *load(const char *lines, char *err, size_t errlen)
{
        struct scenario *sc = NULL;
        char *text = NULL;
        CU_ASSERT_FATAL(asprintf(&text, "%s%s\n", base_scn, lines) > 0);
        if (scenario_parse("t.scn", text, &sc, err, errlen) < 0)
                sc = NULL;
        free(text);
        return sc;
}

static void parse_error(const char *line, const char *message)
{
        char err[512] = "";
        struct scenario *sc = load(line, err, sizeof(err));
        CU_ASSERT_PTR_NULL(sc);
        CU_ASSERT_STRING_EQUAL(err, message);
        if (strcmp(err, message) != 0)
                fprintf(stderr, "\n  line:     %s\n  got:      %s\n  expected: %s\n", line, err,
                        message);
        scenario_free(sc);
}

static void test_parse_errors(void)
{
        parse_error("expect",
                    "t.scn:9:7: expect: expected a subject: 'every client', a client name or "
                    "clients=NAME,NAME..., got end of line");
        parse_error("expect ok",
                    "t.scn:9:8: expect: expected a subject: 'every client', a client name or "
                    "clients=NAME,NAME..., got 'ok'");
        parse_error("expect records=3 ok",
                    "t.scn:9:8: expect: expected a subject: 'every client', a client name or "
                    "clients=NAME,NAME..., got 'records=3'");
        parse_error("expect every",
                    "t.scn:9:13: expect: expected 'client' after 'every', got end of line");
        parse_error("expect every clients ok",
                    "t.scn:9:14: expect: expected 'client' after 'every', got 'clients'");
        parse_error("expect clients= ok",
                    "t.scn:9:16: expect: expected client names after 'clients='");
        parse_error("expect clients=a,,b ok",
                    "t.scn:9:18: expect: expected a client name after ','");
        parse_error("expect musl/1 ok",
                    "t.scn:9:8: expect: expected a client name (letters, digits, '.', '_', ':', "
                    "'+', '-'), got 'musl/1'");
        parse_error("expect musl-1.2.3",
                    "t.scn:9:18: expect: expected a predicate: ok, fails, verdict=V,V... or "
                    "path=P,P..., got end of line");
        parse_error("expect musl-1.2.3 okay",
                    "t.scn:9:19: expect: expected a predicate: ok, fails, verdict=V,V... or "
                    "path=P,P..., got 'okay'");
        parse_error("expect musl-1.2.3 ok fails",
                    "t.scn:9:22: expect: expected at most one of ok, fails and verdict=, and at "
                    "most one path=, got a second 'fails'");
        parse_error("expect musl-1.2.3 path=udp path=tcp",
                    "t.scn:9:28: expect: expected at most one of ok, fails and verdict=, and at "
                    "most one path=, got a second 'path=tcp'");
        parse_error("expect musl-1.2.3 verdict=",
                    "t.scn:9:27: expect: expected verdicts after 'verdict='");
        parse_error("expect musl-1.2.3 verdict=ok,skipped",
                    "t.scn:9:30: expect: expected a verdict (ok, partial, wrong, nodata, nxdomain, "
                    "error or timeout), got 'skipped'");
        parse_error("expect musl-1.2.3 path=udp,tcp2",
                    "t.scn:9:28: expect: expected a path (udp, udp+tcp, tcp or none), got 'tcp2'");
        parse_error("expect musl-1.2.3 ok foo",
                    "t.scn:9:22: expect: expected a predicate or 'when', got 'foo'");
        parse_error("expect musl-1.2.3 ok when",
                    "t.scn:9:26: expect: expected a condition KEY OP VALUE after 'when', got end "
                    "of line");
        parse_error("expect musl-1.2.3 ok when and records=1",
                    "t.scn:9:27: expect: expected a condition KEY OP VALUE, got 'and'");
        parse_error("expect musl-1.2.3 ok when records=1 and and records=2",
                    "t.scn:9:41: expect: expected a condition KEY OP VALUE, got 'and'");
        parse_error("expect musl-1.2.3 ok when records=1 and",
                    "t.scn:9:40: expect: expected a condition KEY OP VALUE after 'and', got end "
                    "of line");
        parse_error("expect musl-1.2.3 ok when <=3",
                    "t.scn:9:27: expect: expected a condition KEY OP VALUE (e.g. records<=29), "
                    "got '<=3'");
        parse_error("expect musl-1.2.3 ok when records",
                    "t.scn:9:34: expect: expected an operator (=, !=, <, <=, >, >=) after 'records'");
        parse_error("expect musl-1.2.3 ok when records<=",
                    "t.scn:9:36: expect: expected a value after 'records<='");
        parse_error("expect musl-1.2.3 ok when records=1,",
                    "t.scn:9:37: expect: expected a value after ','");
        parse_error("expect musl-1.2.3 ok when recrods=1",
                    "t.scn:9:27: expect: unknown key 'recrods' (expected a swept parameter, qname "
                    "or qtype)");
        parse_error("expect musl-1.2.3 ok when truncation<cut",
                    "t.scn:9:37: expect: expected = or != after 'truncation' (it is not a number)");
        parse_error("expect musl-1.2.3 ok when qname>=a",
                    "t.scn:9:32: expect: expected = or != after 'qname' (it is not a number)");
        parse_error("expect musl-1.2.3 ok when records<=1,2",
                    "t.scn:9:36: expect: expected one number after 'records<=', got '1,2'");
        parse_error("expect musl-1.2.3 ok when records=x",
                    "t.scn:9:35: expect: records: expected an integer in 0..4096, got 'x'");
        parse_error("expect musl-1.2.3 ok when truncation=tc-empty,chop",
                    "t.scn:9:47: expect: truncation: expected tc-empty|tc-partial|overflow|cut|"
                    "cut-notc, got 'chop'");
        parse_error("expect musl-1.2.3 ok when qtype=ZZZ",
                    "t.scn:9:33: expect: qtype: expected a record type or ADDR, got 'ZZZ'");
        /* checked once the whole file is read */
        parse_error("expect musl-1.2.3 ok when edns=ignore",
                    "t.scn:9:27: expect: 'edns' is not swept in this suite (expected records, "
                    "truncation, qname or qtype)");
        parse_error("expect musl-1.2.3 ok when qname=api.example.com",
                    "t.scn:9:33: expect: qname: expected a query name of this suite "
                    "(www.example.com, cdn.example.com), got 'api.example.com'");
        parse_error("expect musl-1.2.3 ok when qtype=AAAA",
                    "t.scn:9:33: expect: qtype: expected a query type of this suite (A), got 'AAAA'");
        char *longline = NULL;
        CU_ASSERT_FATAL(asprintf(&longline, "expect clients=%0300d ok", 7) > 0);
        parse_error(longline, "t.scn:9:8: expect: expected words of at most 255 bytes");
        free(longline);
        /* columns count from the start of the line, leading white space included */
        parse_error("\t  expect  musl-1.2.3   okay  # comment",
                    "t.scn:9:25: expect: expected a predicate: ok, fails, verdict=V,V... or "
                    "path=P,P..., got 'okay'");
}

static void test_parse_stores(void)
{
        char err[512];
        struct scenario *sc = load(
                "expect every client ok\n"
                "# a comment line\n"
                "expect clients=a,real:b verdict=nxdomain,timeout path=udp when records>=3 and "
                "truncation!=cut qname=WWW.example.com. qtype=a # why\n"
                "expect c fails", err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        CU_ASSERT_EQUAL_FATAL(sc->nexpects, 3);

        const struct expectation *e = &sc->expects[0];
        CU_ASSERT_EQUAL(e->line, 9);
        CU_ASSERT_STRING_EQUAL(e->text, "expect every client ok");
        CU_ASSERT_EQUAL(e->nclients, 0);
        CU_ASSERT_EQUAL(e->verdicts, 1u << VERDICT_OK);
        CU_ASSERT_EQUAL(e->paths, 0);
        CU_ASSERT_EQUAL(e->nconds, 0);

        e = &sc->expects[1];
        CU_ASSERT_EQUAL(e->line, 11);
        CU_ASSERT_EQUAL_FATAL(e->nclients, 2);
        CU_ASSERT_STRING_EQUAL(e->clients[1], "real:b");
        CU_ASSERT_EQUAL(e->client_cols[1], 18);
        CU_ASSERT_EQUAL(e->verdicts, (1u << VERDICT_NXDOMAIN) | (1u << VERDICT_TIMEOUT));
        CU_ASSERT_EQUAL(e->paths, 1u << 0);
        CU_ASSERT_EQUAL_FATAL(e->nconds, 4);
        CU_ASSERT_STRING_EQUAL(e->conds[0].key, "records");
        CU_ASSERT_EQUAL(e->conds[0].op, EXPECT_GE);
        CU_ASSERT_EQUAL(e->conds[0].bound, 3);
        CU_ASSERT_EQUAL(e->conds[1].op, EXPECT_NE);
        CU_ASSERT_STRING_EQUAL(e->conds[1].values[0], "cut");
        CU_ASSERT_STRING_EQUAL(e->conds[2].values[0], "WWW.example.com");
        CU_ASSERT_STRING_EQUAL(e->conds[3].values[0], "A");

        e = &sc->expects[2];
        CU_ASSERT_EQUAL(e->verdicts & (1u << VERDICT_OK), 0);
        CU_ASSERT_EQUAL(e->verdicts & (1u << VERDICT_SKIPPED), 0);
        CU_ASSERT_NOT_EQUAL(e->verdicts & (1u << VERDICT_NXDOMAIN), 0);
        scenario_free(sc);
}

static void test_shipped_mixpanel(void)
{
        char path[4096], err[512];
        struct scenario *sc = NULL;
        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        int r = scenario_load(path, &sc, err, sizeof(err));
        if (r < 0)
                printf("\n    %s\n", err);
        CU_ASSERT_EQUAL_FATAL(r, 0);
        CU_ASSERT_TRUE(sc->nexpects >= 5);
        scenario_free(sc);
}

/* ---------------------------------------------------------------- a hand-built matrix
 * records 1..4 x truncation=tc-empty x {www, cdn} x clients {a, b, c}:
 * a is ok everywhere (over TCP from 3 records), b ok up to 2 records then
 * nxdomain, c skipped everywhere (a real client without its sandbox). */

static void build_matrix(struct matrix *m)
{
        static const char *const qnames[] = { "www.example.com", "cdn.example.com" };
        static const char *const clients[] = { "a", "b", "c" };

        memset(m, 0, sizeof(*m));
        snprintf(m->suite, sizeof(m->suite), "t");
        snprintf(m->scenario, sizeof(m->scenario), "t.scn");
        m->complete = true;
        m->naxes = 2;
        snprintf(m->axes[0], sizeof(m->axes[0]), "records");
        snprintf(m->axes[1], sizeof(m->axes[1]), "truncation");
        CU_ASSERT_FATAL(matrix_reserve(m, 24) == 0);
        for (int r = 1; r <= 4; r++)
                for (int q = 0; q < 2; q++)
                        for (int c = 0; c < 3; c++) {
                                struct matrix_cell *x = matrix_add_cell(m);
                                char records[16];
                                const char *values[2] = { records, "tc-empty" };
                                CU_ASSERT_PTR_NOT_NULL_FATAL(x);
                                x->index = m->ncells - 1;
                                x->point = (size_t)r - 1;
                                snprintf(records, sizeof(records), "%d", r);
                                CU_ASSERT_FATAL(matrix_cell_set_client(m, x, clients[c]) == 0 &&
                                                matrix_cell_set_kind(m, x, c == 2 ? "real" : "emulated") == 0 &&
                                                matrix_cell_set_qname(m, x, qnames[q]) == 0 &&
                                                matrix_cell_set_values(m, x, values) == 0);
                                snprintf(x->qtype, sizeof(x->qtype), "A");
                                x->udp_bytes = 34;
                                x->tcp_bytes = -1;
                                x->edns = -1;
                                x->udp_queries = 1;
                                snprintf(x->path, sizeof(x->path), "udp");
                                if (c == 0) {
                                        x->verdict = VERDICT_OK;
                                        if (r >= 3) {
                                                snprintf(x->path, sizeof(x->path), "udp+tcp");
                                                x->tcp_bytes = 530;
                                                x->tcp_queries = 1;
                                        }
                                } else if (c == 1) {
                                        x->verdict = r <= 2 ? VERDICT_OK : VERDICT_NXDOMAIN;
                                } else {
                                        x->verdict = VERDICT_SKIPPED;
                                        snprintf(x->reason, sizeof(x->reason), "no-namespaces");
                                        snprintf(x->path, sizeof(x->path), "none");
                                        x->udp_queries = 0;
                                        x->udp_bytes = -1;
                                }
                        }
        m->total = m->ncells;
}

/* Evaluates the one expect line against m; returns its message. */
static enum expect_status evaluate(const char *line, const struct matrix *m,
                                   struct expect_result *r, char *msg, size_t msglen)
{
        char err[512] = "";
        struct scenario *sc = load(line, err, sizeof(err));
        if (!sc)
                fprintf(stderr, "\n  %s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        expect_evaluate(&sc->expects[0], m, r);
        expect_result_message(sc->path, &sc->expects[0], m, r, msg, msglen);
        scenario_free(sc);
        return r->status;
}

static void check(const char *line, const struct matrix *m, enum expect_status status,
                  size_t matched, size_t checked, size_t failed, const char *message)
{
        struct expect_result r;
        char msg[1024];
        evaluate(line, m, &r, msg, sizeof(msg));
        CU_ASSERT_EQUAL(r.status, status);
        CU_ASSERT_EQUAL(r.matched, matched);
        CU_ASSERT_EQUAL(r.checked, checked);
        CU_ASSERT_EQUAL(r.failed, failed);
        CU_ASSERT_STRING_EQUAL(msg, message);
        if (strcmp(msg, message) != 0 || r.status != status)
                fprintf(stderr, "\n  line:     %s\n  got:      %s (status %d)\n  expected: %s\n",
                        line, msg, (int)r.status, message);
}

static void test_evaluate(void)
{
        struct matrix m;
        build_matrix(&m);
        check("expect a ok", &m, EXPECT_HOLDS, 8, 8, 0,
              "t.scn:9: expect a ok: holds in 8 cells");
        check("expect b ok when records<=2", &m, EXPECT_HOLDS, 4, 4, 0,
              "t.scn:9: expect b ok when records<=2: holds in 4 cells");
        check("expect b fails when records>=3", &m, EXPECT_HOLDS, 4, 4, 0,
              "t.scn:9: expect b fails when records>=3: holds in 4 cells");
        check("expect b ok", &m, EXPECT_FAILED, 8, 8, 4,
              "t.scn:9: expect b ok: fails in 4 of 8 cells, first b www.example.com A records=3 "
              "truncation=tc-empty: nxdomain, udp 34 bytes");
        check("expect every client ok when records<=2", &m, EXPECT_HOLDS, 12, 8, 0,
              "t.scn:9: expect every client ok when records<=2: holds in 8 cells");
        check("expect every client ok when records<3 and qname=cdn.example.com", &m,
              EXPECT_HOLDS, 6, 4, 0,
              "t.scn:9: expect every client ok when records<3 and qname=cdn.example.com: holds "
              "in 4 cells");
        check("expect clients=a,b verdict=ok,nxdomain path=udp when qname=cdn.example.com", &m,
              EXPECT_FAILED, 8, 8, 2,
              "t.scn:9: expect clients=a,b verdict=ok,nxdomain path=udp when "
              "qname=cdn.example.com: fails in 2 of 8 cells, first a cdn.example.com A records=3 "
              "truncation=tc-empty: ok, udp+tcp 530 bytes");
        check("expect a ok path=udp+tcp when records>2", &m, EXPECT_HOLDS, 4, 4, 0,
              "t.scn:9: expect a ok path=udp+tcp when records>2: holds in 4 cells");
        check("expect b verdict=nxdomain when records!=1,2 qname=www.example.com.", &m,
              EXPECT_HOLDS, 2, 2, 0,
              "t.scn:9: expect b verdict=nxdomain when records!=1,2 qname=www.example.com.: "
              "holds in 2 cells");
        check("expect a ok when qtype=a truncation=tc-empty", &m, EXPECT_HOLDS, 8, 8, 0,
              "t.scn:9: expect a ok when qtype=a truncation=tc-empty: holds in 8 cells");
        /* skipped cells never satisfy or violate */
        check("expect c ok", &m, EXPECT_NOT_CHECKED, 8, 0, 0,
              "t.scn:9: expect c ok: not checked: all 8 matching cells skipped");
        check("expect c fails", &m, EXPECT_NOT_CHECKED, 8, 0, 0,
              "t.scn:9: expect c fails: not checked: all 8 matching cells skipped");
        /* a claim about nothing is a failure */
        check("expect a ok when truncation=cut", &m, EXPECT_NO_CELL, 0, 0, 0,
              "t.scn:9: expect a ok when truncation=cut: matched no cell");
        check("expect every client ok when records>4", &m, EXPECT_NO_CELL, 0, 0, 0,
              "t.scn:9: expect every client ok when records>4: matched no cell");
        /* ... unless its clients were not run */
        check("expect d ok", &m, EXPECT_NOT_CHECKED, 0, 0, 0,
              "t.scn:9: expect d ok: not checked: its client is not in this run");
        check("expect clients=d,e ok", &m, EXPECT_NOT_CHECKED, 0, 0, 0,
              "t.scn:9: expect clients=d,e ok: not checked: none of its clients is in this run");
        /* ... or the matrix is one shard */
        m.ncells = 18;
        check("expect a ok when records=4", &m, EXPECT_NOT_CHECKED, 0, 0, 0,
              "t.scn:9: expect a ok when records=4: not checked: no matching cell among the 18 "
              "of 24 cells of this run");
        check("expect b ok", &m, EXPECT_FAILED, 6, 6, 2,
              "t.scn:9: expect b ok: fails in 2 of 6 cells, first b www.example.com A records=3 "
              "truncation=tc-empty: nxdomain, udp 34 bytes");
        m.ncells = 24;
        matrix_free(&m);
}

/* ---------------------------------------------------------------- baselines */

/* dst: a copy of src with texts of its own. */
static void copy_matrix(struct matrix *dst, const struct matrix *src)
{
        memset(dst, 0, sizeof(*dst));
        memcpy(dst->suite, src->suite, sizeof(dst->suite));
        memcpy(dst->scenario, src->scenario, sizeof(dst->scenario));
        dst->complete = src->complete;
        dst->total = src->total;
        memcpy(dst->axes, src->axes, sizeof(dst->axes));
        dst->naxes = src->naxes;
        CU_ASSERT_FATAL(matrix_reserve(dst, src->ncells) == 0);
        for (size_t i = 0; i < src->ncells; i++) {
                struct matrix_cell *c = matrix_add_cell(dst);
                CU_ASSERT_FATAL(c && matrix_cell_copy(dst, c, &src->cells[i]) == 0);
        }
}

/* The index of base for a run with m's axes. */
static void index_of(struct baseline_index *ix, const struct matrix *base, const struct matrix *m)
{
        const char *axes[MATRIX_MAX_AXES];
        for (size_t a = 0; a < m->naxes; a++)
                axes[a] = m->axes[a];
        CU_ASSERT_FATAL(baseline_index_of_matrix(ix, base, axes, m->naxes) == 0);
}

/* The axes of base in the other order, values moved along. */
static void swap_axes(struct matrix *m)
{
        char tmp[32];
        memcpy(tmp, m->axes[0], sizeof(tmp));
        memcpy(m->axes[0], m->axes[1], sizeof(tmp));
        memcpy(m->axes[1], tmp, sizeof(tmp));
        for (size_t i = 0; i < m->ncells; i++) {
                const char *swapped[2] = { m->cells[i].values[1], m->cells[i].values[0] };
                CU_ASSERT_FATAL(matrix_cell_set_values(m, &m->cells[i], swapped) == 0);
        }
}

static void test_regressions(void)
{
        struct matrix base, now;
        struct regression *regs;
        char msg[1024];

        build_matrix(&base);
        copy_matrix(&now, &base);
        now.cells[1].verdict = VERDICT_TIMEOUT;         /* b www 1: ok -> timeout */
        snprintf(now.cells[1].reason, sizeof(now.cells[1].reason), "deadline");
        snprintf(now.cells[1].path, sizeof(now.cells[1].path), "none");
        now.cells[3].verdict = VERDICT_SKIPPED;         /* a cdn 1: ok -> skipped: not blamed */
        now.cells[7].verdict = VERDICT_HARNESS_ERROR;   /* b www 2: ok -> harness-error */
        now.cells[13].verdict = VERDICT_OK;             /* b www 3: nxdomain -> ok */
        now.cells[2].verdict = VERDICT_ERROR;           /* c www 1: skipped -> error */
        now.cells[22].verdict = VERDICT_PARTIAL;        /* b cdn 4: nxdomain -> partial */
        swap_axes(&base);                               /* cells match by name, not order */

        struct baseline_index ix;
        index_of(&ix, &base, &now);
        CU_ASSERT_EQUAL_FATAL(baseline_regressions(&ix, &now, &regs), 1);
        baseline_index_free(&ix);
        CU_ASSERT_EQUAL(regs[0].cell, 1);
        CU_ASSERT_EQUAL(regs[0].base_cell, 1);
        regression_message("base.json", &now, &regs[0], msg, sizeof(msg));
        CU_ASSERT_STRING_EQUAL(msg, "regression: b www.example.com A records=1 "
                               "truncation=tc-empty: ok in base.json, now timeout deadline, none");
        free(regs);

        /* a cell missing from the baseline is not compared */
        base.ncells = 0;
        index_of(&ix, &base, &now);
        CU_ASSERT_EQUAL(baseline_regressions(&ix, &now, &regs), 0);
        CU_ASSERT_PTR_NULL(regs);
        baseline_index_free(&ix);
        base.ncells = 24;
        matrix_free(&base);
        matrix_free(&now);
}

static void test_baseline_compatible(void)
{
        struct matrix base;
        const char *axes[] = { "truncation", "records" };
        char err[256];

        build_matrix(&base);
        CU_ASSERT_EQUAL(baseline_compatible(&base, "b.json", "t", axes, 2, err, sizeof(err)), 0);
        CU_ASSERT_EQUAL(baseline_compatible(&base, "b.json", "u", axes, 2, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "b.json: expected a matrix of suite \"u\", got \"t\"");
        CU_ASSERT_EQUAL(baseline_compatible(&base, "b.json", "t", axes + 1, 1, err, sizeof(err)), -1);
        CU_ASSERT_STRING_EQUAL(err, "b.json: expected the axes of this run (records), got "
                               "(records, truncation)");
        matrix_free(&base);
}

/* The index read from a file cell by cell finds what the index of the whole
 * matrix finds: the first cell in file order of each key, by axis name. */
static void test_baseline_index_read(void)
{
        struct matrix base, now;
        struct baseline_index whole, read;
        struct strbuf json;
        char path[] = "/tmp/stubcompat-test-baseline-XXXXXX", err[512];
        const char *axes[MATRIX_MAX_AXES];

        build_matrix(&base);
        copy_matrix(&now, &base);
        base.cells[5] = base.cells[4];          /* a key twice: the first in file order, 4, counts */
        base.cells[5].verdict = base.cells[4].verdict == VERDICT_OK ? VERDICT_NXDOMAIN : VERDICT_OK;
        swap_axes(&base);
        for (size_t a = 0; a < now.naxes; a++)
                axes[a] = now.axes[a];
        strbuf_init(&json);
        matrix_json_write(&base, &json);
        int fd = mkstemp(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, json.data, json.len) == (ssize_t)json.len);
        close(fd);

        index_of(&whole, &base, &now);
        CU_ASSERT_EQUAL_FATAL(baseline_index_read(path, false, "t", axes, now.naxes, &read, err,
                                                  sizeof(err)), 0);
        CU_ASSERT_EQUAL(read.cells, base.ncells);
        CU_ASSERT_EQUAL(read.n, base.ncells);
        size_t found = 0;
        for (size_t i = 0; i < now.ncells; i++) {
                const struct baseline_entry *a = baseline_index_find(&whole, &now.cells[i]);
                const struct baseline_entry *b = baseline_index_find(&read, &now.cells[i]);
                if (i == 5) {           /* its key is no longer in the baseline */
                        CU_ASSERT(!a && !b);
                        continue;
                }
                CU_ASSERT_FATAL(a && b);
                CU_ASSERT_EQUAL(a->cell, b->cell);
                CU_ASSERT_EQUAL(a->ok, b->ok);
                CU_ASSERT_EQUAL(b->ok, base.cells[b->cell].verdict == VERDICT_OK);
                found += b->cell == i;
        }
        CU_ASSERT_EQUAL(found, now.ncells - 1);         /* all but cell 5, now a copy of 4 */
        baseline_index_free(&read);
        baseline_index_free(&whole);

        /* checked as input and as this run's baseline */
        CU_ASSERT_EQUAL(baseline_index_read(path, false, "u", axes, now.naxes, &read, err,
                                            sizeof(err)), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected a matrix of suite \"u\", got \"t\""));
        CU_ASSERT_PTR_NULL(read.entries);
        base.complete = false;
        strbuf_free(&json);
        strbuf_init(&json);
        matrix_json_write(&base, &json);
        fd = open(path, O_WRONLY | O_TRUNC);
        CU_ASSERT_FATAL(fd >= 0 && write(fd, json.data, json.len) == (ssize_t)json.len);
        close(fd);
        CU_ASSERT_EQUAL(baseline_index_read(path, false, "t", axes, now.naxes, &read, err,
                                            sizeof(err)), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "(24 of 24 cells)"));
        /* a run axis the baseline lacks: nothing matches */
        index_of(&whole, &base, &now);
        CU_ASSERT_PTR_NOT_NULL(baseline_index_find(&whole, &now.cells[0]));
        baseline_index_free(&whole);
        snprintf(now.axes[1], sizeof(now.axes[1]), "ttl");
        index_of(&whole, &base, &now);
        CU_ASSERT_EQUAL(whole.n, 0);
        CU_ASSERT_PTR_NULL(baseline_index_find(&whole, &now.cells[0]));
        baseline_index_free(&whole);

        unlink(path);
        strbuf_free(&json);
        matrix_free(&base);
        matrix_free(&now);
}

/* ---------------------------------------------------------------- the gate's output */

static char *gate_output(const struct scenario *sc, const struct matrix *base,
                         const char *base_name, const struct matrix *m, enum gate_format format,
                         bool quiet, int *ret)
{
        struct gate_result r;
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        struct baseline_index ix = { 0 };
        if (base)
                index_of(&ix, base, m);
        CU_ASSERT_EQUAL_FATAL(gate_evaluate(sc, base ? &ix : NULL, base_name, m, &r), 0);
        baseline_index_free(&ix);
        gate_print(&r, m->suite, format, quiet, f);
        *ret = r.status;
        gate_result_free(&r);
        fclose(f);
        return buf;
}

static void test_gate_lines(void)
{
        struct matrix m, base;
        char err[512];
        int ret;
        struct scenario *sc = load("expect a ok\n"
                                   "expect b ok\n"
                                   "expect c ok\n"
                                   "expect a ok when truncation=cut", err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        build_matrix(&m);
        copy_matrix(&base, &m);
        base.cells[13].verdict = VERDICT_OK;

        char *out = gate_output(sc, NULL, NULL, &m, GATE_FORMAT_TEXT, false, &ret);
        CU_ASSERT_EQUAL(ret, 1);
        CU_ASSERT_STRING_EQUAL(out,
                "t.scn:10: expect b ok: fails in 4 of 8 cells, first b www.example.com A records=3 "
                "truncation=tc-empty: nxdomain, udp 34 bytes\n"
                "t.scn:12: expect a ok when truncation=cut: matched no cell\n"
                "note: t.scn:11: expect c ok: not checked: all 8 matching cells skipped\n"
                "t: 1 of 4 expectations hold, 2 failed, 1 not checked; no baseline\n");
        free(out);

        /* GitHub: one annotation per failed check with file= and line=, sorted by
         * line; regressions grouped per (client, query) at the query's line */
        out = gate_output(sc, &base, "100%/matrix.json", &m, GATE_FORMAT_GITHUB, true, &ret);
        CU_ASSERT_EQUAL(ret, 1);
        CU_ASSERT_STRING_EQUAL(out,
                "::error file=t.scn,line=5,title=stubcompat::t.scn:5: 1 of 4 cells regressed, "
                "first regression: b www.example.com A records=3 truncation=tc-empty: ok in "
                "100%25/matrix.json, now nxdomain, udp 34 bytes\n"
                "::error file=t.scn,line=10,title=stubcompat::t.scn:10: expect b ok: fails in 4 "
                "of 8 cells, first b www.example.com A records=3 truncation=tc-empty: nxdomain, "
                "udp 34 bytes\n"
                "::error file=t.scn,line=12,title=stubcompat::t.scn:12: expect a ok when "
                "truncation=cut: matched no cell\n");
        free(out);

        /* everything holds: exit status 0 and a summary line */
        out = gate_output(NULL, &m, "same.json", &m, GATE_FORMAT_TEXT, false, &ret);
        CU_ASSERT_EQUAL(ret, 0);
        CU_ASSERT_STRING_EQUAL(out, "t: no expectations; 0 cells regressed in 0 (client, query) "
                               "groups against same.json\n");
        free(out);

        /* nothing to check: nothing printed */
        out = gate_output(NULL, NULL, NULL, &m, GATE_FORMAT_TEXT, false, &ret);
        CU_ASSERT_EQUAL(ret, 0);
        CU_ASSERT_STRING_EQUAL(out, "");
        free(out);

        CU_ASSERT_EQUAL(gate_format_from_string("github"), GATE_FORMAT_GITHUB);
        CU_ASSERT_EQUAL(gate_format_from_string("text"), GATE_FORMAT_TEXT);
        CU_ASSERT_EQUAL(gate_format_from_string("junit"), GATE_FORMAT_INVALID);
        matrix_free(&m);
        matrix_free(&base);
        scenario_free(sc);
}

/* Many failures: GATE_ANNOTATIONS_MAX annotations, then one notice with the rest. */
static void test_gate_annotation_cap(void)
{
        struct matrix m;
        char err[512], lines[2048] = "";
        int ret;
        size_t o = 0;

        for (int i = 0; i < 14; i++)
                o += (size_t)snprintf(lines + o, sizeof(lines) - o, "expect b ok when records=%d%s",
                                      1 + i % 4, i < 13 ? "\n" : "");
        struct scenario *sc = load(lines, err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        build_matrix(&m);
        char *out = gate_output(sc, NULL, NULL, &m, GATE_FORMAT_GITHUB, true, &ret);
        CU_ASSERT_EQUAL(ret, 1);
        size_t errors = 0, notices = 0;
        for (const char *p = out; (p = strstr(p, "::")) != NULL; p++) {
                errors += strncmp(p, "::error ", 8) == 0;
                notices += strncmp(p, "::notice ", 9) == 0;
        }
        /* records=3 and 4 fail for b: 6 of the 14 lines */
        CU_ASSERT_EQUAL(errors, 6);
        CU_ASSERT_EQUAL(notices, 0);
        free(out);
        scenario_free(sc);
        sc = NULL;
        o = 0;
        for (int i = 0; i < 14; i++)
                o += (size_t)snprintf(lines + o, sizeof(lines) - o, "expect b ok when records=%d%s",
                                      3 + i % 2, i < 13 ? "\n" : "");
        sc = load(lines, err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        out = gate_output(sc, NULL, NULL, &m, GATE_FORMAT_GITHUB, true, &ret);
        errors = notices = 0;
        for (const char *p = out; (p = strstr(p, "::")) != NULL; p++) {
                errors += strncmp(p, "::error ", 8) == 0;
                notices += strncmp(p, "::notice ", 9) == 0;
        }
        CU_ASSERT_EQUAL(errors, GATE_ANNOTATIONS_MAX);
        CU_ASSERT_EQUAL(notices, 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "::notice title=stubcompat::4 more failed checks"));
        /* sorted by line: the first annotation is line 9 */
        CU_ASSERT_EQUAL(strncmp(out, "::error file=t.scn,line=9,", 26), 0);
        free(out);
        matrix_free(&m);
        scenario_free(sc);
}

/* ---------------------------------------------------------------- answer sizes */

/* Sizes come from the one encoder: 12 header + 21 question + 16 per A record
 * for www.example.com; and only for a matrix whose points are the scenario's. */
static void test_answer_sizes(void)
{
        struct matrix m;
        struct answer_sizes sizes;
        char err[512], line[512];
        struct scenario *sc = load("", err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        build_matrix(&m);

        /* build_matrix numbers points 0..3, the scenario (records x truncation) 0..7:
         * the values of point 1 disagree, so no size is claimed */
        CU_ASSERT_EQUAL(answer_sizes_compute(sc, &m, &sizes), 0);
        CU_ASSERT_EQUAL(sizes.npoints, 0);
        CU_ASSERT_EQUAL(answer_sizes_get(&sizes, 0, "www.example.com", "A"), -1);
        answer_sizes_free(&sizes);

        for (size_t i = 0; i < m.ncells; i++)
                m.cells[i].point *= 2;          /* records=r, truncation=tc-empty */
        CU_ASSERT_EQUAL(answer_sizes_compute(sc, &m, &sizes), 0);
        for (long r = 1; r <= 4; r++)
                CU_ASSERT_EQUAL(answer_sizes_get(&sizes, (size_t)(r - 1) * 2, "www.example.com",
                                                 "A"), 12 + 21 + 16 * r);
        CU_ASSERT_EQUAL(answer_sizes_get(&sizes, 0, "www.example.com", "AAAA"), -1);
        CU_ASSERT_EQUAL(answer_sizes_get(&sizes, 99, "www.example.com", "A"), -1);

        /* breaking points read with the sizes: b breaks at records=3 */
        struct breaking_point *bps;
        size_t n = breaking_compute(&m, &bps);
        bool seen_b = false;
        for (size_t i = 0; i < n; i++) {
                if (strcmp(bps[i].client, "b") != 0 || strcmp(bps[i].qname, "www.example.com") != 0)
                        continue;
                breaking_describe(&m, &bps[i], &sizes, line, sizeof(line));
                CU_ASSERT_STRING_EQUAL(line, "records <= 2 (65 bytes); 3 (81 bytes): nxdomain, "
                                       "udp 34 bytes");
                seen_b = true;
        }
        CU_ASSERT_TRUE(seen_b);
        /* c's cells are all skipped: said once, never "ok for" */
        for (size_t i = 0; i < n; i++)
                if (strcmp(bps[i].client, "c") == 0) {
                        breaking_describe(&m, &bps[i], &sizes, line, sizeof(line));
                        CU_ASSERT_EQUAL(strncmp(line, "skipped: ", 9), 0);
                }
        free(bps);
        answer_sizes_free(&sizes);
        matrix_free(&m);
        scenario_free(sc);
}

static const struct test_case sizes_tests[] = {
        { "from the encoder, only for the scenario's points", test_answer_sizes },
        { NULL, NULL },
};

static const struct test_case parse_tests[] = {
        { "every error names its column", test_parse_errors },
        { "what a line stores", test_parse_stores },
        { "the shipped mixpanel-2016 expectations load", test_shipped_mixpanel },
        { NULL, NULL },
};

static const struct test_case evaluate_tests[] = {
        { "holds, fails, no cell, not checked", test_evaluate },
        { NULL, NULL },
};

static const struct test_case baseline_tests[] = {
        { "regressions by client, query and params", test_regressions },
        { "a baseline of another suite or axes", test_baseline_compatible },
        { "an index read cell by cell", test_baseline_index_read },
        { NULL, NULL },
};

static const struct test_case output_tests[] = {
        { "text and GitHub lines, exit status", test_gate_lines },
        { "at most GATE_ANNOTATIONS_MAX annotations", test_gate_annotation_cap },
        { NULL, NULL },
};

static const struct test_suite suites[] = {
        { "parse", parse_tests },
        { "evaluate", evaluate_tests },
        { "baseline", baseline_tests },
        { "output", output_tests },
        { "sizes", sizes_tests },
        { NULL, NULL },
};

int main(int argc, char **argv)
{
        return test_main(argc, argv, "gate", suites);
}
