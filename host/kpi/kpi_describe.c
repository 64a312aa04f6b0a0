/*
 * kpi_describe.c - a KPI's definition as text, for peil explain and the
 * catalogue docs/kpis.md: the compiled select, where, having and rule
 * written back in the language of the scripts (a Lua function shows as
 * "function (line N)"), the target with its margin, and the parameters.
 */
#include "kpi/kpi_model.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct describe_buf {
	char *out;
	size_t size, used;
	const kpi *params;	/* write param("x") as its value, or NULL */
	int per_period;		/* met a value that depends on the period */
	int exact;		/* a key: numbers in full ("%g" would give
				   1e+06 for 1000000 and 1000001) */
} describe_buf;

static void put(describe_buf *b, const char *fmt, ...) PEIL_PRINTF(2, 3);
static void put(describe_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->out + b->used, b->size - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n;
	if (b->used >= b->size)
		b->used = b->size - 1;
}

static const char *node_name(kpi_op op)
{
	static const struct { kpi_op op; const char *name; } names[] = {
		{ KPI_STARTED_IN, "started_in" }, { KPI_CLOSED_IN, "closed_in" },
		{ KPI_RUNNING_IN, "running_in" },
		{ KPI_ON_REFERENCE_DATE, "on_reference_date" },
		{ KPI_UP_TO, "up_to" }, { KPI_CUMULATIVE, "cumulative" },
		{ KPI_WORKDAYS, "workdays" },
		{ KPI_DAYS_BETWEEN, "days_between" },
		{ KPI_MONTHS_TO_REFERENCE, "months_to_reference" }, { KPI_IS_SET, "is_set" },
		{ KPI_OVERDUE, "overdue" }, { KPI_FIRST_RISE, "first_rise" },
		{ KPI_SCORE_CHANGE, "score_change" },
		{ KPI_IN_PERIOD, "in_period" },
		{ KPI_IS_EMPTY, "is_empty" }, { KPI_EQ, "eq" }, { KPI_NE, "ne" },
		{ KPI_LT, "lt" }, { KPI_LE, "at_most" }, { KPI_GT, "gt" },
		{ KPI_GE, "at_least" }, { KPI_ONE_OF, "one_of" },
		{ KPI_ALL, "all" }, { KPI_ANY, "any" }, { KPI_NEGATE, "negate" },
		{ KPI_COUNT, "count" }, { KPI_COUNT_DISTINCT, "count_distinct" },
		{ KPI_SUM, "sum" }, { KPI_MEAN, "mean" }, { KPI_MIN, "min" },
		{ KPI_MAX, "max" }, { KPI_SHARE, "share" },
		{ KPI_RATIO, "ratio" },
		{ KPI_SHARE_OF_TOTAL, "share_of_total" },
		{ KPI_DATASET_SUM, "dataset_sum" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].op == op)
			return names[i].name;
	return "?";
}

static void put_const(describe_buf *b, const kpi_const *c)
{
	if (c->reference)
		b->per_period = 1;
	if (c->param && b->params)
		for (size_t i = 0; i < b->params->param_count; i++)
			if (strcmp(b->params->params[i].name, c->param) == 0) {
				put_const(b, &b->params->params[i].value);
				return;
			}
	if (c->reference)
		put(b, "reference_date()");
	else if (c->param)
		put(b, "param(\"%s\")", c->param);
	else if (c->type == KPI_VALUE_NUMBER)
		put(b, b->exact ? "%.17g" : "%g", c->num);
	else if (c->type == KPI_VALUE_BOOLEAN)
		put(b, "%s", c->num ? "true" : "false");
	else
		put(b, "\"%s\"", c->text ? c->text : "");
}

