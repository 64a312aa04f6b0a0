/*
 * sqlite_dataset.c - datasets: creating and evolving a dataset's table
 * (dataset_ensure), and storing records in it (record_put).
 *
 * A dataset <name> is the table ds_<name>, one column per field, with a
 * PRIMARY KEY over the key fields in a WITHOUT ROWID table, so that the key
 * is the table's own b-tree and an upsert touches one b-tree, not two.  A
 * dataset without key fields is a plain rowid table and every record_put
 * adds a row.
 *
 * peil_dataset keeps each dataset's description, one line per field:
 *
 *	<name> <type>[ key][ required]
 *
 * with the peil type ("date", "boolean"), which the column type (INTEGER)
 * does not tell.  It lists every field the table has ever had, so that a
 * field dropped from the config and added back must come back with its
 * old type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* "dataset, field F", or "dataset" without a field: the subject of a
 * message, after "dataset ". */
static const char *field_label(char *buf, size_t size, const char *dataset,
			       const char *field)
{
	if (field != NULL)
		snprintf(buf, size, "%s, field %s", dataset, field);
	else
		snprintf(buf, size, "%s", dataset);
	return buf;
}

/* Check the parts of a schema that SQL text is built from. */
static int schema_check(struct store *st, const peil_schema *schema,
			peil_error *err)
{
	size_t i, j;

	if (schema == NULL || schema->name == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "a dataset without a name");
	if (!store_name_valid(schema->name))
		return st->svc->fail(err, st->path, 0, NULL,
				     "dataset name \"%s\" is not valid: use a-z, "
				     "0-9 and _, not first a digit, at most %d",
				     schema->name, STORE_NAME_MAX);
	if (schema->field_count == 0 || schema->fields == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "dataset %s has no fields", schema->name);
	for (i = 0; i < schema->field_count; i++) {
		const peil_field *f = &schema->fields[i];

		if (!store_name_valid(f->name))
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: field name \"%s\" is "
					     "not valid: use a-z, 0-9 and _, "
					     "not first a digit, at most %d",
					     schema->name,
					     f->name ? f->name : "(null)",
					     STORE_NAME_MAX);
		if (store_sql_type(f->type) == NULL)
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: field %s has no "
					     "storable type (%d)", schema->name,
					     f->name, (int)f->type);
		for (j = 0; j < i; j++) {
			if (strcmp(schema->fields[j].name, f->name) == 0)
				return st->svc->fail(err, st->path, 0, NULL,
						     "dataset %s: field %s "
						     "appears twice",
						     schema->name, f->name);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ record_put */

static void put_free(struct store_put *put)
{
	if (put == NULL)
		return;
	sqlite3_finalize(put->stmt);
	sqlite3_finalize(put->many);
	sqlite3_finalize(put->fresh);
	free(put);
}

void store_puts_free(struct store *st)
{
	struct store_put *put, *next;

	for (put = st->puts; put != NULL; put = next) {
		next = put->next;
		put_free(put);
	}
	st->puts = NULL;
}

/* Forget the statement of a dataset whose table changes. */
static void put_drop(struct store *st, const char *name)
{
	struct store_put **link, *put;

	for (link = &st->puts; (put = *link) != NULL; link = &put->next) {
		if (strcmp(put->name, name) == 0) {
			*link = put->next;
			put_free(put);
			return;
		}
	}
}

/* Whether put was built for exactly this schema.  Run on every record, so
 * plain comparisons only: a few ns per field, beside a b-tree insert. */
static int put_fits(const struct store_put *put, const peil_schema *schema)
{
	size_t i;

	if (put->field_count != schema->field_count)
		return 0;
	for (i = 0; i < put->field_count; i++) {
		const peil_field *a = &put->fields[i], *b = &schema->fields[i];

		if (a->type != b->type || a->flags != b->flags ||
		    strcmp(a->name, b->name) != 0)
			return 0;
	}
	return 1;
}

/* INSERT INTO "ds_x" ("k", "a", "peil.added") VALUES (?, ?, ?)[, (?, ?, ?)...]
 *   ON CONFLICT ("k") DO UPDATE SET "a" = excluded."a"
 *   WHERE "a" IS NOT excluded."a"
 * Not INSERT OR REPLACE, which deletes and inserts: slower, and it would
 * take part in foreign keys and triggers as a delete.  The WHERE leaves a
 * row that the export repeats unchanged alone: no page to write, nothing
 * for the change log.  Rows are upserted one after the other, so a key
 * given twice in one statement ends with its last record.
 *
 * fresh: INSERT OR IGNORE INTO "ds_x" (...) VALUES (...)[, (...)...], the
 * first try of records_put (put_fresh). */
static int put_sql(const peil_schema *schema, size_t rows, int fresh,
		   struct store_sql *sql)
{
	size_t i, r, keys = 0, set = 0;

	store_sql_append(sql, fresh ? "INSERT OR IGNORE INTO " : "INSERT INTO ");
	store_sql_ident(sql, "ds_", schema->name);
	store_sql_append(sql, " (");
	for (i = 0; i < schema->field_count; i++) {
		store_sql_ident(sql, NULL, schema->fields[i].name);
		store_sql_append(sql, ", ");
	}
	store_sql_append(sql, STORE_ADDED_COLUMN ") VALUES ");
	for (r = 0; r < rows; r++) {
		store_sql_append(sql, r ? ", (" : "(");
		for (i = 0; i < schema->field_count; i++)
			store_sql_append(sql, "?, ");
		store_sql_append(sql, "?)");
	}
	if (fresh)
		return sql->ok ? 0 : -1;
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(sql, keys++ ? ", " : " ON CONFLICT (");
		store_sql_ident(sql, NULL, schema->fields[i].name);
	}
	if (keys == 0)
		return sql->ok ? 0 : -1;
	store_sql_append(sql, ") DO ");
	for (i = 0; i < schema->field_count; i++) {
		if (schema->fields[i].flags & PEIL_FIELD_KEY)
			continue;
		store_sql_append(sql, set++ ? ", " : "UPDATE SET ");
		store_sql_ident(sql, NULL, schema->fields[i].name);
		store_sql_append(sql, " = excluded.");
		store_sql_ident(sql, NULL, schema->fields[i].name);
	}
	if (set == 0) {
		store_sql_append(sql, "NOTHING");	/* all key: same row */
		return sql->ok ? 0 : -1;
	}
	for (i = 0, set = 0; i < schema->field_count; i++) {
		if (schema->fields[i].flags & PEIL_FIELD_KEY)
			continue;
		store_sql_append(sql, set++ ? " OR " : " WHERE ");
		store_sql_ident(sql, NULL, schema->fields[i].name);
		store_sql_append(sql, " IS NOT excluded.");
		store_sql_ident(sql, NULL, schema->fields[i].name);
	}
	return sql->ok ? 0 : -1;
}

