/*
 * disclose.h - the small-cell rules (model/disclosure.h) applied to a
 * table of figures with what the loaded KPIs know: their additive
 * families, and which of them are public.  One path for every output and
 * for the public figures a run records for dashboards (evaluation.c).
 */
#ifndef PEIL_ENGINE_DISCLOSE_H
#define PEIL_ENGINE_DISCLOSE_H

#include "engine/context.h"
#include "model/disclosure.h"
#include "model/results.h"

/* Apply rules to the sorted table t, with the additive families of
 * ctx's KPIs.  0, or -1 when out of memory (t is then not disclosed). */
int disclose_table(const peil_context *ctx, result_table *t,
		   disclosure_rules rules);
/* Keep only the rows of t of the public KPIs of kpis (none when NULL). */
void disclose_keep_public(const kpi_set *kpis, result_table *t);
/* What a public output shows of t: the rows of public KPIs only, under
 * the rules of [privacy public].  0, or -1 when out of memory. */
int disclose_public(const peil_context *ctx, result_table *t);

#endif
