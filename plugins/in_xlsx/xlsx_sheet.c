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
 *
 * SAX rather than xmlTextReader here: a sheet is most of a workbook's
 * bytes, and the reader builds and frees a node per element, which made
 * the plugin about eight times slower than csv through the host (the
 * benchmark, tests/xlsx/bench_input_xlsx.c).  The parts read once
 * (workbook, styles, shared strings) keep the simpler reader.
 */
#include "xlsx_sheet.h"
#include "xlsx_buffer.h"

#include <libxml/parser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Excel's limits: 16384 columns (XFD), 1048576 rows. */
#define MAX_COLUMNS 16384
#define MAX_ROWS 1048576L

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

struct xlsx_sheet {
	xlsx_part *part;
	xlsx_row_fn fn;
	void *fn_ctx;
	int stopped;		/* by fn, or by a failure (failed set) */
	int failed;
	int in_row;
	int in_cell;
	struct cell_read cell;
	xlsx_book *book;
	char *msg;
	size_t msg_size;
	long row_number;	/* the last row read */
	long last_column;	/* the last cell's, with a value or not */

	xlsx_cell *cells;
	size_t cell_count;
	size_t cell_cap;
	xlsx_buffer text;	/* the row's cell texts, each NUL-ended */
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
	sheet->part = xlsx_part_open_bytes(zip, part, msg, size);
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
	xlsx_buffer_release(&sheet->text);
	free(sheet->text_at);
	free(sheet);
}


static int fail(xlsx_sheet *sheet, long column, const char *fmt,
		const char *value) __attribute__((format(printf, 3, 0)));

static int fail(xlsx_sheet *sheet, long column, const char *fmt,
		const char *value)
{
	char cell[16], message[256];

	xlsx_cell_name((size_t)column, sheet->row_number, cell, sizeof(cell));
	snprintf(message, sizeof(message), fmt, value);
	snprintf(sheet->msg, sheet->msg_size, "cell %s: %s", cell, message);
	sheet->failed = 1;
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
		sheet->text.len = c->start;
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
		unsigned long index = strtoul(sheet->text.data + c->start, &end, 10);

		if (end == sheet->text.data + c->start || *end != '\0' ||
		    xlsx_book_string(sheet->book, index, &shared, &len))
			return fail(sheet, c->column,
				    "shared string '%s' is not in the workbook's table",
				    sheet->text.data + c->start);
		sheet->text.len = c->start;
		if (xlsx_buffer_add(&sheet->text, shared, len))
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
	if (xlsx_buffer_add(&sheet->text, "", 0))	/* its NUL, also for empty text */
		return fail(sheet, c->column, "%s", "out of memory");
	sheet->text_at[sheet->cell_count] = c->start;
	cell->len = sheet->text.len - c->start;
	sheet->text.len++;		/* past the NUL */
	sheet->cell_count++;
	return 0;
}

/* An attribute of a SAX2 start tag (localname, prefix, URI, value, end
 * per attribute) into buf; whether it was there. */
static int attribute(const xmlChar **attributes, int count, const char *name,
		     char *buf, size_t size)
{
	int i;

	for (i = 0; i < count; i++) {
		const xmlChar **a = attributes + 5 * i;

		if (a[1] == NULL && strcmp((const char *)a[0], name) == 0) {
			size_t n = (size_t)(a[4] - a[3]);

			if (n >= size)
				n = size - 1;
			memcpy(buf, a[3], n);
			buf[n] = '\0';
			return 1;
		}
	}
	buf[0] = '\0';
	return 0;
}

static int start_row(xlsx_sheet *sheet, const xmlChar **attributes,
		     int count)
{
	char value[32];
	long number = sheet->row_number + 1;

	if (attribute(attributes, count, "r", value, sizeof(value))) {
		char *end;

		number = strtol(value, &end, 10);
		if (end == value || *end != '\0' || number < 1 ||
		    number > MAX_ROWS || number <= sheet->row_number) {
			snprintf(sheet->msg, sheet->msg_size,
				 "row number r=\"%s\" after row %ld (a damaged sheet)",
				 value, sheet->row_number);
			sheet->failed = 1;
			return -1;
		}
	}
	sheet->row_number = number;
	sheet->last_column = -1;
	sheet->cell_count = 0;
	sheet->text.len = 0;
	return 0;
}

