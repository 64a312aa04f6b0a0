/*
 * test_sandbox.c - the Lua sandbox: allow-list, text chunks only, the
 * instruction budget (also under pcall and in coroutines), the memory cap,
 * isolation between states, and error positions.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "harness.h"
#include "sandbox/sandbox.h"

/* Run code in sb; 0 or -1 with err.  One result is left on the stack. */
static int run(sandbox *sb, const char *code, peil_error *err)
{
	if (sandbox_load_buffer(sb, code, strlen(code), err) < 0)
		return -1;
	return sandbox_call(sb, 0, 1, err);
}

/* Run code that returns a string; the string, or NULL on error.  The
 * text is copied into a static buffer. */
static const char *run_text(sandbox *sb, const char *code, peil_error *err)
{
	static char out[4096];
	lua_State *L = sandbox_lua(sb);

	if (run(sb, code, err) < 0)
		return NULL;
	snprintf(out, sizeof(out), "%s",
		 lua_isstring(L, -1) ? lua_tostring(L, -1) : "(not text)");
	lua_pop(L, 1);
	return out;
}

TEST(forbidden_globals_are_nil)
{
	sandbox *sb = sandbox_new("t/forbidden.lua", 0);
	peil_error err;
	const char *code =
		"local names = { 'io', 'os', 'load', 'loadstring', 'dofile',\n"
		"  'loadfile', 'require', 'package', 'debug',\n"
		"  'collectgarbage', 'print', '_G' }\n"
		"local found = {}\n"
		"for _, n in ipairs(names) do\n"
		"  if _ENV[n] ~= nil then found[#found + 1] = n end\n"
		"end\n"
		"if string.dump then found[#found + 1] = 'string.dump' end\n"
		"if ('').dump then found[#found + 1] = '(\"\").dump' end\n"
		"if math.random then found[#found + 1] = 'math.random' end\n"
		"if math.randomseed then found[#found + 1] = 'randomseed' end\n"
		"return table.concat(found, ',')\n";

	CHECK(sb != NULL);
	CHECK_STR(run_text(sb, code, &err), "");
	sandbox_free(sb);
}

TEST(environment_is_exactly_the_allow_list)
{
	sandbox *sb = sandbox_new("t/env.lua", 0);
	peil_error err;
	const char *code =
		"local names = {}\n"
		"for k in pairs(_ENV) do names[#names + 1] = k end\n"
		"table.sort(names)\n"
		"return table.concat(names, ',')\n";

	CHECK(sb != NULL);
	CHECK_STR(run_text(sb, code, &err),
		  "_VERSION,assert,coroutine,error,getmetatable,ipairs,log,"
		  "math,next,pairs,pcall,rawequal,rawget,rawlen,rawset,select,"
		  "setmetatable,string,table,tonumber,tostring,type,utf8,"
		  "xpcall");
	/* The shared string metatable is hidden. */
	CHECK_STR(run_text(sb, "return tostring(getmetatable(''))", &err),
		  "false");
	sandbox_free(sb);
}

TEST(binary_chunks_are_refused)
{
	sandbox *sb = sandbox_new("t/binary.lua", 0);
	lua_State *L;
	peil_error err;
	const char *dumped;
	size_t len;

	CHECK(sb != NULL);
	/* A real binary chunk, made with the host's own string.dump. */
	L = luaL_newstate();
	luaL_openlibs(L);
	CHECK(luaL_dostring(L, "return string.dump(function() return 1 end)")
	      == LUA_OK);
	dumped = lua_tolstring(L, -1, &len);
	CHECK(sandbox_load_buffer(sb, dumped, len, &err) < 0);
	lua_close(L);
	CHECK_CONTAINS(err.message, "binary");
	CHECK_INT(lua_gettop(sandbox_lua(sb)), 0);
	sandbox_free(sb);
}

