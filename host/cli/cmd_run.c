/*
 * cmd_run.c - peil run, ingest and eval: the commands that change the store.
 *
 * Each takes the run lock first (cli_open_locked), before it opens the
 * store, so that a timer's run and an operator's ingest never interleave.
 * run is meant to run unattended: no prompts, progress only at a
 * terminal, log lines on stderr, and an exit code for each outcome
 * (cli.h).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/interrupt.h"
#include "engine/history.h"
#include "engine/ingest.h"
#include "engine/run_confirm.h"
#include "engine/run_status.h"
#include "engine/value_check.h"
#include "model/finality.h"
#include "base/log.h"

static int cmd_ingest(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	run_lock lock = { -1 };
	int rc;

	if (argc > 1) {
		log_msg(PEIL_LOG_ERROR, "ingest takes at most one source");
		return EXIT_USAGE;
	}
	rc = cli_open_locked(&ctx, o, CONTEXT_STORAGE | CONTEXT_CREATE, &lock);
	if (rc == 0)
		rc = cli_ingest(&ctx, argc ? argv[0] : NULL,
				o->force ? INGEST_FORCE : 0);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static int cmd_eval(const cli_options *o, int argc, char **argv)
{
	output_options out;
	peil_context ctx;
	run_lock lock = { -1 };
	int32_t from, to;
	int rc;

	(void)argc, (void)argv;	/* none: main refuses them */
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	rc = cli_range(o, &from, &to);
	if (rc)
		return rc;
	rc = cli_open_locked(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS, &lock);
	if (rc == 0) {
		finality fin = settings_finality(&ctx.settings);

		ctx.timings = o->timings;
		rc = cli_evaluate(&ctx, o->dry_run ? NULL : "eval", from, to,
				  o->kpi, 0, &out, &fin, NULL);
	}
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

/* Leave out the periods that ended less than delay_days ago: their
 * registrations are not complete yet.  EXIT_OK with *to moved, or
 * EXIT_CONFIG. */
static int run_delay(const finality *fin, int32_t from, int32_t *to,
		     int *nothing)
{
	int32_t cutoff = finality_cutoff(fin, finality_today());
	char text[11];

	*nothing = 0;
	if (*to <= cutoff)
		return EXIT_OK;
	date_format_iso(cutoff, text);
	log_msg(PEIL_LOG_INFO,
		"periods ending after %s wait for late registrations "
		"(delay_days = %d)", text, fin->delay_days);
	*to = cutoff;
	*nothing = *to < from;
	return EXIT_OK;
}

/* A side of a changed figure: its value, or '*' when the small-cell
 * rules hide it (as in the outputs). */
static void final_side(double value, int hidden, char *out, size_t size)
{
	if (hidden)
		snprintf(out, size, "*");
	else
		snprintf(out, size, "%g", value);
}

static void warn_final_changed(void *arg, const history_final_change *h)
{
	const figure_change *c = h->change;
	char label[512], old[32], now[32];

	(void)arg;
	result_breakdown_label(c->breakdown, label, sizeof(label));
	final_side(c->old_value, h->old_hidden, old, sizeof(old));
	final_side(c->new_value, h->new_hidden, now, sizeof(now));
	log_msg(PEIL_LOG_WARNING,
		"final figure changed: %s %s %s: %s -> %s%s", c->kpi, c->period,
		label, old, now,
		h->old_hidden || h->new_hidden
			? " (* = hidden by the small-cell rules)"
			: "");
}

/* Compare run_id's figures with the run before it: a changed figure of a
 * final period is a published figure that moved.  The exit code. */
