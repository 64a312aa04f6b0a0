/*
 * pg_runs.c - the ingest log, the inputs fingerprint, runs, their KPIs
 * and figures, and reading them back.
 *
 * Parameters go as text; numbers are written with %.17g (exact) and read
 * back in the server's shortest exact form (extra_float_digits = 1), so a
 * figure reads back as the double that was stored.  Missing numbers (NaN)
 * are NULL.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* Whole numbers and doubles as parameter texts. */
struct num {
	char text[40];
};

static const char *num_int(struct num *n, int64_t v)
{
	snprintf(n->text, sizeof(n->text), "%" PRId64, v);
	return n->text;
}

/* v as a parameter text, or NULL (SQL NULL) for 0: not known, none. */
static const char *num_known(struct num *n, int64_t v)
{
	return v ? num_int(n, v) : NULL;
}

static double get_real(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NAN : strtod(PQgetvalue(res, r, c),
						     NULL);
}

static const char *get_text(PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

/* ---------------------------------------------------------- ingest log */

int pg_ingest_seen(void *state, const peil_ingest_entry *probe, int *seen,
		   peil_error *err)
{
	struct store *st = state;
	const char *params[3];
	int64_t found;
	int rc;

	*seen = 0;
	if (probe == NULL || probe->sha256 == NULL || probe->source == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "ingest_seen without a source and hash");
	params[0] = probe->sha256;
	params[1] = probe->source;
	params[2] = probe->settings_sha256;
	rc = pg_query_int(st,
			  "SELECT EXISTS (SELECT 1 FROM peil_ingest WHERE"
			  " sha256 = $1 AND source = $2"
			  " AND settings_sha256 IS NOT DISTINCT FROM $3)::int",
			  3, params, &found, err, "cannot read the ingest log");
	*seen = found != 0;
	return rc;
}

int pg_ingest_log(void *state, const peil_ingest_entry *entry,
		  peil_error *err)
{
	struct store *st = state;
	struct num rows, rejected, at, id, size, mtime, inode;
	const char *params[12];
	int64_t ingest;

	if (entry == NULL || entry->source == NULL ||
	    entry->dataset == NULL || entry->path == NULL ||
	    entry->sha256 == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "an ingest log entry needs a source, "
				     "dataset, path and hash");
	params[0] = entry->source;
	params[1] = entry->dataset;
	params[2] = entry->path;
	params[3] = entry->sha256;
	params[4] = num_int(&rows, entry->rows);
	params[5] = num_int(&rejected, entry->rejected);
	params[6] = num_int(&at, entry->at);
	params[7] = entry->settings_sha256;
	/* In a batch, the id its changes were logged under. */
	if ((ingest = pg_ingest_now(st, err)) <= 0)
		return -1;
	params[8] = num_int(&id, ingest);
	/* The file's size, time and inode: NULL when not known (0). */
	params[9] = num_known(&size, entry->file_size);
	params[10] = num_known(&mtime, entry->file_mtime_ns);
	params[11] = num_known(&inode, entry->file_inode);
	return pg_query(st,
			"INSERT INTO peil_ingest (source, dataset, path, sha256,"
			" \"rows\", rejected, at, settings_sha256, id,"
			" file_size, file_mtime_ns, file_inode)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
			" $12)",
			12, params, NULL, err, NULL,
			"cannot write the ingest log");
}

/* SHA-256 over the log in id order: for each entry, source, dataset,
 * path, sha256 and rows (decimal), each followed by a NUL byte; the
 * encoding every store uses (docs/plugins.md), computed by the server. */
int pg_inputs_fingerprint(void *state, char out[65], peil_error *err)
{
	struct store *st = state;
	PGresult *res;

	out[0] = '\0';
	if (pg_query(st,
		     "SELECT encode(sha256(coalesce(string_agg("
		     "convert_to(source, 'UTF8') || '\\x00'::bytea ||"
		     " convert_to(dataset, 'UTF8') || '\\x00'::bytea ||"
		     " convert_to(path, 'UTF8') || '\\x00'::bytea ||"
		     " convert_to(sha256, 'UTF8') || '\\x00'::bytea ||"
		     " convert_to(\"rows\"::text, 'UTF8') || '\\x00'::bytea,"
		     " ''::bytea ORDER BY id), ''::bytea)), 'hex')"
		     " FROM peil_ingest",
		     0, NULL, &res, err, NULL,
		     "cannot read the ingest log") < 0)
		return -1;
	snprintf(out, 65, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* ----------------------------------------------------------------- runs */

/* Outside any batch: the run is recorded before it does anything. */
int pg_run_begin(void *state, const peil_run_info *info, int64_t *run_id,
		 peil_error *err)
{
	struct store *st = state;
	struct num started, confirms;
	const char *params[10];

	*run_id = 0;
	if (info == NULL || info->kind == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "run_begin needs the kind of run");
	if (st->in_batch)
		return st->svc->fail(err, st->where, 0, NULL,
				     "run_begin inside a batch: a run is "
				     "recorded on its own, before its batch");
	if (pg_tenant_writes(st, err) < 0)
		return -1;
	params[0] = info->kind;
	params[1] = num_int(&started, info->started);
	params[2] = info->period_from;
	params[3] = info->period_to;
	params[4] = info->config_sha256;
	params[5] = info->scripts_sha256;
	params[6] = info->inputs_sha256;
	params[7] = info->listing;
	params[8] = num_known(&confirms, info->confirms);
	params[9] = info->build_sha256;
	return pg_query_int(st,
			    "INSERT INTO peil_run (kind, started, status,"
			    " period_from, period_to, config_sha256,"
			    " scripts_sha256, inputs_sha256, listing,"
			    " last_ingest, confirms, build_sha256)"
			    " VALUES ($1, $2, 'running', $3, $4, $5, $6, $7,"
			    " $8, (SELECT coalesce(max(id), 0) FROM"
			    " peil_ingest), $9, $10) RETURNING id",
			    10, params, run_id, err, "cannot record the run");
}

int pg_run_kpi_put(void *state, int64_t run_id, const peil_run_kpi *kpi,
		   peil_error *err)
{
	struct store *st = state;
	struct num id;
	const char *params[9];

	if (kpi == NULL || kpi->kpi == NULL || kpi->status == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "run_kpi_put needs a KPI id and status");
	params[0] = num_int(&id, run_id);
	params[1] = kpi->kpi;
	params[2] = kpi->title;
	params[3] = kpi->unit;
	params[4] = kpi->script;
	params[5] = kpi->script_sha256;
	params[6] = kpi->status;
	params[7] = kpi->message;
	params[8] = kpi->definition;
	return pg_query(st,
			"INSERT INTO peil_run_kpi (run_id, kpi, title, unit,"
			" script, script_sha256, status, message, definition)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
			" ON CONFLICT ON CONSTRAINT peil_run_kpi_pkey DO UPDATE SET"
			" title = EXCLUDED.title, unit = EXCLUDED.unit,"
			" script = EXCLUDED.script,"
			" script_sha256 = EXCLUDED.script_sha256,"
			" status = EXCLUDED.status, message = EXCLUDED.message,"
			" definition = EXCLUDED.definition",
			9, params, NULL, err, kpi->kpi,
			"cannot record the KPI");
}

/* The bytes of figures gathered before they are sent. */
#define FIGURES_CHUNK (1024 * 1024)

/* Append a number to COPY text: %.17g (exact), NaN as NULL. */
static void copy_real(struct pg_sql *buf, double v)
{
	if (isnan(v))
		pg_sql_append(buf, "\t\\N");
	else
		pg_sql_printf(buf, "\t%.17g", v);
}

static void copy_text(struct pg_sql *buf, const char *text)
{
	pg_sql_append(buf, "\t");
	if (text)
		pg_copy_text(buf, text, strlen(text));
	else
		pg_sql_append(buf, "\\N");
}

/* A figure joins the run's others as a line of COPY text; they are sent
 * together (pg_results_flush) when a megabyte is gathered, before the
 * batch commits and before anything reads: one COPY and one INSERT, not
 * a round trip per figure.  Outside a batch each figure is sent at once.
 * A NULL breakdown is stored as "{}", the total. */
int pg_result_put(void *state, int64_t run_id, const peil_result *result,
		  peil_error *err)
{
	struct store *st = state;
	struct pg_sql *buf = &st->figures;

	if (result == NULL || result->kpi == NULL || result->period == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "result_put needs a KPI id and period");
	if (buf->cap == 0)
		pg_sql_init(buf);
	pg_sql_printf(buf, "%" PRId64, run_id);
	copy_text(buf, result->kpi);
	copy_text(buf, result->period);
	copy_text(buf, result->breakdown ? result->breakdown : "{}");
	copy_real(buf, result->value);
	copy_real(buf, result->numerator);
	copy_real(buf, result->denominator);
	copy_text(buf, result->status);
	copy_real(buf, result->size);
	pg_sql_append(buf, result->earlier ? "\tt\n" : "\tf\n");
	if (!st->in_batch || buf->len >= FIGURES_CHUNK || !buf->ok)
		return pg_results_flush(st, err);
	return 0;
}

#define RESULT_COLUMNS "run_id, kpi, period, breakdown, value, numerator," \
		       " denominator, status, size, earlier"

/* The gathered figures through a staging table on the connection, the
 * last of a (run, KPI, period, breakdown) winning as in one INSERT each:
 *
 *   CREATE TEMP TABLE IF NOT EXISTS peil_stage_result (...);
 *   COPY pg_temp.peil_stage_result (...) FROM STDIN;
 *   INSERT INTO peil_result SELECT DISTINCT ON (run_id, kpi, period,
 *   breakdown) ... ORDER BY ..., "peil.seq" DESC ON CONFLICT DO UPDATE;
 *   TRUNCATE pg_temp.peil_stage_result
 *
 * in a transaction of their own, or a savepoint of the batch. */
int pg_results_flush(struct store *st, peil_error *err)
{
	struct pg_sql *buf = &st->figures;
	int rc;

	if (buf->cap == 0 || (buf->len == 0 && buf->ok))
		return 0;
	err->message[0] = '\0';
	if (!buf->ok) {
		pg_sql_release(buf);
		return st->svc->fail(err, st->where, 0, NULL, "out of memory");
	}
	if (pg_atomic_begin(st, err) < 0) {
		pg_sql_release(buf);
		return -1;
	}
	rc = pg_exec(st, "CREATE TEMP TABLE IF NOT EXISTS peil_stage_result ("
			 " \"peil.seq\" bigint GENERATED ALWAYS AS IDENTITY,"
			 " run_id bigint, kpi text COLLATE \"C\","
			 " period text COLLATE \"C\","
			 " breakdown text COLLATE \"C\","
			 " value double precision,"
			 " numerator double precision,"
			 " denominator double precision, status text,"
			 " size double precision, earlier boolean)",
		     err, "cannot store the results");
	if (rc == 0)
		rc = pg_copy_in(st, "COPY pg_temp.peil_stage_result ("
				    RESULT_COLUMNS ") FROM STDIN",
				buf, NULL, "cannot store the results", err);
	if (rc == 0)
		rc = pg_exec(st, "INSERT INTO peil_result (" RESULT_COLUMNS ")"
				 " SELECT DISTINCT ON (run_id, kpi, period,"
				 " breakdown) " RESULT_COLUMNS " FROM"
				 " pg_temp.peil_stage_result ORDER BY run_id,"
				 " kpi, period, breakdown, \"peil.seq\" DESC"
				 " ON CONFLICT ON CONSTRAINT peil_result_pkey"
				 " DO UPDATE SET value = EXCLUDED.value,"
				 " numerator = EXCLUDED.numerator,"
				 " denominator = EXCLUDED.denominator,"
				 " status = EXCLUDED.status,"
				 " size = EXCLUDED.size,"
				 " earlier = EXCLUDED.earlier;"
				 " TRUNCATE pg_temp.peil_stage_result",
			     err, "cannot store the results");
	pg_sql_release(buf);
	if (pg_atomic_end(st, rc == 0, err) < 0)
		rc = -1;
	return rc;
}

/* One statement: the figures never leave the server. */
int pg_results_copy(void *state, int64_t from_run, int64_t to_run,
		    const char *kpi, peil_error *err)
{
	struct store *st = state;
	struct num from, to;
	const char *params[3];

	if (kpi == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "results_copy needs a KPI id");
	if (pg_results_flush(st, err) < 0)
		return -1;
	params[0] = num_int(&from, from_run);
	params[1] = num_int(&to, to_run);
	params[2] = kpi;
	return pg_query(st,
			"INSERT INTO peil_result (run_id, kpi, period,"
			" breakdown, value, numerator, denominator, status,"
			" size, earlier)"
			" SELECT $2, kpi, period, breakdown, value, numerator,"
			" denominator, status, size, earlier FROM peil_result"
			" WHERE run_id = $1 AND kpi = $3",
			3, params, NULL, err, kpi, "cannot copy the figures");
}

int pg_run_end(void *state, int64_t run_id, const char *status,
	       int64_t ended, peil_error *err)
{
	struct store *st = state;
	struct num id, at;
	const char *params[3];
	PGresult *res;
	int changed;

	if (status == NULL || strcmp(status, "running") == 0)
		return st->svc->fail(err, st->where, 0, NULL,
				     "run_end needs a final status");
	params[0] = status;
	params[1] = num_int(&at, ended);
	params[2] = num_int(&id, run_id);
	if (pg_query(st, "UPDATE peil_run SET status = $1, ended = $2"
			 " WHERE id = $3",
		     3, params, &res, err, NULL, "cannot end the run") < 0)
		return -1;
	changed = atoi(PQcmdTuples(res));
	PQclear(res);
	if (changed == 0)
		return st->svc->fail(err, st->where, 0, NULL,
				     "cannot end run %" PRId64 ": no such run",
				     run_id);
	return 0;
}

/* ------------------------------------------------------------- reading */

/* The rows of sql with params, fully fetched (the tables read here are
 * small), each handed to row; a nonzero return stops and is returned. */
static int rows_each(struct store *st, const char *sql, int nparams,
		     const char *const *params,
		     int (*row)(void *ctx, PGresult *res, int r), void *ctx,
		     peil_error *err, const char *what)
{
	PGresult *res;
	int n, r, rc = 0;

	if (pg_query(st, sql, nparams, params, &res, err, NULL, what) < 0)
		return -1;
	n = PQntuples(res);
	for (r = 0; r < n && rc == 0; r++)
		rc = row(ctx, res, r);
	PQclear(res);
	return rc;
}

struct results_call {
	int (*fn)(void *ctx, const peil_result *result);
	void *ctx;
	int64_t run_id;
};

static int result_row(void *ctx, PGresult *res, int r)
{
	const struct results_call *call = ctx;
	peil_result result = {
		.run_id = call->run_id,
		.kpi = get_text(res, r, 0),
		.period = get_text(res, r, 1),
		.breakdown = get_text(res, r, 2),
		.value = get_real(res, r, 3),
		.numerator = get_real(res, r, 4),
		.denominator = get_real(res, r, 5),
		.status = get_text(res, r, 6),
		.size = get_real(res, r, 7),
		.earlier = PQgetvalue(res, r, 8)[0] == 't',
	};

	return call->fn(call->ctx, &result);
}

/* run_id itself when it exists, else the latest ended run; 0 when none. */
int pg_results_scan(void *state, const peil_result_query *query,
		    int (*fn)(void *ctx, const peil_result *result), void *ctx,
		    peil_error *err)
{
	struct store *st = state;
	struct results_call call = { fn, ctx, 0 };
	int64_t wanted = query ? query->run_id : 0;
	const char *kpi = query ? query->kpi : NULL;
	struct num id;
	const char *params[2];
	PGresult *res;

	if (pg_results_flush(st, err) < 0)
		return -1;
	params[0] = num_int(&id, wanted);
	if (pg_query(st,
		     wanted ? "SELECT id FROM peil_run WHERE id = $1"
			    : "SELECT id FROM peil_run WHERE $1::bigint = 0"
			      " AND status IN ('ok', 'kpi failed')"
			      " ORDER BY id DESC LIMIT 1",
		     1, params, &res, err, NULL, "cannot read the runs") < 0)
		return -1;
	call.run_id = PQntuples(res) ? pg_get_int(res, 0, 0) : 0;
	PQclear(res);
	if (wanted && call.run_id == 0)
		return st->svc->fail(err, st->where, 0, NULL, "no run %" PRId64,
				     wanted);
	if (call.run_id == 0)
		return 0;
	params[0] = num_int(&id, call.run_id);
	params[1] = kpi;
	return rows_each(st,
			 "SELECT kpi, period, breakdown, value, numerator,"
			 " denominator, status, size, earlier FROM peil_result"
			 " WHERE run_id = $1 AND ($2::text IS NULL OR kpi = $2)"
			 " ORDER BY kpi, period, breakdown",
			 2, params, result_row, &call, err,
			 "cannot read the results");
}

struct runs_call {
	int (*fn)(void *ctx, const peil_run_record *run);
	void *ctx;
	int seen;
};

static int run_row(void *ctx, PGresult *res, int r)
{
	struct runs_call *call = ctx;
	peil_run_record run = {
		.id = pg_get_int(res, r, 0),
		.kind = get_text(res, r, 1),
		.started = pg_get_int(res, r, 2),
		.ended = pg_get_int(res, r, 3),
		.status = get_text(res, r, 4),
		.period_from = get_text(res, r, 5),
		.period_to = get_text(res, r, 6),
		.config_sha256 = get_text(res, r, 7),
		.scripts_sha256 = get_text(res, r, 8),
		.inputs_sha256 = get_text(res, r, 9),
		.listing = get_text(res, r, 10),
		.confirms = pg_get_int(res, r, 11),
		.build_sha256 = get_text(res, r, 12),
	};

	call->seen = 1;
	return call->fn(call->ctx, &run);
}

int pg_runs_scan(void *state, int64_t run_id,
		 int (*fn)(void *ctx, const peil_run_record *run), void *ctx,
		 peil_error *err)
{
	struct store *st = state;
	struct runs_call call = { fn, ctx, 0 };
	struct num id;
	const char *params[1] = { num_int(&id, run_id) };
	int rc = rows_each(st,
			   "SELECT id, kind, started, ended, status,"
			   " period_from, period_to, config_sha256,"
			   " scripts_sha256, inputs_sha256, listing,"
			   " confirms, build_sha256 FROM peil_run WHERE $1::bigint = 0 OR id = $1 ORDER BY id DESC",
			   1, params, run_row, &call, err,
			   "cannot read the runs");

	if (rc == 0 && run_id && !call.seen)
		return st->svc->fail(err, st->where, 0, NULL, "no run %" PRId64,
				     run_id);
	return rc;
}

struct run_kpis_call {
	int (*fn)(void *ctx, const peil_run_kpi *kpi);
	void *ctx;
};

static int run_kpi_row(void *ctx, PGresult *res, int r)
{
	const struct run_kpis_call *call = ctx;
	peil_run_kpi k = {
		.kpi = get_text(res, r, 0),
		.title = get_text(res, r, 1),
		.unit = get_text(res, r, 2),
		.script = get_text(res, r, 3),
		.script_sha256 = get_text(res, r, 4),
		.status = get_text(res, r, 5),
		.message = get_text(res, r, 6),
		.definition = get_text(res, r, 7),
	};

	return call->fn(call->ctx, &k);
}

int pg_run_kpis_scan(void *state, int64_t run_id,
		     int (*fn)(void *ctx, const peil_run_kpi *kpi), void *ctx,
		     peil_error *err)
{
	struct run_kpis_call call = { fn, ctx };
	struct num id;
	const char *params[1] = { num_int(&id, run_id) };

	return rows_each(state,
			 "SELECT kpi, title, unit, script, script_sha256,"
			 " status, message, definition FROM peil_run_kpi"
			 " WHERE run_id = $1 ORDER BY kpi",
			 1, params, run_kpi_row, &call, err,
			 "cannot read the run KPIs");
}

struct ingest_call {
	int (*fn)(void *ctx, const peil_ingest_entry *entry);
	void *ctx;
};

static int ingest_row(void *ctx, PGresult *res, int r)
{
	const struct ingest_call *call = ctx;
	peil_ingest_entry e = {
		.id = pg_get_int(res, r, 0),
		.source = get_text(res, r, 1),
		.dataset = get_text(res, r, 2),
		.path = get_text(res, r, 3),
		.sha256 = get_text(res, r, 4),
		.rows = pg_get_int(res, r, 5),
		.rejected = pg_get_int(res, r, 6),
		.at = pg_get_int(res, r, 7),
		.settings_sha256 = get_text(res, r, 8),
		.file_size = pg_get_int(res, r, 9),
		.file_mtime_ns = pg_get_int(res, r, 10),
		.file_inode = pg_get_int(res, r, 11),
	};

	return call->fn(call->ctx, &e);
}

int pg_ingest_scan(void *state,
		   int (*fn)(void *ctx, const peil_ingest_entry *entry),
		   void *ctx, peil_error *err)
{
	struct ingest_call call = { fn, ctx };

	return rows_each(state,
			 "SELECT id, source, dataset, path, sha256, \"rows\","
			 " rejected, at, settings_sha256, file_size,"
			 " file_mtime_ns, file_inode FROM peil_ingest"
			 " ORDER BY id",
			 0, NULL, ingest_row, &call, err,
			 "cannot read the ingest log");
}
