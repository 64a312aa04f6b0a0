/*
 * main.c - the peil command: finds the subcommand, parses its options and
 * runs it.  The commands are in cmd_*.c; exit codes in cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "base/interrupt.h"
#include "base/log.h"
#include "base/self_path.h"

#ifndef PEIL_VERSION
#define PEIL_VERSION "0"
#endif

static const cli_command *const commands[] = {
	&cmd_run_command,
	&cmd_ingest_command,
	&cmd_eval_command,
	&cmd_show_command,
	&cmd_check_command,
	&cmd_list_command,
	&cmd_explain_command,
	&cmd_cases_command,
	&cmd_test_command,
	&cmd_catalogue_command,
	&cmd_report_command,
	&cmd_export_command,
	&cmd_runs_command,
	&cmd_diff_command,
	&cmd_backup_command,
	&cmd_prune_command,
	&cmd_init_command,
	&cmd_status_command,
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))
#define MAX_OPTIONS 32

static const struct option common_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "log-format", required_argument, NULL, CLI_OPT_LOG_FORMAT },
};

static const struct option period_options[] = {
	{ "period", required_argument, NULL, 'p' },
	{ "from", required_argument, NULL, CLI_OPT_FROM },
	{ "to", required_argument, NULL, CLI_OPT_TO },
};

/* The config without --config (the installed one's path, filled in by
 * main before any command runs). */
static char default_config[PATH_MAX] = CLI_DEFAULT_CONFIG;

static const char common_help[] =
	"  -c, --config FILE   configuration (default $PEIL_CONFIG, else\n"
	"                      %s)\n"
	"  -q, --quiet         log errors and warnings only\n"
	"  -v, --verbose       log debug lines too\n"
	"  -h, --help          this help\n"
	"      --log-format F  text, or journal: priorities for journald "
	"(the default\n"
	"                      when $JOURNAL_STREAM is stderr)\n";

static const char period_help[] =
	"  -p, --period P      a period: 2017, 2017-Q4, 2017-03 or a contract "
	"year 2017/2018\n"
	"      --from P --to P a range of periods, e.g. --from 2017-01 --to "
	"2017-12\n";

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: peil COMMAND [OPTIONS]\n\n"
		"Peil evaluates the KPIs of the social domain from the exports "
		"of\nregistration systems.\n\nCommands:\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out, "\nRun 'peil COMMAND --help' for a command's options.\n"
		     "Exit codes: 0 ok, 1 a KPI failed, 2 an input was "
		     "rejected, 3 configuration\nerror, 4 storage or output "
		     "error, 5 a final figure changed, 6 figures incomplete\n"
		     "(KPIs not evaluated), 64 usage error, 75 the lock is "
		     "held by another peil.\n");
}

static void command_usage(FILE *out, const cli_command *c)
{
	fprintf(out, "Usage: peil %s [OPTIONS]%s%s\n\n%c%s.\n\nOptions:\n",
		c->name, c->args ? " " : "", c->args ? c->args : "",
		c->summary[0] - 'a' + 'A', c->summary + 1);
	if (c->help)
		fputs(c->help, out);
	if (c->takes_period)
		fputs(period_help, out);
	fprintf(out, common_help, default_config);
}

/* The command's long options after the common ones (and the period ones
 * when it takes a period), into out; the count. */
static size_t gather_options(const cli_command *c,
			     struct option out[MAX_OPTIONS])
{
	size_t n = 0, i;

	for (i = 0; i < sizeof(common_options) / sizeof(*common_options); i++)
		out[n++] = common_options[i];
	if (c->takes_period)
		for (i = 0; i < sizeof(period_options) / sizeof(*period_options);
		     i++)
			out[n++] = period_options[i];
	for (i = 0; c->options && c->options[i].name && n < MAX_OPTIONS - 1;
	     i++)
		out[n++] = c->options[i];
	memset(&out[n], 0, sizeof(out[n]));
	return n;
}

/* The short options among them, for getopt_long. */
static void short_options(const struct option *opts, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (opts[i].val <= 0 || opts[i].val > 127 || opts[i].flag)
			continue;
		out[k++] = (char)opts[i].val;
		if (opts[i].has_arg == required_argument)
			out[k++] = ':';
	}
	out[k] = '\0';
}

/* --kpi ID: once, or, for a command that takes several (eval), each
 * added to the list that kpi_wanted reads; a second one of another
 * command is refused rather than taking the last alone.  -1 when
 * refused. */
static int parse_kpi(const cli_command *c, cli_options *o, const char *id)
{
	static char list[1024];
	size_t used = strlen(list);

	if (!o->kpi) {
		o->kpi = id;
		return 0;
	}
	if (!c->kpi_several) {
		fprintf(stderr, "peil %s: --kpi given twice (%s, %s): it takes "
				"one KPI\n", c->name, o->kpi, id);
		return -1;
	}
	if (!used)
		used = (size_t)snprintf(list, sizeof(list), "%s", o->kpi);
	if (used + 1 + strlen(id) >= sizeof(list)) {
		fprintf(stderr, "peil %s: too many --kpi options\n", c->name);
		return -1;
	}
	snprintf(list + used, sizeof(list) - used, " %s", id);
	o->kpi = list;
	return 0;
}

