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
 *
 * The set's memory is bounded by its budget ([limits]
 * distinct_memory_mb), not by the values: once it holds half of it (its
 * next growth could double it), the set takes no new value and no new
 * pair of its table.  What it has room for (the total and two cells of
 * the values it holds, in home; the pairs in its table) it goes on
 * counting at once; every other (value, cell, word) goes as a record to
 * one of KPI_DISTINCT_PARTS partitions on unlinked temporary files, by
 * the value's hash.  A (value, cell, word) that finds no room in the full
 * set never finds it later, so all of its records are in one partition
 * and none was counted in the set; after the scan the set is freed and
 * each partition is counted on its own, in a set of the same budget
 * (which spills by the next bits of the hash, if need be): the count of
 * a (cell, period) is the sum over the set and the partitions, exactly.
 */
#include "kpi/kpi_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/strmap.h"
#include "base/temp_file.h"

/* The last lookups remembered: the total's and a cell's, in turn. */
#define KPI_DISTINCT_RECENT 2
/* Values have their masks in home only up to this many words (128
 * periods): home holds every word of a value, where the table holds only
 * the words it was counted in, and a year of days is six. */
#define KPI_DISTINCT_HOME_WORDS 2
/* The cells besides the total whose masks a value has in home. */
#define KPI_DISTINCT_OWN 2

/* The partitions a set spills into, by KPI_DISTINCT_PART_BITS bits of a
 * value's hash: the lowest at level 0 (the scan's set), the next in a
 * partition's own set.  strmap picks slots by the hash's high bits, so a
 * partition's values still spread over its set's slots; past
 * KPI_DISTINCT_LEVELS levels (32 bits) a set does not spill. */
#define KPI_DISTINCT_PART_BITS 4
#define KPI_DISTINCT_PARTS (1u << KPI_DISTINCT_PART_BITS)
#define KPI_DISTINCT_LEVELS 8

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
	size_t budget;		/* the most bytes it holds */
	unsigned level;		/* which bits of the hash pick a partition */
	int full;		/* holds half the budget: takes nothing new */
	FILE *part[KPI_DISTINCT_PARTS];	/* the partitions, once written */
	int part_errno;		/* of the first failed write, or 0 */
	char *last;		/* the value of the record spilled last */
	size_t last_len, last_cap;
	int has_last;
};

static kpi_distinct *kpi_distinct_make(size_t words, size_t budget,
					unsigned level)
{
	kpi_distinct *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->words = words;
	d->stride = (1 + KPI_DISTINCT_OWN) * d->words + 1;
	d->last_value = -1;
	d->budget = budget;
	d->level = level;
	return d;
}

kpi_distinct *kpi_distinct_new(size_t period_count, size_t budget)
{
	return kpi_distinct_make((period_count + 63) / 64, budget, 0);
}

/* Free what the set holds in memory (not its partitions). */
static void kpi_distinct_drop(kpi_distinct *d)
{
	strmap_release(&d->values);
	free(d->home);
	free(d->pairs);
	free(d->last);
	d->home = NULL;
	d->pairs = NULL;
	d->last = NULL;
}

void kpi_distinct_free(kpi_distinct *d)
{
	if (!d)
		return;
	kpi_distinct_drop(d);
	for (size_t i = 0; i < KPI_DISTINCT_PARTS; i++)
		if (d->part[i])
			fclose(d->part[i]);
	free(d);
}

/* The bytes the set holds: its values, home and table, as allocated. */
static size_t kpi_distinct_held(const kpi_distinct *d)
{
	return strmap_bytes(&d->values) +
	       d->home_cap * d->stride * sizeof(*d->home) +
	       d->slot_count * sizeof(*d->pairs);
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
		/* -0 is 0, as == and the stores have it */
		kpi_format_real(v->num == 0 ? 0.0 : v->num, buf + 1, size - 1);
		break;
	default:
		snprintf(buf, size, "\x02%d:%.0f", (int)v->type,
			 v->num == 0 ? 0.0 : v->num);
	}
	*key = buf;
	*len = strlen(buf);
}

