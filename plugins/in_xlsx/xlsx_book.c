/*
 * xlsx_book.c - the workbook's directory: _rels/.rels to the workbook,
 * its relationships to the sheets, styles and shared strings, each read
 * in one streaming pass.
 *
 * Part names come from the relationships, not from the names Excel
 * happens to use (xl/workbook.xml ...): LibreOffice and other writers
 * choose their own, and Strict OOXML uses other namespaces; both are
 * matched by local name.
 */
#include "xlsx_book.h"
#include "xlsx_buffer.h"
#include "xlsx_thread.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Strings read between two stores of the count that lookups may read
 * (xlsx_book.h). */
#define STRINGS_BATCH 256

#define NAME(reader) ((const char *)xmlTextReaderConstLocalName(reader))

static char *copy_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);

	if (copy != NULL)
		memcpy(copy, s, n);
	return copy;
}

static int is_element(xmlTextReaderPtr r, const char *name)
{
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT &&
	       strcmp(NAME(r), name) == 0;
}

static int is_end(xmlTextReaderPtr r, const char *name)
{
	return xmlTextReaderNodeType(r) == XML_READER_TYPE_END_ELEMENT &&
	       strcmp(NAME(r), name) == 0;
}

/* The directory of a part name, with its '/', into dir. */
static void part_dir(const char *part, char *dir, size_t size)
{
	const char *slash = strrchr(part, '/');
	size_t n = slash ? (size_t)(slash - part) + 1 : 0;

	snprintf(dir, size, "%.*s", (int)n, part);
}

/* A relationship target made a part name: absolute ("/xl/...") or
 * relative to base_dir, with "../" resolved. */
