/*
 * disclosure.c - small-cell suppression of a result table (disclosure.h).
 *
 * A table is sorted by KPI, period and breakdown with the total last, so
 * one KPI and period is a run of rows: the group whose cells add up to the
 * total.  The rules are applied group by group.
 */
#include "model/disclosure.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The number of records behind a figure, or -1 when it has none. */
static double figure_size(const result_row *row)
{
	if (!isnan(row->denominator))
		return row->denominator;
	if (!isnan(row->numerator) && row->numerator == row->value)
		return row->value;
	return -1;
}

static int is_ratio(const result_row *row)
{
	return !isnan(row->denominator);
}

static int too_small(const result_row *row, const disclosure_rules *rules)
{
	double size = figure_size(row);

	if (size <= 0)
		return 0;
	if (size < rules->min_count)
		return 1;
	return is_ratio(row) && size < rules->min_denominator;
}

static void hide(result_row *row, result_suppression why)
{
	if (row->suppressed != RESULT_SHOWN)
		return;
	row->suppressed = why;
	row->value = row->numerator = row->denominator = NAN;
	free(row->status);
	row->status = NULL;
}

/* What hidden cells must add up to before no one of them can be told
 * apart: the threshold of the group's kind of figure. */
static double safe_sum(const result_row *rows, size_t n,
		       const disclosure_rules *rules)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_ratio(&rows[i]))
			return fmax(rules->min_count, rules->min_denominator);
	return rules->min_count;
}

/* Secondary suppression in the cells [0, n) of a group whose total (kept
 * aside in sizes) is shown: hide more cells until the hidden ones are safe
 * together, or hide the total.  sizes[] holds each cell's size from before
 * the primary step. */
static void protect_cells(result_row *cells, const double *sizes, size_t n,
			  result_row *total, double safe)
{
	for (;;) {
		size_t i, hidden = 0, pick = n;
		double sum = 0;

		for (i = 0; i < n; i++) {
			if (cells[i].suppressed != RESULT_SHOWN) {
				hidden++;
				sum += sizes[i] > 0 ? sizes[i] : 0;
			} else if (sizes[i] > 0 &&
				   (pick == n || sizes[i] < sizes[pick])) {
				pick = i;
			}
		}
		if (hidden == 0 || (hidden >= 2 && sum >= safe))
			return;
		if (pick == n) {
			hide(total, RESULT_DERIVABLE);
			return;
		}
		hide(&cells[pick], RESULT_DERIVABLE);
	}
}

static void apply_group(result_row *rows, size_t n,
			const disclosure_rules *rules, double *sizes)
{
	result_row *total = NULL;
	size_t cells = n, i;

	if (n && result_is_total(rows[n - 1].breakdown)) {
		total = &rows[n - 1];
		cells = n - 1;
	}
	for (i = 0; i < n; i++)
		sizes[i] = figure_size(&rows[i]);
	for (i = 0; i < n; i++)
		if (too_small(&rows[i], rules))
			hide(&rows[i], RESULT_SMALL);
	if (!total || !cells)
		return;
	if (total->suppressed == RESULT_SHOWN)
		protect_cells(rows, sizes, cells, total,
			      safe_sum(rows, n, rules));
	if (total->suppressed != RESULT_SHOWN)
		for (i = 0; i < cells; i++)
			if (sizes[i] > 0)
				hide(&rows[i], RESULT_DERIVABLE);
}

/* The end of the group (same KPI and period) that starts at begin. */
static size_t group_end(const result_table *t, size_t begin)
{
	size_t end = begin + 1;

	while (end < t->count &&
	       strcmp(t->rows[end].kpi, t->rows[begin].kpi) == 0 &&
	       strcmp(t->rows[end].period, t->rows[begin].period) == 0)
		end++;
	return end;
}

size_t disclosure_apply(result_table *t, const disclosure_rules *rules)
{
	size_t begin = 0, end, i, hidden = 0, biggest = 0;
	double *sizes;

	t->disclosed = 1;
	t->min_count = rules->min_count;
	t->min_denominator = rules->min_denominator;
	if (rules->min_count <= 0 && rules->min_denominator <= 0)
		return 0;
	/* One scratch array for the largest group. */
	while (begin < t->count) {
		end = group_end(t, begin);
		if (end - begin > biggest)
			biggest = end - begin;
		begin = end;
	}
	sizes = malloc((biggest ? biggest : 1) * sizeof(*sizes));
	if (!sizes) {
		/* Without room to reason about groups, hide everything with
		 * a size: safe, if unhelpful. */
		for (i = 0; i < t->count; i++)
			if (figure_size(&t->rows[i]) > 0)
				hide(&t->rows[i], RESULT_DERIVABLE);
	} else {
		for (begin = 0; begin < t->count; begin = end) {
			end = group_end(t, begin);
			apply_group(&t->rows[begin], end - begin, rules, sizes);
		}
	}
	free(sizes);
	for (i = 0; i < t->count; i++)
		hidden += t->rows[i].suppressed != RESULT_SHOWN;
	return hidden;
}
