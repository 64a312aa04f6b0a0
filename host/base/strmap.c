/*
 * strmap.c - numbered string sets: open addressing, linear probing.
 *
 * The hash reads eight bytes at a time: byte-wise FNV-1a over the keys of
 * every row was the largest item in a profile of an evaluation.  A slot
 * keeps the high half of its key's hash, so a probe that meets another
 * key rarely touches that key's text.  The high bits of the hash pick the
 * slot, so growing needs no key's text and keeps the slots' order: the old
 * table is read and the new one written front to back, not at random
 * (reading a million join keys spent most of its time growing).  The
 * table's order never shows: keys are numbered in adding order, so
 * results do not depend on the hash.
 */
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>

/* At most half full and picked by the high 32 bits of the hash, which the
 * slots keep: 2^32 slots. */
#define STRMAP_INDEX_MAX 0x7fffffffu
/* The keys' text with their NULs below 4 GiB: offsets are 32 bits. */
#define STRMAP_TEXT_MAX ((size_t)UINT32_MAX)

static uint64_t strmap_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15u;
	return h ^ (h >> 32);
}

uint64_t strmap_hash(const char *key, size_t len)
{
	uint64_t h = 0x6a09e667f3bcc909u ^ len, w;

	for (; len >= 8; key += 8, len -= 8) {
		memcpy(&w, key, 8);	/* any alignment, any byte order */
		h = strmap_mix(h, w);
	}
	w = 0;
	if (len)
		memcpy(&w, key, len);
	h = strmap_mix(h, w);
	/* splitmix64's finaliser: every bit of h reaches the low bits that
	 * pick the slot */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9u;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebu;
	return h ^ (h >> 31);
}

static uint64_t strmap_entry(uint64_t hash, size_t index)
{
	return (hash & 0xffffffff00000000u) | (uint64_t)(index + 1);
}

/* The home slot of hash h in a table of 2^(64 - shift) slots. */
static size_t strmap_home(uint64_t h, unsigned shift)
{
	return (size_t)(h >> shift);
}

/* Double the table. */
static int strmap_grow(strmap *map)
{
	size_t n = map->slot_count ? map->slot_count * 2 : 64;
	unsigned shift = map->slot_count ? map->shift - 1 : 58;
	uint64_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < map->slot_count; i++) {
		uint64_t e = map->slots[i];
		size_t s;

		if (!e)
			continue;
		/* the entry's high half is the hash's */
		s = strmap_home(e & 0xffffffff00000000u, shift);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = e;
	}
	free(map->slots);
	map->slots = slots;
	map->slot_count = n;
	map->shift = shift;
	return 0;
}

/* The index of key, or -1 and in *slot the empty slot it would take.
 * The table must have slots. */
static long strmap_probe(const strmap *map, const char *key,
			     size_t len, uint64_t h, size_t *slot)
{
	size_t mask = map->slot_count - 1;
	size_t s = strmap_home(h, map->shift);
	uint64_t e;

	while ((e = map->slots[s]) != 0) {
		if ((e ^ h) >> 32 == 0) {
			size_t i = (size_t)(e & 0xffffffffu) - 1;
			size_t at = map->offsets[i];

			/* an empty key may be NULL, which memcmp refuses */
			if (map->offsets[i + 1] - at - 1 == len &&
			    (len == 0 || memcmp(map->text + at, key, len) == 0))
				return (long)i;
		}
		s = (s + 1) & mask;
	}
	*slot = s;
	return -1;
}

/* Room for one more key (count + 2 offsets, its text).  -1 when out of
 * memory or at the most keys or text (offsets are 32 bits: 4 bytes a key
 * fewer for the ten million keys of a join). */
static int strmap_reserve(strmap *map, size_t len)
{
	if (map->count >= STRMAP_INDEX_MAX ||
	    len >= STRMAP_TEXT_MAX - map->text_len)
		return -1;
	if (map->count + 2 > map->offsets_cap) {
		size_t cap = map->offsets_cap ? map->offsets_cap * 2 : 64;
		uint32_t *grown = realloc(map->offsets, cap * sizeof(*grown));

		if (!grown)
			return -1;
		grown[0] = 0;
		map->offsets = grown;
		map->offsets_cap = cap;
	}
	if (map->text_len + len + 1 > map->text_cap) {
		size_t cap = map->text_cap ? map->text_cap : 256;
		char *grown;

		while (cap < map->text_len + len + 1)
			cap *= 2;
		grown = realloc(map->text, cap);
		if (!grown)
			return -1;
		map->text = grown;
		map->text_cap = cap;
	}
	return 0;
}

