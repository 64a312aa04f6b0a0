/*
 * kpi_target.c - where a KPI's targets apply, and the status of a figure
 * against them: the KPI's target for every cell and the total, the total
 * only or the cells only (target.applies), and targets of the cells with
 * one breakdown value (target.min.perceel.Basiskracht = 800).  The
 * configuration ([kpi ID], kpi.c) and the script (target = { ... },
 * kpi_links.c) set them through kpi_target_put; docs/kpi-scripts.md,
 * "Targets".
 */
#include "kpi/kpi_model.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "model/results.h"

/* The lower (is_min) or upper bound x. */
static void bound_set(int is_min, double x, int *has_min, double *min,
		      int *has_max, double *max)
{
	*(is_min ? has_min : has_max) = 1;
	*(is_min ? min : max) = x;
}

int kpi_target_put(kpi_info *info, const char *key, double x)
{
	int is_min = strncmp(key, "min", 3) == 0;
	kpi_cell_target *grown, *t = NULL;
	const char *where;

	if (!is_min && strncmp(key, "max", 3) != 0)
		return -1;
	if (!key[3]) {
		bound_set(is_min, x, &info->has_min, &info->target_min,
			  &info->has_max, &info->target_max);
		return 0;
	}
	/* min.FIELD.VALUE: a field and a value, neither empty */
	where = key + 4;
	if (key[3] != '.' || !strchr(where, '.') || where[0] == '.' ||
	    !strchr(where, '.')[1])
		return -1;
	for (size_t i = 0; i < info->cell_target_count; i++)
		if (strcmp(info->cell_targets[i].where, where) == 0)
			t = (kpi_cell_target *)&info->cell_targets[i];
	if (!t) {
		grown = realloc((void *)info->cell_targets,
				(info->cell_target_count + 1) *
					sizeof(*grown));
		if (!grown)
			return -2;
		info->cell_targets = grown;
		t = &grown[info->cell_target_count];
		memset(t, 0, sizeof(*t));
		t->where = strdup(where);
		if (!t->where)
			return -2;
		info->cell_target_count++;
	}
	bound_set(is_min, x, &t->has_min, &t->min, &t->has_max, &t->max);
	return 0;
}

int kpi_target_scope_parse(const char *text, kpi_target_scope *out)
{
	static const char *const names[] = { "all", "total", "cells" };

	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (kpi_target_scope)i;
			return 0;
		}
	return -1;
}

void kpi_targets_free(kpi_info *info)
{
	for (size_t i = 0; i < info->cell_target_count; i++)
		free(info->cell_targets[i].where);
	free((void *)info->cell_targets);
	info->cell_targets = NULL;
	info->cell_target_count = 0;
}

int kpi_targets_bind(const kpi *k, peil_error *err)
{
	const kpi_info *i = &k->info;

	for (size_t t = 0; t < i->cell_target_count; t++) {
		const char *where = i->cell_targets[t].where;
		size_t f;

		for (f = 0; f < i->breakdown_count; f++) {
			size_t n = strlen(i->breakdown[f]);

			if (strncmp(where, i->breakdown[f], n) == 0 &&
			    where[n] == '.')
				break;
		}
		if (f == i->breakdown_count)
			return error_set(err, i->script, i->line, NULL,
					 "kpi '%s': target %s: the KPI is not "
					 "broken down by that field (breakdown "
					 "%zu field%s)", i->id, where,
					 i->breakdown_count,
					 i->breakdown_count == 1 ? "" : "s");
	}
	return 0;
}

/* The status of value against [min, max] with k's margin, or the set's. */
static const char *target_status(const kpi_set *set, const kpi_info *k,
				 int has_min, double min, int has_max,
				 double max, double value)
{
	double miss = 0, bound = 0, margin;
	int relative;

	if (has_min && value < min) {
		miss = min - value;
		bound = min;
	} else if (has_max && value > max) {
		miss = value - max;
		bound = max;
	}
	if (miss == 0)
		return "met";
	if (k->has_margin) {
		margin = k->margin;
		relative = k->margin_relative;
	} else if (set && set->has_margin) {
		margin = set->margin;
		relative = set->margin_relative;
	} else {
		return "not met";
	}
	if (relative)
		margin = (bound < 0 ? -bound : bound) * margin / 100.0;
	return miss <= margin ? "at risk" : "not met";
}

struct cell_status {
	const kpi_set *set;
	const kpi_info *k;
	double value;
	const char *status;	/* the worst so far, or NULL */
};

static int status_rank(const char *status)
{
	return !status ? 0 : strcmp(status, "met") == 0 ? 1 :
	       strcmp(status, "at risk") == 0 ? 2 : 3;
}

/* A field of the cell: the targets of its value. */
static int cell_status_field(void *arg, const char *field, const char *value)
{
	struct cell_status *c = arg;
	size_t n = strlen(field);

	if (!value)
		return 0;
	for (size_t i = 0; i < c->k->cell_target_count; i++) {
		const kpi_cell_target *t = &c->k->cell_targets[i];
		const char *s;

		if (strncmp(t->where, field, n) != 0 || t->where[n] != '.' ||
		    strcmp(t->where + n + 1, value) != 0)
			continue;
		s = target_status(c->set, c->k, t->has_min, t->min,
				  t->has_max, t->max, c->value);
		if (status_rank(s) > status_rank(c->status))
			c->status = s;
	}
	return 0;
}

const char *kpi_status(const kpi_set *set, const kpi_info *k,
		       const char *breakdown, double value)
{
	int total = !breakdown || strcmp(breakdown, "{}") == 0;

	if (value != value)
		return NULL;
	if (!total && k->cell_target_count) {
		struct cell_status c = { set, k, value, NULL };

		result_breakdown_each(breakdown, cell_status_field, &c);
		if (c.status)
			return c.status;
	}
	if ((!k->has_min && !k->has_max) ||
	    k->target_scope == (total ? KPI_TARGET_CELLS : KPI_TARGET_TOTAL))
		return NULL;
	return target_status(set, k, k->has_min, k->target_min, k->has_max,
			     k->target_max, value);
}
