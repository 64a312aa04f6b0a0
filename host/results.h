/*
 * results.h - a table of figures owned by the host, from an evaluation or
 * read back from the store.
 */
#ifndef PEIL_RESULTS_H
#define PEIL_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "peil/plugin.h"

/* Whether a figure is final (finality.h); unknown until marked. */
enum result_finality {
	RESULT_FINALITY_UNKNOWN = 0,
	RESULT_PROVISIONAL,
	RESULT_FINAL
};

typedef struct result_row {
	char *kpi;
	char *period;
	char *breakdown;	/* JSON object text */
	char *status;		/* or NULL */
	double value, numerator, denominator;	/* NaN when missing */
	enum result_finality finality;
} result_row;

typedef struct result_table {
	int64_t run_id;
	size_t count, cap;
	result_row *rows;
} result_table;

/* Append a copy of r.  0 on success, -1 when out of memory. */
int result_table_add(result_table *t, const peil_result *r);
/* Sort by KPI, then period, then breakdown with the total last. */
void result_table_sort(result_table *t);
void result_table_release(result_table *t);

/* The breakdown of a row as a label: its values joined by " / ", "Totaal"
 * for the total, "(onbekend)" for a null value. */
void result_breakdown_label(const char *breakdown, char *out, size_t size);

#endif
