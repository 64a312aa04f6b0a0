/*
 * record_queue.c - records on their way to the store (record_queue.h).
 *
 * A ring of blocks: the reader fills one while the writer stores the
 * oldest full one.  The slower side sets the pace; the ring lets the
 * other run ahead through a stall (a page cache spill in the store, a
 * core taken by the hasher or a checkpoint) instead of waiting for it,
 * and it wakes the other side only when that one sleeps.  With two blocks,
 * the reader and the writer waited for each other about 0.55 s each in a
 * 1.6 s ingest of 1M rows.
 */
#include "plugin/record_queue.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/thread.h"

/* A block goes to the writer when it holds this many records, or this
 * many bytes of text: big enough that handing it over costs nothing next
 * to storing it, small enough to stay in the CPU's caches.  About 0.5 MB
 * a block for 15 fields. */
#define QUEUE_RECORDS 512
#define QUEUE_TEXT (256 * 1024)
#define QUEUE_BLOCKS 8

struct block {
	size_t count;		/* committed records */
	peil_value *values;	/* QUEUE_RECORDS * field_count */
	size_t *text_at;	/* where each text value is in text */
	long *lines;		/* of each record */
	char *text;
	size_t text_len, text_cap;
	size_t text_mark;	/* text_len after the last committed record */
};

struct record_queue {
	const peil_schema *schema;
	store *store;
	struct block blocks[QUEUE_BLOCKS];
	struct block *filling;	/* the reader's */

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t to_writer, to_reader;
	/* Under lock: the full blocks are blocks[head], blocks[head + 1],
	 * ... (queued of them, the first one being stored while busy);
	 * the reader fills the one after them.  Whether the writer must
	 * end, whether a block failed, and who sleeps. */
	size_t head, queued;
	int stop;
	int failed;
	int writer_waits, reader_waits;
	/* Written by the writer before it sets failed. */
	peil_error error;
	long failed_line;
};

/* ------------------------------------------------------------- writer */

static int store_block(record_queue *q, struct block *b)
{
	size_t stored = 0;

	if (store_records_put(q->store, q->schema, b->values, b->count,
			      &stored, &q->error) == 0)
		return 0;
	q->failed_line = b->lines[stored < b->count ? stored : b->count - 1];
	return -1;
}

static void *writer(void *arg)
{
	record_queue *q = arg;
	struct block *b;
	int failed;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->queued && !q->stop) {
			q->writer_waits = 1;
			pthread_cond_wait(&q->to_writer, &q->lock);
		}
		q->writer_waits = 0;
		if (!q->queued)
			break;
		b = &q->blocks[q->head];
		failed = q->failed;
		pthread_mutex_unlock(&q->lock);
		/* After a failure the file is lost: the rest goes unstored. */
		if (!failed && b->count && store_block(q, b) < 0)
			failed = 1;
		pthread_mutex_lock(&q->lock);
		q->failed |= failed;
		q->head = (q->head + 1) % QUEUE_BLOCKS;
		q->queued--;
		if (q->reader_waits)
			pthread_cond_signal(&q->to_reader);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* ------------------------------------------------------------- reader */

static void block_release(struct block *b)
{
	free(b->values);
	free(b->text_at);
	free(b->lines);
	free(b->text);
}

static int block_init(struct block *b, size_t fields)
{
	memset(b, 0, sizeof(*b));
	b->values = calloc(QUEUE_RECORDS * fields, sizeof(*b->values));
	b->text_at = calloc(QUEUE_RECORDS * fields, sizeof(*b->text_at));
	b->lines = calloc(QUEUE_RECORDS, sizeof(*b->lines));
	return b->values && b->text_at && b->lines ? 0 : -1;
}

/* Wait, under lock, until the writer holds at most most blocks. */
static void wait_queued(record_queue *q, size_t most)
{
	while (q->queued > most) {
		q->reader_waits = 1;
		pthread_cond_wait(&q->to_reader, &q->lock);
	}
	q->reader_waits = 0;
}

/* The failure so far, with err filled, under lock. */
static int failure(record_queue *q, long *failed_line, peil_error *err)
{
	if (!q->failed)
		return 0;
	*err = q->error;
	*failed_line = q->failed_line;
	return -1;
}

/* Hand the filled block to the writer, and fill the next one once the
 * writer is done with it. */
static int submit(record_queue *q, long *failed_line, peil_error *err)
{
	struct block *b = q->filling;
	const size_t values = b->count * q->schema->field_count;
	size_t i;
	int rc;

	/* The text has its final address now. */
	for (i = 0; i < values; i++)
		if (b->values[i].type == PEIL_TYPE_TEXT)
			b->values[i].as.text = b->text + b->text_at[i];
	pthread_mutex_lock(&q->lock);
	rc = failure(q, failed_line, err);
	if (rc == 0) {
		q->queued++;
		if (q->writer_waits)
			pthread_cond_signal(&q->to_writer);
		wait_queued(q, QUEUE_BLOCKS - 1);
		q->filling = &q->blocks[(q->head + q->queued) % QUEUE_BLOCKS];
	}
	pthread_mutex_unlock(&q->lock);
	/* After a failure the file is lost: the block keeps nothing. */
	q->filling->count = 0;
	q->filling->text_len = q->filling->text_mark = 0;
	return rc;
}

