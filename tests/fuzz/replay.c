/* Replays fuzz inputs without libFuzzer, so the seed corpora run under any
 * compiler in `meson test --suite fuzz`. Each argument is a file or a
 * directory of files (not recursive, dot files skipped, sorted by name).
 * A crash or abort in the target fails the test; an empty corpus fails too,
 * so that a wrong path cannot pass. Prints
 * "TESTSUMMARY fuzz-<name> passed=N failed=0 skipped=0". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_TARGET_NAME
#define FUZZ_TARGET_NAME "unknown"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file. Returns 0, or -1 when it cannot be read. */
static int replay_file(const char *path)
{
        FILE *f = fopen(path, "rb");
        uint8_t *buf = NULL;
        size_t len = 0, cap = 0, got;
        int ret = -1;

        if (!f) {
                perror(path);
                return -1;
        }
        do {
                if (len == cap) {
                        uint8_t *n = realloc(buf, cap ? cap * 2 : 4096);
                        if (!n)
                                goto cleanup;
                        buf = n;
                        cap = cap ? cap * 2 : 4096;
                }
                got = fread(buf + len, 1, cap - len, f);
                len += got;
        } while (got > 0);
        if (ferror(f)) {
                perror(path);
                goto cleanup;
        }
        LLVMFuzzerTestOneInput(buf, len);
        ret = 0;
cleanup:
        free(buf);
        fclose(f);
        return ret;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_dot(const struct dirent *d)
{
        return d->d_name[0] != '.';
}

/* Runs a file or every file of a directory; adds the inputs run to *n. */
static int replay_path(const char *path, unsigned *n)
{
        struct dirent **list;
        struct stat st;
        int count, ret = 0;

        if (stat(path, &st) < 0) {
                perror(path);
                return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
                if (replay_file(path) < 0)
                        return -1;
                (*n)++;
                return 0;
        }
        count = scandir(path, &list, skip_dot, by_name);
        if (count < 0) {
                perror(path);
                return -1;
        }
        for (int i = 0; i < count; i++) {
                char full[4096];
                snprintf(full, sizeof(full), "%s/%s", path, list[i]->d_name);
                if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (replay_file(full) < 0)
                                ret = -1;
                        else
                                (*n)++;
                }
                free(list[i]);
        }
        free(list);
        return ret;
}

int main(int argc, char **argv)
{
        unsigned n = 0;
        int bad = 0;

        for (int i = 1; i < argc; i++)
                if (replay_path(argv[i], &n) < 0)
                        bad = 1;
        if (n == 0) {
                fprintf(stderr, "fuzz-%s: no inputs\n", FUZZ_TARGET_NAME);
                bad = 1;
        }
        printf("TESTSUMMARY fuzz-%s passed=%u failed=%d skipped=0\n", FUZZ_TARGET_NAME, n, bad);
        return bad;
}
