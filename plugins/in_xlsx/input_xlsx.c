/*
 * input_xlsx.c - the input plugin "xlsx": reads a sheet of an Office Open
 * XML workbook into a dataset, one record per row, mapped by header like
 * the csv plugin (whose configuration code it shares: column.<header>,
 * skip_lines).
 *
 * The host calls read once per file inside a storage batch that it
 * commits only when read returns 0, so a refused workbook (an .xls, a
 * password, a missing sheet, a ZIP bomb, a damaged sheet) stores nothing.
 * Cells are handed over typed where the workbook types them: a number
 * formatted as a date becomes a date (1900 or 1904 system), a number in a
 * number field a number; text goes through the host's conversions (date
 * formats, decimal mark), so dates typed as text in Dutch forms work as
 * in CSV.
 */
#include <peil/plugin.h>

#include "../in_csv/csv_config.h"
#include "../in_csv/csv_trim.h"
#include "xlsx_book.h"
#include "xlsx_buffer.h"
#include "xlsx_rows.h"
#include "xlsx_sheet.h"
#include "xlsx_value.h"
#include "xlsx_zip.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SERVICES_NEEDED PEIL_SERVICES_SIZE_V3	/* record_end_lazy */
#define MEBIBYTE (1024u * 1024u)
/* Without header_row or skip_lines, the header is the first row that has
 * every mapped header, among this many rows with a value (title rows,
 * merged or not, sit above it). */
#define HEADER_SEARCH_ROWS 100

struct xlsx_state {
	const peil_services *svc;
	peil_host *host;
	csv_config config;	/* mappings and skip_lines, as csv's */
	char sheet[256];	/* the configured sheet, "" for the first */
	long header_row;	/* 0: search */
	uint64_t max_part_bytes;
	size_t strings_memory;

	/* per file */
	const char *sheet_name;
	char **header;		/* per column, trimmed; NULL when empty */
	size_t header_count;	/* 1 + the last column with a header */
	char **origin;		/* per mapping: "Header (sheet S, cell C" and
				   room for the row's digits and ")" */
	size_t *origin_len;	/* the length of that prefix */
	const xlsx_cell **by_column; /* the current row's cells, mapped ones */
	size_t columns_needed;
	xlsx_buffer raw;	/* the row as a CSV line, for the reject file */
	const xlsx_row *row;	/* the row put_row hands over */
	int date1904;
	char msg[512];		/* the container's and sheet's messages */
};

static void free_header(struct xlsx_state *s)
{
	size_t i;

	for (i = 0; s->header && i < s->header_count; i++)
		free(s->header[i]);
	free(s->header);
	s->header = NULL;
	s->header_count = 0;
	for (i = 0; s->origin && i < s->config.mapping_count; i++)
		free(s->origin[i]);
	free(s->origin);
	s->origin = NULL;
	free(s->origin_len);
	s->origin_len = NULL;
	free(s->by_column);
	s->by_column = NULL;
}

static void xlsx_close(void *state)
{
	struct xlsx_state *s = state;

	if (s == NULL)
		return;
	free_header(s);
	csv_config_release(&s->config);
	xlsx_buffer_release(&s->raw);
	free(s);
}

/* ------------------------------------------------------------ config */

struct keys {
	struct xlsx_state *s;
	peil_error *err;
};

