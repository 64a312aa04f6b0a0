/*
 * output.c - text, CSV and JSON renderings of a result table.
 */
#include "output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* A number as a Dutch reader expects it: whole numbers bare, others with
 * one or (csv) more decimals after a comma; "-" (text) or "" when NaN. */
static void format_number(double v, int precise, char *out, size_t size)
{
	char *dot;

	if (isnan(v)) {
		snprintf(out, size, "%s", precise ? "" : "-");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, size, "%.0f", v);
	else
		snprintf(out, size, precise ? "%.6g" : "%.1f", v);
	dot = strchr(out, '.');
	if (dot)
		*dot = ',';
}

static size_t utf8_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void pad(FILE *out, const char *s, size_t width, int right)
{
	size_t w = utf8_width(s);

	if (right)
		fprintf(out, "%*s%s", (int)(width > w ? width - w : 0), "", s);
	else
		fprintf(out, "%s%*s", s, (int)(width > w ? width - w : 0), "");
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
	grown = realloc(s->items, (s->count + 1) * sizeof(*grown));
	if (!grown)
		return -1;
	s->items = grown;
	s->items[s->count++] = item;
	return 0;
}

static int compare_breakdowns(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	int ta = strcmp(a, "{}") == 0, tb = strcmp(b, "{}") == 0;

	if (ta != tb)
		return ta - tb;
	return strcmp(a, b);
}

/* A provisional figure gets a '*' after its number; 1 when it got one. */
static int finality_marker(const result_row *row, char *number, size_t size)
{
	size_t n = strlen(number);

	if (row->finality != RESULT_PROVISIONAL || n + 1 >= size)
		return 0;
	number[n] = '*';
	number[n + 1] = '\0';
	return 1;
}

static const char *finality_word(const result_row *row)
{
	return row->finality == RESULT_FINAL	   ? "definitief"
	       : row->finality == RESULT_PROVISIONAL ? "voorlopig"
						     : "";
}

/* One KPI's rows [begin, end) as breakdown x period. */
static void text_block(FILE *out, const result_table *t, size_t begin,
		       size_t end, const kpi_set *kpis)
{
	const kpi_info *k = kpis ? kpi_set_find(kpis, t->rows[begin].kpi)
				 : NULL;
	struct strings periods = { 0, NULL }, cells = { 0, NULL };
	size_t label_width = 6, period_width = 4, i, j, r;
	int misses = 0, provisional = 0;
	char label[512], number[64];

	for (r = begin; r < end; r++) {
		strings_add(&periods, t->rows[r].period);
		strings_add(&cells, t->rows[r].breakdown);
	}
	qsort(cells.items, cells.count, sizeof(*cells.items),
	      compare_breakdowns);
	for (i = 0; i < cells.count; i++) {
		result_breakdown_label(cells.items[i], label, sizeof(label));
		if (utf8_width(label) > label_width)
			label_width = utf8_width(label);
	}
	for (r = begin; r < end; r++) {
		format_number(t->rows[r].value, 0, number, sizeof(number));
		if (strlen(number) + 2 > period_width)
			period_width = strlen(number) + 2;
		if (strlen(t->rows[r].period) > period_width)
			period_width = strlen(t->rows[r].period);
	}
	if (k)
		fprintf(out, "%s (%s) [%s]\n", k->title, k->unit, k->id);
	else
		fprintf(out, "%s\n", t->rows[begin].kpi);
	pad(out, k && k->breakdown_count ? k->breakdown[0] : "", label_width,
	    0);
	for (j = 0; j < periods.count; j++) {
		fputs("  ", out);
		pad(out, periods.items[j], period_width, 1);
	}
	fputc('\n', out);
	for (i = 0; i < cells.count; i++) {
		result_breakdown_label(cells.items[i], label, sizeof(label));
		pad(out, label, label_width, 0);
		for (j = 0; j < periods.count; j++) {
			const result_row *row = NULL;

			for (r = begin; r < end && !row; r++)
				if (strcmp(t->rows[r].period,
					   periods.items[j]) == 0 &&
				    strcmp(t->rows[r].breakdown,
					   cells.items[i]) == 0)
					row = &t->rows[r];
			number[0] = '\0';
			if (row) {
				size_t n;

				format_number(row->value, 0, number,
					      sizeof(number));
				n = strlen(number);
				if (row->status &&
				    strcmp(row->status, "not met") == 0 &&
				    n + 1 < sizeof(number)) {
					number[n] = '!';
					number[n + 1] = '\0';
					misses++;
				}
				provisional += finality_marker(row, number,
							       sizeof(number));
			}
			fputs("  ", out);
			pad(out, number, period_width, 1);
		}
		fputc('\n', out);
	}
	if (k && (k->has_min || k->has_max)) {
		fputs("Doel:", out);
		if (k->has_min) {
			format_number(k->target_min, 0, number, sizeof(number));
			fprintf(out, " minimaal %s", number);
		}
		if (k->has_max) {
			format_number(k->target_max, 0, number, sizeof(number));
			fprintf(out, "%s maximaal %s", k->has_min ? " en" : "",
				number);
		}
		fprintf(out, " %s; ! = doel niet gehaald (%d keer)\n", k->unit,
			misses);
	}
	if (provisional)
		fputs("* = voorlopig: kan nog veranderen (provisional)\n", out);
	fputc('\n', out);
	free(periods.items);
	free(cells.items);
}

