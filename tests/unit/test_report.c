/*
 * test_report.c - the writers of figures: the provisional rule, the HTML
 * report and the Prometheus export refuse undisclosed tables and never
 * print a hidden figure; label values are escaped.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "model/disclosure.h"
#include "model/finality.h"
#include "harness.h"
#include "report/labels.h"
#include "report/output.h"
#include "report/prometheus.h"
#include "report/report_html.h"

static const disclosure_rules rules10 = { 10, 10, NULL, 0 };

/* Caseload of two teams in two months: Noord 3 (small) and 40, Zuid 4321
 * and 4100. */
static void fill(result_table *t)
{
	result_table_add_figure(t, "caseload", "2017-01",
				"{\"team\":\"Noord \\\"oud\\\"\"}", 3, 3, NAN,
				NULL);
	result_table_add_figure(t, "caseload", "2017-01", "{\"team\":\"Zuid\"}",
				4321, 4321, NAN, NULL);
	result_table_add_figure(t, "caseload", "2017-01", "{}", 4324, 4324,
				NAN, NULL);
	result_table_add_figure(t, "caseload", "2017-02",
				"{\"team\":\"Noord \\\"oud\\\"\"}", 40, 40, NAN,
				NULL);
	result_table_add_figure(t, "caseload", "2017-02", "{\"team\":\"Zuid\"}",
				4100, 4100, NAN, "not met");
	result_table_add_figure(t, "caseload", "2017-02", "{}", 4140, 4140,
				NAN, "met");
	result_table_sort(t);
}

static char *render(int (*write)(FILE *, const result_table *),
		    const result_table *t, int *rc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	*rc = write(f, t);
	fclose(f);
	return text;
}

static int write_prometheus(FILE *f, const result_table *t)
{
	return prometheus_write(f, t, NULL, 1500000000, NULL, 0);
}

static int write_html(FILE *f, const result_table *t)
{
	report_input in;

	memset(&in, 0, sizeof(in));
	in.words = labels_for("nl");
	in.period = "2017";
	in.figures = t;
	in.run_id = 7;
	in.run_started = 1487000000;	/* 13 February 2017 */
	in.provisional_months = 3;
	return report_html_write(f, &in);
}

static int write_csv(FILE *f, const result_table *t)
{
	output_options o = { .format = OUTPUT_CSV };

	return output_write(f, &o, t);
}

/* The HTML report and the Prometheus export take a figure's finality as
 * it was marked (finality_mark, the one rule), not from the run's start.
 * Marked as of 15 February 2017 with final_after_months 0, by hand:
 * 2017-01 ends 31 January, final from 1 February: final; 2017-02 ends 28
 * February: provisional.  (write_html's run started 13 February 2017 and
 * says 3 months: judged from that, both were provisional.) */
