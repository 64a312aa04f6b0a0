/*
 * sandbox.c - a Lua state for one untrusted script: memory cap,
 * instruction budget, allow-listed environment, text chunks only.
 *
 * Models: Redis's script_lua.c (allow-list, a budget hook pcall cannot
 * escape) and Suricata's util-lua-sandbox.c (capped allocator; unlike it,
 * a realloc here subtracts the old size, or the count only ever grows).
 */
#include "sandbox/sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "sandbox/sandbox_limits.h"
#include "sandbox/sandbox_pairs.h"

/* Instructions between two hook calls: small enough that a spent budget
 * stops a script quickly, large enough that the hook costs nothing. */
#define SANDBOX_HOOK_STEP 1000
/* Script log lines per state, so that log() in a row function cannot
 * flood the operator's log. */
#define SANDBOX_LOG_MAX 1000
/* Allocation is charged to the instruction budget: one instruction per
 * this many bytes.  It bounds the work that runs inside one instruction
 * (s .. s on a 30 MB string, string.upper of one) and that the count
 * hook cannot see; a row table of a few hundred bytes costs a few dozen
 * instructions. */
#define SANDBOX_BYTES_PER_INSTRUCTION 16

/* Why a call was stopped (sandbox.exhausted); each, once set, raises on
 * every further instruction, so that no pcall can go on. */
enum sandbox_stop {
	SANDBOX_GOING = 0,
	SANDBOX_OUT_OF_BUDGET,
	SANDBOX_INTERRUPTED,		/* SIGINT or SIGTERM */
	SANDBOX_OUT_OF_TIME		/* past the deadline */
};

struct sandbox {
	lua_State *L;
	char *name;
	size_t used, limit;		/* bytes */
	uint64_t budget;		/* instructions left */
	uint64_t budget_total;		/* as last set, for messages */
	int exhausted;			/* enum sandbox_stop of the last call */
	long exhausted_line;
	double deadline;		/* sandbox_clock(); 0: none */
	char deadline_what[128];	/* which limit, for the message */
	unsigned log_count;
	char traceback[2048];
};

static char sandbox_env_key;	/* registry: the script environment */

/* Base functions a script may use.  Left out, and why:
 *  load, loadstring, dofile, loadfile: compile code the host never saw,
 *	binary chunks included (which can crash the VM);
 *  require, package: reach the file system and native modules;
 *  io, os: files, processes, the clock and the environment;
 *  debug: reads and writes any local, upvalue and metatable;
 *  collectgarbage: lets a script defeat the memory cap's accounting
 *	and stall the host;
 *  print: writes to stdout, which carries figures; log() goes to the
 *	host log instead;
 *  _G: the state's real global table, holding all of the above.
 * xpcall and setmetatable are wrapped; see their wrappers for why. */
static const char *const sandbox_base_allowed[] = {
	"assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall",
	"select", "tonumber", "tostring", "type", "rawequal", "rawget",
	"rawset", "rawlen", "setmetatable", "getmetatable", "_VERSION",
};

/* Libraries copied into the environment, less some functions:
 *  string.dump: turns functions into binary chunks;
 *  math.random, math.randomseed: figures must be the same on every run. */
static const struct sandbox_library {
	const char *name;
	lua_CFunction open;
	const char *drop[3];
} sandbox_libraries[] = {
	{ LUA_STRLIBNAME, luaopen_string, { "dump", NULL, NULL } },
	{ LUA_TABLIBNAME, luaopen_table, { NULL, NULL, NULL } },
	{ LUA_MATHLIBNAME, luaopen_math, { "random", "randomseed", NULL } },
	{ LUA_UTF8LIBNAME, luaopen_utf8, { NULL, NULL, NULL } },
	{ LUA_COLIBNAME, luaopen_coroutine, { NULL, NULL, NULL } },
};

/* Count every byte, and refuse growth beyond the limit.  Lua passes the
 * old size in osize only when ptr is not NULL (else it is a type tag). */
