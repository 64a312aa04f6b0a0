/*
 * settings.c - the table of the host's keys, and reading a config by it.
 *
 * Like fluent-bit's config map, a row holds a key's type, default, range
 * and help text and the offset its value goes to, so that a key is declared
 * once: the parsers below are chosen by type, and docs/configuration.md is
 * checked against the rows (tests/docs).  Before this table, [run] was read
 * in four files with three number parsers, and `peil check` let a
 * `mode = snapshto` pass that `peil ingest` refused.
 */
#include "engine/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/calendar.h"
#include "base/error.h"
#include "base/grow.h"
#include "base/period.h"

enum setting_type {
	SETTING_STRING,		/* const char *, borrowed from the config */
	SETTING_PATH,		/* char *, resolved against the config */
	SETTING_BOOL,		/* int */
	SETTING_NUMBER,		/* uint64_t within [min, max] */
	SETTING_MONTH,		/* uint64_t, 1 to 12: a number's parser */
	SETTING_ENUM,		/* int, the value of the word chosen */
	SETTING_LIST,		/* settings_list */
	SETTING_PATH_LIST,	/* settings_list of resolved paths */
	SETTING_DATE,		/* int32_t, days since 1970-01-01 */
	SETTING_DATES,		/* settings_dates */
	SETTING_PERIODS,	/* settings_periods */
	SETTING_DATE_FORMATS,	/* parse_date_formats */
	SETTING_OWNED		/* read by its owner (schema.c, kpi.c,
				   value_map.c) */
};

static const char *const type_names[] = {
	"string", "path", "bool", "whole number", "month", "enum", "list",
	"list of paths", "date", "list of dates", "list of periods",
	"list of date formats", "read by its owner"
};

typedef struct setting_choice {
	const char *word;
	int value;
} setting_choice;

/* Where a row's value goes: in peil_settings, or in a settings_source for
 * a [source NAME] row. */
enum setting_base { IN_SETTINGS, IN_SOURCE, IN_DATASET, IN_GROUP };

#define NO_OFFSET ((size_t)-1)

typedef struct setting {
	const char *section;
	const char *key;		/* ending in '.': a prefix */
	enum setting_type type;
	const char *fallback;		/* parsed like a value; NULL: none */
	const char *doc_default;	/* as the docs write it; NULL: the
					   fallback, else "none" */
	uint64_t min, max;		/* numbers */
	const setting_choice *choices;	/* enums, NULL-word terminated */
	const char *expect;		/* "expected ..." in messages */
	enum setting_base base;
	size_t offset;			/* of the value */
	size_t at;			/* of a const config_entry * to set,
					   or NO_OFFSET */
	const char *doc;
} setting;

