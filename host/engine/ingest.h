/*
 * ingest.h - reading the configured sources into the store.
 *
 * Each file of a source is one batch: it goes in whole or not at all.  A
 * file that the same source read before with the same settings and the
 * same plugin name and version (by the SHA-256 of its content, under any
 * name) is skipped, so that running an ingest twice changes nothing;
 * changed settings, another plugin or version, or an earlier read that
 * stored nothing read it again, saying why (a snapshot source only its
 * newest file).  A file with data lines that stores no row is rolled back
 * and counted as silent: it is read again next time.
 * A source with mode = snapshot removes, in the same batch, the stored
 * rows that its file lacks.
 */
#ifndef PEIL_INGEST_H
#define PEIL_INGEST_H

#include <stdint.h>

#include "engine/context.h"

typedef struct ingest_summary {
	size_t files;		/* committed */
	size_t skipped;		/* ingested before */
	size_t failed;		/* refused as a whole */
	size_t silent;		/* data lines, but no row stored: not
				   marked as ingested */
	int64_t rows;
	int64_t rejected;
	int64_t replaced;	/* by a later row of the same key in a file */
	int64_t removed;	/* by snapshots: rows their files lacked */
	size_t emptied;		/* snapshots without a row that removed
				   stored rows: an export come out empty? */
	int storage_failed;	/* the store failed: the ingest stopped */
	int64_t unknown;	/* stored values outside an allowed list */
} ingest_summary;

/* What ingest_sources' force asks, or'ed: read again the files ingested
 * before; hash every file, even one whose size, modification time and
 * inode are those the ingest log recorded of the source's last read of
 * its path (which is otherwise skipped unhashed, as read before). */
#define INGEST_FORCE 1
#define INGEST_REHASH 2

/* Ingest every [source] (only the one named when only is not NULL; force
 * as above).  A file that fails is reported on
 * the log and counted, and the other files go on; a failure of the store
 * stops the ingest (storage_failed).  0 when the sources could be read at
 * all; -1 with err for a problem of the configuration or a plugin. */
int ingest_sources(peil_context *ctx, const char *only, int force,
		   ingest_summary *sum, peil_error *err);

/* For peil check: 1 with a warning naming the config line and the
 * pattern when no file matches the path of src (yet), else 0. */
int ingest_source_unmatched(const peil_context *ctx,
			    const settings_source *src);

#endif
