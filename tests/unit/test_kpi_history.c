/*
 * test_kpi_history.c - the lookup held in C (score_change{}, overdue{},
 * first_rise{}): its rows put in order of key and by by counting, each
 * pair's rows in the order read, and a pair's rows found by the numbers
 * of its texts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kpi/kpi_model.h"

/* Append the row (key, by, score) to h as the loading of a lookup does:
 * each text numbered once in h->texts. */
static int history_add(kpi_history *h, const char *key, const char *by,
		       double score)
{
	int added;
	long k = strmap_put(&h->texts, key, strlen(key), &added);
	long b = strmap_put(&h->texts, by, strlen(by), &added);
	kpi_history_row *rows;

	if (k < 0 || b < 0)
		return -1;
	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4;
		if (!(rows = realloc(h->rows, h->cap * sizeof(*rows))))
			return -1;
		h->rows = rows;
	}
	memset(&h->rows[h->count], 0, sizeof(*h->rows));
	h->rows[h->count].key = (uint32_t)k;
	h->rows[h->count].by = (uint32_t)b;
	h->rows[h->count++].score = score;
	return 0;
}

static void history_free(kpi_history *h)
{
	free(h->rows);
	free(h->starts);
	strmap_release(&h->texts);
}

/* The scores of the rows under (key, by), in the order found, as
 * "1,5"; empty when there are none. */
static const char *found(const kpi_history *h, const char *key,
			 const char *by)
{
	static char out[256];
	size_t count, used = 0;
	const kpi_history_row *r = kpi_history_find(h, key, strlen(key), by,
						    strlen(by), &count);

	out[0] = '\0';
	for (size_t i = 0; i < count && used < sizeof(out) - 16; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used,
					 "%s%g", i ? "," : "", r[i].score);
	return out;
}

/* Two persons' measurements in two domains, read interleaved: each
 * (person, domain) gets its own rows in the order read; a person's key
 * that is also a domain's name is one text, found as either. */
TEST(pairs_found_in_the_order_read)
{
	kpi_history h = { 0 };

	CHECK(history_add(&h, "p2", "dA", 1) == 0);
	CHECK(history_add(&h, "p1", "dB", 2) == 0);
	CHECK(history_add(&h, "p2", "dB", 3) == 0);
	CHECK(history_add(&h, "p1", "dA", 4) == 0);
	CHECK(history_add(&h, "p2", "dA", 5) == 0);
	CHECK(history_add(&h, "p1", "dB", 6) == 0);
	CHECK(history_add(&h, "dA", "dA", 7) == 0);
	CHECK_INT(kpi_history_index(&h), 0);
	CHECK_INT(h.count, 7);
	CHECK_STR(found(&h, "p2", "dA"), "1,5");
	CHECK_STR(found(&h, "p2", "dB"), "3");
	CHECK_STR(found(&h, "p1", "dA"), "4");
	CHECK_STR(found(&h, "p1", "dB"), "2,6");
	CHECK_STR(found(&h, "dA", "dA"), "7");
	CHECK_STR(found(&h, "p3", "dA"), "");	/* no such key */
	CHECK_STR(found(&h, "p1", "dC"), "");	/* no such by */
	CHECK_STR(found(&h, "p1", ""), "");
	CHECK_STR(found(&h, "dA", "p2"), "");
	CHECK_INT(h.moved, 6);	/* p2's and p1's rows: each read apart */
	history_free(&h);
}

/* overdue{}'s lookup has no by: every row's by is "", and a key's rows
 * keep the order read; an empty history finds nothing. */
TEST(keys_without_by)
{
	kpi_history h = { 0 }, empty = { 0 };

	CHECK(history_add(&h, "t1", "", 3) == 0);
	CHECK(history_add(&h, "t2", "", 9) == 0);
	CHECK(history_add(&h, "t1", "", 15) == 0);
	CHECK(history_add(&h, "t1", "", 9) == 0);
	CHECK_INT(kpi_history_index(&h), 0);
	CHECK_STR(found(&h, "t1", ""), "3,15,9");
	CHECK_STR(found(&h, "t2", ""), "9");
	CHECK_STR(found(&h, "t3", ""), "");
	CHECK_INT(h.moved, 3);	/* t1's: read apart */
	CHECK_INT(kpi_history_index(&empty), 0);
	CHECK_STR(found(&empty, "t1", ""), "");
	history_free(&h);
	history_free(&empty);
}

/* 20 000 rows of 700 keys and 13 bys in a fixed pseudo-random order:
 * every pair's rows are those a scan of the rows as read finds, in that
 * order (the score is the row's number). */
