/*
 * pg_scan.c - scan: the rows of a dataset that match a filter tree,
 * through a server-side cursor fetched PG_FETCH_ROWS rows at a time, so
 * that the client holds one fetch, however large the dataset.
 *
 * The filter becomes the WHERE clause; every value is a parameter ($1) in
 * text form and never enters the SQL text.  A comparison of a date field
 * with a whole number (days) stays on the column, so an index on it can
 * serve.  Rows come in key order ("peil.row" order without key fields):
 * a report built from a scan is the same every time, and the same as from
 * any other store, text keys in byte order (COLLATE "C").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* A real filter is a few levels deep; a deep one is a bug in the caller. */
#define SCAN_FILTER_DEPTH_MAX 100

struct scan_build {
	struct store *st;
	const peil_schema *schema;
	peil_error *err;
	struct pg_sql sql;
	char **params;		/* owned texts, NULL for SQL NULL */
	int nparams;
	int cap;
};

static int is_number(peil_type type)
{
	return type == PEIL_TYPE_INTEGER || type == PEIL_TYPE_REAL ||
	       type == PEIL_TYPE_DATE || type == PEIL_TYPE_BOOLEAN;
}

/* Add v as the next parameter: its text, and whether it is a whole
 * number (then *whole holds it). */
static int param_push(struct scan_build *b, const peil_value *v, int *is_whole,
		      int64_t *whole)
{
	char num[64], **grown;
	const char *text = NULL;

	*is_whole = 0;
	if (b->nparams == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 8;
		grown = realloc(b->params, (size_t)b->cap * sizeof(*grown));
		if (grown == NULL)
			return b->st->svc->fail(b->err, b->st->where, 0,
						b->schema->name, "out of memory");
		b->params = grown;
	}
	if (!pg_value_is_null(v)) {
		*is_whole = v->type != PEIL_TYPE_REAL && v->type != PEIL_TYPE_TEXT;
		*whole = v->type == PEIL_TYPE_INTEGER ? v->as.integer
			 : v->type == PEIL_TYPE_DATE  ? v->as.date
						      : v->as.boolean != 0;
		if (v->type == PEIL_TYPE_TEXT)
			text = v->as.text;
		else if (v->type == PEIL_TYPE_REAL)
			snprintf(num, sizeof(num), "%.17g", v->as.real);
		else
			snprintf(num, sizeof(num), "%lld", (long long)*whole);
		if (text == NULL)
			text = num;
	}
	b->params[b->nparams] = text ? strdup(text) : NULL;
	if (text && b->params[b->nparams] == NULL)
		return b->st->svc->fail(b->err, b->st->where, 0,
					b->schema->name, "out of memory");
	b->nparams++;
	return 0;
}

static const char *op_sql(peil_op op)
{
	switch (op) {
	case PEIL_OP_EQ:
		return "=";
	case PEIL_OP_NE:
		return "<>";
	case PEIL_OP_LT:
		return "<";
	case PEIL_OP_LE:
		return "<=";
	case PEIL_OP_GT:
		return ">";
	case PEIL_OP_GE:
		return ">=";
	default:
		return NULL;
	}
}

static int compare_sql(struct scan_build *b, const peil_filter *f)
{
	const peil_field *field = &b->schema->fields[f->field];
	const peil_value *v = &f->value;
	int whole;
	int64_t days = 0;

	if (!pg_value_is_null(v) &&
	    !(field->type == PEIL_TYPE_TEXT && v->type == PEIL_TYPE_TEXT) &&
	    !(is_number(field->type) && is_number(v->type))) {
		return b->st->svc->fail(b->err, b->st->where, 0, NULL,
					"dataset %s: filter compares field %s "
					"(%s) with %s value", b->schema->name,
					field->name, pg_type_name(field->type),
					pg_type_name(v->type)
						? pg_type_name(v->type)
						: "an unknown type of");
	}
	if (param_push(b, v, &whole, &days) < 0)
		return -1;
	pg_sql_append(&b->sql, "(");
	if (field->type == PEIL_TYPE_DATE && whole && days >= INT32_MIN &&
	    days <= INT32_MAX) {
		pg_sql_ident(&b->sql, NULL, field->name);
		pg_sql_printf(&b->sql, " %s DATE '1970-01-01' + $%d::integer)",
			      op_sql(f->op), b->nparams);
		return 0;
	}
	if (field->type == PEIL_TYPE_DATE) {
		pg_sql_append(&b->sql, "(");
		pg_sql_ident(&b->sql, NULL, field->name);
		pg_sql_append(&b->sql, " - DATE '1970-01-01')");
	} else if (field->type == PEIL_TYPE_BOOLEAN) {
		pg_sql_ident(&b->sql, NULL, field->name);
		pg_sql_append(&b->sql, "::integer");
	} else {
		pg_sql_ident(&b->sql, NULL, field->name);
	}
	pg_sql_printf(&b->sql, " %s $%d%s)", op_sql(f->op), b->nparams,
		      field->type == PEIL_TYPE_TEXT ? "::text"
		      : whole			    ? "::bigint"
						    : "::double precision");
	return 0;
}

