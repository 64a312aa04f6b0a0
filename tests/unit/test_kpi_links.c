/*
 * test_kpi_links.c - what the KPI library added to the language, on its
 * error paths as much as its results: require() from the script
 * directories only, params and their overrides, the status with an
 * at-risk margin, joins of another dataset, per-group rules, and a
 * municipality's script replacing a shipped KPI by id.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi.h"
#include "report/output.h"

static char tmpdir[64];
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

static const peil_schema *schema_of(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "cases") == 0 ? &cases :
	       strcmp(name, "case_members") == 0 ? &members :
	       strcmp(name, "keyed") == 0 ? &keyed :
	       strcmp(name, "refs") == 0 ? &refs : NULL;
}

static peil_value text(const char *s)
{
	peil_value v = { PEIL_TYPE_NULL, 0, { NULL } };

	if (s) {
		v.type = PEIL_TYPE_TEXT;
		v.len = strlen(s);
		v.as.text = s;
	}
	return v;
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
		full[0] = text(case_rows[r][0]);
		full[1] = text(case_rows[r][1]);
		full[2].type = PEIL_TYPE_DATE;
		date_parse_iso("2018-03-01", &full[2].as.date);
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	for (size_t r = 0; schema == &members && r < 7; r++) {
		for (size_t f = 0; f < 3; f++)
			full[f] = text(member_rows[r][f]);
		for (size_t i = 0; i < count; i++)
			out[i] = full[projection[i]];
		if (row(row_ctx, out))
			return -1;
	}
	for (long r = 0; schema == &keyed && r < KEYED_ROWS; r++) {
		char key[16];

		snprintf(key, sizeof(key), "K%05ld", r);
		full[0] = text(key);
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
		full[0] = text(id);
		full[1] = text(ref);
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

static double value(const char *kpi, const char *breakdown)
{
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].kpi, kpi) == 0 &&
		    strcmp(figures[i].breakdown, breakdown) == 0)
			return figures[i].value;
	return -1;
}

static int evaluate(kpi_set *set)
{
	kpi_source source = { NULL, schema_of, scan, NULL, NULL, 0 };
	kpi_sink sink = { NULL, collect, collect_failure, NULL };
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
	CHECK_INT(kpi_set_load_file(set, write_file("uses.lua",
		"local h = require('helper')\nlocal again = require('helper')\n"
		"assert(h == again and loads == 1, 'loaded twice')\n"
		"kpi { id = 'k', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(function() return h.twice(1) "
		"== 2 end) }\n"), &err), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_DOUBLE(value("k", "{}"), 2, 0);
	kpi_set_free(set);
}

TEST(require_refuses_paths_and_unknown_modules)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("escape.lua",
		"require('../../etc/passwd')\n"), &err), -1);
	CHECK_CONTAINS(err.message, "is no module name");
	CHECK_INT(err.line, 1);
	CHECK_INT(kpi_set_load_file(set, write_file("missing.lua",
		"require('nothing_here')\n"), &err), -1);
	CHECK_CONTAINS(err.message, "no module 'nothing_here' in the script "
		       "directories");
	kpi_set_free(set);
}

/* param() in a function answers for the KPI whose rule calls it, also in
 * a function that KPIs share (q and r): kpi_rule.c tells the script which
 * KPI runs (kpi_script.evaluating). */
TEST(params_and_their_overrides)
{
	kpi_set *set = new_set();
	char msg[512];
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("params.lua",
		"local function n() return param('n') end\n"
		"kpi { id = 'p', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 1, team = 'Oost' },\n"
		"  rule = count(eq('team', param('team'))),\n"
		"  target = { min = 2 } }\n"
		"kpi { id = 'q', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 1 }, rule = sum(n) }\n"
		"kpi { id = 'r', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', params = { n = 3 }, rule = sum(n) }\n"),
		&err), 0);
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
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("badparam.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(eq('team', param('x'))) }\n"),
		&err), 0);
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

static const char *status(const char *kpi, const char *breakdown)
{
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].kpi, kpi) == 0 &&
		    strcmp(figures[i].breakdown, breakdown) == 0)
			return figures[i].status ? figures[i].status : "-";
	return "(no figure)";
}

