/*
 * value_map.c - per-field recodes, folding and allowed values (value_map.h).
 *
 * Utrecht's export says "Ja" where the shipped KPIs compare with "ja", and
 * closure reasons come as "Beeindigd volgens plan": before this map such
 * figures came out empty or 0 % with exit 0
 * (tests/e2e/cases_values.sh).  Lookups go through strmap, so a recode
 * costs one hash per value however long the table.
 */
#include "plugin/value_map.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_table.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/log.h"
#include "base/strmap.h"
#include "base/value_counts.h"
#include "plugin/schema.h"

#define FOLD_CASE 0x1u
#define FOLD_SPACE 0x2u
#define FOLD_ACCENTS 0x4u

#define UNKNOWN_SHOWN 10	/* values named in a warning */

typedef struct field_map {
	unsigned fold;
	strmap from;		/* folded values that are recoded */
	char **to;		/* [from.count]: their new values */
	int has_allowed;
	strmap allowed;		/* folded allowed values */
	char **allowed_text;	/* [allowed.count]: as the list spells them */
	value_counts unknown;	/* this file's unknown values, as stored */
} field_map;

struct value_map {
	const peil_schema *schema;
	field_map *fields;	/* [schema->field_count] */
	/* The record's unknown values: per field, the slot it was counted
	 * in + 1, or 0 (value_map_record_end). */
	long *pending;
	char *fold_buf;		/* a folded value, while it is looked up */
	size_t fold_cap;
	/* How the source's exports write dates and decimals: an allowed
	 * value of a number, date or boolean field must read as one. */
	const parse_date_formats *formats;
	char decimal;
};

/* Latin-1 letters (U+00C0 to U+00FF) without their accents; 0 for those
 * that have none to lose (Æ, Ð, ×, Þ, ß, æ, ð, ÷, þ). */
static const char unaccented[64] = {
	'A', 'A', 'A', 'A', 'A', 'A', 0,   'C', 'E', 'E', 'E', 'E', 'I',
	'I', 'I', 'I', 0,   'N', 'O', 'O', 'O', 'O', 'O', 0,   'O', 'U',
	'U', 'U', 'U', 'Y', 0,   0,   'a', 'a', 'a', 'a', 'a', 'a', 0,
	'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i', 0,   'n', 'o', 'o',
	'o', 'o', 'o', 0,   'o', 'u', 'u', 'u', 'u', 'y', 0,   'y'
};

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

/* text folded as fold says into out (len + 1 bytes); its length.  UTF-8
 * in, UTF-8 out: only ASCII and the two-byte Latin-1 letters change, so
 * no sequence is cut, and nothing grows. */
static size_t fold_into(unsigned fold, const char *text, size_t len,
			char *out)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((fold & FOLD_SPACE) &&
		    (is_space(c) ||
		     (c == 0xC2 && i + 1 < len &&
		      (unsigned char)text[i + 1] == 0xA0))) {  /* NBSP */
			if (c == 0xC2)
				i++;
			if (n && out[n - 1] != ' ')
				out[n++] = ' ';
			continue;
		}
		if (c == 0xC3 && i + 1 < len &&
		    ((unsigned char)text[i + 1] & 0xC0) == 0x80) {
			unsigned char low = (unsigned char)text[i + 1];
			char plain = unaccented[low - 0x80];

			if ((fold & FOLD_ACCENTS) && plain) {
				c = (unsigned char)plain;
				i++;
			} else {
				/* Lower case of À-Þ is the same letter 0x20
				 * up, except × (U+00D7). */
				if ((fold & FOLD_CASE) && low >= 0x80 &&
				    low <= 0x9E && low != 0x97)
					low += 0x20;
				out[n++] = (char)c;
				out[n++] = (char)low;
				i++;
				continue;
			}
		}
		if ((fold & FOLD_CASE) && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out[n++] = (char)c;
	}
	if ((fold & FOLD_SPACE) && n && out[n - 1] == ' ')
		n--;	/* none leads: a space is added only after text */
	out[n] = '\0';
	return n;
}