static const setting_choice yes_no[] = {
	{ "yes", 1 }, { "ja", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
	{ "no", 0 }, { "nee", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 },
	{ NULL, 0 }
};
static const setting_choice references[] = {
	{ "last", PERIOD_REFERENCE_LAST }, { "first", PERIOD_REFERENCE_FIRST },
	{ "next", PERIOD_REFERENCE_NEXT }, { NULL, 0 }
};
static const setting_choice decimals[] = {
	{ "comma", ',' }, { "point", '.' }, { ",", ',' }, { ".", '.' },
	{ NULL, 0 }
};
static const setting_choice modes[] = {
	{ "increment", 0 }, { "snapshot", 1 }, { NULL, 0 }
};
static const setting_choice on_errors[] = {
	{ "stop", 0 }, { "reject", 1 }, { NULL, 0 }
};
static const setting_choice on_unknowns[] = {
	{ "warn", 0 }, { "refuse", 1 }, { NULL, 0 }
};

static const setting_choice repeated_keys[] = {
	{ "refuse", 0 }, { "keep_last", 1 }, { NULL, 0 }
};

#define S(field) IN_SETTINGS, offsetof(peil_settings, field)
#define SRC(field) IN_SOURCE, offsetof(settings_source, field)
#define AT(field) offsetof(peil_settings, field)
#define SRC_AT(field) offsetof(settings_source, field)
#define DS(field) IN_DATASET, offsetof(settings_dataset, field)
#define DS_AT(field) offsetof(settings_dataset, field)
#define GR(field) IN_GROUP, offsetof(settings_group, field)
#define GR_AT(field) offsetof(settings_group, field)

/* Every key the host reads, in the order of docs/configuration.md. */
static const setting table[] = {
	{ "peil", "storage", SETTING_STRING, "sqlite", NULL, 0, 0, NULL, NULL,
	  S(storage), NO_OFFSET,
	  "the storage plugin that keeps datasets, runs and figures" },
	{ "peil", "plugin_dirs", SETTING_PATH_LIST, NULL, NULL, 0, 0, NULL,
	  NULL, S(plugin_dirs), NO_OFFSET,
	  "directories searched for plugins first" },
	{ "peil", "script_dirs", SETTING_PATH_LIST, "scripts", NULL, 0, 0,
	  NULL, NULL, S(script_dirs), AT(script_dirs_at),
	  "KPI script directories, a later one replacing an earlier's KPIs" },
	{ "peil", "reject_dir", SETTING_PATH, "rejects", NULL, 0, 0, NULL,
	  NULL, S(reject_dir), NO_OFFSET,
	  "where on_error = reject writes rejected rows" },

	{ "calendar", "good_friday", SETTING_BOOL, "yes", NULL, 0, 0, yes_no,
	  "yes or no", S(good_friday), NO_OFFSET,
	  "Goede Vrijdag is a holiday" },
	{ "calendar", "liberation_day", SETTING_BOOL, "yes", NULL, 0, 0,
	  yes_no, "yes or no", S(liberation_day), NO_OFFSET,
	  "Bevrijdingsdag (5 May) is a holiday" },
	{ "calendar", "extra", SETTING_DATES, NULL, NULL, 0, 0, NULL, NULL,
	  S(extra), NO_OFFSET, "more holidays, as jjjj-mm-dd dates" },
	{ "calendar", "dates", SETTING_DATES, NULL, NULL, 0, 0, NULL, NULL,
	  S(dates), NO_OFFSET,
	  "an explicit list of holidays that replaces the rules" },

	{ "run", "periods", SETTING_PERIODS, NULL, "required by peil run", 0,
	  0, NULL, "periods such as 2018, 2018-01..2018-06 or last 13 months",
	  S(periods),
	  AT(periods_at), "the periods that peil run evaluates" },
	{ "run", "delay_days", SETTING_NUMBER, "0", NULL, 0, 100000, NULL,
	  NULL, S(delay_days), NO_OFFSET,
	  "peil run evaluates a period only this many days after its end" },
	{ "run", "final_after_months", SETTING_NUMBER, "3", NULL, 0, 100000,
	  NULL, NULL, S(final_after_months), NO_OFFSET,
	  "figures are provisional until this many months after the period" },
	{ "run", "lock_file", SETTING_PATH, NULL,
	  "where the storage plugin suggests (sqlite: its path + .lock)",
	  0, 0, NULL, NULL, S(lock_file),
	  NO_OFFSET, "the lock that run, ingest, eval and prune take" },
	{ "run", "lock_wait", SETTING_NUMBER, "600", NULL, 0, 86400, NULL,
	  NULL, S(lock_wait), NO_OFFSET,
	  "seconds to wait for another peil's lock" },
	{ "run", "threads", SETTING_NUMBER, "2", NULL, 1, 2, NULL, "1 or 2",
	  S(threads), NO_OFFSET, "evaluation threads" },
	{ "run", "kpis", SETTING_STRING, NULL, "every enabled KPI", 0, 0,
	  NULL, NULL, S(kpis), AT(kpis_at),
	  "the KPIs to evaluate: ids and tag:NAME, '-' before one leaves it "
	  "out" },
	{ "run", "withdrawn", SETTING_STRING, NULL, "none", 0, 0, NULL, NULL,
	  S(withdrawn), NO_OFFSET,
	  "KPIs published before whose scripts were removed on purpose" },

	/* No fallback: 0 leaves the sandbox's own defaults (kpi.h). */
	{ "limits", "memory_mb", SETTING_NUMBER, NULL, "64", 1, 4096, NULL,
	  NULL, S(memory_mb), NO_OFFSET, "memory of one script's Lua state" },
	{ "limits", "instructions", SETTING_NUMBER, NULL, "1000000000", 1000,
	  UINT64_C(1000000000000), NULL, NULL, S(instructions), NO_OFFSET,
	  "Lua instructions for loading a script, and for one KPI" },
	{ "limits", "seconds", SETTING_NUMBER, NULL, "60", 1, 86400, NULL,
	  NULL, S(seconds), NO_OFFSET,
	  "wall-clock seconds for loading a script, and for one KPI" },
	{ "limits", "run_seconds", SETTING_NUMBER, NULL, "3600", 1, 604800,
	  NULL, NULL, S(run_seconds), NO_OFFSET,
	  "wall-clock seconds for the scripts of one evaluation" },
	{ "limits", "distinct_memory_mb", SETTING_NUMBER, NULL, "16", 1, 4096,
	  NULL, NULL, S(distinct_memory_mb), NO_OFFSET,
	  "memory of count_distinct's values in one KPI, past which they go "
	  "to temporary files" },
	{ "limits", "kpi_memory_mb", SETTING_NUMBER, NULL, "2048", 1, 1048576,
	  NULL, NULL, S(kpi_memory_mb), NO_OFFSET,
	  "memory of one KPI's groups, and of each lookup history, held in C" },

	{ "contract", "start_month", SETTING_MONTH, "1", NULL, 1, 12, NULL,
	  "a month number 1 to 12", S(start_month), NO_OFFSET,
	  "the first month of the contract year" },
	{ "contract", "start", SETTING_DATE, NULL, NULL, 0, 0, NULL,
	  "a date as jjjj-mm-dd", S(start), AT(start_at),
	  "the contract's first day, where cumulative() counts from" },
	{ "contract", "margin", SETTING_STRING, NULL, NULL, 0, 0, NULL, NULL,
	  S(margin), AT(margin_at),
	  "how far a value may miss its target and be at risk" },
	{ "contract", "reference", SETTING_ENUM, "last", NULL, 0, 0,
	  references, "last, first or next (the day after the period)",
	  S(reference), NO_OFFSET, "the reference date of stock figures" },

	{ "kpi", "target.min", SETTING_OWNED, NULL, "the script's", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the target's lower bound" },
	{ "kpi", "target.max", SETTING_OWNED, NULL, "the script's", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the target's upper bound" },
	{ "kpi", "target.applies", SETTING_OWNED, NULL, "the script's, else "
	  "all", 0, 0, NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "where the target holds: all, total or cells" },
	{ "kpi", "target.min.", SETTING_OWNED, NULL, "the script's", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a lot's lower bound: target.min.FIELD.VALUE = N" },
	{ "kpi", "target.max.", SETTING_OWNED, NULL, "the script's", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a lot's upper bound: target.max.FIELD.VALUE = N" },
	{ "kpi", "margin", SETTING_OWNED, NULL, "[contract] margin", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the KPI's own at-risk margin" },
	{ "kpi", "param.", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the value of a parameter the script declares" },
	{ "kpi", "enabled", SETTING_OWNED, NULL, "yes", 0, 0, NULL, NULL,
	  IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "no leaves the KPI out of every evaluation" },
	{ "kpi", "breakdown", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the fields the KPI is broken down by" },
	{ "kpi", "group.", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a breakdown field's values in groups: group.FIELD = NAME" },
	{ "kpi", "grains", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the grains the KPI is evaluated in" },
	{ "kpi", "decimals", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the decimals of every value of the KPI in tables" },
	{ "kpi", "compare", SETTING_OWNED, NULL, "the script's", 0, 0, NULL,
	  NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "the earlier periods each figure is compared with" },
	{ "kpi", "visibility", SETTING_OWNED, NULL, "the script's", 0, 0,
	  NULL, NULL, IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "public or internal: only public KPIs leave through public outputs" },

	{ "privacy", "min_count", SETTING_NUMBER, "10", NULL, 0, 1000000,
	  NULL, NULL, S(min_count), NO_OFFSET,
	  "counts above 0 and below this are not shown" },
	/* Its default is min_count's value: settings_open sets it. */
	{ "privacy", "min_denominator", SETTING_NUMBER, NULL, "min_count", 0,
	  1000000, NULL, NULL, S(min_denominator), NO_OFFSET,
	  "shares and means are shown only over this many cases" },
	{ "privacy", "key_file", SETTING_PATH, NULL,
	  "required when a dataset has a bsn field", 0, 0, NULL, NULL,
	  S(key_file), AT(key_file_at),
	  "the municipality's secret for hashing citizen numbers" },

	/* [privacy public]: the stricter rules of the public outputs; their
	 * defaults are [privacy]'s values (settings_open). */
	{ "privacy public", "min_count", SETTING_NUMBER, NULL,
	  "[privacy] min_count", 0, 1000000, NULL, NULL, S(public_min_count),
	  AT(public_min_count_at),
	  "min_count of the public outputs, at least [privacy]'s" },
	{ "privacy public", "min_denominator", SETTING_NUMBER, NULL,
	  "[privacy public] min_count", 0, 1000000, NULL, NULL,
	  S(public_min_denominator), AT(public_min_denominator_at),
	  "min_denominator of the public outputs, at least [privacy]'s" },

	{ "report", "late_after_days", SETTING_NUMBER, "14", NULL, 0, 100000,
	  NULL, NULL, S(late_after_days), NO_OFFSET,
	  "a case entered later than this after registration is late" },
	{ "report", "quality_fields", SETTING_LIST,
	  "organisation, district, neighbourhood, referrer, person", NULL, 0,
	  0, NULL, NULL, S(quality_fields), NO_OFFSET,
	  "fields whose emptiness the report counts over registered cases" },
	{ "report", "quality_closure_fields", SETTING_LIST,
	  "closure_reason, self_reliant, mark", NULL, 0, 0, NULL, NULL,
	  S(quality_closure_fields), NO_OFFSET,
	  "the same over the cases closed in the period" },

	{ "dataset", "field.", SETTING_OWNED, NULL, NULL, 0, 0, NULL, NULL,
	  IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a field: TYPE [key] [required] [LOW..HIGH] [not_before FIELD]" },
	{ "dataset", "range.", SETTING_OWNED, NULL, NULL, 0, 0, NULL, NULL,
	  IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a range of a field for some rows: range.score.instrument.ZRM = "
	  "1..5" },
	{ "dataset", "label.", SETTING_OWNED, NULL,
	  "the header of the first source that maps it", 0, 0, NULL, NULL,
	  IN_SETTINGS, NO_OFFSET, NO_OFFSET,
	  "a field's name in tables and reports: label.referrer = Verwijzer" },
	{ "dataset", "max_age_days", SETTING_NUMBER, NULL, NULL, 0, 100000,
	  NULL, NULL, DS(max_age_days), DS_AT(max_age_at),
	  "a newest input older than this many days is a warning (exit 2)" },

	{ "group", "file", SETTING_PATH, NULL, "this or dataset", 0, 0, NULL,
	  NULL, GR(file), GR_AT(file_at),
	  "a CSV file of value;group rows" },
	{ "group", "dataset", SETTING_STRING, NULL, "this or file", 0, 0,
	  NULL, NULL, GR(dataset), GR_AT(dataset_at),
	  "a dataset of values and their groups" },
	{ "group", "value", SETTING_STRING, "value", NULL, 0, 0, NULL, NULL,
	  GR(value), NO_OFFSET, "the dataset's field of the values" },
	{ "group", "group", SETTING_STRING, "group", NULL, 0, 0, NULL, NULL,
	  GR(group), NO_OFFSET, "the dataset's field of their groups" },
	{ "group", "other", SETTING_STRING, "overig", NULL, 0, 0, NULL, NULL,
	  GR(other), NO_OFFSET, "the group of a value the mapping lacks" },
	{ "source", "plugin", SETTING_STRING, NULL, "required", 0, 0, NULL,
	  NULL, SRC(plugin), SRC_AT(plugin_at), "the input plugin" },
	{ "source", "dataset", SETTING_STRING, NULL, "required", 0, 0, NULL,
	  NULL, SRC(dataset), SRC_AT(dataset_at), "the dataset it fills" },
	{ "source", "path", SETTING_STRING, NULL, "required", 0, 0, NULL,
	  NULL, SRC(path), SRC_AT(path_at), "a file or a glob" },
	{ "source", "date_format", SETTING_DATE_FORMATS,
	  "dd-mm-jjjj, jjjj-mm-dd", NULL, 0, 0, NULL, NULL,
	  SRC(input.formats), NO_OFFSET, "the date formats of the export" },
	{ "source", "decimal", SETTING_ENUM, "comma", NULL, 0, 0, decimals,
	  "comma or point", SRC(input.decimal), NO_OFFSET,
	  "the decimal mark of numbers" },
	{ "source", "mode", SETTING_ENUM, "increment", NULL, 0, 0, modes,
	  "increment or snapshot", SRC(snapshot), SRC_AT(mode_at),
	  "increment adds and updates rows; snapshot also removes" },
	{ "source", "on_error", SETTING_ENUM, "stop", NULL, 0, 0, on_errors,
	  "stop or reject", SRC(input.reject), SRC_AT(input.on_error_at),
	  "stop at a row that does not fit, or reject it" },
	/* Values of the export and what they mean (plugin/value_map.h). */
	{ "source", "recode.", SETTING_OWNED, NULL, NULL, 0, 0, NULL, NULL,
	  IN_SOURCE, NO_OFFSET, NO_OFFSET,
	  "one value of a field recoded: recode.FIELD.FROM = TO" },
	{ "source", "recode_file", SETTING_PATH, NULL, NULL, 0, 0, NULL, NULL,
	  SRC(input.recode_file), SRC_AT(input.recode_file_at),
	  "a CSV file of recodes: field;from;to" },
	{ "source", "fold.", SETTING_OWNED, NULL, NULL, 0, 0, NULL, NULL,
	  IN_SOURCE, NO_OFFSET, NO_OFFSET,
	  "which spellings of a field's values are the same" },
	{ "source", "allowed.", SETTING_OWNED, NULL, NULL, 0, 0, NULL, NULL,
	  IN_SOURCE, NO_OFFSET, NO_OFFSET,
	  "the values a field may hold" },
	{ "source", "on_unknown", SETTING_ENUM, "warn", NULL, 0, 0,
	  on_unknowns, "warn or refuse", SRC(input.refuse_unknown), NO_OFFSET,
	  "a value outside the allowed list: warn, or refuse the file" },
	{ "source", "repeated_keys", SETTING_ENUM, "refuse", NULL, 0, 0,
	  repeated_keys, "refuse or keep_last", SRC(input.keep_last),
	  NO_OFFSET,
	  "a key given twice in one file: refuse the row, or keep the last" },
	{ "source", "scope_field", SETTING_STRING, NULL, NULL, 0, 0, NULL,
	  NULL, SRC(input.scope_field), SRC_AT(input.scope_field_at),
	  "the text field that holds the source's scope" },
	{ "source", "scope_value", SETTING_STRING, NULL, "the source's name",
	  0, 0, NULL, NULL, SRC(input.scope_value), NO_OFFSET,
	  "the value of scope_field in the source's rows" },
};

#define TABLE_SIZE (sizeof(table) / sizeof(table[0]))

/* The kinds of section.  A plugin's section ([storage], and [source] beside
 * the host's keys) is checked against the plugin's keys when it is loaded;
 * an owner's section ([kpi], [dataset]) by its owner. */
enum section_check { CHECK_TABLE, CHECK_PLUGIN, CHECK_OWNER };

static const struct section_kind {
	const char *kind;
	const char *name_word;		/* [kind NAME]; NULL: no name */
	enum section_check check;
	/* With name_word NULL, the one name it may also take: [kind NAME]
	 * is then a section of its own, whose keys the table lists under
	 * "kind NAME" ([privacy public]). */
	const char *fixed_name;
} kinds[] = {
	{ "peil", NULL, CHECK_TABLE, NULL },
	{ "storage", NULL, CHECK_PLUGIN, NULL },
	{ "calendar", NULL, CHECK_TABLE, NULL },
	{ "run", NULL, CHECK_TABLE, NULL },
	{ "limits", NULL, CHECK_TABLE, NULL },
	{ "contract", NULL, CHECK_TABLE, NULL },
	{ "privacy", NULL, CHECK_TABLE, "public" },
	{ "report", NULL, CHECK_TABLE, NULL },
	{ "dataset", "NAME", CHECK_OWNER, NULL },
	{ "group", "NAME", CHECK_TABLE, NULL },
	{ "source", "NAME", CHECK_PLUGIN, NULL },
	{ "kpi", "ID", CHECK_OWNER, NULL },
};

#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

static int row_matches(const setting *row, const char *section,
		       const char *key)
{
	size_t n = strlen(row->key);

	if (strcmp(row->section, section) != 0)
		return 0;
	return row->key[n - 1] == '.' ? strncmp(row->key, key, n) == 0
				      : strcmp(row->key, key) == 0;
}

static int table_knows(const char *section, const char *key)
{
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (row_matches(&table[i], section, key))
			return 1;
	return 0;
}

static int plugin_knows(const char *const *keys, const char *key)
{
	size_t n;

	for (; keys && *keys; keys++) {
		n = strlen(*keys);
		if (n && (*keys)[n - 1] == '.' ? strncmp(*keys, key, n) == 0
					       : strcmp(*keys, key) == 0)
			return 1;
	}
	return 0;
}

int settings_check_plugin_keys(const config *cfg,
			       const config_section *section,
			       const char *const *plugin_keys,
			       peil_error *err)
{
	for (size_t i = 0; i < section->count; i++) {
		const config_entry *e = &section->entries[i];

		if (!table_knows(section->kind, e->key) &&
		    !plugin_knows(plugin_keys, e->key))
			return config_fail(cfg, section, e, err,
					   "unknown key '%s' in [%s%s%s]",
					   e->key, section->kind,
					   section->name[0] ? " " : "",
					   section->name);
	}
	return 0;
}

/* A known kind, with or without a name as it should be, and for the
 * host's own sections only keys of the table. */
static int check_section(const config *cfg, const config_section *s,
			 peil_error *err)
{
	const struct section_kind *kind = NULL;
	char table_kind[64];

	for (size_t i = 0; i < KIND_COUNT; i++)
		if (strcmp(kinds[i].kind, s->kind) == 0)
			kind = &kinds[i];
	if (!kind)
		return config_fail(cfg, s, NULL, err,
				   "unknown section [%s%s%s]; known are [peil], "
				   "[storage], [calendar], [run], [limits], "
				   "[contract], [privacy], [privacy public], "
				   "[report], [dataset NAME], [group NAME], "
				   "[source NAME], [kpi ID]", s->kind,
				   s->name[0] ? " " : "", s->name);
	snprintf(table_kind, sizeof(table_kind), "%s", s->kind);
	if (kind->fixed_name && strcmp(s->name, kind->fixed_name) == 0)
		snprintf(table_kind, sizeof(table_kind), "%s %s", s->kind,
			 s->name);
	else if (kind->name_word && !s->name[0])
		return config_fail(cfg, s, NULL, err,
				   "section [%s] needs a name: [%s %s]",
				   s->kind, s->kind, kind->name_word);
	else if (!kind->name_word && s->name[0])
		return config_fail(cfg, s, NULL, err,
				   "section [%s] takes no name%s%s", s->kind,
				   kind->fixed_name ? " but " : "",
				   kind->fixed_name ? kind->fixed_name : "");
	if (kind->check != CHECK_TABLE)
		return 0;
	for (size_t i = 0; i < s->count; i++)
		if (!table_knows(table_kind, s->entries[i].key))
			return config_fail(cfg, s, &s->entries[i], err,
					   "unknown key '%s' in section [%s]",
					   s->entries[i].key, table_kind);
	return 0;
}

/* Reading values by type. */

struct reading {
	const config *cfg;
	const config_section *section;
	const config_entry *entry;	/* NULL for a default */
	const setting *row;
	const char *value;
	peil_error *err;
};

static int bad_value(const struct reading *r, const char *expect)
{
	return config_fail(r->cfg, r->section, r->entry, r->err,
			   "%s = %s: expected %s", r->row->key, r->value,
			   expect);
}

static int out_of_memory(const struct reading *r)
{
	return config_fail(r->cfg, r->section, r->entry, r->err,
			   "out of memory");
}

/* The one parser of whole numbers: digits only, within the row's range. */
static int read_number(const struct reading *r, uint64_t *out)
{
	unsigned long long n;
	char expect[96];
	char *end;

	errno = 0;
	n = strtoull(r->value, &end, 10);
	if (errno || end == r->value || *end || r->value[0] == '-' ||
	    n < r->row->min || n > r->row->max) {
		if (r->row->expect)
			return bad_value(r, r->row->expect);
		snprintf(expect, sizeof(expect),
			 "a whole number from %llu to %llu",
			 (unsigned long long)r->row->min,
			 (unsigned long long)r->row->max);
		return bad_value(r, expect);
	}
	*out = n;
	return 0;
}

/* One of the row's words; yes/no in any case, as inih's users expect. */
static int read_choice(const struct reading *r, int *out)
{
	for (const setting_choice *c = r->row->choices; c->word; c++)
		if (r->row->choices == yes_no ? strcasecmp(c->word, r->value) == 0
					      : strcmp(c->word, r->value) == 0) {
			*out = c->value;
			return 0;
		}
	return bad_value(r, r->row->expect);
}

/* What config_each_item hands each item of a list value to: the reading
 * (for messages) and where the item goes. */
struct item_sink {
	const struct reading *r;
	void *out;
};

static int add_item(void *arg, const char *item)
{
	struct item_sink *st = arg;
	settings_list *l = st->out;
	char **grown = grow_for(l->items, l->count, sizeof(*grown));
	char *copy;

	if (!grown)
		return out_of_memory(st->r);
	l->items = grown;
	copy = st->r->row->type == SETTING_PATH_LIST
		       ? config_resolve_path(st->r->cfg, item)
		       : strdup(item);
	if (!copy)
		return out_of_memory(st->r);
	l->items[l->count++] = copy;
	return 0;
}

static int add_date(void *arg, const char *item)
{
	struct item_sink *st = arg;
	settings_dates *d = st->out;
	int32_t date, *grown;

	if (date_parse_iso(item, &date) < 0)
		return config_fail(st->r->cfg, st->r->section, st->r->entry,
				   st->r->err,
				   "%s: '%s' is not a date as jjjj-mm-dd",
				   st->r->row->key, item);
	grown = grow_for(d->dates, d->count, sizeof(*grown));
	if (!grown)
		return out_of_memory(st->r);
	d->dates = grown;
	d->dates[d->count++] = date;
	return 0;
}

/* An item of [run] periods: a period id, a range of two, or a rolling
 * period. */
static int add_period(void *arg, const char *item)
{
	struct item_sink *st = arg;
	const struct reading *r = st->r;
	settings_periods *p = st->out;
	const char *dots = strstr(item, "..");
	char first_text[32], last_text[32];
	int32_t first;
	period q;
	period_rolling rolling;

	if (period_rolling_parse(item, &rolling) == 0) {
		if (p->rolling_count == SETTINGS_ROLLING_MAX ||
		    strlen(item) >= sizeof(p->rolling_text[0]))
			return config_fail(r->cfg, r->section, r->entry,
					   r->err, "%s = %s: at most %d "
					   "rolling periods of at most %zu "
					   "characters", r->row->key, item,
					   SETTINGS_ROLLING_MAX,
					   sizeof(p->rolling_text[0]) - 1);
		snprintf(p->rolling_text[p->rolling_count],
			 sizeof(p->rolling_text[0]), "%s", item);
		p->rolling_count++;
		p->given = 1;
		return 0;
	}
	snprintf(first_text, sizeof(first_text), "%.*s",
		 (int)(dots ? (size_t)(dots - item) : strlen(item)), item);
	snprintf(last_text, sizeof(last_text), "%s", dots ? dots + 2 : item);
	if (period_parse(first_text, &q) < 0)
		goto bad;
	first = q.first;
	if (period_parse(last_text, &q) < 0)
		goto bad;
	/* The run covers from the earliest to the latest: a range written
	 * backwards would widen it silently (2018-03, 2018-06..2018-05 ran
	 * March to May). */
	if (first > q.last)
		return config_fail(r->cfg, r->section, r->entry, r->err,
				   "%s = %s: %s begins after %s ends; write "
				   "the earlier first", r->row->key, item,
				   first_text, last_text);
	if (!p->fixed || first < p->from)
		p->from = first;
	if (!p->fixed || q.last > p->to)
		p->to = q.last;
	p->fixed = p->given = 1;
	return 0;
bad:
	return config_fail(r->cfg, r->section, r->entry, r->err,
			   "%s = %s: expected %s", r->row->key, item,
			   r->row->expect);
}

static int read_value(const struct reading *r, void *out)
{
	const setting *row = r->row;
	char message[256];

	switch (row->type) {
	case SETTING_STRING:
		*(const char **)out = r->value;
		return 0;
	case SETTING_PATH:
		*(char **)out = config_resolve_path(r->cfg, r->value);
		return *(char **)out ? 0 : out_of_memory(r);
	case SETTING_BOOL:
	case SETTING_ENUM:
		return read_choice(r, out);
	case SETTING_NUMBER:
	case SETTING_MONTH:
		return read_number(r, out);
	case SETTING_LIST:
	case SETTING_PATH_LIST: {
		struct item_sink st = { r, out };

		return config_each_item(r->value, add_item, &st) ? -1 : 0;
	}
	case SETTING_DATE:
		if (date_parse_iso(r->value, out) < 0)
			return bad_value(r, row->expect);
		return 0;
	case SETTING_DATES: {
		struct item_sink st = { r, out };

		((settings_dates *)out)->given = 1;
		if (config_each_item(r->value, add_date, &st))
			return -1;
		/* An empty list that replaces the holiday rules would make
		 * every holiday a working day, and shift every figure in
		 * working days without a word. */
		if (((settings_dates *)out)->count == 0 &&
		    strcmp(row->key, "dates") == 0)
			return config_fail(r->cfg, r->section, r->entry, r->err,
					   "dates is empty: it replaces the "
					   "Dutch holidays, so every holiday "
					   "would count as a working day; "
					   "list the holidays as jjjj-mm-dd, "
					   "or leave the key out for the "
					   "Dutch holidays");
		return 0;
	}
	case SETTING_PERIODS: {
		struct item_sink st = { r, out };

		if (config_each_item(r->value, add_period, &st))
			return -1;
		if (!((settings_periods *)out)->given)
			return bad_value(r, row->expect);
		return 0;
	}
	case SETTING_DATE_FORMATS:
		if (parse_date_formats_init(out, r->value, message,
					    sizeof(message)) < 0)
			return config_fail(r->cfg, r->section, r->entry, r->err,
					   "%s: %s", row->key, message);
		return 0;
	case SETTING_OWNED:
		return 0;
	}
	return 0;
}

/* Read the rows of section's kind (s may be NULL: all defaults) into base,
 * a peil_settings, a settings_source or a settings_dataset. */
static int read_section(const config *cfg, const char *kind,
			const config_section *s, enum setting_base which,
			void *base, peil_error *err)
{
	for (size_t i = 0; i < TABLE_SIZE; i++) {
		const setting *row = &table[i];
		struct reading r = { cfg, s, NULL, row, NULL, err };

		if (row->type == SETTING_OWNED || row->base != which ||
		    strcmp(row->section, kind) != 0)
			continue;
		r.entry = config_entry_find(s, row->key);
		r.value = r.entry ? r.entry->value : row->fallback;
		if (row->at != NO_OFFSET)
			*(const config_entry **)((char *)base + row->at) =
				r.entry;
		if (r.value &&
		    read_value(&r, (char *)base + row->offset) < 0)
			return -1;
	}
	return 0;
}

/* Read each [kind NAME] section into a new array (*items, also after a
 * failure) of elements of size bytes whose first member is the section's
 * const config_section *: a settings_source or a settings_dataset. */
static int read_named(const config *cfg, const char *kind,
		      enum setting_base which, size_t size, void **items,
		      size_t *count, peil_error *err)
{
	size_t n = 0;
	char *array;

	for (size_t i = 0; i < cfg->count; i++)
		n += strcmp(cfg->sections[i].kind, kind) == 0;
	if (!n)
		return 0;
	array = calloc(n, size);
	*items = array;
	if (!array)
		return error_set(err, cfg->path, 0, NULL, "out of memory");
	for (size_t i = 0; i < cfg->count; i++) {
		const config_section *s = &cfg->sections[i];
		char *item;

		if (strcmp(s->kind, kind) != 0)
			continue;
		item = array + (*count)++ * size;
		memcpy(item, &s, sizeof(s));
		if (read_section(cfg, kind, s, which, item, err) < 0)
			return -1;
	}
	return 0;
}

/* [privacy public]: min_count defaults to [privacy]'s, min_denominator
 * to its own min_count (and then at least [privacy]'s); a public rule
 * looser than the internal one is refused, naming it. */
static int read_public(const config *cfg, peil_settings *out,
		       peil_error *err)
{
	const config_section *s = config_section_find(cfg, "privacy",
						      "public");

	out->public_section = s;
	if (read_section(cfg, "privacy public", s, IN_SETTINGS, out, err) < 0)
		return -1;
	if (!out->public_min_count_at)
		out->public_min_count = out->min_count;
	if (!out->public_min_denominator_at)
		out->public_min_denominator =
			out->public_min_count > out->min_denominator
				? out->public_min_count
				: out->min_denominator;
	if (out->public_min_count < out->min_count)
		return config_fail(cfg, s, out->public_min_count_at, err,
				   "min_count = %llu: the public rule may not "
				   "be looser than [privacy] min_count = %llu",
				   (unsigned long long)out->public_min_count,
				   (unsigned long long)out->min_count);
	if (out->public_min_denominator < out->min_denominator)
		return config_fail(cfg, s, out->public_min_denominator_at, err,
				   "min_denominator = %llu: the public rule "
				   "may not be looser than [privacy] "
				   "min_denominator = %llu",
				   (unsigned long long)
					   out->public_min_denominator,
				   (unsigned long long)out->min_denominator);
	return 0;
}

int settings_open(const config *cfg, peil_settings *out, peil_error *err)
{
	static const char *const sections[] = {
		"peil", "calendar", "run", "limits", "contract", "privacy",
		"report"
	};
	void *items = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	out->cfg = cfg;
	for (size_t i = 0; i < cfg->count; i++)
		if (check_section(cfg, &cfg->sections[i], err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (read_section(cfg, sections[i],
				 config_section_find(cfg, sections[i], NULL),
				 IN_SETTINGS, out, err) < 0)
			return -1;
	out->peil = config_section_find(cfg, "peil", NULL);
	out->contract = config_section_find(cfg, "contract", NULL);
	out->privacy = config_section_find(cfg, "privacy", NULL);
	out->script_dirs_text = out->script_dirs_at
					? out->script_dirs_at->value
					: "scripts";
	if (!config_entry_find(out->privacy, "min_denominator"))
		out->min_denominator = out->min_count;
	if (read_public(cfg, out, err) < 0)
		return -1;
	rc = read_named(cfg, "source", IN_SOURCE, sizeof(*out->sources),
			&items, &out->source_count, err);
	out->sources = items;
	if (rc < 0)
		return -1;
	items = NULL;
	rc = read_named(cfg, "dataset", IN_DATASET, sizeof(*out->datasets),
			&items, &out->dataset_count, err);
	out->datasets = items;
	if (rc < 0)
		return -1;
	items = NULL;
	rc = read_named(cfg, "group", IN_GROUP, sizeof(*out->groups), &items,
			&out->group_count, err);
	out->groups = items;
	for (size_t i = 0; rc == 0 && i < out->group_count; i++) {
		const settings_group *g = &out->groups[i];

		if (!g->file == !g->dataset)
			return config_fail(cfg, g->section, g->dataset_at, err,
					   "[group %s] needs file = or dataset "
					   "= (one of them)", g->section->name);
	}
	return rc;
}

static void list_release(settings_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
}

void settings_release(peil_settings *s)
{
	list_release(&s->plugin_dirs);
	list_release(&s->script_dirs);
	list_release(&s->quality_fields);
	list_release(&s->quality_closure_fields);
	free(s->reject_dir);
	free(s->extra.dates);
	free(s->dates.dates);
	free(s->lock_file);
	free(s->key_file);
	for (size_t i = 0; i < s->source_count; i++)
		free((char *)s->sources[i].input.recode_file);
	free(s->sources);
	free(s->datasets);
	for (size_t i = 0; i < s->group_count; i++)
		free(s->groups[i].file);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}

const settings_source *settings_source_find(const peil_settings *s,
					    const char *name)
{
	for (size_t i = 0; i < s->source_count; i++)
		if (strcmp(s->sources[i].section->name, name) == 0)
			return &s->sources[i];
	return NULL;
}

disclosure_rules settings_disclosure(const peil_settings *s)
{
	disclosure_rules rules = { 0 };

	rules.min_count = (double)s->min_count;
	rules.min_denominator = (double)s->min_denominator;
	return rules;
}

disclosure_rules settings_disclosure_public(const peil_settings *s)
{
	disclosure_rules rules = { 0 };

	rules.min_count = (double)s->public_min_count;
	rules.min_denominator = (double)s->public_min_denominator;
	return rules;
}

finality settings_finality(const peil_settings *s)
{
	finality f;

	f.final_after_months = (int)s->final_after_months;
	f.delay_days = (int)s->delay_days;
	return f;
}

void settings_rolling_range(const peil_settings *s, size_t i, int32_t today,
			    int32_t *first, int32_t *last)
{
	finality f = settings_finality(s);
	period_rolling r;

	/* The text was parsed when the config was read. */
	if (period_rolling_parse(s->periods.rolling_text[i], &r) < 0) {
		*first = *last = today;
		return;
	}
	period_rolling_resolve(&r, (int)s->start_month,
			       finality_cutoff(&f, today), first, last);
}

void settings_run_range(const peil_settings *s, int32_t today, int32_t *from,
			int32_t *to)
{
	*from = s->periods.from;
	*to = s->periods.to;
	for (size_t i = 0; i < s->periods.rolling_count; i++) {
		int32_t first, last;

		settings_rolling_range(s, i, today, &first, &last);
		if ((!s->periods.fixed && i == 0) || first < *from)
			*from = first;
		if ((!s->periods.fixed && i == 0) || last > *to)
			*to = last;
	}
}

/* "whole number from 0 to 86400", "enum: increment, snapshot". */
static void describe_type(const setting *row, char *out, size_t size)
{
	size_t n;

	if (row->type == SETTING_NUMBER || row->type == SETTING_MONTH) {
		snprintf(out, size, "%s from %llu to %llu",
			 type_names[row->type], (unsigned long long)row->min,
			 (unsigned long long)row->max);
		return;
	}
	n = (size_t)snprintf(out, size, "%s", type_names[row->type]);
	for (const setting_choice *c = row->choices; c && c->word && n < size;
	     c++)
		n += (size_t)snprintf(out + n, size - n, "%s%s",
				      c == row->choices ? ": " : ", ", c->word);
}

void settings_each_row(settings_row_fn fn, void *ctx)
{
	for (size_t i = 0; i < TABLE_SIZE; i++) {
		const setting *row = &table[i];
		const char *dflt = row->doc_default ? row->doc_default
			: row->fallback ? row->fallback : "none";
		char type[160];

		describe_type(row, type, sizeof(type));
		fn(ctx, row->section, row->key, type, dflt, row->doc);
	}
}

int settings_field_filled(const peil_settings *settings, const char *dataset,
			  const char *field)
{
	int sources = 0;

	for (size_t i = 0; i < settings->source_count; i++) {
		const settings_source *src = &settings->sources[i];
		const config_section *s = src->section;
		int columns = 0;

		if (!src->dataset || strcmp(src->dataset, dataset) != 0)
			continue;
		sources++;
		for (size_t j = 0; j < s->count; j++) {
			const config_entry *e = &s->entries[j];

			if (strncmp(e->key, "column.", 7) == 0)
				columns++;
			if ((strncmp(e->key, "column.", 7) == 0 ||
			     strcmp(e->key, "scope_field") == 0) &&
			    strcmp(e->value, field) == 0)
				return 1;
		}
		if (!columns)	/* a plugin that fills fields by name */
			return 1;
	}
	return !sources;	/* a dataset without sources: not judged */
}

const char *settings_field_label(void *ctx, const char *dataset,
				 const char *field)
{
	const peil_settings *settings = ctx;
	size_t i, j;

	for (i = 0; i < settings->dataset_count; i++) {
		const config_section *s = settings->datasets[i].section;

		if (strcmp(s->name, dataset) != 0)
			continue;
		for (j = 0; j < s->count; j++)
			if (strncmp(s->entries[j].key, "label.", 6) == 0 &&
			    strcmp(s->entries[j].key + 6, field) == 0)
				return s->entries[j].value;
	}
	for (i = 0; i < settings->source_count; i++) {
		const settings_source *src = &settings->sources[i];
		const config_section *s = src->section;

		if (!src->dataset || strcmp(src->dataset, dataset) != 0)
			continue;
		for (j = 0; j < s->count; j++)
			if (strncmp(s->entries[j].key, "column.", 7) == 0 &&
			    strcmp(s->entries[j].value, field) == 0)
				return s->entries[j].key + 7;
	}
	return NULL;
}
