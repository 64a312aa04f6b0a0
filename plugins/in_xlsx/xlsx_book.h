/*
 * xlsx_book.h - what a workbook says about its sheets before any row is
 * read: the sheets (name, hidden or not, part), the date system (1900 or
 * 1904), which cell styles format dates, and the shared strings.
 *
 * Memory: the shared strings are kept in memory up to memory_limit bytes
 * of text and past it spilled to an unlinked temporary file (an offset per
 * string stays in memory); everything else is small.
 *
 * A table that cannot spill (its part declares no more bytes than
 * memory_limit) is read on a thread of its own, through a second handle
 * on the container, while the sheet is read: its text and offsets are
 * allocated once, for the part's declared size, so that they never move,
 * and a lookup of a string not yet read waits for it.  A table that may
 * spill is read before load returns, as the strings arrive.
 */
#ifndef PEIL_XLSX_BOOK_H
#define PEIL_XLSX_BOOK_H

#include "xlsx_zip.h"

#include <stdatomic.h>
#include <stddef.h>

typedef struct xlsx_sheet_info {
	char *name;
	char *part;		/* the sheet's part name in the container */
	int hidden;		/* state="hidden" or "veryHidden" */
} xlsx_sheet_info;

typedef struct xlsx_book {
	xlsx_sheet_info *sheets;	/* in the workbook's order */
	size_t sheet_count;
	int date1904;
	unsigned char *date_style;	/* per cellXfs index: formats a date */
	unsigned char *zero_pad;	/* per cellXfs index: the digits of a
					   format such as 0000, else 0 */
	size_t style_count;

	/* shared strings: string i is bytes [at[i], at[i + 1]) of the text,
	 * its NUL last, in memory or, once spilled, in the file.  What
	 * the sheet's parsers read for every shared cell comes first; what
	 * the strings' thread writes for every string comes last, 64 bytes
	 * further, so that its writes do not take the parsers' cache line
	 * from them (docs/benchmarks.md). */
	size_t *at;
	char *text;
	size_t memory_limit;
	void *spill;		/* FILE *, NULL while in memory */
	int fixed;		/* text and at allocated once, never moved */
	atomic_size_t ready;	/* strings that lookups may read: published
				   every STRINGS_BATCH strings, at once
				   when a lookup waits, and at the end */
	struct strings_loader *loader;	/* while read on its thread */
	char apart[64];
	size_t at_cap;
	size_t string_count;
	size_t text_len;
	size_t text_cap;
	size_t publishes;	/* times ready was stored (for the tests) */
} xlsx_book;

/* Reads workbook, relationships, styles and shared strings (or starts
 * reading these on a thread).  Returns 0, or -1 with msg filled; release
 * book either way. */
int xlsx_book_load(xlsx_book *book, xlsx_zip *zip, size_t memory_limit,
		   char *msg, size_t size);

/* Waits until the whole table is read: 0, or -1 with msg filled when it
 * could not be (the reason the workbook is refused, before any other). */
int xlsx_book_strings_end(xlsx_book *book, char *msg, size_t size);

/* Frees what load allocated, stopping the strings' thread; accepts
 * NULL. */
void xlsx_book_release(xlsx_book *book);

/* Shared string i: its text (NUL-ended) and length through *text / *len,
 * valid as long as the book while the table is in memory (spill NULL),
 * else until the next call.  Waits while the strings' thread has not
 * read it yet.  Returns -1 when i is out of range (the table is read and
 * shorter, or failed before i) or the spill file cannot be read.  Only
 * one thread may call it while the table may spill. */
int xlsx_book_string(xlsx_book *book, size_t i, const char **text,
		     size_t *len);

/* Whether a number format code formats a date (has d or y outside quotes,
 * escapes and brackets); exposed for the tests. */
int xlsx_format_is_date(const char *code);

/* The digits a number format code of zeros alone shows a whole number
 * with (4 for "0000", the format of a code with leading zeros such as a
 * municipality's 0363), else 0; exposed for the tests. */
int xlsx_format_zero_pad(const char *code);

#endif
