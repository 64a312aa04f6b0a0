/*
 * kpi_test.c - peil test (kpi_test.h): a test file's fixtures become an
 * in-memory source, every KPI is evaluated on it, and each expected
 * figure is looked up and compared.
 *
 * Everything read from the test's Lua tables is read under
 * sandbox_protect (a table access may raise when memory runs out) and
 * copied into C before the evaluation starts.
 */
#include "cli/kpi_test.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/period.h"
#include "cli/cli.h"
#include "engine/disclose.h"
#include "model/comparison.h"
#include "sandbox/sandbox.h"

static char test_list_key;	/* registry: the test{} tables, in order */
static char test_null;		/* the value of `null` in test files */

typedef struct test_data {
	const peil_schema *schema;
	peil_value *values;	/* count * field_count */
	size_t count;
} test_data;

/* The comparisons an expectation may name: previous = old value,
 * previous_change, previous_pct; the same for year_before. */
static const char *const test_compare_keys[RESULT_COMPARISONS][3] = {
	{ "previous", "previous_change", "previous_pct" },
	{ "year_before", "year_before_change", "year_before_pct" },
};

typedef struct test_expect {
	char *kpi, *period, *breakdown, *status;
	double value, numerator, denominator;
	int has_numerator, has_denominator;
	int absent;		/* absent = true: no such figure */
	double compare[RESULT_COMPARISONS][3];	/* old, change, pct */
	int has_compare[RESULT_COMPARISONS][3];
	long line;
} test_expect;

typedef struct test_case {
	kpi_set *set;
	const kpi_test_env *env;
	int index;		/* of the test{} in the file, from 1 */
	char name[256];
	long line;
	int32_t from, to;
	test_data *data;
	size_t data_count;
	test_expect *expect;
	size_t expect_count;
	char **texts;		/* copies the values point into */
	size_t text_count;
	result_table figures;	/* with comparisons (comparison.h) */
	int public_only;	/* public = true: a public output's KPIs */
	int oom;
} test_case;

/* ------------------------------------------------------- reading tests */

static int test_collect(lua_State *L)
{
	lua_Debug ar;

	luaL_checktype(L, 1, LUA_TTABLE);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &test_list_key);
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar)) {
		lua_pushinteger(L, ar.currentline);
		lua_setfield(L, 1, "__line");
	}
	lua_pushvalue(L, 1);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

/* The list of tests, and test() in the file's environment. */
static int test_install(lua_State *L)
{
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &test_list_key);
	sandbox_push_env(lua_touserdata(L, 1));
	lua_pushcfunction(L, test_collect);
	lua_setfield(L, -2, "test");
	lua_pushlightuserdata(L, &test_null);	/* an empty breakdown value */
	lua_setfield(L, -2, "null");
	return 0;
}

static char *test_strdup(lua_State *L, test_case *t, const char *s)
{
	char **grown = grow_for(t->texts, t->text_count, sizeof(*grown));
	char *copy = strdup(s);

	if (!grown || !copy) {
		free(copy);
		if (grown)
			t->texts = grown;
		luaL_error(L, "out of memory");
		return NULL;
	}
	t->texts = grown;
	t->texts[t->text_count++] = copy;
	return copy;
}

/* The period id at the top as its first and last day. */
static void test_period(lua_State *L, const char *key, int32_t *first,
			int32_t *last)
{
	period p;

	if (lua_type(L, -1) != LUA_TSTRING ||
	    period_parse(lua_tostring(L, -1), &p) < 0)
		luaL_error(L, "%s: expected a period such as \"2018\", "
			   "\"2018-Q2\" or \"2018-05\"", key);
	*first = p.first;
	*last = p.last;
}

