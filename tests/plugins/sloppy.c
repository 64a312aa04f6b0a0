/*
 * sloppy.c - an input plugin that ignores what record_end says and reports
 * success: the host must still refuse the file.  Each line of the file is
 * a case id (field 0) and a team (field 1), separated by a comma.
 *
 * It also changes its file while it reads it, as an export that is still
 * being written: after the first record it appends a row to a file whose
 * name contains "grow", and rewrites the first byte (same size) of one
 * whose name contains "rewrite".  The host must refuse those too.
 */
#include <stdio.h>
#include <string.h>

#include "peil/plugin.h"

struct sloppy {
	const peil_services *svc;
	peil_host *host;
};

static struct sloppy instance;

static int sloppy_open(const peil_services *svc, peil_host *host,
		       void **state, peil_error *err)
{
	(void)err;
	instance.svc = svc;
	instance.host = host;
	*state = &instance;
	return 0;
}

/* The file's own name tells the change; path may be the descriptor the
 * host hashed it from (/proc/self/fd/N), which opens the same file. */
static void change(const char *name, const char *path)
{
	FILE *f = NULL;

	if (strstr(name, "grow")) {
		f = fopen(path, "a");
		if (f)
			fputs("S9,Buurtteam Zuid\n", f);
	} else if (strstr(name, "rewrite")) {
		f = fopen(path, "r+");
		if (f)
			fputc('T', f);
	}
	if (f)
		fclose(f);
}

static int sloppy_read(void *state, const char *path, peil_error *err)
{
	struct sloppy *s = state;
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
		(void)s->svc->record_end(s->host, line, len, err);
		if (number == 1)
			change(s->svc->size >= PEIL_SERVICES_SIZE_V4 &&
					       s->svc->export_path
				       ? s->svc->export_path(s->host)
				       : path,
			       path);
	}
	fclose(f);
	return 0;	/* whatever happened */
}

static void sloppy_close(void *state)
{
	(void)state;
}

static const peil_input_ops ops = {
	.size = sizeof(peil_input_ops),
	.open = sloppy_open,
	.read = sloppy_read,
	.close = sloppy_close,
};

static const peil_plugin plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "sloppy",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &ops,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &plugin;
}
