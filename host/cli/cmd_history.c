/*
 * cmd_history.c - peil runs and peil diff: the history of runs, and what
 * changed between two of them, in the figures and in the inputs.
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

struct kpi_count {
	size_t kpis, failed;
	char failures[1024];
};

static int count_kpi(void *arg, const peil_run_kpi *k)
{
	struct kpi_count *c = arg;
	size_t n = strlen(c->failures);

	c->kpis++;
	if (strcmp(k->status, "ok") == 0)
		return 0;
	c->failed++;
	snprintf(c->failures + n, sizeof(c->failures) - n, "%s%s", n ? ", " : "",
		 k->kpi);
	return 0;
}

/* The new inputs of one run: the ingests after the last one the run
 * before it saw, up to the last one it saw itself. */
struct run_inputs {
	int64_t after, upto;
	size_t files;
};

static int print_input(void *arg, const peil_ingest_entry *e)
{
	struct run_inputs *in = arg;

	if (e->id <= in->after || e->id > in->upto)
		return 0;
	in->files++;
	printf("    input #%lld %s (%s): %s, sha256 %.12s, %lld rows%s\n",
	       (long long)e->id, e->source, e->dataset, e->path, e->sha256,
	       (long long)e->rows, e->rejected ? ", rows rejected" : "");
	return 0;
}

struct runs_state {
	peil_context *ctx;
	peil_error *err;
	int64_t (*runs)[2];	/* id and last ingest of each run, newest
				   first */
	size_t count;
	int oom;
};

static int collect_start(void *arg, const peil_run_record *run)
{
	struct runs_state *st = arg;
	int64_t(*grown)[2] = realloc(st->runs, (st->count + 1) * sizeof(*grown));

	if (!grown) {
		st->oom = 1;
		return -1;
	}
	st->runs = grown;
	st->runs[st->count][0] = run->id;
	st->runs[st->count][1] = 0;
	if (LOADER_STORAGE_HAS(st->ctx->storage, run_last_ingest) &&
	    st->ctx->storage->run_last_ingest(st->ctx->storage_state, run->id,
					      &st->runs[st->count][1],
					      st->err) < 0)
		return -1;
	st->count++;
	return 0;
}

static int print_run(void *arg, const peil_run_record *run)
{
	struct runs_state *st = arg;
	struct kpi_count kc;
	struct run_inputs in = { 0, 0, 0 };
	char started[20], duration[32];
	size_t i;

	memset(&kc, 0, sizeof(kc));
	format_time(run->started, started);
	if (run->ended)
		snprintf(duration, sizeof(duration), "%lld s",
			 (long long)(run->ended - run->started));
	else
		snprintf(duration, sizeof(duration), "not ended");
	for (i = 0; i < st->count; i++) {
		if (st->runs[i][0] != run->id)
			continue;
		in.upto = st->runs[i][1];
		in.after = i + 1 < st->count ? st->runs[i + 1][1] : 0;
	}
	printf("Run %lld  %s  %s  %s  %s\n", (long long)run->id, run->kind,
	       started, duration, run->status);
	printf("    periods %s .. %s; inputs fingerprint %.12s\n",
	       run->period_from ? run->period_from : "-",
	       run->period_to ? run->period_to : "-",
	       run->inputs_sha256 ? run->inputs_sha256 : "-");
	if (st->ctx->storage->run_kpis_scan(st->ctx->storage_state, run->id,
					    count_kpi, &kc, st->err) < 0 ||
	    st->ctx->storage->ingest_scan(st->ctx->storage_state, print_input,
					  &in, st->err) < 0)
		return -1;
	if (!in.files)
		printf("    no new inputs since the run before\n");
	printf("    %zu KPIs evaluated, %zu failed%s%s\n", kc.kpis, kc.failed,
	       kc.failed ? ": " : "", kc.failures);
	return 0;
}

static int cmd_runs(const cli_options *o, int argc, char **argv)
{
	struct runs_state st;
	peil_context ctx;
	peil_error err;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "runs takes no arguments");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0) {
		memset(&st, 0, sizeof(st));
		st.ctx = &ctx;
		st.err = &err;
		error_clear(&err);
		/* Runs are read newest first; a run's inputs are the ingests
		 * between the start of the run before it and its own. */
		if (ctx.storage->runs_scan(ctx.storage_state, 0, collect_start,
					   &st, &err) < 0 ||
		    ctx.storage->runs_scan(ctx.storage_state, o->run_id,
					   print_run, &st, &err) < 0) {
			if (st.oom)
				log_msg(PEIL_LOG_ERROR, "out of memory");
			else
				log_error(&err);
			rc = EXIT_STORAGE;
		} else if (!st.count) {
			printf("No runs yet.\n");
		}
		free(st.runs);
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

/* The changes of one dataset and key over several ingests, folded into
 * what they did together: added then changed is added, added then
 * removed is nothing, removed then added is changed. */
struct input_fold {
	char dataset[128];
	char key[256];
	char first[16], last[16];
	int any;
	size_t added, changed, removed;
};

static void fold_flush(struct input_fold *f)
{
	const char *net;

	if (!f->any)
		return;
	if (strcmp(f->first, "added") == 0)
		net = strcmp(f->last, "removed") == 0 ? NULL : "added";
	else if (strcmp(f->last, "removed") == 0)
		net = "removed";
	else
		net = "changed";
	f->any = 0;
	if (!net)
		return;
	printf("  %-12s %-8s %s\n", f->dataset, net, f->key);
	f->added += strcmp(net, "added") == 0;
	f->changed += strcmp(net, "changed") == 0;
	f->removed += strcmp(net, "removed") == 0;
}

static int fold_change(void *arg, const peil_input_change *c)
{
	struct input_fold *f = arg;

	if (f->any && (strcmp(f->dataset, c->dataset) != 0 ||
		       strcmp(f->key, c->key) != 0))
		fold_flush(f);
	if (!f->any) {
		snprintf(f->dataset, sizeof(f->dataset), "%s", c->dataset);
		snprintf(f->key, sizeof(f->key), "%s", c->key);
		snprintf(f->first, sizeof(f->first), "%s", c->kind);
		f->any = 1;
	}
	snprintf(f->last, sizeof(f->last), "%s", c->kind);
	return 0;
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
	if (argc < 2 && figure_run_before(ctx, 0, b, err) < 0)
		return EXIT_STORAGE;
	if (argc == 0 && *b && figure_run_before(ctx, *b, a, err) < 0)
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
	struct input_fold fold;
	result_table old_table, new_table;
	int rc = EXIT_STORAGE;

	memset(&st, 0, sizeof(st));
	memset(&fold, 0, sizeof(fold));
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
	if (!LOADER_STORAGE_HAS(ctx->storage, input_changes_scan)) {
		printf("  (the storage plugin does not track changes)\n");
	} else {
		/* Both directions: B may be the older run. */
		if (ctx->storage->input_changes_scan(
			    ctx->storage_state, a < b ? a : b, a < b ? b : a,
			    fold_change, &fold, err) < 0)
			goto out;
		fold_flush(&fold);
		printf("  %zu added, %zu changed, %zu removed\n", fold.added,
		       fold.changed, fold.removed);
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
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
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
