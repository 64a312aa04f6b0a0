/*
 * xlsx_rows.h - a sheet's rows read by threads of the plugin and handed
 * to the calling thread in the sheet's order, so that unpacking and
 * libxml2's parse run while the calling thread hands the rows before to
 * the host: the host's services stay on the thread that called read
 * (docs/plugins.md).
 *
 * One thread unpacks the sheet's part and cuts it at rows into segments;
 * two parser threads parse alternate segments (a small sheet: one parser,
 * no cuts); their rows come back in blocks, segment after segment.  The
 * figures, the messages and the row at which a read stops are those of
 * one parse of the whole part (xlsx_rows.c says how).
 *
 * Memory, whatever the sheet's size: CHUNKS blocks of unpacked XML (64
 * KiB each, longer only by a tag that straddles one) and up to eight
 * blocks of rows per parser (about 0.45 MB each; xlsx_rows.c), besides
 * the shared strings.
 */
#ifndef PEIL_XLSX_ROWS_H
#define PEIL_XLSX_ROWS_H

#include "xlsx_sheet.h"

typedef struct xlsx_rows xlsx_rows;

/* Opens the sheet part for reading; NULL with msg filled.  msg receives
 * the read's failure too. */
xlsx_rows *xlsx_rows_open(xlsx_zip *zip, xlsx_book *book, const char *part,
			  char *msg, size_t size);

/*
 * Reads the sheet, calling fn on the calling thread for each row that has
 * a cell with a value, in the sheet's order: 0 at its end,
 * XLSX_SHEET_STOPPED when fn stopped it, -1 with msg filled (naming the
 * cell when the problem is in one; malformed XML with its line) after the
 * rows before the failure were handed over.  The threads have ended when
 * it returns.
 *
 * segment_bytes: 0 for one parser and no cuts; otherwise the part is cut
 * at the first row past every segment_bytes bytes.  XLSX_ROWS_AUTO
 * chooses by the part's size (the tests force both).
 */
#define XLSX_ROWS_AUTO ((size_t)-1)

int xlsx_rows_read(xlsx_rows *rows, size_t segment_bytes, xlsx_row_fn fn,
		   void *ctx);

/* The number of the row the read stopped or failed in. */
long xlsx_rows_row_number(const xlsx_rows *rows);

/* How the last read went: the segments handed, the parsers of its last
 * pass, whether a cut was found wrong and the sheet read again by one
 * parser, and the most blocks of rows that one parser had handed over
 * and the calling thread not yet taken back (for the debug log and the
 * tests).  May be called from fn during the read. */
void xlsx_rows_stats(const xlsx_rows *rows, long *segments, int *parsers,
		     int *recut, int *ahead);

/* Closes; accepts NULL. */
void xlsx_rows_close(xlsx_rows *rows);

#endif
