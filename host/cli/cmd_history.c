/*
 * cmd_history.c - peil runs and peil diff: the history of runs, and what
 * changed between two of them, in the figures and in the inputs, as
 * engine/history.c finds them.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "engine/figure_diff.h"
#include "engine/history.h"
#include "model/finality.h"
#include "base/log.h"

/* ----------------------------------------------------------------- runs */

static void format_time(int64_t t, char out[20])
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

static int print_run(void *arg, const history_run *r)
{
	const peil_run_record *run = r->record;
	char started[20], duration[32];

	(void)arg;
	format_time(run->started, started);
	if (run->ended)
		snprintf(duration, sizeof(duration), "%lld s",
			 (long long)(run->ended - run->started));
	else
		snprintf(duration, sizeof(duration), "not ended");
	printf("Run %lld  %s  %s  %s  %s\n", (long long)run->id, run->kind,
	       started, duration, run->status);
	printf("    periods %s .. %s; inputs fingerprint %.12s\n",
	       run->period_from ? run->period_from : "-",
	       run->period_to ? run->period_to : "-",
	       run->inputs_sha256 ? run->inputs_sha256 : "-");
	return 0;
}

static int print_input(void *arg, const history_run *r,
		       const peil_ingest_entry *e)
{
	(void)arg;
	(void)r;
	printf("    input #%lld %s (%s): %s, sha256 %.12s, %lld rows%s\n",
	       (long long)e->id, e->source, e->dataset, e->path, e->sha256,
	       (long long)e->rows, e->rejected ? ", rows rejected" : "");
	return 0;
}

static int print_run_end(void *arg, const history_run *r)
{
	(void)arg;
	if (!r->inputs)
		printf("    no new inputs since the run before\n");
	printf("    %zu KPIs evaluated, %zu failed%s%s\n", r->kpis, r->failed,
	       r->failed ? ": " : "", r->failures);
	if (r->stale[0])
		printf("    %s\n", r->stale);
	return 0;
}

static int cmd_runs(const cli_options *o, int argc, char **argv)
{
	const history_runs_fns print = { NULL, print_run, print_input,
					 print_run_end };
	peil_context ctx;
	peil_error err;
	size_t count;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "runs takes no arguments");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0) {
		error_clear(&err);
		if (history_runs(&ctx, o->run_id, &print, &count, &err) < 0) {
			log_error(&err);
			rc = EXIT_STORAGE;
		} else if (!count) {
			printf("No runs yet.\n");
		}
	}
	context_close(&ctx);
	return rc;
}

/* ----------------------------------------------------------------- diff */

struct diff_state {
	finality fin;
	int32_t today;
	size_t changed;
};

static void format_value(double v, char *out, size_t size)
{
	if (isnan(v))
		snprintf(out, size, "-");
	else
		snprintf(out, size, "%.6g", v);
}

static int print_change(void *arg, const figure_change *c)
{
	struct diff_state *st = arg;
	char label[512], old_text[32], new_text[32], delta[32];

	if (!c->covered)
		return 0;	/* a period only one of the runs evaluated */
	st->changed++;
	result_breakdown_label(c->breakdown, label, sizeof(label));
	format_value(c->old_value, old_text, sizeof(old_text));
	format_value(c->new_value, new_text, sizeof(new_text));
	if (isnan(c->old_value) || isnan(c->new_value))
		snprintf(delta, sizeof(delta), "-");
	else
		snprintf(delta, sizeof(delta), "%+.6g",
			 c->new_value - c->old_value);
	printf("  %-28s %-8s %-24s %10s %10s %10s%s\n", c->kpi, c->period,
	       label, old_text, new_text, delta,
	       finality_is_final(&st->fin, c->period, st->today)
		       ? "  definitief"
		       : "");
	return 0;
}

static void print_input_change(void *arg, const history_change *c)
{
	(void)arg;
	printf("  %-12s %-8s %s\n", c->dataset, c->kind, c->key);
}

/* RUN_A and RUN_B from the arguments, else the last two runs with
 * figures.  The exit code. */
