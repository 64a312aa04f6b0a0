/*
 * xlsx_buffer.h - a growing byte buffer, always NUL-terminated: a row's
 * cell texts, a row as a CSV line.
 *
 * Invariant: data is NULL with len and cap 0, or holds len bytes and a
 * NUL at data[len], in cap bytes.
 */
#ifndef PEIL_XLSX_BUFFER_H
#define PEIL_XLSX_BUFFER_H

#include <stddef.h>

typedef struct xlsx_buffer {
	char *data;
	size_t len;
	size_t cap;
} xlsx_buffer;

/* Appends n bytes (n may be 0: then only the NUL is ensured).  0, or -1
 * when out of memory, the buffer unchanged. */
int xlsx_buffer_add(xlsx_buffer *b, const char *bytes, size_t n);

/* Frees the data; the buffer is empty again. */
void xlsx_buffer_release(xlsx_buffer *b);

#endif
