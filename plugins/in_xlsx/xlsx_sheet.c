/*
 * xlsx_sheet.c - a worksheet's <sheetData> as rows of typed cells.
 *
 * A row is <row r="17"> with cells <c r="B17" t="s" s="3"><v>12</v></c>:
 * t says how to read <v> (s: index of a shared string, inlineStr: the text
 * is in <is><t>, str: a formula's text, b: boolean, e: error, d: ISO date,
 * absent or n: number) and s is the cell's style, which says whether a
 * number shows a date.  r is optional on both; a missing r means "the
 * next".  Cells with neither <v> nor <is> (formatted but empty) are not
 * cells of the row.
 */
#include "xlsx_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Excel's limits: 16384 columns (XFD), 1048576 rows. */
#define MAX_COLUMNS 16384
#define MAX_ROWS 1048576L

struct xlsx_sheet {
	xlsx_part *part;
	xlsx_book *book;
	char *msg;
	size_t msg_size;
	long row_number;	/* the last row read */
	long last_column;	/* the last cell's, with a value or not */

	xlsx_cell *cells;
	size_t cell_count;
	size_t cell_cap;
	char *text;		/* the row's cell texts, each NUL-ended */
	size_t text_len;
	size_t text_cap;
	size_t *text_at;	/* per cell, its offset in text */
};

void xlsx_cell_name(size_t column, long row, char *buf, size_t size)
{
	char letters[4];
	size_t n = 0, i;

	column++;
	while (column > 0 && n < sizeof(letters)) {
		letters[n++] = (char)('A' + (column - 1) % 26);
		column = (column - 1) / 26;
	}
	for (i = 0; i < n / 2; i++) {
		char c = letters[i];

		letters[i] = letters[n - 1 - i];
		letters[n - 1 - i] = c;
	}
	snprintf(buf, size, "%.*s%ld", (int)n, letters, row);
}

/* "B17" -> column 1 (row digits ignored); -1 when not a reference. */
static long parse_column(const char *ref)
{
	long column = 0;
	const char *p;

	for (p = ref; *p >= 'A' && *p <= 'Z'; p++) {
		column = column * 26 + (*p - 'A' + 1);
		if (column > MAX_COLUMNS)
			return -1;
	}
	if (p == ref || *p < '1' || *p > '9')
		return -1;
	return column - 1;
}

xlsx_sheet *xlsx_sheet_open(xlsx_zip *zip, xlsx_book *book, const char *part,
			    char *msg, size_t size)
{
	xlsx_sheet *sheet = calloc(1, sizeof(*sheet));

	if (sheet == NULL) {
		snprintf(msg, size, "out of memory");
		return NULL;
	}
	sheet->book = book;
	sheet->msg = msg;
	sheet->msg_size = size;
	sheet->part = xlsx_part_open(zip, part, msg, size);
	if (sheet->part == NULL) {
		free(sheet);
		return NULL;
	}
	return sheet;
}

long xlsx_sheet_row_number(const xlsx_sheet *sheet)
{
	return sheet->row_number;
}

void xlsx_sheet_close(xlsx_sheet *sheet)
{
	if (sheet == NULL)
		return;
	xlsx_part_close(sheet->part);
	free(sheet->cells);
	free(sheet->text);
	free(sheet->text_at);
	free(sheet);
}

static int text_append(xlsx_sheet *sheet, const char *text, size_t len)
{
	if (sheet->text_len + len + 1 > sheet->text_cap) {
		size_t cap = sheet->text_cap ? sheet->text_cap * 2 : 1024;
		char *grown;

		while (cap < sheet->text_len + len + 1)
			cap *= 2;
		grown = realloc(sheet->text, cap);
		if (grown == NULL)
			return -1;
		sheet->text = grown;
		sheet->text_cap = cap;
	}
	memcpy(sheet->text + sheet->text_len, text, len);
	sheet->text_len += len;
	sheet->text[sheet->text_len] = '\0';
	return 0;
}

