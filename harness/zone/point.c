#include "harness/zone/point.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/replay/canned.h"


struct point *point_new(const struct scenario *sc, size_t index, const struct point_params *p,
                        char *err, size_t errlen)
{
        struct zone *z = scenario_build_zone(sc, p, err, errlen);
        struct point *pt;

        if (!z)
                return NULL;
        pt = point_from_zone(z, p);
        if (!pt) {
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        pt->index = index;
        pt->canned = sc->canned;
        if (pt->canned && canned_seed(pt->canned, &pt->answers) < 0) {
                point_free(pt);
                snprintf(err, errlen, "out of memory");
                return NULL;
        }
        return pt;
}

struct point *point_from_zone(struct zone *z, const struct point_params *p)
{
        struct point *pt = calloc(1, sizeof(*pt));
        if (!pt) {
                zone_free(z);
                return NULL;
        }
        pt->params = *p;
        pt->zone = z;
        pt->refs = 1;
        return pt;
}

struct point *point_ref(struct point *pt)
{
        pt->refs++;
        return pt;
}

void point_free(struct point *pt)
{
        if (!pt || --pt->refs > 0)
                return;
        answer_cache_clear(&pt->answers);
        zone_free(pt->zone);
        free(pt);
}

const struct answer *point_answer(struct point *pt, const uint8_t *qname, size_t qname_len,
                                  uint16_t qtype)
{
        return answer_cache_get(&pt->answers, pt->zone, &pt->params, qname, qname_len, qtype);
}

void point_describe(const struct scenario *sc, const struct point_params *p, char *buf,
                    size_t len)
{
        size_t o = 0;
        char v[64];

        buf[0] = '\0';
        if (sc) {
                for (size_t i = 0; i < sc->nsweeps && o < len; i++) {
                        params_get(p, sc->sweeps[i].key, v, sizeof(v));
                        o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "",
                                              sc->sweeps[i].key, v);
                }
                return;
        }
        for (size_t i = 0; i < params_key_count() && o < len; i++) {
                params_get(p, params_key_name(i), v, sizeof(v));
                o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "",
                                      params_key_name(i), v);
        }
}
