/*
 * test_record_keys.c - the keys of the export being read: a key given
 * twice in one file is found at the row that repeats it, with the line
 * that gave it last, whether the keys came in order (the tail), out of
 * order (held in memory) or outgrew the budget (sorted runs in temporary
 * files), and whatever the budget.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "plugin/record_keys.h"

static const peil_field key_field[] = {
	{ .name = "case_id", .type = PEIL_TYPE_TEXT,
	  .flags = PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
};
static const peil_schema schema = { .name = "cases", .fields = key_field,
				    .field_count = 1 };

/* k ready, with budget bytes (0: the default). */
static void keys_init(record_keys *k, const char *budget)
{
	if (budget)
		setenv("PEIL_RECORD_KEYS_BYTES", budget, 1);
	else
		unsetenv("PEIL_RECORD_KEYS_BYTES");
	record_keys_init(k, &schema);
}

static int note(record_keys *k, const char *key, long line, long *earlier)
{
	*earlier = 0;
	return record_keys_note_key(k, key, strlen(key), line, earlier);
}

/* Digit runs compare by their numbers, so that a case number that
 * outgrows its digits still comes later; equal only when byte-equal. */
TEST(order)
{
	CHECK(record_keys_order("D2018-999999", 12, "D2018-1000000", 13) < 0);
	CHECK(record_keys_order("D2018-1000000", 13, "D2018-999999", 12) > 0);
	CHECK(record_keys_order("D2018-000010", 12, "D2018-000009", 12) > 0);
	CHECK(record_keys_order("D9", 2, "D10", 3) < 0);
	CHECK(record_keys_order("7", 1, "007", 3) < 0);	/* same number */
	CHECK(record_keys_order("007", 3, "7", 1) > 0);
	CHECK(record_keys_order("00", 2, "0", 1) > 0);
	CHECK(record_keys_order("a", 1, "a0", 2) < 0);
	CHECK(record_keys_order("", 0, "a", 1) < 0);
	CHECK(record_keys_order("", 0, "", 0) == 0);
	CHECK(record_keys_order("D12x", 4, "D12x", 4) == 0);
	CHECK(record_keys_order("D12a", 4, "D12b", 4) < 0);
	CHECK(record_keys_order("D/", 2, "D0", 2) < 0);	/* '/' < '0' */
	CHECK(record_keys_order("D:", 2, "D9", 2) > 0);	/* ':' > '9' */
	CHECK(record_keys_order("D1:", 3, "D1\0", 3) > 0);
	/* multi-field keys: each value and a NUL, field by field */
	CHECK(record_keys_order("D2\0P1\0", 6, "D10\0P0\0", 7) < 0);
	CHECK(record_keys_order("D2\0P1\0", 6, "D2\0P10\0", 7) < 0);
}

/* The order by its definition, token by token: a run of digits against a
 * run of digits by its number, then its length; else byte by byte. */