static void sandbox_hook(lua_State *L, lua_Debug *ar);

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	sandbox *sb = ud;
	size_t old = ptr ? osize : 0;
	void *p;

	if (nsize == 0) {
		free(ptr);
		sb->used -= old;
		return NULL;
	}
	if (nsize > old && nsize - old > sb->limit - sb->used)
		return NULL;		/* Lua collects and retries, then fails */
	p = realloc(ptr, nsize);
	if (!p)
		return NULL;
	sb->used = sb->used - old + nsize;
	if (nsize > old) {
		uint64_t charge = (nsize - old) / SANDBOX_BYTES_PER_INSTRUCTION;

		if (sb->budget > charge) {
			sb->budget -= charge;
		} else if (sb->budget) {
			/* Spent: let the hook raise at the next instruction
			 * rather than a step later (lua_sethook is safe
			 * anywhere; a coroutine keeps its own step). */
			sb->budget = 0;
			lua_sethook(sb->L, sandbox_hook, LUA_MASKCOUNT, 1);
		}
	}
	return p;
}

static sandbox *sandbox_of(lua_State *L)
{
	return *(sandbox **)lua_getextraspace(L);
}

/* Charge the instructions since the last call; once the budget is spent,
 * raise on every instruction of every thread that runs, so that neither
 * pcall nor a coroutine can go on. */
double sandbox_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether the call must stop now for a reason other than its budget: a
 * signal, or the deadline passed.  Asked at every hook and every charge
 * of a C function, so that a script stops within one step of either
 * (one clock read per 1000 instructions costs nothing measurable). */
static enum sandbox_stop sandbox_must_stop(const sandbox *sb)
{
	if (interrupt_requested())
		return SANDBOX_INTERRUPTED;
	if (sb->deadline > 0 && sandbox_clock() >= sb->deadline)
		return SANDBOX_OUT_OF_TIME;
	return SANDBOX_GOING;
}

static void sandbox_hook(lua_State *L, lua_Debug *ar)
{
	sandbox *sb = sandbox_of(L);
	uint64_t step = (uint64_t)lua_gethookcount(L);

	if (!sb->exhausted) {
		enum sandbox_stop why = sandbox_must_stop(sb);

		if (why == SANDBOX_GOING && sb->budget > step) {
			sb->budget -= step;
			return;
		}
		if (why == SANDBOX_GOING) {
			sb->budget = 0;
			why = SANDBOX_OUT_OF_BUDGET;
		}
		sb->exhausted = why;
		sb->exhausted_line = 0;
		if (lua_getinfo(L, "Sl", ar) && ar->source[0] == '@' &&
		    strcmp(ar->source + 1, sb->name) == 0)
			sb->exhausted_line = ar->currentline;
	}
	lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
	lua_pushliteral(L, "instruction budget exceeded");
	lua_error(L);
}

/* The script line of the Lua function at level (0 when not this
 * script's). */
static long sandbox_line_at(sandbox *sb, lua_State *L, int level)
{
	lua_Debug ar;

	if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
	    ar.source[0] == '@' && strcmp(ar.source + 1, sb->name) == 0)
		return ar.currentline;
	return 0;
}

/* Charge instructions to the running sandbox; once they exceed what is
 * left, the budget is spent (as in the count hook) and this raises. */
static void sandbox_charge(lua_State *L, double instructions)
{
	sandbox *sb = sandbox_of(L);
	enum sandbox_stop why = sb->exhausted ? SANDBOX_GOING
					      : sandbox_must_stop(sb);

	if (!sb->exhausted && why == SANDBOX_GOING &&
	    instructions < (double)sb->budget) {
		sb->budget -= (uint64_t)instructions;
		return;
	}
	if (!sb->exhausted) {
		if (why == SANDBOX_GOING) {
			sb->budget = 0;
			why = SANDBOX_OUT_OF_BUDGET;
		}
		sb->exhausted = why;
		sb->exhausted_line = sandbox_line_at(sb, L, 1);
	}
	lua_sethook(L, sandbox_hook, LUA_MASKCOUNT, 1);
	luaL_error(L, "instruction budget exceeded");
}

