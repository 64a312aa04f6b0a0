/*
 * interrupt.c - the SIGINT / SIGTERM flag.  A handler may only set a
 * volatile sig_atomic_t; everything else happens where the flag is read.
 */
#include "base/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_signal;
static int interrupt_is_settled;	/* by the main thread only */

static void interrupt_handler(int sig)
{
	interrupt_signal = sig;
}

static int interrupt_handlers(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	return 0;
}

int interrupt_install(void)
{
	return interrupt_handlers(0);	/* no SA_RESTART: a blocked read
					   returns */
}

int interrupt_requested(void)
{
	return (int)interrupt_signal;
}

/* From now on a signal must not cut the output short either: a write to
 * a slow pipe is restarted rather than failed with EINTR. */
void interrupt_settle(void)
{
	interrupt_is_settled = 1;
	interrupt_handlers(SA_RESTART);
}

int interrupt_settled(void)
{
	return interrupt_is_settled;
}

const char *interrupt_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}