static int order_by_tokens(const char *a, size_t alen, const char *b,
			   size_t blen)
{
	size_t i = 0, j = 0;

	while (i < alen && j < blen) {
		int da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';

		if (da && db) {
			unsigned long long x = 0, y = 0;
			size_t ri = i, rj = j;

			for (; ri < alen && a[ri] >= '0' && a[ri] <= '9'; ri++)
				x = x * 10 + (unsigned)(a[ri] - '0');
			for (; rj < blen && b[rj] >= '0' && b[rj] <= '9'; rj++)
				y = y * 10 + (unsigned)(b[rj] - '0');
			if (x != y)
				return x < y ? -1 : 1;
			if (ri - i != rj - j)
				return ri - i < rj - j ? -1 : 1;
			i = ri;
			j = rj;
			continue;
		}
		if (a[i] != b[j])
			return (unsigned char)a[i] < (unsigned char)b[j] ? -1 : 1;
		i++;
		j++;
	}
	return (i < alen) - (j < blen);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* 200 000 random pairs of short keys of digits and the bytes around
 * them: the same order as by tokens, antisymmetric, 0 only when equal. */
TEST(order_random)
{
	static const char alphabet[] = "0019a/:";
	char a[8], b[8];
	uint64_t r = 7;

	for (int n = 0; n < 200000; n++) {
		size_t alen, blen, i;
		int got, want;

		r = r * 6364136223846793005u + 1442695040888963407u;
		alen = (r >> 60) % 7;
		blen = (r >> 56) % 7;
		for (i = 0; i < alen; i++)
			a[i] = alphabet[(r >> (3 * i)) % 7];
		r = r * 6364136223846793005u + 1442695040888963407u;
		for (i = 0; i < blen; i++)
			b[i] = alphabet[(r >> (3 * i)) % 7];
		got = sign(record_keys_order(a, alen, b, blen));
		want = order_by_tokens(a, alen, b, blen);
		if (got != want || got != -sign(record_keys_order(b, blen, a, alen)) ||
		    (got == 0) != (alen == blen && !memcmp(a, b, alen)))
			HARNESS_FAIL("'%.*s' against '%.*s': %d, expected %d",
				     (int)alen, a, (int)blen, b, got, want);
	}
}

/* D2018-999999 then D2018-1000000 come in order (neither probes nor is
 * held); D2018-999999 again is refused naming line 2. */
TEST(digit_growth)
{
	record_keys k;
	long earlier;

	keys_init(&k, NULL);
	CHECK_INT(note(&k, "D2018-999999", 2, &earlier), 0);
	CHECK_INT(note(&k, "D2018-1000000", 3, &earlier), 0);
	CHECK_INT(k.held.count, 0);
	CHECK_INT(note(&k, "D2018-999999", 4, &earlier), 1);
	CHECK_INT(earlier, 2);
	CHECK_INT(note(&k, "D2018-1000000", 5, &earlier), 1);
	CHECK_INT(earlier, 3);
	CHECK_INT(note(&k, "D2018-999999", 6, &earlier), 1);
	CHECK_INT(earlier, 4);	/* remembered at the line that gave it last */
	CHECK_INT(k.held.count, 0);
	CHECK_INT(k.run_count, 0);
	record_keys_release(&k);
}

/* The empty key is a key like another. */
TEST(empty_key)
{
	record_keys k;
	long earlier;

	keys_init(&k, "1");
	CHECK_INT(note(&k, "", 2, &earlier), 0);
	CHECK_INT(note(&k, "", 3, &earlier), 1);
	CHECK_INT(earlier, 2);
	CHECK_INT(note(&k, "A", 4, &earlier), 0);
	CHECK_INT(note(&k, "", 5, &earlier), 1);
	CHECK_INT(earlier, 3);
	record_keys_forget(&k);
	CHECK_INT(note(&k, "A", 2, &earlier), 0);
	CHECK_INT(note(&k, "", 3, &earlier), 0);
	CHECK_INT(note(&k, "", 4, &earlier), 1);
	CHECK_INT(earlier, 3);
	record_keys_release(&k);
}

/* Two fields encoded: "a" + "b c" is not "a b" + "c". */
TEST(fields)
{
	record_keys k;
	long earlier;

	keys_init(&k, "1");
	CHECK_INT(record_keys_note_key(&k, "D2\0Noord\0", 9, 2, &earlier), 0);
	CHECK_INT(record_keys_note_key(&k, "D2\0Zuid\0", 8, 3, &earlier), 0);
	CHECK_INT(record_keys_note_key(&k, "D1\0Zuid\0", 8, 4, &earlier), 0);
	CHECK_INT(record_keys_note_key(&k, "D\0" "2Noord\0", 9, 5, &earlier), 0);
	CHECK_INT(record_keys_note_key(&k, "D2\0Noord\0", 9, 6, &earlier), 1);
	CHECK_INT(earlier, 2);
	CHECK_INT(record_keys_note_key(&k, "D1\0Zuid\0", 8, 7, &earlier), 1);
	CHECK_INT(earlier, 4);
	record_keys_release(&k);
}

static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(rng_state >> 33);
}

/* A sequence of draws from ids noted against a plain array of the line
 * that gave each id last: every answer as the array says.  mode 0: ids at
 * random; 1: ascending with one in eight a random earlier id; 2: a
 * random permutation of the ids, then the ids ascending (every one a
 * repeat, from the tail and the runs alike). */
static int check_sequence(const char *budget, int mode, size_t ids,
			  size_t draws, size_t *runs)
{
	record_keys k;
	long *last = calloc(ids, sizeof(*last)), earlier;
	size_t *perm = malloc(ids * sizeof(*perm)), next = 0, i;
	char key[32];
	int bad = 0;

	keys_init(&k, budget);
	rng_state = 42 + (uint64_t)mode;
	for (i = 0; i < ids; i++)
		perm[i] = i;
	for (i = ids; i > 1; i--) {
		size_t j = rng() % i, t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < draws && !bad; i++) {
		size_t id;
		long line = (long)i + 2;
		int rc;

		if (mode == 0)
			id = rng() % ids;
		else if (mode == 1)
			id = next && rng() % 8 == 0 ? rng() % next
						    : (next < ids ? next++
								  : rng() % ids);
		else
			id = i < ids ? perm[i] : (i - ids) % ids;
		/* D2018-9..., then past a power of ten: more digits */
		snprintf(key, sizeof(key), "D2018-%zu", 990 + id);
		rc = note(&k, key, line, &earlier);
		if (rc != (last[id] != 0) || (rc == 1 && earlier != last[id])) {
			printf("  %s, draw %zu: %d (line %ld), expected %d (line "
			       "%ld); %s\n", key, i, rc, earlier, last[id] != 0,
			       last[id], rc < 0 ? k.failure : "");
			bad = 1;
		}
		last[id] = line;
	}
	*runs = k.run_count;
	record_keys_release(&k);
	free(last);
	free(perm);
	return bad;
}

