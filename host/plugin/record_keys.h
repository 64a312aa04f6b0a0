/*
 * record_keys.h - the keys of the export being read, each with the line
 * that gave it last, to find a key that two rows of one file give: on
 * main an export with D002 twice stored one row and logged three
 * (issue 13).
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

typedef struct record_keys {
	const peil_schema *schema;	/* borrowed */
	size_t text_key;	/* the one key field when it is text (a case
				   number, its own encoding); else
				   schema->field_count */
	strmap keys;		/* of the file being read */
	long *lines;		/* the line that gave key i last */
	char *text;		/* a key encoded, or shown */
} record_keys;

/* Get k ready for records of schema (borrowed: it must outlive k).  The
 * number of key fields of schema: with none, there is nothing to note. */
size_t record_keys_init(record_keys *k, const peil_schema *schema);

/* Note the key of the record being built in q, with values its values,
 * read at line.  0 when no earlier row of the file gave it; 1 when one
 * did, with *earlier that row's line (the key is remembered at line
 * now); -1 when out of memory. */
int record_keys_note(record_keys *k, const record_queue *q,
		     const peil_value *values, long line, long *earlier);

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
