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

/* The size of a huge page on x86-64. */
#define XLSX_HUGE_PAGE ((size_t)2 << 20)

/* malloc(n) for a large buffer that is written from its start (the
 * shared strings' table, a large sheet's unpacked XML and rows in
 * flight): from n of XLSX_HUGE_PAGE on, aligned to it and with the
 * kernel asked to back it by huge pages where it can, so that its first
 * writes take a page fault per 2 MiB rather than per 4 KiB (each one a
 * trap into the kernel, and on a virtual machine often into the
 * hypervisor too; docs/benchmarks.md, the xlsx plugin's page faults).
 * Advice only: where the system has no transparent huge pages it is
 * malloc's memory.  A huge page is resident whole once written, so a
 * buffer of which only a
 * little is written should not use it.  Freed by free. */
void *xlsx_alloc_large(size_t n);

#endif
