/*
 * run_lock.h - one writer at a time: an exclusive lock on a lock file.
 *
 * flock(2), so that the kernel releases the lock when the holder exits,
 * however it exits: a crashed run never leaves a stale lock behind.  The
 * holder writes its pid into the file, for the message of the one waiting.
 */
#ifndef PEIL_RUN_LOCK_H
#define PEIL_RUN_LOCK_H

#include "peil/plugin.h"

typedef struct run_lock {
	int fd;			/* -1 when not held */
} run_lock;

#define RUN_LOCK_BUSY 1

/* Take the lock on path (the file is created when missing), waiting up to
 * wait_ms milliseconds for another holder.  0 when taken; RUN_LOCK_BUSY
 * when another process still holds it after the wait, with err naming the
 * file and the holder's pid; -1 with err when the file cannot be opened.
 * Release with run_lock_release in every case. */
int run_lock_take(run_lock *lock, const char *path, long wait_ms,
		  peil_error *err);
void run_lock_release(run_lock *lock);	/* accepts one not held */

#endif
