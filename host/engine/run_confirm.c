/*
 * run_confirm.c - a run that changed nothing confirms the run before.
 */
#include "engine/run_confirm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "engine/build_id.h"
#include "engine/evaluation.h"
#include "engine/history.h"
#include "engine/input_age.h"

/* A run as the check needs it, copied out of runs_scan's callback. */
struct base_run {
	int64_t id, started, confirms;
	int found, published, ok;
	char from[11], to[11];
	char config[65], scripts[65], inputs[65], build[65];
};

static void copy_text(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text ? text : "");
}

static int keep_run(void *arg, const peil_run_record *run)
{
	struct base_run *b = arg;

	/* peil eval's and cases' runs publish nothing.  A run that never
	 * ended (killed, its peil lost the store) or was interrupted was
	 * stopped from outside before it published: it says nothing of the
	 * figures, and the store still serves the run before's.  Its own
	 * figures, some or none, are never confirmed. */
	if (!run->kind || strcmp(run->kind, "run") != 0 || !run->ended ||
	    (run->status && strcmp(run->status, "interrupted") == 0))
		return 0;
	b->found = 1;
	b->id = run->id;
	b->started = run->started;
	b->confirms = run->confirms;
	b->published = history_run_published(run, NULL, NULL);
	b->ok = run->status && strcmp(run->status, "ok") == 0;
	copy_text(b->from, sizeof(b->from), run->period_from);
	copy_text(b->to, sizeof(b->to), run->period_to);
	copy_text(b->config, sizeof(b->config), run->config_sha256);
	copy_text(b->scripts, sizeof(b->scripts), run->scripts_sha256);
	copy_text(b->inputs, sizeof(b->inputs), run->inputs_sha256);
	copy_text(b->build, sizeof(b->build), run->build_sha256);
	return 1;	/* newest first: the first one is it */
}

/* The run whose figures the store serves now: the newest run of kind
 * run that ended, or the run it confirms.  found 0 when there is
 * none. */
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

/* Whether k's message notes periods partly covered by their input
 * (model/input_age.h): such a KPI is evaluated again, so that the run
 * and its exit code say so.  1, 0, or -1 when out of memory. */
static int partly_covered(const peil_run_kpi *k)
{
	input_ages notes = { NULL, 0 };
	int rc = input_age_parse(k->kpi, k->message, &notes);

	if (rc == 0)
		rc = input_ages_count(&notes, INPUT_PARTLY_COVERED) > 0;
	input_ages_release(&notes);
	return rc;
}

static int any_partly_covered(void *arg, const peil_run_kpi *k)
{
	int *any = arg;
	int rc = partly_covered(k);

	if (rc < 0)
		return -1;
	*any |= rc;
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

/* What a run that builds on the run the store serves needs unchanged:
 * that run published, the range, the configuration, the scripts, and
 * the finality of the range's periods.  1 with *b, or 0 with why. */
static int base_same(peil_context *ctx, const finality *fin, int32_t from,
		     int32_t to, struct base_run *b, char *why,
		     size_t why_size, peil_error *err)
{
	char from_text[11], to_text[11];
	const char *build;
	int64_t outside;
	long long id;

	if (!store_has(ctx->store, STORE_V13_CONFIRMATIONS) ||
	    !store_has(ctx->store, STORE_V18_BUILDS)) {
		snprintf(why, why_size, "the store cannot record a run that "
			 "confirms another, or the build that evaluated it "
			 "(versions 13 and 18 of its ops)");
		return 0;
	}
	if (latest_base(ctx, b, err) < 0 ||
	    !(build = build_id_sha256(ctx, err)) ||
	    store_changed_outside(ctx->store, &outside, err) < 0)
		return -1;
	id = (long long)b->id;
	date_format_iso(from, from_text);
	date_format_iso(to, to_text);
	if (!b->found || !b->published)
		snprintf(why, why_size, b->found ? "run %lld published no "
			 "figures" : "no earlier run published figures", id);
	/* The rows it evaluated may not be those the store holds now. */
	else if (outside >= b->id)
		snprintf(why, why_size, "the store is not as Peil left it "
			 "after run %lld (another program wrote it, or a Peil "
			 "was stopped while it wrote)", id);
	else if (strcmp(from_text, b->from) != 0 || strcmp(to_text, b->to) != 0)
		snprintf(why, why_size, "run %lld evaluated %s .. %s, this one "
			 "%s .. %s", id, b->from, b->to, from_text, to_text);
	else if (strcmp(ctx->config_sha256, b->config) != 0)
		snprintf(why, why_size, "the configuration changed since run "
			 "%lld", id);
	else if (strcmp(ctx->scripts_sha256, b->scripts) != 0 ||
		 ctx->script_errors)
		snprintf(why, why_size, "the scripts changed since run %lld",
			 id);
	/* An upgrade may correct a definition or the evaluation itself;
	 * a run recorded before Peil kept its build has none. */
	else if (strcmp(build, b->build) != 0)
		snprintf(why, why_size, "Peil is another build than run "
			 "%lld's", id);
	else if (finality_changed_between(fin, from, to,
					  finality_date(b->started),
					  finality_today()))
		snprintf(why, why_size, "periods became final since run %lld",
			 id);
	else
		return 1;
	return 0;
}

int run_confirm_check(peil_context *ctx, const finality *fin, int32_t from,
		      int32_t to, int64_t *base, char *why, size_t why_size,
		      peil_error *err)
{
	struct base_run b;
	char inputs[65];
	int rc;

	*base = 0;
	rc = base_same(ctx, fin, from, to, &b, why, why_size, err);
	if (rc != 1)
		return rc;
	/* An incomplete run is evaluated again, so that the run and its
	 * exit code say what is missing. */
	if (!b.ok) {
		snprintf(why, why_size, "run %lld is incomplete",
			 (long long)b.id);
		return 0;
	}
	if (store_inputs_fingerprint(ctx->store, inputs, err) < 0)
		return -1;
	if (strcmp(inputs, b.inputs) != 0) {
		snprintf(why, why_size, "inputs changed since run %lld",
			 (long long)b.id);
		return 0;
	}
	if ((rc = same_kpis(ctx, b.id, why, why_size, err)) != 1 ||
	    (rc = inputs_fresh(ctx, why, why_size, err)) != 1)
		return rc;
	rc = 0;
	if (store_run_kpis_scan(ctx->store, b.id, any_partly_covered, &rc,
				err) < 0)
		return err->message[0] ? -1
				       : error_set(err, NULL, 0, NULL,
						   "out of memory");
	if (rc) {
		snprintf(why, why_size, "run %lld has periods partly covered "
			 "by their input", (long long)b.id);
		return 0;
	}
	*base = b.id;
	return 1;
}

/* A list of strings: the datasets changed since a run, and its KPIs
 * with their definition hashes. */
struct texts {
	char **items;
	size_t count;
	int oom;
};

static void texts_add(struct texts *t, const char *a, const char *b)
{
	char **grown;

	if (t->oom)
		return;
	grown = grow_for(t->items, t->count, 2 * sizeof(*grown));
	if (!grown) {
		t->oom = 1;
		return;
	}
	t->items = grown;
	grown[2 * t->count] = strdup(a);
	grown[2 * t->count + 1] = strdup(b ? b : "");
	if (!grown[2 * t->count] || !grown[2 * t->count + 1]) {
		free(grown[2 * t->count]);
		free(grown[2 * t->count + 1]);
		t->oom = 1;
		return;
	}
	t->count++;
}

/* The second of the pair whose first is a, or NULL. */
static const char *texts_find(const struct texts *t, const char *a)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->items[2 * i], a) == 0)
			return t->items[2 * i + 1];
	return NULL;
}

