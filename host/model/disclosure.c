/*
 * disclosure.c - small-cell suppression of a result table (disclosure.h).
 *
 * A table is sorted by KPI, period and breakdown with the total last, so
 * one KPI and period is a run of rows: the group whose cells add up to the
 * total.  The rules are applied group by group.
 */
#include "model/disclosure.h"

#include "base/period.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The number of rows or persons behind a figure (its size, set by the
 * evaluation and kept by the store); for a figure stored without one,
 * the count itself or the denominator.  SIZE_UNKNOWN for a figure with a
 * value but none of these (a sum, minimum or maximum of a stored run):
 * it could stand for one person, so it is hidden. */
#define SIZE_UNKNOWN (-2.0)

static double figure_size(const result_row *row)
{
	if (!isnan(row->size))
		return row->size;
	if (!isnan(row->denominator))
		return row->denominator;
	if (!isnan(row->numerator) && row->numerator == row->value)
		return row->value;
	return isnan(row->value) ? -1 : SIZE_UNKNOWN;
}

static int is_ratio(const result_row *row)
{
	return !isnan(row->denominator);
}

static int too_small(const result_row *row, const disclosure_rules *rules)
{
	double size = figure_size(row);

	if (size == SIZE_UNKNOWN)
		return 1;
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

/* What the table's figures were before any was hidden: the size and
 * whether it is a share or mean, per row. */
typedef struct sizes {
	double *size;
	unsigned char *ratio;
} sizes;

/* What hidden cells must add up to before no one of them can be told
 * apart: the threshold of the kind of figure of the rows idx[0, n). */
static double safe_sum(const sizes *sz, const size_t *idx, size_t n,
		       const disclosure_rules *rules)
{
	for (size_t i = 0; i < n; i++)
		if (sz->ratio[idx[i]])
			return fmax(rules->min_count, rules->min_denominator);
	return rules->min_count;
}

/* One relation: the rows idx[0, n) add up to the row total.  Hide one
 * more row when it leaves a hidden row derivable or bounded: with the
 * total shown, while hidden parts are not safe together (only one is
 * hidden, so the total minus the others gives it, or their sizes add up
 * to less than the threshold) the shown part with the smallest positive
 * size, or the total when there is none; with the total hidden, every
 * part with a positive size when all_parts, else (when no part is
 * hidden, so that the parts give the total) the smallest.  Returns 1
 * when it hid a row, 0 when the relation is safe. */
static int protect_step(result_row *rows, const sizes *sz, const size_t *idx,
			size_t n, size_t total, int all_parts, double safe)
{
	size_t i, hidden = 0, pick = n;
	double sum = 0;

	for (i = 0; i < n; i++) {
		double size = sz->size[idx[i]];

		if (rows[idx[i]].suppressed != RESULT_SHOWN) {
			hidden++;
			sum += size > 0 ? size : 0;
		} else if (size > 0 &&
			   (pick == n || size < sz->size[idx[pick]])) {
			pick = i;
		}
	}
	if (rows[total].suppressed != RESULT_SHOWN) {
		if (all_parts) {
			int any = 0;

			for (i = 0; i < n; i++)
				if (sz->size[idx[i]] > 0 &&
				    rows[idx[i]].suppressed == RESULT_SHOWN) {
					hide(&rows[idx[i]], RESULT_DERIVABLE);
					any = 1;
				}
			return any;
		}
		if (hidden || pick == n)
			return 0;
	} else if (hidden == 0 || (hidden >= 2 && sum >= safe)) {
		return 0;
	} else if (pick == n) {
		hide(&rows[total], RESULT_DERIVABLE);
		return 1;
	}
	hide(&rows[idx[pick]], RESULT_DERIVABLE);
	return 1;
}

/* Protect one relation until it is safe; 1 when a row was hidden. */
static int protect(result_row *rows, const sizes *sz, const size_t *idx,
		   size_t n, size_t total, int all_parts,
		   const disclosure_rules *rules)
{
	double safe = safe_sum(sz, idx, n, rules);
	int changed = 0;

	while (protect_step(rows, sz, idx, n, total, all_parts, safe))
		changed = 1;
	return changed;
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

/* The end of the rows of the KPI that start at begin. */
static size_t kpi_end(const result_table *t, size_t begin)
{
	size_t end = begin + 1;

	while (end < t->count && strcmp(t->rows[end].kpi, t->rows[begin].kpi) == 0)
		end++;
	return end;
}

/* Within each KPI and period, the cells add up to the total (the last
 * row of the group).  1 when a row was hidden. */
static int protect_groups(result_table *t, const sizes *sz, size_t *idx,
			  const disclosure_rules *rules)
{
	size_t begin, end, i;
	int changed = 0;

	for (begin = 0; begin < t->count; begin = end) {
		end = group_end(t, begin);
		if (end - begin < 2 || !result_is_total(t->rows[end - 1].breakdown))
			continue;
		for (i = begin; i < end - 1; i++)
			idx[i - begin] = i;
		changed |= protect(t->rows, sz, idx, end - 1 - begin, end - 1,
				   1, rules);
	}
	return changed;
}

/* The additive key of kpi (rules->families), or NULL. */
static const char *family_of(const disclosure_rules *rules, const char *kpi)
{
	for (size_t i = 0; i < rules->family_count; i++)
		if (strcmp(rules->families[i].kpi, kpi) == 0)
			return rules->families[i].key;
	return NULL;
}

/* Across grains: a row of KPI coarse equals the sum of the rows of KPI
 * fine of one shorter grain with the same breakdown whose periods lie
 * within its period and cover it day for day (months in a quarter or a
 * year, quarters in a year).  The rows of the KPIs are [c0, c1) and
 * [f0, f1); they may be one KPI's, of several grains.  1 when a row was
 * hidden. */
static int protect_grains(result_table *t, const sizes *sz, size_t *idx,
			  size_t c0, size_t c1, size_t f0, size_t f1,
			  const disclosure_rules *rules)
{
	int changed = 0;

	for (size_t c = c0; c < c1; c++) {
		period pc, pf;

		if (period_parse(t->rows[c].period, &pc) < 0 ||
		    sz->size[c] == -1)
			continue;
		for (int g = PERIOD_MONTH; g < (int)pc.grain; g++) {
			size_t n = 0;
			int32_t days = 0;

			for (size_t f = f0; f < f1; f++) {
				if (strcmp(t->rows[f].breakdown,
					   t->rows[c].breakdown) ||
				    period_parse(t->rows[f].period, &pf) < 0 ||
				    (int)pf.grain != g ||
				    pf.first < pc.first || pf.last > pc.last)
					continue;
				if (sz->size[f] == -1) {  /* not evaluated */
					n = 0;
					break;
				}
				idx[n++] = f;
				days += pf.last - pf.first + 1;
			}
			if (n >= 2 && days == pc.last - pc.first + 1)
				changed |= protect(t->rows, sz, idx, n, c, 0,
						   rules);
		}
	}
	return changed;
}

/* Every pair of KPIs of one additive family, coarse and fine, and every
 * KPI of one with itself (its grains).  1 when a row was hidden. */
static int protect_families(result_table *t, const sizes *sz, size_t *idx,
			    const disclosure_rules *rules)
{
	size_t c0, c1, f0, f1;
	int changed = 0;

	for (c0 = 0; c0 < t->count; c0 = c1) {
		const char *key = family_of(rules, t->rows[c0].kpi);

		c1 = kpi_end(t, c0);
		if (!key)
			continue;
		for (f0 = 0; f0 < t->count; f0 = f1) {
			const char *other;

			f1 = kpi_end(t, f0);
			other = family_of(rules, t->rows[f0].kpi);
			if (other && strcmp(other, key) == 0)
				changed |= protect_grains(t, sz, idx, c0, c1,
							  f0, f1, rules);
		}
	}
	return changed;
}

size_t disclosure_apply(result_table *t, const disclosure_rules *rules)
{
	size_t i, hidden = 0;
	sizes sz;
	size_t *idx;

	t->disclosed = 1;
	t->min_count = rules->min_count;
	t->min_denominator = rules->min_denominator;
	if (rules->min_count <= 0 && rules->min_denominator <= 0)
		return 0;
	sz.size = malloc((t->count ? t->count : 1) * sizeof(*sz.size));
	sz.ratio = malloc(t->count ? t->count : 1);
	idx = malloc((t->count ? t->count : 1) * sizeof(*idx));
	if (!sz.size || !sz.ratio || !idx) {
		/* Without room to reason about relations, hide everything
		 * with a size: safe, if unhelpful. */
		for (i = 0; i < t->count; i++)
			if (figure_size(&t->rows[i]) > 0 ||
			    figure_size(&t->rows[i]) == SIZE_UNKNOWN)
				hide(&t->rows[i], RESULT_DERIVABLE);
	} else {
		for (i = 0; i < t->count; i++) {
			sz.size[i] = figure_size(&t->rows[i]);
			sz.ratio[i] = (unsigned char)is_ratio(&t->rows[i]);
		}
		for (i = 0; i < t->count; i++)
			if (too_small(&t->rows[i], rules))
				hide(&t->rows[i], RESULT_SMALL);
		/* Each pass only hides rows, so it ends; the order of the
		 * table and of the relations makes it deterministic. */
		while (protect_groups(t, &sz, idx, rules) |
		       protect_families(t, &sz, idx, rules))
			;
	}
	free(sz.size);
	free(sz.ratio);
	free(idx);
	for (i = 0; i < t->count; i++)
		hidden += t->rows[i].suppressed != RESULT_SHOWN;
	return hidden;
}
