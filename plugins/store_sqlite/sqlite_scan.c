/*
 * sqlite_scan.c - scan: the rows of a dataset that match a filter tree.
 *
 * The filter becomes the WHERE clause, so SQLite skips rows without
 * handing them to the host.  Field indexes are checked against the schema
 * and become quoted column names; every value is bound to a ? placeholder
 * and never enters the SQL text, so a value such as "' OR 1=1 --" is data.
 *
 * Rows come in key order (rowid order for a dataset without key fields):
 * the order of the table's own b-tree, so it costs no sort, and a report
 * built from a scan is the same every time.
 *
 * A scan reads each page of the table once, so SQLite's page cache, sized
 * for ingests whose keys come out of order (cache_size_mib, 32 MiB), would
 * only fill with pages never read again: fresh memory the kernel zeroes
 * page by page, per connection.  While a scan runs the cache is held to
 * SCAN_CACHE_KIB and then set back: at 1M cases that took the evaluation
 * from 153 to 89 MB and 43k to 27k page faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* SQLite refuses expressions deeper than 1000 (SQLITE_MAX_EXPR_DEPTH); a
 * real filter is a few levels, so a deep one is a bug in the caller. */
#define SCAN_FILTER_DEPTH_MAX 100

/* The page cache while a scan runs (SQLite's default is 2000 KiB). */
#define SCAN_CACHE_KIB 2048

struct scan_build {
	struct store *st;
	const peil_schema *schema;
	peil_error *err;
	struct store_sql sql;
	const peil_value **binds;	/* into the caller's filter tree */
	size_t bind_count;
	size_t bind_cap;
};

static int is_number(peil_type type)
{
	return type == PEIL_TYPE_INTEGER || type == PEIL_TYPE_REAL ||
	       type == PEIL_TYPE_DATE || type == PEIL_TYPE_BOOLEAN;
}

static int bind_push(struct scan_build *b, const peil_value *v)
{
	const peil_value **grown;

	if (b->bind_count == b->bind_cap) {
		b->bind_cap = b->bind_cap ? 2 * b->bind_cap : 8;
		grown = realloc(b->binds, b->bind_cap * sizeof(*grown));
		if (grown == NULL)
			return b->st->svc->fail(b->err, b->st->path, 0,
						b->schema->name,
						"out of memory");
		b->binds = grown;
	}
	b->binds[b->bind_count++] = v;
	return 0;
}

/* A text field compares with text, a number field (integer, real, date,
 * boolean) with any number: SQLite compares those numerically. */
static int filter_value_check(struct scan_build *b, const peil_field *f,
			      const peil_value *v)
{
	const char *vtype = store_type_name(v->type);

	if (store_value_is_null(v) ||
	    (f->type == PEIL_TYPE_TEXT && v->type == f->type) ||
	    (is_number(f->type) && is_number(v->type)))
		return 0;
	return b->st->svc->fail(b->err, b->st->path, 0, NULL,
				"dataset %s: filter compares field %s (%s) "
				"with %s value", b->schema->name, f->name,
				store_type_name(f->type),
				vtype ? vtype : "an unknown type of");
}

static const char *comparison_sql(peil_op op)
{
	switch (op) {
	case PEIL_OP_EQ:
		return " = ?)";
	case PEIL_OP_NE:
		return " <> ?)";
	case PEIL_OP_LT:
		return " < ?)";
	case PEIL_OP_LE:
		return " <= ?)";
	case PEIL_OP_GT:
		return " > ?)";
	case PEIL_OP_GE:
		return " >= ?)";
	case PEIL_OP_IS_NULL:
		return " IS NULL)";
	case PEIL_OP_NOT_NULL:
		return " IS NOT NULL)";
	case PEIL_OP_AND:
	case PEIL_OP_OR:
		break;
	}
	return NULL;
}