static void resolve_target(const char *base_dir, const char *target,
			   char *out, size_t size)
{
	char dir[256];
	size_t n;

	if (target[0] == '/') {
		snprintf(out, size, "%s", target + 1);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", base_dir);
	while (strncmp(target, "../", 3) == 0) {
		n = strlen(dir);
		if (n > 0)
			dir[--n] = '\0';	/* the trailing '/' */
		while (n > 0 && dir[n - 1] != '/')
			dir[--n] = '\0';
		target += 3;
	}
	snprintf(out, size, "%s%s", dir, target);
}

/* The relationships part of a part: xl/workbook.xml ->
 * xl/_rels/workbook.xml.rels. */
static void rels_name(const char *part, char *out, size_t size)
{
	const char *slash = strrchr(part, '/');

	if (slash == NULL)
		snprintf(out, size, "_rels/%s.rels", part);
	else
		snprintf(out, size, "%.*s_rels/%s.rels",
			 (int)(slash - part) + 1, part, slash + 1);
}

/* One pass over a .rels part: calls fn for each Relationship. */
typedef int (*rel_fn)(void *ctx, const char *id, const char *type,
		      const char *target);

static int rels_each(xlsx_zip *zip, const char *name, rel_fn fn, void *ctx,
		     char *msg, size_t size)
{
	xlsx_part *part = xlsx_part_open(zip, name, msg, size);
	xmlTextReaderPtr r;
	char id[128], type[256], target[256];
	int rc;

	if (part == NULL)
		return -1;
	r = xlsx_part_reader(part);
	while ((rc = xlsx_part_next(part)) == 1) {
		if (!is_element(r, "Relationship"))
			continue;
		xlsx_attribute(r, "Id", id, sizeof(id));
		xlsx_attribute(r, "Type", type, sizeof(type));
		xlsx_attribute(r, "Target", target, sizeof(target));
		if (fn(ctx, id, type, target)) {
			rc = -1;
			break;
		}
	}
	xlsx_part_close(part);
	return rc;
}

static int ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

struct root_rel {
	char workbook[256];
};

static int on_root_rel(void *ctx, const char *id, const char *type,
		       const char *target)
{
	struct root_rel *root = ctx;

	(void)id;
	if (ends_with(type, "/officeDocument"))
		resolve_target("", target, root->workbook,
			       sizeof(root->workbook));
	return 0;
}

struct book_rels {
	xlsx_book *book;
	const char *dir;
	char styles[256];
	char strings[256];
	char *msg;
	size_t size;
};

static int on_book_rel(void *ctx, const char *id, const char *type,
		       const char *target)
{
	struct book_rels *rels = ctx;
	xlsx_book *book = rels->book;
	size_t i;

	if (ends_with(type, "/styles")) {
		resolve_target(rels->dir, target, rels->styles,
			       sizeof(rels->styles));
	} else if (ends_with(type, "/sharedStrings")) {
		resolve_target(rels->dir, target, rels->strings,
			       sizeof(rels->strings));
	} else if (ends_with(type, "/worksheet")) {
		char part[256];

		for (i = 0; i < book->sheet_count; i++) {
			/* the sheet's r:id was kept in part until now */
			if (book->sheets[i].part == NULL ||
			    strcmp(book->sheets[i].part, id) != 0)
				continue;
			resolve_target(rels->dir, target, part, sizeof(part));
			free(book->sheets[i].part);
			book->sheets[i].part = copy_string(part);
			if (book->sheets[i].part == NULL) {
				snprintf(rels->msg, rels->size, "out of memory");
				return -1;
			}
		}
	}
	return 0;
}

/* The sheets of the workbook part, in order; each sheet's part holds its
 * relationship id until the relationships are read. */
static int read_workbook(xlsx_book *book, xlsx_zip *zip, const char *name,
			 char *msg, size_t size)
{
	xlsx_part *part = xlsx_part_open(zip, name, msg, size);
	xmlTextReaderPtr r;
	char value[256];
	int rc;

	if (part == NULL)
		return -1;
	r = xlsx_part_reader(part);
	while ((rc = xlsx_part_next(part)) == 1) {
		if (is_element(r, "workbookPr")) {
			xlsx_attribute(r, "date1904", value, sizeof(value));
			book->date1904 = strcmp(value, "1") == 0 ||
					 strcasecmp(value, "true") == 0;
		} else if (is_element(r, "sheet")) {
			xlsx_sheet_info *sheet, *grown;
			xmlChar *id;

			grown = realloc(book->sheets, (book->sheet_count + 1) *
							      sizeof(*grown));
			if (grown == NULL)
				goto out_of_memory;
			book->sheets = grown;
			sheet = &book->sheets[book->sheet_count++];
			memset(sheet, 0, sizeof(*sheet));
			xlsx_attribute(r, "name", value, sizeof(value));
			sheet->name = copy_string(value);
			xlsx_attribute(r, "state", value, sizeof(value));
			sheet->hidden = value[0] != '\0' &&
					strcmp(value, "visible") != 0;
			/* r:id in the transitional namespace, or Strict's */
			id = xmlTextReaderGetAttributeNs(r, BAD_CAST "id",
				BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
			if (id == NULL)
				id = xmlTextReaderGetAttributeNs(r, BAD_CAST "id",
					BAD_CAST "http://purl.oclc.org/ooxml/officeDocument/relationships");
			sheet->part = copy_string(id ? (const char *)id : "");
			xmlFree(id);
			if (sheet->name == NULL || sheet->part == NULL)
				goto out_of_memory;
		}
	}
	xlsx_part_close(part);
	return rc;
out_of_memory:
	xlsx_part_close(part);
	snprintf(msg, size, "out of memory");
	return -1;
}

/* Built-in number formats that show a date (ECMA-376 part 1, 18.8.30):
 * 14-17 and 22, and the East Asian date formats 27-36 and 50-58.  The
 * times 18-21 and 45-47 are not dates. */
static int builtin_is_date(long id)
{
	return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) ||
	       (id >= 50 && id <= 58);
}

int xlsx_format_is_date(const char *code)
{
	const char *p;

	for (p = code; *p != '\0' && *p != ';'; p++) {
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++)
				;
			if (*p == '\0')
				return 0;
		} else if (*p == '\\' || *p == '_' || *p == '*') {
			if (*++p == '\0')
				return 0;
		} else if (*p == '[') {
			for (p++; *p != '\0' && *p != ']'; p++)
				;
			if (*p == '\0')
				return 0;
		} else if (*p == 'd' || *p == 'D' || *p == 'y' || *p == 'Y' ||
			   *p == 'j' || *p == 'J') {	/* jjjj: Dutch Excel */
			return 1;
		}
	}
	return 0;
}

int xlsx_format_zero_pad(const char *code)
{
	size_t n = strspn(code, "0");

	return n > 1 && n <= 30 && (code[n] == '\0' || code[n] == ';') ?
		       (int)n : 0;
}

struct custom_format {
	long id;
	int is_date;
	int zero_pad;
};

