/*
 * sqlite_stamp.c - whether something other than Peil wrote the store's
 * file since Peil last wrote it (changed_outside, ops version 19).
 *
 * A page of the database overwritten (a disk error, a copy cut short) or
 * edited with another program leaves the ingest log and the run log as
 * they were: a run that finds nothing changed would confirm figures
 * whose rows the store no longer holds, exit 0, and only a full read of
 * every row would find it.  So Peil notes beside the store, in
 * PATH.stamp, how the file looks (device, inode, size, modification
 * and change times: a write sets the change time, which no program can
 * set back) and its WAL (size and modification time, look_at): after
 * each commit of its connections and each
 * WAL checkpoint (store_stamp_refresh), and when the last Peil
 * connection of a process closes the store.  A note is written whole or
 * not at all (PATH.stamp.part renamed over the old one; the first open
 * in a process removes a .part left by a Peil killed while it wrote one,
 * and never reads it).  The first open in a
 * process compares the file with the note before SQLite touches it.
 * When they differ, or the note is missing beside a store that was
 * there, every run recorded so far is suspect: the note keeps the id of
 * the last one (after_run) from then on, and a run evaluates rather than
 * confirm such a run.  A later note never lowers it.
 *
 * So a Peil killed between two of its writes (during an evaluation, say)
 * leaves a note that still holds: the next run can confirm the last run
 * that ended.  One killed while it wrote (a commit half-way, a
 * checkpoint, the close) leaves a file the note cannot vouch for: the
 * next run evaluates.  Not seen: a change made while a Peil command has
 * the store open (between a write and its note), or in the same clock
 * tick as Peil's last write.  A reader of another process that writes
 * the WAL into the file last makes the next run evaluate when it need
 * not; so do the writes of a load under a rollback journal (no commit
 * is noted until the load ends).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_store.h"

#define STAMP_FORMAT "peil sqlite stamp 1"

/* How the store's file and its WAL look. */
struct look {
	long long dev, ino, size, mtime_ns, ctime_ns;
	long long wal_size, wal_mtime_ns;	/* -1, -1: none, or empty */
};

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* 0 with *l, or -1 when the file is not there. */
static int look_at(const char *path, struct look *l)
{
	char wal[PATH_MAX];
	struct stat sb;

	memset(l, 0, sizeof(*l));
	if (stat(path, &sb) != 0)
		return -1;
	l->dev = (long long)sb.st_dev;
	l->ino = (long long)sb.st_ino;
	l->size = (long long)sb.st_size;
	l->mtime_ns = ns(&sb.st_mtim);
	l->ctime_ns = ns(&sb.st_ctim);
	l->wal_size = l->wal_mtime_ns = -1;
	/* An empty WAL (another program's connection that did not close,
	 * say) holds no change.  Of the WAL its modification time, not its
	 * change time: SQLite run as root gives the WAL its database's
	 * owner each time a connection opens it (fchown), which moves the
	 * change time alone, so each scan of an evaluation would make a
	 * Peil killed during it look like another program's write.  A
	 * write to the WAL moves its modification time; one that set it
	 * back would have to have been made to deceive (and could as well
	 * rewrite this note). */
	if ((size_t)snprintf(wal, sizeof(wal), "%s-wal", path) < sizeof(wal) &&
	    stat(wal, &sb) == 0 && sb.st_size > 0) {
		l->wal_size = (long long)sb.st_size;
		l->wal_mtime_ns = ns(&sb.st_mtim);
	}
	return 0;
}

/* PATH.stamp, or with part PATH.stamp.part, the note being written. */
static int stamp_path(const char *path, int part, char *out, size_t size)
{
	return (size_t)snprintf(out, size, "%s.stamp%s", path,
				part ? ".part" : "") < size ? 0 : -1;
}

/* Remove PATH.stamp.part, a note that a Peil stopped while it wrote it
 * (killed between creating the file and renaming it over PATH.stamp):
 * never the note, which only PATH.stamp is.  Only that name, and only a
 * regular file there (not what a link names).  A note that another
 * process of this store is writing at this moment would be lost: its
 * rename fails, the note before it stays, and the next run evaluates
 * rather than confirm. */
static void stamp_remove_part(struct store *st)
{
	char part[PATH_MAX + 8];
	struct stat sb;

	if (stamp_path(st->path, 1, part, sizeof(part)) < 0 ||
	    lstat(part, &sb) != 0 || !S_ISREG(sb.st_mode) || unlink(part) != 0)
		return;
	st->svc->log(st->host, PEIL_LOG_INFO, "%s: removed %s, a note of "
		     "how Peil left the store that a Peil stopped while it "
		     "wrote it", st->path, part);
}

/* The note beside path: 0 with *l and *after_run, or -1 when there is
 * none that can be read. */
static int stamp_read(const char *path, struct look *l, int64_t *after_run)
{
	char file[PATH_MAX];
	long long after;
	FILE *f;
	int n;

	if (stamp_path(path, 0, file, sizeof(file)) < 0 ||
	    !(f = fopen(file, "r")))
		return -1;
	n = fscanf(f, STAMP_FORMAT " %lld %lld %lld %lld %lld %lld %lld "
		   "after_run %lld", &l->dev, &l->ino, &l->size, &l->mtime_ns,
		   &l->ctime_ns, &l->wal_size, &l->wal_mtime_ns, &after);
	fclose(f);
	if (n != 8 || after < 0)
		return -1;
	*after_run = (int64_t)after;
	return 0;
}

