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

#endif
