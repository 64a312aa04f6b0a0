/*
 * loader.c - dlopen, the entry symbol, and the descriptor checks.
 *
 * The checks follow the ABI rules of peil/plugin.h: the ABI version must be
 * the one this host speaks (a mismatch names both), and the descriptor and
 * its ops table must be at least as large as the fields this host reads,
 * since a plugin's struct may be newer (larger) but never smaller.
 */
#include "plugin/loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dir.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/self_path.h"

/* The installed plugin directory relative to the installed binary's
 * (host/CMakeLists.txt), so that an install under any prefix finds its
 * own plugins and never those of another install. */
#ifndef PEIL_BINDIR_TO_PLUGINS
#define PEIL_BINDIR_TO_PLUGINS "../lib/peil/plugins"
#endif

/* The first size of each struct that this host reads in full: version 1
 * as peil/plugin.h measures it.  Later versions are optional, and only
 * store.c reads them, after checking the size. */
#define PLUGIN_V1_SIZE PEIL_PLUGIN_SIZE_V1
#define INPUT_V1_SIZE PEIL_INPUT_OPS_SIZE_V1
#define STORAGE_V1_SIZE PEIL_STORAGE_OPS_SIZE_V1

static int path_add(loader_path *path, const char *dir)
{
	char **dirs = grow_for(path->dirs, path->count, sizeof(*dirs));

	if (!dirs)
		return -1;
	path->dirs = dirs;
	dirs[path->count] = strdup(dir);
	if (!dirs[path->count])
		return -1;
	path->count++;
	return 0;
}

int loader_path_init(loader_path *path, const char *const *extra,
		     size_t extra_count)
{
	char dir[PATH_MAX];
	size_t i;

	path->count = 0;
	path->dirs = NULL;
	for (i = 0; i < extra_count; i++)
		if (path_add(path, extra[i]) < 0)
			goto oom;
	/* The build tree keeps plugins/ beside the peil binary. */
	if (self_path_beside("plugins", dir, sizeof(dir)) == 0 &&
	    path_add(path, dir) < 0)
		goto oom;
	if (self_path_beside(PEIL_BINDIR_TO_PLUGINS, dir, sizeof(dir)) == 0 &&
	    path_add(path, dir) < 0)
		goto oom;
	return 0;
oom:
	loader_path_release(path);
	return -1;
}

void loader_path_release(loader_path *path)
{
	size_t i;

	for (i = 0; i < path->count; i++)
		free(path->dirs[i]);
	free(path->dirs);
	path->dirs = NULL;
	path->count = 0;
}

static const char *kind_name(peil_plugin_kind kind)
{
	switch (kind) {
	case PEIL_PLUGIN_INPUT:
		return "an input";
	case PEIL_PLUGIN_STORAGE:
		return "a storage";
	}
	return "an unknown";
}

/* Every callback of version 1 of the table is there.  Later versions are
 * optional: store.c learns which the plugin has. */
static int storage_complete(const peil_storage_ops *o)
{
	return o->open && o->close && o->dataset_ensure && o->batch_begin &&
	       o->batch_commit && o->batch_rollback && o->record_put &&
	       o->ingest_seen && o->ingest_log && o->inputs_fingerprint &&
	       o->scan && o->run_begin && o->run_kpi_put && o->result_put &&
	       o->run_end && o->results_scan && o->runs_scan &&
	       o->run_kpis_scan && o->ingest_scan;
}

/* The checks of a descriptor; 0 when this host can use it. */
static int check_descriptor(const char *file, const peil_plugin *p,
			    peil_plugin_kind kind, peil_error *err)
{
	if (!p)
		return error_set(err, file, 0, NULL,
				 "plugin entry returned no descriptor");
	if (p->abi_version != PEIL_ABI_VERSION)
		return error_set(err, file, 0, NULL,
				 "plugin was built for Peil plugin ABI version "
				 "%u; this Peil supports version %u",
				 p->abi_version, PEIL_ABI_VERSION);
	if (p->size < PLUGIN_V1_SIZE)
		return error_set(err, file, 0, NULL,
				 "plugin descriptor has size %u, smaller than "
				 "the %zu bytes of ABI version %u",
				 p->size, (size_t)PLUGIN_V1_SIZE,
				 PEIL_ABI_VERSION);
	if (!p->name || !p->name[0])
		return error_set(err, file, 0, NULL, "plugin has no name");
	if (kind && p->kind != kind)
		return error_set(err, file, 0, NULL,
				 "plugin '%s' is %s plugin, not %s plugin",
				 p->name, kind_name(p->kind), kind_name(kind));
	switch (p->kind) {
	case PEIL_PLUGIN_INPUT:
		if (!p->input || p->input->size < INPUT_V1_SIZE ||
		    !p->input->open || !p->input->read || !p->input->close)
			return error_set(err, file, 0, NULL,
					 "input plugin '%s' has no complete "
					 "input callbacks", p->name);
		return 0;
	case PEIL_PLUGIN_STORAGE:
		if (!p->storage || p->storage->size < STORAGE_V1_SIZE ||
		    !storage_complete(p->storage))
			return error_set(err, file, 0, NULL,
					 "storage plugin '%s' has no complete "
					 "storage callbacks (its table has %u "
					 "bytes; version 1 of peil_storage_ops "
					 "needs %zu, every one set)", p->name,
					 p->storage ? p->storage->size : 0,
					 (size_t)STORAGE_V1_SIZE);
		return 0;
	}
	return error_set(err, file, 0, NULL, "plugin '%s' has unknown kind %d",
			 p->name, (int)p->kind);
}

