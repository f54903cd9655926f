#include "harness/report/explain.h"
#include "harness/report/explain-summary.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The facts of one cell the sentences are made of. */
struct facts {
        const struct matrix_cell *c;
        const struct profile *p;
        char who[192];
        bool udp, tcp, tc;
        long ub, tb;                    /* reply sizes, -1: none */
        int recv;                       /* bytes of a datagram the client reads */
        char usize[32];                 /* "34-byte " for the UDP reply; "" when the cell
                                         * had several (A and AAAA) and the record keeps
                                         * only the last one's size */
        char sizes[96];                 /* "a 34-byte UDP reply, then 514 bytes over TCP" */
        char expected[40];              /* " (29 expected)", or "" when the count is unknown */
};

void explain_who(const struct explain_client *who, char *buf, size_t len)
{
        const char *s = who->stands_for;
        if (s && *s) {
                size_t n = strcspn(s, ":");
                while (n > 0 && s[n - 1] == ' ')
                        n--;
                snprintf(buf, len, "%.*s", (int)n, s);
        } else {
                snprintf(buf, len, "%s", who->name ? who->name : "the client");
        }
}

static void describe_sizes(struct facts *f)
{
        if (f->ub >= 0 && f->tb >= 0)
                snprintf(f->sizes, sizeof(f->sizes), "a %ld-byte UDP reply%s, then %ld bytes over TCP",
                         f->ub, f->tc ? " with TC=1" : "", f->tb);
        else if (f->ub >= 0)
                snprintf(f->sizes, sizeof(f->sizes), "a %ld-byte UDP reply%s", f->ub,
                         f->tc ? " with TC=1" : "");
        else if (f->tb >= 0)
                snprintf(f->sizes, sizeof(f->sizes), "a %ld-byte TCP reply", f->tb);
        else
                snprintf(f->sizes, sizeof(f->sizes), "no reply from the server");
}

static bool udp_only(const struct facts *f)
{
        return f->p && f->p->transport == PROFILE_TRANSPORT_UDP_ONLY;
}

/* "28 of 29 addresses" (records for other types). */
static void counted(const struct facts *f, char *buf, size_t len)
{
        const char *what = strcmp(f->c->qtype, "A") == 0 || strcmp(f->c->qtype, "AAAA") == 0 ||
                           strcmp(f->c->qtype, "ADDR") == 0 ? "addresses" : "records";
        snprintf(buf, len, "%zu of %zu %s", f->c->addresses, f->c->expected, what);
}

static void explain_timeout(const struct facts *f, char *buf, size_t len)
{
        if (f->p && f->p->oversize == PROFILE_OVERSIZE_DROP && f->ub > f->recv)
                snprintf(buf, len, "%s drops replies over %d bytes: the %ld-byte reply was "
                         "discarded and the lookup timed out", f->who, f->recv, f->ub);
        else if (f->tcp && f->tb < 0)
                snprintf(buf, len, "%s %s, but no TCP reply came back: the lookup timed out",
                         f->who, f->tc ? "saw TC=1 and retried over TCP" : "asked over TCP");
        else if (f->udp && f->ub < 0 && !f->tcp)
                snprintf(buf, len, "%s got no UDP reply (the server sent none): the lookup timed out",
                         f->who);
        else
                snprintf(buf, len, "%s timed out after %s (%s)", f->who, f->sizes, f->c->detail);
}

static void explain_partial(const struct facts *f, char *buf, size_t len)
{
        char n[64];
        counted(f, n, sizeof(n));
        if (udp_only(f) && f->p->oversize == PROFILE_OVERSIZE_CUT && f->ub > f->recv)
                snprintf(buf, len, "%s has no TCP fallback and read only the first %d bytes of "
                         "the %ld-byte reply: %s", f->who, f->recv, f->ub, n);
        else if (f->tc && !f->tcp && f->p &&
                 (f->p->tc == PROFILE_TC_USE || f->p->tc == PROFILE_TC_USE_IF_ANSWERS))
                snprintf(buf, len, "%s ignores TC=1 and has no TCP fallback: it kept what the "
                         "truncated %sreply held: %s", f->who, f->usize, n);
        else if (f->p && f->p->max_addresses > 0 && f->c->addresses == (size_t)f->p->max_addresses)
                snprintf(buf, len, "%s keeps at most %d address%s: %s", f->who,
                         f->p->max_addresses, f->p->max_addresses == 1 ? "" : "es", n);
        else
                snprintf(buf, len, "%s returned %s after %s", f->who, n, f->sizes);
}

/* The client retries over TCP on TC=1 (by its profile or its own words). */
static bool retries_tcp(const struct facts *f)
{
        return (f->p && f->p->transport == PROFILE_TRANSPORT_UDP_THEN_TCP &&
                f->p->tc == PROFILE_TC_RETRY_TCP) || strcmp(f->c->reason, "tcp-failed") == 0;
}

