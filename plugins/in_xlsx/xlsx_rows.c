/*
 * xlsx_rows.c - a sheet read by threads of the plugin (xlsx_rows.h).
 *
 * The reader thread unpacks the part (zip_fread) into chunks of a fixed
 * pool.  Up to sheetData's start tag it scans them as XML (tags, quoted
 * attribute values, comments, CDATA sections, processing instructions
 * and the depth of elements), keeping the XML declaration, the root's
 * start tag and sheetData's.  From there on it looks only, once the
 * segment holds segment_bytes, for the next "<row" start tag (followed by
 * a space, '>' or '/') whose r is written as digits, and cuts the part
 * before it: so every segment after the first begins with a row that
 * names its own number.  A tag split across two unpacked blocks is held
 * in one chunk until it ends.  Such a "<row" may yet not be a row of
 * sheetData (one in a comment, or in an element after sheetData): the
 * parser of the segment before checks, with the bytes before the cut
 * parsed, that it is where one parse of the part would be at a row of
 * sheetData (xlsx_sheet_between_rows).  If not, the calling thread
 * stops, and the part is read again by one parser, the rows already
 * handed skipped.  No cut is made in a part whose encoding is not UTF-8,
 * that has a DOCTYPE, or whose root or sheetData start tag is longer
 * than TAG_MAX.
 *
 * Segment k goes to parser k % 2, each with its own libxml2 context.  A
 * segment after the first is parsed as a document of its own: the part's
 * XML declaration, the root's start tag (with its namespace declarations,
 * so that prefixes resolve as in one parse) and sheetData's start tag,
 * their line ends made spaces, are pushed before it, and the two end tags
 * after it (not after the last, which has the part's own).  Its parser
 * counts lines from the line of the cut.  Its rows number from its first
 * row's r; the calling thread compares that with the last row of the
 * segment before, which one parse does in start_row.
 *
 * A parser copies each row into the block of rows it fills (the row, its
 * cells, their texts, each NUL-ended: a row of xlsx_sheet is valid only
 * during its call; a shared string stays where it is, in the workbook's
 * table) and hands the block over when the next row does not fit or its
 * segment ends; each parser has a ring of LANE_BLOCKS blocks, which
 * are the reorder buffer: the calling thread takes segment k's blocks
 * from parser k % 2 until the one that ends it, with the segment's
 * result.  The ring is deep enough for a parser to parse a whole
 * segment (about 2 000 rows of 250 bytes of XML) while the calling
 * thread takes the other parser's: with two blocks, the parser of the
 * next segment stopped after 1 024 rows and waited, and the two parsers
 * were both busy for a fifth of the sheet or less
 * (docs/benchmarks.md).  The ring's arrays are allocated together when
 * the parser first fills a block, so a sheet without rows does not pay
 * for them; with two parsers, the ring and the chunks are a huge page
 * each (xlsx_alloc_large: a page fault per 2 MiB, not per 4 KiB;
 * docs/benchmarks.md, the xlsx plugin's page faults).
 * The first failure in the sheet's order wins: a segment's failure is
 * reported after the rows before it, and a parser that failed parses no
 * more.  A block that holds no row yet grows to take a row larger than
 * it, so that every row fits one block; a block's arrays move only then,
 * before any pointer into them was taken.
 *
 * One lock for everything shared (a condition for the blocks of rows,
 * one for the chunks); the parsers' shared strings wait on the table's
 * own (xlsx_book.c), never under this one.
 */
#include "xlsx_rows.h"
#include "xlsx_buffer.h"
#include "xlsx_thread.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROWS_PER_BLOCK 512
#define CELLS_PER_BLOCK (ROWS_PER_BLOCK * 8)
#define TEXT_PER_BLOCK (64 * 1024)
/* A block's arrays, a share of its lane's ring (LANE_BLOCKS of them,
 * within a huge page) */
#define BLOCK_BYTES (ROWS_PER_BLOCK * sizeof(xlsx_row) + \
		     CELLS_PER_BLOCK * sizeof(xlsx_cell) + TEXT_PER_BLOCK)

/* Unpacked XML in flight: CHUNKS chunks of CHUNK_BYTES, 2 MiB, the
 * size of one huge page (xlsx_alloc_large). */
#define CHUNKS 32
#define CHUNK_BYTES (64 * 1024)
/* A start tag held whole for a cut (or the prefix) up to this long. */
#define TAG_MAX (64 * 1024)

/* Sheets whose part declares at least PARALLEL_BYTES are cut into
 * segments of SEGMENT_BYTES for two parsers; a parser may hand over
 * LANE_BLOCKS blocks of rows before the calling thread takes one back. */
#define PARALLEL_BYTES (2 * 1024 * 1024)
#define SEGMENT_BYTES (512 * 1024)

#define LANES 2
#define LANE_BLOCKS 8
_Static_assert(LANE_BLOCKS * BLOCK_BYTES <= XLSX_HUGE_PAGE,
	       "a lane's ring fills at most a huge page");
_Static_assert(CHUNKS * CHUNK_BYTES == XLSX_HUGE_PAGE,
	       "the chunks fill a huge page");

/* A segment's result: its cut did not fall between two rows. */
#define RECUT 1

