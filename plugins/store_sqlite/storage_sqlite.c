/*
 * storage_sqlite.c - the sqlite storage plugin: its descriptor, opening and
 * closing a store, the internal tables, and batches.
 *
 * One database file holds everything: a table ds_<name> per dataset, and
 * the peil_* tables for the dataset descriptions, the ingest log, runs and
 * results.  The file is in WAL mode, so that a report can read while an
 * ingest writes, and a batch is one transaction, so that a crash before
 * commit leaves nothing of it.
 *
 * Configuration (the plugin's section):
 *   path            the database file, created when missing; its directory
 *                   must exist (required)
 *   busy_timeout_ms how long to wait for another writer (10000)
 *   cache_size_mib  SQLite's page cache for this connection (32)
 *   wal_limit_mib   how far the WAL may grow while checkpoints run beside
 *                   the writes, before a commit waits for one (1024;
 *                   sqlite_checkpoint.c)
 *
 * The descriptor is in sqlite_plugin.c.  Datasets and records are in
 * sqlite_dataset.c, scans in sqlite_scan.c,
 * the ingest log, runs and results in sqlite_runs.c, the change log and
 * snapshots in sqlite_changes.c, backup and pruning in sqlite_backup.c, and
 * the WAL checkpoints, which run on a thread of their own, in
 * sqlite_checkpoint.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "peil/plugin_fail.h"
#include "sqlite_store.h"

#define STORE_BUSY_TIMEOUT_MS 10000

/* SQLite's default page cache is 2 MiB.  An ingest whose keys do not come
 * in order touches pages all over the table's b-tree: with 64 MiB, 1M
 * shuffled records of 14 fields went in at 157k/s instead of 117k/s
 * (bench_storage_sqlite); ascending keys do not care.  32 MiB keeps an
 * ingest under 64 MB of memory however large its files (42 MB at 1M rows,
 * 45 MB at 10M), which the operator's machine shares with others. */
#define STORE_CACHE_SIZE_MIB 32

/* See sqlite_checkpoint.c: a 10M-row ingest of seven 330 MB batches waits
 * for one checkpoint in the middle instead of one per batch. */
#define STORE_WAL_LIMIT_MIB 1024

/* The page size of a new database (SQLite's largest; an existing one
 * keeps its own).  The datasets are written in bulk and read in whole
 * scans: with 4 KiB pages an ingest of 1M case rows took 1.28-1.60 s
 * and of 10M 17.5 s, with 64 KiB 1.12-1.24 s and 14.9 s (rollback
 * journal; 16 KiB: 16.0 s), and an evaluation reads the same.  A change
 * of one row rewrites its 64 KiB page. */
#define STORE_PAGE_SIZE 65536
/* A statement that may fail halfway keeps a statement journal of the
 * pages it changes that were there before it: for 64 upserts, the
 * b-tree's leaves and the pages above them (the change log's triggers
 * make every upsert such a statement).  SQLite keeps it in memory up to
 * 64 KiB and then writes it to a temporary file: with 64 KiB pages,
 * every statement (2.8 GB written for an ingest of 1M rows).  Holding
 * up to 4 MiB in memory (SQLITE_CONFIG_STMTJRNL_SPILL) made the ingest
 * of 1M rows 1.2-1.5 s -> 1.0-1.1 s, but with SQLite 3.40.1 an upsert
 * of corrections into a 10M-row store failed with "database or disk is
 * full" (SQLITE_FULL, with the disk far from full) each time its
 * journal moved from memory to the file; with 1 MiB it failed too (64
 * KiB, 8 MiB and all in memory passed).  So SQLite's default stands:
 * with 64 KiB pages, the journal goes to the file at its first page;
 * slower, and correct.  records_put stores a block of new keys by an
 * insert that needs none (sqlite_dataset.c: put_fresh). */
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)

/* ---------------------------------------------------------------- errors */

