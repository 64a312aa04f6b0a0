/*
 * kpi_rows.c - the rows of a joined dataset, held while the KPI's own
 * dataset is scanned: ten million cases for the members that join them.
 *
 * A row has a slot per field of a fixed width: a type byte, then 4 bytes
 * (a date, a boolean, a text's number) or 8 (an integer, a real) by the
 * field's declared type.  Row i lies at i times the row's width in blocks
 * of KPI_ROWS_BLOCK rows: no pointer per row and no allocation per row.
 * Texts are numbered: the first KPI_ROWS_INTERN_MAX different ones (a
 * team, an organisation) once, every other text once for the rows in a
 * row that have it in that field (a person's key in the thirteen rows of
 * one ZRM measurement), each kept once as its length and bytes.  A value wider than its slot (an integer
 * in a date field: a plugin may hand any type) goes to a side array, its
 * number in the slot.
 */
#include "kpi/kpi_model.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/strmap.h"

/* Rows per block, and bytes per text block: a chunk of a merging join
 * (kpi_join.c) holds 8192 rows, and blocks of 65536 rows and 1 MiB took
 * their whole size once the heap handed out memory used before. */
#define KPI_ROWS_BLOCK 8192
#define KPI_ROWS_TEXT_BLOCK (64 * 1024)
#define KPI_ROWS_INTERN_MAX 4096
#define KPI_ROWS_WIDE 0x80		/* type byte: the payload is the
					   number of a wide value */

struct kpi_rows {
	size_t field_count;
	size_t *offset;		/* field f's slot at offset[f] in a row */
	unsigned char *wide_slot;	/* 1: field f has 8 payload bytes */
	size_t width;		/* bytes per row */
	size_t count;
	unsigned char **blocks;	/* KPI_ROWS_BLOCK rows each */
	size_t block_count;
	/* texts: number -> its length (uint32_t) and bytes, NUL-ended, in
	 * the text blocks */
	const unsigned char **texts;
	size_t text_count;
	char **text_blocks;
	size_t text_block_count, text_used, text_size;
	strmap intern;		/* interned text -> texts number in
				   intern_id */
	strmap_cache intern_cache;
	uint32_t *intern_id;
	uint32_t *last;		/* per field: the number of the text that
				   the row before copied, UINT32_MAX */
	uint64_t *wide;		/* values wider than their slot */
	size_t wide_count;
	size_t bytes;		/* held in blocks, for kpi_rows_bytes */
};

kpi_rows *kpi_rows_new(const peil_type *types, size_t n)
{
	kpi_rows *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->field_count = n;
	r->offset = malloc((n ? n : 1) * sizeof(*r->offset));
	r->wide_slot = malloc(n ? n : 1);
	r->last = malloc((n ? n : 1) * sizeof(*r->last));
	if (!r->offset || !r->wide_slot || !r->last) {
		kpi_rows_free(r);
		return NULL;
	}
	for (size_t f = 0; f < n; f++) {
		r->last[f] = UINT32_MAX;
		r->wide_slot[f] = types[f] == PEIL_TYPE_INTEGER ||
				  types[f] == PEIL_TYPE_REAL;
		r->offset[f] = r->width;
		r->width += 1 + (r->wide_slot[f] ? 8 : 4);
	}
	if (!r->width)
		r->width = 1;
	return r;
}

void kpi_rows_free(kpi_rows *r)
{
	if (!r)
		return;
	for (size_t b = 0; b < r->block_count; b++)
		free(r->blocks[b]);
	for (size_t b = 0; b < r->text_block_count; b++)
		free(r->text_blocks[b]);
	free(r->blocks);
	free(r->text_blocks);
	free(r->texts);
	free(r->intern_id);
	free(r->wide);
	free(r->offset);
	free(r->wide_slot);
	free(r->last);
	strmap_release(&r->intern);
	free(r);
}

size_t kpi_rows_count(const kpi_rows *r)
{
	return r->count;
}

