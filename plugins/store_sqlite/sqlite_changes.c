/*
 * sqlite_changes.c - what each ingest changed: the change log, snapshots,
 * and reading the changes between two runs.
 *
 * An added row carries the id of the ingest that added it in its own
 * column (STORE_ADDED_COLUMN, bound by record_put): logging it in a second
 * b-tree cost more than storing the row itself.  What else an ingest does
 * to a row, peil_change logs: one row per (ingest, dataset, key) that it
 * changed or removed, written by triggers on each ds_<name> table, so that
 * no code path can change a row without the log knowing.  record_put's
 * upsert changes a row only when a field differs; the UPDATE trigger
 * compares every column too, for any other writer.  A removed row takes
 * its "added" entry into the log with it, so the history of a key stays
 * whole.  The ingest id is the one the batch's ingest_log will get:
 * peil_ingest ids are max(id) + 1 (INTEGER PRIMARY KEY without
 * AUTOINCREMENT), and the batch holds the write lock from its BEGIN
 * IMMEDIATE to its COMMIT, so no other ingest can take that id in between.
 *
 * The log tells what a batch did as a whole: a row changed and changed
 * back within one batch (by two of its records, or by two statements
 * of record_put with a read in between) did not change.  Only the batch
 * knows the row as it was before it, so a TEMP trigger of this
 * connection on each ds_<name> it writes keeps, in temp."peil_before_
 * <name>", the row as it was the first time the batch changed it, typed
 * as the table keeps it (store_changes_before_trigger); the batch's
 * commit drops, in one statement per dataset, the "changed" of every key
 * that ended as it began (store_changes_settle).  Temporary, because the
 * rows matter only while the batch is open.
 *
 * A run remembers the last ingest id it saw (peil_run.last_ingest), so the
 * changes between runs A and B are those with ids in (A's, B's].
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* ------------------------------------------------------------ triggers */

