/*
 * kpi_groups.c - breakdown values in groups: Utrecht reports
 * its referral sources as "huisarts/POH", "wijkteam" and "overige
 * redenen".  A [group NAME] maps values to groups, from a file of
 * value;group rows (base/csv_table.h) or from a dataset's value and group
 * fields; a value it lacks goes to its other group ("overig").  An empty
 * value is no value: it stays empty, "(onbekend)" in the outputs, never
 * merged with the unmapped ones.
 *
 * The mapping is applied where a cell's JSON text is written
 * (kpi_cells.c), once per new combination of raw values: the values of a
 * group share its cell, and a row costs what it cost before.
 */
#include "kpi/kpi_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_table.h"
#include "base/error.h"

void kpi_group_free(kpi_group *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->values.count; i++)
		free(g->groups[i]);
	free(g->groups);
	strmap_release(&g->values);
	free(g->name);
	free(g->other);
	free(g->file);
	free(g->dataset);
	free(g->value_field);
	free(g->group_field);
	free(g);
}

/* value's group is group; 0, 1 when value has another group already
 * (*was that one), -1 when out of memory. */
static int kpi_group_put(kpi_group *g, const char *value, size_t len,
			 const char *group, size_t group_len, const char **was)
{
	int added;
	long i = strmap_put(&g->values, value, len, &added);

	if (i < 0)
		return -1;
	if (!added) {
		*was = g->groups[i];
		return strlen(*was) == group_len &&
		       memcmp(*was, group, group_len) == 0 ? 0 : 1;
	}
	if ((size_t)i >= g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		char **grown = realloc(g->groups, cap * sizeof(*grown));

		if (!grown)
			return -1;
		g->groups = grown;
		g->cap = cap;
	}
	g->groups[i] = strndup(group, group_len);
	return g->groups[i] ? 0 : -1;
}

const char *kpi_group_of(const kpi_group *g, const char *text, size_t len)
{
	long i = strmap_find(&g->values, text, len);

	return i >= 0 ? g->groups[i] : g->other;
}

static kpi_group *kpi_group_new(kpi_set *set, const char *name,
				const char *other, peil_error *err)
{
	kpi_group *g, **grown;

	for (size_t i = 0; i < set->group_count; i++)
		if (strcmp(set->groups[i]->name, name) == 0) {
			error_set(err, NULL, 0, NULL, "[group %s] twice", name);
			return NULL;
		}
	g = calloc(1, sizeof(*g));
	grown = realloc(set->groups, (set->group_count + 1) * sizeof(*grown));
	if (grown)
		set->groups = grown;
	if (!g || !grown || !(g->name = strdup(name)) ||
	    !(g->other = strdup(other))) {
		kpi_group_free(g);
		error_set(err, NULL, 0, NULL, "out of memory");
		return NULL;
	}
	set->groups[set->group_count++] = g;
	return g;
}

struct group_file {
	kpi_group *g;
	const char *path;
};

/* A row of a group file: value;group. */
static int kpi_group_row(void *arg, char **cell, long line, peil_error *err)
{
	struct group_file *f = arg;
	const char *was = NULL;
	int rc;

	if (!*cell[0])
		return error_set(err, f->path, line, NULL, "an empty value "
				 "cannot be grouped: it stays empty "
				 "((onbekend))");
	if (!*cell[1])
		return error_set(err, f->path, line, NULL, "'%s': the group "
				 "is empty", cell[0]);
	rc = kpi_group_put(f->g, cell[0], strlen(cell[0]), cell[1],
			   strlen(cell[1]), &was);
	if (rc < 0)
		return error_set(err, f->path, line, NULL, "out of memory");
	if (rc > 0)
		return error_set(err, f->path, line, NULL, "'%s' is in two "
				 "groups: '%s' and '%s'", cell[0], was,
				 cell[1]);
	return 0;
}

int kpi_set_group_file(kpi_set *set, const char *name, const char *other,
		       const char *path, peil_error *err)
{
	static const char *const header[] = { "value", "group" };
	struct group_file f = { kpi_group_new(set, name, other, err), path };

	if (!f.g)
		return -1;
	if (!(f.g->file = strdup(path)))
		return error_set(err, NULL, 0, NULL, "out of memory");
	return csv_table_read(path, "group file", header, 2, kpi_group_row,
			      &f, err);
}

int kpi_set_group_dataset(kpi_set *set, const char *name, const char *other,
			  const char *dataset, const char *value,
			  const char *group, peil_error *err)
{
	kpi_group *g = kpi_group_new(set, name, other, err);

	if (!g)
		return -1;
	if (!(g->dataset = strdup(dataset)) ||
	    !(g->value_field = strdup(value)) ||
	    !(g->group_field = strdup(group)))
		return error_set(err, NULL, 0, NULL, "out of memory");
	return 0;
}