int store_fail_db(struct store *st, peil_error *err, const char *subject,
		  const char *what)
{
	const char *sep = subject ? ": " : "";

	if (!subject)
		subject = "";
	if (sqlite3_errcode(st->db) == SQLITE_READONLY || st->read_only)
		return st->svc->fail(err, st->path, 0, NULL,
				     "%s%s%s: %s (the store is read-only here: "
				     "this process cannot write it or its "
				     "directory)", subject, sep, what,
				     sqlite3_errmsg(st->db));
	if (sqlite3_errcode(st->db) == SQLITE_BUSY)
		return st->svc->fail(err, st->path, 0, NULL,
				     "%s%s%s: %s (another process holds it, "
				     "such as an ingest of large files, which "
				     "keeps it until it ends; [storage] "
				     "busy_timeout_ms says how long to wait)",
				     subject, sep, what,
				     sqlite3_errmsg(st->db));
	return st->svc->fail(err, st->path, 0, NULL, "%s%s%s: %s", subject,
			     sep, what, sqlite3_errmsg(st->db));
}

int store_fail_of(struct store *st, peil_error *err, const char *kind,
		  const char *name, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = peil_fail_vof(st->svc, err, st->path, kind, name, fmt, ap);
	va_end(ap);
	return rc;
}

int store_exec(struct store *st, peil_error *err, const char *sql,
	       const char *what)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, what);
	return 0;
}

int store_sql_run(struct store *st, struct store_sql *sql, const char *field,
		  const char *what, peil_error *err)
{
	int rc = 0;

	if (!sql->ok)
		rc = st->svc->fail(err, st->path, 0, NULL, "%s%sout of memory",
				   field ? field : "", field ? ": " : "");
	else if (sqlite3_exec(st->db, sql->text, NULL, NULL, NULL) != SQLITE_OK)
		rc = store_fail_db(st, err, field, what);
	store_sql_release(sql);
	return rc;
}

int store_query_int64(struct store *st, const char *sql, int has_param,
		      int64_t param, int64_t *out, int *found,
		      peil_error *err, const char *what)
{
	sqlite3_stmt *stmt;
	int rc;

	*out = 0;
	*found = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, what);
	if (has_param)
		sqlite3_bind_int64(stmt, 1, param);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		*found = 1;
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail_db(st, err, NULL, what);
	return 0;
}

int store_rows_each(struct store *st, sqlite3_stmt *stmt,
		    int (*row)(void *ctx, sqlite3_stmt *stmt), void *ctx,
		    peil_error *err, const char *what)
{
	int step, rc = 0;

	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		rc = row(ctx, stmt);
		if (rc != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_fail_db(st, err, NULL, what);
	sqlite3_finalize(stmt);
	return rc;
}

const char *store_column_text(sqlite3_stmt *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

int store_prepare_persistent(struct store *st, peil_error *err,
			     const char *sql, sqlite3_stmt **stmt,
			     const char *what)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, what);
	return 0;
}

/* ----------------------------------------------------------- config */

struct config_where {
	const char *key;
	char file[512];
	long line;
};

static int config_where_fn(void *ctx, const char *key, const char *value,
			   const char *file, long line)
{
	struct config_where *where = ctx;

	(void)value;
	if (strcmp(key, where->key) != 0)
		return 0;	/* a longer key with the same prefix */
	snprintf(where->file, sizeof(where->file), "%s", file ? file : "");
	where->line = line;
	return 1;
}

/* A non-negative int from config key, or dflt when absent.  A bad value is
 * reported at the place in the config file where it was written. */
static int config_int(const peil_services *svc, peil_host *host,
		      const char *key, int dflt, int *out, peil_error *err)
{
	const char *text = svc->config_get(host, key);
	struct config_where where = { .key = key };
	char *end;
	long value;

	*out = dflt;
	if (text == NULL)
		return 0;
	errno = 0;
	value = strtol(text, &end, 10);
	if (end != text && *end == '\0' && errno == 0 && value >= 0 &&
	    value <= INT_MAX) {
		*out = (int)value;
		return 0;
	}
	svc->config_each(host, key, config_where_fn, &where);
	return svc->fail(err, where.file[0] ? where.file : NULL, where.line,
			 key, "%s must be a whole number of 0 or more, not \"%s\"",
			 key, text);
}

/* ------------------------------------------------------ internal tables */

/* What each ingest added, changed or removed (sqlite_changes.c). */
#define STORE_CHANGE_TABLE_SQL                                             \
	"CREATE TABLE IF NOT EXISTS peil_change ("                         \
	" ingest_id INTEGER NOT NULL,"                                     \
	" dataset TEXT NOT NULL,"                                          \
	" key TEXT NOT NULL,"                                              \
	" kind TEXT NOT NULL,"                                             \
	" PRIMARY KEY (ingest_id, dataset, key)) WITHOUT ROWID;"

