/*
 * demo_xlsx.c - peil-demo's exports rewritten as .xlsx workbooks, so that
 * the demo can be read with the xlsx plugin and give the figures of the
 * CSVs (tests/e2e/cases_xlsx.sh, demo_xlsx).
 *
 * The CSVs are peil-demo's own: ';'-separated, '"'-quoted, CRLF, UTF-8 or
 * Windows-1252 (the case exports; only Latin-1 letters occur in them).
 * libzip writes the container; the XML is small enough to write by hand.
 */
#include "demo_xlsx.h"

#include <zip.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/dir.h"

/* A growing byte buffer; a failed grow sets failed and drops the rest. */
typedef struct buffer {
	char *data;
	size_t len, cap;
	int failed;
} buffer;

static void put_bytes(buffer *b, const char *bytes, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *grown;

		while (cap < b->len + n + 1)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (grown == NULL) {
			b->failed = 1;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, bytes, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void put(buffer *b, const char *text)
{
	put_bytes(b, text, strlen(text));
}

/* Whether text[0..len) is valid UTF-8 (peil-demo's own output: no need
 * to refuse overlongs). */
static int is_utf8(const unsigned char *text, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = text[i] < 0x80 ? 0 : (text[i] & 0xE0) == 0xC0 ? 1 :
			   (text[i] & 0xF0) == 0xE0 ? 2 :
			   (text[i] & 0xF8) == 0xF0 ? 3 : 4;

		if (n == 4 || i + n >= len + (n == 0))
			return 0;
		for (size_t k = 1; k <= n; k++)
			if ((text[i + k] & 0xC0) != 0x80)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* One cell's text into the sheet: XML-escaped, Latin-1 bytes made UTF-8
 * when the file is not UTF-8. */
static void put_cell_text(buffer *b, const char *text, size_t len, int utf8)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		char two[2];

		if (c == '&')
			put(b, "&amp;");
		else if (c == '<')
			put(b, "&lt;");
		else if (c == '>')
			put(b, "&gt;");
		else if (c < 0x80 || utf8) {
			put_bytes(b, &text[i], 1);
		} else {
			two[0] = (char)(0xC0 | c >> 6);
			two[1] = (char)(0x80 | (c & 0x3F));
			put_bytes(b, two, 2);
		}
	}
}

/* "A", "B" ... "AA": the column letters of column (from 0). */
static void column_name(size_t column, char out[4])
{
	if (column < 26) {
		out[0] = (char)('A' + column);
		out[1] = '\0';
	} else {
		out[0] = (char)('A' + column / 26 - 1);
		out[1] = (char)('A' + column % 26);
		out[2] = '\0';
	}
}

/* The CSV text as a worksheet's XML. */
static void sheet_from_csv(buffer *sheet, const char *csv, size_t len)
{
	int utf8 = is_utf8((const unsigned char *)csv, len);
	size_t i = 0, row = 0;
	buffer cell = { 0 };

	put(sheet, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
		   "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>");
	while (i < len) {
		size_t column = 0;
		char ref[64], letters[4];

		row++;
		snprintf(ref, sizeof(ref), "<row r=\"%zu\">", row);
		put(sheet, ref);
		for (;;) {	/* one cell per turn */
			cell.len = 0;
			if (i < len && csv[i] == '"') {
				for (i++; i < len; i++) {
					if (csv[i] == '"' && i + 1 < len &&
					    csv[i + 1] == '"')
						put_bytes(&cell, &csv[i++], 1);
					else if (csv[i] == '"')
						break;
					else
						put_bytes(&cell, &csv[i], 1);
				}
				i++;	/* the closing quote */
			}
			while (i < len && csv[i] != ';' && csv[i] != '\r' &&
			       csv[i] != '\n')
				put_bytes(&cell, &csv[i++], 1);
			if (cell.len > 0) {
				column_name(column, letters);
				snprintf(ref, sizeof(ref),
					 "<c r=\"%s%zu\" t=\"inlineStr\"><is><t>",
					 letters, row);
				put(sheet, ref);
				put_cell_text(sheet, cell.data, cell.len, utf8);
				put(sheet, "</t></is></c>");
			}
			column++;
			if (i < len && csv[i] == ';') {
				i++;
				continue;
			}
			break;
		}
		while (i < len && (csv[i] == '\r' || csv[i] == '\n'))
			i++;
		put(sheet, "</row>");
	}
	put(sheet, "</sheetData></worksheet>");
	if (cell.failed)
		sheet->failed = 1;
	free(cell.data);
}

#define REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG_NS "http://schemas.openxmlformats.org/package/2006/relationships"

static const char content_types[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
	"<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
	"</Types>";
static const char root_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
	"<Relationships xmlns=\"" PKG_NS "\"><Relationship Id=\"rId1\" Type=\"" REL_NS "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char workbook[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"" REL_NS "\">"
	"<sheets><sheet name=\"Export\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char workbook_rels[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
	"<Relationships xmlns=\"" PKG_NS "\"><Relationship Id=\"rId1\" Type=\"" REL_NS "/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";

static int add_part(zip_t *z, const char *name, const char *data, size_t len)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);

	if (src == NULL)
		return -1;
	if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8) < 0) {
		zip_source_free(src);
		return -1;
	}
	return 0;
}

