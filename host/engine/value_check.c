/*
 * value_check.c - KPI literals that the stored data never holds, rows
 * that break their dataset's declared rules, dates that cannot be right
 * (value_check.h).
 *
 * One scan per dataset, of the fields that any of the checks reads: the
 * text fields that KPIs compare, the fields of declared ranges and date
 * orders, and the date fields.  Each scan of a 10M store's datasets
 * took seconds (docs/benchmarks.md), so the checks share it; their
 * warnings are written after all scans, in the order of the checks.  A
 * compared field's row costs a hash lookup, and its values are counted
 * (within value_counts' bound) so that the warning can say what the
 * field does hold.
 */
#include "engine/value_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/log.h"
#include "base/strmap.h"
#include "base/value_counts.h"
#include "plugin/value_map.h"

#define VALUES_SHOWN 5		/* stored values named in a warning */

/* A literal that a KPI compares a field with. */
typedef struct literal {
	const char *kpi;	/* the KPI's id, borrowed from the set */
	const char *dataset;	/* borrowed from the set */
	char *field;
	char *text;
	size_t len;
} literal;

/* One compared field of the dataset being scanned. */
typedef struct checked_field {
	size_t field;		/* schema index */
	size_t at;		/* position in the scan's projection */
	strmap literals;	/* the texts compared with */
	unsigned char *seen;	/* [literals.count] */
	value_counts values;	/* the stored values */
} checked_field;

struct collect {
	literal *items;
	size_t count;
	strmap keys;		/* kpi, field and text: each once */
	int failed;
};

static void collect_literal(void *arg, const kpi_info *kpi,
			    const char *field, const char *text, size_t len)
{
	struct collect *c = arg;
	size_t klen = strlen(kpi->id), flen = strlen(field);
	char *key = malloc(klen + flen + len + 2);
	literal *grown;
	int added = 0;

	if (!key) {
		c->failed = 1;
		return;
	}
	memcpy(key, kpi->id, klen + 1);
	memcpy(key + klen + 1, field, flen + 1);
	memcpy(key + klen + flen + 2, text, len);
	if (strmap_put(&c->keys, key, klen + flen + len + 2, &added) < 0)
		c->failed = 1;
	free(key);
	if (!added)
		return;
	grown = grow_for(c->items, c->count, sizeof(*grown));
	if (!grown) {
		c->failed = 1;
		return;
	}
	c->items = grown;
	grown[c->count].kpi = kpi->id;
	grown[c->count].dataset = kpi->dataset;
	grown[c->count].field = strdup(field);
	grown[c->count].text = malloc(len + 1);
	grown[c->count].len = len;
	if (!grown[c->count].field || !grown[c->count].text) {
		free(grown[c->count].field);
		free(grown[c->count].text);
		c->failed = 1;
		return;
	}
	memcpy(grown[c->count].text, text, len);
	grown[c->count].text[len] = '\0';
	c->count++;
}

struct scan_state {
	checked_field *fields;
	size_t count;
	int64_t rows;
	int failed;
};

/* The position of field in the projection, added when not there. */
static long project(size_t *projection, size_t *n, size_t field)
{
	for (size_t i = 0; i < *n; i++)
		if (projection[i] == field)
			return (long)i;
	projection[*n] = field;
	return (long)(*n)++;
}

static int scan_row(void *arg, const peil_value *values)
{
	struct scan_state *st = arg;

	st->rows++;
	for (size_t j = 0; j < st->count; j++) {
		checked_field *cf = &st->fields[j];
		long i;

		const peil_value *v = &values[cf->at];

		if (v->type != PEIL_TYPE_TEXT)
			continue;
		i = strmap_find(&cf->literals, v->as.text, v->len);
		if (i >= 0)
			cf->seen[i] = 1;
		if (value_counts_add(&cf->values, v->as.text, v->len) < 0) {
			st->failed = 1;
			return -1;
		}
	}
	return 0;
}

static void release_fields(checked_field *fields, size_t count)
{
	for (size_t j = 0; j < count; j++) {
		strmap_release(&fields[j].literals);
		value_counts_release(&fields[j].values);
		free(fields[j].seen);
	}
	free(fields);
}

