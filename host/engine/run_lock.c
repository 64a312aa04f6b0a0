/*
 * run_lock.c - the run lock: flock with a bounded wait.
 *
 * flock has no timeout of its own; waiting with LOCK_NB in short steps
 * keeps signals and alarms out of it.  50 ms steps cost nothing beside a
 * run of minutes and let the second run start promptly after the first.
 */
#include "engine/run_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

#define LOCK_STEP_MS 50

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The pid the holder wrote, or 0. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int run_lock_take(run_lock *lock, const char *path, long wait_ms,
		  peil_error *err)
{
	long waited = 0;
	char pid[32];
	int n;

	lock->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lock->fd < 0)
		return error_set(err, path, 0, NULL,
				 "cannot open the lock file: %s",
				 strerror(errno));
	while (flock(lock->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			error_set(err, path, 0, NULL, "cannot lock: %s",
				  strerror(errno));
			run_lock_release(lock);
			return -1;
		}
		if (waited >= wait_ms) {
			long holder = holder_pid(lock->fd);

			error_set(err, path, 0, NULL,
				  "another peil (pid %ld) holds the lock; "
				  "gave up after %ld s", holder,
				  wait_ms / 1000);
			/* Not held: fd -1, so that a caller that did not
			 * get it writes nothing beside it (peil run wrote
			 * its exit code 75 over the holder's status). */
			run_lock_release(lock);
			return RUN_LOCK_BUSY;
		}
		sleep_ms(LOCK_STEP_MS);
		waited += LOCK_STEP_MS;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The pid is only for messages: failing to write it is harmless. */
	if (ftruncate(lock->fd, 0) == 0)
		n = (int)pwrite(lock->fd, pid, (size_t)n, 0);
	return 0;
}

void run_lock_release(run_lock *lock)
{
	if (lock->fd >= 0)
		close(lock->fd);	/* closing releases the flock */
	lock->fd = -1;
}
