/* stubcompat: which stub resolvers fail to resolve your names, and why. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/cli/commands.h"

static const struct {
        const char *name;
        int (*run)(int, char **);
        const char *summary;
} commands[] = {
        { "run", cmd_run, "run scenario suites against the clients: compatibility matrices" },
        { "merge", cmd_merge, "join the shards of a suite (run --shard K/N) into one matrix" },
        { "diff", cmd_diff, "cells whose verdict changed between two runs; exit 1 if any got worse" },
        { "clients", cmd_clients, "list the clients, emulated and real, and whether they can run" },
        { "resolvers", cmd_resolvers, "list the resolvers of path=, their versions, and whether they can run" },
        { "calibrate", cmd_calibrate, "check each emulated profile against its real twin, cell by cell" },
        { "serve", cmd_serve, "serve one scenario point on loopback (UDP and TCP)" },
        { "reproduce", cmd_reproduce, "a customer's zone, capture, dig output or testns file -> the matrix, and why clients fail" },
        { "check-zone", cmd_check_zone, "sizes of a zone file's answers against UDP limits" },
        { "version", cmd_version, "version, commit and library versions (--json for one object)" },
};

static void usage(FILE *f)
{
        fprintf(f, "usage: stubcompat <command> [options]\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\noptions:\n"
                   "  -h, --help     this list\n"
                   "  --version      the version and the commit built from\n");
        fprintf(f, "\n'stubcompat <command> --help' shows a command's options.\n");
}

/* Each cell in flight holds a few sockets: allow as many as the hard limit. */
static void raise_fd_limit(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                setrlimit(RLIMIT_NOFILE, &rl);
        }
}

int main(int argc, char **argv)
{
        raise_fd_limit();
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
            strcmp(argv[1], "help") == 0) {
                usage(stdout);
                return 0;
        }
        if (strcmp(argv[1], "--version") == 0) {
                version_line();
                return 0;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "stubcompat: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return EXIT_USAGE;
}
