/*
 * parse.c - dates, numbers and booleans from the text of exports.
 *
 * Strict on purpose: a value that could be read two ways (1.234 as a
 * thousand or as one and a bit) is read only the way the source declared,
 * and anything else is refused, so that a wrong format shows up as errors
 * instead of as figures that are quietly off by a factor of a thousand.
 */
#include "base/parse.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/config.h"

/* Longer numbers are not figures from a registration system. */
#define NUMBER_MAX_CHARS 100

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* ---------------------------------------------------------------- dates */

static int format_error(char *err, size_t err_size, const char *spec,
			size_t len, const char *why)
{
	if (err != NULL && err_size > 0)
		snprintf(err, err_size, "date format \"%.*s\": %s",
			 (int)(len > 40 ? 40 : len), spec, why);
	return -1;
}

/* Where the time of day begins in a format: after a space, or after the
 * T of ISO 8601 ("jjjj-mm-ddTuu:mm:ss", as JSON and SQL Server's
 * exports write dates) that follows the date's last field; NULL when the
 * format has no time. */
static const char *time_separator(const char *spec, size_t len)
{
	const char *space = memchr(spec, ' ', len);

	if (space)
		return space;
	for (size_t i = 1; i + 1 < len; i++)
		if ((spec[i] == 'T' || spec[i] == 't') &&
		    strchr("dDmMjJyY", spec[i - 1]) != NULL &&
		    strchr("uUhH", spec[i + 1]) != NULL)
			return spec + i;
	return NULL;
}

/* One format such as "dd-mm-jjjj" from spec[0..len), already trimmed. */
static int parse_one_format(const char *spec, size_t len, parse_date_format *out,
			    char *err, size_t err_size)
{
	size_t i = 0, fields = 0, separators = 0;
	char separator = 0;
	int fixed_width = 1;	/* every field written at full width */

	const char *space = time_separator(spec, len);
	size_t date_len = space ? (size_t)(space - spec) : len;

	if (len == 0)
		return format_error(err, err_size, spec, len, "empty");
	if (len >= sizeof(out->spec))
		return format_error(err, err_size, spec, len, "too long");
	out->time = 0;
	out->time_separator = 0;
	if (space) {
		const char *t = space + 1;
		size_t tlen = len - date_len - 1;

		if ((tlen != 5 && tlen != 8) ||
		    (ascii_lower((unsigned char)t[0]) != 'u' &&
		     ascii_lower((unsigned char)t[0]) != 'h') ||
		    ascii_lower((unsigned char)t[1]) !=
			    ascii_lower((unsigned char)t[0]) ||
		    memcmp(t + 2, ":mm:ss", tlen - 2) != 0)
			return format_error(err, err_size, spec, len,
					    "a time after the date is uu:mm "
					    "or uu:mm:ss, after one space or "
					    "a T");
		out->time = tlen == 5 ? 2 : 3;
		out->time_separator = *space == ' ' ? ' ' : 'T';
	}
	while (i < date_len) {
		int c = ascii_lower((unsigned char)spec[i]);
		size_t run = 0;

		if (c == '-' || c == '/' || c == '.') {
			if (separators > 0 && spec[i] != separator)
				return format_error(err, err_size, spec, len,
						    "mixed separators");
			separator = spec[i];
			if (++separators != fields)
				return format_error(err, err_size, spec, len,
						    "misplaced separator");
			i++;
			continue;
		}
		while (i + run < date_len &&
		       ascii_lower((unsigned char)spec[i + run]) == c)
			run++;
		if (fields == 3 || (fields > 0 && separators != fields &&
				    separators != 0))
			return format_error(err, err_size, spec, len,
					    "expected three fields");
		if ((c == 'd' || c == 'm') && (run == 1 || run == 2)) {
			fixed_width &= run == 2;
		} else if ((c == 'j' || c == 'y') && run == 4) {
			c = 'y';
		} else {
			return format_error(err, err_size, spec, len,
					    "unknown field; use dd, mm and jjjj");
		}
		if (memchr(out->order, c, fields) != NULL)
			return format_error(err, err_size, spec, len,
					    "a field appears twice");
		out->order[fields++] = (char)c;
		i += run;
	}
	if (fields != 3 || (separators != 0 && separators != 2))
		return format_error(err, err_size, spec, len,
				    "expected day, month and year");
	if (separators == 0 && !fixed_width)
		return format_error(err, err_size, spec, len,
				    "without separators, use dd and mm");
	out->order[3] = '\0';
	if (strcmp(out->order, "dmy") != 0 && strcmp(out->order, "ymd") != 0 &&
	    strcmp(out->order, "mdy") != 0)
		return format_error(err, err_size, spec, len,
				    "the order must be day-month-year, "
				    "year-month-day or month-day-year");
	out->separator = separator;
	memcpy(out->spec, spec, len);
	out->spec[len] = '\0';
	return 0;
}

