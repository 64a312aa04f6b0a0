/*
 * xlsx_zip.h - the workbook's container: a ZIP file (libzip) whose parts
 * are read as streams of XML (libxml2's xmlTextReader), each part bounded
 * by an uncompressed size so that a ZIP bomb stops at the limit.
 *
 *   xlsx_zip *zip;
 *   if (xlsx_zip_open(&zip, path, limit, msg, sizeof(msg))) ...;  // refused
 *   xlsx_part *part = xlsx_part_open(zip, "xl/workbook.xml", msg, size);
 *   while ((rc = xlsx_part_next(part)) == 1) ... xlsx_part_reader(part) ...
 *   xlsx_part_close(part);
 *   xlsx_zip_close(zip);
 */
#ifndef PEIL_XLSX_ZIP_H
#define PEIL_XLSX_ZIP_H

#include <libxml/xmlreader.h>

#include <stddef.h>
#include <stdint.h>

typedef struct xlsx_zip xlsx_zip;
typedef struct xlsx_part xlsx_part;

/*
 * Opens path as an Office Open XML container.  Refuses, with a message in
 * msg: a file that is not a ZIP, an Excel 97-2003 .xls (binary OLE2
 * format), and a password-protected workbook (Office encrypts those into
 * an OLE2 file holding an "EncryptedPackage").  max_part_bytes bounds
 * every part read later.  Returns 0 and *zip, or -1.
 */
int xlsx_zip_open(xlsx_zip **zip, const char *path, uint64_t max_part_bytes,
		  char *msg, size_t size);

/* Closes the container; accepts NULL. */
void xlsx_zip_close(xlsx_zip *zip);

/* Whether the container has a part of that name (no leading '/'). */
int xlsx_zip_has(xlsx_zip *zip, const char *name);

/* The uncompressed size the container declares for a part (what its
 * writer says, bounded by the limit only when read): 0 and *bytes, or -1
 * when the part is missing or declares none. */
int xlsx_zip_declared_size(xlsx_zip *zip, const char *name,
			   uint64_t *bytes);

/*
 * A second handle on the same container, for reading a part on another
 * thread (a handle is not safe to read from two threads): the file is
 * opened again and refused, with a message, unless it is the one the
 * first handle opened (device, inode, size and times).  0 and *copy, to
 * close with xlsx_zip_close; or -1.
 */
int xlsx_zip_reopen(const xlsx_zip *zip, xlsx_zip **copy, char *msg,
		    size_t size);

/*
 * Opens a part for streaming.  Refuses a part whose declared size is above
 * the limit before reading a byte of it.  Returns NULL with msg filled.
 * Only one part may be open at a time.
 */
xlsx_part *xlsx_part_open(xlsx_zip *zip, const char *name, char *msg,
			  size_t size);

/*
 * Opens a part for its bytes alone (no XML reader), for a push parser:
 * then only xlsx_part_parse, xlsx_part_read and xlsx_part_close apply.
 */
xlsx_part *xlsx_part_open_bytes(xlsx_zip *zip, const char *name, char *msg,
				size_t size);

/*
 * Unpacks the next bytes of a part opened with xlsx_part_open_bytes into
 * buf, on the calling thread (not with xlsx_part_parse): the number of
 * bytes (at most len), 0 at the end of the part, or -1 with the msg of
 * open filled (a read failure or a ZIP bomb).
 */
int xlsx_part_read(xlsx_part *part, char *buf, size_t len);

#define XLSX_PART_STOPPED (-2)

/* A SAX2 push parser's structured error handler that prints nothing: its
 * errors are read from its context when it fails. */
void xlsx_quiet_xml_error(void *ctx, xmlErrorPtr error);

/* The parser's last error into msg: "part 'P', XML line N: message". */
void xlsx_parse_failed(xmlParserCtxtPtr parser, const char *part, char *msg,
		       size_t size);

/*
 * Parses the part with libxml2's SAX2 push parser, in chunks, calling
 * sax's callbacks with ctx; no network, no entities expanded.  A thread
 * of its own unpacks the part meanwhile, at most 512 KiB ahead of the
 * parser; it has ended when this returns.  After each chunk stopped(ctx)
 * is asked whether to go on (the callbacks ignore what
 * follows once they have stopped).  Returns 0 at the end of the part,
 * XLSX_PART_STOPPED, or -1 with the msg of open filled (the part, the XML
 * line and the parser's message; a read failure or a ZIP bomb).
 */
int xlsx_part_parse(xlsx_part *part, xmlSAXHandler *sax, void *ctx,
		    int (*stopped)(void *ctx));

/*
 * Moves to the next XML node: 1 on a node, 0 at the end of the part, -1 on
 * malformed XML, a read error or more bytes than the limit, with msg of
 * xlsx_part_open filled (part name, XML line and the parser's message).
 */
int xlsx_part_next(xlsx_part *part);

/* The reader, positioned by xlsx_part_next; valid until close. */
xmlTextReaderPtr xlsx_part_reader(xlsx_part *part);

/* The message of the last failure (also written to the msg of open). */
const char *xlsx_part_error(const xlsx_part *part);

/* Closes the part; accepts NULL. */
void xlsx_part_close(xlsx_part *part);

/* An attribute of the current element, copied into buf (empty when
 * absent); returns whether it was present. */
int xlsx_attribute(xmlTextReaderPtr reader, const char *name, char *buf,
		   size_t size);

#endif
