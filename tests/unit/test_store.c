/*
 * test_store.c - the one door to the storage plugin: which versions of
 * peil_storage_ops it finds in the real sqlite plugin and in the same
 * store behind a descriptor of version 1 (tests/plugins/store_v1.c), the
 * fallbacks for what version 1 lacks, and the refusals, which name the
 * plugin, its version and the version it lacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "harness.h"
#include "plugin/host.h"
#include "plugin/store.h"

static const char *dir;	/* harness_tmp() */
static char ini[512];
static peil_host *host;	/* of the store loaded last: it borrows it */

static const peil_field fields[] = {
	{ "id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "n", PEIL_TYPE_INTEGER, 0 },
};
static const peil_schema things = { "things", 2, fields };

/* The store NAME over dir/NAME.db, loaded from both plugin directories;
 * NULL with the loader's message in *err. */
static store *load_with(const char *name, config **cfg, peil_error *err)
{
	const char *dirs[2] = { PEIL_TEST_PLUGIN_DIR, PEIL_BUILD_PLUGIN_DIR };
	loader_path path;
	store *s = NULL;
	FILE *f = fopen(ini, "w");

	if (!f)
		return NULL;
	fprintf(f, "[storage]\npath = %s/%s.db\n", dir, name);
	fclose(f);
	error_clear(err);
	if (config_load(ini, cfg, err) < 0 ||
	    loader_path_init(&path, dirs, 2) < 0)
		return NULL;
	host = host_new(*cfg, config_section_find(*cfg, "storage", NULL), name);
	if (host &&
	    store_load(&path, name, host_services(), host, &s, err) < 0) {
		host_free(host);
		host = NULL;
	}
	loader_path_release(&path);
	return s;
}

/* Free a store of load and what it borrowed. */
static void unload(store *s, config *cfg)
{
	store_free(s);
	host_free(host);
	host = NULL;
	config_free(cfg);
}

static store *load(const char *name, config **cfg)
{
	peil_error err;
	store *s = load_with(name, cfg, &err);

	if (!s)
		printf("  store_load: %s\n", err.message);
	return s;
}

TEST(the_sqlite_plugin_has_every_version)
{
	char lock[512], expected[512];
	config *cfg = NULL;
	store *s = load("sqlite", &cfg);
	peil_error err;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(store_has(s, STORE_V2_CHANGES));
	CHECK(store_has(s, STORE_V3_BULK));
	CHECK(store_has(s, STORE_V4_LOADS));
	CHECK(store_has(s, STORE_V5_LOCK_PATH));
	error_clear(&err);
	CHECK_INT(store_require(s, STORE_V2_CHANGES, "x", &err), 0);
	/* Asked before the store is opened: the file is not even made. */
	CHECK_INT(store_lock_path(s, lock, sizeof(lock), &err), 0);
	snprintf(expected, sizeof(expected), "%s/sqlite.db.lock", dir);
	CHECK_STR(lock, expected);
	snprintf(expected, sizeof(expected), "%s/sqlite.db", dir);
	CHECK(access(expected, F_OK) != 0);
	unload(s, cfg);
}

static int count_row(void *ctx, const peil_value *values)
{
	(void)values;
	(*(int *)ctx)++;
	return 0;
}

TEST(a_version_1_store_works_without_the_later_callbacks)
{
	peil_value rows[6];
	char lock[512];
	config *cfg = NULL;
	store *s = load("sqlite_v1", &cfg);
	peil_error err;
	size_t stored = 99;
	int count = 0;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!store_has(s, STORE_V2_CHANGES));
	CHECK(!store_has(s, STORE_V3_BULK));
	CHECK(!store_has(s, STORE_V4_LOADS));
	CHECK(!store_has(s, STORE_V5_LOCK_PATH));
	error_clear(&err);
	CHECK_INT(store_require(s, STORE_V2_CHANGES, "peil diff needs it",
				&err), -1);
	CHECK_STR(err.message,
		  "storage plugin 'sqlite_v1' 1.0 does not track changes, "
		  "take snapshots, back up or prune (version 2 of "
		  "peil_storage_ops); peil diff needs it");
	error_clear(&err);
	CHECK_INT(store_lock_path(s, lock, sizeof(lock), &err), -1);
	CHECK_CONTAINS(err.message, "does not suggest a lock file (version 5 "
				    "of peil_storage_ops)");

	error_clear(&err);
	CHECK_INT(store_open(s, 1, &err), 0);
	CHECK_INT(store_dataset_ensure(s, &things, &err), 0);
	/* Bulk storing becomes record_put per record; a load prepares
	 * nothing. */
	for (int i = 0; i < 3; i++) {
		static const char *ids[] = { "a", "b", "c" };

		rows[2 * i].type = PEIL_TYPE_TEXT;
		rows[2 * i].as.text = ids[i];
		rows[2 * i].len = 1;
		rows[2 * i + 1].type = PEIL_TYPE_INTEGER;
		rows[2 * i + 1].as.integer = i;
	}
	CHECK_INT(store_load_begin(s, 1 << 30, &err), 0);
	CHECK_INT(store_batch_begin(s, &err), 0);
	CHECK_INT(store_records_put(s, &things, rows, 3, &stored, &err), 0);
	CHECK_INT(stored, 3);
	CHECK_INT(store_batch_commit(s, &err), 0);
	store_load_end(s);
	CHECK_INT(store_scan(s, &things, NULL, NULL, 0, count_row, &count,
			     &err), 0);
	CHECK_INT(count, 3);

	/* What needs version 2 fails, and says why. */
	error_clear(&err);
	CHECK_INT(store_backup(s, "/nonexistent/backup.db", &err), -1);
	CHECK_CONTAINS(err.message, "(version 2 of peil_storage_ops); backup "
				    "needs it");
	error_clear(&err);
	CHECK_INT(store_snapshot_begin(s, &things, &err), -1);
	CHECK_CONTAINS(err.message, "version 2 of peil_storage_ops");
	unload(s, cfg);
}

