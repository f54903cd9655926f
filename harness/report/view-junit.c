/* junit.xml: the gate of a run as a JUnit report, for CI test-report pages.
 *
 * JUnit is the gate: with a gate result, the test cases are what decided the
 * exit code, so a CI reporter turns red exactly when `run` exits non-zero.
 *
 *   <testsuites name=SUITE tests failures errors skipped time>
 *     <testsuite name="SUITE" ...>
 *       <testcase classname="SUITE.run" name="run: N cells">      harness-error
 *                                    cells or an incomplete run: <error>
 *       <testcase classname="SUITE.expect" name="line L: expect ..." time=S>
 *         held: empty; failed: <failure message="FILE:L: ..." type="expectation">;
 *         not checked (its cells skipped, or not in this run): <skipped>
 *       <testcase classname="SUITE.regression" name="no regression: CLIENT QNAME QTYPE" time=S>
 *         one per (client, query) with a baseline; <failure type="regression"> when
 *         a cell ok in the baseline is not ok now
 *
 * failures = failed expectations + regressed (client, query) groups: what
 * made `run` exit 1. The per-cell record is matrix.json; no cell is a
 * failure here unless an expectation or the baseline says so.
 *
 * Without a gate (reproduce, calibrate: commands whose exit code is about
 * the cells themselves), one testcase per cell, non-ok cells as <failure>.
 *
 * time attributes sum the cells' elapsed_ms: the only bytes that differ
 * between two equal runs. */
#include "harness/report/views.h"

#include <stdio.h>

#include "harness/report/gate.h"
#include "harness/report/merge.h"

struct junit_counts {
        size_t tests, failures, errors, skipped;
        long long tenths_ms;
};

static void junit_attr(struct strbuf *b, const char *name, const char *value)
{
        strbuf_printf(b, " %s=\"", name);
        view_xml_escape(b, value, 1);
        strbuf_puts(b, "\"");
}

static void junit_counts_attrs(struct strbuf *b, const struct junit_counts *n)
{
        strbuf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
                         "time=\"%.4f\"", n->tests, n->failures, n->errors, n->skipped,
                      (double)n->tenths_ms / 10000.0);
}

static void junit_open(const struct matrix *m, const struct junit_counts *n, struct strbuf *b)
{
        strbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        strbuf_puts(b, "<testsuites");
        junit_attr(b, "name", m->suite);
        junit_counts_attrs(b, n);
        strbuf_puts(b, ">\n  <testsuite");
        junit_attr(b, "name", m->suite);
        junit_counts_attrs(b, n);
        strbuf_puts(b, ">\n    <properties>\n      <property name=\"scenario\"");
        junit_attr(b, "value", m->scenario);
        strbuf_printf(b, "/>\n      <property name=\"complete\" value=\"%s\"/>\n"
                         "      <property name=\"cells\" value=\"%zu\"/>\n"
                         "      <property name=\"total\" value=\"%zu\"/>\n"
                         "      <property name=\"record\" value=\"matrix.json\"/>\n"
                         "    </properties>\n",
                      m->complete ? "true" : "false", m->ncells, m->total);
}

static void junit_close(struct strbuf *b)
{
        strbuf_puts(b, "  </testsuite>\n</testsuites>\n");
}

/* ---------------------------------------------------------------- the gate */

static void junit_run_case(const struct matrix *m, const struct gate_result *g,
                           double seconds, struct strbuf *b)
{
        char name[64], msg[160];
        size_t counts[VERDICT_MAX];

        matrix_count(m, NULL, counts);
        snprintf(name, sizeof(name), "run: %zu cells", m->ncells);
        strbuf_puts(b, "    <testcase classname=\"");
        view_xml_escape(b, m->suite, 1);
        strbuf_puts(b, ".run\"");
        junit_attr(b, "name", name);
        strbuf_printf(b, " time=\"%.4f\"", seconds);
        if (g->harness_errors == 0 && g->complete) {
                strbuf_puts(b, "/>\n");
                return;
        }
        if (!g->complete)
                snprintf(msg, sizeof(msg), "incomplete: %zu of %zu cells", m->ncells, m->total);
        else
                snprintf(msg, sizeof(msg), "%zu harness-error cells", g->harness_errors);
        strbuf_puts(b, ">\n      <error");
        junit_attr(b, "message", msg);
        junit_attr(b, "type", g->complete ? "harness-error" : "incomplete");
        strbuf_puts(b, "/>\n    </testcase>\n");
}

static void junit_check_case(const struct matrix *m, const struct gate_check *c,
                             struct strbuf *b)
{
        bool expectation = c->kind == GATE_CHECK_EXPECTATION;

