/* Fuzz target: the fake server's query handling (server_handle_query) on a
 * fixed point, mixpanel-2016 at records=30, over UDP and TCP. The query id
 * picks the point's truncation, EDNS mode, compression and UDP cap
 * (fuzz-config.h), so one corpus reaches every reply variant. Checks each reply: it carries the
 * query's id with QR set and parses cleanly, unless it was cut on purpose
 * (then it is exactly as long as the limit), and over UDP it fits a limit of
 * 512 or more unless truncation=overflow. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/server/query.h"
#include "harness/server/server.h"
#include "harness/wire/reader.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/fuzz/fuzz-config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCENARIO STUBCOMPAT_SOURCE_ROOT "/scenarios/mixpanel-2016.scn"
#define RECORDS 30

static struct point *the_point(void)
{
        static struct point *pt;
        struct scenario *sc;
        struct point_params p;
        char err[512];

        if (pt)
                return pt;
        if (scenario_load(SCENARIO, &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                abort();
        }
        scenario_point_params(sc, RECORDS - 1, &p);
        pt = point_new(sc, RECORDS - 1, &p, err, sizeof(err));
        scenario_free(sc);
        if (!pt || pt->params.records != RECORDS)
                abort();
        return pt;
}

static bool reply_parses(const uint8_t *buf, size_t len)
{
        struct wire_reader r;
        struct wire_question q;
        struct wire_rr rr;
        int got;

        if (wire_reader_init(&r, buf, len) < 0)
                return false;
        while ((got = wire_reader_question(&r, &q)) == 1)
                ;
        while (got >= 0 && (got = wire_reader_rr(&r, &rr)) == 1)
                ;
        return got == 0 && wire_reader_finish(&r) == 0;
}

static void check_reply(const struct point *pt, const uint8_t *query, size_t qlen,
                        enum transport t, const uint8_t *out, size_t n,
                        const struct server_exchange *x)
{
        static const enum truncation cut[] = { TRUNCATION_CUT, TRUNCATION_CUT_NOTC };
        struct query_info qi;
        enum query_status st = query_parse(query, qlen, &qi);
        bool was_cut = t == TRANSPORT_UDP && x->note &&
                       (pt->params.truncation == cut[0] || pt->params.truncation == cut[1]);

        if (n == 0) {
                if (st != QUERY_DROP && x->note == NULL)
                        abort();  /* an answerable query got nothing, and no reason */
                return;
        }
        if (st == QUERY_DROP)
                abort();
        if (was_cut) {
                /* cut exactly at the limit, however small a cap makes it */
                if (n != render_udp_limit(&pt->params, &qi))
                        abort();
                return;
        }
        if (n < 12 || memcmp(out, query, 2) != 0 || !(out[2] & 0x80) || !reply_parses(out, n))
                abort();
        if (t == TRANSPORT_UDP && st == QUERY_OK &&
            pt->params.truncation != TRUNCATION_OVERFLOW) {
                size_t limit = render_udp_limit(&pt->params, &qi);
                if (limit >= 512 && n > limit)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static uint8_t out[65535 + 64];
        struct point *pt = the_point();

        fuzz_configure(&pt->params, size >= 2 ? (unsigned)(data[0] << 8 | data[1]) : 0);
        for (int t = 0; t < TRANSPORT_MAX; t++) {
                struct server_exchange x;
                size_t n;
                memset(&x, 0, sizeof(x));
                n = server_handle_query(pt, data, size, (enum transport)t, out, sizeof(out), &x);
                if (n > sizeof(out) || n != x.reply_bytes)
                        abort();
                check_reply(pt, data, size, (enum transport)t, out, n, &x);
        }
        /* every input starts from an empty answer cache: reproducible, bounded memory */
        answer_cache_clear(&pt->answers);
        return 0;
}
