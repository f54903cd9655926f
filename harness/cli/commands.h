/* The stubcompat subcommands. Each takes argc/argv starting at its own name
 * and returns the process exit status: 0 success, 1 a check failed, 2 usage
 * or input error. */
#pragma once

#define EXIT_CHECK_FAILED 1
#define EXIT_USAGE 2

int cmd_serve(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_clients(int argc, char **argv);
int cmd_resolvers(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_check_zone(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_version(int argc, char **argv);
/* Prints the one line of `stubcompat --version`. */
void version_line(void);