TEST(finality_as_marked)
{
	result_table t = { 0 };
	finality f = { 0, 0 };
	char *text, *head;
	int rc;

	fill(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	finality_mark(&f, &t, date_from_civil(2017, 2, 15));
	text = render(write_html, &t, &rc);
	CHECK_INT(rc, 0);
	head = strstr(text, "<h3>");	/* the figures table */
	CHECK(head != NULL);
	CHECK(head && strstr(head, "<th>jan</th>") != NULL);
	CHECK(head && strstr(head, "<th>feb<sup>v</sup></th>") != NULL);
	/* The footer lists only 2017-02 as provisional. */
	CHECK(strstr(text, "veranderen. <span class=\"period\">2017-02</span>"
			   "</p>") != NULL);
	CHECK(strstr(text, "2017-01</span>, ") == NULL);
	/* The trend: jan's mark filled, feb's open, feb's label with "v". */
	CHECK(strstr(text, ">feb<tspan dy=\"-4\" font-size=\"7\">v</tspan>")
	      != NULL);
	CHECK(strstr(text, ">jan<tspan") == NULL);
	CHECK(strstr(text, "class=\"provisional\"") != NULL);
	free(text);
	text = render(write_prometheus, &t, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(text, "peil_kpi_final{kpi=\"caseload\",period=\"2017-01\"}"
			   " 1\n") != NULL);
	CHECK(strstr(text, "peil_kpi_final{kpi=\"caseload\",period=\"2017-02\"}"
			   " 0\n") != NULL);
	/* once per KPI and period, not per team */
	CHECK(strstr(text, "peil_kpi_final{kpi=\"caseload\",period=\"2017-02\","
			   "team") == NULL);
	CHECK(strstr(text, "peil_run_published 1\n") != NULL);
	free(text);
	result_table_release(&t);
}

/* The report of 2017 sums up a KPI of months,
 * quarters and the year by its year figure (1235 in each month but 871 in
 * December: 11 * 1235 + 871 = 14456), not by December's 871; a KPI of
 * months only by December; one of months and quarters by the fourth
 * quarter.  "Doel gehaald" counts the periods of the grain shown: 1 of 1
 * year, 3 of 4 quarters. */
TEST(summary_takes_the_period_asked)
{
	result_table t = { 0 };
	char *text, *row, id[16];
	int rc;

	for (int m = 1; m <= 12; m++) {
		double n = m == 12 ? 871 : 1235;

		snprintf(id, sizeof(id), "2017-%02d", m);
		result_table_add_figure(&t, "gestart", id, "{}", n, n, NAN,
					NULL);
		result_table_add_figure(&t, "maanden", id, "{}", n, n, NAN,
					NULL);
		result_table_add_figure(&t, "kwartalen", id, "{}", n, n, NAN,
					NULL);
	}
	for (int q = 1; q <= 4; q++) {
		snprintf(id, sizeof(id), "2017-Q%d", q);
		result_table_add_figure(&t, "gestart", id, "{}", 3000 + q,
					3000 + q, NAN, "met");
		result_table_add_figure(&t, "kwartalen", id, "{}", 3000 + q,
					3000 + q, NAN, q == 4 ? "not met"
							      : "met");
	}
	result_table_add_figure(&t, "gestart", "2017", "{}", 14456, 14456, NAN,
				"met");
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 0);
	text = render(write_html, &t, &rc);
	CHECK_INT(rc, 0);
	row = strstr(text, "href=\"#kpi-gestart\"");
	CHECK(row && strstr(row, "14456 <span class=\"meta\">(<span "
				 "class=\"period\">2017</span>)</span>") ==
		     strstr(row, "14456"));
	CHECK(row && strstr(row, "<td>1 / 1</td>") < strstr(row, "</tr>"));
	row = strstr(text, "href=\"#kpi-maanden\"");
	CHECK(row && strstr(row, "871 <span class=\"meta\">(<span "
				 "class=\"period\">2017-12</span>)") != NULL);
	row = strstr(text, "href=\"#kpi-kwartalen\"");
	CHECK(row && strstr(row, "3004 <span class=\"meta\">(<span "
				 "class=\"period\">2017-Q4</span>)") != NULL);
	CHECK(row && strstr(row, "<td>3 / 4</td>") < strstr(row, "</tr>"));
	/* the grains side by side: a table each */
	row = strstr(text, "id=\"kpi-gestart\"");
	CHECK(row && strstr(row, "Per maand") < strstr(row, "Per kwartaal"));
	CHECK(row && strstr(row, "Per kwartaal") < strstr(row, "Per jaar"));
	CHECK(row && strstr(row, "Per jaar") < strstr(row, "</section>"));
	row = strstr(text, "id=\"kpi-maanden\"");
	CHECK(row && (!strstr(row, "Per maand") ||
		      strstr(row, "Per maand") > strstr(row, "</section>")));
	free(text);
	result_table_release(&t);
}

