/* The compatibility matrix: the record every report is a view of. It is built
 * from a run, or read back from matrix.json (merge, baseline), so a merged
 * set of shards and a single run give the same views.
 *
 * A matrix owns the texts its cells point to: each distinct text (a client's
 * name, a query, a parameter value, a detail) is stored once in the matrix's
 * string pool, and each point's parameter values once, so a cell is a small
 * fixed record whatever the texts are. Cells are built with the functions
 * below (matrix_add_cell, matrix_cell_set_*); a cell's texts live until
 * matrix_free. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "harness/run/outcome.h"
#include "harness/run/runner.h"

#define MATRIX_SCHEMA 1
#define MATRIX_MAX_AXES 16

/* The longest texts a cell holds, in bytes: a longer text is cut to this
 * when set, and refused when matrix.json is read. Views size their buffers
 * by these. */
#define MATRIX_CLIENT_MAX 63
#define MATRIX_KIND_MAX 15
#define MATRIX_QNAME_MAX 255
#define MATRIX_VALUE_MAX 31
#define MATRIX_DETAIL_MAX 255

struct strpool;

/* Texts are never NULL in a cell of a matrix: "" when empty. client, kind,
 * qname, detail and values point into the matrix (or at constant strings)
 * and are set with matrix_cell_set_*; a cell may be copied within its own
 * matrix by assignment, into another matrix only with matrix_cell_copy. */
struct matrix_cell {
        size_t index;
        size_t point;
        const char *client;
        const char *kind;
        const char *qname;
        const char *detail;                 /* the client's own words, "" when none */
        const char *const *values;          /* [naxes], aligned with matrix.axes; shared by
                                             * the cells of a point */
        char qtype[8];
        /* how far the verdict rests on real code: "real", "calibrated",
         * "uncalibrated point" (a calibrated client outside the calibration
         * grid), "model"; "" in files written before the field existed */
        char standing[24];
        enum verdict verdict;
        char reason[32];
        size_t addresses, expected;
        char path[8];
        long udp_bytes, tcp_bytes;          /* -1: none */
        unsigned udp_queries, tcp_queries, tc_replies;
        int edns;                           /* -1: none */
        /* behind a resolver: its name ("" when direct) and what it answered the
         * stub; the fields above are then what it asked the fake server */
        char resolver[16];
        unsigned stub_udp_replies, stub_tcp_replies, stub_tc_replies;
        long stub_udp_bytes, stub_tcp_bytes;  /* -1: none */
        int stub_udp_records, stub_tcp_records, stub_rcode;  /* -1: none */
        double elapsed_ms;                  /* timing, not compared */
};

/* `struct matrix m = { 0 }` is an empty matrix; free every matrix with
 * matrix_free. */
struct matrix {
        char suite[128];
        char scenario[512];
        bool complete;
        size_t total;                       /* cells in the whole suite */
        char axes[MATRIX_MAX_AXES][32];     /* swept parameters, file order */
        size_t naxes;
        struct matrix_cell *cells;
        size_t ncells;
        /* owned storage, kept by the functions below */
        size_t cap;                         /* cells there is room for */
        struct strpool *pool;               /* the cells' texts and values */
        const char *const *last_values;     /* the values array made last, */
        size_t last_nvalues;                /* and its length */
};

/* Builds the matrix of a run, taking the run's cells: res->cells is
 * emptied as they are moved, so a large run is never held twice. The rest
 * of res (captures, harness_failed, sets) is left as it was. Returns 0, or
 * -1 when out of memory (m is then empty, res's cells partly taken). */
/* How cells spell a query type: "A", "AAAA", "TXT", "ADDR" (both families). */
void matrix_qtype_text(int qtype, char out[8]);
int matrix_from_run(struct matrix *m, const struct scenario *sc, struct client *const *clients,
                    struct run_result *res);

/* Frees the cells and every text they point to; m is then empty. */
void matrix_free(struct matrix *m);

/* Counts of each verdict per client, for summaries. */
void matrix_count(const struct matrix *m, const char *client, size_t counts[VERDICT_MAX]);

/* ---------------------------------------------------------------- building */

/* Makes room for n cells in all, so adding up to n does not move them.
 * Returns 0, or -1 when out of memory. */
int matrix_reserve(struct matrix *m, size_t n);

/* Gives back the room beyond the cells held, once a matrix of unknown size
 * is built. */
void matrix_trim(struct matrix *m);

/* Appends a cell: numbers zero, texts "", every value "". Returns it, or
 * NULL when out of memory. Pointers to earlier cells stay valid while the
 * matrix holds no more cells than it has room for (matrix_reserve). */
struct matrix_cell *matrix_add_cell(struct matrix *m);

/* Set one text of c, a cell of m, to m's copy of s cut to the field's
 * MATRIX_*_MAX bytes. Return 0, or -1 when out of memory (c unchanged). */
int matrix_cell_set_client(struct matrix *m, struct matrix_cell *c, const char *s);
int matrix_cell_set_kind(struct matrix *m, struct matrix_cell *c, const char *s);
int matrix_cell_set_qname(struct matrix *m, struct matrix_cell *c, const char *s);
int matrix_cell_set_detail(struct matrix *m, struct matrix_cell *c, const char *s);

/* Sets the m->naxes parameter values of c, each cut to MATRIX_VALUE_MAX
 * bytes. Consecutive cells of one point share one array. Returns 0, or -1
 * when out of memory (c unchanged). */
int matrix_cell_set_values(struct matrix *m, struct matrix_cell *c, const char *const *values);

/* Sets the value of one axis (< m->naxes) of c alone. Same returns. */
int matrix_cell_set_value(struct matrix *m, struct matrix_cell *c, size_t axis,
                          const char *value);

/* Copies src, a cell of any matrix with m's axes, into dst, a cell of m, its
 * texts copied into m. Returns 0, or -1 when out of memory (dst unchanged). */
int matrix_cell_copy(struct matrix *m, struct matrix_cell *dst, const struct matrix_cell *src);