/* The upsert of rows records of schema, or with fresh put_sql's insert. */
static int put_prepare(struct store *st, const peil_schema *schema,
		       size_t rows, int fresh, sqlite3_stmt **stmt,
		       peil_error *err)
{
	struct store_sql sql;
	int rc = 0;

	store_sql_init(&sql);
	if (put_sql(schema, rows, fresh, &sql) < 0)
		rc = store_fail_of(st, err, "dataset", schema->name,
				   "out of memory");
	else if (sqlite3_prepare_v3(st->db, sql.text, -1,
				    SQLITE_PREPARE_PERSISTENT, stmt,
				    NULL) != SQLITE_OK)
		rc = st->svc->fail(err, st->path, 0, NULL,
				   "cannot store records in dataset %s (was "
				   "it ensured with this schema?): %s",
				   schema->name, sqlite3_errmsg(st->db));
	store_sql_release(&sql);
	return rc;
}

static int put_before_trigger(struct store *st, const char *name,
			      peil_error *err);

/* A statement with a private copy of the schema, in one allocation. */
static struct store_put *put_new(struct store *st, const peil_schema *schema,
				 peil_error *err)
{
	struct store_put *put;
	size_t size, i;
	char *text;

	size = sizeof(*put) + schema->field_count * sizeof(peil_field) +
	       strlen(schema->name) + 1;
	for (i = 0; i < schema->field_count; i++)
		size += strlen(schema->fields[i].name) + 1;
	put = calloc(1, size);
	if (put == NULL) {
		store_fail_of(st, err, "dataset", schema->name, "out of memory");
		return NULL;
	}
	put->fields = (peil_field *)(put + 1);
	text = (char *)(put->fields + schema->field_count);
	put->name = strcpy(text, schema->name);
	text += strlen(text) + 1;
	put->field_count = schema->field_count;
	for (i = 0; i < schema->field_count; i++) {
		put->fields[i] = schema->fields[i];
		put->fields[i].name = strcpy(text, schema->fields[i].name);
		text += strlen(text) + 1;
	}

	if (put_prepare(st, schema, 1, 0, &put->stmt, err) < 0 ||
	    put_before_trigger(st, schema->name, err) < 0) {
		put_free(put);
		return NULL;
	}
	return put;
}

