/*
 * peil/plugin.h - the one ABI between the Peil host and its plugins.
 *
 * A plugin is a shared object that exports one function, peil_plugin_entry(),
 * returning a const descriptor.  The host loads it with RTLD_NOW | RTLD_LOCAL,
 * checks the descriptor's ABI version and size, and from then on talks to it
 * only through the callbacks in the descriptor.  The plugin talks to the host
 * only through the services table the host passes to its open callback: a
 * plugin links against nothing of the host, so it can be tested against a
 * fake table, and a missing symbol fails at load time.
 *
 * Versioning.  peil_plugin and peil_services begin with the ABI version and
 * their own size.  Fields are only ever appended; a reader reads a field only
 * when the struct's size says it is there.  PEIL_ABI_VERSION changes only when
 * an existing field changes meaning, and then the host refuses plugins built
 * for another version, naming both.
 *
 * Each struct that grew is in groups, one per version of that struct, each
 * group labelled "version N" where it begins, and PEIL_<STRUCT>_SIZE_VN is
 * the size of a struct that ends with version N: the one measure that the
 * host and a plugin share of what "version N complete" means.  A group's
 * callbacks are all set or the group counts as absent.
 *
 * Conventions.
 *  - Every callback that can fail returns int: 0 on success, negative on
 *    failure, and then fills the caller-owned peil_error it was given.
 *  - Memory is never allocated on one side and freed on the other.  Strings
 *    and values passed into a callback are valid only during that callback.
 *  - Dates are days since 1970-01-01 in the proleptic Gregorian calendar.
 *  - Text is UTF-8.  A peil_value's text is NUL-terminated and also has len.
 *
 * docs/plugins.md is the guide; plugins/in_example/ the smallest working plugin.
 */
#ifndef PEIL_PLUGIN_H
#define PEIL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PEIL_ABI_VERSION 1u

/* The name of the one symbol a plugin exports. */
#define PEIL_PLUGIN_ENTRY_SYMBOL "peil_plugin_entry"

#if defined(__GNUC__)
#define PEIL_EXPORT __attribute__((visibility("default")))
#define PEIL_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PEIL_EXPORT
#define PEIL_PRINTF(fmt, args)
#endif

/* The size of a struct that ends with field: the offsetof-end of its last
 * field, as the PEIL_*_SIZE_V* macros below measure each version. */
#define PEIL_SIZE_TO(type, field)                                          \
	(offsetof(type, field) + sizeof(((type *)0)->field))

/* ---------------------------------------------------------------- values */

typedef enum peil_type {
	PEIL_TYPE_NULL = 0,	/* a missing value (empty cell) */
	PEIL_TYPE_TEXT = 1,
	PEIL_TYPE_INTEGER = 2,
	PEIL_TYPE_REAL = 3,
	PEIL_TYPE_DATE = 4,	/* days since 1970-01-01 */
	PEIL_TYPE_BOOLEAN = 5
} peil_type;

typedef struct peil_value {
	peil_type type;
	size_t len;		/* bytes of as.text, without its NUL */
	union {
		const char *text;
		int64_t integer;
		double real;
		int32_t date;
		int boolean;	/* 0 or 1 */
	} as;
} peil_value;

/* ------------------------------------------------------------- datasets */

#define PEIL_FIELD_KEY 0x1u	 /* part of the dataset's key */
#define PEIL_FIELD_REQUIRED 0x2u /* a record without it is refused */
/* A citizen number (BSN): a text field whose values the host checks with
 * the 11-proef and replaces by their HMAC-SHA256 (64 hex digits) before
 * the storage sees them.  Storage plugins treat it as text. */
#define PEIL_FIELD_BSN 0x4u

typedef struct peil_field {
	const char *name;
	peil_type type;
	unsigned flags;		/* PEIL_FIELD_* */
} peil_field;

/* A dataset's declared schema.  Records are arrays of field_count values in
 * the order of fields[]. */
typedef struct peil_schema {
	const char *name;
	size_t field_count;
	const peil_field *fields;
} peil_schema;

/* A scan filter: a comparison of one field with a value, or an AND / OR of
 * children.  A NULL filter selects every row.  Comparing with a NULL value
 * follows SQL: it selects nothing; use IS_NULL / NOT_NULL instead. */
typedef enum peil_op {
	PEIL_OP_EQ = 1,
	PEIL_OP_NE,
	PEIL_OP_LT,
	PEIL_OP_LE,
	PEIL_OP_GT,
	PEIL_OP_GE,
	PEIL_OP_IS_NULL,
	PEIL_OP_NOT_NULL,
	PEIL_OP_AND,
	PEIL_OP_OR
} peil_op;

typedef struct peil_filter {
	peil_op op;
	size_t field;		/* comparisons: index into the schema's fields */
	peil_value value;	/* comparisons but IS_NULL / NOT_NULL */
	size_t child_count;	/* AND / OR */
	const struct peil_filter *children;
} peil_filter;

/* Called once per scanned row with the projected values.  Return 0 to go
 * on; any other value stops the scan, which then returns that value. */
typedef int (*peil_row_fn)(void *ctx, const peil_value *values);

/* --------------------------------------------------------------- errors */

/* Caller-owned.  file/line/field say where the problem is, as exactly as
 * known: the input file and its physical line, or the config file and its
 * line; field is the column header or field name.  Empty / 0 when unknown. */
