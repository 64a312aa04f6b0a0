/*
 * loader.h - finding, loading and checking plugins.
 *
 * A plugin NAME is the file NAME.so in the first directory of the search
 * path that has one.  It is loaded with RTLD_NOW | RTLD_LOCAL, so that an
 * unresolved symbol fails here and two plugins never see each other's
 * symbols, and its descriptor is checked before anything of it is called.
 */
#ifndef PEIL_LOADER_H
#define PEIL_LOADER_H

#include <stddef.h>

#include "peil/plugin.h"

/* The plugin's config keys, or NULL when it does not declare them. */
const char *const *loader_config_keys(const peil_plugin *plugin);

typedef struct loaded_plugin {
	void *handle;
	const peil_plugin *plugin;
	char *path;
} loaded_plugin;

/* The search path: extra directories (the config's plugin_dirs, already
 * resolved), then "plugins" beside the running binary (the build tree),
 * then the installed plugin directory relative to the binary's. */
typedef struct loader_path {
	size_t count;
	char **dirs;
} loader_path;

/* Fill path; 0 on success, -1 when out of memory.  Release with
 * loader_path_release. */
int loader_path_init(loader_path *path, const char *const *extra,
		     size_t extra_count);
void loader_path_release(loader_path *path);

/* Load the plugin NAME of the given kind (0: any kind).  0 on success with
 * *out set (close with loader_close); -1 with err naming the plugin, the
 * file and the loader's message. */
int loader_open(const loader_path *path, const char *name,
		peil_plugin_kind kind, loaded_plugin **out, peil_error *err);

void loader_close(loaded_plugin *loaded);	/* accepts NULL */

/* Call fn for each loadable plugin on the path (the first file of a name
 * wins); files that fail to load are reported through fn with plugin NULL
 * and err set. */
void loader_each(const loader_path *path,
		 void (*fn)(void *ctx, const char *file,
			    const peil_plugin *plugin, const peil_error *err),
		 void *ctx);

#endif
