/*
 * cli.c - the steps that several peil commands share.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/comparison.h"
#include "engine/disclose.h"
#include "base/calendar.h"
#include "base/error.h"
#include "engine/evaluation.h"
#include "engine/history.h"
#include "model/finality.h"
#include "engine/ingest.h"
#include "engine/withdrawn.h"
#include "base/log.h"
#include "base/out_file.h"
#include "base/period.h"

int cli_worst(int a, int b)
{
	return a > b ? a : b;
}

/* The contract year's first month from the config's [contract] section
 * (1 when it is absent or unreadable: the error comes when the command
 * opens the config).  Periods are read before the context is opened. */
static int contract_month(const char *config_path)
{
	config *cfg = NULL;
	peil_settings settings;
	peil_error err;
	int month = 1;

	memset(&settings, 0, sizeof(settings));
	if (config_load(config_path, &cfg, &err) == 0 &&
	    settings_open(cfg, &settings, &err) == 0)
		month = (int)settings.start_month;
	settings_release(&settings);
	config_free(cfg);
	return month;
}

/* "2018/2019": the contract year from the configured month of 2018. */
static int contract_year_bounds(const char *config_path, const char *text,
				int32_t *first, int32_t *last)
{
	int y1, y2, month, n = 0;
	period p;

	if (sscanf(text, "%4d/%4d%n", &y1, &y2, &n) != 2 || text[n] ||
	    y2 != y1 + 1 || y1 < 1)
		return -1;
	month = contract_month(config_path);
	if (month == 1)
		return -1;	/* the contract year is the calendar year */
	period_containing(PERIOD_CONTRACT_YEAR, month,
			  date_from_civil(y1, month, 1), &p);
	*first = p.first;
	*last = p.last;
	return 0;
}

int cli_period_bounds(const cli_options *o, const char *text, int32_t *first,
		      int32_t *last)
{
	period p;

	if (strchr(text, '/') &&
	    contract_year_bounds(o->config, text, first, last) == 0)
		return 0;
	if (period_parse(text, &p) < 0) {
		log_msg(PEIL_LOG_ERROR,
			"'%s' is not a period: use 2017, 2017-Q4, 2017-03 or, "
			"with a contract year from [contract] start_month, "
			"2017/2018", text);
		return -1;
	}
	*first = p.first;
	*last = p.last;
	return 0;
}

int cli_range(const cli_options *o, int32_t *from, int32_t *to)
{
	int32_t a, b;

	if (o->period && (o->from || o->to)) {
		log_msg(PEIL_LOG_ERROR, "give --period or --from/--to, not both");
		return EXIT_USAGE;
	}
	if (o->period)
		return cli_period_bounds(o, o->period, from, to) < 0 ? EXIT_USAGE
								  : 0;
	if (!o->from || !o->to) {
		log_msg(PEIL_LOG_ERROR,
			"which period? give --period P or --from P --to P");
		return EXIT_USAGE;
	}
	if (cli_period_bounds(o, o->from, from, &a) < 0 ||
	    cli_period_bounds(o, o->to, &b, to) < 0)
		return EXIT_USAGE;
	if (*to < *from) {
		log_msg(PEIL_LOG_ERROR, "--to %s lies before --from %s", o->to,
			o->from);
		return EXIT_USAGE;
	}
	return 0;
}

/* The range of [run] periods (read with the config: settings.c). */
int cli_run_range(const peil_context *ctx, int32_t *from, int32_t *to)
{
	if (!ctx->settings.periods.given) {
		log_msg(PEIL_LOG_ERROR,
			"%s: [run] periods = is not set; give the periods to "
			"evaluate, e.g. periods = 2018", ctx->cfg->path);
		return EXIT_CONFIG;
	}
	settings_run_range(&ctx->settings, finality_today(), from, to);
	return 0;
}

