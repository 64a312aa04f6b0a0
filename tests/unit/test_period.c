/*
 * test_period.c - period ids, bounds and lists.
 */
#include "base/calendar.h"
#include "harness.h"
#include "base/period.h"

static int32_t D(int y, int m, int d)
{
	return date_from_civil(y, m, d);
}

TEST(grain_names)
{
	period_grain g = PERIOD_MONTH;

	CHECK_INT(period_grain_parse("quarter", &g), 0);
	CHECK_INT(g, PERIOD_QUARTER);
	CHECK_INT(period_grain_parse("Kwartaal", &g), 0);
	CHECK_INT(g, PERIOD_QUARTER);
	CHECK_INT(period_grain_parse("maand", &g), 0);
	CHECK_INT(g, PERIOD_MONTH);
	CHECK_INT(period_grain_parse("jaar", &g), 0);
	CHECK_INT(g, PERIOD_YEAR);
	CHECK_INT(period_grain_parse("contractjaar", &g), 0);
	CHECK_INT(g, PERIOD_CONTRACT_YEAR);
	CHECK_INT(period_grain_parse("contract_year", &g), 0);
	CHECK_INT(period_grain_parse("week", &g), -1);
	CHECK_INT(period_grain_parse("", &g), -1);
	CHECK_INT(period_grain_parse("years", &g), -1);
	CHECK_INT(period_grain_parse("yea", &g), -1);
	CHECK_INT(g, PERIOD_CONTRACT_YEAR);	/* untouched on failure */
	CHECK_STR(period_grain_name(PERIOD_MONTH), "month");
	CHECK_STR(period_grain_name(PERIOD_CONTRACT_YEAR), "contract_year");
}

TEST(parse_ids)
{
	period p;

	CHECK_INT(period_parse("2017", &p), 0);
	CHECK_INT(p.grain, PERIOD_YEAR);
	CHECK_INT(p.first, D(2017, 1, 1));
	CHECK_INT(p.last, D(2017, 12, 31));
	CHECK_STR(p.id, "2017");

	CHECK_INT(period_parse("2017-Q4", &p), 0);
	CHECK_INT(p.grain, PERIOD_QUARTER);
	CHECK_INT(p.first, D(2017, 10, 1));
	CHECK_INT(p.last, D(2017, 12, 31));
	CHECK_STR(p.id, "2017-Q4");

	CHECK_INT(period_parse("2016-q1", &p), 0);
	CHECK_INT(p.first, D(2016, 1, 1));
	CHECK_INT(p.last, D(2016, 3, 31));
	CHECK_STR(p.id, "2016-Q1");

	CHECK_INT(period_parse("2017-03", &p), 0);
	CHECK_INT(p.grain, PERIOD_MONTH);
	CHECK_INT(p.first, D(2017, 3, 1));
	CHECK_INT(p.last, D(2017, 3, 31));
	CHECK_STR(p.id, "2017-03");

	/* Leap and non-leap February. */
	CHECK_INT(period_parse("2016-02", &p), 0);
	CHECK_INT(p.last, D(2016, 2, 29));
	CHECK_INT(period_parse("2017-02", &p), 0);
	CHECK_INT(p.last, D(2017, 2, 28));
}

TEST(parse_refused)
{
	const char *bad[] = { "2017-13", "2017-00", "2017-Q5", "2017-Q0",
			      "17", "2017-3", "2017-003", "201", "20171",
			      "2017-", "2017-Q", "2017-Q41", "2017/2018",
			      "0000", " 2017", "2017 ", "2017-1a", "abcd",
			      "2017-W12", "" };
	period p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (period_parse(bad[i], &p) != -1)
			HARNESS_FAIL("period_parse(\"%s\") accepted", bad[i]);
	CHECK_INT(period_parse(NULL, &p), -1);
}