/* Exact across every budget: a spill after each key held (1), after a few
 * hundred (64 KiB: runs of several blocks, merged, with filters) and
 * none (the default). */
TEST(random_draws)
{
	size_t runs;

	CHECK_INT(check_sequence("1", 0, 3000, 9000, &runs), 0);
	CHECK(runs >= 2 && runs <= 2 * 12);
	CHECK_INT(check_sequence("65536", 0, 60000, 150000, &runs), 0);
	CHECK(runs >= 2);
	CHECK_INT(check_sequence(NULL, 0, 60000, 150000, &runs), 0);
	CHECK_INT(runs, 0);
}

TEST(mostly_ascending)
{
	size_t runs;

	CHECK_INT(check_sequence("1", 1, 5000, 9000, &runs), 0);
	CHECK_INT(check_sequence("65536", 1, 100000, 150000, &runs), 0);
	CHECK_INT(check_sequence(NULL, 1, 100000, 150000, &runs), 0);
}

/* A shuffled file, then every key again in order: the second pass finds
 * each in a run or the tail, and the third line replaces the second. */
TEST(shuffled)
{
	size_t runs;

	CHECK_INT(check_sequence("1", 2, 2000, 6000, &runs), 0);
	CHECK_INT(check_sequence("65536", 2, 50000, 150000, &runs), 0);
	CHECK(runs >= 1);
	CHECK_INT(check_sequence(NULL, 2, 50000, 150000, &runs), 0);
}

/* Keys in order cost neither memory per key nor a probe: the tail's
 * blocks in its file, and in memory one first key per block. */
TEST(sorted_in_a_file)
{
	record_keys k;
	long earlier;
	char key[32];
	long i;

	keys_init(&k, "1");
	for (i = 0; i < 200000; i++) {
		snprintf(key, sizeof(key), "D2018-%06ld", i);
		if (note(&k, key, i + 2, &earlier) != 0)
			break;
	}
	CHECK_INT(i, 200000);
	CHECK_INT(k.held.count, 0);
	CHECK_INT(k.run_count, 0);
	/* 200000 entries of 24 bytes in blocks of about 4 KiB */
	CHECK(k.tail != NULL);
	CHECK_INT(note(&k, "D2018-000000", 200002, &earlier), 1);
	CHECK_INT(earlier, 2);
	CHECK_INT(note(&k, "D2018-123456", 200003, &earlier), 1);
	CHECK_INT(earlier, 123458);
	CHECK_INT(note(&k, "D2018-123456", 200004, &earlier), 1);
	CHECK_INT(earlier, 200003);	/* the line written back in place */
	CHECK_INT(note(&k, "D2018-199999", 200005, &earlier), 1);
	CHECK_INT(earlier, 200001);
	CHECK_INT(note(&k, "D2018-12345", 200006, &earlier), 0);
	CHECK_INT(note(&k, "D2018-12345", 200007, &earlier), 1);
	CHECK_INT(earlier, 200006);
	record_keys_release(&k);
}

/* Keys whose digit runs name the same number in different
 * bytes ("7", "007", "0007"), runs far past 64 bits, digits at the end
 * and in the middle, and two-field keys with a NUL between the values
 * and empty values: drawn at random from a pool, noted under a spill
 * after every key, a spill every few blocks and the default budget, each
 * answer checked against a plain array (the key is a repeat exactly when
 * its bytes were noted before; the line is the one that gave it last). */
static const char *const alike_pool[] = {
	"7", "07", "007", "0007", "70", "700", "0", "00", "",
	"D7", "D07", "D007", "D7a", "D07a", "D7\0", "D07\0", "D\0" "7",
	"18446744073709551616", "018446744073709551616",
	"18446744073709551617", "99999999999999999999999999999999",
	"100000000000000000000000000000000", "0100000000000000000000000000000000",
	"D2018-007-01", "D2018-7-01", "D2018-7-1", "D2018-07-1",
	"A\0\0", "A\0" "0\0", "A\0" "00\0", "\0\0", "\0" "0\0", "0\0\0",
	"A1\0" "B\0", "A01\0" "B\0", "A1\0" "B0\0", "A1\0\0",
};
static const size_t alike_len[] = {
	1, 2, 3, 4, 2, 3, 1, 2, 0,
	2, 3, 4, 3, 4, 3, 4, 3,
	20, 21, 20, 32, 33, 34,
	12, 10, 9, 10,
	3, 4, 5, 2, 3, 3,
	5, 6, 6, 4,
};

