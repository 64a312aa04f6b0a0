/*
 * cmd_kpi.c - the commands about KPI definitions themselves:
 *   peil test [FILE|DIR ...]   run KPI test files (kpi_test.h)
 *   peil explain KPI           print a KPI's definition
 *   peil catalogue             print the KPI catalogue (docs/kpis.md)
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/calendar.h"
#include "base/dir.h"
#include "base/error.h"
#include "cli/kpi_test.h"
#include "base/log.h"

/* ---------------------------------------------------------------- test */

struct test_env {
	const char *config;
	peil_context ctx;
	int open;
};

static void test_script_error(void *arg, const peil_error *err)
{
	(void)arg;
	log_error(err);
}

static kpi_set *test_open(void *arg, peil_error *err)
{
	struct test_env *te = arg;

	if (te->open)
		context_close(&te->ctx);
	te->open = 1;
	if (context_open(&te->ctx, te->config, CONTEXT_SCRIPTS,
			 test_script_error, NULL, err) < 0)
		return NULL;
	if (te->ctx.script_errors) {
		error_set(err, te->config, 0, NULL, "%zu scripts did not load",
			  te->ctx.script_errors);
		return NULL;
	}
	return te->ctx.kpis;
}

static void test_close(void *arg)
{
	struct test_env *te = arg;

	if (te->open)
		context_close(&te->ctx);
	te->open = 0;
}

static const peil_schema *test_schema(void *arg, const char *name)
{
	struct test_env *te = arg;

	return schema_set_find(&te->ctx.schemas, name);
}

struct test_run {
	kpi_test_env env;
	kpi_test_counts counts;
	size_t files, broken;
};

static void test_one_file(struct test_run *run, const char *path)
{
	peil_error err;

	error_clear(&err);
	run->files++;
	if (kpi_test_file(path, &run->env, stdout, &run->counts, &err) < 0) {
		run->broken++;
		printf("FAIL %s: the test could not run\n", path);
		log_error(&err);
	}
}

/* A file, or every *.lua file of a directory. */
static void test_path(struct test_run *run, const char *path)
{
	struct stat st;
	char **files;
	size_t count;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (dir_list(path, ".lua", &files, &count) < 0) {
			run->broken++;
			printf("FAIL %s: cannot read the directory: %s\n", path,
			       strerror(errno));
			return;
		}
		for (size_t i = 0; i < count; i++)
			test_one_file(run, files[i]);
		dir_list_free(files, count);
		return;
	}
	test_one_file(run, path);
}

/* Without arguments: the tests/ directory of every script directory,
 * named before any test runs (each test reopens the context). */
static char **test_dirs(const peil_context *ctx, size_t *count)
{
	char **dirs = calloc(ctx->script_dir_count + 1, sizeof(*dirs));

	*count = 0;
	for (size_t i = 0; dirs && i < ctx->script_dir_count; i++) {
		dirs[i] = malloc(strlen(ctx->script_dirs[i]) + 8);
		if (!dirs[i])
			break;
		sprintf(dirs[i], "%s/tests", ctx->script_dirs[i]);
		*count = i + 1;
	}
	return dirs;
}

static int cmd_test(const cli_options *o, int argc, char **argv)
{
	struct test_env te = { o->config, { 0 }, 0 };
	struct test_run run = { { &te, test_open, test_close, test_schema },
				{ 0, 0, 0 }, 0, 0 };
	peil_error err;

	if (argc) {
		for (int i = 0; i < argc; i++)
			test_path(&run, argv[i]);
	} else {
		struct stat st;
		size_t count;
		char **dirs;

		error_clear(&err);
		if (!test_open(&te, &err)) {
			log_error(&err);
			test_close(&te);
			return EXIT_CONFIG;
		}
		dirs = test_dirs(&te.ctx, &count);
		test_close(&te);
		for (size_t i = 0; i < count; i++) {
			if (stat(dirs[i], &st) == 0)
				test_path(&run, dirs[i]);
			free(dirs[i]);
		}
		free(dirs);
	}
	test_close(&te);
	printf("%zu files, %zu tests, %zu figures, %zu differ, %zu files "
	       "could not run\n", run.files, run.counts.tests,
	       run.counts.figures, run.counts.failed, run.broken);
	if (run.files == 0) {
		log_msg(PEIL_LOG_ERROR, "no test files found");
		return EXIT_USAGE;
	}
	return run.counts.failed || run.broken ? EXIT_KPI_FAILED : EXIT_OK;
}

const cli_command cmd_test_command = {
	.name = "test",
	.args = "[FILE|DIR ...]",
	.summary = "run KPI test files (default: each script dir's tests/)",
	.run = cmd_test,
};

/* ------------------------------------------------------------- explain */

/* The kpi{...} of the script as written: from its line to the line
 * where the braces balance. */
static void print_source(const kpi_info *k, const char *indent)
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
		printf("%s%s", indent, line);
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

static void print_part(const kpi_set *set, const kpi_info *k,
		       const char *label, const char *part)
{
	char text[2048];

	if (kpi_set_describe(set, k->id, part, text, sizeof(text)) == 0 &&
	    text[0])
		printf("%-13s%s\n", label, text);
}

/* Where a cumulative() KPI counts from. */
static void print_cumulative(const kpi_set *set, const kpi_info *k)
{
	char text[11];
	int32_t first;

	switch (kpi_set_cumulative_from(set, k->id, &first)) {
	case 1:
		date_format_iso(first, text);
		printf("%-13sfrom %s ([contract] start) to each period's "
		       "last day\n", "cumulative:", text);
		break;
	case 0:
		printf("%-13s[contract] start is not set: not evaluated\n",
		       "cumulative:");
		break;
	default:
		break;
	}
}

