/*
 * test_input_csv.c - the built csv.so, loaded as the host loads it
 * (RTLD_NOW | RTLD_LOCAL) and driven through a fake services table that
 * records what the plugin hands over: header, rows with their lines and
 * cells, invalid marks, log lines.  record_end returns what a test asks.
 */
#include <peil/plugin.h>

#include "harness.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_ROWS 8
#define MAX_CONFIG 16

/* --------------------------------------------------------- the dataset */

enum { CASE_ID, TEAM, REGISTERED, CLOSURE_REASON, CLOSED, FIELD_COUNT };

static const peil_field case_fields[FIELD_COUNT] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_REQUIRED },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
	{ "closure_reason", PEIL_TYPE_TEXT, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
};

static const peil_schema cases = { "cases", FIELD_COUNT, case_fields };

#define FAKE_SCHEMA cases
#include "fake_input_host.h"

/* ----------------------------------------------------------- helpers */

static const peil_plugin *plugin;

/* The mapping of the fixtures; most tests use it. */
#define CASE_COLUMNS                                                       \
	{ "column.Dossiernummer", "case_id" },                             \
	{ "column.Team", "team" },                                         \
	{ "column.Datum aanmelding", "registered" },                       \
	{ "column.Reden be\xC3\xABindiging", "closure_reason" }

static const struct config_entry semicolon_config[] = {
	{ "plugin", "csv" },
	{ "separator", "semicolon" },
	CASE_COLUMNS,
	{ NULL, NULL },
};

static int open_rc;

/* Opens the plugin with config, reads path, closes; returns read's
 * result, or open's when that failed (then open_rc is nonzero). */
static int run(const struct config_entry *config, const char *path,
	       size_t end_fail_at, int end_result, peil_error *err)
{
	void *state = NULL;
	int rc;

	memset(&host, 0, sizeof(host));
	memset(err, 0, sizeof(*err));
	host.config = config;
	host.end_fail_at = end_fail_at;
	host.end_result = end_result;
	open_rc = plugin->input->open(&services, &host, &state, err);
	if (open_rc)
		return open_rc;
	rc = plugin->input->read(state, path, err);
	plugin->input->close(state);
	return rc;
}

static char temp_path[512];

/* Writes data to a new temporary file, named in temp_path. */
static const char *temp_file(const char *data)
{
	int fd;
	size_t len = strlen(data);

	harness_tmp_path(temp_path, sizeof(temp_path), "peil-test-csv-XXXXXX");
	fd = mkstemp(temp_path);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror("temp file");
		exit(2);
	}
	close(fd);
	return temp_path;
}

/* ------------------------------------------------------------- tests */

TEST(descriptor)
{
	CHECK_INT(plugin->abi_version, PEIL_ABI_VERSION);
	CHECK_INT(plugin->size, sizeof(peil_plugin));
	CHECK_STR(plugin->name, "csv");
	CHECK_INT(plugin->kind, PEIL_PLUGIN_INPUT);
	CHECK(plugin->input != NULL && plugin->storage == NULL);
	CHECK_INT(plugin->input->size, sizeof(peil_input_ops));
	plugin->input->close(NULL);
}

/* A Windows-1252 export with CRLF, an accented header, a quoted separator
 * and line break, trailing empty columns and an empty Excel row. */
TEST(windows_1252_export_mapped_by_header)
{
	static const struct config_entry config[] = {
		{ "separator", ";" },
		{ "encoding", "windows-1252" },
		CASE_COLUMNS,
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, CSV_TEST_DATA "/cases_windows_1252.csv", 0, 0,
		      &err), 0);
	CHECK_INT(host.header_calls, 1);
	CHECK_STR(host.header, "Dossiernummer;Team;Datum aanmelding;Reden be\xEBindiging;Opmerking;;");
	CHECK_INT(host.begun, 3);
	CHECK_INT(host.ended, 3);

	CHECK_INT(host.row[0].line, 2);
	CHECK_STR(host.row[0].field[CASE_ID], "D001");
	CHECK_STR(host.row[0].field[TEAM], "Noord");
	CHECK_STR(host.row[0].field[REGISTERED], "01-03-2018");
	CHECK_STR(host.row[0].field[CLOSURE_REASON], "Be\xC3\xABindigd volgens plan");
	CHECK_STR(host.row[0].origin[CLOSURE_REASON], "Reden be\xC3\xABindiging");
	CHECK_INT(host.row[0].set[CLOSED], 0);
	CHECK_STR(host.row[0].invalid, "");
	CHECK_STR(host.row[0].raw, "D001;Noord;01-03-2018;Be\xEBindigd volgens plan;;;");

	CHECK_INT(host.row[1].line, 3);
	CHECK_STR(host.row[1].field[CLOSURE_REASON], "Eenzijdig; door cli\xC3\xABnt");
	CHECK_STR(host.row[1].raw, "D002;Zuid;15-03-2018;\"Eenzijdig; door cli\xEBnt\";\"regel 1\r\nregel 2\";;");
	CHECK_STR(host.row[1].invalid, "");

	/* line 5 is the empty row ";;;;;;" */
	CHECK_INT(host.row[2].line, 6);
	CHECK_STR(host.row[2].field[CASE_ID], "D003");
	CHECK_INT(host.row[2].set[CLOSURE_REASON], 1);	/* empty: missing */
	CHECK_STR(host.row[2].field[CLOSURE_REASON], "");
	CHECK_STR(host.row[2].invalid, "");

	CHECK_CONTAINS(host.log, "1 empty rows skipped");
}

