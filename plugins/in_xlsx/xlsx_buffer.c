/*
 * xlsx_buffer.c - the growing buffer: doubles, so that a row of n bytes
 * costs O(n) copies.
 */
#include "xlsx_buffer.h"

#include <stdlib.h>
#include <string.h>

int xlsx_buffer_add(xlsx_buffer *b, const char *bytes, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (grown == NULL)
			return -1;
		b->data = grown;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void xlsx_buffer_release(xlsx_buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