/* Reads csv_path whole, writes xlsx_path. */
static int convert_file(const char *csv_path, const char *xlsx_path)
{
	buffer csv = { 0 }, sheet = { 0 };
	FILE *f = fopen(csv_path, "rb");
	char chunk[65536];
	size_t got;
	zip_t *z;
	int error = 0, rc = -1;

	if (f == NULL)
		return -1;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put_bytes(&csv, chunk, got);
	if (ferror(f) || csv.failed) {
		fclose(f);
		free(csv.data);
		return -1;
	}
	fclose(f);
	sheet_from_csv(&sheet, csv.data ? csv.data : "", csv.len);
	free(csv.data);
	z = sheet.failed ? NULL :
	    zip_open(xlsx_path, ZIP_CREATE | ZIP_TRUNCATE, &error);
	if (z != NULL) {
		if (add_part(z, "[Content_Types].xml", content_types,
			     strlen(content_types)) == 0 &&
		    add_part(z, "_rels/.rels", root_rels, strlen(root_rels)) == 0 &&
		    add_part(z, "xl/workbook.xml", workbook, strlen(workbook)) == 0 &&
		    add_part(z, "xl/_rels/workbook.xml.rels", workbook_rels,
			     strlen(workbook_rels)) == 0 &&
		    add_part(z, "xl/worksheets/sheet1.xml", sheet.data,
			     sheet.len) == 0 &&
		    zip_close(z) == 0)
			rc = 0;
		else
			zip_discard(z);
	}
	free(sheet.data);
	return rc;
}

int demo_xlsx_convert(const char *dir)
{
	char **files;
	size_t count, i;
	int rc = 0;

	if (dir_list(dir, ".csv", &files, &count) != 0) {
		fprintf(stderr, "peil-demo: cannot list %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	for (i = 0; i < count && rc == 0; i++) {
		size_t n = strlen(files[i]);
		char *xlsx = malloc(n + 2);

		if (xlsx == NULL) {
			rc = -1;
			break;
		}
		memcpy(xlsx, files[i], n - 4);
		memcpy(xlsx + n - 4, ".xlsx", 6);
		if (convert_file(files[i], xlsx) != 0 || unlink(files[i]) != 0) {
			fprintf(stderr, "peil-demo: cannot write %s\n", xlsx);
			rc = -1;
		} else {
			printf("%s: written from %s\n", xlsx, files[i]);
		}
		free(xlsx);
	}
	dir_list_free(files, count);
	return rc;
}
