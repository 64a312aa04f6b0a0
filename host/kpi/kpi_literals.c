/*
 * kpi_literals.c - the text literals that KPIs compare fields with (kpi.h).
 *
 * The shipped KPIs compare self_reliant with "ja"; an export that says
 * "Ja" gave an empty figure with exit 0.  peil check
 * holds these literals against the stored values, so that such a KPI is
 * named before its figures are published.  A lot's own target
 * (target.min.perceel.Basiskracht) names a value too: a lot spelled
 * otherwise would silently have no status.
 */
#include "kpi/kpi_model.h"

#include <string.h>

/* The value in force of c: a param()'s (configured or default), or its
 * own; NULL when it is no text. */
static const kpi_const *text_const(const kpi *k, const kpi_const *c)
{
	if (c->param) {
		for (size_t i = 0; i < k->param_count; i++)
			if (strcmp(k->params[i].name, c->param) == 0) {
				c = &k->params[i].value;
				break;
			}
		if (c->param)	/* a parameter the KPI lacks */
			return NULL;
	}
	return c->type == KPI_VALUE_TEXT && c->text && !c->is_date ? c : NULL;
}

static void node_literals(const kpi *k, const kpi_node *n, kpi_literal_fn fn,
			  void *ctx)
{
	if (!n)
		return;
	if ((n->op == KPI_EQ || n->op == KPI_NE || n->op == KPI_ONE_OF) &&
	    n->kid_count && n->kids[0] && n->kids[0]->op == KPI_FIELD &&
	    n->kids[0]->name[0] && !strchr(n->kids[0]->name[0], '.')) {
		for (size_t i = 0; i < n->const_count; i++) {
			const kpi_const *c = text_const(k, &n->consts[i]);

			if (c)
				fn(ctx, &k->info, n->kids[0]->name[0], c->text,
				   c->len);
		}
	}
	for (size_t i = 0; i < n->kid_count; i++)
		node_literals(k, n->kids[i], fn, ctx);
}

/* The values of k's lots with targets of their own, of an ungrouped
 * breakdown field of its own dataset. */
static void target_literals(const kpi *k, kpi_literal_fn fn, void *ctx)
{
	const kpi_info *i = &k->info;

	for (size_t t = 0; t < i->cell_target_count; t++) {
		const char *where = i->cell_targets[t].where;

		for (size_t f = 0; f < i->breakdown_count; f++) {
			size_t n = strlen(i->breakdown[f]);
			int grouped = 0;
			char field[256];

			for (size_t g = 0; g < k->grouping_count; g++)
				grouped |= strcmp(k->groupings[g].field,
						  i->breakdown[f]) == 0;
			if (grouped || strchr(i->breakdown[f], '.') ||
			    n >= sizeof(field) ||
			    strncmp(where, i->breakdown[f], n) != 0 ||
			    where[n] != '.')
				continue;
			memcpy(field, where, n);
			field[n] = '\0';
			fn(ctx, i, field, where + n + 1, strlen(where + n + 1));
		}
	}
}

void kpi_set_each_literal(const kpi_set *set, kpi_literal_fn fn, void *ctx)
{
	for (size_t i = 0; i < set->count; i++) {
		const kpi *k = set->kpis[i];

		node_literals(k, k->select, fn, ctx);
		node_literals(k, k->where, fn, ctx);
		node_literals(k, k->having, fn, ctx);
		node_literals(k, k->rule, fn, ctx);
		target_literals(k, fn, ctx);
	}
}