static void write_text(FILE *out, const result_table *t, const kpi_set *kpis)
{
	size_t begin = 0, end;

	if (t->count == 0) {
		fprintf(out, "No figures.\n");
		return;
	}
	while (begin < t->count) {
		end = begin;
		while (end < t->count &&
		       strcmp(t->rows[end].kpi, t->rows[begin].kpi) == 0)
			end++;
		text_block(out, t, begin, end, kpis);
		begin = end;
	}
}

/* A CSV cell: quoted when needed; a leading = + - @ (Excel would run it
 * as a formula) gets a leading apostrophe. */
static void csv_cell(FILE *out, const char *s)
{
	int risky = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
	int quote = risky || strpbrk(s, ";\"\r\n") != NULL;

	if (!quote) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (risky)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void write_csv(FILE *out, const result_table *t, const kpi_set *kpis)
{
	char label[512], number[64];
	size_t i;

	fputs("kpi;titel;periode;uitsplitsing;waarde;teller;noemer;status;"
	      "stand\r\n", out);
	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];
		const kpi_info *k = kpis ? kpi_set_find(kpis, row->kpi) : NULL;

		csv_cell(out, row->kpi);
		fputc(';', out);
		csv_cell(out, k ? k->title : "");
		fputc(';', out);
		csv_cell(out, row->period);
		fputc(';', out);
		result_breakdown_label(row->breakdown, label, sizeof(label));
		csv_cell(out, label);
		fputc(';', out);
		format_number(row->value, 1, number, sizeof(number));
		csv_cell(out, number);
		fputc(';', out);
		format_number(row->numerator, 1, number, sizeof(number));
		csv_cell(out, number);
		fputc(';', out);
		format_number(row->denominator, 1, number, sizeof(number));
		csv_cell(out, number);
		fputc(';', out);
		csv_cell(out, row->status ? row->status : "");
		fputc(';', out);
		csv_cell(out, finality_word(row));
		fputs("\r\n", out);
	}
}

static void json_string(FILE *out, const char *s)
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

static void write_json(FILE *out, const result_table *t)
{
	size_t i;

	fprintf(out, "{\"run\": %lld, \"results\": [", (long long)t->run_id);
	for (i = 0; i < t->count; i++) {
		const result_row *row = &t->rows[i];

		fputs(i ? ",\n  {" : "\n  {", out);
		fputs("\"kpi\": ", out);
		json_string(out, row->kpi);
		fputs(", \"period\": ", out);
		json_string(out, row->period);
		/* The breakdown is stored as a JSON object already. */
		fprintf(out, ", \"breakdown\": %s, \"value\": ",
			row->breakdown);
		json_number(out, row->value);
		fputs(", \"numerator\": ", out);
		json_number(out, row->numerator);
		fputs(", \"denominator\": ", out);
		json_number(out, row->denominator);
		fputs(", \"status\": ", out);
		if (row->status)
			json_string(out, row->status);
		else
			fputs("null", out);
		fputs(", \"stand\": ", out);
		if (row->finality != RESULT_FINALITY_UNKNOWN)
			json_string(out, finality_word(row));
		else
			fputs("null", out);
		fputc('}', out);
	}
	fputs(t->count ? "\n]}\n" : "]}\n", out);
}

void output_write(FILE *out, output_format format, const result_table *t,
		  const kpi_set *kpis)
{
	switch (format) {
	case OUTPUT_TEXT:
		write_text(out, t, kpis);
		break;
	case OUTPUT_CSV:
		write_csv(out, t, kpis);
		break;
	case OUTPUT_JSON:
		write_json(out, t);
		break;
	}
}
