/*
 * store_fixtures.h - what the storage tests share: value constructors,
 * the datasets they store (cases, people) and the five people.  Used by
 * the storage contract (test_store_contract.c) and the sqlite plugin's
 * own tests.
 */
#ifndef PEIL_TEST_STORE_FIXTURES_H
#define PEIL_TEST_STORE_FIXTURES_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <peil/plugin.h>

static inline peil_value v_null(void)
{
	peil_value v = { .type = PEIL_TYPE_NULL };
	return v;
}

static inline peil_value v_text(const char *s)
{
	peil_value v = { .type = PEIL_TYPE_TEXT, .len = strlen(s) };
	v.as.text = s;
	return v;
}

static inline peil_value v_int(int64_t i)
{
	peil_value v = { .type = PEIL_TYPE_INTEGER };
	v.as.integer = i;
	return v;
}

static inline peil_value v_date(int32_t d)
{
	peil_value v = { .type = PEIL_TYPE_DATE };
	v.as.date = d;
	return v;
}

static inline peil_value v_real(double r)
{
	peil_value v = { .type = PEIL_TYPE_REAL };
	v.as.real = r;
	return v;
}

static inline peil_value v_bool(int b)
{
	peil_value v = { .type = PEIL_TYPE_BOOLEAN };
	v.as.boolean = b;
	return v;
}

/* cases: a text key, as in an export. */
static const peil_field case_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
};
static const peil_schema cases = { "cases", 3, case_fields };

/* people: the dataset the scan tests use. */
enum { P_ID, P_NAME, P_AGE, P_BORN, P_SCORE, P_ACTIVE, P_FIELDS };

static const peil_field people_fields[P_FIELDS] = {
	{ "id", PEIL_TYPE_INTEGER, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "name", PEIL_TYPE_TEXT, 0 },
	{ "age", PEIL_TYPE_INTEGER, 0 },
	{ "born", PEIL_TYPE_DATE, 0 },
	{ "score", PEIL_TYPE_REAL, 0 },
	{ "active", PEIL_TYPE_BOOLEAN, 0 },
};

static const peil_schema people = { "people", P_FIELDS, people_fields };

/* The five people; NULLs where the scans need them. */
static inline int people_fill(const peil_storage_ops *ops, void *st,
		       peil_error *err)
{
	peil_value rows[5][P_FIELDS] = {
		{ v_int(1), v_text("Ann"), v_int(30), v_date(1000),
		  v_real(7.5), v_bool(1) },
		{ v_int(2), v_text("Bob"), v_null(), v_date(2000), v_null(),
		  v_bool(0) },
		{ v_int(3), v_text("Cas"), v_int(45), v_date(3000),
		  v_real(6.0), v_bool(1) },
		{ v_int(4), v_text("O'Brien"), v_int(30), v_null(),
		  v_real(8.25), v_null() },
		{ v_int(5), v_text("' OR 1=1 --"), v_int(60), v_date(5000),
		  v_real(5.0), v_bool(0) },
	};
	int i;

	if (ops->dataset_ensure(st, &people, err) < 0 ||
	    ops->batch_begin(st, err) < 0)
		return -1;
	for (i = 0; i < 5; i++)
		if (ops->record_put(st, &people, rows[i], err) < 0)
			return -1;
	return ops->batch_commit(st, err);
}

static inline peil_filter cmp(peil_op op, size_t field, peil_value value)
{
	peil_filter f = { .op = op, .field = field, .value = value };
	return f;
}

/* ------------------------------------------------- change log, snapshots */

/* The changes an input_changes_scan gave, as
 * "INGEST:DATASET:KEY:KIND:PATH;". */
struct changes {
	char text[1024];
	int calls;
};

static inline int change_row(void *ctx, const peil_input_change *c)
{
	struct changes *ch = ctx;
	size_t n = strlen(ch->text);

	ch->calls++;
	snprintf(ch->text + n, sizeof(ch->text) - n, "%lld:%s:%s:%s:%s;",
		 (long long)c->ingest_id, c->dataset, c->key, c->kind,
		 c->path ? c->path : "-");
	return 0;
}

static inline int ingest_done(const peil_storage_ops *ops, void *st,
			      const char *file, peil_error *err)
{
	peil_ingest_entry e = { "src", "cases", file, file, 0, 0, 1700000000,
				0, NULL, 0, 0, 0 };

	if (ops->ingest_log(st, &e, err) < 0)
		return -1;
	return ops->batch_commit(st, err);
}

static inline int64_t run_now(const peil_storage_ops *ops, void *st,
			      peil_error *err)
{
	peil_run_info info = { "run", 1700000000, "2024-01-01", "2024-12-31",
			       "c", "s", "i", NULL, 0, NULL };
	int64_t id = 0;

	if (ops->run_begin(st, &info, &id, err) < 0 ||
	    ops->run_end(st, id, "ok", 1700000001, err) < 0)
		return 0;
	return id;
}

#endif