TEST(containing)
{
	period p;

	period_containing(PERIOD_MONTH, 1, D(2016, 2, 10), &p);
	CHECK_STR(p.id, "2016-02");
	CHECK_INT(p.first, D(2016, 2, 1));
	CHECK_INT(p.last, D(2016, 2, 29));

	period_containing(PERIOD_QUARTER, 1, D(2017, 6, 30), &p);
	CHECK_STR(p.id, "2017-Q2");
	CHECK_INT(p.first, D(2017, 4, 1));
	CHECK_INT(p.last, D(2017, 6, 30));

	period_containing(PERIOD_QUARTER, 1, D(2017, 7, 1), &p);
	CHECK_STR(p.id, "2017-Q3");

	period_containing(PERIOD_YEAR, 7, D(2017, 8, 1), &p);
	CHECK_STR(p.id, "2017");
	CHECK_INT(p.grain, PERIOD_YEAR);
}

TEST(contract_years)
{
	period p;

	/* July 2017 to June 2018. */
	period_containing(PERIOD_CONTRACT_YEAR, 7, D(2018, 3, 15), &p);
	CHECK_INT(p.grain, PERIOD_CONTRACT_YEAR);
	CHECK_STR(p.id, "2017/2018");
	CHECK_INT(p.first, D(2017, 7, 1));
	CHECK_INT(p.last, D(2018, 6, 30));

	period_containing(PERIOD_CONTRACT_YEAR, 7, D(2017, 7, 1), &p);
	CHECK_STR(p.id, "2017/2018");
	period_containing(PERIOD_CONTRACT_YEAR, 7, D(2017, 6, 30), &p);
	CHECK_STR(p.id, "2016/2017");
	CHECK_INT(p.last, D(2017, 6, 30));

	/* March to February: the end is a leap day in 2016. */
	period_containing(PERIOD_CONTRACT_YEAR, 3, D(2015, 12, 1), &p);
	CHECK_STR(p.id, "2015/2016");
	CHECK_INT(p.first, D(2015, 3, 1));
	CHECK_INT(p.last, D(2016, 2, 29));

	/* From January it is the calendar year. */
	period_containing(PERIOD_CONTRACT_YEAR, 1, D(2017, 5, 5), &p);
	CHECK_INT(p.grain, PERIOD_CONTRACT_YEAR);
	CHECK_STR(p.id, "2017");
	CHECK_INT(p.first, D(2017, 1, 1));
	CHECK_INT(p.last, D(2017, 12, 31));

	/* From December: 1 Dec 2017 to 30 Nov 2018. */
	period_containing(PERIOD_CONTRACT_YEAR, 12, D(2017, 12, 1), &p);
	CHECK_STR(p.id, "2017/2018");
	CHECK_INT(p.last, D(2018, 11, 30));

	/* A start month out of range means January. */
	period_containing(PERIOD_CONTRACT_YEAR, 13, D(2017, 5, 5), &p);
	CHECK_STR(p.id, "2017");
}

