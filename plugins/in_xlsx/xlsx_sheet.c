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
 * benchmark, tests/xlsx/bench_input_xlsx.c).  The shared strings are
 * read by SAX too (xlsx_book.c); the small parts read once (workbook,
 * relationships, styles) keep the simpler reader.
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

/* A cell's t, read once at its <c>. */
enum cell_type {
	TYPE_NUMBER,		/* n, or no t */
	TYPE_SHARED,		/* s */
	TYPE_TEXT,		/* inlineStr, str */
	TYPE_BOOLEAN,		/* b */
	TYPE_ERROR,		/* e */
	TYPE_DATE,		/* d */
	TYPE_UNKNOWN
};

/* The cell being read, between <c> and </c>. */
struct cell_read {
	long column;
	enum cell_type type;
	char unknown[16];	/* t as written, when TYPE_UNKNOWN */
	long style;
	int has_value;
	size_t start;		/* its text's offset in sheet->text */
	int in_value;		/* inside <v>, or <t> of <is> */
	int in_phonetic;
};

struct xlsx_sheet {
	xmlParserCtxtPtr parser;	/* the segment's, between begin and end */
	char part[256];		/* for messages */
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
	int after_cut;		/* the segment began at a cut */
	int sheet_data;		/* <sheetData> start tags in the segment */
	xlsx_first_row first;	/* its first row, when after_cut */

	xlsx_cell *cells;
	size_t cell_count;
	size_t cell_cap;
	xlsx_buffer text;	/* the row's cell texts, each NUL-ended */
	size_t *text_at;	/* per cell, its offset in text */

	/* "c", "v" and "row" as the segment's parser interns element
	 * names: the callbacks compare a name's address first (NULL when
	 * not interned: then the names are compared as text) */
	const xmlChar *name_c, *name_v, *name_row;
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

/* The n bytes "B17" -> column 1 (row digits ignored); -1 when not a
 * reference. */
static long parse_column(const char *ref, size_t n)
{
	long column = 0;
	size_t i;

	for (i = 0; i < n && ref[i] >= 'A' && ref[i] <= 'Z'; i++) {
		column = column * 26 + (ref[i] - 'A' + 1);
		if (column > MAX_COLUMNS)
			return -1;
	}
	if (i == 0 || i == n || ref[i] < '1' || ref[i] > '9')
		return -1;
	return column - 1;
}

/* The number that the n bytes spell when they are only digits (what
 * Excel writes for an index or a style): 0, or -1 for anything else,
 * which the callers read with strtol's leniency instead. */
static int digits_value(const char *v, size_t n, unsigned long *out)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0 || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	*out = x;
	return 0;
}

xlsx_sheet *xlsx_sheet_new(xlsx_book *book, const char *part, char *msg,
			   size_t size)
{
	xlsx_sheet *sheet = calloc(1, sizeof(*sheet));

	if (sheet == NULL) {
		snprintf(msg, size, "out of memory");
		return NULL;
	}
	sheet->book = book;
	sheet->msg = msg;
	sheet->msg_size = size;
	snprintf(sheet->part, sizeof(sheet->part), "%s", part);
	return sheet;
}

long xlsx_sheet_row_number(const xlsx_sheet *sheet)
{
	return sheet->row_number;
}

const xlsx_first_row *xlsx_sheet_first_row(const xlsx_sheet *sheet)
{
	return &sheet->first;
}

/* Frees the segment's parser; accepts a sheet without one. */
static void free_parser(xlsx_sheet *sheet)
{
	if (sheet->parser == NULL)
		return;
	xmlFreeDoc(sheet->parser->myDoc);
	xmlFreeParserCtxt(sheet->parser);
	sheet->parser = NULL;
	sheet->name_c = sheet->name_v = sheet->name_row = NULL;
}

