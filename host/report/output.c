/*
 * output.c - text, CSV and JSON renderings of a result table.
 */
#include "report/output.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/grow.h"
#include "base/log.h"
#include "base/strmap.h"
#include "base/visible.h"
#include "model/comparison.h"

const char *output_field_label(const char *(*field_label)(void *,
							  const char *,
							  const char *),
			       void *ctx, const kpi_set *kpis,
			       const kpi_info *k, const char *field)
{
	const char *name = field, *dataset, *label = NULL;

	if (field_label && kpis && k) {
		dataset = kpi_field_dataset(kpis, k, field, &name);
		if (dataset)
			label = field_label(ctx, dataset, name);
	}
	return label ? label : field;
}

int output_format_parse(const char *name, output_format *out)
{
	if (strcmp(name, "text") == 0)
		*out = OUTPUT_TEXT;
	else if (strcmp(name, "csv") == 0)
		*out = OUTPUT_CSV;
	else if (strcmp(name, "json") == 0)
		*out = OUTPUT_JSON;
	else
		return -1;
	return 0;
}

/* The decimal mark of a number printed by snprintf: ',' unless point. */
static void decimal_mark(char *out, int point)
{
	char *dot = strchr(out, '.');

	if (dot && !point)
		*dot = ',';
}

/* v, a whole number below 1e15 in size, as "%.0f" writes it (-0 too),
 * without printf: most figures are counts, and a run writes hundreds of
 * thousands of them.  size is at least OUTPUT_INTEGER_SIZE. */
static void output_integer(double v, char *out)
{
	char digits[24];
	size_t n = 0;
	uint64_t u = (uint64_t)fabs(v);

	if (signbit(v))
		*out++ = '-';
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	while (n)
		*out++ = digits[--n];
	*out = '\0';
}

/* Room for output_integer: a sign, 15 digits and the NUL. */
#define OUTPUT_INTEGER_SIZE 17

/* Room for output_precise: a sign, "0.000" and ten digits, and the NUL. */
#define OUTPUT_PRECISE_SIZE 17

/* Whether a * 10^k (k <= 22, so 10^k is exact) is at least limit, an
 * integer below 2^53: decided on the exact product, which is hi + lo
 * (fma gives the rounding error of hi exactly). */
static int product_at_least(double hi, double lo, double limit)
{
	return hi > limit || (hi == limit && lo >= 0);
}

/* v, not whole and 1e-4 <= |v| < 1e9, as "%.10g" writes it, with point
 * or a comma as the decimal mark, without printf: the means and shares of
 * a run are hundreds of thousands of such numbers, and snprintf took a
 * fifth of the CSV output's instructions (docs/benchmarks.md, the narrow
 * case indicators' output).
 * The ten significant digits are |v| * 10^k rounded to the nearest
 * integer for the k that gives ten of them; the product is worked out
 * exactly (hi + lo), so the rounding is that of printf, which rounds the
 * exact binary value.  0 when the product lies exactly halfway between
 * two integers (printf's tie rule then decides) or v is out of range:
 * the caller asks snprintf. */
static int output_precise(double v, int point, char *out)
{
	static const double powers[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
					1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
					1e13, 1e14 };
	double a = fabs(v), hi, lo, whole, rest;
	char digits[10];
	uint64_t n;
	int k, e, i, len = 0;

	if (!(a >= 1e-4 && a < 1e9))
		return 0;
	/* k = 9 - e for 10^e <= a < 10^(e + 1); log10 guesses, the exact
	 * product decides */
	k = 9 - (int)floor(log10(a));
	for (;;) {
		if (k < 1 || k > 14)
			return 0;
		hi = a * powers[k];
		lo = fma(a, powers[k], -hi);
		if (!product_at_least(hi, lo, 1e9))
			k++;
		else if (product_at_least(hi, lo, 1e10))
			k--;
		else
			break;
	}
	/* round hi + lo to the nearest integer: hi < 2^34, so whole and
	 * rest are exact, and |lo| is below half of hi's last bit */
	whole = floor(hi);
	rest = hi - whole - 0.5;
	if (rest == -lo)
		return 0;	/* exactly halfway */
	n = (uint64_t)whole + (rest > -lo);
	e = 9 - k;
	if (n == 10000000000u) {	/* 9999999999.5 and up */
		n = 1000000000u;
		e++;
	}
	for (i = 9; i >= 0; i--, n /= 10)
		digits[i] = (char)('0' + n % 10);
	if (v < 0)
		out[len++] = '-';
	/* %f with 9 - e decimals (-4 <= e <= 9), trailing zeros dropped */
	if (e < 0) {
		out[len++] = '0';
		out[len++] = point ? '.' : ',';
		for (i = e + 1; i < 0; i++)
			out[len++] = '0';
		for (i = 0; i < 10; i++)
			out[len++] = digits[i];
	} else {
		for (i = 0; i <= e; i++)
			out[len++] = digits[i];
		if (e < 9) {
			out[len++] = point ? '.' : ',';
			for (i = e + 1; i < 10; i++)
				out[len++] = digits[i];
		}
	}
	while (e < 9 && out[len - 1] == '0')
		len--;
	if (out[len - 1] == '.' || out[len - 1] == ',')
		len--;
	out[len] = '\0';
	return 1;
}

void output_number(double v, int precise, int point, char *out, size_t size)
{
	if (isnan(v)) {
		if (size)
			out[0] = '\0';
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15 && size >= OUTPUT_INTEGER_SIZE) {
		output_integer(v, out);
		return;	/* no decimal mark */
	}
	if (precise && v != floor(v) && size >= OUTPUT_PRECISE_SIZE &&
	    output_precise(v, point, out))
		return;
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, size, "%.0f", v);
	else
		snprintf(out, size, precise ? "%.10g" : "%.1f", v);
	decimal_mark(out, point);
}

void output_fixed(double v, int decimals, int point, char *out, size_t size)
{
	if (decimals < 0 || isnan(v) || fabs(v) >= 1e15) {
		output_number(v, 0, point, out, size);
		return;
	}
	snprintf(out, size, "%.*f", decimals, v);
	/* -0.04 rounds to "-0.0": zero has no sign */
	if (out[0] == '-' && !out[strspn(out, "-0.")])
		memmove(out, out + 1, strlen(out));
	decimal_mark(out, point);
}

size_t output_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

void output_pad(FILE *out, const char *s, size_t width, int right)
{
	size_t w = output_width(s);
	int fill = (int)(width > w ? width - w : 0);

	if (right)
		fprintf(out, "%*s", fill, "");
	visible_write(out, s);
	if (!right)
		fprintf(out, "%*s", fill, "");
}

void output_clip(const char *s, size_t max, char *out, size_t size)
{
	size_t n = 0, chars = 0;

	if (!size)
		return;
	if (output_width(s) <= max || max < 1) {
		snprintf(out, size, "%s", s);
		return;
	}
	/* max - 1 characters, whole, then the ellipsis (3 bytes) */
	while (s[n]) {
		size_t len = 1;

		while ((((unsigned char)s[n + len]) & 0xC0) == 0x80)
			len++;
		if (chars + 1 > max - 1 || n + len + 4 > size)
			break;
		n += len;
		chars++;
	}
	snprintf(out, size, "%.*s\xE2\x80\xA6", (int)n, s);
}

