/*
 * test_sandbox_attacks.c - scripts that attack the sandbox: escapes to
 * the host, CPU burnt inside C functions where the count hook does not
 * fire, memory bombs, deep recursion, and leaks over many calls.  Each
 * must fail cleanly and fast, and leave the state usable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "harness.h"
#include "sandbox/sandbox.h"
#include "sandbox/sandbox_limits.h"

static int run(sandbox *sb, const char *code, peil_error *err)
{
	if (sandbox_load_buffer(sb, code, strlen(code), err) < 0)
		return -1;
	return sandbox_call(sb, 0, 1, err);
}

/* The result of code as text ("(error) message" on failure). */
static const char *run_text(sandbox *sb, const char *code)
{
	static char out[4096];
	lua_State *L = sandbox_lua(sb);
	peil_error err;

	if (run(sb, code, &err) < 0) {
		snprintf(out, sizeof(out), "(error) %s", err.message);
		return out;
	}
	snprintf(out, sizeof(out), "%s", luaL_tolstring(L, -1, NULL));
	lua_pop(L, 2);
	return out;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(no_way_out_through_metatables_and_environment)
{
	sandbox *sb = sandbox_new("t/escape.lua", 0);

	CHECK(sb != NULL);
	CHECK_STR(run_text(sb, "return tostring(_G)"), "nil");
	CHECK_STR(run_text(sb, "return tostring(_ENV._G)"), "nil");
	CHECK_STR(run_text(sb, "return tostring(rawget(_ENV, 'package'))"),
		  "nil");
	/* The string metatable is hidden, so its __index (the state's own
	 * string table) cannot be reached or changed. */
	CHECK_STR(run_text(sb, "return tostring(getmetatable('abc'))"),
		  "false");
	CHECK_STR(run_text(sb, "return tostring(pcall(function() "
			       "return getmetatable('').__index end))"),
		  "false");
	CHECK_STR(run_text(sb, "return tostring(pcall(setmetatable, '', {}))"),
		  "false");
	CHECK_STR(run_text(sb, "return tostring(('').dump)"), "nil");
	CHECK_STR(run_text(sb, "return tostring(string.dump)"), "nil");
	/* Nothing in a library table leads to load, require or debug. */
	CHECK_STR(run_text(sb,
		"local bad = {}\n"
		"for _, lib in ipairs({ string, table, math, utf8, coroutine }) do\n"
		"  for k, v in pairs(lib) do\n"
		"    if k == 'load' or k == 'require' or k == 'dump' or\n"
		"       k == 'getregistry' or k == 'random' then\n"
		"      bad[#bad + 1] = k end\n"
		"  end\n"
		"end\n"
		"return table.concat(bad, ',')"), "");
	CHECK_STR(run_text(sb, "return tostring(coroutine.running())")[0] ==
			  't' ? "thread" : "?", "thread");
	sandbox_free(sb);
}

TEST(binary_chunk_by_its_signature)
{
	sandbox *sb = sandbox_new("t/esc.lua", 0);
	peil_error err;
	const char chunk[] = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";

	CHECK(sb != NULL);
	CHECK(sandbox_load_buffer(sb, chunk, sizeof(chunk) - 1, &err) < 0);
	CHECK_CONTAINS(err.message, "binary");
	CHECK_INT(lua_gettop(sandbox_lua(sb)), 0);
	sandbox_free(sb);
}

TEST(tampering_with_the_environment_stays_in_its_state)
{
	sandbox *a = sandbox_new("t/a.lua", 0);
	sandbox *b = sandbox_new("t/b.lua", 0);

	CHECK(a != NULL && b != NULL);
	CHECK_STR(run_text(a, "setmetatable(_ENV, { __index = function() "
			      "return 'x' end })\n"
			      "string.upper = nil; table.concat = nil\n"
			      "math.floor = function() return 42 end\n"
			      "return tostring(nothing_here)"), "x");
	CHECK_STR(run_text(b, "return string.upper('a') .. "
			      "math.floor(1.5) .. tostring(nothing_here)"),
		  "A1nil");
	/* The methods of strings are the state's own, not the copy's. */
	CHECK_STR(run_text(a, "return ('a'):upper()"), "A");
	sandbox_free(a);
	sandbox_free(b);
}

TEST(endless_tostring_metamethod_is_stopped)
{
	sandbox *sb = sandbox_new("t/ts.lua", 0);
	peil_error err;

	CHECK(sb != NULL);
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local o = setmetatable({}, { __tostring = function()\n"
		      "  while true do end end })\n"
		      "return pcall(tostring, o)\n", &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	sandbox_budget_set(sb, 1000000);
	CHECK(run(sb, "local o = setmetatable({}, { __index = function(t, k)\n"
		      "  return t[k] end })\n"
		      "return pcall(function() return o.x end)\n", &err) == 0);
	lua_pop(sandbox_lua(sb), 1);
	sandbox_free(sb);
}

/* Patterns whose backtracking would run for hours inside one C call. */
TEST(pattern_burn_is_refused_before_it_runs)
{
	sandbox *sb = sandbox_new("t/pattern.lua", 0);
	double start = seconds_now();
	const char *calls[] = {
		"string.find(s, '.-.-.-.-.-.-b')",
		"s:find('.-.-.-.-.-.-b')",
		"string.match(s, '(.*)(.*)(.*)(.*)b')",
		"string.gsub(s, '(a*)*b', 'x')",
		"for w in s:gmatch('a-a-a-a-a-b') do end",
		"string.find(s, '(.-)%1%1%1%1b')",
	};

	CHECK(sb != NULL);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char code[256];
		const char *got;

		snprintf(code, sizeof(code),
			 "local s = string.rep('a', 20000)\n%s\nreturn 'ran'",
			 calls[i]);
		sandbox_budget_set(sb, SANDBOX_DEFAULT_INSTRUCTIONS);
		got = run_text(sb, code);
		CHECK_CONTAINS(got, "could take up to");
		CHECK_CONTAINS(got, "on a subject of 20000 bytes");
	}
	/* Ordinary patterns on field values still work. */
	sandbox_budget_set(sb, SANDBOX_DEFAULT_INSTRUCTIONS);
	CHECK_STR(run_text(sb, "return table.concat({ ('31-12-2018'):match("
			       "'^(%d+)-(%d+)-(%d+)$') }, '/')"),
		  "31/12/2018");
	CHECK_STR(run_text(sb, "return (string.gsub('Buurtteam  Noord ', "
			       "'%s+', ' '))"), "Buurtteam Noord ");
	CHECK_STR(run_text(sb, "return select(2, ('a,b,,c'):gsub(',', ';'))"),
		  "3");
	CHECK(seconds_now() - start < 5);
	sandbox_free(sb);
}

TEST(pattern_bound_is_an_upper_bound)
{
	/* Anchored, three quantifiers on 10 bytes: 11^3 * 20. */
	CHECK_DOUBLE(sandbox_pattern_worst_case("^(%d+)-(%d+)-(%d+)$", 19, 10,
						1), 1331.0 * 20, 0.5);
	/* Unanchored, no quantifier: starts * (plen + 1). */
	CHECK_DOUBLE(sandbox_pattern_worst_case("abc", 3, 99, 1), 100.0 * 4,
		     0.5);
	/* gmatch: '^' does not anchor, so every start counts. */
	CHECK_DOUBLE(sandbox_pattern_worst_case("^a", 2, 9, 0), 10.0 * 3,
		     0.5);
	/* A set with ']' first and an escaped ']' is one item. */
	CHECK_DOUBLE(sandbox_pattern_worst_case("[]%]]*", 6, 9, 1),
		     10.0 * 10 * 7, 0.5);
	/* %b scans ahead: a factor n + 1 per path. */
	CHECK_DOUBLE(sandbox_pattern_worst_case("%b()", 4, 9, 1),
		     10.0 * 10 * 5, 0.5);
}

TEST(c_loops_without_allocation_are_charged)
{
	sandbox *sb = sandbox_new("t/cloops.lua", 0);
	double start = seconds_now();

	CHECK(sb != NULL);
	/* Lua copies an empty string 2^62 times: returned at once. */
	CHECK_STR(run_text(sb, "return '[' .. string.rep('', 2^62) .. "
			       "(''):rep(2^62, '') .. ']'"), "[]");
	CHECK_CONTAINS(run_text(sb, "return table.move({}, 1, 2^53, 2)"),
		       "instruction budget");
	sandbox_budget_set(sb, SANDBOX_DEFAULT_INSTRUCTIONS);
	CHECK_CONTAINS(run_text(sb, "local t = setmetatable({}, { __len = "
				    "function() return 2^62 end })\n"
				    "table.insert(t, 1, 'x')"),
		       "instruction budget");
	sandbox_budget_set(sb, SANDBOX_DEFAULT_INSTRUCTIONS);
	CHECK_CONTAINS(run_text(sb, "local t = setmetatable({}, { __len = "
				    "function() return 2^62 end })\n"
				    "return pcall(table.remove, t, 1)"),
		       "instruction budget");
	/* Appending stays cheap: no charge without a position. */
	sandbox_budget_set(sb, 10000000);
	CHECK_STR(run_text(sb, "local t = {}\nfor i = 1, 100000 do "
			       "table.insert(t, i) end\nreturn #t"), "100000");
	CHECK(seconds_now() - start < 5);
	sandbox_free(sb);
}

TEST(copying_big_strings_is_charged)
{
	sandbox *sb = sandbox_new("t/concat.lua", 0);
	char got_a[256], got_b[256], rounds_a[32], rounds_b[32];

	CHECK(sb != NULL);
	/* One instruction copies 4 MB each round: the allocator charges
	 * 256K instructions a round, so 5M last some 20 rounds, however fast
	 * the machine (the rounds are counted, not timed). */
	sandbox_budget_set(sb, 5000000);
	snprintf(got_a, sizeof(got_a), "%s",
		 run_text(sb, "local s = string.rep('x', 4 * 2^20)\n"
			      "rounds = 0\n"
			      "while true do local t = s .. 'y' "
			      "rounds = rounds + 1 end"));
	sandbox_budget_set(sb, 1000000);
	snprintf(rounds_a, sizeof(rounds_a), "%s", run_text(sb, "return rounds"));
	sandbox_budget_set(sb, 5000000);
	snprintf(got_b, sizeof(got_b), "%s",
		 run_text(sb, "local s = string.rep('x', 4 * 2^20)\n"
			      "rounds = 0\n"
			      "while true do local t = s:upper() "
			      "rounds = rounds + 1 end"));
	sandbox_budget_set(sb, 1000000);
	snprintf(rounds_b, sizeof(rounds_b), "%s", run_text(sb, "return rounds"));
	sandbox_free(sb);
	CHECK_CONTAINS(got_a, "instruction budget");
	CHECK_CONTAINS(got_b, "instruction budget");
	CHECK(atoi(rounds_a) > 5 && atoi(rounds_a) < 30);
	CHECK(atoi(rounds_b) > 5 && atoi(rounds_b) < 30);
}

TEST(memory_bombs_hit_the_cap)
{
	sandbox *sb = sandbox_new("t/bombs.lua", (size_t)16 << 20);

	CHECK(sb != NULL);
	CHECK_CONTAINS(run_text(sb, "local s = 'x'\nwhile true do s = s .. s "
				    "end"), "memory limit");
	CHECK_CONTAINS(run_text(sb, "local t = {}\nwhile true do "
				    "t[#t + 1] = { i = #t } end"),
		       "memory limit");
	CHECK_CONTAINS(run_text(sb, "return ('x'):rep(2^40)"), "too large");
	CHECK_CONTAINS(run_text(sb, "local t = {}\nfor i = 1, 1e8 do "
				    "t[i] = tostring(i) end"), "memory limit");
	CHECK_STR(run_text(sb, "return 'alive'"), "alive");
	CHECK(sandbox_memory_used(sb) <= (size_t)16 << 20);
	sandbox_free(sb);
}

TEST(a_huge_source_file_hits_the_cap)
{
	char path[512];
	int fd = mkstemp(harness_tmp_path(path, sizeof(path), "peil-huge-XXXXXX"));
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	sandbox *sb;
	peil_error err;

	CHECK(f != NULL);
	fputs("return {\n", f);
	for (int i = 0; i < 200000; i++)
		fprintf(f, "%d,\n", i);
	fputs("}\n", f);
	fclose(f);
	sb = sandbox_new(path, (size_t)1 << 20);	/* file: ~1.3 MB */
	CHECK(sb != NULL);
	CHECK(sandbox_load_file(sb, &err) < 0);
	CHECK_CONTAINS(err.message, "larger than the memory limit");
	sandbox_free(sb);
	/* Under the file size but over the cap once compiled. */
	sb = sandbox_new(path, (size_t)2 << 20);
	CHECK(sb != NULL);
	CHECK(sandbox_load_file(sb, &err) < 0 || sandbox_call(sb, 0, 1, &err) < 0);
	CHECK_CONTAINS(err.message, "memory limit");
	sandbox_free(sb);
	unlink(path);
}

TEST(deep_recursion_and_unpack_give_clear_errors)
{
	sandbox *sb = sandbox_new("t/deep.lua", 0);

	CHECK(sb != NULL);
	CHECK_CONTAINS(run_text(sb, "local function f(n) return 1 + f(n + 1) "
				    "end\nreturn f(1)"), "stack overflow");
	CHECK_CONTAINS(run_text(sb, "local function f() return select(2, "
				    "pcall(f)) end\nerror(f())"),
		       "stack overflow");
	CHECK_CONTAINS(run_text(sb, "return table.unpack({}, 1, 1e8)"),
		       "too many results");
	CHECK_CONTAINS(run_text(sb, "return string.byte(string.rep('x', 1e7), "
				    "1, -1)"), "too long");
	CHECK_STR(run_text(sb, "return 'alive'"), "alive");
	sandbox_free(sb);
}

/* Ten thousand calls in one state: the memory it holds stays flat (and
 * LeakSanitizer checks the rest in the ASan build). */
TEST(ten_thousand_calls_do_not_grow)
{
	sandbox *sb = sandbox_new("t/many.lua", 0);
	lua_State *L;
	peil_error err;
	size_t after_100 = 0;

	CHECK(sb != NULL);
	L = sandbox_lua(sb);
	CHECK(run(sb, "return function(row) local t = {} for k, v in "
		      "pairs(row) do t[#t + 1] = k .. '=' .. tostring(v) end "
		      "table.sort(t) return #table.concat(t, ';') end", &err) == 0);
	for (int i = 0; i < 10000; i++) {
		lua_pushvalue(L, -1);
		lua_createtable(L, 0, 3);
		lua_pushinteger(L, i);
		lua_setfield(L, -2, "id");
		lua_pushliteral(L, "Buurtteam Noord");
		lua_setfield(L, -2, "team");
		sandbox_budget_set(sb, 1000000);
		CHECK(sandbox_call(sb, 1, 1, &err) == 0);
		lua_pop(L, 1);
		if (i == 100) {
			lua_gc(L, LUA_GCCOLLECT);
			after_100 = sandbox_memory_used(sb);
		}
	}
	lua_gc(L, LUA_GCCOLLECT);
	CHECK(sandbox_memory_used(sb) <= after_100 + 4096);
	CHECK_INT(lua_gettop(L), 1);
	sandbox_free(sb);
	for (int i = 0; i < 200; i++)	/* and states come and go cleanly */
		sandbox_free(sandbox_new("t/again.lua", 0));
}

TEST(results_do_not_depend_on_hashes_or_addresses)
{
	sandbox *sb = sandbox_new("t/order.lua", 0);

	CHECK(sb != NULL);
	CHECK_STR(run_text(sb, "local t = { zeta = 1, alpha = 2, [3] = 'c', "
			       "[1.5] = 'b', [-1] = 'a', mid = 3, [true] = 1 }\n"
			       "local out = {}\n"
			       "for k in pairs(t) do out[#out + 1] = tostring(k) end\n"
			       "return table.concat(out, ',')"),
		  "-1,1.5,3,alpha,mid,zeta,true");
	/* Keys removed during the loop are skipped. */
	CHECK_STR(run_text(sb, "local t = { a = 1, b = 2, c = 3 }\n"
			       "local out = {}\n"
			       "for k in pairs(t) do t.b = nil out[#out + 1] = k end\n"
			       "return table.concat(out)"), "ac");
	CHECK_STR(run_text(sb, "return tostring({}) .. ' ' .. tostring(print "
			       "or tostring)"), "table function");
	CHECK_STR(run_text(sb, "return string.format('%s|%5s|%d', {}, 'x', 3)"),
		  "table|    x|3");
	CHECK_CONTAINS(run_text(sb, "return string.format('%p', {})"),
		       "%p is not available");
	CHECK_CONTAINS(run_text(sb, "return ('%10p'):format('x')"),
		       "%p is not available");
	CHECK_STR(run_text(sb, "return tostring(setmetatable({}, { __tostring = "
			       "function() return 'mine' end }))"), "mine");
	sandbox_free(sb);
}

/* Work inside one C call is charged.  table.sort of 100 000
 * numbers is charged n log2 n: 100 000 x 17 (16 halvings down to 2,
 * plus one) = 1.7e6 instructions, so a budget of 1e6 cannot pay for
 * one sort, where before it paid for it as a single instruction.
 * utf8.len of a 1 MiB string is charged 1 + 2^20 / 64 = 16 385: a budget
 * of 100 000 pays for at most six, before for tens of thousands. */
TEST(work_inside_one_c_call_is_charged)
{
	sandbox *sb = sandbox_new("t/ccalls.lua", 0);
	char got[512];

	CHECK(sb != NULL);
	sandbox_budget_set(sb, 2000000);
	snprintf(got, sizeof(got), "%s",
		 run_text(sb, "t = {} for i = 1, 100000 do t[i] = (i * 7919) "
			      "% 100003 end return #t"));
	CHECK_STR(got, "100000");
	sandbox_budget_set(sb, 1000000);
	CHECK_CONTAINS(run_text(sb, "table.sort(t) return t[1]"),
		       "instruction budget of 1000000 instructions exceeded");
	sandbox_budget_set(sb, 4000000);
	CHECK_STR(run_text(sb, "table.sort(t) return t[1]"), "1");
	sandbox_budget_set(sb, 4000000);
	CHECK_STR(run_text(sb, "s = string.rep('a', 2^20) return #s"),
		  "1048576");
	sandbox_budget_set(sb, 100000);
	snprintf(got, sizeof(got), "%s",
		 run_text(sb, "n = 0 while true do utf8.len(s) n = n + 1 end"));
	CHECK_CONTAINS(got, "instruction budget");
	sandbox_budget_set(sb, 1000);
	CHECK_STR(run_text(sb, "return n"), "6");
	/* The wrappers stand between no coroutine and its yield. */
	sandbox_budget_set(sb, 100000);
	CHECK_STR(run_text(sb, "local co = coroutine.wrap(function() "
			       "coroutine.yield(coroutine.isyieldable()) end) "
			       "return co()"), "true");
	sandbox_free(sb);
}

/* A deadline stops a call however it loops, even inside pcall, and the
 * message names the limit; the elapsed time is measured, not assumed. */
TEST(a_deadline_stops_a_looping_call)
{
	sandbox *sb = sandbox_new("t/clock.lua", 0);
	double t0;
	char got[512];

	CHECK(sb != NULL);
	sandbox_budget_set(sb, UINT64_C(1000000000000));
	t0 = seconds_now();
	sandbox_deadline_set(sb, sandbox_clock() + 0.5, "half a second");
	snprintf(got, sizeof(got), "%s",
		 run_text(sb, "while true do pcall(function() while true do "
			      "string.find('aaaa', 'a-b') end end) end"));
	sandbox_deadline_set(sb, 0, NULL);
	printf("  stopped after %.3f s (deadline 0.5 s)\n", seconds_now() - t0);
	CHECK_CONTAINS(got, "time limit exceeded: half a second");
	CHECK(seconds_now() - t0 < 10);
	sandbox_budget_set(sb, 1000);
	CHECK_STR(run_text(sb, "return 1 + 1"), "2");	/* usable again */
	sandbox_free(sb);
}

int main(void)
{
	RUN(no_way_out_through_metatables_and_environment);
	RUN(binary_chunk_by_its_signature);
	RUN(tampering_with_the_environment_stays_in_its_state);
	RUN(endless_tostring_metamethod_is_stopped);
	RUN(pattern_burn_is_refused_before_it_runs);
	RUN(pattern_bound_is_an_upper_bound);
	RUN(c_loops_without_allocation_are_charged);
	RUN(copying_big_strings_is_charged);
	RUN(memory_bombs_hit_the_cap);
	RUN(a_huge_source_file_hits_the_cap);
	RUN(deep_recursion_and_unpack_give_clear_errors);
	RUN(ten_thousand_calls_do_not_grow);
	RUN(results_do_not_depend_on_hashes_or_addresses);
	RUN(work_inside_one_c_call_is_charged);
	RUN(a_deadline_stops_a_looping_call);
	return harness_done();
}