static int check_alike(const char *budget, size_t draws, uint64_t seed)
{
	enum { POOL = sizeof(alike_pool) / sizeof(alike_pool[0]) };
	/* every key of the pool with a suffix 0..per-1: many keys, so that
	 * the runs hold several blocks */
	enum { PER = 300 };
	static long last[POOL * PER];
	record_keys k;
	char key[64];
	long earlier;
	int bad = 0;

	memset(last, 0, sizeof(last));
	keys_init(&k, budget);
	rng_state = seed;
	for (size_t i = 0; i < draws && !bad; i++) {
		size_t id = rng() % (POOL * PER), p = id / PER, len;
		long line = (long)i + 2;
		int rc;

		/* the suffix before the pool key, so the pool key's bytes
		 * (NULs, empties, leading zeros) end the key */
		len = (size_t)snprintf(key, sizeof(key), "%c%zu-",
				       'a' + (int)(id % PER % 3), id % PER);
		memcpy(key + len, alike_pool[p], alike_len[p]);
		len += alike_len[p];
		earlier = 0;
		rc = record_keys_note_key(&k, key, len, line, &earlier);
		if (rc != (last[id] != 0) || (rc == 1 && earlier != last[id])) {
			printf("  pool key %zu, suffix %zu, draw %zu: %d (line "
			       "%ld), expected %d (line %ld) %s\n", p,
			       id % PER, i, rc, earlier, last[id] != 0,
			       last[id], rc < 0 ? k.failure : "");
			bad = 1;
		}
		last[id] = line;
	}
	record_keys_release(&k);
	return bad;
}

TEST(alike_numbers)
{
	CHECK_INT(sizeof(alike_pool) / sizeof(alike_pool[0]),
		  sizeof(alike_len) / sizeof(alike_len[0]));
	for (size_t p = 0; p < sizeof(alike_len) / sizeof(alike_len[0]); p++)
		for (size_t q = 0; q < sizeof(alike_len) / sizeof(alike_len[0]);
		     q++) {
			int o = record_keys_order(alike_pool[p], alike_len[p],
						  alike_pool[q], alike_len[q]);
			int same = alike_len[p] == alike_len[q] &&
				   !memcmp(alike_pool[p], alike_pool[q],
					   alike_len[p]);

			/* 0 exactly when byte-equal, antisymmetric */
			CHECK_INT(o == 0, same);
			CHECK_INT(sign(o), -sign(record_keys_order(
						   alike_pool[q], alike_len[q],
						   alike_pool[p], alike_len[p])));
		}
	CHECK_INT(check_alike("1", 20000, 1), 0);
	CHECK_INT(check_alike("16384", 60000, 2), 0);
	CHECK_INT(check_alike(NULL, 60000, 3), 0);
}

/* Transitivity over the pool: sorting it by record_keys_order gives a
 * sequence in which every pair is ordered the same way. */
static int alike_compare(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return record_keys_order(alike_pool[x], alike_len[x], alike_pool[y],
				 alike_len[y]);
}

TEST(alike_transitive)
{
	enum { POOL = sizeof(alike_pool) / sizeof(alike_pool[0]) };
	size_t idx[POOL];

	for (size_t i = 0; i < POOL; i++)
		idx[i] = i;
	qsort(idx, POOL, sizeof(idx[0]), alike_compare);
	for (size_t i = 0; i < POOL; i++)
		for (size_t j = i + 1; j < POOL; j++)
			CHECK(alike_compare(&idx[i], &idx[j]) < 0);
}

/* A temporary file that cannot be made fails loudly, naming why. */
TEST(no_temporary_file)
{
	record_keys k;
	long earlier = 0;
	char key[32];
	int rc = 0;
	long i;
	const char *tmp = getenv("TMPDIR");
	char *saved = tmp ? strdup(tmp) : NULL;

	setenv("TMPDIR", "/nonexistent/peil-test", 1);
	keys_init(&k, "1");
	for (i = 0; i < 1000 && rc == 0; i++) {
		snprintf(key, sizeof(key), "D%06ld", i);
		rc = note(&k, key, i + 2, &earlier);
	}
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
	CHECK_INT(rc, -1);
	CHECK(strstr(k.failure, "cannot create a temporary file for the keys "
			       "of this file: No such file or directory") !=
	      NULL);
	record_keys_release(&k);
}

int main(void)
{
	RUN(order);
	RUN(order_random);
	RUN(digit_growth);
	RUN(empty_key);
	RUN(fields);
	RUN(random_draws);
	RUN(mostly_ascending);
	RUN(shuffled);
	RUN(sorted_in_a_file);
	RUN(no_temporary_file);
	RUN(alike_numbers);
	RUN(alike_transitive);
	return harness_done();
}
