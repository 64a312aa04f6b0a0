/*
 * test_xlsx_rows.c - the sheet's reader threads (xlsx_rows.c) on their
 * own, linked with the plugin's sources: how far the parsers run ahead of
 * the calling thread, and that the rows still come whole and in order;
 * how often the shared strings' thread publishes what it read; and that
 * the large buffers are asked of the kernel in huge pages.
 * The workbook is written here with libzip.
 */
#include "xlsx_book.h"
#include "xlsx_buffer.h"
#include "xlsx_rows.h"
#include "xlsx_zip.h"

#include "harness.h"

#include <zip.h>

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define PKG "http://schemas.openxmlformats.org/package/2006/relationships"

static const char root_rels[] = "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
static const char workbook[] = "<workbook xmlns:r=\"" REL "\"><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char book_rels[] = "<Relationships xmlns=\"" PKG "\"><Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId3\" Type=\"" REL "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
static const char strings[] = "<sst><si><t>Noord</t></si><si><t>Zuid</t></si><si><t>Oost</t></si></sst>";

static void add(zip_t *z, const char *name, const char *bytes)
{
	zip_source_t *src = zip_source_buffer(z, bytes, strlen(bytes), 0);

	if (src == NULL || zip_file_add(z, name, src, 0) < 0) {
		fprintf(stderr, "zip_file_add %s: %s\n", name, zip_strerror(z));
		exit(2);
	}
}

/* A workbook at path with the shared strings table and one sheet. */
static void write_zip(const char *path, const char *table, const char *sheet)
{
	int error = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &error);

	if (z == NULL)
		exit(2);
	add(z, "_rels/.rels", root_rels);
	add(z, "xl/workbook.xml", workbook);
	add(z, "xl/_rels/workbook.xml.rels", book_rels);
	add(z, "xl/sharedStrings.xml", table);
	add(z, "xl/worksheets/sheet1.xml", sheet);
	if (zip_close(z) < 0)
		exit(2);
}

/* A workbook at path whose one sheet has rows 1..rows: A is the row's
 * number, B the shared string n % 3 (Noord, Zuid, Oost, the first three
 * of table). */
static void write_book_table(const char *path, int rows, const char *table)
{
	size_t size = (size_t)rows * 96 + 256, len;
	char *sheet = malloc(size);
	int n;

	if (sheet == NULL)
		exit(2);
	len = (size_t)snprintf(sheet, size, "<worksheet><sheetData>\n");
	for (n = 1; n <= rows; n++)
		len += (size_t)snprintf(sheet + len, size - len,
			"<row r=\"%d\"><c r=\"A%d\"><v>%d</v></c><c r=\"B%d\" t=\"s\"><v>%d</v></c></row>\n",
			n, n, n, n, n % 3);
	snprintf(sheet + len, size - len, "</sheetData></worksheet>");
	write_zip(path, table, sheet);
	free(sheet);
}

static void write_book(const char *path, int rows)
{
	write_book_table(path, rows, strings);
}

struct seen {
	xlsx_rows *rows;
	long count, sum, out_of_order;
	long team[3];
	int ahead_at_first;	/* blocks ahead while the first row waited */
	size_t huge_at_first;	/* bytes advised huge at the first row */
	char names[256];	/* the process's thread names then, each
				   followed by ';' */
};

/* The names of the process's threads (Linux: /proc/self/task/N/comm)
 * into buf, each followed by ';'. */
static void thread_names(char *buf, size_t size)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	size_t len = 0;

	buf[0] = '\0';
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		char path[300], name[32];
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL) {
			name[strcspn(name, "\n")] = '\0';
			len += (size_t)snprintf(buf + len, size - len, "%s;",
						name);
			if (len >= size)
				len = size - 1;
		}
		fclose(f);
	}
	closedir(dir);
}

/* The bytes of the process's mappings that are advised MADV_HUGEPAGE
 * (Linux: "hg" in their VmFlags in /proc/self/smaps). */
static size_t advised_huge_bytes(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	size_t total = 0, size = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			size = hi - lo;
		else if (strncmp(line, "VmFlags:", 8) == 0 &&
			 strstr(line, " hg") != NULL)
			total += size;
	}
	fclose(f);
	return total;
}

/* Whether the system has transparent huge pages that a process may ask
 * for (Linux: not "[never]"). */
static int huge_pages_offered(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	return line[0] != '\0' && strstr(line, "[never]") == NULL;
}

/* Whether the size bytes at p lie in mappings advised MADV_HUGEPAGE. */
static int advised_huge(const void *p, size_t size)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, advised = 0;
	uintptr_t at = (uintptr_t)p;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = at >= lo && at + size <= hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			advised = strstr(line, " hg") != NULL;
	}
	fclose(f);
	return advised;
}

static const char *const teams[3] = { "Noord", "Zuid", "Oost" };

