/*
 * parse.h - converting the text of exports into typed values.
 *
 * Exports write dates as dd-mm-jjjj, d-m-jjjj, jjjj-mm-dd and the like, and
 * numbers with a decimal comma and thousands points.  A source declares its
 * formats; these functions accept exactly what was declared and refuse the
 * rest, so that 1,234.56 under a decimal comma is an error, not 1.23456.
 * All take text with a length (not NUL-terminated), already trimmed.
 */
#ifndef PEIL_PARSE_H
#define PEIL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define PARSE_MAX_DATE_FORMATS 8

/* One date layout: the order of day, month, year and the separator, and
 * the time of day that follows the date in the export, if any. */
typedef struct parse_date_format {
	char order[4];		/* "dmy", "ymd" or "mdy" */
	char separator;		/* '-', '/', '.', or 0 for none (jjjjmmdd) */
	char time;		/* 0: none; 2: " uu:mm"; 3: " uu:mm:ss" */
	char time_separator;	/* ' ' or 'T' before the time, 0 without */
	char spec[24];		/* as written in the config, for messages */
} parse_date_format;

typedef struct parse_date_formats {
	size_t count;
	parse_date_format formats[PARSE_MAX_DATE_FORMATS];
} parse_date_formats;

/* Parse a list of formats such as "dd-mm-jjjj, jjjj-mm-dd", split as every
 * list of the config (commas or line breaks; config_each_item) (jjjj and
 * yyyy both mean the year; dd and mm accept one or two digits except in
 * the separator-less jjjjmmdd).  A format may end in a time of day after
 * one space or ISO 8601's T, "uu:mm" or "uu:mm:ss" (hh for uu is fine):
 * the export's values then carry that time, which must be a real one (the
 * hour of one or two digits) and is not kept; after seconds it may have a
 * fraction and a zone ("00:00:00.000", "00:00:00Z", "00:00:00+01:00").
 * Without a zone the day is the one written; with one, the day in the
 * Netherlands of that instant (date_dutch_day).  0 on success; -1 with a
 * message in err naming the bad format. */
int parse_date_formats_init(parse_date_formats *out, const char *spec,
			    char *err, size_t err_size);

/* A date in any of the formats, tried in order; it must be a real date
 * (31-02-2017 is refused).  0 on success, -1 otherwise. */
int parse_date(const parse_date_formats *formats, const char *text,
	       size_t len, int32_t *out);

/* parse_date without its fast path for dates written at full width (ten
 * characters such as 09-03-2017): the same answer for every text, by the
 * general split into fields; for the test that compares the two. */
int parse_date_general(const parse_date_formats *formats, const char *text,
		       size_t len, int32_t *out);

/* decimal is ',' or '.'; the other mark is accepted as a thousands
 * separator only between groups of exactly three digits.  A leading + or -
 * is allowed.  0 on success, -1 when not a number of that form or out of
 * range.  parse_integer refuses a fraction ("1,5"). */
int parse_integer(const char *text, size_t len, char decimal, int64_t *out);
int parse_real(const char *text, size_t len, char decimal, double *out);

/* ja/nee, j/n, yes/no, y/n, true/false, waar/onwaar, 1/0, in any case.
 * 0 on success, -1 otherwise. */
int parse_boolean(const char *text, size_t len, int *out);

/* A number of the config as C writes it (80, 5.5, -2, 1e3): a sign,
 * digits with at most one point, an exponent; finite.  Its length in
 * text, or 0 when text does not start with one (nan, inf, 1e400; 0x10
 * and 5,5 give 0 or stop before the 'x' or ','), with the value in *out. */
size_t parse_config_number(const char *text, double *out);

/* The next entry of a list of words separated by commas, blanks and line
 * breaks (a value continued on indented lines), as [run] kpis, withdrawn
 * and grains are written: its length (0 after the last), *at moved to its
 * start.  Step past it with *at += the length. */
size_t parse_list_next(const char **at);

#endif
