/*
 * schema.h - dataset schemas declared in the configuration.
 *
 *   [dataset cases]
 *   field.case_id = text key
 *   field.registered = date required
 *
 * Types are text, integer, real, date and boolean; "key" fields make up the
 * dataset's key (and are required), "required" fields must not be empty.
 */
#ifndef PEIL_SCHEMA_H
#define PEIL_SCHEMA_H

#include <stddef.h>

#include "base/config.h"
#include "peil/plugin.h"

typedef struct schema_set {
	size_t count;
	peil_schema *schemas;	/* names and fields owned by the set */
} schema_set;

/* Read every [dataset NAME] section.  0 on success; -1 with err naming
 * the config line.  Release with schema_set_release (also after failure). */
int schema_set_init(schema_set *set, const config *cfg, peil_error *err);
void schema_set_release(schema_set *set);

/* The schema of a dataset, or NULL. */
const peil_schema *schema_set_find(const schema_set *set, const char *name);
/* The index of a field in a schema, or -1. */
long schema_field_index(const peil_schema *schema, const char *name);
/* "text", "integer", "real", "date" or "boolean": the config's word. */
const char *schema_type_name(peil_type type);

#endif
