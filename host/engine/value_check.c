/*
 * value_check.c - KPI literals that the stored data never holds
 * (value_check.h).
 *
 * One scan per dataset, of the text fields that KPIs compare only; a
 * row costs a hash lookup per such field, and the field's values are
 * counted (within value_counts' bound) so that the warning can say what
 * the field does hold.
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

static int scan_row(void *arg, const peil_value *values)
{
	struct scan_state *st = arg;

	st->rows++;
	for (size_t j = 0; j < st->count; j++) {
		checked_field *cf = &st->fields[j];
		long i;

		if (values[j].type != PEIL_TYPE_TEXT)
			continue;
		i = strmap_find(&cf->literals, values[j].as.text,
				values[j].len);
		if (i >= 0)
			cf->seen[i] = 1;
		if (value_counts_add(&cf->values, values[j].as.text,
				     values[j].len) < 0) {
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
 * (a projection in projection). */
static int fields_of(const struct collect *c, const peil_schema *schema,
		     checked_field **out, size_t **projection, size_t *count)
{
	checked_field *fields = calloc(schema->field_count, sizeof(*fields));
	size_t *proj = calloc(schema->field_count, sizeof(*proj)), n = 0;

	if (!fields || !proj)
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
		cf->seen = calloc(cf->literals.count, 1);
		if (!cf->seen)
			goto fail;
		proj[n++] = f;
	}
	*out = fields;
	*projection = proj;
	*count = n;
	return 0;
fail:
	release_fields(fields, schema->field_count);
	free(proj);
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

/* Scan schema's dataset and warn of its literals that no row holds, and
 * of those that rows hold spelled otherwise ("Ja" for "ja"), which the
 * KPI does not count as the literal. */
