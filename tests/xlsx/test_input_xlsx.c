/*
 * test_input_xlsx.c - the built xlsx.so, loaded as the host loads it
 * (RTLD_NOW | RTLD_LOCAL), driven through a fake services table that
 * records what the plugin hands over.  Each workbook is written here with
 * libzip, part by part as Excel writes them (shared strings, a styles
 * part whose cellXfs give the date formats, a hidden first sheet), so no
 * binary fixture is kept.  With --office, a CSV is converted to .xlsx by
 * LibreOffice (soffice) and read: one workbook written by a real office
 * program.
 */
#include <peil/plugin.h>

#include "harness.h"

#include <zip.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ROWS 16

/* --------------------------------------------------------- the dataset */

enum { CASE_ID, TEAM, REGISTERED, HOURS, URGENT, BSN, FIELD_COUNT };

static const peil_field case_fields[FIELD_COUNT] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_REQUIRED },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
	{ "hours", PEIL_TYPE_REAL, 0 },
	{ "urgent", PEIL_TYPE_BOOLEAN, 0 },
	{ "bsn", PEIL_TYPE_TEXT, PEIL_FIELD_BSN },
};

static const peil_schema cases = { "cases", FIELD_COUNT, case_fields };

#define FAKE_SCHEMA cases
#include "fake_input_host.h"

static const peil_plugin *plugin;

/* Opens the plugin with config, reads path, closes; returns read's
 * result, or open's when that failed. */
static int run(const struct config_entry *config, const char *path,
	       peil_error *err)
{
	void *state = NULL;
	int rc;

	memset(&host, 0, sizeof(host));
	memset(err, 0, sizeof(*err));
	host.config = config;
	host.reader = pthread_self();
	host.reader_set = 1;
	rc = plugin->input->open(&services, &host, &state, err);
	if (rc)
		return rc;
	rc = plugin->input->read(state, path, err);
	plugin->input->close(state);
	return rc;
}

/* ------------------------------------------------- writing workbooks */

static char book_path[512];

/* A new temporary path for a workbook, in book_path. */
static const char *temp_book(void)
{
	int fd;

	harness_tmp_path(book_path, sizeof(book_path), "peil-test-xlsx-XXXXXX");
	fd = mkstemp(book_path);
	if (fd < 0) {
		perror("temp file");
		exit(2);
	}
	close(fd);
	return book_path;
}

/* parts: name, content, name, content ..., NULL.  Written to a new ZIP at
 * book_path, deflated as Excel does. */
static const char *write_zip(const char *const *parts)
{
	const char *path = temp_book();
	int error = 0;
	zip_t *z = zip_open(path, ZIP_TRUNCATE, &error);
	size_t i;

	if (z == NULL) {
		fprintf(stderr, "zip_open %s: %d\n", path, error);
		exit(2);
	}
	for (i = 0; parts[i] != NULL; i += 2) {
		zip_source_t *src = zip_source_buffer(z, parts[i + 1],
						      strlen(parts[i + 1]), 0);

		if (src == NULL ||
		    zip_file_add(z, parts[i], src, ZIP_FL_ENC_UTF_8) < 0) {
			fprintf(stderr, "zip_file_add %s: %s\n", parts[i],
				zip_strerror(z));
			exit(2);
		}
	}
	if (zip_close(z) < 0) {
		fprintf(stderr, "zip_close: %s\n", zip_strerror(z));
		exit(2);
	}
	return path;
}

#define XML "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char content_types[] = XML
	"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	"<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	"<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	"<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
	"</Types>";

static const char root_rels[] = XML
	"<Relationships xmlns=\"" NS_PKG "\">"
	"<Relationship Id=\"rId1\" Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
	"</Relationships>";

/* Two sheets: a hidden list sheet first, as real exports have, then the
 * data on "Cliënten". */
static const char workbook[] = XML
	"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
	"<workbookPr defaultThemeVersion=\"166925\"/>"
	"<sheets>"
	"<sheet name=\"Lijsten\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/>"
	"<sheet name=\"Cli\xC3\xABnten\" sheetId=\"2\" r:id=\"rId2\"/>"
	"</sheets></workbook>";

static const char workbook_1904[] = XML
	"<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
	"<workbookPr date1904=\"1\"/>"
	"<sheets>"
	"<sheet name=\"Lijsten\" sheetId=\"1\" state=\"hidden\" r:id=\"rId1\"/>"
	"<sheet name=\"Cli\xC3\xABnten\" sheetId=\"2\" r:id=\"rId2\"/>"
	"</sheets></workbook>";

static const char workbook_rels[] = XML
	"<Relationships xmlns=\"" NS_PKG "\">"
	"<Relationship Id=\"rId3\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
	"<Relationship Id=\"rId2\" Type=\"" NS_REL "/worksheet\" Target=\"worksheets/sheet2.xml\"/>"
	"<Relationship Id=\"rId1\" Type=\"" NS_REL "/worksheet\" Target=\"/xl/worksheets/sheet1.xml\"/>"
	"<Relationship Id=\"rId4\" Type=\"" NS_REL "/sharedStrings\" Target=\"sharedStrings.xml\"/>"
	"</Relationships>";

/* cellXfs: 0 General, 1 built-in 14 (a date), 2 custom 164 "dd-mm-jjjj"
 * (a date), 3 custom 165 "0.0" (not a date).  cellStyleXfs has an xf too,
 * which must not count. */
static const char styles[] = XML
	"<styleSheet xmlns=\"" NS_MAIN "\">"
	"<numFmts count=\"2\"><numFmt numFmtId=\"164\" formatCode=\"dd\\-mm\\-jjjj\"/>"
	"<numFmt numFmtId=\"165\" formatCode=\"0.0\"/></numFmts>"
	"<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
	"<cellXfs count=\"4\"><xf numFmtId=\"0\" xfId=\"0\"/>"
	"<xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"164\" xfId=\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"165\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
	"</styleSheet>";

/* 0 title, 1..5 headers, 6 Noord, 7 rich text "Zuid" in two runs with a
 * phonetic guide that is not part of it */
static const char shared_strings[] = XML
	"<sst xmlns=\"" NS_MAIN "\" count=\"9\" uniqueCount=\"8\">"
	"<si><t>Overzicht aanmeldingen 2018</t></si>"
	"<si><t>Dossiernummer</t></si>"
	"<si><t xml:space=\"preserve\">Team </t></si>"
	"<si><t>Datum aanmelding</t></si>"
	"<si><t>Uren</t></si>"
	"<si><t>Spoed</t></si>"
	"<si><t>Noord</t></si>"
	"<si><r><rPr><b/></rPr><t>Zu</t></r><r><t>id</t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si>"
	"</sst>";

static const char list_sheet[] = XML
	"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>6</v></c></row>"
	"</sheetData></worksheet>";

/* A merged title in row 1, nothing in row 2, the header in row 3, data in
 * rows 4 to 7, an empty formatted row 8 and formatted empty cells right of
 * the header, as Excel leaves them. */
static const char data_sheet[] = XML
	"<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
	"<dimension ref=\"A1:H8\"/><sheetData>"
	"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"0\"/></row>"
	"<row r=\"3\" spans=\"1:8\">"
	"<c r=\"A3\" t=\"s\"><v>1</v></c><c r=\"B3\" t=\"s\"><v>2</v></c>"
	"<c r=\"C3\" t=\"s\"><v>3</v></c><c r=\"D3\" t=\"s\"><v>4</v></c>"
	"<c r=\"E3\" t=\"s\"><v>5</v></c>"
	"<c r=\"F3\" t=\"inlineStr\"><is><t>BSN</t></is></c>"
	"<c r=\"H3\" s=\"1\"/></row>"
	/* a date formatted by built-in 14; hours as a number; TRUE */
	"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>D001</t></is></c>"
	"<c r=\"B4\" t=\"s\"><v>6</v></c><c r=\"C4\" s=\"1\"><v>43160</v></c>"
	"<c r=\"D4\" s=\"3\"><v>1.5</v></c><c r=\"E4\" t=\"b\"><v>1</v></c>"
	"<c r=\"F4\"><v>12345672</v></c><c r=\"G4\" s=\"1\"/></row>"
	/* a number as the case id; the date typed as text; a formula's
	 * cached text; a custom date format with the time of day */
	"<row r=\"5\"><c r=\"A5\"><v>1002</v></c><c r=\"B5\" t=\"s\"><v>7</v></c>"
	"<c r=\"C5\" t=\"str\"><f>TEXT(X5,\"dd-mm-jjjj\")</f><v>15-03-2018</v></c>"
	"<c r=\"D5\"><f>2*1.25</f><v>2.5</v></c><c r=\"E5\" t=\"b\"><v>0</v></c></row>"
	"<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>D;\"3\"</t></is></c>"
	"<c r=\"B6\" t=\"s\"><v>6</v></c><c r=\"C6\" s=\"2\"><v>43190.75</v></c></row>"
	/* a number that is not formatted as a date, and an error */
	"<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>D004</t></is></c>"
	"<c r=\"B7\" t=\"e\"><v>#N/A</v></c><c r=\"C7\"><v>43160</v></c></row>"
	"<row r=\"8\" s=\"1\" customFormat=\"1\"><c r=\"A8\" s=\"1\"/><c r=\"B8\" t=\"inlineStr\"><is><t> </t></is></c></row>"
	"</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:F1\"/></mergeCells>"
	"</worksheet>";