static int parse_count(const char *value, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int on_key(void *ctx, const char *key, const char *value,
		  const char *file, long line)
{
	struct keys *k = ctx;
	struct xlsx_state *s = k->s;
	const peil_services *svc = s->svc;
	long n;

	if (strcmp(key, "sheet") == 0) {
		if (*value == '\0' || strlen(value) >= sizeof(s->sheet))
			return svc->fail(k->err, file, line, key,
					 "sheet: give a sheet name, or a number counting the visible sheets from 1");
		snprintf(s->sheet, sizeof(s->sheet), "%s", value);
	} else if (strcmp(key, "header_row") == 0) {
		if (parse_count(value, 1, 1048576, &n))
			return svc->fail(k->err, file, line, key,
					 "header_row '%s': use the row number Excel shows, from 1",
					 value);
		s->header_row = n;
	} else if (strcmp(key, "max_unpacked_mb") == 0) {
		if (parse_count(value, 1, 1048576, &n))
			return svc->fail(k->err, file, line, key,
					 "max_unpacked_mb '%s': use a number of MiB from 1",
					 value);
		s->max_part_bytes = (uint64_t)n * MEBIBYTE;
	} else if (strcmp(key, "strings_memory_mb") == 0) {
		if (parse_count(value, 0, 65536, &n))
			return svc->fail(k->err, file, line, key,
					 "strings_memory_mb '%s': use a number of MiB from 0",
					 value);
		s->strings_memory = (size_t)n * MEBIBYTE;
	}
	return 0;
}

static int xlsx_open(const peil_services *svc, peil_host *host, void **state,
		     peil_error *err)
{
	struct xlsx_state *s;
	struct keys k;

	*state = NULL;
	if (peil_services_check(svc, "xlsx", SERVICES_NEEDED, err))
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	s->svc = svc;
	s->host = host;
	s->max_part_bytes = 256u * (uint64_t)MEBIBYTE;
	s->strings_memory = 64u * MEBIBYTE;
	k.s = s;
	k.err = err;
	if (csv_config_load(&s->config, svc, host, err) ||
	    svc->config_each(host, "", on_key, &k)) {
		xlsx_close(s);
		return -1;
	}
	if (s->header_row > 0 && s->config.skip_lines > 0) {
		xlsx_close(s);
		return svc->fail(err, NULL, 0, "header_row",
				 "give header_row or skip_lines, not both");
	}
	if (s->config.skip_lines > 0)
		s->header_row = s->config.skip_lines + 1;
	*state = s;
	return 0;
}

/* ----------------------------------------------------------- helpers */

static int cell_is_empty(const xlsx_cell *cell)
{
	size_t len = cell->len;

	csv_trim(cell->text, &len);
	return len == 0;
}

static int row_is_empty(const xlsx_row *row)
{
	size_t i;

	for (i = 0; i < row->cell_count; i++)
		if (!cell_is_empty(&row->cells[i]))
			return 0;
	return 1;
}


/* The digits a number cell's format pads its text to as put_cell reads
 * it (a code of format 0000): none in a column of a citizen number, which
 * the host pads itself. */
static int column_zero_pad(const struct xlsx_state *s, const xlsx_cell *c)
{
	const peil_schema *schema = s->svc->record_schema(s->host);
	size_t i;

	for (i = 0; i < s->config.mapping_count; i++)
		if (s->config.mappings[i].column == c->column &&
		    schema->fields[s->config.mappings[i].field].flags &
			    PEIL_FIELD_BSN)
			return 0;
	return c->zero_pad;
}

/* The row as a semicolon-separated CSV line (RFC 4180 quoting), so that a
 * reject file can be corrected and read with the csv plugin; dates as
 * yyyy-mm-dd, codes with the zeros of their format, as they were read. */
static int raw_row(struct xlsx_state *s, const xlsx_row *row)
{
	size_t i, column = 0, j;
	int rc = 0;

	s->raw.len = 0;
	for (i = 0; i < row->cell_count; i++) {
		const xlsx_cell *c = &row->cells[i];
		const char *text = c->text;
		size_t len = c->len;
		char date[11], number[64];
		int32_t days;
		double serial;
		const char *reason;

		for (; column < c->column; column++)
			rc |= xlsx_buffer_add(&s->raw, ";", 1);
		if (c->kind == XLSX_NUMBER && c->is_date &&
		    xlsx_number(text, &serial) == 0 &&
		    xlsx_serial_date(serial, s->date1904, &days,
				     &reason) == 0) {
			xlsx_format_date(days, date);
			text = date;
			len = 10;
		} else if (c->kind == XLSX_NUMBER && !c->is_date &&
			   column_zero_pad(s, c)) {
			xlsx_number_text(text, c->zero_pad, number,
					 sizeof(number));
			text = number;
			len = strlen(number);
		}
		if (strpbrk(text, ";\"\r\n") == NULL) {
			rc |= xlsx_buffer_add(&s->raw, text, len);
			continue;
		}
		rc |= xlsx_buffer_add(&s->raw, "\"", 1);
		for (j = 0; j < len; j++) {
			rc |= xlsx_buffer_add(&s->raw, text + j, 1);
			if (text[j] == '"')	/* doubled inside quotes */
				rc |= xlsx_buffer_add(&s->raw, "\"", 1);
		}
		rc |= xlsx_buffer_add(&s->raw, "\"", 1);
	}
	return rc;
}

/* ------------------------------------------------------------ header */

/* Takes row as the header when it has every mapped header (once):
 * 1 taken, 0 not (err filled with why), -1 out of memory. */
static int take_header(struct xlsx_state *s, const char *path,
		       const xlsx_row *row, peil_error *err)
{
	const peil_services *svc = s->svc;
	size_t i, c, columns = 0;

	free_header(s);
	for (i = 0; i < row->cell_count; i++)
		if (!cell_is_empty(&row->cells[i]))
			columns = row->cells[i].column + 1;
	s->header = calloc(columns ? columns : 1, sizeof(*s->header));
	if (s->header == NULL)
		return -1;
	s->header_count = columns;
	for (i = 0; i < row->cell_count; i++) {
		size_t len = row->cells[i].len;
		const char *name = csv_trim(row->cells[i].text, &len);

		if (len == 0 || row->cells[i].column >= columns)
			continue;
		s->header[row->cells[i].column] = malloc(len + 1);
		if (s->header[row->cells[i].column] == NULL)
			return -1;
		memcpy(s->header[row->cells[i].column], name, len);
		s->header[row->cells[i].column][len] = '\0';
	}

	s->columns_needed = 0;
	for (i = 0; i < s->config.mapping_count; i++) {
		csv_mapping *m = &s->config.mappings[i];
		const char *other_case = NULL;
		char cell[16], first[16];
		int found = 0;

		for (c = 0; c < columns; c++) {
			const char *name = s->header[c];

			if (name == NULL)
				continue;
			if (strcmp(name, m->header) != 0) {
				if (strcasecmp(name, m->header) == 0)
					other_case = name;
				continue;
			}
			if (found) {
				xlsx_cell_name(m->column, row->number, first,
					       sizeof(first));
				xlsx_cell_name(c, row->number, cell,
					       sizeof(cell));
				svc->fail(err, path, row->number, m->header,
					  "sheet '%s': column '%s' (mapped to field %s) is in the header twice: cells %s and %s",
					  s->sheet_name, m->header,
					  m->field_name, first, cell);
				return 0;
			}
			m->column = c;
			found = 1;
		}
		if (!found) {
			svc->fail(err, path, row->number, m->header,
				  "sheet '%s', row %ld: column '%s' (mapped to field %s) is not in the header%s%s%s",
				  s->sheet_name, row->number, m->header,
				  m->field_name,
				  other_case ? " (it has '" : "",
				  other_case ? other_case : "",
				  other_case ? "': headers match case-sensitively)" : "");
			return 0;
		}
		if (m->column + 1 > s->columns_needed)
			s->columns_needed = m->column + 1;
	}
	s->origin = calloc(s->config.mapping_count, sizeof(*s->origin));
	s->origin_len = calloc(s->config.mapping_count, sizeof(*s->origin_len));
	s->by_column = calloc(s->columns_needed, sizeof(*s->by_column));
	if (s->origin == NULL || s->origin_len == NULL || s->by_column == NULL)
		return -1;
	for (i = 0; i < s->config.mapping_count; i++) {
		const csv_mapping *m = &s->config.mappings[i];
		char letters[16];
		size_t n = strlen(m->header) + strlen(s->sheet_name) + 64;

		s->origin[i] = malloc(n);
		if (s->origin[i] == NULL)
			return -1;
		xlsx_cell_name(m->column, 0, letters, sizeof(letters));
		letters[strlen(letters) - 1] = '\0';	/* the row's "0" */
		snprintf(s->origin[i], n, "%s (sheet %s, cell %s", m->header,
			 s->sheet_name, letters);
		s->origin_len[i] = strlen(s->origin[i]);
	}
	if (raw_row(s, row))
		return -1;
	svc->record_header(s->host, s->raw.data, s->raw.len);
	return 1;
}

/* ------------------------------------------------------------- cells */

/* A row's number in decimal into out[24], written once for all its
 * cells: its length. */
static size_t row_digits(long row, char *out)
{
	char digits[24];
	size_t n = 0, len;

	do {
		digits[n++] = (char)('0' + row % 10);
		row /= 10;
	} while (row > 0 && n < sizeof(digits));
	len = n;
	while (n > 0)
		*out++ = digits[--n];
	return len;
}

/* origin of mapping i in the row whose number is the len bytes digits:
 * "Datum (sheet Blad1, cell C17)", by writing them after the prefix (a
 * printf per cell was a tenth of the plugin's time; making the digits
 * per cell was still about a third of on_row's own time). */
static const char *origin_of(struct xlsx_state *s, size_t i,
			     const char *digits, size_t len)
{
	char *out = s->origin[i] + s->origin_len[i];

	memcpy(out, digits, len);
	out[len] = ')';
	out[len + 1] = '\0';
	return s->origin[i];
}

/* Hands one cell to the host as the field's type wants it. */
static void put_cell(struct xlsx_state *s, const csv_mapping *m,
		     const xlsx_cell *c, const char *origin)
{
	const peil_services *svc = s->svc;
	const peil_field *f = &svc->record_schema(s->host)->fields[m->field];
	peil_value v;
	const char *reason;
	char text[64];

	memset(&v, 0, sizeof(v));
	if (c == NULL) {
		svc->record_text(s->host, m->field, origin, "", 0);
		return;
	}
	switch (c->kind) {
	case XLSX_ERROR:
		svc->record_invalid(s->host, origin,
				    "the cell holds the error %s (field %s)",
				    c->text, f->name);
		return;
	case XLSX_ISO_DATE:
		if (f->type == PEIL_TYPE_DATE &&
		    xlsx_iso_date(c->text, &v.as.date) == 0) {
			v.type = PEIL_TYPE_DATE;
			svc->record_value(s->host, m->field, origin, &v);
			return;
		}
		break;
	case XLSX_BOOLEAN:
		if (f->type == PEIL_TYPE_BOOLEAN) {
			v.type = PEIL_TYPE_BOOLEAN;
			v.as.boolean = strcmp(c->text, "1") == 0;
			svc->record_value(s->host, m->field, origin, &v);
			return;
		}
		break;
	case XLSX_NUMBER:
		if (c->is_date && (f->type == PEIL_TYPE_DATE ||
				   f->type == PEIL_TYPE_TEXT)) {
			double serial;

			if (xlsx_number(c->text, &serial)) {
				svc->record_invalid(s->host, origin,
						    "date serial '%s' is not a number (field %s)",
						    c->text, f->name);
				return;
			}
			if (xlsx_serial_date(serial, s->date1904,
					     &v.as.date, &reason)) {
				svc->record_invalid(s->host, origin,
						    "date serial %s %s (field %s)",
						    c->text, reason, f->name);
				return;
			}
			if (f->type == PEIL_TYPE_TEXT) {
				xlsx_format_date(v.as.date, text);
				svc->record_text(s->host, m->field, origin,
						 text, strlen(text));
				return;
			}
			v.type = PEIL_TYPE_DATE;
			svc->record_value(s->host, m->field, origin, &v);
			return;
		}
		if (f->type == PEIL_TYPE_INTEGER || f->type == PEIL_TYPE_REAL) {
			double x;

			if (xlsx_number(c->text, &x)) {
				svc->record_invalid(s->host, origin,
						    "number cell '%s' is not a number (field %s, %s)",
						    c->text, f->name,
						    f->type == PEIL_TYPE_REAL ? "real" : "integer");
				return;
			}
			if (f->type == PEIL_TYPE_REAL) {
				v.type = PEIL_TYPE_REAL;
				v.as.real = x;
			} else if (x == floor(x) && fabs(x) < 9007199254740992.0) {
				v.type = PEIL_TYPE_INTEGER;
				v.as.integer = (int64_t)x;
			} else {
				svc->record_invalid(s->host, origin,
						    "%s is not a whole number (field %s, integer)",
						    c->text, f->name);
				return;
			}
			svc->record_value(s->host, m->field, origin, &v);
			return;
		}
		if (f->type == PEIL_TYPE_TEXT) {
			/* A BSN typed into a number cell loses its leading
			 * zero: the host gives an 8-digit one back its zero
			 * and refuses fewer digits, as from any export,
			 * whatever zeros the cell's format shows. */
			xlsx_number_text(c->text,
					 f->flags & PEIL_FIELD_BSN ? 0 : c->zero_pad,
					 text, sizeof(text));
			svc->record_text(s->host, m->field, origin, text,
					 strlen(text));
			return;
		}
		break;
	case XLSX_TEXT:
		break;
	}
	svc->record_text(s->host, m->field, origin, c->text, c->len);
}

/* The reject line of the row put_row hands over, for record_end_lazy:
 * built only for a rejected row (a fifth of the calling thread's time
 * when built for every row). */
static int row_line(void *ctx, const char **text, size_t *len)
{
	struct xlsx_state *s = ctx;

	if (raw_row(s, s->row))
		return -1;
	*text = s->raw.data;
	*len = s->raw.len;
	return 0;
}

/* Whether the row is the header again: each column with a header holds
 * its name (csv_is_header_name), and no other cell a value. */
static int row_is_header(const struct xlsx_state *s, const xlsx_row *row)
{
	size_t i, named = 0, same = 0;

	for (i = 0; i < s->header_count; i++)
		named += s->header[i] != NULL;
	for (i = 0; i < row->cell_count; i++) {
		const xlsx_cell *c = &row->cells[i];
		const char *name = c->column < s->header_count
					   ? s->header[c->column]
					   : NULL;

		if (name && csv_is_header_name(c->text, c->len, name))
			same++;
		else if (!cell_is_empty(c))
			return 0;
	}
	return named > 0 && same == named;
}

/* Hands one data row to the host; returns record_end's result. */
static int put_row(struct xlsx_state *s, const char *path,
		   const xlsx_row *row, peil_error *err)
{
	const peil_services *svc = s->svc;
	char cell[16], digits[24];
	size_t i, digits_len = row_digits(row->number, digits);

	memset(s->by_column, 0, s->columns_needed * sizeof(*s->by_column));
	for (i = 0; i < row->cell_count; i++)
		if (row->cells[i].column < s->columns_needed)
			s->by_column[row->cells[i].column] = &row->cells[i];
	svc->record_begin(s->host, path, row->number);
	for (i = 0; i < s->config.mapping_count; i++) {
		const csv_mapping *m = &s->config.mappings[i];

		put_cell(s, m, s->by_column[m->column],
			 origin_of(s, i, digits, digits_len));
	}
	/* A value right of the header has no column to go to; empty cells
	 * there are what Excel leaves of formatting. */
	for (i = row->cell_count; i > 0; i--) {
		const xlsx_cell *c = &row->cells[i - 1];

		if (c->column < s->header_count)
			break;
		if (cell_is_empty(c))
			continue;
		xlsx_cell_name(c->column, row->number, cell, sizeof(cell));
		svc->record_invalid(s->host, NULL,
				    "sheet '%s': cell %s has a value, but no header above it in row %ld",
				    s->sheet_name, cell, row->number);
		break;
	}
	if (row_is_header(s, row))
		svc->record_invalid(s->host, NULL,
				    "sheet '%s': the header row again (two exports joined into one sheet?)",
				    s->sheet_name);
	(void)path;
	s->row = row;
	return svc->record_end_lazy(s->host, row_line, s, err);
}

/* ------------------------------------------------------------- sheets */

/* The configured sheet: by name, or by number among the visible sheets;
 * the first visible sheet by default. */
static const xlsx_sheet_info *choose_sheet(struct xlsx_state *s,
					   const xlsx_book *book,
					   const char *path, peil_error *err)
{
	char names[512] = "";
	size_t i, visible = 0, used = 0;
	long n = 0;

	for (i = 0; i < book->sheet_count; i++)
		if (s->sheet[0] && strcmp(book->sheets[i].name, s->sheet) == 0)
			return &book->sheets[i];
	if (s->sheet[0] && parse_count(s->sheet, 1, 100000, &n))
		n = -1;
	for (i = 0; i < book->sheet_count; i++) {
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used,
						 sizeof(names) - used,
						 "%s'%s'%s", i ? ", " : "",
						 book->sheets[i].name,
						 book->sheets[i].hidden ?
							 " (hidden)" : "");
		if (book->sheets[i].hidden)
			continue;
		visible++;
		if (n >= 0 && (n == 0 || (size_t)n == visible))
			return &book->sheets[i];
	}
	if (s->sheet[0])
		s->svc->fail(err, path, 0, "sheet",
			     "the workbook has no sheet '%s'%s; its sheets: %s",
			     s->sheet, n > 0 ? " (counting visible sheets)" : "",
			     names[0] ? names : "none");
	else
		s->svc->fail(err, path, 0, "sheet",
			     "the workbook has no visible sheet; its sheets: %s",
			     names[0] ? names : "none");
	return NULL;
}

