/*
 * strmap.h - a set of byte strings numbered in the order they were
 * added: breakdown cells, count_distinct values and join keys during
 * evaluation.
 *
 * Zero-initialise a strmap to start; strmap_release frees it.
 * The keys live back to back in one block, so that a million of them cost
 * no million allocations: a key's address is valid only until the next put.
 */
#ifndef PEIL_STRMAP_H
#define PEIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct strmap {
	size_t count;
	size_t indexed;		/* keys [0, indexed) are in the table */
	char *text;		/* the keys in adding order, each followed by
				   a NUL */
	size_t text_len, text_cap;
	uint32_t *offsets;	/* [count + 1]: key i is text[offsets[i] ..
				   offsets[i + 1] - 1); the text stays below
				   4 GiB */
	size_t offsets_cap;
	uint64_t *slots;	/* hash table: 0 empty, else index + 1 in
				   the low 32 bits, the key's hash's high
				   32 bits above */
	size_t slot_count;	/* 2^(64 - shift), or 0 */
	unsigned shift;
} strmap;

/* The number of key[0..len), added when absent (then *added is 1).
 * -1 when out of memory. */
long strmap_put(strmap *map, const char *key, size_t len,
		    int *added);
/* The number of key[0..len), or -1 when absent.  Keys appended since the
 * last put or index are not found. */
long strmap_find(const strmap *map, const char *key, size_t len);
/* Add key[0..len) without hashing it, when the caller knows it is absent
 * (it is greater than every key before it, say): keys that are only read
 * in order need no table.  Its number, or -1 when out of memory. */
long strmap_append(strmap *map, const char *key, size_t len);
/* Hash the keys appended: 0, or -1 when out of memory.  Put does this
 * itself. */
int strmap_index(strmap *map);
/* Key i (< count), NUL-terminated; valid until the next put or release. */
const char *strmap_key(const strmap *map, size_t i);
/* The length of key i, without its NUL. */
size_t strmap_len(const strmap *map, size_t i);
void strmap_release(strmap *map);
/* The bytes map holds: its text, offsets and slots, as allocated. */
size_t strmap_bytes(const strmap *map);
/* The hash of key[0..len) that picks its slot (by its high bits):
 * callers that split keys into parts take its low bits, so that the
 * keys of one part still spread over a map's slots. */
uint64_t strmap_hash(const char *key, size_t len);

/* A front for a map with few keys that are looked up for every row (the
 * cells of a breakdown, the texts of a joined dataset): a key's slot is
 * picked from its length and its first and last eight bytes, and a hit
 * costs a compare instead of a hash of the whole key and a probe.
 * 4 096 slots (16 KiB), so that the 1 200 teams of a large municipality
 * mostly keep a slot each (at 256, five teams took turns in a slot).
 * Zero-initialise it; it needs no release. */
#define STRMAP_CACHE_BITS 12
#define STRMAP_CACHE_SLOTS (1u << STRMAP_CACHE_BITS)
typedef struct strmap_cache {
	uint32_t index[STRMAP_CACHE_SLOTS];	/* a key's number + 1, or 0 */
} strmap_cache;

/* The number of key[0..len) in map when the cache has it, else -1; *slot
 * is where strmap_cache_put puts it. */
long strmap_cache_find(const strmap_cache *cache, const strmap *map,
		       const char *key, size_t len, size_t *slot);
/* Remember that key number i (of the key looked up) is in slot. */
void strmap_cache_put(strmap_cache *cache, size_t slot, long i);

#endif