int cli_open(peil_context *ctx, const cli_options *o,
			unsigned what)
{
	peil_error err;
	int rc;

	error_clear(&err);
	/* Without the lock, the command only reads the store. */
	if (what & CONTEXT_STORAGE)
		what |= CONTEXT_READER;
	rc = context_open(ctx, o->config, what, NULL, NULL, &err);
	if (rc == 0)
		return 0;
	log_error(&err);
	return rc == CONTEXT_STORAGE_FAILED ? EXIT_STORAGE : EXIT_CONFIG;
}

/* The runs still "running" (at most RUNNING_MAX at a time). */
#define RUNNING_MAX 64
struct running_runs {
	int64_t ids[RUNNING_MAX];
	size_t count;
};

static int running_run(void *arg, const peil_run_record *run)
{
	struct running_runs *r = arg;

	if (strcmp(run->status, "running") == 0 && r->count < RUNNING_MAX)
		r->ids[r->count++] = run->id;
	return 0;
}

/* With the store's own lock taken (version 14), no other peil writes the
 * store: a run still "running" is one whose peil ended without recording
 * its end (its server lost, the process killed).  Recorded as failed,
 * saying so, its end left unset (peil runs: "not ended"): it is no run
 * to confirm (run_confirm.c), nor one whose figures peil show --run
 * shows as if whole; left as it is when that cannot be done. */
static void close_abandoned_runs(peil_context *ctx)
{
	struct running_runs r = { .count = 0 };
	peil_error err;
	size_t i;

	if (!store_has(ctx->store, STORE_V14_READERS))
		return;
	error_clear(&err);
	if (store_runs_scan(ctx->store, 0, running_run, &r, &err) < 0) {
		log_error(&err);
		return;
	}
	for (i = 0; i < r.count; i++) {
		if (store_run_end(ctx->store, r.ids[i], "failed", 0,
				  &err) < 0) {
			log_error(&err);
			return;
		}
		log_msg(PEIL_LOG_WARNING,
			"run %lld was left running by a peil that ended "
			"without recording its end (no peil holds the store's "
			"lock): recorded as failed", (long long)r.ids[i]);
	}
}

int cli_open_locked(peil_context *ctx, const cli_options *o, unsigned what,
		    run_lock *lock)
{
	peil_error err;
	int rc = cli_open(ctx, o, what & ~CONTEXT_STORAGE);

	lock->fd = -1;
	if (rc == 0)
		rc = cli_lock(ctx, lock);
	if (rc || !(what & CONTEXT_STORAGE))
		return rc;
	error_clear(&err);
	/* The store's own lock too, on top of the file's: it keeps writers
	 * on other machines out. */
	rc = context_open_storage(ctx, what | CONTEXT_LOCK, &err);
	if (rc == 0) {
		close_abandoned_runs(ctx);
		return 0;
	}
	log_error(&err);
	return rc == CONTEXT_LOCKED		 ? EXIT_LOCKED
	       : rc == CONTEXT_STORAGE_FAILED ? EXIT_STORAGE
					      : EXIT_CONFIG;
}

int cli_ingest(peil_context *ctx, const char *only, int force)
{
	ingest_summary sum;
	peil_error err;

	error_clear(&err);
	if (ingest_sources(ctx, only, force, &sum, &err) < 0) {
		log_error(&err);
		return EXIT_CONFIG;
	}
	log_msg(PEIL_LOG_INFO,
		"ingest: %zu files stored (%lld rows), %zu skipped as ingested "
		"before, %zu refused, %lld rows rejected, %lld removed by "
		"snapshots", sum.files, (long long)sum.rows, sum.skipped,
		sum.failed, (long long)sum.rejected, (long long)sum.removed);
	if (sum.unknown)
		log_msg(PEIL_LOG_WARNING, "ingest: %lld values outside their "
			"field's allowed values were stored (see the warnings "
			"above)", (long long)sum.unknown);
	if (sum.silent)
		log_msg(PEIL_LOG_WARNING,
			"ingest: %zu files with data lines stored no row, and "
			"will be read again", sum.silent);
	if (sum.emptied)
		log_msg(PEIL_LOG_WARNING, "ingest: %zu snapshots without rows "
			"removed every stored row of their dataset or scope "
			"(see the warnings above)", sum.emptied);
	if (sum.storage_failed)
		return EXIT_STORAGE;
	return sum.failed || sum.rejected || sum.unknown || sum.silent ||
				       sum.emptied
		       ? EXIT_INPUT_REJECTED
		       : EXIT_OK;
}

