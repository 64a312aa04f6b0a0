/*
 * kpi.h - KPI definitions written in Lua, and their evaluation.
 *
 * A kpi_set holds the KPIs of one or more script files.  Every script runs
 * in its own sandboxed Lua state (sandbox.h): a private environment built
 * from an allow-list, a memory cap and an instruction budget.  A script
 * declares KPIs with kpi{...} (docs/kpi-scripts.md); rules are either
 * declarative, evaluated in C, or a Lua function over rows.
 *
 * kpi_evaluate reads each dataset the KPIs use in one scan, through a
 * kpi_source that the host fills, and hands every figure to a kpi_sink.
 *
 * The module's public header: the rest of the host includes this one only
 * (kpi_model.h is internal to host/kpi/).
 */
#ifndef PEIL_KPI_H
#define PEIL_KPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peil/plugin.h"
#include "base/calendar.h"
#include "base/period.h"

typedef struct kpi_set kpi_set;

#define KPI_DEFAULT_SECONDS 60
#define KPI_DEFAULT_RUN_SECONDS 3600
#define KPI_DEFAULT_DISTINCT_BYTES ((size_t)16 << 20)
#define KPI_DEFAULT_MEMORY ((size_t)2048 << 20)

typedef struct kpi_limits {
	size_t memory_bytes;	/* per script state; 0: default 64 MiB */
	uint64_t instructions;	/* per script load and per KPI evaluation;
				   0: default 1e9 */
	uint64_t seconds;	/* wall-clock seconds in one KPI's Lua calls
				   per evaluation, and for loading a
				   script; 0: default 60 */
	uint64_t run_seconds;	/* wall-clock seconds of one kpi_evaluate;
				   0: default 3600 */
	size_t distinct_bytes;	/* count_distinct's values held in memory
				   per run of a KPI, past which they go to
				   temporary files (kpi_distinct.c); 0:
				   default 16 MiB */
	size_t kpi_memory_bytes;	/* per KPI: its groups (per), and
					   each history of its lookups, held
					   in C; 0: default 2 GiB */
} kpi_limits;

/* Where a KPI's target applies (target.applies = all, total, cells). */
typedef enum kpi_target_scope {
	KPI_TARGET_ALL = 0,
	KPI_TARGET_TOTAL,
	KPI_TARGET_CELLS
} kpi_target_scope;

/* The target of the cells whose breakdown field FIELD has the value
 * VALUE: target.min.FIELD.VALUE = N in [kpi ID], or
 * ["min.FIELD.VALUE"] = N in kpi{} target. */
typedef struct kpi_cell_target {
	char *where;		/* "FIELD.VALUE" */
	int has_min, has_max;
	double min, max;
} kpi_cell_target;

/* What the host and `peil list/explain` need to know of a KPI. */
typedef struct kpi_info {
	const char *id;
	const char *title;
	const char *description;
	const char *unit;
	const char *dataset;
	/* grain = "month" or { "month", "quarter", "year" }, or [kpi ID]
	 * grains: every grain is evaluated in the one scan, each with its
	 * own periods, and its figures carry its period ids. */
	period_grains grains;
	size_t breakdown_count;
	const char *const *breakdown;	/* field names */
	const char *script;	/* path of the defining file */
	long line;		/* line of its kpi{...} */
	const char *script_sha256;
	/* The KPI's definition hash, recorded with each run (the run's
	 * peil_run_kpi script_sha256): SHA-256 hex over its script file's
	 * hash, its [kpi ID] settings, [contract] and the group files;
	 * set by the host (kpi_set_definition_sha256), empty before. */
	char definition_sha256[65];
	int has_min, has_max;	/* target */
	double target_min, target_max;
	/* Where that target applies: every cell and the total (the
	 * default), the total only or every cell but the total
	 * (target.applies).  Cells with targets of their own
	 * (cell_targets) are judged against those instead. */
	kpi_target_scope target_scope;
	size_t cell_target_count;
	const kpi_cell_target *cell_targets;
	/* How far a value may miss the target and be "at risk" rather than
	 * "not met": an amount in the KPI's unit, or with margin_relative a
	 * percentage of the bound it misses.  Without has_margin the set's
	 * default ([contract] margin) applies. */
	int has_margin, margin_relative;
	double margin;
	const char *per;	/* the field rows are grouped by, or NULL */
	size_t tag_count;	/* tags = { ... }: for choosing a set */
	const char *const *tags;
	/* Left out of evaluations: [kpi ID] enabled = no, or not chosen by
	 * [run] kpis (kpi_set_choose). */
	int disabled, unchosen;
	/* Not evaluated by kpi_evaluate though wanted: its figures are
	 * copied from the run the evaluation builds on, none of its inputs
	 * having changed since (kpi_set_keep). */
	int kept;
	int target_configured;	/* kpi_set_configure set its target or
				   margin ([kpi ID] of the config) */
	/* Decimals of every value of the KPI in the text, HTML and diff
	 * tables: decimals = N in kpi{} or [kpi ID], else from the rule
	 * (kpi_dsl.c). */
	int decimals;
	/* The earlier periods each figure is compared with
	 * (KPI_COMPARE_*): compare = { ... } in kpi{} or [kpi ID] compare.
	 * Their figures come from the same evaluation, whose range is
	 * extended backwards for them (docs/kpi-scripts.md). */
	unsigned compare;
	/* visibility = "public" in kpi{} or [kpi ID]: the KPI may leave
	 * through a public output (peil report --public, the Prometheus
	 * export with [privacy public]); 0, "internal", the default: never. */
	int is_public;
} kpi_info;

