/*
 * xlsx_sheet.h - the rows of one worksheet, one at a time, streamed from
 * its <sheetData> by libxml2's SAX2 push parser: memory is one row (and
 * the four 128 KiB blocks of unpacked XML of xlsx_part_parse) whatever
 * the number of rows.  xlsx_rows_read (xlsx_rows.h) runs it on a thread
 * of its own.
 *
 *   xlsx_sheet *sheet = xlsx_sheet_open(zip, book, part, msg, size);
 *   rc = xlsx_sheet_read(sheet, on_row, ctx);   // on_row per row
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
	const char *text;	/* NUL-terminated; valid until the next row, */
	size_t len;
	int in_table;		/* or, when set, as long as the book (a
				   shared string of the table in memory) */
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

/* Called for each row that has a cell with a value; row is valid during
 * the call.  Return 0 to go on, XLSX_ROW_NO_MEMORY to fail the read
 * ("cell ...: out of memory", its last cell), other nonzero to stop it. */
typedef int (*xlsx_row_fn)(void *ctx, const xlsx_row *row);

#define XLSX_ROW_NO_MEMORY 2

#define XLSX_SHEET_STOPPED (-2)

/*
 * Reads the sheet, calling fn per row: 0 at its end, XLSX_SHEET_STOPPED
 * when fn stopped it, -1 with the msg of open filled (naming the cell when
 * the problem is in one; malformed XML with its line).
 */
int xlsx_sheet_read(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx);

/* The number of the row read last (0 before the first). */
long xlsx_sheet_row_number(const xlsx_sheet *sheet);

/* Closes; accepts NULL. */
void xlsx_sheet_close(xlsx_sheet *sheet);

/* "B17" for column 1, row 17, into buf. */
void xlsx_cell_name(size_t column, long row, char *buf, size_t size);

#endif
