/*
 * run_confirm.c - a run that changed nothing confirms the run before.
 */
#include "engine/run_confirm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/error.h"
#include "engine/history.h"
#include "engine/input_age.h"

/* A run as the check needs it, copied out of runs_scan's callback. */
struct base_run {
	int64_t id, started, confirms;
	int found, published;
	char from[11], to[11];
	char config[65], scripts[65], inputs[65];
};

static void copy_text(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text ? text : "");
}

static int keep_run(void *arg, const peil_run_record *run)
{
	struct base_run *b = arg;

	if (!run->kind || strcmp(run->kind, "run") != 0)
		return 0;	/* peil eval's and cases' runs publish nothing */
	b->found = 1;
	b->id = run->id;
	b->started = run->started;
	b->confirms = run->confirms;
	b->published = history_run_published(run, NULL, NULL);
	copy_text(b->from, sizeof(b->from), run->period_from);
	copy_text(b->to, sizeof(b->to), run->period_to);
	copy_text(b->config, sizeof(b->config), run->config_sha256);
	copy_text(b->scripts, sizeof(b->scripts), run->scripts_sha256);
	copy_text(b->inputs, sizeof(b->inputs), run->inputs_sha256);
	return 1;	/* newest first: the first one is it */
}

/* The run whose figures the store serves now: the newest run of kind
 * run, or the run it confirms.  found 0 when there is none. */
static int latest_base(peil_context *ctx, struct base_run *b,
		       peil_error *err)
{
	memset(b, 0, sizeof(*b));
	if (store_runs_scan(ctx->store, 0, keep_run, b, err) < 0)
		return -1;
	if (b->found && b->confirms) {
		int64_t id = b->confirms;

		memset(b, 0, sizeof(*b));
		/* A pruned run leaves nothing to confirm. */
		if (store_runs_scan(ctx->store, id, keep_run, b, err) < 0) {
			error_clear(err);
			memset(b, 0, sizeof(*b));
		}
	}
	return 0;
}

/* Whether every KPI of the run has a KPI of the same id and definition
 * hash now, and the other way round. */
struct same_kpis {
	peil_context *ctx;
	size_t seen;
	const char *differs;	/* the first KPI that differs */
};

static int compare_kpi(void *arg, const peil_run_kpi *k)
{
	struct same_kpis *s = arg;
	const kpi_info *now = kpi_set_find(s->ctx->kpis, k->kpi);

	s->seen++;
	if (now && kpi_wanted(now, NULL) && k->script_sha256 &&
	    strcmp(now->definition_sha256, k->script_sha256) == 0)
		return 0;
	s->differs = now ? now->id : "a KPI that is gone";
	return 1;
}

static int same_kpis(peil_context *ctx, int64_t run_id, char *why,
		     size_t why_size, peil_error *err)
{
	struct same_kpis s = { ctx, 0, NULL };
	size_t wanted = 0;

	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++)
		wanted += kpi_wanted(kpi_set_info(ctx->kpis, i), NULL);
	if (store_run_kpis_scan(ctx->store, run_id, compare_kpi, &s, err) < 0)
		return -1;
	if (s.differs)
		snprintf(why, why_size, "the definition of %s changed since "
			 "run %lld", s.differs, (long long)run_id);
	else if (s.seen != wanted)
		snprintf(why, why_size, "KPIs were added since run %lld",
			 (long long)run_id);
	else
		return 1;
	return 0;
}

/* No stale input: its message would be new in this run's KPIs. */
static int inputs_fresh(peil_context *ctx, char *why, size_t why_size,
			peil_error *err)
{
	input_ages stale = { NULL, 0 };
	int fresh;

	if (input_age_check(ctx, (int64_t)time(NULL), &stale, err) < 0) {
		input_ages_release(&stale);
		return -1;
	}
	fresh = stale.count == 0;
	if (!fresh)
		snprintf(why, why_size, "dataset %s is older than its "
			 "max_age_days", stale.items[0].dataset);
	input_ages_release(&stale);
	return fresh;
}

int run_confirm_check(peil_context *ctx, const finality *fin, int32_t from,
		      int32_t to, int64_t *base, char *why, size_t why_size,
		      peil_error *err)
{
	struct base_run b;
	char inputs[65], from_text[11], to_text[11];
	long long id;
	int rc;

	*base = 0;
	if (!store_has(ctx->store, STORE_V12_CONFIRMATIONS)) {
		snprintf(why, why_size, "the store cannot record a run that "
			 "confirms another (version 12 of its ops)");
		return 0;
	}
	if (latest_base(ctx, &b, err) < 0)
		return -1;
	id = (long long)b.id;
	if (!b.found || !b.published) {
		snprintf(why, why_size, b.found ? "run %lld published no "
			 "figures" : "no earlier run published figures", id);
		return 0;
	}
	if (store_inputs_fingerprint(ctx->store, inputs, err) < 0)
		return -1;
	date_format_iso(from, from_text);
	date_format_iso(to, to_text);
	if (strcmp(inputs, b.inputs) != 0)
		snprintf(why, why_size, "inputs changed since run %lld", id);
	else if (strcmp(from_text, b.from) != 0 || strcmp(to_text, b.to) != 0)
		snprintf(why, why_size, "run %lld evaluated %s .. %s, this one "
			 "%s .. %s", id, b.from, b.to, from_text, to_text);
	else if (strcmp(ctx->config_sha256, b.config) != 0)
		snprintf(why, why_size, "the configuration changed since run "
			 "%lld", id);
	else if (strcmp(ctx->scripts_sha256, b.scripts) != 0 ||
		 ctx->script_errors)
		snprintf(why, why_size, "the scripts changed since run %lld",
			 id);
	else if (finality_changed_between(fin, from, to,
					  finality_date(b.started),
					  finality_today()))
		snprintf(why, why_size, "periods became final since run %lld",
			 id);
	else if ((rc = same_kpis(ctx, b.id, why, why_size, err)) != 1)
		return rc;
	else if ((rc = inputs_fresh(ctx, why, why_size, err)) != 1)
		return rc;
	else {
		*base = b.id;
		return 1;
	}
	return 0;
}

int run_confirm_record(peil_context *ctx, int32_t from, int32_t to,
		       int64_t base, int64_t *run_id, peil_error *err)
{
	char inputs[65], from_text[11], to_text[11];
	peil_run_info info;

	*run_id = 0;
	if (store_inputs_fingerprint(ctx->store, inputs, err) < 0)
		return -1;
	date_format_iso(from, from_text);
	date_format_iso(to, to_text);
	info.kind = "run";
	info.started = (int64_t)time(NULL);
	info.period_from = from_text;
	info.period_to = to_text;
	info.config_sha256 = ctx->config_sha256;
	info.scripts_sha256 = ctx->scripts_sha256;
	info.inputs_sha256 = inputs;
	info.confirms = base;
	if (store_run_begin(ctx->store, &info, run_id, err) < 0)
		return -1;
	return store_run_end(ctx->store, *run_id, "unchanged",
			     (int64_t)time(NULL), err);
}
