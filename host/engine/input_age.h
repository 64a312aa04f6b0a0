/*
 * input_age.h - the age of each dataset's newest input, against its
 * [dataset NAME] max_age_days.
 *
 * A figure over an export that stopped arriving looks as right as one over
 * today's: a dataset whose newest ingest-log entry (of any of its sources)
 * is older than max_age_days at the time of the evaluation is stale, and
 * the run says so in the log, its exit code (2) and every output.  A
 * dataset with no input at all is left to the KPIs' "not evaluated".
 */
#ifndef PEIL_ENGINE_INPUT_AGE_H
#define PEIL_ENGINE_INPUT_AGE_H

#include <stdint.h>

#include "base/error.h"
#include "engine/context.h"
#include "model/input_age.h"

/* The datasets of ctx with a max_age_days whose newest input is more than
 * that many days older than now (unix seconds) into *out, in the order of
 * the config, each logged as a warning naming the dataset, its age and the
 * setting's line.  0 on success; -1 with err when the ingest log could not
 * be read or memory ran out.  Call input_ages_release (model/input_age.h) in both
 * cases. */
int input_age_check(peil_context *ctx, int64_t now, input_ages *out,
		    peil_error *err);

/* The day (local date, days since 1970-01-01) of the newest input of each
 * dataset of ctx's settings into days[i] for settings.datasets[i],
 * INT32_MAX for one without input: what a dataset holds ends on that day
 * (kpi_source.input_day).  One scan of the ingest log.  0, or -1 with err
 * when it could not be read. */
int input_age_newest_days(peil_context *ctx, int32_t *days, peil_error *err);

#endif
