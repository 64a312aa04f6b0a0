/*
 * demo_xlsx.h - peil-demo --xlsx: the exports as Excel workbooks.
 */
#ifndef PEIL_DEMO_XLSX_H
#define PEIL_DEMO_XLSX_H

/*
 * Replaces each DIR/NAME.csv that peil-demo wrote by DIR/NAME.xlsx: one
 * sheet "Export" holding the same cells as text (inline strings, the way
 * a registration system's Excel export holds dates typed as dd-mm-jjjj),
 * UTF-8 whether the CSV was UTF-8 or Windows-1252.  0, or -1 after a
 * message on stderr (then some CSVs may remain).
 */
int demo_xlsx_convert(const char *dir);

#endif