/* The statement for schema: the most recently used one first, as an
 * ingest puts many records into one dataset in a row. */
static struct store_put *put_find(struct store *st, const peil_schema *schema,
				  peil_error *err)
{
	struct store_put **link, *put;

	if (st->puts != NULL && schema != NULL && schema->name != NULL &&
	    strcmp(st->puts->name, schema->name) == 0 &&
	    put_fits(st->puts, schema))
		return st->puts;

	if (schema_check(st, schema, err) < 0)
		return NULL;
	for (link = &st->puts; (put = *link) != NULL; link = &put->next) {
		if (strcmp(put->name, schema->name) != 0)
			continue;
		*link = put->next;
		if (put_fits(put, schema))
			break;
		put_free(put);
		put = NULL;
		break;
	}
	if (put == NULL && (put = put_new(st, schema, err)) == NULL)
		return NULL;
	put->next = st->puts;
	st->puts = put;
	return put;
}

static int put_bind(struct store *st, const peil_schema *schema,
		    sqlite3_stmt *stmt, int col, size_t i, const peil_value *v,
		    peil_error *err)
{
	const peil_field *f = &schema->fields[i];

	int rc;

	if (store_value_is_null(v)) {
		if (!(f->flags & PEIL_FIELD_KEY))
			return sqlite3_bind_null(stmt, col);
		return st->svc->fail(err, st->path, 0, NULL,
				     "dataset %s: key field %s is missing",
				     schema->name, f->name);
	}
	if (v->type != f->type)
		return st->svc->fail(err, st->path, 0, NULL,
				     "dataset %s: field %s is %s, the value "
				     "is %s", schema->name, f->name,
				     store_type_name(f->type),
				     store_type_name(v->type)
					     ? store_type_name(v->type)
					     : "of no known type");
	rc = store_bind_value(stmt, col, v);
	if (rc != SQLITE_TOOBIG)
		return rc;
	return st->svc->fail(err, st->path, 0, NULL,
			     "dataset %s: field %s: a text of %zu bytes is "
			     "too long", schema->name, f->name, v->len);
}

/* Bind rows records (values, schema order) to stmt and run it. */
static int put_rows(struct store *st, const peil_schema *schema,
		    sqlite3_stmt *stmt, const peil_value *values, size_t rows,
		    peil_error *err)
{
	const size_t n = schema->field_count;
	int col = 1, rc;
	size_t r, i;

	for (r = 0; r < rows; r++, values += n) {
		for (i = 0; i < n; i++, col++) {
			rc = put_bind(st, schema, stmt, col, i, &values[i],
				      err);
			if (rc < 0)
				goto fail;
			if (rc != SQLITE_OK) {
				store_fail_db(st, err, schema->name,
					      "cannot bind a value");
				goto fail;
			}
		}
		/* Outside a batch, the row belongs to no ingest. */
		if (sqlite3_get_autocommit(st->db))
			rc = sqlite3_bind_null(stmt, col++);
		else
			rc = sqlite3_bind_int64(stmt, col++, st->batch_ingest);
		if (rc != SQLITE_OK) {
			store_fail_db(st, err, schema->name,
				      "cannot bind a value");
			goto fail;
		}
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE) {
		store_fail_db(st, err, schema->name, "cannot store a record");
		goto fail;
	}
	/* The texts stay bound (SQLITE_STATIC, into the caller's memory)
	 * but are never read again: every run binds every parameter. */
	sqlite3_reset(stmt);
	return 0;
fail:
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return -1;
}

/* Note the keys of stored records in an open snapshot. */
static int put_note(struct store *st, const peil_schema *schema,
		    const peil_value *values, size_t rows, peil_error *err)
{
	size_t r;

	for (r = 0; st->snapshot_seen != NULL && r < rows; r++)
		if (store_snapshot_note(st, schema,
					values + r * schema->field_count,
					err) < 0)
			return -1;
	return 0;
}

int store_record_put(void *state, const peil_schema *schema,
		     const peil_value *values, peil_error *err)
{
	struct store *st = state;
	struct store_put *put = put_find(st, schema, err);

	if (put == NULL || put_rows(st, schema, put->stmt, values, 1, err) < 0)
		return -1;
	return put_note(st, schema, values, 1, err);
}