typedef struct peil_error {
	char file[512];
	long line;
	char field[256];
	char message[1024];
} peil_error;

/* ------------------------------------------------------- run and results */

/* One file that an ingest committed. */
typedef struct peil_ingest_entry {
	const char *source;	/* config section name */
	const char *dataset;
	const char *path;
	const char *sha256;	/* hex of the file's content */
	int64_t rows;		/* records stored */
	int64_t rejected;	/* records written to the reject file */
	int64_t at;		/* unix seconds */
	int64_t id;		/* set by ingest_scan; ignored by ingest_log */
	/* SHA-256 hex of the source's settings (its config section) that
	 * read the file, then a space and the input plugin's name and
	 * version ("HEX csv 1.0"; the hex alone when logged before the host
	 * kept them): the same file read another way is another ingest.
	 * For a dataset with a citizen-number field, " key " and the
	 * fingerprint of the key they were hashed with follow (16 hex
	 * digits, docs/security.md).  Storage plugins keep and compare it as opaque text. */
	const char *settings_sha256;

	/* ---- since storage ops version 13 ---- */

	/* The file as it was when it was hashed: its size in bytes, its
	 * modification time in nanoseconds since the epoch and its inode
	 * number (0 when not known), so that a later ingest may skip the
	 * hash of a file unchanged in all three.  The host sets them for
	 * ingest_log, and reads them from ingest_scan, only of a store
	 * whose keeps_run_confirmations is set. */
	int64_t file_size;
	int64_t file_mtime_ns;
	int64_t file_inode;
} peil_ingest_entry;

typedef struct peil_run_info {
	const char *kind;	/* "run", "eval" or "cases" */
	int64_t started;	/* unix seconds */
	const char *period_from; /* ISO date */
	const char *period_to;
	const char *config_sha256;
	const char *scripts_sha256;
	const char *inputs_sha256; /* fingerprint of the ingest log */

	/* ---- since storage ops version 12 ---- */

	/* What a run of kind "cases" listed (peil cases): the KPI, period,
	 * cell and options, e.g. "zrm_vooruit 2018-Q1 {"domain":"Financien"}
	 * --fields date,score"; NULL for other runs.  A store keeps it when
	 * its keeps_run_listings is set; the host sets it for any store. */
	const char *listing;

	/* ---- since storage ops version 13 ---- */

	/* The run whose figures this one confirms: nothing it was built
	 * from changed since (its inputs, definitions, periods and the
	 * finality of its periods), so the run evaluated nothing and
	 * records no figures of its own; 0 for a run that evaluates.  The
	 * host sets it only for a store whose keeps_run_confirmations is
	 * set. */
	int64_t confirms;

	/* ---- since storage ops version 18 ---- */

	/* SHA-256 hex of the code that evaluated: the peil binary and the
	 * storage plugin that read its rows back (engine/build_id.h), so
	 * that a run of another build does not confirm this one's figures.
	 * The host sets it only for a store whose keeps_run_builds is set. */
	const char *build_sha256;
} peil_run_info;

/* A run as recorded, read back by runs_scan. */
typedef struct peil_run_record {
	int64_t id;
	const char *kind;
	int64_t started;	/* unix seconds */
	int64_t ended;		/* 0 while running */
	const char *status;	/* "running", "ok", "kpi failed", ... */
	const char *period_from;
	const char *period_to;
	const char *config_sha256;
	const char *scripts_sha256;
	const char *inputs_sha256;

	/* ---- since storage ops version 12 ---- */

	/* peil_run_info.listing as recorded; NULL when none.  The host
	 * reads it from runs_scan only of a store whose keeps_run_listings
	 * is set (the struct of any other may end before it). */
	const char *listing;

	/* ---- since storage ops version 13 ---- */

	/* As peil_run_info.confirms; 0 for a run recorded before.  The host
	 * reads it only from a store whose keeps_run_confirmations is set
	 * (the struct of any other may end before it). */
	int64_t confirms;

	/* ---- since storage ops version 18 ---- */

	/* As peil_run_info.build_sha256; NULL for a run recorded before.
	 * The host reads it only from a store whose keeps_run_builds is
	 * set. */
	const char *build_sha256;
} peil_run_record;

/* A report written to a file (peil report -o), as recorded (version 8 of
 * peil_storage_ops): the run whose figures it shows, so that a later report
 * of the period can say which figures changed since. */
typedef struct peil_report_record {
	int64_t id;		/* set by reports_scan; report_put ignores it */
	int64_t run_id;		/* the run whose figures it shows */
	const char *period;	/* as asked: "2018-Q1", or "FROM – TO" */
	const char *period_from, *period_to;	/* ISO dates */
	const char *kpi;	/* --kpi, or NULL: every KPI */
	const char *format;	/* "html", "csv" or "json" */
	const char *lang;	/* "nl" or "en" */
	const char *path;	/* the file written */
	int64_t written;	/* unix seconds */
} peil_report_record;

/* The outcome of one KPI in a run: its identity as evaluated, and whether
 * it failed. */
