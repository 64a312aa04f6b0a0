/*
 * export_sniff.h - what the first rows of a CSV export say about it: its
 * encoding, separator, headers, and per column a type, date format and
 * decimal mark that every value read fits (for peil init).
 */
#ifndef PEIL_EXPORT_SNIFF_H
#define PEIL_EXPORT_SNIFF_H

#include <stddef.h>
#include <stdint.h>

#include "peil/plugin.h"

/* How much is read: the first rows, within the first bytes. */
#define EXPORT_SNIFF_MAX_ROWS 500
#define EXPORT_SNIFF_MAX_BYTES (1024 * 1024)

typedef enum export_type {
	EXPORT_TEXT,
	EXPORT_INTEGER,
	EXPORT_REAL,
	EXPORT_DATE,
	EXPORT_BOOLEAN
} export_type;

typedef struct export_column {
	char *header;		/* UTF-8, as the csv plugin matches it */
	export_type type;	/* the narrowest type every value fits */
	/* EXPORT_DATE: the formats that read its values, as a date_format
	 * list: "dd-mm-jjjj"; "jjjj-mm-dd, jjjj-mm-ddTuu:mm:ss" for dates
	 * written with a time and without */
	char date_format[128];
	/* The values that read as a date in one of the formats, and the
	 * first that does not (made visible, cut): a column of dates but
	 * for that one is text, and peil init says why. */
	size_t dates;
	char not_date[48];
	char decimal;		/* EXPORT_REAL: ',' or '.' */
	size_t filled;		/* rows with a value */
	int unique;		/* no value twice (and at least one) */
	int first_year, last_year;	/* EXPORT_DATE: of the values read */
} export_column;

typedef struct export_sniff {
	int utf8;		/* else windows-1252 */
	char separator;		/* ';', ',' or '\t' */
	size_t rows;		/* data rows read */
	size_t ragged;		/* of which with another column count */
	size_t column_count;
	export_column *columns;
} export_sniff;

/* Read the first rows of the CSV file at path into out.  0 on success
 * (release with export_sniff_release); -1 with err naming the file when
 * it cannot be read, is empty, is UTF-16, or has no header line, and
 * then there is nothing to release. */
int export_sniff_file(const char *path, export_sniff *out, peil_error *err);
void export_sniff_release(export_sniff *s);

/* "text", "integer", "real", "date" or "boolean": the config's names. */
const char *export_type_name(export_type type);

#endif
