/*
 * cmd_report.c - peil report and peil export: the figures of a run for
 * people (an HTML report, CSV, JSON) and for Grafana (Prometheus).
 *
 * Both pass every table through the small-cell rules (cli_disclose) before
 * a writer sees it.  Files given with -o are written beside their place
 * and renamed into it, so that a reader (node_exporter's textfile
 * collector, a browser) never sees half a file.
 */
#include "cli/cli.h"
#include "model/finality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/error.h"
#include "engine/history.h"
#include "engine/evaluation.h"
#include "base/log.h"
#include "base/out_file.h"
#include "report/prometheus.h"
#include "engine/quality.h"
#include "report/report_html.h"


/* A run as recorded, copied out of the runs_scan callback. */
struct run_choice {
	int64_t wanted;		/* 0: the latest covering [from, to] */
	char from[11], to[11];
	int found;
	int64_t id, started;
	char config[65], scripts[65], inputs[65];
};

static void copy_text(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s ? s : "");
}

static int pick_run(void *arg, const peil_run_record *run)
{
	struct run_choice *c = arg;

	if (!c->wanted && !history_run_published(run, c->from, c->to))
		return 0;
	c->found = 1;
	c->id = run->id;
	c->started = run->started;
	copy_text(c->config, sizeof(c->config), run->config_sha256);
	copy_text(c->scripts, sizeof(c->scripts), run->scripts_sha256);
	copy_text(c->inputs, sizeof(c->inputs), run->inputs_sha256);
	return 1;	/* newest first: the first that fits */
}

