/*
 * evaluation.c - from KPI definitions and stored data to a recorded run.
 *
 * The KPI engine (kpi.h) knows nothing of plugins: this file connects its
 * source to the storage plugin's scan and its sink to a result table, then
 * writes the run, its KPIs and its figures to the store in one batch.
 */
#include "engine/evaluation.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "engine/build_id.h"
#include "engine/disclose.h"
#include "engine/input_age.h"
#include "engine/withdrawn.h"

struct failure {
	char *kpi;
	char *message;
};

struct eval_state {
	peil_context *ctx;
	evaluation *ev;
	struct failure *failures;
	size_t failure_count;
	struct failure *skipped;	/* not evaluated: the first reason */
	size_t skipped_count;
	struct failure *unmatched;	/* kpi_sink.unmatched */
	size_t unmatched_count;
	int oom;
	int threads;		/* [run] threads */
	int32_t *input_days;	/* per settings dataset: the day of its
				   newest input (input_age_newest_days) */
	withdrawn_list withdrawn;	/* peil run's: recorded not evaluated */
};

static const peil_schema *source_schema(void *arg, const char *dataset)
{
	struct eval_state *st = arg;

	return schema_set_find(&st->ctx->schemas, dataset);
}

static int source_fills(void *arg, const char *dataset, const char *field)
{
	struct eval_state *st = arg;

	return settings_field_filled(&st->ctx->settings, dataset, field);
}

static int32_t source_input_day(void *arg, const char *dataset)
{
	struct eval_state *st = arg;
	const peil_settings *s = &st->ctx->settings;

	for (size_t i = 0; st->input_days && i < s->dataset_count; i++)
		if (strcmp(s->datasets[i].section->name, dataset) == 0)
			return st->input_days[i];
	return INT32_MAX;
}

/* The KPI engine's row callback, stopped by SIGINT or SIGTERM. */
struct interruptible_scan {
	peil_row_fn row;
	void *ctx;
};

static int interruptible_row(void *arg, const peil_value *values)
{
	struct interruptible_scan *scan = arg;

	if (interrupt_requested())
		return -1;
	return scan->row(scan->ctx, values);
}

/* A scan of the store's state, stopped by SIGINT or SIGTERM. */
static int scan_state(store *s, const peil_schema *schema, const peil_filter *filter,
		      const size_t *projection, size_t projection_count,
		      peil_row_fn row, void *row_ctx, peil_error *err)
{
	struct interruptible_scan scan = { row, row_ctx };
	int rc;

	rc = store_scan(s, schema, filter, projection, projection_count,
			interruptible_row, &scan, err);
	if (rc && interrupt_requested())
		return error_set(err, NULL, 0, NULL, "interrupted by %s",
				 interrupt_name(interrupt_requested()));
	return rc;
}

static int source_scan(void *arg, const peil_schema *schema,
		       const peil_filter *filter, const size_t *projection,
		       size_t projection_count, peil_row_fn row, void *row_ctx,
		       peil_error *err)
{
	struct eval_state *st = arg;

	return scan_state(st->ctx->store, schema, filter, projection,
			  projection_count, row, row_ctx, err);
}

/* A second state of the storage plugin, opened on the same
 * configuration: its own connection, so that a second thread can scan
 * beside the main one (docs/plugins.md, "Threads"). */
struct reader {
	struct eval_state *st;
	store *store;
};

static const peil_schema *reader_schema(void *arg, const char *dataset)
{
	struct reader *r = arg;

	return source_schema(r->st, dataset);
}

static int reader_fills(void *arg, const char *dataset, const char *field)
{
	struct reader *r = arg;

	return source_fills(r->st, dataset, field);
}

static int reader_scan(void *arg, const peil_schema *schema,
		       const peil_filter *filter, const size_t *projection,
		       size_t projection_count, peil_row_fn row, void *row_ctx,
		       peil_error *err)
{
	struct reader *r = arg;

	return scan_state(r->store, schema, filter, projection,
			  projection_count, row, row_ctx, err);
}