/* Column "rows" is quoted everywhere: ROWS is a keyword since window
 * functions (3.25), accepted as a name only by the parser's fallback. */
static const char store_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS peil_dataset ("
	" name TEXT PRIMARY KEY NOT NULL,"
	" description TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS peil_ingest ("
	" id INTEGER PRIMARY KEY,"
	" source TEXT NOT NULL,"
	" dataset TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" sha256 TEXT NOT NULL,"
	" \"rows\" INTEGER NOT NULL,"
	" rejected INTEGER NOT NULL,"
	" at INTEGER NOT NULL,"
	" settings_sha256 TEXT,"
	" file_size INTEGER,"
	" file_mtime_ns INTEGER,"
	" file_inode INTEGER);"
	/* Not UNIQUE: an operator may force a file in again; ingest_seen
	 * asks only whether it was. */
	"CREATE INDEX IF NOT EXISTS peil_ingest_sha256 ON peil_ingest"
	" (sha256, source);"
	/* AUTOINCREMENT: ids never come back after a deleted run, so "the
	 * latest run" is always the highest id. */
	"CREATE TABLE IF NOT EXISTS peil_run ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL,"
	" started INTEGER NOT NULL,"
	" ended INTEGER,"
	" status TEXT NOT NULL,"
	" period_from TEXT,"
	" period_to TEXT,"
	" config_sha256 TEXT,"
	" scripts_sha256 TEXT,"
	" inputs_sha256 TEXT,"
	" last_ingest INTEGER,"
	" listing TEXT,"
	" confirms INTEGER,"
	" build_sha256 TEXT);"
	STORE_REPORT_TABLE_SQL
	"CREATE TABLE IF NOT EXISTS peil_run_kpi ("
	" run_id INTEGER NOT NULL REFERENCES peil_run (id),"
	" kpi TEXT NOT NULL,"
	" title TEXT,"
	" unit TEXT,"
	" script TEXT,"
	" script_sha256 TEXT,"
	" status TEXT NOT NULL,"
	" message TEXT,"
	" definition TEXT,"
	" PRIMARY KEY (run_id, kpi)) WITHOUT ROWID;"
	STORE_FIGURES_TABLE_SQL
	STORE_CHANGE_TABLE_SQL;


static int store_user_version(struct store *st, int *version,
			      peil_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &stmt,
			       NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot read the schema version");
	rc = sqlite3_step(stmt);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_ROW)
		return store_fail_db(st, err, NULL,
				     "cannot read the schema version");
	return 0;
}

static int store_check_version(struct store *st, int version,
			       peil_error *err)
{
	if (version <= STORE_SCHEMA_VERSION)
		return 0;
	return st->svc->fail(err, st->path, 0, NULL,
			     "the database has schema version %d, newer than "
			     "this plugin's %d: use a newer Peil",
			     version, STORE_SCHEMA_VERSION);
}

/* Whether table exists without column (else store_schema_sql makes it
 * whole). */
int store_table_lacks(struct store *st, const char *table, const char *column)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type ="
		" 'table' AND name = ?1) AND NOT EXISTS (SELECT 1"
		" FROM pragma_table_info(?1) WHERE name = ?2)";
	sqlite3_stmt *stmt;
	int lacks = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return 0;	/* the ALTER, if needed, reports the error */
	sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, column, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		lacks = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return lacks;
}

/* Bring the tables of an older schema version up to date; the caller
 * holds the write lock, and store_schema_sql adds what is new. */
