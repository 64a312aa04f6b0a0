/*
 * kpi_rule.c - binding a compiled KPI to a schema, and evaluating its
 * measures and conditions on one row: declarative nodes in C, Lua
 * functions in the script's sandbox with the KPI's instruction budget.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/error.h"

/* ------------------------------------------------------------- binding */

typedef struct kpi_binder {
	kpi *k;
	const peil_schema *schema;
	peil_error *err;
} kpi_binder;

static int kpi_bind_fail(kpi_binder *b, const char *field, const char *fmt,
			 ...) PEIL_PRINTF(3, 4);
static int kpi_bind_fail(kpi_binder *b, const char *field, const char *fmt,
			 ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return error_set(b->err, b->k->info.script, b->k->info.line, field,
			 "kpi '%s': %s", b->k->info.id, msg);
}

static const char *kpi_type_name(peil_type type)
{
	switch (type) {
	case PEIL_TYPE_TEXT: return "text";
	case PEIL_TYPE_INTEGER: return "an integer";
	case PEIL_TYPE_REAL: return "a number";
	case PEIL_TYPE_DATE: return "a date";
	case PEIL_TYPE_BOOLEAN: return "a boolean";
	default: return "null";
	}
}

static int kpi_schema_has(const peil_schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->field_count; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return 1;
	return 0;
}

static int kpi_bind_field(kpi_binder *b, const char *name, size_t *out)
{
	for (size_t i = 0; i < b->schema->field_count; i++)
		if (strcmp(b->schema->fields[i].name, name) == 0) {
			*out = i;
			return 0;
		}
	return kpi_bind_fail(b, name, "unknown field '%s' in dataset '%s'",
			     name, b->schema->name);
}

static int kpi_bind_date(kpi_binder *b, kpi_node *node, int i,
			 const char *what)
{
	peil_type type;

	if (kpi_bind_field(b, node->name[i], &node->field[i]) < 0)
		return -1;
	type = b->schema->fields[node->field[i]].type;
	if (type != PEIL_TYPE_DATE)
		return kpi_bind_fail(b, node->name[i], "%s needs a date field; "
				     "'%s' is %s", what, node->name[i],
				     kpi_type_name(type));
	return 0;
}

static int kpi_bind_param(kpi_binder *b, kpi_const *c);

/* A measure over a lookup (overdue{}, first_rise{}): the date fields
 * name[0] and name[1] (when given) of the row, its key field name[2], a
 * lookup of the KPI in link[0], and consts[0] a whole number from min to
 * max (a param() taken now; what[2] says what it must be). */
static int kpi_bind_lookup_measure(kpi_binder *b, kpi_node *node,
				   const char *helper, const char *const *what,
				   double min, double max)
{
	kpi_const *n = &node->consts[0];
	char date[2][48];
	size_t i;

	for (int d = 0; d < 2; d++)
		snprintf(date[d], sizeof(date[d]), "%s{} %s", helper, what[d]);
	if (kpi_bind_date(b, node, 0, date[0]) < 0 ||
	    (node->name[1] && kpi_bind_date(b, node, 1, date[1]) < 0) ||
	    kpi_bind_field(b, node->name[2], &node->field[2]) < 0)
		return -1;
	for (i = 0; i < b->k->lookup_count; i++)
		if (strcmp(b->k->lookups[i].name, node->link[0]) == 0)
			break;
	if (i == b->k->lookup_count)
		return kpi_bind_fail(b, NULL, "%s{}: no lookup '%s' "
				     "(declare it in lookup = { ... })",
				     helper, node->link[0]);
	if (n->param && kpi_bind_param(b, n) < 0)
		return -1;
	if (n->type != KPI_VALUE_NUMBER || !(n->num >= min) || n->num > max ||
	    n->num != floor(n->num))
		return kpi_bind_fail(b, NULL, "%s{}: %s from %g to %g", helper,
				     what[2], min, max);
	return 0;
}

/* score_change{}: the row's key (name[2]) and by (name[1], when given)
 * fields, text or integers, and a lookup of the KPI in link[0] (its own
 * fields are checked as it is read, kpi_join.c). */
static int kpi_bind_score_change(kpi_binder *b, kpi_node *node)
{
	size_t i;

	for (int f = 1; f < 3; f++) {
		peil_type type;

		if (!node->name[f])
			continue;
		if (kpi_bind_field(b, node->name[f], &node->field[f]) < 0)
			return -1;
		type = b->schema->fields[node->field[f]].type;
		if (type != PEIL_TYPE_TEXT && type != PEIL_TYPE_INTEGER)
			return kpi_bind_fail(b, node->name[f], "score_change{} "
					     "%s needs a text or integer field; "
					     "'%s' is %s", f == 1 ? "by" : "key",
					     node->name[f], kpi_type_name(type));
	}
	for (i = 0; i < b->k->lookup_count; i++)
		if (strcmp(b->k->lookups[i].name, node->link[0]) == 0)
			return 0;
	return kpi_bind_fail(b, NULL, "score_change{}: no lookup '%s' "
			     "(declare it in lookup = { ... })", node->link[0]);
}

static int kpi_bind_measure(kpi_binder *b, kpi_node *node)
{
	switch (node->op) {
	case KPI_FIELD:
		if (kpi_bind_field(b, node->name[0], &node->field[0]) < 0)
			return -1;
		switch (b->schema->fields[node->field[0]].type) {
		case PEIL_TYPE_INTEGER:
		case PEIL_TYPE_REAL: node->type = KPI_VALUE_NUMBER; break;
		case PEIL_TYPE_DATE: node->type = KPI_VALUE_DATE; break;
		case PEIL_TYPE_BOOLEAN: node->type = KPI_VALUE_BOOLEAN; break;
		default: node->type = KPI_VALUE_TEXT; break;
		}
		return 0;
	case KPI_WORKDAYS:
	case KPI_DAYS_BETWEEN:
		node->type = KPI_VALUE_NUMBER;
		return kpi_bind_date(b, node, 0, node->op == KPI_WORKDAYS ?
				     "workdays()" : "days_between()") < 0 ||
		       kpi_bind_date(b, node, 1, node->op == KPI_WORKDAYS ?
				     "workdays()" : "days_between()") < 0
			       ? -1 : 0;
	case KPI_MONTHS_TO_REFERENCE:
		node->type = KPI_VALUE_NUMBER;
		return kpi_bind_date(b, node, 0, "months_to_reference()");
	case KPI_OVERDUE: {
		static const char *const what[] = { "start", "stop",
						    "grace_days must be a whole "
						    "number of days" };

		node->type = KPI_VALUE_NUMBER;
		return kpi_bind_lookup_measure(b, node, "overdue", what, 0,
					       36525);
	}
	case KPI_FIRST_RISE: {
		static const char *const what[] = { "from", "to", "rungs must be a "
						    "whole number" };

		node->type = KPI_VALUE_DATE;
		return kpi_bind_lookup_measure(b, node, "first_rise", what, 1,
					       100);
	}
	case KPI_SCORE_CHANGE:
		node->type = KPI_VALUE_NUMBER;
		return kpi_bind_score_change(b, node);
	default:			/* a Lua function gives numbers */
		node->type = KPI_VALUE_NUMBER;
		return 0;
	}
}

