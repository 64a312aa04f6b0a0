/*
 * record_keys.c - the keys of the export being read (record_keys.h), in
 * memory bounded whatever the rows.
 *
 * A key of several fields is encoded as each value's text followed by a
 * NUL: a value has no NUL, so no value can run into the next ("a" + "b c"
 * is not "a b" + "c"), and the encoding sorts as the values do, field by
 * field.  A key of one text field is its text as the record queue holds
 * it, without a copy.
 *
 * Every key of the file is kept exactly once, with the line that gave it
 * last, in one of three places:
 *
 * - the tail: a key greater than every key before it (in the order of
 *   record_keys_order) is new without a probe, and is appended to the
 *   tail, which is sorted by construction.  Exports mostly list their
 *   cases in order of their number, and compared digit run by digit run
 *   D2018-1000000 still comes after D2018-999999, where bytes would not.
 * - held: any other key is looked up in the tail and the runs, and when
 *   absent added to a hash set in memory.
 * - runs: when the held keys outgrow the budget (8 MiB, or
 *   PEIL_RECORD_KEYS_BYTES for the tests) they are sorted and written as
 *   a run, and a run merges with the one before it while that one holds
 *   at most twice its keys: each run then holds more than twice the keys
 *   of the next, at most log2(keys / keys of one run written) + 1 runs.
 *
 * The tail and the runs live in unlinked temporary files (in $TMPDIR, else
 * /tmp) as blocks of about 4 KiB of entries (the key's length in four
 * bytes, the key, the line in eight), and in memory as the first key of
 * each block (about 1 % of the file) and, for a run, a Bloom filter of
 * about ten bits a key (a 1 % false positive rate), all the filters
 * together within the budget (beyond it a filter gets fewer bits and the
 * probes read more blocks: slower, never wrong).  A probe of a run or the
 * tail: its first and last key, a run's filter, a binary search of its
 * blocks' first keys, and one pread of the block.  A repeated key found
 * there gets its new line written in place (pwrite).  So whether a key
 * was given before is found at the row that repeats it, exactly, and the
 * memory is the budget, the filters' and about 1 % of the keys' bytes.
 *
 * Measured (docs/benchmarks.md, the ingest's memory flat in the rows of
 * a file): the peak of an ingest of the 1M demo's 1.49M case members
 * 74 -> 43 MB, of 6M members 166 -> 44 MB, of the 1.49M shuffled
 * 123 -> 58 MB; the CPU of the 1M
 * demo's cases the same, of the members in order 3 % more, shuffled
 * about 1.3 s more (sorting, merging and probing the runs).
 */
#include "plugin/record_keys.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/grow.h"
#include "base/temp_file.h"

#define KEYS_BUDGET ((size_t)8 << 20)
#define KEYS_BLOCK 4096		/* a block ends with the entry that fills it */
#define KEYS_FILTER_BITS 10	/* a key's bits in a full-size filter */
#define KEYS_FILTER_PROBES 7

typedef struct key_block {	/* a block of a run in its file */
	uint64_t at;		/* its offset */
	size_t len;		/* its bytes */
	size_t first;		/* its first key in run->firsts */
	size_t first_len;
} key_block;

struct key_run {
	int fd;			/* -1 until its first block is written */
	uint64_t size;		/* bytes written */
	size_t count;		/* keys */
	key_block *blocks;
	size_t block_count;
	char *firsts;		/* the blocks' first keys, back to back */
	size_t firsts_len, firsts_cap;
	char *open;		/* the block being filled: not yet written */
	size_t open_len, open_cap;
	char *last;		/* the greatest key */
	size_t last_len, last_cap;
	uint64_t *filter;	/* a Bloom filter, or NULL */
	size_t filter_bits;	/* a power of two, or 0 */
};

/* A key found in a run: where its line is. */
typedef struct key_place {
	char *in_open;		/* in the run's open block, or NULL */
	uint64_t at;		/* else at this offset of its file */
} key_place;

static int fail(record_keys *k, const char *what)
{
	snprintf(k->failure, sizeof(k->failure), "%s: %s", what,
		 errno ? strerror(errno) : "out of memory");
	return -1;
}

