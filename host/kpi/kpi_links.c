/*
 * kpi_links.c - the parts of kpi{...} that a contract or another dataset
 * brings in: target (with its at-risk margin), params (values a contract
 * may change), per (rows grouped by a field), join (fields of another
 * dataset's matching row) and lookup (another dataset's rows by key, for
 * functions).  docs/kpi-scripts.md describes
 * them; kpi_join.c and kpi_group.c evaluate them.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/calendar.h"
#include "base/parse.h"

static int links_fail(char *msg, size_t size, const char *text,
		      const char *arg)
{
	snprintf(msg, size, text, arg);
	return -1;
}

int kpi_margin_parse(const char *text, kpi_info *info)
{
	double x;
	size_t n = parse_config_number(text, &x);
	const char *end = text + n;

	if (!n || x < 0)
		return -1;
	while (*end == ' ')
		end++;
	info->margin_relative = *end == '%';
	if (*end == '%')
		end++;
	if (*end)
		return -1;
	info->has_margin = 1;
	info->margin = x;
	return 0;
}

/* lua_next's order is the hash's: sort, so that every run is the same. */
static int links_compare_params(const void *a, const void *b)
{
	return strcmp(((const kpi_param *)a)->name,
		      ((const kpi_param *)b)->name);
}

static int links_compare_links(const void *a, const void *b)
{
	return strcmp(((const kpi_link *)a)->name, ((const kpi_link *)b)->name);
}

/* target = { min = 60, max = 90, margin = 5 or "10%", applies = "total",
 * ["min.perceel.Basiskracht"] = 800 } */
int kpi_compile_target(lua_State *L, int t, kpi *k, char *msg, size_t size)
{
	int rc = 0;

	lua_getfield(L, t, "target");
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1)) {
		lua_pop(L, 1);
		return links_fail(msg, size, "target: expected { min = ..., "
				  "max = ... }%s", "");
	}
	lua_pushnil(L);
	while (rc == 0 && lua_next(L, -2)) {
		const char *key = lua_type(L, -2) == LUA_TSTRING
					  ? lua_tostring(L, -2) : "";
		int is_number = lua_type(L, -1) == LUA_TNUMBER &&
				isfinite(lua_tonumber(L, -1));
		int put;

		if (strcmp(key, "margin") == 0) {
			if (lua_type(L, -1) == LUA_TSTRING &&
			    kpi_margin_parse(lua_tostring(L, -1), &k->info) == 0)
				;	/* margin = "10%" */
			else if (!is_number)
				rc = links_fail(msg, size, "target: margin "
						"must be a finite number or "
						"a percentage such as "
						"\"10%%\"%s", "");
			else {
				k->info.has_margin = 1;
				k->info.margin_relative = 0;
				k->info.margin = lua_tonumber(L, -1);
			}
		} else if (strcmp(key, "applies") == 0) {
			if (lua_type(L, -1) != LUA_TSTRING ||
			    kpi_target_scope_parse(lua_tostring(L, -1),
						   &k->info.target_scope) < 0)
				rc = links_fail(msg, size, "target: applies "
						"must be \"all\", \"total\" or "
						"\"cells\"%s", "");
		} else if ((put = kpi_target_put(&k->info, key,
						 lua_tonumber(L, -1))) == -1)
			rc = links_fail(msg, size, "target: unknown key '%s' "
					"(min, max, margin, applies, "
					"\"min.FIELD.VALUE\", "
					"\"max.FIELD.VALUE\")", key);
		else if (put == -2)
			rc = links_fail(msg, size, "out of memory%s", "");
		else if (!is_number)
			rc = links_fail(msg, size, "target: %s must be a "
					"finite number", key);
		lua_pop(L, rc == 0 ? 1 : 2);
	}
	lua_pop(L, 1);
	return rc;
}