/* [run] threads = 1 keeps the evaluation on one thread. */
static int source_reader_open(void *arg, kpi_source *out)
{
	struct eval_state *st = arg;
	struct reader *r;
	peil_error err;

	if (st->threads < 2)
		return -1;
	if (!(r = calloc(1, sizeof(*r))))
		return -1;
	r->st = st;
	error_clear(&err);
	r->store = store_open_another(st->ctx->store, &err);
	if (!r->store) {
		char text[1024];

		error_format(&err, text, sizeof(text));
		log_msg(PEIL_LOG_DEBUG, "evaluating on one thread: a second "
			"store connection failed: %s", text);
		free(r);
		return -1;
	}
	*out = (kpi_source){ r, reader_schema, reader_scan, NULL, NULL,
			     store_has(r->store, STORE_V15_FROM_KEY),
			     reader_fills, NULL };
	return 0;
}

static void source_reader_close(void *arg, kpi_source *reader)
{
	struct reader *r = reader->ctx;

	(void)arg;
	store_free(r->store);
	free(r);
}

/* Remember message of kpi in *list (of *count), once: 1 when added, 0
 * when kpi has one (a KPI's figures come together), -1 when out of
 * memory. */
static int note_kpi(struct failure **list, size_t *count, const kpi_info *kpi,
		    const char *message)
{
	struct failure *last = *count ? &(*list)[*count - 1] : NULL;

	if (last && strcmp(last->kpi, kpi->id) == 0)
		return 0;
	last = grow_for(*list, *count, sizeof(*last));
	if (!last)
		return -1;
	*list = last;
	last = &(*list)[*count];
	last->kpi = strdup(kpi->id);
	last->message = strdup(message);
	if (!last->kpi || !last->message) {
		free(last->kpi);
		free(last->message);
		return -1;
	}
	(*count)++;
	return 1;
}

static void notes_free(struct failure *list, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(list[i].kpi);
		free(list[i].message);
	}
	free(list);
}

/* Remember the first reason why a KPI was not evaluated for a period. */
static int note_not_evaluated(struct eval_state *st, const kpi_info *kpi,
			      const char *status)
{
	const char *why = status + sizeof(RESULT_NOT_EVALUATED) - 1;
	int rc = note_kpi(&st->skipped, &st->skipped_count, kpi, why);

	if (rc > 0)
		log_msg(PEIL_LOG_WARNING, "KPI %s not evaluated: %s", kpi->id,
			why);
	return rc < 0 ? -1 : 0;
}

/* Rows of kpi's dataset whose join found no row: logged once per KPI,
 * kept as a note of the run, and among the evaluation's notes that the
 * outputs show (model/input_age.h). */
static int sink_unmatched(void *arg, const kpi_info *kpi, const char *message)
{
	struct eval_state *st = arg;
	int rc = note_kpi(&st->unmatched, &st->unmatched_count, kpi, message);

	if (rc > 0 && input_age_parse(kpi->id, message, &st->ev->stale) < 0)
		rc = -1;
	if (rc < 0) {
		st->oom = 1;
		return -1;
	}
	if (rc > 0)
		log_msg(PEIL_LOG_WARNING, "KPI %s: %s", kpi->id, message);
	return 0;
}

static int sink_result(void *arg, const kpi_info *kpi,
		       const peil_result *result)
{
	struct eval_state *st = arg;

	if (result_not_evaluated(result->status) &&
	    note_not_evaluated(st, kpi, result->status) < 0) {
		st->oom = 1;
		return -1;
	}
	if (result_table_add(&st->ev->results, result) < 0) {
		st->oom = 1;
		return -1;
	}
	return 0;
}

/* Periods of kpi end after the day of the newest input of dataset: kept
 * as a note of the run (model/input_age.h), and logged once per KPI. */
static int sink_partly_covered(void *arg, const kpi_info *kpi,
			       const char *dataset, int32_t input_day)
{
	struct eval_state *st = arg;
	input_ages *notes = &st->ev->stale;
	size_t before = notes->count;
	char day[11];

	if (input_ages_add_partly_covered(notes, kpi->id, dataset,
					  input_day) < 0) {
		st->oom = 1;
		return -1;
	}
	if (notes->count == before)
		return 0;	/* its other grain */
	date_format_iso(input_day, day);
	log_msg(PEIL_LOG_WARNING, "KPI %s partly covered: dataset %s has no "
		"input after %s; the figures of periods that end after it "
		"stay provisional", kpi->id, dataset, day);
	return 0;
}

