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
#include <string.h>

typedef struct xlsx_buffer {
	char *data;
	size_t len;
	size_t cap;
} xlsx_buffer;

/* Grows the buffer to hold n more bytes and the NUL: 0, or -1 when out
 * of memory, the buffer unchanged. */
int xlsx_buffer_reserve(xlsx_buffer *b, size_t n);

/* Appends n bytes (n may be 0: then only the NUL is ensured).  0, or -1
 * when out of memory, the buffer unchanged.  Inline: the sheet's parser
 * calls it for every cell's text. */
static inline int xlsx_buffer_add(xlsx_buffer *b, const char *bytes,
				  size_t n)
{
	if (b->len + n + 1 > b->cap && xlsx_buffer_reserve(b, n))
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

/* Frees the data; the buffer is empty again. */
void xlsx_buffer_release(xlsx_buffer *b);

#endif
