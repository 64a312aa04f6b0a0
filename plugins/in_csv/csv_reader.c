/*
 * csv_reader.c - a streaming RFC 4180 reader that decodes to UTF-8.
 *
 * The input buffer always holds the current record from its first byte.
 * That gives two things: the record's raw bytes are a plain pointer into
 * the buffer (the host writes them to the reject file), and parsing is a
 * state machine that can stop at the end of the buffer and go on after a
 * refill without scanning anything twice.  A refill first moves the
 * current record to the front, and the buffer only doubles when a record
 * fills it whole.
 *
 * Speed: cells are copied in runs of ordinary bytes, found eight bytes at
 * a time (plain_run) and then with a class table; only quotes, line
 * breaks, separators and bytes >= 0x80 take the slow path.
 */
#include "csv_reader.h"

#include "csv_encoding.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BUFFER_SIZE (256u * 1024u)
#define MIN_BUFFER_SIZE 4u
#define DEFAULT_MAX_RECORD (64u * 1024u * 1024u)

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

enum byte_class {
	BYTE_PLAIN = 0,	/* copied as it is */
	BYTE_SEPARATOR,
	BYTE_QUOTE,
	BYTE_CR,
	BYTE_LF,
	BYTE_NUL,
	BYTE_HIGH	/* >= 0x80: decoded */
};

enum parse_state {
	CELL_START,	/* before the first byte of a cell */
	UNQUOTED,	/* in a cell that did not start with a quote */
	QUOTED,		/* between quotes */
	QUOTE_SEEN,	/* after a quote between quotes: "" or the closing one */
	LINE_END	/* at the CR or LF that ends the record */
};

/* What parse() returns besides a negative error. */
enum parse_result {
	PARSE_NEED_MORE = 0,
	PARSE_RECORD = 1,
	PARSE_END = 2
};

struct csv_reader {
	int separator_option;
	csv_encoding encoding;
	size_t initial_buffer;
	size_t max_record;

	int separator;		/* 0 until detected */
	uint64_t separator8;	/* the separator in each byte */
	unsigned char unquoted_class[256];
	unsigned char quoted_class[256];

	csv_read_fn read;
	void *read_ctx;
	int eof;
	int finished;		/* 0 reading; 1 at the end; -1 failed */
	csv_reader_error final_error;

	/* The input: buf[record_start..buf_len) is the current record as far
	 * as it was read; buf_offset is the input offset of buf[0]. */
	char *buf;
	size_t buf_cap;
	size_t buf_len;
	long long buf_offset;
	size_t record_start;
	size_t pos;		/* next byte to parse */
	size_t raw_end;		/* where the record's line end starts */
	long line;		/* physical line of buf[pos] */
	long record_line;
	long quote_line;	/* where the open quote is, for errors */
	enum parse_state state;
	csv_flaw flaw;
	size_t flaw_cell;
	long flaw_quote_line, flaw_line;
	size_t flaw_separators;
	int cell_breaks;	/* the quoted cell holds a line break */
	size_t width;		/* the first record's cells (the header's) */

	/* The decoded cells, each followed by a NUL: cell i ends at
	 * cell_end[i] and the next one starts one byte later. */
	char *text;
	size_t text_cap;
	size_t text_len;
	size_t *cell_end;
	csv_cell *cells;
	size_t cell_cap;
	size_t cell_count;
};

