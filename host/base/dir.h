/*
 * dir.h - the files of a directory, listed in a repeatable order.
 */
#ifndef PEIL_DIR_H
#define PEIL_DIR_H

#include <stddef.h>

/* The paths ("dir/name", malloc'd, as is the array) of the entries of dir
 * whose names end in suffix and do not start with '.', sorted by name, so
 * that what is loaded from a directory comes in the same order on every
 * machine.  0 with *out and *count set (free with dir_list_free); -1 with
 * errno set when dir cannot be read or memory runs out, and nothing to
 * free. */
int dir_list(const char *dir, const char *suffix, char ***out,
	     size_t *count);
void dir_list_free(char **paths, size_t count);	/* accepts NULL */

#endif
