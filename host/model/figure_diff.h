/*
 * figure_diff.h - comparing the figures of two tables (of two runs).
 */
#ifndef PEIL_MODEL_FIGURE_DIFF_H
#define PEIL_MODEL_FIGURE_DIFF_H

#include <stdint.h>

#include "model/results.h"

/* One figure that differs between two tables.  Strings point into the
 * tables; a figure absent from one side has in_old or in_new 0 and NaN
 * there; covered says whether the other side has any figure of the same
 * KPI and period (so that a missing one is a change, not a period that run
 * did not evaluate). */
typedef struct figure_change {
	const char *kpi;
	const char *period;
	const char *breakdown;
	double old_value, new_value;
	int in_old, in_new;
	int covered;
	const result_row *old_row;	/* NULL when not in_old */
	result_row *new_row;		/* NULL when not in_new */
} figure_change;

/* The order figure_diff sorts by: KPI, period and breakdown, bytewise;
 * <0, 0 or >0 as (kpi, period_id, breakdown) comes before, is or comes
 * after row's. */
int figure_key_compare(const char *kpi, const char *period_id,
		       const char *breakdown, const result_row *row);

/* Sort both tables by KPI, period and breakdown (byte order; this changes
 * their order) and call fn for each figure whose value differs (two NaN
 * are equal) or that is in one table only.  fn returns 0 to go on; another
 * value stops and is returned.  0 when done. */
int figure_diff(result_table *old_table, result_table *new_table,
		int (*fn)(void *ctx, const figure_change *c), void *ctx);

#endif
