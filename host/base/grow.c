/*
 * grow.c - growing an array by appending (grow.h).
 */
#include "base/grow.h"

#include <stdint.h>
#include <stdlib.h>

enum { GROW_FIRST = 8 };

void *grow_for(void *array, size_t count, size_t size)
{
	size_t cap;

	/* Reallocate only where the capacity implied by count runs out: at
	 * 0, and at every power of two from GROW_FIRST on. */
	if (array && (count < GROW_FIRST || (count & (count - 1)) != 0))
		return array;
	cap = count < GROW_FIRST ? GROW_FIRST : 2 * count;
	if (cap < count || size == 0 || cap > SIZE_MAX / size)
		return NULL;
	return realloc(array, cap * size);
}