/*
 * The first try at rows records of a keyed dataset: put->fresh, a plain
 * INSERT OR IGNORE of them.  1 when it stored them all (none of their
 * keys was stored before, none came twice); 0 when it did not, or was
 * not tried: then the upsert (put->many) stores them, and finds the rows
 * that this insert stored as they are, which it leaves alone (its WHERE),
 * so the store ends as if the upsert alone had run, change log included;
 * -1 with err when it failed and SQLite ended the batch with it.
 *
 * Why: the upsert may fail halfway (the change log's triggers), so SQLite
 * keeps a journal of each of its statements, which with 64 KiB pages goes
 * to a temporary file (storage_sqlite.c): the b-tree's rightmost pages,
 * about five a statement, 640 MB written at 1M narrow rows and a third of
 * the writer's time.  An insert that only ignores can fail halfway only
 * as the whole batch does (a full disk, an I/O error), so it keeps none.
 * Rows that were stored before cost an insert that ignores them: after a
 * block that was not all new, the next 1, 2, 4 ... up to 64 blocks skip
 * it (a re-export of rows stored before), and a block that was tries the
 * next one again.
 */
static int put_fresh(struct store *st, const peil_schema *schema,
		     struct store_put *put, const peil_value *values,
		     size_t rows, peil_error *err)
{
	const int in_batch = !sqlite3_get_autocommit(st->db);
	peil_error failure;
	int rc;

	if (put->fresh == NULL)
		return 0;
	if (put->fresh_skip > 0) {
		put->fresh_skip--;
		return 0;
	}
	rc = put_rows(st, schema, put->fresh, values, rows, &failure);
	if (rc == 0 && (size_t)sqlite3_changes64(st->db) == rows) {
		put->fresh_wait = 0;
		return 1;
	}
	if (rc < 0 && in_batch && sqlite3_get_autocommit(st->db)) {
		*err = failure;	/* the batch is gone */
		return -1;
	}
	put->fresh_wait = put->fresh_wait ? put->fresh_wait * 2 : 1;
	if (put->fresh_wait > STORE_FRESH_WAIT_MAX)
		put->fresh_wait = STORE_FRESH_WAIT_MAX;
	put->fresh_skip = put->fresh_wait;
	return 0;
}

/* Whether schema has a key field. */
static int schema_keyed(const peil_schema *schema)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++)
		if (schema->fields[i].flags & PEIL_FIELD_KEY)
			return 1;
	return 0;
}

/* As many rows per statement as fit SQLite's limit on parameters, up to
 * STORE_PUT_ROWS: one statement run costs about as much as storing a row,
 * so the rows share it. */