/* The compared text fields of schema, each with its literals, into *out
 * (added to the projection of *n fields). */
static int fields_of(const struct collect *c, const peil_schema *schema,
		     checked_field **out, size_t *count, size_t *projection,
		     size_t *projected)
{
	checked_field *fields = calloc(schema->field_count, sizeof(*fields));
	size_t n = 0;

	if (!fields)
		goto fail;
	for (size_t f = 0; f < schema->field_count; f++) {
		const peil_field *pf = &schema->fields[f];
		checked_field *cf = &fields[n];
		int added;

		if (pf->type != PEIL_TYPE_TEXT || (pf->flags & PEIL_FIELD_BSN))
			continue;
		for (size_t i = 0; i < c->count; i++)
			if (strcmp(c->items[i].dataset, schema->name) == 0 &&
			    strcmp(c->items[i].field, pf->name) == 0 &&
			    strmap_put(&cf->literals, c->items[i].text,
				       c->items[i].len, &added) < 0)
				goto fail;
		if (!cf->literals.count)
			continue;
		cf->field = f;
		cf->at = (size_t)project(projection, projected, f);
		cf->seen = calloc(cf->literals.count, 1);
		if (!cf->seen)
			goto fail;
		n++;
	}
	*out = fields;
	*count = n;
	return 0;
fail:
	if (fields)
		release_fields(fields, schema->field_count);
	return -1;
}

/* The stored values of cf other than l that fold (value_map_fold) to
 * what l folds to, with their counts, into out ("'Ja' 2x, 'JA' 1x"); the
 * rows that hold them, or -1 when out of memory. */
static int64_t spelled_otherwise(const checked_field *cf, const literal *l,
				 char *out, size_t size)
{
	const strmap *values = &cf->values.values;
	char *want = malloc(l->len + 1), *got = NULL;
	size_t want_len, got_cap = 0, n = 0;
	int64_t rows = 0;

	if (!want)
		return -1;
	want_len = value_map_fold(l->text, l->len, want);
	out[0] = '\0';
	for (size_t i = 0; i < values->count; i++) {
		size_t len = strmap_len(values, i);
		const char *key = strmap_key(values, i);

		if (cf->values.counts[i] <= 0 ||
		    (len == l->len && memcmp(key, l->text, len) == 0))
			continue;
		if (len + 1 > got_cap) {
			char *grown = realloc(got, len + 1);

			if (!grown) {
				rows = -1;
				break;
			}
			got = grown;
			got_cap = len + 1;
		}
		if (value_map_fold(key, len, got) != want_len ||
		    memcmp(got, want, want_len) != 0)
			continue;
		rows += cf->values.counts[i];
		if (n < size)
			n += (size_t)snprintf(out + n, size - n, "%s'%.60s' %lldx",
					      n ? ", " : "", key,
					      (long long)cf->values.counts[i]);
	}
	free(want);
	free(got);
	return rows;
}

/* Warnings of schema's dataset, scanned into st: its literals that no
 * row holds, and those that rows hold spelled otherwise ("Ja" for "ja"),
 * which the KPI does not count as the literal. */