TEST(writers_refuse_undisclosed_tables)
{
	result_table t = { 0 };
	char *text;
	int rc;

	fill(&t);
	text = render(write_prometheus, &t, &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(text, "");
	free(text);
	text = render(write_html, &t, &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(text, "");
	free(text);
	text = render(write_csv, &t, &rc);
	CHECK_INT(rc, -1);
	free(text);
	result_table_release(&t);
}

/* Noord's 3 is small, Zuid's 4321 its partner: neither may appear. */
TEST(hidden_figures_are_not_written)
{
	result_table t = { 0 };
	char *text;
	int rc;

	fill(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	text = render(write_prometheus, &t, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(text, "period=\"2017-01\",team") == NULL);
	CHECK(strstr(text, "peil_kpi_value{kpi=\"caseload\",period=\"2017-01\"}"
			   " 4324\n") != NULL);
	/* A quote in a label value is escaped. */
	CHECK(strstr(text, "team=\"Noord \\\"oud\\\"\"} 40\n") != NULL);
	CHECK(strstr(text, "status=\"not met\"} 1\n") != NULL);
	free(text);
	text = render(write_html, &t, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(text, ">4321<") == NULL);
	CHECK(strstr(text, ">3<") == NULL);
	CHECK(strstr(text, "Noord &quot;oud&quot;") != NULL);
	CHECK(strstr(text, "<td class=\"hidden\">*</td>") != NULL);
	/* Nothing marked provisional (finality_mark not called): none
	 * listed. */
	CHECK(strstr(text, "2017-01</span>, ") == NULL);
	CHECK(strstr(text, "niet gehaald") != NULL);
	free(text);
	text = render(write_csv, &t, &rc);
	CHECK_INT(rc, 0);
	CHECK(strstr(text, ";4321;") == NULL);
	CHECK(strstr(text, "klein aantal") != NULL);
	CHECK(strstr(text, "afleidbaar") != NULL);
	free(text);
	result_table_release(&t);
}

/* Numbers as written in CSV and text: whole ones as "%.0f" writes them
 * (written without printf: the same bytes), others with
 * ten significant digits and the decimal mark asked for, NaN empty. */
TEST(numbers_as_written)
{
	static const struct {
		double v;
		int point;
		const char *text;
	} cases[] = {
		{ 0, 0, "0" },
		{ -0.0, 0, "-0" },
		{ 7, 0, "7" },
		{ -7, 1, "-7" },
		{ 10, 0, "10" },
		{ 4324, 0, "4324" },
		{ 1002696, 0, "1002696" },
		{ 999999999999999.0, 0, "999999999999999" },
		{ -999999999999999.0, 0, "-999999999999999" },
		{ 1e15, 0, "1e+15" },
		{ 2.5, 0, "2,5" },
		{ 2.5, 1, "2.5" },
		{ 100.0 / 3, 0, "33,33333333" },
		{ -0.125, 1, "-0.125" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		output_number(cases[i].v, 1, cases[i].point, out, sizeof(out));
		CHECK_STR(out, cases[i].text);
	}
	output_number(NAN, 1, 0, out, sizeof(out));
	CHECK_STR(out, "");
	/* Too small a buffer for the fast path: cut as snprintf cuts. */
	output_number(123456, 1, 0, out, 4);
	CHECK_STR(out, "123");
}

/* What output_number wrote before it formatted numbers itself: whole
 * ones below 1e15 by "%.0f", others by "%.10g", the '.' made the decimal
 * mark asked for. */
static void printf_precise(double v, int point, char *out, size_t size)
{
	char *dot;

	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, size, "%.0f", v);
	else
		snprintf(out, size, "%.10g", v);
	dot = strchr(out, '.');
	if (dot && !point)
		*dot = ',';
}

/* Numbers that are not whole, with ten significant digits, written
 * without printf: the same bytes as snprintf's "%.10g" for shares
 * and means, for values whose tenth digit is decided by the last bits of
 * the double, for values exactly halfway between two ten-digit numbers
 * (printf's tie rule), at the ends of the range the fast path takes and
 * just outside it, and for 400 000 values spread over twenty decades. */
TEST(precise_numbers_as_printf)
{
	static const double values[] = {
		100.0 / 3, 200.0 / 3, 69.23076923076923, 2.0 / 7,
		0.1, 0.2, 0.3, 1.0 / 3, 99.99999999949, 99.9999999995,
		99.99999999951, 9.9999999995, 999999999.5, 999999999.4,
		999999999.6, 999999999.99, 123456789.25, 123456789.75,
		12345678.125, 12345678.375, 1234567.0625, 0.5, 1.5, 2.5,
		0.0001, 0.00010000000000000001, 0.00009999999999999999,
		0.000123456789012, 0.00099999999995, 0.0009999999999,
		1e9 - 0.5, 1e9 + 0.5, 1e15 + 0.5, 1e-5 + 1e-20, 5e-324,
		1.7976931348623157e308, 4.35, 4.45, 0.15, 1.005, 2.675,
		1.0000000005, 1.00000000050000001, 1.0000000015, 8.5e-5,
		-2.5, -100.0 / 3, -0.000123456789, -999999999.5,
		-123456789.25, -1e-4, 3.1415926535897932,
	};
	char want[64], got[64];
	uint64_t seed = 0x9E3779B97F4A7C15u;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		for (int point = 0; point < 2; point++) {
			printf_precise(values[i], point, want, sizeof(want));
			output_number(values[i], 1, point, got, sizeof(got));
			CHECK_STR(got, want);
		}
	for (int i = 0; i < 400000; i++) {
		double mantissa, v;
		int decade;

		seed ^= seed << 13;	/* xorshift64 */
		seed ^= seed >> 7;
		seed ^= seed << 17;
		mantissa = 1 + (double)(seed >> 11) / 9007199254740992.0 * 9;
		decade = (int)(seed % 20) - 8;	/* 1e-8 .. 1e11 */
		v = mantissa * pow(10, decade);
		if (i % 4 == 0)		/* a share or a mean of counts */
			v = (double)(seed % 100000) / (double)(1 + seed % 977);
		if (i % 2)
			v = -v;
		printf_precise(v, i % 3 != 0, want, sizeof(want));
		output_number(v, 1, i % 3 != 0, got, sizeof(got));
		CHECK_STR(got, want);
	}
}

/* One CSV row of KPI k (its one breakdown field team) worked out cell by
 * cell, as write_csv wrote each row before it remembered the cells that
 * rows share: sep between cells, english numbers or Dutch ones. */
static void csv_expected_row(FILE *f, const labels *w, const kpi_info *k,
			     const result_row *r, char sep, int english)
{
	char team[64] = "", number[64], status[512] = "";
	int found = result_breakdown_value(r->breakdown, "team", team,
					   sizeof(team));
	const double numbers[] = { r->value, r->numerator, r->denominator };

	fprintf(f, "%s%c", k->id, sep);
	output_csv_text(f, k->title, sep);
	fputc(sep, f);
	output_csv_text(f, k->unit, sep);
	fprintf(f, "%c%s%c", sep, r->period, sep);
	if (result_is_total(r->breakdown))
		output_csv_text(f, w->row_words->total, sep);
	else if (found)
		output_csv_text(f, found == 2 ? w->row_words->unknown
						 : team, sep);
	for (int i = 0; i < 3; i++) {
		output_number(numbers[i], 1, english, number, sizeof(number));
		fprintf(f, "%c%s", sep, number);
	}
	output_number(k->has_min ? k->target_min : NAN, 1, english, number,
		      sizeof(number));
	fprintf(f, "%c%s", sep, number);
	output_number(k->has_max ? k->target_max : NAN, 1, english, number,
		      sizeof(number));
	fprintf(f, "%c%s%c", sep, number, sep);
	if (r->status)
		labels_status_text(w, r->status, status, sizeof(status));
	output_csv_text(f, status, sep);
	fputc(sep, f);
	output_csv_text(f,
			r->suppressed == RESULT_SMALL ? w->suppressed_small
			: r->suppressed == RESULT_DERIVABLE
				? w->suppressed_derivable
				: "",
			sep);
	fputc(sep, f);
	output_csv_text(f,
			r->finality == RESULT_FINAL	    ? w->word_final
			: r->finality == RESULT_PROVISIONAL ? w->word_provisional
							    : "",
			sep);
	fprintf(f, "%c%s\r\n", sep, w->grain_word[period_id_grain(r->period)]);
}

/* The statuses of csv_remembered_cells: more than write_csv remembers,
 * none and an empty one, one with each separator, a not-evaluated one,
 * two of 255 characters (the longest remembered) that differ in their
 * last only, and two longer ones that differ only past 255. */
#define REMEMBERED_STATUSES 14

static void remembered_statuses(char *s[REMEMBERED_STATUSES])
{
	static const char *const fixed[] = {
		"met", "not met", "at risk", NULL, "", "x; y", "x, y",
		"not evaluated: dataset cases has no rows up to the period's end",
		"x1", "x2",
	};
	size_t i, n = sizeof(fixed) / sizeof(fixed[0]);

	for (i = 0; i < n; i++)
		s[i] = fixed[i] ? strdup(fixed[i]) : NULL;
	for (; i < REMEMBERED_STATUSES; i++) {
		size_t len = i < n + 2 ? 255 : 300;

		s[i] = malloc(len + 1);
		if (!s[i])
			continue;
		memset(s[i], 'a', len);
		s[i][len] = '\0';
		s[i][254] = (char)('b' + i % 2);
		if (len > 255)
			s[i][280] = (char)('b' + i % 2);
	}
}

/* The rows of csv_remembered_cells, in order: every status with each of
 * the 3 x 3 suppressions and finalities in turn, then every such pair
 * with each status in turn, so that each kind follows others that differ
 * from it in one input only, both within the last eight and beyond. */
static void remembered_kind(size_t i, size_t *status,
			    result_suppression *suppressed,
			    enum result_finality *final)
{
	static const result_suppression sup[] = { RESULT_SHOWN, RESULT_SMALL,
						  RESULT_DERIVABLE };
	static const enum result_finality fin[] = { RESULT_FINALITY_UNKNOWN,
						    RESULT_FINAL,
						    RESULT_PROVISIONAL };
	size_t pair, per = REMEMBERED_STATUSES * 9;

	i %= 2 * per;
	if (i < per) {
		*status = i / 9;
		pair = i % 9;
	} else {
		*status = (i - per) % REMEMBERED_STATUSES;
		pair = (i - per) / REMEMBERED_STATUSES;
	}
	*suppressed = sup[pair / 3];
	*final = fin[pair % 3];
}

/* write_csv of 4 periods x 64 breakdowns of caseload with the kinds of
 * remembered_kind, in lang's words with english numbers or not, against
 * csv_expected_row. */
static void csv_remembered_cells(const char *lang, int english)
{
	static const char *const periods[] = { "2017-01", "2017-02", "2017-03",
					       "2017-Q1" };
	static const char *const special[] = {
		"{\"team\":\"Noord; oud\"}", "{\"team\":\"Zuid, oud\"}",
		"{\"team\":\"=West\"}", "{\"team\":null}", "{}",
	};
	result_table t = { 0 };
	const labels *w = labels_for(lang);
	calendar *cal = calendar_new(NULL);
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	output_options o = { .format = OUTPUT_CSV };
	char *statuses[REMEMBERED_STATUSES];
	const kpi_info *k;
	char *text = NULL, *want = NULL, path[512], team[64];
	size_t size = 0, n = 0, kinds[REMEMBERED_STATUSES][3][3] = { { { 0 } } };
	peil_error err;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/scripts/caseload.lua",
		 PEIL_SOURCE_DIR);
	CHECK(set && kpi_set_load_file(set, path, &err) == 0);
	k = kpi_set_find(set, "caseload");
	CHECK(k != NULL && k->breakdown_count == 1);
	o.kpis = set;
	o.words = w;
	o.english_numbers = english;
	remembered_statuses(statuses);

	for (size_t p = 0; p < 4; p++)
		for (size_t b = 0; b < 64; b++, n++) {
			if (b < 5)
				snprintf(team, sizeof(team), "%s", special[b]);
			else
				snprintf(team, sizeof(team),
					 "{\"team\":\"T%02zu\"}", b);
			result_table_add_figure(&t, "caseload", periods[p],
						team, n % 3 ? n * 1.5 : NAN,
						(double)n, 7, NULL);
		}
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &(disclosure_rules){ 0, 0, NULL, 0 }),
		  0);
	for (size_t i = 0; i < t.count; i++) {
		result_row *r = &t.rows[i];
		size_t s;

		remembered_kind(i, &s, &r->suppressed, &r->finality);
		r->status = statuses[s] ? strdup(statuses[s]) : NULL;
		if (r->suppressed != RESULT_SHOWN)
			r->value = r->numerator = r->denominator = NAN;
		kinds[s][r->suppressed == RESULT_SHOWN	 ? 0
			 : r->suppressed == RESULT_SMALL ? 1
							 : 2][r->finality]++;
	}
	/* every kind at least twice */
	for (size_t s = 0; s < REMEMBERED_STATUSES; s++)
		for (size_t i = 0; i < 9; i++)
			CHECK(kinds[s][i / 3][i % 3] >= 2);
	f = open_memstream(&text, &size);
	rc = output_write(f, &o, &t);
	fclose(f);
	CHECK_INT(rc, 0);
	f = open_memstream(&want, &size);
	for (size_t i = 0; i < t.count; i++)
		csv_expected_row(f, w, k, &t.rows[i], english ? ',' : ';',
				 english);
	fclose(f);
	CHECK(text != NULL && strstr(text, "\r\n") != NULL);
	CHECK_STR(text ? strstr(text, "\r\n") + 2 : "", want);
	free(text);
	free(want);
	for (size_t s = 0; s < REMEMBERED_STATUSES; s++)
		free(statuses[s]);
	result_table_release(&t);
	kpi_set_free(set);
	calendar_free(cal);
}

