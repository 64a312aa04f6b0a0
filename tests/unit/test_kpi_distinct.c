/*
 * test_kpi_distinct.c - count_distinct's set (kpi/kpi_distinct.c): the
 * periods of each cell in which a value is new, counted after the scan
 * in partitions by a fingerprint of the value, exact whatever the budget
 * and whatever the hash, and a temporary file that cannot be written
 * fails the count.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "harness.h"
#include "kpi/kpi_model.h"

/* What a set counts (kpi_distinct_finish): [cell][period] of periods
 * periods a cell. */
typedef struct counted {
	long *n;
	size_t periods;
} counted;

static void count_into(void *ctx, size_t cell, size_t word, uint64_t added)
{
	counted *c = ctx;

	for (; added; added &= added - 1)
		c->n[cell * c->periods + word * 64 +
		     (size_t)__builtin_ctzll(added)]++;
}

/* count_distinct's bookkeeping for values in more cells than the total
 * and their own: 3000 persons P0 .. P2999, each counted in the total
 * (cell 0) and in all three teams, first 1 + i % 3, then 1 + (i + 1) % 3
 * and 1 + (i + 2) % 3, in three rounds of periods: first 0-5, then 3-8
 * (new: 6-8), then 0-8 (nothing new).  Every cell has the 3000 persons
 * in each of the periods 0-8 and none in the others: over 12 periods
 * (one word) and over 201 (four words; here the last, periods 192-200,
 * the same bits). */
TEST(distinct_values_in_several_cells)
{
	static const size_t periods[] = { 12, 201 };
	static const uint64_t rounds[] = { 0x3f, 0x1f8, 0x1ff };

	for (size_t p = 0; p < 2; p++) {
		kpi_distinct *d = kpi_distinct_new(periods[p],
						   (size_t)64 << 20);
		size_t word = periods[p] > 64 ? 3 : 0;
		long n[4 * 201] = { 0 };
		counted got = { n, periods[p] };
		peil_error err = { 0 };
		char name[16];

		CHECK(d != NULL);
		for (size_t r = 0; r < 3; r++)
			for (int i = 0; i < 3000; i++) {
				size_t cells[4] = { 0, 1 + (size_t)i % 3,
						    1 + (size_t)(i + 1) % 3,
						    1 + (size_t)(i + 2) % 3 };
				kpi_value v = { KPI_VALUE_TEXT, 0, name, 0 };

				v.len = (size_t)snprintf(name, sizeof(name),
							 "P%d", i);
				for (size_t c = 0; c < 4; c++) {
					CHECK_INT(kpi_distinct_add_bits(
							  d, &v, cells[c], word,
							  rounds[r]),
						  0);
				}
			}
		CHECK_INT(kpi_distinct_finish(d, count_into, &got, &err), 0);
		for (size_t c = 0; c < 4; c++)
			for (size_t q = 0; q < periods[p]; q++)
				CHECK_INT(n[c * periods[p] + q],
					  q % 64 < 9 && q / 64 == word ? 3000
								       : 0);
		kpi_distinct_free(d);
	}
}

/* count_distinct past its memory budget: 1200 persons P0 .. P1199 (100
 * of each i % 12, 400 of each i % 3), in the total (cell 0) and a team,
 * in three rounds: A, person i in team 1 + i % 3 in periods i % 12 ..
 * 11; B, in team 1 + (i + 1) % 3 in periods 0-5; C, round A again.
 * Persons in A and B's team t differ (i % 3 is t - 1 in A, t - 2 in B).
 * The total: everyone in 0-5 (B), then those with i % 12 <= p: 100 (p +
 * 1).  Team t: 100 for each r <= p with r % 3 = t - 1 (A), plus 400 in
 * 0-5 (B).  Over 12 periods and 204 (word 3: periods 192-203), with a
 * budget of a byte (buffers of 64 bytes written at once, partitions
 * sorted again a level down), of 128 KiB (partitions written to the
 * file, each counted in a table) and of 64 MiB (nothing written). */
