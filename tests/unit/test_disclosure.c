/*
 * test_disclosure.c - the small-cell rules on tables worked out by hand.
 */
#include <math.h>
#include <stdlib.h>

#include "base/config.h"
#include "engine/settings.h"
#include "model/disclosure.h"
#include "base/error.h"
#include "harness.h"

static const disclosure_rules rules10 = { 10, 10, NULL, 0 };

/* A count figure: value == numerator, no denominator (kpi_eval.c). */
static void count(result_table *t, const char *period, const char *team,
		  double n)
{
	char breakdown[128];

	if (team)
		snprintf(breakdown, sizeof(breakdown), "{\"team\":\"%s\"}",
			 team);
	result_table_add_figure(t, "k", period, team ? breakdown : "{}", n, n,
				NAN, NULL);
}

static void share(result_table *t, const char *team, double hits,
		  double rows, const char *status)
{
	char breakdown[128];

	if (team)
		snprintf(breakdown, sizeof(breakdown), "{\"team\":\"%s\"}",
			 team);
	result_table_add_figure(t, "s", "2018-01", team ? breakdown : "{}",
				rows ? 100.0 * hits / rows : NAN, hits, rows,
				status);
}

static result_suppression state(const result_table *t, const char *team)
{
	size_t i;
	char label[128];

	for (i = 0; i < t->count; i++) {
		result_breakdown_label(t->rows[i].breakdown, label,
				       sizeof(label));
		if (strcmp(label, team ? team : "Totaal") == 0)
			return t->rows[i].suppressed;
	}
	return (result_suppression)-1;
}

/* A 12, B 15, C 20, total 47: nothing is small, nothing is hidden. */
TEST(nothing_small)
{
	result_table t = { 0 };

	count(&t, "2018-01", "A", 12);
	count(&t, "2018-01", "B", 15);
	count(&t, "2018-01", "C", 20);
	count(&t, "2018-01", NULL, 47);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 0);
	CHECK(t.disclosed);
	CHECK_DOUBLE(t.rows[3].value, 47, 0);
	result_table_release(&t);
}

/* A 3, B 15, C 20, total 38.  A is small (primary).  Shown alone, A =
 * 38 - 15 - 20, so the next smallest cell, B, is hidden too (secondary);
 * then A + B = 18 >= 10 and the pair is safe.  C and the total stay. */
TEST(single_hidden_cell_gets_a_partner)
{
	result_table t = { 0 };

	count(&t, "2018-01", "A", 3);
	count(&t, "2018-01", "B", 15);
	count(&t, "2018-01", "C", 20);
	count(&t, "2018-01", NULL, 38);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(state(&t, "A"), RESULT_SMALL);
	CHECK_INT(state(&t, "B"), RESULT_DERIVABLE);
	CHECK_INT(state(&t, "C"), RESULT_SHOWN);
	CHECK_INT(state(&t, NULL), RESULT_SHOWN);
	CHECK(isnan(t.rows[0].value) && isnan(t.rows[0].numerator));
	CHECK(isnan(t.rows[1].value));
	CHECK_DOUBLE(t.rows[2].value, 20, 0);
	result_table_release(&t);
}

/* A 2, B 3, C 4, D 30, total 39: A, B, C are small; together 9 < 10, so
 * total - D = 9 would tell that the three hold fewer than 10 cases: D is
 * hidden too (secondary), and the hidden four add up to 39. */
TEST(small_cells_that_add_up_to_too_little)
{
	result_table t = { 0 };

	count(&t, "2018-01", "A", 2);
	count(&t, "2018-01", "B", 3);
	count(&t, "2018-01", "C", 4);
	count(&t, "2018-01", "D", 30);
	count(&t, "2018-01", NULL, 39);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 4);
	CHECK_INT(state(&t, "A"), RESULT_SMALL);
	CHECK_INT(state(&t, "C"), RESULT_SMALL);
	CHECK_INT(state(&t, "D"), RESULT_DERIVABLE);
	CHECK_INT(state(&t, NULL), RESULT_SHOWN);
	result_table_release(&t);
}

/* A 0, B 5, total 5: the zero is shown (it identifies nobody); B and the
 * total are small.  Nothing else has a positive size to hide. */
