/*
 * kpi_history.c - the rows of a lookup held in C (kpi_model.h: the
 * measurements of score_change{}, the visits of overdue{}) put in order
 * of their key and found by it.
 *
 * A row's key and by are the numbers of their texts in the history's
 * strmap, so the rows are put in order by counting (by by, then by key,
 * each pass keeping the order before it) and a key's rows are found by
 * its number: the work is linear in the rows, and a row looked up costs
 * the same in a history of twenty million rows as in one of two.  (A
 * sort by the texts and a binary search per lookup cost n log n, and
 * each step of a search a cache miss: at ten million cases the ZRM KPIs
 * took 13 times the time of one million.)
 */
#include "kpi/kpi_model.h"

#include <stdlib.h>
#include <string.h>

/* The text number of row r by which a pass orders. */
static uint32_t history_text_of(const kpi_history_row *r, int key)
{
	return key ? r->key : r->by;
}

/* Rows from[0..n) into to in the order of their text number (key, or
 * by), the order among rows of one number kept; at[0..texts] becomes the
 * first row of each number and, at texts, n. */
static void history_spread(const kpi_history_row *from, kpi_history_row *to,
			   size_t n, uint32_t *at, size_t texts, int key)
{
	memset(at, 0, (texts + 1) * sizeof(*at));
	for (size_t i = 0; i < n; i++)
		at[history_text_of(&from[i], key) + 1]++;
	for (size_t t = 0; t < texts; t++)
		at[t + 1] += at[t];
	for (size_t i = 0; i < n; i++)
		to[at[history_text_of(&from[i], key)]++] = from[i];
	/* at[t] is now the end of t's rows: the start of t + 1's */
	memmove(at + 1, at, texts * sizeof(*at));
	at[0] = 0;
}

int kpi_history_index(kpi_history *h)
{
	size_t n = h->count, texts = h->texts.count;
	uint32_t *starts;
	kpi_history_row *spare;
	int bys = 0;

	if (n > UINT32_MAX - 1)
		return -1;
	for (size_t i = 1; i < n && !bys; i++)
		bys = h->rows[i].by != h->rows[0].by;
	starts = malloc((texts + 1) * sizeof(*starts));
	spare = malloc((n ? n : 1) * sizeof(*spare));
	if (!starts || !spare) {
		free(starts);
		free(spare);
		return -1;
	}
	if (bys) {		/* by by, then by key: the pair's rows together */
		history_spread(h->rows, spare, n, starts, texts, 0);
		history_spread(spare, h->rows, n, starts, texts, 1);
		free(spare);
	} else {
		history_spread(h->rows, spare, n, starts, texts, 1);
		free(h->rows);
		h->rows = spare;
		h->cap = n ? n : 1;
	}
	free(h->starts);
	h->starts = starts;
	return 0;
}

long kpi_history_text(const kpi_history *h, const char *text, size_t len)
{
	return h->starts ? strmap_find(&h->texts, text, len) : -1;
}

const kpi_history_row *kpi_history_rows(const kpi_history *h, long key,
					long by, size_t *count)
{
	size_t lo, hi, end;

	*count = 0;
	if (key < 0 || by < 0 || !h->starts)
		return h->rows;
	lo = h->starts[key];
	end = hi = h->starts[key + 1];
	while (lo < hi) {	/* the key's rows are in order of by */
		size_t mid = lo + (hi - lo) / 2;

		if (h->rows[mid].by < (uint32_t)by)
			lo = mid + 1;
		else
			hi = mid;
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