/* The cells that write_csv remembers (those a KPI and period share,
 * each breakdown's, the last eight statuses with their suppression and
 * finality) are the cells of each row, for every status, suppression
 * and finality, in Dutch with ';' and decimal commas and in English with
 * ',' and decimal points, one file after the other. */
TEST(csv_rows_from_remembered_cells)
{
	csv_remembered_cells("nl", 0);
	csv_remembered_cells("en", 1);
	csv_remembered_cells("nl", 0);
}

/* The values that would read as the total row or an empty value are
 * the words the outputs write for those, in every language (evaluation
 * refuses a KPI with such a value: e2e_reserved_team_names). */
TEST(breakdown_reserved_words)
{
	static const char *const langs[] = { "nl", "en" };
	char field[32], value[32], json[96];

	for (size_t i = 0; i < sizeof(langs) / sizeof(*langs); i++) {
		const labels *w = labels_for(langs[i]);
		const char *words[] = { w->row_words->total,
					 w->row_words->unknown };

		for (size_t j = 0; j < 2; j++) {
			snprintf(json, sizeof(json),
				 "{\"district\":\"Oost\",\"team\":\"%s\"}",
				 words[j]);
			CHECK_INT(result_breakdown_reserved(json, field,
							    sizeof(field), value,
							    sizeof(value)), 1);
			CHECK_STR(field, "team");
			CHECK_STR(value, words[j]);
		}
	}
	CHECK_INT(result_breakdown_reserved("{\"team\":\"TOTAAL\"}", field,
					    sizeof(field), value,
					    sizeof(value)), 1);
	CHECK_STR(value, "TOTAAL");
	static const char *const fine[] = {
		"{}", "{\"team\":null}", "{\"team\":\"Buurtteam Totaal\"}",
		"{\"team\":\"onbekend\"}", "{\"team\":\"Totaal \"}",
		"{\"Totaal\":\"Noord\"}",
	};
	for (size_t i = 0; i < sizeof(fine) / sizeof(*fine); i++)
		if (result_breakdown_reserved(fine[i], field, sizeof(field),
					      value, sizeof(value)) != 0)
			HARNESS_FAIL("%s read as reserved", fine[i]);
}

