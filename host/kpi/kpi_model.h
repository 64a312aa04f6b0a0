/*
 * kpi_model.h - the compiled form of a KPI, shared by the kpi_*.c files:
 * the module's internal header.  Outside host/kpi/ include kpi/kpi.h; only
 * tests may include this one, to test a part on its own (test_kpi_cells).
 *
 * A script's kpi{...} table is compiled (kpi_dsl.c) into a struct kpi
 * whose select, where and rule are trees of kpi_node.  Field names are
 * bound to a dataset schema (kpi_rule.c) before evaluation (kpi_eval.c).
 * Lua functions in a tree are held with luaL_ref in their script's state.
 */
#ifndef PEIL_KPI_MODEL_H
#define PEIL_KPI_MODEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/strmap.h"
#include "kpi/kpi.h"
#include "sandbox/sandbox.h"

typedef enum kpi_kind {
	KPI_KIND_SELECT = 1,
	KPI_KIND_MEASURE,
	KPI_KIND_CONDITION,
	KPI_KIND_RULE,
	KPI_KIND_PARAM,
	KPI_KIND_GROUP		/* a breakdown entry */
} kpi_kind;

typedef enum kpi_op {
	/* selections: name[0] (and name[1]) are date fields */
	KPI_STARTED_IN = 1,
	KPI_CLOSED_IN,
	KPI_RUNNING_IN,
	KPI_ON_REFERENCE_DATE,
	KPI_UP_TO,		/* the date on or before the last day */
	KPI_CUMULATIVE,		/* up to, from the contract's first day */
	/* measures */
	KPI_FIELD,		/* name[0] */
	KPI_WORKDAYS,		/* name[0] to name[1] */
	KPI_DAYS_BETWEEN,
	KPI_MONTHS_TO_REFERENCE, /* whole months from name[0] to the
				    period's reference date */
	/* overdue{...}: of the dates consts[1..] months after name[0] (not
	 * after name[1], when set), the number whose date plus consts[0]
	 * days lies before the period's reference date, with no row in
	 * lookup link[0] under the row's name[2] whose link[1] is those
	 * months and link[2] a date on or before the reference date */
	KPI_OVERDUE,
	/* first_rise{...}: of the rows in lookup link[0] under the row's
	 * name[2] whose date link[1] lies from name[0] to name[1] (when
	 * set), ordered by date and then by link[3] (when given), the date
	 * of the first after the first whose score link[2] stands at least
	 * consts[0] above the first's; null when there is none */
	KPI_FIRST_RISE,
	/* score_change{...}: per distinct (key name[2], by name[1]) of the
	 * row, or of a group's rows, the rows of lookup link[0] (held in C:
	 * history) with that key and by value whose date link[1] lies on or
	 * before the period's last day: the score link[2] of the latest
	 * minus that of the first (on one day the first read), counted when
	 * the latest lies after the first and in or after the period's
	 * first day; their sum, null when none counts */
	KPI_SCORE_CHANGE,
	KPI_LUA_MEASURE,	/* ref */
	/* conditions; kids[0] is the measure of IS_SET .. ONE_OF */
	KPI_IS_SET,
	KPI_IS_EMPTY,
	KPI_IN_PERIOD,		/* the date lies from the period's first day
				   to its last */
	KPI_EQ,			/* consts[0] */
	KPI_NE,
	KPI_LT,
	KPI_LE,
	KPI_GT,
	KPI_GE,
	KPI_ONE_OF,		/* consts[0..const_count) */
	KPI_ALL,		/* kids */
	KPI_ANY,
	KPI_NEGATE,
	KPI_LUA_CONDITION,	/* ref */
	/* param("name"): a constant from the KPI's parameters */
	KPI_PARAM,
	/* reference_date(): the period's reference date, as a constant */
	KPI_REFERENCE_DATE,
	/* group("field", "name"): a breakdown field in groups */
	KPI_GROUP,
	/* rules; kids[0] is the condition or measure, when given */
	KPI_COUNT,
	KPI_COUNT_DISTINCT,
	KPI_SUM,
	KPI_MEAN,
	KPI_MIN,
	KPI_MAX,
	KPI_SHARE,
	/* ratio(a, b[, factor]): factor (consts[0], else 1) times the sum of
	 * rule a over the sum of rule b, each count() or sum() (kids) */
	KPI_RATIO,
	/* share_of_total(a): rule a (kids[0], count() or sum()) of the cell
	 * as a percentage of a of the total in the period */
	KPI_SHARE_OF_TOTAL,
	/* dataset_sum("population", "inhabitants"): ratio()'s denominator,
	 * the sum of a field (consts[1]) of another dataset (consts[0]) over
	 * its rows with the cell's breakdown values; the total's is over
	 * all its rows */
	KPI_DATASET_SUM
} kpi_op;

