/*
 * main.c - the peil command: subcommands, options and exit codes.
 *
 * Exit codes (docs/cli.md); when several apply, the highest wins:
 *   0  all good
 *   1  some KPIs failed (or a KPI script did not load)
 *   2  an input was rejected: a file refused, or rows rejected
 *   3  configuration error (config file, plugin, script, period)
 *   4  storage error
 *  64  usage error
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "error.h"
#include "evaluation.h"
#include "ingest.h"
#include "log.h"
#include "output.h"
#include "period.h"

#ifndef PEIL_VERSION
#define PEIL_VERSION "0"
#endif

enum exit_code {
	EXIT_OK = 0,
	EXIT_KPI_FAILED = 1,
	EXIT_INPUT_REJECTED = 2,
	EXIT_CONFIG = 3,
	EXIT_STORAGE = 4,
	EXIT_USAGE = 64
};

#define DEFAULT_CONFIG "conf/peil.ini"

struct options {
	const char *config;
	const char *source;
	const char *kpi;
	const char *period;
	const char *from;
	const char *to;
	const char *format;
	long long run_id;
};

static int worst(int a, int b)
{
	return a > b ? a : b;
}

static void print_error(const peil_error *err)
{
	char text[2048];

	error_format(err, text, sizeof(text));
	log_msg(PEIL_LOG_ERROR, "%s", text);
}

/* ------------------------------------------------------------ options */

enum { OPT_HELP = 'h', OPT_CONFIG = 'c', OPT_FORMAT = 'f', OPT_KPI = 'k',
       OPT_PERIOD = 'p', OPT_FROM = 1000, OPT_TO, OPT_RUN, OPT_QUIET = 'q',
       OPT_VERBOSE = 'v' };

struct command {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;	/* the options it takes, one per line */
	int (*run)(struct options *opts, int argc, char **argv);
	const struct option *options;
};

static const char common_help[] =
	"  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
	"  -q, --quiet         log errors and warnings only\n"
	"  -v, --verbose       log debug lines too\n"
	"  -h, --help          this help\n";

static const char period_help[] =
	"  -p, --period P      a period: 2017, 2017-Q4 or 2017-03\n"
	"      --from P --to P a range of periods, e.g. --from 2017-01 --to "
	"2017-12\n";

/* --------------------------------------------------------- period range */

/* The dates of a period id, or -1. */
static int period_bounds(const char *text, int32_t *first, int32_t *last)
{
	period p;

	if (period_parse(text, &p) < 0) {
		log_msg(PEIL_LOG_ERROR,
			"'%s' is not a period: use 2017, 2017-Q4 or 2017-03",
			text);
		return -1;
	}
	*first = p.first;
	*last = p.last;
	return 0;
}

static int option_range(const struct options *o, int32_t *from, int32_t *to)
{
	int32_t a, b;

	if (o->period && (o->from || o->to)) {
		log_msg(PEIL_LOG_ERROR, "give --period or --from/--to, not both");
		return EXIT_USAGE;
	}
	if (o->period)
		return period_bounds(o->period, from, to) < 0 ? EXIT_USAGE : 0;
	if (!o->from || !o->to) {
		log_msg(PEIL_LOG_ERROR,
			"which period? give --period P or --from P --to P");
		return EXIT_USAGE;
	}
	if (period_bounds(o->from, from, &a) < 0 ||
	    period_bounds(o->to, &b, to) < 0)
		return EXIT_USAGE;
	if (*to < *from) {
		log_msg(PEIL_LOG_ERROR, "--to %s lies before --from %s", o->to,
			o->from);
		return EXIT_USAGE;
	}
	return 0;
}

struct run_periods {
	int32_t from, to;
	int any;
	const char *bad;
	char bad_text[64];
};

