/*
 * test_strmap.c - numbered string sets: numbers in adding order, keys
 * of every length (the hash reads eight bytes at a time), bytes that C
 * strings cannot hold, growth across many rehashes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "base/strmap.h"

TEST(numbers_in_adding_order)
{
	strmap map = { 0 };
	int added;

	CHECK_INT(strmap_find(&map, "a", 1), -1);
	CHECK_INT(strmap_put(&map, "{}", 2, &added), 0);
	CHECK_INT(added, 1);
	CHECK_INT(strmap_put(&map, "Oost", 4, &added), 1);
	CHECK_INT(strmap_put(&map, "{}", 2, &added), 0);
	CHECK_INT(added, 0);
	CHECK_INT(strmap_put(&map, "", 0, &added), 2);
	CHECK_INT(added, 1);
	CHECK_INT(strmap_find(&map, "", 0), 2);
	CHECK_INT(strmap_find(&map, NULL, 0), 2);	/* empty: any pointer */
	CHECK_INT(strmap_put(&map, NULL, 0, &added), 2);
	CHECK_INT(added, 0);
	CHECK_INT(strmap_find(&map, "Oos", 3), -1);
	CHECK_INT(strmap_find(&map, "Oost", 4), 1);
	CHECK_STR(strmap_key(&map, 0), "{}");
	CHECK_STR(strmap_key(&map, 1), "Oost");
	CHECK_STR(strmap_key(&map, 2), "");
	CHECK_INT(map.count, 3);
	strmap_release(&map);
	CHECK_INT(map.count, 0);
	strmap_release(&map);	/* twice is harmless */
}

/* Keys of NUL bytes that differ only in one byte (or in none: at == len),
 * at every position and length around the eight-byte steps of the hash. */
TEST(every_length_and_byte)
{
	strmap map = { 0 };
	char key[40];
	long n = 0;
	int added;

	for (size_t len = 0; len <= sizeof(key); len++)
		for (size_t at = 0; at <= len; at++) {
			memset(key, 'x', sizeof(key));
			memset(key, '\0', len);
			if (at < len)
				key[at] = 'y';
			CHECK_INT(strmap_put(&map, key, len, &added), n);
			CHECK_INT(added, 1);
			n++;
		}
	CHECK_INT(map.count, n);
	n = 0;
	for (size_t len = 0; len <= sizeof(key); len++)
		for (size_t at = 0; at <= len; at++) {
			memset(key, '\0', len);
			if (at < len)
				key[at] = 'y';
			CHECK_INT(strmap_find(&map, key, len), n);
			CHECK_INT(memcmp(strmap_key(&map, (size_t)n), key,
					 len), 0);
			CHECK_INT(strmap_key(&map, (size_t)n)[len], '\0');
			n++;
		}
	strmap_release(&map);
}

TEST(grows)
{
	strmap map = { 0 };
	char key[32];
	int added;

	for (long i = 0; i < 200000; i++) {
		int len = snprintf(key, sizeof(key), "P%07ld",
				   i * 7919 % 1000003);

		CHECK_INT(strmap_put(&map, key, (size_t)len, &added), i);
		CHECK_INT(added, 1);
	}
	for (long i = 199999; i >= 0; i -= 997) {
		int len = snprintf(key, sizeof(key), "P%07ld",
				   i * 7919 % 1000003);

		CHECK_INT(strmap_put(&map, key, (size_t)len, &added), i);
		CHECK_INT(added, 0);
		CHECK_STR(strmap_key(&map, (size_t)i), key);
	}
	CHECK_INT(strmap_find(&map, "P", 1), -1);
	CHECK(map.slot_count >= 2 * map.count);
	/* held: the text of 200 000 keys of 9 bytes with their NULs in
	 * 2^21 bytes (256 doubled), 200 002 offsets in 2^18 of 4 bytes (64
	 * doubled), at most half of 2^19 slots of 8 bytes full (64
	 * doubled): 2 097 152 + 1 048 576 + 4 194 304 */
	CHECK_INT(strmap_bytes(&map), 7340032);
	strmap_release(&map);
}

/* Appended keys are numbered like put ones and hashed only when the map
 * is next put to or indexed. */
TEST(append_then_index)
{
	strmap map = { 0 };
	char key[32];
	int added;

	for (long i = 0; i < 1000; i++) {
		int len = snprintf(key, sizeof(key), "D2018-%06ld", i);

		CHECK_INT(strmap_append(&map, key, (size_t)len), i);
	}
	CHECK_INT(map.count, 1000);
	CHECK_STR(strmap_key(&map, 999), "D2018-000999");
	CHECK_INT(strmap_find(&map, "D2018-000010", 12), -1);
	CHECK_INT(strmap_index(&map), 0);
	CHECK_INT(strmap_find(&map, "D2018-000010", 12), 10);
	CHECK_INT(strmap_append(&map, "D2018-001000", 12), 1000);
	/* put hashes the appended key before it looks */
	CHECK_INT(strmap_put(&map, "D2018-001000", 12, &added), 1000);
	CHECK_INT(added, 0);
	CHECK_INT(strmap_put(&map, "D2018-001001", 12, &added), 1001);
	CHECK_INT(added, 1);
	for (long i = 0; i < 1002; i++) {
		int len = snprintf(key, sizeof(key), "D2018-%06ld", i);

		CHECK_INT(strmap_find(&map, key, (size_t)len), i);
	}
	CHECK(map.slot_count >= 2 * map.count);
	strmap_release(&map);
}

/* The cache in front of a map: a hit only for the very key, also when
 * keys share their length and first and last eight bytes (one slot). */
TEST(cache_in_front)
{
	strmap map = { 0 };
	strmap_cache cache = { { 0 } };
	const char *keys[] = { "Buurtteam Noord-Oost", "Buurtteam Noord-West",
			       "Buurtteam Zuid-West", "", "abc", "abd",
			       "Buurtteam_Noord-West" };
	size_t n = sizeof(keys) / sizeof(keys[0]), slot, other;
	int added;

	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(keys[i]);
			long at = strmap_cache_find(&cache, &map, keys[i], len,
						    &slot);

			if (at < 0) {
				at = strmap_put(&map, keys[i], len, &added);
				strmap_cache_put(&cache, slot, at);
			}
			CHECK_INT(at, (long)i);
		}
	/* same length, first and last eight bytes: the same slot, so the
	 * second evicts the first, and neither is taken for the other */
	CHECK(strmap_cache_find(&cache, &map, keys[2], 19, &slot) >= -1);
	strmap_cache_find(&cache, &map, keys[6], 20, &other);
	strmap_cache_find(&cache, &map, keys[1], 20, &slot);
	CHECK_INT(slot, other);
	strmap_cache_put(&cache, slot, 1);
	CHECK_INT(strmap_cache_find(&cache, &map, keys[6], 20, &slot), -1);
	CHECK_INT(strmap_cache_find(&cache, &map, keys[1], 20, &slot), 1);
	/* a key not in the map is never found */
	CHECK_INT(strmap_cache_find(&cache, &map, "abe", 3, &slot), -1);
	CHECK_INT(strmap_cache_find(&cache, &map, "Buurtteam Noord-Oos", 19,
				    &slot), -1);
	strmap_release(&map);
}

int main(void)
{
	RUN(numbers_in_adding_order);
	RUN(every_length_and_byte);
	RUN(grows);
	RUN(append_then_index);
	RUN(cache_in_front);
	return harness_done();
}