/* Targets for the total only, for the cells only, and per breakdown
 * value (a lot's own target), from the script and from [kpi ID].  The
 * figures: Oost 1, West 1, total 2. */
TEST(targets_per_cell_and_for_the_total)
{
	kpi_set *set = new_set();
	char msg[512];
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("targets.lua",
		"kpi { id = 'c', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', breakdown = { 'team' }, rule = count(),\n"
		"  target = { min = 2, applies = 'total',\n"
		"             ['min.team.Oost'] = 2 } }\n"), &err), 0);
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
	CHECK_INT(kpi_set_load_file(set, write_file("badtarget.lua",
		"kpi { id = 'd', title = 't', unit = 'u', dataset = 'cases',\n"
		"  grain = 'month', rule = count(),\n"
		"  target = { applies = 'lot' } }\n"), &err), -1);
	CHECK_CONTAINS(err.message, "applies must be");
	kpi_set_free(set);
}

TEST(join_takes_fields_of_the_matching_row)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("join.lua",
		"kpi { id = 'j', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  rule = count_distinct('person') }\n"), &err), 0);
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
	kpi_set *set = new_set();
	const kpi_info *k;
	const char *name;
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("labels.lua",
		"kpi { id = 'j', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  breakdown = { 'case.team' },\n"
		"  rule = count_distinct('person') }\n"), &err), 0);
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
	kpi_set *set = new_set();
	char msg[256];
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("decimals.lua",
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
		"k('c3', count(), 3)\n"), &err), 0);
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
	CHECK_INT(kpi_set_load_file(set, write_file("bad.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"      grain = 'month', rule = count(), decimals = 'twee' }\n"),
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
	kpi_set *set = new_set();
	char msg[256];
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("visibility.lua",
		"local function k(id, v)\n"
		"  kpi { id = id, title = 't', unit = 'u', dataset = 'cases',\n"
		"        grain = 'month', rule = count(), visibility = v }\n"
		"end\n"
		"k('none')\n"
		"k('pub', 'public')\n"
		"k('int', 'internal')\n"), &err), 0);
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
	CHECK_INT(kpi_set_load_file(set, write_file("bad.lua",
		"kpi { id = 'b', title = 't', unit = 'u', dataset = 'cases',\n"
		"      grain = 'month', rule = count(), visibility = true }\n"),
		&err), -1);
	CHECK_CONTAINS(err.message, "visibility: expected \"public\" or "
				    "\"internal\"");
	kpi_set_free(set);
}

/* KPIs that join alike share one scan of each dataset; another alias is
 * another join, and a join that fails fails each KPI that has it. */
TEST(kpis_that_join_alike_share_a_scan)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("joins.lua",
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
		"  rule = count_distinct('case_id') }\n"), &err), 0);
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
	CHECK_INT(kpi_set_load_file(set, write_file("badjoins.lua",
		"kpi { id = 'x', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n"
		"kpi { id = 'y', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n"), &err), 0);
	/* a join with a dataset that is not configured: not evaluated,
	 * saying which (issue 13), where both used to fail */
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
	CHECK_INT(kpi_set_load_file(set, write_file("ordered.lua",
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
		"  rule = count(one_of('m.member_id', { 'M1', 'M3' })) }\n"),
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
	kpi_set *set = new_set();
	peil_error err;
	int problems = 0;

	CHECK_INT(kpi_set_load_file(set, write_file("badjoin.lua",
		"kpi { id = 'x', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'casussen', on = 'case_id' } },\n"
		"  rule = count() }\n"
		"kpi { id = 'y', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'cases', on = 'dossier' } },\n"
		"  rule = count() }\n"), &err), 0);
	problems = (int)kpi_set_check(set, schema_of, NULL, NULL);
	CHECK_INT(problems, 2);
	CHECK_INT(kpi_set_load_file(set, write_file("badjoin2.lua",
		"kpi { id = 'z', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { on = 'case_id' } }, rule = count() }\n"), &err),
		  -1);
	CHECK_CONTAINS(err.message, "join 'c': needs dataset and on");
	kpi_set_free(set);
}

TEST(per_counts_groups)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("per.lua",
		"kpi { id = 'g', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return #g.rows >= 2 end,\n"
		"  rule = count() }\n"
		"kpi { id = 'h', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  rule = count(eq('person', 'P1')) }\n"), &err), 0);
	CHECK_INT(evaluate(set), 1);	/* h: per takes functions */
	CHECK_CONTAINS(failure, "with per, having and the rule take functions");
	CHECK_DOUBLE(value("g", "{}"), 1, 0);	/* only P1 is in two rows */
	kpi_set_free(set);
}

