#include "harness/util/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *file_kind(mode_t m)
{
        if (S_ISDIR(m))
                return "a folder";
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISSOCK(m))
                return "a socket";
        if (S_ISCHR(m) || S_ISBLK(m))
                return "a device";
        return "not a regular file";
}

int safe_open_input(const char *path, char *err, size_t errlen)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

        if (fd < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        if (fstat(fd, &st) < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                close(fd);
                return -1;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "%s: %s, not a regular file", path, file_kind(st.st_mode));
                close(fd);
                return -1;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return fd;
}

FILE *safe_fopen_input(const char *path, char *err, size_t errlen)
{
        int fd = safe_open_input(path, err, errlen);
        FILE *f;
        if (fd < 0)
                return NULL;
        if (!(f = fdopen(fd, "rb"))) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                close(fd);
        }
        return f;
}

int safe_tmp_create(int dirfd, const char *name, char *tmp, size_t tmplen)
{
        for (int attempt = 0; attempt < 100; attempt++) {
                uint32_t r;
                if (getrandom(&r, sizeof(r), 0) != sizeof(r))
                        r = (uint32_t)getpid() * 2654435761u + (uint32_t)attempt;
                if ((size_t)snprintf(tmp, tmplen, "%s.tmp.%08x", name, r) >= tmplen) {
                        errno = ENAMETOOLONG;
                        return -1;
                }
                int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                0644);
                if (fd >= 0 || errno != EEXIST)
                        return fd;
        }
        errno = EEXIST;
        return -1;
}

int safe_tmp_beside(const char *path, int *dirfd, const char **base, char *tmp, size_t tmplen)
{
        char dir[4096];
        const char *slash = strrchr(path, '/');
        int fd;

        *base = slash ? slash + 1 : path;
        if (slash)
                snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
        else
                snprintf(dir, sizeof(dir), ".");
        *dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (*dirfd < 0)
                return -1;
        fd = safe_tmp_create(*dirfd, *base, tmp, tmplen);
        if (fd < 0) {
                int e = errno;
                close(*dirfd);
                *dirfd = -1;
                errno = e;
        }
        return fd;
}

int safe_dir_check(int dirfd, const char *path, char *err, size_t errlen)
{
        struct stat st;
        if (fstat(dirfd, &st) < 0) {
                snprintf(err, errlen, "%s: %s", path, strerror(errno));
                return -1;
        }
        if (st.st_uid != geteuid()) {
                snprintf(err, errlen, "%s: owned by uid %u, not by you (uid %u): refusing to write "
                         "results where another user can replace them", path, (unsigned)st.st_uid,
                         (unsigned)geteuid());
                return -1;
        }
        if (st.st_mode & S_IWOTH) {
                snprintf(err, errlen, "%s: writable by others (mode %04o): refusing to write "
                         "results where anyone can plant files (chmod o-w)", path,
                         (unsigned)(st.st_mode & 07777));
                return -1;
        }
        return 0;
}
