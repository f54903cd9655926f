/* Helpers shared by the wire, scenario and render tests: names from text,
 * hand-built queries and the shipped mixpanel-2016 scenario as a point.
 * Header-only (static inline) so that each test program stays one file in
 * tests/meson.build. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "harness/wire/reader.h"
#include "harness/wire/writer.h"
#include "harness/zone/point.h"
#include "harness/zone/scenario.h"
#include "tests/common/testmain.h"

/* Wire form of a presentation name; fails the test when it does not parse. */
static inline size_t tname(const char *text, uint8_t out[DNS_NAME_MAX])
{
        size_t len = 0;
        int rc = wire_name_from_text(text, out, &len);
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        return len;
}

/* What a query looks like; zero fields are the usual values. */
struct tquery {
        uint16_t id;
        uint16_t flags;          /* DNS_FLAG_RD etc.; opcode bits included */
        const char *name;        /* presentation form */
        uint16_t qtype;          /* 0: A */
        uint16_t qclass;         /* 0: IN */
        uint16_t qdcount;        /* 0: 1 (use tquery_build_raw for others) */
        unsigned nopt;           /* OPT records in additional */
        uint16_t opt_size;
        uint8_t opt_version;
};

/* Builds the query with the wire writer, as dig would send it. Returns its length. */
static inline size_t tquery_build(const struct tquery *tq, uint8_t *buf, size_t cap)
{
        struct wire_writer w;
        struct dns_header h = { .id = tq->id, .flags = tq->flags, .qdcount = 1,
                                .arcount = (uint16_t)tq->nopt };
        uint8_t name[DNS_NAME_MAX];
        size_t nl = tname(tq->name, name);

        if (tq->qdcount)
                h.qdcount = tq->qdcount;
        wire_writer_init(&w, buf, cap, true);
        wire_write_header(&w, &h);
        for (unsigned i = 0; i < h.qdcount; i++)
                wire_write_question(&w, name, nl, tq->qtype ? tq->qtype : DNS_TYPE_A,
                                    tq->qclass ? tq->qclass : DNS_CLASS_IN);
        for (unsigned i = 0; i < tq->nopt; i++)
                wire_write_opt(&w, tq->opt_size, 0, tq->opt_version, 0);
        CU_ASSERT_EQUAL_FATAL(wire_writer_status(&w), 0);
        return w.len;
}

/* Walks a whole message. Returns the number of records, or -1 with the
 * reader's description in err. */
static inline int twalk(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
        struct wire_reader r;
        struct wire_question q;
        struct wire_rr rr;
        int got, n = 0;

        snprintf(err, errlen, "ok");
        if (wire_reader_init(&r, buf, len) < 0)
                goto fail;
        while ((got = wire_reader_question(&r, &q)) == 1)
                ;
        if (got < 0)
                goto fail;
        while ((got = wire_reader_rr(&r, &rr)) == 1)
                n++;
        if (got < 0 || wire_reader_finish(&r) < 0)
                goto fail;
        return n;
fail:
        wire_reader_describe_error(&r, err, errlen);
        return -1;
}

static inline uint16_t tget16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

/* Loads the shipped scenarios/mixpanel-2016.scn; fails the test when it does not load. */
static inline struct scenario *tload_mixpanel(void)
{
        char path[1024], err[512];
        struct scenario *sc = NULL;

        snprintf(path, sizeof(path), "%s/scenarios/mixpanel-2016.scn", test_source_dir());
        if (scenario_load(path, &sc, err, sizeof(err)) < 0)
                fprintf(stderr, "%s\n", err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
        return sc;
}

/* The mixpanel-2016 point with `records` A records (its sweep is records=1..64),
 * after `set` assignments such as "compression=off" (NULL-terminated). */
static inline struct point *tmixpanel_point(int records, const char *const *set)
{
        struct scenario *sc = tload_mixpanel();
        struct point_params p;
        struct point *pt;
        char err[256];

        CU_ASSERT_FATAL(records >= 1 && (size_t)records <= scenario_point_count(sc));
        scenario_point_params(sc, (size_t)records - 1, &p);
        CU_ASSERT_EQUAL_FATAL(p.records, records);
        for (size_t i = 0; set && set[i]; i++)
                CU_ASSERT_EQUAL_FATAL(params_set_assignment(&p, set[i], err, sizeof(err)), 0);
        pt = point_new(sc, (size_t)records - 1, &p, err, sizeof(err));
        scenario_free(sc);
        CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
        return pt;
}

/* The point's answer for a presentation name. */
static inline const struct answer *tanswer(struct point *pt, const char *name, uint16_t qtype)
{
        uint8_t n[DNS_NAME_MAX];
        size_t nl = tname(name, n);
        const struct answer *a = point_answer(pt, n, nl, qtype);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        return a;
}
