/*
 * test_storage_sqlite.c - the sqlite storage plugin, loaded as the host
 * loads it (dlopen of the built sqlite.so, RTLD_NOW | RTLD_LOCAL) and
 * driven through a fake services table.  Where it matters what another
 * process would see, the database is opened with SQLite directly.
 *
 * Every expected value below was worked out by hand from the rows the test
 * puts in; the inputs fingerprints are SHA-256 of the documented encoding.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include <peil/plugin.h>

#include "fake_fail.h"
/* The plugin's own state, to look at its connection's settings. */
#include "../plugins/store_sqlite/sqlite_store.h"

#include "harness.h"
#include "store/store_fixtures.h"

#include "store/fake_store_services.h"

/* ------------------------------------------------------------- fixtures */

static const peil_plugin *plugin;
static const peil_storage_ops *ops;
static const char *tmpdir;	/* harness_tmp() */

/* A database path in the temporary directory; one per test.  Each call
 * gets its own buffer: the plugin keeps the path it was given until close,
 * as the services contract allows. */
static const char *db_path(const char *name)
{
	static char paths[64][512];
	static int next;
	char *path = paths[next++ % 64];

	snprintf(path, sizeof(paths[0]), "%s/%s.db", tmpdir, name);
	return path;
}

/* Open the store on path, with busy_timeout_ms when not NULL. */
static void *store_open_with(struct peil_host *host, const char *path,
			     const char *busy, peil_error *err)
{
	void *state = NULL;
	int i = 0;

	memset(host, 0, sizeof(*host));
	if (path) {
		host->keys[i] = "path";
		host->values[i++] = path;
	}
	if (busy) {
		host->keys[i] = "busy_timeout_ms";
		host->values[i++] = busy;
	}
	if (ops->open(&fake_services, host, &state, err) < 0)
		return NULL;
	return state;
}

static struct peil_host host_main;	/* valid until that store closes */

static void *store_open(const char *path)
{
	peil_error err;
	void *state = store_open_with(&host_main, path, NULL, &err);

	if (state == NULL)
		printf("  open %s: %s\n", path, err.message);
	return state;
}

/* The integer result of a query on a second, read-only connection, as
 * another process sees the database; -1 on failure. */
static long long direct_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	long long value = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		value = sqlite3_column_int64(stmt, 0);
	else
		printf("  direct %s: %s\n", sql, sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return value;
}

/* The text result of a query on a second connection, into buf. */
static const char *direct_text(const char *path, const char *sql, char *buf,
			       size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;

	snprintf(buf, size, "(failed)");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		text = sqlite3_column_text(stmt, 0);
		snprintf(buf, size, "%s", text ? (const char *)text : "(null)");
	}
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return buf;
}


/* Run sql on path through a connection of its own, as an older Peil or
 * another program would: 0, or -1 when it fails. */
static int direct_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open(path, &db) == SQLITE_OK &&
			 sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK
		 ? 0 : -1;

	sqlite3_close(db);
	return rc;
}

/* Take the store at path back to schema version 9, as a Peil of that
 * version left it: its figures a row each in peil_result, rows (SQL
 * VALUES rows of run_id, kpi, period, breakdown, value, numerator,
 * denominator, status, size, earlier), then the SQL in more.  0 or -1. */
static int results_v9(const char *path, const char *rows, const char *more)
{
	char sql[4096];

	snprintf(sql, sizeof(sql),
		 "DROP TABLE peil_figures;"
		 "CREATE TABLE peil_result ("
		 " run_id INTEGER NOT NULL REFERENCES peil_run (id),"
		 " kpi TEXT NOT NULL, period TEXT NOT NULL,"
		 " breakdown TEXT NOT NULL, value REAL, numerator REAL,"
		 " denominator REAL, status TEXT, size REAL,"
		 " earlier INTEGER NOT NULL DEFAULT 0,"
		 " PRIMARY KEY (run_id, kpi, period, breakdown))"
		 " WITHOUT ROWID;"
		 "INSERT INTO peil_result VALUES %s;"
		 "PRAGMA user_version = 9;%s", rows, more);
	return direct_exec(path, sql);
}



/* Collects the first projected value (an integer id) as "1,4". */
struct ids {
	char text[256];
	int calls;
	int stop_after;		/* return 7 after this many rows; 0: never */
};

static int ids_row(void *ctx, const peil_value *values)
{
	struct ids *ids = ctx;
	size_t len = strlen(ids->text);

	snprintf(ids->text + len, sizeof(ids->text) - len, "%s%lld",
		 len ? "," : "", (long long)values[0].as.integer);
	ids->calls++;
	return ids->stop_after && ids->calls >= ids->stop_after ? 7 : 0;
}

/* The ids of the people matching filter, or "error: <message>". */
static const char *scan_ids(void *st, const peil_filter *filter)
{
	static struct ids ids;
	static const size_t id_only[] = { P_ID };
	peil_error err;

	memset(&ids, 0, sizeof(ids));
	if (ops->scan(st, &people, filter, id_only, 1, ids_row, &ids,
		      &err) < 0)
		snprintf(ids.text, sizeof(ids.text), "error: %.200s",
			 err.message);
	return ids.text;
}


static peil_filter group(peil_op op, size_t count, const peil_filter *kids)
{
	peil_filter f = { .op = op, .child_count = count, .children = kids };
	return f;
}

static long long count_rows(void *st, const peil_schema *schema)
{
	struct ids ids;
	static const size_t first[] = { 0 };
	peil_error err;

	memset(&ids, 0, sizeof(ids));
	if (ops->scan(st, schema, NULL, first, 1, ids_row, &ids, &err) < 0) {
		printf("  count %s: %s\n", schema->name, err.message);
		return -1;
	}
	return ids.calls;
}

/* ------------------------------------------------------------ the tests */

TEST(descriptor)
{
	CHECK_INT(plugin->abi_version, PEIL_ABI_VERSION);
	CHECK_INT(plugin->size, sizeof(peil_plugin));
	CHECK_STR(plugin->name, "sqlite");
	CHECK_INT(plugin->kind, PEIL_PLUGIN_STORAGE);
	CHECK(plugin->storage != NULL);
	CHECK_INT(plugin->storage->size, sizeof(peil_storage_ops));
	CHECK(plugin->input == NULL);
}

TEST(open_needs_path)
{
	struct peil_host host;
	peil_error err;

	CHECK(store_open_with(&host, NULL, NULL, &err) == NULL);
	CHECK_STR(err.field, "path");
	CHECK_CONTAINS(err.message, "path");
}

TEST(open_missing_directory_names_path)
{
	struct peil_host host;
	peil_error err;
	char path[512];

	snprintf(path, sizeof(path), "%s/no-such-dir/peil.db", tmpdir);
	CHECK(store_open_with(&host, path, NULL, &err) == NULL);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, path);
	CHECK(access(path, F_OK) != 0);	/* and nothing was created */
}

TEST(open_not_a_database_names_path)
{
	const char *path = db_path("not_a_database");
	struct peil_host host;
	peil_error err;
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	for (int i = 0; i < 100; i++)
		fputs("case_id;team;aanmelding\n1;Noord;01-02-2024\n", f);
	fclose(f);
	CHECK(store_open_with(&host, path, NULL, &err) == NULL);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "not a database");
}

TEST(open_bad_busy_timeout)
{
	struct peil_host host;
	peil_error err;

	CHECK(store_open_with(&host, db_path("busy"), "soon", &err) == NULL);
	CHECK_STR(err.field, "busy_timeout_ms");
	CHECK_STR(err.file, "test.ini");
	CHECK_INT(err.line, 2);
	CHECK_CONTAINS(err.message, "soon");
	CHECK(store_open_with(&host, db_path("busy"), "-5", &err) == NULL);

	void *st = store_open_with(&host, db_path("busy"), "250", &err);
	CHECK(st != NULL);
	ops->close(st);
}

TEST(open_cache_size)
{
	struct peil_host host = { { "path", "cache_size_mib" },
				  { db_path("cache"), "lots" } };
	peil_error err;
	void *st = NULL;

	CHECK(ops->open(&fake_services, &host, &st, &err) < 0);
	CHECK(st == NULL);
	CHECK_STR(err.field, "cache_size_mib");
	CHECK_INT(err.line, 2);
	host.values[1] = "16";
	CHECK_INT(ops->open(&fake_services, &host, &st, &err), 0);
	ops->close(st);
}

TEST(schema_created_and_reopened)
{
	const char *path = db_path("schema");
	char buf[64];
	void *st = store_open(path);
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master"
				   " WHERE type = 'table' AND name IN"
				   " ('peil_dataset', 'peil_ingest',"
				   "  'peil_run', 'peil_run_kpi',"
				   "  'peil_figures')"), 5);
	CHECK_STR(direct_text(path, "PRAGMA journal_mode", buf, sizeof(buf)),
		  "wal");
	CHECK_INT(people_fill(ops, st, &err), 0);
	ops->close(st);

	st = store_open(path);	/* an existing store opens as it was */
	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &people, &err), 0);
	CHECK_INT(count_rows(st, &people), 5);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	ops->close(st);
}

TEST(newer_schema_version_refused)
{
	const char *path = db_path("newer");
	sqlite3 *db;
	peil_error err;
	struct peil_host host;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 12", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open_with(&host, path, NULL, &err) == NULL);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "version 12");
}

/* Another program's SQLite database at [storage] path (tables, no schema
 * version) got Peil's tables added to it by peil ingest, exit 0.  Now it
 * is refused naming it and a table of its own, and left as it was: one
 * table, schema version 0.  A database without tables is still new. */
TEST(foreign_database_refused)
{
	const char *path = db_path("foreign"), *empty = db_path("no_tables");
	struct peil_host host;
	peil_error err;
	sqlite3 *db;
	void *st;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "CREATE TABLE klant (id, naam);"
			   "INSERT INTO klant VALUES (1, 'x')", NULL, NULL,
			   NULL) == SQLITE_OK);
	sqlite3_close(db);
	CHECK(store_open_with(&host, path, NULL, &err) == NULL);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "not a Peil store");
	CHECK_CONTAINS(err.message, "'klant'");
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master"), 1);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 0);

	CHECK(sqlite3_open(empty, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db, "PRAGMA user_version = 0", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);
	st = store_open_with(&host, empty, NULL, &err);
	CHECK(st != NULL);
	if (st)
		ops->close(st);
	CHECK_INT(direct_int(empty, "PRAGMA user_version"), 11);
}

/* A store of schema version 1 (no settings in the ingest log) is brought
 * up to date when opened, keeping its log. */
