/*
 * schema.h - dataset schemas declared in the configuration.
 *
 *   [dataset cases]
 *   field.case_id = text key
 *   field.registered = date required
 *
 * Types are text, integer, real, date and boolean; "key" fields make up the
 * dataset's key (and are required), "required" fields must not be empty.
 * A field may also declare what its values must satisfy beyond their type:
 *
 *   field.mark = integer 1..10
 *   field.closed = date not_before registered
 *
 * a range (either end may be left open: "0..", "..2099-12-31") of a number
 * or date field, and for a date field another date field it may not
 * precede.  A range may depend on a text field of the same row:
 *
 *   range.score.instrument.ZRM = 1..5
 *
 * holds (besides field.score's own range) for the rows whose instrument
 * is ZRM.  A value against them is a row that does not fit (on_error).
 */
#ifndef PEIL_SCHEMA_H
#define PEIL_SCHEMA_H

#include <stddef.h>

#include "base/config.h"
#include "base/parse.h"
#include "peil/plugin.h"

/* A range of a field for the rows whose text field `when` has value. */
typedef struct schema_range_case {
	long when;		/* the field's index */
	char *value;		/* owned */
	double min, max;	/* as schema_rule's */
	char range[48];		/* as declared: "1..5" */
} schema_range_case;

/* What one field's values must satisfy beyond their type. */
typedef struct schema_rule {
	int ranged;		/* min and max apply */
	double min, max;	/* inclusive; -HUGE_VAL / HUGE_VAL when open;
				   a date as its day number */
	char range[48];		/* as declared, for messages: "1..10" */
	char before[64];	/* not_before's field as declared, or "": a
				   field name, of at most 63 bytes */
	long not_before;	/* its index, or -1 */
	schema_range_case *cases;	/* range.FIELD.WHEN.VALUE, owned */
	size_t case_count;
} schema_rule;

typedef struct schema_set {
	size_t count;
	peil_schema *schemas;	/* names and fields owned by the set */
	schema_rule **rules;	/* per schema: one per field, or NULL when
				   no field of it declares a rule */
} schema_set;

/* Read every [dataset NAME] section.  0 on success; -1 with err naming
 * the config line.  Release with schema_set_release (also after failure). */
int schema_set_init(schema_set *set, const config *cfg, peil_error *err);
void schema_set_release(schema_set *set);

/* The schema of a dataset, or NULL. */
const peil_schema *schema_set_find(const schema_set *set, const char *name);
/* The rules of schema's fields (field_count of them), or NULL when none
 * declares one.  schema must be one of set's. */
const schema_rule *schema_set_rules(const schema_set *set,
				    const peil_schema *schema);
/* 1 when v, a value of a field with rule, lies outside its declared
 * range; 0 when inside, empty, or the field declares none. */
int schema_rule_outside(const schema_rule *rule, const peil_value *v);
/* 1 when v lies outside c's range; 0 when inside or empty. */
int schema_case_outside(const schema_range_case *c, const peil_value *v);
/* A number, date or boolean as messages show it: a date as YYYY-MM-DD,
 * a boolean as ja or nee. */
void schema_value_text(const peil_value *v, char *out, size_t size);
/* text (len bytes, not empty) read as a value of type, an integer, real,
 * date or boolean, as an ingest reads an export with the date formats
 * and decimal mark of its source, into *v: NULL, or what is wrong with
 * the text ("is not a whole number"). */
const char *schema_value_parse(peil_type type,
			       const parse_date_formats *formats, char decimal,
			       const char *text, size_t len, peil_value *v);
/* The index of a field in a schema, or -1. */
long schema_field_index(const peil_schema *schema, const char *name);
/* "text", "integer", "real", "date" or "boolean": the config's word. */
const char *schema_type_name(peil_type type);

#endif