/* One value of a fixture row into v, by the field's type. */
static void test_value(lua_State *L, test_case *t, const peil_field *f,
		       const char *where, peil_value *v)
{
	int type = lua_type(L, -1);

	memset(v, 0, sizeof(*v));
	if (type == LUA_TNIL)
		return;
	switch (f->type) {
	case PEIL_TYPE_TEXT:
		if (type != LUA_TSTRING && type != LUA_TNUMBER)
			break;
		v->type = PEIL_TYPE_TEXT;
		v->as.text = test_strdup(L, t, lua_tostring(L, -1));
		v->len = strlen(v->as.text);
		return;
	case PEIL_TYPE_INTEGER:
		if (!lua_isinteger(L, -1))
			break;
		v->type = PEIL_TYPE_INTEGER;
		v->as.integer = (int64_t)lua_tointeger(L, -1);
		return;
	case PEIL_TYPE_REAL:
		if (type != LUA_TNUMBER)
			break;
		v->type = PEIL_TYPE_REAL;
		v->as.real = lua_tonumber(L, -1);
		return;
	case PEIL_TYPE_DATE:
		if (type != LUA_TSTRING ||
		    date_parse_iso(lua_tostring(L, -1), &v->as.date) < 0)
			break;
		v->type = PEIL_TYPE_DATE;
		return;
	case PEIL_TYPE_BOOLEAN:
		if (type != LUA_TBOOLEAN)
			break;
		v->type = PEIL_TYPE_BOOLEAN;
		v->as.boolean = lua_toboolean(L, -1);
		return;
	default:
		break;
	}
	luaL_error(L, "%s: field '%s' does not take %s '%s'", where, f->name,
		   luaL_typename(L, -1), luaL_tolstring(L, -1, NULL));
}

static int test_compare(const peil_value *v, const peil_value *c);

/* 1 when row a comes after row b in the order of d's key fields. */
static int test_key_after(const test_data *d, const peil_value *a,
			  const peil_value *b)
{
	for (size_t f = 0; f < d->schema->field_count; f++) {
		int c;

		if (!(d->schema->fields[f].flags & PEIL_FIELD_KEY))
			continue;
		c = test_compare(&a[f], &b[f]);
		if (c != 0)
			return c > 0 && c != 2;
	}
	return 0;
}

/* The rows of a dataset with key fields in the key's order, as every
 * storage plugin reads them (text in byte order; the order listed among
 * equal keys and without key fields), so that what depends on the
 * lookup's order (same-day ZRM measurements) comes out in a test as in
 * a run.  Fixtures are small: an insertion sort, stable. */
static void test_key_order(lua_State *L, test_data *d)
{
	size_t fields = d->schema->field_count;
	size_t size = fields * sizeof(peil_value);
	peil_value *row;

	if (d->count < 2)
		return;
	row = malloc(size);
	if (!row)
		luaL_error(L, "out of memory");
	for (size_t r = 1; r < d->count; r++) {
		size_t j = r;

		memcpy(row, &d->values[r * fields], size);
		while (j > 0 &&
		       test_key_after(d, &d->values[(j - 1) * fields], row))
			j--;
		if (j == r)
			continue;
		memmove(&d->values[(j + 1) * fields], &d->values[j * fields],
			(r - j) * size);
		memcpy(&d->values[j * fields], row, size);
	}
	free(row);
}

/* data.NAME = { { field = value, ... }, ... } at the top. */
static void test_dataset(lua_State *L, test_case *t, const char *name,
			 test_data *d)
{
	size_t n = (size_t)lua_rawlen(L, -1), fields;

	d->schema = t->env->schema(t->env->ctx, name);
	if (!d->schema)
		luaL_error(L, "data: unknown dataset '%s'", name);
	fields = d->schema->field_count;
	d->values = calloc(n * fields + 1, sizeof(*d->values));
	if (!d->values)
		luaL_error(L, "out of memory");
	for (size_t r = 0; r < n; r++) {
		char where[160];

		snprintf(where, sizeof(where), "data.%s row %zu", name, r + 1);
		lua_rawgeti(L, -1, (lua_Integer)r + 1);
		if (!lua_istable(L, -1))
			luaL_error(L, "%s: expected { field = value, ... }",
				   where);
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			size_t f;

			lua_pop(L, 1);
			for (f = 0; f < fields; f++)
				if (lua_type(L, -1) == LUA_TSTRING &&
				    strcmp(lua_tostring(L, -1),
					   d->schema->fields[f].name) == 0)
					break;
			if (f == fields)
				luaL_error(L, "%s: unknown field '%s' in "
					   "dataset '%s'", where,
					   luaL_tolstring(L, -1, NULL), name);
		}
		for (size_t f = 0; f < fields; f++) {
			peil_value *v = &d->values[r * fields + f];

			lua_getfield(L, -1, d->schema->fields[f].name);
			test_value(L, t, &d->schema->fields[f], where, v);
			if (v->type == PEIL_TYPE_NULL &&
			    (d->schema->fields[f].flags &
			     (PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED)))
				luaL_error(L, "%s: required field '%s' is "
					   "missing", where,
					   d->schema->fields[f].name);
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
		d->count++;
	}
	test_key_order(L, d);
}