/* The first row waits (up to 10 s) until one parser has handed four
 * blocks of rows that the calling thread has not taken back: twice the
 * two blocks a parser could hold before. */
static int on_row(void *ctx, const xlsx_row *row)
{
	struct seen *s = ctx;
	size_t k;

	if (s->count == 0) {
		struct timespec pause = { 0, 1000000 };
		long segments;
		int parsers, recut, ahead = 0, waited;

		for (waited = 0; waited < 10000; waited++) {
			xlsx_rows_stats(s->rows, &segments, &parsers, &recut,
					&ahead);
			if (ahead >= 4)
				break;
			nanosleep(&pause, NULL);
		}
		s->ahead_at_first = ahead;
		s->huge_at_first = advised_huge_bytes();
		thread_names(s->names, sizeof(s->names));
	}
	if (row->number != s->count + 1)
		s->out_of_order++;
	s->count++;
	if (row->cell_count != 2)
		return 0;
	s->sum += strtol(row->cells[0].text, NULL, 10);
	for (k = 0; k < 3; k++)
		if (strcmp(row->cells[1].text, teams[k]) == 0)
			s->team[k]++;
	return 0;
}

/* The rows of write_book(path, 12000) as on_row saw them: every row
 * once, in order (1 + 2 + ... + 12000), n % 3 naming 4000 of each
 * team. */
static void check_rows(const struct seen *s)
{
	CHECK_INT(s->count, 12000);
	CHECK_INT(s->out_of_order, 0);
	CHECK_INT(s->sum, 72006000);
	CHECK_INT(s->team[0], 4000);
	CHECK_INT(s->team[1], 4000);
	CHECK_INT(s->team[2], 4000);
}

/* 12 000 rows of about 60 bytes, cut every 64 KiB: segments of about
 * 1 100 rows, two or three blocks of 512 rows each.  While the calling
 * thread holds the first row, each parser goes on through its segments
 * until its ring of blocks is full: more than four blocks ahead. */
TEST(parser_runs_blocks_ahead)
{
	char path[512], msg[512];
	xlsx_zip *zip;
	xlsx_book book;
	xlsx_rows *rows;
	struct seen s;
	long segments;
	int parsers, recut, ahead;

	harness_tmp_path(path, sizeof(path), "peil-test-xlsx-rows.xlsx");
	write_book(path, 12000);
	CHECK_INT(xlsx_zip_open(&zip, path, 1u << 30, msg, sizeof(msg)), 0);
	CHECK_INT(xlsx_book_load(&book, zip, 1u << 26, msg, sizeof(msg)), 0);
	rows = xlsx_rows_open(zip, &book, book.sheets[0].part, msg,
			      sizeof(msg));
	CHECK(rows != NULL);
	if (rows != NULL) {
		memset(&s, 0, sizeof(s));
		s.rows = rows;
		CHECK_INT(xlsx_rows_read(rows, 64 * 1024, on_row, &s), 0);
		xlsx_rows_stats(rows, &segments, &parsers, &recut, &ahead);
		CHECK_INT(parsers, 2);
		CHECK_INT(recut, 0);
		CHECK(segments >= 10);
		CHECK(s.ahead_at_first >= 4);
		/* the plugin's threads by name, for top -H, perf and gdb
		 * (the parsers live until the read ends; the unpacking
		 * thread may have ended by the first row) */
		CHECK_CONTAINS(s.names, "xlsx parse 1;");
		CHECK_CONTAINS(s.names, "xlsx parse 2;");
		CHECK(ahead >= 4);
		check_rows(&s);
	}
	xlsx_rows_close(rows);
	CHECK_INT(xlsx_book_strings_end(&book, msg, sizeof(msg)), 0);
	xlsx_book_release(&book);
	xlsx_zip_close(zip);
	unlink(path);
}

/* A workbook at path whose table holds strings "S0" .. "S<count - 1>"
 * and whose sheet names none. */
static void write_table(const char *path, int count)
{
	size_t size = (size_t)count * 24 + 64, len;
	char *table = malloc(size);
	int n;

	if (table == NULL)
		exit(2);
	len = (size_t)snprintf(table, size, "<sst>");
	for (n = 0; n < count; n++)
		len += (size_t)snprintf(table + len, size - len,
					"<si><t>S%d</t></si>", n);
	snprintf(table + len, size - len, "</sst>");
	write_zip(path, table, "<worksheet><sheetData/></worksheet>");
	free(table);
}

/* The strings' thread stores the count that lookups may read once per
 * 256 strings, and at the end, not once per string: 1000 strings, no
 * lookup waiting, are 3 batches and the rest, 4 stores (1000 before).
 * Every string is found; a lookup of the last string, made while the
 * table is still being read, waits for it and finds it. */