/* A figure of an earlier period, there only to be compared with: kept
 * beside the others, flagged, and neither recorded nor counted. */
static int sink_earlier(void *arg, const kpi_info *kpi,
			const peil_result *result)
{
	struct eval_state *st = arg;
	result_table *t = &st->ev->results;

	(void)kpi;
	if (result_table_add(t, result) < 0) {
		st->oom = 1;
		return -1;
	}
	t->rows[t->count - 1].earlier = 1;
	return 0;
}

static void sink_failure(void *arg, const kpi_info *kpi,
			 const peil_error *err)
{
	struct eval_state *st = arg;
	struct failure *grown;
	char text[2048];

	error_format(err, text, sizeof(text));
	log_msg(PEIL_LOG_ERROR, "KPI %s failed: %s", kpi->id, text);
	grown = realloc(st->failures,
			(st->failure_count + 1) * sizeof(*grown));
	if (!grown) {
		st->oom = 1;
		return;
	}
	st->failures = grown;
	grown[st->failure_count].kpi = strdup(kpi->id);
	grown[st->failure_count].message = strdup(text);
	st->failure_count++;
}

static const char *failure_of(const struct eval_state *st, const char *id)
{
	size_t i;

	for (i = 0; i < st->failure_count; i++)
		if (st->failures[i].kpi && strcmp(st->failures[i].kpi, id) == 0)
			return st->failures[i].message ? st->failures[i].message
						       : "failed";
	return NULL;
}

/* The KPIs failed by refuse_unwritable: the failures from index first. */
struct refused_kpis {
	const struct eval_state *st;
	size_t first;
};

static int not_refused(void *arg, const result_row *row)
{
	const struct refused_kpis *r = arg;

	for (size_t i = r->first; i < r->st->failure_count; i++)
		if (r->st->failures[i].kpi &&
		    strcmp(r->st->failures[i].kpi, row->kpi) == 0)
			return 0;
	return 1;
}

/* Why the outputs cannot write row, into err: a breakdown value that
 * they write for the total row or for an empty value (a team named
 * "Totaal", an export's own "(onbekend)": result_breakdown_reserved),
 * whose CSV, text, HTML and Prometheus would hold two rows "Totaal" that
 * no reader can tell apart, the team's and the total; or a value beyond
 * the largest number (a sum of 1e308s), which CSV wrote as "inf" and
 * JSON as null, no value.  0 when they can. */
static int row_unwritable(const result_row *row, peil_error *err)
{
	char field[128], value[128];
	const char *part = isinf(row->value)	    ? "value"
			   : isinf(row->numerator)   ? "numerator"
			   : isinf(row->denominator) ? "denominator"
						     : NULL;

	if (result_breakdown_reserved(row->breakdown, field, sizeof(field),
				      value, sizeof(value)))
		return error_set(err, NULL, 0, NULL,
				 "breakdown field %s has the value '%s' "
				 "(period %s), which the outputs write for the "
				 "%s: a reader could not tell the two rows "
				 "apart.  Rename it in the [source] of its "
				 "export: recode.%s.%s = ANOTHER NAME (or "
				 "nothing, when it means unknown)", field,
				 value, row->period,
				 value[0] == '(' ? "rows of an empty value"
						 : "total row",
				 field, value);
	if (part)
		return error_set(err, NULL, 0, NULL,
				 "the %s of period %s%s%s is not a finite "
				 "number: a sum or product beyond the largest "
				 "one (about 1.8e308), which no output can "
				 "show", part, row->period,
				 strcmp(row->breakdown, "{}") ? ", " : "",
				 strcmp(row->breakdown, "{}") ? row->breakdown
							     : "");
	return 0;
}

/* A KPI with a figure that the outputs cannot write (row_unwritable)
 * fails, its figures dropped, the failure naming why.  The number of
 * KPIs failed so. */
