/*
 * test_parse.c - dates, numbers and booleans from export text.
 */
#include "base/calendar.h"
#include "harness.h"
#include "base/parse.h"

#include <stdint.h>

static int32_t D(int y, int m, int d)
{
	return date_from_civil(y, m, d);
}

/* The texts are NUL-terminated here, but parse_* get only the length. */
static int date_of(const parse_date_formats *f, const char *text, int32_t *out)
{
	return parse_date(f, text, strlen(text), out);
}

static int integer_of(const char *text, char decimal, int64_t *out)
{
	return parse_integer(text, strlen(text), decimal, out);
}

static int real_of(const char *text, char decimal, double *out)
{
	return parse_real(text, strlen(text), decimal, out);
}

TEST(format_specs)
{
	parse_date_formats f;
	char err[128] = "";

	CHECK_INT(parse_date_formats_init(&f, "dd-mm-jjjj, jjjj-mm-dd", err,
					  sizeof(err)), 0);
	CHECK_INT(f.count, 2);
	CHECK_STR(f.formats[0].order, "dmy");
	CHECK_INT(f.formats[0].separator, '-');
	CHECK_STR(f.formats[0].spec, "dd-mm-jjjj");
	CHECK_STR(f.formats[1].order, "ymd");
	CHECK_STR(f.formats[1].spec, "jjjj-mm-dd");

	CHECK_INT(parse_date_formats_init(&f, "DD/MM/YYYY,dd.mm.jjjj,jjjjmmdd,"
					  "mm/dd/yyyy,d-m-jjjj", err,
					  sizeof(err)), 0);
	CHECK_INT(f.count, 5);
	CHECK_INT(f.formats[0].separator, '/');
	CHECK_INT(f.formats[1].separator, '.');
	CHECK_INT(f.formats[2].separator, 0);
	CHECK_STR(f.formats[2].order, "ymd");
	CHECK_STR(f.formats[3].order, "mdy");
	CHECK_STR(f.formats[4].order, "dmy");

	/* Split as every list of the config: an empty item is no format,
	 * and a list may go on on the next line. */
	CHECK_INT(parse_date_formats_init(&f, "dd-mm-jjjj,\n  jjjjmmdd,", err,
					  sizeof(err)), 0);
	CHECK_INT(f.count, 2);
	CHECK_STR(f.formats[1].spec, "jjjjmmdd");
}

TEST(format_specs_refused)
{
	const char *bad[] = {
		"", "dd-mm-jj", "dd-mm", "dd-mm-jjjj-", "dd-mm/jjjj",
		"dd--mm-jjjj", "ddmm-jjjj", "dd-mmjjjj", "dd-dd-jjjj",
		"jjjj-dd-mm", "mm-jjjj-dd", "dmjjjj", "dd mm jjjj",
		"ddd-mm-jjjj", "dd-mm-jjjjj", "dd-mm-jjjj,,ymd", " , ",
		"dd-mm-jjjj hh:mm:", "x", "-dd-mm-jjjj",
	};
	parse_date_formats f;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (parse_date_formats_init(&f, bad[i], err, sizeof(err)) != -1)
			HARNESS_FAIL("format \"%s\" accepted", bad[i]);
		if (strstr(err, "date format") == NULL)
			HARNESS_FAIL("format \"%s\": message \"%s\"", bad[i],
				     err);
	}
	CHECK_INT(parse_date_formats_init(&f, "dd-mm-jjjj, jjjj-dd-mm", err,
					  sizeof(err)), -1);
	CHECK_CONTAINS(err, "jjjj-dd-mm");
	/* Nine formats are one too many. */
	CHECK_INT(parse_date_formats_init(&f, "dd-mm-jjjj,dd-mm-jjjj,"
					  "dd-mm-jjjj,dd-mm-jjjj,dd-mm-jjjj,"
					  "dd-mm-jjjj,dd-mm-jjjj,dd-mm-jjjj,"
					  "dd-mm-jjjj", err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "more than 8");
	/* No buffer for the message is fine. */
	CHECK_INT(parse_date_formats_init(&f, "nonsense", NULL, 0), -1);
}