struct strings {
	size_t count;
	const char **items;
};

static int strings_add(struct strings *s, const char *item)
{
	const char **grown;
	size_t i;

	for (i = 0; i < s->count; i++)
		if (strcmp(s->items[i], item) == 0)
			return 0;
	grown = grow_for(s->items, s->count, sizeof(*grown));
	if (!grown)
		return -1;
	s->items = grown;
	s->items[s->count++] = item;
	return 0;
}

static int compare_breakdowns(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ta = result_is_total(a), tb = result_is_total(b);

	if (ta != tb)
		return ta - tb;
	return strcmp(a, b);
}

/* A text cell: the value, "*" when suppressed, "-" when missing, "!"
 * after a missed target, "?" after one at risk; misses[0] counts the
 * cells with a mark, misses[1] those with a target status. */
static void text_cell(const result_row *row, const output_options *o,
		      int decimals, char *out, size_t size, int *misses)
{
	size_t n;

	out[0] = '\0';
	if (!row)
		return;
	if (result_not_evaluated(row->status)) {
		snprintf(out, size, "%s", o->words->not_evaluated_mark);
		return;
	}
	if (row->suppressed != RESULT_SHOWN) {
		snprintf(out, size, "*");
		return;
	}
	output_fixed(row->value, decimals, o->english_numbers, out, size);
	if (!out[0])
		snprintf(out, size, "-");
	n = strlen(out);
	if (row->status)
		misses[1]++;
	if (row->status && strcmp(row->status, "met") != 0 && n + 1 < size) {
		out[n] = strcmp(row->status, "not met") == 0 ? '!' : '?';
		out[n + 1] = '\0';
		misses[0]++;
	}
}

/* A provisional figure gets "~" after its number; 1 when it got one. */
static int finality_marker(const result_row *row, char *number, size_t size)
{
	size_t n = strlen(number);

	if (!row || row->finality != RESULT_PROVISIONAL ||
	    row->suppressed != RESULT_SHOWN || n + 1 >= size)
		return 0;
	number[n] = '~';
	number[n + 1] = '\0';
	return 1;
}

static const char *finality_word(const labels *w, const result_row *row)
{
	return row->finality == RESULT_FINAL	     ? w->word_final
	       : row->finality == RESULT_PROVISIONAL ? w->word_provisional
						     : "";
}

static void text_target(FILE *out, const kpi_info *k, const output_options *o,
			const int *misses)
{
	const labels *w = o->words;
	char number[64];

	fprintf(out, "%s:", w->target);
	if (k->has_min) {
		output_number(k->target_min, 0, o->english_numbers, number,
			      sizeof(number));
		fprintf(out, " %s %s", w->at_least, number);
	}
	if (k->has_max) {
		output_number(k->target_max, 0, o->english_numbers, number,
			      sizeof(number));
		fprintf(out, "%s%s %s %s", k->has_min ? " " : "",
			k->has_min ? w->and_word : "", w->at_most, number);
	}
	fprintf(out, " %s; ! = %s, ? = %s; ", k->unit, w->not_met,
		w->at_risk);
	fprintf(out, w->misses, misses[0], misses[1]);
	fputc('\n', out);
}

/* The row of [begin, end) of the period and breakdown, or NULL. */

const char *output_change_unit(const labels *w, const kpi_info *k)
{
	return !k ? "" : strcmp(k->unit, "%") == 0 ? w->points : k->unit;
}

/* A signed number: "+12", "-3,5", "0". */
static void signed_number(double v, int decimals, int point, char *out,
			  size_t size)
{
	char digits[64];

	output_fixed(v, decimals, point, digits, sizeof(digits));
	snprintf(out, size, "%s%s",
		 v > 0 && strspn(digits, "0,.") < strlen(digits) ? "+" : "",
		 digits);
}

void output_change_text(const result_row *row, size_t c, int decimals,
			const labels *w, int point, int with_old, char *out,
			size_t size)
{
	const result_compare *cmp = &row->compare[c];
	double change, pct;
	int known = comparison_change(row, c, &change, &pct);
	char a[64] = "", b[64] = "", old[64] = "";

	if (cmp->state == RESULT_COMPARE_HIDDEN) {
		snprintf(out, size, "*");
		return;
	}
	if (!known) {
		snprintf(out, size, "-");
		return;
	}
	signed_number(change, decimals, point, a, sizeof(a));
	if (known & 2)
		signed_number(pct, 1, point, b, sizeof(b));
	if (with_old)
		output_fixed(cmp->old, decimals, point, old, sizeof(old));
	snprintf(out, size, "%s%s%s%s%s%s%s", a, known & 2 ? " (" : "", b,
		 known & 2 ? " %)" : "", with_old ? " " : "",
		 with_old ? w->compare_vs : "", with_old ? " " : "");
	if (with_old && strlen(out) + strlen(old) < size)
		strcat(out, old);
}

void output_change_summary(const result_row *row, size_t c,
			   const kpi_info *k, const labels *w, int point,
			   char *out, size_t size)
{
	const result_compare *cmp = &row->compare[c];
	double change, pct;
	int known = comparison_change(row, c, &change, &pct);
	int points = k && strcmp(k->unit, "%") == 0;
	char number[64];

	if (cmp->state == RESULT_COMPARE_ABSENT) {
		snprintf(out, size, w->compare_absent, cmp->period);
		return;
	}
	if (cmp->state == RESULT_COMPARE_HIDDEN)
		snprintf(number, sizeof(number), "*");
	else if (!known)
		snprintf(number, sizeof(number), "-");
	else if ((known & 2) && !points)
		signed_number(pct, 1, point, number, sizeof(number));
	else
		signed_number(change, k ? k->decimals : -1, point, number,
			      sizeof(number));
	snprintf(out, size, "%s%s%s %s %s", number,
		 (known & 2) && !points ? " %" : known ? " " : "",
		 (known & 2) && !points ? ""
		 : known		 ? output_change_unit(w, k)
					 : "",
		 w->compare_vs, cmp->period);
}

/* Periods by grain, month first, then in time: a KPI of several grains
 * shows its months, then its quarters, then its year. */
static int compare_periods(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ga = (int)period_id_grain(a), gb = (int)period_id_grain(b);

	return ga != gb ? ga - gb : strcmp(a, b);
}

/* One KPI's rows as breakdown x period: its periods and its cells, each
 * once and in the order shown, and the first row of each cell and period
 * (NULL: none).  Built in about n log n for n rows: a KPI of a thousand
 * teams over three years of months has a hundred thousand. */
struct block_grid {
	struct strings periods, cells;	/* texts of the maps */
	const result_row **rows;	/* cells.count rows of periods.count */
	strmap period_ids, cell_ids;
};

/* The texts of map into s, sorted by cmp; rank[i] (malloc'd) says where
 * the map's text i went.  0, or -1 when out of memory. */
