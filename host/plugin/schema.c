/*
 * schema.c - building peil_schema from [dataset] sections.
 */
#include "plugin/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/parse.h"

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

/* Dataset and field names become SQL identifiers (of at most 63 bytes
 * in PostgreSQL) and Lua keys. */
#define SCHEMA_NAME_MAX 63

/* Refuses a name that is not one, for a dataset or field (what): 0, or
 * -1 with err naming the line of e (of s when NULL) and why. */
static int name_check(const config *cfg, const config_section *s,
		      const config_entry *e, const char *what,
		      const char *name, peil_error *err)
{
	size_t len = strlen(name), i;
	int ok = (*name >= 'a' && *name <= 'z') || *name == '_';

	if (len > SCHEMA_NAME_MAX)
		return config_fail(cfg, s, e, err, "%s name '%s' is %zu "
				   "characters long: at most %d", what, name,
				   len, SCHEMA_NAME_MAX);
	for (i = 1; ok && i < len; i++)
		ok = (name[i] >= 'a' && name[i] <= 'z') ||
		     (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
	if (!ok)
		return config_fail(cfg, s, e, err, "%s name '%s': use a-z, "
				   "0-9 and _, starting with a letter", what,
				   name);
	return 0;
}

/* One end of a range: a number, or for a date field "YYYY-MM-DD"; an
 * empty end is open (*out stays).  0, or -1 when it is neither. */
static int range_end(const peil_field *f, const char *text, double *out)
{
	int32_t date;
	size_t n;
	double x;

	if (!*text)
		return 0;
	if (f->type == PEIL_TYPE_DATE) {
		if (date_parse_iso(text, &date) < 0)
			return -1;
		*out = date;
		return 0;
	}
	n = parse_config_number(text, &x);
	if (!n || text[n])
		return -1;
	*out = x;
	return 0;
}

/* "integer 1..10" or "date 2000-01-01..": the field's range into rule. */
static int parse_range(const config *cfg, const config_section *s,
		       const config_entry *e, const peil_field *f,
		       const char *word, schema_rule *rule, peil_error *err)
{
	const char *dots = strstr(word, "..");
	char low[48];

	if (f->type != PEIL_TYPE_INTEGER && f->type != PEIL_TYPE_REAL &&
	    f->type != PEIL_TYPE_DATE)
		return config_fail(cfg, s, e, err,
				   "%s = %s: a range (%s) needs an integer, "
				   "real or date field", e->key, e->value,
				   word);
	rule->min = -HUGE_VAL;
	rule->max = HUGE_VAL;
	snprintf(low, sizeof(low), "%.*s", (int)(dots - word), word);
	if (strlen(word) >= sizeof(rule->range) ||
	    range_end(f, low, &rule->min) < 0 ||
	    range_end(f, dots + 2, &rule->max) < 0 || rule->min > rule->max ||
	    (!low[0] && !dots[2]))
		return config_fail(cfg, s, e, err,
				   "%s = %s: '%s' is not a range: LOW..HIGH, "
				   "%s, either end left open but not both "
				   "(1..10, 0.., ..2099-12-31)", e->key,
				   e->value, word,
				   f->type == PEIL_TYPE_DATE
					   ? "dates as YYYY-MM-DD"
					   : "numbers with a decimal point");
	snprintf(rule->range, sizeof(rule->range), "%s", word);
	rule->ranged = 1;
	return 0;
}

/* "date required", "text key", "integer 1..10" or "date not_before
 * registered" into a field and its rule (not_before resolved later). */
static int parse_field(const config *cfg, const config_section *s,
		       const config_entry *e, peil_field *f,
		       schema_rule *rule, peil_error *err)
{
	char words[256], *word, *save = NULL;
	const char *range = NULL;
	int typed = 0, before = 0;
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
		if (before) {	/* the name after not_before */
			if (strlen(word) >= sizeof(rule->before))
				return name_check(cfg, s, e, "field", word,
						  err);
			snprintf(rule->before, sizeof(rule->before), "%s",
				 word);
			before = 0;
			known = 1;
		} else if (strcmp(word, "key") == 0) {
			f->flags |= PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED;
			known = 1;
		} else if (strcmp(word, "required") == 0) {
			f->flags |= PEIL_FIELD_REQUIRED;
			known = 1;
		} else if (strcmp(word, "not_before") == 0 &&
			   !rule->before[0]) {
			before = known = 1;
		} else if (strstr(word, "..") && !range) {
			range = e->value + (word - words);
			known = 1;
		}
		if (!known)
			return config_fail(cfg, s, e, err,
					   "%s = %s: unknown word '%s'; a field "
					   "is text, integer, real, date, "
					   "boolean or bsn, optionally with key, "
					   "required, a range LOW..HIGH or "
					   "not_before FIELD", e->key, e->value,
					   word);
	}
	if (!typed)
		return config_fail(cfg, s, e, err,
				   "%s = %s: no type (text, integer, real, date "
				   "or boolean)", e->key, e->value);
	if (before)
		return config_fail(cfg, s, e, err, "%s = %s: not_before "
				   "names no field", e->key, e->value);
	if (range) {
		char word_of[64];

		snprintf(word_of, sizeof(word_of), "%.*s",
			 (int)strcspn(range, " \t\n"), range);
		if (parse_range(cfg, s, e, f, word_of, rule, err) < 0)
			return -1;
	}
	return 0;
}