typedef struct peil_run_kpi {
	const char *kpi;
	const char *title;
	const char *unit;
	const char *script;	/* path of the defining file */
	/* The KPI's definition hash: SHA-256 hex over its script file's,
	 * its [kpi ID] settings, [contract] and the group files (the
	 * script file's alone when recorded before Peil hashed more). */
	const char *script_sha256;
	const char *status;	/* "ok" or "failed" */
	const char *message;	/* the error, or NULL */

	/* ---- since storage ops version 11 ---- */

	/* The definition in force, as `peil explain` printed it when the
	 * run began (`peil explain --run N`); NULL when not recorded.  The
	 * host sets it for run_kpi_put; it reads it from run_kpis_scan only
	 * of a store whose keeps_kpi_definitions is set (the struct of any
	 * other may end before it). */
	const char *definition;
} peil_run_kpi;

/* One figure.  Missing numbers are NaN. */
typedef struct peil_result {
	int64_t run_id;		/* set by results_scan; ignored by result_put */
	const char *kpi;
	const char *period;	/* "2017", "2017-Q4", "2017-03" */
	const char *breakdown;	/* JSON object, fields in declared order; "{}" is the total */
	double value;
	double numerator;
	double denominator;
	const char *status;	/* "met", "not met", or NULL without a target */

	/* ---- since storage ops version 9 ---- */

	/* The figure's size: the rows (or, for a KPI that counts persons,
	 * the persons) behind it, for every rule; NaN when unknown.  The
	 * small-cell rules hide a figure by its size.  The host sets it for
	 * result_put (a store before version 8 does not see it); it reads it
	 * from results_scan only of a store whose keeps_result_size is set,
	 * and takes it as unknown from any other (whose struct may end
	 * before it). */
	double size;

	/* ---- since storage ops version 10 ---- */

	/* Nonzero for a figure of a period before the run's range, which
	 * the run evaluated only to compare its figures with (a KPI's
	 * compare): kept with the run, but never one of its figures, nor
	 * a published figure of that period.  The host sets it for
	 * result_put only of a store whose keeps_earlier_figures is set
	 * (it stores no such figure in any other), and reads it from
	 * results_scan only of such a store (0 from any other). */
	int earlier;
} peil_result;

typedef struct peil_result_query {
	int64_t run_id;		/* 0: the latest run that recorded its
				   figures (status ok or kpi failed) */
	const char *kpi;	/* NULL: every KPI */
} peil_result_query;

/* One change that an ingest made to a stored row, read back by
 * input_changes_scan.  kind is "added", "changed" (a field of the row as
 * the ingest's batch left it differs from the row before the batch: a
 * row changed and changed back within the batch did not change) or
 * "removed" (missing from a snapshot export). */
typedef struct peil_input_change {
	int64_t ingest_id;	/* the ingest log entry that made it */
	const char *dataset;
	const char *key;	/* the key fields' values joined by " / "; the
				   row number for a dataset without a key */
	const char *kind;
	const char *path;	/* the file of that ingest */
} peil_input_change;

/* Which runs runs_prune deletes, and how it keeps final figures. */
typedef struct peil_prune {
	const int64_t *run_ids;	/* the runs to delete */
	size_t run_count;
	/* Whether the figures of a period are final: such a figure is kept
	 * (and with it its run's record) when no later run recorded it. */
	int (*period_final)(void *ctx, const char *period);
	void *ctx;
} peil_prune;

/* -------------------------------------------------------- host services */

typedef struct peil_host peil_host;	/* opaque: one per plugin instance */

typedef enum peil_log_level {
	PEIL_LOG_ERROR = 0,
	PEIL_LOG_WARNING = 1,
	PEIL_LOG_INFO = 2,
	PEIL_LOG_DEBUG = 3
} peil_log_level;

/* Called for each configuration key of the plugin's section that starts
 * with the prefix.  file and line say where it was written.  Return 0 to go
 * on; nonzero stops the walk and is returned by config_each. */
typedef int (*peil_config_fn)(void *ctx, const char *key, const char *value,
			      const char *file, long line);

/* What was given to record_end. */
#define PEIL_RECORD_STORED 0
#define PEIL_RECORD_REJECTED 1	/* written to the reject file; go on */

