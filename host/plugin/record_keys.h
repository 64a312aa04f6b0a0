/*
 * record_keys.h - the keys of the export being read, each with the line
 * that gave it last, to find a key that two rows of one file give: an
 * export with D002 twice once stored one row and logged three.  In
 * bounded memory: keys beyond a budget wait in sorted
 * runs in unlinked temporary files (record_keys.c).
 *
 * record_keys_init before the first file; record_keys_forget between
 * files; record_keys_release at the end.
 */
#ifndef PEIL_RECORD_KEYS_H
#define PEIL_RECORD_KEYS_H

#include <stddef.h>

#include "base/strmap.h"
#include "peil/plugin.h"
#include "plugin/record_queue.h"

typedef struct key_run key_run;	/* record_keys.c */

typedef struct record_keys {
	const peil_schema *schema;	/* borrowed */
	size_t text_key;	/* the one key field when it is text (a case
				   number, its own encoding); else
				   schema->field_count */
	size_t budget;		/* bytes for the keys held in memory, and as
				   many for the runs' filters */
	key_run *tail;		/* the keys that came in ascending order,
				   each greater than every key before it */
	key_run **runs;		/* the other keys once they outgrew the
				   budget, sorted, largest run first */
	size_t run_count;
	size_t filter_bytes;	/* of the runs' filters together */
	strmap held;		/* the other keys since the last run */
	long *held_lines;	/* the line that gave held key i last */
	char *block;		/* a block read back from a run */
	size_t block_cap;
	char *text;		/* a key encoded, or shown */
	char failure[160];	/* why record_keys_note returned -1 */
} record_keys;

/* Get k ready for records of schema (borrowed: it must outlive k).  The
 * number of key fields of schema: with none, there is nothing to note. */
size_t record_keys_init(record_keys *k, const peil_schema *schema);

/* Note the key of the record being built in q, with values its values,
 * read at line.  0 when no earlier row of the file gave it; 1 when one
 * did, with *earlier that row's line (the key is remembered at line
 * now); -1 when out of memory or when a temporary file failed, with
 * k->failure saying which. */
int record_keys_note(record_keys *k, const record_queue *q,
		     const peil_value *values, long line, long *earlier);

/* record_keys_note for the encoded key key[0..len). */
int record_keys_note_key(record_keys *k, const char *key, size_t len,
			 long line, long *earlier);

/* The order of keys that record_keys_note finds in ascending order
 * without a probe: bytes, but a run of digits against a run of digits by
 * its number (then the shorter run first: "7" before "007"), so that
 * D2018-999999 comes before D2018-1000000.  Negative, 0 (only when the
 * bytes are equal) or positive. */
int record_keys_order(const char *a, size_t alen, const char *b,
		      size_t blen);

/* The key of the record being built in q, its values joined by " / " as
 * messages show them, with its length in *len: valid until the next call
 * on k; NULL when out of memory. */
const char *record_keys_show(record_keys *k, const record_queue *q,
			     const peil_value *values, size_t *len);

/* Forget the keys of the file (a new one begins). */
void record_keys_forget(record_keys *k);

/* Free everything; k is as zero-initialised.  Accepts one that was
 * never initialised, zeroed. */
void record_keys_release(record_keys *k);

#endif
