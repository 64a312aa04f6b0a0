/*
 * grow.h - growing an array by appending, one way everywhere (git's
 * ALLOC_GROW, without its die() on failure).
 *
 * The capacity of such an array follows from its count: 8 elements, then
 * the next power of two.  So a caller keeps only its count, and every
 * append goes through grow_for:
 *
 *	item *grown = grow_for(list->items, list->count, sizeof(*grown));
 *	if (!grown)
 *		return -1;		// list->items is untouched
 *	list->items = grown;
 *	list->items[list->count++] = new_item;
 *
 * A count that goes down (items removed) is fine: the array is then larger
 * than its count asks, and the next power of two resizes it again.
 */
#ifndef PEIL_GROW_H
#define PEIL_GROW_H

#include <stddef.h>

/* Room for the element at index count of array (count elements of size
 * bytes in use; NULL when count is 0 and nothing was allocated): the
 * array, moved or not, or NULL when out of memory or when the size would
 * overflow, and then array is still valid and unchanged. */
void *grow_for(void *array, size_t count, size_t size);

#endif
