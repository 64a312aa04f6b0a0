/*
 * kpi_eval.c - kpi_evaluate: one scan per dataset (with its joins), the
 * periods of each row found from its dates, figures accumulated per (KPI,
 * period, cell).
 *
 * A cell is a combination of breakdown values that occurs in some row of
 * the dataset, whatever the KPI selects, so that a team without cases in
 * a month still gets its 0.  Cell 0 is the total, "{}".  The KPIs of a
 * scan with the same breakdown share their cells, found once per row.
 * A KPI of several grains is a run per grain, all in its one scan.
 * A row is handed only to the runs whose selection puts it in some
 * period (most rows of a dataset lie outside a year's months), and a
 * run whose condition compares with reference_date() takes a row's
 * periods at once where the truth is the same at both ends of them.
 * Declarative scans run on two threads (kpi_scan_all), and the values of
 * their count_distinct are counted after them in pieces that either
 * thread takes (kpi_take).
 * Figures go to the sink after all scans, per KPI in id order, then grain
 * (month first), then period, then breakdown text in byte order, which
 * puts the total "{}" last.
 */
#include "kpi/kpi_model.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "base/error.h"
#include "base/thread.h"
#include "model/results.h"

typedef struct kpi_span {
	int64_t rows, hits;
} kpi_span;

typedef struct kpi_run {
	kpi_set *set;
	kpi *k;
	/* One run for each grain of a KPI (k->info.grains.grain[grain]),
	 * all in the KPI's one scan: each its own periods and accumulators,
	 * so that a quarter's running or distinct figure is counted in the
	 * quarter, not summed from months. */
	size_t grain;
	period *periods;
	size_t period_count;
	size_t asked;		/* periods before it are evaluated only to be
				   compared with (kpi_compare_from) */
	kpi_cells *cells;	/* set by its scan */
	kpi_acc *acc;		/* [cell * period_count + p], zeroed */
	size_t acc_cells;
	/* The rows and hits of a count() or share() (no measure; the
	 * rows of count_distinct) as differences over the periods [from,
	 * to) a row takes at once: +1 at from, -1 at to, in the slots of
	 * acc; added up into acc after the scan (kpi_run_fold_spans).  A
	 * row of a stock (running_in, a settled condition) costs two slots
	 * a cell, not two for each of its periods, and a slot is a quarter
	 * of an accumulator's bytes: fewer cache lines missed where the
	 * cells are many (acc, 64 bytes a slot, was a fifth of the cases
	 * scan's time at 1 200 teams).  Counts are whole numbers: the sum
	 * is the same in any order.  NULL until a row needs it. */
	kpi_span *span;
	kpi_distinct *distinct;	/* count_distinct's values, or NULL */
	/* Counted after a scan of the queue in pieces that either taker
	 * counts (kpi_queue.finishing): how many, and the next to take. */
	size_t distinct_pieces, distinct_next;
	/* found[cell]: a row the KPI selects has that cell's values (it
	 * passed where).  A cell of an empty value ("(onbekend)") is a row
	 * of the figures only when found, so that the empty value of rows
	 * that where leaves out (the ladder's domain in a ZRM KPI) is no
	 * category of 0; a value of the data (a team) is one, 0 where it
	 * has no rows.  A where that depends on the period (or Lua) is not
	 * asked of a row outside its periods: any row finds its cell. */
	unsigned char *found;
	size_t found_cells;
	int where_steady;
	/* where and rule give the same for a row in every period (no Lua,
	 * no reference date, no per): evaluated once per row */
	int steady;
	/* Not steady, but where and the rule's condition are made of
	 * steady parts and comparisons with reference_date() alone (no
	 * Lua, no per; a count() or share()): a row whose conditions are
	 * settled over its periods (kpi_condition_settled) is evaluated
	 * once for all of them. */
	int settles;
	int failed;
	peil_error err;
	/* Not evaluated at all: the status of its figures, saying why (a
	 * dataset not configured, a field it lacks); "" otherwise. */
	char why[512];
	/* The earliest date of the selection's first field in the dataset
	 * (INT32_MIN when any row counts: without a selection, or closed_in;
	 * INT32_MAX when there is none): a period that ends before it has
	 * no data, and is not evaluated rather than 0. */
	int32_t first_date;
	/* The latest date that says the dataset's rows go on (INT32_MAX
	 * when none does): of the selection's first field, and without a
	 * selection or with closed_in of the dataset's required dates too
	 * (kpi_scan_row_dates); last_field names the field that holds it.
	 * A period that begins after it has no data, and is not evaluated
	 * rather than 0. */
	int32_t last_date;
	const char *last_field;
	/* The dataset that holds it: the KPI's own, or one of the same
	 * delivery that it looks up or joins (kpi_run_delivery); NULL: its
	 * own.  These names, as input_dataset's, are the KPI's or its
	 * schemas', which outlive the run: held whole (a copy of 64 bytes
	 * cut a long name short in the message). */
	const char *last_dataset;
	/* The day of the newest input of the datasets the KPI reads
	 * (kpi_source.input_day; INT32_MAX: unknown), and that dataset: a
	 * period that begins after it is not evaluated, one that ends
	 * after it is partly covered (kpi_sink.partly_covered). */
	int32_t input_day;
	const char *input_dataset;
	/* Rows of its dataset whose join found no row, and what became of
	 * them (kpi_run_unmatched); "" when none. */
	char unmatched[512];
	/* ratio()'s denominator from another dataset (dataset_sum), read
	 * before the scan; NULL without one */
	kpi_den_table *den;
	/* per: the run of the same scan whose groups are this one's too
	 * (kpi_scan_share_groups), or NULL: its own */
	struct kpi_run *groups_of;
} kpi_run;

typedef struct kpi_scan {
	const peil_schema *schema;
	const calendar *cal;
	kpi_run **runs;
	size_t *run_cells;	/* run -> its index in cells */
	size_t run_count;
	kpi_cells **cells;	/* the distinct breakdowns of the runs */
	size_t *row_cell;	/* the row's cell of each */
	size_t cells_count;
	/* The distinct selections of the runs (a run with each), and the
	 * periods [from, to) that each puts the row in. */
	const kpi_run **picks;
	size_t *run_pick;	/* run -> its index in picks */
	size_t *row_from, *row_to;
	int32_t *pick_first;	/* the earliest date each pick saw */
	int32_t *pick_last;	/* the latest date of each pick's field */
	int32_t *pick_end_last;	/* the latest of its end's, if any */
	/* The dataset's dates that every row has (date fields declared
	 * key or required), read when some pick has no dates of its own
	 * (kpi_select_dates_rows): their latest, each. */
	size_t *row_dates;
	int32_t *row_date_last;
	size_t row_date_count;
	/* The fields of the dataset itself, before those a join appends
	 * (SIZE_MAX: all of them) */
	size_t base_fields;
	size_t pick_count;
	size_t *slot;		/* schema index -> projected position */
	uint64_t *serial;	/* the row counter: the set's, or a scan
				   thread's own (its rows meet no Lua) */
	const kpi_joined *joined;	/* the join that hands rows on, or NULL */
	/* The runs of each pick as bits of run_words words each
	 * (pick_runs[pick * run_words + w]), and those of the row's picks
	 * that put it in some period (row_runs): of the dozen runs of a
	 * scan a row outside all periods asks none, and the others in
	 * their order (kpi_scan_plan). */
	uint64_t *pick_runs, *row_runs;
	size_t run_words;
	/* The runs of each breakdown (cells_runs[cells_first[c]] up to
	 * cells_first[c + 1]), and its cells that each of them found
	 * (kpi_run.found): a row of such a cell asks no run again. */
	size_t *cells_runs, *cells_first;
	unsigned char **cells_found;
	size_t *cells_found_count;
	/* The queue of the scans in parallel (NULL: none), which counts
	 * count_distinct's values after the scan (kpi_queue_defer). */
	struct kpi_queue *queue;
	int out_of_memory;
} kpi_scan;

static void kpi_queue_defer(struct kpi_queue *q, kpi_run *r);

/* Room in r's accumulators for cell, zeroed.  -1 when out of memory. */
static int kpi_run_grow(kpi_run *r, size_t cell)
{
	size_t cells = r->acc_cells * 2 > cell ? r->acc_cells * 2 : cell + 1;
	kpi_acc *grown = realloc(r->acc, cells * r->period_count *
					       sizeof(*grown));

	if (!grown)
		return -1;
	memset(&grown[r->acc_cells * r->period_count], 0,
	       (cells - r->acc_cells) * r->period_count * sizeof(*grown));
	r->acc = grown;
	if (r->span) {
		kpi_span *span = realloc(r->span, cells * r->period_count *
							  sizeof(*span));

		if (!span)
			return -1;
		memset(&span[r->acc_cells * r->period_count], 0,
		       (cells - r->acc_cells) * r->period_count *
			       sizeof(*span));
		r->span = span;
	}
	r->acc_cells = cells;
	return 0;
}

/* A row of cell in r's periods [from, to) with hit: its differences in
 * the total and the cell (kpi_run.span).  -1 when out of memory. */
static int kpi_run_span(kpi_run *r, size_t from, size_t to, size_t cell,
			int hit)
{
	size_t np = r->period_count;

	if (!r->span && !(r->span = calloc(r->acc_cells * np,
					   sizeof(*r->span))))
		return -1;
	for (size_t c = 0; c < 1 + (cell != 0); c++) {
		kpi_span *s = &r->span[(c ? cell : 0) * np];

		s[from].rows += 1;
		s[from].hits += hit;
		if (to < np) {
			s[to].rows -= 1;
			s[to].hits -= hit;
		}
	}
	return 0;
}

/* After r's scan: its spans added up period by period into acc. */
static void kpi_run_fold_spans(kpi_run *r)
{
	size_t np = r->period_count;

	for (size_t c = 0; r->span && c < r->acc_cells; c++) {
		int64_t rows = 0, hits = 0;

		for (size_t p = 0; p < np; p++) {
			rows += r->span[c * np + p].rows;
			hits += r->span[c * np + p].hits;
			r->acc[c * np + p].rows += (double)rows;
			r->acc[c * np + p].hits += (double)hits;
		}
	}
	free(r->span);
	r->span = NULL;
}

/* Mark cell found in r when row passes r's where (any row, when the
 * where depends on the period).  -1 when out of memory. */
static int kpi_run_find(kpi_run *r, const kpi_row *row, size_t cell)
{
	peil_error ignored;
	int ok = 1;

	if (cell >= r->found_cells) {
		size_t n = r->found_cells * 2 > cell ? r->found_cells * 2
						     : cell + 8;
		unsigned char *grown = realloc(r->found, n);

		if (!grown)
			return -1;
		memset(grown + r->found_cells, 0, n - r->found_cells);
		r->found = grown;
		r->found_cells = n;
	}
	if (r->found[cell])
		return 0;
	/* a where that fails on this row fails the KPI where it counts */
	if (r->where_steady && r->k->where && r->period_count &&
	    kpi_condition(r->k, r->k->where, row, 0, &ok, &ignored) < 0)
		ok = 1;
	r->found[cell] = (unsigned char)(ok != 0);
	return 0;
}

static period_grain kpi_run_grain(const kpi_run *r)
{
	return r->k->info.grains.grain[r->grain];
}

/* The slot of per's groups of r's cell in period p: the grains of a KPI
 * keep theirs apart. */
static size_t kpi_group_slot(const kpi_run *r, size_t cell, size_t p)
{
	return (cell * r->period_count + p) * PERIOD_GRAIN_COUNT + r->grain;
}

