/*
 * prometheus.c - the text exposition format (prometheus.h).
 *
 * The grammar, from the Prometheus documentation "Exposition formats":
 * metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
 * (names starting with "__" are reserved), label values in double quotes
 * with backslash, double quote and line feed escaped as \\ \" \n; all
 * lines of a family together, after its # HELP and # TYPE lines.
 */
#include "report/prometheus.h"

#include <math.h>
#include <string.h>

#include "base/calendar.h"
#include "base/log.h"

static void label_value(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* A breakdown field as a label name: [a-z0-9_] already (schema.c), but
 * it may start with a digit or "__", or be one of our own labels. */
static void label_name(FILE *out, const char *field)
{
	const char *s;

	if ((field[0] >= '0' && field[0] <= '9') || field[0] == '_' ||
	    strcmp(field, "kpi") == 0 || strcmp(field, "period") == 0 ||
	    strcmp(field, "status") == 0)
		fputs("breakdown_", out);
	for (s = field; *s; s++)
		fputc((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			      (*s >= '0' && *s <= '9')
		      ? *s
		      : '_',
		      out);
}

static int breakdown_label(void *arg, const char *field, const char *value)
{
	FILE *out = arg;

	fputc(',', out);
	label_name(out, field);
	fputc('=', out);
	label_value(out, value ? value
				 : breakdown_words_of[BREAKDOWN_NL].unknown);
	return 0;
}

static void sample_value(FILE *out, double v)
{
	if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", out);
	else
		fprintf(out, "%.17g", v);
}

enum family { VALUE, NUMERATOR, DENOMINATOR, STATUS, NOT_EVALUATED, FINAL };

static void family(FILE *out, const result_table *t, enum family f)
{
	static const char *const names[] = { "peil_kpi_value",
					     "peil_kpi_numerator",
					     "peil_kpi_denominator",
					     "peil_kpi_status",
					     "peil_kpi_not_evaluated",
					     "peil_kpi_final" };
	static const char *const help[] = {
		"The figure of a KPI for a period and breakdown.",
		"The numerator of a share or mean (a count, or a sum).",
		"The denominator of a share or mean (a count).",
		"The target status of a figure: 1 for the status label.",
		"A KPI not evaluated for a period (no figure): 1 with the "
		"reason label.",
		"1 when a period's figures of a KPI are final (definitief), "
		"0 while provisional (voorlopig)."
	};
	size_t i;

	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", names[f], help[f],
		names[f]);
	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];
		double v = f == VALUE	    ? row->value
			   : f == NUMERATOR ? row->numerator
			   : f == DENOMINATOR ? row->denominator
			   : f == STATUS    ? (row->status ? 1 : NAN)
			   : f == FINAL	    ? (row->finality == RESULT_FINAL	   ? 1
				       : row->finality == RESULT_PROVISIONAL ? 0
									     : NAN)
					    : 1;

		/* a figure not evaluated has only its reason, never a
		 * target status */
		if ((f == NOT_EVALUATED) != result_not_evaluated(row->status) &&
		    f != FINAL)
			continue;
		/* finality is the period's, once per KPI and period: on its
		 * total row */
		if (f == FINAL && !result_is_total(row->breakdown))
			continue;
		if ((row->suppressed != RESULT_SHOWN && f != FINAL) || isnan(v))
			continue;
		fprintf(out, "%s{kpi=", names[f]);
		label_value(out, row->kpi);
		fputs(",period=", out);
		label_value(out, row->period);
		result_breakdown_each(row->breakdown, breakdown_label, out);
		if (f == STATUS) {
			fputs(",status=", out);
			label_value(out, row->status);
		}
		if (f == NOT_EVALUATED) {
			fputs(",reason=", out);
			label_value(out, row->status +
					 sizeof(RESULT_NOT_EVALUATED) - 1);
		}
		fputs("} ", out);
		sample_value(out, v);
		fputc('\n', out);
	}
}

static void kpi_families(FILE *out, const result_table *t,
			 const kpi_set *kpis)
{
	static const char *const names[] = { "peil_kpi_target_min",
					     "peil_kpi_target_max",
					     "peil_kpi_info" };
	size_t f, i;

	for (f = 0; kpis && f < 3; f++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", names[f],
			f == 2 ? "A KPI's title and unit, as labels."
			       : "A KPI's target bound.", names[f]);
		for (i = 0; i < t->count; i++) {
			const kpi_info *k = kpi_set_find(kpis, t->rows[i].kpi);

			if (!k || (i && strcmp(t->rows[i - 1].kpi,
					       t->rows[i].kpi) == 0) ||
			    (f == 0 && !k->has_min) || (f == 1 && !k->has_max))
				continue;
			fprintf(out, "%s{kpi=", names[f]);
			label_value(out, k->id);
			if (f == 2) {
				fputs(",title=", out);
				label_value(out, k->title);
				fputs(",unit=", out);
				label_value(out, k->unit);
			}
			fputs("} ", out);
			sample_value(out, f == 0 ? k->target_min
				     : f == 1    ? k->target_max
						 : 1);
			fputc('\n', out);
		}
	}
}

