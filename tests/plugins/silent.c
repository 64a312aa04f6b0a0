/*
 * silent.c - an input plugin that reads a file and stores nothing, as one
 * does whose column names no longer match the export and that skips every
 * row without a word: the host must not mark such a file as ingested.
 * It gives neither records nor a header.
 */
#include "peil/plugin.h"

#include <stdio.h>

static int silent_open(const peil_services *svc, peil_host *host,
		       void **state, peil_error *err)
{
	(void)svc;
	(void)host;
	(void)err;
	*state = NULL;
	return 0;
}

static int silent_read(void *state, const char *path, peil_error *err)
{
	(void)state;
	(void)path;
	(void)err;
	return 0;
}

static void silent_close(void *state)
{
	(void)state;
}

static const peil_input_ops silent_ops = {
	.size = sizeof(peil_input_ops),
	.open = silent_open,
	.read = silent_read,
	.close = silent_close,
};

static const peil_plugin silent_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "silent",
	.description = "reads a file and stores nothing",
	.version = "1",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &silent_ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &silent_plugin;
}
