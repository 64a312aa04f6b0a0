/*
 * report_html.c - the self-contained HTML report (report_html.h).
 *
 * The page is written top to bottom in one pass over the sorted tables;
 * a KPI is the run of rows with its id.  Everything is escaped through
 * html_escape; no script and no external resource, so the file opens the
 * same anywhere, also without a network.
 */
#include "report/report_html.h"
#include "report/report_css.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/calendar.h"
#include "report/chart.h"
#include "report/html.h"
#include "base/log.h"
#include "report/output.h"
#include "base/period.h"

/* The short label of a period: "mrt" for a month, the id otherwise. */
static const char *period_label(const labels *w, const char *id)
{
	if (strlen(id) == 7 && id[4] == '-' && id[5] >= '0' && id[5] <= '1') {
		int m = (id[5] - '0') * 10 + (id[6] - '0');

		if (m >= 1 && m <= 12)
			return w->months[m - 1];
	}
	return id;
}

static const char *status_class(const char *status)
{
	switch (chart_mark_of(status, 0)) {
	case CHART_MET:
		return "met";
	case CHART_AT_RISK:
		return "risk";
	case CHART_NOT_MET:
		return "not";
	default:
		return "none";
	}
}

/* The symbol of a status, the same shape as in the charts. */
static const char *status_symbol(const char *status)
{
	switch (chart_mark_of(status, 0)) {
	case CHART_MET:
		return "\xE2\x97\x8F";	/* ● */
	case CHART_AT_RISK:
		return "\xE2\x96\xB2";	/* ▲ */
	case CHART_NOT_MET:
		return "\xE2\x97\x86";	/* ◆ */
	default:
		return "\xE2\x80\x93";	/* – */
	}
}

static void badge(FILE *out, const labels *w, const char *status)
{
	fprintf(out, "<span class=\"badge s-%s\">%s ", status_class(status),
		status_symbol(status));
	html_escape(out, labels_status(w, status));
	fputs("</span>", out);
}

/* A period id in running text, kept on one line: "2018-Q1" does not
 * break after its hyphen. */
static void period_span(FILE *out, const char *id)
{
	fputs("<span class=\"period\">", out);
	html_escape(out, id);
	fputs("</span>", out);
}

/* v with decimals decimals (output_fixed; < 0: as output_number). */
static void number(FILE *out, double v, int decimals)
{
	char text[64];

	output_fixed(v, decimals, 0, text, sizeof(text));
	fputs(text[0] ? text : "\xE2\x80\x93", out);
}

static int compare_cells(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ta = result_is_total(a), tb = result_is_total(b);

	return ta != tb ? ta - tb : strcmp(a, b);
}

/* The distinct values of a column of rows [begin, end); *out malloc'd.
 * The count.  Periods in order of first appearance, of grain only
 * unless it is 0; breakdowns in the order of compare_cells (the total
 * last), found by sorting: a thousand teams are no thousand scans. */
static size_t distinct(const result_table *t, size_t begin, size_t end,
		       int breakdowns, period_grain grain, const char ***out)
{
	const char **items = malloc((end - begin + 1) * sizeof(*items));
	size_t n = 0, i, j;

	*out = items;
	if (!items)
		return 0;
	if (breakdowns) {
		for (i = begin; i < end; i++)
			items[n++] = t->rows[i].breakdown;
		qsort(items, n, sizeof(*items), compare_cells);
		for (i = j = 0; i < n; i++)
			if (!j || strcmp(items[j - 1], items[i]) != 0)
				items[j++] = items[i];
		return j;
	}
	for (i = begin; i < end; i++) {
		const char *s = t->rows[i].period;

		if (grain && period_id_grain(s) != grain)
			continue;

		for (j = 0; j < n && strcmp(items[j], s) != 0; j++)
			;
		if (j == n)
			items[n++] = s;
	}
	return n;
}

/* Whether rows [begin, end) of t hold a figure of period_id marked
 * provisional: the one finality rule (finality.h), as the figures were
 * marked (cli_mark_finality), never judged again here. */
static int period_provisional(const result_table *t, size_t begin,
			      size_t end, const char *period_id)
{
	size_t i;

	for (i = begin; i < end; i++)
		if (t->rows[i].finality == RESULT_PROVISIONAL &&
		    strcmp(t->rows[i].period, period_id) == 0)
			return 1;
	return 0;
}

/* Rows of a table by KPI, breakdown and period, then in the table's order:
 * the one lookup of the report's figures, a KPI's in its sections and the
 * registration quality's in its tables, a binary search instead of a
 * search through every row for every cell (1 000 teams: seconds). */
struct row_index {
	const result_row **rows;
	size_t count;
};

/* The order of rows of one KPI: breakdown, period, the table's order. */
static int compare_in_kpi(const void *pa, const void *pb)
{
	const result_row *a = *(const result_row *const *)pa;
	const result_row *b = *(const result_row *const *)pb;
	int c = strcmp(a->breakdown, b->breakdown);

	if (!c)
		c = strcmp(a->period, b->period);
	return c ? c : (a > b) - (a < b);
}

static int compare_index(const void *pa, const void *pb)
{
	int c = strcmp((*(const result_row *const *)pa)->kpi,
		       (*(const result_row *const *)pb)->kpi);

	return c ? c : compare_in_kpi(pa, pb);
}

/* The index of rows [begin, end) of t, all of one KPI when one_kpi (a
 * KPI's section: its rows are not compared by KPI).  0, or -1 when out
 * of memory. */
