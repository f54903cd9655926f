/* stubcompat version [--json]: the program's version, the commit it was built
 * from, the compiler, and each library's version at build time (its
 * pkg-config version) and at run time (what the loaded library reports), so
 * a bug report names the exact c-ares, libevent, ldns and libpcap. */
#include <ares.h>
#include <event2/event.h>
#include <ldns/ldns.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness/cli/commands.h"
#include "harness/util/paths.h"
#include "harness/util/strbuf.h"
#include "stubcompat-commit.h"
#include "stubcompat-config.h"
#include "stubcompat-libs.h"

struct library_version {
        const char *name;
        const char *built;          /* pkg-config version when compiled */
        const char *running;        /* as the loaded library reports it */
};

/* pcap_lib_version() says "libpcap version 1.10.3 (with TPACKET_V3)": the number. */
static const char *pcap_running(char *buf, size_t len)
{
        const char *v = pcap_lib_version();
        const char *p = strstr(v, "version ");
        p = p ? p + strlen("version ") : v;
        snprintf(buf, len, "%.*s", (int)strcspn(p, " "), p);
        return buf;
}

static void print_json(const struct library_version *libs, size_t n)
{
        struct strbuf b;
        strbuf_init(&b);
        strbuf_puts(&b, "{\"name\":\"stubcompat\",\"version\":");
        strbuf_json_string(&b, STUBCOMPAT_VERSION);
        strbuf_puts(&b, ",\"commit\":");
        strbuf_json_string(&b, STUBCOMPAT_COMMIT);
        strbuf_puts(&b, ",\"compiler\":");
        strbuf_json_string(&b, STUBCOMPAT_COMPILER);
        strbuf_puts(&b, ",\"libraries\":{");
        for (size_t i = 0; i < n; i++) {
                strbuf_puts(&b, i ? "," : "");
                strbuf_json_string(&b, libs[i].name);
                strbuf_puts(&b, ":{\"build\":");
                strbuf_json_string(&b, libs[i].built);
                strbuf_puts(&b, ",\"run\":");
                strbuf_json_string(&b, libs[i].running);
                strbuf_puts(&b, "}");
        }
        strbuf_puts(&b, "},\"files\":{\"origin\":");
        strbuf_json_string(&b, paths_origin());
        strbuf_puts(&b, ",\"profiles\":");
        strbuf_json_string(&b, paths_profiles_dir());
        strbuf_puts(&b, ",\"scenarios\":");
        strbuf_json_string(&b, paths_scenarios_dir());
        strbuf_puts(&b, ",\"helpers\":");
        strbuf_json_string(&b, paths_helper_dirs());
        strbuf_puts(&b, "}}\n");
        if (!strbuf_failed(&b))
                fwrite(b.data, 1, b.len, stdout);
        strbuf_free(&b);
}

int cmd_version(int argc, char **argv)
{
        bool json = false;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0) {
                        json = true;
                } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        printf("usage: stubcompat version [--json]\n\n"
                               "The version, the commit built from, the compiler, and the versions of\n"
                               "c-ares, libevent, ldns and libpcap at build time and at run time.\n"
                               "  --json   one JSON object instead of text\n");
                        return 0;
                } else {
                        fprintf(stderr, "stubcompat version: unexpected argument '%s'\n", argv[i]);
                        return EXIT_USAGE;
                }
        }
        char pcap_buf[64];
        const struct library_version libs[] = {
                { "c-ares", STUBCOMPAT_BUILT_CARES, ares_version(NULL) },
                { "libevent", STUBCOMPAT_BUILT_EVENT, event_get_version() },
                { "ldns", STUBCOMPAT_BUILT_LDNS, ldns_version() },
                { "libpcap", STUBCOMPAT_BUILT_PCAP, pcap_running(pcap_buf, sizeof(pcap_buf)) },
        };
        size_t n = sizeof(libs) / sizeof(libs[0]);
        if (json) {
                print_json(libs, n);
                return 0;
        }
        printf("stubcompat %s (commit %s, %s)\n", STUBCOMPAT_VERSION, STUBCOMPAT_COMMIT, STUBCOMPAT_COMPILER);
        printf("%-10s %-16s %s\n", "library", "built with", "running");
        for (size_t i = 0; i < n; i++)
                printf("%-10s %-16s %s\n", libs[i].name, libs[i].built, libs[i].running);
        printf("files (%s):\n  profiles:  %s\n  scenarios: %s\n  helpers:   %s\n", paths_origin(),
               paths_profiles_dir(), paths_scenarios_dir(), paths_helper_dirs());
        return 0;
}

/* The one line of `stubcompat --version`. */
void version_line(void)
{
        printf("stubcompat %s (commit %s)\n", STUBCOMPAT_VERSION, STUBCOMPAT_COMMIT);
}
