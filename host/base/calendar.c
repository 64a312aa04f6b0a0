/*
 * calendar.c - day numbers, Easter, the Dutch holidays and working days.
 *
 * Day numbers use Howard Hinnant's days_from_civil and civil_from_days
 * (http://howardhinnant.github.io/date_algorithms.html): exact for the
 * proleptic Gregorian calendar, no tables, no time zones, no libc.
 */
#include "base/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Monday, so that (date - MONDAY_ANCHOR) mod 7 is 0 on Mondays:
 * 1970-01-01 was a Thursday, so 1969-12-29 (day -3) was a Monday. */
#define MONDAY_ANCHOR (-3)

/* Floor division and its remainder, for dates before 1970 too. */
static int32_t floor_div(int32_t a, int32_t b)
{
	int32_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int32_t floor_mod(int32_t a, int32_t b)
{
	return a - floor_div(a, b) * b;
}

static int is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int date_days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && is_leap(year))
		return 29;
	return days[month - 1];
}

int date_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 &&
	       day >= 1 && day <= date_days_in_month(year, month);
}

int32_t date_from_civil(int year, int month, int day)
{
	/* Hinnant: count from 1 March, so the leap day ends the year. */
	int32_t y = year - (month <= 2);
	int32_t era = (y >= 0 ? y : y - 399) / 400;
	int32_t yoe = y - era * 400;				/* [0, 399] */
	int32_t mp = month > 2 ? month - 3 : month + 9;	/* March is 0 */
	int32_t doy = (153 * mp + 2) / 5 + day - 1;		/* [0, 365] */
	int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */

	return era * 146097 + doe - 719468;
}

void date_to_civil(int32_t date, int *year, int *month, int *day)
{
	int32_t z = date + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	int32_t m = mp < 10 ? mp + 3 : mp - 9;

	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

int date_weekday(int32_t date)
{
	return (int)floor_mod(date - MONDAY_ANCHOR, 7) + 1;
}

int32_t date_add_months(int32_t date, int months)
{
	int year, month, day;
	int32_t index;		/* months since year 0, month 0 */

	date_to_civil(date, &year, &month, &day);
	index = (int32_t)year * 12 + (month - 1) + months;
	year = (int)floor_div(index, 12);
	month = (int)floor_mod(index, 12) + 1;
	if (day > date_days_in_month(year, month))
		day = date_days_in_month(year, month);
	return date_from_civil(year, month, day);
}

int date_months_between(int32_t a, int32_t b)
{
	int ya, ma, da, yb, mb, db, months;

	if (b < a)
		return -date_months_between(b, a);
	date_to_civil(a, &ya, &ma, &da);
	date_to_civil(b, &yb, &mb, &db);
	months = (yb - ya) * 12 + (mb - ma);
	/* Not clamped: 31 January to 28 February is not yet a month. */
	if (db < da)
		months--;
	return months;
}

/* The last Sunday of a month. */
static int32_t last_sunday(int year, int month)
{
	int32_t last = date_from_civil(year, month,
				       date_days_in_month(year, month));

	return last - date_weekday(last) % 7;
}

int32_t date_dutch_day(int32_t day, int minute)
{
	int year, month, mday;
	int32_t start, end;

	date_to_civil(day, &year, &month, &mday);
	start = last_sunday(year, 3);
	end = last_sunday(year, 10);
	int summer = (day > start || (day == start && minute >= 60)) &&
		     (day < end || (day == end && minute < 60));

	return day + (minute + (summer ? 120 : 60)) / (24 * 60);
}

int32_t date_easter(int year)
{
	/* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_civil(year, month, day);
}

int date_format_iso(int32_t date, char out[11])
{
	int year, month, day;

	date_to_civil(date, &year, &month, &day);
	if (year < 1 || year > 9999) {
		/* Not a date that any export holds (ingest refuses implausible
		 * years); keep the 10 characters, and tell the caller, since
		 * "0000-00-00" sorts before every date as text. */
		memcpy(out, "0000-00-00", 11);
		return -1;
	}
	/* digit by digit: snprintf was a sixth of a Lua function KPI that
	 * reads dates, each handed to Lua as text */
	out[0] = (char)('0' + year / 1000);
	out[1] = (char)('0' + year / 100 % 10);
	out[2] = (char)('0' + year / 10 % 10);
	out[3] = (char)('0' + year % 10);
	out[4] = '-';
	out[5] = (char)('0' + month / 10);
	out[6] = (char)('0' + month % 10);
	out[7] = '-';
	out[8] = (char)('0' + day / 10);
	out[9] = (char)('0' + day % 10);
	out[10] = '\0';
	return 0;
}

int date_digits(const char *text, int n)
{
	int value = 0;

	if (n < 1)
		return -1;
	for (int i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return -1;
		value = value * 10 + (text[i] - '0');
	}
	return value;
}

