/* Small string, vector and file helpers shared by the parsers. */
#pragma once

#include <stddef.h>

/* Removes leading and trailing white space in place. */
void str_trim(char *s);
/* Cuts a '#' comment that starts a line or follows white space, outside quotes. */
void str_strip_comment(char *s);
/* Appends a copy of s to a string vector. Returns 0, or -1 when out of memory. */
int strv_push(char ***v, size_t *n, const char *s);
void strv_free(char **v, size_t n);
/* The candidate closest to word by edit distance (case-insensitive), or NULL
 * when none is within a third of word's length (at least 2 edits): for
 * "did you mean" hints. get(i, arg) returns candidate i of n. */
const char *str_closest(const char *word, size_t n, const char *(*get)(size_t i, void *arg),
                        void *arg);
/* Reads a whole file, NUL-terminated. Returns 0 with *out (caller frees) and
 * *len when len is not NULL, or -1 with "path: reason" in err. */
int file_read_all(const char *path, char **out, size_t *len, char *err, size_t errlen);
/* Reads a text file: as file_read_all, but a NUL byte is an error
 * "path:line: a NUL byte: not <what>". Returns 0 with *out, or -1 with err. */
int file_read_text(const char *path, const char *what, char **out, char *err, size_t errlen);
/* Writes data to path atomically: a temporary file in the same directory,
 * fsync, rename. Returns 0, or -1 with "path: reason" in err; on failure the
 * previous file is untouched. */
int file_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);
