/*
 * test_csv_reader.c - the csv reader on inputs from memory.
 *
 * Each input is read several ways: whole, in chunks of 1, 2 and 7 bytes,
 * and with a tiny input buffer that has to grow, so that every state of
 * the parser meets the end of the buffer; all ways must agree.  Expected
 * values are worked out by hand.
 */
#include "csv_reader.h"
#include "harness.h"

#include <stdlib.h>

#define MAX_ROWS 16

/* Feeds data to the reader chunk bytes at a time. */
struct source {
	const char *data;
	size_t len;
	size_t pos;
	size_t chunk;
};

static int source_read(void *ctx, char *buf, size_t size, size_t *got)
{
	struct source *src = ctx;
	size_t n = src->len - src->pos;

	if (n > size)
		n = size;
	if (n > src->chunk)
		n = src->chunk;
	memcpy(buf, src->data + src->pos, n);
	src->pos += n;
	*got = n;
	return 0;
}

/* What one reading produced: rows with their cells joined by '|'. */
struct parsed {
	int rc;			/* 0 at the end, -1 on an error */
	csv_reader_error err;
	int separator;
	size_t count;
	long line[MAX_ROWS];
	size_t cells[MAX_ROWS];
	char row[MAX_ROWS][256];
	char raw[MAX_ROWS][256];
	csv_flaw flaw[MAX_ROWS];
};

struct how {
	int separator;
	csv_encoding encoding;
	long skip_lines;
};

static void parse_once(struct parsed *p, const char *data, size_t len,
		       const struct how *how, size_t chunk, size_t buffer)
{
	csv_reader_options options = { how->separator, how->encoding, buffer, 0 };
	struct source src = { data, len, 0, chunk };
	csv_reader *r = csv_reader_new(&options);
	csv_record rec;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->rc = csv_reader_start(r, source_read, &src, how->skip_lines, &p->err);
	while (p->rc == 0 && (p->rc = csv_reader_next(r, &rec, &p->err)) > 0) {
		size_t at = 0;

		if (p->count == MAX_ROWS)
			break;
		p->line[p->count] = rec.line;
		p->cells[p->count] = rec.cell_count;
		p->flaw[p->count] = rec.flaw;
		for (i = 0; i < rec.cell_count; i++)
			at += (size_t)snprintf(p->row[p->count] + at,
					       sizeof(p->row[0]) - at, "%s%s",
					       i ? "|" : "", rec.cells[i].text);
		snprintf(p->raw[p->count], sizeof(p->raw[0]), "%.*s",
			 (int)rec.raw_len, rec.raw);
		p->count++;
		p->rc = 0;
	}
	p->separator = csv_reader_separator(r);
	csv_reader_free(r);
}

/* Parses every way into *p; returns 0 when all ways agree. */
static int parse(struct parsed *p, const char *data, size_t len,
		 const struct how *how)
{
	static const size_t chunks[] = { 1, 2, 7, 1 << 20 };
	static const size_t buffers[] = { 4, 16, 0 };
	static struct parsed other;
	size_t c, b;

	parse_once(p, data, len, how, 1 << 20, 0);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		for (b = 0; b < sizeof(buffers) / sizeof(buffers[0]); b++) {
			parse_once(&other, data, len, how, chunks[c], buffers[b]);
			if (memcmp(&other, p, sizeof(other)) != 0) {
				printf("  chunk %zu buffer %zu differs: rc %d, %zu rows, \"%s\"\n",
				       chunks[c], buffers[b], other.rc,
				       other.count, other.err.message);
				return -1;
			}
		}
	}
	return 0;
}

/* Parses a string literal, which may hold NUL bytes. */
#define PARSE_WITH(p, literal, separator, encoding, skip_lines)           \
	do {                                                               \
		struct how how_ = { separator, encoding, skip_lines };     \
		CHECK_INT(parse(p, literal, sizeof(literal) - 1, &how_), 0); \
	} while (0)

#define PARSE(p, literal, separator)                                       \
	PARSE_WITH(p, literal, separator, CSV_ENCODING_UTF8, 0)

static struct parsed p;

