/*
 * xlsx_rows.c - a sheet parsed on a thread of the plugin (xlsx_rows.h).
 *
 * The parser copies each row into the block it fills (the row, its cells,
 * their texts, each NUL-ended: a row of xlsx_sheet is valid only during
 * its call; a shared string stays where it is, in the workbook's table) and hands the block over when the next row does not fit; the
 * calling thread calls fn on each row of a block, then hands the block
 * back.  A block that holds no row yet grows to take a row larger than
 * it, so that every row fits one block; a block's arrays move only then,
 * before any pointer into them was taken.
 */
#include "xlsx_rows.h"
#include "xlsx_thread.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_PER_BLOCK 512
#define CELLS_PER_BLOCK (ROWS_PER_BLOCK * 16)
#define TEXT_PER_BLOCK (128 * 1024)

struct block {
	xlsx_row *rows;
	xlsx_cell *cells;
	char *text;
	size_t row_count, cell_count, text_len;
	size_t cell_cap, text_cap;
	int full;		/* handed to the calling thread */
	int last;		/* the parse ended after its rows */
};

struct rows_pipe {
	xlsx_sheet *sheet;
	struct block block[2];
	unsigned filling;	/* the parser's block */
	int rc;			/* xlsx_sheet_read's, with the last block */
	int stop;		/* the calling thread wants no more rows */
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void block_free(struct block *b)
{
	free(b->rows);
	free(b->cells);
	free(b->text);
}

static int block_alloc(struct block *b)
{
	memset(b, 0, sizeof(*b));
	b->cell_cap = CELLS_PER_BLOCK;
	b->text_cap = TEXT_PER_BLOCK;
	b->rows = malloc(ROWS_PER_BLOCK * sizeof(*b->rows));
	b->cells = malloc(b->cell_cap * sizeof(*b->cells));
	b->text = malloc(b->text_cap);
	if (b->rows && b->cells && b->text)
		return 0;
	block_free(b);
	return -1;
}

/* The bytes of the row's texts that are copied (not the table's), each
 * with its NUL. */
static size_t row_text_bytes(const xlsx_row *row)
{
	size_t i, n = 0;

	for (i = 0; i < row->cell_count; i++)
		if (!row->cells[i].in_table)
			n += row->cells[i].len + 1;
	return n;
}

/* Makes the empty block b large enough for the row: 0 or -1. */
static int block_grow(struct block *b, size_t cells, size_t text)
{
	if (cells > b->cell_cap) {
		xlsx_cell *c = realloc(b->cells, cells * sizeof(*c));

		if (c == NULL)
			return -1;
		b->cells = c;
		b->cell_cap = cells;
	}
	if (text > b->text_cap) {
		char *t = realloc(b->text, text);

		if (t == NULL)
			return -1;
		b->text = t;
		b->text_cap = text;
	}
	return 0;
}

static void block_add(struct block *b, const xlsx_row *row)
{
	xlsx_row *to = &b->rows[b->row_count++];
	xlsx_cell *cells = b->cells + b->cell_count;
	size_t i;

	to->number = row->number;
	to->cells = cells;
	to->cell_count = row->cell_count;
	for (i = 0; i < row->cell_count; i++) {
		char *text = b->text + b->text_len;

		cells[i] = row->cells[i];
		if (cells[i].in_table)	/* the book outlives the read */
			continue;
		memcpy(text, row->cells[i].text, row->cells[i].len);
		text[row->cells[i].len] = '\0';
		cells[i].text = text;
		b->text_len += row->cells[i].len + 1;
	}
	b->cell_count += row->cell_count;
}

/* Hands the parser's block to the calling thread and waits for the other
 * one to be free: 0, or 1 when the calling thread stopped. */
static int hand_over(struct rows_pipe *p, int last)
{
	struct block *next;
	int stop;

	pthread_mutex_lock(&p->lock);
	p->block[p->filling].last = last;
	p->block[p->filling].full = 1;
	pthread_cond_broadcast(&p->cond);
	if (last) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	p->filling ^= 1;
	next = &p->block[p->filling];
	while (next->full && !p->stop)
		pthread_cond_wait(&p->cond, &p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	next->row_count = next->cell_count = next->text_len = 0;
	return stop;
}

/* The parser's row callback: the row into its block.  Nonzero stops the
 * parse: the calling thread stopped, or no memory for a large row. */
static int copy_row(void *ctx, const xlsx_row *row)
{
	struct rows_pipe *p = ctx;
	struct block *b = &p->block[p->filling];
	size_t text = row_text_bytes(row);

	if (b->row_count > 0 &&
	    (b->row_count == ROWS_PER_BLOCK ||
	     b->cell_count + row->cell_count > b->cell_cap ||
	     b->text_len + text > b->text_cap)) {
		if (hand_over(p, 0))
			return 1;
		b = &p->block[p->filling];
	}
	if (b->row_count == 0 && block_grow(b, row->cell_count, text) < 0)
		return XLSX_ROW_NO_MEMORY;
	block_add(b, row);
	return 0;
}

static void *parser(void *arg)
{
	struct rows_pipe *p = arg;

	p->rc = xlsx_sheet_read(p->sheet, copy_row, p);
	hand_over(p, 1);
	return NULL;
}

/* The calling thread's half: fn on each row of each block handed over,
 * until the last one or fn stops.  The rc for xlsx_rows_read. */
static int hand_rows(struct rows_pipe *p, xlsx_row_fn fn, void *ctx)
{
	unsigned taking = 0;

	for (;;) {
		struct block *b = &p->block[taking];
		size_t i;
		int last;

		pthread_mutex_lock(&p->lock);
		while (!b->full)
			pthread_cond_wait(&p->cond, &p->lock);
		last = b->last;
		pthread_mutex_unlock(&p->lock);
		for (i = 0; i < b->row_count; i++)
			if (fn(ctx, &b->rows[i]))
				return XLSX_SHEET_STOPPED;
		if (last)
			return p->rc;
		pthread_mutex_lock(&p->lock);
		b->full = 0;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		taking ^= 1;
	}
}

int xlsx_rows_read(xlsx_sheet *sheet, xlsx_row_fn fn, void *ctx)
{
	struct rows_pipe p;
	pthread_t thread;
	int rc;

	memset(&p, 0, sizeof(p));
	p.sheet = sheet;
	if (block_alloc(&p.block[0]) < 0)
		return xlsx_sheet_read(sheet, fn, ctx);
	if (block_alloc(&p.block[1]) < 0) {
		block_free(&p.block[0]);
		return xlsx_sheet_read(sheet, fn, ctx);
	}
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	if (xlsx_thread_start(&thread, parser, &p) != 0) {
		rc = xlsx_sheet_read(sheet, fn, ctx);
	} else {
		rc = hand_rows(&p, fn, ctx);
		pthread_mutex_lock(&p.lock);
		p.stop = 1;
		pthread_cond_broadcast(&p.cond);
		pthread_mutex_unlock(&p.lock);
		pthread_join(thread, NULL);
	}
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	block_free(&p.block[0]);
	block_free(&p.block[1]);
	return rc;
}
