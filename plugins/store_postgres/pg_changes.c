/*
 * pg_changes.c - what each ingest changed: the change log, snapshots,
 * reading the changes between two runs; and, beside them in version 2 of
 * peil_storage_ops, backup and pruning, and the recorded reports.
 *
 * An added row carries the id of the ingest that added it in its own
 * column ("peil.added"); peil_change logs what else an ingest did to a
 * row, one row per (ingest, dataset, key): "changed" where pg_flush's
 * upsert found a stored row of the key that differs (and was not added by
 * the same ingest), "removed" where a snapshot removed it, which also
 * logs when the row was added, since only the row knew.  The log tells
 * what a batch did as a whole: a row changed and changed back within one
 * batch (a flush between its records, as before any read) did not
 * change, which the batch's commit settles (pg_changes_settle) from the
 * rows as they were before it, kept by pg_flush.  The ingest id is
 * the one the batch's ingest_log will get (batch_begin).  A run remembers
 * the last ingest id it saw (peil_run.last_ingest), so the changes
 * between runs A and B are those with ids in (A's, B's].
 *
 * Keys are text as on every store: key values joined by " / ", dates as
 * jjjj-mm-dd, booleans 0 and 1, the row's id for a dataset without key
 * fields.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

void pg_key_text(struct pg_sql *sql, const char *alias,
		 const peil_field *fields, size_t count)
{
	size_t i, keys = 0;

	pg_sql_append(sql, "(");
	for (i = 0; i < count; i++) {
		const peil_field *f = &fields[i];

		if (!(f->flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(sql, keys++ ? " || ' / ' || " : "");
		if (f->type == PEIL_TYPE_REAL) {
			/* As SQLite writes a real: "2.0", not "2". */
			pg_sql_printf(sql, "(%s.", alias);
			pg_sql_ident(sql, NULL, f->name);
			pg_sql_printf(sql, "::text || CASE WHEN %s.", alias);
			pg_sql_ident(sql, NULL, f->name);
			pg_sql_printf(sql, "::text ~ '^-?[0-9]+$' THEN '.0'"
					   " ELSE '' END)");
			continue;
		}
		pg_sql_printf(sql, "%s(%s.",
			      f->type == PEIL_TYPE_DATE ? "to_char" : "", alias);
		pg_sql_ident(sql, NULL, f->name);
		pg_sql_append(sql, f->type == PEIL_TYPE_DATE ? ", 'YYYY-MM-DD')"
				   : f->type == PEIL_TYPE_BOOLEAN
					   ? "::integer)::text"
					   : ")::text");
	}
	if (keys == 0)
		pg_sql_printf(sql, "%s." PG_ROW_COLUMN "::text", alias);
	pg_sql_append(sql, ") COLLATE \"C\"");
}

int64_t pg_ingest_now(struct store *st, peil_error *err)
{
	PGresult *res;
	int64_t id;

	if (st->in_batch)
		return st->batch_ingest;
	if (pg_query(st, "SELECT coalesce(max(id), 0) + 1 FROM peil_ingest", 0,
		     NULL, &res, err, NULL, "cannot read the ingest log") < 0)
		return -1;
	id = pg_get_int(res, 0, 0);
	PQclear(res);
	return id;
}

/*   WITH gone AS (DELETE FROM ds_x d WHERE <cond> RETURNING <key> AS k,
 *                 d."peil.added" AS a),
 *        added AS (INSERT INTO peil_change SELECT a, 'x', k, 'added'
 *                  FROM gone WHERE a IS NOT NULL AND a <> ING
 *                  ON CONFLICT DO NOTHING)
 *   INSERT INTO peil_change SELECT ING, 'x', k, 'removed' FROM gone
 *   ON CONFLICT ON CONSTRAINT peil_change_pkey (its key, with the
 *   tenant in a shared store) DO UPDATE SET kind = 'removed'
 *
 * A removal replaces what the ingest logged for the key ("changed"). */