static void explain_empty(const struct facts *f, char *buf, size_t len)
{
        const char *said = f->c->verdict == VERDICT_NXDOMAIN ? "that the name does not exist"
                                                             : "that the name has no address";
        if (f->tc && !f->tcp && udp_only(f))
                snprintf(buf, len, "%s has no TCP fallback: the truncated %sreply held no "
                         "addresses, so it reported %s%s", f->who, f->usize, said, f->expected);
        else if (f->tc && !f->tcp && f->p && f->p->glibc_lame_rule)
                snprintf(buf, len, "%s took the empty TC=1 reply without RA and AA for a lame "
                         "server and never retried over TCP: it reported %s", f->who, said);
        else if (f->tc && f->tb < 0 && retries_tcp(f) && f->p &&
                 f->p->tcp_failure == PROFILE_TCP_FAILURE_USE_UDP)
                snprintf(buf, len, "%s saw TC=1 and retried over TCP, but the TCP connection "
                         "failed; it fell back to the truncated reply, which held no addresses, "
                         "and reported %s", f->who, said);
        else if (f->tc && !f->tcp)
                snprintf(buf, len, "%s did not retry the TC=1 reply over TCP and reported %s%s",
                         f->who, said, f->expected);
        else
                snprintf(buf, len, "%s reported %s after %s, though the answer holds %zu",
                         f->who, said, f->sizes, f->c->expected);
}

/* How a TCP connection ended, from the client's own words. */
static const char *tcp_fate(const char *detail)
{
        if (strcasestr(detail, "refused"))
                return "was refused";
        if (strcasestr(detail, "closed") || strcasestr(detail, "reset") || strcasestr(detail, "eof"))
                return "was closed before a reply";
        if (strcasestr(detail, "timed out") || strcasestr(detail, "timeout"))
                return "timed out";
        return "failed";
}

static void explain_error(const struct facts *f, char *buf, size_t len)
{
        const struct matrix_cell *c = f->c;
        if (strcmp(c->reason, "lame-server") == 0)
                snprintf(buf, len, "%s took the reply without RA and AA for a lame server (%s)",
                         f->who, c->detail);
        else if ((f->tcp && f->tb < 0) || (f->tc && !f->tcp && retries_tcp(f)))
                snprintf(buf, len, "%s %s, but the TCP connection %s%s (%s)", f->who,
                         f->tc ? "saw TC=1 and retried over TCP" : "asked over TCP",
                         tcp_fate(c->detail), f->tcp ? "" : ": no TCP query reached the server",
                         c->detail);
        else if (f->tc && !f->tcp && udp_only(f) && f->p->tc != PROFILE_TC_FAIL)
                snprintf(buf, len, "%s has no TCP fallback: the truncated %sreply held no "
                         "address it could use and the lookup failed (%s)", f->who, f->usize,
                         c->detail);
        else if (f->tc && !f->tcp && f->p && f->p->tc == PROFILE_TC_FAIL)
                snprintf(buf, len, "%s treats TC=1 as an error and has no TCP fallback: the "
                         "truncated %sreply failed the lookup", f->who, f->usize);
        else if (strcmp(c->reason, "servfail") == 0 || strcmp(c->reason, "refused") == 0 ||
                 strcmp(c->reason, "formerr") == 0 || strcmp(c->reason, "notimp") == 0)
                snprintf(buf, len, "%s got %s from the server and gave up", f->who, c->reason);
        else if (strcmp(c->reason, "badresp") == 0)
                snprintf(buf, len, "%s could not parse %s (%s)", f->who, f->sizes, c->detail);
        else
                snprintf(buf, len, "%s failed (%s) after %s: %s", f->who, c->reason, f->sizes,
                         c->detail);
}

bool explain_cell(const struct matrix_cell *c, const struct explain_client *who, char *buf,
                  size_t len)
{
        struct facts f = { .c = c, .p = who->profile };

        buf[0] = '\0';
        if (c->verdict == VERDICT_OK || c->verdict == VERDICT_SKIPPED)
                return false;
        explain_customer_name(who, f.who, sizeof(f.who));
        f.udp = c->udp_queries > 0;
        f.tcp = c->tcp_queries > 0;
        f.tc = c->tc_replies > 0;
        f.ub = c->udp_bytes;
        f.tb = c->tcp_bytes;
        f.recv = f.p && f.p->recv_buffer > 0 ? f.p->recv_buffer : 512;
        if (f.p && f.p->edns > f.recv)
                f.recv = f.p->edns;
        if (strcmp(c->qtype, "ADDR") != 0 && f.ub >= 0)
                snprintf(f.usize, sizeof(f.usize), "%ld-byte ", f.ub);
        describe_sizes(&f);
        if (c->expected)
                snprintf(f.expected, sizeof(f.expected), " (%zu expected)", c->expected);
        switch (c->verdict) {
        case VERDICT_TIMEOUT: explain_timeout(&f, buf, len); break;
        case VERDICT_PARTIAL: explain_partial(&f, buf, len); break;
        case VERDICT_NODATA:
        case VERDICT_NXDOMAIN: explain_empty(&f, buf, len); break;
        case VERDICT_ERROR: explain_error(&f, buf, len); break;
        case VERDICT_WRONG:
                snprintf(buf, len, "%s returned an address the server never sent (%zu returned, "
                         "%zu expected; %s)", f.who, c->addresses, c->expected, c->detail);
                break;
        case VERDICT_HARNESS_ERROR:
                snprintf(buf, len, "the harness could not run %s (not the client's fault): %s",
                         f.who, c->detail);
                break;
        default:
                snprintf(buf, len, "%s: %s after %s", f.who, verdict_to_string(c->verdict), f.sizes);
                break;
        }
        return true;
}
