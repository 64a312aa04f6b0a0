/*
 * host.c - the services table: logging, errors, config, record building.
 *
 * Records are built here rather than in each input plugin so that every
 * plugin converts text the same way (dates, decimal commas, required
 * fields) and every error reads the same: file, line, column, value.  The
 * per-field text buffers are reused from record to record, so building a
 * record allocates nothing once the buffers have grown to fit.
 */
#include "plugin/host.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin/bsn.h"
#include "base/calendar.h"
#include "base/error.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/parse.h"
#include "plugin/record_keys.h"
#include "plugin/record_queue.h"
#include "plugin/reject.h"
#include "plugin/value_map.h"

struct peil_host {
	const config *cfg;
	const config_section *section;
	char plugin_name[64];
	char **paths;		/* resolved by config_path, owned */
	size_t path_count;

	/* input sources only */
	const peil_schema *schema;
	store *storage;
	parse_date_formats formats;
	char decimal;
	int reject_mode;
	char *reject_dir;
	record_queue *queue;	/* to the store; records are built in it */
	peil_value *values;	/* of the record being built, in the queue;
				   NULL between records */
	unsigned char *set;	/* whether each field was given */
	bsn_key *bsn_key;	/* when the dataset has a BSN field */
	value_map *value_map;	/* recodes and allowed values, or NULL */
	int refuse_unknown;	/* an unknown value fails the file */
	const schema_rule *rules; /* ranges and date orders, or NULL */
	/* The keys of the file being read: a key given twice in one export
	 * is refused, or with repeated_keys = keep_last the later row
	 * replaces the earlier one and is counted (replaced), so that rows
	 * stays the true count. */
	int keep_last;
	size_t has_key;		/* how many key fields the dataset has */
	record_keys keys;
	int64_t replaced;
	/* scope_field: every record holds scope_value in field scope (a
	 * text field); scoped is 0 when the source has no scope. */
	int scoped;
	size_t scope;
	const char *scope_value;

	/* the file and record being read */
	const char *file;	/* NULL outside a read */
	/* The file's path (host_file_begin), and the other path the plugin
	 * was handed for it (host_file_alias), or NULL. */
	const char *path, *alias;
	char sha256[65];
	long line;
	int invalid;
	int invalid_fatal;	/* the file fails even with on_error = reject */
	char invalid_origin[256];
	char invalid_message[768];
	char *header;		/* raw header, for the reject file */
	size_t header_len;
	reject_file *reject;
	char reject_name[1024];	/* of the committed reject file */
	int64_t rows, rejected;
	/* Records the plugin ended (stored, rejected or refused), and
	 * whether it gave a header: what tells a file whose rows all went
	 * astray from a header-only one. */
	int64_t offered;
	int header_given;
	/* A record_end that failed: the file must not be committed even if
	 * the plugin carries on.  storage_failed: it was the store. */
	int failed, storage_failed;
	peil_error failure;
};

/* text (of size bytes) with each mention of the alias of the file being
 * read replaced by its path. */
static void unalias(const peil_host *host, char *text, size_t size)
{
	size_t alen, plen;
	char *at, *from = text;

	if (!host->alias || !host->path)
		return;
	alen = strlen(host->alias);
	plen = strlen(host->path);
	while ((at = strstr(from, host->alias)) != NULL) {
		size_t tail = strlen(at + alen) + 1;

		if ((size_t)(at - text) + plen + tail > size)
			return;
		memmove(at + plen, at + alen, tail);
		memcpy(at, host->path, plen);
		from = at + plen;
	}
}

void host_file_alias(peil_host *host, const char *alias)
{
	host->alias = alias;
}

void host_file_unalias(const peil_host *host, peil_error *err)
{
	unalias(host, err->file, sizeof(err->file));
	unalias(host, err->field, sizeof(err->field));
	unalias(host, err->message, sizeof(err->message));
}

static void services_log(peil_host *host, peil_log_level level,
			 const char *fmt, ...) PEIL_PRINTF(3, 4);
