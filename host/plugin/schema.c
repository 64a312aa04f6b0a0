/*
 * schema.c - building peil_schema from [dataset] sections.
 */
#include "plugin/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"

static const struct {
	const char *name;
	peil_type type;
} type_names[] = {
	{ "text", PEIL_TYPE_TEXT },	  { "integer", PEIL_TYPE_INTEGER },
	{ "real", PEIL_TYPE_REAL },	  { "date", PEIL_TYPE_DATE },
	{ "boolean", PEIL_TYPE_BOOLEAN },
};

const char *schema_type_name(peil_type type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "?";
}

/* Dataset and field names become SQL identifiers and Lua keys. */
static int name_valid(const char *name)
{
	const char *p = name;

	if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return 0;
	return p - name <= 63;
}

/* "date required" or "text key" into a field. */
static int parse_field(const config *cfg, const config_section *s,
		       const config_entry *e, peil_field *f, peil_error *err)
{
	char words[256], *word, *save = NULL;
	int typed = 0;
	size_t i;

	snprintf(words, sizeof(words), "%s", e->value);
	for (word = strtok_r(words, " \t\n", &save); word;
	     word = strtok_r(NULL, " \t\n", &save)) {
		int known = 0;

		for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]);
		     i++)
			if (strcmp(word, type_names[i].name) == 0) {
				if (typed)
					return config_fail(cfg, s, e, err,
							   "%s: two types",
							   e->key);
				f->type = type_names[i].type;
				typed = known = 1;
			}
		if (strcmp(word, "bsn") == 0) {	/* text, hashed */
			if (typed)
				return config_fail(cfg, s, e, err,
						   "%s: two types", e->key);
			f->type = PEIL_TYPE_TEXT;
			f->flags |= PEIL_FIELD_BSN;
			typed = known = 1;
		}
		if (strcmp(word, "key") == 0) {
			f->flags |= PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED;
			known = 1;
		} else if (strcmp(word, "required") == 0) {
			f->flags |= PEIL_FIELD_REQUIRED;
			known = 1;
		}
		if (!known)
			return config_fail(cfg, s, e, err,
					   "%s = %s: unknown word '%s'; a field "
					   "is text, integer, real, date, "
					   "boolean or bsn, optionally with key or "
					   "required", e->key, e->value, word);
	}
	if (!typed)
		return config_fail(cfg, s, e, err,
				   "%s = %s: no type (text, integer, real, date "
				   "or boolean)", e->key, e->value);
	return 0;
}

static int add_dataset(schema_set *set, const config *cfg,
		       const config_section *s, peil_error *err)
{
	peil_schema *schemas, *schema;
	peil_field *fields;
	size_t i, n = 0;

	if (!name_valid(s->name))
		return config_fail(cfg, s, NULL, err,
				   "dataset name '%s': use a-z, 0-9 and _, "
				   "starting with a letter", s->name);
	schemas = grow_for(set->schemas, set->count, sizeof(*schemas));
	if (!schemas)
		return config_fail(cfg, s, NULL, err, "out of memory");
	set->schemas = schemas;
	schema = &schemas[set->count];
	memset(schema, 0, sizeof(*schema));
	fields = calloc(s->count ? s->count : 1, sizeof(*fields));
	schema->name = strdup(s->name);
	schema->fields = fields;
	set->count++;
	if (!fields || !schema->name)
		return config_fail(cfg, s, NULL, err, "out of memory");
	for (i = 0; i < s->count; i++) {
		const config_entry *e = &s->entries[i];
		peil_field *f = &fields[n];

		/* The host's own keys of the section (engine/settings.c). */
		if (strcmp(e->key, "max_age_days") == 0 ||
		    strncmp(e->key, "label.", 6) == 0)
			continue;
		if (strncmp(e->key, "field.", 6) != 0)
			return config_fail(cfg, s, e, err,
					   "unknown key '%s' in [dataset %s]; "
					   "fields are declared as field.NAME "
					   "= TYPE", e->key, s->name);
		if (!name_valid(e->key + 6))
			return config_fail(cfg, s, e, err,
					   "field name '%s': use a-z, 0-9 and "
					   "_, starting with a letter",
					   e->key + 6);
		f->name = strdup(e->key + 6);
		schema->field_count = ++n;
		if (!f->name)
			return config_fail(cfg, s, e, err, "out of memory");
		if (parse_field(cfg, s, e, f, err) < 0)
			return -1;
	}
	if (n == 0)
		return config_fail(cfg, s, NULL, err,
				   "dataset '%s' declares no fields", s->name);
	return 0;
}

int schema_set_init(schema_set *set, const config *cfg, peil_error *err)
{
	size_t i;

	set->count = 0;
	set->schemas = NULL;
	for (i = 0; i < cfg->count; i++)
		if (strcmp(cfg->sections[i].kind, "dataset") == 0 &&
		    add_dataset(set, cfg, &cfg->sections[i], err) < 0)
			return -1;
	return 0;
}

void schema_set_release(schema_set *set)
{
	size_t i, j;

	for (i = 0; i < set->count; i++) {
		peil_schema *s = &set->schemas[i];

		for (j = 0; j < s->field_count; j++)
			free((char *)s->fields[j].name);
		free((peil_field *)s->fields);
		free((char *)s->name);
	}
	free(set->schemas);
	set->schemas = NULL;
	set->count = 0;
}

const peil_schema *schema_set_find(const schema_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		if (strcmp(set->schemas[i].name, name) == 0)
			return &set->schemas[i];
	return NULL;
}

long schema_field_index(const peil_schema *schema, const char *name)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return (long)i;
	return -1;
}
