#include "tests/common/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double cmd_now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int cmd_exit_code(int wstatus)
{
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return -1;
}

pid_t cmd_spawn(char **argv, bool search_path, int *out_fd, int *err_fd)
{
        int out[2] = { -1, -1 }, err[2] = { -1, -1 };
        pid_t pid;

        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                goto fail;
        pid = fork();
        if (pid < 0)
                goto fail;
        if (pid == 0) {
                /* async-signal-safe calls only until exec */
                int null = open("/dev/null", O_RDONLY);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
                        _exit(127);
                if (search_path)
                        execvp(argv[0], argv);
                else
                        execv(argv[0], argv);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        *out_fd = out[0];
        *err_fd = err[0];
        return pid;
fail:
        for (int i = 0; i < 2; i++) {
                if (out[i] >= 0)
                        close(out[i]);
                if (err[i] >= 0)
                        close(err[i]);
        }
        return -1;
}

struct grow_buf {
        char *data;
        size_t len, cap;
};

static void grow_add(struct grow_buf *b, const char *p, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *d = realloc(b->data, cap);
                if (!d)
                        return;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
}

int cmd_run(const char *const *argv, unsigned timeout_ms, struct cmd_result *r)
{
        struct grow_buf out = { 0 }, err = { 0 };
        struct pollfd pfd[2];
        int out_fd, err_fd, wstatus;
        double start = cmd_now_ms();
        char buf[8192];
        size_t n = 0;
        char **copy;
        pid_t pid;

        memset(r, 0, sizeof(*r));
        r->status = -1;
        while (argv[n])
                n++;
        copy = calloc(n + 1, sizeof(*copy));
        if (!copy)
                return -1;
        memcpy(copy, argv, n * sizeof(*copy));
        pid = cmd_spawn(copy, true, &out_fd, &err_fd);
        free(copy);
        if (pid < 0)
                return -1;
        pfd[0] = (struct pollfd){ out_fd, POLLIN, 0 };
        pfd[1] = (struct pollfd){ err_fd, POLLIN, 0 };
        while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
                double left = timeout_ms - (cmd_now_ms() - start);
                if (left <= 0 && !r->timed_out) {
                        r->timed_out = true;
                        kill(pid, SIGKILL);
                }
                int rc = poll(pfd, 2, r->timed_out ? 1000 : (int)left + 1);
                if (rc < 0 && errno != EINTR)
                        break;
                for (int i = 0; i < 2 && rc > 0; i++) {
                        if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        ssize_t got = read(pfd[i].fd, buf, sizeof(buf));
                        if (got <= 0) {
                                if (got < 0 && errno == EINTR)
                                        continue;
                                close(pfd[i].fd);
                                pfd[i].fd = -1;
                                continue;
                        }
                        grow_add(i == 0 ? &out : &err, buf, (size_t)got);
                }
        }
        for (int i = 0; i < 2; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        if (waitpid(pid, &wstatus, 0) == pid)
                r->status = cmd_exit_code(wstatus);
        r->elapsed_ms = cmd_now_ms() - start;
        r->out = out.data ? out.data : strdup("");
        r->err = err.data ? err.data : strdup("");
        return r->status;
}

void cmd_result_free(struct cmd_result *r)
{
        free(r->out);
        free(r->err);
        r->out = r->err = NULL;
}

bool cmd_available(const char *program)
{
        const char *path = getenv("PATH");
        char *copy, *save = NULL;
        bool found = false;

        if (!path)
                path = "/usr/bin:/bin";
        copy = strdup(path);
        if (!copy)
                return false;
        for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
                char full[4096];
                snprintf(full, sizeof(full), "%s/%s", dir, program);
                found = access(full, X_OK) == 0;
        }
        free(copy);
        return found;
}

static void dump_indented(const char *label, const char *text)
{
        const char *p = text;
        if (!text || !*text)
                return;
        printf("    %s:\n", label);
        while (*p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                printf("      %.*s\n", (int)len, p);
                p += len + (nl ? 1 : 0);
        }
}

void cmd_result_dump(const struct cmd_result *r)
{
        if (!r)
                return;
        printf("    status %d%s, %.0f ms\n", r->status, r->timed_out ? " (timed out)" : "",
               r->elapsed_ms);
        dump_indented("stdout", r->out);
        dump_indented("stderr", r->err);
}

/* ---------------------------------------------------------------- dig and kdig */