struct format_list {
	parse_date_formats *out;
	char *err;
	size_t err_size;
};

static int add_format(void *arg, const char *item)
{
	struct format_list *l = arg;
	parse_date_formats *out = l->out;

	if (out->count == PARSE_MAX_DATE_FORMATS)
		return format_error(l->err, l->err_size, item, strlen(item),
				    "more than 8 formats");
	if (parse_one_format(item, strlen(item), &out->formats[out->count],
			     l->err, l->err_size) != 0)
		return -1;
	out->count++;
	return 0;
}

/* The items are split as every list of the config is (config_each_item),
 * so that a long list of formats may continue on the next line too. */
int parse_date_formats_init(parse_date_formats *out, const char *spec,
			    char *err, size_t err_size)
{
	struct format_list l = { out, err, err_size };

	memset(out, 0, sizeof(*out));
	if (spec == NULL)
		return format_error(err, err_size, "", 0, "empty");
	if (config_each_item(spec, add_format, &l) != 0)
		return -1;
	if (out->count == 0)
		return format_error(err, err_size, spec, strlen(spec), "empty");
	return 0;
}

/* The digit at text[i], 0 to 9, or above 9 for any other character. */
#define DIGIT(text, i) ((unsigned)((unsigned char)(text)[i] - '0'))

/* The fields of a date written at full width, as most exports write
 * every date: ten characters with the format's separator where two-digit
 * fields put it (dd-mm-jjjj, mm/dd/jjjj: at 2 and 5; jjjj-mm-dd: at 4
 * and 7) and digits everywhere else.  Such a text splits into these three
 * fields and no others, so date_fields gives the same values; this only
 * skips its search for separators.  1 with values set, 0 when the text
 * is not of this form (date_fields decides). */
static int date_fields_fixed(const parse_date_format *f, const char *text,
			     size_t len, int values[3])
{
	const int year_first = f->order[0] == 'y';
	const size_t a = year_first ? 4 : 2, b = a + 3;
	unsigned d[8];
	size_t i, k = 0;

	if (len != 10 || f->separator == 0 || text[a] != f->separator ||
	    text[b] != f->separator)
		return 0;
	for (i = 0; i < 10; i++) {
		if (i == a || i == b)
			continue;
		d[k] = DIGIT(text, i);
		if (d[k++] > 9)
			return 0;
	}
	if (year_first) {
		values[0] = (int)(d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]);
		values[1] = (int)(d[4] * 10 + d[5]);
		values[2] = (int)(d[6] * 10 + d[7]);
	} else {
		values[0] = (int)(d[0] * 10 + d[1]);
		values[1] = (int)(d[2] * 10 + d[3]);
		values[2] = (int)(d[4] * 1000 + d[5] * 100 + d[6] * 10 + d[7]);
	}
	return 1;
}

/* Split text into three fields by the format's separator (or by fixed
 * widths), and check their widths: the year has four digits, day and
 * month one or two. */