static int axis_sort(const strmap *map, struct strings *s, size_t **rank,
		     int (*cmp)(const void *, const void *))
{
	size_t i;

	s->count = map->count;
	s->items = malloc((map->count + 1) * sizeof(*s->items));
	*rank = malloc((map->count + 1) * sizeof(**rank));
	if (!s->items || !*rank)
		return -1;
	for (i = 0; i < map->count; i++)
		s->items[i] = strmap_key(map, i);
	qsort(s->items, s->count, sizeof(*s->items), cmp);
	for (i = 0; i < s->count; i++)
		(*rank)[strmap_find(map, s->items[i], strlen(s->items[i]))] = i;
	return 0;
}

static void grid_release(struct block_grid *g)
{
	free(g->periods.items);
	free(g->cells.items);
	free(g->rows);
	strmap_release(&g->period_ids);
	strmap_release(&g->cell_ids);
}

/* The grid of rows [begin, end) of t.  0, or -1 when out of memory. */
static int grid_build(struct block_grid *g, const result_table *t,
		      size_t begin, size_t end)
{
	size_t n = end - begin, r, *at, *period_rank = NULL,
	       *cell_rank = NULL;
	int added, rc = -1;

	memset(g, 0, sizeof(*g));
	at = malloc((2 * n + 1) * sizeof(*at));
	if (!at)
		return -1;
	for (r = 0; r < n; r++) {
		const result_row *row = &t->rows[begin + r];
		long p = strmap_put(&g->period_ids, row->period,
				    strlen(row->period), &added),
		     c = strmap_put(&g->cell_ids, row->breakdown,
				    strlen(row->breakdown), &added);

		if (p < 0 || c < 0)
			goto out;
		at[2 * r] = (size_t)p;
		at[2 * r + 1] = (size_t)c;
	}
	if (axis_sort(&g->period_ids, &g->periods, &period_rank,
		      compare_periods) < 0 ||
	    axis_sort(&g->cell_ids, &g->cells, &cell_rank,
		      compare_breakdowns) < 0)
		goto out;
	g->rows = calloc(g->cells.count * g->periods.count + 1,
			 sizeof(*g->rows));
	if (!g->rows)
		goto out;
	/* Backwards: the first row of a cell and period is the one shown. */
	for (r = n; r-- > 0;)
		g->rows[cell_rank[at[2 * r + 1]] * g->periods.count +
			period_rank[at[2 * r]]] = &t->rows[begin + r];
	rc = 0;
out:
	free(at);
	free(period_rank);
	free(cell_rank);
	return rc;
}

/* The row of cell i and period j of the grid, or NULL. */
static const result_row *grid_row(const struct block_grid *g, size_t i,
				  size_t j)
{
	return g->rows[i * g->periods.count + j];
}

/* A text grid's head line: first, padded to label_width, then each
 * period right-aligned in width. */
static void text_grid_head(FILE *out, const char *first, size_t label_width,
			   const struct strings *periods, size_t width)
{
	output_pad(out, first, label_width, 0);
	for (size_t j = 0; j < periods->count; j++) {
		fputs("  ", out);
		output_pad(out, periods->items[j], width, 1);
	}
	fputc('\n', out);
}

/* A text grid's row label of cell, padded to label_width. */
static void text_grid_label(FILE *out, const labels *w, const char *cell,
			    size_t label_width)
{
	char label[512];

	result_breakdown_label_words(cell, w->row_words, label,
				     sizeof(label));
	output_pad(out, label, label_width, 0);
}

/* Under a KPI's table: the change of every figure against comparison c,
 * in the same grid. */
static void text_changes(FILE *out, const result_table *t, size_t begin,
			 const output_options *o, const struct block_grid *g,
			 size_t label_width, size_t c)
{
	const struct strings *periods = &g->periods, *cells = &g->cells;
	const labels *w = o->words;
	const kpi_info *k = o->kpis ? kpi_set_find(o->kpis, t->rows[begin].kpi)
				    : NULL;
	int decimals = k ? k->decimals : -1;
	size_t width = 4, i, j;
	char text[160];

	for (i = 0; i < cells->count; i++)
		for (j = 0; j < periods->count; j++) {
			const result_row *row = grid_row(g, i, j);

			if (!row)
				continue;
			output_change_text(row, c, decimals, w,
					   o->english_numbers, 1, text,
					   sizeof(text));
			if (output_width(text) > width)
				width = output_width(text);
		}
	fputc('\n', out);
	fprintf(out, w->compare_heading, w->compare_name[c],
		output_change_unit(w, k));
	fputc('\n', out);
	text_grid_head(out, "", label_width, periods, width);
	for (i = 0; i < cells->count; i++) {
		text_grid_label(out, w, cells->items[i], label_width);
		for (j = 0; j < periods->count; j++) {
			const result_row *row = grid_row(g, i, j);

			text[0] = '\0';
			if (row)
				output_change_text(row, c, decimals, w,
						   o->english_numbers, 1, text,
						   sizeof(text));
			fputs("  ", out);
			output_pad(out, text, width, 1);
		}
		fputc('\n', out);
	}
	fprintf(out, "%s\n", w->compare_legend);
}

/* One KPI's rows [begin, end) as breakdown x period.  0, or -1 when out
 * of memory (logged). */
