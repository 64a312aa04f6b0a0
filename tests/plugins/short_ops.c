/*
 * short_ops.c - a storage plugin whose ops table is smaller than ABI
 * version 1 promises, as a plugin built against a truncated header would
 * be: the host must refuse it rather than read past the table.
 */
#include "peil/plugin.h"

static const peil_storage_ops ops = { .size = 16 };

static const peil_plugin plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "short_ops",
	.kind = PEIL_PLUGIN_STORAGE,
	.storage = &ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &plugin;
}
