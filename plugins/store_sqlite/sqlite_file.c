/*
 * sqlite_file.c - the store's file: whether it is there before a command
 * that must not create it opens it, and whether it is still the file that
 * was opened when a batch or a run is committed.
 *
 * SQLite keeps writing to the inode it opened: a database deleted during
 * an evaluation took the run's figures with it while the command said ok,
 * and one replaced by another file (a restore, an operator's mv) got the
 * run's WAL frames, which belong to the old file, and was corrupted.
 * The device and inode at open are compared with the path's
 * at each commit; a commit to a file that is no longer the store fails.
 *
 * The WAL is paired with its database by name alone: the old store's
 * WAL, left at the path because SQLite will not checkpoint into a file
 * that moved (SQLITE_READONLY_DBMOVED), made the file moved in
 * "malformed" at its next open (tests/e2e/cases_store.sh).  A store that
 * finds at its close that its file moved removes the WAL and shared-memory
 * files at the path, but only those it had open itself (same inode).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_store.h"

int store_file_check_existing(const peil_services *svc, const char *path,
			      peil_error *err)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			return svc->fail(err, path, 0, NULL,
					 "no store at %s: only peil ingest and "
					 "peil run create one (is [storage] "
					 "path right?)", path);
		return svc->fail(err, path, 0, NULL, "cannot open the store "
				 "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return svc->fail(err, path, 0, NULL, "the store %s is not a "
				 "regular file", path);
	if (sb.st_size == 0)
		return svc->fail(err, path, 0, NULL, "the store %s is empty "
				 "(0 bytes): it holds no Peil store; only peil "
				 "ingest and peil run create one", path);
	return 0;
}

int store_file_schema_less(struct store *st, int version, peil_error *err)
{
	if (version != 0)
		return 0;
	return st->svc->fail(err, st->path, 0, NULL, "%s holds no Peil store "
			     "(no schema version): only peil ingest and peil "
			     "run create one", st->path);
}

int store_file_remember(struct store *st, peil_error *err)
{
	struct stat sb;

	if (stat(st->path, &sb) < 0)
		return st->svc->fail(err, st->path, 0, NULL, "the store %s "
				     "went away as it was opened: %s",
				     st->path, strerror(errno));
	st->file_dev = sb.st_dev;
	st->file_ino = sb.st_ino;
	store_file_note_wal(st);
	return 0;
}

/* path + suffix into out; 0, or -1 when it does not fit. */
static int side_path(const struct store *st, const char *suffix, char *out,
		     size_t size)
{
	return (size_t)snprintf(out, size, "%s%s", st->path, suffix) < size
		       ? 0 : -1;
}

void store_file_note_wal(struct store *st)
{
	static const char *const suffix[2] = { "-wal", "-shm" };
	char side[4096];
	struct stat sb;
	int i;

	for (i = 0; i < 2; i++) {
		st->side_ino[i] = 0;
		if (side_path(st, suffix[i], side, sizeof(side)) == 0 &&
		    stat(side, &sb) == 0 && sb.st_dev == st->file_dev)
			st->side_ino[i] = sb.st_ino;
	}
}

int store_file_closed(struct store *st)
{
	static const char *const suffix[2] = { "-wal", "-shm" };
	char side[4096];
	struct stat sb;
	int i;

	if (stat(st->path, &sb) == 0 && sb.st_dev == st->file_dev &&
	    sb.st_ino == st->file_ino)
		return 1;	/* still the store: SQLite cleaned up */
	for (i = 0; i < 2; i++)
		if (st->side_ino[i] &&
		    side_path(st, suffix[i], side, sizeof(side)) == 0 &&
		    stat(side, &sb) == 0 && sb.st_dev == st->file_dev &&
		    sb.st_ino == st->side_ino[i])
			unlink(side);
	return 0;
}

int store_file_same(struct store *st, const char *what, peil_error *err)
{
	struct stat sb;

	if (stat(st->path, &sb) < 0)
		return st->svc->fail(err, st->path, 0, NULL, "%s: the store %s "
				     "was removed since it was opened (%s)",
				     what, st->path, strerror(errno));
	if (sb.st_dev != st->file_dev || sb.st_ino != st->file_ino)
		return st->svc->fail(err, st->path, 0, NULL, "%s: the store %s "
				     "was replaced by another file since it "
				     "was opened", what, st->path);
	store_file_note_wal(st);	/* a load may have made a new WAL */
	return 0;
}
