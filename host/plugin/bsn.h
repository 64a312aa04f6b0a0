/*
 * bsn.h - citizen numbers (burgerservicenummers): the 11-proef, masking
 * for messages, and the keyed hash that is all Peil ever stores.
 *
 * A BSN is 9 digits; Excel drops a leading zero, so 8 digits are padded.
 * It is valid when 9*d1 + 8*d2 + ... + 2*d8 - d9 is divisible by 11 and
 * it is not 000000000.  There are only about 91 million valid numbers, so
 * a plain hash is reversed in seconds: Peil stores HMAC-SHA256 under a
 * per-municipality secret read from a file outside the database.
 */
#ifndef PEIL_BSN_H
#define PEIL_BSN_H

#include <stddef.h>

#include "peil/plugin.h"

#define BSN_HEX_SIZE 65		/* 64 hex digits and a NUL */
#define BSN_FINGERPRINT_SIZE 17	/* 16 hex digits and a NUL */
#define BSN_KEY_MIN 16		/* bytes of secret, at least */
#define BSN_KEY_MAX 1024

typedef struct bsn_key {
	unsigned char bytes[BSN_KEY_MAX];
	size_t len;
} bsn_key;

/* The 9 digits of text[0..len) into digits (NUL-terminated), padding 8
 * digits with a leading zero.  NULL when valid, else why not (a sentence
 * that never quotes the number). */
const char *bsn_normalize(const char *text, size_t len, char digits[10]);

/* text[0..len) as it may appear in a message: at most its first 4
 * characters (fewer for short values, never more than half), the rest as
 * '*', quoted: '1234*****'. */
void bsn_mask(const char *text, size_t len, char *out, size_t size);

/* Read the secret from path: refused when the file is readable or
 * writable by group or others, shorter than BSN_KEY_MIN or longer than
 * BSN_KEY_MAX bytes (one trailing line end is not part of it).  0 or -1
 * with err naming the file. */
int bsn_key_load(const char *path, bsn_key *key, peil_error *err);

/* Wipe the secret; accepts NULL. */
void bsn_key_clear(bsn_key *key);

/* HMAC-SHA256 of the 9 digits under key, as lower-case hex.  0, or -1
 * when libcrypto fails. */
int bsn_hmac_hex(const bsn_key *key, const char digits[10],
		 char out[BSN_HEX_SIZE]);

/* Which key it is, revealing nothing of it or of any number: the first 16
 * hex digits of HMAC-SHA256(key, "peil key fingerprint").  0, or -1 when
 * libcrypto fails. */
int bsn_key_fingerprint(const bsn_key *key, char out[BSN_FINGERPRINT_SIZE]);

#endif
