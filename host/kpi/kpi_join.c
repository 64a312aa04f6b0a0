/*
 * kpi_join.c - join and lookup: a KPI that reads more than one dataset.
 *
 * join = { case = { dataset = "cases", on = "case_id" } } gives each row
 * the fields of the one row of cases whose key equals the row's case_id,
 * as "case.team", "case.registered", ...  The joined dataset is read
 * first (the fields the KPIs use, as rows of fixed width: kpi_rows.c)
 * into a map keyed by its key, then the
 * KPI's own dataset is scanned and each row handed on with the joined
 * fields appended (empty when nothing matches).  Keys that come in order
 * are searched in order, others through a hash table.  Only KPIs that
 * join pay for this: the others keep their projected one-scan path.
 *
 * When the store scans from a key inside a scan (kpi_source.scans_from_key,
 * storage ops version 15), a dataset joined on its one key, text, is not
 * held but read beside the KPI's dataset: a chunk of JOIN_CHUNK_ROWS rows
 * at a time from the key looked for on (a scan with a filter key >= that,
 * inside the row callback of the KPI's scan), which holds every key from
 * there to its last: a key in that range is found there or nowhere.  The
 * KPI's rows come in their own key order, and that of the joined keys
 * follows it in a few interleaved runs (the members of a case follow
 * each other, and the cases their keys' order); each run keeps a chunk
 * (JOIN_CURSORS at most).  Ten million cases held took 330 MB; the chunks
 * take a few.  Keys that outgrow their padding interleave the joined
 * dataset too ("D2012-100001" < "D2012-1000010" < "D2012-100002"): a run
 * that walks the shorter keys reads chunks of which it looks up a few
 * rows, and the rows between them are looked up later, by the run that
 * reaches the longer keys (at ten million cases each chunk row was read
 * 1.34 times when 4 MiB of them were parked in memory).  A chunk that
 * leaves the cursors with fewer rows looked up than half its rows is
 * therefore parked: written to a temporary file of the join (unlinked,
 * in temp_file_dir()), only its range of keys kept in memory, and a key
 * that no cursor's chunk holds is looked for in the parked ranges before
 * a chunk is read; the chunk that holds it is read back from the file
 * (one read) into a cursor's place.  So a row of the joined dataset is
 * read from the store once, however far the run that comes back lies
 * behind, and memory stays that of the cursors' chunks.  A parked chunk
 * that cannot be written or read back fails the scan, naming the
 * directory and the error: no figure is given without its rows.  Once no
 * chunk is parked, the file is emptied.
 * A chunk is read up to the first key of the next chunk held, if that
 * comes sooner: the run that comes back finds the rows that lie between
 * two parked chunks in one short scan, not in another chunk of its own.
 * Should the chunks read more than JOIN_CHUNK_READS rows per row looked
 * up, or their scans serve fewer than JOIN_CHUNK_LOOKUPS lookups each
 * (keys in no order), the joined dataset is held after all, as without
 * the merge: the figures never depend on the order.
 *
 * lookup = { ladder = { dataset = "measurements", by = "person" } } reads
 * the dataset into the script's state as { [person] = { row, ... } }, in
 * scan order, handed to functions as data.ladder.
 */
#include "kpi/kpi_model.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/strmap.h"
#include "base/temp_file.h"

/* The keys without a row that a join names, at most (join_side). */
#define JOIN_UNMATCHED_KEYS 5
/* Runs of rows in key order followed at once (see join_side.cursor). */
#define JOIN_CURSORS 4
/* How far past a cursor a key is looked for, before searching. */
#define JOIN_CURSOR_AHEAD 2
/* Rows of the joined dataset a chunk of a merge holds. */
#define JOIN_CHUNK_ROWS 8192
/* A merge holds the joined dataset after all when its chunks read more
 * than this many rows per row looked up, past the first
 * JOIN_CHUNK_SLACK chunks, or when its scans serve fewer than
 * JOIN_CHUNK_LOOKUPS lookups each, past the first JOIN_CHUNK_SLACK.
 * Keys in no order read a chunk for a row or two.  Keys that outgrow
 * their padding by a digit read eleven rows for one over a stretch
 * (D2012-100000 .. D2012-285714 at twenty million cases, 1.3 million
 * rows a year): with 4 the merge stopped there and held all the cases
 * (662 MB); over the whole scan the chunks read 1.15 rows a row. */
#define JOIN_CHUNK_READS 16
#define JOIN_CHUNK_SLACK 16
#define JOIN_CHUNK_LOOKUPS 64

/* A chunk of a merge: the rows of the joined dataset from key from on,
 * JOIN_CHUNK_ROWS of them, or (ended) all there are, or (at_until) those
 * below until, where a chunk read before begins.  A parked chunk has no
 * keys and rows in memory: they lie in the side's spill file. */
typedef struct join_chunk {
	strmap keys;		/* in byte order, numbered as rows */
	kpi_rows *rows;
	char *from, *until;	/* until: NULL when unbounded */
	size_t from_len, from_cap, until_len, until_cap;
	char *last;		/* parked: its last key */
	size_t last_len, last_cap;
	off_t spill_at;		/* parked: where it lies in the spill file */
	size_t spill_len, spill_rows;
	int ended, at_until;
	size_t pos;		/* the row found last */
	size_t hits;		/* lookups that found a row of it */
	unsigned long used;	/* when it was looked in last; 0: empty */
} join_chunk;

/* Room in a spill file that a chunk read back left, [at, at + len). */
typedef struct join_hole {
	off_t at;
	size_t len;
} join_hole;

typedef struct join_side {
	const kpi_link *link;
	const peil_schema *schema;
	size_t key_field;	/* in the joined dataset */
	size_t on_field;	/* in the KPI's dataset */
	size_t first;		/* its first field in the combined schema */
	strmap keys;	/* key text -> index in rows */
	kpi_rows *rows;		/* the projected values but the key */
	size_t *dest;		/* value i of a row -> its index in the
				   combined row */
	long last_at;		/* the row found last, or -1 */
	/* Rows found lately, the one found last first: the rows can come as
	 * a few interleaved runs in key order (ids that outgrow their zero
	 * padding sort "L1000000" < "L10000000" < "L1000001"), each run
	 * going on where it stopped. */
	long cursor[JOIN_CURSORS];
	/* Keys read so far rose in byte order (rows come in key order): then
	 * they are searched outward from the row found last, without a hash
	 * table, until that takes too many steps. */
	int sorted;
	size_t searches, steps;
	size_t *proj;		/* fields read: the key first, then the
				   fields the KPI uses */
	size_t proj_count;
	size_t skip;		/* 1 when the KPI does not use the key: it
				   is kept once, in keys, not in each row */
	peil_type *types;	/* of the values kept in rows */
	/* A merge (see the top): the chunks, the one being read, the rows
	 * they read and the keys looked up. */
	int merge;
	join_chunk chunks[JOIN_CURSORS], *loading;
	join_chunk *recent;	/* the chunk looked in last, or NULL */
	join_chunk *parked;	/* on the spill file, their ranges here */
	size_t parked_count;
	int spill_fd;		/* the spill file, or -1 */
	off_t spill_end;	/* its bytes in use end here */
	join_hole *holes;	/* the room of chunks read back, free */
	size_t hole_count;
	unsigned char *spill_buf;	/* a parked chunk, as on the file */
	size_t spill_cap;
	peil_value *spill_values;	/* a row of a chunk */
	unsigned long clock;
	size_t chunk_reads, looked_up, loads;
	/* The joined row in the combined row: its rows, index and loads
	 * then (got_rows NULL: none).  The members of a case follow each
	 * other: the next of them finds it there, not copied again. */
	const kpi_rows *got_rows;
	long got_at;
	size_t got_loads;
	const kpi_source *source;
	peil_error *err;
	int failed;
	/* Rows whose on field names a key that no row of the joined dataset
	 * has (a member of a case absent from cases): counted, and the
	 * first few keys kept to be named (kpi_joined_unmatched). */
	size_t unmatched;
	char unmatched_keys[JOIN_UNMATCHED_KEYS][64];
	size_t unmatched_key_count;
	int unmatched_more;	/* keys beyond those kept */
} join_side;

struct kpi_joined {
	const kpi *k;
	const peil_schema *main;
	peil_schema schema;	/* main fields, then alias.field */
	peil_field *fields;
	char **names;		/* owned alias.field names */
	join_side *sides;
	size_t side_count;
	peil_value *values;	/* the combined row being handed on */
	size_t *main_proj;	/* fields of the main dataset read */
	size_t main_proj_count;
	peil_row_fn row;
	void *row_ctx;
	int out_of_memory;
	int row_unmatched;	/* the row handed on names a missing key */
};