static int refuse_unwritable(struct eval_state *st)
{
	result_table *t = &st->ev->results;
	struct refused_kpis refused = { st, st->failure_count };
	peil_error err;
	size_t i, k;

	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];
		const kpi_info *info = NULL;

		if (failure_of(st, row->kpi) ||
		    row_unwritable(row, &err) == 0)
			continue;
		for (k = 0; k < kpi_set_count(st->ctx->kpis) && !info; k++)
			if (strcmp(kpi_set_info(st->ctx->kpis, k)->id,
				   row->kpi) == 0)
				info = kpi_set_info(st->ctx->kpis, k);
		if (!info)
			continue;
		sink_failure(st, info, &err);
	}
	if (st->failure_count > refused.first)
		result_table_keep(t, not_refused, &refused);
	return (int)(st->failure_count - refused.first);
}

static const char *note_of(const struct failure *list, size_t count,
			   const char *id)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(list[i].kpi, id) == 0)
			return list[i].message;
	return NULL;
}

static const char *skipped_of(const struct eval_state *st, const char *id)
{
	return note_of(st->skipped, st->skipped_count, id);
}

/* k's definition as peil explain prints it (kpi_explain), malloc'd; NULL
 * when out of memory. */
static char *definition_text(const peil_context *ctx, const kpi_info *k)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	kpi_explain(out, ctx->kpis, k, ctx->cfg->path);
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* row as the store takes it. */
static peil_result row_result(const result_row *row)
{
	peil_result r = {
		.kpi = row->kpi,
		.period = row->period,
		.breakdown = row->breakdown,
		.value = row->value,
		.numerator = row->numerator,
		.denominator = row->denominator,
		.status = row->status,
		.size = row->size,
		.earlier = row->earlier,
	};

	return r;
}

/* What a public output of the run shows (engine/disclose.h), handed to
 * the store for readers that do not go through Peil: the figures of the
 * run's public KPIs under [privacy public] as configured now, hidden ones
 * without their numbers, no size.  Earlier figures take part in the rules
 * as in a report, but are no figures of the run. */
static int record_public(peil_context *ctx, const result_table *results,
			 int64_t run_id, peil_error *err)
{
	result_table pub;
	peil_result *rows = NULL;
	size_t i, n = 0;
	int rc = -1;

	memset(&pub, 0, sizeof(pub));
	for (i = 0; i < results->count; i++) {
		peil_result r = row_result(&results->rows[i]);

		if (result_table_add(&pub, &r) < 0)
			goto out;
		pub.rows[pub.count - 1].earlier = r.earlier;
	}
	if (disclose_public(ctx, &pub) < 0 ||
	    !(rows = calloc(pub.count ? pub.count : 1, sizeof(*rows))))
		goto out;
	for (i = 0; i < pub.count; i++) {
		if (pub.rows[i].earlier)
			continue;
		rows[n] = row_result(&pub.rows[i]);
		rows[n].size = NAN;
		n++;
	}
	rc = store_public_figures_put(ctx->store, run_id, rows, n, err);
out:
	if (rc < 0 && !err->message[0])
		error_set(err, NULL, 0, NULL, "out of memory");
	free(rows);
	result_table_release(&pub);
	return rc;
}

/* The evaluated figures of the run, in one call.  Earlier figures are
 * kept apart (a store without version 10 gets none): never figures of
 * the run.  A kept KPI's are copied from the run it was kept from. */
static int record_figures(struct eval_state *st, peil_error *err)
{
	peil_context *ctx = st->ctx;
	const result_table *t = &st->ev->results;
	peil_result *rows = malloc((t->count ? t->count : 1) * sizeof(*rows));
	const char *kpi = NULL;
	int kept = 0, rc;
	size_t n = 0;

	if (!rows)
		return error_set(err, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];

		if (!kpi || strcmp(row->kpi, kpi) != 0) {
			const kpi_info *k = kpi_set_find(ctx->kpis, row->kpi);

			kpi = row->kpi;
			kept = k && k->kept;
		}
		if (!kept)
			rows[n++] = row_result(row);
	}
	rc = store_results_put(ctx->store, st->ev->run_id, rows, n, err);
	free(rows);
	return rc;
}