/* A value while evaluating, and a constant of a comparison. */
typedef enum kpi_value_type {
	KPI_VALUE_NULL = 0,
	KPI_VALUE_NUMBER,
	KPI_VALUE_DATE,		/* num is the day number */
	KPI_VALUE_TEXT,
	KPI_VALUE_BOOLEAN	/* num is 0 or 1 */
} kpi_value_type;

typedef struct kpi_value {
	kpi_value_type type;
	double num;
	const char *text;
	size_t len;
} kpi_value;

typedef struct kpi_const {
	kpi_value_type type;	/* NUMBER, TEXT or BOOLEAN as written */
	double num;
	char *text;		/* owned */
	size_t len;
	int is_date;		/* text is an ISO date, whose day is date */
	int32_t date;
	char *param;		/* param("name"): filled in when bound */
	int reference;		/* reference_date(): the date is the period's
				   reference date, taken per period */
} kpi_const;

/* A parameter of a KPI: its default from params = { ... }, or the value
 * the configuration gives it ([kpi ID] param.NAME). */
typedef struct kpi_param {
	char *name;
	kpi_const value;	/* NUMBER or TEXT */
} kpi_param;

/* A join (many rows to one: alias.field) or a lookup (one key to many
 * rows, for functions) of another dataset. */
typedef struct kpi_link {
	char *name;		/* the alias, or the lookup's name */
	char *dataset;
	char *field;		/* join: this row's field, matched with the
				   other dataset's key; lookup: the other
				   dataset's field its rows are found by */
	char *key;		/* join: the other dataset's field (NULL: its
				   key field) */
	char **where_fields;	/* lookup: only rows whose text fields ... */
	char **where_values;	/* ... have these values */
	size_t where_count;
} kpi_link;

/* The lookup of overdue{}, first_rise{} and score_change{} held in C
 * (kpi_join.c), shared by a script's KPIs by what it reads: rows grouped
 * by key, then by by (score_change{}; else empty), each pair's rows in
 * the order read (kpi_history_index); key and by are numbers of texts
 * (a number in decimal, empty: "").  overdue{} and first_rise{} check a
 * row's values as they read it (bad: KPI_HISTORY_NO_DATE, _NO_SCORE;
 * order_rank 3), as score_change{} does when the lookup is read. */
enum { KPI_HISTORY_NO_DATE = 1, KPI_HISTORY_NO_SCORE = 2 };

typedef struct kpi_history_row {
	double score;			/* overdue{}: the step */
	union {				/* by order_rank: */
		double order_num;	/* first_rise{}: order of rank 1 */
		struct {		/* rank 2: its text */
			uint32_t order;	/* offset into order_text */
			uint32_t order_len;
		};
	};
	uint32_t key, by;		/* numbers of texts in texts */
	int32_t date;
	uint8_t bad;			/* KPI_HISTORY_NO_* */
	uint8_t order_rank;		/* empty 0, number 1, text 2, other 3 */
} kpi_history_row;

/* Each distinct text (a person's key, a domain) is kept once, in texts,
 * whose keys' offsets stay below 4 GiB: a history of millions of rows of
 * thousands of persons and a dozen domains holds their texts, not a copy
 * per row.  first_rise{}'s order texts (a measurement's own number, as a
 * rule) are each row's own, back to back in order_text.  Its rows and
 * order texts are trimmed to their size once read.  Once indexed, the
 * rows whose key is text t are starts[2 t + 1] rows from row starts[2 t]
 * (kpi_history.c: the blocks of keys lie in the order read, not in order
 * of their numbers): a key is found by its number, in time that does not
 * grow with the history.  moved: the rows the index copied aside (those
 * of keys read in more than one run), its memory on top of the rows. */
typedef struct kpi_history {
	struct kpi_history *next;
	char *signature;
	uint64_t evaluation;		/* read in this one */
	kpi_history_row *rows;
	size_t count, cap;
	strmap texts;			/* the distinct texts of the rows */
	uint32_t *starts;		/* [2 texts.count + 2], once read */
	size_t moved;
	char *order_text;
	size_t order_len, order_cap;
} kpi_history;

/* Put the rows of h, read in their order, in the order of kpi_history
 * and make its starts, in time linear in its rows and texts: 0, or -1
 * when out of memory (its rows in another order, h not indexed). */
int kpi_history_index(kpi_history *h);
/* The rows of history h under (key, by): *count of them from the one
 * returned. */
