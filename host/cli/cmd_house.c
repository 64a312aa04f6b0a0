/*
 * cmd_house.c - peil backup and peil prune: housekeeping of the store.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "model/finality.h"
#include "base/log.h"

/* Whether the store's plugin has the op; EXIT_CONFIG with a message if
 * not. */
static int need_op(const peil_context *ctx, int has, const char *what)
{
	if (has)
		return EXIT_OK;
	log_msg(PEIL_LOG_ERROR, "the storage plugin '%s' cannot %s",
		ctx->storage_plugin->plugin->name, what);
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
		rc = need_op(&ctx, LOADER_STORAGE_HAS(ctx.storage, backup),
			     "make a backup");
	error_clear(&err);
	if (rc == 0 &&
	    ctx.storage->backup(ctx.storage_state, argv[0], &err) < 0) {
		log_error(&err);
		rc = EXIT_STORAGE;
	} else if (rc == 0) {
		log_msg(PEIL_LOG_INFO, "backup written to %s", argv[0]);
	}
	context_close(&ctx);
	return rc;
}

struct prune_pick {
	long long keep;		/* the newest runs kept; 0: no limit */
	int64_t before;		/* runs started before are old; 0: none */
	size_t seen;
	int64_t *ids;
	size_t count;
	int oom;
};

/* Runs come newest first.  A run goes when every given condition says
 * so: beyond the newest keep, and started before the age limit. */
static int pick_run(void *arg, const peil_run_record *run)
{
	struct prune_pick *p = arg;
	int64_t *grown;

	p->seen++;
	if (p->keep && p->seen <= (size_t)p->keep)
		return 0;
	if (p->before && run->started >= p->before)
		return 0;
	grown = realloc(p->ids, (p->count + 1) * sizeof(*grown));
	if (!grown) {
		p->oom = 1;
		return -1;
	}
	p->ids = grown;
	p->ids[p->count++] = run->id;
	return 0;
}

struct final_ctx {
	finality fin;
	int32_t today;
};

static int period_is_final(void *arg, const char *period_id)
{
	struct final_ctx *f = arg;

	return finality_is_final(&f->fin, period_id, f->today);
}

static int prune_runs(peil_context *ctx, const cli_options *o)
{
	struct prune_pick pick;
	struct final_ctx fc;
	peil_prune prune;
	peil_error err;
	int64_t runs = 0, figures = 0;
	int rc = EXIT_OK;

	memset(&pick, 0, sizeof(pick));
	pick.keep = o->keep;
	if (o->older_than)
		pick.before = (int64_t)time(NULL) - o->older_than * 86400;
	error_clear(&err);
	fc.today = finality_today();
	fc.fin = settings_finality(&ctx->settings);
	if (ctx->storage->runs_scan(ctx->storage_state, 0, pick_run, &pick,
				    &err) < 0) {
		if (pick.oom)
			error_set(&err, NULL, 0, NULL, "out of memory");
		rc = EXIT_STORAGE;
	} else {
		prune.run_ids = pick.ids;
		prune.run_count = pick.count;
		prune.period_final = period_is_final;
		prune.ctx = &fc;
		if (ctx->storage->runs_prune(ctx->storage_state, &prune, &runs,
					     &figures, &err) < 0)
			rc = EXIT_STORAGE;
	}
	if (rc)
		log_error(&err);
	else
		log_msg(PEIL_LOG_INFO,
			"prune: %zu runs picked, %lld deleted, %lld figures "
			"deleted; the latest figures of final periods are "
			"kept", pick.count, (long long)runs,
			(long long)figures);
	free(pick.ids);
	return rc;
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
		rc = need_op(&ctx, LOADER_STORAGE_HAS(ctx.storage, runs_prune),
			     "prune runs");
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
	.summary = "delete old runs, keeping the latest figures of final "
		   "periods",
	.help = "      --keep N         keep the newest N runs\n"
		"      --older-than D   only runs started more than D days "
		"ago\n",
	.options = prune_options,
	.run = cmd_prune,
};
