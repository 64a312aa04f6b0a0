/*
 * xlsx_buffer.c - the growing buffer: doubles, so that a row of n bytes
 * costs O(n) copies.
 */
#include "xlsx_buffer.h"

#include <stdlib.h>

int xlsx_buffer_reserve(xlsx_buffer *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 1024;
	char *grown;

	if (b->len + n + 1 <= b->cap)
		return 0;
	while (cap < b->len + n + 1)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (grown == NULL)
		return -1;
	b->data = grown;
	b->cap = cap;
	return 0;
}

void xlsx_buffer_release(xlsx_buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}