/* What on_row carries from row to row of one sheet. */
struct sheet_read {
	struct xlsx_state *s;
	const char *path;
	peil_error *err;
	int rc;			/* why on_row stopped the read */
	int have_header;
	long searched;		/* rows tried as the header */
	peil_error first;	/* the first of them: why it was not */
	long stored, rejected, empty;
};

/* Before the header: is this row it?  0 go on, -1 stop (r->rc set). */
static int find_header(struct sheet_read *r, const xlsx_row *row)
{
	struct xlsx_state *s = r->s;
	peil_error attempt;
	int rc;

	if (s->header_row > 0 && row->number < s->header_row)
		return 0;
	if (s->header_row > 0 && row->number > s->header_row) {
		r->rc = s->svc->fail(r->err, r->path, s->header_row, NULL,
				     "sheet '%s': header row %ld is empty",
				     s->sheet_name, s->header_row);
		return -1;
	}
	memset(&attempt, 0, sizeof(attempt));
	rc = take_header(s, r->path, row, &attempt);
	if (rc < 0) {
		r->rc = s->svc->fail(r->err, r->path, row->number, NULL,
				     "out of memory");
		return -1;
	}
	if (rc == 0) {
		/* the first row's complaint is the one that says most when
		 * no row is the header */
		if (r->searched++ == 0)
			r->first = attempt;
		if (s->header_row > 0 || r->searched >= HEADER_SEARCH_ROWS) {
			*r->err = r->first;
			r->rc = -1;
			return -1;
		}
		return 0;
	}
	r->have_header = 1;
	if (row->number > 1)
		s->svc->log(s->host, PEIL_LOG_DEBUG,
			    "%s: sheet '%s': header in row %ld", r->path,
			    s->sheet_name, row->number);
	return 0;
}

