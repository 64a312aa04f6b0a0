/*
 * kpi_strmap.c - numbered string sets: open addressing with FNV-1a.
 */
#include "kpi_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t kpi_strmap_hash(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211u;
	}
	return (size_t)h;
}

/* Double the table (keeping it at most half full). */
static int kpi_strmap_grow(kpi_strmap *map)
{
	size_t n = map->slot_count ? map->slot_count * 2 : 64;
	size_t *slots = calloc(n, sizeof(*slots));
	char **keys = realloc(map->keys, n / 2 * sizeof(*keys));
	size_t *lens;

	if (keys)
		map->keys = keys;
	lens = keys ? realloc(map->lens, n / 2 * sizeof(*lens)) : NULL;
	if (lens)
		map->lens = lens;
	if (!slots || !lens) {
		free(slots);
		return -1;
	}
	for (size_t i = 0; i < map->count; i++) {
		size_t s = kpi_strmap_hash(map->keys[i], map->lens[i]) & (n - 1);

		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = i + 1;
	}
	free(map->slots);
	map->slots = slots;
	map->slot_count = n;
	return 0;
}

/* The index of key, or -1 and in *slot the empty slot it would take.
 * The table must have slots. */
static long kpi_strmap_probe(const kpi_strmap *map, const char *key,
			     size_t len, size_t *slot)
{
	size_t s = kpi_strmap_hash(key, len) & (map->slot_count - 1);

	while (map->slots[s]) {
		size_t i = map->slots[s] - 1;

		if (map->lens[i] == len && memcmp(map->keys[i], key, len) == 0)
			return (long)i;
		s = (s + 1) & (map->slot_count - 1);
	}
	*slot = s;
	return -1;
}

long kpi_strmap_put(kpi_strmap *map, const char *key, size_t len,
		    int *added)
{
	size_t s = 0;	/* set by the probe; gcc -O3 cannot see that */
	long found;
	char *copy;

	*added = 0;
	if ((map->count + 1) * 2 > map->slot_count && kpi_strmap_grow(map) < 0)
		return -1;
	found = kpi_strmap_probe(map, key, len, &s);
	if (found >= 0)
		return found;
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, key, len);
	copy[len] = '\0';
	map->keys[map->count] = copy;
	map->lens[map->count] = len;
	map->slots[s] = ++map->count;
	*added = 1;
	return (long)(map->count - 1);
}

long kpi_strmap_find(const kpi_strmap *map, const char *key, size_t len)
{
	size_t s;

	return map->slot_count ? kpi_strmap_probe(map, key, len, &s) : -1;
}

void kpi_strmap_release(kpi_strmap *map)
{
	for (size_t i = 0; i < map->count; i++)
		free(map->keys[i]);
	free(map->keys);
	free(map->lens);
	free(map->slots);
	memset(map, 0, sizeof(*map));
}
