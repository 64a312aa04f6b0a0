/*
 * sqlite_runs.c - the ingest log and its fingerprint, evaluation runs,
 * their KPIs and reports (their figures: sqlite_figures.c).
 *
 * A run is recorded as "running" and committed before anything else is
 * written, so that a run that crashes stays visible as one that never
 * ended; "the latest run" is the latest that ended with its figures
 * recorded ("ok" or "kpi failed"), so that a run that failed or was
 * interrupted does not hide the figures of the one before.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sqlite_store.h"

int store_step_done(struct store *st, sqlite3_stmt *stmt, peil_error *err,
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
	store_bind_text(stmt, 1, probe->sha256);
	store_bind_text(stmt, 2, probe->source);
	store_bind_text(stmt, 3, probe->settings_sha256);
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
	store_bind_text(stmt, 1, entry->source);
	store_bind_text(stmt, 2, entry->dataset);
	store_bind_text(stmt, 3, entry->path);
	store_bind_text(stmt, 4, entry->sha256);
	sqlite3_bind_int64(stmt, 5, entry->rows);
	sqlite3_bind_int64(stmt, 6, entry->rejected);
	sqlite3_bind_int64(stmt, 7, entry->at);
	store_bind_text(stmt, 8, entry->settings_sha256);
	/* In a batch, the id its rows were stored under (batch_begin). */
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_bind_int64(stmt, 9, st->batch_ingest);
	sqlite3_bind_int64(stmt, 10, entry->file_size);
	sqlite3_bind_int64(stmt, 11, entry->file_mtime_ns);
	sqlite3_bind_int64(stmt, 12, entry->file_inode);
	rc = store_step_done(st, stmt, err, NULL, "cannot write the ingest log");
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
		" last_ingest, listing, confirms, build_sha256) VALUES (?, ?,"
		" 'running', ?, ?, ?, ?, ?,"
		" (SELECT coalesce(max(id), 0) FROM peil_ingest), ?,"
		" nullif(?, 0), ?)";
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
	store_bind_text(stmt, 1, info->kind);
	sqlite3_bind_int64(stmt, 2, info->started);
	store_bind_text(stmt, 3, info->period_from);
	store_bind_text(stmt, 4, info->period_to);
	store_bind_text(stmt, 5, info->config_sha256);
	store_bind_text(stmt, 6, info->scripts_sha256);
	store_bind_text(stmt, 7, info->inputs_sha256);
	store_bind_text(stmt, 8, info->listing);
	sqlite3_bind_int64(stmt, 9, info->confirms);
	store_bind_text(stmt, 10, info->build_sha256);
	rc = store_step_done(st, stmt, err, NULL, "cannot record the run");
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
	store_bind_text(stmt, 2, kpi->kpi);
	store_bind_text(stmt, 3, kpi->title);
	store_bind_text(stmt, 4, kpi->unit);
	store_bind_text(stmt, 5, kpi->script);
	store_bind_text(stmt, 6, kpi->script_sha256);
	store_bind_text(stmt, 7, kpi->status);
	store_bind_text(stmt, 8, kpi->message);
	store_bind_text(stmt, 9, kpi->definition);
	return store_step_done(st, stmt, err, kpi->kpi, "cannot record the KPI");
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
	store_bind_text(stmt, 1, status);
	sqlite3_bind_int64(stmt, 2, ended);
	sqlite3_bind_int64(stmt, 3, run_id);
	rc = store_step_done(st, stmt, err, NULL, "cannot end the run");
	sqlite3_finalize(stmt);
	if (rc == 0 && sqlite3_changes(st->db) == 0)
		rc = st->svc->fail(err, st->path, 0, NULL,
				   "cannot end run %" PRId64 ": no such run",
				   run_id);
	return rc;
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
		.build_sha256 = store_column_text(stmt, 12),
	};

	call->seen = 1;
	return call->fn(call->ctx, &run);
}

int store_runs_scan(void *state, int64_t run_id,
		    int (*fn)(void *ctx, const peil_run_record *run), void *ctx,
		    peil_error *err)
{
	/* A read-only store of schema version 7 or before has no listings,
	 * one of version 8 or before no confirmations, one of version 10 or
	 * before no builds. */
#define RUNS_SELECT \
	"SELECT id, kind, started, ended, status, period_from, period_to," \
	" config_sha256, scripts_sha256, inputs_sha256, "
#define RUNS_WHERE " FROM peil_run WHERE ?1 = 0 OR id = ?1 ORDER BY id DESC"
	static const char sql[] =
		RUNS_SELECT "listing, confirms, build_sha256" RUNS_WHERE;
	static const char sql_v10[] =
		RUNS_SELECT "listing, confirms, NULL" RUNS_WHERE;
	static const char sql_v8[] = RUNS_SELECT "listing, 0, NULL" RUNS_WHERE;
	static const char sql_v7[] = RUNS_SELECT "NULL, 0, NULL" RUNS_WHERE;
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
				       ? sql_v8
			       : store_table_lacks(st, "peil_run", "build_sha256")
				       ? sql_v10 : sql,
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
	store_bind_text(stmt, 2, report->period);
	store_bind_text(stmt, 3, report->period_from);
	store_bind_text(stmt, 4, report->period_to);
	store_bind_text(stmt, 5, report->kpi);
	store_bind_text(stmt, 6, report->format);
	store_bind_text(stmt, 7, report->lang);
	store_bind_text(stmt, 8, report->path);
	sqlite3_bind_int64(stmt, 9, report->written);
	rc = store_step_done(st, stmt, err, NULL, "cannot record the report");
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
