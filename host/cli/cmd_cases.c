/*
 * cmd_cases.c - peil cases KPI --period P [--cell field=value,...]
 * [--fields a,b] [--all] [--distinct]: the record keys behind one figure,
 * for the people who register them (kpi_set_cases): the rows it counts,
 * the groups of a KPI with per, the rows of a count_distinct with how many
 * distinct values they hold (--distinct: one row per value).  Internal
 * output by nature: to the terminal or -o FILE, never into a report or
 * export.  The listing is recorded in the run history as a run of kind
 * "cases" over the period, with the KPI's figures and what it listed
 * (never published: show, report and export read runs of kind "run"
 * only).
 */
#include "cli/cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/error.h"
#include "base/log.h"
#include "base/strmap.h"
#include "base/temp_file.h"
#include "base/visible.h"
#include "engine/evaluation.h"
#include "kpi/kpi.h"
#include "plugin/schema.h"
#include "report/output.h"

typedef struct cases_out {
	FILE *f;
	int csv, all, header;
	size_t listed;		/* rows, or groups, that count */
	const char *fields;	/* --fields, or NULL */
	char **names;		/* the names of --fields */
	size_t name_count;
	size_t *cols, col_count;	/* the fields printed */
	char bad[128];		/* an unknown field of --fields */
	const char *per;	/* the KPI's per, or NULL */
	int distinct_only;	/* --distinct */
	strmap distinct;	/* count_distinct: the values counted */
} cases_out;

/* A text: a CSV cell as the CSV of figures writes one (quoted when need
 * be, a formula escaped), or for a terminal (control characters shown). */
static void cases_text(FILE *f, const char *text, int csv)
{
	if (csv)
		output_csv_text(f, text, ',');
	else
		visible_write(f, text);
}

