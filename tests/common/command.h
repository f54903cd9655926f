/* Integration-test helpers: programs (dig, kdig, ss, stubcompat) run to
 * completion with their output captured, and dig/kdig output parsed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <CUnit/CUnit.h>

/* A NULL-terminated list literal: SP_LIST("records=30", "tcp=split"). */
#define SP_LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

struct cmd_result {
        int status;                 /* exit status, 128+signal, -1 when not run */
        bool timed_out;             /* killed after timeout_ms */
        char *out;                  /* stdout, NUL-terminated, owned */
        char *err;                  /* stderr, NUL-terminated, owned */
        double elapsed_ms;
};

/* A CU_ASSERT that prints the command's output (r, may be NULL) on failure. */
#define SP_CHECK(cond, r) do { \
        bool sp_ok_ = (cond); \
        CU_assertImplementation(sp_ok_, __LINE__, #cond, __FILE__, "", CU_FALSE); \
        if (!sp_ok_) \
                cmd_result_dump(r); \
} while (0)

/* Runs argv (argv[0] looked up in PATH) with stdin from /dev/null and waits
 * for it, killing it after timeout_ms (a safety net for hung clients).
 * Returns r->status; r must be freed with cmd_result_free. */
int cmd_run(const char *const *argv, unsigned timeout_ms, struct cmd_result *r);
void cmd_result_free(struct cmd_result *r);
/* True when program is an executable file in PATH. */
bool cmd_available(const char *program);
/* Prints the command's stdout and stderr to stdout, indented; r may be NULL. */
void cmd_result_dump(const struct cmd_result *r);

/* ---------------------------------------------------------------- dig and kdig */

/* What dig (BIND 9.18) or kdig (Knot 3.2) printed about the reply it kept. */
struct dig_reply {
        bool have_header;           /* a reply was printed */
        char status[16];            /* "NOERROR", "FORMERR", ... */
        bool qr, aa, tc, rd, ra;
        int qdcount, ancount, nscount, arcount;   /* as the header announced */
        int answer_lines;           /* records printed in the ANSWER SECTION */
        int msg_size;               /* ";; MSG SIZE  rcvd: N" or ";; Received N B"; -1 */
        int query_time_ms;          /* dig's ";; Query time: N msec"; -1 */
        bool opt;                   /* an OPT/EDNS pseudosection was printed */
        char transport[4];          /* "UDP"/"TCP" of the reply kept; "" if unknown */
        bool retried_tcp;           /* "Truncated, retrying in TCP mode" / "retrying over TCP" */
};

/* Parses dig or kdig output (stdout and stderr concatenated or not). */
void dig_parse(const char *text, struct dig_reply *r);

/* Runs `program -p PORT @127.0.0.1 OPTIONS... NAME TYPE` (program is "dig"
 * or "kdig"; options NULL-terminated, may be NULL), keeps the raw output in
 * r (free with cmd_result_free) and parses stdout and stderr into d. Returns
 * the exit status. */
int dig_query(const char *program, uint16_t port, const char *const *options, const char *name,
              const char *type, struct cmd_result *r, struct dig_reply *d);

/* Forks and execs argv (argv[0] looked up in PATH when search_path) with
 * stdin from /dev/null and stdout/stderr on new pipes returned in *out_fd
 * and *err_fd. The child is killed when the test program dies. Returns the
 * pid, or -1. */
pid_t cmd_spawn(char **argv, bool search_path, int *out_fd, int *err_fd);
/* A waitpid() status as a number: the exit status, 128+signal, or -1. */
int cmd_exit_code(int wstatus);
/* CLOCK_MONOTONIC in milliseconds. */
double cmd_now_ms(void);