/* The value at the top into c: a number or text. */
static int links_param_value(lua_State *L, kpi_const *c)
{
	if (lua_type(L, -1) == LUA_TNUMBER) {
		c->type = KPI_VALUE_NUMBER;
		c->num = lua_tonumber(L, -1);
		return isfinite(c->num) ? 0 : -1;
	}
	if (lua_type(L, -1) != LUA_TSTRING)
		return -1;
	c->type = KPI_VALUE_TEXT;
	lua_tolstring(L, -1, &c->len);
	c->text = kpi_copy(L, -1);
	if (!c->text)
		return -1;
	c->is_date = date_parse_iso(c->text, &c->date) == 0;
	return 0;
}

/* params = { norm = 5, programme = "Buurtbaan" } */
static int links_params(lua_State *L, int t, kpi *k, char *msg, size_t size)
{
	size_t n = 0;

	if (lua_getfield(L, t, "params") == LUA_TNIL)
		return 0;
	if (!lua_istable(L, -1))
		return links_fail(msg, size, "params: expected { name = value, "
				  "... }%s", "");
	lua_pushnil(L);
	while (lua_next(L, -2))
		n++, lua_pop(L, 1);
	k->params = calloc(n ? n : 1, sizeof(*k->params));
	if (!k->params)
		return links_fail(msg, size, "out of memory%s", "");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		kpi_param *p = &k->params[k->param_count];

		if (lua_type(L, -2) != LUA_TSTRING)
			return links_fail(msg, size, "params: every entry needs "
					  "a name (name = value)%s", "");
		p->name = kpi_copy(L, -2);
		if (!p->name)
			return links_fail(msg, size, "out of memory%s", "");
		k->param_count++;
		if (links_param_value(L, &p->value) < 0)
			return links_fail(msg, size, "params: %s must be a "
					  "finite number or text that fits "
					  "the script's memory limit",
					  p->name);
		lua_pop(L, 1);
	}
	qsort(k->params, k->param_count, sizeof(*k->params),
	      links_compare_params);
	return 0;
}

/* A text field of the table at the top, copied, or NULL. */
static char *links_text(lua_State *L, const char *key)
{
	char *copy = NULL;

	if (lua_getfield(L, -1, key) == LUA_TSTRING)
		copy = kpi_copy(L, -1);
	lua_pop(L, 1);
	return copy;
}

/* where = { instrument = "ZRM" } of a lookup at the top. */
static int links_where(lua_State *L, kpi_link *link, char *msg, size_t size)
{
	size_t n = 0;

	if (lua_getfield(L, -1, "where") == LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	if (!lua_istable(L, -1))
		return links_fail(msg, size, "lookup '%s': where is { field = "
				  "\"text\", ... }", link->name);
	lua_pushnil(L);
	while (lua_next(L, -2))
		n++, lua_pop(L, 1);
	link->where_fields = calloc(n ? n : 1, sizeof(char *));
	link->where_values = calloc(n ? n : 1, sizeof(char *));
	if (!link->where_fields || !link->where_values)
		return links_fail(msg, size, "out of memory%s", "");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		size_t i = link->where_count;

		if (lua_type(L, -2) != LUA_TSTRING ||
		    lua_type(L, -1) != LUA_TSTRING)
			return links_fail(msg, size, "lookup '%s': where is { "
					  "field = \"text\", ... }",
					  link->name);
		link->where_fields[i] = kpi_copy(L, -2);
		link->where_values[i] = kpi_copy(L, -1);
		link->where_count++;
		if (!link->where_fields[i] || !link->where_values[i])
			return links_fail(msg, size, "out of memory%s", "");
		lua_pop(L, 1);
	}
	lua_pop(L, 1);
	return 0;
}

/* join = { case = { dataset = "cases", on = "case_id" } } and
 * lookup = { ladder = { dataset = "measurements", by = "person" } } */