static long literal_warnings(const struct collect *c,
			     const peil_schema *schema,
			     const struct scan_state *st, peil_error *err)
{
	long warnings = 0;
	char held[512];

	if (st->count && !st->rows)
		log_msg(PEIL_LOG_INFO, "dataset %s holds no rows yet: the "
			"values its KPIs compare with are not checked",
			schema->name);
	for (size_t i = 0; st->rows && i < c->count; i++) {
		const literal *l = &c->items[i];
		checked_field *cf = NULL;
		long k;

		if (strcmp(l->dataset, schema->name) != 0)
			continue;
		for (size_t j = 0; j < st->count; j++)
			if (strcmp(schema->fields[st->fields[j].field].name,
				   l->field) == 0)
				cf = &st->fields[j];
		if (!cf)
			continue;
		k = strmap_find(&cf->literals, l->text, l->len);
		if (k < 0)
			continue;
		if (cf->seen[k]) {
			int64_t rows = spelled_otherwise(cf, l, held,
							 sizeof(held));

			if (rows < 0)
				return error_set(err, NULL, 0, NULL,
						 "out of memory");
			if (rows == 0)
				continue;
			log_msg(PEIL_LOG_WARNING, "KPI %s compares field %s "
				"of dataset %s with '%s', but %lld of its %lld "
				"stored rows spell it otherwise, which the KPI "
				"does not count as '%s': %s (fold.%s = all with "
				"allowed.%s, or recode.%s.FROM, in the [source]; "
				"docs/configuration.md)",
				l->kpi, l->field, schema->name, l->text,
				(long long)rows, (long long)st->rows, l->text,
				held, l->field, l->field, l->field);
			warnings++;
			continue;
		}
		value_counts_list(&cf->values, VALUES_SHOWN, held,
				  sizeof(held));
		log_msg(PEIL_LOG_WARNING, "KPI %s compares field %s of "
			"dataset %s with '%s', which none of its %lld stored "
			"rows holds (it holds %s): recode the export's values "
			"([source NAME] recode.%s.FROM, docs/configuration.md)",
			l->kpi, l->field, schema->name, l->text,
			(long long)st->rows, held[0] ? held : "no value",
			l->field);
		warnings++;
	}
	return warnings;
}

/* ------------------------------------------------ declared ranges, stored */

#define KEY_SHOWN 160		/* bytes of a row's key in a warning */

/* The rows that break one rule, counted, and the first of them. */
typedef struct broken {
	int64_t rows;
	peil_value value, other;	/* the first's (other: not_before's) */
	char text[72];			/* the first's value when a text */
	char key[KEY_SHOWN];		/* the first's key, "" without one */
} broken;

/* One field's rules, counted over the stored rows. */
typedef struct rule_count {
	size_t field;		/* schema index */
	const schema_rule *rule;	/* its declared rule, or no_rule */
	long at, before_at;	/* positions in the projection; -1: none */
	long *when_at;		/* per range for some rows: its WHEN's */
	broken outside, earlier, unlisted;
	broken *cases;		/* per range for some rows */
	strmap_cache *listed;	/* the field's allowed texts seen, or NULL */
} rule_count;

/* The rule of a field that declares none in its [dataset]. */
static const schema_rule no_rule = { .not_before = -1 };

struct rule_scan {
	const peil_schema *schema;
	/* [field_count]: the values that the field's allowed.FIELD lists
	 * store (allowed_of), held against its stored values where checked
	 * is set (a list may store none: 'vijf' of an integer field) */
	strmap *allowed;
	unsigned char *checked;
	rule_count *counts;
	size_t count;
	long *key_at;		/* the key fields' positions */
	size_t key_count;
	int64_t rows;
};

/* The key of the row values as a warning names it: "case_id 'D7'", its
 * fields joined by ", " when there are several. */
static void key_text(const struct rule_scan *st, const peil_value *values,
		     char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < st->key_count && used < size; i++) {
		const peil_value *v = &values[st->key_at[i]];
		const char *name = "";
		char shown[32];

		for (size_t f = 0, k = 0; f < st->schema->field_count; f++)
			if (st->schema->fields[f].flags & PEIL_FIELD_KEY &&
			    k++ == i)
				name = st->schema->fields[f].name;
		if (v->type == PEIL_TYPE_TEXT)
			used += (size_t)snprintf(out + used, size - used,
						 "%s%s '%.*s'", i ? ", " : "",
						 name, (int)(v->len > 64 ? 64 : v->len),
						 v->as.text);
		else {
			schema_value_text(v, shown, sizeof(shown));
			used += (size_t)snprintf(out + used, size - used,
						 "%s%s %s", i ? ", " : "",
						 name, shown);
		}
	}
}

/* The bytes by which allowed lists hold v, a value of its field's type:
 * a text as it is, a number, date or boolean as its bytes in the union
 * (-0.0 as 0.0, which the same text gives), into *key. */
