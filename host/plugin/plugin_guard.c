/*
 * plugin_guard.c - naming the plugin that crashed (plugin_guard.h).
 *
 * The handler may only make async-signal-safe calls (POSIX.1-2008
 * 2.4.3): so the line is formatted with snprintf before the plugin is
 * called and the handler does write(2) and raise(3), nothing else.  The
 * handler is installed with SA_RESETHAND: the signal's default action is
 * back when it runs, and the raised signal, blocked while the handler
 * runs, kills the process as it returns.  A fault in another thread (the
 * store's writer, say) is not the plugin's: the armed flag is per thread.
 */
#include "plugin/plugin_guard.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The line, and its length while a call is armed; one plugin call at a
 * time reads files (the ingest's own thread), so one line suffices. */
static char crash_line[1024];
static volatile sig_atomic_t crash_length;
static _Thread_local volatile sig_atomic_t armed;
static int installed;

static void on_crash(int sig)
{
	if (armed && crash_length > 0) {
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

void plugin_guard_enter(const char *name, const char *path, const char *what)
{
	int n;

	armed = 0;	/* the line is not whole while it is written */
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
	armed = 1;
}

void plugin_guard_leave(void)
{
	armed = 0;
}
