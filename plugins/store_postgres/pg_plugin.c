/*
 * pg_plugin.c - the postgres storage plugin's descriptor: its name, its
 * config keys, and the versions of peil_storage_ops it implements whole:
 * 1 (datasets, batches, the ingest log, runs, results), 3 (bulk storing,
 * through COPY), 6 (a store that must be there), 9, 10 and 11 (figure
 * sizes, earlier figures, KPI definitions).  The groups of versions 2, 4,
 * 5, 7 and 8 are left NULL, so the host does without them or refuses the
 * command naming the version (docs/storage-postgres.md).
 */
#include "pg_store.h"

#ifndef PEIL_VERSION
#define PEIL_VERSION "unknown"
#endif

static const peil_storage_ops store_ops = {
	.size = PEIL_STORAGE_OPS_SIZE_V11,
	.open = pg_open,
	.close = pg_close,
	.dataset_ensure = pg_dataset_ensure,
	.batch_begin = pg_batch_begin,
	.batch_commit = pg_batch_commit,
	.batch_rollback = pg_batch_rollback,
	.record_put = pg_record_put,
	.ingest_seen = pg_ingest_seen,
	.ingest_log = pg_ingest_log,
	.inputs_fingerprint = pg_inputs_fingerprint,
	.scan = pg_scan,
	.run_begin = pg_run_begin,
	.run_kpi_put = pg_run_kpi_put,
	.result_put = pg_result_put,
	.run_end = pg_run_end,
	.results_scan = pg_results_scan,
	.runs_scan = pg_runs_scan,
	.run_kpis_scan = pg_run_kpis_scan,
	.ingest_scan = pg_ingest_scan,
	.records_put = pg_records_put,
	.open_existing = pg_open_existing,
	.keeps_result_size = 1,
	.keeps_earlier_figures = 1,
	.keeps_kpi_definitions = 1,
};

static const peil_plugin store_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "postgres",
	.description = "PostgreSQL database (libpq), one schema per store",
	.version = PEIL_VERSION,
	.kind = PEIL_PLUGIN_STORAGE,
	.storage = &store_ops,
	.config_keys = pg_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &store_plugin;
}
