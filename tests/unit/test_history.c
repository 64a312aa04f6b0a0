/*
 * test_history.c - what unattended runs and their history rest on: when
 * figures become final, which periods a run may evaluate, comparing two
 * runs' figures, and the run lock.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/calendar.h"
#include "base/error.h"
#include "engine/figure_diff.h"
#include "model/finality.h"
#include "harness.h"
#include "engine/run_lock.h"

static int32_t D(int y, int m, int d)
{
	return date_from_civil(y, m, d);
}

/* January 2018 ends on the 31st; with 3 months it is final from 1 May
 * (February, March and April have passed), not on 30 April.  A quarter
 * Q1 likewise; the year 2018 from 1 April 2019. */
/* With final_after_months 3, the months of 2018 become final on the
 * first of May 2018 (January) to the first of April 2019 (December): a
 * period of [2018-01-01, 2018-12-31] became final between two dates when
 * such a first lies after the first and on or before the second. */
TEST(finality_changed_between_two_dates)
{
	finality f = { 3, 0 };
	int32_t from = D(2018, 1, 1), to = D(2018, 12, 31);

	CHECK_INT(finality_changed_between(&f, from, to, D(2018, 4, 2),
					   D(2018, 4, 30)), 0);
	CHECK_INT(finality_changed_between(&f, from, to, D(2018, 4, 30),
					   D(2018, 5, 1)), 1);
	CHECK_INT(finality_changed_between(&f, from, to, D(2018, 5, 1),
					   D(2018, 5, 31)), 0);
	CHECK_INT(finality_changed_between(&f, from, to, D(2019, 3, 31),
					   D(2019, 4, 1)), 1);
	/* After April 2019 every period of 2018 is final: nothing moves. */
	CHECK_INT(finality_changed_between(&f, from, to, D(2019, 4, 1),
					   D(2026, 12, 5)), 0);
	/* Months before the range do not count: 2017-12 becomes final on
	 * 1 April 2018. */
	CHECK_INT(finality_changed_between(&f, from, to, D(2018, 3, 31),
					   D(2018, 4, 1)), 0);
	/* The same day twice: nothing. */
	CHECK_INT(finality_changed_between(&f, from, to, D(2018, 5, 1),
					   D(2018, 5, 1)), 0);
}

TEST(final_after_whole_months)
{
	finality f = { 3, 0 };
	finality none = { 0, 0 };

	CHECK_INT(finality_final_from(&f, D(2018, 1, 31)), D(2018, 5, 1));
	CHECK_INT(finality_is_final(&f, "2018-01", D(2018, 4, 30)), 0);
	CHECK_INT(finality_is_final(&f, "2018-01", D(2018, 5, 1)), 1);
	CHECK_INT(finality_is_final(&f, "2018-Q1", D(2018, 6, 30)), 0);
	CHECK_INT(finality_is_final(&f, "2018-Q1", D(2018, 7, 1)), 1);
	CHECK_INT(finality_is_final(&f, "2018", D(2019, 3, 31)), 0);
	CHECK_INT(finality_is_final(&f, "2018", D(2019, 4, 1)), 1);
	/* 0 months: final from the day after the period. */
	CHECK_INT(finality_is_final(&none, "2018-12", D(2018, 12, 31)), 0);
	CHECK_INT(finality_is_final(&none, "2018-12", D(2019, 1, 1)), 1);
	CHECK_INT(finality_is_final(&f, "2017/2018", D(2030, 1, 1)), 0);
}

/* A run on 10 February with a delay of 10 days may evaluate periods that
 * ended on or before 30 January: not January (ends the 31st).  On 11
 * February it may. */
TEST(late_data_cutoff)
{
	finality f = { 3, 10 };
	finality none = { 3, 0 };

	CHECK_INT(finality_cutoff(&f, D(2018, 2, 10)), D(2018, 1, 30));
	CHECK_INT(finality_cutoff(&f, D(2018, 2, 11)), D(2018, 1, 31));
	CHECK_INT(finality_cutoff(&none, D(2018, 2, 1)), D(2018, 1, 31));
}

static int add(result_table *t, const char *kpi, const char *period_id,
	       const char *breakdown, double value)
{
	peil_result r = { 0, kpi, period_id, breakdown, value,
			  NAN, NAN, NULL, NAN, 0 };

	return result_table_add(t, &r);
}

struct changes {
	char text[512];
};

static int note(void *arg, const figure_change *c)
{
	struct changes *ch = arg;
	size_t n = strlen(ch->text);

	snprintf(ch->text + n, sizeof(ch->text) - n, "%s %s %s %g>%g %d%d%d;",
		 c->kpi, c->period, c->breakdown, c->old_value, c->new_value,
		 c->in_old, c->in_new, c->covered);
	return 0;
}

/* Old: a 2018-01 {} 1, a 2018-01 {t:N} 2, a 2018-02 {} NaN, b 2018-01 {}
 * 5.  New: a 2018-01 {} 1 (same), {t:N} 3 (changed), a 2018-02 {} NaN
 * (same: NaN equals NaN), a 2018-01 {t:Z} 4 (new, its period covered by
 * old), c 2019 {} 7 (new, not covered).  b is gone (not covered by new). */
