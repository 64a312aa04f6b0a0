/*
 * sandbox.h - a Lua state for one untrusted script.
 *
 * Analysts' KPI scripts run here.  A sandbox is one lua_State with
 *  - a memory cap, enforced by its allocator;
 *  - an instruction budget, enforced by a count hook that a script's own
 *    pcall cannot swallow (once spent, every further instruction raises);
 *    the same hook stops a call on SIGINT or SIGTERM and at a deadline;
 *  - a private environment built from an allow-list: no io, os, load,
 *    require, debug or anything else that reaches outside the state or
 *    makes results depend on more than the data (math.random);
 *  - text chunks only: a binary chunk is refused.
 * Every call into Lua runs under lua_pcall with a traceback handler.
 *
 * One sandbox per script file, so that one script's tampering with its
 * environment (string.upper = nil) never reaches another script.
 *
 * Errors fill a peil_error the error.h way: file is the sandbox's name
 * (the script path), line the script line when known (else 0), message
 * the text without the "file:line:" prefix.
 */
#ifndef PEIL_SANDBOX_H
#define PEIL_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "peil/plugin.h"

#define SANDBOX_DEFAULT_MEMORY ((size_t)64 << 20)
#define SANDBOX_DEFAULT_INSTRUCTIONS ((uint64_t)1000000000)

typedef struct sandbox sandbox;

/* A new sandbox for the script called name (copied; used in messages and
 * as the chunk name).  memory_bytes 0 means SANDBOX_DEFAULT_MEMORY.  The
 * budget starts at SANDBOX_DEFAULT_INSTRUCTIONS.  NULL when out of
 * memory. */
sandbox *sandbox_new(const char *name, size_t memory_bytes);
void sandbox_free(sandbox *sb);	/* accepts NULL */

/* The state, for pushing arguments and reading results around
 * sandbox_call.  Never call a function that may raise outside it. */
lua_State *sandbox_lua(sandbox *sb);

/* Push the script environment (the table every chunk gets as _ENV). */
void sandbox_push_env(sandbox *sb);

/* Compile a text chunk and push it as a function whose _ENV is the
 * environment.  A UTF-8 byte order mark at the start is skipped.  0 on
 * success; -1 with err filled and nothing pushed. */
int sandbox_load_buffer(sandbox *sb, const char *text, size_t len,
			peil_error *err);
/* The same for the file at the sandbox's name. */
int sandbox_load_file(sandbox *sb, peil_error *err);
/* Compile text, the content of the file path, as a text chunk and push
 * it (luaL_loadbufferx, mode "t"): LUA_OK, or Lua's status with its
 * message pushed, whose position names path whole (Lua shortens a name
 * longer than LUA_IDSIZE, 60, to "...its end").  The chunk's _ENV is
 * left to the caller.  May raise when out of memory: call it protected. */
int sandbox_load_text(lua_State *L, const char *text, size_t len,
		      const char *path);

/* Call the function below nargs arguments on the stack, protected, with
 * the current budget.  On success leaves nresults results (not
 * LUA_MULTRET) and returns 0.  On failure pops function and arguments,
 * returns -1 and fills err; a spent budget or the memory cap is reported
 * as such even when the script caught the error itself. */
int sandbox_call(sandbox *sb, int nargs, int nresults, peil_error *err);

/* Run a C function protected: fn(L) is called with ud as a light
 * userdata argument and its results are dropped.  For host code that
 * builds tables and strings in the state, which may raise when memory
 * runs out.  Returns as sandbox_call. */
int sandbox_protect(sandbox *sb, lua_CFunction fn, void *ud, peil_error *err);

/* The instruction budget for the following calls, and what is left of it
 * after them.  Counted in steps of up to 1000 instructions, so a call
 * may run a few hundred instructions beyond it. */
void sandbox_budget_set(sandbox *sb, uint64_t instructions);
uint64_t sandbox_budget_left(const sandbox *sb);

/* A deadline for the following calls, in sandbox_clock() seconds (0:
 * none); what names the limit in the message ("[limits] seconds = 60 per
 * KPI").  A call past it, or one during which SIGINT or SIGTERM came
 * (base/interrupt.h), stops as a spent budget does: at the next hook or
 * charge of a C function, whatever pcall the script tried; the error
 * says "time limit exceeded: WHAT" or "interrupted by SIGTERM". */
void sandbox_deadline_set(sandbox *sb, double deadline, const char *what);
/* Seconds on CLOCK_MONOTONIC. */
double sandbox_clock(void);

/* Bytes the state holds now (for the tests of the memory cap). */
size_t sandbox_memory_used(const sandbox *sb);
/* The memory cap, in bytes. */
size_t sandbox_memory_limit(const sandbox *sb);
/* Count bytes that the host keeps on the script's behalf (text kpi{}
 * copies out of the state) against the cap, as if the state held them:
 * 0, or -1 when they do not fit (nothing is counted then).  Released
 * with sandbox_memory_release when the host frees them. */
int sandbox_memory_reserve(sandbox *sb, size_t bytes);
void sandbox_memory_release(sandbox *sb, size_t bytes);
/* A host copy of s (len bytes and a NUL) for the state L of a sandbox,
 * counted against its cap with sandbox_memory_reserve: a script's text
 * that the host keeps (kpi{} titles, params) is capped as the script's
 * own memory is (uncounted, 60 KPIs with a 20 MiB param took the host
 * to 1.26 GB).  NULL when it does not fit or malloc fails.  Free it with
 * free(); the count stays until the state is closed. */
char *sandbox_strdup(lua_State *L, const char *s, size_t len);

/* The Lua traceback of the last failed call ("" when none); valid until
 * the next call.  Read by the tests only. */
const char *sandbox_traceback(const sandbox *sb);

#endif
