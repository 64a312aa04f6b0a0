/*
 * figure_diff.c - a merge of two sorted tables of figures.
 */
#include "model/figure_diff.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


int figure_key_compare(const char *kpi, const char *period_id,
		       const char *breakdown, const result_row *row)
{
	int c = strcmp(kpi, row->kpi);

	if (c == 0)
		c = strcmp(period_id, row->period);
	if (c == 0)
		c = strcmp(breakdown, row->breakdown);
	return c;
}

static int compare_figures(const void *pa, const void *pb)
{
	const result_row *a = pa;

	return figure_key_compare(a->kpi, a->period, a->breakdown, pb);
}

static int same_value(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Whether t has a figure of kpi and period (t sorted). */
static int has_period(const result_table *t, const char *kpi,
		      const char *period_id)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {	/* the first row not before (kpi, period) */
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->rows[mid].kpi, kpi);

		if (c == 0)
			c = strcmp(t->rows[mid].period, period_id);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->count && strcmp(t->rows[lo].kpi, kpi) == 0 &&
	       strcmp(t->rows[lo].period, period_id) == 0;
}

int figure_diff(result_table *old_table, result_table *new_table,
		int (*fn)(void *ctx, const figure_change *c), void *ctx)
{
	size_t i = 0, j = 0;
	int rc;

	qsort(old_table->rows, old_table->count, sizeof(result_row),
	      compare_figures);
	qsort(new_table->rows, new_table->count, sizeof(result_row),
	      compare_figures);
	while (i < old_table->count || j < new_table->count) {
		const result_row *a = i < old_table->count ? &old_table->rows[i]
							   : NULL;
		result_row *b = j < new_table->count ? &new_table->rows[j]
						     : NULL;
		int c = !a ? 1 : !b ? -1 : compare_figures(a, b);
		figure_change ch;

		memset(&ch, 0, sizeof(ch));
		ch.old_value = ch.new_value = NAN;
		if (c <= 0) {
			ch.in_old = 1;
			ch.old_value = a->value;
			ch.old_row = a;
			i++;
		}
		if (c >= 0) {
			ch.in_new = 1;
			ch.new_value = b->value;
			ch.new_row = b;
			j++;
		}
		if (ch.in_old && ch.in_new &&
		    same_value(ch.old_value, ch.new_value))
			continue;
		ch.kpi = c <= 0 ? a->kpi : b->kpi;
		ch.period = c <= 0 ? a->period : b->period;
		ch.breakdown = c <= 0 ? a->breakdown : b->breakdown;
		ch.covered = ch.in_old && ch.in_new
				     ? 1
				     : has_period(ch.in_old ? new_table
							    : old_table,
						  ch.kpi, ch.period);
		rc = fn(ctx, &ch);
		if (rc)
			return rc;
	}
	return 0;
}