/* Copy key[0..len) in as the next key (room reserved); its number. */
static size_t strmap_store(strmap *map, const char *key, size_t len)
{
	if (len)
		memcpy(map->text + map->text_len, key, len);
	map->text[map->text_len + len] = '\0';
	map->text_len += len + 1;
	map->offsets[map->count + 1] = (uint32_t)map->text_len;
	return map->count++;
}

int strmap_index(strmap *map)
{
	while (map->count * 2 > map->slot_count)
		if (strmap_grow(map) < 0)
			return -1;
	for (; map->indexed < map->count; map->indexed++) {
		size_t i = map->indexed, at = map->offsets[i];
		uint64_t h = strmap_hash(map->text + at,
					     map->offsets[i + 1] - at - 1);
		size_t s = strmap_home(h, map->shift);

		while (map->slots[s])
			s = (s + 1) & (map->slot_count - 1);
		map->slots[s] = strmap_entry(h, i);
	}
	return 0;
}

long strmap_put(strmap *map, const char *key, size_t len,
		    int *added)
{
	uint64_t h = strmap_hash(key, len);
	size_t s = 0;	/* set by the probe; gcc -O3 cannot see that */
	long found;

	*added = 0;
	if (strmap_index(map) < 0 ||
	    ((map->count + 1) * 2 > map->slot_count &&
	     strmap_grow(map) < 0))
		return -1;
	found = strmap_probe(map, key, len, h, &s);
	if (found >= 0)
		return found;
	if (strmap_reserve(map, len) < 0)
		return -1;
	map->slots[s] = strmap_entry(h, map->count);
	map->indexed++;
	*added = 1;
	return (long)strmap_store(map, key, len);
}

long strmap_append(strmap *map, const char *key, size_t len)
{
	if (strmap_reserve(map, len) < 0)
		return -1;
	return (long)strmap_store(map, key, len);
}

long strmap_find(const strmap *map, const char *key, size_t len)
{
	size_t s;

	return map->slot_count ? strmap_probe(map, key, len,
						  strmap_hash(key, len), &s)
			       : -1;
}

size_t strmap_bytes(const strmap *map)
{
	return map->text_cap + map->offsets_cap * sizeof(*map->offsets) +
	       map->slot_count * sizeof(*map->slots);
}

const char *strmap_key(const strmap *map, size_t i)
{
	return map->text + map->offsets[i];
}

size_t strmap_len(const strmap *map, size_t i)
{
	return map->offsets[i + 1] - map->offsets[i] - 1;
}

void strmap_release(strmap *map)
{
	free(map->text);
	free(map->offsets);
	free(map->slots);
	memset(map, 0, sizeof(*map));
}

long strmap_cache_find(const strmap_cache *cache, const strmap *map,
		       const char *key, size_t len, size_t *slot)
{
	uint64_t a = 0, b = 0, h;
	uint32_t i;

	if (len >= 8) {
		memcpy(&a, key, 8);
		memcpy(&b, key + len - 8, 8);
	} else if (len) {
		memcpy(&a, key, len);
	}
	h = (a ^ (uint64_t)len) * 0x9e3779b97f4a7c15u ^
	    b * 0xc2b2ae3d27d4eb4fu;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9u;
	*slot = (size_t)(h >> (64 - STRMAP_CACHE_BITS));
	i = cache->index[*slot];
	if (i && i <= map->count) {
		size_t at = map->offsets[i - 1];

		if (map->offsets[i] - at - 1 == len &&
		    (len == 0 || memcmp(map->text + at, key, len) == 0))
			return (long)i - 1;
	}
	return -1;
}

void strmap_cache_put(strmap_cache *cache, size_t slot, long i)
{
	if (i >= 0 && i < (long)UINT32_MAX && slot < STRMAP_CACHE_SLOTS)
		cache->index[slot] = (uint32_t)i + 1;
}
