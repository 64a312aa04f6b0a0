/*
 * test_revision.c - which figures changed since the previous report
 * (model/revision.h), and how each writer shows them without ever giving
 * a value that the small-cell rules hide.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "model/disclosure.h"
#include "model/revision.h"
#include "report/output.h"
#include "report/report_html.h"

/* Caseload of 2017-01 by team, disclosed with min_count 0 (none hidden by
 * size); a cell is hidden by hand where the test says so.  Without KPI
 * scripts the CSV has no team column: a row is known by its value.
 *
 *   team  old           new           by hand
 *   A     5             6             changed, 5 -> 6
 *   B     4711          hidden        now hidden: no old value anywhere
 *   C     hidden        8             was hidden: no old value
 *   D     4             absent        removed, was 4
 *   E     9             9             unchanged: not listed
 *   F     absent        2             new
 */
static void add(result_table *t, const char *team, double v, int hidden)
{
	char breakdown[64];

	snprintf(breakdown, sizeof(breakdown), "{\"team\":\"%s\"}", team);
	result_table_add_figure(t, "caseload", "2017-01", breakdown, v, v, NAN,
				NULL);
	if (hidden) {
		result_row *r = &t->rows[t->count - 1];

		r->suppressed = RESULT_SMALL;
		r->value = r->numerator = NAN;
	}
}

static void tables(result_table *old_table, result_table *now)
{
	static const disclosure_rules none = { 0, 0, NULL, 0 };

	memset(old_table, 0, sizeof(*old_table));
	memset(now, 0, sizeof(*now));
	add(old_table, "A", 5, 0);
	add(old_table, "B", 4711, 0);
	add(old_table, "C", 3, 1);
	add(old_table, "D", 4, 0);
	add(old_table, "E", 9, 0);
	add(now, "A", 6, 0);
	add(now, "B", 1, 1);
	add(now, "C", 8, 0);
	add(now, "E", 9, 0);
	add(now, "F", 2, 0);
	disclosure_apply(old_table, &none);
	disclosure_apply(now, &none);
	now->run_id = 2;
}

static enum revision_cause by_input(void *ctx, const char *kpi)
{
	(void)ctx;
	(void)kpi;
	return REVISION_CAUSE_INPUT;
}

TEST(compare)
{
	result_table old_table, now;
	revisions r;
	const revision *a;

	tables(&old_table, &now);
	memset(&r, 0, sizeof(r));
	CHECK_INT(revision_compare(&old_table, &now, by_input, NULL, &r), 0);
	CHECK_INT((int)r.count, 5);
	CHECK_STR(r.items[0].breakdown, "{\"team\":\"A\"}");
	CHECK(r.items[0].old_value == 5 && r.items[0].new_value == 6);
	CHECK_INT(r.items[0].cause, REVISION_CAUSE_INPUT);
	CHECK_STR(r.items[1].breakdown, "{\"team\":\"B\"}");
	CHECK_INT(r.items[1].old_state, REVISION_SHOWN);
	CHECK_INT(r.items[1].new_state, REVISION_HIDDEN);
	CHECK(isnan(r.items[1].old_value) && isnan(r.items[1].new_value));
	CHECK_STR(r.items[2].breakdown, "{\"team\":\"C\"}");
	CHECK_INT(r.items[2].old_state, REVISION_HIDDEN);
	CHECK(isnan(r.items[2].old_value) && r.items[2].new_value == 8);
	CHECK_STR(r.items[3].breakdown, "{\"team\":\"D\"}");
	CHECK_INT(r.items[3].new_state, REVISION_ABSENT);
	CHECK(r.items[3].old_value == 4 && isnan(r.items[3].new_value));
	CHECK_STR(r.items[4].breakdown, "{\"team\":\"F\"}");
	CHECK_INT(r.items[4].old_state, REVISION_ABSENT);
	CHECK(isnan(r.items[4].old_value) && r.items[4].new_value == 2);
	/* now is sorted again, and each row finds its revision */
	a = revision_find(&r, &now.rows[0]);
	CHECK(a == &r.items[0]);
	CHECK(revision_find(&r, &now.rows[3]) == NULL);	/* E */
	revisions_release(&r);
	result_table_release(&old_table);
	result_table_release(&now);
}

static char *written(result_table *now, revisions *r, int format, int en)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	output_options o;
	report_input in;

	memset(&o, 0, sizeof(o));
	memset(&in, 0, sizeof(in));
	if (format >= 0) {
		o.format = (output_format)format;
		o.words = labels_for(en ? "en" : "nl");
		o.revisions = r;
		output_write(f, &o, now);
	} else {
		in.words = labels_for("nl");
		in.period = "2017-01";
		in.figures = now;
		in.run_id = 2;
		in.revisions = r;
		report_html_write(f, &in);
	}
	fclose(f);
	return text;
}