static int oom(record_keys *k)
{
	errno = 0;
	return fail(k, "noting the keys of this file");
}

/* Room for need bytes in *buf (of capacity *cap): 0, or -1. */
static int reserve(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 64;
	char *grown;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	grown = realloc(*buf, n);
	if (!grown)
		return -1;
	*buf = grown;
	*cap = n;
	return 0;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

int record_keys_order(const char *a, size_t alen, const char *b,
		      size_t blen)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;
	size_t n = alen < blen ? alen : blen, i = 0, j;

	/* the bytes before the first that differs are the same tokens */
	while (i < n && x[i] == y[i])
		i++;
	if (i == n)	/* a prefix, even of a run of digits, comes first */
		return (alen > n) - (blen > n);
	if (!is_digit(x[i]) && !is_digit(y[i]))
		return x[i] < y[i] ? -1 : 1;
	while (i > 0 && is_digit(x[i - 1]))
		i--;	/* from the start of the run of digits */
	j = i;
	while (i < alen && j < blen) {
		size_t si, sj, ei, ej;
		int c;

		if (!is_digit(x[i]) || !is_digit(y[j])) {
			if (x[i] != y[j])
				return x[i] < y[j] ? -1 : 1;
			i++;
			j++;
			continue;
		}
		/* two runs of digits: by their numbers (the digits after
		 * the leading zeros), then the shorter run first */
		for (si = i; si < alen && x[si] == '0'; si++)
			;
		for (sj = j; sj < blen && y[sj] == '0'; sj++)
			;
		for (ei = si; ei < alen && is_digit(x[ei]); ei++)
			;
		for (ej = sj; ej < blen && is_digit(y[ej]); ej++)
			;
		if (ei - si != ej - sj)
			return ei - si < ej - sj ? -1 : 1;
		c = memcmp(x + si, y + sj, ei - si);
		if (c)
			return c < 0 ? -1 : 1;
		if (ei - i != ej - j)
			return ei - i < ej - j ? -1 : 1;
		i = ei;
		j = ej;
	}
	return (i < alen) - (j < blen);
}

/* The entry at p: its key's length, and the key after it. */
static size_t entry_len(const char *p)
{
	uint32_t n;

	memcpy(&n, p, sizeof(n));
	return n;
}

#define ENTRY_SIZE(len) (4 + (len) + 8)

static key_run *run_new(void)
{
	key_run *r = calloc(1, sizeof(*r));

	if (r)
		r->fd = -1;
	return r;
}

static void run_free(key_run *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->blocks);
	free(r->firsts);
	free(r->open);
	free(r->last);
	free(r->filter);
	free(r);
}

/* pwrite (with write) or pread n bytes of p at offset at of fd: 0, or -1
 * with errno set. */
static int file_io(int fd, char *p, size_t n, uint64_t at, int write)
{
	while (n) {
		ssize_t done = write ? pwrite(fd, p, n, (off_t)at)
				     : pread(fd, p, n, (off_t)at);

		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0) {
			if (done == 0)
				errno = write ? ENOSPC : EIO;
			return -1;
		}
		p += done;
		n -= (size_t)done;
		at += (uint64_t)done;
	}
	return 0;
}

/* Write r's open block to its file. */
static int run_flush(record_keys *k, key_run *r)
{
	key_block *blocks;
	size_t first_len;

	if (!r->open_len)
		return 0;
	errno = 0;
	if (r->fd < 0 && (r->fd = temp_file_open("peil-keys")) < 0)
		return fail(k, "cannot create a temporary file for the keys "
			    "of this file");
	if (file_io(r->fd, r->open, r->open_len, r->size, 1) < 0)
		return fail(k, "cannot write the keys of this file to a "
			    "temporary file");
	first_len = entry_len(r->open);
	blocks = grow_for(r->blocks, r->block_count, sizeof(*blocks));
	if (!blocks || reserve(&r->firsts, &r->firsts_cap,
			       r->firsts_len + first_len + 1) < 0)
		return oom(k);	/* + 1: firsts is never NULL, for UBSan */
	r->blocks = blocks;
	blocks[r->block_count].at = r->size;
	blocks[r->block_count].len = r->open_len;
	blocks[r->block_count].first = r->firsts_len;
	blocks[r->block_count].first_len = first_len;
	r->block_count++;
	memcpy(r->firsts + r->firsts_len, r->open + 4, first_len);
	r->firsts_len += first_len;
	r->size += r->open_len;
	r->open_len = 0;
	return 0;
}

