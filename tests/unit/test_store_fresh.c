/*
 * test_store_fresh.c - records_put of the sqlite store tries a block of
 * records as a plain insert first (sqlite_dataset.c: put_fresh): a block
 * of new keys keeps no statement journal, and a block that is not all new
 * ends as the upsert alone leaves it: the last record of a key given
 * twice, a stored row changed in the change log, one repeated unchanged
 * left alone.
 *
 * The statement journal is seen through a VFS registered as the default
 * in front of SQLite's own, which the plugin's connection then uses: it
 * counts the files opened as statement journals (SQLITE_OPEN_SUBJOURNAL;
 * with 64 KiB pages SQLite moves a journal to a file at its first page).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "base/error.h"
#include "harness.h"
#include "plugin/host.h"
#include "plugin/store.h"

static const char *dir;	/* harness_tmp() */
static char ini[512], db_path[512];

static sqlite3_vfs *real_vfs;
static sqlite3_vfs counting_vfs;
static int journal_opens;	/* statement journals opened */
static int put_journals;	/* of them by the last put_batch's records_put */

static int counting_open(sqlite3_vfs *vfs, const char *name,
			 sqlite3_file *file, int flags, int *out_flags)
{
	(void)vfs;
	if (flags & SQLITE_OPEN_SUBJOURNAL)
		journal_opens++;
	return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
}

static void counting_vfs_register(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	counting_vfs = *real_vfs;
	counting_vfs.pNext = NULL;
	counting_vfs.zName = "peil-test-counting";
	counting_vfs.xOpen = counting_open;
	sqlite3_vfs_register(&counting_vfs, 1);
}

static const peil_field fields[] = {
	{ "id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "n", PEIL_TYPE_INTEGER, 0 },
};
static const peil_schema cases = { "cases", 3, fields };

#define BLOCK 512	/* two statements of STORE_PUT_ROWS */

/* The records of one records_put: the keys, teams and numbers given. */
struct block {
	char ids[BLOCK][16];
	peil_value values[BLOCK * 3];
	size_t count;
};

static void block_add(struct block *b, const char *id, const char *team,
		      long long n)
{
	peil_value *v = &b->values[b->count * 3];

	snprintf(b->ids[b->count], sizeof(b->ids[0]), "%s", id);
	v[0].type = PEIL_TYPE_TEXT;
	v[0].as.text = b->ids[b->count];
	v[0].len = strlen(id);
	v[1].type = PEIL_TYPE_TEXT;
	v[1].as.text = team;
	v[1].len = strlen(team);
	v[2].type = PEIL_TYPE_INTEGER;
	v[2].as.integer = n;
	b->count++;
}

/* records_put of b in a batch of its own, logged as an ingest (the
 * change log keys on its id): 0, or -1 saying why. */
static int put_batch(store *s, struct block *b)
{
	peil_ingest_entry entry;
	peil_error err;
	size_t stored = 0;

	memset(&entry, 0, sizeof(entry));
	entry.source = "cases";
	entry.dataset = "cases";
	entry.path = "export.csv";
	entry.sha256 = "0000";
	entry.settings_sha256 = "0000";
	entry.rows = (int64_t)b->count;
	error_clear(&err);
	if (store_batch_begin(s, &err) < 0)
		return -1;
	journal_opens = 0;
	if (store_records_put(s, &cases, b->values, b->count, &stored,
			      &err) < 0)
		return -1;
	put_journals = journal_opens;
	if (store_ingest_log(s, &entry, &err) < 0 ||
	    store_batch_commit(s, &err) < 0) {
		printf("  records_put: %s\n", err.message);
		return -1;
	}
	return stored == b->count ? 0 : -1;
}

/* The one value of a query over the store's file, as text. */
static void query(const char *sql, char *out, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt = NULL;

	out[0] = '\0';
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0))
		snprintf(out, size, "%s", sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
}

#define CHECK_QUERY(sql, expected)                                         \
	do {                                                               \
		char got[256];                                             \
		query(sql, got, sizeof(got));                              \
		CHECK_STR(got, expected);                                  \
	} while (0)

