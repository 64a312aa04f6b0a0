/*
 * csv_trim.h - the trimming of a cell's text that the csv and xlsx plugins
 * share: headers, a header again, and the emptiness of cells and rows.
 */
#ifndef PEIL_CSV_TRIM_H
#define PEIL_CSV_TRIM_H

#include <stddef.h>

/* Trims ASCII white space and U+00A0 (NO-BREAK SPACE, which Excel users
 * type into headers) from both ends of text[0..*len): returns the start
 * and sets *len to what remains. */
const char *csv_trim(const char *text, size_t *len);

/* Whether a cell's text[0..len), trimmed, is name (a header cell's,
 * trimmed).  A row whose every cell is its column's name is the header
 * again: two exports joined into one file (or sheet), each with its
 * header.  Stored, it would be a row of text fields holding their own
 * names; the csv and xlsx plugins refuse it. */
int csv_is_header_name(const char *text, size_t len, const char *name);

#endif
