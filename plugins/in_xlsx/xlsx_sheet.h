/*
 * xlsx_sheet.h - the rows of one worksheet, one at a time, streamed from
 * its <sheetData>: memory is one row whatever the number of rows.
 *
 *   xlsx_sheet *sheet = xlsx_sheet_open(zip, book, part, msg, size);
 *   while ((rc = xlsx_sheet_next(sheet, &row)) == 1) ... row.cells ...
 *   xlsx_sheet_close(sheet);
 */
#ifndef PEIL_XLSX_SHEET_H
#define PEIL_XLSX_SHEET_H

#include "xlsx_book.h"
#include "xlsx_zip.h"

#include <stddef.h>

typedef enum xlsx_kind {
	XLSX_TEXT,		/* shared, inline or formula string */
	XLSX_NUMBER,		/* text holds the number as written */
	XLSX_BOOLEAN,		/* text "1" or "0" */
	XLSX_ERROR,		/* text "#N/A", "#DIV/0!" ... */
	XLSX_ISO_DATE		/* t="d": text is an ISO 8601 date */
} xlsx_kind;

typedef struct xlsx_cell {
	size_t column;		/* from 0: A is 0 */
	xlsx_kind kind;
	int is_date;		/* a number whose style formats a date */
	const char *text;	/* NUL-terminated; valid until the next row */
	size_t len;
} xlsx_cell;

typedef struct xlsx_row {
	long number;		/* the row number Excel shows, from 1 */
	const xlsx_cell *cells;	/* with a value, by column */
	size_t cell_count;
} xlsx_row;

typedef struct xlsx_sheet xlsx_sheet;

/* Opens the sheet part for reading; NULL with msg filled. */
xlsx_sheet *xlsx_sheet_open(xlsx_zip *zip, xlsx_book *book, const char *part,
			    char *msg, size_t size);

/* The next row that has a cell with a value: 1 and *row, 0 at the end, -1
 * with the msg of open filled (naming the cell when the problem is in
 * one).  *row is valid until the next call. */
int xlsx_sheet_next(xlsx_sheet *sheet, xlsx_row *row);

/* The number of the row read last (0 before the first). */
long xlsx_sheet_row_number(const xlsx_sheet *sheet);

/* Closes; accepts NULL. */
void xlsx_sheet_close(xlsx_sheet *sheet);

/* "B17" for column 1, row 17, into buf. */
void xlsx_cell_name(size_t column, long row, char *buf, size_t size);

#endif