TEST(version_1_store_is_migrated)
{
	const char *path = db_path("v1");
	peil_ingest_entry probe = { "wijkteam", "cases", "/x.csv", "aa", 1, 0,
				    1, 0, NULL, 0, 0, 0 };
	sqlite3 *db;
	peil_error err;
	void *st;
	int seen = -1;

	CHECK(sqlite3_open(path, &db) == SQLITE_OK);
	CHECK(sqlite3_exec(db,
			   "CREATE TABLE peil_ingest (id INTEGER PRIMARY KEY,"
			   " source TEXT NOT NULL, dataset TEXT NOT NULL,"
			   " path TEXT NOT NULL, sha256 TEXT NOT NULL,"
			   " \"rows\" INTEGER NOT NULL, rejected INTEGER NOT NULL,"
			   " at INTEGER NOT NULL);"
			   "CREATE INDEX peil_ingest_sha256 ON peil_ingest"
			   " (sha256);"
			   "INSERT INTO peil_ingest VALUES (1, 'wijkteam',"
			   " 'cases', '/x.csv', 'aa', 1, 0, 1);"
			   "PRAGMA user_version = 1;", NULL, NULL, NULL) ==
	      SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	/* Read before with no recorded settings: the same as none now. */
	CHECK_INT(ops->ingest_seen(st, &probe, &seen, &err), 0);
	CHECK_INT(seen, 1);
	ops->close(st);
}

TEST(close_accepts_null)
{
	ops->close(NULL);
	ops->batch_rollback(NULL);
}


static int case_put(void *st, const peil_schema *schema, const char *id,
		    const char *team, int32_t registered, peil_error *err)
{
	peil_value row[4] = { v_text(id), v_text(team), v_date(registered),
			      v_text("Noord") };
	return ops->record_put(st, schema, row, err);
}

TEST(batch_is_atomic)
{
	const char *path = db_path("batch");
	void *st = store_open(path);
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, &cases, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(count_rows(st, &cases), 2);	/* the batch sees itself */
	/* Another connection sees nothing yet, and is not blocked: WAL. */
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 0);
	CHECK(ops->batch_begin(st, &err) < 0);	/* no nesting */
	CHECK_CONTAINS(err.message, "open");
	ops->batch_rollback(st);
	CHECK_INT(count_rows(st, &cases), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 0);

	ops->batch_rollback(st);	/* safe with no batch open */
	CHECK(ops->batch_commit(st, &err) < 0);
	CHECK_STR(err.file, path);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C3", "West", 19002, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 1);
	ops->close(st);
}

/* Two stores on one file, as two processes: opening does not wait for
 * the writer, a second batch waits busy_timeout_ms and then fails. */
TEST(second_writer_waits_then_fails)
{
	const char *path = db_path("two_writers");
	struct peil_host host_b;
	void *a = store_open(path), *b;
	peil_error err;

	CHECK(a != NULL);
	CHECK_INT(ops->dataset_ensure(a, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(a, &err), 0);
	CHECK_INT(case_put(a, &cases, "C1", "Noord", 19000, &err), 0);

	b = store_open_with(&host_b, path, "50", &err);
	CHECK(b != NULL);
	CHECK_INT(count_rows(b, &cases), 0);	/* reads while a writes */
	CHECK(ops->batch_begin(b, &err) < 0);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "locked");
	ops->batch_rollback(b);			/* nothing open: no-op */

	CHECK_INT(ops->batch_commit(a, &err), 0);
	CHECK_INT(count_rows(b, &cases), 1);
	CHECK_INT(ops->batch_begin(b, &err), 0);
	CHECK_INT(case_put(b, &cases, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ops->batch_commit(b, &err), 0);
	CHECK_INT(count_rows(a, &cases), 2);
	ops->close(b);
	ops->close(a);
}

/* The result code of sql's first step on a connection of its own that
 * does not wait for locks: SQLITE_ROW when it could read. */
static int direct_step(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	return rc;
}

TEST(load_takes_the_store_and_gives_it_back)
{
	const char *path = db_path("load");
	const int64_t big = 33LL * 1024 * 1024;	/* the cache: 32 MiB */
	struct peil_host host_b;
	char mode[32];
	void *st = store_open(path);
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA page_size"), 65536);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);

	/* What the page cache holds goes through the WAL as ever. */
	CHECK_INT(ops->load_begin(st, 32LL * 1024 * 1024, &err), 0);
	CHECK_STR(direct_text(path, "PRAGMA journal_mode", mode, sizeof(mode)),
		  "wal");
	ops->load_end(st);

	CHECK_INT(ops->load_begin(st, big, &err), 0);
	CHECK_INT(direct_step(path, "SELECT count(*) FROM ds_cases"),
		  SQLITE_BUSY);		/* readers wait for the load */
	CHECK(store_open_with(&host_b, path, "50", &err) == NULL);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "locked");
	CHECK_CONTAINS(err.message, "busy_timeout_ms");
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(case_put(st, &cases, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C3", "West", 19002, &err), 0);
	ops->batch_rollback(st);	/* the journal undoes it */
	CHECK_INT(count_rows(st, &cases), 2);
	ops->load_end(st);

	CHECK_STR(direct_text(path, "PRAGMA journal_mode", mode, sizeof(mode)),
		  "wal");
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 2);
	/* In WAL mode again: a batch open here does not keep readers out. */
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C4", "Oost", 19003, &err), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 2);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"), 3);
	ops->close(st);
}