static const char *kpi_measure_text(const kpi_node *m)
{
	return m->name[0] ? m->name[0] : "the function";
}

/* param("name") as a constant: take the parameter's current value. */
static int kpi_bind_param(kpi_binder *b, kpi_const *c)
{
	kpi_param *p = kpi_param_find(b->k, c->param);
	char *text = NULL;

	if (!p)
		return kpi_bind_fail(b, NULL, "no parameter '%s' (declare it "
				     "in params = { ... })", c->param);
	if (p->value.text && !(text = strdup(p->value.text)))
		return kpi_bind_fail(b, NULL, "out of memory");
	free(c->text);
	c->type = p->value.type;
	c->num = p->value.num;
	c->text = text;
	c->len = p->value.len;
	c->is_date = p->value.is_date;
	c->date = p->value.date;
	return 0;
}

/* A constant fits the measure it is compared with. */
static int kpi_bind_const(kpi_binder *b, const kpi_node *node, kpi_const *c)
{
	const kpi_node *m = node->kids[0];
	const char *name = kpi_measure_text(m);

	if (c->param && kpi_bind_param(b, c) < 0)
		return -1;
	if (c->reference && m->type != KPI_VALUE_DATE)
		return kpi_bind_fail(b, m->name[0], "%s is no date; only a "
				     "date compares with reference_date()",
				     name);

	switch (m->type) {
	case KPI_VALUE_NUMBER:
		if (c->type != KPI_VALUE_NUMBER)
			return kpi_bind_fail(b, m->name[0], "%s is a number; "
					     "compare it with a number", name);
		return 0;
	case KPI_VALUE_DATE:
		if (!c->is_date)
			return kpi_bind_fail(b, m->name[0], "%s is a date; "
					     "compare it with \"YYYY-MM-DD\"",
					     name);
		return 0;
	case KPI_VALUE_BOOLEAN:
		if (c->type != KPI_VALUE_BOOLEAN)
			return kpi_bind_fail(b, m->name[0], "%s is true or "
					     "false; compare it with true or "
					     "false", name);
		if (node->op != KPI_EQ && node->op != KPI_NE &&
		    node->op != KPI_ONE_OF)
			return kpi_bind_fail(b, m->name[0], "%s is true or "
					     "false; use eq or ne", name);
		return 0;
	default:
		if (c->type != KPI_VALUE_TEXT)
			return kpi_bind_fail(b, m->name[0], "%s is text; write "
					     "the value in quotes", name);
		return 0;
	}
}

static int kpi_bind_condition(kpi_binder *b, kpi_node *node)
{
	if (node->op == KPI_LUA_CONDITION)
		return 0;
	if (node->op == KPI_ALL || node->op == KPI_ANY ||
	    node->op == KPI_NEGATE) {
		for (size_t i = 0; i < node->kid_count; i++)
			if (kpi_bind_condition(b, node->kids[i]) < 0)
				return -1;
		return 0;
	}
	if (kpi_bind_measure(b, node->kids[0]) < 0)
		return -1;
	if (node->op == KPI_IN_PERIOD &&
	    node->kids[0]->type != KPI_VALUE_DATE)
		return node->kids[0]->op == KPI_FIELD
			       ? kpi_bind_fail(b, node->kids[0]->name[0],
					       "in_period() takes a date; "
					       "'%s' is %s",
					       node->kids[0]->name[0],
					       kpi_type_name(b->schema->fields
							     [node->kids[0]
								      ->field[0]]
							     .type))
			       : kpi_bind_fail(b, NULL, "in_period() takes a "
					       "date; the measure gives a "
					       "number");
	for (size_t i = 0; i < node->const_count; i++)
		if (kpi_bind_const(b, node, &node->consts[i]) < 0)
			return -1;
	return 0;
}

static int kpi_bind_rule(kpi_binder *b, kpi_node *rule)
{
	kpi_node *m;

	if (rule->kid_count == 0)
		return 0;
	if (rule->op == KPI_RATIO || rule->op == KPI_SHARE_OF_TOTAL) {
		for (size_t i = 0; i < rule->kid_count; i++)
			if (kpi_bind_rule(b, rule->kids[i]) < 0)
				return -1;
		return 0;
	}
	if (rule->op == KPI_COUNT || rule->op == KPI_SHARE)
		return kpi_bind_condition(b, rule->kids[0]);
	m = rule->kids[0];
	if (kpi_bind_measure(b, m) < 0)
		return -1;
	if (rule->op != KPI_COUNT_DISTINCT && m->type != KPI_VALUE_NUMBER)
		return kpi_bind_fail(b, m->name[0], "the rule needs numbers; "
				     "'%s' is %s%s", kpi_measure_text(m),
				     kpi_type_name(b->schema->fields[m->field[0]]
							   .type),
				     m->type == KPI_VALUE_DATE
					     ? " (use workdays() or "
					       "days_between())" : "");
	return 0;
}

/* Whether a condition or measure reads a group, not a row: Lua
 * functions and score_change{}, and conditions on those. */
static int kpi_node_of_group(const kpi_node *node)
{
	if (node->op == KPI_LUA_CONDITION || node->op == KPI_LUA_MEASURE ||
	    node->op == KPI_SCORE_CHANGE)
		return 1;
	if (node->op < KPI_IS_SET || node->op > KPI_NEGATE ||
	    node->kid_count == 0)
		return 0;
	for (size_t i = 0; i < node->kid_count; i++)
		if (!kpi_node_of_group(node->kids[i]))
			return 0;
	return 1;
}

