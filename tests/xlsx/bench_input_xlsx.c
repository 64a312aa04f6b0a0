/*
 * bench_input_xlsx.c - rows/s of the built xlsx.so against csv.so on the
 * same rows, with a services table that does nothing, so that only
 * unpacking, parsing and typing count.  Prints figures; asserts nothing.
 *
 *   bench_input_xlsx [ROWS]          (default 200000)
 *
 * The two files are written to a directory of its own under TMPDIR, or
 * to BENCH_DIR, where they stay for a timed `peil ingest` of each through
 * the real host and store (tests/bench/xlsx.sh; bench_dir.h).
 *
 * Then the floor under the xlsx plugin, per part: unpacking alone
 * (zip_fread), and libxml2's SAX2 push parser alone over the unpacked
 * bytes with callbacks that do nothing, as the plugin feeds it (128 KiB
 * chunks).
 *
 * The workbook is written as Excel writes one: every text a shared string
 * (so the case numbers make a table as long as the sheet), dates as
 * serials with a date style, numbers as numbers.
 */
#define _POSIX_C_SOURCE 200809L
#include <peil/plugin.h>

#include <libxml/parser.h>
#include <zip.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_dir.h"

static const char *const bench_files[] = { "cases.csv", "cases.xlsx" };
static char csv_path[sizeof(bench_dir) + 64], xlsx_path[sizeof(csv_path)];

struct peil_host {
	long rows;
	int csv;
};

static const char *const columns[][2] = {
	{ "column.Dossiernummer", "case_id" },
	{ "column.Team", "team" },
	{ "column.Datum aanmelding", "registered" },
	{ "column.Datum afsluiting", "closed" },
	{ "column.Melder", "referrer" },
	{ "column.Rapportcijfer", "mark" },
	{ "column.Persoonsnummer", "person" },
};
#define COLUMN_COUNT (sizeof(columns) / sizeof(columns[0]))

static const peil_field fields[COLUMN_COUNT] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
	{ "referrer", PEIL_TYPE_TEXT, 0 },
	{ "mark", PEIL_TYPE_INTEGER, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
};
static const peil_schema schema = { "cases", COLUMN_COUNT, fields };

static const char *bench_config_get(peil_host *h, const char *key)
{
	(void)h;
	(void)key;
	return NULL;
}

static int bench_config_each(peil_host *h, const char *prefix,
			     peil_config_fn fn, void *ctx)
{
	size_t i;
	int rc;

	if (h->csv && strcmp(prefix, "separator") == 0)
		return fn(ctx, "separator", "semicolon", "bench", 1);
	if (strncmp("column.", prefix, strlen(prefix)) != 0)
		return 0;
	for (i = 0; i < COLUMN_COUNT; i++) {
		rc = fn(ctx, columns[i][0], columns[i][1], "bench", (long)i + 2);
		if (rc)
			return rc;
	}
	return 0;
}

static const peil_schema *bench_schema(peil_host *h)
{
	(void)h;
	return &schema;
}

#include "null_input_host.h"

/* A growing text buffer. */
struct text {
	char *data;
	size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->data + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len)
			break;
		t->cap = t->cap ? t->cap * 2 : 1 << 20;
		t->data = realloc(t->data, t->cap);
		if (t->data == NULL)
			exit(2);
	}
	t->len += (size_t)n;
}

#define NS "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static void add(zip_t *z, const char *name, const char *data, size_t len)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);

	if (src == NULL || zip_file_add(z, name, src, 0) < 0)
		exit(2);
}