static int store_migrate(struct store *st, int version, peil_error *err)
{
	/* 2: the ingest log remembers the settings a file was read with. */
	if (version < 2 &&
	    store_exec(st, err,
		       "ALTER TABLE peil_ingest ADD COLUMN settings_sha256 TEXT;"
		       "DROP INDEX IF EXISTS peil_ingest_sha256;",
		       "cannot update the ingest log to schema version 2") < 0)
		return -1;
	/* 3: the last ingest each run saw (NULL for the runs before: their
	 * input changes are not known); store_schema_sql adds peil_change. */
	if (version < 3 && store_table_lacks(st, "peil_run", "last_ingest") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_run ADD COLUMN last_ingest INTEGER;",
		       "cannot update the runs to schema version 3") < 0)
		return -1;
	/* 5: the size of each figure (NULL for those stored before). */
	if (version < 5 && store_table_lacks(st, "peil_result", "size") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_result ADD COLUMN size REAL;",
		       "cannot update the results to schema version 5") < 0)
		return -1;
	/* 6: figures of earlier periods, there to be compared with (none
	 * before). */
	if (version < 6 && store_table_lacks(st, "peil_result", "earlier") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_result ADD COLUMN earlier INTEGER"
		       " NOT NULL DEFAULT 0;",
		       "cannot update the results to schema version 6") < 0)
		return -1;
	/* 7: the definition of each KPI of a run (none before). */
	if (version < 7 && store_table_lacks(st, "peil_run_kpi", "definition") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_run_kpi ADD COLUMN definition TEXT;",
		       "cannot update the run KPIs to schema version 7") < 0)
		return -1;
	/* 8: what a cases run listed (none before). */
	if (version < 8 && store_table_lacks(st, "peil_run", "listing") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_run ADD COLUMN listing TEXT;",
		       "cannot update the runs to schema version 8") < 0)
		return -1;
	/* 9: the run a run that changed nothing confirms, and the size,
	 * time and inode of each file ingested (none before). */
	if (version < 9 && store_table_lacks(st, "peil_run", "confirms") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_run ADD COLUMN confirms INTEGER;",
		       "cannot update the runs to schema version 9") < 0)
		return -1;
	if (version < 9 &&
	    store_table_lacks(st, "peil_ingest", "file_size") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_ingest ADD COLUMN file_size INTEGER;"
		       "ALTER TABLE peil_ingest ADD COLUMN file_mtime_ns"
		       " INTEGER;"
		       "ALTER TABLE peil_ingest ADD COLUMN file_inode INTEGER;",
		       "cannot update the ingest log to schema version 9") < 0)
		return -1;
	/* 10: the figures packed, a row per run, KPI and period. */
	if (version < 10 && store_figures_migrate(st, err) < 0)
		return -1;
	/* 11: the build that evaluated each run (none before: the next
	 * peil run evaluates, whatever else is unchanged). */
	if (version < 11 &&
	    store_table_lacks(st, "peil_run", "build_sha256") &&
	    store_exec(st, err,
		       "ALTER TABLE peil_run ADD COLUMN build_sha256 TEXT;",
		       "cannot update the runs to schema version 11") < 0)
		return -1;
	return 0;
}

/* A database without Peil's schema version (0) is new only when it holds
 * no table: one with tables is another program's, and Peil's tables are
 * not added to it (a [storage] path that names the wrong file).  0, or -1
 * naming a table it holds. */
