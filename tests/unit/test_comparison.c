/*
 * test_comparison.c - figures against earlier periods (model/comparison.h)
 * on tables worked out by hand, after the small-cell rules.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/period.h"
#include "model/comparison.h"
#include "model/disclosure.h"
#include "harness.h"

static const disclosure_rules rules10 = { 10, 10, NULL, 0 };

static unsigned both(void *ctx, const char *kpi)
{
	(void)ctx;
	return strcmp(kpi, "k") == 0 ? 3u : 0u;
}

/* A count of team (NULL: the total) in period; earlier: only there to be
 * compared with. */
static void count(result_table *t, const char *period_id, const char *team,
		  double n, int earlier)
{
	char breakdown[128];

	snprintf(breakdown, sizeof(breakdown), "{\"team\":\"%s\"}",
		 team ? team : "");
	result_table_add_figure(t, "k", period_id, team ? breakdown : "{}", n, n,
				NAN, NULL);
	t->rows[t->count - 1].earlier = earlier;
}

static const result_row *row_of(const result_table *t, const char *period_id,
				const char *team)
{
	char breakdown[128];

	snprintf(breakdown, sizeof(breakdown), "{\"team\":\"%s\"}",
		 team ? team : "");
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->rows[i].period, period_id) == 0 &&
		    strcmp(t->rows[i].breakdown, team ? breakdown : "{}") == 0)
			return &t->rows[i];
	return NULL;
}

/* January (earlier): A 20, B 30, total 50.  February: A 30, B 30, C 15
 * (new), total 75.  The total's change is 75 - 50 = +25, +50 %: from
 * the totals.  The teams' changes add up to +10 (A +10, B 0, C none),
 * the Lua workaround's wrong total.  A year before is not in the table:
 * absent. */
TEST(total_from_totals)
{
	result_table t = { 0 };
	const result_row *r;
	double change, pct;

	count(&t, "2018-01", "A", 20, 1);
	count(&t, "2018-01", "B", 30, 1);
	count(&t, "2018-01", NULL, 50, 1);
	count(&t, "2018-02", "A", 30, 0);
	count(&t, "2018-02", "B", 30, 0);
	count(&t, "2018-02", "C", 15, 0);
	count(&t, "2018-02", NULL, 75, 0);
	result_table_sort(&t);
	disclosure_apply(&t, &rules10);
	CHECK_INT(comparison_attach(&t, both, NULL), 0);
	CHECK_INT(t.count, 4);		/* January's rows are gone */
	CHECK(row_of(&t, "2018-01", NULL) == NULL);
	r = row_of(&t, "2018-02", NULL);
	CHECK(r != NULL);
	CHECK_INT(r->compare[0].state, RESULT_COMPARE_SHOWN);
	CHECK_STR(r->compare[0].period, "2018-01");
	CHECK_DOUBLE(r->compare[0].old, 50, 0);
	CHECK_INT(comparison_change(r, 0, &change, &pct), 3);
	CHECK_DOUBLE(change, 25, 0);
	CHECK_DOUBLE(pct, 50, 1e-9);
	CHECK_INT(r->compare[1].state, RESULT_COMPARE_ABSENT);
	CHECK_STR(r->compare[1].period, "2017-02");
	CHECK_INT(comparison_change(r, 1, &change, &pct), 0);
	r = row_of(&t, "2018-02", "A");
	CHECK_INT(comparison_change(r, 0, &change, &pct), 3);
	CHECK_DOUBLE(change, 10, 0);
	CHECK_DOUBLE(pct, 50, 1e-9);
	r = row_of(&t, "2018-02", "C");
	CHECK_INT(r->compare[0].state, RESULT_COMPARE_ABSENT);
	CHECK_INT(comparison_change(r, 0, &change, &pct), 0);
	result_table_release(&t);
}

/* January (earlier): A 4 (small: hidden), B 30, C 26, total 60; A alone
 * would be the total minus the others, so C is hidden too.  February:
 * A 15, B 30, C 25, D 3 (small), total 73.  A change against a hidden
 * figure would give it back (15 - change = 4), and a change of a hidden
 * figure would give it (D: old + change): all hidden, with no numbers.
 * B and the total are compared. */
