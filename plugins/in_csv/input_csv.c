/*
 * input_csv.c - the input plugin "csv": reads CSV exports of registration
 * systems into a dataset, one record per row, through the host's record
 * services.
 *
 * The host calls read once per file, inside a storage batch that it
 * commits only when read returns 0.  The header line ties each configured
 * column.<header> to its position in this file; every row then sets the
 * mapped fields from their cells as text, and the host converts, checks
 * and stores, or rejects.  Structural problems (bad encoding, an unclosed
 * quote) fail the whole file: the rows after them cannot be trusted.
 */
#include <peil/export_file.h>
#include <peil/plugin.h>

#include "csv_config.h"
#include "csv_reader.h"
#include "csv_trim.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct csv_state {
	const peil_services *svc;
	peil_host *host;
	csv_config config;
	csv_reader *reader;

	/* The current file's header, decoded and trimmed: header i is at
	 * header_text + header_at[i], NUL-terminated. */
	char *header_text;
	size_t header_text_cap;
	size_t *header_at;
	size_t header_cap;
	size_t header_count;	/* without trailing empty headers */
	size_t columns_needed;	/* 1 + the highest mapped column */
};

/* The services this plugin calls, so open can check the table has them:
 * record_invalid and record_header are version 2's. */
#define SERVICES_NEEDED PEIL_SERVICES_SIZE_V2

static void csv_close(void *state)
{
	struct csv_state *s = state;

	if (s == NULL)
		return;
	csv_reader_free(s->reader);
	csv_config_release(&s->config);
	free(s->header_text);
	free(s->header_at);
	free(s);
}

static int csv_open(const peil_services *svc, peil_host *host, void **state,
		    peil_error *err)
{
	struct csv_state *s;

	*state = NULL;
	if (peil_services_check(svc, "csv", SERVICES_NEEDED, err))
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	s->svc = svc;
	s->host = host;
	if (csv_config_load(&s->config, svc, host, err)) {
		csv_close(s);
		return -1;
	}
	s->reader = csv_reader_new(&s->config.reader);
	if (s->reader == NULL) {
		csv_close(s);
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	}
	*state = s;
	return 0;
}