static int store_check_foreign(struct store *st, peil_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE "
			       "type = 'table' ORDER BY name LIMIT 1", -1,
			       &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot list its tables");
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		st->svc->fail(err, st->path, 0, NULL, "%s is a SQLite database "
			      "without Peil's schema version that holds "
			      "tables (such as '%.100s'): not a Peil store, "
			      "and Peil does not write into it ([storage] "
			      "path names another file?)", st->path,
			      (const char *)sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		store_fail_db(st, err, NULL, "cannot list its tables");
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Create the internal tables of a new database.  A database at the current
 * version is left alone without taking the write lock, so that opening
 * does not wait for a running ingest. */
static int store_schema_ensure(struct store *st, peil_error *err)
{
	char sql[64];
	int version;

	if (store_user_version(st, &version, err) < 0 ||
	    store_check_version(st, version, err) < 0)
		return -1;
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	/* A store of version 4 to 9 that this process may not write is
	 * read as it is: it lacks only peil_result.size (4), which
	 * results_scan gives as unknown, peil_result.earlier (4, 5),
	 * which it gives as 0, peil_run_kpi.definition (4 to 6), which
	 * run_kpis_scan gives as NULL, peil_run.listing (4 to 7), which
	 * runs_scan gives as NULL, and peil_run.confirms and the files'
	 * size, time and inode in peil_ingest (4 to 8), which runs_scan and
	 * ingest_scan give as 0; its figures are a row each in
	 * peil_result (4 to 9), which results_scan reads so; and
	 * peil_run.build_sha256 (4 to 10), which runs_scan gives as NULL. */
	if (st->read_only && version >= 4 && version <= 10)
		return 0;

	/* Another process may be creating them too: look again under the
	 * write lock. */
	if (store_exec(st, err, "BEGIN IMMEDIATE",
		       "cannot create the internal tables") < 0)
		return -1;
	if (store_user_version(st, &version, err) < 0 ||
	    store_check_version(st, version, err) < 0 ||
	    (version == 0 && store_check_foreign(st, err) < 0))
		goto fail;
	if (version < STORE_SCHEMA_VERSION) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
			 STORE_SCHEMA_VERSION);
		if (version >= 1 && store_migrate(st, version, err) < 0)
			goto fail;
		if (store_exec(st, err, store_schema_sql,
			       "cannot create the internal tables") < 0 ||
		    (version >= 1 && version < 4 &&
		     store_datasets_upgrade(st, err) < 0) ||
		    store_exec(st, err, sql,
			       "cannot set the schema version") < 0)
			goto fail;
	}
	if (store_exec(st, err, "COMMIT",
		       "cannot create the internal tables") < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ------------------------------------------------------ open and close */

void store_close(void *state)
{
	struct store *st = state;

	if (st == NULL)
		return;
	store_checkpointer_stop(st);
	store_puts_free(st);
	store_snapshot_forget(st);
	sqlite3_finalize(st->figures_get);
	sqlite3_finalize(st->figures_put);
	sqlite3_finalize(st->run_kpi_put);
	/* An open batch is rolled back by the close: never half-committed. */
	if (sqlite3_close(st->db) != SQLITE_OK)
		st->svc->log(st->host, PEIL_LOG_WARNING,
			     "closing %s: %s", st->path,
			     sqlite3_errmsg(st->db));
	/* file_ino: it was opened */
	store_stamp_closed(st, st->file_ino && store_file_closed(st));
	free(st);
}

/* Set the journal mode to mode; *now (when not NULL) says whether SQLite
 * took it.  SQLite leaves WAL mode only when no other connection has the
 * file open, and a file system without shared memory (some network
 * mounts) refuses WAL. */
static int store_journal(struct store *st, const char *mode, int *now,
			 peil_error *err)
{
	char sql[64];
	sqlite3_stmt *stmt;
	const char *got;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot set the journal mode");
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_BUSY && now) {		/* others have the file */
		sqlite3_finalize(stmt);
		*now = 0;
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(stmt);
		return store_fail_db(st, err, NULL,
				     "cannot set the journal mode");
	}
	got = (const char *)sqlite3_column_text(stmt, 0);
	if (now)
		*now = got != NULL && sqlite3_stricmp(got, mode) == 0;
	else if (got == NULL || sqlite3_stricmp(got, mode) != 0)
		st->svc->log(st->host, PEIL_LOG_WARNING,
			     "%s: journal mode is %s, not %s: readers wait "
			     "for writers", st->path, got ? got : "unknown",
			     mode);
	sqlite3_finalize(stmt);
	return 0;
}

/* WAL lets reports read while an ingest writes.  Where it is refused, go
 * on in the default mode, slower for readers but correct, and say so. */
static int store_wal(struct store *st, peil_error *err)
{
	return store_journal(st, "wal", NULL, err);
}

/* Whether svc is a table this plugin can use: the version it was built for
 * and at least the services it calls (up to config_path). */
static int store_services_usable(const peil_services *svc, peil_error *err)
{
	return peil_services_check(svc, "sqlite",
				   offsetof(peil_services, config_path) +
					   sizeof(svc->config_path),
				   err) == 0;
}

/* The database file from the section's path key, which is required,
 * through services this plugin can use. */
static int store_db_path(const peil_services *svc, peil_host *host,
			 const char **path, peil_error *err)
{
	if (!store_services_usable(svc, err))
		return -1;
	*path = svc->config_path(host, "path");
	if (*path == NULL || (*path)[0] == '\0')
		return svc->fail(err, NULL, 0, "path",
				 "the key \"path\" (the database file) is "
				 "required");
	return 0;
}

/* Why this process cannot write the store at path: a read-only mount
 * (EROFS) or no permission (EACCES) on the file or, since SQLite makes
 * its -wal and -shm files beside it, on its directory; 0 when it can. */
static int store_write_denied(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (access(path, W_OK) != 0 && (errno == EROFS || errno == EACCES))
		return errno;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	if (access(dir, W_OK) != 0 && (errno == EROFS || errno == EACCES))
		return errno;
	return 0;
}

/* The URI that opens path read-only and immutable (SQLite takes no lock
 * and makes no -shm, which a read-only directory could not hold), into
 * out; -1 when it does not fit.  Only '%', '?' and '#' need escaping in
 * a file: URI's path. */
static int store_readonly_uri(const char *path, char *out, size_t size)
{
	size_t n = 0;
	const char *p;

	n += (size_t)snprintf(out, size, "file:");
	for (p = path; *p && n + 4 < size; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			n += (size_t)snprintf(out + n, size - n, "%%%02X",
					      (unsigned char)*p);
		else
			out[n++] = *p;
	}
	if (*p || (size_t)snprintf(out + n, size - n, "?immutable=1") >=
			  size - n)
		return -1;
	return 0;
}

/* A reader that cannot write opens the store immutable; but committed
 * changes may still wait in a -wal file beside it, and an immutable open
 * never reads that: the figures would silently lack them.  Refuse then,
 * naming the file.  0, or -1 with err. */
static int store_readonly_check_wal(const peil_services *svc,
				    const char *path, int denied,
				    peil_error *err)
{
	char wal[PATH_MAX];
	struct stat sb;

	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) >=
	    sizeof(wal))
		return svc->fail(err, path, 0, NULL, "the path is too long");
	if (stat(wal, &sb) != 0 || sb.st_size == 0)
		return 0;
	return svc->fail(err, path, 0, NULL,
			 "the store is read-only here (%s), and %s holds %lld "
			 "bytes of changes not yet in it, which a read-only "
			 "open would not see: open it once where it can be "
			 "written, so that they are moved into the store",
			 strerror(denied), wal, (long long)sb.st_size);
}