TEST(load_beside_a_reader_stays_in_wal)
{
	const char *path = db_path("load_shared");
	char mode[32];
	void *st = store_open(path);
	sqlite3 *reader = NULL;
	sqlite3_stmt *stmt = NULL;
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	/* Another program with the database open, between two reads. */
	CHECK_INT(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL),
		  SQLITE_OK);
	CHECK_INT(sqlite3_prepare_v2(reader, "SELECT count(*) FROM ds_cases",
				     -1, &stmt, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_step(stmt), SQLITE_ROW);
	sqlite3_reset(stmt);

	CHECK_INT(ops->load_begin(st, 1LL << 40, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(sqlite3_step(stmt), SQLITE_ROW);	/* never kept out */
	CHECK_INT(sqlite3_column_int(stmt, 0), 1);
	sqlite3_finalize(stmt);
	sqlite3_close(reader);
	CHECK_STR(direct_text(path, "PRAGMA journal_mode", mode, sizeof(mode)),
		  "wal");
	ops->load_end(st);
	CHECK_STR(direct_text(path, "PRAGMA journal_mode", mode, sizeof(mode)),
		  "wal");
	ops->close(st);
}

TEST(existing_store_keeps_its_page_size)
{
	const char *path = db_path("page_4k");
	void *st;

	/* Written (4 KiB pages), but without a table: a table of another
	 * program would make it not a Peil store (foreign_database_refused). */
	CHECK_INT(direct_exec(path, "PRAGMA page_size = 4096;"
				    "CREATE TABLE t (x); DROP TABLE t"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA page_size"), 4096);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_dataset"), 0);
	ops->close(st);
}

TEST(dataset_ensure_rolls_back_with_batch)
{
	const char *path = db_path("ensure_batch");
	void *st = store_open(path);
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	ops->batch_rollback(st);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master"
				   " WHERE name = 'ds_cases'"), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_dataset"), 0);
	/* The statement cached for the vanished table must not be used. */
	CHECK(case_put(st, &cases, "C1", "Noord", 19000, &err) < 0);
	CHECK_STR(err.field, "");	/* a dataset is no column */
	CHECK_CONTAINS(err.message, "dataset cases");
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(count_rows(st, &cases), 1);
	ops->close(st);
}

TEST(schema_change)
{
	static const peil_field added[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
		{ "team", PEIL_TYPE_TEXT, 0 },
		{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
		{ "district", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_field team_key[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "registered", PEIL_TYPE_DATE, 0 },
	};
	static const peil_field date_to_int[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "team", PEIL_TYPE_TEXT, 0 },
		{ "registered", PEIL_TYPE_INTEGER, 0 },
	};
	static const peil_field key_gone[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
		{ "registered", PEIL_TYPE_DATE, 0 },
	};
	static const peil_field new_key[] = {
		{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "team", PEIL_TYPE_TEXT, 0 },
		{ "registered", PEIL_TYPE_DATE, 0 },
		{ "neighbourhood", PEIL_TYPE_TEXT, 0 },
		{ "person", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	};
	const peil_schema v2 = { "cases", 4, added };
	const peil_schema bad_key = { "cases", 3, team_key };
	const peil_schema bad_type = { "cases", 3, date_to_int };
	const peil_schema bad_gone = { "cases", 2, key_gone };
	const peil_schema bad_new = { "cases", 5, new_key };
	const char *path = db_path("schema_change");
	void *st = store_open(path);
	peil_error err;
	char buf[256];

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);

	CHECK_INT(ops->dataset_ensure(st, &v2, &err), 0);
	CHECK_INT(case_put(st, &v2, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"
				   " WHERE district IS NULL"), 1);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM ds_cases"
				   " WHERE district = 'Noord'"), 1);
	CHECK_STR(direct_text(path, "SELECT description FROM peil_dataset"
				    " WHERE name = 'cases'", buf, sizeof(buf)),
		  "case_id text key required\nteam text\n"
		  "registered date required\ndistrict text\n");

	CHECK(ops->dataset_ensure(st, &bad_key, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "dataset cases: field team");
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "cases");
	CHECK_CONTAINS(err.message, "key");

	CHECK(ops->dataset_ensure(st, &bad_type, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "stored as date, not integer");

	CHECK(ops->dataset_ensure(st, &bad_gone, &err) < 0);
	CHECK_STR(err.field, "");

	CHECK(ops->dataset_ensure(st, &bad_new, &err) < 0);
	CHECK_STR(err.field, "");
	/* The refused change added nothing, not even the column that was
	 * added before the new key field was found: four fields and the
	 * ingest that added the row. */
	CHECK_INT(direct_int(path, "SELECT count(*) FROM"
				   " pragma_table_info('ds_cases')"), 5);

	/* The first schema, without district, still fits: the column stays. */
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C3", "West", 19002, &err), 0);
	CHECK_INT(count_rows(st, &cases), 3);
	ops->close(st);

	st = store_open(path);
	CHECK(st != NULL);
	CHECK(ops->dataset_ensure(st, &bad_type, &err) < 0);	/* persisted */
	CHECK_INT(ops->dataset_ensure(st, &v2, &err), 0);
	ops->close(st);
}

TEST(invalid_names_refused)
{
	static const peil_field bad_field[] = {
		{ "case-id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	};
	static const peil_field dup_field[] = {
		{ "id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
		{ "id", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_field keyword_fields[] = {
		{ "order", PEIL_TYPE_INTEGER, PEIL_FIELD_KEY },
		{ "group", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_field one[] = { { "id", PEIL_TYPE_TEXT, 0 } };
	static const peil_field no_type[] = { { "id", PEIL_TYPE_NULL, 0 } };
	const char *path = db_path("names");
	const peil_schema upper = { "Cases", 1, one };
	const peil_schema digit = { "1cases", 1, one };
	const peil_schema inject = { "x\"; DROP TABLE peil_run; --", 1, one };
	const peil_schema field = { "cases", 1, bad_field };
	const peil_schema dup = { "cases", 2, dup_field };
	const peil_schema empty = { "cases", 0, one };
	const peil_schema untyped = { "cases", 1, no_type };
	const peil_schema keywords = { "select", 2, keyword_fields };
	void *st = store_open(path);
	peil_value row[2] = { v_int(1), v_text("a") };
	peil_error err;

	CHECK(st != NULL);
	CHECK(ops->dataset_ensure(st, &upper, &err) < 0);
	CHECK_CONTAINS(err.message, "\"Cases\" is not valid");
	CHECK(ops->dataset_ensure(st, &digit, &err) < 0);
	CHECK(ops->dataset_ensure(st, &inject, &err) < 0);
	CHECK(ops->record_put(st, &inject, row, &err) < 0);
	CHECK(ops->dataset_ensure(st, &field, &err) < 0);
	CHECK_CONTAINS(err.message, "case-id");
	CHECK(ops->dataset_ensure(st, &dup, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "dataset cases: field id appears twice");
	CHECK(ops->dataset_ensure(st, &empty, &err) < 0);
	CHECK(ops->dataset_ensure(st, &untyped, &err) < 0);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "dataset cases: field id has no storable type");
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_run"), 0);

	/* SQL keywords are fine as names: identifiers are quoted. */
	CHECK_INT(ops->dataset_ensure(st, &keywords, &err), 0);
	CHECK_INT(ops->record_put(st, &keywords, row, &err), 0);
	CHECK_INT(count_rows(st, &keywords), 1);
	ops->close(st);
}

TEST(scan_filters)
{
	void *st = store_open(db_path("scan"));
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(people_fill(ops, st, &err), 0);

	CHECK_STR(scan_ids(st, NULL), "1,2,3,4,5");
	peil_filter f = cmp(PEIL_OP_EQ, P_AGE, v_int(30));
	CHECK_STR(scan_ids(st, &f), "1,4");
	f = cmp(PEIL_OP_NE, P_AGE, v_int(30));
	CHECK_STR(scan_ids(st, &f), "3,5");		/* 2 is NULL: unknown */
	f = cmp(PEIL_OP_LT, P_AGE, v_int(45));
	CHECK_STR(scan_ids(st, &f), "1,4");
	f = cmp(PEIL_OP_LE, P_AGE, v_int(45));
	CHECK_STR(scan_ids(st, &f), "1,3,4");
	f = cmp(PEIL_OP_GT, P_AGE, v_int(45));
	CHECK_STR(scan_ids(st, &f), "5");
	f = cmp(PEIL_OP_GE, P_AGE, v_int(45));
	CHECK_STR(scan_ids(st, &f), "3,5");
	f = cmp(PEIL_OP_IS_NULL, P_AGE, v_null());
	CHECK_STR(scan_ids(st, &f), "2");
	f = cmp(PEIL_OP_NOT_NULL, P_BORN, v_null());
	CHECK_STR(scan_ids(st, &f), "1,2,3,5");
	f = cmp(PEIL_OP_IS_NULL, P_ACTIVE, v_null());
	CHECK_STR(scan_ids(st, &f), "4");
	f = cmp(PEIL_OP_LT, P_BORN, v_date(2500));
	CHECK_STR(scan_ids(st, &f), "1,2");
	f = cmp(PEIL_OP_LT, P_BORN, v_int(2500));	/* a date is a number */
	CHECK_STR(scan_ids(st, &f), "1,2");
	f = cmp(PEIL_OP_GE, P_SCORE, v_real(7.5));
	CHECK_STR(scan_ids(st, &f), "1,4");
	f = cmp(PEIL_OP_EQ, P_ACTIVE, v_bool(0));
	CHECK_STR(scan_ids(st, &f), "2,5");
	f = cmp(PEIL_OP_LT, P_NAME, v_text("Bz"));
	CHECK_STR(scan_ids(st, &f), "1,2,5");	/* "'" sorts before "A" */

	/* Comparing with NULL selects nothing, as in SQL. */
	f = cmp(PEIL_OP_EQ, P_AGE, v_null());
	CHECK_STR(scan_ids(st, &f), "");
	f = cmp(PEIL_OP_NE, P_AGE, v_null());
	CHECK_STR(scan_ids(st, &f), "");
	f = cmp(PEIL_OP_EQ, P_SCORE, v_real(NAN));
	CHECK_STR(scan_ids(st, &f), "");

	peil_filter active_high[2] = { cmp(PEIL_OP_EQ, P_ACTIVE, v_bool(1)),
				       cmp(PEIL_OP_GE, P_SCORE, v_real(7)) };
	f = group(PEIL_OP_AND, 2, active_high);
	CHECK_STR(scan_ids(st, &f), "1");

	peil_filter bob_or_early[2] = {
		cmp(PEIL_OP_EQ, P_NAME, v_text("Bob")),
		cmp(PEIL_OP_LT, P_BORN, v_date(1500)) };
	f = group(PEIL_OP_OR, 2, bob_or_early);
	CHECK_STR(scan_ids(st, &f), "1,2");

	/* (age = 30 OR age = 60) AND name <> 'Ann': the parentheses hold. */
	peil_filter ages[2] = { cmp(PEIL_OP_EQ, P_AGE, v_int(30)),
				cmp(PEIL_OP_EQ, P_AGE, v_int(60)) };
	peil_filter nested[2] = { group(PEIL_OP_OR, 2, ages),
				  cmp(PEIL_OP_NE, P_NAME, v_text("Ann")) };
	f = group(PEIL_OP_AND, 2, nested);
	CHECK_STR(scan_ids(st, &f), "4,5");

	/* age IS NULL OR (active AND born >= 3000) */
	peil_filter late_active[2] = { cmp(PEIL_OP_EQ, P_ACTIVE, v_bool(1)),
				       cmp(PEIL_OP_GE, P_BORN, v_date(3000)) };
	peil_filter either[2] = { cmp(PEIL_OP_IS_NULL, P_AGE, v_null()),
				  group(PEIL_OP_AND, 2, late_active) };
	f = group(PEIL_OP_OR, 2, either);
	CHECK_STR(scan_ids(st, &f), "2,3");

	f = group(PEIL_OP_AND, 0, NULL);
	CHECK_STR(scan_ids(st, &f), "1,2,3,4,5");
	f = group(PEIL_OP_OR, 0, NULL);
	CHECK_STR(scan_ids(st, &f), "");
	ops->close(st);
}

TEST(scan_values_are_data)
{
	void *st = store_open(db_path("inject"));
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(people_fill(ops, st, &err), 0);
	peil_filter f = cmp(PEIL_OP_EQ, P_NAME, v_text("O'Brien"));
	CHECK_STR(scan_ids(st, &f), "4");
	f = cmp(PEIL_OP_EQ, P_NAME, v_text("' OR 1=1 --"));
	CHECK_STR(scan_ids(st, &f), "5");
	f = cmp(PEIL_OP_EQ, P_NAME, v_text("x' OR 1=1 --"));
	CHECK_STR(scan_ids(st, &f), "");
	f = cmp(PEIL_OP_EQ, P_NAME, v_text("x'; DROP TABLE ds_people; --"));
	CHECK_STR(scan_ids(st, &f), "");
	CHECK_STR(scan_ids(st, NULL), "1,2,3,4,5");
	ops->close(st);
}

/* Checks the values of person 2 and 4 in projections. */
struct rows_seen {
	int calls;
	peil_value v[P_FIELDS];
	char name[32];
};

static int keep_row2(void *ctx, const peil_value *values)
{
	struct rows_seen *seen = ctx;

	if (++seen->calls == 1) {
		memcpy(seen->v, values, sizeof(seen->v));
		snprintf(seen->name, sizeof(seen->name), "%s",
			 values[P_NAME].as.text);
		seen->v[P_NAME].as.text = NULL;	/* not valid after return */
	}
	return 0;
}

static int keep_projection(void *ctx, const peil_value *values)
{
	struct rows_seen *seen = ctx;

	seen->calls++;
	memcpy(seen->v, values, 2 * sizeof(*values));
	snprintf(seen->name, sizeof(seen->name), "%s", values[0].as.text);
	return 0;
}

static int keep_first(void *ctx, const peil_value *values)
{
	struct rows_seen *seen = ctx;

	seen->calls++;
	seen->v[0] = values[0];
	return 0;
}

TEST(scan_projection_and_types)
{
	void *st = store_open(db_path("projection"));
	static const size_t name_age[] = { P_NAME, P_AGE };
	struct rows_seen seen = { 0 };
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(people_fill(ops, st, &err), 0);

	peil_filter f = cmp(PEIL_OP_EQ, P_ID, v_int(2));
	CHECK_INT(ops->scan(st, &people, &f, NULL, 0, keep_row2, &seen, &err),
		  0);
	CHECK_INT(seen.calls, 1);
	CHECK_INT(seen.v[P_ID].type, PEIL_TYPE_INTEGER);
	CHECK_INT(seen.v[P_ID].as.integer, 2);
	CHECK_INT(seen.v[P_NAME].type, PEIL_TYPE_TEXT);
	CHECK_INT(seen.v[P_NAME].len, 3);
	CHECK_STR(seen.name, "Bob");
	CHECK_INT(seen.v[P_AGE].type, PEIL_TYPE_NULL);
	CHECK_INT(seen.v[P_BORN].type, PEIL_TYPE_DATE);
	CHECK_INT(seen.v[P_BORN].as.date, 2000);
	CHECK_INT(seen.v[P_SCORE].type, PEIL_TYPE_NULL);
	CHECK_INT(seen.v[P_ACTIVE].type, PEIL_TYPE_BOOLEAN);
	CHECK_INT(seen.v[P_ACTIVE].as.boolean, 0);

	memset(&seen, 0, sizeof(seen));
	f = cmp(PEIL_OP_EQ, P_ID, v_int(4));
	CHECK_INT(ops->scan(st, &people, &f, name_age, 2, keep_projection,
			    &seen, &err), 0);
	CHECK_INT(seen.calls, 1);
	CHECK_INT(seen.v[0].type, PEIL_TYPE_TEXT);
	CHECK_INT(seen.v[0].len, 7);
	CHECK_STR(seen.name, "O'Brien");
	CHECK_INT(seen.v[1].type, PEIL_TYPE_INTEGER);
	CHECK_INT(seen.v[1].as.integer, 30);

	memset(&seen, 0, sizeof(seen));
	f = cmp(PEIL_OP_EQ, P_ID, v_int(1));
	static const size_t score_only[] = { P_SCORE };
	CHECK_INT(ops->scan(st, &people, &f, score_only, 1, keep_first,
			    &seen, &err), 0);
	CHECK_INT(seen.v[0].type, PEIL_TYPE_REAL);
	CHECK_DOUBLE(seen.v[0].as.real, 7.5, 0);
	ops->close(st);
}

/* Keeps the first row's values, texts dropped (not valid after return). */
static int keep_values(void *ctx, const peil_value *values)
{
	struct rows_seen *seen = ctx;

	if (++seen->calls == 1) {
		memcpy(seen->v, values, sizeof(seen->v));
		for (size_t i = 0; i < P_FIELDS; i++)
			if (seen->v[i].type == PEIL_TYPE_TEXT)
				seen->v[i].as.text = NULL;
	}
	return 0;
}

/* A scan asks SQLite for a column's type only when the value could stand
 * for NULL (no text, or zero): zeros and the empty text must still come
 * back as values, and NULLs as NULL. */
TEST(scan_tells_zero_from_null)
{
	void *st = store_open(db_path("zeros"));
	peil_value zeros[P_FIELDS] = { v_int(6), v_text(""), v_int(0),
				       v_date(0), v_real(0.0), v_bool(0) };
	peil_value nulls[P_FIELDS] = { v_int(7), v_null(), v_null(), v_null(),
				       v_null(), v_null() };
	struct rows_seen seen = { 0 };
	peil_filter f = cmp(PEIL_OP_EQ, P_ID, v_int(6));
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(people_fill(ops, st, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->record_put(st, &people, zeros, &err), 0);
	CHECK_INT(ops->record_put(st, &people, nulls, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);

	CHECK_INT(ops->scan(st, &people, &f, NULL, 0, keep_values, &seen, &err),
		  0);
	CHECK_INT(seen.calls, 1);
	CHECK_INT(seen.v[P_NAME].type, PEIL_TYPE_TEXT);
	CHECK_INT(seen.v[P_NAME].len, 0);
	CHECK_INT(seen.v[P_AGE].type, PEIL_TYPE_INTEGER);
	CHECK_INT(seen.v[P_AGE].as.integer, 0);
	CHECK_INT(seen.v[P_BORN].type, PEIL_TYPE_DATE);
	CHECK_INT(seen.v[P_BORN].as.date, 0);
	CHECK_INT(seen.v[P_SCORE].type, PEIL_TYPE_REAL);
	CHECK_DOUBLE(seen.v[P_SCORE].as.real, 0, 0);
	CHECK_INT(seen.v[P_ACTIVE].type, PEIL_TYPE_BOOLEAN);
	CHECK_INT(seen.v[P_ACTIVE].as.boolean, 0);

	memset(&seen, 0, sizeof(seen));
	f = cmp(PEIL_OP_EQ, P_ID, v_int(7));
	CHECK_INT(ops->scan(st, &people, &f, NULL, 0, keep_values, &seen, &err),
		  0);
	CHECK_INT(seen.calls, 1);
	for (size_t i = P_NAME; i < P_FIELDS; i++)
		CHECK_INT(seen.v[i].type, PEIL_TYPE_NULL);
	ops->close(st);
}

static int64_t cache_size_of(void *st)
{
	sqlite3_stmt *stmt;
	int64_t v = 0;

	if (sqlite3_prepare_v2(((struct store *)st)->db, "PRAGMA cache_size",
			       -1, &stmt, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

struct cache_seen {
	void *st;
	int64_t during, nested_during;
	int rows, nested_rows, depth;
};

static int note_cache(void *ctx, const peil_value *values)
{
	struct cache_seen *c = ctx;
	peil_error err;

	(void)values;
	if (c->depth) {
		c->nested_rows++;
		c->nested_during = cache_size_of(c->st);
		return 0;
	}
	c->rows++;
	c->during = cache_size_of(c->st);
	if (c->rows == 1) {	/* a scan inside a scan's callback */
		c->depth = 1;
		if (ops->scan(c->st, &people, NULL, NULL, 0, note_cache, c,
			      &err) != 0)
			c->nested_rows = -100;
		c->depth = 0;
		c->during = cache_size_of(c->st);
	}
	return 0;
}

/* A scan reads each page once: the page cache is held to 2 MiB while it
 * runs (also inside another scan) and set back after it. */
TEST(scan_holds_the_page_cache_and_sets_it_back)
{
	struct peil_host host = { { "path", "cache_size_mib" },
				  { db_path("scancache"), "1" } };
	void *st = store_open(db_path("scancache"));
	struct cache_seen c = { 0 };
	peil_error err;

	CHECK(st != NULL);
	if (!st)
		return;
	CHECK_INT(people_fill(ops, st, &err), 0);
	CHECK_INT(cache_size_of(st), -32768);	/* 32 MiB, the default */
	c.st = st;
	CHECK_INT(ops->scan(st, &people, NULL, NULL, 0, note_cache, &c, &err),
		  0);
	CHECK_INT(c.rows, 5);
	CHECK_INT(c.nested_rows, 5);
	CHECK_INT(c.during, -2048);
	CHECK_INT(c.nested_during, -2048);
	CHECK_INT(cache_size_of(st), -32768);
	ops->close(st);

	/* a cache smaller than that is left alone */
	CHECK_INT(ops->open(&fake_services, &host, &st, &err), 0);
	memset(&c, 0, sizeof(c));
	c.st = st;
	CHECK_INT(ops->scan(st, &people, NULL, NULL, 0, note_cache, &c, &err),
		  0);
	CHECK_INT(c.during, -1024);
	CHECK_INT(cache_size_of(st), -1024);
	ops->close(st);
}

TEST(scan_stops_and_errors)
{
	const char *path = db_path("scan_errors");
	void *st = store_open(path);
	static const size_t bad_projection[] = { P_ID, 9 };
	struct ids ids = { .stop_after = 2 };
	peil_filter bad_children = { .op = PEIL_OP_AND, .child_count = 2 };
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(people_fill(ops, st, &err), 0);
	CHECK_INT(ops->scan(st, &people, NULL, NULL, 0, ids_row, &ids, &err),
		  7);
	CHECK_INT(ids.calls, 2);

	peil_filter f = cmp(PEIL_OP_EQ, 9, v_int(1));
	CHECK(ops->scan(st, &people, &f, NULL, 0, ids_row, &ids, &err) < 0);
	CHECK_STR(err.file, path);
	CHECK_STR(err.field, "");
	CHECK_CONTAINS(err.message, "field 9");
	f = cmp(PEIL_OP_EQ, P_AGE, v_text("30"));
	CHECK(ops->scan(st, &people, &f, NULL, 0, ids_row, &ids, &err) < 0);
	CHECK_STR(err.field, "");
	f = cmp(PEIL_OP_EQ, P_NAME, v_int(30));
	CHECK(ops->scan(st, &people, &f, NULL, 0, ids_row, &ids, &err) < 0);
	CHECK_STR(err.field, "");
	f = cmp((peil_op)99, P_AGE, v_int(30));
	CHECK(ops->scan(st, &people, &f, NULL, 0, ids_row, &ids, &err) < 0);
	CHECK_CONTAINS(err.message, "operator 99");
	CHECK(ops->scan(st, &people, &bad_children, NULL, 0, ids_row, &ids,
			&err) < 0);
	CHECK(ops->scan(st, &people, NULL, bad_projection, 2, ids_row, &ids,
			&err) < 0);
	CHECK_CONTAINS(err.message, "projection");

	static const peil_field ghost_fields[] = {
		{ "id", PEIL_TYPE_INTEGER, PEIL_FIELD_KEY } };
	const peil_schema ghost = { "ghost", 1, ghost_fields };
	CHECK(ops->scan(st, &ghost, NULL, NULL, 0, ids_row, &ids, &err) < 0);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "no such table: ds_ghost");
	ops->close(st);
}

TEST(text_round_trip)
{
	static const char *const texts[] = {
		"Beëindigd volgens plan", "O'Brien \"de Jong\"",
		"x'); DROP TABLE ds_cases; --", "line\nbreak;semi", "",
	};
	void *st = store_open(db_path("texts"));
	struct rows_seen seen;
	static const size_t team[] = { 1, 0 };
	peil_error err;
	char id[8];

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "C%d", i);
		CHECK_INT(case_put(st, &cases, id, texts[i], 1, &err), 0);
	}
	for (int i = 0; i < 5; i++) {
		peil_filter f = cmp(PEIL_OP_EQ, 1, v_text(texts[i]));

		memset(&seen, 0, sizeof(seen));
		CHECK_INT(ops->scan(st, &cases, &f, team, 2, keep_projection,
				    &seen, &err), 0);
		CHECK_INT(seen.calls, 1);
		CHECK_STR(seen.name, texts[i]);
		CHECK_INT(seen.v[0].len, strlen(texts[i]));
	}
	CHECK_INT(count_rows(st, &cases), 5);
	ops->close(st);
}

/* Collects results as "kpi|period|breakdown|value|num|den|status;" */
struct results {
	char text[1024];
	int64_t run_id;
	int calls;
	int nan_value;
};

static int results_row(void *ctx, const peil_result *r)
{
	struct results *res = ctx;
	size_t len = strlen(res->text);

	res->calls++;
	res->run_id = r->run_id;
	if (isnan(r->value))
		res->nan_value++;
	snprintf(res->text + len, sizeof(res->text) - len,
		 "%s|%s|%s|%g|%g|%g|%s;", r->kpi, r->period, r->breakdown,
		 r->value, r->numerator, r->denominator,
		 r->status ? r->status : "-");
	return 0;
}

static int put_result(void *st, int64_t run, const char *kpi,
		      const char *period, const char *breakdown, double value,
		      double num, double den, const char *status)
{
	peil_result r = { 0, kpi, period, breakdown, value, num, den, status, NAN,
			  0 };
	peil_error err;

	if (ops->result_put(st, run, &r, &err) < 0) {
		printf("  result_put: %s\n", err.message);
		return -1;
	}
	return 0;
}

struct history {
	char text[256];
	char inputs[16];
	char listing[64];	/* of the last run given */
};

static int history_run(void *ctx, const peil_run_record *run)
{
	struct history *h = ctx;
	size_t n = strlen(h->text);

	snprintf(h->text + n, sizeof(h->text) - n, "%lld:%s:%lld;",
		 (long long)run->id, run->status, (long long)run->ended);
	snprintf(h->inputs, sizeof(h->inputs), "%s", run->inputs_sha256);
	snprintf(h->listing, sizeof(h->listing), "%s",
		 run->listing ? run->listing : "-");
	return 0;
}

static int history_kpi(void *ctx, const peil_run_kpi *k)
{
	struct history *h = ctx;
	size_t n = strlen(h->text);

	snprintf(h->text + n, sizeof(h->text) - n, "%s:%s:%s:%s:%s;", k->kpi,
		 k->title, k->unit, k->status,
		 k->definition ? k->definition : "-");
	return 0;
}

static int history_ingest(void *ctx, const peil_ingest_entry *e)
{
	struct history *h = ctx;
	size_t n = strlen(h->text);

	snprintf(h->text + n, sizeof(h->text) - n, "%lld:%s:%lld;",
		 (long long)e->id, e->path, (long long)e->rows);
	return 0;
}

TEST(runs_and_results)
{
	struct history hist;
	const char *path = db_path("runs");
	void *st = store_open(path);
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-03-31",
			       "cfg", "scr", "inp", NULL, 0, NULL };
	peil_run_kpi kpi = { "wachttijd", "Wachttijd", "werkdagen",
			     "scripts/wachttijd.lua", "abc", "ok", NULL,
			     "unit:       werkdagen\n" };
	peil_result_query latest = { 0, NULL };
	struct results res;
	int64_t run1, run2, run3;
	peil_error err;
	char buf[64];

	CHECK(st != NULL);
	/* No finished run yet: nothing is called. */
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, results_row, &res, &err), 0);
	CHECK_INT(res.calls, 0);

	CHECK_INT(ops->run_begin(st, &info, &run1, &err), 0);
	CHECK(run1 > 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_run"
				   " WHERE status = 'running'"), 1);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->run_begin(st, &info, &run2, &err) < 0);	/* in a batch */
	CHECK_STR(err.file, path);
	CHECK_INT(ops->run_kpi_put(st, run1, &kpi, &err), 0);
	/* Put out of order; read back in kpi, period, breakdown order. */
	CHECK_INT(put_result(st, run1, "wachttijd", "2024-Q1", "{}", 4.5, 90,
			     20, "met"), 0);
	CHECK_INT(put_result(st, run1, "caseload", "2024-03",
			     "{\"team\":\"Zuid\"}", 12, NAN, NAN, NULL), 0);
	CHECK_INT(put_result(st, run1, "caseload", "2024-03",
			     "{\"team\":\"Noord\"}", NAN, 0, 0, NULL), 0);
	CHECK_INT(put_result(st, run1, "caseload", "2024-01", NULL, 30, NAN,
			     NAN, NULL), 0);
	/* A second put of the same cell replaces it. */
	CHECK_INT(put_result(st, run1, "caseload", "2024-03",
			     "{\"team\":\"Zuid\"}", 13, NAN, NAN, NULL), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->run_end(st, run1, "ok", 1700000060, &err), 0);

	/* A second run that is still running: not the latest. */
	CHECK_INT(ops->run_begin(st, &info, &run2, &err), 0);
	CHECK(run2 > run1);
	CHECK_INT(put_result(st, run2, "caseload", "2024-01", "{}", 99, NAN,
			     NAN, NULL), 0);

	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, results_row, &res, &err), 0);
	CHECK_INT(res.run_id, run1);
	CHECK_INT(res.calls, 4);
	CHECK_INT(res.nan_value, 1);
	CHECK_STR(res.text,
		  "caseload|2024-01|{}|30|nan|nan|-;"
		  "caseload|2024-03|{\"team\":\"Noord\"}|nan|0|0|-;"
		  "caseload|2024-03|{\"team\":\"Zuid\"}|13|nan|nan|-;"
		  "wachttijd|2024-Q1|{}|4.5|90|20|met;");

	peil_result_query one_kpi = { 0, "wachttijd" };
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &one_kpi, results_row, &res, &err), 0);
	CHECK_STR(res.text, "wachttijd|2024-Q1|{}|4.5|90|20|met;");

	peil_result_query given = { run2, NULL };
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &given, results_row, &res, &err), 0);
	CHECK_INT(res.run_id, run2);
	CHECK_STR(res.text, "caseload|2024-01|{}|99|nan|nan|-;");

	/* A later run that failed does not hide the figures of run 1. */
	CHECK_INT(ops->run_begin(st, &info, &run3, &err), 0);
	CHECK_INT(ops->run_end(st, run3, "failed", 1700000100, &err), 0);
	memset(&res, 0, sizeof(res));
	CHECK_INT(ops->results_scan(st, &latest, results_row, &res, &err), 0);
	CHECK_INT(res.run_id, run1);
	CHECK_INT(res.calls, 4);

	/* The history, newest first. */
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->runs_scan(st, 0, history_run, &hist, &err), 0);
	CHECK_STR(hist.text, "3:failed:1700000100;2:running:0;1:ok:1700000060;");
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->runs_scan(st, run1, history_run, &hist, &err), 0);
	CHECK_STR(hist.text, "1:ok:1700000060;");
	CHECK_STR(hist.inputs, "inp");
	CHECK(ops->runs_scan(st, 999, history_run, &hist, &err) < 0);
	CHECK_CONTAINS(err.message, "no run 999");
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->run_kpis_scan(st, run1, history_kpi, &hist, &err), 0);
	CHECK_STR(hist.text,
		  "wachttijd:Wachttijd:werkdagen:ok:unit:       werkdagen\n;");
	CHECK_STR(direct_text(path, "SELECT group_concat(status, ',') FROM"
				    " (SELECT status FROM peil_run ORDER BY id)",
			      buf, sizeof(buf)), "ok,running,failed");
	CHECK_INT(direct_int(path, "SELECT ended FROM peil_run WHERE id = 1"),
		  1700000060);
	CHECK_STR(direct_text(path, "SELECT title || '/' || unit || '/' ||"
				    " status || '/' || ifnull(message, '-')"
				    " FROM peil_run_kpi", buf, sizeof(buf)),
		  "Wachttijd/werkdagen/ok/-");

	peil_result_query missing = { 999, NULL };
	CHECK(ops->results_scan(st, &missing, results_row, &res, &err) < 0);
	CHECK_CONTAINS(err.message, "no run 999");
	CHECK(ops->run_end(st, 999, "ok", 1, &err) < 0);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "no such run");
	CHECK(ops->run_kpi_put(st, 999, &kpi, &err) < 0);	/* foreign key */
	CHECK_CONTAINS(err.message, "FOREIGN KEY");
	ops->close(st);
}

