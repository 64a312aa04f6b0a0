/*
 * store.h - the one door to the storage plugin.
 *
 * Nothing else in the host calls a peil_storage_ops callback: a store
 * wraps the loaded plugin, its peil_host and its state, learns once, when
 * the plugin is loaded, which versions of the ops table the plugin has
 * (as SQLite's os.c learns a VFS's), and gives the rest of the host plain
 * functions.  Version 1 is complete in every store (the loader refuses
 * less).  Where a later callback is missing, a function does without it
 * when that is honest (bulk storing becomes record_put per record, a load
 * prepares nothing) and otherwise fails with an error that names the
 * plugin, its version and the version of the table it lacks.
 *
 * Every function that can fail returns 0 or -1 with the caller's err
 * filled.  Each wraps the callback of the same name in peil/plugin.h,
 * whose comment is its contract; only what differs is said here.
 */
#ifndef PEIL_STORE_H
#define PEIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "peil/plugin.h"
#include "plugin/loader.h"

typedef struct store store;

/* The versions of peil_storage_ops after the first, as plugin.h labels
 * them; store_has and store_require take one. */
enum store_version {
	STORE_V2_CHANGES = 2,	/* change tracking, snapshots, housekeeping */
	STORE_V3_BULK = 3,	/* records_put */
	STORE_V4_LOADS = 4,	/* load_begin, load_end */
	STORE_V5_LOCK_PATH = 5,	/* lock_path */
	STORE_V6_EXISTING = 6,	/* open_existing */
	STORE_V7_SCOPES = 7,	/* snapshot_scope_begin */
	STORE_V8_REPORTS = 8,	/* report_put, reports_scan */
	STORE_V9_SIZES = 9,	/* keeps_result_size */
	STORE_V10_EARLIER = 10,	/* keeps_earlier_figures */
	STORE_V11_DEFINITIONS = 11,	/* keeps_kpi_definitions */
	STORE_V12_LISTINGS = 12,	/* keeps_run_listings */
	STORE_V13_CONFIRMATIONS = 13,	/* keeps_run_confirmations,
					   results_copy */
	STORE_V14_READERS = 14,	/* open_reader, lock */
	STORE_V15_FROM_KEY = 15,	/* scans_from_key */
	STORE_V16_PUBLIC = 16,	/* public_figures_put */
	STORE_V17_RESULTS = 17,	/* results_put */
	STORE_V18_BUILDS = 18,	/* keeps_run_builds */
	STORE_V19_OUTSIDE = 19	/* changed_outside */
};

/* How store_open opens a store. */
enum store_open_mode {
	STORE_OPEN_EXISTING = 0,	/* open_existing: must be there */
	STORE_OPEN_CREATE = 1,	/* open: created when missing */
	STORE_OPEN_READER = 2	/* open_reader: a command that only reads */
};

/* Load the storage plugin NAME from path, without opening the store:
 * then store_lock_path may be asked before anything touches it.  The
 * plugin is handed svc and host (host_new for its config section), both
 * borrowed: they must outlive the store.  0 with *out set (free with
 * store_free), or -1 with err. */
int store_load(const loader_path *path, const char *name,
	       const peil_services *svc, peil_host *host, store **out,
	       peil_error *err);

/* Open the store (mode: enum store_open_mode): STORE_OPEN_CREATE, the
 * plugin's open, which creates a store that is not there (peil ingest and
 * run); STORE_OPEN_EXISTING, its open_existing (version 6), which refuses
 * a missing, empty or schema-less store; STORE_OPEN_READER, for a command
 * that only reads, its open_reader (version 14), else open_existing.  A
 * plugin without version 6 gets open either way.  0, or -1 with err; a
 * store that failed to open may be opened again or freed.  A second
 * connection (store_open_another) opens as the first did. */
int store_open(store *s, int mode, peil_error *err);

/* Take the store's own lock of the commands that write it (version 14),
 * waiting up to wait_ms: 0 when taken or when the plugin has none (the
 * lock file is then the only lock), PEIL_STORE_LOCK_BUSY with err when
 * another holds it, -1 with err. */
int store_lock(store *s, long wait_ms, peil_error *err);

/* A second connection to the open store s: its own state of the same
 * plugin and configuration, for another thread (docs/plugins.md,
 * "Threads").  NULL with err when the plugin cannot open one.  Free it
 * with store_free before s. */
store *store_open_another(store *s, peil_error *err);

/* Close the store's state; for the store of store_load, also the
 * plugin.  Accepts NULL. */
void store_free(store *s);

/* The plugin's descriptor: its name, version and config keys. */
const peil_plugin *store_plugin(const store *s);

/* The file the plugin was loaded from (peil check shows it). */
const char *store_plugin_path(const store *s);

/* Whether the plugin has the callbacks of version v (a complete group). */
int store_has(const store *s, enum store_version v);

/* 0 when the plugin has version v; else -1 with err saying "storage
 * plugin 'NAME' VERSION does not ... (version V of peil_storage_ops)",
 * then "; " and why when why is not NULL ("peil backup needs it"). */
