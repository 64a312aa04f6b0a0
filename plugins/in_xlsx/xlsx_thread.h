/*
 * xlsx_thread.h - the plugin's own threads, started as docs/plugins.md
 * says an input plugin's threads are: every signal blocked but the faults
 * (SIGSEGV, SIGBUS), so that SIGINT and SIGTERM reach the host's handling
 * and a fault reaches its plugin guard, which names the plugin.
 */
#ifndef PEIL_XLSX_THREAD_H
#define PEIL_XLSX_THREAD_H

#include <pthread.h>

/* Starts fn(arg) as a thread named name (at most 15 bytes: what top -H,
 * perf and gdb show for it): 0, or the error number of pthread_create. */
int xlsx_thread_start(pthread_t *thread, void *(*fn)(void *), void *arg,
		      const char *name);

#endif