TEST(utf8_with_bom_and_detected_comma)
{
	static const struct config_entry config[] = {
		{ "separator", "AUTO" },
		CASE_COLUMNS,
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, CSV_TEST_DATA "/cases_utf8_bom.csv", 0, 0, &err), 0);
	CHECK_STR(host.header, "Dossiernummer,Team,Datum aanmelding,Reden be\xC3\xABindiging");
	CHECK_INT(host.ended, 1);
	CHECK_STR(host.row[0].field[REGISTERED], "1-5-2018");
	CHECK_STR(host.row[0].field[CLOSURE_REASON], "Be\xC3\xABindigd, in overleg");
}

TEST(missing_mapped_header)
{
	static const struct config_entry config[] = {
		{ "separator", ";" },
		CASE_COLUMNS,
		{ "column.Datum afsluiting", "closed" },
		{ NULL, NULL },
	};
	const char *path = temp_file("\n Dossiernummer ;Team;Datum aanmelding;Reden be\xC3\xABindiging;datum afsluiting\n1;2;3;4;5\n");
	peil_error err;

	CHECK_INT(run(config, path, 0, 0, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 2);
	CHECK_STR(err.field, "Datum afsluiting");
	CHECK_CONTAINS(err.message, "column 'Datum afsluiting' (mapped to field closed) is not in the header");
	CHECK_CONTAINS(err.message, "it has 'datum afsluiting'");
	CHECK_INT(host.begun, 0);
	unlink(path);
}

TEST(duplicate_mapped_header)
{
	const char *path = temp_file("Dossiernummer;Team;Datum aanmelding;Team;Reden be\xC3\xABindiging\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), -1);
	CHECK_INT(err.line, 1);
	CHECK_STR(err.field, "Team");
	CHECK_CONTAINS(err.message, "column 'Team' (mapped to field team) is in the header twice: columns 2 and 4");
	unlink(path);
}

TEST(short_and_long_rows_invalid)
{
	const char *path = temp_file(
		"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging;Opmerking\n"
		"D1;Noord;01-01-2018;x\n"	/* 4 of 5: enough for the mapping */
		"D2;Zuid;02-01-2018\n"		/* 3: the reason is missing */
		"D3;Oost;03-01-2018;x;y;z\n"	/* 6: one too many */
		"D4;West;04-01-2018;x;y;;\n");	/* trailing empty: fine */
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), 0);
	CHECK_INT(host.ended, 4);
	CHECK_STR(host.row[0].invalid, "");
	CHECK_INT(host.row[1].line, 3);
	CHECK_STR(host.row[1].invalid, "-: row has 3 columns, the header has 5");
	CHECK_STR(host.row[1].field[TEAM], "Zuid");
	CHECK_INT(host.row[1].set[CLOSURE_REASON], 1);
	CHECK_STR(host.row[1].field[CLOSURE_REASON], "");
	CHECK_INT(host.row[2].line, 4);
	CHECK_STR(host.row[2].invalid, "-: row has 6 columns, the header has 5");
	CHECK_STR(host.row[3].invalid, "");
	unlink(path);
}

