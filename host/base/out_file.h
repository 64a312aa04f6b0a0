/*
 * out_file.h - an output file that is written whole or not at all, and a
 * stream whose writes are checked.
 *
 * An out_file with a path is written under a temporary name beside it
 * (same directory, so the rename cannot cross a file system), flushed,
 * fsync'ed and renamed over the path only when every write succeeded: a
 * reader (node_exporter's textfile collector, a browser) sees the old file
 * or the new one, never a fragment.  Without a path it is stdout, checked
 * the same way but written in place; so is a path that is there and is
 * no regular file (a device such as /dev/full, a FIFO).
 */
#ifndef PEIL_OUT_FILE_H
#define PEIL_OUT_FILE_H

#include <stdio.h>

#include "peil/plugin.h"

typedef struct out_file {
	FILE *f;		/* write here between open and commit */
	const char *path;	/* the caller's; NULL: stdout */
	char *temp;		/* the temporary name, owned; NULL for stdout */
} out_file;

/* Open path's temporary file for writing, or stdout when path is NULL;
 * path must outlive o.  0, or -1 with "cannot write PATH: cause" in err
 * (nothing is left behind). */
int out_file_open(out_file *o, const char *path, peil_error *err);

/* Check every write, flush, fsync, close and rename the temporary file
 * over the path (stdout: check and flush).  0, or -1 with "cannot write
 * PATH: cause" in err; then the temporary file is removed and the old
 * file at path, if any, is untouched.  o is released either way. */
int out_file_commit(out_file *o, peil_error *err);

/* Close and remove the temporary file without renaming it (stdout is
 * left open); for a failure before the output was complete.  NULL and an
 * unopened or committed o are fine. */
void out_file_discard(out_file *o);

/* Whether every write to f so far succeeded, after flushing it: 0, or -1
 * with "cannot write NAME: cause" in err.  The cause is the errno of the
 * failed flush, or else errno as it is on entry (call it right after the
 * writes, while the failed write's errno still stands). */
int out_file_check(FILE *f, const char *name, peil_error *err);

#endif
