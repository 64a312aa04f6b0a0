/*
 * cli.h - what the subcommands of peil share: options, exit codes, and the
 * steps several commands take (open the context, ingest, evaluate).
 *
 * Each command lives in a cmd_*.c file and exports one cli_command; main.c
 * lists them.
 */
#ifndef PEIL_CLI_H
#define PEIL_CLI_H

#include <getopt.h>
#include <stdint.h>

#include "base/out_file.h"
#include "engine/context.h"
#include "engine/run_lock.h"
#include "report/output.h"

/* Exit codes (README); when several apply, the highest wins. */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_KPI_FAILED = 1,	/* some KPIs failed, or a script did not load */
	EXIT_INPUT_REJECTED = 2, /* a file refused, rows rejected, or a
				    dataset's input older than its
				    max_age_days */
	EXIT_CONFIG = 3,	/* configuration, plugin, script, period */
	EXIT_STORAGE = 4,	/* the store or an output could not be written */
	EXIT_FINAL_CHANGED = 5,	/* run: a figure of a final period changed */
	EXIT_INCOMPLETE = 6,	/* some KPIs or periods were not evaluated (a
				   dataset or field missing, no data yet):
				   the figures are incomplete */
	EXIT_USAGE = 64,	/* sysexits.h EX_USAGE */
	EXIT_LOCKED = 75,	/* another peil holds the lock (EX_TEMPFAIL:
				   try again later) */
	EXIT_INTERRUPTED = 128	/* + the signal: 130 SIGINT, 143 SIGTERM */
};

#define CLI_DEFAULT_CONFIG "conf/peil.ini"

struct finality;

/* Every option of every command; a command reads the ones it declares. */
typedef struct cli_options {
	const char *config;
	const char *kpi;
	const char *period;
	const char *from;
	const char *to;
	const char *format;
	const char *lang;	/* --lang nl|en */
	const char *locale;	/* --locale nl|en */
	const char *output;	/* -o FILE */
	const char *dir;	/* init --dir DIR */
	const char *max_age;	/* status --max-age AGE */
	long long run_id;
	long long keep;		/* prune --keep */
	long long older_than;	/* prune --older-than, days */
	int force;
	int full;		/* run --full */
	int fields;		/* list --fields */
	int evaluate;		/* report --evaluate */
	const char *compare;	/* report --compare LIST */
	int dry_run;		/* eval --dry-run */
	int timings;		/* eval --timings */
	int public_only;	/* report/export --public */
	const char *cell;	/* cases --cell field=value,... */
	int all;		/* cases --all */
	const char *field_list;	/* cases --fields A,B */
	int distinct;		/* cases --distinct */
} cli_options;

/* Option codes beyond the one-letter ones. */
enum {
	CLI_OPT_FROM = 1000,
	CLI_OPT_TO,
	CLI_OPT_RUN,
	CLI_OPT_FORCE,
	CLI_OPT_LANG,
	CLI_OPT_LOCALE,
	CLI_OPT_KEEP,
	CLI_OPT_OLDER_THAN,
	CLI_OPT_DIR,
	CLI_OPT_MAX_AGE,
	CLI_OPT_LOG_FORMAT,
	CLI_OPT_FIELDS,
	CLI_OPT_EVALUATE,
	CLI_OPT_DRY_RUN,
	CLI_OPT_TIMINGS,
	CLI_OPT_COMPARE,
	CLI_OPT_PUBLIC,
	CLI_OPT_CELL,
	CLI_OPT_ALL,
	CLI_OPT_FIELD_LIST,
	CLI_OPT_DISTINCT,
	CLI_OPT_FULL
};

/* The help lines of --lang and --locale. */
#define CLI_LANG_HELP                                                     \
	"      --lang L        labels in nl (default) or en\n"             \
	"      --locale L      numbers for Dutch Excel (nl: ';' and decimal " \
	"comma,\n                      default) or en (',' and '.'); text "  \
	"tables\n                      take its decimal mark\n"

typedef struct cli_command {
	const char *name;
	const char *args;	/* e.g. "[SOURCE]"; NULL: main refuses any,
				   "NAME takes no arguments", unless
				   own_usage */
	int own_usage;		/* run says what is wrong with arguments */
	const char *summary;	/* one line, lower case, no full stop */
	const char *help;	/* its own options, one per line */
	int takes_period;	/* --period / --from / --to */
	int kpi_several;	/* --kpi more than once: the KPIs of each */
	const struct option *options;	/* its own options, beyond the common */
	int (*run)(const cli_options *o, int argc, char **argv);
} cli_command;