/* Each writer: the old value by a changed figure, the list, and never
 * B's 4711 (shown before, hidden now). */
TEST(writers)
{
	result_table old_table, now;
	revisions r;
	char *text;

	tables(&old_table, &now);
	memset(&r, 0, sizeof(r));
	r.known = 1;
	r.basis_run = 1;
	r.basis_report = 3;
	CHECK_INT(revision_compare(&old_table, &now, by_input, NULL, &r), 0);

	text = written(&now, &r, OUTPUT_JSON, 0);
	CHECK(strstr(text, "4711") == NULL);
	CHECK(strstr(text, "\"revised_since\": {\"run\": 1, \"report\": 3}") !=
	      NULL);
	CHECK(strstr(text, "\"value\": 6, \"numerator\": 6, \"denominator\": "
			   "null, \"status\": null, \"previous\": {\"value\": "
			   "5, \"run\": 1}") != NULL);
	CHECK(strstr(text, "{\"team\":\"B\"}, \"was\": \"shown\", \"now\": "
			   "\"suppressed\", \"previous\": null, \"value\": null, "
			   "\"cause\": \"input\"}") != NULL);
	CHECK(strstr(text, "{\"team\":\"D\"}, \"was\": \"shown\", \"now\": "
			   "\"absent\", \"previous\": 4, \"value\": null") !=
	      NULL);
	free(text);

	text = written(&now, &r, OUTPUT_CSV, 0);
	CHECK(strstr(text, "4711") == NULL);
	CHECK(strstr(text, ";stand;vorige_waarde;herzien;korrel\r\n") != NULL);
	CHECK(strstr(text, "caseload;;;2017-01;6;6;;;;;;;5;gewijzigd;maand\r\n") != NULL);
	CHECK(strstr(text, "caseload;;;2017-01;;;;;;;klein aantal;;;nu "
			   "onderdrukt;maand\r\n") != NULL);
	CHECK(strstr(text, "caseload;;;2017-01;8;8;;;;;;;;eerder "
			   "onderdrukt;maand\r\n") != NULL);
	CHECK(strstr(text, "caseload;;;2017-01;9;9;;;;;;;;;maand\r\n") != NULL);
	CHECK(strstr(text, "# herzien: caseload 2017-01 D: vervallen 4\r\n") !=
	      NULL);
	free(text);
	text = written(&now, &r, OUTPUT_CSV, 1);
	CHECK(strstr(text, ";state;previous_value;revised;grain\r\n") != NULL);
	CHECK(strstr(text, "caseload;;;2017-01;6;6;;;;;;;5;changed;month\r\n") != NULL);
	free(text);

	text = written(&now, &r, -1, 0);
	CHECK(strstr(text, "4711") == NULL);
	CHECK(strstr(text, "<td>6 <small class=\"revised\" title=\"Herzien: "
			   "gewijzigd\"><del>5</del></small></td>") != NULL);
	CHECK(strstr(text, "<td>2 <small class=\"revised\" title=\"Herzien: "
			   "nieuw\">nieuw</small></td>") != NULL);
	CHECK(strstr(text, "(verslag 3, run 1)") != NULL);
	CHECK(strstr(text, "<tr><td>caseload</td><td>2017-01</td><td>B</td>"
			   "<td></td><td>*</td><td>nu onderdrukt</td><td>"
			   "invoer</td></tr>") != NULL);
	CHECK(strstr(text, "<tr><td>caseload</td><td>2017-01</td><td>D</td>"
			   "<td>4</td><td></td><td>vervallen</td>") != NULL);
	free(text);

	/* Revisions that cannot be shown: said in each format. */
	revisions_release(&r);
	r.known = 0;
	snprintf(r.why_unknown, sizeof(r.why_unknown), "no version 8");
	text = written(&now, &r, OUTPUT_JSON, 0);
	CHECK(strstr(text, "\"revisions_unknown\": \"no version 8\"") != NULL);
	free(text);
	text = written(&now, &r, OUTPUT_CSV, 0);
	CHECK(strstr(text, "# let op: herzieningen kunnen niet worden getoond: "
			   "no version 8\r\n") != NULL);
	free(text);
	text = written(&now, &r, -1, 0);
	CHECK(strstr(text, "<p class=\"notice\" role=\"alert\">let op: "
			   "herzieningen kunnen niet worden getoond: no version "
			   "8</p>") != NULL);
	free(text);
	result_table_release(&old_table);
	result_table_release(&now);
}

int main(void)
{
	RUN(compare);
	RUN(writers);
	return harness_done();
}
