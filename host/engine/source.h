/*
 * source.h - opening a [source NAME]: the one way that `peil ingest` and
 * `peil check` go from a source's settings to an open input plugin, so that
 * check refuses what ingest would refuse, with the same message.
 */
#ifndef PEIL_SOURCE_H
#define PEIL_SOURCE_H

#include "engine/context.h"

typedef struct opened_source {
	const settings_source *settings;
	const peil_schema *schema;	/* of its dataset */
	loaded_plugin *plugin;
	peil_host *host;
	void *state;			/* the plugin's */
} opened_source;

/* Open src: its plugin, dataset and path are given, the dataset is
 * declared, a snapshot is possible in storage, the input plugin loads,
 * the section holds no key unknown to the host and the plugin, and the
 * plugin opens on it.  Records will go to storage (borrowed), which check
 * passes loaded but not open, and NULL when it did not load (no snapshot
 * check then).  0 with *out open (close it with source_close); -1 with err
 * naming the file, line, key and value, and *out closed already. */
int source_open(peil_context *ctx, const settings_source *src,
		store *storage, opened_source *out, peil_error *err);

/* Refuse a snapshot source that another snapshot source of its dataset
 * could remove rows of, or whose snapshot could remove the other's: two
 * snapshots of one dataset need a scope each, in one field, with
 * different values.  0, or -1 with err naming both sources and the line
 * of src's mode (or scope_field). */
int source_check_scopes(const peil_context *ctx, const settings_source *src,
			peil_error *err);

/* Close the plugin and free the host; accepts a zeroed or closed one. */
void source_close(opened_source *s);

#endif