/* The cell being read, between <c> and </c>. */
struct cell_read {
	long column;
	char type[16];
	long style;
	int has_value;
	size_t start;		/* its text's offset in sheet->text */
	int in_value;		/* inside <v>, or <t> of <is> */
	int in_phonetic;
};

static int fail(xlsx_sheet *sheet, long column, const char *fmt,
		const char *value) __attribute__((format(printf, 3, 0)));

static int fail(xlsx_sheet *sheet, long column, const char *fmt,
		const char *value)
{
	char cell[16], message[256];

	xlsx_cell_name((size_t)column, sheet->row_number, cell, sizeof(cell));
	snprintf(message, sizeof(message), fmt, value);
	snprintf(sheet->msg, sheet->msg_size, "cell %s: %s", cell, message);
	return -1;
}

/* Ends a cell: resolves a shared string and keeps the cell when it has a
 * value.  Cells must come in column order, as the format requires. */
static int end_cell(xlsx_sheet *sheet, struct cell_read *c)
{
	const char *t = c->type;
	xlsx_cell *cell;
	size_t len;

	if (!c->has_value) {
		sheet->text_len = c->start;
		return 0;
	}
	if (sheet->cell_count > 0 &&
	    (size_t)c->column <= sheet->cells[sheet->cell_count - 1].column)
		return fail(sheet, c->column, "%s",
			    "cells out of column order (a damaged sheet)");
	if (sheet->cell_count == sheet->cell_cap) {
		size_t cap = sheet->cell_cap ? sheet->cell_cap * 2 : 32;
		xlsx_cell *cells = realloc(sheet->cells, cap * sizeof(*cells));
		size_t *at;

		if (cells == NULL)
			return fail(sheet, c->column, "%s", "out of memory");
		sheet->cells = cells;
		at = realloc(sheet->text_at, cap * sizeof(*at));
		if (at == NULL)
			return fail(sheet, c->column, "%s", "out of memory");
		sheet->text_at = at;
		sheet->cell_cap = cap;
	}
	cell = &sheet->cells[sheet->cell_count];
	memset(cell, 0, sizeof(*cell));
	cell->column = (size_t)c->column;
	if (strcmp(t, "s") == 0) {
		const char *shared;
		char *end;
		unsigned long index = strtoul(sheet->text + c->start, &end, 10);

		if (end == sheet->text + c->start || *end != '\0' ||
		    xlsx_book_string(sheet->book, index, &shared, &len))
			return fail(sheet, c->column,
				    "shared string '%s' is not in the workbook's table",
				    sheet->text + c->start);
		sheet->text_len = c->start;
		if (text_append(sheet, shared, len))
			return fail(sheet, c->column, "%s", "out of memory");
		cell->kind = XLSX_TEXT;
	} else if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
		cell->kind = XLSX_TEXT;
	} else if (strcmp(t, "b") == 0) {
		cell->kind = XLSX_BOOLEAN;
	} else if (strcmp(t, "e") == 0) {
		cell->kind = XLSX_ERROR;
	} else if (strcmp(t, "d") == 0) {
		cell->kind = XLSX_ISO_DATE;
	} else if (t[0] == '\0' || strcmp(t, "n") == 0) {
		cell->kind = XLSX_NUMBER;
		cell->is_date = c->style >= 0 &&
				(size_t)c->style < sheet->book->style_count &&
				sheet->book->date_style[c->style];
	} else {
		return fail(sheet, c->column, "unknown cell type t=\"%s\"", t);
	}
	if (text_append(sheet, "", 0))	/* its NUL, also for empty text */
		return fail(sheet, c->column, "%s", "out of memory");
	sheet->text_at[sheet->cell_count] = c->start;
	cell->len = sheet->text_len - c->start;
	sheet->text_len++;		/* past the NUL */
	sheet->cell_count++;
	return 0;
}