static int on_row(void *ctx, const xlsx_row *row)
{
	struct sheet_read *r = ctx;
	int rc;

	if (!r->have_header)
		return find_header(r, row);
	if (row_is_empty(row)) {
		r->empty++;
		return 0;
	}
	rc = put_row(r->s, r->path, row, r->err);
	if (rc < 0) {
		r->rc = rc;
		return -1;
	}
	if (rc == PEIL_RECORD_REJECTED)
		r->rejected++;
	else
		r->stored++;
	return 0;
}

/* PEIL_XLSX_SEGMENT_BYTES, for the tests only: 0 parses the sheet with
 * one parser, N cuts it at the first row past every N bytes (two
 * parsers); unset, the plugin chooses by the sheet's size. */
static size_t segment_bytes(void)
{
	const char *text = getenv("PEIL_XLSX_SEGMENT_BYTES");
	char *end;
	unsigned long long n;

	if (text == NULL || *text == '\0')
		return XLSX_ROWS_AUTO;
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0' || n >= XLSX_ROWS_AUTO)
		return XLSX_ROWS_AUTO;
	return (size_t)n;
}

/* How the sheet was parsed, for the debug log (and the tests). */
static void log_segments(struct xlsx_state *s, const char *path,
			 const xlsx_rows *sheet)
{
	long segments;
	int parsers, recut, ahead;

	xlsx_rows_stats(sheet, &segments, &parsers, &recut, &ahead);
	s->svc->log(s->host, PEIL_LOG_DEBUG,
		    "%s: sheet '%s': %ld segments, %d parsers%s", path,
		    s->sheet_name, segments, parsers,
		    recut ? " (a cut not between rows: read again by one)" : "");
	if (parsers > 1)
		s->svc->log(s->host, PEIL_LOG_DEBUG,
			    "%s: sheet '%s': a parser at most %d blocks of rows ahead of the host",
			    path, s->sheet_name, ahead);
}

