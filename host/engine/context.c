/*
 * context.c - opening the configuration, storage, calendar and scripts.
 */
#include "engine/context.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/digest.h"
#include "base/dir.h"
#include "base/error.h"
#include "base/log.h"
#include "base/strmap.h"

static int open_calendar(peil_context *ctx, peil_error *err)
{
	const peil_settings *set = &ctx->settings;
	calendar_options opts;

	calendar_options_init(&opts);
	opts.good_friday = set->good_friday;
	opts.liberation_day = set->liberation_day;
	opts.extra = set->extra.dates;
	opts.extra_count = set->extra.count;
	if (set->dates.given) {
		opts.replace = 1;
		opts.dates = set->dates.dates;
		opts.date_count = set->dates.count;
	}
	ctx->cal = calendar_new(&opts);
	if (!ctx->cal)
		return error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

struct script_loading {
	peil_context *ctx;
	digest *all;
	context_script_error_fn on_error;
	void *error_ctx;
	peil_error *err;
};

static int load_script_dir(struct script_loading *st, const char *dir)
{
	peil_context *ctx = st->ctx;
	char **files;
	size_t count, i;

	if (dir_list(dir, ".lua", &files, &count) < 0)
		return config_fail(ctx->cfg, ctx->settings.peil,
				   ctx->settings.script_dirs_at, st->err,
				   "script directory %s: %s", dir,
				   strerror(errno));
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
	return 0;
}

/* Whether name[0 .. len) is a part of a module name (kpi_require.c):
 * a-z, 0-9 and _. */
static int module_part(const char *name, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

/* Mark directory sb as walked in seen: 1 when it was not before, 0 when
 * it was, -1 when out of memory. */
static int first_visit(strmap *seen, const struct stat *sb)
{
	char key[sizeof(sb->st_dev) + sizeof(sb->st_ino)];
	int added = 0;

	memcpy(key, &sb->st_dev, sizeof(sb->st_dev));
	memcpy(key + sizeof(sb->st_dev), &sb->st_ino, sizeof(sb->st_ino));
	return strmap_put(seen, key, sizeof(key), &added) < 0 ? -1 : added;
}

/* Every module that require() could load from below dir (kpi_require.c),
 * whether a script requires it while it loads or only when a rule runs:
 * the *.lua files of its subdirectories, at any depth, whose paths name
 * a module (lib/bezoeken.lua is "lib.bezoeken"), each by that path (from
 * root on) and its content's hash, in name order, into d; *found counts
 * them.  A script directory's own *.lua files (scripts set) are its
 * scripts, hashed as those.  Each directory is walked once, by the first
 * path that reaches it (seen holds them): a directory linked from two
 * places holds the same files under either path, and a link back up
 * would otherwise be walked without end (ten links back to their own
 * directory were 10^8 paths at a depth of eight, a run that never
 * ended).  -1 when memory runs out; what cannot be read holds no module. */
static int hash_modules(digest *d, const char *dir, size_t root,
			int scripts, strmap *seen, size_t *found)
{
	char **paths;
	size_t count;
	int rc = 0;

	if (dir_list(dir, "", &paths, &count) < 0)
		return errno == ENOMEM ? -1 : 0;
	for (size_t i = 0; i < count && rc == 0; i++) {
		const char *name = base_name(paths[i]);
		size_t len = strlen(name);
		char sha[DIGEST_HEX_SIZE];
		struct stat sb;

		if (stat(paths[i], &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (module_part(name, len) &&
			    (rc = first_visit(seen, &sb)) > 0)
				rc = hash_modules(d, paths[i], root, 0, seen,
						  found);
			continue;
		}
		/* require refuses anything but a regular file, unread. */
		if (scripts || !S_ISREG(sb.st_mode) || len <= 4 ||
		    strcmp(name + len - 4, ".lua") != 0 ||
		    !module_part(name, len - 4))
			continue;
		if (digest_file_sha256_hex(paths[i], sha) < 0)
			snprintf(sha, sizeof(sha), "unreadable");
		digest_update(d, paths[i] + root, strlen(paths[i] + root) + 1);
		digest_update(d, sha, strlen(sha));
		(*found)++;
	}
	dir_list_free(paths, count);
	return rc < 0 ? -1 : 0;
}

/* The hash of the modules of every script directory, into hex; "" when
 * there are none.  -1 when memory runs out. */
static int modules_sha256(peil_context *ctx, char hex[DIGEST_HEX_SIZE])
{
	digest *d = digest_new();
	size_t found = 0;
	int rc = 0;

	hex[0] = '\0';
	if (!d)
		return -1;
	for (size_t i = 0; i < ctx->script_dir_count && rc == 0; i++) {
		const char *dir = ctx->script_dirs[i];
		strmap seen;
		struct stat sb;

		memset(&seen, 0, sizeof(seen));
		if (stat(dir, &sb) == 0 && first_visit(&seen, &sb) < 0)
			rc = -1;
		if (rc == 0)
			rc = hash_modules(d, dir, strlen(dir) + 1, 1, &seen,
					  &found);
		strmap_release(&seen);
	}
	digest_finish(d, hex);
	if (!found)
		hex[0] = '\0';
	return rc;
}

/* [group NAME] sections: the mappings of breakdown values to groups. */
static int open_groups(peil_context *ctx, peil_error *err)
{
	const peil_settings *set = &ctx->settings;

	for (size_t i = 0; i < set->group_count; i++) {
		const settings_group *g = &set->groups[i];
		int rc = g->file
			? kpi_set_group_file(ctx->kpis, g->section->name,
					     g->other, g->file, err)
			: kpi_set_group_dataset(ctx->kpis, g->section->name,
						g->other, g->dataset, g->value,
						g->group, err);

		if (rc < 0)
			return -1;
	}
	return 0;
}

/* [kpi ID] sections: targets, margins and parameters per contract. */
static int configure_kpis(peil_context *ctx, peil_error *err)
{
	const config *cfg = ctx->cfg;
	const peil_settings *set = &ctx->settings;

	kpi_set_reference(ctx->kpis, (period_reference)set->reference);
	if (set->margin && kpi_set_default_margin(ctx->kpis, set->margin) < 0)
		return config_fail(cfg, set->contract, set->margin_at, err,
				   "margin = %s: expected a number or a "
				   "percentage such as 10%%", set->margin);
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
	if (set->kpis) {
		char msg[512];

		if (kpi_set_choose(ctx->kpis, set->kpis, msg, sizeof(msg)) < 0)
			return config_fail(cfg, NULL, set->kpis_at, err,
					   "[run] kpis: %s", msg);
	}
	return 0;
}

static void digest_section(digest *d, const config_section *s)
{
	if (!s)
		return;
	for (size_t j = 0; j < s->count; j++) {
		digest_update(d, s->entries[j].key,
			      strlen(s->entries[j].key) + 1);
		digest_update(d, s->entries[j].value,
			      strlen(s->entries[j].value) + 1);
	}
}

/* The working days' calendar as the settings resolve it ([calendar]:
 * the optional holidays, extra dates, a list that replaces the rules),
 * as text for a digest: "good_friday = yes" and no such line are one
 * calendar. */
static void digest_calendar(digest *d, const peil_settings *set)
{
	const settings_dates *lists[2] = { &set->extra, &set->dates };
	char text[64];
	int n = snprintf(text, sizeof(text), "\n[calendar]\n%d %d %d\n",
			 set->good_friday, set->liberation_day,
			 set->dates.given);

	digest_update(d, text, (size_t)n);
	for (size_t l = 0; l < 2; l++) {
		for (size_t j = 0; j < lists[l]->count; j++) {
			n = snprintf(text, sizeof(text), "%ld ",
				     (long)lists[l]->dates[j]);
			digest_update(d, text, (size_t)n);
		}
		digest_update(d, "\n", 1);
	}
}

/* Each KPI's definition hash (kpi.h): its script's hash (with the
 * modules it required, kpi_require.c), its own [kpi ID] settings,
 * [contract] (start, margin, reference), the calendar when it counts
 * working days, and the group files' hashes (groups), so that a run
 * records which definition gave its figures. */
static int hash_definitions(peil_context *ctx, const char *groups,
			    const char *modules)
{
	const config_section *contract =
		config_section_find(ctx->cfg, "contract", NULL);

	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		digest *d = digest_new();
		char hex[DIGEST_HEX_SIZE];

		if (!d)
			return -1;
		digest_update(d, k->script_sha256 ? k->script_sha256 : "",
			      k->script_sha256 ? strlen(k->script_sha256) + 1
					       : 1);
		digest_section(d, config_section_find(ctx->cfg, "kpi",
						      k->id));
		digest_update(d, "\n[contract]\n", 12);
		digest_section(d, contract);
		/* A Lua function may call date.workdays(), or require a
		 * module only when it runs, which the script's own hash
		 * (the modules it required while it loaded) does not see. */
		if (kpi_set_uses_calendar(ctx->kpis, k->id)) {
			digest_calendar(d, &ctx->settings);
			digest_update(d, modules, strlen(modules));
		}
		digest_update(d, groups, strlen(groups));
		digest_finish(d, hex);
		kpi_set_definition_sha256(ctx->kpis, i, hex);
	}
	return 0;
}

static int open_scripts(peil_context *ctx, context_script_error_fn on_error,
			void *error_ctx, peil_error *err)
{
	const peil_settings *set = &ctx->settings;
	struct script_loading st = { ctx, NULL, on_error, error_ctx, err };
	char groups_sha[DIGEST_HEX_SIZE], modules_sha[DIGEST_HEX_SIZE];
	digest *groups;
	/* 0 (absent) leaves the sandbox's defaults. */
	kpi_limits limits = { (size_t)set->memory_mb << 20,
			      set->instructions, set->seconds,
			      set->run_seconds,
			      (size_t)set->distinct_memory_mb << 20,
			      (size_t)set->kpi_memory_mb << 20 };
	size_t i;

	if (open_calendar(ctx, err) < 0)
		return -1;
	ctx->contract_start_month = (int)set->start_month;
	ctx->script_dirs = set->script_dirs.items;
	ctx->script_dir_count = set->script_dirs.count;
	ctx->kpis = kpi_set_new(ctx->cal, &limits, ctx->contract_start_month);
	if (ctx->kpis && set->start_at)
		kpi_set_contract_first_day(ctx->kpis, set->start);
	if (ctx->kpis && open_groups(ctx, err) < 0)
		return -1;
	st.all = digest_new();
	if (!ctx->kpis || !st.all ||
	    kpi_set_script_dirs(ctx->kpis,
				(const char *const *)ctx->script_dirs,
				ctx->script_dir_count) < 0) {
		if (st.all)
			digest_finish(st.all, ctx->scripts_sha256);
		return error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
	}
	for (i = 0; i < ctx->script_dir_count; i++)
		if (load_script_dir(&st, ctx->script_dirs[i]) < 0)
			break;
	/* A group file is part of what the KPIs say: a run's fingerprint
	 * of its definitions changes with it (none without group files). */
	groups = digest_new();
	if (!groups) {
		digest_finish(st.all, ctx->scripts_sha256);
		return error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
	}
	for (size_t g = 0; g < set->group_count; g++) {
		char sha[DIGEST_HEX_SIZE];

		if (!set->groups[g].file ||
		    digest_file_sha256_hex(set->groups[g].file, sha) < 0)
			continue;
		digest_update(st.all, set->groups[g].section->name,
			      strlen(set->groups[g].section->name) + 1);
		digest_update(st.all, sha, strlen(sha));
		digest_update(groups, set->groups[g].section->name,
			      strlen(set->groups[g].section->name) + 1);
		digest_update(groups, sha, strlen(sha));
	}
	digest_finish(st.all, ctx->scripts_sha256);
	digest_finish(groups, groups_sha);
	if (i < ctx->script_dir_count)
		return -1;
	if (ctx->script_count == 0)
		return config_fail(ctx->cfg, set->peil, set->script_dirs_at, err,
				   "no KPI script (*.lua) in script_dirs = %s",
				   set->script_dirs_text);
	if (configure_kpis(ctx, err) < 0)
		return -1;
	/* The modules are part of the definitions, not of the scripts'
	 * hash: a run after a change of one evaluates the KPIs it may
	 * change, and keeps the others. */
	if (modules_sha256(ctx, modules_sha) < 0 ||
	    hash_definitions(ctx, groups_sha, modules_sha) < 0)
		return error_set(err, ctx->cfg->path, 0, NULL, "out of memory");
	return 0;
}

int context_load_storage(peil_context *ctx, peil_error *err)
{
	const config_section *section =
		config_section_find(ctx->cfg, "storage", NULL);
	const char *name = ctx->settings.storage;

	if (ctx->store)
		return 0;
	ctx->storage_host = host_new(ctx->cfg, section, name);
	if (!ctx->storage_host)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (store_load(&ctx->plugins, name, host_services(), ctx->storage_host,
		       &ctx->store, err) < 0)
		return -1;
	if (section && loader_config_keys(store_plugin(ctx->store)) &&
	    settings_check_plugin_keys(ctx->cfg, section,
			loader_config_keys(store_plugin(ctx->store)),
			err) < 0)
		return -1;
	return 0;
}

int context_open_storage(peil_context *ctx, unsigned what, peil_error *err)
{
	int mode = (what & CONTEXT_CREATE)   ? STORE_OPEN_CREATE
		   : (what & CONTEXT_READER) ? STORE_OPEN_READER
					     : STORE_OPEN_EXISTING;
	size_t i;

	if (context_load_storage(ctx, err) < 0)
		return -1;
	if (store_open(ctx->store, mode, err) < 0)
		return CONTEXT_STORAGE_FAILED;
	if (what & CONTEXT_LOCK) {
		int rc = store_lock(ctx->store,
				    (long)ctx->settings.lock_wait * 1000, err);

		if (rc != 0)
			return rc == PEIL_STORE_LOCK_BUSY
				       ? CONTEXT_LOCKED
				       : CONTEXT_STORAGE_FAILED;
	}
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
	memset(ctx, 0, sizeof(*ctx));
	if (config_load(config_path, &ctx->cfg, err) < 0 ||
	    settings_open(ctx->cfg, &ctx->settings, err) < 0)
		return -1;
	if (digest_file_sha256_hex(config_path, ctx->config_sha256) < 0)
		return error_set(err, config_path, 0, NULL, "cannot read: %s",
				 strerror(errno));
	if (schema_set_init(&ctx->schemas, ctx->cfg, err) < 0)
		return -1;
	/* The configured directories go first, in their order. */
	if (loader_path_init(&ctx->plugins,
			     (const char *const *)ctx->settings.plugin_dirs.items,
			     ctx->settings.plugin_dirs.count) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (what & CONTEXT_STORAGE) {
		int rc = context_open_storage(ctx, what, err);

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
	host_free(ctx->storage_host);
	kpi_set_free(ctx->kpis);
	calendar_free(ctx->cal);
	loader_path_release(&ctx->plugins);
	schema_set_release(&ctx->schemas);
	settings_release(&ctx->settings);
	config_free(ctx->cfg);
	memset(ctx, 0, sizeof(*ctx));
}