int store_require(const store *s, enum store_version v, const char *why,
		  peil_error *err);

/* Where the store suggests the run lock (version 5), from the
 * configuration alone: the store need not be open.  -1 with err as
 * store_require when the plugin cannot suggest one. */
int store_lock_path(const store *s, char *out, size_t size, peil_error *err);

/* ---- version 1 ---- */

int store_dataset_ensure(store *s, const peil_schema *schema,
			 peil_error *err);
int store_batch_begin(store *s, peil_error *err);
int store_batch_commit(store *s, peil_error *err);
void store_batch_rollback(store *s);
int store_record_put(store *s, const peil_schema *schema,
		     const peil_value *values, peil_error *err);
int store_ingest_seen(store *s, const peil_ingest_entry *probe, int *seen,
		      peil_error *err);
int store_ingest_log(store *s, const peil_ingest_entry *entry,
		     peil_error *err);
int store_inputs_fingerprint(store *s, char out[65], peil_error *err);
int store_scan(store *s, const peil_schema *schema, const peil_filter *filter,
	       const size_t *projection, size_t projection_count,
	       peil_row_fn row, void *ctx, peil_error *err);
int store_run_begin(store *s, const peil_run_info *info, int64_t *run_id,
		    peil_error *err);
int store_run_kpi_put(store *s, int64_t run_id, const peil_run_kpi *kpi,
		      peil_error *err);
int store_result_put(store *s, int64_t run_id, const peil_result *result,
		     peil_error *err);
/* The n figures of run_id, as store_result_put of each (version 17: in
 * one call). */
int store_results_put(store *s, int64_t run_id, const peil_result *rows,
		      size_t n, peil_error *err);
/* Version 12: copy kpi's figures of from_run into to_run. */
int store_results_copy(store *s, int64_t from_run, int64_t to_run,
		       const char *kpi, peil_error *err);
/* Version 16: the n figures of run_id a public output shows; nothing
 * (0) for a store without version 16. */
int store_public_figures_put(store *s, int64_t run_id,
			     const peil_result *rows, size_t n,
			     peil_error *err);
int store_run_end(store *s, int64_t run_id, const char *status,
		  int64_t ended, peil_error *err);
int store_results_scan(store *s, const peil_result_query *query,
		       int (*fn)(void *ctx, const peil_result *result),
		       void *ctx, peil_error *err);
int store_runs_scan(store *s, int64_t run_id,
		    int (*fn)(void *ctx, const peil_run_record *run),
		    void *ctx, peil_error *err);
int store_run_kpis_scan(store *s, int64_t run_id,
			int (*fn)(void *ctx, const peil_run_kpi *kpi),
			void *ctx, peil_error *err);
int store_ingest_scan(store *s,
		      int (*fn)(void *ctx, const peil_ingest_entry *entry),
		      void *ctx, peil_error *err);

/* ---- version 2: each fails as store_require without it ---- */

int store_snapshot_begin(store *s, const peil_schema *schema,
			 peil_error *err);
/* A snapshot of the rows whose text field scope_field holds scope_value
 * (version 7, required): snapshot_end then removes only those. */
int store_snapshot_scope_begin(store *s, const peil_schema *schema,
			       size_t scope_field, const char *scope_value,
			       peil_error *err);
int store_snapshot_end(store *s, const peil_schema *schema,
		       int64_t *removed, peil_error *err);
int store_input_changes_scan(store *s, int64_t from_run, int64_t to_run,
			     int (*fn)(void *ctx,
				       const peil_input_change *change),
			     void *ctx, peil_error *err);
int store_run_last_ingest(store *s, int64_t run_id, int64_t *ingest_id,
			  peil_error *err);
int store_backup(store *s, const char *path, peil_error *err);
int store_runs_prune(store *s, const peil_prune *prune, int64_t *runs_deleted,
		     int64_t *figures_deleted, peil_error *err);

/* ---- version 8: each fails as store_require without it ---- */

int store_report_put(store *s, const peil_report_record *report,
		     int64_t *report_id, peil_error *err);
int store_reports_scan(store *s,
		       int (*fn)(void *ctx, const peil_report_record *report),
		       void *ctx, peil_error *err);

/* ---- versions 3 and 4: with a fallback ---- */

/* records_put; without it, record_put for each record in turn.  Either
 * way, on failure *stored is the index of the record that failed. */
int store_records_put(store *s, const peil_schema *schema,
		      const peil_value *values, size_t count, size_t *stored,
		      peil_error *err);
/* load_begin and load_end; without them, nothing: the store goes on as
 * it is, which the callbacks' contract allows. */
int store_load_begin(store *s, int64_t bytes, peil_error *err);
void store_load_end(store *s);

/* ---- version 19: with a fallback ---- */

/* changed_outside; without it, *after_run 0: the store cannot tell. */
int store_changed_outside(store *s, int64_t *after_run, peil_error *err);

#endif