TEST(lists)
{
	period out[20];
	size_t n;

	/* Months entirely within 15 Jan .. 31 Mar 2017: February and March. */
	n = period_list(PERIOD_MONTH, 1, D(2017, 1, 15), D(2017, 3, 31), out, 20);
	CHECK_INT(n, 2);
	CHECK_STR(out[0].id, "2017-02");
	CHECK_STR(out[1].id, "2017-03");

	/* 2016-2018 in quarters: 12, of which only 5 fit in out. */
	n = period_list(PERIOD_QUARTER, 1, D(2016, 1, 1), D(2018, 12, 31), out, 5);
	CHECK_INT(n, 12);
	CHECK_STR(out[0].id, "2016-Q1");
	CHECK_STR(out[4].id, "2017-Q1");

	/* 30 Dec 2018 cuts off Q4 2018. */
	n = period_list(PERIOD_QUARTER, 1, D(2016, 1, 1), D(2018, 12, 30), out, 20);
	CHECK_INT(n, 11);
	CHECK_STR(out[10].id, "2018-Q3");

	n = period_list(PERIOD_YEAR, 1, D(2016, 1, 1), D(2018, 12, 31), out, 20);
	CHECK_INT(n, 3);
	CHECK_STR(out[2].id, "2018");
	CHECK_INT(out[2].last, D(2018, 12, 31));

	/* Contract years from July within 2016..2018: only 2016/2017 and
	 * 2017/2018 are whole. */
	n = period_list(PERIOD_CONTRACT_YEAR, 7, D(2016, 1, 1), D(2018, 12, 31),
			out, 20);
	CHECK_INT(n, 2);
	CHECK_STR(out[0].id, "2016/2017");
	CHECK_STR(out[1].id, "2017/2018");

	/* A single day holds no month; the last day of a month alone holds
	 * no month either; reversed bounds hold nothing. */
	CHECK_INT(period_list(PERIOD_MONTH, 1, D(2017, 3, 31), D(2017, 3, 31),
			      out, 20), 0);
	CHECK_INT(period_list(PERIOD_MONTH, 1, D(2017, 3, 1), D(2017, 3, 31),
			      out, 20), 1);
	CHECK_INT(period_list(PERIOD_MONTH, 1, D(2017, 4, 1), D(2017, 3, 1),
			      out, 20), 0);
	/* Counting without storing. */
	CHECK_INT(period_list(PERIOD_MONTH, 1, D(2016, 1, 1), D(2018, 12, 31),
			      NULL, 0), 36);
}

/* Consecutive periods tile time: each starts the day after the last. */
TEST(lists_tile)
{
	const period_grain grains[] = { PERIOD_MONTH, PERIOD_QUARTER,
					PERIOD_YEAR, PERIOD_CONTRACT_YEAR };
	period out[400];

	for (size_t g = 0; g < 4; g++) {
		size_t n = period_list(grains[g], 4, D(2000, 1, 1),
				       D(2029, 12, 31), out, 400);

		CHECK(n > 0 && n <= 400);
		for (size_t i = 1; i < n; i++) {
			CHECK_INT(out[i].first, out[i - 1].last + 1);
			CHECK(strcmp(out[i - 1].id, out[i].id) < 0);
		}
	}
}

/* Resolve text for a run on the cutoff date; first and last as days. */
static void rolling(const char *text, int start_month, int32_t cutoff,
		    int32_t *first, int32_t *last)
{
	period_rolling r;

	*first = *last = 0;
	CHECK_INT(period_rolling_parse(text, &r), 0);
	period_rolling_resolve(&r, start_month, cutoff, first, last);
}

TEST(rolling_parse)
{
	period_rolling r;

	CHECK_INT(period_rolling_parse("last 13 months", &r), 0);
	CHECK_INT(r.grain, PERIOD_MONTH);
	CHECK_INT(r.count, 13);
	CHECK_INT(period_rolling_parse("Last 1 quarter", &r), 0);
	CHECK_INT(r.count, 1);
	CHECK_INT(period_rolling_parse("previous  contract year", &r), 0);
	CHECK_INT(r.grain, PERIOD_CONTRACT_YEAR);
	CHECK_INT(r.count, -1);
	CHECK_INT(period_rolling_parse("contract year", &r), 0);
	CHECK_INT(r.count, 0);
	CHECK_INT(period_rolling_parse("last 2 contract years", &r), 0);
	CHECK_INT(r.count, 2);
	CHECK_INT(period_rolling_parse("current year", &r), 0);
	CHECK_INT(r.grain, PERIOD_YEAR);
	CHECK_INT(r.count, 0);
	CHECK_INT(period_rolling_parse("last 13 month", &r), -1);
	CHECK_INT(period_rolling_parse("last 0 months", &r), -1);
	CHECK_INT(period_rolling_parse("last months", &r), -1);
	CHECK_INT(period_rolling_parse("last -2 months", &r), -1);
	CHECK_INT(period_rolling_parse("current years", &r), -1);
	CHECK_INT(period_rolling_parse("current week", &r), -1);
	CHECK_INT(period_rolling_parse("current year please", &r), -1);
	CHECK_INT(period_rolling_parse("contract", &r), -1);
	CHECK_INT(period_rolling_parse("2018", &r), -1);
	CHECK_INT(period_rolling_parse("", &r), -1);
}