static int filter_sql(struct scan_build *b, const peil_filter *f, int depth)
{
	const peil_services *svc = b->st->svc;
	const char *name = b->schema->name;
	size_t i;

	if (depth > SCAN_FILTER_DEPTH_MAX)
		return svc->fail(b->err, b->st->where, 0, NULL,
				 "dataset %s: filter nested deeper than %d",
				 name, SCAN_FILTER_DEPTH_MAX);
	if (f->op == PEIL_OP_AND || f->op == PEIL_OP_OR) {
		if (f->child_count == 0) {
			pg_sql_append(&b->sql,
				      f->op == PEIL_OP_AND ? "true" : "false");
			return 0;
		}
		if (f->children == NULL)
			return svc->fail(b->err, b->st->where, 0, NULL,
					 "dataset %s: filter has %zu children "
					 "but no array", name, f->child_count);
		pg_sql_append(&b->sql, "(");
		for (i = 0; i < f->child_count; i++) {
			pg_sql_append(&b->sql, i == 0 ? ""
					       : f->op == PEIL_OP_AND ? " AND "
								      : " OR ");
			if (filter_sql(b, &f->children[i], depth + 1) < 0)
				return -1;
		}
		pg_sql_append(&b->sql, ")");
		return 0;
	}
	if (op_sql(f->op) == NULL && f->op != PEIL_OP_IS_NULL &&
	    f->op != PEIL_OP_NOT_NULL)
		return svc->fail(b->err, b->st->where, 0, NULL,
				 "dataset %s: filter has unknown operator %d",
				 name, (int)f->op);
	if (f->field >= b->schema->field_count)
		return svc->fail(b->err, b->st->where, 0, NULL,
				 "dataset %s: filter names field %zu; the "
				 "dataset has %zu", name, f->field,
				 b->schema->field_count);
	if (f->op == PEIL_OP_IS_NULL || f->op == PEIL_OP_NOT_NULL) {
		pg_sql_append(&b->sql, "(");
		pg_sql_ident(&b->sql, NULL, b->schema->fields[f->field].name);
		pg_sql_append(&b->sql, f->op == PEIL_OP_IS_NULL
					       ? " IS NULL)"
					       : " IS NOT NULL)");
		return 0;
	}
	return compare_sql(b, f);
}

/* DECLARE peil_scan CURSOR FOR SELECT ... FROM ds_x WHERE ... ORDER BY */
static int scan_sql(struct scan_build *b, const peil_filter *filter,
		    const size_t *projection, size_t count)
{
	const peil_schema *schema = b->schema;
	size_t i, keys = 0;

	pg_sql_append(&b->sql, "SELECT ");
	for (i = 0; i < count; i++) {
		size_t field = projection ? projection[i] : i;

		if (field >= schema->field_count)
			return b->st->svc->fail(b->err, b->st->where, 0, NULL,
						"dataset %s: projection names "
						"field %zu; the dataset has %zu",
						schema->name, field,
						schema->field_count);
		pg_sql_append(&b->sql, i ? ", " : "");
		if (schema->fields[field].type == PEIL_TYPE_DATE) {
			pg_sql_append(&b->sql, "(");
			pg_sql_ident(&b->sql, NULL, schema->fields[field].name);
			pg_sql_append(&b->sql, " - DATE '1970-01-01')");
		} else {
			pg_sql_ident(&b->sql, NULL, schema->fields[field].name);
		}
	}
	if (count == 0)
		pg_sql_append(&b->sql, "1");
	pg_sql_append(&b->sql, " FROM ");
	pg_sql_ident(&b->sql, "ds_", schema->name);
	if (filter) {
		pg_sql_append(&b->sql, " WHERE ");
		if (filter_sql(b, filter, 0) < 0)
			return -1;
	}
	for (i = 0; i < schema->field_count; i++) {
		if (!(schema->fields[i].flags & PEIL_FIELD_KEY))
			continue;
		pg_sql_append(&b->sql, keys++ ? ", " : " ORDER BY ");
		pg_sql_ident(&b->sql, NULL, schema->fields[i].name);
	}
	if (keys == 0)
		pg_sql_append(&b->sql, " ORDER BY " PG_ROW_COLUMN);
	if (!b->sql.ok)
		return pg_fail_of(b->st, b->err, "dataset", schema->name,
				     "out of memory");
	return 0;
}

