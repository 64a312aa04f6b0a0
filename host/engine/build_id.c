/*
 * build_id.c - the identity of the code that evaluates (build_id.h).
 *
 * A digest of the files, not a version constant: after an upgrade that
 * corrected how periods after the data are evaluated, peil run confirmed
 * the old figures because nothing it compared had changed
 * (tests/e2e/cases_lifecycle.sh).  Hashing the binary costs a few
 * milliseconds per run (docs/benchmarks.md).
 */
#include "engine/build_id.h"

#include <errno.h>
#include <string.h>

#include "base/digest.h"

/* The hex digest of the file at path into part; 0, or -1 with err. */
static int hash_part(const char *what, const char *path,
		     char part[DIGEST_HEX_SIZE], peil_error *err)
{
	if (digest_file_sha256_hex(path, part) == 0)
		return 0;
	return error_set(err, path, 0, NULL, "cannot read %s to tell this "
			 "build from the one of the last run: %s", what,
			 strerror(errno));
}

const char *build_id_sha256(peil_context *ctx, peil_error *err)
{
	char binary[DIGEST_HEX_SIZE], storage[DIGEST_HEX_SIZE];
	digest *all;

	if (ctx->build_sha256[0])
		return ctx->build_sha256;
	if (hash_part("the peil binary", "/proc/self/exe", binary, err) < 0 ||
	    hash_part("the storage plugin", store_plugin_path(ctx->store),
		      storage, err) < 0)
		return NULL;
	all = digest_new();
	if (!all) {
		error_set(err, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	digest_update(all, "peil ", 5);
	digest_update(all, binary, strlen(binary));
	digest_update(all, "\nstorage ", 9);
	digest_update(all, storage, strlen(storage));
	digest_finish(all, ctx->build_sha256);
	return ctx->build_sha256;
}