TEST(quoted_separators)
{
	PARSE(&p, "a;b;c\n\"x;y\";\"2\";3\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[0], "a|b|c");
	CHECK_STR(p.row[1], "x;y|2|3");
	CHECK_INT(p.cells[1], 3);
	CHECK_STR(p.raw[1], "\"x;y\";\"2\";3");
}

TEST(doubled_quotes)
{
	PARSE(&p, "\"say \"\"hi\"\"\";b\n\"\"\"\";\"\"\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[0], "say \"hi\"|b");
	CHECK_STR(p.row[1], "\"|");
	CHECK_INT(p.cells[1], 2);
}

TEST(line_breaks_in_quotes_and_line_numbers)
{
	PARSE(&p, "h1;h2\r\n\"line1\r\nline2\";x\r\n\"a\nb\rc\";y\r\nlast;z\r\n",
	      ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 4);
	CHECK_STR(p.row[0], "h1|h2");
	CHECK_STR(p.row[1], "line1\r\nline2|x");
	CHECK_STR(p.row[2], "a\nb\rc|y");
	CHECK_STR(p.row[3], "last|z");
	/* lines: 1 header; 2-3 row 1; 4-6 row 2 (LF and lone CR); 7 last */
	CHECK_INT(p.line[0], 1);
	CHECK_INT(p.line[1], 2);
	CHECK_INT(p.line[2], 4);
	CHECK_INT(p.line[3], 7);
	CHECK_STR(p.raw[1], "\"line1\r\nline2\";x");
}

TEST(crlf_and_last_line_without_line_end)
{
	PARSE(&p, "a,b\r\n1,2\r\n3,\"4\"", ',');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 3);
	CHECK_STR(p.row[1], "1|2");
	CHECK_STR(p.row[2], "3|4");
	CHECK_STR(p.raw[2], "3,\"4\"");
	CHECK_INT(p.line[2], 3);
}

TEST(empty_cells_and_trailing_separators)
{
	PARSE(&p, "a;b;;\n;;;\n1;;", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 3);
	CHECK_INT(p.cells[0], 4);
	CHECK_STR(p.row[0], "a|b||");
	CHECK_INT(p.cells[1], 4);
	CHECK_INT(p.cells[2], 3);
	CHECK_STR(p.row[2], "1||");
}

