/*
 * sqlite_store.h - what the files of the sqlite storage plugin share: the
 * state of one open store, the error helpers, and the small SQL text tools.
 *
 * Not an interface for anyone outside plugins/store_sqlite: everything here is
 * hidden by the plugin's visibility preset.  The one exported symbol is
 * peil_plugin_entry() in sqlite_plugin.c.
 *
 * Error convention.  Every failing function fills the caller's peil_error
 * through svc->fail with the database path as file, and in field the
 * dataset ("cases") or the dataset and field ("cases.case_id") when known.
 */
#ifndef PEIL_SQLITE_STORE_H
#define PEIL_SQLITE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include <peil/plugin.h>

/* The internal schema this plugin writes; PRAGMA user_version holds it. */
/* 3: peil_change and peil_run.last_ingest, for what changed between runs.
 * 4: a dataset row holds the id of the ingest that added it
 *    (STORE_ADDED_COLUMN), instead of one peil_change row per added row;
 *    a dataset without key fields has rowids that are never reused
 *    (STORE_ROW_COLUMN).
 * 5: peil_result.size, the rows or persons behind a figure (NULL for the
 *    figures stored before).
 * 6: peil_result.earlier.  7: peil_run_kpi.definition.
 * 8: peil_run.listing, what a cases run listed (NULL before).
 * 9: peil_run.confirms, the run whose figures a run that changed nothing
 *    confirms (NULL for the runs before, and for a run that evaluated);
 *    peil_ingest's file_size, file_mtime_ns and file_inode.
 * 10: a run's figures packed, those of one (run, KPI, period) in one row
 *    of peil_figures (sqlite_figures.c), instead of a row of peil_result
 *    each.
 * 11: peil_run.build_sha256, the build of Peil that evaluated a run (NULL
 *    for the runs before). */
#define STORE_SCHEMA_VERSION 11

/* The figures of a run: one row per (run, KPI, period), its figures
 * (cells) packed in one blob in the order of their breakdowns
 * (sqlite_figures.c); figures is how many.  A rowid table: its key in an
 * index of its own, since a seek in a WITHOUT ROWID table reads the
 * whole of each row it compares with, blob and overflow pages (at 1M
 * cases 880 000 instructions a seek, half the cost of writing a run). */
#define STORE_FIGURES_TABLE_SQL                                            \
	"CREATE TABLE IF NOT EXISTS peil_figures ("                        \
	" id INTEGER PRIMARY KEY,"                                         \
	" run_id INTEGER NOT NULL REFERENCES peil_run (id),"               \
	" kpi TEXT NOT NULL,"                                              \
	" period TEXT NOT NULL,"                                           \
	" figures INTEGER NOT NULL,"                                       \
	" cells BLOB NOT NULL,"                                            \
	" UNIQUE (run_id, kpi, period));"

/* The reports written (version 8 of peil_storage_ops).  Not a schema
 * version of its own: a store of version 4 gets the table from the first
 * report_put, and reports_scan finds none without it.  run_id has no
 * REFERENCES: a pruned run leaves its reports' records. */
#define STORE_REPORT_TABLE_SQL                                             \
	"CREATE TABLE IF NOT EXISTS peil_report ("                         \
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"                           \
	" run_id INTEGER NOT NULL,"                                        \
	" period TEXT NOT NULL,"                                           \
	" period_from TEXT NOT NULL,"                                      \
	" period_to TEXT NOT NULL,"                                        \
	" kpi TEXT,"                                                       \
	" format TEXT NOT NULL,"                                           \
	" lang TEXT NOT NULL,"                                             \
	" path TEXT NOT NULL,"                                             \
	" written INTEGER NOT NULL);"

/* The column of every dataset table that holds the id of the ingest that
 * added the row (NULL for rows added before schema version 4, which
 * peil_change lists).  The dot keeps it out of the field names. */
#define STORE_ADDED_COLUMN "\"peil.added\""

/* A dataset without key fields: the row's id, never given to another row
 * (AUTOINCREMENT), which the change log keys it by. */
#define STORE_ROW_COLUMN "\"peil.row\""

/* The longest dataset or field name accepted; keeps "ds_" + name and
 * "dataset.field" well inside peil_error.field. */
#define STORE_NAME_MAX 100

/* A dataset's upsert statement, prepared for one exact schema and reused
 * for every record_put of that schema.  fields[] is a private copy of the
 * schema it was built for, so that a caller passing a different schema
 * under the same name gets a new statement, not a wrong one. */
