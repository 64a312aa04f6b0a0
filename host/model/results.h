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

/* A figure compared with an earlier period of the same evaluation
 * (comparison.h). */
typedef enum result_compare_state {
	RESULT_COMPARE_NONE = 0,	/* not asked for */
	RESULT_COMPARE_SHOWN,		/* old (NaN: no value, as a mean
					   without cases) */
	RESULT_COMPARE_HIDDEN,		/* this figure or the old one is
					   hidden: so is the change */
	RESULT_COMPARE_ABSENT		/* no figure of that period (not
					   evaluated, not in the run) */
} result_compare_state;

typedef struct result_compare {
	result_compare_state state;
	char period[16];	/* the earlier period's id */
	double old;		/* its value when SHOWN */
} result_compare;

/* The comparisons: [0] the previous period, [1] a year before. */
#define RESULT_COMPARISONS 2

typedef struct result_row {
	char *kpi;		/* one allocation with period and breakdown,
				   freed with the row (results.c) */
	char *period;
	char *breakdown;	/* JSON object text */
	char *status;		/* "met", "at risk", "not met", ...; or NULL */
	double value, numerator, denominator;	/* NaN when missing */
	double size;		/* the rows or persons behind it (peil_result);
				   NaN when unknown */
	enum result_finality finality;
	result_suppression suppressed;	/* when not RESULT_SHOWN, the numbers
					   are NaN and status is NULL */
	result_compare compare[RESULT_COMPARISONS];
	int earlier;		/* of an earlier period, only there to be
				   compared with: comparison_attach drops
				   it (comparison.h) */
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

/* A KPI that could not be evaluated for a period (its dataset is not
 * configured, lacks a field the KPI needs, holds no row up to the
 * period's end, or none from the period on) has one row there: the total, with NaN numbers and a
 * status that starts with RESULT_NOT_EVALUATED and says why, naming the
 * dataset and field (result_not_evaluated_status).  That status is no
 * target status: every output shows the reason instead of a figure. */
#define RESULT_NOT_EVALUATED "not evaluated: "

typedef enum result_missing {
	RESULT_MISSING_DATASET = 1,	/* dataset not configured */
	RESULT_MISSING_FIELD,		/* the dataset lacks field */
	RESULT_MISSING_ROWS,		/* no row with field (NULL: any row)
					   up to the period's end */
	RESULT_MISSING_CONTRACT_START,	/* cumulative() without [contract]
					   start (dataset, field: none) */
	RESULT_MISSING_SOURCE,		/* the dataset declares field, but
					   none of its sources fills it */
	RESULT_MISSING_ROWS_AFTER,	/* no row with field after a date,
					   before the period begins */
	RESULT_MISSING_INPUT_AFTER	/* no input of the dataset after a
					   day before the period begins */
} result_missing;

/* Write the status of a figure not evaluated for why into out (English,
 * as stored).  field may be NULL for RESULT_MISSING_DATASET and _ROWS. */
void result_not_evaluated_status(result_missing why, const char *dataset,
				 const char *field, char *out, size_t size);
/* The same for RESULT_MISSING_ROWS_AFTER (field) and _INPUT_AFTER
 * (field NULL): the dataset's data end on date, before the period. */
void result_not_evaluated_after(result_missing why, const char *dataset,
				const char *field, int32_t date, char *out,
				size_t size);
/* Whether status is that of a figure not evaluated. */
int result_not_evaluated(const char *status);
/* Read such a status back: 0 with *why, dataset, field and date
 * (jjjj-mm-dd; "" when none) filled, -1 when status is none of them. */
int result_not_evaluated_parse(const char *status, result_missing *why,
			       char *dataset, size_t dataset_size,
			       char *field, size_t field_size, char date[11]);

/* The status of a run whose figures were recorded: "ok", "incomplete"
 * (some KPIs or periods not evaluated) or "kpi failed". */
int result_run_recorded(const char *run_status);

/* Append a copy of r.  0 on success, -1 when out of memory. */
int result_table_add(result_table *t, const peil_result *r);
/* Append a figure given by its parts; breakdown NULL is the total. */
int result_table_add_figure(result_table *t, const char *kpi,
			    const char *period, const char *breakdown,
			    double value, double numerator, double denominator,
			    const char *status);
/* A copy of t into copy (which it initialises): the same rows in the same
 * order, with all their marks (finality, suppression, comparisons), and
 * the same run and disclosure.  0, or -1 when out of memory (copy then
 * empty). */
int result_table_copy(const result_table *t, result_table *copy);
/* Sort by KPI, then period, then breakdown with the total last. */
void result_table_sort(result_table *t);
/* Keep the rows for which keep(ctx, row) is not 0, in their order; free
 * the others. */
void result_table_keep(result_table *t,
		       int (*keep)(void *ctx, const result_row *row),
		       void *ctx);
void result_table_release(result_table *t);

/* The words the outputs write for the total row and for an empty (null)
 * breakdown value, one pair per language of the outputs: the labels of
 * report/labels.c point here, and result_breakdown_reserved refuses a
 * breakdown value written as any of them. */
typedef struct breakdown_words {
	const char *total;	/* "Totaal" */
	const char *unknown;	/* "(onbekend)" */
} breakdown_words;
enum { BREAKDOWN_NL, BREAKDOWN_EN, BREAKDOWN_LANGS };
extern const breakdown_words breakdown_words_of[BREAKDOWN_LANGS];

/* The breakdown of a row as a label: its values joined by " / ", "Totaal"
 * for the total, "(onbekend)" for a null value (the Dutch words). */
void result_breakdown_label(const char *breakdown, char *out, size_t size);
/* The same with the words of a language. */
void result_breakdown_label_words(const char *breakdown,
				  const breakdown_words *words, char *out,
				  size_t size);
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
/* Whether a breakdown value is written as one of breakdown_words_of, in
 * any language and any case ("Totaal", "Total", "(onbekend)",
 * "(unknown)"): it would read as that row in CSV, text, HTML and
 * Prometheus.  1 with the first such field and its value copied out,
 * else 0. */
int result_breakdown_reserved(const char *breakdown, char *field,
			      size_t field_size, char *value,
			      size_t value_size);
/* Whether the breakdown is the total, "{}". */
int result_is_total(const char *breakdown);

#endif