TEST(a_second_connection_shares_the_plugin)
{
	config *cfg = NULL;
	store *s = load("sqlite", &cfg), *another;
	peil_error err;
	int count = 0;

	CHECK(s != NULL);
	if (!s)
		return;
	error_clear(&err);
	CHECK_INT(store_open(s, 1, &err), 0);
	CHECK_INT(store_dataset_ensure(s, &things, &err), 0);
	another = store_open_another(s, &err);
	CHECK(another != NULL);
	CHECK(store_plugin(another) == store_plugin(s));
	CHECK(store_has(another, STORE_V3_BULK));
	if (another)
		CHECK_INT(store_scan(another, &things, NULL, NULL, 0, count_row,
				     &count, &err), 0);
	store_free(another);	/* closes its state only */
	CHECK_INT(store_scan(s, &things, NULL, NULL, 0, count_row, &count,
			     &err), 0);
	unload(s, cfg);
}

/* The store NAME, made by an open that creates it, and loaded again,
 * not opened: NULL, saying why, when that fails. */
static store *made(const char *name, config **cfg)
{
	store *s = load(name, cfg);
	peil_error err;

	error_clear(&err);
	if (!s || store_open(s, STORE_OPEN_CREATE, &err) < 0) {
		printf("  %s not made: %s\n", name, err.message);
		if (s)
			unload(s, *cfg);
		return NULL;
	}
	unload(s, *cfg);
	return load(name, cfg);
}

/* Version 14: a command that only reads opens the store with
 * open_reader, and a writer takes the store's own lock; a store without
 * it is opened by open_existing, and has no lock but the file. */
TEST(readers_and_the_store_lock_go_through_version_14)
{
	config *cfg = NULL;
	store *s = made("sqlite_v14", &cfg);
	peil_error err;

	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(store_has(s, STORE_V14_READERS));
	CHECK(!store_has(s, STORE_V5_LOCK_PATH));
	error_clear(&err);
	CHECK_INT(store_open(s, STORE_OPEN_READER, &err), -1);
	CHECK_STR(err.message, "open_reader was called");
	error_clear(&err);
	CHECK_INT(store_open(s, STORE_OPEN_EXISTING, &err), 0);
	error_clear(&err);
	CHECK_INT(store_lock(s, 1500, &err), PEIL_STORE_LOCK_BUSY);
	CHECK_STR(err.message, "another peil holds the lock; waited 1500 ms");
	unload(s, cfg);

	/* Without version 14: open_existing for a reader, no lock. */
	s = made("sqlite", &cfg);
	CHECK(s != NULL);
	if (!s)
		return;
	CHECK(!store_has(s, STORE_V14_READERS));
	error_clear(&err);
	CHECK_INT(store_open(s, STORE_OPEN_READER, &err), 0);
	CHECK_INT(store_lock(s, 0, &err), 0);
	unload(s, cfg);
}

TEST(a_table_short_of_version_1_is_refused)
{
	config *cfg = NULL;
	peil_error err;
	store *s = load_with("sqlite_short", &cfg, &err);

	CHECK(s == NULL);
	CHECK_CONTAINS(err.message, "storage plugin 'sqlite_short' has no "
				    "complete storage callbacks");
	CHECK_CONTAINS(err.message, "version 1 of peil_storage_ops needs");
	unload(s, cfg);
}

int main(void)
{
	dir = harness_tmp();
	harness_tmp_path(ini, sizeof(ini), "peil.ini");
	RUN(the_sqlite_plugin_has_every_version);
	RUN(a_version_1_store_works_without_the_later_callbacks);
	RUN(a_second_connection_shares_the_plugin);
	RUN(a_table_short_of_version_1_is_refused);
	RUN(readers_and_the_store_lock_go_through_version_14);
	return harness_done();
}
