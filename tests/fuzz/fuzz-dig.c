/* Fuzz target: the dig reader (replay_dig_parse, harness/replay/) on the
 * bytes as text (a NUL-terminated copy; text after a NUL byte is not seen),
 * into a canned table that is checked (fuzz-canned.h) and freed. A failure
 * must come with a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/replay/dig-read.h"
#include "tests/fuzz/fuzz-canned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct canned_table t;
        char err[1024];
        char *text = malloc(size + 1);

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (canned_table_init(&t) < 0)
                abort();
        err[0] = '\0';
        if (replay_dig_parse("fuzz.txt", text, &t, err, sizeof(err)) == 0)
                fuzz_check_table(&t);
        else if (!err[0])
                abort();
        canned_table_free(&t);
        free(text);
        return 0;
}