int pg_remove_rows(struct store *st, const peil_schema *schema,
		   const char *cond, int nparams, const char *const *params,
		   int64_t ingest, int64_t *removed, peil_error *err)
{
	struct pg_sql sql;
	PGresult *res;
	int rc;

	*removed = 0;
	pg_sql_init(&sql);
	pg_sql_append(&sql, "WITH gone AS (DELETE FROM ");
	pg_sql_ident(&sql, "ds_", schema->name);
	pg_sql_printf(&sql, " d WHERE %s RETURNING ", cond);
	pg_key_text(&sql, "d", schema->fields, schema->field_count);
	pg_sql_printf(&sql,
		      " AS k, d." PG_ADDED_COLUMN " AS a), added AS (INSERT"
		      " INTO peil_change SELECT a, '%s', k, 'added' FROM gone"
		      " WHERE a IS NOT NULL AND a <> %lld ON CONFLICT DO"
		      " NOTHING) INSERT INTO peil_change SELECT %lld, '%s', k,"
		      " 'removed' FROM gone ON CONFLICT ON CONSTRAINT"
		      " peil_change_pkey DO UPDATE SET kind = 'removed'",
		      schema->name, (long long)ingest, (long long)ingest,
		      schema->name);
	if (!sql.ok) {
		pg_sql_release(&sql);
		return pg_fail_of(st, err, "dataset", schema->name,
				     "out of memory");
	}
	rc = pg_query(st, sql.text, nparams, params, &res, err, schema->name,
		      "cannot remove the rows missing from the snapshot");
	pg_sql_release(&sql);
	if (rc == 0) {
		*removed = strtoll(PQcmdTuples(res), NULL, 10);
		PQclear(res);
	}
	return rc;
}

int pg_changes_settle(struct store *st, peil_error *err)
{
	char ingest[32];
	const char *params[1] = { ingest };

	if (!st->before_made)
		return 0;
	snprintf(ingest, sizeof(ingest), "%" PRId64, st->batch_ingest);
	return pg_query(st,
			"DELETE FROM peil_change p USING pg_temp.peil_before b"
			" WHERE p.ingest_id = $1 AND p.kind = 'changed'"
			" AND p.dataset = b.dataset AND p.key = b.key"
			" AND b.before = b.now",
			1, params, NULL, err, NULL,
			"cannot settle the change log");
}

/* ----------------------------------------------------------- snapshots */

void pg_snapshot_forget(struct store *st)
{
	free(st->snap_name);
	free(st->snap_scope_field);
	free(st->snap_scope_value);
	st->snap_name = st->snap_scope_field = st->snap_scope_value = NULL;
}

static size_t key_count(const peil_schema *schema)
{
	size_t i, n = 0;

	for (i = 0; i < schema->field_count; i++)
		n += (schema->fields[i].flags & PEIL_FIELD_KEY) != 0;
	return n;
}

/* The scope's condition on alias d ("d.field = $1"), or "true". */
static void scope_cond(const struct store *st, struct pg_sql *sql)
{
	if (st->snap_scope_field == NULL) {
		pg_sql_append(sql, "true");
		return;
	}
	pg_sql_append(sql, "d.");
	pg_sql_ident(sql, NULL, st->snap_scope_field);
	pg_sql_append(sql, " = $1");
}

