/*
 * xlsx_zip.c - reading the parts of a workbook: libzip for the container,
 * libxml2's xmlTextReader for the XML, fed through a read callback that
 * counts bytes.
 *
 * Why count: a ZIP entry's declared uncompressed size is written by
 * whoever made the file; a bomb may lie about it.  The callback refuses
 * the byte past the limit whatever the header says, and the byte past
 * the declared size (libzip does not compare the two), so that a part
 * sized by its declaration (the shared strings' table) holds.
 */
#include "xlsx_zip.h"
#include "xlsx_thread.h"

#include <peil/export_file.h>
#include <zip.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct xlsx_zip {
	zip_t *archive;
	uint64_t max_part_bytes;
	char *path;		/* for xlsx_zip_reopen */
	struct stat st;		/* the file opened, to see that the second
				   handle reads the same one */
};

/* Blocks of unpacked XML between the inflater thread and the parser: at
 * most INFLATE_RING of INFLATE_BLOCK bytes are held at once. */
#define INFLATE_RING 4
#define INFLATE_BLOCK (128 * 1024)

/*
 * The inflater: a thread that unpacks a part (zip_fread: inflate and
 * CRC) into a ring of blocks while the parser tokenises the blocks before
 * them, so that the two take a core each.  Blocks produced and consumed
 * are counted; block i is ring[i % INFLATE_RING].  The thread owns the
 * part's file, read count and failure flags until it has ended, and
 * touches nothing else; the lock orders its writes before the parser's
 * reads of the block (or of the flags) that tells of them.
 */
struct inflater {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *ring[INFLATE_RING];
	int len[INFLATE_RING];	/* > 0 bytes; 0 the end; -1 a failure */
	unsigned produced;
	unsigned consumed;
	int holding;		/* the parser holds block consumed */
	int quit;		/* the parser is done: stop unpacking */
};

struct xlsx_part {
	zip_file_t *file;
	struct inflater *inflater;	/* while xlsx_part_parse runs */
	xmlTextReaderPtr reader;
	char name[256];
	uint64_t read;
	uint64_t limit;		/* max_part_bytes, or less when declared */
	int limit_declared;	/* the limit is the declared size */
	int over_limit;
	int read_failed;
	char xml_error[256];
	long xml_line;
	char *msg;		/* the caller's, from xlsx_part_open */
	size_t msg_size;
};

static void say(char *msg, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
}

/* Drops the line end that libxml2 ends its messages with. */
static void n_trim(char *msg)
{
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
}

/* "EncryptedPackage" in UTF-16LE: the stream name of an encrypted OOXML
 * file inside its OLE2 wrapper (MS-OFFCRYPTO 2.3.4.4). */
static const char encrypted_package[] =
	"E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e";

/* Names an OLE2 file: encrypted workbook or old .xls.  The directory
 * usually sits in the first sectors; 1 MiB covers any workbook Office
 * encrypts, and a miss only turns the message into the .xls one. */
static void refuse_ole2(FILE *f, char *msg, size_t size)
{
	static char buf[1 << 20];
	size_t got = fread(buf, 1, sizeof(buf), f), i;
	size_t n = sizeof(encrypted_package) - 1;

	for (i = 0; got >= n && i <= got - n; i++)
		if (memcmp(buf + i, encrypted_package, n) == 0) {
			say(msg, size,
			    "a password-protected workbook: Peil cannot read encrypted workbooks; save it again without a password");
			return;
		}
	say(msg, size,
	    "an Excel 97-2003 workbook (.xls, binary format), not Office Open XML (.xlsx): save it as .xlsx");
}

/* Same file: the device, inode, size and change time that fstat gave the
 * first handle. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* An archive handle on path, through a descriptor of its own so that its
 * file can be compared with the first handle's (first NULL: this is the
 * first).  0 and *zip, or -1 with msg filled. */
static int zip_handle(xlsx_zip **zip, const char *path,
		      uint64_t max_part_bytes, const xlsx_zip *first,
		      char *msg, size_t size)
{
	xlsx_zip *z = calloc(1, sizeof(*z));
	int fd, error = 0;

	if (z == NULL || (z->path = strdup(path)) == NULL) {
		free(z);
		say(msg, size, "out of memory");
		return -1;
	}
	z->max_part_bytes = max_part_bytes;
	fd = peil_open_export(path, &z->st, msg, size);
	if (fd < 0)
		goto fail;
	if (first != NULL && !same_file(&first->st, &z->st)) {
		say(msg, size,
		    "the file changed while it was read: read it again once it is written");
		goto fail;
	}
	z->archive = zip_fdopen(fd, ZIP_RDONLY | ZIP_CHECKCONS, &error);
	if (z->archive == NULL) {
		zip_error_t e;

		zip_error_init_with_code(&e, error);
		say(msg, size, "not a readable .xlsx (ZIP) file: %s",
		    zip_error_strerror(&e));
		zip_error_fini(&e);
		goto fail;
	}
	*zip = z;	/* the archive owns fd now */
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(z->path);
	free(z);
	return -1;
}