/* Breakdown values as stored (JSON): \u escapes decoded to UTF-8, so
 * that each writer escapes the value itself. */
TEST(breakdown_json_escapes)
{
	char out[64];

	result_breakdown_label("{\"team\":\"Huisarts\\u000aof POH\"}", out,
			       sizeof(out));
	CHECK_STR(out, "Huisarts\nof POH");
	result_breakdown_label("{\"t\":\"a\\\"b\\/c\\r\"}", out, sizeof(out));
	CHECK_STR(out, "a\"b/c\r");
	/* U+00EB (2 bytes), U+20AC (3), U+1F600 as a surrogate pair (4). */
	result_breakdown_label("{\"t\":\"\\u00eb\\u20ac\\ud83d\\ude00\"}", out,
			       sizeof(out));
	CHECK_STR(out, "\xc3\xab\xe2\x82\xac\xf0\x9f\x98\x80");
	/* A lone surrogate or a bad escape stays as written. */
	result_breakdown_label("{\"t\":\"\\ud83dx\\uzz\"}", out, sizeof(out));
	CHECK_STR(out, "ud83dxuzz");
	/* Cut at a whole character: 5 bytes hold "ab" and not half a euro. */
	result_breakdown_label("{\"t\":\"ab\\u20acc\"}", out, 5);
	CHECK_STR(out, "ab");
}