size_t value_map_fold(const char *text, size_t len, char *out)
{
	return fold_into(FOLD_CASE | FOLD_SPACE | FOLD_ACCENTS, text, len, out);
}

/* text folded as fold says into map->fold_buf; its length, or -1 when out
 * of memory. */
static long fold_text(value_map *map, unsigned fold, const char *text,
		      size_t len)
{
	if (len + 1 > map->fold_cap) {
		char *grown = realloc(map->fold_buf, len + 1);

		if (!grown)
			return -1;
		map->fold_buf = grown;
		map->fold_cap = len + 1;
	}
	return (long)fold_into(fold, text, len, map->fold_buf);
}

static long field_index(const peil_schema *schema, const char *name,
			size_t len)
{
	for (size_t i = 0; i < schema->field_count; i++)
		if (strlen(schema->fields[i].name) == len &&
		    memcmp(schema->fields[i].name, name, len) == 0)
			return (long)i;
	return -1;
}

/* The field a key or recode row names, if the map may handle it. */
static long mapped_field(const value_map *map, const char *name, size_t len,
			 const char **why)
{
	long f = field_index(map->schema, name, len);

	if (f < 0)
		*why = "is not a field of the dataset";
	else if (map->schema->fields[f].flags & PEIL_FIELD_BSN)
		*why = "is a citizen-number field, whose values are checked "
		       "and hashed, never recoded";
	else
		*why = NULL;
	return *why ? -1 : f;
}

/* Where a problem of a key or a recode file row is placed. */
typedef struct place {
	const config *cfg;
	const config_section *section;
	const config_entry *entry;
	const char *file;	/* the recode file, or NULL: the config */
	long line;
	peil_error *err;
	value_map *map;		/* while the recode file is read */
} place;

static int place_fail(const place *at, const char *fmt, ...)
	PEIL_PRINTF(2, 3);
static int place_fail(const place *at, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (at->file)
		return error_set(at->err, at->file, at->line, NULL, "%s",
				 message);
	return config_fail(at->cfg, at->section, at->entry, at->err, "%s",
			   message);
}

static int parse_fold(field_map *fm, const char *value, const place *at)
{
	const char *p = value;

	while (*p) {
		size_t n;

		while (*p == ',' || is_space((unsigned char)*p))
			p++;
		n = strcspn(p, ", \t\r\n");
		if (!n)
			break;
		if (n == 4 && memcmp(p, "case", 4) == 0)
			fm->fold |= FOLD_CASE;
		else if (n == 5 && memcmp(p, "space", 5) == 0)
			fm->fold |= FOLD_SPACE;
		else if (n == 7 && memcmp(p, "accents", 7) == 0)
			fm->fold |= FOLD_ACCENTS;
		else if (n == 3 && memcmp(p, "all", 3) == 0)
			fm->fold |= FOLD_CASE | FOLD_SPACE | FOLD_ACCENTS;
		else
			return place_fail(at, "%s: '%.*s' is not a folding; "
					  "expected case, space, accents or "
					  "all", at->entry->key, (int)n, p);
		p += n;
	}
	return 0;
}

struct allowed_ctx {
	value_map *map;
	size_t field;
	const place *at;
};

/* An item of a number, date or boolean field's list that is no value of
 * its type would only ever turn away the rows it was meant to let in:
 * refused with the config line, as the ingest would name a cell. */
