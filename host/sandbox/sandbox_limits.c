/*
 * sandbox_limits.c - bounds on the library functions that run in C.
 *
 * The count hook fires between Lua instructions, never inside a C
 * function, so string.find(string.rep("a", 1e4), ".-.-.-.-b") would run
 * for hours as one instruction.  Three ways to bound such work were open:
 * a wall-clock deadline (cannot stop a C function either, and makes a
 * result depend on the machine's load), a matcher of our own that counts
 * its steps (a second implementation of Lua's patterns to keep exact),
 * or a bound on the worst case before the real function runs.  Peil does
 * the last: the worst case of Lua's backtracking matcher is easy to bound
 * from the pattern's quantifiers and the subject's length, the bound is
 * exact enough for the short field values KPI scripts handle, and what is
 * refused is refused on every machine alike.
 */
#include "sandbox/sandbox_limits.h"

#include <stdio.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

/* The matcher's work is charged besides the bound: a scan of the
 * subject costs one instruction per this many bytes. */
#define SANDBOX_SCAN_BYTES_PER_INSTRUCTION 16
/* The most matcher steps one call may take, whatever is left of the
 * budget: the count hook cannot stop a call, so a loop of calls each just
 * under a budget-sized bound (1e9 steps, seconds each) ignored SIGTERM
 * for minutes.  1e7 steps take well under 0.1 s. */
#define SANDBOX_PATTERN_MAX_STEPS 1e7
/* A scan of an argument without a copy (utf8.len) reads 64 bytes in
 * about the time an instruction takes. */
#define SANDBOX_ARGUMENT_BYTES_PER_INSTRUCTION 64

enum pattern_function { PATTERN_FIND, PATTERN_MATCH, PATTERN_GMATCH,
			PATTERN_GSUB };

static const char *const pattern_function_names[] = {
	"find", "match", "gmatch", "gsub"
};

/* The end of the set that starts at p[i] == '[', or plen when it is not
 * closed (the real function then reports the malformed pattern). */
static size_t pattern_set_end(const char *p, size_t plen, size_t i)
{
	i++;
	if (i < plen && p[i] == '^')
		i++;
	do {
		if (i >= plen)
			return plen;
		if (p[i++] == '%' && i < plen)
			i++;
	} while (i < plen && p[i] != ']');
	return i < plen ? i + 1 : plen;
}

double sandbox_pattern_worst_case(const char *p, size_t plen, size_t n,
				  int anchored)
{
	double branches = 1, starts = (double)n + 1, scan = 1;
	size_t i = 0;

	if (anchored && plen > 0 && p[0] == '^') {
		starts = 1;
		i = 1;
	}
	while (i < plen) {
		size_t end;

		switch (p[i]) {
		case '(':
		case ')':
			i++;
			continue;
		case '$':
			if (i + 1 == plen) {
				i++;
				continue;
			}
			end = i + 1;
			break;
		case '%':
			if (i + 1 >= plen)
				return starts * branches * scan;
			if (p[i + 1] == 'b') {		/* %bxy scans ahead */
				scan = (double)n + 1;
				i += 4;
				continue;
			}
			if (p[i + 1] == 'f') {		/* %f[set]: a test */
				i = i + 2 < plen && p[i + 2] == '['
					    ? pattern_set_end(p, plen, i + 2)
					    : plen;
				continue;
			}
			if (p[i + 1] >= '0' && p[i + 1] <= '9') {
				scan = (double)n + 1;	/* a back-reference */
				i += 2;
				continue;
			}
			end = i + 2;
			break;
		case '[':
			end = pattern_set_end(p, plen, i);
			break;
		default:
			end = i + 1;
			break;
		}
		if (end < plen && (p[end] == '*' || p[end] == '+' ||
				   p[end] == '-')) {
			branches *= (double)n + 1;
			end++;
		} else if (end < plen && p[end] == '?') {
			branches *= 2;
			end++;
		}
		i = end;
	}
	return starts * branches * scan * ((double)plen + 1);
}

/* Lua finds a pattern without specials by plain comparison. */
static int pattern_is_plain(const char *p, size_t plen)
{
	for (size_t i = 0; i < plen; i++)
		if (strchr("^$*+?.([%-", p[i]) && p[i] != '\0')
			return 0;
	return 1;
}

/* The meter of a wrapper: its upvalue 3. */
static const sandbox_meter *meter_of(lua_State *L)
{
	return lua_touserdata(L, lua_upvalueindex(3));
}

