/*
 * cmd_check.c - peil check: the configuration, plugins and scripts, touching no data.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "engine/source.h"

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

/* Open each source as ingest would (source.h) and close it again; no
 * data is read or written.  The store is loaded, not opened, so that a
 * snapshot it cannot take is refused here too (NULL when it did not
 * load).  Each plugin that loads is shown: which file of which version
 * serves the source is the first question when it misbehaves. */
static void check_sources(peil_context *ctx, struct check_state *st)
{
	if (ctx->store)
		cli_plugin_line("storage: ", store_plugin(ctx->store),
				store_plugin_path(ctx->store));
	for (size_t i = 0; i < ctx->settings.source_count; i++) {
		opened_source opened;
		peil_error err;

		error_clear(&err);
		if (source_open(ctx, &ctx->settings.sources[i], ctx->store,
				&opened, &err) < 0) {
			if (!err.message[0])
				error_set(&err, NULL, 0, NULL, "out of memory");
			check_report(st, &err);
			continue;
		}
		printf("source %s: ", ctx->settings.sources[i].section->name);
		cli_plugin_line("", opened.plugin->plugin, opened.plugin->path);
		source_close(&opened);
	}
}

static int cmd_check(const cli_options *o, int argc, char **argv)
{
	struct check_state st = { 0, NULL };
	peil_context ctx;
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
	if (context_load_storage(&ctx, &err) < 0)
		check_report(&st, &err);
	else if (cli_lock_path(&ctx, NULL, 0, &err) != 0)
		check_report(&st, &err);
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
