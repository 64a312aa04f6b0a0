/*
 * store.c - the storage plugin's callbacks, each called here and nowhere
 * else in the host.
 *
 * Which versions of peil_storage_ops the plugin has is read once, in
 * store_load, into has: a plugin's table may end at any version (an older
 * plugin's is smaller), and a field past its size is not the plugin's, so
 * it must never be read, let alone called.  Before this door there were
 * eleven, some of which called a callback without looking: a plugin whose
 * table ended at results_scan was accepted and `peil run` called its
 * runs_scan, NULL (tests/e2e/store_v1.sh).
 */
#include "plugin/store.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

struct store {
	const peil_storage_ops *ops;
	void *state;		/* NULL until opened */
	unsigned has;		/* bit v: the plugin has version v */
	/* Owned by the store of store_load; borrowed from it by a store
	 * of store_open_another, whose owner is set. */
	loaded_plugin *plugin;
	/* Borrowed from the caller of store_load: the store needs the
	 * services table and a host, but building them is the services'
	 * module (host.c), which itself stores records through the store:
	 * taking them keeps the files of plugin/ free of a cycle. */
	const peil_services *svc;
	peil_host *host;
	const store *owner;
	int mode;		/* as store_open was told */
};

/* Whether the table holds the whole group of version v, every callback
 * set: a group is there or not, so that no caller asks per field. */
static int version_complete(const peil_storage_ops *o, unsigned v)
{
	switch (v) {
	case STORE_V2_CHANGES:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V2 &&
		       o->snapshot_begin && o->snapshot_end &&
		       o->input_changes_scan && o->run_last_ingest &&
		       o->backup && o->runs_prune;
	case STORE_V3_BULK:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V3 && o->records_put;
	case STORE_V4_LOADS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V4 && o->load_begin &&
		       o->load_end;
	case STORE_V5_LOCK_PATH:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V5 && o->lock_path;
	case STORE_V6_EXISTING:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V6 && o->open_existing;
	case STORE_V7_SCOPES:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V7 &&
		       o->snapshot_scope_begin;
	case STORE_V8_REPORTS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V8 && o->report_put &&
		       o->reports_scan;
	case STORE_V9_SIZES:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V9 &&
		       o->keeps_result_size;
	case STORE_V10_EARLIER:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V10 &&
		       o->keeps_earlier_figures;
	case STORE_V11_DEFINITIONS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V11 &&
		       o->keeps_kpi_definitions;
	case STORE_V12_LISTINGS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V12 &&
		       o->keeps_run_listings;
	case STORE_V13_CONFIRMATIONS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V13 &&
		       o->keeps_run_confirmations && o->results_copy;
	case STORE_V14_READERS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V14 &&
		       o->open_reader && o->lock;
	case STORE_V15_FROM_KEY:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V15 &&
		       o->scans_from_key;
	case STORE_V16_PUBLIC:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V16 &&
		       o->public_figures_put;
	case STORE_V17_RESULTS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V17 && o->results_put;
	case STORE_V18_BUILDS:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V18 &&
		       o->keeps_run_builds;
	case STORE_V19_OUTSIDE:
		return o->size >= PEIL_STORAGE_OPS_SIZE_V19 &&
		       o->changed_outside;
	}
	return 0;
}

int store_load(const loader_path *path, const char *name,
	       const peil_services *svc, peil_host *host, store **out,
	       peil_error *err)
{
	store *s = calloc(1, sizeof(*s));
	unsigned v;

	*out = NULL;
	if (!s)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (loader_open(path, name, PEIL_PLUGIN_STORAGE, &s->plugin, err) < 0) {
		free(s);
		return -1;
	}
	s->ops = s->plugin->plugin->storage;
	s->has = 1u << 1;	/* the loader refuses less than version 1 */
	for (v = STORE_V2_CHANGES; v <= STORE_V19_OUTSIDE; v++)
		if (version_complete(s->ops, v))
			s->has |= 1u << v;
	s->svc = svc;
	s->host = host;
	*out = s;
	return 0;
}

