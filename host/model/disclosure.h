/*
 * disclosure.h - statistical disclosure control: the small-cell rules of
 * docs/domain.md ("Privacy"), in one place.
 *
 * Every command that prints or writes figures (show, eval, run, report,
 * export) passes its result table through disclosure_apply first; the
 * writers refuse a table that did not (results.h).  The rules:
 *
 *  1. Primary suppression.  Each figure has a size: the count itself for a
 *     count (value == numerator, no denominator), the denominator for a
 *     share or a mean.  A figure whose size is above 0 and below min_count
 *     is hidden; a share or mean whose denominator is below min_denominator
 *     is hidden too.  A zero count is shown: it identifies nobody.
 *     Figures without a size (sum, min, max rules) are left as they are.
 *  2. Secondary suppression.  The cells of one KPI and period add up to its
 *     total (the "{}" breakdown).  When hidden cells are not safe together
 *     -- only one is hidden, so total minus the others gives it, or the
 *     hidden sizes add up to less than the threshold -- the shown cell with
 *     the smallest positive size is hidden as well, until they are; when no
 *     cell is left to hide, the total is hidden.  When the total itself is
 *     hidden, so is every cell with a positive size, since the cells would
 *     add up to it.
 *  3. A hidden figure loses its value, numerator, denominator and status
 *     (NaN, NULL), so no writer can leak it by accident.
 *
 * Not covered: relations between different KPIs (a share's numerator that
 * equals another KPI's count) and between periods of different grains.
 */
#ifndef PEIL_DISCLOSURE_H
#define PEIL_DISCLOSURE_H

#include "model/results.h"

/* The [privacy] keys min_count and min_denominator, as the engine read
 * them (settings_disclosure). */
typedef struct disclosure_family {
	const char *kpi;	/* a KPI id */
	const char *key;	/* its additive family (kpi_set_additive_key) */
} disclosure_family;

typedef struct disclosure_rules {
	double min_count;	/* counts in (0, min_count) are hidden; 0: off */
	double min_denominator;	/* shares and means need at least this
				   denominator; 0: off */
	/* The KPIs whose figures add up across grains, with their family:
	 * a figure of one equals the sum of those of another of the same
	 * family, breakdown and shorter periods that cover its period.
	 * NULL / 0: none known. */
	const disclosure_family *families;
	size_t family_count;
} disclosure_rules;

/* Apply the rules to t, which must be sorted (result_table_sort), and set
 * t->disclosed.  Returns the number of figures hidden. */
size_t disclosure_apply(result_table *t, const disclosure_rules *rules);

#endif
