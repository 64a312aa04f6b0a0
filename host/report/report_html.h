/*
 * report_html.h - the HTML report: one self-contained file (inline CSS and
 * SVG, no script, nothing fetched) that prints on A4.
 *
 * It holds a summary of every KPI with its target status in colour, symbol
 * and words; per KPI its title, description, unit, a trend chart of the
 * total with the target band, bars by the first breakdown field in the
 * latest period, and the table of figures; the quality of registration per
 * team (quality.h); and a footer with the run, its fingerprints, the
 * small-cell rule and which figures are provisional.
 */
#ifndef PEIL_REPORT_HTML_H
#define PEIL_REPORT_HTML_H

#include <stdint.h>
#include <stdio.h>

#include "kpi/kpi.h"
#include "report/labels.h"
#include "model/input_age.h"
#include "model/results.h"

/* A KPI's defining script and its definition hash (peil_run_kpi
 * script_sha256), as recorded with the run. */
typedef struct report_script {
	char *kpi, *script, *sha256;
} report_script;

typedef struct report_input {
	const labels *words;
	const char *period;		/* as asked: "2017" */
	const result_table *figures;	/* sorted, disclosed, in the period */
	const result_table *quality;	/* sorted, disclosed; NULL: none */
	long late_after_days;
	const kpi_set *kpis;		/* titles, units, targets */
	int64_t run_id, run_started;	/* unix seconds */
	const char *config_sha256, *scripts_sha256, *inputs_sha256;
	const report_script *scripts;
	size_t script_count;
	/* [run] final_after_months, for the footer's wording of the rule;
	 * which figures are provisional is each row's finality, as marked
	 * (cli_mark_finality). */
	int provisional_months;
	/* The label of a dataset's field (settings_field_label), or NULL
	 * for the field name itself: in the captions, the figures tables'
	 * first header and the quality table (of dataset cases). */
	const char *(*field_label)(void *ctx, const char *dataset,
				   const char *field);
	void *field_label_ctx;
	/* Datasets whose input was too old when the run began: a notice
	 * under the header.  NULL: none. */
	const input_ages *stale;
	/* Evaluated on request (report --evaluate): a notice that these
	 * are not the published figures. */
	int unpublished;
	/* The figures changed since the previous report of the period
	 * (model/revision.h): the old value by each changed figure, and a
	 * section that lists them; NULL: none compared. */
	const revisions *revisions;
	/* The notes of commentary.txt: each beside its KPI's figures of
	 * the period, when the report has them; NULL: none. */
	const commentary *commentary;
} report_input;

/* Write the report.  0 on success; -1, logged, when a table was not
 * disclosed (nothing written) or memory ran out (part written: the
 * caller keeps none of it). */
int report_html_write(FILE *out, const report_input *r);

#endif