static int write_text_nl(FILE *f, const result_table *t)
{
	output_options o = { .format = OUTPUT_TEXT };

	return output_write(f, &o, t);
}

/* The text writer's grid: every figure under its period and beside its
 * cell, whatever order the rows come in.  Three teams over two months
 * and the first quarter; team B has no figure of February.  Columns as
 * shown: months first, then the quarter; the total last.  By hand, the
 * line of team A reads 1, 2, 3; B 10, (blank), 30; C 100, 200, 300;
 * the total 111, 222, 333. */
TEST(text_grid_puts_each_figure_in_its_cell)
{
	static const struct {
		const char *period, *team;
		double value;
	} rows[] = {
		{ "2017-Q1", "C", 300 }, { "2017-02", "A", 2 },
		{ "2017-01", NULL, 111 }, { "2017-Q1", "A", 3 },
		{ "2017-01", "C", 100 }, { "2017-02", NULL, 222 },
		{ "2017-Q1", "B", 30 }, { "2017-01", "A", 1 },
		{ "2017-02", "C", 200 }, { "2017-Q1", NULL, 333 },
		{ "2017-01", "B", 10 },
	};
	result_table t = { 0 };
	char cell[64], *text;
	int rc;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].team)
			snprintf(cell, sizeof(cell), "{\"team\":\"%s\"}",
				 rows[i].team);
		result_table_add_figure(&t, "k", rows[i].period,
					rows[i].team ? cell : "{}",
					rows[i].value, rows[i].value, NAN,
					NULL);
	}
	CHECK_INT(disclosure_apply(&t, &(disclosure_rules){ 0, 0, NULL, 0 }),
		  0);
	text = render(write_text_nl, &t, &rc);
	CHECK_INT(rc, 0);
	/* The columns 7 wide (the widest period id), the labels 6
	 * ("Totaal"), two spaces between. */
	CHECK_STR(text, "k\n"
			"        2017-01  2017-02  2017-Q1\n"
			"A             1        2        3\n"
			"B            10                30\n"
			"C           100      200      300\n"
			"Totaal      111      222      333\n"
			"\n");
	free(text);
	result_table_release(&t);
}