static int add_allowed(void *arg, const char *item)
{
	struct allowed_ctx *a = arg;
	const peil_field *field = &a->map->schema->fields[a->field];
	field_map *fm = &a->map->fields[a->field];
	long n = fold_text(a->map, fm->fold, item, strlen(item));
	char **grown, *copy;
	const char *why;
	peil_value v;
	int added;

	if (field->type != PEIL_TYPE_TEXT && *item &&
	    (why = schema_value_parse(field->type, a->map->formats,
				      a->map->decimal, item, strlen(item),
				      &v)) != NULL)
		return place_fail(a->at, "allowed.%s: '%s' %s, as field %s "
				  "is %s", field->name, item, why,
				  field->name, schema_type_name(field->type));
	if (n < 0 || strmap_put(&fm->allowed, a->map->fold_buf, (size_t)n,
				&added) < 0)
		return place_fail(a->at, "out of memory");
	if (!added)
		return 0;	/* "ja, Ja" under fold = case: one value */
	grown = grow_for(fm->allowed_text, fm->allowed.count - 1,
			 sizeof(*grown));
	copy = strdup(item);
	if (!grown || !copy) {
		free(copy);
		return place_fail(a->at, "out of memory");
	}
	fm->allowed_text = grown;
	grown[fm->allowed.count - 1] = copy;
	return 0;
}

/* Record the recode of field's from (len bytes) to to. */
static int add_recode(value_map *map, long field, const char *from,
		      size_t len, const char *to, const place *at)
{
	field_map *fm = &map->fields[field];
	long n = fold_text(map, fm->fold, from, len);
	char **grown, *copy;
	int added;

	if (n < 0 || strmap_put(&fm->from, map->fold_buf, (size_t)n,
				&added) < 0)
		return place_fail(at, "out of memory");
	if (!added)
		return place_fail(at, "field %s: the value '%.*s' is recoded "
				  "twice (after folding)",
				  map->schema->fields[field].name, (int)len,
				  from);
	grown = grow_for(fm->to, fm->from.count - 1, sizeof(*grown));
	copy = strdup(to);
	if (!grown || !copy) {
		free(copy);
		return place_fail(at, "out of memory");
	}
	fm->to = grown;
	grown[fm->from.count - 1] = copy;
	return 0;
}

/* A row of the recode file: field;from;to. */
static int recode_row(void *arg, char **cell, long line, peil_error *err)
{
	place *at = arg;
	const char *why;
	long field;

	(void)err;	/* at->err */
	at->line = line;
	field = mapped_field(at->map, cell[0], strlen(cell[0]), &why);
	if (field < 0)
		return place_fail(at, "'%s' %s", cell[0], why);
	if (!*cell[1])
		return place_fail(at, "an empty value cannot be recoded");
	return add_recode(at->map, field, cell[1], strlen(cell[1]), cell[2],
			  at);
}

/* The recode file: a header "field;from;to", then one recode per row
 * (base/csv_table.h). */
static int read_recode_file(value_map *map, const char *path, place *at)
{
	static const char *const header[] = { "field", "from", "to" };
	int rc;

	at->file = path;
	at->map = map;
	rc = csv_table_read(path, "recode file", header, 3, recode_row, at,
			    at->err);
	at->file = NULL;
	return rc;
}

/* The field that a key "PREFIX.FIELD..." names; *rest what follows FIELD
 * (its '.' included). */
static long key_field(value_map *map, const char *key, size_t prefix,
		      const char **rest, const place *at)
{
	const char *name = key + prefix, *why;
	size_t n = strcspn(name, ".");
	long f = mapped_field(map, name, n, &why);

	if (f < 0)
		return place_fail(at, "%s: '%.*s' %s", key, (int)n, name, why);
	*rest = name + n;
	return f;
}

/* Which of the keys the section declares; fold.* first, since recodes
 * and allowed values are kept folded. */