TEST(budget_stops_an_endless_loop)
{
	sandbox *sb = sandbox_new("t/loop.lua", 0);
	peil_error err;

	CHECK(sb != NULL);
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local x = 0\nwhile true do x = x + 1 end\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	CHECK_STR(err.file, "t/loop.lua");
	CHECK_INT(err.line, 2);
	/* After a new budget, the state works again. */
	sandbox_budget_set(sb, 1000000);
	CHECK_STR(run_text(sb, "return 'again'", &err), "again");
	CHECK_INT(lua_gettop(sandbox_lua(sb)), 0);
	sandbox_free(sb);
}

TEST(budget_cannot_be_caught_by_pcall)
{
	sandbox *sb = sandbox_new("t/pcall.lua", 0);
	peil_error err;

	CHECK(sb != NULL);
	/* The script catches the error and returns normally: the host still
	 * reports the budget. */
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local ok = pcall(function() while true do end end)\n"
		      "return 'caught'\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	/* Catching it again and again does not help either. */
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "while true do\n"
		      "  pcall(function() while true do end end)\n"
		      "end\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "xpcall(function() while true do end end,\n"
		      "       function() while true do end end)\n"
		      "return 1\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	/* Finalizers run with hooks off: __gc is refused. */
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "setmetatable({}, { __gc = function() "
		      "while true do end end })\n", &err) < 0);
	CHECK_CONTAINS(err.message, "__gc is not allowed");
	CHECK_INT(err.line, 1);
	sandbox_free(sb);
}