/* Open the store at [storage] path; create: make it when it is not
 * there (or is an empty file), and say so.  A store that this process
 * cannot write: create (ingest, run) fails saying "read-only"; otherwise
 * it is opened read-only, and a write later fails saying so too. */
static int store_open_mode(const peil_services *svc, peil_host *host,
			   void **state, int create, peil_error *err)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
			  (create ? SQLITE_OPEN_CREATE : 0);
	struct store *st;
	const char *path;
	char cache_sql[64];
	int busy_ms, cache_mib, wal_mib, version, is_new = 0, denied;
	char uri[PATH_MAX * 3 + 32];
	peil_error scratch;

	*state = NULL;
	if (store_db_path(svc, host, &path, err) < 0)
		return -1;
	if (!create && store_file_check_existing(svc, path, err) < 0)
		return -1;
	if (create)	/* SQLite makes an empty file a new database too */
		is_new = store_file_check_existing(svc, path, &scratch) < 0;
	denied = store_write_denied(path);
	if (denied && create)
		return svc->fail(err, path, 0, NULL,
				 "cannot write the store: it is read-only here "
				 "(%s on it or its directory)",
				 strerror(denied));
	if (denied &&
	    (store_readonly_check_wal(svc, path, denied, err) < 0 ||
	     store_readonly_uri(path, uri, sizeof(uri)) < 0))
		return err->message[0] ? -1
				       : svc->fail(err, path, 0, NULL,
						   "the path is too long");
	if (config_int(svc, host, "busy_timeout_ms", STORE_BUSY_TIMEOUT_MS,
		       &busy_ms, err) < 0 ||
	    config_int(svc, host, "cache_size_mib", STORE_CACHE_SIZE_MIB,
		       &cache_mib, err) < 0 ||
	    config_int(svc, host, "wal_limit_mib", STORE_WAL_LIMIT_MIB,
		       &wal_mib, err) < 0)
		return -1;
	/* Negative: a size in KiB, not a number of pages. */
	snprintf(cache_sql, sizeof(cache_sql), "PRAGMA cache_size = %lld",
		 -1024LL * cache_mib);

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return svc->fail(err, path, 0, NULL, "out of memory");
	st->svc = svc;
	st->host = host;
	st->path = path;

	/* The parent directory is not created: a typo in the path should
	 * fail here, not scatter databases. */
	st->read_only = denied != 0;
	store_stamp_open(st, is_new);
	if (sqlite3_open_v2(denied ? uri : path, &st->db,
			    denied ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
					     SQLITE_OPEN_NOMUTEX
				   : flags,
			    NULL) != SQLITE_OK) {
		svc->fail(err, path, 0, NULL, "cannot open database %s: %s",
			  path, st->db ? sqlite3_errmsg(st->db)
				       : "out of memory");
		store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, busy_ms);
	if (!create && (store_user_version(st, &version, err) < 0 ||
			store_file_schema_less(st, version, err) < 0)) {
		store_close(st);
		return -1;
	}

	st->wal_limit_mib = wal_mib;
	st->cache_bytes = (int64_t)cache_mib * 1024 * 1024;
	/* The first statements read the file: a file that is not a database
	 * fails here, and the message names it.  The page size is set while
	 * a new file is empty, before WAL mode writes its header. */
	if ((!denied &&
	     (store_exec(st, err,
			 "PRAGMA page_size = " STORE_STR(STORE_PAGE_SIZE),
			 "cannot set the page size") < 0 ||
	      store_wal(st, err) < 0)) ||
	    store_exec(st, err, "PRAGMA synchronous = NORMAL;"
				"PRAGMA foreign_keys = ON",
		       "cannot set up the connection") < 0 ||
	    store_exec(st, err, cache_sql, "cannot set the cache size") < 0 ||
	    store_schema_ensure(st, err) < 0 ||
	    store_file_remember(st, err) < 0 ||
	    store_stamp_settle(st, err) < 0) {
		store_close(st);
		return -1;
	}
	if (denied)
		svc->log(host, PEIL_LOG_INFO, "%s: read-only here (%s): "
			 "opened for reading only", path, strerror(denied));
	else
		store_checkpointer_start(st, wal_mib);
	if (is_new)
		svc->log(host, PEIL_LOG_INFO, "%s: created a new, empty store",
			 path);
	*state = st;
	return 0;
}

