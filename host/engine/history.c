/*
 * history.c - the runs a store recorded, read back for peil runs, diff
 * and prune.
 *
 * A run knows the last ingest it saw when it began (run_last_ingest), so
 * the inputs new to a run are the ingests after the one its predecessor
 * saw; runs are read newest first, so the walk first collects what each
 * run saw and then gives each run with its inputs.
 */
#include "engine/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/grow.h"
#include "engine/disclose.h"
#include "engine/figure_diff.h"

/* ----------------------------------------------------------------- runs */

struct runs_walk {
	peil_context *ctx;
	const history_runs_fns *fns;
	peil_error *err;
	int64_t (*runs)[2];	/* id and last ingest of each run, newest
				   first */
	size_t count;
	int oom;
	/* The run being given, and the ingest ids new to it: (after, upto]. */
	history_run current;
	int64_t after, upto;
};

static int collect_start(void *arg, const peil_run_record *run)
{
	struct runs_walk *w = arg;
	int64_t(*grown)[2] = grow_for(w->runs, w->count, sizeof(*grown));

	if (!grown) {
		w->oom = 1;
		return -1;
	}
	w->runs = grown;
	w->runs[w->count][0] = run->id;
	w->runs[w->count][1] = 0;
	if (store_has(w->ctx->store, STORE_V2_CHANGES) &&
	    store_run_last_ingest(w->ctx->store, run->id,
				  &w->runs[w->count][1], w->err) < 0)
		return -1;
	w->count++;
	return 0;
}

static int count_kpi(void *arg, const peil_run_kpi *k)
{
	history_run *r = arg;
	size_t n = strlen(r->failures);

	r->kpis++;
	if (strcmp(k->status, "ok") == 0) {
		/* An ok KPI's message is a stale input: once per dataset. */
		size_t m = strlen(r->stale);

		if (k->message && !strstr(r->stale, k->message))
			snprintf(r->stale + m, sizeof(r->stale) - m, "%s%s",
				 m ? "; " : "", k->message);
		return 0;
	}
	if (strcmp(k->status, "not evaluated") == 0) {
		snprintf(r->failures + n, sizeof(r->failures) - n,
			 "%s%s (not evaluated)", n ? ", " : "", k->kpi);
		return 0;
	}
	r->failed++;
	snprintf(r->failures + n, sizeof(r->failures) - n, "%s%s",
		 n ? ", " : "", k->kpi);
	return 0;
}

static int new_input(void *arg, const peil_ingest_entry *e)
{
	struct runs_walk *w = arg;

	if (e->id <= w->after || e->id > w->upto)
		return 0;
	w->current.inputs++;
	return w->fns->input(w->fns->ctx, &w->current, e);
}

static int give_run(void *arg, const peil_run_record *run)
{
	struct runs_walk *w = arg;
	size_t i;

	memset(&w->current, 0, sizeof(w->current));
	w->current.record = run;
	w->after = w->upto = 0;
	for (i = 0; i < w->count; i++) {
		if (w->runs[i][0] != run->id)
			continue;
		w->upto = w->runs[i][1];
		w->after = i + 1 < w->count ? w->runs[i + 1][1] : 0;
	}
	if (store_run_kpis_scan(w->ctx->store, run->id, count_kpi,
				&w->current, w->err) < 0 ||
	    w->fns->run(w->fns->ctx, &w->current) != 0 ||
	    store_ingest_scan(w->ctx->store, new_input, w, w->err) != 0 ||
	    w->fns->run_end(w->fns->ctx, &w->current) != 0)
		return -1;
	return 0;
}

