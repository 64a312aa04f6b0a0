/*
 * csv_reader.h - a streaming RFC 4180 reader that decodes cells to UTF-8.
 *
 *   csv_reader *r = csv_reader_new(&options);
 *   if (csv_reader_start(r, read, ctx, skip_lines, &err) < 0) ...
 *   while ((rc = csv_reader_next(r, &record, &err)) > 0)
 *           ... record.cells[i].text ...
 *   csv_reader_free(r);
 *
 * What it accepts: cells split by one separator byte; a cell that starts
 * with a quote runs to the next lone quote and may hold separators, doubled
 * quotes and line breaks; records end at LF, CRLF or a lone CR outside
 * quotes; blank lines are skipped; the last record needs no line end.  A
 * UTF-8 byte order mark is skipped.  Every cell is decoded to UTF-8 and
 * checked: a byte that the encoding does not define, a NUL byte, a UTF-16
 * byte order mark and a quote still open at the end of the input are
 * errors with the line and byte offset where they are.
 *
 * Memory: one input buffer holds the current record from its first byte,
 * and one text buffer its decoded cells.  Both are reused for every record
 * and only grow when a single record does not fit, up to max_record bytes,
 * so memory follows the largest record and never the size of the input.
 */
#ifndef PEIL_CSV_READER_H
#define PEIL_CSV_READER_H

#include <stddef.h>

typedef struct csv_reader csv_reader;

typedef enum csv_encoding {
	CSV_ENCODING_UTF8 = 0,
	CSV_ENCODING_WINDOWS_1252 = 1
} csv_encoding;

/* The separator option: detect it from the header line. */
#define CSV_SEPARATOR_AUTO 0

typedef struct csv_reader_options {
	/* ';', ',', '\t', or CSV_SEPARATOR_AUTO: the most frequent of those
	 * three outside quotes in the header line, ';' on a tie or none. */
	int separator;
	csv_encoding encoding;
	size_t buffer_size;	/* input buffer; 0: 256 KiB */
	size_t max_record;	/* longest record in bytes; 0: 64 MiB */
} csv_reader_options;

/*
 * Reads up to size bytes into buf and sets *got; *got == 0 means the end
 * of the input.  Returns 0, or a negative errno value on a read error.
 */
typedef int (*csv_read_fn)(void *ctx, char *buf, size_t size, size_t *got);

/* No cell: the error is not inside a particular cell. */
#define CSV_NO_CELL ((size_t)-1)

/* Where reading failed and why.  Caller-owned. */
typedef struct csv_reader_error {
	long line;		/* physical line, from 1; 0 when unknown */
	size_t cell;		/* the cell's index in its record, or CSV_NO_CELL */
	long long offset;	/* byte offset in the input, or -1 */
	char message[256];
} csv_reader_error;

typedef struct csv_cell {
	const char *text;	/* UTF-8, NUL-terminated, not trimmed */
	size_t len;
} csv_cell;

/* A flaw that does not stop the reader but makes the record suspect. */
typedef enum csv_flaw {
	CSV_FLAW_NONE = 0,
	/* "ab"cd: text between a closing quote and the separator; it is kept
	 * as written after the quoted part ("abcd"). */
	CSV_FLAW_TEXT_AFTER_QUOTE = 1,
	/* A quoted cell whose lines hold exactly the separators of whole
	 * rows: the rest of a row up to the first line break, whole rows
	 * between, and a row up to the cell's own column on its last line
	 * (as many separators as there are cells before it).  What a quote
	 * left open does when it takes in the rows after it up to a quote
	 * in the same column: a record of the header's width that hides
	 * them.  flaw_line is where the quote closes and flaw_separators
	 * the separators on its last line. */
	CSV_FLAW_ROWS_IN_QUOTES = 2
} csv_flaw;

/* One record.  Everything in it is valid until the next call on the
 * reader. */
typedef struct csv_record {
	long line;		/* physical line where the record starts */
	size_t cell_count;
	const csv_cell *cells;
	const char *raw;	/* the record's bytes as in the input ... */
	size_t raw_len;		/* ... without its line end and without a BOM */
	csv_flaw flaw;
	size_t flaw_cell;	/* the cell with the flaw */
	long quote_line;	/* CSV_FLAW_ROWS_IN_QUOTES: where its quote */
	long flaw_line;		/* opened and where it closed */
	size_t flaw_separators;
} csv_record;

/* A reader with these options, or NULL when out of memory or when the
 * options are invalid (a separator other than ; , TAB or auto). */
csv_reader *csv_reader_new(const csv_reader_options *options);

/* Frees the reader; accepts NULL. */
void csv_reader_free(csv_reader *r);

/*
 * Starts reading a new input from read(ctx, ...), which must stay usable
 * until the last csv_reader_next.  Checks the byte order mark and skips
 * skip_lines physical lines, unread, before the header.  Returns 0, or -1
 * with err filled (a UTF-16 byte order mark, a UTF-8 one with the
 * Windows-1252 encoding, a read error, out of memory).
 */
int csv_reader_start(csv_reader *r, csv_read_fn read, void *ctx,
		     long skip_lines, csv_reader_error *err);

/*
 * Reads the next record into *record.  Returns 1 for a record, 0 at the
 * end of the input, or -1 with err filled.  After 0 or -1 it keeps
 * returning the same until the next csv_reader_start.
 */
int csv_reader_next(csv_reader *r, csv_record *record, csv_reader_error *err);

/* The separator in use: the configured one, or after the first
 * csv_reader_next the detected one; 0 before it is known. */
int csv_reader_separator(const csv_reader *r);

/* Bytes the reader holds in its buffers, for tests of bounded memory. */
size_t csv_reader_memory(const csv_reader *r);

#endif