#if defined(__GNUC__)
static int reader_error(csv_reader *r, csv_reader_error *err, long line,
			size_t cell, long long offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
#endif

/* Fills err and returns -1; the reader then keeps failing with it. */
static int reader_error(csv_reader *r, csv_reader_error *err, long line,
			size_t cell, long long offset, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	err->cell = cell;
	err->offset = offset;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	r->final_error = *err;
	r->finished = -1;
	return -1;
}

static void set_separator(csv_reader *r, int separator)
{
	int i;

	for (i = 0; i < 256; i++) {
		unsigned char c = i >= 0x80 ? BYTE_HIGH : BYTE_PLAIN;

		r->unquoted_class[i] = c;
		r->quoted_class[i] = c;
	}
	r->unquoted_class['"'] = r->quoted_class['"'] = BYTE_QUOTE;
	r->unquoted_class['\r'] = r->quoted_class['\r'] = BYTE_CR;
	r->unquoted_class['\n'] = r->quoted_class['\n'] = BYTE_LF;
	r->unquoted_class[0] = r->quoted_class[0] = BYTE_NUL;
	r->unquoted_class[(unsigned char)separator] = BYTE_SEPARATOR;
	r->separator = separator;
	r->separator8 = (uint64_t)(unsigned char)separator * ONES;
}

/* A set high bit in each byte of x that is zero, and maybe in bytes after
 * the first such: a borrow only runs upwards, so the lowest set bit is
 * exact. */
static uint64_t zero_bytes(uint64_t x)
{
	return (x - ONES) & ~x & HIGHS;
}

/* How many bytes from buf[pos] on, before len, are plain: not a quote, CR,
 * LF, NUL, byte >= 0x80 or (with separator8, when nonzero) the separator.
 * Eight at a time where the machine is little-endian, so that the lowest
 * byte of a word is the first; the class table finishes. */
static size_t plain_run(const unsigned char *buf, size_t pos, size_t len,
			uint64_t separator8, const unsigned char *cls)
{
	size_t start = pos;

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (len - pos >= 8) {
		uint64_t w, special;

		memcpy(&w, buf + pos, 8);
		special = (w & HIGHS) | zero_bytes(w) |
			  zero_bytes(w ^ ('"' * ONES)) |
			  zero_bytes(w ^ ('\r' * ONES)) |
			  zero_bytes(w ^ ('\n' * ONES));
		if (separator8)
			special |= zero_bytes(w ^ separator8);
		if (special)
			return pos + (size_t)__builtin_ctzll(special) / 8 -
			       start;
		pos += 8;
	}
#else
	(void)separator8;
#endif
	while (pos < len && cls[buf[pos]] == BYTE_PLAIN)
		pos++;
	return pos - start;
}

csv_reader *csv_reader_new(const csv_reader_options *options)
{
	csv_reader *r;
	int sep = options->separator;

	if (sep != CSV_SEPARATOR_AUTO && sep != ';' && sep != ',' &&
	    sep != '\t')
		return NULL;
	if (options->encoding != CSV_ENCODING_UTF8 &&
	    options->encoding != CSV_ENCODING_WINDOWS_1252)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->separator_option = sep;
	r->encoding = options->encoding;
	r->initial_buffer = options->buffer_size ? options->buffer_size :
						    DEFAULT_BUFFER_SIZE;
	if (r->initial_buffer < MIN_BUFFER_SIZE)
		r->initial_buffer = MIN_BUFFER_SIZE;
	r->max_record = options->max_record ? options->max_record :
					      DEFAULT_MAX_RECORD;
	r->finished = 1;	/* nothing to read before csv_reader_start */
	return r;
}

void csv_reader_free(csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->text);
	free(r->cell_end);
	free(r->cells);
	free(r);
}

int csv_reader_separator(const csv_reader *r)
{
	return r->separator;
}

size_t csv_reader_memory(const csv_reader *r)
{
	return r->buf_cap + r->text_cap +
	       r->cell_cap * (sizeof(*r->cell_end) + sizeof(*r->cells));
}

/*
 * Makes room for more input and reads it: drops the bytes before the
 * current record, doubles the buffer when the record fills it, and sets
 * eof when the input has no more.
 */
