/*
 * test_report.c - the writers of figures: the provisional rule, the HTML
 * report and the Prometheus export refuse undisclosed tables and never
 * print a hidden figure; label values are escaped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/calendar.h"
#include "model/disclosure.h"
#include "harness.h"
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
	return prometheus_write(f, t, NULL, 1500000000, NULL);
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
	output_options o = { OUTPUT_CSV, NULL, 0, NULL, NULL, 0 };

	return output_write(f, &o, t);
}

/* 1.5e9 s is 14 July 2017: with 3 months, periods that ended after 14
 * April 2017 are provisional. */
TEST(provisional_rule)
{
	CHECK(!report_is_provisional("2017-03", 1500000000, 3));
	CHECK(report_is_provisional("2017-04", 1500000000, 3));
	CHECK(report_is_provisional("2017-06", 1500000000, 3));
	CHECK(report_is_provisional("2017", 1500000000, 3));
	CHECK(!report_is_provisional("2016", 1500000000, 3));
	CHECK(!report_is_provisional("2017-06", 1500000000, 0));
	/* finality.h: a period id it cannot read counts as provisional. */
	CHECK(report_is_provisional("nonsense", 1500000000, 3));
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
	/* Both periods are provisional for a run of February 2017. */
	CHECK(strstr(text, "2017-01, 2017-02") != NULL);
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

/* Breakdown values as stored (JSON): \u escapes decoded to UTF-8, so
 * that each writer escapes the value itself (issue 16, item 4). */
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

int main(void)
{
	RUN(breakdown_json_escapes);
	RUN(provisional_rule);
	RUN(writers_refuse_undisclosed_tables);
	RUN(hidden_figures_are_not_written);
	return harness_done();
}
