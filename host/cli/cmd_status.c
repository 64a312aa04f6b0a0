/*
 * cmd_status.c - peil status: the last scheduled run as a monitoring
 * check, by the Nagios/Icinga plugin conventions: one line "PEIL STATE -
 * why | perfdata" and the exit code 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN (engine/run_status.h decides).
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "base/log.h"
#include "engine/run_status.h"

/* The newest run of kind "run" (peil eval records its own), copied out
 * of the scan. */
struct status_run {
	int found;
	int64_t id, started, ended;
	char status[32];
};

static int pick_scheduled(void *arg, const peil_run_record *r)
{
	struct status_run *s = arg;

	if (strcmp(r->kind, "run") != 0)
		return 0;
	s->found = 1;
	s->id = r->id;
	s->started = r->started;
	s->ended = r->ended;
	snprintf(s->status, sizeof(s->status), "%s", r->status);
	return 1;	/* newest first: this is the one */
}

static int count_failed(void *arg, const peil_run_kpi *k)
{
	*(long *)arg += strcmp(k->status, "failed") == 0;
	return 0;
}

/* An UNKNOWN line for a check that could not look. */
static int status_unknown(const peil_error *err)
{
	char text[2048];

	error_format(err, text, sizeof(text));
	printf("PEIL UNKNOWN - %s\n", text);
	return RUN_STATUS_UNKNOWN;
}

/* --max-age: hours, or N followed by h or d. */
static int parse_max_age(const char *text, int64_t *seconds)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno || end == text || v <= 0 || v > 24LL * 365 * 100)
		return -1;
	if (*end == 'd' && !end[1])
		v *= 24;
	else if (*end && !(*end == 'h' && !end[1]))
		return -1;
	*seconds = v * 3600;
	return 0;
}

static int cmd_status(const cli_options *o, int argc, char **argv)
{
	struct status_run run = { 0, 0, 0, 0, "" };
	run_status_facts f;
	run_status_state state;
	char lock_path[4096], why[1024];
	peil_context ctx;
	peil_error err;
	int64_t age;
	long failed = 0;
	int about_run;

	(void)argv;
	memset(&f, 0, sizeof(f));
	if (argc || (o->max_age && parse_max_age(o->max_age, &f.max_age) < 0)) {
		printf("PEIL UNKNOWN - usage: peil status [--max-age HOURS|"
		       "Nh|Nd]\n");
		return RUN_STATUS_UNKNOWN;
	}
	error_clear(&err);
	if (context_open(&ctx, o->config, CONTEXT_STORAGE | CONTEXT_READER,
			 NULL, NULL, &err) != 0 ||
	    store_runs_scan(ctx.store, 0, pick_scheduled, &run, &err) < 0 ||
	    (run.found && store_run_kpis_scan(ctx.store, run.id, count_failed,
					      &failed, &err) < 0) ||
	    cli_lock_path(&ctx, lock_path, sizeof(lock_path), &err) != 0) {
		context_close(&ctx);
		return status_unknown(&err);
	}
	if (lock_path[0] == '\0') {
		/* A store that locks itself: no file to keep the exit code
		 * beside, nor a lock to probe from here. */
		error_set(&err, ctx.cfg->path, 0, NULL,
			  "[run] lock_file is not set: peil status reads the "
			  "exit code kept beside it, and probes that lock");
		context_close(&ctx);
		return status_unknown(&err);
	}
	f.has_run = run.found;
	f.run_id = run.id;
	f.status = run.status;
	f.started = run.started;
	f.ended = run.ended;
	f.has_exit = run_status_read(lock_path, &f.exit) == 0;
	/* Held means a run is under way. */
	f.lock_held = cli_lock_held(&ctx, &err);
	if (f.lock_held < 0) {
		context_close(&ctx);
		return status_unknown(&err);
	}
	f.now = (int64_t)time(NULL);
	state = run_status_judge(&f, why, sizeof(why), &age, &about_run);
	printf("PEIL %s - %s", run_status_name(state), why);
	if (age >= 0) {
		printf(" | age=%llds;;", (long long)age);
		if (f.max_age)
			printf("%lld", (long long)f.max_age);
		printf(";0;");
		if (about_run && run.ended)
			printf(" duration=%llds;;;0;",
			       (long long)(run.ended - run.started));
		if (about_run)
			printf(" kpis_failed=%ld;;;0;", failed);
	}
	printf("\n");
	context_close(&ctx);
	if (fflush(stdout) != 0 || ferror(stdout))
		return RUN_STATUS_UNKNOWN;
	return state;
}

static const struct option status_options[] = {
	{ "max-age", required_argument, NULL, CLI_OPT_MAX_AGE },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_status_command = {
	.name = "status",
	.own_usage = 1,
	.summary = "the last scheduled run as a monitoring check "
		   "(Nagios/Icinga: exit 0-3, perfdata)",
	.help = "      --max-age AGE   CRITICAL when the last run is older: "
		"hours, or Nh or Nd\n",
	.options = status_options,
	.run = cmd_status,
};
