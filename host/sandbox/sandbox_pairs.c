/*
 * sandbox_pairs.c - pairs in a fixed order, tostring and string.format
 * without addresses: figures that do not change between runs.
 */
#include "sandbox/sandbox_pairs.h"

#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* One key in the sort: its rank (0 number, 1 string, 2 boolean, 3
 * other), what to compare, and where it was in next order. */
typedef struct pairs_key {
	int rank;
	int is_int;
	lua_Integer i;
	lua_Number n;
	const char *s;		/* kept alive by the keys table */
	size_t len;
	lua_Integer at;		/* 1-based index in the keys table */
} pairs_key;

static int pairs_compare(const void *pa, const void *pb)
{
	const pairs_key *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	switch (a->rank) {
	case 0:
		if (a->is_int && b->is_int)
			return a->i < b->i ? -1 : a->i > b->i;
		return a->n < b->n ? -1 : a->n > b->n;
	case 1: {
		size_t n = a->len < b->len ? a->len : b->len;
		int r = memcmp(a->s, b->s, n);

		if (r)
			return r < 0 ? -1 : 1;
		return a->len < b->len ? -1 : a->len > b->len;
	}
	case 2:
		return a->i < b->i ? -1 : a->i > b->i;
	default:
		return a->at < b->at ? -1 : a->at > b->at;
	}
}

/* The iterator: upvalue 1 the table, 2 the sorted keys, 3 the position.
 * Keys removed during the loop are skipped, as next() would. */
static int pairs_next(lua_State *L)
{
	lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));

	for (;;) {
		pos++;
		if (lua_rawgeti(L, lua_upvalueindex(2), pos) == LUA_TNIL)
			return 0;				/* key is nil */
		lua_pushvalue(L, -1);				/* k k */
		if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
			break;					/* k v */
		lua_pop(L, 2);
	}
	lua_pushinteger(L, pos);
	lua_replace(L, lua_upvalueindex(3));
	return 2;
}

static int sandbox_pairs(lua_State *L)
{
	lua_Integer count = 0;
	pairs_key *keys;
	int keys_at;

	luaL_checkany(L, 1);
	if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
		lua_pushvalue(L, 1);
		lua_call(L, 1, 3);
		return 3;
	}
	luaL_checktype(L, 1, LUA_TTABLE);
	lua_settop(L, 1);
	lua_newtable(L);					/* t keys */
	keys_at = lua_gettop(L);
	lua_pushnil(L);
	while (lua_next(L, 1)) {				/* t keys k v */
		lua_pop(L, 1);
		lua_pushvalue(L, -1);
		lua_rawseti(L, keys_at, ++count);
	}
	/* A userdata, so that an error in between frees it. */
	keys = lua_newuserdatauv(L, (size_t)count * sizeof(*keys) + 1, 0);
	for (lua_Integer j = 1; j <= count; j++) {
		pairs_key *k = &keys[j - 1];

		memset(k, 0, sizeof(*k));
		k->at = j;
		switch (lua_rawgeti(L, keys_at, j)) {
		case LUA_TNUMBER:
			k->rank = 0;
			k->is_int = lua_isinteger(L, -1);
			k->i = lua_tointeger(L, -1);
			k->n = lua_tonumber(L, -1);
			break;
		case LUA_TSTRING:
			k->rank = 1;
			k->s = lua_tolstring(L, -1, &k->len);
			break;
		case LUA_TBOOLEAN:
			k->rank = 2;
			k->i = lua_toboolean(L, -1);
			break;
		default:
			k->rank = 3;
			break;
		}
		lua_pop(L, 1);
	}
	qsort(keys, (size_t)count, sizeof(*keys), pairs_compare);
	lua_createtable(L, (int)count, 0);			/* t keys ud sorted */
	for (lua_Integer j = 0; j < count; j++) {
		lua_rawgeti(L, keys_at, keys[j].at);
		lua_rawseti(L, -2, j + 1);
	}
	lua_pushvalue(L, 1);
	lua_insert(L, -2);					/* ... t sorted */
	lua_pushinteger(L, 0);
	lua_pushcclosure(L, pairs_next, 3);
	lua_pushnil(L);
	lua_pushnil(L);
	return 3;
}

/* Whether tostring of the value at idx would show an address. */
static int shows_address(lua_State *L, int idx)
{
	int t = lua_type(L, idx);

	if (t != LUA_TTABLE && t != LUA_TFUNCTION && t != LUA_TTHREAD &&
	    t != LUA_TUSERDATA && t != LUA_TLIGHTUSERDATA)
		return 0;
	if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL ||
	    luaL_getmetafield(L, idx, "__name") != LUA_TNIL) {
		lua_pop(L, 1);
		return 0;
	}
	return 1;
}

/* tostring: upvalue 1 the real one. */
static int sandbox_tostring(lua_State *L)
{
	luaL_checkany(L, 1);
	if (shows_address(L, 1)) {
		lua_pushstring(L, luaL_typename(L, 1));
		return 1;
	}
	lua_settop(L, 1);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, 1, 1);
	return 1;
}

/* string.format: upvalue 1 the real one. */
static int sandbox_format(lua_State *L)
{
	const char *f = luaL_checkstring(L, 1);
	int n = lua_gettop(L);

	for (const char *p = strchr(f, '%'); p; p = strchr(p, '%')) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		p += strspn(p, "-+ #0123456789.");
		if (*p == 'p')
			return luaL_error(L, "string.format: %%p is not "
					  "available (it shows an address)");
	}
	for (int i = 2; i <= n; i++)
		if (shows_address(L, i)) {
			lua_pushstring(L, luaL_typename(L, i));
			lua_replace(L, i);
		}
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, n, 1);
	return 1;
}

/* Replace t[name] (t at idx) by fn with the old value as upvalue. */
static void wrap_field(lua_State *L, int idx, const char *name,
		       lua_CFunction fn)
{
	lua_getfield(L, idx, name);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, idx, name);
}

void sandbox_pairs_install(lua_State *L)
{
	int env = lua_gettop(L);

	lua_pushcfunction(L, sandbox_pairs);
	lua_setfield(L, env, "pairs");
	wrap_field(L, env, "tostring", sandbox_tostring);
	lua_getfield(L, env, LUA_STRLIBNAME);
	wrap_field(L, lua_gettop(L), "format", sandbox_format);
	lua_pop(L, 1);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, LUA_STRLIBNAME);
	wrap_field(L, lua_gettop(L), "format", sandbox_format);
	lua_pop(L, 2);
}