void xlsx_sheet_close(xlsx_sheet *sheet)
{
	if (sheet == NULL)
		return;
	free_parser(sheet);
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
	switch (c->type) {
	case TYPE_SHARED: {
		/* The cell's own text: none for a <c t="s"> without a <v>
		 * or with an empty one (then the bytes at c->start are a
		 * cell's read before it, not NUL-ended here). */
		size_t n = sheet->text.len > c->start ?
				   sheet->text.len - c->start : 0;
		const char *value = n > 0 ? sheet->text.data + c->start : "";
		const char *shared;
		char *end;
		unsigned long index;

		if (digits_value(value, n, &index)) {
			index = strtoul(value, &end, 10);
			if (end == value || *end != '\0')
				index = (unsigned long)-1;
		}
		if (xlsx_book_string(sheet->book, index, &shared, &len))
			return fail(sheet, c->column,
				    "shared string '%s' is not in the workbook's table",
				    value);
		sheet->text.len = c->start;
		cell->kind = XLSX_TEXT;
		if (sheet->book->spill == NULL) {
			/* the table's own string: nothing copied */
			cell->text = shared;
			cell->len = len;
			cell->in_table = 1;
			sheet->cell_count++;
			return 0;
		}
		if (xlsx_buffer_add(&sheet->text, shared, len))
			return fail(sheet, c->column, "%s", "out of memory");
		break;
	}
	case TYPE_TEXT:
		cell->kind = XLSX_TEXT;
		break;
	case TYPE_BOOLEAN:
		cell->kind = XLSX_BOOLEAN;
		break;
	case TYPE_ERROR:
		cell->kind = XLSX_ERROR;
		break;
	case TYPE_DATE:
		cell->kind = XLSX_ISO_DATE;
		break;
	case TYPE_NUMBER:
		cell->kind = XLSX_NUMBER;
		if (c->style >= 0 &&
		    (size_t)c->style < sheet->book->style_count) {
			cell->is_date = sheet->book->date_style[c->style];
			cell->zero_pad = sheet->book->zero_pad[c->style];
		}
		break;
	case TYPE_UNKNOWN:
		return fail(sheet, c->column, "unknown cell type t=\"%s\"",
			    c->unknown);
	}
	if (xlsx_buffer_add(&sheet->text, "", 0))	/* its NUL, also for empty text */
		return fail(sheet, c->column, "%s", "out of memory");
	sheet->text_at[sheet->cell_count] = c->start;
	cell->len = sheet->text.len - c->start;
	sheet->text.len++;		/* past the NUL */
	sheet->cell_count++;
	return 0;
}

/* An attribute's value as libxml2 hands it: not NUL-ended. */
struct attribute {
	const char *value;	/* NULL when absent */
	size_t len;
};

/* The attributes of a <row> or <c> that are read, without a prefix: r,
 * t and s. */
struct tag_attributes {
	struct attribute r, t, s;
};

/* One pass over a SAX2 start tag's attributes (localname, prefix, URI,
 * value, end per attribute); the names read are one letter each. */
static void read_attributes(const xmlChar **attributes, int count,
			    struct tag_attributes *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < count; i++) {
		const xmlChar **a = attributes + 5 * i;
		const char *name = (const char *)a[0];
		struct attribute *to;

		if (a[1] != NULL || name[0] == '\0' || name[1] != '\0')
			continue;
		switch (name[0]) {
		case 'r':
			to = &out->r;
			break;
		case 't':
			to = &out->t;
			break;
		case 's':
			to = &out->s;
			break;
		default:
			continue;
		}
		to->value = (const char *)a[3];
		to->len = (size_t)(a[4] - a[3]);
	}
}

/* An attribute's value into buf, NUL-ended and cut to size; "" when
 * absent. */
static char *attribute_text(const struct attribute *a, char *buf,
			    size_t size)
{
	size_t n = a->len < size ? a->len : size - 1;

	if (n > 0)
		memcpy(buf, a->value, n);
	buf[n] = '\0';
	return buf;
}