static int snapshot_start(struct store *st, const peil_schema *schema,
			  size_t scope_field, const char *scope_value,
			  peil_error *err)
{
	const char *params[1] = { scope_value };
	struct pg_sql sql;
	int64_t removed;
	size_t i, n = 0;
	int rc;

	if (schema == NULL || !pg_name_valid(schema->name))
		return st->svc->fail(err, st->where, 0, NULL,
				     "snapshot_begin needs a valid dataset");
	if (!st->in_batch)
		return pg_fail_of(st, err, "dataset", schema->name,
				     "snapshot_begin outside a batch");
	if (pg_flush(st, err) < 0)
		return -1;
	pg_snapshot_forget(st);
	if (scope_value) {
		if (scope_field >= schema->field_count ||
		    schema->fields[scope_field].type != PEIL_TYPE_TEXT)
			return pg_fail_of(st, err, "dataset", schema->name,
					     "a snapshot's scope must be a "
					     "text field of the dataset");
		st->snap_scope_field = strdup(schema->fields[scope_field].name);
		st->snap_scope_value = strdup(scope_value);
	}
	st->snap_name = strdup(schema->name);
	if (st->snap_name == NULL ||
	    (scope_value && (!st->snap_scope_field || !st->snap_scope_value))) {
		pg_snapshot_forget(st);
		return pg_fail_of(st, err, "dataset", schema->name,
				     "out of memory");
	}
	pg_sql_init(&sql);
	if (key_count(schema) == 0) {
		/* Nothing tells the rows of two exports apart: replace all
		 * (of the scope). */
		scope_cond(st, &sql);
		rc = sql.ok ? pg_remove_rows(st, schema, sql.text,
					     scope_value ? 1 : 0, params,
					     st->batch_ingest, &removed, err)
			    : pg_fail_of(st, err, "dataset", schema->name,
					    "out of memory");
		pg_sql_release(&sql);
		pg_snapshot_forget(st);
		return rc;
	}
	pg_sql_append(&sql, "DROP TABLE IF EXISTS pg_temp.peil_seen;"
			    " CREATE TEMP TABLE peil_seen AS SELECT ");
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(&sql, n++ ? ", " : "");
		pg_sql_ident(&sql, NULL, schema->fields[i].name);
	}
	pg_sql_append(&sql, " FROM ");
	pg_sql_ident(&sql, "ds_", schema->name);
	pg_sql_append(&sql, " WHERE false");
	rc = sql.ok ? pg_exec(st, sql.text, err, "cannot start the snapshot")
		    : pg_fail_of(st, err, "dataset", schema->name,
				    "out of memory");
	pg_sql_release(&sql);
	if (rc < 0)
		pg_snapshot_forget(st);
	return rc;
}

int pg_snapshot_begin(void *state, const peil_schema *schema,
		      peil_error *err)
{
	return snapshot_start(state, schema, 0, NULL, err);
}

int pg_snapshot_scope_begin(void *state, const peil_schema *schema,
			    size_t scope_field, const char *scope_value,
			    peil_error *err)
{
	struct store *st = state;

	if (scope_value == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "snapshot_scope_begin needs a scope");
	return snapshot_start(st, schema, scope_field, scope_value, err);
}

/* Remove the scope's rows whose key no record of the snapshot gave. */
int pg_snapshot_end(void *state, const peil_schema *schema, int64_t *removed,
		    peil_error *err)
{
	struct store *st = state;
	const char *params[1];
	struct pg_sql cond;
	size_t i, n = 0;
	int rc;

	*removed = 0;
	if (schema == NULL || !pg_name_valid(schema->name))
		return st->svc->fail(err, st->where, 0, NULL,
				     "snapshot_end needs a valid dataset");
	if (key_count(schema) == 0)
		return 0;	/* emptied by snapshot_begin */
	if (st->snap_name == NULL || strcmp(st->snap_name, schema->name) != 0)
		return pg_fail_of(st, err, "dataset", schema->name,
				     "snapshot_end without snapshot_begin");
	if (pg_flush(st, err) < 0)
		return -1;
	params[0] = st->snap_scope_value;
	pg_sql_init(&cond);
	scope_cond(st, &cond);
	pg_sql_append(&cond, " AND NOT EXISTS (SELECT 1 FROM pg_temp.peil_seen"
			     " s WHERE ");
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(&cond, n++ ? " AND s." : "s.");
		pg_sql_ident(&cond, NULL, schema->fields[i].name);
		pg_sql_append(&cond, " = d.");
		pg_sql_ident(&cond, NULL, schema->fields[i].name);
	}
	pg_sql_append(&cond, ")");
	rc = cond.ok ? pg_remove_rows(st, schema, cond.text,
				      st->snap_scope_value ? 1 : 0, params,
				      st->batch_ingest, removed, err)
		     : pg_fail_of(st, err, "dataset", schema->name,
				     "out of memory");
	pg_sql_release(&cond);
	if (rc == 0)
		rc = pg_exec(st, "DROP TABLE pg_temp.peil_seen", err,
			     "cannot end the snapshot");
	pg_snapshot_forget(st);
	return rc;
}