static void texts_release(struct texts *t)
{
	for (size_t i = 0; i < 2 * t->count; i++)
		free(t->items[i]);
	free(t->items);
}

struct changed_scan {
	int64_t after;
	struct texts *datasets;
};

static int add_changed(void *arg, const peil_ingest_entry *e)
{
	struct changed_scan *c = arg;

	if (e->id > c->after && !texts_find(c->datasets, e->dataset))
		texts_add(c->datasets, e->dataset, NULL);
	return c->datasets->oom ? -1 : 0;
}

/* Only a KPI that was evaluated whole: "ok", and not partly covered. */
static int add_kpi(void *arg, const peil_run_kpi *k)
{
	struct texts *kpis = arg;
	int partly;

	if (!k->status || strcmp(k->status, "ok") != 0 || !k->script_sha256)
		return 0;
	if ((partly = partly_covered(k)) < 0)
		kpis->oom = 1;
	else if (!partly)
		texts_add(kpis, k->kpi, k->script_sha256);
	return kpis->oom ? -1 : 0;
}

struct uses_changed {
	const struct texts *datasets;
	int any;
};

static void note_changed(void *arg, const char *dataset)
{
	struct uses_changed *u = arg;

	u->any |= texts_find(u->datasets, dataset) != NULL;
}

int run_confirm_keep(peil_context *ctx, const finality *fin, int32_t from,
		     int32_t to, int64_t *base, size_t *kept, peil_error *err)
{
	struct texts datasets = { NULL, 0, 0 }, kpis = { NULL, 0, 0 };
	struct changed_scan changed = { 0, &datasets };
	struct base_run b;
	char why[512];
	int rc;

	*base = 0;
	*kept = 0;
	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++)
		kpi_set_keep(ctx->kpis, i, 0);
	rc = base_same(ctx, fin, from, to, &b, why, sizeof(why), err);
	if (rc != 1 || !store_has(ctx->store, STORE_V2_CHANGES))
		return rc < 0 ? -1 : 0;
	if (store_run_last_ingest(ctx->store, b.id, &changed.after, err) < 0 ||
	    store_ingest_scan(ctx->store, add_changed, &changed, err) < 0 ||
	    store_run_kpis_scan(ctx->store, b.id, add_kpi, &kpis, err) < 0) {
		if (datasets.oom || kpis.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		const char *hash = texts_find(&kpis, k->id);
		struct uses_changed u = { &datasets, 0 };

		if (!kpi_wanted(k, NULL) || !hash ||
		    strcmp(hash, k->definition_sha256) != 0)
			continue;
		kpi_each_dataset(ctx->kpis, k, note_changed, &u);
		if (u.any)
			continue;
		kpi_set_keep(ctx->kpis, i, 1);
		(*kept)++;
	}
	*base = *kept ? b.id : 0;
	rc = 0;
out:
	texts_release(&datasets);
	texts_release(&kpis);
	return rc;
}

int run_confirm_record(peil_context *ctx, int32_t from, int32_t to,
		       int64_t base, int64_t *run_id, peil_error *err)
{
	if (evaluation_begin(ctx, "run", NULL, from, to, base,
			     (int64_t)time(NULL), run_id, err) < 0)
		return -1;
	return store_run_end(ctx->store, *run_id, "unchanged",
			     (int64_t)time(NULL), err);
}