TEST(hidden_stays_hidden)
{
	result_table t = { 0 };
	const result_row *r;
	double change, pct;

	count(&t, "2018-01", "A", 4, 1);
	count(&t, "2018-01", "B", 30, 1);
	count(&t, "2018-01", "C", 26, 1);
	count(&t, "2018-01", "D", 0, 1);
	count(&t, "2018-01", NULL, 60, 1);
	count(&t, "2018-02", "A", 15, 0);
	count(&t, "2018-02", "B", 30, 0);
	count(&t, "2018-02", "C", 25, 0);
	count(&t, "2018-02", "D", 3, 0);
	count(&t, "2018-02", NULL, 73, 0);
	result_table_sort(&t);
	disclosure_apply(&t, &rules10);
	CHECK_INT(row_of(&t, "2018-01", "C")->suppressed, RESULT_DERIVABLE);
	CHECK_INT(comparison_attach(&t, both, NULL), 0);
	for (const char *const *team = (const char *const[]){ "A", "C", "D",
							       NULL };
	     *team; team++) {
		r = row_of(&t, "2018-02", *team);
		CHECK_INT(r->compare[0].state, RESULT_COMPARE_HIDDEN);
		CHECK(isnan(r->compare[0].old));
		CHECK_INT(comparison_change(r, 0, &change, &pct), 0);
		CHECK(isnan(change) && isnan(pct));
	}
	/* February's C is shown, its change is not: the attacker who
	 * reads 25 and a change of -1 would have January's 26. */
	CHECK_INT(row_of(&t, "2018-02", "C")->suppressed, RESULT_SHOWN);
	r = row_of(&t, "2018-02", "B");
	CHECK_INT(comparison_change(r, 0, &change, &pct), 3);
	CHECK_DOUBLE(change, 0, 0);
	r = row_of(&t, "2018-02", NULL);
	CHECK_INT(comparison_change(r, 0, &change, &pct), 3);
	CHECK_DOUBLE(change, 13, 0);
	result_table_release(&t);
}

/* An old figure that was not evaluated is no figure: absent; an old 0
 * gives a change without a percentage. */
TEST(not_evaluated_and_zero)
{
	result_table t = { 0 };
	const result_row *r;
	double change, pct;

	result_table_add_figure(&t, "k", "2017-03", "{}", NAN, NAN, NAN,
				RESULT_NOT_EVALUATED "dataset cases has no rows "
				"up to the period's end");
	t.rows[0].earlier = 1;
	count(&t, "2018-02", NULL, 0, 1);
	count(&t, "2018-03", NULL, 12, 0);
	result_table_sort(&t);
	disclosure_apply(&t, &rules10);
	CHECK_INT(comparison_attach(&t, both, NULL), 0);
	CHECK_INT(t.count, 1);
	r = &t.rows[0];
	CHECK_INT(r->compare[1].state, RESULT_COMPARE_ABSENT);
	CHECK_INT(r->compare[0].state, RESULT_COMPARE_SHOWN);
	CHECK_INT(comparison_change(r, 0, &change, &pct), 1);
	CHECK_DOUBLE(change, 12, 0);
	CHECK(isnan(pct));
	result_table_release(&t);
}

/* A KPI that asks for none gets none; its earlier rows go all the same. */
TEST(not_asked)
{
	result_table t = { 0 };

	result_table_add_figure(&t, "other", "2018-02", "{}", 20, 20, NAN,
				NULL);
	result_table_add_figure(&t, "other", "2018-01", "{}", 20, 20, NAN,
				NULL);
	t.rows[1].earlier = 1;
	disclosure_apply(&t, &rules10);
	CHECK_INT(comparison_attach(&t, both, NULL), 0);
	CHECK_INT(t.count, 1);
	CHECK_INT(t.rows[0].compare[0].state, RESULT_COMPARE_NONE);
	CHECK_INT(t.rows[0].compare[1].state, RESULT_COMPARE_NONE);
	CHECK_INT(comparison_kinds(&t), 0);
	result_table_release(&t);
}

TEST(earlier_periods)
{
	static const char *const cases[][3] = {
		{ "2018-03", "2018-02", "2017-03" },
		{ "2018-01", "2017-12", "2017-01" },
		{ "2018-Q1", "2017-Q4", "2017-Q1" },
		{ "2018-Q3", "2018-Q2", "2017-Q3" },
		{ "2018", "2017", "2017" },
		{ "2017/2018", "2016/2017", "2016/2017" },
	};
	char out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(period_earlier(cases[i][0], 0, out), 0);
		CHECK_STR(out, cases[i][1]);
		CHECK_INT(period_earlier(cases[i][0], 1, out), 0);
		CHECK_STR(out, cases[i][2]);
	}
	CHECK_INT(period_earlier("2018-13", 0, out), -1);
	CHECK_INT(period_earlier("2018-Q5", 0, out), -1);
	CHECK_INT(period_earlier("18", 0, out), -1);
	CHECK_INT(period_earlier("2017/2019", 0, out), -1);
}

int main(void)
{
	RUN(total_from_totals);
	RUN(hidden_stays_hidden);
	RUN(not_evaluated_and_zero);
	RUN(not_asked);
	RUN(earlier_periods);
	return harness_done();
}