/* The number of the value key[0..len), added when new (unless the set
 * is full: then -2 when absent); -1 when out of memory.  Rows count a
 * value in several periods in turn, so the last one is checked first. */
static long kpi_distinct_value(kpi_distinct *d, const char *key, size_t len)
{
	int added;
	long n;

	if (d->last_value >= 0) {
		const char *last = strmap_key(&d->values,
						  (size_t)d->last_value);

		if (strmap_len(&d->values, (size_t)d->last_value) == len &&
		    (len == 0 || memcmp(last, key, len) == 0))
			return d->last_value;
	}
	if (d->full) {
		n = strmap_find(&d->values, key, len);
		if (n < 0)
			return -2;
	} else {
		n = strmap_put(&d->values, key, len, &added);
	}
	d->last_value = n;
	return n;
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
 * absent (unless the set is full: then -2); the table is kept at most
 * three quarters full.  -1 when out of memory. */
static long kpi_distinct_slot(kpi_distinct *d, uint64_t key)
{
	size_t s;

	for (size_t i = 0; i < KPI_DISTINCT_RECENT; i++)
		if (d->recent_key[i] == key)
			return (long)d->recent_slot[i];
	if (d->full && !d->slot_count)
		return -2;
	if (!d->full && (d->count + 1) * 4 > d->slot_count * 3 &&
	    kpi_distinct_grow(d) < 0)
		return -1;
	s = kpi_distinct_home(key, d->shift);
	while (d->pairs[s].key && d->pairs[s].key != key)
		s = (s + 1) & (d->slot_count - 1);
	if (!d->pairs[s].key) {
		if (d->full)
			return -2;
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

/* A new temporary file for a partition: NULL with errno. */
static FILE *kpi_distinct_tmpfile(void)
{
	int fd = temp_file_open("peil-distinct");
	FILE *f;

	if (fd < 0)
		return NULL;
	if (!(f = fdopen(fd, "w+b")))
		close(fd);
	return f;
}

/* Append n to buf as 7 bits a byte, low first, the high bit on all
 * but the last; the bytes written. */
static size_t kpi_distinct_varint(unsigned char *buf, uint64_t n)
{
	size_t i = 0;

	for (; n >= 0x80; n >>= 7)
		buf[i++] = (unsigned char)(n | 0x80);
	buf[i++] = (unsigned char)n;
	return i;
}

/* Write the record (key[0..len), where, bits) to its partition: the
 * value's length times two, plus one when it is the value of the record
 * before (then it is left out: it went to the same partition), the value,
 * where and bits.  A failure is remembered for kpi_distinct_finish, which
 * reports it: a count that misses records is never given. */
static void kpi_distinct_spill(kpi_distinct *d, const char *key, size_t len,
			       uint64_t where, uint64_t bits)
{
	unsigned char head[30], tail[20];
	int same = d->has_last && d->last_len == len &&
		   (len == 0 || memcmp(d->last, key, len) == 0);
	size_t p = (size_t)(strmap_hash(key, len) >>
			    (KPI_DISTINCT_PART_BITS * d->level)) &
		   (KPI_DISTINCT_PARTS - 1);
	size_t h, t;

	if (d->part_errno)
		return;
	if (!d->part[p] && !(d->part[p] = kpi_distinct_tmpfile())) {
		d->part_errno = errno ? errno : EIO;
		return;
	}
	h = kpi_distinct_varint(head, (uint64_t)len * 2 + (uint64_t)same);
	t = kpi_distinct_varint(tail, where);
	t += kpi_distinct_varint(tail + t, bits);
	if (fwrite(head, 1, h, d->part[p]) != h ||
	    (!same && len && fwrite(key, 1, len, d->part[p]) != len) ||
	    fwrite(tail, 1, t, d->part[p]) != t) {
		d->part_errno = errno ? errno : EIO;
		return;
	}
	if (same)
		return;
	if (len > d->last_cap) {
		char *grown = realloc(d->last, len);

		if (!grown) {
			d->part_errno = ENOMEM;
			return;
		}
		d->last = grown;
		d->last_cap = len;
	}
	if (len)
		memcpy(d->last, key, len);
	d->last_len = len;
	d->has_last = 1;
}

/* The mask of value n in cell's word: in home (which has room for the
 * total and two cells of every value it holds), or a slot of the table
 * (added when absent unless the set is full).  NULL with *rc -1 when out
 * of memory, -2 when the full set has none. */
static uint64_t *kpi_distinct_mask(kpi_distinct *d, size_t n, size_t cell,
				   size_t word, uint64_t where, int *rc)
{
	uint64_t *home = &d->home[n * d->stride];
	uint64_t *own = &home[(1 + KPI_DISTINCT_OWN) * d->words];
	long s;

	if (d->words <= KPI_DISTINCT_HOME_WORDS && cell == 0)
		return &home[word];
	for (size_t o = 0; d->words <= KPI_DISTINCT_HOME_WORDS &&
			   o < KPI_DISTINCT_OWN && cell < UINT32_MAX; o++) {
		uint64_t at = *own >> (32 * o) & 0xffffffffu;

		if (at == 0)	/* a cell of its own from now on */
			*own |= (uint64_t)(cell + 1) << (32 * o);
		if (at == 0 || at == cell + 1)
			return &home[(1 + o) * d->words + word];
	}
	s = kpi_distinct_slot(d, ((uint64_t)n << 32 | where) + 1);
	if (s < 0) {
		*rc = (int)s;
		return NULL;
	}
	return &d->pairs[s].mask;
}

/* kpi_distinct_add_bits for the value key[0..len). */
static int kpi_distinct_add(kpi_distinct *d, const char *key, size_t len,
			    size_t cell, size_t word, uint64_t bits,
			    uint64_t *added)
{
	uint64_t where = (uint64_t)cell * d->words + word;
	size_t values = d->values.count, pairs = d->count;
	long value;
	uint64_t *mask = NULL;
	int rc = -2;

	*added = 0;
	/* Values are numbered below 2^32 (strmap); cells times words
	 * beyond 2^32 would need accumulators of terabytes. */
	if (where >> 32 || word >= d->words)
		return -1;
	value = kpi_distinct_value(d, key, len);
	if (value == -1)
		return -1;
	if (value >= 0 && d->words <= KPI_DISTINCT_HOME_WORDS &&
	    (size_t)value >= d->home_zeroed &&
	    kpi_distinct_room(d, (size_t)value) < 0)
		return -1;
	if (value >= 0)
		mask = kpi_distinct_mask(d, (size_t)value, cell, word, where,
					 &rc);
	if (!mask && rc == -1)
		return -1;
	if (!mask) {	/* a full set without room for it */
		kpi_distinct_spill(d, key, len, where, bits);
		return 0;
	}
	*added = bits & ~*mask;
	*mask |= bits;
	if ((d->values.count != values || d->count != pairs) &&
	    d->level < KPI_DISTINCT_LEVELS &&
	    kpi_distinct_held(d) > d->budget / 2)
		d->full = 1;
	return 0;
}

int kpi_distinct_add_bits(kpi_distinct *d, const kpi_value *v, size_t cell,
			  size_t word, uint64_t bits, uint64_t *added)
{
	char buf[48];
	const char *key;
	size_t len;

	kpi_distinct_key(v, buf, sizeof(buf), &key, &len);
	return kpi_distinct_add(d, key, len, cell, word, bits, added);
}

/* A partition read back, a block at a time. */
typedef struct kpi_distinct_reader {
	FILE *f;
	size_t at, len;
	unsigned char buf[1 << 16];
} kpi_distinct_reader;

/* The next byte, or -1 at the end. */
static int kpi_distinct_byte(kpi_distinct_reader *r)
{
	if (r->at == r->len) {
		r->len = fread(r->buf, 1, sizeof(r->buf), r->f);
		r->at = 0;
		if (r->len == 0)
			return -1;
	}
	return r->buf[r->at++];
}

/* The next varint into *n: 1, 0 at the end, -1 when cut off. */
static int kpi_distinct_read_varint(kpi_distinct_reader *r, uint64_t *n)
{
	int c = kpi_distinct_byte(r);

	*n = 0;
	if (c < 0)
		return 0;
	for (unsigned shift = 0;; shift += 7) {
		if (shift > 63)
			return -1;
		*n |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 1;
		if ((c = kpi_distinct_byte(r)) < 0)
			return -1;
	}
}

/* Count the records of partition f in a set of their own (one level
 * down), handing what is new to count; then its own partitions.  0, or
 * -1 with err. */
static int kpi_distinct_count_part(const kpi_distinct *d, FILE *f,
				   kpi_distinct_count count, void *ctx,
				   peil_error *err)
{
	kpi_distinct *part = kpi_distinct_make(d->words, d->budget,
						     d->level + 1);
	kpi_distinct_reader *r = malloc(sizeof(*r));
	char *key = NULL;
	size_t key_cap = 0, len = 0;
	int rc = 0;

	if (!part || !r) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	r->f = f;
	r->at = r->len = 0;
	rewind(f);
	for (;;) {
		uint64_t head, where, bits, added;
		int got = kpi_distinct_read_varint(r, &head);

		if (got == 0)
			break;
		if (got < 0) {
			rc = -1;
			break;
		}
		if ((head & 1) == 0) {
			len = (size_t)(head >> 1);
			if (len > key_cap) {
				char *grown = realloc(key, len);

				if (!grown) {
					rc = error_set(err, NULL, 0, NULL,
						       "out of memory");
					goto out;
				}
				key = grown;
				key_cap = len;
			}
			for (size_t i = 0; i < len && rc == 0; i++) {
				int c = kpi_distinct_byte(r);

				if (c < 0)
					rc = -1;
				else
					key[i] = (char)c;
			}
		}
		if (rc < 0 || kpi_distinct_read_varint(r, &where) != 1 ||
		    kpi_distinct_read_varint(r, &bits) != 1) {
			rc = -1;
			break;
		}
		if (kpi_distinct_add(part, key, len, (size_t)(where / d->words),
				     (size_t)(where % d->words), bits,
				     &added) < 0) {
			rc = error_set(err, NULL, 0, NULL, "out of memory");
			goto out;
		}
		if (added)
			count(ctx, (size_t)(where / d->words),
			      (size_t)(where % d->words), added);
	}
	if (rc < 0 || ferror(f)) {
		rc = error_set(err, NULL, 0, NULL,
			       "count_distinct: a temporary file of its "
			       "values in %s read back %s", temp_file_dir(),
			       ferror(f) ? "with an error" : "cut off");
		goto out;
	}
	rc = kpi_distinct_finish(part, count, ctx, err);
out:
	kpi_distinct_free(part);
	free(r);
	free(key);
	return rc;
}

int kpi_distinct_finish(kpi_distinct *d, kpi_distinct_count count, void *ctx,
			peil_error *err)
{
	size_t i;

	for (i = 0; i < KPI_DISTINCT_PARTS && !d->part[i]; i++)
		;
	if (i == KPI_DISTINCT_PARTS && !d->part_errno)
		return 0;
	kpi_distinct_drop(d);
	for (i = 0; i < KPI_DISTINCT_PARTS && !d->part_errno; i++)
		if (d->part[i] && fflush(d->part[i]) != 0)
			d->part_errno = errno ? errno : EIO;
	if (d->part_errno)
		return error_set(err, NULL, 0, NULL,
				 "count_distinct: its values past [limits] "
				 "distinct_memory_mb to a temporary file in "
				 "%s: %s", temp_file_dir(),
				 strerror(d->part_errno));
	for (i = 0; i < KPI_DISTINCT_PARTS; i++) {
		int rc;

		if (!d->part[i])
			continue;
		rc = kpi_distinct_count_part(d, d->part[i], count, ctx, err);
		fclose(d->part[i]);
		d->part[i] = NULL;
		if (rc < 0)
			return -1;
	}
	return 0;
}