static void put_node(describe_buf *b, const kpi_node *n)
{
	if (n->op == KPI_REFERENCE_DATE || n->op == KPI_MONTHS_TO_REFERENCE ||
	    n->op == KPI_OVERDUE || n->op == KPI_IN_PERIOD ||
	    n->op == KPI_SCORE_CHANGE)
		b->per_period = 1;
	if (n->op == KPI_LUA_MEASURE || n->op == KPI_LUA_CONDITION) {
		put(b, "function (line %ld)", n->line);
		return;
	}
	if (n->op == KPI_FIELD) {
		put(b, "\"%s\"", n->name[0]);
		return;
	}
	put(b, "%s", node_name(n->op));
	if (n->op == KPI_OVERDUE) {
		put(b, " { start = \"%s\"", n->name[0]);
		if (n->name[1])
			put(b, ", stop = \"%s\"", n->name[1]);
		put(b, ", months = { ");
		for (size_t i = 1; i < n->const_count; i++)
			put(b, b->exact ? "%s%.17g" : "%s%g",
			    i > 1 ? ", " : "", n->consts[i].num);
		put(b, " }, lookup = \"%s\", key = \"%s\", step = \"%s\", "
		    "done = \"%s\", grace_days = ", n->link[0], n->name[2],
		    n->link[1], n->link[2]);
		put_const(b, &n->consts[0]);
		put(b, " }");
		return;
	}
	if (n->op == KPI_FIRST_RISE) {
		put(b, " { lookup = \"%s\", key = \"%s\", date = \"%s\", "
		    "score = \"%s\", from = \"%s\"", n->link[0], n->name[2],
		    n->link[1], n->link[2], n->name[0]);
		if (n->name[1])
			put(b, ", to = \"%s\"", n->name[1]);
		put(b, ", rungs = ");
		put_const(b, &n->consts[0]);
		if (n->link[3])
			put(b, ", order = \"%s\"", n->link[3]);
		put(b, " }");
		return;
	}
	if (n->op == KPI_SCORE_CHANGE) {
		put(b, " { lookup = \"%s\", key = \"%s\", date = \"%s\", "
		    "score = \"%s\"", n->link[0], n->name[2], n->link[1],
		    n->link[2]);
		if (n->name[1])
			put(b, ", by = \"%s\"", n->name[1]);
		put(b, " }");
		return;
	}
	if (n->op == KPI_ALL || n->op == KPI_ANY) {
		put(b, " { ");
		for (size_t i = 0; i < n->kid_count; i++) {
			put(b, "%s", i ? ", " : "");
			put_node(b, n->kids[i]);
		}
		put(b, " }");
		return;
	}
	put(b, "(");
	if (n->name[0])
		put(b, "\"%s\"", n->name[0]);
	if (n->name[1])
		put(b, ", \"%s\"", n->name[1]);
	for (size_t i = 0; i < n->kid_count; i++) {
		put(b, "%s", i ? ", " : "");
		put_node(b, n->kids[i]);
	}
	if (n->op == KPI_ONE_OF) {
		put(b, ", { ");
		for (size_t i = 0; i < n->const_count; i++) {
			put(b, "%s", i ? ", " : "");
			put_const(b, &n->consts[i]);
		}
		put(b, " }");
	} else {
		for (size_t i = 0; i < n->const_count; i++) {
			put(b, "%s", n->kid_count || n->name[0] || i ? ", "
								     : "");
			put_const(b, &n->consts[i]);
		}
	}
	put(b, ")");
}

