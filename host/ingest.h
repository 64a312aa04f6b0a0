/*
 * ingest.h - reading the configured sources into the store.
 *
 * Each file of a source is one batch: it goes in whole or not at all.  A
 * file whose content was ingested before (by its SHA-256, under any name)
 * is skipped, so that running an ingest twice changes nothing.  A source
 * with mode = snapshot removes, in the same batch, the stored rows that its
 * file lacks.
 */
#ifndef PEIL_INGEST_H
#define PEIL_INGEST_H

#include <stdint.h>

#include "context.h"

typedef struct ingest_summary {
	size_t files;		/* committed */
	size_t skipped;		/* ingested before */
	size_t failed;		/* refused as a whole */
	int64_t rows;
	int64_t rejected;
	int64_t removed;	/* by snapshots: rows their files lacked */
} ingest_summary;

/* Ingest every [source] (only the one named when only is not NULL).  A
 * file that fails is reported on the log and counted; the other files go
 * on.  0 when the sources could be read at all (look at the summary for
 * failed files and rejected rows); -1 with err for a problem of the
 * configuration or a plugin, which stops the ingest. */
int ingest_sources(peil_context *ctx, const char *only, ingest_summary *sum,
		   peil_error *err);

#endif
