/*
 * ingest.c - sources, files and batches.
 */
#include "ingest.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "error.h"
#include "log.h"

struct source_run {
	peil_context *ctx;
	const config_section *section;
	const peil_schema *schema;
	loaded_plugin *plugin;
	peil_host *host;
	void *state;
	ingest_summary *sum;
	int snapshot;		/* mode = snapshot */
};

static void report(const peil_error *err)
{
	char text[2048];

	error_format(err, text, sizeof(text));
	log_msg(PEIL_LOG_ERROR, "%s", text);
}

/* One file in one batch. */
static void ingest_file(struct source_run *run, const char *path)
{
	peil_context *ctx = run->ctx;
	const peil_storage_ops *st = ctx->storage;
	char sha[DIGEST_HEX_SIZE];
	host_file_stats stats;
	peil_ingest_entry entry;
	peil_error err;
	int64_t removed = 0;
	int seen = 0;

	error_clear(&err);
	if (digest_file_sha256_hex(path, sha) < 0) {
		error_set(&err, path, 0, NULL, "cannot read: %s",
			  strerror(errno));
		goto failed;
	}
	if (st->ingest_seen(ctx->storage_state, sha, &seen, &err) < 0)
		goto failed;
	if (seen) {
		log_msg(PEIL_LOG_INFO,
			"%s: skipped, this content was ingested before",
			path);
		run->sum->skipped++;
		return;
	}
	if (st->batch_begin(ctx->storage_state, &err) < 0)
		goto failed;
	host_file_begin(run->host, path);
	if (run->snapshot &&
	    st->snapshot_begin(ctx->storage_state, run->schema, &err) < 0)
		goto rollback;
	if (run->plugin->plugin->input->read(run->state, path, &err) < 0)
		goto rollback;
	if (run->snapshot && st->snapshot_end(ctx->storage_state, run->schema,
					      &removed, &err) < 0)
		goto rollback;
	host_file_end(run->host, &stats);
	entry.source = run->section->name;
	entry.dataset = run->schema->name;
	entry.path = path;
	entry.sha256 = sha;
	entry.rows = stats.rows;
	entry.rejected = stats.rejected;
	entry.at = (int64_t)time(NULL);
	if (st->ingest_log(ctx->storage_state, &entry, &err) < 0 ||
	    st->batch_commit(ctx->storage_state, &err) < 0)
		goto rollback;
	run->sum->files++;
	run->sum->rows += stats.rows;
	run->sum->rejected += stats.rejected;
	run->sum->removed += removed;
	if (run->snapshot)
		log_msg(PEIL_LOG_INFO, "%s: a snapshot of %s: %lld rows that "
			"it no longer has were removed", path,
			run->schema->name, (long long)removed);
	if (stats.rejected)
		log_msg(PEIL_LOG_WARNING,
			"%s: %lld rows stored in %s, %lld rejected (written to "
			"%s)", path, (long long)stats.rows, run->schema->name,
			(long long)stats.rejected, stats.reject_path);
	else
		log_msg(PEIL_LOG_INFO, "%s: %lld rows stored in %s", path,
			(long long)stats.rows, run->schema->name);
	return;
rollback:
	st->batch_rollback(ctx->storage_state);
	host_file_end(run->host, &stats);
failed:
	report(&err);
	log_msg(PEIL_LOG_ERROR, "%s: nothing of this file was stored", path);
	run->sum->failed++;
}

/* mode = increment (the default: rows are added and updated) or
 * snapshot (each file is the whole dataset: rows it lacks are removed). */
static int source_mode(const peil_context *ctx, const config_section *s,
		       int *snapshot, peil_error *err)
{
	const config_entry *e = config_entry_find(s, "mode");

	*snapshot = e && strcmp(e->value, "snapshot") == 0;
	if (e && !*snapshot && strcmp(e->value, "increment") != 0)
		return config_fail(ctx->cfg, s, e, err,
				   "mode = %s: expected increment or snapshot",
				   e->value);
	if (*snapshot && (!LOADER_STORAGE_HAS(ctx->storage, snapshot_begin) ||
			  !LOADER_STORAGE_HAS(ctx->storage, snapshot_end)))
		return config_fail(ctx->cfg, s, e, err,
				   "mode = snapshot: the storage plugin cannot "
				   "remove rows missing from a snapshot");
	return 0;
}

static int ingest_source(peil_context *ctx, const config_section *s,
			 ingest_summary *sum, peil_error *err)
{
	const config_entry *plugin_entry = config_entry_find(s, "plugin");
	const config_entry *dataset_entry = config_entry_find(s, "dataset");
	const config_entry *path_entry = config_entry_find(s, "path");
	struct source_run run = { ctx, s, NULL, NULL, NULL, NULL, sum, 0 };
	char *pattern = NULL;
	glob_t files;
	int rc = -1, globbed = 0;
	size_t i;

	if (!plugin_entry || !dataset_entry || !path_entry)
		return config_fail(ctx->cfg, s, NULL, err,
				   "[source %s] needs plugin =, dataset = and "
				   "path =", s->name);
	run.schema = schema_set_find(&ctx->schemas, dataset_entry->value);
	if (!run.schema)
		return config_fail(ctx->cfg, s, dataset_entry, err,
				   "dataset '%s' is not declared by a "
				   "[dataset %s] section",
				   dataset_entry->value, dataset_entry->value);
	if (source_mode(ctx, s, &run.snapshot, err) < 0 ||
	    loader_open(&ctx->plugins, plugin_entry->value, PEIL_PLUGIN_INPUT,
			&run.plugin, err) < 0)
		return -1;
	run.host = context_host(ctx, s, plugin_entry->value);
	if (!run.host) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	if (host_input_init(run.host, run.schema, ctx->storage,
			    ctx->storage_state, ctx->reject_dir, err) < 0)
		goto out;
	if (run.plugin->plugin->input->open(host_services(), run.host,
					    &run.state, err) < 0) {
		run.state = NULL;
		goto out;
	}
	pattern = config_resolve_path(ctx->cfg, path_entry->value);
	if (!pattern) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	switch (glob(pattern, 0, NULL, &files)) {
	case 0:
		globbed = 1;
		break;
	case GLOB_NOMATCH:
		log_msg(PEIL_LOG_ERROR, "%s:%ld: [source %s]: no file matches %s",
			ctx->cfg->path, path_entry->line, s->name, pattern);
		sum->failed++;
		rc = 0;
		goto out;
	default:
		config_fail(ctx->cfg, s, path_entry, err,
			    "cannot list files matching %s", pattern);
		goto out;
	}
	for (i = 0; i < files.gl_pathc; i++)
		ingest_file(&run, files.gl_pathv[i]);
	rc = 0;
out:
	if (globbed)
		globfree(&files);
	free(pattern);
	if (run.plugin && run.state && run.plugin->plugin->input->close)
		run.plugin->plugin->input->close(run.state);
	host_free(run.host);
	loader_close(run.plugin);
	return rc;
}

int ingest_sources(peil_context *ctx, const char *only, ingest_summary *sum,
		   peil_error *err)
{
	size_t i, matched = 0;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < ctx->cfg->count; i++) {
		const config_section *s = &ctx->cfg->sections[i];

		if (strcmp(s->kind, "source") != 0)
			continue;
		if (only && strcmp(s->name, only) != 0)
			continue;
		matched++;
		if (ingest_source(ctx, s, sum, err) < 0)
			return -1;
	}
	if (only && !matched)
		return error_set(err, ctx->cfg->path, 0, NULL,
				 "no [source %s] in the configuration", only);
	return 0;
}