const kpi_history_row *kpi_history_find(const kpi_history *h,
					const char *key, size_t key_len,
					const char *by, size_t by_len,
					size_t *count);
/* The number of a key's or by's text in h (once read), or -1 when no
 * row has it; and the rows under the pair of such numbers (none when
 * either is -1): kpi_history_find in two steps, for a caller that looks
 * up one key with many bys. */
long kpi_history_text(const kpi_history *h, const char *text, size_t len);
const kpi_history_row *kpi_history_rows(const kpi_history *h, long key,
					long by, size_t *count);

/* The text of a key value (text, or an integer in decimal; buf holds at
 * least 24 bytes), or NULL when it is empty or of another type. */
static inline const char *kpi_key_text(const peil_value *v, char *buf,
				       size_t *len)
{
	if (v->type == PEIL_TYPE_TEXT) {
		*len = v->len;
		return v->as.text;
	}
	if (v->type != PEIL_TYPE_INTEGER)
		return NULL;
	*len = (size_t)snprintf(buf, 24, "%lld", (long long)v->as.integer);
	return buf;
}

typedef struct kpi_node {
	kpi_op op;
	struct kpi_node **kids;
	size_t kid_count;
	char *name[3];		/* field names */
	size_t field[3];	/* bound schema indexes */
	char *link[4];		/* overdue{}: lookup, its step and done
				   fields; first_rise{}: lookup, its date,
				   score and order fields */
	int ref;		/* Lua function, or LUA_NOREF */
	long line;		/* where that function was defined */
	kpi_const *consts;
	size_t const_count;
	kpi_value_type type;	/* a measure's result, once bound */
	const kpi_history *history;	/* overdue{}, first_rise{},
					   score_change{}: loaded (the
					   script's) */
} kpi_node;

/* A script file and its state, shared by the KPIs it defined. */
typedef struct kpi_script {
	sandbox *sb;
	char *path;
	char sha256[65];
	size_t refs;		/* KPIs that use it */
	/* The table of the row being evaluated, shared by the script's KPIs
	 * (and their groups): made once per row. */
	uint64_t row_serial;
	int row_ref;
	/* Per schema met in this scan, the metatables that make a row table
	 * read-only and a read of an undeclared field an error (kpi_rule.c):
	 * { [schema as light userdata] = { values meta, refuse, pairs } }.
	 * Dropped after each scan with Lua functions (kpi_row_meta_drop) and
	 * with each KPI's evaluation state, so that a schema freed since (a
	 * join's, peil test's fixtures) is never found by its address. */
	int row_meta_ref;
	/* Lookups read in evaluation lookups_evaluation, by what they read
	 * (dataset, field, where), shared by the script's KPIs. */
	int lookups_ref;
	uint64_t lookups_evaluation;
	/* The KPI whose Lua function runs, for param() (kpi_dsl.c, which has
	 * the script as an upvalue): set by kpi_rule.c for the time of each
	 * call, NULL outside one (while the script loads, param() builds a
	 * node).  The evaluation, not the compiler, knows which KPI runs. */
	struct kpi *evaluating;
	/* overdue{}, first_rise{} and score_change{}'s lookups, held in C
	 * (kpi_join.c) */
	kpi_history *histories;
} kpi_script;

/* A [group NAME]: the values of a breakdown field mapped to groups
 * (kpi_groups.c), from a file or from a dataset read per evaluation. */
typedef struct kpi_group {
	char *name, *other;	/* other: the group of an unmapped value */
	char *file;		/* the file's path, or NULL */
	char *dataset, *value_field, *group_field;	/* NULL: a file's */
	strmap values;		/* value i goes to groups[i] */
	char **groups;
	size_t cap;
	uint64_t evaluation;	/* the dataset was read in this one */
} kpi_group;

/* A breakdown field grouped: group("referrer", "verwijzers") in the
 * script, or [kpi ID] group.referrer = verwijzers (a later one for the
 * same field wins). */
typedef struct kpi_grouping {
	char *field, *group;
	int configured;		/* from [kpi ID], not the script */
} kpi_grouping;