int sandbox_call_wrapped(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);			/* under the arguments */
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* The wrapper of a pattern function: upvalue 1 the real function,
 * upvalue 2 which one, upvalue 3 the meter.  Arguments of the wrong type are left to the real
 * function to report. */
static int sandbox_pattern_guard(lua_State *L)
{
	enum pattern_function which =
		(enum pattern_function)lua_tointeger(L, lua_upvalueindex(2));
	int t1 = lua_type(L, 1), t2 = lua_type(L, 2);

	if ((t1 == LUA_TSTRING || t1 == LUA_TNUMBER) &&
	    (t2 == LUA_TSTRING || t2 == LUA_TNUMBER)) {
		size_t n, plen;
		const char *p;
		double worst, left = meter_of(L)->left(L);
		int capped = left > SANDBOX_PATTERN_MAX_STEPS;

		if (capped)
			left = SANDBOX_PATTERN_MAX_STEPS;

		lua_tolstring(L, 1, &n);
		p = lua_tolstring(L, 2, &plen);
		if (which == PATTERN_FIND &&
		    (lua_toboolean(L, 4) || pattern_is_plain(p, plen)))
			worst = ((double)n + 1) * ((double)plen + 1);
		else
			worst = sandbox_pattern_worst_case(
				p, plen, n, which != PATTERN_GMATCH);
		if (worst > left) {
			char msg[512];	/* lua_pushfstring knows no %.40s */

			snprintf(msg, sizeof(msg),
				 "string.%s: the pattern '%.40s%s' could take "
				 "up to %.3g steps on a subject of %zu bytes, "
				 "more than the %.0f %s; use a simpler pattern "
				 "or a shorter subject",
				 pattern_function_names[which], p,
				 plen > 40 ? "..." : "", worst, n, left,
				 capped ? "steps one call may take"
					: "instructions left of the budget");
			return luaL_error(L, "%s", msg);
		}
		meter_of(L)->charge(
			L, (double)(n / SANDBOX_SCAN_BYTES_PER_INSTRUCTION));
	}
	return sandbox_call_wrapped(L);
}

/* string.rep: Lua copies count times even when each copy is empty, so
 * string.rep("", 2^62) would loop for ages making nothing.  Anything
 * else allocates its result first, and the allocator charges it. */
static int sandbox_rep_guard(lua_State *L)
{
	int t1 = lua_type(L, 1), is_int = 0;
	lua_Integer count = lua_tointegerx(L, 2, &is_int);

	if ((t1 == LUA_TSTRING || t1 == LUA_TNUMBER) && is_int) {
		size_t len, sep_len = 0;

		lua_tolstring(L, 1, &len);
		if (lua_type(L, 3) == LUA_TSTRING ||
		    lua_type(L, 3) == LUA_TNUMBER)
			lua_tolstring(L, 3, &sep_len);
		if (count <= 0 || len + sep_len == 0) {
			lua_pushliteral(L, "");
			return 1;
		}
	}
	return sandbox_call_wrapped(L);
}

/* table.move, insert and remove loop in C over as many elements as their
 * arguments (or a __len metamethod) say, without allocating when the
 * elements are absent: charge one instruction per element first.
 * upvalue 2: 0 move, 1 insert, 2 remove. */
static int sandbox_table_guard(lua_State *L)
{
	lua_Integer which = lua_tointeger(L, lua_upvalueindex(2));
	int ok1 = 0, ok2 = 0;

	if (which == 0) {
		lua_Integer f = lua_tointegerx(L, 2, &ok1);
		lua_Integer e = lua_tointegerx(L, 3, &ok2);

		if (ok1 && ok2 && e >= f)
			meter_of(L)->charge(L, (double)e - (double)f + 1);
	} else if (lua_type(L, 1) == LUA_TTABLE &&
		   lua_gettop(L) >= (which == 1 ? 3 : 2)) {
		lua_Integer n = luaL_len(L, 1);
		lua_Integer pos = lua_tointegerx(L, 2, &ok1);

		if (ok1 && n >= pos)
			meter_of(L)->charge(L, (double)n - (double)pos + 1);
	}
	return sandbox_call_wrapped(L);
}

/* table.sort: about n log2 n comparisons, charged before it runs (a
 * comparator written in Lua is counted by the hook besides).  Sorting a
 * million numbers is one instruction to the hook but 0.2 s of C. */
