/*
 * comparison.h - each figure against the previous period and the same
 * period a year before (docs/kpi-scripts.md, "Comparisons").
 *
 * The earlier figures come from the same table: the evaluation that made
 * it, whose range was extended backwards for them, or the run it was read
 * from.  Rows flagged earlier are there only to be compared with.
 */
#ifndef PEIL_COMPARISON_H
#define PEIL_COMPARISON_H

#include "model/results.h"

/* The comparisons a KPI asks for: bits 1 (the previous period) and 2 (a
 * year before), as kpi.h's KPI_COMPARE_*. */
typedef unsigned (*comparison_asks)(void *ctx, const char *kpi);

/* For every figure of t not flagged earlier whose KPI asks (asks(ctx,
 * kpi)) for comparisons, find the figure of the same KPI and
 * breakdown in each earlier period asked for, and fill its compare[]:
 * hidden when either figure is hidden (a change would tell the hidden
 * one), absent when t has no such figure or it was not evaluated.  Then
 * drop the rows flagged earlier.  Call it after disclosure_apply, over a
 * table sorted or not.  0, or -1 when out of memory (t unchanged). */
int comparison_attach(result_table *t, comparison_asks asks, void *ctx);

/* The change of row against compare[i]: *change = value - old (in the
 * KPI's unit; percentage points for a share), *pct = 100 * change / old.
 * Returns a bit set: 1 when *change is known (both have a value), 2 when
 * *pct is (and old is not 0). */
int comparison_change(const result_row *row, size_t i, double *change,
		      double *pct);

/* The comparisons some row of t has: bit 1 << i for compare[i]. */
unsigned comparison_kinds(const result_table *t);

#endif
