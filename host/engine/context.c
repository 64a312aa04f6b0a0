/*
 * context.c - opening the configuration, storage, calendar and scripts.
 */
#include "engine/context.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/digest.h"
#include "base/dir.h"
#include "base/error.h"
#include "base/log.h"

struct date_list {
	int32_t *dates;
	size_t count;
	const config *cfg;
	const config_section *section;
	const config_entry *entry;
	peil_error *err;
};

static int add_date(void *ctx, const char *item)
{
	struct date_list *list = ctx;
	int32_t date, *grown;

	if (date_parse_iso(item, &date) < 0)
		return config_fail(list->cfg, list->section, list->entry,
				   list->err,
				   "%s: '%s' is not a date as jjjj-mm-dd",
				   list->entry->key, item);
	grown = realloc(list->dates, (list->count + 1) * sizeof(*grown));
	if (!grown)
		return config_fail(list->cfg, list->section, list->entry,
				   list->err, "out of memory");
	list->dates = grown;
	list->dates[list->count++] = date;
	return 0;
}

static int open_calendar(peil_context *ctx, peil_error *err)
{
	const config_section *s = config_section_find(ctx->cfg, "calendar",
						      NULL);
	struct date_list extra = { 0 }, dates = { 0 };
	calendar_options opts;
	int rc = -1;

	calendar_options_init(&opts);
	if (config_get_bool(ctx->cfg, s, "good_friday", 1, &opts.good_friday,
			    err) < 0 ||
	    config_get_bool(ctx->cfg, s, "liberation_day", 1,
			    &opts.liberation_day, err) < 0)
		return -1;
	extra.cfg = dates.cfg = ctx->cfg;
	extra.section = dates.section = s;
	extra.err = dates.err = err;
	extra.entry = config_entry_find(s, "extra");
	dates.entry = config_entry_find(s, "dates");
	if (extra.entry &&
	    config_each_item(extra.entry->value, add_date, &extra) != 0)
		goto out;
	if (dates.entry &&
	    config_each_item(dates.entry->value, add_date, &dates) != 0)
		goto out;
	opts.extra = extra.dates;
	opts.extra_count = extra.count;
	if (dates.entry) {
		opts.replace = 1;
		opts.dates = dates.dates;
		opts.date_count = dates.count;
	}
	ctx->cal = calendar_new(&opts);
	if (!ctx->cal) {
		error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(extra.dates);
	free(dates.dates);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

struct script_loading {
	peil_context *ctx;
	const config_section *section;	/* [peil], where script_dirs is */
	digest *all;
	context_script_error_fn on_error;
	void *error_ctx;
	peil_error *err;
};

static int load_script_dir(void *arg, const char *item)
{
	struct script_loading *st = arg;
	peil_context *ctx = st->ctx;
	char *dir = config_resolve_path(ctx->cfg, item);
	char **files;
	size_t count, i;

	if (!dir)
		return error_set(st->err, ctx->cfg->path, 0, NULL,
				 "out of memory");
	if (dir_list(dir, ".lua", &files, &count) < 0) {
		config_fail(ctx->cfg, st->section,
			    config_entry_find(st->section, "script_dirs"),
			    st->err, "script directory %s: %s", dir,
			    strerror(errno));
		free(dir);
		return -1;
	}
	for (i = 0; i < count; i++) {
		char sha[DIGEST_HEX_SIZE];
		peil_error load_err;

		ctx->script_count++;
		/* The name as in the directory, not the path as the config
		 * was reached: the same scripts give the same fingerprint
		 * from any working directory. */
		if (digest_file_sha256_hex(files[i], sha) < 0)
			snprintf(sha, sizeof(sha), "unreadable");
		digest_update(st->all, base_name(files[i]),
			      strlen(base_name(files[i])) + 1);
		digest_update(st->all, sha, strlen(sha));
		error_clear(&load_err);
		if (kpi_set_load_file(ctx->kpis, files[i], &load_err) < 0) {
			ctx->script_errors++;
			if (st->on_error) {
				st->on_error(st->error_ctx, &load_err);
			} else {
				log_error(&load_err);
			}
		}
	}
	dir_list_free(files, count);
	free(dir);
	return 0;
}

/* [contract]: the contract year's first month and the at-risk margin. */
static int contract_start_month(const config *cfg, int *month,
				peil_error *err)
{
	const config_section *s = config_section_find(cfg, "contract", NULL);
	const config_entry *e = config_entry_find(s, "start_month");
	char *end;
	long m;

	*month = 1;
	if (!e)
		return 0;
	m = strtol(e->value, &end, 10);
	if (end == e->value || *end || m < 1 || m > 12)
		return config_fail(cfg, s, e, err, "start_month = %s: expected "
				   "a month number 1 to 12", e->value);
	*month = (int)m;
	return 0;
}

/* [kpi ID] sections: targets, margins and parameters per contract. */
static int configure_kpis(peil_context *ctx, peil_error *err)
{
	const config *cfg = ctx->cfg;
	const config_section *contract =
		config_section_find(cfg, "contract", NULL);
	const config_entry *margin = config_entry_find(contract, "margin");
	const config_entry *reference = config_entry_find(contract,
							  "reference");
	period_reference rule = PERIOD_REFERENCE_LAST;

	if (reference && period_reference_parse(reference->value, &rule) < 0)
		return config_fail(cfg, contract, reference, err,
				   "reference = %s: expected last, first or "
				   "next (the day after the period)",
				   reference->value);
	kpi_set_reference(ctx->kpis, rule);

	if (margin && kpi_set_default_margin(ctx->kpis, margin->value) < 0)
		return config_fail(cfg, contract, margin, err, "margin = %s: "
				   "expected a number or a percentage such as "
				   "10%%", margin->value);
	for (size_t i = 0; i < cfg->count; i++) {
		const config_section *s = &cfg->sections[i];

		if (strcmp(s->kind, "kpi") != 0)
			continue;
		for (size_t j = 0; j < s->count; j++) {
			char msg[512];

			if (kpi_set_configure(ctx->kpis, s->name,
					      s->entries[j].key,
					      s->entries[j].value, msg,
					      sizeof(msg)) < 0)
				return config_fail(cfg, s, &s->entries[j], err,
						   "[kpi %s] %s", s->name,
						   msg);
		}
	}
	return 0;
}

static int add_script_dir(void *arg, const char *item)
{
	peil_context *ctx = arg;
	char **grown = realloc(ctx->script_dirs, (ctx->script_dir_count + 1) *
						       sizeof(*grown));

	if (!grown)
		return -1;
	ctx->script_dirs = grown;
	grown[ctx->script_dir_count] = config_resolve_path(ctx->cfg, item);
	return grown[ctx->script_dir_count++] ? 0 : -1;
}

/* The script directories, resolved, for require() and peil test. */
static int script_dirs(peil_context *ctx, const char *value)
{
	if (config_each_item(value, add_script_dir, ctx) != 0)
		return -1;
	return kpi_set_script_dirs(ctx->kpis,
				   (const char *const *)ctx->script_dirs,
				   ctx->script_dir_count);
}

static int open_scripts(peil_context *ctx, context_script_error_fn on_error,
			void *error_ctx, peil_error *err)
{
	const config_section *peil = config_section_find(ctx->cfg, "peil",
							 NULL);
	const config_section *limits_section =
		config_section_find(ctx->cfg, "limits", NULL);
	struct script_loading st = { ctx, peil, NULL, on_error, error_ctx,
				     err };
	kpi_limits limits = { 0, 0 };
	uint64_t number;
	int rc, month;

	/* Absent keys leave 0 in the limits: the sandbox's defaults. */
	number = 0;
	if (config_get_number(ctx->cfg, limits_section, "memory_mb", 1, 4096,
			      &number, err) < 0)
		return -1;
	limits.memory_bytes = (size_t)number << 20;
	number = 0;
	if (config_get_number(ctx->cfg, limits_section, "instructions", 1000,
			      UINT64_C(1000000000000), &number, err) < 0)
		return -1;
	limits.instructions = number;
	if (open_calendar(ctx, err) < 0 ||
	    contract_start_month(ctx->cfg, &month, err) < 0)
		return -1;
	ctx->contract_start_month = month;
	ctx->kpis = kpi_set_new(ctx->cal, &limits, month);
	st.all = digest_new();
	if (!ctx->kpis || !st.all ||
	    script_dirs(ctx, config_get(peil, "script_dirs", "scripts")) < 0) {
		if (st.all)
			digest_finish(st.all, ctx->scripts_sha256);
		return error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
	}
	rc = config_each_item(config_get(peil, "script_dirs", "scripts"),
			      load_script_dir, &st);
	digest_finish(st.all, ctx->scripts_sha256);
	if (rc)
		return -1;
	if (ctx->script_count == 0)
		return config_fail(ctx->cfg, peil,
				   config_entry_find(peil, "script_dirs"), err,
				   "no KPI script (*.lua) in script_dirs = %s",
				   config_get(peil, "script_dirs", "scripts"));
	return configure_kpis(ctx, err);
}

struct plugin_dirs {
	peil_context *ctx;
	size_t added;		/* configured dirs go first, in their order */
};

static int add_plugin_dir(void *arg, const char *item)
{
	struct plugin_dirs *st = arg;
	loader_path *path = &st->ctx->plugins;
	char *dir = config_resolve_path(st->ctx->cfg, item);
	char **dirs;

	if (!dir)
		return -1;
	dirs = realloc(path->dirs, (path->count + 1) * sizeof(*dirs));
	if (!dirs) {
		free(dir);
		return -1;
	}
	memmove(dirs + st->added + 1, dirs + st->added,
		(path->count - st->added) * sizeof(*dirs));
	dirs[st->added++] = dir;
	path->dirs = dirs;
	path->count++;
	return 0;
}

int context_load_storage(peil_context *ctx, peil_error *err)
{
	const config_section *peil = config_section_find(ctx->cfg, "peil",
							 NULL);
	const config_section *section =
		config_section_find(ctx->cfg, "storage", NULL);
	const char *name = config_get(peil, "storage", "sqlite");

	if (ctx->store)
		return 0;
	if (store_load(&ctx->plugins, name, ctx->cfg, section, &ctx->store,
		       err) < 0)
		return -1;
	if (section && loader_config_keys(store_plugin(ctx->store)) &&
	    config_check_keys(ctx->cfg, section, NULL,
			      loader_config_keys(store_plugin(ctx->store)),
			      err) < 0)
		return -1;
	return 0;
}

int context_open_storage(peil_context *ctx, peil_error *err)
{
	size_t i;

	if (context_load_storage(ctx, err) < 0)
		return -1;
	if (store_open(ctx->store, err) < 0)
		return CONTEXT_STORAGE_FAILED;
	for (i = 0; i < ctx->schemas.count; i++)
		if (store_dataset_ensure(ctx->store, &ctx->schemas.schemas[i],
					 err) < 0)
			return CONTEXT_STORAGE_FAILED;
	return 0;
}

int context_open(peil_context *ctx, const char *config_path, unsigned what,
		 context_script_error_fn on_script_error, void *error_ctx,
		 peil_error *err)
{
	const config_section *peil;

	memset(ctx, 0, sizeof(*ctx));
	if (config_load(config_path, &ctx->cfg, err) < 0)
		return -1;
	if (digest_file_sha256_hex(config_path, ctx->config_sha256) < 0)
		return error_set(err, config_path, 0, NULL, "cannot read: %s",
				 strerror(errno));
	if (schema_set_init(&ctx->schemas, ctx->cfg, err) < 0)
		return -1;
	peil = config_section_find(ctx->cfg, "peil", NULL);
	ctx->reject_dir = config_resolve_path(
		ctx->cfg, config_get(peil, "reject_dir", "rejects"));
	if (!ctx->reject_dir || loader_path_init(&ctx->plugins, NULL, 0) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (config_get(peil, "plugin_dirs", NULL)) {
		struct plugin_dirs st = { ctx, 0 };

		if (config_each_item(config_get(peil, "plugin_dirs", NULL),
				     add_plugin_dir, &st) != 0)
			return error_set(err, NULL, 0, NULL, "out of memory");
	}
	if (what & CONTEXT_STORAGE) {
		int rc = context_open_storage(ctx, err);

		if (rc < 0)
			return rc;
	}
	if ((what & CONTEXT_SCRIPTS) &&
	    open_scripts(ctx, on_script_error, error_ctx, err) < 0)
		return -1;
	return 0;
}

void context_close(peil_context *ctx)
{
	store_free(ctx->store);
	kpi_set_free(ctx->kpis);
	for (size_t i = 0; i < ctx->script_dir_count; i++)
		free(ctx->script_dirs[i]);
	free(ctx->script_dirs);
	calendar_free(ctx->cal);
	loader_path_release(&ctx->plugins);
	schema_set_release(&ctx->schemas);
	free(ctx->reject_dir);
	config_free(ctx->cfg);
	memset(ctx, 0, sizeof(*ctx));
}