size_t kpi_rows_bytes(const kpi_rows *r)
{
	return r->bytes + (r->text_count + r->wide_count) * 8 +
	       r->intern.text_cap +
	       r->intern.offsets_cap * sizeof(*r->intern.offsets) +
	       r->intern.slot_count * sizeof(*r->intern.slots);
}

/* The number of a new text of len bytes, copied: -1 when out of
 * memory. */
static long kpi_rows_text_copy(kpi_rows *r, const char *text, uint32_t len)
{
	size_t need = sizeof(len) + len + 1;
	const unsigned char **texts;
	unsigned char *at;

	if (r->text_count == UINT32_MAX ||
	    !(texts = grow_for(r->texts, r->text_count, sizeof(*texts))))
		return -1;
	r->texts = texts;
	if (r->text_block_count == 0 || r->text_used + need > r->text_size) {
		size_t size = need > KPI_ROWS_TEXT_BLOCK ? need
							 : KPI_ROWS_TEXT_BLOCK;
		char **blocks = grow_for(r->text_blocks, r->text_block_count,
					 sizeof(*blocks));

		if (!blocks)
			return -1;
		r->text_blocks = blocks;
		if (!(blocks[r->text_block_count] = malloc(size)))
			return -1;
		r->text_block_count++;
		r->text_used = 0;
		r->text_size = size;
		r->bytes += size;
	}
	at = (unsigned char *)r->text_blocks[r->text_block_count - 1] +
	     r->text_used;
	r->text_used += need;
	memcpy(at, &len, sizeof(len));
	if (len)
		memcpy(at + sizeof(len), text, len);
	at[sizeof(len) + len] = '\0';
	r->texts[r->text_count] = at;
	return (long)r->text_count++;
}

/* The number of text[0..len) in field f: the one given before when it is
 * one of the first KPI_ROWS_INTERN_MAX different texts or the text the
 * row before copied in f, else a new one.  -1 when out of memory. */
static long kpi_rows_text(kpi_rows *r, size_t f, const char *text,
			  uint32_t len)
{
	size_t front;
	long at, id;
	int added = 0;

	if (r->last[f] != UINT32_MAX) {
		const unsigned char *t = r->texts[r->last[f]];
		uint32_t had;

		memcpy(&had, t, sizeof(had));
		if (had == len &&
		    (len == 0 || memcmp(t + sizeof(had), text, len) == 0))
			return (long)r->last[f];
	}
	if ((at = strmap_cache_find(&r->intern_cache, &r->intern, text, len,
				    &front)) >= 0)
		return r->intern_id[at];
	if (r->intern.count < KPI_ROWS_INTERN_MAX) {
		if ((at = strmap_put(&r->intern, text, len, &added)) < 0)
			return -1;
	} else {
		at = strmap_find(&r->intern, text, len);
	}
	if (at >= 0 && !added) {
		strmap_cache_put(&r->intern_cache, front, at);
		return r->intern_id[at];
	}
	if ((id = kpi_rows_text_copy(r, text, len)) < 0)
		return -1;
	if (!added)
		r->last[f] = (uint32_t)id;
	if (added) {
		if (!r->intern_id) {
			if (!(r->intern_id = malloc(KPI_ROWS_INTERN_MAX *
						    sizeof(*r->intern_id))))
				return -1;
			r->bytes += KPI_ROWS_INTERN_MAX *
				    sizeof(*r->intern_id);
		}
		r->intern_id[at] = (uint32_t)id;
		strmap_cache_put(&r->intern_cache, front, at);
	}
	return id;
}

