/*
 * run_status.c - the last scheduled run's outcome and its verdict
 * (run_status.h).
 *
 * The store records a run's status but not peil run's exit code: rows
 * rejected by the ingest (2) and a final figure that changed (5) are
 * found after the run is recorded, and a run stopped before it recorded
 * anything (a config error after the lock, say) leaves no row.  So peil
 * run keeps its exit code beside the lock, and the check reads both.
 */
#include "engine/run_status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"

/* The width every record is padded to: a record never outgrows the
 * file's first one. */
#define STATUS_RECORD_SIZE 48

/* Put text in the file lock_path + ".status" in place.  Not a new file
 * renamed over it: a full disk refuses a new file's first block, and
 * then peil status read the healthy outcome of the run before
 * (tests/e2e/cases_lifecycle.sh); overwriting the bytes of the file that
 * is there needs no new block.  When even that fails, the file is
 * removed, so that no older outcome stands for this run. */
static int status_put(const char *lock_path, const char *text,
		      peil_error *err)
{
	char path[4096], record[STATUS_RECORD_SIZE + 1];
	int fd, failed;

	if (snprintf(path, sizeof(path), "%s.status", lock_path) >=
	    (int)sizeof(path))
		return error_set(err, lock_path, 0, NULL, "path too long");
	snprintf(record, sizeof(record), "%-*s\n", STATUS_RECORD_SIZE - 1,
		 text);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	failed = fd < 0 ||
		 pwrite(fd, record, STATUS_RECORD_SIZE, 0) !=
			 STATUS_RECORD_SIZE ||
		 ftruncate(fd, STATUS_RECORD_SIZE) != 0;
	if (fd >= 0 && close(fd) != 0)
		failed = 1;
	if (failed) {
		int saved = errno;

		unlink(path);
		return error_set(err, path, 0, NULL, "cannot write the run's "
				 "exit code: %s (removed the file: peil "
				 "status cannot vouch for this run)",
				 strerror(saved));
	}
	return 0;
}

int run_status_begin(const char *lock_path, int64_t started,
		     peil_error *err)
{
	char text[64];

	snprintf(text, sizeof(text), "running %" PRId64, started);
	return status_put(lock_path, text, err);
}

int run_status_write(const char *lock_path, int64_t run_id, int exit_code,
		     int64_t ended, peil_error *err)
{
	char text[80];

	snprintf(text, sizeof(text), "%" PRId64 " %d %" PRId64, run_id,
		 exit_code, ended);
	return status_put(lock_path, text, err);
}

int run_status_read(const char *lock_path, run_status_exit *out)
{
	char path[4096], line[STATUS_RECORD_SIZE + 16], extra;
	long long id, ended;
	FILE *f;
	int code, n;

	memset(out, 0, sizeof(*out));
	if (snprintf(path, sizeof(path), "%s.status", lock_path) >=
	    (int)sizeof(path))
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fgets(line, sizeof(line), f) ? 0 : -1;
	fclose(f);
	if (n < 0)
		return -1;
	if (sscanf(line, "running %lld %c", &ended, &extra) == 1 &&
	    ended > 0) {
		out->running = 1;
		out->ended = ended;	/* when it began */
		return 0;
	}
	n = sscanf(line, "%lld %d %lld %c", &id, &code, &ended, &extra);
	if (n != 3 || id < 0 || code < 0 || code > 255 || ended <= 0)
		return -1;
	out->run_id = id;
	out->exit_code = code;
	out->ended = ended;
	return 0;
}

const char *run_status_name(run_status_state state)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
					     "UNKNOWN" };

	return names[state];
}

/* The verdict of peil run's exit code (README's table). */
static run_status_state exit_state(int code)
{
	if (code == 0)
		return RUN_STATUS_OK;
	if (code == 1 || code == 2 || code == 5)
		return RUN_STATUS_WARNING;
	return RUN_STATUS_CRITICAL;
}

static const char *exit_meaning(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case 1:
		return "a KPI failed";
	case 2:
		return "an input was rejected";
	case 3:
		return "configuration error";
	case 4:
		return "storage error";
	case 5:
		return "a final figure changed";
	}
	return code > 128 ? "stopped by a signal" : "failed";
}