/* A grain of a KPI that has no whole period in [from, to] gives no
 * figures; say so rather than print nothing. */
static void warn_empty_kpis(const peil_context *ctx, int32_t from,
			    int32_t to, const char *only_kpi)
{
	char a[11], b[11];
	size_t i;

	date_format_iso(from, a);
	date_format_iso(to, b);
	for (i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);

		if (!kpi_wanted(k, only_kpi))
			continue;
		for (size_t g = 0; g < k->grains.count; g++) {
			const char *name = period_grain_name(k->grains.grain[g]);

			if (period_list(k->grains.grain[g],
					ctx->contract_start_month, from, to,
					NULL, 0) == 0)
				log_msg(PEIL_LOG_WARNING,
					"KPI %s is evaluated per %s: no whole "
					"%s lies in %s..%s, so it has no "
					"figures per %s", k->id, name, name, a,
					b, name);
		}
	}
}

int cli_write_run(peil_context *ctx, const output_options *out,
		  const struct finality *fin, result_table *t,
		  const input_ages *stale)
{
	output_options opts;
	int rc = EXIT_OK;

	if (fin) {
		finality_mark(fin, t, finality_today());
		finality_mark_partly_covered(fin, t, stale, finality_today());
	}
	if (!out)
		return EXIT_OK;
	opts = *out;
	opts.kpis = ctx->kpis;
	opts.field_label = settings_field_label;
	opts.field_label_ctx = &ctx->settings;
	opts.stale = stale;
	if (cli_disclose(ctx, t) == EXIT_OK &&
	    output_write(stdout, &opts, t) < 0)
		rc = EXIT_STORAGE;	/* out of memory */
	return cli_worst(rc, cli_check_stdout());
}

int cli_evaluate(peil_context *ctx, const char *kind, int32_t from,
		 int32_t to, const char *only_kpi, int64_t keep_from,
		 const output_options *out, const struct finality *fin,
		 int64_t *run_id)
{
	evaluation ev;
	peil_error err;
	char msg[256];
	size_t figures = 0;
	int rc = EXIT_OK;

	if (run_id)
		*run_id = 0;
	/* each --kpi ID or --kpi tag:NAME names some KPI */
	if (only_kpi &&
	    kpi_list_check(ctx->kpis, only_kpi, msg, sizeof(msg)) < 0) {
		log_msg(PEIL_LOG_ERROR, "--kpi: %s", msg);
		return EXIT_USAGE;
	}
	warn_empty_kpis(ctx, from, to, only_kpi);
	error_clear(&err);
	if (evaluation_run(ctx, kind, NULL, from, to, only_kpi, keep_from,
			   &ev, &err) < 0) {
		log_error(&err);
		evaluation_release(&ev);
		return EXIT_STORAGE;
	}
	if (run_id)
		*run_id = ev.run_id;
	if (input_ages_count(&ev.stale, INPUT_STALE))
		rc = EXIT_INPUT_REJECTED;
	rc = cli_worst(rc, cli_write_run(ctx, out, fin, &ev.results,
					 &ev.stale));
	/* A period that would have been published as final over an input
	 * that ends before it: the dangerous case (docs/output.md, "Partly
	 * covered"). */
	if (fin && finality_mark_partly_covered(fin, &ev.results, &ev.stale,
						finality_today()))
		rc = cli_worst(rc, EXIT_INPUT_REJECTED);
	if (!kind)
		log_msg(PEIL_LOG_INFO, "dry run: nothing was recorded");
	for (size_t i = 0; i < ev.results.count; i++)
		figures += !ev.results.rows[i].earlier;	/* the run's own */
	if (ev.kept)
		log_msg(ev.failed ? PEIL_LOG_WARNING : PEIL_LOG_INFO,
			"run %lld: %zu KPIs: %zu evaluated, %zu kept from run "
			"%lld, %zu failed, %zu figures", (long long)ev.run_id,
			ev.kpis, ev.kpis - ev.kept, ev.kept,
			(long long)ev.kept_from, ev.failed, figures);
	else
		log_msg(ev.failed || ctx->script_errors ? PEIL_LOG_WARNING
							: PEIL_LOG_INFO,
			"run %lld: %zu KPIs evaluated, %zu failed, %zu scripts "
			"did not load, %zu figures", (long long)ev.run_id,
			ev.kpis, ev.failed, ctx->script_errors, figures);
	if (ev.failed || ctx->script_errors)
		rc = cli_worst(rc, EXIT_KPI_FAILED);
	if (ev.not_evaluated) {
		log_msg(PEIL_LOG_WARNING, "run %lld is incomplete: %zu KPIs "
			"not evaluated for some or all periods (see above)",
			(long long)ev.run_id, ev.not_evaluated);
		rc = cli_worst(rc, EXIT_INCOMPLETE);
	}
	evaluation_release(&ev);
	return rc;
}

