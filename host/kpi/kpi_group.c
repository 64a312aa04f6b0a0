/*
 * kpi_group.c - per = "field": a KPI that counts groups of rows (persons,
 * say) rather than rows.
 *
 * During the scan every selected row is added, as its Lua table, to the
 * group of its per value in each (cell, period) slot it counts in; the
 * groups live in the script's state at k->groups_ref as
 *   { [slot + 1] = { keys = { k1, k2, ... }, rows = { [k1] = { row, ... } } } }
 * (keys in the order first seen, so that sums come out the same on every
 * run).  After the scan each group becomes { key = k1, rows = { ... } }
 * and goes through having and the rule, as a row would.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/error.h"

typedef struct group_step {
	kpi *k;
	const kpi_row *row;
	size_t slot;
	size_t index;		/* reduce: the group (0-based) */
	size_t count;		/* reduce: how many the slot has */
	int ref;		/* reduce: the group table made */
} group_step;

/* The slot's table, made when absent (create) or nil. */
static int group_slot_push(lua_State *L, kpi *k, size_t slot, int create)
{
	if (k->groups_ref == LUA_NOREF) {
		if (!create) {
			lua_pushnil(L);
			return 0;
		}
		lua_newtable(L);
		k->groups_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, k->groups_ref);
	if (lua_rawgeti(L, -1, (lua_Integer)slot + 1) == LUA_TNIL && create) {
		lua_pop(L, 1);
		lua_createtable(L, 0, 2);
		lua_newtable(L);
		lua_setfield(L, -2, "keys");
		lua_newtable(L);
		lua_setfield(L, -2, "rows");
		lua_pushvalue(L, -1);
		lua_rawseti(L, -3, (lua_Integer)slot + 1);
	}
	lua_remove(L, -2);
	return 0;
}

static int group_add_protected(lua_State *L)
{
	group_step *st = lua_touserdata(L, 1);
	const kpi_row *row = st->row;
	int slot;

	kpi_row_table_push(L, st->k, row);	/* shared by its slots */
	lua_getfield(L, -1, st->k->per);	/* row key */
	if (lua_isnil(L, -1))
		return 0;			/* no key: left out */
	group_slot_push(L, st->k, st->slot, 1);
	slot = lua_gettop(L);			/* row key slot */
	lua_getfield(L, slot, "rows");
	lua_pushvalue(L, slot - 1);
	if (lua_rawget(L, -2) == LUA_TNIL) {	/* a new group */
		lua_pop(L, 1);
		lua_newtable(L);
		lua_pushvalue(L, slot - 1);
		lua_pushvalue(L, -2);
		lua_rawset(L, -4);		/* rows[key] = {} */
		lua_getfield(L, slot, "keys");
		lua_pushvalue(L, slot - 1);
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
		lua_pop(L, 1);
	}
	lua_pushvalue(L, slot - 2);
	lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	return 0;
}

int kpi_group_add(kpi *k, const kpi_row *row, size_t slot, peil_error *err)
{
	group_step st = { k, row, slot, 0, 0, LUA_NOREF };

	return sandbox_protect(k->script->sb, group_add_protected, &st, err);
}

/* Count the slot's groups (index == SIZE_MAX), or make group index into
 * st->ref. */
static int group_make_protected(lua_State *L)
{
	group_step *st = lua_touserdata(L, 1);

	group_slot_push(L, st->k, st->slot, 0);
	if (lua_isnil(L, -1)) {
		st->count = 0;
		return 0;
	}
	lua_getfield(L, -1, "keys");
	if (st->index == SIZE_MAX) {
		st->count = (size_t)lua_rawlen(L, -1);
		return 0;
	}
	lua_createtable(L, 0, 2);			/* slot keys g */
	lua_rawgeti(L, -2, (lua_Integer)st->index + 1);
	lua_pushvalue(L, -1);
	lua_setfield(L, -3, "key");
	lua_getfield(L, -4, "rows");
	lua_insert(L, -2);
	lua_rawget(L, -2);				/* ... g rows list */
	lua_setfield(L, -3, "rows");
	lua_pop(L, 1);
	lua_rawseti(L, LUA_REGISTRYINDEX, st->ref);
	return 0;
}

/* What cases->group gets of the group at registry st->ref: its key as
 * text, and per field of the cases the distinct values of its rows joined
 * by '|'. */
typedef struct group_listing {
	group_step *st;
	const kpi_cases *cases;
	char *key;
	char **fields;		/* cases->field_count texts */
} group_listing;

/* Append the text at the top of L to *out unless it is there already
 * between '|'.  -1 when out of memory. */