/* range.FIELD.WHEN.VALUE = LOW..HIGH: a range of FIELD for the rows
 * whose text field WHEN is VALUE, added to FIELD's rule. */
static int parse_range_case(const config *cfg, const config_section *s,
			    const config_entry *e, const peil_schema *schema,
			    schema_rule *rules, peil_error *err)
{
	const char *name = e->key + 6, *dot = strchr(name, '.'), *value;
	char field[SCHEMA_NAME_MAX + 1], when[SCHEMA_NAME_MAX + 1];
	long f, w;
	schema_rule range = { 0 };
	schema_range_case *cases, *c;

	if (!dot || !(value = strchr(dot + 1, '.')) || !value[1] ||
	    dot - name >= (long)sizeof(field) ||
	    value - dot - 1 >= (long)sizeof(when))
		return config_fail(cfg, s, e, err,
				   "%s: a range of a field for some rows is "
				   "range.FIELD.WHEN.VALUE = LOW..HIGH "
				   "(range.score.instrument.ZRM = 1..5)",
				   e->key);
	snprintf(field, sizeof(field), "%.*s", (int)(dot - name), name);
	snprintf(when, sizeof(when), "%.*s", (int)(value - dot - 1), dot + 1);
	value++;
	f = schema_field_index(schema, field);
	w = schema_field_index(schema, when);
	if (f < 0 || w < 0 || w == f ||
	    schema->fields[w].type != PEIL_TYPE_TEXT)
		return config_fail(cfg, s, e, err,
				   "%s: [dataset %s] needs a field %s and "
				   "another, text field %s", e->key, s->name,
				   field, when);
	if (!strstr(e->value, ".."))
		return config_fail(cfg, s, e, err, "%s = %s: not a range "
				   "LOW..HIGH", e->key, e->value);
	if (parse_range(cfg, s, e, &schema->fields[f], e->value, &range,
			err) < 0)
		return -1;
	for (size_t i = 0; i < rules[f].case_count; i++)
		if (rules[f].cases[i].when == w &&
		    strcmp(rules[f].cases[i].value, value) == 0)
			return config_fail(cfg, s, e, err,
					   "%s: a second range of %s where "
					   "%s is '%s'", e->key, field, when,
					   value);
	cases = grow_for(rules[f].cases, rules[f].case_count,
			 sizeof(*cases));
	if (!cases)
		return config_fail(cfg, s, e, err, "out of memory");
	rules[f].cases = cases;
	c = &cases[rules[f].case_count];
	c->when = w;
	c->min = range.min;
	c->max = range.max;
	memcpy(c->range, range.range, sizeof(c->range));
	if (!(c->value = strdup(value)))
		return config_fail(cfg, s, e, err, "out of memory");
	rules[f].case_count++;
	return 0;
}

/* Each not_before of schema's rules: the index of a date field declared
 * in the same section, for a date field. */
static int resolve_before(const config *cfg, const config_section *s,
			  const peil_schema *schema, schema_rule *rules,
			  peil_error *err)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++) {
		const peil_field *f = &schema->fields[i];
		long other;

		rules[i].not_before = -1;
		if (!rules[i].before[0])
			continue;
		other = schema_field_index(schema, rules[i].before);
		if (f->type != PEIL_TYPE_DATE || other < 0 ||
		    schema->fields[other].type != PEIL_TYPE_DATE ||
		    (size_t)other == i)
			return config_fail(cfg, s, NULL, err,
					   "field.%s: not_before %s needs a "
					   "date field and another date field "
					   "of [dataset %s]", f->name,
					   rules[i].before, s->name);
		rules[i].not_before = other;
	}
	return 0;
}

