/*
 * commentary.h - a municipality's explanation of a KPI's figure of a
 * period (a signal, the reason for a dip), from the file commentary.txt
 * next to the KPI scripts; the reports print it beside the figure
 * (docs/output.md, "Commentary").
 *
 * A line is "KPI PERIOD TEXT": the KPI's id, a period id of one of its
 * grains ("2018-03", "2018-Q1", "2018", "2017/2018"), and the text, each
 * separated by blanks.  Blank lines and lines starting with # are
 * skipped.
 */
#ifndef PEIL_COMMENTARY_H
#define PEIL_COMMENTARY_H

#include <stddef.h>

#include "base/error.h"
#include "kpi/kpi.h"

#define COMMENTARY_FILE "commentary.txt"

typedef struct commentary_note {
	char *kpi, *period, *text;
} commentary_note;

typedef struct commentary {
	commentary_note *notes;	/* in file order */
	size_t count;
} commentary;

/* Read the commentary.txt of each script dir that has one into *out
 * (which must be zeroed), checked against the KPIs of set: a line whose
 * KPI is unknown, whose period is no period of one of the KPI's grains,
 * that has no text, or that repeats a KPI and period is an error naming
 * the file, line, field and value, and *out is left empty.  0 or -1. */
int commentary_load(const kpi_set *set, char *const *dirs, size_t dir_count,
		    commentary *out, peil_error *err);

/* The note on kpi's figure of period_id, or NULL (c may be NULL). */
const char *commentary_find(const commentary *c, const char *kpi,
			    const char *period_id);

void commentary_release(commentary *c);

#endif
