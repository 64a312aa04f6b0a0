/*
 * fuzz_csv_reader.c - libFuzzer target: the CSV reader on any bytes.
 * The first byte picks the separator, the encoding and a tiny buffer, so
 * that refills split records, quotes and UTF-8 sequences anywhere; every
 * input is read twice, in chunks and a byte at a time, and both readings
 * must give the same cells, lines and error.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csv_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size, at, chunk;
};

static int read_chunk(void *ctx, char *buf, size_t size, size_t *got)
{
	struct input *in = ctx;
	size_t n = in->size - in->at;

	if (n > size)
		n = size;
	if (n > in->chunk)
		n = in->chunk;
	memcpy(buf, in->data + in->at, n);
	in->at += n;
	*got = n;
	return 0;
}

/* Everything a reader gave for an input, as one text: cells, lines and
 * the error it ended with. */
struct transcript {
	char text[1 << 17];
	size_t len;
	int overflow;
};

static void note(struct transcript *t, const char *s, size_t n)
{
	if (t->len + n >= sizeof(t->text)) {
		t->overflow = 1;
		return;
	}
	memcpy(t->text + t->len, s, n);
	t->len += n;
}

/* Read data with the options, chunk bytes per read; the cells must end
 * where their length says. */
static void read_all(const csv_reader_options *options, const uint8_t *data,
		     size_t size, size_t chunk, int skip,
		     struct transcript *t)
{
	struct input in = { data, size, 0, chunk };
	csv_reader *r = csv_reader_new(options);
	csv_reader_error err;
	csv_record record;
	char line[64];
	int rc = -1;

	t->len = 0;
	t->overflow = 0;
	if (!r)
		return;
	if (csv_reader_start(r, read_chunk, &in, skip, &err) == 0) {
		while ((rc = csv_reader_next(r, &record, &err)) > 0) {
			note(t, line, (size_t)snprintf(line, sizeof(line),
						       "\n%ld:", record.line));
			for (size_t i = 0; i < record.cell_count; i++) {
				if (strlen(record.cells[i].text) >
				    record.cells[i].len)
					__builtin_trap();
				note(t, record.cells[i].text,
				     record.cells[i].len + 1);
			}
		}
	}
	if (rc < 0)
		note(t, err.message, strlen(err.message));
	csv_reader_free(r);
}

/* The input read in chunks as the first byte says, and again a byte at a
 * time: the second mostly takes the reader's byte-by-byte path, the first
 * its eight-bytes-at-a-time one; both must give the same. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int separators[] = { CSV_SEPARATOR_AUTO, ';', ',', '\t' };
	static struct transcript a, b;
	csv_reader_options options;

	if (size < 1)
		return 0;
	memset(&options, 0, sizeof(options));
	options.separator = separators[data[0] & 3];
	options.encoding = (data[0] >> 2) & 1 ? CSV_ENCODING_WINDOWS_1252
					      : CSV_ENCODING_UTF8;
	options.buffer_size = (data[0] >> 3) & 1 ? 4 : 0;
	options.max_record = 1 << 16;
	read_all(&options, data + 1, size - 1, (size_t)(data[0] >> 4) * 64 + 1,
		 (data[0] >> 7) & 1, &a);
	read_all(&options, data + 1, size - 1, 1, (data[0] >> 7) & 1, &b);
	if (!a.overflow && !b.overflow &&
	    (a.len != b.len || memcmp(a.text, b.text, a.len) != 0))
		__builtin_trap();
	return 0;
}