TEST(strings_published_in_batches)
{
	char path[512], msg[512];
	const char *text;
	size_t len;
	xlsx_zip *zip;
	xlsx_book book;
	int pass, n, wrong = 0;

	harness_tmp_path(path, sizeof(path), "peil-test-xlsx-table.xlsx");
	write_table(path, 1000);
	for (pass = 0; pass < 2; pass++) {
		CHECK_INT(xlsx_zip_open(&zip, path, 1u << 30, msg, sizeof(msg)), 0);
		CHECK_INT(xlsx_book_load(&book, zip, 1u << 26, msg, sizeof(msg)), 0);
		CHECK(book.loader != NULL);	/* read on its thread */
		if (pass == 1) {
			CHECK_INT(xlsx_book_string(&book, 999, &text, &len), 0);
			CHECK_STR(text, "S999");
		}
		CHECK_INT(xlsx_book_strings_end(&book, msg, sizeof(msg)), 0);
		CHECK_INT((long)book.string_count, 1000);
		if (pass == 0)
			CHECK_INT((long)book.publishes, 4);
		for (n = 0; n < 1000; n++) {
			char want[16];

			snprintf(want, sizeof(want), "S%d", n);
			if (xlsx_book_string(&book, (size_t)n, &text, &len) != 0 ||
			    strcmp(text, want) != 0 || len != strlen(want))
				wrong++;
		}
		CHECK_INT(wrong, 0);
		CHECK_INT(xlsx_book_string(&book, 1000, &text, &len), -1);
		xlsx_book_release(&book);
		xlsx_zip_close(zip);
	}
	unlink(path);
}

/* The large buffers of a read that are written once from their start
 * are asked of the kernel in huge pages (2 MiB), a page fault each rather
 * than 512: the shared strings' table of a part of 2.4 MB (its text
 * allocated for three bytes per byte, its offsets for a string per five
 * bytes), and, while a sheet is read by two parsers, the chunks of
 * unpacked XML (2 MiB) and each parser's ring of blocks of rows (2 MiB
 * each).  The rows are the same: every row once, in order. */
TEST(large_buffers_advised_huge)
{
	char path[512], msg[512];
	size_t size = 120000 * 24 + 64, len, before, after;
	char *table = malloc(size);
	xlsx_zip *zip;
	xlsx_book book;
	xlsx_rows *rows;
	struct seen s;
	int n;

	CHECK(table != NULL);
	len = (size_t)snprintf(table, size, "<sst><si><t>Noord</t></si><si><t>Zuid</t></si><si><t>Oost</t></si>");
	for (n = 3; n < 120000; n++)
		len += (size_t)snprintf(table + len, size - len,
					"<si><t>S%d</t></si>", n);
	snprintf(table + len, size - len, "</sst>");
	harness_tmp_path(path, sizeof(path), "peil-test-xlsx-huge.xlsx");
	write_book_table(path, 12000, table);
	free(table);
	before = advised_huge_bytes();
	CHECK_INT(xlsx_zip_open(&zip, path, 1u << 30, msg, sizeof(msg)), 0);
	CHECK_INT(xlsx_book_load(&book, zip, 1u << 26, msg, sizeof(msg)), 0);
	CHECK(book.loader != NULL);	/* a fixed table */
	CHECK_INT((long)((uintptr_t)book.text % XLSX_HUGE_PAGE), 0);
	CHECK_INT((long)((uintptr_t)book.at % XLSX_HUGE_PAGE), 0);
	rows = xlsx_rows_open(zip, &book, book.sheets[0].part, msg,
			      sizeof(msg));
	CHECK(rows != NULL);
	memset(&s, 0, sizeof(s));
	s.rows = rows;
	CHECK_INT(xlsx_rows_read(rows, 64 * 1024, on_row, &s), 0);
	after = advised_huge_bytes();
	if (after > s.huge_at_first)
		s.huge_at_first = after;
	if (huge_pages_offered()) {
		CHECK(advised_huge(book.text, book.text_cap));
		CHECK(advised_huge(book.at, book.at_cap * sizeof(*book.at)));
		/* the chunks and two rings, besides the table's, add advised
		 * memory.  Only a growth is asked, not its size: memory that
		 * an earlier test had advised may be reused (glibc keeps freed
		 * memory in its arenas, by thread), and it is
		 * measured at the first row or after the read, whichever saw
		 * more (a parser may fill its first block after the first
		 * row on a loaded machine). */
		CHECK(s.huge_at_first > before);
	} else {
		printf("  (no transparent huge pages here: advice not checked)\n");
	}
	check_rows(&s);
	xlsx_rows_close(rows);
	CHECK_INT(xlsx_book_strings_end(&book, msg, sizeof(msg)), 0);
	CHECK_INT((long)book.string_count, 120000);
	xlsx_book_release(&book);
	xlsx_zip_close(zip);
	unlink(path);
}

int main(void)
{
	RUN(parser_runs_blocks_ahead);
	RUN(strings_published_in_batches);
	RUN(large_buffers_advised_huge);
	return harness_done();
}