void kpi_set_describe_params(const kpi_set *set, const char *id, char *out,
			     size_t size)
{
	kpi *k = kpi_set_kpi(set, id);
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; k && i < k->param_count && used < size; i++) {
		const kpi_param *p = &k->params[i];
		int n = p->value.type == KPI_VALUE_NUMBER
				? snprintf(out + used, size - used, "%s = %g\n",
					   p->name, p->value.num)
				: snprintf(out + used, size - used,
					   "%s = \"%s\"\n", p->name,
					   p->value.text);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int kpi_set_describe(const kpi_set *set, const char *id, const char *part,
		     char *out, size_t size)
{
	kpi *k = kpi_set_kpi(set, id);
	describe_buf b = { out, size, 0, NULL, 0, 0 };
	const kpi_node *n = NULL;

	out[0] = '\0';
	if (!k)
		return -1;
	if (strcmp(part, "breakdown") == 0) {
		for (size_t i = 0; i < k->info.breakdown_count; i++) {
			const char *field = k->info.breakdown[i], *name = NULL;
			const kpi_group *g;

			for (size_t j = 0; j < k->grouping_count; j++)
				if (strcmp(k->groupings[j].field, field) == 0)
					name = k->groupings[j].group;
			put(&b, "%s%s", i ? ", " : "", field);
			if (!name)
				continue;
			g = kpi_set_group(set, name);
			put(&b, " in [group %s]", name);
			if (g && g->file)
				put(&b, " (%s; unmapped: \"%s\")", g->file,
				    g->other);
			else if (g)
				put(&b, " (dataset %s, %s to %s; unmapped: "
				    "\"%s\")", g->dataset, g->value_field,
				    g->group_field, g->other);
		}
		return 0;
	}
	if (strcmp(part, "select") == 0)
		n = k->select;
	else if (strcmp(part, "where") == 0)
		n = k->where;
	else if (strcmp(part, "having") == 0)
		n = k->having;
	else if (strcmp(part, "rule") == 0)
		n = k->rule;
	else if (strcmp(part, "target") == 0) {
		const kpi_info *i = &k->info;

		if (i->has_min)
			put(&b, "minimaal %g", i->target_min);
		if (i->has_max)
			put(&b, "%smaximaal %g", i->has_min ? ", " : "",
			    i->target_max);
		if ((i->has_min || i->has_max) && i->target_scope)
			put(&b, i->target_scope == KPI_TARGET_TOTAL
					? " (alleen het totaal)"
					: " (elke cel, niet het totaal)");
		for (size_t t = 0; t < i->cell_target_count; t++) {
			const kpi_cell_target *c = &i->cell_targets[t];
			const char *dot = strchr(c->where, '.');

			put(&b, "%s%.*s = %s: ", b.used ? "; " : "",
			    (int)(dot - c->where), c->where, dot + 1);
			if (c->has_min)
				put(&b, "minimaal %g", c->min);
			if (c->has_max)
				put(&b, "%smaximaal %g", c->has_min ? ", " : "",
				    c->max);
		}
		if ((i->has_min || i->has_max || i->cell_target_count) &&
		    (i->has_margin || set->has_margin))
			put(&b, "; in gevaar binnen %g%s",
			    i->has_margin ? i->margin : set->margin,
			    (i->has_margin ? i->margin_relative
					   : set->margin_relative) ? "%" : "");
		return 0;
	} else if (strcmp(part, "links") == 0) {
		for (size_t i = 0; i < k->join_count; i++)
			put(&b, "%sjoin %s = %s on %s", b.used ? "; " : "",
			    k->joins[i].name, k->joins[i].dataset,
			    k->joins[i].field);
		for (size_t i = 0; i < k->lookup_count; i++)
			put(&b, "%slookup %s = %s by %s", b.used ? "; " : "",
			    k->lookups[i].name, k->lookups[i].dataset,
			    k->lookups[i].field);
		return 0;
	} else {
		return -1;
	}
	if (n)
		put_node(&b, n);
	return 0;
}

/* The selection and condition of k, each followed by '|'. */
static void put_rows(describe_buf *b, const kpi *k)
{
	if (k->select)
		put_node(b, k->select);
	put(b, "|");
	if (k->where)
		put_node(b, k->where);
	put(b, "|");
}

static void put_joins(describe_buf *b, const kpi *k)
{
	for (size_t i = 0; i < k->join_count; i++)
		put(b, "|join %s = %s on %s", k->joins[i].name,
		    k->joins[i].dataset, k->joins[i].field);
}

int kpi_set_additive_key(const kpi_set *set, const char *id, char *out,
			 size_t size)
{
	const kpi *k = kpi_set_kpi(set, id);
	describe_buf b = { out, size, 0, k, 0, 1 };

	out[0] = '\0';
	/* Events dated in the period, counted or summed row by row: what a
	 * month adds to its quarter.  Not stock figures (running, on the
	 * reference date, up to), not groups (a person counts once in a
	 * quarter and in each of its months), not Lua functions (Peil cannot
	 * tell two of them equal), not ratios, distinct counts or extremes. */
	if (!k || k->per || k->uses_lua || !k->select || !k->rule ||
	    (k->select->op != KPI_STARTED_IN &&
	     k->select->op != KPI_CLOSED_IN) ||
	    (k->rule->op != KPI_COUNT && k->rule->op != KPI_SUM))
		return 0;
	put(&b, "%s|", k->info.dataset);
	for (size_t i = 0; i < k->info.breakdown_count; i++)
		put(&b, "%s,", k->info.breakdown[i]);
	for (size_t i = 0; i < k->grouping_count; i++)	/* the later wins */
		put(&b, "%s>%s,", k->groupings[i].field, k->groupings[i].group);
	put(&b, "|");
	put_rows(&b, k);
	put_node(&b, k->rule);
	put_joins(&b, k);
	if (b.per_period || b.used + 1 >= b.size) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}

/* put_node of every score_change{} under n: the fields the groups keep
 * for it (kpi_group_rows.c). */
static void put_kept(describe_buf *b, const kpi_node *n)
{
	if (!n)
		return;
	if (n->op == KPI_SCORE_CHANGE)
		put_node(b, n);
	for (size_t i = 0; i < n->kid_count; i++)
		put_kept(b, n->kids[i]);
}

/* Whether node n or one under it is a Lua function. */
static int node_lua(const kpi_node *n)
{
	if (!n)
		return 0;
	if (n->op == KPI_LUA_MEASURE || n->op == KPI_LUA_CONDITION)
		return 1;
	for (size_t i = 0; i < n->kid_count; i++)
		if (node_lua(n->kids[i]))
			return 1;
	return 0;
}

/* Whether node n or one under it counts working days. */
static int node_workdays(const kpi_node *n)
{
	if (!n)
		return 0;
	if (n->op == KPI_WORKDAYS)
		return 1;
	for (size_t i = 0; i < n->kid_count; i++)
		if (node_workdays(n->kids[i]))
			return 1;
	return 0;
}

int kpi_set_uses_calendar(const kpi_set *set, const char *id)
{
	const kpi *k = kpi_set_kpi(set, id);

	/* A Lua function may call date.workdays() and its kin. */
	return k && (k->uses_lua || node_workdays(k->select) ||
		     node_workdays(k->where) || node_workdays(k->rule) ||
		     node_workdays(k->having));
}

int kpi_group_rows_key(const kpi *k, char *out, size_t size)
{
	describe_buf b = { out, size, 0, k, 0, 1 };

	out[0] = '\0';
	/* Peil cannot tell two Lua functions equal */
	if (!k->per || node_lua(k->select) || node_lua(k->where))
		return 0;
	put(&b, "%s|%s|%d|", k->info.dataset, k->per, k->groups_lua);
	put_rows(&b, k);
	put_kept(&b, k->having);
	put_kept(&b, k->rule);
	/* what the lookups that where and score_change{} read hold */
	for (size_t i = 0; i < k->lookup_count; i++) {
		const kpi_link *l = &k->lookups[i];

		put(&b, "|lookup %s = %s by %s", l->name, l->dataset,
		    l->field);
		for (size_t w = 0; w < l->where_count; w++)
			put(&b, ", %s = %s", l->where_fields[w],
			    l->where_values[w]);
	}
	put_joins(&b, k);
	if (b.used + 1 >= b.size) {
		out[0] = '\0';
		return 0;
	}
	return 1;
}