TEST(distinct_spills_past_its_budget)
{
	static const long want[4][12] = {
		{ 1200, 1200, 1200, 1200, 1200, 1200,
		  700, 800, 900, 1000, 1100, 1200 },
		{ 500, 500, 500, 600, 600, 600, 300, 300, 300, 400, 400, 400 },
		{ 400, 500, 500, 500, 600, 600, 200, 300, 300, 300, 400, 400 },
		{ 400, 400, 500, 500, 500, 600, 200, 200, 300, 300, 300, 400 },
	};
	static const size_t periods[] = { 12, 204 };
	static const size_t budgets[] = { 1, 128 << 10, (size_t)64 << 20 };

	for (size_t p = 0; p < 2; p++)
		for (size_t b = 0; b < 3; b++) {
			kpi_distinct *d = kpi_distinct_new(periods[p],
							   budgets[b]);
			size_t word = periods[p] > 64 ? 3 : 0;
			long n[4 * 204] = { 0 };
			counted got = { n, periods[p] };
			char name[16];
			peil_error err = { 0 };

			CHECK(d != NULL);
			for (int r = 0; r < 3; r++)
				for (int i = 0; i < 1200; i++) {
					kpi_value v = { KPI_VALUE_TEXT, 0,
							name, 0 };
					size_t team = 1 + (size_t)(i + (r == 1)) % 3;
					uint64_t bits = r == 1 ? 0x3fu
						: 0xfffu & ~((1u << (i % 12)) - 1);

					v.len = (size_t)snprintf(
						name, sizeof(name), "P%d", i);
					CHECK_INT(kpi_distinct_add_bits(
							  d, &v, 0, word, bits),
						  0);
					CHECK_INT(kpi_distinct_add_bits(
							  d, &v, team, word,
							  bits),
						  0);
				}
			CHECK_INT(kpi_distinct_finish(d, count_into, &got,
						      &err),
				  0);
			for (size_t c = 0; c < 4; c++)
				for (size_t q = 0; q < 12; q++)
					CHECK_INT(n[c * periods[p] + word * 64 +
						    q],
						  want[c][q]);
			kpi_distinct_free(d);
		}
}

/* Hashes that collide, so that the values of a partition, or all of
 * them, share fingerprints: only their bytes tell them apart. */
static uint64_t hash_none(const char *key, size_t len)
{
	(void)key;
	(void)len;
	return 0;
}

static uint64_t hash_len(const char *key, size_t len)
{
	(void)key;
	return len * 0x9e3779b97f4a7c15u;
}

static uint64_t hash_first(const char *key, size_t len)
{
	return len ? (uint64_t)(unsigned char)key[0] << 56 : 1;
}

/* A (value, cell, period) the adds counted, for the second method. */
typedef struct triple {
	char value[40];
	size_t cell, period;
} triple;

static int triple_cmp(const void *a, const void *b)
{
	const triple *x = a, *y = b;
	int c = strcmp(x->value, y->value);

	if (c)
		return c;
	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return x->period < y->period ? -1 : x->period > y->period;
}

static uint64_t lcg(uint64_t *state)
{
	*state = *state * 6364136223846793005u + 1442695040888963407u;
	return *state >> 33;
}

/* 6000 adds of values drawn from 900 (texts of 0 to 33 bytes, one of
 * them empty, and numbers, -0 and 0 the same), five cells, 130 periods
 * (three words), runs of up to eight periods, the same value often
 * twice in a row (the total and a team, as a row adds it): every add
 * expanded to its (value, cell, period) triples, sorted and made unique
 * (sort | uniq), gives the count of each (cell, period), against the
 * set's with each budget and each hash, colliding ones too, counted
 * whole and in 2, 3, 16, 256 and 300 pieces (kpi_distinct_finish_piece,
 * the last piece first). */