typedef struct peil_services {
	uint32_t abi_version;
	uint32_t size;

	/* A log line on the host's log, prefixed with the plugin's name. */
	void (*log)(peil_host *host, peil_log_level level, const char *fmt, ...)
		PEIL_PRINTF(3, 4);

	/* Fill err (file and field may be NULL, line 0) and return -1, so that
	 * "return svc->fail(err, ...);" reports and fails in one line. */
	int (*fail)(peil_error *err, const char *file, long line,
		    const char *field, const char *fmt, ...) PEIL_PRINTF(5, 6);

	/* The value of a key in the plugin's config section, or NULL.  Valid
	 * until the plugin is closed. */
	const char *(*config_get)(peil_host *host, const char *key);

	/* Walk the keys of the plugin's section that start with prefix. */
	int (*config_each)(peil_host *host, const char *prefix,
			   peil_config_fn fn, void *ctx);

	/* A path from the config, resolved against the config file's
	 * directory, or NULL when the key is absent.  Valid until close. */
	const char *(*config_path)(peil_host *host, const char *key);

	/* ---- record building, for input plugins only (NULL host dataset
	 * for storage plugins) ---- */

	/* The dataset this source fills. */
	const peil_schema *(*record_schema)(peil_host *host);

	/* Start a record read from file at its first physical line. */
	void (*record_begin)(peil_host *host, const char *file, long line);

	/* Set a field from text as found in the export.  The host trims it,
	 * treats empty as missing, and converts it to the field's type with
	 * the source's configured date formats and decimal mark.  origin names
	 * the place in the export (a column header) for error messages.  A
	 * conversion problem is kept and reported by record_end. */
	void (*record_text)(peil_host *host, size_t field, const char *origin,
			    const char *text, size_t len);

	/* Set a field from an already typed value (copied). */
	void (*record_value)(peil_host *host, size_t field, const char *origin,
			     const peil_value *value);

	/* Finish the record: check required fields and conversions, then
	 * store it.  Returns PEIL_RECORD_STORED; PEIL_RECORD_REJECTED when the
	 * source is in reject mode and the record (raw, its text in the
	 * export, may be NULL) went to the reject file; or negative with err
	 * filled, and then the plugin stops and returns that. */
	int (*record_end)(peil_host *host, const char *raw, size_t raw_len,
			  peil_error *err);

	/* ---- version 2: rows that do not fit, and the reject file's
	 * header ---- */

	/* Mark the current record as not fitting (a row with the wrong number
	 * of columns, say); record_end then stops or rejects it like a
	 * conversion error.  origin may be NULL. */
	void (*record_invalid)(peil_host *host, const char *origin,
			       const char *fmt, ...) PEIL_PRINTF(3, 4);

	/* The export's header as raw bytes, written at the top of the reject
	 * file so that the rejected rows can be corrected and ingested again.
	 * Call it before the first record_end of a file, when there is one.
	 * It also tells a header-only file: a file from which no record is
	 * stored is marked as ingested only when the plugin ended no record
	 * and gave its header (or the file has no line after its first). */
	void (*record_header)(peil_host *host, const char *raw, size_t len);

	/* ---- version 3: the reject line built only when it is needed ---- */

	/* record_end, for a plugin whose raw text of a record costs work to
	 * build (a row of cells, not a line of the file): the host calls raw
	 * at most once, only when the record goes to the reject file; raw
	 * fills *text and *len (valid until the plugin's next call into the
	 * host) and returns 0, or -1 when it cannot (out of memory: the
	 * record then fails).  Returns what record_end returns. */
	int (*record_end_lazy)(peil_host *host,
			       int (*raw)(void *ctx, const char **text,
					  size_t *len),
			       void *ctx, peil_error *err);

	/* ---- version 4 ---- */

	/* The path of the export being read, as its source found it.  The
	 * path that read gets may be another path of the same file, the
	 * descriptor the host hashed it from (/proc/self/fd/N): take a file
	 * name to store from this one.  NULL outside a read. */
	const char *(*export_path)(peil_host *host);
} peil_services;

#define PEIL_SERVICES_SIZE_V1 PEIL_SIZE_TO(peil_services, record_end)
#define PEIL_SERVICES_SIZE_V2 PEIL_SIZE_TO(peil_services, record_header)
#define PEIL_SERVICES_SIZE_V3 PEIL_SIZE_TO(peil_services, record_end_lazy)
#define PEIL_SERVICES_SIZE_V4 PEIL_SIZE_TO(peil_services, export_path)

/* For an input plugin's open: 0 when the host's services are of this
 * ABI version and hold at least `needed` bytes (a PEIL_SERVICES_SIZE_VN),
 * else -1 with err filled in.  Without svc->fail there is no other way
 * to report, so this writes err itself. */
static inline int peil_services_check(const peil_services *svc,
				      const char *plugin, size_t needed,
				      peil_error *err)
{
	if (svc != NULL && svc->abi_version == PEIL_ABI_VERSION &&
	    svc->size >= needed)
		return 0;
	memset(err, 0, sizeof(*err));
	snprintf(err->message, sizeof(err->message),
		 "%s: host services of ABI version %u, size %u; this plugin "
		 "needs version %u, size %zu", plugin,
		 svc ? (unsigned)svc->abi_version : 0u,
		 svc ? (unsigned)svc->size : 0u, PEIL_ABI_VERSION, needed);
	return -1;
}

/* --------------------------------------------------------- plugin kinds */

/* An input plugin reads one source's exports.  For a source with a path
 * (a file or glob), read is called once per file, inside a storage batch
 * that the host commits only when read returns 0. */
typedef struct peil_input_ops {
	uint32_t size;		/* sizeof(peil_input_ops) as built */
	int (*open)(const peil_services *svc, peil_host *host, void **state,
		    peil_error *err);
	int (*read)(void *state, const char *path, peil_error *err);
	void (*close)(void *state);	/* accepts NULL */
} peil_input_ops;

#define PEIL_INPUT_OPS_SIZE_V1 PEIL_SIZE_TO(peil_input_ops, close)

/* A storage plugin keeps datasets, the ingest log, runs and results.
 * Version 1 is required; the host calls a callback of a later version
 * only when the table's size holds its whole group and every callback of
 * the group is set, and otherwise does without it or refuses the command
 * with a message naming the version it lacks. */