/* Not a failed KPI's message: that is a script's error text, which a
 * script chooses. */
static int add_stale(void *arg, const peil_run_kpi *k)
{
	if (!k->status || (strcmp(k->status, "ok") != 0 &&
			   strcmp(k->status, "not evaluated") != 0))
		return 0;
	return input_age_parse(k->kpi, k->message, arg) < 0 ? -1 : 0;
}

int cli_read_stale(const peil_context *ctx, int64_t run_id, input_ages *out)
{
	peil_error err;

	error_clear(&err);
	if (store_run_kpis_scan(ctx->store, run_id, add_stale, out, &err) < 0) {
		if (!err.message[0])
			error_set(&err, NULL, 0, NULL, "out of memory");
		log_error(&err);
		return EXIT_STORAGE;
	}
	return 0;
}

const labels *cli_labels(const cli_options *o)
{
	const labels *words = labels_for(o->lang);

	if (!words)
		log_msg(PEIL_LOG_ERROR, "--lang %s: expected nl or en", o->lang);
	return words;
}

int cli_output_options(const cli_options *o, output_options *out)
{
	memset(out, 0, sizeof(*out));
	if (output_format_parse(o->format ? o->format : "text",
				&out->format) < 0) {
		log_msg(PEIL_LOG_ERROR,
			"--format %s: expected text, csv or json", o->format);
		return EXIT_USAGE;
	}
	out->words = cli_labels(o);
	if (!out->words)
		return EXIT_USAGE;
	if (o->locale && strcmp(o->locale, "nl") != 0 &&
	    strcmp(o->locale, "en") != 0) {
		log_msg(PEIL_LOG_ERROR, "--locale %s: expected nl or en",
			o->locale);
		return EXIT_USAGE;
	}
	out->english_numbers = o->locale && strcmp(o->locale, "en") == 0;
	return 0;
}

unsigned cli_compare_asks(void *kpis, const char *id)
{
	const kpi_info *k = kpis ? kpi_set_find(kpis, id) : NULL;

	return k ? k->compare : 0;
}

/* After the rules: a change of a hidden figure, or against one, is
 * hidden too. */
static int compare_disclosed(const peil_context *ctx, result_table *t,
			     int rc)
{
	if (rc < 0 || comparison_attach(t, cli_compare_asks, ctx->kpis) < 0) {
		log_msg(PEIL_LOG_ERROR, "out of memory");
		return EXIT_STORAGE;
	}
	return 0;
}

int cli_disclose_public(const peil_context *ctx, result_table *t)
{
	return compare_disclosed(ctx, t, disclose_public(ctx, t));
}

int cli_disclose(const peil_context *ctx, result_table *t)
{
	return compare_disclosed(ctx, t,
				 disclose_table(ctx, t,
						settings_disclosure(
							&ctx->settings)));
}