int history_runs(peil_context *ctx, int64_t run_id,
		 const history_runs_fns *fns, size_t *count, peil_error *err)
{
	struct runs_walk w;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.fns = fns;
	w.err = err;
	if (store_runs_scan(ctx->store, 0, collect_start, &w, err) != 0 ||
	    store_runs_scan(ctx->store, run_id, give_run, &w, err) != 0) {
		if (w.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		rc = -1;
	}
	*count = w.count;
	free(w.runs);
	return rc;
}

int history_run_published(const peil_run_record *run, const char *from,
			  const char *to)
{
	/* "incomplete": every KPI it took has, for every period, either its
	 * figure or a row that says why it was not evaluated (a dataset or
	 * field the municipality does not have, a period before its first
	 * row); nothing in it is a wrong figure.  A run in which a KPI
	 * failed, or that failed or was stopped, publishes nothing. */
	if (!run->kind || strcmp(run->kind, "run") != 0 || !run->status ||
	    (strcmp(run->status, "ok") != 0 &&
	     strcmp(run->status, "incomplete") != 0))
		return 0;
	if (!from)
		return 1;
	return run->period_from && run->period_to &&
	       strcmp(run->period_from, from) <= 0 &&
	       strcmp(run->period_to, to) >= 0;
}

/* ----------------------------------------------------------------- diff */

int history_diff_runs(peil_context *ctx, int64_t *a, int64_t *b,
		      peil_error *err)
{
	if (!*b && figure_run_before(ctx, 0, b, err) < 0)
		return -1;
	if (!*a && *b && figure_run_before(ctx, *b, a, err) < 0)
		return -1;
	return 0;
}

/* The changes of one dataset and key over several ingests, folded into
 * what they did together. */
struct input_fold {
	char dataset[128];
	char key[256];
	char first[16], last[16];
	int any;
	void (*fn)(void *arg, const history_change *change);
	void *arg;
	history_change_counts *counts;
};

static void fold_flush(struct input_fold *f)
{
	history_change change;
	const char *net;

	if (!f->any)
		return;
	if (strcmp(f->first, "added") == 0)
		net = strcmp(f->last, "removed") == 0 ? NULL : "added";
	else if (strcmp(f->last, "removed") == 0)
		net = "removed";
	else
		net = "changed";
	f->any = 0;
	if (!net)
		return;
	change.dataset = f->dataset;
	change.key = f->key;
	change.kind = net;
	f->fn(f->arg, &change);
	f->counts->added += strcmp(net, "added") == 0;
	f->counts->changed += strcmp(net, "changed") == 0;
	f->counts->removed += strcmp(net, "removed") == 0;
}

static int fold_change(void *arg, const peil_input_change *c)
{
	struct input_fold *f = arg;

	if (f->any && (strcmp(f->dataset, c->dataset) != 0 ||
		       strcmp(f->key, c->key) != 0))
		fold_flush(f);
	if (!f->any) {
		snprintf(f->dataset, sizeof(f->dataset), "%s", c->dataset);
		snprintf(f->key, sizeof(f->key), "%s", c->key);
		snprintf(f->first, sizeof(f->first), "%s", c->kind);
		f->any = 1;
	}
	snprintf(f->last, sizeof(f->last), "%s", c->kind);
	return 0;
}

int history_input_changes(peil_context *ctx, int64_t a, int64_t b,
			  void (*fn)(void *arg, const history_change *change),
			  void *arg, history_change_counts *counts,
			  peil_error *err)
{
	struct input_fold fold;

	memset(&fold, 0, sizeof(fold));
	memset(counts, 0, sizeof(*counts));
	fold.fn = fn;
	fold.arg = arg;
	fold.counts = counts;
	/* Both directions: B may be the older run. */
	if (store_input_changes_scan(ctx->store, a < b ? a : b, a < b ? b : a,
				     fold_change, &fold, err) < 0)
		return -1;
	fold_flush(&fold);
	return 0;
}

/* ---------------------------------------------------------- final figures */

struct read_state {
	result_table *table;
	int oom;
};

static int read_figure(void *arg, const peil_result *r)
{
	struct read_state *st = arg;

	if (r->earlier)		/* only there to be compared with */
		return 0;
	if (result_table_add(st->table, r) < 0) {
		st->oom = 1;
		return -1;
	}
	return 0;
}

/* The figures of run run_id, which exists, into t. */
static int read_run(peil_context *ctx, int64_t run_id, result_table *t,
		    peil_error *err)
{
	struct read_state st = { t, 0 };
	peil_result_query q = { run_id, NULL };

	if (store_results_scan(ctx->store, &q, read_figure, &st, err) != 0) {
		if (st.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		return -1;
	}
	t->run_id = run_id;
	return 0;
}

struct final_check {
	const finality *fin;
	int32_t today;
	void (*fn)(void *arg, const history_final_change *change);
	void *arg;
	size_t changed;
	/* The two runs' figures through the small-cell rules, in
	 * figure_diff's order; NULL while counting. */
	const result_table *shown_old, *shown_new;
};

/* Whether the figure of c (kpi, period, breakdown) is hidden in t, a
 * disclosed table in figure_diff's order; 0 when t does not have it. */
static int hidden_in(const result_table *t, const figure_change *c)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = figure_key_compare(c->kpi, c->period, c->breakdown,
					     &t->rows[mid]);

		if (cmp == 0)
			return t->rows[mid].suppressed != RESULT_SHOWN;
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int final_changed(void *arg, const figure_change *c)
{
	struct final_check *st = arg;
	history_final_change h = { c, 0, 0 };

	if (!c->covered || !finality_is_final(st->fin, c->period, st->today))
		return 0;
	st->changed++;
	if (!st->shown_old)
		return 0;
	h.old_hidden = c->in_old && hidden_in(st->shown_old, c);
	h.new_hidden = c->in_new && hidden_in(st->shown_new, c);
	st->fn(st->arg, &h);
	return 0;
}

/* Copies of the figures of both runs as stored (in figure_diff's order),
 * the older run's into t[0] and the newer one's into t[1], through the
 * small-cell rules: the figures as the outputs show them, in the same
 * order (the rules hide, they do not move). */
static int disclose_copies(peil_context *ctx, const result_table *old,
			   const result_table *now, result_table t[2],
			   peil_error *err)
{
	disclosure_rules rules = settings_disclosure(&ctx->settings);

	if (result_table_copy(old, &t[0]) < 0 ||
	    result_table_copy(now, &t[1]) < 0 ||
	    disclose_table(ctx, &t[0], rules) < 0 ||
	    disclose_table(ctx, &t[1], rules) < 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	return 0;
}

struct published_pick {
	int64_t run_id, found;
};

/* Runs come newest first: run_id's own record, then the runs before. */
static int pick_published(void *arg, const peil_run_record *run)
{
	struct published_pick *p = arg;

	if (run->id > p->run_id)
		return 0;
	if (run->id == p->run_id)	/* publishes nothing: compare nothing */
		return history_run_published(run, NULL, NULL) ? 0 : 1;
	if (!history_run_published(run, NULL, NULL))
		return 0;
	p->found = run->id;
	return 1;
}

int history_final_changes(peil_context *ctx, const finality *fin,
			  int64_t run_id, int64_t *previous,
			  void (*fn)(void *arg,
				     const history_final_change *change),
			  void *arg, size_t *changed, peil_error *err)
{
	struct final_check st = { fin, finality_today(), fn, arg, 0, NULL,
				  NULL };
	struct published_pick pick = { run_id, 0 };
	result_table before, now, shown[2];
	int rc = 0;

	*changed = 0;
	memset(&before, 0, sizeof(before));
	memset(&now, 0, sizeof(now));
	memset(shown, 0, sizeof(shown));
	/* Published figures moved when run_id publishes and they differ
	 * from those published before it: not those of a peil eval, nor of
	 * a run in which a KPI failed (which publish nothing), between. */
	if (store_runs_scan(ctx->store, 0, pick_published, &pick, err) < 0)
		return -1;
	*previous = pick.found;
	if (*previous && (read_run(ctx, *previous, &before, err) < 0 ||
			  read_run(ctx, run_id, &now, err) < 0))
		rc = -1;
	else if (*previous)
		figure_diff(&before, &now, final_changed, &st);
	/* Figures as stored tell what changed; fn sees each as the outputs
	 * show it, so that the log gives away no hidden figure (disclosed
	 * copies, made only when some changed). */
	if (rc == 0 && st.changed) {
		rc = disclose_copies(ctx, &before, &now, shown, err);
		if (rc == 0) {
			st.changed = 0;
			st.shown_old = &shown[0];
			st.shown_new = &shown[1];
			figure_diff(&before, &now, final_changed, &st);
		}
	}
	*changed = st.changed;
	result_table_release(&before);
	result_table_release(&now);
	result_table_release(&shown[0]);
	result_table_release(&shown[1]);
	return rc;
}

/* ---------------------------------------------------------------- prune */

struct prune_pick {
	long long keep;		/* the newest runs kept; 0: no limit */
	int64_t before;		/* runs started before are old; 0: none */
	size_t seen;
	int64_t *ids;
	size_t count;
	int64_t confirmed;	/* the run the newest kept run confirms */
	int oom;
};

/* Runs come newest first.  A run goes when every given condition says
 * so: beyond the newest keep, and started before the age limit; never
 * the run whose figures a kept run confirms (run_confirm.h): those are
 * the figures the store serves.  Runs confirm only the latest run that
 * evaluated, so the newest kept confirmation names the one to keep. */
static int pick_run(void *arg, const peil_run_record *run)
{
	struct prune_pick *p = arg;
	int64_t *grown;

	p->seen++;
	if (run->id == p->confirmed)
		return 0;
	if ((p->keep && p->seen <= (size_t)p->keep) ||
	    (p->before && run->started >= p->before)) {
		if (!p->confirmed && run->confirms)
			p->confirmed = run->confirms;
		return 0;
	}
	grown = grow_for(p->ids, p->count, sizeof(*grown));
	if (!grown) {
		p->oom = 1;
		return -1;
	}
	p->ids = grown;
	p->ids[p->count++] = run->id;
	return 0;
}

struct final_ctx {
	const finality *fin;
	int32_t today;
};

static int period_is_final(void *arg, const char *period_id)
{
	struct final_ctx *f = arg;

	return finality_is_final(f->fin, period_id, f->today);
}

int history_prune(peil_context *ctx, const finality *fin, long long keep,
		  long long older_than_days, history_pruned *out,
		  peil_error *err)
{
	struct prune_pick pick;
	struct final_ctx fc = { fin, finality_today() };
	peil_prune prune;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(&pick, 0, sizeof(pick));
	pick.keep = keep;
	if (older_than_days)
		pick.before = (int64_t)time(NULL) - older_than_days * 86400;
	if (store_runs_scan(ctx->store, 0, pick_run, &pick, err) < 0) {
		if (pick.oom)
			error_set(err, NULL, 0, NULL, "out of memory");
		rc = -1;
	} else {
		prune.run_ids = pick.ids;
		prune.run_count = pick.count;
		prune.period_final = period_is_final;
		prune.ctx = &fc;
		rc = store_runs_prune(ctx->store, &prune, &out->runs,
				      &out->figures, err);
	}
	out->picked = pick.count;
	free(pick.ids);
	return rc;
}