typedef struct peil_storage_ops {
	uint32_t size;		/* sizeof(peil_storage_ops) as built */

	/* ---- version 1: datasets, batches, the ingest log, runs and
	 * results, and reading them back ---- */

	int (*open)(const peil_services *svc, peil_host *host, void **state,
		    peil_error *err);
	void (*close)(void *state);	/* accepts NULL */

	/* Create the dataset's table, or check that the stored one fits. */
	int (*dataset_ensure)(void *state, const peil_schema *schema,
			      peil_error *err);

	/* A batch is atomic: after rollback, or a crash before commit,
	 * nothing of it is visible. */
	int (*batch_begin)(void *state, peil_error *err);
	int (*batch_commit)(void *state, peil_error *err);
	void (*batch_rollback)(void *state);

	/* Insert, or replace the row with the same key fields. */
	int (*record_put)(void *state, const peil_schema *schema,
			  const peil_value *values, peil_error *err);

	/* Whether the ingest log holds an entry with the probe's source,
	 * sha256 and settings_sha256 (its other fields are ignored). */
	int (*ingest_seen)(void *state, const peil_ingest_entry *probe,
			   int *seen, peil_error *err);
	/* Log a committed file; called inside its batch. */
	int (*ingest_log)(void *state, const peil_ingest_entry *entry,
			  peil_error *err);
	/* SHA-256 hex over the ingest log, as a fingerprint of the inputs. */
	int (*inputs_fingerprint)(void *state, char out[65], peil_error *err);

	/* Rows of a dataset matching filter (NULL: all), with the fields at
	 * projection[0..count) (NULL: all fields in schema order). */
	int (*scan)(void *state, const peil_schema *schema,
		    const peil_filter *filter, const size_t *projection,
		    size_t projection_count, peil_row_fn row, void *ctx,
		    peil_error *err);

	/* Runs: begin records the run and gives its id; the host then puts
	 * KPIs and results inside a batch and ends the run with a status
	 * ("ok", "kpi failed", "failed", "interrupted"). */
	int (*run_begin)(void *state, const peil_run_info *info,
			 int64_t *run_id, peil_error *err);
	int (*run_kpi_put)(void *state, int64_t run_id,
			   const peil_run_kpi *kpi, peil_error *err);
	int (*result_put)(void *state, int64_t run_id,
			  const peil_result *result, peil_error *err);
	int (*run_end)(void *state, int64_t run_id, const char *status,
		       int64_t ended, peil_error *err);

	/* The results of one run, in KPI, period, breakdown order.  The
	 * callback returns 0 to go on.  Reports the run id it read through
	 * each result's run_id; with no finished run, calls nothing. */
	int (*results_scan)(void *state, const peil_result_query *query,
			    int (*fn)(void *ctx, const peil_result *result),
			    void *ctx, peil_error *err);

	/* Runs, newest first; only run run_id when it is not 0 (an unknown
	 * id is an error).  Strings are valid during the callback; a nonzero
	 * return from fn stops the scan and is returned. */
	int (*runs_scan)(void *state, int64_t run_id,
			 int (*fn)(void *ctx, const peil_run_record *run),
			 void *ctx, peil_error *err);
	/* The KPIs recorded for a run, in id order. */
	int (*run_kpis_scan)(void *state, int64_t run_id,
			     int (*fn)(void *ctx, const peil_run_kpi *kpi),
			     void *ctx, peil_error *err);
	/* The ingest log, oldest first, with each entry's id set. */
	int (*ingest_scan)(void *state,
			   int (*fn)(void *ctx, const peil_ingest_entry *entry),
			   void *ctx, peil_error *err);

	/* ---- version 2: change tracking, snapshots, housekeeping ---- */

	/* A snapshot ingest of the dataset: inside a batch, snapshot_begin
	 * before the file's record_puts and snapshot_end after them.
	 * snapshot_end removes every stored row whose key no record_put of
	 * the snapshot gave, logs each as "removed", and sets *removed.  A
	 * dataset without key fields is emptied by snapshot_begin instead.
	 * A rollback of the batch undoes the removal. */
	int (*snapshot_begin)(void *state, const peil_schema *schema,
			      peil_error *err);
	int (*snapshot_end)(void *state, const peil_schema *schema,
			    int64_t *removed, peil_error *err);

	/* The changes the ingests made after run from_run began (0: since
	 * the first ingest) and up to the beginning of run to_run (0: up to
	 * now), in dataset, key and
	 * ingest order.  A run remembers the last ingest it saw when it
	 * begins; record_put and snapshot_end log each row they add, change
	 * or remove under the id that the batch's ingest_log gets.  Strings
	 * are valid during the callback; a nonzero return from fn stops the
	 * scan and is returned. */
	int (*input_changes_scan)(void *state, int64_t from_run,
				  int64_t to_run,
				  int (*fn)(void *ctx,
					    const peil_input_change *change),
				  void *ctx, peil_error *err);

	/* The id of the last ingest log entry that run run_id saw when it
	 * began (0: none, or unknown for a run recorded before the store
	 * kept it); its inputs are the entries up to that id. */
	int (*run_last_ingest)(void *state, int64_t run_id,
			       int64_t *ingest_id, peil_error *err);

	/* A consistent copy of the whole store to path, which must not
	 * exist, taken while others may read and write (never a file copy
	 * of a live database). */
	int (*backup)(void *state, const char *path, peil_error *err);

	/* Delete the runs in prune->run_ids with their KPIs and figures,
	 * but keep each figure of a final period that is the latest of its
	 * KPI, period and breakdown; a run that keeps figures keeps its
	 * record.  Atomic.  *runs_deleted and *figures_deleted say what
	 * went. */
	int (*runs_prune)(void *state, const peil_prune *prune,
			  int64_t *runs_deleted, int64_t *figures_deleted,
			  peil_error *err);

	/* ---- version 3: bulk storing ---- */

	/* As record_put on each of count records of one dataset, in order:
	 * values holds count * field_count values, record after record,
	 * valid during the call only.  *stored says how many records were
	 * stored; on failure, the record at that index is the one that
	 * failed.  Storing many records in one call lets a store share its
	 * per-statement cost between them; a plugin without it gets
	 * record_put calls.  The host may call it (and record_put) from
	 * another thread than the one that began the batch, never two calls
	 * at once. */
	int (*records_put)(void *state, const peil_schema *schema,
			   const peil_value *values, size_t count,
			   size_t *stored, peil_error *err);

	/* ---- version 4: loads ---- */

	/* An ingest that reads about bytes bytes of exports begins
	 * (load_begin) and has ended (load_end: after its last batch,
	 * committed or not).  In between the host opens and ends batches,
	 * stores records, takes snapshots and writes the ingest log; it
	 * calls nothing else.  A store may prepare for many writes: the
	 * sqlite plugin, for more bytes than its page cache holds, takes the
	 * database for itself and writes each page once, in place, under a
	 * rollback journal, rather than through the WAL; readers that come
	 * meanwhile wait for load_end.  0, or -1 with err when the store
	 * cannot go on; a store that cannot prepare goes on as it is. */
	int (*load_begin)(void *state, int64_t bytes, peil_error *err);
	void (*load_end)(void *state);

	/* ---- version 5: the lock file ---- */

	/* Where the store suggests the lock file of the commands that write
	 * it (peil run, ingest, eval, prune) when [run] lock_file does not
	 * say: a NUL-terminated path into out[0..size).  It takes the
	 * services and host that open takes, not a state: the host takes
	 * the lock before it opens the store (a large load may keep the
	 * store to itself), so the path must come from the configuration
	 * alone, without touching the store.  0, or -1 with err.  Without
	 * it, [run] lock_file is required. */
	int (*lock_path)(const peil_services *svc, peil_host *host, char *out,
			 size_t size, peil_error *err);

	/* ---- version 6: a store that must be there ---- */

	/* As open, but for a command that only reads or adds to a store
	 * (peil eval, show, report, runs...): it never creates one.  -1 with
	 * err naming the store when it is missing, empty, or holds none of
	 * the plugin's tables, so that a typo or a lost file is not taken
	 * for an empty store.  Without it the host calls open.
	 *
	 * Either open remembers which store it opened (for SQLite: the
	 * file's device and inode); batch_commit and run_end fail, naming
	 * the store, when it was removed or replaced since, rather than
	 * commit to a file that is gone or another's. */
	int (*open_existing)(const peil_services *svc, peil_host *host,
			     void **state, peil_error *err);

	/* ---- version 7: scoped snapshots ---- */

	/* As snapshot_begin, for a snapshot of one scope of the dataset:
	 * the stored rows whose text field scope_field (an index into the
	 * schema's fields) equals scope_value (NUL-terminated, valid during
	 * the call) are the scope's, and only they can be removed: the
	 * snapshot_end that follows removes the scope's rows whose key no
	 * record_put of the snapshot gave; for a dataset without key fields,
	 * snapshot_scope_begin removes the scope's rows at once.  Rows of
	 * other scopes (other sources' exports) are never touched.  Several
	 * organisations' exports of one dataset each go in as a snapshot of
	 * their own scope. */
	int (*snapshot_scope_begin)(void *state, const peil_schema *schema,
				    size_t scope_field,
				    const char *scope_value, peil_error *err);

	/* ---- version 8: recorded reports ---- */

	/* Record a report that was written; *report_id is its id.  It is
	 * no batch: one row, atomic by itself.  A run a report refers to
	 * may be pruned later; the report's record stays. */
	int (*report_put)(void *state, const peil_report_record *report,
			  int64_t *report_id, peil_error *err);
	/* The recorded reports, newest first.  Strings are valid during
	 * the callback; a nonzero return from fn stops the scan and is
	 * returned. */
	int (*reports_scan)(void *state,
			    int (*fn)(void *ctx,
				      const peil_report_record *report),
			    void *ctx, peil_error *err);

	/* ---- version 9: figure sizes ---- */

	/* Nonzero when result_put keeps peil_result.size and results_scan
	 * gives it back (NaN for a figure stored without one, as by an
	 * older version of the store).  Without it, the host takes a stored
	 * figure's size as unknown, and hides a stored sum, minimum or
	 * maximum (docs/output.md, "Small cells"). */
	int keeps_result_size;

	/* ---- version 10: figures of earlier periods ---- */

	/* Nonzero when result_put keeps peil_result.earlier and
	 * results_scan gives it back (0 for a figure stored before), and
	 * runs_prune never keeps a figure for being the latest of its
	 * final period when it is earlier.  Without it, the host stores no
	 * earlier figure, and a figure is compared only with those of
	 * earlier periods in the run's own range (docs/output.md,
	 * "Comparisons"). */
	int keeps_earlier_figures;

	/* ---- version 11: definitions of the KPIs of a run ---- */

	/* Nonzero when run_kpi_put keeps peil_run_kpi.definition and
	 * run_kpis_scan gives it back (NULL for a KPI recorded before).
	 * Without it, `peil explain --run N` can tell only whether the
	 * definition hash is still the same. */
	int keeps_kpi_definitions;

	/* ---- version 12: what a cases run listed ---- */

	/* Nonzero when run_begin keeps peil_run_info.listing and runs_scan
	 * gives it back as peil_run_record.listing (NULL for a run recorded
	 * before).  Without it, the history of a cases run says only its
	 * kind and period (the log line says what was listed). */
	int keeps_run_listings;

	/* ---- version 13: runs that confirm another, or keep figures ---- */

	/* Nonzero when run_begin keeps peil_run_info.confirms and runs_scan
	 * gives it back as peil_run_record.confirms (0 for a run recorded
	 * before), ingest_log keeps peil_ingest_entry's file_size,
	 * file_mtime_ns and file_inode and ingest_scan gives them back (0
	 * for an entry logged before), and a run that confirms another ends
	 * with the status
	 * "unchanged", which results_scan never takes for the latest run.
	 * Without it, `peil run` evaluates every time, even when nothing
	 * changed (docs/output.md, "Runs that change nothing"). */
	int keeps_run_confirmations;
	/* Copy every figure of one KPI of run from_run (the earlier ones
	 * too, flag and all) into run to_run, as they are: the KPI's
	 * figures kept by a run that evaluated only what changed.  In the
	 * run's batch (batch_begin), beside its result_puts. */
	int (*results_copy)(void *state, int64_t from_run, int64_t to_run,
			    const char *kpi, peil_error *err);

	/* ---- version 14: readers elsewhere, a lock of the store's own ---- */

	/* As open_existing, for a command that only reads the store (peil
	 * show, report, export, runs, diff...): it may read from elsewhere
	 * than the writers (postgres: [storage] read_conninfo, a hot
	 * standby), and must then say, or refuse, when what it reads lags
	 * behind what the writers stored.  It never creates, migrates or
	 * takes a lock; the one write such a command makes, report_put, must
	 * still reach the store the writers use (or fail naming why). */
	int (*open_reader)(const peil_services *svc, peil_host *host,
			   void **state, peil_error *err);
	/* Take the lock of the commands that write the store (peil run,
	 * ingest, eval, prune), held until close, on the store itself, so
	 * that it keeps writers on every machine apart (postgres: a session
	 * advisory lock); waiting up to wait_ms milliseconds for another
	 * holder.  0 when taken; PEIL_STORE_LOCK_BUSY when another still
	 * holds it after the wait, with err naming the store and, when
	 * known, the holder; -1 with err.  With it, [run] lock_file is
	 * optional; the host takes both when it is set. */
	int (*lock)(void *state, long wait_ms, peil_error *err);

	/* ---- version 15: scans from a key, inside a scan ---- */

	/* Nonzero when scan may be called again inside a scan's row
	 * callback, on the same state, and a scan of a dataset with one
	 * key field, filtered on key >= a text value (PEIL_OP_GE), gives
	 * the rows from that key on in key order, text keys in byte order
	 * (shorter first when one is the start of the other), reading only
	 * those it gives up to where its callback stops it (an index seek,
	 * not a pass over the dataset).  The host then reads a dataset
	 * that a KPI joins a chunk of rows at a time from the key it looks
	 * for, inside the scan of the KPI's own dataset (docs/plugins.md,
	 * scans_from_key).  Without it, the host holds the joined
	 * dataset in memory. */
	int scans_from_key;

	/* ---- version 16: the public figures of a run ---- */

	/* Keep, for a run that can be published (kind "run"), what a
	 * public output of it shows: the n figures of its public KPIs after
	 * the small-cell rules of [privacy public] (docs/output.md, "Public
	 * outputs"), for readers that do not go through Peil (a dashboard).
	 * A hidden figure comes with its value, numerator and denominator
	 * NaN and status NULL; size and earlier are not set (0: never an
	 * earlier figure, never a size).  Called once per run, in the run's
	 * batch (batch_begin), after its result_puts.  Without it, the host
	 * gives the store no public figures: a store without it has no
	 * reader of them. */
	int (*public_figures_put)(void *state, int64_t run_id,
				  const peil_result *rows, size_t n,
				  peil_error *err);

	/* ---- version 17: the figures of a run at once ---- */

	/* As result_put of rows[0], rows[1], ... in turn (a later figure
	 * of a key replaces an earlier one), in the run's batch; the host
	 * gives them in KPI, period, breakdown order, the total last.  A
	 * row without a KPI id or period is refused before any is stored.
	 * Without it, the host calls result_put for each. */
	int (*results_put)(void *state, int64_t run_id,
			   const peil_result *rows, size_t n,
			   peil_error *err);

	/* ---- version 18: the build that evaluated a run ---- */

	/* Nonzero when run_begin keeps peil_run_info.build_sha256 and
	 * runs_scan gives it back as peil_run_record.build_sha256 (NULL for
	 * a run recorded before).  Without it, `peil run` evaluates every
	 * time: it cannot tell that the same build made the figures it
	 * would confirm (docs/output.md, "Runs that change nothing"). */
	int keeps_run_builds;

	/* ---- version 19: changes made by another program ---- */

	/* Into *after_run, the id of the last run recorded before the store
	 * was last found written by something other than Peil (a disk
	 * error, a copy cut short, an edit with another program, a Peil
	 * killed while it wrote), or whose state Peil cannot vouch for
	 * (a restored copy); 0 when it never was.  The rows that such a run
	 * read may not be those the store holds now, so `peil run`
	 * evaluates rather than confirm its figures (docs/output.md, "Runs
	 * that change nothing").  The sqlite plugin compares its file with
	 * what it noted when Peil last closed it.  0, or -1 with err.
	 * Without it, `peil run` cannot tell, and confirms on what the
	 * store's own reads report. */
	int (*changed_outside)(void *state, int64_t *after_run,
			       peil_error *err);
} peil_storage_ops;