static int parse_options(const cli_command *c, int argc, char **argv,
			 cli_options *o)
{
	struct option opts[MAX_OPTIONS];
	char shorts[2 * MAX_OPTIONS + 1];
	size_t n = gather_options(c, opts);
	int opt;

	short_options(opts, n, shorts);
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'k':
			if (parse_kpi(c, o, optarg) < 0)
				return EXIT_USAGE;
			break;
		case 'p':
			o->period = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case CLI_OPT_LANG:
			o->lang = optarg;
			break;
		case CLI_OPT_LOCALE:
			o->locale = optarg;
			break;
		case CLI_OPT_FROM:
			o->from = optarg;
			break;
		case CLI_OPT_TO:
			o->to = optarg;
			break;
		case CLI_OPT_DIR:
			o->dir = optarg;
			break;
		case CLI_OPT_MAX_AGE:
			o->max_age = optarg;
			break;
		case CLI_OPT_FORCE:
			o->force = 1;
			break;
		case CLI_OPT_FULL:
			o->full = 1;
			break;
		case CLI_OPT_FIELDS:
			o->fields = 1;
			break;
		case CLI_OPT_EVALUATE:
			o->evaluate = 1;
			break;
		case CLI_OPT_COMPARE:
			o->compare = optarg;
			break;
		case CLI_OPT_PUBLIC:
			o->public_only = 1;
			break;
		case CLI_OPT_CELL:
			o->cell = optarg;
			break;
		case CLI_OPT_ALL:
			o->all = 1;
			break;
		case CLI_OPT_FIELD_LIST:
			o->field_list = optarg;
			break;
		case CLI_OPT_DISTINCT:
			o->distinct = 1;
			break;
		case CLI_OPT_DRY_RUN:
			o->dry_run = 1;
			break;
		case CLI_OPT_TIMINGS:
			o->timings = 1;
			break;
		case CLI_OPT_KEEP:
		case CLI_OPT_OLDER_THAN: {
			char *end;
			long long v;

			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0) {
				fprintf(stderr, "peil: %s: expected a whole "
						"number above 0\n", optarg);
				return EXIT_USAGE;
			}
			*(opt == CLI_OPT_KEEP ? &o->keep : &o->older_than) = v;
			break;
		}
		case CLI_OPT_RUN: {
			char *end;

			errno = 0;
			o->run_id = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || o->run_id <= 0) {
				fprintf(stderr, "peil: --run %s: expected a "
						"run number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case CLI_OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") != 0 &&
			    strcmp(optarg, "journal") != 0) {
				fprintf(stderr, "peil: --log-format %s: expected "
						"text or journal\n", optarg);
				return EXIT_USAGE;
			}
			log_set_format(optarg[0] == 'j' ? LOG_FORMAT_JOURNAL
							: LOG_FORMAT_TEXT);
			break;
		case 'q':
			log_set_level(PEIL_LOG_WARNING);
			break;
		case 'v':
			log_set_level(PEIL_LOG_DEBUG);
			break;
		case 'h':
			command_usage(stdout, c);
			return -1;
		default:
			command_usage(stderr, c);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* --config over $PEIL_CONFIG over the default: conf/peil.ini for the
 * build tree's binary, so that the README's commands work from the
 * source tree, and SYSCONFDIR/peil/peil.ini for an installed one, which
 * cannot know the directory it is started from. */
static const char *config_path(void)
{
	const char *env = getenv("PEIL_CONFIG");
	char installed[PATH_MAX];

	if (env && *env)
		return env;
	if (self_path_in_build_tree())
		return default_config;
	if (self_path_installed_config(installed, sizeof(installed)) < 0)
		log_msg(PEIL_LOG_WARNING, "cannot tell where peil is installed;"
			" the config defaults to %s", CLI_DEFAULT_CONFIG);
	else
		memcpy(default_config, installed, sizeof(installed));
	return default_config;
}

int main(int argc, char **argv)
{
	const cli_command *c = NULL;
	cli_options o;
	size_t i;
	int rc;

	int32_t today;

	memset(&o, 0, sizeof(o));
	log_set_format(log_format_detect());	/* --log-format may change it */
	o.config = config_path();
	if (finality_today_override(&today) < 0) {
		log_msg(PEIL_LOG_ERROR, "PEIL_TODAY = %s: expected a date as "
			"jjjj-mm-dd", getenv("PEIL_TODAY"));
		return EXIT_USAGE;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return cli_check_stdout();
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("peil %s\n", PEIL_VERSION);
		return cli_check_stdout();
	}
	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			c = commands[i];
	if (!c) {
		fprintf(stderr, "peil: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	interrupt_install();
	rc = parse_options(c, argc - 1, argv + 1, &o);
	if (rc)
		return rc < 0 ? cli_check_stdout() : rc;
	if (!c->args && !c->own_usage && argc - 1 - optind > 0) {
		log_msg(PEIL_LOG_ERROR, "%s takes no arguments", c->name);
		return EXIT_USAGE;
	}
	rc = c->run(&o, argc - 1 - optind, argv + 1 + optind);
	/* Whatever a command printed and did not check itself: a listing
	 * cut short by a full disk is a failure, not exit 0. */
	rc = cli_worst(rc, cli_check_stdout());
	if (interrupt_requested() && interrupt_settled()) {
		log_msg(PEIL_LOG_WARNING, "%s came after the run was recorded "
			"as complete: it is, and the exit code says how it "
			"ended", interrupt_name(interrupt_requested()));
	} else if (interrupt_requested()) {	/* as a shell reports one */
		log_msg(PEIL_LOG_ERROR, "stopped by %s",
			interrupt_name(interrupt_requested()));
		return EXIT_INTERRUPTED + interrupt_requested();
	}
	return rc;
}