TEST(a_later_directory_replaces_a_kpi_by_id)
{
	kpi_set *set = new_set();
	peil_error err;
	const kpi_info *k;

	CHECK_INT(kpi_set_load_file(set, write_file("a_shipped.lua",
		"kpi { id = 'caseload', title = 'Caseload', unit = 'casussen',"
		" dataset = 'cases', grain = 'month', rule = count() }\n"),
		&err), 0);
	CHECK_INT(kpi_set_load_file(set, write_file("b_gemeente.lua",
		"kpi { id = 'caseload', title = 'Caseload Peilstad', unit = "
		"'casussen', dataset = 'cases', grain = 'month',\n"
		"  rule = count(eq('team', 'Oost')) }\n"), &err), 0);
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
 * first schema that may have had the same address (issue 13, item 5).
 * Of the seven members, M1 M2 M5 M7 are of C1 (Oost), M3 M6 of C2
 * (West), M4 of no case: Oost 4, West 2. */
TEST(row_tables_know_each_joined_schema)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("joins_lua.lua",
		"kpi { id = 'a', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
		"  rule = count(function(m) return m['case.team'] == 'Oost' end) }\n"
		"kpi { id = 'b', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month',\n"
		"  join = { c = { dataset = 'cases', on = 'case_id' } },\n"
		"  rule = count(function(m) return m['c.team'] == 'West' end) }\n"),
		&err), 0);
	CHECK_INT(evaluate(set), 0);
	CHECK_STR(failure, "");
	CHECK_DOUBLE(value("a", "{}"), 4, 0);
	CHECK_DOUBLE(value("b", "{}"), 2, 0);
	kpi_set_free(set);
}

/* The rows that per keeps in its groups are the values themselves (no
 * proxy: kpi_script keeps_rows), and still refuse a read of a field the
 * dataset does not declare and a write of a new key (issue 13, item 5).
 * Persons: P1 (M1 M3), P2 (M2), P7 (M4); M5 to M7 have none: 3 groups. */
TEST(kept_rows_refuse_typos_too)
{
	kpi_set *set = new_set();
	peil_error err;

	CHECK_INT(kpi_set_load_file(set, write_file("per_typo.lua",
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
		"  rule = count() }\n"), &err), 0);
	CHECK_INT(evaluate(set), 2);
	CHECK_DOUBLE(value("g", "{}"), 3, 0);
	/* the last failure reported: w, in id order */
	CHECK_CONTAINS(failure, "per_typo.lua:11:");
	CHECK_CONTAINS(failure, "read-only: cannot set 'extra'");
	kpi_set_free(set);
	set = new_set();
	CHECK_INT(kpi_set_load_file(set, write_file("per_typo2.lua",
		"kpi { id = 't', title = 't', unit = 'u',\n"
		"  dataset = 'case_members', grain = 'month', per = 'person',\n"
		"  having = function(g) return g.rows[1].persn == nil end,\n"
		"  rule = count() }\n"), &err), 0);
	CHECK_INT(evaluate(set), 1);
	CHECK_CONTAINS(failure, "per_typo2.lua:3:");
	CHECK_CONTAINS(failure,
		       "field 'persn' is not declared in dataset case_members");
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

	CHECK_INT(kpi_set_load_file(set, write_file("families.lua",
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
		"k('peil', 'quarter', { rule = count(lt('registered', reference_date())) })\n"),
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

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/peil-links-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	cal = calendar_new(NULL);
	RUN(require_loads_from_script_dirs_once);
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
	RUN(a_later_directory_replaces_a_kpi_by_id);
	RUN(additive_families);
	calendar_free(cal);
	harness_remove_dir(tmpdir);
	return harness_done();
}