static int read_keys(value_map *map, const config *cfg,
		     const config_section *section, peil_error *err)
{
	static const char *const passes[] = { "fold.", "allowed.", "recode." };

	for (size_t pass = 0; pass < 3; pass++) {
		size_t plen = strlen(passes[pass]);

		for (size_t i = 0; i < section->count; i++) {
			const config_entry *e = &section->entries[i];
			place at = { cfg, section, e, NULL, 0, err, NULL };
			const char *rest = "";
			long f;

			if (strncmp(e->key, passes[pass], plen) != 0)
				continue;
			f = key_field(map, e->key, plen, &rest, &at);
			if (f < 0)
				return -1;
			if (pass == 0 && *rest == '\0') {
				if (parse_fold(&map->fields[f], e->value,
					       &at) < 0)
					return -1;
			} else if (pass == 1 && *rest == '\0') {
				struct allowed_ctx a = { map, (size_t)f,
							 &at };

				map->fields[f].has_allowed = 1;
				if (config_each_item(e->value, add_allowed,
						     &a) != 0)
					return -1;
				if (!map->fields[f].allowed.count)
					return place_fail(&at, "%s: no value "
							  "given", e->key);
			} else if (pass == 2 && rest[0] == '.' && rest[1]) {
				if (add_recode(map, f, rest + 1,
					       strlen(rest + 1), e->value,
					       &at) < 0)
					return -1;
			} else {
				return place_fail(&at, "%s: expected %s",
						  e->key, pass == 2
						  ? "recode.FIELD.FROM = TO"
						  : pass == 0 ? "fold.FIELD"
							      : "allowed.FIELD");
			}
		}
	}
	return 0;
}

/* A recode to a value outside the field's allowed list would be counted
 * as unknown on every row: refuse it at once. */
static int check_targets(value_map *map, const config *cfg,
			 const config_section *section, peil_error *err)
{
	char key[128];

	for (size_t f = 0; f < map->schema->field_count; f++) {
		field_map *fm = &map->fields[f];

		for (size_t i = 0; fm->has_allowed && i < fm->from.count; i++) {
			long n = fold_text(map, fm->fold, fm->to[i],
					   strlen(fm->to[i]));

			if (n < 0)
				return error_set(err, NULL, 0, NULL,
						 "out of memory");
			if (n == 0 || strmap_find(&fm->allowed, map->fold_buf,
						  (size_t)n) >= 0)
				continue;
			snprintf(key, sizeof(key), "allowed.%s",
				 map->schema->fields[f].name);
			return config_fail(cfg, section,
					   config_entry_find(section, key),
					   err, "field %s: '%s' is recoded to "
					   "'%s', which is not in "
					   "allowed.%s", map->schema->fields[f].name,
					   strmap_key(&fm->from, i), fm->to[i],
					   map->schema->fields[f].name);
		}
	}
	return 0;
}

static int declares_any(const config_section *section,
			const char *recode_file)
{
	if (recode_file)
		return 1;
	for (size_t i = 0; i < section->count; i++) {
		const char *k = section->entries[i].key;

		if (strncmp(k, "recode.", 7) == 0 ||
		    strncmp(k, "fold.", 5) == 0 ||
		    strncmp(k, "allowed.", 8) == 0)
			return 1;
	}
	return 0;
}

int value_map_new(const config *cfg, const config_section *section,
		  const peil_schema *schema,
		  const parse_date_formats *formats, char decimal,
		  const char *recode_file, const config_entry *recode_file_at,
		  value_map **out, peil_error *err)
{
	value_map *map;
	place at = { cfg, section, recode_file_at, NULL, 0, err, NULL };

	*out = NULL;
	if (!section || !declares_any(section, recode_file))
		return 0;
	map = calloc(1, sizeof(*map));
	if (!map)
		return error_set(err, NULL, 0, NULL, "out of memory");
	map->schema = schema;
	map->formats = formats;
	map->decimal = decimal;
	map->fields = calloc(schema->field_count ? schema->field_count : 1,
			     sizeof(*map->fields));
	map->pending = calloc(schema->field_count ? schema->field_count : 1,
			      sizeof(*map->pending));
	if (!map->fields || !map->pending) {
		value_map_free(map);
		return error_set(err, NULL, 0, NULL, "out of memory");
	}
	if (read_keys(map, cfg, section, err) < 0 ||
	    (recode_file && read_recode_file(map, recode_file, &at) < 0) ||
	    check_targets(map, cfg, section, err) < 0) {
		value_map_free(map);
		return -1;
	}
	map->formats = NULL;	/* the caller's: read while the map is made */
	*out = map;
	return 0;
}