/* A KPI of 1 200 teams over 36 months (43 200 figures, and a total per
 * month) in text: each team's line holds its own figures (team i's month
 * m is 1000 * i + m).  The grid takes about n log n; the search of every
 * cell through the KPI's rows before it took n * n / 2 compares (some
 * 10^9 here, seconds). */
TEST(text_grid_of_many_teams)
{
	result_table t = { 0 };
	char cell[64], id[16], want[64], *text, *line;
	int rc;

	for (int m = 1; m <= 36; m++) {
		snprintf(id, sizeof(id), "%d-%02d", 2016 + (m - 1) / 12,
			 (m - 1) % 12 + 1);
		for (int i = 0; i < 1200; i++) {
			snprintf(cell, sizeof(cell), "{\"team\":\"T%04d\"}",
				 i);
			result_table_add_figure(&t, "k", id, cell,
						1000.0 * i + m, 1, NAN, NULL);
		}
		result_table_add_figure(&t, "k", id, "{}", m, 1, NAN,
					NULL);
	}
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &(disclosure_rules){ 0, 0, NULL, 0 }),
		  0);
	text = render(write_text_nl, &t, &rc);
	CHECK_INT(rc, 0);
	/* Team 1199: 1199001 in 2016-01, 1199036 in 2018-12, the last. */
	line = text ? strstr(text, "\nT1199 ") : NULL;
	CHECK(line && strstr(line, " 1199001 ") != NULL);
	snprintf(want, sizeof(want), " %d\n", 1199036);
	CHECK(line && strncmp(strchr(line + 1, '\n') - strlen(want) + 1,
			      want, strlen(want)) == 0);
	line = text ? strstr(text, "\nT0007 ") : NULL;
	CHECK(line && strstr(line, " 7001 ") != NULL && strstr(line, " 7036\n"));
	free(text);
	result_table_release(&t);
}