/* A column of a fetched row as the field's value; texts point into res. */
static void value_of(PGresult *res, int r, int c, peil_type type,
		     peil_value *v)
{
	const char *text = PQgetvalue(res, r, c);

	memset(v, 0, sizeof(*v));
	if (PQgetisnull(res, r, c))
		return;		/* PEIL_TYPE_NULL */
	v->type = type;
	switch (type) {
	case PEIL_TYPE_TEXT:
		v->as.text = text;
		v->len = (size_t)PQgetlength(res, r, c);
		break;
	case PEIL_TYPE_INTEGER:
		v->as.integer = strtoll(text, NULL, 10);
		break;
	case PEIL_TYPE_REAL:
		v->as.real = strtod(text, NULL);
		break;
	case PEIL_TYPE_DATE:
		v->as.date = (int32_t)strtol(text, NULL, 10);
		break;
	case PEIL_TYPE_BOOLEAN:
		v->as.boolean = text[0] == 't';
		break;
	case PEIL_TYPE_NULL:
		break;
	}
}

/* Fetch and hand out the cursor's rows: 0, the row callback's nonzero
 * return, or -1 with err. */
static int scan_rows(struct store *st, const char *cursor,
		     const peil_schema *schema, const size_t *projection,
		     size_t count, peil_value *values, peil_row_fn row,
		     void *ctx, peil_error *err)
{
	char fetch[96];
	PGresult *res;
	int rc = 0, n, r;
	size_t i;

	snprintf(fetch, sizeof(fetch), "FETCH FORWARD %d FROM %s",
		 PG_FETCH_ROWS, cursor);
	do {
		if (pg_query(st, fetch, 0, NULL, &res, err, schema->name,
			     "cannot scan the dataset") < 0)
			return -1;
		n = PQntuples(res);
		for (r = 0; r < n && rc == 0; r++) {
			for (i = 0; i < count; i++)
				value_of(res, r, (int)i,
					 schema->fields[projection
								? projection[i]
								: i].type,
					 &values[i]);
			rc = row(ctx, values);
		}
		PQclear(res);
	} while (rc == 0 && n == PG_FETCH_ROWS);
	return rc;
}

/* Values passed to row, texts included, are valid only during that call. */
int pg_scan(void *state, const peil_schema *schema, const peil_filter *filter,
	    const size_t *projection, size_t projection_count, peil_row_fn row,
	    void *ctx, peil_error *err)
{
	struct store *st = state;
	struct scan_build b = { .st = st, .schema = schema, .err = err };
	peil_value *values = NULL;
	struct pg_sql declare;
	char cursor[32], close[48];
	size_t count, i;
	int rc = -1, own = 0;

	if (schema == NULL || schema->name == NULL ||
	    !pg_name_valid(schema->name) || row == NULL)
		return st->svc->fail(err, st->where, 0, NULL,
				     "scan needs a valid dataset and a row "
				     "callback");
	for (i = 0; i < schema->field_count; i++)
		if (!pg_name_valid(schema->fields[i].name))
			return st->svc->fail(err, st->where, 0, NULL,
					     "dataset %s: field name \"%s\" is "
					     "not valid", schema->name,
					     schema->fields[i].name
						     ? schema->fields[i].name
						     : "(null)");
	count = projection ? projection_count : schema->field_count;
	pg_sql_init(&b.sql);
	pg_sql_init(&declare);
	if (scan_sql(&b, filter, projection, count) < 0)
		goto out;
	values = calloc(count ? count : 1, sizeof(*values));
	if (values == NULL) {
		pg_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	/* A cursor lives in a transaction: the batch's, or one of its own
	 * that only reads. */
	if (pg_flush(st, err) < 0 || pg_atomic_begin(st, err) < 0)
		goto out;
	own = 1;
	/* Named by depth: a row callback may scan again. */
	snprintf(cursor, sizeof(cursor), "peil_scan_%d", st->atomic_depth);
	pg_sql_printf(&declare, "DECLARE %s NO SCROLL CURSOR FOR %s", cursor,
		      b.sql.text);
	if (!declare.ok) {
		pg_fail_of(st, err, "dataset", schema->name, "out of memory");
		goto out;
	}
	if (pg_query(st, declare.text, b.nparams,
		     (const char *const *)b.params, NULL, err, schema->name,
		     "cannot scan the dataset") < 0)
		goto out;
	rc = scan_rows(st, cursor, schema, projection, count, values, row, ctx,
		       err);
	snprintf(close, sizeof(close), "CLOSE %s", cursor);
	if (rc >= 0 && pg_exec(st, close, err, "cannot end the scan") < 0)
		rc = -1;
out:
	if (own) {
		peil_error ignored;

		/* Nothing was written: end it as it went. */
		if (pg_atomic_end(st, rc >= 0, rc >= 0 ? err : &ignored) < 0 &&
		    rc >= 0)
			rc = -1;
	}
	for (i = 0; i < (size_t)b.nparams; i++)
		free(b.params[i]);
	free(b.params);
	free(values);
	pg_sql_release(&b.sql);
	pg_sql_release(&declare);
	return rc;
}