TEST(ingest_log_and_fingerprint)
{
	struct history hist;
	const char *path = db_path("ingest");
	void *st = store_open(path);
	peil_ingest_entry jan = {
		"wijkteam", "cases", "/data/cases-2024-01.csv",
		"5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d5f1d",
		120, 3, 1704067200, 0, "s1", 0, 0, 0 };
	peil_ingest_entry feb = {
		"wijkteam", "cases", "/data/cases-2024-02.csv",
		"77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa77aa",
		98, 0, 1706745600, 0, "s1", 0, 0, 0 };
	char fp[65];
	peil_error err;
	int seen = -1;

	CHECK(st != NULL);
	CHECK_INT(ops->ingest_seen(st, &jan, &seen, &err), 0);
	CHECK_INT(seen, 0);
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	/* SHA-256 of nothing */
	CHECK_STR(fp, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &jan, &err), 0);
	CHECK_INT(ops->ingest_seen(st, &jan, &seen, &err), 0);
	CHECK_INT(seen, 1);
	ops->batch_rollback(st);
	CHECK_INT(ops->ingest_seen(st, &jan, &seen, &err), 0);
	CHECK_INT(seen, 0);

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &jan, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->ingest_seen(st, &jan, &seen, &err), 0);
	CHECK_INT(seen, 1);
	CHECK_INT(ops->ingest_seen(st, &feb, &seen, &err), 0);
	CHECK_INT(seen, 0);
	/* The same content read by another source, or by the same source
	 * with other settings, is another ingest. */
	{
		peil_ingest_entry other = jan;

		other.source = "buurtteam";
		CHECK_INT(ops->ingest_seen(st, &other, &seen, &err), 0);
		CHECK_INT(seen, 0);
		other = jan;
		other.settings_sha256 = "s2";
		CHECK_INT(ops->ingest_seen(st, &other, &seen, &err), 0);
		CHECK_INT(seen, 0);
	}
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "4d497d646928756f56878490517d24ada82433025a207b33e07f2f0eee747f38");

	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->ingest_log(st, &feb, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "3c8219b907ddbc9234160fbd2816fc29a6dc18a4b0f791b33a3e6df61cf44a7b");
	CHECK_INT(direct_int(path, "SELECT sum(rejected) FROM peil_ingest"), 3);
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->ingest_scan(st, history_ingest, &hist, &err), 0);
	CHECK_STR(hist.text, "1:/data/cases-2024-01.csv:120;"
			     "2:/data/cases-2024-02.csv:98;");

	peil_ingest_entry incomplete = jan;
	incomplete.path = NULL;
	CHECK(ops->ingest_log(st, &incomplete, &err) < 0);
	CHECK_STR(err.file, path);
	ops->close(st);

	st = store_open(path);	/* the same log gives the same fingerprint */
	CHECK(st != NULL);
	CHECK_INT(ops->inputs_fingerprint(st, fp, &err), 0);
	CHECK_STR(fp, "3c8219b907ddbc9234160fbd2816fc29a6dc18a4b0f791b33a3e6df61cf44a7b");
	ops->close(st);
}

