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
/* Why a figure is not shown (disclosure.h). */
typedef enum result_suppression {
	RESULT_SHOWN = 0,
	RESULT_SMALL = 1,	/* primary: a count or denominator too small */
	RESULT_DERIVABLE = 2	/* secondary: else derivable from the total */
} result_suppression;

typedef struct result_row {
	char *kpi;
	char *period;
	char *breakdown;	/* JSON object text */
	char *status;		/* "met", "at risk", "not met", ...; or NULL */
	double value, numerator, denominator;	/* NaN when missing */
	enum result_finality finality;
	result_suppression suppressed;	/* when not RESULT_SHOWN, the numbers
					   are NaN and status is NULL */
} result_row;

/* Invariant: every writer of figures (output.h, report_html.h,
 * prometheus.h) refuses a table whose disclosed flag is not set, so no
 * figure leaves Peil without the small-cell rules applied. */
typedef struct result_table {
	int64_t run_id;
	size_t count, cap;
	result_row *rows;
	int disclosed;		/* set by disclosure_apply */
	double min_count;	/* the thresholds it applied (0: off) */
	double min_denominator;
} result_table;

/* Append a copy of r.  0 on success, -1 when out of memory. */
int result_table_add(result_table *t, const peil_result *r);
/* Append a figure given by its parts; breakdown NULL is the total. */
int result_table_add_figure(result_table *t, const char *kpi,
			    const char *period, const char *breakdown,
			    double value, double numerator, double denominator,
			    const char *status);
/* Sort by KPI, then period, then breakdown with the total last. */
void result_table_sort(result_table *t);
void result_table_release(result_table *t);

/* The breakdown of a row as a label: its values joined by " / ", "Totaal"
 * for the total, "(onbekend)" for a null value. */
void result_breakdown_label(const char *breakdown, char *out, size_t size);
/* The same with the words for the total and a null value given. */
void result_breakdown_label_words(const char *breakdown, const char *total,
				  const char *unknown, char *out, size_t size);
/* The breakdown's value of field as text into out: 1 when present, 2 for
 * a null value (out ""), 0 when the breakdown has no such field (the
 * total). */
int result_breakdown_value(const char *breakdown, const char *field,
			   char *out, size_t size);
/* Call fn for each field of the breakdown in order, with its value (NULL
 * for a null), valid during the call.  A nonzero return from fn stops and
 * is returned; 0 otherwise. */
int result_breakdown_each(const char *breakdown,
			 int (*fn)(void *ctx, const char *field,
				   const char *value),
			 void *ctx);
/* Whether the breakdown is the total, "{}". */
int result_is_total(const char *breakdown);

#endif