peil_value *record_queue_record(record_queue *q)
{
	struct block *b = q->filling;
	const size_t n = q->schema->field_count;
	peil_value *v = b->values + b->count * n;
	size_t *at = b->text_at + b->count * n;
	size_t i;

	b->text_len = b->text_mark;
	for (i = 0; i < n; i++) {
		v[i].type = PEIL_TYPE_NULL;
		at[i] = SIZE_MAX;
	}
	return v;
}

int record_queue_text(record_queue *q, size_t field, const char *text,
		      size_t len)
{
	struct block *b = q->filling;
	const size_t slot = b->count * q->schema->field_count + field;

	if (b->text_len + len + 1 > b->text_cap) {
		size_t cap = b->text_cap ? b->text_cap : QUEUE_TEXT / 4;
		char *grown;

		while (cap < b->text_len + len + 1)
			cap *= 2;
		grown = realloc(b->text, cap);
		if (!grown)
			return -1;
		b->text = grown;
		b->text_cap = cap;
	}
	memcpy(b->text + b->text_len, text, len);
	b->text[b->text_len + len] = '\0';
	b->text_at[slot] = b->text_len;
	b->text_len += len + 1;
	b->values[slot].type = PEIL_TYPE_TEXT;
	b->values[slot].as.text = NULL;	/* set when the block is handed on */
	b->values[slot].len = len;
	return 0;
}

const char *record_queue_text_of(const record_queue *q, size_t field)
{
	const struct block *b = q->filling;
	const size_t slot = b->count * q->schema->field_count + field;

	/* as.text is NULL until the block is handed on: the text moves
	 * while the block's buffer grows. */
	if (b->values[slot].type != PEIL_TYPE_TEXT || b->text_at[slot] == SIZE_MAX)
		return NULL;
	return b->text + b->text_at[slot];
}

int record_queue_commit(record_queue *q, long line, long *failed_line,
			peil_error *err)
{
	struct block *b = q->filling;

	*failed_line = 0;
	b->lines[b->count++] = line;
	b->text_mark = b->text_len;
	if (b->count == QUEUE_RECORDS || b->text_len >= QUEUE_TEXT)
		return submit(q, failed_line, err);
	return 0;
}

int record_queue_flush(record_queue *q, long *failed_line, peil_error *err)
{
	int rc;

	*failed_line = 0;
	if (q->filling->count && submit(q, failed_line, err) < 0)
		return -1;
	pthread_mutex_lock(&q->lock);
	wait_queued(q, 0);
	rc = failure(q, failed_line, err);
	pthread_mutex_unlock(&q->lock);
	return rc;
}

void record_queue_discard(record_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	wait_queued(q, 0);
	q->failed = 0;
	pthread_mutex_unlock(&q->lock);
	q->filling->count = 0;
	q->filling->text_len = q->filling->text_mark = 0;
}

static void blocks_release(record_queue *q)
{
	size_t i;

	for (i = 0; i < QUEUE_BLOCKS; i++)
		block_release(&q->blocks[i]);
}

record_queue *record_queue_new(const peil_schema *schema,
			       store *storage, peil_error *err)
{
	record_queue *q = calloc(1, sizeof(*q));
	size_t i;
	int rc, ok = q != NULL;

	for (i = 0; ok && i < QUEUE_BLOCKS; i++)
		ok = block_init(&q->blocks[i], schema->field_count) == 0;
	if (!ok) {
		if (q)
			blocks_release(q);
		free(q);
		error_set(err, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	q->schema = schema;
	q->store = storage;
	q->filling = &q->blocks[0];
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->to_writer, NULL);
	pthread_cond_init(&q->to_reader, NULL);
	rc = thread_start(&q->thread, writer, q);
	if (rc != 0) {
		pthread_cond_destroy(&q->to_reader);
		pthread_cond_destroy(&q->to_writer);
		pthread_mutex_destroy(&q->lock);
		blocks_release(q);
		free(q);
		error_set(err, NULL, 0, NULL, "cannot start the writer "
			  "thread: %s", strerror(rc));
		return NULL;
	}
	return q;
}

void record_queue_free(record_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	wait_queued(q, 0);
	q->stop = 1;
	pthread_cond_signal(&q->to_writer);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->to_reader);
	pthread_cond_destroy(&q->to_writer);
	pthread_mutex_destroy(&q->lock);
	blocks_release(q);
	free(q);
}