static int run_check_final(peil_context *ctx, const finality *fin,
			   int64_t run_id)
{
	int64_t previous;
	size_t changed;
	peil_error err;

	error_clear(&err);
	if (history_final_changes(ctx, fin, run_id, &previous,
				  warn_final_changed, NULL, &changed,
				  &err) < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	if (!changed)
		return EXIT_OK;
	log_msg(PEIL_LOG_WARNING,
		"run %lld: %zu final figures changed since run %lld (see peil "
		"diff %lld %lld)", (long long)run_id, changed,
		(long long)previous, (long long)previous, (long long)run_id);
	return EXIT_FINAL_CHANGED;
}

/* When nothing changed since the run whose figures the store serves
 * (run_confirm.h), record a run that confirms them and print them: the
 * exit code, with *run_id set.  -1 when something changed (logged why):
 * the run evaluates. */
static int run_unchanged(peil_context *ctx, const output_options *out,
			 const finality *fin, int32_t from, int32_t to,
			 int64_t *run_id)
{
	result_table t;
	input_ages stale = { NULL, 0 };
	peil_error err;
	char why[512];
	int64_t base;
	int rc;

	error_clear(&err);
	rc = run_confirm_check(ctx, fin, from, to, &base, why, sizeof(why),
			       &err);
	if (rc == 0) {
		log_msg(PEIL_LOG_INFO, "evaluating: %s", why);
		return -1;
	}
	if (rc < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	/* The figures it confirms are read back before the run is
	 * recorded: a store that cannot give them fails the run (exit 4),
	 * and no run says that they stand. */
	memset(&t, 0, sizeof(t));
	rc = cli_read_figures(ctx, base, NULL, 0, 0, 0, &t);
	if (rc == EXIT_OK)
		rc = cli_read_stale(ctx, base, &stale);
	if (rc == EXIT_OK) {
		if (run_confirm_record(ctx, from, to, base, run_id, &err) < 0) {
			log_error(&err);
			rc = EXIT_STORAGE;
		} else {
			log_msg(PEIL_LOG_INFO, "run %lld: nothing changed "
				"since run %lld, whose figures it confirms: 0 "
				"KPIs evaluated, all kept from run %lld",
				(long long)*run_id, (long long)base,
				(long long)base);
			rc = cli_write_run(ctx, out, fin, &t, &stale);
		}
	}
	input_ages_release(&stale);
	result_table_release(&t);
	return rc;
}

/* Stored rows that break a rule the datasets declare now (a range added
 * after they were ingested, which no ingest checks again, or a value
 * that the sources' allowed lists no longer hold): the figures
 * count them, as a file's rows would have been refused, so the run says
 * so, each rule's rows counted and the first named (value_check.h), and
 * exits 2, as for rows an ingest rejects.  It evaluates all the same (the
 * check comes after the run is recorded, so that a store that fails its
 * scan fails the evaluation first, which records the run so): a rule
 * of one dataset does not hold back the figures of the others, and peil
 * ingest --force, which puts it right, reads every export again. */
static int run_check_rules(peil_context *ctx)
{
	peil_error err;
	long broken;

	error_clear(&err);
	broken = value_check_rules(ctx, &err);
	if (broken < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	if (broken == 0)
		return EXIT_OK;
	log_msg(PEIL_LOG_WARNING, "the figures count stored rows that break "
		"%ld rule%s of the datasets (above): peil ingest --force "
		"reads the exports again and refuses them", broken,
		broken == 1 ? "" : "s");
	return EXIT_INPUT_REJECTED;
}

/* The run's steps; the id of the run it recorded goes to *run_id (0 when
 * none).  full: evaluate even when nothing changed; last_clean: the last
 * run exited 0 (run_last_clean). */
static int run_steps(peil_context *ctx, const output_options *out, int full,
		     int last_clean, int64_t *run_id)
{
	finality fin = settings_finality(&ctx->settings);
	peil_error err;
	int64_t base = 0;
	int32_t from, to;
	size_t kept;
	int rc, ingest_rc, nothing;

	*run_id = 0;
	rc = cli_run_range(ctx, &from, &to);
	if (rc == 0)
		rc = run_delay(&fin, from, &to, &nothing);
	if (rc)
		return rc;
	cli_progress("[1/3] ingesting the sources");
	ingest_rc = cli_ingest(ctx, NULL, full ? INGEST_REHASH : 0);
	if (ingest_rc == EXIT_CONFIG || ingest_rc == EXIT_STORAGE)
		return ingest_rc;
	if (nothing) {
		log_msg(PEIL_LOG_WARNING, "no period of [run] periods is "
			"complete yet: nothing evaluated");
		return ingest_rc;
	}
	if (!full) {
		rc = run_unchanged(ctx, out, &fin, from, to, run_id);
		/* nothing changed since the run it confirms: the rows and
		 * rules that run checked, unless it found them clean */
		if (rc >= 0 && rc != EXIT_STORAGE && !last_clean)
			rc = cli_worst(rc, run_check_rules(ctx));
		if (rc >= 0)
			return cli_worst(rc, ingest_rc);
		error_clear(&err);
		if (run_confirm_keep(ctx, &fin, from, to, &base, &kept,
				     &err) < 0) {
			log_error(&err);
			return EXIT_STORAGE;
		}
	}
	cli_progress("[2/3] evaluating the KPIs");
	rc = cli_evaluate(ctx, "run", from, to, NULL, base, out, &fin, run_id);
	if (*run_id) {
		cli_progress("[3/3] comparing with the run before");
		rc = cli_worst(rc, run_check_final(ctx, &fin, *run_id));
		/* after the run is recorded: a store that fails the scan
		 * fails the evaluation first, which records the run so */
		if (rc != EXIT_STORAGE)
			rc = cli_worst(rc, run_check_rules(ctx));
	}
	return cli_worst(rc, ingest_rc);
}

/* Keep the run's outcome beside the lock for peil status (run_status.h),
 * while the lock is held: begun (begin 1), then its exit code; as main
 * reports a signal, 128 + its number. */
static void run_keep_exit(peil_context *ctx, int begin, int64_t run_id,
			  int rc)
{
	int64_t now = (int64_t)time(NULL);
	char path[4096];
	peil_error err;

	error_clear(&err);
	if (interrupt_requested())
		rc = EXIT_INTERRUPTED + interrupt_requested();
	/* Kept beside the lock file: without one (a store that locks
	 * itself), peil status has no exit code to read. */
	if (cli_lock_path(ctx, path, sizeof(path), &err) != 0 ||
	    (path[0] && (begin ? run_status_begin(path, now, &err)
			       : run_status_write(path, run_id, rc, now,
						  &err)) < 0))
		log_error(&err);
}

/* Whether the last run exited 0, as it left its exit code beside the
 * lock (run_status.h), read before this run replaces it: a run that
 * confirms it, with the same rows and rules, need not scan for rows that
 * break them again (93 % of the instructions of such a run over 3M rows,
 * docs/benchmarks.md).  0 when unknown (no lock file, none written, a
 * run killed). */
static int run_last_clean(peil_context *ctx)
{
	run_status_exit last;
	char path[4096];
	peil_error err;

	error_clear(&err);
	return cli_lock_path(ctx, path, sizeof(path), &err) == 0 && path[0] &&
	       run_status_read(path, &last) == 0 && !last.running &&
	       last.run_id > 0 && last.exit_code == EXIT_OK;
}

static int cmd_run(const cli_options *o, int argc, char **argv)
{
	output_options out;
	peil_context ctx;
	run_lock lock = { -1 };
	int64_t run_id = 0;
	int rc;

	(void)argc, (void)argv;	/* none: main refuses them */
	rc = cli_output_options(o, &out);
	if (rc)
		return rc;
	rc = cli_open_locked(&ctx, o,
			     CONTEXT_STORAGE | CONTEXT_SCRIPTS | CONTEXT_CREATE,
			     &lock);
	if (rc == 0) {
		int last_clean = run_last_clean(&ctx);

		run_keep_exit(&ctx, 1, 0, 0);
		rc = run_steps(&ctx, &out, o->full, last_clean, &run_id);
	}
	if (lock.fd >= 0)
		run_keep_exit(&ctx, 0, run_id, rc);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static const struct option run_options[] = {
	{ "full", no_argument, NULL, CLI_OPT_FULL },
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
	{ "dry-run", no_argument, NULL, CLI_OPT_DRY_RUN },
	{ "timings", no_argument, NULL, CLI_OPT_TIMINGS },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_run_command = {
	.name = "run",
	.summary = "ingest every source, then evaluate the [run] periods and "
		   "record the run",
	.help = "      --full          evaluate every KPI, even when nothing "
		"changed since the\n"
		"                      run whose figures stand\n"
		"  -f, --format F      text (default), csv or json\n"
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
	.summary = "evaluate the KPIs for a period and record the run (kind "
		   "eval: not published)",
	.help = "  -k, --kpi ID        only this KPI (tag:NAME: only the "
		"KPIs with that tag;\n"
		"                      again for more: --kpi A --kpi B)\n"
		"      --dry-run       record nothing in the store\n"
		"      --timings       evaluate each KPI alone and print its "
		"time on stderr\n"
		"  -f, --format F      text (default), csv or json\n"
		CLI_LANG_HELP,
	.takes_period = 1,
	.kpi_several = 1,
	.options = eval_options,
	.run = cmd_eval,
};