static long join_field(const peil_schema *s, const char *name)
{
	for (size_t i = 0; i < s->field_count; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The other dataset's field a join matches: named, or its one key. */
static long join_key_field(const peil_schema *s, const kpi_link *link)
{
	long found = -1;

	if (link->key)
		return join_field(s, link->key);
	for (size_t i = 0; i < s->field_count; i++)
		if (s->fields[i].flags & PEIL_FIELD_KEY) {
			if (found >= 0)
				return -1;	/* a key of two fields */
			found = (long)i;
		}
	return found;
}

static void join_chunk_release(join_chunk *c)
{
	kpi_rows_free(c->rows);
	strmap_release(&c->keys);
	free(c->from);
	free(c->until);
	free(c->last);
	memset(c, 0, sizeof(*c));
}

static void join_chunks_free(join_side *side)
{
	for (size_t c = 0; c < JOIN_CURSORS; c++)
		join_chunk_release(&side->chunks[c]);
	for (size_t c = 0; c < side->parked_count; c++)
		join_chunk_release(&side->parked[c]);
	free(side->parked);
	side->parked = NULL;
	side->recent = NULL;
	side->parked_count = 0;
	if (side->spill_fd >= 0)
		close(side->spill_fd);
	side->spill_fd = -1;
	side->spill_end = 0;
	free(side->holes);
	side->holes = NULL;
	side->hole_count = 0;
	free(side->spill_buf);
	side->spill_buf = NULL;
	side->spill_cap = 0;
	free(side->spill_values);
	side->spill_values = NULL;
}

void kpi_joined_free(kpi_joined *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->schema.field_count; i++)
		free(j->names ? j->names[i] : NULL);
	free(j->names);
	free(j->fields);
	for (size_t i = 0; i < j->side_count; i++) {
		kpi_rows_free(j->sides[i].rows);
		free(j->sides[i].types);
		join_chunks_free(&j->sides[i]);
		free(j->sides[i].dest);
		free(j->sides[i].proj);
		strmap_release(&j->sides[i].keys);
	}
	free(j->sides);
	free(j->values);
	free(j->main_proj);
	free(j);
}

int kpi_joined_new(const kpi *k,
		   const peil_schema *(*schema)(void *ctx, const char *name),
		   void *ctx, kpi_joined **out, peil_error *err)
{
	const char *file = k->info.script, *id = k->info.id;
	long line = k->info.line;
	kpi_joined *j = calloc(1, sizeof(*j));
	size_t n;

	*out = NULL;
	if (!j)
		return error_set(err, file, line, NULL, "out of memory");
	j->k = k;
	j->main = schema(ctx, k->info.dataset);
	if (!j->main) {
		kpi_joined_free(j);
		return error_set(err, file, line, NULL, "kpi '%s': unknown "
				 "dataset '%s'", id, k->info.dataset);
	}
	n = j->main->field_count;
	j->sides = calloc(k->join_count ? k->join_count : 1,
			  sizeof(*j->sides));
	for (size_t i = 0; j->sides && i < k->join_count; i++) {
		join_side *side = &j->sides[i];
		long key, on;

		side->link = &k->joins[i];
		side->spill_fd = -1;
		side->schema = schema(ctx, side->link->dataset);
		j->side_count++;
		if (!side->schema) {
			kpi_joined_free(j);
			return error_set(err, file, line, NULL, "kpi '%s': join "
					 "'%s': unknown dataset '%s'", id,
					 k->joins[i].name, k->joins[i].dataset);
		}
		key = join_key_field(side->schema, side->link);
		on = join_field(j->main, side->link->field);
		if (key < 0 || on < 0) {
			kpi_joined_free(j);
			return error_set(err, file, line, key < 0 ?
					 k->joins[i].key : k->joins[i].field,
					 "kpi '%s': join '%s': %s", id,
					 k->joins[i].name, key < 0 ?
					 "the dataset has no key of one field "
					 "(name it: key = \"...\")" :
					 "unknown field in 'on'");
		}
		side->key_field = (size_t)key;
		side->on_field = (size_t)on;
		side->first = n;
		side->last_at = -1;
		for (size_t c = 0; c < JOIN_CURSORS; c++)
			side->cursor[c] = -1;
		side->sorted = 1;
		n += side->schema->field_count;
	}
	j->fields = calloc(n, sizeof(*j->fields));
	j->names = calloc(n, sizeof(*j->names));
	j->values = calloc(n, sizeof(*j->values));
	if (!j->sides || !j->fields || !j->names || !j->values) {
		kpi_joined_free(j);
		return error_set(err, file, line, NULL, "out of memory");
	}
	j->schema.name = j->main->name;
	j->schema.fields = j->fields;
	memcpy(j->fields, j->main->fields,
	       j->main->field_count * sizeof(*j->fields));
	for (size_t i = 0; i < j->side_count; i++) {
		const join_side *side = &j->sides[i];

		for (size_t f = 0; f < side->schema->field_count; f++) {
			const peil_field *src = &side->schema->fields[f];
			size_t at = side->first + f;
			size_t len = strlen(side->link->name) +
				     strlen(src->name) + 2;

			j->names[at] = malloc(len);
			if (!j->names[at]) {
				kpi_joined_free(j);
				return error_set(err, file, line, NULL,
						 "out of memory");
			}
			snprintf(j->names[at], len, "%s.%s", side->link->name,
				 src->name);
			j->fields[at].name = j->names[at];
			j->fields[at].type = src->type;
			j->fields[at].flags = 0;
		}
	}
	j->schema.field_count = n;
	*out = j;
	return 0;
}

const peil_schema *kpi_joined_schema(const kpi_joined *j)
{
	return &j->schema;
}

/* A value as a key text: text itself, numbers and dates in digits. */
static const char *join_key_text(const peil_value *v, char *buf, size_t size,
				 size_t *len)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		*len = v->len;
		return v->as.text;
	case PEIL_TYPE_INTEGER:
		snprintf(buf, size, "%lld", (long long)v->as.integer);
		break;
	case PEIL_TYPE_DATE:
		date_format_iso(v->as.date, buf);
		break;
	case PEIL_TYPE_REAL:
		snprintf(buf, size, "%.17g", v->as.real);
		break;
	case PEIL_TYPE_BOOLEAN:
		snprintf(buf, size, "%d", v->as.boolean);
		break;
	default:
		return NULL;
	}
	*len = strlen(buf);
	return buf;
}

/* Text a against b: <0, 0, >0 in byte order, a prefix first. */
static int join_text_cmp(const char *a, size_t alen, const char *b,
			 size_t blen)
{
	size_t common = alen < blen ? alen : blen;
	/* an empty key may be NULL, which memcmp refuses */
	int c = common ? memcmp(a, b, common) : 0;

	return c ? c : (alen > blen) - (alen < blen);
}

/* Key i of keys against key[0..len), as join_text_cmp. */
static int join_keys_cmp(const strmap *keys, size_t i, const char *key,
			 size_t len)
{
	return join_text_cmp(strmap_key(keys, i), strmap_len(keys, i), key,
			     len);
}

static int join_key_cmp(const join_side *side, size_t i, const char *key,
			size_t len)
{
	return join_keys_cmp(&side->keys, i, key, len);
}

static int join_read_row(void *ctx, const peil_value *values)
{
	join_side *side = ctx;
	char buf[64];
	size_t len;
	/* The key is the first field read. */
	const char *key = join_key_text(&values[0], buf, sizeof(buf), &len);
	int added = 1;
	long at;

	if (!key)
		return 0;
	if (side->sorted && side->keys.count &&
	    join_key_cmp(side, side->keys.count - 1, key, len) >= 0) {
		side->sorted = 0;	/* from now on, a hash table */
		if (strmap_index(&side->keys) < 0)
			return -1;
	}
	if (side->sorted)	/* greater than all before: new */
		at = strmap_append(&side->keys, key, len);
	else
		at = strmap_put(&side->keys, key, len, &added);
	if (at < 0)
		return -1;
	if (!added)
		return 0;		/* the first row of a key wins */
	/* numbered alike: row at holds key at */
	return kpi_rows_add(side->rows, values + side->skip) == at ? 0 : -1;
}

/* The first of the sorted keys [lo, hi) that is not below key (hi when
 * none), by binary search. */
