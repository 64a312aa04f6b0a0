/*
 * store_v1.c - the sqlite store with a descriptor of version 1 of
 * peil_storage_ops: a real, working store that lacks every appended
 * callback (change tracking, snapshots, housekeeping, bulk storing, loads,
 * the lock file), as a plugin built against the first header would.  The
 * table ends at PEIL_STORAGE_OPS_SIZE_V1; the fields after it are not
 * set, so a host that read past size would call NULL.  tests/e2e/
 * store_v1.sh runs every peil command against it.
 *
 * Built with STORE_V1_SHORT it is "sqlite_short", a table that ends at
 * results_scan, three callbacks short of version 1: where the loader put
 * the end of version 1 before the header said, so that it accepted such
 * a plugin and `peil run` called its runs_scan, NULL.  It must be
 * refused at load.
 *
 * Built with STORE_V14 it is "sqlite_v14": version 1, open_existing
 * (version 6) and version 14 as tests/unit/test_store.c needs it to see
 * that the host calls it: open_reader refuses, saying it was called, and
 * the store's lock is always another's.
 */
#include <stdio.h>

#include "sqlite_store.h"

#ifdef STORE_V1_SHORT
#define STORE_V1_NAME "sqlite_short"
#define STORE_V1_SIZE PEIL_SIZE_TO(peil_storage_ops, results_scan)
#elif defined(STORE_V14)
#define STORE_V1_NAME "sqlite_v14"
#define STORE_V1_SIZE PEIL_STORAGE_OPS_SIZE_V14

static int reader_refuses(const peil_services *svc, peil_host *host,
			  void **state, peil_error *err)
{
	(void)host;
	*state = NULL;
	return svc->fail(err, NULL, 0, NULL, "open_reader was called");
}

static int lock_held(void *state, long wait_ms, peil_error *err)
{
	(void)state;
	snprintf(err->message, sizeof(err->message),
		 "another peil holds the lock; waited %ld ms", wait_ms);
	return PEIL_STORE_LOCK_BUSY;
}
#else
#define STORE_V1_NAME "sqlite_v1"
#define STORE_V1_SIZE PEIL_STORAGE_OPS_SIZE_V1
#endif

static const peil_storage_ops store_v1_ops = {
	.size = STORE_V1_SIZE,
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
#ifndef STORE_V1_SHORT
	.runs_scan = store_runs_scan,
	.run_kpis_scan = store_run_kpis_scan,
	.ingest_scan = store_ingest_scan,
#endif
#ifdef STORE_V14
	.open_existing = store_open_existing,
	.open_reader = reader_refuses,
	.lock = lock_held,
#endif
};

static const peil_plugin store_v1_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = STORE_V1_NAME,
	.description = "the sqlite store with version 1 of its ops only "
		       "(a test)",
	.version = "1.0",
	.kind = PEIL_PLUGIN_STORAGE,
	.storage = &store_v1_ops,
	.config_keys = store_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &store_v1_plugin;
}