static long check_dataset(peil_context *ctx, const struct collect *c,
			  const peil_schema *schema, peil_error *err)
{
	struct scan_state st = { NULL, 0, 0, 0 };
	size_t *projection = NULL;
	long warnings = 0;
	char held[512];

	if (fields_of(c, schema, &st.fields, &projection, &st.count) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (st.count &&
	    store_scan(ctx->store, schema, NULL, projection, st.count,
		       scan_row, &st, err) < 0) {
		if (st.failed)
			error_set(err, NULL, 0, NULL, "out of memory");
		warnings = -1;
		goto done;
	}
	if (st.count && !st.rows)
		log_msg(PEIL_LOG_INFO, "dataset %s holds no rows yet: the "
			"values its KPIs compare with are not checked",
			schema->name);
	for (size_t i = 0; st.rows && i < c->count; i++) {
		const literal *l = &c->items[i];
		checked_field *cf = NULL;
		long k;

		if (strcmp(l->dataset, schema->name) != 0)
			continue;
		for (size_t j = 0; j < st.count; j++)
			if (strcmp(schema->fields[st.fields[j].field].name,
				   l->field) == 0)
				cf = &st.fields[j];
		if (!cf)
			continue;
		k = strmap_find(&cf->literals, l->text, l->len);
		if (k < 0)
			continue;
		if (cf->seen[k]) {
			int64_t rows = spelled_otherwise(cf, l, held,
							 sizeof(held));

			if (rows < 0) {
				warnings = error_set(err, NULL, 0, NULL,
						     "out of memory");
				goto done;
			}
			if (rows == 0)
				continue;
			log_msg(PEIL_LOG_WARNING, "KPI %s compares field %s "
				"of dataset %s with '%s', but %lld of its %lld "
				"stored rows spell it otherwise, which the KPI "
				"does not count as '%s': %s (fold.%s = all with "
				"allowed.%s, or recode.%s.FROM, in the [source]; "
				"docs/configuration.md)",
				l->kpi, l->field, schema->name, l->text,
				(long long)rows, (long long)st.rows, l->text,
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
			(long long)st.rows, held[0] ? held : "no value",
			l->field);
		warnings++;
	}
done:
	release_fields(st.fields, schema->field_count);
	free(projection);
	return warnings;
}

long value_check_literals(peil_context *ctx, peil_error *err)
{
	struct collect c;
	long warnings = 0, n;

	memset(&c, 0, sizeof(c));
	kpi_set_each_literal(ctx->kpis, collect_literal, &c);
	if (c.failed) {
		warnings = error_set(err, NULL, 0, NULL, "out of memory");
		goto done;
	}
	for (size_t d = 0; c.count && d < ctx->schemas.count; d++) {
		n = check_dataset(ctx, &c, &ctx->schemas.schemas[d], err);
		if (n < 0) {
			warnings = -1;
			goto done;
		}
		warnings += n;
	}
done:
	for (size_t i = 0; i < c.count; i++) {
		free(c.items[i].field);
		free(c.items[i].text);
	}
	free(c.items);
	strmap_release(&c.keys);
	return warnings;
}

/* ------------------------------------------------ declared ranges, stored */

/* One field's rule, counted over the stored rows. */
typedef struct rule_count {
	size_t field;		/* schema index */
	long at, before_at;	/* positions in the projection; -1: none */
	int64_t outside, earlier;
	peil_value example, example_before;	/* the first of each */
} rule_count;

struct rule_scan {
	const schema_rule *rules;
	rule_count *counts;
	size_t count;
	int64_t rows;
};

static int rule_row(void *arg, const peil_value *values)
{
	struct rule_scan *st = arg;

	st->rows++;
	for (size_t i = 0; i < st->count; i++) {
		rule_count *rc = &st->counts[i];
		const schema_rule *r = &st->rules[rc->field];
		const peil_value *v = &values[rc->at];

		if (schema_rule_outside(r, v) && !rc->outside++)
			rc->example = *v;
		if (rc->before_at >= 0 && v->type == PEIL_TYPE_DATE &&
		    values[rc->before_at].type == PEIL_TYPE_DATE &&
		    v->as.date < values[rc->before_at].as.date &&
		    !rc->earlier++) {
			rc->example = *v;
			rc->example_before = values[rc->before_at];
		}
	}
	return 0;
}

/* The position of field in the projection, added when not there. */
static long project(size_t *projection, size_t *n, size_t field)
{
	for (size_t i = 0; i < *n; i++)
		if (projection[i] == field)
			return (long)i;
	projection[*n] = field;
	return (long)(*n)++;
}

static long rules_of_dataset(peil_context *ctx, const peil_schema *schema,
			     const schema_rule *rules, peil_error *err)
{
	struct rule_scan st = { rules, NULL, 0, 0 };
	size_t *projection, n = 0;
	long warnings = 0;
	char value[32], before[32];

	st.counts = calloc(schema->field_count, sizeof(*st.counts));
	projection = calloc(schema->field_count, sizeof(*projection));
	if (!st.counts || !projection) {
		warnings = error_set(err, NULL, 0, NULL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < schema->field_count; i++) {
		rule_count *rc = &st.counts[st.count];

		if (!rules[i].ranged && rules[i].not_before < 0)
			continue;
		rc->field = i;
		rc->at = project(projection, &n, i);
		rc->before_at = rules[i].not_before < 0
					? -1
					: project(projection, &n,
						  (size_t)rules[i].not_before);
		st.count++;
	}
	if (store_scan(ctx->store, schema, NULL, projection, n, rule_row, &st,
		       err) < 0) {
		warnings = -1;
		goto done;
	}
	for (size_t i = 0; i < st.count; i++) {
		const rule_count *rc = &st.counts[i];
		const schema_rule *r = &rules[rc->field];
		const char *name = schema->fields[rc->field].name;

		if (rc->outside) {
			schema_value_text(&rc->example, value, sizeof(value));
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows hold a %s outside %s, the "
				"range that field.%s declares (the first: %s), "
				"stored before it was declared: peil ingest "
				"--force reads the exports again and names "
				"their lines", schema->name,
				(long long)rc->outside, (long long)st.rows,
				name, r->range, name, value);
			warnings++;
		}
		if (rc->earlier) {
			schema_value_text(&rc->example, value, sizeof(value));
			schema_value_text(&rc->example_before, before,
					sizeof(before));
			log_msg(PEIL_LOG_WARNING, "dataset %s: %lld of its "
				"%lld stored rows have %s before %s (the first: "
				"%s before %s), which field.%s declares it may "
				"not precede, stored before it was declared: "
				"peil ingest --force reads the exports again "
				"and names their lines", schema->name,
				(long long)rc->earlier, (long long)st.rows,
				name, schema->fields[r->not_before].name,
				value, before, name);
			warnings++;
		}
	}
done:
	free(st.counts);
	free(projection);
	return warnings;
}

/* ---------------------------------------------------- implausible dates */

#define YEARS (DATE_YEAR_LAST - DATE_YEAR_FIRST + 1)

/* The stored dates of one date field, counted per year. */
typedef struct year_count {
	size_t field;		/* schema index */
	int64_t years[YEARS], outside, total;
	int32_t first[YEARS], first_outside;	/* the first seen of each */
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
		int y, m, d;

		if (values[i].type != PEIL_TYPE_DATE)
			continue;
		yc->total++;
		if (date_implausible_year(values[i].as.date)) {
			if (!yc->outside++)
				yc->first_outside = values[i].as.date;
			continue;
		}
		date_to_civil(values[i].as.date, &y, &m, &d);
		if (!yc->years[y - DATE_YEAR_FIRST]++)
			yc->first[y - DATE_YEAR_FIRST] = values[i].as.date;
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

static long dates_of_dataset(peil_context *ctx, const peil_schema *schema,
			     peil_error *err)
{
	struct year_scan st = { NULL, 0 };
	size_t *projection;
	long warnings = 0;
	char first[16];

	st.counts = calloc(schema->field_count, sizeof(*st.counts));
	projection = calloc(schema->field_count, sizeof(*projection));
	if (!st.counts || !projection) {
		warnings = error_set(err, NULL, 0, NULL, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < schema->field_count; i++)
		if (schema->fields[i].type == PEIL_TYPE_DATE) {
			st.counts[st.count].field = i;
			projection[st.count++] = i;
		}
	if (st.count == 0)
		goto done;
	if (store_scan(ctx->store, schema, NULL, projection, st.count,
		       year_row, &st, err) < 0) {
		warnings = -1;
		goto done;
	}
	for (size_t i = 0; i < st.count; i++) {
		const year_count *yc = &st.counts[i];

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
done:
	free(st.counts);
	free(projection);
	return warnings;
}

long value_check_rules(peil_context *ctx, peil_error *err)
{
	long warnings = 0;

	for (size_t d = 0; d < ctx->schemas.count; d++) {
		const peil_schema *schema = &ctx->schemas.schemas[d];
		const schema_rule *rules = schema_set_rules(&ctx->schemas,
							    schema);
		long n = rules ? rules_of_dataset(ctx, schema, rules, err) : 0;
		long dates = n < 0 ? -1 : dates_of_dataset(ctx, schema, err);

		if (dates < 0)
			return -1;
		warnings += n + dates;
	}
	return warnings;
}
