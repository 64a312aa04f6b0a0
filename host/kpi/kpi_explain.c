/*
 * kpi_explain.c - a KPI's definition as `peil explain` prints it, and as
 * each run records it (kpi.h, kpi_explain).
 */
#include "kpi/kpi.h"

#include <stdio.h>
#include <string.h>

#include "base/calendar.h"

/* The kpi{...} of the script as written: from its line to the line
 * where the braces balance. */
static void print_source(FILE *out, const kpi_info *k, const char *indent)
{
	FILE *f = fopen(k->script, "r");
	char line[1024];
	long n = 0;
	int depth = 0, started = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (++n < k->line)
			continue;
		fprintf(out, "%s%s", indent, line);
		for (const char *p = line; *p; p++) {
			if (*p == '-' && p[1] == '-')
				break;
			if (*p == '{')
				depth++, started = 1;
			else if (*p == '}')
				depth--;
		}
		if (started && depth <= 0)
			break;
	}
	fclose(f);
}

static void print_part(FILE *out, const kpi_set *set, const kpi_info *k,
		       const char *label, const char *part)
{
	char text[2048];

	if (kpi_set_describe(set, k->id, part, text, sizeof(text)) == 0 &&
	    text[0])
		fprintf(out, "%-13s%s\n", label, text);
}

/* Where a cumulative() KPI counts from. */
static void print_cumulative(FILE *out, const kpi_set *set,
			     const kpi_info *k)
{
	char text[11];
	int32_t first;

	switch (kpi_set_cumulative_from(set, k->id, &first)) {
	case 1:
		date_format_iso(first, text);
		fprintf(out, "%-13sfrom %s ([contract] start) to each period's "
		       "last day\n", "cumulative:", text);
		break;
	case 0:
		fprintf(out, "%-13s[contract] start is not set: not evaluated\n",
		       "cumulative:");
		break;
	default:
		break;
	}
}

void kpi_explain(FILE *out, const kpi_set *set, const kpi_info *k,
		 const char *config_path)
{
	char params[2048], grains[64];

	fprintf(out, "%s: %s\n\n", k->id, k->title);
	if (k->description[0])
		fprintf(out, "%s\n\n", k->description);
	fprintf(out, "%-13s%s\n", "unit:", k->unit);
	fprintf(out, "%-13s%s\n", "dataset:", k->dataset);
	print_part(out, set, k, "links:", "links");
	period_grains_text(&k->grains, grains, sizeof(grains));
	fprintf(out, "%-13s%s\n", k->grains.count > 1 ? "grains:" : "grain:",
	       grains);
	if (k->breakdown_count)
		print_part(out, set, k, "breakdown:", "breakdown");
	else
		fprintf(out, "%-13s(total only)\n", "breakdown:");
	print_part(out, set, k, "select:", "select");
	print_cumulative(out, set, k);
	print_part(out, set, k, "where:", "where");
	if (k->per)
		fprintf(out, "%-13s%s\n", "per:", k->per);
	print_part(out, set, k, "having:", "having");
	print_part(out, set, k, "rule:", "rule");
	print_part(out, set, k, "target:", "target");
	if (k->compare)
		fprintf(out, "%-13s%s%s%s: change = value - old (%s), change %% = "
		       "100 * change / old (none when old is 0); each cell "
		       "and the total against its own, from the same run "
		       "(the earlier periods are evaluated with it, not "
		       "published)\n", "compare:",
		       k->compare & KPI_COMPARE_PREVIOUS ? "previous" : "",
		       k->compare == (KPI_COMPARE_PREVIOUS |
				      KPI_COMPARE_YEAR_BEFORE) ? ", " : "",
		       k->compare & KPI_COMPARE_YEAR_BEFORE ? "year_before"
							    : "",
		       strcmp(k->unit, "%") == 0 ? "percentage points"
						 : k->unit);
	fprintf(out, "%-13s%s\n", "visibility:",
		k->is_public ? "public (also in peil report --public and a "
			       "public Prometheus export)"
			     : "internal (never in a public output)");
	if (k->target_configured)
		fprintf(out, "%-13s[kpi %s] in %s\n", "target from:", k->id,
		       config_path);
	else if (k->has_min || k->has_max || k->cell_target_count)
		fprintf(out, "%-13sthe script\n", "target from:");
	kpi_set_describe_params(set, k->id, params, sizeof(params));
	if (params[0]) {
		fprintf(out, "parameters:\n");
		for (char *p = strtok(params, "\n"); p; p = strtok(NULL, "\n"))
			fprintf(out, "  %s\n", p);
	}
	fprintf(out, "%-13s%s:%ld\n\n", "defined in:", k->script, k->line);
	print_source(out, k, "  ");
}