TEST(budget_reaches_into_coroutines)
{
	sandbox *sb = sandbox_new("t/co.lua", 0);
	peil_error err;

	CHECK(sb != NULL);
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local co = coroutine.create(function()\n"
		      "  while true do end\n"
		      "end)\n"
		      "local ok, e = coroutine.resume(co)\n"
		      "return tostring(ok)\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local f = coroutine.wrap(function()\n"
		      "  while true do coroutine.yield() end\n"
		      "end)\n"
		      "while true do pcall(f) end\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	sandbox_free(sb);
}

TEST(budget_is_charged_across_short_calls)
{
	sandbox *sb = sandbox_new("t/short.lua", 0);
	lua_State *L;
	peil_error err;
	int failed_at = -1;

	CHECK(sb != NULL);
	L = sandbox_lua(sb);
	/* f runs a few hundred instructions: under one hook step per call,
	 * so the budget only holds when the count carries across calls. */
	CHECK(run(sb, "return function() local x = 0 for i = 1, 100 do "
		      "x = x + i end return x end", &err) == 0);
	sandbox_budget_set(sb, 100000);
	for (int i = 0; i < 10000 && failed_at < 0; i++) {
		lua_pushvalue(L, -1);
		if (sandbox_call(sb, 0, 1, &err) < 0)
			failed_at = i;
		else
			lua_pop(L, 1);
	}
	/* ~400 instructions a call: the 100000 run out near call 250. */
	CHECK(failed_at > 100 && failed_at < 1000);
	CHECK_CONTAINS(err.message, "instruction budget");
	lua_pop(L, 1);
	sandbox_free(sb);
}

TEST(memory_cap_stops_bombs)
{
	size_t cap = (size_t)16 << 20;
	sandbox *sb = sandbox_new("t/bomb.lua", cap);
	peil_error err;

	CHECK(sb != NULL);
	CHECK(run(sb, "local t = {}\nfor i = 1, 1e9 do t[i] = i end\n",
		  &err) < 0);
	CHECK_CONTAINS(err.message, "memory limit");
	CHECK(sandbox_memory_used(sb) <= cap);
	CHECK(run(sb, "return string.rep('x', 1e9)", &err) < 0);
	CHECK_CONTAINS(err.message, "memory limit");
	/* Lua itself refuses this one before allocating. */
	CHECK(run(sb, "return string.rep('x', 1e10)", &err) < 0);
	CHECK_CONTAINS(err.message, "too large");
	/* Caught by the script and rethrown as text: still named. */
	CHECK(run(sb, "local ok, e = pcall(string.rep, 'x', 1e9)\n"
		      "error(e, 0)\n", &err) < 0);
	CHECK_CONTAINS(err.message, "memory limit");
	/* The state is still usable. */
	CHECK_STR(run_text(sb, "return 'alive'", &err), "alive");
	sandbox_free(sb);
}

TEST(realloc_gives_back_the_old_size)
{
	/* Growing a table reallocates its array again and again; were the
	 * old size not subtracted (Suricata's bug), the count would pass
	 * 16 MiB long before the memory does. */
	sandbox *sb = sandbox_new("t/grow.lua", (size_t)16 << 20);
	peil_error err;

	CHECK(sb != NULL);
	CHECK_STR(run_text(sb, "for round = 1, 30 do\n"
			       "  local t = {}\n"
			       "  for i = 1, 100000 do t[i] = i end\n"
			       "end\n"
			       "return 'done'\n", &err), "done");
	sandbox_free(sb);
}

TEST(tampering_stays_in_its_state)
{
	sandbox *a = sandbox_new("t/a.lua", 0);
	sandbox *b = sandbox_new("t/b.lua", 0);
	peil_error err;

	CHECK(a != NULL && b != NULL);
	CHECK_STR(run_text(a, "string.upper = nil\n"
			      "setmetatable(_ENV, { __index = function() "
			      "error('boom') end })\n"
			      "return ('x'):upper()\n", &err), "X");
	CHECK_STR(run_text(b, "return string.upper('b') .. type(nope)", &err),
		  "Bnil");
	sandbox_free(a);
	sandbox_free(b);
}

TEST(errors_carry_file_and_line)
{
	sandbox *sb = sandbox_new("scripts/broken.lua", 0);
	peil_error err;

	CHECK(sb != NULL);
	CHECK(run(sb, "local x\n\nx.y = 1\n", &err) < 0);
	CHECK_STR(err.file, "scripts/broken.lua");
	CHECK_INT(err.line, 3);
	CHECK_CONTAINS(err.message, "attempt to index");
	CHECK(strstr(err.message, "broken.lua") == NULL);
	CHECK_CONTAINS(sandbox_traceback(sb), "stack traceback");
	/* A syntax error. */
	CHECK(run(sb, "local = 1\n", &err) < 0);
	CHECK_INT(err.line, 1);
	/* error() with a table. */
	CHECK(run(sb, "error({})\n", &err) < 0);
	CHECK_CONTAINS(err.message, "error object");
	CHECK_INT(lua_gettop(sandbox_lua(sb)), 0);
	sandbox_free(sb);
}

TEST(long_paths_still_give_lines)
{
	/* Lua shortens chunk names over 60 bytes to "...tail". */
	const char *name = "/very/long/directory/name/that/goes/on/and/on/"
			   "municipality/scripts/casussen.lua";
	sandbox *sb = sandbox_new(name, 0);
	peil_error err;

	CHECK(sb != NULL);
	CHECK(run(sb, "\nerror('kapot')\n", &err) < 0);
	CHECK_INT(err.line, 2);
	CHECK_STR(err.message, "kapot");
	CHECK_STR(err.file, name);
	sandbox_free(sb);
}

int main(void)
{
	RUN(forbidden_globals_are_nil);
	RUN(environment_is_exactly_the_allow_list);
	RUN(binary_chunks_are_refused);
	RUN(budget_stops_an_endless_loop);
	RUN(budget_cannot_be_caught_by_pcall);
	RUN(budget_reaches_into_coroutines);
	RUN(budget_is_charged_across_short_calls);
	RUN(memory_cap_stops_bombs);
	RUN(realloc_gives_back_the_old_size);
	RUN(tampering_stays_in_its_state);
	RUN(errors_carry_file_and_line);
	RUN(long_paths_still_give_lines);
	return harness_done();
}
