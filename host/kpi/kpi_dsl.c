/*
 * kpi_dsl.c - the language analysts write KPIs in: kpi{...}, the helpers
 * that build selections, measures, conditions and rules, and the date
 * table (kpi_date.c).  docs/kpi-scripts.md is its guide.
 *
 * Helpers only build marked tables ("nodes"); kpi{} checks the whole
 * definition and compiles it to C (kpi_model.h), so that declarative rules
 * are evaluated without Lua and every mistake is reported at load time
 * with the line of its kpi{...}.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/utf8.h"

static char kpi_node_mt_key;	/* registry: the metatable marking nodes */
static char kpi_load_key;	/* registry: the kpi_load, or false */

static const struct kpi_helper {
	const char *name;
	kpi_op op;
	kpi_kind kind;
	int min_args, max_args;
	const char *usage;
} kpi_helpers[] = {
	{ "started_in", KPI_STARTED_IN, KPI_KIND_SELECT, 1, 1, "a date field" },
	{ "closed_in", KPI_CLOSED_IN, KPI_KIND_SELECT, 1, 1, "a date field" },
	{ "running_in", KPI_RUNNING_IN, KPI_KIND_SELECT, 2, 2,
	  "a start and an end date field" },
	{ "on_reference_date", KPI_ON_REFERENCE_DATE, KPI_KIND_SELECT, 2, 2,
	  "a start and an end date field" },
	{ "up_to", KPI_UP_TO, KPI_KIND_SELECT, 1, 1, "a date field" },
	{ "cumulative", KPI_CUMULATIVE, KPI_KIND_SELECT, 1, 1, "a date field" },
	{ "workdays", KPI_WORKDAYS, KPI_KIND_MEASURE, 2, 2, "two date fields" },
	{ "months_to_reference", KPI_MONTHS_TO_REFERENCE, KPI_KIND_MEASURE, 1,
	  1, "a date field" },
	{ "overdue", KPI_OVERDUE, KPI_KIND_MEASURE, 1, 1,
	  "{ start, stop, months, lookup, key, step, done, grace_days }" },
	{ "first_rise", KPI_FIRST_RISE, KPI_KIND_MEASURE, 1, 1,
	  "{ lookup, key, date, score, from, to, rungs, order }" },
	{ "score_change", KPI_SCORE_CHANGE, KPI_KIND_MEASURE, 1, 1,
	  "{ lookup, key, date, score, by }" },
	{ "days_between", KPI_DAYS_BETWEEN, KPI_KIND_MEASURE, 2, 2,
	  "two date fields" },
	{ "is_set", KPI_IS_SET, KPI_KIND_CONDITION, 1, 1, "a field" },
	{ "is_empty", KPI_IS_EMPTY, KPI_KIND_CONDITION, 1, 1, "a field" },
	{ "in_period", KPI_IN_PERIOD, KPI_KIND_CONDITION, 1, 1,
	  "a date field or measure" },
	{ "eq", KPI_EQ, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "ne", KPI_NE, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "lt", KPI_LT, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "le", KPI_LE, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "gt", KPI_GT, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "ge", KPI_GE, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "at_most", KPI_LE, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "at_least", KPI_GE, KPI_KIND_CONDITION, 2, 2, "a field and a value" },
	{ "one_of", KPI_ONE_OF, KPI_KIND_CONDITION, 2, 2,
	  "a field and a list of values" },
	{ "all", KPI_ALL, KPI_KIND_CONDITION, 1, 1, "a list of conditions" },
	{ "any", KPI_ANY, KPI_KIND_CONDITION, 1, 1, "a list of conditions" },
	{ "negate", KPI_NEGATE, KPI_KIND_CONDITION, 1, 1, "a condition" },
	{ "count", KPI_COUNT, KPI_KIND_RULE, 0, 1, "an optional condition" },
	{ "count_distinct", KPI_COUNT_DISTINCT, KPI_KIND_RULE, 1, 1,
	  "a field or measure" },
	{ "sum", KPI_SUM, KPI_KIND_RULE, 1, 1, "a field or measure" },
	{ "mean", KPI_MEAN, KPI_KIND_RULE, 1, 1, "a field or measure" },
	{ "min", KPI_MIN, KPI_KIND_RULE, 1, 1, "a field or measure" },
	{ "max", KPI_MAX, KPI_KIND_RULE, 1, 1, "a field or measure" },
	{ "share", KPI_SHARE, KPI_KIND_RULE, 1, 1, "a condition" },
	{ "ratio", KPI_RATIO, KPI_KIND_RULE, 2, 3,
	  "two of count() and sum(), and a factor" },
	{ "share_of_total", KPI_SHARE_OF_TOTAL, KPI_KIND_RULE, 1, 1,
	  "count() or sum()" },
	{ "dataset_sum", KPI_DATASET_SUM, KPI_KIND_RULE, 2, 2,
	  "a dataset and its number field" },
	{ "param", KPI_PARAM, KPI_KIND_PARAM, 1, 1, "a parameter name" },
	{ "reference_date", KPI_REFERENCE_DATE, KPI_KIND_PARAM, 0, 0,
	  "nothing" },
	{ "group", KPI_GROUP, KPI_KIND_GROUP, 2, 2,
	  "a field and the name of a [group NAME]" },
};

#define KPI_HELPER_COUNT (sizeof(kpi_helpers) / sizeof(kpi_helpers[0]))

/* The keys a kpi{} table may have; anything else is a typo. */
static const char *const kpi_keys[] = {
	"id", "title", "description", "unit", "dataset", "grain",
	"breakdown", "select", "where", "rule", "target",
	"per", "having", "join", "lookup", "params", "tags", "decimals",
	"compare", "visibility",
};

const char *kpi_language_name(const char *part, size_t i)
{
	if (strcmp(part, "helper") == 0)
		return i < KPI_HELPER_COUNT ? kpi_helpers[i].name : NULL;
	if (strcmp(part, "key") == 0)
		return i < sizeof(kpi_keys) / sizeof(kpi_keys[0]) ? kpi_keys[i]
								   : NULL;
	if (strcmp(part, "date") == 0)
		return kpi_date_name(i);
	return NULL;
}