/* A cell's t: "" (absent) and "n" are numbers. */
static enum cell_type type_of(const struct attribute *t)
{
	const char *v = t->value;

	switch (t->len) {
	case 0:
		return TYPE_NUMBER;
	case 1:
		switch (v[0]) {
		case 'n':
			return TYPE_NUMBER;
		case 's':
			return TYPE_SHARED;
		case 'b':
			return TYPE_BOOLEAN;
		case 'e':
			return TYPE_ERROR;
		case 'd':
			return TYPE_DATE;
		}
		break;
	case 3:
		if (memcmp(v, "str", 3) == 0)
			return TYPE_TEXT;
		break;
	case 9:
		if (memcmp(v, "inlineStr", 9) == 0)
			return TYPE_TEXT;
		break;
	}
	return TYPE_UNKNOWN;
}

static int start_row(xlsx_sheet *sheet, const xmlChar **attributes,
		     int count)
{
	struct tag_attributes a;
	char value[32];
	long number = sheet->row_number + 1;

	read_attributes(attributes, count, &a);
	if (a.r.value != NULL) {
		char *end;
		unsigned long digits;

		attribute_text(&a.r, value, sizeof(value));
		if (digits_value(a.r.value, a.r.len, &digits) == 0) {
			number = (long)digits;
			end = value + a.r.len;
		} else {
			number = strtol(value, &end, 10);
		}
		if (sheet->after_cut && !sheet->first.set) {
			/* checked against the segment before by the caller */
			sheet->first.set = 1;
			sheet->first.number = number;
			memcpy(sheet->first.r, value, sizeof(value));
			if (end == value || *end != '\0' || number < 1 ||
			    number > MAX_ROWS) {
				sheet->first.bad = 1;
				sheet->failed = 1;
				return -1;
			}
		}
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
	struct tag_attributes a;
	char buf[32];
	unsigned long style;

	c->has_value = c->in_value = c->in_phonetic = 0;
	read_attributes(attributes, count, &a);
	c->column = sheet->last_column + 1;
	if (a.r.value != NULL) {
		c->column = parse_column(a.r.value, a.r.len);
		if (c->column < 0) {
			snprintf(sheet->msg, sheet->msg_size,
				 "row %ld: cell reference r=\"%s\" is not a cell (a damaged sheet)",
				 sheet->row_number,
				 attribute_text(&a.r, buf, sizeof(buf)));
			sheet->failed = 1;
			return -1;
		}
	}
	sheet->last_column = c->column;
	c->type = type_of(&a.t);
	if (c->type == TYPE_UNKNOWN)
		attribute_text(&a.t, c->unknown, sizeof(c->unknown));
	if (a.s.value == NULL)
		c->style = 0;
	else if (digits_value(a.s.value, a.s.len, &style) == 0)
		c->style = (long)style;
	else	/* read as strtol reads it */
		c->style = strtol(attribute_text(&a.s, buf, sizeof(buf)),
				  NULL, 10);
	c->start = sheet->text.len;
	return 0;
}

/* Ends the row into *row, pointing the cells at their texts now that the
 * text buffer no longer moves. */
static void finish_row(xlsx_sheet *sheet, xlsx_row *row)
{
	size_t i;

	for (i = 0; i < sheet->cell_count; i++)
		if (!sheet->cells[i].in_table)
			sheet->cells[i].text = sheet->text.data
					       ? sheet->text.data +
							 sheet->text_at[i]
					       : "";
	row->number = sheet->row_number;
	row->cells = sheet->cells;
	row->cell_count = sheet->cell_count;
}

/* What follows is ignored; the caller pushes no more of the segment. */
static void stop(xlsx_sheet *sheet)
{
	sheet->stopped = 1;
}

/* The elements of <sheetData> that are read. */
enum tag { TAG_OTHER, TAG_ROW, TAG_C, TAG_V, TAG_T, TAG_IS, TAG_RPH,
	   TAG_SHEET_DATA };

/* A local name as a tag, by its first letter: the callbacks run once per
 * element of the sheet. */
static enum tag tag_of(const char *name)
{
	switch (name[0]) {
	case 'c':
		return name[1] == '\0' ? TAG_C : TAG_OTHER;
	case 'v':
		return name[1] == '\0' ? TAG_V : TAG_OTHER;
	case 't':
		return name[1] == '\0' ? TAG_T : TAG_OTHER;
	case 'r':
		return strcmp(name, "row") == 0 ? TAG_ROW :
		       strcmp(name, "rPh") == 0 ? TAG_RPH : TAG_OTHER;
	case 'i':
		return strcmp(name, "is") == 0 ? TAG_IS : TAG_OTHER;
	case 's':
		return strcmp(name, "sheetData") == 0 ? TAG_SHEET_DATA :
							TAG_OTHER;
	default:
		return TAG_OTHER;
	}
}

/* The tag of an element's local name: libxml2 hands the names of its
 * dictionary, so the three names of nearly every element are found by
 * their address (most of the sheet's elements are c, v and row). */
static enum tag tag_of_name(const xlsx_sheet *sheet, const xmlChar *name)
{
	if (name == sheet->name_c)
		return TAG_C;
	if (name == sheet->name_v)
		return TAG_V;
	if (name == sheet->name_row)
		return TAG_ROW;
	return tag_of((const char *)name);
}

static void on_start(void *ctx, const xmlChar *localname,
		     const xmlChar *prefix, const xmlChar *uri,
		     int namespace_count, const xmlChar **namespaces,
		     int attribute_count, int defaulted,
		     const xmlChar **attributes)
{
	xlsx_sheet *sheet = ctx;
	struct cell_read *c = &sheet->cell;
	enum tag tag;

	(void)prefix;
	(void)uri;
	(void)namespace_count;
	(void)namespaces;
	(void)defaulted;
	if (sheet->stopped)
		return;
	if (localname == sheet->name_v) {	/* every value: at once */
		if (sheet->in_cell)
			c->in_value = c->has_value = 1;
		return;
	}
	tag = tag_of_name(sheet, localname);
	if (tag == TAG_SHEET_DATA) {
		sheet->sheet_data++;
	} else if (tag == TAG_ROW) {
		if (start_row(sheet, attributes, attribute_count))
			stop(sheet);
		sheet->in_row = 1;
	} else if (sheet->in_row && tag == TAG_C) {
		if (start_cell(sheet, attributes, attribute_count))
			stop(sheet);
		sheet->in_cell = 1;
	} else if (sheet->in_cell && (tag == TAG_V ||
				      (tag == TAG_T && !c->in_phonetic))) {
		c->in_value = 1;
		c->has_value = 1;
	} else if (sheet->in_cell && tag == TAG_IS) {
		c->has_value = 1;	/* <is/> is "" */
	} else if (sheet->in_cell && tag == TAG_RPH) {
		c->in_phonetic = 1;
	}
}

static void on_end(void *ctx, const xmlChar *localname,
		   const xmlChar *prefix, const xmlChar *uri)
{
	xlsx_sheet *sheet = ctx;
	struct cell_read *c = &sheet->cell;
	enum tag tag;
	xlsx_row row;
	int rc;

	(void)prefix;
	(void)uri;
	if (sheet->stopped)
		return;
	if (localname == sheet->name_v) {	/* every value: at once */
		c->in_value = 0;
		return;
	}
	tag = tag_of_name(sheet, localname);
	if (tag == TAG_V || tag == TAG_T) {
		c->in_value = 0;
	} else if (tag == TAG_RPH) {
		c->in_phonetic = 0;
	} else if (sheet->in_cell && tag == TAG_C) {
		sheet->in_cell = 0;
		if (end_cell(sheet, c))
			stop(sheet);
	} else if (sheet->in_row && tag == TAG_ROW) {
		sheet->in_row = 0;
		if (sheet->cell_count > 0) {
			finish_row(sheet, &row);
			rc = sheet->fn(sheet->fn_ctx, &row);
			if (rc == XLSX_ROW_NO_MEMORY)
				fail(sheet,
				     (long)row.cells[row.cell_count - 1].column,
				     "%s", "out of memory");
			if (rc)
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

int xlsx_sheet_begin(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx,
		     long line, int after_cut)
{
	static xmlSAXHandler sax = {
		.initialized = XML_SAX2_MAGIC,
		.startElementNs = on_start,
		.endElementNs = on_end,
		.characters = on_text,
		.cdataBlock = on_text,
		.serror = xlsx_quiet_xml_error,
	};

	free_parser(sheet);
	sheet->fn = fn;
	sheet->fn_ctx = ctx;
	sheet->stopped = sheet->failed = 0;
	sheet->in_row = sheet->in_cell = 0;
	sheet->row_number = 0;
	sheet->last_column = -1;
	sheet->cell_count = 0;
	sheet->text.len = 0;
	sheet->after_cut = after_cut;
	sheet->sheet_data = 0;
	memset(&sheet->first, 0, sizeof(sheet->first));
	sheet->parser = xmlCreatePushParserCtxt(&sax, sheet, NULL, 0,
						sheet->part);
	if (sheet->parser == NULL) {
		snprintf(sheet->msg, sheet->msg_size, "out of memory");
		return -1;
	}
	/* No network, no entity expansion, no DTD loading: a part is data. */
	xmlCtxtUseOptions(sheet->parser, XML_PARSE_NONET);
	sheet->name_c = xmlDictLookup(sheet->parser->dict, BAD_CAST "c", 1);
	sheet->name_v = xmlDictLookup(sheet->parser->dict, BAD_CAST "v", 1);
	sheet->name_row = xmlDictLookup(sheet->parser->dict, BAD_CAST "row", 3);
	/* The segment's lines are the part's: what is pushed before the
	 * cut holds no line end. */
	sheet->parser->input->line = (int)line;
	return 0;
}

int xlsx_sheet_push(xlsx_sheet *sheet, const char *bytes, size_t len,
		    int terminate)
{
	if (sheet->stopped)
		return sheet->failed ? -1 : XLSX_SHEET_STOPPED;
	if (xmlParseChunk(sheet->parser, bytes, (int)len, terminate) != 0 &&
	    !sheet->stopped) {
		xlsx_parse_failed(sheet->parser, sheet->part, sheet->msg,
				  sheet->msg_size);
		sheet->failed = sheet->stopped = 1;
		return -1;
	}
	if (sheet->stopped)
		return sheet->failed ? -1 : XLSX_SHEET_STOPPED;
	return 0;
}

int xlsx_sheet_between_rows(const xlsx_sheet *sheet)
{
	xmlParserCtxtPtr c = sheet->parser;
	const xmlChar *at;

	if (c == NULL || sheet->stopped || sheet->in_row ||
	    c->instate != XML_PARSER_CONTENT || c->nameNr != 2 ||
	    c->input == NULL || sheet->sheet_data != 1 ||
	    !xmlStrEqual(c->name, BAD_CAST "sheetData"))
		return 0;
	/* what it holds back unparsed: text only */
	for (at = c->input->cur; at < c->input->end; at++)
		if (*at == '<' || *at == '&')
			return 0;
	return 1;
}

int xlsx_sheet_end(xlsx_sheet *sheet, int last)
{
	free_parser(sheet);
	if (last && (sheet->in_row || sheet->in_cell)) {
		snprintf(sheet->msg, sheet->msg_size,
			 "the sheet ends inside row %ld (a truncated file)",
			 sheet->row_number);
		return -1;
	}
	return 0;
}
