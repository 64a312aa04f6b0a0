/*
 * peil/export_file.h - opening an export that is a regular file, and only
 * then.
 *
 * Not part of the ABI: code that the host and input plugins share, for a
 * plugin built with _POSIX_C_SOURCE 200809L or more.  An export's path is
 * opened twice or more by the host (to hash it, to check it after its
 * read) and once by the plugin that reads it; between those opens another
 * file may take its place.  A named pipe there would hold an open for
 * ever (until a writer comes), a link to /dev/zero would never end, a
 * directory reads as an error late.  peil_open_export opens without
 * waiting (O_NONBLOCK), looks at what it opened (fstat, not stat on the
 * path, which another file could replace in between) and keeps it only
 * when it is a regular file.
 *
 *   char why[256];
 *   FILE *f = peil_fopen_text_export(path, why, sizeof(why));
 *   if (!f)
 *       return svc->fail(err, path, 0, NULL, "%s", why);
 */
#ifndef PEIL_EXPORT_FILE_H
#define PEIL_EXPORT_FILE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a file that is not a regular one is, as messages name it. */
static inline const char *peil_file_kind(mode_t mode)
{
	return S_ISDIR(mode)    ? "a directory"
	       : S_ISFIFO(mode) ? "a named pipe"
	       : S_ISSOCK(mode) ? "a socket"
	       : S_ISREG(mode)  ? "a regular file"
				: "a device";
}

/* A descriptor of path open for reading when it is a regular file; st
 * (may be NULL) describes what was opened.  Otherwise -1: errno says why
 * (EISDIR for a directory, EINVAL for a named pipe, socket or device, and
 * then st says which; st is zeroed when nothing was opened), and why
 * (may be NULL) says it as a message. */
static inline int peil_open_export(const char *path, struct stat *st,
				   char *why, size_t size)
{
	struct stat local, *sb = st ? st : &local;
	int fd, flags, saved;

	memset(sb, 0, sizeof(*sb));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, sb) != 0)
		goto fail;
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		errno = S_ISDIR(sb->st_mode) ? EISDIR : EINVAL;
		if (why && errno == EINVAL)
			snprintf(why, size, "not read: it is %s, not a "
				 "regular file", peil_file_kind(sb->st_mode));
		else if (why)
			snprintf(why, size, "cannot open: %s",
				 strerror(errno));
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	memset(sb, 0, sizeof(*sb));
	if (why)
		snprintf(why, size, "cannot open: %s", strerror(saved));
	errno = saved;
	return -1;
}

/* As peil_open_export, as a stream to read ("rb"). */
static inline FILE *peil_fopen_export(const char *path, char *why,
				      size_t size)
{
	int fd = peil_open_export(path, NULL, why, size), saved;
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "rb");
	if (!f) {
		saved = errno;
		close(fd);
		if (why)
			snprintf(why, size, "cannot open: %s",
				 strerror(saved));
		errno = saved;
	}
	return f;
}

/* What a file whose first n bytes are head is, when they are those of a
 * known binary format rather than text (a compressed file, an archive or
 * workbook, a PDF), and what to do ("a gzip-compressed file, not text
 * (unpack it first: gunzip)"); NULL otherwise.  Read as text, such
 * a file fails on an encoding, which does not say what is wrong. */
static inline const char *peil_binary_kind(const unsigned char *head,
					   size_t n)
{
	static const struct {
		const char *magic;
		size_t len;
		const char *kind;
	} known[] = {
		{ "\x1f\x8b", 2, "a gzip-compressed file, not text (unpack "
				 "it first: gunzip)" },
		{ "\xfd" "7zXZ", 6, "an xz-compressed file, not text (unpack "
				    "it first: unxz)" },
		{ "\x28\xb5\x2f\xfd", 4, "a zstd-compressed file, not text "
					 "(unpack it first: unzstd)" },
		{ "PK\x03\x04", 4, "a ZIP archive, not text (an .xlsx "
				   "workbook? then plugin = xlsx)" },
		{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "an Excel 97-2003 "
						     "workbook (.xls) or another "
						     "old Office file, not text "
						     "(save it as CSV)" },
		{ "%PDF-", 5, "a PDF document, not text" },
	};
	size_t i;

	/* bzip2: "BZh", the block size, then the block's magic (pi). */
	if (n >= 10 && memcmp(head, "BZh", 3) == 0 && head[3] >= '1' &&
	    head[3] <= '9' && memcmp(head + 4, "\x31\x41\x59\x26\x53\x59",
				     6) == 0)
		return "a bzip2-compressed file, not text (unpack it "
		       "first: bunzip2)";
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (n >= known[i].len &&
		    memcmp(head, known[i].magic, known[i].len) == 0)
			return known[i].kind;
	return NULL;
}

/* As peil_fopen_export, for an export read as text (CSV, XML): a file
 * that is a known binary format (peil_binary_kind) is refused, why
 * naming it. */
static inline FILE *peil_fopen_text_export(const char *path, char *why,
					   size_t size)
{
	FILE *f = peil_fopen_export(path, why, size);
	unsigned char head[16];
	const char *kind;
	size_t n;

	if (!f)
		return NULL;
	n = fread(head, 1, sizeof(head), f);
	kind = peil_binary_kind(head, n);
	if (!kind && fseek(f, 0, SEEK_SET) == 0)
		return f;
	fclose(f);
	if (why && kind)
		snprintf(why, size, "not read: it is %s", kind);
	else if (why)
		snprintf(why, size, "cannot read: %s", strerror(errno));
	errno = EINVAL;
	return NULL;
}

#endif