/* A plugin runs with all of Peil's rights: refuse one that anyone could
 * replace, by writing the file or by renaming another into its directory
 * (a sticky directory such as /tmp does not stop its owner either). */
static int check_writable_by_others(const char *file, peil_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	struct stat st;

	if (stat(file, &st) < 0)
		return 0;	/* dlopen says why */
	if (st.st_mode & S_IWOTH)
		return error_set(err, file, 0, NULL,
				 "plugin file is writable by others (mode %03o):"
				 " anyone could replace its code; chmod o-w %s",
				 (unsigned)(st.st_mode & 0777), file);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1,
		 slash ? file : ".");
	if (!dir[0])
		snprintf(dir, sizeof(dir), "/");
	if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH))
		return error_set(err, file, 0, NULL,
				 "plugin directory %s is writable by others "
				 "(mode %03o): anyone could put a plugin there; "
				 "chmod o-w %s", dir,
				 (unsigned)(st.st_mode & 0777), dir);
	return 0;
}

#if UINTPTR_MAX > 0xffffffffu
typedef Elf64_Ehdr elf_header;
typedef Elf64_Phdr elf_segment;
#define ELF_NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr elf_header;
typedef Elf32_Phdr elf_segment;
#define ELF_NATIVE_CLASS ELFCLASS32
#endif

/* The bytes that the ELF headers of fd say the file has: the ends of the
 * program and section header tables and of every loaded segment; 0 when
 * the file is no ELF of this host's class (dlopen then says why). */
static uint64_t elf_extent(int fd)
{
	elf_header h;
	elf_segment seg;
	uint64_t end, i;

	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.e_ident, ELFMAG, SELFMAG) != 0 ||
	    h.e_ident[EI_CLASS] != ELF_NATIVE_CLASS)
		return 0;
	end = sizeof(h);
	if ((uint64_t)h.e_phoff + (uint64_t)h.e_phnum * h.e_phentsize > end)
		end = (uint64_t)h.e_phoff + (uint64_t)h.e_phnum * h.e_phentsize;
	if (h.e_shoff &&
	    (uint64_t)h.e_shoff + (uint64_t)h.e_shnum * h.e_shentsize > end)
		end = (uint64_t)h.e_shoff + (uint64_t)h.e_shnum * h.e_shentsize;
	if (h.e_phentsize != sizeof(seg))
		return end;
	for (i = 0; i < h.e_phnum; i++) {
		if (pread(fd, &seg, sizeof(seg),
			  (off_t)(h.e_phoff + i * sizeof(seg))) !=
		    (ssize_t)sizeof(seg))
			break;	/* beyond the end: end says so already */
		if (seg.p_type == PT_LOAD &&
		    (uint64_t)seg.p_offset + seg.p_filesz > end)
			end = (uint64_t)seg.p_offset + seg.p_filesz;
	}
	return end;
}

/* Refuse a plugin file shorter than its ELF headers say: dlopen maps it
 * and dies of SIGBUS touching a page past its end, with no word (a copy
 * cut short by a full disk). */
static int check_truncated(const char *file, peil_error *err)
{
	struct stat st;
	uint64_t want;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;	/* dlopen says why */
	want = fstat(fd, &st) == 0 ? elf_extent(fd) : 0;
	close(fd);
	if (want && want > (uint64_t)st.st_size)
		return error_set(err, file, 0, NULL,
				 "plugin file is truncated: its ELF headers "
				 "describe %llu bytes, the file has %lld; "
				 "install it again", (unsigned long long)want,
				 (long long)st.st_size);
	return 0;
}