extern const cli_command cmd_run_command;
extern const cli_command cmd_ingest_command;
extern const cli_command cmd_eval_command;
extern const cli_command cmd_show_command;
extern const cli_command cmd_check_command;
extern const cli_command cmd_list_command;
extern const cli_command cmd_test_command;
extern const cli_command cmd_explain_command;
extern const cli_command cmd_cases_command;
extern const cli_command cmd_catalogue_command;
extern const cli_command cmd_runs_command;
extern const cli_command cmd_diff_command;
extern const cli_command cmd_backup_command;
extern const cli_command cmd_prune_command;
extern const cli_command cmd_report_command;
extern const cli_command cmd_export_command;
extern const cli_command cmd_init_command;
extern const cli_command cmd_status_command;

int cli_worst(int a, int b);

/* Open -o's temporary file (stdout without -o): 0 or EXIT_STORAGE. */
int cli_out_open(out_file *o, const char *path);
/* Commit the output when ok, else discard it; a write that failed is
 * EXIT_STORAGE with "cannot write FILE: cause". */
int cli_out_close(out_file *o, int ok);
/* Why a KPI's figures changed from run old_run to run new_run: its
 * definition hash recorded with each run differs (definition), or else
 * the runs' inputs fingerprints do (input); unknown when a run recorded
 * neither (report_revisions.c).  NULL when out of memory. */
typedef struct cli_causes cli_causes;
cli_causes *cli_causes_read(peil_context *ctx, int64_t old_run,
			    int64_t new_run);
/* The cause for kpi; causes is a cli_causes. */
enum revision_cause cli_cause_of(void *causes, const char *kpi);
void cli_causes_free(cli_causes *c);
/* The revisions of the disclosed figures of run run_id over [from, to]
 * (only KPI kpi when not NULL) against the previous report of the period,
 * else the previous published run covering it (report_revisions.c), into
 * *r (release with revisions_release); figures are sorted again.  It never
 * fails a report: what cannot be compared is r->known 0 with why, logged
 * as a warning.  public_only: the earlier figures pass the public rules
 * (cli_disclose_public), as the figures did. */
void cli_revisions(peil_context *ctx, int64_t run_id, int32_t from,
		   int32_t to, const char *kpi, int public_only,
		   result_table *figures, revisions *r);
/* Record the report written to o->output (peil report -o) of run run_id;
 * a warning when the store cannot (version 8 of peil_storage_ops, or a
 * read-only store). */
void cli_record_report(peil_context *ctx, const cli_options *o,
		       int64_t run_id, const char *period_id, int32_t from,
		       int32_t to, const char *format);
/* context_open with the exit code of its failure (0 on success); close
 * the context in every case.  The store, when what opens it, is opened
 * as a reader (CONTEXT_READER): a command without the lock only reads. */
int cli_open(peil_context *ctx, const cli_options *o, unsigned what);
/* cli_open for a command that writes: the run lock (cli_lock) is taken
 * before the store is opened, so that the command waits for another's
 * run or ingest, which may keep the store to itself (a large ingest
 * does), for the lock's wait rather than the store's busy timeout; the
 * store's own lock (store_lock, version 14) right after it is opened.
 * Either held by another: EXIT_LOCKED. */
int cli_open_locked(peil_context *ctx, const cli_options *o, unsigned what,
		    run_lock *lock);
/* The notes on the inputs of run_id (datasets whose input was stale
 * when it began, KPIs partly covered by their input), as the run kept
 * them with its KPIs (model/input_age.h), added to *out (release with
 * input_ages_release).  0, or EXIT_STORAGE with a message. */
int cli_read_stale(const peil_context *ctx, int64_t run_id, input_ages *out);

/* --format, --lang and --locale into *out (kpis NULL), or EXIT_USAGE
 * with a message. */
int cli_output_options(const cli_options *o, output_options *out);
/* --lang as labels, or NULL with a message. */
const labels *cli_labels(const cli_options *o);
/* The figures of run asked (0: the latest that recorded figures), only
 * of KPI kpi when not NULL, only of periods within [from, to] when
 * has_range, into t (sorted, not yet disclosed).  0; with a message
 * EXIT_USAGE when there is no such run or KPI, EXIT_STORAGE when the
 * store fails. */
/* Mark t's figures provisional or final (finality.h) as of the day their
 * run t->run_id began: what the run published, not what they would be
 * today.  The one place show, report and eval's outputs take finality
 * from; a store failure is logged and leaves them unknown.  Returns 1
 * when the run is not published (an ad-hoc eval, or a run that failed:
 * history_run_published), so that the output says so, else 0. */
int cli_mark_finality(const peil_context *ctx, result_table *t);
/* Warn of each KPI of run_id (only kpi when not NULL) whose script changed
 * or went away since the run: what is printed of it comes from the scripts
 * as they are now. */
