/*
 * bsn.c - the 11-proef, masking, the key file and HMAC-SHA256 (OpenSSL's
 * HMAC(); hashing is not written by hand).
 */
#include "plugin/bsn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/error.h"

const char *bsn_normalize(const char *text, size_t len, char digits[10])
{
	int sum = 0;

	digits[0] = '\0';
	if (len != 8 && len != 9)
		return len < 8 ? "has too few digits for a citizen number (8 "
				 "or 9)"
			       : "has too many characters for a citizen "
				 "number (8 or 9 digits)";
	for (size_t i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			return "is not a citizen number: only digits are "
			       "allowed";
	digits[0] = '0';
	memcpy(digits + (9 - len), text, len);
	digits[9] = '\0';
	for (int i = 0; i < 8; i++)
		sum += (9 - i) * (digits[i] - '0');
	sum -= digits[8] - '0';
	if (strcmp(digits, "000000000") == 0 || sum % 11 != 0) {
		memset(digits, 0, 10);
		return "is not a valid citizen number (fails the 11-proef)";
	}
	return NULL;
}

void bsn_mask(const char *text, size_t len, char *out, size_t size)
{
	size_t shown = len / 2 < 4 ? len / 2 : 4, n = 0;

	if (size < 3)
		return;
	out[n++] = '\'';
	for (size_t i = 0; i < len && i < 16 && n + 2 < size; i++)
		out[n++] = i < shown ? text[i] : '*';
	if (len > 16 && n + 5 < size) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n++] = '\'';
	out[n] = '\0';
}

int bsn_key_load(const char *path, bsn_key *key, peil_error *err)
{
	struct stat st;
	ssize_t got;
	int fd;

	key->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, path, 0, NULL, "cannot open the key file: "
				 "%s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return error_set(err, path, 0, NULL,
				 "the key file is not a regular file");
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return error_set(err, path, 0, NULL,
				 "the key file may be read or changed by "
				 "others (mode %03o); allow its owner only: "
				 "chmod 600 %s", (unsigned)(st.st_mode & 0777),
				 path);
	}
	got = read(fd, key->bytes, sizeof(key->bytes));
	close(fd);
	if (got < 0)
		return error_set(err, path, 0, NULL, "cannot read the key file: "
				 "%s", strerror(errno));
	key->len = (size_t)got;
	if (key->len && key->bytes[key->len - 1] == '\n')
		key->len--;
	if (key->len && key->bytes[key->len - 1] == '\r')
		key->len--;
	if (got == (ssize_t)sizeof(key->bytes) || key->len < BSN_KEY_MIN) {
		bsn_key_clear(key);
		return error_set(err, path, 0, NULL,
				 "the key file must hold %d to %d bytes of "
				 "secret (e.g. head -c 32 /dev/urandom | "
				 "base64 > FILE)", BSN_KEY_MIN, BSN_KEY_MAX - 1);
	}
	return 0;
}

void bsn_key_clear(bsn_key *key)
{
	if (!key)
		return;
	OPENSSL_cleanse(key->bytes, sizeof(key->bytes));
	key->len = 0;
}

/* HMAC-SHA256 of data[0..len) under key, its first hex_digits digits as
 * lower-case hex into out (hex_digits + 1 bytes). */
static int hmac_hex(const bsn_key *key, const char *data, size_t len,
		    char *out, unsigned hex_digits)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	static const char hex[] = "0123456789abcdef";

	if (!HMAC(EVP_sha256(), key->bytes, (int)key->len,
		  (const unsigned char *)data, len, mac, &mac_len) ||
	    mac_len != 32)
		return -1;
	for (unsigned i = 0; i < hex_digits; i++)
		out[i] = hex[i % 2 ? mac[i / 2] & 15 : mac[i / 2] >> 4];
	out[hex_digits] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int bsn_hmac_hex(const bsn_key *key, const char digits[10],
		 char out[BSN_HEX_SIZE])
{
	return hmac_hex(key, digits, 9, out, BSN_HEX_SIZE - 1);
}

int bsn_key_fingerprint(const bsn_key *key, char out[BSN_FINGERPRINT_SIZE])
{
	static const char text[] = "peil key fingerprint";

	return hmac_hex(key, text, sizeof(text) - 1, out,
			BSN_FINGERPRINT_SIZE - 1);
}