static int read_styles(xlsx_book *book, xlsx_zip *zip, const char *name,
		       char *msg, size_t size)
{
	xlsx_part *part = xlsx_part_open(zip, name, msg, size);
	struct custom_format *formats = NULL, *grown_formats;
	size_t format_count = 0, i;
	xmlTextReaderPtr r;
	char value[512];
	int rc, in_cell_xfs = 0;

	if (part == NULL)
		return -1;
	r = xlsx_part_reader(part);
	while ((rc = xlsx_part_next(part)) == 1) {
		if (is_element(r, "numFmt")) {
			grown_formats = realloc(formats, (format_count + 1) *
							 sizeof(*formats));
			if (grown_formats == NULL)
				goto out_of_memory;
			formats = grown_formats;
			xlsx_attribute(r, "numFmtId", value, sizeof(value));
			formats[format_count].id = strtol(value, NULL, 10);
			xlsx_attribute(r, "formatCode", value, sizeof(value));
			formats[format_count].zero_pad =
				xlsx_format_zero_pad(value);
			formats[format_count++].is_date =
				xlsx_format_is_date(value);
		} else if (is_element(r, "cellXfs")) {
			in_cell_xfs = !xmlTextReaderIsEmptyElement(r);
		} else if (is_end(r, "cellXfs")) {
			in_cell_xfs = 0;
		} else if (in_cell_xfs && is_element(r, "xf")) {
			unsigned char *grown;
			long id;
			int is_date, zero_pad = 0;

			grown = realloc(book->date_style, book->style_count + 1);
			if (grown == NULL)
				goto out_of_memory;
			book->date_style = grown;
			grown = realloc(book->zero_pad, book->style_count + 1);
			if (grown == NULL)
				goto out_of_memory;
			book->zero_pad = grown;
			xlsx_attribute(r, "numFmtId", value, sizeof(value));
			id = strtol(value, NULL, 10);
			is_date = builtin_is_date(id);
			for (i = 0; i < format_count; i++)
				if (formats[i].id == id) {
					is_date = formats[i].is_date;
					zero_pad = formats[i].zero_pad;
				}
			book->zero_pad[book->style_count] =
				(unsigned char)zero_pad;
			book->date_style[book->style_count++] =
				(unsigned char)is_date;
		}
	}
	xlsx_part_close(part);
	free(formats);
	return rc;
out_of_memory:
	xlsx_part_close(part);
	free(formats);
	snprintf(msg, size, "out of memory");
	return -1;
}

/* Why the read of the shared strings stopped (struct strings_read). */
enum strings_failure {
	STRINGS_OK,
	STRINGS_NO_MEMORY,	/* or no temporary space */
	STRINGS_OUTGROWN,	/* more than the part declared: cannot happen
				   while xlsx_zip holds a part to its
				   declared size; kept so that a fixed table
				   is never written past its end */
	STRINGS_QUIT		/* the reader of the sheet is done */
};

/* Appends to the shared strings' text, spilling to a temporary file when
 * the memory limit is reached; a fixed table does not grow.  0, or the
 * failure. */
static int strings_append(xlsx_book *book, const char *text, size_t len)
{
	if (book->fixed) {
		if (len > book->text_cap - book->text_len)
			return STRINGS_OUTGROWN;
		memcpy(book->text + book->text_len, text, len);
		book->text_len += len;
		return 0;
	}
	if (book->spill == NULL && book->text_len + len > book->memory_limit) {
		FILE *f = tmpfile();

		if (f == NULL || (book->text_len > 0 &&
				  fwrite(book->text, 1, book->text_len, f) !=
					  book->text_len)) {
			if (f != NULL)
				fclose(f);
			return STRINGS_NO_MEMORY;
		}
		book->spill = f;
		free(book->text);
		book->text = NULL;
		book->text_cap = 0;
	}
	if (book->spill != NULL) {
		if (fwrite(text, 1, len, book->spill) != len)
			return STRINGS_NO_MEMORY;
	} else {
		if (book->text_len + len > book->text_cap) {
			size_t cap = book->text_cap ? book->text_cap * 2 : 4096;
			char *grown;

			while (cap < book->text_len + len)
				cap *= 2;
			grown = realloc(book->text, cap);
			if (grown == NULL)
				return STRINGS_NO_MEMORY;
			book->text = grown;
			book->text_cap = cap;
		}
		memcpy(book->text + book->text_len, text, len);
	}
	book->text_len += len;
	return 0;
}

/* The next string starts here: at[] has string_count + 1 entries, in
 * at_cap; doubling, since a table may hold a string per row (a fixed
 * table does not grow).  0, or the failure. */