/* ------------------------------------------------------------- reading */

/* The last ingest id that run_id saw; for run 0, the last one there is. */
static int run_mark(struct store *st, int64_t run_id, int64_t *mark,
		    peil_error *err)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *res;
	int found;

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	if (pg_query(st,
		     run_id ? "SELECT coalesce(last_ingest, 0) FROM peil_run"
			      " WHERE id = $1"
			    : "SELECT coalesce(max(id), 0) FROM peil_ingest",
		     run_id ? 1 : 0, params, &res, err, NULL,
		     "cannot read the runs") < 0)
		return -1;
	found = PQntuples(res) == 1;
	*mark = found ? pg_get_int(res, 0, 0) : 0;
	PQclear(res);
	if (!found)
		return st->svc->fail(err, st->where, 0, NULL, "no run %" PRId64,
				     run_id);
	return 0;
}

int pg_run_last_ingest(void *state, int64_t run_id, int64_t *ingest_id,
		       peil_error *err)
{
	struct store *st = state;

	*ingest_id = 0;
	if (run_id <= 0)
		return st->svc->fail(err, st->where, 0, NULL,
				     "run_last_ingest needs a run id");
	return run_mark(st, run_id, ingest_id, err);
}

/* The datasets' tables with their columns: name, column, type, key.  A
 * table's dataset is its name after "ds_", or, for one whose name
 * pg_ident_of shortened, the one its comment names (table_create). */
static int datasets_columns(struct store *st, PGresult **res,
			    peil_error *err)
{
	const char *params[1] = { st->schema };

	return pg_query(st,
			"SELECT coalesce(substring(obj_description(c.oid,"
			" 'pg_class') from '^" PG_DATASET_COMMENT
			"([a-z0-9_]+)$'), substr(c.relname, 4)), a.attname,"
			" format_type(a.atttypid, a.atttypmod),"
			" coalesce(a.attnum = ANY (i.indkey), false)"
			" FROM pg_class c"
			" JOIN pg_namespace n ON n.oid = c.relnamespace"
			" JOIN pg_attribute a ON a.attrelid = c.oid"
			" LEFT JOIN pg_index i ON i.indrelid = c.oid"
			" AND i.indisprimary"
			" WHERE n.nspname = $1 AND c.relkind = 'r'"
			" AND c.relname LIKE 'ds\\_%' AND a.attnum > 0"
			" AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
			1, params, res, err, NULL,
			"cannot read the datasets");
}

/* UNION ALL SELECT d."peil.added", 'x', <key>, 'added' FROM ds_x d WHERE
 * d."peil.added" > $1 AND <= $2, for each dataset: the rows still there,
 * added in the range. */
