/*
 * jsonl.c - input plugin "jsonl": one JSON object per line, each mapped
 * key (key.<json key> = <field>) to a field of the source's dataset.
 */
#include <peil/plugin.h>

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 64

struct jsonl {
	const peil_services *svc;
	peil_host *host;
	const peil_schema *schema;
	peil_error *err;		/* open's, for on_key */
	const char *key[MAX_KEYS];	/* the JSON keys, valid until close */
	size_t field[MAX_KEYS];		/* their fields in the schema */
	size_t count;
};

/* config_each callback: one key.<json key> = <field>. */
static int on_key(void *ctx, const char *key, const char *value,
		  const char *file, long line)
{
	struct jsonl *s = ctx;
	size_t f;

	for (f = 0; f < s->schema->field_count; f++)
		if (strcmp(s->schema->fields[f].name, value) == 0)
			break;
	if (f == s->schema->field_count)
		return s->svc->fail(s->err, file, line, key,
				    "unknown field '%s' in dataset '%s'", value,
				    s->schema->name);
	if (s->count == MAX_KEYS)
		return s->svc->fail(s->err, file, line, key, "too many keys");
	s->key[s->count] = key + strlen("key.");
	s->field[s->count++] = f;
	return 0;
}

static int jsonl_open(const peil_services *svc, peil_host *host,
		      void **state, peil_error *err)
{
	struct jsonl *s;

	*state = NULL;
	if (svc->size < PEIL_SERVICES_SIZE_V2) {	/* record_invalid is v2's */
		snprintf(err->message, sizeof(err->message),
			 "jsonl needs Peil's services of version 2");
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return svc->fail(err, NULL, 0, NULL, "out of memory");
	s->svc = svc;
	s->host = host;
	s->schema = svc->record_schema(host);
	s->err = err;
	if (svc->config_each(host, "key.", on_key, s)) {
		free(s);
		return -1;		/* on_key filled err */
	}
	if (s->count == 0) {
		free(s);
		return svc->fail(err, NULL, 0, NULL,
				 "no keys mapped: add key.<json key> = <field>");
	}
	*state = s;
	return 0;
}

/* One JSON value to the host, as the host wants it. */
static void put_value(struct jsonl *s, size_t i, json_t *v)
{
	const peil_services *svc = s->svc;
	peil_value value = { 0 };

	if (v == NULL || json_is_null(v)) {
		svc->record_text(s->host, s->field[i], s->key[i], "", 0);
	} else if (json_is_string(v)) {
		/* text: the host trims, types, reads dates and hashes BSNs */
		svc->record_text(s->host, s->field[i], s->key[i],
				 json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v) &&
		   s->schema->fields[s->field[i]].type == PEIL_TYPE_INTEGER) {
		value.type = PEIL_TYPE_INTEGER;
		value.as.integer = json_integer_value(v);
		svc->record_value(s->host, s->field[i], s->key[i], &value);
	} else if (json_is_number(v) &&
		   s->schema->fields[s->field[i]].type == PEIL_TYPE_REAL) {
		value.type = PEIL_TYPE_REAL;
		value.as.real = json_number_value(v);
		svc->record_value(s->host, s->field[i], s->key[i], &value);
	} else if (json_is_boolean(v) &&
		   s->schema->fields[s->field[i]].type == PEIL_TYPE_BOOLEAN) {
		value.type = PEIL_TYPE_BOOLEAN;
		value.as.boolean = json_is_true(v);
		svc->record_value(s->host, s->field[i], s->key[i], &value);
	} else {
		svc->record_invalid(s->host, s->key[i],
				    "a JSON %s does not fit field %s",
				    json_is_object(v) ? "object" :
				    json_is_array(v) ? "array" : "value",
				    s->schema->fields[s->field[i]].name);
	}
}

static int jsonl_read(void *state, const char *path, peil_error *err)
{
	struct jsonl *s = state;
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t len;
	long number = 0;
	int rc = 0;

	if (f == NULL)
		return s->svc->fail(err, path, 0, NULL, "cannot open: %s",
				    strerror(errno));
	while ((len = getline(&line, &cap, f)) >= 0) {
		json_error_t jerr;
		json_t *obj;

		number++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;		/* blank lines hold nothing */
		obj = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
		if (obj == NULL || !json_is_object(obj)) {
			/* the file is not what it claims: fail it whole */
			rc = s->svc->fail(err, path, number, NULL,
					  "not a JSON object (column %d): %s",
					  obj ? 1 : jerr.column,
					  obj ? "another JSON value" : jerr.text);
			json_decref(obj);
			break;
		}
		s->svc->record_begin(s->host, path, number);
		for (i = 0; i < s->count; i++)
			put_value(s, i, json_object_get(obj, s->key[i]));
		json_decref(obj);
		rc = s->svc->record_end(s->host, line, (size_t)len, err);
		if (rc < 0)
			break;		/* err is filled: stop the file */
		rc = 0;			/* stored, or rejected: go on */
	}
	if (rc == 0 && ferror(f))
		rc = s->svc->fail(err, path, number, NULL, "read error");
	free(line);
	fclose(f);
	return rc;
}

static void jsonl_close(void *state)
{
	free(state);
}

static const peil_input_ops jsonl_ops = {
	.size = sizeof(peil_input_ops),
	.open = jsonl_open,
	.read = jsonl_read,
	.close = jsonl_close,
};

static const char *const jsonl_keys[] = { "key.", NULL };

static const peil_plugin jsonl_plugin = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_plugin),
	.name = "jsonl",
	.description = "JSON Lines exports: one object per line",
	.version = "1.0",
	.kind = PEIL_PLUGIN_INPUT,
	.input = &jsonl_ops,
	.config_keys = jsonl_keys,
};

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void);

PEIL_EXPORT const peil_plugin *peil_plugin_entry(void)
{
	return &jsonl_plugin;
}