int kpi_bind(kpi *k, const peil_schema *schema, peil_error *err)
{
	kpi_binder b = { k, schema, err };

	if (kpi_groups_bind(k, err) < 0 || kpi_targets_bind(k, err) < 0)
		return -1;
	if (!k->breakdown_field && k->info.breakdown_count) {
		k->breakdown_field = calloc(k->info.breakdown_count,
					    sizeof(*k->breakdown_field));
		if (!k->breakdown_field)
			return error_set(err, k->info.script, k->info.line,
					 NULL, "out of memory");
	}
	for (size_t i = 0; i < k->info.breakdown_count; i++)
		if (kpi_bind_field(&b, k->info.breakdown[i],
				   &k->breakdown_field[i]) < 0)
			return -1;
	if (k->select) {
		int two = k->select->op == KPI_RUNNING_IN ||
			  k->select->op == KPI_ON_REFERENCE_DATE;

		if (kpi_bind_date(&b, k->select, 0, "select") < 0 ||
		    (two && kpi_bind_date(&b, k->select, 1, "select") < 0))
			return -1;
	}
	if (k->where && kpi_bind_condition(&b, k->where) < 0)
		return -1;
	if (k->per) {
		const kpi_node *kid = k->rule->kid_count ? k->rule->kids[0]
							 : NULL;

		if (kpi_bind_field(&b, k->per, &k->per_field) < 0)
			return -1;
		if ((k->having && !kpi_node_of_group(k->having)) ||
		    (kid && !kpi_node_of_group(kid)) ||
		    k->rule->op == KPI_COUNT_DISTINCT)
			return kpi_bind_fail(&b, k->per, "with per, having and "
					     "the rule take functions or "
					     "score_change{} of the group "
					     "(count() counts groups)");
		if (k->having && kpi_bind_condition(&b, k->having) < 0)
			return -1;
	}
	return kpi_bind_rule(&b, k->rule);
}

static const char *kpi_node_lacking(const kpi_node *node,
				    int (*has)(const void *ctx,
					       const char *name),
				    const void *ctx)
{
	const char *name = NULL;

	if (!node)
		return NULL;
	for (int i = 0; i < 3 && !name; i++)
		if (node->name[i] && !has(ctx, node->name[i]))
			name = node->name[i];
	for (size_t i = 0; !name && i < node->kid_count; i++)
		name = kpi_node_lacking(node->kids[i], has, ctx);
	return name;
}

const char *kpi_field_lacking(const kpi *k,
			      int (*has)(const void *ctx, const char *name),
			      const void *ctx)
{
	const char *name = NULL;

	for (size_t i = 0; i < k->info.breakdown_count && !name; i++)
		if (!has(ctx, k->info.breakdown[i]))
			name = k->info.breakdown[i];
	if (!name && k->per && !has(ctx, k->per))
		name = k->per;
	if (!name)
		name = kpi_node_lacking(k->select, has, ctx);
	if (!name)
		name = kpi_node_lacking(k->where, has, ctx);
	if (!name)
		name = kpi_node_lacking(k->rule, has, ctx);
	if (!name)
		name = kpi_node_lacking(k->having, has, ctx);
	return name;
}

static int kpi_schema_has_field(const void *schema, const char *name)
{
	return kpi_schema_has(schema, name);
}

const char *kpi_missing_field(const kpi *k, const peil_schema *schema)
{
	return kpi_field_lacking(k, kpi_schema_has_field, schema);
}

struct kpi_filling {
	const kpi *k;
	int (*fills)(void *ctx, const char *dataset, const char *field);
	void *ctx;
	const char *dataset, *field;	/* the first not filled */
};

/* Whether a source fills field of dataset; else remember the pair. */
static int kpi_fills(struct kpi_filling *f, const char *dataset,
		     const char *field)
{
	if (!field || f->fills(f->ctx, dataset, field))
		return 1;
	f->dataset = dataset;
	f->field = field;
	return 0;
}

/* A name of k's rows: alias.field is the field of the joined dataset. */
static int kpi_name_filled(const void *ctx, const char *name)
{
	struct kpi_filling *f = (struct kpi_filling *)ctx;
	const char *dot = strchr(name, '.');

	for (size_t i = 0; dot && i < f->k->join_count; i++) {
		const kpi_link *j = &f->k->joins[i];

		if (strlen(j->name) == (size_t)(dot - name) &&
		    strncmp(j->name, name, (size_t)(dot - name)) == 0)
			return kpi_fills(f, j->dataset, dot + 1);
	}
	return kpi_fills(f, f->k->info.dataset, name);
}

/* The fields of lookups that node and its kids read (overdue{},
 * first_rise{}, score_change{}: link[0] names the lookup). */
static int kpi_node_links_filled(struct kpi_filling *f, const kpi_node *node)
{
	if (!node)
		return 1;
	for (size_t i = 0; node->link[0] && i < f->k->lookup_count; i++)
		if (strcmp(f->k->lookups[i].name, node->link[0]) == 0)
			for (int l = 1; l < 4; l++)
				if (!kpi_fills(f, f->k->lookups[i].dataset,
					       node->link[l]))
					return 0;
	for (size_t i = 0; i < node->kid_count; i++)
		if (!kpi_node_links_filled(f, node->kids[i]))
			return 0;
	return 1;
}

const char *kpi_field_unfilled(const kpi *k,
			       int (*fills)(void *ctx, const char *dataset,
					    const char *field),
			       void *ctx, const char **dataset)
{
	struct kpi_filling f = { k, fills, ctx, NULL, NULL };
	int ok = !kpi_field_lacking(k, kpi_name_filled, &f);

	for (size_t i = 0; ok && i < k->join_count; i++)
		ok = kpi_fills(&f, k->info.dataset, k->joins[i].field) &&
		     kpi_fills(&f, k->joins[i].dataset, k->joins[i].key);
	for (size_t i = 0; ok && i < k->lookup_count; i++) {
		const kpi_link *l = &k->lookups[i];

		ok = kpi_fills(&f, l->dataset, l->field);
		for (size_t w = 0; ok && w < l->where_count; w++)
			ok = kpi_fills(&f, l->dataset, l->where_fields[w]);
	}
	ok = ok && kpi_node_links_filled(&f, k->select) &&
	     kpi_node_links_filled(&f, k->where) &&
	     kpi_node_links_filled(&f, k->rule) &&
	     kpi_node_links_filled(&f, k->having);
	*dataset = f.dataset;
	return ok ? NULL : f.field;
}

static void kpi_mark_node(const kpi_node *node, unsigned char *used)
{
	if (!node)
		return;
	for (int i = 0; i < 3; i++)
		if (node->name[i])
			used[node->field[i]] = 1;
	for (size_t i = 0; i < node->kid_count; i++)
		kpi_mark_node(node->kids[i], used);
}

void kpi_mark_fields(const kpi *k, unsigned char *used)
{
	for (size_t i = 0; i < k->info.breakdown_count; i++)
		used[k->breakdown_field[i]] = 1;
	if (k->per)
		used[k->per_field] = 1;
	kpi_mark_node(k->select, used);
	kpi_mark_node(k->where, used);
	kpi_mark_node(k->rule, used);
}

/* ------------------------------------------------------------ Lua calls */

typedef struct kpi_invoke {
	kpi *k;
	const kpi_node *node;
	const kpi_row *row;
	size_t p;
	kpi_value *measure;	/* the result of a measure */
	int truth;		/* the result of a condition */
} kpi_invoke;

