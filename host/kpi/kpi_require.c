/*
 * kpi_require.c - require("name") for KPI scripts: shared helper
 * functions in Lua files of the script directories, and nowhere else.
 *
 * Lua's own require reaches package.path, C modules and the whole file
 * system; this one takes a name of [a-z0-9_] parts joined by dots, looks
 * for dir/part/part.lua in the configured script directories in order,
 * compiles it as text with the script's environment, runs it once per
 * script state and returns (and caches) its result.  A module runs under
 * the same memory cap and instruction budget as the script that asked,
 * and is read under the same size cap as a script; anything but a
 * regular file is refused before it is read (a FIFO there hung peil
 * check).
 */
#include "kpi/kpi_model.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>

#include "base/digest.h"

static char kpi_modules_key;	/* registry: name -> loaded module */

/* A module name: parts of a-z, 0-9 and _, joined by single dots. */
static int require_valid(const char *name)
{
	int part = 0;

	for (; *name; name++) {
		if ((*name >= 'a' && *name <= 'z') ||
		    (*name >= '0' && *name <= '9') || *name == '_')
			part++;
		else if (*name == '.' && part)
			part = 0;
		else
			return 0;
	}
	return part > 0;
}

/* Read path, a regular file of at most cap bytes, into a fresh buffer.
 * NULL with *why NULL when there is no such file (look further), or
 * with *why saying why it is refused.  O_NONBLOCK: opening a FIFO must
 * not wait for a writer; fstat then refuses it. */
static char *require_read(const char *path, size_t cap, size_t *len,
			  const char **why)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	char *text = NULL;
	size_t got = 0;
	ssize_t n;

	*why = NULL;
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		*why = "not a regular file";
	else if ((uint64_t)sb.st_size > cap)
		*why = "larger than the script memory limit";
	else if (!(text = malloc((size_t)sb.st_size + 1)))
		*why = "out of memory";
	while (text && got < (size_t)sb.st_size &&
	       (n = read(fd, text + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	if (text && got != (size_t)sb.st_size) {
		free(text);
		text = NULL;
		*why = "cannot read it whole";
	}
	close(fd);
	*len = got;
	return text;
}

/* Fold a module read by script into its hash: the SHA-256 of the hash
 * so far, the module's name and its text.  -1 when out of memory. */
static int require_hash(kpi_script *script, const char *name,
			const char *text, size_t len)
{
	digest *d = digest_new();

	if (!d)
		return -1;
	digest_update(d, script->sha256, strlen(script->sha256) + 1);
	digest_update(d, name, strlen(name) + 1);
	digest_update(d, text, len);
	digest_finish(d, script->sha256);
	return 0;
}

static int require_call(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	size_t count = (size_t)lua_tointeger(L, lua_upvalueindex(2));
	char *const *dirs = lua_touserdata(L, lua_upvalueindex(1));
	kpi_script *script = lua_touserdata(L, lua_upvalueindex(4));
	char path[4096];

	if (!require_valid(name))
		return luaL_error(L, "require: '%s' is no module name (parts of "
				  "a-z, 0-9 and _ joined by dots)", name);
	lua_rawgetp(L, LUA_REGISTRYINDEX, &kpi_modules_key);
	if (lua_getfield(L, -1, name) != LUA_TNIL)
		return 1;
	lua_pop(L, 1);				/* modules */
	for (size_t i = 0; i < count; i++) {
		size_t len = 0, n;
		const char *why;
		char *text;
		int status;

		n = (size_t)snprintf(path, sizeof(path), "%s/%s.lua", dirs[i],
				     name);
		if (n >= sizeof(path))
			continue;
		for (char *p = path + strlen(dirs[i]) + 1; *p; p++)
			if (*p == '.' && strcmp(p, ".lua") != 0)
				*p = '/';
		text = require_read(path, sandbox_memory_limit(script->sb),
				    &len, &why);
		if (!text && why)
			return luaL_error(L, "require: %s: %s", path, why);
		if (!text)
			continue;
		/* The module is part of the definition of the script's
		 * KPIs: its text goes into the script's hash, which their
		 * definition hashes take (before, a changed module left
		 * them as they were, and a run kept the old figures). */
		if (require_hash(script, name, text, len) < 0) {
			free(text);
			return luaL_error(L, "require: %s: out of memory",
					  path);
		}
		status = sandbox_load_text(L, text, len, path);
		free(text);
		if (status != LUA_OK)
			return lua_error(L);
		lua_pushvalue(L, lua_upvalueindex(3));	/* the env */
		if (!lua_setupvalue(L, -2, 1))
			lua_pop(L, 1);
		lua_pushstring(L, name);
		lua_call(L, 1, 1);
		if (lua_isnil(L, -1)) {
			lua_pop(L, 1);
			lua_pushboolean(L, 1);
		}
		lua_pushvalue(L, -1);
		lua_setfield(L, -3, name);		/* modules[name] */
		return 1;
	}
	return luaL_error(L, "require: no module '%s' in the script "
			  "directories", name);
}

void kpi_require_install(lua_State *L, kpi_script *script, char *const *dirs,
			 size_t dir_count)
{
	lua_newtable(L);
	lua_rawsetp(L, LUA_REGISTRYINDEX, &kpi_modules_key);
	/* dirs belong to the set, which outlives its scripts' states. */
	lua_pushlightuserdata(L, (void *)dirs);
	lua_pushinteger(L, (lua_Integer)dir_count);
	lua_pushvalue(L, -3);				/* the env */
	lua_pushlightuserdata(L, script);	/* outlives its state's calls */
	lua_pushcclosure(L, require_call, 4);
	lua_setfield(L, -2, "require");
}
