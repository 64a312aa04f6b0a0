/*
 * cmd_show.c - peil show: the stored figures of a run.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "finality.h"
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

static int run_started(void *arg, const peil_run_record *run)
{
	*(int64_t *)arg = run->started;
	return 0;
}

/* Mark the figures provisional or final as of the day their run began:
 * what the run published, not what they would be today. */
static void show_finality(peil_context *ctx, result_table *t)
{
	int64_t started = 0;
	finality fin;
	peil_error err;

	error_clear(&err);
	if (!LOADER_STORAGE_HAS(ctx->storage, runs_scan))
		return;		/* unknown: no marks */
	if (finality_load(ctx->cfg, &fin, &err) < 0 ||
	    ctx->storage->runs_scan(ctx->storage_state, t->run_id,
				    run_started, &started, &err) < 0) {
		log_error(&err);
		return;
	}
	finality_mark(&fin, t, finality_date(started));
}

struct latest {
	int64_t id;
};

/* The first run (newest first) that recorded its figures. */
static int find_latest(void *arg, const peil_run_record *run)
{
	struct latest *l = arg;

	if (strcmp(run->status, "ok") == 0 ||
	    strcmp(run->status, "kpi failed") == 0) {
		l->id = run->id;
		return 1;
	}
	return 0;
}

static int count_run(void *arg, const peil_run_record *run)
{
	(void)run;
	((struct latest *)arg)->id++;
	return 0;
}

/* The run to show: the one asked for, which must exist, or the latest
 * that recorded figures.  0 with *run_id set (0: there is none yet). */
static int pick_run(peil_context *ctx, long long asked, int64_t *run_id)
{
	struct latest l = { 0 };
	peil_error err;
	int rc;

	error_clear(&err);
	*run_id = 0;
	if (!LOADER_STORAGE_HAS(ctx->storage, runs_scan)) {
		*run_id = asked;	/* results_scan picks the latest */
		return 0;
	}
	rc = ctx->storage->runs_scan(ctx->storage_state, asked,
				     asked ? count_run : find_latest, &l,
				     &err);
	if (rc < 0) {
		log_error(&err);
		return asked && strstr(err.message, "no run") ? EXIT_USAGE
							      : EXIT_STORAGE;
	}
	*run_id = asked ? asked : l.id;
	return 0;
}

static int cmd_show(const cli_options *o, int argc, char **argv)
{
	struct show_state st;
	peil_result_query q = { 0, NULL };
	output_format format;
	peil_context ctx;
	peil_error err;
	int64_t run_id = 0;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "show takes no arguments");
		return EXIT_USAGE;
	}
	memset(&st, 0, sizeof(st));
	rc = cli_format(o, &format);
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
	if (rc == 0)
		rc = pick_run(&ctx, o->run_id, &run_id);
	if (rc == 0 && !run_id && !o->run_id) {
		log_msg(PEIL_LOG_ERROR, "no run has recorded figures yet; "
					"peil run or peil eval makes one");
		rc = EXIT_USAGE;
	}
	if (rc == 0) {
		q.run_id = run_id;
		q.kpi = o->kpi;
		error_clear(&err);
		if (ctx.storage->results_scan(ctx.storage_state, &q, show_row,
					      &st, &err) < 0) {
			log_error(&err);
			rc = EXIT_STORAGE;
		} else if (st.oom) {
			log_msg(PEIL_LOG_ERROR, "out of memory");
			rc = EXIT_STORAGE;
		} else if (st.table.count == 0 && o->kpi) {
			log_msg(PEIL_LOG_ERROR,
				"run %lld has no figures of KPI '%s'%s",
				(long long)run_id, o->kpi,
				kpi_set_find(ctx.kpis, o->kpi)
					? " in that period"
					: " (no KPI has that id; see peil list)");
			rc = EXIT_USAGE;
		} else {
			st.table.run_id = run_id;
			show_finality(&ctx, &st.table);
			result_table_sort(&st.table);
			if (format == OUTPUT_TEXT)
				printf("Run %lld\n\n", (long long)run_id);
			output_write(stdout, format, &st.table, ctx.kpis);
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
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_show_command = {
	.name = "show",
	.summary = "print the figures of the latest run (or another)",
	.help = "      --run N         the figures of run N\n"
		"  -k, --kpi ID        only this KPI\n"
		"  -f, --format F      text (default), csv or json\n",
	.takes_period = 1,
	.options = show_options,
	.run = cmd_show,
};
