/*
 * prometheus.h - figures in the Prometheus text exposition format 0.0.4,
 * for node_exporter's textfile collector (and so for Grafana).
 *
 * Families, each written in one block:
 *   peil_kpi_value{kpi, period, <breakdown fields>}        the figure
 *   peil_kpi_numerator{...}, peil_kpi_denominator{...}     where present
 *   peil_kpi_status{..., status="met"} 1                   where a target is
 *   peil_kpi_target_min{kpi}, peil_kpi_target_max{kpi}
 *   peil_kpi_info{kpi, title, unit} 1
 *   peil_kpi_final{kpi, period}  1 final, 0 provisional (finality.h)
 *   peil_run_id, peil_run_started_timestamp_seconds
 *   peil_run_published    0 for an ad-hoc evaluation or a failed run
 * A total has no breakdown labels; a null breakdown value is "(onbekend)".
 * Figures hidden by the small-cell rules are left out.
 */
#ifndef PEIL_PROMETHEUS_H
#define PEIL_PROMETHEUS_H

#include <stdint.h>
#include <stdio.h>

#include "kpi/kpi.h"
#include "model/input_age.h"
#include "model/results.h"

/* Write the sorted, disclosed table t of a run started at run_started
 * (unix seconds).  kpis gives titles and targets (NULL: none); stale the
 * datasets whose input was too old when the run began (NULL: none), as
 * peil_dataset_input_age_days and peil_dataset_stale; unpublished when
 * the run is not a published one (peil_run_published 0).  0; -1 (nothing
 * written) when t was not disclosed. */
int prometheus_write(FILE *out, const result_table *t, const kpi_set *kpis,
		     int64_t run_started, const input_ages *stale,
		     int unpublished);

#endif