struct store_put {
	struct store_put *next;
	char *name;
	size_t field_count;
	peil_field *fields;	/* names point into the same allocation */
	sqlite3_stmt *stmt;	/* one record */
	sqlite3_stmt *many;	/* STORE_PUT_ROWS records, made when needed */
	sqlite3_stmt *fresh;	/* as many, inserted when all new (a keyed
				   dataset; sqlite_dataset.c: put_fresh) */
	unsigned fresh_wait;	/* blocks skipped after the last miss */
	unsigned fresh_skip;	/* of them still to skip */
};

/* The most blocks that records_put stores by upsert alone before it
 * tries again whether a block is all new (put_fresh). */
#define STORE_FRESH_WAIT_MAX 64

/* The most records that one statement of records_put stores: a divisor
 * of the host's blocks of 512.  Each upsert's journal goes to a file
 * (storage_sqlite.c), so fewer, larger statements write less of it: at
 * 1M demo rows 64 took 1.31 s, 256 1.04 s (bench.sh, quiet machine).
 * A block of new keys needs no journal (put_fresh). */
#define STORE_PUT_ROWS 256

/* One open store.  Used by one thread at a time (the connection is opened
 * with SQLITE_OPEN_NOMUTEX). */
struct store {
	const peil_services *svc;
	peil_host *host;
	sqlite3 *db;
	const char *path;	/* from svc->config_path: valid until close */
	int read_only;		/* opened immutable: this process cannot
				   write the file or its directory */
	struct store_put *puts;	/* most recently used first */
	sqlite3_stmt *figures_get;	/* sqlite_figures.c */
	sqlite3_stmt *figures_put;
	sqlite3_stmt *run_kpi_put;
	/* An open snapshot (sqlite_changes.c): its dataset and the statement
	 * that notes each stored key in temp.peil_seen; NULL otherwise. */
	char *snapshot_name;
	sqlite3_stmt *snapshot_seen;
	/* Its scope (snapshot_scope_begin): only rows whose field
	 * snapshot_scope_field holds snapshot_scope_value are removed;
	 * NULL for a snapshot of the whole dataset. */
	char *snapshot_scope_field;
	char *snapshot_scope_value;
	/* The id that the open batch's ingest log entry gets: taken under
	 * the batch's write lock, so no other ingest can take it. */
	int64_t batch_ingest;
	/* WAL checkpoints on their own thread (sqlite_checkpoint.c), or
	 * NULL: SQLite's automatic ones. */
	struct store_checkpointer *checkpointer;
	int wal_limit_mib;	/* [storage] wal_limit_mib */
	int64_t cache_bytes;	/* [storage] cache_size_mib, in bytes */
	/* Between load_begin and load_end, with the database to ourselves
	 * under a rollback journal (storage_sqlite.c). */
	int loading;
	/* The file opened (sqlite_file.c): a commit to another fails. */
	dev_t file_dev;
	ino_t file_ino;
	ino_t side_ino[2];	/* its -wal and -shm files, 0: none */
	/* Counted among the process's opens of the store whose note
	 * sqlite_stamp.c keeps. */
	int stamp;
};

/* ---- errors (storage_sqlite.c) ---- */

/* Report a failure of the database with sqlite3_errmsg appended:
 * "<subject>: <what>: <errmsg>", subject (a dataset, a KPI) may be NULL:
 * it is no column of an export, which an error's field names.  Returns
 * -1. */
int store_fail_db(struct store *st, peil_error *err, const char *subject,
		  const char *what);

/* Fail with "<kind> <name>: <fmt...>": a dataset or a KPI named as one,
 * never as the field of an error, which names an export's column (name
 * NULL: the message alone).  Returns -1. */
