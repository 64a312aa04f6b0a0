/*
 * sqlite_backup.c - a backup of the live store, and pruning old runs while
 * keeping the figures of final periods.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sqlite_store.h"

/* VACUUM INTO writes a consistent, compacted copy from a read transaction:
 * writers in WAL mode go on meanwhile, and a half-written file copy of the
 * database and its -wal file can never result.  It refuses an existing
 * non-empty file, which keeps an old backup from being overwritten. */
int store_backup(void *state, const char *path, peil_error *err)
{
	struct store *st = state;
	sqlite3_stmt *stmt;
	FILE *f;
	int rc;

	if (path == NULL || path[0] == '\0')
		return st->svc->fail(err, st->path, 0, NULL,
				     "backup needs a file name");
	f = fopen(path, "r");
	if (f != NULL) {
		fclose(f);
		return st->svc->fail(err, path, 0, NULL,
				     "the backup file exists already: give a "
				     "new name");
	}
	if (sqlite3_prepare_v2(st->db, "VACUUM INTO ?", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot back up");
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return st->svc->fail(err, path, 0, NULL, "cannot back up %s: %s",
				     st->path, sqlite3_errmsg(st->db));
	return 0;
}

static int exec_int64(struct store *st, sqlite3_stmt *stmt, int64_t value,
		      peil_error *err, const char *what)
{
	int rc;

	sqlite3_bind_int64(stmt, 1, value);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? 0 : store_fail_db(st, err, NULL, what);
}

/* temp.peil_prune_run: the runs to delete. */
static int prune_runs_note(struct store *st, const peil_prune *p,
			   peil_error *err)
{
	sqlite3_stmt *stmt;
	size_t i;
	int rc = 0;

	if (store_exec(st, err,
		       "DROP TABLE IF EXISTS temp.peil_prune_run;"
		       " CREATE TEMP TABLE peil_prune_run"
		       " (id INTEGER PRIMARY KEY)",
		       "cannot prune") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR IGNORE INTO temp.peil_prune_run"
			       " VALUES (?)", -1, &stmt, NULL) != SQLITE_OK)
		return store_fail_db(st, err, NULL, "cannot prune");
	for (i = 0; i < p->run_count && rc == 0; i++)
		rc = exec_int64(st, stmt, p->run_ids[i], err, "cannot prune");
	sqlite3_finalize(stmt);
	return rc;
}

/* temp.peil_final: the periods of those runs' figures that are final. */
static int prune_final_note(struct store *st, const peil_prune *p,
			    peil_error *err)
{
	sqlite3_stmt *read = NULL, *add = NULL;
	int step, rc = -1;

	if (store_exec(st, err,
		       "DROP TABLE IF EXISTS temp.peil_final;"
		       " CREATE TEMP TABLE peil_final"
		       " (period TEXT PRIMARY KEY)",
		       "cannot prune") < 0)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT DISTINCT period FROM peil_figures WHERE"
			       " run_id IN temp.peil_prune_run", -1, &read,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO temp.peil_final VALUES (?)",
			       -1, &add, NULL) != SQLITE_OK) {
		store_fail_db(st, err, NULL, "cannot prune");
		goto out;
	}
	while ((step = sqlite3_step(read)) == SQLITE_ROW) {
		const char *period = (const char *)sqlite3_column_text(read, 0);

		if (!p->period_final || !p->period_final(p->ctx, period))
			continue;
		sqlite3_bind_text(add, 1, period, -1, SQLITE_TRANSIENT);
		step = sqlite3_step(add);
		sqlite3_reset(add);
		if (step != SQLITE_DONE)
			break;
	}
	if (step != SQLITE_DONE) {
		store_fail_db(st, err, NULL, "cannot prune");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(read);
	sqlite3_finalize(add);
	return rc;
}

/* The latest figure of each final (kpi, period, breakdown) is kept --
 * of the runs' own figures: one of an earlier period, there only to be
 * compared with, is none of them; the other figures of the pruned runs
 * go (store_figures_prune), then the runs left without figures, with
 * their KPIs. */
int store_runs_prune(void *state, const peil_prune *prune,
		     int64_t *runs_deleted, int64_t *figures_deleted,
		     peil_error *err)
{
	struct store *st = state;

	*runs_deleted = *figures_deleted = 0;
	if (prune == NULL || (prune->run_count && prune->run_ids == NULL))
		return st->svc->fail(err, st->path, 0, NULL,
				     "runs_prune needs the runs to delete");
	if (!sqlite3_get_autocommit(st->db))
		return st->svc->fail(err, st->path, 0, NULL,
				     "runs_prune inside a batch");
	if (prune->run_count == 0)
		return 0;
	if (store_exec(st, err, "BEGIN IMMEDIATE", "cannot prune") < 0)
		return -1;
	if (prune_runs_note(st, prune, err) < 0 ||
	    prune_final_note(st, prune, err) < 0 ||
	    store_figures_prune(st, figures_deleted, err) < 0)
		goto fail;
	if (store_exec(st, err, "DELETE FROM peil_run_kpi WHERE run_id IN"
				" temp.peil_prune_run AND run_id NOT IN"
				" (SELECT run_id FROM peil_figures)",
		       "cannot prune the runs") < 0 ||
	    store_exec(st, err, "DELETE FROM peil_run WHERE id IN"
				" temp.peil_prune_run AND id NOT IN"
				" (SELECT run_id FROM peil_figures)",
		       "cannot prune the runs") < 0)
		goto fail;
	*runs_deleted = sqlite3_changes64(st->db);
	if (store_exec(st, err, "DROP TABLE temp.peil_final;"
				" DROP TABLE temp.peil_prune_run; COMMIT",
		       "cannot prune") < 0)
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	*runs_deleted = *figures_deleted = 0;
	return -1;
}
