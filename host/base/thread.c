/*
 * thread.c - the host's helper threads (thread.h).
 */
#include "base/thread.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>

/* Set in every thread that thread_start started, before its function
 * runs; read by the plugin guard's signal handler (a plain load of a
 * thread-local of the executable: async-signal-safe). */
static _Thread_local volatile sig_atomic_t started_by_host;

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *host_thread(void *arg)
{
	struct start start = *(struct start *)arg;

	free(arg);
	started_by_host = 1;
	return start.fn(start.arg);
}

int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	struct start *start = malloc(sizeof(*start));
	sigset_t all, old;
	int rc;

	if (start == NULL)
		return ENOMEM;
	start->fn = fn;
	start->arg = arg;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, host_thread, start);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		free(start);
	return rc;
}

int thread_is_host_started(void)
{
	return started_by_host != 0;
}
