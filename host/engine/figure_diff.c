/*
 * figure_diff.c - the run before another.
 */
#include "engine/figure_diff.h"

struct before_state {
	int64_t before, found;
};

static int run_before(void *arg, const peil_run_record *run)
{
	struct before_state *st = arg;

	if (st->before && run->id >= st->before)
		return 0;
	if (!result_run_recorded(run->status))
		return 0;
	st->found = run->id;
	return 1;	/* newest first: the first one is it */
}

int figure_run_before(peil_context *ctx, int64_t before, int64_t *found,
		      peil_error *err)
{
	struct before_state st = { before, 0 };
	int rc = store_runs_scan(ctx->store, 0, run_before, &st, err);

	*found = st.found;
	return rc < 0 ? -1 : 0;
}
