/* stubcompat resolvers: each resolver the path= parameter can put between a
 * client and the fake server, its version, and whether it can run here (it
 * is started once on loopback to find out) and why not. */
#include <stdio.h>
#include <string.h>

#include "harness/cli/commands.h"
#include "harness/path/resolver.h"

int cmd_resolvers(int argc, char **argv)
{
        int unavailable = 0;

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("usage: stubcompat resolvers\n\nLists every value of the path= parameter "
                       "but direct: the resolver, its\nDebian package and version, and whether it "
                       "can run here (each is started\nonce on 127.0.0.1 to find out) or why "
                       "not. Exit 0 when all can run, 1 otherwise.\n");
                return 0;
        }
        if (argc > 1) {
                fprintf(stderr, "stubcompat resolvers: unexpected argument '%s'\n", argv[1]);
                return EXIT_USAGE;
        }
        printf("%-15s %-15s %-10s %-10s %s\n", "PATH", "PACKAGE", "VERSION", "AVAILABLE",
               "STANDS FOR");
        for (int p = VIA_DIRECT + 1; p < VIA_MAX; p++) {
                const struct resolver_info *ri = resolver_info((enum resolver_path)p);
                struct resolver_config cfg = { .path = (enum resolver_path)p,
                                               .upstream = "127.0.0.1" };
                char version[32] = "-", why[512] = "";
                struct resolver *r = NULL;

                if (resolver_version(ri->path, version, sizeof(version), why, sizeof(why)) == 0)
                        r = resolver_start_wait(&cfg, why, sizeof(why));
                printf("%-15s %-15s %-10s %-10s %s\n", resolver_path_to_string(ri->path),
                       ri->package, version, r ? "yes" : "no", ri->stands_for);
                if (!r) {
                        printf("%-15s   why not: %s\n", "", why);
                        unavailable++;
                }
                resolver_stop(r);
        }
        return unavailable ? EXIT_CHECK_FAILED : 0;
}
