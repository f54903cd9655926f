/* busybox-helper: BusyBox's nslookup applet for the twin protocol of
 * clients/real/twin.h. Long-lived; each lookup runs one
 *   busybox nslookup [-type=a|-type=aaaa] -timeout=1 -retry=1 -port=PORT NAME ADDRESS
 * (no -type for unspec: the applet then asks A and AAAA) and reads the
 * verdict from its output, which is all BusyBox tells a user:
 *   "Address: X" lines after the two server lines  -> ok with those addresses
 *   "** server can't find N: NXDOMAIN"             -> nxdomain
 *   "** server can't find N: RCODE" (other)        -> error, reason the rcode
 *   "*** Can't find N: No answer"                  -> nodata
 *   "*** Can't find N: Parse error" (other)        -> error, reason parse (...)
 *   "connection timed out"                         -> timeout
 *   exit 0 and no address                          -> nodata
 * The words are the applet's first message line. BUSYBOX is the program's
 * path, set at build time. Exits 0 at end of input, 1 when stdout is gone.
 */
#include <ctype.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BUSYBOX
#define BUSYBOX "/bin/busybox"
#endif

#define OUTPUT_MAX 65536
#define LINE_MAX_LEN 2048

extern char **environ;

/* Runs argv with stdout and stderr into out (NUL-terminated, cut at cap).
 * Returns the exit status, or -1 when it could not run. */
static int run_capture(char *const argv[], char *out, size_t cap)
{
        posix_spawn_file_actions_t fa;
        int fd[2], status = -1;
        size_t len = 0;
        pid_t pid;

        out[0] = '\0';
        if (pipe(fd) < 0)
                return -1;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addclose(&fa, fd[0]);
        posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
        posix_spawn_file_actions_adddup2(&fa, fd[1], 2);
        posix_spawn_file_actions_addclose(&fa, fd[1]);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
        if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
                pid = -1;
        posix_spawn_file_actions_destroy(&fa);
        close(fd[1]);
        for (;;) {
                ssize_t n = read(fd[0], out + len, cap - 1 - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                len += (size_t)n;
                if (len == cap - 1) {
                        char sink[4096];
                        while (read(fd[0], sink, sizeof sink) > 0)
                                ;
                        break;
                }
        }
        out[len] = '\0';
        close(fd[0]);
        if (pid < 0)
                return -1;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Lower-cases the last word of msg into reason ("NXDOMAIN" -> "nxdomain"). */
static void last_word(const char *msg, char *reason, size_t cap)
{
        const char *w = strrchr(msg, ':');
        size_t n = 0;

        w = w ? w + 1 : msg;
        while (*w == ' ')
                w++;
        for (; *w && n + 1 < cap; w++)
                reason[n++] = *w == ' ' ? '-' : (char)tolower((unsigned char)*w);
        reason[n] = '\0';
        if (n == 0)
                snprintf(reason, cap, "other");
}

static void lookup(const char *id, const char *address, const char *port, const char *name,
                   const char *family, char *reply, size_t cap)
{
        static char out[OUTPUT_MAX];
        char portopt[32], reason[64], *line, *save = NULL;
        const char *type = strcmp(family, "inet") == 0 ? "-type=a"
                           : strcmp(family, "inet6") == 0 ? "-type=aaaa" : NULL;
        char *argv[10];
        int argc = 0, rc, header = 2;
        const char *status = NULL;
        char words[512] = "";
        size_t len, naddrs = 0;
        struct timespec t0, t1;

        snprintf(portopt, sizeof portopt, "-port=%s", port);
        argv[argc++] = (char *)BUSYBOX;
        argv[argc++] = (char *)"nslookup";
        if (type)
                argv[argc++] = (char *)type;
        argv[argc++] = (char *)"-timeout=1";
        argv[argc++] = (char *)"-retry=1";
        argv[argc++] = portopt;
        argv[argc++] = (char *)name;
        argv[argc++] = (char *)address;
        argv[argc] = NULL;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = run_capture(argv, out, sizeof out);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ms = (t1.tv_sec - t0.tv_sec) * 1000L + (t1.tv_nsec - t0.tv_nsec) / 1000000L;

        len = (size_t)snprintf(reply, cap, "%s ok %ld", id, ms);
        for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                if (header > 0 && (strncmp(line, "Server:", 7) == 0 || strncmp(line, "Address:\t", 9) == 0)) {
                        header--;
                        continue;
                }
                if (strncmp(line, "Address: ", 9) == 0 && len < cap) {
                        len += (size_t)snprintf(reply + len, cap - len, " %s", line + 9);
                        naddrs++;
                        continue;
                }
                if (status || (!strstr(line, "find ") && !strstr(line, "timed out")))
                        continue;
                snprintf(words, sizeof words, "%s", line);
                if (strstr(line, "timed out")) {
                        status = "timeout";
                        snprintf(reason, sizeof reason, "-");
                } else {
                        last_word(line, reason, sizeof reason);
                        status = strcmp(reason, "nxdomain") == 0 ? "nxdomain"
                                 : strcmp(reason, "no-answer") == 0 ? "nodata" : "error";
                        if (strcmp(status, "error") != 0)
                                snprintf(reason, sizeof reason, "-");
                }
        }
        if (naddrs > 0)
                return;
        if (rc < 0)
                snprintf(reply, cap, "%s error %ld spawn cannot run %s", id, ms, BUSYBOX);
        else if (status)
                snprintf(reply, cap, "%s %s %ld %s %s", id, status, ms, reason, words);
        else if (rc == 0)
                snprintf(reply, cap, "%s nodata %ld - exit 0 without an address", id, ms);
        else
                snprintf(reply, cap, "%s error %ld exit-%d nslookup exited %d", id, ms, rc, rc);
}

int main(void)
{
        static char line[LINE_MAX_LEN], reply[OUTPUT_MAX];
        char *tok[6];

        while (fgets(line, sizeof line, stdin) != NULL) {
                char *save = NULL;
                int n = 0;
                for (char *p = strtok_r(line, " \t\r\n", &save); p && n < 6; p = strtok_r(NULL, " \t\r\n", &save))
                        tok[n++] = p;
                if (n == 2 && strcmp(tok[1], "version") == 0)
                        snprintf(reply, sizeof reply, "%s version busybox (%s)", tok[0], BUSYBOX);
                else if (n == 5 && strspn(tok[2], "0123456789") == strlen(tok[2]))
                        lookup(tok[0], tok[1], tok[2], tok[3], tok[4], reply, sizeof reply);
                else
                        snprintf(reply, sizeof reply, "%s bad-request expected '<id> <address> <port> <name> <family>'",
                                 n > 0 ? tok[0] : "?");
                if (puts(reply) == EOF || fflush(stdout) == EOF)
                        return 1;
        }
        return 0;
}
