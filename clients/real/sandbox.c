/* Namespaces, mounts and helper processes behind sandbox.h.
 *
 * Worker start-up is split in two: the parent resolves every path and builds
 * every text (plan_worker), the forked child only makes system calls
 * (worker_child) and reports a failure before exec through a CLOEXEC pipe,
 * whose EOF without data means the exec succeeded. */
#include "clients/real/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where a worker mounts the tmpfs that holds its files. The mount is detached
 * again before exec, so the helper sees the usual /tmp. A host whose
 * /etc/resolv.conf points into /tmp is not supported. */
#define STAGE_DIR "/tmp"
#define NSCD_DIR  "/var/run/nscd"
#define TMPFS_OPTS "mode=0755,size=1m"

static const char default_hosts[] =
        "127.0.0.1\tlocalhost\n"
        "::1\tlocalhost ip6-localhost ip6-loopback\n";
static const char nsswitch_text[] = "hosts: files dns\n";

__attribute__((format(printf, 3, 4)))
static void set_why(char *why, size_t whylen, const char *fmt, ...)
{
        va_list ap;

        if (why == NULL || whylen == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
}

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* Writes all of text to path (created 0644, truncated). Returns 0, or -1
 * with errno set. Async-signal-safe. */
static int write_text(const char *path, const char *text)
{
        size_t len = strlen(text), off = 0;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        if (fd < 0)
                return -1;
        while (off < len) {
                ssize_t n = write(fd, text + off, len - off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        int saved = errno;
                        close(fd);
                        errno = saved;
                        return -1;
                }
                off += (size_t)n;
        }
        return close(fd);
}

/* ---------------------------------------------------------------- enter */

/* Maps uid/gid to root in a fresh user namespace. Returns 0 or -1 + why. */
static int map_ids(uid_t uid, gid_t gid, char *why, size_t whylen)
{
        static const char *const paths[] = {
                "/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map",
        };
        char uid_line[32], gid_line[32];
        const char *texts[] = { "deny", uid_line, gid_line };

        snprintf(uid_line, sizeof uid_line, "0 %lu 1\n", (unsigned long)uid);
        snprintf(gid_line, sizeof gid_line, "0 %lu 1\n", (unsigned long)gid);
        for (int i = 0; i < 3; i++) {
                /* setgroups is absent before Linux 3.19, which needs no "deny" */
                if (write_text(paths[i], texts[i]) < 0 && (i > 0 || errno != ENOENT)) {
                        set_why(why, whylen, "write %s: %s", paths[i], strerror(errno));
                        return -1;
                }
        }
        return 0;
}

/* Sets IFF_UP on "lo". Returns 0 or -1 + why. */
static int loopback_up(char *why, size_t whylen)
{
        struct ifreq ifr;
        int rc = -1;
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

        if (fd < 0) {
                set_why(why, whylen, "socket(AF_INET): %s", strerror(errno));
                return -1;
        }
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
                set_why(why, whylen, "ioctl(lo, SIOCGIFFLAGS): %s", strerror(errno));
                goto cleanup;
        }
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
                set_why(why, whylen, "ioctl(lo, SIOCSIFFLAGS): %s", strerror(errno));
                goto cleanup;
        }
        rc = 0;
cleanup:
        close(fd);
        return rc;
}

/* Best effort return to the namespaces saved before unshare(). Returns true
 * when the process is back where it started. */
static bool restore_namespaces(int net_fd, int mnt_fd, int cwd_fd, bool userns)
{
        if (userns || net_fd < 0 || mnt_fd < 0 || cwd_fd < 0)
                return false;
        if (setns(net_fd, CLONE_NEWNET) < 0 || setns(mnt_fd, CLONE_NEWNS) < 0)
                return false;
        return fchdir(cwd_fd) == 0;   /* setns(CLONE_NEWNS) moved us to "/" */
}