static int add_run_period(void *arg, const char *item)
{
	struct run_periods *rp = arg;
	char first_text[32], last_text[32];
	const char *dots = strstr(item, "..");
	int32_t first, last, unused;

	if (dots) {
		snprintf(first_text, sizeof(first_text), "%.*s",
			 (int)(dots - item), item);
		snprintf(last_text, sizeof(last_text), "%s", dots + 2);
	} else {
		snprintf(first_text, sizeof(first_text), "%s", item);
		snprintf(last_text, sizeof(last_text), "%s", item);
	}
	if (period_bounds(first_text, &first, &unused) < 0 ||
	    period_bounds(last_text, &unused, &last) < 0) {
		snprintf(rp->bad_text, sizeof(rp->bad_text), "%s", item);
		rp->bad = rp->bad_text;
		return 1;
	}
	if (!rp->any || first < rp->from)
		rp->from = first;
	if (!rp->any || last > rp->to)
		rp->to = last;
	rp->any = 1;
	return 0;
}

/* The range of [run] periods. */
static int config_range(const peil_context *ctx, int32_t *from, int32_t *to)
{
	const config_section *run = config_section_find(ctx->cfg, "run", NULL);
	const config_entry *e = config_entry_find(run, "periods");
	struct run_periods rp = { 0, 0, 0, NULL, "" };

	if (!e) {
		log_msg(PEIL_LOG_ERROR,
			"%s: [run] periods = is not set; give the periods to "
			"evaluate, e.g. periods = 2018", ctx->cfg->path);
		return EXIT_CONFIG;
	}
	if (config_each_item(e->value, add_run_period, &rp) != 0 || !rp.any) {
		log_msg(PEIL_LOG_ERROR,
			"%s:%ld: periods = %s: expected periods such as 2018 or "
			"2018-01..2018-06", ctx->cfg->path, e->line,
			rp.bad ? rp.bad : e->value);
		return EXIT_CONFIG;
	}
	*from = rp.from;
	*to = rp.to;
	return 0;
}

/* ----------------------------------------------------------- commands */

static int open_context(peil_context *ctx, const struct options *o,
			unsigned what)
{
	peil_error err;
	int rc;

	error_clear(&err);
	rc = context_open(ctx, o->config, what, NULL, NULL, &err);
	if (rc == 0)
		return 0;
	print_error(&err);
	return rc == CONTEXT_STORAGE_FAILED ? EXIT_STORAGE : EXIT_CONFIG;
}

static int do_ingest(peil_context *ctx, const char *only)
{
	ingest_summary sum;
	peil_error err;

	error_clear(&err);
	if (ingest_sources(ctx, only, &sum, &err) < 0) {
		print_error(&err);
		return EXIT_CONFIG;
	}
	log_msg(PEIL_LOG_INFO,
		"ingest: %zu files stored (%lld rows), %zu skipped as ingested "
		"before, %zu refused, %lld rows rejected", sum.files,
		(long long)sum.rows, sum.skipped, sum.failed,
		(long long)sum.rejected);
	return sum.failed || sum.rejected ? EXIT_INPUT_REJECTED : EXIT_OK;
}

static int do_evaluate(peil_context *ctx, const char *kind, int32_t from,
		       int32_t to, const char *only_kpi, output_format format)
{
	evaluation ev;
	peil_error err;
	int rc = EXIT_OK;

	error_clear(&err);
	if (evaluation_run(ctx, kind, from, to, only_kpi, &ev, &err) < 0) {
		print_error(&err);
		evaluation_release(&ev);
		return err.message[0] && strstr(err.message, "no KPI with id")
			       ? EXIT_USAGE
			       : EXIT_STORAGE;
	}
	output_write(stdout, format, &ev.results, ctx->kpis);
	log_msg(PEIL_LOG_INFO,
		"run %lld: %zu KPIs evaluated, %zu failed, %zu figures",
		(long long)ev.run_id, ev.kpis, ev.failed, ev.results.count);
	if (ev.failed || ctx->script_errors)
		rc = EXIT_KPI_FAILED;
	evaluation_release(&ev);
	return rc;
}

