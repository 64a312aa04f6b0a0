/*
 * test_calendar.c - day numbers, Easter, Dutch holidays and working days.
 *
 * Expected dates come from published tables (Easter, Koningsdag) or were
 * counted by hand on a paper calendar; the working-day counter is also
 * checked against a plain day-by-day loop.
 */
#include "base/calendar.h"
#include "harness.h"

#include <stdint.h>

static int32_t D(int y, int m, int d)
{
	return date_from_civil(y, m, d);
}

TEST(day_numbers_known_values)
{
	CHECK_INT(D(1970, 1, 1), 0);
	CHECK_INT(D(1969, 12, 31), -1);
	/* Unix time 946684800 is 2000-01-01T00:00Z: 946684800 / 86400. */
	CHECK_INT(D(2000, 1, 1), 10957);
	/* Unix time 1483228800 is 2017-01-01T00:00Z. */
	CHECK_INT(D(2017, 1, 1), 17167);
	/* Python: date(1,1,1).toordinal() is 1, date(1970,1,1) is 719163. */
	CHECK_INT(D(1, 1, 1), -719162);
	/* date(9999,12,31).toordinal() is 3652059. */
	CHECK_INT(D(9999, 12, 31), 3652059 - 719163);
}

/* Second method: walk every day of years 1..9999 with a plain
 * day/month/year counter and compare both directions. */