/* __index of a row's values: a key that is no field there.  A declared
 * field is empty (nil); anything else is a typo that would otherwise read
 * nil and count every row ("case.registerd == nil"), so it is
 * an error at the line that reads it.  Upvalues: the set of declared
 * names, the dataset's name. */
static int kpi_row_undeclared(lua_State *L)
{
	if (lua_type(L, 2) != LUA_TSTRING)
		return luaL_error(L, "a row of dataset %s is indexed by field "
				  "name, not by a %s",
				  lua_tostring(L, lua_upvalueindex(2)),
				  luaL_typename(L, 2));
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
		lua_pushnil(L);
		return 1;
	}
	return luaL_error(L, "field '%s' is not declared in dataset %s",
			  lua_tostring(L, 2), lua_tostring(L, lua_upvalueindex(2)));
}

/* __newindex of a row: rows are shared by the script's KPIs, so a write
 * would change what the next function sees. */
static int kpi_row_refuse(lua_State *L)
{
	return luaL_error(L, "a row is read-only: cannot set '%s'",
			  luaL_tolstring(L, 2, NULL));
}

/* The iterator that pairs(row) returns: the one of the script's pairs
 * over the row's values (upvalues: it and its state), called with the
 * key, so that the values table itself, which a script could change, is
 * never handed out. */
static int kpi_row_next(lua_State *L)
{
	lua_settop(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_pushvalue(L, lua_upvalueindex(2));
	lua_pushvalue(L, 2);
	lua_call(L, 2, 2);
	return 2;
}

/* __pairs of a row: the script's own pairs (a fixed order) over its
 * values, behind kpi_row_next.  Upvalue: that pairs. */
static int kpi_row_pairs(lua_State *L)
{
	lua_getmetatable(L, 1);			/* row meta */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_getfield(L, -2, "__index");		/* row meta pairs values */
	lua_call(L, 1, 3);			/* row meta f s ctl */
	lua_insert(L, -3);			/* row meta ctl f s */
	lua_pushcclosure(L, kpi_row_next, 2);	/* row meta ctl next */
	lua_insert(L, -2);
	lua_pushvalue(L, 1);
	lua_insert(L, -2);			/* next row ctl */
	return 3;
}

/* Push the metatables of rows of schema for script, made once per scan:
 * { values meta, refuse, pairs }. */
static void kpi_row_meta_push(lua_State *L, kpi_script *script,
			      const peil_schema *schema)
{
	if (script->row_meta_ref == LUA_NOREF) {
		lua_newtable(L);
		script->row_meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, script->row_meta_ref);
	if (lua_rawgetp(L, -1, schema) == LUA_TTABLE) {
		lua_remove(L, -2);
		return;
	}
	lua_pop(L, 1);				/* cache */
	lua_createtable(L, 3, 0);		/* cache entry */
	lua_createtable(L, 0, 3);		/* cache entry meta */
	lua_createtable(L, 0, (int)schema->field_count);
	for (size_t i = 0; i < schema->field_count; i++) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, schema->fields[i].name);
	}
	lua_pushstring(L, schema->name ? schema->name : "?");
	lua_pushcclosure(L, kpi_row_undeclared, 2);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, kpi_row_refuse);	/* a new key, without proxy */
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_rawseti(L, -2, 1);
	lua_pushcfunction(L, kpi_row_refuse);
	lua_rawseti(L, -2, 2);
	sandbox_push_env(script->sb);
	lua_getfield(L, -1, "pairs");
	lua_remove(L, -2);
	lua_pushcclosure(L, kpi_row_pairs, 1);
	lua_rawseti(L, -2, 3);
	lua_pushvalue(L, -1);
	lua_rawsetp(L, -3, schema);		/* cache entry */
	lua_remove(L, -2);
}

void kpi_row_meta_drop(kpi_script *script)
{
	if (!script->sb || script->row_meta_ref == LUA_NOREF)
		return;
	luaL_unref(sandbox_lua(script->sb), LUA_REGISTRYINDEX,
		   script->row_meta_ref);
	script->row_meta_ref = LUA_NOREF;
}

/* Push v as a script sees it (a date as "YYYY-MM-DD"); 0, pushing
 * nothing, when it is empty. */
static int kpi_push_value(lua_State *L, const peil_value *v)
{
	char iso[11];

	switch (v->type) {
	case PEIL_TYPE_TEXT:
		lua_pushlstring(L, v->as.text, v->len);
		return 1;
	case PEIL_TYPE_INTEGER:
		lua_pushinteger(L, (lua_Integer)v->as.integer);
		return 1;
	case PEIL_TYPE_REAL:
		lua_pushnumber(L, v->as.real);
		return 1;
	case PEIL_TYPE_DATE:
		date_format_iso(v->as.date, iso);
		lua_pushstring(L, iso);
		return 1;
	case PEIL_TYPE_BOOLEAN:
		lua_pushboolean(L, v->as.boolean);
		return 1;
	default:
		return 0;
	}
}

void kpi_push_row(lua_State *L, kpi_script *script, const kpi_row *row,
		  int kept)
{
	int entry, values;

	kpi_row_meta_push(L, script, row->schema);
	entry = lua_gettop(L);
	lua_createtable(L, 0, (int)row->schema->field_count);
	values = lua_gettop(L);
	for (size_t i = 0; i < row->schema->field_count; i++) {
		const peil_value *v;

		if (row->slot[i] == SIZE_MAX)
			continue;
		v = &row->values[row->slot[i]];
		if (!kpi_push_value(L, v))
			continue;
		lua_setfield(L, -2, row->schema->fields[i].name);
	}
	lua_rawgeti(L, entry, 1);
	lua_setmetatable(L, values);
	if (kept) {				/* see kpi_push_row */
		lua_replace(L, entry);
		return;
	}
	/* The script gets an empty proxy, so that every write reaches
	 * __newindex, even of a field that holds a value. */
	lua_createtable(L, 0, 0);		/* entry values row */
	lua_createtable(L, 0, 4);
	lua_pushvalue(L, values);
	lua_setfield(L, -2, "__index");
	lua_rawgeti(L, entry, 2);
	lua_setfield(L, -2, "__newindex");
	lua_rawgeti(L, entry, 3);
	lua_setfield(L, -2, "__pairs");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	lua_replace(L, entry);
	lua_settop(L, entry);			/* row */
}