int date_parse_iso(const char *text, int32_t *out)
{
	int year, month, day;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' ||
	    text[7] != '-')
		return -1;
	year = date_digits(text, 4);
	month = date_digits(text + 5, 2);
	day = date_digits(text + 8, 2);
	if (!date_valid(year, month, day))
		return -1;
	*out = date_from_civil(year, month, day);
	return 0;
}

/* ------------------------------------------------------------ calendar */

struct calendar {
	int good_friday;
	int liberation_day;
	int replace;
	int32_t *extra;		/* sorted, without duplicates */
	size_t extra_count;
	int32_t *dates;		/* sorted, without duplicates */
	size_t date_count;
	/* The holidays on weekdays in [table_first, table_last], sorted,
	 * each once: the working days between two dates in that span are
	 * two binary searches, not the rules of every year between.  Per
	 * row of a waiting-time KPI those rules, Easter and all, showed in
	 * the profile. */
	int32_t *weekday_holidays;
	size_t weekday_holiday_count;
	int32_t table_first, table_last;
};

/* The most holidays the rules give in one year. */
#define MAX_RULE_HOLIDAYS 12

/* The years the rules' table covers: any export's, and then some.  Dates
 * outside them are counted from the rules each time. */
#define TABLE_FIRST_YEAR 1900
#define TABLE_LAST_YEAR 2199

typedef struct holiday {
	int32_t date;
	const char *name;
} holiday;

void calendar_options_init(calendar_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->good_friday = 1;
	opts->liberation_day = 1;
}

