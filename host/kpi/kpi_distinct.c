/*
 * kpi_distinct.c - count_distinct: the periods of each cell of a KPI in
 * which a value is new, counted after the scan.
 *
 * A set that looks every value up as it comes does a lookup per row in a
 * table as large as the values: at ten million cases some two million
 * persons, whose lookups wait for memory where a million cases' stay in
 * the cache, so its time grew faster than the rows.  Here the scan only
 * sorts: each value is hashed once to a 64-bit fingerprint (strmap_hash)
 * and its record (the value, where: cell * words + word, and the bits of
 * the periods) is appended to one of KPI_DISTINCT_PARTS partitions, by
 * KPI_DISTINCT_PART_BITS bits of the fingerprint.  A partition keeps its
 * records in a buffer of a share of the budget ([limits]
 * distinct_memory_mb); a full buffer is written as a block to an
 * unlinked temporary file of the set.  After the scan each partition is
 * counted on its own, in a table of fixed-size entries (fingerprint,
 * where, the periods counted) small enough to stay in the cache: its
 * values are a 256th of them all.  The table keeps each entry's value
 * too, and entries of equal fingerprint are told apart by it, so the
 * counts are exact whatever the hash.  A value is in one partition, so
 * the count of a (cell, period) is the sum over the partitions.
 *
 * The memory is bounded by the budget, not by the values: the buffers
 * hold at most a quarter of it, and a partition's table at most half
 * (estimated from its records before it is read).  A partition too large
 * for that is sorted again, by the next bits of the fingerprint, into a
 * set of its own one level down, which counts its own partitions; past
 * KPI_DISTINCT_LEVELS levels (the 64 bits) a partition is counted
 * whatever it takes.  The partitions can be counted in pieces, shares of
 * them, on two threads at once (kpi_distinct_finish_piece), each with a
 * table of its own.  A block that cannot be written
 * or read back fails the KPI in kpi_distinct_finish: a count that misses
 * records is never given.
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

/* The partitions of a set, by KPI_DISTINCT_PART_BITS bits of the
 * fingerprint: the lowest at level 0 (the scan's set), the next in a
 * partition's own set, KPI_DISTINCT_LEVELS levels in all. */
#define KPI_DISTINCT_PART_BITS 8
#define KPI_DISTINCT_PARTS (1u << KPI_DISTINCT_PART_BITS)
#define KPI_DISTINCT_LEVELS (64 / KPI_DISTINCT_PART_BITS)
/* A partition's buffer: a quarter of the budget over the partitions,
 * within these bounds (a block of the file). */
#define KPI_DISTINCT_BLOCK_MIN 64
#define KPI_DISTINCT_BLOCK_MAX ((size_t)64 << 10)
/* A partition of at most this many records is counted in a table
 * whatever the budget (a budget of a few bytes, in tests). */
#define KPI_DISTINCT_SMALL 16

/* A block of a partition written to the file. */
typedef struct kpi_distinct_block {
	uint64_t at;
	size_t len;
} kpi_distinct_block;

/* A partition: its records, in the blocks written and then its buffer.
 * A record is its value's length times two, plus one when it is the
 * value of the partition's record before (then it is left out), the
 * value, where and bits, as varints. */
typedef struct kpi_distinct_part {
	unsigned char *buf;	/* records not written yet */
	size_t len, cap;
	kpi_distinct_block *blocks;
	size_t block_count, block_cap;
	size_t records;		/* in all */
	uint64_t bytes;		/* in all */
	uint64_t last;		/* the serial of its last record's value */
} kpi_distinct_part;

/* An entry of a partition's table: text is the offset + 1 of its value
 * in the arena (a 32-bit length, then the bytes), 0 when empty. */
typedef struct kpi_distinct_entry {
	uint64_t fp, mask;
	uint32_t where, text;
} kpi_distinct_entry;

struct kpi_distinct {
	size_t words;		/* 64-period words per cell */
	size_t budget;		/* the most bytes it holds */
	unsigned level;		/* which bits of the fingerprint pick a
				   partition */
	uint64_t (*hash)(const char *key, size_t len);
	kpi_distinct_part *part;	/* [KPI_DISTINCT_PARTS], once used */
	size_t block;		/* a buffer is written once this full */
	size_t block_max;	/* the longest block written */
	int fd;			/* the file of the blocks, or -1 */
	uint64_t file_len;
	int err;		/* errno of the first failed write, or 0 */
	/* the value added last: its serial (1 up), fingerprint, bytes */
	uint64_t serial, fp;
	char *last;
	size_t last_len, last_cap;
};