static int read_sheet(struct xlsx_state *s, const char *path,
		      xlsx_rows *sheet, peil_error *err)
{
	const peil_services *svc = s->svc;
	struct sheet_read r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.path = path;
	r.err = err;
	rc = xlsx_rows_read(sheet, segment_bytes(), on_row, &r);
	log_segments(s, path, sheet);
	if (rc == XLSX_SHEET_STOPPED)
		return r.rc;
	if (rc < 0)
		return svc->fail(err, path, xlsx_rows_row_number(sheet), NULL,
				 "sheet '%s': %s", s->sheet_name, s->msg);
	if (!r.have_header) {
		if (r.searched > 0) {
			*err = r.first;
			return -1;
		}
		return svc->fail(err, path, 0, NULL,
				 "sheet '%s' has no header row%s", s->sheet_name,
				 s->header_row > 0 ? " (header_row is past its last row)" : " (it is empty)");
	}
	if (r.stored + r.rejected == 0)
		svc->log(s->host, PEIL_LOG_INFO,
			 "%s: sheet '%s': 0 rows (header only)", path,
			 s->sheet_name);
	if (r.empty > 0)
		svc->log(s->host, PEIL_LOG_INFO,
			 "%s: sheet '%s': %ld empty rows skipped", path,
			 s->sheet_name, r.empty);
	return 0;
}

