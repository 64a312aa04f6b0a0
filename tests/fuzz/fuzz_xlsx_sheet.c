/*
 * fuzz_xlsx_sheet.c - libFuzzer target: the xlsx plugin's workbook
 * directory and sheet reader on any bytes.  The input is split at its
 * first NUL: before it the shared strings part, after it the sheet; both
 * go into a workbook (with a fixed styles part) written to a temporary
 * file, which is then read row by row, by one parser or, on every other
 * input, cut into segments of a few bytes (a cut before nearly every row)
 * for two.  Any input must end in rows or a message, never a crash, a
 * leak, a hang or a read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zip.h>

#include "xlsx_book.h"
#include "xlsx_rows.h"
#include "xlsx_zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char root_rels[] = "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char workbook[] = "<workbook xmlns:r=\"" REL "\"><workbookPr date1904=\"0\"/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char book_rels[] = "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" REL "/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId3\" Type=\"" REL "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
static const char styles[] = "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"dd-mm-yyyy\"/></numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>";

static void add(zip_t *z, const char *name, const void *bytes, size_t len)
{
	zip_source_t *src = zip_source_buffer(z, bytes, len, 0);

	if (src == NULL || zip_file_add(z, name, src, 0) < 0)
		abort();
}

static int on_row(void *ctx, const xlsx_row *row)
{
	size_t *sum = ctx;

	for (size_t i = 0; i < row->cell_count; i++)
		*sum += row->cells[i].len + (size_t)row->cells[i].text[0] +
			row->cells[i].column + (size_t)row->cells[i].kind;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	const uint8_t *nul = memchr(data, 0, size);
	size_t strings_len = nul ? (size_t)(nul - data) : 0;
	const uint8_t *sheet = nul ? nul + 1 : data;
	size_t sheet_len = nul ? size - strings_len - 1 : size;
	char msg[512];
	xlsx_zip *zip;
	xlsx_book book;
	int error = 0;
	zip_t *z;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "%s/peil-fuzz-xlsx-%d.xlsx",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &error);
	if (z == NULL)
		abort();
	add(z, "_rels/.rels", root_rels, strlen(root_rels));
	add(z, "xl/workbook.xml", workbook, strlen(workbook));
	add(z, "xl/_rels/workbook.xml.rels", book_rels, strlen(book_rels));
	add(z, "xl/styles.xml", styles, strlen(styles));
	add(z, "xl/sharedStrings.xml", data, strings_len);
	add(z, "xl/worksheets/sheet1.xml", sheet, sheet_len);
	if (zip_close(z) < 0)
		abort();

	if (xlsx_zip_open(&zip, path, 1u << 20, msg, sizeof(msg)) != 0)
		return 0;
	/* a tiny memory limit on every other input: the spill path (the
	 * strings read first) too; otherwise the strings are read on their
	 * thread while the sheet is */
	if (xlsx_book_load(&book, zip, size % 2 ? 0 : 1u << 20, msg,
			   sizeof(msg)) == 0) {
		xlsx_rows *s = xlsx_rows_open(zip, &book, book.sheets[0].part,
					      msg, sizeof(msg));
		size_t sum = 0;

		if (s != NULL)
			(void)xlsx_rows_read(s, size % 4 < 2 ? 0 : 16, on_row,
					     &sum);
		xlsx_rows_close(s);
		(void)xlsx_book_strings_end(&book, msg, sizeof(msg));
	}
	xlsx_book_release(&book);
	xlsx_zip_close(zip);
	return 0;
}
