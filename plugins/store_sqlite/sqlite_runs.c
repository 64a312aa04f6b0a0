/*
 * sqlite_runs.c - the ingest log and its fingerprint, evaluation runs and
 * their results.
 *
 * A run is recorded as "running" and committed before anything else is
 * written, so that a run that crashes stays visible as one that never
 * ended; "the latest run" is the latest that ended with its figures
 * recorded ("ok" or "kpi failed"), so that a run that failed or was
 * interrupted does not hide the figures of the one before.
 * A missing number (NaN) is stored as NULL and read back as NaN.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sqlite_store.h"

/* Bind text, or NULL for a NULL pointer.  SQLITE_STATIC: every statement
 * here is stepped and reset before its function returns. */
static int bind_text(sqlite3_stmt *stmt, int col, const char *text)
{
	return sqlite3_bind_text(stmt, col, text, -1, SQLITE_STATIC);
}

/* Step a write statement once, then reset it for its next use. */
static int step_done(struct store *st, sqlite3_stmt *stmt, peil_error *err,
		     const char *field, const char *what)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE) {
		store_fail_db(st, err, field, what);
		sqlite3_reset(stmt);
		return -1;
	}
	sqlite3_reset(stmt);
	return 0;
}

static double column_number(sqlite3_stmt *stmt, int col)
{
	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(stmt, col);
}

/* ---------------------------------------------------------- ingest log */

int store_ingest_seen(void *state, const peil_ingest_entry *probe,
		      int *seen, peil_error *err)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM peil_ingest WHERE sha256 = ?1"
		" AND source = ?2 AND settings_sha256 IS ?3)";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	*seen = 0;
	if (probe == NULL || probe->sha256 == NULL || probe->source == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "ingest_seen without a source and hash");
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot read the ingest log");
	bind_text(stmt, 1, probe->sha256);
	bind_text(stmt, 2, probe->source);
	bind_text(stmt, 3, probe->settings_sha256);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*seen = sqlite3_column_int(stmt, 0);
	else
		store_fail_db(st, err, NULL, "cannot read the ingest log");
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
}