int sandbox_enter(char *why, size_t whylen)
{
        uid_t uid = geteuid();
        gid_t gid = getegid();
        bool userns = uid != 0;
        int flags = CLONE_NEWNET | CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0);
        int net_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        int mnt_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        int cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool entered = false;
        int rc = -1;

        if (unshare(flags) < 0) {
                set_why(why, whylen, "unshare(%sCLONE_NEWNET|CLONE_NEWNS): %s",
                        userns ? "CLONE_NEWUSER|" : "", strerror(errno));
                goto cleanup;
        }
        entered = true;
        if (userns && map_ids(uid, gid, why, whylen) < 0)
                goto cleanup;
        /* Before any mount: nothing done from here on may reach the host. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                set_why(why, whylen, "mount(/, MS_REC|MS_PRIVATE): %s", strerror(errno));
                goto cleanup;
        }
        if (loopback_up(why, whylen) < 0)
                goto cleanup;
        rc = 0;
cleanup:
        if (rc < 0 && entered && !restore_namespaces(net_fd, mnt_fd, cwd_fd, userns)) {
                size_t used = why != NULL ? strnlen(why, whylen) : 0;
                if (used < whylen)
                        set_why(why + used, whylen - used,
                                " (process left in the new namespaces)");
        }
        close_fd(&net_fd);
        close_fd(&mnt_fd);
        close_fd(&cwd_fd);
        return rc;
}

/* ---------------------------------------------------------------- worker plan */

enum overlay_mode {
        OVERLAY_SKIP,       /* host has no such file and it is optional */
        OVERLAY_BIND_FILE,  /* bind a staged file over target (a file) */
        OVERLAY_TMPFS_DIR,  /* tmpfs over target (a dir), then create base if any */
};

struct overlay {
        const char *etc_path;    /* "/etc/resolv.conf": what libc opens */
        const char *stage_name;  /* file name on the stage tmpfs */
        const char *text;        /* contents; owned by the caller's config or static */
        enum overlay_mode mode;
        char target[PATH_MAX];
        char base[NAME_MAX + 1];
};

#define OVERLAY_COUNT 4

struct worker_plan {
        const char *helper_path;
        struct overlay ov[OVERLAY_COUNT + 1];   /* + the nscd directory */
};

/* Decides how to overlay o->etc_path. A missing file is skipped unless
 * required; a symlink to a missing file (say resolved is stopped) is covered
 * by a tmpfs over the directory it points into. Returns 0 or -1 + why. */
static int plan_overlay(struct overlay *o, bool required, char *why, size_t whylen)
{
        char link[PATH_MAX - 8], *slash;
        struct stat st;
        ssize_t n;
        int err;

        if (realpath(o->etc_path, o->target) != NULL) {
                o->mode = OVERLAY_BIND_FILE;
                if (stat(o->target, &st) == 0 && S_ISREG(st.st_mode))
                        return 0;
                set_why(why, whylen, "%s: %s is not a regular file", o->etc_path, o->target);
                return -1;
        }
        err = errno;
        if (lstat(o->etc_path, &st) < 0 || !S_ISLNK(st.st_mode)) {
                o->mode = OVERLAY_SKIP;
                if (err == ENOENT && !required)
                        return 0;
                set_why(why, whylen, "%s: %s", o->etc_path, strerror(err));
                return -1;
        }
        n = readlink(o->etc_path, link, sizeof link - 1);
        if (n <= 0) {
                set_why(why, whylen, "readlink %s: %s", o->etc_path, strerror(errno));
                return -1;
        }
        link[n] = '\0';
        snprintf(o->target, sizeof o->target, "%s%s", link[0] == '/' ? "" : "/etc/", link);
        slash = strrchr(o->target, '/');
        snprintf(o->base, sizeof o->base, "%s", slash + 1);
        *slash = '\0';
        o->mode = OVERLAY_TMPFS_DIR;
        if (o->target[0] != '\0' && o->base[0] != '\0' && stat(o->target, &st) == 0
            && S_ISDIR(st.st_mode))
                return 0;
        set_why(why, whylen, "%s: dangling symlink to %s", o->etc_path, link);
        return -1;
}

/* Fills plan from cfg. Returns 0 or -1 + why. */
static int plan_worker(struct worker_plan *plan, const struct sandbox_worker_config *cfg,
                       char *why, size_t whylen)
{
        static const struct { const char *path, *stage; bool required; } files[OVERLAY_COUNT] = {
                { "/etc/resolv.conf",   "resolv.conf",   true  },
                { "/etc/hosts",         "hosts",         false },
                { "/etc/nsswitch.conf", "nsswitch.conf", false },
                { "/etc/gai.conf",      "gai.conf",      false },  /* glibc address sorting */
        };
        const char *texts[OVERLAY_COUNT] = {
                cfg->resolv_conf, cfg->hosts != NULL ? cfg->hosts : default_hosts,
                nsswitch_text, "",
        };
        struct overlay *nscd = &plan->ov[OVERLAY_COUNT];
        struct stat st;

        memset(plan, 0, sizeof *plan);
        plan->helper_path = cfg->helper_path;
        /* An empty directory: glibc finds no host nscd socket. */
        if (stat(NSCD_DIR, &st) == 0 && S_ISDIR(st.st_mode))
                nscd->mode = OVERLAY_TMPFS_DIR;
        snprintf(nscd->target, sizeof nscd->target, "%s", NSCD_DIR);
        for (int i = 0; i < OVERLAY_COUNT; i++) {
                plan->ov[i].etc_path = files[i].path;
                plan->ov[i].stage_name = files[i].stage;
                plan->ov[i].text = texts[i];
                if (plan_overlay(&plan->ov[i], files[i].required, why, whylen) < 0)
                        return -1;
        }
        return 0;
}

