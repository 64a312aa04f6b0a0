/*
 * xlsx_thread.c - the plugin's own threads (xlsx_thread.h).
 */
#include "xlsx_thread.h"

#include <signal.h>

int xlsx_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t mask, old;
	int rc;

	sigfillset(&mask);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}
