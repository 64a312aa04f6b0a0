/*
 * evaluation.h - evaluating the KPIs over stored data and recording the run.
 */
#ifndef PEIL_EVALUATION_H
#define PEIL_EVALUATION_H

#include <stddef.h>
#include <stdint.h>

#include "engine/context.h"
#include "model/input_age.h"
#include "model/results.h"

typedef struct evaluation {
	int64_t run_id;
	result_table results;	/* with the figures of periods before
				   [from, to] that KPIs with compare are
				   compared with, flagged earlier and not
				   recorded (model/comparison.h) */
	size_t kpis;		/* evaluated or kept */
	size_t kept;		/* of which kept from run kept_from: not
				   evaluated, their figures copied */
	int64_t kept_from;
	size_t failed;		/* of which failed */
	size_t not_evaluated;	/* of which some periods were not evaluated
				   (result_not_evaluated): the figures are
				   incomplete */
	input_ages stale;	/* datasets whose newest input is older
				   than their max_age_days when the run
				   began (engine/input_age.h) */
} evaluation;

/* Evaluate the KPIs (only the one with id only_kpi, when not NULL) for
 * [from, to], record a run of the kind ("run", "eval" or "cases", with
 * listing what a cases run lists, else NULL; kind NULL: a dry run,
 * which writes nothing to the store and leaves out->run_id 0) with its KPIs
 * and figures in the store, and keep the figures in out.  KPIs that fail are
 * reported on the log and counted in out->failed; KPIs with periods that
 * could not be evaluated (a dataset or field missing, no data yet) are
 * logged as a warning with the reason, counted in out->not_evaluated,
 * and recorded with the status "not evaluated" and that reason, the run
 * as "incomplete".  Datasets whose newest input is older than their
 * max_age_days are logged, kept in out->stale and recorded as the message
 * of each KPI over them that was evaluated.  0 on success (even with
 * failed KPIs); -1 with err when the run could not be evaluated or
 * recorded.  Release out with evaluation_release in both cases.
 * keep_from: with every KPI wanted (only_kpi NULL) and a kind, the KPIs
 * marked kept (run_confirm_keep) are not evaluated: their figures are
 * copied from run keep_from in the store and read back into out; 0, or
 * any other call, clears the marks and evaluates every KPI. */
int evaluation_run(peil_context *ctx, const char *kind, const char *listing,
		   int32_t from, int32_t to, const char *only_kpi,
		   int64_t keep_from, evaluation *out, peil_error *err);
void evaluation_release(evaluation *ev);

/* Record the beginning of a run of the kind over [from, to] that began at
 * started (unix seconds), with the store's inputs fingerprint, the
 * configuration's and scripts' hashes, what a cases run lists (listing,
 * else NULL) and the run it confirms (0: none; run_confirm.h).  0 with
 * *run_id, or -1 with err. */
int evaluation_begin(peil_context *ctx, const char *kind,
		     const char *listing, int32_t from, int32_t to,
		     int64_t confirms, int64_t started,
		     int64_t *run_id, peil_error *err);

#endif
