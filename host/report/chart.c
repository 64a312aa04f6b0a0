/*
 * chart.c - inline SVG trend and bar charts (chart.h).
 *
 * Sizes are in SVG user units with a viewBox, so a chart scales with its
 * box on screen and on paper; text is 10 units, about 8pt at print size.
 */
#include "report/chart.h"

#include <math.h>
#include <string.h>

#include "report/html.h"
#include "report/output.h"

#define TREND_W 360.0
#define TREND_H 190.0
#define TREND_LEFT 42.0
#define TREND_RIGHT 8.0
#define TREND_TOP 10.0
#define TREND_BOTTOM 24.0
#define BAR_W 360.0
#define BAR_ROW 17.0
#define BAR_TOP 8.0
#define BAR_BOTTOM 22.0

chart_mark chart_mark_of(const char *status, int hidden)
{
	if (hidden)
		return CHART_HIDDEN;
	if (!status)
		return CHART_PLAIN;
	if (strcmp(status, "met") == 0)
		return CHART_MET;
	if (strcmp(status, "not met") == 0)
		return CHART_NOT_MET;
	return CHART_AT_RISK;	/* "at risk" and anything new */
}

/* The CSS colour of a mark. */
static const char *chart_colour(chart_mark mark)
{
	switch (mark) {
	case CHART_MET:
		return "#0072b2";
	case CHART_AT_RISK:
		return "#e69f00";
	case CHART_NOT_MET:
		return "#d55e00";
	default:
		return "#4d5d6c";
	}
}

/* Write the mark's symbol (an SVG shape) centred on (x, y): filled, or
 * open (outlined, white inside) for a provisional figure. */
static void chart_symbol_svg(FILE *out, chart_mark mark, int open, double x,
			     double y)
{
	const char *c = chart_colour(mark);
	char paint[96];

	if (open)
		snprintf(paint, sizeof(paint), "fill=\"#fff\" stroke=\"%s\" "
			 "stroke-width=\"1.5\" class=\"provisional\"", c);
	else
		snprintf(paint, sizeof(paint), "fill=\"%s\"", c);
	switch (mark) {
	case CHART_AT_RISK:
		fprintf(out, "<path d=\"M%.1f %.1fl4.5 8h-9z\" %s/>", x,
			y - 5, paint);
		break;
	case CHART_NOT_MET:
		fprintf(out, "<path d=\"M%.1f %.1fl4.5 4.5l-4.5 4.5l-4.5 "
			     "-4.5z\" %s/>", x, y - 4.5, paint);
		break;
	default:
		fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" %s/>",
			x, y, paint);
	}
}

/* A round top for an axis over [0, max], and its step: 1, 2, 2.5 or 5
 * times a power of ten, about four steps. */
static double nice_top(double max, double *step)
{
	double raw, magnitude, f;

	if (!(max > 0)) {
		*step = 0.25;
		return 1;
	}
	raw = max / 4;
	magnitude = pow(10, floor(log10(raw)));
	f = raw / magnitude;
	*step = magnitude * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5
						       : f <= 5 ? 5 : 10);
	return ceil(max / *step - 1e-9) * *step;
}

static double largest(const chart_spec *c)
{
	double m = 0;
	size_t i;

	for (i = 0; i < c->count; i++)
		if (!isnan(c->items[i].value) && c->items[i].value > m)
			m = c->items[i].value;
	if (c->has_min && c->target_min > m)
		m = c->target_min;
	if (c->has_max && c->target_max > m)
		m = c->target_max;
	return m * 1.05;
}

static void svg_open(FILE *out, const chart_spec *c, double w, double h,
		     const char *kind)
{
	fprintf(out, "<svg class=\"chart %s\" viewBox=\"0 0 %.0f %.0f\" "
		     "role=\"img\" aria-label=\"", kind, w, h);
	html_escape(out, c->title);
	fputs("\" xmlns=\"http://www.w3.org/2000/svg\"><title>", out);
	html_escape(out, c->title);
	fputs("</title>", out);
}

static void value_text(FILE *out, const chart_spec *c, double v)
{
	char number[64];

	output_number(v, 0, c->decimal_point, number, sizeof(number));
	fputs(number, out);
}

/* The band of the target between value lo and hi, as a rect over the
 * plot from x0 to x1 (trend) or a column (bars). */
static void band_range(const chart_spec *c, double top, double *lo,
		       double *hi)
{
	*lo = c->has_min ? c->target_min : 0;
	*hi = c->has_max ? c->target_max : top;
	if (*lo < 0)
		*lo = 0;
	if (*hi > top)
		*hi = top;
}

static void trend_axes(FILE *out, const chart_spec *c, double top,
		       double step, double x0, double x1, double y0, double ph)
{
	double v;

	if (c->has_min || c->has_max) {
		double lo, hi;

		band_range(c, top, &lo, &hi);
		fprintf(out, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" "
			     "width=\"%.1f\" height=\"%.1f\" fill=\"#dcecf7\"/>",
			x0, y0 - hi / top * ph, x1 - x0, (hi - lo) / top * ph);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#2b5f86\" text-anchor=\"end\">", x1 - 3,
			y0 - hi / top * ph + 10);
		html_escape(out, c->band_label);
		fputs("</text>", out);
	}
	for (v = 0; v <= top + step / 2; v += step) {
		double y = y0 - v / top * ph;

		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			     "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"0.6\"/>"
			     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#555\" text-anchor=\"end\">",
			x0, x1, y, y, v == 0 ? "#888" : "#ddd", x0 - 4, y + 3);
		value_text(out, c, v);
		fputs("</text>", out);
	}
}