static int text_block(FILE *out, const result_table *t, size_t begin,
		      size_t end, const output_options *o)
{
	const labels *w = o->words;
	const kpi_info *k = o->kpis ? kpi_set_find(o->kpis, t->rows[begin].kpi)
				    : NULL;
	struct block_grid g;
	const struct strings *periods = &g.periods, *cells = &g.cells;
	struct strings reasons = { 0, NULL };
	size_t label_width = 6, period_width = 4, i, j, r;
	int misses[2] = { 0, 0 }, hidden = 0, provisional = 0;
	int decimals = k ? k->decimals : -1;
	const char *head = k && k->breakdown_count
				   ? output_field_label(o->field_label,
							o->field_label_ctx,
							o->kpis, k,
							k->breakdown[0])
				   : "";
	char label[512], number[64];

	if (grid_build(&g, t, begin, end) < 0)
		goto oom;
	for (r = begin; r < end; r++) {
		if (result_not_evaluated(t->rows[r].status) &&
		    strings_add(&reasons, t->rows[r].status) < 0)
			goto oom;
		hidden |= t->rows[r].suppressed != RESULT_SHOWN;
	}
	if (output_width(head) > label_width)
		label_width = output_width(head);
	for (i = 0; i < cells->count; i++) {
		result_breakdown_label_words(cells->items[i], w->row_words,
					     label, sizeof(label));
		if (output_width(label) > label_width)
			label_width = output_width(label);
	}
	for (r = begin; r < end; r++) {
		output_fixed(t->rows[r].value, decimals, o->english_numbers,
			     number, sizeof(number));
		if (strlen(number) + 2 > period_width)	/* "!~" */
			period_width = strlen(number) + 2;
		if (strlen(t->rows[r].period) > period_width)
			period_width = strlen(t->rows[r].period);
	}
	if (k)
		fprintf(out, "%s (%s) [%s]\n", k->title, k->unit, k->id);
	else
		fprintf(out, "%s\n", t->rows[begin].kpi);
	text_grid_head(out, head, label_width, periods, period_width);
	for (i = 0; i < cells->count; i++) {
		text_grid_label(out, w, cells->items[i], label_width);
		for (j = 0; j < periods->count; j++) {
			const result_row *row = grid_row(&g, i, j);

			text_cell(row, o, decimals, number, sizeof(number),
				  misses);
			provisional |= finality_marker(row, number,
						       sizeof(number));
			fputs("  ", out);
			output_pad(out, number, period_width, 1);
		}
		fputc('\n', out);
	}
	if (k && (k->has_min || k->has_max))
		text_target(out, k, o, misses);
	if (hidden) {
		fprintf(out, w->suppressed_legend, t->min_count);
		fputc('\n', out);
	}
	if (provisional)
		fprintf(out, "%s\n", w->provisional_legend);
	for (i = 0; i < reasons.count; i++) {
		labels_status_text(w, reasons.items[i], label, sizeof(label));
		fprintf(out, "%s = %s\n", w->not_evaluated_mark, label);
	}
	/* the notes of this KPI, under its table */
	for (i = 0; o->stale && i < o->stale->count; i++)
		if (output_kpi_note(o->stale, i, t->rows[begin].kpi) &&
		    labels_input_note(w, o->stale, i, label, sizeof(label)))
			fprintf(out, "%s\n", label);
	for (size_t c = 0; c < RESULT_COMPARISONS; c++)
		if (t->rows[begin].compare[c].state != RESULT_COMPARE_NONE)
			text_changes(out, t, begin, o, &g, label_width, c);
	fputc('\n', out);
	free(reasons.items);
	grid_release(&g);
	return 0;
oom:
	free(reasons.items);
	grid_release(&g);
	log_msg(PEIL_LOG_ERROR, "out of memory writing the figures");
	return -1;
}

int output_kpi_note(const input_ages *notes, size_t i, const char *kpi)
{
	const input_age *a = &notes->items[i];

	return a->kind == INPUT_UNMATCHED &&
	       (!kpi || strcmp(a->kpi, kpi) == 0);
}

/* Text: a line per note on the inputs under the tables (those of one
 * KPI under its own). */
static void text_stale(FILE *out, const output_options *o)
{
	char buf[512];

	for (size_t i = 0; o->stale && i < o->stale->count; i++)
		if (!output_kpi_note(o->stale, i, NULL) &&
		    labels_input_note(o->words, o->stale, i, buf,
				      sizeof(buf)))
			fprintf(out, "%s\n", buf);
	if (o->unpublished)
		fprintf(out, "%s\n", o->words->unpublished);
}

static int write_text(FILE *out, const result_table *t,
		      const output_options *o)
{
	size_t begin = 0, end;

	if (t->count == 0) {
		fprintf(out, "%s\n", o->words->no_figures);
		text_stale(out, o);
		return 0;
	}
	while (begin < t->count) {
		end = begin;
		while (end < t->count &&
		       strcmp(t->rows[end].kpi, t->rows[begin].kpi) == 0)
			end++;
		if (text_block(out, t, begin, end, o) < 0)
			return -1;
		begin = end;
	}
	text_stale(out, o);
	return 0;
}

/* A line of CSV being built: a row is written with one fwrite, not a
 * stdio call per cell and separator (a sixth of an evaluation's output
 * at 200 000 figures); the rows of a table, CSV_BLOCK bytes of them at a
 * time (csv_flush_full).  Out of memory, the line is cut and marked
 * (oom): write_csv then fails. */
typedef struct csv_line {
	char *text;
	size_t len, cap;
	int oom;
} csv_line;

static void csv_put(csv_line *l, const char *s, size_t n)
{
	if (n == 0)
		return;		/* a line not begun has no text to copy to */
	if (l->len + n > l->cap) {
		size_t cap = (l->len + n) * 2 + 256;
		char *grown = realloc(l->text, cap);

		if (!grown) {
			l->oom = 1;
			return;
		}
		l->text = grown;
		l->cap = cap;
	}
	memcpy(l->text + l->len, s, n);
	l->len += n;
}

static void csv_char(csv_line *l, char c)
{
	if (l->len < l->cap)
		l->text[l->len++] = c;
	else
		csv_put(l, &c, 1);
}

/* Write the line, ended with CRLF when end, and start a new one. */
static void csv_flush(FILE *out, csv_line *l, int end)
{
	if (end)
		csv_put(l, "\r\n", 2);
	if (l->len)
		fwrite(l->text, 1, l->len, out);
	l->len = 0;
}

/* The rows written to a stream at a time. */
#define CSV_BLOCK 65536

/* End the line with CRLF, and write the lines held when they fill a
 * block. */
static void csv_flush_full(FILE *out, csv_line *l)
{
	csv_put(l, "\r\n", 2);
	if (l->len >= CSV_BLOCK)
		csv_flush(out, l, 0);
}

/* A CSV text cell: quoted when needed; one that starts with = + - @ (or a
 * tab or CR, which Excel strips before looking) gets a leading apostrophe
 * so that Excel does not run it as a formula (OWASP, "CSV injection"). */
static void csv_text(csv_line *l, const char *s, char separator)
{
	int risky = s[0] == '=' || s[0] == '+' || s[0] == '-' ||
		    s[0] == '@' || s[0] == '\t' || s[0] == '\r';
	size_t len = 0;
	int quote;

	/* a loop rather than strcspn: most cells are a word or two */
	while (s[len] && s[len] != separator && s[len] != '"' &&
	       s[len] != '\r' && s[len] != '\n')
		len++;
	quote = risky || s[len];

	if (!quote) {
		csv_put(l, s, len);
		return;
	}
	csv_char(l, '"');
	if (risky)
		csv_char(l, '\'');
	for (; *s; s++) {
		if (*s == '"')
			csv_char(l, '"');
		csv_char(l, *s);
	}
	csv_char(l, '"');
}

void output_csv_text(FILE *out, const char *s, char separator)
{
	csv_line l = { 0 };

	csv_text(&l, s, separator);
	csv_flush(out, &l, 0);
	free(l.text);
}

/* A CSV number cell: never escaped, so that Excel reads it as a number. */
static void csv_number(csv_line *l, double v, int point)
{
	char number[64];

	output_number(v, 1, point, number, sizeof(number));
	csv_put(l, number, strlen(number));
}

/* The distinct breakdown fields of the table's KPIs, in order of first
 * appearance: for the columns of the long format.  kpis may be NULL (the
 * fields are then read from the breakdowns).  *out is malloc'd, its
 * strings borrowed from kpis or t; the count, or (size_t)-1 when out of
 * memory. */