static int links_list(lua_State *L, int t, const char *what, int is_join,
		      kpi_link **out, size_t *count, char *msg, size_t size)
{
	const char *field = is_join ? "on" : "by";
	size_t n = 0;

	if (lua_getfield(L, t, what) == LUA_TNIL)
		return 0;
	if (!lua_istable(L, -1))
		return links_fail(msg, size, "%s: expected { name = { dataset = "
				  "..., ... } }", what);
	lua_pushnil(L);
	while (lua_next(L, -2))
		n++, lua_pop(L, 1);
	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return links_fail(msg, size, "out of memory%s", "");
	lua_pushnil(L);
	while (lua_next(L, -2)) {
		kpi_link *link = &(*out)[*count];
		const char *name = lua_type(L, -2) == LUA_TSTRING
					   ? lua_tostring(L, -2) : "";

		if (!*name || strchr(name, '.') || !lua_istable(L, -1))
			return links_fail(msg, size, "%s: every entry is name = "
					  "{ dataset = ..., ... } with a name "
					  "without dots", what);
		(*count)++;
		link->name = strdup(name);
		link->dataset = links_text(L, "dataset");
		link->field = links_text(L, field);
		link->key = is_join ? links_text(L, "key") : NULL;
		if (!link->name || !link->dataset || !link->field) {
			snprintf(msg, size, "%s '%s': needs dataset and %s "
				 "(field names as text)", what, name, field);
			return -1;
		}
		if (!is_join && links_where(L, link, msg, size) < 0)
			return -1;
		lua_pop(L, 1);
	}
	qsort(*out, *count, sizeof(**out), links_compare_links);
	return 0;
}

int kpi_compile_links(lua_State *L, int t, kpi *k, char *msg, size_t size)
{
	int rc = links_params(L, t, k, msg, size);

	lua_settop(L, t);
	if (rc == 0)
		rc = links_list(L, t, "join", 1, &k->joins, &k->join_count,
				msg, size);
	lua_settop(L, t);
	if (rc == 0)
		rc = links_list(L, t, "lookup", 0, &k->lookups,
				&k->lookup_count, msg, size);
	lua_settop(L, t);
	if (rc < 0)
		return -1;
	switch (lua_getfield(L, t, "per")) {
	case LUA_TNIL:
		break;
	case LUA_TSTRING:
		k->per = kpi_copy(L, -1);
		k->info.per = k->per;
		if (!k->per)
			rc = links_fail(msg, size, "out of memory%s", "");
		break;
	default:
		rc = links_fail(msg, size, "per: expected a field name, such "
				"as \"person\"%s", "");
	}
	lua_settop(L, t);
	return rc;
}

kpi_param *kpi_param_find(kpi *k, const char *name)
{
	for (size_t i = 0; i < k->param_count; i++)
		if (strcmp(k->params[i].name, name) == 0)
			return &k->params[i];
	return NULL;
}

int kpi_compare_parse(const char *list, unsigned *out, char *msg,
		      size_t msg_size)
{
	static const char *const names[] = { "previous", "year_before" };
	const char *p = list;

	*out = 0;
	while (*p) {
		size_t len = strcspn(p, ", \t"), i;

		for (i = 0; len && i < 2; i++)
			if (strlen(names[i]) == len &&
			    strncmp(p, names[i], len) == 0)
				break;
		if (len && i < 2)
			*out |= 1u << i;
		else if (len && !(len == 4 && strncmp(p, "none", 4) == 0)) {
			snprintf(msg, msg_size, "compare = %s: unknown '%.*s' "
				 "(previous, year_before or none)", list,
				 (int)len, p);
			return -1;
		}
		p += len;
		p += strspn(p, ", \t");
	}
	return 0;
}

int kpi_visibility_parse(const char *text, int *is_public, char *msg,
			 size_t msg_size)
{
	if (strcmp(text, "public") != 0 && strcmp(text, "internal") != 0) {
		snprintf(msg, msg_size, "visibility = %s: expected public or "
			 "internal", text);
		return -1;
	}
	*is_public = text[0] == 'p';
	return 0;
}