/* The index of r's selection among the scan's, added when new: runs with
 * the same grain and the same periods (the same earlier periods to be
 * compared with) have the same periods, and the same selection of the
 * same fields puts a row in the same ones. */
static size_t kpi_scan_pick(kpi_scan *scan, const kpi_run *r)
{
	const kpi_node *sel = r->k->select;
	size_t i;

	for (i = 0; i < scan->pick_count; i++) {
		const kpi_run *other = scan->picks[i];
		const kpi_node *o = other->k->select;

		if (kpi_run_grain(other) != kpi_run_grain(r) ||
		    other->period_count != r->period_count)
			continue;
		if (!sel || !o) {
			if (!sel && !o)
				break;
			continue;
		}
		if (o->op == sel->op && o->field[0] == sel->field[0] &&
		    ((sel->op != KPI_RUNNING_IN &&
		      sel->op != KPI_ON_REFERENCE_DATE) ||
		     o->field[1] == sel->field[1]))
			break;
	}
	if (i == scan->pick_count)
		scan->picks[scan->pick_count++] = r;
	return i;
}

/* Whether a condition or measure (NULL: none) is the same for a row in
 * every period: no Lua function (it gets the period), no months to the
 * reference date, no overdue{}, no in_period(), no score_change{}, no
 * reference_date() constant. */
static int kpi_node_steady(const kpi_node *node)
{
	if (!node)
		return 1;
	if (node->op == KPI_LUA_MEASURE || node->op == KPI_LUA_CONDITION ||
	    node->op == KPI_MONTHS_TO_REFERENCE ||
	    node->op == KPI_OVERDUE || node->op == KPI_IN_PERIOD ||
	    node->op == KPI_SCORE_CHANGE || node->op == KPI_REFERENCE_DATE)
		return 0;
	for (size_t i = 0; i < node->const_count; i++)
		if (node->consts[i].reference)
			return 0;
	for (size_t i = 0; i < node->kid_count; i++)
		if (!kpi_node_steady(node->kids[i]))
			return 0;
	return 1;
}

/* Whether condition node (NULL: none) is made of steady parts joined by
 * all{}, any{} and negations, and comparisons of a steady measure with
 * reference_date(), whose truth changes at most once over periods
 * sorted by their reference date (kpi_condition_settled). */
static int kpi_node_settles(const kpi_node *node)
{
	if (kpi_node_steady(node))
		return 1;
	switch (node->op) {
	case KPI_ALL:
	case KPI_ANY:
	case KPI_NEGATE:
		for (size_t i = 0; i < node->kid_count; i++)
			if (!kpi_node_settles(node->kids[i]))
				return 0;
		return 1;
	case KPI_LT:
	case KPI_LE:
	case KPI_GT:
	case KPI_GE:
		return node->kid_count == 1 && node->const_count == 1 &&
		       kpi_node_steady(node->kids[0]);
	default:
		return 0;
	}
}

/* Whether node (kpi_node_settles) has one truth for row in all the
 * periods [from, to), into *settled, and that truth in *truth (that of
 * period from).  A steady part is evaluated once; a comparison with
 * the reference date, whose measure is the same in every period, at
 * from and at to - 1: the reference dates grow with the periods, so
 * a truth that is the same at both ends is the same between them.
 * Parts that settle nothing are evaluated too: none of them calls Lua
 * or fails. */
static void kpi_condition_settled(kpi *k, const kpi_node *node,
				  const kpi_row *row, size_t from, size_t to,
				  int *settled, int *truth)
{
	peil_error ignored;
	int all = 1, s, t, last;

	*settled = 1;
	*truth = 0;
	switch (node->op) {
	case KPI_ALL:
	case KPI_ANY:
		/* all{} is settled false by a kid settled false, any{}
		 * true by one settled true; else when every kid is */
		for (size_t i = 0; i < node->kid_count; i++) {
			kpi_condition_settled(k, node->kids[i], row, from, to,
					      &s, &t);
			if (s && t != (node->op == KPI_ALL)) {
				*truth = t;
				return;
			}
			all &= s;
		}
		*settled = all;
		*truth = node->op == KPI_ALL;
		return;
	case KPI_NEGATE:
		kpi_condition_settled(k, node->kids[0], row, from, to, settled,
				      &t);
		*truth = !t;
		return;
	default:
		break;
	}
	if (kpi_condition(k, node, row, from, truth, &ignored) < 0)
		*settled = 0;
	else if (node->const_count && node->consts[0].reference &&
		 (kpi_condition(k, node, row, to - 1, &last, &ignored) < 0 ||
		  last != *truth))
		*settled = 0;
}

/* Whether r's where and condition have one truth for row in all the
 * periods [from, to) (r->settles). */
static int kpi_run_settled(kpi_run *r, const kpi_row *row, size_t from,
			   size_t to)
{
	const kpi_node *rule = r->k->rule;
	int settled = 1, truth = 1;

	if (r->k->where) {
		kpi_condition_settled(r->k, r->k->where, row, from, to,
				      &settled, &truth);
		if (settled && !truth)
			return 1;	/* no period counts the row */
	}
	if (settled && rule->kid_count)
		kpi_condition_settled(r->k, rule->kids[0], row, from, to,
				      &settled, &truth);
	return settled;
}

/* Add run r to the scan, sharing the cells of a run with the same
 * breakdown fields and the periods of one with the same selection.  -1
 * when out of memory. */
static int kpi_scan_add(kpi_scan *scan, kpi_run *r)
{
	size_t c;

	for (c = 0; c < scan->cells_count; c++)
		if (kpi_cells_fit(scan->cells[c], r->k))
			break;
	if (c == scan->cells_count) {
		kpi_cells *cells = kpi_cells_new(r->k);

		if (!cells)
			return -1;
		scan->cells[scan->cells_count++] = cells;
	}
	r->steady = !r->k->per && !r->k->uses_lua &&
		    kpi_node_steady(r->k->where) && kpi_node_steady(r->k->rule);
	r->where_steady = kpi_node_steady(r->k->where);
	r->settles = !r->steady && !r->k->per && !r->k->uses_lua &&
		     (r->k->rule->op == KPI_COUNT ||
		      r->k->rule->op == KPI_SHARE) &&
		     (!r->k->where || kpi_node_settles(r->k->where)) &&
		     (!r->k->rule->kid_count ||
		      kpi_node_settles(r->k->rule->kids[0]));
	r->cells = kpi_cells_hold(scan->cells[c]);
	scan->run_cells[scan->run_count] = c;
	scan->run_pick[scan->run_count] = kpi_scan_pick(scan, r);
	scan->runs[scan->run_count++] = r;
	return 0;
}

/* Allocate room for count runs.  -1 when out of memory. */
static int kpi_scan_init(kpi_scan *scan, kpi_set *set, size_t count,
			 uint64_t *serial)
{
	scan->cal = set->cal;
	scan->serial = serial;
	scan->runs = calloc(count, sizeof(*scan->runs));
	scan->run_cells = calloc(count, sizeof(*scan->run_cells));
	scan->cells = calloc(count, sizeof(*scan->cells));
	scan->row_cell = calloc(count, sizeof(*scan->row_cell));
	scan->picks = calloc(count, sizeof(*scan->picks));
	scan->run_pick = calloc(count, sizeof(*scan->run_pick));
	scan->row_from = calloc(count, sizeof(*scan->row_from));
	scan->row_to = calloc(count, sizeof(*scan->row_to));
	scan->pick_first = calloc(count, sizeof(*scan->pick_first));
	scan->pick_last = calloc(count, sizeof(*scan->pick_last));
	scan->pick_end_last = calloc(count, sizeof(*scan->pick_end_last));
	for (size_t i = 0; scan->pick_first && scan->pick_last &&
	     scan->pick_end_last && i < count;
	     i++) {
		scan->pick_first[i] = INT32_MAX;
		scan->pick_last[i] = INT32_MIN;
		scan->pick_end_last[i] = INT32_MIN;
	}
	return scan->runs && scan->run_cells && scan->cells &&
	       scan->row_cell && scan->picks && scan->run_pick &&
	       scan->row_from && scan->row_to && scan->pick_first &&
	       scan->pick_last && scan->pick_end_last ? 0 : -1;
}

static void kpi_count_distinct(void *ctx, size_t cell, size_t word,
			       uint64_t added);

/* Whether the selection's first date says when a row's data begins:
 * not a closure date, empty while a case runs (a month before the first
 * closure holds data, and closed none). */
static int kpi_select_dates_rows(const kpi_node *sel)
{
	return sel && sel->op != KPI_CLOSED_IN;
}

/* Read the dataset's row dates (kpi_scan.row_dates) when some pick has
 * no dates of its own: a closure date is sparse (a month without one
 * while cases come in is a true 0), and without a selection no date is
 * read at all.  The dates every row has come from the schema alone, so
 * that a KPI's bound does not depend on the KPIs evaluated with it.
 * base is the dataset's own schema, whose fields come first in schema
 * (a join appends its fields).  used marks them for the projection.  -1
 * when out of memory. */
static int kpi_scan_row_dates(kpi_scan *scan, const peil_schema *base,
			      unsigned char *used)
{
	size_t i, n = 0;

	scan->base_fields = base ? base->field_count : 0;
	for (i = 0; i < scan->pick_count; i++)
		if (!kpi_select_dates_rows(scan->picks[i]->k->select))
			break;
	if (i == scan->pick_count || !base)
		return 0;
	scan->row_dates = calloc(base->field_count + 1,
				 sizeof(*scan->row_dates));
	scan->row_date_last = calloc(base->field_count + 1,
				     sizeof(*scan->row_date_last));
	if (!scan->row_dates || !scan->row_date_last)
		return -1;
	for (size_t f = 0; f < base->field_count; f++) {
		if (base->fields[f].type != PEIL_TYPE_DATE ||
		    !(base->fields[f].flags &
		      (PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED)))
			continue;
		/* a pick that dates rows by the field has its latest date
		 * (kpi_scan_last_date): not read twice per row */
		for (i = 0; i < scan->pick_count; i++)
			if (kpi_select_dates_rows(scan->picks[i]->k->select) &&
			    scan->picks[i]->k->select->field[0] == f)
				break;
		if (i < scan->pick_count)
			continue;
		scan->row_dates[n] = f;
		scan->row_date_last[n++] = INT32_MIN;
		used[f] = 1;
	}
	scan->row_date_count = n;
	return 0;
}

/* r's last_date and last_field from what pick i saw: its field's latest
 * date or, when later, its end's (running_in, on_reference_date: a case
 * closed in December shows the data reach December), and for a pick
 * without dates of its own the row dates' too.  A
 * field of a joined dataset says nothing of where its data end: the scan
 * sees only the rows that match one of the dataset's (a case without
 * members is no row of case_members). */
static void kpi_scan_last_date(const kpi_scan *scan, size_t i, kpi_run *r)
{
	const kpi_node *sel = r->k->select;
	int joined = sel && sel->field[0] >= scan->base_fields;
	int32_t last = joined ? INT32_MIN : scan->pick_last[i];
	const char *field = sel && !joined ? sel->name[0] : "";

	if (sel && sel->field[1] < scan->base_fields &&
	    scan->pick_end_last[i] > last) {
		last = scan->pick_end_last[i];
		field = sel->name[1];
	}

	if (!kpi_select_dates_rows(sel)) {
		for (size_t j = 0; j < scan->row_date_count; j++)
			if (scan->row_date_last[j] > last) {
				last = scan->row_date_last[j];
				field = scan->schema->fields[scan->row_dates[j]]
						.name;
			}
		/* the row dates that a pick dating rows by them read */
		for (size_t p = 0; p < scan->pick_count; p++) {
			const kpi_node *o = scan->picks[p]->k->select;

			if (kpi_select_dates_rows(o) &&
			    o->field[0] < scan->base_fields &&
			    (scan->schema->fields[o->field[0]].flags &
			     (PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED)) &&
			    scan->schema->fields[o->field[0]].type ==
				    PEIL_TYPE_DATE &&
			    scan->pick_last[p] > last) {
				last = scan->pick_last[p];
				field = o->name[0];
			}
		}
	}
	r->last_date = last == INT32_MIN ? INT32_MAX : last;
	r->last_field = field;
}

