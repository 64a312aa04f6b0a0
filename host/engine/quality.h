/*
 * quality.h - the quality of registration, per team: docs/domain.md indicator
 * 14, for the staff who register.
 *
 * Over the cases dataset (fields team, registered, closed, entered as in
 * conf/peil.ini): per team, the share of the cases registered in the
 * period with each of [report] quality_fields empty; the share of the
 * cases closed in the period with each of quality_closure_fields empty;
 * and the share of the cases registered in the period (with an entry date)
 * that were entered more than late_after_days days after registration.
 *
 * The figures go into a result table like any KPI's, so that the same
 * small-cell rules apply (disclosure.h): the kpi is "missing.FIELD",
 * "missing_closed.FIELD" or "late", the breakdown the team, the value a
 * percentage, the numerator the cases counted, the denominator the base.
 */
#ifndef PEIL_QUALITY_H
#define PEIL_QUALITY_H

#include <stdint.h>

#include "engine/context.h"
#include "model/results.h"

typedef struct quality_settings {
	long late_after_days;
	const settings_list *fields;	/* borrowed from the settings */
	const settings_list *closure_fields;
} quality_settings;

/* The [report] settings of s (which must outlive out). */
void quality_settings_init(const peil_settings *s, quality_settings *out);

/* Add the figures of [from, to] (labelled period_id) to out.  0 when they
 * were computed; 1 when the dataset or its fields team and registered are
 * missing (nothing added); -1 with err when the scan failed. */
int quality_compute(const peil_context *ctx, const quality_settings *s,
		    int32_t from, int32_t to, const char *period_id,
		    result_table *out, peil_error *err);

#endif