TEST(day_numbers_every_day)
{
	int y = 1, m = 1, d = 1;

	for (int32_t n = D(1, 1, 1); n <= D(9999, 12, 31); n++) {
		int yy, mm, dd;

		date_to_civil(n, &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d || D(y, m, d) != n)
			HARNESS_FAIL("day %ld: got %d-%d-%d, walked %d-%d-%d",
				     (long)n, yy, mm, dd, y, m, d);
		if (++d > date_days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK_INT(y, 10000);
}

TEST(validity)
{
	CHECK_INT(date_valid(2016, 2, 29), 1);
	CHECK_INT(date_valid(2017, 2, 29), 0);
	CHECK_INT(date_valid(2000, 2, 29), 1);	/* divisible by 400 */
	CHECK_INT(date_valid(1900, 2, 29), 0);	/* by 100, not 400 */
	CHECK_INT(date_valid(2017, 4, 31), 0);
	CHECK_INT(date_valid(2017, 13, 1), 0);
	CHECK_INT(date_valid(2017, 0, 1), 0);
	CHECK_INT(date_valid(2017, 1, 0), 0);
	CHECK_INT(date_valid(0, 1, 1), 0);
	CHECK_INT(date_valid(10000, 1, 1), 0);
	CHECK_INT(date_days_in_month(2017, 12), 31);
	CHECK_INT(date_days_in_month(2017, 11), 30);
}

/* The years a date of an export may have: the day numbers of the ends of
 * the window, and every year around them. */
TEST(implausible_years)
{
	for (int y = 1; y <= 9999; y += y < 1890 || (y > 1910 && y < 2190) ? 37 : 1) {
		int outside = y < DATE_YEAR_FIRST || y > DATE_YEAR_LAST;

		CHECK_INT(date_implausible_year(date_from_civil(y, 1, 1)),
			  outside ? y : 0);
		CHECK_INT(date_implausible_year(date_from_civil(y, 12, 31)),
			  outside ? y : 0);
	}
	CHECK_INT(date_implausible_year(date_from_civil(1899, 12, 31)), 1899);
	CHECK_INT(date_implausible_year(date_from_civil(1900, 1, 1)), 0);
	CHECK_INT(date_implausible_year(date_from_civil(2199, 12, 31)), 0);
	CHECK_INT(date_implausible_year(date_from_civil(2200, 1, 1)), 2200);
	CHECK_INT(date_implausible_year(date_from_civil(17, 3, 1)), 17);
	CHECK_INT(date_implausible_year(date_from_civil(9999, 12, 31)), 9999);
}

TEST(weekdays)
{
	CHECK_INT(date_weekday(D(1970, 1, 1)), 4);	/* Thursday */
	CHECK_INT(date_weekday(D(1969, 12, 29)), 1);	/* Monday */
	CHECK_INT(date_weekday(D(1969, 12, 28)), 7);	/* Sunday */
	CHECK_INT(date_weekday(D(2000, 1, 1)), 6);	/* Saturday */
	CHECK_INT(date_weekday(D(2017, 1, 1)), 7);	/* Sunday */
	CHECK_INT(date_weekday(D(2018, 5, 18)), 5);	/* Friday */
	CHECK_INT(date_weekday(D(1900, 1, 1)), 1);	/* Monday */
}

TEST(add_months)
{
	CHECK_INT(date_add_months(D(2017, 1, 31), 1), D(2017, 2, 28));
	CHECK_INT(date_add_months(D(2016, 1, 31), 1), D(2016, 2, 29));
	CHECK_INT(date_add_months(D(2017, 3, 31), -1), D(2017, 2, 28));
	CHECK_INT(date_add_months(D(2017, 12, 15), 1), D(2018, 1, 15));
	CHECK_INT(date_add_months(D(2017, 1, 15), -13), D(2015, 12, 15));
	CHECK_INT(date_add_months(D(2017, 5, 31), 0), D(2017, 5, 31));
	CHECK_INT(date_add_months(D(2017, 8, 31), 24), D(2019, 8, 31));
	CHECK_INT(date_add_months(D(1969, 1, 31), 1), D(1969, 2, 28));
}

TEST(months_between)
{
	CHECK_INT(date_months_between(D(2017, 1, 31), D(2017, 2, 28)), 0);
	CHECK_INT(date_months_between(D(2017, 1, 31), D(2017, 3, 1)), 1);
	CHECK_INT(date_months_between(D(2017, 1, 15), D(2018, 1, 15)), 12);
	CHECK_INT(date_months_between(D(2017, 1, 15), D(2018, 1, 14)), 11);
	CHECK_INT(date_months_between(D(2017, 1, 15), D(2017, 1, 15)), 0);
	CHECK_INT(date_months_between(D(2017, 3, 1), D(2017, 1, 31)), -1);
	CHECK_INT(date_months_between(D(2016, 2, 29), D(2017, 2, 28)), 11);
}

/* Published dates of Easter Sunday. */
TEST(easter)
{
	CHECK_INT(date_easter(2000), D(2000, 4, 23));
	CHECK_INT(date_easter(2008), D(2008, 3, 23));
	CHECK_INT(date_easter(2011), D(2011, 4, 24));
	CHECK_INT(date_easter(2016), D(2016, 3, 27));
	CHECK_INT(date_easter(2017), D(2017, 4, 16));
	CHECK_INT(date_easter(2018), D(2018, 4, 1));
	CHECK_INT(date_easter(2019), D(2019, 4, 21));
	CHECK_INT(date_easter(2024), D(2024, 3, 31));
	CHECK_INT(date_easter(2025), D(2025, 4, 20));
	CHECK_INT(date_easter(2038), D(2038, 4, 25));	/* latest possible */
	CHECK_INT(date_easter(1818), D(1818, 3, 22));	/* earliest possible */
	CHECK_INT(date_easter(1961), D(1961, 4, 2));
	for (int y = 1900; y <= 2100; y++) {
		int32_t e = date_easter(y);

		CHECK_INT(date_weekday(e), 7);
		CHECK(e >= D(y, 3, 22) && e <= D(y, 4, 25));
	}
}

TEST(iso_text)
{
	char text[11];
	int32_t d = -1;

	date_format_iso(D(2017, 3, 9), text);
	CHECK_STR(text, "2017-03-09");
	date_format_iso(D(1, 1, 1), text);
	CHECK_STR(text, "0001-01-01");
	CHECK_INT(date_parse_iso("2016-02-29", &d), 0);
	CHECK_INT(d, D(2016, 2, 29));
	CHECK_INT(date_parse_iso("2017-02-29", &d), -1);
	CHECK_INT(date_parse_iso("2017-1-01", &d), -1);
	CHECK_INT(date_parse_iso("2017-01-01x", &d), -1);
	CHECK_INT(date_parse_iso("2017/01/01", &d), -1);
	CHECK_INT(date_parse_iso("2017-0a-01", &d), -1);
	CHECK_INT(date_parse_iso("", &d), -1);
	CHECK_INT(d, D(2016, 2, 29));	/* untouched on failure */
}

/* 2018: Easter 1 April; every name on its day, and the days around. */
TEST(holidays_2018)
{
	calendar *cal = calendar_new(NULL);

	CHECK(cal != NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 1, 1)), "Nieuwjaarsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 3, 30)), "Goede Vrijdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 4, 1)), "Eerste Paasdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 4, 2)), "Tweede Paasdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 4, 27)), "Koningsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 5, 5)), "Bevrijdingsdag");
	/* 1 April + 39 days: 30 more in April, 9 in May. */
	CHECK_STR(calendar_holiday_name(cal, D(2018, 5, 10)), "Hemelvaartsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 5, 20)),
		  "Eerste Pinksterdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 5, 21)),
		  "Tweede Pinksterdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 25)), "Eerste Kerstdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 26)), "Tweede Kerstdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 3, 29)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 4, 3)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 24)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 31)), NULL);
	CHECK_INT(calendar_is_holiday(cal, D(2018, 5, 10)), 1);
	CHECK_INT(calendar_is_workday(cal, D(2018, 5, 10)), 0);
	CHECK_INT(calendar_is_workday(cal, D(2018, 5, 11)), 1);
	CHECK_INT(calendar_is_workday(cal, D(2018, 5, 12)), 0);	/* Saturday */
	calendar_free(cal);
}

