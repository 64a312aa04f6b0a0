/*
 * xlsx_sheet.h - the rows of a worksheet's <sheetData>, one at a time, by
 * libxml2's SAX2 push parser, from bytes pushed in: the whole part, or a
 * segment of it that xlsx_rows.c cut at a row and wrapped in the part's
 * own start tags.  Memory is one row whatever the number of rows.
 *
 *   xlsx_sheet *sheet = xlsx_sheet_new(book, part, msg, size);
 *   xlsx_sheet_begin(sheet, on_row, ctx, line, after_cut);  // a segment
 *   rc = xlsx_sheet_push(sheet, bytes, len, terminate);     // on_row per row
 *   rc = xlsx_sheet_end(sheet, last);
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
	unsigned char zero_pad;	/* the digits its style shows a whole
				   number with (0000), or 0 */
} xlsx_cell;

typedef struct xlsx_row {
	long number;		/* the row number Excel shows, from 1 */
	const xlsx_cell *cells;	/* with a value, by column */
	size_t cell_count;
} xlsx_row;

typedef struct xlsx_sheet xlsx_sheet;

/* A parser of the rows of the sheet in the named part; its failures go
 * to msg.  NULL with msg filled. */
xlsx_sheet *xlsx_sheet_new(xlsx_book *book, const char *part, char *msg,
			   size_t size);

/* Called for each row that has a cell with a value; row is valid during
 * the call.  Return 0 to go on, XLSX_ROW_NO_MEMORY to fail the read
 * ("cell ...: out of memory", its last cell), other nonzero to stop it. */
typedef int (*xlsx_row_fn)(void *ctx, const xlsx_row *row);

#define XLSX_ROW_NO_MEMORY 2

#define XLSX_SHEET_STOPPED (-2)

/*
 * Begins a segment: the row number is 0 again and the XML a new
 * document whose first byte is on the part's line `line`.  after_cut:
 * the segment begins at a row cut from the part (its first row's r is
 * kept in xlsx_sheet_first_row, not compared with a row before).  0, or
 * -1 with msg filled.
 */
int xlsx_sheet_begin(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx,
		     long line, int after_cut);

/*
 * Parses the next len bytes of the segment (terminate: they are its
 * last), calling fn per row: 0, XLSX_SHEET_STOPPED when fn stopped it, -1
 * with msg filled (naming the cell when the problem is in one; malformed
 * XML with its line).  After anything but 0, push no more.
 */
int xlsx_sheet_push(xlsx_sheet *sheet, const char *bytes, size_t len,
		    int terminate);

/* Whether the parser, after the bytes pushed, is where one parse of the
 * whole part would be before a row of sheetData: in the content of the
 * second element open, sheetData, the one sheetData begun in the
 * segment (that of its prefix, or the part's own), with no tag, comment,
 * CDATA section or reference begun. */
int xlsx_sheet_between_rows(const xlsx_sheet *sheet);

/* Ends the segment, freeing its parser: 0, or -1 with msg filled when it
 * is the part's last and ends inside a row. */
int xlsx_sheet_end(xlsx_sheet *sheet, int last);

/* The number of the row read last (0 before the first). */
long xlsx_sheet_row_number(const xlsx_sheet *sheet);

/* The first row of a segment begun after a cut. */
typedef struct xlsx_first_row {
	int set;		/* its start tag was read */
	int bad;		/* its r is not a row number (the segment failed) */
	long number;
	char r[32];		/* r as written */
} xlsx_first_row;

const xlsx_first_row *xlsx_sheet_first_row(const xlsx_sheet *sheet);

/* Closes; accepts NULL. */
void xlsx_sheet_close(xlsx_sheet *sheet);

/* "B17" for column 1, row 17, into buf. */
void xlsx_cell_name(size_t column, long row, char *buf, size_t size);

#endif