/* "public" or "internal" into *is_public: 0, or -1 with msg naming the
 * value. */
int kpi_visibility_parse(const char *text, int *is_public, char *msg,
			 size_t msg_size);

/* compare = { "previous", "year_before" }: the previous period of the
 * KPI's grain, the same period a year before. */
#define KPI_COMPARE_PREVIOUS 1u
#define KPI_COMPARE_YEAR_BEFORE 2u

/* A list of comparisons ("previous", "year_before", separated by commas
 * or spaces; "none" for none) into *out.  0, or -1 with msg naming the
 * entry that is neither. */
int kpi_compare_parse(const char *list, unsigned *out, char *msg,
		      size_t msg_size);

/* A new, empty set.  cal is borrowed and must outlive the set.  NULL when
 * out of memory. */
kpi_set *kpi_set_new(const calendar *cal, const kpi_limits *limits,
		     int contract_start_month);
void kpi_set_free(kpi_set *set);	/* accepts NULL */

/* Load one script file: run it in a fresh sandbox and collect its KPIs.
 * A KPI with the id of one loaded before replaces it (a municipality's
 * script directory is loaded after the shipped one).  0 on success; -1
 * with err naming the file, line and problem, and then the set is as it
 * was before the call. */
int kpi_set_load_file(kpi_set *set, const char *path, peil_error *err);

/* Check every KPI against the datasets' schemas (fields exist, types fit
 * the rule).  schema(ctx, name) returns NULL for an unknown dataset.
 * Calls report once per problem; returns the number of problems. */
size_t kpi_set_check(kpi_set *set,
		     const peil_schema *(*schema)(void *ctx, const char *name),
		     void *ctx,
		     void (*report)(void *ctx, const peil_error *problem));

/* The text literals that declarative parts of the KPIs compare a field of
 * their own dataset with: eq, ne and one_of on a field (a param() as its
 * value in force), in select, where, having and rule.  fn is called once
 * per literal, in KPI order, with the field's name and the literal (not
 * NUL-terminated); the strings are valid during the call.  Lua functions
 * and joined fields (alias.field) are not looked into.  For peil check,
 * which compares them with the stored values. */
typedef void (*kpi_literal_fn)(void *ctx, const kpi_info *kpi,
			       const char *field, const char *text,
			       size_t len);
void kpi_set_each_literal(const kpi_set *set, kpi_literal_fn fn, void *ctx);

/* Where require("name") looks for name.lua (dots become '/'): these
 * directories, in order.  The strings are copied.  Call it before loading
 * scripts, and only once: loaded scripts hold the list it makes.  0, or -1
 * when out of memory. */
int kpi_set_script_dirs(kpi_set *set, const char *const *dirs, size_t count);

/* Where the reference date (peildatum) of every period lies: its last day
 * (the default), its first day, or the day after it. */
void kpi_set_reference(kpi_set *set, period_reference rule);

/* The at-risk margin of KPIs that set none: "5" (in the KPI's unit) or
 * "10%" (of the target's bound).  0, or -1 when the text is no margin. */
int kpi_set_default_margin(kpi_set *set, const char *text);

/* Override what the configuration may change of the KPI id: key is
 * "target.min", "target.max", "target.min.FIELD.VALUE",
 * "target.max.FIELD.VALUE", "target.applies", "margin", "compare" or
 * "param.NAME" (a
 * parameter the script declared in params = { ... }).  0, or -1 with msg saying why
 * (unknown KPI, key or parameter, a value that is no number). */
