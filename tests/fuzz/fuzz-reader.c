/* Fuzz target: the reader on any bytes. Walks the message the way a stub
 * does (header, questions, every record, finish) and describes the error.
 * Checks that a name read from the wire survives text and back, and that
 * a record's rdata lies inside the message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/wire/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A wire name must print and parse back to itself. */
static void check_name_text(const uint8_t *name, size_t len)
{
        char text[DNS_NAME_MAX * 4 + 2];
        uint8_t back[DNS_NAME_MAX];
        size_t blen;

        if (len == 0)
                return;
        if (len > DNS_NAME_MAX)
                abort();
        wire_name_to_text(name, len, text, sizeof(text));
        if (wire_name_from_text(text, back, &blen) < 0 || blen != len ||
            memcmp(back, name, len) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct wire_reader r;
        struct wire_question q;
        struct wire_rr rr;
        char err[128];
        int got;

        if (wire_reader_init(&r, data, size) == 0) {
                while ((got = wire_reader_question(&r, &q)) == 1)
                        check_name_text(q.name, q.name_len);
                while (got >= 0 && (got = wire_reader_rr(&r, &rr)) == 1) {
                        if (rr.rdata_offset > size || rr.rdlength > size - rr.rdata_offset ||
                            rr.rdata != data + rr.rdata_offset)
                                abort();
                        check_name_text(rr.owner, rr.owner_len);
                        check_name_text(rr.target, rr.target_len);
                }
                if (got == 0)
                        wire_reader_finish(&r);
        }
        wire_reader_describe_error(&r, err, sizeof(err));
        /* a failed reader says where; a clean one says "ok" */
        if ((r.c.err == WIRE_OK) != (strcmp(err, "ok") == 0))
                abort();
        if (r.c.err != WIRE_OK && r.c.err_pos > size)
                abort();
        return 0;
}