static int compare_dates(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* A sorted copy of dates[0..count) without duplicates; *out NULL when
 * count is 0.  -1 when out of memory. */
static int copy_sorted(const int32_t *dates, size_t count, int32_t **out,
		       size_t *out_count)
{
	int32_t *copy;
	size_t n = 0;

	*out = NULL;
	*out_count = 0;
	if (count == 0 || dates == NULL)
		return 0;
	copy = malloc(count * sizeof(*copy));
	if (copy == NULL)
		return -1;
	memcpy(copy, dates, count * sizeof(*copy));
	qsort(copy, count, sizeof(*copy), compare_dates);
	for (size_t i = 0; i < count; i++)
		if (n == 0 || copy[n - 1] != copy[i])
			copy[n++] = copy[i];
	*out = copy;
	*out_count = n;
	return 0;
}

static int table_build(calendar *cal);

calendar *calendar_new(const calendar_options *opts)
{
	calendar_options defaults;
	calendar *cal;

	if (opts == NULL) {
		calendar_options_init(&defaults);
		opts = &defaults;
	}
	cal = calloc(1, sizeof(*cal));
	if (cal == NULL)
		return NULL;
	cal->good_friday = opts->good_friday;
	cal->liberation_day = opts->liberation_day;
	cal->replace = opts->replace;
	if (copy_sorted(opts->extra, opts->extra_count, &cal->extra,
			&cal->extra_count) != 0 ||
	    copy_sorted(opts->dates, opts->date_count, &cal->dates,
			&cal->date_count) != 0 ||
	    table_build(cal) != 0) {
		calendar_free(cal);
		return NULL;
	}
	return cal;
}

void calendar_free(calendar *cal)
{
	if (cal == NULL)
		return;
	free(cal->extra);
	free(cal->dates);
	free(cal->weekday_holidays);
	free(cal);
}

/* The holidays that the rules give in year, in the order of this list;
 * two may share a date (Hemelvaartsdag was 5 May in 2016), and then the
 * first one names it.  Returns how many were written. */
static size_t rule_holidays(const calendar *cal, int year, holiday *out)
{
	int32_t easter = date_easter(year);
	size_t n = 0;
	int32_t royal;

	out[n++] = (holiday){ date_from_civil(year, 1, 1), "Nieuwjaarsdag" };
	if (cal->good_friday)
		out[n++] = (holiday){ easter - 2, "Goede Vrijdag" };
	/* Sundays, but named in the Algemene termijnenwet all the same. */
	out[n++] = (holiday){ easter, "Eerste Paasdag" };
	out[n++] = (holiday){ easter + 1, "Tweede Paasdag" };
	/* Koningsdag (27 April) from 2014; before, Koninginnedag on 30 April.
	 * Either moves a day back when it falls on a Sunday.  (Before 1980 a
	 * Sunday Koninginnedag moved to Monday 1 May instead; no export goes
	 * back that far, so that rule is not modelled.) */
	if (year >= 2014) {
		royal = date_from_civil(year, 4, 27);
		out[n++] = (holiday){ date_weekday(royal) == 7 ? royal - 1 : royal,
				      "Koningsdag" };
	} else {
		royal = date_from_civil(year, 4, 30);
		out[n++] = (holiday){ date_weekday(royal) == 7 ? royal - 1 : royal,
				      "Koninginnedag" };
	}
	out[n++] = (holiday){ easter + 39, "Hemelvaartsdag" };
	if (cal->liberation_day)
		out[n++] = (holiday){ date_from_civil(year, 5, 5),
				      "Bevrijdingsdag" };
	out[n++] = (holiday){ easter + 49, "Eerste Pinksterdag" };
	out[n++] = (holiday){ easter + 50, "Tweede Pinksterdag" };
	out[n++] = (holiday){ date_from_civil(year, 12, 25), "Eerste Kerstdag" };
	out[n++] = (holiday){ date_from_civil(year, 12, 26), "Tweede Kerstdag" };
	return n;
}

/* Fill the calendar's table of weekday holidays: an explicit list's for
 * every date, else the rules' and the extra dates' of the table's years.
 * -1 when out of memory. */
static int table_build(calendar *cal)
{
	size_t years = TABLE_LAST_YEAR - TABLE_FIRST_YEAR + 1;
	size_t cap = cal->replace
			     ? cal->date_count
			     : years * MAX_RULE_HOLIDAYS + cal->extra_count;
	int32_t *all = malloc((cap ? cap : 1) * sizeof(*all));
	size_t n = 0;

	if (all == NULL)
		return -1;
	if (cal->replace) {
		cal->table_first = INT32_MIN;
		cal->table_last = INT32_MAX;
		for (size_t i = 0; i < cal->date_count; i++)
			if (date_weekday(cal->dates[i]) <= 5)
				all[n++] = cal->dates[i];
	} else {
		cal->table_first = date_from_civil(TABLE_FIRST_YEAR, 1, 1);
		cal->table_last = date_from_civil(TABLE_LAST_YEAR, 12, 31);
		/* a year's rule holidays lie in that year */
		for (int year = TABLE_FIRST_YEAR; year <= TABLE_LAST_YEAR;
		     year++) {
			holiday rules[MAX_RULE_HOLIDAYS];
			size_t count = rule_holidays(cal, year, rules);

			for (size_t i = 0; i < count; i++)
				if (date_weekday(rules[i].date) <= 5)
					all[n++] = rules[i].date;
		}
		for (size_t i = 0; i < cal->extra_count; i++)
			if (cal->extra[i] >= cal->table_first &&
			    cal->extra[i] <= cal->table_last &&
			    date_weekday(cal->extra[i]) <= 5)
				all[n++] = cal->extra[i];
	}
	if (copy_sorted(all, n, &cal->weekday_holidays,
			&cal->weekday_holiday_count) != 0) {
		free(all);
		return -1;
	}
	free(all);
	return 0;
}

/* How many elements of sorted[0..count) are <= date. */
static size_t count_through(const int32_t *sorted, size_t count, int32_t date)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] <= date)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The index of the first element of sorted[0..count) that is >= date. */
static size_t lower_bound(const int32_t *sorted, size_t count, int32_t date)
{
	size_t lo = 0, hi = count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] < date)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int contains(const int32_t *sorted, size_t count, int32_t date)
{
	size_t i = lower_bound(sorted, count, date);

	return i < count && sorted[i] == date;
}

static int year_of(int32_t date)
{
	int year, month, day;

	date_to_civil(date, &year, &month, &day);
	return year;
}

/* The name the rules give date, or NULL. */
static const char *rule_holiday_name(const calendar *cal, int32_t date)
{
	holiday rules[MAX_RULE_HOLIDAYS];
	size_t n = rule_holidays(cal, year_of(date), rules);

	for (size_t i = 0; i < n; i++)
		if (rules[i].date == date)
			return rules[i].name;
	return NULL;
}

const char *calendar_holiday_name(const calendar *cal, int32_t date)
{
	const char *name;

	if (cal->replace)
		return contains(cal->dates, cal->date_count, date) ? "Feestdag"
								   : NULL;
	name = rule_holiday_name(cal, date);
	if (name == NULL && contains(cal->extra, cal->extra_count, date))
		name = "Feestdag";
	return name;
}

int calendar_is_holiday(const calendar *cal, int32_t date)
{
	return calendar_holiday_name(cal, date) != NULL;
}

int calendar_is_workday(const calendar *cal, int32_t date)
{
	if (date_weekday(date) > 5)
		return 0;
	if (date >= cal->table_first && date <= cal->table_last)
		return !contains(cal->weekday_holidays,
				 cal->weekday_holiday_count, date);
	return !calendar_is_holiday(cal, date);
}

/* The weekdays from a fixed origin through date: the difference of two
 * of these is the number of weekdays in (a, b]. */