static int refill(csv_reader *r, csv_reader_error *err)
{
	size_t keep = r->record_start;
	size_t got = 0;
	int rc;

	if (keep > 0) {
		memmove(r->buf, r->buf + keep, r->buf_len - keep);
		r->buf_len -= keep;
		r->pos -= keep;
		r->record_start = 0;
		r->buf_offset += (long long)keep;
	}
	if (r->buf_len == r->buf_cap) {
		size_t cap = r->buf_cap ? r->buf_cap * 2 : r->initial_buffer;
		char *grown;

		if (r->buf_cap >= r->max_record)
			return reader_error(r, err, r->record_line,
					    CSV_NO_CELL, r->buf_offset,
					    "the record that starts here is longer than %zu bytes: is a quote not closed?",
					    r->max_record);
		grown = realloc(r->buf, cap);
		if (grown == NULL)
			return reader_error(r, err, r->line, CSV_NO_CELL, -1,
					    "out of memory");
		r->buf = grown;
		r->buf_cap = cap;
	}
	rc = r->read(r->read_ctx, r->buf + r->buf_len, r->buf_cap - r->buf_len,
		     &got);
	if (rc < 0)
		return reader_error(r, err, r->line, CSV_NO_CELL,
				    r->buf_offset + (long long)r->buf_len,
				    "cannot read: %s", strerror(-rc));
	if (got == 0)
		r->eof = 1;
	r->buf_len += got;
	return 0;
}

static int grow_text(csv_reader *r, size_t need)
{
	size_t cap = r->text_cap ? r->text_cap : 256;
	char *grown;

	while (cap < need) {
		if (cap > (size_t)-1 / 2)
			return -1;
		cap *= 2;
	}
	grown = realloc(r->text, cap);
	if (grown == NULL)
		return -1;
	r->text = grown;
	r->text_cap = cap;
	return 0;
}

/* Appends n bytes to the current cell. */
static inline int append(csv_reader *r, const void *p, size_t n)
{
	if (n == 0)	/* text may still be NULL */
		return 0;
	if (r->text_cap - r->text_len < n && grow_text(r, r->text_len + n))
		return -1;
	memcpy(r->text + r->text_len, p, n);
	r->text_len += n;
	return 0;
}

/* Ends the current cell with a NUL and starts the next. */
/* At the closing quote of a cell that holds a line break: the flaw
 * CSV_FLAW_ROWS_IN_QUOTES (csv_reader.h) when its lines are what a quote
 * left open makes of whole rows.  Such a quote, opened in column k + 1
 * of one row and closed by a stray quote in the same column of a later
 * row, takes in the rest of its own row (the header's width - 1 - k
 * separators up to the first line break), any rows between (width - 1
 * each) and the later row up to its column k + 1 (k separators): a
 * record of the header's width that hides those rows.  Only exactly that
 * count on every line is the flaw, so a note over several lines with
 * separators in its text is read as it is.  Only cells with a line break
 * are looked at, after they were read, and only after the file's header
 * gave the width, and only in files of at least ROWS_IN_QUOTES_WIDTH
 * cells: in a narrower one a note over two lines with a comma or two on
 * each ("Gesprek gehad, client tevreden" / "Vervolg: bellen, volgende
 * week" in column 2 of 3) adds up to a row by chance. */
#define ROWS_IN_QUOTES_WIDTH 6
static void check_rows_in_quotes(csv_reader *r)
{
	size_t i = r->cell_count ? r->cell_end[r->cell_count - 1] + 1 : 0;
	size_t first = 0, n = 0, breaks = 0;
	int rows = 1;

	if (!r->cell_breaks || r->flaw != CSV_FLAW_NONE ||
	    r->width < ROWS_IN_QUOTES_WIDTH || r->cell_count < 2 ||
	    r->cell_count >= r->width)
		return;
	for (; i < r->text_len; i++) {
		char c = r->text[i];

		if (c == '\r' || c == '\n') {
			if (c == '\r' && i + 1 < r->text_len &&
			    r->text[i + 1] == '\n')
				i++;
			if (breaks++ == 0)
				first = n;
			else if (n != r->width - 1)
				rows = 0;	/* a line between: a whole row */
			n = 0;
		} else if (c == r->separator) {
			n++;
		}
	}
	if (breaks && rows && n == r->cell_count &&
	    first + n == r->width - 1) {
		r->flaw = CSV_FLAW_ROWS_IN_QUOTES;
		r->flaw_cell = r->cell_count;
		r->flaw_quote_line = r->quote_line;
		r->flaw_line = r->line;
		r->flaw_separators = n;
	}
}

