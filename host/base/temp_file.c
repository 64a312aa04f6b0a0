/*
 * temp_file.c - temporary files for data that outgrows its memory
 * (temp_file.h).
 */
/* mkostemp (glibc 2.7; POSIX 2024): close-on-exec from the start, so that
 * a thread that forks and execs while another makes a temporary file
 * cannot hand the descriptor on (fcntl after mkstemp leaves that window). */
#define _GNU_SOURCE

#include "base/temp_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *temp_file_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

int temp_file_open(const char *prefix)
{
	char path[4096];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s-XXXXXX",
			     temp_file_dir(), prefix) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -1;
	unlink(path);
	return fd;
}