TEST(every_pair_as_a_scan_finds_it)
{
	enum { ROWS = 20000, KEYS = 700, BYS = 13 };
	kpi_history h = { 0 };
	static int key_of[ROWS], by_of[ROWS];
	unsigned seed = 12345;
	char key[16], by[16], want[ROWS * 8];

	for (int i = 0; i < ROWS; i++) {
		seed = seed * 1103515245u + 12345u;
		key_of[i] = (int)((seed >> 8) % KEYS);
		seed = seed * 1103515245u + 12345u;
		by_of[i] = (int)((seed >> 8) % BYS);
		snprintf(key, sizeof(key), "P%d", key_of[i]);
		snprintf(by, sizeof(by), "D%d", by_of[i]);
		CHECK(history_add(&h, key, by, i) == 0);
	}
	CHECK_INT(kpi_history_index(&h), 0);
	for (int k = 0; k < KEYS; k++)
		for (int b = 0; b < BYS; b++) {
			size_t used = 0, count;

			want[0] = '\0';
			for (int i = 0; i < ROWS; i++)
				if (key_of[i] == k && by_of[i] == b)
					used += (size_t)snprintf(
						want + used, sizeof(want) - used,
						"%s%d", used ? "," : "", i);
			snprintf(key, sizeof(key), "P%d", k);
			snprintf(by, sizeof(by), "D%d", b);
			kpi_history_find(&h, key, strlen(key), by, strlen(by),
					 &count);
			if (count < 30)	/* found() prints up to 256 bytes */
				CHECK_STR(found(&h, key, by), want);
		}
	history_free(&h);
}

/* Whether every (key, by) pair of h, indexed, has the rows read under
 * it and in the order read, worked out by a second method: the numbers
 * of the rows read (their scores), spread by pair by counting.  key_of
 * and by_of number each row's key and by among keys and bys, named
 * "P%d" and "D%d"; "" for a by of -1. */
static int pairs_as_read(const kpi_history *h, const int *key_of,
			 const int *by_of, int rows, int keys, int bys)
{
	int pairs = keys * (bys + 1), bad = 0;
	int *at = calloc((size_t)pairs + 2, sizeof(*at));
	int *order = malloc((size_t)rows * sizeof(*order));

	if (!at || !order) {
		free(at);
		free(order);
		return 0;
	}
	/* pair k * (bys + 1) + b + 1: key k, by b (-1: "") */
	for (int i = 0; i < rows; i++)
		at[key_of[i] * (bys + 1) + by_of[i] + 1 + 2]++;
	for (int p = 1; p <= pairs; p++)	/* at[p + 1]: p's first */
		at[p + 1] += at[p];
	for (int i = 0; i < rows; i++)	/* then p's next: at[p], p's first */
		order[at[key_of[i] * (bys + 1) + by_of[i] + 1 + 1]++] = i;
	for (int k = 0; k < keys; k++)
		for (int b = -1; b < bys; b++) {
			int p = k * (bys + 1) + b + 1;
			int from = at[p];
			char key[16], by[16] = "";
			size_t count;
			const kpi_history_row *r;

			snprintf(key, sizeof(key), "P%d", k);
			if (b >= 0)
				snprintf(by, sizeof(by), "D%d", b);
			r = kpi_history_find(h, key, strlen(key), by,
					     strlen(by), &count);
			if (count != (size_t)(at[p + 1] - from)) {
				bad++;
				continue;
			}
			for (size_t i = 0; i < count; i++)
				bad += r[i].score != order[from + (int)i];
		}
	free(at);
	free(order);
	return bad == 0;
}

/* Keys of 1 to 313 rows, some bys empty, in a fixed pseudo-random
 * order: a pair is found in a key's rows read from its first (up to 64
 * rows) or halved (more) alike, with the rows read under it in the
 * order read. */
TEST(pairs_of_small_and_large_keys_found)
{
	enum { KEYS = 40, BYS = 13, ROWS = KEYS + 8 * KEYS * (KEYS - 1) / 2 };
	kpi_history h = { 0 };
	static int key_of[ROWS], by_of[ROWS];
	unsigned seed = 777;
	int n = 0, ok = 1;

	for (int k = 0; k < KEYS; k++)	/* key k: 1 + 8 k rows */
		for (int i = 0; i < 1 + 8 * k; i++)
			key_of[n++] = k;
	for (int i = ROWS - 1; i > 0; i--) {	/* shuffled */
		int j, t;

		seed = seed * 1103515245u + 12345u;
		j = (int)((seed >> 8) % (unsigned)(i + 1));
		t = key_of[i];
		key_of[i] = key_of[j];
		key_of[j] = t;
	}
	for (int i = 0; i < ROWS; i++) {
		char key[16], by[16] = "";

		seed = seed * 1103515245u + 12345u;
		by_of[i] = (int)((seed >> 8) % (BYS + 1)) - 1;
		snprintf(key, sizeof(key), "P%d", key_of[i]);
		if (by_of[i] >= 0)
			snprintf(by, sizeof(by), "D%d", by_of[i]);
		ok &= history_add(&h, key, by, i) == 0;
	}
	CHECK(ok);
	CHECK_INT(kpi_history_index(&h), 0);
	CHECK(pairs_as_read(&h, key_of, by_of, ROWS, KEYS, BYS));
	history_free(&h);
}

