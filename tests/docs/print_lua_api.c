/*
 * print_lua_api.c - the names of the KPI language as the host registers
 * them ("helper NAME", "key NAME", "date NAME"), for check_lua_meta.py,
 * which holds docs/lua/peil.lua against them.  With a file argument it
 * only compiles that file as Lua 5.4 text: the definitions must parse.
 */
#include <stdio.h>

#include <lauxlib.h>

#include "kpi/kpi.h"

int main(int argc, char **argv)
{
	static const char *const parts[] = { "helper", "key", "date" };
	const char *name;

	if (argc == 2) {
		lua_State *L = luaL_newstate();
		int rc;

		if (!L)
			return 1;
		rc = luaL_loadfilex(L, argv[1], "t");
		if (rc != LUA_OK)
			fprintf(stderr, "%s\n", lua_tostring(L, -1));
		lua_close(L);
		return rc != LUA_OK;
	}
	for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (size_t i = 0; (name = kpi_language_name(parts[p], i)); i++)
			printf("%s %s\n", parts[p], name);
	return fflush(stdout) != 0 || ferror(stdout);
}