TEST(royal_day)
{
	calendar *cal = calendar_new(NULL);

	CHECK(cal != NULL);
	/* 27 April 2014 and 2025 were Sundays: celebrated on the 26th. */
	CHECK_STR(calendar_holiday_name(cal, D(2014, 4, 26)), "Koningsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2014, 4, 27)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2025, 4, 26)), "Koningsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2025, 4, 27)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2017, 4, 27)), "Koningsdag");
	CHECK_STR(calendar_holiday_name(cal, D(2017, 4, 26)), NULL);
	/* Koninginnedag: 30 April 2013; 30 April 2006 was a Sunday. */
	CHECK_STR(calendar_holiday_name(cal, D(2013, 4, 30)), "Koninginnedag");
	CHECK_STR(calendar_holiday_name(cal, D(2013, 4, 27)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2006, 4, 29)), "Koninginnedag");
	CHECK_STR(calendar_holiday_name(cal, D(2006, 4, 30)), NULL);
	calendar_free(cal);
}

/* Easter 2016 was 27 March, so Hemelvaartsdag fell on 5 May. */
TEST(coinciding_holidays_2016)
{
	calendar_options opts;
	calendar *cal = calendar_new(NULL), *off;

	CHECK(cal != NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2016, 5, 5)), "Hemelvaartsdag");
	/* Mon 2 May to Fri 6 May: 5 weekdays, one holiday counted once. */
	CHECK_INT(calendar_workdays(cal, D(2016, 5, 1), D(2016, 5, 6)), 4);
	calendar_free(cal);
	calendar_options_init(&opts);
	opts.liberation_day = 0;
	off = calendar_new(&opts);
	CHECK(off != NULL);
	CHECK_STR(calendar_holiday_name(off, D(2016, 5, 5)), "Hemelvaartsdag");
	CHECK_INT(calendar_workdays(off, D(2016, 5, 1), D(2016, 5, 6)), 4);
	calendar_free(off);
}

