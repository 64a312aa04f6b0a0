/*
 * test_loader.c - the real loader on the real built plugins, and its
 * refusals: a wrong ABI version, a missing entry symbol, a short ops
 * table, a file that is not a shared object, a missing plugin, a plugin of
 * the wrong kind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "harness.h"
#include "plugin/loader.h"

static loader_path path_of(const char *dir)
{
	loader_path path;
	const char *dirs[1] = { dir };

	if (loader_path_init(&path, dirs, 1) < 0)
		abort();
	return path;
}

TEST(loads_shipped_plugins)
{
	loader_path path = path_of(PEIL_BUILD_PLUGIN_DIR);
	loaded_plugin *p = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(loader_open(&path, "csv", PEIL_PLUGIN_INPUT, &p, &err), 0);
	CHECK_STR(p->plugin->name, "csv");
	CHECK(p->plugin->input->read != NULL);
	loader_close(p);
	CHECK_INT(loader_open(&path, "sqlite", PEIL_PLUGIN_STORAGE, &p, &err),
		  0);
	CHECK_STR(p->plugin->name, "sqlite");
	loader_close(p);
	CHECK_INT(loader_open(&path, "example", PEIL_PLUGIN_INPUT, &p, &err),
		  0);
	CHECK_INT(p->plugin->abi_version, PEIL_ABI_VERSION);
	loader_close(p);
	loader_path_release(&path);
}

TEST(refuses_wrong_abi_naming_both_versions)
{
	loader_path path = path_of(PEIL_TEST_PLUGIN_DIR);
	loaded_plugin *p = NULL;
	peil_error err;
	char expected[128];

	error_clear(&err);
	CHECK_INT(loader_open(&path, "wrong_abi", 0, &p, &err), -1);
	CHECK(p == NULL);
	snprintf(expected, sizeof(expected),
		 "built for Peil plugin ABI version %u; this Peil supports "
		 "version %u", PEIL_ABI_VERSION + 1, PEIL_ABI_VERSION);
	CHECK_CONTAINS(err.message, expected);
	CHECK_CONTAINS(err.file, "wrong_abi.so");
	loader_path_release(&path);
}

TEST(refuses_missing_entry_symbol)
{
	loader_path path = path_of(PEIL_TEST_PLUGIN_DIR);
	loaded_plugin *p = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(loader_open(&path, "no_entry", 0, &p, &err), -1);
	CHECK_CONTAINS(err.message, "no symbol peil_plugin_entry");
	loader_path_release(&path);
}

TEST(refuses_short_ops_table)
{
	loader_path path = path_of(PEIL_TEST_PLUGIN_DIR);
	loaded_plugin *p = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(loader_open(&path, "short_ops", PEIL_PLUGIN_STORAGE, &p,
			      &err), -1);
	CHECK_CONTAINS(err.message, "no complete storage callbacks");
	loader_path_release(&path);
}

TEST(refuses_wrong_kind)
{
	loader_path path = path_of(PEIL_BUILD_PLUGIN_DIR);
	loaded_plugin *p = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(loader_open(&path, "csv", PEIL_PLUGIN_STORAGE, &p, &err),
		  -1);
	CHECK_CONTAINS(err.message,
		       "plugin 'csv' is an input plugin, not a storage plugin");
	loader_path_release(&path);
}

TEST(refuses_non_shared_object_and_missing_plugin)
{
	char dir[256];
	char file[512];
	loader_path path;
	loaded_plugin *p = NULL;
	peil_error err;
	FILE *f;

	CHECK(mkdtemp(harness_tmp_path(dir, sizeof(dir), "peil-loader-XXXXXX")) != NULL);
	snprintf(file, sizeof(file), "%s/garbage.so", dir);
	f = fopen(file, "w");
	CHECK(f != NULL);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	path = path_of(dir);
	error_clear(&err);
	CHECK_INT(loader_open(&path, "garbage", 0, &p, &err), -1);
	CHECK_CONTAINS(err.message, "cannot load plugin:");
	CHECK_CONTAINS(err.file, "garbage.so");
	error_clear(&err);
	CHECK_INT(loader_open(&path, "nonexistent", 0, &p, &err), -1);
	CHECK_CONTAINS(err.message, "plugin 'nonexistent' not found");
	CHECK_CONTAINS(err.message, dir);
	error_clear(&err);
	CHECK_INT(loader_open(&path, "../etc/passwd", 0, &p, &err), -1);
	CHECK_CONTAINS(err.message, "is not valid");
	loader_path_release(&path);
	remove(file);
	rmdir(dir);
}

int main(void)
{
	RUN(loads_shipped_plugins);
	RUN(refuses_wrong_abi_naming_both_versions);
	RUN(refuses_missing_entry_symbol);
	RUN(refuses_short_ops_table);
	RUN(refuses_wrong_kind);
	RUN(refuses_non_shared_object_and_missing_plugin);
	return harness_done();
}
