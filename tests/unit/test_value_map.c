/*
 * test_value_map.c - recodes, folding and allowed values of a source
 * (plugin/value_map.h): the foldings letter by letter, the recode file's
 * quoting and line numbers, the counts of unknown values and their bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/error.h"
#include "plugin/value_map.h"
#include "harness.h"

static const char *dir;	/* harness_tmp() */

static const peil_field fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY | PEIL_FIELD_REQUIRED },
	{ "self_reliant", PEIL_TYPE_TEXT, 0 },
	{ "closure_reason", PEIL_TYPE_TEXT, 0 },
	{ "person_bsn", PEIL_TYPE_TEXT, PEIL_FIELD_BSN },
};
static const peil_schema schema = { "cases", 4, fields };

enum { SELF = 1, REASON = 2 };

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

/* The map of a [source s] section of keys (and a recode file of text,
 * when not NULL); NULL with err when it is refused. */
static value_map *map_of(const char *keys, const char *file_text,
			 config **cfg, peil_error *err)
{
	char ini[2048];
	char file[256] = "";
	value_map *map = NULL;

	error_clear(err);
	if (file_text)
		snprintf(file, sizeof(file), "%s", write_file("recodes.csv",
							      file_text));
	snprintf(ini, sizeof(ini), "[source s]\n%s\n", keys);
	*cfg = NULL;
	if (config_load(write_file("peil.ini", ini), cfg, err) < 0)
		return NULL;
	if (value_map_new(*cfg, config_section_find(*cfg, "source", "s"),
			  &schema, NULL, ',', file_text ? file : NULL, NULL,
			  &map, err) < 0)
		return NULL;
	return map;
}

/* value mapped, as a NUL-terminated string (static buffer), or "?" for
 * an unknown value. */
static const char *apply(value_map *map, size_t field, const char *value)
{
	static char out[256];
	const char *text = value;
	size_t len = strlen(value);
	int rc = value_map_apply(map, field, &text, &len);

	snprintf(out, sizeof(out), "%s%.*s", rc == VALUE_MAP_UNKNOWN ? "?" : "",
		 (int)len, text);
	return out;
}

TEST(foldings_make_spellings_one_value)
{
	config *cfg;
	peil_error err;
	value_map *map = map_of(
		"fold.self_reliant = case, space\n"
		"allowed.self_reliant = ja, nee, n.v.t.\n"
		"fold.closure_reason = all\n"
		"recode.closure_reason.Beeindigd volgens plan = Beëindigd "
		"volgens plan\n", NULL, &cfg, &err);

	CHECK(map != NULL);
	CHECK_STR(apply(map, SELF, "Ja"), "ja");
	CHECK_STR(apply(map, SELF, "JA"), "ja");
	CHECK_STR(apply(map, SELF, "N.V.T."), "n.v.t.");
	CHECK_STR(apply(map, SELF, " nee "), "nee");
	CHECK_STR(apply(map, SELF, "ne e"), "?ne e");	/* a space is no fold of nothing */
	value_map_record_end(map, 1);
	/* case alone keeps accents: ë is not e */
	CHECK_STR(apply(map, REASON, "BEËINDIGD  VOLGENS\tPLAN"),
		  "Beëindigd volgens plan");
	CHECK_STR(apply(map, REASON, "beeindigd volgens plan"),
		  "Beëindigd volgens plan");
	CHECK_STR(apply(map, REASON, "Beëindigd volgens plan"),
		  "Beëindigd volgens plan");
	/* no allowed list: a value no recode matches is kept as it came */
	CHECK_STR(apply(map, REASON, "Verhuisd"), "Verhuisd");
	/* a field without declarations is left alone */
	CHECK_STR(apply(map, 0, " X "), " X ");
	CHECK_INT(value_map_report(map, "export.csv"), 1);
	value_map_free(map);
	config_free(cfg);
}

TEST(case_folding_knows_latin1_capitals)
{
	config *cfg;
	peil_error err;
	value_map *map = map_of("fold.self_reliant = case\n"
				"allowed.self_reliant = één, à la carte\n",
				NULL, &cfg, &err);

	CHECK(map != NULL);
	CHECK_STR(apply(map, SELF, "ÉÉN"), "één");
	CHECK_STR(apply(map, SELF, "À LA CARTE"), "à la carte");
	CHECK_STR(apply(map, SELF, "EEN"), "?EEN");	/* accents differ */
	value_map_free(map);
	config_free(cfg);
}

