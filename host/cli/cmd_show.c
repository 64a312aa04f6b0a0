/*
 * cmd_show.c - peil show: the stored figures of a run.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "model/finality.h"
#include "base/log.h"

static int cmd_show(const cli_options *o, int argc, char **argv)
{
	result_table table;
	output_options out;
	input_ages stale = { NULL, 0 };
	peil_context ctx;
	int32_t from = 0, to = 0;
	int rc, has_range = 0;

	(void)argc, (void)argv;	/* none: main refuses them */
	memset(&table, 0, sizeof(table));
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	if (o->period || o->from || o->to) {
		rc = cli_range(o, &from, &to);
		if (rc)
			return rc;
		has_range = 1;
	}
	/* Scripts give titles and units; a script that fails to load only
	 * costs its titles here. */
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = cli_read_figures(&ctx, o->run_id, o->kpi, has_range, from,
				      to, &table);
	if (rc == 0) {
		cli_warn_changed_scripts(&ctx, table.run_id, o->kpi);
		out.unpublished = cli_mark_finality(&ctx, &table);
		rc = cli_disclose(&ctx, &table);
	}
	if (rc == 0 && table.run_id)
		rc = cli_read_stale(&ctx, table.run_id, &stale);
	if (rc == 0) {
		if (out.format == OUTPUT_TEXT)
			printf("Run %lld\n\n", (long long)table.run_id);
		out.kpis = ctx.kpis;
		out.field_label = settings_field_label;
		out.field_label_ctx = &ctx.settings;
		out.stale = &stale;
		if (output_write(stdout, &out, &table) < 0)
			rc = EXIT_STORAGE;	/* out of memory */
		rc = cli_worst(rc, cli_check_stdout());
	}
	input_ages_release(&stale);
	result_table_release(&table);
	context_close(&ctx);
	return rc;
}

static const struct option show_options[] = {
	{ "run", required_argument, NULL, CLI_OPT_RUN },
	{ "kpi", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "lang", required_argument, NULL, CLI_OPT_LANG },
	{ "locale", required_argument, NULL, CLI_OPT_LOCALE },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_show_command = {
	.name = "show",
	.summary = "print the figures of the latest run (or another)",
	.help = "      --run N         the figures of run N\n"
		"  -k, --kpi ID        only this KPI\n"
		"  -f, --format F      text (default), csv or json\n"
		CLI_LANG_HELP,
	.takes_period = 1,
	.options = show_options,
	.run = cmd_show,
};
