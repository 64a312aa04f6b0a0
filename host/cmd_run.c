/*
 * cmd_run.c - peil run, ingest and eval: the commands that change the store.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int cmd_ingest(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	int rc;

	if (argc > 1) {
		log_msg(PEIL_LOG_ERROR, "ingest takes at most one source");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0)
		rc = cli_ingest(&ctx, argc ? argv[0] : NULL, o->force);
	context_close(&ctx);
	return rc;
}

static int cmd_eval(const cli_options *o, int argc, char **argv)
{
	output_options out;
	peil_context ctx;
	int32_t from, to;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "eval takes no arguments");
		return EXIT_USAGE;
	}
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	rc = cli_range(o, &from, &to);
	if (rc)
		return rc;
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = cli_evaluate(&ctx, "eval", from, to, o->kpi, &out);
	context_close(&ctx);
	return rc;
}

static int cmd_run(const cli_options *o, int argc, char **argv)
{
	output_options out;
	peil_context ctx;
	int32_t from, to;
	int rc, ingest_rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "run takes no arguments");
		return EXIT_USAGE;
	}
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = cli_run_range(&ctx, &from, &to);
	if (rc == 0) {
		ingest_rc = cli_ingest(&ctx, NULL, 0);
		if (ingest_rc == EXIT_CONFIG || ingest_rc == EXIT_STORAGE) {
			rc = ingest_rc;
		} else {
			rc = cli_evaluate(&ctx, "run", from, to, NULL, &out);
			rc = cli_worst(rc, ingest_rc);
		}
	}
	context_close(&ctx);
	return rc;
}


static const struct option run_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "lang", required_argument, NULL, CLI_OPT_LANG },
	{ "locale", required_argument, NULL, CLI_OPT_LOCALE },
	{ NULL, 0, NULL, 0 }
};

static const struct option eval_options[] = {
	{ "kpi", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "lang", required_argument, NULL, CLI_OPT_LANG },
	{ "locale", required_argument, NULL, CLI_OPT_LOCALE },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_run_command = {
	.name = "run",
	.summary = "ingest every source, then evaluate the [run] periods and "
		   "record the run",
	.help = "  -f, --format F      text (default), csv or json\n"
		CLI_LANG_HELP,
	.options = run_options,
	.run = cmd_run,
};

static const struct option ingest_options[] = {
	{ "force", no_argument, NULL, CLI_OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_ingest_command = {
	.name = "ingest",
	.args = "[SOURCE]",
	.summary = "read every configured source (or one) into the store",
	.help = "      --force         also read files this source read before "
		"with the same\n"
		"                      settings (their rows are replaced by key)\n",
	.options = ingest_options,
	.run = cmd_ingest,
};

const cli_command cmd_eval_command = {
	.name = "eval",
	.summary = "evaluate the KPIs for a period and record the run",
	.help = "  -k, --kpi ID        only this KPI\n"
		"  -f, --format F      text (default), csv or json\n"
		CLI_LANG_HELP,
	.takes_period = 1,
	.options = eval_options,
	.run = cmd_eval,
};
