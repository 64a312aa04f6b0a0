/*
 * kpi_strmap.h - a set of byte strings numbered in the order they were
 * added: breakdown cells and count_distinct values during evaluation.
 *
 * Zero-initialise a kpi_strmap to start; kpi_strmap_release frees it.
 */
#ifndef PEIL_KPI_STRMAP_H
#define PEIL_KPI_STRMAP_H

#include <stddef.h>

typedef struct kpi_strmap {
	size_t count;
	char **keys;		/* NUL-terminated copies, in adding order */
	size_t *lens;
	size_t *slots;		/* hash table of index + 1; 0 is empty */
	size_t slot_count;	/* a power of two, or 0 */
} kpi_strmap;

/* The number of key[0..len), added when absent (then *added is 1).
 * -1 when out of memory. */
long kpi_strmap_put(kpi_strmap *map, const char *key, size_t len,
		    int *added);
/* The number of key[0..len), or -1 when absent. */
long kpi_strmap_find(const kpi_strmap *map, const char *key, size_t len);
void kpi_strmap_release(kpi_strmap *map);

#endif