#define CASE_COLUMNS                                                       \
	{ "column.Dossiernummer", "case_id" }, { "column.Team", "team" },  \
	{ "column.Datum aanmelding", "registered" },                       \
	{ "column.Uren", "hours" }, { "column.Spoed", "urgent" },          \
	{ "column.BSN", "bsn" }

static const struct config_entry default_config[] = {
	{ "plugin", "xlsx" }, CASE_COLUMNS, { NULL, NULL },
};

/* The required fields only, for the sheets with three columns. */
static const struct config_entry three_columns[] = {
	{ "column.Dossiernummer", "case_id" }, { "column.Team", "team" },
	{ "column.Datum aanmelding", "registered" }, { NULL, NULL },
};

/* The workbook above, with its data sheet replaced when sheet is set. */
static const char *write_book(const char *book, const char *sheet)
{
	const char *parts[] = {
		"[Content_Types].xml", content_types,
		"_rels/.rels", root_rels,
		"xl/workbook.xml", book,
		"xl/_rels/workbook.xml.rels", workbook_rels,
		"xl/styles.xml", styles,
		"xl/sharedStrings.xml", shared_strings,
		"xl/worksheets/sheet1.xml", list_sheet,
		"xl/worksheets/sheet2.xml", sheet ? sheet : data_sheet,
		NULL,
	};

	return write_zip(parts);
}

/* ------------------------------------------------------------- tests */

TEST(descriptor)
{
	CHECK_STR(plugin->name, "xlsx");
	CHECK_INT(plugin->kind, PEIL_PLUGIN_INPUT);
	CHECK(plugin->input != NULL && plugin->storage == NULL);
	plugin->input->close(NULL);
}

/* The plugin's own keys: a bad value is refused at open, naming the
 * config line (entry i of the table is on line i + 1) and the key. */
TEST(config_refused)
{
	static const struct config_entry bad_row[] = {
		CASE_COLUMNS, { "header_row", "0" }, { NULL, NULL },
	};
	static const struct config_entry bad_limit[] = {
		CASE_COLUMNS, { "max_unpacked_mb", "lots" }, { NULL, NULL },
	};
	static const struct config_entry both[] = {
		CASE_COLUMNS, { "header_row", "3" }, { "skip_lines", "2" },
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(bad_row, "unused.xlsx", &err), -1);
	CHECK_STR(err.file, "test.ini");
	CHECK_INT(err.line, 7);
	CHECK_STR(err.field, "header_row");
	CHECK_STR(err.message, "header_row '0': use the row number Excel shows, from 1");
	CHECK_INT(run(bad_limit, "unused.xlsx", &err), -1);
	CHECK_STR(err.message, "max_unpacked_mb 'lots': use a number of MiB from 1");
	CHECK_INT(run(both, "unused.xlsx", &err), -1);
	CHECK_STR(err.message, "give header_row or skip_lines, not both");
}

/* The first visible sheet, its header found under the merged title, and
 * every kind of cell.  Dates: serial 43160 is 2018-03-01, day 17591 since
 * 1970; 43190.75 is 2018-03-31 18:00, day 17621. */
static void check_data_sheet(const char *path)
{
	CHECK_STR(host.header, "Dossiernummer;Team ;Datum aanmelding;Uren;Spoed;BSN");
	CHECK_INT(host.begun, 4);
	CHECK_INT(host.ended, 4);

	CHECK_INT(host.row[0].line, 4);
	CHECK_STR(host.row[0].field[CASE_ID], "D001");
	CHECK_STR(host.row[0].field[TEAM], "Noord");
	CHECK_STR(host.row[0].field[REGISTERED], "date:17591");
	CHECK_STR(host.row[0].origin[REGISTERED], "Datum aanmelding (sheet Cli\xC3\xABnten, cell C4)");
	CHECK_STR(host.row[0].field[HOURS], "real:1.5");
	CHECK_STR(host.row[0].field[URGENT], "bool:1");
	CHECK_STR(host.row[0].field[BSN], "12345672");	/* the host adds the 0 */
	CHECK_STR(host.row[0].invalid, "");
	CHECK_STR(host.row[0].raw, "");	/* stored: no reject line built */

	CHECK_INT(host.row[1].line, 5);
	CHECK_STR(host.row[1].field[CASE_ID], "1002");
	CHECK_STR(host.row[1].field[TEAM], "Zuid");
	CHECK_STR(host.row[1].field[REGISTERED], "15-03-2018");	/* the host's */
	CHECK_STR(host.row[1].field[HOURS], "real:2.5");
	CHECK_STR(host.row[1].field[URGENT], "bool:0");
	CHECK_STR(host.row[1].field[BSN], "");
	CHECK_STR(host.row[1].invalid, "");

	CHECK_INT(host.row[2].line, 6);
	CHECK_STR(host.row[2].field[REGISTERED], "date:17621");
	CHECK_STR(host.row[2].raw, "");

	CHECK_INT(host.row[3].line, 7);
	CHECK_STR(host.row[3].field[REGISTERED], "43160");	/* not a date style */
	CHECK_STR(host.row[3].invalid, "Team (sheet Cli\xC3\xABnten, cell B7): the cell holds the error #N/A (field team)");
	CHECK_CONTAINS(host.log, "1 empty rows skipped");
	(void)path;
}

TEST(first_visible_sheet_every_kind_of_cell)
{
	peil_error err;
	const char *path = write_book(workbook, NULL);

	CHECK_INT(run(default_config, path, &err), 0);
	check_data_sheet(path);
	unlink(path);
}

/* A row's reject line (a CSV line: dates as yyyy-mm-dd, quoted where
 * needed) is built only for the row that the host rejects: the first
 * data row, then the third. */
TEST(reject_line_only_for_a_rejected_row)
{
	static const size_t rejected[] = { 1, 3 };
	static const char *const line[] = {
		"D001;Noord;2018-03-01;1.5;1;12345672",
		"\"D;\"\"3\"\"\";Noord;2018-03-31",
	};
	const char *path = write_book(workbook, NULL);
	peil_error err;
	void *state;
	size_t i, r;

	for (i = 0; i < 2; i++) {
		memset(&host, 0, sizeof(host));
		memset(&err, 0, sizeof(err));
		host.config = default_config;
		host.end_fail_at = rejected[i];
		host.end_result = PEIL_RECORD_REJECTED;
		CHECK_INT(plugin->input->open(&services, &host, &state, &err), 0);
		CHECK_INT(plugin->input->read(state, path, &err), 0);
		plugin->input->close(state);
		CHECK_INT(host.ended, 4);
		CHECK_INT(host.raw_built, 1);
		for (r = 0; r < 4; r++)
			CHECK_STR(host.row[r].raw,
				  r + 1 == rejected[i] ? line[i] : "");
	}
	unlink(path);
}

/* cellXfs 1 a date (built-in 14), 2 custom 166 "0000", 3 custom 167
 * "000000000": codes whose formats show their leading zeros. */
