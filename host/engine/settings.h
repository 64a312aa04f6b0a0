/*
 * settings.h - every [section] key that the host reads, in one table, and
 * the typed values read from a configuration when it is opened.
 *
 * Each row of the table (settings.c) gives a key's section, type, default,
 * range and a line of documentation, and where its value goes in
 * peil_settings; docs/configuration.md is checked against it (a ctest).
 * After settings_open nothing of the host looks a key up by its name: the
 * modules get typed values.  A plugin's own keys ([storage], the csv
 * plugin's column.*) stay the plugin's: it reads its section through the
 * services table.  [dataset NAME] fields, [kpi ID] keys and a source's
 * recode., fold. and allowed. keys are listed in the table for the check of
 * unknown keys and the docs; their owners (schema.c, kpi_set_configure,
 * value_map.c) read them.
 */
#ifndef PEIL_SETTINGS_H
#define PEIL_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "model/disclosure.h"
#include "model/finality.h"
#include "plugin/host.h"

/* A list value: its items in order, trimmed (malloc'd, as is the array);
 * paths are resolved against the config's directory. */
typedef struct settings_list {
	char **items;
	size_t count;
} settings_list;

/* A list of dates as jjjj-mm-dd; given tells an empty list from none. */
typedef struct settings_dates {
	int32_t *dates;
	size_t count;
	int given;
} settings_dates;

/* [run] periods: the period ids' range, from the first day of the
 * earliest to the last day of the latest (fixed is 0 when there are none),
 * and the rolling items ("last 13 months"), resolved on the run date by
 * settings_run_range; given is 0 when the key is absent. */
#define SETTINGS_ROLLING_MAX 8
typedef struct settings_periods {
	int32_t from, to;
	int fixed, given;
	char rolling_text[SETTINGS_ROLLING_MAX][32];	/* as written, and
							   checked */
	size_t rolling_count;
} settings_periods;

/* The host's keys of one [source NAME] section. */
typedef struct settings_source {
	const config_section *section;	/* for the plugin's own keys */
	const char *plugin, *dataset, *path;	/* NULL when absent */
	const config_entry *plugin_at, *dataset_at, *path_at, *mode_at;
	int snapshot;			/* mode = snapshot */
	host_input_options input;	/* date_format, decimal, on_error */
} settings_source;

/* The host's keys of one [dataset NAME] section (its field. keys are
 * schema.c's). */
typedef struct settings_dataset {
	const config_section *section;
	uint64_t max_age_days;		/* when max_age_at is set */
	const config_entry *max_age_at;	/* NULL: no limit */
} settings_dataset;

/* A [group NAME] section: values mapped to groups, from a
 * file of value;group rows or from a dataset's value and group fields. */
typedef struct settings_group {
	const config_section *section;
	char *file;			/* resolved; NULL when absent */
	const char *dataset;		/* NULL when absent */
	const char *value, *group;	/* the dataset's fields */
	const char *other;		/* the group of an unmapped value */
	const config_entry *file_at, *dataset_at;
} settings_group;