int store_open(store *s, int mode, peil_error *err)
{
	int (*open)(const peil_services *, peil_host *, void **,
		    peil_error *) = s->ops->open;

	if (mode == STORE_OPEN_READER && store_has(s, STORE_V14_READERS))
		open = s->ops->open_reader;
	else if (mode != STORE_OPEN_CREATE && store_has(s, STORE_V6_EXISTING))
		open = s->ops->open_existing;
	s->mode = mode;
	if (open(s->svc, s->host, &s->state, err) < 0) {
		s->state = NULL;
		return -1;
	}
	return 0;
}

store *store_open_another(store *s, peil_error *err)
{
	store *another = malloc(sizeof(*another));

	if (!another) {
		error_set(err, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	*another = *s;
	another->owner = s;
	if (store_open(another, s->mode, err) < 0) {
		free(another);
		return NULL;
	}
	return another;
}

void store_free(store *s)
{
	if (!s)
		return;
	if (s->state)
		s->ops->close(s->state);
	if (!s->owner)
		loader_close(s->plugin);
	free(s);
}

const peil_plugin *store_plugin(const store *s)
{
	return s->plugin->plugin;
}

const char *store_plugin_path(const store *s)
{
	return s->plugin->path;
}

int store_has(const store *s, enum store_version v)
{
	return (unsigned)v < 32 && (s->has & (1u << v)) != 0;
}

/* What each version lets a store do, to end "does not ...". */
static const char *version_ability(enum store_version v)
{
	switch (v) {
	case STORE_V2_CHANGES:
		return "track changes, take snapshots, back up or prune";
	case STORE_V3_BULK:
		return "store records in bulk";
	case STORE_V4_LOADS:
		return "prepare for loads";
	case STORE_V5_LOCK_PATH:
		return "suggest a lock file";
	case STORE_V6_EXISTING:
		return "refuse a missing store";
	case STORE_V7_SCOPES:
		return "take a snapshot of one scope of a dataset";
	case STORE_V8_REPORTS:
		return "record reports";
	case STORE_V9_SIZES:
		return "keep the sizes of figures";
	case STORE_V10_EARLIER:
		return "keep figures of earlier periods apart";
	case STORE_V11_DEFINITIONS:
		return "keep the definitions of a run's KPIs";
	case STORE_V12_LISTINGS:
		return "keep what a cases run listed";
	case STORE_V13_CONFIRMATIONS:
		return "record runs that confirm another or keep its figures";
	case STORE_V14_READERS:
		return "open readers elsewhere or lock the store itself";
	case STORE_V15_FROM_KEY:
		return "scan from a key inside a scan";
	case STORE_V16_PUBLIC:
		return "keep the public figures of a run";
	case STORE_V17_RESULTS:
		return "store the figures of a run at once";
	case STORE_V18_BUILDS:
		return "keep the build that evaluated a run";
	case STORE_V19_OUTSIDE:
		return "tell a change made by another program";
	}
	return "do that";
}

int store_require(const store *s, enum store_version v, const char *why,
		  peil_error *err)
{
	const peil_plugin *p = store_plugin(s);

	if (store_has(s, v))
		return 0;
	return error_set(err, NULL, 0, NULL,
			 "storage plugin '%s' %s does not %s (version %d of "
			 "peil_storage_ops)%s%s", p->name,
			 p->version ? p->version : "(no version)",
			 version_ability(v), (int)v, why ? "; " : "",
			 why ? why : "");
}

/* The callbacks of the store's state are called through CALL, a plugin's
 * failure (any negative result) becoming the -1 of store.h; those of a
 * version after the first after need, which names the callback (or the
 * key) that needs the version.  The scans return what their callback
 * returned when it stopped them (plugin.h), so they call the plugin
 * directly. */
#define CALL(s, callback, ...)                                             \
	((s)->ops->callback((s)->state, __VA_ARGS__) < 0 ? -1 : 0)

/* store_require of version v, why "WHAT needs it". */
static int need(const store *s, enum store_version v, const char *what,
		peil_error *err)
{
	char why[64];

	snprintf(why, sizeof(why), "%s needs it", what);
	return store_require(s, v, why, err);
}

int store_lock_path(const store *s, char *out, size_t size, peil_error *err)
{
	if (store_require(s, STORE_V5_LOCK_PATH, NULL, err) < 0)
		return -1;
	return s->ops->lock_path(s->svc, s->host, out, size, err) < 0
		       ? -1
		       : 0;
}

int store_lock(store *s, long wait_ms, peil_error *err)
{
	int rc;

	if (!store_has(s, STORE_V14_READERS))
		return 0;
	rc = s->ops->lock(s->state, wait_ms, err);
	return rc == PEIL_STORE_LOCK_BUSY ? PEIL_STORE_LOCK_BUSY
					  : rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------ version 1 */

int store_dataset_ensure(store *s, const peil_schema *schema,
			 peil_error *err)
{
	return CALL(s, dataset_ensure, schema, err);
}

int store_batch_begin(store *s, peil_error *err)
{
	return CALL(s, batch_begin, err);
}

int store_batch_commit(store *s, peil_error *err)
{
	return CALL(s, batch_commit, err);
}

void store_batch_rollback(store *s)
{
	s->ops->batch_rollback(s->state);
}

int store_record_put(store *s, const peil_schema *schema,
		     const peil_value *values, peil_error *err)
{
	return CALL(s, record_put, schema, values, err);
}

int store_ingest_seen(store *s, const peil_ingest_entry *probe, int *seen,
		      peil_error *err)
{
	return CALL(s, ingest_seen, probe, seen, err);
}

int store_ingest_log(store *s, const peil_ingest_entry *entry,
		     peil_error *err)
{
	return CALL(s, ingest_log, entry, err);
}

int store_inputs_fingerprint(store *s, char out[65], peil_error *err)
{
	return CALL(s, inputs_fingerprint, out, err);
}

/* The scans return what their callback returned when it stopped them
 * (plugin.h): not only 0 or -1. */
int store_scan(store *s, const peil_schema *schema, const peil_filter *filter,
	       const size_t *projection, size_t projection_count,
	       peil_row_fn row, void *ctx, peil_error *err)
{
	return s->ops->scan(s->state, schema, filter, projection,
			    projection_count, row, ctx, err);
}

int store_run_begin(store *s, const peil_run_info *info, int64_t *run_id,
		    peil_error *err)
{
	return CALL(s, run_begin, info, run_id, err);
}

int store_run_kpi_put(store *s, int64_t run_id, const peil_run_kpi *kpi,
		      peil_error *err)
{
	return CALL(s, run_kpi_put, run_id, kpi, err);
}

int store_result_put(store *s, int64_t run_id, const peil_result *result,
		     peil_error *err)
{
	/* A store that cannot tell them from the run's own figures gets
	 * no earlier figures. */
	if (result->earlier && !store_has(s, STORE_V10_EARLIER))
		return 0;
	return CALL(s, result_put, run_id, result, err);
}

int store_results_put(store *s, int64_t run_id, const peil_result *rows,
		      size_t n, peil_error *err)
{
	/* Earlier figures go only to a store that keeps them apart
	 * (store_result_put drops them for any other). */
	if (!store_has(s, STORE_V17_RESULTS) ||
	    !store_has(s, STORE_V10_EARLIER)) {
		for (size_t i = 0; i < n; i++)
			if (store_result_put(s, run_id, &rows[i], err) < 0)
				return -1;
		return 0;
	}
	return CALL(s, results_put, run_id, rows, n, err);
}

int store_results_copy(store *s, int64_t from_run, int64_t to_run,
		       const char *kpi, peil_error *err)
{
	if (need(s, STORE_V13_CONFIRMATIONS, "results_copy", err) < 0)
		return -1;
	return CALL(s, results_copy, from_run, to_run, kpi, err);
}

int store_public_figures_put(store *s, int64_t run_id,
			     const peil_result *rows, size_t n,
			     peil_error *err)
{
	if (!store_has(s, STORE_V16_PUBLIC))
		return 0;
	return CALL(s, public_figures_put, run_id, rows, n, err);
}

int store_run_end(store *s, int64_t run_id, const char *status,
		  int64_t ended, peil_error *err)
{
	return CALL(s, run_end, run_id, status, ended, err);
}

struct sized_scan {
	int (*fn)(void *ctx, const peil_result *result);
	void *ctx;
};

/* The result fn gets, its size unknown. */
static int unsized_result(void *arg, const peil_result *result)
{
	struct sized_scan *scan = arg;
	peil_result r;

	memcpy(&r, result, offsetof(peil_result, size));
	r.size = NAN;
	r.earlier = 0;
	return scan->fn(scan->ctx, &r);
}

/* The result fn gets, with the run's own figures only (earlier 0). */
static int unflagged_result(void *arg, const peil_result *result)
{
	struct sized_scan *scan = arg;
	peil_result r;

	memcpy(&r, result, offsetof(peil_result, earlier));
	r.earlier = 0;
	return scan->fn(scan->ctx, &r);
}

int store_results_scan(store *s, const peil_result_query *query,
		       int (*fn)(void *ctx, const peil_result *result),
		       void *ctx, peil_error *err)
{
	struct sized_scan scan = { fn, ctx };

	/* A store that does not keep peil_result.size (or was built before
	 * it was appended) gives results copied up to it, size unknown. */
	if (!store_has(s, STORE_V9_SIZES))
		return s->ops->results_scan(s->state, query, unsized_result,
					    &scan, err);
	if (!store_has(s, STORE_V10_EARLIER))
		return s->ops->results_scan(s->state, query, unflagged_result,
					    &scan, err);
	return s->ops->results_scan(s->state, query, fn, ctx, err);
}

struct runs_call {
	int (*fn)(void *ctx, const peil_run_record *run);
	void *ctx;
	size_t size;	/* of the store's peil_run_record */
};

/* A run of a store before version 18, whose struct ends before the
 * build (before version 13, before confirms; before version 12, before
 * the listing too): given without them. */
static int run_completed(void *arg, const peil_run_record *run)
{
	const struct runs_call *call = arg;
	peil_run_record r;

	memcpy(&r, run, call->size);
	if (call->size <= offsetof(peil_run_record, listing))
		r.listing = NULL;
	if (call->size <= offsetof(peil_run_record, confirms))
		r.confirms = 0;
	r.build_sha256 = NULL;
	return call->fn(call->ctx, &r);
}

int store_runs_scan(store *s, int64_t run_id,
		    int (*fn)(void *ctx, const peil_run_record *run),
		    void *ctx, peil_error *err)
{
	struct runs_call call = { fn, ctx,
				  offsetof(peil_run_record, build_sha256) };

	if (store_has(s, STORE_V18_BUILDS))
		return s->ops->runs_scan(s->state, run_id, fn, ctx, err);
	if (!store_has(s, STORE_V13_CONFIRMATIONS))
		call.size = offsetof(peil_run_record, confirms);
	if (!store_has(s, STORE_V12_LISTINGS))
		call.size = offsetof(peil_run_record, listing);
	return s->ops->runs_scan(s->state, run_id, run_completed, &call, err);
}

struct run_kpis_call {
	int (*fn)(void *ctx, const peil_run_kpi *kpi);
	void *ctx;
};

/* A KPI of a store before version 11, whose struct may end before the
 * definition: given without one. */
static int run_kpi_without_definition(void *arg, const peil_run_kpi *kpi)
{
	const struct run_kpis_call *call = arg;
	peil_run_kpi k;

	memcpy(&k, kpi, offsetof(peil_run_kpi, definition));
	k.definition = NULL;
	return call->fn(call->ctx, &k);
}

int store_run_kpis_scan(store *s, int64_t run_id,
			int (*fn)(void *ctx, const peil_run_kpi *kpi),
			void *ctx, peil_error *err)
{
	struct run_kpis_call call = { fn, ctx };

	if (store_has(s, STORE_V11_DEFINITIONS))
		return s->ops->run_kpis_scan(s->state, run_id, fn, ctx, err);
	return s->ops->run_kpis_scan(s->state, run_id,
				     run_kpi_without_definition, &call, err);
}

struct ingest_call {
	int (*fn)(void *ctx, const peil_ingest_entry *entry);
	void *ctx;
};

/* An entry of a store before version 13, whose struct may end before the
 * file's size, time and inode: given without them. */
static int entry_without_file(void *arg, const peil_ingest_entry *entry)
{
	const struct ingest_call *call = arg;
	peil_ingest_entry e;

	memcpy(&e, entry, offsetof(peil_ingest_entry, file_size));
	e.file_size = e.file_mtime_ns = e.file_inode = 0;
	return call->fn(call->ctx, &e);
}

int store_ingest_scan(store *s,
		      int (*fn)(void *ctx, const peil_ingest_entry *entry),
		      void *ctx, peil_error *err)
{
	struct ingest_call call = { fn, ctx };

	if (store_has(s, STORE_V13_CONFIRMATIONS))
		return s->ops->ingest_scan(s->state, fn, ctx, err);
	return s->ops->ingest_scan(s->state, entry_without_file, &call, err);
}

/* ------------------------------------------------------------ version 2 */

int store_snapshot_begin(store *s, const peil_schema *schema,
			 peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "snapshot_begin", err) < 0)
		return -1;
	return CALL(s, snapshot_begin, schema, err);
}

int store_snapshot_scope_begin(store *s, const peil_schema *schema,
			       size_t scope_field, const char *scope_value,
			       peil_error *err)
{
	if (need(s, STORE_V7_SCOPES, "scope_field", err) < 0)
		return -1;
	return CALL(s, snapshot_scope_begin, schema, scope_field, scope_value,
		    err);
}

int store_snapshot_end(store *s, const peil_schema *schema,
		       int64_t *removed, peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "snapshot_end", err) < 0)
		return -1;
	return CALL(s, snapshot_end, schema, removed, err);
}