static kpi_distinct *kpi_distinct_make(size_t words, size_t budget,
					unsigned level,
					uint64_t (*hash)(const char *, size_t))
{
	kpi_distinct *d = calloc(1, sizeof(*d));
	size_t block = budget / 4 / KPI_DISTINCT_PARTS;

	if (!d)
		return NULL;
	d->words = words;
	d->budget = budget;
	d->level = level;
	d->hash = hash;
	d->block = block < KPI_DISTINCT_BLOCK_MIN   ? KPI_DISTINCT_BLOCK_MIN
		   : block > KPI_DISTINCT_BLOCK_MAX ? KPI_DISTINCT_BLOCK_MAX
						    : block;
	d->fd = -1;
	return d;
}

kpi_distinct *kpi_distinct_new(size_t period_count, size_t budget)
{
	return kpi_distinct_make((period_count + 63) / 64, budget, 0,
				 strmap_hash);
}

void kpi_distinct_hash_with(kpi_distinct *d,
			    uint64_t (*hash)(const char *key, size_t len))
{
	d->hash = hash;
}

void kpi_distinct_free(kpi_distinct *d)
{
	if (!d)
		return;
	for (size_t i = 0; d->part && i < KPI_DISTINCT_PARTS; i++) {
		free(d->part[i].buf);
		free(d->part[i].blocks);
	}
	free(d->part);
	free(d->last);
	if (d->fd >= 0)
		close(d->fd);
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

/* Write p's buffer as a block at the end of the file.  A failure is
 * remembered for kpi_distinct_finish (the buffer's records are lost). */
static void kpi_distinct_write(kpi_distinct *d, kpi_distinct_part *p)
{
	size_t done = 0;

	if (!d->err && d->fd < 0 &&
	    (d->fd = temp_file_open("peil-distinct")) < 0)
		d->err = errno ? errno : EIO;
	if (!d->err && p->block_count == p->block_cap) {
		size_t cap = p->block_cap ? p->block_cap * 2 : 16;
		kpi_distinct_block *b = realloc(p->blocks, cap * sizeof(*b));

		if (b) {
			p->blocks = b;
			p->block_cap = cap;
		} else {
			d->err = ENOMEM;
		}
	}
	while (!d->err && done < p->len) {
		ssize_t n = pwrite(d->fd, p->buf + done, p->len - done,
				   (off_t)(d->file_len + done));

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno != EINTR)
			d->err = errno;
		else if (n == 0)
			d->err = EIO;
	}
	if (!d->err) {
		p->blocks[p->block_count].at = d->file_len;
		p->blocks[p->block_count++].len = p->len;
		d->file_len += p->len;
		if (p->len > d->block_max)
			d->block_max = p->len;
	}
	p->len = 0;
}

/* Append the record (key[0..len) of fingerprint fp and serial, where,
 * bits) to its partition.  -1 when out of memory. */
static int kpi_distinct_put(kpi_distinct *d, uint64_t fp, uint64_t serial,
			    const char *key, size_t len, uint64_t where,
			    uint64_t bits)
{
	kpi_distinct_part *p;
	unsigned char head[10], tail[20];
	size_t h, t, need;
	int same;

	if (!d->part &&
	    !(d->part = calloc(KPI_DISTINCT_PARTS, sizeof(*d->part))))
		return -1;
	p = &d->part[fp >> (KPI_DISTINCT_PART_BITS * d->level) &
		     (KPI_DISTINCT_PARTS - 1)];
	same = p->last == serial;
	h = kpi_distinct_varint(head, (uint64_t)len * 2 + (uint64_t)same);
	t = kpi_distinct_varint(tail, where);
	t += kpi_distinct_varint(tail + t, bits);
	need = h + (same ? 0 : len) + t;
	if (p->len + need > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		unsigned char *buf;

		while (cap < p->len + need)
			cap *= 2;
		if (!(buf = realloc(p->buf, cap)))
			return -1;
		p->buf = buf;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, head, h);
	p->len += h;
	if (!same && len) {
		memcpy(p->buf + p->len, key, len);
		p->len += len;
	}
	memcpy(p->buf + p->len, tail, t);
	p->len += t;
	p->last = serial;
	p->records++;
	p->bytes += need;
	if (p->len >= d->block)
		kpi_distinct_write(d, p);
	return 0;
}