typedef struct peil_settings {
	const config *cfg;		/* borrowed */

	/* [peil] */
	const char *storage;
	settings_list plugin_dirs;	/* resolved */
	settings_list script_dirs;	/* resolved */
	const char *script_dirs_text;	/* as written, for messages */
	const config_section *peil;
	const config_entry *script_dirs_at;
	char *reject_dir;		/* resolved */

	/* [calendar] */
	int good_friday, liberation_day;
	settings_dates extra, dates;

	/* [run] */
	settings_periods periods;
	const config_entry *periods_at;
	char *lock_file;		/* resolved; NULL when absent */
	uint64_t lock_wait;		/* seconds */
	uint64_t final_after_months, delay_days;
	uint64_t threads;
	const char *kpis;		/* the KPIs to evaluate; NULL: all */
	const config_entry *kpis_at;
	const char *withdrawn;		/* KPIs removed on purpose; NULL */

	/* [limits]: 0 leaves the sandbox's default */
	uint64_t memory_mb, instructions, seconds, run_seconds;
	uint64_t distinct_memory_mb, kpi_memory_mb;

	/* [contract] */
	uint64_t start_month;
	int32_t start;			/* the contract's first day */
	const config_entry *start_at;	/* NULL: no start given */
	const char *margin;		/* NULL when absent */
	const config_section *contract;
	const config_entry *margin_at;
	int reference;			/* a period_reference */

	/* [privacy] */
	uint64_t min_count, min_denominator;
	char *key_file;			/* resolved; NULL when absent */
	const config_section *privacy;
	const config_entry *key_file_at;

	/* [privacy public]: never looser than [privacy] */
	uint64_t public_min_count, public_min_denominator;
	const config_section *public_section;	/* NULL when absent */
	const config_entry *public_min_count_at, *public_min_denominator_at;

	/* [report] */
	uint64_t late_after_days;
	settings_list quality_fields, quality_closure_fields;

	/* [source NAME], in the order of the file */
	settings_source *sources;
	size_t source_count;

	/* [dataset NAME], in the order of the file */
	settings_dataset *datasets;
	size_t dataset_count;

	/* [group NAME], in the order of the file */
	settings_group *groups;
	size_t group_count;
} peil_settings;

/* Whether a [source] of dataset fills field: one that maps a column to it
 * (column.HEADER = field, as the csv and xlsx plugins read them) or
 * stamps it (scope_field), or one without any column. key, whose plugin
 * fills fields by name (istandaarden).  A dataset without sources is
 * taken to be filled: no source, no rows, and its KPIs say so. */
int settings_field_filled(const peil_settings *settings, const char *dataset,
			  const char *field);

/* The label of field of dataset for readers: [dataset DATASET]
 * label.FIELD, else the export header of the first source of the
 * dataset that maps it (column.HEADER = FIELD), else NULL.  ctx is the
 * peil_settings (the signature of output_options' field_label). */
const char *settings_field_label(void *ctx, const char *dataset,
				 const char *field);

/* The range [run] periods cover on the run date today: the period ids'
 * range joined with each rolling item's, resolved against the cutoff
 * today - 1 - delay_days and [contract] start_month.  periods.given must
 * be set. */
void settings_run_range(const peil_settings *s, int32_t today, int32_t *from,
			int32_t *to);
/* The first and last day of rolling item i of [run] periods on today. */
void settings_rolling_range(const peil_settings *s, size_t i, int32_t today,
			    int32_t *first, int32_t *last);

/* Check the sections and host keys of cfg and read every host key into
 * out, defaults for those absent.  cfg must outlive out.  0 on success;
 * -1 with err naming the file, line, key and value of the first problem.
 * Call settings_release in both cases. */
int settings_open(const config *cfg, peil_settings *out, peil_error *err);
void settings_release(peil_settings *s);	/* accepts a zeroed one */

/* The [source NAME] of s, or NULL. */
const settings_source *settings_source_find(const peil_settings *s,
					    const char *name);

/* Refuse a key of a [source] or [storage] section that is neither a host
 * key of the table nor one of plugin_keys (NULL-terminated; an item ending
 * in '.' is a prefix; NULL: none).  0, or -1 with err naming the key and its
 * line. */
int settings_check_plugin_keys(const config *cfg,
			       const config_section *section,
			       const char *const *plugin_keys,
			       peil_error *err);

/* The small-cell rules and the finality rules of s. */
disclosure_rules settings_disclosure(const peil_settings *s);
/* The same of the public outputs: [privacy public]. */
disclosure_rules settings_disclosure_public(const peil_settings *s);
finality settings_finality(const peil_settings *s);

/* Call fn for each row of the table, in the order of docs/configuration.md:
 * section ("source" for [source NAME]), key (ending in '.' for a prefix
 * such as param.), type (with the range of a number, the words of an
 * enum), default as the docs write it ("none" when there is none) and a
 * line of documentation; the strings are valid during the call.  For the
 * docs check. */
typedef void (*settings_row_fn)(void *ctx, const char *section,
				const char *key, const char *type,
				const char *default_text, const char *doc);
void settings_each_row(settings_row_fn fn, void *ctx);

#endif
