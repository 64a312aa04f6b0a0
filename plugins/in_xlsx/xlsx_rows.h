/*
 * xlsx_rows.h - a sheet's rows parsed on a thread of the plugin and
 * handed to the calling thread in blocks, so that libxml2's parse (and
 * the unpacking under it) runs while the calling thread hands the rows
 * before to the host: the host's services stay on the thread that called
 * read (docs/plugins.md).
 *
 * Two blocks of at most ROWS_PER_BLOCK rows (xlsx_rows.c) are all that is
 * held, whatever the sheet's size: the parser fills one while the caller
 * empties the other, and waits when it is ahead by a block.
 */
#ifndef PEIL_XLSX_ROWS_H
#define PEIL_XLSX_ROWS_H

#include "xlsx_sheet.h"

/*
 * xlsx_sheet_read, with the parse on a thread of its own and fn called
 * on the calling thread, in the sheet's order: the same rows, the same
 * returns (0, XLSX_SHEET_STOPPED when fn stopped it, -1 with the msg of
 * xlsx_sheet_open filled after the rows before the failure were handed
 * over).  The thread has ended when it returns; without one (it could not
 * start, or no memory for the blocks) the parse runs on the calling
 * thread.
 */
int xlsx_rows_read(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx);

#endif