static void kpi_push_periods(lua_State *L, const kpi_row *row)
{
	lua_createtable(L, (int)row->period_count, 0);
	for (size_t i = 0; i < row->period_count; i++) {
		const period *p = &row->periods[i];
		char iso[11];

		lua_createtable(L, 0, 5);
		lua_pushstring(L, p->id);
		lua_setfield(L, -2, "id");
		lua_pushstring(L, period_grain_name(p->grain));
		lua_setfield(L, -2, "grain");
		date_format_iso(p->first, iso);
		lua_pushstring(L, iso);
		lua_setfield(L, -2, "first");
		date_format_iso(p->last, iso);
		lua_pushstring(L, iso);
		lua_setfield(L, -2, "last");
		date_format_iso(p->reference, iso);
		lua_pushstring(L, iso);
		lua_setfield(L, -2, "reference");
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
}

void kpi_row_table_push(lua_State *L, kpi *k, const kpi_row *row)
{
	kpi_script *script = k->script;

	if (script->row_ref == LUA_NOREF || script->row_serial != row->serial) {
		kpi_push_row(L, script, row, 0);
		if (script->row_ref == LUA_NOREF)
			script->row_ref = luaL_ref(L, LUA_REGISTRYINDEX);
		else
			lua_rawseti(L, LUA_REGISTRYINDEX, script->row_ref);
		script->row_serial = row->serial;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, script->row_ref);
}

/* Runs under sandbox_protect: the row and period tables (made once per
 * row and per evaluation), then the function itself. */
static int kpi_invoke_protected(lua_State *L)
{
	kpi_invoke *in = lua_touserdata(L, 1);
	kpi *k = in->k;
	double num;
	size_t g = 0;

	/* the table of the row's run: a KPI of several grains has a run,
	 * and periods, for each */
	while (g + 1 < PERIOD_GRAIN_COUNT && k->periods_of[g] &&
	       k->periods_of[g] != in->row->periods)
		g++;
	if (k->periods_of[g] != in->row->periods) {
		luaL_unref(L, LUA_REGISTRYINDEX, k->periods_ref[g]);
		kpi_push_periods(L, in->row);
		k->periods_ref[g] = luaL_ref(L, LUA_REGISTRYINDEX);
		k->periods_of[g] = in->row->periods;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, in->node->ref);
	if (in->row->table_ref != LUA_NOREF)
		lua_rawgeti(L, LUA_REGISTRYINDEX, in->row->table_ref);
	else
		kpi_row_table_push(L, k, in->row);
	lua_rawgeti(L, LUA_REGISTRYINDEX, k->periods_ref[g]);
	lua_rawgeti(L, -1, (lua_Integer)in->p + 1);
	lua_remove(L, -2);			/* f row period */
	if (k->lookups_ref != LUA_NOREF)
		lua_rawgeti(L, LUA_REGISTRYINDEX, k->lookups_ref);
	else
		lua_pushnil(L);			/* f row period data */
	lua_call(L, 3, 1);
	/* The row shared by the script's KPIs is an empty proxy: a key that
	 * rawset put in it would be what the next function reads.  Then
	 * the next one gets a fresh row, and this KPI fails. */
	if (in->row->table_ref == LUA_NOREF) {
		lua_rawgeti(L, LUA_REGISTRYINDEX, k->script->row_ref);
		lua_pushnil(L);
		if (lua_next(L, -2)) {
			k->script->row_serial = 0;
			return luaL_error(L, "a row is read-only: cannot set "
					  "'%s'", luaL_tolstring(L, -2, NULL));
		}
		lua_pop(L, 1);
	}

	if (in->node->op == KPI_LUA_CONDITION) {
		if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
			return luaL_error(L, "the condition function (line "
					  "%d) returned %s; expected true or "
					  "false", (int)in->node->line,
					  luaL_typename(L, -1));
		in->truth = lua_toboolean(L, -1);
		return 0;
	}
	in->measure->type = KPI_VALUE_NULL;
	if (lua_isnil(L, -1))
		return 0;
	num = lua_tonumber(L, -1);
	/* an integer beyond 2^53 has no double of its own: rounded */
	if (lua_type(L, -1) != LUA_TNUMBER || !isfinite(num) ||
	    (lua_isinteger(L, -1) &&
	     (lua_tointeger(L, -1) > (INT64_C(1) << 53) ||
	      lua_tointeger(L, -1) < -(INT64_C(1) << 53))))
		return luaL_error(L, "the measure function (line %d) returned "
				  "%s; expected a finite number or nil, "
				  "an integer within 2^53",
				  (int)in->node->line,
				  lua_type(L, -1) == LUA_TNUMBER
					  ? lua_tostring(L, -1)
					  : luaL_typename(L, -1));
	in->measure->type = KPI_VALUE_NUMBER;
	in->measure->num = num;
	return 0;
}

static int kpi_invoke_call(kpi_invoke *in, peil_error *err)
{
	kpi *k = in->k;
	sandbox *sb = k->script->sb;
	char msg[sizeof(err->message)];
	int rc;

	double start = sandbox_clock(), deadline = start + k->seconds_left;
	char what[128];

	if (k->run_deadline > 0 && k->run_deadline < deadline) {
		deadline = k->run_deadline;
		snprintf(what, sizeof(what), "[limits] run_seconds = %llu "
			 "for the whole evaluation",
			 (unsigned long long)k->run_seconds_limit);
	} else {
		snprintf(what, sizeof(what), "[limits] seconds = %llu for "
			 "one KPI", (unsigned long long)k->seconds_limit);
	}
	sandbox_budget_set(sb, k->budget_left);
	sandbox_deadline_set(sb, deadline, what);
	k->script->evaluating = k;	/* param() answers for k, in the call */
	rc = sandbox_protect(sb, kpi_invoke_protected, in, err);
	k->script->evaluating = NULL;
	k->budget_left = sandbox_budget_left(sb);
	k->seconds_left -= sandbox_clock() - start;
	sandbox_deadline_set(sb, 0, NULL);	/* the next caller sets its own */
	if (rc < 0) {
		memcpy(msg, err->message, sizeof(msg));
		error_set(err, k->info.script,
			  err->line ? err->line : in->node->line, NULL,
			  "kpi '%s': %s", k->info.id, msg);
	}
	return rc;
}

/* ----------------------------------------------------------- evaluating */

/* The value of a field of the row. */
static void kpi_field_value(const kpi_row *row, size_t field, kpi_value *out)
{
	const peil_value *v = &row->values[row->slot[field]];

	out->text = NULL;
	out->len = 0;
	out->num = 0;
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		out->type = KPI_VALUE_TEXT;
		out->text = v->as.text;
		out->len = v->len;
		break;
	case PEIL_TYPE_INTEGER:
		out->type = KPI_VALUE_NUMBER;
		out->num = (double)v->as.integer;
		break;
	case PEIL_TYPE_REAL:
		out->type = KPI_VALUE_NUMBER;
		out->num = v->as.real;
		break;
	case PEIL_TYPE_DATE:
		out->type = KPI_VALUE_DATE;
		out->num = v->as.date;
		break;
	case PEIL_TYPE_BOOLEAN:
		out->type = KPI_VALUE_BOOLEAN;
		out->num = v->as.boolean;
		break;
	default:
		out->type = KPI_VALUE_NULL;
	}
}

