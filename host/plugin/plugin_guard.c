/*
 * plugin_guard.c - naming the plugin that crashed (plugin_guard.h).
 *
 * The handler may only make async-signal-safe calls (POSIX.1-2008
 * 2.4.3): so the line is formatted with snprintf before the plugin is
 * called and the handler does write(2) and raise(3), nothing else; the
 * list of threads it compares with is read before the call too.  The
 * handler is installed with SA_RESETHAND: the signal's default action is
 * back when it runs, and the raised signal, blocked while the handler
 * runs, kills the process as it returns.
 *
 * Whose fault it is: the thread that armed the guard is in the plugin's
 * call.  Any other thread is the plugin's too, while a call is armed,
 * unless the host started it (thread_start marks it) or it was already
 * running when the call was armed (the store's checkpointer, say, which
 * the sqlite plugin starts while the store is opened): then it is a
 * thread that the plugin's call did not start.  Threads are told apart
 * by their kernel id (Linux: /proc/self/task lists them); where that list
 * cannot be read, only the arming thread's faults are named.
 */
#define _GNU_SOURCE	/* gettid (glibc 2.30) */
#include "plugin/plugin_guard.h"

#include "base/thread.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Threads running when a call was armed; more than this (a host with
 * many threads) and only the arming thread's faults are named. */
#define MAX_THREADS 256

/* The line, and its length while a call is armed; one plugin call at a
 * time reads files (the ingest's own thread), so one line suffices. */
static char crash_line[1024];
static volatile sig_atomic_t crash_length;
static _Thread_local volatile sig_atomic_t armed;
static volatile sig_atomic_t armed_anywhere;
static pid_t before[MAX_THREADS];	/* the threads running at enter */
static volatile sig_atomic_t before_count = -1;	/* -1: not known */
static int installed;

/* Whether a fault in this thread, while a call is armed in another, is
 * the plugin's: a thread neither the host started nor already running. */
static int started_by_call(void)
{
	pid_t self;
	sig_atomic_t i, n = before_count;

	if (n < 0 || thread_is_host_started())
		return 0;
	self = gettid();
	for (i = 0; i < n; i++)
		if (before[i] == self)
			return 0;
	return 1;
}

static void on_crash(int sig)
{
	if (crash_length > 0 &&
	    (armed || (armed_anywhere && started_by_call()))) {
		ssize_t n = write(STDERR_FILENO, crash_line,
				  (size_t)crash_length);

		(void)n;	/* nothing to do about a failed write here */
	}
	raise(sig);	/* the default action, once this handler returns */
}

int plugin_guard_install(void)
{
	static const int signals[] = { SIGSEGV, SIGBUS };
	struct sigaction sa;
	size_t i;

	if (installed)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (sigaction(signals[i], &sa, NULL) < 0)
			return -1;
	installed = 1;
	return 0;
}

/* The threads of the process now, into before[]; -1 when not known. */
static sig_atomic_t list_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	sig_atomic_t n = 0;

	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		if (n == MAX_THREADS) {
			n = -1;
			break;
		}
		before[n++] = (pid_t)atol(e->d_name);
	}
	closedir(dir);
	return n;
}

void plugin_guard_enter(const char *name, const char *path, const char *what)
{
	int n;

	armed = 0;	/* the line is not whole while it is written */
	armed_anywhere = 0;
	n = snprintf(crash_line, sizeof(crash_line),
		     "peil: crashed in plugin %s (%s) while %s\n", name,
		     path, what);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(crash_line)) {	/* cut, but a whole line */
		n = (int)sizeof(crash_line) - 1;
		crash_line[n - 1] = '\n';
	}
	crash_length = n;
	before_count = -1;
	before_count = list_threads();
	armed = 1;
	armed_anywhere = 1;
}

void plugin_guard_leave(void)
{
	armed_anywhere = 0;
	armed = 0;
}