static size_t output_breakdown_fields(const result_table *t,
				      const kpi_set *kpis,
				      const char ***out)
{
	struct strings fields = { 0, NULL };
	size_t i, j;

	for (i = 0; i < t->count; i++) {
		const kpi_info *k;

		if (i && strcmp(t->rows[i].kpi, t->rows[i - 1].kpi) == 0)
			continue;
		k = kpis ? kpi_set_find(kpis, t->rows[i].kpi) : NULL;
		for (j = 0; k && j < k->breakdown_count; j++)
			if (strings_add(&fields, k->breakdown[j]) < 0)
				goto oom;
	}
	*out = fields.items;
	return fields.count;
oom:
	free(fields.items);
	*out = NULL;
	return (size_t)-1;
}

static const char *suppression_word(const labels *w, result_suppression s)
{
	return s == RESULT_SMALL ? w->suppressed_small
	       : s == RESULT_DERIVABLE ? w->suppressed_derivable
				       : "";
}

/* The cells of a status, a suppression and a finality, as written. */
typedef struct csv_tail {
	char status[256];	/* the status, when has_status */
	int has_status;
	result_suppression suppressed;
	enum result_finality finality;
	csv_line text;		/* empty: not used yet */
} csv_tail;

/* The tails remembered: the statuses of a KPI's rows alternate. */
#define CSV_TAILS 8

/* What write_csv works out once rather than for every row: the cells
 * that the rows of a KPI and period share (the table is sorted by KPI,
 * then period), those of each breakdown, and those of the last few
 * statuses. */
typedef struct csv_rows {
	const char **fields;
	size_t field_count;
	char (*values)[512];	/* [field_count] */
	int *found;		/* [field_count]: 0, 1 or 2 (null), as
				   result_breakdown_value says */
	const char *kpi;	/* the last KPI looked up, and its info */
	const kpi_info *info;
	/* The cells that the rows of a KPI and period share: KPI, title,
	 * unit and period; the targets; the grain.  Written once for the
	 * first of them. */
	csv_line prefix, targets, grain;
	const char *prefix_kpi;	/* the row they were written for */
	const char *prefix_period;
	/* The breakdown cells of each breakdown met, written once: the
	 * periods of a KPI repeat its breakdowns, a thousand teams each. */
	strmap breakdowns;	/* breakdown JSON -> its number i */
	csv_line cells;		/* the cells of i: text[cell_at[i] ..
				   cell_at[i + 1]) */
	size_t *cell_at;
	size_t cell_cap;
	csv_tail tails[CSV_TAILS];
	size_t tail_next;	/* the one to replace next */
	csv_line line;		/* the rows not yet written */
} csv_rows;

static int csv_breakdown_value(void *ctx, const char *field,
			       const char *value)
{
	csv_rows *c = ctx;

	for (size_t j = 0; j < c->field_count; j++)
		if (!c->found[j] && strcmp(field, c->fields[j]) == 0) {
			size_t n = value ? strlen(value) : 0;

			if (n >= sizeof(c->values[j]))	/* as snprintf cuts */
				n = sizeof(c->values[j]) - 1;
			memcpy(c->values[j], value ? value : "", n);
			c->values[j][n] = '\0';
			c->found[j] = value ? 1 : 2;
		}
	return 0;
}

/* The values of breakdown's fields into c (result_breakdown_value of
 * each, in one pass). */
static void csv_breakdown_values(csv_rows *c, const char *breakdown)
{
	for (size_t j = 0; j < c->field_count; j++) {
		c->found[j] = 0;
		c->values[j][0] = '\0';
	}
	result_breakdown_each(breakdown, csv_breakdown_value, c);
}

/* The breakdown cells of row (each after a separator) into l. */
static void csv_breakdown_cells(csv_line *l, csv_rows *rows,
				const result_row *row, const labels *w,
				char sep)
{
	int total = result_is_total(row->breakdown);

	if (!total)
		csv_breakdown_values(rows, row->breakdown);
	for (size_t j = 0; j < rows->field_count; j++) {
		csv_char(l, sep);
		if (total)
			csv_text(l, w->row_words->total, sep);
		else if (rows->found[j])
			csv_text(l, rows->found[j] == 2 ? w->row_words->unknown
						       : rows->values[j], sep);
	}
}

/* The breakdown cells of row into l, each breakdown's worked out once
 * (rows->breakdowns); as csv_breakdown_cells when out of memory. */
static void csv_breakdown(csv_line *l, csv_rows *rows, const result_row *row,
			  const labels *w, char sep)
{
	size_t len = strlen(row->breakdown);
	long at = strmap_find(&rows->breakdowns, row->breakdown, len);
	int added = 0;

	/* room for a new one's end: cell_at[count + 1] */
	if (at < 0 && rows->breakdowns.count + 2 > rows->cell_cap) {
		size_t cap = rows->cell_cap ? rows->cell_cap * 2 : 1024;
		size_t *grown = realloc(rows->cell_at, cap * sizeof(*grown));

		if (grown) {
			rows->cell_at = grown;
			rows->cell_cap = cap;
		}
	}
	if (at < 0 && rows->breakdowns.count + 2 <= rows->cell_cap)
		at = strmap_put(&rows->breakdowns, row->breakdown, len,
				&added);
	if (at < 0) {
		csv_breakdown_cells(l, rows, row, w, sep);
		return;
	}
	if (added) {
		rows->cell_at[at] = rows->cells.len;
		csv_breakdown_cells(&rows->cells, rows, row, w, sep);
		rows->cell_at[at + 1] = rows->cells.len;
	}
	csv_put(l, rows->cells.text + rows->cell_at[at],
		rows->cell_at[at + 1] - rows->cell_at[at]);
}

/* The status, suppression and finality cells of row (each after a
 * separator) into l. */
static void csv_tail_cells(csv_line *l, const result_row *row,
			   const labels *w, char sep)
{
	char status[512] = "";

	if (row->status)
		labels_status_text(w, row->status, status, sizeof(status));
	csv_char(l, sep);
	csv_text(l, status, sep);
	csv_char(l, sep);
	csv_text(l, suppression_word(w, row->suppressed), sep);
	csv_char(l, sep);
	csv_text(l, finality_word(w, row), sep);
}

/* The status, suppression and finality cells of row into l, those of the
 * last CSV_TAILS kinds remembered. */
static void csv_tail_put(csv_line *l, csv_rows *rows, const result_row *row,
			 const labels *w, char sep)
{
	size_t len = row->status ? strlen(row->status) : 0;
	csv_tail *t;

	for (size_t i = 0; i < CSV_TAILS; i++) {
		t = &rows->tails[i];
		if (t->text.len && t->suppressed == row->suppressed &&
		    t->finality == row->finality &&
		    t->has_status == (row->status != NULL) &&
		    (!row->status || strcmp(t->status, row->status) == 0)) {
			csv_put(l, t->text.text, t->text.len);
			return;
		}
	}
	if (len >= sizeof(t->status)) {	/* too long to remember */
		csv_tail_cells(l, row, w, sep);
		return;
	}
	t = &rows->tails[rows->tail_next];
	rows->tail_next = (rows->tail_next + 1) % CSV_TAILS;
	t->text.len = 0;
	csv_tail_cells(&t->text, row, w, sep);
	t->has_status = row->status != NULL;
	memcpy(t->status, row->status ? row->status : "", len + 1);
	t->suppressed = row->suppressed;
	t->finality = row->finality;
	csv_put(l, t->text.text, t->text.len);
}