TEST(distinct_counts_match_sort_uniq)
{
	enum { ADDS = 6000, CELLS = 5, PERIODS = 130 };
	static const size_t budgets[] = { 1, 4096, 256 << 10,
					  (size_t)64 << 20 };
	static const size_t pieces[] = { 0, 2, 3, 16, 256, 300 };
	uint64_t (*const hashes[])(const char *, size_t) = {
		strmap_hash, hash_none, hash_len, hash_first
	};
	triple *t = malloc(sizeof(*t) * ADDS * 8);
	long *want = calloc(CELLS * PERIODS, sizeof(*want));
	long *n = calloc(CELLS * PERIODS, sizeof(*n));
	size_t tn = 0;
	uint64_t seed = 31;

	CHECK(t && want && n);
	/* the adds, written down as triples once; replayed below */
	for (int a = 0; a < ADDS; a++) {
		uint64_t v = lcg(&seed) % 900;
		size_t cell = a % 2 ? lcg(&seed) % CELLS : 0;
		size_t from = lcg(&seed) % PERIODS;
		size_t to = from + 1 + lcg(&seed) % 8;

		if (to > PERIODS)
			to = PERIODS;
		for (size_t q = from; q < to; q++) {
			triple *x = &t[tn++];

			if (v == 0)
				x->value[0] = '\0';
			else if (v < 100)	/* a number, as the set keys it */
				snprintf(x->value, sizeof(x->value), "#%d",
					 (int)v - 50);
			else
				snprintf(x->value, sizeof(x->value),
					 "%.*s%llu", (int)(v % 25),
					 "personpersonpersonperson",
					 (unsigned long long)v);
			x->cell = cell;
			x->period = q;
		}
	}
	qsort(t, tn, sizeof(*t), triple_cmp);
	for (size_t i = 0; i < tn; i++)
		if (i == 0 || triple_cmp(&t[i - 1], &t[i]) != 0)
			want[t[i].cell * PERIODS + t[i].period]++;
	for (size_t b = 0; b < sizeof(budgets) / sizeof(*budgets); b++)
		for (size_t h = 0; h < sizeof(hashes) / sizeof(*hashes); h++)
			for (size_t pc = 0;
			     pc < sizeof(pieces) / sizeof(*pieces); pc++) {
				kpi_distinct *d = kpi_distinct_new(PERIODS,
								   budgets[b]);
				counted got = { n, PERIODS };
				peil_error err = { 0 };
				char text[40];

				CHECK(d != NULL);
				kpi_distinct_hash_with(d, hashes[h]);
				memset(n, 0, CELLS * PERIODS * sizeof(*n));
				seed = 31;
				for (int a = 0; a < ADDS; a++) {
					uint64_t v = lcg(&seed) % 900;
					size_t cell = a % 2 ? lcg(&seed) % CELLS : 0;
					size_t from = lcg(&seed) % PERIODS;
					size_t to = from + 1 + lcg(&seed) % 8;
					kpi_value kv = { KPI_VALUE_TEXT, 0, text, 0 };

					if (to > PERIODS)
						to = PERIODS;
					if (v > 0 && v < 100) {
						kv.type = KPI_VALUE_NUMBER;
						kv.num = (double)((int)v - 50);
						if (kv.num == 0 && a % 4 == 1)
							kv.num = -0.0;
					} else if (v == 0) {
						kv.text = NULL;
					} else {
						kv.len = (size_t)snprintf(
							text, sizeof(text), "%.*s%llu",
							(int)(v % 25),
							"personpersonpersonperson",
							(unsigned long long)v);
					}
					for (size_t w = from / 64; w * 64 < to; w++) {
						uint64_t bits = 0;

						for (size_t q = from; q < to; q++)
							if (q / 64 == w)
								bits |= (uint64_t)1
									<< (q % 64);
						CHECK_INT(kpi_distinct_add_bits(
								  d, &kv, cell, w, bits),
							  0);
					}
				}
				if (!pieces[pc])
					CHECK_INT(kpi_distinct_finish(d, count_into,
								      &got, &err),
						  0);
				for (size_t i = pieces[pc]; i-- > 0;)
					CHECK_INT(kpi_distinct_finish_piece(
							  d, i, pieces[pc],
							  count_into, &got, &err),
						  0);
				for (size_t i = 0; i < CELLS * PERIODS; i++)
					if (n[i] != want[i])
						HARNESS_FAIL("budget %zu, hash %zu, "
							     "%zu pieces: cell %zu "
							     "period %zu: %ld, sort | "
							     "uniq %ld", budgets[b],
							     h, pieces[pc],
							     i / PERIODS, i % PERIODS,
							     n[i], want[i]);
				kpi_distinct_free(d);
			}
	free(t);
	free(want);
	free(n);
}

/* Values past the buffers go to a temporary file: with TMPDIR a
 * directory that does not exist the count fails, naming the setting,
 * the directory and the error, rather than give a count short of them;
 * within the buffers (64 MiB) no file is needed and the count is made. */
TEST(distinct_fails_loudly_when_its_file_cannot_be_written)
{
	static const size_t budgets[] = { (size_t)1 << 20, (size_t)64 << 20 };
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;

	setenv("TMPDIR", "/nonexistent-peil-dir", 1);
	for (size_t b = 0; b < 2; b++) {
		kpi_distinct *d = kpi_distinct_new(12, budgets[b]);
		long n[2 * 12] = { 0 };
		counted got = { n, 12 };
		peil_error err = { 0 };
		char name[16];
		int rc;

		CHECK(d != NULL);
		for (int i = 0; i < 50000; i++) {
			kpi_value v = { KPI_VALUE_TEXT, 0, name, 0 };

			v.len = (size_t)snprintf(name, sizeof(name), "P%d", i);
			CHECK_INT(kpi_distinct_add_bits(d, &v, 1, 0, 0x3), 0);
		}
		rc = kpi_distinct_finish(d, count_into, &got, &err);
		kpi_distinct_free(d);
		if (b == 0) {
			CHECK_INT(rc, -1);
			CHECK_STR(err.message,
				  "count_distinct: its values past [limits] "
				  "distinct_memory_mb to a temporary file in "
				  "/nonexistent-peil-dir: No such file or "
				  "directory");
		} else {
			CHECK_INT(rc, 0);
			CHECK_INT(n[12], 50000);
			CHECK_INT(n[13], 50000);
			CHECK_INT(n[14], 0);
		}
	}
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}

int main(void)
{
	RUN(distinct_values_in_several_cells);
	RUN(distinct_spills_past_its_budget);
	RUN(distinct_counts_match_sort_uniq);
	RUN(distinct_fails_loudly_when_its_file_cannot_be_written);
	return harness_done();
}