static void added_sql(struct pg_sql *sql, PGresult *cols)
{
	int n = PQntuples(cols), r = 0;

	while (r < n) {
		const char *name = PQgetvalue(cols, r, 0);
		peil_field fields[256];
		size_t count = 0;

		for (; r < n && strcmp(PQgetvalue(cols, r, 0), name) == 0; r++) {
			const char *type = PQgetvalue(cols, r, 2);

			if (count == sizeof(fields) / sizeof(fields[0]) ||
			    PQgetvalue(cols, r, 3)[0] != 't' ||
			    strcmp(PQgetvalue(cols, r, 1), "peil.row") == 0 ||
			    strcmp(PQgetvalue(cols, r, 1), "peil.tenant") == 0)
				continue;
			fields[count].name = PQgetvalue(cols, r, 1);
			fields[count].flags = PEIL_FIELD_KEY;
			fields[count++].type =
				strcmp(type, "date") == 0 ? PEIL_TYPE_DATE
				: strcmp(type, "boolean") == 0
					? PEIL_TYPE_BOOLEAN
				: strcmp(type, "double precision") == 0
					? PEIL_TYPE_REAL
					: PEIL_TYPE_TEXT;
		}
		pg_sql_printf(sql, " UNION ALL SELECT d." PG_ADDED_COLUMN
				   ", '%s' COLLATE \"C\", ", name);
		pg_key_text(sql, "d", fields, count);
		pg_sql_append(sql, ", 'added' FROM ");
		pg_sql_ident(sql, "ds_", name);
		pg_sql_append(sql, " d WHERE d." PG_ADDED_COLUMN " > $1 AND d."
				   PG_ADDED_COLUMN " <= $2");
	}
}

int pg_input_changes_scan(void *state, int64_t from_run, int64_t to_run,
			  int (*fn)(void *ctx, const peil_input_change *change),
			  void *ctx, peil_error *err)
{
	struct store *st = state;
	char from_text[32], to_text[32];
	const char *params[2] = { from_text, to_text };
	PGresult *cols = NULL, *res = NULL;
	struct pg_sql sql;
	int64_t from = 0, to;
	int rc = -1, r, n;

	if ((from_run && run_mark(st, from_run, &from, err) < 0) ||
	    run_mark(st, to_run, &to, err) < 0)
		return -1;
	snprintf(from_text, sizeof(from_text), "%" PRId64, from);
	snprintf(to_text, sizeof(to_text), "%" PRId64, to);
	if (pg_flush(st, err) < 0 || datasets_columns(st, &cols, err) < 0)
		return -1;
	pg_sql_init(&sql);
	pg_sql_append(&sql, "SELECT c.ingest_id, c.dataset, c.key, c.kind,"
			    " i.path FROM (SELECT ingest_id, dataset"
			    " COLLATE \"C\", key COLLATE \"C\", kind FROM"
			    " peil_change WHERE ingest_id > $1 AND"
			    " ingest_id <= $2");
	added_sql(&sql, cols);
	pg_sql_append(&sql, ") AS c (ingest_id, dataset, key, kind)"
			    " LEFT JOIN peil_ingest i ON i.id = c.ingest_id"
			    " ORDER BY c.dataset, c.key, c.ingest_id");
	if (!sql.ok) {
		st->svc->fail(err, st->where, 0, NULL, "out of memory");
		goto out;
	}
	if (pg_query(st, sql.text, 2, params, &res, err, NULL,
		     "cannot read the change log") < 0)
		goto out;
	rc = 0;
	n = PQntuples(res);
	for (r = 0; r < n && rc == 0; r++) {
		peil_input_change c = {
			.ingest_id = pg_get_int(res, r, 0),
			.dataset = PQgetvalue(res, r, 1),
			.key = PQgetvalue(res, r, 2),
			.kind = PQgetvalue(res, r, 3),
			.path = PQgetisnull(res, r, 4) ? NULL
						       : PQgetvalue(res, r, 4),
		};

		rc = fn(ctx, &c);
	}
out:
	PQclear(res);
	PQclear(cols);
	pg_sql_release(&sql);
	return rc;
}

/* ------------------------------------------------------ backup, prune */

/* A copy of a live PostgreSQL store is the server's job: pg_dump takes
 * it consistent, under the same rights and settings as the server.  A
 * shared store is copied whole, by a role that row-level security does
 * not hold back (pg_dump refuses a copy that a policy would cut short). */