int xlsx_zip_open(xlsx_zip **zip, const char *path, uint64_t max_part_bytes,
		  char *msg, size_t size)
{
	static const unsigned char ole2[8] = { 0xD0, 0xCF, 0x11, 0xE0,
					       0xA1, 0xB1, 0x1A, 0xE1 };
	unsigned char magic[8];
	FILE *f;
	size_t got;

	*zip = NULL;
	f = peil_fopen_export(path, msg, size);
	if (f == NULL)
		return -1;
	got = fread(magic, 1, sizeof(magic), f);
	if (got == sizeof(magic) && memcmp(magic, ole2, sizeof(ole2)) == 0) {
		refuse_ole2(f, msg, size);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (got < 4 || memcmp(magic, "PK", 2) != 0) {
		say(msg, size,
		    "not an Office Open XML workbook (.xlsx): the file is not a ZIP container");
		return -1;
	}
	return zip_handle(zip, path, max_part_bytes, NULL, msg, size);
}

void xlsx_zip_close(xlsx_zip *zip)
{
	if (zip == NULL)
		return;
	zip_discard(zip->archive);	/* opened read-only: nothing to write */
	free(zip->path);
	free(zip);
}

int xlsx_zip_reopen(const xlsx_zip *zip, xlsx_zip **copy, char *msg,
		    size_t size)
{
	*copy = NULL;
	return zip_handle(copy, zip->path, zip->max_part_bytes, zip, msg,
			  size);
}

int xlsx_zip_has(xlsx_zip *zip, const char *name)
{
	return zip_name_locate(zip->archive, name, 0) >= 0;
}

int xlsx_zip_declared_size(xlsx_zip *zip, const char *name,
			   uint64_t *bytes)
{
	zip_int64_t index = zip_name_locate(zip->archive, name, 0);
	zip_stat_t st;

	zip_stat_init(&st);
	if (index < 0 ||
	    zip_stat_index(zip->archive, (zip_uint64_t)index, 0, &st) != 0 ||
	    !(st.valid & ZIP_STAT_SIZE))
		return -1;
	*bytes = st.size;
	return 0;
}

/* libxml2's read callback: bytes of the entry, never past the limit. */
static int part_read(void *context, char *buffer, int len)
{
	xlsx_part *part = context;
	zip_int64_t got;

	if (part->read >= part->limit + 1) {
		part->over_limit = 1;
		return -1;
	}
	if ((uint64_t)len > part->limit + 1 - part->read)
		len = (int)(part->limit + 1 - part->read);
	got = zip_fread(part->file, buffer, (zip_uint64_t)len);
	if (got < 0) {
		part->read_failed = 1;
		return -1;
	}
	part->read += (uint64_t)got;
	if (part->read > part->limit) {
		part->over_limit = 1;
		return -1;
	}
	return (int)got;
}

/* Keeps the parser's first complaint, which names the cause; later ones
 * follow from it. */
static void part_xml_error(void *context, xmlErrorPtr error)
{
	xlsx_part *part = context;
	size_t n;

	if (part->xml_error[0] != '\0' || error == NULL)
		return;
	snprintf(part->xml_error, sizeof(part->xml_error), "%s",
		 error->message ? error->message : "malformed XML");
	n = strlen(part->xml_error);
	while (n > 0 && part->xml_error[n - 1] == '\n')
		part->xml_error[--n] = '\0';
	part->xml_line = error->line;
}

xlsx_part *xlsx_part_open_bytes(xlsx_zip *zip, const char *name, char *msg,
				size_t size)
{
	uint64_t declared;
	xlsx_part *part;
	zip_int64_t index = zip_name_locate(zip->archive, name, 0);

	if (index < 0) {
		say(msg, size, "the workbook has no part '%s'", name);
		return NULL;
	}
	if (xlsx_zip_declared_size(zip, name, &declared) != 0)
		declared = UINT64_MAX;	/* none: the limit bounds it */
	if (declared != UINT64_MAX && declared > zip->max_part_bytes) {
		say(msg, size,
		    "part '%s' unpacks to %llu bytes, more than max_unpacked_mb allows (%llu bytes): refused as a possible ZIP bomb",
		    name, (unsigned long long)declared,
		    (unsigned long long)zip->max_part_bytes);
		return NULL;
	}
	part = calloc(1, sizeof(*part));
	if (part == NULL) {
		say(msg, size, "out of memory");
		return NULL;
	}
	snprintf(part->name, sizeof(part->name), "%s", name);
	part->limit = zip->max_part_bytes;
	if (declared < part->limit) {
		part->limit = declared;
		part->limit_declared = 1;
	}
	part->msg = msg;
	part->msg_size = size;
	part->file = zip_fopen_index(zip->archive, (zip_uint64_t)index, 0);
	if (part->file == NULL) {
		zip_error_t *e = zip_get_error(zip->archive);

		if (zip_error_code_zip(e) == ZIP_ER_NOPASSWD ||
		    zip_error_code_zip(e) == ZIP_ER_WRONGPASSWD)
			say(msg, size,
			    "a password-protected workbook (part '%s' is encrypted): save it again without a password",
			    name);
		else
			say(msg, size, "cannot read part '%s': %s", name,
			    zip_strerror(zip->archive));
		free(part);
		return NULL;
	}
	return part;
}

/* The reasons a read of the part's bytes failed, in its message. */
static void say_read_failure(xlsx_part *part)
{
	if (part->over_limit && part->limit_declared)
		say(part->msg, part->msg_size,
		    "part '%s' unpacks to more than the %llu bytes its container declares for it: refused as a damaged file or a possible ZIP bomb",
		    part->name, (unsigned long long)part->limit);
	else if (part->over_limit)
		say(part->msg, part->msg_size,
		    "part '%s' unpacks to more than max_unpacked_mb allows (%llu bytes): refused as a possible ZIP bomb",
		    part->name, (unsigned long long)part->limit);
	else
		say(part->msg, part->msg_size,
		    "part '%s' cannot be unpacked (damaged or truncated file)",
		    part->name);
}

int xlsx_part_read(xlsx_part *part, char *buf, size_t len)
{
	int got = part_read(part, buf, len > INT_MAX ? INT_MAX : (int)len);

	if (got < 0)
		say_read_failure(part);
	return got;
}

static void *inflate_part(void *arg)
{
	xlsx_part *part = arg;
	struct inflater *in = part->inflater;
	int got;

	do {
		char *block;

		pthread_mutex_lock(&in->lock);
		while (in->produced - in->consumed == INFLATE_RING && !in->quit)
			pthread_cond_wait(&in->cond, &in->lock);
		if (in->quit) {
			pthread_mutex_unlock(&in->lock);
			break;
		}
		block = in->ring[in->produced % INFLATE_RING];
		pthread_mutex_unlock(&in->lock);
		got = part_read(part, block, INFLATE_BLOCK);
		pthread_mutex_lock(&in->lock);
		in->len[in->produced % INFLATE_RING] = got < 0 ? -1 : got;
		in->produced++;
		pthread_cond_broadcast(&in->cond);
		pthread_mutex_unlock(&in->lock);
	} while (got > 0);
	return NULL;
}

/* Stops the inflater, waits for it and frees it; accepts a part without
 * one. */
static void inflater_stop(xlsx_part *part)
{
	struct inflater *in = part->inflater;
	size_t i;

	if (in == NULL)
		return;
	pthread_mutex_lock(&in->lock);
	in->quit = 1;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
	for (i = 0; i < INFLATE_RING; i++)
		free(in->ring[i]);
	free(in);
	part->inflater = NULL;
}

/* Starts the inflater on the part: 0, or -1 (out of memory or threads). */
static int inflater_start(xlsx_part *part)
{
	struct inflater *in = calloc(1, sizeof(*in));
	size_t i;

	if (in == NULL)
		return -1;
	for (i = 0; i < INFLATE_RING; i++)
		if ((in->ring[i] = malloc(INFLATE_BLOCK)) == NULL)
			goto fail;
	if (pthread_mutex_init(&in->lock, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&in->cond, NULL) != 0) {
		pthread_mutex_destroy(&in->lock);
		goto fail;
	}
	part->inflater = in;
	if (xlsx_thread_start(&in->thread, inflate_part, part,
			      "xlsx inflate") == 0)
		return 0;
	part->inflater = NULL;
	pthread_cond_destroy(&in->cond);
	pthread_mutex_destroy(&in->lock);
fail:
	for (i = 0; i < INFLATE_RING; i++)
		free(in->ring[i]);
	free(in);
	return -1;
}

/*
 * The next block of the part from the inflater, handing back the one
 * before: its length (*block set), 0 at the end of the part, or -1 with
 * the msg of open filled.
 */
static int inflater_next(xlsx_part *part, const char **block)
{
	struct inflater *in = part->inflater;
	int got;

	pthread_mutex_lock(&in->lock);
	if (in->holding) {
		in->consumed++;
		in->holding = 0;
		pthread_cond_broadcast(&in->cond);
	}
	while (in->produced == in->consumed)
		pthread_cond_wait(&in->cond, &in->lock);
	got = in->len[in->consumed % INFLATE_RING];
	*block = in->ring[in->consumed % INFLATE_RING];
	in->holding = got > 0;
	pthread_mutex_unlock(&in->lock);
	if (got < 0)
		say_read_failure(part);
	return got;
}

xlsx_part *xlsx_part_open(xlsx_zip *zip, const char *name, char *msg,
			  size_t size)
{
	xlsx_part *part = xlsx_part_open_bytes(zip, name, msg, size);

	if (part == NULL)
		return NULL;
	/* No network, no entity expansion, no DTD loading: a part is data. */
	part->reader = xmlReaderForIO(part_read, NULL, part, name, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (part->reader == NULL) {
		say(msg, size, "cannot read part '%s': out of memory", name);
		xlsx_part_close(part);
		return NULL;
	}
	xmlTextReaderSetStructuredErrorHandler(part->reader, part_xml_error,
					       part);
	return part;
}

int xlsx_part_next(xlsx_part *part)
{
	int rc = xmlTextReaderRead(part->reader);

	if (rc == 1)
		return 1;
	if (rc == 0 && !part->over_limit && !part->read_failed &&
	    part->xml_error[0] == '\0')
		return 0;
	if (part->over_limit || part->read_failed)
		say_read_failure(part);
	else
		say(part->msg, part->msg_size,
		    "part '%s', XML line %ld: %s", part->name,
		    part->xml_line,
		    part->xml_error[0] ? part->xml_error : "malformed XML");
	return -1;
}

void xlsx_quiet_xml_error(void *ctx, xmlErrorPtr error)
{
	(void)ctx;
	(void)error;
}

void xlsx_parse_failed(xmlParserCtxtPtr parser, const char *part, char *msg,
		       size_t size)
{
	const xmlError *e = xmlCtxtGetLastError(parser);

	say(msg, size, "part '%s', XML line %ld: %.200s", part,
	    e ? (long)e->line : 0L,
	    e && e->message ? e->message : "malformed XML");
	n_trim(msg);
}

int xlsx_part_parse(xlsx_part *part, xmlSAXHandler *sax, void *ctx,
		    int (*stopped)(void *ctx))
{
	xmlParserCtxtPtr parser;
	const char *block;
	int got, rc = 0;

	sax->initialized = XML_SAX2_MAGIC;
	if (sax->serror == NULL)
		sax->serror = xlsx_quiet_xml_error;
	parser = xmlCreatePushParserCtxt(sax, ctx, NULL, 0, part->name);
	if (parser == NULL || inflater_start(part)) {
		say(part->msg, part->msg_size, "out of memory");
		xmlFreeParserCtxt(parser);
		return -1;
	}
	/* No network, no entity expansion, no DTD loading: a part is data. */
	xmlCtxtUseOptions(parser, XML_PARSE_NONET);
	while (!stopped(ctx)) {
		got = inflater_next(part, &block);
		if (got < 0) {
			rc = -1;
			break;
		}
		if (xmlParseChunk(parser, block, got, got == 0) != 0 &&
		    !stopped(ctx)) {
			xlsx_parse_failed(parser, part->name, part->msg,
					  part->msg_size);
			rc = -1;
			break;
		}
		if (got == 0)
			break;
	}
	if (rc == 0 && stopped(ctx))
		rc = XLSX_PART_STOPPED;
	inflater_stop(part);
	xmlFreeDoc(parser->myDoc);
	xmlFreeParserCtxt(parser);
	return rc;
}

xmlTextReaderPtr xlsx_part_reader(xlsx_part *part)
{
	return part->reader;
}

const char *xlsx_part_error(const xlsx_part *part)
{
	return part->msg;
}

void xlsx_part_close(xlsx_part *part)
{
	if (part == NULL)
		return;
	inflater_stop(part);
	xmlFreeTextReader(part->reader);
	if (part->file != NULL)
		zip_fclose(part->file);
	free(part);
}

int xlsx_attribute(xmlTextReaderPtr reader, const char *name, char *buf,
		   size_t size)
{
	xmlChar *value = xmlTextReaderGetAttribute(reader, BAD_CAST name);

	if (value == NULL) {
		if (size)
			buf[0] = '\0';
		return 0;
	}
	snprintf(buf, size, "%s", (const char *)value);
	xmlFree(value);
	return 1;
}
