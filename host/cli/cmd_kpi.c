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

struct recorded {
	const char *kpi;
	int found;
	char sha256[65];
	char *definition;
};

static int recorded_kpi(void *arg, const peil_run_kpi *rk)
{
	struct recorded *r = arg;

	if (strcmp(rk->kpi, r->kpi) != 0)
		return 0;
	r->found = 1;
	snprintf(r->sha256, sizeof(r->sha256), "%s",
		 rk->script_sha256 ? rk->script_sha256 : "");
	if (rk->definition && !(r->definition = strdup(rk->definition)))
		return -1;
	return 1;
}

static int run_exists(void *arg, const peil_run_record *run)
{
	(void)run;
	*(int *)arg = 1;
	return 0;
}

/* peil explain --run N KPI: the definition recorded with run N, and
 * whether it is the one in force now. */
static int explain_run(const peil_context *ctx, int64_t run_id,
		       const char *kpi)
{
	struct recorded r = { kpi, 0, "", NULL };
	const kpi_info *now = kpi_set_find(ctx->kpis, kpi);
	peil_error err;
	int exists = 0;

	error_clear(&err);
	if (store_runs_scan(ctx->store, run_id, run_exists, &exists, &err) <
		    0 ||
	    store_run_kpis_scan(ctx->store, run_id, recorded_kpi, &r, &err) <
		    0) {
		log_error(&err);
		free(r.definition);
		return strstr(err.message, "no run") ? EXIT_USAGE
						      : EXIT_STORAGE;
	}
	if (!r.found) {
		log_msg(PEIL_LOG_ERROR, "run %lld did not evaluate KPI '%s' "
			"(see peil runs --run %lld)", (long long)run_id, kpi,
			(long long)run_id);
		return EXIT_USAGE;
	}
	if (!r.definition) {
		log_msg(PEIL_LOG_ERROR, "run %lld recorded no definition of "
			"KPI %s (recorded before Peil kept them, or by a "
			"storage plugin without version 11); its definition "
			"hash %.12s is %s", (long long)run_id, kpi, r.sha256,
			now && strcmp(r.sha256, now->definition_sha256) == 0
				? "that of the definition in force now"
				: "not that of the definition in force now");
		return EXIT_CONFIG;
	}
	printf("Definition of KPI %s in force in run %lld (hash %.12s; %s):"
	       "\n\n%s", kpi, (long long)run_id, r.sha256,
	       !now ? "the KPI has no script now"
	       : strcmp(r.sha256, now->definition_sha256) == 0
		       ? "the same as now"
		       : "changed since: peil explain shows the one now",
	       r.definition);
	free(r.definition);
	return EXIT_OK;
}

static int cmd_explain(const cli_options *o, int argc, char **argv)
{
	const kpi_info *k;
	peil_context ctx;
	int rc;

	if (argc != 1) {
		log_msg(PEIL_LOG_ERROR, "explain takes one KPI id");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, o->run_id ? CONTEXT_SCRIPTS | CONTEXT_STORAGE
					 : CONTEXT_SCRIPTS);
	if (rc == 0 && o->run_id)
		rc = explain_run(&ctx, o->run_id, argv[0]);
	if (rc || o->run_id) {
		context_close(&ctx);
		return rc;
	}
	k = kpi_set_find(ctx.kpis, argv[0]);
	if (!k) {
		log_msg(PEIL_LOG_ERROR, "no KPI '%s' (see peil list)", argv[0]);
		context_close(&ctx);
		return EXIT_USAGE;
	}
	kpi_explain(stdout, ctx.kpis, k, ctx.cfg->path);
	context_close(&ctx);
	return EXIT_OK;
}

static const struct option explain_options[] = {
	{ "run", required_argument, NULL, CLI_OPT_RUN },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_explain_command = {
	.name = "explain",
	.args = "KPI",
	.summary = "print a KPI's definition, target, parameters and source",
	.help = "      --run N         the definition in force in run N, as "
		"it recorded it\n",
	.options = explain_options,
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

	(void)argc, (void)argv;	/* none: main refuses them */
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