int kpi_set_configure(kpi_set *set, const char *id, const char *key,
		      const char *value, char *msg, size_t msg_size);

/* Call fn with every dataset KPI info (of set) reads: its own, those it
 * joins and looks up, its groups' and those of its dataset_sum()s; a
 * dataset may come more than once. */
void kpi_each_dataset(const kpi_set *set, const kpi_info *info,
		      void (*fn)(void *ctx, const char *dataset), void *ctx);

/* Mark the KPI at index i kept (kpi_info.kept) or not. */
void kpi_set_keep(kpi_set *set, size_t i, int kept);

/* The dataset that holds field of KPI info (of set): its own, or for a
 * joined field "alias.field" the joined dataset, with *name the field
 * there ("team" of "case.team"); NULL for an unknown alias. */
const char *kpi_field_dataset(const kpi_set *set, const kpi_info *info,
			      const char *field, const char **name);

/* The most decimals a KPI may ask for. */
#define KPI_MAX_DECIMALS 6

/* The status of value, the figure of the cell breakdown (JSON object
 * text; "{}" or NULL for the total), against the target that applies
 * there: "met", "at risk", "not met", or NULL without a target or a
 * value.  A cell with targets of its own (target.min.FIELD.VALUE) is
 * judged against those, the worst status of them; other cells and the
 * total against the KPI's target where target.applies says so. */
const char *kpi_status(const kpi_set *set, const kpi_info *k,
		       const char *breakdown, double value);

/* The parameters of the KPI id as "name = value" lines into out (for peil
 * explain); "" when it has none. */
void kpi_set_describe_params(const kpi_set *set, const char *id, char *out,
			     size_t size);

/* A part of the KPI id's definition as text into out: "select",
 * "breakdown" (its fields, a grouped one with its [group NAME]),
 * "where", "having", "rule" (in the script language), "target" (with the
 * at-risk margin) or "links" (joins and lookups); "" when it has none.
 * -1 for an unknown KPI or part. */
int kpi_set_describe(const kpi_set *set, const char *id, const char *part,
		     char *out, size_t size);

/* Whether the figures of KPI id add up across grains: events dated in the
 * period (started_in, closed_in) counted or summed without groups, Lua
 * functions or values that depend on the period.  1 with its family into
 * out (dataset, breakdown, selection, condition and rule with parameters
 * filled in: KPIs of one family differ only in grain); 0 otherwise. */
int kpi_set_additive_key(const kpi_set *set, const char *id, char *out,
			 size_t size);

/* Set the contract year's first month (1-12) for the evaluations that
 * follow (peil test sets it per test). */
void kpi_set_contract_start(kpi_set *set, int month);
/* A [group NAME]: values to groups from path, a file of value;group rows
 * (read now), or from the value and group fields of dataset (read in each
 * evaluation); other is the group of a value the mapping lacks.  0, or
 * -1 with err naming the file and line. */
int kpi_set_group_file(kpi_set *set, const char *name, const char *other,
		       const char *path, peil_error *err);
int kpi_set_group_dataset(kpi_set *set, const char *name, const char *other,
			  const char *dataset, const char *value,
			  const char *group, peil_error *err);

/* Set the contract's first day ([contract] start), from which the KPIs
 * selecting with cumulative() count; without it they are not evaluated. */
void kpi_set_contract_first_day(kpi_set *set, int32_t date);
/* Where KPI id counts from: 1 with *date for a cumulative() selection,
 * 0 for one without [contract] start, -1 when it selects otherwise. */
int kpi_set_cumulative_from(const kpi_set *set, const char *id,
			    int32_t *date);

/* Choose the KPIs that evaluations take, from a list of entries
 * separated by commas or spaces: an id, "tag:NAME", or either after '-'
 * to leave it out.  With any entry without '-', only the KPIs it names
 * are taken; the '-' entries then leave out from those (from all,
 * without).  0, or -1 with msg naming an entry that matches no KPI. */
int kpi_set_choose(kpi_set *set, const char *list, char *msg,
		   size_t msg_size);

/* Whether k matches an entry of only ("ID" or "tag:NAME", separated by
 * commas or spaces: peil eval --kpi A --kpi B), or, with only NULL, is
 * enabled and chosen: the KPIs an evaluation takes. */
int kpi_wanted(const kpi_info *k, const char *only);
/* 0 when every entry of list (as kpi_wanted takes it) names some KPI of
 * set; -1 with msg naming the first that names none. */
int kpi_list_check(const kpi_set *set, const char *list, char *msg,
		   size_t msg_size);