void cli_warn_changed_scripts(const peil_context *ctx, int64_t run_id,
			      const char *kpi);
int cli_read_figures(const peil_context *ctx, int64_t asked, const char *kpi,
		     int has_range, int32_t from, int32_t to, result_table *t);
/* Apply the small-cell rules of ctx's [privacy] section to the sorted
 * table t, then compare its figures with earlier periods (the KPIs'
 * compare) and drop the rows there only for that
 * (model/comparison.h): 0, or EXIT_STORAGE when out of memory. */
int cli_disclose(const peil_context *ctx, result_table *t);
/* The same for a public output: only the rows of public KPIs
 * (kpi_info is_public) are kept, and the rules are [privacy public]'s. */
int cli_disclose_public(const peil_context *ctx, result_table *t);
/* The comparisons (KPI_COMPARE_*) KPI id of the kpi_set kpis asks for;
 * 0 for an unknown id (model/comparison.h's comparison_asks). */
unsigned cli_compare_asks(void *kpis, const char *id);
/* The first and last day of a period id (a contract year "2018/2019"
 * with the config's [contract] start_month), or -1 with a message. */
int cli_period_bounds(const cli_options *o, const char *text, int32_t *first,
		      int32_t *last);
/* The range of --period or --from/--to, or EXIT_USAGE with a message. */
int cli_range(const cli_options *o, int32_t *from, int32_t *to);
/* The range of [run] periods, or EXIT_CONFIG with a message. */
int cli_run_range(const peil_context *ctx, int32_t *from, int32_t *to);
/* Ingest every source (or only one; force as ingest_sources takes it:
 * INGEST_FORCE, INGEST_REHASH); the exit code. */
int cli_ingest(peil_context *ctx, const char *only, int force);
/* Print a run's figures t as peil run and eval do (out NULL: print
 * nothing): marked provisional or final as of today by fin (NULL: not
 * marked), small cells hidden; the exit code. */
int cli_write_run(peil_context *ctx, const output_options *out,
		  const struct finality *fin, result_table *t,
		  const input_ages *stale);
/* Evaluate, record and print (out NULL: print nothing); the exit code.
 * With run_id not NULL, the recorded run's id goes there (0 when none was
 * recorded).  kind NULL: a dry run, which records nothing (evaluation_run).
 * fin (NULL: none) marks the printed figures provisional or
 * final as of today.  keep_from: the run whose figures the KPIs marked
 * kept keep (evaluation_run); 0 evaluates every KPI. */
int cli_evaluate(peil_context *ctx, const char *kind, int32_t from,
		 int32_t to, const char *only_kpi, int64_t keep_from,
		 const output_options *out, const struct finality *fin,
		 int64_t *run_id);
/* The lock file into out (size bytes; NULL only checks that there is
 * one): [run] lock_file, else where the storage plugin suggests, which
 * loads the plugin but opens no store; else, for a store that locks
 * itself (version 14), none: "".  0; else err is set and the exit code
 * is EXIT_CONFIG when none of them gives one, EXIT_STORAGE when the
 * plugin fails. */
int cli_lock_path(peil_context *ctx, char *out, size_t size, peil_error *err);
/* Whether a peil holds that lock now (a run under way): 1, 0 when none
 * does, -1 when it cannot be told (no lock file: a store that locks
 * itself; err says why).  The probe gives the lock back at once. */
int cli_lock_held(peil_context *ctx, peil_error *err);
/* Take the lock of the commands that write the store (cli_lock_path),
 * waiting [run] lock_wait seconds (600).  0, EXIT_LOCKED, EXIT_CONFIG or
 * EXIT_STORAGE, with a message. */
int cli_lock(peil_context *ctx, run_lock *lock);
/* A progress line on stdout, only when stdout is a terminal: under a
 * timer or in a pipe it would be noise among the figures. */
void cli_progress(const char *fmt, ...) PEIL_PRINTF(1, 2);
/* Flush stdout and check that every write to it succeeded: EXIT_OK, or
 * EXIT_STORAGE with "cannot write stdout: cause" logged (a full disk
 * under "> FILE", /dev/full).  Call it right after the writes, while a
 * failed write's errno still names the cause. */
int cli_check_stdout(void);

/* One plugin as peil list and peil check show it, on stdout after
 * indent: name, kind, version, plugin ABI version and the file it was
 * loaded from, then its description:
 *   csv      input    0.1.0   ABI 1  /usr/lib/peil/plugins/csv.so
 * Returns 0, or -1 when stdout failed. */
int cli_plugin_line(const char *indent, const peil_plugin *p,
		    const char *path);

#endif