/* JSON text like kpi_eval.c's: {"team":"Oost"}, fields in the KPI's
 * order, a field not given (or null) is null. */
static char *test_breakdown(lua_State *L, test_case *t, int e,
			    const kpi_info *info)
{
	char json[2048];
	size_t used = 0;
	int any = 0;

	for (size_t i = 0; info && i < info->breakdown_count; i++) {
		any |= lua_getfield(L, e, info->breakdown[i]) != LUA_TNIL;
		lua_pop(L, 1);
	}
	json[used++] = '{';
	for (size_t i = 0; any && i < info->breakdown_count; i++) {
		const char *s;

		used += (size_t)snprintf(json + used, sizeof(json) - used,
					 "%s\"%s\":", i ? "," : "",
					 info->breakdown[i]);
		lua_getfield(L, e, info->breakdown[i]);
		if (lua_isnil(L, -1) || lua_touserdata(L, -1) == &test_null)
			s = NULL;
		else
			s = luaL_tolstring(L, -1, NULL);
		if (!s) {
			used += (size_t)snprintf(json + used, sizeof(json) - used,
						 "null");
		} else if (lua_type(L, -2) == LUA_TSTRING) {
			json[used++] = '"';
			for (; *s && used + 4 < sizeof(json); s++) {
				if (*s == '"' || *s == '\\')
					json[used++] = '\\';
				json[used++] = *s;
			}
			json[used++] = '"';
		} else {
			used += (size_t)snprintf(json + used, sizeof(json) - used,
						 "%s", s);
		}
		lua_settop(L, e);
		if (used + 8 >= sizeof(json))
			luaL_error(L, "expect: breakdown too long");
	}
	json[used++] = '}';
	json[used] = '\0';
	return test_strdup(L, t, json);
}

/* A number, or "empty" for a figure that cannot be computed (NaN). */
static double test_number(lua_State *L, int e, const char *key, int *has)
{
	int type = lua_getfield(L, e, key);
	double x = NAN;

	*has = type != LUA_TNIL;
	if (type == LUA_TNUMBER)
		x = lua_tonumber(L, -1);
	else if (type == LUA_TSTRING && strcmp(lua_tostring(L, -1), "empty") == 0)
		x = NAN;
	else if (type != LUA_TNIL)
		luaL_error(L, "expect: %s must be a number or \"empty\"", key);
	lua_pop(L, 1);
	return x;
}

static void test_expectation(lua_State *L, test_case *t, test_expect *x)
{
	int e = lua_gettop(L), has;
	const kpi_info *info;

	if (!lua_istable(L, e) || lua_getfield(L, e, "kpi") != LUA_TSTRING)
		luaL_error(L, "expect: every entry needs kpi = \"id\"");
	x->kpi = test_strdup(L, t, lua_tostring(L, -1));
	lua_pop(L, 1);
	info = kpi_set_find(t->set, x->kpi);
	if (!info)
		luaL_error(L, "expect: no KPI '%s'", x->kpi);
	if (lua_getfield(L, e, "period") != LUA_TSTRING)
		luaL_error(L, "expect: %s needs period = \"...\"", x->kpi);
	x->period = test_strdup(L, t, lua_tostring(L, -1));
	lua_pop(L, 1);
	x->breakdown = test_breakdown(L, t, e, info);
	lua_getfield(L, e, "absent");
	x->absent = lua_toboolean(L, -1);
	lua_pop(L, 1);
	x->value = test_number(L, e, "value", &has);
	if (!has && !x->absent)
		luaL_error(L, "expect: %s %s needs value = ...", x->kpi,
			   x->period);
	x->numerator = test_number(L, e, "numerator", &x->has_numerator);
	x->denominator = test_number(L, e, "denominator", &x->has_denominator);
	for (size_t c = 0; c < RESULT_COMPARISONS; c++)
		for (size_t k = 0; k < 3; k++)
			x->compare[c][k] = test_number(L, e,
						       test_compare_keys[c][k],
						       &x->has_compare[c][k]);
	if (lua_getfield(L, e, "status") == LUA_TSTRING)
		x->status = test_strdup(L, t, lua_tostring(L, -1));
	lua_pop(L, 1);
	lua_settop(L, e);
}