/* The run's KPIs and figures in one batch: those of kept KPIs copied from
 * the run they were kept from, the others as evaluated; and with a run
 * that can be published, its public figures. */
static int record(struct eval_state *st, const char *kind,
		  const char *only_kpi, peil_error *err)
{
	peil_context *ctx = st->ctx;
	size_t i;

	if (store_batch_begin(ctx->store, err) < 0)
		return -1;
	for (i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		const char *failure = failure_of(st, k->id);
		const char *skipped = skipped_of(st, k->id), *unmatched;
		char notes[1024] = "", note[256];
		peil_run_kpi rk = {
			.kpi = k->id,
			.title = k->title,
			.unit = k->unit,
			.script = k->script,
			.script_sha256 = k->definition_sha256,
			.status = failure ? "failed"
				  : skipped ? "not evaluated" : "ok",
			.message = failure ? failure : skipped,
		};
		int rc;

		if (!kpi_wanted(k, only_kpi))
			continue;
		/* A figure over an old input, or over one that ends before
		 * its period: the run keeps why not to trust it as current
		 * or final (model/input_age.h), after why a period was not
		 * evaluated. */
		for (size_t j = 0; !failure && j < st->ev->stale.count; j++) {
			const input_age *a = &st->ev->stale.items[j];

			if (a->kind == INPUT_UNMATCHED ||
			    (a->kind == INPUT_PARTLY_COVERED
				     ? strcmp(a->kpi, k->id) != 0
				     : skipped || !k->dataset ||
					       strcmp(k->dataset, a->dataset)))
				continue;	/* unmatched: below */
			if (!notes[0] && rk.message)
				input_age_join(notes, sizeof(notes),
					       rk.message);
			input_age_message(a, note, sizeof(note));
			input_age_join(notes, sizeof(notes), note);
			rk.message = notes;
		}
		/* and rows whose join found no row (kpi_sink.unmatched) */
		if (!failure && (unmatched = note_of(st->unmatched,
						     st->unmatched_count,
						     k->id))) {
			if (!notes[0] && rk.message)
				input_age_join(notes, sizeof(notes),
					       rk.message);
			input_age_join(notes, sizeof(notes), unmatched);
			rk.message = notes;
		}
		rk.definition = definition_text(ctx, k);
		if (!rk.definition) {
			error_set(err, NULL, 0, NULL, "out of memory");
			goto fail;
		}
		rc = store_run_kpi_put(ctx->store, st->ev->run_id, &rk, err);
		free((char *)rk.definition);
		if (rc < 0)
			goto fail;
		if (k->kept && store_results_copy(ctx->store, st->ev->kept_from,
						  st->ev->run_id, k->id,
						  err) < 0)
			goto fail;
	}
	for (i = 0; i < st->withdrawn.count; i++)
		if (store_run_kpi_put(ctx->store, st->ev->run_id,
				      &st->withdrawn.items[i], err) < 0)
			goto fail;
	if (record_figures(st, err) < 0)
		goto fail;
	if (strcmp(kind, "run") == 0 &&
	    record_public(ctx, &st->ev->results, st->ev->run_id, err) < 0)
		goto fail;
	return store_batch_commit(ctx->store, err);
fail:
	store_batch_rollback(ctx->store);
	return -1;
}

/* A kept KPI's figure, as the run it was kept from stored it. */
static int add_kept(void *arg, const peil_result *r)
{
	result_table *t = arg;

	if (result_table_add(t, r) < 0)
		return -1;
	t->rows[t->count - 1].earlier = r->earlier;
	return 0;
}

/* The figures of the kept KPIs, from the run they were kept from, beside
 * the evaluated ones in out->results. */
static int load_kept(peil_context *ctx, evaluation *out, peil_error *err)
{
	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		peil_result_query q = { out->kept_from, k->id };

		if (!k->kept || !kpi_wanted(k, NULL))
			continue;
		if (store_results_scan(ctx->store, &q, add_kept, &out->results,
				       err) < 0) {
			if (!err->message[0])
				error_set(err, NULL, 0, NULL, "out of memory");
			return -1;
		}
	}
	result_table_sort(&out->results);
	return 0;
}