static int end_cell(csv_reader *r)
{
	if (r->cell_count == r->cell_cap) {
		size_t cap = r->cell_cap ? r->cell_cap * 2 : 32;
		size_t *ends = realloc(r->cell_end, cap * sizeof(*ends));
		csv_cell *cells;

		if (ends == NULL)
			return -1;
		r->cell_end = ends;
		cells = realloc(r->cells, cap * sizeof(*cells));
		if (cells == NULL)
			return -1;
		r->cells = cells;
		r->cell_cap = cap;
	}
	if (append(r, "", 1))
		return -1;
	r->cell_end[r->cell_count++] = r->text_len - 1;
	return 0;
}

/*
 * Decodes the character at buf[*pos] (>= 0x80) into the current cell.
 * Returns 1 when done, 0 when it needs bytes after the end of the buffer,
 * or -1 with err filled.
 */
static int decode_high(csv_reader *r, size_t *pos, csv_reader_error *err)
{
	const unsigned char *p = (const unsigned char *)r->buf + *pos;
	long long offset = r->buf_offset + (long long)*pos;
	char utf8[3];
	size_t n;
	int len;

	len = csv_utf8_sequence(p, r->buf_len - *pos);
	if (len == 0 && !r->eof)
		return 0;
	if (r->encoding == CSV_ENCODING_WINDOWS_1252) {
		/* A valid UTF-8 sequence ("\xC3\xA9", which Windows-1252
		 * reads as "Ã©") is as good as never Windows-1252 text, but
		 * a UTF-8 export under the wrong encoding: its accents would
		 * be stored as mojibake and miss every compare with
		 * "Beëindigd volgens plan".  Refused, not guessed. */
		if (len > 0)
			return reader_error(r, err, r->line, r->cell_count,
					    offset,
					    "bytes 0x%02X 0x%02X%s at byte offset %lld are UTF-8 for '%.*s', which Windows-1252 would read as mojibake (is the file UTF-8? then set encoding = utf-8)",
					    p[0], p[1], len > 2 ? " ..." : "",
					    offset, len, (const char *)p);
		n = csv_windows_1252_to_utf8(p[0], utf8);
		if (n == 0)
			return reader_error(r, err, r->line, r->cell_count,
					    offset,
					    "byte 0x%02X at byte offset %lld is not a Windows-1252 character",
					    p[0], offset);
		if (append(r, utf8, n))
			goto out_of_memory;
		*pos += 1;
		return 1;
	}
	/* Invalid, or cut off by the end of the file.  The offset is the
	 * sequence's first byte: in a Windows-1252 file that is the "ë". */
	if (len <= 0)
		return reader_error(r, err, r->line, r->cell_count, offset,
				    "invalid UTF-8: byte 0x%02X at byte offset %lld (is the file Windows-1252? then set encoding = windows-1252)",
				    p[0], offset);
	if (append(r, p, (size_t)len))
		goto out_of_memory;
	*pos += (size_t)len;
	return 1;
out_of_memory:
	return reader_error(r, err, r->line, r->cell_count, -1,
			    "out of memory");
}

static int nul_error(csv_reader *r, size_t pos, csv_reader_error *err)
{
	long long offset = r->buf_offset + (long long)pos;

	return reader_error(r, err, r->line, r->cell_count, offset,
			    "NUL byte at byte offset %lld (is the file UTF-16 or not text?)",
			    offset);
}

/* A byte that is neither plain text nor a separator, quote or line end
 * in a cell: a NUL is an error, a byte of 0x80 and up is decoded as
 * decode_high does (its result). */
static int other_byte(csv_reader *r, size_t *pos, csv_reader_error *err)
{
	if (r->buf[*pos] == '\0')
		return nul_error(r, *pos, err);
	return decode_high(r, pos, err);
}

/*
 * Parses from r->pos as far as the buffer goes.  Returns PARSE_RECORD with
 * r->pos after the record's line end, PARSE_NEED_MORE at the end of the
 * buffer (call again after refill), PARSE_END at the end of the input
 * with no record, or -1 with err filled.
 */