static void filter_add(key_run *r, uint64_t hash)
{
	uint64_t h1 = (uint32_t)hash, h2 = (hash >> 32) | 1;

	for (int i = 0; i < KEYS_FILTER_PROBES; i++) {
		uint64_t bit = (h1 + (uint64_t)i * h2) & (r->filter_bits - 1);

		r->filter[bit / 64] |= (uint64_t)1 << (bit % 64);
	}
}

static int filter_has(const key_run *r, uint64_t hash)
{
	uint64_t h1 = (uint32_t)hash, h2 = (hash >> 32) | 1;

	for (int i = 0; i < KEYS_FILTER_PROBES; i++) {
		uint64_t bit = (h1 + (uint64_t)i * h2) & (r->filter_bits - 1);

		if (!(r->filter[bit / 64] & ((uint64_t)1 << (bit % 64))))
			return 0;
	}
	return 1;
}

/* Give r, to hold count keys, a filter of what the budget leaves. */
static void run_filter(record_keys *k, key_run *r, size_t count)
{
	size_t bits = 512, left = k->budget > k->filter_bytes
					  ? k->budget - k->filter_bytes
					  : 0;

	while (bits < count * KEYS_FILTER_BITS && bits <= SIZE_MAX / 4)
		bits *= 2;
	while (bits >= 512 && bits / 8 > left)
		bits /= 2;
	if (bits < 512)
		return;	/* none: every probe reads a block */
	r->filter = calloc(bits / 64, sizeof(*r->filter));
	if (!r->filter)
		return;	/* as without */
	r->filter_bits = bits;
	k->filter_bytes += bits / 8;
}

static void run_drop_filter(record_keys *k, key_run *r)
{
	k->filter_bytes -= r->filter_bits / 8;
	free(r->filter);
	r->filter = NULL;
	r->filter_bits = 0;
}

/* Append key (greater than r's keys) with its line to r. */
static int run_add(record_keys *k, key_run *r, const char *key, size_t len,
		   long line)
{
	uint32_t n = (uint32_t)len;
	int64_t l = line;

	if (len > UINT32_MAX - 64 ||
	    reserve(&r->open, &r->open_cap, r->open_len + ENTRY_SIZE(len)) <
		    0 ||
	    reserve(&r->last, &r->last_cap, len ? len : 1) < 0)
		return oom(k);
	memcpy(r->open + r->open_len, &n, 4);
	memcpy(r->open + r->open_len + 4, key, len);
	memcpy(r->open + r->open_len + 4 + len, &l, 8);
	r->open_len += ENTRY_SIZE(len);
	memcpy(r->last, key, len);
	r->last_len = len;
	r->count++;
	if (r->filter)
		filter_add(r, strmap_hash(key, len));
	return r->open_len >= KEYS_BLOCK ? run_flush(k, r) : 0;
}

/* Look for key in the entries of block[0..len): the offset of its line
 * there, or -1. */
static long block_find(const char *block, size_t len, const char *key,
		       size_t key_len)
{
	size_t at = 0;

	while (at < len) {
		size_t n = entry_len(block + at);

		if (n == key_len &&
		    (!n || (block[at + 4] == key[0] &&
			    block[at + 3 + n] == key[n - 1])) &&
		    memcmp(block + at + 4, key, n) == 0)
			return (long)(at + 4 + n);
		at += ENTRY_SIZE(n);
	}
	return -1;
}

/* Whether r holds key (hash its strmap_hash, when r has a filter): 1 with
 * *line its line and *place where that is, 0, or -1 when its file
 * failed. */