struct read_state {
	result_table *table;
	int has_range;
	int32_t from, to;
	kpi_set *kpis;		/* for the KPIs' compare */
	int oom;
};

/* Whether a figure of the run is one to compare with rather than one of
 * the figures read: one the run evaluated only for that (earlier), or
 * one of the year before the range; only for a KPI compared with earlier
 * periods.  *skip when it is neither. */
static int read_earlier(const struct read_state *st, const peil_result *r,
			int *skip)
{
	int compared = cli_compare_asks(st->kpis, r->kpi) != 0;
	period p;

	*skip = 0;
	if (r->earlier || !st->has_range) {
		*skip = r->earlier && !compared;
		return r->earlier;
	}
	if (period_parse(r->period, &p) < 0) {
		*skip = 1;
		return 0;
	}
	if (p.first >= st->from && p.last <= st->to)
		return 0;
	*skip = !compared || p.last >= st->from ||
		p.first < date_add_months(st->from, -12) - 92;
	return 1;
}

static int read_row(void *arg, const peil_result *r)
{
	struct read_state *st = arg;
	int skip, earlier = read_earlier(st, r, &skip);

	st->table->run_id = r->run_id;
	if (skip)
		return 0;
	if (result_table_add(st->table, r) < 0) {
		st->oom = 1;
		return -1;
	}
	st->table->rows[st->table->count - 1].earlier = earlier;
	return 0;
}

struct latest {
	int64_t id;
	const char *from, *to;	/* NULL: any period */
	int unended;		/* the run asked for has not ended */
};

/* The first run (newest first) that published figures of the period. */
static int find_latest(void *arg, const peil_run_record *run)
{
	struct latest *l = arg;

	if (history_run_published(run, l->from, l->to)) {
		l->id = run->id;
		return 1;
	}
	return 0;
}

static int count_run(void *arg, const peil_run_record *run)
{
	struct latest *l = arg;

	l->id++;
	l->unended |= run->ended == 0;
	return 0;
}

/* The run to read: the one asked for, which must exist, or the latest
 * published one covering [from, to] (ISO dates; NULL: any).  0 with
 * *run_id set (0: there is none). */
static int pick_run(const peil_context *ctx, int64_t asked, const char *from,
		    const char *to, int64_t *run_id)
{
	struct latest l = { 0, from, to, 0 };
	peil_error err;
	int rc;

	error_clear(&err);
	*run_id = 0;
	rc = store_runs_scan(ctx->store, asked,
			     asked ? count_run : find_latest, &l, &err);
	if (rc < 0) {
		log_error(&err);
		return asked && strstr(err.message, "no run") ? EXIT_USAGE
							      : EXIT_STORAGE;
	}
	/* A run killed before its end keeps its record "running", with
	 * some of its figures or none: not a table to show as if whole. */
	if (l.unended) {
		log_msg(PEIL_LOG_ERROR, "run %lld has not ended: it is still "
			"running, or was stopped (killed, a crash, the machine "
			"went down) before it recorded all its figures; peil "
			"status says which, peil runs how each run ended",
			(long long)asked);
		return EXIT_INCOMPLETE;
	}
	*run_id = asked ? asked : l.id;
	return 0;
}

struct script_check {
	const peil_context *ctx;
	int64_t run_id;
	const char *only;
};

/* Titles, units and targets are printed from the scripts as they are now:
 * say so for each KPI whose script changed since the run was recorded. */
