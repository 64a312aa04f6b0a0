/*
 * xlsx_buffer.c - the growing buffer: doubles, so that a row of n bytes
 * costs O(n) copies.
 */
#define _DEFAULT_SOURCE	/* MADV_HUGEPAGE */
#include "xlsx_buffer.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

void *xlsx_alloc_large(size_t n)
{
	void *p;

	if (n < XLSX_HUGE_PAGE)
		return malloc(n);
	if (posix_memalign(&p, XLSX_HUGE_PAGE, n) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* p is page aligned; madvise takes whole pages */
	madvise(p, (n + (size_t)sysconf(_SC_PAGESIZE) - 1) &
			   ~((size_t)sysconf(_SC_PAGESIZE) - 1),
		MADV_HUGEPAGE);
#endif
	return p;
}
