/*
 * test_temp_file.c - temporary files (base/temp_file.c): unlinked at once,
 * closed on exec, in $TMPDIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/temp_file.h"
#include "harness.h"

TEST(temp_file_is_unlinked_and_closed_on_exec)
{
	struct stat st;
	int fd = temp_file_open("peil-test");

	CHECK(fd >= 0);
	CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK(fstat(fd, &st) == 0);
	CHECK_INT(st.st_nlink, 0);
	CHECK_INT(write(fd, "abc", 3), 3);
	close(fd);
}

TEST(temp_file_in_a_missing_directory_fails_with_errno)
{
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	int fd;

	setenv("TMPDIR", "/nonexistent-peil-dir", 1);
	errno = 0;
	fd = temp_file_open("peil-test");
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	CHECK_INT(fd, -1);
	CHECK_INT(errno, ENOENT);
}

int main(void)
{
	RUN(temp_file_is_unlinked_and_closed_on_exec);
	RUN(temp_file_in_a_missing_directory_fails_with_errno);
	return harness_done();
}