static const char zero_styles[] = XML
	"<styleSheet xmlns=\"" NS_MAIN "\">"
	"<numFmts count=\"2\"><numFmt numFmtId=\"166\" formatCode=\"0000\"/>"
	"<numFmt numFmtId=\"167\" formatCode=\"000000000\"/></numFmts>"
	"<cellXfs count=\"4\"><xf numFmtId=\"0\" xfId=\"0\"/>"
	"<xf numFmtId=\"14\" xfId=\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"166\" xfId=\"0\" applyNumberFormat=\"1\"/>"
	"<xf numFmtId=\"167\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
	"</styleSheet>";

/* A rejected row's line shows a code as it was read, with the zeros of
 * its format: 363 in a cell of format 0000 is 0363 in the field and in
 * the reject file (was 363 there), 5 in a column without a mapping 0005;
 * the citizen number's format pads nothing, in either (the host pads). */
TEST(reject_line_keeps_the_zeros_of_a_code)
{
	static const struct config_entry config[] = {
		{ "column.Dossiernummer", "case_id" }, { "column.Team", "team" },
		{ "column.Datum aanmelding", "registered" },
		{ "column.BSN", "bsn" }, { NULL, NULL },
	};
	const char *parts[] = {
		"[Content_Types].xml", content_types,
		"_rels/.rels", root_rels,
		"xl/workbook.xml", workbook,
		"xl/_rels/workbook.xml.rels", workbook_rels,
		"xl/styles.xml", zero_styles,
		"xl/sharedStrings.xml", shared_strings,
		"xl/worksheets/sheet1.xml", list_sheet,
		"xl/worksheets/sheet2.xml", XML
		"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c>"
		"<c r=\"D1\" t=\"inlineStr\"><is><t>BSN</t></is></c><c r=\"E1\" t=\"inlineStr\"><is><t>Wijk</t></is></c></row>"
		"<row r=\"2\"><c r=\"A2\" s=\"2\"><v>363</v></c><c r=\"B2\" t=\"s\"><v>6</v></c><c r=\"C2\" s=\"1\"><v>43160</v></c>"
		"<c r=\"D2\" s=\"3\"><v>12345672</v></c><c r=\"E2\" s=\"2\"><v>5</v></c></row>"
		"</sheetData></worksheet>",
		NULL,
	};
	const char *path = write_zip(parts);
	peil_error err;
	void *state;

	memset(&host, 0, sizeof(host));
	memset(&err, 0, sizeof(err));
	host.config = config;
	host.end_fail_at = 1;
	host.end_result = PEIL_RECORD_REJECTED;
	CHECK_INT(plugin->input->open(&services, &host, &state, &err), 0);
	CHECK_INT(plugin->input->read(state, path, &err), 0);
	plugin->input->close(state);
	CHECK_INT(host.ended, 1);
	CHECK_STR(host.row[0].field[CASE_ID], "0363");
	CHECK_STR(host.row[0].field[BSN], "12345672");
	CHECK_STR(host.row[0].raw, "0363;Noord;2018-03-01;12345672;0005");
	unlink(path);
}

/* With no memory for shared strings they are read back from the spill
 * file: the same rows. */
TEST(shared_strings_spilled)
{
	static const struct config_entry config[] = {
		{ "strings_memory_mb", "0" }, CASE_COLUMNS, { NULL, NULL },
	};
	peil_error err;
	const char *path = write_book(workbook, NULL);

	CHECK_INT(run(config, path, &err), 0);
	check_data_sheet(path);
	unlink(path);
}