struct block {
	xlsx_row *rows;
	xlsx_cell *cells;
	char *text;
	size_t row_count, cell_count, text_len;
	size_t cell_cap, text_cap;
	int own_cells, own_text;	/* grown out of the ring's share */
	int full;		/* handed to the calling thread */
	int segment_end;	/* its segment ended after its rows */
	int rc;			/* with segment_end: 0, -1 (msg of the lane,
				   or the reader's in the sheet's) */
	int end_of_part;	/* with segment_end: the part's last */
	long last_row;		/* with segment_end: the parser's row */
	xlsx_first_row first;	/* the segment's first row so far */
};

struct chunk {
	struct chunk *next;
	char *bytes;
	size_t len, cap;
	long segment;
	int first;		/* the segment's first chunk */
	long line;		/* with first: the part's line of bytes[0] */
	int last;		/* the segment's last chunk */
	int end_of_part;	/* ... and the part's last bytes */
	int failed;		/* the part cannot be read past it (msg of
				   the rows) */
};

struct lane {
	struct pipeline *p;
	pthread_t thread;
	int started;
	xlsx_sheet *sheet;
	char msg[512];
	struct chunk *head, *tail;	/* its inbox */
	struct block block[LANE_BLOCKS];
	char *ring;		/* the blocks' arrays, allocated when a parser
				   first fills a block */
	unsigned filling;	/* the parser's block */
	unsigned taking;	/* the calling thread's */
	int handed;		/* blocks full, not yet taken back */
};

/* The scanner's states between bytes. */
enum scan_state {
	S_TEXT,			/* character data: to the next '<' */
	S_LT,			/* after '<' */
	S_BANG,			/* after "<!" */
	S_COMMENT,
	S_CDATA,
	S_PI,
	S_TAG,			/* in a start or end tag */
	S_QUOTE,		/* in its attribute value */
	S_ROWS,			/* in sheetData: looking for a cut */
	S_OFF			/* no more cuts: not scanned */
};

struct scan {
	enum scan_state state;
	int depth;		/* elements open */
	int end_tag;
	char quote;
	char last;		/* the last byte of the chunk before */
	int run;		/* '-', ']' or '?' just before, in a row */
	char bang[8];
	int bang_len;
	long tag_at;		/* the held tag's '<' in the chunk, or -1 */
	int seen_root;
	size_t doc_bytes;	/* bytes of the part before the chunk */
};

struct pipeline {
	xlsx_rows *rows;
	pthread_mutex_t lock;
	pthread_cond_t rows_cond;	/* a block of rows full or free */
	pthread_cond_t chunks_cond;	/* a chunk sent or free */
	int stop;		/* the calling thread is done */
	int reader_done;	/* no chunk will come */
	struct chunk chunks[CHUNKS];
	char *pool;		/* chunk i's first bytes: CHUNK_BYTES at
				   i * CHUNK_BYTES */
	struct chunk *free_chunks;
	int lanes;
	struct lane lane[LANES];
	pthread_t reader;

	/* the reader's, handed to the parsers with a segment's first chunk */
	size_t segment_bytes;	/* 0: no cuts */
	struct scan scan;
	xlsx_buffer prefix;	/* declaration, root and sheetData start tags */
	xlsx_buffer suffix;	/* their end tags */
	xlsx_buffer root_name, data_name;
	char msg[512];		/* the calling thread's message */
	long skip;		/* rows not to hand again */
	long handed;		/* rows handed to fn */
	long lines;		/* line ends before the current chunk */
	size_t segment_len;	/* the segment's bytes before the chunk */
};

struct xlsx_rows {
	xlsx_part *part;
	xlsx_book *book;
	char part_name[256];
	char *msg;
	size_t msg_size;
	long row_number;
	uint64_t declared;	/* the part's declared size, 0 unknown */
	xlsx_zip *zip;		/* to open the part again after a recut */
	long segments;		/* parsed, handed in order */
	int parsers;
	int recut;		/* a cut fell elsewhere: read again whole */
	atomic_int ahead;	/* the most blocks of rows one parser had
				   handed and the calling thread not yet
				   taken back */
};

xlsx_rows *xlsx_rows_open(xlsx_zip *zip, xlsx_book *book, const char *part,
			  char *msg, size_t size)
{
	xlsx_rows *rows = calloc(1, sizeof(*rows));

	if (rows == NULL) {
		snprintf(msg, size, "out of memory");
		return NULL;
	}
	rows->book = book;
	rows->zip = zip;
	atomic_init(&rows->ahead, 0);
	rows->msg = msg;
	rows->msg_size = size;
	snprintf(rows->part_name, sizeof(rows->part_name), "%s", part);
	if (xlsx_zip_declared_size(zip, part, &rows->declared) != 0)
		rows->declared = 0;
	rows->part = xlsx_part_open_bytes(zip, part, msg, size);
	if (rows->part == NULL) {
		free(rows);
		return NULL;
	}
	return rows;
}

long xlsx_rows_row_number(const xlsx_rows *rows)
{
	return rows->row_number;
}

void xlsx_rows_close(xlsx_rows *rows)
{
	if (rows == NULL)
		return;
	xlsx_part_close(rows->part);
	free(rows);
}

/* ---- the blocks of rows, between a parser and the calling thread ---- */

static void block_free(struct block *b)
{
	if (b->own_cells)
		free(b->cells);
	if (b->own_text)
		free(b->text);
}