TEST(blank_lines_skipped)
{
	PARSE(&p, "\n\r\na;b\n\n\r\n1;2\n\n\r\r\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[0], "a|b");
	CHECK_INT(p.line[0], 3);
	CHECK_STR(p.row[1], "1|2");
	CHECK_INT(p.line[1], 6);
}

TEST(lone_cr_ends_a_record)
{
	PARSE(&p, "a;b\r1;2\r", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[1], "1|2");
	CHECK_INT(p.line[1], 2);
}

TEST(utf8_bom_skipped)
{
	PARSE(&p, "\xEF\xBB\xBFnaam;w\xC3\xABrk\n1;2\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[0], "naam|w\xC3\xABrk");
	CHECK_STR(p.raw[0], "naam;w\xC3\xABrk");
	CHECK_INT(p.line[0], 1);
}

TEST(utf8_bom_with_windows_1252_refused)
{
	PARSE_WITH(&p, "\xEF\xBB\xBFnaam\n", ';', CSV_ENCODING_WINDOWS_1252, 0);
	CHECK_INT(p.rc, -1);
	CHECK_CONTAINS(p.err.message, "UTF-8 byte order mark");
}

TEST(windows_1252_decoded)
{
	PARSE_WITH(&p, "Reden be\xEBindiging;Bedrag\n\"Be\xEBindigd\";\x80 5\n"
		       "\x93x\x94;\x9F\xA0\xFF\x8A\n",
		   ';', CSV_ENCODING_WINDOWS_1252, 0);
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 3);
	CHECK_STR(p.row[0], "Reden be\xC3\xABindiging|Bedrag");
	CHECK_STR(p.row[1], "Be\xC3\xABindigd|\xE2\x82\xAC 5");
	/* U+201C x U+201D | U+0178 U+00A0 U+00FF U+0160 */
	CHECK_STR(p.row[2], "\xE2\x80\x9Cx\xE2\x80\x9D|\xC5\xB8\xC2\xA0\xC3\xBF\xC5\xA0");
	/* The raw bytes stay Windows-1252, for the reject file. */
	CHECK_STR(p.raw[1], "\"Be\xEBindigd\";\x80 5");
}

TEST(windows_1252_undefined_bytes_refused)
{
	static const char undefined[] = { '\x81', '\x8D', '\x8F', '\x90', '\x9D' };
	char data[32], hex[8];
	size_t i;

	for (i = 0; i < sizeof(undefined); i++) {
		struct how how = { ';', CSV_ENCODING_WINDOWS_1252, 0 };

		snprintf(data, sizeof(data), "a;b\nok;x%cy\n", undefined[i]);
		CHECK_INT(parse(&p, data, strlen(data), &how), 0);
		CHECK_INT(p.rc, -1);
		CHECK_INT(p.count, 1);
		CHECK_INT(p.err.line, 2);
		CHECK_INT(p.err.cell, 1);
		CHECK_INT(p.err.offset, 8);
		snprintf(hex, sizeof(hex), "0x%02X", (unsigned char)undefined[i]);
		CHECK_CONTAINS(p.err.message, hex);
		CHECK_CONTAINS(p.err.message, "Windows-1252");
	}
}

/* A UTF-8 file under encoding = windows-1252: its accents would be stored
 * as mojibake ("Caf\xC3\x83\xC2\xA9"), so a valid UTF-8 sequence is refused
 * where it starts, whatever the read size (parse() tries 1, 2 and 7). */
TEST(utf8_under_windows_1252_refused)
{
	static const char *seqs[] = {
		"\xC3\xA9",		/* e-acute */
		"\xE2\x82\xAC",	/* euro sign */
		"\xF0\x9F\x98\x80",	/* U+1F600 */
	};
	struct how how = { ';', CSV_ENCODING_WINDOWS_1252, 0 };
	char data[32], want[64];
	size_t i;

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		for (int end = 0; end < 2; end++) {	/* line end or EOF */
			snprintf(data, sizeof(data), "a;b\nok;Caf%s%s",
				 seqs[i], end ? "" : "\n");
			CHECK_INT(parse(&p, data, strlen(data), &how), 0);
			CHECK_INT(p.rc, -1);
			CHECK_INT(p.count, 1);
			CHECK_INT(p.err.line, 2);
			CHECK_INT(p.err.cell, 1);
			CHECK_INT(p.err.offset, 10);
			snprintf(want, sizeof(want), "are UTF-8 for '%s'",
				 seqs[i]);
			CHECK_CONTAINS(p.err.message, want);
			CHECK_CONTAINS(p.err.message, "encoding = utf-8");
		}
	}
	/* Windows-1252 whose lead bytes stand before ASCII, or before a
	 * byte that cannot continue them, is read: "\xC3(" is "\xC3\x83(" */
	PARSE_WITH(&p, "a\n\xC3(\xE9\xE9\n", ';', CSV_ENCODING_WINDOWS_1252, 0);
	CHECK_INT(p.rc, 0);
	CHECK_STR(p.row[1], "\xC3\x83(\xC3\xA9\xC3\xA9");
}

