/*
 * input_age.h - datasets whose newest input is older than their
 * [dataset NAME] max_age_days allows: found by the engine
 * (engine/input_age.h) when it evaluates, shown by every output.
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

#endif
