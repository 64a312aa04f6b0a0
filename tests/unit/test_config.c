/*
 * test_config.c - the INI reader and the settings read by its table:
 * values, line numbers in every complaint, continuation lines, relative
 * paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/config.h"
#include "base/error.h"
#include "engine/settings.h"
#include "harness.h"

static const char *dir;	/* harness_tmp() */

/* Read path as a command does: the INI reader, then the settings table
 * (which knows the sections and the host's keys).  0 or -1 with err. */
static int open_settings(const char *path, peil_settings *out,
			 peil_error *err)
{
	config *cfg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = config_load(path, &cfg, err);
	if (rc == 0)
		rc = settings_open(cfg, out, err);
	settings_release(out);
	config_free(cfg);
	return rc;
}

/* Write text to dir/name and return the path (static buffer). */
static const char *write_file(const char *name, const char *text)
{
	static char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

TEST(reads_sections_keys_and_lines)
{
	const char *path = write_file("good.ini",
				      "; a comment\n"
				      "[peil]\n"
				      "storage = sqlite\n"
				      "script_dirs = ../scripts,\n"
				      "   more_scripts\n"
				      "\n"
				      "[source demo cases]\n"
				      "column.Reden beëindiging = closure_reason\n");
	const config_section *s;
	const config_entry *e;
	config *cfg = NULL;
	peil_error err;
	char *resolved, want[600];

	error_clear(&err);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_INT(cfg->count, 2);
	s = config_section_find(cfg, "peil", NULL);
	CHECK(s != NULL);
	CHECK_STR(config_get(s, "storage", NULL), "sqlite");
	e = config_entry_find(s, "script_dirs");
	CHECK(e != NULL);
	/* The continuation line is joined with a newline; line 4 is where
	 * the key was written. */
	CHECK_STR(e->value, "../scripts,\nmore_scripts");
	CHECK_INT(e->line, 4);
	s = config_section_find(cfg, "source", "demo cases");
	CHECK(s != NULL);
	CHECK_INT(s->line, 7);
	e = config_entry_find(s, "column.Reden beëindiging");
	CHECK(e != NULL);
	CHECK_STR(e->value, "closure_reason");
	CHECK_INT(e->line, 8);
	/* dir is $TMPDIR/peil-test-XXXXXX: "../var" folds its last part. */
	snprintf(want, sizeof(want), "%.*s/var/peil.db",
		 (int)(strrchr(dir, '/') - dir), dir);
	resolved = config_resolve_path(cfg, "../var/peil.db");
	CHECK_STR(resolved, want);
	free(resolved);
	resolved = config_resolve_path(cfg, "./a//b/./c/../d");
	CHECK(strncmp(resolved, dir, strlen(dir)) == 0);
	CHECK_STR(resolved + strlen(dir), "/a/b/d");
	free(resolved);
	resolved = config_resolve_path(cfg, "/abs/path");
	CHECK_STR(resolved, "/abs/path");
	free(resolved);
	config_free(cfg);
}

/* Each broken file and the line and words its error must carry. */
TEST(errors_name_file_and_line)
{
	static const struct {
		const char *text;
		long line;
		const char *words;
	} cases[] = {
		{ "[peil]\nstorage = sqlite\nstorgae = x\n", 3,
		  "unknown key 'storgae' in section [peil]" },
		{ "[peil]\n\n[whatever]\nx = 1\n", 3,
		  "unknown section [whatever]" },
		{ "[calendar]\ngood_friday = yes\ngood_friday = no\n", 3,
		  "key 'good_friday' is given twice in [calendar] (first on "
		  "line 2)" },
		{ "[source]\npath = x\n", 1, "needs a name" },
		{ "[peil]\nthis line has no equals sign\n", 2,
		  "not a [section], key = value" },
		{ "storage = sqlite\n", 1, "before the first [section]" },
		{ "[dataset a]\nfield.x = text\n[dataset a]\nfield.y = date\n",
		  3, "section [dataset a] appears twice (first on line 1)" },
		/* A section without keys is checked all the same. */
		{ "[peil]\nstorage = sqlite\n[foo]\n", 3,
		  "unknown section [foo]" },
		/* inih would cut a long line in two and read the tail as a
		 * line of its own: a 250-character value on line 2. */
		{ "[calendar]\nextra = 2018-12-24, 2018-12-24, 2018-12-24, "
		  "2018-12-24, 2018-12-24, 2018-12-24, 2018-12-24, "
		  "2018-12-24, 2018-12-24, 2018-12-24, 2018-12-24, "
		  "2018-12-24, 2018-12-24, 2018-12-24, 2018-12-24, "
		  "2018-12-24, 2018-12-24, 2018-12-24, 2018-12-24, "
		  "good_friday = no\n", 2,
		  "line is longer than 197 characters" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_file("bad.ini", cases[i].text);
		peil_settings settings;
		peil_error err;

		error_clear(&err);
		if (open_settings(path, &settings, &err) != -1)
			HARNESS_FAIL("case %zu loaded", i);
		CHECK_STR(err.file, path);
		CHECK_INT(err.line, cases[i].line);
		CHECK_CONTAINS(err.message, cases[i].words);
	}
}

TEST(a_missing_file_is_an_error)
{
	config *cfg = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(config_load("/nonexistent/peil.ini", &cfg, &err), -1);
	CHECK_CONTAINS(err.message, "cannot open the configuration");
	CHECK_STR(err.file, "/nonexistent/peil.ini");
}

TEST(booleans_and_lists)
{
	const char *path = write_file("bool.ini",
				      "[calendar]\n"
				      "good_friday = Nee\n"
				      "extra = 2018-12-24,\n"
				      "  2018-12-31\n");
	config *cfg = NULL;
	peil_settings settings;
	peil_error err;

	error_clear(&err);
	memset(&settings, 0, sizeof(settings));
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_INT(settings_open(cfg, &settings, &err), 0);
	CHECK_INT(settings.good_friday, 0);
	CHECK_INT(settings.liberation_day, 1);	/* absent: the default */
	CHECK_INT(settings.extra.count, 2);
	CHECK_INT(settings.dates.given, 0);
	CHECK_INT(settings.threads, 2);
	settings_release(&settings);
	config_free(cfg);
	path = write_file("bool.ini", "[calendar]\ngood_friday = yes\n"
				      "liberation_day = perhaps\n");
	CHECK_INT(open_settings(path, &settings, &err), -1);
	CHECK_INT(err.line, 3);
	CHECK_CONTAINS(err.message, "liberation_day = perhaps: expected yes "
				    "or no");
}

/* One number parser for every whole number, named with its range. */
TEST(numbers_are_checked_against_their_range)
{
	static const struct {
		const char *text;
		const char *words;
	} cases[] = {
		{ "[run]\nthreads = 3\n", "threads = 3: expected 1 or 2" },
		{ "[run]\nlock_wait = -1\n",
		  "lock_wait = -1: expected a whole number from 0 to 86400" },
		{ "[run]\ndelay_days = soon\n",
		  "delay_days = soon: expected a whole number" },
		{ "[contract]\nstart_month = 13\n",
		  "start_month = 13: expected a month number 1 to 12" },
		{ "[source s]\nmode = snapshto\n",
		  "mode = snapshto: expected increment or snapshot" },
		{ "[run]\nperiods = 2018, 2018-13\n",
		  "periods = 2018-13: expected periods such as 2018" },
	};
	peil_settings settings;
	peil_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		error_clear(&err);
		CHECK_INT(open_settings(write_file("bad.ini", cases[i].text),
					&settings, &err), -1);
		CHECK_INT(err.line, 2);
		CHECK_CONTAINS(err.message, cases[i].words);
	}
}

static int collect(void *ctx, const char *item)
{
	char *out = ctx;

	strcat(out, "[");
	strcat(out, item);
	strcat(out, "]");
	return 0;
}

TEST(a_section_without_keys_is_kept)
{
	const char *path = write_file("empty.ini", "[peil]\nstorage = x\n\n"
						   "[dataset cases]\n");
	const config_section *s;
	config *cfg = NULL;
	peil_error err;

	error_clear(&err);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	s = config_section_find(cfg, "dataset", "cases");
	CHECK(s != NULL);
	CHECK_INT(s->line, 4);
	CHECK_INT(s->count, 0);
	config_free(cfg);
}

/* inih keeps 49 bytes of a section's name and of the key a continuation
 * line belongs to: [source NAME] with a name of 63 or 150 characters was
 * read as another, shorter one (two such sources as one), and the
 * continuation of a key of 60 characters became a key of its own.  Both
 * are read whole. */
TEST(long_names_are_read_whole)
{
	char text[1200], name63[64], name150[151], key60[61];
	const config_section *s;
	const config_entry *e;
	config *cfg = NULL;
	peil_error err;

	memset(name63, 'a', 63);
	name63[63] = '\0';
	memset(name150, 'b', 150);
	name150[150] = '\0';
	memset(key60, 'k', 60);
	key60[60] = '\0';
	snprintf(text, sizeof(text),
		 "[source %s]\nplugin = csv\n"
		 "[source %s]\n%s = one\n  two\nplugin = xlsx\n"
		 "[dataset %s]\n", name63, name150, key60, name63);
	error_clear(&err);
	CHECK_INT(config_load(write_file("long.ini", text), &cfg, &err), 0);
	CHECK_STR(err.message, "");
	CHECK_INT(cfg->count, 3);
	s = config_section_find(cfg, "source", name63);
	CHECK(s != NULL && s->line == 1);
	s = config_section_find(cfg, "source", name150);
	CHECK(s != NULL && s->line == 3);
	CHECK_INT(s ? s->count : 0, 2);
	e = s ? config_entry_find(s, key60) : NULL;
	CHECK_STR(e ? e->value : "", "one\ntwo");
	CHECK_STR(s ? config_get(s, "plugin", NULL) : "", "xlsx");
	/* the empty section, added after the others, by its header */
	s = config_section_find(cfg, "dataset", name63);
	CHECK(s != NULL && s->line == 7);
	config_free(cfg);
}

/* Relative config paths keep leading ".." and fold the rest. */
TEST(relative_config_paths_fold)
{
	static const struct {
		const char *config, *value, *expected;
	} cases[] = {
		{ "conf/peil.ini", "../var/peil.db", "var/peil.db" },
		{ "conf/peil.ini", "../../x", "../x" },
		{ "../conf/peil.ini", "../var/x", "../var/x" },
		{ "a/b/peil.ini", "../../x", "x" },
		{ "a/peil.ini", "..", "." },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config cfg = { 0 };
		char dirbuf[64], *slash, *got;

		snprintf(dirbuf, sizeof(dirbuf), "%s", cases[i].config);
		slash = strrchr(dirbuf, '/');
		*slash = '\0';
		cfg.dir = dirbuf;
		got = config_resolve_path(&cfg, cases[i].value);
		CHECK_STR(got, cases[i].expected);
		free(got);
	}
}

TEST(list_items_are_trimmed)
{
	char out[256] = "";

	CHECK_INT(config_each_item(" a, b ,\n c,,\n", collect, out), 0);
	CHECK_STR(out, "[a][b][c]");
}

/* [privacy public]: its own keys, defaults from [privacy] (min_denominator
 * at least its own min_count), never looser than [privacy]; [privacy]
 * takes no other name. */
TEST(privacy_public_is_stricter)
{
	static const struct {
		const char *text;
		int rc;
		uint64_t count, denominator, pub_count, pub_denominator;
		long line;
		const char *words;
	} cases[] = {
		{ "[peil]\n", 0, 10, 10, 10, 10, 0, NULL },
		{ "[privacy]\nmin_count = 5\n[privacy public]\n", 0, 5, 5, 5,
		  5, 0, NULL },
		{ "[privacy]\nmin_count = 5\nmin_denominator = 20\n"
		  "[privacy public]\nmin_count = 15\n", 0, 5, 20, 15, 20, 0,
		  NULL },
		{ "[privacy public]\nmin_count = 25\n", 0, 10, 10, 25, 25, 0,
		  NULL },
		{ "[privacy public]\nmin_count = 25\nmin_denominator = 30\n",
		  0, 10, 10, 25, 30, 0, NULL },
		{ "[privacy]\nmin_count = 10\n[privacy public]\n"
		  "min_count = 5\n", -1, 0, 0, 0, 0, 4,
		  "min_count = 5: the public rule may not be looser than "
		  "[privacy] min_count = 10" },
		{ "[privacy public]\nmin_denominator = 3\n", -1, 0, 0, 0, 0, 2,
		  "min_denominator = 3: the public rule may not be looser "
		  "than [privacy] min_denominator = 10" },
		{ "[privacy public]\nkey_file = k\n", -1, 0, 0, 0, 0, 2,
		  "unknown key 'key_file' in section [privacy public]" },
		{ "[privacy openbaar]\n", -1, 0, 0, 0, 0, 1,
		  "section [privacy] takes no name but public" },
	};
	peil_settings s;
	peil_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_file("public.ini", cases[i].text);
		config *cfg = NULL;

		error_clear(&err);
		memset(&s, 0, sizeof(s));
		CHECK_INT(config_load(path, &cfg, &err), 0);
		CHECK_INT(settings_open(cfg, &s, &err), cases[i].rc);
		if (cases[i].rc == 0) {
			CHECK_INT((long)s.min_count, (long)cases[i].count);
			CHECK_INT((long)s.min_denominator,
				  (long)cases[i].denominator);
			CHECK_INT((long)s.public_min_count,
				  (long)cases[i].pub_count);
			CHECK_INT((long)s.public_min_denominator,
				  (long)cases[i].pub_denominator);
			CHECK_DOUBLE(settings_disclosure_public(&s).min_count,
				     (double)cases[i].pub_count, 0);
		} else {
			CHECK_INT(err.line, cases[i].line);
			CHECK_CONTAINS(err.message, cases[i].words);
		}
		settings_release(&s);
		config_free(cfg);
	}
}

int main(void)
{
	dir = harness_tmp();
	RUN(reads_sections_keys_and_lines);
	RUN(errors_name_file_and_line);
	RUN(a_missing_file_is_an_error);
	RUN(booleans_and_lists);
	RUN(numbers_are_checked_against_their_range);
	RUN(a_section_without_keys_is_kept);
	RUN(long_names_are_read_whole);
	RUN(relative_config_paths_fold);
	RUN(list_items_are_trimmed);
	RUN(privacy_public_is_stricter);
	return harness_done();
}