static int diff_runs(peil_context *ctx, int argc, char **argv, int64_t *a,
		     int64_t *b, peil_error *err)
{
	char *end;
	int i;

	*a = *b = 0;
	for (i = 0; i < argc; i++) {
		int64_t *slot = i == 0 ? a : b;

		*slot = strtoll(argv[i], &end, 10);
		if (end == argv[i] || *end || *slot <= 0) {
			log_msg(PEIL_LOG_ERROR, "diff: '%s' is not a run "
				"number (see peil runs)", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (history_diff_runs(ctx, a, b, err) < 0)
		return EXIT_STORAGE;
	if (!*a || !*b) {
		log_msg(PEIL_LOG_ERROR, "diff needs two runs with figures; "
			"see peil runs");
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static int diff_print(peil_context *ctx, int64_t a, int64_t b,
		      peil_error *err)
{
	struct diff_state st;
	history_change_counts counts;
	result_table old_table, new_table;
	int rc = EXIT_STORAGE;

	memset(&st, 0, sizeof(st));
	memset(&old_table, 0, sizeof(old_table));
	memset(&new_table, 0, sizeof(new_table));
	st.today = finality_today();
	st.fin = settings_finality(&ctx->settings);
	/* Small cells stay hidden here too: a hidden figure reads as "-"
	 * and two hidden figures as unchanged. */
	rc = cli_read_figures(ctx, a, NULL, 0, 0, 0, &old_table);
	if (rc == EXIT_OK)
		rc = cli_read_figures(ctx, b, NULL, 0, 0, 0, &new_table);
	if (rc == EXIT_OK)
		rc = cli_worst(cli_disclose(ctx, &old_table),
			       cli_disclose(ctx, &new_table));
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_STORAGE;
	printf("Figures that changed from run %lld to run %lld:\n",
	       (long long)a, (long long)b);
	printf("  %-28s %-8s %-24s %10s %10s %10s\n", "kpi", "periode",
	       "uitsplitsing", "oud", "nieuw", "verschil");
	if (old_table.min_count > 0)
		printf("  (- = geen waarde, of niet getoond: minder dan %g)\n",
		       old_table.min_count);
	figure_diff(&old_table, &new_table, print_change, &st);
	if (!st.changed)
		printf("  (none)\n");
	printf("\nInput changes between run %lld and run %lld:\n",
	       (long long)a, (long long)b);
	if (!store_has(ctx->store, STORE_V2_CHANGES)) {
		printf("  (the storage plugin does not track changes)\n");
	} else {
		if (history_input_changes(ctx, a, b, print_input_change, NULL,
					  &counts, err) < 0)
			goto out;
		printf("  %zu added, %zu changed, %zu removed\n", counts.added,
		       counts.changed, counts.removed);
	}
	rc = EXIT_OK;
out:
	result_table_release(&old_table);
	result_table_release(&new_table);
	return rc;
}

static int cmd_diff(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	peil_error err;
	int64_t a, b;
	int rc;

	if (argc > 2) {
		log_msg(PEIL_LOG_ERROR, "diff takes at most two runs");
		return EXIT_USAGE;
	}
	/* The scripts say which KPIs add up across grains (cli_disclose). */
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	error_clear(&err);
	if (rc == 0)
		rc = diff_runs(&ctx, argc, argv, &a, &b, &err);
	if (rc == 0)
		rc = diff_print(&ctx, a, b, &err);
	if (rc == EXIT_STORAGE || (rc == EXIT_CONFIG && err.message[0]))
		log_error(&err);
	context_close(&ctx);
	return rc;
}

static const struct option runs_options[] = {
	{ "run", required_argument, NULL, CLI_OPT_RUN },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_runs_command = {
	.name = "runs",
	.summary = "list the recorded runs, their inputs and failures",
	.help = "      --run N         only run N\n",
	.options = runs_options,
	.run = cmd_runs,
};

const cli_command cmd_diff_command = {
	.name = "diff",
	.args = "[RUN_A [RUN_B]]",
	.summary = "show the figures and input rows that changed between two "
		   "runs (default: the last two)",
	.run = cmd_diff,
};