static size_t value_key(const peil_value *v, const char **key,
			char buf[sizeof(v->as)])
{
	double real;

	*key = buf;
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		*key = v->as.text;
		return v->len;
	case PEIL_TYPE_INTEGER:
		memcpy(buf, &v->as.integer, sizeof(v->as.integer));
		return sizeof(v->as.integer);
	case PEIL_TYPE_REAL:
		real = v->as.real == 0 ? 0.0 : v->as.real;
		memcpy(buf, &real, sizeof(real));
		return sizeof(real);
	case PEIL_TYPE_DATE:
		memcpy(buf, &v->as.date, sizeof(v->as.date));
		return sizeof(v->as.date);
	case PEIL_TYPE_BOOLEAN:
		buf[0] = (char)(v->as.boolean != 0);
		return 1;
	default:
		return 0;
	}
}

/* Whether v, a value of rc's field, is one of allowed: a lookup in the
 * cache of the values found before (most rows hold one of a few), then
 * in the list. */
static int listed(rule_count *rc, const strmap *allowed, const peil_value *v)
{
	char buf[sizeof(v->as)];
	const char *key;
	size_t len = value_key(v, &key, buf), slot;
	long i = strmap_cache_find(rc->listed, allowed, key, len, &slot);

	if (i < 0 && (i = strmap_find(allowed, key, len)) >= 0)
		strmap_cache_put(rc->listed, slot, i);
	return i >= 0;
}

/* Count a row that breaks b: the first is kept, its key named. */
static void count_broken(const struct rule_scan *st, broken *b,
			 const peil_value *values, const peil_value *v,
			 const peil_value *other)
{
	if (b->rows++)
		return;
	b->value = *v;
	if (v->type == PEIL_TYPE_TEXT)
		snprintf(b->text, sizeof(b->text), "%.*s",
			 (int)(v->len > 64 ? 64 : v->len), v->as.text);
	else
		schema_value_text(v, b->text, sizeof(b->text));
	if (other)
		b->other = *other;
	key_text(st, values, b->key, sizeof(b->key));
}

static int rule_row(void *arg, const peil_value *values)
{
	struct rule_scan *st = arg;

	st->rows++;
	for (size_t i = 0; i < st->count; i++) {
		rule_count *rc = &st->counts[i];
		const schema_rule *r = rc->rule;
		const peil_value *v = &values[rc->at];
		const strmap *allowed = &st->allowed[rc->field];

		if (schema_rule_outside(r, v))
			count_broken(st, &rc->outside, values, v, NULL);
		/* as ingest checks them (plugin/host.c): empty ones are not */
		if (st->checked[rc->field] && v->type != PEIL_TYPE_NULL &&
		    (v->type != PEIL_TYPE_TEXT || v->len) &&
		    !listed(rc, allowed, v))
			count_broken(st, &rc->unlisted, values, v, NULL);
		if (rc->before_at >= 0 && v->type == PEIL_TYPE_DATE &&
		    values[rc->before_at].type == PEIL_TYPE_DATE &&
		    v->as.date < values[rc->before_at].as.date)
			count_broken(st, &rc->earlier, values, v,
				     &values[rc->before_at]);
		/* as ingest checks them (plugin/host.c, case_check) */
		for (size_t c = 0; c < r->case_count; c++) {
			const peil_value *when = &values[rc->when_at[c]];

			if (when->type == PEIL_TYPE_TEXT &&
			    when->len == strlen(r->cases[c].value) &&
			    memcmp(when->as.text, r->cases[c].value,
				   when->len) == 0 &&
			    schema_case_outside(&r->cases[c], v))
				count_broken(st, &rc->cases[c], values, v,
					     NULL);
		}
	}
	return 0;
}

/* Into set, the value that the ingest stores for item of a list of the
 * field of type: the text as it is, or read as the ingest of src reads a
 * listed text (schema_value_parse); an item that is no value of the type
 * stores none (the ingest refuses the row).  -1 when out of memory. */
