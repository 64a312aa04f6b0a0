/*
 * pg_dataset.c - datasets: creating and checking a dataset's table
 * (dataset_ensure), and storing records in it (records_put).
 *
 * A dataset <name> is the table ds_<name>, one column of the field's own
 * type per field (text in byte order, bigint, double precision, date,
 * boolean), with a PRIMARY KEY over the key fields.  A dataset without
 * key fields gets the column "peil.row", an identity, as its key, which
 * keeps the order in which rows were stored.  The table is its own
 * description: dataset_ensure reads the columns and the primary key from
 * the catalog, so a table changed by hand is refused saying what differs.
 * A field dropped from the config keeps its column, so that one added back
 * must come back with its old type.
 *
 * Records go in as binary COPY data (COPY ... FROM STDIN (FORMAT
 * binary)), which records_put gathers per dataset and pg_flush sends a
 * few megabytes at a time, when the batch commits and before anything
 * reads.  Inside a batch, outside a shared store (whose row-level
 * security COPY does not pass) and outside a snapshot of the dataset
 * (which notes the keys it stored), while nothing of the dataset is
 * staged, they go straight into the dataset's table under a savepoint:
 * the primary key refuses a key that is stored, or that the same data
 * gives twice, and then they go, from that COPY on until the next flush,
 * into a staging table per dataset on the connection
 * (pg_temp.peil_stage_<name>, the dataset's columns, the COPY's ingest
 * id, unused, and a sequence number), from which the flush moves them into the dataset's table with
 * one statement per dataset (an UPDATE of the stored keys that differ
 * and an INSERT of the others, from SELECT DISTINCT ON (key), the last
 * record of a key winning).  Both ways store the same rows: the rows
 * that went straight in are older than any staged one, and carry the
 * batch's ingest id, so that the UPDATE of a key among them logs no
 * change, as the INSERT of the key's last record would not have.  A
 * first load, the usual ingest of new cases, so costs one COPY into the
 * table; an ingest of changes, one refused COPY (up to the first stored
 * key) more than staging alone.  Records staged without a refused COPY
 * (a shared store, a snapshot) are first tried as new: one plain INSERT
 * from the staging table under a savepoint, the UPDATE and INSERT only
 * when the key refuses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* The bytes of COPY data handed to libpq at a time. */
#define PUT_CHUNK (1024 * 1024)

/* The bytes of a dataset's COPY data gathered before they are sent (a
 * few COPY statements, and savepoints, per large file). */
#define SEND_AT (4 * 1024 * 1024)

/* The start of binary COPY data: the signature, no flags, no header
 * extension. */
static const char copy_header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

/* PostgreSQL's dates count days from 2000-01-01, peil's from
 * 1970-01-01. */
#define PG_DATE_EPOCH 10957

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
	size_t i;

	if (schema == NULL || schema->name == NULL ||
	    !pg_name_valid(schema->name))
		return st->svc->fail(err, st->where, 0, NULL,
				     "dataset name \"%s\" is not valid: use "
				     "a-z, 0-9 and _, not first a digit, at "
				     "most %d",
				     schema && schema->name ? schema->name : "",
				     PG_NAME_MAX);
	if (schema->field_count == 0 || schema->fields == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "dataset %s has no fields", schema->name);
	for (i = 0; i < schema->field_count; i++) {
		const peil_field *f = &schema->fields[i];

		if (!pg_name_valid(f->name))
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field name \"%s\" is "
					     "not valid", schema->name,
					     f->name ? f->name : "");
		if (pg_sql_type(f->type) == NULL)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field %s has no "
					     "storable type", schema->name,
					     f->name);
	}
	return 0;
}

/* ------------------------------------------------------------ the table */

/* The peil type of a column type as format_type() gives it, or 0. */
static peil_type type_of_column(const char *sql_type)
{
	static const struct {
		const char *name;
		peil_type type;
	} types[] = {
		{ "text", PEIL_TYPE_TEXT },
		{ "bigint", PEIL_TYPE_INTEGER },
		{ "double precision", PEIL_TYPE_REAL },
		{ "date", PEIL_TYPE_DATE },
		{ "boolean", PEIL_TYPE_BOOLEAN },
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, sql_type) == 0)
			return types[i].type;
	return PEIL_TYPE_NULL;
}

/* In a shared store the owner creates and changes the datasets' tables:
 * a tenant's role owns none, or it could turn the policies off. */
#define OWNER_DOES " (in a shared store the store's owner does: peil check " \
		   "as the owner)"

