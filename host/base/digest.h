/*
 * digest.h - SHA-256 fingerprints of files, config and scripts.
 *
 * Backed by OpenSSL's libcrypto: hashing is not something to write by hand.
 */
#ifndef PEIL_DIGEST_H
#define PEIL_DIGEST_H

#include <stddef.h>
#include <stdio.h>

#define DIGEST_HEX_SIZE 65	/* 64 hex digits and a NUL */

/* The SHA-256 of a file's content, streamed.  0 on success, -1 with errno
 * set when the file cannot be read. */
int digest_file_sha256_hex(const char *path, char out[DIGEST_HEX_SIZE]);
/* The same of what is left to read of f (left open). */
int digest_stream_sha256_hex(FILE *f, char out[DIGEST_HEX_SIZE]);

/* An incremental digest, for fingerprints over several parts. */
typedef struct digest digest;
digest *digest_new(void);	/* NULL when out of memory */
void digest_update(digest *d, const void *data, size_t len);
/* Writes the hex digest and frees d. */
void digest_finish(digest *d, char out[DIGEST_HEX_SIZE]);

#endif