typedef struct kpi {
	kpi_info info;		/* strings below are owned */
	const struct kpi_set *set;	/* the set it is in, once added */
	kpi_script *script;
	kpi_node *select;	/* NULL: every period */
	kpi_node *where;	/* NULL: every selected row */
	kpi_node *rule;
	kpi_node *having;	/* with per: a condition on each group */
	char *per;		/* group rows by this field, or NULL */
	size_t per_field;
	kpi_param *params;
	size_t param_count;
	kpi_link *joins, *lookups;
	size_t join_count, lookup_count;
	int uses_lua;		/* some node is a Lua function */
	/* evaluation state */
	size_t *breakdown_field; /* bound schema indexes */
	kpi_grouping *groupings;
	size_t grouping_count;
	const kpi_group **breakdown_group; /* bound, per breakdown field
					      (NULL: not grouped) */
	uint64_t budget_left;
	/* The wall clock: seconds left of the KPI's own limit,
	 * the evaluation's deadline (sandbox_clock), and both limits for
	 * the message. */
	double seconds_left, run_deadline;
	uint64_t seconds_limit, run_seconds_limit;
	int failed;
	/* The period tables handed to k's Lua functions, one per run (a
	 * grain), each made once of that run's periods (kpi_row.periods). */
	const period *periods_of[PERIOD_GRAIN_COUNT];
	int periods_ref[PERIOD_GRAIN_COUNT];
	int lookups_ref;	/* { name = { [key] = { rows } } } */
	struct kpi_group_store *groups;	/* per (kpi_group_rows.c) */
	int groups_lua;		/* per: having or the rule has a Lua
				   function, which gets groups as tables */
} kpi;

struct kpi_set {
	const calendar *cal;
	const kpi_cases *cases;	/* kpi_set_cases; NULL: none */
	kpi_limits limits;	/* defaults filled in */
	int contract_start_month;
	int32_t contract_start;	/* [contract] start, when has_ it */
	int has_contract_start;
	period_reference reference;	/* where periods' reference dates lie */
	int has_margin, margin_relative;	/* the default at-risk margin */
	double margin;
	char **script_dirs;	/* where require() looks */
	size_t script_dir_count;
	uint64_t serial;	/* rows scanned so far: a row's number */
	uint64_t evaluations;	/* kpi_evaluate calls so far */
	double run_deadline;	/* of the kpi_evaluate under way */
	kpi **kpis;		/* sorted by id */
	size_t count, cap;
	kpi_group **groups;	/* [group NAME] */
	size_t group_count;
	/* per's group stores (kpi_group_rows.c): made so far, and the
	 * most held at once (at the end of a scan) */
	size_t group_stores_made, group_stores_peak;
	/* of them, those reduced a period at a time in the order of their
	 * groups' first rows (kpi_group_reduce_merged) */
	size_t group_stores_merged;
	/* count_distinct's pieces counted after the scans in parallel
	 * (kpi_take_piece), so far */
	atomic_size_t distinct_pieces;
};

/* The string at idx (which must be one: lua_tolstring does not convert
 * a key in place then) copied for the host, counted against the
 * script's memory cap (sandbox_strdup); NULL when it does not fit. */
static inline char *kpi_copy(lua_State *L, int idx)
{
	size_t len;
	const char *s = lua_tolstring(L, idx, &len);

	return s ? sandbox_strdup(L, s, len) : NULL;
}

/* kpi.c: the KPI of the set with this id, or NULL. */
kpi *kpi_set_kpi(const kpi_set *set, const char *id);

/* kpi_dsl.c: install the DSL helpers (kpi, started_in, count, date.*,
 * param, require, ...) in a script's environment; the set's calendar is
 * borrowed.  0 or -1 with err. */
int kpi_dsl_install(kpi_script *script, const kpi_set *set, peil_error *err);

/* kpi_links.c: compile params, per, join and lookup (kpi_compile_links)
 * or the target of the kpi{} table at t into k.  0, or -1 with msg. */
int kpi_compile_links(lua_State *L, int t, kpi *k, char *msg, size_t size);
int kpi_compile_target(lua_State *L, int t, kpi *k, char *msg, size_t size);
/* "5" or "10%" into info's margin; 0, or -1 when it is neither. */
int kpi_margin_parse(const char *text, kpi_info *info);

/* kpi_denominator.c: the sums of dataset_sum(), per breakdown value. */
typedef struct kpi_den_table kpi_den_table;
/* Read the dataset of part (KPI_DATASET_SUM) of k through source into
 * *out; -1 with err (an unknown dataset or field, a breakdown field it
 * lacks, a row without a number, a grouped breakdown, no rows). */
int kpi_den_load(const kpi *k, const kpi_node *part,
		 const kpi_source *source, kpi_den_table **out,
		 peil_error *err);
/* The denominator of the cell breakdown (JSON text; "{}" the total), or
 * NAN when the dataset has no row of it. */
double kpi_den_of(const kpi_den_table *t, const kpi *k,
		  const char *breakdown);
void kpi_den_free(kpi_den_table *t);		/* accepts NULL */

/* kpi_target.c: the bound key ("min", "max", "min.FIELD.VALUE",
 * "max.FIELD.VALUE") of info's targets set to x.  0; -1 when key is none
 * of those, -2 when out of memory. */