TEST(figure_diff_merges)
{
	result_table a, b;
	struct changes ch;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&ch, 0, sizeof(ch));
	CHECK_INT(add(&a, "b", "2018-01", "{}", 5), 0);
	CHECK_INT(add(&a, "a", "2018-02", "{}", NAN), 0);
	CHECK_INT(add(&a, "a", "2018-01", "{t:N}", 2), 0);
	CHECK_INT(add(&a, "a", "2018-01", "{}", 1), 0);
	CHECK_INT(add(&b, "c", "2019", "{}", 7), 0);
	CHECK_INT(add(&b, "a", "2018-01", "{t:Z}", 4), 0);
	CHECK_INT(add(&b, "a", "2018-02", "{}", NAN), 0);
	CHECK_INT(add(&b, "a", "2018-01", "{t:N}", 3), 0);
	CHECK_INT(add(&b, "a", "2018-01", "{}", 1), 0);
	CHECK_INT(figure_diff(&a, &b, note, &ch), 0);
	CHECK_STR(ch.text, "a 2018-01 {t:N} 2>3 111;"
			   "a 2018-01 {t:Z} nan>4 011;"
			   "b 2018-01 {} 5>nan 100;"
			   "c 2019 {} nan>7 010;");
	result_table_release(&a);
	result_table_release(&b);
}

/* The final-figure check discloses copies of the two runs it read: a copy
 * holds every row, mark and setting of the table, in its order, and
 * outlives it. */
TEST(result_table_copy_is_whole)
{
	result_table t, copy;

	memset(&t, 0, sizeof(t));
	CHECK_INT(result_table_add_figure(&t, "k", "2018-02", "{\"t\":\"N\"}",
					  2, 1, 4, "met"), 0);
	CHECK_INT(result_table_add_figure(&t, "k", "2018-01", "{}", NAN, NAN,
					  NAN, NULL), 0);
	t.rows[0].size = 4;
	t.rows[0].finality = RESULT_FINAL;
	t.rows[1].suppressed = RESULT_DERIVABLE;
	t.rows[1].compare[1].state = RESULT_COMPARE_HIDDEN;
	t.rows[1].earlier = 1;
	t.run_id = 7;
	t.disclosed = 1;
	t.min_count = 5;
	t.min_denominator = 10;
	CHECK_INT(result_table_copy(&t, &copy), 0);
	result_table_release(&t);
	CHECK_INT((int)copy.count, 2);
	CHECK_STR(copy.rows[0].period, "2018-02");
	CHECK_STR(copy.rows[0].breakdown, "{\"t\":\"N\"}");
	CHECK_STR(copy.rows[0].status, "met");
	CHECK_DOUBLE(copy.rows[0].value, 2, 0);
	CHECK_DOUBLE(copy.rows[0].numerator, 1, 0);
	CHECK_DOUBLE(copy.rows[0].denominator, 4, 0);
	CHECK_DOUBLE(copy.rows[0].size, 4, 0);
	CHECK_INT(copy.rows[0].finality, RESULT_FINAL);
	CHECK_STR(copy.rows[1].kpi, "k");
	CHECK_INT(copy.rows[1].status == NULL, 1);
	CHECK_INT(isnan(copy.rows[1].value), 1);
	CHECK_INT(copy.rows[1].suppressed, RESULT_DERIVABLE);
	CHECK_INT(copy.rows[1].compare[1].state, RESULT_COMPARE_HIDDEN);
	CHECK_INT(copy.rows[1].earlier, 1);
	CHECK_INT((int)copy.run_id, 7);
	CHECK_INT(copy.disclosed, 1);
	CHECK_DOUBLE(copy.min_count, 5, 0);
	CHECK_DOUBLE(copy.min_denominator, 10, 0);
	/* It grows like any table. */
	CHECK_INT(result_table_add_figure(&copy, "k", "2018-03", NULL, 3, NAN,
					  NAN, NULL), 0);
	CHECK_INT((int)copy.count, 3);
	result_table_release(&copy);
	CHECK_INT(result_table_copy(&copy, &t), 0);	/* an empty one */
	CHECK_INT((int)t.count, 0);
	result_table_release(&t);
}

/* flock locks belong to an open file: a second open, even in the same
 * process, waits like another process would. */
TEST(lock_waits_then_gives_up)
{
	char path[512];
	run_lock first = { -1 }, second = { -1 };
	peil_error err;
	int fd = mkstemp(harness_tmp_path(path, sizeof(path), "peil-lock-test-XXXXXX"));

	CHECK(fd >= 0);
	close(fd);
	error_clear(&err);
	CHECK_INT(run_lock_take(&first, path, 0, &err), 0);
	CHECK_INT(run_lock_take(&second, path, 100, &err), RUN_LOCK_BUSY);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "holds the lock");
	CHECK_CONTAINS(err.message, "gave up");
	run_lock_release(&second);
	run_lock_release(&first);
	CHECK_INT(run_lock_take(&second, path, 0, &err), 0);
	run_lock_release(&second);
	run_lock_release(&second);	/* twice is fine */
	unlink(path);
}

int main(void)
{
	RUN(final_after_whole_months);
	RUN(finality_changed_between_two_dates);
	RUN(late_data_cutoff);
	RUN(figure_diff_merges);
	RUN(result_table_copy_is_whole);
	RUN(lock_waits_then_gives_up);
	return harness_done();
}