static int sandbox_sort_guard(lua_State *L)
{
	if (lua_type(L, 1) == LUA_TTABLE) {
		double n = (double)luaL_len(L, 1);
		double log2n = 1;

		for (double m = n; m > 2; m /= 2)
			log2n++;
		meter_of(L)->charge(L, n * log2n);
	}
	return sandbox_call_wrapped(L);
}

/* Every other C function of the allow-list: one instruction, plus one
 * per SANDBOX_ARGUMENT_BYTES_PER_INSTRUCTION bytes of its string
 * arguments (utf8.len, string.byte, tonumber scan them without
 * allocating, which the allocator's charge would not see; a function
 * that copies them, string.upper, is charged for its copy as well).  The charge also asks the meter
 * whether to stop (a signal, the deadline), so that a loop of C calls
 * stops as soon as a loop of Lua instructions does. */
static int sandbox_call_guard(lua_State *L)
{
	int top = lua_gettop(L);
	size_t bytes = 0, len;

	for (int i = 1; i <= top; i++)
		if (lua_type(L, i) == LUA_TSTRING) {
			lua_tolstring(L, i, &len);
			bytes += len;
		}
	meter_of(L)->charge(
		L, 1 + (double)(bytes / SANDBOX_ARGUMENT_BYTES_PER_INSTRUCTION));
	return sandbox_call_wrapped(L);
}

/* Replace t[name] (t at the top) by guard with the real function, which
 * and the meter as upvalues. */
static void sandbox_wrap_one(lua_State *L, const char *name,
			     lua_CFunction guard, int which,
			     const sandbox_meter *meter)
{
	lua_getfield(L, -1, name);			/* t real */
	lua_pushinteger(L, which);			/* t real which */
	lua_pushlightuserdata(L, (void *)meter);	/* t real which m */
	lua_pushcclosure(L, guard, 3);			/* t guard */
	lua_setfield(L, -2, name);			/* t */
}

/* Functions left unwrapped, and why: a wrapper calls with lua_call, so
 * a function that yields (coroutine.yield) or whose callee may
 * (coroutine.wrap's, pcall's) would fail across it, and would make
 * coroutine.isyieldable always false; pcall, error and the wrapped xpcall
 * and setmetatable do constant work of their own. */
static const char *const sandbox_unwrapped[] = {
	"yield", "wrap", "resume", "isyieldable", "pcall", "xpcall",
	"error", "setmetatable", "pairs", "ipairs", NULL
};

static int sandbox_is_unwrapped(const char *name)
{
	for (int i = 0; sandbox_unwrapped[i]; i++)
		if (strcmp(name, sandbox_unwrapped[i]) == 0)
			return 1;
	return 0;
}

/* Wrap every C function of the table at the top not wrapped yet (a C
 * closure with upvalues is one of ours) in sandbox_call_guard. */
static void sandbox_wrap_rest(lua_State *L, const sandbox_meter *meter)
{
	int t = lua_gettop(L);

	lua_pushnil(L);
	while (lua_next(L, t)) {			/* t k v */
		if (lua_type(L, -2) == LUA_TSTRING &&
		    lua_iscfunction(L, -1) &&
		    !lua_getupvalue(L, -1, 1) &&
		    !sandbox_is_unwrapped(lua_tostring(L, -2))) {
			lua_pushinteger(L, 0);		/* t k real 0 */
			lua_pushlightuserdata(L, (void *)meter);
			lua_pushcclosure(L, sandbox_call_guard, 3);
			lua_pushvalue(L, -2);		/* t k guard k */
			lua_insert(L, -2);		/* t k k guard */
			lua_rawset(L, t);		/* t k */
			continue;
		}
		lua_settop(L, t + 1);			/* t k */
	}
}

void sandbox_limits_wrap(lua_State *L, const char *name,
			 const sandbox_meter *meter)
{
	if (strcmp(name, LUA_STRLIBNAME) == 0) {
		for (int i = 0; i < 4; i++)
			sandbox_wrap_one(L, pattern_function_names[i],
					 sandbox_pattern_guard, i, meter);
		sandbox_wrap_one(L, "rep", sandbox_rep_guard, 0, meter);
	} else if (strcmp(name, LUA_TABLIBNAME) == 0) {
		sandbox_wrap_one(L, "move", sandbox_table_guard, 0, meter);
		sandbox_wrap_one(L, "insert", sandbox_table_guard, 1, meter);
		sandbox_wrap_one(L, "remove", sandbox_table_guard, 2, meter);
		sandbox_wrap_one(L, "sort", sandbox_sort_guard, 0, meter);
	}
	sandbox_wrap_rest(L, meter);
}
