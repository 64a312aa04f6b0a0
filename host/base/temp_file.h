/*
 * temp_file.h - temporary files for data that outgrows its memory: the
 * distinct values of an evaluation (kpi_distinct.c), the keys of the
 * export being read (record_keys.c).
 */
#ifndef PEIL_TEMP_FILE_H
#define PEIL_TEMP_FILE_H

/* The directory they go in: $TMPDIR, else /tmp. */
const char *temp_file_dir(void);

/* A new temporary file in temp_file_dir(), its name beginning with
 * prefix, unlinked at once (its room goes back when it is closed or the
 * process ends, however that ends) and closed on exec: its descriptor,
 * or -1 with errno set. */
int temp_file_open(const char *prefix);

#endif
