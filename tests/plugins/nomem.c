/*
 * nomem.c - memory that runs out while peil writes an output, for the
 * tests of its exit code (tests/e2e/cases_hygiene.sh).  Preloaded
 * (LD_PRELOAD): once the file named by PEIL_NOMEM_AFTER_OPEN is opened
 * with fopen, every allocation fails with ENOMEM.  What ran before (the
 * configuration, the store, the figures read) was not starved.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* glibc's own allocator: dlsym(RTLD_NEXT) would allocate itself. */
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);

static int exhausted;

FILE *fopen(const char *path, const char *mode)
{
	static FILE *(*real_fopen)(const char *, const char *);
	const char *after = getenv("PEIL_NOMEM_AFTER_OPEN");
	FILE *f;

	if (!real_fopen)
		*(void **)(&real_fopen) = dlsym(RTLD_NEXT, "fopen");
	f = real_fopen(path, mode);
	if (f && after && strcmp(path, after) == 0)
		exhausted = 1;
	return f;
}

void *malloc(size_t size)
{
	if (exhausted) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t count, size_t size)
{
	if (exhausted) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(count, size);
}

void *realloc(void *p, size_t size)
{
	if (exhausted && size) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}