long kpi_rows_add(kpi_rows *r, const peil_value *values)
{
	size_t block = r->count / KPI_ROWS_BLOCK;
	unsigned char *row;

	if (r->count >= (size_t)LONG_MAX)
		return -1;
	if (block == r->block_count) {
		unsigned char **blocks = grow_for(r->blocks, block,
						  sizeof(*blocks));

		if (!blocks)
			return -1;
		r->blocks = blocks;
		if (!(blocks[block] = malloc(KPI_ROWS_BLOCK * r->width)))
			return -1;
		r->block_count++;
		r->bytes += KPI_ROWS_BLOCK * r->width;
	}
	row = r->blocks[block] + r->count % KPI_ROWS_BLOCK * r->width;
	for (size_t f = 0; f < r->field_count; f++) {
		const peil_value *v = &values[f];
		unsigned char *slot = row + r->offset[f], *pay = slot + 1;
		uint32_t u = 0;
		uint64_t w = 0;
		int wide = 0;
		long id;

		slot[0] = (unsigned char)v->type;
		switch (v->type) {
		case PEIL_TYPE_TEXT:
			/* a stored text is below 2 GiB, SQLite's limit */
			if (v->len > UINT32_MAX ||
			    (id = kpi_rows_text(r, f, v->as.text,
						(uint32_t)v->len)) < 0)
				return -1;
			u = (uint32_t)id;
			break;
		case PEIL_TYPE_DATE:
			memcpy(&u, &v->as.date, sizeof(u));
			break;
		case PEIL_TYPE_BOOLEAN:
			u = v->as.boolean ? 1 : 0;
			break;
		case PEIL_TYPE_INTEGER:
			memcpy(&w, &v->as.integer, sizeof(w));
			wide = 1;
			break;
		case PEIL_TYPE_REAL:
			memcpy(&w, &v->as.real, sizeof(w));
			wide = 1;
			break;
		default:
			slot[0] = (unsigned char)PEIL_TYPE_NULL;
			break;
		}
		if (wide && r->wide_slot[f]) {
			memcpy(pay, &w, sizeof(w));
			continue;
		}
		if (wide) {	/* wider than its slot: to the side */
			uint64_t *grown;

			if (r->wide_count == UINT32_MAX ||
			    !(grown = grow_for(r->wide, r->wide_count,
					       sizeof(*grown))))
				return -1;
			r->wide = grown;
			r->wide[r->wide_count] = w;
			u = (uint32_t)r->wide_count++;
			slot[0] |= KPI_ROWS_WIDE;
		}
		memcpy(pay, &u, sizeof(u));
	}
	return (long)r->count++;
}

void kpi_rows_get(const kpi_rows *r, size_t i, peil_value *values,
		  const size_t *dest)
{
	const unsigned char *row = r->blocks[i / KPI_ROWS_BLOCK] +
				   i % KPI_ROWS_BLOCK * r->width;

	for (size_t f = 0; f < r->field_count; f++) {
		const unsigned char *slot = row + r->offset[f], *pay = slot + 1;
		peil_value *v = &values[dest ? dest[f] : f];
		uint32_t u;
		uint64_t w;

		memset(v, 0, sizeof(*v));
		v->type = (peil_type)(slot[0] & ~KPI_ROWS_WIDE);
		memcpy(&u, pay, sizeof(u));
		w = 0;
		if (v->type == PEIL_TYPE_INTEGER || v->type == PEIL_TYPE_REAL) {
			if (slot[0] & KPI_ROWS_WIDE)
				w = r->wide[u];
			else
				memcpy(&w, pay, sizeof(w));
		}
		switch (v->type) {
		case PEIL_TYPE_TEXT: {
			const unsigned char *t = r->texts[u];
			uint32_t len;

			memcpy(&len, t, sizeof(len));
			v->len = len;
			v->as.text = (const char *)t + sizeof(len);
			break;
		}
		case PEIL_TYPE_DATE:
			memcpy(&v->as.date, &u, sizeof(u));
			break;
		case PEIL_TYPE_BOOLEAN:
			v->as.boolean = (int)u;
			break;
		case PEIL_TYPE_INTEGER:
			memcpy(&v->as.integer, &w, sizeof(w));
			break;
		case PEIL_TYPE_REAL:
			memcpy(&v->as.real, &w, sizeof(w));
			break;
		default:
			break;
		}
	}
}
