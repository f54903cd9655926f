/* stubcompat clients: every client, its kind, whether it can run here and why not. */
#include <dirent.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/profile.h"
#include "harness/cli/commands.h"
#include "harness/cli/select.h"
#include "harness/util/paths.h"

/* Each folder of the helper search path and the programs found in it. */
static void print_helpers(void)
{
        const char *dirs = paths_helper_dirs();
        printf("  helpers:\n");
        for (const char *d = dirs; *d;) {
                size_t n = strcspn(d, ":");
                char dir[4096], path[4096 + 256];
                snprintf(dir, sizeof(dir), "%.*s", (int)n, d);
                d += n + (d[n] == ':');
                if (!dir[0])
                        continue;
                printf("    %s:", dir);
                struct dirent **list;
                int count = scandir(dir, &list, NULL, alphasort);
                if (count < 0) {
                        printf(" (cannot read)\n");
                        continue;
                }
                int shown = 0;
                for (int i = 0; i < count; i++) {
                        const char *name = list[i]->d_name;
                        if (name[0] != '.' && paths_helper(name, path, sizeof(path)) == 0 &&
                            strncmp(path, dir, strlen(dir)) == 0 && path[strlen(dir)] == '/') {
                                printf(" %s", name);
                                shown++;
                        }
                        free(list[i]);
                }
                free(list);
                printf("%s\n", shown ? "" : " (none)");
        }
}

int cmd_clients(int argc, char **argv)
{
        struct client_set set = { 0 };
        char err[512];

        bool names_only = argc > 1 && strcmp(argv[1], "--names") == 0;
        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("usage: stubcompat clients [--names]\n\nLists every client: name, kind (emulated or real),\n"
                       "standing (real, calibrated against a real twin, or model),\n"
                       "whether it can run here (or why not), its twin and whom it stands for;\n"
                       "then where profiles, scenarios and helper programs are read from, and\n"
                       "every helper program found (STUBCOMPAT_DATA_DIR, STUBCOMPAT_HELPER_DIR\n"
                       "override those folders).\n\n"
                       "  --names   only the client names, one a line\n");
                return 0;
        }
        if (argc > 1 + names_only) {
                fprintf(stderr, "stubcompat clients: unexpected argument '%s'\n", argv[1 + names_only]);
                return EXIT_USAGE;
        }
        if (select_load_clients(&set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return EXIT_USAGE;
        }
        if (names_only) {
                for (size_t i = 0; i < set.n; i++)
                        printf("%s\n", set.items[i]->name);
                client_set_free(&set);
                return 0;
        }
        printf("%-26s %-9s %-10s %-10s %-26s %s\n", "CLIENT", "KIND", "STANDING", "AVAILABLE", "TWIN",
               "STANDS FOR");
        for (size_t i = 0; i < set.n; i++) {
                const struct client *c = set.items[i];
                printf("%-26s %-9s %-10s %-10s %-26s %s\n", c->name, client_kind_to_string(c->kind),
                       client_standing(c), c->available ? "yes" : "no", c->twin[0] ? c->twin : "-",
                       c->stands_for);
                if (!c->available)
                        printf("%-26s   why not: %s\n", "", c->why_not);
        }
        printf("\nfiles (%s):\n  profiles:  %s\n  scenarios: %s\n", paths_origin(),
               paths_profiles_dir(), paths_scenarios_dir());
        print_helpers();
        client_set_free(&set);
        return 0;
}
