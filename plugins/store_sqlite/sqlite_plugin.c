/*
 * sqlite_plugin.c - the sqlite storage plugin's descriptor: its name, its
 * config keys, and its callbacks, every version of peil_storage_ops.
 *
 * Apart from the rest of the plugin so that tests/plugins/store_v1.c can
 * build the same store with another descriptor, one that ends at version
 * 1, for the host's tests of what it does without the later callbacks.
 */
#include "sqlite_store.h"

#ifndef PEIL_VERSION
#define PEIL_VERSION "unknown"
#endif

static const peil_storage_ops store_ops = {
	.size = sizeof(peil_storage_ops),
	.open = store_open_state,
	.close = store_close,
	.dataset_ensure = store_dataset_ensure,
	.batch_begin = store_batch_begin,
	.batch_commit = store_batch_commit,
	.batch_rollback = store_batch_rollback,
	.record_put = store_record_put,
	.ingest_seen = store_ingest_seen,
	.ingest_log = store_ingest_log,
	.inputs_fingerprint = store_inputs_fingerprint,
	.scan = store_scan,
	.run_begin = store_run_begin,
	.run_kpi_put = store_run_kpi_put,
	.result_put = store_result_put,
	.run_end = store_run_end,
	.results_scan = store_results_scan,
	.runs_scan = store_runs_scan,
	.run_kpis_scan = store_run_kpis_scan,
	.ingest_scan = store_ingest_scan,
	.snapshot_begin = store_snapshot_begin,
	.snapshot_end = store_snapshot_end,
	.input_changes_scan = store_input_changes_scan,
	.run_last_ingest = store_run_last_ingest,
	.backup = store_backup,
	.runs_prune = store_runs_prune,
	.records_put = store_records_put,
	.load_begin = store_load_begin,
	.load_end = store_load_end,
	.lock_path = store_lock_path,
	.open_existing = store_open_existing,
	.snapshot_scope_begin = store_snapshot_scope_begin,
	.report_put = store_report_put,
	.reports_scan = store_reports_scan,
	.keeps_result_size = 1,
	.keeps_earlier_figures = 1,
	.keeps_kpi_definitions = 1,
	.keeps_run_listings = 1,
	.keeps_run_confirmations = 1,
	.results_copy = store_results_copy,
	.scans_from_key = 1,
	.results_put = store_results_put,
	.keeps_run_builds = 1,
	.changed_outside = store_changed_outside,
};

static const peil_plugin store_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "sqlite",
	.description = "embedded SQLite database file (the default store)",
	.version = PEIL_VERSION,
	.kind = PEIL_PLUGIN_STORAGE,
	.storage = &store_ops,
	.config_keys = store_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &store_plugin;
}
