/*
 * out_file.c - output files written whole or not at all (out_file.h).
 *
 * Why every step is checked: stdio buffers, so a full disk shows first in
 * a later fwrite, in fflush or only in fclose, and a failed write leaves
 * just the stream's error flag.  Unchecked, peil export -o onto a
 * full tmpfs replaced a 1.4 MB peil.prom with a 16 KiB fragment and
 * exited 0: fclose succeeded on an already emptied buffer.
 */
#include "base/out_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"

static int cannot_write(peil_error *err, const char *name, int cause)
{
	return error_set(err, NULL, 0, NULL, "cannot write %s: %s", name,
			 strerror(cause ? cause : EIO));
}

int out_file_check(FILE *f, const char *name, peil_error *err)
{
	int earlier = errno;	/* the failed write's, if one failed */

	errno = 0;
	if (fflush(f) != 0)
		return cannot_write(err, name, errno);
	if (ferror(f))
		return cannot_write(err, name, earlier);
	return 0;
}

int out_file_open(out_file *o, const char *path, peil_error *err)
{
	struct stat st;
	size_t size;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path) {
		o->f = stdout;
		return 0;
	}
	/* A device, a FIFO or a socket (-o /dev/stdout, a named pipe) is
	 * written in place: a rename would replace it by a regular file,
	 * /dev/full or /dev/null of the whole machine when run as root. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		o->f = fopen(path, "wb");
		return o->f ? 0 : cannot_write(err, path, errno);
	}
	size = strlen(path) + 32;
	o->temp = malloc(size);
	if (!o->temp)
		return cannot_write(err, path, ENOMEM);
	snprintf(o->temp, size, "%s.tmp.%ld", path, (long)getpid());
	o->f = fopen(o->temp, "wb");
	if (!o->f) {
		int cause = errno;

		free(o->temp);
		o->temp = NULL;
		return cannot_write(err, path, cause);
	}
	return 0;
}

/* fsync, tolerating a file that cannot be synced (a pipe, a character
 * device given as -o): those have no disk to reach. */
static int sync_file(FILE *f)
{
	return fsync(fileno(f)) != 0 && errno != EINVAL && errno != ENOTSUP
		       ? -1
		       : 0;
}

int out_file_commit(out_file *o, peil_error *err)
{
	int rc = 0, cause;

	if (!o->f)
		return 0;
	if (!o->path) {
		o->f = NULL;
		return out_file_check(stdout, "stdout", err);
	}
	if (out_file_check(o->f, o->path, err) < 0)
		rc = -1;
	else if (sync_file(o->f) < 0)
		rc = cannot_write(err, o->path, errno);
	cause = fclose(o->f) != 0 ? errno : 0;
	o->f = NULL;
	if (rc == 0 && cause)
		rc = cannot_write(err, o->path, cause);
	if (rc == 0 && o->temp && rename(o->temp, o->path) != 0)
		rc = cannot_write(err, o->path, errno);
	if (rc < 0 && o->temp)
		remove(o->temp);
	free(o->temp);
	o->temp = NULL;
	return rc;
}

void out_file_discard(out_file *o)
{
	if (!o || !o->f)
		return;
	if (o->path) {
		fclose(o->f);
		if (o->temp)
			remove(o->temp);
	}
	free(o->temp);
	o->temp = NULL;
	o->f = NULL;
}