static int parse_format(const struct options *o, output_format *format)
{
	if (output_format_parse(o->format ? o->format : "text", format) < 0) {
		log_msg(PEIL_LOG_ERROR,
			"--format %s: expected text, csv or json", o->format);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_ingest(struct options *o, int argc, char **argv)
{
	peil_context ctx;
	int rc;

	if (argc > 1) {
		log_msg(PEIL_LOG_ERROR, "ingest takes at most one source");
		return EXIT_USAGE;
	}
	rc = open_context(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0)
		rc = do_ingest(&ctx, argc ? argv[0] : o->source);
	context_close(&ctx);
	return rc;
}

static int cmd_eval(struct options *o, int argc, char **argv)
{
	output_format format;
	peil_context ctx;
	int32_t from, to;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "eval takes no arguments");
		return EXIT_USAGE;
	}
	rc = parse_format(o, &format);
	if (rc)
		return rc;
	rc = option_range(o, &from, &to);
	if (rc)
		return rc;
	rc = open_context(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = do_evaluate(&ctx, "eval", from, to, o->kpi, format);
	context_close(&ctx);
	return rc;
}

static int cmd_run(struct options *o, int argc, char **argv)
{
	output_format format;
	peil_context ctx;
	int32_t from, to;
	int rc, ingest_rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "run takes no arguments");
		return EXIT_USAGE;
	}
	rc = parse_format(o, &format);
	if (rc)
		return rc;
	rc = open_context(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0)
		rc = config_range(&ctx, &from, &to);
	if (rc == 0) {
		ingest_rc = do_ingest(&ctx, NULL);
		if (ingest_rc == EXIT_CONFIG) {
			rc = ingest_rc;
		} else {
			rc = do_evaluate(&ctx, "run", from, to, NULL, format);
			rc = worst(rc, ingest_rc);
		}
	}
	context_close(&ctx);
	return rc;
}

struct show_state {
	result_table table;
	int has_range;
	int32_t from, to;
	int oom;
};

static int show_row(void *arg, const peil_result *r)
{
	struct show_state *st = arg;
	period p;

	st->table.run_id = r->run_id;
	if (st->has_range && (period_parse(r->period, &p) < 0 ||
			      p.first < st->from || p.last > st->to))
		return 0;
	if (result_table_add(&st->table, r) < 0) {
		st->oom = 1;
		return -1;
	}
	return 0;
}

static int cmd_show(struct options *o, int argc, char **argv)
{
	struct show_state st;
	peil_result_query q = { 0, NULL };
	output_format format;
	peil_context ctx;
	peil_error err;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "show takes no arguments");
		return EXIT_USAGE;
	}
	memset(&st, 0, sizeof(st));
	rc = parse_format(o, &format);
	if (rc)
		return rc;
	if (o->period || o->from || o->to) {
		rc = option_range(o, &st.from, &st.to);
		if (rc)
			return rc;
		st.has_range = 1;
	}
	/* Scripts give titles and units; a script that fails to load only
	 * costs its titles here. */
	rc = open_context(&ctx, o, CONTEXT_STORAGE | CONTEXT_SCRIPTS);
	if (rc == 0) {
		q.run_id = o->run_id;
		q.kpi = o->kpi;
		error_clear(&err);
		if (ctx.storage->results_scan(ctx.storage_state, &q, show_row,
					      &st, &err) < 0) {
			print_error(&err);
			rc = EXIT_STORAGE;
		} else if (st.oom) {
			log_msg(PEIL_LOG_ERROR, "out of memory");
			rc = EXIT_STORAGE;
		} else if (!st.table.run_id) {
			log_msg(PEIL_LOG_ERROR,
				o->run_id ? "no figures for run %lld"
					  : "no finished run yet%.0lld: try "
					    "peil run", o->run_id);
			rc = EXIT_CONFIG;
		} else {
			result_table_sort(&st.table);
			if (format == OUTPUT_TEXT)
				printf("Run %lld\n\n",
				       (long long)st.table.run_id);
			output_write(stdout, format, &st.table, ctx.kpis);
		}
	}
	result_table_release(&st.table);
	context_close(&ctx);
	return rc;
}

struct check_state {
	size_t problems;
	peil_context *ctx;
};

static void check_report(void *arg, const peil_error *problem)
{
	struct check_state *st = arg;

	st->problems++;
	print_error(problem);
}

