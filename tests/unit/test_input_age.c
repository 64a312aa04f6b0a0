/*
 * test_input_age.c - the notes on inputs a run keeps with its KPIs (stale
 * inputs, partly covered periods), reading them back
 * (model/input_age.h), and the figures a partly covered period keeps
 * provisional (model/finality.h).
 */
#include <string.h>

#include "harness.h"
#include "base/calendar.h"
#include "model/finality.h"
#include "model/input_age.h"

#define D(y, m, d) date_from_civil(y, m, d)

TEST(message_reads_back)
{
	char cases[] = "cases";
	input_age a = { .kind = INPUT_STALE, .dataset = cases,
			.age_days = 45, .max_age_days = 30 };
	input_ages got = { NULL, 0 };
	char text[256];

	input_age_message(&a, text, sizeof(text));
	CHECK_STR(text, "stale input: dataset cases is 45 days old "
			"(max_age_days = 30)");
	CHECK_INT(input_age_parse("k", text, &got), 0);
	CHECK_INT((long)got.count, 1);
	CHECK_STR(got.items[0].dataset, "cases");
	CHECK_INT((long)got.items[0].age_days, 45);
	CHECK_INT((long)got.items[0].max_age_days, 30);
	/* Three KPIs over cases: one stale dataset. */
	CHECK_INT(input_age_parse("k2", text, &got), 0);
	CHECK_INT((long)got.count, 1);
	input_ages_release(&got);
}

TEST(other_messages_are_no_notes)
{
	input_ages got = { NULL, 0 };

	CHECK_INT(input_age_parse("k", NULL, &got), 0);
	CHECK_INT(input_age_parse("k", "dataset trajectories is not "
				  "configured", &got), 0);
	CHECK_INT(input_age_parse("k", "stale input: dataset cases is old",
				  &got), 0);
	CHECK_INT(input_age_parse("k", "stale input: dataset ", &got), 0);
	CHECK_INT(input_age_parse("k", "partly covered: dataset cases has "
				  "no input after 2018-02-30", &got), 0);
	CHECK_INT((long)got.count, 0);
	input_ages_release(&got);
}

/* A KPI not evaluated after its input, partly covered before: the
 * reason first, the note after it, both read back. */
TEST(partly_covered_joins_and_reads_back)
{
	char cases[] = "cases", kpi[] = "casussen_gestart";
	input_age a = { .kind = INPUT_PARTLY_COVERED, .dataset = cases,
			.kpi = kpi, .input_day = D(2018, 3, 15) };
	input_ages got = { NULL, 0 };
	char note[256], text[512] = "";

	input_age_message(&a, note, sizeof(note));
	CHECK_STR(note, "partly covered: dataset cases has no input after "
			"2018-03-15");
	input_age_join(text, sizeof(text), "dataset cases has no input "
			"after 2018-03-15");
	input_age_join(text, sizeof(text), note);
	CHECK_STR(text, "dataset cases has no input after 2018-03-15; "
			"partly covered: dataset cases has no input after "
			"2018-03-15");
	CHECK_INT(input_age_parse(kpi, text, &got), 0);
	CHECK_INT((long)got.count, 1);
	CHECK_INT(got.items[0].kind, INPUT_PARTLY_COVERED);
	CHECK_STR(got.items[0].kpi, "casussen_gestart");
	CHECK_INT(got.items[0].input_day, D(2018, 3, 15));
	/* a second KPI over the same input: two items, one sentence */
	CHECK_INT(input_age_parse("casussen_afgesloten", note, &got), 0);
	CHECK_INT(input_age_parse(kpi, note, &got), 0);
	CHECK_INT((long)got.count, 2);
	CHECK_INT(input_ages_first(&got, 0), 1);
	CHECK_INT(input_ages_first(&got, 1), 0);
	CHECK_INT((long)input_ages_count(&got, INPUT_PARTLY_COVERED), 1);
	CHECK_INT((long)input_ages_count(&got, INPUT_STALE), 0);
	input_ages_release(&got);
}

/* Input of 2018-03-15: March ends after it (partly covered), February
 * before it.  On 2018-08-01 with final_after_months 3, February and
 * March are final by the rule (from 2018-06-01 and 2018-07-01): March is
 * made provisional, and counted as a figure that would have been final;
 * another KPI's March is left alone. */
TEST(partly_covered_periods_stay_provisional)
{
	finality f = { 3, 0 };
	result_table t = { 0 };
	input_ages notes = { NULL, 0 };

	CHECK_INT(result_table_add_figure(&t, "a", "2018-02", NULL, 1, 1, NAN,
					  NULL), 0);
	CHECK_INT(result_table_add_figure(&t, "a", "2018-03", NULL, 2, 2, NAN,
					  NULL), 0);
	CHECK_INT(result_table_add_figure(&t, "a", "2018-03", "{\"team\":"
					  "\"Noord\"}", 1, 1, NAN, NULL), 0);
	CHECK_INT(result_table_add_figure(&t, "b", "2018-03", NULL, 3, 3, NAN,
					  NULL), 0);
	/* not evaluated after the data: never final; for a missing
	 * dataset: as its period */
	CHECK_INT(result_table_add_figure(&t, "b", "2018-04", NULL, NAN, NAN,
					  NAN, "not evaluated: dataset cases "
					  "has no row with registered after "
					  "2018-03-29"), 0);
	CHECK_INT(result_table_add_figure(&t, "b", "2018-05", NULL, NAN, NAN,
					  NAN, "not evaluated: dataset cases "
					  "has no input after 2018-03-15"), 0);
	CHECK_INT(result_table_add_figure(&t, "c", "2018-04", NULL, NAN, NAN,
					  NAN, "not evaluated: dataset cases "
					  "is not configured"), 0);
	CHECK_INT(input_ages_add_partly_covered(&notes, "a", "cases",
						D(2018, 3, 15)), 0);
	finality_mark(&f, &t, D(2018, 8, 1));
	CHECK_INT((long)finality_mark_partly_covered(&f, &t, &notes,
						     D(2018, 8, 1)), 2);
	CHECK_INT(t.rows[0].finality, RESULT_FINAL);
	CHECK_INT(t.rows[1].finality, RESULT_PROVISIONAL);
	CHECK_INT(t.rows[2].finality, RESULT_PROVISIONAL);
	CHECK_INT(t.rows[3].finality, RESULT_FINAL);
	CHECK_INT(t.rows[4].finality, RESULT_PROVISIONAL);
	CHECK_INT(t.rows[5].finality, RESULT_PROVISIONAL);
	CHECK_INT(t.rows[6].finality, RESULT_FINAL);
	/* in May March is provisional anyway: nothing would have been
	 * final */
	finality_mark(&f, &t, D(2018, 5, 1));
	CHECK_INT((long)finality_mark_partly_covered(&f, &t, &notes,
						     D(2018, 5, 1)), 0);
	CHECK_INT(t.rows[1].finality, RESULT_PROVISIONAL);
	input_ages_release(&notes);
	result_table_release(&t);
}

int main(void)
{
	RUN(message_reads_back);
	RUN(other_messages_are_no_notes);
	RUN(partly_covered_joins_and_reads_back);
	RUN(partly_covered_periods_stay_provisional);
	return harness_done();
}