int store_fail_of(struct store *st, peil_error *err, const char *kind,
		  const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Run one or more SQL statements without results; on failure report
 * "<what>: <errmsg>".  Returns 0 or -1. */
int store_exec(struct store *st, peil_error *err, const char *sql,
	       const char *what);

/* Run sql, a query of one integer column, with ?1 bound to param when
 * has_param: *found says whether it gave a row, *out the row's value (0
 * without one).  0, or -1 with err "<what>: <errmsg>". */
int store_query_int64(struct store *st, const char *sql, int has_param,
		      int64_t param, int64_t *out, int *found,
		      peil_error *err, const char *what);

/* Step stmt through its rows, calling row(ctx, stmt) on each: 0 after
 * the last row, the nonzero return of row (which stops the steps), or -1
 * with err "<what>: <errmsg>" when a step fails.  stmt is finalized in
 * every case; its text columns are valid only during row. */
int store_rows_each(struct store *st, sqlite3_stmt *stmt,
		    int (*row)(void *ctx, sqlite3_stmt *stmt), void *ctx,
		    peil_error *err, const char *what);
/* Whether v is missing: the NULL type, or a text without one. */
static inline int store_value_is_null(const peil_value *v)
{
	return v->type == PEIL_TYPE_NULL ||
	       (v->type == PEIL_TYPE_TEXT && v->as.text == NULL);
}

/* Bind v to parameter col of stmt, a missing or NaN value as NULL.
 * SQLite's result code: SQLITE_TOOBIG for a text longer than SQLite
 * takes, SQLITE_MISMATCH for a value of no known type.  SQLITE_STATIC:
 * the statement is stepped while v lives.  Inline: it binds every value
 * an ingest stores. */
static inline int store_bind_value(sqlite3_stmt *stmt, int col,
				   const peil_value *v)
{
	if (store_value_is_null(v))
		return sqlite3_bind_null(stmt, col);
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		return sqlite3_bind_text64(stmt, col, v->as.text, v->len,
					   SQLITE_STATIC, SQLITE_UTF8);
	case PEIL_TYPE_INTEGER:
		return sqlite3_bind_int64(stmt, col, v->as.integer);
	case PEIL_TYPE_REAL:
		if (v->as.real != v->as.real)	/* NaN */
			return sqlite3_bind_null(stmt, col);
		return sqlite3_bind_double(stmt, col, v->as.real);
	case PEIL_TYPE_DATE:
		return sqlite3_bind_int(stmt, col, v->as.date);
	case PEIL_TYPE_BOOLEAN:
		return sqlite3_bind_int(stmt, col, v->as.boolean != 0);
	case PEIL_TYPE_NULL:
		break;
	}
	return SQLITE_MISMATCH;
}

/* Bind text, or NULL for a NULL pointer.  SQLITE_STATIC: the statement
 * is stepped and reset while text lives. */
static inline int store_bind_text(sqlite3_stmt *stmt, int col,
				  const char *text)
{
	return sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
}

/* Step a write statement once, then reset it for its next use; on
 * failure report "<what>: <errmsg>" naming field (sqlite_runs.c). */
int store_step_done(struct store *st, sqlite3_stmt *stmt, peil_error *err,
		    const char *field, const char *what);

/* A text column, NULL for SQL NULL; valid until the next step. */
const char *store_column_text(sqlite3_stmt *stmt, int col);

/* Prepare sql as a statement that lives long (SQLITE_PREPARE_PERSISTENT). */
int store_prepare_persistent(struct store *st, peil_error *err,
			     const char *sql, sqlite3_stmt **stmt,
			     const char *what);

/* ---- SQL text (sqlite_sql.c) ---- */

/* A growing NUL-terminated string.  After a failed append, ok is 0 and the
 * text is incomplete; check once, at the end. */
struct store_sql {
	char *text;
	size_t len;
	size_t cap;
	int ok;
};

void store_sql_init(struct store_sql *sql);
void store_sql_release(struct store_sql *sql);	/* accepts a released one */
/* Run the statements built in sql (without results), naming field on
 * failure ("out of memory" when the building failed), and release sql.
 * Returns 0 or -1. */
int store_sql_run(struct store *st, struct store_sql *sql, const char *field,
		  const char *what, peil_error *err);
void store_sql_append(struct store_sql *sql, const char *text);
/* Append name as a quoted identifier, with an optional prefix inside the
 * quotes: store_sql_ident(sql, "ds_", "cases") appends "ds_cases". */
void store_sql_ident(struct store_sql *sql, const char *prefix,
		     const char *name);

/* Whether name is a valid dataset or field name: [a-z_][a-z0-9_]*, at most
 * STORE_NAME_MAX bytes. */
int store_name_valid(const char *name);

/* The SQL column type of a peil type ("TEXT", "INTEGER", "REAL"), or NULL
 * for a type that cannot be stored (PEIL_TYPE_NULL or out of range). */
const char *store_sql_type(peil_type type);

/* The peil type's name in schema descriptions ("text", "date", ...), or
 * NULL; and back, with 0 for an unknown name. */
const char *store_type_name(peil_type type);
int store_type_parse(const char *name, size_t len, peil_type *type);

/* ---- the store's file (sqlite_file.c) ---- */

/* Before an open that must not create: -1 with err naming path when it
 * is missing, not a regular file, or empty. */
/* Whether table exists without column (storage_sqlite.c). */
int store_table_lacks(struct store *st, const char *table,
		      const char *column);