/* ------------------------------------------- measures over a lookup */

/* overdue{} and first_rise{}: the KPI, the row's dates (name[0],
 * name[1]), the rows of its lookup (node->history) under the row's key
 * (field[2]): rows[0..count), and what the measure found in them. */
typedef struct kpi_lookup_call {
	const kpi *k;
	const kpi_node *node;
	int32_t start, stop, reference;
	const kpi_history_row *rows;
	size_t count;
	double n;		/* overdue{}: the count */
	int32_t found;		/* first_rise{}: the date, or INT32_MAX */
	peil_error *err;
} kpi_lookup_call;

/* Whether lookup row r has the number (date 0: score) or the date
 * (date 1) the measure reads; 0 with in->err naming the lookup and the
 * field (link[1] or link[2]) when it has not. */
static int kpi_lookup_has(const kpi_lookup_call *in,
			  const kpi_history_row *r, int date)
{
	const kpi_node *node = in->node;
	int overdue = node->op == KPI_OVERDUE;

	if (!(r->bad & (date ? KPI_HISTORY_NO_DATE : KPI_HISTORY_NO_SCORE)))
		return 1;
	error_set(in->err, in->k->info.script, in->k->info.line, NULL,
		  "kpi '%s': %s{}: a row of lookup '%s' has no %s in '%s'",
		  in->k->info.id, overdue ? "overdue" : "first_rise",
		  node->link[0], date ? "date" : "number",
		  node->link[date == overdue ? 2 : 1]);
	return 0;
}

/* overdue{}: whether a lookup row records the step after months as done
 * on or before the reference date: 1, 0, -1 with in->err. */
static int kpi_overdue_done(const kpi_lookup_call *in, double months)
{
	for (size_t i = 0; i < in->count; i++) {
		const kpi_history_row *r = &in->rows[i];

		if (!kpi_lookup_has(in, r, 0) || !kpi_lookup_has(in, r, 1))
			return -1;
		if (r->score == months && r->date <= in->reference)
			return 1;
	}
	return 0;
}

/* overdue{}: the scheduled dates of the row (kpi_model.h), counted over
 * the rows of its lookup; -1 with in->err. */
static int kpi_overdue(kpi_lookup_call *in)
{
	const kpi_node *node = in->node;

	for (size_t i = 1; i < node->const_count; i++) {
		int32_t due = date_add_months(in->start,
					      (int)node->consts[i].num);
		int done;

		if (due > in->stop ||
		    !(due + (int32_t)node->consts[0].num < in->reference))
			continue;
		if ((done = kpi_overdue_done(in, node->consts[i].num)) < 0)
			return -1;
		if (!done)
			in->n += 1;
	}
	return 0;
}

/* first_rise{}: -1, 0 or 1 as lookup row a sorts before, with or after
 * row b on one day, by the order field (link[3]; none: 0): empty first,
 * then numbers, then text; -2 with in->err when either is of another
 * kind. */
static int kpi_rise_order(const kpi_lookup_call *in,
			  const kpi_history_row *a, const kpi_history_row *b)
{
	const kpi_node *node = in->node;
	const char *text = in->node->history->order_text;
	size_t n;
	int c;

	if (!node->link[3])
		return 0;
	if (a->order_rank == 3 || b->order_rank == 3)
		return error_set(in->err, in->k->info.script, in->k->info.line,
				 NULL, "kpi '%s': first_rise{}: a row of "
				 "lookup '%s' has neither text nor a number "
				 "in '%s'", in->k->info.id, node->link[0],
				 node->link[3]) - 1;
	if (a->order_rank != b->order_rank)
		return a->order_rank < b->order_rank ? -1 : 1;
	if (a->order_rank == 1)
		return a->order_num < b->order_num ? -1
		       : a->order_num > b->order_num;
	if (a->order_rank == 0)
		return 0;
	n = a->order_len < b->order_len ? a->order_len : b->order_len;
	c = n ? memcmp(text + a->order, text + b->order, n) : 0;
	if (c == 0 && a->order_len != b->order_len)
		c = a->order_len < b->order_len ? -1 : 1;
	return c < 0 ? -1 : c > 0;
}

/* first_rise{} (kpi_model.h) over the lookup rows of the row, in one
 * pass for the first measurement (the earliest; on one day the first by
 * the order field, then the first in the lookup) and one for the
 * earliest other that rose; -1 with in->err. */
static int kpi_first_rise(kpi_lookup_call *in)
{
	const kpi_history_row *first = NULL;
	double enough;

	for (size_t i = 0; i < in->count; i++) {
		const kpi_history_row *r = &in->rows[i];
		int order = 0;

		if (!kpi_lookup_has(in, r, 1))
			return -1;
		if (r->date < in->start || r->date > in->stop)
			continue;
		if (first && r->date == first->date &&
		    (order = kpi_rise_order(in, r, first)) == -2)
			return -1;
		if (!first || r->date < first->date || order < 0)
			first = r;
	}
	if (!first)
		return 0;
	if (!kpi_lookup_has(in, first, 0))
		return -1;
	enough = first->score + in->node->consts[0].num;
	for (size_t i = 0; i < in->count; i++) {
		const kpi_history_row *r = &in->rows[i];

		if (!kpi_lookup_has(in, r, 1))
			return -1;
		if (r == first || r->date < in->start || r->date > in->stop)
			continue;
		if (!kpi_lookup_has(in, r, 0))
			return -1;
		if (r->score >= enough && r->date < in->found)
			in->found = r->date;
	}
	return 0;
}

/* overdue{} or first_rise{} for the row in period p. */
static int kpi_lookup_measure(kpi *k, const kpi_node *node,
			      const kpi_row *row, size_t p, kpi_value *out,
			      peil_error *err)
{
	kpi_lookup_call in = { k, node, 0, INT32_MAX,
			       row->periods[p].reference, NULL, 0, 0,
			       INT32_MAX, err };
	char kb[24];
	size_t kl;
	const char *key = kpi_key_text(&row->values[row->slot[node->field[2]]],
				       kb, &kl);
	kpi_value a;

	memset(out, 0, sizeof(*out));
	kpi_field_value(row, node->field[0], &a);
	if (a.type != KPI_VALUE_DATE)
		return 0;		/* null without a start */
	in.start = (int32_t)a.num;
	if (node->name[1]) {
		kpi_field_value(row, node->field[1], &a);
		if (a.type == KPI_VALUE_DATE)
			in.stop = (int32_t)a.num;
	}
	if (key && node->history)	/* no key: no rows */
		in.rows = kpi_history_find(node->history, key, kl, "", 0,
					   &in.count);
	if ((node->op == KPI_OVERDUE ? kpi_overdue(&in)
				     : kpi_first_rise(&in)) < 0)
		return -1;
	if (node->op == KPI_OVERDUE) {
		out->type = KPI_VALUE_NUMBER;
		out->num = in.n;
	} else if (in.found != INT32_MAX) {
		out->type = KPI_VALUE_DATE;
		out->num = in.found;
	}
	return 0;
}