static int run_find(record_keys *k, key_run *r, const char *key, size_t len,
		    uint64_t hash, long *line, key_place *place)
{
	size_t lo, hi;
	long at;
	int64_t l;
	const key_block *b;

	if (!r->count || record_keys_order(key, len, r->last, r->last_len) > 0)
		return 0;
	if (r->block_count
		    ? record_keys_order(key, len, r->firsts,
					r->blocks[0].first_len) < 0
		    : record_keys_order(key, len, r->open + 4,
					entry_len(r->open)) < 0)
		return 0;
	if (r->filter && !filter_has(r, hash))
		return 0;
	if (r->open_len &&
	    (!r->block_count ||
	     record_keys_order(key, len, r->open + 4, entry_len(r->open)) >=
		     0)) {
		at = block_find(r->open, r->open_len, key, len);
		if (at < 0)
			return 0;
		memcpy(&l, r->open + at, 8);
		*line = (long)l;
		place->in_open = r->open + at;
		return 1;
	}
	/* the last block whose first key is at most key */
	lo = 0;
	hi = r->block_count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (record_keys_order(key, len, r->firsts + r->blocks[mid].first,
				      r->blocks[mid].first_len) < 0)
			hi = mid;
		else
			lo = mid;
	}
	b = &r->blocks[lo];
	if (reserve(&k->block, &k->block_cap, b->len) < 0)
		return oom(k);
	errno = 0;
	if (file_io(r->fd, k->block, b->len, b->at, 0) < 0)
		return fail(k, "cannot read the keys of this file back from "
			    "a temporary file");
	at = block_find(k->block, b->len, key, len);
	if (at < 0)
		return 0;
	memcpy(&l, k->block + at, 8);
	*line = (long)l;
	place->in_open = NULL;
	place->at = b->at + (uint64_t)at;
	return 1;
}

static int run_set_line(record_keys *k, key_run *r, const key_place *place,
			long line)
{
	int64_t l = line;

	if (place->in_open) {
		memcpy(place->in_open, &l, 8);
		return 0;
	}
	errno = 0;
	if (file_io(r->fd, (char *)&l, 8, place->at, 1) < 0)
		return fail(k, "cannot write the keys of this file to a "
			    "temporary file");
	return 0;
}

/* Reading a run's entries in order. */
typedef struct run_reader {
	key_run *run;
	size_t block;		/* the next block to read */
	char *data;		/* the block read */
	size_t cap, len, at;	/* the entry at data + at is next */
} run_reader;

/* The next entry of rd (key, its length and line): 1, 0 at the end, or
 * -1. */
static int reader_next(record_keys *k, run_reader *rd, const char **key,
		       size_t *len, long *line)
{
	int64_t l;

	if (rd->at >= rd->len) {
		const key_block *b;

		if (rd->block >= rd->run->block_count)
			return 0;
		b = &rd->run->blocks[rd->block++];
		if (reserve(&rd->data, &rd->cap, b->len) < 0)
			return oom(k);
		errno = 0;
		if (file_io(rd->run->fd, rd->data, b->len, b->at, 0) < 0)
			return fail(k, "cannot read the keys of this file back "
				    "from a temporary file");
		rd->len = b->len;
		rd->at = 0;
	}
	*len = entry_len(rd->data + rd->at);
	*key = rd->data + rd->at + 4;
	memcpy(&l, *key + *len, 8);
	*line = (long)l;
	rd->at += ENTRY_SIZE(*len);
	return 1;
}

/* Merge the last two runs into one. */
static int runs_merge(record_keys *k)
{
	key_run *a = k->runs[k->run_count - 2], *b = k->runs[k->run_count - 1];
	key_run *m = run_new();
	run_reader ra = { a, 0, NULL, 0, 0, 0 }, rb = { b, 0, NULL, 0, 0, 0 };
	const char *ka = NULL, *kb = NULL;
	size_t la = 0, lb = 0;
	long na = 0, nb = 0;
	int ha, hb, rc = -1;

	if (!m)
		return oom(k);
	run_drop_filter(k, a);
	run_drop_filter(k, b);
	run_filter(k, m, a->count + b->count);
	ha = reader_next(k, &ra, &ka, &la, &na);
	hb = reader_next(k, &rb, &kb, &lb, &nb);
	while (ha > 0 || hb > 0) {
		if (hb <= 0 ||
		    (ha > 0 && record_keys_order(ka, la, kb, lb) < 0)) {
			if (run_add(k, m, ka, la, na) < 0)
				goto out;
			ha = reader_next(k, &ra, &ka, &la, &na);
		} else {
			if (run_add(k, m, kb, lb, nb) < 0)
				goto out;
			hb = reader_next(k, &rb, &kb, &lb, &nb);
		}
	}
	if (ha < 0 || hb < 0 || run_flush(k, m) < 0)
		goto out;
	run_free(a);
	run_free(b);
	k->runs[k->run_count - 2] = m;
	k->run_count--;
	m = NULL;
	rc = 0;
out:
	free(ra.data);
	free(rb.data);
	if (m) {
		run_drop_filter(k, m);
		run_free(m);
	}
	return rc;
}

