/*
 * input_age.h - datasets whose newest input is older than their
 * [dataset NAME] max_age_days allows: found by the engine
 * (engine/input_age.h) when it evaluates, kept in the run as the message
 * of each KPI over such a dataset (whose status stays "ok"), and shown
 * by every output.
 */
#ifndef PEIL_INPUT_AGE_H
#define PEIL_INPUT_AGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct input_age {
	char *dataset;
	int64_t age_days;	/* whole days since its newest input */
	uint64_t max_age_days;	/* the setting */
} input_age;

typedef struct input_ages {
	input_age *items;	/* owned */
	size_t count;
} input_ages;

/* Add a stale dataset (once: a second of the same name is ignored).  0;
 * -1 when out of memory. */
int input_ages_add(input_ages *a, const char *dataset, int64_t age_days,
		   uint64_t max_age_days);
void input_ages_release(input_ages *a);	/* accepts a zeroed one */

/* The message kept with a KPI of the run: "stale input: dataset cases is
 * 45 days old (max_age_days = 30)". */
void input_age_message(const input_age *a, char *out, size_t size);
/* Read such a message back into a (0 when it is one, with every stale
 * dataset of a run added once; 1 when message is another or NULL; -1 when
 * out of memory). */
int input_age_parse(const char *message, input_ages *a);

#endif