void store_changes_key(struct store_sql *sql, const char *row,
		       const peil_field *fields, size_t count)
{
	size_t i, keys = 0;

	for (i = 0; i < count; i++) {
		if (!(fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(sql, keys++ ? " || ' / ' || " : "");
		if (fields[i].type == PEIL_TYPE_DATE) {
			store_sql_append(sql, "date(");
			store_sql_append(sql, row);
			store_sql_append(sql, ".");
			store_sql_ident(sql, NULL, fields[i].name);
			store_sql_append(sql, " * 86400, 'unixepoch')");
		} else {
			store_sql_append(sql, "CAST(");
			store_sql_append(sql, row);
			store_sql_append(sql, ".");
			store_sql_ident(sql, NULL, fields[i].name);
			store_sql_append(sql, " AS TEXT)");
		}
	}
	if (keys == 0) {
		store_sql_append(sql, "CAST(");
		store_sql_append(sql, row);
		store_sql_append(sql, ".rowid AS TEXT)");
	}
}

#define NEXT_INGEST "(SELECT coalesce(max(id), 0) + 1 FROM peil_ingest)"

/* INSERT INTO peil_change ... SELECT <ingest>, '<name>', <key>, '<kind>'
 * [WHERE <when>] — unless the ingest logged the key already.  Not INSERT
 * OR IGNORE: the ON CONFLICT of record_put's upsert overrides the conflict
 * clause of statements in its triggers, so the IGNORE would turn into an
 * error (SQLite 3.40, "UNIQUE constraint failed"). */
static void log_sql(struct store_sql *sql, const char *name,
		    const char *ingest, const char *kind, const char *when,
		    const peil_field *fields, size_t count)
{
	/* Valid names need no escaping inside '...'. */
	store_sql_append(sql, "INSERT INTO peil_change (ingest_id, dataset,"
			      " key, kind) SELECT c.n, '");
	store_sql_append(sql, name);
	store_sql_append(sql, "', c.k, '");
	store_sql_append(sql, kind);
	store_sql_append(sql, "' FROM (SELECT ");
	store_sql_append(sql, ingest);
	store_sql_append(sql, " AS n, ");
	store_changes_key(sql, "OLD", fields, count);
	store_sql_append(sql, " AS k) AS c WHERE ");
	store_sql_append(sql, when);
	store_sql_append(sql, " AND NOT EXISTS (SELECT 1 FROM peil_change p"
			      " WHERE p.ingest_id = c.n AND p.dataset = '");
	store_sql_append(sql, name);
	store_sql_append(sql, "' AND p.key = c.k); ");
}

/* CREATE TRIGGER "peil_<what><name>" AFTER <event> ON "ds_<name>" ... */
static void trigger_begin(struct store_sql *sql, const char *name,
			  const char *what, const char *event)
{
	store_sql_append(sql, "CREATE TRIGGER ");
	store_sql_ident(sql, what, name);
	store_sql_append(sql, " AFTER ");
	store_sql_append(sql, event);
	store_sql_append(sql, " ON ");
	store_sql_ident(sql, "ds_", name);
}

/* " WHEN (<a field differs>) AND <not added by this ingest> BEGIN ": a
 * change to a row that this very ingest added is part of its adding, the
 * row stays "added". */
static void changed_when(struct store_sql *sql, const peil_field *fields,
			 size_t count)
{
	size_t i;

	store_sql_append(sql, " WHEN (");
	for (i = 0; i < count; i++) {
		store_sql_append(sql, i ? " OR OLD." : "OLD.");
		store_sql_ident(sql, NULL, fields[i].name);
		store_sql_append(sql, " IS NOT NEW.");
		store_sql_ident(sql, NULL, fields[i].name);
	}
	store_sql_append(sql, ") AND OLD." STORE_ADDED_COLUMN
			      " IS NOT " NEXT_INGEST " BEGIN ");
}

static void update_trigger(struct store_sql *sql, const char *name,
			   const peil_field *fields, size_t count)
{
	trigger_begin(sql, name, "peil_chg_", "UPDATE");
	changed_when(sql, fields, count);
	log_sql(sql, name, NEXT_INGEST, "changed", "1", fields, count);
	store_sql_append(sql, "END; ");
}

/* A removal replaces what the ingest logged for the key, and logs when
 * the row was added, which only the row knew. */
static void delete_trigger(struct store_sql *sql, const char *name,
			   const peil_field *fields, size_t count)
{
	trigger_begin(sql, name, "peil_del_", "DELETE");
	store_sql_append(sql, " BEGIN DELETE FROM peil_change WHERE"
			      " ingest_id = " NEXT_INGEST " AND dataset = '");
	store_sql_append(sql, name);
	store_sql_append(sql, "' AND key = ");
	store_changes_key(sql, "OLD", fields, count);
	store_sql_append(sql, "; ");
	log_sql(sql, name, "OLD." STORE_ADDED_COLUMN, "added",
		"c.n IS NOT NULL AND c.n <> " NEXT_INGEST, fields, count);
	log_sql(sql, name, NEXT_INGEST, "removed", "1", fields, count);
	store_sql_append(sql, "END; ");
}

/* peil_add_: the INSERT trigger of schema version 3. */
void store_changes_drop(struct store_sql *sql, const char *name)
{
	static const char *const kinds[] = { "peil_add_", "peil_chg_",
					     "peil_del_" };
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		store_sql_append(sql, "DROP TRIGGER IF EXISTS ");
		store_sql_ident(sql, kinds[i], name);
		store_sql_append(sql, "; ");
	}
}

int store_changes_triggers(struct store *st, const char *name,
			   const peil_field *fields, size_t count,
			   peil_error *err)
{
	struct store_sql sql;

	store_sql_init(&sql);
	store_changes_drop(&sql, name);
	update_trigger(&sql, name, fields, count);
	delete_trigger(&sql, name, fields, count);
	return store_sql_run(st, &sql, name,
			     "cannot create the change log triggers", err);
}

/* *n: the count(*) that sql gives with ?1 bound to name and ?2 to text
 * (NULL: unbound). */
static int count_query(struct store *st, const char *sql, const char *name,
		       const char *text, int *n, const char *what,
		       peil_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, name, what);
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : store_fail_db(st, err, name, what);
}

int store_changes_triggers_exist(struct store *st, const char *name,
				 int *exist, peil_error *err)
{
	int n, rc = count_query(st,
				"SELECT count(*) FROM sqlite_master WHERE"
				" type = 'trigger' AND tbl_name = 'ds_' || ?1"
				" AND name LIKE 'peil\\_%' ESCAPE '\\'",
				name, NULL, &n, "cannot read the triggers",
				err);

	*exist = n == 2;
	return rc;
}

/* ------------------------------------------- a batch's rows before it */

/* temp."peil_before_<name>" (fields: the dataset's columns, its key its
 * primary key): the rows of ds_<name> that the batch changed, as they
 * were before it, and AGAIN_COLUMN, 1 when the batch changed the row
 * more than once: only such a row can end as it began. */