static int allowed_put(strmap *set, peil_type type,
		       const settings_source *src, const char *item)
{
	peil_value v = { .type = PEIL_TYPE_TEXT, .as.text = item,
			 .len = strlen(item) };
	char buf[sizeof(v.as)];
	const char *key;
	size_t len;
	int added;

	if (type != PEIL_TYPE_TEXT &&
	    (!v.len || schema_value_parse(type, &src->input.formats,
					  (char)src->input.decimal, item,
					  v.len, &v)))
		return 0;
	len = value_key(&v, &key, buf);
	return strmap_put(set, key, len, &added) < 0 ? -1 : 0;
}

/* The values that the sources of schema's dataset store in each field
 * by their allowed.FIELD lists, into st->allowed: a field is checked
 * when every source of the dataset lists its values and refuses what
 * its list lacks (on_unknown = refuse), against all their lists (a row
 * does not say which source stored it).  Under on_unknown = warn a
 * value outside the list is one the settings admit, with the warning
 * (and exit 2) of the ingest that stored it: not a broken rule that
 * every later run would repeat.  -1 with err when a source's lists
 * cannot be read or memory runs out. */
static int allowed_of(const peil_context *ctx, const peil_schema *schema,
		      struct rule_scan *st, peil_error *err)
{
	size_t fields = schema->field_count, sources = 0;
	unsigned char *open = calloc(fields + 1, 1);
	int rc = 0;

	st->allowed = calloc(fields + 1, sizeof(*st->allowed));
	st->checked = calloc(fields + 1, 1);
	if (!open || !st->allowed || !st->checked) {
		free(open);
		return error_set(err, NULL, 0, NULL, "out of memory");
	}
	for (size_t s = 0; rc == 0 && s < ctx->settings.source_count; s++) {
		const settings_source *src = &ctx->settings.sources[s];
		value_map *map = NULL;

		if (!src->dataset || strcmp(src->dataset, schema->name) != 0)
			continue;
		sources++;
		rc = value_map_new(ctx->cfg, src->section, schema,
				   &src->input.formats,
				   (char)src->input.decimal, NULL, NULL, &map,
				   err);
		for (size_t f = 0; rc == 0 && f < fields; f++) {
			size_t count = 0;
			char *const *list = map ? value_map_allowed(map, f,
								    &count)
						: NULL;

			if (!list || !src->input.refuse_unknown)
				open[f] = 1;
			for (size_t k = 0; rc == 0 && k < count; k++)
				if (allowed_put(&st->allowed[f],
						schema->fields[f].type, src,
						list[k]) < 0)
					rc = error_set(err, NULL, 0, NULL,
						       "out of memory");
		}
		value_map_free(map);
	}
	for (size_t f = 0; f < fields; f++)
		if (open[f] || !sources)
			strmap_release(&st->allowed[f]);
		else
			st->checked[f] = 1;
	free(open);
	return rc;
}

/* The fields of schema's rules and allowed lists (st->allowed), and its
 * key fields, into st (added to the projection of *n fields); -1 when
 * out of memory. */
static int rules_of(const peil_schema *schema, const schema_rule *rules,
		    struct rule_scan *st, size_t *projection, size_t *n)
{
	st->counts = calloc(schema->field_count, sizeof(*st->counts));
	st->key_at = calloc(schema->field_count, sizeof(*st->key_at));
	if (!st->counts || !st->key_at)
		return -1;
	for (size_t i = 0; i < schema->field_count; i++) {
		rule_count *rc = &st->counts[st->count];
		const schema_rule *r = rules ? &rules[i] : &no_rule;

		if (!r->ranged && r->not_before < 0 && !r->case_count &&
		    !st->checked[i])
			continue;
		rc->field = i;
		rc->rule = r;
		rc->at = project(projection, n, i);
		rc->before_at = r->not_before < 0
					? -1
					: project(projection, n,
						  (size_t)r->not_before);
		rc->when_at = calloc(r->case_count + 1, sizeof(*rc->when_at));
		rc->cases = calloc(r->case_count + 1, sizeof(*rc->cases));
		rc->listed = st->checked[i] ? calloc(1, sizeof(*rc->listed))
					    : NULL;
		st->count++;
		if (!rc->when_at || !rc->cases || (st->checked[i] && !rc->listed))
			return -1;
		for (size_t c = 0; c < r->case_count; c++)
			rc->when_at[c] = project(projection, n,
						 (size_t)r->cases[c].when);
	}
	for (size_t i = 0; st->count && i < schema->field_count; i++)
		if (schema->fields[i].flags & PEIL_FIELD_KEY)
			st->key_at[st->key_count++] =
				project(projection, n, i);
	return 0;
}