TEST(dates_dutch)
{
	parse_date_formats f;
	int32_t d = 0;

	CHECK_INT(parse_date_formats_init(&f, "dd-mm-jjjj", NULL, 0), 0);
	CHECK_INT(date_of(&f, "09-03-2017", &d), 0);
	CHECK_INT(d, D(2017, 3, 9));
	CHECK_INT(date_of(&f, "9-3-2017", &d), 0);
	CHECK_INT(d, D(2017, 3, 9));
	CHECK_INT(date_of(&f, "31-12-2018", &d), 0);
	CHECK_INT(d, D(2018, 12, 31));
	CHECK_INT(date_of(&f, "29-02-2016", &d), 0);
	CHECK_INT(d, D(2016, 2, 29));
	/* Not real dates. */
	CHECK_INT(date_of(&f, "29-02-2017", &d), -1);
	CHECK_INT(date_of(&f, "31-02-2017", &d), -1);
	CHECK_INT(date_of(&f, "31-04-2017", &d), -1);
	CHECK_INT(date_of(&f, "01-13-2017", &d), -1);
	CHECK_INT(date_of(&f, "00-01-2017", &d), -1);
	CHECK_INT(date_of(&f, "01-01-0000", &d), -1);
	/* Not this layout. */
	CHECK_INT(date_of(&f, "2017-03-09", &d), -1);
	CHECK_INT(date_of(&f, "09/03/2017", &d), -1);
	CHECK_INT(date_of(&f, "09-03-17", &d), -1);
	CHECK_INT(date_of(&f, "009-03-2017", &d), -1);
	CHECK_INT(date_of(&f, "09-03-2017 00:00", &d), -1);
	CHECK_INT(date_of(&f, "09-03-2017-", &d), -1);
	CHECK_INT(date_of(&f, "-03-2017", &d), -1);
	CHECK_INT(date_of(&f, "0a-03-2017", &d), -1);
	CHECK_INT(date_of(&f, "+9-03-2017", &d), -1);
	CHECK_INT(date_of(&f, "", &d), -1);
	CHECK_INT(d, D(2016, 2, 29));	/* untouched on failure */
	/* Only len characters are read: "01-02-2017" of "01-02-20170". */
	CHECK_INT(parse_date(&f, "01-02-20170", 10, &d), 0);
	CHECK_INT(d, D(2017, 2, 1));
}

TEST(dates_other_layouts)
{
	parse_date_formats f;
	int32_t d = 0;

	CHECK_INT(parse_date_formats_init(&f, "jjjj-mm-dd, dd/mm/jjjj, "
					  "dd.mm.jjjj, jjjjmmdd", NULL, 0), 0);
	CHECK_INT(date_of(&f, "2017-03-09", &d), 0);
	CHECK_INT(d, D(2017, 3, 9));
	CHECK_INT(date_of(&f, "2017-3-9", &d), 0);
	CHECK_INT(d, D(2017, 3, 9));
	CHECK_INT(date_of(&f, "10/03/2017", &d), 0);
	CHECK_INT(d, D(2017, 3, 10));
	CHECK_INT(date_of(&f, "11.03.2017", &d), 0);
	CHECK_INT(d, D(2017, 3, 11));
	CHECK_INT(date_of(&f, "20170312", &d), 0);
	CHECK_INT(d, D(2017, 3, 12));
	CHECK_INT(date_of(&f, "2017-13-01", &d), -1);
	CHECK_INT(date_of(&f, "20171301", &d), -1);
	CHECK_INT(date_of(&f, "2017031", &d), -1);
	CHECK_INT(date_of(&f, "201703120", &d), -1);
	CHECK_INT(date_of(&f, "12-03-2017", &d), -1);	/* not declared */
	CHECK_INT(date_of(&f, "2017/03/12", &d), -1);
	CHECK_INT(d, D(2017, 3, 12));

	CHECK_INT(parse_date_formats_init(&f, "mm/dd/yyyy", NULL, 0), 0);
	CHECK_INT(date_of(&f, "03/09/2017", &d), 0);
	CHECK_INT(d, D(2017, 3, 9));	/* American: March 9 */
	CHECK_INT(date_of(&f, "13/09/2017", &d), -1);
}

