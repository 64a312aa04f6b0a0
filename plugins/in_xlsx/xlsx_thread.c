/*
 * xlsx_thread.c - the plugin's own threads (xlsx_thread.h).
 */
#define _GNU_SOURCE	/* pthread_setname_np */
#include "xlsx_thread.h"

#include <signal.h>

int xlsx_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
		      const char *name)
{
	sigset_t mask, old;
	int rc;

	sigfillset(&mask);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		(void)pthread_setname_np(*thread, name);	/* a name only */
	return rc;
}