static void rules_release(struct rule_scan *st)
{
	for (size_t i = 0; i < st->count; i++) {
		free(st->counts[i].when_at);
		free(st->counts[i].cases);
		free(st->counts[i].listed);
	}
	for (size_t f = 0; st->allowed && f < st->schema->field_count; f++)
		strmap_release(&st->allowed[f]);
	free(st->allowed);
	free(st->checked);
	free(st->counts);
	free(st->key_at);
}

/* " in the row of case_id 'D7'" for a warning, or "" without a key. */
static const char *row_of(const broken *b, char *out, size_t size)
{
	if (!b->key[0])
		return "";
	snprintf(out, size, " in the row of %s", b->key);
	return out;
}

/* Warnings of schema's dataset, scanned into st: rows that break its
 * declared rules, each rule's first such row named by its key. */
static long rule_warnings(const peil_schema *schema,
			  const struct rule_scan *st)
{
	long warnings = 0;
	char value[32], before[32], row[KEY_SHOWN + 32];

	for (size_t i = 0; i < st->count; i++) {
		const rule_count *rc = &st->counts[i];
		const schema_rule *r = rc->rule;
		const char *name = schema->fields[rc->field].name;

		if (rc->unlisted.rows) {
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows hold a %s that allowed.%s of "
				"its sources does not list (the first: '%s')%s, "
				"stored before the list was declared: peil "
				"ingest --force reads the exports again and "
				"names their lines",
				schema->name, (long long)rc->unlisted.rows,
				(long long)st->rows, name, name,
				rc->unlisted.text,
				row_of(&rc->unlisted, row, sizeof(row)));
			warnings++;
		}

		if (rc->outside.rows) {
			schema_value_text(&rc->outside.value, value,
					  sizeof(value));
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows hold a %s outside %s, the "
				"range that field.%s declares (the first: %s)%s, "
				"stored before it was declared: peil ingest "
				"--force reads the exports again and names "
				"their lines", schema->name,
				(long long)rc->outside.rows, (long long)st->rows,
				name, r->range, name, value,
				row_of(&rc->outside, row, sizeof(row)));
			warnings++;
		}
		if (rc->earlier.rows) {
			schema_value_text(&rc->earlier.value, value,
					  sizeof(value));
			schema_value_text(&rc->earlier.other, before,
					  sizeof(before));
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows have %s before %s (the first: "
				"%s before %s)%s, which field.%s declares it may "
				"not precede, stored before it was declared: "
				"peil ingest --force reads the exports again "
				"and names their lines", schema->name,
				(long long)rc->earlier.rows, (long long)st->rows,
				name, schema->fields[r->not_before].name,
				value, before,
				row_of(&rc->earlier, row, sizeof(row)), name);
			warnings++;
		}
		for (size_t c = 0; c < r->case_count; c++) {
			const schema_range_case *rcase = &r->cases[c];
			const char *when = schema->fields[rcase->when].name;

			if (!rc->cases[c].rows)
				continue;
			schema_value_text(&rc->cases[c].value, value,
					  sizeof(value));
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows hold a %s outside %s where %s "
				"is '%s', the range that range.%s.%s.%s "
				"declares (the first: %s)%s, stored before it "
				"was declared: peil ingest --force reads the "
				"exports again and names their lines",
				schema->name, (long long)rc->cases[c].rows,
				(long long)st->rows, name, rcase->range, when,
				rcase->value, name, when, rcase->value, value,
				row_of(&rc->cases[c], row, sizeof(row)));
			warnings++;
		}
	}
	return warnings;
}

/* ---------------------------------------------------- implausible dates */

#define YEARS (DATE_YEAR_LAST - DATE_YEAR_FIRST + 1)

