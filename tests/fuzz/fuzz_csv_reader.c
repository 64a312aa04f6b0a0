/*
 * fuzz_csv_reader.c - libFuzzer target: the CSV reader on any bytes.
 * The first byte picks the separator, the encoding and a tiny buffer, so
 * that refills split records, quotes and UTF-8 sequences anywhere.
 */
#include <stddef.h>
#include <stdint.h>
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int separators[] = { CSV_SEPARATOR_AUTO, ';', ',', '\t' };
	csv_reader_options options;
	struct input in;
	csv_reader *r;
	csv_reader_error err;
	csv_record record;
	int rc;

	if (size < 1)
		return 0;
	memset(&options, 0, sizeof(options));
	options.separator = separators[data[0] & 3];
	options.encoding = (data[0] >> 2) & 1 ? CSV_ENCODING_WINDOWS_1252
					      : CSV_ENCODING_UTF8;
	options.buffer_size = (data[0] >> 3) & 1 ? 4 : 0;
	options.max_record = 1 << 16;
	in.data = data + 1;
	in.size = size - 1;
	in.at = 0;
	in.chunk = (data[0] >> 4) + 1;
	r = csv_reader_new(&options);
	if (!r)
		return 0;
	if (csv_reader_start(r, read_chunk, &in, (data[0] >> 7) & 1, &err) == 0)
		while ((rc = csv_reader_next(r, &record, &err)) > 0)
			for (size_t i = 0; i < record.cell_count; i++)
				if (strlen(record.cells[i].text) > record.cells[i].len)
					__builtin_trap();
	csv_reader_free(r);
	return 0;
}