static int row_index_init(struct row_index *x, const result_table *t,
			  size_t begin, size_t end, int one_kpi)
{
	x->count = end - begin;
	x->rows = malloc((x->count + 1) * sizeof(*x->rows));
	if (!x->rows)
		return -1;
	for (size_t i = begin; i < end; i++)
		x->rows[i - begin] = &t->rows[i];
	qsort(x->rows, x->count, sizeof(*x->rows),
	      one_kpi ? compare_in_kpi : compare_index);
	return 0;
}

static void row_index_release(struct row_index *x)
{
	free(x->rows);
	x->rows = NULL;
	x->count = 0;
}

/* kpi (NULL: an index of one KPI), breakdown and period_id (NULL: any)
 * against row r, as the index orders them. */
static int compare_key(const result_row *r, const char *kpi,
		       const char *breakdown, const char *period_id)
{
	int c = kpi ? strcmp(r->kpi, kpi) : 0;

	if (!c)
		c = strcmp(r->breakdown, breakdown);
	if (!c && period_id)
		c = strcmp(r->period, period_id);
	return c;
}

/* The first indexed row of kpi (NULL in an index of one KPI), breakdown
 * and period_id (NULL: the first of any period), or NULL. */
static const result_row *row_index_find(const struct row_index *x,
					const char *kpi,
					const char *breakdown,
					const char *period_id)
{
	size_t lo = 0, hi = x->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare_key(x->rows[mid], kpi, breakdown, period_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < x->count &&
	    compare_key(x->rows[lo], kpi, breakdown, period_id) == 0)
		return x->rows[lo];
	return NULL;
}

/* One KPI: rows [begin, end) of the figures, its periods (of one grain)
 * and cells. */
struct kpi_view {
	const result_table *t;
	size_t begin, end;
	const kpi_info *k;
	const char *field;	/* the label of k's first breakdown field,
				   or NULL without one */
	const char **periods, **cells;
	size_t period_count, cell_count;
	period_grains grains;	/* of its figures, month first */
	struct row_index index;	/* its rows */
};

/* The first row of the view of period_id and breakdown, or NULL. */
static const result_row *find_row(const struct kpi_view *v,
				  const char *period_id, const char *breakdown)
{
	return row_index_find(&v->index, NULL, breakdown, period_id);
}

static void target_text(FILE *out, const labels *w, const kpi_info *k)
{
	if (!k || (!k->has_min && !k->has_max)) {
		html_escape(out, w->no_target);
		return;
	}
	if (k->has_min) {
		fprintf(out, "%s ", w->at_least);
		number(out, k->target_min, -1);
	}
	if (k->has_min && k->has_max)
		fprintf(out, " %s ", w->and_word);
	if (k->has_max) {
		fprintf(out, "%s ", w->at_most);
		number(out, k->target_max, -1);
	}
	fputc(' ', out);
	html_escape(out, k->unit);
}

/* The latest total with a value, or NULL. */
static const result_row *latest_total(const struct kpi_view *v)
{
	size_t i;

	for (i = v->period_count; i-- > 0;) {
		const result_row *r = find_row(v, v->periods[i], "{}");

		if (r && (!isnan(r->value) || r->suppressed != RESULT_SHOWN))
			return r;
	}
	return NULL;
}

/* Without any figure: why the latest period was not evaluated; 1 when
 * it was not, 0 when there is no such period. */
static int not_evaluated_text(FILE *out, const labels *w,
			       const struct kpi_view *v)
{
	char text[512];
	size_t i;

	for (i = v->period_count; i-- > 0;) {
		const result_row *p = find_row(v, v->periods[i], "{}");

		if (p && result_not_evaluated(p->status)) {
			labels_status_text(w, p->status, text, sizeof(text));
			fputs("<span class=\"not-evaluated\">", out);
			html_escape(out, text);
			fputs("</span>", out);
			return 1;
		}
	}
	return 0;
}

/* The total that sums up the KPI for the period asked: its figure of
 * that period where it has that grain, else the latest of its longest
 * grain within it, with a value or hidden; the latest total when none
 * such (a contract year, which period_parse does not read). */
static const result_row *asked_total(const struct kpi_view *v,
				     const char *asked)
{
	const result_row *best = NULL;
	period pa, p, pb = { 0 };
	int whole = asked && period_parse(asked, &pa) == 0;

	for (size_t i = v->begin; i < v->end; i++) {
		const result_row *r = &v->t->rows[i];

		if (!result_is_total(r->breakdown) ||
		    (isnan(r->value) && r->suppressed == RESULT_SHOWN) ||
		    period_parse(r->period, &p) < 0 ||
		    (whole && (p.first < pa.first || p.last > pa.last)))
			continue;
		if (!best || p.grain > pb.grain ||
		    (p.grain == pb.grain && p.last > pb.last)) {
			best = r;
			pb = p;
		}
	}
	return best ? best : latest_total(v);
}