/* The stored dates of one date field, counted per year. */
typedef struct year_count {
	size_t field;		/* schema index */
	size_t at;		/* position in the scan's projection */
	int64_t years[YEARS], outside, total;
	int32_t first[YEARS], first_outside;	/* the first seen of each */
	/* The days of the year of the last date seen, [from, to), and its
	 * index in years: the dates of a row after another are mostly of
	 * the same year, and date_to_civil was two thirds of the
	 * instructions of counting a date.  Empty (0, 0) before the first. */
	int32_t from, to;
	int year;
} year_count;

struct year_scan {
	year_count *counts;
	size_t count;
};

static int year_row(void *arg, const peil_value *values)
{
	struct year_scan *st = arg;

	for (size_t i = 0; i < st->count; i++) {
		year_count *yc = &st->counts[i];
		const peil_value *v = &values[yc->at];
		int y, m, d;

		if (v->type != PEIL_TYPE_DATE)
			continue;
		yc->total++;
		if (v->as.date < yc->from || v->as.date >= yc->to) {
			if (date_implausible_year(v->as.date)) {
				if (!yc->outside++)
					yc->first_outside = v->as.date;
				continue;
			}
			date_to_civil(v->as.date, &y, &m, &d);
			yc->year = y - DATE_YEAR_FIRST;
			yc->from = date_from_civil(y, 1, 1);
			yc->to = date_from_civil(y + 1, 1, 1);
		}
		if (!yc->years[yc->year]++)
			yc->first[yc->year] = v->as.date;
	}
	return 0;
}

/* Warnings for year y of yc when no other stored date of the field lies
 * within VALUE_CHECK_GAP_YEARS of it and most lie elsewhere. */
static long isolated_year(const peil_schema *schema, const year_count *yc,
			  int y)
{
	int64_t near = 0, here = yc->years[y];
	int nearest = -1;
	char first[11];

	for (int o = 0; o < YEARS; o++) {
		if (o == y || !yc->years[o])
			continue;
		if (abs(o - y) <= VALUE_CHECK_GAP_YEARS)
			near += yc->years[o];
		if (nearest < 0 || abs(o - y) < abs(nearest - y))
			nearest = o;
	}
	if (near || nearest < 0 || here >= yc->total - yc->outside - here)
		return 0;
	date_format_iso(yc->first[y], first);
	log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its stored %s dates "
		"lie in %d (the first: %s), %d years from every other one (the "
		"nearest in %d): a typo in the export? Such a date counts in "
		"the figures of its year", schema->name, (long long)here,
		schema->fields[yc->field].name, y + DATE_YEAR_FIRST, first,
		abs(nearest - y), nearest + DATE_YEAR_FIRST);
	return 1;
}

/* The date fields of schema into st (added to the projection of *n
 * fields); -1 when out of memory. */
static int years_of(const peil_schema *schema, struct year_scan *st,
		    size_t *projection, size_t *n)
{
	st->counts = calloc(schema->field_count, sizeof(*st->counts));
	if (!st->counts)
		return -1;
	for (size_t i = 0; i < schema->field_count; i++)
		if (schema->fields[i].type == PEIL_TYPE_DATE) {
			st->counts[st->count].field = i;
			st->counts[st->count++].at =
				(size_t)project(projection, n, i);
		}
	return 0;
}

/* Warnings of schema's dataset, scanned into st: dates outside the years
 * that ingest takes, and isolated years. */
static long year_warnings(const peil_schema *schema,
			  const struct year_scan *st)
{
	long warnings = 0;
	char first[16];

	for (size_t i = 0; i < st->count; i++) {
		const year_count *yc = &st->counts[i];

		if (yc->outside) {
			date_format_iso(yc->first_outside, first);
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"stored %s dates lie outside the years %d..%d "
				"(the first: %s), stored before ingest refused "
				"them: peil ingest --force reads the exports "
				"again and names their lines", schema->name,
				(long long)yc->outside,
				schema->fields[yc->field].name, DATE_YEAR_FIRST,
				DATE_YEAR_LAST, first);
			warnings++;
		}
		for (int y = 0; y < YEARS; y++)
			if (yc->years[y])
				warnings += isolated_year(schema, yc, y);
	}
	return warnings;
}

