/*
 * cmd_store.c - peil backup and peil prune: the upkeep of the store.
 * Both need version 2 of the storage plugin's ops; without it they are
 * refused as a matter of configuration (the plugin chosen cannot).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "base/log.h"
#include "engine/history.h"
#include "model/finality.h"

/* Whether the store can do what the command asks; EXIT_CONFIG with a
 * message if not. */
static int need_upkeep(const peil_context *ctx, const char *why)
{
	peil_error err;

	error_clear(&err);
	if (store_require(ctx->store, STORE_V2_CHANGES, why, &err) == 0)
		return EXIT_OK;
	log_error(&err);
	return EXIT_CONFIG;
}

static int cmd_backup(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	peil_error err;
	int rc;

	if (argc != 1) {
		log_msg(PEIL_LOG_ERROR, "backup takes one argument: the file "
			"to write");
		return EXIT_USAGE;
	}
	rc = cli_open(&ctx, o, CONTEXT_STORAGE);
	if (rc == 0)
		rc = need_upkeep(&ctx, "peil backup needs it");
	error_clear(&err);
	if (rc == 0 && store_backup(ctx.store, argv[0], &err) < 0) {
		log_error(&err);
		rc = EXIT_STORAGE;
	} else if (rc == 0) {
		log_msg(PEIL_LOG_INFO, "backup written to %s", argv[0]);
	}
	context_close(&ctx);
	return rc;
}

static int prune_runs(peil_context *ctx, const cli_options *o)
{
	history_pruned pruned;
	finality fin = settings_finality(&ctx->settings);
	peil_error err;

	error_clear(&err);
	if (history_prune(ctx, &fin, o->keep, o->older_than, &pruned,
			  &err) < 0) {
		log_error(&err);
		return EXIT_STORAGE;
	}
	log_msg(PEIL_LOG_INFO,
		"prune: %zu runs picked, %lld deleted, %lld figures "
		"deleted; the latest figures of final periods are "
		"kept", pruned.picked, (long long)pruned.runs,
		(long long)pruned.figures);
	return EXIT_OK;
}

static int cmd_prune(const cli_options *o, int argc, char **argv)
{
	peil_context ctx;
	run_lock lock = { -1 };
	int rc;

	(void)argv;
	if (argc || (!o->keep && !o->older_than)) {
		log_msg(PEIL_LOG_ERROR, "prune needs --keep N or --older-than "
			"DAYS, and no arguments");
		return EXIT_USAGE;
	}
	rc = cli_open_locked(&ctx, o, CONTEXT_STORAGE, &lock);
	if (rc == 0)
		rc = need_upkeep(&ctx, "peil prune needs it");
	if (rc == 0)
		rc = prune_runs(&ctx, o);
	run_lock_release(&lock);
	context_close(&ctx);
	return rc;
}

static const struct option prune_options[] = {
	{ "keep", required_argument, NULL, CLI_OPT_KEEP },
	{ "older-than", required_argument, NULL, CLI_OPT_OLDER_THAN },
	{ NULL, 0, NULL, 0 }
};

const cli_command cmd_backup_command = {
	.name = "backup",
	.args = "FILE",
	.summary = "write a consistent copy of the store to a new file, also "
		   "while runs go on",
	.run = cmd_backup,
};

const cli_command cmd_prune_command = {
	.name = "prune",
	.own_usage = 1,
	.summary = "delete old runs, keeping the latest figures of final "
		   "periods",
	.help = "      --keep N         keep the newest N runs\n"
		"      --older-than D   only runs started more than D days "
		"ago\n",
	.options = prune_options,
	.run = cmd_prune,
};