static int xlsx_read(void *state, const char *path, peil_error *err)
{
	struct xlsx_state *s = state;
	const peil_services *svc = s->svc;
	const xlsx_sheet_info *info;
	xlsx_rows *sheet = NULL;
	xlsx_zip *zip = NULL;
	xlsx_book book;
	int rc = -1;

	memset(&book, 0, sizeof(book));
	if (xlsx_zip_open(&zip, path, s->max_part_bytes, s->msg,
			  sizeof(s->msg)))
		return svc->fail(err, path, 0, NULL, "%s", s->msg);
	if (xlsx_book_load(&book, zip, s->strings_memory, s->msg,
			   sizeof(s->msg))) {
		svc->fail(err, path, 0, NULL, "%s", s->msg);
		goto release;
	}
	s->date1904 = book.date1904;
	info = choose_sheet(s, &book, path, err);
	if (info == NULL)
		goto out;
	s->sheet_name = info->name;
	sheet = xlsx_rows_open(zip, &book, info->part, s->msg,
				sizeof(s->msg));
	if (sheet == NULL) {
		svc->fail(err, path, 0, NULL, "sheet '%s': %s", info->name,
			  s->msg);
		goto out;
	}
	rc = read_sheet(s, path, sheet, err);
out:
	/* The shared strings may still be read on their thread: a fault in
	 * them refuses the workbook before anything the sheet said, as when
	 * they were read first. */
	if (xlsx_book_strings_end(&book, s->msg, sizeof(s->msg)))
		rc = svc->fail(err, path, 0, NULL, "%s", s->msg);
release:
	xlsx_rows_close(sheet);
	xlsx_book_release(&book);
	xlsx_zip_close(zip);
	free_header(s);
	s->sheet_name = NULL;
	return rc;
}

static const peil_input_ops xlsx_ops = {
	.size = sizeof(peil_input_ops),
	.open = xlsx_open,
	.read = xlsx_read,
	.close = xlsx_close,
};

static const char *const xlsx_config_keys[] = {
	"sheet", "header_row", "skip_lines", "max_unpacked_mb",
	"strings_memory_mb", "column.", NULL
};

static const peil_plugin xlsx_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "xlsx",
	.description = "Excel workbooks (.xlsx, Office Open XML): a sheet's columns mapped by header",
	.version = "0.1.0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &xlsx_ops,
	.config_keys = xlsx_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &xlsx_plugin;
}
