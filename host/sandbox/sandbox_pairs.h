/*
 * sandbox_pairs.h - functions of a sandbox whose results would otherwise
 * differ from run to run of the same script on the same data.
 *
 * Lua seeds its string hash from the clock and from addresses, so the
 * order in which next() visits string keys changes between processes, and
 * tostring({}) shows an address that ASLR moves.  A figure must not
 * depend on either:
 *  - pairs(t) visits numbers in ascending order, then strings in byte
 *    order, then false and true, then other keys (tables, functions) in
 *    the table's own order; a __pairs metamethod is honoured;
 *  - tostring of a table, function, thread or userdata without
 *    __tostring or __name gives its type name without the address, and
 *    string.format does the same for its arguments and refuses %p.
 * next() still follows the table's internal order: use it only to ask
 * whether a table is empty.
 */
#ifndef PEIL_SANDBOX_PAIRS_H
#define PEIL_SANDBOX_PAIRS_H

#include <lua.h>

/* Set pairs, tostring and string.format in the environment table at the
 * top of the stack (its string table already copied in), and format in
 * the library table "string" of the state (the string metatable's
 * __index).  May raise. */
void sandbox_pairs_install(lua_State *L);

#endif
