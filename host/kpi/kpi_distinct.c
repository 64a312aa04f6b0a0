/*
 * kpi_distinct.c - count_distinct: whether a value is new in a (cell,
 * period) of a KPI.
 *
 * A set of values per (cell, period) holds a copy of a value in every
 * period it occurs in: a person in a case running all year, twice (the
 * total and the team) in each of twelve months, and a hash lookup for
 * each.  Here a value is copied once and numbered, and the periods it was
 * counted in are bit masks of 64 periods.  A value's masks of cell 0 (the
 * total) and of the first KPI_DISTINCT_OWN other cells it comes in (a
 * person's team, and a second one), and which cells those are, lie side
 * by side in an array by its number: most values come in one or two
 * cells, and a lookup in a table of millions of entries waits for memory,
 * once for them all rather than once each (at ten million cases 1.2
 * million persons came in a second team: as pairs in the table below
 * they took 64 MiB).  Other (value, cell) pairs go to a hash table whose
 * slots hold key and mask together (one wait, not two), up to three
 * quarters full, and so does every pair when there are more than
 * KPI_DISTINCT_HOME_WORDS words of periods.  The periods a row counts
 * in are consecutive, so the last lookups are remembered: a row costs a
 * lookup of its value and one per cell rather than one per period.
 */
#include "kpi/kpi_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

/* The last lookups remembered: the total's and a cell's, in turn. */
#define KPI_DISTINCT_RECENT 2
/* Values have their masks in home only up to this many words (128
 * periods): home holds every word of a value, where the table holds only
 * the words it was counted in, and a year of days is six. */
#define KPI_DISTINCT_HOME_WORDS 2
/* The cells besides the total whose masks a value has in home. */
#define KPI_DISTINCT_OWN 2

/* A slot of the table of other pairs: key (value << 32 | cell * words +
 * word) + 1, or 0 when empty; the periods of that word the value was
 * counted in. */
typedef struct kpi_distinct_pair {
	uint64_t key, mask;
} kpi_distinct_pair;

struct kpi_distinct {
	strmap values;	/* the values seen, numbered */
	size_t words;		/* 64-period words per cell */
	/* per value n, home[n * stride ...]: words masks of the periods it
	 * was counted in in cell 0, words in each of its own cells, then
	 * those cells + 1 (0: none yet), 32 bits each */
	uint64_t *home;
	size_t stride;		/* (1 + KPI_DISTINCT_OWN) * words + 1 */
	size_t home_cap;	/* values with room in home */
	size_t home_zeroed;	/* values whose room is zeroed */
	kpi_distinct_pair *pairs;	/* the other pairs */
	size_t count, slot_count;	/* slot_count 2^(64 - shift) */
	unsigned shift;
	long last_value;		/* the number of the value last looked
					   up, or -1 */
	uint64_t recent_key[KPI_DISTINCT_RECENT];
	size_t recent_slot[KPI_DISTINCT_RECENT];
	size_t recent_next;
};

kpi_distinct *kpi_distinct_new(size_t period_count)
{
	kpi_distinct *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->words = (period_count + 63) / 64;
	d->stride = (1 + KPI_DISTINCT_OWN) * d->words + 1;
	d->last_value = -1;
	return d;
}

void kpi_distinct_free(kpi_distinct *d)
{
	if (!d)
		return;
	strmap_release(&d->values);
	free(d->home);
	free(d->pairs);
	free(d);
}

/* The bytes that tell values apart: text itself, the others with a
 * leading byte that no text of a measure starts with. */
static void kpi_distinct_key(const kpi_value *v, char *buf, size_t size,
			     const char **key, size_t *len)
{
	switch (v->type) {
	case KPI_VALUE_TEXT:
		*key = v->text;
		*len = v->len;
		return;
	case KPI_VALUE_NUMBER:
		buf[0] = '\x01';	/* apart from any text */
		kpi_format_real(v->num, buf + 1, size - 1);
		break;
	default:
		snprintf(buf, size, "\x02%d:%.0f", (int)v->type, v->num);
	}
	*key = buf;
	*len = strlen(buf);
}

/* The number of the value, added when new; -1 when out of memory.  Rows
 * count a value in several periods in turn, so the last one is checked
 * first. */
static long kpi_distinct_value(kpi_distinct *d, const kpi_value *v)
{
	char buf[48];
	const char *key;
	size_t len;
	int added;

	kpi_distinct_key(v, buf, sizeof(buf), &key, &len);
	if (d->last_value >= 0) {
		const char *last = strmap_key(&d->values,
						  (size_t)d->last_value);

		if (strmap_len(&d->values, (size_t)d->last_value) == len &&
		    (len == 0 || memcmp(last, key, len) == 0))
			return d->last_value;
	}
	d->last_value = strmap_put(&d->values, key, len, &added);
	return d->last_value;
}

/* The home slot of key in a table of 2^(64 - shift) slots: the high bits
 * of splitmix64's finaliser, so that growing writes the new table in the
 * old one's order rather than at random. */
