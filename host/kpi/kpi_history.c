/*
 * kpi_history.c - the rows of a lookup held in C (kpi_model.h: the
 * measurements of score_change{}, the visits of overdue{}) put in order
 * of their key and by, and found by them.
 *
 * A row's key and by are the numbers of their texts in the history's
 * strmap.  A key's rows are made one block of the rows, wherever that
 * block lies, and the block is put in order of by: starts[2 t] is where
 * key t's rows begin, starts[2 t + 1] how many there are.  The store
 * hands a lookup's rows in the order of its dataset's key, which for
 * measurements numbered as they are taken puts a person's rows together
 * but for those measured apart (a second case years later), so the rows
 * stay where they were read but for those persons' rows, which are
 * gathered after the others: the index holds a copy of those rows only,
 * not of the history (a sort by counting copied all 18.6 million rows at
 * ten million cases).  Rows in no order at all cost one copy.  The
 * work is linear in the rows, and a key looked up costs the same in a
 * history of twenty million rows as in one of two.
 */
#include "kpi/kpi_model.h"

#include <stdlib.h>
#include <string.h>

/* rows[0..n) in order of by, the order among rows of one by kept, with
 * scratch (n / 2 rows): a merge sort that leaves halves in order as they
 * are. */
static void history_by_sort(kpi_history_row *rows, size_t n,
			    kpi_history_row *scratch)
{
	size_t mid = n / 2, i = 0, j, o = 0;

	if (n < 2)
		return;
	history_by_sort(rows, mid, scratch);
	history_by_sort(rows + mid, n - mid, scratch);
	if (rows[mid - 1].by <= rows[mid].by)
		return;			/* the halves are in order */
	memcpy(scratch, rows, mid * sizeof(*rows));
	j = mid;
	while (i < mid && j < n)	/* the left one first on a tie */
		rows[o++] = scratch[i].by <= rows[j].by ? scratch[i++]
							: rows[j++];
	while (i < mid)
		rows[o++] = scratch[i++];
}

/* Each key's rows one block: rows of keys read in more than one run
 * moved after the others, each key's in the order read; *moved of them.
 * starts holds each key's first row and its count.  0, or -1 when out of
 * memory (the rows as they were). */
static int history_gather(kpi_history *h, uint32_t *starts, size_t *moved)
{
	size_t n = h->count, texts = h->texts.count, m = 0, w = 0;
	unsigned char *split = calloc(texts ? texts : 1, 1);
	kpi_history_row *spare = NULL;

	*moved = 0;
	if (!split)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = h->rows[i].key;

		if (starts[2 * k + 1] == 0)
			starts[2 * k] = (uint32_t)i;
		else if (h->rows[i - 1].key != k)
			split[k] = 1;	/* a second run of k */
		starts[2 * k + 1]++;
	}
	for (size_t t = 0; t < texts; t++)
		if (split[t]) {		/* its place among the moved rows */
			starts[2 * t] = (uint32_t)m;
			m += starts[2 * t + 1];
		}
	if (m && !(spare = malloc(m * sizeof(*spare)))) {
		free(split);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t k = h->rows[i].key;

		if (split[k]) {		/* then the next row's place */
			spare[starts[2 * k]++] = h->rows[i];
			continue;
		}
		if (starts[2 * k] == i)	/* the first row of its one run */
			starts[2 * k] = (uint32_t)w;
		h->rows[w++] = h->rows[i];
	}
	if (m)
		memcpy(h->rows + w, spare, m * sizeof(*spare));
	for (size_t t = 0; t < texts; t++)
		if (split[t])	/* back from the next place to the first */
			starts[2 * t] += (uint32_t)w - starts[2 * t + 1];
	free(spare);
	free(split);
	*moved = m;
	return 0;
}

int kpi_history_index(kpi_history *h)
{
	size_t n = h->count, texts = h->texts.count, most = 0, moved;
	uint32_t *starts;
	kpi_history_row *scratch = NULL;
	int bys = 0;

	if (n > UINT32_MAX - 1)
		return -1;
	for (size_t i = 1; i < n && !bys; i++)
		bys = h->rows[i].by != h->rows[0].by;
	if (!(starts = calloc(2 * texts + 2, sizeof(*starts))))
		return -1;
	if (history_gather(h, starts, &moved) < 0) {
		free(starts);
		return -1;
	}
	for (size_t t = 0; bys && t < texts; t++)
		if (starts[2 * t + 1] > most)
			most = starts[2 * t + 1];
	if (most > 1 &&
	    !(scratch = malloc((most / 2 + 1) * sizeof(*scratch)))) {
		free(starts);
		return -1;
	}
	for (size_t t = 0; scratch && t < texts; t++)
		history_by_sort(h->rows + starts[2 * t], starts[2 * t + 1],
				scratch);
	free(scratch);
	free(h->starts);
	h->starts = starts;
	h->moved = moved;
	return 0;
}

long kpi_history_text(const kpi_history *h, const char *text, size_t len)
{
	return h->starts ? strmap_find(&h->texts, text, len) : -1;
}

/* A key's rows up to this many are read from its first for a by, more
 * are halved.  A binary search's loads each wait for the one before: at
 * ten million cases, where a lookup's rows are far larger than the
 * cache, each of them a miss (kpi_history_rows was 23x its time at one
 * million, docs/benchmarks.md); the rows read in a row are fetched
 * together.  A ZRM person holds about 36 rows (1 152 bytes). */
#define HISTORY_SCAN_ROWS 64

const kpi_history_row *kpi_history_rows(const kpi_history *h, long key,
					long by, size_t *count)
{
	size_t lo, hi, end;

	*count = 0;
	if (key < 0 || by < 0 || !h->starts)
		return h->rows;
	lo = h->starts[2 * key];
	end = hi = lo + h->starts[2 * key + 1];
	if (end - lo <= HISTORY_SCAN_ROWS) {
		/* the key's rows in order of by, read one after another:
		 * their loads do not wait for each other */
		while (lo < end && h->rows[lo].by < (uint32_t)by)
			lo++;
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (h->rows[mid].by < (uint32_t)by)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	for (hi = lo; hi < end && h->rows[hi].by == (uint32_t)by; hi++)
		;
	*count = hi - lo;
	return h->rows + lo;
}

const kpi_history_row *kpi_history_find(const kpi_history *h,
					const char *key, size_t key_len,
					const char *by, size_t by_len,
					size_t *count)
{
	long k = kpi_history_text(h, key, key_len);

	return kpi_history_rows(h, k, k < 0 ? -1 : kpi_history_text(h, by,
								      by_len),
				count);
}