#define AGAIN_COLUMN "\"peil.again\""

static void before_name(struct store_sql *sql, const char *name)
{
	store_sql_append(sql, "temp.");
	store_sql_ident(sql, "peil_before_", name);
}

/* Whether temp."peil_before_<name>" has column (NULL: whether it is
 * there at all). */
static int before_has(struct store *st, const char *name, const char *column,
		      int *has, peil_error *err)
{
	int n, rc = count_query(st,
				"SELECT count(*) FROM pragma_table_info("
				"'peil_before_' || ?1, 'temp')"
				" WHERE ?2 IS NULL OR name = ?2",
				name, column, &n,
				"cannot set up the change log", err);

	*has = n > 0;
	return rc;
}

/* Make temp."peil_before_<name>", or give it the columns it lacks (a
 * field added to the dataset). */
static void before_table(struct store_sql *sql, const char *name,
			 const peil_field *fields, size_t count,
			 const int *missing, int exists)
{
	size_t i, keys = 0;

	if (exists) {
		for (i = 0; i < count; i++) {
			if (!missing[i])
				continue;
			store_sql_append(sql, "ALTER TABLE ");
			before_name(sql, name);
			store_sql_append(sql, " ADD COLUMN ");
			store_sql_ident(sql, NULL, fields[i].name);
			store_sql_append(sql, "; ");
		}
		return;
	}
	store_sql_append(sql, "CREATE TABLE ");
	before_name(sql, name);
	for (i = 0; i < count; i++) {
		store_sql_append(sql, i ? ", " : " (");
		store_sql_ident(sql, NULL, fields[i].name);
	}
	store_sql_append(sql, ", " AGAIN_COLUMN " INTEGER");
	for (i = 0; i < count; i++) {
		if (!(fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(sql, keys++ ? ", " : ", PRIMARY KEY (");
		store_sql_ident(sql, NULL, fields[i].name);
	}
	store_sql_append(sql, ")) WITHOUT ROWID; ");
}

/* " AND b."k" = <row>."k"" for each key field (first without AND). */
static void key_match(struct store_sql *sql, const char *row,
		      const peil_field *fields, size_t count)
{
	size_t i, keys = 0;

	for (i = 0; i < count; i++) {
		if (!(fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(sql, keys++ ? " AND b." : "b.");
		store_sql_ident(sql, NULL, fields[i].name);
		store_sql_append(sql, " = ");
		store_sql_append(sql, row);
		store_sql_append(sql, ".");
		store_sql_ident(sql, NULL, fields[i].name);
	}
}

/*   CREATE TEMP TRIGGER "peil_bef_x" AFTER UPDATE ON main."ds_x"
 *   BEGIN INSERT INTO "peil_before_x" (<columns>) VALUES (OLD.<columns>)
 *         ON CONFLICT DO UPDATE SET "peil.again" = 1; END
 * The row as it was the first time the batch changed it: a later change
 * of the key finds it there, and marks it.  Not INSERT OR IGNORE, which
 * record_put's upsert would turn into an error (see log_sql); an upsert
 * of its own is the trigger's.  A trigger may not name the schema of a
 * table it writes; in a TEMP one, the table is temp's. */
int store_changes_before_trigger(struct store *st, const char *name,
				 const peil_field *fields, size_t count,
				 peil_error *err)
{
	struct store_sql sql;
	size_t i, values = 0;
	int exists, *missing;

	for (i = 0; i < count; i++)
		values += !(fields[i].flags & PEIL_FIELD_KEY);
	store_sql_init(&sql);
	store_sql_append(&sql, "DROP TRIGGER IF EXISTS temp.");
	store_sql_ident(&sql, "peil_bef_", name);
	store_sql_append(&sql, "; ");
	/* Without a key every record adds a row; with only key fields a
	 * stored row never changes. */
	if (values == 0 || values == count)
		return store_sql_run(st, &sql, name,
				     "cannot set up the change log", err);
	missing = calloc(count, sizeof(*missing));
	if (missing == NULL) {
		store_sql_release(&sql);
		return store_fail_of(st, err, "dataset", name, "out of memory");
	}
	if (before_has(st, name, NULL, &exists, err) < 0)
		goto fail;
	for (i = 0; exists && i < count; i++) {
		if (before_has(st, name, fields[i].name, &missing[i], err) < 0)
			goto fail;
		missing[i] = !missing[i];
	}
	before_table(&sql, name, fields, count, missing, exists);
	free(missing);
	store_sql_append(&sql, "CREATE TEMP TRIGGER ");
	store_sql_ident(&sql, "peil_bef_", name);
	store_sql_append(&sql, " AFTER UPDATE ON main.");
	store_sql_ident(&sql, "ds_", name);
	store_sql_append(&sql, " BEGIN INSERT INTO ");
	store_sql_ident(&sql, "peil_before_", name);
	for (i = 0; i < count; i++) {
		store_sql_append(&sql, i ? ", " : " (");
		store_sql_ident(&sql, NULL, fields[i].name);
	}
	for (i = 0; i < count; i++) {
		store_sql_append(&sql, i ? ", OLD." : ") VALUES (OLD.");
		store_sql_ident(&sql, NULL, fields[i].name);
	}
	store_sql_append(&sql, ") ON CONFLICT DO UPDATE SET " AGAIN_COLUMN
			       " = 1; END;");
	return store_sql_run(st, &sql, name, "cannot set up the change log",
			     err);
fail:
	free(missing);
	store_sql_release(&sql);
	return -1;
}

/* At the commit of ingest *ctx:
 *   DELETE FROM main.peil_change WHERE ingest_id = <ingest>
 *   AND dataset = 'x' AND kind = 'changed' AND key IN (SELECT <key of b>
 *     FROM temp."peil_before_x" AS b JOIN main."ds_x" AS d
 *     ON b."k" = d."k" WHERE b."peil.again" = 1 AND b."a" IS d."a"
 *     AND ...);
 *   DELETE FROM temp."peil_before_x"
 * over the columns the table kept: a column added since was NULL
 * before the batch, as the rows that the batch left alone have it.
 * Outside a batch (ctx NULL) the rows are only dropped. */
static int settle_one(struct store *st, const char *name,
		      const peil_field *fields, size_t count, void *ctx,
		      peil_error *err)
{
	const int64_t *ingest = ctx;
	struct store_sql sql;
	char number[32];
	size_t i;
	int has;

	if (before_has(st, name, NULL, &has, err) < 0)
		return -1;
	if (!has)
		return 0;
	store_sql_init(&sql);
	if (ingest) {
		snprintf(number, sizeof(number), "%lld", (long long)*ingest);
		store_sql_append(&sql, "DELETE FROM main.peil_change WHERE"
				       " ingest_id = ");
		store_sql_append(&sql, number);
		store_sql_append(&sql, " AND dataset = '");
		store_sql_append(&sql, name);	/* valid: no quotes */
		store_sql_append(&sql, "' AND kind = 'changed' AND key IN"
				       " (SELECT ");
		store_changes_key(&sql, "b", fields, count);
		store_sql_append(&sql, " FROM ");
		before_name(&sql, name);
		store_sql_append(&sql, " AS b JOIN main.");
		store_sql_ident(&sql, "ds_", name);
		store_sql_append(&sql, " AS d ON ");
		key_match(&sql, "d", fields, count);
		store_sql_append(&sql, " WHERE b." AGAIN_COLUMN " = 1");
		for (i = 0; i < count; i++) {
			if (fields[i].flags & PEIL_FIELD_KEY)
				continue;
			if (before_has(st, name, fields[i].name, &has, err) < 0) {
				store_sql_release(&sql);
				return -1;
			}
			if (!has)
				continue;
			store_sql_append(&sql, " AND b.");
			store_sql_ident(&sql, NULL, fields[i].name);
			store_sql_append(&sql, " IS d.");
			store_sql_ident(&sql, NULL, fields[i].name);
		}
		store_sql_append(&sql, "); ");
	}
	store_sql_append(&sql, "DELETE FROM ");
	before_name(&sql, name);
	return store_sql_run(st, &sql, name, "cannot settle the change log",
			     err);
}

int store_changes_settle(struct store *st, int commit, peil_error *err)
{
	return store_datasets_each(st, settle_one,
				   commit ? &st->batch_ingest : NULL, err);
}

/* ----------------------------------------------------------- snapshots */

void store_snapshot_forget(struct store *st)
{
	sqlite3_finalize(st->snapshot_seen);
	st->snapshot_seen = NULL;
	free(st->snapshot_name);
	st->snapshot_name = NULL;
	free(st->snapshot_scope_field);
	st->snapshot_scope_field = NULL;
	free(st->snapshot_scope_value);
	st->snapshot_scope_value = NULL;
}

/* Append the scope's condition, ' AND "field" = ?1', when the open
 * snapshot has a scope. */
static void scope_sql(const struct store *st, struct store_sql *sql,
		      const char *joiner)
{
	if (!st->snapshot_scope_field)
		return;
	store_sql_append(sql, joiner);
	store_sql_ident(sql, NULL, st->snapshot_scope_field);
	store_sql_append(sql, " = ?1");
}

/* Run sql, with ?1 bound to the snapshot's scope value when it has a
 * scope: 0, or -1 with err.  *changed: the rows it changed. */
static int exec_scoped(struct store *st, const char *sql, int64_t *changed,
		       const char *field, const char *what, peil_error *err)
{
	sqlite3_stmt *stmt;
	int rc;

	if (!st->snapshot_scope_value) {
		rc = store_exec(st, err, sql, what);
		*changed = rc == 0 ? sqlite3_changes64(st->db) : 0;
		return rc;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, field, what);
	sqlite3_bind_text(stmt, 1, st->snapshot_scope_value, -1,
			  SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE
		     ? 0
		     : store_fail_db(st, err, field, what);
	*changed = rc == 0 ? sqlite3_changes64(st->db) : 0;
	sqlite3_finalize(stmt);
	return rc;
}

static size_t key_count(const peil_schema *schema)
{
	size_t i, n = 0;

	for (i = 0; i < schema->field_count; i++)
		n += (schema->fields[i].flags & PEIL_FIELD_KEY) != 0;
	return n;
}

/* temp.peil_seen gets the key columns of the dataset, filled by
 * record_put (store_snapshot_note) during the snapshot. */
static int snapshot_sql(const peil_schema *schema, struct store_sql *create,
			struct store_sql *insert)
{
	size_t i, n = 0;

	store_sql_append(create, "DROP TABLE IF EXISTS temp.peil_seen;"
				 " CREATE TEMP TABLE peil_seen AS SELECT ");
	store_sql_append(insert, "INSERT INTO temp.peil_seen VALUES (");
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(create, n ? ", " : "");
		store_sql_ident(create, NULL, schema->fields[i].name);
		store_sql_append(insert, n++ ? ", ?" : "?");
	}
	store_sql_append(create, " FROM main.");
	store_sql_ident(create, "ds_", schema->name);
	store_sql_append(create, " WHERE 0");
	store_sql_append(insert, ")");
	return create->ok && insert->ok ? 0 : -1;
}

/* Begin a snapshot of schema's dataset, of the rows whose field
 * scope_field holds scope_value (scope_value NULL: of every row). */
static int snapshot_start(struct store *st, const peil_schema *schema,
			  size_t scope_field, const char *scope_value,
			  peil_error *err)
{
	struct store_sql create, insert;
	int64_t removed;
	int rc = -1;

	if (schema == NULL || !store_name_valid(schema->name))
		return st->svc->fail(err, st->path, 0, NULL,
				     "snapshot_begin needs a valid dataset");
	if (sqlite3_get_autocommit(st->db))
		return store_fail_of(st, err, "dataset", schema->name,
				     "snapshot_begin outside a batch");
	store_snapshot_forget(st);
	if (scope_value) {
		if (scope_field >= schema->field_count ||
		    schema->fields[scope_field].type != PEIL_TYPE_TEXT)
			return store_fail_of(st, err, "dataset", schema->name,
					     "a snapshot's scope must be a "
					     "text field of the dataset");
		st->snapshot_scope_field =
			strdup(schema->fields[scope_field].name);
		st->snapshot_scope_value = strdup(scope_value);
		if (!st->snapshot_scope_field || !st->snapshot_scope_value) {
			store_snapshot_forget(st);
			return store_fail_of(st, err, "dataset", schema->name,
					     "out of memory");
		}
	}
	store_sql_init(&create);
	store_sql_init(&insert);
	if (key_count(schema) == 0) {
		/* Nothing tells the rows of two exports apart: replace all
		 * (of the scope). */
		store_sql_append(&create, "DELETE FROM ");
		store_sql_ident(&create, "ds_", schema->name);
		scope_sql(st, &create, " WHERE ");
		rc = create.ok ? exec_scoped(st, create.text, &removed,
					     schema->name,
					     "cannot start the snapshot", err)
			       : store_fail_of(st, err, "dataset", schema->name,
					       "out of memory");
		store_snapshot_forget(st);
		goto out;
	}
	if (snapshot_sql(schema, &create, &insert) < 0) {
		store_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	if (store_exec(st, err, create.text, "cannot start the snapshot") < 0)
		goto out;
	if (sqlite3_prepare_v2(st->db, insert.text, -1, &st->snapshot_seen,
			       NULL) != SQLITE_OK) {
		store_fail_db(st, err, schema->name,
			      "cannot start the snapshot");
		goto out;
	}
	st->snapshot_name = strdup(schema->name);
	if (st->snapshot_name == NULL) {
		store_snapshot_forget(st);
		store_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		store_snapshot_forget(st);
	store_sql_release(&create);
	store_sql_release(&insert);
	return rc;
}

int store_snapshot_begin(void *state, const peil_schema *schema,
			 peil_error *err)
{
	return snapshot_start(state, schema, 0, NULL, err);
}

int store_snapshot_scope_begin(void *state, const peil_schema *schema,
			       size_t scope_field, const char *scope_value,
			       peil_error *err)
{
	struct store *st = state;

	if (scope_value == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "snapshot_scope_begin needs a scope");
	return snapshot_start(st, schema, scope_field, scope_value, err);
}

/* Remember the key of a record that record_put stored, when a snapshot of
 * its dataset is open.  Key values were bound and checked by the put. */
int store_snapshot_note(struct store *st, const peil_schema *schema,
			const peil_value *values, peil_error *err)
{
	sqlite3_stmt *stmt = st->snapshot_seen;
	size_t i;
	int col = 1, rc;

	if (stmt == NULL || strcmp(st->snapshot_name, schema->name) != 0)
		return 0;
	for (i = 0; i < schema->field_count; i++) {
		const peil_value *v = &values[i];

		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		switch (v->type) {
		case PEIL_TYPE_TEXT:
			sqlite3_bind_text(stmt, col, v->as.text, (int)v->len,
					  SQLITE_STATIC);
			break;
		case PEIL_TYPE_INTEGER:
			sqlite3_bind_int64(stmt, col, v->as.integer);
			break;
		case PEIL_TYPE_REAL:
			sqlite3_bind_double(stmt, col, v->as.real);
			break;
		case PEIL_TYPE_DATE:
			sqlite3_bind_int(stmt, col, v->as.date);
			break;
		case PEIL_TYPE_BOOLEAN:
			sqlite3_bind_int(stmt, col, v->as.boolean != 0);
			break;
		default:
			sqlite3_bind_null(stmt, col);
		}
		col++;
	}
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);	/* no pointer into the caller */
	return rc == SQLITE_DONE ? 0
				 : store_fail_db(st, err, schema->name,
						 "cannot note the snapshot key");
}

int store_snapshot_end(void *state, const peil_schema *schema,
		       int64_t *removed, peil_error *err)
{
	struct store *st = state;
	struct store_sql sql;
	size_t i, n = 0;
	int rc = -1;

	*removed = 0;
	if (schema == NULL || !store_name_valid(schema->name))
		return st->svc->fail(err, st->path, 0, NULL,
				     "snapshot_end needs a valid dataset");
	if (key_count(schema) == 0)
		return 0;	/* emptied by snapshot_begin */
	if (st->snapshot_name == NULL ||
	    strcmp(st->snapshot_name, schema->name) != 0)
		return store_fail_of(st, err, "dataset", schema->name,
				     "snapshot_end without snapshot_begin");
	/* DELETE FROM "ds_x" WHERE ("k") NOT IN (SELECT * FROM peil_seen) */
	store_sql_init(&sql);
	store_sql_append(&sql, "DELETE FROM main.");
	store_sql_ident(&sql, "ds_", schema->name);
	store_sql_append(&sql, " WHERE (");
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(&sql, n++ ? ", " : "");
		store_sql_ident(&sql, NULL, schema->fields[i].name);
	}
	store_sql_append(&sql, ") NOT IN (SELECT * FROM temp.peil_seen)");
	scope_sql(st, &sql, " AND ");
	if (!sql.ok) {
		store_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	if (exec_scoped(st, sql.text, removed, schema->name,
			"cannot remove the rows missing from the snapshot",
			err) < 0)
		goto out;
	rc = store_exec(st, err, "DROP TABLE temp.peil_seen",
			"cannot end the snapshot");
out:
	store_sql_release(&sql);
	store_snapshot_forget(st);
	return rc;
}

/* ------------------------------------------------------------- reading */

/* The last ingest id that run_id saw; for run 0, the last one there is. */
static int run_mark(struct store *st, int64_t run_id, int64_t *mark,
		    peil_error *err)
{
	static const char of_run[] =
		"SELECT coalesce(last_ingest, 0) FROM peil_run WHERE id = ?";
	static const char now[] =
		"SELECT coalesce(max(id), 0) FROM peil_ingest";
	int found;

	if (store_query_int64(st, run_id ? of_run : now, run_id != 0, run_id,
			      mark, &found, err, "cannot read the runs") < 0)
		return -1;
	if (!found)
		return st->svc->fail(err, st->path, 0, NULL,
				     "no run %" PRId64, run_id);
	return 0;
}

int store_run_last_ingest(void *state, int64_t run_id, int64_t *ingest_id,
			  peil_error *err)
{
	struct store *st = state;

	*ingest_id = 0;
	if (run_id <= 0)
		return st->svc->fail(err, st->path, 0, NULL,
				     "run_last_ingest needs a run id");
	return run_mark(st, run_id, ingest_id, err);
}

/* UNION ALL SELECT <added>, '<name>', <key>, 'added' FROM ds_<name>
 * WHERE <added> in the range: the rows still there, added in it. */
static int added_sql(struct store *st, const char *name,
		     const peil_field *fields, size_t count, void *ctx,
		     peil_error *err)
{
	struct store_sql *sql = ctx;

	(void)st;
	(void)err;
	store_sql_append(sql, " UNION ALL SELECT d." STORE_ADDED_COLUMN ", '");
	store_sql_append(sql, name);
	store_sql_append(sql, "', ");
	store_changes_key(sql, "d", fields, count);
	store_sql_append(sql, ", 'added' FROM main.");
	store_sql_ident(sql, "ds_", name);
	store_sql_append(sql, " AS d WHERE d." STORE_ADDED_COLUMN " > ?1 AND d."
			      STORE_ADDED_COLUMN " <= ?2");
	return 0;
}

struct changes_call {
	int (*fn)(void *ctx, const peil_input_change *change);
	void *ctx;
};

static int change_row(void *ctx, sqlite3_stmt *stmt)
{
	const struct changes_call *call = ctx;
	peil_input_change c = {
		.ingest_id = sqlite3_column_int64(stmt, 0),
		.dataset = store_column_text(stmt, 1),
		.key = store_column_text(stmt, 2),
		.kind = store_column_text(stmt, 3),
		.path = store_column_text(stmt, 4),
	};

	return call->fn(call->ctx, &c);
}

int store_input_changes_scan(void *state, int64_t from_run, int64_t to_run,
			     int (*fn)(void *ctx,
				       const peil_input_change *change),
			     void *ctx, peil_error *err)
{
	struct store *st = state;
	struct store_sql sql;
	struct changes_call call = { fn, ctx };
	sqlite3_stmt *stmt = NULL;
	int64_t from, to;
	int rc = -1;

	from = 0;	/* from_run 0: from the first ingest */
	if ((from_run && run_mark(st, from_run, &from, err) < 0) ||
	    run_mark(st, to_run, &to, err) < 0)
		return -1;
	store_sql_init(&sql);
	store_sql_append(&sql, "SELECT c.ingest_id, c.dataset, c.key, c.kind,"
			       " i.path FROM (SELECT ingest_id, dataset, key,"
			       " kind FROM peil_change WHERE ingest_id > ?1"
			       " AND ingest_id <= ?2");
	if (store_datasets_each(st, added_sql, &sql, err) != 0)
		goto out;
	store_sql_append(&sql, ") AS c LEFT JOIN peil_ingest i"
			       " ON i.id = c.ingest_id"
			       " ORDER BY c.dataset, c.key, c.ingest_id");
	if (!sql.ok) {
		st->svc->fail(err, st->path, 0, NULL, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql.text, -1, &stmt, NULL) != SQLITE_OK) {
		store_fail_db(st, err, NULL, "cannot read the change log");
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, to);
	rc = store_rows_each(st, stmt, change_row, &call, err,
			     "cannot read the change log");
	stmt = NULL;	/* finalized */
out:
	sqlite3_finalize(stmt);
	store_sql_release(&sql);
	return rc;
}
