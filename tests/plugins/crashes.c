/*
 * crashes.c - an input plugin that fails as a broken one does:
 * reading a file whose first line is "crash" it writes through
 * NULL; "thread" does that in a thread of its own, started and joined in
 * read as docs/plugins.md allows; "mute" returns an error
 * without a message; anything else reads nothing.  The host must name it
 * either way.
 */
#include "peil/plugin.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* volatile twice: the compiler can neither see the NULL and turn the write
 * into a trap (SIGILL) nor drop it; it must fault as a bug does. */
static void *write_through_null(void *arg)
{
	volatile int *volatile nowhere = NULL;

	(void)arg;
	*nowhere = 1;
	return NULL;
}

/* The fault in a thread started as docs/plugins.md says: every signal
 * blocked but the faults'. */
static void crash_in_a_thread(void)
{
	sigset_t mask, old;
	pthread_t thread;

	sigfillset(&mask);
	sigdelset(&mask, SIGSEGV);
	sigdelset(&mask, SIGBUS);
	pthread_sigmask(SIG_SETMASK, &mask, &old);
	if (pthread_create(&thread, NULL, write_through_null, NULL) == 0)
		pthread_join(thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static int crashes_open(const peil_services *svc, peil_host *host,
			void **state, peil_error *err)
{
	(void)svc;
	(void)host;
	(void)err;
	*state = NULL;
	return 0;
}

static int crashes_read(void *state, const char *path, peil_error *err)
{
	char line[16] = "";
	FILE *f = fopen(path, "rb");

	(void)state;
	(void)err;
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	if (strncmp(line, "crash", 5) == 0)
		write_through_null(NULL);
	if (strncmp(line, "thread", 6) == 0)
		crash_in_a_thread();
	if (strncmp(line, "mute", 4) == 0)
		return -1;
	return 0;
}

static void crashes_close(void *state)
{
	(void)state;
}

static const peil_input_ops crashes_ops = {
	.size = sizeof(peil_input_ops),
	.open = crashes_open,
	.read = crashes_read,
	.close = crashes_close,
};

static const peil_plugin crashes_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "crashes",
	.description = "crashes or fails without a word, on purpose",
	.version = "1",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &crashes_ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &crashes_plugin;
}