int store_records_put(void *state, const peil_schema *schema,
		      const peil_value *values, size_t count, size_t *stored,
		      peil_error *err)
{
	struct store *st = state;
	struct store_put *put = put_find(st, schema, err);
	const int in_batch = !sqlite3_get_autocommit(st->db);
	size_t done = 0, singly = 0, rows, limit;
	int fresh;

	*stored = 0;
	if (put == NULL)
		return -1;
	limit = (size_t)sqlite3_limit(st->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	rows = limit / (schema->field_count + 1);
	if (rows > STORE_PUT_ROWS)
		rows = STORE_PUT_ROWS;
	if (put->many == NULL && rows > 1 && count >= rows &&
	    (put_prepare(st, schema, rows, 0, &put->many, err) < 0 ||
	     (schema_keyed(schema) &&
	      put_prepare(st, schema, rows, 1, &put->fresh, err) < 0)))
		return -1;
	while (done < count) {
		const peil_value *at = values + done * schema->field_count;

		if (singly == 0 && put->many != NULL && count - done >= rows) {
			fresh = put_fresh(st, schema, put, at, rows, err);
			if (fresh < 0)
				return -1;
			if (fresh ||
			    put_rows(st, schema, put->many, at, rows,
				     err) == 0) {
				if (put_note(st, schema, at, rows, err) < 0)
					return -1;
				done += rows;
				*stored = done;
				continue;
			}
			/* A statement that fails changes nothing: its rows go
			 * again one by one, so the one at fault is known.
			 * Unless SQLite ended the batch (an I/O error, a full
			 * disk): then the rows would go in outside it. */
			if (in_batch && sqlite3_get_autocommit(st->db))
				return -1;
			singly = rows;
		}
		if (put_rows(st, schema, put->stmt, at, 1, err) < 0 ||
		    put_note(st, schema, at, 1, err) < 0)
			return -1;
		*stored = ++done;
		singly -= singly > 0;
	}
	return 0;
}

/* -------------------------------------------------------- dataset_ensure */

struct desc_field {
	char name[STORE_NAME_MAX + 1];
	peil_type type;
	unsigned flags;
};

struct desc {
	size_t count;
	size_t cap;
	struct desc_field *fields;
};

static void desc_release(struct desc *d)
{
	free(d->fields);
	d->fields = NULL;
	d->count = d->cap = 0;
}

static struct desc_field *desc_find(struct desc *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (strcmp(d->fields[i].name, name) == 0)
			return &d->fields[i];
	return NULL;
}

static int desc_add(struct desc *d, const char *name, size_t len,
		    peil_type type, unsigned flags)
{
	struct desc_field *grown;

	if (len > STORE_NAME_MAX)
		return -1;
	if (d->count == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		grown = realloc(d->fields, d->cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		d->fields = grown;
	}
	memcpy(d->fields[d->count].name, name, len);
	d->fields[d->count].name[len] = '\0';
	d->fields[d->count].type = type;
	d->fields[d->count].flags = flags;
	d->count++;
	return 0;
}

/* Parse "<name> <type>[ key][ required]" lines.  Returns 0, or -1 for a
 * description this plugin did not write. */
static int desc_parse(struct desc *d, const char *text)
{
	const char *line = text, *end, *word, *space;
	size_t name_len = 0;
	peil_type type = PEIL_TYPE_NULL;
	unsigned flags;
	int n;

	for (; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		flags = 0;
		for (word = line, n = 0; word < end; n++) {
			space = memchr(word, ' ', (size_t)(end - word));
			if (space == NULL)
				space = end;
			if (n == 0)
				name_len = (size_t)(space - word);
			else if (n == 1 &&
				 !store_type_parse(word, (size_t)(space - word),
						   &type))
				return -1;
			else if (n > 1 && space - word == 3 &&
				 memcmp(word, "key", 3) == 0)
				flags |= PEIL_FIELD_KEY;
			else if (n > 1 && space - word == 8 &&
				 memcmp(word, "required", 8) == 0)
				flags |= PEIL_FIELD_REQUIRED;
			else if (n > 1)
				return -1;
			word = space + (space < end);
		}
		if (n < 2 || desc_add(d, line, name_len, type, flags) < 0)
			return -1;
	}
	return 0;
}

static int desc_format(const struct desc *d, struct store_sql *out)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		store_sql_append(out, d->fields[i].name);
		store_sql_append(out, " ");
		store_sql_append(out, store_type_name(d->fields[i].type));
		if (d->fields[i].flags & PEIL_FIELD_KEY)
			store_sql_append(out, " key");
		if (d->fields[i].flags & PEIL_FIELD_REQUIRED)
			store_sql_append(out, " required");
		store_sql_append(out, "\n");
	}
	return out->ok ? 0 : -1;
}

/* The stored description of a dataset into *d (count 0 when there is
 * none), and whether its table exists. */