/* The note for the file as it is now; 0, or -1 when it could not be
 * written (nor the file looked at). */
static int stamp_write(struct store *st, int64_t after_run)
{
	char file[PATH_MAX], part[PATH_MAX + 8];
	struct look l, was;
	int64_t noted;
	FILE *f;
	int fd;

	if (look_at(st->path, &l) < 0 ||
	    stamp_path(st->path, 0, file, sizeof(file)) < 0 ||
	    stamp_path(st->path, 1, part, sizeof(part)) < 0)
		return -1;
	/* Another process's note may know of a later change. */
	if (stamp_read(st->path, &was, &noted) == 0 && noted > after_run)
		after_run = noted;
	/* Not through a link put there: only a file of Peil's own. */
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0666);
	if (fd < 0)
		return -1;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		return -1;
	}
	fprintf(f, STAMP_FORMAT " %lld %lld %lld %lld %lld %lld %lld "
		"after_run %" PRId64 "\n", l.dev, l.ino, l.size, l.mtime_ns,
		l.ctime_ns, l.wal_size, l.wal_mtime_ns, after_run);
	if (fclose(f) == 0 && rename(part, file) == 0)
		return 0;
	remove(part);
	return -1;
}

/* What the process knows of the store it has open: one store at a time
 * (the connections of store_open_another open the same path). */
static struct {
	pthread_mutex_t lock;
	char path[PATH_MAX];
	int opens;
	int suspect;		/* the first open found the note differs */
	int64_t after_run;
} seen = { PTHREAD_MUTEX_INITIALIZER, "", 0, 0, 0 };

void store_stamp_open(struct store *st, int is_new)
{
	struct look now, noted;
	int64_t after = 0;

	st->stamp = 0;
	if (st->read_only)
		return;
	pthread_mutex_lock(&seen.lock);
	if (seen.opens > 0 && strcmp(seen.path, st->path) != 0) {
		pthread_mutex_unlock(&seen.lock);
		return;		/* another store: not vouched for */
	}
	if (seen.opens == 0) {
		stamp_remove_part(st);
		snprintf(seen.path, sizeof(seen.path), "%s", st->path);
		seen.suspect = 0;
		seen.after_run = 0;
		/* A new store has no runs; a note beside it is another's. */
		if (!is_new && stamp_read(st->path, &noted, &after) == 0) {
			seen.after_run = after;
			seen.suspect = look_at(st->path, &now) < 0 ||
				       memcmp(&now, &noted, sizeof(now)) != 0;
		} else {
			seen.suspect = !is_new;
		}
	}
	seen.opens++;
	st->stamp = 1;
	pthread_mutex_unlock(&seen.lock);
}

int store_stamp_settle(struct store *st, peil_error *err)
{
	int64_t last = 0;
	int found, rc = 0;

	if (!st->stamp)
		return 0;
	pthread_mutex_lock(&seen.lock);
	if (seen.suspect) {
		rc = store_query_int64(st, "SELECT coalesce(max(id), 0) FROM "
				       "peil_run", 0, 0, &last, &found, err,
				       "cannot read the runs");
		if (rc == 0) {
			if (last > seen.after_run)
				seen.after_run = last;
			seen.suspect = 0;
		}
	}
	pthread_mutex_unlock(&seen.lock);
	return rc;
}

void store_stamp_refresh(struct store *st)
{
	struct stat sb;

	if (!st->stamp)
		return;
	pthread_mutex_lock(&seen.lock);
	/* Only the file opened: a note for another would vouch for it.  A
	 * note not written leaves the one before, which no longer holds:
	 * the next run evaluates (and the close says why). */
	if (seen.opens > 0 && !seen.suspect && stat(st->path, &sb) == 0 &&
	    sb.st_dev == st->file_dev && sb.st_ino == st->file_ino)
		stamp_write(st, seen.after_run);
	pthread_mutex_unlock(&seen.lock);
}

void store_stamp_closed(struct store *st, int same_file)
{
	char file[PATH_MAX];

	pthread_mutex_lock(&seen.lock);
	if (st->stamp && --seen.opens == 0 && same_file && !seen.suspect &&
	    stamp_write(st, seen.after_run) < 0 &&
	    stamp_path(st->path, 0, file, sizeof(file)) == 0)
		st->svc->log(st->host, PEIL_LOG_WARNING, "%s: cannot write "
			     "%s: the next run evaluates rather than confirm "
			     "the last one's figures", st->path, file);
	pthread_mutex_unlock(&seen.lock);
}

int store_changed_outside(void *state, int64_t *after_run, peil_error *err)
{
	struct store *st = state;
	int found;

	if (st->stamp) {
		pthread_mutex_lock(&seen.lock);
		*after_run = seen.after_run;
		pthread_mutex_unlock(&seen.lock);
		return 0;
	}
	/* A store this process cannot vouch for: every run is suspect. */
	return store_query_int64(st, "SELECT coalesce(max(id), 0) FROM "
				 "peil_run", 0, 0, after_run, &found, err,
				 "cannot read the runs");
}
