/*
 * output.h - printing figures: an aligned text table, CSV or JSON.
 *
 * Text is for people at a terminal: one block per KPI with its title and
 * unit, breakdown values down and periods across.  CSV is for Dutch Excel
 * (';', decimal comma; cells that Excel would run as a formula escaped).
 * JSON is for programs (docs/output.md).
 */
#ifndef PEIL_OUTPUT_H
#define PEIL_OUTPUT_H

#include <stdio.h>

#include "kpi.h"
#include "results.h"

typedef enum output_format {
	OUTPUT_TEXT,
	OUTPUT_CSV,
	OUTPUT_JSON
} output_format;

/* "text", "csv" or "json"; 0 on success, -1 otherwise. */
int output_format_parse(const char *name, output_format *out);

/* Write the sorted table t.  kpis gives titles and units (NULL: ids
 * only). */
void output_write(FILE *out, output_format format, const result_table *t,
		  const kpi_set *kpis);

#endif