static int table_create(struct store *st, const peil_schema *schema,
			peil_error *err)
{
	struct pg_sql sql;
	size_t i, keys = 0;
	int rc;

	pg_sql_init(&sql);
	pg_sql_append(&sql, "CREATE TABLE ");
	pg_sql_ident(&sql, "ds_", schema->name);
	pg_sql_append(&sql, " (");
	for (i = 0; i < schema->field_count; i++) {
		pg_sql_ident(&sql, NULL, schema->fields[i].name);
		pg_sql_printf(&sql, " %s, ", pg_sql_type(schema->fields[i].type));
	}
	pg_sql_append(&sql, PG_ADDED_COLUMN " bigint");
	pg_tenant_column(st, &sql);
	pg_sql_append(&sql, ", PRIMARY KEY (");
	pg_tenant_key(st, &sql);
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(&sql, keys++ ? ", " : "");
		pg_sql_ident(&sql, NULL, schema->fields[i].name);
	}
	if (keys == 0) {
		/* A column after the PRIMARY KEY clause is fine in SQL. */
		pg_sql_append(&sql, PG_ROW_COLUMN "), " PG_ROW_COLUMN);
		pg_tenant_id(st, &sql, "ds_", schema->name, "peil.row");
	}
	pg_sql_append(&sql, keys ? "))" : ")");
	rc = sql.ok ? pg_query(st, sql.text, 0, NULL, NULL, err, schema->name,
			       st->tenant ? "cannot create the dataset's table"
					    OWNER_DOES
				     : "cannot create the dataset's table")
		    : pg_fail_of(st, err, "dataset", schema->name,
				    "out of memory");
	pg_sql_release(&sql);
	if (rc == 0) {
		char what[PG_NAME_MAX + 64];

		snprintf(what, sizeof(what), "dataset %s: cannot protect the "
			 "dataset's table", schema->name);
		/* The dataset's name whole, for a table whose name
		 * pg_ident_of shortened (pg_changes.c reads it). */
		pg_sql_append(&sql, "COMMENT ON TABLE ");
		pg_sql_ident(&sql, "ds_", schema->name);
		pg_sql_printf(&sql, " IS '" PG_DATASET_COMMENT "%s';",
			      schema->name);
		pg_outside_watch(st, &sql, schema->name);
		pg_tenant_protect(st, &sql, "ds_", schema->name);
		if (keys == 0 && st->tenant)
			pg_tenant_row_counted(st, &sql, schema->name);
		rc = sql.ok ? pg_exec(st, sql.text, err, what)
			    : pg_fail_of(st, err, "dataset", schema->name,
					 "out of memory");
		pg_sql_release(&sql);
	}
	return rc;
}

static int column_add(struct store *st, const peil_schema *schema,
		      const peil_field *f, peil_error *err)
{
	char label[256];
	struct pg_sql sql;
	int rc;

	pg_sql_init(&sql);
	pg_sql_append(&sql, "ALTER TABLE ");
	pg_sql_ident(&sql, "ds_", schema->name);
	pg_sql_append(&sql, " ADD COLUMN ");
	pg_sql_ident(&sql, NULL, f->name);
	pg_sql_printf(&sql, " %s", pg_sql_type(f->type));
	rc = pg_query(st, sql.ok ? sql.text : "", 0, NULL, NULL, err,
		      field_label(label, sizeof(label), schema->name, f->name),
		      st->tenant ? "cannot add the field" OWNER_DOES
			 : "cannot add the field");
	pg_sql_release(&sql);
	return rc;
}

/* Fit the stored table to schema: a new non-key field becomes a column; a
 * field whose type or key differs, a stored key field that is gone, or a
 * column of a type Peil never makes is refused. */
static int table_fit(struct store *st, const peil_schema *schema,
		     PGresult *cols, peil_error *err)
{
	int n = PQntuples(cols), r;
	size_t i;

	for (r = 0; r < n; r++) {
		const char *name = PQgetvalue(cols, r, 0);
		const char *type = PQgetvalue(cols, r, 1);
		int key = PQgetvalue(cols, r, 2)[0] == 't';

		if (strcmp(name, "peil.row") == 0 ||
		    strcmp(name, "peil.added") == 0 ||
		    strcmp(name, "peil.tenant") == 0)
			continue;
		if (type_of_column(type) == PEIL_TYPE_NULL)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: column %s is of type "
					     "%s, which Peil never makes (was "
					     "the table changed by hand?)",
					     schema->name, name, type);
		for (i = 0; i < schema->field_count; i++)
			if (strcmp(schema->fields[i].name, name) == 0)
				break;
		if (i == schema->field_count) {
			if (key)
				return st->svc->fail(err, st->where, 0, NULL,
						     "dataset %s: key field %s "
						     "is missing: the key of a "
						     "stored dataset cannot "
						     "change", schema->name,
						     name);
			continue;
		}
		if (type_of_column(type) != schema->fields[i].type)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field %s is stored "
					     "as %s, not %s", schema->name,
					     name,
					     pg_type_name(type_of_column(type)),
					     pg_type_name(schema->fields[i].type));
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY) != !key)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field %s is %s the "
					     "key in the stored dataset: the "
					     "key cannot change", schema->name,
					     name, key ? "part of" : "not part of");
	}
	for (i = 0; i < schema->field_count; i++) {
		const peil_field *f = &schema->fields[i];

		for (r = 0; r < n; r++)
			if (strcmp(PQgetvalue(cols, r, 0), f->name) == 0)
				break;
		if (r < n)
			continue;
		if (f->flags & PEIL_FIELD_KEY)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: new key field %s: the "
					     "key of a stored dataset cannot "
					     "change", schema->name, f->name);
		if (column_add(st, schema, f, err) < 0)
			return -1;
	}
	return 0;
}

