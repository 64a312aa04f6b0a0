/*
 * run_confirm.h - a run that changed nothing: it confirms the figures of
 * the run it would have repeated instead of evaluating them again.
 *
 * peil run asks run_confirm_check after its ingest.  Nothing changed
 * since the latest published run when the store's data is the same (the
 * fingerprint of its ingest log), the configuration and every KPI's
 * definition hash are, the run's resolved periods are, and no period of
 * them became final since that run began.  Then the run records itself
 * as confirming that run (status "unchanged", no figures of its own), and
 * show, report and export keep serving that run's figures.  The check
 * reads the run log and the ingest log, never the data.
 */
#ifndef PEIL_RUN_CONFIRM_H
#define PEIL_RUN_CONFIRM_H

#include <stddef.h>
#include <stdint.h>

#include "engine/context.h"
#include "model/finality.h"

/* Whether nothing the latest published run was built from changed since
 * it began: 1 with *base its id, or 0 with why (a sentence, for the log)
 * when something did or the store cannot record a confirmation (version
 * 12 of its ops); -1 with err when the store fails.  [from, to] is the
 * range the run would evaluate, after its delay. */
int run_confirm_check(peil_context *ctx, const finality *fin, int32_t from,
		      int32_t to, int64_t *base, char *why, size_t why_size,
		      peil_error *err);

/* KPI-level reuse, for a run that evaluates: when the run the store
 * serves was built from the same configuration, scripts and range, and
 * no period of the range became final since, mark kept (kpi_set_keep)
 * each wanted KPI that was "ok" in it with the same definition hash and
 * none of whose datasets (kpi_each_dataset) had an ingest since it began:
 * its figures are that run's.  *kept says how many, *base that run (0
 * when none is kept); every other KPI's mark is cleared.  0, or -1 with
 * err. */
int run_confirm_keep(peil_context *ctx, const finality *fin, int32_t from,
		     int32_t to, int64_t *base, size_t *kept, peil_error *err);

/* Record a run of [from, to] that confirms run base, as ended
 * "unchanged"; its id goes to *run_id.  0, or -1 with err. */
int run_confirm_record(peil_context *ctx, int32_t from, int32_t to,
		       int64_t base, int64_t *run_id, peil_error *err);

#endif