TEST(utf8_valid_across_chunks)
{
	/* 2, 3 and 4 byte sequences: e-diaeresis, euro sign, U+1F600 */
	PARSE(&p, "x\n\xC3\xAB\xE2\x82\xAC\xF0\x9F\x98\x80\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_STR(p.row[1], "\xC3\xAB\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(utf8_invalid_refused_with_line)
{
	PARSE(&p, "a;b\nok;ok\n\"x\ny\";Be\xEBindigd\n", ';');
	CHECK_INT(p.rc, -1);
	CHECK_INT(p.count, 2);
	/* the byte is on line 4: the record starts on 3 */
	CHECK_INT(p.err.line, 4);
	CHECK_INT(p.err.cell, 1);
	CHECK_INT(p.err.offset, 18);
	CHECK_CONTAINS(p.err.message, "invalid UTF-8: byte 0xEB at byte offset 18");
}

TEST(utf8_malformed_forms_refused)
{
	static const char *bad[] = {
		"\xC0\x80",		/* overlong NUL */
		"\xE0\x80\xAF",		/* overlong / */
		"\xED\xA0\x80",		/* surrogate U+D800 */
		"\xF4\x90\x80\x80",	/* above U+10FFFF */
		"\xC3(",		/* lead without continuation */
		"\x80",			/* lone continuation */
		"\xE2\x82",		/* cut off by the end of the file */
	};
	struct how how = { ';', CSV_ENCODING_UTF8, 0 };
	char data[32];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(data, sizeof(data), "x\n%s", bad[i]);
		CHECK_INT(parse(&p, data, strlen(data), &how), 0);
		CHECK_INT(p.rc, -1);
		CHECK_INT(p.err.line, 2);
		CHECK_CONTAINS(p.err.message, "invalid UTF-8");
	}
}

TEST(nul_refused)
{
	PARSE(&p, "a;b\n1;x\0y\n", ';');
	CHECK_INT(p.rc, -1);
	CHECK_INT(p.err.line, 2);
	CHECK_INT(p.err.offset, 7);
	CHECK_CONTAINS(p.err.message, "NUL byte at byte offset 7");
}

TEST(utf16_refused)
{
	PARSE(&p, "\xFF\xFEn\0a\0", ';');
	CHECK_INT(p.rc, -1);
	CHECK_CONTAINS(p.err.message, "UTF-16 (byte order mark FF FE)");
	PARSE_WITH(&p, "\xFE\xFF\0n", ';', CSV_ENCODING_WINDOWS_1252, 0);
	CHECK_INT(p.rc, -1);
	CHECK_CONTAINS(p.err.message, "UTF-16");
}

TEST(unclosed_quote_refused)
{
	PARSE(&p, "a;b\n1;2\n3;\"open\n4;5\n", ';');
	CHECK_INT(p.rc, -1);
	CHECK_INT(p.count, 2);
	CHECK_INT(p.err.line, 3);
	CHECK_INT(p.err.cell, 1);
	CHECK_CONTAINS(p.err.message, "quote opened on line 3 is not closed");
}

TEST(text_after_closing_quote_is_a_flaw)
{
	PARSE(&p, "a;b\n\"x\"y;2\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[1], "xy|2");
	CHECK_INT(p.flaw[0], CSV_FLAW_NONE);
	CHECK_INT(p.flaw[1], CSV_FLAW_TEXT_AFTER_QUOTE);
}

/* A quote left open in column 3 of row 1 and closed by a stray quote in
 * column 3 of row 2, in a file of 6 cells: the rest of row 1 (3
 * separators) and row 2 up to column 3 (2) make the 5 of a row. */
TEST(rows_in_quotes_are_a_flaw)
{
	PARSE(&p, "a;b;c;d;e;f\n1;x;\"open;4;5;6\n2;y;close\";4;5;6\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_INT(p.cells[1], 6);
	CHECK_INT(p.flaw[1], CSV_FLAW_ROWS_IN_QUOTES);
	/* The same lines as a note: separators that do not add up to a
	 * row (1 + 2), a note in column 2 (1 cell before it), and a file
	 * of 3 cells whose note adds up by chance: all read as they are. */
	PARSE(&p, "a;b;c;d;e;f\n1;x;\"open;4\n2;y;close\";4;5;6\n", ';');
	CHECK_INT(p.flaw[1], CSV_FLAW_NONE);
	PARSE(&p, "a;b;c;d;e;f\n1;\"open;4;5;6;7\n2;close\";4;5;6\n", ';');
	CHECK_INT(p.flaw[1], CSV_FLAW_NONE);
	PARSE(&p, "id,note,team\n1,\"Gesprek gehad, client tevreden\n"
		  "Vervolg: bellen, volgende week\",Noord\n", ',');
	CHECK_INT(p.count, 2);
	CHECK_INT(p.flaw[1], CSV_FLAW_NONE);
}

/* One reader reads the files of a source one after another: each file's
 * header gives its own width.  A file of 8 cells read first made a later
 * file of 6 be checked against 8: its note in column 3 (5 separators on
 * its first line, 2 on its last: 7, a row of 8 cells, not of 6) was
 * refused as rows taken in. */
TEST(rows_in_quotes_width_per_file)
{
	static const char wide[] = "a;b;c;d;e;f;g;h\n1;2;3;4;5;6;7;8\n";
	static const char six[] = "a;b;c;d;e;f\n1;x;\"o;p;q;r;s;t\nt;u;v\";4;5;6\n";
	csv_reader_options options = { ';', CSV_ENCODING_UTF8, 0, 0 };
	csv_reader *r = csv_reader_new(&options);
	struct source one = { wide, sizeof(wide) - 1, 0, 1 << 20 };
	struct source two = { six, sizeof(six) - 1, 0, 1 << 20 };
	csv_reader_error err;
	csv_record rec;
	int flaws = 0, records = 0, cells = 0;

	CHECK_INT(csv_reader_start(r, source_read, &one, 0, &err), 0);
	while (csv_reader_next(r, &rec, &err) > 0)
		records++;
	CHECK_INT(csv_reader_start(r, source_read, &two, 0, &err), 0);
	while (csv_reader_next(r, &rec, &err) > 0) {
		records++;
		cells = (int)rec.cell_count;
		flaws += rec.flaw != CSV_FLAW_NONE;
	}
	csv_reader_free(r);
	CHECK_INT(records, 4);
	CHECK_INT(cells, 6);
	CHECK_INT(flaws, 0);
}

TEST(quote_inside_unquoted_cell_is_text)
{
	PARSE(&p, "a;b\n12\" scherm;2\n", ';');
	CHECK_INT(p.rc, 0);
	CHECK_STR(p.row[1], "12\" scherm|2");
	CHECK_INT(p.flaw[1], CSV_FLAW_NONE);
}

TEST(separator_detected)
{
	PARSE(&p, "a;b;c\n1;2,5;3\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, ';');
	CHECK_STR(p.row[1], "1|2,5|3");
	PARSE(&p, "a,b,c\n1,2,3\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, ',');
	CHECK_STR(p.row[0], "a|b|c");
	PARSE(&p, "a\tb;x\tc\n1\t2\t3\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, '\t');
	CHECK_STR(p.row[0], "a|b;x|c");
	/* commas between quotes do not count */
	PARSE(&p, "\r\n\"x,y,z\";b\n1;2\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, ';');
	CHECK_STR(p.row[0], "x,y,z|b");
	/* a tie, and none at all: ';' */
	PARSE(&p, "a,b;c\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, ';');
	PARSE(&p, "naam\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.separator, ';');
}

TEST(skip_lines_before_header)
{
	PARSE_WITH(&p, "Export RegiCare\r\n\"Datum: 1-3-2018\r\n\r\nh1;h2\r\n1;2\r\n",
		   ';', CSV_ENCODING_UTF8, 3);
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 2);
	CHECK_STR(p.row[0], "h1|h2");
	CHECK_INT(p.line[0], 4);
	CHECK_INT(p.line[1], 5);
}

TEST(empty_input)
{
	PARSE(&p, "", ';');
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 0);
	PARSE(&p, "\xEF\xBB\xBF\r\n\n", CSV_SEPARATOR_AUTO);
	CHECK_INT(p.rc, 0);
	CHECK_INT(p.count, 0);
}

/* A 10 MB quoted cell with separators, quotes and line breaks in it. */
TEST(field_larger_than_buffer)
{
	size_t big = 10u * 1024 * 1024, i, len = 0;
	char *data = malloc(big * 2 + 64);
	char *expect = malloc(big + 1);
	struct source src;
	csv_reader_options options = { ';', CSV_ENCODING_UTF8, 64 * 1024, 0 };
	csv_reader *r = csv_reader_new(&options);
	csv_reader_error err;
	csv_record rec;
	size_t e = 0;
	long lines = 0;
	int ok = 1;

	CHECK(data != NULL && expect != NULL && r != NULL);
	len += (size_t)sprintf(data + len, "id;blob;x\n1;\"");
	for (i = 0; i < big; i++) {
		char c = "abc;\"\n"[i % 6];

		expect[e++] = c;
		data[len++] = c;
		if (c == '"')
			data[len++] = '"';
		lines += c == '\n';
	}
	expect[e] = '\0';
	len += (size_t)sprintf(data + len, "\";y\n2;z;w\n");

	src = (struct source){ data, len, 0, 1 << 16 };
	CHECK_INT(csv_reader_start(r, source_read, &src, 0, &err), 0);
	CHECK_INT(csv_reader_next(r, &rec, &err), 1);
	CHECK_INT(csv_reader_next(r, &rec, &err), 1);
	CHECK_INT(rec.cell_count, 3);
	CHECK_INT(rec.line, 2);
	CHECK_INT(rec.cells[1].len, big);
	ok = memcmp(rec.cells[1].text, expect, big) == 0;
	CHECK(ok);
	CHECK_STR(rec.cells[2].text, "y");
	CHECK_INT(rec.raw_len, len - strlen("id;blob;x\n") - strlen("\n2;z;w\n"));
	CHECK_INT(csv_reader_next(r, &rec, &err), 1);
	CHECK_STR(rec.cells[0].text, "2");
	CHECK_INT(rec.line, 3 + lines);
	CHECK_INT(csv_reader_next(r, &rec, &err), 0);
	csv_reader_free(r);
	free(data);
	free(expect);
}

/* Memory follows the longest record, not the input. */
TEST(memory_bounded)
{
	size_t rows = 50000, i, len = 0;
	char *data = malloc(rows * 40 + 64);
	csv_reader_options options = { ';', CSV_ENCODING_UTF8, 4096, 0 };
	csv_reader *r = csv_reader_new(&options);
	struct source src;
	csv_reader_error err;
	csv_record rec;
	size_t memory = 0, count = 0;
	int rc;

	CHECK(data != NULL && r != NULL);
	len += (size_t)sprintf(data + len, "a;b;c\n");
	for (i = 0; i < rows; i++)
		len += (size_t)sprintf(data + len, "%zu;\"naam %zu\";x\r\n", i, i);
	src = (struct source){ data, len, 0, 1 << 20 };
	CHECK_INT(csv_reader_start(r, source_read, &src, 0, &err), 0);
	while ((rc = csv_reader_next(r, &rec, &err)) > 0) {
		if (count == 1)
			memory = csv_reader_memory(r);
		count++;
	}
	CHECK_INT(rc, 0);
	CHECK_INT(count, rows + 1);
	CHECK_INT(rec.line, rows + 1);
	CHECK_INT(csv_reader_memory(r), memory);
	CHECK(memory < 8192);
	csv_reader_free(r);
	free(data);
}

TEST(record_longer_than_maximum_refused)
{
	static const char data[] = "a;b\n1;\"this quote is never closed, and the rest is long\n";
	csv_reader_options options = { ';', CSV_ENCODING_UTF8, 8, 32 };
	csv_reader *r = csv_reader_new(&options);
	struct source src = { data, sizeof(data) - 1, 0, 1 << 20 };
	csv_reader_error err;
	csv_record rec;

	CHECK(r != NULL);
	CHECK_INT(csv_reader_start(r, source_read, &src, 0, &err), 0);
	CHECK_INT(csv_reader_next(r, &rec, &err), 1);
	CHECK_INT(csv_reader_next(r, &rec, &err), -1);
	CHECK_INT(err.line, 2);
	CHECK_CONTAINS(err.message, "longer than 32 bytes");
	/* and it stays failed */
	CHECK_INT(csv_reader_next(r, &rec, &err), -1);
	csv_reader_free(r);
}

TEST(invalid_options_refused)
{
	csv_reader_options options = { '|', CSV_ENCODING_UTF8, 0, 0 };

	CHECK(csv_reader_new(&options) == NULL);
	csv_reader_free(NULL);
}

int main(void)
{
	RUN(quoted_separators);
	RUN(rows_in_quotes_are_a_flaw);
	RUN(rows_in_quotes_width_per_file);
	RUN(doubled_quotes);
	RUN(line_breaks_in_quotes_and_line_numbers);
	RUN(crlf_and_last_line_without_line_end);
	RUN(empty_cells_and_trailing_separators);
	RUN(blank_lines_skipped);
	RUN(lone_cr_ends_a_record);
	RUN(utf8_bom_skipped);
	RUN(utf8_bom_with_windows_1252_refused);
	RUN(windows_1252_decoded);
	RUN(windows_1252_undefined_bytes_refused);
	RUN(utf8_under_windows_1252_refused);
	RUN(utf8_valid_across_chunks);
	RUN(utf8_invalid_refused_with_line);
	RUN(utf8_malformed_forms_refused);
	RUN(nul_refused);
	RUN(utf16_refused);
	RUN(unclosed_quote_refused);
	RUN(text_after_closing_quote_is_a_flaw);
	RUN(quote_inside_unquoted_cell_is_text);
	RUN(separator_detected);
	RUN(skip_lines_before_header);
	RUN(empty_input);
	RUN(field_larger_than_buffer);
	RUN(memory_bounded);
	RUN(record_longer_than_maximum_refused);
	RUN(invalid_options_refused);
	return harness_done();
}