/* The cells that the rows of row's KPI (k) and period share, into rows
 * when they are not those of the row before. */
static void csv_shared(csv_rows *rows, const result_row *row,
		       const kpi_info *k, const output_options *o, char sep)
{
	if (rows->prefix_kpi && strcmp(row->kpi, rows->prefix_kpi) == 0 &&
	    strcmp(row->period, rows->prefix_period) == 0)
		return;
	rows->prefix.len = rows->targets.len = rows->grain.len = 0;
	csv_text(&rows->prefix, row->kpi, sep);
	csv_char(&rows->prefix, sep);
	csv_text(&rows->prefix, k ? k->title : "", sep);
	csv_char(&rows->prefix, sep);
	csv_text(&rows->prefix, k ? k->unit : "", sep);
	csv_char(&rows->prefix, sep);
	csv_text(&rows->prefix, row->period, sep);
	csv_char(&rows->targets, sep);
	csv_number(&rows->targets, k && k->has_min ? k->target_min : NAN,
		   o->english_numbers);
	csv_char(&rows->targets, sep);
	csv_number(&rows->targets, k && k->has_max ? k->target_max : NAN,
		   o->english_numbers);
	csv_char(&rows->grain, sep);
	csv_text(&rows->grain,
		 o->words->grain_word[period_id_grain(row->period)], sep);
	rows->prefix_kpi = row->kpi;
	rows->prefix_period = row->period;
}

static void csv_row(FILE *out, const result_row *row, const kpi_info *k,
		    csv_rows *rows, const output_options *o, char sep,
		    unsigned compared)
{
	const labels *w = o->words;
	csv_line *l = &rows->line;

	csv_shared(rows, row, k, o, sep);
	csv_put(l, rows->prefix.text, rows->prefix.len);
	csv_breakdown(l, rows, row, w, sep);
	csv_char(l, sep);
	csv_number(l, row->value, o->english_numbers);
	csv_char(l, sep);
	csv_number(l, row->numerator, o->english_numbers);
	csv_char(l, sep);
	csv_number(l, row->denominator, o->english_numbers);
	csv_put(l, rows->targets.text, rows->targets.len);
	csv_tail_put(l, rows, row, w, sep);
	if (o->revisions) {
		const revision *r = revision_find(o->revisions, row);

		csv_char(l, sep);
		csv_number(l, r ? r->old_value : NAN, o->english_numbers);
		csv_char(l, sep);
		csv_text(l, r ? labels_revision(w, r) : "", sep);
	}
	for (size_t c = 0; c < RESULT_COMPARISONS; c++) {
		double change, pct;

		if (!(compared & (1u << c)))
			continue;
		comparison_change(row, c, &change, &pct);
		csv_char(l, sep);
		csv_number(l, row->compare[c].state == RESULT_COMPARE_SHOWN
					? row->compare[c].old
					: NAN,
			   o->english_numbers);
		csv_char(l, sep);
		csv_number(l, change, o->english_numbers);
		csv_char(l, sep);
		csv_number(l, pct, o->english_numbers);
	}
	csv_put(l, rows->grain.text, rows->grain.len);
	csv_flush_full(out, l);
}

/* A closing comment line of CSV: "# " and text. */
static void csv_comment(FILE *out, const char *text, char sep)
{
	size_t n = strlen(text) + 3;
	char *comment = malloc(n);
	csv_line line = { 0 };

	if (!comment)
		return;
	snprintf(comment, n, "# %s", text);
	csv_text(&line, comment, sep);
	csv_flush(out, &line, 1);
	free(line.text);
	free(comment);
}

/* What the rows cannot say: revisions that cannot be shown, and the
 * figures of the previous report that are gone now. */
static void csv_revisions(FILE *out, const output_options *o, char sep)
{
	const revisions *rv = o->revisions;
	char text[1400], label[512], old[64];
	size_t i;

	if (!rv)
		return;
	if (!rv->known) {
		snprintf(text, sizeof(text), o->words->revisions_unknown,
			 rv->why_unknown);
		csv_comment(out, text, sep);
	}
	for (i = 0; i < rv->count; i++) {
		const revision *r = &rv->items[i];

		if (r->new_state != REVISION_ABSENT)
			continue;
		result_breakdown_label_words(r->breakdown, o->words->row_words,
					     label, sizeof(label));
		output_number(r->old_value, 1, o->english_numbers, old,
			      sizeof(old));
		snprintf(text, sizeof(text), "%s: %s %s %s: %s %s",
			 o->words->col_revised, r->kpi, r->period, label,
			 labels_revision(o->words, r), old);
		csv_comment(out, text, sep);
	}
}

/* The note on the KPI's total of row's period (commentary.txt), or NULL
 * for any other row. */
static const char *row_note(const output_options *o, const result_row *row)
{
	return strcmp(row->breakdown, "{}") == 0
		       ? commentary_find(o->commentary, row->kpi, row->period)
		       : NULL;
}

/* A closing comment line per note on a figure of the file. */
static void csv_commentary(FILE *out, const result_table *t,
			   const output_options *o, char sep)
{
	char text[2400];

	for (size_t i = 0; i < t->count; i++) {
		const char *note = row_note(o, &t->rows[i]);

		if (!note)
			continue;
		snprintf(text, sizeof(text), "%s: %s %s: %s",
			 o->words->commentary, t->rows[i].kpi,
			 t->rows[i].period, note);
		csv_comment(out, text, sep);
	}
}

