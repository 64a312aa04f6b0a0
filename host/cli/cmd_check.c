/*
 * cmd_check.c - peil check: the configuration, plugins and scripts, and
 * the values KPIs compare with against the stored data, once there is a
 * store.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/log.h"
#include "engine/ingest.h"
#include "engine/source.h"
#include "engine/value_check.h"

struct check_state {
	size_t problems;
	size_t left_out;	/* problems of KPIs that no run evaluates */
	size_t unmatched;	/* sources whose path matches no file */
	peil_context *ctx;
};

static void check_report(void *arg, const peil_error *problem)
{
	struct check_state *st = arg;

	st->problems++;
	log_error(problem);
}

/* A KPI's problem (every message of kpi_set_check starts "kpi 'ID': "):
 * a problem when runs evaluate the KPI; else ([run] kpis leaves it out,
 * or [kpi ID] enabled = no) only mentioned, since no figure depends on
 * it, as a municipality without iWmo messages leaves out the maatwerk
 * KPIs. */
static void check_kpi_report(void *arg, const peil_error *problem)
{
	struct check_state *st = arg;
	const kpi_set *kpis = st->ctx->kpis;
	const char *id = problem->message + strlen("kpi '");
	size_t len;

	if (strncmp(problem->message, "kpi '", 5) != 0 ||
	    !strstr(id, "': ")) {
		check_report(arg, problem);
		return;
	}
	len = (size_t)(strstr(id, "': ") - id);
	for (size_t i = 0; i < kpi_set_count(kpis); i++) {
		const kpi_info *k = kpi_set_info(kpis, i);

		if (strlen(k->id) != len || strncmp(k->id, id, len) != 0 ||
		    kpi_wanted(k, NULL))
			continue;
		st->left_out++;
		log_msg(PEIL_LOG_INFO, "%s:%ld: %s; no run evaluates it (%s "
			"leaves it out), so this is no problem",
			problem->file, problem->line, problem->message,
			k->disabled ? "enabled = no" : "[run] kpis");
		return;
	}
	check_report(arg, problem);
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
		if (source_check_scopes(ctx, &ctx->settings.sources[i],
					&err) < 0)
			check_report(st, &err);
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
		st->unmatched += (size_t)ingest_source_unmatched(
			ctx, &ctx->settings.sources[i]);
	}
}

/* When all else is fine: the KPIs' literals that no stored row holds,
 * and stored rows against their dataset's declared ranges and date
 * orders (value_check.h), as warnings.  check creates no store
 * (tests/e2e/cli.sh, check_and_usage): it opens one only when it is
 * there (CONTEXT_CREATE not given).  A store that is not there yet, or
 * cannot be opened now (another peil's large ingest holds it), leaves
 * the values unchecked, saying why; neither is a problem of the
 * configuration.  The number of warnings; -1 when the store was opened
 * but its rows could not be read (a corrupt file): a failure of the
 * store, said as one (exit 4), not a warning. */
static long check_stored_values(peil_context *ctx)
{
	peil_error err;
	long warnings;

	error_clear(&err);
	if (context_open_storage(ctx, CONTEXT_READER, &err) != 0) {
		log_msg(PEIL_LOG_INFO, "the values that KPIs compare with were "
			"not checked against stored data: %s", err.message);
		return 0;
	}
	warnings = value_check_stored(ctx, &err);
	if (warnings < 0)
		log_error(&err);
	return warnings;
}

/* What the rolling items of [run] periods resolve to today. */
static void print_rolling(const peil_settings *s)
{
	int32_t today = finality_today();
	char day[11], first_text[11], last_text[11];

	date_format_iso(today, day);
	for (size_t i = 0; i < s->periods.rolling_count; i++) {
		int32_t first, last;

		settings_rolling_range(s, i, today, &first, &last);
		date_format_iso(first, first_text);
		date_format_iso(last, last_text);
		printf("[run] periods: %s is %s .. %s on %s (delay_days = "
		       "%d)\n", s->periods.rolling_text[i], first_text,
		       last_text, day, (int)s->delay_days);
	}
}

/* An explicit holiday list ([calendar] dates) knows only the years it
 * holds a date of, and a working-day count that reaches another year
 * fails its KPI at evaluation: say so now for the years of [run]
 * periods (from .. to, days), a warning, since a KPI set may count no
 * working days.  1 when warned. */
static int check_holidays(const peil_context *ctx, int32_t from, int32_t to)
{
	char why[256];

	if (!ctx->cal ||
	    calendar_check_span(ctx->cal, from - 1, to, why, sizeof(why)) == 0)
		return 0;
	log_msg(PEIL_LOG_WARNING, "%s: [run] periods: %s; a KPI that counts "
		"working days in them fails", ctx->cfg->path, why);
	return 1;
}

static int cmd_check(const cli_options *o, int argc, char **argv)
{
	struct check_state st = { 0, 0, 0, NULL };
	peil_context ctx;
	peil_error err;
	long warnings = 0;
	int rc, uncovered = 0;

	(void)argc, (void)argv;	/* none: main refuses them */
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
		else {
			print_rolling(&ctx.settings);
			uncovered = check_holidays(&ctx, from, to);
		}
	}
	check_sources(&ctx, &st);
	st.ctx = &ctx;
	kpi_set_check(ctx.kpis, check_schema, &st, check_kpi_report);
	/* The notes a report would print: a bad line is found here first. */
	{
		commentary notes = { NULL, 0 };

		error_clear(&err);
		if (commentary_load(ctx.kpis, ctx.script_dirs,
				    ctx.script_dir_count, &notes, &err) < 0)
			check_report(&st, &err);
		commentary_release(&notes);
	}
	if (st.problems == 0)
		warnings = check_stored_values(&ctx);
	if (st.problems == 0) {
		printf("%s: configuration, %zu datasets, %zu scripts and %zu "
		       "KPIs are fine", ctx.cfg->path, ctx.schemas.count,
		       ctx.script_count, kpi_set_count(ctx.kpis) - st.left_out);
		if (st.left_out)
			printf(" (%zu more, which runs leave out, do not fit "
			       "the datasets)", st.left_out);
		if (st.unmatched)
			printf("; %zu source%s match%s no file", st.unmatched,
			       st.unmatched == 1 ? "" : "s",
			       st.unmatched == 1 ? "es" : "");
		if (uncovered)
			printf("; [calendar] dates does not cover [run] "
			       "periods");
		if (warnings > 0)
			printf("; %ld warning%s about the stored values",
			       warnings, warnings == 1 ? "" : "s");
		else if (warnings < 0)
			printf("; the stored values could not be read");
		printf("\n");
	} else
		printf("%s: %zu problem%s\n", ctx.cfg->path, st.problems,
		       st.problems == 1 ? "" : "s");
	context_close(&ctx);
	return st.problems ? EXIT_CONFIG : warnings < 0 ? EXIT_STORAGE : EXIT_OK;
}

const cli_command cmd_check_command = {
	.name = "check",
	.summary = "check the configuration and compile every script; warn of "
		   "values KPIs compare with that no stored row holds",
	.run = cmd_check,
};