/* ---------------------------------------------------------------- worker child */

/* What a child sends back when it fails before exec: one write, smaller
 * than PIPE_BUF, so one read gets all of it. */
struct child_report {
        int err;
        char step[256];
};

__attribute__((noreturn, format(printf, 3, 4)))
static void child_fail(int err_fd, int err, const char *fmt, ...)
{
        struct child_report r;
        va_list ap;

        memset(&r, 0, sizeof r);
        r.err = err;
        va_start(ap, fmt);
        vsnprintf(r.step, sizeof r.step, fmt, ap);
        va_end(ap);
        if (write(err_fd, &r, sizeof r) < 0)
                _exit(126);   /* nobody left to tell */
        _exit(127);
}

/* Puts one overlay in place in the child's mount namespace. Only returns on
 * success. */
static void apply_overlay(const struct overlay *o, int err_fd)
{
        char path[PATH_MAX + NAME_MAX + 2];

        switch (o->mode) {
        case OVERLAY_SKIP:
                return;
        case OVERLAY_BIND_FILE:
                snprintf(path, sizeof path, "%s/%s", STAGE_DIR, o->stage_name);
                if (write_text(path, o->text) < 0)
                        child_fail(err_fd, errno, "write %s", path);
                if (mount(path, o->target, NULL, MS_BIND, NULL) < 0)
                        child_fail(err_fd, errno, "mount --bind over %s", o->target);
                return;
        case OVERLAY_TMPFS_DIR:
                if (mount("stubcompat", o->target, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTS) < 0)
                        child_fail(err_fd, errno, "mount tmpfs on %s", o->target);
                snprintf(path, sizeof path, "%s/%s", o->target, o->base);
                if (o->base[0] != '\0' && write_text(path, o->text) < 0)
                        child_fail(err_fd, errno, "write %s", path);
                return;
        }
}