int store_file_check_existing(const peil_services *svc, const char *path,
			      peil_error *err);
/* After it: -1 with err when the schema version read is 0 (no store). */
int store_file_schema_less(struct store *st, int version, peil_error *err);
/* Note the device and inode of the file just opened.  0 or -1. */
int store_file_remember(struct store *st, peil_error *err);
/* Note the inodes of the store's WAL and shared-memory files. */
void store_file_note_wal(struct store *st);
/* After the database was closed: when the path is no longer the file
 * opened, remove the WAL and shared-memory files there that were this
 * store's, so that they are never applied to another file.  1 when the
 * path is still the file opened, else 0. */
int store_file_closed(struct store *st);
/* 0 when the path is still the file opened; else -1 with err "<what>:
 * the store PATH was removed / replaced ...". */
int store_file_same(struct store *st, const char *what, peil_error *err);

/* ---- the note of how Peil left the file (sqlite_stamp.c) ---- */

/* Before SQLite opens the file (is_new: it was not there, or empty):
 * the process's first open compares the file with the note beside it. */
void store_stamp_open(struct store *st, int is_new);
/* Once the store is open: when the file differs from its note, every
 * run recorded so far is suspect.  0, or -1 with err. */
int store_stamp_settle(struct store *st, peil_error *err);
/* After a commit of st's connection or a checkpoint: the note for the
 * file as Peil wrote it, so that it holds should the process be killed
 * before it closes the store. */
void store_stamp_refresh(struct store *st);
/* After SQLite closed the file (same_file: the path is still the file
 * opened): the process's last close writes the note. */
void store_stamp_closed(struct store *st, int same_file);

/* ---- ops, one file per job ---- */

/* storage_sqlite.c */
extern const char *const store_config_keys[];
int store_open_state(const peil_services *svc, peil_host *host,
		     void **state, peil_error *err);
int store_open_existing(const peil_services *svc, peil_host *host,
			void **state, peil_error *err);
void store_close(void *state);
int store_lock_path(const peil_services *svc, peil_host *host, char *out,
		    size_t size, peil_error *err);
int store_batch_begin(void *state, peil_error *err);
int store_batch_commit(void *state, peil_error *err);
void store_batch_rollback(void *state);
int store_load_begin(void *state, int64_t bytes, peil_error *err);
void store_load_end(void *state);

/* sqlite_dataset.c */
int store_dataset_ensure(void *state, const peil_schema *schema,
			 peil_error *err);
int store_record_put(void *state, const peil_schema *schema,
		     const peil_value *values, peil_error *err);
int store_records_put(void *state, const peil_schema *schema,
		      const peil_value *values, size_t count, size_t *stored,
		      peil_error *err);
void store_puts_free(struct store *st);
/* Call fn for each stored dataset with all the fields it ever had; stops
 * at and returns fn's first nonzero result. */
typedef int (*store_dataset_fn)(struct store *st, const char *name,
				const peil_field *fields, size_t count,
				void *ctx, peil_error *err);
int store_datasets_each(struct store *st, store_dataset_fn fn, void *ctx,
			peil_error *err);
/* Schema version 4: give each dataset table STORE_ADDED_COLUMN and the
 * change log triggers of this version. */
int store_datasets_upgrade(struct store *st, peil_error *err);

/* sqlite_scan.c */
int store_scan(void *state, const peil_schema *schema,
	       const peil_filter *filter, const size_t *projection,
	       size_t projection_count, peil_row_fn row, void *ctx,
	       peil_error *err);

/* sqlite_runs.c */
int store_ingest_seen(void *state, const peil_ingest_entry *probe,
		      int *seen, peil_error *err);
int store_ingest_log(void *state, const peil_ingest_entry *entry,
		     peil_error *err);
int store_inputs_fingerprint(void *state, char out[65], peil_error *err);
int store_run_begin(void *state, const peil_run_info *info, int64_t *run_id,
		    peil_error *err);
int store_run_kpi_put(void *state, int64_t run_id, const peil_run_kpi *kpi,
		      peil_error *err);
int store_run_end(void *state, int64_t run_id, const char *status,
		  int64_t ended, peil_error *err);
int store_runs_scan(void *state, int64_t run_id,
		    int (*fn)(void *ctx, const peil_run_record *run), void *ctx,
		    peil_error *err);
int store_run_kpis_scan(void *state, int64_t run_id,
			int (*fn)(void *ctx, const peil_run_kpi *kpi),
			void *ctx, peil_error *err);
int store_report_put(void *state, const peil_report_record *report,
		     int64_t *report_id, peil_error *err);
