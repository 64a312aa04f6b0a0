/*
 * bench_dir.h - where a benchmark program writes its files: in BENCH_DIR
 * when set (a script's own directory, which keeps them: tests/bench/
 * xlsx.sh), else in a directory of its own that mkdtemp makes under
 * TMPDIR (default /tmp), as the benchmark scripts' mktemp -d does,
 * removed with the files at the end.  Before, fixed names in /tmp: two
 * runs at once wrote over each other's export, and a file of that name
 * of another user's was read or could not be written.
 *
 * Include once, in the program's one source file, after defining
 * _POSIX_C_SOURCE 200809L (mkdtemp).
 */
#ifndef PEIL_BENCH_DIR_H
#define PEIL_BENCH_DIR_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char bench_dir[4096];
static const char *const *bench_dir_files;	/* its files, when made here */
static size_t bench_dir_file_count;

/* The path of file in the directory, into out (of size bytes). */
static char *bench_path(char *out, size_t size, const char *file)
{
	snprintf(out, size, "%s/%s", bench_dir, file);
	return out;
}

/* At exit: the files and the directory, when made here. */
static void bench_dir_remove(void)
{
	char path[sizeof(bench_dir) + 64];

	for (size_t i = 0; i < bench_dir_file_count; i++)
		remove(bench_path(path, sizeof(path), bench_dir_files[i]));
	rmdir(bench_dir);
}

/* Choose or make the directory (name: the program's, in the directory's
 * name) of files[0..n), which are removed with it at exit when it was
 * made here; exits with a message when it cannot be made. */
static void bench_dir_open(const char *name, const char *const *files,
			   size_t n)
{
	const char *given = getenv("BENCH_DIR"), *tmp = getenv("TMPDIR");

	if (given && *given) {
		snprintf(bench_dir, sizeof(bench_dir), "%s", given);
		return;
	}
	snprintf(bench_dir, sizeof(bench_dir), "%s/peil-bench-%s-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(bench_dir)) {
		perror(bench_dir);
		exit(1);
	}
	bench_dir_files = files;
	bench_dir_file_count = n;
	atexit(bench_dir_remove);
}

#endif