/* ---------------------------------------------------------------- main */

/* ------------------------------------------------- change log, snapshots */

/* A schema-3 table of a dataset without a key reused rowids; opened now,
 * it is made anew with its rows under their old ids (1 and 3), and new
 * rows take ids never used (4, not 2). */
TEST(schema_3_table_without_key_migrates)
{
	static const peil_field fields[] = {
		{ "team", PEIL_TYPE_TEXT, 0 },
	};
	static const peil_schema log = { "visit_log", 1, fields };
	const char *path = db_path("migrate_keyless");
	void *st = store_open(path);
	peil_value row[1] = { v_text("Oost") };
	peil_error err;
	char buf[64];

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &log, &err), 0);
	ops->close(st);
	CHECK_INT(direct_exec(path, "DROP TRIGGER peil_chg_visit_log;"
				    " DROP TRIGGER peil_del_visit_log;"
				    " DROP TABLE ds_visit_log;"
				    " CREATE TABLE ds_visit_log (\"team\" TEXT);"
				    " INSERT INTO ds_visit_log VALUES ('Noord'),"
				    " ('Zuid'), ('West');"
				    " DELETE FROM ds_visit_log WHERE rowid = 2;"
				    " CREATE TRIGGER peil_add_visit_log AFTER INSERT"
				    " ON ds_visit_log BEGIN SELECT 1; END;"
				    " PRAGMA user_version = 3"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_STR(direct_text(path, "SELECT group_concat(\"peil.row\" || team,"
				    " ' ') FROM ds_visit_log", buf, sizeof(buf)),
		  "1Noord 3West");
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master WHERE"
				   " type = 'trigger'"), 2);
	CHECK_INT(ops->dataset_ensure(st, &log, &err), 0);
	CHECK_INT(ops->record_put(st, &log, row, &err), 0);
	CHECK_INT(direct_int(path, "SELECT max(rowid) FROM ds_visit_log"), 4);
	ops->close(st);
}