/* test{} number t->index into t; runs under sandbox_protect. */
static int test_read_protected(lua_State *L)
{
	test_case *t = lua_touserdata(L, 1);
	int tab;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &test_list_key);
	lua_rawgeti(L, -1, t->index);
	tab = lua_gettop(L);
	if (lua_getfield(L, tab, "__line") == LUA_TNUMBER)
		t->line = (long)lua_tointeger(L, -1);
	if (lua_getfield(L, tab, "name") == LUA_TSTRING)
		snprintf(t->name, sizeof(t->name), "%s", lua_tostring(L, -1));
	if (lua_getfield(L, tab, "period") != LUA_TNIL) {
		test_period(L, "period", &t->from, &t->to);
	} else {
		int32_t ignored;

		lua_getfield(L, tab, "from");
		test_period(L, "from", &t->from, &ignored);
		lua_getfield(L, tab, "to");
		test_period(L, "to", &ignored, &t->to);
	}
	lua_settop(L, tab);
	lua_getfield(L, tab, "public");
	t->public_only = lua_toboolean(L, -1);
	if (lua_getfield(L, tab, "contract_start_month") != LUA_TNIL)
		kpi_set_contract_start(t->set, (int)lua_tointeger(L, -1));
	if (lua_getfield(L, tab, "contract_start") != LUA_TNIL) {
		int32_t first;

		if (!lua_isstring(L, -1) ||
		    date_parse_iso(lua_tostring(L, -1), &first) < 0)
			return luaL_error(L, "contract_start: expected a date "
					  "as \"jjjj-mm-dd\"");
		kpi_set_contract_first_day(t->set, first);
	}
	if (lua_getfield(L, tab, "margin") != LUA_TNIL &&
	    kpi_set_default_margin(t->set, luaL_tolstring(L, -1, NULL)) < 0)
		return luaL_error(L, "margin: expected a number or a percentage "
				  "such as \"10%%\"");
	if (lua_getfield(L, tab, "config") == LUA_TTABLE) {
		lua_pushnil(L);
		while (lua_next(L, -2)) {	/* id -> { key = value } */
			const char *id = lua_tostring(L, -2);

			lua_pushnil(L);
			while (lua_istable(L, -2) && lua_next(L, -2)) {
				char msg[512];
				const char *key = lua_tostring(L, -2);
				const char *value = luaL_tolstring(L, -1, NULL);

				if (!id || !key || kpi_set_configure(t->set, id,
					key, value, msg, sizeof(msg)) < 0)
					luaL_error(L, "config: %s", id && key
						   ? msg : "expected { [\"kpi "
						   "id\"] = { key = value } }");
				lua_pop(L, 2);
			}
			lua_pop(L, 1);
		}
	}
	lua_settop(L, tab);
	if (lua_getfield(L, tab, "data") == LUA_TTABLE) {
		size_t n = 0;

		lua_pushnil(L);
		while (lua_next(L, -2))
			n++, lua_pop(L, 1);
		t->data = calloc(n + 1, sizeof(*t->data));
		if (!t->data)
			return luaL_error(L, "out of memory");
		lua_pushnil(L);
		while (lua_next(L, -2)) {
			if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1))
				return luaL_error(L, "data: expected { dataset "
						  "= { rows } }");
			test_dataset(L, t, lua_tostring(L, -2),
				     &t->data[t->data_count++]);
			lua_pop(L, 1);
		}
	}
	lua_settop(L, tab);
	if (lua_getfield(L, tab, "expect") != LUA_TTABLE)
		return luaL_error(L, "test needs expect = { ... }");
	t->expect = calloc((size_t)lua_rawlen(L, -1) + 1, sizeof(*t->expect));
	if (!t->expect)
		return luaL_error(L, "out of memory");
	for (size_t i = 0; i < (size_t)lua_rawlen(L, tab + 1); i++) {
		lua_rawgeti(L, tab + 1, (lua_Integer)i + 1);
		test_expectation(L, t, &t->expect[t->expect_count++]);
		lua_pop(L, 1);
	}
	return 0;
}