static int read_file(void *ctx, char *buf, size_t size, size_t *got)
{
	FILE *f = ctx;

	*got = fread(buf, 1, size, f);
	if (*got < size && ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}

static int cell_is_empty(const csv_cell *cell)
{
	size_t len = cell->len;

	csv_trim(cell->text, &len);
	return len == 0;
}

static const char *header_name(const struct csv_state *s, size_t column)
{
	if (column >= s->header_count)
		return NULL;
	return s->header_text + s->header_at[column];
}

/* Keeps the trimmed headers of this file, for mapping and messages. */
static int keep_header(struct csv_state *s, const csv_record *header)
{
	size_t i, need = 0, at = 0;

	for (i = 0; i < header->cell_count; i++)
		need += header->cells[i].len + 1;
	if (need > s->header_text_cap) {
		char *text = realloc(s->header_text, need);

		if (text == NULL)
			return -1;
		s->header_text = text;
		s->header_text_cap = need;
	}
	if (header->cell_count > s->header_cap) {
		size_t *positions = realloc(s->header_at, header->cell_count *
							  sizeof(*positions));

		if (positions == NULL)
			return -1;
		s->header_at = positions;
		s->header_cap = header->cell_count;
	}
	s->header_count = 0;
	for (i = 0; i < header->cell_count; i++) {
		size_t len = header->cells[i].len;
		const char *name = csv_trim(header->cells[i].text, &len);

		s->header_at[i] = at;
		memcpy(s->header_text + at, name, len);
		s->header_text[at + len] = '\0';
		at += len + 1;
		if (len > 0)	/* empty headers at the end do not count */
			s->header_count = i + 1;
	}
	return 0;
}

/* A separator byte as config names it, and as a message shows it. */
static const char *separator_name(int c)
{
	return c == ';' ? "semicolon" : c == ',' ? "comma" : "tab";
}

static const char *separator_shown(int c)
{
	return c == ';' ? "';'" : c == ',' ? "','" : "a tab";
}

/* When header, not found as a column, lies inside a header cell together
 * with another separator than the one in use, that separator is likely
 * the file's: a hint naming both into out (empty otherwise).  Without it
 * 'Datum,Team,Naam' read with separator = semicolon said only that
 * 'Datum' was not in the header. */
static void separator_hint(const struct csv_state *s, const char *header,
			   char *out, size_t size)
{
	static const char others[] = { ';', ',', '\t' };
	int used = csv_reader_separator(s->reader);
	size_t c, k;

	out[0] = '\0';
	for (c = 0; c < s->header_count; c++) {
		const char *name = header_name(s, c);

		if (!strstr(name, header))
			continue;
		for (k = 0; k < sizeof(others); k++)
			if (others[k] != used && strchr(name, others[k])) {
				snprintf(out, size,
					 "; the header was split on %s into "
					 "%zu column%s, and column '%.60s' "
					 "holds %s: is the file separated by "
					 "%s? (separator = %s)",
					 separator_shown(used),
					 s->header_count,
					 s->header_count == 1 ? "" : "s", name,
					 separator_shown(others[k]),
					 separator_shown(others[k]),
					 separator_name(others[k]));
				return;
			}
	}
}

/* Finds each mapped header's column; fails on one missing or doubled. */
static int map_columns(struct csv_state *s, const char *path, long line,
		       peil_error *err)
{
	const peil_services *svc = s->svc;
	size_t i, c;

	s->columns_needed = 0;
	for (i = 0; i < s->config.mapping_count; i++) {
		csv_mapping *m = &s->config.mappings[i];
		const char *other_case = NULL;
		int found = 0;

		for (c = 0; c < s->header_count; c++) {
			const char *name = header_name(s, c);

			if (strcmp(name, m->header) != 0) {
				if (strcasecmp(name, m->header) == 0)
					other_case = name;
				continue;
			}
			if (found)
				return svc->fail(err, path, line, m->header,
						 "column '%s' (mapped to field %s) is in the header twice: columns %zu and %zu",
						 m->header, m->field_name,
						 m->column + 1, c + 1);
			m->column = c;
			found = 1;
		}
		if (!found) {
			char hint[300];

			separator_hint(s, m->header, hint, sizeof(hint));
			return svc->fail(err, path, line, m->header,
					 "column '%s' (mapped to field %s) is not in the header%s%s%s%s",
					 m->header, m->field_name,
					 other_case ? " (it has '" : "",
					 other_case ? other_case : "",
					 other_case ? "': headers match case-sensitively)" : "",
					 hint);
		}
		if (m->column + 1 > s->columns_needed)
			s->columns_needed = m->column + 1;
	}
	return 0;
}

/* Turns a reader error into the plugin's, naming the column if known. */
static int reader_fail(struct csv_state *s, const char *path,
		       const csv_reader_error *e, peil_error *err)
{
	const char *column = e->cell == CSV_NO_CELL ? NULL :
						       header_name(s, e->cell);

	if (e->cell != CSV_NO_CELL && (column == NULL || *column == '\0'))
		return s->svc->fail(err, path, e->line, NULL,
				    "column %zu: %s", e->cell + 1, e->message);
	return s->svc->fail(err, path, e->line, column, "%s", e->message);
}

/* Whether the row is the file's header again, cell for cell
 * (csv_is_header_name). */
static int row_is_header(const struct csv_state *s, const csv_record *row)
{
	size_t c;

	if (row->cell_count < s->header_count)
		return 0;
	for (c = 0; c < row->cell_count; c++)
		if (!csv_is_header_name(row->cells[c].text, row->cells[c].len,
					c < s->header_count ? header_name(s, c)
							    : ""))
			return 0;
	return 1;
}

/* Hands one data row to the host; returns record_end's result. */
static int put_row(struct csv_state *s, const char *path,
		   const csv_record *row, peil_error *err)
{
	const peil_services *svc = s->svc;
	size_t i, columns = row->cell_count;

	svc->record_begin(s->host, path, row->line);
	/* A quote's flaw first: the values it shifted are its consequence. */
	if (row->flaw == CSV_FLAW_TEXT_AFTER_QUOTE)
		svc->record_invalid(s->host, header_name(s, row->flaw_cell),
				    "text after the closing quote in column %zu",
				    row->flaw_cell + 1);
	if (row->flaw == CSV_FLAW_ROWS_IN_QUOTES)
		svc->record_invalid(s->host, header_name(s, row->flaw_cell),
				    "the quote that opens column %zu on line %ld "
				    "closes only on line %ld, and a line within "
				    "it holds %zu separators, as a row up to "
				    "column %zu would: rows taken into one cell "
				    "by a quote not closed on line %ld?",
				    row->flaw_cell + 1, row->quote_line,
				    row->flaw_line, row->flaw_separators,
				    row->flaw_cell + 1, row->quote_line);
	for (i = 0; i < s->config.mapping_count; i++) {
		const csv_mapping *m = &s->config.mappings[i];

		if (m->column < row->cell_count)
			svc->record_text(s->host, m->field, m->header,
					 row->cells[m->column].text,
					 row->cells[m->column].len);
		else
			svc->record_text(s->host, m->field, m->header, "", 0);
	}
	/* Empty cells past the header are Excel's trailing separators. */
	while (columns > s->header_count &&
	       cell_is_empty(&row->cells[columns - 1]))
		columns--;
	if (columns > s->header_count || row->cell_count < s->columns_needed)
		svc->record_invalid(s->host, NULL,
				    "row has %zu columns, the header has %zu",
				    columns, s->header_count);
	if (row_is_header(s, row))
		svc->record_invalid(s->host, NULL, "the header line again "
				    "(two exports joined into one file?)");
	return svc->record_end(s->host, row->raw, row->raw_len, err);
}

static int row_is_empty(const csv_record *row)
{
	size_t i;

	for (i = 0; i < row->cell_count; i++)
		if (!cell_is_empty(&row->cells[i]))
			return 0;
	return 1;
}

static int read_rows(struct csv_state *s, const char *path, FILE *f,
		     peil_error *err)
{
	const peil_services *svc = s->svc;
	long stored = 0, rejected = 0, empty = 0;
	csv_reader_error e;
	csv_record row;
	int rc;

	s->header_count = 0;
	if (csv_reader_start(s->reader, read_file, f, s->config.skip_lines, &e))
		return reader_fail(s, path, &e, err);
	rc = csv_reader_next(s->reader, &row, &e);
	if (rc < 0)
		return reader_fail(s, path, &e, err);
	if (rc == 0)
		return svc->fail(err, path, 0, NULL, "no header line");
	if (keep_header(s, &row))
		return svc->fail(err, path, row.line, NULL, "out of memory");
	if (map_columns(s, path, row.line, err))
		return -1;
	svc->record_header(s->host, row.raw, row.raw_len);

	while ((rc = csv_reader_next(s->reader, &row, &e)) > 0) {
		/* Rows of separators only (";;;;") are what Excel leaves
		 * below the data; they hold nothing to store. */
		if (row_is_empty(&row)) {
			empty++;
			continue;
		}
		rc = put_row(s, path, &row, err);
		if (rc < 0)
			return rc;
		if (rc == PEIL_RECORD_REJECTED)
			rejected++;
		else
			stored++;
	}
	if (rc < 0)
		return reader_fail(s, path, &e, err);

	/* The host logs rows stored and rejected per file; say only what it
	 * cannot see. */
	if (stored + rejected == 0)
		svc->log(s->host, PEIL_LOG_INFO, "%s: 0 rows (header only)",
			 path);
	if (empty > 0)
		svc->log(s->host, PEIL_LOG_INFO, "%s: %ld empty rows skipped",
			 path, empty);
	return 0;
}

static int csv_read(void *state, const char *path, peil_error *err)
{
	struct csv_state *s = state;
	char why[256];
	FILE *f = peil_fopen_text_export(path, why, sizeof(why));
	int rc;

	if (f == NULL)
		return s->svc->fail(err, path, 0, NULL, "%s", why);
	rc = read_rows(s, path, f, err);
	fclose(f);
	return rc;
}

static const peil_input_ops csv_ops = {
	.size = sizeof(peil_input_ops),
	.open = csv_open,
	.read = csv_read,
	.close = csv_close,
};

static const char *const csv_config_keys[] = {
	"separator", "encoding", "skip_lines", "column.", NULL
};

static const peil_plugin csv_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "csv",
	.description = "CSV exports: RFC 4180, UTF-8 or Windows-1252, columns mapped by header",
	.version = "0.1.0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &csv_ops,
	.config_keys = csv_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &csv_plugin;
}