/* The columns of ds_<name>: name, format_type, part of the primary key,
 * the table's comment.  A table whose name pg_ident_of shortened names
 * its dataset in the comment: another dataset's there is a table of
 * another name cut the same way (a hash's collision) or one changed by
 * hand, refused. */
static int table_columns(struct store *st, const char *name, PGresult **out,
			 peil_error *err)
{
	static const char sql[] =
		"SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
		" coalesce(a.attnum = ANY (i.indkey), false),"
		" coalesce(obj_description(c.oid, 'pg_class'), '')"
		" FROM pg_attribute a"
		" JOIN pg_class c ON c.oid = a.attrelid"
		" JOIN pg_namespace n ON n.oid = c.relnamespace"
		" LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
		" WHERE n.nspname = $1 AND c.relname = $2"
		" AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
	char table[PG_IDENT_MAX + 1], comment[PG_NAME_MAX + 32];
	const char *params[2] = { st->schema, table };

	pg_ident_of(table, "ds_", name);
	if (pg_query(st, sql, 2, params, out, err, name,
		     "cannot read the dataset's table") < 0)
		return -1;
	snprintf(comment, sizeof(comment), PG_DATASET_COMMENT "%s", name);
	if (PQntuples(*out) == 0 || strcmp(table + 3, name) == 0 ||
	    strcmp(PQgetvalue(*out, 0, 3), comment) == 0)
		return 0;
	return pg_fail_of(st, err, "dataset", name, "table %s holds %s, "
			  "not this dataset (was the table changed by hand?)",
			  table, PQgetvalue(*out, 0, 3)[0]
				  ? PQgetvalue(*out, 0, 3)
				  : "no dataset's name in its comment");
}

static void put_drop(struct store *st, const char *name);

int pg_dataset_ensure(void *state, const peil_schema *schema,
		      peil_error *err)
{
	struct store *st = state;
	char lock[160];
	const char *params[1] = { lock };
	PGresult *cols = NULL;
	int ok;

	if (schema_check(st, schema, err) < 0 || pg_flush(st, err) < 0 ||
	    pg_atomic_begin(st, err) < 0)
		return -1;
	/* One Peil at a time changes a dataset's table. */
	snprintf(lock, sizeof(lock), "peil dataset %s.%s", st->schema,
		 schema->name);
	ok = pg_query(st, "SELECT pg_advisory_xact_lock(hashtext($1))", 1,
		      params, NULL, err, schema->name,
		      "cannot lock the dataset") == 0 &&
	     table_columns(st, schema->name, &cols, err) == 0 &&
	     (PQntuples(cols) == 0 ? table_create(st, schema, err)
				   : table_fit(st, schema, cols, err)) == 0;
	PQclear(cols);
	put_drop(st, schema->name);
	return pg_atomic_end(st, ok, err);
}

/* ------------------------------------------------------------ staging */

static void put_free(struct pg_put *put)
{
	size_t i;

	if (put) {
		for (i = 0; put->fields && i < put->field_count; i++)
			free((char *)put->fields[i].name);
		free(put->name);
		free(put->fields);
		pg_sql_release(&put->buf);
		free(put);
	}
}

void pg_puts_free(struct store *st)
{
	struct pg_put *put, *next;

	for (put = st->puts; put; put = next) {
		next = put->next;
		put_free(put);
	}
	st->puts = NULL;
	pg_sql_release(&st->figures);
}

/* Forget the staging table of a dataset whose table changed (it is made
 * anew, with the new columns, by the next records_put). */
static void put_drop(struct store *st, const char *name)
{
	struct pg_put **at = &st->puts, *put;

	while ((put = *at) != NULL) {
		if (strcmp(put->name, name) == 0) {
			*at = put->next;
			put_free(put);
		} else {
			at = &put->next;
		}
	}
}

static int put_fits(const struct pg_put *put, const peil_schema *schema)
{
	size_t i;

	if (strcmp(put->name, schema->name) != 0 ||
	    put->field_count != schema->field_count)
		return 0;
	for (i = 0; i < put->field_count; i++)
		if (strcmp(put->fields[i].name, schema->fields[i].name) != 0 ||
		    put->fields[i].type != schema->fields[i].type ||
		    ((put->fields[i].flags ^ schema->fields[i].flags) &
		     PEIL_FIELD_KEY))
			return 0;
	return 1;
}