void chart_trend_svg(FILE *out, const chart_spec *c)
{
	double step, top = nice_top(largest(c), &step);
	double x0 = TREND_LEFT, x1 = TREND_W - TREND_RIGHT;
	double y0 = TREND_H - TREND_BOTTOM, ph = y0 - TREND_TOP;
	double dx = c->count ? (x1 - x0) / (double)c->count : 0;
	int open = 0;
	size_t i;

	svg_open(out, c, TREND_W, TREND_H, "trend");
	trend_axes(out, c, top, step, x0, x1, y0, ph);
	/* The line, broken where a figure is missing or hidden. */
	for (i = 0; i < c->count; i++) {
		double v = c->items[i].value;

		if (isnan(v)) {
			if (open)
				fputs("\"/>", out);
			open = 0;
			continue;
		}
		fprintf(out, "%s%.1f,%.1f",
			open ? " " : "<polyline fill=\"none\" stroke=\"#33475b\" "
				     "stroke-width=\"1.8\" points=\"",
			x0 + dx * ((double)i + 0.5), y0 - v / top * ph);
		open = 1;
	}
	if (open)
		fputs("\"/>", out);
	for (i = 0; i < c->count; i++) {
		double x = x0 + dx * ((double)i + 0.5);
		double v = c->items[i].value;

		if (c->items[i].mark == CHART_HIDDEN)
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" "
				     "font-size=\"11\" text-anchor=\"middle\" "
				     "fill=\"#555\">*</text>", x, y0 - 4);
		else if (!isnan(v))
			chart_symbol_svg(out, c->items[i].mark,
					 c->items[i].provisional, x,
					 y0 - v / top * ph);
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#333\" text-anchor=\"middle\">", x,
			y0 + 13);
		html_escape(out, c->items[i].label);
		if (c->items[i].provisional)
			fputs("<tspan dy=\"-4\" font-size=\"7\">v</tspan>",
			      out);
		fputs("</text>", out);
	}
	fputs("</svg>", out);
}

/* The width of the label column: about 5.2 units a character at size 9. */
static double label_width(const chart_spec *c)
{
	double w = 40;
	size_t i;

	for (i = 0; i < c->count; i++) {
		double chars = 0;
		const char *s;

		for (s = c->items[i].label; *s; s++)
			chars += ((unsigned char)*s & 0xC0) != 0x80;
		if (chars * 5.2 + 8 > w)
			w = chars * 5.2 + 8;
	}
	return w > 170 ? 170 : w;
}

static void bar_target_line(FILE *out, double value, double top, double x0,
			    double pw, double height)
{
	double x = x0 + value / top * pw;

	fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
		     "stroke=\"#2b5f86\" stroke-width=\"1.2\" "
		     "stroke-dasharray=\"4 2\"/>", x, x, BAR_TOP - 4,
		height - BAR_BOTTOM + 2);
}

void chart_bars_svg(FILE *out, const chart_spec *c)
{
	double step, top = nice_top(largest(c), &step);
	double x0 = label_width(c), x1 = BAR_W - 34;
	double pw = x1 - x0, v;
	double height = BAR_TOP + BAR_ROW * (double)c->count + BAR_BOTTOM;
	char number[64];
	size_t i;

	svg_open(out, c, BAR_W, height, "bars");
	for (v = 0; v <= top + step / 2; v += step) {
		double x = x0 + v / top * pw;

		fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			     "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"0.6\"/>"
			     "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#555\" text-anchor=\"middle\">",
			x, x, BAR_TOP - 2, height - BAR_BOTTOM,
			v == 0 ? "#888" : "#ddd", x, height - BAR_BOTTOM + 12);
		value_text(out, c, v);
		fputs("</text>", out);
	}
	for (i = 0; i < c->count; i++) {
		const chart_item *it = &c->items[i];
		double y = BAR_TOP + BAR_ROW * (double)i;

		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#222\" text-anchor=\"end\">", x0 - 5,
			y + 11.5);
		html_escape(out, it->label);
		fputs("</text>", out);
		if (it->mark == CHART_HIDDEN || isnan(it->value)) {
			fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" "
				     "font-size=\"10\" fill=\"#555\">%s</text>",
				x0 + 4, y + 12,
				it->mark == CHART_HIDDEN ? "*" : "-");
			continue;
		}
		fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			     "height=\"%.1f\" fill=\"%s\"/>", x0, y + 3,
			it->value / top * pw, BAR_ROW - 5,
			chart_colour(it->mark));
		fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
			     "fill=\"#222\">", x0 + it->value / top * pw + 3,
			y + 11.5);
		output_fixed(it->value, c->decimals, c->decimal_point, number,
			     sizeof(number));
		fputs(number, out);
		fputs("</text>", out);
	}
	if (c->has_min)
		bar_target_line(out, c->target_min, top, x0, pw, height);
	if (c->has_max)
		bar_target_line(out, c->target_max, top, x0, pw, height);
	fputs("</svg>", out);
}
