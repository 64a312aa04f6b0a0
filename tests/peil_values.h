/*
 * peil_values.h - the peil_value of a C text or an ISO date, for the
 * rows that the tests' fake sources hand the KPI evaluator.
 */
#ifndef PEIL_TEST_VALUES_H
#define PEIL_TEST_VALUES_H

#include <string.h>

#include "base/calendar.h"
#include "peil/plugin.h"

/* s as a text value, borrowed; NULL: no value. */
static inline peil_value value_text(const char *s)
{
	peil_value v = { PEIL_TYPE_NULL, 0, { NULL } };

	if (s) {
		v.type = PEIL_TYPE_TEXT;
		v.len = strlen(s);
		v.as.text = s;
	}
	return v;
}

/* The ISO date iso ("2018-03-01") as a date value; NULL: no value. */
static inline peil_value value_date(const char *iso)
{
	peil_value v = { PEIL_TYPE_NULL, 0, { NULL } };

	if (iso) {
		v.type = PEIL_TYPE_DATE;
		date_parse_iso(iso, &v.as.date);
	}
	return v;
}

/* The most fields of a row that values_scan projects. */
#define VALUES_SCAN_MAX 64

/* What a store's scan does, over rows[0..count) of stride values each:
 * each row's values at projection[0..projection_count) handed to row,
 * which may stop the scan by returning nonzero (returned; -1 for more
 * than VALUES_SCAN_MAX fields). */
static inline int values_scan(const peil_value *rows, size_t count,
			      size_t stride, const size_t *projection,
			      size_t projection_count, peil_row_fn row,
			      void *row_ctx)
{
	peil_value projected[VALUES_SCAN_MAX];

	if (projection_count > VALUES_SCAN_MAX)
		return -1;
	for (size_t i = 0; i < count; i++) {
		int rc;

		for (size_t j = 0; j < projection_count; j++)
			projected[j] = rows[i * stride + projection[j]];
		if ((rc = row(row_ctx, projected)) != 0)
			return rc;
	}
	return 0;
}

#endif