/* A store of schema version 2 gets the change log on open: the column
 * that holds which ingest added a row, and the triggers. */
TEST(schema_2_migrates)
{
	const char *path = db_path("migrate");
	void *st = store_open(path);
	struct changes ch;
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	ops->close(st);
	CHECK_INT(direct_exec(path, "DROP TRIGGER peil_chg_cases;"
				    " DROP TRIGGER peil_del_cases;"
				    " ALTER TABLE ds_cases DROP COLUMN \"peil.added\";"
				    " DROP TABLE peil_change;"
				    " ALTER TABLE peil_run DROP COLUMN last_ingest;"
				    " PRAGMA user_version = 2"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master WHERE"
				   " type = 'trigger'"), 2);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C9", "Noord", 19000, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	CHECK(run_now(ops, st, &err) > 0);
	memset(&ch, 0, sizeof(ch));
	CHECK_INT(ops->input_changes_scan(st, 0, 0, change_row, &ch, &err), 0);
	CHECK_STR(ch.text, "1:cases:C9:added:a.csv;");
	ops->close(st);
}

/* A store of schema version 3 logged each added row in peil_change, by a
 * trigger.  Opened now, the trigger goes, the log stays and still counts:
 * C1 added by ingest 1 (logged), C2 by ingest 2 (in its row), and the
 * snapshot of ingest 3 removes C1, whose adding the log holds already. */
/* A figure's size is kept and read back (schema 5, storage ops v8); a
 * store of schema 4 gets the column, its figures stored before without a
 * size (NaN). */
static int size_row(void *ctx, const peil_result *r)
{
	double *sizes = ctx;

	sizes[strcmp(r->kpi, "som") == 0] = r->size;
	return 0;
}

