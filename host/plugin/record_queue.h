/*
 * record_queue.h - records on their way to the store, in blocks, stored
 * by a writer thread while the input plugin reads on.
 *
 * Reading and converting an export and storing its rows take about as
 * long each; on two cores they overlap.  The reader builds each record in
 * the block it fills; a full block goes to the writer thread, which
 * stores it with the storage plugin's records_put (record_put per record
 * for a plugin without it) while the reader fills the next block.  Only
 * the writer calls the store between record_queue_begin and the end of
 * record_queue_flush or record_queue_discard: the connection is never used
 * by two threads at once.
 */
#ifndef PEIL_RECORD_QUEUE_H
#define PEIL_RECORD_QUEUE_H

#include "peil/plugin.h"
#include "plugin/store.h"

typedef struct record_queue record_queue;

/* A queue for records of schema, stored in storage (borrowed; they must
 * outlive the queue).  NULL when out of memory or when no thread can
 * be started (err says which). */
record_queue *record_queue_new(const peil_schema *schema,
			       store *storage, peil_error *err);
void record_queue_free(record_queue *q);	/* accepts NULL */

/* The values of a new record, built in place in the queue: all missing
 * (PEIL_TYPE_NULL) at first.  Valid until record_queue_commit or the next
 * record_queue_record, which drops a record that was not committed.  A
 * text value is set with record_queue_text, not through the pointer. */
peil_value *record_queue_record(record_queue *q);

/* Set field of the record being built to a copy of text.  -1 when out
 * of memory. */
int record_queue_text(record_queue *q, size_t field, const char *text,
		      size_t len);

/* The text of field of the record being built, as record_queue_text set
 * it (NUL-terminated), or NULL when it holds none.  Valid until the next
 * record_queue_text, record_queue_commit or record_queue_record. */
const char *record_queue_text_of(const record_queue *q, size_t field);

/* The record being built, read at line, is complete: queue it.  -1 with
 * err when an earlier block failed in the store: err is the store's
 * error, and *failed_line the line of the record it refused. */
int record_queue_commit(record_queue *q, long line, long *failed_line,
			peil_error *err);

/* Store everything queued and wait until the writer is done: 0, or -1 as
 * for record_queue_add.  After it, the caller may use the store again. */
int record_queue_flush(record_queue *q, long *failed_line, peil_error *err);

/* Drop what is queued and wait until the writer is done (a failed or
 * interrupted file, whose batch is rolled back); forget a failure. */
void record_queue_discard(record_queue *q);

#endif