char *const *value_map_allowed(const value_map *map, size_t field,
				size_t *count)
{
	const field_map *fm = &map->fields[field];

	*count = fm->has_allowed ? fm->allowed.count : 0;
	return fm->has_allowed ? fm->allowed_text : NULL;
}

void value_map_free(value_map *map)
{
	if (!map)
		return;
	for (size_t f = 0; map->fields && f < map->schema->field_count; f++) {
		field_map *fm = &map->fields[f];

		for (size_t i = 0; i < fm->from.count; i++)
			free(fm->to[i]);
		for (size_t i = 0; i < fm->allowed.count; i++)
			free(fm->allowed_text[i]);
		free(fm->to);
		free(fm->allowed_text);
		strmap_release(&fm->from);
		strmap_release(&fm->allowed);
		value_counts_release(&fm->unknown);
	}
	free(map->fields);
	free(map->pending);
	free(map->fold_buf);
	free(map);
}

enum value_map_result value_map_apply(value_map *map, size_t field,
				      const char **text, size_t *len)
{
	field_map *fm;
	long n, i;

	if (!map || field >= map->schema->field_count)
		return VALUE_MAP_KNOWN;
	fm = &map->fields[field];
	if (!fm->from.count && !fm->has_allowed)
		return VALUE_MAP_KNOWN;
	n = fold_text(map, fm->fold, *text, *len);
	if (n < 0)
		return VALUE_MAP_OUT_OF_MEMORY;
	i = fm->from.count ? strmap_find(&fm->from, map->fold_buf, (size_t)n)
			   : -1;
	if (i >= 0) {
		*text = fm->to[i];
		*len = strlen(fm->to[i]);
		if (!*len || !fm->has_allowed)
			return VALUE_MAP_KNOWN;
		n = fold_text(map, fm->fold, *text, *len);
		if (n < 0)
			return VALUE_MAP_OUT_OF_MEMORY;
	}
	if (!fm->has_allowed)
		return VALUE_MAP_KNOWN;
	i = strmap_find(&fm->allowed, map->fold_buf, (size_t)n);
	if (i >= 0) {
		*text = fm->allowed_text[i];
		*len = strlen(fm->allowed_text[i]);
		return VALUE_MAP_KNOWN;
	}
	if (map->pending[field])	/* the field given twice: the last */
		value_counts_remove(&fm->unknown, map->pending[field] - 1);
	map->pending[field] = value_counts_add(&fm->unknown, *text, *len) + 1;
	if (!map->pending[field])
		return VALUE_MAP_OUT_OF_MEMORY;
	return VALUE_MAP_UNKNOWN;
}

void value_map_record_end(value_map *map, int stored)
{
	for (size_t f = 0; map && f < map->schema->field_count; f++) {
		if (map->pending[f] && !stored)
			value_counts_remove(&map->fields[f].unknown,
					    map->pending[f] - 1);
		map->pending[f] = 0;
	}
}

void value_map_file_begin(value_map *map)
{
	for (size_t f = 0; map && f < map->schema->field_count; f++) {
		value_counts_release(&map->fields[f].unknown);
		map->pending[f] = 0;
	}
}

int64_t value_map_report(const value_map *map, const char *file)
{
	int64_t total = 0;
	char list[1024];

	if (!map)
		return 0;
	for (size_t f = 0; f < map->schema->field_count; f++) {
		const field_map *fm = &map->fields[f];

		if (!fm->unknown.total)
			continue;
		total += fm->unknown.total;
		value_counts_list(&fm->unknown, UNKNOWN_SHOWN, list,
				  sizeof(list));
		log_msg(PEIL_LOG_WARNING, "%s: field %s: %lld value%s not in "
			"allowed.%s, stored as they came: %s", file,
			map->schema->fields[f].name,
			(long long)fm->unknown.total,
			fm->unknown.total == 1 ? "" : "s",
			map->schema->fields[f].name, list);
	}
	return total;
}
