/*
 * context.h - everything one peil command works with, opened from the
 * configuration: schemas, plugin path, storage, calendar and KPI scripts.
 *
 * No module keeps global state; each gets the context (or the part of it
 * it needs) from the command that opened it.
 */
#ifndef PEIL_CONTEXT_H
#define PEIL_CONTEXT_H

#include <stddef.h>

#include "base/calendar.h"
#include "base/config.h"
#include "engine/settings.h"
#include "plugin/host.h"
#include "kpi/kpi.h"
#include "plugin/loader.h"
#include "plugin/schema.h"
#include "plugin/store.h"

/* What context_open opens besides the config and schemas. */
#define CONTEXT_STORAGE 0x1u	/* load and open the storage plugin */
#define CONTEXT_SCRIPTS 0x2u	/* build the calendar, load KPI scripts */
#define CONTEXT_CREATE 0x4u	/* with CONTEXT_STORAGE: the store may be
				   created (peil ingest and run only) */
#define CONTEXT_READER 0x8u	/* with CONTEXT_STORAGE: the command only
				   reads (STORE_OPEN_READER) */
#define CONTEXT_LOCK 0x10u	/* with CONTEXT_STORAGE: take the store's
				   own lock of the writers (store_lock)
				   right after opening it */

/* Called for each KPI script that failed to load. */
typedef void (*context_script_error_fn)(void *ctx, const peil_error *err);

typedef struct peil_context {
	config *cfg;
	peil_settings settings;	/* every host key of cfg, typed */
	schema_set schemas;
	loader_path plugins;

	store *store;		/* NULL until the storage plugin is loaded */
	peil_host *storage_host;	/* the storage plugin's, for store */

	calendar *cal;
	int contract_start_month;	/* [contract] start_month, 1-12 */
	kpi_set *kpis;
	char **script_dirs;	/* settings.script_dirs.items, borrowed */
	size_t script_dir_count;
	size_t script_count;	/* script files found */
	size_t script_errors;	/* of which failed to load */
	char scripts_sha256[65];	/* over every script file, in order */
	char config_sha256[65];
	char build_sha256[65];	/* build_id.h; "" until asked */
	int timings;	/* eval --timings: each KPI alone, its time on stderr */
} peil_context;

#define CONTEXT_STORAGE_FAILED -2
#define CONTEXT_LOCKED -3	/* CONTEXT_LOCK: another holds the lock */

/* Open what `what` asks for.  A script that fails to load is reported to
 * on_script_error (NULL: the log) and counted in script_errors; the others
 * still load.  0 on success; -1 with err for a problem of the configuration
 * (or a plugin), CONTEXT_STORAGE_FAILED when the store could not be opened
 * or does not fit the datasets.  Call context_close in every case. */
int context_open(peil_context *ctx, const char *config_path, unsigned what,
		 context_script_error_fn on_script_error, void *error_ctx,
		 peil_error *err);
/* Open the storage plugin of a context opened without CONTEXT_STORAGE,
 * creating the store when what has CONTEXT_CREATE, as a reader when it
 * has CONTEXT_READER, locked when it has CONTEXT_LOCK, waiting [run]
 * lock_wait: 0, -1 with err, CONTEXT_STORAGE_FAILED or CONTEXT_LOCKED. */
int context_open_storage(peil_context *ctx, unsigned what, peil_error *err);
/* Load the storage plugin and check its config keys, but open no store,
 * when ctx->store is NULL: what the run lock needs to ask where the store
 * keeps it (store_lock_path).  0, or -1 with err. */
int context_load_storage(peil_context *ctx, peil_error *err);

void context_close(peil_context *ctx);

#endif