static int filter_sql(struct scan_build *b, const peil_filter *f, int depth)
{
	const peil_services *svc = b->st->svc;
	const char *name = b->schema->name;
	const char *tail;
	size_t i;

	if (depth > SCAN_FILTER_DEPTH_MAX)
		return svc->fail(b->err, b->st->path, 0, NULL,
				 "dataset %s: filter nested deeper than %d",
				 name, SCAN_FILTER_DEPTH_MAX);
	if (f->op == PEIL_OP_AND || f->op == PEIL_OP_OR) {
		/* The empty AND is true and the empty OR false, as in
		 * logic; SQL has no empty conjunction to say it. */
		if (f->child_count == 0) {
			store_sql_append(&b->sql, f->op == PEIL_OP_AND ? "1"
								       : "0");
			return 0;
		}
		if (f->children == NULL)
			return svc->fail(b->err, b->st->path, 0, NULL,
					 "dataset %s: filter has %zu children "
					 "but no array", name, f->child_count);
		store_sql_append(&b->sql, "(");
		for (i = 0; i < f->child_count; i++) {
			if (i)
				store_sql_append(&b->sql,
						 f->op == PEIL_OP_AND ? " AND "
								      : " OR ");
			if (filter_sql(b, &f->children[i], depth + 1) < 0)
				return -1;
		}
		store_sql_append(&b->sql, ")");
		return 0;
	}
	tail = comparison_sql(f->op);
	if (tail == NULL)
		return svc->fail(b->err, b->st->path, 0, NULL,
				 "dataset %s: filter has unknown operator %d",
				 name, (int)f->op);
	if (f->field >= b->schema->field_count)
		return svc->fail(b->err, b->st->path, 0, NULL,
				 "dataset %s: filter names field %zu; the "
				 "dataset has %zu", name, f->field,
				 b->schema->field_count);
	store_sql_append(&b->sql, "(");
	store_sql_ident(&b->sql, NULL, b->schema->fields[f->field].name);
	store_sql_append(&b->sql, tail);
	if (f->op == PEIL_OP_IS_NULL || f->op == PEIL_OP_NOT_NULL)
		return 0;
	if (filter_value_check(b, &b->schema->fields[f->field], &f->value) < 0)
		return -1;
	return bind_push(b, &f->value);
}

static int scan_sql(struct scan_build *b, const peil_filter *filter,
		    const size_t *projection, size_t count)
{
	const peil_schema *schema = b->schema;
	size_t i, keys = 0;

	store_sql_append(&b->sql, "SELECT ");
	for (i = 0; i < count; i++) {
		size_t field = projection ? projection[i] : i;

		if (field >= schema->field_count)
			return b->st->svc->fail(b->err, b->st->path, 0, NULL,
						"dataset %s: projection names "
						"field %zu; the dataset has %zu",
						schema->name, field,
						schema->field_count);
		store_sql_append(&b->sql, i ? ", " : "");
		store_sql_ident(&b->sql, NULL, schema->fields[field].name);
	}
	if (count == 0)
		store_sql_append(&b->sql, "1");	/* SQL has no empty list */
	store_sql_append(&b->sql, " FROM ");
	store_sql_ident(&b->sql, "ds_", schema->name);
	if (filter != NULL) {
		store_sql_append(&b->sql, " WHERE ");
		if (filter_sql(b, filter, 0) < 0)
			return -1;
	}
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		store_sql_append(&b->sql, keys++ ? ", " : " ORDER BY ");
		store_sql_ident(&b->sql, NULL, schema->fields[i].name);
	}
	if (keys == 0)
		store_sql_append(&b->sql, " ORDER BY rowid");
	if (!b->sql.ok)
		return store_fail_of(b->st, b->err, "dataset", schema->name,
				     "out of memory");
	return 0;
}

/* A column as the field's type.  Text points into SQLite's buffer, valid
 * until the next step: the row callback's lifetime.
 *
 * The column's value is taken once and read with the sqlite3_value_*
 * calls: each sqlite3_column_* call looks the column up and checks for a
 * failed allocation again, and two or three of them per column and row
 * were as much as SQLite's own work on the row.  (The value is
 * "unprotected": fine on a connection that one thread uses at a time.) */