kpi_group *kpi_set_group(const kpi_set *set, const char *name)
{
	for (size_t i = 0; set && i < set->group_count; i++)
		if (strcmp(set->groups[i]->name, name) == 0)
			return set->groups[i];
	return NULL;
}

int kpi_groups_bind(kpi *k, peil_error *err)
{
	size_t n = k->info.breakdown_count;

	free(k->breakdown_group);
	k->breakdown_group = NULL;
	if (!k->grouping_count)
		return 0;
	k->breakdown_group = calloc(n ? n : 1, sizeof(*k->breakdown_group));
	if (!k->breakdown_group)
		return error_set(err, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < k->grouping_count; i++) {
		const kpi_grouping *gr = &k->groupings[i];
		const kpi_group *g = kpi_set_group(k->set, gr->group);
		size_t f;

		for (f = 0; f < n; f++)
			if (strcmp(k->info.breakdown[f], gr->field) == 0)
				break;
		if (!g)
			return error_set(err, k->info.script, k->info.line,
					 NULL, "kpi '%s': %s%s%s: no [group %s] "
					 "in the configuration", k->info.id,
					 gr->configured ? "[kpi] group." :
					 "group(", gr->field,
					 gr->configured ? "" : ")", gr->group);
		/* The script's group() of a field that [kpi ID] breakdown
		 * left out has nothing to group; the contract's own
		 * group.FIELD must name a field of the breakdown. */
		if (f == n && gr->configured)
			return error_set(err, k->info.script, k->info.line,
					 NULL, "kpi '%s': [kpi %s] group.%s: "
					 "'%s' is not in the breakdown",
					 k->info.id, k->info.id, gr->field,
					 gr->field);
		if (f < n)
			k->breakdown_group[f] = g;
	}
	return 0;
}

struct group_scan {
	kpi_group *g;
	size_t value, group;
	peil_error *err;
};

/* A row of a group dataset: its value and group fields. */
static int kpi_group_dataset_row(void *arg, const peil_value *values)
{
	struct group_scan *s = arg;
	const peil_value *v = &values[s->value], *grp = &values[s->group];
	const char *was = NULL;
	int rc;

	if (v->type != PEIL_TYPE_TEXT || !v->len)
		return 0;	/* an empty value stays empty */
	if (grp->type != PEIL_TYPE_TEXT || !grp->len) {
		error_set(s->err, NULL, 0, s->g->group_field, "[group %s]: "
			  "dataset %s: value '%.*s' has no group", s->g->name,
			  s->g->dataset, (int)v->len, v->as.text);
		return -1;
	}
	rc = kpi_group_put(s->g, v->as.text, v->len, grp->as.text, grp->len,
			   &was);
	if (rc < 0) {
		error_set(s->err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	if (rc > 0) {
		error_set(s->err, NULL, 0, s->g->value_field, "[group %s]: "
			  "dataset %s: '%.*s' is in two groups: '%s' and "
			  "'%.*s'", s->g->name, s->g->dataset, (int)v->len,
			  v->as.text, was, (int)grp->len, grp->as.text);
		return -1;
	}
	return 0;
}

/* The index of the text field name of schema, or -1. */
static long kpi_group_field(const peil_schema *schema, const char *name)
{
	for (size_t i = 0; i < schema->field_count; i++)
		if (strcmp(schema->fields[i].name, name) == 0)
			return schema->fields[i].type == PEIL_TYPE_TEXT
				       ? (long)i : -1;
	return -1;
}

int kpi_group_load(kpi_group *g, uint64_t evaluation,
		   const kpi_source *source, peil_error *err)
{
	const peil_schema *schema;
	struct group_scan s = { g, 0, 0, err };
	size_t *all;
	long value, group;
	int rc;

	if (!g->dataset || g->evaluation == evaluation)
		return 0;
	schema = source->schema(source->ctx, g->dataset);
	if (!schema)
		return error_set(err, NULL, 0, NULL, "[group %s]: unknown "
				 "dataset '%s'", g->name, g->dataset);
	value = kpi_group_field(schema, g->value_field);
	group = kpi_group_field(schema, g->group_field);
	if (value < 0 || group < 0)
		return error_set(err, NULL, 0, NULL, "[group %s]: dataset %s "
				 "has no text field '%s'", g->name, g->dataset,
				 value < 0 ? g->value_field : g->group_field);
	s.value = (size_t)value;
	s.group = (size_t)group;
	for (size_t i = 0; i < g->values.count; i++)
		free(g->groups[i]);
	strmap_release(&g->values);
	all = malloc((schema->field_count ? schema->field_count : 1) *
		     sizeof(*all));
	if (!all)
		return error_set(err, NULL, 0, NULL, "out of memory");
	for (size_t i = 0; i < schema->field_count; i++)
		all[i] = i;
	rc = source->scan(source->ctx, schema, NULL, all, schema->field_count,
			  kpi_group_dataset_row, &s, err);
	free(all);
	if (rc != 0)
		return -1;
	g->evaluation = evaluation;
	return 0;
}