TEST(zero_is_shown_small_total_hidden)
{
	result_table t = { 0 };

	count(&t, "2018-01", "A", 0);
	count(&t, "2018-01", "B", 5);
	count(&t, "2018-01", NULL, 5);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(state(&t, "A"), RESULT_SHOWN);
	CHECK_INT(state(&t, "B"), RESULT_SMALL);
	CHECK_INT(state(&t, NULL), RESULT_SMALL);
	CHECK_DOUBLE(t.rows[0].value, 0, 0);
	result_table_release(&t);
}

/* A 12, B 3, total 15 with only two cells: B is small, its only partner A
 * is hidden (secondary); A + B = 15 is safe. */
TEST(two_cells)
{
	result_table t = { 0 };

	count(&t, "2018-02", "A", 12);
	count(&t, "2018-02", "B", 3);
	count(&t, "2018-02", NULL, 15);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(state(&t, "A"), RESULT_DERIVABLE);
	CHECK_INT(state(&t, "B"), RESULT_SMALL);
	CHECK_INT(state(&t, NULL), RESULT_SHOWN);
	result_table_release(&t);
}

/* A 4 and B 0 with total 14 (a cell missing from the table): A is small
 * and has no partner with a positive size, so the total is hidden. */
TEST(no_partner_hides_the_total)
{
	result_table t = { 0 };

	count(&t, "2018-03", "A", 4);
	count(&t, "2018-03", "B", 0);
	count(&t, "2018-03", NULL, 14);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(state(&t, "A"), RESULT_SMALL);
	CHECK_INT(state(&t, "B"), RESULT_SHOWN);
	CHECK_INT(state(&t, NULL), RESULT_DERIVABLE);
	result_table_release(&t);
}

/* Groups are per period: a small cell in January does not touch
 * February. */
TEST(groups_are_per_period)
{
	result_table t = { 0 };

	count(&t, "2018-01", "A", 3);
	count(&t, "2018-01", "B", 30);
	count(&t, "2018-01", NULL, 33);
	count(&t, "2018-02", "A", 13);
	count(&t, "2018-02", "B", 30);
	count(&t, "2018-02", NULL, 43);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_DOUBLE(t.rows[3].value, 13, 0);
	CHECK_DOUBLE(t.rows[4].value, 30, 0);
	CHECK_DOUBLE(t.rows[5].value, 43, 0);
	result_table_release(&t);
}

/* Shares: the size is the denominator.  A 4 of 8 (small denominator), B 18
 * of 20, C 30 of 40, total 52 of 68.  A is hidden with its status; B, the
 * smallest other denominator, goes too; A + B = 28 records. */
TEST(share_needs_a_denominator)
{
	result_table t = { 0 };

	share(&t, "A", 4, 8, "not met");
	share(&t, "B", 18, 20, "met");
	share(&t, "C", 30, 40, "at risk");
	share(&t, NULL, 52, 68, "met");
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(state(&t, "A"), RESULT_SMALL);
	CHECK(t.rows[0].status == NULL);
	CHECK(isnan(t.rows[0].denominator));
	CHECK_INT(state(&t, "B"), RESULT_DERIVABLE);
	CHECK_STR(t.rows[2].status, "at risk");
	CHECK_DOUBLE(t.rows[2].value, 75, 1e-9);
	result_table_release(&t);
}

/* min_denominator above min_count: a share over 15 records is hidden with
 * min_denominator 20, though 15 is no small count. */
TEST(min_denominator_of_its_own)
{
	const disclosure_rules r = { 10, 20, NULL, 0 };
	result_table t = { 0 };

	share(&t, "A", 5, 15, NULL);
	share(&t, "B", 20, 25, NULL);
	share(&t, "C", 20, 30, NULL);
	share(&t, NULL, 45, 70, NULL);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &r), 2);
	CHECK_INT(state(&t, "A"), RESULT_SMALL);
	CHECK_INT(state(&t, "B"), RESULT_DERIVABLE);
	CHECK_INT(state(&t, "C"), RESULT_SHOWN);
	result_table_release(&t);
}

/* Threshold 0 switches the rules off: the e2e fixtures of 1-4 cases. */
TEST(threshold_zero_is_off)
{
	const disclosure_rules off = { 0, 0, NULL, 0 };
	result_table t = { 0 };

	count(&t, "2018-01", "A", 1);
	count(&t, "2018-01", NULL, 1);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &off), 0);
	CHECK(t.disclosed);
	CHECK_DOUBLE(t.rows[0].value, 1, 0);
	result_table_release(&t);
}

/* A figure with a value but no size (a sum or maximum read back from a
 * store, which keeps no size) could stand for one person: hidden. */
