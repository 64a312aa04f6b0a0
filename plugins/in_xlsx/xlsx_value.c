/*
 * xlsx_value.c - date serials and number texts.
 *
 * The civil-date arithmetic is Howard Hinnant's days_from_civil /
 * civil_from_days (proleptic Gregorian), as Peil's host uses; a plugin
 * links nothing of the host, so it has its own copy of the two formulas.
 */
#include "xlsx_value.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int32_t days_from_civil(int y, unsigned m, unsigned d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void xlsx_format_date(int32_t days, char buf[11])
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	if (y < 0 || y > 9999)	/* Excel's dates end at 9999 */
		y = 0;
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

/* Serial 2958465 is 9999-12-31 in the 1900 system, Excel's last day. */
#define LAST_SERIAL_1900 2958465.0
#define DAYS_1900_03_01 (-25508)	/* serial 61 */
#define DAYS_1904_01_01 (-24107)	/* serial 0 of the 1904 system */

int xlsx_serial_date(double serial, int date1904, int32_t *days,
		     const char **reason)
{
	double day = floor(serial);

	if (!(day == day) || day > LAST_SERIAL_1900) {
		*reason = "is after 31-12-9999, Excel's last date";
		return -1;
	}
	if (date1904) {
		if (day < 0) {
			*reason = "is before 01-01-1904, the first date of the workbook's 1904 date system";
			return -1;
		}
		*days = (int32_t)day + DAYS_1904_01_01;
		return 0;
	}
	if (day < 1) {
		*reason = "is before 01-01-1900, Excel's first date";
		return -1;
	}
	if (day == 60) {
		*reason = "is 29-02-1900, a day that does not exist (Excel's 1900 leap-year bug)";
		return -1;
	}
	/* Before serial 60 Excel's count is one ahead of the calendar. */
	*days = (int32_t)day - 61 + DAYS_1900_03_01 + (day < 60 ? 1 : 0);
	return 0;
}

/* The digits pair at text as a number up to max, or -1. */
static int two_digits(const char *text, int max)
{
	int n;

	if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9')
		return -1;
	n = (text[0] - '0') * 10 + (text[1] - '0');
	return n <= max ? n : -1;
}

/* "hh:mm", "hh:mm:ss" or "hh:mm:ss.fff" up to the end of text: 0 when it
 * is a time of day that exists, -1 otherwise (a zone included). */
static int iso_time(const char *text)
{
	size_t i;

	if (two_digits(text, 23) < 0 || text[2] != ':' ||
	    two_digits(text + 3, 59) < 0)
		return -1;
	if (text[5] == '\0')
		return 0;
	if (text[5] != ':' || two_digits(text + 6, 59) < 0)
		return -1;
	if (text[8] == '\0')
		return 0;
	if (text[8] != '.' || text[9] < '0' || text[9] > '9')
		return -1;
	for (i = 10; text[i] >= '0' && text[i] <= '9'; i++)
		;
	return text[i] == '\0' ? 0 : -1;
}

int xlsx_iso_date(const char *text, int32_t *days)
{
	static const unsigned char month_days[12] = { 31, 29, 31, 30, 31, 30,
						      31, 31, 30, 31, 30, 31 };
	int y, i;
	unsigned m, d;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? text[i] != '-' :
				       (text[i] < '0' || text[i] > '9'))
			return -1;
	if (text[10] != '\0' && (text[10] != 'T' || iso_time(text + 11) < 0))
		return -1;
	y = atoi(text);
	m = (unsigned)atoi(text + 5);
	d = (unsigned)atoi(text + 8);
	if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1])
		return -1;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}

int xlsx_number(const char *text, double *x)
{
	const char *digits = text + (text[0] == '-');
	int64_t whole = 0;
	char *end;
	size_t n;

	for (n = 0; n < 16 && digits[n] >= '0' && digits[n] <= '9'; n++)
		whole = whole * 10 + (digits[n] - '0');
	if (n > 0 && n <= 15 && digits[n] == '\0') {
		*x = text[0] == '-' ? -(double)whole : (double)whole;
		return 0;
	}
	/* strtod's leniencies that no office program writes: leading
	 * space, hexadecimal */
	if (strchr("+-.0123456789nNiI", text[0]) == NULL || text[0] == '\0' ||
	    strpbrk(text, "xX") != NULL)
		return -1;
	*x = strtod(text, &end);
	return end == text || *end != '\0' ? -1 : 0;
}

void xlsx_number_text(const char *text, int zero_pad, char *buf, size_t size)
{
	char *end;
	double x = strtod(text, &end);

	if (end == text || *end != '\0') {	/* not a number: keep it */
		snprintf(buf, size, "%s", text);
		return;
	}
	if (x == floor(x) && x >= 0 && x < 1e15)
		snprintf(buf, size, "%0*.0f", zero_pad, x);
	else if (x == floor(x) && fabs(x) < 1e15)
		snprintf(buf, size, "%.0f", x);
	else
		snprintf(buf, size, "%.15g", x);
}
