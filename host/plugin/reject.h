/*
 * reject.h - the file that on_error = reject writes refused rows to.
 *
 * It holds the export's header and the refused rows as they were in the
 * export, so that an analyst can correct them and ingest the file again.
 * It is written under a temporary name and only gets its own name when
 * the rows it goes with are committed: a file that is rolled back leaves
 * no reject file behind, and a reject file never describes rows that were
 * not stored.
 */
#ifndef PEIL_REJECT_H
#define PEIL_REJECT_H

#include <stddef.h>

#include "peil/plugin.h"

typedef struct reject_file reject_file;

/* Open the reject file for the export path, read by source, with content
 * hash sha256 (its first 12 digits keep two exports of the same name apart)
 * in dir, creating dir when needed, and write header (may be NULL).  NULL
 * with err set on failure. */
reject_file *reject_open(const char *dir, const char *source,
			 const char *path, const char *sha256,
			 const char *header, size_t header_len,
			 peil_error *err);
/* Append one refused row.  0 on success; -1 with err set. */
int reject_write(reject_file *rf, const char *raw, size_t len,
		 peil_error *err);
/* Flush and close the temporary file.  0 on success; -1 with err set
 * (then call reject_discard). */
int reject_close(reject_file *rf, peil_error *err);
/* Give the closed file its name and free rf.  0 on success; -1 with err
 * set (the rows are then in the temporary file, which is named in err). */
int reject_commit(reject_file *rf, peil_error *err);
/* Remove the file and free rf; accepts NULL. */
void reject_discard(reject_file *rf);
/* The name the file gets on commit. */
const char *reject_path(const reject_file *rf);

#endif
