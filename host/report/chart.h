/*
 * chart.h - small inline SVG charts for the HTML report: a trend line over
 * periods with the target band, and horizontal bars by team.
 *
 * Status is shown by colour and by the shape of the mark (circle met,
 * triangle at risk, diamond not met), so that a chart reads in black and
 * white and for colour-blind readers; the colours are from the Okabe-Ito
 * palette.  A figure withheld by the small-cell rules is drawn as "*".
 * On the trend, a provisional figure's mark is open (outlined, white
 * inside) and its period label carries a raised "v".
 */
#ifndef PEIL_CHART_H
#define PEIL_CHART_H

#include <stddef.h>
#include <stdio.h>

typedef enum chart_mark {
	CHART_PLAIN,		/* no target */
	CHART_MET,
	CHART_AT_RISK,
	CHART_NOT_MET,
	CHART_HIDDEN		/* suppressed: no value shown */
} chart_mark;

typedef struct chart_item {
	const char *label;	/* x label (trend) or bar label */
	double value;		/* NaN: no figure */
	chart_mark mark;
	int provisional;	/* trend: an open mark and "v" by its label,
				   as the figures table marks the period */
} chart_item;

typedef struct chart_spec {
	const char *title;	/* the accessible name of the chart */
	const chart_item *items;
	size_t count;
	int has_min, has_max;	/* the target band */
	double target_min, target_max;
	const char *band_label;	/* e.g. "doelzone" */
	int decimal_point;	/* '.' instead of ',' in value labels */
	int decimals;		/* of the figures' labels, as the KPI's
				   tables (output_fixed); < 0: as needed */
} chart_spec;

/* The status of a figure as a mark; NULL status is CHART_PLAIN. */
chart_mark chart_mark_of(const char *status, int hidden);

/* Write one <svg> element. */
void chart_trend_svg(FILE *out, const chart_spec *c);
void chart_bars_svg(FILE *out, const chart_spec *c);

#endif
