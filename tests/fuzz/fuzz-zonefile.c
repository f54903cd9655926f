/* Fuzz target: the zone file loader (zonefile_read, what zonefile_load and
 * check-zone use) on the bytes written to a file, then on a zone that loads
 * check-zone's analysis: zonecheck_run at the default limits (512 without
 * EDNS, 1232 with), the report in every format and the summary.
 *
 * ldns reads text, but the loader takes a path ($INCLUDE is relative to the
 * file's folder), so the input goes to fuzz.zone in a private temp folder
 * that also holds inc.zone, a small file an $INCLUDE can name. Inputs that
 * could $INCLUDE a file outside that folder (a '/' anywhere with "include")
 * are skipped: /dev/zero or a FIFO would hang the fuzzer.
 *
 * Checks: a failed load has a message; a loaded zone has one source line per
 * record and a report whose counts add up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "harness/report/zonecheck.h"
#include "harness/util/strbuf.h"
#include "harness/zone/zonefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], zone_path[300];

static void write_file(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
                perror(path);
                abort();
        }
}

static void cleanup(void)
{
        char inc_path[300];
        snprintf(inc_path, sizeof(inc_path), "%s/inc.zone", dir);
        unlink(zone_path);
        unlink(inc_path);
        rmdir(dir);
}

static void setup(void)
{
        static const char inc[] = "$TTL 60\n"
                                  "inc IN A 192.0.2.7\n"
                                  "inc IN AAAA 2001:db8::7\n"
                                  "alias IN CNAME inc\n";
        char inc_path[300];
        const char *tmp = getenv("TMPDIR");

        snprintf(dir, sizeof(dir), "%s/fuzz-zonefile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
                perror(dir);
                abort();
        }
        snprintf(zone_path, sizeof(zone_path), "%s/fuzz.zone", dir);
        snprintf(inc_path, sizeof(inc_path), "%s/inc.zone", dir);
        write_file(inc_path, inc, sizeof(inc) - 1);
        atexit(cleanup);
}

/* True when the text could name a file outside the private folder. */
static bool may_escape(const uint8_t *data, size_t size)
{
        static const char word[] = "include";
        bool slash = memchr(data, '/', size) != NULL;

        if (!slash)
                return false;
        for (size_t i = 0; i + sizeof(word) - 1 <= size; i++)
                if (strncasecmp((const char *)data + i, word, sizeof(word) - 1) == 0)
                        return true;
        return false;
}

static void analyse(const struct zonefile *zf)
{
        struct zonecheck_limit limits[ZONECHECK_LIMITS_MAX];
        size_t nlimits = zonecheck_default_limits(limits);
        struct zonecheck_report *r;
        char err[512];

        r = zonecheck_run(zf->zone, limits, nlimits, err, sizeof(err));
        if (!r) {
                if (!err[0])
                        abort();
                return;
        }
        if (r->nlimits != nlimits)
                abort();
        for (size_t i = 0; i < r->nfindings; i++)
                if (r->findings[i].answer >= r->nanswers || r->findings[i].limit >= r->nlimits)
                        abort();
        for (size_t i = 0; i < r->nanswers; i++)
                if (r->answers[i].qname_rr >= zf->zone->n ||
                    (r->answers[i].final_rr != SIZE_MAX && r->answers[i].final_rr >= zf->zone->n))
                        abort();
        for (int f = 0; f < ZONECHECK_FORMAT_MAX; f++) {
                struct strbuf out;
                strbuf_init(&out);
                zonecheck_write(r, zf, "fuzz.zone", (enum zonecheck_format)f, true, &out);
                strbuf_free(&out);
        }
        struct strbuf sum;
        strbuf_init(&sum);
        zonecheck_summary(r, "fuzz.zone", &sum);
        strbuf_free(&sum);
        zonecheck_report_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct zonefile *zf = NULL;
        char err[1024];

        if (!dir[0])
                setup();
        if (may_escape(data, size))
                return 0;
        write_file(zone_path, data, size);
        err[0] = '\0';
        if (zonefile_read(zone_path, NULL, &zf, err, sizeof(err)) < 0) {
                if (!err[0])
                        abort();
                return 0;
        }
        if (!zf || !zf->zone || zf->nfiles == 0)
                abort();
        for (size_t i = 0; i < zf->zone->n; i++)
                if (zf->src[i].file >= zf->nfiles || zf->src[i].line == 0)
                        abort();
        analyse(zf);
        zonefile_free(zf);
        return 0;
}