static int start_cell(xlsx_sheet *sheet, const xmlChar **attributes,
		      int count)
{
	struct cell_read *c = &sheet->cell;
	char value[32];

	memset(c, 0, sizeof(*c));
	c->column = sheet->last_column + 1;
	if (attribute(attributes, count, "r", value, sizeof(value))) {
		c->column = parse_column(value);
		if (c->column < 0) {
			snprintf(sheet->msg, sheet->msg_size,
				 "row %ld: cell reference r=\"%s\" is not a cell (a damaged sheet)",
				 sheet->row_number, value);
			sheet->failed = 1;
			return -1;
		}
	}
	sheet->last_column = c->column;
	attribute(attributes, count, "t", c->type, sizeof(c->type));
	c->style = attribute(attributes, count, "s", value, sizeof(value)) ?
			   strtol(value, NULL, 10) : 0;
	c->start = sheet->text.len;
	return 0;
}

/* Ends the row into *row, pointing the cells at their texts now that the
 * text buffer no longer moves. */
static void finish_row(xlsx_sheet *sheet, xlsx_row *row)
{
	size_t i;

	for (i = 0; i < sheet->cell_count; i++)
		sheet->cells[i].text = sheet->text.data + sheet->text_at[i];
	row->number = sheet->row_number;
	row->cells = sheet->cells;
	row->cell_count = sheet->cell_count;
}

/* What follows is ignored; xlsx_part_parse stops after the chunk. */
static void stop(xlsx_sheet *sheet)
{
	sheet->stopped = 1;
}

static void on_start(void *ctx, const xmlChar *localname,
		     const xmlChar *prefix, const xmlChar *uri,
		     int namespace_count, const xmlChar **namespaces,
		     int attribute_count, int defaulted,
		     const xmlChar **attributes)
{
	xlsx_sheet *sheet = ctx;
	struct cell_read *c = &sheet->cell;
	const char *name = (const char *)localname;

	(void)prefix;
	(void)uri;
	(void)namespace_count;
	(void)namespaces;
	(void)defaulted;
	if (sheet->stopped)
		return;
	if (strcmp(name, "row") == 0) {
		if (start_row(sheet, attributes, attribute_count))
			stop(sheet);
		sheet->in_row = 1;
	} else if (sheet->in_row && strcmp(name, "c") == 0) {
		if (start_cell(sheet, attributes, attribute_count))
			stop(sheet);
		sheet->in_cell = 1;
	} else if (sheet->in_cell && (strcmp(name, "v") == 0 ||
				      (strcmp(name, "t") == 0 &&
				       !c->in_phonetic))) {
		c->in_value = 1;
		c->has_value = 1;
	} else if (sheet->in_cell && strcmp(name, "is") == 0) {
		c->has_value = 1;	/* <is/> is "" */
	} else if (sheet->in_cell && strcmp(name, "rPh") == 0) {
		c->in_phonetic = 1;
	}
}

static void on_end(void *ctx, const xmlChar *localname,
		   const xmlChar *prefix, const xmlChar *uri)
{
	xlsx_sheet *sheet = ctx;
	struct cell_read *c = &sheet->cell;
	const char *name = (const char *)localname;
	xlsx_row row;

	(void)prefix;
	(void)uri;
	if (sheet->stopped)
		return;
	if (strcmp(name, "v") == 0 || strcmp(name, "t") == 0) {
		c->in_value = 0;
	} else if (strcmp(name, "rPh") == 0) {
		c->in_phonetic = 0;
	} else if (sheet->in_cell && strcmp(name, "c") == 0) {
		sheet->in_cell = 0;
		if (end_cell(sheet, c))
			stop(sheet);
	} else if (sheet->in_row && strcmp(name, "row") == 0) {
		sheet->in_row = 0;
		if (sheet->cell_count > 0) {
			finish_row(sheet, &row);
			if (sheet->fn(sheet->fn_ctx, &row))
				stop(sheet);
		}
	}
}

static void on_text(void *ctx, const xmlChar *text, int len)
{
	xlsx_sheet *sheet = ctx;

	if (sheet->stopped || !sheet->in_cell || !sheet->cell.in_value)
		return;
	if (xlsx_buffer_add(&sheet->text, (const char *)text, (size_t)len)) {
		fail(sheet, sheet->cell.column, "%s", "out of memory");
		stop(sheet);
	}
}

static int sheet_stopped(void *ctx)
{
	return ((xlsx_sheet *)ctx)->stopped;
}

int xlsx_sheet_read(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx)
{
	xmlSAXHandler sax;
	int rc;

	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sheet->fn = fn;
	sheet->fn_ctx = ctx;
	rc = xlsx_part_parse(sheet->part, &sax, sheet, sheet_stopped);
	if (rc == XLSX_PART_STOPPED)
		return sheet->failed ? -1 : XLSX_SHEET_STOPPED;
	if (rc < 0)
		return -1;
	if (sheet->in_row || sheet->in_cell) {
		snprintf(sheet->msg, sheet->msg_size,
			 "the sheet ends inside row %ld (a truncated file)",
			 sheet->row_number);
		return -1;
	}
	return 0;
}
