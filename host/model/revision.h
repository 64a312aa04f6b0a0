/*
 * revision.h - which figures of a report changed since the previous report
 * of its period (or, without one, the previous scheduled run covering it).
 *
 * Both tables went through the small-cell rules (disclosure.h); a value
 * that either hides is never carried: a figure hidden before shows no old
 * value, and one hidden now is listed only as hidden now.
 */
#ifndef PEIL_REVISION_H
#define PEIL_REVISION_H

#include <stddef.h>
#include <stdint.h>

#include "model/results.h"

/* How a figure stood in one of the two tables. */
enum revision_state {
	REVISION_ABSENT = 0,	/* no figure of that cell */
	REVISION_SHOWN,
	REVISION_HIDDEN		/* withheld by the small-cell rules */
};

/* Why it changed, as far as the two runs tell: the KPI's script changed
 * between them (its definition), or else the inputs did. */
enum revision_cause {
	REVISION_CAUSE_UNKNOWN = 0,
	REVISION_CAUSE_INPUT,
	REVISION_CAUSE_DEFINITION
};

typedef struct revision {
	char *kpi, *period, *breakdown;
	enum revision_state old_state, new_state;
	/* NaN unless the state is REVISION_SHOWN and the other side does
	 * not hide it now: a value now hidden is not given (old_value is
	 * then NaN too). */
	double old_value, new_value;
	enum revision_cause cause;
} revision;

typedef struct revisions {
	/* 0: they cannot be shown, and why_unknown says why (a store
	 * without recorded reports, a compared run whose figures were
	 * pruned); every output says so. */
	int known;
	char why_unknown[1200];
	int64_t basis_run;	/* the run compared with; 0: none (nothing
				   to compare: no earlier report or run) */
	int64_t basis_report;	/* the recorded report compared with; 0:
				   the run itself */
	revision *items;	/* KPI, period, breakdown order */
	size_t count;
} revisions;

/* Compare the disclosed tables old_table (the figures of the basis) and
 * now, and list every figure that changed in out (which must be empty;
 * out->known and the basis are the caller's).  Both are sorted with
 * result_table_sort afterwards, the order writers take.  cause, when not
 * NULL, says why a KPI's figures changed.  0, or -1 when out of memory. */
int revision_compare(result_table *old_table, result_table *now,
		     enum revision_cause (*cause)(void *ctx, const char *kpi),
		     void *cause_ctx, revisions *out);

/* The revision of row's cell in r (NULL: none, or r is NULL). */
const revision *revision_find(const revisions *r, const result_row *row);

void revisions_release(revisions *r);

#endif