static int strings_mark(xlsx_book *book)
{
	if (book->string_count + 2 > book->at_cap) {
		size_t cap = book->at_cap * 2;
		size_t *grown;

		if (book->fixed)
			return STRINGS_OUTGROWN;
		while (cap < book->string_count + 2)
			cap *= 2;
		grown = realloc(book->at, cap * sizeof(*grown));
		if (grown == NULL)
			return STRINGS_NO_MEMORY;
		book->at = grown;
		book->at_cap = cap;
	}
	book->at[book->string_count + 1] = book->text_len;
	return 0;
}

/* The shared strings' thread (a fixed table only; xlsx_book.h). */
struct strings_loader {
	pthread_t thread;
	int joined;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_int waiting;	/* lookups that wait (the sheet's parsers):
				   wake them at each string */
	atomic_int quit;	/* stop: the sheet's reader is done */
	int done;		/* under lock: rc and msg are set */
	int rc;
	xlsx_zip *zip;		/* its own handle on the container */
	char part[256];
	char msg[512];
};

/* Lets lookups read the strings read so far, waking one that waits (the
 * store and the load are sequentially consistent, as are the waiter's:
 * either it sees the count, or this sees it waiting). */
static void strings_publish(xlsx_book *book)
{
	struct strings_loader *l = book->loader;

	book->publishes++;
	atomic_store(&book->ready, book->string_count);
	if (l != NULL && atomic_load(&l->waiting)) {
		pthread_mutex_lock(&l->lock);
		pthread_cond_broadcast(&l->cond);
		pthread_mutex_unlock(&l->lock);
	}
}

/* The number of strings a lookup of string i may read: more than i, or
 * all there will be. */
static size_t strings_wait(xlsx_book *book, size_t i)
{
	struct strings_loader *l = book->loader;
	size_t ready = atomic_load(&book->ready);

	if (i < ready || l == NULL)
		return ready;
	pthread_mutex_lock(&l->lock);
	atomic_fetch_add(&l->waiting, 1);
	while ((ready = atomic_load(&book->ready)) <= i && !l->done)
		pthread_cond_wait(&l->cond, &l->lock);
	atomic_fetch_sub(&l->waiting, 1);
	pthread_mutex_unlock(&l->lock);
	return ready;
}

/* The shared strings' parse, through SAX: the table may be as long as
 * the sheet (every unique text of it), so it gets the fast parser too. */
struct strings_read {
	xlsx_book *book;
	int in_si;
	int in_t;
	int in_phonetic;
	int failed;		/* enum strings_failure */
	atomic_int *quit;	/* NULL, or the loader's */
};

/* The elements of the shared strings' table that are read. */
enum string_tag { STRING_OTHER, STRING_SI, STRING_T, STRING_RPH };

/* A local name as a tag, by its letters: the callbacks run for every
 * element of the table, two or more per string. */
static enum string_tag string_tag(const char *n)
{
	switch (n[0]) {
	case 't':
		return n[1] == '\0' ? STRING_T : STRING_OTHER;
	case 's':
		return n[1] == 'i' && n[2] == '\0' ? STRING_SI : STRING_OTHER;
	case 'r':
		return strcmp(n, "rPh") == 0 ? STRING_RPH : STRING_OTHER;
	default:
		return STRING_OTHER;
	}
}

static void strings_start(void *ctx, const xmlChar *localname,
			  const xmlChar *prefix, const xmlChar *uri,
			  int namespace_count, const xmlChar **namespaces,
			  int attribute_count, int defaulted,
			  const xmlChar **attributes)
{
	struct strings_read *r = ctx;

	(void)prefix;
	(void)uri;
	(void)namespace_count;
	(void)namespaces;
	(void)attribute_count;
	(void)defaulted;
	(void)attributes;
	switch (string_tag((const char *)localname)) {
	case STRING_SI:
		r->in_si = 1;
		break;
	case STRING_RPH:
		r->in_phonetic = 1;
		break;
	case STRING_T:
		r->in_t = 1;
		break;
	case STRING_OTHER:
		break;
	}
}

