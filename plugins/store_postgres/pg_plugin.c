/*
 * pg_plugin.c - the postgres storage plugin's descriptor: its name, its
 * config keys, and the versions of peil_storage_ops it implements whole:
 * 1 (datasets, batches, the ingest log, runs, results), 2 (change log,
 * snapshots, prune; backup refuses with pg_dump's command), 3 (bulk
 * storing, through COPY), 6 (a store that must be there), 7 (scoped
 * snapshots), 8 (recorded reports), 9, 10 and 11 (figure sizes, earlier
 * figures, KPI definitions), 12 (what a cases run listed) and 13 (runs
 * that confirm another, files' sizes, times and inodes, results_copy),
 * 14 (readers on a hot standby, the writers' advisory lock:
 * pg_session.c), 15 (scans from a key inside a scan), 16 (the
 * public figures of a run, pg_public.c), 18 (the build of each run) and
 * 19 (writes by something other than Peil, pg_outside.c).  The groups of versions 4
 * (loads) and 5 (a suggested lock file) are left NULL: the host does
 * without them; the advisory lock makes [run] lock_file optional
 * (docs/storage-postgres.md).
 */
#include "pg_store.h"

#ifndef PEIL_VERSION
#define PEIL_VERSION "unknown"
#endif

static const peil_storage_ops store_ops = {
	.size = PEIL_STORAGE_OPS_SIZE_V19,
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
	.snapshot_begin = pg_snapshot_begin,
	.snapshot_end = pg_snapshot_end,
	.input_changes_scan = pg_input_changes_scan,
	.run_last_ingest = pg_run_last_ingest,
	.backup = pg_backup,
	.runs_prune = pg_runs_prune,
	.records_put = pg_records_put,
	.open_existing = pg_open_existing,
	.snapshot_scope_begin = pg_snapshot_scope_begin,
	.report_put = pg_report_put_primary,
	.reports_scan = pg_reports_scan,
	.keeps_result_size = 1,
	.keeps_earlier_figures = 1,
	.keeps_kpi_definitions = 1,
	.keeps_run_listings = 1,
	.keeps_run_confirmations = 1,
	.results_copy = pg_results_copy,
	.open_reader = pg_open_reader,
	.lock = pg_lock,
	.scans_from_key = 1,
	.public_figures_put = pg_public_figures_put,
	.keeps_run_builds = 1,
	.changed_outside = pg_changed_outside,
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