static int count_after(const char *line, const char *key)
{
        const char *p = strstr(line, key);
        return p ? atoi(p + strlen(key)) : -1;
}

static void parse_flags(const char *list, struct dig_reply *r)
{
        const char *end = strchr(list, ';');
        size_t len = end ? (size_t)(end - list) : strlen(list);
        char flags[64];

        snprintf(flags, sizeof(flags), " %.*s ", (int)(len < 60 ? len : 60), list);
        r->qr = strstr(flags, " qr ") != NULL;
        r->aa = strstr(flags, " aa ") != NULL;
        r->tc = strstr(flags, " tc ") != NULL;
        r->rd = strstr(flags, " rd ") != NULL;
        r->ra = strstr(flags, " ra ") != NULL;
}

static void parse_line(const char *line, struct dig_reply *r, bool *in_answer)
{
        const char *p;

        if (*in_answer) {
                if (line[0] == '\0' || line[0] == ';')
                        *in_answer = false;
                else
                        r->answer_lines++;
                if (*in_answer)
                        return;
        }
        if ((p = strstr(line, "->>HEADER<<-"))) {
                /* a new reply: what came before belonged to an earlier one */
                bool retried = r->retried_tcp;
                dig_parse("", r);
                r->retried_tcp = retried;
                r->have_header = true;
                if ((p = strstr(line, "status: ")))
                        sscanf(p + 8, "%15[A-Z0-9]", r->status);
        } else if (strncmp(line, ";; flags:", 9) == 0 || strncmp(line, ";; Flags:", 9) == 0) {
                parse_flags(line + 9, r);
                r->qdcount = count_after(line, "QUERY: ");
                r->ancount = count_after(line, "ANSWER: ");
                r->nscount = count_after(line, "AUTHORITY: ");
                r->arcount = count_after(line, "ADDITIONAL: ");
        } else if (strcmp(line, ";; ANSWER SECTION:") == 0) {
                *in_answer = true;
        } else if (strstr(line, "OPT PSEUDOSECTION:") || strstr(line, "EDNS PSEUDOSECTION:")) {
                r->opt = true;
        } else if (strncmp(line, ";; MSG SIZE  rcvd: ", 19) == 0) {
                r->msg_size = atoi(line + 19);
        } else if (strncmp(line, ";; Received ", 12) == 0) {
                r->msg_size = atoi(line + 12);
        } else if (strncmp(line, ";; Query time: ", 15) == 0) {
                r->query_time_ms = atoi(line + 15);
        } else if (strncmp(line, ";; SERVER: ", 11) == 0 || strncmp(line, ";; From ", 8) == 0) {
                if (strstr(line, "(UDP)"))
                        snprintf(r->transport, sizeof(r->transport), "UDP");
                else if (strstr(line, "(TCP)"))
                        snprintf(r->transport, sizeof(r->transport), "TCP");
        }
        if (strstr(line, "Truncated, retrying in TCP mode") || strstr(line, "retrying over TCP"))
                r->retried_tcp = true;
}

void dig_parse(const char *text, struct dig_reply *r)
{
        bool in_answer = false;
        const char *p = text;

        memset(r, 0, sizeof(*r));
        r->qdcount = r->ancount = r->nscount = r->arcount = -1;
        r->msg_size = r->query_time_ms = -1;
        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                char line[1024];
                snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) - 1 ? len : sizeof(line) - 1), p);
                parse_line(line, r, &in_answer);
                p += len + (nl ? 1 : 0);
        }
}

int dig_query(const char *program, uint16_t port, const char *const *options, const char *name,
              const char *type, struct cmd_result *r, struct dig_reply *d)
{
        const char *argv[64];
        char portbuf[8], *both = NULL;
        size_t n = 0;

        snprintf(portbuf, sizeof(portbuf), "%u", port);
        argv[n++] = program;
        argv[n++] = "-p";
        argv[n++] = portbuf;
        argv[n++] = "@127.0.0.1";
        for (const char *const *o = options; o && *o && n < 60; o++)
                argv[n++] = *o;
        argv[n++] = name;
        argv[n++] = type;
        argv[n] = NULL;
        cmd_run(argv, 30000, r);
        if (asprintf(&both, "%s\n%s", r->out ? r->out : "", r->err ? r->err : "") < 0)
                both = NULL;
        dig_parse(both ? both : "", d);
        free(both);
        return r->status;
}
