/*
 * labels.h - the words of Peil's outputs, in Dutch (the default) and
 * English (--lang en).
 *
 * The tables are constant; labels_for hands out a pointer to one of them,
 * valid for the life of the program.
 */
#ifndef PEIL_LABELS_H
#define PEIL_LABELS_H

#include <stddef.h>

#include "model/input_age.h"
#include "model/results.h"
#include "model/revision.h"

typedef struct labels {
	const char *lang;	/* "nl" or "en", for <html lang> */
	/* the total row and an empty breakdown value (model/results.h) */
	const breakdown_words *row_words;
	const char *met, *at_risk, *not_met, *no_target;
	const char *at_least, *at_most, *and_word, *target;
	/* After a text table's target: how many of its figures with a
	 * target status (the second %d) missed it or are at risk (the
	 * first). */
	const char *misses;
	/* "* = not shown: ..." after a text table; %g is the threshold. */
	const char *suppressed_legend;
	const char *suppressed_small, *suppressed_derivable;
	/* peil diff when every figure that changed is hidden by the
	 * small-cell rules: %zu how many changed. */
	const char *diff_hidden;
	/* provisional and final figures (finality.h): "~ = ..." after a
	 * text table, and the words of the CSV column and JSON field */
	const char *provisional_legend, *word_provisional, *word_final,
		*col_finality;
	/* column names of the CSV long format */
	const char *col_kpi, *col_title, *col_unit, *col_period, *col_value,
		*col_numerator, *col_denominator, *col_target_min,
		*col_target_max, *col_status, *col_suppressed;
	/* the last column of the CSV long format: the period's grain, in
	 * words indexed by period_grain (0: none) */
	const char *col_grain, *grain_word[5];
	/* the HTML report's heading of a grain's figures of a KPI with
	 * several, indexed by period_grain: "Per kwartaal" */
	const char *per_grain[5];
	/* the HTML report */
	const char *report_title, *report_subtitle, *summary, *summary_intro,
		*latest_value, *months_met, *trend_title, *bars_title,
		*figures_title, *quality_title, *quality_intro, *quality_missing,
		*quality_late, *quality_cases, *quality_closed,
		*quality_cases_title, *quality_closed_title, *quality_none,
		*footer_title, *footer_run, *footer_started, *footer_config,
		*footer_scripts, *footer_inputs, *provisional_title,
		*provisional_rule, *provisional_none, *privacy_rule,
		*privacy_off, *target_band, *no_figures, *period_word,
		*contents;
	const char *months[12];	/* short month names */
	/* A figure not evaluated (results.h, result_not_evaluated): the
	 * short mark in a text table, and the sentences of its reasons,
	 * after not_evaluated ("niet berekend"): %s the dataset, then the
	 * field, then the date the data end on (missing_rows_after) or the
	 * day of the newest input (missing_input_after). */
	const char *not_evaluated_mark, *not_evaluated, *missing_dataset,
		*missing_field, *missing_source, *missing_rows_field,
		*missing_rows, *missing_contract_start, *missing_rows_after,
		*missing_input_after;
	/* A stale dataset (model/input_age.h): %s the dataset, %lld its
	 * age in days, %llu its max_age_days. */
	const char *stale_input;
	/* A dataset whose newest input ends before periods of its KPIs
	 * (model/input_age.h, partly covered): %s the dataset, %s the day
	 * of its newest input. */
	const char *partly_covered;
	/* Rows of a KPI's dataset whose join found no row (model/
	 * input_age.h, unmatched): %s the KPI, %s its dataset, %s the
	 * dataset joined, %s the field naming its key, %llu how many rows,
	 * %s what became of them: left out, or counted with the joined
	 * fields empty. */
	const char *unmatched, *unmatched_left_out, *unmatched_empty;
	/* Figures evaluated on request (report --evaluate), not those of a
	 * scheduled run: not the published figures. */
	const char *unpublished;
	/* Revisions (model/revision.h): the CSV columns; the HTML section's
	 * title, its sentence (%lld the run compared with) and column
	 * heads; what happened to a figure, and why; a report that cannot
	 * show them (%s why). */
	const char *col_previous, *col_revised;
	const char *commentary;	/* a note on a figure (commentary.txt) */
	const char *revised_title, *revised_since, *revised_since_report,
		*revised_none, *revised_cell, *revised_old, *revised_new,
		*revised_change, *revised_why;
	const char *revision_changed, *revision_new, *revision_removed,
		*revision_now_hidden, *revision_was_hidden;
	const char *cause_input, *cause_definition;
	const char *revisions_unknown;
	/* Comparisons (model/comparison.h): the name of each earlier period
	 * ([0] the previous one, [1] a year before); the heading of a text
	 * table of changes (%s that name, %s the unit of the change); the
	 * word before an old value or period ("t.o.v."); the unit of the
	 * change of a percentage; the CSV columns of each comparison (old
	 * value, change, change in %). */
	const char *compare_name[2], *compare_heading, *compare_vs, *points;
	/* Under a table of changes: what "-" and "*" mean; in a summary, a
	 * change without an earlier figure (%s its period). */
	const char *compare_legend, *compare_absent;
	const char *col_compare[2][3];
} labels;

/* The labels of lang ("nl", "en"), or NULL for another language. */
const labels *labels_for(const char *lang);

/* The word for a target status ("met", "at risk", "not met"); an unknown
 * status is returned as it is, NULL gives no_target. */
const char *labels_status(const labels *l, const char *status);

/* The words of a status, into out: a target status as labels_status, a
 * figure not evaluated as "niet berekend: dataset trajectories
 * ontbreekt" (in l's language), "" for none. */
void labels_status_text(const labels *l, const char *status, char *out,
			size_t size);

/* The sentence of note i of notes (stale_input, partly_covered or
 * unmatched) into out: 1, or 0 when an earlier note says the same (each
 * once). */
int labels_input_note(const labels *l, const input_ages *notes, size_t i,
		      char *out, size_t size);

/* What happened to a revised figure ("gewijzigd", "nieuw", "vervallen",
 * "nu onderdrukt", "eerder onderdrukt"), and why ("invoer", "definitie";
 * "" when not known). */
const char *labels_revision(const labels *l, const revision *r);
const char *labels_revision_cause(const labels *l, const revision *r);

#endif
