/*
 * csv_trim.h - the trimming of a cell's text that the csv and xlsx plugins
 * share: headers and the emptiness of cells and rows.
 */
#ifndef PEIL_CSV_TRIM_H
#define PEIL_CSV_TRIM_H

#include <stddef.h>

/* Trims ASCII white space and U+00A0 (NO-BREAK SPACE, which Excel users
 * type into headers) from both ends of text[0..*len): returns the start
 * and sets *len to what remains. */
const char *csv_trim(const char *text, size_t *len);

#endif