/* Gives the lane's blocks their arrays, its ring, the first time its
 * parser fills one: 0 or -1.  All LANE_BLOCKS blocks of a lane are
 * filled in turn, so they are allocated together; each block's arrays
 * lie together, so that what a block of narrow rows leaves unused of its
 * cells is not touched. */
static int lane_ring(struct lane *l)
{
	char *at;
	int k;

	if (l->ring != NULL)
		return 0;
	l->ring = l->p->segment_bytes > 0 ? xlsx_alloc_large(XLSX_HUGE_PAGE) :
					    malloc(LANE_BLOCKS * BLOCK_BYTES);
	if (l->ring == NULL)
		return -1;
	for (k = 0, at = l->ring; k < LANE_BLOCKS; k++) {
		struct block *b = &l->block[k];

		b->rows = (xlsx_row *)(void *)at;
		at += ROWS_PER_BLOCK * sizeof(xlsx_row);
		b->cells = (xlsx_cell *)(void *)at;
		at += CELLS_PER_BLOCK * sizeof(xlsx_cell);
		b->text = at;
		at += TEXT_PER_BLOCK;
		b->cell_cap = CELLS_PER_BLOCK;
		b->text_cap = TEXT_PER_BLOCK;
	}
	return 0;
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
		xlsx_cell *c = b->own_cells ?
				       realloc(b->cells, cells * sizeof(*c)) :
				       malloc(cells * sizeof(*c));

		if (c == NULL)
			return -1;
		b->cells = c;
		b->cell_cap = cells;
		b->own_cells = 1;
	}
	if (text > b->text_cap) {
		char *t = b->own_text ? realloc(b->text, text) : malloc(text);

		if (t == NULL)
			return -1;
		b->text = t;
		b->own_text = 1;
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

/* Hands the lane's block to the calling thread (with end set, as its
 * segment's last, rc its result) and waits for the next one of its ring
 * to be free: 0, or 1 when the calling thread stopped. */
static int hand_over(struct lane *l, int end, int rc, int end_of_part)
{
	struct pipeline *p = l->p;
	struct block *b = &l->block[l->filling], *next;
	int stop;

	pthread_mutex_lock(&p->lock);
	b->first = *xlsx_sheet_first_row(l->sheet);
	b->segment_end = end;
	if (end) {
		b->rc = rc;
		b->end_of_part = end_of_part;
		b->last_row = xlsx_sheet_row_number(l->sheet);
	}
	b->full = 1;
	if (++l->handed > atomic_load(&p->rows->ahead) && !p->stop)
		atomic_store(&p->rows->ahead, l->handed);
	pthread_cond_broadcast(&p->rows_cond);
	l->filling = (l->filling + 1) % LANE_BLOCKS;
	next = &l->block[l->filling];
	while (next->full && !p->stop)
		pthread_cond_wait(&p->rows_cond, &p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	next->row_count = next->cell_count = next->text_len = 0;
	return stop;
}

/* A parser's row callback: the row into its block.  Nonzero stops the
 * parse: the calling thread stopped, or no memory for a large row. */
static int copy_row(void *ctx, const xlsx_row *row)
{
	struct lane *l = ctx;
	struct block *b = &l->block[l->filling];
	size_t text = row_text_bytes(row);

	if (b->row_count > 0 &&
	    (b->row_count == ROWS_PER_BLOCK ||
	     b->cell_count + row->cell_count > b->cell_cap ||
	     b->text_len + text > b->text_cap)) {
		if (hand_over(l, 0, 0, 0))
			return 1;
		b = &l->block[l->filling];
	}
	if (b->row_count == 0 &&
	    (lane_ring(l) < 0 || block_grow(b, row->cell_count, text) < 0))
		return XLSX_ROW_NO_MEMORY;
	block_add(b, row);
	return 0;
}

/* ---- chunks, between the reader and the parsers ---- */

/* A free chunk, empty, waiting for one: NULL when the calling thread
 * stopped. */
static struct chunk *chunk_get(struct pipeline *p)
{
	struct chunk *c;

	pthread_mutex_lock(&p->lock);
	while (p->free_chunks == NULL && !p->stop)
		pthread_cond_wait(&p->chunks_cond, &p->lock);
	c = p->stop ? NULL : p->free_chunks;
	if (c != NULL)
		p->free_chunks = c->next;
	pthread_mutex_unlock(&p->lock);
	if (c != NULL) {
		c->next = NULL;
		c->len = 0;
		c->first = c->last = c->end_of_part = c->failed = 0;
	}
	return c;
}

static void chunk_put(struct pipeline *p, struct chunk *c)
{
	pthread_mutex_lock(&p->lock);
	c->next = p->free_chunks;
	p->free_chunks = c;
	pthread_cond_broadcast(&p->chunks_cond);
	pthread_mutex_unlock(&p->lock);
}

/* Into the inbox of its segment's parser. */
static void chunk_send(struct pipeline *p, struct chunk *c)
{
	struct lane *l = &p->lane[c->segment % p->lanes];

	pthread_mutex_lock(&p->lock);
	c->next = NULL;
	if (l->tail != NULL)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	pthread_cond_broadcast(&p->chunks_cond);
	pthread_mutex_unlock(&p->lock);
}

/* ---- the reader: unpacking and cutting ---- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A tag's qualified name: at name, n bytes. */
static size_t name_len(const char *name, size_t max)
{
	size_t n = 0;

	while (n < max && !is_space(name[n]) && name[n] != '>' &&
	       name[n] != '/')
		n++;
	return n;
}

/* Whether the qualified name's local part is local. */
static int local_is(const char *name, size_t n, const char *local)
{
	const char *colon = memchr(name, ':', n);

	if (colon != NULL) {
		n -= (size_t)(colon + 1 - name);
		name = colon + 1;
	}
	return n == strlen(local) && memcmp(name, local, n) == 0;
}

/* Whether the start tag tag[0..n) ('<' to '>') has an attribute r whose
 * value is one to nine digits: a row that names its number. */
static int has_digit_r(const char *tag, size_t n)
{
	size_t i = 1 + name_len(tag + 1, n - 1);

	for (;;) {
		size_t name, name_n, value;
		char q;

		while (i < n && is_space(tag[i]))
			i++;
		if (i >= n || tag[i] == '>' || tag[i] == '/')
			return 0;
		name = i;
		while (i < n && tag[i] != '=' && !is_space(tag[i]))
			i++;
		name_n = i - name;
		while (i < n && is_space(tag[i]))
			i++;
		if (i >= n || tag[i] != '=')
			return 0;
		i++;
		while (i < n && is_space(tag[i]))
			i++;
		if (i >= n || (tag[i] != '"' && tag[i] != '\''))
			return 0;
		q = tag[i++];
		value = i;
		while (i < n && tag[i] != q)
			i++;
		if (i >= n)
			return 0;
		if (name_n == 1 && tag[name] == 'r') {
			size_t k, len = i - value;

			if (len == 0 || len > 9)
				return 0;
			for (k = value; k < i; k++)
				if (tag[k] < '0' || tag[k] > '9')
					return 0;
			return 1;
		}
		i++;
	}
}

/* Adds the tag's bytes with its line ends as spaces. */
static int add_flat(xlsx_buffer *b, const char *tag, size_t n)
{
	size_t from = b->len, i;

	if (xlsx_buffer_add(b, tag, n))
		return -1;
	for (i = from; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r')
			b->data[i] = ' ';
	return 0;
}

/* Whether the n bytes b begin word (or all of it). */
static int begins(const char *b, int n, const char *word)
{
	return (size_t)n <= strlen(word) && memcmp(b, word, (size_t)n) == 0;
}

/* No cut from here on. */
static void scan_off(struct scan *s)
{
	s->state = S_OFF;
	s->tag_at = -1;
}

/* The XML declaration tag[0..n): kept for the prefix; an encoding other
 * than UTF-8 turns the cuts off. */
static void declaration(struct pipeline *p, const char *tag, size_t n)
{
	const char *enc = NULL;
	size_t i;

	for (i = 0; i + 8 <= n; i++)
		if (memcmp(tag + i, "encoding", 8) == 0) {
			enc = tag + i + 8;
			break;
		}
	if (enc != NULL) {
		const char *end = tag + n;
		char q;

		while (enc < end && (is_space(*enc) || *enc == '='))
			enc++;
		q = enc < end ? *enc : 0;
		if ((q != '"' && q != '\'') || end - enc < 7 ||
		    strncasecmp(enc + 1, "UTF-8", 5) != 0 || enc[6] != q) {
			scan_off(&p->scan);
			return;
		}
	}
	if (add_flat(&p->prefix, tag, n))
		scan_off(&p->scan);
}

/* A start tag at depth 0 or 1 ends, tag[0..n): the root's and
 * sheetData's are kept for the prefix and suffix. */
static void outer_tag(struct pipeline *p, const char *tag, size_t n,
		      int empty)
{
	struct scan *s = &p->scan;
	size_t name = name_len(tag + 1, n - 1);

	if (s->depth == 0) {
		s->seen_root = 1;
		if (empty || add_flat(&p->prefix, tag, n) ||
		    xlsx_buffer_add(&p->root_name, tag + 1, name))
			scan_off(s);
		return;
	}
	if (!local_is(tag + 1, name, "sheetData"))
		return;
	if (empty || p->data_name.len > 0 || add_flat(&p->prefix, tag, n) ||
	    xlsx_buffer_add(&p->data_name, tag + 1, name) ||
	    xlsx_buffer_add(&p->suffix, "</", 2) ||
	    xlsx_buffer_add(&p->suffix, p->data_name.data, name) ||
	    xlsx_buffer_add(&p->suffix, "></", 3) ||
	    xlsx_buffer_add(&p->suffix, p->root_name.data,
			    p->root_name.len) ||
	    xlsx_buffer_add(&p->suffix, ">", 1)) {
		scan_off(s);
		return;
	}
	s->state = S_ROWS;	/* the prefix is whole: cuts from here on */
}

/* The first "<row" in the n bytes b, or NULL. */
static const char *find_row(const char *b, size_t n)
{
	const char *end = b + n, *lt;

	while (end - b >= 4 && (lt = memchr(b, '<', (size_t)(end - b) - 3))) {
		if (memcmp(lt + 1, "row", 3) == 0)
			return lt;
		b = lt + 1;
	}
	return NULL;
}

/*
 * In sheetData, past the segment's size: the next "<row" start tag with
 * r in digits, from b[*i]: its offset, *i past its end; or -1 with *i at
 * n, or at a "<row" not yet whole (tag_at set: the chunk is held) to look
 * at again with more bytes.  What comes before a cut is not scanned: the
 * parser of the segment before checks, at its end, that the cut fell
 * between two children of sheetData (cut_checked in parse_chunk).
 */
static long find_cut(struct pipeline *p, const char *b, size_t *i, size_t n)
{
	struct scan *s = &p->scan;
	size_t at = *i;

	s->tag_at = -1;
	if (p->segment_len + n < p->segment_bytes) {
		*i = n;
		return -1;
	}
	if (p->segment_len + at < p->segment_bytes)
		at = p->segment_bytes - p->segment_len;
	while (at < n) {
		const char *lt = find_row(b + at, n - at);
		size_t j, k;
		char q = 0;

		if (lt == NULL) {
			/* a "<", "<r" or "<ro" at the end may begin one */
			for (j = n > at + 3 ? n - 3 : at; j < n; j++)
				if (b[j] == '<' && begins(b + j, (int)(n - j), "<row"))
					break;
			if (j < n)
				s->tag_at = (long)j;
			*i = j;
			return -1;
		}
		j = (size_t)(lt - b);
		/* its end: the first '>' outside quotes */
		for (k = j + 4; k < n; k++) {
			if (q != 0) {
				if (b[k] == q)
					q = 0;
			} else if (b[k] == '"' || b[k] == '\'') {
				q = b[k];
			} else if (b[k] == '>') {
				break;
			}
		}
		if (k >= n) {
			s->tag_at = (long)j;
			*i = j;
			return -1;
		}
		if ((is_space(b[j + 4]) || b[j + 4] == '>' || b[j + 4] == '/') &&
		    has_digit_r(b + j, k + 1 - j)) {
			*i = k + 1;
			return (long)j;
		}
		at = j + 4;
	}
	*i = n;
	return -1;
}

/*
 * Scans the chunk's bytes from *at to its end: the offset of a cut (the
 * '<' of a row to begin the next segment, its tag scanned) with *at just
 * past that tag, or -1 with *at at the end.
 */
static long scan(struct pipeline *p, const char *b, size_t *at, size_t n)
{
	struct scan *s = &p->scan;
	size_t i = *at;

	while (i < n) {
		char ch;

		switch (s->state) {
		case S_OFF:
			i = n;
			break;
		case S_ROWS: {
			long cut = find_cut(p, b, &i, n);

			if (cut >= 0) {
				*at = i;
				return cut;
			}
			if (s->tag_at >= 0) {	/* to go on with more bytes */
				*at = i;
				return -1;
			}
			break;
		}
		case S_TEXT: {
			const char *lt = memchr(b + i, '<', n - i);

			if (lt == NULL) {
				i = n;
				break;
			}
			i = (size_t)(lt - b);
			s->tag_at = s->depth <= 1 ? (long)i : -1;
			s->state = S_LT;
			i++;
			break;
		}
		case S_LT:
			ch = b[i];
			s->end_tag = 0;
			if (ch == '/') {
				s->end_tag = 1;
				s->state = S_TAG;
				i++;
			} else if (ch == '!') {
				s->state = S_BANG;
				s->bang_len = 0;
				s->tag_at = -1;
				i++;
			} else if (ch == '?') {
				s->state = S_PI;
				s->run = 0;
				if (s->seen_root)	/* not the declaration */
					s->tag_at = -1;
				i++;
			} else {
				s->state = S_TAG;
			}
			break;
		case S_BANG:
			s->bang[s->bang_len++] = b[i++];
			if (s->bang_len == 2 && memcmp(s->bang, "--", 2) == 0) {
				s->state = S_COMMENT;
				s->run = 0;
			} else if (s->bang_len == 7 &&
				   memcmp(s->bang, "[CDATA[", 7) == 0) {
				s->state = S_CDATA;
				s->run = 0;
			} else if (!begins(s->bang, s->bang_len, "--") &&
				   !begins(s->bang, s->bang_len, "[CDATA[")) {
				scan_off(s);	/* a DOCTYPE, or not XML */
			}
			break;
		case S_COMMENT:
		case S_CDATA: {
			char mark = s->state == S_COMMENT ? '-' : ']';

			for (; i < n; i++) {
				ch = b[i];
				if (ch == '>' && s->run >= 2) {
					s->state = S_TEXT;
					s->tag_at = -1;
					i++;
					break;
				}
				s->run = ch == mark ? s->run + 1 : 0;
			}
			break;
		}
		case S_PI:
			for (; i < n; i++) {
				ch = b[i];
				if (ch == '>' && s->run) {
					/* the declaration, before the root */
					if (s->tag_at >= 0 && !s->seen_root &&
					    i - (size_t)s->tag_at >= 6 &&
					    memcmp(b + s->tag_at, "<?xml", 5) == 0 &&
					    is_space(b[s->tag_at + 5]))
						declaration(p, b + s->tag_at,
							    i + 1 - (size_t)s->tag_at);
					if (s->state == S_OFF)
						break;
					s->state = S_TEXT;
					s->tag_at = -1;
					i++;
					break;
				}
				s->run = ch == '?';
			}
			break;
		case S_QUOTE: {
			const char *q = memchr(b + i, s->quote, n - i);

			if (q == NULL) {
				i = n;
				break;
			}
			i = (size_t)(q - b) + 1;
			s->state = S_TAG;
			break;
		}
		case S_TAG: {
			/* the bytes that end a run in a tag: most of the part's */
			static const unsigned char stops[256] = {
				['"'] = 1, ['\''] = 1, ['>'] = 1
			};

			while (i < n && !stops[(unsigned char)b[i]])
				i++;
			if (i < n && b[i] != '>') {
				s->quote = b[i++];
				s->state = S_QUOTE;
			}
			if (i < n && s->state == S_TAG) {
				/* the tag ends at b[i]; "/>" is one token */
				long tag = s->tag_at;
				int empty = (i > 0 ? b[i - 1] : s->last) == '/';

				s->state = S_TEXT;
				s->tag_at = -1;
				i++;
				if (s->end_tag) {
					if (--s->depth == 0)
						scan_off(s);	/* no sheetData */
					break;
				}
				if (s->depth <= 1 && tag < 0) {
					scan_off(s);	/* held too long */
					break;
				}
				if (s->depth <= 1)
					outer_tag(p, b + tag, i - (size_t)tag,
						  empty);
				if (s->state == S_ROWS)
					break;
				if (!empty && s->state != S_OFF)
					s->depth++;
			}
			break;
		}
		}
	}
	if (n > 0)
		s->last = b[n - 1];
	*at = n;
	return -1;
}

/* Line ends in b[0..n). */
static long count_lines(const char *b, size_t n)
{
	long lines = 0;
	const char *end = b + n, *nl;

	while (b < end && (nl = memchr(b, '\n', (size_t)(end - b))) != NULL) {
		lines++;
		b = nl + 1;
	}
	return lines;
}

/* Gives the chunk room for cap bytes, keeping its len bytes: 0 or -1.
 * A chunk that outgrows its share of the pool gets bytes of its own. */
static int chunk_grow(struct pipeline *p, struct chunk *c, size_t cap)
{
	char *more;

	if (c->bytes != p->pool + (size_t)(c - p->chunks) * CHUNK_BYTES) {
		more = realloc(c->bytes, cap);
	} else if ((more = malloc(cap)) != NULL) {
		memcpy(more, c->bytes, c->len);
	}
	if (more == NULL)
		return -1;
	c->bytes = more;
	c->cap = cap;
	return 0;
}

/* Sends the chunk on, counting its bytes into the segment and the part. */
static void pass_on(struct pipeline *p, struct chunk *c)
{
	if (p->segment_bytes > 0 && p->scan.state != S_OFF)
		p->lines += count_lines(c->bytes, c->len);
	p->segment_len += c->len;
	p->scan.doc_bytes += c->len;
	chunk_send(p, c);
}

/* Whether the part's first bytes may be cut: UTF-8 (or ASCII), which a
 * NUL in them or a UTF-16 byte order mark rules out. */
static int cuttable_start(const char *b, size_t n)
{
	const unsigned char *u = (const unsigned char *)b;

	if (n < 4 || memchr(b, 0, 4) != NULL)
		return 0;
	return !((u[0] == 0xFE && u[1] == 0xFF) ||
		 (u[0] == 0xFF && u[1] == 0xFE));
}

static void *reader(void *arg)
{
	struct pipeline *p = arg;
	xlsx_rows *rows = p->rows;
	struct chunk *c = chunk_get(p);
	size_t scanned = 0;
	int got;

	if (c == NULL)
		goto done;
	c->segment = 0;
	c->first = 1;
	c->line = 1;
	if (p->segment_bytes == 0)
		scan_off(&p->scan);
	for (;;) {
		long cut;

		if (c->len == c->cap) {
			if (p->scan.tag_at >= 0 &&
			    c->len - (size_t)p->scan.tag_at < TAG_MAX) {
				/* a tag held whole: the chunk grows */
				if (chunk_grow(p, c, c->cap * 2))
					p->scan.tag_at = -1;
			} else {
				p->scan.tag_at = -1;
			}
		}
		if (c->len == c->cap) {
			struct chunk *next;

			pass_on(p, c);
			if ((next = chunk_get(p)) == NULL)
				goto done;
			next->segment = c->segment;
			c = next;
			scanned = 0;
		}
		got = xlsx_part_read(rows->part, c->bytes + c->len,
				     c->cap - c->len);
		if (got <= 0)
			break;
		if (p->scan.doc_bytes == 0 && c->len == 0 &&
		    !cuttable_start(c->bytes, (size_t)got))
			scan_off(&p->scan);
		c->len += (size_t)got;
		while ((cut = scan(p, c->bytes, &scanned, c->len)) >= 0) {
			struct chunk *next = chunk_get(p);
			size_t tail = c->len - (size_t)cut;
			long line;

			if (next == NULL)
				goto done;
			if (next->cap < tail && chunk_grow(p, next, tail)) {
				chunk_put(p, next);	/* not cut after all */
				continue;
			}
			memcpy(next->bytes, c->bytes + cut, tail);
			next->len = tail;
			c->len = (size_t)cut;
			c->last = 1;
			line = p->lines + count_lines(c->bytes, c->len) + 1;
			pass_on(p, c);
			p->segment_len = 0;
			next->segment = c->segment + 1;
			next->first = 1;
			next->line = line;
			scanned -= (size_t)cut;
			c = next;
		}
	}
	c->last = c->end_of_part = 1;
	c->failed = got < 0;
	pass_on(p, c);
done:
	pthread_mutex_lock(&p->lock);
	p->reader_done = 1;
	pthread_cond_broadcast(&p->chunks_cond);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- the parsers ---- */

/* Parses one chunk of the lane's current segment: 0 to go on (its end
 * handed over as a success too), XLSX_SHEET_STOPPED, or a failure or
 * RECUT handed over, after which the lane parses no more. */
static int parse_chunk(struct lane *l, struct chunk *c)
{
	struct pipeline *p = l->p;
	int rc = 0, end = c->last;

	if (c->first) {
		rc = xlsx_sheet_begin(l->sheet, copy_row, l, c->line,
				      c->segment > 0);
		if (rc == 0 && c->segment > 0)
			rc = xlsx_sheet_push(l->sheet, p->prefix.data,
					     p->prefix.len, 0);
	}
	if (rc == 0)
		rc = xlsx_sheet_push(l->sheet, c->bytes, c->len,
				     c->end_of_part && !c->failed);
	if (rc == 0 && c->last && !c->end_of_part) {
		/* cut_checked: what one parse would be in at the cut */
		if (!xlsx_sheet_between_rows(l->sheet))
			rc = RECUT;
		else
			rc = xlsx_sheet_push(l->sheet, p->suffix.data,
					     p->suffix.len, 1);
	}
	if (rc == 0 && c->failed) {
		rc = -1;	/* the reader's message, in the rows' */
		l->msg[0] = '\0';
	}
	if (rc == XLSX_SHEET_STOPPED)
		return rc;
	if (rc == 0 && end && xlsx_sheet_end(l->sheet, c->end_of_part))
		rc = -1;
	if (rc != 0 || end) {
		xlsx_sheet_end(l->sheet, 0);
		hand_over(l, 1, rc, c->end_of_part);
	}
	return rc;
}

static void *parser(void *arg)
{
	struct lane *l = arg;
	struct pipeline *p = l->p;
	int failed = 0;

	for (;;) {
		struct chunk *c;
		int rc = 0;

		pthread_mutex_lock(&p->lock);
		while (l->head == NULL && !p->stop && !p->reader_done)
			pthread_cond_wait(&p->chunks_cond, &p->lock);
		c = p->stop ? NULL : l->head;
		if (c != NULL) {
			l->head = c->next;
			if (l->head == NULL)
				l->tail = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (c == NULL)
			break;
		if (!failed)
			rc = parse_chunk(l, c);
		chunk_put(p, c);
		if (rc == XLSX_SHEET_STOPPED)
			break;
		if (rc != 0)
			failed = 1;	/* what follows is not read */
	}
	xlsx_sheet_end(l->sheet, 0);
	return NULL;
}

/* ---- the calling thread ---- */

/* The lane's next block, waited for. */
static struct block *take(struct pipeline *p, struct lane *l)
{
	struct block *b = &l->block[l->taking];

	pthread_mutex_lock(&p->lock);
	while (!b->full)
		pthread_cond_wait(&p->rows_cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return b;
}

static void give_back(struct pipeline *p, struct lane *l)
{
	pthread_mutex_lock(&p->lock);
	l->block[l->taking].full = 0;
	l->handed--;
	pthread_cond_broadcast(&p->rows_cond);
	pthread_mutex_unlock(&p->lock);
	l->taking = (l->taking + 1) % LANE_BLOCKS;
}

/* fn on each row of each segment in turn: the rc for xlsx_rows_read, and
 * on -1 the row number set and *winner the message (NULL: the reader's,
 * in the rows' msg), to copy there once the threads have ended. */
static int hand_rows(struct pipeline *p, xlsx_row_fn fn, void *ctx,
		     const char **winner)
{
	xlsx_rows *rows = p->rows;
	long segment, before = 0;	/* the last row of the segments before */

	*winner = NULL;
	for (segment = 0;; segment++) {
		struct lane *l = &p->lane[segment % p->lanes];
		int first = 1;

		for (;;) {
			struct block *b = take(p, l);
			size_t i;

			if (first && segment > 0 &&
			    (b->first.bad ||
			     (b->first.set && b->first.number <= before))) {
				snprintf(p->msg, sizeof(p->msg),
					 "row number r=\"%s\" after row %ld (a damaged sheet)",
					 b->first.r, before);
				rows->row_number = before;
				*winner = p->msg;
				return -1;
			}
			first = 0;
			for (i = 0; i < b->row_count; i++) {
				rows->row_number = b->rows[i].number;
				if (p->skip > 0) {	/* handed before a recut */
					p->skip--;
					continue;
				}
				if (fn(ctx, &b->rows[i]))
					return XLSX_SHEET_STOPPED;
				p->handed++;
			}
			if (b->segment_end) {
				int rc = b->rc, last = b->end_of_part;

				before = b->last_row;
				give_back(p, l);
				if (rc == RECUT)
					return RECUT;
				if (rc < 0) {
					rows->row_number = before;
					if (l->msg[0] != '\0')
						*winner = l->msg;
					return -1;
				}
				rows->segments++;
				if (last)
					return 0;
				break;
			}
			give_back(p, l);
		}
	}
}

/* How many bytes per segment: 0 for one parser. */
static size_t choose_segments(const xlsx_rows *rows, size_t asked)
{
	/* a spilled table is read back by one thread at a time */
	if (rows->book->spill != NULL)
		return 0;
	if (asked != XLSX_ROWS_AUTO)
		return asked;
	return rows->declared < PARALLEL_BYTES ? 0 : SEGMENT_BYTES;
}

static void pipeline_free(struct pipeline *p)
{
	int i, k;

	for (i = 0; p->pool != NULL && i < CHUNKS; i++)
		if (p->chunks[i].bytes != p->pool + (size_t)i * CHUNK_BYTES)
			free(p->chunks[i].bytes);
	free(p->pool);
	for (i = 0; i < p->lanes; i++) {
		for (k = 0; k < LANE_BLOCKS; k++)
			block_free(&p->lane[i].block[k]);
		free(p->lane[i].ring);
		xlsx_sheet_close(p->lane[i].sheet);
	}
	xlsx_buffer_release(&p->prefix);
	xlsx_buffer_release(&p->suffix);
	xlsx_buffer_release(&p->root_name);
	xlsx_buffer_release(&p->data_name);
}

static int pipeline_alloc(struct pipeline *p)
{
	int i;

	p->pool = p->segment_bytes > 0 ? xlsx_alloc_large(CHUNKS * CHUNK_BYTES) :
					 malloc(CHUNKS * CHUNK_BYTES);
	if (p->pool == NULL)
		return -1;
	for (i = 0; i < CHUNKS; i++) {
		struct chunk *c = &p->chunks[i];

		c->bytes = p->pool + (size_t)i * CHUNK_BYTES;
		c->cap = CHUNK_BYTES;
		c->next = p->free_chunks;
		p->free_chunks = c;
	}
	for (i = 0; i < p->lanes; i++) {
		struct lane *l = &p->lane[i];

		l->p = p;
		l->sheet = xlsx_sheet_new(p->rows->book, p->rows->part_name,
					  l->msg, sizeof(l->msg));
		if (l->sheet == NULL)
			return -1;
	}
	return 0;
}

/* One read of the part, skipping the first skip rows: the rc for
 * xlsx_rows_read, or RECUT with *handed the rows handed to fn. */
static int run(xlsx_rows *rows, size_t segment_bytes, long skip,
	       xlsx_row_fn fn, void *ctx, long *handed)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	const char *winner = NULL;
	int i, rc = -1, reader_started = 0;

	if (p == NULL) {
		snprintf(rows->msg, rows->msg_size, "out of memory");
		return -1;
	}
	p->rows = rows;
	rows->segments = 0;
	p->skip = skip;
	p->segment_bytes = segment_bytes;
	p->lanes = segment_bytes > 0 ? LANES : 1;
	rows->parsers = p->lanes;
	p->scan.tag_at = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->rows_cond, NULL);
	pthread_cond_init(&p->chunks_cond, NULL);
	if (pipeline_alloc(p) < 0) {
		snprintf(rows->msg, rows->msg_size, "out of memory");
		goto out;
	}
	for (i = 0; i < p->lanes; i++) {
		if (xlsx_thread_start(&p->lane[i].thread, parser,
				      &p->lane[i],
				      i ? "xlsx parse 2" : "xlsx parse 1") != 0)
			break;
		p->lane[i].started = 1;
	}
	if (i == p->lanes &&
	    xlsx_thread_start(&p->reader, reader, p, "xlsx unpack") == 0)
		reader_started = 1;
	if (reader_started)
		rc = hand_rows(p, fn, ctx, &winner);
	else
		snprintf(rows->msg, rows->msg_size,
			 "out of memory (cannot start a thread)");
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->rows_cond);
	pthread_cond_broadcast(&p->chunks_cond);
	pthread_mutex_unlock(&p->lock);
	if (reader_started)
		pthread_join(p->reader, NULL);
	for (i = 0; i < p->lanes; i++)
		if (p->lane[i].started)
			pthread_join(p->lane[i].thread, NULL);
	/* the threads have ended: the winning message is the rows' */
	if (rc == -1 && winner != NULL)
		snprintf(rows->msg, rows->msg_size, "%s", winner);
out:
	*handed = p->handed;
	pipeline_free(p);
	pthread_cond_destroy(&p->rows_cond);
	pthread_cond_destroy(&p->chunks_cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}

int xlsx_rows_read(xlsx_rows *rows, size_t segment_bytes, xlsx_row_fn fn,
		   void *ctx)
{
	long handed = 0;
	int rc = run(rows, choose_segments(rows, segment_bytes), 0, fn, ctx,
		     &handed);

	if (rc != RECUT)
		return rc;
	/* Not one parse's state at a cut (a "<row" in a comment, or a row
	 * element deeper than sheetData's): the part again, by one parser,
	 * past the rows already handed. */
	rows->recut = 1;
	xlsx_part_close(rows->part);
	rows->part = xlsx_part_open_bytes(rows->zip, rows->part_name,
					  rows->msg, rows->msg_size);
	if (rows->part == NULL)
		return -1;
	return run(rows, 0, handed, fn, ctx, &handed);
}

void xlsx_rows_stats(const xlsx_rows *rows, long *segments, int *parsers,
		     int *recut, int *ahead)
{
	*ahead = atomic_load(&rows->ahead);
	*segments = rows->segments;
	*parsers = rows->parsers;
	*recut = rows->recut;
}
