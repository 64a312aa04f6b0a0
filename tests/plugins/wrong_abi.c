/*
 * wrong_abi.c - a plugin built for a future ABI version, which the host must
 * refuse with a message naming both versions.
 */
#include "peil/plugin.h"

static const peil_input_ops ops = { .size = sizeof(peil_input_ops) };

static const peil_plugin plugin = {
	.abi_version = PEIL_ABI_VERSION + 1,
	.size = sizeof(peil_plugin),
	.name = "wrong_abi",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &plugin;
}
