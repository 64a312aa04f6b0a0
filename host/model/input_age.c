/*
 * input_age.c - stale datasets: the list and the message kept in the run
 * (input_age.h).
 */
#include "model/input_age.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

#define STALE_PREFIX "stale input: dataset "

int input_ages_add(input_ages *a, const char *dataset, int64_t age_days,
		   uint64_t max_age_days)
{
	input_age *items;

	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->items[i].dataset, dataset) == 0)
			return 0;
	items = grow_for(a->items, a->count, sizeof(*items));
	if (!items)
		return -1;
	a->items = items;
	items[a->count].dataset = strdup(dataset);
	if (!items[a->count].dataset)
		return -1;
	items[a->count].age_days = age_days;
	items[a->count].max_age_days = max_age_days;
	a->count++;
	return 0;
}

void input_ages_release(input_ages *a)
{
	for (size_t i = 0; i < a->count; i++)
		free(a->items[i].dataset);
	free(a->items);
	memset(a, 0, sizeof(*a));
}

void input_age_message(const input_age *a, char *out, size_t size)
{
	snprintf(out, size, STALE_PREFIX "%s is %" PRId64 " days old "
		 "(max_age_days = %" PRIu64 ")", a->dataset, a->age_days,
		 a->max_age_days);
}

int input_age_parse(const char *message, input_ages *a)
{
	char dataset[128];
	int64_t age;
	uint64_t max;

	if (!message || strncmp(message, STALE_PREFIX,
				sizeof(STALE_PREFIX) - 1) != 0)
		return 1;
	/* Dataset names are a-z, 0-9 and _ (schema.c): no spaces. */
	if (sscanf(message + sizeof(STALE_PREFIX) - 1,
		   "%127s is %" SCNd64 " days old (max_age_days = %" SCNu64
		   ")", dataset, &age, &max) != 3)
		return 1;
	return input_ages_add(a, dataset, age, max) < 0 ? -1 : 0;
}
