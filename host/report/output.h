/*
 * output.h - printing figures: an aligned text table, CSV or JSON.
 *
 * Text is for people at a terminal: one block per KPI with its title and
 * unit, breakdown values down and periods across.  CSV is the long format
 * of docs/output.md, for Dutch Excel by default (';', decimal comma, UTF-8
 * with BOM; cells that Excel would run as a formula escaped) or with
 * English separators.  JSON is for programs (docs/output.md).
 *
 * Every writer takes a table that went through disclosure_apply
 * (disclosure.h) and refuses one that did not.
 */
#ifndef PEIL_OUTPUT_H
#define PEIL_OUTPUT_H

#include <stdio.h>

#include "kpi/kpi.h"
#include "report/labels.h"
#include "model/input_age.h"
#include "model/results.h"
#include "model/revision.h"

typedef enum output_format {
	OUTPUT_TEXT,
	OUTPUT_CSV,
	OUTPUT_JSON
} output_format;

typedef struct output_options {
	output_format format;
	const labels *words;	/* NULL: Dutch */
	int english_numbers;	/* CSV: ',' between cells, '.' as decimal */
	const kpi_set *kpis;	/* titles, units, targets; NULL: ids only */
	const input_ages *stale;	/* notes on the inputs: datasets
					   whose input is too old or ends
					   early, rows whose join found no
					   row: a line under the tables
					   (text; one of a KPI's rows under
					   its own), a closing comment line
					   (CSV), "stale_inputs",
					   "partly_covered", "unmatched"
					   (JSON); NULL: none */
	/* The label of a dataset's field (settings_field_label), or NULL
	 * for the field name itself; field_label NULL: names only.  Text
	 * tables head their first column with it; CSV and JSON keep the
	 * field names, their machine interface. */
	const char *(*field_label)(void *ctx, const char *dataset,
				   const char *field);
	void *field_label_ctx;
	int unpublished;	/* evaluated on request (report --evaluate):
				   labels' unpublished as a line under the
				   tables (text), a closing comment line
				   (CSV), "published": false (JSON) */
	const revisions *revisions;	/* peil report: the figures changed
					   since the previous report of the
					   period (docs/output.md,
					   "Revisions"); NULL: not compared
					   (show, eval, run) */
	const commentary *commentary;	/* peil report: the notes of
					   commentary.txt; JSON gives each
					   on its KPI's total of the period,
					   CSV as a closing comment line;
					   NULL: none */
} output_options;

/* The label of breakdown field of KPI k (of kpis) by field_label: a
 * joined field "case.team" takes the label of team in the joined
 * dataset; without a label, field itself. */
const char *output_field_label(const char *(*field_label)(void *,
							  const char *,
							  const char *),
			       void *ctx, const kpi_set *kpis,
			       const kpi_info *k, const char *field);

/* The unit of the change of a figure of KPI k: its unit, or for a
 * percentage (unit "%") percentage points (labels' points). */
const char *output_change_unit(const labels *w, const kpi_info *k);
/* The change of row against its comparison c (model/comparison.h) as
 * "+12 (+4,2 %)", with with_old " t.o.v. 288"; "*" when hidden, "-"
 * without a change (no old figure, or no value). */
void output_change_text(const result_row *row, size_t c, int decimals,
			const labels *w, int point, int with_old, char *out,
			size_t size);

/* The change of row against comparison c in a sentence: "+4,2 % t.o.v.
 * 2016" (relative), for a percentage "+2,1 procentpunten t.o.v. 2016";
 * "* t.o.v. 2016" when hidden, "- t.o.v. 2016" without a change. */
void output_change_summary(const result_row *row, size_t c,
			   const kpi_info *k, const labels *w, int point,
			   char *out, size_t size);

/* "text", "csv" or "json"; 0 on success, -1 otherwise. */
/* Whether note i of notes is shown with one KPI's figures, under its
 * table or in its section (rows whose join found no row): one of KPI
 * kpi, or of any KPI when kpi is NULL. */
int output_kpi_note(const input_ages *notes, size_t i, const char *kpi);

int output_format_parse(const char *name, output_format *out);

/* Write the sorted, disclosed table t.  0 on success; -1 (and nothing
 * written) when t did not go through disclosure_apply, or -1 (logged)
 * when out of memory. */
int output_write(FILE *out, const output_options *o, const result_table *t);

/* A number for a reader: whole numbers bare, others with one decimal (or,
 * precise, up to ten significant digits), with a decimal comma unless
 * point; "" when NaN. */
void output_number(double v, int precise, int point, char *out,
		   size_t size);

/* The display width of UTF-8 text s: its characters (code points), not
 * its bytes, so that "Wijkteam Noordëlijk" lines up with ASCII names. */
size_t output_width(const char *s);

/* s as one text cell of a CSV line separated by separator, as every CSV
 * of figures writes it: in quotes when it holds the separator, a quote or
 * a line break, and with a leading apostrophe when it starts with = + - @
 * (or a tab or CR), so that a spreadsheet does not run it as a formula. */
void output_csv_text(FILE *out, const char *s, char separator);

/* s padded with spaces to width characters: on the left when right
 * (numbers), else on the right; made visible (base/visible.h).  Text wider
 * than width is written whole. */
void output_pad(FILE *out, const char *s, size_t width, int right);

/* s into out, cut to at most max characters: a longer text keeps its
 * first max - 1 whole characters and ends in an ellipsis. */
void output_clip(const char *s, size_t max, char *out, size_t size);

/* A value of a KPI for a reader: with exactly decimals decimals (a KPI's
 * kpi_info.decimals), so that every value in its column looks alike;
 * decimals < 0 as output_number.  "" when NaN. */
void output_fixed(double v, int decimals, int point, char *out,
		  size_t size);

#endif
