/*
 * fails_midway.c - an input plugin that stores two records of a file and
 * then fails, as a plugin does when its device or parser gives out: the
 * host must roll the file back whole.
 */
#include "peil/plugin.h"

#include <stdio.h>

struct midway {
	const peil_services *svc;
	peil_host *host;
};

static struct midway midway_state;

static int midway_open(const peil_services *svc, peil_host *host,
		       void **state, peil_error *err)
{
	(void)err;
	midway_state.svc = svc;
	midway_state.host = host;
	*state = &midway_state;
	return 0;
}

static int midway_read(void *state, const char *path, peil_error *err)
{
	struct midway *m = state;

	for (long line = 1; line <= 2; line++) {
		char id[16];
		int n = snprintf(id, sizeof(id), "R%ld", line);

		m->svc->record_begin(m->host, path, line);
		m->svc->record_text(m->host, 0, "id", id, (size_t)n);
		if (m->svc->record_end(m->host, id, (size_t)n, err) < 0)
			return -1;
	}
	return m->svc->fail(err, path, 3, NULL,
			    "the export's connection went away after 2 rows");
}

static void midway_close(void *state)
{
	(void)state;
}

static const peil_input_ops midway_ops = {
	.size = sizeof(peil_input_ops),
	.open = midway_open,
	.read = midway_read,
	.close = midway_close,
};

static const peil_plugin midway_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "fails_midway",
	.description = "fails after two records",
	.version = "0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &midway_ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &midway_plugin;
}