/* ------------------------------------------------------- the one scan */

/* What one scan of a dataset gathers for the three checks. */
typedef struct dataset_scan {
	struct scan_state literals;
	struct rule_scan rules;
	struct year_scan years;
	size_t *projection;	/* [field_count] */
	size_t n;
} dataset_scan;

static int dataset_row(void *arg, const peil_value *values)
{
	dataset_scan *s = arg;

	if (s->literals.count && scan_row(&s->literals, values) < 0)
		return -1;
	if (s->rules.count)
		rule_row(&s->rules, values);
	if (s->years.count)
		year_row(&s->years, values);
	return 0;
}

/* Scan schema's dataset once for what c, rules (NULL: none declared),
 * the allowed lists of its sources and, with years set, its date fields
 * ask, into s. */
static int scan_dataset(peil_context *ctx, const struct collect *c,
			const peil_schema *schema, const schema_rule *rules,
			int years, dataset_scan *s, peil_error *err)
{
	s->rules.schema = schema;
	if (allowed_of(ctx, schema, &s->rules, err) < 0)
		return -1;
	s->projection = calloc(schema->field_count + 1,
			       sizeof(*s->projection));
	if (!s->projection ||
	    (c->count && fields_of(c, schema, &s->literals.fields,
				   &s->literals.count, s->projection,
				   &s->n) < 0) ||
	    rules_of(schema, rules, &s->rules, s->projection, &s->n) < 0 ||
	    (years && years_of(schema, &s->years, s->projection, &s->n) < 0))
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (!s->literals.count && !s->rules.count && !s->years.count)
		return 0;
	if (store_scan(ctx->store, schema, NULL, s->projection, s->n,
		       dataset_row, s, err) < 0) {
		if (s->literals.failed)
			error_set(err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	return 0;
}

static void dataset_scan_release(dataset_scan *s, const peil_schema *schema)
{
	if (s->literals.fields)
		release_fields(s->literals.fields, schema->field_count);
	rules_release(&s->rules);
	free(s->years.counts);
	free(s->projection);
}

/* value_check_stored, or with all 0 value_check_rules. */
static long check_stored(peil_context *ctx, int all, peil_error *err)
{
	size_t count = ctx->schemas.count;
	dataset_scan *scans = calloc(count + 1, sizeof(*scans));
	struct collect c;
	long warnings = 0, n;

	memset(&c, 0, sizeof(c));
	if (all)
		kpi_set_each_literal(ctx->kpis, collect_literal, &c);
	if (c.failed || !scans) {
		warnings = error_set(err, NULL, 0, NULL, "out of memory");
		goto done;
	}
	for (size_t d = 0; d < count; d++) {
		const peil_schema *schema = &ctx->schemas.schemas[d];

		if (scan_dataset(ctx, &c, schema,
				 schema_set_rules(&ctx->schemas, schema), all,
				 &scans[d], err) < 0) {
			warnings = -1;
			goto done;
		}
	}
	for (size_t d = 0; c.count && d < count; d++) {
		n = literal_warnings(&c, &ctx->schemas.schemas[d],
				     &scans[d].literals, err);
		if (n < 0) {
			warnings = -1;
			goto done;
		}
		warnings += n;
	}
	for (size_t d = 0; d < count; d++) {
		const peil_schema *schema = &ctx->schemas.schemas[d];

		warnings += rule_warnings(schema, &scans[d].rules) +
			    year_warnings(schema, &scans[d].years);
	}
done:
	for (size_t d = 0; scans && d < count; d++)
		dataset_scan_release(&scans[d], &ctx->schemas.schemas[d]);
	free(scans);
	for (size_t i = 0; i < c.count; i++) {
		free(c.items[i].field);
		free(c.items[i].text);
	}
	free(c.items);
	strmap_release(&c.keys);
	return warnings;
}

long value_check_stored(peil_context *ctx, peil_error *err)
{
	return check_stored(ctx, 1, err);
}

long value_check_rules(peil_context *ctx, peil_error *err)
{
	return check_stored(ctx, 0, err);
}