static const peil_schema *check_schema(void *arg, const char *name)
{
	return schema_set_find(&((struct check_state *)arg)->ctx->schemas,
			       name);
}

/* Load each source's plugin and let it check its settings; no data is
 * read or written. */
static void check_sources(peil_context *ctx, struct check_state *st)
{
	size_t i;

	for (i = 0; i < ctx->cfg->count; i++) {
		const config_section *s = &ctx->cfg->sections[i];
		const char *plugin = config_get(s, "plugin", NULL);
		const char *dataset = config_get(s, "dataset", NULL);
		const peil_schema *schema;
		loaded_plugin *loaded = NULL;
		peil_host *host = NULL;
		void *state = NULL;
		peil_error err;

		if (strcmp(s->kind, "source") != 0)
			continue;
		error_clear(&err);
		if (!plugin || !dataset || !config_get(s, "path", NULL)) {
			config_fail(ctx->cfg, s, NULL, &err,
				    "[source %s] needs plugin =, dataset = and "
				    "path =", s->name);
			check_report(st, &err);
			continue;
		}
		schema = schema_set_find(&ctx->schemas, dataset);
		if (!schema) {
			config_fail(ctx->cfg, s, config_entry_find(s, "dataset"),
				    &err, "dataset '%s' is not declared",
				    dataset);
			check_report(st, &err);
			continue;
		}
		if (loader_open(&ctx->plugins, plugin, PEIL_PLUGIN_INPUT,
				&loaded, &err) < 0 ||
		    !(host = context_host(ctx, s, plugin)) ||
		    host_input_init(host, schema, NULL, NULL, ctx->reject_dir,
				    &err) < 0 ||
		    loaded->plugin->input->open(host_services(), host, &state,
						&err) < 0) {
			if (!err.message[0])
				error_set(&err, NULL, 0, NULL, "out of memory");
			check_report(st, &err);
			state = NULL;
		}
		if (state && loaded->plugin->input->close)
			loaded->plugin->input->close(state);
		host_free(host);
		loader_close(loaded);
	}
}

static int cmd_check(struct options *o, int argc, char **argv)
{
	struct check_state st = { 0, NULL };
	peil_context ctx;
	loaded_plugin *storage = NULL;
	peil_error err;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "check takes no arguments");
		return EXIT_USAGE;
	}
	error_clear(&err);
	rc = context_open(&ctx, o->config, CONTEXT_SCRIPTS, check_report, &st,
			  &err);
	if (rc < 0) {
		print_error(&err);
		context_close(&ctx);
		return EXIT_CONFIG;
	}
	if (loader_open(&ctx.plugins,
			config_get(config_section_find(ctx.cfg, "peil", NULL),
				   "storage", "sqlite"),
			PEIL_PLUGIN_STORAGE, &storage, &err) < 0)
		check_report(&st, &err);
	loader_close(storage);
	check_sources(&ctx, &st);
	st.ctx = &ctx;
	kpi_set_check(ctx.kpis, check_schema, &st, check_report);
	if (st.problems == 0)
		printf("%s: configuration, %zu datasets, %zu scripts and %zu "
		       "KPIs are fine\n", ctx.cfg->path, ctx.schemas.count,
		       ctx.script_count, kpi_set_count(ctx.kpis));
	else
		printf("%s: %zu problems\n", ctx.cfg->path, st.problems);
	context_close(&ctx);
	return st.problems ? EXIT_CONFIG : EXIT_OK;
}

static void list_plugin(void *arg, const char *file, const peil_plugin *p,
			const peil_error *err)
{
	(void)arg;
	if (p)
		printf("  %-10s %-8s %-8s %s (%s)\n", p->name,
		       p->kind == PEIL_PLUGIN_INPUT ? "input" : "storage",
		       p->version ? p->version : "", p->description
		       ? p->description : "", file);
	else
		printf("  %s: %s\n", file, err->message);
}

