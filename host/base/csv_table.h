/*
 * csv_table.h - a small table file of a configuration: a recode file or a
 * grouping file.  UTF-8 text (a BOM is skipped), ';'-separated, a header
 * row naming the columns, then one row per line; a field in double quotes
 * may hold ';', line ends and "" for a quote; empty lines and lines that
 * start with '#' are skipped.  Every problem names the file and line.
 */
#ifndef PEIL_CSV_TABLE_H
#define PEIL_CSV_TABLE_H

#include <stddef.h>

#include "base/error.h"

/* A row's cells (trimmed of spaces, modifiable) and the line it starts
 * on.  Return 0 to go on, or -1 with err set (naming the file and line). */
typedef int (*csv_table_row_fn)(void *ctx, char **cells, long line,
				peil_error *err);

/* Read path, whose header must be exactly header[0..columns) (what the
 * file is: "recode file", "group file", for messages), and call row for
 * every other row.  0 on success; -1 with err naming the file and line. */
int csv_table_read(const char *path, const char *what,
		   const char *const *header, size_t columns,
		   csv_table_row_fn row, void *ctx, peil_error *err);

#endif