int store_open_state(const peil_services *svc, peil_host *host,
		     void **state, peil_error *err)
{
	return store_open_mode(svc, host, state, 1, err);
}

int store_open_existing(const peil_services *svc, peil_host *host,
			void **state, peil_error *err)
{
	return store_open_mode(svc, host, state, 0, err);
}

/* The keys of the plugin's section, for its descriptors. */
const char *const store_config_keys[] = {
	"path", "busy_timeout_ms", "cache_size_mib", "wal_limit_mib", NULL
};

/* The lock file beside the database: path + ".lock", from the
 * configuration alone, since the host asks before it opens the store.  It
 * is the file that Peil took as [storage] path + ".lock" before the store
 * suggested it, so a timer's run and an operator's ingest of an older and
 * a newer Peil still exclude each other. */
int store_lock_path(const peil_services *svc, peil_host *host, char *out,
		    size_t size, peil_error *err)
{
	const char *path;

	if (store_db_path(svc, host, &path, err) < 0)
		return -1;
	if ((size_t)snprintf(out, size, "%s.lock", path) >= size)
		return svc->fail(err, path, 0, "path",
				 "the path is too long for its lock file");
	return 0;
}

/* ------------------------------------------------------------- batches */

/* IMMEDIATE takes the write lock now, so a busy database fails (after the
 * busy timeout) at the start of a batch, not halfway through it. */