typedef struct held_key {
	const char *key;
	size_t len;
	long line;
} held_key;

static int held_compare(const void *a, const void *b)
{
	const held_key *x = a, *y = b;

	return record_keys_order(x->key, x->len, y->key, y->len);
}

/* The bytes the held keys take, with those a spill's sorting takes. */
static size_t held_bytes(const record_keys *k)
{
	size_t n = k->held.count, lines = 8;

	while (lines < n)
		lines *= 2;
	return strmap_bytes(&k->held) + lines * sizeof(long) +
	       n * sizeof(held_key);
}

/* Write the held keys as a run, and merge runs of like size. */
static int held_spill(record_keys *k)
{
	size_t n = k->held.count, i;
	held_key *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	key_run *r = run_new(), **runs;
	int rc = -1;

	runs = grow_for(k->runs, k->run_count, sizeof(*runs));
	if (!sorted || !r || !runs) {
		oom(k);
		goto out;
	}
	k->runs = runs;
	for (i = 0; i < n; i++) {
		sorted[i].key = strmap_key(&k->held, i);
		sorted[i].len = strmap_len(&k->held, i);
		sorted[i].line = k->held_lines[i];
	}
	qsort(sorted, n, sizeof(*sorted), held_compare);
	run_filter(k, r, n);
	for (i = 0; i < n; i++)
		if (run_add(k, r, sorted[i].key, sorted[i].len,
			    sorted[i].line) < 0)
			goto out;
	if (run_flush(k, r) < 0)
		goto out;
	k->runs[k->run_count++] = r;
	r = NULL;
	strmap_release(&k->held);
	free(k->held_lines);
	k->held_lines = NULL;
	while (k->run_count >= 2 &&
	       k->runs[k->run_count - 2]->count <=
		       2 * k->runs[k->run_count - 1]->count)
		if (runs_merge(k) < 0)
			goto out;
	rc = 0;
out:
	free(sorted);
	if (r) {
		run_drop_filter(k, r);
		run_free(r);
	}
	return rc;
}

int record_keys_note_key(record_keys *k, const char *key, size_t len,
			 long line, long *earlier)
{
	key_place place;
	uint64_t hash = 0;
	long index, *lines;
	int added = 0, found;
	size_t i;

	if (!k->tail && !(k->tail = run_new()))
		return oom(k);
	if (!k->tail->count ||
	    record_keys_order(key, len, k->tail->last, k->tail->last_len) > 0)
		return run_add(k, k->tail, key, len, line);
	if (k->run_count)
		hash = strmap_hash(key, len);
	for (i = 0; i <= k->run_count; i++) {
		key_run *r = i < k->run_count ? k->runs[i] : k->tail;

		found = run_find(k, r, key, len, hash, earlier, &place);
		if (found)
			return found < 0 || run_set_line(k, r, &place, line) < 0
				       ? -1
				       : 1;
	}
	index = strmap_put(&k->held, key, len, &added);
	if (index < 0)
		return oom(k);
	if (!added) {
		*earlier = k->held_lines[index];
		k->held_lines[index] = line;
		return 1;
	}
	lines = grow_for(k->held_lines, (size_t)index, sizeof(*lines));
	if (!lines)
		return oom(k);
	k->held_lines = lines;
	lines[index] = line;
	return held_bytes(k) >= k->budget ? held_spill(k) : 0;
}