/* ------------------------------------------------------------- source */

static const peil_schema *test_schema(void *ctx, const char *name)
{
	test_case *t = ctx;

	return t->env->schema(t->env->ctx, name);
}

static int test_compare(const peil_value *v, const peil_value *c)
{
	if (v->type == PEIL_TYPE_TEXT && c->type == PEIL_TYPE_TEXT) {
		/* the sign only: strcmp may return 2, "not comparable" */
		int d = strcmp(v->as.text, c->as.text);

		return (d > 0) - (d < 0);
	}
	if (v->type == PEIL_TYPE_INTEGER && c->type == PEIL_TYPE_INTEGER)
		return (v->as.integer > c->as.integer) -
		       (v->as.integer < c->as.integer);
	if (v->type == PEIL_TYPE_DATE && c->type == PEIL_TYPE_DATE)
		return (v->as.date > c->as.date) - (v->as.date < c->as.date);
	return 2;		/* not comparable */
}

/* The filters kpi_join.c passes: comparisons, AND and OR. */
static int test_match(const peil_filter *f, const peil_value *row)
{
	const peil_value *v;
	int c;

	if (!f)
		return 1;
	if (f->op == PEIL_OP_AND || f->op == PEIL_OP_OR) {
		for (size_t i = 0; i < f->child_count; i++)
			if (test_match(&f->children[i], row) !=
			    (f->op == PEIL_OP_AND))
				return f->op == PEIL_OP_OR;
		return f->op == PEIL_OP_AND;
	}
	v = &row[f->field];
	if (f->op == PEIL_OP_IS_NULL || f->op == PEIL_OP_NOT_NULL)
		return (v->type == PEIL_TYPE_NULL) == (f->op == PEIL_OP_IS_NULL);
	c = test_compare(v, &f->value);
	if (c == 2)
		return 0;
	switch (f->op) {
	case PEIL_OP_EQ: return c == 0;
	case PEIL_OP_NE: return c != 0;
	case PEIL_OP_LT: return c < 0;
	case PEIL_OP_LE: return c <= 0;
	case PEIL_OP_GT: return c > 0;
	default: return c >= 0;
	}
}