static size_t join_lower_bound(join_side *side, const char *key, size_t len,
			       size_t lo, size_t hi)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		side->steps++;
		if (join_key_cmp(side, mid, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of key among the sorted keys, or -1: searched outward from
 * the row found last in steps that double, then by halves. */
static long join_search(join_side *side, const char *key, size_t len)
{
	size_t n = side->keys.count, hint, lo, hi, step = 1;

	if (n == 0)
		return -1;
	hint = side->last_at >= 0 && (size_t)side->last_at < n
		       ? (size_t)side->last_at : 0;
	side->searches++;
	if (join_key_cmp(side, hint, key, len) < 0) {
		lo = hint + 1;	/* the key lies after hint */
		for (;;) {
			hi = lo + step - 1;
			side->steps++;
			if (hi >= n) {
				hi = n;
				break;
			}
			if (join_key_cmp(side, hi, key, len) >= 0)
				break;
			lo = hi + 1;
			step *= 2;
		}
	} else {
		hi = hint;	/* on or before hint */
		for (;;) {
			side->steps++;
			if (hi < step) {
				lo = 0;
				break;
			}
			lo = hi - step;
			if (join_key_cmp(side, lo, key, len) < 0) {
				lo++;
				break;
			}
			hi = lo;
			step *= 2;
		}
	}
	lo = join_lower_bound(side, key, len, lo, hi);
	return lo < n && join_key_cmp(side, lo, key, len) == 0 ? (long)lo : -1;
}

/* The index of the joined row with the key of v, -1 when none, -2 when
 * out of memory.  The rows often come in the order of the joined ones (the
 * members of a case follow each other, and the cases their keys' order),
 * so the rows found lately by each cursor and the few after them are tried
 * first: a lookup in a hash table too big for the cache waits for
 * memory. */
static long join_find(join_side *side, const peil_value *v)
{
	const strmap *keys = &side->keys;
	char buf[64];
	size_t len;
	const char *key = join_key_text(v, buf, sizeof(buf), &len);

	if (!key)
		return -1;
	for (size_t c = 0; c < JOIN_CURSORS; c++) {
		long from = side->cursor[c];

		for (long at = from; at >= 0 && at <= from + JOIN_CURSOR_AHEAD &&
				     (size_t)at < keys->count; at++)
			if (strmap_len(keys, (size_t)at) == len &&
			    (len == 0 ||
			     memcmp(strmap_key(keys, (size_t)at), key,
				    len) == 0)) {
				/* the cursor found goes first */
				memmove(side->cursor + 1, side->cursor,
					c * sizeof(*side->cursor));
				side->cursor[0] = at;
				return side->last_at = at;
			}
	}
	/* Searching sorted keys costs steps that grow with the distance
	 * from the row found last: when the rows come in another order,
	 * a hash table is cheaper. */
	if (side->sorted && side->steps > 16 * side->searches + 4096) {
		if (strmap_index(&side->keys) < 0)
			return -2;
		side->sorted = 0;
	}
	side->last_at = side->sorted ? join_search(side, key, len)
				     : strmap_find(keys, key, len);
	if (side->last_at >= 0) {
		/* a new run: it replaces the one followed least lately */
		memmove(side->cursor + 1, side->cursor,
			(JOIN_CURSORS - 1) * sizeof(*side->cursor));
		side->cursor[0] = side->last_at;
	}
	return side->last_at;
}

/* ------------------------------------------------------------- merge */

/* A row of the chunk being read: its keys from the chunk's from on, each
 * above the one before, as the store promised; 1 (stop) when the chunk is
 * full, 2 when out of memory. */
static int join_chunk_row(void *ctx, const peil_value *values)
{
	join_side *side = ctx;
	join_chunk *c = side->loading;
	const peil_value *key = &values[0];
	size_t n = c->keys.count;

	if (key->type != PEIL_TYPE_TEXT ||
	    (n ? join_keys_cmp(&c->keys, n - 1, key->as.text, key->len) >= 0
	       : join_text_cmp(key->as.text, key->len, c->from,
			       c->from_len) < 0)) {
		side->failed = 1;
		return error_set(side->err, NULL, 0, side->link->dataset,
				 "join '%s': the store gave dataset '%s' "
				 "from key '%s' >= '%s' out of key order: "
				 "'%.*s' after '%.*s'", side->link->name,
				 side->link->dataset,
				 side->schema->fields[side->key_field].name,
				 c->from,
				 key->type == PEIL_TYPE_TEXT ? (int)key->len
							     : 6,
				 key->type == PEIL_TYPE_TEXT ? key->as.text
							     : "(none)",
				 (int)(n ? strmap_len(&c->keys, n - 1)
					 : c->from_len),
				 n ? strmap_key(&c->keys, n - 1) : c->from);
	}
	if (c->until && join_text_cmp(key->as.text, key->len, c->until,
				      c->until_len) >= 0) {
		c->at_until = 1;	/* the chunk read before goes on */
		return 1;
	}
	if (strmap_append(&c->keys, key->as.text, key->len) < 0 ||
	    kpi_rows_add(c->rows, values + side->skip) != (long)n)
		return 2;
	return c->keys.count == JOIN_CHUNK_ROWS;
}

/* Copy text[0..len) into *buf (of *cap bytes), NUL-ended: 0, -1 when out
 * of memory. */
static int join_text_copy(char **buf, size_t *cap, const char *text,
			  size_t len)
{
	if (len + 1 > *cap) {
		char *grown = realloc(*buf, len + 1);

		if (!grown)
			return -1;
		*buf = grown;
		*cap = len + 1;
	}
	if (len)
		memcpy(*buf, text, len);
	(*buf)[len] = '\0';
	return 0;
}

/* Read chunk c from key on, up to the first key of chunk until (NULL:
 * none): 0, -2 when out of memory, -3 with side->err set. */
static int join_chunk_load(join_side *side, join_chunk *c, const char *key,
			   size_t len, const join_chunk *until)
{
	peil_filter from;
	int rc;

	kpi_rows_free(c->rows);
	strmap_release(&c->keys);
	c->rows = kpi_rows_new(side->types, side->proj_count - side->skip);
	if (!c->rows || join_text_copy(&c->from, &c->from_cap, key, len) < 0)
		return -2;
	c->from_len = len;
	free(c->until);
	c->until = NULL;
	c->until_len = c->until_cap = 0;
	if (until && join_text_copy(&c->until, &c->until_cap, until->from,
				    until->from_len) < 0)
		return -2;
	c->until_len = until ? until->from_len : 0;
	c->at_until = 0;
	c->ended = 0;
	c->pos = 0;
	c->hits = 0;
	memset(&from, 0, sizeof(from));
	from.op = PEIL_OP_GE;
	from.field = side->key_field;
	from.value.type = PEIL_TYPE_TEXT;
	from.value.as.text = c->from;
	from.value.len = len;
	side->loading = c;
	side->loads++;
	rc = side->source->scan(side->source->ctx, side->schema, &from,
				side->proj, side->proj_count, join_chunk_row,
				side, side->err);
	side->chunk_reads += c->keys.count;
	if (side->failed || rc < 0)
		return -3;
	c->ended = rc == 0;	/* every key from c->from on is there */
	return rc > 1 ? -2 : 0;
}

/* The index in c of key when it is the row found last or the one after
 * it (the members of a case follow each other, and the cases their keys'
 * order), else -1: equal or not, no order compared. */
static long join_chunk_near(join_chunk *c, const char *key, size_t len)
{
	for (size_t at = c->pos; at < c->keys.count && at <= c->pos + 1; at++)
		if (strmap_len(&c->keys, at) == len &&
		    (len == 0 || memcmp(strmap_key(&c->keys, at), key, len) == 0))
			return (long)(c->pos = at);
	return -1;
}

/* The index in c of key, or -1: by halves. */
static long join_chunk_find(join_chunk *c, const char *key, size_t len)
{
	size_t lo = 0, hi = c->keys.count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (join_keys_cmp(&c->keys, mid, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->keys.count && join_keys_cmp(&c->keys, lo, key, len) == 0)
		return (long)(c->pos = lo);
	return -1;
}

/* Keys in no order: hold the joined dataset after all, as without a
 * merge.  0, -2 when out of memory, -3 with side->err set. */
static int join_merge_end(join_side *side)
{
	int rc;

	join_chunks_free(side);
	side->merge = 0;
	rc = side->source->scan(side->source->ctx, side->schema, NULL,
				side->proj, side->proj_count, join_read_row,
				side, side->err);
	return rc > 0 ? -2 : rc < 0 ? -3 : 0;
}

/* The last key of chunk c: held, or (parked) remembered; NULL when it
 * has none. */
static const char *join_chunk_last(const join_chunk *c, size_t *len)
{
	if (c->keys.count) {
		*len = strmap_len(&c->keys, c->keys.count - 1);
		return strmap_key(&c->keys, c->keys.count - 1);
	}
	*len = c->last_len;
	return c->last;
}

/* Whether chunk c (used) holds key's place: a key from its first on, up
 * to its last, or below its until (at_until), or (ended) any. */
static int join_chunk_holds(const join_chunk *c, const char *key, size_t len)
{
	size_t last_len;
	const char *last = join_chunk_last(c, &last_len);

	return c->used && join_text_cmp(key, len, c->from, c->from_len) >= 0 &&
	       (c->ended ||
		(last && join_text_cmp(last, last_len, key, len) >= 0) ||
		(c->at_until && join_text_cmp(key, len, c->until,
					      c->until_len) < 0));
}

/* The chunk held (but c) whose first key comes first after key, or
 * NULL. */
static const join_chunk *join_chunk_next(const join_side *side,
					 const join_chunk *c, const char *key,
					 size_t len)
{
	const join_chunk *next = NULL;

	for (size_t i = 0; i < JOIN_CURSORS + side->parked_count; i++) {
		const join_chunk *at = i < JOIN_CURSORS ? &side->chunks[i]
				       : &side->parked[i - JOIN_CURSORS];

		if (at != c && at->used &&
		    join_text_cmp(at->from, at->from_len, key, len) > 0 &&
		    (!next || join_text_cmp(at->from, at->from_len, next->from,
					    next->from_len) < 0))
			next = at;
	}
	return next;
}

/* ------------------------------------------------------- parked chunks */

/* A parked chunk that cannot be written or read back (what, and errno
 * e; 0: cut off) fails the scan: -3 with side->err set. */
static int join_spill_failed(join_side *side, const char *what, int e)
{
	side->failed = 1;
	error_set(side->err, NULL, 0, side->link->dataset,
		  "join '%s': rows of dataset '%s' parked on a temporary file "
		  "in %s: %s: %s", side->link->name, side->link->dataset,
		  temp_file_dir(), what, e ? strerror(e) : "cut off");
	return -3;
}

/* Room for n more bytes at *used in side's spill buffer: 0, -2 when out
 * of memory. */
static int join_spill_room(join_side *side, size_t used, size_t n)
{
	if (used + n > side->spill_cap) {
		size_t cap = (used + n) + (used + n) / 2 + 4096;
		unsigned char *grown = realloc(side->spill_buf, cap);

		if (!grown)
			return -2;
		side->spill_buf = grown;
		side->spill_cap = cap;
	}
	return 0;
}

/* Append the n bytes at p to side's spill buffer at *used. */
static int join_spill_put(join_side *side, size_t *used, const void *p,
			  size_t n)
{
	if (join_spill_room(side, *used, n) < 0)
		return -2;
	if (n)
		memcpy(side->spill_buf + *used, p, n);
	*used += n;
	return 0;
}

/* Append a text as its length (4 bytes) and bytes. */
static int join_spill_text(join_side *side, size_t *used, const char *text,
			   size_t len)
{
	uint32_t n = (uint32_t)len;

	if (len > UINT32_MAX)
		return -2;
	return join_spill_put(side, used, &n, sizeof(n)) < 0 ||
	       join_spill_put(side, used, text, len) < 0 ? -2 : 0;
}

/* Where value v of its type keeps what it holds, but a text: *at, and
 * its bytes (0: none, as a missing value). */
static size_t join_value_bytes(peil_value *v, void **at)
{
	switch (v->type) {
	case PEIL_TYPE_INTEGER:
		*at = &v->as.integer;
		return sizeof(v->as.integer);
	case PEIL_TYPE_REAL:
		*at = &v->as.real;
		return sizeof(v->as.real);
	case PEIL_TYPE_DATE:
		*at = &v->as.date;
		return sizeof(v->as.date);
	case PEIL_TYPE_BOOLEAN:
		*at = &v->as.boolean;
		return sizeof(v->as.boolean);
	default:
		*at = NULL;
		return 0;
	}
}

/* Append value v: its type (a byte), then what that type holds. */
static int join_spill_value(join_side *side, size_t *used, peil_value *v)
{
	unsigned char type = (unsigned char)v->type;
	void *at;
	size_t n = join_value_bytes(v, &at);

	if (join_spill_put(side, used, &type, 1) < 0)
		return -2;
	if (v->type == PEIL_TYPE_TEXT)
		return join_spill_text(side, used, v->as.text, v->len);
	return join_spill_put(side, used, at, n);
}

/* Where n bytes of a parked chunk go in the spill file: the first hole
 * they fit in, else its end. */
static off_t join_spill_place(join_side *side, size_t n)
{
	off_t at = side->spill_end;

	for (size_t i = 0; i < side->hole_count; i++) {
		join_hole *h = &side->holes[i];

		if (h->len < n)
			continue;
		at = h->at;
		h->at += (off_t)n;
		h->len -= n;
		if (h->len == 0)
			*h = side->holes[--side->hole_count];
		return at;
	}
	side->spill_end += (off_t)n;
	return at;
}

/* The n bytes at at of the spill file, read back, are free: a hole,
 * joined with the holes beside it, or the file's end comes back; with
 * no chunk parked the file is emptied.  0, -2 when out of memory. */
static int join_spill_free(join_side *side, off_t at, size_t n)
{
	join_hole *grown;

	if (side->parked_count == 0) {
		side->hole_count = 0;
		side->spill_end = 0;
		if (ftruncate(side->spill_fd, 0) != 0) {
			/* its room stays, written over from its start */
		}
		return 0;
	}
	for (size_t i = 0; i < side->hole_count;) {
		join_hole *h = &side->holes[i];

		if (h->at + (off_t)h->len == at || at + (off_t)n == h->at) {
			n += h->len;	/* one hole of the two */
			at = h->at < at ? h->at : at;
			*h = side->holes[--side->hole_count];
		} else {
			i++;
		}
	}
	if (at + (off_t)n == side->spill_end) {
		side->spill_end = at;
		return 0;
	}
	if (!(grown = grow_for(side->holes, side->hole_count,
			       sizeof(*grown))))
		return -2;
	side->holes = grown;
	side->holes[side->hole_count++] = (join_hole){ at, n };
	return 0;
}

/* Park chunk c (see the top): its keys and rows to the end of the spill
 * file, its range, hits and place there to side->parked; c is left
 * empty.  0, -2 when out of memory, -3 with side->err set. */
static int join_chunk_park(join_side *side, join_chunk *c)
{
	size_t n = c->keys.count, fields = side->proj_count - side->skip;
	size_t used = 0, done = 0, last_len;
	const char *last = join_chunk_last(c, &last_len);
	join_chunk *grown;
	off_t at;

	if (!(grown = grow_for(side->parked, side->parked_count,
			       sizeof(*grown))))
		return -2;
	side->parked = grown;
	if (!side->spill_values &&
	    !(side->spill_values = calloc(fields ? fields : 1,
					  sizeof(*side->spill_values))))
		return -2;
	if (side->spill_fd < 0 &&
	    (side->spill_fd = temp_file_open("peil-join")) < 0)
		return join_spill_failed(side, "made", errno);
	if (join_text_copy(&c->last, &c->last_cap, last, last_len) < 0)
		return -2;
	c->last_len = last_len;
	for (size_t i = 0; i < n; i++) {
		if (join_spill_text(side, &used, strmap_key(&c->keys, i),
				    strmap_len(&c->keys, i)) < 0)
			return -2;
		kpi_rows_get(c->rows, i, side->spill_values, NULL);
		for (size_t f = 0; f < fields; f++)
			if (join_spill_value(side, &used,
					     &side->spill_values[f]) < 0)
				return -2;
	}
	at = join_spill_place(side, used);
	while (done < used) {
		ssize_t w = pwrite(side->spill_fd, side->spill_buf + done,
				   used - done, at + (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return join_spill_failed(side, "written",
						 w < 0 ? errno : ENOSPC);
		done += (size_t)w;
	}
	c->spill_at = at;
	c->spill_len = used;
	c->spill_rows = n;
	kpi_rows_free(c->rows);
	c->rows = NULL;
	strmap_release(&c->keys);
	side->parked[side->parked_count++] = *c;
	memset(c, 0, sizeof(*c));
	return 0;
}

/* Take *p from the spill buffer at *at (of end): 0, -1 when cut off. */
static int join_spill_get(const join_side *side, size_t *at, size_t end,
			  void *p, size_t n)
{
	if (n > end - *at)
		return -1;
	if (n)
		memcpy(p, side->spill_buf + *at, n);
	*at += n;
	return 0;
}

/* A text at *at: its length and bytes, in place. */
static int join_spill_get_text(const join_side *side, size_t *at,
			       size_t end, const char **text, size_t *len)
{
	uint32_t n;

	if (join_spill_get(side, at, end, &n, sizeof(n)) < 0 || n > end - *at)
		return -1;
	*text = (const char *)side->spill_buf + *at;
	*len = n;
	*at += n;
	return 0;
}

/* Read parked chunk c (taken off side->parked) back from the spill file:
 * its keys and rows as they were.  0, -2 when out of memory, -3 with
 * side->err set. */
static int join_chunk_unpark(join_side *side, join_chunk *c)
{
	size_t fields = side->proj_count - side->skip, at = 0, done = 0;
	size_t end = c->spill_len;
	peil_value *v = side->spill_values;

	if (join_spill_room(side, 0, end) < 0 ||
	    !(c->rows = kpi_rows_new(side->types, fields)))
		return -2;
	while (done < end) {
		ssize_t r = pread(side->spill_fd, side->spill_buf + done,
				  end - done, c->spill_at + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return join_spill_failed(side, "read back",
						 r < 0 ? errno : 0);
		done += (size_t)r;
	}
	for (size_t i = 0; i < c->spill_rows; i++) {
		const char *key;
		size_t len;

		if (join_spill_get_text(side, &at, end, &key, &len) < 0)
			return join_spill_failed(side, "read back", 0);
		for (size_t f = 0; f < fields; f++) {
			unsigned char type = 0;
			void *into;
			size_t n;

			memset(&v[f], 0, sizeof(v[f]));
			if (join_spill_get(side, &at, end, &type, 1) < 0)
				return join_spill_failed(side, "read back", 0);
			v[f].type = (peil_type)type;
			n = join_value_bytes(&v[f], &into);
			if (v[f].type == PEIL_TYPE_TEXT
				    ? join_spill_get_text(side, &at, end,
							  &v[f].as.text,
							  &v[f].len) < 0
				    : join_spill_get(side, &at, end, into, n) < 0)
				return join_spill_failed(side, "read back", 0);
		}
		if (strmap_append(&c->keys, key, len) < 0 ||
		    kpi_rows_add(c->rows, v) != (long)i)
			return -2;
	}
	if (at != end)
		return join_spill_failed(side, "read back", 0);
	side->loads++;
	side->chunk_reads += c->spill_rows;
	free(c->last);
	c->last = NULL;
	c->last_len = c->last_cap = 0;
	return join_spill_free(side, c->spill_at, c->spill_len);
}

/* Cursor chunk c leaves for the parked chunk parked (which takes its
 * place, read back from the spill file), or (parked NULL) for a chunk to
 * be read into it.  c is parked when fewer of its rows were looked up
 * than half (see the top), else released.  0, -2 when out of memory, -3
 * with side->err set. */
static int join_chunk_leave(join_side *side, join_chunk *c,
			    join_chunk *parked)
{
	join_chunk gone = *c;
	int rc = 0;

	if (parked) {
		*c = *parked;
		/* the last parked fills its place */
		*parked = side->parked[--side->parked_count];
		rc = join_chunk_unpark(side, c);
	} else {
		memset(c, 0, sizeof(*c));
	}
	if (rc == 0 && gone.used && gone.hits * 2 < gone.keys.count)
		rc = join_chunk_park(side, &gone);
	join_chunk_release(&gone);
	return rc;
}

/* join_find in a merge: the index of the joined row with the key of v
 * in *rows, -1 when none, -2 when out of memory, -3 with side->err
 * set. */
static long join_merge_find(join_side *side, const peil_value *v,
			    const kpi_rows **rows)
{
	char buf[64];
	size_t len;
	const char *key = join_key_text(v, buf, sizeof(buf), &len);
	join_chunk *c = NULL, *oldest = &side->chunks[0], *parked = NULL;
	long at = -1;
	int rc;

	if (!key)
		return -1;
	side->looked_up++;
	/* the members of a case follow each other, and the cases of a run
	 * their keys' order: the row a cursor's chunk found last, or the
	 * next, in the chunk looked in last first, then its range */
	if (side->recent && (at = join_chunk_near(side->recent, key, len)) >= 0)
		c = side->recent;
	for (size_t i = 0; !c && i < JOIN_CURSORS; i++)
		if ((at = join_chunk_near(&side->chunks[i], key, len)) >= 0)
			c = &side->chunks[i];
	if (!c && side->recent && join_chunk_holds(side->recent, key, len))
		c = side->recent;
	for (size_t i = 0; !c && i < JOIN_CURSORS; i++) {
		if (side->chunks[i].used < oldest->used)
			oldest = &side->chunks[i];
		if (join_chunk_holds(&side->chunks[i], key, len)) {
			c = &side->chunks[i];
			break;
		}
	}
	for (size_t i = 0; !c && !parked && i < side->parked_count; i++)
		if (join_chunk_holds(&side->parked[i], key, len))
			parked = &side->parked[i];
	if (!c) {
		if (!parked &&
		    (side->chunk_reads > JOIN_CHUNK_READS * side->looked_up +
					 JOIN_CHUNK_SLACK * JOIN_CHUNK_ROWS ||
		     side->loads > JOIN_CHUNK_SLACK +
				   side->looked_up / JOIN_CHUNK_LOOKUPS)) {
			if ((rc = join_merge_end(side)) < 0)
				return rc;
			*rows = side->rows;
			return join_find(side, v);
		}
		c = oldest;
		if ((rc = join_chunk_leave(side, c, parked)) < 0)
			return rc;
		if (!parked &&
		    (rc = join_chunk_load(side, c, key, len,
					  join_chunk_next(side, c, key,
							  len))) < 0)
			return rc;
	}
	c->used = ++side->clock;
	side->recent = c;
	*rows = c->rows;
	if (at < 0 && (at = join_chunk_near(c, key, len)) < 0)
		at = join_chunk_find(c, key, len);
	c->hits += at >= 0;
	return at;
}

/* Whether v, the on field of a row that found no row of side, names a
 * key (an empty one names none): then the row is counted, and its key
 * kept when among the first. */
static int join_unmatched(join_side *side, const peil_value *v)
{
	char buf[64];
	size_t len, n = side->unmatched_key_count;
	const char *key = join_key_text(v, buf, sizeof(buf), &len);

	if (!key || !len)
		return 0;
	side->unmatched++;
	if (len > sizeof(side->unmatched_keys[0]) - 1)
		len = sizeof(side->unmatched_keys[0]) - 1;
	/* the members of a case come together: their key once */
	for (size_t i = 0; i < n; i++)
		if (strlen(side->unmatched_keys[i]) == len &&
		    memcmp(side->unmatched_keys[i], key, len) == 0)
			return 1;
	if (n < JOIN_UNMATCHED_KEYS) {
		memcpy(side->unmatched_keys[n], key, len);
		side->unmatched_keys[n][len] = '\0';
		side->unmatched_key_count++;
	} else {
		side->unmatched_more = 1;
	}
	return 1;
}

static int join_main_row(void *ctx, const peil_value *values)
{
	static const peil_value none = { PEIL_TYPE_NULL, 0, { NULL } };
	kpi_joined *j = ctx;

	j->row_unmatched = 0;
	for (size_t i = 0; i < j->main_proj_count; i++)
		j->values[j->main_proj[i]] = values[i];
	for (size_t i = 0; i < j->side_count; i++) {
		join_side *side = &j->sides[i];
		const kpi_rows *rows = side->rows;
		long at = side->merge
				  ? join_merge_find(side,
						    &j->values[side->on_field],
						    &rows)
				  : join_find(side, &j->values[side->on_field]);

		if (at == -3)
			return -1;	/* side->err says why */
		if (at == -2) {
			j->out_of_memory = 1;
			return -1;
		}
		/* only the fields read: the others stay empty.  A chunk
		 * read or read back (loads) may hold another row at at. */
		if (at >= 0) {
			if (rows != side->got_rows || at != side->got_at ||
			    side->loads != side->got_loads)
				kpi_rows_get(rows, (size_t)at, j->values,
					     side->dest);
			side->got_rows = rows;
			side->got_at = at;
			side->got_loads = side->loads;
			continue;
		}
		side->got_rows = NULL;
		j->row_unmatched |= join_unmatched(side,
						   &j->values[side->on_field]);
		for (size_t k = side->skip; k < side->proj_count; k++)
			j->values[side->dest[k - side->skip]] = none;
	}
	return j->row(j->row_ctx, j->values);
}

int kpi_joined_row_unmatched(const kpi_joined *j)
{
	return j && j->row_unmatched;
}

size_t kpi_joined_unmatched(const kpi_joined *j, char *msg, size_t size)
{
	size_t total = 0, used = 0;

	if (size)
		msg[0] = '\0';
	for (size_t i = 0; j && i < j->side_count; i++) {
		const join_side *side = &j->sides[i];

		if (!side->unmatched)
			continue;
		total += side->unmatched;
		used += (size_t)snprintf(msg + (used < size ? used : size),
					 used < size ? size - used : 0,
					 "%sdataset %s: %zu row%s %s a %s that no "
					 "row of %s has (", used ? "; " : "",
					 j->main->name, side->unmatched,
					 side->unmatched == 1 ? "" : "s",
					 side->unmatched == 1 ? "has" : "have",
					 j->main->fields[side->on_field].name,
					 side->schema->name);
		for (size_t k = 0; k < side->unmatched_key_count; k++)
			used += (size_t)snprintf(
				msg + (used < size ? used : size),
				used < size ? size - used : 0, "%s%s",
				k ? ", " : "", side->unmatched_keys[k]);
		used += (size_t)snprintf(msg + (used < size ? used : size),
					 used < size ? size - used : 0, "%s)",
					 side->unmatched_more ? ", ..." : "");
	}
	return total;
}

/* Every field of a schema, in order. */
static size_t *join_all_fields(size_t n)
{
	size_t *all = malloc((n ? n : 1) * sizeof(*all));

	for (size_t i = 0; all && i < n; i++)
		all[i] = i;
	return all;
}

/* What to read: a side's key and the fields in used (NULL: all), and of
 * the main dataset the used fields and those the sides join on.  Fields
 * not read stay empty in the combined row. */
static int join_plan(kpi_joined *j, const unsigned char *used)
{
	size_t n = j->main->field_count;

	j->main_proj = malloc((n ? n : 1) * sizeof(*j->main_proj));
	if (!j->main_proj)
		return -1;
	for (size_t f = 0; f < n; f++) {
		int on = 0;

		for (size_t i = 0; i < j->side_count; i++)
			on |= j->sides[i].on_field == f;
		if (!used || used[f] || on)
			j->main_proj[j->main_proj_count++] = f;
		j->values[f].type = PEIL_TYPE_NULL;
	}
	for (size_t i = 0; i < j->side_count; i++) {
		join_side *side = &j->sides[i];
		size_t count = side->schema->field_count;
		peil_type *types;

		side->proj = malloc((count + 1) * sizeof(*side->proj));
		side->dest = malloc((count + 1) * sizeof(*side->dest));
		if (!side->proj || !side->dest)
			return -1;
		side->proj[side->proj_count++] = side->key_field;
		side->skip = used && !used[side->first + side->key_field];
		for (size_t f = 0; f < count; f++) {
			j->values[side->first + f].type = PEIL_TYPE_NULL;
			if (f != side->key_field &&
			    (!used || used[side->first + f]))
				side->proj[side->proj_count++] = f;
		}
		if (!(types = malloc((count + 1) * sizeof(*types))))
			return -1;
		for (size_t p = side->skip; p < side->proj_count; p++) {
			side->dest[p - side->skip] = side->first +
						     side->proj[p];
			types[p - side->skip] =
				side->schema->fields[side->proj[p]].type;
		}
		side->types = types;
		side->rows = kpi_rows_new(types, side->proj_count - side->skip);
		if (!side->rows)
			return -1;
	}
	return 0;
}

/* Whether a side can be read by merging (see the top): the store scans
 * from a key inside a scan, and the side joins on its one key, text. */
static int join_can_merge(const join_side *side, const kpi_source *source)
{
	if (!source->scans_from_key ||
	    side->schema->fields[side->key_field].type != PEIL_TYPE_TEXT)
		return 0;
	for (size_t f = 0; f < side->schema->field_count; f++)
		if (((side->schema->fields[f].flags & PEIL_FIELD_KEY) != 0) !=
		    (f == side->key_field))
			return 0;
	return 1;
}

int kpi_joined_scan(kpi_joined *j, const kpi_source *source,
		    const unsigned char *used, peil_row_fn row, void *row_ctx,
		    peil_error *err)
{
	int rc = 0;

	if (join_plan(j, used) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < j->side_count; i++) {
		join_side *side = &j->sides[i];

		side->source = source;
		side->err = err;
		side->merge = join_can_merge(side, source);
		if (side->merge)
			continue;
		rc = source->scan(source->ctx, side->schema, NULL, side->proj,
				  side->proj_count, join_read_row, side, err);
		if (rc > 0)
			return error_set(err, NULL, 0, NULL, "out of memory");
		if (rc < 0)
			return -1;
	}
	j->row = row;
	j->row_ctx = row_ctx;
	rc = source->scan(source->ctx, j->main, NULL, j->main_proj,
			  j->main_proj_count, join_main_row, j, err);
	if (j->out_of_memory)
		return error_set(err, NULL, 0, NULL, "out of memory");
	return rc;
}

/* ------------------------------------------------------------ lookups */

typedef struct lookup_load {
	kpi *k;
	uint64_t evaluation;
	char signature[1024];	/* what the lookup reads */
	int cached;		/* read before in this evaluation */
	const peil_schema *schema;
	size_t by;
	size_t index;		/* the lookup */
	const peil_value *values;
	size_t *slot;
	peil_error *err;
	int failed;
} lookup_load;

/* lookups[name][key] += row; under sandbox_protect. */
static int lookup_row_protected(lua_State *L)
{
	lookup_load *ld = lua_touserdata(L, 1);
	kpi_row row = { ld->schema, ld->values, ld->slot, 0, NULL, NULL, 0,
			LUA_NOREF, NULL };

	lua_rawgeti(L, LUA_REGISTRYINDEX, ld->k->lookups_ref);
	lua_getfield(L, -1, ld->k->lookups[ld->index].name);
	kpi_push_row(L, ld->k->script, &row, 1);	/* lookups index row */
	lua_getfield(L, -1, ld->schema->fields[ld->by].name);
	if (lua_isnil(L, -1))
		return 0;
	lua_pushvalue(L, -1);
	if (lua_rawget(L, -4) == LUA_TNIL) {	/* ... row key list */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -2);
		lua_pushvalue(L, -2);
		lua_rawset(L, -6);
	}
	lua_pushvalue(L, -3);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

static int lookup_row(void *ctx, const peil_value *values)
{
	lookup_load *ld = ctx;

	ld->values = values;
	if (sandbox_protect(ld->k->script->sb, lookup_row_protected, ld,
			    ld->err) < 0) {
		ld->failed = 1;
		return -1;
	}
	return 0;
}

/* The lookup's where as a filter: an AND of equalities on text fields.
 * filters has room for where_count + 1. */
static int lookup_filter(const kpi *k, const kpi_link *link,
			 const peil_schema *schema, peil_filter *filters,
			 const peil_filter **out, peil_error *err)
{
	*out = NULL;
	if (!link->where_count)
		return 0;
	for (size_t w = 0; w < link->where_count; w++) {
		long f = join_field(schema, link->where_fields[w]);
		peil_filter *eq = &filters[w + 1];

		if (f < 0 || schema->fields[f].type != PEIL_TYPE_TEXT)
			return error_set(err, k->info.script, k->info.line,
					 link->where_fields[w], "kpi '%s': "
					 "lookup '%s': where needs text fields "
					 "of dataset '%s'", k->info.id,
					 link->name, link->dataset);
		memset(eq, 0, sizeof(*eq));
		eq->op = PEIL_OP_EQ;
		eq->field = (size_t)f;
		eq->value.type = PEIL_TYPE_TEXT;
		eq->value.as.text = link->where_values[w];
		eq->value.len = strlen(link->where_values[w]);
	}
	memset(filters, 0, sizeof(*filters));
	filters[0].op = PEIL_OP_AND;
	filters[0].child_count = link->where_count;
	filters[0].children = filters + 1;
	*out = filters;
	return 0;
}

/* k's index table for the lookup: the script's cached one for the same
 * signature in this evaluation (ld->cached), or a new empty one, cached. */
static int lookup_index_protected(lua_State *L)
{
	lookup_load *ld = lua_touserdata(L, 1);
	kpi_script *script = ld->k->script;

	if (script->lookups_ref == LUA_NOREF ||
	    script->lookups_evaluation != ld->evaluation) {
		lua_newtable(L);
		if (script->lookups_ref == LUA_NOREF)
			script->lookups_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		else
			lua_rawseti(L, LUA_REGISTRYINDEX, script->lookups_ref);
		script->lookups_evaluation = ld->evaluation;
	}
	if (ld->k->lookups_ref == LUA_NOREF) {
		lua_newtable(L);
		ld->k->lookups_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, ld->k->lookups_ref);
	lua_rawgeti(L, LUA_REGISTRYINDEX, script->lookups_ref);
	ld->cached = lua_getfield(L, -1, ld->signature) != LUA_TNIL;
	if (!ld->cached) {
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, ld->signature);
	}
	lua_setfield(L, -3, ld->k->lookups[ld->index].name);
	return 0;
}

static void lookup_signature(const kpi_link *link, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "%s\x1f%s", link->dataset,
				       link->field);

	for (size_t w = 0; w < link->where_count && used < size; w++)
		used += (size_t)snprintf(out + used, size - used,
					 "\x1f%s=%s", link->where_fields[w],
					 link->where_values[w]);
}

/* Whether node n reads its lookup in C: overdue{}, first_rise{},
 * score_change{}. */
static int lookup_in_c(const kpi_node *n)
{
	return n->op == KPI_OVERDUE || n->op == KPI_FIRST_RISE ||
	       n->op == KPI_SCORE_CHANGE;
}

/* Whether a node of tree n reads lookup name as Lua tables (a Lua
 * function: *lua) or in C (lookup_in_c: *c). */
static void lookup_readers(const kpi_node *n, const char *name, int *lua,
			   int *c)
{
	if (!n)
		return;
	if (n->ref != LUA_NOREF)
		*lua = 1;
	if (lookup_in_c(n) && strcmp(n->link[0], name) == 0)
		*c = 1;
	for (size_t i = 0; i < n->kid_count; i++)
		lookup_readers(n->kids[i], name, lua, c);
}

/* The text of a field that history_text put last: the rows of one
 * person, or of no domain, come one after another. */
typedef struct history_memo {
	uint32_t at, len;
	int set;
} history_memo;

/* Reading the lookup of a node (lookup_in_c) into a kpi_history. */
typedef struct history_load {
	const kpi *k;
	const kpi_link *link;
	kpi_history *h;
	size_t key, date, score, by;	/* fields; SIZE_MAX: none */
	size_t order;			/* first_rise{}'s; SIZE_MAX: none */
	const char *date_name, *score_name;
	kpi_op op;
	peil_error *err;
	int failed;
	history_memo memo[2];	/* key, by */
} history_load;

/* The number of the text s[0..len) in h's texts, kept once; -1 when out
 * of memory (or past 4 GiB of distinct text). */
static int history_text(kpi_history *h, history_memo *memo, const char *s,
			size_t len, uint32_t *at)
{
	int added;
	long i;

	if (memo->set && memo->len == len &&
	    memcmp(strmap_key(&h->texts, memo->at), s, len) == 0) {
		*at = memo->at;
		return 0;
	}
	if ((i = strmap_put(&h->texts, s, len, &added)) < 0)
		return -1;
	*at = (uint32_t)i;
	*memo = (history_memo){ *at, (uint32_t)len, 1 };
	return 0;
}

/* Append the order text s[0..len) to h's, its offset into *at; -1 when
 * out of memory (or past 4 GiB). */
static int history_order_text(kpi_history *h, const char *s, size_t len,
			      uint32_t *at)
{
	*at = (uint32_t)h->order_len;
	if (len == 0)
		return 0;
	if (h->order_len + len > UINT32_MAX)
		return -1;
	if (h->order_len + len > h->order_cap) {
		size_t cap = (h->order_len + len) + h->order_len / 4 + 4096;
		char *grown = realloc(h->order_text, cap);

		if (!grown)
			return -1;
		h->order_text = grown;
		h->order_cap = cap;
	}
	memcpy(h->order_text + h->order_len, s, len);
	h->order_len += len;
	return 0;
}

/* Field f of values as a script reads a date: a date, or text of one
 * ("YYYY-MM-DD"); 0 when it is neither. */
static int history_date(const peil_value *values, size_t f, int32_t *out)
{
	const peil_value *v = &values[f];
	char iso[16];

	if (v->type == PEIL_TYPE_DATE) {
		*out = v->as.date;
		return 1;
	}
	if (v->type != PEIL_TYPE_TEXT || v->len >= sizeof(iso))
		return 0;
	memcpy(iso, v->as.text, v->len);
	iso[v->len] = '\0';
	return date_parse_iso(iso, out) == 0;
}

/* Field f of values as a script reads a number: a number, or text of a
 * finite one (spaces around allowed); 0 when it is neither. */
static int history_number(const peil_value *values, size_t f, double *out)
{
	const peil_value *v = &values[f];
	char buf[64], *end;

	if (v->type == PEIL_TYPE_INTEGER || v->type == PEIL_TYPE_REAL) {
		*out = v->type == PEIL_TYPE_REAL ? v->as.real
						 : (double)v->as.integer;
		return 1;
	}
	if (v->type != PEIL_TYPE_TEXT || v->len == 0 || v->len >= sizeof(buf) ||
	    memchr(v->as.text, 'n', v->len) || memchr(v->as.text, 'N', v->len))
		return 0;		/* no inf, nan */
	memcpy(buf, v->as.text, v->len);
	buf[v->len] = '\0';
	*out = strtod(buf, &end);
	while (end != buf && isspace((unsigned char)*end))
		end++;
	return end != buf && *end == '\0';
}

/* The bytes h holds, and the rows between two counts of them. */
static size_t history_bytes(const kpi_history *h)
{
	return h->cap * sizeof(*h->rows) + h->order_cap + h->texts.text_cap +
	       h->texts.offsets_cap * sizeof(uint32_t) +
	       h->texts.slot_count * sizeof(uint64_t);
}

#define HISTORY_BYTES_EVERY 4096

static int history_row(void *ctx, const peil_value *values)
{
	history_load *hl = ctx;
	kpi_history *h = hl->h;
	kpi_history_row *r;
	char kb[24], bb[24], ob[32];
	size_t kl, bl = 0, ol = 0;
	const char *key = kpi_key_text(&values[hl->key], kb, &kl), *by = "";
	const char *order = "";
	int32_t date = 0;
	double score = 0, order_num = 0;
	uint8_t bad = 0, rank = 0;

	if (!key)
		return 0;		/* no key: found by none */
	if (hl->by != SIZE_MAX &&
	    !(by = kpi_key_text(&values[hl->by], bb, &bl)))
		by = "";
	if (!history_date(values, hl->date, &date))
		bad |= KPI_HISTORY_NO_DATE;
	if (!history_number(values, hl->score, &score))
		bad |= KPI_HISTORY_NO_SCORE;
	if (hl->order != SIZE_MAX) {	/* as a script compares it */
		const peil_value *o = &values[hl->order];

		rank = o->type == PEIL_TYPE_NULL ? 0
		       : o->type == PEIL_TYPE_BOOLEAN ? 3
		       : o->type == PEIL_TYPE_INTEGER ||
				 o->type == PEIL_TYPE_REAL ? 1 : 2;
		if (rank == 1)
			history_number(values, hl->order, &order_num);
		else if (o->type == PEIL_TYPE_TEXT) {
			order = o->as.text;
			ol = o->len;
		} else if (o->type == PEIL_TYPE_DATE) {
			date_format_iso(o->as.date, ob);
			order = ob;
			ol = strlen(ob);
		}
	}
	if (bad && hl->op == KPI_SCORE_CHANGE) {
		int no_date = bad & KPI_HISTORY_NO_DATE;

		hl->failed = 1;
		return error_set(hl->err, hl->k->info.script, hl->k->info.line,
				 no_date ? hl->date_name : hl->score_name,
				 "kpi '%s': score_change{}: the row of lookup "
				 "'%s' with %s '%.*s' has no %s in '%s'",
				 hl->k->info.id, hl->link->name,
				 hl->link->field, (int)kl, key,
				 no_date ? "date" : "number",
				 no_date ? hl->date_name : hl->score_name);
	}
	if (h->count == h->cap) {	/* by a quarter: trimmed once read */
		size_t cap = h->cap ? h->cap + h->cap / 4 : 1024;
		kpi_history_row *grown = realloc(h->rows, cap * sizeof(*grown));

		if (!grown)
			goto oom;
		h->rows = grown;
		h->cap = cap;
	}
	r = &h->rows[h->count];
	if (kl > UINT32_MAX || bl > UINT32_MAX || ol > UINT32_MAX ||
	    history_text(h, &hl->memo[0], key, kl, &r->key) < 0 ||
	    history_text(h, &hl->memo[1], by, bl, &r->by) < 0 ||
	    history_order_text(h, order, ol, &r->order) < 0)
		goto oom;
	if (rank == 1)		/* in place of the text's (none) */
		r->order_num = order_num;
	else
		r->order_len = (uint32_t)ol;
	r->date = date;
	r->score = score;
	r->bad = bad;
	r->order_rank = rank;
	h->count++;
	if (h->count % HISTORY_BYTES_EVERY == 0 &&
	    history_bytes(h) > hl->k->set->limits.kpi_memory_bytes) {
		hl->failed = 1;
		return error_set(hl->err, hl->k->info.script, hl->k->info.line,
				 NULL, "kpi '%s': lookup '%s' needs more than "
				 "[limits] kpi_memory_mb = %zu MiB (%zu of its "
				 "rows read so far)", hl->k->info.id,
				 hl->link->name,
				 hl->k->set->limits.kpi_memory_bytes >> 20,
				 h->count);
	}
	return 0;
oom:
	hl->failed = 1;
	return error_set(hl->err, NULL, 0, NULL, "out of memory");
}

/* The name of measure op (lookup_in_c) in messages. */
static const char *history_measure(kpi_op op)
{
	return op == KPI_OVERDUE ? "overdue{}" : op == KPI_FIRST_RISE
						 ? "first_rise{}"
						 : "score_change{}";
}

/* A field of the lookup's dataset of one of the types (PEIL_TYPE_NULL
 * ends them; types NULL: of any) into *out; -1 with err naming KPI,
 * measure op, lookup and field. */
static int history_field(const kpi *k, kpi_op op, const kpi_link *link,
			 const peil_schema *schema, const char *name,
			 const char *want, const peil_type *types,
			 size_t *out, peil_error *err)
{
	long f = join_field(schema, name);

	if (f < 0)
		return error_set(err, k->info.script, k->info.line, name,
				 "kpi '%s': %s: lookup '%s': no field '%s' in "
				 "dataset '%s'", k->info.id,
				 history_measure(op), link->name, name,
				 link->dataset);
	if (!types) {
		*out = (size_t)f;
		return 0;
	}
	for (const peil_type *t = types; *t != PEIL_TYPE_NULL; t++)
		if (schema->fields[f].type == *t) {
			*out = (size_t)f;
			return 0;
		}
	return error_set(err, k->info.script, k->info.line, name,
			 "kpi '%s': %s: lookup '%s': '%s' must be %s",
			 k->info.id, history_measure(op), link->name, name,
			 want);
}

/* Node of k (lookup_in_c) over lookup link: its kpi_history, read
 * through source once per evaluation for the script's KPIs that read the
 * same.  score_change{} takes a date and a number (link[1], link[2]) and
 * by (name[1]); overdue{} a step and a date done (link[1], link[2]);
 * first_rise{} a date, a score and an order (link[1..3]). */
static int history_load_node(const kpi *k, kpi_node *node,
			     const kpi_link *link, uint64_t evaluation,
			     const kpi_source *source, peil_error *err)
{
	static const peil_type dates[] = { PEIL_TYPE_DATE, PEIL_TYPE_NULL };
	static const peil_type numbers[] = { PEIL_TYPE_INTEGER, PEIL_TYPE_REAL,
					     PEIL_TYPE_NULL };
	static const peil_type keys[] = { PEIL_TYPE_TEXT, PEIL_TYPE_INTEGER,
					  PEIL_TYPE_NULL };
	int overdue = node->op == KPI_OVERDUE;
	int change = node->op == KPI_SCORE_CHANGE;
	history_load hl = { k, link, NULL, 0, 0, 0, SIZE_MAX, SIZE_MAX,
			    node->link[overdue ? 2 : 1],
			    node->link[overdue ? 1 : 2], node->op, err, 0,
			    { { 0, 0, 0 }, { 0, 0, 0 } } };
	const peil_schema *schema = source->schema(source->ctx, link->dataset);
	char signature[1400];
	size_t used, *slot = NULL;
	peil_filter *filters = NULL;
	const peil_filter *filter;
	kpi_history *h;
	int rc;

	if (!schema)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': lookup '%s': unknown dataset '%s'",
				 k->info.id, link->name, link->dataset);
	/* overdue{} and first_rise{} check the values as they read them */
	if (history_field(k, node->op, link, schema, link->field,
			  "text or an integer", change ? keys : NULL, &hl.key,
			  err) < 0 ||
	    history_field(k, node->op, link, schema, hl.date_name, "a date",
			  change ? dates : NULL, &hl.date, err) < 0 ||
	    history_field(k, node->op, link, schema, hl.score_name,
			  "a number", change ? numbers : NULL, &hl.score,
			  err) < 0 ||
	    (change && node->name[1] &&
	     history_field(k, node->op, link, schema, node->name[1],
			   "text or an integer", keys, &hl.by, err) < 0) ||
	    (node->op == KPI_FIRST_RISE && node->link[3] &&
	     history_field(k, node->op, link, schema, node->link[3], "", NULL,
			   &hl.order, err) < 0))
		return -1;
	lookup_signature(link, signature, sizeof(signature) - 300);
	used = strlen(signature);
	snprintf(signature + used, sizeof(signature) - used,
		 "\x1e%d\x1f%s\x1f%s\x1f%s\x1f%s", (int)node->op,
		 node->link[1], node->link[2],
		 change && node->name[1] ? node->name[1] : "",
		 node->op == KPI_FIRST_RISE && node->link[3] ? node->link[3]
							     : "");
	for (h = k->script->histories; h; h = h->next)
		if (strcmp(h->signature, signature) == 0)
			break;
	if (h && h->evaluation == evaluation) {
		node->history = h;
		return 0;
	}
	if (!h) {
		if (!(h = calloc(1, sizeof(*h))) ||
		    !(h->signature = strdup(signature))) {
			free(h);
			return error_set(err, NULL, 0, NULL, "out of memory");
		}
		h->next = k->script->histories;
		k->script->histories = h;
	}
	h->count = h->order_len = 0;
	strmap_release(&h->texts);
	free(h->starts);
	h->starts = NULL;
	h->evaluation = 0;		/* not read (yet) */
	node->history = NULL;
	hl.h = h;
	filters = calloc(link->where_count + 1, sizeof(*filters));
	slot = join_all_fields(schema->field_count);
	if (!filters || !slot)
		rc = error_set(err, NULL, 0, NULL, "out of memory");
	else
		rc = lookup_filter(k, link, schema, filters, &filter, err);
	if (rc == 0)
		rc = source->scan(source->ctx, schema, filter, slot,
				  schema->field_count, history_row, &hl, err);
	free(slot);
	free(filters);
	if (rc != 0)
		return hl.failed || rc < 0 ? -1 :
		       error_set(err, NULL, 0, NULL, "scan stopped");
	if (h->order_len < h->order_cap) {
		char *fit = realloc(h->order_text, h->order_len + 1);

		if (fit) {
			h->order_text = fit;
			h->order_cap = h->order_len + 1;
		}
	}
	if (h->count < h->cap) {	/* read: no more rows */
		kpi_history_row *fit = realloc(h->rows, (h->count ? h->count
								  : 1) *
							    sizeof(*fit));

		if (fit) {
			h->rows = fit;
			h->cap = h->count ? h->count : 1;
		}
	}
	if (kpi_history_index(h) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	h->evaluation = evaluation;
	node->history = h;
	return 0;
}

/* history_load_node for every node (lookup_in_c) of tree n over lookup
 * link. */
static int history_load_tree(const kpi *k, kpi_node *n, const kpi_link *link,
			     uint64_t evaluation, const kpi_source *source,
			     peil_error *err)
{
	if (!n)
		return 0;
	if (lookup_in_c(n) && strcmp(n->link[0], link->name) == 0 &&
	    history_load_node(k, n, link, evaluation, source, err) < 0)
		return -1;
	for (size_t i = 0; i < n->kid_count; i++)
		if (history_load_tree(k, n->kids[i], link, evaluation, source,
				      err) < 0)
			return -1;
	return 0;
}

int kpi_lookups_load(kpi *k, uint64_t evaluation, const kpi_source *source,
		     peil_error *err)
{
	for (size_t i = 0; i < k->lookup_count; i++) {
		const kpi_link *link = &k->lookups[i];
		lookup_load ld = { k, evaluation, "", 0, NULL, 0, i, NULL, NULL,
				   err, 0 };
		peil_filter *filters;
		const peil_filter *filter;
		kpi_node *trees[] = { k->select, k->where, k->rule, k->having };
		int lua = 0, c = 0;
		long by;
		int rc;

		for (size_t t = 0; t < 4; t++)
			lookup_readers(trees[t], link->name, &lua, &c);
		for (size_t t = 0; c && t < 4; t++)
			if (history_load_tree(k, trees[t], link, evaluation,
					      source, err) < 0)
				return -1;
		if (c && !lua)
			continue;	/* read in C only */

		ld.schema = source->schema(source->ctx, link->dataset);
		if (!ld.schema)
			return error_set(err, k->info.script, k->info.line,
					 NULL, "kpi '%s': lookup '%s': unknown "
					 "dataset '%s'", k->info.id,
					 link->name, link->dataset);
		by = join_field(ld.schema, link->field);
		if (by < 0)
			return error_set(err, k->info.script, k->info.line,
					 link->field, "kpi '%s': lookup '%s': "
					 "no field '%s' in dataset '%s'",
					 k->info.id, link->name, link->field,
					 link->dataset);
		ld.by = (size_t)by;
		filters = calloc(link->where_count + 1, sizeof(*filters));
		ld.slot = join_all_fields(ld.schema->field_count);
		if (!ld.slot || !filters) {
			free(filters);
			free(ld.slot);
			return error_set(err, NULL, 0, NULL, "out of memory");
		}
		lookup_signature(link, ld.signature, sizeof(ld.signature));
		rc = lookup_filter(k, link, ld.schema, filters, &filter, err);
		if (rc == 0)
			rc = sandbox_protect(k->script->sb,
					     lookup_index_protected, &ld, err);
		if (rc == 0 && !ld.cached)
			rc = source->scan(source->ctx, ld.schema, filter,
					  ld.slot, ld.schema->field_count,
					  lookup_row, &ld, err);
		free(ld.slot);
		free(filters);
		if (rc != 0)
			return ld.failed || rc < 0 ? -1 :
			       error_set(err, NULL, 0, NULL, "scan stopped");
	}
	return 0;
}