static int date_fields(const parse_date_format *f, const char *text,
		       size_t len, int values[3])
{
	size_t start = 0, field = 0;

	if (f->separator == 0) {
		if (len != 8)
			return -1;
		for (size_t i = 0; i < 3; i++) {
			size_t width = f->order[i] == 'y' ? 4 : 2;

			values[i] = date_digits(text + start, (int)width);
			if (values[i] < 0)
				return -1;
			start += width;
		}
		return 0;
	}
	for (size_t i = 0; i <= len; i++) {
		size_t width = i - start;

		if (i < len && text[i] != f->separator)
			continue;
		if (field == 3)
			return -1;
		if (f->order[field] == 'y' ? width != 4 : width > 2)
			return -1;
		values[field] = date_digits(text + start, (int)width);
		if (values[field++] < 0)
			return -1;
		start = i + 1;
	}
	return field == 3 ? 0 : -1;
}

/* No zone written after the time (time_suffix). */
#define NO_ZONE (-10000)

/* What may follow the seconds of a time at text[0..len): a fraction
 * (".000", as SQL Server writes datetime, up to nine digits) and then a
 * zone ("Z", "+01:00", "+0100", "+01"), both optional.  0 with *zone its
 * offset east of UTC in minutes (NO_ZONE without one); -1 when what
 * follows is neither. */
static int time_suffix(const char *text, size_t len, int *zone)
{
	size_t i = 0, digits;
	int sign;

	*zone = NO_ZONE;
	if (i < len && text[i] == '.') {
		for (digits = 0; i + 1 + digits < len &&
				 is_digit(text[i + 1 + digits]);
		     digits++)
			;
		if (digits == 0 || digits > 9)
			return -1;
		i += 1 + digits;
	}
	if (i == len)
		return 0;
	if ((text[i] == 'Z' || text[i] == 'z') && i + 1 == len) {
		*zone = 0;
		return 0;
	}
	if (text[i] != '+' && text[i] != '-')
		return -1;
	sign = text[i] == '-' ? -1 : 1;
	len -= i + 1;
	text += i + 1;
	if (!(len == 2 || len == 4 || (len == 5 && text[2] == ':')))
		return -1;
	int h = date_digits(text, 2);
	int m = len == 2 ? 0 : date_digits(text + len - 2, 2);

	if (h < 0 || h > 14 || m < 0 || m > 59)
		return -1;
	*zone = sign * (h * 60 + m);
	return 0;
}

/* The time of day at text[0..len): h:mm or hh:mm, with :ss when the
 * format has seconds (then a fraction and a zone may follow:
 * time_suffix).  0 with *minute its minute of the day and *zone as
 * time_suffix's when it is a real time, -1 otherwise. */
static int time_of_day(const parse_date_format *f, const char *text,
		       size_t len, int *minute, int *zone)
{
	size_t hour = len > 1 && text[1] == ':' ? 1 : 2;
	size_t time_len = hour + 3 * (size_t)(f->time - 1);
	int h, m, s = 0;

	*zone = NO_ZONE;
	if (len < time_len || text[hour] != ':' ||
	    (f->time == 3 && text[hour + 3] != ':'))
		return -1;
	if (len > time_len &&
	    (f->time != 3 ||
	     time_suffix(text + time_len, len - time_len, zone) < 0))
		return -1;
	h = date_digits(text, (int)hour);
	m = date_digits(text + hour + 1, 2);
	if (f->time == 3)
		s = date_digits(text + hour + 4, 2);
	*minute = h * 60 + m;
	return h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59 ? -1 : 0;
}