size_t record_keys_init(record_keys *k, const peil_schema *schema)
{
	const char *budget = getenv("PEIL_RECORD_KEYS_BYTES");
	size_t i, count = 0;

	memset(k, 0, sizeof(*k));
	k->schema = schema;
	/* for the tests only: a small budget, to spill after a few keys */
	k->budget = budget && *budget ? strtoull(budget, NULL, 10) : 0;
	if (!k->budget)
		k->budget = KEYS_BUDGET;
	for (i = 0; i < schema->field_count; i++)
		if (schema->fields[i].flags & PEIL_FIELD_KEY) {
			k->text_key = i;
			count++;
		}
	if (count != 1 || schema->fields[k->text_key].type != PEIL_TYPE_TEXT)
		k->text_key = schema->field_count;
	return count;
}

/* Append len bytes to k->text at *n, and a NUL after them: 0, or -1
 * when out of memory.  Byte by byte through grow_for: keys are short,
 * and its capacity follows from the count. */
static int text_append(record_keys *k, size_t *n, const char *text,
		       size_t len)
{
	size_t i;

	for (i = 0; i <= len; i++) {
		char *grown = grow_for(k->text, *n + i, 1);

		if (!grown)
			return -1;
		k->text = grown;
		grown[*n + i] = i < len ? text[i] : '\0';
	}
	*n += len;
	return 0;
}

/* The key fields' values into k->text: encoded, or with show joined by
 * " / ".  Its length, or -1 when out of memory. */
static long key_text(record_keys *k, const record_queue *q,
		     const peil_value *v, int show)
{
	size_t i, n = 0;
	int first = 1;

	for (i = 0; i < k->schema->field_count; i++) {
		char number[64];
		const char *text = number;
		size_t len;

		if (!(k->schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		switch (v[i].type) {
		case PEIL_TYPE_TEXT:
			text = record_queue_text_of(q, i);
			if (!text)
				text = "";
			break;
		case PEIL_TYPE_INTEGER:
			snprintf(number, sizeof(number), "%lld",
				 (long long)v[i].as.integer);
			break;
		case PEIL_TYPE_REAL:	/* -0 is 0, as the stores compare */
			snprintf(number, sizeof(number), "%.17g",
				 v[i].as.real == 0 ? 0.0 : v[i].as.real);
			break;
		case PEIL_TYPE_DATE:
			snprintf(number, sizeof(number), "d%ld",
				 (long)v[i].as.date);
			break;
		case PEIL_TYPE_BOOLEAN:
			snprintf(number, sizeof(number), "%s",
				 v[i].as.boolean ? "ja" : "nee");
			break;
		case PEIL_TYPE_NULL:
			number[0] = '\0';
			break;
		}
		len = strlen(text);
		if (show) {
			if ((!first && text_append(k, &n, " / ", 3) < 0) ||
			    text_append(k, &n, text, len) < 0)
				return -1;
		} else if (text_append(k, &n, text, len) < 0) {
			return -1;
		} else {
			n++;	/* the NUL after the value is the key's */
		}
		first = 0;
	}
	return (long)n;
}

int record_keys_note(record_keys *k, const record_queue *q,
		     const peil_value *values, long line, long *earlier)
{
	const char *key;
	long len;

	if (k->text_key < k->schema->field_count) {
		key = record_queue_text_of(q, k->text_key);
		if (!key)	/* an empty key; required, so refused before */
			key = "";
		len = (long)strlen(key);
	} else {
		len = key_text(k, q, values, 0);
		key = k->text;
	}
	if (len < 0)
		return oom(k);
	return record_keys_note_key(k, key, (size_t)len, line, earlier);
}

const char *record_keys_show(record_keys *k, const record_queue *q,
			     const peil_value *values, size_t *len)
{
	long n = key_text(k, q, values, 1);

	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return k->text;
}

void record_keys_forget(record_keys *k)
{
	size_t i;

	for (i = 0; i < k->run_count; i++)
		run_free(k->runs[i]);
	free(k->runs);
	k->runs = NULL;
	k->run_count = 0;
	k->filter_bytes = 0;
	run_free(k->tail);
	k->tail = NULL;
	strmap_release(&k->held);
	free(k->held_lines);
	k->held_lines = NULL;
}

void record_keys_release(record_keys *k)
{
	record_keys_forget(k);
	free(k->block);
	free(k->text);
	memset(k, 0, sizeof(*k));
}