TEST(workdays_basics)
{
	calendar *cal = calendar_new(NULL);

	CHECK(cal != NULL);
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 1), D(2018, 6, 1)), 0);
	/* Friday to the next Monday. */
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 1), D(2018, 6, 4)), 1);
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 4), D(2018, 6, 1)), -1);
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 2), D(2018, 6, 3)), 0);
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 2), D(2018, 6, 4)), 1);
	CHECK_INT(calendar_workdays(cal, D(2018, 6, 4), D(2018, 6, 5)), 1);
	/* Friday 18 May to Tuesday 22 May; Monday 21 May is Tweede
	 * Pinksterdag, so only the Tuesday counts. */
	CHECK_INT(calendar_workdays(cal, D(2018, 5, 18), D(2018, 5, 22)), 1);
	/* Thursday 29 March to Tuesday 3 April 2018: Goede Vrijdag and
	 * Tweede Paasdag are off, only the Tuesday counts. */
	CHECK_INT(calendar_workdays(cal, D(2018, 3, 29), D(2018, 4, 3)), 1);
	/* Friday 21 December 2018 to Friday 4 January 2019: 10 weekdays,
	 * minus 25 and 26 December and 1 January. */
	CHECK_INT(calendar_workdays(cal, D(2018, 12, 21), D(2019, 1, 4)), 7);
	CHECK_INT(calendar_workdays(cal, D(2019, 1, 4), D(2018, 12, 21)), -7);
	/* All of 2018: it starts on a Monday and has 52 weeks and a day,
	 * so 261 weekdays; the weekday holidays are 1 Jan, 30 Mar, 2 Apr,
	 * 27 Apr, 10 May, 21 May, 25 and 26 Dec (5 May is a Saturday). */
	CHECK_INT(calendar_workdays(cal, D(2017, 12, 31), D(2018, 12, 31)),
		  261 - 8);
	calendar_free(cal);
}

TEST(workdays_switches)
{
	calendar_options opts;
	calendar *cal;

	calendar_options_init(&opts);
	CHECK_INT(opts.good_friday, 1);
	CHECK_INT(opts.liberation_day, 1);
	opts.good_friday = 0;
	opts.liberation_day = 0;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 3, 30)), NULL);
	/* Easter 2018 again: now the Friday counts too. */
	CHECK_INT(calendar_workdays(cal, D(2018, 3, 29), D(2018, 4, 3)), 2);
	/* Tuesday 5 May 2020, Monday to Wednesday. */
	CHECK_INT(calendar_workdays(cal, D(2020, 5, 4), D(2020, 5, 6)), 2);
	calendar_free(cal);

	cal = calendar_new(NULL);
	CHECK(cal != NULL);
	CHECK_INT(calendar_workdays(cal, D(2020, 5, 4), D(2020, 5, 6)), 1);
	calendar_free(cal);
}

TEST(workdays_extra)
{
	/* Unsorted, a duplicate, one on a rule holiday, one on a Saturday. */
	const int32_t extra[] = { D(2018, 12, 31), D(2018, 12, 24),
				  D(2018, 12, 25), D(2018, 12, 29),
				  D(2018, 12, 24) };
	calendar_options opts;
	calendar *cal;

	calendar_options_init(&opts);
	opts.extra = extra;
	opts.extra_count = sizeof(extra) / sizeof(extra[0]);
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	/* The Christmas range above (7) minus 24 and 31 December. */
	CHECK_INT(calendar_workdays(cal, D(2018, 12, 21), D(2019, 1, 4)), 5);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 24)), "Feestdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 25)),
		  "Eerste Kerstdag");
	/* The rules still apply. */
	CHECK_STR(calendar_holiday_name(cal, D(2018, 5, 21)),
		  "Tweede Pinksterdag");
	calendar_free(cal);
}

TEST(workdays_replace)
{
	const int32_t dates[] = { D(2018, 12, 25) };
	calendar_options opts;
	calendar *cal;

	calendar_options_init(&opts);
	opts.replace = 1;
	opts.dates = dates;
	opts.date_count = 1;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	/* 10 weekdays, only 25 December off. */
	CHECK_INT(calendar_workdays(cal, D(2018, 12, 21), D(2019, 1, 4)), 9);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 25)), "Feestdag");
	CHECK_STR(calendar_holiday_name(cal, D(2018, 12, 26)), NULL);
	CHECK_STR(calendar_holiday_name(cal, D(2019, 1, 1)), NULL);
	CHECK_INT(calendar_workdays(cal, D(2018, 5, 18), D(2018, 5, 22)), 2);
	calendar_free(cal);

	/* Replace with nothing: every weekday works. */
	opts.date_count = 0;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_INT(calendar_workdays(cal, D(2018, 12, 21), D(2019, 1, 4)), 10);
	CHECK_STR(calendar_holiday_name(cal, D(2018, 1, 1)), NULL);
	calendar_free(cal);
}

/* An explicit list knows the years it holds a date of: a span over a day
 * of another year is refused, with the year; the rules know every year. */
