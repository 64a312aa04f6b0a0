/*
 * cmd_cases.c - peil cases KPI --period P [--cell field=value,...]
 * [--fields a,b] [--all]: the record keys behind one figure, for the people who register them
 * (kpi_set_cases).  Internal output by nature: to the terminal or -o FILE,
 * never into a report or export.  The listing is recorded in the run
 * history as a run of kind "cases" over the period, with the KPI's
 * figures (never published: show, report and export read runs of kind
 * "run" only).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "engine/evaluation.h"
#include "kpi/kpi.h"

typedef struct cases_out {
	FILE *f;
	int csv, all, header;
	size_t listed;
	const char *fields;	/* --fields, or NULL */
	size_t *cols, col_count;	/* the fields printed */
	char bad[128];		/* an unknown field of --fields */
} cases_out;

static void cases_value(FILE *f, const peil_value *v, int csv)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		if (csv && strpbrk(v->as.text, ",\"\n")) {
			fputc('"', f);
			for (const char *c = v->as.text; *c; c++)
				fprintf(f, *c == '"' ? "\"\"" : "%c", *c);
			fputc('"', f);
		} else {
			fputs(v->as.text, f);
		}
		break;
	case PEIL_TYPE_INTEGER:
		fprintf(f, "%lld", (long long)v->as.integer);
		break;
	case PEIL_TYPE_REAL:
		fprintf(f, "%.15g", v->as.real);
		break;
	case PEIL_TYPE_DATE: {
		char text[11];

		date_format_iso(v->as.date, text);
		fputs(text, f);
		break;
	}
	case PEIL_TYPE_BOOLEAN:
		fputs(v->as.boolean ? "true" : "false", f);
		break;
	default:
		break;
	}
}

/* The columns: the key fields of the dataset, then those of --fields
 * (comma-separated names).  0, or -1 with c->bad set to the unknown name
 * (or "" when out of memory). */