const char *run_status_word(const char *status, int lock_held)
{
	if (strcmp(status, "running") == 0 && lock_held == 0)
		return "killed";
	return status;
}

/* The verdict on the store's newest run, with the time its age counts
 * from. */
static run_status_state judge_run(const run_status_facts *f, char *why,
				  size_t size, int64_t *when)
{
	const run_status_exit *e = &f->exit;

	if (strcmp(run_status_word(f->status, f->lock_held), "killed") == 0) {
		*when = f->started;
		snprintf(why, size, "run %" PRId64 " never ended and no peil "
			 "holds the lock: it was killed", f->run_id);
		return RUN_STATUS_CRITICAL;
	}
	if (strcmp(f->status, "running") == 0) {
		*when = f->started;
		snprintf(why, size, "run %" PRId64 " is running", f->run_id);
		return RUN_STATUS_OK;
	}
	/* "unchanged": it confirmed the figures of the run before
	 * (run_confirm.h), as good as an "ok". */
	if (strcmp(f->status, "ok") == 0 ||
	    strcmp(f->status, "unchanged") == 0 ||
	    strcmp(f->status, "kpi failed") == 0) {
		int code = e->exit_code;

		*when = f->ended;
		/* Its exit code says what the record cannot (rejected rows,
		 * a final figure changed): without it, no verdict. */
		if (!f->has_exit || e->running || e->run_id != f->run_id) {
			snprintf(why, size, "run %" PRId64 " %s, but its exit "
				 "code was not kept beside the lock",
				 f->run_id, f->status);
			return RUN_STATUS_UNKNOWN;
		}
		snprintf(why, size, "run %" PRId64 " %s, exit %d (%s)",
			 f->run_id, f->status, code, exit_meaning(code));
		return exit_state(code);
	}
	/* "failed", "interrupted", or one this host does not know. */
	*when = f->ended ? f->ended : f->started;
	snprintf(why, size, "run %" PRId64 " %s", f->run_id, f->status);
	return RUN_STATUS_CRITICAL;
}

run_status_state run_status_judge(const run_status_facts *f, char *why,
				  size_t size, int64_t *age, int *about_run)
{
	const run_status_exit *e = &f->exit;
	run_status_state state;
	int64_t when;

	*age = -1;
	*about_run = 0;
	/* The exit code of an invocation after the last recorded run: it
	 * stopped before it recorded one. */
	if (f->has_exit && e->running &&
	    !(f->has_run && strcmp(f->status, "running") == 0)) {
		/* Begun and not ended, by the file: killed before it recorded
		 * a run, or its exit code could not be written. */
		when = e->ended;
		if (f->lock_held) {
			state = RUN_STATUS_OK;
			snprintf(why, size, "a peil run is running");
		} else {
			state = RUN_STATUS_CRITICAL;
			snprintf(why, size, "the last peil run never kept its "
				 "exit code and no peil holds the lock: it was "
				 "killed, or could not write (a full disk?)");
		}
	} else if (f->has_exit && !e->running &&
		   (!f->has_run || (e->run_id != f->run_id &&
				    e->ended >= f->started))) {
		state = exit_state(e->exit_code);
		when = e->ended;
		snprintf(why, size, "the last peil run exited %d (%s) without "
			 "recording a run", e->exit_code,
			 exit_meaning(e->exit_code));
	} else if (!f->has_run) {
		snprintf(why, size, "no peil run recorded yet");
		return RUN_STATUS_UNKNOWN;
	} else {
		*about_run = 1;
		state = judge_run(f, why, size, &when);
	}
	*age = f->now - when;
	if (f->max_age && *age > f->max_age) {
		size_t n = strlen(why);

		snprintf(why + n, size - n, "; %" PRId64 " hours old, more than "
			 "--max-age %" PRId64 " hours", *age / 3600,
			 f->max_age / 3600);
		state = RUN_STATUS_CRITICAL;
	}
	return state;
}
