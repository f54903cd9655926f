/* junit.xml: the matrix as a JUnit report, for CI test-report pages.
 *
 * Note: a <failure> here means the CLIENT failed to resolve the name at that
 * scenario point (the finding stubcompat exists to record), not that the
 * harness failed. Only harness-error cells are <error>s, and skipped cells
 * (e.g. a real client the machine cannot run) are <skipped>.
 *
 *   <testsuites name=SUITE tests failures errors skipped>
 *     <testsuite name=SUITE ...same counts...>      one for the whole run
 *       <testcase classname=CLIENT name="QNAME QTYPE axis=value ...">
 *         ok             nothing inside: a pass
 *         skipped        <skipped message=REASON/>
 *         harness-error  <error message="harness-error REASON" type=harness-error>
 *         other          <failure message="VERDICT REASON" type=VERDICT>
 *       the <error>/<failure> text: detail, addresses and the server witness
 *
 * No time attributes: elapsed_ms is left out so equal runs give equal files. */
#include "harness/report/views.h"

#include <stdio.h>

struct junit_counts {
        size_t tests, failures, errors, skipped;
};

static void junit_count(const struct matrix *m, struct junit_counts *n)
{
        *n = (struct junit_counts){ .tests = m->ncells };
        for (size_t i = 0; i < m->ncells; i++) {
                switch (m->cells[i].verdict) {
                case VERDICT_OK: break;
                case VERDICT_SKIPPED: n->skipped++; break;
                case VERDICT_HARNESS_ERROR: n->errors++; break;
                default: n->failures++; break;
                }
        }
}

static void junit_attr(struct strbuf *b, const char *name, const char *value)
{
        strbuf_printf(b, " %s=\"", name);
        view_xml_escape(b, value, 1);
        strbuf_puts(b, "\"");
}

static void junit_counts_attrs(struct strbuf *b, const struct junit_counts *n)
{
        strbuf_printf(b, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
                      n->tests, n->failures, n->errors, n->skipped);
}

/* "error truncated", or the verdict alone when there is no reason. */
static void junit_message(const struct matrix_cell *c, char *buf, size_t len)
{
        snprintf(buf, len, "%s%s%s", verdict_to_string(c->verdict), c->reason[0] ? " " : "",
                 c->reason);
}

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

static void junit_case(const struct matrix *m, const struct matrix_cell *c, struct strbuf *b)
{
        char name[VIEW_LABEL_MAX + 300], point[VIEW_LABEL_MAX], message[64];

        view_point_label(m, c, point, sizeof(point));
        snprintf(name, sizeof(name), "%s %s %s", c->qname, c->qtype, point);
        junit_message(c, message, sizeof(message));
        strbuf_puts(b, "    <testcase");
        junit_attr(b, "classname", c->client);
        junit_attr(b, "name", name);
        switch (c->verdict) {
        case VERDICT_OK:
                strbuf_puts(b, "/>\n");
                return;
        case VERDICT_SKIPPED:
                strbuf_puts(b, ">\n      <skipped");
                junit_attr(b, "message", c->reason[0] ? c->reason : c->detail);
                strbuf_puts(b, "/>\n");
                break;
        case VERDICT_HARNESS_ERROR:
                strbuf_puts(b, ">\n      <error");
                junit_attr(b, "message", message);
                junit_attr(b, "type", verdict_to_string(c->verdict));
                strbuf_puts(b, ">");
                junit_body(c, b);
                strbuf_puts(b, "</error>\n");
                break;
        default:
                strbuf_puts(b, ">\n      <failure");
                junit_attr(b, "message", message);
                junit_attr(b, "type", verdict_to_string(c->verdict));
                strbuf_puts(b, ">");
                junit_body(c, b);
                strbuf_puts(b, "</failure>\n");
                break;
        }
        strbuf_puts(b, "    </testcase>\n");
}

void view_junit_write(const struct matrix *m, struct strbuf *b)
{
        struct junit_counts n;

        junit_count(m, &n);
        strbuf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        strbuf_puts(b, "<!-- stubcompat: a failure is a client that failed to resolve -->\n");
        strbuf_puts(b, "<testsuites");
        junit_attr(b, "name", m->suite);
        junit_counts_attrs(b, &n);
        strbuf_puts(b, ">\n  <testsuite");
        junit_attr(b, "name", m->suite);
        junit_counts_attrs(b, &n);
        strbuf_puts(b, ">\n    <properties>\n      <property name=\"scenario\"");
        junit_attr(b, "value", m->scenario);
        strbuf_printf(b, "/>\n      <property name=\"complete\" value=\"%s\"/>\n"
                         "      <property name=\"total\" value=\"%zu\"/>\n    </properties>\n",
                      m->complete ? "true" : "false", m->total);
        for (size_t i = 0; i < m->ncells; i++)
                junit_case(m, &m->cells[i], b);
        strbuf_puts(b, "  </testsuite>\n</testsuites>\n");
}