static int parse(csv_reader *r, csv_reader_error *err)
{
	const unsigned char *buf = (const unsigned char *)r->buf;
	size_t len = r->buf_len;
	size_t pos = r->pos;
	size_t start;
	int rc;

	for (;;) {
		switch (r->state) {
		case CELL_START:
			if (pos == len) {
				if (!r->eof)
					goto need_more;
				if (r->cell_count == 0) {
					r->pos = pos;
					return PARSE_END;
				}
				if (end_cell(r))	/* "a;" at the very end */
					goto out_of_memory;
				goto record_at_eof;
			}
			if (buf[pos] == '"') {
				r->quote_line = r->line;
				r->cell_breaks = 0;
				pos++;
				r->state = QUOTED;
			} else if (r->cell_count == 0 &&
				   (buf[pos] == '\r' || buf[pos] == '\n')) {
				r->state = LINE_END;	/* a blank line */
			} else {
				r->state = UNQUOTED;
			}
			break;

		case UNQUOTED:
			start = pos;
			pos += plain_run(buf, pos, len, r->separator8,
					 r->unquoted_class);
			if (append(r, buf + start, pos - start))
				goto out_of_memory;
			if (pos == len) {
				if (!r->eof)
					goto need_more;
				if (end_cell(r))
					goto out_of_memory;
				goto record_at_eof;
			}
			switch (r->unquoted_class[buf[pos]]) {
			case BYTE_SEPARATOR:
				if (end_cell(r))
					goto out_of_memory;
				pos++;
				r->state = CELL_START;
				break;
			case BYTE_CR:
			case BYTE_LF:
				if (end_cell(r))
					goto out_of_memory;
				r->state = LINE_END;
				break;
			case BYTE_QUOTE:	/* 12" scherm: a quote as text */
				if (append(r, "\"", 1))
					goto out_of_memory;
				pos++;
				break;
			default:	/* NUL, or a byte of 0x80 and up */
				rc = other_byte(r, &pos, err);
				if (rc < 0)
					return rc;
				if (rc == 0)
					goto need_more;
				break;
			}
			break;

		case QUOTED:
			start = pos;
			pos += plain_run(buf, pos, len, 0, r->quoted_class);
			if (append(r, buf + start, pos - start))
				goto out_of_memory;
			if (pos == len) {
				if (!r->eof)
					goto need_more;
				return reader_error(r, err, r->quote_line,
						    r->cell_count, -1,
						    "the quote opened on line %ld is not closed at the end of the file",
						    r->quote_line);
			}
			switch (r->quoted_class[buf[pos]]) {
			case BYTE_QUOTE:
				pos++;
				r->state = QUOTE_SEEN;
				break;
			case BYTE_CR:
			case BYTE_LF:
				/* A line break in a cell; CRLF counts
				 * once.  The byte before is in the
				 * buffer: at least the opening quote. */
				if (buf[pos] == '\r' || buf[pos - 1] != '\r')
					r->line++;
				r->cell_breaks = 1;
				if (append(r, buf + pos, 1))
					goto out_of_memory;
				pos++;
				break;
			default:	/* NUL, or a byte of 0x80 and up */
				rc = other_byte(r, &pos, err);
				if (rc < 0)
					return rc;
				if (rc == 0)
					goto need_more;
				break;
			}
			break;

		case QUOTE_SEEN:
			if (pos == len) {
				if (!r->eof)
					goto need_more;
				check_rows_in_quotes(r);
				if (end_cell(r))
					goto out_of_memory;
				goto record_at_eof;
			}
			if (buf[pos] == '"') {
				if (append(r, "\"", 1))
					goto out_of_memory;
				pos++;
				r->state = QUOTED;
			} else if (buf[pos] == r->separator) {
				check_rows_in_quotes(r);
				if (end_cell(r))
					goto out_of_memory;
				pos++;
				r->state = CELL_START;
			} else if (buf[pos] == '\r' || buf[pos] == '\n') {
				check_rows_in_quotes(r);
				if (end_cell(r))
					goto out_of_memory;
				r->state = LINE_END;
			} else {
				check_rows_in_quotes(r);
				if (r->flaw == CSV_FLAW_NONE) {
					r->flaw = CSV_FLAW_TEXT_AFTER_QUOTE;
					r->flaw_cell = r->cell_count;
				}
				r->state = UNQUOTED;
			}
			break;

		case LINE_END:
			if (buf[pos] == '\r' && pos + 1 == len && !r->eof)
				goto need_more;	/* is it CRLF? */
			r->raw_end = pos;
			if (buf[pos] == '\r' && pos + 1 < len &&
			    buf[pos + 1] == '\n')
				pos++;
			pos++;
			r->line++;
			if (r->cell_count == 0) {	/* a blank line */
				r->record_start = pos;
				r->record_line = r->line;
				r->state = CELL_START;
				break;
			}
			r->pos = pos;
			return PARSE_RECORD;
		}
	}

record_at_eof:
	r->raw_end = pos;
	r->pos = pos;
	return PARSE_RECORD;
need_more:
	r->pos = pos;
	return PARSE_NEED_MORE;
out_of_memory:
	return reader_error(r, err, r->line, CSV_NO_CELL, -1, "out of memory");
}