static struct pg_put *put_new(struct store *st, const peil_schema *schema,
			      peil_error *err)
{
	char table[PG_IDENT_MAX + 1];
	const char *params[1] = { table };
	struct pg_put *put = calloc(1, sizeof(*put));
	PGresult *res = NULL;
	struct pg_sql sql;
	size_t i;

	pg_sql_init(&sql);
	if (put == NULL || (put->name = strdup(schema->name)) == NULL ||
	    (put->fields = calloc(schema->field_count,
				  sizeof(peil_field))) == NULL) {
		pg_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto fail;
	}
	put->field_count = schema->field_count;
	pg_sql_init(&put->buf);
	pg_sql_appendn(&put->buf, copy_header, sizeof(copy_header));
	if (!put->buf.ok) {
		pg_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto fail;
	}
	for (i = 0; i < schema->field_count; i++) {
		put->fields[i] = schema->fields[i];
		/* Copied: the caller's schema may go before the put. */
		put->fields[i].name = strdup(schema->fields[i].name);
		if (put->fields[i].name == NULL) {
			pg_fail_of(st, err, "dataset", schema->name,
				      "out of memory");
			goto fail;
		}
	}
	pg_ident_of(table, "ds_", schema->name);
	if (pg_query(st, "SELECT to_regclass(quote_ident($1))", 1,
		     params, &res, err, schema->name,
		     "cannot find the dataset's table") < 0)
		goto fail;
	if (PQgetisnull(res, 0, 0)) {
		pg_fail_of(st, err, "dataset", schema->name,
			      "no such table: %s (dataset_ensure first)",
			      table);
		goto fail;
	}
	pg_sql_append(&sql, "DROP TABLE IF EXISTS pg_temp.");
	pg_sql_ident(&sql, "peil_stage_", schema->name);
	pg_sql_append(&sql, "; CREATE TEMP TABLE ");
	pg_sql_ident(&sql, "peil_stage_", schema->name);
	pg_sql_append(&sql, " (\"peil.seq\" bigint GENERATED ALWAYS AS"
			    " IDENTITY");
	for (i = 0; i < schema->field_count; i++) {
		pg_sql_append(&sql, ", ");
		pg_sql_ident(&sql, NULL, schema->fields[i].name);
		pg_sql_printf(&sql, " %s", pg_sql_type(schema->fields[i].type));
	}
	pg_sql_append(&sql, ", " PG_ADDED_COLUMN " bigint)");
	if (!sql.ok || pg_exec(st, sql.text, err,
			       "cannot make the staging table") < 0)
		goto fail;
	PQclear(res);
	pg_sql_release(&sql);
	put->next = st->puts;
	st->puts = put;
	return put;
fail:
	PQclear(res);
	pg_sql_release(&sql);
	put_free(put);
	return NULL;
}

/* The staging table of schema, made anew for a schema of the same name
 * but other fields (after flushing what was staged). */
static struct pg_put *put_find(struct store *st, const peil_schema *schema,
			       peil_error *err)
{
	struct pg_put *put;

	for (put = st->puts; put; put = put->next)
		if (put_fits(put, schema))
			return put;
	if (pg_flush(st, err) < 0)
		return NULL;
	put_drop(st, schema->name);
	return put_new(st, schema, err);
}

/* Append v, of bytes big-endian bytes, to buf: COPY's binary integers. */
static void copy_int(struct pg_sql *buf, uint64_t v, int bytes)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
	pg_sql_appendn(buf, (const char *)b, (size_t)bytes);
}

/* Append one value as a field of binary COPY data: its length (-1 for
 * NULL), then its bytes as PostgreSQL's binary input of the column's type
 * reads them; 0, or -1 with err. */
static int copy_value(struct store *st, const peil_schema *schema, size_t i,
		      const peil_value *v, struct pg_sql *buf,
		      peil_error *err)
{
	const peil_field *f = &schema->fields[i];
	uint64_t bits;

	if (pg_value_is_null(v)) {
		if (f->flags & PEIL_FIELD_KEY)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: key field %s is "
					     "missing", schema->name, f->name);
		copy_int(buf, UINT32_MAX, 4);
		return 0;
	}
	if (v->type != f->type)
		return st->svc->fail(err, st->where, 0, NULL,
				     "dataset %s: field %s is %s, the value is "
				     "%s", schema->name, f->name,
				     pg_type_name(f->type),
				     pg_type_name(v->type) ? pg_type_name(v->type)
							   : "of no known type");
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		if (v->len > INT32_MAX ||
		    memchr(v->as.text, '\0', v->len) != NULL)
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field %s: a text %s",
					     schema->name, f->name,
					     v->len > INT32_MAX
						     ? "of more than 2 GB"
						     : "with a NUL byte");
		copy_int(buf, v->len, 4);
		pg_sql_appendn(buf, v->as.text, v->len);
		break;
	case PEIL_TYPE_INTEGER:
		copy_int(buf, 8, 4);
		copy_int(buf, (uint64_t)v->as.integer, 8);
		break;
	case PEIL_TYPE_REAL:
		memcpy(&bits, &v->as.real, sizeof(bits));
		copy_int(buf, 8, 4);
		copy_int(buf, bits, 8);
		break;
	case PEIL_TYPE_DATE:
		copy_int(buf, 4, 4);
		copy_int(buf, (uint32_t)((int64_t)v->as.date - PG_DATE_EPOCH),
			 4);
		break;
	case PEIL_TYPE_BOOLEAN:
		copy_int(buf, 1, 4);
		copy_int(buf, v->as.boolean ? 1 : 0, 1);
		break;
	case PEIL_TYPE_NULL:
		break;
	}
	return 0;
}