/* As the store hands a measurements lookup: a person's rows together,
 * each of his measurements thirteen domains in one order, but some
 * persons measured again much later (a second case), and one measured
 * forty times on one day.  Every pair has the rows read, in that order;
 * the index copies aside the rows of the persons read in two runs only,
 * not the history. */
TEST(persons_read_apart_gathered_alone)
{
	enum { PERSONS = 3000, DOMAINS = 13, MAX = 3000 * 4 * 13 + 2000 };
	static int key_of[MAX], by_of[MAX];
	kpi_history h = { 0 };
	int rows = 0, again = 0;
	size_t count;
	size_t split_rows = 0;
	char key[16], by[16];

	for (int p = 0; p < PERSONS; p++) {
		int times = 1 + p % 3;

		if (p == 1234)
			times = 40;	/* forty on one day */
		for (int t = 0; t < times; t++)
			for (int d = 0; d < DOMAINS; d++) {
				key_of[rows] = p;
				by_of[rows++] = d;
			}
		if (p % 97 == 5 && p > 200) {	/* once more, far on */
			key_of[rows] = p - 200;
			by_of[rows++] = (int)(p % DOMAINS);
			key_of[rows] = p - 200;
			by_of[rows++] = (int)(p % DOMAINS);
			split_rows += 2 + (size_t)(1 + (p - 200) % 3) * DOMAINS;
			again++;
		}
	}
	for (int i = 0; i < rows; i++) {
		snprintf(key, sizeof(key), "P%d", key_of[i]);
		snprintf(by, sizeof(by), "D%d", by_of[i]);
		CHECK(history_add(&h, key, by, i) == 0);
	}
	CHECK(again > 20);
	CHECK_INT(kpi_history_index(&h), 0);
	CHECK_INT(h.count, (size_t)rows);
	CHECK(pairs_as_read(&h, key_of, by_of, rows, PERSONS, DOMAINS));
	CHECK_INT(h.moved, split_rows);
	kpi_history_find(&h, "P1234", 5, "D3", 2, &count);
	CHECK_INT(count, 40);
	history_free(&h);
}

/* A row holds its key and by as the numbers of their texts, no offset
 * and length of each nor its number read (the sort by text needed
 * those), and first_rise{}'s order as a number or as a text, never
 * both: 32 bytes, not 56; twenty million measurements at 10M cases hold
 * 640 MB rather than 1 120. */
TEST(a_row_in_32_bytes)
{
	CHECK_INT(sizeof(kpi_history_row), 32);
}

/* The two steps of a find, for score_change{} of a group (one key, its
 * bys): a text's number (-1 before the history is indexed, and for a text
 * no row has), then the rows under a pair of numbers, none when either
 * is -1. */
TEST(pairs_found_by_their_numbers)
{
	kpi_history h = { 0 };
	size_t count;
	long p1, da, db;
	const kpi_history_row *r;

	CHECK(history_add(&h, "p1", "dA", 1) == 0);
	CHECK(history_add(&h, "p1", "dB", 2) == 0);
	CHECK(history_add(&h, "p1", "dA", 3) == 0);
	CHECK_INT(kpi_history_text(&h, "p1", 2), -1);	/* not indexed */
	CHECK_INT(kpi_history_index(&h), 0);
	p1 = kpi_history_text(&h, "p1", 2);
	da = kpi_history_text(&h, "dA", 2);
	db = kpi_history_text(&h, "dB", 2);
	CHECK(p1 >= 0 && da >= 0 && db >= 0);
	CHECK_INT(kpi_history_text(&h, "p2", 2), -1);
	r = kpi_history_rows(&h, p1, da, &count);
	CHECK_INT(count, 2);
	CHECK(r[0].score == 1 && r[1].score == 3);
	r = kpi_history_rows(&h, p1, db, &count);
	CHECK_INT(count, 1);
	CHECK(r[0].score == 2);
	kpi_history_rows(&h, da, db, &count);	/* a by as a key: no rows */
	CHECK_INT(count, 0);
	kpi_history_rows(&h, -1, da, &count);
	CHECK_INT(count, 0);
	kpi_history_rows(&h, p1, -1, &count);
	CHECK_INT(count, 0);
	history_free(&h);
}

int main(void)
{
	RUN(pairs_found_in_the_order_read);
	RUN(pairs_found_by_their_numbers);
	RUN(keys_without_by);
	RUN(every_pair_as_a_scan_finds_it);
	RUN(pairs_of_small_and_large_keys_found);
	RUN(persons_read_apart_gathered_alone);
	RUN(a_row_in_32_bytes);
	return harness_done();
}