static int desc_load(struct store *st, const char *name, struct desc *d,
		     int *table_exists, peil_error *err)
{
	static const char sql[] =
		"SELECT (SELECT description FROM peil_dataset WHERE name = ?1),"
		" EXISTS (SELECT 1 FROM sqlite_master"
		"  WHERE type = 'table' AND name = 'ds_' || ?1)";
	sqlite3_stmt *stmt;
	const char *text;
	int rc = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, name,
				     "cannot read the dataset description");
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		store_fail_db(st, err, name,
			      "cannot read the dataset description");
		goto out;
	}
	*table_exists = sqlite3_column_int(stmt, 1);
	text = (const char *)sqlite3_column_text(stmt, 0);
	if (text != NULL && desc_parse(d, text) < 0) {
		st->svc->fail(err, st->path, 0, NULL,
			      "dataset %s: the description in peil_dataset "
			      "is not one this plugin wrote", name);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

static int desc_store(struct store *st, const char *name,
		      const struct desc *d, peil_error *err)
{
	static const char sql[] =
		"INSERT INTO peil_dataset (name, description) VALUES (?, ?)"
		" ON CONFLICT (name) DO UPDATE SET description = excluded.description";
	struct store_sql text;
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	store_sql_init(&text);
	if (desc_format(d, &text) < 0) {
		store_fail_of(st, err, "dataset", name, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		store_fail_db(st, err, name,
			      "cannot write the dataset description");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, text.text, (int)text.len, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		store_fail_db(st, err, name,
			      "cannot write the dataset description");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	store_sql_release(&text);
	return rc;
}

static int table_create(struct store *st, const peil_schema *schema,
			peil_error *err)
{
	struct store_sql sql;
	size_t i, keys = 0;

	store_sql_init(&sql);
	store_sql_append(&sql, "CREATE TABLE ");
	store_sql_ident(&sql, "ds_", schema->name);
	store_sql_append(&sql, " (");
	for (i = 0; i < schema->field_count; i++) {
		store_sql_append(&sql, i ? ", " : "");
		store_sql_ident(&sql, NULL, schema->fields[i].name);
		store_sql_append(&sql, " ");
		store_sql_append(&sql, store_sql_type(schema->fields[i].type));
	}
	store_sql_append(&sql, ", " STORE_ADDED_COLUMN " INTEGER");
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(&sql, keys++ ? ", " : ", PRIMARY KEY (");
		store_sql_ident(&sql, NULL, schema->fields[i].name);
	}
	/* Without a key, a row is known by its rowid, in the change log
	 * too: AUTOINCREMENT never gives a removed row's id to another. */
	store_sql_append(&sql, keys ? ")) WITHOUT ROWID"
				    : ", " STORE_ROW_COLUMN " INTEGER PRIMARY KEY"
				      " AUTOINCREMENT)");
	return store_sql_run(st, &sql, schema->name,
			     "cannot create the dataset's table", err);
}

static int column_add(struct store *st, const peil_schema *schema,
		      const peil_field *f, peil_error *err)
{
	char label[sizeof(err->field)];
	struct store_sql sql;

	store_sql_init(&sql);
	store_sql_append(&sql, "ALTER TABLE ");
	store_sql_ident(&sql, "ds_", schema->name);
	store_sql_append(&sql, " ADD COLUMN ");
	store_sql_ident(&sql, NULL, f->name);
	store_sql_append(&sql, " ");
	store_sql_append(&sql, store_sql_type(f->type));
	field_label(label, sizeof(label), schema->name, f->name);
	return store_sql_run(st, &sql, label, "cannot add the field", err);
}

/* Fit the stored dataset to schema: new non-key fields are added; a field
 * whose type or key flag differs, or a stored key field that is gone, is
 * refused, since the rows stored under the old meaning would be wrong under
 * the new one.  Sets *changed when the description must be written. */
#define DESC_FLAGS (PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED)

static int desc_evolve(struct store *st, const peil_schema *schema,
		       struct desc *d, int *changed, peil_error *err)
{
	struct desc_field *old;
	size_t i;
	unsigned key;

	for (i = 0; i < schema->field_count; i++) {
		const peil_field *f = &schema->fields[i];

		key = f->flags & PEIL_FIELD_KEY;
		old = desc_find(d, f->name);
		if (old == NULL && key)
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: new key field %s: "
					     "the key of a stored dataset "
					     "cannot change", schema->name,
					     f->name);
		if (old == NULL) {
			if (column_add(st, schema, f, err) < 0)
				return -1;
			if (desc_add(d, f->name, strlen(f->name), f->type,
				     f->flags) < 0)
				return st->svc->fail(err, st->path, 0, NULL,
						     "out of memory");
			*changed = 1;
			continue;
		}
		if (old->type != f->type)
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: field %s is stored "
					     "as %s, not %s", schema->name,
					     f->name, store_type_name(old->type),
					     store_type_name(f->type));
		if ((old->flags & PEIL_FIELD_KEY) != key)
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: field %s is %s the "
					     "key in the stored dataset: the "
					     "key cannot change", schema->name,
					     f->name, key ? "not part of"
							  : "part of");
		/* Only what the description keeps (key, required): a bsn
		 * field, text to the store, would otherwise be "changed" on
		 * every open, and a read-only store refused. */
		if ((old->flags ^ f->flags) & DESC_FLAGS) {
			old->flags = f->flags & DESC_FLAGS;
			*changed = 1;
		}
	}
	for (i = 0; i < d->count; i++) {
		const char *name = d->fields[i].name;
		size_t j;

		if (!(d->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		for (j = 0; j < schema->field_count; j++)
			if (strcmp(schema->fields[j].name, name) == 0)
				break;
		if (j == schema->field_count)
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: key field %s is "
					     "missing: the key of a stored "
					     "dataset cannot change",
					     schema->name, name);
	}
	return 0;
}