TEST(result_sizes_kept_and_schema_4_migrates)
{
	const char *path = db_path("sizes");
	void *st = store_open(path);
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-12-31",
			       "c", "s", "i", NULL, 0, NULL };
	peil_result r = { 0, "som", "2024", "{}", 40, NAN, NAN, NULL, 3, 0 };
	peil_result_query latest = { 0, NULL };
	double sizes[2] = { 0, 0 };
	int64_t run = 0;
	peil_error err;

	CHECK(st != NULL);
	CHECK(ops->keeps_result_size);
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	CHECK_INT(ops->result_put(st, run, &r, &err), 0);
	CHECK_INT(put_result(st, run, "aantal", "2024", "{}", 12, 12, NAN,
			     NULL), 0);		/* size NaN */
	CHECK_INT(ops->run_end(st, run, "ok", 1700000001, &err), 0);
	CHECK_INT(ops->results_scan(st, &latest, size_row, sizes, &err), 0);
	CHECK_DOUBLE(sizes[1], 3, 0);
	CHECK(isnan(sizes[0]));
	ops->close(st);
	CHECK_INT(results_v9(path, "(1, 'aantal', '2024', '{}', 12, 12,"
				   " NULL, NULL, NULL, 0), (1, 'som', '2024',"
				   " '{}', 40, NULL, NULL, NULL, 3, 0)",
			     "ALTER TABLE peil_result DROP COLUMN size;"
			     " PRAGMA user_version = 4"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	sizes[0] = sizes[1] = 0;
	CHECK_INT(ops->results_scan(st, &latest, size_row, sizes, &err), 0);
	CHECK(isnan(sizes[1]));
	CHECK(isnan(sizes[0]));
	ops->close(st);
}

TEST(schema_3_migrates)
{
	const char *path = db_path("migrate3");
	void *st = store_open(path);
	struct changes ch;
	int64_t run1, removed = 0;
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(ingest_done(ops, st, "a.csv", &err), 0);
	ops->close(st);
	CHECK_INT(direct_exec(path, "DROP TRIGGER peil_chg_cases;"
				    " DROP TRIGGER peil_del_cases;"
				    " ALTER TABLE ds_cases DROP COLUMN \"peil.added\";"
				    " INSERT INTO peil_change VALUES"
				    " (1, 'cases', 'C1', 'added');"
				    " CREATE TRIGGER peil_add_cases AFTER INSERT ON"
				    " ds_cases BEGIN SELECT 1; END;"
				    " PRAGMA user_version = 3"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master WHERE"
				   " name = 'peil_add_cases'"), 0);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(case_put(st, &cases, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ingest_done(ops, st, "b.csv", &err), 0);
	CHECK((run1 = run_now(ops, st, &err)) > 0);
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK_INT(ops->snapshot_begin(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C2", "Zuid", 19001, &err), 0);
	CHECK_INT(ops->snapshot_end(st, &cases, &removed, &err), 0);
	CHECK_INT(removed, 1);
	CHECK_INT(ingest_done(ops, st, "c.csv", &err), 0);
	CHECK(run_now(ops, st, &err) > 0);
	memset(&ch, 0, sizeof(ch));
	CHECK_INT(ops->input_changes_scan(st, 0, 0, change_row, &ch, &err), 0);
	CHECK_STR(ch.text, "1:cases:C1:added:a.csv;3:cases:C1:removed:c.csv;"
			   "2:cases:C2:added:b.csv;");
	memset(&ch, 0, sizeof(ch));
	CHECK_INT(ops->input_changes_scan(st, run1, 0, change_row, &ch, &err),
		  0);
	CHECK_STR(ch.text, "3:cases:C1:removed:c.csv;");
	ops->close(st);
}

TEST(backup_copies_the_store)
{
	const char *path = db_path("live");
	const char *copy = db_path("live-backup");
	void *st = store_open(path);
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->dataset_ensure(st, &cases, &err), 0);
	CHECK_INT(case_put(st, &cases, "C1", "Noord", 19000, &err), 0);
	CHECK_INT(ops->backup(st, copy, &err), 0);
	CHECK_INT(direct_int(copy, "SELECT count(*) FROM ds_cases"), 1);
	CHECK_INT(direct_int(copy, "PRAGMA user_version"), 11);
	CHECK(ops->backup(st, copy, &err) < 0);	/* never overwritten */
	CHECK_STR(err.file, copy);
	CHECK_CONTAINS(err.message, "exists already");
	ops->close(st);
}

static int final_2017(void *ctx, const char *period)
{
	(void)ctx;
	return strncmp(period, "2017", 4) == 0;
}

static int earlier_row(void *ctx, const peil_result *r)
{
	int *earlier = ctx;

	earlier[strcmp(r->period, "2017") == 0] = r->earlier;
	return 0;
}

/* Run 2 evaluated 2017 only to compare 2018 with (earlier): kept and
 * read back so, but no figure of run 2 for prune: run 1's 2017, the
 * latest of the runs' own, is kept when run 1 is pruned.  A store of
 * schema 5 gains the column, its figures earlier 0. */
TEST(earlier_figures_kept_apart)
{
	const char *path = db_path("earlier");
	void *st = store_open(path);
	int64_t runs[2], deleted_runs = -1, deleted_figures = -1;
	peil_prune prune = { runs, 1, final_2017, NULL };
	peil_result old = { 0, "k", "2017", "{}", 2, 2, NAN, NULL, 2, 1 };
	peil_result_query q = { 0, NULL };
	int earlier[2] = { -1, -1 };
	peil_error err;

	CHECK(st != NULL);
	CHECK(ops->keeps_earlier_figures);
	CHECK(ops->size >= PEIL_STORAGE_OPS_SIZE_V10);
	CHECK((runs[0] = run_now(ops, st, &err)) > 0);
	CHECK_INT(put_result(st, runs[0], "k", "2017", "{}", 1, NAN, NAN,
			     NULL), 0);
	CHECK((runs[1] = run_now(ops, st, &err)) > 0);
	CHECK_INT(ops->result_put(st, runs[1], &old, &err), 0);
	CHECK_INT(put_result(st, runs[1], "k", "2018", "{}", 3, NAN, NAN,
			     NULL), 0);
	q.run_id = runs[1];
	CHECK_INT(ops->results_scan(st, &q, earlier_row, earlier, &err), 0);
	CHECK_INT(earlier[1], 1);
	CHECK_INT(earlier[0], 0);
	CHECK_INT(ops->runs_prune(st, &prune, &deleted_runs, &deleted_figures,
				  &err), 0);
	CHECK_INT(deleted_runs, 0);
	CHECK_INT(deleted_figures, 0);
	q.run_id = runs[0];
	earlier[0] = earlier[1] = -1;
	CHECK_INT(ops->results_scan(st, &q, earlier_row, earlier, &err), 0);
	CHECK_INT(earlier[1], 0);	/* run 1's 2017 figure is there */
	CHECK_INT(direct_int(path, "SELECT figures FROM peil_figures"
				   " WHERE run_id = 1 AND period = '2017'"), 1);
	ops->close(st);
	q.run_id = runs[1];
	CHECK_INT(results_v9(path, "(1, 'k', '2017', '{}', 1, NULL, NULL,"
				   " NULL, NULL, 0), (2, 'k', '2017', '{}', 2,"
				   " 2, NULL, NULL, 2, 1), (2, 'k', '2018',"
				   " '{}', 3, NULL, NULL, NULL, NULL, 0)",
			     "ALTER TABLE peil_result DROP COLUMN"
			     " earlier; PRAGMA user_version = 5"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	earlier[0] = earlier[1] = -1;
	CHECK_INT(ops->results_scan(st, &q, earlier_row, earlier, &err), 0);
	CHECK_INT(earlier[1], 0);
	ops->close(st);
}

/* Schema version 7: each run's KPIs keep their definition (peil explain
 * --run N); a store of version 6 gets the column, NULL for the KPIs
 * recorded before. */
TEST(kpi_definitions_kept)
{
	struct history hist;
	const char *path = db_path("definitions");
	void *st = store_open(path);
	peil_run_kpi kpi = { "k", "K", "n", "k.lua", "abc", "ok", NULL,
			     "unit:        n\n" };
	peil_error err;
	int64_t run;

	CHECK(st != NULL);
	CHECK_INT(ops->keeps_kpi_definitions, 1);
	CHECK((run = run_now(ops, st, &err)) > 0);
	CHECK_INT(ops->run_kpi_put(st, run, &kpi, &err), 0);
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->run_kpis_scan(st, run, history_kpi, &hist, &err), 0);
	CHECK_STR(hist.text, "k:K:n:ok:unit:        n\n;");
	ops->close(st);
	CHECK_INT(direct_exec(path, "ALTER TABLE peil_run_kpi DROP COLUMN"
				    " definition; PRAGMA user_version = 6"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->run_kpis_scan(st, run, history_kpi, &hist, &err), 0);
	CHECK_STR(hist.text, "k:K:n:ok:-;");
	ops->close(st);
}

/* Schema version 9: peil_run.confirms and the ingested files' size,
 * time and inode (kept as the contract suite checks).  A store of
 * version 8 gets the columns when opened, its runs confirming none, its
 * files' sizes unknown (0). */
static int confirms_row(void *ctx, const peil_run_record *run)
{
	int64_t *confirms = ctx;

	confirms[run->id] = run->confirms;
	return 0;
}

static int file_row(void *ctx, const peil_ingest_entry *e)
{
	int64_t *file = ctx;

	file[0] = e->file_size;
	file[1] = e->file_mtime_ns;
	file[2] = e->file_inode;
	return 0;
}

/* Schema 11: the build that evaluated a run; a store of version 10
 * gets the column, NULL for its runs, and keeps the next run's. */
static int build_row(void *ctx, const peil_run_record *run)
{
	char *builds = ctx;

	builds[run->id] = run->build_sha256 ? run->build_sha256[0] : '-';
	return 0;
}

TEST(run_builds_schema_10_migrates)
{
	const char *path = db_path("builds");
	void *st = store_open(path);
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-12-31",
			       "c", "s", "i", NULL, 0, "b" };
	char builds[4] = "???";
	int64_t run = 0;
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	ops->close(st);
	CHECK_INT(direct_exec(path, "ALTER TABLE peil_run DROP COLUMN"
				    " build_sha256; PRAGMA user_version = 10"),
		  0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	info.build_sha256 = "c";
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	CHECK_INT(ops->runs_scan(st, 0, build_row, builds, &err), 0);
	CHECK_STR(builds, "?-c");	/* run 1 recorded before: none */
	ops->close(st);
}

TEST(run_confirms_schema_8_migrates)
{
	const char *path = db_path("confirms");
	void *st = store_open(path);
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-12-31",
			       "c", "s", "i", NULL, 0, NULL };
	peil_ingest_entry e = { "src", "cases", "/a.csv", "aa", 1, 0,
				1700000000, 0, NULL, 120, 1700000000123456789,
				4711 };
	int64_t run1 = 0, run2 = 0, confirms[3] = { -1, -1, -1 };
	int64_t file[3] = { -1, -1, -1 };
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(ops->ingest_log(st, &e, &err), 0);
	CHECK_INT(ops->run_begin(st, &info, &run1, &err), 0);
	CHECK_INT(ops->run_end(st, run1, "ok", 1700000001, &err), 0);
	info.confirms = run1;
	CHECK_INT(ops->run_begin(st, &info, &run2, &err), 0);
	CHECK_INT(ops->run_end(st, run2, "unchanged", 1700000002, &err), 0);
	CHECK_INT((int)run2, 2);
	ops->close(st);
	CHECK_INT(direct_int(path, "SELECT confirms FROM peil_run WHERE id = 2"),
		  1);
	CHECK_INT(direct_exec(path, "ALTER TABLE peil_run DROP COLUMN confirms;"
				    " ALTER TABLE peil_ingest DROP COLUMN"
				    " file_size;"
				    " ALTER TABLE peil_ingest DROP COLUMN"
				    " file_mtime_ns;"
				    " ALTER TABLE peil_ingest DROP COLUMN"
				    " file_inode;"
				    " PRAGMA user_version = 8"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM"
				   " pragma_table_info('peil_run')"
				   " WHERE name = 'confirms'"), 1);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM"
				   " pragma_table_info('peil_ingest')"
				   " WHERE name LIKE 'file_%'"), 3);
	CHECK_INT(ops->runs_scan(st, 0, confirms_row, confirms, &err), 0);
	CHECK_INT((int)confirms[1], 0);
	CHECK_INT((int)confirms[2], 0);
	CHECK_INT(ops->ingest_scan(st, file_row, file, &err), 0);
	CHECK(file[0] == 0 && file[1] == 0 && file[2] == 0);
	ops->close(st);
}

/* Schema version 8: a run keeps what it listed (peil cases); a store of
 * version 7 gets the column, NULL for the runs recorded before. */
TEST(run_listings_kept)
{
	struct history hist;
	const char *path = db_path("listings");
	void *st = store_open(path);
	peil_run_info info = { "cases", 1700000000, "2024-01-01", "2024-03-31",
			       "c", "s", "i", "k 2024-Q1 {} --all", 0, NULL };
	peil_error err;
	int64_t run = 0;

	CHECK(st != NULL);
	CHECK_INT(ops->keeps_run_listings, 1);
	CHECK_INT(ops->run_begin(st, &info, &run, &err), 0);
	memset(&hist, 0, sizeof(hist));
	CHECK_INT(ops->runs_scan(st, run, history_run, &hist, &err), 0);
	CHECK_STR(hist.listing, "k 2024-Q1 {} --all");
	CHECK_INT(ops->runs_scan(st, run_now(ops, st, &err), history_run, &hist,
				 &err), 0);
	CHECK_STR(hist.listing, "-");	/* a run that listed nothing */
	ops->close(st);
	CHECK_INT(direct_exec(path, "ALTER TABLE peil_run DROP COLUMN"
				    " listing; PRAGMA user_version = 7"), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(ops->runs_scan(st, run, history_run, &hist, &err), 0);
	CHECK_STR(hist.listing, "-");
	ops->close(st);
}

/* Every field of each figure read: "kpi|period|breakdown|value|numerator|
 * denominator|status|size|earlier;", numbers by %.17g, a NULL status
 * "-". */
struct figures_text {
	char text[2048];
};

static int figures_text_row(void *ctx, const peil_result *r)
{
	struct figures_text *f = ctx;
	size_t len = strlen(f->text);

	snprintf(f->text + len, sizeof(f->text) - len,
		 "%s|%s|%s|%.17g|%.17g|%.17g|%s|%.17g|%d;", r->kpi, r->period,
		 r->breakdown, r->value, r->numerator, r->denominator,
		 r->status ? r->status : "-", r->size, r->earlier);
	return 0;
}

/* The figures of run (of kpi, when not NULL) as figures_text_row writes
 * them, into f; the return of results_scan. */
static int figures_read(void *st, int64_t run, const char *kpi,
			struct figures_text *f, peil_error *err)
{
	peil_result_query q = { run, kpi };

	memset(f, 0, sizeof(*f));
	return ops->results_scan(st, &q, figures_text_row, f, err);
}

/* Schema version 10: a store of version 9 keeps a row per figure in
 * peil_result; opened, they are packed a row per run, KPI and period in
 * peil_figures and peil_result goes.  Read back field for field as
 * version 9 read them: texts (a NULL status and an empty one apart, a
 * breakdown in UTF-8), missing numbers, sizes, earlier, -0 as 0 (which
 * SQLite's REAL column made of it); in the order of KPI, period and
 * breakdown byte by byte. */
TEST(schema_9_figures_packed_when_opened)
{
	const char *path = db_path("packed9");
	void *st = store_open(path);
	struct figures_text f;
	peil_result more = { 0, "b", "2018-01", "{\"team\":\"Zuid\"}", 9, NAN,
			     NAN, NULL, NAN, 0 };
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(run_now(ops, st, &err), 1);
	CHECK_INT(run_now(ops, st, &err), 2);
	ops->close(st);
	CHECK_INT(results_v9(path,
			     "(1, 'b', '2018-01', '{\"team\":\"Zuid\"}', 2.5, 5,"
			     " 2, 'met', 5, 0), (1, 'b', '2018-01',"
			     " '{\"team\":\"Noord\"}', NULL, 0, 0, NULL, 0, 0),"
			     " (1, 'b', '2018-01', '{}', 7, 7, NULL, NULL, 7,"
			     " 0), (1, 'a', '2018-02', '{}', 0.1, NULL, NULL,"
			     " '', NULL, 0), (1, 'a', '2017-12',"
			     " '{\"team\":\"Zuid-Oost é\"}', -0.0, NULL, NULL,"
			     " NULL, NULL, 1), (2, 'b', '2018-01', '{}', 8,"
			     " NULL, NULL, NULL, NULL, 0)", ""), 0);
	st = store_open(path);
	CHECK(st != NULL);
	CHECK_INT(direct_int(path, "PRAGMA user_version"), 11);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM sqlite_master"
				   " WHERE name = 'peil_result'"), 0);
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_figures"), 4);
	CHECK_INT(direct_int(path, "SELECT sum(figures) FROM peil_figures"), 6);
	CHECK_INT(figures_read(st, 1, NULL, &f, &err), 0);
	CHECK_STR(f.text,
		  "a|2017-12|{\"team\":\"Zuid-Oost é\"}|0|nan|nan|-|nan|1;"
		  "a|2018-02|{}|0.10000000000000001|nan|nan||nan|0;"
		  "b|2018-01|{\"team\":\"Noord\"}|nan|0|0|-|0|0;"
		  "b|2018-01|{\"team\":\"Zuid\"}|2.5|5|2|met|5|0;"
		  "b|2018-01|{}|7|7|nan|-|7|0;");
	CHECK_INT(figures_read(st, 2, "b", &f, &err), 0);
	CHECK_STR(f.text, "b|2018-01|{}|8|nan|nan|-|nan|0;");
	CHECK_INT(figures_read(st, 1, "c", &f, &err), 0);
	CHECK_STR(f.text, "");
	/* A figure added to a migrated row joins it in order. */
	CHECK_INT(ops->result_put(st, 2, &more, &err), 0);
	CHECK_INT(figures_read(st, 2, NULL, &f, &err), 0);
	CHECK_STR(f.text, "b|2018-01|{\"team\":\"Zuid\"}|9|nan|nan|-|nan|0;"
			  "b|2018-01|{}|8|nan|nan|-|nan|0;");
	ops->close(st);
}

/* results_put in any order: a row per KPI and period, its figures in
 * breakdown order, the last of a breakdown kept (NULL is "{}"); a later
 * put merges into the row, replacing a breakdown it has. */
TEST(figures_put_merge_in_breakdown_order)
{
	const char *path = db_path("packed");
	void *st = store_open(path);
	struct figures_text f;
	peil_result rows[] = {
		{ 0, "k", "2018-02", "{\"t\":\"b\"}", 1, NAN, NAN, NULL, NAN,
		  0 },
		{ 0, "k", "2018-01", "{\"t\":\"b\"}", 2, NAN, NAN, NULL, NAN,
		  0 },
		{ 0, "j", "2018-01", NULL, -0.0, -0.0, 3, "x", 4, 1 },
		{ 0, "k", "2018-01", "{\"t\":\"a\"}", 3, NAN, NAN, NULL, NAN,
		  0 },
		{ 0, "k", "2018-01", "{\"t\":\"b\"}", 4, NAN, NAN, NULL, NAN,
		  0 },
	};
	peil_result later[] = {
		{ 0, "k", "2018-01", "{\"t\":\"c\"}", 5, NAN, NAN, NULL, NAN,
		  0 },
		{ 0, "k", "2018-01", "{\"t\":\"a\"}", 6, NAN, NAN, NULL, NAN,
		  0 },
	};
	peil_result first = { 0, "k", "2018-01", "{\"t\":\"0\"}", 7, NAN, NAN,
			      NULL, NAN, 0 };
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(run_now(ops, st, &err), 1);
	CHECK_INT(ops->results_put(st, 1, rows, 5, &err), 0);
	CHECK_INT(figures_read(st, 1, NULL, &f, &err), 0);
	CHECK_STR(f.text, "j|2018-01|{}|0|0|3|x|4|1;"
			  "k|2018-01|{\"t\":\"a\"}|3|nan|nan|-|nan|0;"
			  "k|2018-01|{\"t\":\"b\"}|4|nan|nan|-|nan|0;"
			  "k|2018-02|{\"t\":\"b\"}|1|nan|nan|-|nan|0;");
	CHECK_INT(direct_int(path, "SELECT count(*) FROM peil_figures"), 3);
	CHECK_INT(direct_int(path, "SELECT figures FROM peil_figures"
				   " WHERE kpi = 'k' AND period = '2018-01'"),
		  2);
	CHECK_INT(ops->results_put(st, 1, later, 2, &err), 0);
	CHECK_INT(ops->result_put(st, 1, &first, &err), 0);
	CHECK_INT(figures_read(st, 1, "k", &f, &err), 0);
	CHECK_STR(f.text, "k|2018-01|{\"t\":\"0\"}|7|nan|nan|-|nan|0;"
			  "k|2018-01|{\"t\":\"a\"}|6|nan|nan|-|nan|0;"
			  "k|2018-01|{\"t\":\"b\"}|4|nan|nan|-|nan|0;"
			  "k|2018-01|{\"t\":\"c\"}|5|nan|nan|-|nan|0;"
			  "k|2018-02|{\"t\":\"b\"}|1|nan|nan|-|nan|0;");
	CHECK_INT(direct_int(path, "SELECT figures FROM peil_figures"
				   " WHERE kpi = 'k' AND period = '2018-01'"),
		  4);
	ops->close(st);
}

/* A results_put that fails on its way (here a trigger refuses the row
 * of KPI z, after that of KPI a was written) stores none of its figures
 * and leaves the figures before it; outside a batch too. */
TEST(figures_put_whole_or_not_at_all)
{
	const char *path = db_path("packed-fail");
	void *st = store_open(path);
	struct figures_text f;
	peil_result before = { 0, "k", "2018-01", "{}", 1, NAN, NAN, NULL,
			       NAN, 0 };
	peil_result rows[] = {
		{ 0, "a", "2018-01", "{}", 2, NAN, NAN, NULL, NAN, 0 },
		{ 0, "k", "2018-01", "{}", 5, NAN, NAN, NULL, NAN, 0 },
		{ 0, "z", "2018-01", "{}", 3, NAN, NAN, NULL, NAN, 0 },
	};
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(run_now(ops, st, &err), 1);
	CHECK_INT(ops->result_put(st, 1, &before, &err), 0);
	CHECK_INT(direct_exec(path, "CREATE TRIGGER test_refuse BEFORE INSERT"
				    " ON peil_figures WHEN NEW.kpi = 'z' BEGIN"
				    " SELECT RAISE(ABORT, 'injected'); END"),
		  0);
	CHECK(ops->results_put(st, 1, rows, 3, &err) < 0);
	CHECK_CONTAINS(err.message, "injected");
	CHECK_INT(figures_read(st, 1, NULL, &f, &err), 0);
	CHECK_STR(f.text, "k|2018-01|{}|1|nan|nan|-|nan|0;");
	CHECK_INT(ops->batch_begin(st, &err), 0);
	CHECK(ops->results_put(st, 1, rows, 3, &err) < 0);
	CHECK_INT(ops->results_put(st, 1, rows, 2, &err), 0);
	CHECK_INT(ops->batch_commit(st, &err), 0);
	CHECK_INT(figures_read(st, 1, NULL, &f, &err), 0);
	CHECK_STR(f.text, "a|2018-01|{}|2|nan|nan|-|nan|0;"
			  "k|2018-01|{}|5|nan|nan|-|nan|0;");
	ops->close(st);
}

/* A row of figures whose bytes are not what was written (its count, cut
 * short, another format, a byte too many) is refused loudly, naming the
 * KPI, period and run, and gives none of its figures; a put into it is
 * refused too. */
TEST(damaged_figures_refused)
{
	static const char *const damage[] = {
		"UPDATE peil_figures SET figures = 3",
		"UPDATE peil_figures SET figures = 1",
		"UPDATE peil_figures SET cells = substr(cells, 1,"
		" length(cells) - 1)",
		"UPDATE peil_figures SET cells = x'02' || substr(cells, 2)",
		"UPDATE peil_figures SET cells = cells || x'00'",
		"UPDATE peil_figures SET cells = 'text'",
	};
	const char *path = db_path("packed-damaged");
	void *st = store_open(path);
	struct figures_text f;
	peil_result rows[] = {
		{ 0, "k", "2018-01", "{\"t\":\"a\"}", 1, NAN, NAN, "met", NAN,
		  0 },
		{ 0, "k", "2018-01", "{\"t\":\"b\"}", 2, 1, 2, NULL, 3, 0 },
	};
	peil_error err;

	CHECK(st != NULL);
	CHECK_INT(run_now(ops, st, &err), 1);
	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		CHECK_INT(ops->results_put(st, 1, rows, 2, &err), 0);
		CHECK_INT(figures_read(st, 1, NULL, &f, &err), 0);
		CHECK_STR(f.text, "k|2018-01|{\"t\":\"a\"}|1|nan|nan|met|nan|0;"
				  "k|2018-01|{\"t\":\"b\"}|2|1|2|-|3|0;");
		CHECK_INT(direct_exec(path, damage[i]), 0);
		CHECK(figures_read(st, 1, NULL, &f, &err) < 0);
		CHECK_CONTAINS(err.message, "KPI k, period 2018-01 of run 1"
					    " are damaged");
		CHECK_STR(err.field, "");	/* a KPI is no column */
		CHECK_STR(f.text, "");
		CHECK(ops->results_put(st, 1, rows, 1, &err) < 0);
		CHECK_CONTAINS(err.message, "damaged");
		CHECK_INT(direct_exec(path, "DELETE FROM peil_figures"), 0);
	}
	ops->close(st);
}

