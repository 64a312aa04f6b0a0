/*
 * csv_config.c - reading and checking the csv plugin's configuration keys.
 *
 * Keys are walked with config_each rather than read with config_get, since
 * only the walk says in which file and on which line a key was written,
 * and an operator fixing a typo wants that line.
 */
#include "csv_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COLUMN_PREFIX "column."

/* What the config_each callbacks share. */
struct load {
	csv_config *cfg;
	const peil_services *svc;
	const peil_schema *schema;
	peil_error *err;
};

/*
 * separator = ; does not work in an ini file read by inih: " ;" starts an
 * inline comment there, so the value arrives empty.  Hence the names, and
 * a message that says so.
 */
static int on_separator(void *ctx, const char *key, const char *value,
			const char *file, long line)
{
	struct load *l = ctx;
	int *separator = &l->cfg->reader.separator;

	if (strcmp(key, "separator") != 0)
		return 0;
	if (strcasecmp(value, "auto") == 0)
		*separator = CSV_SEPARATOR_AUTO;
	else if (strcmp(value, ";") == 0 || strcasecmp(value, "semicolon") == 0)
		*separator = ';';
	else if (strcmp(value, ",") == 0 || strcasecmp(value, "comma") == 0)
		*separator = ',';
	else if (strcasecmp(value, "tab") == 0)
		*separator = '\t';
	else if (*value == '\0')
		return l->svc->fail(l->err, file, line, key,
				    "separator is empty: \" ;\" starts a comment in the configuration, so write separator = semicolon");
	else
		return l->svc->fail(l->err, file, line, key,
				    "separator '%s': use auto, semicolon (;), comma (,) or tab",
				    value);
	return 0;
}

static int on_encoding(void *ctx, const char *key, const char *value,
		       const char *file, long line)
{
	struct load *l = ctx;

	if (strcmp(key, "encoding") != 0)
		return 0;
	if (strcasecmp(value, "utf-8") == 0)
		l->cfg->reader.encoding = CSV_ENCODING_UTF8;
	else if (strcasecmp(value, "windows-1252") == 0)
		l->cfg->reader.encoding = CSV_ENCODING_WINDOWS_1252;
	else
		return l->svc->fail(l->err, file, line, key,
				    "encoding '%s': use utf-8 or windows-1252",
				    value);
	return 0;
}

static int on_skip_lines(void *ctx, const char *key, const char *value,
			 const char *file, long line)
{
	struct load *l = ctx;
	char *end;
	long n;

	if (strcmp(key, "skip_lines") != 0)
		return 0;
	errno = 0;
	n = strtol(value, &end, 10);
	if (errno || end == value || *end != '\0' || n < 0 || n > 1000000)
		return l->svc->fail(l->err, file, line, key,
				    "skip_lines '%s': use a number of lines from 0",
				    value);
	l->cfg->skip_lines = n;
	return 0;
}

static char *copy_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy = malloc(n);

	if (copy != NULL)
		memcpy(copy, s, n);
	return copy;
}

static int on_column(void *ctx, const char *key, const char *value,
		     const char *file, long line)
{
	struct load *l = ctx;
	csv_config *cfg = l->cfg;
	const char *header = key + strlen(COLUMN_PREFIX);
	csv_mapping *m;
	size_t i, field;

	if (*header == '\0')
		return l->svc->fail(l->err, file, line, key,
				    "write the export header after 'column.'");
	for (field = 0; field < l->schema->field_count; field++)
		if (strcmp(l->schema->fields[field].name, value) == 0)
			break;
	if (field == l->schema->field_count)
		return l->svc->fail(l->err, file, line, key,
				    "unknown field '%s' in dataset '%s'",
				    value, l->schema->name);
	for (i = 0; i < cfg->mapping_count; i++) {
		if (strcmp(cfg->mappings[i].header, header) == 0)
			return l->svc->fail(l->err, file, line, key,
					    "column '%s' is mapped twice",
					    header);
		if (cfg->mappings[i].field == field)
			return l->svc->fail(l->err, file, line, key,
					    "field '%s' is mapped from both '%s' and '%s'",
					    value, cfg->mappings[i].header,
					    header);
	}

	m = realloc(cfg->mappings, (cfg->mapping_count + 1) * sizeof(*m));
	if (m == NULL)
		goto out_of_memory;
	cfg->mappings = m;
	m = &cfg->mappings[cfg->mapping_count];
	m->header = copy_string(header);
	m->field_name = copy_string(value);
	m->field = field;
	m->column = 0;
	cfg->mapping_count++;	/* counted now, so release frees a half */
	if (m->header == NULL || m->field_name == NULL)
		goto out_of_memory;
	return 0;
out_of_memory:
	return l->svc->fail(l->err, file, line, key, "out of memory");
}

int csv_config_load(csv_config *cfg, const peil_services *svc,
		    peil_host *host, peil_error *err)
{
	struct load l = { cfg, svc, NULL, err };
	size_t field, i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->reader.separator = CSV_SEPARATOR_AUTO;
	cfg->reader.encoding = CSV_ENCODING_UTF8;

	l.schema = svc->record_schema(host);
	if (l.schema == NULL)
		return svc->fail(err, NULL, 0, NULL,
				 "the source has no dataset schema");
	if (svc->config_each(host, "separator", on_separator, &l) ||
	    svc->config_each(host, "encoding", on_encoding, &l) ||
	    svc->config_each(host, "skip_lines", on_skip_lines, &l) ||
	    svc->config_each(host, COLUMN_PREFIX, on_column, &l))
		return -1;

	if (cfg->mapping_count == 0)
		return svc->fail(err, NULL, 0, NULL,
				 "no columns mapped: add column.<export header> = <field> keys for dataset '%s'",
				 l.schema->name);
	/* A required field without a column would refuse every row; say so
	 * once, now, instead of on every row of every file. */
	for (field = 0; field < l.schema->field_count; field++) {
		if (!(l.schema->fields[field].flags & PEIL_FIELD_REQUIRED))
			continue;
		for (i = 0; i < cfg->mapping_count; i++)
			if (cfg->mappings[i].field == field)
				break;
		if (i == cfg->mapping_count)
			return svc->fail(err, NULL, 0,
					 l.schema->fields[field].name,
					 "required field '%s' of dataset '%s' has no column.<export header> = %s key",
					 l.schema->fields[field].name,
					 l.schema->name,
					 l.schema->fields[field].name);
	}
	return 0;
}

void csv_config_release(csv_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->mapping_count; i++) {
		free(cfg->mappings[i].header);
		free(cfg->mappings[i].field_name);
	}
	free(cfg->mappings);
	cfg->mappings = NULL;
	cfg->mapping_count = 0;
}