TEST(the_recode_file_takes_any_characters)
{
	config *cfg;
	peil_error err;
	value_map *map = map_of(
		"allowed.self_reliant = ja, nee\n", "\xEF\xBB\xBF"
		"field;from;to\r\n"
		"# a comment\r\n"
		"\r\n"
		"self_reliant;\"J; zeker = \"\"ja\"\"\";ja\r\n"
		"closure_reason;\"twee\nregels\";Beëindigd: volgens plan\r\n"
		"self_reliant;weg;\r\n", &cfg, &err);

	CHECK(map != NULL);
	CHECK_STR(apply(map, SELF, "J; zeker = \"ja\""), "ja");
	CHECK_STR(apply(map, REASON, "twee\nregels"),
		  "Beëindigd: volgens plan");
	CHECK_STR(apply(map, SELF, "weg"), "");	/* recoded to empty */
	value_map_free(map);
	config_free(cfg);
}

TEST(mistakes_are_refused_with_their_line)
{
	config *cfg = NULL;
	peil_error err;

	CHECK(!map_of("recode.person_bsn.1 = 2", NULL, &cfg, &err));
	CHECK_CONTAINS(err.message, "citizen-number");
	config_free(cfg);
	CHECK(!map_of("allowed.nope = a", NULL, &cfg, &err));
	CHECK_CONTAINS(err.message, "'nope' is not a field of the dataset");
	CHECK_INT(err.line, 2);
	config_free(cfg);
	CHECK(!map_of("allowed.self_reliant = ,", NULL, &cfg, &err));
	CHECK_CONTAINS(err.message, "allowed.self_reliant: no value given");
	config_free(cfg);
	CHECK(!map_of("recode.self_reliant = a", NULL, &cfg, &err));
	CHECK_CONTAINS(err.message, "expected recode.FIELD.FROM = TO");
	config_free(cfg);
	/* the line after a quoted line break is the file's third */
	CHECK(!map_of("", "field;from;to\nself_reliant;\"a\nb\";c\n"
		      "self_reliant;x\n", &cfg, &err));
	CHECK_CONTAINS(err.message, "expected 3 columns, field;from;to");
	CHECK_INT(err.line, 4);
	config_free(cfg);
	CHECK(!map_of("", "veld;van;naar\n", &cfg, &err));
	CHECK_CONTAINS(err.message, "header field;from;to");
	CHECK_INT(err.line, 1);
	config_free(cfg);
	CHECK(!map_of("", "field;from;to\nself_reliant;;x\n", &cfg, &err));
	CHECK_CONTAINS(err.message, "an empty value cannot be recoded");
	config_free(cfg);
}

TEST(unknown_values_are_counted_within_a_bound)
{
	config *cfg;
	peil_error err;
	value_map *map = map_of("allowed.self_reliant = ja, nee\n", NULL,
				&cfg, &err);
	char value[32], expected[32];

	CHECK(map != NULL);
	/* A hostile export of 3000 distinct values: counted, not kept. */
	for (int i = 0; i < 3000; i++) {
		snprintf(value, sizeof(value), "v%d", i);
		snprintf(expected, sizeof(expected), "?v%d", i);
		CHECK_STR(apply(map, SELF, value), expected);
		value_map_record_end(map, 1);
	}
	/* a rejected record's value is taken back, also past the bound */
	CHECK_STR(apply(map, SELF, "v1"), "?v1");
	CHECK_STR(apply(map, SELF, "v2999"), "?v2999");	/* a field twice */
	value_map_record_end(map, 0);
	CHECK_STR(apply(map, SELF, "v5000"), "?v5000");
	value_map_record_end(map, 0);
	CHECK_INT(value_map_report(map, "export.csv"), 3000);
	value_map_file_begin(map);
	CHECK_INT(value_map_report(map, "next.csv"), 0);
	CHECK_STR(apply(map, SELF, "ja"), "ja");
	value_map_free(map);
	config_free(cfg);
}

TEST(no_declarations_no_map)
{
	config *cfg;
	peil_error err;

	CHECK(map_of("plugin = csv\n", NULL, &cfg, &err) == NULL);
	CHECK_STR(err.message, "");
	config_free(cfg);
}

int main(void)
{
	dir = harness_tmp();
	RUN(foldings_make_spellings_one_value);
	RUN(case_folding_knows_latin1_capitals);
	RUN(the_recode_file_takes_any_characters);
	RUN(mistakes_are_refused_with_their_line);
	RUN(unknown_values_are_counted_within_a_bound);
	RUN(no_declarations_no_map);
	return harness_done();
}