/* ------------------------------------------------------------ helpers */

/* A helper: check the arguments' count, then return
 * { op = index, n = count, ... } marked with the node metatable. */
static int kpi_helper_call(lua_State *L)
{
	lua_Integer index = lua_tointeger(L, lua_upvalueindex(1));
	const struct kpi_helper *h = &kpi_helpers[index];
	int n = lua_gettop(L);

	while (n > h->min_args && lua_isnil(L, n))
		n--;			/* count(nil) is count() */
	if (n < h->min_args || n > h->max_args)
		return luaL_error(L, "%s() takes %s", h->name, h->usage);
	if (h->kind == KPI_KIND_SELECT || h->kind == KPI_KIND_MEASURE)
		for (int i = 1; i <= n; i++)
			if (lua_type(L, i) != (h->op == KPI_OVERDUE ||
						       h->op == KPI_FIRST_RISE ||
						       h->op == KPI_SCORE_CHANGE
						       ? LUA_TTABLE
						       : LUA_TSTRING))
				return luaL_error(L, "%s() takes %s, got %s "
						  "as argument %d", h->name,
						  h->usage,
						  luaL_typename(L, i), i);
	lua_createtable(L, n, 2);
	for (int i = 1; i <= n; i++) {
		lua_pushvalue(L, i);
		lua_rawseti(L, -2, i);
	}
	lua_pushinteger(L, index);
	lua_setfield(L, -2, "op");
	lua_pushinteger(L, n);
	lua_setfield(L, -2, "n");
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kpi_node_mt_key);
	lua_setmetatable(L, -2);
	return 1;
}

/* The helper behind the node at idx, or NULL when it is no node. */
static const struct kpi_helper *kpi_node_helper(lua_State *L, int idx)
{
	lua_Integer index;
	int is_node;

	idx = lua_absindex(L, idx);
	if (!lua_istable(L, idx) || !lua_getmetatable(L, idx))
		return NULL;
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kpi_node_mt_key);
	is_node = lua_rawequal(L, -1, -2);
	lua_pop(L, 2);
	if (!is_node)
		return NULL;
	lua_getfield(L, idx, "op");
	index = lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (index < 0 || (size_t)index >= KPI_HELPER_COUNT)
		return NULL;
	return &kpi_helpers[index];
}

/* ----------------------------------------------------------- compiling */

/* Compiling writes nodes straight into their parent's slot, so that a
 * Lua error (out of memory) in the middle leaves nothing unowned. */
typedef struct kpi_compile {
	lua_State *L;
	kpi_script *script;
	char msg[512];
} kpi_compile;

static int kpi_compile_fail(kpi_compile *c, const char *fmt, ...)
	PEIL_PRINTF(2, 3);
