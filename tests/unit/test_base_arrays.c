/*
 * test_base_arrays.c - grow_for (an array's capacity follows from its
 * count) and dir_list (a directory's files in name order).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "base/dir.h"
#include "base/grow.h"

TEST(grow_keeps_every_appended_item)
{
	int *items = NULL;
	size_t count = 0, i;
	int ok = 1;

	for (i = 0; i < 5000; i++) {
		int *grown = grow_for(items, count, sizeof(*items));

		CHECK(grown != NULL);
		if (!grown)
			break;
		items = grown;
		items[count++] = (int)i * 3;
	}
	for (i = 0; i < count; i++)
		ok &= items[i] == (int)i * 3;
	CHECK_INT(count, 5000);
	CHECK(ok);
	free(items);
}

/* Between 8 and the next power of two the array has room: grow_for must
 * give back the same array without a call to realloc.  At the powers of
 * two it reallocates (it may or may not move). */
TEST(grow_reallocates_only_where_capacity_runs_out)
{
	char *items = grow_for(NULL, 0, 1);
	size_t count;
	int same = 1;

	CHECK(items != NULL);
	for (count = 1; items && count < 300; count++) {
		int boundary = count >= 8 && (count & (count - 1)) == 0;
		char *grown = grow_for(items, count, 1);

		CHECK(grown != NULL);
		if (!grown)
			break;
		if (!boundary)
			same &= grown == items;
		items = grown;
		items[count] = 'x';	/* ASan: the room is really there */
	}
	CHECK(same);
	free(items);
}

TEST(grow_refuses_an_overflowing_size_and_keeps_the_array)
{
	char *items = grow_for(NULL, 0, 16);
	size_t huge = (size_t)1 << (sizeof(size_t) * 8 - 2);

	CHECK(items != NULL);
	items[0] = 'a';
	CHECK(grow_for(items, huge, 16) == NULL);	/* 2^63 * 16 */
	CHECK(items[0] == 'a');
	free(items);
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

TEST(dir_lists_matching_files_in_name_order)
{
	char dir[256];
	char **paths = NULL;
	size_t count = 99;

	CHECK(mkdtemp(harness_tmp_path(dir, sizeof(dir), "peil-dir-XXXXXX")) != NULL);
	touch(dir, "zrm.lua");
	touch(dir, "afsluiting.lua");
	touch(dir, ".hidden.lua");
	touch(dir, "notes.txt");
	touch(dir, "old.lua.bak");
	touch(dir, ".lua");
	CHECK_INT(dir_list(dir, ".lua", &paths, &count), 0);
	CHECK_INT(count, 2);
	if (count == 2) {
		char want[512];

		snprintf(want, sizeof(want), "%s/afsluiting.lua", dir);
		CHECK_STR(paths[0], want);
		snprintf(want, sizeof(want), "%s/zrm.lua", dir);
		CHECK_STR(paths[1], want);
	}
	dir_list_free(paths, count);
	harness_remove_dir(dir);
}

TEST(dir_list_of_a_missing_directory_fails)
{
	char **paths = (char **)1;
	size_t count = 99;

	errno = 0;
	CHECK_INT(dir_list("/nonexistent/peil", ".so", &paths, &count), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(paths == NULL);
	CHECK_INT(count, 0);
	dir_list_free(NULL, 0);
}

int main(void)
{
	RUN(grow_keeps_every_appended_item);
	RUN(grow_reallocates_only_where_capacity_runs_out);
	RUN(grow_refuses_an_overflowing_size_and_keeps_the_array);
	RUN(dir_lists_matching_files_in_name_order);
	RUN(dir_list_of_a_missing_directory_fails);
	return harness_done();
}
