/* Fuzz target: the capture reader (replay_pcap_read, harness/replay/) on the
 * bytes written to a file (libpcap opens a path), server port guessed (0),
 * into a canned table that is checked (fuzz-canned.h) and freed. A failure
 * must come with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/replay/pcap-read.h"
#include "tests/fuzz/fuzz-canned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void cleanup(void)
{
        unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct canned_table t;
        char err[1024];
        FILE *f;

        if (!path[0]) {
                const char *tmp = getenv("TMPDIR");
                int fd;
                snprintf(path, sizeof(path), "%s/fuzz-pcap.XXXXXX", tmp && *tmp ? tmp : "/tmp");
                fd = mkstemp(path);
                if (fd < 0) {
                        perror(path);
                        abort();
                }
                close(fd);
                atexit(cleanup);
        }
        f = fopen(path, "wb");
        if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
                perror(path);
                abort();
        }
        if (canned_table_init(&t) < 0)
                abort();
        err[0] = '\0';
        if (replay_pcap_read(path, 0, &t, err, sizeof(err)) == 0)
                fuzz_check_table(&t);
        else if (!err[0])
                abort();
        canned_table_free(&t);
        return 0;
}