/* Formats are tried in order: the first that fits wins. */
TEST(dates_order_of_formats)
{
	parse_date_formats f;
	int32_t d = 0;

	CHECK_INT(parse_date_formats_init(&f, "dd/mm/jjjj, mm/dd/jjjj", NULL,
					  0), 0);
	CHECK_INT(date_of(&f, "03/09/2017", &d), 0);
	CHECK_INT(d, D(2017, 9, 3));
	CHECK_INT(date_of(&f, "03/13/2017", &d), 0);	/* only mm/dd fits */
	CHECK_INT(d, D(2017, 3, 13));
}

/* A date followed by a time of day, as database exports write it
 * ("2018-03-01 00:00:00") and Dutch Excel ("1-3-2018 0:00"): the day is
 * read, the time checked and dropped.  Without the time in the format,
 * such values are no date (dates_dutch). */
TEST(dates_with_time)
{
	parse_date_formats f;
	char err[128] = "";
	int32_t d = 0;

	CHECK_INT(parse_date_formats_init(&f, "jjjj-mm-dd uu:mm:ss, "
					  "dd-mm-jjjj hh:mm", err,
					  sizeof(err)), 0);
	CHECK_INT(f.count, 2);
	CHECK_INT(f.formats[0].time, 3);
	CHECK_STR(f.formats[0].order, "ymd");
	CHECK_STR(f.formats[0].spec, "jjjj-mm-dd uu:mm:ss");
	CHECK_INT(f.formats[1].time, 2);
	CHECK_STR(f.formats[1].order, "dmy");
	/* the text, and its day of March 2018 */
	static const struct { const char *text; int day; } read[] = {
		{ "2018-03-01 00:00:00", 1 }, { "2018-03-02 23:59:59", 2 },
		{ "03-03-2018 00:00", 3 }, { "4-3-2018 0:00", 4 },
		{ "5-3-2018 17:45", 5 },
	};
	for (size_t i = 0; i < sizeof(read) / sizeof(*read); i++) {
		CHECK_INT(date_of(&f, read[i].text, &d), 0);
		CHECK_INT(d, D(2018, 3, read[i].day));
	}
	/* The time is what the format declares, and a real one. */
	static const char *const refused[] = {
		"2018-03-01", "01-03-2018", "2018-03-01 00:00",
		"01-03-2018 00:00:00", "2018-03-01 24:00:00",
		"2018-03-01 00:60:00", "2018-03-01 00:00:60",
		"2018-03-01  00:00:00", "2018-03-01T00:00:00",
		"01-03-2018 0:0", "01-03-2018 000:00", "01-03-2018 :00",
		"01-03-2018 ", "31-02-2018 00:00",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (date_of(&f, refused[i], &d) != -1)
			HARNESS_FAIL("\"%s\" read as a date", refused[i]);
	CHECK_INT(d, D(2018, 3, 5));	/* untouched on failure */

	/* Formats of a time that is not uu:mm or uu:mm:ss. */
	static const char *const bad[] = {
		"dd-mm-jjjj uu", "dd-mm-jjjj mm:uu", "dd-mm-jjjj  uu:mm",
		"dd-mm-jjjj uu:mm:ss:ff", "dd-mm-jjjj uu:mm:", "dd-mm-jjjj ss:mm",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err[0] = '\0';
		if (parse_date_formats_init(&f, bad[i], err, sizeof(err)) != -1)
			HARNESS_FAIL("format \"%s\" accepted", bad[i]);
		CHECK_CONTAINS(err, "uu:mm or uu:mm:ss");
	}
	CHECK_INT(parse_date_formats_init(&f, "uu:mm dd-mm-jjjj", err,
					  sizeof(err)), -1);
}

/* Dates as JSON and SQL Server's exports write them: a T before the
 * time, a fraction of a second, a zone.  Without a zone the day is the
 * one written; with one, the day in the Netherlands of that instant (CET,
 * CEST from 01:00 UTC on 25 March 2018 to 01:00 UTC on 28 October 2018,
 * the last Sundays), worked out by hand per line.  Before, every such
 * value was refused, and a format with a T was no format. */
TEST(dates_iso_8601)
{
	parse_date_formats f;
	char err[128] = "";
	int32_t d = 0;

	CHECK_INT(parse_date_formats_init(&f, "jjjj-mm-ddTuu:mm:ss, "
					  "dd-mm-jjjj uu:mm:ss, "
					  "jjjj-mm-ddThh:mm", err,
					  sizeof(err)), 0);
	CHECK_INT(f.count, 3);
	CHECK_INT(f.formats[0].time, 3);
	CHECK_INT(f.formats[0].time_separator, 'T');
	CHECK_STR(f.formats[0].order, "ymd");
	CHECK_INT(f.formats[1].time_separator, ' ');
	CHECK_INT(f.formats[2].time, 2);
	static const struct { const char *text; int month, day; } read[] = {
		{ "2018-03-01T00:00:00", 3, 1 },
		{ "2018-03-02T23:59:59.997", 3, 2 },	/* no zone: as written */
		{ "2018-03-03T00:00:00Z", 3, 3 },	/* 01:00 CET */
		{ "2018-03-04T00:00:00+01:00", 3, 4 },
		{ "2018-03-05T23:30:00-05:00", 3, 6 },	/* 04:30 UTC, 05:30 CET */
		{ "2018-03-06T12:00:00.1234567+0200", 3, 6 },
		{ "2018-03-07T12:00:00+02", 3, 7 },
		{ "08-03-2018 00:00:00.000", 3, 8 },
		{ "09-03-2018 10:15:00z", 3, 9 },	/* 11:15 CET */
		{ "2018-03-10T10:15", 3, 10 },
		/* Dutch midnight written in UTC, winter and summer */
		{ "2018-02-28T23:00:00.000Z", 3, 1 },
		{ "2018-02-28T22:59:59Z", 2, 28 },
		{ "2018-06-30T22:00:00Z", 7, 1 },
		{ "2018-06-30T21:59:00Z", 6, 30 },
		{ "2018-06-30T23:00:00+00:00", 7, 1 },
		/* summer time begins 25 March 01:00 UTC, ends 28 October */
		{ "2018-03-24T23:00:00Z", 3, 25 },	/* 00:00 CET */
		{ "2018-03-24T22:59:00Z", 3, 24 },
		{ "2018-03-25T22:00:00Z", 3, 26 },	/* 00:00 CEST */
		{ "2018-03-25T21:59:00Z", 3, 25 },
		{ "2018-10-27T22:00:00Z", 10, 28 },	/* 00:00 CEST */
		{ "2018-10-27T21:59:00Z", 10, 27 },
		{ "2018-10-28T23:00:00Z", 10, 29 },	/* 00:00 CET */
		{ "2018-10-28T22:59:00Z", 10, 28 },
		{ "2018-12-31T23:30:00-01:00", 1, 1 },	/* of 2019 */
		{ "2018-01-01T00:30:00+14:00", 12, 31 },	/* of 2017 */
	};
	for (size_t i = 0; i < sizeof(read) / sizeof(*read); i++) {
		int year = read[i].month == 1 && read[i].day == 1 ? 2019
			   : read[i].month == 12		 ? 2017
								 : 2018;

		d = 0;
		if (date_of(&f, read[i].text, &d) != 0)
			HARNESS_FAIL("\"%s\" refused", read[i].text);
		if (d != D(year, read[i].month, read[i].day))
			HARNESS_FAIL("\"%s\" read as day %d, not %04d-%02d-%02d",
				     read[i].text, (int)d, year, read[i].month,
				     read[i].day);
	}
	/* A fraction and a zone follow seconds only; each is whole. */
	static const char *const refused[] = {
		"2018-03-01 00:00:00", "01-03-2018T00:00:00",
		"2018-03-01T00:00Z", "2018-03-01T00:00.5",
		"2018-03-01T00:00:00.", "2018-03-01T00:00:00.1234567890",
		"2018-03-01T00:00:00+1", "2018-03-01T00:00:00+01:0",
		"2018-03-01T00:00:00+15:00", "2018-03-01T00:00:00+01:60",
		"2018-03-01T00:00:00ZZ", "2018-03-01T00:00:00 Z",
		"2018-03-01T00:00:00+01:00Z", "2018-03-01T00:00:00CET",
		"2018-03-01T24:00:00Z", "2018-02-30T00:00:00Z",
		"2018-03-01T00:00:00.000.000",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (date_of(&f, refused[i], &d) != -1)
			HARNESS_FAIL("\"%s\" read as a date", refused[i]);
	CHECK_INT(parse_date_formats_init(&f, "jjjj-mm-ddTuu", err,
					  sizeof(err)), -1);
	CHECK_CONTAINS(err, "uu:mm or uu:mm:ss, after one space or a T");
}

TEST(integers)
{
	int64_t v = 0;

	CHECK_INT(integer_of("0", ',', &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(integer_of("1234", ',', &v), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(integer_of("1.234", ',', &v), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(integer_of("1,234", '.', &v), 0);
	CHECK_INT(v, 1234);
	CHECK_INT(integer_of("-12.345.678", ',', &v), 0);
	CHECK_INT(v, -12345678);
	CHECK_INT(integer_of("+7", ',', &v), 0);
	CHECK_INT(v, 7);
	CHECK_INT(integer_of("007", ',', &v), 0);
	CHECK_INT(v, 7);
	/* A zero fraction is still an integer. */
	CHECK_INT(integer_of("8,0", ',', &v), 0);
	CHECK_INT(v, 8);
	CHECK_INT(integer_of("9223372036854775807", ',', &v), 0);
	CHECK_INT(v, INT64_MAX);
	CHECK_INT(integer_of("-9.223.372.036.854.775.808", ',', &v), 0);
	CHECK(v == INT64_MIN);
}

TEST(integers_refused)
{
	const char *bad[] = {
		"", "-", "+", "1,5", "1,", ",5", "12.34", "1.2345", "1234.567",
		"1.234.56", "1..234", "1.234.", ".123", "0.123", "1,234",
		"1 234", " 1", "1 ", "1a", "a1", "--1", "+-1", "1e3", "0x10",
		"9223372036854775808", "-9223372036854775809",
		"99999999999999999999", "1,234.56",
	};
	int64_t v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (integer_of(bad[i], ',', &v) != -1)
			HARNESS_FAIL("integer \"%s\" accepted as %lld", bad[i],
				     (long long)v);
	CHECK_INT(v, 42);
	/* The decimal mark must be ',' or '.'. */
	CHECK_INT(integer_of("1", ';', &v), -1);
	/* Under a decimal point the roles swap. */
	CHECK_INT(integer_of("1.234", '.', &v), -1);
	CHECK_INT(integer_of("1,234.000", '.', &v), 0);
	CHECK_INT(v, 1234);
}

TEST(reals)
{
	double v = 0;

	CHECK_INT(real_of("1.234,56", ',', &v), 0);
	CHECK_DOUBLE(v, 1234.56, 1e-9);
	CHECK_INT(real_of("1,234.56", '.', &v), 0);
	CHECK_DOUBLE(v, 1234.56, 1e-9);
	CHECK_INT(real_of("0,1", ',', &v), 0);
	CHECK(v == 0.1);	/* the same double as the literal */
	CHECK_INT(real_of("-7,25", ',', &v), 0);
	CHECK(v == -7.25);
	CHECK_INT(real_of("+3", ',', &v), 0);
	CHECK(v == 3.0);
	CHECK_INT(real_of("1.234", ',', &v), 0);
	CHECK(v == 1234.0);
	CHECK_INT(real_of("12.345.678,9", ',', &v), 0);
	CHECK_DOUBLE(v, 12345678.9, 1e-6);
	CHECK_INT(real_of("1234567,125", ',', &v), 0);
	CHECK(v == 1234567.125);
	/* Only len characters are read. */
	CHECK_INT(parse_real("2,5xyz", 3, ',', &v), 0);
	CHECK(v == 2.5);
}

TEST(reals_refused)
{
	const char *bad[] = {
		"", "-", "1,234.56", "12.34", "1.2345", "1,", ",5", "1,5,5",
		"1,5.000", "0.123,4", "1e5", "inf", "nan", "1 234,5", "1,5 ",
		"€ 5", "5%",
		/* 101 characters: longer than any figure. */
		"1111111111111111111111111111111111111111111111111111111111111"
		"1111111111111111111111111111111111111111",
	};
	double v = 42;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (real_of(bad[i], ',', &v) != -1)
			HARNESS_FAIL("real \"%s\" accepted as %g", bad[i], v);
	CHECK(v == 42);
	/* So no text reaches infinity: 100 digits are 1e99 at most. */
	{
		char big[101];

		memset(big, '9', 100);
		big[100] = '\0';
		CHECK_INT(real_of(big, ',', &v), 0);
		CHECK_DOUBLE(v / 1e100, 1.0, 1e-12);
	}
}

TEST(booleans)
{
	const char *yes[] = { "ja", "JA", "Ja", "j", "J", "yes", "Y", "true",
			      "TRUE", "waar", "Waar", "1" };
	const char *no[] = { "nee", "NEE", "n", "N", "no", "No", "false",
			     "False", "onwaar", "ONWAAR", "0" };
	const char *bad[] = { "", "jaa", "nee ", " ja", "2", "x", "t", "f",
			      "on", "off", "nv", "n.v.t.", "yess" };
	int v = -1;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = -1;
		if (parse_boolean(yes[i], strlen(yes[i]), &v) != 0 || v != 1)
			HARNESS_FAIL("\"%s\" is not true", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = -1;
		if (parse_boolean(no[i], strlen(no[i]), &v) != 0 || v != 0)
			HARNESS_FAIL("\"%s\" is not false", no[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		if (parse_boolean(bad[i], strlen(bad[i]), &v) != -1 || v != -1)
			HARNESS_FAIL("\"%s\" accepted", bad[i]);
	}
	/* Only len characters are read: "ja" of "jammer". */
	CHECK_INT(parse_boolean("jammer", 2, &v), 0);
	CHECK_INT(v, 1);
}

/* [run] kpis, withdrawn and grains: entries between commas, spaces,
 * tabs and line breaks (a value continued on indented lines), any number
 * of them, at either end too. */
TEST(lists)
{
	static const char *const want[] = { "a", "tag:b", "-c", "d" };
	const char *at = " ,a, tag:b\t-c,\n  d\r\n ,";
	size_t n, i = 0;

	for (; (n = parse_list_next(&at)); at += n, i++) {
		CHECK(i < 4);
		CHECK_INT(n, strlen(want[i]));
		CHECK(strncmp(at, want[i], n) == 0);
	}
	CHECK_INT(i, 4);
	CHECK_STR(at, "");
	at = " ,\t";
	CHECK_INT(parse_list_next(&at), 0);
}

/* Numbers of the config: decimal, finite; the length read. */
TEST(config_numbers)
{
	static const struct {
		const char *text;
		size_t len;
		double value;
	} read[] = {
		{ "80", 2, 80 }, { "5.5", 3, 5.5 }, { "-2", 2, -2 },
		{ "+.5", 3, 0.5 }, { "5.", 2, 5 }, { "1e1", 3, 10 },
		{ "2E-1", 4, 0.2 }, { "10%", 2, 10 }, { "10 %", 2, 10 },
		{ "1e", 1, 1 }, { "5,5", 1, 5 },
	};
	static const char *const refused[] = {
		"nan", "inf", "-inf", "infinity", "1e400", "0x10", "", ".",
		"-", "e5", " 5", "NaN%",
	};
	double x;

	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
		x = -1;
		CHECK_INT(parse_config_number(read[i].text, &x), read[i].len);
		CHECK(x == read[i].value);
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_INT(parse_config_number(refused[i], &x), 0);
}

/* --------------------------------------------- the full-width fast path */

/* Whether parse_date and parse_date_general give one answer for
 * text[0..len): the same result, and on success the same day; on
 * failure both leave out as it was.  1 when they agree. */
static int same_answer(const parse_date_formats *f, const char *text,
		       size_t len)
{
	int32_t fast = -77, general = -77;
	int a = parse_date(f, text, len, &fast);
	int b = parse_date_general(f, text, len, &general);

	if (a == b && fast == general)
		return 1;
	fprintf(stderr, "    \"%.*s\" (%s): parse_date %d (%ld), general "
		"%d (%ld)\n", (int)len, text, f->formats[0].spec, a,
		(long)fast, b, (long)general);
	return 0;
}

/* The test's own calendar, not calendar.c's: Gregorian leap years. */
static int days_in(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				      30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 ? 28 + leap : days[m - 1];
}

/* Day, month and year written at full width in the format's order and
 * separator (no time), into out (11 bytes). */
static void write_date(const parse_date_format *f, int y, int m, int d,
		       char *out)
{
	char s = f->separator;

	if (f->order[0] == 'y')
		snprintf(out, 11, "%04d%c%02d%c%02d", y, s, m, s, d);
	else if (f->order[0] == 'd')
		snprintf(out, 11, "%02d%c%02d%c%04d", d, s, m, s, y);
	else
		snprintf(out, 11, "%02d%c%02d%c%04d", m, s, d, s, y);
}

/* Every date of some years (leap and not, the first and the last year
 * Peil takes, and years it refuses), every month 0 to 13 and day 0 to 32,
 * at full width in several layouts: accepted exactly when the test's own
 * calendar says the date is real, with the day date_from_civil counts;
 * and each text also with every character replaced by each of a few
 * others, cut short, made longer, and with a time after it, where the
 * fast path and the general one must agree. */
TEST(dates_fast_path_as_general)
{
	static const char *const specs[] = {
		"dd-mm-jjjj", "jjjj-mm-dd", "mm/dd/jjjj", "dd.mm.jjjj",
		"d-m-jjjj", "jjjj/mm/dd", "dd-mm-jjjj, jjjj-mm-dd",
		"mm-dd-jjjj, jjjj.mm.dd",
	};
	static const int years[] = { 0, 1, 999, 1900, 1999, 2000, 2016, 2017,
				     2018, 2100, 2400, 9999 };
	static const char others[] = "0159 -/.:aT+";
	static const char *const tails[] = { "", "0", " ", "-", " 00:00",
					     "T00:00" };
	size_t texts = 0, accepted = 0, expected = 0, differ = 0;

	for (size_t sp = 0; sp < sizeof(specs) / sizeof(*specs); sp++) {
		parse_date_formats f;

		CHECK_INT(parse_date_formats_init(&f, specs[sp], NULL, 0), 0);
		for (size_t yi = 0; yi < sizeof(years) / sizeof(*years); yi++)
			for (int m = 0; m <= 13; m++)
				for (int d = 0; d <= 32; d++) {
					int y = years[yi];
					int real = y >= 1 && m >= 1 &&
						   m <= 12 && d >= 1 &&
						   d <= days_in(y, m);
					char text[16], mutated[16];
					int32_t day = -1;

					write_date(&f.formats[0], y, m, d,
						   text);
					texts++;
					expected += real;
					if (parse_date(&f, text, 10, &day) ==
					    0) {
						accepted++;
						if (!real ||
						    day != date_from_civil(
								   y, m, d))
							differ++;
					}
					differ += !same_answer(&f, text, 10);
					for (size_t i = 0; i < 10; i++)
						for (size_t o = 0;
						     others[o]; o++) {
							memcpy(mutated, text,
							       11);
							mutated[i] = others[o];
							differ += !same_answer(
								&f, mutated,
								10);
						}
					for (size_t len = 0; len < 10; len++)
						differ += !same_answer(
							&f, text, len);
					for (size_t t = 0;
					     t < sizeof(tails) /
							 sizeof(*tails);
					     t++) {
						snprintf(mutated,
							 sizeof(mutated),
							 "%s%s", text,
							 tails[t]);
						differ += !same_answer(
							&f, mutated,
							strlen(mutated));
					}
				}
	}
	CHECK_INT(differ, 0);
	CHECK_INT(texts, 8 * 12 * 14 * 33);
	/* Of the 12 years, 1, 999, 1900, 1999, 2017, 2018, 2100 and 9999
	 * have 365 days, the leap years 2000, 2016 and 2400 have 366, the
	 * year 0 none; in each of the 8 layouts. */
	CHECK_INT(expected, 8 * (8 * 365 + 3 * 366));
	CHECK_INT(accepted, expected);
}

/* Hand-picked texts, their answers worked out by hand: leap days, days
 * and months out of range, short and long fields, spaces. */
TEST(dates_fast_path_by_hand)
{
	parse_date_formats dmy, ymd;
	static const struct {
		const char *text;
		int ymd;	/* of which format: 0 dd-mm-jjjj, 1 jjjj-mm-dd */
		int y, m, d;	/* 0 0 0: refused */
	} cases[] = {
		{ "29-02-2016", 0, 2016, 2, 29 },
		{ "29-02-2000", 0, 2000, 2, 29 },
		{ "29-02-2017", 0, 0, 0, 0 },
		{ "29-02-1900", 0, 0, 0, 0 },
		{ "2100-02-29", 1, 0, 0, 0 },
		{ "2400-02-29", 1, 2400, 2, 29 },
		{ "31-04-2018", 0, 0, 0, 0 },
		{ "30-04-2018", 0, 2018, 4, 30 },
		{ "31-12-9999", 0, 9999, 12, 31 },
		{ "01-01-0001", 0, 1, 1, 1 },
		{ "01-01-0000", 0, 0, 0, 0 },
		{ "00-01-2018", 0, 0, 0, 0 },
		{ "32-01-2018", 0, 0, 0, 0 },
		{ "01-00-2018", 0, 0, 0, 0 },
		{ "01-13-2018", 0, 0, 0, 0 },
		{ "2018-13-01", 1, 0, 0, 0 },
		{ "2018-12-32", 1, 0, 0, 0 },
		{ "2018-1-010", 1, 0, 0, 0 },	/* a day of three digits */
		{ "1-1-201800", 0, 0, 0, 0 },	/* a year of six */
		{ "1-001-2018", 0, 0, 0, 0 },	/* a month of three */
		{ "1-01-2018", 0, 2018, 1, 1 },
		{ "01-1-2018", 0, 2018, 1, 1 },
		{ "2018-1-1", 1, 2018, 1, 1 },
		{ " 1-01-2018", 0, 0, 0, 0 },
		{ "1 -01-2018", 0, 0, 0, 0 },
		{ "01-01-2018 ", 0, 0, 0, 0 },
		{ "01- 1-2018", 0, 0, 0, 0 },
		{ "01-01- 018", 0, 0, 0, 0 },
		{ "2018-01-0 ", 1, 0, 0, 0 },
		{ "01/01/2018", 0, 0, 0, 0 },	/* another separator */
		{ "01-01/2018", 0, 0, 0, 0 },
		{ "-1-01-2018", 0, 0, 0, 0 },
		{ "+1-01-2018", 0, 0, 0, 0 },
		{ "2018--1-01", 1, 0, 0, 0 },
		{ "0x-01-2018", 0, 0, 0, 0 },
	};

	CHECK_INT(parse_date_formats_init(&dmy, "dd-mm-jjjj", NULL, 0), 0);
	CHECK_INT(parse_date_formats_init(&ymd, "jjjj-mm-dd", NULL, 0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const parse_date_formats *f = cases[i].ymd ? &ymd : &dmy;
		int32_t day = -5;
		int rc = date_of(f, cases[i].text, &day);

		if (!cases[i].y) {
			CHECK_INT(rc, -1);
			CHECK_INT(day, -5);
		} else {
			CHECK_INT(rc, 0);
			CHECK_INT(day, D(cases[i].y, cases[i].m, cases[i].d));
		}
		CHECK(same_answer(f, cases[i].text, strlen(cases[i].text)));
	}
}

int main(void)
{
	RUN(format_specs);
	RUN(format_specs_refused);
	RUN(dates_dutch);
	RUN(dates_other_layouts);
	RUN(dates_order_of_formats);
	RUN(dates_with_time);
	RUN(dates_iso_8601);
	RUN(dates_fast_path_as_general);
	RUN(dates_fast_path_by_hand);
	RUN(integers);
	RUN(integers_refused);
	RUN(reals);
	RUN(reals_refused);
	RUN(booleans);
	RUN(lists);
	RUN(config_numbers);
	return harness_done();
}
