/*
 * missing_dep.c - an input plugin linked against libpeil_gone.so, which
 * is not on the loader's path: dlopen fails naming the library.
 */
#include "peil/plugin.h"

int peil_gone_answer(void);

static int missing_open(const peil_services *svc, peil_host *host,
			void **state, peil_error *err)
{
	(void)svc;
	(void)host;
	(void)err;
	*state = NULL;
	return peil_gone_answer() == 42 ? 0 : -1;
}

static int missing_read(void *state, const char *path, peil_error *err)
{
	(void)state;
	(void)path;
	(void)err;
	return 0;
}

static void missing_close(void *state)
{
	(void)state;
}

static const peil_input_ops missing_ops = {
	.size = sizeof(peil_input_ops),
	.open = missing_open,
	.read = missing_read,
	.close = missing_close,
};

static const peil_plugin missing_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "missing_dep",
	.description = "needs a library that is not there",
	.version = "0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &missing_ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &missing_plugin;
}
