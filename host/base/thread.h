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

#endif