TEST(trailing_empty_columns)
{
	const char *path = temp_file(
		"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging;;;\r\n"
		"D1;Noord;01-01-2018;x;;;;;\r\n"
		"D2;Zuid;01-01-2018;x; ;\r\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), 0);
	CHECK_INT(host.ended, 2);
	CHECK_STR(host.row[0].invalid, "");
	CHECK_STR(host.row[1].invalid, "");
	CHECK_STR(host.row[0].raw, "D1;Noord;01-01-2018;x;;;;;");
	unlink(path);
}

static const char three_rows[] =
	"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\n"
	"D1;Noord;01-01-2018;a\n"
	"D2;Zuid;02-01-2018;b\n"
	"D3;Oost;03-01-2018;c\n";

TEST(record_end_error_stops)
{
	const char *path = temp_file(three_rows);
	peil_error err;

	/* not -1: the host's own value comes back */
	CHECK_INT(run(semicolon_config, path, 2, -7, &err), -7);
	CHECK_INT(host.ended, 2);
	CHECK_INT(host.begun, 2);
	CHECK_STR(err.message, "stopped by the host");
	CHECK_INT(err.line, 3);
	unlink(path);
}

TEST(rejected_record_continues)
{
	const char *path = temp_file(three_rows);
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 1, PEIL_RECORD_REJECTED, &err), 0);
	CHECK_INT(host.ended, 3);
	CHECK_STR(host.row[2].field[CLOSURE_REASON], "c");
	unlink(path);
}

TEST(text_after_quote_invalid)
{
	const char *path = temp_file(
		"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\n"
		"D1;\"Noord\" extra;01-01-2018;a\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), 0);
	CHECK_STR(host.row[0].invalid, "Team: text after the closing quote in column 2");
	unlink(path);
}

TEST(encoding_error_names_file_line_column)
{
	const char *path = temp_file(
		"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\n"
		"D1;Noord;01-01-2018;a\n"
		"D2;Zuid;02-01-2018;Be\xEBindigd\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 3);
	CHECK_STR(err.field, "Reden be\xC3\xABindiging");
	CHECK_CONTAINS(err.message, "invalid UTF-8: byte 0xEB at byte offset 98");
	CHECK_INT(host.ended, 1);
	unlink(path);
}

TEST(unclosed_quote_fails)
{
	const char *path = temp_file(
		"Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\n"
		"D1;\"Noord;01-01-2018;a\n"
		"D2;Zuid;02-01-2018;b\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), -1);
	CHECK_INT(err.line, 2);
	CHECK_STR(err.field, "Team");
	CHECK_CONTAINS(err.message, "not closed at the end of the file");
	unlink(path);
}

TEST(utf16_fails)
{
	const char *path = temp_file("\xFF\xFE" "D");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), -1);
	CHECK_INT(err.line, 1);
	CHECK_CONTAINS(err.message, "UTF-16");
	unlink(path);
}

TEST(empty_file_has_no_header)
{
	const char *path = temp_file("\r\n\r\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), -1);
	CHECK_STR(err.file, path);
	CHECK_STR(err.message, "no header line");
	unlink(path);
}

TEST(header_only_is_fine)
{
	const char *path = temp_file("Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\r\n");
	peil_error err;

	CHECK_INT(run(semicolon_config, path, 0, 0, &err), 0);
	CHECK_INT(host.begun, 0);
	CHECK_INT(host.header_calls, 1);
	CHECK_CONTAINS(host.log, ": 0 rows");
	unlink(path);
}

TEST(skip_lines)
{
	static const struct config_entry config[] = {
		{ "skip_lines", "2" },
		CASE_COLUMNS,
		{ NULL, NULL },
	};
	const char *path = temp_file("Rapport casussen\nper 1-1-2018; alle teams\n"
				     "Dossiernummer;Team;Datum aanmelding;Reden be\xC3\xABindiging\n"
				     "D1;Noord;01-01-2018;a\n");
	peil_error err;

	CHECK_INT(run(config, path, 0, 0, &err), 0);
	CHECK_INT(host.ended, 1);
	CHECK_INT(host.row[0].line, 4);
	CHECK_STR(host.row[0].field[TEAM], "Noord");
	unlink(path);
}

TEST(missing_file_fails)
{
	peil_error err;

	CHECK_INT(run(semicolon_config, "/nonexistent/x.csv", 0, 0, &err), -1);
	CHECK_STR(err.file, "/nonexistent/x.csv");
	CHECK_CONTAINS(err.message, "cannot open");
}

TEST(config_unknown_field)
{
	static const struct config_entry config[] = {
		{ "separator", ";" },
		CASE_COLUMNS,
		{ "column.Wijk", "district" },
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, "unused", 0, 0, &err), -1);
	CHECK(open_rc != 0);
	CHECK_STR(err.file, "test.ini");
	CHECK_INT(err.line, 6);
	CHECK_STR(err.field, "column.Wijk");
	CHECK_STR(err.message, "unknown field 'district' in dataset 'cases'");
}

TEST(config_field_mapped_twice)
{
	static const struct config_entry config[] = {
		CASE_COLUMNS,
		{ "column.Teamnaam", "team" },
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, "unused", 0, 0, &err), -1);
	CHECK_INT(err.line, 5);
	CHECK_CONTAINS(err.message, "field 'team' is mapped from both 'Team' and 'Teamnaam'");
}