int store_reports_scan(void *state,
		       int (*fn)(void *ctx, const peil_report_record *report),
		       void *ctx, peil_error *err);
int store_ingest_scan(void *state,
		      int (*fn)(void *ctx, const peil_ingest_entry *entry),
		      void *ctx, peil_error *err);

/* sqlite_figures.c */
int store_results_put(void *state, int64_t run_id, const peil_result *rows,
		      size_t n, peil_error *err);
int store_result_put(void *state, int64_t run_id, const peil_result *result,
		     peil_error *err);
int store_results_copy(void *state, int64_t from_run, int64_t to_run,
		       const char *kpi, peil_error *err);
int store_results_scan(void *state, const peil_result_query *query,
		       int (*fn)(void *ctx, const peil_result *result),
		       void *ctx, peil_error *err);
/* Schema version 10: the rows of peil_result (a store of version 9 or
 * before, its columns brought up to version 9) packed into peil_figures,
 * and peil_result dropped.  Under the caller's write lock. */
int store_figures_migrate(struct store *st, peil_error *err);
/* Prune's part in the figures: those of the runs in temp.peil_prune_run
 * go but the latest of each (kpi, period, breakdown) of a period in
 * temp.peil_final among every run's own (earlier 0); *deleted counts
 * them.  Under the caller's write lock. */
int store_figures_prune(struct store *st, int64_t *deleted, peil_error *err);

/* sqlite_changes.c */
/* (Re)create the triggers that log ds_<name>'s changes in peil_change;
 * fields are all the columns of the table. */
int store_changes_triggers(struct store *st, const char *name,
			   const peil_field *fields, size_t count,
			   peil_error *err);
/* Append the statements that drop the change log triggers of dataset
 * name, of this schema version and the ones before. */
void store_changes_drop(struct store_sql *sql, const char *name);
/* Whether both triggers of dataset name are there. */
int store_changes_triggers_exist(struct store *st, const char *name,
				 int *exist, peil_error *err);
/* (Re)create the TEMP trigger that keeps, in temp."peil_before_<name>",
 * the rows of dataset name as they were before the batch changed them
 * (a connection's first record_put of it); fields: all the columns of
 * the table. */
int store_changes_before_trigger(struct store *st, const char *name,
				 const peil_field *fields, size_t count,
				 peil_error *err);
/* commit: before the batch commits, its "changed" entries of the rows
 * that ended as they began are dropped.  Either way the rows kept before
 * are emptied (0: at the start of a batch, for any record_put outside
 * one). */
int store_changes_settle(struct store *st, int commit, peil_error *err);
/* Append the text key of a row of ds_<name> ("row" names it in the SQL):
 * the key values joined by " / ", dates as jjjj-mm-dd; the rowid for a
 * dataset without a key. */
void store_changes_key(struct store_sql *sql, const char *row,
		       const peil_field *fields, size_t count);
int store_snapshot_begin(void *state, const peil_schema *schema,
			 peil_error *err);
/* Called by record_put after each stored record: notes its key when a
 * snapshot of its dataset is open. */
int store_snapshot_note(struct store *st, const peil_schema *schema,
			const peil_value *values, peil_error *err);
int store_snapshot_scope_begin(void *state, const peil_schema *schema,
			       size_t scope_field, const char *scope_value,
			       peil_error *err);
int store_snapshot_end(void *state, const peil_schema *schema,
		       int64_t *removed, peil_error *err);
/* Drop the snapshot state (after a rollback, or at close). */
void store_snapshot_forget(struct store *st);
int store_run_last_ingest(void *state, int64_t run_id, int64_t *ingest_id,
			  peil_error *err);
int store_input_changes_scan(void *state, int64_t from_run, int64_t to_run,
			     int (*fn)(void *ctx,
				       const peil_input_change *change),
			     void *ctx, peil_error *err);

/* sqlite_stamp.c */
int store_changed_outside(void *state, int64_t *after_run, peil_error *err);

/* sqlite_checkpoint.c: start after the store is set up (on failure it
 * leaves SQLite's automatic checkpoints on; each commit wakes it); stop
 * (waits for the last checkpoint) before closing. */
void store_checkpointer_start(struct store *st, int wal_limit_mib);
void store_checkpointer_stop(struct store *st);

/* sqlite_backup.c */
int store_backup(void *state, const char *path, peil_error *err);
int store_runs_prune(void *state, const peil_prune *prune,
		     int64_t *runs_deleted, int64_t *figures_deleted,
		     peil_error *err);

#endif /* PEIL_SQLITE_STORE_H */