static int write_csv(FILE *out, const result_table *t,
		     const output_options *o)
{
	const labels *w = o->words;
	char sep = o->english_numbers ? ',' : ';';
	const char **fields = NULL;
	size_t field_count = output_breakdown_fields(t, o->kpis, &fields);
	unsigned compared = comparison_kinds(t);
	csv_rows c = { 0 };
	size_t i;
	int oom;

	if (field_count == (size_t)-1)
		field_count = 0;
	c.fields = fields;
	c.field_count = field_count;
	c.values = calloc(field_count ? field_count : 1, sizeof(*c.values));
	c.found = calloc(field_count ? field_count : 1, sizeof(*c.found));
	if (!c.values || !c.found) {
		free(c.values);
		free(c.found);
		free(fields);
		log_msg(PEIL_LOG_ERROR, "out of memory writing the figures");
		return -1;
	}
	/* The BOM tells Excel the file is UTF-8; without it Excel reads
	 * Windows-1252 and "Beëindigd" comes out garbled. */
	fputs("\xEF\xBB\xBF", out);
	fprintf(out, "%s%c%s%c%s%c%s", w->col_kpi, sep, w->col_title, sep,
		w->col_unit, sep, w->col_period);
	for (i = 0; i < field_count; i++) {
		csv_char(&c.line, sep);
		csv_text(&c.line, fields[i], sep);
	}
	csv_flush(out, &c.line, 0);
	fprintf(out, "%c%s%c%s%c%s%c%s%c%s%c%s%c%s%c%s", sep,
		w->col_value, sep, w->col_numerator, sep, w->col_denominator,
		sep, w->col_target_min, sep, w->col_target_max, sep,
		w->col_status, sep, w->col_suppressed, sep, w->col_finality);
	if (o->revisions)
		fprintf(out, "%c%s%c%s", sep, w->col_previous, sep,
			w->col_revised);
	for (i = 0; i < RESULT_COMPARISONS; i++)
		if (compared & (1u << i))
			fprintf(out, "%c%s%c%s%c%s", sep, w->col_compare[i][0],
				sep, w->col_compare[i][1], sep,
				w->col_compare[i][2]);
	fprintf(out, "%c%s\r\n", sep, w->col_grain);
	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];

		if (o->kpis && (!c.kpi || strcmp(row->kpi, c.kpi) != 0)) {
			c.kpi = row->kpi;
			c.info = kpi_set_find(o->kpis, row->kpi);
		}
		csv_row(out, row, c.info, &c, o, sep, compared);
	}
	csv_flush(out, &c.line, 0);
	oom = c.line.oom || c.prefix.oom || c.targets.oom || c.grain.oom ||
	      c.cells.oom;
	for (i = 0; i < CSV_TAILS; i++) {
		oom |= c.tails[i].text.oom;
		free(c.tails[i].text.text);
	}
	free(c.values);
	free(c.found);
	free(c.line.text);
	free(c.prefix.text);
	free(c.targets.text);
	free(c.grain.text);
	free(c.cells.text);
	free(c.cell_at);
	strmap_release(&c.breakdowns);
	if (oom) {
		free(fields);
		log_msg(PEIL_LOG_ERROR, "out of memory writing the figures");
		return -1;
	}
	/* After the rows, so that the header stays the first line: a
	 * comment line, which readers told that '#' starts one skip. */
	for (i = 0; o->stale && i < o->stale->count; i++) {
		char buf[512];

		if (labels_input_note(o->words, o->stale, i, buf,
				      sizeof(buf)))
			csv_comment(out, buf, sep);
	}
	csv_revisions(out, o, sep);
	csv_commentary(out, t, o, sep);
	if (o->unpublished)
		csv_comment(out, o->words->unpublished, sep);
	free(fields);
	return 0;
}

/* Write s as JSON string, quoted and escaped. */
static void output_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_number(FILE *out, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", out);
	else
		fprintf(out, "%.17g", v);
}

static void json_kpi(FILE *out, const kpi_info *k)
{
	size_t j;

	fputs("\n  {\"id\": ", out);
	output_json_string(out, k->id);
	fputs(", \"title\": ", out);
	output_json_string(out, k->title);
	fputs(", \"description\": ", out);
	output_json_string(out, k->description ? k->description : "");
	fputs(", \"unit\": ", out);
	output_json_string(out, k->unit);
	/* grain: the first of grains, as before there were several */
	fprintf(out, ", \"grain\": \"%s\", \"grains\": [",
		period_grain_name(k->grains.grain[0]));
	for (j = 0; j < k->grains.count; j++)
		fprintf(out, "%s\"%s\"", j ? ", " : "",
			period_grain_name(k->grains.grain[j]));
	fputs("], \"breakdown\": [", out);
	for (j = 0; j < k->breakdown_count; j++) {
		fputs(j ? ", " : "", out);
		output_json_string(out, k->breakdown[j]);
	}
	fputs("], \"target\": {\"min\": ", out);
	json_number(out, k->has_min ? k->target_min : NAN);
	fputs(", \"max\": ", out);
	json_number(out, k->has_max ? k->target_max : NAN);
	fputs("}}", out);
}

static void json_kpis(FILE *out, const result_table *t, const kpi_set *kpis)
{
	size_t i, n = 0;

	fputs("\"kpis\": [", out);
	for (i = 0; kpis && i < t->count; i++) {
		const kpi_info *k = kpi_set_find(kpis, t->rows[i].kpi);

		if (!k || (i && strcmp(t->rows[i].kpi, t->rows[i - 1].kpi) == 0))
			continue;
		fputs(n++ ? "," : "", out);
		json_kpi(out, k);
	}
	fputs(n ? "\n], " : "], ", out);
}

/* "stale_inputs": the datasets whose newest input is too old; only when
 * there are some, so that a run with fresh inputs writes what it did. */
static void json_stale(FILE *out, const input_ages *stale)
{
	size_t n = 0;

	if (!input_ages_count(stale, INPUT_STALE))
		return;
	fputs("\"stale_inputs\": [", out);
	for (size_t i = 0; i < stale->count; i++) {
		if (stale->items[i].kind != INPUT_STALE ||
		    !input_ages_first(stale, i))
			continue;
		fputs(n++ ? ", {\"dataset\": " : "{\"dataset\": ", out);
		output_json_string(out, stale->items[i].dataset);
		fprintf(out, ", \"age_days\": %lld, \"max_age_days\": %llu}",
			(long long)stale->items[i].age_days,
			(unsigned long long)stale->items[i].max_age_days);
	}
	fputs("], ", out);
}

/* "unmatched": per KPI, the rows of its dataset whose join found no row,
 * and what became of them; only when there are some. */
static void json_unmatched(FILE *out, const input_ages *notes)
{
	size_t n = 0;

	if (!input_ages_count(notes, INPUT_UNMATCHED))
		return;
	fputs("\"unmatched\": [", out);
	for (size_t i = 0; i < notes->count; i++) {
		const input_age *a = &notes->items[i];

		if (a->kind != INPUT_UNMATCHED)
			continue;
		const char *const text[][2] = {
			{ "kpi", a->kpi }, { "dataset", a->dataset },
			{ "field", a->field }, { "joined", a->joined },
		};

		fputs(n++ ? ", {" : "{", out);
		for (size_t f = 0; f < sizeof(text) / sizeof(text[0]); f++) {
			fprintf(out, "%s\"%s\": ", f ? ", " : "", text[f][0]);
			output_json_string(out, text[f][1]);
		}
		fprintf(out, ", \"rows\": %llu, \"left_out\": %s}",
			(unsigned long long)a->rows,
			a->left_out ? "true" : "false");
	}
	fputs("], ", out);
}

/* "partly_covered": the datasets whose newest input ends before periods
 * of their KPIs, and which KPIs; only when there are some. */
static void json_partly_covered(FILE *out, const input_ages *notes)
{
	size_t n = 0;
	char day[11];

	if (!input_ages_count(notes, INPUT_PARTLY_COVERED))
		return;
	fputs("\"partly_covered\": [", out);
	for (size_t i = 0; i < notes->count; i++) {
		const input_age *a = &notes->items[i];
		size_t k = 0;

		if (a->kind != INPUT_PARTLY_COVERED ||
		    !input_ages_first(notes, i))
			continue;
		date_format_iso(a->input_day, day);
		fputs(n++ ? ", {\"dataset\": " : "{\"dataset\": ", out);
		output_json_string(out, a->dataset);
		fprintf(out, ", \"newest_input\": \"%s\", \"kpis\": [", day);
		for (size_t j = i; j < notes->count; j++) {
			const input_age *b = &notes->items[j];

			if (b->kind != INPUT_PARTLY_COVERED ||
			    b->input_day != a->input_day ||
			    strcmp(b->dataset, a->dataset) != 0)
				continue;
			fputs(k++ ? ", " : "", out);
			output_json_string(out, b->kpi);
		}
		fputs("]}", out);
	}
	fputs("], ", out);
}