TEST(check_span)
{
	const int32_t dates[] = { D(2017, 12, 25), D(2019, 1, 1) };
	const int32_t dates2021[] = { D(2021, 12, 27) };
	calendar_options opts;
	calendar *cal;
	char msg[256];

	calendar_options_init(&opts);
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_INT(calendar_check_span(cal, D(1990, 1, 1), D(2150, 1, 1), msg,
				      sizeof(msg)), 0);
	calendar_free(cal);

	opts.replace = 1;
	opts.dates = dates;
	opts.date_count = 2;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	/* The days d with a < d <= b: 31 December 2017 alone is known. */
	CHECK_INT(calendar_check_span(cal, D(2017, 12, 1), D(2017, 12, 31),
				      msg, sizeof(msg)), 0);
	CHECK_INT(calendar_check_span(cal, D(2017, 12, 31), D(2017, 12, 31),
				      msg, sizeof(msg)), 0);
	CHECK_INT(calendar_check_span(cal, D(2017, 12, 31), D(2018, 1, 1),
				      msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "[calendar] dates lists no holiday in 2018") == msg);
	/* Either order; 2017 and 2019 known, 2018 between them not. */
	CHECK_INT(calendar_check_span(cal, D(2019, 3, 1), D(2017, 3, 1), msg,
				      sizeof(msg)), -1);
	CHECK(strstr(msg, "in 2018,") != NULL);
	CHECK_INT(calendar_check_span(cal, D(2019, 1, 2), D(2019, 12, 31),
				      msg, sizeof(msg)), 0);
	CHECK_INT(calendar_check_span(cal, D(2019, 12, 31), D(2020, 1, 1),
				      msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "in 2020,") != NULL);
	calendar_free(cal);

	/* A list of 2021 alone.  A count of working days whose days in 2022
	 * are a weekend's (Friday 31 December 2021 to Sunday 2 January
	 * 2022) is 0 whatever 2022's holidays: known.  To Monday 3 January
	 * it is not.  Whether a day is a holiday is unknown in 2022 on a
	 * Saturday too (a list may name one). */
	opts.dates = dates2021;
	opts.date_count = 1;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_INT(calendar_check_span(cal, D(2021, 12, 31), D(2022, 1, 2),
				      msg, sizeof(msg)), 0);
	CHECK_INT(calendar_check_span(cal, D(2022, 1, 2), D(2021, 12, 30),
				      msg, sizeof(msg)), 0);
	CHECK_INT(calendar_check_span(cal, D(2021, 12, 31), D(2022, 1, 3),
				      msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "in 2022,") != NULL);
	CHECK_INT(calendar_check_day(cal, D(2022, 1, 1), msg, sizeof(msg)), -1);
	CHECK(strstr(msg, "in 2022,") != NULL);
	CHECK_INT(calendar_check_day(cal, D(2021, 12, 31), msg, sizeof(msg)), 0);
	calendar_free(cal);
}

/* The options are copied: changing the caller's array afterwards has no
 * effect. */
TEST(options_copied)
{
	int32_t extra[] = { D(2018, 12, 24) };
	calendar_options opts;
	calendar *cal;

	calendar_options_init(&opts);
	opts.extra = extra;
	opts.extra_count = 1;
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	extra[0] = D(2018, 12, 27);
	CHECK_INT(calendar_is_holiday(cal, D(2018, 12, 24)), 1);
	CHECK_INT(calendar_is_holiday(cal, D(2018, 12, 27)), 0);
	calendar_free(cal);
	calendar_free(NULL);
}

TEST(add_workdays)
{
	calendar *cal = calendar_new(NULL);

	CHECK(cal != NULL);
	CHECK_INT(calendar_add_workdays(cal, D(2018, 5, 18), 0), D(2018, 5, 18));
	CHECK_INT(calendar_add_workdays(cal, D(2018, 5, 18), 1), D(2018, 5, 22));
	/* From Saturday: Monday is the first working day. */
	CHECK_INT(calendar_add_workdays(cal, D(2018, 6, 2), 1), D(2018, 6, 4));
	/* Friday 21 Dec 2018 + 3: Mon 24, Thu 27, Fri 28. */
	CHECK_INT(calendar_add_workdays(cal, D(2018, 12, 21), 3),
		  D(2018, 12, 28));
	calendar_free(cal);
}