/* kpi_distinct_add_bits for the value key[0..len), hashed unless it is
 * the value added last.  -1 when out of memory. */
static int kpi_distinct_add(kpi_distinct *d, const char *key, size_t len,
			    uint64_t where, uint64_t bits)
{
	if (!d->serial || d->last_len != len ||
	    (len && memcmp(d->last, key, len) != 0)) {
		if (len > d->last_cap) {
			char *grown = realloc(d->last, len);

			if (!grown)
				return -1;
			d->last = grown;
			d->last_cap = len;
		}
		if (len)
			memcpy(d->last, key, len);
		d->last_len = len;
		d->fp = d->hash(key, len);
		d->serial++;
	}
	return kpi_distinct_put(d, d->fp, d->serial, key, len, where, bits);
}

int kpi_distinct_add_bits(kpi_distinct *d, const kpi_value *v, size_t cell,
			  size_t word, uint64_t bits)
{
	uint64_t where = (uint64_t)cell * d->words + word;
	char buf[48];
	const char *key;
	size_t len;

	/* cells times words beyond 2^32 would need accumulators of
	 * terabytes */
	if (where >> 32 || word >= d->words)
		return -1;
	if (!bits)
		return 0;
	kpi_distinct_key(v, buf, sizeof(buf), &key, &len);
	return kpi_distinct_add(d, key, len, where, bits);
}

/* A partition read back: its blocks from the file, then its buffer. */
typedef struct kpi_distinct_reader {
	const kpi_distinct *d;
	const kpi_distinct_part *p;
	size_t next;		/* the next block; block_count: the buffer */
	const unsigned char *at, *end;
	unsigned char *buf;	/* room for the longest block */
	int err;		/* errno of a failed read, EIO cut off */
} kpi_distinct_reader;

