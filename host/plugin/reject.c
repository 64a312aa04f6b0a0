/*
 * reject.c - reject files, written aside and renamed on commit.
 */
#include "plugin/reject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/error.h"

struct reject_file {
	FILE *f;
	char *path;		/* the final name */
	char *temp;		/* where it is written */
};

reject_file *reject_open(const char *dir, const char *source,
			 const char *path, const char *sha256,
			 const char *header, size_t header_len,
			 peil_error *err)
{
	const char *base = strrchr(path, '/');
	reject_file *rf;
	size_t n;

	base = base ? base + 1 : path;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		error_set(err, dir, 0, NULL,
			  "cannot create the reject directory: %s",
			  strerror(errno));
		return NULL;
	}
	rf = calloc(1, sizeof(*rf));
	n = strlen(dir) + strlen(source) + strlen(base) + 40;
	if (rf) {
		rf->path = malloc(n);
		rf->temp = malloc(n + 4);
	}
	if (!rf || !rf->path || !rf->temp) {
		reject_discard(rf);
		error_set(err, dir, 0, NULL, "out of memory");
		return NULL;
	}
	snprintf(rf->path, n, "%s/%s_%.12s_%s.rejected", dir, source, sha256,
		 base);
	snprintf(rf->temp, n + 4, "%s.tmp", rf->path);
	rf->f = fopen(rf->temp, "wb");
	if (!rf->f) {
		error_set(err, rf->temp, 0, NULL,
			  "cannot write the reject file: %s", strerror(errno));
		free(rf->temp);
		rf->temp = NULL;
		reject_discard(rf);
		return NULL;
	}
	if (header && reject_write(rf, header, header_len, err) < 0) {
		reject_discard(rf);
		return NULL;
	}
	return rf;
}

int reject_write(reject_file *rf, const char *raw, size_t len,
		 peil_error *err)
{
	if (fwrite(raw, 1, len, rf->f) != len ||
	    fwrite("\r\n", 1, 2, rf->f) != 2)
		return error_set(err, rf->temp, 0, NULL,
				 "cannot write the reject file: %s",
				 strerror(errno));
	return 0;
}

int reject_close(reject_file *rf, peil_error *err)
{
	int failed = fflush(rf->f) != 0 || ferror(rf->f);

	failed |= fclose(rf->f) != 0;
	rf->f = NULL;
	if (failed)
		return error_set(err, rf->temp, 0, NULL,
				 "cannot write the reject file: %s",
				 strerror(errno));
	return 0;
}

int reject_commit(reject_file *rf, peil_error *err)
{
	int rc = 0;

	if (rename(rf->temp, rf->path) < 0)
		rc = error_set(err, rf->temp, 0, NULL,
			       "the rows were stored, but the reject file could "
			       "not be renamed to %s: %s", rf->path,
			       strerror(errno));
	free(rf->temp);
	free(rf->path);
	free(rf);
	return rc;
}

void reject_discard(reject_file *rf)
{
	if (!rf)
		return;
	if (rf->f)
		fclose(rf->f);
	if (rf->temp)
		remove(rf->temp);
	free(rf->temp);
	free(rf->path);
	free(rf);
}

const char *reject_path(const reject_file *rf)
{
	return rf->path;
}
