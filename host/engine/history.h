/*
 * history.h - the recorded runs: each with its KPIs and the inputs that
 * were new to it, the two runs a diff compares and what the ingests
 * between them changed, and pruning old runs.
 *
 * The commands peil runs, diff and prune parse their options, call these,
 * print and choose the exit code; what a run's inputs are, how changes
 * fold and which runs go is decided here.
 */
#ifndef PEIL_HISTORY_H
#define PEIL_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "engine/context.h"
#include "engine/figure_diff.h"
#include "model/finality.h"

/* One run as history_runs gives it.  record and its strings are valid
 * during the callback only. */
typedef struct history_run {
	const peil_run_record *record;
	size_t kpis, failed;	/* KPIs recorded, and of them failed */
	char failures[1024];	/* the failed KPIs' ids, ", "-joined */
	char stale[512];	/* the run's stale inputs (model/input_age.h),
				   "; "-joined; "" when none */
	size_t inputs;		/* new inputs given so far */
} history_run;

/* What history_runs calls for each run: run first, then input for each
 * ingest that was new to it, then run_end.  Each returns 0 to go on;
 * another value stops the walk, which then fails. */
typedef struct history_runs_fns {
	void *ctx;
	int (*run)(void *ctx, const history_run *run);
	int (*input)(void *ctx, const history_run *run,
		     const peil_ingest_entry *entry);
	int (*run_end)(void *ctx, const history_run *run);
} history_runs_fns;

/* The runs, newest first (only run run_id when it is not 0), each with
 * the ingests after the last one the run before it saw, up to the last
 * it saw itself: none when the store does not remember them (version 2
 * of its ops).  *count says how many runs there are.  0, or -1 with err
 * (an unknown run_id is the store's error). */
int history_runs(peil_context *ctx, int64_t run_id,
		 const history_runs_fns *fns, size_t *count, peil_error *err);

/* Whether run published figures of [from, to] (ISO dates; from NULL: of
 * any period): a scheduled run (kind "run", not peil eval's or an ad-hoc
 * report's "eval") that ended "ok" (every KPI it took evaluated for every
 * period) or "incomplete" (what was not evaluated says why, in every
 * output), and covers the range.  Only such runs are read by default; a
 * run that confirms another ("unchanged") publishes none of its own. */
int history_run_published(const peil_run_record *run, const char *from,
			  const char *to);

/* Fill in the runs a diff compares where *a or *b is 0: *b is the latest
 * run with figures, *a the one with figures before *b.  Either stays 0
 * when there is no such run.  0, or -1 with err. */
int history_diff_runs(peil_context *ctx, int64_t *a, int64_t *b,
		      peil_error *err);

/* What the ingests between two runs did to one row, all of them taken
 * together: added then changed is added, added then removed is nothing
 * (and not given), removed then added is changed.  Strings are valid
 * during the callback only. */
typedef struct history_change {
	const char *dataset;
	const char *key;
	const char *kind;	/* "added", "changed" or "removed" */
} history_change;

typedef struct history_change_counts {
	size_t added, changed, removed;
} history_change_counts;

/* The net change of each row between runs a and b (in either order), in
 * dataset and key order, to fn (0 to go on), counted into *counts.  The
 * store must keep the change log (version 2 of its ops: store_has).  0,
 * or -1 with err. */
int history_input_changes(peil_context *ctx, int64_t a, int64_t b,
			  void (*fn)(void *arg, const history_change *change),
			  void *arg, history_change_counts *counts,
			  peil_error *err);

/* A final figure that changed, and whether today's small-cell rules
 * hide it in the old run's figures and in the new run's: a hidden side's
 * value must not be printed. */
typedef struct history_final_change {
	const figure_change *change;	/* the figures as stored */
	int old_hidden, new_hidden;
} history_final_change;

/* When run run_id publishes its figures (history_run_published), those
 * that differ from the figures of the latest run published before it
 * (*previous; 0 when there is none or run_id publishes nothing, and then
 * nothing is compared) in a period that fin says is final today: a
 * published figure that moved.  Each goes to fn and is counted in
 * *changed.  0, or -1 with err. */
int history_final_changes(peil_context *ctx, const finality *fin,
			  int64_t run_id, int64_t *previous,
			  void (*fn)(void *arg,
				     const history_final_change *change),
			  void *arg, size_t *changed, peil_error *err);

typedef struct history_pruned {
	size_t picked;		/* runs chosen */
	int64_t runs;		/* runs deleted */
	int64_t figures;	/* figures deleted */
} history_pruned;

/* Delete the runs beyond the newest keep (0: no limit) that also started
 * more than older_than_days ago (0: any age), keeping each latest figure
 * of a period that fin says is final today, and the run that recorded
 * it.  The store must prune (version 2).  0 with *out set, or -1 with
 * err. */
int history_prune(peil_context *ctx, const finality *fin, long long keep,
		  long long older_than_days, history_pruned *out,
		  peil_error *err);

#endif
