/*
 * cmd_init.c - peil init --from EXPORT [--dir DIR]: a municipality's first
 * peil.ini from its own export, and which shipped KPIs it will feed.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "base/log.h"
#include "base/self_path.h"
#include "engine/export_sniff.h"
#include "engine/init_config.h"

/* The problems of the written config's KPIs, in the order kpi_set_check
 * reports them: at most one per KPI. */
struct init_problems {
	size_t count;
	peil_error *items;
	peil_context *ctx;
};

static void init_collect(void *arg, const peil_error *problem)
{
	struct init_problems *st = arg;
	peil_error *grown = grow_for(st->items, st->count, sizeof(*grown));

	if (!grown) {
		log_error(problem);
		return;
	}
	st->items = grown;
	st->items[st->count++] = *problem;
}

static const peil_schema *init_schema(void *arg, const char *name)
{
	return schema_set_find(&((struct init_problems *)arg)->ctx->schemas,
			       name);
}

/* The problem of KPI id, after its "kpi 'id': " (every message of
 * kpi_set_check starts so), or NULL when it has none. */
static const char *init_problem(const struct init_problems *st,
				const char *id, const char **field)
{
	char prefix[300];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "kpi '%s': ", id);

	for (size_t i = 0; i < st->count; i++)
		if (strncmp(st->items[i].message, prefix, n) == 0) {
			*field = st->items[i].field;
			return st->items[i].message + n;
		}
	return NULL;
}

static void init_print_proposal(const init_proposal *p,
				const export_sniff *s, const char *written)
{
	printf("%s: written from %zu rows of %s\n"
	       "  encoding %s, separator '%s', dates %s, decimal %s\n"
	       "  dataset %s, %zu of %zu columns, key %s\n", written, s->rows,
	       p->export_path, s->utf8 ? "utf-8" : "windows-1252",
	       s->separator == '\t' ? "\\t" : (char[]){ s->separator, 0 },
	       p->date_formats[0] ? p->date_formats : "none",
	       p->decimal == ',' ? "comma" : p->decimal ? "point" : "none",
	       p->dataset, p->mapped, p->field_count,
	       p->key ? p->key : "none");
	for (size_t i = 0; i < p->field_count; i++) {
		const init_field *f = &p->fields[i];

		if (f->name)
			printf("  %-28s -> %s (%s%s)%s%s\n", f->column->header,
			       f->name, f->type, f->key ? " key" : "",
			       f->note ? ": " : "", f->note ? f->note : "");
		else
			printf("  %-28s left out: %s\n", f->column->header,
			       f->note);
	}
}

/* Open the written config as peil check does and list which KPIs it
 * feeds and which not, and why.  The exit code. */
static int init_print_kpis(const char *written)
{
	struct init_problems st = { 0, NULL, NULL };
	peil_context ctx;
	peil_error err;
	size_t i, works = 0;
	int rc;

	error_clear(&err);
	if (context_open(&ctx, written, CONTEXT_SCRIPTS, init_collect, &st,
			 &err) < 0) {
		log_error(&err);
		context_close(&ctx);
		free(st.items);
		return EXIT_CONFIG;
	}
	st.ctx = &ctx;
	kpi_set_check(ctx.kpis, init_schema, &st, init_collect);
	for (i = 0; i < kpi_set_count(ctx.kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx.kpis, i);
		const char *field;

		if (init_problem(&st, k->id, &field))
			continue;
		if (!works++)
			printf("\nShipped KPIs these fields feed:\n");
		printf("  %-30s %s\n", k->id, k->title);
	}
	if (works < kpi_set_count(ctx.kpis))
		printf("\nShipped KPIs they do not feed (peil run reports "
		       "them as failed until\nthe config maps what they "
		       "need):\n");
	for (i = 0; i < kpi_set_count(ctx.kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx.kpis, i);
		const char *field = NULL, *why = init_problem(&st, k->id, &field);

		if (why)
			printf("  %-30s %s%s%s%s\n", k->id,
			       field && field[0] ? "field '" : "",
			       field && field[0] ? field : "",
			       field && field[0] ? "': " : "", why);
	}
	printf("\n%zu of %zu shipped KPIs will have figures; next: peil run "
	       "--config %s\n", works, kpi_set_count(ctx.kpis), written);
	rc = ctx.script_errors ? EXIT_CONFIG : EXIT_OK;
	context_close(&ctx);
	free(st.items);
	return rc;
}

static int cmd_init(const cli_options *o, int argc, char **argv)
{
	char scripts[PATH_MAX], written[PATH_MAX];
	export_sniff s;
	init_proposal p;
	peil_error err;
	int rc;

	(void)argv;
	if (argc || !o->from) {
		log_msg(PEIL_LOG_ERROR, "init takes --from EXPORT and no "
			"arguments");
		return EXIT_USAGE;
	}
	if (self_path_scripts(scripts, sizeof(scripts)) < 0) {
		log_msg(PEIL_LOG_ERROR, "the shipped scripts are not where "
			"this peil expects them (beside it or in its source "
			"tree)");
		return EXIT_CONFIG;
	}
	error_clear(&err);
	if (export_sniff_file(o->from, &s, &err) < 0) {
		log_error(&err);
		return EXIT_INPUT_REJECTED;
	}
	if (init_propose(&s, o->from, &p, &err) < 0) {
		log_error(&err);
		export_sniff_release(&s);
		return EXIT_INPUT_REJECTED;
	}
	if (s.ragged)
		log_msg(PEIL_LOG_WARNING, "%s: %zu of %zu rows read have "
			"another number of columns than the header",
			o->from, s.ragged, s.rows);
	rc = init_write(&p, &s, o->dir ? o->dir : ".", scripts, o->force,
			written, sizeof(written), &err);
	if (rc < 0) {
		log_error(&err);
		rc = EXIT_CONFIG;
	} else {
		init_print_proposal(&p, &s, written);
		rc = init_print_kpis(written);
	}
	init_proposal_release(&p);
	export_sniff_release(&s);
	return rc;
}

static const struct option init_options[] = {
	{ "from", required_argument, NULL, CLI_OPT_FROM },
	{ "dir", required_argument, NULL, CLI_OPT_DIR },
	{ "force", no_argument, NULL, CLI_OPT_FORCE },
	{ 0, 0, 0, 0 },
};

const cli_command cmd_init_command = {
	.name = "init",
	.own_usage = 1,
	.summary = "write a first config from an export: dataset, source, "
		   "and the KPIs it feeds",
	.help = "      --from EXPORT   the CSV export to read (its first "
		"rows)\n"
		"      --dir DIR       where to write peil.ini (default: the "
		"current directory)\n"
		"      --force         replace an existing peil.ini\n",
	.options = init_options,
	.run = cmd_init,
};