TEST(figures_without_a_size)
{
	result_table t = { 0 };

	result_table_add_figure(&t, "m", "2018", "{}", 3, NAN, NAN, NULL);
	CHECK_INT(disclosure_apply(&t, &rules10), 1);
	CHECK_INT(t.rows[0].suppressed, RESULT_SMALL);
	result_table_release(&t);
}

/* A figure with its size given, as the evaluation gives it to each. */
static void sized(result_table *t, const char *kpi, const char *period,
		  double value, double size)
{
	result_table_add_figure(t, kpi, period, "{}", value, NAN, NAN, NULL);
	t->rows[t->count - 1].size = size;
}

/* A sum of 40 registered persons over 3 rows, and a per-1000 figure of a
 * Lua function over 4 rows: sizes 3 and 4, below 10, hidden; a sum over
 * 12 rows stays. */
TEST(every_figure_has_a_size)
{
	result_table t = { 0 };

	sized(&t, "personen_som", "2018", 40, 3);
	sized(&t, "per_1000", "2018", 812.5, 4);
	sized(&t, "som_groot", "2018", 95, 12);
	result_table_sort(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(t.rows[0].suppressed, RESULT_SMALL);	/* per_1000 */
	CHECK(isnan(t.rows[0].value));
	CHECK_INT(t.rows[1].suppressed, RESULT_SMALL);	/* personen_som */
	CHECK_INT(t.rows[2].suppressed, RESULT_SHOWN);	/* som_groot */
	CHECK_DOUBLE(t.rows[2].value, 95, 0);
	result_table_release(&t);
}

/* The attacker: what can be told about each hidden figure from what is
 * shown, by the relations "total = sum of parts" (rel[r][0] the total,
 * then its parts, ending with -1).  Interval propagation with every
 * figure >= 0.  Fails when a hidden figure with a positive true size is
 * pinned down, or bounded above by less than the threshold. */
#define MAX_REL 16
static int attack(const result_table *t, const double *truth,
		  const int rel[][MAX_REL], size_t nrel, double threshold)
{
	double lo[64], hi[64];
	size_t i, r, round;
	int leaks = 0;

	for (i = 0; i < t->count; i++) {
		int shown = t->rows[i].suppressed == RESULT_SHOWN;

		lo[i] = shown ? truth[i] : 0;
		hi[i] = shown ? truth[i] : INFINITY;
	}
	for (round = 0; round < 64; round++)
		for (r = 0; r < nrel; r++) {
			double slo = 0, shi = 0;
			int tot = rel[r][0];

			for (i = 1; rel[r][i] >= 0; i++) {
				slo += lo[rel[r][i]];
				shi += hi[rel[r][i]];
			}
			lo[tot] = fmax(lo[tot], slo);
			hi[tot] = fmin(hi[tot], shi);
			for (i = 1; rel[r][i] >= 0; i++) {
				int p = rel[r][i];

				lo[p] = fmax(lo[p], lo[tot] - (shi - hi[p]));
				hi[p] = fmin(hi[p], hi[tot] - (slo - lo[p]));
			}
		}
	for (i = 0; i < t->count; i++)
		if (t->rows[i].suppressed != RESULT_SHOWN && truth[i] > 0 &&
		    (lo[i] == hi[i] || hi[i] < threshold)) {
			printf("  attacker: %s %s %s in [%g, %g], truly %g\n",
			       t->rows[i].kpi, t->rows[i].period,
			       t->rows[i].breakdown, lo[i], hi[i], truth[i]);
			leaks++;
		}
	return leaks;
}

/* The classic case: a month KPI and a quarter KPI over the same
 * selection.  Oct 3, Nov 11, Dec 4; Q4 18.  Oct and Dec are small.
 * Nov 11 and Q4 18 shown would give Oct + Dec = 18 - 11 = 7, so both
 * below 10.  Across grains, Nov is hidden too: Oct + Nov + Dec = 18 with
 * three unknowns, each up to 18.  Q4 stays. */
static void q4_example(result_table *t)
{
	sized(t, "gestart_kwartaal", "2018-Q4", 18, 18);
	sized(t, "gestart_maand", "2018-10", 3, 3);
	sized(t, "gestart_maand", "2018-11", 11, 11);
	sized(t, "gestart_maand", "2018-12", 4, 4);
	result_table_sort(t);
}

static const int q4_relations[][MAX_REL] = { { 0, 1, 2, 3, -1 } };
static const double q4_truth[] = { 18, 3, 11, 4 };

TEST(months_and_their_quarter)
{
	static const disclosure_family families[] = {
		{ "gestart_kwartaal", "cases|started_in(\"registered\")" },
		{ "gestart_maand", "cases|started_in(\"registered\")" },
		{ "caseload", "cases|other" },
	};
	disclosure_rules rules = { 10, 10, families, 3 };
	result_table t = { 0 };

	q4_example(&t);
	CHECK_INT(disclosure_apply(&t, &rules), 3);
	CHECK_INT(t.rows[0].suppressed, RESULT_SHOWN);
	CHECK_DOUBLE(t.rows[0].value, 18, 0);
	CHECK_INT(t.rows[1].suppressed, RESULT_SMALL);
	CHECK_INT(t.rows[2].suppressed, RESULT_DERIVABLE);
	CHECK_INT(t.rows[3].suppressed, RESULT_SMALL);
	CHECK_INT(attack(&t, q4_truth, q4_relations, 1, 10), 0);
	result_table_release(&t);
}

/* The attacker itself: without the relation across grains (KPIs of no
 * family), Nov is shown and the attacker bounds Oct and Dec by 7. */
TEST(attacker_finds_the_months)
{
	result_table t = { 0 };

	q4_example(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(t.rows[2].suppressed, RESULT_SHOWN);
	CHECK_INT(attack(&t, q4_truth, q4_relations, 1, 10), 2);
	result_table_release(&t);
}

/* The same relation within one KPI of several grains (grain = { "month",
 * "quarter", "year" }): Oct 3, Nov 11, Dec 4 and Q4 18 of one id, with
 * Q1-Q3 30, 40, 50 and the year 138 = 30 + 40 + 50 + 18.  Sorted:
 * 2018 (0), 2018-10 (1), 2018-11 (2), 2018-12 (3), Q1-Q4 (4-7).  As
 * between two KPIs, Nov is hidden as well, or the shown quarter gives
 * Oct + Dec = 7.  The year is the sum of its quarters (all shown) and
 * not of its three months, which do not cover it: it stays. */
static void one_kpi_grains(result_table *t)
{
	static const char *const periods[] = { "2018", "2018-10", "2018-11",
					       "2018-12", "2018-Q1", "2018-Q2",
					       "2018-Q3", "2018-Q4" };
	static const double n[] = { 138, 3, 11, 4, 30, 40, 50, 18 };

	for (size_t i = 0; i < 8; i++)
		sized(t, "gestart", periods[i], n[i], n[i]);
	result_table_sort(t);
}

TEST(one_kpi_months_and_quarter)
{
	static const disclosure_family families[] = {
		{ "gestart", "cases|started_in(\"registered\")" },
	};
	disclosure_rules rules = { 10, 10, families, 1 };
	static const int rel[][MAX_REL] = { { 7, 1, 2, 3, -1 },
					    { 0, 4, 5, 6, 7, -1 } };
	static const double truth[] = { 138, 3, 11, 4, 30, 40, 50, 18 };
	result_table t = { 0 };

	one_kpi_grains(&t);
	CHECK(strcmp(t.rows[2].period, "2018-11") == 0);
	CHECK_INT(disclosure_apply(&t, &rules), 3);
	CHECK_INT(t.rows[1].suppressed, RESULT_SMALL);
	CHECK_INT(t.rows[2].suppressed, RESULT_DERIVABLE);
	CHECK_INT(t.rows[3].suppressed, RESULT_SMALL);
	CHECK_INT(t.rows[7].suppressed, RESULT_SHOWN);
	CHECK_DOUBLE(t.rows[7].value, 18, 0);
	CHECK_INT(t.rows[0].suppressed, RESULT_SHOWN);
	CHECK_INT(attack(&t, truth, rel, 2, 10), 0);
	result_table_release(&t);
	/* without the family, the attacker bounds Oct and Dec by 7 */
	one_kpi_grains(&t);
	CHECK_INT(disclosure_apply(&t, &rules10), 2);
	CHECK_INT(attack(&t, truth, rel, 2, 10), 2);
	result_table_release(&t);
}

/* Across grains and breakdowns at once: teams A and B, months Oct-Dec and
 * the quarter, each with a total.  A: 12, 2, 14 (Q4 28); B: 15, 16, 13
 * (Q4 44); totals 27, 18, 27 (Q4 72).  Nov A (2) is small; within Nov,
 * A alone is hidden, so B (16) too; then across grains team A's Oct 12
 * and Dec 14 show and Q4 A 28 gives Nov A = 2: Oct A (12, the smallest)
 * is hidden, then Oct B within Oct, and so on until the attacker learns
 * nothing.  The exact set is the algorithm's; what is checked is that
 * nothing is derivable and that it stops. */
TEST(grains_and_breakdowns)
{
	static const disclosure_family families[] = {
		{ "k", "f" }, { "q", "f" },
	};
	disclosure_rules rules = { 10, 10, families, 2 };
	static const char *const months[] = { "2018-10", "2018-11",
					      "2018-12" };
	static const double a[] = { 12, 2, 14 }, b[] = { 15, 16, 13 };
	result_table t = { 0 };
	double truth[16];
	/* after sorting: k by period (A, B, total), then q */
	static const int rel[][MAX_REL] = {
		{ 2, 0, 1, -1 }, { 5, 3, 4, -1 }, { 8, 6, 7, -1 },
		{ 11, 9, 10, -1 },
		{ 9, 0, 3, 6, -1 }, { 10, 1, 4, 7, -1 }, { 11, 2, 5, 8, -1 },
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		count(&t, months[i], "A", a[i]);
		count(&t, months[i], "B", b[i]);
		count(&t, months[i], NULL, a[i] + b[i]);
	}
	for (i = 0; i < t.count; i++)
		t.rows[i].size = t.rows[i].value;
	result_table_add_figure(&t, "q", "2018-Q4", "{\"team\":\"A\"}", 28, 28,
				NAN, NULL);
	result_table_add_figure(&t, "q", "2018-Q4", "{\"team\":\"B\"}", 44, 44,
				NAN, NULL);
	result_table_add_figure(&t, "q", "2018-Q4", "{}", 72, 72, NAN, NULL);
	result_table_sort(&t);
	for (i = 0; i < t.count; i++)
		truth[i] = t.rows[i].value;
	disclosure_apply(&t, &rules);
	CHECK_INT(t.rows[3].suppressed, RESULT_SMALL);	/* Nov A */
	CHECK_INT(attack(&t, truth, rel, 7, 10), 0);
	result_table_release(&t);
}

TEST(rules_from_config)
{
	disclosure_rules r;
	peil_settings settings;
	peil_error err;
	config *cfg = NULL;
	FILE *f;
	char path[512];
	int fd = mkstemp(harness_tmp_path(path, sizeof(path), "peil-test-disclosure-XXXXXX"));

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[privacy]\nmin_count = 5\n", f);
	fclose(f);
	error_clear(&err);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_INT(settings_open(cfg, &settings, &err), 0);
	r = settings_disclosure(&settings);
	CHECK_DOUBLE(r.min_count, 5, 0);
	CHECK_DOUBLE(r.min_denominator, 5, 0);
	settings_release(&settings);
	config_free(cfg);
	cfg = NULL;
	f = fopen(path, "w");
	fputs("[privacy]\nmin_count = tien\n", f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_INT(settings_open(cfg, &settings, &err), -1);
	CHECK(strstr(err.message, "min_count = tien: expected a whole number") != NULL);
	CHECK_INT(err.line, 2);
	settings_release(&settings);
	config_free(cfg);
	cfg = NULL;
	/* Without [privacy]: the defaults. */
	f = fopen(path, "w");
	fputs("[peil]\n", f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_INT(settings_open(cfg, &settings, &err), 0);
	r = settings_disclosure(&settings);
	CHECK_DOUBLE(r.min_count, 10, 0);
	CHECK_DOUBLE(r.min_denominator, 10, 0);
	settings_release(&settings);
	config_free(cfg);
	remove(path);
}

int main(void)
{
	RUN(nothing_small);
	RUN(single_hidden_cell_gets_a_partner);
	RUN(small_cells_that_add_up_to_too_little);
	RUN(zero_is_shown_small_total_hidden);
	RUN(two_cells);
	RUN(no_partner_hides_the_total);
	RUN(groups_are_per_period);
	RUN(share_needs_a_denominator);
	RUN(min_denominator_of_its_own);
	RUN(threshold_zero_is_off);
	RUN(figures_without_a_size);
	RUN(every_figure_has_a_size);
	RUN(months_and_their_quarter);
	RUN(attacker_finds_the_months);
	RUN(one_kpi_months_and_quarter);
	RUN(grains_and_breakdowns);
	RUN(rules_from_config);
	return harness_done();
}