int kpi_target_put(kpi_info *info, const char *key, double x);
/* "all", "total" or "cells" into *out; 0, or -1 when it is none. */
int kpi_target_scope_parse(const char *text, kpi_target_scope *out);
void kpi_targets_free(kpi_info *info);
/* Fail when a cell target names a field outside k's breakdown. */
int kpi_targets_bind(const kpi *k, peil_error *err);

/* kpi_require.c: require("name") in the environment at the top, loading
 * name.lua from dirs only (dots are '/'), once per state. */
void kpi_require_install(lua_State *L, kpi_script *script, char *const *dirs,
			 size_t dir_count);

/* kpi_date.c: push the date table (date.workdays, date.add_months, ...)
 * whose functions use cal (borrowed). */
void kpi_date_push(lua_State *L, const calendar *cal);
/* The i-th function name of that table, or NULL past the last. */
const char *kpi_date_name(size_t i);

/* Compiling collects the KPIs of one load here. */
typedef struct kpi_load {
	kpi_script *script;
	kpi **kpis;
	size_t count, cap;
	kpi *pending;		/* being compiled; freed if compiling fails */
} kpi_load;

/* Run the script's chunk (already loaded, on the stack) with kpi{} bound
 * to load.  0 or -1 with err. */
int kpi_dsl_run(kpi_load *load, uint64_t budget, peil_error *err);

/* kpi_free.c: free a KPI (NULL is accepted) and drop its reference to its
 * script; drop a reference to a script, freeing it with the last. */
void kpi_free(kpi *k);
void kpi_script_release(kpi_script *script);

/* kpi_rule.c: resolve field names against schema and check that their
 * types fit.  0, or -1 with err (file and line of the KPI). */
int kpi_bind(kpi *k, const peil_schema *schema, peil_error *err);

/* The first field that k's declarative parts (breakdown, per, select,
 * where, rule, having) name and has(ctx, name) says is not there, or
 * NULL. */
const char *kpi_field_lacking(const kpi *k,
			      int (*has)(const void *ctx, const char *name),
			      const void *ctx);
/* The first field that they name and schema does not declare, or NULL. */
const char *kpi_missing_field(const kpi *k, const peil_schema *schema);
/* The first field that k reads and fills(ctx, dataset, field) says no
 * source fills, with its dataset in *dataset, or NULL: the fields that
 * they name (alias.field in the joined dataset), the fields of its joins,
 * and those its lookups are found, filtered and read by. */
const char *kpi_field_unfilled(const kpi *k,
			       int (*fills)(void *ctx, const char *dataset,
					    const char *field),
			       void *ctx, const char **dataset);

/* Set used[i] for every schema field k reads (bound). */
void kpi_mark_fields(const kpi *k, unsigned char *used);

/* What a node is evaluated against. */
typedef struct kpi_row {
	const peil_schema *schema;
	const peil_value *values;	/* projected */
	const size_t *slot;		/* schema index -> values index */
	uint64_t serial;		/* unique in the set's life */
	const calendar *cal;
	const period *periods;		/* the KPI's periods */
	size_t period_count;
	int table_ref;			/* a Lua table standing for the row
					   (a group), or LUA_NOREF */
	const struct kpi_group_rows *group;	/* per: the group's rows
						   (kpi_group_member), or
						   NULL */
} kpi_row;

/* A measure's value, a condition's truth (0/1) for row in period p.
 * -1 with err when a Lua function failed or returned nonsense. */
int kpi_measure(kpi *k, const kpi_node *node, const kpi_row *row, size_t p,
		kpi_value *out, peil_error *err);
int kpi_condition(kpi *k, const kpi_node *node, const kpi_row *row, size_t p,
		  int *out, peil_error *err);
/* Release the row and period tables held for k's Lua functions. */
void kpi_lua_release(kpi *k);
/* Push the row's table for k's functions (made once per row); under
 * sandbox_protect. */
void kpi_row_table_push(lua_State *L, kpi *k, const kpi_row *row);
/* Forget the row metatables made for script's schemas: call it once a
 * schema they were made for may be freed (a join's, after its scan), so
 * that another schema at the same address does not find them.  On the
 * thread that runs script's Lua. */
void kpi_row_meta_drop(kpi_script *script);
/* Push a fresh read-only table of the row's fields for script's
 * functions: reading a field the row's dataset does not declare raises an
 * error naming it (a declared field that is empty reads nil); writing any
 * key raises one.  Under sandbox_protect.  A row a lookup keeps (kept) is
 * the table of values itself, without the proxy that refuses writes to
 * fields that hold a value: the proxy costs some 240 bytes a row, and the
 * lookups of a demo-sized dataset went over the memory cap with it. */