static int cmd_explain(const cli_options *o, int argc, char **argv)
{
	const kpi_info *k;
	peil_context ctx;
	char params[2048], grains[64];
	int rc;

	if (argc != 1) {
		log_msg(PEIL_LOG_ERROR, "explain takes one KPI id");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_SCRIPTS);
	if (rc) {
		context_close(&ctx);
		return rc;
	}
	k = kpi_set_find(ctx.kpis, argv[0]);
	if (!k) {
		log_msg(PEIL_LOG_ERROR, "no KPI '%s' (see peil list)", argv[0]);
		context_close(&ctx);
		return EXIT_USAGE;
	}
	printf("%s: %s\n\n", k->id, k->title);
	if (k->description[0])
		printf("%s\n\n", k->description);
	printf("%-13s%s\n", "unit:", k->unit);
	printf("%-13s%s\n", "dataset:", k->dataset);
	print_part(ctx.kpis, k, "links:", "links");
	period_grains_text(&k->grains, grains, sizeof(grains));
	printf("%-13s%s\n", k->grains.count > 1 ? "grains:" : "grain:",
	       grains);
	if (k->breakdown_count)
		print_part(ctx.kpis, k, "breakdown:", "breakdown");
	else
		printf("%-13s(total only)\n", "breakdown:");
	print_part(ctx.kpis, k, "select:", "select");
	print_cumulative(ctx.kpis, k);
	print_part(ctx.kpis, k, "where:", "where");
	if (k->per)
		printf("%-13s%s\n", "per:", k->per);
	print_part(ctx.kpis, k, "having:", "having");
	print_part(ctx.kpis, k, "rule:", "rule");
	print_part(ctx.kpis, k, "target:", "target");
	if (k->compare)
		printf("%-13s%s%s%s: change = value - old (%s), change %% = "
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
	printf("%-13s%s\n", "visibility:",
	       k->is_public ? "public (also in peil report --public and a "
			      "public Prometheus export)"
			    : "internal (never in a public output)");
	if (k->target_configured)
		printf("%-13s[kpi %s] in %s\n", "target from:", k->id,
		       ctx.cfg->path);
	else if (k->has_min || k->has_max)
		printf("%-13sthe script\n", "target from:");
	kpi_set_describe_params(ctx.kpis, k->id, params, sizeof(params));
	if (params[0]) {
		printf("parameters:\n");
		for (char *p = strtok(params, "\n"); p; p = strtok(NULL, "\n"))
			printf("  %s\n", p);
	}
	printf("%-13s%s:%ld\n\n", "defined in:", k->script, k->line);
	print_source(k, "  ");
	context_close(&ctx);
	return EXIT_OK;
}

const cli_command cmd_explain_command = {
	.name = "explain",
	.args = "KPI",
	.summary = "print a KPI's definition, target, parameters and source",
	.run = cmd_explain,
};

/* ----------------------------------------------------------- catalogue */

/* The file name of a script path: the catalogue must not depend on where
 * the config was read from. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int cmd_catalogue(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "catalogue takes no arguments");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_SCRIPTS);
	if (rc) {
		context_close(&ctx);
		return rc;
	}
	printf("# KPI catalogue\n\n"
	       "Generated by `peil catalogue` from the scripts and targets of "
	       "`conf/peil.ini`;\ndo not edit (the test `kpi_catalogue` fails "
	       "when this file is out of date).\n`peil explain ID` shows one "
	       "KPI in full.\n\n"
	       "| id | title | unit | grain | breakdown | target | script |\n"
	       "|----|-------|------|-------|-----------|--------|--------|\n");
	for (size_t i = 0; i < kpi_set_count(ctx.kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx.kpis, i);
		char target[256], grains[64];

		kpi_set_describe(ctx.kpis, k->id, "target", target,
				 sizeof(target));
		period_grains_text(&k->grains, grains, sizeof(grains));
		printf("| [`%s`](#%s) | %s | %s | %s | ", k->id, k->id, k->title,
		       k->unit, grains);
		for (size_t b = 0; b < k->breakdown_count; b++)
			printf("%s%s", b ? ", " : "", k->breakdown[b]);
		printf(" | %s | %s |\n", target, base_name(k->script));
	}
	for (size_t i = 0; i < kpi_set_count(ctx.kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx.kpis, i);
		static const char *const parts[] = { "links", "select", "where",
						     "having", "rule" };
		char text[2048], grains[64];

		period_grains_text(&k->grains, grains, sizeof(grains));
		printf("\n## %s\n\n**%s** (%s, per %s)\n\n%s\n\n", k->id,
		       k->title, k->unit, grains, k->description);
		printf("- dataset: `%s`\n", k->dataset);
		for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
			if (kpi_set_describe(ctx.kpis, k->id, parts[p], text,
					     sizeof(text)) == 0 && text[0])
				printf("- %s: `%s`\n", parts[p], text);
		if (k->per)
			printf("- per: `%s`\n", k->per);
		kpi_set_describe(ctx.kpis, k->id, "target", text, sizeof(text));
		if (text[0])
			printf("- target: %s\n", text);
		kpi_set_describe_params(ctx.kpis, k->id, text, sizeof(text));
		for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
			printf("- parameter: `%s`\n", p);
		printf("- script: `%s`\n", base_name(k->script));
	}
	rc = ctx.script_errors ? EXIT_KPI_FAILED : EXIT_OK;
	context_close(&ctx);
	return rc;
}

const cli_command cmd_catalogue_command = {
	.name = "catalogue",
	.summary = "print the KPI catalogue in Markdown (docs/kpis.md)",
	.run = cmd_catalogue,
};
