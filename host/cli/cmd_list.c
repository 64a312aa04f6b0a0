/*
 * cmd_list.c - peil list: plugins, datasets and KPIs.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static void list_plugin(void *arg, const char *file, const peil_plugin *p,
			const peil_error *err)
{
	(void)arg;
	if (p)
		cli_plugin_line("  ", p, file);
	else
		printf("  %s: %s\n", file, err->message);
}

/* peil list --fields: each dataset's fields with their type and flags,
 * for the KPI author who needs their names. */
static void list_fields(const peil_context *ctx)
{
	for (size_t i = 0; i < ctx->schemas.count; i++) {
		const peil_schema *s = &ctx->schemas.schemas[i];
		size_t width = 0;

		for (size_t j = 0; j < s->field_count; j++)
			if (output_width(s->fields[j].name) > width)
				width = output_width(s->fields[j].name);
		printf("%s%s:\n", i ? "\n" : "", s->name);
		for (size_t j = 0; j < s->field_count; j++) {
			const peil_field *f = &s->fields[j];

			fputs("  ", stdout);
			output_pad(stdout, f->name, width, 0);
			printf(" %s%s%s\n",
			       f->flags & PEIL_FIELD_BSN
				       ? "bsn" : schema_type_name(f->type),
			       f->flags & PEIL_FIELD_KEY ? " key" : "",
			       f->flags & PEIL_FIELD_REQUIRED ? " required" : "");
		}
	}
}

/* A KPI a line: id, grain, title (script:line); the columns as wide as
 * their widest entry, in characters, so that a long id or contract_year
 * does not push a line out of its column. */
static void list_kpis(const kpi_set *kpis)
{
	size_t width[2] = { 0, 0 }, i;

	for (i = 0; i < kpi_set_count(kpis); i++) {
		const kpi_info *k = kpi_set_info(kpis, i);
		char grains[64];
		size_t w;

		period_grains_text(&k->grains, grains, sizeof(grains));
		w = output_width(grains);

		if (output_width(k->id) > width[0])
			width[0] = output_width(k->id);
		if (w > width[1])
			width[1] = w;
	}
	for (i = 0; i < kpi_set_count(kpis); i++) {
		const kpi_info *k = kpi_set_info(kpis, i);
		char grains[64];

		period_grains_text(&k->grains, grains, sizeof(grains));
		fputs("  ", stdout);
		output_pad(stdout, k->id, width[0], 0);
		fputc(' ', stdout);
		output_pad(stdout, grains, width[1], 0);
		printf(" %s (%s:%ld)\n", k->title, k->script, k->line);
	}
}

static int cmd_list(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	size_t i, j;
	int rc;

	(void)argc, (void)argv;	/* none: main refuses them */
	rc = cli_open(&ctx, o, CONTEXT_SCRIPTS);
	if (rc) {
		context_close(&ctx);
		return rc;
	}
	if (o->fields) {
		list_fields(&ctx);
		context_close(&ctx);
		return EXIT_OK;
	}
	printf("Plugins:\n");
	loader_each(&ctx.plugins, list_plugin, NULL);
	printf("\nDatasets:\n");
	for (i = 0; i < ctx.schemas.count; i++) {
		const peil_schema *s = &ctx.schemas.schemas[i];

		printf("  %s:", s->name);
		for (j = 0; j < s->field_count; j++)
			printf(" %s%s", s->fields[j].name,
			       s->fields[j].flags & PEIL_FIELD_KEY ? "*" : "");
		printf("\n");
	}
	printf("\nKPIs:\n");
	list_kpis(ctx.kpis);
	rc = ctx.script_errors ? EXIT_KPI_FAILED : EXIT_OK;
	context_close(&ctx);
	return rc;
}


static const struct option list_options[] = {
	{ "fields", no_argument, NULL, CLI_OPT_FIELDS },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_list_command = {
	.name = "list",
	.summary = "list plugins, datasets and KPIs",
	.help = "      --fields        only the datasets, each field with its "
		"type and flags\n",
	.options = list_options,
	.run = cmd_list,
};