void kpi_push_row(lua_State *L, kpi_script *script, const kpi_row *row,
		  int kept);

/* kpi_links.c: the parameter called name of k, or NULL. */
kpi_param *kpi_param_find(kpi *k, const char *name);

/* Accumulators of one (cell, period). */
typedef struct kpi_acc {
	double rows;		/* selected rows (after where) */
	double hits;		/* of which the condition held */
	double n, sum, min, max; /* non-null measure values */
	double den;		/* ratio(): the denominator's sum */
	double distinct;	/* count_distinct: the values (kpi_distinct) */
} kpi_acc;

/* kpi_accumulate.c: add one row (or group) to an accumulator; v is the
 * rule's numeric measure or NULL.  Called per row and period by kpi_eval.c
 * and per group by kpi_group.c: defined here so that both may inline it
 * (kpi_accumulate.c holds the one external definition). */
inline void kpi_acc_add(kpi_acc *acc, int hit, const kpi_value *v)
{
	acc->rows += 1;
	acc->hits += hit;
	if (!v || v->type == KPI_VALUE_NULL)
		return;
	if (acc->n == 0 || v->num < acc->min)
		acc->min = v->num;
	if (acc->n == 0 || v->num > acc->max)
		acc->max = v->num;
	acc->n += 1;
	acc->sum += v->num;
}

/* kpi_groups.c: the group of a value of g (text, len bytes, not empty):
 * its mapped group, else g->other. */
const char *kpi_group_of(const kpi_group *g, const char *text, size_t len);
/* Bind k's groupings (k->set's groups) to its breakdown fields; -1 with
 * err for a group the configuration lacks, or a grouped field outside the
 * breakdown. */
int kpi_groups_bind(kpi *k, peil_error *err);
/* The [group NAME] of set, or NULL. */
kpi_group *kpi_set_group(const kpi_set *set, const char *name);
/* Read g's dataset (when it has one) through source, once per
 * evaluation; -1 with err. */
int kpi_group_load(kpi_group *g, uint64_t evaluation,
		   const kpi_source *source, peil_error *err);
void kpi_group_free(kpi_group *g);

/* kpi_cells.c: the cells of the breakdown of k (bound; borrowed while the
 * cells are used to find a row's), cell 0 the total "{}".  Shared by the
 * KPIs that kpi_cells_fit: _new gives one reference, _hold another, and
 * _release drops one (NULL is accepted). */
typedef struct kpi_cells kpi_cells;
kpi_cells *kpi_cells_new(const kpi *k);			/* NULL: no memory */
kpi_cells *kpi_cells_hold(kpi_cells *c);
void kpi_cells_release(kpi_cells *c);
/* 1 when k breaks down by the same fields (bound to the same schema). */
int kpi_cells_fit(const kpi_cells *c, const kpi *k);
/* The cell of a row (values projected by slot), added when new; -1 when
 * out of memory. */
long kpi_cells_find(kpi_cells *c, const peil_value *values,
		    const size_t *slot);
size_t kpi_cells_count(const kpi_cells *c);	/* cells found so far */
/* A cell's JSON text; valid until the next kpi_cells_find. */
const char *kpi_cells_text(const kpi_cells *c, size_t cell);
/* The shortest text that reads back as the same double. */
void kpi_format_real(double x, char *out, size_t size);

/* kpi_distinct.c: the values count_distinct has counted in each (cell,
 * period) of a run of a KPI over period_count periods. */
typedef struct kpi_distinct kpi_distinct;
/* A set that holds at most budget bytes: its values go to partitions by
 * their hash, in buffers of a quarter of it and past those to a
 * temporary file, and each partition is counted by kpi_distinct_finish.
 * NULL: no memory. */
kpi_distinct *kpi_distinct_new(size_t period_count, size_t budget);
void kpi_distinct_free(kpi_distinct *d);		/* accepts NULL */
/* The hash of the values (strmap_hash unless set), before the first
 * add: tests give one that collides. */
void kpi_distinct_hash_with(kpi_distinct *d,
			    uint64_t (*hash)(const char *key, size_t len));
/* Count v (not null) in cell in the periods 64 * word + i for each bit i
 * set in bits; whether it is new there is counted by kpi_distinct_finish.
 * 0, or -1 when out of memory. */
int kpi_distinct_add_bits(kpi_distinct *d, const kpi_value *v, size_t cell,
			  size_t word, uint64_t bits);
/* Called with the bits of the periods 64 * word + i in which a value
 * is new in cell. */
typedef void (*kpi_distinct_count)(void *ctx, size_t cell, size_t word,
				   uint64_t added);