/* One family of a sample per stale dataset; max_age adds the label
 * max_age_days and makes the sample 1, else it is the age in days. */
static void stale_family(FILE *out, const input_ages *stale,
			 const char *name, const char *help, int max_age)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
	for (size_t i = 0; i < stale->count; i++) {
		if (stale->items[i].kind != INPUT_STALE ||
		    !input_ages_first(stale, i))
			continue;
		fprintf(out, "%s{dataset=", name);
		label_value(out, stale->items[i].dataset);
		if (max_age)
			fprintf(out, ",max_age_days=\"%llu\"} 1\n",
				(unsigned long long)stale->items[i]
					.max_age_days);
		else
			fprintf(out, "} %lld\n",
				(long long)stale->items[i].age_days);
	}
}

/* Only when some dataset is stale: a run with fresh inputs writes what it
 * did. */
static void stale_families(FILE *out, const input_ages *stale)
{
	char day[11];

	if (input_ages_count(stale, INPUT_PARTLY_COVERED)) {
		fputs("# HELP peil_kpi_partly_covered 1 for a KPI whose figures "
		      "of periods ending after the newest input of a dataset "
		      "it reads stay provisional.\n# TYPE "
		      "peil_kpi_partly_covered gauge\n", out);
		for (size_t i = 0; i < stale->count; i++) {
			const input_age *a = &stale->items[i];

			if (a->kind != INPUT_PARTLY_COVERED)
				continue;
			date_format_iso(a->input_day, day);
			fputs("peil_kpi_partly_covered{kpi=", out);
			label_value(out, a->kpi);
			fputs(",dataset=", out);
			label_value(out, a->dataset);
			fprintf(out, ",newest_input=\"%s\"} 1\n", day);
		}
	}
	if (input_ages_count(stale, INPUT_UNMATCHED)) {
		fputs("# HELP peil_kpi_unmatched_rows Rows of a KPI's dataset "
		      "whose field names a key that no row of the joined "
		      "dataset has; left_out 1 when they count in no period, "
		      "0 when counted with the joined fields empty.\n# TYPE "
		      "peil_kpi_unmatched_rows gauge\n", out);
		for (size_t i = 0; i < stale->count; i++) {
			const input_age *a = &stale->items[i];
			const char *const labels[][2] = {
				{ "kpi", a->kpi }, { "dataset", a->dataset },
				{ "field", a->field }, { "joined", a->joined },
			};

			if (a->kind != INPUT_UNMATCHED)
				continue;
			fputs("peil_kpi_unmatched_rows{", out);
			for (size_t l = 0; l < 4; l++) {
				fprintf(out, "%s%s=", l ? "," : "",
					labels[l][0]);
				label_value(out, labels[l][1]);
			}
			fprintf(out, ",left_out=\"%d\"} %llu\n", a->left_out,
				(unsigned long long)a->rows);
		}
	}
	if (!input_ages_count(stale, INPUT_STALE))
		return;
	stale_family(out, stale, "peil_dataset_input_age_days",
		     "Whole days since the newest input of a dataset older "
		     "than its max_age_days, when the run began.", 0);
	stale_family(out, stale, "peil_dataset_stale",
		     "1 for a dataset whose newest input was older than its "
		     "max_age_days when the run began.", 1);
}

int prometheus_write(FILE *out, const result_table *t, const kpi_set *kpis,
		     int64_t run_started, const input_ages *stale,
		     int unpublished)
{
	if (!t->disclosed) {
		log_msg(PEIL_LOG_ERROR, "internal error: figures exported "
					"without the small-cell rules");
		return -1;
	}
	family(out, t, VALUE);
	family(out, t, NUMERATOR);
	family(out, t, DENOMINATOR);
	family(out, t, STATUS);
	family(out, t, NOT_EVALUATED);
	family(out, t, FINAL);
	kpi_families(out, t, kpis);
	stale_families(out, stale);
	fprintf(out, "# HELP peil_run_id The run whose figures these are.\n"
		     "# TYPE peil_run_id gauge\npeil_run_id %lld\n"
		     "# HELP peil_run_started_timestamp_seconds When the run "
		     "started.\n# TYPE peil_run_started_timestamp_seconds "
		     "gauge\npeil_run_started_timestamp_seconds %lld\n"
		     "# HELP peil_run_published 1 when the run is a complete "
		     "scheduled run, whose figures are the published ones; 0 "
		     "for an ad-hoc evaluation or a failed run.\n"
		     "# TYPE peil_run_published gauge\npeil_run_published %d\n",
		(long long)t->run_id, (long long)run_started, !unpublished);
	return 0;
}