/* score_change{}: the (key, by) pairs of the row or of its group that
 * the lookup has rows of, as the numbers of their texts in the history,
 * and the sum over them. */
typedef struct kpi_change_call {
	const kpi_node *node;
	int32_t from, to;
	struct kpi_change_pair {
		long key, by;
	} *pairs;		/* distinct */
	size_t count, cap;
	/* the key of the pair added last, and its number: a group's rows
	 * have one key (per), so its text is looked up once */
	char last[24];
	const char *last_key;
	size_t last_len;
	long last_number;
	int looked_up;		/* 1: last_number is last_key's; 2: every
				   row's (the group's per value's) */
	double delta;
	int counted;
} kpi_change_call;

/* Add the pair (key, by) to in->pairs unless it is there; -1 when out of
 * memory. */
static int kpi_change_pair(kpi_change_call *in, long key, long by)
{
	struct kpi_change_pair *grown;

	for (size_t i = 0; i < in->count; i++)
		if (in->pairs[i].key == key && in->pairs[i].by == by)
			return 0;
	if (in->count == in->cap) {
		size_t cap = in->cap ? in->cap * 2 : 16;

		if (!(grown = realloc(in->pairs, cap * sizeof(*grown))))
			return -1;
		in->pairs = grown;
		in->cap = cap;
	}
	in->pairs[in->count++] = (struct kpi_change_pair){ key, by };
	return 0;
}

/* Add the change of one pair (kpi_model.h) to in. */
static void kpi_change_of(kpi_change_call *in, const kpi_history *h,
			  const struct kpi_change_pair *pair)
{
	size_t count;
	const kpi_history_row *rows = kpi_history_rows(h, pair->key,
						       pair->by, &count);
	const kpi_history_row *first = NULL, *latest = NULL;

	for (size_t i = 0; i < count; i++) {
		const kpi_history_row *r = &rows[i];

		if (r->date > in->to)
			continue;
		if (!first || r->date < first->date)
			first = r;
		if (!latest || r->date > latest->date)
			latest = r;
	}
	if (first && latest->date > first->date && latest->date >= in->from) {
		in->delta += latest->score - first->score;
		in->counted = 1;
	}
}

/* The number of key[0..len) in h, the one before when it is the same. */
static long kpi_change_key(kpi_change_call *in, const kpi_history *h,
			   const char *key, size_t len)
{
	if (in->looked_up == 2)		/* the group's, known */
		return in->last_number;
	if (in->looked_up && in->last_key && len == in->last_len &&
	    memcmp(key, in->last_key, len) == 0)
		return in->last_number;
	in->last_number = kpi_history_text(h, key, len);
	in->looked_up = 1;
	/* a row's text lives as long as the row: keep a copy when short */
	if (len <= sizeof(in->last)) {
		memcpy(in->last, key, len);
		in->last_key = in->last;
		in->last_len = len;
	} else {
		in->last_key = NULL;
	}
	return in->last_number;
}