/*
 * Picks the separator from the header line: the most frequent of ; , TAB
 * outside quotes, ';' on a tie or when there is none, since Dutch exports
 * mostly use ';' and their text holds commas more often than semicolons.
 * Quotes are simply toggled: good enough for a header line.
 */
static int detect_separator(csv_reader *r, csv_reader_error *err)
{
	static const char candidates[3] = { ';', ',', '\t' };

	for (;;) {
		size_t count[3] = { 0, 0, 0 };
		size_t i = r->pos;
		int quoted = 0, complete = 0, best = 0, k;

		/* blank lines before the header */
		while (i < r->buf_len &&
		       (r->buf[i] == '\r' || r->buf[i] == '\n'))
			i++;
		for (; i < r->buf_len && !complete; i++) {
			char c = r->buf[i];

			if (c == '"')
				quoted = !quoted;
			else if (quoted)
				continue;
			else if (c == '\r' || c == '\n')
				complete = 1;
			for (k = 0; k < 3; k++)
				count[k] += !quoted && c == candidates[k];
		}
		if (complete || r->eof) {
			for (k = 1; k < 3; k++)
				if (count[k] > count[best])
					best = k;
			set_separator(r, candidates[best]);
			return 0;
		}
		r->record_start = r->pos;
		if (refill(r, err))
			return -1;
	}
}

/* Skips n physical lines from r->pos without looking into them. */
static int skip_lines(csv_reader *r, long n, csv_reader_error *err)
{
	while (n > 0) {
		char c;

		if (r->pos == r->buf_len) {
			if (r->eof)
				return 0;
			r->record_start = r->pos;
			if (refill(r, err))
				return -1;
			continue;
		}
		c = r->buf[r->pos];
		if (c == '\r' && r->pos + 1 == r->buf_len && !r->eof) {
			r->record_start = r->pos;
			if (refill(r, err))	/* is it CRLF? */
				return -1;
			continue;
		}
		r->pos++;
		if (c == '\r' || c == '\n') {
			if (c == '\r' && r->pos < r->buf_len &&
			    r->buf[r->pos] == '\n')
				r->pos++;
			r->line++;
			n--;
		}
	}
	return 0;
}

static const char *separator_text(int c)
{
	return c == ';' ? "';' (separator = semicolon)"
	       : c == ',' ? "',' (separator = comma)"
			  : "a tab (separator = tab)";
}

/*
 * Excel's first line "sep=;" declares the separator of the file.  At
 * r->pos (the start of the first line): 0 when it is not there; 1 when it
 * is and agrees with the separator option (auto takes it), with the line
 * skipped; -1 with err when it declares another separator than the
 * configured one, or one that the reader does not read.
 */
static int declared_separator(csv_reader *r, csv_reader_error *err)
{
	const char *p;
	size_t left;
	int c;

	r->record_start = r->pos;
	while (r->buf_len - r->pos < 7 && !r->eof)
		if (refill(r, err))
			return -1;
	p = r->buf + r->pos;
	left = r->buf_len - r->pos;
	if (left < 5 || memcmp(p, "sep=", 4) != 0 ||
	    (left > 5 && p[5] != '\r' && p[5] != '\n'))
		return 0;
	c = (unsigned char)p[4];
	if (c != ';' && c != ',' && c != '\t')
		return reader_error(r, err, 1, CSV_NO_CELL, 0,
				    "the first line, '%.5s', declares a separator that Peil does not read: ';', ',' or a tab",
				    p);
	if (r->separator_option != CSV_SEPARATOR_AUTO &&
	    r->separator_option != c)
		return reader_error(r, err, 1, CSV_NO_CELL, 0,
				    "the first line, Excel's sep=, declares %s, but the source says %s: which is right?",
				    separator_text(c),
				    separator_text(r->separator_option));
	set_separator(r, c);
	return skip_lines(r, 1, err) < 0 ? -1 : 1;
}