TEST(sheet_by_name_and_position)
{
	static const struct config_entry by_name[] = {
		{ "sheet", "Cli\xC3\xABnten" }, CASE_COLUMNS, { NULL, NULL },
	};
	static const struct config_entry by_number[] = {
		{ "sheet", "1" }, { "header_row", "3" }, CASE_COLUMNS,
		{ NULL, NULL },
	};
	static const struct config_entry hidden[] = {
		{ "sheet", "Lijsten" }, CASE_COLUMNS, { NULL, NULL },
	};
	peil_error err;
	const char *path = write_book(workbook, NULL);

	CHECK_INT(run(by_name, path, &err), 0);
	CHECK_INT(host.ended, 4);
	/* 1 counts the visible sheets: Lijsten is hidden */
	CHECK_INT(run(by_number, path, &err), 0);
	CHECK_INT(host.ended, 4);
	/* a hidden sheet named is read: it has no such header */
	CHECK_INT(run(hidden, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 1);
	CHECK_STR(err.field, "Dossiernummer");
	CHECK_CONTAINS(err.message, "sheet 'Lijsten', row 1: column 'Dossiernummer' (mapped to field case_id) is not in the header");
	unlink(path);
}

TEST(missing_sheet_refused)
{
	static const struct config_entry config[] = {
		{ "sheet", "Clienten" }, CASE_COLUMNS, { NULL, NULL },
	};
	static const struct config_entry third[] = {
		{ "sheet", "2" }, CASE_COLUMNS, { NULL, NULL },
	};
	peil_error err;
	const char *path = write_book(workbook, NULL);

	CHECK_INT(run(config, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_STR(err.message, "the workbook has no sheet 'Clienten'; its sheets: 'Lijsten' (hidden), 'Cli\xC3\xABnten'");
	CHECK_INT(host.begun, 0);
	CHECK_INT(run(third, path, &err), -1);
	CHECK_CONTAINS(err.message, "no sheet '2' (counting visible sheets)");
	unlink(path);
}

/* 1904 system: serial 41698 is 2018-03-01 (1462 less than in 1900). */
TEST(date_system_1904)
{
	peil_error err;
	const char *path = write_book(workbook_1904,
		XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B2\" t=\"s\"><v>6</v></c><c r=\"C2\" s=\"2\"><v>41698</v></c></row>"
		"</sheetData></worksheet>");

	CHECK_INT(run(three_columns, path, &err), 0);
	CHECK_INT(host.ended, 1);
	CHECK_STR(host.row[0].field[REGISTERED], "date:17591");
	unlink(path);
}

/* Serial 60 is Excel's 29-02-1900: refused, naming sheet, cell, header. */
TEST(excel_29_february_1900)
{
	peil_error err;
	const char *path = write_book(workbook,
		XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>"
		"<row r=\"17\"><c r=\"A17\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B17\" t=\"s\"><v>6</v></c><c r=\"C17\" s=\"1\"><v>60</v></c></row>"
		"<row r=\"18\"><c r=\"A18\" t=\"inlineStr\"><is><t>D2</t></is></c><c r=\"B18\" t=\"s\"><v>6</v></c><c r=\"C18\" s=\"1\"><v>61</v></c><c r=\"J18\"><v>5</v></c></row>"
		"</sheetData></worksheet>");

	CHECK_INT(run(three_columns, path, &err), 0);
	CHECK_INT(host.ended, 2);
	CHECK_INT(host.row[0].line, 17);
	CHECK_STR(host.row[0].invalid, "Datum aanmelding (sheet Cli\xC3\xABnten, cell C17): date serial 60 is 29-02-1900, a day that does not exist (Excel's 1900 leap-year bug) (field registered)");
	CHECK_STR(host.row[1].field[REGISTERED], "date:-25508");	/* 1900-03-01 */
	CHECK_STR(host.row[1].invalid, "-: sheet 'Cli\xC3\xABnten': cell J18 has a value, but no header above it in row 18");
	unlink(path);
}

static const char *write_bytes(const void *data, size_t len)
{
	const char *path = temp_book();
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
	return path;
}

/* An .xls (OLE2 compound file) and an encrypted workbook (an OLE2 file
 * holding "EncryptedPackage" in UTF-16) are refused by name; so is a
 * file that is not a ZIP at all. */
TEST(xls_password_and_non_zip_refused)
{
	static const unsigned char ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0,
					       0xA1, 0xB1, 0x1A, 0xE1 };
	static const char encrypted[] =
		"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
	unsigned char file[4096];
	peil_error err;
	const char *path;

	memset(file, 0, sizeof(file));
	memcpy(file, ole2, sizeof(ole2));
	memcpy(file + 1024, "W\0o\0r\0k\0b\0o\0o\0k\0", 16);
	path = write_bytes(file, sizeof(file));
	CHECK_INT(run(default_config, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "an Excel 97-2003 workbook (.xls, binary format)");
	CHECK_INT(host.begun, 0);
	unlink(path);

	memcpy(file + 2048, encrypted, sizeof(encrypted) - 1);
	path = write_bytes(file, sizeof(file));
	CHECK_INT(run(default_config, path, &err), -1);
	CHECK_CONTAINS(err.message, "a password-protected workbook");
	unlink(path);

	path = write_bytes("Dossiernummer;Team\n", 19);
	CHECK_INT(run(default_config, path, &err), -1);
	CHECK_CONTAINS(err.message, "not an Office Open XML workbook (.xlsx): the file is not a ZIP container");
	unlink(path);
}

/* A sheet that unpacks to 3 MiB (of white space: it deflates to a few
 * KiB) against max_unpacked_mb = 1: refused before a row is read. */
TEST(zip_bomb_refused)
{
	static const struct config_entry config[] = {
		{ "max_unpacked_mb", "1" }, CASE_COLUMNS, { NULL, NULL },
	};
	size_t size = 3u << 20, head;
	char *sheet = malloc(size + 1);
	peil_error err;
	const char *path;

	if (sheet == NULL)
		exit(2);
	head = (size_t)snprintf(sheet, size, XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row>");
	memset(sheet + head, ' ', size - head);
	sheet[size] = '\0';
	path = write_book(workbook, sheet);
	CHECK_INT(run(config, path, &err), -1);
	free(sheet);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "part 'xl/worksheets/sheet2.xml' unpacks to 3145728 bytes, more than max_unpacked_mb allows (1048576 bytes): refused as a possible ZIP bomb");
	CHECK_INT(host.begun, 0);
	unlink(path);
}

/* A sheet cut off in the middle: the read fails naming the sheet, part
 * and XML line, so the host rolls back whatever rows it was handed. */
TEST(truncated_sheet_refused)
{
	peil_error err;
	const char *path = write_book(workbook,
		XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>\n"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B2\" t=\"s\"><v>6</v></c><c r=\"C2\" s=\"1\"><v>43160</v></c></row>\n"
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>D2</t>");

	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "sheet 'Cli\xC3\xABnten': part 'xl/worksheets/sheet2.xml', XML line 5");
	unlink(path);
}

/* A sheet of LONG_ROWS data rows under the header of three columns:
 * case D<n>, team Noord (shared string 6), registered 43101 + n % 365
 * (1 January 2018 on).  About 4.6 MiB of XML: the part is unpacked in
 * some 36 blocks of 128 KiB while it is parsed, more than the four the
 * ring holds. */
#define LONG_ROWS 30000

/* A part of size bytes, begun with head (of fewer than size), its length
 * in *len. */
static char *part_begun(size_t size, const char *head, size_t *len)
{
	char *part = malloc(size);

	if (part == NULL)
		exit(2);
	*len = (size_t)snprintf(part, size, "%s", head);
	return part;
}

static char *long_sheet(void)
{
	size_t size = 200 + (size_t)LONG_ROWS * 160, len;
	char *sheet = part_begun(size, XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>\n",
		&len);
	long n;

	for (n = 0; n < LONG_ROWS; n++)
		len += (size_t)snprintf(sheet + len, size - len,
			"<row r=\"%ld\"><c r=\"A%ld\" t=\"inlineStr\"><is><t>D%ld</t></is></c>"
			"<c r=\"B%ld\" t=\"s\"><v>6</v></c><c r=\"C%ld\" s=\"1\"><v>%ld</v></c></row>\n",
			n + 2, n + 2, n, n + 2, n + 2, 43101 + n % 365);
	snprintf(sheet + len, size - len, "</sheetData></worksheet>");
	return sheet;
}

/* A read of path that the host stops at row stop: ended there, the
 * plugin's threads stopped and joined. */
static void stopped_at(const char *path, size_t stop)
{
	peil_error err;
	void *state = NULL;

	memset(&host, 0, sizeof(host));
	memset(&err, 0, sizeof(err));
	host.config = three_columns;
	host.end_fail_at = stop;
	host.end_result = -1;
	CHECK_INT(plugin->input->open(&services, &host, &state, &err), 0);
	CHECK_INT(plugin->input->read(state, path, &err), -1);
	plugin->input->close(state);
	CHECK_CONTAINS(err.message, "stopped by the host");
	CHECK_INT(host.ended, stop);
	CHECK_INT(host.begun, stop);
	CHECK_INT(host.last_line, (long)stop + 1);
	CHECK_INT(host.out_of_order, 0);
}

/* Every row of a sheet unpacked in many blocks arrives, in order; a host
 * that stops the read ends it there (the plugin's threads, then waiting
 * on a full ring or a full block, are stopped and joined: no leak, no
 * hang). */
TEST(long_sheet_read_and_stopped)
{
	char *sheet = long_sheet();
	const char *path = write_book(workbook, sheet);
	static const size_t stops[2] = { 100, 1500 };
	peil_error err;
	size_t i;

	free(sheet);
	CHECK_INT(run(three_columns, path, &err), 0);
	CHECK_INT(host.begun, LONG_ROWS);
	CHECK_INT(host.ended, LONG_ROWS);
	CHECK_STR(host.row[0].field[CASE_ID], "D0");
	CHECK_STR(host.row[0].field[REGISTERED], "date:17532");	/* 2018-01-01 */
	CHECK_STR(host.row[15].field[CASE_ID], "D15");
	CHECK_STR(host.row[15].field[REGISTERED], "date:17547");
	CHECK_INT(host.row[15].line, 17);
	/* parsed on the plugin's thread, 512 rows to a block: every row of
	 * some 59 blocks, in order, handed over on the calling thread */
	CHECK_INT(host.last_line, LONG_ROWS + 1);
	CHECK_INT(host.out_of_order, 0);
	CHECK_INT(host.other_thread, 0);

	/* stopped at row 100, in the first block; and in the third (rows
	 * 1025-1536 of data): the parser, a block ahead and waiting for the
	 * second, is stopped and joined, as is the unpacking thread */
	for (i = 0; i < 2; i++)
		stopped_at(path, stops[i]);
	unlink(path);
}

/* A row larger than a block of rows (9000 cells, 4096 to a block; 9000
 * texts of 20 bytes, 64 KiB to a block) between two ordinary ones: the
 * block that takes it grows (out of its parser's ring, into memory of
 * its own), and the rows come in order, whole. */
#define WIDE_CELLS 9000

TEST(row_larger_than_a_block)
{
	size_t size = 4096 + (size_t)WIDE_CELLS * 80, len;
	char *sheet = malloc(size), column[16];
	const char *path;
	peil_error err;
	long c;

	if (sheet == NULL)
		exit(2);
	len = (size_t)snprintf(sheet, size, XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>\n"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B2\" t=\"s\"><v>6</v></c><c r=\"C2\" s=\"1\"><v>43160</v></c></row>\n"
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>D2</t></is></c><c r=\"B3\" t=\"s\"><v>6</v></c><c r=\"C3\" s=\"1\"><v>43161</v></c>");
	for (c = 3; c < WIDE_CELLS; c++) {	/* D3 on, past the header */
		int n = 0;
		long k = c + 1;

		while (k > 0) {
			column[n++] = (char)('A' + (k - 1) % 26);
			k = (k - 1) / 26;
		}
		len += (size_t)snprintf(sheet + len, size - len, "<c r=\"");
		while (n > 0)
			sheet[len++] = column[--n];
		len += (size_t)snprintf(sheet + len, size - len,
			"3\" t=\"inlineStr\"><is><t>%020ld</t></is></c>", c);
	}
	snprintf(sheet + len, size - len, "</row>\n"
		"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>D3</t></is></c><c r=\"B4\" t=\"s\"><v>6</v></c><c r=\"C4\" s=\"1\"><v>43162</v></c></row>\n"
		"</sheetData></worksheet>");
	path = write_book(workbook, sheet);
	free(sheet);
	CHECK_INT(run(three_columns, path, &err), 0);
	CHECK_INT(host.ended, 3);
	CHECK_STR(host.row[0].field[CASE_ID], "D1");
	CHECK_STR(host.row[1].field[CASE_ID], "D2");
	CHECK_STR(host.row[1].field[REGISTERED], "date:17592");	/* 2018-03-02 */
	CHECK_INT(host.row[1].line, 3);
	CHECK_STR(host.row[2].field[CASE_ID], "D3");
	CHECK_STR(host.row[2].field[REGISTERED], "date:17593");
	CHECK_INT(host.row[2].line, 4);
	CHECK_INT(host.other_thread, 0);
	unlink(path);
}

/* XORs mask into the 32-bit little-endian field of the part's entry at
 * local_at of its local header ("PK\3\4": name length at 26, name at 30)
 * and at central_at of its central header ("PK\1\2": name length at 28,
 * name at 46), so that the two still agree.  Returns the number of
 * headers changed (2). */
static int patch_entry(const char *path, const char *name, size_t local_at,
		       size_t central_at, uint32_t mask)
{
	const size_t name_len = strlen(name);
	unsigned char *zip, *field;
	size_t size, i, b;
	int patched = 0;
	FILE *f = fopen(path, "r+b");

	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		exit(2);
	size = (size_t)ftell(f);
	zip = malloc(size);
	rewind(f);
	if (zip == NULL || fread(zip, 1, size, f) != size)
		exit(2);
	for (i = 0; i + 46 + name_len <= size; i++) {
		if (memcmp(zip + i, "PK\3\4", 4) == 0 &&
		    zip[i + 26] == name_len &&
		    memcmp(zip + i + 30, name, name_len) == 0)
			field = zip + i + local_at;
		else if (memcmp(zip + i, "PK\1\2", 4) == 0 &&
			 zip[i + 28] == name_len &&
			 memcmp(zip + i + 46, name, name_len) == 0)
			field = zip + i + central_at;
		else
			continue;
		for (b = 0; b < 4; b++)
			field[b] ^= (unsigned char)(mask >> (8 * b));
		patched++;
	}
	rewind(f);
	if (fwrite(zip, 1, size, f) != size || fclose(f) != 0)
		exit(2);
	free(zip);
	return patched;
}

/* The sheet's checksum damaged (in its local and central headers alike):
 * libzip finds out at the part's end, in the unpacking thread, after the
 * parser has handed over every row before it; the read still fails, with
 * the part's name, and the host rolls those rows back. */
TEST(damaged_sheet_checksum_refused)
{
	char *sheet = long_sheet();
	const char *path = write_book(workbook, sheet);
	peil_error err;

	free(sheet);
	/* the CRC: at 14 of the local header, 16 of the central one */
	CHECK_INT(patch_entry(path, "xl/worksheets/sheet2.xml", 14, 16, 0xFF),
		  2);
	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_CONTAINS(err.message, "part 'xl/worksheets/sheet2.xml' cannot be unpacked (damaged or truncated file)");
	CHECK(host.ended > LONG_ROWS / 2);
	unlink(path);
}

/* A table of TABLE_STRINGS shared strings: 0-2 the headers, then i is
 * "T<i>" (six digits), each "<si><t>T000003</t></si>", 23 bytes: some
 * 1.1 MB of XML, unpacked in nine blocks of 128 KiB.  end closes the
 * part ("</sst>", or a cut-off tag). */
#define TABLE_STRINGS 50000

static char *long_table(const char *end)
{
	size_t size = 400 + (size_t)TABLE_STRINGS * 23, len;
	char *table = part_begun(size, XML "<sst xmlns=\"" NS_MAIN "\">\n"
		"<si><t>Dossiernummer</t></si><si><t>Team</t></si><si><t>Datum aanmelding</t></si>\n",
		&len);
	long i;

	for (i = 3; i < TABLE_STRINGS; i++)
		len += (size_t)snprintf(table + len, size - len,
					"<si><t>T%06ld</t></si>", i);
	snprintf(table + len, size - len, "\n%s", end);
	return table;
}

/* The workbook of write_book with table as its shared strings and a sheet
 * of the header and rows 2-4, whose teams are strings last, first and
 * middle: T049999, T000003, T025000. */
static const char *write_table_book(const char *table)
{
	static const char sheet[] = XML
		"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>\n"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B2\" t=\"s\"><v>49999</v></c><c r=\"C2\" s=\"1\"><v>43160</v></c></row>\n"
		"<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>D2</t></is></c><c r=\"B3\" t=\"s\"><v>3</v></c><c r=\"C3\" s=\"1\"><v>43161</v></c></row>\n"
		"<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>D3</t></is></c><c r=\"B4\" t=\"s\"><v>25000</v></c><c r=\"C4\" s=\"1\"><v>43162</v></c></row>\n"
		"</sheetData></worksheet>";
	const char *parts[] = {
		"[Content_Types].xml", content_types,
		"_rels/.rels", root_rels,
		"xl/workbook.xml", workbook,
		"xl/_rels/workbook.xml.rels", workbook_rels,
		"xl/styles.xml", styles,
		"xl/sharedStrings.xml", table,
		"xl/worksheets/sheet1.xml", list_sheet,
		"xl/worksheets/sheet2.xml", sheet,
		NULL,
	};

	return write_zip(parts);
}

/* The shared strings are read on a thread of their own while the sheet is
 * read: the first data row names the table's last string, which the
 * sheet's parser waits for; the rows come with their strings, in order.
 * Spilled (strings_memory_mb = 0: read before the sheet) the same. */
TEST(shared_string_named_before_it_is_read)
{
	static const struct config_entry spilled[] = {
		{ "strings_memory_mb", "0" }, { "column.Dossiernummer", "case_id" },
		{ "column.Team", "team" }, { "column.Datum aanmelding", "registered" },
		{ NULL, NULL },
	};
	char *table = long_table("</sst>");
	const char *path = write_table_book(table);
	const struct config_entry *config[2] = { three_columns, spilled };
	peil_error err;
	size_t i;

	free(table);
	for (i = 0; i < 2; i++) {
		CHECK_INT(run(config[i], path, &err), 0);
		CHECK_INT(host.ended, 3);
		CHECK_STR(host.row[0].field[TEAM], "T049999");
		CHECK_STR(host.row[0].field[REGISTERED], "date:17591");
		CHECK_STR(host.row[1].field[TEAM], "T000003");
		CHECK_STR(host.row[2].field[TEAM], "T025000");
		CHECK_INT(host.row[2].line, 4);
		CHECK_INT(host.other_thread, 0);
	}
	unlink(path);
}

/* A table cut off after its last string: the sheet, whose strings were
 * all read, is refused for the table's fault all the same, naming its
 * part and XML line (5: the cut-off end tag); and so when the table ends
 * in the last of its strings (line 4), which the sheet's first row
 * names: the table's fault, not the sheet's. */
TEST(damaged_shared_strings_refused)
{
	static const char *const ends[2] = { "</ss", "</s" };
	static const char *const said[2] = {
		"part 'xl/sharedStrings.xml', XML line 5: Opening and ending tag mismatch: sst line 2 and ss",
		"part 'xl/sharedStrings.xml', XML line 4: ",
	};
	peil_error err;
	size_t i;

	for (i = 0; i < 2; i++) {
		char *table = long_table(ends[i]);
		const char *path;

		if (i == 1)	/* "<si><t>T049999</t></si>" cut to "<si><t>T049" */
			table[strlen(table) - strlen("\n</s") - 12] = '\0';
		path = write_table_book(table);
		free(table);
		CHECK_INT(run(three_columns, path, &err), -1);
		CHECK_STR(err.file, path);
		CHECK_INT(err.line, 0);
		CHECK(strncmp(err.message, said[i], strlen(said[i])) == 0);
		unlink(path);
	}
}

/* A part that unpacks to more than its entry declares (the uncompressed
 * size in both headers set to 100 bytes; libzip does not compare them):
 * refused at the byte past the declared size, before a row is stored.
 * The shared strings' table is allocated for the declared size; the
 * sheet is held to it alike. */
TEST(part_larger_than_declared_refused)
{
	static const char *const names[2] = { "xl/sharedStrings.xml",
					      "xl/worksheets/sheet2.xml" };
	char *table = long_table("</sst>");
	uint32_t real = (uint32_t)strlen(table);
	const char *path = write_table_book(table);
	peil_error err;

	free(table);
	/* the uncompressed size: at 22 of the local header, 24 of the
	 * central one */
	CHECK_INT(patch_entry(path, names[0], 22, 24, real ^ 100u), 2);
	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_STR(err.message, "part 'xl/sharedStrings.xml' unpacks to more than the 100 bytes its container declares for it: refused as a damaged file or a possible ZIP bomb");
	CHECK_INT(host.begun, 0);
	unlink(path);

	table = long_sheet();
	real = (uint32_t)strlen(table);
	path = write_book(workbook, table);
	free(table);
	CHECK_INT(patch_entry(path, names[1], 22, 24, real ^ 100u), 2);
	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.message, "sheet 'Cli\xC3\xABnten': part 'xl/worksheets/sheet2.xml' unpacks to more than the 100 bytes its container declares for it: refused as a damaged file or a possible ZIP bomb");
	CHECK_INT(host.begun, 0);
	unlink(path);
}

/* --office: LibreOffice writes the workbook from a CSV whose dates it
 * recognises as ISO dates (number cells with a date style) and whose hours
 * are numbers. */
static char office_path[600];

TEST(office_rows)
{
	static const struct config_entry config[] = {
		{ "column.Dossiernummer", "case_id" }, { "column.Team", "team" },
		{ "column.Datum aanmelding", "registered" },
		{ "column.Uren", "hours" }, { NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, office_path, &err), 0);
	CHECK_STR(err.message, "");
	CHECK_INT(host.ended, 2);
	CHECK_INT(host.row[0].line, 2);
	CHECK_STR(host.row[0].field[CASE_ID], "D001");
	CHECK_STR(host.row[0].field[TEAM], "Noord");
	CHECK_STR(host.row[0].field[REGISTERED], "date:17591");
	CHECK_STR(host.row[0].field[HOURS], "real:1.5");
	CHECK_STR(host.row[1].field[REGISTERED], "date:17621");
	CHECK_STR(host.row[1].field[HOURS], "real:2");
	CHECK_STR(host.row[1].invalid, "");
}

static int office(void)
{
	char dir[512], command[4096], path[600];
	const char *ci = getenv("CI");
	FILE *csv;
	int rc;

	if (system("command -v soffice >/dev/null 2>&1") != 0) {
		if (ci != NULL && strcmp(ci, "true") == 0) {
			printf("FAIL office: soffice is missing, and CI=true: .ci/install-deps installs libreoffice-calc-nogui\n");
			return 1;
		}
		printf("skip office: soffice (libreoffice-calc-nogui) is not installed\n");
		return 77;
	}
	if (mkdtemp(harness_tmp_path(dir, sizeof(dir), "peil-test-office-XXXXXX")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/cases.csv", dir);
	csv = fopen(path, "w");
	if (csv == NULL)
		return 2;
	fputs("Dossiernummer,Team,Datum aanmelding,Uren\n"
	      "D001,Noord,2018-03-01,1.5\n"
	      "D002,Zuid,2018-03-31,2\n", csv);
	fclose(csv);
	/* its own profile in dir: no HOME of the user's, no lock shared
	 * with another soffice */
	snprintf(command, sizeof(command),
		 "cd %s && HOME=%s soffice -env:UserInstallation=file://%s/profile --headless --infilter=CSV:44,34,76 --convert-to xlsx --outdir %s %s >%s/soffice.log 2>&1",
		 dir, dir, dir, dir, path, dir);
	rc = system(command);
	snprintf(office_path, sizeof(office_path), "%s/cases.xlsx", dir);
	if (rc != 0 || access(office_path, R_OK) != 0) {
		/* its log now, for harness_done removes dir */
		printf("FAIL office: soffice did not convert (exit %d); its log:\n",
		       rc);
		snprintf(command, sizeof(command), "cat %s/soffice.log", dir);
		if (system(command) != 0)
			printf("  (no log)\n");
		harness_done();
		return 1;
	}
	RUN(office_rows);
	return harness_done();
}

/* A DTD of nested entities ("billion laughs", three levels here): no
 * entity is declared to the parser, so the first reference refuses the
 * part, in the sheet and in the shared strings (read on their thread)
 * alike; nothing is expanded, nothing stored. */
#define LAUGHS "<!DOCTYPE root [<!ENTITY a \"Noord\">"                     \
	"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"                    \
	"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>\n"

TEST(entities_refused)
{
	static const char table[] = XML LAUGHS
		"<sst xmlns=\"" NS_MAIN "\">\n"
		"<si><t>Dossiernummer</t></si><si><t>Team</t></si><si><t>&c;</t></si>"
		"</sst>";
	peil_error err;
	const char *path = write_book(workbook, XML LAUGHS
		"<worksheet xmlns=\"" NS_MAIN "\"><sheetData>"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>"
		"<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>D1</t></is></c><c r=\"B2\" t=\"inlineStr\"><is><t>&c;</t></is></c><c r=\"C2\" s=\"1\"><v>43160</v></c></row>"
		"</sheetData></worksheet>");

	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.message, "sheet 'Cli\xC3\xABnten': part 'xl/worksheets/sheet2.xml', XML line 3: Entity 'c' not defined");
	CHECK_INT(host.begun, 0);
	unlink(path);

	path = write_table_book(table);
	CHECK_INT(run(three_columns, path, &err), -1);
	CHECK_STR(err.message, "part 'xl/sharedStrings.xml', XML line 4: Entity 'c' not defined");
	unlink(path);
}


/* ------------------------------------------- segments on two parsers */

/* The three ways the sheet is parsed (PEIL_XLSX_SEGMENT_BYTES, read by
 * the plugin at each read): one parser; cut before every row that names
 * its number (a cut wherever one may be); cut at the first row past
 * 30000 bytes of a segment. */
static const char *const segment_modes[3] = { "0", "1", "30000" };

#define SEGMENT_ROWS 15
#define NS_AC "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
#define NS_MC "http://schemas.openxmlformats.org/markup-compatibility/2006"

/*
 * Under the header (row 1, with r), data rows n = 1..15 on sheet rows
 * n + 1: case D<n>, but "<row r="99">D<n>" (written &lt;row ...&gt;) when
 * n is a multiple of 5; team Noord or Zuid (shared strings 6 and 7) for
 * odd and even n; registered serial 43160 + n (day 17591 + n, 2018-03-01
 * on) with date style 1; hours n.5 in style 3 (not a date); urgent the
 * boolean n % 2; BSN the text 123456782.  A row n that is a multiple of 3
 * and its cells have no r (the next row, the next column: no cut before
 * them); rows with n % 4 == 1 carry a prefixed attribute (its prefix
 * declared only on the root) and one whose value holds '>' and "/>";
 * a comment after row 7.  Row 9 is padded (a comment in it) so that the
 * start tag of row 10 begins split bytes before 65536: the first block
 * unpacked ends inside it.  Its r is then written with a leading zero
 * ("011"), as a number it is 11.
 */
static char *segment_sheet(size_t split)
{
	size_t size = 80 * 1024, len;
	char *sheet = part_begun(size, XML "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"\r\n"
		" xmlns:mc=\"" NS_MC "\" mc:Ignorable=\"x14ac\" xmlns:x14ac=\"" NS_AC "\">"
		"<dimension ref=\"A1:F16\"/><sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>\r\n"
		"<sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c>"
		"<c r=\"C1\" t=\"s\"><v>3</v></c><c r=\"D1\" t=\"s\"><v>4</v></c>"
		"<c r=\"E1\" t=\"s\"><v>5</v></c><c r=\"F1\" t=\"inlineStr\"><is><t>BSN</t></is></c></row>\n",
		&len);
	int n;

	for (n = 1; n <= SEGMENT_ROWS; n++) {
		int named = n % 3 != 0;
		long r = n + 1;
		char ref[6][16];
		int col;

		for (col = 0; col < 6; col++)
			if (named)
				snprintf(ref[col], sizeof(ref[col]), " r=\"%c%ld\"", 'A' + col, r);
			else
				ref[col][0] = '\0';
		if (n == 10) {	/* its tag from split bytes before 65536 */
			memset(sheet + len, ' ', 65536 - split - len);
			len = 65536 - split;
		}
		if (named)
			len += (size_t)snprintf(sheet + len, size - len, "<row r=\"%s%ld\"%s>",
				n == 10 ? "0" : "", r,
				n % 4 == 1 ? " spans=\"1:7\" x14ac:dyDescent=\"0.25\" note=\"a>b/>\"" : "");
		else
			len += (size_t)snprintf(sheet + len, size - len, "<row>");
		len += (size_t)snprintf(sheet + len, size - len,
			"<c%s t=\"inlineStr\"><is><t>%sD%d</t></is></c>"
			"<c%s t=\"s\"><v>%d</v></c><c%s s=\"1\"><v>%d</v></c>"
			"<c%s s=\"3\"><v>%d.5</v></c><c%s t=\"b\"><v>%d</v></c>"
			"<c%s t=\"inlineStr\"><is><t>123456782</t></is></c>",
			ref[0], n % 5 == 0 ? "&lt;row r=\"99\"&gt;" : "", n,
			ref[1], n % 2 ? 6 : 7, ref[2], 43160 + n, ref[3], n,
			ref[4], n % 2, ref[5]);
		if (n == 9) {	/* padding up to row 10 */
			size_t pad = 65536 - split - len - 64;

			len += (size_t)snprintf(sheet + len, size - len, "<!-- ");
			memset(sheet + len, 'x', pad);
			len += pad;
			len += (size_t)snprintf(sheet + len, size - len, " -->");
		}
		len += (size_t)snprintf(sheet + len, size - len, "</row>%s",
					n == 7 ? "<!-- notes between rows -->\n" : "\n");
	}
	snprintf(sheet + len, size - len, "</sheetData>"
		"<mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells></worksheet>");
	return sheet;
}

/* The same rows, values, origins and lines whichever way the sheet is
 * parsed, with the tag of row 10 (sheet row 11) split after "<r" and
 * inside its r.  Cut at every row: before the 11 rows that name their
 * number, 12 segments (the first is what comes before row 1).  Cut past
 * 30000 bytes: the first "<row" after byte 30000 (inside row 9's padding)
 * is row 10's, and rows 10-15 are some 2 KB: 2 segments. */
TEST(segments_same_as_one_parser)
{
	static const size_t splits[2] = { 2, 9 };
	static const char *const said[3] = {
		": 1 segments, 1 parsers\n", ": 12 segments, 2 parsers\n",
		": 2 segments, 2 parsers\n",
	};
	size_t k, m;

	for (k = 0; k < 2; k++) {
		char *sheet = segment_sheet(splits[k]);
		const char *path = write_book(workbook, sheet);

		free(sheet);
		for (m = 0; m < 3; m++) {
			peil_error err;
			int n;

			setenv("PEIL_XLSX_SEGMENT_BYTES", segment_modes[m], 1);
			CHECK_INT(run(default_config, path, &err), 0);
			CHECK_STR(err.message, "");
			CHECK_CONTAINS(host.log, said[m]);
			CHECK(strstr(host.log, "read again") == NULL);
			/* two parsers: how far one ran ahead, in the debug log */
			CHECK((strstr(host.log, "blocks of rows ahead of the host") !=
			       NULL) == (m > 0));
			CHECK_INT(host.begun, SEGMENT_ROWS);
			CHECK_INT(host.ended, SEGMENT_ROWS);
			CHECK_INT(host.out_of_order, 0);
			CHECK_INT(host.other_thread, 0);
			for (n = 1; n <= SEGMENT_ROWS; n++) {
				const struct row *row = &host.row[n - 1];
				char want[64];

				CHECK_INT(row->line, n + 1);
				snprintf(want, sizeof(want), "%sD%d",
					 n % 5 == 0 ? "<row r=\"99\">" : "", n);
				CHECK_STR(row->field[CASE_ID], want);
				CHECK_STR(row->field[TEAM], n % 2 ? "Noord" : "Zuid");
				snprintf(want, sizeof(want), "date:%d", 17591 + n);
				CHECK_STR(row->field[REGISTERED], want);
				snprintf(want, sizeof(want), "real:%d.5", n);
				CHECK_STR(row->field[HOURS], want);
				CHECK_STR(row->field[URGENT], n % 2 ? "bool:1" : "bool:0");
				CHECK_STR(row->field[BSN], "123456782");
				snprintf(want, sizeof(want),
					 "Datum aanmelding (sheet Cli\xC3\xABnten, cell C%d)", n + 1);
				CHECK_STR(row->origin[REGISTERED], want);
				CHECK_STR(row->invalid, "");
			}
		}
		unlink(path);
	}
	unsetenv("PEIL_XLSX_SEGMENT_BYTES");
}

/* Rows 2..12 of three columns, each row a segment of its own when cut at
 * every row: the parser of a later segment may fail first in time, but
 * the failure reported is the first in the sheet, after the rows before
 * it, as with one parser. */
static char *failing_sheet(const char *row12, const char *row13)
{
	size_t size = 8192, len;
	char *sheet = part_begun(size, XML "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
		"<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c><c r=\"B1\" t=\"s\"><v>2</v></c><c r=\"C1\" t=\"s\"><v>3</v></c></row>\n",
		&len);
	int r;

	for (r = 2; r <= 11; r++)
		len += (size_t)snprintf(sheet + len, size - len,
			"<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>D%d</t></is></c>"
			"<c r=\"B%d\" t=\"s\"><v>6</v></c><c r=\"C%d\" s=\"1\"><v>43160</v></c></row>\n",
			r, r, r, r, r);
	snprintf(sheet + len, size - len, "%s\n%s\n"
		"<row r=\"14\"><c r=\"A14\" t=\"zz\"><v>1</v></c></row>\n"
		"</sheetData></worksheet>", row12, row13);
	return sheet;
}

TEST(segments_first_failure_wins)
{
	static const struct {
		const char *row12, *row13, *message;
		long line;
	} failures[] = {
		/* row 12 fails at its last cell, row 13 at its first */
		{ "<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D12</t></is></c>"
		  "<c r=\"B12\" t=\"s\"><v>6</v></c><c r=\"C12\" t=\"zz\"><v>1</v></c></row>",
		  "<row r=\"13\"><c r=\"A13\" t=\"s\"><v>99</v></c></row>",
		  "sheet 'Cli\xC3\xABnten': cell C12: unknown cell type t=\"zz\"", 12 },
		/* a row number that goes back, and one out of range, at a
		 * cut: checked against the row before it */
		{ "<row r=\"9\"><c r=\"A9\"><v>1</v></c></row>",
		  "<row r=\"13\"><c r=\"A13\" t=\"s\"><v>99</v></c></row>",
		  "sheet 'Cli\xC3\xABnten': row number r=\"9\" after row 11 (a damaged sheet)", 11 },
		{ "<row r=\"0\"><c r=\"A0\"><v>1</v></c></row>",
		  "<row r=\"13\"><c r=\"A13\" t=\"s\"><v>99</v></c></row>",
		  "sheet 'Cli\xC3\xABnten': row number r=\"0\" after row 11 (a damaged sheet)", 11 },
		{ "<row r=\"12\"/>",
		  "<row r=\"13\"><c r=\"A13\" t=\"s\"><v>99</v></c></row>",
		  "sheet 'Cli\xC3\xABnten': cell A13: shared string '99' is not in the workbook's table", 13 },
		/* a shared-string cell with an empty <v> names no string:
		 * its index is its own text, not the bytes of a cell read
		 * before it ("D11" or "D10": string 1 or 0, read silently) */
		{ "<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D</t></is></c>"
		  "<c r=\"B12\" t=\"s\"><v></v></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
		  "<row r=\"13\"/>",
		  "sheet 'Cli\xC3\xABnten': cell B12: shared string '' is not in the workbook's table", 12 },
		{ "<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D</t></is></c>"
		  "<c r=\"B12\" t=\"s\"><v/></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
		  "<row r=\"13\"/>",
		  "sheet 'Cli\xC3\xABnten': cell B12: shared string '' is not in the workbook's table", 12 },
		/* malformed XML in row 13: the line of the whole part */
		{ "<row r=\"12\"/>", "<row r=\"13\"><c r=\"A13\"><v>1</v></x></row>",
		  "sheet 'Cli\xC3\xABnten': part 'xl/worksheets/sheet2.xml', XML line 15: Opening and ending tag mismatch: c line 15 and x", 13 },
	};
	size_t k, m;

	for (k = 0; k < sizeof(failures) / sizeof(failures[0]); k++) {
		char *sheet = failing_sheet(failures[k].row12, failures[k].row13);
		const char *path = write_book(workbook, sheet);

		free(sheet);
		for (m = 0; m < 2; m++) {
			peil_error err;

			setenv("PEIL_XLSX_SEGMENT_BYTES", segment_modes[m], 1);
			CHECK_INT(run(three_columns, path, &err), -1);
			CHECK_STR(err.message, failures[k].message);
			CHECK_INT(err.line, failures[k].line);
			CHECK_INT(host.begun, 10);	/* rows 2..11 */
			CHECK_STR(host.row[9].field[CASE_ID], "D11");
			CHECK_INT(host.out_of_order, 0);
		}
		unlink(path);
	}
	unsetenv("PEIL_XLSX_SEGMENT_BYTES");
}

/* A "<row" that is not a child of sheetData, in a comment, or in an
 * element after sheetData: cut there, the parser of the segment before
 * sees that it ends inside a comment, or in another element than
 * sheetData, and the sheet is read again by one parser past the rows
 * already handed: the same rows, once each. */
TEST(segments_cut_in_a_comment_read_again)
{
	static const char *const row12[2] = {
		"<!-- <row r=\"40\"><c r=\"A40\"><v>1</v></c></row> -->"
		"<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D12</t></is></c>"
		"<c r=\"B12\" t=\"s\"><v>7</v></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
		"<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D12</t></is></c>"
		"<c r=\"B12\" t=\"s\"><v>7</v></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
	};
	static const char *const ends[2] = {
		"</sheetData></worksheet>",
		"</sheetData><extLst><row r=\"50\"/></extLst></worksheet>",
	};
	size_t m, k;

	for (k = 0; k < 2; k++) {
		char *sheet = failing_sheet(row12[k], "<row r=\"13\"/>");
		const char *path;

		/* no row 14 with its bad type */
		strcpy(strstr(sheet, "<row r=\"14\">"), ends[k]);
		path = write_book(workbook, sheet);
		free(sheet);
		for (m = 0; m < 2; m++) {
			peil_error err;

			setenv("PEIL_XLSX_SEGMENT_BYTES", segment_modes[m], 1);
			CHECK_INT(run(three_columns, path, &err), 0);
			CHECK_STR(err.message, "");
			CHECK_INT(host.begun, 11);	/* rows 2..12 */
			CHECK_INT(host.ended, 11);
			CHECK_INT(host.out_of_order, 0);
			CHECK_STR(host.row[9].field[CASE_ID], "D11");
			CHECK_STR(host.row[10].field[CASE_ID], "D12");
			CHECK_STR(host.row[10].field[TEAM], "Zuid");
			CHECK_STR(host.row[10].field[REGISTERED], "date:17592");
			CHECK_INT(host.row[10].line, 12);
			CHECK_CONTAINS(host.log, m == 0 ? ": 1 segments, 1 parsers\n" :
				       ": 1 segments, 1 parsers (a cut not between rows: read again by one)\n");
		}
		unlink(path);
	}
	unsetenv("PEIL_XLSX_SEGMENT_BYTES");
}

/* Review: the host stops the read early (row 3, row 100, row 1500) while
 * the sheet is cut at every row and at 30000 bytes: the two parsers,
 * ahead, and the reader are stopped and joined (no hang; no leak under
 * ASan), and no row after the stop is handed. */
TEST(segments_stopped_by_the_host)
{
	char *sheet = long_sheet();
	const char *path = write_book(workbook, sheet);
	static const size_t stops[3] = { 3, 100, 1500 };
	size_t i, m;

	free(sheet);
	for (m = 1; m < 3; m++) {
		setenv("PEIL_XLSX_SEGMENT_BYTES", segment_modes[m], 1);
		for (i = 0; i < 3; i++)
			stopped_at(path, stops[i]);
	}
	unsetenv("PEIL_XLSX_SEGMENT_BYTES");
	unlink(path);
}

/* Review: a "<row" where no row is, in a CDATA section of a cell's text,
 * in a processing instruction between rows, and rows written with a
 * prefix bound to the sheet's namespace on the root: the same rows as one
 * parser, with the CDATA's text as it is. */
TEST(segments_row_in_cdata_pi_prefix)
{
	char refused[sizeof(((peil_error *)0)->message)] = "";
	static const char *const row12[3] = {
		"<row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t><![CDATA[D12<row r=\"40\">x]]></t></is></c>"
		"<c r=\"B12\" t=\"s\"><v>7</v></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
		"<?peil <row r=\"40\"> ?><row r=\"12\"><c r=\"A12\" t=\"inlineStr\"><is><t>D12<row r=\"40\">x</t></is></c>"
		"<c r=\"B12\" t=\"s\"><v>7</v></c><c r=\"C12\" s=\"1\"><v>43161</v></c></row>",
		"<x:row r=\"12\" xmlns:x=\"" NS_MAIN "\"><x:c r=\"A12\" t=\"inlineStr\"><x:is><x:t>D12&lt;row r=\"40\"&gt;x</x:t></x:is></x:c>"
		"<x:c r=\"B12\" t=\"s\"><x:v>7</x:v></x:c><x:c r=\"C12\" s=\"1\"><x:v>43161</x:v></x:c></x:row>",
	};
	size_t m, k;

	for (k = 0; k < 3; k++) {
		char *sheet = failing_sheet(row12[k], "<row r=\"13\"/>");
		const char *path;

		strcpy(strstr(sheet, "<row r=\"14\">"), "</sheetData></worksheet>");
		path = write_book(workbook, sheet);
		free(sheet);
		for (m = 0; m < 3; m++) {
			peil_error err;

			setenv("PEIL_XLSX_SEGMENT_BYTES", segment_modes[m], 1);
			CHECK_INT(run(three_columns, path, &err), k == 1 ? -1 : 0);
			if (k == 1) {	/* a <row> inside a <t>: refused alike */
				if (m == 0)
					snprintf(refused, sizeof(refused), "%s", err.message);
				CHECK_STR(err.message, refused);
				CHECK_INT(host.begun, 10);
				continue;
			}
			CHECK_STR(err.message, "");
			CHECK_INT(host.begun, 11);	/* rows 2..12 */
			CHECK_INT(host.ended, 11);
			CHECK_INT(host.out_of_order, 0);
			CHECK_STR(host.row[10].field[CASE_ID], "D12<row r=\"40\">x");
			CHECK_STR(host.row[10].field[TEAM], "Zuid");
			CHECK_INT(host.row[10].line, 12);
		}
		unlink(path);
	}
	unsetenv("PEIL_XLSX_SEGMENT_BYTES");
}

int main(int argc, char **argv)
{
	void *so = dlopen(XLSX_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
	const peil_plugin *(*entry)(void);

	if (so == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 2;
	}
	*(void **)(&entry) = dlsym(so, PEIL_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL) {
		fprintf(stderr, "dlsym: %s\n", dlerror());
		return 2;
	}
	plugin = entry();
	if (argc > 1 && strcmp(argv[1], "--office") == 0)
		return office();
	RUN(descriptor);
	RUN(config_refused);
	RUN(first_visible_sheet_every_kind_of_cell);
	RUN(reject_line_only_for_a_rejected_row);
	RUN(reject_line_keeps_the_zeros_of_a_code);
	RUN(shared_strings_spilled);
	RUN(sheet_by_name_and_position);
	RUN(missing_sheet_refused);
	RUN(date_system_1904);
	RUN(excel_29_february_1900);
	RUN(xls_password_and_non_zip_refused);
	RUN(zip_bomb_refused);
	RUN(truncated_sheet_refused);
	RUN(long_sheet_read_and_stopped);
	RUN(row_larger_than_a_block);
	RUN(damaged_sheet_checksum_refused);
	RUN(shared_string_named_before_it_is_read);
	RUN(damaged_shared_strings_refused);
	RUN(part_larger_than_declared_refused);
	RUN(entities_refused);
	RUN(segments_same_as_one_parser);
	RUN(segments_first_failure_wins);
	RUN(segments_cut_in_a_comment_read_again);
	RUN(segments_stopped_by_the_host);
	RUN(segments_row_in_cdata_pi_prefix);
	return harness_done();
}