static int group_case_join(lua_State *L, char **out)
{
	size_t len, have = *out ? strlen(*out) : 0;
	const char *s = luaL_tolstring(L, -1, &len);
	char *grown;

	for (const char *at = *out; at && *at;) {
		size_t n = strcspn(at, "|");

		if (n == len && memcmp(at, s, len) == 0)
			return 0;
		at += n + (at[n] == '|');
	}
	grown = realloc(*out, have + len + 2);
	if (!grown)
		return -1;
	if (have)
		grown[have++] = '|';
	memcpy(grown + have, s, len);
	grown[have + len] = '\0';
	*out = grown;
	return 0;
}

static int group_case_protected(lua_State *L)
{
	group_listing *gc = lua_touserdata(L, 1);
	const kpi_cases *cases = gc->cases;

	lua_rawgeti(L, LUA_REGISTRYINDEX, gc->st->ref);		/* g */
	lua_getfield(L, -1, "key");
	gc->key = strdup(luaL_tolstring(L, -1, NULL));
	lua_pop(L, 2);
	if (!gc->key)
		return luaL_error(L, "out of memory");
	lua_getfield(L, -1, "rows");				/* g rows */
	for (size_t f = 0; f < cases->field_count; f++) {
		for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, -1);
		     i++) {
			lua_rawgeti(L, -1, i);
			if (lua_getfield(L, -1, cases->fields[f]) != LUA_TNIL &&
			    group_case_join(L, &gc->fields[f]) < 0)
				return luaL_error(L, "out of memory");
			lua_settop(L, 3);
		}
		if (!gc->fields[f] && !(gc->fields[f] = strdup("")))
			return luaL_error(L, "out of memory");
	}
	return 0;
}

/* Hand the group at st->ref to cases->group. */
static int group_case(group_step *st, const kpi_cases *cases,
		      const kpi_value *value, int hit, peil_error *err)
{
	group_listing gc = { st, cases, NULL,
			  calloc(cases->field_count + 1, sizeof(char *)) };
	int rc = gc.fields ? 0 : error_set(err, NULL, 0, NULL,
					   "out of memory");

	if (rc == 0)
		rc = sandbox_protect(st->k->script->sb, group_case_protected,
				     &gc, err);
	double num = value && value->type != KPI_VALUE_NULL ? value->num : NAN;

	if (rc == 0 && cases->group(cases->ctx, gc.key, value ? &num : NULL,
				    gc.fields, hit) < 0)
		rc = error_set(err, NULL, 0, NULL, "kpi '%s': listing its "
			       "cases failed", st->k->info.id);
	for (size_t f = 0; gc.fields && f < cases->field_count; f++)
		free(gc.fields[f]);
	free(gc.fields);
	free(gc.key);
	return rc;
}

int kpi_group_reduce(kpi *k, const kpi_row *templ, size_t slot, size_t p,
		     kpi_acc *acc, const kpi_cases *cases, peil_error *err)
{
	lua_State *L = sandbox_lua(k->script->sb);
	group_step st = { k, templ, slot, SIZE_MAX, 0, LUA_NOREF };
	kpi_row row = *templ;
	const kpi_node *rule = k->rule;
	int rc;

	if (k->groups_ref == LUA_NOREF)
		return 0;
	rc = sandbox_protect(k->script->sb, group_make_protected, &st, err);
	if (rc < 0 || st.count == 0)
		return rc;
	/* One registry slot holds the group being reduced. */
	lua_pushboolean(L, 0);
	st.ref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (st.ref == LUA_REFNIL)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "out of memory");
	row.table_ref = st.ref;
	for (st.index = 0; rc == 0 && st.index < st.count; st.index++) {
		kpi_value v, *value = NULL;
		int ok = 1, hit = 1;

		rc = sandbox_protect(k->script->sb, group_make_protected, &st,
				     err);
		if (rc == 0 && k->having)
			rc = kpi_condition(k, k->having, &row, p, &ok, err);
		if (rc < 0 || !ok)
			continue;
		if (rule->kid_count && (rule->op == KPI_COUNT ||
					rule->op == KPI_SHARE))
			rc = kpi_condition(k, rule->kids[0], &row, p, &hit,
					   err);
		else if (rule->kid_count) {
			rc = kpi_measure(k, rule->kids[0], &row, p, &v, err);
			value = &v;
		}
		if (rc == 0 && cases && (hit || cases->all))
			rc = group_case(&st, cases, value, hit, err);
		if (rc == 0)
			kpi_acc_add(acc, hit, value);
	}
	luaL_unref(L, LUA_REGISTRYINDEX, st.ref);
	return rc;
}