static void summary_row(FILE *out, const labels *w, const struct kpi_view *v,
			const char *asked)
{
	const result_row *r = asked_total(v, asked);
	period_grain grain = r ? period_id_grain(r->period) : 0;
	size_t i, met = 0, judged = 0;
	int not_evaluated = 0;

	for (i = v->begin; i < v->end; i++) {
		const result_row *p = &v->t->rows[i];

		if (!result_is_total(p->breakdown) ||
		    (grain && period_id_grain(p->period) != grain))
			continue;
		if (p->status && !result_not_evaluated(p->status)) {
			judged++;
			met += strcmp(p->status, "met") == 0;
		}
	}
	fputs("<tr><td><a href=\"#kpi-", out);
	html_escape(out, v->t->rows[v->begin].kpi);
	fputs("\">", out);
	html_escape(out, v->k ? v->k->title : v->t->rows[v->begin].kpi);
	fputs("</a></td><td>", out);
	html_escape(out, v->k ? v->k->unit : "");
	fputs("</td><td>", out);
	if (!r)
		not_evaluated = not_evaluated_text(out, w, v);
	else if (r->suppressed != RESULT_SHOWN)
		fputs("*", out);
	else
		number(out, r->value, v->k ? v->k->decimals : -1);
	if (r) {
		fputs(" <span class=\"meta\">(", out);
		period_span(out, r->period);
		/* The figure as marked (cli_mark_finality), not judged
		 * again here. */
		if (r->finality == RESULT_PROVISIONAL) {
			fputs(", ", out);
			html_escape(out, w->word_provisional);
		}
		fputs(")</span>", out);
		for (i = 0; i < RESULT_COMPARISONS; i++) {
			char text[256];

			if (r->compare[i].state == RESULT_COMPARE_NONE)
				continue;
			output_change_summary(r, i, v->k, w, 0, text,
					      sizeof(text));
			fputs("<br><small class=\"change\">", out);
			html_escape(out, text);
			fputs("</small>", out);
		}
	}
	fputs("</td><td>", out);
	target_text(out, w, v->k);
	fputs("</td><td>", out);
	if (!not_evaluated)	/* no target status for no figure */
		badge(out, w, r ? r->status : NULL);
	fputs("</td><td>", out);
	if (judged)
		fprintf(out, "%zu / %zu", met, judged);
	fputs("</td></tr>\n", out);
}

static void chart_target(chart_spec *c, const kpi_info *k, const labels *w)
{
	c->has_min = k && k->has_min;
	c->has_max = k && k->has_max;
	c->target_min = k ? k->target_min : 0;
	c->target_max = k ? k->target_max : 0;
	c->band_label = w->target_band;
}

static void chart_item_of(chart_item *it, const result_row *r,
			  const char *label)
{
	it->label = label;
	it->value = r ? r->value : NAN;
	it->mark = chart_mark_of(r && !result_not_evaluated(r->status)
					 ? r->status : NULL,
				 r && r->suppressed != RESULT_SHOWN);
	it->provisional = r && r->finality == RESULT_PROVISIONAL;
}

static void trend_figure(FILE *out, const labels *w, const struct kpi_view *v,
			 chart_item *items)
{
	chart_spec c;
	size_t i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < v->period_count; i++)
		chart_item_of(&items[i],
			      find_row(v, v->periods[i], "{}"),
			      period_label(w, v->periods[i]));
	c.title = w->trend_title;
	c.items = items;
	c.count = v->period_count;
	c.decimals = v->k ? v->k->decimals : -1;
	chart_target(&c, v->k, w);
	fputs("<figure><figcaption>", out);
	html_escape(out, w->trend_title);
	fputs("</figcaption>", out);
	chart_trend_svg(out, &c);
	fputs("</figure>", out);
}

/* A field's label inside a sentence ("Per verwijzer"): its first letter
 * in lower case, unless the second is upper case too ("ZRM-domein"). */