/* The names of the KPI language, for the editors' definition file
 * (docs/lua/peil.lua, which a test checks against them): part "helper"
 * (a function such as started_in), "key" (a key of kpi{}) or "date" (a
 * function of the date table).  The i-th name, or NULL past the last or
 * for another part. */
const char *kpi_language_name(const char *part, size_t i);

size_t kpi_set_count(const kpi_set *set);
/* The i-th KPI, in id order; valid until the set changes or is freed. */
const kpi_info *kpi_set_info(const kpi_set *set, size_t i);
/* Write k's definition as `peil explain` prints it, and as each run
 * records it: description, unit, dataset, grains, breakdown, selection,
 * rule, target (config_path names the config a [kpi ID] target comes
 * from), parameters and the kpi{...} of its script. */
void kpi_explain(FILE *out, const kpi_set *set, const kpi_info *k,
		 const char *config_path);
/* Whether KPI id's figures depend on the calendar of working days: a
 * workdays() of its declarative parts, or a Lua function of it (which
 * may call date.workdays() and its kin). */
int kpi_set_uses_calendar(const kpi_set *set, const char *id);
/* Set the i-th KPI's definition hash (kpi_info). */
void kpi_set_definition_sha256(kpi_set *set, size_t i, const char *hex);
/* The KPI with this id, or NULL. */
const kpi_info *kpi_set_find(const kpi_set *set, const char *id);

/* How evaluation reaches the data: filled by the host from the storage
 * plugin. */
typedef struct kpi_source {
	void *ctx;
	const peil_schema *(*schema)(void *ctx, const char *dataset);
	int (*scan)(void *ctx, const peil_schema *schema,
		    const peil_filter *filter, const size_t *projection,
		    size_t projection_count, peil_row_fn row, void *row_ctx,
		    peil_error *err);
	/* Optional (NULL: none).  A second source over the same data that
	 * another thread may scan while this one scans: reader_open fills
	 * *reader and returns 0, or returns -1 when there is none (the
	 * evaluation then stays on one thread); reader_close releases it.
	 * Both are called on the thread that called kpi_evaluate; the
	 * reader's schema() must give the same schemas as this one's. */
	int (*reader_open)(void *ctx, struct kpi_source *reader);
	void (*reader_close)(void *ctx, struct kpi_source *reader);
	/* Nonzero when scan may be called inside its own row callback,
	 * and a filter key >= a text on a dataset's one key gives the rows
	 * from there on in key order, reading no others (storage ops
	 * version 15): a join then reads the joined dataset a chunk at a
	 * time (kpi_join.c). */
	int scans_from_key;
	/* Optional (NULL: every declared field is filled).  Nonzero when a
	 * source of the dataset fills field: a KPI that reads a field that
	 * none fills (an export without the column) is not evaluated, with
	 * that reason, rather than count it empty everywhere. */
	int (*fills)(void *ctx, const char *dataset, const char *field);
	/* Optional (NULL: unknown).  The day of the newest input of the
	 * dataset (days since 1970-01-01), INT32_MAX when unknown: it holds
	 * nothing after that day.  A period that begins after the earliest
	 * such day of the datasets a KPI reads is not evaluated; one that
	 * ends after it is partly covered (kpi_sink.partly_covered).  A
	 * dataset other than its own that it reads, with no input (INT32_MAX)
	 * and no row, was never filled: the KPI is not evaluated, naming it,
	 * rather than read it as zeros. */
	int32_t (*input_day)(void *ctx, const char *dataset);
} kpi_source;

/* Where figures and failures go. */
typedef struct kpi_sink {
	void *ctx;
	/* A figure; return 0 to go on, negative to abort the evaluation. */
	int (*result)(void *ctx, const kpi_info *kpi, const peil_result *result);
	/* A KPI that failed (its figures are withheld); err names the script
	 * and line. */
	void (*failure)(void *ctx, const kpi_info *kpi, const peil_error *err);
	/* Optional (NULL: dropped).  A figure of a period before [from,
	 * to], evaluated only to be compared with (kpi_info.compare): not
	 * a figure of the evaluation.  Returns as result does. */
	int (*earlier)(void *ctx, const kpi_info *kpi,
		       const peil_result *result);
	/* Optional (NULL: dropped).  Some period of kpi asked for ends after
	 * input_day, the day of the newest input of dataset, one it reads
	 * (kpi_source.input_day): its figures are evaluated, but cannot
	 * hold what happened after that day.  Called once per grain before
	 * its figures; returns as result does. */
	int (*partly_covered)(void *ctx, const kpi_info *kpi,
			      const char *dataset, int32_t input_day);
	/* Optional (NULL: dropped).  Rows of kpi's dataset whose join found
	 * no row, and what became of them (message, in English: "dataset
	 * case_members: 2 rows have a case_id that no row of cases has (D98,
	 * D99): left out: ...").  Called once per grain before its
	 * figures; returns as result does. */
	int (*unmatched)(void *ctx, const kpi_info *kpi, const char *message);
} kpi_sink;