TEST(rolling_resolve)
{
	int32_t a, b;

	/* A run on 2026-12-05, delay 0: cutoff 2026-12-04.  November is
	 * the latest complete month; 13 months back from it start in
	 * November 2025. */
	rolling("last 13 months", 1, D(2026, 12, 4), &a, &b);
	CHECK_INT(a, D(2025, 11, 1));
	CHECK_INT(b, D(2026, 11, 30));
	/* A run on 2027-01-01: cutoff 2026-12-31, the year is complete. */
	rolling("previous year", 1, D(2026, 12, 31), &a, &b);
	CHECK_INT(a, D(2026, 1, 1));
	CHECK_INT(b, D(2026, 12, 31));
	rolling("current year", 1, D(2026, 12, 31), &a, &b);
	CHECK_INT(a, D(2026, 1, 1));
	CHECK_INT(b, D(2026, 12, 31));
	rolling("last 13 months", 1, D(2026, 12, 31), &a, &b);
	CHECK_INT(a, D(2025, 12, 1));
	CHECK_INT(b, D(2026, 12, 31));
	/* A run on 2027-01-02: cutoff 2027-01-01. */
	rolling("previous year", 1, D(2027, 1, 1), &a, &b);
	CHECK_INT(a, D(2026, 1, 1));
	CHECK_INT(b, D(2026, 12, 31));
	rolling("current year", 1, D(2027, 1, 1), &a, &b);
	CHECK_INT(a, D(2027, 1, 1));
	CHECK_INT(b, D(2027, 12, 31));
	rolling("previous quarter", 1, D(2027, 1, 1), &a, &b);
	CHECK_INT(a, D(2026, 10, 1));
	CHECK_INT(b, D(2026, 12, 31));
	rolling("last 4 quarters", 1, D(2027, 1, 1), &a, &b);
	CHECK_INT(a, D(2026, 1, 1));
	CHECK_INT(b, D(2026, 12, 31));
	/* delay_days crossing a month: a run on 2026-03-03 with delay_days
	 * 5 has cutoff 2026-03-03 - 1 - 5 = 2026-02-25; February is not
	 * complete, so the latest month is January. */
	rolling("previous month", 1, D(2026, 2, 25), &a, &b);
	CHECK_INT(a, D(2026, 1, 1));
	CHECK_INT(b, D(2026, 1, 31));
	rolling("last 13 months", 1, D(2026, 2, 25), &a, &b);
	CHECK_INT(a, D(2025, 1, 1));
	CHECK_INT(b, D(2026, 1, 31));
	rolling("current month", 1, D(2026, 2, 25), &a, &b);
	CHECK_INT(a, D(2026, 2, 1));
	CHECK_INT(b, D(2026, 2, 28));
	/* Contract years from July: cutoff 2026-03-10 lies in 2025/2026. */
	rolling("contract year", 7, D(2026, 3, 10), &a, &b);
	CHECK_INT(a, D(2025, 7, 1));
	CHECK_INT(b, D(2026, 6, 30));
	rolling("previous contract year", 7, D(2026, 3, 10), &a, &b);
	CHECK_INT(a, D(2024, 7, 1));
	CHECK_INT(b, D(2025, 6, 30));
	rolling("last 2 contract years", 7, D(2026, 6, 30), &a, &b);
	CHECK_INT(a, D(2024, 7, 1));
	CHECK_INT(b, D(2026, 6, 30));
}

int main(void)
{
	RUN(rolling_parse);
	RUN(rolling_resolve);
	RUN(grain_names);
	RUN(parse_ids);
	RUN(parse_refused);
	RUN(containing);
	RUN(contract_years);
	RUN(lists);
	RUN(lists_tile);
	return harness_done();
}