int main(void)
{
	peil_plugin_entry_fn entry;
	void *dl;
	int rc;

	dl = dlopen(PEIL_SQLITE_PLUGIN, RTLD_NOW | RTLD_LOCAL);
	if (dl == NULL) {
		printf("dlopen %s: %s\n", PEIL_SQLITE_PLUGIN, dlerror());
		return 1;
	}
	*(void **)(&entry) = dlsym(dl, PEIL_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL) {
		printf("dlsym %s: %s\n", PEIL_PLUGIN_ENTRY_SYMBOL, dlerror());
		return 1;
	}
	plugin = entry();
	ops = plugin->storage;
	tmpdir = harness_tmp();

	RUN(descriptor);
	RUN(open_needs_path);
	RUN(open_missing_directory_names_path);
	RUN(open_not_a_database_names_path);
	RUN(open_bad_busy_timeout);
	RUN(open_cache_size);
	RUN(schema_created_and_reopened);
	RUN(newer_schema_version_refused);
	RUN(foreign_database_refused);
	RUN(version_1_store_is_migrated);
	RUN(close_accepts_null);
	RUN(batch_is_atomic);
	RUN(second_writer_waits_then_fails);
	RUN(load_takes_the_store_and_gives_it_back);
	RUN(load_beside_a_reader_stays_in_wal);
	RUN(existing_store_keeps_its_page_size);
	RUN(dataset_ensure_rolls_back_with_batch);
	RUN(schema_change);
	RUN(invalid_names_refused);
	RUN(scan_filters);
	RUN(scan_values_are_data);
	RUN(scan_projection_and_types);
	RUN(scan_tells_zero_from_null);
	RUN(scan_holds_the_page_cache_and_sets_it_back);
	RUN(scan_stops_and_errors);
	RUN(text_round_trip);
	RUN(runs_and_results);
	RUN(ingest_log_and_fingerprint);
	RUN(schema_2_migrates);
	RUN(schema_3_table_without_key_migrates);
	RUN(schema_3_migrates);
	RUN(result_sizes_kept_and_schema_4_migrates);
	RUN(backup_copies_the_store);
	RUN(earlier_figures_kept_apart);
	RUN(kpi_definitions_kept);
	RUN(run_listings_kept);
	RUN(run_confirms_schema_8_migrates);
	RUN(run_builds_schema_10_migrates);
	RUN(schema_9_figures_packed_when_opened);
	RUN(figures_put_merge_in_breakdown_order);
	RUN(figures_put_whole_or_not_at_all);
	RUN(damaged_figures_refused);

	rc = harness_done();
	dlclose(dl);
	return rc;
}