/* Add the pair of row to in: -1 with err when out of memory. */
static int kpi_change_row(kpi_change_call *in, const kpi_row *row,
			  peil_error *err)
{
	const kpi_node *node = in->node;
	const kpi_history *h = node->history;
	char kb[24], bb[24];
	size_t kl, bl = 0;
	const char *key = kpi_key_text(&row->values[row->slot[node->field[2]]],
				       kb, &kl);
	const char *by = "";
	long k, b;

	if (!key || !h)
		return 0;		/* no key, or no lookup: no rows */
	if (node->name[1] &&
	    !(by = kpi_key_text(&row->values[row->slot[node->field[1]]], bb,
				&bl)))
		by = "";
	if ((k = kpi_change_key(in, h, key, kl)) < 0 ||
	    (b = kpi_history_text(h, by, bl)) < 0)
		return 0;		/* the lookup has no rows of it */
	if (kpi_change_pair(in, k, b) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	return 0;
}

/* What decides score_change{} of a group (kpi_group_memo_of): the
 * lookup, the fields of the group's rows and the period. */
typedef struct kpi_change_what {
	const kpi_history *history;
	size_t key, by;		/* schema indexes; by SIZE_MAX: none */
	int32_t from, to;
} kpi_change_what;

/* score_change{} (kpi_model.h) for the row, or its group, in period p. */
static int kpi_score_change(const kpi_node *node, const kpi_row *row,
			    size_t p, kpi_value *out, peil_error *err)
{
	kpi_change_call in = { node, row->periods[p].first,
			       row->periods[p].last, NULL, 0, 0, { 0 }, NULL,
			       0, -1, 0, 0, 0 };
	kpi_group_memo *memo = NULL;
	long *number = NULL;	/* of the group's key, its per value */
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (row->group) {
		kpi_change_what what;

		memset(&what, 0, sizeof(what));	/* padding compared too */
		what.history = node->history;
		what.key = node->field[2];
		what.by = node->name[1] ? node->field[1] : SIZE_MAX;
		what.from = in.from;
		what.to = in.to;
		memo = kpi_group_memo_of(row->group, &what, sizeof(what));
		if (memo && memo->known) {
			*out = memo->value;
			return 0;
		}
	}
	if (row->group) {
		kpi_row member;
		size_t at = 0;

		/* a person's key is looked up in the history once, not in
		 * each of its groups */
		number = node->history ? kpi_group_number_of(row->group,
							     node->field[2],
							     node->history)
				       : NULL;
		if (number && *number != -2) {
			in.last_key = NULL;	/* every member's key */
			in.last_number = *number;
			in.looked_up = 2;
		}
		while (rc == 0 && kpi_group_member(row, &at, &member))
			rc = kpi_change_row(&in, &member, err);
		if (number && in.looked_up == 1)
			*number = in.last_number;
	} else {
		rc = kpi_change_row(&in, row, err);
	}
	for (size_t i = 0; rc == 0 && i < in.count; i++)
		kpi_change_of(&in, node->history, &in.pairs[i]);
	free(in.pairs);
	if (rc == 0 && in.counted) {
		out->type = KPI_VALUE_NUMBER;
		out->num = in.delta;
	}
	if (rc == 0 && memo) {
		memo->value = *out;
		memo->known = 1;
	}
	return rc;
}

/* workdays(a, b) of the row into out; -1 with err naming both dates when
 * the calendar does not know the holidays between them. */
static int kpi_workdays(const calendar *cal, int32_t a, int32_t b,
			kpi_value *out, peil_error *err)
{
	char why[256], from[11], to[11];

	if (calendar_check_span(cal, a, b, why, sizeof(why)) < 0) {
		date_format_iso(a, from);
		date_format_iso(b, to);
		return error_set(err, NULL, 0, NULL,
				 "working days from %s to %s: %s", from, to,
				 why);
	}
	out->type = KPI_VALUE_NUMBER;
	out->num = (double)calendar_workdays(cal, a, b);
	return 0;
}

int kpi_measure(kpi *k, const kpi_node *node, const kpi_row *row, size_t p,
		kpi_value *out, peil_error *err)
{
	kpi_value a, b;

	switch (node->op) {
	case KPI_FIELD:
		kpi_field_value(row, node->field[0], out);
		return 0;
	case KPI_WORKDAYS:
	case KPI_DAYS_BETWEEN:
		kpi_field_value(row, node->field[0], &a);
		kpi_field_value(row, node->field[1], &b);
		memset(out, 0, sizeof(*out));
		if (a.type != KPI_VALUE_DATE || b.type != KPI_VALUE_DATE)
			return 0;	/* null when either is */
		if (node->op == KPI_WORKDAYS)
			return kpi_workdays(row->cal, (int32_t)a.num,
					    (int32_t)b.num, out, err);
		out->type = KPI_VALUE_NUMBER;
		out->num = b.num - a.num;
		return 0;
	case KPI_MONTHS_TO_REFERENCE:
		kpi_field_value(row, node->field[0], &a);
		memset(out, 0, sizeof(*out));
		if (a.type != KPI_VALUE_DATE)
			return 0;
		out->type = KPI_VALUE_NUMBER;
		out->num = date_months_between((int32_t)a.num,
					       row->periods[p].reference);
		return 0;
	case KPI_OVERDUE:
	case KPI_FIRST_RISE:
		return kpi_lookup_measure(k, node, row, p, out, err);
	case KPI_SCORE_CHANGE:
		return kpi_score_change(node, row, p, out, err);
	default: {
		kpi_invoke in = { k, node, row, p, out, 0 };

		return kpi_invoke_call(&in, err);
	}
	}
}

/* -1, 0, 1 as v is below, equal to or above c (types fit: bound). */
static int kpi_compare(const kpi_value *v, const kpi_const *c)
{
	double x = v->num, y = v->type == KPI_VALUE_DATE ? c->date : c->num;
	int r;

	if (v->type == KPI_VALUE_TEXT) {
		size_t n = v->len < c->len ? v->len : c->len;

		r = memcmp(v->text, c->text, n);
		if (r)
			return r < 0 ? -1 : 1;
		return v->len < c->len ? -1 : v->len > c->len;
	}
	return x < y ? -1 : x > y;
}

/* kpi_compare, with reference_date() taken as period p's reference date. */
static int kpi_compare_at(const kpi_value *v, const kpi_const *c,
			  const kpi_row *row, size_t p)
{
	kpi_const at;

	if (!c->reference)
		return kpi_compare(v, c);
	at = *c;
	at.date = row->periods[p].reference;
	return kpi_compare(v, &at);
}

int kpi_condition(kpi *k, const kpi_node *node, const kpi_row *row, size_t p,
		  int *out, peil_error *err)
{
	kpi_value v;
	int r;

	switch (node->op) {
	case KPI_ALL:
	case KPI_ANY:
		for (size_t i = 0; i < node->kid_count; i++) {
			if (kpi_condition(k, node->kids[i], row, p, &r,
					  err) < 0)
				return -1;
			if (r != (node->op == KPI_ALL)) {
				*out = r;
				return 0;
			}
		}
		*out = node->op == KPI_ALL;
		return 0;
	case KPI_NEGATE:
		if (kpi_condition(k, node->kids[0], row, p, &r, err) < 0)
			return -1;
		*out = !r;
		return 0;
	case KPI_LUA_CONDITION: {
		kpi_invoke in = { k, node, row, p, NULL, 0 };

		if (kpi_invoke_call(&in, err) < 0)
			return -1;
		*out = in.truth;
		return 0;
	}
	default:
		break;
	}
	if (kpi_measure(k, node->kids[0], row, p, &v, err) < 0)
		return -1;
	if (node->op == KPI_IS_SET || node->op == KPI_IS_EMPTY) {
		*out = (v.type == KPI_VALUE_NULL) == (node->op == KPI_IS_EMPTY);
		return 0;
	}
	if (node->op == KPI_IN_PERIOD) {
		*out = v.type == KPI_VALUE_DATE &&
		       v.num >= row->periods[p].first &&
		       v.num <= row->periods[p].last;
		return 0;
	}
	*out = 0;
	if (v.type == KPI_VALUE_NULL)	/* as SQL: null compares false */
		return 0;
	switch (node->op) {
	case KPI_ONE_OF:
		for (size_t i = 0; i < node->const_count && !*out; i++)
			*out = kpi_compare_at(&v, &node->consts[i], row, p) == 0;
		return 0;
	case KPI_EQ: *out = kpi_compare_at(&v, node->consts, row, p) == 0; return 0;
	case KPI_NE: *out = kpi_compare_at(&v, node->consts, row, p) != 0; return 0;
	case KPI_LT: *out = kpi_compare_at(&v, node->consts, row, p) < 0; return 0;
	case KPI_LE: *out = kpi_compare_at(&v, node->consts, row, p) <= 0; return 0;
	case KPI_GT: *out = kpi_compare_at(&v, node->consts, row, p) > 0; return 0;
	case KPI_GE: *out = kpi_compare_at(&v, node->consts, row, p) >= 0; return 0;
	default: return 0;
	}
}

void kpi_lua_release(kpi *k)
{
	lua_State *L;

	if (!k->script || !k->script->sb)
		return;
	L = sandbox_lua(k->script->sb);
	for (size_t g = 0; g < PERIOD_GRAIN_COUNT; g++) {
		luaL_unref(L, LUA_REGISTRYINDEX, k->periods_ref[g]);
		k->periods_ref[g] = LUA_NOREF;
		k->periods_of[g] = NULL;
	}
	luaL_unref(L, LUA_REGISTRYINDEX, k->lookups_ref);
	kpi_group_release(k);
	kpi_row_meta_drop(k->script);
	k->lookups_ref = LUA_NOREF;
}