/* Writes the same rows to csv_path and xlsx_path. */
static void write_files(long rows)
{
	static const char *const teams[] = { "Noord", "Zuid", "Oost", "West" };
	struct text sheet = { 0 }, sst = { 0 };
	FILE *csv = fopen(csv_path, "wb");
	int error = 0;
	zip_t *z;
	long i, s = 0;

	if (csv == NULL)
		exit(2);
	fprintf(csv, "Dossiernummer;Team;Datum aanmelding;Datum afsluiting;Melder;Rapportcijfer;Persoonsnummer\r\n");
	put(&sst, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<sst " NS ">");
	/* shared strings 0-6: the headers; 7-10 teams; 11 Huisarts */
	put(&sst, "<si><t>Dossiernummer</t></si><si><t>Team</t></si><si><t>Datum aanmelding</t></si><si><t>Datum afsluiting</t></si><si><t>Melder</t></si><si><t>Rapportcijfer</t></si><si><t>Persoonsnummer</t></si>");
	put(&sst, "<si><t>Noord</t></si><si><t>Zuid</t></si><si><t>Oost</t></si><si><t>West</t></si><si><t>Huisarts</t></si>");
	s = 12;
	put(&sheet, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet " NS "><sheetData>");
	put(&sheet, "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c><c r=\"F1\" t=\"s\"><v>5</v></c><c r=\"G1\" t=\"s\"><v>6</v></c></row>");
	for (i = 0; i < rows; i++) {
		long r = i + 2, day = 1 + i % 28, month = 1 + i % 12;
		/* 2018-01-01 is serial 43101; close enough to the CSV's
		 * dates for timing, which is all this measures */
		long serial = 43101 + (month - 1) * 30 + day - 1;

		fprintf(csv, "D%07ld;%s;%02ld-%02ld-2018;%s;Huisarts;%ld;%08lx\r\n",
			i, teams[i % 4], day, month, i % 3 ? "" : "15-12-2018",
			1 + i % 10, (unsigned long)i * 2654435761UL);
		put(&sst, "<si><t>D%07ld</t></si><si><t>%08lx</t></si>", i,
		    (unsigned long)i * 2654435761UL);
		put(&sheet, "<row r=\"%ld\"><c r=\"A%ld\" t=\"s\"><v>%ld</v></c><c r=\"B%ld\" t=\"s\"><v>%ld</v></c><c r=\"C%ld\" s=\"1\"><v>%ld</v></c>",
		    r, r, s, r, 7 + i % 4, r, serial);
		if (i % 3 == 0)
			put(&sheet, "<c r=\"D%ld\" s=\"1\"><v>43449</v></c>", r);
		put(&sheet, "<c r=\"E%ld\" t=\"s\"><v>11</v></c><c r=\"F%ld\"><v>%ld</v></c><c r=\"G%ld\" t=\"s\"><v>%ld</v></c></row>",
		    r, r, 1 + i % 10, r, s + 1);
		s += 2;
	}
	put(&sst, "</sst>");
	put(&sheet, "</sheetData></worksheet>");
	fclose(csv);

	z = zip_open(xlsx_path, ZIP_CREATE | ZIP_TRUNCATE, &error);
	if (z == NULL)
		exit(2);
	static const char rels[] = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"" REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
	static const char book[] = "<?xml version=\"1.0\"?><workbook " NS " xmlns:r=\"" REL "\"><sheets><sheet name=\"Blad1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	static const char book_rels[] = "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" REL "/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId3\" Type=\"" REL "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
	static const char styles[] = "<?xml version=\"1.0\"?><styleSheet " NS "><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>";
	add(z, "_rels/.rels", rels, strlen(rels));
	add(z, "xl/workbook.xml", book, strlen(book));
	add(z, "xl/_rels/workbook.xml.rels", book_rels, strlen(book_rels));
	add(z, "xl/styles.xml", styles, strlen(styles));
	add(z, "xl/sharedStrings.xml", sst.data, sst.len);
	add(z, "xl/worksheets/sheet1.xml", sheet.data, sheet.len);
	if (zip_close(z) < 0)
		exit(2);
	free(sst.data);
	free(sheet.data);
}

static const peil_plugin *load(const char *path)
{
	void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	const peil_plugin *(*entry)(void);

	if (so == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		exit(2);
	}
	*(void **)(&entry) = dlsym(so, PEIL_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL)
		exit(2);
	return entry();
}

/* The best of three reads, in rows per second. */
static double rows_per_second(const peil_plugin *plugin, const char *path,
			      int csv, long rows)
{
	double best = 0;
	int run;

	for (run = 0; run < 3; run++) {
		struct peil_host host = { 0, csv };
		struct timespec t0, t1;
		peil_error err;
		void *state;
		double seconds;

		memset(&err, 0, sizeof(err));
		if (plugin->input->open(&services, &host, &state, &err) ||
		    (clock_gettime(CLOCK_MONOTONIC, &t0),
		     plugin->input->read(state, path, &err))) {
			fprintf(stderr, "%s: %s\n", plugin->name, err.message);
			exit(1);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		plugin->input->close(state);
		if (host.rows != rows) {
			fprintf(stderr, "%s: %ld rows, expected %ld\n",
				plugin->name, host.rows, rows);
			exit(1);
		}
		seconds = (double)(t1.tv_sec - t0.tv_sec) +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (rows / seconds > best)
			best = rows / seconds;
	}
	return best;
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		exit(2);
	size = ftell(f);
	fclose(f);
	return size;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void no_start(void *ctx, const xmlChar *localname,
		     const xmlChar *prefix, const xmlChar *uri,
		     int namespace_count, const xmlChar **namespaces,
		     int attribute_count, int defaulted,
		     const xmlChar **attributes)
{
	(void)ctx, (void)localname, (void)prefix, (void)uri;
	(void)namespace_count, (void)namespaces, (void)attribute_count;
	(void)defaulted, (void)attributes;
}

static void no_end(void *ctx, const xmlChar *localname,
		   const xmlChar *prefix, const xmlChar *uri)
{
	(void)ctx, (void)localname, (void)prefix, (void)uri;
}

static void no_text(void *ctx, const xmlChar *text, int len)
{
	(void)ctx, (void)text, (void)len;
}

/* The best of three of unpacking a part, and of parsing its bytes. */
static void floor_of(const char *name)
{
	double unpack = 1e9, parse = 1e9, t;
	size_t len = 0, at;
	char *bytes = NULL;
	int run, error = 0;
	zip_t *z = zip_open(xlsx_path, ZIP_RDONLY, &error);
	zip_stat_t st;

	if (z == NULL || zip_stat(z, name, 0, &st) != 0 ||
	    (bytes = malloc(st.size)) == NULL)
		exit(2);
	for (run = 0; run < 3; run++) {
		struct timespec t0;
		zip_file_t *f;
		zip_int64_t got;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		f = zip_fopen(z, name, 0);
		len = 0;
		while (f != NULL && (got = zip_fread(f, bytes + len,
						     st.size - len)) > 0)
			len += (size_t)got;
		zip_fclose(f);
		if ((t = seconds_since(&t0)) < unpack)
			unpack = t;
	}
	for (run = 0; run < 3; run++) {
		xmlSAXHandler sax;
		xmlParserCtxtPtr parser;
		struct timespec t0;

		memset(&sax, 0, sizeof(sax));
		sax.initialized = XML_SAX2_MAGIC;
		sax.startElementNs = no_start;
		sax.endElementNs = no_end;
		sax.characters = no_text;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		parser = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, name);
		if (parser == NULL)
			exit(2);
		xmlCtxtUseOptions(parser, XML_PARSE_NONET);
		for (at = 0; at < len; at += 128 * 1024)
			xmlParseChunk(parser, bytes + at,
				      (int)(len - at < 128 * 1024 ? len - at :
							     128 * 1024), 0);
		xmlParseChunk(parser, NULL, 0, 1);
		if (!parser->wellFormed)
			exit(2);
		xmlFreeParserCtxt(parser);
		if ((t = seconds_since(&t0)) < parse)
			parse = t;
	}
	printf("%-24s %.1f MB: unpack %.3f s, libxml2 SAX2 alone %.3f s\n",
	       name, (double)len / 1e6, unpack, parse);
	free(bytes);
	zip_discard(z);
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 200000;
	const peil_plugin *csv = load(CSV_PLUGIN_PATH);
	const peil_plugin *xlsx = load(XLSX_PLUGIN_PATH);
	double csv_rate, xlsx_rate;

	bench_dir_open("xlsx", bench_files, 2);
	bench_path(csv_path, sizeof(csv_path), bench_files[0]);
	bench_path(xlsx_path, sizeof(xlsx_path), bench_files[1]);
	write_files(rows);
	csv_rate = rows_per_second(csv, csv_path, 1, rows);
	xlsx_rate = rows_per_second(xlsx, xlsx_path, 0, rows);
	printf("rows           %ld\n", rows);
	printf("csv  rows/s    %.0f\n", csv_rate);
	printf("xlsx rows/s    %.0f\n", xlsx_rate);
	printf("csv / xlsx     %.2f (the goal is at most 2)\n",
	       csv_rate / xlsx_rate);
	printf("csv            %.1f MB: read by csv.so in %.3f s\n",
	       (double)file_size(csv_path) / 1e6, rows / csv_rate);
	floor_of("xl/sharedStrings.xml");
	floor_of("xl/worksheets/sheet1.xml");
	return 0;
}