/* A small generator for the random cross-check (splitmix64). */
static uint64_t rng_state = 0x5eed5eedULL;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A working day from the holidays' names: the rules of the date's year,
 * not the calendar's table of them. */
static int naive_workday(const calendar *cal, int32_t d)
{
	return date_weekday(d) <= 5 && calendar_holiday_name(cal, d) == NULL;
}

static long naive_workdays(const calendar *cal, int32_t a, int32_t b)
{
	long n = 0;

	if (b < a)
		return -naive_workdays(cal, b, a);
	for (int32_t d = a + 1; d <= b; d++)
		n += naive_workday(cal, d);
	return n;
}

/* Pairs from 40 years after base; the table covers 1900-2199, so bases
 * near its ends cross them. */
static int cross_check_from(const calendar *cal, int32_t base, int pairs)
{
	for (int i = 0; i < pairs; i++) {
		int32_t a = base + (int32_t)(rng_next() % (40 * 366));
		int32_t b = a + (int32_t)(rng_next() % 1500) - 300;
		int32_t n = (int32_t)(rng_next() % 60);

		if (calendar_workdays(cal, a, b) != naive_workdays(cal, a, b)) {
			printf("  workdays %ld..%ld: %ld, naive %ld\n", (long)a,
			       (long)b, calendar_workdays(cal, a, b),
			       naive_workdays(cal, a, b));
			return -1;
		}
		if (calendar_workdays(cal, a, calendar_add_workdays(cal, a, n))
		    != n)
			return -1;
		if (calendar_is_workday(cal, a) != naive_workday(cal, a)) {
			printf("  is_workday %ld: %d\n", (long)a,
			       calendar_is_workday(cal, a));
			return -1;
		}
	}
	return 0;
}

static int cross_check(const calendar *cal, int pairs)
{
	return cross_check_from(cal, D(1995, 1, 1), pairs) < 0 ||
	       cross_check_from(cal, D(1880, 1, 1), pairs / 4) < 0 ||
	       cross_check_from(cal, D(2180, 1, 1), pairs / 4) < 0 ||
	       cross_check_from(cal, D(2400, 1, 1), pairs / 8) < 0 ? -1 : 0;
}

TEST(workdays_random_cross_check)
{
	const int32_t extra[] = { D(2018, 12, 24), D(2018, 12, 31),
				  D(2016, 5, 5), D(2020, 1, 1),
				  D(2021, 6, 12), D(2030, 7, 1),
				  D(1899, 12, 29), D(1900, 1, 2),
				  D(2199, 12, 30), D(2200, 1, 2),
				  D(2410, 3, 1) };
	calendar_options opts;
	calendar *cal;

	cal = calendar_new(NULL);
	CHECK(cal != NULL);
	CHECK_INT(cross_check(cal, 3000), 0);
	calendar_free(cal);

	calendar_options_init(&opts);
	opts.good_friday = 0;
	opts.liberation_day = 0;
	opts.extra = extra;
	opts.extra_count = sizeof(extra) / sizeof(extra[0]);
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_INT(cross_check(cal, 2000), 0);
	calendar_free(cal);

	calendar_options_init(&opts);
	opts.replace = 1;
	opts.dates = extra;
	opts.date_count = sizeof(extra) / sizeof(extra[0]);
	cal = calendar_new(&opts);
	CHECK(cal != NULL);
	CHECK_INT(cross_check(cal, 2000), 0);
	calendar_free(cal);
}

int main(void)
{
	RUN(day_numbers_known_values);
	RUN(day_numbers_every_day);
	RUN(implausible_years);
	RUN(validity);
	RUN(weekdays);
	RUN(add_months);
	RUN(months_between);
	RUN(easter);
	RUN(iso_text);
	RUN(holidays_2018);
	RUN(royal_day);
	RUN(coinciding_holidays_2016);
	RUN(workdays_basics);
	RUN(workdays_switches);
	RUN(workdays_extra);
	RUN(workdays_replace);
	RUN(check_span);
	RUN(options_copied);
	RUN(add_workdays);
	RUN(workdays_random_cross_check);
	return harness_done();
}