static int kpi_compile_fail(kpi_compile *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int kpi_node_new(kpi_compile *c, kpi_op op, kpi_node **slot)
{
	kpi_node *node = calloc(1, sizeof(*node));

	if (!node)
		return kpi_compile_fail(c, "out of memory");
	node->op = op;
	node->ref = LUA_NOREF;
	*slot = node;
	return 0;
}

static int kpi_node_kids(kpi_compile *c, kpi_node *node, size_t n)
{
	node->kids = calloc(n ? n : 1, sizeof(*node->kids));
	if (!node->kids)
		return kpi_compile_fail(c, "out of memory");
	node->kid_count = n;
	return 0;
}

static int kpi_set_name(kpi_compile *c, kpi_node *node, int i, int idx)
{
	node->name[i] = kpi_copy(c->L, idx);
	return node->name[i] ? 0 : kpi_compile_fail(c, "out of memory");
}

/* A Lua function at idx: hold it, and remember where it was written. */
static int kpi_compile_function(kpi_compile *c, int idx, kpi_op op,
				kpi_node **slot)
{
	lua_State *L = c->L;
	lua_Debug ar;

	if (kpi_node_new(c, op, slot) < 0)
		return -1;
	lua_pushvalue(L, idx);
	lua_getinfo(L, ">S", &ar);
	(*slot)->line = ar.linedefined;
	lua_pushvalue(L, idx);
	(*slot)->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

static int kpi_compile_const(kpi_compile *c, int idx, const char *what,
			     kpi_const *out);

/* The field names of a measure written as a table (overdue{},
 * first_rise{}, score_change{}), at the top of the stack: keys[i] of the
 * first n into node->name[0..2], then node->link[0..3] (a NULL key: that
 * slot is not used); those in optional may be left out; the table has no
 * key beyond the key_count keys (a typo would go unnoticed).  0, or -1
 * with the message. */
static int kpi_compile_spec(kpi_compile *c, const char *what,
			    const char *helper, const char *const *keys,
			    size_t key_count, kpi_node *node, size_t n,
			    unsigned optional)
{
	lua_State *L = c->L;

	lua_pushnil(L);
	while (lua_next(L, -2)) {
		size_t i = 0;

		lua_pop(L, 1);
		while (i < key_count && (!keys[i] ||
					 lua_type(L, -1) != LUA_TSTRING ||
					 strcmp(lua_tostring(L, -1),
						keys[i]) != 0))
			i++;
		if (i == key_count) {
			int rc = kpi_compile_fail(c, "%s: %s{} has no key "
						  "'%s'", what, helper,
						  luaL_tolstring(L, -1, NULL));

			lua_pop(L, 2);
			return rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		int type;
		char **slot = i < 3 ? &node->name[i] : &node->link[i - 3];

		if (!keys[i])
			continue;
		type = lua_getfield(L, -1, keys[i]);
		if (type == LUA_TNIL && (optional & (1u << i))) {
			lua_pop(L, 1);
			continue;
		}
		if (type != LUA_TSTRING) {
			lua_pop(L, 1);
			return kpi_compile_fail(c, "%s: %s{} needs %s = "
						"a field name", what, helper,
						keys[i]);
		}
		*slot = kpi_copy(L, -1);
		lua_pop(L, 1);
		if (!*slot)
			return kpi_compile_fail(c, "out of memory");
	}
	return 0;
}

/* overdue { start = "start", stop = "end", months = { 3, 9 },
 * lookup = "visits", key = "trajectory_id", step = "month",
 * done = "date", grace_days = 0 } (stop and grace_days optional) into
 * node; the table is at idx. */
static int kpi_compile_overdue(kpi_compile *c, int idx, const char *what,
			       kpi_node *node)
{
	static const char *const keys[] = { "start", "stop", "key", "lookup",
					    "step", "done", "months",
					    "grace_days" };
	lua_State *L = c->L;
	size_t n;

	lua_rawgeti(L, idx, 1);			/* the table */
	if (kpi_compile_spec(c, what, "overdue", keys, 8, node, 6,
			     1u << 1) < 0) {
		lua_pop(L, 1);
		return -1;
	}
	lua_getfield(L, -1, "months");
	n = lua_istable(L, -1) ? lua_rawlen(L, -1) : 0;
	node->consts = calloc(n + 1, sizeof(*node->consts));
	if (!node->consts) {
		lua_pop(L, 2);
		return kpi_compile_fail(c, "out of memory");
	}
	node->const_count = n + 1;
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, -1, (lua_Integer)i);
		if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 ||
		    lua_tointeger(L, -1) > 1200) {
			lua_pop(L, 3);
			return kpi_compile_fail(c, "%s: overdue{}: months are "
						"whole numbers from 0 to 1200",
						what);
		}
		node->consts[i].type = KPI_VALUE_NUMBER;
		node->consts[i].num = (double)lua_tointeger(L, -1);
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	if (n == 0) {
		lua_pop(L, 1);
		return kpi_compile_fail(c, "%s: overdue{} needs months = a "
					"list of whole numbers", what);
	}
	node->consts[0].type = KPI_VALUE_NUMBER;	/* grace_days */
	if (lua_getfield(L, -1, "grace_days") != LUA_TNIL &&
	    kpi_compile_const(c, -1, what, &node->consts[0]) < 0) {
		lua_pop(L, 2);
		return -1;
	}
	lua_pop(L, 2);
	return 0;
}

/* first_rise { lookup = "ladder", key = "person", date = "date",
 * score = "score", from = "start", to = "end", rungs = 2,
 * order = "measurement_id" } (to and order optional) into node; the
 * table is at idx. */
static int kpi_compile_first_rise(kpi_compile *c, int idx, const char *what,
				  kpi_node *node)
{
	static const char *const keys[] = { "from", "to", "key", "lookup",
					    "date", "score", "order",
					    "rungs" };
	lua_State *L = c->L;
	int rc;

	lua_rawgeti(L, idx, 1);			/* the table */
	rc = kpi_compile_spec(c, what, "first_rise", keys, 8, node, 7,
			      1u << 1 | 1u << 6);
	if (rc == 0 && !(node->consts = calloc(1, sizeof(*node->consts))))
		rc = kpi_compile_fail(c, "out of memory");
	if (rc < 0) {
		lua_pop(L, 1);
		return -1;
	}
	node->const_count = 1;
	if (lua_getfield(L, -1, "rungs") == LUA_TNIL)
		rc = kpi_compile_fail(c, "%s: first_rise{} needs rungs = a "
				      "number or param()", what);
	else
		rc = kpi_compile_const(c, -1, what, &node->consts[0]);
	lua_pop(L, 2);
	return rc;
}

/* score_change { lookup = "zrm", key = "person", date = "date",
 * score = "score", by = "domain" } (by optional) into node; the table is
 * at idx. */
static int kpi_compile_score_change(kpi_compile *c, int idx,
				    const char *what, kpi_node *node)
{
	static const char *const keys[] = { NULL, "by", "key", "lookup",
					    "date", "score" };
	int rc;

	lua_rawgeti(c->L, idx, 1);		/* the table */
	rc = kpi_compile_spec(c, what, "score_change", keys, 6, node, 6,
			      1u << 1);
	lua_pop(c->L, 1);
	return rc;
}

static int kpi_compile_measure(kpi_compile *c, int idx, const char *what,
			       kpi_node **slot)
{
	lua_State *L = c->L;
	const struct kpi_helper *h = kpi_node_helper(L, idx);

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TSTRING) {
		if (kpi_node_new(c, KPI_FIELD, slot) < 0)
			return -1;
		return kpi_set_name(c, *slot, 0, idx);
	}
	if (lua_type(L, idx) == LUA_TFUNCTION)
		return kpi_compile_function(c, idx, KPI_LUA_MEASURE, slot);
	if (!h || h->kind != KPI_KIND_MEASURE)
		return kpi_compile_fail(c, "%s: expected a field name, "
					"workdays(), days_between(), "
					"months_to_reference(), overdue{}, "
					"first_rise{}, score_change{} or a "
					"function, "
					"got %s", what,
					h ? h->name : luaL_typename(L, idx));
	if (kpi_node_new(c, h->op, slot) < 0)
		return -1;
	if (h->op == KPI_OVERDUE)
		return kpi_compile_overdue(c, idx, what, *slot);
	if (h->op == KPI_FIRST_RISE)
		return kpi_compile_first_rise(c, idx, what, *slot);
	if (h->op == KPI_SCORE_CHANGE)
		return kpi_compile_score_change(c, idx, what, *slot);
	for (int i = 0; i < h->min_args; i++) {
		lua_rawgeti(L, idx, i + 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 1);
			return kpi_compile_fail(c, "%s: %s() takes %s", what,
						h->name, h->usage);
		}
		if (kpi_set_name(c, *slot, i, -1) < 0) {
			lua_pop(L, 1);
			return -1;
		}
		lua_pop(L, 1);
	}
	return 0;
}