/* What is left of the running sandbox's budget. */
static double sandbox_left(lua_State *L)
{
	return (double)sandbox_of(L)->budget;
}

/* What the wrappers of sandbox_limits.c charge. */
static const sandbox_meter sandbox_meter_of_budget = {
	sandbox_charge, sandbox_left
};

/* The length of the source at the start of msg's position ("source:line:
 * ...") when that source is path, whole or as Lua shortens a file's name
 * longer than LUA_IDSIZE (60) to "...its end"; 0 when it is not. */
static size_t sandbox_source_of(const char *msg, const char *path)
{
	const char *p = msg;
	size_t path_len = strlen(path);

	while ((p = strchr(p, ':')) != NULL) {
		const char *d = p + 1;
		size_t n = (size_t)(p - msg);

		while (*d >= '0' && *d <= '9')
			d++;
		if (d > p + 1 && *d == ':') {
			int same = n == path_len && memcmp(msg, path, n) == 0;
			int tail = n > 3 && memcmp(msg, "...", 3) == 0 &&
				   path_len >= n - 3 &&
				   memcmp(path + path_len - (n - 3), msg + 3,
					  n - 3) == 0;

			return same || tail ? n : 0;
		}
		p++;
	}
	return 0;
}

/* msg with the whole path in its position where Lua shortened path to
 * "...its end": pushed, or msg itself (nothing pushed) when it names
 * path whole or names another source.  A module's error (require,
 * kpi_require.c) named no file that could be found in a deep script
 * directory. */
static const char *sandbox_whole_path(lua_State *L, const char *msg,
				      const char *path)
{
	size_t n;

	if (strncmp(msg, "...", 3) != 0 || !(n = sandbox_source_of(msg, path)))
		return msg;
	return lua_pushfstring(L, "%s%s", path, msg + n);
}

/* msg with the whole path of the file it begins with: the file is that
 * of a function on the stack whose name ends msg's shortened source. */
static const char *sandbox_whole_source(lua_State *L, const char *msg)
{
	lua_Debug ar;

	if (strncmp(msg, "...", 3) != 0)
		return msg;
	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		const char *whole;

		if (!lua_getinfo(L, "S", &ar) || ar.source[0] != '@')
			continue;
		whole = sandbox_whole_path(L, msg, ar.source + 1);
		if (whole != msg)
			return whole;
	}
	return msg;
}

int sandbox_load_text(lua_State *L, const char *text, size_t len,
		      const char *path)
{
	const char *chunkname = lua_pushfstring(L, "@%s", path);
	int status = luaL_loadbufferx(L, text, len, chunkname, "t");
	const char *msg;

	lua_remove(L, -2);				/* the chunk name */
	if (status != LUA_OK && (msg = lua_tostring(L, -1)) != NULL &&
	    sandbox_whole_path(L, msg, path) != msg)
		lua_remove(L, -2);			/* the short message */
	return status;
}

/* The message handler: the message and a traceback. */
static int sandbox_message_handler(lua_State *L)
{
	const char *msg = lua_tostring(L, 1);

	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)",
				      luaL_typename(L, 1));
	luaL_traceback(L, L, sandbox_whole_source(L, msg), 1);
	return 1;
}

/* log(...): the arguments, as tostring shows them, on the host log. */
static int sandbox_log(lua_State *L)
{
	sandbox *sb = sandbox_of(L);
	int n = lua_gettop(L);
	luaL_Buffer b;

	if (sb->log_count >= SANDBOX_LOG_MAX)
		return 0;
	if (++sb->log_count == SANDBOX_LOG_MAX) {
		log_msg(PEIL_LOG_WARNING, "%s: further log() lines dropped",
			sb->name);
		return 0;
	}
	luaL_where(L, 1);
	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	log_msg(PEIL_LOG_INFO, "%s %s", lua_tostring(L, n + 1),
		lua_tostring(L, -1));
	return 0;
}

/* A message handler of xpcall runs with hooks off when the error came
 * from a hook (Lua calls it before unwinding, still inside the hook), so a
 * handler that loops would never be stopped: once the budget is spent,
 * pass the message by without running the script's handler. */
