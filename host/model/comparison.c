/*
 * comparison.c - figures against earlier periods of the same table
 * (comparison.h).
 */
#include "model/comparison.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/period.h"

static int row_order(const void *pa, const void *pb)
{
	const result_row *a = *(const result_row *const *)pa;
	const result_row *b = *(const result_row *const *)pb;
	int c = strcmp(a->kpi, b->kpi);

	if (!c)
		c = strcmp(a->period, b->period);
	return c ? c : strcmp(a->breakdown, b->breakdown);
}

static void compare_one(result_row *row, size_t i, result_row **index,
			size_t count)
{
	result_compare *c = &row->compare[i];
	result_row key = *row, *keyp = &key, **found;

	if (period_earlier(row->period, (int)i, c->period) < 0)
		return;		/* no earlier period: nothing to compare */
	key.period = c->period;
	found = bsearch(&keyp, index, count, sizeof(*index), row_order);
	c->old = NAN;
	if (!found || result_not_evaluated((*found)->status))
		c->state = RESULT_COMPARE_ABSENT;
	else if (row->suppressed != RESULT_SHOWN ||
		 (*found)->suppressed != RESULT_SHOWN)
		c->state = RESULT_COMPARE_HIDDEN;
	else {
		c->state = RESULT_COMPARE_SHOWN;
		c->old = (*found)->value;
	}
}

static int not_earlier(void *ctx, const result_row *row)
{
	(void)ctx;
	return !row->earlier;
}

int comparison_attach(result_table *t, comparison_asks asks, void *ctx)
{
	result_row **index = NULL;	/* sorted, made when first needed */
	const char *kpi = NULL;		/* the KPI of the row before ... */
	unsigned bits = 0;		/* ... and what it asks for */
	size_t i;

	for (i = 0; i < t->count; i++) {
		result_row *row = &t->rows[i];

		if (row->earlier)
			continue;
		if (!kpi || strcmp(row->kpi, kpi) != 0)
			bits = asks(ctx, row->kpi);
		kpi = row->kpi;
		if (!bits)
			continue;
		if (!index) {
			index = malloc(t->count * sizeof(*index));
			if (!index)
				return -1;
			for (size_t j = 0; j < t->count; j++)
				index[j] = &t->rows[j];
			qsort(index, t->count, sizeof(*index), row_order);
		}
		for (size_t c = 0; c < RESULT_COMPARISONS; c++)
			if (bits & (1u << c))
				compare_one(row, c, index, t->count);
	}
	free(index);
	result_table_keep(t, not_earlier, NULL);
	return 0;
}

int comparison_change(const result_row *row, size_t i, double *change,
		      double *pct)
{
	const result_compare *c = &row->compare[i];
	int known = 0;

	*change = *pct = NAN;
	if (c->state != RESULT_COMPARE_SHOWN || isnan(c->old) ||
	    isnan(row->value))
		return 0;
	*change = row->value - c->old;
	known = 1;
	if (c->old != 0) {
		*pct = 100.0 * *change / c->old;
		known |= 2;
	}
	return known;
}

unsigned comparison_kinds(const result_table *t)
{
	unsigned kinds = 0;

	for (size_t i = 0; i < t->count; i++)
		for (size_t c = 0; c < RESULT_COMPARISONS; c++)
			if (t->rows[i].compare[c].state != RESULT_COMPARE_NONE)
				kinds |= 1u << c;
	return kinds;
}