        strbuf_puts(b, "    <testcase classname=\"");
        view_xml_escape(b, m->suite, 1);
        strbuf_puts(b, expectation ? ".expect\"" : ".regression\"");
        junit_attr(b, "name", c->name);
        strbuf_printf(b, " time=\"%.4f\"", c->seconds);
        switch (c->status) {
        case GATE_PASSED:
                strbuf_puts(b, "/>\n");
                return;
        case GATE_NOT_CHECKED:
                strbuf_puts(b, ">\n      <skipped");
                junit_attr(b, "message", c->message);
                strbuf_puts(b, "/>\n");
                break;
        case GATE_FAILED:
                strbuf_puts(b, ">\n      <failure");
                junit_attr(b, "message", c->message);
                junit_attr(b, "type", expectation ? "expectation" : "regression");
                strbuf_puts(b, ">");
                view_xml_escape(b, c->message, 0);
                strbuf_puts(b, "\n</failure>\n");
                break;
        }
        strbuf_puts(b, "    </testcase>\n");
}

static void junit_gate(const struct matrix *m, const struct gate_result *g, struct strbuf *b)
{
        struct junit_counts n = { .tests = 1 + g->nchecks };

        n.errors = g->harness_errors || !g->complete;
        for (size_t i = 0; i < g->nchecks; i++) {
                n.failures += g->checks[i].status == GATE_FAILED;
                n.skipped += g->checks[i].status == GATE_NOT_CHECKED;
        }
        for (size_t i = 0; i < m->ncells; i++)
                n.tenths_ms += matrix_cell_tenths_ms(&m->cells[i]);
        junit_open(m, &n, b);
        junit_run_case(m, g, (double)n.tenths_ms / 10000.0, b);
        for (size_t i = 0; i < g->nchecks; i++)
                junit_check_case(m, &g->checks[i], b);
        junit_close(b);
}

/* ---------------------------------------------------------------- cells */

/* The text of a <failure> or <error>: what the client said, what the server saw. */
static void junit_body(const struct matrix_cell *c, struct strbuf *b)
{
        char witness[192];

        view_witness(c, witness, sizeof(witness));
        strbuf_printf(b, "addresses %zu of %zu expected\nserver: ", c->addresses, c->expected);
        view_xml_escape(b, witness, 0);
        if (c->detail[0]) {
                strbuf_puts(b, "\ndetail: ");
                view_xml_escape(b, c->detail, 0);
        }
        strbuf_puts(b, "\n");
}

static void junit_cell_case(const struct matrix *m, const struct matrix_cell *c,
                            struct strbuf *b)
{
        char name[VIEW_LABEL_MAX + 300], point[VIEW_LABEL_MAX], message[64];
        const char *tag = c->verdict == VERDICT_HARNESS_ERROR ? "error" : "failure";

        view_point_label(m, c, point, sizeof(point));
        snprintf(name, sizeof(name), "%s %s %s", c->qname, c->qtype, point);
        snprintf(message, sizeof(message), "%s%s%s", verdict_to_string(c->verdict),
                 c->reason[0] ? " " : "", c->reason);
        strbuf_puts(b, "    <testcase");
        junit_attr(b, "classname", c->client);
        junit_attr(b, "name", name);
        strbuf_printf(b, " time=\"%.4f\"", (double)matrix_cell_tenths_ms(c) / 10000.0);
        if (c->verdict == VERDICT_OK) {
                strbuf_puts(b, "/>\n");
                return;
        }
        if (c->verdict == VERDICT_SKIPPED) {
                strbuf_puts(b, ">\n      <skipped");
                junit_attr(b, "message", c->reason[0] ? c->reason : c->detail);
                strbuf_puts(b, "/>\n    </testcase>\n");
                return;
        }
        strbuf_printf(b, ">\n      <%s", tag);
        junit_attr(b, "message", message);
        junit_attr(b, "type", verdict_to_string(c->verdict));
        strbuf_puts(b, ">");
        junit_body(c, b);
        strbuf_printf(b, "</%s>\n    </testcase>\n", tag);
}

static void junit_cells(const struct matrix *m, struct strbuf *b)
{
        struct junit_counts n = { .tests = m->ncells };

        for (size_t i = 0; i < m->ncells; i++) {
                enum verdict v = m->cells[i].verdict;
                n.skipped += v == VERDICT_SKIPPED;
                n.errors += v == VERDICT_HARNESS_ERROR;
                n.failures += v != VERDICT_OK && !verdict_is_unchecked(v);
                n.tenths_ms += matrix_cell_tenths_ms(&m->cells[i]);
        }
        junit_open(m, &n, b);
        for (size_t i = 0; i < m->ncells; i++)
                junit_cell_case(m, &m->cells[i], b);
        junit_close(b);
}

void view_junit_write(const struct matrix *m, const struct view_extras *x, struct strbuf *b)
{
        if (x && x->gate)
                junit_gate(m, x->gate, b);
        else
                junit_cells(m, b);
}
