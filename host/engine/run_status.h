/*
 * run_status.h - the outcome of the last scheduled peil run, for a
 * monitoring check (peil status): the run as the store recorded it, the
 * exit code peil run left beside its lock, and the verdict by the
 * Nagios/Icinga plugin conventions.
 */
#ifndef PEIL_RUN_STATUS_H
#define PEIL_RUN_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "peil/plugin.h"

/* The Nagios/Icinga plugin exit codes, worst last but UNKNOWN. */
typedef enum run_status_state {
	RUN_STATUS_OK = 0,
	RUN_STATUS_WARNING = 1,
	RUN_STATUS_CRITICAL = 2,
	RUN_STATUS_UNKNOWN = 3
} run_status_state;

/* The outcome of the last peil run that held the run lock, in the file
 * lock_path + ".status": "running STARTED" from the moment it took the
 * lock (run_status_begin), then "RUN_ID EXIT_CODE ENDED" (RUN_ID 0 when
 * it recorded no run).  Written in place, padded to one width, so that a
 * full disk does not refuse it; when it cannot be written the file is
 * removed, so that no older outcome stands for the run.  Call both
 * holding the lock, so that two runs never write it at once.  0, or -1
 * with err (the run's own exit code stands). */
int run_status_begin(const char *lock_path, int64_t started,
		     peil_error *err);
int run_status_write(const char *lock_path, int64_t run_id, int exit_code,
		     int64_t ended, peil_error *err);

typedef struct run_status_exit {
	int64_t run_id;
	int exit_code;
	int64_t ended;		/* when running: when it began */
	int running;		/* "running STARTED": begun, no exit code */
} run_status_exit;

/* Read that file into out: 0; -1 when it is missing or not of that
 * form. */
int run_status_read(const char *lock_path, run_status_exit *out);

/* What became of a run whose record says status: a record still
 * "running" is "killed" when no peil holds the run lock (lock_held 0:
 * its peil ended without recording the end), "running" when one does;
 * any other status, or one whose lock cannot be probed (lock_held < 0),
 * is the record's own word.  peil status and peil runs both say it. */
const char *run_status_word(const char *status, int lock_held);

/* What the check knows. */
typedef struct run_status_facts {
	int has_run;		/* the store recorded a run of kind "run" */
	int64_t run_id;
	const char *status;	/* "ok", "kpi failed", "failed", ... */
	int64_t started, ended;	/* ended 0 while running */
	int lock_held;		/* a peil holds the run lock now */
	int has_exit;		/* the .status file was read */
	run_status_exit exit;
	int64_t now;
	int64_t max_age;	/* seconds; 0: no limit */
} run_status_facts;

/* The verdict: CRITICAL when the last run failed, was interrupted (or
 * killed: it never ended and nobody holds the lock; or the file says it
 * began and nobody holds the lock), exited with another code than 0, 1,
 * 2 and 5, or is older than max_age; WARNING when it exited 1, 2 or 5;
 * UNKNOWN when there is no run, or when the store's newest run ended
 * well but its exit code was not kept (never OK for a run whose end the
 * check has not seen); OK otherwise.  A line saying why goes into why;
 * *age (seconds since the last run ended or started, -1 without a run)
 * for the perfdata; *about_run is 1 when the verdict is about the store's
 * run (its duration and failed KPIs then belong to the line), 0 when it
 * is about an invocation that recorded none. */
run_status_state run_status_judge(const run_status_facts *f, char *why,
				  size_t size, int64_t *age, int *about_run);

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN". */
const char *run_status_name(run_status_state state);

#endif