int csv_reader_start(csv_reader *r, csv_read_fn read, void *ctx,
		     long skip, csv_reader_error *err)
{
	const unsigned char *b;

	/* Buffers grown for one huge record are not kept for the next file. */
	if (r->buf_cap > r->initial_buffer) {
		free(r->buf);
		r->buf = NULL;
		r->buf_cap = 0;
	}
	if (r->text_cap > r->initial_buffer) {
		free(r->text);
		r->text = NULL;
		r->text_cap = 0;
	}
	r->read = read;
	r->read_ctx = ctx;
	r->eof = 0;
	r->finished = 0;
	r->buf_len = 0;
	r->buf_offset = 0;
	r->record_start = r->pos = r->raw_end = 0;
	r->line = r->record_line = 1;
	r->separator = 0;
	r->width = 0;		/* this file's header gives it */
	r->cell_breaks = 0;
	if (r->separator_option != CSV_SEPARATOR_AUTO)
		set_separator(r, r->separator_option);

	while (r->buf_len < 3 && !r->eof)
		if (refill(r, err))
			return -1;
	b = (const unsigned char *)r->buf;
	if (r->buf_len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) ||
				(b[0] == 0xFE && b[1] == 0xFF)))
		return reader_error(r, err, 1, CSV_NO_CELL, 0,
				    "the file is UTF-16 (byte order mark %02X %02X): export it as UTF-8 or Windows-1252",
				    b[0], b[1]);
	if (r->buf_len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
		if (r->encoding != CSV_ENCODING_UTF8)
			return reader_error(r, err, 1, CSV_NO_CELL, 0,
					    "the file starts with a UTF-8 byte order mark, but encoding = windows-1252");
		r->pos = r->record_start = 3;
	}
	/* Lines skipped by the source's choice are not looked into. */
	if (skip == 0 && declared_separator(r, err) < 0)
		return -1;
	if (skip_lines(r, skip, err))
		return -1;
	r->record_start = r->pos;
	return 0;
}

int csv_reader_next(csv_reader *r, csv_record *record, csv_reader_error *err)
{
	size_t i, start;
	int rc;

	if (r->finished > 0)
		return 0;
	if (r->finished < 0) {
		*err = r->final_error;
		return -1;
	}
	if (r->separator == 0 && detect_separator(r, err))
		return -1;

	r->record_start = r->pos;
	r->record_line = r->line;
	r->state = CELL_START;
	r->flaw = CSV_FLAW_NONE;
	r->flaw_cell = 0;
	r->cell_count = 0;
	r->text_len = 0;
	for (;;) {
		rc = parse(r, err);
		if (rc == PARSE_RECORD)
			break;
		if (rc == PARSE_END) {
			r->finished = 1;
			return 0;
		}
		if (rc < 0 || refill(r, err))
			return -1;
	}

	for (i = 0, start = 0; i < r->cell_count; i++) {
		r->cells[i].text = r->text + start;
		r->cells[i].len = r->cell_end[i] - start;
		start = r->cell_end[i] + 1;
	}
	if (!r->width)
		r->width = r->cell_count;
	record->line = r->record_line;
	record->cell_count = r->cell_count;
	record->cells = r->cells;
	record->raw = r->buf + r->record_start;
	record->raw_len = r->raw_end - r->record_start;
	record->flaw = r->flaw;
	record->flaw_cell = r->flaw_cell;
	record->quote_line = r->flaw_quote_line;
	record->flaw_line = r->flaw_line;
	record->flaw_separators = r->flaw_separators;
	return 1;
}