TEST(config_required_field_unmapped)
{
	static const struct config_entry config[] = {
		{ "column.Dossiernummer", "case_id" },
		{ "column.Team", "team" },
		{ NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(config, "unused", 0, 0, &err), -1);
	CHECK_STR(err.field, "registered");
	CHECK_CONTAINS(err.message, "required field 'registered'");
}

TEST(config_bad_values)
{
	static const struct config_entry bad_separator[] = {
		{ "separator", "|" }, CASE_COLUMNS, { NULL, NULL },
	};
	static const struct config_entry bad_encoding[] = {
		CASE_COLUMNS, { "encoding", "latin-1" }, { NULL, NULL },
	};
	static const struct config_entry bad_skip[] = {
		{ "skip_lines", "-1" }, CASE_COLUMNS, { NULL, NULL },
	};
	static const struct config_entry empty_separator[] = {
		{ "separator", "" }, CASE_COLUMNS, { NULL, NULL },
	};
	static const struct config_entry no_columns[] = {
		{ "separator", ";" }, { NULL, NULL },
	};
	peil_error err;

	CHECK_INT(run(bad_separator, "unused", 0, 0, &err), -1);
	CHECK_INT(err.line, 1);
	CHECK_CONTAINS(err.message, "separator '|'");
	/* what inih makes of "separator = ;" */
	CHECK_INT(run(empty_separator, "unused", 0, 0, &err), -1);
	CHECK_CONTAINS(err.message, "write separator = semicolon");
	CHECK_INT(run(bad_encoding, "unused", 0, 0, &err), -1);
	CHECK_INT(err.line, 5);
	CHECK_CONTAINS(err.message, "encoding 'latin-1'");
	CHECK_INT(run(bad_skip, "unused", 0, 0, &err), -1);
	CHECK_CONTAINS(err.message, "skip_lines '-1'");
	CHECK_INT(run(no_columns, "unused", 0, 0, &err), -1);
	CHECK_CONTAINS(err.message, "no columns mapped");
}

/* One plugin state reads several files, as the host does for a glob. */
TEST(state_reused_across_files)
{
	static const struct config_entry config[] = {
		{ "encoding", "windows-1252" },
		CASE_COLUMNS,
		{ NULL, NULL },
	};
	void *state = NULL;
	peil_error err;
	int i;

	memset(&host, 0, sizeof(host));
	host.config = config;
	CHECK_INT(plugin->input->open(&services, &host, &state, &err), 0);
	for (i = 0; i < 3; i++) {
		host.begun = host.ended = 0;
		CHECK_INT(plugin->input->read(state, CSV_TEST_DATA "/cases_windows_1252.csv", &err), 0);
		CHECK_INT(host.ended, 3);
		CHECK_INT(host.row[2].line, 6);
	}
	plugin->input->close(state);
}

TEST(old_services_table_refused)
{
	peil_services old = services;
	void *state = &old;
	peil_error err;

	old.size = (uint32_t)offsetof(peil_services, record_invalid);
	CHECK_INT(plugin->input->open(&old, &host, &state, &err), -1);
	CHECK(state == NULL);
	CHECK_CONTAINS(err.message, "ABI version 1");
}

int main(void)
{
	const peil_plugin *(*entry)(void);
	void *handle = dlopen(CSV_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);

	if (handle == NULL) {
		printf("cannot load %s: %s\n", CSV_PLUGIN_PATH, dlerror());
		return 1;
	}
	*(void **)(&entry) = dlsym(handle, PEIL_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL) {
		printf("no %s in %s\n", PEIL_PLUGIN_ENTRY_SYMBOL, CSV_PLUGIN_PATH);
		return 1;
	}
	plugin = entry();

	RUN(descriptor);
	RUN(windows_1252_export_mapped_by_header);
	RUN(utf8_with_bom_and_detected_comma);
	RUN(missing_mapped_header);
	RUN(duplicate_mapped_header);
	RUN(short_and_long_rows_invalid);
	RUN(trailing_empty_columns);
	RUN(record_end_error_stops);
	RUN(rejected_record_continues);
	RUN(text_after_quote_invalid);
	RUN(encoding_error_names_file_line_column);
	RUN(unclosed_quote_fails);
	RUN(utf16_fails);
	RUN(empty_file_has_no_header);
	RUN(header_only_is_fine);
	RUN(skip_lines);
	RUN(missing_file_fails);
	RUN(config_unknown_field);
	RUN(config_field_mapped_twice);
	RUN(config_required_field_unmapped);
	RUN(config_bad_values);
	RUN(state_reused_across_files);
	RUN(old_services_table_refused);
	dlclose(handle);
	return harness_done();
}