TEST(new_keys_keep_no_statement_journal_and_the_rest_ends_as_upserted)
{
	const char *dirs[1] = { PEIL_BUILD_PLUGIN_DIR };
	static struct block b;
	loader_path path;
	config *cfg = NULL;
	peil_host *host = NULL;
	store *s = NULL;
	peil_error err;
	char id[16];
	FILE *f = fopen(ini, "w");
	int i;

	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "[storage]\npath = %s\n", db_path);
	fclose(f);
	error_clear(&err);
	CHECK_INT(config_load(ini, &cfg, &err), 0);
	CHECK_INT(loader_path_init(&path, dirs, 1), 0);
	host = host_new(cfg, config_section_find(cfg, "storage", NULL),
			"sqlite");
	CHECK_INT(store_load(&path, "sqlite", host_services(), host, &s,
			     &err), 0);
	loader_path_release(&path);
	if (!s) {
		printf("  store_load: %s\n", err.message);
		goto out;
	}
	CHECK_INT(store_open(s, STORE_OPEN_CREATE, &err), 0);
	CHECK_INT(store_dataset_ensure(s, &cases, &err), 0);

	/* One record first: the first records_put of a dataset sets up its
	 * statements and the change log's TEMP trigger, which keeps a
	 * journal of its own, once. */
	memset(&b, 0, sizeof(b));
	block_add(&b, "a0000", "Noord", 0);
	CHECK_INT(put_batch(s, &b), 0);

	/* 512 new keys: two inserts, no journal (the upsert kept one for
	 * the statements that changed the table's page of a0000). */
	memset(&b, 0, sizeof(b));
	for (i = 0; i < BLOCK; i++) {
		snprintf(id, sizeof(id), "k%04d", i);
		block_add(&b, id, "Noord", i);
	}
	CHECK_INT(put_batch(s, &b), 0);
	CHECK_INT(put_journals, 0);

	/* Stored keys again, k0300 with another team, then new keys with
	 * d0007 twice: the later record is the one stored. */
	memset(&b, 0, sizeof(b));
	for (i = 256; i < 512; i++) {
		snprintf(id, sizeof(id), "k%04d", i);
		block_add(&b, id, i == 300 ? "Zuid" : "Noord", i);
	}
	for (i = 0; i < 256; i++) {
		snprintf(id, sizeof(id), "d%04d", i);
		block_add(&b, id, "Oost", i);
	}
	b.count--;	/* d0255 gives way to d0007 again */
	block_add(&b, "d0007", "West", 999);
	CHECK_INT(put_batch(s, &b), 0);
	/* A block of all new keys after the one that was not. */
	memset(&b, 0, sizeof(b));
	for (i = 0; i < BLOCK; i++) {
		snprintf(id, sizeof(id), "e%04d", i);
		block_add(&b, id, "Oost", 2 * i);
	}
	CHECK_INT(put_batch(s, &b), 0);
	store_free(s);	/* closes it */
	s = NULL;

	/* a0000, 512 k, 255 d (d0255 never given), 512 e */
	CHECK_QUERY("SELECT count(*) FROM ds_cases", "1280");
	CHECK_QUERY("SELECT team || ' ' || n FROM ds_cases WHERE id = 'd0007'",
		    "West 999");
	CHECK_QUERY("SELECT team || ' ' || n FROM ds_cases WHERE id = 'k0300'",
		    "Zuid 300");
	/* sums by hand: k 0..511 = 130816, d 0..254 less 7 plus 999 =
	 * 32385 - 7 + 999 = 33377, e 2 * (0..511) = 261632 */
	CHECK_QUERY("SELECT sum(n) FROM ds_cases WHERE id LIKE 'k%'",
		    "130816");
	CHECK_QUERY("SELECT sum(n) FROM ds_cases WHERE id LIKE 'd%'", "33377");
	CHECK_QUERY("SELECT sum(n) FROM ds_cases WHERE id LIKE 'e%'",
		    "261632");
	/* The third batch changed one stored row, and added the d rows
	 * (their column, not the log); the fourth added the e rows. */
	CHECK_QUERY("SELECT group_concat(ingest_id || ' ' || key || ' ' || "
		    "kind, ', ') FROM peil_change",
		    "3 k0300 changed");
	CHECK_QUERY("SELECT group_concat(\"peil.added\" || ':' || c, ' ') "
		    "FROM (SELECT \"peil.added\", count(*) AS c FROM "
		    "ds_cases GROUP BY 1 ORDER BY 1)",
		    "1:1 2:512 3:255 4:512");
out:
	store_free(s);
	host_free(host);
	config_free(cfg);
}

int main(void)
{
	counting_vfs_register();
	dir = harness_tmp();
	harness_tmp_path(ini, sizeof(ini), "peil.ini");
	harness_tmp_path(db_path, sizeof(db_path), "fresh.db");
	RUN(new_keys_keep_no_statement_journal_and_the_rest_ends_as_upserted);
	return harness_done();
}