int pg_backup(void *state, const char *path, peil_error *err)
{
	struct store *st = state;

	return st->svc->fail(err, st->where, 0, NULL,
			     "peil backup does not copy a PostgreSQL store; "
			     "take a consistent copy with pg_dump "
			     "--format=custom --schema=%s --file=%s and %s",
			     st->schema, path ? path : "FILE",
			     st->tenant ? "a superuser or BYPASSRLS role: the "
					  "store is shared by municipalities"
					: "the connection of [storage] conninfo");
}

/* Text of an array literal of ids: {1,2,3}. */
static int ids_array(const peil_prune *p, struct pg_sql *out)
{
	size_t i;

	pg_sql_append(out, "{");
	for (i = 0; i < p->run_count; i++)
		pg_sql_printf(out, "%s%" PRId64, i ? "," : "", p->run_ids[i]);
	pg_sql_append(out, "}");
	return out->ok ? 0 : -1;
}

/* The periods of the runs' figures that are final, as an array literal
 * of quoted texts. */
static int final_periods(struct store *st, const peil_prune *p,
			 const char *ids, struct pg_sql *out, peil_error *err)
{
	const char *params[1] = { ids };
	PGresult *res;
	int r, n, any = 0;

	if (pg_query(st, "SELECT DISTINCT period FROM peil_result WHERE"
			 " run_id = ANY ($1::bigint[])",
		     1, params, &res, err, NULL, "cannot prune") < 0)
		return -1;
	pg_sql_append(out, "{");
	n = PQntuples(res);
	for (r = 0; r < n; r++) {
		const char *period = PQgetvalue(res, r, 0), *c;

		if (!p->period_final || !p->period_final(p->ctx, period))
			continue;
		pg_sql_append(out, any++ ? ",\"" : "\"");
		for (c = period; *c; c++)
			pg_sql_printf(out, "%s%c",
				      *c == '"' || *c == '\\' ? "\\" : "", *c);
		pg_sql_append(out, "\"");
	}
	pg_sql_append(out, "}");
	PQclear(res);
	return out->ok ? 0 : st->svc->fail(err, st->where, 0, NULL,
					   "out of memory");
}

/* The latest figure of each final (kpi, period, breakdown) is kept -- of
 * the runs' own figures, not one of an earlier period there only to be
 * compared with; the other figures of the pruned runs go, then the runs
 * left without figures, with their KPIs.  One transaction. */
int pg_runs_prune(void *state, const peil_prune *prune, int64_t *runs_deleted,
		  int64_t *figures_deleted, peil_error *err)
{
	struct store *st = state;
	struct pg_sql ids, finals;
	const char *params[2];
	PGresult *res = NULL;
	int ok = 0;

	*runs_deleted = *figures_deleted = 0;
	if (prune == NULL || (prune->run_count && prune->run_ids == NULL))
		return st->svc->fail(err, st->where, 0, NULL,
				     "runs_prune needs the runs to delete");
	if (st->in_batch)
		return st->svc->fail(err, st->where, 0, NULL,
				     "runs_prune inside a batch");
	if (prune->run_count == 0)
		return 0;
	pg_sql_init(&ids);
	pg_sql_init(&finals);
	if (ids_array(prune, &ids) < 0) {
		pg_sql_release(&ids);
		return st->svc->fail(err, st->where, 0, NULL, "out of memory");
	}
	if (pg_atomic_begin(st, err) < 0)
		goto out;
	params[0] = ids.text;
	if (final_periods(st, prune, ids.text, &finals, err) < 0)
		goto end;
	params[1] = finals.text;
	if (pg_query(st,
		     "DELETE FROM peil_result r WHERE run_id = ANY"
		     " ($1::bigint[]) AND (run_id, kpi, period, breakdown)"
		     " NOT IN (SELECT max(run_id), kpi, period, breakdown"
		     " FROM peil_result WHERE period = ANY ($2::text[])"
		     " AND NOT earlier GROUP BY kpi, period, breakdown)",
		     2, params, &res, err, NULL, "cannot prune the figures") < 0)
		goto end;
	*figures_deleted = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	/* A public figure goes with the figure it shows. */
	if (pg_query(st,
		     "DELETE FROM peil_public_figure p WHERE run_id = ANY"
		     " ($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM"
		     " peil_result r WHERE r.run_id = p.run_id AND r.kpi ="
		     " p.kpi AND r.period = p.period AND r.breakdown ="
		     " p.breakdown)",
		     1, params, NULL, err, NULL, "cannot prune the figures") < 0)
		goto end;
	if (pg_query(st,
		     "DELETE FROM peil_run_kpi WHERE run_id = ANY"
		     " ($1::bigint[]) AND run_id NOT IN"
		     " (SELECT run_id FROM peil_result)",
		     1, params, NULL, err, NULL, "cannot prune the runs") < 0 ||
	    pg_query(st,
		     "DELETE FROM peil_run WHERE id = ANY ($1::bigint[])"
		     " AND id NOT IN (SELECT run_id FROM peil_result)",
		     1, params, &res, err, NULL, "cannot prune the runs") < 0)
		goto end;
	*runs_deleted = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	ok = 1;
end:
	if (pg_atomic_end(st, ok, err) < 0) {
		*runs_deleted = *figures_deleted = 0;
		ok = 0;
	}
out:
	pg_sql_release(&ids);
	pg_sql_release(&finals);
	return ok ? 0 : -1;
}