static int warn_changed_script(void *arg, const peil_run_kpi *rk)
{
	const struct script_check *c = arg;
	const kpi_info *k;

	if (c->only && strcmp(c->only, rk->kpi) != 0)
		return 0;
	k = kpi_set_find(c->ctx->kpis, rk->kpi);
	/* A KPI the run records as withdrawn (engine/withdrawn.h). */
	if (!k && rk->message && strncmp(rk->message, WITHDRAWN_PREFIX,
					 sizeof(WITHDRAWN_PREFIX) - 1) == 0)
		log_msg(PEIL_LOG_WARNING,
			"KPI %s (%s) is withdrawn in run %lld: %s, and no "
			"longer defined; it has no figures in this run",
			rk->kpi, rk->title ? rk->title : "",
			(long long)c->run_id, rk->message);
	else if (!k)
		log_msg(PEIL_LOG_WARNING,
			"KPI %s of run %lld (%s) has no script any more; its "
			"figures are shown without title or target", rk->kpi,
			(long long)c->run_id, rk->title ? rk->title : "");
	else if (rk->script_sha256 &&
		 strcmp(rk->script_sha256, k->definition_sha256) != 0)
		log_msg(PEIL_LOG_WARNING,
			"the definition of KPI %s (%s) changed since run %lld: its "
			"title, unit and target are shown as they are now",
			rk->kpi, k->script, (long long)c->run_id);
	return 0;
}

void cli_warn_changed_scripts(const peil_context *ctx, int64_t run_id,
			      const char *kpi)
{
	struct script_check c = { ctx, run_id, kpi };
	peil_error err;

	if (!ctx->kpis)
		return;
	error_clear(&err);
	if (store_run_kpis_scan(ctx->store, run_id, warn_changed_script, &c,
				&err) < 0)
		log_error(&err);
}

