/*
 * cmd_check.c - peil check: the configuration, plugins and scripts, touching no data.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"

struct check_state {
	size_t problems;
	peil_context *ctx;
};

static void check_report(void *arg, const peil_error *problem)
{
	struct check_state *st = arg;

	st->problems++;
	log_error(problem);
}

static const peil_schema *check_schema(void *arg, const char *name)
{
	return schema_set_find(&((struct check_state *)arg)->ctx->schemas,
			       name);
}

/* Load each source's plugin and let it check its settings; no data is
 * read or written. */
static void check_sources(peil_context *ctx, struct check_state *st)
{
	size_t i;

	for (i = 0; i < ctx->cfg->count; i++) {
		const config_section *s = &ctx->cfg->sections[i];
		const char *plugin = config_get(s, "plugin", NULL);
		const char *dataset = config_get(s, "dataset", NULL);
		const peil_schema *schema;
		loaded_plugin *loaded = NULL;
		peil_host *host = NULL;
		void *state = NULL;
		peil_error err;

		if (strcmp(s->kind, "source") != 0)
			continue;
		error_clear(&err);
		if (!plugin || !dataset || !config_get(s, "path", NULL)) {
			config_fail(ctx->cfg, s, NULL, &err,
				    "[source %s] needs plugin =, dataset = and "
				    "path =", s->name);
			check_report(st, &err);
			continue;
		}
		schema = schema_set_find(&ctx->schemas, dataset);
		if (!schema) {
			config_fail(ctx->cfg, s, config_entry_find(s, "dataset"),
				    &err, "dataset '%s' is not declared",
				    dataset);
			check_report(st, &err);
			continue;
		}
		if (loader_open(&ctx->plugins, plugin, PEIL_PLUGIN_INPUT,
				&loaded, &err) < 0 ||
		    (loader_config_keys(loaded->plugin) &&
		     config_check_keys(ctx->cfg, s, host_source_keys,
				       loader_config_keys(loaded->plugin),
				       &err) < 0) ||
		    !(host = host_new(ctx->cfg, s, plugin)) ||
		    host_input_init(host, schema, NULL, ctx->reject_dir,
				    &err) < 0 ||
		    loaded->plugin->input->open(host_services(), host, &state,
						&err) < 0) {
			if (!err.message[0])
				error_set(&err, NULL, 0, NULL, "out of memory");
			config_locate(ctx->cfg, s, NULL, &err);
			check_report(st, &err);
			state = NULL;
		}
		if (state && loaded->plugin->input->close)
			loaded->plugin->input->close(state);
		host_free(host);
		loader_close(loaded);
	}
}

static int cmd_check(const cli_options *o, int argc, char **argv)
{
	struct check_state st = { 0, NULL };
	peil_context ctx;
	loaded_plugin *storage = NULL;
	peil_error err;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "check takes no arguments");
		return EXIT_USAGE;
	}
	error_clear(&err);
	rc = context_open(&ctx, o->config, CONTEXT_SCRIPTS, check_report, &st,
			  &err);
	if (rc < 0) {
		log_error(&err);
		context_close(&ctx);
		return EXIT_CONFIG;
	}
	if (loader_open(&ctx.plugins,
			config_get(config_section_find(ctx.cfg, "peil", NULL),
				   "storage", "sqlite"),
			PEIL_PLUGIN_STORAGE, &storage, &err) < 0 ||
	    (config_section_find(ctx.cfg, "storage", NULL) &&
	     loader_config_keys(storage->plugin) &&
	     config_check_keys(ctx.cfg,
			       config_section_find(ctx.cfg, "storage", NULL),
			       NULL, loader_config_keys(storage->plugin),
			       &err) < 0))
		check_report(&st, &err);
	loader_close(storage);
	if (config_section_find(ctx.cfg, "run", NULL)) {
		int32_t from, to;

		if (cli_run_range(&ctx, &from, &to) != 0)
			st.problems++;
	}
	check_sources(&ctx, &st);
	st.ctx = &ctx;
	kpi_set_check(ctx.kpis, check_schema, &st, check_report);
	if (st.problems == 0)
		printf("%s: configuration, %zu datasets, %zu scripts and %zu "
		       "KPIs are fine\n", ctx.cfg->path, ctx.schemas.count,
		       ctx.script_count, kpi_set_count(ctx.kpis));
	else
		printf("%s: %zu problem%s\n", ctx.cfg->path, st.problems,
		       st.problems == 1 ? "" : "s");
	context_close(&ctx);
	return st.problems ? EXIT_CONFIG : EXIT_OK;
}


const cli_command cmd_check_command = {
	.name = "check",
	.summary = "check the configuration and compile every script, touching "
		   "no data",
	.run = cmd_check,
};