/* Whether res is an error of SQLSTATE state (NULL: none is). */
static int refused_by(const PGresult *res, const char *state)
{
	const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && got && strcmp(got, state) == 0;
}

/* Run sql (statements without rows): 0; 1 when the server refused it
 * with SQLSTATE tolerate (err untouched); else -1 with err. */
static int exec_unless(struct store *st, const char *sql,
		       const char *tolerate, peil_error *err)
{
	PGresult *res = PQexec(st->conn, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0
		 : refused_by(res, tolerate)
			 ? 1
			 : pg_fail_db(st, err, NULL, "cannot store the records",
				      res);

	PQclear(res);
	return rc;
}

/* COPY buf in with the statement copy: 0; 1 when the server refused it
 * with SQLSTATE tolerate (err untouched: the caller does something else);
 * else -1 with err "<what>: ...". */
static int copy_in(struct store *st, const char *copy, const struct pg_sql *buf,
		   const char *field, const char *what, const char *tolerate,
		   peil_error *err)
{
	PGresult *res;
	size_t at;
	int rc = 0;

	if (!buf->ok)
		return pg_fail_of(st, err, "dataset", field, "out of memory");
	res = PQexec(st->conn, copy);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		rc = pg_fail_db(st, err, field, what, res);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	for (at = 0; at < buf->len && rc == 0; at += PUT_CHUNK) {
		size_t n = buf->len - at < PUT_CHUNK ? buf->len - at : PUT_CHUNK;

		if (PQputCopyData(st->conn, buf->text + at, (int)n) != 1)
			rc = -1;
	}
	if (PQputCopyEnd(st->conn, rc ? "cancelled" : NULL) != 1)
		rc = -1;
	while ((res = PQgetResult(st->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0)
			rc = refused_by(res, tolerate)
				     ? 1
				     : pg_fail_db(st, err, field, what, res);
		PQclear(res);
	}
	if (rc < 0 && err->message[0] == '\0')
		pg_fail_db(st, err, field, what, NULL);
	return rc;
}

int pg_copy_in(struct store *st, const char *copy, const struct pg_sql *buf,
	       const char *field, const char *what, peil_error *err)
{
	return copy_in(st, copy, buf, field, what, NULL, err) < 0 ? -1 : 0;
}

/* COPY the data of put into the dataset's table (direct), where a key
 * that is stored (SQLSTATE 23505, unique_violation) gives 1, or into its
 * staging table; 0, or -1 with err. */
static int copy_to(struct store *st, const struct pg_put *put, int direct,
		   peil_error *err)
{
	struct pg_sql sql;
	size_t i;
	int rc;

	pg_sql_init(&sql);
	pg_sql_append(&sql, "COPY ");
	if (direct) {
		pg_sql_ident(&sql, "ds_", put->name);
	} else {
		pg_sql_append(&sql, "pg_temp.");
		pg_sql_ident(&sql, "peil_stage_", put->name);
	}
	pg_sql_append(&sql, " (");
	for (i = 0; i < put->field_count; i++) {
		pg_sql_ident(&sql, NULL, put->fields[i].name);
		pg_sql_append(&sql, ", ");
	}
	pg_sql_append(&sql, PG_ADDED_COLUMN ") FROM STDIN (FORMAT binary)");
	rc = sql.ok ? copy_in(st, sql.text, &put->buf, put->name,
			      "cannot store the records",
			      direct ? "23505" : NULL, err)
		    : pg_fail_of(st, err, "dataset", put->name,
				    "out of memory");
	pg_sql_release(&sql);
	return rc;
}

static size_t key_count(const struct pg_put *put)
{
	size_t i, keys = 0;

	for (i = 0; i < put->field_count; i++)
		keys += (put->fields[i].flags & PEIL_FIELD_KEY) != 0;
	return keys;
}

/* End the savepoint peil_new of an attempt that gave rc: 0 kept, 1 (a
 * key refused it) undone; rc, or -1 with err. */
static int savepoint_end(struct store *st, int rc, peil_error *err)
{
	if (rc == 1 && pg_exec(st, "ROLLBACK TO SAVEPOINT peil_new;"
				   " RELEASE SAVEPOINT peil_new", err,
			       "cannot store the records") < 0)
		return -1;
	if (rc == 0 && pg_exec(st, "RELEASE SAVEPOINT peil_new", err,
			       "cannot store the records") < 0)
		return -1;
	return rc;
}

/* Send the records gathered in put: straight into the dataset's table
 * when they may go there (the file's header comment), else, or when a
 * key of them is stored, into the staging table.  0, or -1 with err. */
static int put_send(struct store *st, struct pg_put *put, peil_error *err)
{
	int direct = st->in_batch && st->tenant == NULL && put->staged == 0 &&
		     !(st->snap_name && strcmp(st->snap_name, put->name) == 0);
	int rc = 1;

	if (put->buffered == 0)
		return 0;
	copy_int(&put->buf, UINT16_MAX, 2);	/* the end of the data */
	if (direct && key_count(put) == 0)
		rc = copy_to(st, put, 1, err);	/* no key to refuse it */
	else if (direct)
		rc = savepoint_end(st,
				   pg_exec(st, "SAVEPOINT peil_new", err,
					   "cannot store the records") < 0
					   ? -1
					   : copy_to(st, put, 1, err),
				   err);
	/* Refused: the staged records hold a key that is stored. */
	put->refused |= direct && rc == 1;
	if (rc == 1 && (rc = copy_to(st, put, 0, err)) == 0)
		put->staged += put->buffered;
	if (rc < 0)
		snprintf(err->field, sizeof(err->field), "%s", put->name);
	put->buf.len = sizeof(copy_header);
	put->buffered = 0;
	return rc;
}

int pg_records_put(void *state, const peil_schema *schema,
		   const peil_value *values, size_t count, size_t *stored,
		   peil_error *err)
{
	struct store *st = state;
	const size_t n = schema ? schema->field_count : 0;
	struct pg_put *put;
	size_t r, i;
	int failed = 0;

	*stored = 0;
	err->message[0] = '\0';
	if (schema_check(st, schema, err) < 0 ||
	    (put = put_find(st, schema, err)) == NULL)
		return -1;
	for (r = 0; r < count && !failed; r++) {
		size_t mark = put->buf.len;

		copy_int(&put->buf, n + 1, 2);
		for (i = 0; i < n && !failed; i++)
			failed = copy_value(st, schema, i, &values[r * n + i],
					    &put->buf, err) < 0;
		if (failed) {
			put->buf.len = mark;	/* only the records before it */
			break;
		}
		/* The batch's ingest id, which the rows that go straight
		 * into the dataset's table carry; staging ignores it. */
		copy_int(&put->buf, st->in_batch ? 8 : UINT32_MAX, 4);
		if (st->in_batch)
			copy_int(&put->buf, (uint64_t)st->batch_ingest, 8);
		put->buffered++;
	}
	*stored = r;
	if (!put->buf.ok) {
		put->buf.len = sizeof(copy_header);
		put->buffered = 0;
		put->buf.ok = 1;
		*stored = 0;
		return pg_fail_of(st, err, "dataset", put->name,
				     "out of memory");
	}
	if (put->buf.len >= SEND_AT && put_send(st, put, err) < 0)
		return -1;
	/* Outside a batch each call is a transaction of its own. */
	if (!st->in_batch && pg_flush(st, err) < 0)
		return -1;
	return failed ? -1 : 0;
}

int pg_record_put(void *state, const peil_schema *schema,
		  const peil_value *values, peil_error *err)
{
	size_t stored;

	return pg_records_put(state, schema, values, 1, &stored, err);
}

/* ---------------------------------------------------------------- flush */

/* Append "s.k1, s.k2" (prefix "s.") or "k1, k2" (prefix NULL): the
 * key fields of put. */
static size_t key_list(struct pg_sql *sql, const struct pg_put *put,
		       const char *prefix)
{
	size_t i, keys = 0;

	for (i = 0; i < put->field_count; i++) {
		if (!(put->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(sql, keys++ ? ", " : "");
		pg_sql_append(sql, prefix ? prefix : "");
		pg_sql_ident(sql, NULL, put->fields[i].name);
	}
	return keys;
}

/* Append "t.a IS DISTINCT FROM n.a OR ..." over the fields that are not
 * key fields (sep " OR "), or "a = n.a, ..." (sep ", "); 0 when there
 * are none. */
static size_t nonkey_sql(struct pg_sql *sql, const struct pg_put *put,
			 const char *old, const char *op, const char *new,
			 const char *sep)
{
	size_t i, n = 0;

	for (i = 0; i < put->field_count; i++) {
		if (put->fields[i].flags & PEIL_FIELD_KEY)
			continue;
		pg_sql_append(sql, n++ ? sep : "");
		if (old)
			pg_sql_printf(sql, "%s.", old);
		pg_sql_ident(sql, NULL, put->fields[i].name);
		pg_sql_printf(sql, " %s %s.", op, new);
		pg_sql_ident(sql, NULL, put->fields[i].name);
	}
	return n;
}

/* Append "ROW(alias.d1, ...)::text": the values of the fields that are
 * not key fields, as one text that tells NULL from an empty text and
 * writes a real as it reads back. */
static void row_text(struct pg_sql *sql, const struct pg_put *put,
		     const char *alias)
{
	size_t i, n = 0;

	pg_sql_append(sql, "ROW(");
	for (i = 0; i < put->field_count; i++) {
		if (put->fields[i].flags & PEIL_FIELD_KEY)
			continue;
		pg_sql_printf(sql, "%s%s.", n++ ? ", " : "", alias);
		pg_sql_ident(sql, NULL, put->fields[i].name);
	}
	pg_sql_append(sql, ")::text");
}

/* Append "t.k1 = n.k1 AND ...": a stored row t of the key of n (and,
 * in a shared store, of this tenant: the rows that n's would be). */
static void key_match(struct store *st, struct pg_sql *sql,
		      const struct pg_put *put)
{
	size_t i, keys = 0;

	if (st->tenant) {
		pg_sql_append(sql, "t." PG_TENANT_COLUMN " = (SELECT ");
		pg_sql_ident(sql, NULL, st->schema);
		pg_sql_append(sql, ".peil_current_tenant()) AND ");
	}

	for (i = 0; i < put->field_count; i++) {
		if (!(put->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(sql, keys++ ? " AND t." : "t.");
		pg_sql_ident(sql, NULL, put->fields[i].name);
		pg_sql_append(sql, " = n.");
		pg_sql_ident(sql, NULL, put->fields[i].name);
	}
}

/* One statement: the staged records, the last of each key (n), update
 * the stored rows of their key that differ, which are logged as
 * "changed" unless this ingest added them, with the row as it was (o,
 * the same row before the statement) and as it is now kept in
 * pg_temp.peil_before, the first old one of the batch winning, so that
 * the batch's commit drops the "changed" of a row that ended as it began
 * (pg_changes_settle); are noted in the open snapshot's peil_seen; and
 * the others are inserted, carrying the ingest's id:
 *
 *   WITH n AS (SELECT DISTINCT ON (s.k) s.k, s.d, ...
 *              FROM pg_temp.peil_stage_x s ORDER BY s.k, s."peil.seq" DESC),
 *        upd AS (UPDATE ds_x t SET d = n.d, ... FROM n, ds_x o
 *                WHERE t.k = n.k AND o.ctid = t.ctid AND (<differs>)
 *                RETURNING <key> AS k, t."peil.added" AS a,
 *                ROW(o.d, ...)::text AS b, ROW(t.d, ...)::text AS w),
 *        logged AS (INSERT INTO peil_change SELECT ING, 'x', k, 'changed'
 *                   FROM upd WHERE a IS DISTINCT FROM ING
 *                   ON CONFLICT DO NOTHING),
 *        kept AS (INSERT INTO pg_temp.peil_before SELECT 'x', k, b, w
 *                 FROM upd WHERE a IS DISTINCT FROM ING ON CONFLICT
 *                 (dataset, key) DO UPDATE SET now = excluded.now),
 *        seen AS (INSERT INTO pg_temp.peil_seen SELECT k FROM n)
 *   INSERT INTO ds_x (k, d, ..., "peil.added") SELECT n.k, n.d, ..., ING
 *   FROM n WHERE NOT EXISTS (SELECT 1 FROM ds_x t WHERE t.k = n.k);
 *   TRUNCATE pg_temp.peil_stage_x
 *
 * Every part sees the table as it was before the statement, so a key is
 * either updated or inserted.  Each is a probe of the primary key per
 * staged row (the planner's merge and hash joins, off for this
 * statement, would read the whole stored table for every file; not
 * sequential scans: that would cost the staging table's scan
 * PostgreSQL's "disabled" cost and so a JIT compilation, off as well, of
 * about 1.5 s), and the insert of a
 * new key a plain one: an INSERT ... ON CONFLICT DO UPDATE pays a
 * speculative insertion per row, about twice a plain insert.  Without
 * key fields the records are appended in their order.
 *
 * With new_only, where no stored key is known among the staged records
 * (they were staged for a shared store or a snapshot, not refused by the
 * dataset's table), n is the staged records as they are, all inserted
 * under a savepoint without a probe: 1 when the primary key refuses
 * that (a key stored or staged twice), and nothing of it stays. */
static int flush_one(struct store *st, struct pg_put *put, int64_t ingest,
		     int new_only, peil_error *err)
{
	struct pg_sql sql;
	size_t i, keys = key_count(put);
	int probe = keys && !new_only;
	int rc;

	pg_sql_init(&sql);
	if (probe && !st->before_made)
		pg_sql_append(&sql, PG_BEFORE_TABLE_SQL "; ");
	if (probe)
		pg_sql_append(&sql, "SET LOCAL enable_hashjoin = off;"
				    " SET LOCAL enable_mergejoin = off; ");
	pg_sql_append(&sql, "WITH n AS (SELECT ");
	if (probe) {
		pg_sql_append(&sql, "DISTINCT ON (");
		key_list(&sql, put, "s.");
		pg_sql_append(&sql, ") ");
	}
	for (i = 0; i < put->field_count; i++) {
		pg_sql_append(&sql, i ? ", s." : "s.");
		pg_sql_ident(&sql, NULL, put->fields[i].name);
	}
	pg_sql_append(&sql, ", s.\"peil.seq\" FROM pg_temp.");
	pg_sql_ident(&sql, "peil_stage_", put->name);
	pg_sql_append(&sql, " s");
	if (probe) {
		/* The last record of a key wins. */
		pg_sql_append(&sql, " ORDER BY ");
		key_list(&sql, put, "s.");
		pg_sql_append(&sql, ", s.\"peil.seq\" DESC");
	} else if (!keys) {
		pg_sql_append(&sql, " ORDER BY s.\"peil.seq\"");
	}
	pg_sql_append(&sql, ")");
	if (keys < put->field_count && probe) {
		pg_sql_append(&sql, ", upd AS (UPDATE ");
		pg_sql_ident(&sql, "ds_", put->name);
		pg_sql_append(&sql, " t SET ");
		nonkey_sql(&sql, put, NULL, "=", "n", ", ");
		pg_sql_append(&sql, " FROM n, ");
		pg_sql_ident(&sql, "ds_", put->name);
		pg_sql_append(&sql, " o WHERE ");
		key_match(st, &sql, put);
		pg_sql_append(&sql, " AND o.ctid = t.ctid AND (");
		nonkey_sql(&sql, put, "t", "IS DISTINCT FROM", "n", " OR ");
		pg_sql_append(&sql, ") RETURNING ");
		pg_key_text(&sql, "t", put->fields, put->field_count);
		pg_sql_append(&sql, " AS k, t." PG_ADDED_COLUMN " AS a, ");
		row_text(&sql, put, "o");
		pg_sql_append(&sql, " AS b, ");
		row_text(&sql, put, "t");
		pg_sql_printf(&sql, " AS w), logged AS (INSERT INTO peil_change"
				    " SELECT %lld, '%s', k, 'changed' FROM upd"
				    " WHERE a IS DISTINCT FROM %lld"
				    " ON CONFLICT DO NOTHING), kept AS (INSERT"
				    " INTO pg_temp.peil_before SELECT '%s', k,"
				    " b, w FROM upd WHERE a IS DISTINCT FROM"
				    " %lld ON CONFLICT (dataset, key) DO UPDATE"
				    " SET now = excluded.now)",
			      (long long)ingest, put->name, (long long)ingest,
			      put->name, (long long)ingest);
	}
	if (keys && st->snap_name && strcmp(st->snap_name, put->name) == 0) {
		pg_sql_append(&sql, ", seen AS (INSERT INTO pg_temp.peil_seen"
				    " SELECT ");
		key_list(&sql, put, NULL);
		pg_sql_append(&sql, " FROM n)");
	}
	pg_sql_append(&sql, " INSERT INTO ");
	pg_sql_ident(&sql, "ds_", put->name);
	pg_sql_append(&sql, " (");
	for (i = 0; i < put->field_count; i++) {
		pg_sql_ident(&sql, NULL, put->fields[i].name);
		pg_sql_append(&sql, ", ");
	}
	pg_sql_append(&sql, PG_ADDED_COLUMN ") SELECT ");
	for (i = 0; i < put->field_count; i++) {
		pg_sql_append(&sql, "n.");
		pg_sql_ident(&sql, NULL, put->fields[i].name);
		pg_sql_append(&sql, ", ");
	}
	pg_sql_printf(&sql, "%lld FROM n", (long long)ingest);
	if (probe) {
		pg_sql_append(&sql, " WHERE NOT EXISTS (SELECT 1 FROM ");
		pg_sql_ident(&sql, "ds_", put->name);
		pg_sql_append(&sql, " t WHERE ");
		key_match(st, &sql, put);
		pg_sql_append(&sql, "); RESET enable_hashjoin;"
				    " RESET enable_mergejoin");
	} else if (!keys) {
		pg_sql_append(&sql, " ORDER BY n.\"peil.seq\"");
	}
	pg_sql_append(&sql, "; TRUNCATE pg_temp.");
	pg_sql_ident(&sql, "peil_stage_", put->name);
	if (!sql.ok)
		rc = pg_fail_of(st, err, "dataset", put->name,
				   "out of memory");
	else if (new_only)
		rc = savepoint_end(st,
				   pg_exec(st, "SAVEPOINT peil_new", err,
					   "cannot store the records") < 0
					   ? -1
					   : exec_unless(st, sql.text, "23505",
							 err),
				   err);
	else
		rc = pg_exec(st, sql.text, err, "cannot store the records");
	if (rc < 0)
		snprintf(err->field, sizeof(err->field), "%s", put->name);
	pg_sql_release(&sql);
	if (rc == 0)
		put->staged = 0;
	if (rc == 0 && probe)
		st->before_made = 1;
	return rc;
}

int pg_flush(struct store *st, peil_error *err)
{
	struct pg_put *put;
	int64_t ingest = 0;
	int rc;

	if (pg_results_flush(st, err) < 0)
		return -1;
	for (put = st->puts; put; put = put->next)
		if (put_send(st, put, err) < 0)
			return -1;
	for (put = st->puts; put; put = put->next) {
		if (!put->staged)
			continue;
		if (ingest == 0 && (ingest = pg_ingest_now(st, err)) <= 0)
			return -1;
		/* A savepoint needs the batch's transaction. */
		rc = st->in_batch && key_count(put) && !put->refused
			     ? flush_one(st, put, ingest, 1, err)
			     : 1;
		if (rc == 1)
			rc = flush_one(st, put, ingest, 0, err);
		if (rc < 0)
			return -1;
		put->refused = 0;
	}
	return 0;
}