static int cases_columns(cases_out *c, const peil_schema *schema)
{
	const char *s = c->fields;

	c->cols = malloc((schema->field_count + (s ? strlen(s) : 0) + 1) *
			 sizeof(*c->cols));
	if (!c->cols) {
		snprintf(c->bad, sizeof(c->bad), "%s", "");
		return -1;
	}
	for (size_t f = 0; f < schema->field_count; f++)
		if (schema->fields[f].flags & PEIL_FIELD_KEY)
			c->cols[c->col_count++] = f;
	while (s && *s) {
		size_t len = strcspn(s, ","), f;

		for (f = 0; f < schema->field_count; f++)
			if (strlen(schema->fields[f].name) == len &&
			    strncmp(schema->fields[f].name, s, len) == 0)
				break;
		if (f == schema->field_count) {
			snprintf(c->bad, sizeof(c->bad), "%.*s", (int)len, s);
			return -1;
		}
		c->cols[c->col_count++] = f;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* A row's columns (a BSN is its stored HMAC, never the number), with
 * whether it counts under --all; the header before the first. */
static int cases_row(void *ctx, const peil_schema *schema,
		     const peil_value *values, const size_t *slot, int counts)
{
	cases_out *c = ctx;
	const char *sep = c->csv ? "," : "\t";

	if (!c->cols && cases_columns(c, schema) < 0)
		return -1;
	for (int pass = c->header ? 1 : 0; pass < 2; pass++) {
		for (size_t i = 0; i < c->col_count; i++) {
			size_t f = c->cols[i];

			fputs(i ? sep : "", c->f);
			if (pass == 0)
				fputs(schema->fields[f].name, c->f);
			else
				cases_value(c->f, &values[slot[f]], c->csv);
		}
		if (c->all)
			fprintf(c->f, "%s%s", sep,
				pass == 0 ? "counts" : counts ? "1" : "0");
		fputc('\n', c->f);
	}
	c->header = 1;
	c->listed += counts;
	return 0;
}

/* --cell "team=Noord,perceel=A" as the breakdown's JSON text,
 * {"team":"Noord","perceel":"A"}; a text starting with { is taken as it
 * is; no --cell is the total, {}.  NULL when out of memory. */
static char *cases_cell(const char *spec)
{
	size_t len = spec ? strlen(spec) : 0;
	char *out = malloc(len * 2 + 3), *w = out;

	if (!out || !spec || spec[0] == '{') {
		if (out)
			snprintf(out, len * 2 + 3, "%s", spec ? spec : "{}");
		return out;
	}
	*w++ = '{';
	for (const char *s = spec; *s;) {
		const char *end = s + strcspn(s, ","), *eq = memchr(s, '=', (size_t)(end - s));

		if (s != spec)
			*w++ = ',';
		if (!eq)
			eq = end;
		w += sprintf(w, "\"%.*s\"", (int)(eq - s), s);
		if (eq < end)
			w += sprintf(w, ":\"%.*s\"", (int)(end - eq - 1), eq + 1);
		s = *end ? end + 1 : end;
	}
	*w++ = '}';
	*w = '\0';
	return out;
}

/* Whether the evaluation has KPI's figure of the period and cell asked
 * for: a period or cell it has none of is an error, not an empty list. */
static int cases_figure_exists(const result_table *t, const char *kpi,
			       const kpi_cases *cases)
{
	for (size_t i = 0; i < t->count; i++)
		if (!t->rows[i].earlier && strcmp(t->rows[i].kpi, kpi) == 0 &&
		    strcmp(t->rows[i].period, cases->period) == 0 &&
		    strcmp(t->rows[i].breakdown, cases->cell) == 0)
			return 1;
	return 0;
}

static int cmd_cases(const cli_options *o, int argc, char **argv)
{
	cases_out c = { 0 };
	kpi_cases cases = { 0 };
	evaluation ev = { 0 };
	const kpi_info *k;
	peil_context ctx;
	peil_error err;
	out_file file;
	run_lock lock = { -1 };
	int32_t from, to;
	int rc;

	if (argc != 1 || !o->period) {
		log_msg(PEIL_LOG_ERROR,
			"cases takes one KPI id and --period P");
		return EXIT_USAGE;
	}
	if (o->format && strcmp(o->format, "text") &&
	    strcmp(o->format, "csv")) {
		log_msg(PEIL_LOG_ERROR, "unknown format '%s' (text, csv)",
			o->format);
		return EXIT_USAGE;
	}
	rc = cli_range(o, &from, &to);
	if (rc)
		return rc;
	rc = cli_open_locked(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS, &lock);
	k = rc == 0 ? kpi_set_find(ctx.kpis, argv[0]) : NULL;
	if (rc == 0 && !k) {
		log_msg(PEIL_LOG_ERROR, "no KPI '%s' (see peil list)", argv[0]);
		rc = EXIT_USAGE;
	} else if (rc == 0 && k->per) {
		log_msg(PEIL_LOG_ERROR, "KPI %s counts groups per %s, not "
			"rows: peil cases lists the rows behind a figure only",
			argv[0], k->per);
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = cli_out_open(&file, o->output);
	if (rc) {
		run_lock_release(&lock);
		context_close(&ctx);
		return rc;
	}
	c.f = file.f;
	c.csv = o->format && strcmp(o->format, "csv") == 0;
	c.all = o->all;
	c.fields = o->field_list;
	cases.period = o->period;
	cases.cell = cases_cell(o->cell);
	cases.all = o->all;
	cases.fn = cases_row;
	cases.ctx = &c;
	kpi_set_cases(ctx.kpis, &cases);
	error_clear(&err);
	if (!cases.cell) {
		rc = EXIT_STORAGE;
		log_msg(PEIL_LOG_ERROR, "out of memory");
	} else if (evaluation_run(&ctx, "cases", from, to, argv[0], 0, &ev,
				  &err) < 0) {
		log_error(&err);
		rc = EXIT_STORAGE;
	} else {
		if (c.bad[0]) {
			log_msg(PEIL_LOG_ERROR, "--fields: the dataset of KPI "
				"%s has no field '%s' (see peil list --fields)",
				argv[0], c.bad);
			rc = EXIT_USAGE;
		} else if (ev.failed) {
			rc = EXIT_KPI_FAILED;
		} else if (!cases_figure_exists(&ev.results, argv[0],
					       &cases)) {
			log_msg(PEIL_LOG_ERROR, "KPI %s has no figure of "
				"period %s in cell %s (see peil show --format "
				"json)", argv[0], o->period, cases.cell);
			rc = EXIT_USAGE;
		}
		evaluation_release(&ev);
	}
	kpi_set_cases(ctx.kpis, NULL);
	rc = cli_worst(rc, cli_out_close(&file, rc == 0));
	if (rc == 0)
		log_msg(PEIL_LOG_INFO, "cases of %s %s %s: %zu listed "
			"(run %lld)", argv[0], o->period, cases.cell,
			c.listed, (long long)ev.run_id);
	free((char *)cases.cell);
	free(c.cols);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static const struct option cases_options[] = {
	{ "cell", required_argument, NULL, CLI_OPT_CELL },
	{ "all", no_argument, NULL, CLI_OPT_ALL },
	{ "fields", required_argument, NULL, CLI_OPT_FIELD_LIST },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_cases_command = {
	.name = "cases",
	.args = "KPI",
	.summary = "list the record keys behind one figure (internal only)",
	.help = "      --cell F=V,...  the cell of the breakdown (default: "
		"the total)\n"
		"      --fields A,B    these fields too, after the keys\n"
		"      --all           also the rows a share divides by "
		"(column counts)\n"
		"  -f, --format FMT    text (default) or csv\n"
		"  -o, --output FILE   write to FILE (default: the terminal)\n",
	.takes_period = 1,
	.options = cases_options,
	.run = cmd_cases,
};