static int start_row(xlsx_sheet *sheet, xmlTextReaderPtr r)
{
	char value[32];
	long number = sheet->row_number + 1;

	if (xlsx_attribute(r, "r", value, sizeof(value))) {
		char *end;

		number = strtol(value, &end, 10);
		if (end == value || *end != '\0' || number < 1 ||
		    number > MAX_ROWS || number <= sheet->row_number) {
			snprintf(sheet->msg, sheet->msg_size,
				 "row number r=\"%s\" after row %ld (a damaged sheet)",
				 value, sheet->row_number);
			return -1;
		}
	}
	sheet->row_number = number;
	sheet->last_column = -1;
	sheet->cell_count = 0;
	sheet->text_len = 0;
	return 0;
}

static int start_cell(xlsx_sheet *sheet, xmlTextReaderPtr r,
		      struct cell_read *c)
{
	char value[32];

	memset(c, 0, sizeof(*c));
	c->column = sheet->last_column + 1;
	if (xlsx_attribute(r, "r", value, sizeof(value))) {
		c->column = parse_column(value);
		if (c->column < 0) {
			snprintf(sheet->msg, sheet->msg_size,
				 "row %ld: cell reference r=\"%s\" is not a cell (a damaged sheet)",
				 sheet->row_number, value);
			return -1;
		}
	}
	sheet->last_column = c->column;
	xlsx_attribute(r, "t", c->type, sizeof(c->type));
	c->style = xlsx_attribute(r, "s", value, sizeof(value)) ?
			   strtol(value, NULL, 10) : 0;
	c->start = sheet->text_len;
	return 0;
}

/* Ends the row into *row, pointing the cells at their texts now that the
 * text buffer no longer moves. */
static void finish_row(xlsx_sheet *sheet, xlsx_row *row)
{
	size_t i;

	for (i = 0; i < sheet->cell_count; i++)
		sheet->cells[i].text = sheet->text + sheet->text_at[i];
	row->number = sheet->row_number;
	row->cells = sheet->cells;
	row->cell_count = sheet->cell_count;
}

int xlsx_sheet_next(xlsx_sheet *sheet, xlsx_row *row)
{
	xmlTextReaderPtr r = xlsx_part_reader(sheet->part);
	struct cell_read c;
	int rc, in_row = 0, in_cell = 0;

	memset(&c, 0, sizeof(c));
	while ((rc = xlsx_part_next(sheet->part)) == 1) {
		int type = xmlTextReaderNodeType(r);
		const char *name = (const char *)xmlTextReaderConstLocalName(r);

		if (type == XML_READER_TYPE_ELEMENT) {
			int empty = xmlTextReaderIsEmptyElement(r);

			if (strcmp(name, "row") == 0) {
				if (start_row(sheet, r))
					return -1;
				in_row = !empty;
			} else if (in_row && strcmp(name, "c") == 0) {
				if (start_cell(sheet, r, &c))
					return -1;
				in_cell = !empty;
			} else if (in_cell && !empty &&
				   (strcmp(name, "v") == 0 ||
				    (strcmp(name, "t") == 0 && !c.in_phonetic))) {
				c.in_value = 1;
				c.has_value = 1;
			} else if (in_cell && strcmp(name, "is") == 0) {
				c.has_value = 1;	/* <is/> is "" */
			} else if (in_cell && strcmp(name, "rPh") == 0 &&
				   !empty) {
				c.in_phonetic = 1;
			}
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
				c.in_value = 0;
			} else if (strcmp(name, "rPh") == 0) {
				c.in_phonetic = 0;
			} else if (in_cell && strcmp(name, "c") == 0) {
				in_cell = 0;
				if (end_cell(sheet, &c))
					return -1;
			} else if (in_row && strcmp(name, "row") == 0) {
				in_row = 0;
				if (sheet->cell_count > 0) {
					finish_row(sheet, row);
					return 1;
				}
			}
		} else if (in_cell && c.in_value) {
			const char *text = (const char *)xmlTextReaderConstValue(r);

			if (text != NULL && text_append(sheet, text, strlen(text)))
				return fail(sheet, c.column, "%s", "out of memory");
		}
	}
	if (rc == 0 && (in_row || in_cell)) {
		snprintf(sheet->msg, sheet->msg_size,
			 "the sheet ends inside row %ld (a truncated file)",
			 sheet->row_number);
		return -1;
	}
	return rc;
}