/* Child side of sandbox_spawn_worker: never returns. */
__attribute__((noreturn))
static void worker_child(const struct worker_plan *plan, int in_fd, int out_fd, int err_fd,
                         bool mark_fds_closed)
{
        char *const argv[] = { (char *)plan->helper_path, NULL };
        sigset_t none;
        int in_hi, out_hi;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        /* Its own process group: a Ctrl-C meant for the run must not kill the
         * helper first and turn its cell into a harness error. The helper
         * still ends when the harness does (its stdin closes; and below). */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* stdin, stdout and the report pipe first, then nothing else: the
         * harness's sockets (its port-53 servers) must not stay open here
         * while the mounts are made, or a server the harness closed
         * meanwhile keeps its address. */
        in_hi = fcntl(in_fd, F_DUPFD_CLOEXEC, 3);
        out_hi = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
        if (in_hi < 0 || out_hi < 0 || dup2(in_hi, 0) < 0 || dup2(out_hi, 1) < 0)
                child_fail(err_fd, errno, "dup2 stdin/stdout");
        if (err_fd != 3 && dup3(err_fd, 3, O_CLOEXEC) < 0)
                child_fail(err_fd, errno, "dup3 report pipe");
        err_fd = 3;
        if (close_range(4, ~0U, 0) < 0)
                for (int fd = 4; fd < 4096; fd++)
                        close(fd);
        if (mark_fds_closed && write(err_fd, "F", 1) != 1)
                _exit(126);
        if (unshare(CLONE_NEWNS) < 0)
                child_fail(err_fd, errno, "unshare(CLONE_NEWNS)");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                child_fail(err_fd, errno, "mount(/, MS_REC|MS_PRIVATE)");
        if (mount("stubcompat", STAGE_DIR, "tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTS) < 0)
                child_fail(err_fd, errno, "mount tmpfs on " STAGE_DIR);
        for (int i = 0; i <= OVERLAY_COUNT; i++)
                apply_overlay(&plan->ov[i], err_fd);
        /* The bind mounts keep the staged files alive. */
        if (umount2(STAGE_DIR, MNT_DETACH) < 0)
                child_fail(err_fd, errno, "umount " STAGE_DIR);
        execv(plan->helper_path, argv);
        child_fail(err_fd, errno, "exec %s", plan->helper_path);
}

/* Waits for the child's exec. Returns 0 when it exec'd, or -1 + why after
 * reaping the child. */
static int await_exec(int err_fd, pid_t pid, char *why, size_t whylen)
{
        struct child_report r;
        ssize_t n;

        while ((n = read(err_fd, &r, sizeof r)) < 0 && errno == EINTR)
                ;
        if (n == 0)
                return 0;   /* EOF without a report: exec closed the pipe */
        if (n == (ssize_t)sizeof r) {
                r.step[sizeof r.step - 1] = '\0';
                set_why(why, whylen, "worker: %s: %s", r.step, strerror(r.err));
        } else {
                set_why(why, whylen, "worker: no exec and no report (%s)",
                        n < 0 ? strerror(errno) : "short read");
                kill(pid, SIGKILL);
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return -1;
}

static int spawn(const struct sandbox_worker_config *cfg, struct sandbox_worker *w, bool wait,
                 char *why, size_t whylen);

/* Waits until the child closed its copies of the harness's descriptors (it
 * writes one byte). Returns 0, or -1 + why after reaping the child. */
static int await_fds_closed(int err_fd, pid_t pid, char *why, size_t whylen)
{
        char mark;
        ssize_t n;

        while ((n = read(err_fd, &mark, 1)) < 0 && errno == EINTR)
                ;
        if (n == 1 && mark == 'F')
                return 0;
        set_why(why, whylen, "worker: failed before its descriptors were closed");
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return -1;
}

int sandbox_spawn_worker(const struct sandbox_worker_config *cfg,
                         struct sandbox_worker *w, char *why, size_t whylen)
{
        return spawn(cfg, w, true, why, whylen);
}

int sandbox_spawn_worker_nowait(const struct sandbox_worker_config *cfg,
                                struct sandbox_worker *w, char *why, size_t whylen)
{
        return spawn(cfg, w, false, why, whylen);
}

/* Both spawns: with wait, until the child exec'd or reported its failure. */
static int spawn(const struct sandbox_worker_config *cfg, struct sandbox_worker *w, bool wait,
                 char *why, size_t whylen)
{
        struct worker_plan plan;   /* ~17 KiB */
        int to[2] = { -1, -1 }, from[2] = { -1, -1 }, err[2] = { -1, -1 };
        pid_t pid;
        int rc = -1;

        *w = (struct sandbox_worker){ .pid = -1, .to_fd = -1, .from_fd = -1 };
        if (cfg == NULL || cfg->helper_path == NULL || cfg->resolv_conf == NULL) {
                set_why(why, whylen, "worker config needs helper_path and resolv_conf");
                return -1;
        }
        if (access(cfg->helper_path, X_OK) < 0) {
                set_why(why, whylen, "helper %s: %s", cfg->helper_path, strerror(errno));
                return -1;
        }
        if (plan_worker(&plan, cfg, why, whylen) < 0)
                return -1;
        if (pipe2(to, O_CLOEXEC) < 0 || pipe2(from, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
                set_why(why, whylen, "pipe2: %s", strerror(errno));
                goto cleanup;
        }
        pid = fork();
        if (pid < 0) {
                set_why(why, whylen, "fork: %s", strerror(errno));
                goto cleanup;
        }
        if (pid == 0)
                worker_child(&plan, to[0], from[1], err[1], !wait);
        close_fd(&to[0]);
        close_fd(&from[1]);
        close_fd(&err[1]);
        if (wait ? await_exec(err[0], pid, why, whylen) < 0
                 : await_fds_closed(err[0], pid, why, whylen) < 0)
                goto cleanup;
        *w = (struct sandbox_worker){ .pid = pid, .to_fd = to[1], .from_fd = from[0] };
        to[1] = from[0] = -1;   /* now owned by *w */
        rc = 0;
cleanup:
        for (int i = 0; i < 2; i++) {
                close_fd(&to[i]);
                close_fd(&from[i]);
                close_fd(&err[i]);
        }
        return rc;
}

void sandbox_worker_stop(struct sandbox_worker *w)
{
        close_fd(&w->to_fd);
        close_fd(&w->from_fd);
        if (w->pid > 0) {
                kill(w->pid, SIGKILL);
                while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        w->pid = -1;
}