/* After the last add: count the values, partition by partition, handing
 * what is new to count, and free what the set held.  0, or -1 with err
 * (a temporary file that could not be written or read back, out of
 * memory). */
int kpi_distinct_finish(kpi_distinct *d, kpi_distinct_count count, void *ctx,
			peil_error *err);
/* The records added (a value in a cell and a word of periods). */
size_t kpi_distinct_records(const kpi_distinct *d);
/* kpi_distinct_finish of piece (0 up) of pieces, a share of the 256
 * partitions (more pieces leave some empty): a value is in one
 * partition, so the counts of all pieces, added, are those of
 * kpi_distinct_finish, in any order.  Different pieces of a set may be
 * counted at once on different threads, each in a table of its own (at
 * most half the budget, as one).  What a piece held is freed; the set,
 * by kpi_distinct_free. */
int kpi_distinct_finish_piece(kpi_distinct *d, size_t piece, size_t pieces,
			      kpi_distinct_count count, void *ctx,
			      peil_error *err);

/* kpi_group_rows.c: per = "field", its groups held in C.  Remember row
 * (in period p) for slot, a (cell, period) pair; rows with an empty per
 * field are left out.  0, or -1 with err. */
int kpi_group_add(kpi *k, const kpi_row *row, size_t slot, peil_error *err);
/* A group (kpi_row.group). */
typedef struct kpi_group_rows {
	struct kpi_group_store *store;
	size_t first;		/* its first row */
	size_t slot, index;	/* group index of slot */
	uint32_t value;		/* the number of its per value, the same
				   in every slot */
} kpi_group_rows;
/* Group i (0, 1, ...: in the order first seen) of slot into *out: 1, or
 * 0 when the slot has no group i. */
int kpi_group_get(const kpi *k, size_t slot, size_t i, kpi_group_rows *out);
/* A measure of a group worked out in C (score_change{}) remembered: the
 * runs that share the groups reduce them slot by slot (kpi_eval.c), or
 * group by group (kpi_group_reduce_merged), so that having and the rule
 * of each of them read the group's value once worked out, not once
 * each.  what[0..what_len) (at most
 * KPI_GROUP_MEMO_WHAT bytes) tells the measures and periods apart; the
 * values of one slot (of one group: kpi_group_memo_one) and its first
 * measure are kept at a time.  The group's
 * entry: known 0 until the caller fills it in; NULL when out of memory
 * or what is too long (then work it out each time). */
#define KPI_GROUP_MEMO_WHAT 64
typedef struct kpi_group_memo {
	kpi_value value;
	int known;
} kpi_group_memo;
kpi_group_memo *kpi_group_memo_of(const kpi_group_rows *group,
				  const void *what, size_t what_len);
/* The memo of store g for one group at a time (on 1), rather than for
 * the groups of one slot (on 0, as made): when the runs that share the
 * groups reduce each group in turn (kpi_group_reduce_merged). */
void kpi_group_memo_one(struct kpi_group_store *g, int on);
/* What owner (score_change{}'s lookup) numbers the group's per value,
 * remembered per value across the slots (a person is in a group of each
 * period and cell): the entry, -2 until the caller fills it in; NULL
 * when field (a schema index) is not the per field, for an owner other
 * than the first, or out of memory. */
long *kpi_group_number_of(const kpi_group_rows *group, size_t field,
			  const void *owner);
/* The next row of the group that group (a row handed to the rule by
 * kpi_group_reduce) stands for into *member, *at 0 for the first: 1, or
 * 0 after the last.  member's values stay valid until the next call. */
int kpi_group_member(const kpi_row *group, size_t *at, kpi_row *member);
/* Free k's groups (after its evaluation; NULL accepted). */
void kpi_group_release(kpi *k);
/* kpi_describe.c: what decides the rows in k's groups (per = "field")
 * and the fields they keep: dataset, per field, selection and condition
 * with parameters filled in, the score_change{} nodes of having and the
 * rule, lookups and joins.  KPIs of one scan with the same breakdown,
 * grain and key have the same groups, made once.  1 with the key into
 * out; 0 when k has no groups or they cannot be told equal (a Lua
 * function selects or filters their rows). */
int kpi_group_rows_key(const kpi *k, char *out, size_t size);
/* kpi_group.c: reduce every group of slot into acc: having, then the rule
 * on the group; with cases (kpi_set_cases), hand each group that passed
 * having to cases->group.  0, or -1 with err. */
int kpi_group_reduce(kpi *k, const kpi_row *templ, size_t slot, size_t p,
		     kpi_acc *acc, const kpi_cases *cases, peil_error *err);
