/*
 * revision.c - the figures that changed between two disclosed tables.
 */
#include "model/revision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/figure_diff.h"

struct compare_state {
	revisions *out;
	enum revision_cause (*cause)(void *ctx, const char *kpi);
	void *cause_ctx;
	int oom;
};

static enum revision_state state_of(const result_row *row)
{
	return !row			       ? REVISION_ABSENT
	       : row->suppressed != RESULT_SHOWN ? REVISION_HIDDEN
						 : REVISION_SHOWN;
}

static int add_change(void *arg, const figure_change *c)
{
	struct compare_state *st = arg;
	revisions *out = st->out;
	revision *grown, *r;

	grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
	if (!grown) {
		st->oom = 1;
		return -1;
	}
	out->items = grown;
	r = &grown[out->count];
	memset(r, 0, sizeof(*r));
	r->kpi = strdup(c->kpi);
	r->period = strdup(c->period);
	r->breakdown = strdup(c->breakdown);
	if (!r->kpi || !r->period || !r->breakdown) {
		free(r->kpi);
		free(r->period);
		free(r->breakdown);
		st->oom = 1;
		return -1;
	}
	r->old_state = state_of(c->old_row);
	r->new_state = state_of(c->new_row);
	/* A value is carried only where it is shown, and an old one only
	 * while its cell is not hidden now. */
	r->old_value = r->old_state == REVISION_SHOWN &&
				       r->new_state != REVISION_HIDDEN
			       ? c->old_value
			       : NAN;
	r->new_value = r->new_state == REVISION_SHOWN ? c->new_value : NAN;
	r->cause = st->cause ? st->cause(st->cause_ctx, c->kpi)
			     : REVISION_CAUSE_UNKNOWN;
	out->count++;
	return 0;
}

int revision_compare(result_table *old_table, result_table *now,
		     enum revision_cause (*cause)(void *ctx, const char *kpi),
		     void *cause_ctx, revisions *out)
{
	struct compare_state st = { out, cause, cause_ctx, 0 };

	figure_diff(old_table, now, add_change, &st);
	result_table_sort(old_table);
	result_table_sort(now);
	return st.oom ? -1 : 0;
}

const revision *revision_find(const revisions *r, const result_row *row)
{
	size_t lo = 0, hi = r ? r->count : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const revision *m = &r->items[mid];
		int c = figure_key_compare(m->kpi, m->period, m->breakdown,
					   row);

		if (c == 0)
			return &r->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void revisions_release(revisions *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].kpi);
		free(r->items[i].period);
		free(r->items[i].breakdown);
	}
	free(r->items);
	r->items = NULL;
	r->count = 0;
}