static const char *field_word(const char *label, char *buf, size_t size)
{
	snprintf(buf, size, "%s", label ? label : "");
	if (buf[0] >= 'A' && buf[0] <= 'Z' &&
	    !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

/* Bars of the cells in the latest period that has figures. */
static void bars_figure(FILE *out, const labels *w, const struct kpi_view *v,
			chart_item *items, char (*names)[128])
{
	const result_row *latest = latest_total(v);
	const char *period_id = latest ? latest->period
				       : v->periods[v->period_count - 1];
	char title[256], field[128];
	chart_spec c;
	size_t i, n = 0;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < v->cell_count; i++) {
		if (result_is_total(v->cells[i]))
			continue;
		result_breakdown_label_words(v->cells[i], w->row_words,
					     names[n], sizeof(names[n]));
		chart_item_of(&items[n], find_row(v, period_id, v->cells[i]),
			      names[n]);
		n++;
	}
	if (!n)
		return;
	snprintf(title, sizeof(title), w->bars_title,
		 field_word(v->field, field, sizeof(field)), period_id);
	if (latest && latest->finality == RESULT_PROVISIONAL) {
		size_t len = strlen(title);

		snprintf(title + len, sizeof(title) - len, " (%s)",
			 w->word_provisional);
	}
	c.title = title;
	c.items = items;
	c.count = n;
	c.decimals = v->k ? v->k->decimals : -1;
	chart_target(&c, v->k, w);
	fputs("<figure><figcaption>", out);
	html_escape(out, title);
	fputs("</figcaption>", out);
	chart_bars_svg(out, &c);
	fputs("</figure>", out);
}

/* A revised figure's old value, struck through, or what happened to it;
 * nothing for a figure hidden now (the section lists it). */
static void revised_mark(FILE *out, const report_input *in,
			 const result_row *r, int decimals)
{
	const revision *rv = revision_find(in->revisions, r);

	if (!rv || rv->new_state != REVISION_SHOWN)
		return;
	fputs(" <small class=\"revised\" title=\"", out);
	html_escape(out, in->words->revised_title);
	fputs(": ", out);
	html_escape(out, labels_revision(in->words, rv));
	fputs("\">", out);
	if (rv->old_state == REVISION_SHOWN) {
		fputs("<del>", out);
		number(out, rv->old_value, decimals);
		fputs("</del>", out);
	} else {
		html_escape(out, labels_revision(in->words, rv));
	}
	fputs("</small>", out);
}

static void figure_cell(FILE *out, const report_input *in,
			const result_row *r, int decimals)
{
	const labels *w = in->words;
	char text[512];

	if (!r) {
		fputs("<td></td>", out);
		return;
	}
	if (result_not_evaluated(r->status)) {
		labels_status_text(w, r->status, text, sizeof(text));
		fputs("<td class=\"not-evaluated\" title=\"", out);
		html_escape(out, text);
		fputs("\">", out);
		html_escape(out, w->not_evaluated_mark);
		fputs("</td>", out);
		return;
	}
	if (r->suppressed != RESULT_SHOWN) {
		fputs("<td class=\"hidden\">*</td>", out);
		return;
	}
	if (!r->status) {
		fputs("<td>", out);
		number(out, r->value, decimals);
		revised_mark(out, in, r, decimals);
		fputs("</td>", out);
		return;
	}
	fprintf(out, "<td class=\"c-%s\">", status_class(r->status));
	number(out, r->value, decimals);
	fprintf(out, "<span class=\"sym\">%s</span>",
		status_symbol(r->status));
	revised_mark(out, in, r, decimals);
	fputs("</td>", out);
}

/* What the marks in a KPI's table mean, when it has any. */
static void table_legend(FILE *out, const report_input *in,
			 const struct kpi_view *v)
{
	const labels *w = in->words;
	const char *reason = NULL;
	char text[512];
	int hidden = 0;
	size_t i;

	for (i = v->begin; i < v->end; i++) {
		hidden |= v->t->rows[i].suppressed != RESULT_SHOWN;
		if (result_not_evaluated(v->t->rows[i].status))
			reason = v->t->rows[i].status;
	}
	if (reason) {
		/* the reason in words where the table has none */
		labels_status_text(w, reason, text, sizeof(text));
		fputs("<p class=\"legend not-evaluated\">", out);
		html_escape(out, w->not_evaluated_mark);
		fputs(" = ", out);
		html_escape(out, text);
		fputs("</p>", out);
	}
	if (!hidden && !(v->k && (v->k->has_min || v->k->has_max)))
		return;
	fputs("<p class=\"legend\">", out);
	if (v->k && (v->k->has_min || v->k->has_max))
		fprintf(out, "%s %s &#183; %s %s &#183; %s %s",
			status_symbol("met"), w->met, status_symbol("at risk"),
			w->at_risk, status_symbol("not met"), w->not_met);
	if (hidden) {
		fputs(v->k && (v->k->has_min || v->k->has_max) ? " &#183; " : "",
		      out);
		fprintf(out, w->suppressed_legend, in->figures->min_count);
	}
	fputs("</p>", out);
}

/* A table of the KPI's cells by its periods: its title, and the head
 * (with marked, a "v" over the provisional periods). */
static void grid_head(FILE *out, const labels *w, const struct kpi_view *v,
		      const char *title, int marked)
{
	fputs("<h3>", out);
	html_escape(out, title);
	fputs("</h3><table><thead><tr><th>", out);
	html_escape(out, v->field ? v->field : "");
	fputs("</th>", out);
	for (size_t j = 0; j < v->period_count; j++) {
		fputs("<th>", out);
		html_escape(out, period_label(w, v->periods[j]));
		if (marked &&
		    period_provisional(v->t, v->begin, v->end, v->periods[j]))
			fputs("<sup>v</sup>", out);
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
}

/* The start of cell i's row of such a table: its label. */
static void grid_row(FILE *out, const labels *w, const struct kpi_view *v,
		     size_t i)
{
	char label[512];

	result_breakdown_label_words(v->cells[i], w->row_words, label,
				     sizeof(label));
	fputs(result_is_total(v->cells[i]) ? "<tr class=\"total\"><td>"
					   : "<tr><td>",
	      out);
	html_escape(out, label);
	fputs("</td>", out);
}

/* The change of every figure of the KPI against comparison c
 * (model/comparison.h), laid out as its table of figures. */
static void changes_table(FILE *out, const report_input *in,
			  const struct kpi_view *v, size_t c)
{
	const labels *w = in->words;
	char text[512];
	size_t i, j;

	snprintf(text, sizeof(text), w->compare_heading, w->compare_name[c],
		 output_change_unit(w, v->k));
	grid_head(out, w, v, text, 0);
	for (i = 0; i < v->cell_count; i++) {
		grid_row(out, w, v, i);
		for (j = 0; j < v->period_count; j++) {
			const result_row *r = find_row(v, v->periods[j],
						       v->cells[i]);

			text[0] = '\0';
			if (r)
				output_change_text(r, c,
						   v->k ? v->k->decimals : -1,
						   w, 0, 1, text,
						   sizeof(text));
			fputs(r && r->compare[c].state == RESULT_COMPARE_HIDDEN
				      ? "<td class=\"hidden\">"
				      : "<td>",
			      out);
			html_escape(out, text);
			fputs("</td>", out);
		}
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n<p class=\"legend\">", out);
	html_escape(out, w->compare_legend);
	fputs("</p>\n", out);
}

static void figures_table(FILE *out, const report_input *in,
			  const struct kpi_view *v)
{
	const labels *w = in->words;
	size_t i, j;

	grid_head(out, w, v, w->figures_title, 1);
	for (i = 0; i < v->cell_count; i++) {
		grid_row(out, w, v, i);
		for (j = 0; j < v->period_count; j++)
			figure_cell(out, in,
				    find_row(v, v->periods[j], v->cells[i]),
				    v->k ? v->k->decimals : -1);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	table_legend(out, in, v);
	for (size_t c = 0; c < RESULT_COMPARISONS; c++)
		if (v->t->rows[v->begin].compare[c].state !=
		    RESULT_COMPARE_NONE)
			changes_table(out, in, v, c);
}

static int kpi_view_init(struct kpi_view *v, const report_input *in,
			 size_t begin, period_grain grain);
static void kpi_view_release(struct kpi_view *v);

/* The notes on the KPI's figures of the report's periods, in the
 * order of commentary.txt. */
static void commentary_notes(FILE *out, const report_input *in,
			     const struct kpi_view *v)
{
	const char *kpi = v->t->rows[v->begin].kpi;

	for (size_t i = 0; in->commentary && i < in->commentary->count; i++) {
		const commentary_note *n = &in->commentary->notes[i];
		size_t r = v->begin;

		if (strcmp(n->kpi, kpi) != 0)
			continue;
		while (r < v->end && strcmp(v->t->rows[r].period, n->period))
			r++;
		if (r == v->end)
			continue;
		fprintf(out, "<p class=\"commentary\"><strong>%s ",
			in->words->commentary);
		period_span(out, n->period);
		fputs(":</strong> ", out);
		html_escape(out, n->text);
		fputs("</p>", out);
	}
}

/* The notes on the inputs of the KPI's figures (output_kpi_note). */
static void kpi_input_notes(FILE *out, const report_input *in,
			    const struct kpi_view *v)
{
	char text[512];

	for (size_t i = 0; in->stale && i < in->stale->count; i++) {
		if (!output_kpi_note(in->stale, i, v->t->rows[v->begin].kpi) ||
		    !labels_input_note(in->words, in->stale, i, text,
				       sizeof(text)))
			continue;
		fputs("<p class=\"notice\" role=\"note\">", out);
		html_escape(out, text);
		fputs("</p>", out);
	}
}

/* The charts and the table of one grain of a KPI. */
static void kpi_grain(FILE *out, const report_input *in,
		      const struct kpi_view *v, chart_item *items,
		      char (*names)[128])
{
	fputs("<div class=\"charts\">", out);
	trend_figure(out, in->words, v, items);
	bars_figure(out, in->words, v, items, names);
	fputs("</div>", out);
	figures_table(out, in, v);
}

/* 0, or -1 when out of memory. */
static int kpi_section(FILE *out, const report_input *in,
		       const struct kpi_view *v)
{
	const labels *w = in->words;
	size_t n = v->period_count > v->cell_count ? v->period_count
						   : v->cell_count;
	chart_item *items = malloc((n + 1) * sizeof(*items));
	char(*names)[128] = malloc((v->cell_count + 1) * sizeof(*names));
	int rc = 0;

	if (!items || !names) {
		free(items);
		free(names);
		return -1;
	}
	fputs("<section class=\"kpi\" id=\"kpi-", out);
	html_escape(out, v->t->rows[v->begin].kpi);
	fputs("\"><h2>", out);
	html_escape(out, v->k ? v->k->title : v->t->rows[v->begin].kpi);
	fputs("</h2>", out);
	if (v->k && v->k->description) {
		fputs("<p class=\"desc\">", out);
		html_escape(out, v->k->description);
		fputs("</p>", out);
	}
	fputs("<p class=\"meta\">", out);
	html_escape(out, v->k ? v->k->unit : "");
	fprintf(out, " &#183; %s: ", w->target);
	target_text(out, w, v->k);
	fputs(" &#183; <code>", out);
	html_escape(out, v->t->rows[v->begin].kpi);
	fputs("</code></p>", out);
	commentary_notes(out, in, v);
	kpi_input_notes(out, in, v);
	/* A KPI of several grains: each grain's figures side by side, as
	 * an annual report shows them (month table, quarter table, year). */
	for (size_t g = 0; g < v->grains.count && rc == 0; g++) {
		struct kpi_view one;
		int several = v->grains.count > 1;

		if (several) {
			if (kpi_view_init(&one, in, v->begin,
					  v->grains.grain[g]) < 0) {
				kpi_view_release(&one);
				rc = -1;
				break;
			}
			fprintf(out, "<div class=\"grain\"><h3>%s</h3>",
				w->per_grain[v->grains.grain[g]]);
		}
		kpi_grain(out, in, several ? &one : v, items, names);
		if (several) {
			fputs("</div>", out);
			kpi_view_release(&one);
		}
	}
	free(items);
	free(names);
	fputs("</section>\n", out);
	return rc;
}

/* The quality columns of one table: closed 0 gives the empty fields of
 * the registered cases and late entry, closed 1 the empty fields of the
 * closed cases.  *out is malloc'd; the count. */
static size_t quality_columns(const result_table *q, int closed,
			      const char ***out)
{
	static const char *const prefixes[2][2] = {
		{ "missing.", "late" }, { "missing_closed.", NULL }
	};
	const char **cols = malloc((q->count + 1) * sizeof(*cols));
	size_t i, p, k = 0;

	*out = cols;
	if (!cols)
		return 0;
	for (p = 0; p < 2 && prefixes[closed][p]; p++)
		for (i = 0; i < q->count; i++) {
			const char *kpi = q->rows[i].kpi;
			const char *prefix = prefixes[closed][p];

			if (strncmp(kpi, prefix, strlen(prefix)) ||
			    (k && strcmp(cols[k - 1], kpi) == 0))
				continue;
			cols[k++] = kpi;
		}
	return k;
}

/* Whether column j is the first of its group (registered or closed
 * cases), which is preceded by the group's number of cases. */
static const char *group_start(const char **cols, size_t j)
{
	int closed = strncmp(cols[j], "missing_closed.", 15) == 0;
	int registered = strncmp(cols[j], "missing.", 8) == 0;

	if (!closed && !registered)
		return NULL;
	if (j && strncmp(cols[j - 1], cols[j], closed ? 15 : 8) == 0)
		return NULL;
	return closed ? "closed" : "registered";
}

static void quality_head(FILE *out, const report_input *in,
			 const char **cols, size_t n)
{
	const labels *w = in->words;
	size_t j;

	fputs("<table class=\"quality\"><thead><tr><th>team</th>", out);
	for (j = 0; j < n; j++) {
		const char *group = group_start(cols, j);
		const char *field = strchr(cols[j], '.');
		const char *name = field ? field + 1 : NULL;
		const char *label = name && in->field_label
					    ? in->field_label(in->field_label_ctx,
							      "cases", name)
					    : NULL;

		if (group)
			fprintf(out, "<th>%s (n)</th>",
				group[0] == 'c' ? w->quality_closed
						: w->quality_cases);
		fputs("<th>", out);
		if (name) {
			html_escape(out, label ? label : name);
			fprintf(out, "<br/>%% %s", w->quality_missing);
		} else {
			fprintf(out, "%s<br/>%%", w->quality_late);
		}
		fputs("</th>", out);
	}
	fputs("</tr></thead><tbody>\n", out);
}

static void quality_value(FILE *out, const result_row *r)
{
	if (!r)
		fputs("<td></td>", out);
	else if (r->suppressed != RESULT_SHOWN)
		fputs("<td class=\"hidden\">*</td>", out);
	else {
		fputs(r->value > 10 ? "<td class=\"warn\">" : "<td>", out);
		number(out, r->value, 1);
		fputs("</td>", out);
	}
}

static void quality_row_html(FILE *out, const report_input *in,
			     const struct row_index *quality,
			     const char *team, const char **cols, size_t n)
{
	char label[512];
	size_t j;

	result_breakdown_label_words(team, in->words->row_words,
				     label, sizeof(label));
	fputs(result_is_total(team) ? "<tr class=\"total\"><td>" : "<tr><td>",
	      out);
	html_escape(out, label);
	fputs("</td>", out);
	for (j = 0; j < n; j++) {
		const result_row *r = row_index_find(quality, cols[j], team,
						     NULL);

		if (group_start(cols, j)) {
			if (!r || r->suppressed != RESULT_SHOWN) {
				fputs("<td class=\"hidden\">*</td>", out);
			} else {
				fputs("<td>", out);
				number(out, r->denominator, 0);
				fputs("</td>", out);
			}
		}
		quality_value(out, r);
	}
	fputs("</tr>\n", out);
}

/* 0, or -1 when out of memory. */
static int quality_table(FILE *out, const report_input *in,
			 const struct row_index *quality, int closed,
			 const char **teams, size_t team_count)
{
	const char **cols = NULL;
	size_t n = quality_columns(in->quality, closed, &cols), i;

	if (!cols)
		return -1;
	if (n) {
		fprintf(out, "<h3>%s</h3>", closed ? in->words->quality_closed_title
						   : in->words->quality_cases_title);
		quality_head(out, in, cols, n);
		for (i = 0; i < team_count; i++)
			quality_row_html(out, in, quality, teams[i], cols, n);
		fputs("</tbody></table>", out);
	}
	free(cols);
	return 0;
}

/* 0, or -1 when out of memory. */
static int quality_section(FILE *out, const report_input *in)
{
	const labels *w = in->words;
	const char **teams = NULL;
	struct row_index quality = { NULL, 0 };
	size_t team_count = 0;
	int rc = 0;

	fputs("<section id=\"kwaliteit\"><h2>", out);
	html_escape(out, w->quality_title);
	fputs("</h2><p class=\"desc\">", out);
	fprintf(out, w->quality_intro, (int)in->late_after_days);
	fputs("</p>\n", out);
	if (in->quality->count) {
		team_count = distinct(in->quality, 0, in->quality->count, 1,
				      0, &teams);
		if (!teams || row_index_init(&quality, in->quality, 0,
					     in->quality->count, 0) < 0)
			rc = -1;
	}
	if (rc == 0 && !team_count) {
		fprintf(out, "<p>%s</p>", w->quality_none);
	} else if (rc == 0) {
		rc = quality_table(out, in, &quality, 0, teams, team_count);
		if (rc == 0)
			rc = quality_table(out, in, &quality, 1, teams,
					   team_count);
	}
	row_index_release(&quality);
	free(teams);
	fputs("</section>\n", out);
	return rc;
}

static void fingerprint(FILE *out, const char *label, const char *sha)
{
	fprintf(out, "<dt>%s</dt><dd>", label);
	html_escape(out, sha && sha[0] ? sha : "-");
	fputs("</dd>", out);
}

static void provisional_text(FILE *out, const report_input *in)
{
	const char **periods = NULL;
	size_t count = distinct(in->figures, 0, in->figures->count, 0, 0,
				&periods);
	size_t i, n = 0;

	fputs("<p>", out);
	fprintf(out, in->words->provisional_rule, in->provisional_months);
	fputc(' ', out);
	for (i = 0; i < count; i++) {
		if (!period_provisional(in->figures, 0, in->figures->count,
					periods[i]))
			continue;
		fputs(n++ ? ", " : "", out);
		period_span(out, periods[i]);
	}
	if (!n)
		html_escape(out, in->words->provisional_none);
	fputs("</p>", out);
	free(periods);
}

static void footer(FILE *out, const report_input *in)
{
	const labels *w = in->words;
	time_t started = (time_t)in->run_started;
	struct tm tm;
	char when[64] = "";
	size_t i;

	if (localtime_r(&started, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	fprintf(out, "<footer><h2>%s</h2><dl>", w->footer_title);
	fprintf(out, "<dt>%s</dt><dd>%lld</dd>", w->footer_run,
		(long long)in->run_id);
	fprintf(out, "<dt>%s</dt><dd>%s</dd>", w->footer_started, when);
	fingerprint(out, w->footer_config, in->config_sha256);
	fingerprint(out, w->footer_scripts, in->scripts_sha256);
	fingerprint(out, w->footer_inputs, in->inputs_sha256);
	fputs("</dl><p class=\"privacy\">", out);
	if (in->figures->min_count > 0)
		fprintf(out, w->privacy_rule, in->figures->min_count,
			fmax(in->figures->min_denominator,
			     in->figures->min_count));
	else
		html_escape(out, w->privacy_off);
	fprintf(out, "</p><h3>%s</h3>", w->provisional_title);
	provisional_text(out, in);
	if (in->script_count) {
		fputs("<table class=\"scripts\"><tbody>", out);
		for (i = 0; i < in->script_count; i++) {
			fputs("<tr><td>", out);
			html_escape(out, in->scripts[i].kpi);
			fputs("</td><td>", out);
			html_escape(out, in->scripts[i].script);
			fputs("</td><td><code>", out);
			fprintf(out, "%.16s", in->scripts[i].sha256
						      ? in->scripts[i].sha256
						      : "");
			fputs("</code></td></tr>", out);
		}
		fputs("</tbody></table>", out);
	}
	fputs("</footer>\n", out);
}

/* The view of the KPI whose rows start at begin, its periods of grain (0:
 * all); 0, or -1 when out of memory. */
static int kpi_view_init(struct kpi_view *v, const report_input *in,
			 size_t begin, period_grain grain)
{
	const result_table *t = in->figures;

	v->t = t;
	v->begin = begin;
	v->end = begin;
	while (v->end < t->count &&
	       strcmp(t->rows[v->end].kpi, t->rows[begin].kpi) == 0)
		v->end++;
	v->k = in->kpis ? kpi_set_find(in->kpis, t->rows[begin].kpi) : NULL;
	v->field = v->k && v->k->breakdown_count
			   ? output_field_label(in->field_label,
						in->field_label_ctx, in->kpis,
						v->k, v->k->breakdown[0])
			   : NULL;
	memset(&v->grains, 0, sizeof(v->grains));
	for (size_t i = v->begin; i < v->end; i++)
		period_grains_add(&v->grains,
				  period_id_grain(t->rows[i].period));
	v->period_count = distinct(t, v->begin, v->end, 0, grain,
				   &v->periods);
	v->cell_count = distinct(t, v->begin, v->end, 1, 0, &v->cells);
	if (row_index_init(&v->index, t, v->begin, v->end, 1) < 0 ||
	    !v->periods || !v->cells)
		return -1;
	return 0;
}

static void kpi_view_release(struct kpi_view *v)
{
	free(v->periods);
	free(v->cells);
	row_index_release(&v->index);
}

/* 0, or -1 when out of memory. */
static int summary(FILE *out, const report_input *in)
{
	const labels *w = in->words;
	struct kpi_view v;
	size_t begin;

	fprintf(out, "<section id=\"samenvatting\"><h2>%s</h2>"
		     "<p class=\"desc\">%s</p>", w->summary, w->summary_intro);
	fprintf(out, "<table class=\"summary\"><thead><tr><th>KPI</th><th>%s</th><th>%s</th>"
		     "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		w->col_unit, w->latest_value, w->target, w->col_status,
		w->months_met);
	for (begin = 0; begin < in->figures->count; begin = v.end) {
		int rc = kpi_view_init(&v, in, begin, 0);

		if (rc == 0)
			summary_row(out, w, &v, in->period);
		kpi_view_release(&v);
		if (rc < 0)
			return -1;
	}
	fputs("</tbody></table><p class=\"legend\">", out);
	badge(out, w, "met");
	fputc(' ', out);
	badge(out, w, "at risk");
	fputc(' ', out);
	badge(out, w, "not met");
	fputc(' ', out);
	badge(out, w, NULL);
	fputs("</p></section>\n", out);
	return 0;
}

/* A notice per stale dataset, before the figures that it concerns. */
static void stale_notice(FILE *out, const report_input *in)
{
	char text[512];

	for (size_t i = 0; in->stale && i < in->stale->count; i++) {
		if (output_kpi_note(in->stale, i, NULL) ||
		    !labels_input_note(in->words, in->stale, i, text,
				       sizeof(text)))
			continue;	/* a KPI's: in its section */
		fputs("<p class=\"notice\" role=\"alert\">", out);
		html_escape(out, text);
		fputs("</p>\n", out);
	}
	if (in->unpublished) {
		fputs("<p class=\"notice\" role=\"alert\">", out);
		html_escape(out, in->words->unpublished);
		fputs("</p>\n", out);
	}
	if (in->revisions && !in->revisions->known) {
		fputs("<p class=\"notice\" role=\"alert\">", out);
		fprintf(out, in->words->revisions_unknown, "");
		html_escape(out, in->revisions->why_unknown);
		fputs("</p>\n", out);
	}
}

/* A revised figure's old or new side: its number, "*" when hidden, "" when
 * absent, and "" for an old value not to be shown. */
static void revised_side(FILE *out, enum revision_state state, double v,
			 int decimals)
{
	if (state == REVISION_HIDDEN)
		fputs("*", out);
	else if (state == REVISION_SHOWN && !isnan(v))
		number(out, v, decimals);
}

/* "Herzien": every figure changed since the previous report of the
 * period (or the previous scheduled run), with why when known. */
static void revised_section(FILE *out, const report_input *in)
{
	const labels *w = in->words;
	const revisions *rv = in->revisions;
	char label[512];
	size_t i;

	if (!rv || !rv->known || !rv->basis_run)
		return;
	fprintf(out, "<section class=\"revised\" id=\"herzien\"><h2>%s</h2>"
		     "<p>", w->revised_title);
	if (rv->basis_report)
		fprintf(out, w->revised_since_report,
			(long long)rv->basis_report, (long long)rv->basis_run);
	else
		fprintf(out, w->revised_since, (long long)rv->basis_run);
	fputs(rv->count ? "</p>" : " ", out);
	if (!rv->count) {
		html_escape(out, w->revised_none);
		fputs("</p></section>\n", out);
		return;
	}
	fprintf(out, "<table class=\"revised\"><thead><tr><th>KPI</th>"
		     "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		     "<th>%s</th></tr></thead><tbody>\n", w->period_word,
		w->revised_cell, w->revised_old, w->revised_new,
		w->revised_change, w->revised_why);
	for (i = 0; i < rv->count; i++) {
		const revision *r = &rv->items[i];
		const kpi_info *k = in->kpis ? kpi_set_find(in->kpis, r->kpi)
					     : NULL;

		result_breakdown_label_words(r->breakdown, w->row_words, label,
					     sizeof(label));
		fputs("<tr><td>", out);
		html_escape(out, k ? k->title : r->kpi);
		fputs("</td><td>", out);
		html_escape(out, r->period);
		fputs("</td><td>", out);
		html_escape(out, label);
		fputs("</td><td>", out);
		revised_side(out, r->old_state, r->old_value,
			     k ? k->decimals : -1);
		fputs("</td><td>", out);
		revised_side(out, r->new_state, r->new_value,
			     k ? k->decimals : -1);
		fputs("</td><td>", out);
		html_escape(out, labels_revision(w, r));
		fputs("</td><td>", out);
		html_escape(out, labels_revision_cause(w, r));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody></table></section>\n", out);
}

/* A report short of a KPI's section, its charts or the quality tables
 * is not written: -1, said. */
static int out_of_memory(void)
{
	log_msg(PEIL_LOG_ERROR, "out of memory writing the HTML report");
	return -1;
}

int report_html_write(FILE *out, const report_input *in)
{
	const labels *w = in->words;
	struct kpi_view v;
	size_t begin;

	if (!in->figures->disclosed || (in->quality && !in->quality->disclosed)) {
		log_msg(PEIL_LOG_ERROR, "internal error: a report without the "
					"small-cell rules");
		return -1;
	}
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
		     "<meta charset=\"utf-8\"/><meta name=\"viewport\" "
		     "content=\"width=device-width, initial-scale=1\"/>"
		     "<title>", w->lang);
	fprintf(out, "%s ", w->report_title);
	html_escape(out, in->period);
	fprintf(out, "</title><style>%s</style></head><body>\n",
		report_css);
	fprintf(out, "<header><h1>%s ", w->report_title);
	html_escape(out, in->period);
	fprintf(out, " <small>&#183; %s</small></h1><p class=\"meta\">"
		     "%s: ", w->report_subtitle, w->period_word);
	html_escape(out, in->period);
	fprintf(out, " &#183; %s %lld</p></header>\n", w->footer_run,
		(long long)in->run_id);
	stale_notice(out, in);
	if (!in->figures->count)
		fprintf(out, "<p>%s</p>", w->no_figures);
	if (summary(out, in) < 0)
		return out_of_memory();
	revised_section(out, in);
	for (begin = 0; begin < in->figures->count; begin = v.end) {
		int rc = kpi_view_init(&v, in, begin, 0);

		if (rc == 0)
			rc = kpi_section(out, in, &v);
		kpi_view_release(&v);
		if (rc < 0)
			return out_of_memory();
	}
	/* NULL in a public report */
	if (in->quality && quality_section(out, in) < 0)
		return out_of_memory();
	footer(out, in);
	fputs("</body></html>\n", out);
	return 0;
}