/* A constant to compare with: text, a number or a boolean. */
static int kpi_compile_const(kpi_compile *c, int idx, const char *what,
			     kpi_const *out)
{
	lua_State *L = c->L;
	const struct kpi_helper *h = kpi_node_helper(L, idx);

	if (h && h->op == KPI_PARAM) {
		lua_rawgeti(L, idx, 1);
		out->param = lua_type(L, -1) == LUA_TSTRING
				     ? kpi_copy(L, -1) : NULL;
		lua_pop(L, 1);
		return out->param ? 0 : kpi_compile_fail(c, "%s: param() takes "
							 "a parameter name",
							 what);
	}
	if (h && h->op == KPI_REFERENCE_DATE) {
		out->type = KPI_VALUE_TEXT;
		out->reference = 1;
		out->is_date = 1;	/* the date itself is the period's */
		return 0;
	}
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		out->type = KPI_VALUE_NUMBER;
		out->num = lua_tonumber(L, idx);
		if (!isfinite(out->num))
			return kpi_compile_fail(c, "%s: cannot compare with "
						"%g, not a finite number",
						what, out->num);
		return 0;
	case LUA_TBOOLEAN:
		out->type = KPI_VALUE_BOOLEAN;
		out->num = lua_toboolean(L, idx);
		return 0;
	case LUA_TSTRING:
		out->type = KPI_VALUE_TEXT;
		lua_tolstring(L, idx, &out->len);
		out->text = kpi_copy(L, idx);
		if (!out->text)
			return kpi_compile_fail(c, "out of memory");
		out->is_date = date_parse_iso(out->text, &out->date) == 0;
		return 0;
	case LUA_TNIL:
		return kpi_compile_fail(c, "%s: comparing with nil; use "
					"is_set() or is_empty()", what);
	default:
		return kpi_compile_fail(c, "%s: cannot compare with a %s",
					what, luaL_typename(L, idx));
	}
}

static int kpi_compile_condition(kpi_compile *c, int idx, const char *what,
				 kpi_node **slot);