/* d's fields as peil_fields, their names pointing into d; NULL when out
 * of memory. */
static peil_field *desc_fields(const struct desc *d)
{
	peil_field *fields = calloc(d->count ? d->count : 1, sizeof(*fields));
	size_t i;

	for (i = 0; fields != NULL && i < d->count; i++) {
		fields[i].name = d->fields[i].name;
		fields[i].type = d->fields[i].type;
		fields[i].flags = d->fields[i].flags;
	}
	return fields;
}

/* The change log's TEMP trigger over every column the table has. */
static int put_before_trigger(struct store *st, const char *name,
			      peil_error *err)
{
	struct desc d = { 0 };
	peil_field *fields = NULL;
	int exists = 0, rc = -1;

	if (desc_load(st, name, &d, &exists, err) < 0)
		goto out;
	fields = desc_fields(&d);
	if (fields == NULL)
		store_fail_of(st, err, "dataset", name, "out of memory");
	else
		rc = store_changes_before_trigger(st, name, fields, d.count,
						  err);
out:
	free(fields);
	desc_release(&d);
	return rc;
}

/* The change log's triggers cover every column the table has: made anew
 * when the table changed, else only when missing (a store of schema
 * version 1), so that opening a store does not write to it. */
static int desc_triggers(struct store *st, const char *name,
			 const struct desc *d, int changed, peil_error *err)
{
	peil_field *fields;
	int exist = 0, rc;

	if (!changed &&
	    (store_changes_triggers_exist(st, name, &exist, err) < 0 || exist))
		return exist ? 0 : -1;
	fields = desc_fields(d);
	if (fields == NULL)
		return store_fail_of(st, err, "dataset", name, "out of memory");
	rc = store_changes_triggers(st, name, fields, d->count, err);
	free(fields);
	return rc;
}

/* One dataset at a time, the statement reset before fn runs: fn may
 * change tables (a DROP TABLE fails while a read is active). */
int store_datasets_each(struct store *st, store_dataset_fn fn, void *ctx,
			peil_error *err)
{
	static const char sql[] =
		"SELECT name, description FROM peil_dataset WHERE name > ?1"
		" ORDER BY name LIMIT 1";
	char name[STORE_NAME_MAX + 1] = "";
	struct desc d = { 0 };
	sqlite3_stmt *stmt;
	peil_field *fields;
	const char *got, *text;
	int step, rc = 0;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL,
				     "cannot read the dataset descriptions");
	while (rc == 0) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_TRANSIENT);
		step = sqlite3_step(stmt);
		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW) {
			rc = store_fail_db(st, err, NULL, "cannot read the "
					   "dataset descriptions");
			break;
		}
		got = (const char *)sqlite3_column_text(stmt, 0);
		text = (const char *)sqlite3_column_text(stmt, 1);
		desc_release(&d);
		if (got == NULL || text == NULL || !store_name_valid(got) ||
		    desc_parse(&d, text) < 0) {
			rc = store_fail_of(st, err, "dataset", got,
					   "the description in peil_dataset "
					   "is not one this plugin wrote");
			break;
		}
		snprintf(name, sizeof(name), "%s", got);
		sqlite3_reset(stmt);
		fields = desc_fields(&d);
		if (fields == NULL) {
			rc = store_fail_of(st, err, "dataset", name,
					   "out of memory");
			break;
		}
		rc = fn(st, name, fields, d.count, ctx, err);
		free(fields);
	}
	desc_release(&d);
	sqlite3_finalize(stmt);
	return rc;
}

/* A dataset without a key gets a table whose rowids are never used
 * again (table_create), with its rows under the ids they had. */
static void rebuild_sql(struct store_sql *sql, const char *name,
			const peil_field *fields, size_t count)
{
	size_t i;

	store_sql_append(sql, "INSERT INTO main.");
	store_sql_ident(sql, "ds_", name);
	store_sql_append(sql, " (" STORE_ROW_COLUMN);
	for (i = 0; i < count; i++) {
		store_sql_append(sql, ", ");
		store_sql_ident(sql, NULL, fields[i].name);
	}
	store_sql_append(sql, ") SELECT rowid");
	for (i = 0; i < count; i++) {
		store_sql_append(sql, ", ");
		store_sql_ident(sql, NULL, fields[i].name);
	}
	store_sql_append(sql, " FROM main.");
	store_sql_ident(sql, "peil_v3_", name);
	store_sql_append(sql, " ORDER BY rowid; DROP TABLE main.");
	store_sql_ident(sql, "peil_v3_", name);
}