/* lock's return when another holds the store's lock. */
#define PEIL_STORE_LOCK_BUSY 1

#define PEIL_STORAGE_OPS_SIZE_V1 PEIL_SIZE_TO(peil_storage_ops, ingest_scan)
#define PEIL_STORAGE_OPS_SIZE_V2 PEIL_SIZE_TO(peil_storage_ops, runs_prune)
#define PEIL_STORAGE_OPS_SIZE_V3 PEIL_SIZE_TO(peil_storage_ops, records_put)
#define PEIL_STORAGE_OPS_SIZE_V4 PEIL_SIZE_TO(peil_storage_ops, load_end)
#define PEIL_STORAGE_OPS_SIZE_V5 PEIL_SIZE_TO(peil_storage_ops, lock_path)
#define PEIL_STORAGE_OPS_SIZE_V6 PEIL_SIZE_TO(peil_storage_ops, open_existing)
#define PEIL_STORAGE_OPS_SIZE_V7 \
	PEIL_SIZE_TO(peil_storage_ops, snapshot_scope_begin)
#define PEIL_STORAGE_OPS_SIZE_V8 PEIL_SIZE_TO(peil_storage_ops, reports_scan)
#define PEIL_STORAGE_OPS_SIZE_V9 \
	PEIL_SIZE_TO(peil_storage_ops, keeps_result_size)