static int test_scan(void *ctx, const peil_schema *schema,
		     const peil_filter *filter, const size_t *projection,
		     size_t projection_count, peil_row_fn row, void *row_ctx,
		     peil_error *err)
{
	test_case *t = ctx;
	peil_value projected[256];

	if (projection_count > 256)
		return error_set(err, NULL, 0, NULL, "too many fields");
	for (size_t d = 0; d < t->data_count; d++) {
		const test_data *data = &t->data[d];

		if (data->schema != schema)
			continue;
		for (size_t r = 0; r < data->count; r++) {
			const peil_value *values =
				&data->values[r * schema->field_count];
			int rc;

			if (!test_match(filter, values))
				continue;
			for (size_t i = 0; i < projection_count; i++)
				projected[i] = values[projection[i]];
			rc = row(row_ctx, projected);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int test_add(test_case *t, const peil_result *r, int earlier)
{
	if (result_table_add(&t->figures, r) < 0) {
		t->oom = 1;
		return -1;
	}
	t->figures.rows[t->figures.count - 1].earlier = earlier;
	return 0;
}

static int test_result(void *ctx, const kpi_info *kpi, const peil_result *r)
{
	(void)kpi;
	return test_add(ctx, r, 0);
}

/* A figure of an earlier period, to compare with (kpi_info.compare). */
static int test_earlier(void *ctx, const kpi_info *kpi,
			const peil_result *r)
{
	(void)kpi;
	return test_add(ctx, r, 1);
}

static void test_failure(void *ctx, const kpi_info *kpi,
			 const peil_error *err)
{
	test_case *t = ctx;
	char text[2048];

	error_format(err, text, sizeof(text));
	for (size_t i = 0; i < t->expect_count; i++)
		if (strcmp(t->expect[i].kpi, kpi->id) == 0) {
			fprintf(stderr, "  KPI %s failed: %s\n", kpi->id, text);
			return;
		}
}

/* ------------------------------------------------------------ checking */

static int test_same(double got, double want)
{
	if (isnan(want) || isnan(got))
		return isnan(want) && isnan(got);
	return fabs(got - want) <= 0.0005 + 1e-9 * fabs(want);
}

static void test_fmt(double x, char *out, size_t size)
{
	if (isnan(x))
		snprintf(out, size, "empty");
	else
		snprintf(out, size, "%.10g", x);
}

/* The comparisons x names against f's; 1 when one differs. */
static int test_check_compare(const result_row *f, const test_expect *x,
			      FILE *out, const char *path, long line)
{
	for (size_t c = 0; c < RESULT_COMPARISONS; c++) {
		double got[3] = { f->compare[c].state == RESULT_COMPARE_SHOWN
					  ? f->compare[c].old
					  : NAN };
		char a[64], b[64];

		comparison_change(f, c, &got[1], &got[2]);
		for (size_t k = 0; k < 3; k++) {
			if (!x->has_compare[c][k] ||
			    test_same(got[k], x->compare[c][k]))
				continue;
			test_fmt(got[k], a, sizeof(a));
			test_fmt(x->compare[c][k], b, sizeof(b));
			fprintf(out, "  FAIL %s:%ld: %s %s %s: %s differs: "
				"got %s (against %s), expected %s\n", path,
				line, x->kpi, x->period, x->breakdown,
				test_compare_keys[c][k], a,
				f->compare[c].period[0] ? f->compare[c].period
							: "nothing",
				b);
			return 1;
		}
	}
	return 0;
}

/* Print one difference; 1 when there was one. */
static int test_check(const test_case *t, const test_expect *x, FILE *out,
		      const char *path)
{
	const result_row *f = NULL;
	char got[4][64], want[4][64];
	const char *what = NULL;

	for (size_t i = 0; i < t->figures.count && !f; i++)
		if (strcmp(t->figures.rows[i].kpi, x->kpi) == 0 &&
		    strcmp(t->figures.rows[i].period, x->period) == 0 &&
		    strcmp(t->figures.rows[i].breakdown, x->breakdown) == 0)
			f = &t->figures.rows[i];
	if (x->absent) {
		if (!f)
			return 0;
		fprintf(out, "  FAIL %s:%ld: %s %s %s: a figure where none is "
			"expected%s\n", path, t->line, x->kpi, x->period,
			x->breakdown, t->public_only ? " (not a public KPI?)"
						     : "");
		return 1;
	}
	if (!f) {
		fprintf(out, "  FAIL %s:%ld: %s %s %s: no such figure (a failed "
			"KPI, a period outside the test's, or a breakdown cell "
			"no row has)\n", path, t->line, x->kpi, x->period,
			x->breakdown);
		return 1;
	}
	test_fmt(f->value, got[0], sizeof(got[0]));
	test_fmt(x->value, want[0], sizeof(want[0]));
	test_fmt(f->numerator, got[1], sizeof(got[1]));
	test_fmt(x->numerator, want[1], sizeof(want[1]));
	test_fmt(f->denominator, got[2], sizeof(got[2]));
	test_fmt(x->denominator, want[2], sizeof(want[2]));
	if (!test_same(f->value, x->value))
		what = "value";
	else if (x->has_numerator && !test_same(f->numerator, x->numerator))
		what = "numerator";
	else if (x->has_denominator &&
		 !test_same(f->denominator, x->denominator))
		what = "denominator";
	else if (x->status && strcmp(x->status, f->status ? f->status : "none"))
		what = "status";
	if (!what)
		return test_check_compare(f, x, out, path, t->line);
	snprintf(got[3], sizeof(got[3]), "%s", f->status ? f->status : "none");
	snprintf(want[3], sizeof(want[3]), "%s", x->status ? x->status : "-");
	fprintf(out, "  FAIL %s:%ld: %s %s %s: %s differs\n"
		"       got      value %s, numerator %s, denominator %s, "
		"status %s\n"
		"       expected value %s, numerator %s, denominator %s, "
		"status %s\n", path, t->line, x->kpi, x->period, x->breakdown,
		what, got[0], got[1], got[2], got[3], want[0],
		x->has_numerator ? want[1] : "-",
		x->has_denominator ? want[2] : "-", want[3]);
	return 1;
}

static void test_case_release(test_case *t)
{
	for (size_t i = 0; i < t->data_count; i++)
		free(t->data[i].values);
	free(t->data);
	free(t->expect);
	for (size_t i = 0; i < t->text_count; i++)
		free(t->texts[i]);
	free(t->texts);
	result_table_release(&t->figures);
}

/* Run test number index of the file. */
static int test_run_one(sandbox *sb, const char *path, int index,
			const kpi_test_env *env, FILE *out,
			kpi_test_counts *counts, peil_error *err)
{
	test_case t;
	kpi_source source;
	kpi_sink sink;
	size_t failed = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	t.env = env;
	t.index = index;
	t.set = env->open(env->ctx, err);
	if (!t.set)
		return -1;
	/* A test file tests its scripts, also those [run] kpis leaves out
	 * of the municipality's runs. */
	kpi_set_choose(t.set, "", NULL, 0);
	rc = sandbox_protect(sb, test_read_protected, &t, err);
	if (rc < 0 && err->line == 0)
		err->line = t.line;
	source = (kpi_source){ &t, test_schema, test_scan, NULL, NULL, 0, NULL,
			      NULL };
	sink = (kpi_sink){ &t, test_result, test_failure, test_earlier,
			    NULL, NULL };
	if (rc == 0 && kpi_evaluate(t.set, t.from, t.to, NULL, &source, &sink,
				    err) < 0)
		rc = -1;
	/* Without the small-cell rules: a test's figures are all shown. */
	if (rc == 0 && !t.oom &&
	    comparison_attach(&t.figures, cli_compare_asks, t.set) < 0)
		t.oom = 1;
	/* public = true: what a public output holds, the figures of the
	 * public KPIs (cli_disclose_public). */
	if (t.public_only)
		disclose_keep_public(t.set, &t.figures);
	if (rc == 0 && t.oom)
		rc = error_set(err, path, t.line, NULL, "out of memory");
	for (size_t i = 0; rc == 0 && i < t.expect_count; i++)
		failed += (size_t)test_check(&t, &t.expect[i], out, path);
	if (rc == 0) {
		fprintf(out, "%s %s:%ld: %s (%zu figures)\n",
			failed ? "FAIL" : "ok  ", path, t.line,
			t.name[0] ? t.name : "test", t.expect_count);
		counts->tests++;
		counts->figures += t.expect_count;
		counts->failed += failed;
	}
	test_case_release(&t);
	env->close(env->ctx);
	return rc;
}

int kpi_test_file(const char *path, const kpi_test_env *env, FILE *out,
		  kpi_test_counts *counts, peil_error *err)
{
	sandbox *sb = sandbox_new(path, 0);
	lua_State *L;
	int rc, n = 0;

	if (!sb)
		return error_set(err, path, 0, NULL, "out of memory");
	L = sandbox_lua(sb);
	rc = sandbox_protect(sb, test_install, sb, err);
	if (rc == 0)
		rc = sandbox_load_file(sb, err);
	if (rc == 0)
		rc = sandbox_call(sb, 0, 0, err);
	if (rc == 0) {
		lua_rawgetp(L, LUA_REGISTRYINDEX, &test_list_key);
		n = (int)lua_rawlen(L, -1);
		lua_pop(L, 1);
		if (n == 0)
			rc = error_set(err, path, 0, NULL, "no test { ... } in "
				       "the file");
	}
	for (int i = 1; rc == 0 && i <= n; i++)
		rc = test_run_one(sb, path, i, env, out, counts, err);
	sandbox_free(sb);
	return rc;
}