static int add_dataset(schema_set *set, const config *cfg,
		       const config_section *s, peil_error *err)
{
	peil_schema *schemas, *schema;
	schema_rule **all_rules, *rules;
	peil_field *fields;
	size_t i, n = 0;
	int ruled = 0;

	if (name_check(cfg, s, NULL, "dataset", s->name, err) < 0)
		return -1;
	schemas = grow_for(set->schemas, set->count, sizeof(*schemas));
	if (!schemas)
		return config_fail(cfg, s, NULL, err, "out of memory");
	set->schemas = schemas;
	all_rules = grow_for(set->rules, set->count, sizeof(*all_rules));
	if (!all_rules)
		return config_fail(cfg, s, NULL, err, "out of memory");
	set->rules = all_rules;
	schema = &schemas[set->count];
	memset(schema, 0, sizeof(*schema));
	fields = calloc(s->count ? s->count : 1, sizeof(*fields));
	rules = calloc(s->count ? s->count : 1, sizeof(*rules));
	all_rules[set->count] = rules;
	schema->name = strdup(s->name);
	schema->fields = fields;
	set->count++;
	if (!fields || !rules || !schema->name)
		return config_fail(cfg, s, NULL, err, "out of memory");
	for (i = 0; i < s->count; i++) {
		const config_entry *e = &s->entries[i];
		peil_field *f = &fields[n];

		/* The host's own keys of the section (engine/settings.c),
		 * and ranges for some rows (below, once fields are known). */
		if (strcmp(e->key, "max_age_days") == 0 ||
		    strncmp(e->key, "label.", 6) == 0 ||
		    strncmp(e->key, "range.", 6) == 0)
			continue;
		if (strncmp(e->key, "field.", 6) != 0)
			return config_fail(cfg, s, e, err,
					   "unknown key '%s' in [dataset %s]; "
					   "fields are declared as field.NAME "
					   "= TYPE", e->key, s->name);
		if (name_check(cfg, s, e, "field", e->key + 6, err) < 0)
			return -1;
		f->name = strdup(e->key + 6);
		schema->field_count = ++n;
		if (!f->name)
			return config_fail(cfg, s, e, err, "out of memory");
		if (parse_field(cfg, s, e, f, &rules[n - 1], err) < 0)
			return -1;
		ruled |= rules[n - 1].ranged || rules[n - 1].before[0];
	}
	if (n == 0)
		return config_fail(cfg, s, NULL, err,
				   "dataset '%s' declares no fields", s->name);
	for (i = 0; i < s->count; i++) {
		if (strncmp(s->entries[i].key, "range.", 6) != 0)
			continue;
		if (parse_range_case(cfg, s, &s->entries[i], schema, rules,
				     err) < 0)
			return -1;
		ruled = 1;
	}
	if (!ruled) {
		free(rules);
		all_rules[set->count - 1] = NULL;
		return 0;
	}
	return resolve_before(cfg, s, schema, rules, err);
}

static void schema_rule_release(schema_rule *rule)
{
	for (size_t i = 0; i < rule->case_count; i++)
		free(rule->cases[i].value);
	free(rule->cases);
}

int schema_set_init(schema_set *set, const config *cfg, peil_error *err)
{
	size_t i;

	set->count = 0;
	set->schemas = NULL;
	set->rules = NULL;
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
		for (j = 0; set->rules[i] && j < s->field_count; j++)
			schema_rule_release(&set->rules[i][j]);
		free((peil_field *)s->fields);
		free((char *)s->name);
		free(set->rules[i]);
	}
	free(set->schemas);
	free(set->rules);
	set->schemas = NULL;
	set->rules = NULL;
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

const schema_rule *schema_set_rules(const schema_set *set,
				    const peil_schema *schema)
{
	size_t i = (size_t)(schema - set->schemas);

	return i < set->count ? set->rules[i] : NULL;
}

/* A number or date as its number into *x: 0, or -1 for another. */
static int value_number(const peil_value *v, double *x)
{
	switch (v->type) {
	case PEIL_TYPE_INTEGER:
		*x = (double)v->as.integer;
		return 0;
	case PEIL_TYPE_REAL:
		*x = v->as.real;
		return 0;
	case PEIL_TYPE_DATE:
		*x = v->as.date;
		return 0;
	default:
		return -1;
	}
}

int schema_rule_outside(const schema_rule *rule, const peil_value *v)
{
	double x;

	return rule->ranged && value_number(v, &x) == 0 &&
	       (x < rule->min || x > rule->max);
}

int schema_case_outside(const schema_range_case *c, const peil_value *v)
{
	double x;

	return value_number(v, &x) == 0 && (x < c->min || x > c->max);
}

void schema_value_text(const peil_value *v, char *out, size_t size)
{
	char iso[11];

	switch (v->type) {
	case PEIL_TYPE_INTEGER:
		snprintf(out, size, "%lld", (long long)v->as.integer);
		break;
	case PEIL_TYPE_REAL:
		snprintf(out, size, "%.10g", v->as.real);
		break;
	case PEIL_TYPE_DATE:
		date_format_iso(v->as.date, iso);
		snprintf(out, size, "%s", iso);
		break;
	case PEIL_TYPE_BOOLEAN:
		snprintf(out, size, "%s", v->as.boolean ? "ja" : "nee");
		break;
	default:
		snprintf(out, size, "?");
	}
}

const char *schema_value_parse(peil_type type,
			       const parse_date_formats *formats, char decimal,
			       const char *text, size_t len, peil_value *v)
{
	switch (type) {
	case PEIL_TYPE_INTEGER:
		if (parse_integer(text, len, decimal, &v->as.integer) < 0)
			return "is not a whole number";
		break;
	case PEIL_TYPE_REAL:
		if (parse_real(text, len, decimal, &v->as.real) < 0)
			return decimal == ','
				       ? "is not a number with a decimal comma"
				       : "is not a number with a decimal point";
		break;
	case PEIL_TYPE_DATE:
		if (parse_date(formats, text, len, &v->as.date) < 0)
			return "is not a date in the declared format";
		break;
	case PEIL_TYPE_BOOLEAN:
		if (parse_boolean(text, len, &v->as.boolean) < 0)
			return "is not ja or nee";
		break;
	default:
		return "has a field of no type";
	}
	v->type = type;
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
