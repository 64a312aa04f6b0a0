/*
 * thread.h - the host's helper threads (record_queue.c, file_hasher.c,
 * kpi_eval.c).
 */
#ifndef PEIL_THREAD_H
#define PEIL_THREAD_H

#include <pthread.h>

/* Start fn(arg) on a new thread with every signal blocked, so that
 * SIGINT and SIGTERM reach the main thread, which checks for them
 * between records.  0, or the error number of pthread_create. */
int thread_start(pthread_t *thread, void *(*fn)(void *), void *arg);

/* Whether the calling thread was started by thread_start: the plugin
 * guard names a plugin for a fault in a thread the host did not start.
 * Async-signal-safe. */
int thread_is_host_started(void);

#endif