static void strings_end(void *ctx, const xmlChar *localname,
			const xmlChar *prefix, const xmlChar *uri)
{
	struct strings_read *r = ctx;
	enum string_tag tag = string_tag((const char *)localname);
	int rc;

	(void)prefix;
	(void)uri;
	if (tag == STRING_T) {
		r->in_t = 0;
	} else if (tag == STRING_RPH) {
		r->in_phonetic = 0;
	} else if (tag == STRING_SI && r->in_si && !r->failed) {
		r->in_si = 0;
		/* each string NUL-ended in the table, so that a cell can
		 * point at it */
		rc = strings_append(r->book, "", 1);
		if (rc == 0)
			rc = strings_mark(r->book);
		if (rc != 0) {
			r->failed = rc;
			return;
		}
		r->book->string_count++;
		/* in batches: a store of ready for every string, read by the
		 * parsers for every shared cell, kept its cache line moving
		 * between the cores (about a tenth of the strings' CPU) */
		if (r->book->string_count % STRINGS_BATCH == 0 ||
		    (r->book->loader != NULL &&
		     atomic_load(&r->book->loader->waiting)))
			strings_publish(r->book);
	}
}

/* <si> holds a <t>, or runs <r><t> to concatenate; the phonetic guide
 * <rPh><t> of East Asian text is not part of the string. */
static void strings_text(void *ctx, const xmlChar *text, int len)
{
	struct strings_read *r = ctx;

	if (r->in_si && r->in_t && !r->in_phonetic && !r->failed)
		r->failed = strings_append(r->book, (const char *)text,
					   (size_t)len);
}

static int strings_failed(void *ctx)
{
	struct strings_read *r = ctx;

	if (!r->failed && r->quit != NULL && atomic_load(r->quit))
		r->failed = STRINGS_QUIT;
	return r->failed;
}

/* The table's first allocation: for a fixed table, all it may hold (a
 * string is at least "<si/>", 5 bytes of the part; its text and NUL at
 * most three bytes per byte of the part, UTF-8 from a one-byte
 * encoding), else room to grow from. */
static int strings_alloc(xlsx_book *book, uint64_t declared)
{
	book->at_cap = 1024;
	if (book->fixed) {
		book->text_cap = (size_t)declared * 3 + 1;
		book->at_cap = (size_t)declared / 5 + 2;
		book->text = xlsx_alloc_large(book->text_cap);
		if (book->text == NULL)
			return -1;
	}
	book->at = xlsx_alloc_large(book->at_cap * sizeof(*book->at));
	if (book->at == NULL)
		return -1;
	book->at[0] = 0;
	return 0;
}

static int read_strings(xlsx_book *book, xlsx_zip *zip, const char *name,
			atomic_int *quit, char *msg, size_t size)
{
	xlsx_part *part = xlsx_part_open_bytes(zip, name, msg, size);
	struct strings_read r;
	xmlSAXHandler sax;
	int rc;

	if (part == NULL)
		return -1;
	memset(&r, 0, sizeof(r));
	r.book = book;
	r.quit = quit;
	memset(&sax, 0, sizeof(sax));
	sax.startElementNs = strings_start;
	sax.endElementNs = strings_end;
	sax.characters = strings_text;
	sax.cdataBlock = strings_text;
	rc = xlsx_part_parse(part, &sax, &r, strings_failed);
	xlsx_part_close(part);
	strings_publish(book);	/* the last batch */
	if (rc != XLSX_PART_STOPPED)
		return rc;
	if (r.failed == STRINGS_OUTGROWN)
		snprintf(msg, size,
			 "part '%s' holds more strings than the size its container declares for it (a damaged file)",
			 name);
	else if (r.failed == STRINGS_QUIT)
		snprintf(msg, size, "stopped");
	else
		snprintf(msg, size,
			 "out of memory (or temporary space) for the shared strings");
	return -1;
}

