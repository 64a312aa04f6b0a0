/*
 * source.c - opening a source for ingest and check (source.h).
 *
 * `peil check` once repeated these steps and drifted: it let
 * `mode = snapshto` pass that `peil ingest` refused (tests/e2e/cli.sh,
 * check_and_usage).  Now there is one path.
 */
#include "engine/source.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "plugin/plugin_guard.h"

/* mode = snapshot needs a store that can remove the rows a file lacks,
 * and of one scope when the source has one. */
static int check_snapshot(const peil_context *ctx, const settings_source *src,
			  const store *storage, peil_error *err)
{
	if (!src->snapshot || !storage)
		return 0;
	if (store_require(storage, STORE_V2_CHANGES, "mode = snapshot needs it",
			  err) < 0)
		return config_locate(ctx->cfg, src->section, src->mode_at, err);
	if (src->input.scope_field &&
	    store_require(storage, STORE_V7_SCOPES,
			  "a snapshot with a scope_field needs it", err) < 0)
		return config_locate(ctx->cfg, src->section,
				     src->input.scope_field_at, err);
	return 0;
}

/* The scope value of a source: scope_value, or the source's name. */
static const char *scope_value(const settings_source *src)
{
	return src->input.scope_value ? src->input.scope_value
				      : src->section->name;
}

/* Whether a snapshot of a could remove rows of b's, both snapshots of
 * one dataset: unless both have a scope in one field with other values,
 * each one's rows are the other's to remove. */
static int snapshots_overlap(const settings_source *a,
			     const settings_source *b)
{
	return !a->input.scope_field || !b->input.scope_field ||
	       strcmp(a->input.scope_field, b->input.scope_field) != 0 ||
	       strcmp(scope_value(a), scope_value(b)) == 0;
}

int source_check_scopes(const peil_context *ctx, const settings_source *src,
			peil_error *err)
{
	const peil_settings *s = &ctx->settings;

	if (!src->snapshot || !src->dataset)
		return 0;
	for (size_t i = 0; i < s->source_count; i++) {
		const settings_source *other = &s->sources[i];

		if (other == src || !other->snapshot || !other->dataset ||
		    strcmp(other->dataset, src->dataset) != 0 ||
		    !snapshots_overlap(src, other))
			continue;
		return config_fail(ctx->cfg, src->section,
				   src->input.scope_field_at
					   ? src->input.scope_field_at
					   : src->mode_at,
				   err,
				   "[source %s] and [source %s] (line %ld) "
				   "are both snapshots of dataset '%s' and "
				   "could remove each other's rows: give each "
				   "a scope in one field with its own value "
				   "(scope_field = FIELD, scope_value = VALUE)",
				   src->section->name, other->section->name,
				   other->section->line, src->dataset);
	}
	return 0;
}

/* The plugin's open of [source s], under the crash guard (installed
 * here, before the first call into an input plugin); an error it returns
 * without a message gets one that names it.  0 or -1 with err set. */
static int plugin_open(opened_source *out, const config_section *s,
		       peil_error *err)
{
	const loaded_plugin *p = out->plugin;
	char what[300];
	int rc;

	plugin_guard_install();
	snprintf(what, sizeof(what), "opening [source %s]", s->name);
	plugin_guard_enter(p->plugin->name, p->path, what);
	rc = p->plugin->input->open(host_services(), out->host, &out->state,
				    err);
	plugin_guard_leave();
	if (rc < 0 && !err->message[0])
		error_set(err, NULL, 0, NULL, "plugin %s (%s) failed to open "
			  "[source %s] without saying why", p->plugin->name,
			  p->path, s->name);
	return rc < 0 ? -1 : 0;
}

int source_open(peil_context *ctx, const settings_source *src,
		store *storage, opened_source *out, peil_error *err)
{
	const config_section *s = src->section;
	host_input_options opts = src->input;

	memset(out, 0, sizeof(*out));
	out->settings = src;
	if (!src->plugin || !src->dataset || !src->path)
		return config_fail(ctx->cfg, s, NULL, err,
				   "[source %s] needs plugin =, dataset = and "
				   "path =", s->name);
	out->schema = schema_set_find(&ctx->schemas, src->dataset);
	if (!out->schema)
		return config_fail(ctx->cfg, s, src->dataset_at, err,
				   "dataset '%s' is not declared by a "
				   "[dataset %s] section",
				   src->dataset, src->dataset);
	if (check_snapshot(ctx, src, storage, err) < 0 ||
	    loader_open(&ctx->plugins, src->plugin, PEIL_PLUGIN_INPUT,
			&out->plugin, err) < 0)
		return config_locate(ctx->cfg, s, src->plugin_at, err);
	/* A plugin that declares no keys has its section checked by none. */
	if (loader_config_keys(out->plugin->plugin) &&
	    settings_check_plugin_keys(ctx->cfg, s,
				       loader_config_keys(out->plugin->plugin),
				       err) < 0)
		goto fail;
	out->host = host_new(ctx->cfg, s, src->plugin);
	if (!out->host) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto fail;
	}
	opts.reject_dir = ctx->settings.reject_dir;
	opts.key_file = ctx->settings.key_file;
	opts.privacy = ctx->settings.privacy;
	opts.key_file_at = ctx->settings.key_file_at;
	opts.rules = schema_set_rules(&ctx->schemas, out->schema);
	if (host_input_init(out->host, out->schema, storage, &opts, err) < 0)
		goto fail;
	if (plugin_open(out, s, err) < 0) {
		out->state = NULL;
		config_locate(ctx->cfg, s, NULL, err);
		goto fail;
	}
	return 0;
fail:
	source_close(out);
	return -1;
}

void source_close(opened_source *s)
{
	if (s->plugin && s->state && s->plugin->plugin->input->close)
		s->plugin->plugin->input->close(s->state);
	host_free(s->host);
	loader_close(s->plugin);
	s->state = NULL;
	s->host = NULL;
	s->plugin = NULL;
}