/* A kept KPI's notes of rows whose join found no row, from the run it
 * was kept from: its inputs are that run's, and so are they. */
static int carry_unmatched(void *arg, const peil_run_kpi *rk)
{
	struct eval_state *st = arg;
	const kpi_info *k = kpi_set_find(st->ctx->kpis, rk->kpi);
	char parts[1024];

	if (!k || !k->kept || !kpi_wanted(k, NULL) || !rk->message ||
	    !input_age_unmatched_parts(rk->message, parts, sizeof(parts)))
		return 0;
	return sink_unmatched(st, k, parts);
}

static int carry_kept_notes(struct eval_state *st, peil_error *err)
{
	if (store_run_kpis_scan(st->ctx->store, st->ev->kept_from,
				carry_unmatched, st, err) < 0) {
		if (!err->message[0])
			error_set(err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	input_ages_sort_unmatched(&st->ev->stale);
	return 0;
}

static double clock_seconds(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* eval --timings: each wanted KPI evaluated alone (as with --kpi ID), its
 * wall and CPU seconds on stderr.  A KPI alone scans its datasets itself,
 * so the sum is more than one evaluation of them all, which shares scans.
 * The number of failed KPIs, or -1 with err. */
static int evaluate_timed(peil_context *ctx, int32_t from, int32_t to,
			  const char *only_kpi, const kpi_source *source,
			  const kpi_sink *sink, peil_error *err)
{
	int failed = 0;

	for (size_t i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);
		double wall = clock_seconds(CLOCK_MONOTONIC);
		double cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
		int n;

		if (!kpi_wanted(k, only_kpi) || k->kept ||
		    interrupt_requested())
			continue;
		n = kpi_evaluate(ctx->kpis, from, to, k->id, source, sink,
				 err);
		if (n < 0)
			return -1;
		failed += n;
		fprintf(stderr, "timing %s: %.3f s wall, %.3f s CPU\n", k->id,
			clock_seconds(CLOCK_MONOTONIC) - wall,
			clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu);
	}
	return failed;
}

/* Record that a run failed; a failure to record that is logged, since the
 * run's own error is the one to report. */
static void end_failed(peil_context *ctx, int64_t run_id)
{
	peil_error err;

	if (!run_id)	/* a dry run recorded nothing */
		return;
	error_clear(&err);
	if (store_run_end(ctx->store, run_id,
			  interrupt_requested() ? "interrupted" : "failed",
			  (int64_t)time(NULL), &err) < 0)
		log_error(&err);
}

int evaluation_begin(peil_context *ctx, const char *kind,
		     const char *listing, int32_t from, int32_t to,
		     int64_t confirms, int64_t started,
		     int64_t *run_id, peil_error *err)
{
	char inputs[65], from_text[11], to_text[11];
	peil_run_info info;

	*run_id = 0;
	if (store_inputs_fingerprint(ctx->store, inputs, err) < 0)
		return -1;
	date_format_iso(from, from_text);
	date_format_iso(to, to_text);
	info.kind = kind;
	info.started = started;
	info.period_from = from_text;
	info.period_to = to_text;
	info.config_sha256 = ctx->config_sha256;
	info.scripts_sha256 = ctx->scripts_sha256;
	info.inputs_sha256 = inputs;
	info.listing = listing;
	info.confirms = confirms;
	info.build_sha256 = NULL;
	if (store_has(ctx->store, STORE_V18_BUILDS) &&
	    !(info.build_sha256 = build_id_sha256(ctx, err)))
		return -1;
	return store_run_begin(ctx->store, &info, run_id, err);
}

int evaluation_run(peil_context *ctx, const char *kind, const char *listing,
		   int32_t from, int32_t to, const char *only_kpi,
		   int64_t keep_from, evaluation *out, peil_error *err)
{
	struct eval_state st = { .ctx = ctx, .ev = out, .threads = 2 };
	kpi_source source = { &st, source_schema, source_scan,
			      source_reader_open, source_reader_close,
			      store_has(ctx->store, STORE_V15_FROM_KEY),
			      source_fills, source_input_day };
	kpi_sink sink = { &st, sink_result, sink_failure, sink_earlier,
			  sink_partly_covered, sink_unmatched };
	int64_t started;
	int failed, rc = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	st.threads = (int)ctx->settings.threads;
	/* Only a recorded run of every KPI keeps some (run_confirm_keep). */
	for (i = 0; i < kpi_set_count(ctx->kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx->kpis, i);

		if (!keep_from || !kind || only_kpi)
			kpi_set_keep(ctx->kpis, i, 0);
		else
			out->kept += k->kept && kpi_wanted(k, NULL);
	}
	out->kept_from = out->kept ? keep_from : 0;
	started = (int64_t)time(NULL);
	if (input_age_check(ctx, started, &out->stale, err) < 0)
		return -1;
	st.input_days = calloc(ctx->settings.dataset_count + 1,
			       sizeof(*st.input_days));
	if (!st.input_days) {
		error_set(err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	if (input_age_newest_days(ctx, st.input_days, err) < 0) {
		free(st.input_days);
		return -1;
	}
	/* Only peil run publishes; one KPI alone is not all of them. */
	if (kind && strcmp(kind, "run") == 0 && !only_kpi &&
	    withdrawn_find(ctx, &st.withdrawn, err) < 0) {
		free(st.input_days);
		return -1;
	}
	if (kind && evaluation_begin(ctx, kind, listing, from, to, 0,
				     started, &out->run_id, err) < 0) {
		free(st.input_days);
		withdrawn_release(&st.withdrawn);
		return -1;
	}
	if (interrupt_requested()) {	/* during peil run's ingest */
		error_set(err, NULL, 0, NULL, "interrupted by %s before the "
			  "evaluation", interrupt_name(interrupt_requested()));
		end_failed(ctx, out->run_id);
		goto out;
	}
	failed = ctx->timings
		? evaluate_timed(ctx, from, to, only_kpi, &source, &sink, err)
		: kpi_evaluate(ctx->kpis, from, to, only_kpi, &source, &sink,
			       err);
	if (interrupt_requested()) {	/* KPIs stopped half-way: no figures */
		error_set(err, NULL, 0, NULL, "interrupted by %s during the "
			  "evaluation", interrupt_name(interrupt_requested()));
		end_failed(ctx, out->run_id);
		goto out;
	}
	if (failed >= 0 && !st.oom)
		failed += refuse_unwritable(&st);
	if (failed < 0 || st.oom) {
		if (st.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		end_failed(ctx, out->run_id);
		goto out;
	}
	for (i = 0; i < kpi_set_count(ctx->kpis); i++)
		out->kpis += kpi_wanted(kpi_set_info(ctx->kpis, i), only_kpi);
	out->failed = (size_t)failed;
	out->not_evaluated = st.skipped_count + st.withdrawn.count;
	result_table_sort(&out->results);
	out->results.run_id = out->run_id;
	if (kind && ((out->kept && (load_kept(ctx, out, err) < 0 ||
				    carry_kept_notes(&st, err) < 0)) ||
		     record(&st, kind, only_kpi, err) < 0)) {
		end_failed(ctx, out->run_id);
		goto out;
	}
	/* A signal before the run's end is recorded makes it "interrupted"
	 * (its figures are there, but the status says not to trust them);
	 * one after it no longer changes anything (interrupt_settle). */
	if (interrupt_requested()) {
		error_set(err, NULL, 0, NULL, "interrupted by %s before the "
			  "run was recorded as complete",
			  interrupt_name(interrupt_requested()));
		end_failed(ctx, out->run_id);
		goto out;
	}
	if (kind && store_run_end(ctx->store, out->run_id,
			  failed || ctx->script_errors ? "kpi failed"
			  : out->not_evaluated	       ? "incomplete"
						       : "ok",
			  (int64_t)time(NULL), err) < 0)
		goto out;
	interrupt_settle();
	rc = 0;
out:
	notes_free(st.failures, st.failure_count);
	notes_free(st.skipped, st.skipped_count);
	notes_free(st.unmatched, st.unmatched_count);
	free(st.input_days);
	withdrawn_release(&st.withdrawn);
	return rc;
}

void evaluation_release(evaluation *ev)
{
	result_table_release(&ev->results);
	input_ages_release(&ev->stale);
}