/* The next byte, or -1 at the end (or when a read failed: r->err). */
static int kpi_distinct_byte(kpi_distinct_reader *r)
{
	while (r->at == r->end) {
		const kpi_distinct_part *p = r->p;

		if (r->next > p->block_count || r->err)
			return -1;
		if (r->next == p->block_count) {
			r->at = p->buf;
			r->end = p->buf + p->len;
		} else {
			const kpi_distinct_block *b = &p->blocks[r->next];
			size_t done = 0;

			while (done < b->len) {
				ssize_t n = pread(r->d->fd, r->buf + done,
						  b->len - done,
						  (off_t)(b->at + done));

				if (n > 0) {
					done += (size_t)n;
				} else if (n == 0 || errno != EINTR) {
					r->err = n == 0 ? EIO : errno;
					return -1;
				}
			}
			r->at = r->buf;
			r->end = r->buf + b->len;
		}
		r->next++;
	}
	return *r->at++;
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

/* Counting a partition: its table and the arena of the entries'
 * values, kept from one partition to the next. */
typedef struct kpi_distinct_table {
	kpi_distinct_entry *slots;
	size_t slot_count, count;	/* slot_count a power of two */
	unsigned char *arena;
	size_t arena_len, arena_cap;
} kpi_distinct_table;

/* The home slot of (fp, where): the fingerprint's bits below the
 * partitions' are shared by a partition, so all of it is mixed. */
static size_t kpi_distinct_home(uint64_t fp, uint32_t where, size_t slots)
{
	uint64_t h = (fp ^ (uint64_t)where * 0x9e3779b97f4a7c15u) *
		     0xbf58476d1ce4e5b9u;

	return (size_t)(h >> 32 ^ h) & (slots - 1);
}

/* An empty table of about room entries (64 at least). -1 when out of
 * memory. */
static int kpi_distinct_clear(kpi_distinct_table *t, size_t room)
{
	size_t n = 64;

	while (n < room + room / 3)
		n *= 2;
	if (n != t->slot_count) {
		kpi_distinct_entry *slots = malloc(n * sizeof(*slots));

		if (!slots)
			return -1;
		free(t->slots);
		t->slots = slots;
		t->slot_count = n;
	}
	memset(t->slots, 0, t->slot_count * sizeof(*t->slots));
	t->count = 0;
	t->arena_len = 0;
	return 0;
}

/* Double the table.  -1 when out of memory. */
static int kpi_distinct_grow(kpi_distinct_table *t)
{
	size_t n = t->slot_count * 2;
	kpi_distinct_entry *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < t->slot_count; i++) {
		size_t s;

		if (!t->slots[i].text)
			continue;
		s = kpi_distinct_home(t->slots[i].fp, t->slots[i].where, n);
		while (slots[s].text)
			s = (s + 1) & (n - 1);
		slots[s] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->slot_count = n;
	return 0;
}

/* The entry of (key[0..len) of fingerprint fp, where), added with an
 * empty mask when absent; the table is kept at most three quarters
 * full.  NULL when out of memory. */
static kpi_distinct_entry *kpi_distinct_entry_of(kpi_distinct_table *t,
						 uint64_t fp, const char *key,
						 uint32_t len, uint32_t where)
{
	kpi_distinct_entry *e;
	size_t s;

	if ((t->count + 1) * 4 > t->slot_count * 3 &&
	    kpi_distinct_grow(t) < 0)
		return NULL;
	s = kpi_distinct_home(fp, where, t->slot_count);
	for (; (e = &t->slots[s])->text; s = (s + 1) & (t->slot_count - 1)) {
		const unsigned char *at = t->arena + e->text - 1;
		uint32_t at_len;

		if (e->fp != fp || e->where != where)
			continue;
		memcpy(&at_len, at, sizeof(at_len));
		if (at_len == len && (len == 0 || memcmp(at + 4, key, len) == 0))
			return e;
	}
	/* a new entry: its value in the arena, whose offsets are 32 bits */
	if (t->arena_len + 4 + len > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 4096;
		unsigned char *arena;

		while (cap < t->arena_len + 4 + len)
			cap *= 2;
		if (t->arena_len + 4 + len >= UINT32_MAX ||
		    !(arena = realloc(t->arena, cap)))
			return NULL;
		t->arena = arena;
		t->arena_cap = cap;
	}
	memcpy(t->arena + t->arena_len, &len, sizeof(len));
	if (len)
		memcpy(t->arena + t->arena_len + 4, key, len);
	e->fp = fp;
	e->mask = 0;
	e->where = where;
	e->text = (uint32_t)t->arena_len + 1;
	t->arena_len += 4 + len;
	t->count++;
	return e;
}

/* Whether partition p is counted in a table rather than sorted again:
 * its table (at most one entry a record, with room, and their values)
 * within half the budget. */
static int kpi_distinct_fits(const kpi_distinct *d, const kpi_distinct_part *p)
{
	return p->records <= KPI_DISTINCT_SMALL ||
	       d->level + 1 >= KPI_DISTINCT_LEVELS ||
	       (uint64_t)p->records * 2 * sizeof(kpi_distinct_entry) +
			       p->bytes + (uint64_t)p->records * 4 <=
		       d->budget / 2;
}

static int kpi_distinct_finish_level(kpi_distinct *d, size_t lo, size_t hi,
				     kpi_distinct_count count, void *ctx,
				     kpi_distinct_table *t, peil_error *err);

/* Count the records of partition p: in t, handing what is new to count,
 * or into a set one level down, counted in turn.  0, or -1 with err. */
static int kpi_distinct_count_part(const kpi_distinct *d,
				   const kpi_distinct_part *p,
				   kpi_distinct_count count, void *ctx,
				   kpi_distinct_table *t, peil_error *err)
{
	kpi_distinct_reader r = { d, p, 0, NULL, NULL, NULL, 0 };
	kpi_distinct *down = NULL;
	char *key = NULL;
	size_t key_cap = 0, len = 0;
	uint64_t fp = 0, serial = 0;
	int rc = 0, cut = 0;

	if (d->block_max && !(r.buf = malloc(d->block_max)))
		goto out_of_memory;
	if (kpi_distinct_fits(d, p)) {
		if (kpi_distinct_clear(t, p->records) < 0)
			goto out_of_memory;
	} else if (!(down = kpi_distinct_make(d->words, d->budget,
					      d->level + 1, d->hash))) {
		goto out_of_memory;
	}
	for (;;) {
		uint64_t head, where, bits;
		int got = kpi_distinct_read_varint(&r, &head);

		if (got <= 0) {
			cut = got < 0;
			break;
		}
		if ((head & 1) == 0) {
			len = (size_t)(head >> 1);
			if (len > key_cap) {
				char *grown = realloc(key, len);

				if (!grown)
					goto out_of_memory;
				key = grown;
				key_cap = len;
			}
			for (size_t i = 0; i < len && !cut; i++) {
				int c = kpi_distinct_byte(&r);

				if (c < 0)
					cut = 1;
				else
					key[i] = (char)c;
			}
			fp = d->hash(key, len);
			serial++;
		}
		if (cut || kpi_distinct_read_varint(&r, &where) != 1 ||
		    kpi_distinct_read_varint(&r, &bits) != 1) {
			cut = 1;
			break;
		}
		if (down) {
			if (kpi_distinct_put(down, fp, serial, key, len, where,
					     bits) < 0)
				goto out_of_memory;
		} else {
			kpi_distinct_entry *e = kpi_distinct_entry_of(
				t, fp, key, (uint32_t)len, (uint32_t)where);
			uint64_t added;

			if (!e || len >= UINT32_MAX)
				goto out_of_memory;
			added = bits & ~e->mask;
			e->mask |= bits;
			if (added)
				count(ctx, (size_t)(where / d->words),
				      (size_t)(where % d->words), added);
		}
	}
	if (cut || r.err) {
		rc = error_set(err, NULL, 0, NULL,
			       "count_distinct: a temporary file of its "
			       "values in %s read back %s%s", temp_file_dir(),
			       r.err ? "with an error: " : "cut off",
			       r.err ? strerror(r.err) : "");
		goto out;
	}
	if (down)
		rc = kpi_distinct_finish_level(down, 0, KPI_DISTINCT_PARTS,
					       count, ctx, t, err);
	goto out;
out_of_memory:
	rc = error_set(err, NULL, 0, NULL, "out of memory");
out:
	kpi_distinct_free(down);
	free(r.buf);
	free(key);
	return rc;
}

/* kpi_distinct_finish_piece of partitions [lo, hi), with the table t of
 * the level above. */
static int kpi_distinct_finish_level(kpi_distinct *d, size_t lo, size_t hi,
				     kpi_distinct_count count, void *ctx,
				     kpi_distinct_table *t, peil_error *err)
{
	if (d->err)
		return error_set(err, NULL, 0, NULL,
				 "count_distinct: its values past [limits] "
				 "distinct_memory_mb to a temporary file in "
				 "%s: %s", temp_file_dir(), strerror(d->err));
	for (size_t i = lo; d->part && i < hi; i++) {
		kpi_distinct_part *p = &d->part[i];

		if (p->records &&
		    kpi_distinct_count_part(d, p, count, ctx, t, err) < 0)
			return -1;
		free(p->buf);
		free(p->blocks);
		memset(p, 0, sizeof(*p));
	}
	return 0;
}

size_t kpi_distinct_records(const kpi_distinct *d)
{
	size_t n = 0;

	for (size_t i = 0; d->part && i < KPI_DISTINCT_PARTS; i++)
		n += d->part[i].records;
	return n;
}

int kpi_distinct_finish_piece(kpi_distinct *d, size_t piece, size_t pieces,
			      kpi_distinct_count count, void *ctx,
			      peil_error *err)
{
	kpi_distinct_table t = { NULL, 0, 0, NULL, 0, 0 };
	int rc = kpi_distinct_finish_level(
		d, piece * KPI_DISTINCT_PARTS / pieces,
		(piece + 1) * KPI_DISTINCT_PARTS / pieces, count, ctx, &t,
		err);

	free(t.slots);
	free(t.arena);
	return rc;
}

int kpi_distinct_finish(kpi_distinct *d, kpi_distinct_count count, void *ctx,
			peil_error *err)
{
	return kpi_distinct_finish_piece(d, 0, 1, count, ctx, err);
}
