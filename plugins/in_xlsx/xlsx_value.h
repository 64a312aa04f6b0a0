/*
 * xlsx_value.h - Excel's numbers as Peil's values: date serials in the
 * 1900 and 1904 systems, and numbers as the text a text field keeps.
 */
#ifndef PEIL_XLSX_VALUE_H
#define PEIL_XLSX_VALUE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The date of a serial (its fraction, the time of day, is dropped) as days
 * since 1970-01-01.  In the 1900 system serial 1 is 1900-01-01 and 60 is
 * 29-02-1900, a day that never was (Excel kept Lotus 1-2-3's leap-year
 * bug), so 61 is 1900-03-01; in the 1904 system serial 0 is 1904-01-01.
 * Returns 0, or -1 with a reason for serial 60 of 1900, a serial before the
 * system's first day, or after 9999-12-31.
 */
int xlsx_serial_date(double serial, int date1904, int32_t *days,
		     const char **reason);

/* "2018-03-01" (exactly yyyy-mm-dd, and a day that exists, optionally
 * followed by a time of day "Thh:mm", "Thh:mm:ss" or "Thh:mm:ss.fff"
 * that exists) as days since 1970-01-01; -1 when it is not.  A time with
 * a zone ("Z", "+01:00") is none either: the host reads its text by the
 * source's date_format, which makes of it the day in the Netherlands. */
int xlsx_iso_date(const char *text, int32_t *days);

/* days since 1970-01-01 as "yyyy-mm-dd" into buf (11 bytes). */
void xlsx_format_date(int32_t days, char buf[11]);

/* A number cell's text as a double in *x, as strtod reads it: 0, or -1
 * when the text is not a number (empty, or with bytes strtod leaves over:
 * "abc", "12 kg"), which a damaged or hand-written sheet may hold.  A
 * whole number of up to 15 digits (a date serial, a count: most cells)
 * without strtod, which was a tenth of the plugin's time on the calling
 * thread. */
int xlsx_number(const char *text, double *x);

/* A number cell's text as a text field keeps it: whole numbers without
 * exponent or ".0" (Excel writes 123456782 as "123456782" but 1E+15 as
 * "1E+15"), others with 15 significant digits, Excel's precision.  A
 * whole number of fewer than zero_pad digits gets the leading zeros that
 * its format (0000) shows, as Excel shows and exports it: 363 in a cell
 * of format 0000 is the code 0363. */
void xlsx_number_text(const char *text, int zero_pad, char *buf, size_t size);

#endif
