/*
 * interrupt.c - the SIGINT / SIGTERM flag.  A handler may only set a
 * volatile sig_atomic_t; everything else happens where the flag is read.
 */
#include "base/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupt_signal;

static void interrupt_handler(int sig)
{
	interrupt_signal = sig;
}

int interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a blocked read returns */
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		return -1;
	return 0;
}

int interrupt_requested(void)
{
	return (int)interrupt_signal;
}

const char *interrupt_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}