static int parse_date_as(const parse_date_format *f, const char *text,
			 size_t len, int fast, int32_t *out)
{
	int values[3], year = 0, month = 0, day = 0;
	int minute = 0, zone = NO_ZONE;

	if (f->time) {
		const char *space = memchr(text, f->time_separator, len);
		size_t date_len = space ? (size_t)(space - text) : len;

		if (!space || time_of_day(f, space + 1, len - date_len - 1,
					  &minute, &zone) != 0)
			return -1;
		len = date_len;
	}
	if (!(fast && date_fields_fixed(f, text, len, values)) &&
	    date_fields(f, text, len, values) != 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (f->order[i] == 'd')
			day = values[i];
		else if (f->order[i] == 'm')
			month = values[i];
		else
			year = values[i];
	}
	if (!date_valid(year, month, day))
		return -1;
	*out = date_from_civil(year, month, day);
	/* An instant with its zone names a day in the Netherlands: an
	 * export that wrote Dutch midnight in UTC (2018-02-28T23:00:00Z)
	 * means 1 March. */
	if (zone != NO_ZONE) {
		int utc = minute - zone;	/* -840 .. 2279 */
		int32_t utc_day = *out + (utc < 0 ? -1 : utc / (24 * 60));

		*out = date_dutch_day(utc_day, utc - (utc_day - *out) * 24 * 60);
	}
	return 0;
}

static int parse_date_by(const parse_date_formats *formats, const char *text,
			 size_t len, int fast, int32_t *out)
{
	for (size_t i = 0; i < formats->count; i++)
		if (parse_date_as(&formats->formats[i], text, len, fast,
				  out) == 0)
			return 0;
	return -1;
}

int parse_date(const parse_date_formats *formats, const char *text,
	       size_t len, int32_t *out)
{
	return parse_date_by(formats, text, len, 1, out);
}

int parse_date_general(const parse_date_formats *formats, const char *text,
		       size_t len, int32_t *out)
{
	return parse_date_by(formats, text, len, 0, out);
}

/* -------------------------------------------------------------- numbers */

/* The parts of a number, checked for form: sign, the integer digits with
 * thousands separators removed, and the fraction digits. */
typedef struct number_text {
	int negative;
	char digits[NUMBER_MAX_CHARS + 1];	/* integer part */
	size_t digit_count;
	const char *fraction;			/* points into the text */
	size_t fraction_count;
} number_text;

/* Check text against [+-]digits[<thousands>ddd...][<decimal>digits]: a
 * grouped number starts with a group of 1 to 3 digits, not 0, and every
 * further group has exactly three.  0 when it fits. */
static int scan_number(const char *text, size_t len, char decimal,
		       number_text *out)
{
	char thousands;
	size_t i = 0, group;

	if (decimal != ',' && decimal != '.')
		return -1;
	if (len > NUMBER_MAX_CHARS)
		return -1;
	thousands = decimal == ',' ? '.' : ',';
	memset(out, 0, sizeof(*out));
	if (i < len && (text[i] == '+' || text[i] == '-'))
		out->negative = text[i++] == '-';
	for (group = 0; i < len && is_digit(text[i]); i++, group++)
		out->digits[out->digit_count++] = text[i];
	if (group == 0)
		return -1;	/* no digit before the mark: ",5", "-" */
	if (i < len && text[i] == thousands) {
		/* 12.34 or 1234.567 under a decimal comma is no thousands
		 * grouping; 0.123 is probably a decimal point. */
		if (group > 3 || out->digits[0] == '0')
			return -1;
		while (i < len && text[i] == thousands) {
			i++;
			for (group = 0; i < len && is_digit(text[i]); i++, group++)
				out->digits[out->digit_count++] = text[i];
			if (group != 3)
				return -1;
		}
	}
	if (i < len && text[i] == decimal) {
		out->fraction = text + ++i;
		while (i < len && is_digit(text[i]))
			i++;
		out->fraction_count = (size_t)(text + i - out->fraction);
		if (out->fraction_count == 0)
			return -1;	/* "1," */
	}
	return i == len ? 0 : -1;	/* no trailing junk */
}

