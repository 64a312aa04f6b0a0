/*
 * kpi_group.c - per = "field": a KPI that counts groups of rows (persons,
 * say) rather than rows.
 *
 * During the scan every selected row is added to the group of its per
 * value in each (cell, period) slot it counts in, held in C
 * (kpi_group_rows.c).  After the scan each group goes through
 * having and the rule, as a row would: score_change{} reads its rows
 * through kpi_group_member; a Lua function (and the listing of cases)
 * gets it as the table { key = k1, rows = { row, ... } }, made for that
 * group alone, its rows read-only as any row (kpi_push_row).
 *
 * Without Lua and cases the groups of a period are reduced merged
 * (kpi_group_reduce_merged): those of every cell in the order the scan
 * met them, a heap of the cells by their next group's first row, and
 * each group for every KPI that shares it before the next.  A ZRM
 * measurement's thirteen rows made groups in thirteen domain cells and
 * the total; reduced cell after cell, each cell went through the
 * quarter's persons and their lookup rows again, which at ten million
 * cases no longer fit the cache (docs/benchmarks.md).  Each cell's
 * accumulator still gets its groups in its own order: the same sums.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/error.h"

/* The group being reduced, and its table. */
typedef struct group_step {
	kpi *k;
	const kpi_row *row;	/* the group (row->group) */
	int ref;		/* registry slot of its table */
} group_step;

/* Make the group's table { key = ..., rows = { row, ... } } into
 * registry st->ref. */