static void services_log(peil_host *host, peil_log_level level,
			 const char *fmt, ...)
{
	char line[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (host)
		unalias(host, line, sizeof(line));
	log_msg(level, "%s: %s", host ? host->plugin_name : "plugin", line);
}

static const char *services_config_get(peil_host *host, const char *key)
{
	return config_get(host->section, key, NULL);
}

static int services_config_each(peil_host *host, const char *prefix,
				peil_config_fn fn, void *ctx)
{
	const config_section *s = host->section;
	size_t i, n = strlen(prefix);
	int rc;

	if (!s)
		return 0;
	for (i = 0; i < s->count; i++) {
		if (strncmp(s->entries[i].key, prefix, n) != 0)
			continue;
		rc = fn(ctx, s->entries[i].key, s->entries[i].value,
			host->cfg->path, s->entries[i].line);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *services_config_path(peil_host *host, const char *key)
{
	const char *value = config_get(host->section, key, NULL);
	char **paths, *path;

	if (!value)
		return NULL;
	path = config_resolve_path(host->cfg, value);
	if (!path)
		return NULL;
	paths = realloc(host->paths, (host->path_count + 1) * sizeof(*paths));
	if (!paths) {
		free(path);
		return NULL;
	}
	host->paths = paths;
	paths[host->path_count++] = path;
	return path;
}

static const peil_schema *services_record_schema(peil_host *host)
{
	return host->schema;
}

static void services_record_begin(peil_host *host, const char *file,
				  long line)
{
	size_t i;

	host->file = host->alias && file && strcmp(file, host->alias) == 0
			     ? host->path
			     : file;
	host->line = line;
	host->invalid = 0;
	host->invalid_fatal = 0;
	host->values = NULL;
	value_map_record_end(host->value_map, 0);	/* one never ended */
	if (!host->queue || host->failed)	/* the file is lost anyway */
		return;
	host->values = record_queue_record(host->queue);
	for (i = 0; i < host->schema->field_count; i++)
		host->set[i] = 0;
}

/* The record being built, begun for a plugin that set a field without
 * record_begin (host->values is NULL between records, never the record
 * queued last); NULL once the file failed: nothing more is kept. */
static peil_value *record_values(peil_host *host)
{
	if (!host->values)
		services_record_begin(host, host->file, host->line);
	return host->values;
}

/* Keep the first problem of a record; record_end reports it. */
static void mark_invalid(peil_host *host, const char *origin,
			 const char *fmt, ...) PEIL_PRINTF(3, 4);
static void mark_invalid(peil_host *host, const char *origin,
			 const char *fmt, ...)
{
	va_list ap;

	if (host->invalid)
		return;
	host->invalid = 1;
	snprintf(host->invalid_origin, sizeof(host->invalid_origin), "%s",
		 origin ? origin : "");
	va_start(ap, fmt);
	vsnprintf(host->invalid_message, sizeof(host->invalid_message), fmt,
		  ap);
	va_end(ap);
}

static void services_record_invalid(peil_host *host, const char *origin,
				    const char *fmt, ...) PEIL_PRINTF(3, 4);
static void services_record_invalid(peil_host *host, const char *origin,
				    const char *fmt, ...)
{
	char message[768];
	va_list ap;

	record_values(host);	/* a record begins, if none has */
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	mark_invalid(host, origin, "%s", message);
}

/* A value as it may appear in a message: at most 60 bytes of it. */
static void quote_value(char *out, size_t size, const char *text, size_t len)
{
	size_t max = 60;

	if (len <= max)
		snprintf(out, size, "'%.*s'", (int)len, text);
	else
		snprintf(out, size, "'%.*s...' (%zu bytes)", (int)max, text,
			 len);
}

static int record_failed(peil_host *host, peil_error *err, int storage);

/* The host could not keep a record in memory on its way to the store: a
 * storage failure (exit 4), which no reject file may swallow. */
static void storage_out_of_memory(peil_host *host)
{
	peil_error err;

	error_set(&err, host->file, host->line, NULL,
		  "out of memory while storing this file in the store");
	record_failed(host, &err, 1);
}

/* What field_problem returns when the host ran out of memory: not a fault
 * of the row, so never a reason to reject it. */
static const char out_of_memory[] = "out of memory";

static const char *field_problem(peil_host *host, size_t field,
				 const char *text, size_t len, peil_value *v)
{
	const peil_field *f = &host->schema->fields[field];
	char digits[10], mac[BSN_HEX_SIZE];	/* text may point to mac */

	if (f->flags & PEIL_FIELD_BSN) {
		const char *why = bsn_normalize(text, len, digits);

		if (why)
			return why;
		if (!host->bsn_key || bsn_hmac_hex(host->bsn_key, digits,
						   mac) < 0)
			return "could not be hashed (no key, or libcrypto "
			       "failed)";
		memset(digits, 0, sizeof(digits));
		text = mac;
		len = BSN_HEX_SIZE - 1;
	}
	if (f->type != PEIL_TYPE_TEXT)
		return schema_value_parse(f->type, &host->formats,
					  host->decimal, text, len, v);
	if (record_queue_text(host->queue, field, text, len) < 0)
		return out_of_memory;
	return NULL;
}

/* Recode *text of field as the source declares (value_map.h): -1 when the
 * record is invalid for it (marked). */
static int map_value(peil_host *host, size_t field, const char *origin,
		     const char **text, size_t *len)
{
	const peil_field *f = &host->schema->fields[field];
	char quoted[128];

	switch (value_map_apply(host->value_map, field, text, len)) {
	case VALUE_MAP_KNOWN:
		return 0;
	case VALUE_MAP_UNKNOWN:
		if (!host->refuse_unknown)
			return 0;
		quote_value(quoted, sizeof(quoted), *text, *len);
		mark_invalid(host, origin, "%s is not in allowed.%s "
			     "(on_unknown = refuse: nothing of the file is "
			     "stored)", quoted, f->name);
		host->invalid_fatal = 1;
		return -1;
	case VALUE_MAP_OUT_OF_MEMORY:
		break;
	}
	mark_invalid(host, origin, "out of memory");
	return -1;
}

/* A date of field outside DATE_YEAR_FIRST..DATE_YEAR_LAST, year: text
 * is what the export wrote, or NULL for a typed value. */
static void implausible_date(peil_host *host, size_t field,
			     const char *origin, const char *text, size_t len,
			     int year)
{
	const char *name = host->schema->fields[field].name;
	char shown[128];

	if (!text) {
		schema_value_text(&host->values[field], shown, sizeof(shown));
		mark_invalid(host, origin, "%s has year %04d, outside %d..%d, "
			     "the years Peil reads as a date (field %s)", shown,
			     year, DATE_YEAR_FIRST, DATE_YEAR_LAST, name);
		return;
	}
	quote_value(shown, sizeof(shown), text, len);
	mark_invalid(host, origin, "%s has year %04d, outside %d..%d, the "
		     "years Peil reads as a date (field %s): a typo? A "
		     "placeholder for 'no date' is stored empty with "
		     "recode.%s.%.*s = in the [source]", shown, year,
		     DATE_YEAR_FIRST, DATE_YEAR_LAST, name, name,
		     (int)(len > 40 ? 40 : len), text);
}

/* The typed value of field against the years of a date
 * (implausible_date) and its declared range (schema.h); text is what
 * the export wrote, or NULL for a typed value. */
static void range_check(peil_host *host, size_t field, const char *origin,
			const char *text, size_t len)
{
	const schema_rule *rule = host->rules ? &host->rules[field] : NULL;
	const peil_value *v = &host->values[field];
	char shown[128];
	int year;

	if (v->type == PEIL_TYPE_DATE && v->as.date == DATE_NO_DATE) {
		const peil_field *f = &host->schema->fields[field];

		host->values[field].type = PEIL_TYPE_NULL;
		if (!(f->flags & PEIL_FIELD_REQUIRED))
			return;
		if (text)
			quote_value(shown, sizeof(shown), text, len);
		else
			snprintf(shown, sizeof(shown), "9999-12-31");
		mark_invalid(host, origin, "%s stands for 'no date', but field "
			     "'%s' is required", shown, f->name);
		return;
	}
	if (v->type == PEIL_TYPE_DATE &&
	    (year = date_implausible_year(v->as.date)) != 0) {
		implausible_date(host, field, origin, text, len, year);
		return;
	}
	if (!rule || !schema_rule_outside(rule, v))
		return;
	schema_value_text(&host->values[field], shown, sizeof(shown));
	mark_invalid(host, origin, "%s is outside %s, the range that field %s "
		     "of dataset %s declares", shown, rule->range,
		     host->schema->fields[field].name, host->schema->name);
}

/* Each date of the record against the date it may not precede. */
static void order_check(peil_host *host, const peil_value *values)
{
	char date[32], before[32];
	size_t i;

	for (i = 0; host->rules && !host->invalid &&
		    i < host->schema->field_count; i++) {
		long other = host->rules[i].not_before;

		if (other < 0 || values[i].type != PEIL_TYPE_DATE ||
		    values[other].type != PEIL_TYPE_DATE ||
		    values[i].as.date >= values[other].as.date)
			continue;
		schema_value_text(&values[i], date, sizeof(date));
		schema_value_text(&values[other], before, sizeof(before));
		mark_invalid(host, NULL, "field %s (%s) is before field %s "
			     "(%s), which dataset %s declares it may not "
			     "precede (not_before %s)",
			     host->schema->fields[i].name, date,
			     host->schema->fields[other].name, before,
			     host->schema->name,
			     host->schema->fields[other].name);
	}
}

/* Each value of the record against its range for rows like it
 * (range.FIELD.WHEN.VALUE): a ZRM score of 6 where the ladder's 6 is
 * a rung. */
static void case_check(peil_host *host, const peil_value *values)
{
	char shown[32];

	for (size_t i = 0; host->rules && !host->invalid &&
			   i < host->schema->field_count; i++) {
		const schema_range_case *c = NULL;
		const char *when, *text;

		/* the text of the record's fields is the queue's */
		for (size_t j = 0; !c && j < host->rules[i].case_count; j++) {
			c = &host->rules[i].cases[j];
			text = record_queue_text_of(host->queue, (size_t)c->when);
			if (!text || strcmp(text, c->value) != 0)
				c = NULL;
		}
		if (!c || !schema_case_outside(c, &values[i]))
			continue;
		when = host->schema->fields[c->when].name;
		schema_value_text(&values[i], shown, sizeof(shown));
		mark_invalid(host, NULL, "field %s (%s) is outside %s, the "
			     "range that dataset %s declares for it where %s "
			     "is '%s' (range.%s.%s.%s)",
			     host->schema->fields[i].name, shown, c->range,
			     host->schema->name, when, c->value,
			     host->schema->fields[i].name, when, c->value);
	}
}

static void services_record_text(peil_host *host, size_t field,
				 const char *origin, const char *text,
				 size_t len)
{
	const peil_field *f;
	const char *problem;
	peil_value *values;
	char quoted[128];

	if (!host->schema || field >= host->schema->field_count) {
		mark_invalid(host, origin, "field index %zu out of range",
			     field);
		return;
	}
	f = &host->schema->fields[field];
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	values = record_values(host);
	if (!values)
		return;
	host->set[field] = 1;
	values[field].type = PEIL_TYPE_NULL;
	if (len && host->value_map &&
	    map_value(host, field, origin, &text, &len) < 0)
		return;
	if (len == 0) {	/* also a value recoded to empty */
		if (f->flags & PEIL_FIELD_REQUIRED)
			mark_invalid(host, origin,
				     "is empty, but field '%s' is required",
				     f->name);
		return;
	}
	problem = field_problem(host, field, text, len, &values[field]);
	if (problem == out_of_memory) {
		values[field].type = PEIL_TYPE_NULL;
		storage_out_of_memory(host);
		return;
	}
	if (!problem)
		range_check(host, field, origin, text, len);
	if (problem) {
		values[field].type = PEIL_TYPE_NULL;
		quote_value(quoted, sizeof(quoted), text, len);
		if (f->flags & PEIL_FIELD_BSN) {	/* never in full */
			bsn_mask(text, len, quoted, sizeof(quoted));
			mark_invalid(host, origin, "%s %s (field %s)", quoted,
				     problem, f->name);
		} else if (f->type == PEIL_TYPE_DATE) {
			char formats[128] = "";
			size_t i, n = 0;

			for (i = 0; i < host->formats.count && n < sizeof(formats); i++)
				n += (size_t)snprintf(
					formats + n, sizeof(formats) - n,
					"%s%s", i ? " or " : "",
					host->formats.formats[i].spec);
			mark_invalid(host, origin,
				     "%s is not a valid date in the format %s "
				     "(field %s)", quoted, formats, f->name);
		} else {
			mark_invalid(host, origin, "%s %s (field %s, %s)",
				     quoted, problem, f->name,
				     f->type == PEIL_TYPE_INTEGER ? "integer"
				     : f->type == PEIL_TYPE_REAL  ? "real"
				     : f->type == PEIL_TYPE_BOOLEAN
					     ? "boolean"
					     : "text");
		}
	}
}

static void services_record_value(peil_host *host, size_t field,
				  const char *origin, const peil_value *value)
{
	const peil_field *f;
	peil_value *values;

	if (!host->schema || field >= host->schema->field_count) {
		mark_invalid(host, origin, "field index %zu out of range",
			     field);
		return;
	}
	f = &host->schema->fields[field];
	values = record_values(host);
	if (!values)
		return;
	host->set[field] = 1;
	values[field].type = PEIL_TYPE_NULL;
	if (value->type == PEIL_TYPE_NULL) {
		if (f->flags & PEIL_FIELD_REQUIRED)
			mark_invalid(host, origin,
				     "is empty, but field '%s' is required",
				     f->name);
		return;
	}
	if (value->type != f->type) {
		mark_invalid(host, origin, "a %s value for %s field '%s'",
			     value->type == PEIL_TYPE_TEXT ? "text" : "typed",
			     f->type == PEIL_TYPE_TEXT ? "a text" : "a typed",
			     f->name);
		return;
	}
	/* A figure is either right or refused: NaN and infinity are no
	 * amount, and the stores would keep them apart (NULL, NaN). */
	if (value->type == PEIL_TYPE_REAL && !isfinite(value->as.real)) {
		mark_invalid(host, origin, "%s is not a finite number (field "
			     "%s of dataset %s, real)",
			     isnan(value->as.real)      ? "NaN"
			     : value->as.real > 0 ? "infinity"
						  : "-infinity",
			     f->name, host->schema->name);
		return;
	}
	/* Text is checked, hashed or recoded there, as from a CSV. */
	if ((f->flags & PEIL_FIELD_BSN) ||
	    (value->type == PEIL_TYPE_TEXT && host->value_map)) {
		services_record_text(host, field, origin, value->as.text,
				     value->len);
		return;
	}
	if (value->type != PEIL_TYPE_TEXT) {
		values[field] = *value;
		range_check(host, field, origin, NULL, 0);
	} else if (record_queue_text(host->queue, field, value->as.text,
				   value->len) < 0)
		storage_out_of_memory(host);
}

static void services_record_header(peil_host *host, const char *raw,
				   size_t len)
{
	char *copy = malloc(len + 1);

	host->header_given = 1;
	if (!copy)
		return;
	memcpy(copy, raw, len);
	copy[len] = '\0';
	free(host->header);
	host->header = copy;
	host->header_len = len;
}

/* Remember that the file failed, so that it is rolled back whatever the
 * plugin does next. */
static int record_failed(peil_host *host, peil_error *err, int storage)
{
	if (!host->failed) {
		host->failed = 1;
		host->storage_failed = storage;
		host->failure = *err;
	}
	return -1;
}

/* The record's text for the reject file: raw, or what lazy builds. */
struct raw_text {
	const char *raw;
	size_t len;
	int (*lazy)(void *ctx, const char **text, size_t *len);
	void *ctx;
};

static int reject_record(peil_host *host, struct raw_text *raw,
			 peil_error *err)
{
	if (!host->reject) {
		host->reject = reject_open(host->reject_dir,
					   host->section->name, host->file,
					   host->sha256, host->header,
					   host->header_len, err);
		if (!host->reject)
			return record_failed(host, err, 0);
	}
	if (raw->lazy && raw->lazy(raw->ctx, &raw->raw, &raw->len) < 0) {
		error_set(err, host->file, host->line, NULL,
			  "out of memory for the row's reject line");
		return record_failed(host, err, 0);
	}
	if (raw->raw && reject_write(host->reject, raw->raw, raw->len, err) < 0)
		return record_failed(host, err, 0);
	host->rejected++;
	log_msg(PEIL_LOG_WARNING, "%s:%ld:%s%s%s %s (row rejected)",
		host->file, host->line,
		host->invalid_origin[0] ? " column '" : "",
		host->invalid_origin, host->invalid_origin[0] ? "':" : "",
		host->invalid_message);
	return PEIL_RECORD_REJECTED;
}

/* The store failed to keep a record (line 0: not one record).  The
 * store's own error names it and the cause (a full disk, say); the log
 * must not send the operator to the export, which is not at fault. */
static int queue_failed(peil_host *host, long line, peil_error *err)
{
	if (line > 0 && !host->failed)
		log_msg(PEIL_LOG_ERROR, "%s:%ld: the store failed while storing "
			"the record of this line", host->file, line);
	return record_failed(host, err, 1);
}

/* Whether the record's key was given by an earlier row of this file:
 * then the record is marked invalid (naming the key and both lines), or
 * with keep_last *replaced is set; either way the key is remembered at
 * this line.  Out of memory marks the record invalid too, and when the keys
 * could not be noted (a temporary file failed) the file fails. */
static void key_check(peil_host *host, const peil_value *values,
		      int *replaced)
{
	char quoted[128];
	const char *key;
	size_t len;
	long earlier = 0;
	int seen = record_keys_note(&host->keys, host->queue, values,
				    host->line, &earlier);

	*replaced = seen == 1 && host->keep_last;
	if (seen == 0 || *replaced)
		return;
	if (seen < 0) {	/* the keys are no longer whole: the file fails */
		mark_invalid(host, NULL, "%s", host->keys.failure);
		host->invalid_fatal = 1;
		return;
	}
	key = record_keys_show(&host->keys, host->queue, values, &len);
	if (!key) {
		mark_invalid(host, NULL, "out of memory");
		return;
	}
	quote_value(quoted, sizeof(quoted), key, len);
	mark_invalid(host, NULL,
		     "key %s was given before, on line %ld of this file: an "
		     "export gives each key once (repeated_keys = keep_last "
		     "keeps the last row of a key)",
		     quoted, earlier);
}

/* Stamp the record with the source's scope, or mark it invalid when its
 * export gave the scope field another value: a row of another
 * organisation in this one's export would be removed by its snapshot. */
static void scope_stamp(peil_host *host)
{
	const peil_field *f = &host->schema->fields[host->scope];
	const char *text = record_queue_text_of(host->queue, host->scope);
	size_t len = strlen(host->scope_value);
	char quoted[128];

	if (!host->set[host->scope] || !text) {
		if (record_queue_text(host->queue, host->scope,
				      host->scope_value, len) < 0)
			mark_invalid(host, NULL, "out of memory");
		host->set[host->scope] = 1;
		return;
	}
	if (strcmp(text, host->scope_value) == 0)
		return;
	quote_value(quoted, sizeof(quoted), text, strlen(text));
	mark_invalid(host, NULL,
		     "%s in field '%s', but this source's rows are of scope "
		     "'%s' (scope_value)", quoted, f->name,
		     host->scope_value);
}

static int record_end(peil_host *host, struct raw_text *raw, peil_error *err)
{
	const peil_value *values;
	long line;
	size_t i;
	int replaced = 0;

	if (!host->schema || !host->file)
		return error_set(err, NULL, 0, NULL,
				 "record_end outside an input plugin's read");
	host->offered++;
	values = record_values(host);
	if (!values) {	/* the file failed before */
		*err = host->failure;
		return -1;
	}
	host->values = NULL;	/* whatever comes of it, the record ends */
	if (interrupt_requested()) {	/* the batch is rolled back */
		error_set(err, host->file, host->line, NULL,
			  "interrupted by %s while reading this file",
			  interrupt_name(interrupt_requested()));
		return record_failed(host, err, 0);
	}
	if (host->scoped && !host->invalid)
		scope_stamp(host);
	for (i = 0; !host->invalid && i < host->schema->field_count; i++) {
		const peil_field *f = &host->schema->fields[i];

		if (!host->set[i] && (f->flags & PEIL_FIELD_REQUIRED))
			mark_invalid(host, NULL,
				     "required field '%s' has no column in "
				     "this export", f->name);
	}
	order_check(host, values);
	case_check(host, values);
	if (!host->invalid && host->has_key)
		key_check(host, values, &replaced);
	/* Unknown values count only for a record that is stored. */
	value_map_record_end(host->value_map, !host->invalid);
	if (host->invalid) {
		if (host->reject_mode && !host->invalid_fatal)
			return reject_record(host, raw, err);
		error_set(err, host->file, host->line, host->invalid_origin,
			  "%s", host->invalid_message);
		return record_failed(host, err, 0);
	}
	if (record_queue_commit(host->queue, host->line, &line, err) < 0)
		return queue_failed(host, line, err);
	if (replaced)
		host->replaced++;	/* the store replaces the earlier row */
	else
		host->rows++;
	return PEIL_RECORD_STORED;
}

static int services_record_end(peil_host *host, const char *raw,
			       size_t raw_len, peil_error *err)
{
	struct raw_text text = { raw, raw_len, NULL, NULL };

	return record_end(host, &text, err);
}

static int services_record_end_lazy(peil_host *host,
				    int (*raw)(void *ctx, const char **text,
					       size_t *len),
				    void *ctx, peil_error *err)
{
	struct raw_text text = { NULL, 0, raw, ctx };

	return record_end(host, &text, err);
}

static const char *services_export_path(peil_host *host)
{
	return host->file ? host->path : NULL;
}

static const peil_services services = {
	.abi_version = PEIL_ABI_VERSION,
	.size = sizeof(peil_services),
	.log = services_log,
	.fail = error_set,
	.config_get = services_config_get,
	.config_each = services_config_each,
	.config_path = services_config_path,
	.record_schema = services_record_schema,
	.record_begin = services_record_begin,
	.record_text = services_record_text,
	.record_value = services_record_value,
	.record_end = services_record_end,
	.record_invalid = services_record_invalid,
	.record_header = services_record_header,
	.record_end_lazy = services_record_end_lazy,
	.export_path = services_export_path,
};

const peil_services *host_services(void)
{
	return &services;
}

peil_host *host_new(const config *cfg, const config_section *section,
		    const char *plugin_name)
{
	peil_host *host = calloc(1, sizeof(*host));

	if (!host)
		return NULL;
	host->cfg = cfg;
	host->section = section;
	snprintf(host->plugin_name, sizeof(host->plugin_name), "%s",
		 plugin_name);
	return host;
}

/* A dataset with a citizen-number field needs the key, and may not use
 * reject files: they copy export rows, citizen numbers and all. */
static int host_bsn_init(peil_host *host, const host_input_options *opts,
			 peil_error *err)
{
	const char *bsn_field = NULL;

	for (size_t i = 0; i < host->schema->field_count; i++)
		if (host->schema->fields[i].flags & PEIL_FIELD_BSN)
			bsn_field = host->schema->fields[i].name;
	if (!bsn_field)
		return 0;
	if (host->reject_mode)
		return config_fail(host->cfg, host->section, opts->on_error_at,
				   err, "on_error = reject cannot be used for "
				   "dataset '%s': its field '%s' is a citizen "
				   "number, and a reject file would hold it in "
				   "the clear", host->schema->name, bsn_field);
	if (!opts->key_file)
		return config_fail(host->cfg, host->section, NULL, err,
				   "dataset '%s' has a citizen-number field "
				   "'%s': set [privacy] key_file = FILE, the "
				   "municipality's secret for hashing it",
				   host->schema->name, bsn_field);
	host->bsn_key = calloc(1, sizeof(*host->bsn_key));
	if (!host->bsn_key)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (bsn_key_load(opts->key_file, host->bsn_key, err) < 0)
		return config_locate(host->cfg, opts->privacy,
				     opts->key_file_at, err);
	return 0;
}

/* The scope of the source's rows: a text field of the dataset, one of its
 * key fields when it has any, so that two scopes' rows with the same key
 * (case D1 of two organisations) are two rows, not one replacing the
 * other. */
static int host_scope_init(peil_host *host, const host_input_options *opts,
			   peil_error *err)
{
	const peil_schema *schema = host->schema;
	size_t i;

	if (!opts->scope_field)
		return 0;
	for (i = 0; i < schema->field_count; i++)
		if (strcmp(schema->fields[i].name, opts->scope_field) == 0)
			break;
	if (i == schema->field_count)
		return config_fail(host->cfg, host->section,
				   opts->scope_field_at, err,
				   "scope_field = %s: dataset '%s' has no "
				   "such field", opts->scope_field,
				   schema->name);
	if (schema->fields[i].type != PEIL_TYPE_TEXT ||
	    (schema->fields[i].flags & PEIL_FIELD_BSN))
		return config_fail(host->cfg, host->section,
				   opts->scope_field_at, err,
				   "scope_field = %s: a scope is a text field",
				   opts->scope_field);
	if (host->has_key && !(schema->fields[i].flags & PEIL_FIELD_KEY))
		return config_fail(host->cfg, host->section,
				   opts->scope_field_at, err,
				   "scope_field = %s: dataset '%s' has key "
				   "fields, and a scope must be one of them, "
				   "so that the rows of two scopes with the "
				   "same key stay two rows (field.%s = text "
				   "key)", opts->scope_field, schema->name,
				   opts->scope_field);
	host->scoped = 1;
	host->scope = i;
	host->scope_value = opts->scope_value ? opts->scope_value
					      : host->section->name;
	return 0;
}

const char *host_scope(const peil_host *host, size_t *field)
{
	*field = host->scope;
	return host->scoped ? host->scope_value : NULL;
}

_Static_assert(BSN_FINGERPRINT_SIZE == 17, "host.h's fingerprint size");

int host_key_fingerprint(const peil_host *host, char out[17])
{
	if (!host->bsn_key)
		return 0;
	return bsn_key_fingerprint(host->bsn_key, out) < 0 ? -1 : 1;
}

int host_input_init(peil_host *host, const peil_schema *schema,
		    store *storage, const host_input_options *opts,
		    peil_error *err)
{
	host->schema = schema;
	host->storage = storage;
	host->set = calloc(schema->field_count, 1);
	host->reject_dir = strdup(opts->reject_dir);
	if (!host->set || !host->reject_dir)
		return error_set(err, NULL, 0, NULL, "out of memory");
	host->queue = record_queue_new(schema, storage, err);
	if (!host->queue)
		return -1;
	host->formats = opts->formats;
	host->decimal = (char)opts->decimal;
	host->reject_mode = opts->reject;
	host->refuse_unknown = opts->refuse_unknown;
	host->rules = opts->rules;
	if (value_map_new(host->cfg, host->section, schema, &opts->formats,
			  (char)opts->decimal, opts->recode_file,
			  opts->recode_file_at, &host->value_map, err) < 0)
		return -1;
	host->keep_last = opts->keep_last;
	host->has_key = record_keys_init(&host->keys, schema);
	if (host_scope_init(host, opts, err) < 0)
		return -1;
	return host_bsn_init(host, opts, err);
}

void host_file_begin(peil_host *host, const char *path, const char *sha256)
{
	reject_discard(host->reject);
	host->reject = NULL;
	host->reject_name[0] = '\0';
	free(host->header);
	host->header = NULL;
	host->file = host->path = path;
	host->alias = NULL;
	host->values = NULL;
	snprintf(host->sha256, sizeof(host->sha256), "%s",
		 sha256 ? sha256 : "");
	host->line = 0;
	host->rows = 0;
	host->rejected = 0;
	value_map_file_begin(host->value_map);
	host->replaced = 0;
	host->offered = 0;
	host->header_given = 0;
	record_keys_forget(&host->keys);
	host->failed = 0;
	host->storage_failed = 0;
}

int host_file_storage_failed(const peil_host *host)
{
	return host->failed && host->storage_failed;
}

int host_file_prepare(peil_host *host, host_file_stats *stats,
		      peil_error *err)
{
	peil_error stored;
	long line;

	if (!host->failed &&
	    record_queue_flush(host->queue, &line, &stored) < 0)
		queue_failed(host, line, &stored);
	stats->rows = host->rows;
	stats->rejected = host->rejected;
	stats->unknown = 0;
	stats->replaced = host->replaced;
	stats->offered = host->offered;
	stats->header = host->header_given;
	stats->reject_path = NULL;
	stats->storage_failed = host->storage_failed;
	if (host->failed) {
		*err = host->failure;
		return -1;
	}
	stats->unknown = value_map_report(host->value_map, host->file);
	if (host->reject) {
		snprintf(host->reject_name, sizeof(host->reject_name), "%s",
			 reject_path(host->reject));
		stats->reject_path = host->reject_name;
		if (reject_close(host->reject, err) < 0)
			return -1;
	}
	return 0;
}

int host_file_end(peil_host *host, int committed, peil_error *err)
{
	reject_file *rf = host->reject;
	int rc = 0;

	host->reject = NULL;
	host->file = NULL;
	host->values = NULL;
	if (!committed)
		record_queue_discard(host->queue);
	if (rf && committed)
		rc = reject_commit(rf, err);
	else
		reject_discard(rf);
	return rc;
}

void host_free(peil_host *host)
{
	size_t i;

	if (!host)
		return;
	host_file_begin(host, NULL, NULL);
	host->file = NULL;
	record_queue_free(host->queue);
	free(host->set);
	value_map_free(host->value_map);
	bsn_key_clear(host->bsn_key);
	free(host->bsn_key);
	free(host->reject_dir);
	record_keys_release(&host->keys);
	for (i = 0; i < host->path_count; i++)
		free(host->paths[i]);
	free(host->paths);
	free(host);
}
