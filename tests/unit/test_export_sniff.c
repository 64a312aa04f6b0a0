/*
 * test_export_sniff.c - peil init's reading of an export
 * (engine/export_sniff.c) and its proposal (engine/init_config.c) on
 * exports that try to mislead: identifiers with leading zeros, 8-digit
 * numbers that are dates only by their header, a separator inside
 * quotes, a quoted line break, short rows, a header without rows, a
 * Windows-1252 header, and a row cut by the 1 MiB sample.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "engine/export_sniff.h"
#include "engine/init_config.h"

static char path[512];

/* Write text to a fresh temporary file named by path. */
static int write_export(const char *text, size_t len)
{
	int fd;

	harness_tmp_path(path, sizeof(path), "peil-sniff-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* Read text as an export into s, through a temporary file.  0 when the
 * export was read. */
static int sniff_export(const char *text, size_t len, export_sniff *s)
{
	peil_error err;
	int rc;

	if (write_export(text, len) < 0)
		return -1;
	rc = export_sniff_file(path, s, &err);
	unlink(path);
	return rc;
}

TEST(types_that_every_value_fits)
{
	static const char csv[] =
		"Persoonsnummer;Startdatum;Periode;Score;Bedrag;Actief;Datum\r\n"
		"000123;20180102;20180102;7;12,50;ja;02-01-2018\r\n"
		"000124;20180131;20180131;10;1.234,75;nee;\r\n"
		"000125;20181231;20181231;-3;;ja;31-12-2019\r\n";
	export_sniff s;

	CHECK_INT(sniff_export(csv, sizeof(csv) - 1, &s), 0);
	CHECK_INT(s.utf8, 1);
	CHECK_INT(s.separator, ';');
	CHECK_INT((int)s.rows, 3);
	CHECK_INT((int)s.column_count, 7);
	/* Leading zeros: an identifier, not a number. */
	CHECK_STR(export_type_name(s.columns[0].type), "text");
	CHECK_INT(s.columns[0].unique, 1);
	/* jjjjmmdd is a date when the header says so, else a number. */
	CHECK_STR(export_type_name(s.columns[1].type), "date");
	CHECK_STR(s.columns[1].date_format, "jjjjmmdd");
	CHECK_STR(export_type_name(s.columns[2].type), "integer");
	CHECK_STR(export_type_name(s.columns[3].type), "integer");
	CHECK_STR(export_type_name(s.columns[4].type), "real");
	CHECK_INT(s.columns[4].decimal, ',');
	CHECK_INT((int)s.columns[4].filled, 2);
	CHECK_STR(export_type_name(s.columns[5].type), "boolean");
	CHECK_INT(s.columns[5].unique, 0);
	CHECK_STR(export_type_name(s.columns[6].type), "date");
	CHECK_STR(s.columns[6].date_format, "dd-mm-jjjj");
	CHECK_INT(s.columns[6].first_year, 2018);
	CHECK_INT(s.columns[6].last_year, 2019);
	export_sniff_release(&s);
}

TEST(quotes_short_rows_and_windows_1252)
{
	/* A ';' and a line break inside quotes; a short row; 0xEB is e
	 * with diaeresis in Windows-1252 and no UTF-8. */
	static const char csv[] =
		"Id,Omschrijving,Reden be\xebindiging\n"
		"1,\"a;b, \"\"c\"\"\nd\",x\n"
		"2,e\n"
		"3,f,y\n";
	export_sniff s;

	CHECK_INT(sniff_export(csv, sizeof(csv) - 1, &s), 0);
	CHECK_INT(s.utf8, 0);
	CHECK_INT(s.separator, ',');
	CHECK_INT((int)s.rows, 3);
	CHECK_INT((int)s.ragged, 1);
	CHECK_STR(s.columns[2].header, "Reden be\xc3\xabindiging");
	CHECK_INT((int)s.columns[2].filled, 2);
	CHECK_STR(export_type_name(s.columns[0].type), "integer");
	export_sniff_release(&s);
}

TEST(header_only_and_refusals)
{
	static const char header[] = "Dossiernummer;Team\n";
	static const char utf16[] = "\xff\xfe" "D\0o\0";
	export_sniff s;
	init_proposal p;
	peil_error err;

	CHECK_INT(write_export(header, sizeof(header) - 1), 0);
	CHECK_INT(export_sniff_file(path, &s, &err), 0);
	CHECK_INT((int)s.rows, 0);
	CHECK_STR(export_type_name(s.columns[0].type), "text");
	/* Nothing read is unique: no key, and nothing required. */
	CHECK_INT(init_propose(&s, path, &p, &err), 0);
	CHECK(p.key == NULL);
	CHECK_STR(p.dataset, "cases");
	CHECK_STR(p.fields[0].name, "case_id");
	CHECK_INT(p.fields[1].required, 0);
	init_proposal_release(&p);
	export_sniff_release(&s);
	unlink(path);

	CHECK_INT(write_export(utf16, sizeof(utf16) - 1), 0);
	CHECK_INT(export_sniff_file(path, &s, &err), -1);
	CHECK(strstr(err.message, "UTF-16") != NULL);
	unlink(path);
	CHECK_INT(write_export("", 0), 0);
	CHECK_INT(export_sniff_file(path, &s, &err), -1);
	CHECK(strstr(err.message, "no header line") != NULL);
	unlink(path);
}

TEST(a_row_cut_by_the_sample_is_not_read)
{
	size_t size = EXPORT_SNIFF_MAX_BYTES + 100, n = 0, rows = 0;
	char *csv = malloc(size);
	export_sniff s;
	peil_error err;

	CHECK(csv != NULL);
	n += (size_t)sprintf(csv, "Nummer;Datum\n");
	while (n + 40 < size) {
		n += (size_t)sprintf(csv + n, "%zu;01-02-2018\n", rows + 1);
		rows++;
	}
	/* The last row crosses the 1 MiB mark: "2018" cut to "20" would
	 * be no date. */
	CHECK_INT(write_export(csv, n), 0);
	free(csv);
	CHECK_INT(export_sniff_file(path, &s, &err), 0);
	unlink(path);
	CHECK_INT((int)s.rows, EXPORT_SNIFF_MAX_ROWS);
	CHECK_STR(export_type_name(s.columns[1].type), "date");
	CHECK_INT((int)s.ragged, 0);
	export_sniff_release(&s);
}

TEST(names_of_headers)
{
	static const char csv[] =
		"Cli\xc3\xabntnummer;Datum  Aanmelding;2e contact;;Aanmelddatum\n"
		"a;01-01-2018;x;y;02-01-2018\n";
	export_sniff s;
	init_proposal p;
	peil_error err;

	CHECK_INT(write_export(csv, sizeof(csv) - 1), 0);
	/* An empty header is refused: the csv plugin could not map it. */
	CHECK_INT(export_sniff_file(path, &s, &err), -1);
	CHECK(strstr(err.message, "column 4 has no header") != NULL);
	unlink(path);

	CHECK_INT(write_export("Cli\xc3\xabntnummer;Datum  Aanmelding;2e contact;Aanmelddatum\n"
			       "a;01-01-2018;x;02-01-2018\n", 82), 0);
	CHECK_INT(export_sniff_file(path, &s, &err), 0);
	CHECK_INT(init_propose(&s, path, &p, &err), 0);
	CHECK_STR(p.fields[0].name, "person");	/* accents folded */
	CHECK_STR(p.fields[1].name, "registered");	/* spaces folded */
	CHECK_STR(p.fields[2].name, "f_2e_contact");
	/* A second registration date is not a second registered. */
	CHECK_STR(p.fields[3].name, "aanmelddatum");
	init_proposal_release(&p);
	export_sniff_release(&s);
	unlink(path);
}

/* A column of dates in several formats is a date when a source's
 * date_format list of them reads every value: the formats its values
 * need, in the csv plugin's order.  jjjjmmdd still needs a header that
 * says date; one value that is no date makes text, and says which. */
TEST(dates_in_several_formats)
{
	static const char csv[] =
		"Start;Eind;Code;Besluit\n"
		"2018-03-01T10:00:00;01-03-2017;20180301;2018-03-01\n"
		"2018-03-02;2019-03-02;2018-03-02;31-02-2018\n"
		"2018-03-03T00:00;;;\n";
	export_sniff s;

	CHECK_INT(sniff_export(csv, sizeof(csv) - 1, &s), 0);
	CHECK_STR(export_type_name(s.columns[0].type), "date");
	CHECK_STR(s.columns[0].date_format,
		  "jjjj-mm-dd, jjjj-mm-ddTuu:mm:ss, jjjj-mm-ddTuu:mm");
	CHECK_INT(s.columns[0].first_year, 2018);
	CHECK_INT(s.columns[0].last_year, 2018);
	CHECK_STR(export_type_name(s.columns[1].type), "date");
	CHECK_STR(s.columns[1].date_format, "dd-mm-jjjj, jjjj-mm-dd");
	CHECK_INT(s.columns[1].first_year, 2017);
	CHECK_INT(s.columns[1].last_year, 2019);
	CHECK_STR(export_type_name(s.columns[2].type), "text");
	CHECK_STR(s.columns[2].date_format, "");
	CHECK_STR(export_type_name(s.columns[3].type), "text");
	CHECK_INT((int)s.columns[3].dates, 1);
	CHECK_STR(s.columns[3].not_date, "31-02-2018");
	export_sniff_release(&s);
}

int main(void)
{
	RUN(types_that_every_value_fits);
	RUN(quotes_short_rows_and_windows_1252);
	RUN(header_only_and_refusals);
	RUN(a_row_cut_by_the_sample_is_not_read);
	RUN(names_of_headers);
	RUN(dates_in_several_formats);
	return harness_done();
}
