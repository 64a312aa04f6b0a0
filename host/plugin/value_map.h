/*
 * value_map.h - what an export's values mean: per-field recodes, folding
 * and allowed values of one [source NAME].
 *
 * Exports spell the same answer many ways ("Ja", " ja ", "JA";
 * "Beeindigd" and "Beëindigd"), and a KPI that compares with one spelling
 * silently misses the others.  A source declares, per field:
 *
 *   recode.FIELD.FROM = TO     one value recoded (the short INI form)
 *   recode_file = FILE         a CSV of field;from;to rows (any characters)
 *   fold.FIELD = case, space, accents    which spellings are the same
 *   allowed.FIELD = ja, nee, n.v.t.      the values the field may hold
 *
 * A value is folded as declared, recoded when the recode table holds its
 * folded form, and then, when the field has allowed values, stored in the
 * allowed list's spelling or counted as unknown.  The map itself does no
 * I/O beyond reading the recode file once; the host (host.c) applies it to
 * each value and reports the counts (docs/configuration.md).
 */
#ifndef PEIL_VALUE_MAP_H
#define PEIL_VALUE_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/parse.h"
#include "peil/plugin.h"

typedef struct value_map value_map;

/* The value_map of section's recode.*, fold.* and allowed.* keys and of
 * recode_file (resolved; NULL when not set, recode_file_at its line) for
 * the fields of schema (borrowed: it must outlive the map), whose
 * exports write dates in formats and decimals with decimal (read only
 * while the map is made).  *out is NULL when the section declares none of them.  0 on
 * success; -1 with err naming the config (or recode file) line of a key
 * or row that names no field of the dataset, a citizen-number field, an
 * unknown fold, a value recoded twice, a recode to a value outside the
 * allowed list, or an allowed value of a number, date or boolean field
 * that is no value of its type. */
int value_map_new(const config *cfg, const config_section *section,
		  const peil_schema *schema,
		  const parse_date_formats *formats, char decimal,
		  const char *recode_file, const config_entry *recode_file_at,
		  value_map **out, peil_error *err);
void value_map_free(value_map *map);	/* accepts NULL */

/* The values that field's allowed.FIELD list stores (in the list's
 * spelling, as ingest stores them), *count of them; NULL when the field
 * has no allowed list. */
char *const *value_map_allowed(const value_map *map, size_t field,
			       size_t *count);

/* text (len bytes) folded as fold.FIELD = all folds it (case, spaces,
 * Latin-1 accents) into out, which holds len + 1 bytes: a folded text is
 * never longer.  Its length. */
size_t value_map_fold(const char *text, size_t len, char *out);

/* What value_map_apply found. */
enum value_map_result {
	VALUE_MAP_OUT_OF_MEMORY = -1,
	VALUE_MAP_KNOWN = 0,	/* kept, recoded, or an allowed value */
	VALUE_MAP_UNKNOWN = 1	/* outside the field's allowed list: kept
				   as it came (after a recode), and counted */
};

/* Map *text (*len bytes, trimmed, not empty) of field: on return *text and
 * *len are the value to store (valid until the map is freed, or the input
 * itself); a recode may leave it empty. */
enum value_map_result value_map_apply(value_map *map, size_t field,
				      const char **text, size_t *len);

/* The record whose values were mapped since the last call is over: with
 * stored 0 (rejected, refused, or never ended) its unknown values are not
 * counted after all, so that the counts are of stored values only. */
void value_map_record_end(value_map *map, int stored);

/* Start counting unknown values anew, for the next file. */
void value_map_file_begin(value_map *map);

/* Log a warning per field with unknown values in the file read since
 * value_map_file_begin: how many rows, and the values with their counts
 * (the most frequent first).  Returns the number of unknown values. */
int64_t value_map_report(const value_map *map, const char *file);

#endif