#define PEIL_STORAGE_OPS_SIZE_V10 \
	PEIL_SIZE_TO(peil_storage_ops, keeps_earlier_figures)
#define PEIL_STORAGE_OPS_SIZE_V11 \
	PEIL_SIZE_TO(peil_storage_ops, keeps_kpi_definitions)
#define PEIL_STORAGE_OPS_SIZE_V12 \
	PEIL_SIZE_TO(peil_storage_ops, keeps_run_listings)
#define PEIL_STORAGE_OPS_SIZE_V13 \
	PEIL_SIZE_TO(peil_storage_ops, results_copy)
#define PEIL_STORAGE_OPS_SIZE_V14 PEIL_SIZE_TO(peil_storage_ops, lock)
#define PEIL_STORAGE_OPS_SIZE_V15 \
	PEIL_SIZE_TO(peil_storage_ops, scans_from_key)
#define PEIL_STORAGE_OPS_SIZE_V16 \
	PEIL_SIZE_TO(peil_storage_ops, public_figures_put)
#define PEIL_STORAGE_OPS_SIZE_V17 \
	PEIL_SIZE_TO(peil_storage_ops, results_put)
#define PEIL_STORAGE_OPS_SIZE_V18 \
	PEIL_SIZE_TO(peil_storage_ops, keeps_run_builds)
