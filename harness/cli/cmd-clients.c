/* stubcompat clients: every client, its kind, whether it can run here and why not. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients/engine/profile.h"
#include "harness/cli/commands.h"
#include "harness/cli/select.h"

int cmd_clients(int argc, char **argv)
{
        struct client_set set = { 0 };
        char err[512];

        if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
                printf("usage: stubcompat clients\n\nLists every client: name, kind (emulated or real),\n"
                       "whether it can run here (or why not), its twin and whom it stands for.\n");
                return 0;
        }
        if (argc > 1) {
                fprintf(stderr, "stubcompat clients: unexpected argument '%s'\n", argv[1]);
                return EXIT_USAGE;
        }
        if (select_load_clients(&set, err, sizeof(err)) < 0) {
                fprintf(stderr, "%s\n", err);
                return EXIT_USAGE;
        }
        printf("%-26s %-9s %-10s %-26s %s\n", "CLIENT", "KIND", "AVAILABLE", "TWIN", "STANDS FOR");
        for (size_t i = 0; i < set.n; i++) {
                const struct client *c = set.items[i];
                printf("%-26s %-9s %-10s %-26s %s\n", c->name, client_kind_to_string(c->kind),
                       c->available ? "yes" : "no", c->twin[0] ? c->twin : "-", c->stands_for);
                if (!c->available)
                        printf("%-26s   why not: %s\n", "", c->why_not);
        }
        client_set_free(&set);
        return 0;
}