static int scan_runs(peil_context *ctx, struct run_choice *c)
{
	peil_error err;

	error_clear(&err);
	if (store_runs_scan(ctx->store, c->wanted, pick_run, c, &err) < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	return 0;
}

/* The run to report on: --run N, else the latest published run that
 * covers [from, to] (history_run_published), else with --evaluate a new
 * evaluation of [from, to] (kind "eval": never published), else
 * EXIT_USAGE naming the period. */
static int choose_run(peil_context *ctx, const cli_options *o, int32_t from,
		      int32_t to, struct run_choice *c)
{
	evaluation ev;
	peil_error err;
	int rc;

	memset(c, 0, sizeof(*c));
	c->wanted = o->run_id;
	date_format_iso(from, c->from);
	date_format_iso(to, c->to);
	rc = scan_runs(ctx, c);
	if (rc || c->found)
		return rc;
	if (!o->evaluate) {
		log_msg(PEIL_LOG_ERROR, "no complete scheduled run covers %s "
			"to %s: no figures of it are published (peil run with "
			"[run] periods covering it makes them; --evaluate "
			"evaluates it now, not published)", c->from, c->to);
		return EXIT_USAGE;
	}
	log_msg(PEIL_LOG_WARNING, "no complete scheduled run covers %s to %s: "
		"evaluating now; these figures are NOT the published ones",
		c->from, c->to);
	error_clear(&err);
	rc = evaluation_run(ctx, "eval", NULL, from, to, NULL, 0, &ev, &err);
	c->wanted = ev.run_id;
	evaluation_release(&ev);
	if (rc < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	return scan_runs(ctx, c);
}

struct scripts {
	report_script *items;
	size_t count;
};

/* The scripts of a run's KPIs; of its public ones only for a public
 * report. */
struct scripts_scan {
	struct scripts *scripts;
	const kpi_set *kpis;
	int public_only;
};

static int add_script(void *arg, const peil_run_kpi *k)
{
	struct scripts_scan *scan = arg;
	struct scripts *s = scan->scripts;
	const kpi_info *info = scan->kpis && k->kpi
				       ? kpi_set_find(scan->kpis, k->kpi)
				       : NULL;
	report_script *grown;

	if (scan->public_only && !(info && info->is_public))
		return 0;
	grown = realloc(s->items, (s->count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	s->items = grown;
	grown[s->count].kpi = strdup(k->kpi ? k->kpi : "");
	grown[s->count].script = strdup(k->script ? k->script : "");
	grown[s->count].sha256 = strdup(k->script_sha256 ? k->script_sha256
							 : "");
	s->count++;
	return 0;
}

static void scripts_release(struct scripts *s)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		free(s->items[i].kpi);
		free(s->items[i].script);
		free(s->items[i].sha256);
	}
	free(s->items);
}

/* Open -o's temporary file (stdout without -o): 0 or EXIT_STORAGE. */
int cli_out_open(out_file *o, const char *path)
{
	peil_error err;

	error_clear(&err);
	if (out_file_open(o, path, &err) == 0)
		return EXIT_OK;
	log_error(&err);
	return EXIT_STORAGE;
}

/* Commit the output when ok, else discard it; the exit code: a write
 * that failed is EXIT_STORAGE with "cannot write FILE: cause". */
int cli_out_close(out_file *o, int ok)
{
	peil_error err;

	if (!ok) {
		out_file_discard(o);
		return EXIT_OK;
	}
	error_clear(&err);
	if (out_file_commit(o, &err) == 0)
		return EXIT_OK;
	log_error(&err);
	return EXIT_STORAGE;
}

/* The report's settings: the provisional rule of [run] final_after_months
 * (finality.h, as peil show and peil run mark figures) and the quality
 * settings of [report], read with the config; 0. */
static int report_settings(const peil_context *ctx, report_input *in,
			   quality_settings *qs)
{
	quality_settings_init(&ctx->settings, qs);
	in->provisional_months = (int)ctx->settings.final_after_months;
	in->late_after_days = qs->late_after_days;
	return 0;
}

/* The quality table of [from, to], disclosed; 0 or an exit code. */
static int report_quality(peil_context *ctx, const quality_settings *qs,
			  int32_t from, int32_t to, const char *period_id,
			  result_table *quality)
{
	peil_error err;

	error_clear(&err);
	if (quality_compute(ctx, qs, from, to, period_id, quality, &err) < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	result_table_sort(quality);
	return cli_disclose(ctx, quality);
}

/* The notes of commentary.txt next to the scripts; a line in error fails
 * the report, naming it. */
static int load_commentary(const peil_context *ctx, commentary *notes)
{
	peil_error err;

	error_clear(&err);
	if (commentary_load(ctx->kpis, ctx->script_dirs, ctx->script_dir_count,
			    notes, &err) < 0) {
		log_error(&err);
		return EXIT_CONFIG;
	}
	return 0;
}

static int write_report(peil_context *ctx, const cli_options *o,
			const char *period_id, int32_t from, int32_t to,
			output_options *format)
{
	result_table figures, quality;
	struct scripts scripts = { NULL, 0 };
	out_file file = { NULL, NULL, NULL };
	struct run_choice run;
	quality_settings qs;
	input_ages stale = { NULL, 0 };
	revisions revised;
	commentary notes = { NULL, 0 };
	report_input in;
	peil_error scripts_err;
	int rc, unpublished = 0;

	memset(&figures, 0, sizeof(figures));
	memset(&quality, 0, sizeof(quality));
	memset(&in, 0, sizeof(in));
	memset(&revised, 0, sizeof(revised));
	rc = report_settings(ctx, &in, &qs);
	if (rc == 0)
		rc = load_commentary(ctx, &notes);
	if (rc == 0)
		rc = choose_run(ctx, o, from, to, &run);
	if (rc == 0 && !run.found) {
		log_msg(PEIL_LOG_ERROR, "no run %lld", o->run_id);
		rc = EXIT_CONFIG;
	}
	if (rc == 0)
		rc = cli_read_figures(ctx, run.id, o->kpi, 1, from, to,
				      &figures);
	if (rc == 0) {
		/* --run N of an ad-hoc or failed run, or --evaluate: the
		 * output says these are not the published figures. */
		unpublished = cli_mark_finality(ctx, &figures);
		rc = o->public_only ? cli_disclose_public(ctx, &figures)
				    : cli_disclose(ctx, &figures);
	}
	if (rc == 0)
		cli_revisions(ctx, run.id, from, to, o->kpi, o->public_only,
			      &figures, &revised);
	if (rc == 0)
		rc = cli_read_stale(ctx, run.id, &stale);
	/* Registration quality names teams' shortcomings: internal, never
	 * in a public report. */
	if (rc == 0 && !format && !o->public_only)
		rc = report_quality(ctx, &qs, from, to, period_id, &quality);
	/* Without the scripts' list the report still stands: a failure
	 * here is not the report's. */
	if (rc == 0 && !format) {
		struct scripts_scan scan = { &scripts, ctx->kpis,
					     o->public_only };

		store_run_kpis_scan(ctx->store, run.id, add_script, &scan,
				    &scripts_err);
	}
	if (rc == 0)
		rc = cli_out_open(&file, o->output);
	if (rc == 0 && format) {
		format->kpis = ctx->kpis;
		format->field_label = settings_field_label;
		format->field_label_ctx = &ctx->settings;
		format->stale = &stale;
		format->unpublished = unpublished;
		format->revisions = &revised;
		format->commentary = &notes;
		/* -1: out of memory (output.h), the output not written */
		rc = output_write(file.f, format, &figures) < 0 ? EXIT_STORAGE
								: 0;
	} else if (rc == 0) {
		in.words = cli_labels(o);
		in.period = period_id;
		in.figures = &figures;
		in.quality = o->public_only ? NULL : &quality;
		in.kpis = ctx->kpis;
		in.run_id = run.id;
		in.run_started = run.started;
		in.config_sha256 = run.config;
		in.scripts_sha256 = run.scripts;
		in.inputs_sha256 = run.inputs;
		in.scripts = scripts.items;
		in.script_count = scripts.count;
		in.field_label = settings_field_label;
		in.field_label_ctx = &ctx->settings;
		in.stale = &stale;
		in.unpublished = unpublished;
		in.revisions = &revised;
		in.commentary = &notes;
		rc = report_html_write(file.f, &in) < 0 ? EXIT_STORAGE : 0;
	}
	rc = cli_worst(rc, cli_out_close(&file, rc == 0));
	/* Only a report written to a file is recorded: what a later report
	 * of the period compares with. */
	if (rc == 0 && o->output && store_has(ctx->store, STORE_V8_REPORTS))
		cli_record_report(ctx, o, run.id, period_id, from, to,
				  o->format ? o->format : "html");
	revisions_release(&revised);
	commentary_release(&notes);
	scripts_release(&scripts);
	input_ages_release(&stale);
	result_table_release(&figures);
	result_table_release(&quality);
	return rc;
}

/* --compare LIST: every KPI compares its figures with those earlier
 * periods too, as [kpi ID] compare would have it, for this report (and
 * the evaluation of --evaluate); EXIT_USAGE for a list that is none. */
static int compare_all(peil_context *ctx, const char *list)
{
	unsigned asked;
	char msg[256], value[32];

	if (kpi_compare_parse(list, &asked, msg, sizeof(msg)) < 0) {
		log_msg(PEIL_LOG_ERROR, "--%s", msg);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		unsigned bits = k->compare | asked;

		snprintf(value, sizeof(value), "%s %s",
			 bits & KPI_COMPARE_PREVIOUS ? "previous" : "",
			 bits & KPI_COMPARE_YEAR_BEFORE ? "year_before" : "");
		kpi_set_configure(ctx->kpis, k->id, "compare", value, msg,
				  sizeof(msg));
	}
	return 0;
}

static int cmd_report(const cli_options *o, int argc, char **argv)
{
	output_options format;
	cli_options text_options = *o;
	peil_context ctx;
	run_lock lock = { -1 };
	int32_t from, to;
	char period_id[64];
	int rc, html;

	(void)argc, (void)argv;	/* none: main refuses them */
	html = !o->format || strcmp(o->format, "html") == 0;
	if (html)
		text_options.format = "text";
	rc = cli_output_options(&text_options, &format);
	if (rc)
		return rc;
	rc = cli_range(o, &from, &to);
	if (rc)
		return rc;
	if (o->period)
		snprintf(period_id, sizeof(period_id), "%s", o->period);
	else
		snprintf(period_id, sizeof(period_id), "%s \xE2\x80\x93 %s",
			 o->from, o->to);
	/* --evaluate may evaluate and record a run: under the lock of run,
	 * ingest and eval, as peil eval, so that it waits for (or refuses)
	 * a run or ingest under way and reads one whole state of the store,
	 * never a source's new file beside another's old one. */
	rc = o->evaluate ? cli_open_locked(&ctx, o,
					   CONTEXT_STORAGE | CONTEXT_SCRIPTS,
					   &lock)
			 : cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0 && o->compare)
		rc = compare_all(&ctx, o->compare);
	if (rc == 0)
		rc = write_report(&ctx, o, period_id, from, to,
				  html ? NULL : &format);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static int cmd_export(const cli_options *o, int argc, char **argv)
{
	out_file file = { NULL, NULL, NULL };
	struct run_choice run;
	result_table figures;
	input_ages stale = { NULL, 0 };
	peil_context ctx;
	int32_t from = 0, to = 0;
	int rc, unpublished = 0, has_range = o->period || o->from || o->to;

	(void)argc, (void)argv;	/* none: main refuses them */
	if (o->format && strcmp(o->format, "prometheus") != 0) {
		log_msg(PEIL_LOG_ERROR, "--format %s: expected prometheus",
			o->format);
		return EXIT_USAGE;
	}
	if (has_range && (rc = cli_range(o, &from, &to)) != 0)
		return rc;
	memset(&figures, 0, sizeof(figures));
	memset(&run, 0, sizeof(run));
	rc = cli_open(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = cli_read_figures(&ctx, o->run_id, o->kpi, has_range, from,
				      to, &figures);
	if (rc == 0) {
		run.wanted = figures.run_id;
		rc = scan_runs(&ctx, &run);
	}
	if (rc == 0) {
		unpublished = cli_mark_finality(&ctx, &figures);
		/* With [privacy public] the export is a public output. */
		rc = o->public_only || ctx.settings.public_section
			     ? cli_disclose_public(&ctx, &figures)
			     : cli_disclose(&ctx, &figures);
	}
	if (rc == 0 && figures.run_id)
		rc = cli_read_stale(&ctx, figures.run_id, &stale);
	if (rc == 0)
		rc = cli_out_open(&file, o->output);
	if (rc == 0)
		rc = prometheus_write(file.f, &figures, ctx.kpis, run.started,
				      &stale, unpublished) < 0
			     ? EXIT_CONFIG
			     : 0;
	rc = cli_worst(rc, cli_out_close(&file, rc == 0));
	input_ages_release(&stale);
	result_table_release(&figures);
	context_close(&ctx);
	return rc;
}

static const struct option report_options[] = {
	{ "run", required_argument, NULL, CLI_OPT_RUN },
	{ "kpi", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "lang", required_argument, NULL, CLI_OPT_LANG },
	{ "locale", required_argument, NULL, CLI_OPT_LOCALE },
	{ "evaluate", no_argument, NULL, CLI_OPT_EVALUATE },
	{ "compare", required_argument, NULL, CLI_OPT_COMPARE },
	{ "public", no_argument, NULL, CLI_OPT_PUBLIC },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_report_command = {
	.name = "report",
	.summary = "write a report of a period: html, csv or json",
	.help = "      --run N         the figures of run N (default: the "
		"latest complete\n                      scheduled run that "
		"covers the period)\n"
		"      --evaluate      when no such run covers it, evaluate "
		"the period now\n                      (recorded as \"eval\", "
		"marked not published)\n"
		"  -k, --kpi ID        only this KPI\n"
		"      --compare LIST  compare every figure with previous, "
		"year_before or\n                      both (beside each KPI's "
		"own compare)\n"
		"  -f, --format F      html (default), csv or json\n"
		"  -o, --output FILE   write to FILE (default: stdout)\n"
		"      --public        only the public KPIs, under [privacy "
		"public]; no\n                      registration quality\n"
		CLI_LANG_HELP,
	.takes_period = 1,
	.options = report_options,
	.run = cmd_report,
};

static const struct option export_options[] = {
	{ "run", required_argument, NULL, CLI_OPT_RUN },
	{ "kpi", required_argument, NULL, 'k' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "public", no_argument, NULL, CLI_OPT_PUBLIC },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_export_command = {
	.name = "export",
	.summary = "export the latest figures for Grafana (Prometheus text)",
	.help = "      --run N         the figures of run N (default: the "
		"latest complete\n                      scheduled run, covering "
		"the period when given)\n"
		"  -k, --kpi ID        only this KPI\n"
		"  -f, --format F      prometheus (the default and only one)\n"
		"  -o, --output FILE   write to FILE, e.g. node_exporter's "
		"textfile\n                      directory/peil.prom "
		"(default: stdout)\n",
	.takes_period = 1,
	.options = export_options,
	.run = cmd_export,
};