int store_input_changes_scan(store *s, int64_t from_run, int64_t to_run,
			     int (*fn)(void *ctx,
				       const peil_input_change *change),
			     void *ctx, peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "input_changes_scan", err) < 0)
		return -1;
	return s->ops->input_changes_scan(s->state, from_run, to_run, fn, ctx,
					  err);
}

int store_run_last_ingest(store *s, int64_t run_id, int64_t *ingest_id,
			  peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "run_last_ingest", err) < 0)
		return -1;
	return CALL(s, run_last_ingest, run_id, ingest_id, err);
}

int store_backup(store *s, const char *path, peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "backup", err) < 0)
		return -1;
	return CALL(s, backup, path, err);
}

int store_runs_prune(store *s, const peil_prune *prune, int64_t *runs_deleted,
		     int64_t *figures_deleted, peil_error *err)
{
	if (need(s, STORE_V2_CHANGES, "runs_prune", err) < 0)
		return -1;
	return CALL(s, runs_prune, prune, runs_deleted, figures_deleted, err);
}

/* ------------------------------------------------------------ version 8 */

int store_report_put(store *s, const peil_report_record *report,
		     int64_t *report_id, peil_error *err)
{
	if (need(s, STORE_V8_REPORTS, "report_put", err) < 0)
		return -1;
	return CALL(s, report_put, report, report_id, err);
}