int cli_read_figures(const peil_context *ctx, int64_t asked, const char *kpi,
		     int has_range, int32_t from, int32_t to, result_table *t)
{
	struct read_state st = { t, has_range, from, to, ctx->kpis, 0 };
	peil_result_query q = { 0, kpi };
	peil_error err;
	int64_t run_id = 0;
	char a[11], b[11];
	int rc;

	date_format_iso(from, a);
	date_format_iso(to, b);
	rc = pick_run(ctx, asked, has_range ? a : NULL, has_range ? b : NULL,
		      &run_id);
	if (rc)
		return rc;
	if (!run_id && has_range) {
		log_msg(PEIL_LOG_ERROR, "no complete scheduled run covers %s "
			"to %s: no figures of it are published (peil run "
			"with [run] periods covering it makes them)", a, b);
		return EXIT_USAGE;
	}
	if (!run_id) {
		log_msg(PEIL_LOG_ERROR, "no complete scheduled run has "
			"recorded figures yet; peil run makes one (peil eval's "
			"are not published)");
		return EXIT_USAGE;
	}
	q.run_id = run_id;
	error_clear(&err);
	if (store_results_scan(ctx->store, &q, read_row, &st, &err) < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	if (st.oom) {
		log_msg(PEIL_LOG_ERROR, "out of memory");
		return EXIT_STORAGE;
	}
	if (t->count == 0 && kpi) {
		log_msg(PEIL_LOG_ERROR, "run %lld has no figures of KPI '%s'%s",
			(long long)run_id, kpi,
			kpi_set_find(ctx->kpis, kpi)
				? " in that period"
				: " (no KPI has that id; see peil list)");
		return EXIT_USAGE;
	}
	t->run_id = run_id;
	result_table_sort(t);
	return 0;
}


struct run_facts {
	int64_t started;
	int unpublished;
};

static int run_facts_of(void *arg, const peil_run_record *run)
{
	struct run_facts *f = arg;

	f->started = run->started;
	f->unpublished = !history_run_published(run, NULL, NULL);
	return 0;
}

int cli_mark_finality(const peil_context *ctx, result_table *t)
{
	struct run_facts facts = { 0, 0 };
	finality fin = settings_finality(&ctx->settings);
	input_ages notes = { NULL, 0 };
	peil_error err;

	if (!t->run_id)
		return 0;
	error_clear(&err);
	if (store_runs_scan(ctx->store, t->run_id, run_facts_of, &facts,
			    &err) < 0) {
		log_error(&err);
		return 0;
	}
	finality_mark(&fin, t, finality_date(facts.started));
	/* the notes the run kept: a partly covered period stays
	 * provisional */
	if (cli_read_stale(ctx, t->run_id, &notes) == 0)
		finality_mark_partly_covered(&fin, t, &notes,
					     finality_date(facts.started));
	input_ages_release(&notes);
	return facts.unpublished;
}

int cli_lock_path(peil_context *ctx, char *out, size_t size, peil_error *err)
{
	char suggested[4096];

	if (!out) {
		out = suggested;
		size = sizeof(suggested);
	}
	if (ctx->settings.lock_file) {
		if (snprintf(out, size, "%s", ctx->settings.lock_file) >=
		    (int)size) {
			error_set(err, NULL, 0, NULL, "lock_file = %s: too long",
				  ctx->settings.lock_file);
			return EXIT_CONFIG;
		}
		return 0;
	}
	if (context_load_storage(ctx, err) < 0)
		return EXIT_CONFIG;
	/* A store that locks itself needs no file. */
	if (!store_has(ctx->store, STORE_V5_LOCK_PATH) &&
	    store_has(ctx->store, STORE_V14_READERS)) {
		out[0] = '\0';
		return 0;
	}
	if (store_require(ctx->store, STORE_V5_LOCK_PATH,
			  "set [run] lock_file = FILE, the lock of the commands "
			  "that write the store", err) < 0)
		return EXIT_CONFIG;
	/* The plugin's own failure (its path key missing, say) is the
	 * store's, as when its open fails: the exit code stays that of
	 * the open that reported it after the lock before. */
	if (store_lock_path(ctx->store, out, size, err) < 0)
		return EXIT_STORAGE;
	return 0;
}

int cli_lock(peil_context *ctx, run_lock *lock)
{
	long wait_s = (long)ctx->settings.lock_wait;
	char path[4096];
	peil_error err;
	int rc;

	lock->fd = -1;
	error_clear(&err);
	rc = cli_lock_path(ctx, path, sizeof(path), &err);
	if (rc != 0) {
		log_error(&err);
		return rc;
	}
	if (path[0] == '\0')
		return EXIT_OK;	/* the store's own lock only */
	rc = run_lock_take(lock, path, wait_s * 1000, &err);
	if (rc == 0)
		return EXIT_OK;
	log_error(&err);
	return rc == RUN_LOCK_BUSY ? EXIT_LOCKED : EXIT_CONFIG;
}

int cli_lock_held(peil_context *ctx, peil_error *err)
{
	char path[4096];
	run_lock probe;
	int rc;

	if (cli_lock_path(ctx, path, sizeof(path), err) != 0)
		return -1;
	if (path[0] == '\0') {
		error_set(err, ctx->cfg->path, 0, NULL,
			  "[run] lock_file is not set: no lock to probe");
		return -1;
	}
	rc = run_lock_take(&probe, path, 0, err);
	run_lock_release(&probe);
	return rc == RUN_LOCK_BUSY ? 1 : rc == 0 ? 0 : -1;
}

int cli_check_stdout(void)
{
	peil_error err;

	error_clear(&err);
	if (out_file_check(stdout, "stdout", &err) == 0)
		return EXIT_OK;
	log_error(&err);
	clearerr(stdout);	/* reported: main's last check stays quiet */
	return EXIT_STORAGE;
}

void cli_progress(const char *fmt, ...)
{
	va_list ap;

	if (!isatty(STDOUT_FILENO))
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int cli_plugin_line(const char *indent, const peil_plugin *p,
		    const char *path)
{
	const char *kind = p->kind == PEIL_PLUGIN_INPUT     ? "input"
			   : p->kind == PEIL_PLUGIN_STORAGE ? "storage"
							    : "unknown";

	if (printf("%s%-12s %-8s %-8s ABI %u  %s\n%*s  %s\n", indent, p->name,
		   kind, p->version ? p->version : "",
		   (unsigned)p->abi_version, path ? path : "",
		   (int)strlen(indent), "",
		   p->description ? p->description : "") < 0)
		return -1;
	return 0;
}
