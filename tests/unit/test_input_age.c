/*
 * test_input_age.c - the stale-input message a run keeps with its KPIs,
 * and reading it back (model/input_age.h).
 */
#include <string.h>

#include "harness.h"
#include "model/input_age.h"

TEST(message_reads_back)
{
	char cases[] = "cases";
	input_age a = { cases, 45, 30 };
	input_ages got = { NULL, 0 };
	char text[256];

	input_age_message(&a, text, sizeof(text));
	CHECK_STR(text, "stale input: dataset cases is 45 days old "
			"(max_age_days = 30)");
	CHECK_INT(input_age_parse(text, &got), 0);
	CHECK_INT((long)got.count, 1);
	CHECK_STR(got.items[0].dataset, "cases");
	CHECK_INT((long)got.items[0].age_days, 45);
	CHECK_INT((long)got.items[0].max_age_days, 30);
	/* Three KPIs over cases: one stale dataset. */
	CHECK_INT(input_age_parse(text, &got), 0);
	CHECK_INT((long)got.count, 1);
	input_ages_release(&got);
}

TEST(other_messages_are_not_stale)
{
	input_ages got = { NULL, 0 };

	CHECK_INT(input_age_parse(NULL, &got), 1);
	CHECK_INT(input_age_parse("dataset trajectories is not configured",
				  &got), 1);
	CHECK_INT(input_age_parse("stale input: dataset cases is old", &got),
		  1);
	CHECK_INT(input_age_parse("stale input: dataset ", &got), 1);
	CHECK_INT((long)got.count, 0);
	input_ages_release(&got);
}

int main(void)
{
	RUN(message_reads_back);
	RUN(other_messages_are_not_stale);
	return harness_done();
}