#define PEIL_STORAGE_OPS_SIZE_V19 \
	PEIL_SIZE_TO(peil_storage_ops, changed_outside)

typedef enum peil_plugin_kind {
	PEIL_PLUGIN_INPUT = 1,
	PEIL_PLUGIN_STORAGE = 2
} peil_plugin_kind;

typedef struct peil_plugin {
	uint32_t abi_version;	/* PEIL_ABI_VERSION as built */
	uint32_t size;		/* sizeof(peil_plugin) as built */
	const char *name;	/* as used in the config: "csv", "sqlite" */
	const char *description;
	const char *version;
	peil_plugin_kind kind;
	const peil_input_ops *input;	/* for PEIL_PLUGIN_INPUT */
	const peil_storage_ops *storage; /* for PEIL_PLUGIN_STORAGE */

	/* ---- version 2: declared config keys ---- */

	/* The keys of its config section that the plugin reads, ending with
	 * NULL; a key that ends in '.' stands for every key with that
	 * prefix ("column.").  The host refuses other keys (beside its own
	 * source keys), so that a typo does not pass silently.  NULL: the
	 * plugin does not say, and nothing is checked. */
	const char *const *config_keys;
} peil_plugin;

#define PEIL_PLUGIN_SIZE_V1 PEIL_SIZE_TO(peil_plugin, storage)
#define PEIL_PLUGIN_SIZE_V2 PEIL_SIZE_TO(peil_plugin, config_keys)

/* The entry point every plugin exports; it must be cheap and pure. */
typedef const peil_plugin *(*peil_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* PEIL_PLUGIN_H */
