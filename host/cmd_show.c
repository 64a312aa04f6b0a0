/*
 * cmd_show.c - peil show: the stored figures of a run.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "period.h"

struct show_state {
	result_table table;
	int has_range;
	int32_t from, to;
	int oom;
};

static int show_row(void *arg, const peil_result *r)
{
	struct show_state *st = arg;
	period p;

	st->table.run_id = r->run_id;
	if (st->has_range && (period_parse(r->period, &p) < 0 ||
			      p.first < st->from || p.last > st->to))
		return 0;
	if (result_table_add(&st->table, r) < 0) {
		st->oom = 1;
		return -1;
	}
	return 0;
}

static int cmd_show(const cli_options *o, int argc, char **argv)
{
	struct show_state st;
	peil_result_query q = { 0, NULL };
	output_options out;
	peil_context ctx;
	peil_error err;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "show takes no arguments");
		return EXIT_USAGE;
	}
	memset(&st, 0, sizeof(st));
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	if (o->period || o->from || o->to) {
		rc = cli_range(o, &st.from, &st.to);
		if (rc)
			return rc;
		st.has_range = 1;
	}
	/* Scripts give titles and units; a script that fails to load only
	 * costs its titles here. */
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0) {
		q.run_id = o->run_id;
		q.kpi = o->kpi;
		error_clear(&err);
		if (ctx.storage->results_scan(ctx.storage_state, &q, show_row,
					      &st, &err) < 0) {
			cli_print_error(&err);
			rc = EXIT_STORAGE;
		} else if (st.oom) {
			log_msg(PEIL_LOG_ERROR, "out of memory");
			rc = EXIT_STORAGE;
		} else if (!st.table.run_id) {
			log_msg(PEIL_LOG_ERROR,
				o->run_id ? "no figures for run %lld"
					  : "no finished run yet%.0lld: try "
					    "peil run", o->run_id);
			rc = EXIT_CONFIG;
		} else {
			result_table_sort(&st.table);
			rc = cli_disclose(&ctx, &st.table);
			if (rc == 0 && out.format == OUTPUT_TEXT)
				printf("Run %lld\n\n",
				       (long long)st.table.run_id);
			out.kpis = ctx.kpis;
			if (rc == 0 && output_write(stdout, &out, &st.table) < 0)
				rc = EXIT_CONFIG;
		}
	}
	result_table_release(&st.table);
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