/* The groups of several slots of k (slots[c] of cell c) in the order of
 * their first rows, that in which a scan met them: each slot's in its
 * own order (0, 1, ...), a heap of the cells by their next group's first
 * row.  start: 0, or -1 when out of memory; next: 1 with the next group
 * and its cell, 0 after the last; end frees. */
typedef struct kpi_group_merge {
	const kpi *k;
	const size_t *slots;
	size_t *heap, count;	/* cells with groups left */
	size_t *first, *next;	/* per cell: its next group, its first row */
} kpi_group_merge;
int kpi_group_merge_start(kpi_group_merge *m, const kpi *k,
			  const size_t *slots, size_t cell_count);
int kpi_group_merge_next(kpi_group_merge *m, size_t *cell,
			 kpi_group_rows *group);
void kpi_group_merge_end(kpi_group_merge *m);
/* A KPI's part in kpi_group_reduce_merged: the groups it reads are
 * parts[0].k's (k->groups the same store); its cell c's accumulator of
 * the period is acc[c * step]; failed (err filled) when it fails. */
typedef struct kpi_group_part {
	kpi *k;
	kpi_row templ;
	kpi_acc *acc;
	size_t step;
	peil_error *err;
	int failed;
} kpi_group_part;
/* Reduce the groups of period p's slots (slots[c] of cell c), as
 * kpi_group_reduce does each, for every part in turn, without Lua and
 * cases: each group for all parts at once, the groups of all cells in the
 * order of their first rows, so that a person's groups in every cell
 * (and his rows of a lookup) are reduced together, while they are in the
 * cache.  Each accumulator gets its groups in the order of its slot, as
 * with kpi_group_reduce: the same sums, in the same order.  0, or -1
 * when out of memory before any group was reduced. */
int kpi_group_reduce_merged(kpi_group_part *parts, size_t part_count,
			    const size_t *slots, size_t cell_count, size_t p);

/* kpi_rows.c: rows of fixed width, one slot per field of the declared
 * types, for the rows a join holds. */
typedef struct kpi_rows kpi_rows;
kpi_rows *kpi_rows_new(const peil_type *types, size_t n);	/* NULL: no
								   memory */
void kpi_rows_free(kpi_rows *r);			/* accepts NULL */
/* A copy of the n values of a row (texts copied, any type in any field);
 * its number (0, 1, ...), or -1 when out of memory. */
long kpi_rows_add(kpi_rows *r, const peil_value *values);
/* Row i's values into values[dest[f]] (dest NULL: values[f]); texts stay
 * valid until kpi_rows_free. */
void kpi_rows_get(const kpi_rows *r, size_t i, peil_value *values,
		  const size_t *dest);
size_t kpi_rows_count(const kpi_rows *r);
size_t kpi_rows_bytes(const kpi_rows *r);	/* memory held: the blocks, the
						   arrays by their counts */

/* kpi_join.c: a dataset with the fields of its joins appended as
 * "alias.field", and its scan. */
typedef struct kpi_joined kpi_joined;
/* k's dataset and its joins' by schema(ctx, name) into *out: 0, or -1 with
 * err (an unknown dataset or field, no memory) and *out NULL. */
int kpi_joined_new(const kpi *k,
		   const peil_schema *(*schema)(void *ctx, const char *name),
		   void *ctx, kpi_joined **out, peil_error *err);
/* The combined schema; valid until kpi_joined_free. */
const peil_schema *kpi_joined_schema(const kpi_joined *j);
/* Read the joined datasets, then scan k's dataset, calling row with the
 * combined values: only the fields marked in used (combined indexes) and
 * the keys are read, the others are empty; used NULL reads every field. */
int kpi_joined_scan(kpi_joined *j, const kpi_source *source,
		    const unsigned char *used, peil_row_fn row, void *row_ctx,
		    peil_error *err);
void kpi_joined_free(kpi_joined *j);			/* accepts NULL */
/* After the scan: how many rows of k's dataset name a key that no row of
 * a joined dataset has (a member of a case absent from cases), handed on
 * with the joined fields empty, and in msg which, with the first few
 * keys: "dataset case_members: 2 rows have a case_id that no row of cases
 * has (D98, D99)".  0 and "" when none. */
size_t kpi_joined_unmatched(const kpi_joined *j, char *msg, size_t size);
/* Inside the scan's row function: whether the row names such a key. */
int kpi_joined_row_unmatched(const kpi_joined *j);
/* Read k's lookup datasets into its script state (k->lookups_ref), or
 * take them from another KPI of the script that read the same in this
 * evaluation. */
int kpi_lookups_load(kpi *k, uint64_t evaluation, const kpi_source *source,
		     peil_error *err);

#endif
