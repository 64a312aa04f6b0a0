/*
 * sandbox_limits.h - bounds on the library functions that run in C,
 * where the sandbox's count hook does not fire.
 *
 * The instruction budget counts Lua instructions; a C function such as
 * string.find runs as one instruction however long it takes.  So, in a
 * sandbox:
 *  - string.find, match, gmatch and gsub first bound the worst case of
 *    Lua's backtracking matcher for this pattern and subject, and refuse
 *    (a catchable error naming the function, the pattern and the numbers)
 *    when it exceeds what is left of the budget;
 *  - string.rep of an empty result returns at once (Lua loops count times);
 *  - table.move, insert and remove are charged one instruction per
 *    element they may move, before they run; table.sort n log2 n;
 *  - a pattern call may take at most 1e7 matcher steps, whatever is left
 *    of the budget;
 *  - every other C function one instruction plus one per 64 bytes of its
 *    string arguments;
 *  - every byte allocated is charged too (sandbox.c), which bounds the C
 *    work of functions that produce output and of the .. operator.
 * docs/security.md explains the choice.
 */
#ifndef PEIL_SANDBOX_LIMITS_H
#define PEIL_SANDBOX_LIMITS_H

#include <stddef.h>

#include <lua.h>

/* How a wrapper reaches the running sandbox's budget (sandbox.c keeps
 * it): charge raises once the instructions exceed what is left, as the
 * count hook does; left is what is left.  Passed in rather than called,
 * so that the budget's file and this one do not call each other. */
typedef struct sandbox_meter {
	void (*charge)(lua_State *L, double instructions);
	double (*left)(lua_State *L);
} sandbox_meter;

/* Replace the C functions in the library table at the top of the stack
 * by wrappers of themselves (the stack is unchanged), which charge meter
 * (static: it must outlive the state): the bounded ones of "string" and
 * "table" as above, table.sort by n log2 n, every other one (of any name:
 * "math", "utf8", "base" ...) one instruction plus one per 64 bytes of
 * its string arguments, but for the few that must stay as they are (see
 * sandbox_unwrapped).  Every charge also stops the call on a signal or
 * at the deadline.  docs/security.md lists each function.  May raise. */
void sandbox_limits_wrap(lua_State *L, const char *name,
			 const sandbox_meter *meter);

/* The tail of a wrapper (a lua_CFunction whose upvalue 1 is the function
 * it wraps): call that function with the wrapper's arguments and return
 * all its results. */
int sandbox_call_wrapped(lua_State *L);

/* The worst number of matcher steps that Lua's pattern matcher can take
 * for pattern p (plen bytes) on a subject of n bytes; anchored says
 * whether a leading '^' anchors (not for gmatch).  An upper bound, not an
 * estimate: the search tree has at most n + 1 branches per quantified
 * item ('*', '+', '-'), 2 per '?', and each path is at most the pattern's
 * length long, plus a scan of the subject for %b and back-references. */
double sandbox_pattern_worst_case(const char *p, size_t plen, size_t n,
				  int anchored);

#endif