/* r's note of the rows of its dataset whose join found no row (0: none),
 * and what became of them: a selection that reads the joined dataset's
 * dates cannot date them, and counts them in no period; otherwise they
 * count with the joined fields empty (a breakdown by one: "(onbekend)").
 * base_fields: the fields of r's own dataset, before the joined ones. */
static void kpi_run_unmatched(kpi_run *r, const kpi_joined *j,
			      size_t base_fields)
{
	const kpi_node *sel = r->k->select;
	char which[384];
	int undated;

	if (!kpi_joined_unmatched(j, which, sizeof(which)))
		return;
	undated = sel && (sel->field[0] >= base_fields ||
			  ((sel->op == KPI_RUNNING_IN ||
			    sel->op == KPI_ON_REFERENCE_DATE) &&
			   sel->field[1] >= base_fields));
	/* each join's part says it: a part is one note of the run
	 * (model/input_age.h) */
	for (char *part = which, *next; part; part = next) {
		size_t used = strlen(r->unmatched);

		if ((next = strstr(part, "; dataset ")))
			*next = '\0', next += 2;
		snprintf(r->unmatched + used, sizeof(r->unmatched) - used,
			 "%s%s: %s", used ? "; " : "", part,
			 undated ? "left out: the selection dates rows by the "
				   "joined dataset"
				 : "counted with the joined fields empty");
	}
}

/* After the scan (rc its result): room in every run for every cell, the
 * values count_distinct spilled counted, and the scan's result, -1 with
 * err when it failed. */
static int kpi_scan_end(kpi_scan *scan, int rc, peil_error *err)
{
	for (size_t i = 0; i < scan->run_count && rc == 0; i++) {
		kpi_run *r = scan->runs[i];

		size_t cells = kpi_cells_count(r->cells);

		r->first_date = scan->pick_first[scan->run_pick[i]];
		kpi_scan_last_date(scan, scan->run_pick[i], r);
		if (r->period_count && cells > r->acc_cells &&
		    kpi_run_grow(r, cells - 1) < 0) {
			scan->out_of_memory = 1;
			continue;
		}
		kpi_run_fold_spans(r);
		/* the values count_distinct spilled; the KPI fails alone.
		 * A scan of the queue leaves them to its takers, in pieces. */
		if (r->distinct && !r->failed && scan->queue)
			kpi_queue_defer(scan->queue, r);
		else if (r->distinct && !r->failed &&
			 kpi_distinct_finish(r->distinct, kpi_count_distinct,
					     r, &r->err) < 0)
			r->failed = 1;
	}
	if (scan->out_of_memory)
		return error_set(err, NULL, 0, NULL, "out of memory");
	return rc != 0 ? -1 : 0;
}

static void kpi_scan_release(kpi_scan *scan)
{
	for (size_t c = 0; scan->cells && c < scan->cells_count; c++)
		kpi_cells_release(scan->cells[c]);
	free(scan->cells);
	free(scan->row_cell);
	free(scan->picks);
	free(scan->run_pick);
	free(scan->row_from);
	free(scan->row_to);
	free(scan->pick_first);
	free(scan->pick_last);
	free(scan->pick_end_last);
	free(scan->row_dates);
	free(scan->row_date_last);
	free(scan->runs);
	free(scan->run_cells);
	free(scan->slot);
	free(scan->pick_runs);
	free(scan->row_runs);
	free(scan->cells_runs);
	free(scan->cells_first);
	for (size_t c = 0; scan->cells_found && c < scan->cells_count; c++)
		free(scan->cells_found[c]);
	free(scan->cells_found);
	free(scan->cells_found_count);
}

/* The runs of each pick and of each breakdown (kpi_scan.pick_runs,
 * cells_runs), once all runs are added.  -1 when out of memory. */
static int kpi_scan_plan(kpi_scan *scan)
{
	size_t n = 0;

	scan->run_words = (scan->run_count + 63) / 64;
	scan->pick_runs = calloc(scan->pick_count * scan->run_words,
				 sizeof(*scan->pick_runs));
	scan->row_runs = calloc(scan->run_words, sizeof(*scan->row_runs));
	scan->cells_runs = calloc(scan->run_count, sizeof(*scan->cells_runs));
	scan->cells_first = calloc(scan->cells_count + 1,
				   sizeof(*scan->cells_first));
	scan->cells_found = calloc(scan->cells_count,
				   sizeof(*scan->cells_found));
	scan->cells_found_count = calloc(scan->cells_count,
					 sizeof(*scan->cells_found_count));
	if (!scan->pick_runs || !scan->row_runs || !scan->cells_runs ||
	    !scan->cells_first || !scan->cells_found ||
	    !scan->cells_found_count)
		return -1;
	for (size_t i = 0; i < scan->run_count; i++)
		scan->pick_runs[scan->run_pick[i] * scan->run_words + i / 64] |=
			(uint64_t)1 << (i % 64);
	for (size_t c = 0; c < scan->cells_count; c++) {
		scan->cells_first[c] = n;
		for (size_t i = 0; i < scan->run_count; i++)
			if (scan->run_cells[i] == c)
				scan->cells_runs[n++] = i;
	}
	scan->cells_first[scan->cells_count] = n;
	return 0;
}

/* ------------------------------------------------------ period matching */

/* A period's day that selections compare with. */
enum period_day { DAY_FIRST, DAY_LAST, DAY_REFERENCE };

static int32_t period_day_of(const period *p, enum period_day which)
{
	return which == DAY_FIRST ? p->first
	       : which == DAY_LAST ? p->last : p->reference;
}

/* The first period whose day is on or after d (count when none); the
 * days grow with the periods, which are sorted and disjoint.  Most rows
 * of a dataset lie before or after all periods: the ends decide those. */
static size_t kpi_first_on_or_after(const kpi_run *r, int32_t d,
				    enum period_day which)
{
	size_t lo = 0, hi = r->period_count;

	if (hi == 0 || period_day_of(&r->periods[0], which) >= d)
		return 0;
	if (period_day_of(&r->periods[hi - 1], which) < d)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (period_day_of(&r->periods[mid], which) >= d)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* How many periods have their day on or before d. */
static size_t kpi_count_on_or_before(const kpi_run *r, int32_t d,
				     enum period_day which)
{
	size_t lo = 0, hi = r->period_count;

	if (hi == 0 || period_day_of(&r->periods[0], which) > d)
		return 0;
	if (period_day_of(&r->periods[hi - 1], which) <= d)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int32_t x = period_day_of(&r->periods[mid], which);

