/*
 * test_bsn.c - citizen numbers: the 11-proef, padding, masking, the key
 * file's checks and the HMAC (checked against openssl dgst -hmac).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/bsn.h"
#include "harness.h"

static const char *check(const char *text, char digits[10])
{
	return bsn_normalize(text, strlen(text), digits);
}

TEST(eleven_test)
{
	char d[10];

	CHECK(check("111222333", d) == NULL);
	CHECK_STR(d, "111222333");
	CHECK(check("123456782", d) == NULL);
	/* Excel dropped the leading zero: padded. */
	CHECK(check("12353589", d) == NULL);
	CHECK_STR(d, "012353589");
	CHECK(check("012353589", d) == NULL);
	CHECK_CONTAINS(check("123456789", d), "11-proef");
	CHECK_CONTAINS(check("000000000", d), "11-proef");
	CHECK_CONTAINS(check("00000000", d), "11-proef");
	CHECK_CONTAINS(check("1234567", d), "too few");
	CHECK_CONTAINS(check("1234567890", d), "too many");
	CHECK_CONTAINS(check("12345678a", d), "only digits");
	CHECK_CONTAINS(check("123-456-7", d), "only digits");
}

TEST(masking_never_shows_the_number)
{
	char out[64];

	bsn_mask("123456782", 9, out, sizeof(out));
	CHECK_STR(out, "'1234*****'");
	bsn_mask("12345678", 8, out, sizeof(out));
	CHECK_STR(out, "'1234****'");
	bsn_mask("123", 3, out, sizeof(out));
	CHECK_STR(out, "'1**'");
	bsn_mask("12345678901234567890", 20, out, sizeof(out));
	CHECK_STR(out, "'1234************...'");
}

static void write_key(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

TEST(key_file_is_checked)
{
	char path[512];
	int fd = mkstemp(harness_tmp_path(path, sizeof(path), "peil-key-XXXXXX"));
	bsn_key key;
	peil_error err;
	char mac[BSN_HEX_SIZE];
	char fingerprint[BSN_FINGERPRINT_SIZE];

	CHECK(fd >= 0);
	close(fd);
	write_key(path, "peil-test-secret-0123456789\n", 0600);
	CHECK(bsn_key_load(path, &key, &err) == 0);
	CHECK_INT(key.len, 27);
	/* printf 111222333 | openssl dgst -sha256 -hmac peil-test-secret-0123456789 */
	CHECK(bsn_hmac_hex(&key, "111222333", mac) == 0);
	CHECK_STR(mac, "00d3605f4be90385dfe2b7a94b342202"
		       "cb05473039f531b7345eb633b5767fe5");
	/* printf 'peil key fingerprint' | openssl dgst -sha256 -hmac
	 * peil-test-secret-0123456789, its first 16 digits */
	CHECK(bsn_key_fingerprint(&key, fingerprint) == 0);
	CHECK_STR(fingerprint, "568d164a67602319");
	bsn_key_clear(&key);
	CHECK_INT(key.len, 0);

	write_key(path, "peil-test-secret-0123456789\n", 0644);
	CHECK(bsn_key_load(path, &key, &err) < 0);
	CHECK_CONTAINS(err.message, "read or changed by others (mode 644)");
	CHECK_STR(err.file, path);
	write_key(path, "peil-test-secret-0123456789\n", 0620);
	CHECK(bsn_key_load(path, &key, &err) < 0);
	write_key(path, "short\n", 0600);
	CHECK(bsn_key_load(path, &key, &err) < 0);
	CHECK_CONTAINS(err.message, "bytes of secret");
	unlink(path);
	CHECK(bsn_key_load(path, &key, &err) < 0);
	CHECK_CONTAINS(err.message, "cannot open the key file");
}

int main(void)
{
	RUN(eleven_test);
	RUN(masking_never_shows_the_number);
	RUN(key_file_is_checked);
	return harness_done();
}