static void cases_value(FILE *f, const peil_value *v, int csv)
{
	switch (v->type) {
	case PEIL_TYPE_TEXT:
		cases_text(f, v->as.text, csv);
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

/* The index of field name in schema, or schema->field_count. */
static size_t cases_field(const peil_schema *schema, const char *name)
{
	size_t f;

	for (f = 0; f < schema->field_count; f++)
		if (strcmp(schema->fields[f].name, name) == 0)
			break;
	return f;
}

/* The names of --fields (comma-separated), each a field of KPI k's
 * dataset or of a dataset it joins.  0, or -1 with c->bad set to the
 * unknown name (or "" when out of memory). */
static int cases_names(cases_out *c, const peil_context *ctx,
		       const kpi_info *k)
{
	const char *s = c->fields;

	c->names = calloc((s ? strlen(s) : 0) + 1, sizeof(*c->names));
	if (!c->names) {
		snprintf(c->bad, sizeof(c->bad), "%s", "");
		return -1;
	}
	while (s && *s) {
		size_t len = strcspn(s, ",");
		const char *name = NULL, *dataset;
		const peil_schema *schema;
		char *n = strndup(s, len);

		if (!n) {
			snprintf(c->bad, sizeof(c->bad), "%s", "");
			return -1;
		}
		c->names[c->name_count++] = n;
		dataset = kpi_field_dataset(ctx->kpis, k, n, &name);
		schema = dataset ? schema_set_find(&ctx->schemas, dataset)
				 : NULL;
		if (!schema || cases_field(schema, name) == schema->field_count) {
			snprintf(c->bad, sizeof(c->bad), "%s", n);
			return -1;
		}
		s += len + (s[len] == ',');
	}
	return 0;
}

/* The columns: the key fields of the dataset, then those of --fields.
 * 0, or -1 with c->bad set to a name the rows lack (or "" when out of
 * memory). */
static int cases_columns(cases_out *c, const peil_schema *schema)
{
	c->cols = malloc((schema->field_count + c->name_count + 1) *
			 sizeof(*c->cols));
	if (!c->cols) {
		snprintf(c->bad, sizeof(c->bad), "%s", "");
		return -1;
	}
	for (size_t f = 0; f < schema->field_count; f++)
		if (schema->fields[f].flags & PEIL_FIELD_KEY)
			c->cols[c->col_count++] = f;
	for (size_t i = 0; i < c->name_count; i++) {
		size_t f = cases_field(schema, c->names[i]);

		if (f == schema->field_count) {
			snprintf(c->bad, sizeof(c->bad), "%s", c->names[i]);
			return -1;
		}
		c->cols[c->col_count++] = f;
	}
	return 0;
}

/* A row's columns (a BSN is its stored HMAC, never the number), with
 * whether it counts under --all; the header before the first. */
static int cases_row(void *ctx, const peil_schema *schema,
		     const peil_value *values, const size_t *slot, int counts,
		     const char *distinct, size_t distinct_len)
{
	cases_out *c = ctx;
	const char *sep = c->csv ? "," : "\t";
	int added = 0;

	if (!c->cols && cases_columns(c, schema) < 0)
		return -1;
	if (distinct && strmap_put(&c->distinct, distinct, distinct_len,
				   &added) < 0) {
		snprintf(c->bad, sizeof(c->bad), "%s", "");
		return -1;
	}
	c->listed += counts;
	if (c->distinct_only && !added)
		return 0;	/* not counted, or its value listed already */
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
	return 0;
}

/* A group of a KPI with per: its key, its value when the rule has one,
 * the values of --fields of its rows; the header before the first. */
static int cases_group(void *ctx, const char *key, const double *value,
		       char *const *fields, int counts)
{
	cases_out *c = ctx;
	const char *sep = c->csv ? "," : "\t";

	for (int pass = c->header ? 1 : 0; pass < 2; pass++) {
		cases_text(c->f, pass ? key : c->per, c->csv);
		if (value && pass == 0)
			fprintf(c->f, "%svalue", sep);
		else if (value)
			fprintf(c->f, isnan(*value) ? "%s" : "%s%.15g", sep,
				*value);
		for (size_t i = 0; i < c->name_count; i++) {
			fputs(sep, c->f);
			cases_text(c->f, pass ? fields[i] : c->names[i],
				   c->csv);
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

/* Why the evaluation has not evaluated KPI in the period asked for (its
 * one row there, the total, says why: "not evaluated: dataset cases has
 * no row with registered after 2018-03-29"), or NULL when it has. */
static const char *cases_not_evaluated(const result_table *t, const char *kpi,
				       const char *asked)
{
	for (size_t i = 0; i < t->count; i++)
		if (!t->rows[i].earlier && strcmp(t->rows[i].kpi, kpi) == 0 &&
		    strcmp(t->rows[i].period, asked) == 0 &&
		    result_not_evaluated(t->rows[i].status))
			return t->rows[i].status;
	return NULL;
}

/* Copy what the listing wrote to from, rewound, to to; -1 when a read
 * failed (a write that failed is to's, checked when it is committed). */
static int cases_copy(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	if (fflush(from) != 0 || fseek(from, 0, SEEK_SET) != 0)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
	return ferror(from) ? -1 : 0;
}

/* What the run lists, as its history keeps it: "KPI PERIOD CELL" and the
 * options that choose the lines.  NULL when out of memory. */
static char *cases_listing(const char *kpi, const cli_options *o,
			   const char *cell)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	if (!f)
		return NULL;
	fprintf(f, "%s %s %s", kpi, o->period, cell);
	if (o->field_list)
		fprintf(f, " --fields %s", o->field_list);
	fprintf(f, "%s%s", o->all ? " --all" : "",
		o->distinct ? " --distinct" : "");
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void cases_bad_field(const cases_out *c, const char *kpi)
{
	if (!c->bad[0])
		log_msg(PEIL_LOG_ERROR, "out of memory");
	else
		log_msg(PEIL_LOG_ERROR, "--fields: the dataset of KPI %s has "
			"no field '%s' (see peil list --fields)", kpi, c->bad);
}

static void cases_free(cases_out *c)
{
	for (size_t i = 0; i < c->name_count; i++)
		free(c->names[i]);
	free(c->names);
	free(c->cols);
	strmap_release(&c->distinct);
}

static int cmd_cases(const cli_options *o, int argc, char **argv)
{
	cases_out c = { 0 };
	kpi_cases cases = { 0 };
	evaluation ev = { 0 };
	const kpi_info *k;
	const char *distinct_of = NULL;
	char *listing = NULL;
	peil_context ctx;
	peil_error err;
	out_file file;
	run_lock lock = { -1 };
	const char *why;
	int32_t from, to;
	int rc, fd;

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
	}
	c.fields = o->field_list;
	if (rc == 0 && cases_names(&c, &ctx, k) < 0) {
		cases_bad_field(&c, argv[0]);
		rc = EXIT_USAGE;
	}
	distinct_of = rc == 0 ? kpi_distinct_of(ctx.kpis, k) : NULL;
	if (rc == 0 && o->distinct && !distinct_of) {
		log_msg(PEIL_LOG_ERROR, "--distinct: KPI %s counts no distinct "
			"values (its rule is not count_distinct)", argv[0]);
		rc = EXIT_USAGE;
	}
	if (rc == 0)
		rc = cli_out_open(&file, o->output);
	if (rc) {
		cases_free(&c);
		run_lock_release(&lock);
		context_close(&ctx);
		return rc;
	}
	/* The listing waits in a temporary file until the figure is known
	 * to be evaluated: the rows of a period that the data do not reach
	 * are no cases behind a figure. */
	fd = temp_file_open("peil-cases-");
	c.f = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!c.f) {
		log_msg(PEIL_LOG_ERROR, "cannot write a temporary file in "
			"%s: %s", temp_file_dir(), strerror(errno));
		if (fd >= 0)
			close(fd);
		cli_out_close(&file, 0);
		cases_free(&c);
		run_lock_release(&lock);
		context_close(&ctx);
		return EXIT_STORAGE;
	}
	c.csv = o->format && strcmp(o->format, "csv") == 0;
	c.all = o->all;
	c.per = k->per;
	c.distinct_only = o->distinct;
	cases.period = o->period;
	cases.cell = cases_cell(o->cell);
	cases.all = o->all;
	cases.fields = (const char *const *)c.names;
	cases.field_count = c.name_count;
	cases.fn = cases_row;
	cases.group = cases_group;
	cases.ctx = &c;
	kpi_set_cases(ctx.kpis, &cases);
	error_clear(&err);
	if (cases.cell)
		listing = cases_listing(argv[0], o, cases.cell);
	if (!listing) {
		rc = EXIT_STORAGE;
		log_msg(PEIL_LOG_ERROR, "out of memory");
	} else if (evaluation_run(&ctx, "cases", listing, from, to, argv[0], 0,
				  &ev, &err) < 0) {
		log_error(&err);
		evaluation_release(&ev);
		rc = EXIT_STORAGE;
	} else {
		if (c.bad[0]) {
			cases_bad_field(&c, argv[0]);
			rc = EXIT_USAGE;
		} else if (ev.failed) {
			rc = EXIT_KPI_FAILED;
		} else if ((why = cases_not_evaluated(&ev.results, argv[0],
						      o->period))) {
			log_msg(PEIL_LOG_ERROR, "KPI %s is not evaluated for "
				"period %s (%s): it has no figure there, so no "
				"cases are listed", argv[0], o->period,
				why + strlen(RESULT_NOT_EVALUATED));
			rc = EXIT_INCOMPLETE;
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
	if (rc == 0 && cases_copy(c.f, file.f) < 0) {
		log_msg(PEIL_LOG_ERROR, "cannot read back the temporary file "
			"of the listing: %s", strerror(errno));
		rc = EXIT_STORAGE;
	}
	fclose(c.f);
	rc = cli_worst(rc, cli_out_close(&file, rc == 0));
	if (rc == 0 && c.per)
		log_msg(PEIL_LOG_INFO, "cases of %s %s %s: %zu groups per %s "
			"listed (run %lld)", argv[0], o->period, cases.cell,
			c.listed, c.per, (long long)ev.run_id);
	else if (rc == 0 && distinct_of)
		log_msg(PEIL_LOG_INFO, "cases of %s %s %s: %zu rows, %zu "
			"distinct %s%s (run %lld)", argv[0], o->period,
			cases.cell, c.listed, c.distinct.count, distinct_of,
			c.distinct_only ? ", one row listed of each" : "",
			(long long)ev.run_id);
	else if (rc == 0)
		log_msg(PEIL_LOG_INFO, "cases of %s %s %s: %zu listed "
			"(run %lld)", argv[0], o->period, cases.cell,
			c.listed, (long long)ev.run_id);
	free((char *)cases.cell);
	free(listing);
	cases_free(&c);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static const struct option cases_options[] = {
	{ "cell", required_argument, NULL, CLI_OPT_CELL },
	{ "all", no_argument, NULL, CLI_OPT_ALL },
	{ "distinct", no_argument, NULL, CLI_OPT_DISTINCT },
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
		"      --distinct      count_distinct: one row of each value "
		"counted\n"
		"  -f, --format FMT    text (default) or csv\n"
		"  -o, --output FILE   write to FILE (default: the terminal)\n",
	.takes_period = 1,
	.options = cases_options,
	.run = cmd_cases,
};