static int group_table_protected(lua_State *L)
{
	group_step *st = lua_touserdata(L, 1);
	kpi_row member;
	size_t at = 0;

	lua_createtable(L, 0, 2);				/* g */
	lua_newtable(L);					/* g rows */
	while (kpi_group_member(st->row, &at, &member)) {
		kpi_push_row(L, st->k->script, &member, 0);
		if (lua_rawlen(L, -2) == 0) {
			lua_getfield(L, -1, member.schema
						    ->fields[st->k->per_field]
						    .name);
			lua_setfield(L, -4, "key");
		}
		lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
	}
	lua_setfield(L, -2, "rows");
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

/* One group (row->group) through having and the rule into acc; with
 * cases, handed to cases->group when it passed having.  0, or -1 with
 * err. */
static int group_reduce_one(group_step *st, size_t p, kpi_acc *acc,
			    const kpi_cases *cases, peil_error *err)
{
	kpi *k = st->k;
	const kpi_row *row = st->row;
	const kpi_node *rule = k->rule;
	kpi_value v, *value = NULL;
	int ok = 1, hit = 1, rc = 0;

	if (st->ref != LUA_NOREF)
		rc = sandbox_protect(k->script->sb, group_table_protected, st,
				     err);
	if (rc == 0 && k->having)
		rc = kpi_condition(k, k->having, row, p, &ok, err);
	if (rc < 0 || !ok)
		return rc;
	if (rule->kid_count && (rule->op == KPI_COUNT ||
				rule->op == KPI_SHARE))
		rc = kpi_condition(k, rule->kids[0], row, p, &hit, err);
	else if (rule->kid_count) {
		rc = kpi_measure(k, rule->kids[0], row, p, &v, err);
		value = &v;
	}
	if (rc == 0 && cases && (hit || cases->all))
		rc = group_case(st, cases, value, hit, err);
	if (rc == 0)
		kpi_acc_add(acc, hit, value);
	return rc;
}

int kpi_group_reduce(kpi *k, const kpi_row *templ, size_t slot, size_t p,
		     kpi_acc *acc, const kpi_cases *cases, peil_error *err)
{
	lua_State *L = sandbox_lua(k->script->sb);
	kpi_group_rows group;
	kpi_row row = *templ;
	group_step st = { k, &row, LUA_NOREF };
	int rc = 0;

	if (!kpi_group_get(k, slot, 0, &group))
		return 0;
	row.group = &group;
	if (k->groups_lua || cases) {
		/* One registry slot holds the table of the group reduced. */
		lua_pushboolean(L, 0);
		st.ref = luaL_ref(L, LUA_REGISTRYINDEX);
		if (st.ref == LUA_REFNIL)
			return error_set(err, k->info.script, k->info.line,
					 NULL, "out of memory");
		row.table_ref = st.ref;
	}
	for (size_t i = 0; rc == 0 && kpi_group_get(k, slot, i, &group);
	     i++)
		rc = group_reduce_one(&st, p, acc, cases, err);
	if (st.ref != LUA_NOREF)
		luaL_unref(L, LUA_REGISTRYINDEX, st.ref);
	return rc;
}

/* Put the cell at heap position i of m where it goes below: the heap
 * holds the cells by the first row of the group next in each (heap[0]
 * the least). */
static void group_merge_down(kpi_group_merge *m, size_t i)
{
	for (;;) {
		size_t least = i, l = 2 * i + 1, r = l + 1, c;

		if (l < m->count &&
		    m->first[m->heap[l]] < m->first[m->heap[least]])
			least = l;
		if (r < m->count &&
		    m->first[m->heap[r]] < m->first[m->heap[least]])
			least = r;
		if (least == i)
			return;
		c = m->heap[i];
		m->heap[i] = m->heap[least];
		m->heap[least] = c;
		i = least;
	}
}

int kpi_group_merge_start(kpi_group_merge *m, const kpi *k,
			  const size_t *slots, size_t cell_count)
{
	size_t n = cell_count ? cell_count : 1;
	kpi_group_rows group;

	memset(m, 0, sizeof(*m));
	m->k = k;
	m->slots = slots;
	m->heap = malloc(n * sizeof(*m->heap));
	m->first = malloc(n * sizeof(*m->first));
	m->next = calloc(n, sizeof(*m->next));
	if (!m->heap || !m->first || !m->next) {
		kpi_group_merge_end(m);
		return -1;
	}
	for (size_t c = 0; c < cell_count; c++)
		if (kpi_group_get(k, slots[c], 0, &group)) {
			m->first[c] = group.first;
			m->heap[m->count++] = c;
		}
	for (size_t i = m->count; i-- > 0;)
		group_merge_down(m, i);
	return 0;
}

int kpi_group_merge_next(kpi_group_merge *m, size_t *cell,
			 kpi_group_rows *group)
{
	kpi_group_rows after;
	size_t c;

	if (!m->count)
		return 0;
	c = *cell = m->heap[0];
	kpi_group_get(m->k, m->slots[c], m->next[c]++, group);
	if (kpi_group_get(m->k, m->slots[c], m->next[c], &after))
		m->first[c] = after.first;
	else
		m->heap[0] = m->heap[--m->count];
	group_merge_down(m, 0);
	return 1;
}

void kpi_group_merge_end(kpi_group_merge *m)
{
	free(m->heap);
	free(m->first);
	free(m->next);
	memset(m, 0, sizeof(*m));
}

int kpi_group_reduce_merged(kpi_group_part *parts, size_t part_count,
			    const size_t *slots, size_t cell_count, size_t p)
{
	const kpi *owner = parts[0].k;
	kpi_group_merge m;
	kpi_group_rows group;
	size_t c;

	if (kpi_group_merge_start(&m, owner, slots, cell_count) < 0)
		return -1;
	kpi_group_memo_one(owner->groups, 1);
	while (kpi_group_merge_next(&m, &c, &group))
		for (size_t i = 0; i < part_count; i++) {
			kpi_group_part *part = &parts[i];
			kpi_row row = part->templ;
			group_step st = { part->k, &row, LUA_NOREF };

			if (part->failed)
				continue;
			row.group = &group;
			if (group_reduce_one(&st, p, &part->acc[c * part->step],
					     NULL, part->err) < 0)
				part->failed = 1;
		}
	kpi_group_memo_one(owner->groups, 0);
	kpi_group_merge_end(&m);
	return 0;
}
