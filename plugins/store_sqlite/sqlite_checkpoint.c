/*
 * sqlite_checkpoint.c - WAL checkpoints on a thread of their own.
 *
 * In WAL mode a commit appends pages to the WAL; a checkpoint copies them
 * into the database file and syncs it.  SQLite runs it in the commit that
 * grows the WAL past 1000 pages, so the committing ingest waits for a copy
 * of everything it wrote (about a third of a 24 MB export's time here).
 * Here a second connection does it after each batch, while the ingest
 * reads its next file: SQLite allows one checkpointer beside one writer.
 * Closing the store waits for the last checkpoint, so no work is left for
 * the next program.  Without the thread (it could not start), SQLite's own
 * automatic checkpoints stay on.
 *
 * The WAL starts again from its beginning only when a write begins after
 * a checkpoint copied all of it; while the thread copies the last batch,
 * the next one is appended.  So a commit that leaves the WAL longer than
 * [storage] wal_limit_mib waits for the checkpoint: the WAL stays within
 * about that plus one batch, however many files an ingest reads.  Each
 * wait is time the ingest does nothing else; a large limit waits seldom
 * and costs disk space while the ingest runs (the WAL is gone after it).
 *
 * After each commit and each checkpoint the note of how Peil left the
 * file is written again (sqlite_stamp.c), so that it holds when Peil is
 * killed before it closes the store.  Without the thread the note is
 * written at the close only.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

struct store_checkpointer {
	struct store *st;	/* whose note each checkpoint renews */
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int wanted;	/* a commit happened since the last checkpoint began */
	int running;	/* a checkpoint is being made */
	int stop;
	long long limit;	/* frames a commit may leave in the WAL */
};

static void *checkpointer(void *arg)
{
	struct store_checkpointer *c = arg;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cond, &c->lock);
		if (!c->wanted)
			break;
		c->wanted = 0;
		c->running = 1;
		pthread_mutex_unlock(&c->lock);
		/* PASSIVE: copies what no reader still needs, waits for
		 * nobody; what it leaves, the next one copies. */
		sqlite3_wal_checkpoint_v2(c->db, NULL,
					  SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
		store_stamp_refresh(c->st);
		pthread_mutex_lock(&c->lock);
		c->running = 0;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/* After each commit of the store's connection (its write lock released),
 * with the WAL's length in frames. */
static int committed(void *arg, sqlite3 *db, const char *schema, int frames)
{
	struct store *st = arg;
	struct store_checkpointer *c = st->checkpointer;

	(void)db;
	(void)schema;
	pthread_mutex_lock(&c->lock);
	c->wanted = 1;
	pthread_cond_broadcast(&c->cond);
	while (frames > c->limit && (c->wanted || c->running))
		pthread_cond_wait(&c->cond, &c->lock);
	pthread_mutex_unlock(&c->lock);
	store_stamp_refresh(st);
	return SQLITE_OK;
}

static int in_wal_mode(sqlite3 *db)
{
	sqlite3_stmt *stmt;
	const unsigned char *mode;
	int wal = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		mode = sqlite3_column_text(stmt, 0);
		wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	}
	sqlite3_finalize(stmt);
	return wal;
}

void store_checkpointer_start(struct store *st, int wal_limit_mib)
{
	struct store_checkpointer *c = calloc(1, sizeof(*c));
	sigset_t all, old;
	int64_t page = 4096;
	peil_error ignored;
	int found, rc;

	if (c == NULL)
		return;
	c->st = st;
	if (store_query_int64(st, "PRAGMA page_size", 0, 0, &page, &found,
			      &ignored, "cannot read the page size") < 0 ||
	    page <= 0)
		page = 4096;
	c->limit = (long long)wal_limit_mib * 1024 * 1024 / page;
	/* A connection learns that the file is in WAL mode when it first
	 * reads it; until then a checkpoint does nothing. */
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE |
					      SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK || !in_wal_mode(c->db)) {
		sqlite3_close(c->db);
		free(c);
		return;
	}
	sqlite3_busy_timeout(c->db, 1000);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	sigfillset(&all);	/* signals are for the host's main thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, checkpointer, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		sqlite3_close(c->db);
		free(c);
		return;
	}
	st->checkpointer = c;
	/* In place of SQLite's automatic checkpoints, which use this hook. */
	sqlite3_wal_hook(st->db, committed, st);
}

void store_checkpointer_stop(struct store *st)
{
	struct store_checkpointer *c = st->checkpointer;

	if (c == NULL)
		return;
	sqlite3_wal_hook(st->db, NULL, NULL);
	pthread_mutex_lock(&c->lock);
	c->wanted = 1;		/* a last one, for what came since */
	c->stop = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
	st->checkpointer = NULL;
}