int store_ingest_log(void *state, const peil_ingest_entry *entry,
		     peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_ingest (source, dataset, path, sha256,"
		" \"rows\", rejected, at, settings_sha256, id, file_size,"
		" file_mtime_ns, file_inode)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, nullif(?, 0),"
		" nullif(?, 0), nullif(?, 0))";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	if (entry == NULL || entry->source == NULL ||
	    entry->dataset == NULL || entry->path == NULL ||
	    entry->sha256 == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "an ingest log entry needs a source, "
				     "dataset, path and hash");
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot write the ingest log");
	bind_text(stmt, 1, entry->source);
	bind_text(stmt, 2, entry->dataset);
	bind_text(stmt, 3, entry->path);
	bind_text(stmt, 4, entry->sha256);
	sqlite3_bind_int64(stmt, 5, entry->rows);
	sqlite3_bind_int64(stmt, 6, entry->rejected);
	sqlite3_bind_int64(stmt, 7, entry->at);
	bind_text(stmt, 8, entry->settings_sha256);
	/* In a batch, the id its rows were stored under (batch_begin). */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_bind_int64(stmt, 9, st->batch_ingest);
	sqlite3_bind_int64(stmt, 10, entry->file_size);
	sqlite3_bind_int64(stmt, 11, entry->file_mtime_ns);
	sqlite3_bind_int64(stmt, 12, entry->file_inode);
	rc = step_done(st, stmt, err, NULL, "cannot write the ingest log");
	sqlite3_finalize(stmt);
	return rc;
}

/* SHA-256 over the log in id order: for each entry, source, dataset, path,
 * sha256 and rows (decimal), each followed by a NUL byte.  The NULs make
 * the encoding unambiguous, as no field can hold one; when the entry was
 * logged and what it rejected do not change which data went in. */
int store_inputs_fingerprint(void *state, char out[65], peil_error *err)
{
	static const char sql[] =
		"SELECT source, dataset, path, sha256, \"rows\""
		" FROM peil_ingest ORDER BY id";
	static const char hex[] = "0123456789abcdef";
	struct store *st = state;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0, i;
	sqlite3_stmt *stmt = NULL;
	EVP_MD_CTX *md;
	char rows[32];
	int step = SQLITE_DONE, col, ok, rc = -1;

	out[0] = '\0';
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		st->svc->fail(err, st->path, 0, NULL,
			      "cannot start SHA-256 (libcrypto)");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		store_fail_db(st, err, NULL, "cannot read the ingest log");
		goto out;
	}
	ok = 1;
	while (ok && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (col = 0; col < 4; col++) {
			const unsigned char *text =
				sqlite3_column_text(stmt, col);
			size_t len = (size_t)sqlite3_column_bytes(stmt, col);

			ok = ok && EVP_DigestUpdate(md, text ? text
						    : (const unsigned char *)"",
						    len) == 1 &&
			     EVP_DigestUpdate(md, "", 1) == 1;
		}
		snprintf(rows, sizeof(rows), "%" PRId64,
			 (int64_t)sqlite3_column_int64(stmt, 4));
		ok = ok && EVP_DigestUpdate(md, rows, strlen(rows) + 1) == 1;
	}
	if (!ok || EVP_DigestFinal_ex(md, digest, &digest_len) != 1 ||
	    digest_len != 32) {
		st->svc->fail(err, st->path, 0, NULL,
			      "SHA-256 failed (libcrypto)");
		goto out;
	}
	if (step != SQLITE_DONE) {
		store_fail_db(st, err, NULL, "cannot read the ingest log");
		goto out;
	}
	for (i = 0; i < digest_len; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
	rc = 0;
out:
	sqlite3_finalize(stmt);
	EVP_MD_CTX_free(md);
	return rc;
}

/* ----------------------------------------------------------------- runs */

/* Outside any batch: the row must be committed before the run does
 * anything, or a crash would take the evidence of the run with it. */
int store_run_begin(void *state, const peil_run_info *info, int64_t *run_id,
		    peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_run (kind, started, status, period_from,"
		" period_to, config_sha256, scripts_sha256, inputs_sha256,"
		" last_ingest, listing, confirms) VALUES (?, ?, 'running', ?, ?,"
		" ?, ?, ?, (SELECT coalesce(max(id), 0) FROM peil_ingest), ?,"
		" nullif(?, 0))";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	*run_id = 0;
	if (info == NULL || info->kind == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "run_begin needs the kind of run");
	if (!sqlite3_get_autocommit(st->db))
		return st->svc->fail(err, st->path, 0, NULL,
				     "run_begin inside a batch: a run is "
				     "recorded on its own, before its batch");
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot record the run");
	bind_text(stmt, 1, info->kind);
	sqlite3_bind_int64(stmt, 2, info->started);
	bind_text(stmt, 3, info->period_from);
	bind_text(stmt, 4, info->period_to);
	bind_text(stmt, 5, info->config_sha256);
	bind_text(stmt, 6, info->scripts_sha256);
	bind_text(stmt, 7, info->inputs_sha256);
	bind_text(stmt, 8, info->listing);
	sqlite3_bind_int64(stmt, 9, info->confirms);
	rc = step_done(st, stmt, err, NULL, "cannot record the run");
	if (rc == 0)
		*run_id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(stmt);
	return rc;
}

int store_run_kpi_put(void *state, int64_t run_id, const peil_run_kpi *kpi,
		      peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_run_kpi (run_id, kpi, title, unit, script,"
		" script_sha256, status, message, definition)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (run_id, kpi) DO UPDATE SET"
		" title = excluded.title, unit = excluded.unit,"
		" script = excluded.script,"
		" script_sha256 = excluded.script_sha256,"
		" status = excluded.status, message = excluded.message,"
		" definition = excluded.definition";
	struct store *st = state;
	sqlite3_stmt *stmt;

	if (kpi == NULL || kpi->kpi == NULL || kpi->status == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "run_kpi_put needs a KPI id and status");
	if (st->run_kpi_put == NULL &&
	    store_prepare_persistent(st, err, sql, &st->run_kpi_put,
				     "cannot record the KPI") < 0)
		return -1;
	stmt = st->run_kpi_put;
	sqlite3_bind_int64(stmt, 1, run_id);
	bind_text(stmt, 2, kpi->kpi);
	bind_text(stmt, 3, kpi->title);
	bind_text(stmt, 4, kpi->unit);
	bind_text(stmt, 5, kpi->script);
	bind_text(stmt, 6, kpi->script_sha256);
	bind_text(stmt, 7, kpi->status);
	bind_text(stmt, 8, kpi->message);
	bind_text(stmt, 9, kpi->definition);
	return step_done(st, stmt, err, kpi->kpi, "cannot record the KPI");
}

/* The columns of a figure and the statement that stores RESULTS_CHUNK of
 * them in one step: one execution inserts the rows one after another
 * with the table's cursor held, where a statement per figure seeks it
 * from the root of peil_result each time (about 5 700 instructions of
 * the 14 500 a figure cost at 1M cases; with 64 a statement a figure
 * cost 9 000, with 1024 7 000). */
#define RESULT_COLUMNS 10
#define RESULTS_CHUNK 1024
#define RESULT_COLUMNS_SQL                                                 \
	"INSERT INTO peil_result (run_id, kpi, period, breakdown, value,"  \
	" numerator, denominator, status, size, earlier) VALUES"
#define RESULT_UPSERT_SQL                                                  \
	" ON CONFLICT (run_id, kpi, period, breakdown) DO UPDATE SET"       \
	" value = excluded.value, numerator = excluded.numerator,"         \
	" denominator = excluded.denominator, status = excluded.status,"    \
	" size = excluded.size, earlier = excluded.earlier"

static int result_check(struct store *st, const peil_result *result,
			const char *op, peil_error *err)
{
	if (result == NULL || result->kpi == NULL || result->period == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "%s needs a KPI id and period", op);
	return 0;
}

/* Bind result as the figure whose columns start at parameter col + 1.  A
 * NULL breakdown is stored as "{}", the total: the breakdown is part of
 * the key, and a NULL there would make every total a different row. */
static void result_bind(sqlite3_stmt *stmt, int col, int64_t run_id,
			const peil_result *result)
{
	const double numbers[4] = { result->value, result->numerator,
				    result->denominator, result->size };

	sqlite3_bind_int64(stmt, col + 1, run_id);
	bind_text(stmt, col + 2, result->kpi);
	bind_text(stmt, col + 3, result->period);
	bind_text(stmt, col + 4, result->breakdown ? result->breakdown : "{}");
	for (int i = 0; i < 4; i++) {
		int at = col + (i < 3 ? 5 + i : 9);

		if (isnan(numbers[i]))
			sqlite3_bind_null(stmt, at);
		else
			sqlite3_bind_double(stmt, at, numbers[i]);
	}
	bind_text(stmt, col + 8, result->status);
	sqlite3_bind_int(stmt, col + 10, result->earlier != 0);
}

/* The figures a statement stores: RESULTS_CHUNK, fewer when SQLite was
 * built to take fewer parameters (1: one by one). */
static size_t results_chunk(struct store *st)
{
	int limit = sqlite3_limit(st->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	size_t n = limit > 0 ? (size_t)limit / RESULT_COLUMNS : 1;

	return n < RESULTS_CHUNK ? n : RESULTS_CHUNK;
}

/* The statement storing n figures (1 or results_chunk), prepared once. */
static sqlite3_stmt *results_stmt(struct store *st, size_t n, peil_error *err)
{
	static const char row[] = " (?,?,?,?,?,?,?,?,?,?)";
	sqlite3_stmt **stmt = n == 1 ? &st->result_put : &st->results_put;
	char *sql, *at;
	int rc;

	if (*stmt)
		return *stmt;
	sql = malloc(sizeof(RESULT_COLUMNS_SQL) + n * sizeof(row) +
		     sizeof(RESULT_UPSERT_SQL));
	if (!sql) {
		st->svc->fail(err, st->path, 0, NULL, "out of memory");
		return NULL;
	}
	memcpy(sql, RESULT_COLUMNS_SQL, sizeof(RESULT_COLUMNS_SQL) - 1);
	at = sql + sizeof(RESULT_COLUMNS_SQL) - 1;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*at++ = ',';
		memcpy(at, row, sizeof(row) - 1);
		at += sizeof(row) - 1;
	}
	memcpy(at, RESULT_UPSERT_SQL, sizeof(RESULT_UPSERT_SQL));
	rc = store_prepare_persistent(st, err, sql, stmt,
				      "cannot store the result");
	free(sql);
	return rc < 0 ? NULL : *stmt;
}

int store_result_put(void *state, int64_t run_id, const peil_result *result,
		     peil_error *err)
{
	struct store *st = state;
	sqlite3_stmt *stmt;

	if (result_check(st, result, "result_put", err) < 0 ||
	    !(stmt = results_stmt(st, 1, err)))
		return -1;
	result_bind(stmt, 0, run_id, result);
	return step_done(st, stmt, err, result->kpi,
			 "cannot store the result");
}

/* As result_put of each in turn (a later figure of the same key replaces
 * an earlier one), results_chunk figures a step; the rest one by one. */
int store_results_put(void *state, int64_t run_id, const peil_result *rows,
		      size_t n, peil_error *err)
{
	struct store *st = state;
	size_t chunk = results_chunk(st), i = 0;

	for (size_t j = 0; j < n; j++)
		if (result_check(st, &rows[j], "results_put", err) < 0)
			return -1;
	for (; chunk > 1 && n - i >= chunk; i += chunk) {
		sqlite3_stmt *stmt = results_stmt(st, chunk, err);

		if (!stmt)
			return -1;
		for (size_t j = 0; j < chunk; j++)
			result_bind(stmt, (int)j * RESULT_COLUMNS, run_id,
				    &rows[i + j]);
		if (step_done(st, stmt, err, rows[i].kpi,
			      "cannot store the result") < 0)
			return -1;
	}
	for (; i < n; i++)
		if (store_result_put(st, run_id, &rows[i], err) < 0)
			return -1;
	return 0;
}

/* One statement: the figures never leave the database. */
int store_results_copy(void *state, int64_t from_run, int64_t to_run,
		       const char *kpi, peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_result (run_id, kpi, period, breakdown,"
		" value, numerator, denominator, status, size, earlier)"
		" SELECT ?2, kpi, period, breakdown, value, numerator,"
		" denominator, status, size, earlier FROM peil_result"
		" WHERE run_id = ?1 AND kpi = ?3";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	if (kpi == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "results_copy needs a KPI id");
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, kpi, "cannot copy the figures");
	sqlite3_bind_int64(stmt, 1, from_run);
	sqlite3_bind_int64(stmt, 2, to_run);
	bind_text(stmt, 3, kpi);
	rc = step_done(st, stmt, err, kpi, "cannot copy the figures");
	sqlite3_finalize(stmt);
	return rc;
}

int store_run_end(void *state, int64_t run_id, const char *status,
		  int64_t ended, peil_error *err)
{
	static const char sql[] =
		"UPDATE peil_run SET status = ?, ended = ? WHERE id = ?";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	if (status == NULL || strcmp(status, "running") == 0)
		return st->svc->fail(err, st->path, 0, NULL,
				     "run_end needs a final status");
	if (store_file_same(st, "cannot end the run", err) < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot end the run");
	bind_text(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, ended);
	sqlite3_bind_int64(stmt, 3, run_id);
	rc = step_done(st, stmt, err, NULL, "cannot end the run");
	sqlite3_finalize(stmt);
	if (rc == 0 && sqlite3_changes(st->db) == 0)
		rc = st->svc->fail(err, st->path, 0, NULL,
				   "cannot end run %" PRId64 ": no such run",
				   run_id);
	return rc;
}

/* ------------------------------------------------------------- results */

/* The run to read: run_id itself when it exists, else the latest ended
 * one; 0 in *found when there is none. */
static int results_run(struct store *st, int64_t run_id, int64_t *found,
		       peil_error *err)
{
	static const char latest[] =
		"SELECT id FROM peil_run WHERE status IN ('ok', 'kpi failed')"
		" ORDER BY id DESC LIMIT 1";
	static const char given[] = "SELECT id FROM peil_run WHERE id = ?";
	int any;

	if (store_query_int64(st, run_id ? given : latest, run_id != 0, run_id,
			      found, &any, err, "cannot read the runs") < 0)
		return -1;
	if (run_id && *found == 0)
		return st->svc->fail(err, st->path, 0, NULL,
				     "no run %" PRId64, run_id);
	return 0;
}

struct results_call {
	int (*fn)(void *ctx, const peil_result *result);
	void *ctx;
	int64_t run_id;
};

static int result_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct results_call *call = ctx;
	peil_result r = {
		.run_id = call->run_id,
		.kpi = store_column_text(stmt, 0),
		.period = store_column_text(stmt, 1),
		.breakdown = store_column_text(stmt, 2),
		.value = column_number(stmt, 3),
		.numerator = column_number(stmt, 4),
		.denominator = column_number(stmt, 5),
		.status = store_column_text(stmt, 6),
		.size = column_number(stmt, 7),
		.earlier = sqlite3_column_int(stmt, 8),
	};

	return call->fn(call->ctx, &r);
}

/* Strings given to fn point into SQLite's row: valid only during the
 * call.  A nonzero return from fn stops the scan and is returned. */
int store_results_scan(void *state, const peil_result_query *query,
		       int (*fn)(void *ctx, const peil_result *result),
		       void *ctx, peil_error *err)
{
	/* A store of schema version 4 opened read-only has no size, one of
	 * version 4 or 5 no earlier. */
	static const char *const sql[2][2][2] = {
		{ { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, earlier FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, earlier FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" },
		  { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, 0 FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, size, 0 FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" } },
		{ { NULL, NULL },
		  { "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, NULL, 0 FROM peil_result"
		    " WHERE run_id = ?1 ORDER BY kpi, period, breakdown",
		    "SELECT kpi, period, breakdown, value, numerator,"
		    " denominator, status, NULL, 0 FROM peil_result"
		    " WHERE run_id = ?1 AND kpi = ?2"
		    " ORDER BY kpi, period, breakdown" } },
	};
	struct store *st = state;
	int v4 = store_table_lacks(st, "peil_result", "size");
	int v5 = v4 || store_table_lacks(st, "peil_result", "earlier");
	const char *kpi = query ? query->kpi : NULL;
	struct results_call call = { fn, ctx, 0 };
	sqlite3_stmt *stmt;

	if (results_run(st, query ? query->run_id : 0, &call.run_id, err) < 0)
		return -1;
	if (call.run_id == 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, sql[v4 != 0][v5 != 0][kpi != NULL],
			       -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot read the results");
	sqlite3_bind_int64(stmt, 1, call.run_id);
	if (kpi)
		bind_text(stmt, 2, kpi);
	return store_rows_each(st, stmt, result_row, &call, err,
			       "cannot read the results");
}

/* ------------------------------------------------------------ history */

struct runs_call {
	int (*fn)(void *ctx, const peil_run_record *run);
	void *ctx;
	int seen;
};

static int run_row(void *ctx, sqlite3_stmt *stmt)
{
	struct runs_call *call = ctx;
	peil_run_record run = {
		.id = sqlite3_column_int64(stmt, 0),
		.kind = store_column_text(stmt, 1),
		.started = sqlite3_column_int64(stmt, 2),
		.ended = sqlite3_column_int64(stmt, 3),
		.status = store_column_text(stmt, 4),
		.period_from = store_column_text(stmt, 5),
		.period_to = store_column_text(stmt, 6),
		.config_sha256 = store_column_text(stmt, 7),
		.scripts_sha256 = store_column_text(stmt, 8),
		.inputs_sha256 = store_column_text(stmt, 9),
		.listing = store_column_text(stmt, 10),
		.confirms = sqlite3_column_int64(stmt, 11),
	};

	call->seen = 1;
	return call->fn(call->ctx, &run);
}

int store_runs_scan(void *state, int64_t run_id,
		    int (*fn)(void *ctx, const peil_run_record *run), void *ctx,
		    peil_error *err)
{
	/* A read-only store of schema version 7 or before has no listings,
	 * one of version 8 or before no confirmations. */
#define RUNS_SELECT \
	"SELECT id, kind, started, ended, status, period_from, period_to," \
	" config_sha256, scripts_sha256, inputs_sha256, "
#define RUNS_WHERE " FROM peil_run WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC"
	static const char sql[] = RUNS_SELECT "listing, confirms" RUNS_WHERE;
	static const char sql_v8[] = RUNS_SELECT "listing, 0" RUNS_WHERE;
	static const char sql_v7[] = RUNS_SELECT "NULL, 0" RUNS_WHERE;
#undef RUNS_SELECT
#undef RUNS_WHERE
	struct store *st = state;
	struct runs_call call = { fn, ctx, 0 };
	sqlite3_stmt *stmt;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       store_table_lacks(st, "peil_run", "listing")
				       ? sql_v7
			       : store_table_lacks(st, "peil_run", "confirms")
				       ? sql_v8 : sql,
			       -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot read the runs");
	sqlite3_bind_int64(stmt, 1, run_id);
	rc = store_rows_each(st, stmt, run_row, &call, err,
			     "cannot read the runs");
	if (rc == 0 && run_id && !call.seen)
		return st->svc->fail(err, st->path, 0, NULL, "no run %" PRId64,
				     run_id);
	return rc;
}

struct run_kpis_call {
	int (*fn)(void *ctx, const peil_run_kpi *kpi);
	void *ctx;
};

static int run_kpi_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct run_kpis_call *call = ctx;
	peil_run_kpi k = {
		.kpi = store_column_text(stmt, 0),
		.title = store_column_text(stmt, 1),
		.unit = store_column_text(stmt, 2),
		.script = store_column_text(stmt, 3),
		.script_sha256 = store_column_text(stmt, 4),
		.status = store_column_text(stmt, 5),
		.message = store_column_text(stmt, 6),
		.definition = store_column_text(stmt, 7),
	};

	return call->fn(call->ctx, &k);
}

int store_run_kpis_scan(void *state, int64_t run_id,
			int (*fn)(void *ctx, const peil_run_kpi *kpi),
			void *ctx, peil_error *err)
{
	/* A read-only store of schema version 6 or before has no
	 * definitions. */
	static const char sql[] =
		"SELECT kpi, title, unit, script, script_sha256, status,"
		" message, definition FROM peil_run_kpi WHERE run_id = ?"
		" ORDER BY kpi";
	static const char sql_v6[] =
		"SELECT kpi, title, unit, script, script_sha256, status,"
		" message, NULL FROM peil_run_kpi WHERE run_id = ?"
		" ORDER BY kpi";
	struct store *st = state;
	struct run_kpis_call call = { fn, ctx };
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db,
			       store_table_lacks(st, "peil_run_kpi",
						 "definition") ? sql_v6 : sql,
			       -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot read the run KPIs");
	sqlite3_bind_int64(stmt, 1, run_id);
	return store_rows_each(st, stmt, run_kpi_row, &call, err,
			       "cannot read the run KPIs");
}

struct ingest_call {
	int (*fn)(void *ctx, const peil_ingest_entry *entry);
	void *ctx;
};

static int ingest_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct ingest_call *call = ctx;
	peil_ingest_entry e = {
		.id = sqlite3_column_int64(stmt, 0),
		.source = store_column_text(stmt, 1),
		.dataset = store_column_text(stmt, 2),
		.path = store_column_text(stmt, 3),
		.sha256 = store_column_text(stmt, 4),
		.rows = sqlite3_column_int64(stmt, 5),
		.rejected = sqlite3_column_int64(stmt, 6),
		.at = sqlite3_column_int64(stmt, 7),
		.settings_sha256 = store_column_text(stmt, 8),
		.file_size = sqlite3_column_int64(stmt, 9),
		.file_mtime_ns = sqlite3_column_int64(stmt, 10),
		.file_inode = sqlite3_column_int64(stmt, 11),
	};

	return call->fn(call->ctx, &e);
}

int store_ingest_scan(void *state,
		      int (*fn)(void *ctx, const peil_ingest_entry *entry),
		      void *ctx, peil_error *err)
{
	/* A read-only store of schema version 7 or before has no files'
	 * sizes, times and inodes. */
	static const char sql[] =
		"SELECT id, source, dataset, path, sha256, \"rows\","
		" rejected, at, settings_sha256, file_size, file_mtime_ns,"
		" file_inode FROM peil_ingest ORDER BY id";
	static const char sql_v7[] =
		"SELECT id, source, dataset, path, sha256, \"rows\","
		" rejected, at, settings_sha256, NULL, NULL, NULL"
		" FROM peil_ingest ORDER BY id";
	struct store *st = state;
	struct ingest_call call = { fn, ctx };
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db,
			       store_table_lacks(st, "peil_ingest", "file_size")
				       ? sql_v7 : sql,
			       -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot read the ingest log");
	return store_rows_each(st, stmt, ingest_row, &call, err,
			       "cannot read the ingest log");
}

/* ------------------------------------------------------------ reports */

int store_report_put(void *state, const peil_report_record *report,
		     int64_t *report_id, peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_report (run_id, period, period_from,"
		" period_to, kpi, format, lang, path, written)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct store *st = state;
	sqlite3_stmt *stmt;
	int rc;

	*report_id = 0;
	if (!sqlite3_get_autocommit(st->db))
		return st->svc->fail(err, st->path, 0, NULL,
				     "report_put inside a batch");
	if (store_file_same(st, "cannot record the report", err) < 0 ||
	    store_exec(st, err, STORE_REPORT_TABLE_SQL,
		       "cannot record the report") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot record the report");
	sqlite3_bind_int64(stmt, 1, report->run_id);
	bind_text(stmt, 2, report->period);
	bind_text(stmt, 3, report->period_from);
	bind_text(stmt, 4, report->period_to);
	bind_text(stmt, 5, report->kpi);
	bind_text(stmt, 6, report->format);
	bind_text(stmt, 7, report->lang);
	bind_text(stmt, 8, report->path);
	sqlite3_bind_int64(stmt, 9, report->written);
	rc = step_done(st, stmt, err, NULL, "cannot record the report");
	if (rc == 0)
		*report_id = sqlite3_last_insert_rowid(st->db);
	sqlite3_finalize(stmt);
	return rc;
}

struct reports_call {
	int (*fn)(void *ctx, const peil_report_record *report);
	void *ctx;
};

static int report_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct reports_call *call = ctx;
	peil_report_record r = {
		.id = sqlite3_column_int64(stmt, 0),
		.run_id = sqlite3_column_int64(stmt, 1),
		.period = store_column_text(stmt, 2),
		.period_from = store_column_text(stmt, 3),
		.period_to = store_column_text(stmt, 4),
		.kpi = store_column_text(stmt, 5),
		.format = store_column_text(stmt, 6),
		.lang = store_column_text(stmt, 7),
		.path = store_column_text(stmt, 8),
		.written = sqlite3_column_int64(stmt, 9),
	};

	return call->fn(call->ctx, &r);
}

int store_reports_scan(void *state,
		       int (*fn)(void *ctx, const peil_report_record *report),
		       void *ctx, peil_error *err)
{
	static const char sql[] =
		"SELECT id, run_id, period, period_from, period_to, kpi,"
		" format, lang, path, written FROM peil_report"
		" ORDER BY id DESC";
	struct store *st = state;
	struct reports_call call = { fn, ctx };
	sqlite3_stmt *stmt;
	int64_t exists = 0;
	int found;

	/* A store of schema version 4 that no report was recorded in. */
	if (store_query_int64(st, "SELECT count(*) FROM sqlite_master WHERE"
			      " type = 'table' AND name = 'peil_report'", 0,
			      0, &exists, &found, err,
			      "cannot read the reports") < 0)
		return -1;
	if (!exists)
		return 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot read the reports");
	return store_rows_each(st, stmt, report_row, &call, err,
			       "cannot read the reports");
}
