/*
 * test_kpi_links.c - what the KPI library added to the language, on its
 * error paths as much as its results: require() from the script
 * directories only, params and their overrides, the status with an
 * at-risk margin, joins of another dataset (held, or read by merging),
 * per-group rules, and a municipality's script replacing a shipped KPI by
 * id.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <signal.h>
#include <unistd.h>

#include "base/calendar.h"
#include "base/digest.h"
#include "harness.h"
#include "kpi/kpi.h"
#include "kpi/kpi_model.h"
#include "peil_values.h"
#include "report/output.h"

static const char *tmpdir;	/* harness_tmp() */
static calendar *cal;

static const char *write_file(const char *name, const char *text)
{
	static char path[16][256];
	static int next;
	char *p = path[next++ % 16];
	FILE *f;

	snprintf(p, 256, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

static kpi_set *new_set(void)
{
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const char *dirs[] = { tmpdir };

	kpi_set_script_dirs(set, dirs, 1);
	return set;
}

/* Write text to the script name in the script directory and load it
 * into set: kpi_set_load_file's result, with err. */
static int load_script(kpi_set *set, const char *name, const char *text,
		       peil_error *err)
{
	return kpi_set_load_file(set, write_file(name, text), err);
}

/* Opens most tests: declares set, a new set with the script name (text)
 * loaded, and err, the load's error; a load that fails fails the test,
 * naming the error. */
#define SET_LOADED(name, text)                                              \
	kpi_set *set = new_set();                                           \
	peil_error err;                                                     \
	if (load_script(set, (name), (text), &err) != 0)                    \
		HARNESS_FAIL("loading %s: %s", (name), err.message)

/* ---------------------------------------------------- a small dataset */

static const peil_field case_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
};
static const peil_schema cases = { "cases", 3, case_fields };
static const peil_field member_fields[] = {
	{ "member_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "case_id", PEIL_TYPE_TEXT, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
};
static const peil_schema members = { "case_members", 3, member_fields };

/* keyed: K00000 .. K04999 with n = the key's number; refs: R00000 ..
 * R05999, each naming a keyed row (or K05000 and up, none), in order or
 * scrambled (refs_scrambled). */
#define KEYED_ROWS 5000
#define REF_ROWS 6000
static const peil_field keyed_fields[] = {
	{ "key", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "n", PEIL_TYPE_INTEGER, 0 },
};
static const peil_schema keyed = { "keyed", 2, keyed_fields };
static const peil_field ref_fields[] = {
	{ "id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "ref", PEIL_TYPE_TEXT, 0 },
};
static const peil_schema refs = { "refs", 2, ref_fields };
static int refs_scrambled;

static long ref_target(long r)
{
	return refs_scrambled ? r * 7919 % REF_ROWS : r * KEYED_ROWS / REF_ROWS;
}

static const peil_schema dossiers, leden;

static const peil_schema *schema_of(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "cases") == 0 ? &cases :
	       strcmp(name, "case_members") == 0 ? &members :
	       strcmp(name, "keyed") == 0 ? &keyed :
	       strcmp(name, "refs") == 0 ? &refs :
	       strcmp(name, "dossiers") == 0 ? &dossiers :
	       strcmp(name, "leden") == 0 ? &leden : NULL;
}

static int case_scans, member_scans;	/* how many scans each served */

/* cases: C1 Oost, C2 West (both 2018-03-01); members: C1 has P1 and P2,
 * C2 has P1, and M4 belongs to no known case (C9).  M5-M7 have no person
 * and go back and forth between C1 and C2 (joins try the last case found
 * and the next one first). */
static int scan(void *ctx, const peil_schema *schema,
		const peil_filter *filter, const size_t *projection,
		size_t count, peil_row_fn row, void *row_ctx, peil_error *err)
{
	static const char *const case_rows[][2] = { { "C1", "Oost" },
						    { "C2", "West" } };
	static const char *const member_rows[][3] = {
		{ "M1", "C1", "P1" }, { "M2", "C1", "P2" },
		{ "M3", "C2", "P1" }, { "M4", "C9", "P7" },
		{ "M5", "C1", NULL }, { "M6", "C2", NULL },
		{ "M7", "C1", NULL },
	};
	peil_value full[3], out[3];

	(void)ctx, (void)filter, (void)err;
	case_scans += schema == &cases;
	member_scans += schema == &members;
	for (size_t r = 0; schema == &cases && r < 2; r++) {
		full[0] = value_text(case_rows[r][0]);
		full[1] = value_text(case_rows[r][1]);
		full[2].type = PEIL_TYPE_DATE;
		date_parse_iso("2018-03-01", &full[2].as.date);
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	for (size_t r = 0; schema == &members && r < 7; r++) {
		for (size_t f = 0; f < 3; f++)
			full[f] = value_text(member_rows[r][f]);
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	for (long r = 0; schema == &keyed && r < KEYED_ROWS; r++) {
		char key[16];

		snprintf(key, sizeof(key), "K%05ld", r);
		full[0] = value_text(key);
		full[1].type = PEIL_TYPE_INTEGER;
		full[1].as.integer = r;
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	for (long r = 0; schema == &refs && r < REF_ROWS; r++) {
		char id[16], ref[16];

		snprintf(id, sizeof(id), "R%05ld", r);
		snprintf(ref, sizeof(ref), "K%05ld", ref_target(r));
		full[0] = value_text(id);
		full[1] = value_text(ref);
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	return 0;
}

static struct figure {
	char kpi[64], period[16], breakdown[128];
	double value;
	const char *status;
	char status_text[160];	/* a copy: not every status is static */
} figures[64];
static size_t figure_count;
static char failure[2048];

static int collect(void *ctx, const kpi_info *k, const peil_result *r)
{
	struct figure *f = &figures[figure_count++ % 64];

	(void)ctx, (void)k;
	snprintf(f->kpi, sizeof(f->kpi), "%s", r->kpi);
	snprintf(f->period, sizeof(f->period), "%s", r->period);
	snprintf(f->breakdown, sizeof(f->breakdown), "%s", r->breakdown);
	f->value = r->value;
	snprintf(f->status_text, sizeof(f->status_text), "%s",
		 r->status ? r->status : "");
	f->status = r->status ? f->status_text : NULL;
	return 0;
}

static void collect_failure(void *ctx, const kpi_info *k,
			    const peil_error *err)
{
	(void)ctx, (void)k;
	snprintf(failure, sizeof(failure), "%s:%ld: %s", err->file, err->line,
		 err->message);
}

static double value(const char *id, const char *breakdown)
{
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].kpi, id) == 0 &&
		    strcmp(figures[i].breakdown, breakdown) == 0)
			return figures[i].value;
	return -1;
}

static int evaluate(kpi_set *set)
{
	kpi_source source = { NULL, schema_of, scan, NULL, NULL, 0, NULL, NULL };
	kpi_sink sink = { NULL, collect, collect_failure, NULL, NULL, NULL };
	peil_error err;
	int32_t from, to;

	figure_count = 0;
	case_scans = member_scans = 0;
	failure[0] = '\0';
	date_parse_iso("2018-03-01", &from);
	date_parse_iso("2018-03-31", &to);
	return kpi_evaluate(set, from, to, NULL, &source, &sink, &err);
}

/* --------------------------------------------------------------- tests */

TEST(require_loads_from_script_dirs_once)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK(set != NULL);
	write_file("helper.lua", "loads = (loads or 0) + 1\n"
		   "return { twice = function(x) return 2 * x end }\n");
	CHECK_INT(load_script(set, "uses.lua",
		"local h = require('helper')\nlocal again = require('helper')\n"
		"assert(h == again and loads == 1, 'loaded twice')\n"
		"kpi { id = 'k', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(function() return h.twice(1) "
		"== 2 end) }\n", &err), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_DOUBLE(value("k", "{}"), 2, 0);
	kpi_set_free(set);
}

/* A module that a script requires is part of the script's hash, which
 * its KPIs' definition hashes take: another text of the module, another
 * hash (before, the file's own hash, and a run kept the figures of the
 * module before). */
TEST(require_module_goes_into_the_script_hash)
{
	char hash[2][DIGEST_HEX_SIZE], own[DIGEST_HEX_SIZE];
	const char *path = NULL;
	peil_error err;

	for (int i = 0; i < 2; i++) {
		kpi_set *set = new_set();
		const kpi_info *k;

		write_file("teams.lua", i ? "return { team = 'Zuid' }\n"
					  : "return { team = 'Noord' }\n");
		path = write_file("team_kpi.lua",
			"local t = require('teams')\n"
			"kpi { id = 'k', title = 't', unit = 'u', dataset = 'cases',\n"
			"  grain = 'month', rule = count(eq('team', t.team)) }\n");
		CHECK_INT(kpi_set_load_file(set, path, &err), 0);
		k = kpi_set_find(set, "k");
		CHECK(k != NULL && k->script_sha256 != NULL);
		snprintf(hash[i], sizeof(hash[i]), "%s",
			 k && k->script_sha256 ? k->script_sha256 : "");
		kpi_set_free(set);
	}
	CHECK(strcmp(hash[0], hash[1]) != 0);
	CHECK_INT(digest_file_sha256_hex(path, own), 0);
	CHECK(strcmp(hash[0], own) != 0 && strcmp(hash[1], own) != 0);
}

/* Which KPIs' figures depend on the calendar of working days, whose
 * settings go into their definition hashes (engine/context.c): those
 * with workdays() and those with a Lua function, not a plain count. */
TEST(calendar_users)
{
	SET_LOADED("calendar_users.lua",
		"local function k(id, rule)\n"
		"  kpi { id = id, title = 't', unit = 'u', dataset = 'cases',\n"
		"    grain = 'month', select = started_in('registered'),\n"
		"    rule = rule }\n"
		"end\n"
		"k('telling', count())\n"
		"k('wachttijd', mean(workdays('registered', 'registered')))\n"
		"k('voorwaarde', count(function(row) return true end))\n");
	CHECK_INT(kpi_set_uses_calendar(set, "telling"), 0);
	CHECK_INT(kpi_set_uses_calendar(set, "wachttijd"), 1);
	CHECK_INT(kpi_set_uses_calendar(set, "voorwaarde"), 1);
	CHECK_INT(kpi_set_uses_calendar(set, "onbekend"), 0);
	kpi_set_free(set);
}

TEST(require_refuses_paths_and_unknown_modules)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(load_script(set, "escape.lua",
		"require('../../etc/passwd')\n", &err), -1);
	CHECK_CONTAINS(err.message, "is no module name");
	CHECK_INT(err.line, 1);
	CHECK_INT(load_script(set, "missing.lua",
		"require('nothing_here')\n", &err), -1);
	CHECK_CONTAINS(err.message, "no module 'nothing_here' in the script "
		       "directories");
	kpi_set_free(set);
}

/* param() in a function answers for the KPI whose rule calls it, also in
 * a function that KPIs share (q and r): kpi_rule.c tells the script which
 * KPI runs (kpi_script.evaluating). */
TEST(params_and_their_overrides)
{
	char msg[512];
	SET_LOADED("params.lua",
		"local function n() return param('n') end\n"
		"kpi { id = 'p', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 1, team = 'Oost' },\n"
		"  rule = count(eq('team', param('team'))),\n"
		"  target = { min = 2 } }\n"
		"kpi { id = 'q', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 1 }, rule = sum(n) }\n"
		"kpi { id = 'r', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 3 }, rule = sum(n) }\n");
	CHECK_INT(evaluate(set), 0);
	CHECK_DOUBLE(value("p", "{}"), 1, 0);
	CHECK_DOUBLE(value("q", "{}"), 2, 0);	/* 1 per case */
	CHECK_DOUBLE(value("r", "{}"), 6, 0);
	CHECK_INT(kpi_set_configure(set, "p", "param.team", "West", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "q", "param.n", "2.5", msg,
				    sizeof(msg)), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_DOUBLE(value("p", "{}"), 1, 0);	/* C2 is West */
	CHECK_DOUBLE(value("q", "{}"), 5, 0);
	CHECK_DOUBLE(value("r", "{}"), 6, 0);
	CHECK_INT(kpi_set_configure(set, "q", "param.n", "veel", msg,
				    sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "param.n = veel: expected a number");
	CHECK_INT(kpi_set_configure(set, "q", "param.m", "1", msg,
				    sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "has no parameter 'm'");
	CHECK_INT(kpi_set_configure(set, "nope", "margin", "1", msg,
				    sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "no KPI 'nope'");
	CHECK_INT(kpi_set_configure(set, "p", "doel", "1", msg,
				    sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "unknown key 'doel'");
	kpi_set_free(set);
}

TEST(unknown_param_is_a_binding_error)
{
	SET_LOADED("badparam.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(eq('team', param('x'))) }\n");
	CHECK_INT(evaluate(set), 1);
	CHECK_CONTAINS(failure, "no parameter 'x'");
	kpi_set_free(set);
}

TEST(status_with_an_at_risk_margin)
{
	kpi_set *set = new_set();
	kpi_info k = { 0 };

	k.has_min = 1;
	k.target_min = 80;
	CHECK_STR(kpi_status(set, &k, NULL, 80), "met");
	CHECK_STR(kpi_status(set, &k, NULL, 79.9), "not met");	/* no margin */
	CHECK(kpi_status(set, &k, NULL, NAN) == NULL);
	CHECK_INT(kpi_set_default_margin(set, "10%"), 0);	/* 8 */
	CHECK_STR(kpi_status(set, &k, NULL, 72), "at risk");
	CHECK_STR(kpi_status(set, &k, NULL, 71.9), "not met");
	k.has_margin = 1;					/* own: 2 */
	k.margin = 2;
	CHECK_STR(kpi_status(set, &k, NULL, 78), "at risk");
	CHECK_STR(kpi_status(set, &k, NULL, 77), "not met");
	k.has_min = 0;
	k.has_max = 1;
	k.target_max = 5;
	CHECK_STR(kpi_status(set, &k, NULL, 5), "met");
	CHECK_STR(kpi_status(set, &k, NULL, 7), "at risk");
	CHECK_STR(kpi_status(set, &k, NULL, 7.5), "not met");
	CHECK_INT(kpi_set_default_margin(set, "tien"), -1);
	kpi_set_free(set);
}

static const char *status(const char *id, const char *breakdown)
{
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].kpi, id) == 0 &&
		    strcmp(figures[i].breakdown, breakdown) == 0)
			return figures[i].status ? figures[i].status : "-";
	return "(no figure)";
}

/* Targets for the total only, for the cells only, and per breakdown
 * value (a lot's own target), from the script and from [kpi ID].  The
 * figures: Oost 1, West 1, total 2. */
TEST(targets_per_cell_and_for_the_total)
{
	char msg[512];
	SET_LOADED("targets.lua",
		"kpi { id = 'c', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', breakdown = { 'team' }, rule = count(),\n"
		"  target = { min = 2, applies = 'total',\n"
		"             ['min.team.Oost'] = 2 } }\n");
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(status("c", "{}"), "met");		/* 2 >= 2 */
	CHECK_STR(status("c", "{\"team\":\"Oost\"}"), "not met");	/* 1 < 2 */
	CHECK_STR(status("c", "{\"team\":\"West\"}"), "-");	/* none */
	/* the cells only; West at most 0 of its own */
	CHECK_INT(kpi_set_configure(set, "c", "target.applies", "cells", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "c", "target.max.team.West", "0",
				    msg, sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "c", "target.min.team.Oost", "1",
				    msg, sizeof(msg)), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(status("c", "{}"), "-");
	CHECK_STR(status("c", "{\"team\":\"Oost\"}"), "met");	/* 1 >= 1 */
	CHECK_STR(status("c", "{\"team\":\"West\"}"), "not met");	/* 1 > 0 */
	/* every cell and the total: the total 2 >= 2; West keeps its own */
	CHECK_INT(kpi_set_configure(set, "c", "target.applies", "all", msg,
				    sizeof(msg)), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(status("c", "{}"), "met");
	CHECK_STR(status("c", "{\"team\":\"West\"}"), "not met");
	CHECK_INT(kpi_set_configure(set, "c", "target.applies", "perceel",
				    msg, sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "target.applies = perceel: expected all, total "
		       "or cells");
	CHECK_INT(kpi_set_configure(set, "c", "target.min.team", "1", msg,
				    sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "unknown key 'target.min.team'");
	CHECK_INT(kpi_set_configure(set, "c", "target.min.district.Noord",
				    "1", msg, sizeof(msg)), 0);
	CHECK_INT(evaluate(set), 1);
	CHECK_CONTAINS(failure, "target district.Noord: the KPI is not "
		       "broken down by that field");
	CHECK_INT(load_script(set, "badtarget.lua",
		"kpi { id = 'd', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(),\n"
		"  target = { applies = 'lot' } }\n", &err), -1);
	CHECK_CONTAINS(err.message, "applies must be");
	kpi_set_free(set);
}

TEST(join_takes_fields_of_the_matching_row)
{
	SET_LOADED("join.lua",
		"kpi { id = 'j', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  rule = count_distinct('person') }\n");
	CHECK_INT(kpi_set_check(set, schema_of, NULL, NULL), 0);
	CHECK_INT(evaluate(set), 0);
	/* Oost: P1 P2; West: P1; no case (M4 of C9): P7; all: P1 P2 P7. */
	CHECK_DOUBLE(value("j", "{\"case.team\":\"Oost\"}"), 2, 0);
	CHECK_DOUBLE(value("j", "{\"case.team\":\"West\"}"), 1, 0);
	CHECK_DOUBLE(value("j", "{\"case.team\":null}"), 1, 0);
	CHECK_DOUBLE(value("j", "{}"), 3, 0);
	kpi_set_free(set);
}

/* Labels as a config gives them: team of cases is "Wijkteam", person
 * of case_members "Persoon"; no other field has one. */
static const char *label_of(void *ctx, const char *dataset, const char *field)
{
	(void)ctx;
	if (strcmp(dataset, "cases") == 0 && strcmp(field, "team") == 0)
		return "Wijkteam";
	if (strcmp(dataset, "case_members") == 0 &&
	    strcmp(field, "person") == 0)
		return "Persoon";
	return NULL;
}

/* A joined field "case.team" is team of the joined dataset cases, with
 * the label of that field; the KPI's own fields are its dataset's; an
 * unknown alias has no dataset, and its label is the field name. */
TEST(joined_field_takes_the_label_in_its_dataset)
{
	const kpi_info *k;
	const char *name;
	SET_LOADED("labels.lua",
		"kpi { id = 'j', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  rule = count_distinct('person') }\n");
	k = kpi_set_find(set, "j");
	CHECK_STR(kpi_field_dataset(set, k, "case.team", &name), "cases");
	CHECK_STR(name, "team");
	CHECK_STR(kpi_field_dataset(set, k, "person", &name), "case_members");
	CHECK_STR(name, "person");
	CHECK(kpi_field_dataset(set, k, "other.team", &name) == NULL);
	CHECK_STR(output_field_label(label_of, NULL, set, k, "case.team"),
		  "Wijkteam");
	CHECK_STR(output_field_label(label_of, NULL, set, k, "person"),
		  "Persoon");
	CHECK_STR(output_field_label(label_of, NULL, set, k, "role"), "role");
	CHECK_STR(output_field_label(label_of, NULL, set, k, "other.team"),
		  "other.team");
	CHECK_STR(output_field_label(NULL, NULL, set, k, "case.team"),
		  "case.team");
	kpi_set_free(set);
}

/* Decimals by the rule: 0 for count and count_distinct, sum, min, max;
 * 1 for share and mean; decimals = N in kpi{} and [kpi ID] decimals
 * replace them; a value that is no whole number from 0 to 6 is refused,
 * and the KPI keeps what it had. */
TEST(decimals_by_rule_script_and_config)
{
	char msg[256];
	SET_LOADED("decimals.lua",
		"local function k(id, rule, d)\n"
		"  kpi { id = id, title = 't', unit = 'u', dataset = 'cases',\n"
		"        grain = 'month', rule = rule, decimals = d }\n"
		"end\n"
		"k('c', count())\n"
		"k('cd', count_distinct('team'))\n"
		"k('s', share(eq('team', 'Oost')))\n"
		"k('m', mean('mark'))\n"
		"k('su', sum('mark'))\n"
		"k('mx', max('mark'))\n"
		"k('c3', count(), 3)\n");
	CHECK_INT(kpi_set_find(set, "c")->decimals, 0);
	CHECK_INT(kpi_set_find(set, "cd")->decimals, 0);
	CHECK_INT(kpi_set_find(set, "s")->decimals, 1);
	CHECK_INT(kpi_set_find(set, "m")->decimals, 1);
	CHECK_INT(kpi_set_find(set, "su")->decimals, 0);
	CHECK_INT(kpi_set_find(set, "mx")->decimals, 0);
	CHECK_INT(kpi_set_find(set, "c3")->decimals, 3);
	CHECK_INT(kpi_set_configure(set, "m", "decimals", "2", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_find(set, "m")->decimals, 2);
	CHECK_INT(kpi_set_configure(set, "m", "decimals", "7", msg,
				    sizeof(msg)), -1);
	CHECK_STR(msg, "decimals = 7: expected a whole number from 0 to 6");
	CHECK_INT(kpi_set_configure(set, "m", "decimals", "-1", msg,
				    sizeof(msg)), -1);
	CHECK_INT(kpi_set_configure(set, "m", "decimals", "1,5", msg,
				    sizeof(msg)), -1);
	CHECK_INT(kpi_set_find(set, "m")->decimals, 2);
	CHECK_INT(load_script(set, "bad.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"      grain = 'month', rule = count(), decimals = 'twee' }\n",
		&err), -1);
	CHECK_CONTAINS(err.message, "decimals: expected a whole number "
				    "from 0 to 6");
	kpi_set_free(set);
}

/* Visibility: internal unless visibility = "public" in kpi{} or [kpi ID];
 * anything else is refused naming the value, and the KPI keeps what it
 * had. */
TEST(visibility_by_script_and_config)
{
	char msg[256];
	SET_LOADED("visibility.lua",
		"local function k(id, v)\n"
		"  kpi { id = id, title = 't', unit = 'u', dataset = 'cases',\n"
		"        grain = 'month', rule = count(), visibility = v }\n"
		"end\n"
		"k('none')\n"
		"k('pub', 'public')\n"
		"k('int', 'internal')\n");
	CHECK_INT(kpi_set_find(set, "none")->is_public, 0);
	CHECK_INT(kpi_set_find(set, "pub")->is_public, 1);
	CHECK_INT(kpi_set_find(set, "int")->is_public, 0);
	CHECK_INT(kpi_set_configure(set, "pub", "visibility", "internal", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_find(set, "pub")->is_public, 0);
	CHECK_INT(kpi_set_configure(set, "none", "visibility", "public", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_find(set, "none")->is_public, 1);
	CHECK_INT(kpi_set_configure(set, "none", "visibility", "openbaar",
				    msg, sizeof(msg)), -1);
	CHECK_STR(msg, "visibility = openbaar: expected public or internal");
	CHECK_INT(kpi_set_find(set, "none")->is_public, 1);
	CHECK_INT(load_script(set, "bad.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"      grain = 'month', rule = count(), visibility = true }\n",
		&err), -1);
	CHECK_CONTAINS(err.message, "visibility: expected \"public\" or "
				    "\"internal\"");
	kpi_set_free(set);
}

/* KPIs that join alike share one scan of each dataset; another alias is
 * another join, and a join that fails fails each KPI that has it. */
TEST(kpis_that_join_alike_share_a_scan)
{
	SET_LOADED("joins.lua",
		"kpi { id = 'j1', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  rule = count_distinct('person') }\n"
		"kpi { id = 'j2', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  select = started_in('case.registered'),\n"
		"  rule = count() }\n"
		"kpi { id = 'j3', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'c.team' }, rule = count() }\n"
		"kpi { id = 'm', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  rule = count_distinct('case_id') }\n");
	CHECK_INT(evaluate(set), 0);
	/* j1 and j2 one scan, j3 another, m the members alone. */
	CHECK_INT(case_scans, 2);
	CHECK_INT(member_scans, 3);
	CHECK_DOUBLE(value("j1", "{\"case.team\":\"Oost\"}"), 2, 0);
	CHECK_DOUBLE(value("j1", "{}"), 3, 0);
	CHECK_DOUBLE(value("j2", "{}"), 6, 0);	/* M4 has no case */
	CHECK_DOUBLE(value("j3", "{\"c.team\":\"Oost\"}"), 4, 0);
	CHECK_DOUBLE(value("j3", "{\"c.team\":\"West\"}"), 2, 0);
	CHECK_DOUBLE(value("j3", "{\"c.team\":null}"), 1, 0);
	CHECK_DOUBLE(value("m", "{}"), 3, 0);
	kpi_set_free(set);

	set = new_set();
	CHECK_INT(load_script(set, "badjoins.lua",
		"kpi { id = 'x', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n"
		"kpi { id = 'y', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n", &err), 0);
	/* a join with a dataset that is not configured: not evaluated,
	 * saying which, where both used to fail */
	CHECK_INT(evaluate(set), 0);
	CHECK_INT(figure_count, 1 + 1);
	CHECK_STR(figures[0].status,
		  "not evaluated: dataset casussen is not configured");
	kpi_set_free(set);
}

/* The joined rows' keys come in order: found from the row found last,
 * first in a run of rows in the same order, then in a scrambled one (where
 * a hash table takes over); and, keyed on a field that is not the key,
 * in no order and twice (the first row of a key wins). */
TEST(join_finds_rows_in_any_order)
{
	kpi_set *set = new_set();
	peil_error err;
	double sum[2] = { 0, 0 }, count[2] = { 0, 0 };

	for (int scrambled = 0; scrambled < 2; scrambled++)
		for (long r = 0; r < REF_ROWS; r++) {
			long target;

			refs_scrambled = scrambled;
			target = ref_target(r);
			if (target < KEYED_ROWS) {
				sum[scrambled] += (double)target;
				count[scrambled]++;
			}
		}
	CHECK_INT(load_script(set, "ordered.lua",
		"kpi { id = 's', title = 't', unit = 'u',\n"
		"  dataset = 'refs', grain = 'month',\n"
		"  join = { k = { dataset = 'keyed', on = 'ref' } },\n"
		"  rule = sum('k.n') }\n"
		"kpi { id = 'c', title = 't', unit = 'u',\n"
		"  dataset = 'refs', grain = 'month',\n"
		"  join = { k = { dataset = 'keyed', on = 'ref' } },\n"
		"  rule = count(is_set('k.key')) }\n"
		"kpi { id = 'm', title = 't', unit = 'u',\n"
		"  dataset = 'cases', grain = 'month',\n"
		"  join = { m = { dataset = 'case_members', on = 'case_id',\n"
		"                 key = 'case_id' } },\n"
		"  rule = count(one_of('m.member_id', { 'M1', 'M3' })) }\n",
		&err), 0);
	for (int scrambled = 0; scrambled < 2; scrambled++) {
		refs_scrambled = scrambled;
		CHECK_INT(evaluate(set), 0);
		CHECK_DOUBLE(value("s", "{}"), sum[scrambled], 0);
		CHECK_DOUBLE(value("c", "{}"), count[scrambled], 0);
		/* C1 takes M1, C2 M3: the first member of each case */
		CHECK_DOUBLE(value("m", "{}"), 2, 0);
	}
	CHECK(count[1] < REF_ROWS && count[1] > 0);
	kpi_set_free(set);
}

TEST(join_errors_name_the_problem)
{
	int problems = 0;
	SET_LOADED("badjoin.lua",
		"kpi { id = 'x', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n"
		"kpi { id = 'y', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'cases', on = 'dossier' } },\n"
		"  rule = count() }\n");
	problems = (int)kpi_set_check(set, schema_of, NULL, NULL);
	CHECK_INT(problems, 2);
	CHECK_INT(load_script(set, "badjoin2.lua",
		"kpi { id = 'z', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { on = 'case_id' } }, rule = count() }\n", &err),
		  -1);
	CHECK_CONTAINS(err.message, "join 'c': needs dataset and on");
	kpi_set_free(set);
}

TEST(per_counts_groups)
{
	SET_LOADED("per.lua",
		"kpi { id = 'g', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return #g.rows >= 2 end,\n"
		"  rule = count() }\n"
		"kpi { id = 'h', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  rule = count(eq('person', 'P1')) }\n");
	CHECK_INT(evaluate(set), 1);	/* h: per takes functions */
	CHECK_CONTAINS(failure, "with per, having and the rule take functions");
	CHECK_DOUBLE(value("g", "{}"), 1, 0);	/* only P1 is in two rows */
	kpi_set_free(set);
}

/* KPIs per person over the same rows (zrm.lua's three directions) keep
 * one set of groups, and the groups of a scan are freed before the next
 * scan.  Members: P1 (M1 of C1, M3 of C2), P2 (M2 of
 * C1), P7 (M4 of C9), M5-M7 without a person.  'a' counts the persons
 * (3), 'b' over the same groups those with two rows (P1: 1); 'c' those with a
 * member of C1 through a parameter (P1 P2: 2), 'e' the same with C1
 * written out (2), 'd' with a member of C2 (P1: 1); 'f' the teams of
 * the cases (Oost, West: 2).  Groups made: a (b's too), c (e's too), d,
 * f: 4, not 6; held at once: a, c and d after the members' scan, f
 * alone after the cases': 3, not 6.  Those without Lua (c, d, f) are
 * reduced a period at a time, each group for its sharers at once. */
TEST(kpis_with_the_same_groups_share_them)
{
	SET_LOADED("per_shared.lua",
		"local function per_person(t)\n"
		"  t.title, t.unit = 't', 'u'\n"
		"  t.dataset, t.grain, t.per = 'case_members', 'month', 'person'\n"
		"  kpi(t)\n"
		"end\n"
		"per_person { id = 'a',\n"
		"  rule = count(function(g) return #g.rows > 0 end) }\n"
		"per_person { id = 'b',\n"
		"  rule = count(function(g) return #g.rows == 2 end) }\n"
		"per_person { id = 'c', params = { case = 'C1' },\n"
		"  where = eq('case_id', param('case')), rule = count() }\n"
		"per_person { id = 'd', params = { case = 'C2' },\n"
		"  where = eq('case_id', param('case')), rule = count() }\n"
		"per_person { id = 'e', where = eq('case_id', 'C1'),\n"
		"  rule = count() }\n"
		"kpi { id = 'f', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', per = 'team', rule = count() }\n");
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(failure, "");
	CHECK_DOUBLE(value("a", "{}"), 3, 0);
	CHECK_DOUBLE(value("b", "{}"), 1, 0);
	CHECK_DOUBLE(value("c", "{}"), 2, 0);
	CHECK_DOUBLE(value("d", "{}"), 1, 0);
	CHECK_DOUBLE(value("e", "{}"), 2, 0);
	CHECK_DOUBLE(value("f", "{}"), 2, 0);
	CHECK_INT((long)set->group_stores_made, 4);
	CHECK_INT((long)set->group_stores_peak, 3);
	/* a's (Lua) slot by slot; c's, d's and f's a period at a time */
	CHECK_INT((long)set->group_stores_merged, 3);
	kpi_set_free(set);
}

/* A KPI whose groups outgrow [limits] kpi_memory_mb fails alone, named,
 * with what it had kept; the others go on.  'big'
 * keeps the 5 000 keyed rows in a group each, in the total and in a cell
 * per value of n: more than 1 MiB; 'small' counts the 3 persons of the
 * members. */
TEST(groups_past_the_kpi_memory_limit_fail_that_kpi)
{
	kpi_limits limits = { .kpi_memory_bytes = (size_t)1 << 20 };
	kpi_set *set = kpi_set_new(cal, &limits, 1);
	const char *dirs[] = { tmpdir };
	peil_error err;

	kpi_set_script_dirs(set, dirs, 1);
	CHECK_INT(load_script(set, "per_big.lua",
		"kpi { id = 'big', title = 't', unit = 'u', dataset = 'keyed',\n"
		"  grain = 'month', per = 'key', breakdown = { 'n' },\n"
		"  rule = count() }\n"
		"kpi { id = 'small', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  rule = count() }\n", &err), 0);
	CHECK_INT(evaluate(set), 1);
	CHECK_CONTAINS(failure, "per_big.lua:1: kpi 'big': the groups of "
		       "per = \"key\" need more than [limits] kpi_memory_mb "
		       "= 1 MiB (");
	CHECK_DOUBLE(value("small", "{}"), 3, 0);
	CHECK_DOUBLE(value("big", "{}"), -1, 0);	/* no figure */
	kpi_set_free(set);
}

TEST(a_later_directory_replaces_a_kpi_by_id)
{
	const kpi_info *k;
	SET_LOADED("a_shipped.lua",
		"kpi { id = 'caseload', title = 'Caseload', unit = 'casussen',"
		" dataset = 'cases', grain = 'month', rule = count() }\n");
	CHECK_INT(load_script(set, "b_gemeente.lua",
		"kpi { id = 'caseload', title = 'Caseload Peilstad', unit = "
		"'casussen', dataset = 'cases', grain = 'month',\n"
		"  rule = count(eq('team', 'Oost')) }\n", &err), 0);
	CHECK_INT(kpi_set_count(set), 1);
	k = kpi_set_find(set, "caseload");
	CHECK_STR(k->title, "Caseload Peilstad");
	CHECK_CONTAINS(k->script, "b_gemeente.lua");
	CHECK_INT(evaluate(set), 0);
	CHECK_DOUBLE(value("caseload", "{}"), 1, 0);
	kpi_set_free(set);
}

/* Two KPIs of one script that join under other aliases are two scans,
 * each with a joined schema of its own that is freed after it; the row
 * tables of the second must know its fields ("c.team"), not those of the
 * first schema that may have had the same address.
 * Of the seven members, M1 M2 M5 M7 are of C1 (Oost), M3 M6 of C2
 * (West), M4 of no case: Oost 4, West 2. */
TEST(row_tables_know_each_joined_schema)
{
	SET_LOADED("joins_lua.lua",
		"kpi { id = 'a', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  rule = count(function(m) return m['case.team'] == 'Oost' end) }\n"
		"kpi { id = 'b', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'cases', on = 'case_id' } },\n"
		"  rule = count(function(m) return m['c.team'] == 'West' end) }\n");
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(failure, "");
	CHECK_DOUBLE(value("a", "{}"), 4, 0);
	CHECK_DOUBLE(value("b", "{}"), 2, 0);
	kpi_set_free(set);
}

/* The rows of per's groups refuse a read of a field the dataset does not
 * declare and a write of a new key.
 * Persons: P1 (M1 M3), P2 (M2), P7 (M4); M5 to M7 have none: 3 groups. */
TEST(kept_rows_refuse_typos_too)
{
	SET_LOADED("per_typo.lua",
		"kpi { id = 'g', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return g.rows[1].case_id ~= nil end,\n"
		"  rule = count() }\n"
		"kpi { id = 't', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return g.rows[1].persn == nil end,\n"
		"  rule = count() }\n"
		"kpi { id = 'w', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) g.rows[1].extra = 1 return true end,\n"
		"  rule = count() }\n");
	CHECK_INT(evaluate(set), 2);
	CHECK_DOUBLE(value("g", "{}"), 3, 0);
	/* the last failure reported: w, in id order */
	CHECK_CONTAINS(failure, "per_typo.lua:11:");
	CHECK_CONTAINS(failure, "read-only: cannot set 'extra'");
	kpi_set_free(set);
	set = new_set();
	CHECK_INT(load_script(set, "per_typo2.lua",
		"kpi { id = 't', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return g.rows[1].persn == nil end,\n"
		"  rule = count() }\n", &err), 0);
	CHECK_INT(evaluate(set), 1);
	CHECK_CONTAINS(failure, "per_typo2.lua:3:");
	CHECK_CONTAINS(failure,
		       "field 'persn' is not declared in dataset case_members");
	kpi_set_free(set);
}

/* A function cannot change a row that another KPI's function sees: the
 * row table is made once per row and shared by the
 * script's KPIs, so it is read-only in every script, also in one that
 * keeps rows for a lookup (whose kept rows are the values themselves),
 * and so are the rows of per's groups.  'a' writes case_id, 'a2' with
 * rawset, 'a3' into the state pairs(row) returns: each fails, and 'b'
 * still counts the members of C1: M1 M2 M5 M7 = 4 (7 when a write
 * reached it).  Groups: P1 (M1 M3), P2 (M2), P7 (M4);
 * 'g' writes the first row of each and fails; 'h' counts the groups whose
 * first row is not of C9: P1 (C1), P2 (C1) = 2 (0 when g's writes reached
 * it). */
TEST(one_kpi_cannot_change_the_rows_of_another)
{
	SET_LOADED("hostile.lua",
		"local lookup = { m = { dataset = 'case_members', by = 'person' } }\n"
		"kpi { id = 'a', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', lookup = lookup,\n"
		"  rule = count(function(m) m.case_id = 'C1' return true end) }\n"
		"kpi { id = 'a2', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', lookup = lookup,\n"
		"  rule = count(function(m) rawset(m, 'case_id', 'C1') return true end) }\n"
		"kpi { id = 'a3', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', lookup = lookup,\n"
		"  rule = count(function(m)\n"
		"    local _, values = pairs(m)\n"
		"    values.case_id = 'C1' return true end) }\n"
		"kpi { id = 'b', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', lookup = lookup,\n"
		"  rule = count(function(m) return m.case_id == 'C1' end) }\n"
		"kpi { id = 'g', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) g.rows[1].case_id = 'C9' return true end,\n"
		"  rule = count() }\n"
		"kpi { id = 'h', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  rule = count(function(g) return g.rows[1].case_id ~= 'C9' end) }\n");
	CHECK_INT(evaluate(set), 4);
	CHECK_DOUBLE(value("b", "{}"), 4, 0);
	CHECK_DOUBLE(value("h", "{}"), 2, 0);
	/* the last failure reported: g, in id order */
	CHECK_CONTAINS(failure, "hostile.lua:18:");
	CHECK_CONTAINS(failure, "read-only: cannot set 'case_id'");
	kpi_set_free(set);
}

/* Which KPIs add up across grains (kpi_set_additive_key, for the
 * small-cell rules): events dated in the period, counted or summed, of
 * one family when only the grain differs, parameters filled in. */
TEST(additive_families)
{
	kpi_set *set = new_set();
	char key[7][512];
	peil_error err;
	static const char *const ids[] = { "m", "q", "zuid", "loopt",
					   "aandeel", "functie", "peil" };

	CHECK_INT(load_script(set, "families.lua",
		"local function k(id, grain, extra)\n"
		"  local t = { id = id, title = 't', unit = 'u',\n"
		"    dataset = 'cases', grain = grain, breakdown = { 'team' },\n"
		"    params = { team = 'Noord' },\n"
		"    select = started_in('registered'),\n"
		"    rule = count(eq('team', param('team'))) }\n"
		"  for key, v in pairs(extra or {}) do t[key] = v end\n"
		"  kpi(t)\n"
		"end\n"
		"k('m', 'month')\n"
		"k('q', 'quarter')\n"
		"k('zuid', 'quarter', { params = { team = 'Zuid' } })\n"
		"k('loopt', 'quarter', { select = running_in('registered', 'registered') })\n"
		"k('aandeel', 'quarter', { rule = share(eq('team', 'Noord')) })\n"
		"k('functie', 'quarter', { rule = count(function(row) return true end) })\n"
		"k('peil', 'quarter', { rule = count(lt('registered', reference_date())) })\n",
		&err), 0);
	for (size_t i = 0; i < 7; i++)
		CHECK_INT(kpi_set_additive_key(set, ids[i], key[i],
					       sizeof(key[i])), i < 3);
	/* month and quarter of one count: one family */
	CHECK_STR(key[0], key[1]);
	CHECK(strstr(key[0], "\"Noord\"") != NULL);
	/* another parameter value: another family */
	CHECK(strcmp(key[0], key[2]) != 0);
	CHECK(strstr(key[2], "\"Zuid\"") != NULL);
	CHECK_INT(kpi_set_additive_key(set, "onbekend", key[0],
				       sizeof(key[0])), 0);
	kpi_set_free(set);
}

/* ------------------------------------------------- joins by merging */

/* A join read beside the KPI's dataset (kpi_join.c, "merge"): with a
 * store that scans from a key inside a scan (kpi_source.scans_from_key),
 * the dossiers come a chunk at a time from the key looked for on, through
 * a scan with a filter key >= that, while the leden (members) are scanned
 * in their own order.  The figures are those of the join in memory,
 * worked out by hand; keys in no order fall back to it; a store that
 * breaks its key order fails the evaluation, naming the dataset. */
static const peil_field dossier_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
};
static const peil_schema dossiers = { "dossiers", 4, dossier_fields };
static const peil_schema leden = { "leden", 3, member_fields };

/* The rows of the store: cases in key order, members in member_id order;
 * texts owned by the arrays (NULL: no value). */
struct case_row {
	char id[16], team[160];
	const char *registered, *closed;	/* ISO dates or NULL */
};
struct member_row {
	char id[24], case_id[16], person[16];
	int no_case, no_person;
};
static struct case_row *case_rows;
static size_t case_count;
static struct member_row *member_rows;
static size_t member_count;

/* What the merging store did, and how it misbehaves when asked to. */
static int dossier_scans, filtered_dossier_scans;
static long filtered_dossier_rows;	/* handed by scans from a key */
static int break_case_order;
static int unexpected;	/* calls that a merge should not make */

static int hand_row(const peil_value *full, const size_t *projection,
		    size_t count, peil_row_fn row, void *row_ctx)
{
	peil_value out[4];

	for (size_t i = 0; i < count; i++)
		out[i] = full[projection ? projection[i] : i];
	return row(row_ctx, out);
}

static int case_hand(size_t r, const size_t *projection, size_t count,
		     peil_row_fn row, void *row_ctx)
{
	peil_value full[4];

	full[0] = value_text(case_rows[r].id);
	full[1] = value_text(case_rows[r].team);
	full[2] = value_date(case_rows[r].registered);
	full[3] = value_date(case_rows[r].closed);
	return hand_row(full, projection, count, row, row_ctx);
}

static int member_hand(size_t r, const size_t *projection, size_t count,
		       peil_row_fn row, void *row_ctx)
{
	peil_value full[3];

	full[0] = value_text(member_rows[r].id);
	full[1] = value_text(member_rows[r].no_case ? NULL : member_rows[r].case_id);
	full[2] = value_text(member_rows[r].no_person ? NULL : member_rows[r].person);
	return hand_row(full, projection, count, row, row_ctx);
}

/* Dossiers in key order, from the key of a filter case_id >= X when there
 * is one (the only filter a merge asks for); leden in member_id order. */
static int merge_scan(void *ctx, const peil_schema *schema,
		      const peil_filter *filter, const size_t *projection,
		      size_t count, peil_row_fn row, void *row_ctx,
		      peil_error *err)
{
	size_t first = 0;
	int rc;

	(void)ctx, (void)err;
	if (schema == &leden) {
		for (size_t r = 0; r < member_count; r++)
			if ((rc = member_hand(r, projection, count, row,
					      row_ctx)) != 0)
				return rc;
		return 0;
	}
	dossier_scans++;
	if (filter) {
		unexpected += !(filter->op == PEIL_OP_GE &&
				filter->field == 0 &&
				filter->value.type == PEIL_TYPE_TEXT);
		filtered_dossier_scans++;
		while (first < case_count &&
		       strcmp(case_rows[first].id, filter->value.as.text) < 0)
			first++;
	}
	for (size_t r = first; r < case_count; r++) {
		/* broken: the second and third rows of each scan swapped */
		size_t at = break_case_order && r == first + 1 &&
				    r + 1 < case_count ? r + 1 :
			    break_case_order && r == first + 2 ? r - 1 : r;

		filtered_dossier_rows += filter != NULL;
		if ((rc = case_hand(at, projection, count, row, row_ctx)) != 0)
			return rc;
	}
	return 0;
}

/* Evaluate the KPIs of script for March 2018, merging when merge. */
static void evaluate_merge(const char *script, int merge, kpi_set **out)
{
	kpi_source source = { NULL, schema_of, merge_scan, NULL, NULL, merge, NULL,
			      NULL };
	kpi_sink sink = { NULL, collect, collect_failure, NULL, NULL, NULL };
	kpi_set *set = *out = new_set();
	peil_error err;
	int32_t from, to;

	CHECK_INT(load_script(set, "merge.lua", script, &err),
		  0);
	CHECK_INT(kpi_set_check(set, schema_of, NULL, NULL), 0);
	figure_count = 0;
	dossier_scans = filtered_dossier_scans = unexpected = 0;
	filtered_dossier_rows = 0;
	failure[0] = '\0';
	date_parse_iso("2018-03-01", &from);
	date_parse_iso("2018-03-31", &to);
	/* a failed scan fails the evaluation, not one KPI */
	if (kpi_evaluate(set, from, to, NULL, &source, &sink, &err) < 0)
		snprintf(failure, sizeof(failure), "%s", err.message);
	CHECK_INT(unexpected, 0);
}

static const char *const persons_kpi =
	"kpi { id = 'p', title = 't', unit = 'u',\n"
	"  dataset = 'leden', grain = 'month',\n"
	"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
	"  breakdown = { 'case.team' },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  rule = count_distinct('person') }\n";

static void add_case(const char *id, const char *team, const char *registered,
		     const char *closed)
{
	struct case_row *c = &case_rows[case_count++];

	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->team, sizeof(c->team), "%s", team);
	c->registered = registered;
	c->closed = closed;
}

static void add_member(const char *id, const char *case_id,
		       const char *person)
{
	struct member_row *m = &member_rows[member_count++];

	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id);
	snprintf(m->case_id, sizeof(m->case_id), "%s", case_id ? case_id : "");
	snprintf(m->person, sizeof(m->person), "%s", person ? person : "");
	m->no_case = !case_id;
	m->no_person = !person;
}

/* C1 Oost and C2 West run in March 2018, C3 Noord closed in 2017, C4 Zuid
 * has no members.  The members come in member_id order, their case_ids
 * out of order: C2's P1; C1's P1, P2 and P2 again; M4 of C9, which is
 * missing; M5 of C3; M7 without a case_id. */
static void small_store(void)
{
	case_count = member_count = 0;
	add_case("C1", "Oost", "2018-01-01", NULL);
	add_case("C2", "West", "2018-03-10", NULL);
	add_case("C3", "Noord", "2017-01-01", "2017-12-31");
	add_case("C4", "Zuid", "2018-01-01", NULL);
	add_member("M1", "C2", "P1");
	add_member("M2", "C1", "P1");
	add_member("M3", "C1", "P2");
	add_member("M4", "C9", "P7");
	add_member("M5", "C3", "P3");
	add_member("M6", "C1", "P2");
	add_member("M7", NULL, "P8");
}

/* Oost: P1 P2 (P2 twice); West: P1; Noord: a cell, nobody running; Zuid:
 * no member, no cell; no team (C9 missing, M7 without a case): a cell,
 * nobody running; all: P1 P2.  The same with the merge as without it. */
TEST(merge_gives_the_figures_of_the_join_in_memory)
{
	for (int merge = 0; merge <= 1; merge++) {
		kpi_set *set;

		small_store();
		evaluate_merge(persons_kpi, merge, &set);
		CHECK_STR(failure, "");
		CHECK_DOUBLE(value("p", "{\"case.team\":\"Oost\"}"), 2, 0);
		CHECK_DOUBLE(value("p", "{\"case.team\":\"West\"}"), 1, 0);
		CHECK_DOUBLE(value("p", "{\"case.team\":\"Noord\"}"), 0, 0);
		CHECK_DOUBLE(value("p", "{\"case.team\":\"Zuid\"}"), -1, 0);
		CHECK_DOUBLE(value("p", "{\"case.team\":null}"), 0, 0);
		CHECK_DOUBLE(value("p", "{}"), 2, 0);
		/* merged: the cases from C2 (M1's) on, then from C1 (M2's,
		 * before C2) on; each chunk holds all to the end, where C3
		 * and C9 are looked for: no scan of all cases */
		CHECK_INT(filtered_dossier_scans, merge ? 2 : 0);
		CHECK_INT(dossier_scans, merge ? 2 : 1);
		kpi_set_free(set);
	}
}

/* 20 000 cases K00000 .. K19999 of teams T0 T1 T2 (k mod 3), all
 * registered 2018-03-01 (in March, the month evaluated: a month after the
 * latest registration is not evaluated), closed in 2017 when k mod 5 is
 * 1; cases with k
 * mod 4 of 2 have no members, the others 1 + k mod 3 members, all the
 * same person, the member ids in the order of the cases or (reverse) the
 * other way round.  Members N1 of A0 (before the first case) and N2 of
 * K20000 (after the last) come last and join nothing.  Running cases
 * with members: of every 20 consecutive k, 15 have members, and of those
 * k mod 20 of 1, 11 and 16 are closed: 12 a 20, 12 000 in all, the first
 * (K00000) and the last (K19999) among them. */
static void big_store(int reverse)
{
	char id[16], member[24];
	int m = 0;

	case_count = member_count = 0;
	for (long k = 0; k < 20000; k++) {
		snprintf(id, sizeof(id), "K%05ld", k);
		add_case(id, k % 3 == 0 ? "T0" : k % 3 == 1 ? "T1" : "T2",
			 "2018-03-01", k % 5 == 1 ? "2017-06-30" : NULL);
	}
	for (long i = 0; i < 20000; i++) {
		long k = reverse ? 19999 - i : i;

		snprintf(id, sizeof(id), "K%05ld", k);
		for (long n = 0; k % 4 != 2 && n <= k % 3; n++) {
			snprintf(member, sizeof(member), "M%06d", m++);
			add_member(member, id, "P1");
		}
	}
	add_member("N1", "A0", "P2");
	add_member("N2", "K20000", "P3");
}

static const char *const cases_kpi =
	"kpi { id = 'c', title = 't', unit = 'u',\n"
	"  dataset = 'leden', grain = 'month',\n"
	"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  rule = count_distinct('case_id') }\n"
	"kpi { id = 'm', title = 't', unit = 'u',\n"
	"  dataset = 'leden', grain = 'month',\n"
	"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  rule = count() }\n";

/* 12 000 cases as above, and their members: k mod 3, 4 and 5 repeat
 * every 60 k, and of one such cycle the running cases with members are
 * 0 3 4 5 7 8 9 12 13 15 17 19 (22 members) 20 23 24 25 27 28 29 32 33
 * 35 37 39 (24) 40 43 44 45 47 48 49 52 53 55 57 59 (26): 72 members;
 * 333 cycles to K19979, then K19980 .. K19999 as the first 20 of a
 * cycle: 333 * 72 + 22 = 23 998 members.  In case order the chunks are
 * read from K00000, K08192 and K16384 (the rest, 3616), then from A0:
 * four scans from a key and none of all cases.  In reverse order each
 * case would read a chunk of its own: past JOIN_CHUNK_READS rows read
 * per row the cases are held, read by one scan of them all; the figures
 * are the same. */
TEST(merge_reads_the_cases_a_chunk_at_a_time)
{
	long cycle = 0, first20 = 0;

	for (long k = 0; k < 60; k++)
		if (k % 4 != 2 && k % 5 != 1) {
			cycle += 1 + k % 3;
			first20 += k < 20 ? 1 + k % 3 : 0;
		}
	CHECK_INT(cycle, 72);
	CHECK_INT(first20, 22);
	for (int run = 0; run < 3; run++) {
		int merge = run > 0, reverse = run == 2;
		kpi_set *set;

		big_store(reverse);
		evaluate_merge(cases_kpi, merge, &set);
		CHECK_STR(failure, "");
		CHECK_DOUBLE(value("c", "{}"), 12000, 0);
		CHECK_DOUBLE(value("m", "{}"), 23998, 0);
		if (!merge) {
			CHECK_INT(filtered_dossier_scans, 0);
			CHECK_INT(dossier_scans, 1);
		} else if (!reverse) {
			CHECK_INT(filtered_dossier_scans, 4);
			CHECK_INT(dossier_scans, 4);
		} else {
			CHECK(filtered_dossier_scans > 1);
			CHECK_INT(dossier_scans - filtered_dossier_scans, 1);
		}
		kpi_set_free(set);
	}
}

/* Cases K00000 .. K49151, of team T(k / 8192): one team a chunk of the
 * merge, all running in March 2018.  Two members for each of K00000,
 * K08192, .. K40960, the first row of the chunk read for it, so that one
 * member after another finds row 0 of another chunk (the second of each
 * pair the row the first copied); then K00000 again (its chunk read back
 * or read again) and K00001.  By hand, members by team: T0 2 + 2, T1 ..
 * T5 2 each, 14 in all; cases: T0 2, the others 1.  The same held in
 * memory and merged. */
TEST(merge_copies_a_joined_row_again_from_another_chunk)
{
	static const char *const kpis =
		"kpi { id = 'm', title = 't', unit = 'u',\n"
		"  dataset = 'leden', grain = 'month',\n"
		"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  select = running_in('case.registered', 'case.closed'),\n"
		"  rule = count() }\n"
		"kpi { id = 'c', title = 't', unit = 'u',\n"
		"  dataset = 'leden', grain = 'month',\n"
		"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  select = running_in('case.registered', 'case.closed'),\n"
		"  rule = count_distinct('case_id') }\n";
	char id[16], team[8], member[24];
	int m = 0;

	case_count = member_count = 0;
	for (long k = 0; k < 6 * 8192; k++) {
		snprintf(id, sizeof(id), "K%05ld", k);
		snprintf(team, sizeof(team), "T%ld", k / 8192);
		add_case(id, team, "2018-03-01", NULL);
	}
	for (long c = 0; c < 6; c++)
		for (int twice = 0; twice < 2; twice++) {
			snprintf(id, sizeof(id), "K%05ld", c * 8192);
			snprintf(member, sizeof(member), "M%06d", m++);
			add_member(member, id, "P1");
		}
	add_member("M000012", "K00000", "P1");
	add_member("M000013", "K00001", "P1");
	for (int merge = 0; merge <= 1; merge++) {
		kpi_set *set;

		evaluate_merge(kpis, merge, &set);
		CHECK_STR(failure, "");
		CHECK(!merge || filtered_dossier_scans >= 6);
		CHECK_DOUBLE(value("m", "{}"), 14, 0);
		CHECK_DOUBLE(value("c", "{}"), 7, 0);
		for (int t = 0; t < 6; t++) {
			char cell[32];

			snprintf(cell, sizeof(cell), "{\"case.team\":\"T%d\"}",
				 t);
			CHECK_DOUBLE(value("m", cell), t ? 2 : 4, 0);
			CHECK_DOUBLE(value("c", cell), t ? 1 : 2, 0);
		}
		kpi_set_free(set);
	}
}

static int case_id_order(const void *a, const void *b)
{
	return strcmp(((const struct case_row *)a)->id,
		      ((const struct case_row *)b)->id);
}

/* Case ids that outgrow four digits: D1000 .. D99999, 99 000 cases of
 * teams T0 T1 T2 (k mod 3), all registered 2018-03-01 and running in
 * March 2018 (as big_store's), in the store in
 * byte order, where D1000 is followed by D10000 .. D10009, then D1001:
 * 9000 groups of 11.  One member a case, in the cases' numeric order, so
 * the members of D1000 .. D9999 look up one row in 11, and those of
 * D10000 .. D99999 then walk the same rows again.
 * The first walk reads 13 chunks: chunk j from D(1000 + 745 j), 744
 * groups and 8 rows of the next (D1744 and D17440 .. D17446 for j = 0),
 * and chunk 12 from D9940 the last 60 groups (660 rows, to the end).
 * Each had 745 (60) rows looked up, fewer than half: the nine that leave
 * the four cursors are parked.  The second walk takes chunk j back (no
 * scan), and between chunks j and j + 1 reads the three rows that none
 * holds (D17447 .. D17449 for j = 0) in a scan that stops at the first
 * key of chunk j + 1 (handed, not kept): 12 such scans.  So 25 scans
 * from a key, none of all cases, 12 * 8192 + 660 + 12 * 4 = 99 012 rows
 * handed, each case kept once; 99 000 cases and members counted. */
static void digits_store(void)
{
	char id[16], member[24];

	case_count = member_count = 0;
	for (long k = 1000; k <= 99999; k++) {
		snprintf(id, sizeof(id), "D%ld", k);
		add_case(id, k % 3 == 0 ? "T0" : k % 3 == 1 ? "T1" : "T2",
			 "2018-03-01", NULL);
	}
	qsort(case_rows, case_count, sizeof(*case_rows), case_id_order);
	for (long k = 1000; k <= 99999; k++) {
		snprintf(id, sizeof(id), "D%ld", k);
		snprintf(member, sizeof(member), "M%06ld", k);
		add_member(member, id, "P1");
	}
}

TEST(merge_parks_chunks_for_keys_that_outgrow_their_digits)
{
	kpi_set *set;

	digits_store();
	evaluate_merge(cases_kpi, 1, &set);
	CHECK_STR(failure, "");
	CHECK_DOUBLE(value("c", "{}"), 99000, 0);
	CHECK_DOUBLE(value("m", "{}"), 99000, 0);
	CHECK_INT(filtered_dossier_scans, 25);
	CHECK_INT(dossier_scans, 25);
	CHECK_INT(filtered_dossier_rows, 12 * 8192 + 660 + 12 * 4);
	kpi_set_free(set);
}

/* The same with teams of 151 bytes, each its own, and a KPI that reads
 * them: a chunk holds some 1.4 MB (8192 teams of their length, 4 bytes
 * and a NUL each, besides the dates), so the nine parked chunks take some
 * 12 MB, past the 4 MiB that parked chunks could take in memory before
 * (then those parked first left, and the second walk read their rows
 * again: 26 scans handed 189 111 rows, 1.9 a case).  Parked on a
 * temporary file, they are read back from there: the store hands each
 * case once, in the 25 scans above, and the figures are those of the
 * join in memory: 99 000 cases, members and teams. */
static void wide_digits_store(void)
{
	digits_store();
	for (size_t r = 0; r < case_count; r++)
		snprintf(case_rows[r].team, sizeof(case_rows[r].team),
			 "T%0150ld", atol(case_rows[r].id + 1));
}

static const char *const teams_kpi =
	"kpi { id = 't', title = 't', unit = 'u',\n"
	"  dataset = 'leden', grain = 'month',\n"
	"  join = { case = { dataset = 'dossiers', on = 'case_id' } },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  where = is_set('case.team'), rule = count() }\n";

TEST(merge_parks_chunks_on_a_file_and_reads_each_row_once)
{
	char script[2048];
	kpi_set *set;

	wide_digits_store();
	snprintf(script, sizeof(script), "%s%s", cases_kpi, teams_kpi);
	evaluate_merge(script, 1, &set);
	CHECK_STR(failure, "");
	CHECK_DOUBLE(value("c", "{}"), 99000, 0);
	CHECK_DOUBLE(value("m", "{}"), 99000, 0);
	CHECK_DOUBLE(value("t", "{}"), 99000, 0);
	CHECK_INT(filtered_dossier_scans, 25);
	CHECK_INT(dossier_scans, 25);
	CHECK_INT(filtered_dossier_rows, 12 * 8192 + 660 + 12 * 4);
	kpi_set_free(set);
}

/* Parked chunks that cannot be written fail the evaluation, naming the
 * join, the dataset, the directory and the error; no figure is given
 * without their rows: a temporary directory that does not exist, and a
 * file size limit of 64 KiB (RLIMIT_FSIZE, SIGXFSZ ignored: the write
 * fails with EFBIG, as on a full disk with ENOSPC) that the first chunk
 * parked passes. */
TEST(merge_fails_loudly_when_parked_chunks_cannot_be_written)
{
	const char *saved = getenv("TMPDIR");
	char *keep = saved ? strdup(saved) : NULL;
	char none[128], want[512];
	struct rlimit was, small;
	void (*was_xfsz)(int);
	kpi_set *set;

	snprintf(none, sizeof(none), "%s/none", tmpdir);
	setenv("TMPDIR", none, 1);
	wide_digits_store();
	evaluate_merge(cases_kpi, 1, &set);
	if (keep)
		setenv("TMPDIR", keep, 1);
	else
		unsetenv("TMPDIR");
	free(keep);
	snprintf(want, sizeof(want), "join 'case': rows of dataset "
		 "'dossiers' parked on a temporary file in %s: made: No such "
		 "file or directory", none);
	CHECK_STR(failure, want);
	CHECK_INT(figure_count, 0);
	kpi_set_free(set);

	wide_digits_store();
	CHECK_INT(getrlimit(RLIMIT_FSIZE, &was), 0);
	small = was;
	small.rlim_cur = 64 * 1024;
	was_xfsz = signal(SIGXFSZ, SIG_IGN);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
	evaluate_merge(cases_kpi, 1, &set);
	CHECK_INT(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, was_xfsz);
	snprintf(want, sizeof(want), "join 'case': rows of dataset "
		 "'dossiers' parked on a temporary file in %s: written: File "
		 "too large", getenv("TMPDIR") && *getenv("TMPDIR")
				      ? getenv("TMPDIR") : "/tmp");
	CHECK_STR(failure, want);
	CHECK_INT(figure_count, 0);
	kpi_set_free(set);
}

/* A store that hands the rows from a key out of key order fails the
 * evaluation, naming the dataset, the key and the rows; no figure. */
TEST(merge_fails_loudly_on_cases_out_of_order)
{
	kpi_set *set;

	small_store();
	break_case_order = 1;
	evaluate_merge(persons_kpi, 1, &set);
	break_case_order = 0;
	CHECK_STR(failure, "join 'case': the store gave dataset 'dossiers' from "
		  "key 'case_id' >= 'C2' out of key order: 'C3' after 'C4'");
	CHECK_INT(figure_count, 0);
	kpi_set_free(set);
}

int main(void)
{
	tmpdir = harness_tmp();
	cal = calendar_new(NULL);
	RUN(require_loads_from_script_dirs_once);
	RUN(require_module_goes_into_the_script_hash);
	RUN(calendar_users);
	RUN(require_refuses_paths_and_unknown_modules);
	RUN(params_and_their_overrides);
	RUN(unknown_param_is_a_binding_error);
	RUN(status_with_an_at_risk_margin);
	RUN(targets_per_cell_and_for_the_total);
	RUN(join_takes_fields_of_the_matching_row);
	RUN(joined_field_takes_the_label_in_its_dataset);
	RUN(decimals_by_rule_script_and_config);
	RUN(visibility_by_script_and_config);
	RUN(kpis_that_join_alike_share_a_scan);
	RUN(join_finds_rows_in_any_order);
	RUN(join_errors_name_the_problem);
	RUN(per_counts_groups);
	RUN(row_tables_know_each_joined_schema);
	RUN(kept_rows_refuse_typos_too);
	RUN(one_kpi_cannot_change_the_rows_of_another);
	RUN(kpis_with_the_same_groups_share_them);
	RUN(groups_past_the_kpi_memory_limit_fail_that_kpi);
	RUN(a_later_directory_replaces_a_kpi_by_id);
	RUN(additive_families);
	case_rows = calloc(99000, sizeof(*case_rows));
	member_rows = calloc(99000, sizeof(*member_rows));
	RUN(merge_gives_the_figures_of_the_join_in_memory);
	RUN(merge_reads_the_cases_a_chunk_at_a_time);
	RUN(merge_copies_a_joined_row_again_from_another_chunk);
	RUN(merge_parks_chunks_for_keys_that_outgrow_their_digits);
	RUN(merge_parks_chunks_on_a_file_and_reads_each_row_once);
	RUN(merge_fails_loudly_when_parked_chunks_cannot_be_written);
	RUN(merge_fails_loudly_on_cases_out_of_order);
	free(case_rows);
	free(member_rows);
	calendar_free(cal);
	return harness_done();
}