int parse_integer(const char *text, size_t len, char decimal, int64_t *out)
{
	number_text n;
	uint64_t magnitude = 0;
	/* INT64_MAX, or its magnitude plus one for INT64_MIN. */
	uint64_t limit;

	if (scan_number(text, len, decimal, &n) != 0)
		return -1;
	/* "7,0" is the integer 7 as some spreadsheets write it; "7,5" is no
	 * integer. */
	for (size_t i = 0; i < n.fraction_count; i++)
		if (n.fraction[i] != '0')
			return -1;
	limit = n.negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t i = 0; i < n.digit_count; i++) {
		unsigned digit = (unsigned)(n.digits[i] - '0');

		if (magnitude > (limit - digit) / 10)
			return -1;
		magnitude = magnitude * 10 + digit;
	}
	if (!n.negative)
		*out = (int64_t)magnitude;
	else if (magnitude == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)magnitude;
	return 0;
}

int parse_real(const char *text, size_t len, char decimal, double *out)
{
	number_text n;
	char buffer[NUMBER_MAX_CHARS + 8];
	const char *point;
	size_t point_len, used = 0;
	char *end;
	double value;

	if (scan_number(text, len, decimal, &n) != 0)
		return -1;
	/* strtod reads the locale's decimal point, so write that one (the
	 * host stays in the "C" locale, but a plugin might not). */
	point = localeconv()->decimal_point;
	point_len = strlen(point);
	if (point_len == 0 || point_len > 4) {
		point = ".";
		point_len = 1;
	}
	if (n.negative)
		buffer[used++] = '-';
	memcpy(buffer + used, n.digits, n.digit_count);
	used += n.digit_count;
	if (n.fraction_count > 0) {
		memcpy(buffer + used, point, point_len);
		used += point_len;
		memcpy(buffer + used, n.fraction, n.fraction_count);
		used += n.fraction_count;
	}
	buffer[used] = '\0';
	value = strtod(buffer, &end);
	if (end != buffer + used || !isfinite(value))
		return -1;
	*out = value;
	return 0;
}

/* ------------------------------------------------------------- booleans */

int parse_boolean(const char *text, size_t len, int *out)
{
	static const struct {
		const char *word;
		int value;
	} words[] = {
		{ "ja", 1 },   { "nee", 0 },	{ "j", 1 },	{ "n", 0 },
		{ "yes", 1 },  { "no", 0 },	{ "y", 1 },	{ "true", 1 },
		{ "false", 0 }, { "waar", 1 }, { "onwaar", 0 }, { "1", 1 },
		{ "0", 0 },
	};

	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		const char *word = words[w].word;
		size_t i = 0;

		if (strlen(word) != len)
			continue;
		while (i < len && ascii_lower((unsigned char)text[i]) == word[i])
			i++;
		if (i == len) {
			*out = words[w].value;
			return 0;
		}
	}
	return -1;
}

static size_t digits_at(const char *text)
{
	size_t n = 0;

	while (text[n] >= '0' && text[n] <= '9')
		n++;
	return n;
}

size_t parse_config_number(const char *text, double *out)
{
	size_t n = text[0] == '+' || text[0] == '-', digits, e;
	char *end;

	digits = digits_at(text + n);
	n += digits;
	if (text[n] == '.') {
		size_t more = digits_at(text + n + 1);

		digits += more;
		n += 1 + more;
	}
	if (!digits)
		return 0;
	if (text[n] == 'e' || text[n] == 'E') {
		e = n + 1 + (text[n + 1] == '+' || text[n + 1] == '-');
		if (digits_at(text + e))
			n = e + digits_at(text + e);
	}
	*out = strtod(text, &end);
	return end == text + n && isfinite(*out) ? n : 0;
}

/* ---------------------------------------------------------------- lists */

size_t parse_list_next(const char **at)
{
	*at += strspn(*at, " ,\t\r\n");
	return strcspn(*at, " ,\t\r\n");
}