/* ------------------------------------------------------------- reports */

int pg_report_put(void *state, const peil_report_record *report,
		  int64_t *report_id, peil_error *err)
{
	struct store *st = state;
	char run[32], written[32];
	const char *params[9];

	*report_id = 0;
	if (report == NULL || report->period == NULL ||
	    report->period_from == NULL || report->period_to == NULL ||
	    report->format == NULL || report->lang == NULL ||
	    report->path == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "report_put needs the period, format, "
				     "language and path");
	snprintf(run, sizeof(run), "%" PRId64, report->run_id);
	snprintf(written, sizeof(written), "%" PRId64, report->written);
	params[0] = run;
	params[1] = report->period;
	params[2] = report->period_from;
	params[3] = report->period_to;
	params[4] = report->kpi;
	params[5] = report->format;
	params[6] = report->lang;
	params[7] = report->path;
	params[8] = written;
	return pg_query_int(st,
			    "INSERT INTO peil_report (run_id, period,"
			    " period_from, period_to, kpi, format, lang, path,"
			    " written) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
			    " $9) RETURNING id",
			    9, params, report_id, err,
			    "cannot record the report");
}

int pg_reports_scan(void *state,
		    int (*fn)(void *ctx, const peil_report_record *report),
		    void *ctx, peil_error *err)
{
	struct store *st = state;
	PGresult *res;
	int r, n, rc = 0;

	if (pg_query(st,
		     "SELECT id, run_id, period, period_from, period_to, kpi,"
		     " format, lang, path, written FROM peil_report"
		     " ORDER BY id DESC",
		     0, NULL, &res, err, NULL, "cannot read the reports") < 0)
		return -1;
	n = PQntuples(res);
	for (r = 0; r < n && rc == 0; r++) {
		peil_report_record rep = {
			.id = pg_get_int(res, r, 0),
			.run_id = pg_get_int(res, r, 1),
			.period = PQgetvalue(res, r, 2),
			.period_from = PQgetvalue(res, r, 3),
			.period_to = PQgetvalue(res, r, 4),
			.kpi = PQgetisnull(res, r, 5) ? NULL
						      : PQgetvalue(res, r, 5),
			.format = PQgetvalue(res, r, 6),
			.lang = PQgetvalue(res, r, 7),
			.path = PQgetvalue(res, r, 8),
			.written = pg_get_int(res, r, 9),
		};

		rc = fn(ctx, &rep);
	}
	PQclear(res);
	return rc;
}
