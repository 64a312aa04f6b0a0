/*
 * file_hasher.h - the SHA-256 of a source's files, one file ahead.
 *
 * An ingest hashes each file before it reads it (the ingest log keys on
 * the content).  Hashing is a pass over the whole file that reading cannot
 * overlap with itself; so a thread hashes the next file while the current
 * one is read and stored, and only the first file's hash is waited for.
 */
#ifndef PEIL_FILE_HASHER_H
#define PEIL_FILE_HASHER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "base/digest.h"

/* The errnum of a path that is neither a regular file nor a directory (a
 * named pipe, a device, a socket): st says which; it is not read. */
#define ENOTREG (-1)

/* A file as it was hashed, and still open: what is read after the hash
 * is read from fd (file_hash_reopen), the file that was hashed, whatever
 * took its path since. */
typedef struct file_hash {
	int errnum;		/* 0, ENOTREG, or why it could not be read */
	char sha256[DIGEST_HEX_SIZE];
	struct stat st;		/* of what was hashed, before the hash */
	struct timespec at;	/* when */
	int fd;			/* open on it, or -1 (errnum set) */
} file_hash;

/* The hash of path now, in this thread. */
void file_hash_take(const char *path, file_hash *out);

/* The file hashed by h from its start, as a stream of its own (fclose
 * it), or NULL with errno. */
FILE *file_hash_reopen(const file_hash *h);

/* Close h's descriptor.  Accepts one closed. */
void file_hash_release(file_hash *h);

typedef struct file_hasher file_hasher;

/* Hash paths[0..count) in order (borrowed: they must outlive the hasher).
 * NULL when out of memory; without a thread, file_hasher_get hashes. */
file_hasher *file_hasher_start(char *const *paths, size_t count);

/* The hash of paths[i], waiting for it; then starts on paths[i + 1].
 * Files must be asked for in order; each is the caller's to release. */
void file_hasher_get(file_hasher *h, size_t i, file_hash *out);

void file_hasher_stop(file_hasher *h);	/* accepts NULL */

#endif