/* Load and check one file. */
static int loader_open_file(const char *file, peil_plugin_kind kind,
		     loaded_plugin **out, peil_error *err)
{
	peil_plugin_entry_fn entry;
	loaded_plugin *loaded;
	void *handle;
	const char *why;

	*out = NULL;
	if (check_writable_by_others(file, err) < 0 ||
	    check_truncated(file, err) < 0)
		return -1;
	handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		why = dlerror();
		return error_set(err, file, 0, NULL, "cannot load plugin: %s",
				 why ? why : "unknown error");
	}
	/* The POSIX way to turn a data pointer into a function pointer. */
	*(void **)(&entry) = dlsym(handle, PEIL_PLUGIN_ENTRY_SYMBOL);
	if (!entry) {
		dlclose(handle);
		return error_set(err, file, 0, NULL,
				 "not a Peil plugin: no symbol %s",
				 PEIL_PLUGIN_ENTRY_SYMBOL);
	}
	if (check_descriptor(file, entry(), kind, err) < 0) {
		dlclose(handle);
		return -1;
	}
	loaded = calloc(1, sizeof(*loaded));
	if (loaded)
		loaded->path = strdup(file);
	if (!loaded || !loaded->path) {
		free(loaded);
		dlclose(handle);
		return error_set(err, file, 0, NULL, "out of memory");
	}
	loaded->handle = handle;
	loaded->plugin = entry();
	*out = loaded;
	return 0;
}

const char *const *loader_config_keys(const peil_plugin *plugin)
{
	if (plugin->size < PEIL_PLUGIN_SIZE_V2)
		return NULL;
	return plugin->config_keys;
}

static int name_valid(const char *name)
{
	const char *p;

	if (!name[0])
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-'))
			return 0;
	return 1;
}

int loader_open(const loader_path *path, const char *name,
		peil_plugin_kind kind, loaded_plugin **out, peil_error *err)
{
	char file[PATH_MAX];
	size_t i;

	*out = NULL;
	if (!name_valid(name))
		return error_set(err, NULL, 0, NULL,
				 "plugin name '%s' is not valid: use a-z, 0-9, "
				 "_ and -", name);
	for (i = 0; i < path->count; i++) {
		snprintf(file, sizeof(file), "%s/%s.so", path->dirs[i], name);
		if (access(file, F_OK) != 0)
			continue;
		if (loader_open_file(file, kind, out, err) < 0)
			return -1;
		if (strcmp((*out)->plugin->name, name) != 0) {
			error_set(err, file, 0, NULL,
				  "file is named for plugin '%s' but holds "
				  "plugin '%s'", name, (*out)->plugin->name);
			loader_close(*out);
			*out = NULL;
			return -1;
		}
		return 0;
	}
	{
		char dirs[1024] = "";
		size_t n = 0;

		for (i = 0; i < path->count && n < sizeof(dirs); i++)
			n += (size_t)snprintf(dirs + n, sizeof(dirs) - n,
					      "%s%s", i ? ", " : "",
					      path->dirs[i]);
		return error_set(err, NULL, 0, NULL,
				 "plugin '%s' not found: no %s.so in %s", name,
				 name, dirs);
	}
}

void loader_close(loaded_plugin *loaded)
{
	if (!loaded)
		return;
	dlclose(loaded->handle);
	free(loaded->path);
	free(loaded);
}

void loader_each(const loader_path *path,
		 void (*fn)(void *ctx, const char *file,
			    const peil_plugin *plugin, const peil_error *err),
		 void *ctx)
{
	char **seen = NULL;	/* the names listed so far: an earlier
				   directory's plugin hides a later one's */
	size_t seen_count = 0, i, j;

	for (i = 0; i < path->count; i++) {
		char **files;
		size_t count;

		if (dir_list(path->dirs[i], ".so", &files, &count) < 0)
			continue;
		for (j = 0; j < count; j++) {
			const char *name = strrchr(files[j], '/') + 1;
			loaded_plugin *loaded;
			peil_error err;
			size_t k;
			char **grown;

			for (k = 0; k < seen_count; k++)
				if (strcmp(seen[k], name) == 0)
					break;
			if (k < seen_count)
				continue;
			grown = grow_for(seen, seen_count, sizeof(*seen));
			if (grown) {
				seen = grown;
				seen[seen_count] = strdup(name);
				if (seen[seen_count])
					seen_count++;
			}
			error_clear(&err);
			if (loader_open_file(files[j], 0, &loaded, &err) < 0) {
				fn(ctx, files[j], NULL, &err);
			} else {
				fn(ctx, files[j], loaded->plugin, NULL);
				loader_close(loaded);
			}
		}
		dir_list_free(files, count);
	}
	for (i = 0; i < seen_count; i++)
		free(seen[i]);
	free(seen);
}
