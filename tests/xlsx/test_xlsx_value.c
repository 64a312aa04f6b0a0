/*
 * test_xlsx_value.c - Excel's date serials in both date systems, number
 * texts, and which number formats show a date.  Expected values worked
 * out by hand from the calendar (see each check's comment).
 */
#include "xlsx_book.h"
#include "xlsx_value.h"

#include "harness.h"

static int32_t serial(double value, int date1904)
{
	const char *reason = NULL;
	int32_t days = 0;

	if (xlsx_serial_date(value, date1904, &days, &reason))
		return INT32_MIN;
	return days;
}

TEST(serials_1900)
{
	const char *reason = NULL;
	int32_t days;

	/* 25569 is 1970-01-01: 70 years of 365 days, 17 leap days from 1904
	 * to 1968, plus Excel's serial 1 = 1900-01-01 and its false
	 * 29-02-1900: 25550 + 17 + 2 */
	CHECK_INT(serial(25569, 0), 0);
	CHECK_INT(serial(25569.75, 0), 0);	/* 18:00 the same day */
	CHECK_INT(serial(61, 0), -25508);	/* 1900-03-01 */
	CHECK_INT(serial(59, 0), -25509);	/* 1900-02-28 */
	CHECK_INT(serial(1, 0), -25567);	/* 1900-01-01 */
	/* 43160 is 2018-03-01: 2018-03-01 is day 17591 since 1970 */
	CHECK_INT(serial(43160, 0), 17591);
	CHECK_INT(xlsx_serial_date(60, 0, &days, &reason), -1);
	CHECK_CONTAINS(reason, "29-02-1900");
	CHECK_INT(xlsx_serial_date(0, 0, &days, &reason), -1);
	CHECK_CONTAINS(reason, "before 01-01-1900");
}

TEST(serials_1904)
{
	/* the 1904 system counts from 1904-01-01 = serial 0, 1462 days
	 * later than the 1900 system (4 years and Excel's false leap day) */
	CHECK_INT(serial(0, 1), -24107);
	CHECK_INT(serial(43160 - 1462, 1), 17591);	/* 2018-03-01 */
	CHECK_INT(serial(-1, 1), INT32_MIN);
}

TEST(iso_dates_and_texts)
{
	int32_t days = 0;
	char buf[64];

	CHECK_INT(xlsx_iso_date("2018-03-01", &days), 0);
	CHECK_INT(days, 17591);
	CHECK_INT(xlsx_iso_date("2018-03-01T00:00:00", &days), 0);
	CHECK_INT(xlsx_iso_date("2018-02-29", &days), -1);
	CHECK_INT(xlsx_iso_date("2000-02-29", &days), 0);
	CHECK_INT(xlsx_iso_date("01-03-2018", &days), -1);
	/* A time of day that exists, without a zone; one with a zone is
	 * the host's to read (before: anything after the T was ignored,
	 * and 2018-02-28T23:00:00Z, 1 March in the Netherlands, read as 28
	 * February). */
	static const char *const times[] = {
		"2018-03-01T00:00", "2018-03-01T23:59:59",
		"2018-03-01T12:00:00.123",
	};
	for (size_t i = 0; i < sizeof(times) / sizeof(*times); i++) {
		days = 0;
		CHECK_INT(xlsx_iso_date(times[i], &days), 0);
		CHECK_INT(days, 17591);
	}
	static const char *const not_read[] = {
		"2018-02-28T23:00:00Z", "2018-03-01T00:00:00+01:00",
		"2018-03-01T24:00:00", "2018-03-01T10:60", "2018-03-01T",
		"2018-03-01T1:00", "2018-03-01T10:00:00.", "2018-03-01Tx",
		"2018-03-01T10:00:61",
	};
	for (size_t i = 0; i < sizeof(not_read) / sizeof(*not_read); i++)
		if (xlsx_iso_date(not_read[i], &days) != -1)
			HARNESS_FAIL("\"%s\" read as a date", not_read[i]);
	xlsx_format_date(17591, buf);
	CHECK_STR(buf, "2018-03-01");
	xlsx_format_date(-25508, buf);
	CHECK_STR(buf, "1900-03-01");
	/* a number cell into a text field; a code of format 0000 with the
	 * zeros the format shows */
	static const struct {
		const char *cell;
		int zero_pad;
		const char *text;
	} as_text[] = {
		{ "123456782", 0, "123456782" }, { "1.5", 0, "1.5" },
		{ "0.30000000000000004", 0, "0.3" }, { "4.2E+1", 0, "42" },
		{ "363", 4, "0363" }, { "12345", 4, "12345" }, { "1.5", 4, "1.5" },
	};
	for (size_t i = 0; i < sizeof(as_text) / sizeof(*as_text); i++) {
		xlsx_number_text(as_text[i].cell, as_text[i].zero_pad, buf,
				 sizeof(buf));
		CHECK_STR(buf, as_text[i].text);
	}
}

/* A number cell's text read as strtod reads it, whole numbers of up to
 * 15 digits by the plugin's own loop: the same doubles, bit for bit; a
 * text that is not wholly a number is none (it was strtod's leading
 * number: "12a" read as 12, "abc" as 0, silently). */
TEST(number_as_strtod_reads_it)
{
	static const char *const numbers[] = {
		"43160", "0", "-0", "-17", "999999999999999",
		"1234567890123456", "43190.75", "4.2E+1", "1E+15", "+5",
	};
	static const char *const none[] = {
		"", "-", "12a", " 12", "0x10", "abc", "12 kg", "1,5", "nano",
	};
	size_t i;
	double x;

	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		double y = strtod(numbers[i], NULL);

		x = -1;
		CHECK_INT(xlsx_number(numbers[i], &x), 0);
		CHECK(memcmp(&x, &y, sizeof(x)) == 0);
	}
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		CHECK_INT(xlsx_number(none[i], &x), -1);
	CHECK_INT(xlsx_number("43160", &x), 0);
	CHECK(x == 43160.0);
	CHECK_INT(xlsx_number("-17", &x), 0);
	CHECK(x == -17.0);
	CHECK_INT(xlsx_number("43190.75", &x), 0);
	CHECK(x == 43190.75);
}

TEST(date_formats)
{
	/* whether a format shows a date, and the digits a format of zeros
	 * alone shows (a code with leading zeros) */
	static const struct {
		const char *code;
		int is_date, zero_pad;
	} formats[] = {
		{ "dd-mm-yyyy", 1, 0 }, { "[$-413]d mmmm yyyy;@", 1, 0 },
		{ "DD/MM/YYYY", 1, 0 }, { "jjjj-mm-dd", 1, 0 },
		{ "0.00", 0, 0 }, { "[h]:mm:ss", 0, 0 }, { "mm:ss", 0, 0 },
		{ "\"day\" 0", 0, 0 },	/* quoted text */
		{ "[Red]#,##0", 0, 0 }, { "General", 0, 0 },
		{ "#,##0 \\d", 0, 0 },	/* escaped */
		{ "0000", 0, 4 }, { "000000000;@", 0, 9 }, { "0", 0, 0 },
		{ "00\"-\"00", 0, 0 },
	};
	for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
		CHECK_INT(xlsx_format_is_date(formats[i].code), formats[i].is_date);
		CHECK_INT(xlsx_format_zero_pad(formats[i].code), formats[i].zero_pad);
	}
}

int main(void)
{
	RUN(serials_1900);
	RUN(serials_1904);
	RUN(iso_dates_and_texts);
	RUN(number_as_strtod_reads_it);
	RUN(date_formats);
	return harness_done();
}