/* The list of conditions of all{} / any{} at idx into node->kids. */
static int kpi_compile_condition_list(kpi_compile *c, int idx,
				      const char *what, kpi_node *node)
{
	lua_State *L = c->L;
	size_t n;

	if (!lua_istable(L, idx) || kpi_node_helper(L, idx))
		return kpi_compile_fail(c, "%s: expected a list of "
					"conditions in { }", what);
	n = (size_t)lua_rawlen(L, idx);
	if (kpi_node_kids(c, node, n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int rc;

		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		rc = kpi_compile_condition(c, -1, what, &node->kids[i]);
		lua_pop(L, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int kpi_compile_condition(kpi_compile *c, int idx, const char *what,
				 kpi_node **slot)
{
	lua_State *L = c->L;
	const struct kpi_helper *h;
	kpi_node *node;
	char inner[128];
	int rc = 0;

	idx = lua_absindex(L, idx);
	if (lua_type(L, idx) == LUA_TFUNCTION)
		return kpi_compile_function(c, idx, KPI_LUA_CONDITION, slot);
	h = kpi_node_helper(L, idx);
	if (!h || h->kind != KPI_KIND_CONDITION)
		return kpi_compile_fail(c, "%s: expected a condition "
					"(is_set, eq, at_most, one_of, all, "
					"...) or a function, got %s", what,
					h ? h->name : luaL_typename(L, idx));
	if (kpi_node_new(c, h->op, slot) < 0)
		return -1;
	node = *slot;
	snprintf(inner, sizeof(inner), "%s: %s()", what, h->name);
	lua_rawgeti(L, idx, 1);
	lua_rawgeti(L, idx, 2);			/* arg1 arg2 */
	switch (h->op) {
	case KPI_ALL:
	case KPI_ANY:
		rc = kpi_compile_condition_list(c, -2, inner, node);
		break;
	case KPI_NEGATE:
		rc = kpi_node_kids(c, node, 1);
		if (rc == 0)
			rc = kpi_compile_condition(c, -2, inner,
						   &node->kids[0]);
		break;
	default:			/* a measure, and maybe constants */
		rc = kpi_node_kids(c, node, 1);
		if (rc == 0)
			rc = kpi_compile_measure(c, -2, inner,
						 &node->kids[0]);
		if (rc < 0 || h->op == KPI_IS_SET || h->op == KPI_IS_EMPTY ||
		    h->op == KPI_IN_PERIOD)
			break;
		if (h->op != KPI_ONE_OF) {
			node->consts = calloc(1, sizeof(*node->consts));
			if (!node->consts) {
				rc = kpi_compile_fail(c, "out of memory");
				break;
			}
			node->const_count = 1;
			rc = kpi_compile_const(c, -1, inner, node->consts);
			break;
		}
		if (!lua_istable(L, -1) || kpi_node_helper(L, -1) ||
		    lua_rawlen(L, -1) == 0) {
			rc = kpi_compile_fail(c, "%s: expected a list of values "
					      "in { }", inner);
			break;
		}
		node->consts = calloc((size_t)lua_rawlen(L, -1),
				      sizeof(*node->consts));
		if (!node->consts) {
			rc = kpi_compile_fail(c, "out of memory");
			break;
		}
		node->const_count = (size_t)lua_rawlen(L, -1);
		for (size_t i = 0; rc == 0 && i < node->const_count; i++) {
			lua_rawgeti(L, -1, (lua_Integer)i + 1);
			rc = kpi_compile_const(c, -1, inner, &node->consts[i]);
			lua_pop(L, 1);
		}
		break;
	}
	lua_pop(L, 2);
	return rc;
}

static int kpi_compile_select(kpi_compile *c, int idx, kpi_node **slot)
{
	lua_State *L = c->L;
	const struct kpi_helper *h = kpi_node_helper(L, idx);

	idx = lua_absindex(L, idx);
	if (!h || h->kind != KPI_KIND_SELECT)
		return kpi_compile_fail(c, "select: expected started_in(), "
					"closed_in(), running_in(), up_to(), "
					"cumulative() or on_reference_date(), "
					"got %s",
					h ? h->name : luaL_typename(L, idx));
	if (kpi_node_new(c, h->op, slot) < 0)
		return -1;
	for (int i = 0; i < h->min_args; i++) {
		int rc;

		lua_rawgeti(L, idx, i + 1);
		rc = lua_type(L, -1) == LUA_TSTRING
			     ? kpi_set_name(c, *slot, i, -1)
			     : kpi_compile_fail(c, "select: %s() takes %s",
						h->name, h->usage);
		lua_pop(L, 1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int kpi_compile_rule(kpi_compile *c, int idx, kpi_node **slot);

/* dataset_sum("population", "inhabitants") at idx, ratio()'s denominator:
 * the dataset and field as consts[0] and [1]. */
static int kpi_compile_dataset_sum(kpi_compile *c, int idx, const char *what,
				   kpi_node **slot)
{
	lua_State *L = c->L;
	int rc = 0;

	idx = lua_absindex(L, idx);
	if (kpi_node_new(c, KPI_DATASET_SUM, slot) < 0)
		return -1;
	(*slot)->consts = calloc(2, sizeof(*(*slot)->consts));
	if (!(*slot)->consts)
		return kpi_compile_fail(c, "out of memory");
	(*slot)->const_count = 2;
	for (int i = 0; rc == 0 && i < 2; i++) {
		kpi_const *k = &(*slot)->consts[i];

		lua_rawgeti(L, idx, i + 1);
		if (lua_type(L, -1) != LUA_TSTRING)
			rc = kpi_compile_fail(c, "%s: dataset_sum() takes a "
					      "dataset and its number field",
					      what);
		else if (!(k->text = kpi_copy(L, -1)))
			rc = kpi_compile_fail(c, "out of memory");
		else {
			k->type = KPI_VALUE_TEXT;
			k->len = strlen(k->text);
		}
		lua_pop(L, 1);
	}
	return rc;
}

/* The parts of ratio(a, b[, factor]) and share_of_total(a) at idx into
 * node: count() or sum() each, and ratio's factor, a number. */
static int kpi_compile_parts(kpi_compile *c, int idx,
			     const struct kpi_helper *h, const char *what,
			     kpi_node *node)
{
	lua_State *L = c->L;
	size_t n = (size_t)h->min_args;
	int rc = kpi_node_kids(c, node, n);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct kpi_helper *part;

		lua_rawgeti(L, idx, (lua_Integer)i + 1);
		part = kpi_node_helper(L, -1);
		if (part && part->op == KPI_DATASET_SUM && i == 1 &&
		    h->op == KPI_RATIO)
			rc = kpi_compile_dataset_sum(c, -1, what,
						     &node->kids[i]);
		else if (!part || (part->op != KPI_COUNT &&
				   part->op != KPI_SUM))
			rc = kpi_compile_fail(c, "%s takes %s, got %s", what,
					      h->usage, part ? part->name :
					      luaL_typename(L, -1));
		else
			rc = kpi_compile_rule(c, -1, &node->kids[i]);
		lua_pop(L, 1);
	}
	if (rc < 0 || h->op != KPI_RATIO)
		return rc;
	lua_rawgeti(L, idx, 3);
	if (!lua_isnil(L, -1)) {
		if (lua_type(L, -1) != LUA_TNUMBER || lua_tonumber(L, -1) <= 0)
			rc = kpi_compile_fail(c, "%s: the factor must be a "
					      "number above 0 (100 for a "
					      "percentage, 1000 for per "
					      "1000)", what);
		else if (!(node->consts = calloc(1, sizeof(*node->consts))))
			rc = kpi_compile_fail(c, "out of memory");
		else {
			node->const_count = 1;
			node->consts[0].type = KPI_VALUE_NUMBER;
			node->consts[0].num = lua_tonumber(L, -1);
		}
	}
	lua_pop(L, 1);
	return rc;
}

static int kpi_compile_rule(kpi_compile *c, int idx, kpi_node **slot)
{
	lua_State *L = c->L;
	const struct kpi_helper *h = kpi_node_helper(L, idx);
	char what[64];
	int rc;

	idx = lua_absindex(L, idx);
	if (!h || h->kind != KPI_KIND_RULE)
		return kpi_compile_fail(c, "rule: expected count(), share(), "
					"mean(), sum(), min(), max(), "
					"count_distinct(), ratio() or "
					"share_of_total(), got %s",
					h ? h->name : luaL_typename(L, idx));
	if (kpi_node_new(c, h->op, slot) < 0)
		return -1;
	snprintf(what, sizeof(what), "rule: %s()", h->name);
	if (h->op == KPI_RATIO || h->op == KPI_SHARE_OF_TOTAL)
		return kpi_compile_parts(c, idx, h, what, *slot);
	if (h->op == KPI_DATASET_SUM)
		return kpi_compile_fail(c, "rule: dataset_sum() is the "
					"denominator of ratio() only");
	lua_rawgeti(L, idx, 1);
	if (h->op == KPI_COUNT && lua_isnil(L, -1))
		rc = 0;
	else if (kpi_node_kids(c, *slot, 1) < 0)
		rc = -1;
	else if (h->op == KPI_COUNT || h->op == KPI_SHARE)
		rc = kpi_compile_condition(c, -1, what, &(*slot)->kids[0]);
	else
		rc = kpi_compile_measure(c, -1, what, &(*slot)->kids[0]);
	lua_pop(L, 1);
	return rc;
}

/* A string field of the kpi{} table into *out (owned); required or "". */
static int kpi_compile_text(kpi_compile *c, int t, const char *key,
			    int required, const char **out)
{
	lua_State *L = c->L;
	char *copy;
	int type = lua_getfield(L, t, key);

	if (type == LUA_TNIL && !required) {
		lua_pop(L, 1);
		copy = strdup("");
	} else if (type != LUA_TSTRING) {
		lua_pop(L, 1);
		return kpi_compile_fail(c, type == LUA_TNIL ? "missing %s" :
					"%s must be text", key);
	} else {
		size_t len, bad;
		const char *text = lua_tolstring(L, -1, &len);

		/* The outputs are UTF-8 and copy it: "\xff" is refused here. */
		if ((bad = utf8_invalid_at(text, len)) < len) {
			lua_pop(L, 1);
			return kpi_compile_fail(c, "%s is not UTF-8 text: byte "
						"0x%02X at byte %zu", key,
						(unsigned char)text[bad],
						bad + 1);
		}
		/* Every output copies it as a C string: "A\0B" would
		 * reach them as "A". */
		if ((bad = strlen(text)) < len) {
			lua_pop(L, 1);
			return kpi_compile_fail(c, "%s holds a NUL byte at byte "
						"%zu", key, bad + 1);
		}
		copy = kpi_copy(L, -1);
		lua_pop(L, 1);
	}
	if (!copy)
		return kpi_compile_fail(c, "out of memory (the script's memory "
					"limit counts the text kpi{} keeps)");
	*out = copy;
	return 0;
}

/* group("referrer", "verwijzers") at idx, an entry of breakdown: its
 * field into *name (owned by k) and the grouping onto k. */
static int kpi_compile_grouping(kpi_compile *c, int idx, kpi *k,
				const char **name)
{
	lua_State *L = c->L;
	kpi_grouping *grown, *gr;
	int rc = 0;

	idx = lua_absindex(L, idx);
	grown = realloc(k->groupings,
			(k->grouping_count + 1) * sizeof(*grown));
	if (!grown)
		return kpi_compile_fail(c, "out of memory");
	k->groupings = grown;
	gr = &grown[k->grouping_count];
	memset(gr, 0, sizeof(*gr));
	lua_rawgeti(L, idx, 1);
	lua_rawgeti(L, idx, 2);
	if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
		rc = kpi_compile_fail(c, "breakdown: group() takes a field "
				      "and the name of a [group NAME]");
	else if (!(gr->field = kpi_copy(L, -2)) ||
		 !(gr->group = kpi_copy(L, -1)) ||
		 !(*name = kpi_copy(L, -2)))
		rc = kpi_compile_fail(c, "out of memory");
	k->grouping_count++;	/* freed with k, also half filled */
	lua_pop(L, 2);
	return rc;
}

/* A list of names at key of the table t (a single string is a list of
 * one) into *out and *count, owned by k: breakdown's field names,
 * tags.  what names an entry in messages ("field name", "tag").  With
 * grouped, an entry may be group("field", "name") (breakdown). */
static int kpi_compile_names(kpi_compile *c, int t, const char *key,
			     const char *what, kpi *grouped,
			     const char *const **out, size_t *count)
{
	lua_State *L = c->L;
	const char **names;
	size_t n;
	int rc = 0;

	lua_getfield(L, t, key);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (lua_type(L, -1) == LUA_TSTRING) {	/* breakdown = "team" */
		lua_createtable(L, 1, 0);
		lua_insert(L, -2);
		lua_rawseti(L, -2, 1);
	}
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return kpi_compile_fail(c, "%s: expected a list of %ss, such "
					"as { \"team\" }", key, what);
	}
	n = (size_t)lua_rawlen(L, -1);
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		lua_pop(L, 1);
		return kpi_compile_fail(c, "out of memory");
	}
	*out = names;
	*count = n;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct kpi_helper *h;

		lua_rawgeti(L, -1, (lua_Integer)i + 1);
		h = kpi_node_helper(L, -1);
		if (grouped && h && h->kind == KPI_KIND_GROUP)
			rc = kpi_compile_grouping(c, -1, grouped, &names[i]);
		else if (lua_type(L, -1) != LUA_TSTRING)
			rc = kpi_compile_fail(c, "%s: entry %zu is no %s", key,
					      i + 1, what);
		else if (!(names[i] = kpi_copy(L, -1)))
			rc = kpi_compile_fail(c, "out of memory");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return rc;
}

static int kpi_valid_id(const char *id)
{
	if (!*id)
		return 0;
	for (; *id; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9') ||
		      *id == '_'))
			return 0;
	return 1;
}

/* Every key of the table at t must be one of kpi_keys. */
static int kpi_compile_keys(kpi_compile *c, int t)
{
	lua_State *L = c->L;

	lua_pushnil(L);
	while (lua_next(L, t)) {
		const char *key;
		size_t i;

		lua_pop(L, 1);
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pop(L, 1);
			return kpi_compile_fail(c, "every entry needs a name "
						"(name = value)");
		}
		key = lua_tostring(L, -1);
		for (i = 0; i < sizeof(kpi_keys) / sizeof(kpi_keys[0]); i++)
			if (strcmp(key, kpi_keys[i]) == 0)
				break;
		if (i == sizeof(kpi_keys) / sizeof(kpi_keys[0])) {
			kpi_compile_fail(c, "unknown key '%s' (id, title, "
					 "description, unit, dataset, grain, "
					 "breakdown, select, where, rule, "
					 "target, tags)", key);
			lua_pop(L, 1);
			return -1;
		}
	}
	return 0;
}

/* decimals = N (0 to KPI_MAX_DECIMALS), else those of the rule's kind:
 * 0 for counts (count, count_distinct) and the sums, minima and maxima
 * of a measure; 1 for shares (a percentage) and means. */
static int kpi_compile_decimals(kpi_compile *c, int t, kpi *k)
{
	lua_State *L = c->L;
	int isint = 0;
	lua_Integer n;

	k->info.decimals = k->rule->op == KPI_SHARE || k->rule->op == KPI_MEAN ||
			   k->rule->op == KPI_RATIO ||
			   k->rule->op == KPI_SHARE_OF_TOTAL;
	if (lua_getfield(L, t, "decimals") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	n = lua_tointegerx(L, -1, &isint);
	lua_pop(L, 1);
	if (!isint || n < 0 || n > KPI_MAX_DECIMALS)
		return kpi_compile_fail(c, "decimals: expected a whole number "
					"from 0 to %d", KPI_MAX_DECIMALS);
	k->info.decimals = (int)n;
	return 0;
}

/* compare = { "previous", "year_before" } (or one of them as a string):
 * the earlier periods each figure is compared with. */
static int kpi_compile_compare(kpi_compile *c, int t, kpi *k)
{
	lua_State *L = c->L;
	char list[64] = "", msg[sizeof(c->msg)];
	int type = lua_getfield(L, t, "compare");

	if (type == LUA_TSTRING && lua_rawlen(L, -1) < 32) {
		snprintf(list, sizeof(list), "%s", lua_tostring(L, -1));
	} else if (type == LUA_TTABLE) {
		for (lua_Integer i = 1; i <= 2; i++) {
			if (lua_rawgeti(L, -1, i) == LUA_TSTRING &&
			    lua_rawlen(L, -1) < 24)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s ",
					 lua_tostring(L, -1));
			else if (!lua_isnil(L, -1))
				strcpy(list, "?");
			lua_pop(L, 1);
		}
		if (lua_rawlen(L, -1) > 2)
			strcpy(list, "?");
	} else if (type != LUA_TNIL) {
		strcpy(list, "?");
	}
	lua_pop(L, 1);
	if (list[0] && list[strlen(list) - 1] == ' ')
		list[strlen(list) - 1] = '\0';
	if (strcmp(list, "?") == 0)
		return kpi_compile_fail(c, "compare: expected { \"previous\", "
					"\"year_before\" } or one of them");
	if (kpi_compare_parse(list, &k->info.compare, msg, sizeof(msg)) < 0)
		return kpi_compile_fail(c, "%s", msg);
	return 0;
}

/* visibility = "public" or "internal" (the default). */
static int kpi_compile_visibility(kpi_compile *c, int t, kpi *k)
{
	lua_State *L = c->L;
	char msg[sizeof(c->msg)];
	int type = lua_getfield(L, t, "visibility");
	int rc = 0;

	if (type != LUA_TNIL &&
	    (type != LUA_TSTRING ||
	     kpi_visibility_parse(lua_tostring(L, -1), &k->info.is_public,
				  msg, sizeof(msg)) < 0))
		rc = kpi_compile_fail(c, "visibility: expected \"public\" or "
				      "\"internal\"");
	lua_pop(L, 1);
	return rc;
}

/* grain = "month" or grain = { "month", "quarter", "year" }. */
static int kpi_compile_grains(kpi_compile *c, int t, period_grains *out)
{
	lua_State *L = c->L;
	const char *name = NULL;
	period_grain g;
	int type = lua_getfield(L, t, "grain");

	out->count = 0;
	if (type == LUA_TSTRING) {
		name = lua_tostring(L, -1);
		if (period_grain_parse(name, &g) == 0) {
			period_grains_add(out, g);
			name = NULL;
		}
	} else if (type == LUA_TTABLE) {
		lua_Integer n = (lua_Integer)lua_rawlen(L, -1);

		for (lua_Integer i = 1; i <= n && !name; i++) {
			lua_rawgeti(L, -1, i);
			name = lua_type(L, -1) == LUA_TSTRING
				       ? lua_tostring(L, -1) : "(not a name)";
			if (period_grain_parse(name, &g) == 0) {
				period_grains_add(out, g);
				name = NULL;
			}
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	if (name)
		return kpi_compile_fail(c, "grain: unknown '%s' (month, "
					"quarter, year, contract_year)", name);
	if (!out->count)
		return kpi_compile_fail(c, "missing grain (month, quarter, "
					"year or contract_year, or a list "
					"of them)");
	return 0;
}

/* Compile the kpi{} table at t into k (already owned by the load). */
static int kpi_compile_table(kpi_compile *c, int t, kpi *k)
{
	lua_State *L = c->L;
	int rc;

	/* Unknown keys first: "titel" is a typo of title, and saying that
	 * helps more than "missing title". */
	if (kpi_compile_keys(c, t) < 0 ||
	    kpi_compile_text(c, t, "title", 1, &k->info.title) < 0 ||
	    kpi_compile_text(c, t, "description", 0,
			     &k->info.description) < 0 ||
	    kpi_compile_text(c, t, "unit", 1, &k->info.unit) < 0 ||
	    kpi_compile_text(c, t, "dataset", 1, &k->info.dataset) < 0)
		return -1;
	rc = kpi_compile_grains(c, t, &k->info.grains);
	if (rc < 0 ||
	    kpi_compile_names(c, t, "breakdown", "field name", k,
			      &k->info.breakdown, &k->info.breakdown_count) < 0 ||
	    kpi_compile_names(c, t, "tags", "tag", NULL, &k->info.tags,
			      &k->info.tag_count) < 0 ||
	    kpi_compile_target(L, t, k, c->msg, sizeof(c->msg)) < 0)
		return -1;
	if (lua_getfield(L, t, "select") != LUA_TNIL)
		rc = kpi_compile_select(c, -1, &k->select);
	lua_pop(L, 1);
	if (rc < 0)
		return -1;
	if (lua_getfield(L, t, "where") != LUA_TNIL)
		rc = kpi_compile_condition(c, -1, "where", &k->where);
	lua_pop(L, 1);
	if (rc < 0)
		return -1;
	if (lua_getfield(L, t, "having") != LUA_TNIL)
		rc = lua_getfield(L, t, "per") == LUA_TNIL
			     ? kpi_compile_fail(c, "having needs per")
			     : kpi_compile_condition(c, -2, "having",
						     &k->having);
	lua_settop(L, t);
	if (rc < 0 ||
	    kpi_compile_links(L, t, k, c->msg, sizeof(c->msg)) < 0)
		return -1;
	if (lua_getfield(L, t, "rule") == LUA_TNIL)
		rc = kpi_compile_fail(c, "missing rule (count(), share(), "
				      "mean(), ...)");
	else
		rc = kpi_compile_rule(c, -1, &k->rule);
	lua_pop(L, 1);
	return rc < 0 || kpi_compile_compare(c, t, k) < 0 ||
			       kpi_compile_visibility(c, t, k) < 0
		       ? -1
		       : kpi_compile_decimals(c, t, k);
}

static int kpi_node_uses_lua(const kpi_node *node)
{
	if (!node)
		return 0;
	if (node->ref != LUA_NOREF)
		return 1;
	for (size_t i = 0; i < node->kid_count; i++)
		if (kpi_node_uses_lua(node->kids[i]))
			return 1;
	return 0;
}

/* kpi { ... }: compile one definition into the current load. */
static int kpi_define(lua_State *L)
{
	kpi_load *load;
	kpi_compile c = { L, NULL, "" };
	char id[128] = "";
	lua_Debug ar;
	kpi *k;

	lua_rawgetp(L, LUA_REGISTRYINDEX, &kpi_load_key);
	load = lua_touserdata(L, -1);
	lua_pop(L, 1);
	if (!load)
		return luaL_error(L, "kpi{} can only be used at the top of a "
				  "script, not inside a rule");
	if (lua_gettop(L) != 1 || !lua_istable(L, 1) ||
	    kpi_node_helper(L, 1))
		return luaL_error(L, "kpi expects a table: kpi { id = ..., "
				  "title = ..., ... }");
	if (lua_getfield(L, 1, "id") == LUA_TSTRING) {
		/* a longer id was cut to another one, two to one */
		if (lua_rawlen(L, -1) >= sizeof(id))
			return luaL_error(L, "kpi: id '%s' is %d characters "
					  "long: at most %d",
					  lua_tostring(L, -1),
					  (int)lua_rawlen(L, -1),
					  (int)sizeof(id) - 1);
		snprintf(id, sizeof(id), "%s", lua_tostring(L, -1));
	}
	lua_pop(L, 1);
	if (!kpi_valid_id(id))
		return luaL_error(L, "kpi: id must be lower-case letters, "
				  "digits and _ (such as \"caseload\")");
	for (size_t i = 0; i < load->count; i++)
		if (strcmp(load->kpis[i]->info.id, id) == 0)
			return luaL_error(L, "kpi '%s': defined twice in this "
					  "file (first at line %d)", id,
					  (int)load->kpis[i]->info.line);
	if (load->count == load->cap) {
		size_t cap = load->cap ? load->cap * 2 : 16;
		kpi **grown = realloc(load->kpis, cap * sizeof(*grown));

		if (!grown)
			return luaL_error(L, "out of memory");
		load->kpis = grown;
		load->cap = cap;
	}

	k = calloc(1, sizeof(*k));
	if (!k || !(k->info.id = strdup(id))) {
		free(k);
		return luaL_error(L, "out of memory");
	}
	k->script = load->script;
	load->script->refs++;
	for (size_t g = 0; g < PERIOD_GRAIN_COUNT; g++)
		k->periods_ref[g] = LUA_NOREF;
	k->lookups_ref = LUA_NOREF;
	k->info.script = load->script->path;
	k->info.script_sha256 = load->script->sha256;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar))
		k->info.line = ar.currentline;
	load->pending = k;
	c.script = load->script;
	if (kpi_compile_table(&c, 1, k) < 0) {
		load->pending = NULL;
		kpi_free(k);
		return luaL_error(L, "kpi '%s': %s", id, c.msg);
	}
	k->uses_lua = kpi_node_uses_lua(k->select) ||
		      kpi_node_uses_lua(k->where) ||
		      kpi_node_uses_lua(k->rule) ||
		      kpi_node_uses_lua(k->having) || k->per;
	k->groups_lua = kpi_node_uses_lua(k->having) ||
			kpi_node_uses_lua(k->rule);
	load->pending = NULL;
	load->kpis[load->count++] = k;
	return 0;
}

/* param("name"): while a KPI is evaluated, the value of its parameter;
 * while a script loads, a node that kpi{} resolves when it binds.  The
 * KPI is the script's (upvalue 2) evaluating one, which kpi_rule.c sets. */
static int kpi_param_call(lua_State *L)
{
	kpi_script *script = lua_touserdata(L, lua_upvalueindex(2));
	kpi *k = script->evaluating;
	kpi_param *param;

	if (!k)
		return kpi_helper_call(L);
	param = kpi_param_find(k, luaL_checkstring(L, 1));
	if (!param)
		return luaL_error(L, "kpi '%s' has no parameter '%s' (declare "
				  "it in params = { ... })", k->info.id,
				  lua_tostring(L, 1));
	if (param->value.type == KPI_VALUE_NUMBER)
		lua_pushnumber(L, param->value.num);
	else
		lua_pushlstring(L, param->value.text, param->value.len);
	return 1;
}

/* ------------------------------------------------------------ install */

struct kpi_install {
	kpi_script *script;
	const calendar *cal;
	char *const *dirs;
	size_t dir_count;
};

static int kpi_install_protected(lua_State *L)
{
	struct kpi_install *in = lua_touserdata(L, 1);
	int env;

	lua_newtable(L);
	lua_pushliteral(L, "peil");
	lua_setfield(L, -2, "__metatable");	/* nodes' mt stays ours */
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kpi_node_mt_key);
	lua_pushboolean(L, 0);			/* the key exists from now */
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kpi_load_key);

	sandbox_push_env(in->script->sb);
	env = lua_gettop(L);
	for (size_t i = 0; i < KPI_HELPER_COUNT; i++) {
		lua_pushinteger(L, (lua_Integer)i);	/* the helper's index */
		if (kpi_helpers[i].op == KPI_PARAM) {
			lua_pushlightuserdata(L, in->script);
			lua_pushcclosure(L, kpi_param_call, 2);
		} else
			lua_pushcclosure(L, kpi_helper_call, 1);
		lua_setfield(L, env, kpi_helpers[i].name);
	}
	lua_pushcfunction(L, kpi_define);
	lua_setfield(L, env, "kpi");
	kpi_date_push(L, in->cal);
	lua_setfield(L, env, "date");
	kpi_require_install(L, in->script, in->dirs, in->dir_count);
	return 0;
}

int kpi_dsl_install(kpi_script *script, const kpi_set *set, peil_error *err)
{
	struct kpi_install in = { script, set->cal, set->script_dirs,
				  set->script_dir_count };

	return sandbox_protect(script->sb, kpi_install_protected, &in, err);
}

int kpi_dsl_run(kpi_load *load, uint64_t budget, peil_error *err)
{
	lua_State *L = sandbox_lua(load->script->sb);
	int rc;

	/* The keys exist (install), so these stores do not allocate. */
	lua_pushlightuserdata(L, load);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kpi_load_key);
	sandbox_budget_set(load->script->sb, budget);
	rc = sandbox_call(load->script->sb, 0, 0, err);
	lua_pushboolean(L, 0);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kpi_load_key);
	if (load->pending) {		/* a Lua error inside kpi{} */
		kpi_free(load->pending);
		load->pending = NULL;
	}
	return rc;
}