static long weekdays_through(int32_t date)
{
	int32_t since = date - MONDAY_ANCHOR;	/* 0 on the anchor Monday */
	int32_t weeks = floor_div(since, 7);
	int32_t rest = floor_mod(since, 7);	/* 0 Monday .. 6 Sunday */

	return 5L * weeks + (rest < 5 ? rest + 1 : 5);
}

/* Extra dates on weekdays within (a, b] that the rules do not give. */
static long extra_weekday_holidays(const calendar *cal, int32_t a, int32_t b)
{
	long n = 0;

	for (size_t i = lower_bound(cal->extra, cal->extra_count, a + 1);
	     i < cal->extra_count && cal->extra[i] <= b; i++)
		if (date_weekday(cal->extra[i]) <= 5 &&
		    rule_holiday_name(cal, cal->extra[i]) == NULL)
			n++;
	return n;
}

/* Weekday rule holidays within (a, b], each date once. */
static long rule_weekday_holidays(const calendar *cal, int32_t a, int32_t b)
{
	holiday rules[MAX_RULE_HOLIDAYS];
	long n = 0;

	for (int year = year_of(a + 1); year <= year_of(b); year++) {
		size_t count = rule_holidays(cal, year, rules);

		for (size_t i = 0; i < count; i++) {
			int32_t d = rules[i].date;
			int seen = 0;

			for (size_t j = 0; j < i; j++)
				seen |= rules[j].date == d;
			if (!seen && d > a && d <= b && date_weekday(d) <= 5)
				n++;
		}
	}
	return n;
}

long calendar_workdays(const calendar *cal, int32_t a, int32_t b)
{
	long n;

	if (b < a)
		return -calendar_workdays(cal, b, a);
	if (a == b)
		return 0;
	/* Weekdays by arithmetic, minus the holidays on weekdays: from the
	 * table (an explicit list's covers every date), else from the rules
	 * of each year in range and the extra dates. */
	n = weekdays_through(b) - weekdays_through(a);
	if (a + 1 >= cal->table_first && b <= cal->table_last)
		return n - (long)(count_through(cal->weekday_holidays,
						cal->weekday_holiday_count, b) -
				  count_through(cal->weekday_holidays,
						cal->weekday_holiday_count, a));
	return n - rule_weekday_holidays(cal, a, b) -
	       extra_weekday_holidays(cal, a, b);
}

/* calendar_check_span, and with weekdays 0 calendar_check_day: every day
 * of (a, b] counts, a weekend day as much as a weekday. */
static int check_years(const calendar *cal, int32_t a, int32_t b,
		       int weekdays, char *msg, size_t size);

int calendar_check_span(const calendar *cal, int32_t a, int32_t b, char *msg,
			size_t size)
{
	return check_years(cal, a, b, 1, msg, size);
}

int calendar_check_day(const calendar *cal, int32_t d, char *msg, size_t size)
{
	return check_years(cal, d - 1, d, 0, msg, size);
}

static int check_years(const calendar *cal, int32_t a, int32_t b,
		       int weekdays, char *msg, size_t size)
{
	int first, last, m, d;

	if (!cal->replace || a == b)
		return 0;
	if (b < a) {
		int32_t t = a;

		a = b;
		b = t;
	}
	date_to_civil(a + 1, &first, &m, &d);
	date_to_civil(b, &last, &m, &d);
	for (int year = first; year <= last; year++) {
		int32_t lo = date_from_civil(year, 1, 1);
		int32_t hi = date_from_civil(year, 12, 31);

		/* Only the year's days within (a, b] count, and for a count
		 * of working days only when one of them is a weekday: weekend
		 * days are no working days whatever the year's holidays (a
		 * wait from Friday 31 December to Sunday 2 January counts 0). */
		if (lo < a + 1)
			lo = a + 1;
		if (hi > b)
			hi = b;
		while (weekdays && lo <= hi && hi - lo < 6 &&
		       date_weekday(lo) > 5)
			lo++;
		if (lo > hi)
			continue;
		if (count_through(cal->dates, cal->date_count,
				  date_from_civil(year, 12, 31)) ==
		    count_through(cal->dates, cal->date_count,
				  date_from_civil(year, 1, 1) - 1)) {
			snprintf(msg, size,
				 "[calendar] dates lists no holiday in %d, so "
				 "its holidays are unknown and every weekday of "
				 "it would count as a working day: list the "
				 "holidays of %d too (a weekend day when it has "
				 "none), or leave dates out for the built-in "
				 "rules", year, year);
			return -1;
		}
	}
	return 0;
}

int32_t calendar_add_workdays(const calendar *cal, int32_t date, long n)
{
	while (n > 0) {
		date++;
		if (calendar_is_workday(cal, date))
			n--;
	}
	return date;
}