static void *load_strings(void *arg)
{
	xlsx_book *book = arg;
	struct strings_loader *l = book->loader;
	int rc = read_strings(book, l->zip, l->part, &l->quit, l->msg,
			      sizeof(l->msg));

	pthread_mutex_lock(&l->lock);
	l->rc = rc;
	l->done = 1;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Waits for the strings' thread to end, once. */
static void strings_join(struct strings_loader *l)
{
	if (!l->joined)
		pthread_join(l->thread, NULL);
	l->joined = 1;
}

static void loader_free(struct strings_loader *l)
{
	xlsx_zip_close(l->zip);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

/*
 * Reads the shared strings: on a thread of their own when the table is
 * fixed (the part declares a size whose text, at three bytes per byte,
 * stays below memory_limit: it never spills), else here.
 */
static int load_table(xlsx_book *book, xlsx_zip *zip, const char *name,
		      char *msg, size_t size)
{
	struct strings_loader *l;
	uint64_t declared = 0;

	book->fixed = xlsx_zip_declared_size(zip, name, &declared) == 0 &&
		      declared < book->memory_limit / 3;
	if (strings_alloc(book, declared)) {
		snprintf(msg, size, "out of memory");
		return -1;
	}
	if (!book->fixed)
		return read_strings(book, zip, name, NULL, msg, size);
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		snprintf(msg, size, "out of memory");
		return -1;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	snprintf(l->part, sizeof(l->part), "%s", name);
	if (xlsx_zip_reopen(zip, &l->zip, msg, size)) {
		loader_free(l);
		return -1;
	}
	book->loader = l;
	if (xlsx_thread_start(&l->thread, load_strings, book,
			      "xlsx strings") == 0)
		return 0;
	book->loader = NULL;	/* no thread: read them here */
	loader_free(l);
	return read_strings(book, zip, name, NULL, msg, size);
}

int xlsx_book_load(xlsx_book *book, xlsx_zip *zip, size_t memory_limit,
		   char *msg, size_t size)
{
	struct root_rel root = { "xl/workbook.xml" };
	struct book_rels rels;
	char dir[256], name[300];
	size_t i;

	/* libxml2 sets up its process-wide state here, on the calling
	 * thread, before the plugin's threads parse at the same time (its
	 * lazy set-up in two of them at once races: ThreadSanitizer) */
	xmlInitParser();
	memset(book, 0, sizeof(*book));
	atomic_init(&book->ready, 0);
	book->memory_limit = memory_limit;
	if (xlsx_zip_has(zip, "_rels/.rels") &&
	    rels_each(zip, "_rels/.rels", on_root_rel, &root, msg, size))
		return -1;
	if (!xlsx_zip_has(zip, root.workbook)) {
		snprintf(msg, size,
			 "not a spreadsheet: the container has no workbook part ('%s')",
			 root.workbook);
		return -1;
	}
	if (read_workbook(book, zip, root.workbook, msg, size))
		return -1;
	part_dir(root.workbook, dir, sizeof(dir));
	memset(&rels, 0, sizeof(rels));
	rels.book = book;
	rels.dir = dir;
	rels.msg = msg;
	rels.size = size;
	rels_name(root.workbook, name, sizeof(name));
	if (rels_each(zip, name, on_book_rel, &rels, msg, size))
		return -1;
	for (i = 0; i < book->sheet_count; i++)
		if (!xlsx_zip_has(zip, book->sheets[i].part)) {
			snprintf(msg, size,
				 "sheet '%s' has no part in the container",
				 book->sheets[i].name);
			return -1;
		}
	if (rels.styles[0] && read_styles(book, zip, rels.styles, msg, size))
		return -1;
	if (rels.strings[0] && load_table(book, zip, rels.strings, msg, size))
		return -1;
	return 0;
}

int xlsx_book_strings_end(xlsx_book *book, char *msg, size_t size)
{
	struct strings_loader *l = book->loader;

	if (l == NULL)
		return 0;	/* read by load, which said so if it failed */
	strings_join(l);
	if (l->rc == 0)
		return 0;
	snprintf(msg, size, "%s", l->msg);
	return -1;
}

void xlsx_book_release(xlsx_book *book)
{
	size_t i;

	if (book == NULL)
		return;
	if (book->loader != NULL) {
		atomic_store(&book->loader->quit, 1);
		strings_join(book->loader);
		loader_free(book->loader);
	}
	for (i = 0; i < book->sheet_count; i++) {
		free(book->sheets[i].name);
		free(book->sheets[i].part);
	}
	free(book->sheets);
	free(book->date_style);
	free(book->zero_pad);
	free(book->at);
	free(book->text);
	if (book->spill != NULL)
		fclose(book->spill);
	memset(book, 0, sizeof(*book));
}

int xlsx_book_string(xlsx_book *book, size_t i, const char **text,
		     size_t *len)
{
	size_t n;

	if (i >= strings_wait(book, i))
		return -1;
	n = book->at[i + 1] - book->at[i] - 1;	/* without its NUL */
	*len = n;
	if (book->spill == NULL) {
		*text = book->text + book->at[i];
		return 0;
	}
	/* Spilled: read it back into text, used as a one-string buffer. */
	if (n + 1 > book->text_cap) {
		char *grown = realloc(book->text, n + 1);

		if (grown == NULL)
			return -1;
		book->text = grown;
		book->text_cap = n + 1;
	}
	if (fseek(book->spill, (long)book->at[i], SEEK_SET) != 0 ||
	    fread(book->text, 1, n, book->spill) != n)
		return -1;
	book->text[n] = '\0';
	fseek(book->spill, 0, SEEK_END);
	*text = book->text;
	return 0;
}