/* The cases behind a figure (peil cases): while set, kpi_evaluate runs
 * on one thread and calls fn for every row that counts in the period with
 * id `period` and the cell with JSON text `cell` ("{}": the total) of the
 * KPIs it evaluates, after the same where and rule as the figure: the rows
 * a count() counts, a share()'s numerator (counts = 1); with all, also
 * the other rows that passed where (counts = 0: a share's denominator).
 * values[slot[f]] is field f of schema; every field is there.  Of a
 * count_distinct, distinct is the value it counts as text (distinct_len
 * bytes; NULL when null: not counted), so that the listing can say how
 * many distinct values its rows hold; otherwise NULL.
 *
 * A KPI with per counts groups, not rows: group is called instead, for
 * every group of the period and cell that passed having (counts as fn's),
 * with its key as text, its value (NULL when the rule has none: a count's
 * or a share's; NaN when null) and, for each of the `field_count` names of `fields`, the
 * distinct values of that field over the group's rows joined by '|'
 * ("" when none).  fn and group return 0 to go on, negative to stop (the
 * KPI fails).  NULL turns it off. */
typedef struct kpi_cases {
	const char *period;
	const char *cell;
	int all;
	const char *const *fields;
	size_t field_count;
	int (*fn)(void *ctx, const peil_schema *schema,
		  const peil_value *values, const size_t *slot, int counts,
		  const char *distinct, size_t distinct_len);
	int (*group)(void *ctx, const char *key, const double *value,
		     char *const *fields, int counts);
	void *ctx;
} kpi_cases;
void kpi_set_cases(kpi_set *set, const kpi_cases *cases);
/* Of a KPI whose rule is count_distinct(), what it counts distinct: the
 * field's name, or "values" of a computed measure; NULL of any other. */
const char *kpi_distinct_of(const kpi_set *set, const kpi_info *info);

/* Evaluate the KPIs that kpi_wanted(k, only_kpi) takes for
 * every period of each of their grains that lies within [from, to].  A KPI that
 * fails is reported to the sink and the others go on.  Returns the number
 * of KPIs that failed, or -1 with err filled when evaluation as a whole
 * could not go on (a scan failed, the sink aborted).
 *
 * With a source that has a reader (reader_open), the scans of KPIs whose
 * rules are all declarative (no Lua function, no per) may run on a second
 * thread, on the reader, beside the others on this one: the figures are
 * the same either way.  The sink is called on this thread only. */
int kpi_evaluate(kpi_set *set, int32_t from, int32_t to, const char *only_kpi,
		 const kpi_source *source, const kpi_sink *sink,
		 peil_error *err);

/* A municipality's explanation of a KPI's figure of a period (a signal,
 * the reason for a dip), from the file commentary.txt next to the KPI
 * scripts; the reports print it beside the figure (docs/output.md,
 * "Commentary"; kpi_commentary.c).  A line is "KPI PERIOD TEXT": the
 * KPI's id, a period id of one of its grains ("2018-03", "2018-Q1",
 * "2018", "2017/2018"), and the text, separated by blanks.  Blank lines
 * and lines starting with # are skipped. */
#define COMMENTARY_FILE "commentary.txt"

typedef struct commentary_note {
	char *kpi, *period, *text;
} commentary_note;

typedef struct commentary {
	commentary_note *notes;	/* in file order */
	size_t count;
} commentary;

/* Read the commentary.txt of each script dir that has one into *out
 * (which must be zeroed), checked against the KPIs of set: a line whose
 * KPI is unknown, whose period is no period of one of the KPI's grains,
 * that has no text, or that repeats a KPI and period is an error naming
 * the file, line, field and value, and *out is left empty.  0 or -1. */
int commentary_load(const kpi_set *set, char *const *dirs, size_t dir_count,
		    commentary *out, peil_error *err);

/* The note on kpi's figure of period_id, or NULL (c may be NULL). */
const char *commentary_find(const commentary *c, const char *kpi,
			    const char *period_id);

void commentary_release(commentary *c);

#endif
