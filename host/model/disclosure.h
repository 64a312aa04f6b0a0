/*
 * disclosure.h - statistical disclosure control: the small-cell rules of
 * docs/domain.md ("Privacy"), in one place.
 *
 * Every command that prints or writes figures (show, eval, run, report,
 * export) passes its result table through disclosure_apply first; the
 * writers refuse a table that did not (results.h).  The rules:
 *
 *  1. Primary suppression.  Each figure has a size (result_row.size: the
 *     rows or persons behind it, set by the evaluation for every rule
 *     and kept by a store of storage ops version 9); for a figure stored
 *     without one, the count itself for a count, the denominator for a
 *     share or mean.  A figure whose size is above 0 and
 *     below min_count is hidden; a share or mean whose denominator is below
 *     min_denominator is hidden too.  A zero is shown: it identifies
 *     nobody.  A figure with a value but no size (a stored sum, minimum or
 *     maximum) is hidden.
 *  2. Secondary suppression, over relations "total = sum of parts": the
 *     cells of one KPI and period add up to its total (the "{}"
 *     breakdown); and across grains, a figure of a KPI of an additive
 *     family (rules->families) is the sum of the figures of one shorter
 *     grain of the same KPI, or of another KPI of the family, with the
 *     same breakdown, whose periods cover its period.  When hidden parts are not safe together -- only
 *     one is hidden, so the total minus the others gives it, or their
 *     sizes add up to less than the threshold -- the shown part with the
 *     smallest positive size is hidden as well, until they are; when no
 *     part is left to hide, the total is hidden.  A hidden total of a KPI
 *     and period hides every cell with a positive size; a hidden longer
 *     period whose parts are all shown hides its smallest part.  The
 *     relations are taken again until none hides more: it ends (rows are
 *     only hidden), and the table's order makes it deterministic.
 *  3. A hidden figure loses its value, numerator, denominator and status
 *     (NaN, NULL), so no writer can leak it by accident.
 *
 * Not covered: relations between different KPIs of one grain (a share's
 * numerator that equals another KPI's count), and stock figures across
 * grains (docs/output.md).
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