static int sandbox_xpcall_guard(lua_State *L)
{
	if (sandbox_of(L)->exhausted)
		return 1;
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* xpcall(f, handler, ...) with the handler behind the guard above. */
static int sandbox_xpcall(lua_State *L)
{
	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 2);
	lua_pushcclosure(L, sandbox_xpcall_guard, 1);
	lua_replace(L, 2);
	return sandbox_call_wrapped(L);		/* the real xpcall */
}

/* setmetatable without __gc: finalizers run with hooks off, so a
 * looping __gc would escape the budget.  Lua marks an object for
 * finalization only when __gc is there at setmetatable time, so adding
 * it later does nothing. */
static int sandbox_setmetatable(lua_State *L)
{
	lua_pushliteral(L, "__gc");
	if (lua_istable(L, 2) && lua_rawget(L, 2) != LUA_TNIL)
		return luaL_error(L, "setmetatable: __gc is not allowed");
	lua_settop(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));	/* the real setmetatable */
	lua_insert(L, 1);
	lua_call(L, 2, 1);
	return 1;
}

/* Copy library t (at top) into a new table, less drop[]. */
static void sandbox_copy_library(lua_State *L, const char *const drop[3])
{
	int lib = lua_gettop(L);

	lua_newtable(L);				/* lib copy */
	lua_pushnil(L);
	while (lua_next(L, lib)) {			/* lib copy k v */
		lua_pushvalue(L, -2);			/* ... k v k */
		lua_insert(L, -2);			/* ... k k v */
		lua_rawset(L, lib + 1);			/* ... k */
	}
	for (int i = 0; i < 3 && drop[i]; i++) {
		lua_pushnil(L);
		lua_setfield(L, lib + 1, drop[i]);
	}
	lua_remove(L, lib);				/* copy */
}

/* Build the environment; runs under lua_pcall. */
static int sandbox_setup(lua_State *L)
{
	int env;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	lua_pop(L, 1);
	lua_newtable(L);
	env = lua_gettop(L);
	lua_pushglobaltable(L);
	for (size_t i = 0; i < sizeof(sandbox_base_allowed) /
				    sizeof(sandbox_base_allowed[0]); i++) {
		const char *name = sandbox_base_allowed[i];

		lua_getfield(L, -1, name);
		if (strcmp(name, "xpcall") == 0)
			lua_pushcclosure(L, sandbox_xpcall, 1);
		else if (strcmp(name, "setmetatable") == 0)
			lua_pushcclosure(L, sandbox_setmetatable, 1);
		lua_setfield(L, env, name);
	}
	lua_pop(L, 1);
	/* The base functions are charged too (tonumber scans its string). */
	sandbox_limits_wrap(L, "base", &sandbox_meter_of_budget);
	for (size_t i = 0; i < sizeof(sandbox_libraries) /
				    sizeof(sandbox_libraries[0]); i++) {
		const struct sandbox_library *lib = &sandbox_libraries[i];

		luaL_requiref(L, lib->name, lib->open, 0);
		/* In the state's own table too: the string metatable's
		 * __index is that one, so ("").find must be bounded. */
		sandbox_limits_wrap(L, lib->name, &sandbox_meter_of_budget);
		sandbox_copy_library(L, lib->drop);
		lua_setfield(L, env, lib->name);
	}
	lua_pushcfunction(L, sandbox_log);
	lua_setfield(L, env, "log");
	lua_settop(L, env);
	sandbox_pairs_install(L);

	/* Strings share one metatable whose __index is the state's own
	 * string table: hide it from getmetatable(""), and drop dump from
	 * it too, or ("").dump(f) would still work. */
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);			/* env "" mt */
	lua_getfield(L, -1, "__index");			/* env "" mt string */
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);

	lua_rawsetp(L, LUA_REGISTRYINDEX, &sandbox_env_key);
	return 0;
}

