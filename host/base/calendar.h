/*
 * calendar.h - dates as day numbers, Dutch holidays and working days.
 *
 * A date is an int32_t: days since 1970-01-01 in the proleptic Gregorian
 * calendar (the same encoding as PEIL_TYPE_DATE).  The calendar holds the
 * holiday rules of docs/domain.md: the Dutch public holidays of the Algemene
 * termijnenwet computed from Easter, with Goede Vrijdag and Bevrijdingsdag
 * switchable, extra dates, or an explicit list that replaces the rules.
 */
#ifndef PEIL_CALENDAR_H
#define PEIL_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

/* The day number of y-m-d; the date must be valid (date_valid). */
int32_t date_from_civil(int year, int month, int day);
/* The year, month (1-12) and day (1-31) of a day number. */
void date_to_civil(int32_t date, int *year, int *month, int *day);
/* 1 when y-m-d is a real date in years 1..9999, else 0. */
int date_valid(int year, int month, int day);
/* The years a date of an export may have: 0017 or 9999 is a typo or a
 * placeholder for "no date", never a date of the social domain, and the
 * host refuses it at ingest (docs/configuration.md). */
#define DATE_YEAR_FIRST 1900
#define DATE_YEAR_LAST 2199
/* 9999-12-31 as a day number: the date registration systems write for
 * "no date" (an end not reached, a meeting not held); the host reads it
 * as an empty value rather than refusing it as a year out of range. */
#define DATE_NO_DATE 2932896
/* The year of date when it lies outside DATE_YEAR_FIRST..DATE_YEAR_LAST,
 * else 0: inline, since ingest asks it of every date it stores. */
static inline int date_implausible_year(int32_t date)
{
	/* 1900-01-01 and 2200-01-01 as day numbers (date_from_civil) */
	enum { FIRST_DAY = -25567, AFTER_LAST_DAY = 84006 };
	int year, month, day;

	if (date >= FIRST_DAY && date < AFTER_LAST_DAY)
		return 0;
	date_to_civil(date, &year, &month, &day);
	return year;
}
int date_days_in_month(int year, int month);
/* ISO weekday: 1 Monday .. 7 Sunday. */
int date_weekday(int32_t date);
/* The same day months later (or earlier when negative), clamped to the end
 * of a shorter month: 31 January + 1 month is 28 or 29 February. */
int32_t date_add_months(int32_t date, int months);
/* Whole months from a to b, counting a month complete on the same day of
 * the month: 2017-01-31 to 2017-02-28 is 0, to 2017-03-01 is 1. */
int date_months_between(int32_t a, int32_t b);
/* The day in the Netherlands of the instant minute (0..1439) of day in
 * UTC: Central European Time, summer time (UTC+2) from 01:00 UTC on the
 * last Sunday of March to 01:00 UTC on the last Sunday of October, the
 * EU's rule since 1996.  2018-02-28 23:00 UTC is 1 March. */
int32_t date_dutch_day(int32_t day, int minute);
/* Easter Sunday of a Gregorian year. */
int32_t date_easter(int year);
/* "YYYY-MM-DD" into out (at least 11 bytes); 0, or -1 with "0000-00-00"
 * for a day outside the years 1..9999 that date_parse_iso reads. */
int date_format_iso(int32_t date, char out[11]);
/* Parse exactly "YYYY-MM-DD"; 0 on success, -1 when not a valid date. */
int date_parse_iso(const char *text, int32_t *out);
/* The value of exactly n (>= 1) decimal digits at text, or -1: the parts of
 * dates and period ids written as text. */
int date_digits(const char *text, int n);

typedef struct calendar calendar;

typedef struct calendar_options {
	int good_friday;	/* Goede Vrijdag is a holiday (default 1) */
	int liberation_day;	/* Bevrijdingsdag, 5 May, is a holiday (default 1) */
	const int32_t *extra;	/* dates added to the rules */
	size_t extra_count;
	/* When replace is set, the holidays are exactly dates[0..count) and
	 * no rule applies. */
	int replace;
	const int32_t *dates;
	size_t date_count;
} calendar_options;

/* Fill opts with the defaults above. */
void calendar_options_init(calendar_options *opts);
/* A calendar from opts (copied; NULL means the defaults), or NULL when out
 * of memory. */
calendar *calendar_new(const calendar_options *opts);
void calendar_free(calendar *cal);	/* accepts NULL */

/* The Dutch name of the holiday on date ("Tweede Paasdag"), "Feestdag"
 * for an extra or listed date, or NULL when it is not a holiday. */
const char *calendar_holiday_name(const calendar *cal, int32_t date);
int calendar_is_holiday(const calendar *cal, int32_t date);
/* Monday to Friday and not a holiday. */
int calendar_is_workday(const calendar *cal, int32_t date);
/* The number of working days d with a < d <= b; the same day gives 0,
 * Friday to the next Monday 1.  When b < a, minus the count from b to a. */
long calendar_workdays(const calendar *cal, int32_t a, int32_t b);
/* The date n working days after date (n >= 0). */
int32_t calendar_add_workdays(const calendar *cal, int32_t date, long n);
/* 0 when the working days among the days d with a < d <= b (either
 * order) are known: always under the rules.  An explicit list (replace)
 * knows only the years it holds a date of; for a weekday in another year
 * this writes why into msg (size bytes) and returns -1, as every weekday
 * of such a year would count as a working day (weekend days are none,
 * whatever the year's holidays). */
int calendar_check_span(const calendar *cal, int32_t a, int32_t b, char *msg,
			size_t size);
/* The same for whether day d is a holiday and which: -1 with msg when d
 * lies in a year an explicit list holds no date of, weekend or not. */
int calendar_check_day(const calendar *cal, int32_t d, char *msg, size_t size);

#endif