static int upgrade_one(struct store *st, const char *name,
		       const peil_field *fields, size_t count, void *ctx,
		       peil_error *err)
{
	const peil_schema schema = { name, count, fields };
	struct store_sql sql;
	size_t i, keys = 0;
	int rc;

	(void)ctx;
	for (i = 0; i < count; i++)
		keys += (fields[i].flags & PEIL_FIELD_KEY) != 0;
	store_sql_init(&sql);
	if (keys) {
		store_sql_append(&sql, "ALTER TABLE main.");
		store_sql_ident(&sql, "ds_", name);
		store_sql_append(&sql, " ADD COLUMN " STORE_ADDED_COLUMN
				       " INTEGER");
	} else {
		/* The old triggers go first: a renamed table keeps them. */
		store_changes_drop(&sql, name);
		store_sql_append(&sql, "ALTER TABLE main.");
		store_sql_ident(&sql, "ds_", name);
		store_sql_append(&sql, " RENAME TO ");
		store_sql_ident(&sql, "peil_v3_", name);
	}
	rc = sql.ok ? store_exec(st, err, sql.text,
				 "cannot upgrade the dataset's table")
		    : store_fail_of(st, err, "dataset", name, "out of memory");
	store_sql_release(&sql);
	if (rc == 0 && !keys) {
		store_sql_init(&sql);
		rebuild_sql(&sql, name, fields, count);
		rc = table_create(st, &schema, err);
		if (rc == 0)
			rc = sql.ok ? store_exec(st, err, sql.text,
						 "cannot upgrade the dataset's "
						 "table")
				    : store_fail_of(st, err, "dataset", name,
						    "out of memory");
		store_sql_release(&sql);
	}
	return rc < 0 ? -1
		      : store_changes_triggers(st, name, fields, count, err);
}

int store_datasets_upgrade(struct store *st, peil_error *err)
{
	return store_datasets_each(st, upgrade_one, NULL, err);
}

static int ensure_in_savepoint(struct store *st, const peil_schema *schema,
			       peil_error *err)
{
	struct desc d = { 0 };
	int exists = 0, changed = 0, rc = -1;
	size_t i;

	if (desc_load(st, schema->name, &d, &exists, err) < 0)
		goto out;
	if (!exists) {
		desc_release(&d);
		for (i = 0; i < schema->field_count; i++) {
			const peil_field *f = &schema->fields[i];

			if (desc_add(&d, f->name, strlen(f->name), f->type,
				     f->flags) < 0) {
				store_fail_of(st, err, "dataset", schema->name,
					      "out of memory");
				goto out;
			}
		}
		if (table_create(st, schema, err) < 0)
			goto out;
		changed = 1;
	} else if (d.count == 0) {
		st->svc->fail(err, st->path, 0, NULL,
			      "dataset %s: table ds_%s exists but peil_dataset "
			      "does not describe it", schema->name,
			      schema->name);
		goto out;
	} else if (desc_evolve(st, schema, &d, &changed, err) < 0) {
		goto out;
	}
	rc = changed ? desc_store(st, schema->name, &d, err) : 0;
	if (rc == 0)
		rc = desc_triggers(st, schema->name, &d, changed, err);
out:
	desc_release(&d);
	return rc;
}

/* In a savepoint, so that it is atomic both inside a batch and alone. */
int store_dataset_ensure(void *state, const peil_schema *schema,
			 peil_error *err)
{
	struct store *st = state;

	if (schema_check(st, schema, err) < 0)
		return -1;
	put_drop(st, schema->name);
	if (store_exec(st, err, "SAVEPOINT peil_ensure",
		       "cannot ensure the dataset") < 0)
		return -1;
	if (ensure_in_savepoint(st, schema, err) < 0) {
		sqlite3_exec(st->db,
			     "ROLLBACK TO peil_ensure; RELEASE peil_ensure",
			     NULL, NULL, NULL);
		return -1;
	}
	return store_exec(st, err, "RELEASE peil_ensure",
			  "cannot ensure the dataset");
}