/* The registration quality's tables find each team's figure by its
 * column and team, whatever the rows' order.  By hand: empty team of
 * the registered cases, Zuid 2 of 8 (25.0 %), Noord 0 of 5, all 2 of 13
 * (15.4 %); late, Zuid 1 of 8 (12.5 %), Noord none (an empty cell), all
 * 1 of 13 (7.7 %); empty closure reason of the closed cases, Noord 1
 * of 2 (50.0 %), Zuid none, all 1 of 2.  Above 10 % a cell warns. */
static result_table quality_rows;

static int write_quality_html(FILE *f, const result_table *t)
{
	report_input in;

	memset(&in, 0, sizeof(in));
	in.words = labels_for("nl");
	in.period = "2017";
	in.figures = t;
	in.quality = &quality_rows;
	in.late_after_days = 14;
	return report_html_write(f, &in);
}

TEST(quality_cells_by_column_and_team)
{
	static const disclosure_rules none = { 0, 0, NULL, 0 };
	static const char *const noord = "{\"team\":\"Noord\"}";
	static const char *const zuid = "{\"team\":\"Zuid\"}";
	result_table t = { 0 }, *q = &quality_rows;
	char *text;
	int rc;

	memset(q, 0, sizeof(*q));
	result_table_add_figure(q, "missing.team", "2017", zuid, 25, 2, 8, NULL);
	result_table_add_figure(q, "missing.team", "2017", "{}",
				100.0 * 2 / 13, 2, 13, NULL);
	result_table_add_figure(q, "missing.team", "2017", noord, 0, 0, 5, NULL);
	result_table_add_figure(q, "late", "2017", "{}", 100.0 / 13, 1, 13,
				NULL);
	result_table_add_figure(q, "late", "2017", zuid, 12.5, 1, 8, NULL);
	result_table_add_figure(q, "missing_closed.closure_reason", "2017",
				noord, 50, 1, 2, NULL);
	result_table_add_figure(q, "missing_closed.closure_reason", "2017",
				"{}", 50, 1, 2, NULL);
	fill(&t);
	CHECK_INT(disclosure_apply(&t, &none), 0);
	CHECK_INT(disclosure_apply(q, &none), 0);
	text = render(write_quality_html, &t, &rc);
	CHECK_INT(rc, 0);
	CHECK_CONTAINS(text, "<tr><td>Noord</td><td>5</td><td>0,0</td>"
			     "<td></td></tr>");
	CHECK_CONTAINS(text, "<tr><td>Zuid</td><td>8</td>"
			     "<td class=\"warn\">25,0</td>"
			     "<td class=\"warn\">12,5</td></tr>");
	CHECK_CONTAINS(text, "<td>13</td><td class=\"warn\">15,4</td>"
			     "<td>7,7</td></tr>");
	CHECK_CONTAINS(text, "<tr><td>Noord</td><td>2</td>"
			     "<td class=\"warn\">50,0</td></tr>");
	CHECK_CONTAINS(text, "<tr><td>Zuid</td><td class=\"hidden\">*</td>"
			     "<td></td></tr>");
	free(text);
	result_table_release(&t);
	result_table_release(q);
}

int main(void)
{
	RUN(text_grid_puts_each_figure_in_its_cell);
	RUN(text_grid_of_many_teams);
	RUN(numbers_as_written);
	RUN(precise_numbers_as_printf);
	RUN(csv_rows_from_remembered_cells);
	RUN(breakdown_json_escapes);
	RUN(breakdown_reserved_words);
	RUN(finality_as_marked);
	RUN(summary_takes_the_period_asked);
	RUN(writers_refuse_undisclosed_tables);
	RUN(quality_cells_by_column_and_team);
	RUN(hidden_figures_are_not_written);
	return harness_done();
}
