/*
 * digest.c - SHA-256 through OpenSSL's EVP interface.
 */
#include "base/digest.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>

#include <openssl/evp.h>

struct digest {
	EVP_MD_CTX *ctx;
};

static void to_hex(const unsigned char *bytes, unsigned len,
		   char out[DIGEST_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < len && i < 32; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	out[2 * i] = '\0';
}

digest *digest_new(void)
{
	digest *d = malloc(sizeof(*d));

	if (!d)
		return NULL;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->ctx);
		free(d);
		return NULL;
	}
	return d;
}

void digest_update(digest *d, const void *data, size_t len)
{
	EVP_DigestUpdate(d->ctx, data, len);
}

void digest_finish(digest *d, char out[DIGEST_HEX_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	EVP_DigestFinal_ex(d->ctx, md, &len);
	to_hex(md, len, out);
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

int digest_stream_sha256_hex(FILE *f, char out[DIGEST_HEX_SIZE])
{
	unsigned char buf[1 << 16];
	digest *d = digest_new();
	size_t n;
	int saved;

	if (!d) {
		errno = ENOMEM;
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		digest_update(d, buf, n);
	saved = errno;
	digest_finish(d, out);
	if (ferror(f)) {
		errno = saved;
		return -1;
	}
	return 0;
}

int digest_file_sha256_hex(const char *path, char out[DIGEST_HEX_SIZE])
{
	FILE *f = fopen(path, "rb");
	int rc, saved;

	if (!f)
		return -1;
	rc = digest_stream_sha256_hex(f, out);
	saved = errno;
	fclose(f);
	errno = saved;
	return rc;
}
