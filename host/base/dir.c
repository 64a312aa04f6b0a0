/*
 * dir.c - the files of a directory in name order (dir.h).
 */
#include "base/dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wanted(const char *name, const char *suffix)
{
	size_t len = strlen(name), slen = strlen(suffix);

	return name[0] != '.' && len > slen &&
	       strcmp(name + len - slen, suffix) == 0;
}

int dir_list(const char *dir, const char *suffix, char ***out,
	     size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **paths = NULL;
	size_t n = 0;

	*out = NULL;
	*count = 0;
	if (!d)
		return -1;
	errno = 0;
	while ((de = readdir(d))) {
		char **grown;
		char *path;

		if (!wanted(de->d_name, suffix))
			continue;
		grown = grow_for(paths, n, sizeof(*paths));
		path = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!grown || !path) {
			free(path);
			if (grown)
				paths = grown;
			closedir(d);
			dir_list_free(paths, n);
			errno = ENOMEM;
			return -1;
		}
		paths = grown;
		strcpy(path, dir);
		strcat(path, "/");
		strcat(path, de->d_name);
		paths[n++] = path;
	}
	closedir(d);
	/* All entries have the same "dir/" prefix: sorting the paths sorts
	 * the names. */
	if (n)
		qsort(paths, n, sizeof(*paths), compare_paths);
	*out = paths;
	*count = n;
	return 0;
}

void dir_list_free(char **paths, size_t count)
{
	size_t i;

	if (!paths)
		return;
	for (i = 0; i < count; i++)
		free(paths[i]);
	free(paths);
}
