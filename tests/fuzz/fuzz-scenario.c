/* Fuzz target: scenario_parse on the bytes as text (a NUL-terminated copy).
 * A scenario that parses is also expanded: its first and last points'
 * parameters, and for small zones the zone and every query's answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/zone/answer.h"
#include "harness/zone/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Builds point i's zone and answers when it stays small enough to be quick. */
static void expand_point(const struct scenario *sc, size_t i)
{
        struct point_params p;
        struct zone *z;
        char err[512];

        scenario_point_params(sc, i, &p);
        size_t records = (size_t)p.records * sc->ngrows;
        if (records > 2000 || records * ((size_t)p.txt_bytes + 16) > 1000000)
                return;
        z = scenario_build_zone(sc, &p, err, sizeof(err));
        if (!z)
                return;
        for (size_t q = 0; q < sc->nqueries; q++) {
                int types[2] = { sc->queries[q].qtype, -1 };
                if (sc->queries[q].qtype == QTYPE_ADDR)
                        types[0] = 1, types[1] = 28;
                for (int t = 0; t < 2 && types[t] >= 0; t++)
                        answer_free(answer_build(z, &p, sc->queries[q].name,
                                                 sc->queries[q].name_len, (uint16_t)types[t]));
        }
        zone_free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);
        struct scenario *sc = NULL;
        char err[1024];
        size_t n;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (scenario_parse("fuzz.scn", text, &sc, err, sizeof(err)) < 0) {
                /* every error names the file and a line */
                if (sc || strncmp(err, "fuzz.scn:", 9) != 0)
                        abort();
                free(text);
                return 0;
        }
        n = scenario_point_count(sc);
        if (n == 0 || sc->nqueries == 0)
                abort();
        expand_point(sc, 0);
        if (n > 1)
                expand_point(sc, n - 1);
        scenario_free(sc);
        free(text);
        return 0;
}