int store_batch_begin(void *state, peil_error *err)
{
	struct store *st = state;
	int found;

	if (!sqlite3_get_autocommit(st->db))
		return st->svc->fail(err, st->path, 0, NULL,
				     "cannot begin a batch: one is open");
	if (store_exec(st, err, "BEGIN IMMEDIATE", "cannot begin a batch") < 0)
		return -1;
	if (store_query_int64(st, "SELECT coalesce(max(id), 0) + 1"
				  " FROM peil_ingest", 0, 0, &st->batch_ingest,
			      &found, err, "cannot begin a batch") < 0 ||
	    store_changes_settle(st, 0, err) < 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

/* A failed COMMIT may leave the transaction open (SQLITE_BUSY, a full
 * disk): then the caller's batch_rollback ends it. */
int store_batch_commit(void *state, peil_error *err)
{
	struct store *st = state;

	if (sqlite3_get_autocommit(st->db))
		return st->svc->fail(err, st->path, 0, NULL,
				     "cannot commit: no batch is open");
	if (store_file_same(st, "cannot commit the batch", err) < 0 ||
	    store_changes_settle(st, 1, err) < 0)
		return -1;	/* the caller rolls back */
	return store_exec(st, err, "COMMIT", "cannot commit the batch");
}

/* Safe without an open batch: asks SQLite, not a flag of ours, whether a
 * transaction is open, since SQLite may have rolled back on its own (an
 * I/O error, a full disk). */
void store_batch_rollback(void *state)
{
	struct store *st = state;

	if (st == NULL)
		return;
	store_snapshot_forget(st);
	if (sqlite3_get_autocommit(st->db))
		return;
	/* The change log's TEMP triggers made in the batch go with it:
	 * the statements are made again, and the triggers with them. */
	store_puts_free(st);
	if (sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		st->svc->log(st->host, PEIL_LOG_ERROR, "%s: rollback: %s",
			     st->path, sqlite3_errmsg(st->db));
}

/* --------------------------------------------------------------- loads */

/* A load larger than the page cache spills pages during each batch.  In
 * WAL mode each is written to the WAL, in 4120-byte frames astride the
 * file system's pages, and copied again by a checkpoint: an ingest of
 * 10M case rows spent 13 s of its writer's 18 s in the kernel.  Under a
 * rollback journal the new pages of a batch go to the file once, where
 * they belong, and only the pages that it changes are journaled: 14.9 s
 * for the whole ingest (64 KiB pages).
 *
 * A rollback journal lets no reader in while a batch writes, so the load
 * keeps the database to itself (exclusive locking) until load_end:
 * readers wait for it, up to their busy timeout, rather than make a
 * commit wait for them.  SQLite leaves WAL mode only when no other
 * connection has the file open; when one has, the load goes through the
 * WAL as any other ingest. */
int store_load_begin(void *state, int64_t bytes, peil_error *err)
{
	struct store *st = state;
	int now;

	if (st->loading || bytes <= st->cache_bytes)
		return 0;
	/* The checkpoints' connection keeps the WAL open. */
	store_checkpointer_stop(st);
	if (store_journal(st, "delete", &now, err) < 0) {
		store_checkpointer_start(st, st->wal_limit_mib);
		return -1;
	}
	if (!now) {
		st->svc->log(st->host, PEIL_LOG_INFO,
			     "%s: another connection has the database open: "
			     "loading through the WAL", st->path);
		store_checkpointer_start(st, st->wal_limit_mib);
		return 0;
	}
	/* The lock taken now is kept.  FULL: the journal is synced before
	 * the file is written in place. */
	st->loading = 1;
	if (store_exec(st, err, "PRAGMA locking_mode = EXCLUSIVE;"
				"PRAGMA synchronous = FULL;"
				"BEGIN EXCLUSIVE; COMMIT",
		       "cannot take the database for the load") == 0)
		return 0;
	st->svc->log(st->host, PEIL_LOG_INFO, "%s; loading through the WAL",
		     err->message);
	store_load_end(st);
	return 0;
}

/* Back to WAL mode, with the lock given up by the first access after
 * locking_mode = NORMAL.  A reader that waited for the load may come in
 * between and hold a read lock that the mode change cannot wait for
 * (SQLite gives SQLITE_BUSY at once): try again for up to two seconds.
 * Should another connection keep the journal, the next open sets WAL. */
void store_load_end(void *state)
{
	struct store *st = state;
	peil_error err;
	int tries, now = 0;

	if (!st->loading)
		return;
	st->loading = 0;
	if (store_exec(st, &err, "PRAGMA locking_mode = NORMAL;"
				 "PRAGMA synchronous = NORMAL;"
				 "SELECT count(*) FROM sqlite_schema",
		       "cannot end the load") < 0) {
		st->svc->log(st->host, PEIL_LOG_WARNING, "%s", err.message);
		return;
	}
	for (tries = 0; tries < 100 && !now; tries++) {
		if (tries)
			sqlite3_sleep(20);
		if (store_journal(st, "wal", &now, &err) < 0) {
			st->svc->log(st->host, PEIL_LOG_WARNING, "%s",
				     err.message);
			break;
		}
	}
	if (!now)
		st->svc->log(st->host, PEIL_LOG_WARNING,
			     "%s: another connection keeps the rollback "
			     "journal: readers wait for writers until the "
			     "next open sets WAL mode", st->path);
	store_checkpointer_start(st, st->wal_limit_mib);
	store_stamp_refresh(st);	/* the load's writes are Peil's */
}