		if (x <= d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The date in a field of the row into *out; 0 when it has none. */
static int kpi_row_date(const kpi_row *row, size_t field, int32_t *out)
{
	const peil_value *v = &row->values[row->slot[field]];

	if (v->type != PEIL_TYPE_DATE)
		return 0;
	*out = v->as.date;
	return 1;
}

/* The periods [*from, *to) that the KPI's selection puts the row in.
 * Periods are sorted and disjoint, so each is a binary search.  1 with
 * the date of the selection's first field in *start (read once per row
 * for both) and, in *end_out, its end where the selection has one and
 * the row an end after its start (else left as it was), 0 when the row
 * has none or there is no selection. */
static int kpi_match_periods(const kpi_run *r, const kpi_row *row,
			     size_t *from, size_t *to, int32_t *start_out,
			     int32_t *end_out)
{
	const kpi_node *sel = r->k->select;
	int32_t start, end;

	*from = 0;
	*to = r->period_count;
	if (!sel)
		return 0;
	if (!kpi_row_date(row, sel->field[0], &start)) {
		*to = 0;
		return 0;
	}
	*start_out = start;
	*from = kpi_first_on_or_after(r, start,
				      sel->op == KPI_ON_REFERENCE_DATE
					      ? DAY_REFERENCE : DAY_LAST);
	switch (sel->op) {
	case KPI_STARTED_IN:
	case KPI_CLOSED_IN:
		/* the one period containing the date, if any */
		*to = *from < r->period_count &&
		      r->periods[*from].first <= start ? *from + 1 : *from;
		return 1;
	case KPI_CUMULATIVE:
		/* from the contract's first day: before it, in none */
		if (start < r->set->contract_start)
			*to = *from;
		return 1;
	case KPI_UP_TO:
		return 1;	/* every period ending on or after it */
	case KPI_RUNNING_IN:
		/* start <= last, and no end or end >= first */
		if (kpi_row_date(row, sel->field[1], &end)) {
			*to = kpi_count_on_or_before(r, end, DAY_FIRST);
			*end_out = end;
		}
		break;
	default:
		/* on the reference date: start <= reference, and no end or
		 * end >= reference */
		if (kpi_row_date(row, sel->field[1], &end)) {
			*to = kpi_count_on_or_before(r, end, DAY_REFERENCE);
			*end_out = end;
		}
		break;
	}
	if (*to < *from)
		*to = *from;
	return 1;
}

/* Note the earliest date of pick i's selection (any row, without one
 * or with closed_in) and the latest of its fields: d when dated, and
 * the end (kpi_match_periods).  An end is data too: cases closed in
 * December show that the export reaches December although none was
 * registered after September (unless the end's field is a joined
 * dataset's, kpi_scan_last_date). */
static void kpi_pick_seen(kpi_scan *scan, size_t i, int dated, int32_t d,
			  int32_t end)
{
	const kpi_node *sel = scan->picks[i]->k->select;

	if (dated) {
		if (d > scan->pick_last[i])
			scan->pick_last[i] = d;
		if (end > scan->pick_end_last[i])
			scan->pick_end_last[i] = end;
		if (sel->op == KPI_CLOSED_IN)
			d = INT32_MIN;
	} else if (sel && sel->op != KPI_CLOSED_IN) {
		return;
	} else {
		d = INT32_MIN;
	}
	if (d < scan->pick_first[i])
		scan->pick_first[i] = d;
}

/* --------------------------------------------------------- accumulating */

/* count_distinct: count in r's cell the periods of word in which a value
 * is new (kpi_distinct_count). */
static void kpi_count_distinct(void *ctx, size_t cell, size_t word,
			       uint64_t added)
{
	kpi_run *r = ctx;

	for (; added; added &= added - 1)
		r->acc[cell * r->period_count + word * 64 +
		       (size_t)__builtin_ctzll(added)].distinct += 1;
}

/* count_distinct: v (not null) in the total and cell of the periods
 * [from, to), a word of 64 periods at a time. */
static int kpi_acc_distinct_range(kpi_run *r, const kpi_value *v,
				  size_t from, size_t to, size_t cell)
{
	size_t np = r->period_count;

	if (!r->distinct && !(r->distinct = kpi_distinct_new(
				    np, r->set->limits.distinct_bytes)))
		return -1;
	for (size_t w = from / 64; w * 64 < to; w++) {
		size_t lo = w * 64 > from ? 0 : from % 64;
		size_t hi = (w + 1) * 64 <= to ? 64 : to - w * 64;
		uint64_t bits = (hi == 64 ? ~(uint64_t)0
				 : ((uint64_t)1 << hi) - 1) &
				~(((uint64_t)1 << lo) - 1);

		for (int pass = 0; pass < 1 + (cell != 0); pass++) {
			size_t c = pass ? cell : 0;

			if (kpi_distinct_add_bits(r->distinct, v, c, w,
						  bits) < 0)
				return -1;
		}
	}
	return 0;
}

/* What row adds to part, a count() or sum() of ratio(), into *out: 1 or 0
 * for a count (its condition), the measure for a sum (NULL adds 0). */
static int kpi_part(kpi *k, const kpi_node *part, const kpi_row *row,
		    size_t p, double *out, peil_error *err)
{
	kpi_value v;
	int hit = 1;

	if (part->op == KPI_DATASET_SUM) {	/* read from its dataset */
		*out = 0;
		return 0;
	}
	if (part->op == KPI_COUNT) {
		if (part->kid_count &&
		    kpi_condition(k, part->kids[0], row, p, &hit, err) < 0)
			return -1;
		*out = hit;
		return 0;
	}
	if (kpi_measure(k, part->kids[0], row, p, &v, err) < 0)
		return -1;
	*out = v.type == KPI_VALUE_NULL ? 0 : v.num;
	return 0;
}

/* Whether the rows of cell count in the cell the cases ask for: every
 * cell counts in the total. */
static int kpi_cases_cell(const kpi_run *r, size_t cell)
{
	const char *want = r->set->cases->cell;

	return strcmp(want, "{}") == 0 ||
	       (cell && strcmp(kpi_cells_text(r->cells, cell), want) == 0);
}

/* Hand row to the cases' fn when it counts in their period and cell
 * (kpi_set_cases): with hit (the rows a count counts, a share's
 * numerator), or any row that passed where with cases->all.  -1 when fn
 * stops the evaluation. */
static int kpi_case(kpi_run *r, const kpi_row *row, size_t from, size_t to,
		    size_t cell, int hit, const kpi_value *distinct)
{
	const kpi_cases *cases = r->set->cases;
	char num[32];
	const char *text = NULL;
	size_t len = 0;

	if (!hit && !cases->all)
		return 0;
	if (!kpi_cases_cell(r, cell))
		return 0;
	if (distinct && distinct->type == KPI_VALUE_TEXT) {
		text = distinct->text;
		len = distinct->len;
	} else if (distinct && distinct->type != KPI_VALUE_NULL) {
		len = (size_t)snprintf(num, sizeof(num), "%.17g",
				       distinct->num);
		text = num;
	}
	for (size_t p = from; p < to; p++)
		if (strcmp(r->periods[p].id, cases->period) == 0 &&
		    cases->fn(cases->ctx, row->schema, row->values, row->slot,
			      hit, text, len) < 0)
			return error_set(&r->err, NULL, 0, NULL,
					 "kpi '%s': listing its cases failed",
					 r->k->info.id);
	return 0;
}

/* Row in the periods [from, to): where, then the rule's condition or
 * measure, evaluated once in period from, added to the cell and the
 * total of each.  A run whose rule is the same in every period (steady)
 * takes all its periods at once; the others one at a time.  -1 when the
 * KPI failed (r->err), -2 when out of memory. */
static int kpi_accumulate(kpi_run *r, const kpi_row *row, size_t from,
			  size_t to, size_t cell)
{
	kpi *k = r->k;
	const kpi_node *rule = k->rule;
	kpi_value v, *value = NULL;
	int ok = 1, hit = 1;
	size_t np = r->period_count;
	double den = 0;

	if (r->groups_of)
		return 0;	/* that run's groups are this one's */
	if (k->where && kpi_condition(k, k->where, row, from, &ok,
				      &r->err) < 0)
		return -1;
	if (!ok)
		return 0;
	if (k->per) {		/* groups are reduced after the scan */
		for (size_t p = from; p < to; p++)
			if (kpi_group_add(k, row, kpi_group_slot(r, 0, p),
					  &r->err) < 0 ||
			    (cell && kpi_group_add(k, row,
						   kpi_group_slot(r, cell, p),
						   &r->err) < 0))
				return -1;
		return 0;
	}
	/* share_of_total(a) adds up a; the figures divide */
	if (rule->op == KPI_SHARE_OF_TOTAL)
		rule = rule->kids[0];
	if (rule->op == KPI_RATIO) {
		v.type = KPI_VALUE_NUMBER;
		if (kpi_part(k, rule->kids[0], row, from, &v.num,
			     &r->err) < 0 ||
		    kpi_part(k, rule->kids[1], row, from, &den, &r->err) < 0)
			return -1;
		value = &v;
	} else if (rule->kid_count && (rule->op == KPI_COUNT ||
				       rule->op == KPI_SHARE)) {
		if (kpi_condition(k, rule->kids[0], row, from, &hit,
				  &r->err) < 0)
			return -1;
	} else if (rule->kid_count) {
		if (kpi_measure(k, rule->kids[0], row, from, &v, &r->err) < 0)
			return -1;
		value = &v;
	}
	if (rule->op == KPI_COUNT_DISTINCT) {
		if (value && value->type != KPI_VALUE_NULL &&
		    kpi_acc_distinct_range(r, value, from, to, cell) < 0)
			return -2;
		if (r->set->cases &&
		    kpi_case(r, row, from, to, cell, hit, value) < 0)
			return -1;
		value = NULL;
	} else if (r->set->cases &&
		   kpi_case(r, row, from, to, cell, hit, NULL) < 0) {
		return -1;
	}
	if (!value)	/* a count: its periods as differences */
		return kpi_run_span(r, from, to, cell, hit) < 0 ? -2 : 0;
	for (size_t p = from; p < to; p++) {
		kpi_acc_add(&r->acc[p], hit, value);
		r->acc[p].den += den;
		if (cell) {
			kpi_acc_add(&r->acc[cell * np + p], hit, value);
			r->acc[cell * np + p].den += den;
		}
	}
	return 0;
}

/* Mark cell found in each run of breakdown c that the row passes
 * (kpi_run_find), unless every run found it already; then note that
 * they all did.  An unmatched row (kpi_joined_row_unmatched) finds the
 * cell of no run that counts it in no period.  -1 when out of memory. */
static int kpi_scan_find(kpi_scan *scan, size_t c, kpi_row *row,
			 size_t cell, int unmatched)
{
	unsigned char **found = &scan->cells_found[c];
	size_t *count = &scan->cells_found_count[c];
	int all = 1;

	if (cell < *count && (*found)[cell])
		return 0;
	for (size_t k = scan->cells_first[c]; k < scan->cells_first[c + 1];
	     k++) {
		size_t i = scan->cells_runs[k], pick = scan->run_pick[i];
		kpi_run *r = scan->runs[i];

		if (r->failed)
			continue;
		if (unmatched && scan->row_from[pick] == scan->row_to[pick]) {
			all = 0;
			continue;
		}
		row->periods = r->periods;
		row->period_count = r->period_count;
		if (kpi_run_find(r, row, cell) < 0)
			return -1;
		all &= r->found[cell];
	}
	if (!all)
		return 0;
	if (cell >= *count) {
		size_t n = *count * 2 > cell ? *count * 2 : cell + 64;
		unsigned char *grown = realloc(*found, n);

		if (!grown)
			return -1;
		memset(grown + *count, 0, n - *count);
		*found = grown;
		*count = n;
	}
	(*found)[cell] = 1;
	return 0;
}

/* The row in the periods of run i (its pick's [from, to), not empty),
 * in the cell of its breakdown.  -1 when out of memory. */
static int kpi_scan_run(kpi_scan *scan, size_t i, kpi_row *row)
{
	kpi_run *r = scan->runs[i];
	size_t cell = scan->row_cell[scan->run_cells[i]];
	size_t from = scan->row_from[scan->run_pick[i]];
	size_t to = scan->row_to[scan->run_pick[i]];
	size_t step;

	if (r->failed)
		return 0;
	/* a steady run takes all its periods at once, and one whose
	 * conditions settled over them */
	row->periods = r->periods;
	row->period_count = r->period_count;
	step = r->steady || (r->settles && to - from > 1 &&
			     kpi_run_settled(r, row, from, to))
		       ? to - from : 1;
	if (cell >= r->acc_cells && kpi_run_grow(r, cell) < 0)
		return -1;
	for (size_t p = from; p < to; p += step) {
		int rc = kpi_accumulate(r, row, p, p + step, cell);

		if (rc == -2)
			return -1;
		if (rc < 0) {
			r->failed = 1;
			break;
		}
	}
	return 0;
}

static int kpi_scan_row(void *ctx, const peil_value *values)
{
	kpi_scan *scan = ctx;
	kpi_row row = { scan->schema, values, scan->slot, ++*scan->serial,
			scan->cal, NULL, 0, LUA_NOREF, NULL };
	int unmatched = kpi_joined_row_unmatched(scan->joined);
	size_t words = scan->run_words;
	uint64_t *active = scan->row_runs;

	memset(active, 0, words * sizeof(*active));
	for (size_t i = 0; i < scan->pick_count; i++) {
		int32_t d = INT32_MIN, end = INT32_MIN;
		int dated = kpi_match_periods(scan->picks[i], &row,
					      &scan->row_from[i],
					      &scan->row_to[i], &d, &end);

		kpi_pick_seen(scan, i, dated, d, end);
		if (scan->row_from[i] < scan->row_to[i])
			for (size_t w = 0; w < words; w++)
				active[w] |= scan->pick_runs[i * words + w];
	}
	for (size_t c = 0; c < scan->cells_count; c++) {
		long cell;
		size_t k = scan->cells_first[c];

		/* A row whose join found no row (a member of a case that
		 * the cases lack) makes no cell where it counts in no
		 * period (a selection on the case's dates): no team
		 * "(onbekend)" of nobody. */
		while (unmatched && k < scan->cells_first[c + 1] &&
		       !(active[scan->cells_runs[k] / 64] >>
			 (scan->cells_runs[k] % 64) & 1))
			k++;
		if (unmatched && k == scan->cells_first[c + 1])
			continue;
		cell = kpi_cells_find(scan->cells[c], values, scan->slot);
		if (cell < 0 ||
		    (cell && kpi_scan_find(scan, c, &row, (size_t)cell,
					   unmatched) < 0)) {
			scan->out_of_memory = 1;
			return -1;
		}
		scan->row_cell[c] = (size_t)cell;
	}
	for (size_t j = 0; j < scan->row_date_count; j++) {
		int32_t d;

		if (kpi_row_date(&row, scan->row_dates[j], &d) &&
		    d > scan->row_date_last[j])
			scan->row_date_last[j] = d;
	}
	/* the runs in their order: a Lua function sees the rows and
	 * periods as it did */
	for (size_t w = 0; w < words; w++)
		for (uint64_t bits = active[w]; bits; bits &= bits - 1)
			if (kpi_scan_run(scan, w * 64 +
					 (size_t)__builtin_ctzll(bits),
					 &row) < 0) {
				scan->out_of_memory = 1;
				return -1;
			}
	return 0;
}

/* ------------------------------------------------------------- figures */

/* ratio()'s factor times num over den; NAN without a denominator. */
static double kpi_ratio(const kpi_node *rule, double num, double den)
{
	if (den == 0 || den != den)
		return NAN;
	return (rule->const_count ? rule->consts[0].num : 1) * num / den;
}

/* The figure of rule over acc, of a cell whose period's total is over
 * total (share_of_total divides by it). */
static void kpi_rule_figure(const kpi_node *rule, const kpi_acc *acc,
			    const kpi_acc *total, peil_result *out)
{
	/* The size is what the figure is made of: the rows (persons, for
	 * a KPI per person) counted, or that gave the measure a value. */
	out->numerator = out->denominator = NAN;
	out->size = acc->n;
	switch (rule->op) {
	case KPI_COUNT:
		out->value = out->numerator = out->size = acc->hits;
		break;
	case KPI_SHARE:
		out->value = acc->rows ? 100.0 * acc->hits / acc->rows : NAN;
		out->numerator = acc->hits;
		out->denominator = out->size = acc->rows;
		break;
	case KPI_MEAN:
		out->value = acc->n ? acc->sum / acc->n : NAN;
		out->numerator = acc->sum;
		out->denominator = acc->n;
		break;
	case KPI_SUM:
		out->value = acc->sum;
		break;
	case KPI_MIN:
		out->value = acc->n ? acc->min : NAN;
		break;
	case KPI_MAX:
		out->value = acc->n ? acc->max : NAN;
		break;
	case KPI_RATIO:
		out->numerator = acc->sum;
		out->denominator = acc->den;
		out->value = kpi_ratio(rule, acc->sum, acc->den);
		out->size = acc->rows;
		break;
	case KPI_SHARE_OF_TOTAL: {
		peil_result all;

		kpi_rule_figure(rule->kids[0], total, total, &all);
		kpi_rule_figure(rule->kids[0], acc, total, out);
		out->numerator = out->value;
		out->denominator = all.value;
		out->value = all.value != 0 ? 100.0 * out->value / all.value
					    : NAN;
		break;
	}
	default:	/* count_distinct: a count too */
		out->value = out->numerator = out->size = acc->distinct;
	}
}

static void kpi_figure(const kpi_run *r, const kpi_acc *acc,
		       const kpi_acc *total, peil_result *out)
{
	kpi_rule_figure(r->k->rule, acc, total, out);
	if (r->den) {	/* the denominator from another dataset */
		out->denominator = kpi_den_of(r->den, r->k, out->breakdown);
		out->value = kpi_ratio(r->k->rule, acc->sum,
				       out->denominator);
	}
	out->status = kpi_status(r->set, &r->k->info, out->breakdown,
				  out->value);
}

static const kpi_cells *kpi_sort_cells;

static int kpi_compare_cells(const void *a, const void *b)
{
	const size_t *x = a, *y = b;

	return strcmp(kpi_cells_text(kpi_sort_cells, *x),
		      kpi_cells_text(kpi_sort_cells, *y));
}

/* Hand res, of r's period p, to the sink: a period before those asked
 * for to its earlier (none: dropped). */
static int kpi_sink_put(const kpi_run *r, size_t p, const kpi_sink *sink,
			const peil_result *res, peil_error *err)
{
	int rc = p >= r->asked ? sink->result(sink->ctx, &r->k->info, res)
		 : sink->earlier ? sink->earlier(sink->ctx, &r->k->info, res)
				 : 0;

	if (rc < 0)
		return error_set(err, NULL, 0, NULL, "evaluation stopped: "
				 "the result sink failed");
	return 0;
}

/* The figure of a period that r cannot evaluate: the total, no numbers,
 * the reason as its status. */
static int kpi_emit_not_evaluated(const kpi_run *r, size_t p,
				  const kpi_sink *sink, peil_error *err)
{
	const kpi *k = r->k;
	char why[sizeof(r->why)];
	peil_result res = { 0 };

	if (r->why[0])
		memcpy(why, r->why, sizeof(why));
	else if (r->periods[p].first > r->last_date)
		result_not_evaluated_after(RESULT_MISSING_ROWS_AFTER,
					   r->last_dataset ? r->last_dataset
							   : k->info.dataset,
					   r->last_field ? r->last_field : "",
					   r->last_date, why, sizeof(why));
	else if (r->periods[p].first > r->input_day)
		result_not_evaluated_after(RESULT_MISSING_INPUT_AFTER,
					   r->input_dataset, NULL,
					   r->input_day, why, sizeof(why));
	else
		result_not_evaluated_status(RESULT_MISSING_ROWS,
					    k->info.dataset,
					    kpi_select_dates_rows(k->select)
						    ? k->select->name[0]
						    : NULL,
					    why, sizeof(why));
	res.kpi = k->info.id;
	res.period = r->periods[p].id;
	res.breakdown = "{}";
	res.value = res.numerator = res.denominator = res.size = NAN;
	res.status = why;
	return kpi_sink_put(r, p, sink, &res, err);
}

/* Whether r has no data for period p: not evaluated at all, or the
 * period ends before the dataset's first date, or begins after its
 * latest date or the day of its newest input. */
static int kpi_period_uncovered(const kpi_run *r, size_t p)
{
	const period *per = &r->periods[p];

	return r->why[0] || per->last < r->first_date ||
	       per->first > r->last_date || per->first > r->input_day;
}

/* Tell the sink once when a period of r asked for is evaluated though it
 * ends after the day of r's newest input. */
static int kpi_emit_partly_covered(const kpi_run *r, const kpi_sink *sink,
				   peil_error *err)
{
	for (size_t p = r->asked; p < r->period_count; p++) {
		if (kpi_period_uncovered(r, p) ||
		    r->periods[p].last <= r->input_day)
			continue;
		if (sink->partly_covered &&
		    sink->partly_covered(sink->ctx, &r->k->info,
					 r->input_dataset, r->input_day) < 0)
			return error_set(err, NULL, 0, NULL, "evaluation "
					 "stopped: the result sink failed");
		break;
	}
	return 0;
}

static int kpi_null_value(void *arg, const char *field, const char *value)
{
	(void)arg;
	(void)field;
	return value == NULL;	/* 1 stops: found one */
}

/* Whether cell of r is a row of its figures (kpi_run.found). */
static int kpi_cell_shown(const kpi_run *r, size_t cell)
{
	return cell == 0 ||
	       (cell < r->found_cells && r->found[cell]) ||
	       result_breakdown_each(kpi_cells_text(r->cells, cell),
				     kpi_null_value, NULL) != 1;
}

static int kpi_emit(const kpi_run *r, const kpi_sink *sink, peil_error *err)
{
	size_t n = r->why[0] ? 0 : kpi_cells_count(r->cells), shown = 0;
	size_t *order = malloc((n ? n : 1) * sizeof(*order));

	if (!order)
		return error_set(err, NULL, 0, NULL, "out of memory");
	if (kpi_emit_partly_covered(r, sink, err) < 0 ||
	    (r->unmatched[0] && sink->unmatched &&
	     sink->unmatched(sink->ctx, &r->k->info, r->unmatched) < 0 &&
	     error_set(err, NULL, 0, NULL, "evaluation stopped: the result "
		       "sink failed"))) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (kpi_cell_shown(r, i))
			order[shown++] = i;
	n = shown;
	/* qsort has no context argument in C11; this is single-threaded. */
	kpi_sort_cells = r->cells;
	if (n)
		qsort(order, n, sizeof(*order), kpi_compare_cells);
	for (size_t p = 0; p < r->period_count; p++) {
		if (kpi_period_uncovered(r, p)) {
			if (kpi_emit_not_evaluated(r, p, sink, err) < 0) {
				free(order);
				return -1;
			}
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			peil_result res = { 0 };

			res.kpi = r->k->info.id;
			res.period = r->periods[p].id;
			res.breakdown = kpi_cells_text(r->cells, order[i]);
			kpi_figure(r, &r->acc[order[i] * r->period_count + p],
				   &r->acc[p], &res);
			if (kpi_sink_put(r, p, sink, &res, err) < 0) {
				free(order);
				return -1;
			}
		}
	}
	free(order);
	return 0;
}

/* ---------------------------------------------------------------- runs */

static void kpi_run_free(kpi_run *r)
{
	if (!r)
		return;
	free(r->acc);
	free(r->span);
	free(r->found);
	kpi_distinct_free(r->distinct);
	kpi_cells_release(r->cells);
	kpi_den_free(r->den);
	free(r->periods);
	kpi_lua_release(r->k);
	free(r);
}

static int kpi_run_fail(kpi_run *r, const char *fmt, const char *arg)
{
	r->failed = 1;
	error_set(&r->err, r->k->info.script, r->k->info.line, NULL, fmt,
		  r->k->info.id, arg);
	return 0;
}

/* The first day k is evaluated from in grain g for [from, to]: from,
 * or with comparisons (compare) the first day of the earliest period its
 * first period is compared with.  Those earlier periods' figures go to
 * the sink's earlier (docs/kpi-scripts.md, "Comparisons"). */
static int32_t kpi_compare_from(const kpi_set *set, const kpi *k,
				period_grain g, int32_t from, int32_t to)
{
	const int csm = set->contract_start_month;
	period first, earlier;

	if (!k->info.compare ||
	    period_list(g, csm, from, to, &first, 1) == 0)
		return from;
	if (k->info.compare & KPI_COMPARE_YEAR_BEFORE) {
		period_containing(g, csm, date_add_months(first.first, -12),
				  &earlier);
		return earlier.first;
	}
	period_containing(g, csm, first.first - 1, &earlier);
	return earlier.first;
}

/* A run for k's grain-th grain over [from, to]; -1 when out of memory. */
static int kpi_run_new(kpi_set *set, kpi *k, size_t grain, int32_t from,
		       int32_t to, kpi_run **out)
{
	kpi_run *r = calloc(1, sizeof(*r));
	period_grain g = k->info.grains.grain[grain];
	int32_t asked_from = from;
	size_t n;

	from = kpi_compare_from(set, k, g, from, to);
	n = period_list(g, set->contract_start_month, from, to, NULL, 0);

	*out = r;
	if (!r)
		return -1;
	r->set = set;
	r->k = k;
	r->grain = grain;
	r->periods = calloc(n ? n : 1, sizeof(*r->periods));
	r->acc = calloc(8 * (n ? n : 1), sizeof(*r->acc));
	if (!r->periods || !r->acc)
		return -1;
	r->acc_cells = 8;
	r->first_date = INT32_MAX;
	r->last_date = r->input_day = INT32_MAX;
	r->period_count = period_list(g, set->contract_start_month, from, to,
				      r->periods, n);
	for (size_t i = 0; i < r->period_count; i++) {
		period_set_reference(&r->periods[i], set->reference);
		r->asked += r->periods[i].first < asked_from;
	}
	k->budget_left = set->limits.instructions;
	k->seconds_left = (double)set->limits.seconds;
	k->seconds_limit = set->limits.seconds;
	k->run_deadline = set->run_deadline;
	k->run_seconds_limit = set->limits.run_seconds;
	kpi_lua_release(k);
	return 0;
}

static int kpi_same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* k and other read the same rows: the same dataset and the same joins. */
static int kpi_same_rows(const kpi *k, const kpi *other)
{
	if (strcmp(k->info.dataset, other->info.dataset) != 0 ||
	    k->join_count != other->join_count)
		return 0;
	for (size_t i = 0; i < k->join_count; i++) {
		const kpi_link *a = &k->joins[i], *b = &other->joins[i];

		if (!kpi_same_text(a->name, b->name) ||
		    !kpi_same_text(a->dataset, b->dataset) ||
		    !kpi_same_text(a->field, b->field) ||
		    !kpi_same_text(a->key, b->key))
			return 0;
	}
	return 1;
}

/* The cases (kpi_set_cases) when the groups of cell and period p are
 * those they list: in the total the slot of cell 0, which holds them all;
 * otherwise NULL. */
static const kpi_cases *kpi_cases_groups(const kpi_run *r, size_t cell,
					 size_t p)
{
	const kpi_cases *cases = r->set->cases;

	if (!cases || strcmp(r->periods[p].id, cases->period) != 0 ||
	    (cell == 0) != (strcmp(cases->cell, "{}") == 0) ||
	    !kpi_cases_cell(r, cell))
		return NULL;
	return cases;
}

/* per: reduce the groups of r's (cell, period p), those of groups (its
 * own, or those of the run it shares them with); r failed when that
 * fails. */
static void kpi_reduce_groups(kpi_run *r, struct kpi_group_store *groups,
			      size_t cell, size_t p)
{
	kpi_row templ = { NULL, NULL, NULL, 0, r->set->cal, r->periods,
			  r->period_count, LUA_NOREF, NULL };
	/* its own, held for its other grains (one of them may share none) */
	struct kpi_group_store *own = r->k->groups;
	size_t np = r->period_count;

	if (!r->k->per || r->failed || r->why[0])
		return;
	r->k->groups = groups;
	if (kpi_group_reduce(r->k, &templ, kpi_group_slot(r, cell, p), p,
			     &r->acc[cell * np + p],
			     kpi_cases_groups(r, cell, p), &r->err) < 0)
		r->failed = 1;
	r->k->groups = own;
}

/* per: reduce the groups of scan->runs[i] and of the runs that share
 * them period by period, each group for all of them at once and the
 * groups of all cells in the order of their first rows
 * (kpi_group_reduce_merged); runs fail as kpi_reduce_groups fails them.
 * 0, or -1 when they are to be reduced slot by slot: a Lua function
 * reads the groups, or cases are listed (their order is the slots'). */
static int kpi_reduce_merged(kpi_scan *scan, size_t i)
{
	kpi_run *o = scan->runs[i];
	size_t cells = kpi_cells_count(o->cells), n = 0;
	size_t *slots = malloc((cells ? cells : 1) * sizeof(*slots));
	kpi_group_part *parts = calloc(scan->run_count - i, sizeof(*parts));
	kpi_run **of = calloc(scan->run_count - i, sizeof(*of));
	int rc = -1;

	if (o->set->cases || !slots || !parts || !of)
		goto out;
	for (size_t j = i; j < scan->run_count; j++) {
		kpi_run *r = scan->runs[j];

		if (j != i && r->groups_of != o)
			continue;
		if (r->k->groups_lua)
			goto out;
		if (r->failed || r->why[0])
			continue;
		of[n] = r;
		parts[n++] = (kpi_group_part){
			r->k,
			{ NULL, NULL, NULL, 0, r->set->cal, r->periods,
			  r->period_count, LUA_NOREF, NULL },
			NULL, r->period_count, &r->err, 0 };
	}
	rc = 0;
	for (size_t p = 0; n && p < o->period_count; p++) {
		for (size_t c = 0; c < cells; c++)
			slots[c] = kpi_group_slot(o, c, p);
		for (size_t j = 0; j < n; j++)
			parts[j].acc = &of[j]->acc[p];
		if (kpi_group_reduce_merged(parts, n, slots, cells, p) == 0)
			continue;
		for (size_t j = 0; j < n; j++)
			if (!parts[j].failed) {
				error_set(parts[j].err, NULL, 0, NULL,
					  "out of memory");
				parts[j].failed = 1;
			}
	}
	for (size_t j = 0; j < n; j++)
		of[j]->failed |= parts[j].failed;
	o->set->group_stores_merged++;
out:
	free(of);
	free(parts);
	free(slots);
	return rc;
}

/* Runs of the scan with groups (per) whose rows and kept fields are the
 * same (kpi_group_rows_key), in the same cells, grain and periods: each
 * after the first reads the first's groups (zrm.lua's three directions:
 * one set of groups, not three). */
static void kpi_scan_share_groups(kpi_scan *scan)
{
	char a[4096], b[4096];

	for (size_t i = 0; i < scan->run_count; i++) {
		kpi_run *r = scan->runs[i];

		if (!r->k->per || !kpi_group_rows_key(r->k, a, sizeof(a)))
			continue;
		for (size_t j = 0; j < i && !r->groups_of; j++) {
			kpi_run *o = scan->runs[j];

			if (o->k->per && !o->groups_of && o->k != r->k &&
			    o->grain == r->grain &&
			    scan->run_cells[j] == scan->run_cells[i] &&
			    scan->run_pick[j] == scan->run_pick[i] &&
			    kpi_group_rows_key(o->k, b, sizeof(b)) &&
			    strcmp(a, b) == 0)
				r->groups_of = o;
		}
	}
}

/* per: after the scan, reduce the groups of its runs, those that share
 * them with the groups of the first, then free them all: the groups of
 * one scan are never held beside those of the next. */
static void kpi_scan_reduce(kpi_set *set, kpi_run **runs, size_t count,
			    kpi_scan *scan)
{
	size_t held = 0, per = 0;

	/* a scan with groups is on the main thread, as are all groups */
	for (size_t i = 0; i < scan->run_count; i++)
		per += scan->runs[i]->k->per != NULL;
	if (!per)
		return;
	for (size_t i = 0; i < count; i++) {
		size_t j = 0;

		while (j < i && runs[j]->k != runs[i]->k)
			j++;
		held += j == i && runs[i]->k->groups;
	}
	if (held > set->group_stores_peak)
		set->group_stores_peak = held;
	for (size_t i = 0; i < scan->run_count; i++) {
		size_t j = 0;

		while (j < i && scan->runs[j]->k != scan->runs[i]->k)
			j++;
		set->group_stores_made += j == i && scan->runs[i]->k->groups;
	}
	/* groups that a failure in the scan left unfinished */
	for (size_t i = 0; i < scan->run_count; i++) {
		kpi_run *r = scan->runs[i], *o = r->groups_of;

		if (o && o->failed && !r->failed)
			kpi_run_fail(r, "kpi '%s': its groups are those of "
				     "kpi '%s', which failed", o->k->info.id);
	}
	/* period by period, each group for the run that made it and the
	 * runs that share it at once (kpi_reduce_merged); with Lua or
	 * cases slot by slot, and in each the runs that share the groups
	 * right after the run that made them: what a group's
	 * score_change{} came to is remembered for one slot
	 * (kpi_group_memo_of) */
	for (size_t i = 0; i < scan->run_count; i++) {
		kpi_run *o = scan->runs[i];
		struct kpi_group_store *groups = o->k->groups;

		if (!o->k->per || o->groups_of ||
		    kpi_reduce_merged(scan, i) == 0)
			continue;
		for (size_t cell = 0; cell < kpi_cells_count(o->cells); cell++)
			for (size_t p = 0; p < o->period_count; p++) {
				kpi_reduce_groups(o, groups, cell, p);
				for (size_t j = i + 1; j < scan->run_count; j++)
					if (scan->runs[j]->groups_of == o)
						kpi_reduce_groups(scan->runs[j],
								  groups, cell,
								  p);
			}
	}
	for (size_t i = 0; i < scan->run_count; i++)
		if (scan->runs[i]->k->per)
			kpi_group_release(scan->runs[i]->k);
}

/* The first field that k reads and no source of its dataset (or of one
 * it joins or looks up, in *dataset) fills (kpi_source.fills), or NULL. */
static const char *kpi_unfilled_field(const kpi *k, const kpi_source *source,
				      const char **dataset)
{
	return source->fills ? kpi_field_unfilled(k, source->fills,
						  source->ctx, dataset)
			     : NULL;
}

/* One scan for the runs of a group (group[i] is the index of the first
 * run of i's group): those that read the same rows, a dataset, or a
 * dataset with the fields of its joins appended.  first is the group's
 * first run.  Only the fields the KPIs use are read, every field when one
 * has a Lua function (row tables carry them all).  Rows are numbered from
 * *serial.  -1 with err when the scan as a whole failed. */
static int kpi_scan_dataset(kpi_set *set, kpi_run **runs, size_t count,
			    size_t first, const size_t *group,
			    const kpi_source *source, uint64_t *serial,
			    struct kpi_queue *queue, peil_error *err)
{
	const size_t leader = group[first];
	const kpi *k = runs[first]->k;
	const peil_schema *schema = NULL;
	kpi_joined *j = NULL;
	kpi_scan scan = { 0 };
	unsigned char *used = NULL;
	size_t *projection = NULL, projected = 0;
	const char *missing, *dataset;
	int rc = 0, uses_lua = 0;

	if (k->join_count) {
		/* A join that fails fails this KPI alone: the others that
		 * join alike fail in their turn, with their own names. */
		while (kpi_joined_new(k, source->schema, source->ctx, &j,
				      &runs[first]->err) < 0) {
			runs[first]->failed = 1;
			do
				first++;
			while (first < count && (group[first] != leader ||
						 runs[first]->failed));
			if (first == count)
				return 0;
			k = runs[first]->k;
		}
		schema = kpi_joined_schema(j);
	} else {
		schema = source->schema(source->ctx, k->info.dataset);
	}
	if (kpi_scan_init(&scan, set, count, serial) < 0) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	scan.schema = schema;
	scan.queue = queue;
	if (schema) {
		used = calloc(schema->field_count + 1, 1);
		projection = calloc(schema->field_count + 1,
				    sizeof(*projection));
		scan.slot = calloc(schema->field_count + 1,
				   sizeof(*scan.slot));
	}
	if (schema && (!used || !projection || !scan.slot)) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = first; i < count; i++) {
		kpi_run *r = runs[i];

		if (group[i] != leader || r->failed || r->why[0])
			continue;
		if (!schema) {
			kpi_run_fail(r, "kpi '%s': unknown dataset '%s'",
				     k->info.dataset);
			continue;
		}
		if ((missing = kpi_missing_field(r->k, schema))) {
			result_not_evaluated_status(RESULT_MISSING_FIELD,
						    r->k->info.dataset, missing,
						    r->why, sizeof(r->why));
			continue;
		}
		if ((missing = kpi_unfilled_field(r->k, source, &dataset))) {
			result_not_evaluated_status(RESULT_MISSING_SOURCE,
						    dataset, missing, r->why,
						    sizeof(r->why));
			continue;
		}
		if (kpi_bind(r->k, schema, &r->err) < 0) {
			r->failed = 1;
			continue;
		}
		kpi_mark_fields(r->k, used);
		uses_lua |= r->k->uses_lua;
		if (kpi_scan_add(&scan, r) < 0) {
			rc = error_set(err, NULL, 0, NULL, "out of memory");
			goto out;
		}
	}
	if (!scan.run_count)
		goto out;
	if (kpi_scan_row_dates(&scan, j ? source->schema(source->ctx,
							 k->info.dataset)
					: schema, used) < 0) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	kpi_scan_share_groups(&scan);
	if (kpi_scan_plan(&scan) < 0) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	/* the cases behind a figure show any field: project them all */
	if (uses_lua || set->cases)
		memset(used, 1, schema->field_count);
	if (j) {
		/* the joined row holds every field, those not read empty */
		for (size_t f = 0; f < schema->field_count; f++)
			scan.slot[f] = f;
		scan.joined = j;
		rc = kpi_joined_scan(j, source, used, kpi_scan_row, &scan,
				     err);
		for (size_t i = 0; rc == 0 && i < scan.run_count; i++)
			kpi_run_unmatched(scan.runs[i], j, scan.base_fields);
	} else {
		for (size_t f = 0; f < schema->field_count; f++) {
			scan.slot[f] = used[f] ? projected : SIZE_MAX;
			if (used[f])
				projection[projected++] = f;
		}
		rc = source->scan(source->ctx, schema, NULL, projection,
				  projected, kpi_scan_row, &scan, err);
	}
	rc = kpi_scan_end(&scan, rc, err);
	if (rc == 0)
		kpi_scan_reduce(set, runs, count, &scan);
	/* Lua runs only in groups that this thread scans: their row
	 * metatables name this scan's schema, which a join frees below. */
	for (size_t i = 0; i < scan.run_count; i++)
		if (scan.runs[i]->k->uses_lua)
			kpi_row_meta_drop(scan.runs[i]->k->script);
out:
	kpi_scan_release(&scan);
	kpi_joined_free(j);
	free(projection);
	free(used);
	return rc;
}

/* ------------------------------------------------------ scans in parallel */

/* The scans of groups whose KPIs are declarative, taken in turn by this
 * thread and a second one, each with its own source; then the values of
 * their count_distinct, in pieces that either thread counts: the thread
 * whose scan ended first helps with the other's (personen_uniek's 1.5
 * million records were 0.3 G instructions on the join's thread, while
 * the cases' thread had ended). */
typedef struct kpi_queue {
	kpi_set *set;
	kpi_run **runs;
	size_t count;
	const size_t *group;
	const size_t *firsts;	/* the groups' first runs, in the order
				   they are taken */
	size_t first_count;
	atomic_size_t next;	/* the next to take */
	atomic_int stop;	/* a scan failed: take no more */
	pthread_mutex_t lock;	/* over what follows */
	pthread_cond_t ready;	/* a piece came, or a taker ended its scans */
	size_t scanning;	/* takers that may still defer pieces */
	kpi_run **finishing;	/* runs with pieces, in the order deferred */
	size_t finishing_count, finished;	/* runs whose pieces are all
						   taken come first */
} kpi_queue;

/* count_distinct's records per piece (kpi_queue_defer), and pieces per
 * run at most: a piece is a share of the partitions (a value is in
 * one), counted into counts of its own, added to the run's accumulators
 * at its end. */
#define KPI_PIECE_RECORDS ((size_t)1 << 15)
#define KPI_PIECES 16

/* Leave the count of r's count_distinct to the queue's takers, in
 * pieces of about KPI_PIECE_RECORDS records. */
static void kpi_queue_defer(kpi_queue *q, kpi_run *r)
{
	size_t pieces = kpi_distinct_records(r->distinct) / KPI_PIECE_RECORDS +
			1;

	r->distinct_pieces = pieces < KPI_PIECES ? pieces : KPI_PIECES;
	r->distinct_next = 0;
	pthread_mutex_lock(&q->lock);
	q->finishing[q->finishing_count++] = r;
	pthread_cond_broadcast(&q->ready);
	pthread_mutex_unlock(&q->lock);
}

/* A piece's counts: [cell * period_count + p]. */
typedef struct kpi_piece {
	uint64_t *counts;
	size_t period_count;
} kpi_piece;

static void kpi_piece_count(void *ctx, size_t cell, size_t word,
			    uint64_t added)
{
	kpi_piece *pc = ctx;

	for (; added; added &= added - 1)
		pc->counts[cell * pc->period_count + word * 64 +
			   (size_t)__builtin_ctzll(added)]++;
}

/* Count piece of r's count_distinct: a run's only piece straight into
 * its accumulators, any other into counts of its own, added under the
 * queue's lock (two pieces of a run may be counted at once).  A piece
 * that fails fails the run, with the first error. */
static void kpi_take_piece(kpi_queue *q, kpi_run *r, size_t piece)
{
	size_t n = r->acc_cells * r->period_count;
	kpi_piece pc = { NULL, r->period_count };
	peil_error err;
	int rc;

	if (r->distinct_pieces == 1)
		rc = kpi_distinct_finish_piece(r->distinct, 0, 1,
					       kpi_count_distinct, r, &err);
	else if (!(pc.counts = calloc(n ? n : 1, sizeof(*pc.counts))))
		rc = error_set(&err, NULL, 0, NULL, "out of memory");
	else
		rc = kpi_distinct_finish_piece(r->distinct, piece,
					       r->distinct_pieces,
					       kpi_piece_count, &pc, &err);
	atomic_fetch_add(&q->set->distinct_pieces, 1);
	pthread_mutex_lock(&q->lock);
	if (rc < 0 && !r->failed) {
		r->err = err;
		r->failed = 1;
	}
	for (size_t i = 0; rc == 0 && pc.counts && i < n; i++)
		r->acc[i].distinct += (double)pc.counts[i];
	pthread_mutex_unlock(&q->lock);
	free(pc.counts);
}

typedef struct kpi_taker {
	kpi_queue *queue;
	const kpi_source *source;
	uint64_t serial;	/* this thread's row numbers */
	int rc;
	peil_error err;
} kpi_taker;

/* Scans from the queue while there are, then pieces while there are or
 * the other taker may still defer some. */
static void kpi_take(kpi_taker *t)
{
	kpi_queue *q = t->queue;

	while (t->rc == 0 && !atomic_load(&q->stop)) {
		size_t i = atomic_fetch_add(&q->next, 1);

		if (i >= q->first_count)
			break;
		t->rc = kpi_scan_dataset(q->set, q->runs, q->count,
					 q->firsts[i], q->group, t->source,
					 &t->serial, q, &t->err);
		if (t->rc != 0)
			atomic_store(&q->stop, 1);
	}
	pthread_mutex_lock(&q->lock);
	q->scanning--;
	pthread_cond_broadcast(&q->ready);
	while (!atomic_load(&q->stop)) {
		kpi_run *r;

		while (q->finished < q->finishing_count &&
		       q->finishing[q->finished]->distinct_next ==
			       q->finishing[q->finished]->distinct_pieces)
			q->finished++;
		if (q->finished < q->finishing_count) {
			size_t piece;

			r = q->finishing[q->finished];
			piece = r->distinct_next++;
			pthread_mutex_unlock(&q->lock);
			kpi_take_piece(q, r, piece);
			pthread_mutex_lock(&q->lock);
		} else if (q->scanning) {
			pthread_cond_wait(&q->ready, &q->lock);
		} else {
			break;
		}
	}
	pthread_mutex_unlock(&q->lock);
}

static void *kpi_take_thread(void *arg)
{
	kpi_take(arg);
	return NULL;
}

/* Whether the runs of the group of first can be evaluated off the main
 * thread: no Lua function, no per (groups are Lua tables). */
static int kpi_group_declarative(kpi_run **runs, size_t count, size_t first,
				 const size_t *group)
{
	for (size_t i = first; i < count; i++)
		if (group[i] == first && (runs[i]->k->uses_lua ||
					  runs[i]->k->per))
			return 0;
	return 1;
}

/* Every scan: with a reader and more than one scan, the declarative ones
 * on two threads (those that join first, as they cost most) after the
 * others on this one; else one after the other, in run order.  -1 with
 * err when a scan as a whole failed. */
static int kpi_scan_all(kpi_set *set, kpi_run **runs, size_t count,
			const kpi_source *source, peil_error *err)
{
	size_t *group = malloc((count ? count : 1) * sizeof(*group));
	size_t *firsts = malloc((count ? count : 1) * sizeof(*firsts));
	size_t first_count = 0, queued = 0, lua_count = 0;
	kpi_queue q;
	kpi_taker mine, other;
	kpi_source reader;
	pthread_t thread;
	int rc = 0, threaded = 0;

	if (!group || !firsts) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		group[i] = SIZE_MAX;
		if (runs[i]->failed || runs[i]->why[0])
			continue;
		for (size_t f = 0; f < first_count && group[i] == SIZE_MAX;
		     f++)
			if (kpi_same_rows(runs[firsts[f]]->k, runs[i]->k))
				group[i] = firsts[f];
		if (group[i] == SIZE_MAX)
			group[i] = firsts[first_count++] = i;
	}
	lua_count = first_count;	/* all here, in run order */
	/* the cases behind a figure are listed on this thread alone */
	if (first_count > 1 && source->reader_open && source->reader_close &&
	    !set->cases) {
		/* the Lua groups, then the others, joins first */
		size_t *order = malloc(first_count * sizeof(*order)), n = 0;

		if (!order) {
			rc = error_set(err, NULL, 0, NULL, "out of memory");
			goto out;
		}
		lua_count = 0;
		for (int pass = 0; pass < 3; pass++)
			for (size_t f = 0; f < first_count; f++) {
				size_t i = firsts[f];
				int decl = kpi_group_declarative(runs, count,
								 i, group);
				int joins = runs[i]->k->join_count > 0;

				if ((pass == 0 && !decl) ||
				    (pass == 1 && decl && joins) ||
				    (pass == 2 && decl && !joins))
					order[n++] = i;
				if (pass == 0 && !decl)
					lua_count++;
			}
		memcpy(firsts, order, first_count * sizeof(*firsts));
		free(order);
		queued = first_count - lua_count;
	}
	memset(&q, 0, sizeof(q));
	q.set = set;
	q.runs = runs;
	q.count = count;
	q.group = group;
	q.firsts = firsts + lua_count;
	q.first_count = first_count - lua_count;
	atomic_init(&q.next, 0);
	atomic_init(&q.stop, 0);
	q.finishing = calloc(count ? count : 1, sizeof(*q.finishing));
	if (!q.finishing) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	pthread_mutex_init(&q.lock, NULL);
	pthread_cond_init(&q.ready, NULL);
	q.scanning = 1;
	memset(&mine, 0, sizeof(mine));
	mine.queue = &q;
	mine.source = source;
	mine.serial = set->serial;
	other = mine;
	other.source = &reader;
	other.serial = 0;
	if (queued > 0 && first_count > 1 &&
	    source->reader_open(source->ctx, &reader) == 0) {
		q.scanning = 2;
		/* signals are for the main thread (thread_start) */
		threaded = thread_start(&thread, kpi_take_thread, &other) == 0;
		if (!threaded) {
			q.scanning = 1;
			source->reader_close(source->ctx, &reader);
		}
	}
	/* this thread: the Lua groups (or all, in run order), then its
	 * share of the queue */
	for (size_t f = 0; f < lua_count && mine.rc == 0; f++) {
		mine.rc = kpi_scan_dataset(set, runs, count, firsts[f], group,
					   source, &mine.serial, NULL,
					   &mine.err);
		if (mine.rc != 0)
			atomic_store(&q.stop, 1);
	}
	kpi_take(&mine);
	set->serial = mine.serial;
	if (threaded) {
		pthread_join(thread, NULL);
		source->reader_close(source->ctx, &reader);
	}
	if (mine.rc != 0) {
		*err = mine.err;
		rc = -1;
	} else if (other.rc != 0) {
		*err = other.err;
		rc = -1;
	}
	pthread_cond_destroy(&q.ready);
	pthread_mutex_destroy(&q.lock);
	free(q.finishing);
out:
	free(group);
	free(firsts);
	return rc;
}

/* The index-th dataset that r's KPI reads: its own, then those it
 * joins, looks up and groups by; NULL after the last. */
static const char *kpi_run_dataset(const kpi_run *r, size_t index)
{
	const kpi *k = r->k;

	if (index == 0)
		return k->info.dataset;
	index--;
	if (index < k->join_count)
		return k->joins[index].dataset;
	index -= k->join_count;
	if (index < k->lookup_count)
		return k->lookups[index].dataset;
	index -= k->lookup_count;
	for (size_t i = 0; i < k->grouping_count; i++) {
		const kpi_group *g = kpi_set_group(r->set, k->groupings[i].group);

		if (g && g->dataset && index-- == 0)
			return g->dataset;
	}
	return NULL;
}

static int kpi_any_row(void *ctx, const peil_value *values)
{
	(void)ctx;
	(void)values;
	return 1;	/* one is enough: stop */
}

/* Whether dataset (configured: schema) was never filled: of a source
 * that knows the inputs (kpi_source.input_day), none of it is known and
 * it holds no row.  A dataset read empty (an export of no visits yet)
 * has an input, and its zeros are figures.  -1 with err when the scan
 * failed. */
static int kpi_never_filled(const kpi_source *source, const char *dataset,
			    const peil_schema *schema, peil_error *err)
{
	size_t first = 0;
	int rc;

	if (!source->input_day ||
	    source->input_day(source->ctx, dataset) != INT32_MAX ||
	    !schema->field_count)
		return 0;
	rc = source->scan(source->ctx, schema, NULL, &first, 1, kpi_any_row,
			  NULL, err);
	return rc < 0 ? -1 : rc == 0;
}

/* A KPI whose dataset, or a dataset it joins, looks up or groups by, is
 * not configured is not evaluated: its figures would be zeros that look
 * real ("Personen in een traject 0" where no trajectories exist).  Nor
 * is one that reads another dataset never filled, for the same reason
 * (its own empty dataset has no row up to any period's end): a lookup
 * of no visits, a join of no cases, a group of no values.  Nor a
 * cumulative() KPI without the contract's first day.  The day of the
 * newest input of the datasets it reads bounds the periods it
 * evaluates.  A scan that failed fails r (its err). */
static void kpi_run_check_inputs(kpi_run *r, const kpi_source *source)
{
	const kpi *k = r->k;
	const char *missing = NULL, *empty = NULL, *name;

	for (size_t i = 0; (name = kpi_run_dataset(r, i)); i++) {
		const peil_schema *schema = source->schema(source->ctx, name);
		int32_t day = source->input_day
				      ? source->input_day(source->ctx, name)
				      : INT32_MAX;

		if (!missing && !schema)
			missing = name;
		else if (!empty && schema &&
			 (i == 0 || strcmp(name, k->info.dataset) != 0)) {
			int never = kpi_never_filled(source, name, schema,
						     &r->err);

			if (never < 0) {
				r->failed = 1;
				return;
			}
			/* its own never filled: the scan says so, with
			 * the field of its selection */
			if (never)
				empty = i ? name : k->info.dataset;
		}
		if (day < r->input_day) {
			r->input_day = day;
			r->input_dataset = name;
		}
	}
	if (missing)
		result_not_evaluated_status(RESULT_MISSING_DATASET, missing,
					    NULL, r->why, sizeof(r->why));
	else if (empty && strcmp(empty, k->info.dataset) != 0)
		result_not_evaluated_status(RESULT_MISSING_ROWS, empty, NULL,
					    r->why, sizeof(r->why));
	/* Counting from the beginning of time would look like counting
	 * from the contract's start. */
	else if (k->select && k->select->op == KPI_CUMULATIVE &&
		 !r->set->has_contract_start)
		result_not_evaluated_status(RESULT_MISSING_CONTRACT_START, NULL,
					    NULL, r->why, sizeof(r->why));
}

/* The latest date of a dataset's rows (kpi_run_delivery), read once per
 * evaluation. */
typedef struct kpi_latest {
	const char *dataset;
	int32_t date;		/* INT32_MIN: none */
	const char *field;	/* the field that holds it (the schema's) */
	size_t *fields;		/* while read: the date fields */
	size_t at;		/* while read: the one of the latest */
} kpi_latest;

static int kpi_latest_row(void *ctx, const peil_value *values)
{
	kpi_latest *l = ctx;

	for (size_t i = 0; l->fields[i] != SIZE_MAX; i++)
		if (values[i].type == PEIL_TYPE_DATE &&
		    values[i].as.date > l->date) {
			l->date = values[i].as.date;
			l->at = i;
		}
	return 0;
}

/* The latest date of the dates that every row of dataset has (date
 * fields declared key or required, as kpi_scan_row_dates reads them),
 * from all its rows, whichever KPIs read it: into l, read by one
 * projected scan.  -1 with err when the scan failed. */
static int kpi_latest_read(kpi_latest *l, const kpi_source *source,
			   peil_error *err)
{
	const peil_schema *schema = source->schema(source->ctx, l->dataset);
	size_t n = 0;
	int rc = 0;

	l->date = INT32_MIN;
	if (!schema)
		return 0;
	l->fields = malloc((schema->field_count + 1) * sizeof(*l->fields));
	if (!l->fields)
		return error_set(err, NULL, 0, NULL, "out of memory");
	for (size_t f = 0; f < schema->field_count; f++)
		if (schema->fields[f].type == PEIL_TYPE_DATE &&
		    (schema->fields[f].flags &
		     (PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED)))
			l->fields[n++] = f;
	l->fields[n] = SIZE_MAX;
	if (n)
		rc = source->scan(source->ctx, schema, NULL, l->fields, n,
				  kpi_latest_row, l, err);
	if (rc == 0 && l->date != INT32_MIN)
		l->field = schema->fields[l->fields[l->at]].name;
	free(l->fields);
	l->fields = NULL;
	if (rc > 0)
		return error_set(err, NULL, 0, NULL, "out of memory");
	return rc < 0 ? -1 : 0;
}

/* Widen r's latest date by the datasets of its delivery.  A dataset's
 * rows may stop early while its export goes on (a programme whose
 * trajectories start rarely, none ended since): the rows of another
 * dataset that r reads (looks up, joins, groups by), read on the same
 * day as r's own (its newest input: kpi_source.input_day), come from
 * the same delivery of the registration system, and their latest date
 * (that every row has, kpi_latest_read) shows that r's export reaches
 * it too.  An open row alone shows nothing of the sort: the day it was
 * still running is the export's, which the day of reading does not tell
 * (an old export read today).  Read only when a period begins after r's
 * own latest date, once per dataset (cache, of *cached).  -1 with r's
 * err when a scan failed. */
static int kpi_run_delivery(kpi_run *r, const kpi_source *source,
			    kpi_latest *cache, size_t *cached)
{
	const char *own = r->k->info.dataset, *name;
	int32_t day;
	int after = 0;

	for (size_t p = 0; p < r->period_count; p++)
		after |= r->periods[p].first > r->last_date;
	if (!after || r->why[0] || r->failed || !source->input_day ||
	    (day = source->input_day(source->ctx, own)) == INT32_MAX)
		return 0;
	for (size_t i = 1; (name = kpi_run_dataset(r, i)); i++) {
		size_t c;

		if (strcmp(name, own) == 0 ||
		    source->input_day(source->ctx, name) != day)
			continue;
		for (c = 0; c < *cached; c++)
			if (strcmp(cache[c].dataset, name) == 0)
				break;
		if (c == *cached) {
			cache[c].dataset = name;
			if (kpi_latest_read(&cache[c], source, &r->err) < 0) {
				r->failed = 1;
				return -1;
			}
			(*cached)++;
		}
		if (cache[c].date > r->last_date) {
			r->last_date = cache[c].date;
			r->last_field = cache[c].field;
			r->last_dataset = name;
		}
	}
	return 0;
}

void kpi_set_cases(kpi_set *set, const kpi_cases *cases)
{
	set->cases = cases;
}

const char *kpi_distinct_of(const kpi_set *set, const kpi_info *info)
{
	for (size_t i = 0; i < set->count; i++) {
		const kpi_node *rule = set->kpis[i]->rule;

		if (&set->kpis[i]->info != info || !rule ||
		    rule->op != KPI_COUNT_DISTINCT)
			continue;
		return rule->kids[0]->op == KPI_FIELD
			       ? rule->kids[0]->name[0] : "values";
	}
	return NULL;
}

int kpi_evaluate(kpi_set *set, int32_t from, int32_t to, const char *only_kpi,
		 const kpi_source *source, const kpi_sink *sink,
		 peil_error *err)
{
	kpi_run **runs = calloc(set->count * PERIOD_GRAIN_COUNT + 1,
				sizeof(*runs));
	size_t count = 0, latest_count = 0;
	kpi_latest *latest = NULL;
	int rc = 0, failed = 0;

	if (!runs) {
		rc = error_set(err, NULL, 0, NULL, "out of memory");
		goto out;
	}
	set->evaluations++;
	set->run_deadline = sandbox_clock() + (double)set->limits.run_seconds;
	for (size_t i = 0; i < set->count; i++) {
		if (!kpi_wanted(&set->kpis[i]->info, only_kpi) ||
		    set->kpis[i]->info.kept)
			continue;
		for (size_t g = 0; g < set->kpis[i]->info.grains.count; g++)
			if (kpi_run_new(set, set->kpis[i], g, from, to,
					&runs[count++]) < 0) {
				rc = error_set(err, NULL, 0, NULL,
					       "out of memory");
				goto out;
			}
	}
	if (only_kpi && count == 0) {
		rc = error_set(err, NULL, 0, NULL, "no KPI '%s'", only_kpi);
		goto out;
	}
	for (size_t i = 0; i < count; i++)
		kpi_run_check_inputs(runs[i], source);
	for (size_t i = 0; i < count; i++)
		for (size_t j = 0; !runs[i]->why[0] && !runs[i]->failed &&
				   j < runs[i]->k->grouping_count; j++) {
			kpi_group *g = kpi_set_group(
				set, runs[i]->k->groupings[j].group);

			if (g && kpi_group_load(g, set->evaluations, source,
						&runs[i]->err) < 0)
				runs[i]->failed = 1;
		}
	for (size_t i = 0; i < count; i++) {
		const kpi_node *rule = runs[i]->k->rule;

		if (rule->op == KPI_RATIO &&
		    rule->kids[1]->op == KPI_DATASET_SUM &&
		    !runs[i]->why[0] && !runs[i]->failed &&
		    kpi_den_load(runs[i]->k, rule->kids[1], source,
				 &runs[i]->den, &runs[i]->err) < 0)
			runs[i]->failed = 1;
	}
	/* lookups once per KPI, by the run of its first grain */
	for (size_t i = 0; i < count; i++)
		if (runs[i]->k->lookup_count && !runs[i]->why[0])
			runs[i]->failed = runs[i]->grain
				? runs[i - 1]->failed
				: kpi_lookups_load(runs[i]->k,
						   set->evaluations, source,
						   &runs[i]->err) < 0;
	if (rc == 0)
		rc = kpi_scan_all(set, runs, count, source, err);
	/* room for each other dataset that a KPI reads */
	for (size_t i = 0, d; i < count; i++)
		for (d = 1; kpi_run_dataset(runs[i], d); d++)
			latest_count++;
	latest = calloc(latest_count + 1, sizeof(*latest));
	if (!latest && rc == 0)
		rc = error_set(err, NULL, 0, NULL, "out of memory");
	latest_count = 0;
	for (size_t i = 0; i < count && rc == 0; i++)
		kpi_run_delivery(runs[i], source, latest, &latest_count);
	/* A KPI that failed in one grain fails as a whole, once: the runs
	 * of its grains follow each other. */
	for (size_t i = 0, n; i < count && rc == 0; i += n) {
		size_t bad = SIZE_MAX;

		for (n = 0; i + n < count && runs[i + n]->k == runs[i]->k; n++)
			if (runs[i + n]->failed && bad == SIZE_MAX)
				bad = i + n;
		if (bad != SIZE_MAX) {
			failed++;
			if (sink->failure)
				sink->failure(sink->ctx, &runs[bad]->k->info,
					      &runs[bad]->err);
			continue;
		}
		for (size_t g = 0; g < n && rc == 0; g++)
			rc = kpi_emit(runs[i + g], sink, err);
	}
out:
	for (size_t i = 0; runs && i < count; i++)
		kpi_run_free(runs[i]);
	free(runs);
	free(latest);
	return rc < 0 ? -1 : failed;
}
