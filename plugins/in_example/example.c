/*
 * example.c - the smallest useful input plugin, as a model for integrators.
 *
 * It reads text files in which each line is one record of values separated
 * by '|', in the order named by the source's `fields` key:
 *
 *   [source notes]
 *   plugin = example
 *   dataset = cases
 *   path = notes/today.txt
 *   fields = case_id, team, registered
 *
 * Lines that are empty or start with '#' are skipped.  Everything else
 * (types, dates, required fields, storing, the batch) is the host's job.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L	/* peil/export_file.h: open, fstat, fdopen */
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peil/export_file.h"
#include "peil/plugin.h"

#define MAX_FIELDS 64

struct example {
	const peil_services *svc;
	peil_host *host;
	size_t count;
	size_t fields[MAX_FIELDS];	/* schema index of each position */
	char names[MAX_FIELDS][64];
};

static int example_open(const peil_services *svc, peil_host *host,
			void **state, peil_error *err)
{
	const peil_schema *schema;
	const char *list;
	struct example *ex;
	const char *p;

	if (peil_services_check(svc, "example", PEIL_SERVICES_SIZE_V1, err))
		return -1;
	schema = svc->record_schema(host);
	list = svc->config_get(host, "fields");
	if (!list)
		return svc->fail(err, NULL, 0, NULL,
				 "the example plugin needs fields = NAME, ...");
	ex = calloc(1, sizeof(*ex));
	if (!ex)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	ex->svc = svc;
	ex->host = host;
	for (p = list; *p;) {
		size_t len, i;

		p += strspn(p, " ,");
		len = strcspn(p, " ,");
		if (!len)
			break;
		if (ex->count == MAX_FIELDS || len >= sizeof(ex->names[0])) {
			free(ex);
			return svc->fail(err, NULL, 0, NULL, "too many fields");
		}
		memcpy(ex->names[ex->count], p, len);
		ex->names[ex->count][len] = '\0';
		for (i = 0; i < schema->field_count; i++)
			if (strcmp(schema->fields[i].name,
				   ex->names[ex->count]) == 0)
				break;
		if (i == schema->field_count) {
			svc->fail(err, NULL, 0, NULL,
				  "fields: '%s' is not a field of dataset %s",
				  ex->names[ex->count], schema->name);
			free(ex);
			return -1;
		}
		ex->fields[ex->count++] = i;
		p += len;
	}
	*state = ex;
	return 0;
}

static int example_read(void *state, const char *path, peil_error *err)
{
	struct example *ex = state;
	char line[4096];
	long number = 0;
	char why[256];
	/* Not fopen: a named pipe put in the export's place would hold
	 * it for ever, a link to /dev/zero never end. */
	FILE *f = peil_fopen_text_export(path, why, sizeof(why));
	int rc = 0;

	if (!f)
		return ex->svc->fail(err, path, 0, NULL, "%s", why);
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n"), i;
		const char *cell = line;

		number++;
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		ex->svc->record_begin(ex->host, path, number);
		for (i = 0; i < ex->count; i++) {
			size_t n = strcspn(cell, "|");

			ex->svc->record_text(ex->host, ex->fields[i],
					     ex->names[i], cell, n);
			cell += n;
			if (*cell == '|')
				cell++;
		}
		if (*cell)
			ex->svc->record_invalid(ex->host, NULL,
						"more than %zu values",
						ex->count);
		rc = ex->svc->record_end(ex->host, line, len, err);
		if (rc < 0)
			break;
		rc = 0;
	}
	fclose(f);
	return rc;
}

static void example_close(void *state)
{
	free(state);
}

static const peil_input_ops example_ops = {
	.size = sizeof(peil_input_ops),
	.open = example_open,
	.read = example_read,
	.close = example_close,
};

static const char *const example_config_keys[] = {
	"fields", NULL
};

static const peil_plugin example_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "example",
	.description = "records as '|'-separated lines (a model plugin)",
	.version = "1.0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &example_ops,
	.config_keys = example_config_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &example_plugin;
}