static int cmd_list(struct options *o, int argc, char **argv)
{
	peil_context ctx;
	size_t i, j;
	int rc;

	(void)argv;
	if (argc) {
		log_msg(PEIL_LOG_ERROR, "list takes no arguments");
		return EXIT_USAGE;
	}
	rc = open_context(&ctx, o, CONTEXT_SCRIPTS);
	if (rc) {
		context_close(&ctx);
		return rc;
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
	for (i = 0; i < kpi_set_count(ctx.kpis); i++) {
		const kpi_info *k = kpi_set_info(ctx.kpis, i);

		printf("  %-28s %-8s %s (%s:%ld)\n", k->id,
		       period_grain_name(k->grain), k->title, k->script,
		       k->line);
	}
	rc = ctx.script_errors ? EXIT_KPI_FAILED : EXIT_OK;
	context_close(&ctx);
	return rc;
}

static const struct option no_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option eval_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "kpi", required_argument, NULL, OPT_KPI },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

static const struct option run_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

static const struct option show_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "kpi", required_argument, NULL, OPT_KPI },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

static const struct command commands[] = {
	{ "run", "", "ingest every source, then evaluate the [run] periods "
		     "and record the run",
	  "  -f, --format F      text (default), csv or json\n", cmd_run,
	  run_options },
	{ "ingest", "[SOURCE]", "read every configured source (or one) into "
				"the store", "", cmd_ingest, no_options },
	{ "eval", "", "evaluate the KPIs for a period and record the run",
	  "  -k, --kpi ID        only this KPI\n"
	  "  -f, --format F      text (default), csv or json\n", cmd_eval,
	  eval_options },
	{ "show", "", "print the figures of the latest run (or another)",
	  "      --run N         the figures of run N\n"
	  "  -k, --kpi ID        only this KPI\n"
	  "  -f, --format F      text (default), csv or json\n", cmd_show,
	  show_options },
	{ "check", "", "check the configuration and compile every script, "
		       "touching no data", "", cmd_check, no_options },
	{ "list", "", "list plugins, datasets and KPIs", "", cmd_list,
	  no_options },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: peil COMMAND [OPTIONS]\n\n"
		"Peil evaluates the KPIs of the social domain from the exports "
		"of\nregistration systems.\n\nCommands:\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'peil COMMAND --help' for a command's options.\n"
		     "Exit codes: 0 ok, 1 a KPI failed, 2 an input was "
		     "rejected, 3 configuration\nerror, 4 storage error, 64 "
		     "usage error.\n");
}

static void command_usage(FILE *out, const struct command *c)
{
	int periods = c->run == cmd_eval || c->run == cmd_show;

	fprintf(out, "Usage: peil %s [OPTIONS]%s%s\n\n%c%s.\n\nOptions:\n",
		c->name, c->args[0] ? " " : "", c->args,
		c->summary[0] - 'a' + 'A', c->summary + 1);
	fputs(c->help, out);
	if (periods)
		fputs(period_help, out);
	fputs(common_help, out);
}

int main(int argc, char **argv)
{
	const struct command *c = NULL;
	struct options o;
	size_t i;
	int opt;

	memset(&o, 0, sizeof(o));
	o.config = DEFAULT_CONFIG;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("peil %s\n", PEIL_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "peil: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "c:f:k:p:qvh", c->options,
				  NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG:
			o.config = optarg;
			break;
		case OPT_FORMAT:
			o.format = optarg;
			break;
		case OPT_KPI:
			o.kpi = optarg;
			break;
		case OPT_PERIOD:
			o.period = optarg;
			break;
		case OPT_FROM:
			o.from = optarg;
			break;
		case OPT_TO:
			o.to = optarg;
			break;
		case OPT_RUN:
			o.run_id = strtoll(optarg, NULL, 10);
			if (o.run_id <= 0) {
				fprintf(stderr, "peil: --run %s: expected a "
						"run number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_QUIET:
			log_set_level(PEIL_LOG_WARNING);
			break;
		case OPT_VERBOSE:
			log_set_level(PEIL_LOG_DEBUG);
			break;
		case OPT_HELP:
			command_usage(stdout, c);
			return EXIT_OK;
		default:
			command_usage(stderr, c);
			return EXIT_USAGE;
		}
	}
	return c->run(&o, argc - optind, argv + optind);
}
