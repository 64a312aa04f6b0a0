/*
 * config.h - Peil's INI configuration: sections, keys and their lines.
 *
 * The file is read once with inih into memory; every key keeps the line it
 * was written on, so that any later complaint about a value names file and
 * line.  This is the low-level reader: which sections and keys exist, and
 * what their values mean, is engine/settings.c's table.  Relative paths
 * are resolved against the directory of the config file, so that a config
 * works from any working directory.
 */
#ifndef PEIL_CONFIG_H
#define PEIL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "peil/plugin.h"

typedef struct config_entry {
	char *key;
	char *value;		/* continuation lines joined with '\n' */
	long line;
} config_entry;

typedef struct config_section {
	char *kind;		/* "peil", "source", ... */
	char *name;		/* "demo_cases" for [source demo_cases]; "" */
	long line;
	size_t count;
	config_entry *entries;
} config_section;

typedef struct config {
	char *path;		/* as given */
	char *dir;		/* its directory, for relative paths */
	size_t count;
	config_section *sections;
} config;

/* Read and check the structure of path (sections, no section or key given
 * twice, no line too long).  0 on success with *out set (free
 * with config_free); -1 with err naming file and line. */
int config_load(const char *path, config **out, peil_error *err);
void config_free(config *cfg);	/* accepts NULL */

/* The first section of a kind with the name ("" or NULL for a section
 * without one), or NULL. */
const config_section *config_section_find(const config *cfg, const char *kind,
					  const char *name);
/* The entry for key in section (NULL section allowed), or NULL. */
const config_entry *config_entry_find(const config_section *section,
				      const char *key);
/* The value for key, or fallback when absent. */
const char *config_get(const config_section *section, const char *key,
		       const char *fallback);

/* A path from the config resolved against its directory; absolute paths
 * are kept.  Returns a malloc'd string (NULL when out of memory). */
char *config_resolve_path(const config *cfg, const char *value);

/* Drop "." segments and fold "dir/.." in path, in place; leading ".."
 * segments stay. */
void config_path_normalize(char *path);

/* Split a list value (items separated by commas, newlines or both) and call
 * fn for each trimmed, non-empty item.  fn returns 0 to go on; another
 * value stops and is returned (-1 also when out of memory). */
int config_each_item(const char *value,
		     int (*fn)(void *ctx, const char *item), void *ctx);

/* A plugin's or the loader's error about a section's settings, placed:
 * when err names no file (or the config without a line), it gets the
 * config file, the line of entry (or of the section) and the section's
 * name in front of its message.  Returns -1. */
int config_locate(const config *cfg, const config_section *section,
		  const config_entry *entry, peil_error *err);

/* Fill err with the config file, the line of entry (or of section when
 * entry is NULL) and a message, and return -1. */
int config_fail(const config *cfg, const config_section *section,
		const config_entry *entry, peil_error *err,
		const char *fmt, ...) PEIL_PRINTF(5, 6);

#endif
