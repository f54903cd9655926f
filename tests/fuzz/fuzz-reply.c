/* Fuzz target: how every shipped stub profile reads a reply (reply_interpret)
 * on any bytes, as a UDP datagram and as a TCP message, and the verdict of
 * the outcome (verdict_of). The profiles in clients/profiles/ are loaded once
 * from $STUBCOMPAT_SOURCE_DIR, else the source tree it was built from.
 *
 * The stub's question comes from the input itself, so that matching replies
 * are reachable: the id is bytes 0-1, the qname and qtype those of the
 * message's first question when it has one (else api.mixpanel.com. A), and
 * the stub is run having sent EDNS and not. Checks: the action is a known
 * one, REPLY_DONE leaves a known status and at most OUTCOME_MAX_ADDRS
 * addresses, the note is NUL-terminated, the verdict is a known one. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/profile.h"
#include "clients/engine/reply.h"
#include "harness/run/outcome.h"
#include "harness/wire/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROFILES_MAX 64

static struct profile profiles[PROFILES_MAX];
static size_t nprofiles;
static struct expected_addrs expected;

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_profile(const struct dirent *d)
{
        size_t n = strlen(d->d_name);
        return d->d_name[0] != '.' && n > 8 && strcmp(d->d_name + n - 8, ".profile") == 0;
}

static void load_profiles(void)
{
        const char *src = getenv("STUBCOMPAT_SOURCE_DIR");
        char dir[4096], path[4096 + 256], err[512];
        struct dirent **list;
        int count;

        if (src && *src)
                snprintf(dir, sizeof(dir), "%s/clients/profiles", src);
        else
                snprintf(dir, sizeof(dir), "%s/clients/profiles", STUBCOMPAT_SOURCE_ROOT);
        count = scandir(dir, &list, is_profile, by_name);
        if (count <= 0) {
                fprintf(stderr, "fuzz-reply: no profiles in %s\n", dir);
                abort();
        }
        for (int i = 0; i < count; i++) {
                if (nprofiles < PROFILES_MAX) {
                        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
                        if (profile_load(path, &profiles[nprofiles], err, sizeof(err)) < 0) {
                                fprintf(stderr, "%s\n", err);
                                abort();
                        }
                        nprofiles++;
                }
                free(list[i]);
        }
        free(list);

        /* what the zone would hold: one v4 and one v6 address */
        static const uint8_t v4[4] = { 192, 0, 2, 1 };
        static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
        if (expected_add(&expected, 4, v4) < 0 || expected_add(&expected, 6, v6) < 0)
                abort();
}

/* The stub's question: id from bytes 0-1, qname/qtype of the first question. */
static void question_from(const uint8_t *data, size_t size, struct stub_question *q)
{
        static const uint8_t fallback[] = "\3api\10mixpanel\3com";
        struct wire_reader r;
        struct wire_question wq;

        memset(q, 0, sizeof(*q));
        q->id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
        memcpy(q->qname, fallback, sizeof(fallback));
        q->qname_len = sizeof(fallback);
        q->qtype = 1;
        if (wire_reader_init(&r, data, size) == 0 && wire_reader_question(&r, &wq) == 1 &&
            wq.name_len > 0 && wq.name_len <= sizeof(q->qname)) {
                memcpy(q->qname, wq.name, wq.name_len);
                q->qname_len = wq.name_len;
                q->qtype = wq.type;
        }
}

static void check(const struct profile *p, const struct stub_question *q, const uint8_t *data,
                  size_t size, bool tcp)
{
        static struct outcome out;
        char note[128];
        const char *reason = NULL;
        enum reply_action a;
        enum verdict v;

        outcome_init(&out);
        memset(note, 'x', sizeof(note));
        note[0] = '\0';
        a = reply_interpret(p, q, data, size, tcp, &out, note, sizeof(note), NULL);
        if ((unsigned)a >= REPLY_ACTION_MAX || memchr(note, '\0', sizeof(note)) == NULL)
                abort();
        if (reply_action_to_string(a) == NULL)
                abort();
        if ((unsigned)out.status >= OUTCOME_STATUS_MAX || out.naddrs > OUTCOME_MAX_ADDRS ||
            memchr(out.reason, '\0', sizeof(out.reason)) == NULL ||
            memchr(out.message, '\0', sizeof(out.message)) == NULL)
                abort();
        if (a != REPLY_DONE && a != REPLY_NEXT)
                return;
        v = verdict_of(&out, &expected, &reason);
        if ((unsigned)v >= VERDICT_MAX || verdict_to_string(v) == NULL)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct stub_question q;

        if (nprofiles == 0)
                load_profiles();
        question_from(data, size, &q);
        for (size_t i = 0; i < nprofiles; i++)
                for (int edns = 0; edns < 2; edns++) {
                        q.sent_edns = edns;
                        check(&profiles[i], &q, data, size, false);
                        check(&profiles[i], &q, data, size, true);
                }
        return 0;
}
