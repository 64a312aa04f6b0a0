/*
 * kpi_denominator.c - a denominator from another dataset: in
 * ratio(count(), dataset_sum("population", "inhabitants"), 1000) the
 * inhabitants of the rows of dataset population whose breakdown fields
 * (the KPI's, by name) hold the cell's values; for the total, of all its
 * rows.  Read once per evaluation of the KPI, before its figures are
 * made (kpi_eval.c); docs/kpi-scripts.md, "Ratios".
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "model/results.h"

struct kpi_den_table {
	strmap keys;		/* the breakdown values, '\x1f' between */
	double *sums;		/* [key] */
	size_t cap;
	double total;
};

struct den_scan {
	const kpi *k;
	const char *dataset, *field;
	kpi_den_table *t;
	const peil_schema *schema;
	size_t *by;		/* the breakdown fields in the dataset */
	size_t value;
	peil_error *err;
};

/* One value into buf as the key part the cells give it ("" for null). */
static int den_part(const peil_value *v, char *buf, size_t size)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		return snprintf(buf, size, "%.*s", (int)v->len, v->as.text);
	case PEIL_TYPE_INTEGER:
		return snprintf(buf, size, "%lld", (long long)v->as.integer);
	default:
		return snprintf(buf, size, "%s", "");
	}
}

static int den_add(struct den_scan *s, const char *key, size_t len,
		   double x)
{
	int added;
	long i = strmap_put(&s->t->keys, key, len, &added);

	if (i < 0)
		return -1;
	if ((size_t)i >= s->t->cap) {
		size_t cap = s->t->cap ? 2 * s->t->cap : 64;
		double *grown = realloc(s->t->sums, cap * sizeof(*grown));

		if (!grown)
			return -1;
		s->t->sums = grown;
		s->t->cap = cap;
	}
	if (added)
		s->t->sums[i] = 0;
	s->t->sums[i] += x;
	return 0;
}

static int den_row(void *arg, const peil_value *values)
{
	struct den_scan *s = arg;
	const peil_value *v = &values[s->value];
	char key[1024];
	size_t used = 0;
	double x;

	if (v->type == PEIL_TYPE_INTEGER)
		x = (double)v->as.integer;
	else if (v->type == PEIL_TYPE_REAL)
		x = v->as.real;
	else {
		error_set(s->err, s->k->info.script, s->k->info.line, NULL,
			  "kpi '%s': dataset_sum(\"%s\", \"%s\"): a row "
			  "without a number in '%s', so the denominator is "
			  "unknown", s->k->info.id, s->dataset, s->field,
			  s->field);
		return -1;
	}
	for (size_t f = 0; f < s->k->info.breakdown_count; f++) {
		int n = f ? snprintf(key + used, sizeof(key) - used, "\x1f")
			  : 0;

		if (n > 0)
			used += (size_t)n;
		n = den_part(&values[s->by[f]], key + used,
			     sizeof(key) - used);
		if (n > 0)
			used += (size_t)n;
		if (used >= sizeof(key))
			used = sizeof(key) - 1;
	}
	s->t->total += x;
	if (den_add(s, key, used, x) < 0) {
		error_set(s->err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	return 0;
}

static long den_field(const peil_schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->field_count; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return (long)i;
	return -1;
}

int kpi_den_load(const kpi *k, const kpi_node *part,
		 const kpi_source *source, kpi_den_table **out,
		 peil_error *err)
{
	struct den_scan s = { k, part->consts[0].text, part->consts[1].text,
			      NULL, NULL, NULL, 0, err };
	size_t *all = NULL;
	long i;
	int rc = -1;

	*out = NULL;
	s.schema = source->schema(source->ctx, s.dataset);
	if (!s.schema)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': dataset_sum(): no dataset '%s'",
				 k->info.id, s.dataset);
	i = den_field(s.schema, s.field);
	if (i < 0 || (s.schema->fields[i].type != PEIL_TYPE_INTEGER &&
		      s.schema->fields[i].type != PEIL_TYPE_REAL))
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': dataset_sum(): dataset %s has no "
				 "number field '%s'", k->info.id, s.dataset,
				 s.field);
	s.value = (size_t)i;
	if (k->grouping_count)
		return error_set(err, k->info.script, k->info.line, NULL,
				 "kpi '%s': dataset_sum() with a grouped "
				 "breakdown: the dataset's values are not "
				 "grouped", k->info.id);
	s.t = calloc(1, sizeof(*s.t));
	s.by = calloc(k->info.breakdown_count + 1, sizeof(*s.by));
	all = malloc((s.schema->field_count + 1) * sizeof(*all));
	if (!s.t || !s.by || !all) {
		error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < k->info.breakdown_count; f++) {
		i = den_field(s.schema, k->info.breakdown[f]);
		if (i < 0) {
			error_set(err, k->info.script, k->info.line, NULL,
				  "kpi '%s': dataset_sum(): dataset %s has no "
				  "field '%s' of the breakdown", k->info.id,
				  s.dataset, k->info.breakdown[f]);
			goto out;
		}
		s.by[f] = (size_t)i;
	}
	for (size_t f = 0; f < s.schema->field_count; f++)
		all[f] = f;
	if (source->scan(source->ctx, s.schema, NULL, all,
			 s.schema->field_count, den_row, &s, err) != 0)
		goto out;
	if (!s.t->keys.count) {
		error_set(err, k->info.script, k->info.line, NULL,
			  "kpi '%s': dataset_sum(): dataset %s holds no rows, "
			  "so every denominator is unknown", k->info.id,
			  s.dataset);
		goto out;
	}
	*out = s.t;
	s.t = NULL;
	rc = 0;
out:
	kpi_den_free(s.t);
	free(s.by);
	free(all);
	return rc;
}

double kpi_den_of(const kpi_den_table *t, const kpi *k,
		  const char *breakdown)
{
	char key[1024], value[512];
	size_t used = 0;
	long i;

	if (!breakdown || strcmp(breakdown, "{}") == 0)
		return t->total;
	for (size_t f = 0; f < k->info.breakdown_count; f++) {
		int n;

		if (!result_breakdown_value(breakdown, k->info.breakdown[f],
					    value, sizeof(value)))
			value[0] = '\0';
		n = snprintf(key + used, sizeof(key) - used, "%s%s",
			     f ? "\x1f" : "", value);
		if (n > 0)
			used += (size_t)n;
		if (used >= sizeof(key))
			used = sizeof(key) - 1;
	}
	i = strmap_find(&t->keys, key, used);
	return i < 0 ? NAN : t->sums[i];
}

void kpi_den_free(kpi_den_table *t)
{
	if (!t)
		return;
	strmap_release(&t->keys);
	free(t->sums);
	free(t);
}