/* "revised": every figure that changed since the report or run compared
 * with, and what it was where it may be shown; "revisions_unknown" when
 * they cannot be shown.  Only from peil report. */
static void json_revisions(FILE *out, const revisions *rv)
{
	size_t i;
	static const char *const states[] = { "absent", "shown",
					      "suppressed" };
	static const char *const causes[] = { "null", "\"input\"",
					      "\"definition\"" };

	if (!rv)
		return;
	if (!rv->known) {
		fputs("\"revisions_unknown\": ", out);
		output_json_string(out, rv->why_unknown);
		fputs(", ", out);
		return;
	}
	fprintf(out, "\"revised_since\": {\"run\": ");
	if (rv->basis_run)
		fprintf(out, "%lld", (long long)rv->basis_run);
	else
		fputs("null", out);
	fputs(", \"report\": ", out);
	if (rv->basis_report)
		fprintf(out, "%lld", (long long)rv->basis_report);
	else
		fputs("null", out);
	fputs("}, \"revised\": [", out);
	for (i = 0; i < rv->count; i++) {
		const revision *r = &rv->items[i];

		fputs(i ? ",\n  {\"kpi\": " : "\n  {\"kpi\": ", out);
		output_json_string(out, r->kpi);
		fputs(", \"period\": ", out);
		output_json_string(out, r->period);
		fprintf(out, ", \"breakdown\": %s, \"was\": \"%s\", "
			     "\"now\": \"%s\", \"previous\": ",
			r->breakdown, states[r->old_state],
			states[r->new_state]);
		json_number(out, r->old_value);
		fputs(", \"value\": ", out);
		json_number(out, r->new_value);
		fprintf(out, ", \"cause\": %s}", causes[r->cause]);
	}
	fputs(rv->count ? "\n], " : "], ", out);
}

/* A revised figure's "previous": its value in the run compared with
 * (null where it was absent or suppressed, or is suppressed now). */
static void json_previous(FILE *out, const revisions *rv,
			  const result_row *row)
{
	const revision *r = revision_find(rv, row);

	if (!r)
		return;
	fputs(", \"previous\": {\"value\": ", out);
	json_number(out, r->old_value);
	fprintf(out, ", \"run\": %lld}", (long long)rv->basis_run);
}

/* "compare": each comparison of the figure (model/comparison.h). */
static void json_compare(FILE *out, const result_row *row)
{
	static const char *const names[RESULT_COMPARISONS] = {
		"previous", "year_before"
	};
	static const char *const states[] = { "", "shown", "suppressed",
					      "absent" };
	const char *sep = ", \"compare\": {";
	int any = 0;

	for (size_t c = 0; c < RESULT_COMPARISONS; c++) {
		const result_compare *cmp = &row->compare[c];
		double change, pct;

		if (cmp->state == RESULT_COMPARE_NONE)
			continue;
		comparison_change(row, c, &change, &pct);
		fprintf(out, "%s\"%s\": {\"period\": ", sep, names[c]);
		output_json_string(out, cmp->period);
		fprintf(out, ", \"state\": \"%s\", \"value\": ",
			states[cmp->state]);
		json_number(out, cmp->state == RESULT_COMPARE_SHOWN ? cmp->old
								    : NAN);
		fputs(", \"change\": ", out);
		json_number(out, change);
		fputs(", \"change_pct\": ", out);
		json_number(out, pct);
		fputc('}', out);
		sep = ", ";
		any = 1;
	}
	if (any)
		fputc('}', out);
}

static void write_json(FILE *out, const result_table *t,
		       const output_options *o)
{
	const kpi_set *kpis = o->kpis;
	size_t i;

	fprintf(out, "{\"run\": %lld, \"disclosure\": {\"min_count\": %g, "
		     "\"min_denominator\": %g}, ", (long long)t->run_id,
		t->min_count, t->min_denominator);
	json_stale(out, o->stale);
	json_partly_covered(out, o->stale);
	json_unmatched(out, o->stale);
	/* Only when not: a published run's output stays as it was. */
	if (o->unpublished)
		fputs("\"published\": false, ", out);
	json_revisions(out, o->revisions);
	json_kpis(out, t, kpis);
	fputs("\"results\": [", out);
	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];

		fputs(i ? ",\n  {" : "\n  {", out);
		fputs("\"kpi\": ", out);
		output_json_string(out, row->kpi);
		fputs(", \"period\": ", out);
		output_json_string(out, row->period);
		/* The breakdown is stored as a JSON object already. */
		fprintf(out, ", \"breakdown\": %s, \"value\": ",
			row->breakdown);
		json_number(out, row->value);
		fputs(", \"numerator\": ", out);
		json_number(out, row->numerator);
		fputs(", \"denominator\": ", out);
		json_number(out, row->denominator);
		fputs(", \"status\": ", out);
		if (row->status && !result_not_evaluated(row->status))
			output_json_string(out, row->status);
		else
			fputs("null", out);
		if (result_not_evaluated(row->status)) {
			/* why there is no figure; never a target status */
			fputs(", \"not_evaluated\": ", out);
			output_json_string(out, row->status +
					   sizeof(RESULT_NOT_EVALUATED) - 1);
		}
		json_previous(out, o->revisions, row);
		json_compare(out, row);
		if (row_note(o, row)) {
			fputs(", \"commentary\": ", out);
			output_json_string(out, row_note(o, row));
		}
		fprintf(out, ", \"suppressed\": %s, \"final\": %s, "
			"\"grain\": \"%s\"}",
			row->suppressed == RESULT_SMALL	       ? "\"small\""
			: row->suppressed == RESULT_DERIVABLE ? "\"derivable\""
							       : "null",
			row->finality == RESULT_FINAL	      ? "true"
			: row->finality == RESULT_PROVISIONAL ? "false"
							      : "null",
			period_grain_name(period_id_grain(row->period)));
	}
	fputs(t->count ? "\n]}\n" : "]}\n", out);
}

int output_write(FILE *out, const output_options *o, const result_table *t)
{
	output_options opts = *o;

	if (!t->disclosed) {
		log_msg(PEIL_LOG_ERROR, "internal error: figures written "
					"without the small-cell rules");
		return -1;
	}
	if (!opts.words)
		opts.words = labels_for("nl");
	switch (opts.format) {
	case OUTPUT_TEXT:
		return write_text(out, t, &opts);
	case OUTPUT_CSV:
		return write_csv(out, t, &opts);
	case OUTPUT_JSON:
		write_json(out, t, &opts);
		break;
	}
	return 0;
}