sandbox *sandbox_new(const char *name, size_t memory_bytes)
{
	sandbox *sb = calloc(1, sizeof(*sb));
	peil_error err;

	if (!sb)
		return NULL;
	sb->limit = memory_bytes ? memory_bytes : SANDBOX_DEFAULT_MEMORY;
	sb->name = strdup(name ? name : "?");
	sb->L = sb->name ? lua_newstate(sandbox_alloc, sb) : NULL;
	if (!sb->L) {
		sandbox_free(sb);
		return NULL;
	}
	*(sandbox **)lua_getextraspace(sb->L) = sb;
	sandbox_budget_set(sb, SANDBOX_DEFAULT_INSTRUCTIONS);
	if (sandbox_protect(sb, sandbox_setup, NULL, &err) < 0) {
		sandbox_free(sb);
		return NULL;
	}
	return sb;
}

void sandbox_free(sandbox *sb)
{
	if (!sb)
		return;
	if (sb->L)
		lua_close(sb->L);
	free(sb->name);
	free(sb);
}

lua_State *sandbox_lua(sandbox *sb)
{
	return sb->L;
}

void sandbox_push_env(sandbox *sb)
{
	lua_rawgetp(sb->L, LUA_REGISTRYINDEX, &sandbox_env_key);
}

void sandbox_budget_set(sandbox *sb, uint64_t instructions)
{
	int step = SANDBOX_HOOK_STEP;

	if (instructions < (uint64_t)step)
		step = instructions ? (int)instructions : 1;
	sb->budget = instructions;
	sb->budget_total = instructions;
	/* Resetting the hook also resets its count: do it only when needed,
	 * or calls shorter than a step would never be charged. */
	if (sb->exhausted || lua_gethook(sb->L) == NULL ||
	    lua_gethookcount(sb->L) != step) {
		sb->exhausted = 0;
		lua_sethook(sb->L, sandbox_hook, LUA_MASKCOUNT, step);
	}
}

void sandbox_deadline_set(sandbox *sb, double deadline, const char *what)
{
	sb->deadline = deadline;
	snprintf(sb->deadline_what, sizeof(sb->deadline_what), "%s",
		 what ? what : "the deadline passed");
}

uint64_t sandbox_budget_left(const sandbox *sb)
{
	return sb->budget;
}

size_t sandbox_memory_limit(const sandbox *sb)
{
	return sb->limit;
}

int sandbox_memory_reserve(sandbox *sb, size_t bytes)
{
	if (bytes > sb->limit - sb->used)
		return -1;
	sb->used += bytes;
	return 0;
}

void sandbox_memory_release(sandbox *sb, size_t bytes)
{
	sb->used -= bytes < sb->used ? bytes : sb->used;
}

