/*
 * changes_file.c - an input plugin whose file changes while it is read,
 * as an export that is still being written: after the first record it
 * appends a row to a file whose name contains "grow", and otherwise
 * rewrites the file's first byte in place (same size).  Each line of the
 * file is a case id (field 0) and a team (field 1), separated by a comma.
 * The host must refuse the file.
 */
#include <stdio.h>
#include <string.h>

#include "peil/plugin.h"

struct changes {
	const peil_services *svc;
	peil_host *host;
};

static struct changes instance;

static int changes_open(const peil_services *svc, peil_host *host,
			void **state, peil_error *err)
{
	(void)err;
	instance.svc = svc;
	instance.host = host;
	*state = &instance;
	return 0;
}

static void change(const char *path)
{
	FILE *f;

	if (strstr(path, "grow")) {
		f = fopen(path, "a");
		if (f)
			fputs("S9,Buurtteam Zuid\n", f);
	} else {
		f = fopen(path, "r+");
		if (f)
			fputc('T', f);
	}
	if (f)
		fclose(f);
}

static int changes_read(void *state, const char *path, peil_error *err)
{
	struct changes *s = state;
	char line[256];
	long number = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return s->svc->fail(err, path, 0, NULL, "cannot open");
	while (fgets(line, sizeof(line), f)) {
		char *comma = strchr(line, ',');
		size_t len = strcspn(line, "\r\n");

		number++;
		line[len] = '\0';
		s->svc->record_begin(s->host, path, number);
		s->svc->record_text(s->host, 0, "id", line,
				    comma ? (size_t)(comma - line) : len);
		if (comma)
			s->svc->record_text(s->host, 1, "team", comma + 1,
					    strlen(comma + 1));
		if (s->svc->record_end(s->host, line, len, err) < 0) {
			fclose(f);
			return -1;
		}
		if (number == 1)
			change(path);
	}
	fclose(f);
	return 0;
}

static void changes_close(void *state)
{
	(void)state;
}

static const peil_input_ops ops = {
	.size = sizeof(peil_input_ops),
	.open = changes_open,
	.read = changes_read,
	.close = changes_close,
};

static const peil_plugin plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "changes_file",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &plugin;
}
