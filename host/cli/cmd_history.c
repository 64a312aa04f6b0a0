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
#include "base/visible.h"
#include "engine/figure_diff.h"
#include "engine/history.h"
#include "engine/run_status.h"
#include "engine/withdrawn.h"
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

/* What peil runs prints with: the context, and whether a peil holds
 * the run lock (cli_lock_held), which tells a run under way from one
 * killed before its end, as peil status does. */
struct runs_print {
	peil_context *ctx;
	int lock_held;
};

static int print_run(void *arg, const history_run *r)
{
	const struct runs_print *p = arg;
	const peil_run_record *run = r->record;
	char started[20], duration[32];

	format_time(run->started, started);
	if (run->ended)
		snprintf(duration, sizeof(duration), "%lld s",
			 (long long)(run->ended - run->started));
	else
		snprintf(duration, sizeof(duration), "not ended");
	printf("Run %lld  %s  %s  %s  %s\n", (long long)run->id, run->kind,
	       started, duration, run_status_word(run->status, p->lock_held));
	printf("    periods %s .. %s; inputs fingerprint %.12s\n",
	       run->period_from ? run->period_from : "-",
	       run->period_to ? run->period_to : "-",
	       run->inputs_sha256 ? run->inputs_sha256 : "-");
	if (run->listing)
		printf("    listed %s\n", run->listing);
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

struct report_line {
	int64_t run_id;
};

static int print_report(void *arg, const peil_report_record *rep)
{
	const struct report_line *l = arg;
	char written[20];

	if (rep->run_id != l->run_id)
		return 0;
	format_time(rep->written, written);
	printf("    report #%lld %s %s %s%s%s, %s: %s\n", (long long)rep->id,
	       rep->period, rep->format, rep->lang, rep->kpi ? " --kpi " : "",
	       rep->kpi ? rep->kpi : "", written, rep->path);
	return 0;
}

/* The reports written of the run (peil report -o), when the store
 * records them (version 8). */
static void print_reports(peil_context *ctx, int64_t run_id)
{
	struct report_line l = { run_id };
	peil_error err;

	if (!store_has(ctx->store, STORE_V8_REPORTS))
		return;
	error_clear(&err);
	if (store_reports_scan(ctx->store, print_report, &l, &err) < 0)
		log_error(&err);
}

static int print_run_end(void *arg, const history_run *r)
{
	const struct runs_print *p = arg;

	if (!r->inputs)
		printf("    no new inputs since the run before\n");
	if (r->record->confirms)
		printf("    nothing changed: confirms run %lld, whose figures "
		       "stand\n", (long long)r->record->confirms);
	else
		printf("    %zu KPIs evaluated, %zu failed%s%s\n", r->kpis,
		       r->failed, r->failures[0] ? ": " : "", r->failures);
	if (r->stale[0])
		printf("    %s\n", r->stale);
	print_reports(p->ctx, r->record->id);
	return 0;
}

static int cmd_runs(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	struct runs_print p = { &ctx, -1 };
	const history_runs_fns print = { &p, print_run, print_input,
					 print_run_end };
	peil_error err;
	size_t count;
	int rc;

	(void)argc, (void)argv;	/* none: main refuses them */
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0) {
		error_clear(&err);
		p.lock_held = cli_lock_held(&ctx, &err);
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

/* The widest breakdown a diff line shows whole; a longer one is cut
 * (output_clip), so that one long team name does not push every line. */
#define DIFF_LABEL_MAX 40

struct diff_state {
	finality fin;
	int32_t today;
	size_t changed;
	const kpi_set *kpis;	/* decimals of each KPI; may be NULL */
	int point;		/* decimal point (--locale en), else comma */
	int measure;		/* 1: only widen the columns, print nothing */
	cli_causes *causes;	/* why each KPI's figures changed */
	size_t width[6];	/* kpi, period, breakdown, old, new, change */
};

/* The texts of a change's columns, as the tables print its values:
 * with the KPI's decimals and the decimal mark of --locale. */
static void change_texts(const struct diff_state *st, const figure_change *c,
			 char text[6][128])
{
	const kpi_info *k = st->kpis ? kpi_set_find(st->kpis, c->kpi) : NULL;
	int decimals = k ? k->decimals : -1;
	char label[512];

	snprintf(text[0], 128, "%s", c->kpi);
	snprintf(text[1], 128, "%s", c->period);
	result_breakdown_label(c->breakdown, label, sizeof(label));
	output_clip(label, DIFF_LABEL_MAX, text[2], 128);
	output_fixed(c->old_value, decimals, st->point, text[3], 128);
	output_fixed(c->new_value, decimals, st->point, text[4], 128);
	if (isnan(c->old_value) || isnan(c->new_value))
		text[5][0] = '\0';
	else
		output_fixed(c->new_value - c->old_value, decimals, st->point,
			     text[5], 128);
	for (int i = 3; i < 6; i++)
		if (!text[i][0])
			snprintf(text[i], 128, "-");
	if (text[5][0] != '-' && strspn(text[5], "0.,") != strlen(text[5])) {
		memmove(text[5] + 1, text[5], strlen(text[5]) + 1);
		text[5][0] = '+';
	}
}

/* A line of columns: text left-aligned, numbers (3 to 5) right-aligned,
 * each padded to its width in characters. */
static void diff_line(const struct diff_state *st, char text[6][128],
		      const char *tail)
{
	fputs(" ", stdout);
	for (int i = 0; i < 6; i++) {
		fputc(' ', stdout);
		output_pad(stdout, text[i], st->width[i], i >= 3);
	}
	printf("%s\n", tail);
}

static int print_change(void *arg, const figure_change *c)
{
	struct diff_state *st = arg;
	enum revision_cause cause;
	char text[6][128], tail[32];

	if (!c->covered)
		return 0;	/* a period only one of the runs evaluated */
	change_texts(st, c, text);
	if (st->measure) {
		for (int i = 0; i < 6; i++)
			if (output_width(text[i]) > st->width[i])
				st->width[i] = output_width(text[i]);
		return 0;
	}
	st->changed++;
	cause = cli_cause_of(st->causes, c->kpi);
	snprintf(tail, sizeof(tail), "%s%s",
		 finality_is_final(&st->fin, c->period, st->today)
			 ? "  definitief" : "",
		 cause == REVISION_CAUSE_DEFINITION ? "  definitie"
		 : cause == REVISION_CAUSE_INPUT    ? "  invoer"
						    : "");
	diff_line(st, text, tail);
	return 0;
}

static void print_input_change(void *arg, const history_change *c)
{
	(void)arg;
	printf("  %-12s %-8s ", c->dataset, c->kind);
	visible_write(stdout, c->key);	/* a key is the export's text */
	putchar('\n');
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

static int count_covered(void *arg, const figure_change *c)
{
	*(size_t *)arg += c->covered != 0;
	return 0;
}

struct withdrawn_print {
	int64_t run_id;
	size_t count;
};

/* A KPI that run b records as withdrawn (engine/withdrawn.h): its
 * figures are gone from b, which print_change does not show (no period
 * of it in b). */
static int print_withdrawn(void *arg, const peil_run_kpi *k)
{
	struct withdrawn_print *w = arg;

	if (!k->message || strncmp(k->message, WITHDRAWN_PREFIX,
				   sizeof(WITHDRAWN_PREFIX) - 1) != 0)
		return 0;
	if (!w->count++)
		printf("\nKPIs withdrawn in run %lld (no longer defined, "
		       "their figures gone):\n", (long long)w->run_id);
	printf("  %s  %s (%s)\n", k->kpi, k->title ? k->title : "",
	       k->message);
	return 0;
}

static int diff_print(peil_context *ctx, int64_t a, int64_t b,
		      const output_options *out, peil_error *err)
{
	char heads[6][128] = { "kpi", "periode", "uitsplitsing", "oud",
			       "nieuw", "verschil" };
	struct diff_state st;
	history_change_counts counts;
	result_table old_table, new_table;
	size_t stored = 0;
	int rc = EXIT_STORAGE;

	memset(&st, 0, sizeof(st));
	memset(&old_table, 0, sizeof(old_table));
	memset(&new_table, 0, sizeof(new_table));
	st.today = finality_today();
	st.kpis = ctx->kpis;
	st.point = out->english_numbers;
	st.fin = settings_finality(&ctx->settings);
	/* Small cells stay hidden here too: a hidden figure reads as "-"
	 * and two hidden figures as unchanged. */
	rc = cli_read_figures(ctx, a, NULL, 0, 0, 0, &old_table);
	if (rc == EXIT_OK)
		rc = cli_read_figures(ctx, b, NULL, 0, 0, 0, &new_table);
	/* The changes as stored, before the rules hide values: changes of
	 * hidden figures only are said to be there, not shown.  (Sorting
	 * for the diff keeps the tables' order: cli_read_figures sorted
	 * them bytewise already.) */
	if (rc == EXIT_OK)
		figure_diff(&old_table, &new_table, count_covered, &stored);
	if (rc == EXIT_OK)
		rc = cli_worst(cli_disclose(ctx, &old_table),
			       cli_disclose(ctx, &new_table));
	if (rc != EXIT_OK)
		goto out;
	rc = EXIT_STORAGE;
	st.causes = cli_causes_read(ctx, a, b);
	if (!st.causes) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	printf("Figures that changed from run %lld to run %lld:\n",
	       (long long)a, (long long)b);
	/* Twice: first the widths of the columns, then the lines. */
	for (int i = 0; i < 6; i++)
		st.width[i] = output_width(heads[i]);
	st.measure = 1;
	figure_diff(&old_table, &new_table, print_change, &st);
	st.measure = 0;
	diff_line(&st, heads, "");
	if (old_table.min_count > 0)
		printf("  (- = geen waarde, of niet getoond: minder dan %g)\n",
		       old_table.min_count);
	printf("  (definitie = de definitie van de KPI veranderde; invoer = "
	       "alleen de invoer)\n");
	figure_diff(&old_table, &new_table, print_change, &st);
	if (!st.changed && stored) {
		printf("  (");
		printf(out->words->diff_hidden, stored);
		printf(")\n");
	} else if (!st.changed) {
		printf("  (none)\n");
	}
	{
		struct withdrawn_print w = { b, 0 };

		if (store_run_kpis_scan(ctx->store, b, print_withdrawn, &w,
					err) < 0)
			goto out;
	}
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
	cli_causes_free(st.causes);
	result_table_release(&old_table);
	result_table_release(&new_table);
	return rc;
}

static int cmd_diff(const cli_options *o, int argc, char **argv)
{
	output_options out;
	peil_context ctx;
	peil_error err;
	int64_t a, b;
	int rc;

	if (argc > 2) {
		log_msg(PEIL_LOG_ERROR, "diff takes at most two runs");
		return EXIT_USAGE;
	}
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	/* Scripts give each KPI's decimals and say which KPIs add up
	 * across grains (cli_disclose); a script that fails to load only
	 * costs its KPIs theirs. */
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	error_clear(&err);
	if (rc == 0)
		rc = diff_runs(&ctx, argc, argv, &a, &b, &err);
	if (rc == 0)
		rc = diff_print(&ctx, a, b, &out, &err);
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
	.summary = "list the recorded runs, their inputs, failures and "
		   "reports",
	.help = "      --run N         only run N\n",
	.options = runs_options,
	.run = cmd_runs,
};

static const struct option diff_options[] = {
	{ "lang", required_argument, NULL, CLI_OPT_LANG },
	{ "locale", required_argument, NULL, CLI_OPT_LOCALE },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_diff_command = {
	.name = "diff",
	.args = "[RUN_A [RUN_B]]",
	.summary = "show the figures and input rows that changed between two "
		   "runs (default: the last two)",
	.help = "      --lang L        nl (default) or en: the note on changes "
		"that the\n                      small-cell rules hide\n"
		"      --locale L      decimal comma (nl, default) or point "
		"(en)\n",
	.options = diff_options,
	.run = cmd_diff,
};