char *sandbox_strdup(lua_State *L, const char *s, size_t len)
{
	char *copy;

	if (len == SIZE_MAX || sandbox_memory_reserve(sandbox_of(L), len + 1) < 0)
		return NULL;
	copy = malloc(len + 1);
	if (!copy) {
		sandbox_memory_release(sandbox_of(L), len + 1);
		return NULL;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

size_t sandbox_memory_used(const sandbox *sb)
{
	return sb->used;
}

const char *sandbox_traceback(const sandbox *sb)
{
	return sb->traceback;
}

/* Split "source:line: rest" when source is this script's chunk id (Lua
 * shortens long names to "...tail"). */
static long sandbox_split_position(const sandbox *sb, const char *msg,
				   const char **rest)
{
	size_t n = sandbox_source_of(msg, sb->name);
	const char *d = msg + n + 1;
	long line = 0;

	*rest = msg;
	if (!n)
		return 0;
	while (*d >= '0' && *d <= '9')
		line = line * 10 + (*d++ - '0');
	*rest = d[1] == ' ' ? d + 2 : d + 1;
	return line;
}

/* Fill err from the error object at the top (then popped). */
static int sandbox_report(sandbox *sb, int status, int budget,
			  peil_error *err)
{
	lua_State *L = sb->L;
	const char *msg = lua_tostring(L, -1);
	char text[sizeof(err->message)];
	const char *cut, *rest;
	long line;

	sb->traceback[0] = '\0';
	if (!msg)
		msg = "(error object is not a string)";
	cut = strstr(msg, "\nstack traceback:");
	snprintf(text, sizeof(text), "%.*s",
		 (int)(cut ? (size_t)(cut - msg) : strlen(msg)), msg);
	if (cut)
		snprintf(sb->traceback, sizeof(sb->traceback), "%s", cut + 1);
	lua_pop(L, 1);

	if (budget && sb->exhausted == SANDBOX_INTERRUPTED)
		return error_set(err, sb->name, sb->exhausted_line, NULL,
				 "interrupted by %s",
				 interrupt_name(interrupt_requested()));
	if (budget && sb->exhausted == SANDBOX_OUT_OF_TIME)
		return error_set(err, sb->name, sb->exhausted_line, NULL,
				 "time limit exceeded: %s", sb->deadline_what);
	if (budget && sb->exhausted)
		return error_set(err, sb->name, sb->exhausted_line, NULL,
				 "instruction budget of %llu instructions "
				 "exceeded",
				 (unsigned long long)sb->budget_total);
	line = sandbox_split_position(sb, text, &rest);
	if (status == LUA_ERRMEM || strcmp(rest, "not enough memory") == 0)
		return error_set(err, sb->name, line, NULL,
				 "memory limit of %zu bytes exceeded",
				 sb->limit);
	return error_set(err, sb->name, line, NULL, "%s", rest);
}

int sandbox_call(sandbox *sb, int nargs, int nresults, peil_error *err)
{
	lua_State *L = sb->L;
	int base = lua_gettop(L) - nargs;	/* the function */
	int status;

	lua_pushcfunction(L, sandbox_message_handler);
	lua_insert(L, base);			/* handler f args */
	status = lua_pcall(L, nargs, nresults, base);
	lua_remove(L, base);			/* results or error */
	if (status != LUA_OK)
		return sandbox_report(sb, status, 1, err);
	if (sb->exhausted) {			/* the script caught it */
		lua_pop(L, nresults);
		lua_pushliteral(L, "instruction budget exceeded");
		return sandbox_report(sb, LUA_ERRRUN, 1, err);
	}
	return 0;
}

int sandbox_protect(sandbox *sb, lua_CFunction fn, void *ud, peil_error *err)
{
	lua_pushcfunction(sb->L, fn);
	lua_pushlightuserdata(sb->L, ud);
	return sandbox_call(sb, 1, 0, err);
}

int sandbox_load_buffer(sandbox *sb, const char *text, size_t len,
			peil_error *err)
{
	lua_State *L = sb->L;
	char chunkname[1024];
	int status;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	snprintf(chunkname, sizeof(chunkname), "@%s", sb->name);
	status = luaL_loadbufferx(L, text, len, chunkname, "t");
	if (status != LUA_OK)
		return sandbox_report(sb, status, 0, err);
	sandbox_push_env(sb);
	if (!lua_setupvalue(L, -2, 1))		/* a main chunk's 1st is _ENV */
		lua_pop(L, 1);
	return 0;
}

int sandbox_load_file(sandbox *sb, peil_error *err)
{
	FILE *f = fopen(sb->name, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f)
		return error_set(err, sb->name, 0, NULL, "cannot open: %s",
				 strerror(errno));
	for (;;) {
		size_t n;

		if (len > sb->limit) {	/* its compiled form would not fit */
			free(text);
			fclose(f);
			return error_set(err, sb->name, 0, NULL,
					 "the script is larger than the memory "
					 "limit of %zu bytes", sb->limit);
		}
		if (len == cap) {
			char *grown = realloc(text, cap ? cap * 2 : 8192);

			if (!grown) {
				free(text);
				fclose(f);
				return error_set(err, sb->name, 0, NULL,
						 "out of memory");
			}
			text = grown;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		return error_set(err, sb->name, 0, NULL, "cannot read: %s",
				 strerror(errno));
	}
	fclose(f);
	rc = sandbox_load_buffer(sb, text, len, err);
	free(text);
	return rc;
}
