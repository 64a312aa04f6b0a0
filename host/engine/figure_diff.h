/*
 * figure_diff.h - finding the run before another, whose figures
 * model/figure_diff.h compares.
 */
#ifndef PEIL_FIGURE_DIFF_H
#define PEIL_FIGURE_DIFF_H

#include <stdint.h>

#include "engine/context.h"
#include "model/figure_diff.h"

/* The latest run with figures (status ok or kpi failed) older than
 * before (0: any), into *found, 0 when there is none.  0, or -1 with err. */
int figure_run_before(peil_context *ctx, int64_t before, int64_t *found,
		      peil_error *err);

#endif