static size_t kpi_distinct_home(uint64_t key, unsigned shift)
{
	key ^= key >> 30;
	key *= 0xbf58476d1ce4e5b9u;
	key ^= key >> 27;
	key *= 0x94d049bb133111ebu;
	return (size_t)((key ^ (key >> 31)) >> shift);
}

/* Double the table; forgets the recent lookups, whose slots move.  -1
 * when out of memory. */
static int kpi_distinct_grow(kpi_distinct *d)
{
	size_t n = d->slot_count ? d->slot_count * 2 : 1024;
	unsigned shift = d->slot_count ? d->shift - 1 : 54;
	kpi_distinct_pair *pairs = calloc(n, sizeof(*pairs));

	if (!pairs)
		return -1;
	for (size_t i = 0; i < d->slot_count; i++) {
		size_t s;

		if (!d->pairs[i].key)
			continue;
		s = kpi_distinct_home(d->pairs[i].key, shift);
		while (pairs[s].key)
			s = (s + 1) & (n - 1);
		pairs[s] = d->pairs[i];
	}
	free(d->pairs);
	d->pairs = pairs;
	d->slot_count = n;
	d->shift = shift;
	memset(d->recent_key, 0, sizeof(d->recent_key));
	return 0;
}

/* The slot of key (stored + 1, so never 0), added with an empty mask when
 * absent; the table is kept at most three quarters full.  -1 when out of
 * memory. */
static long kpi_distinct_slot(kpi_distinct *d, uint64_t key)
{
	size_t s;

	for (size_t i = 0; i < KPI_DISTINCT_RECENT; i++)
		if (d->recent_key[i] == key)
			return (long)d->recent_slot[i];
	if ((d->count + 1) * 4 > d->slot_count * 3 &&
	    kpi_distinct_grow(d) < 0)
		return -1;
	s = kpi_distinct_home(key, d->shift);
	while (d->pairs[s].key && d->pairs[s].key != key)
		s = (s + 1) & (d->slot_count - 1);
	if (!d->pairs[s].key) {
		d->pairs[s].key = key;
		d->pairs[s].mask = 0;
		d->count++;
	}
	d->recent_key[d->recent_next] = key;
	d->recent_slot[d->recent_next] = s;
	d->recent_next = (d->recent_next + 1) % KPI_DISTINCT_RECENT;
	return (long)s;
}

/* Room in home for value n, zeroed.  The room beyond the values
 * numbered so far is zeroed as values come, not when it is made: pages
 * of it that no value reaches are never touched, so they take no memory
 * (a capacity that doubled is half unused).  -1 when out of memory. */
static int kpi_distinct_room(kpi_distinct *d, size_t n)
{
	size_t cap = d->home_cap ? d->home_cap : 1024;

	if (n >= d->home_cap) {
		uint64_t *home;

		while (cap <= n)
			cap *= 2;
		home = realloc(d->home, cap * d->stride * sizeof(*home));
		if (!home)
			return -1;
		d->home = home;
		d->home_cap = cap;
	}
	memset(d->home + d->home_zeroed * d->stride, 0,
	       (n + 1 - d->home_zeroed) * d->stride * sizeof(*d->home));
	d->home_zeroed = n + 1;
	return 0;
}

int kpi_distinct_add_bits(kpi_distinct *d, const kpi_value *v, size_t cell,
			  size_t word, uint64_t bits, uint64_t *added)
{
	long value = kpi_distinct_value(d, v);
	uint64_t where = (uint64_t)cell * d->words + word;
	uint64_t *mask;
	size_t n = (size_t)value;

	*added = 0;
	/* Values are numbered below 2^32 (strmap); cells times words
	 * beyond 2^32 would need accumulators of terabytes. */
	if (value < 0 || where >> 32 || word >= d->words)
		return -1;
	if (d->words <= KPI_DISTINCT_HOME_WORDS && n >= d->home_zeroed &&
	    kpi_distinct_room(d, n) < 0)
		return -1;
	if (d->words > KPI_DISTINCT_HOME_WORDS) {
		long s = kpi_distinct_slot(d, ((uint64_t)value << 32 |
					       where) + 1);

		if (s < 0)
			return -1;
		mask = &d->pairs[s].mask;
	} else if (cell == 0) {
		mask = &d->home[n * d->stride + word];
	} else {
		uint64_t *home = &d->home[n * d->stride];
		uint64_t *own = &home[(1 + KPI_DISTINCT_OWN) * d->words];
		long s;

		for (size_t o = 0; o < KPI_DISTINCT_OWN && cell < UINT32_MAX;
		     o++) {
			uint64_t at = *own >> (32 * o) & 0xffffffffu;

			if (at == 0)	/* a cell of its own from now on */
				*own |= (uint64_t)(cell + 1) << (32 * o);
			if (at == 0 || at == cell + 1) {
				mask = &home[(1 + o) * d->words + word];
				goto found;
			}
		}
		s = kpi_distinct_slot(d, ((uint64_t)value << 32 | where) + 1);
		if (s < 0)
			return -1;
		mask = &d->pairs[s].mask;
	}
found:
	*added = bits & ~*mask;
	*mask |= bits;
	return 0;
}