int store_reports_scan(store *s,
		       int (*fn)(void *ctx, const peil_report_record *report),
		       void *ctx, peil_error *err)
{
	if (need(s, STORE_V8_REPORTS, "reports_scan", err) < 0)
		return -1;
	return s->ops->reports_scan(s->state, fn, ctx, err);
}

/* ---------------------------------------------------- versions 3 and 4 */

int store_records_put(store *s, const peil_schema *schema,
		      const peil_value *values, size_t count, size_t *stored,
		      peil_error *err)
{
	const size_t n = schema->field_count;

	*stored = 0;
	if (store_has(s, STORE_V3_BULK))
		return CALL(s, records_put, schema, values, count, stored, err);
	for (; *stored < count; (*stored)++)
		if (s->ops->record_put(s->state, schema, values + *stored * n,
				       err) < 0)
			return -1;
	return 0;
}

int store_load_begin(store *s, int64_t bytes, peil_error *err)
{
	if (!store_has(s, STORE_V4_LOADS))
		return 0;
	return CALL(s, load_begin, bytes, err);
}

void store_load_end(store *s)
{
	if (store_has(s, STORE_V4_LOADS))
		s->ops->load_end(s->state);
}

int store_changed_outside(store *s, int64_t *after_run, peil_error *err)
{
	*after_run = 0;
	if (!store_has(s, STORE_V19_OUTSIDE))
		return 0;
	return CALL(s, changed_outside, after_run, err);
}