static void column_value(sqlite3_stmt *stmt, int col, peil_type type,
			 peil_value *v)
{
	sqlite3_value *sv = sqlite3_column_value(stmt, col);

	memset(v, 0, sizeof(*v));
	if (sqlite3_value_type(sv) == SQLITE_NULL)
		return;		/* PEIL_TYPE_NULL */
	v->type = type;
	switch (type) {
	case PEIL_TYPE_TEXT:
		/* text before bytes: bytes then counts the converted text;
		 * NULL here is out of memory */
		v->as.text = (const char *)sqlite3_value_text(sv);
		if (v->as.text == NULL) {
			v->type = PEIL_TYPE_NULL;
			return;
		}
		v->len = (size_t)sqlite3_value_bytes(sv);
		return;
	case PEIL_TYPE_INTEGER:
		v->as.integer = sqlite3_value_int64(sv);
		return;
	case PEIL_TYPE_REAL:
		v->as.real = sqlite3_value_double(sv);
		return;
	case PEIL_TYPE_DATE:
		v->as.date = (int32_t)sqlite3_value_int64(sv);
		return;
	case PEIL_TYPE_BOOLEAN:
		v->as.boolean = sqlite3_value_int64(sv) != 0;
		return;
	case PEIL_TYPE_NULL:
		return;
	}
}

/* The connection's cache_size setting (negative: KiB, positive: pages)
 * into *saved, and the cache held to SCAN_CACHE_KIB when it is larger.
 * 1 when it was changed, 0 when not (or the pragma failed: the scan then
 * goes on with the cache as it is). */
static int scan_cache_hold(struct store *st, int64_t *saved)
{
	int64_t page = 4096, kib;
	int found;
	char sql[64];
	peil_error ignored;

	if (store_query_int64(st, "PRAGMA cache_size", 0, 0, saved, &found,
			      &ignored, "cache size") < 0 || !found)
		return 0;
	if (*saved < 0) {
		kib = -*saved;
	} else {
		if (store_query_int64(st, "PRAGMA page_size", 0, 0, &page,
				      &found, &ignored, "page size") < 0 ||
		    !found || page <= 0)
			return 0;
		kib = *saved * (page / 1024);
	}
	if (kib <= SCAN_CACHE_KIB)
		return 0;
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", SCAN_CACHE_KIB);
	return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static void scan_cache_restore(struct store *st, int64_t saved)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld",
		 (long long)saved);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

/* Values passed to row, texts included, are valid only during that call:
 * they point into SQLite's row buffer. */
int store_scan(void *state, const peil_schema *schema,
	       const peil_filter *filter, const size_t *projection,
	       size_t projection_count, peil_row_fn row, void *ctx,
	       peil_error *err)
{
	struct store *st = state;
	struct scan_build b = { .st = st, .schema = schema, .err = err };
	sqlite3_stmt *stmt = NULL;
	peil_value *values = NULL;
	size_t count, i;
	int rc = -1, step, held = 0;
	int64_t cache = 0;

	if (schema == NULL || schema->name == NULL ||
	    !store_name_valid(schema->name) || row == NULL)
		return st->svc->fail(err, st->path, 0, NULL,
				     "scan needs a valid dataset and a row "
				     "callback");
	for (i = 0; i < schema->field_count; i++)
		if (!store_name_valid(schema->fields[i].name))
			return st->svc->fail(err, st->path, 0, NULL,
					     "dataset %s: field name \"%s\" is "
					     "not valid", schema->name,
					     schema->fields[i].name
						     ? schema->fields[i].name
						     : "(null)");
	count = projection ? projection_count : schema->field_count;
	store_sql_init(&b.sql);
	if (scan_sql(&b, filter, projection, count) < 0)
		goto out;
	values = calloc(count ? count : 1, sizeof(*values));
	if (values == NULL) {
		store_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	held = scan_cache_hold(st, &cache);
	if (sqlite3_prepare_v2(st->db, b.sql.text, -1, &stmt, NULL) !=
	    SQLITE_OK) {
		store_fail_db(st, err, schema->name, "cannot scan the dataset");
		goto out;
	}
	for (i = 0; i < b.bind_count; i++) {
		if (store_bind_value(stmt, (int)i + 1, b.binds[i]) != SQLITE_OK) {
			store_fail_db(st, err, schema->name,
				      "cannot bind a filter value");
			goto out;
		}
	}
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		for (i = 0; i < count; i++) {
			size_t field = projection ? projection[i] : i;

			column_value(stmt, (int)i,
				     schema->fields[field].type, &values[i]);
		}
		rc = row(ctx, values);
		if (rc != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		rc = store_fail_db(st, err, schema->name,
				   "cannot scan the dataset");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (held)
		scan_cache_restore(st, cache);
	free(values);
	free(b.binds);
	store_sql_release(&b.sql);
	return rc;
}
