/*
 * test_kpi.c - loading KPI scripts and evaluating them on a hand-worked
 * fixture of cases, including the shipped scripts/.
 *
 * The fixture (teams Oost, West and Zuid; evaluated April to June 2018):
 *
 *   case team registered        first meeting     closed
 *   C1   Oost 2018-03-10        2018-03-12        2018-05-01 (1st of May)
 *   C2   Oost 2018-04-03 (Tue)  2018-04-05 (Thu)  2018-04-20
 *   C3   Oost 2018-05-18 (Fri)  2018-05-22 (Tue)  -
 *   C4   West 2018-05-04 (Fri)  2018-05-07 (Mon)  2018-06-30 (June's last)
 *   C5   West 2018-05-30 (Wed)  2018-06-12 (Tue)  -
 *   C6   West 2018-04-10        -                 2018-05-01
 *   C7   Oost 2018-06-05        -                 -
 *   C8   Zuid 2017-01-10        -                 2017-06-01 (before all)
 *
 * Working days (a < d <= b, Mon-Fri without holidays):
 *   C2: Wed 4, Thu 5 April = 2 (Tweede Paasdag, 2 April, lies before).
 *   C3: Monday 21 May 2018 is Tweede Pinksterdag, so only Tue 22 = 1.
 *   C4: Friday to Monday = 1 (5 May, Bevrijdingsdag, is a Saturday).
 *   C5: Thu 31 May, Fri 1 June, 4-8 June (5), 11 and 12 June = 9.
 * Zuid has no case in the range, yet is a breakdown cell everywhere.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi.h"
#include "peil_values.h"

/* ------------------------------------------------------------- fixture */

static const peil_field case_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_REQUIRED },
	{ "organisation", PEIL_TYPE_TEXT, 0 },
	{ "district", PEIL_TYPE_TEXT, 0 },
	{ "neighbourhood", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
	{ "first_meeting", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
	{ "referrer", PEIL_TYPE_TEXT, 0 },
	{ "closure_reason", PEIL_TYPE_TEXT, 0 },
	{ "self_reliant", PEIL_TYPE_TEXT, 0 },
	{ "mark", PEIL_TYPE_INTEGER, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
	{ "entered", PEIL_TYPE_DATE, 0 },
};
#define FIELDS (sizeof(case_fields) / sizeof(case_fields[0]))
static const peil_schema case_schema = { "cases", FIELDS, case_fields };

/* The same dataset under a name of 100 characters, its registered under
 * one of 100 too (fixture_build fills the fields). */
#define TEN_X "xxxxxxxxxx"
#define LONG_DATASET "cases" "xxxxx" TEN_X TEN_X TEN_X TEN_X TEN_X TEN_X \
		     TEN_X TEN_X TEN_X
#define LONG_FIELD "registered" TEN_X TEN_X TEN_X TEN_X TEN_X TEN_X TEN_X \
		   TEN_X TEN_X
static peil_field long_fields[FIELDS];
static const peil_schema long_schema = { LONG_DATASET, FIELDS, long_fields };

static const struct fixture_case {
	const char *id, *team, *registered, *first_meeting, *closed;
	int mark;
} fixture[] = {
	{ "C1", "Oost", "2018-03-10", "2018-03-12", "2018-05-01", 8 },
	{ "C2", "Oost", "2018-04-03", "2018-04-05", "2018-04-20", 6 },
	{ "C3", "Oost", "2018-05-18", "2018-05-22", NULL, 0 },
	{ "C4", "West", "2018-05-04", "2018-05-07", "2018-06-30", 7 },
	{ "C5", "West", "2018-05-30", "2018-06-12", NULL, 0 },
	{ "C6", "West", "2018-04-10", NULL, "2018-05-01", 0 },
	{ "C7", "Oost", "2018-06-05", NULL, NULL, 0 },
	{ "C8", "Zuid", "2017-01-10", NULL, "2017-06-01", 0 },
};
#define CASES (sizeof(fixture) / sizeof(fixture[0]))

static peil_value rows[CASES][FIELDS];
static int scans;		/* how many scans the source served */
static size_t last_projection_count;

static void fixture_build(void)
{
	memcpy(long_fields, case_fields, sizeof(long_fields));
	long_fields[5].name = LONG_FIELD;
	for (size_t i = 0; i < CASES; i++) {
		peil_value *r = rows[i];

		for (size_t f = 0; f < FIELDS; f++)
			r[f] = value_text(NULL);
		r[0] = value_text(fixture[i].id);
		r[1] = value_text(fixture[i].team);
		r[5] = value_date(fixture[i].registered);
		r[6] = value_date(fixture[i].first_meeting);
		r[7] = value_date(fixture[i].closed);
		if (fixture[i].mark) {
			r[11].type = PEIL_TYPE_INTEGER;
			r[11].as.integer = fixture[i].mark;
		}
	}
}

static const peil_schema *fake_schema(void *ctx, const char *dataset)
{
	(void)ctx;
	return strcmp(dataset, "cases") == 0	    ? &case_schema
	       : strcmp(dataset, LONG_DATASET) == 0 ? &long_schema
						    : NULL;
}

static int fake_scan(void *ctx, const peil_schema *schema,
		     const peil_filter *filter, const size_t *projection,
		     size_t projection_count, peil_row_fn row, void *row_ctx,
		     peil_error *err)
{
	(void)ctx, (void)schema, (void)filter, (void)err;
	scans++;
	last_projection_count = projection_count;
	return values_scan(rows[0], CASES, FIELDS, projection, projection_count,
			   row, row_ctx);
}

static const kpi_source source = { NULL, fake_schema, fake_scan, NULL, NULL,
				   0, NULL, NULL };

/* ------------------------------------------------------------- results */

#define MAX_RESULTS 512

static struct collected {
	char text[256];		/* kpi|period|breakdown */
	double value, numerator, denominator;
	const char *status;
	char status_text[512];	/* a copy: not every status is static */
} results[MAX_RESULTS];
static size_t result_count;

static struct failed {
	char kpi[64];
	peil_error err;
} failures[16];
static size_t failure_count;

static int collect_result(void *ctx, const kpi_info *kpi,
			  const peil_result *r)
{
	struct collected *c = &results[result_count];

	(void)ctx, (void)kpi;
	if (result_count == MAX_RESULTS)
		return -1;
	snprintf(c->text, sizeof(c->text), "%s|%s|%s", r->kpi, r->period,
		 r->breakdown);
	c->value = r->value;
	c->numerator = r->numerator;
	c->denominator = r->denominator;
	snprintf(c->status_text, sizeof(c->status_text), "%s",
		 r->status ? r->status : "");
	c->status = r->status ? c->status_text : NULL;
	result_count++;
	return 0;
}

static void collect_failure(void *ctx, const kpi_info *kpi,
			    const peil_error *err)
{
	(void)ctx;
	if (failure_count == 16)
		return;
	snprintf(failures[failure_count].kpi, sizeof(failures[0].kpi), "%s",
		 kpi->id);
	failures[failure_count++].err = *err;
}

static const kpi_sink sink = { NULL, collect_result, collect_failure,
				 NULL, NULL, NULL };

static void reset_results(void)
{
	result_count = failure_count = 0;
	scans = 0;
}

static const struct collected *find(const char *kpi, const char *period_id,
				    const char *breakdown)
{
	char key[256];

	snprintf(key, sizeof(key), "%s|%s|%s", kpi, period_id, breakdown);
	for (size_t i = 0; i < result_count; i++)
		if (strcmp(results[i].text, key) == 0)
			return &results[i];
	return NULL;
}

/* The value of one figure; -1000 when it is missing. */
static double value_of(const char *kpi, const char *period_id,
		       const char *breakdown)
{
	const struct collected *c = find(kpi, period_id, breakdown);

	return c ? c->value : -1000;
}

/* A figure as worked out by hand: its KPI, period, cell and value. */
struct want {
	const char *kpi, *period, *cell;
	double value;
};

/* Each figure of want[0..n) has its value exactly. */
static void check_values(const struct want *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double got = value_of(want[i].kpi, want[i].period,
				      want[i].cell);

		if (!(got == want[i].value))
			HARNESS_FAIL("value_of(\"%s\", \"%s\", %s) == %.10g, "
				     "expected %.10g", want[i].kpi,
				     want[i].period, want[i].cell, got,
				     want[i].value);
	}
}

/* CHECK_VALUES({ kpi, period, cell, value }, ...): the figures as worked
 * out; the test stops at the first that differs. */
#define CHECK_VALUES(...)                                                  \
	do {                                                               \
		static const struct want harness_w[] = { __VA_ARGS__ };    \
		check_values(harness_w,                                    \
			     sizeof(harness_w) / sizeof(harness_w[0]));    \
		if (harness_current_failed)                                \
			return;                                            \
	} while (0)

#define OOST "{\"team\":\"Oost\"}"
#define WEST "{\"team\":\"West\"}"
#define ZUID "{\"team\":\"Zuid\"}"
#define TOTAL "{}"

/* -------------------------------------------------------------- set-up */

static const char *tmpdir;	/* harness_tmp() */
static calendar *cal;

static const char *write_script(const char *name, const char *text)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	if (!f)
		return p;
	fputs(text, f);
	fclose(f);
	return p;
}

static int32_t day(const char *iso)
{
	int32_t d = 0;

	date_parse_iso(iso, &d);
	return d;
}

static int evaluate(kpi_set *set, const char *from, const char *to,
		    peil_error *err)
{
	reset_results();
	return kpi_evaluate(set, day(from), day(to), NULL, &source, &sink,
			    err);
}

static kpi_set *load_shipped(peil_error *err)
{
	static const char *const files[] = { "casussen.lua", "caseload.lua",
					     "wachttijd.lua" };
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	char path[512];

	for (size_t i = 0; set && i < 3; i++) {
		snprintf(path, sizeof(path), "%s/scripts/%s", PEIL_SOURCE_DIR,
			 files[i]);
		if (kpi_set_load_file(set, path, err) < 0) {
			printf("  %s:%ld: %s\n", err->file, err->line,
			       err->message);
			kpi_set_free(set);
			return NULL;
		}
	}
	return set;
}

/* A set of the one script text, written to tmpdir as name and loaded;
 * NULL, the error printed, when it did not load. */
static kpi_set *script_set(const char *name, const char *text)
{
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	peil_error err;

	if (set && kpi_set_load_file(set, write_script(name, text), &err) < 0) {
		printf("  %s:%ld: %s\n", err.file, err.line, err.message);
		kpi_set_free(set);
		return NULL;
	}
	return set;
}

/* --------------------------------------------------------------- tests */

TEST(shipped_scripts_load)
{
	peil_error err;
	kpi_set *set = load_shipped(&err);
	const kpi_info *info;

	CHECK(set != NULL);
	CHECK_INT(kpi_set_count(set), 7);
	/* In id order. */
	CHECK_STR(kpi_set_info(set, 0)->id, "caseload");
	CHECK_STR(kpi_set_info(set, 6)->id, "wachttijd_gemiddeld");
	info = kpi_set_find(set, "wachttijd_gemiddeld");
	CHECK(info != NULL);
	CHECK_STR(info->unit, "werkdagen");
	CHECK_INT(info->grains.count, 1);
	CHECK_INT(info->grains.grain[0], PERIOD_MONTH);
	CHECK_INT(info->breakdown_count, 1);
	CHECK_STR(info->breakdown[0], "team");
	CHECK(info->has_max && !info->has_min);
	CHECK_DOUBLE(info->target_max, 5, 0);
	CHECK_INT(info->line, 10);	/* the kpi { of wachttijd_gemiddeld */
	CHECK_CONTAINS(info->script, "scripts/wachttijd.lua");
	CHECK_INT(strlen(info->script_sha256), 64);
	CHECK_INT(kpi_set_check(set, fake_schema, NULL, NULL), 0);
	kpi_set_free(set);
}

TEST(started_running_closed)
{
	peil_error err;
	kpi_set *set = load_shipped(&err);

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	CHECK_INT(scans, 1);		/* one scan for the one dataset */
	/* 7 KPIs x 3 months x 4 cells (Oost, West, Zuid, total). */
	CHECK_INT(result_count, 7 * 3 * 4);

	/* Started: April C2 (Oost), C6 (West); May C3 (Oost), C4 and C5
	 * (West); June C7 (Oost). */
	CHECK_VALUES({ "casussen_gestart", "2018-04", OOST, 1 },
		     { "casussen_gestart", "2018-04", WEST, 1 },
		     { "casussen_gestart", "2018-04", ZUID, 0 },
		     { "casussen_gestart", "2018-04", TOTAL, 2 },
		     { "casussen_gestart", "2018-05", WEST, 2 },
		     { "casussen_gestart", "2018-05", TOTAL, 3 },
		     { "casussen_gestart", "2018-06", WEST, 0 },
		     { "casussen_gestart", "2018-06", TOTAL, 1 });
	CHECK(isnan(find("casussen_gestart", "2018-06", TOTAL)->denominator));
	CHECK_DOUBLE(find("casussen_gestart", "2018-06", TOTAL)->numerator, 1,
		     0);

	/* Closed: April C2; May C1 and C6 (both on 1 May); June C4 (30th). */
	CHECK_VALUES({ "casussen_afgesloten", "2018-04", TOTAL, 1 },
		     { "casussen_afgesloten", "2018-05", OOST, 1 },
		     { "casussen_afgesloten", "2018-05", WEST, 1 },
		     { "casussen_afgesloten", "2018-06", WEST, 1 },
		     { "casussen_afgesloten", "2018-06", OOST, 0 });

	/* Running: April C1, C2 (Oost), C6 (West) = 3.  May: C1 (closed on
	 * the 1st still runs), C3 (Oost), C4, C5, C6 (West) = 5; C2 closed
	 * in April does not.  June: C3, C7 (Oost), C4, C5 (West) = 4; C1
	 * no longer. */
	CHECK_VALUES({ "casussen_lopend", "2018-04", OOST, 2 },
		     { "casussen_lopend", "2018-04", WEST, 1 },
		     { "casussen_lopend", "2018-04", TOTAL, 3 },
		     { "casussen_lopend", "2018-05", OOST, 2 },
		     { "casussen_lopend", "2018-05", WEST, 3 },
		     { "casussen_lopend", "2018-05", TOTAL, 5 },
		     { "casussen_lopend", "2018-06", OOST, 2 },
		     { "casussen_lopend", "2018-06", WEST, 2 },
		     { "casussen_lopend", "2018-06", TOTAL, 4 },
		     { "casussen_lopend", "2018-06", ZUID, 0 });
	kpi_set_free(set);
}

TEST(caseload_on_the_reference_date)
{
	peil_error err;
	kpi_set *set = load_shipped(&err);

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	/* 30 April: C1 and C6 close on 1 May, the day after: both count;
	 * C2 closed on the 20th does not.  Oost 1, West 1. */
	CHECK_VALUES({ "caseload", "2018-04", OOST, 1 },
		     { "caseload", "2018-04", WEST, 1 },
		     { "caseload", "2018-04", TOTAL, 2 });
	/* 31 May: C3 (Oost), C4, C5 (West). */
	CHECK_DOUBLE(value_of("caseload", "2018-05", OOST), 1, 0);
	CHECK_DOUBLE(value_of("caseload", "2018-05", WEST), 2, 0);
	/* 30 June: C4 closes exactly on it and counts; C3, C5, C7. */
	CHECK_DOUBLE(value_of("caseload", "2018-06", WEST), 2, 0);
	CHECK_DOUBLE(value_of("caseload", "2018-06", TOTAL), 4, 0);
	kpi_set_free(set);
}

TEST(waiting_time)
{
	peil_error err;
	kpi_set *set = load_shipped(&err);
	const struct collected *c;

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	/* April: only C2 has a first meeting: 2 days.  West's C6 has none,
	 * so West has no figure (NaN) and no status. */
	c = find("wachttijd_gemiddeld", "2018-04", OOST);
	CHECK(c != NULL);
	CHECK_DOUBLE(c->value, 2, 1e-12);
	CHECK_DOUBLE(c->numerator, 2, 0);
	CHECK_DOUBLE(c->denominator, 1, 0);
	CHECK_STR(c->status, "met");
	c = find("wachttijd_gemiddeld", "2018-04", WEST);
	CHECK(c != NULL && isnan(c->value));
	CHECK_DOUBLE(c->denominator, 0, 0);
	CHECK(c->status == NULL);
	/* May: C3 1 (Pinkstermaandag), C4 1 (Friday to Monday), C5 9.
	 * Oost 1; West (1 + 9) / 2 = 5, just within the norm; total
	 * 11 / 3. */
	CHECK_DOUBLE(value_of("wachttijd_gemiddeld", "2018-05", OOST), 1,
		     1e-12);
	c = find("wachttijd_gemiddeld", "2018-05", WEST);
	CHECK(c != NULL);
	CHECK_DOUBLE(c->value, 5, 1e-12);
	CHECK_STR(c->status, "met");
	CHECK_DOUBLE(value_of("wachttijd_gemiddeld", "2018-05", TOTAL),
		     11.0 / 3, 1e-12);
	/* June: C7 has no first meeting yet. */
	CHECK(isnan(value_of("wachttijd_gemiddeld", "2018-06", TOTAL)));

	/* Within the norm of 5 days: May West C4 yes, C5 no: 50%; total
	 * 2 of 3. */
	c = find("wachttijd_binnen_norm", "2018-05", WEST);
	CHECK(c != NULL);
	CHECK_DOUBLE(c->value, 50, 1e-12);
	CHECK_DOUBLE(c->numerator, 1, 0);
	CHECK_DOUBLE(c->denominator, 2, 0);
	CHECK_DOUBLE(value_of("wachttijd_binnen_norm", "2018-05", TOTAL),
		     200.0 / 3, 1e-9);
	CHECK_DOUBLE(value_of("wachttijd_binnen_norm", "2018-04", OOST), 100,
		     0);
	CHECK(isnan(value_of("wachttijd_binnen_norm", "2018-04", WEST)));

	/* Waiting on the reference date (a Lua function): April C6 (never
	 * met); May C5 (meets on 12 June); June C7. */
	CHECK_VALUES({ "wachtend_op_peildatum", "2018-04", WEST, 1 },
		     { "wachtend_op_peildatum", "2018-04", OOST, 0 },
		     { "wachtend_op_peildatum", "2018-05", WEST, 1 },
		     { "wachtend_op_peildatum", "2018-05", TOTAL, 1 },
		     { "wachtend_op_peildatum", "2018-06", OOST, 1 },
		     { "wachtend_op_peildatum", "2018-06", WEST, 0 });
	kpi_set_free(set);
}

TEST(order_and_determinism)
{
	peil_error err;
	kpi_set *set = load_shipped(&err);
	static struct collected first[MAX_RESULTS];
	size_t first_count;

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	/* KPI id, then period, then breakdown text: the total last. */
	CHECK_STR(results[0].text, "caseload|2018-04|" OOST);
	CHECK_STR(results[1].text, "caseload|2018-04|" WEST);
	CHECK_STR(results[2].text, "caseload|2018-04|" ZUID);
	CHECK_STR(results[3].text, "caseload|2018-04|" TOTAL);
	CHECK_STR(results[4].text, "caseload|2018-05|" OOST);
	memcpy(first, results, sizeof(first));
	first_count = result_count;
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	CHECK_INT(result_count, first_count);
	for (size_t i = 0; i < result_count; i++) {
		CHECK_STR(results[i].text, first[i].text);
		CHECK(memcmp(&results[i].value, &first[i].value,
			     3 * sizeof(double)) == 0);
	}
	kpi_set_free(set);
}

TEST(quarter_grain_targets_and_helpers)
{
	peil_error err;
	kpi_set *set = script_set("quarter.lua",
		"kpi {\n"
		"  id = \"gestart_kwartaal\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"kwartaal\",\n"
		"  breakdown = { \"team\" },\n"
		"  select = started_in(\"registered\"), rule = count(),\n"
		"}\n"
		"kpi {\n"
		"  id = \"norm\", title = \"t\", unit = \"%\",\n"
		"  dataset = \"cases\", grain = \"month\",\n"
		"  breakdown = \"team\", target = { min = 80 },\n"
		"  select = started_in(\"registered\"),\n"
		"  where = is_set(\"first_meeting\"),\n"
		"  rule = share(le(workdays(\"registered\", \"first_meeting\"),"
		" 5)),\n"
		"}\n"
		"kpi {\n"
		"  id = \"cijfer\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  select = closed_in(\"closed\"), where = ge(\"mark\", 1),\n"
		"  rule = mean(\"mark\"),\n"
		"}\n"
		"kpi {\n"
		"  id = \"teams\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  where = all { negate(eq(\"team\", \"Zuid\")),\n"
		"                any { one_of(\"team\", { \"Oost\" }),\n"
		"                      gt(\"registered\", \"2018-05-01\") } },\n"
		"  rule = count_distinct(\"team\"),\n"
		"}\n"
		"kpi {\n"
		"  id = \"langste\", title = \"t\", unit = \"dagen\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  rule = max(function(c) return date.days_between(c.registered,"
		" c.closed) end),\n"
		"}\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	/* Q2: C2, C3, C7 (Oost) and C4, C5, C6 (West); Q1 nothing (C1 is
	 * March 10: Oost 1). */
	CHECK_VALUES({ "gestart_kwartaal", "2018-Q2", OOST, 3 },
		     { "gestart_kwartaal", "2018-Q2", WEST, 3 },
		     { "gestart_kwartaal", "2018-Q2", TOTAL, 6 },
		     { "gestart_kwartaal", "2018-Q1", OOST, 1 });
	/* Zuid has no case in 2018: 0 where there are data; the third and
	 * fourth quarter begin after the last registration (C7, 5 June)
	 * and are not evaluated, one total each */
	CHECK_DOUBLE(value_of("gestart_kwartaal", "2018-Q2", ZUID), 0, 0);
	CHECK(find("gestart_kwartaal", "2018-Q4", ZUID) == NULL);
	CHECK_STR(find("gestart_kwartaal", "2018-Q3", TOTAL)->status,
		  "not evaluated: dataset cases has no row with registered "
		  "after 2018-06-05");
	/* The share's target: May West 50% is below 80; Oost 100% meets
	 * it; June has no denominator and no status. */
	CHECK_STR(find("norm", "2018-05", WEST)->status, "not met");
	CHECK_STR(find("norm", "2018-05", OOST)->status, "met");
	CHECK(find("norm", "2018-06", OOST)->status == NULL);
	/* Marks of cases closed in 2018 with a mark: C1 8, C2 6, C4 7. */
	CHECK_DOUBLE(value_of("cijfer", "2018", TOTAL), 7, 1e-12);
	/* Running in 2018, not Zuid, Oost or registered after 1 May:
	 * Oost (C1, C2, C3, C7) and West (C5): 2 teams. */
	CHECK_DOUBLE(value_of("teams", "2018", TOTAL), 2, 0);
	/* Longest registered-to-closed, over every row (no select): C8,
	 * 2017-01-10 to 2017-06-01 = 142 days. */
	CHECK_DOUBLE(value_of("langste", "2018", TOTAL), 142, 0);
	kpi_set_free(set);
}

/* count_distinct takes -0 and 0 for one value, as == does (and as the
 * stores compare them): it counted two. */
TEST(count_distinct_negative_zero_is_zero)
{
	peil_error err;
	kpi_set *set = script_set("nul.lua",
		"kpi { id = \"nullen\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = count_distinct(function(c)\n"
		"        if c.team == \"Oost\" then return -0.0 end\n"
		"        return 0.0\n"
		"      end) }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	/* Oost rows give -0, the others 0: one value */
	CHECK_DOUBLE(value_of("nullen", "2018", TOTAL), 1, 0);
	kpi_set_free(set);
}

TEST(a_failing_kpi_does_not_stop_the_others)
{
	peil_error err;
	kpi_limits limits = { 0, 200000, 0, 0, 0, 0 };
	kpi_set *set = kpi_set_new(cal, &limits, 1);
	const char *path = write_script("kapot.lua",
		"kpi { id = \"goed\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\", rule = count() }\n"
		"kpi { id = \"kapot\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = count(function(case)\n"
		"        return case.nope.x == 1\n"
		"      end) }\n"
		"kpi { id = \"nan\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = sum(function() return 0/0 end) }\n"
		"kpi { id = \"eindeloos\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = count(function() while true do end end) }\n"
		"kpi { id = \"onbekend\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = sum(\"nope\") }\n"
		"kpi { id = \"tekst\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\",\n"
		"      rule = count(function() return 'ja' end) }\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, path, &err), 0);
	/* "onbekend" reads a field that cases does not declare: it is not
	 * evaluated (a figure saying why), not failed. */
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 4);
	CHECK_DOUBLE(value_of("goed", "2018", TOTAL), 8, 0);
	CHECK_INT(result_count, 2);
	CHECK(isnan(value_of("onbekend", "2018", TOTAL)));
	CHECK_STR(find("onbekend", "2018", TOTAL)->status,
		  "not evaluated: dataset cases does not declare field nope");
	CHECK_INT(failure_count, 4);
	/* Reported in id order: eindeloos, kapot, nan, tekst. */
	CHECK_STR(failures[0].kpi, "eindeloos");
	CHECK_CONTAINS(failures[0].err.message, "instruction budget");
	CHECK_INT(failures[0].err.line, 13);
	CHECK_STR(failures[1].kpi, "kapot");
	CHECK_STR(failures[1].err.file, path);
	CHECK_INT(failures[1].err.line, 6);
	CHECK_CONTAINS(failures[1].err.message, "kpi 'kapot': ");
	CHECK_CONTAINS(failures[1].err.message, "nope");
	CHECK_CONTAINS(failures[2].err.message, "finite number");
	CHECK_INT(failures[2].err.line, 10);
	CHECK_CONTAINS(failures[3].err.message, "true or false");
	/* Checking finds the unknown field before any evaluation. */
	CHECK_INT(kpi_set_check(set, fake_schema, NULL, NULL), 1);
	kpi_set_free(set);
}

/* reference_date() compares only with dates, and is the period's last day:
 * C5's first meeting on 2018-06-12 lies after the reference dates of April
 * (30th) and May (31st), not after June's (30 June). */
/* Every dataset a KPI reads, for a run that keeps the figures of KPIs
 * whose datasets did not change: its own, a join's, a lookup's and a
 * dataset_sum()'s inside ratio(). */
struct datasets_seen {
	char text[256];
};

static void note_dataset(void *ctx, const char *dataset)
{
	struct datasets_seen *d = ctx;
	size_t n = strlen(d->text);

	snprintf(d->text + n, sizeof(d->text) - n, "%s%s", n ? " " : "",
		 dataset);
}

TEST(each_dataset_a_kpi_reads)
{
	struct datasets_seen d[3];
	kpi_set *set = script_set("invoer.lua",
		"kpi { id = \"bereik\", title = \"t\", unit = \"u\",\n"
		"      dataset = \"cases\", grain = \"month\",\n"
		"      rule = ratio(count(), dataset_sum(\"inwoners\",\n"
		"                   \"inhabitants\"), 1000) }\n"
		"kpi { id = \"gekoppeld\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"case_members\", grain = \"month\",\n"
		"      join = { case = { dataset = \"cases\",\n"
		"                        on = \"case_id\" } },\n"
		"      rule = count() }\n"
		"kpi { id = \"opgezocht\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"trajectories\", grain = \"month\",\n"
		"      lookup = { visits = { dataset = \"visits\",\n"
		"                            by = \"trajectory_id\" } },\n"
		"      rule = count() }\n");

	CHECK(set != NULL);
	memset(d, 0, sizeof(d));
	kpi_each_dataset(set, kpi_set_find(set, "bereik"), note_dataset, &d[0]);
	kpi_each_dataset(set, kpi_set_find(set, "gekoppeld"), note_dataset,
			 &d[1]);
	kpi_each_dataset(set, kpi_set_find(set, "opgezocht"), note_dataset,
			 &d[2]);
	CHECK_STR(d[0].text, "cases inwoners");
	CHECK_STR(d[1].text, "case_members cases");
	CHECK_STR(d[2].text, "trajectories visits");
	kpi_set_free(set);
}

TEST(reference_date_is_the_periods_last_day)
{
	peil_error err;
	kpi_set *set = script_set("peildatum.lua",
		"kpi { id = \"na_peildatum\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"month\",\n"
		"      where = eq(\"case_id\", \"C5\"),\n"
		"      rule = count(gt(\"first_meeting\", reference_date())) }\n"
		"kpi { id = \"tekst\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"month\",\n"
		"      rule = count(gt(\"team\", reference_date())) }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 1);
	CHECK_STR(failures[0].kpi, "tekst");
	CHECK_CONTAINS(failures[0].err.message,
		       "only a date compares with reference_date()");
	CHECK_VALUES({ "na_peildatum", "2018-04", TOTAL, 1 },
		     { "na_peildatum", "2018-05", TOTAL, 1 },
		     { "na_peildatum", "2018-06", TOTAL, 0 });
	kpi_set_free(set);
}

/* The reference date rule: the stock on the last day of May (the default)
 * or on its first day.  On 31 May: C3 (registered 18 May), C4 (closed
 * 30 June) and C5 (registered 30 May) run; C1 and C6 closed on 1 May.  On
 * 1 May: C1 and C6 (closed that day) run; C2 closed 20 April, C3-C5 were
 * not registered yet. */
TEST(the_reference_date_can_be_the_first_day)
{
	peil_error err;
	kpi_set *set = script_set("voorraad.lua",
		"kpi { id = \"voorraad\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"month\",\n"
		"      breakdown = { \"team\" },\n"
		"      select = on_reference_date(\"registered\", \"closed\"),\n"
		"      rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-05-01", "2018-05-31", &err), 0);
	CHECK_VALUES({ "voorraad", "2018-05", OOST, 1 },
		     { "voorraad", "2018-05", WEST, 2 },
		     { "voorraad", "2018-05", TOTAL, 3 });
	kpi_set_reference(set, PERIOD_REFERENCE_FIRST);
	CHECK_INT(evaluate(set, "2018-05-01", "2018-05-31", &err), 0);
	CHECK_VALUES({ "voorraad", "2018-05", OOST, 1 },
		     { "voorraad", "2018-05", WEST, 1 },
		     { "voorraad", "2018-05", TOTAL, 2 });
	kpi_set_free(set);
}

TEST(unknown_keys_and_bad_definitions_are_refused)
{
	static const struct {
		const char *text;
		long line;
		const char *message;
	} cases[] = {
		{ "\n\nkpi { id = \"x\", titel = \"t\", title = \"t\",\n"
		  "  unit = \"n\", dataset = \"cases\", grain = \"year\",\n"
		  "  rule = count() }\n", 3, "kpi 'x': unknown key 'titel'" },
		/* A typo of a required key is named as a typo, not as a
		 * missing key. */
		{ "kpi { id = \"x\", titel = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\", rule = count() }\n",
		  1, "kpi 'x': unknown key 'titel'" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"week\", rule = count() }\n",
		  1, "grain: unknown 'week'" },
		{ "kpi { id = \"X y\" }\n", 1, "id must be" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\" }\n", 1,
		  "missing rule" },
		{ "kpi { id = \"x\", unit = \"n\", dataset = \"cases\",\n"
		  "  grain = \"year\", rule = count() }\n", 1,
		  "missing title" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\",\n"
		  "  rule = started_in(\"registered\") }\n", 1,
		  "rule: expected count()" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\",\n"
		  "  rule = share(eq(\"team\", nil)) }\n", 1,
		  "use is_set() or is_empty()" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\",\n"
		  "  rule = count(), target = { maximum = 3 } }\n", 1,
		  "target: unknown key 'maximum'" },
		{ "local s = started_in()\n", 1, "started_in() takes" },
		{ "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\", rule = count() }\n"
		  "kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		  "  dataset = \"cases\", grain = \"year\", rule = count() }\n",
		  3, "defined twice in this file (first at line 1)" },
	};
	peil_error err;
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const char *good = write_script("good.lua",
		"kpi { id = \"x\", title = \"oud\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\", rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, good, &err), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_script("bad.lua", cases[i].text);

		if (kpi_set_load_file(set, path, &err) == 0)
			HARNESS_FAIL("case %zu loaded", i);
		CHECK_STR(err.file, path);
		CHECK_INT(err.line, cases[i].line);
		CHECK_CONTAINS(err.message, cases[i].message);
		/* The set is as it was. */
		CHECK_INT(kpi_set_count(set), 1);
		CHECK_STR(kpi_set_find(set, "x")->title, "oud");
	}
	/* A KPI of a type that does not fit is found by check. */
	{
		const char *path = write_script("types.lua",
			"kpi { id = \"y\", title = \"t\", unit = \"n\",\n"
			"  dataset = \"cases\", grain = \"year\",\n"
			"  rule = mean(\"registered\") }\n"
			"kpi { id = \"z\", title = \"t\", unit = \"n\",\n"
			"  dataset = \"nergens\", grain = \"year\",\n"
			"  rule = count() }\n"
			"kpi { id = \"w\", title = \"t\", unit = \"n\",\n"
			"  dataset = \"cases\", grain = \"year\",\n"
			"  rule = count(gt(\"registered\", \"1 mei\")) }\n");

		CHECK_INT(kpi_set_load_file(set, path, &err), 0);
		CHECK_INT(kpi_set_check(set, fake_schema, NULL, NULL), 3);
	}
	kpi_set_free(set);
}

TEST(a_later_file_replaces_by_id)
{
	peil_error err;
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const char *a = write_script("a.lua",
		"kpi { id = \"x\", title = \"oud\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\", rule = count() }\n"
		"kpi { id = \"y\", title = \"blijft\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\", rule = count() }\n");
	const char *b = write_script("b.lua",
		"kpi { id = \"x\", title = \"nieuw\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  select = started_in(\"registered\"), rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, a, &err), 0);
	CHECK_INT(kpi_set_load_file(set, b, &err), 0);
	CHECK_INT(kpi_set_count(set), 2);
	CHECK_STR(kpi_set_find(set, "x")->title, "nieuw");
	CHECK_STR(kpi_set_find(set, "x")->script, b);
	CHECK_STR(kpi_set_find(set, "y")->title, "blijft");
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	/* Registered in 2018: C1 to C7. */
	CHECK_DOUBLE(value_of("x", "2018", TOTAL), 7, 0);
	CHECK_DOUBLE(value_of("y", "2018", TOTAL), 8, 0);
	kpi_set_free(set);
}

TEST(tampering_does_not_reach_the_next_script)
{
	peil_error err;
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const char *a = write_script("tamper.lua",
		"string.upper = nil\n"
		"math.floor = function() return 42 end\n"
		"setmetatable(_ENV, { __index = function(_, k)\n"
		"  error('no ' .. k) end })\n"
		"kpi { id = \"a\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\", rule = count() }\n");
	const char *b = write_script("clean.lua",
		"kpi { id = \"b\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  rule = count(function(c)\n"
		"    return string.upper(c.team) == 'OOST' and\n"
		"           math.floor(1.5) == 1 and nope == nil\n"
		"  end) }\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, a, &err), 0);
	CHECK_INT(kpi_set_load_file(set, b, &err), 0);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_DOUBLE(value_of("b", "2018", TOTAL), 4, 0);	/* C1,2,3,7 */
	kpi_set_free(set);
}

TEST(load_errors)
{
	peil_error err;
	kpi_limits limits = { 0, 100000, 0, 0, 0, 0 };
	kpi_set *set = kpi_set_new(cal, &limits, 1);
	const char *loop = write_script("loop.lua", "while true do end\n");
	const char *syntax = write_script("syntax.lua", "kpi {\n  id = \n");
	const char *late = write_script("late.lua",
		"kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  rule = count(function() kpi {} return true end) }\n");

	CHECK(set != NULL);
	CHECK(kpi_set_load_file(set, loop, &err) < 0);
	CHECK_CONTAINS(err.message, "instruction budget");
	CHECK(kpi_set_load_file(set, syntax, &err) < 0);
	CHECK_STR(err.file, syntax);
	CHECK_INT(err.line, 3);
	CHECK(kpi_set_load_file(set, "/nonexistent/x.lua", &err) < 0);
	CHECK_STR(err.file, "/nonexistent/x.lua");
	/* kpi{} inside a rule fails that KPI, not the host. */
	CHECK_INT(kpi_set_load_file(set, late, &err), 0);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 1);
	CHECK_CONTAINS(failures[0].err.message, "only be used at the top");
	kpi_set_free(set);
}

TEST(projection_is_narrow_without_lua)
{
	peil_error err;
	kpi_set *set = script_set("narrow.lua",
		"kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\", breakdown = { \"team\" },\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(last_projection_count, 3);	/* team, registered, closed */
	kpi_set_free(set);
}

TEST(breakdown_of_two_fields_with_nulls)
{
	peil_error err;
	kpi_set *set = script_set("two.lua",
		"kpi { id = \"x\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  breakdown = { \"team\", \"mark\" }, rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	/* Oost: C1 mark 8, C2 mark 6, C3 and C7 none; West: C4 7, C5 and
	 * C6 none; Zuid: C8 none.  Six cells and the total. */
	CHECK_INT(result_count, 7);
	CHECK_DOUBLE(value_of("x", "2018", "{\"team\":\"Oost\",\"mark\":null}"),
		     2, 0);
	CHECK_DOUBLE(value_of("x", "2018", "{\"team\":\"Oost\",\"mark\":8}"),
		     1, 0);
	CHECK_DOUBLE(value_of("x", "2018", "{\"team\":\"Zuid\",\"mark\":null}"),
		     1, 0);
	CHECK_DOUBLE(value_of("x", "2018", TOTAL), 8, 0);
	kpi_set_free(set);
}

/* count_distinct over more than 64 periods, where its bookkeeping takes
 * a second word of period bits: Zuid's C8 runs from January 2017 (the
 * 61st month from 2012-01) to June 2017 (the 66th), across the boundary
 * of the first 64. */
TEST(count_distinct_over_many_periods)
{
	peil_error err;
	kpi_set *set = script_set("distinct.lua",
		"kpi { id = \"d\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"month\",\n"
		"  breakdown = { \"team\" },\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count_distinct(\"case_id\") }\n"
		"kpi { id = \"t\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"month\",\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count_distinct(\"team\") }\n");

	CHECK(set != NULL);
	/* to June 2018, the month of the last registration (C7): a month
	 * after it is not evaluated (coverage_after_the_latest_date) */
	CHECK_INT(evaluate(set, "2012-01-01", "2018-06-30", &err), 0);
	CHECK_INT(scans, 1);
	/* d: 78 months x 4 cells; t: 78 months x the total; but the 60
	 * months before the first registration (C8, 2017-01-10) hold no
	 * data and are not evaluated: one total each. */
	CHECK_INT(result_count, 18 * 4 + 60 + 78);
	CHECK(find("d", "2016-12", ZUID) == NULL);
	CHECK(isnan(value_of("d", "2016-12", TOTAL)));
	CHECK_STR(find("t", "2016-12", TOTAL)->status,
		  "not evaluated: dataset cases has no row with registered up "
		  "to the period's end");
	CHECK_VALUES({ "d", "2017-01", ZUID, 1 },
		     { "d", "2017-04", ZUID, 1 },
		     { "d", "2017-05", ZUID, 1 },
		     { "d", "2017-06", TOTAL, 1 },
		     { "d", "2017-07", TOTAL, 0 });
	/* May 2018: C1, C3 (Oost), C4, C5, C6 (West). */
	CHECK_VALUES({ "d", "2018-05", OOST, 2 },
		     { "d", "2018-05", WEST, 3 },
		     { "d", "2018-05", TOTAL, 5 },
		     { "t", "2017-05", TOTAL, 1 },
		     { "t", "2018-05", TOTAL, 2 });
	CHECK_DOUBLE(value_of("t", "2018-06", TOTAL), 2, 0);	/* C3-C5 C7 */
	kpi_set_free(set);
}

/* One definition, several grains, in one scan: each grain's distinct and
 * per figures are counted in its own periods, not summed from months.
 * Running in 2018 (C8 closed in 2017):
 *   Q1: C1 (Oost).  Q2: C1 C2 C3 C7 (Oost), C4 C5 C6 (West) = 7.
 *   Months: Mar C1 = 1; Apr C1 C2 C6 = 3; May C1 C3 C4 C5 C6 = 5; Jun C3
 *   C4 C5 C7 = 4 (C1 and C6 closed 1 May): Q2's months sum to 12, not 7.
 *   Year: the seven cases of 2018, Oost 4, West 3.
 * Teams (count_distinct("team")): Mar 1, Q1 1, May 2, Q2 2, year 2.
 * Groups per team (per = "team", count()): Q1 1 (Oost), Q2 2, year 2. */
TEST(grains_of_one_definition)
{
	peil_error err;
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const kpi_info *k;
	const char *path = write_script("grains.lua",
		"kpi { id = \"cs\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = { \"year\", \"kwartaal\",\n"
		"  \"month\", \"year\" }, breakdown = { \"team\" },\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count_distinct(\"case_id\") }\n"
		"kpi { id = \"teams\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"month\",\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count_distinct(\"team\") }\n"
		"kpi { id = \"per\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = { \"quarter\", \"year\" },\n"
		"  per = \"team\",\n"
		"  select = running_in(\"registered\", \"closed\"),\n"
		"  rule = count() }\n");
	char msg[256];

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, path, &err), 0);
	k = kpi_set_find(set, "cs");
	CHECK_INT(k->grains.count, 3);	/* once each, month first */
	CHECK_INT(k->grains.grain[0], PERIOD_MONTH);
	CHECK_INT(k->grains.grain[1], PERIOD_QUARTER);
	CHECK_INT(k->grains.grain[2], PERIOD_YEAR);
	CHECK_INT(kpi_set_configure(set, "teams", "grains", "month, quarter "
				    "jaar", msg, sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "teams", "grains", "month, semester",
				    msg, sizeof(msg)), -1);
	CHECK_STR(msg, "grains = month, semester: unknown grain 'semester' "
		  "(month, quarter, year, contract_year)");
	CHECK_INT(kpi_set_find(set, "teams")->grains.count, 3);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(scans, 1);	/* every grain of every KPI in one scan */
	CHECK_VALUES({ "cs", "2018-03", OOST, 1 },
		     { "cs", "2018-04", TOTAL, 3 },
		     { "cs", "2018-05", TOTAL, 5 },
		     { "cs", "2018-06", TOTAL, 4 },
		     { "cs", "2018-Q1", TOTAL, 1 },
		     { "cs", "2018-Q2", OOST, 4 },
		     { "cs", "2018-Q2", WEST, 3 },
		     { "cs", "2018-Q2", TOTAL, 7 },
		     { "cs", "2018", OOST, 4 },
		     { "cs", "2018", TOTAL, 7 },
		     { "teams", "2018-03", TOTAL, 1 },
		     { "teams", "2018-05", TOTAL, 2 },
		     { "teams", "2018-Q1", TOTAL, 1 },
		     { "teams", "2018-Q2", TOTAL, 2 },
		     { "teams", "2018", TOTAL, 2 },
		     { "per", "2018-Q1", TOTAL, 1 },
		     { "per", "2018-Q2", TOTAL, 2 },
		     { "per", "2018", TOTAL, 2 });
	CHECK(find("per", "2018-05", TOTAL) == NULL);
	/* cs: 6 months, 2 quarters and the year, each Oost, West, Zuid
	 * and the total, and the 6 months and 2 quarters after the last
	 * registration (C7, 5 June) not evaluated, a total each; teams: 17
	 * totals; per: 5 totals */
	CHECK(isnan(value_of("cs", "2018-07", TOTAL)));
	CHECK(find("cs", "2018-Q3", OOST) == NULL);
	CHECK_INT(result_count, (6 + 2 + 1) * 4 + 6 + 2 + 17 + 5);
	kpi_set_free(set);
	/* an unknown grain in the list names it */
	set = kpi_set_new(cal, NULL, 1);
	CHECK_INT(kpi_set_load_file(set, write_script("bad_grain.lua",
		"kpi { id = \"b\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = { \"month\", \"week\" },\n"
		"  rule = count() }\n"), &err), -1);
	CHECK_CONTAINS(err.message, "grain: unknown 'week'");
	CHECK_INT(err.line, 1);
	kpi_set_free(set);
}

/* A Lua function of a KPI of several grains gets the period of the figure
 * it counts in, in each grain: the cases open after the reference date
 * (no closure date, or one after it; every row, no selection) of April,
 * May and June 2018 and of the second quarter.  April (30th): C1 (closed
 * 1 May), C3, C4, C5, C6 (1 May) and C7 = 6 (C2 closed 20 April, C8 in
 * 2017); May (31st): C3, C4 (closed 30 June), C5 and C7 = 4; June and
 * the quarter (30 June): C3, C5 and C7 = 3 (C4 closed on the day).  A
 * function that counts the rows whose period is a quarter: all 8 in the
 * quarter, 0 in each month.  The functions of a KPI were once handed the
 * periods of its first grain's run in every grain: the quarter's saw
 * April (6, not 3), and the months of "kwartaal" saw Q2 or no period. */
TEST(lua_functions_get_the_period_of_their_grain)
{
	peil_error err;
	kpi_set *set = script_set("grains_lua.lua",
		"kpi { id = \"open\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = { \"month\", \"quarter\" },\n"
		"  rule = count(function(row, period)\n"
		"    return row.closed == nil or row.closed > period.reference\n"
		"  end) }\n"
		"kpi { id = \"kwartaal\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = { \"quarter\", \"month\" },\n"
		"  rule = count(function(row, period)\n"
		"    return period.grain == \"quarter\"\n"
		"  end) }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-04-01", "2018-06-30", &err), 0);
	CHECK_VALUES({ "open", "2018-04", TOTAL, 6 },
		     { "open", "2018-05", TOTAL, 4 },
		     { "open", "2018-06", TOTAL, 3 },
		     { "open", "2018-Q2", TOTAL, 3 },
		     { "kwartaal", "2018-04", TOTAL, 0 },
		     { "kwartaal", "2018-06", TOTAL, 0 },
		     { "kwartaal", "2018-Q2", TOTAL, 8 });
	kpi_set_free(set);
}

/* KPIs of one scan with the same breakdown share its cells; those with
 * another breakdown have their own, and every one still gets a cell for
 * each combination in the dataset, its selection apart. */
TEST(breakdowns_of_one_scan)
{
	peil_error err;
	kpi_set *set = script_set("cells.lua",
		"kpi { id = \"a\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  breakdown = { \"team\" },\n"
		"  select = started_in(\"registered\"), rule = count() }\n"
		"kpi { id = \"b\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  breakdown = { \"mark\" }, rule = count() }\n"
		"kpi { id = \"c\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  breakdown = { \"team\" },\n"
		"  select = closed_in(\"closed\"), rule = count() }\n"
		"kpi { id = \"e\", title = \"t\", unit = \"n\",\n"
		"  dataset = \"cases\", grain = \"year\",\n"
		"  rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(scans, 1);
	/* a, c: Oost, West, Zuid, total; b: marks 6, 7, 8, null, total;
	 * e: the total. */
	CHECK_INT(result_count, 4 + 5 + 4 + 1);
	CHECK_VALUES({ "a", "2018", OOST, 4 },
		     { "a", "2018", ZUID, 0 },
		     { "a", "2018", TOTAL, 7 },
		     { "c", "2018", WEST, 2 },
		     { "c", "2018", ZUID, 0 });
	CHECK_DOUBLE(value_of("b", "2018", "{\"mark\":null}"), 5, 0);
	CHECK_DOUBLE(value_of("b", "2018", "{\"mark\":7}"), 1, 0);
	CHECK_DOUBLE(value_of("e", "2018", TOTAL), 8, 0);
	kpi_set_free(set);
}

/* A Lua function that reads a field its dataset does not
 * declare fails with the script, the line and the field, instead of
 * reading nil ("case.registerd == nil" counted all 8 rows before); a
 * declared field that is empty still reads nil; the row cannot be
 * written, also where a field holds a value.  By hand: of the fixture's 8
 * cases, C3, C5 and C7 have no closure date; none has an organisation;
 * every row has a team, so pairs() finds it 8 times. */
TEST(lua_functions_read_only_declared_fields)
{
	peil_error err;
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	const char *path = write_script("velden.lua",
		"local function k(id, f) kpi { id = id, title = \"t\",\n"
		"  unit = \"n\", dataset = \"cases\", grain = \"year\",\n"
		"  rule = count(f) } end\n"
		"k(\"typo\", function(case)\n"
		"  return case.registerd == nil\n"
		"end)\n"
		"k(\"open\", function(case) return case.closed == nil end)\n"
		"k(\"leeg\", function(case) return case.organisation == nil end)\n"
		"k(\"schrijf\", function(case)\n"
		"  case.team = \"Noord\"; return true end)\n"
		"k(\"nieuw\", function(case) case.extra = 1; return true end)\n"
		"k(\"paren\", function(case)\n"
		"  for f in pairs(case) do if f == \"team\" then return true end end\n"
		"  return false end)\n"
		"k(\"index\", function(case) return case[1] == nil end)\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, path, &err), 0);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 4);
	CHECK_VALUES({ "open", "2018", TOTAL, 3 },
		     { "leeg", "2018", TOTAL, 8 },
		     { "paren", "2018", TOTAL, 8 });
	CHECK_INT(failure_count, 4);
	/* In id order: index, nieuw, schrijf, typo. */
	CHECK_STR(failures[0].kpi, "index");
	CHECK_CONTAINS(failures[0].err.message, "by field name, not by a number");
	CHECK_INT(failures[0].err.line, 15);
	CHECK_STR(failures[1].kpi, "nieuw");
	CHECK_CONTAINS(failures[1].err.message, "read-only: cannot set 'extra'");
	CHECK_INT(failures[1].err.line, 11);
	CHECK_STR(failures[2].kpi, "schrijf");
	CHECK_CONTAINS(failures[2].err.message, "read-only: cannot set 'team'");
	CHECK_INT(failures[2].err.line, 10);
	CHECK_STR(failures[3].kpi, "typo");
	CHECK_STR(failures[3].err.file, path);
	CHECK_INT(failures[3].err.line, 5);
	CHECK_CONTAINS(failures[3].err.message,
		       "field 'registerd' is not declared in dataset cases");
	kpi_set_free(set);
}

/* The set a municipality evaluates.  Three KPIs, two
 * tagged "a"; each gives one figure for 2018 (8 rows). */
TEST(choosing_kpis_by_id_and_tag)
{
	peil_error err;
	char msg[256];
	kpi_set *set = script_set("kies.lua",
		"kpi { id = \"k1\", title = \"t\", unit = \"n\", tags = { \"a\" },\n"
		"      dataset = \"cases\", grain = \"year\", rule = count() }\n"
		"kpi { id = \"k2\", title = \"t\", unit = \"n\", tags = \"a\",\n"
		"      dataset = \"cases\", grain = \"year\", rule = count() }\n"
		"kpi { id = \"k3\", title = \"t\", unit = \"n\",\n"
		"      dataset = \"cases\", grain = \"year\", rule = count() }\n");
	const char *bad = write_script("kies_fout.lua",
		"kpi { id = \"k4\", title = \"t\", unit = \"n\", tags = { 4 },\n"
		"      dataset = \"cases\", grain = \"year\", rule = count() }\n");

	CHECK(set != NULL);
	CHECK_INT(kpi_set_load_file(set, bad, &err), -1);
	CHECK_CONTAINS(err.message, "tags: entry 1 is no tag");
	CHECK_INT(kpi_set_find(set, "k2")->tag_count, 1);
	CHECK_INT(kpi_set_choose(set, "-tag:a", msg, sizeof(msg)), 0);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(result_count, 1);
	CHECK_DOUBLE(value_of("k3", "2018", TOTAL), 8, 0);
	CHECK_INT(kpi_set_choose(set, "tag:a, -k1", msg, sizeof(msg)), 0);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(result_count, 1);
	CHECK(find("k2", "2018", TOTAL) != NULL);
	/* a typo changes nothing and names the entry */
	CHECK_INT(kpi_set_choose(set, "k3, tag:b", msg, sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "'tag:b' is no KPI id or tag");
	/* leaving out what these scripts lack is no typo */
	CHECK_INT(kpi_set_choose(set, "-tag:b, -k9", msg, sizeof(msg)), 0);
	CHECK_INT(kpi_set_choose(set, "", msg, sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "k1", "enabled", "no", msg,
				    sizeof(msg)), 0);
	CHECK_INT(kpi_set_configure(set, "k1", "enabled", "nee", msg,
				    sizeof(msg)), -1);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-12-31", &err), 0);
	CHECK_INT(result_count, 2);
	CHECK(find("k1", "2018", TOTAL) == NULL);
	/* --kpi names it anyway; tag:a takes k1 and k2 */
	reset_results();
	CHECK_INT(kpi_evaluate(set, day("2018-01-01"), day("2018-12-31"),
			       "tag:a", &source, &sink, &err), 0);
	CHECK_INT(result_count, 2);
	kpi_set_free(set);
}

/* The newest input of cases, for coverage_after_the_input. */
static int32_t input_day_of_cases;
static char partly_covered_seen[512];

static int32_t fake_input_day(void *ctx, const char *dataset)
{
	(void)ctx;
	return strcmp(dataset, "cases") == 0 ||
			       strcmp(dataset, LONG_DATASET) == 0
		       ? input_day_of_cases
		       : INT32_MAX;
}

static int note_partly_covered(void *ctx, const kpi_info *kpi,
			       const char *dataset, int32_t input_day)
{
	size_t n = strlen(partly_covered_seen);
	char d[11];

	(void)ctx;
	date_format_iso(input_day, d);
	snprintf(partly_covered_seen + n, sizeof(partly_covered_seen) - n,
		 "%s:%s:%s ", kpi->id, dataset, d);
	return 0;
}

static const char coverage_script[] =
	"kpi { id = 's', title = 't', unit = 'n', dataset = 'cases',\n"
	"  grain = 'month', breakdown = 'team',\n"
	"  select = started_in('registered'),\n"
	"  rule = count() }\n"
	"kpi { id = 'c', title = 't', unit = 'n', dataset = 'cases',\n"
	"  grain = 'month', breakdown = 'team',\n"
	"  select = closed_in('closed'), rule = count() }\n"
	"kpi { id = 'n', title = 't', unit = 'n', dataset = 'cases',\n"
	"  grain = 'month', breakdown = 'team',\n"
	"  rule = count() }\n"
	"kpi { id = 'f', title = 't', unit = 'n', dataset = 'cases',\n"
	"  grain = 'month', breakdown = 'team',\n"
	"  select = started_in('first_meeting'),\n"
	"  rule = count() }\n"
	"kpi { id = 'r', title = 't', unit = 'n', dataset = 'cases',\n"
	"  grain = 'month', breakdown = 'team',\n"
	"  select = running_in('registered', 'closed'),\n"
	"  rule = count() }\n";

/* A month that begins after the latest date the data hold is not
 * evaluated, rather than 0.  The fixture's latest registration is C7's
 * (5 June), first meeting C5's (12 June), closure C4's (30 June).  A
 * selection's own field bounds it; closed_in's also the dates every row
 * has (registered is required): the later of the two; without a
 * selection those alone; running_in's its end too (C4's closure is
 * later than any registration).  The bound is the same with a KPI
 * alone. */
TEST(coverage_after_the_latest_date)
{
	static const char *const reason[][2] = {
		{ "s", "registered after 2018-06-05" },
		{ "c", "closed after 2018-06-30" },
		{ "n", "registered after 2018-06-05" },
		{ "f", "first_meeting after 2018-06-12" },
		{ "r", "closed after 2018-06-30" },
	};
	peil_error err;
	kpi_set *set = script_set("coverage.lua", coverage_script);
	char want[160];

	CHECK(set != NULL);
	for (int alone = 0; alone < 2; alone++)
		for (size_t i = 0; i < 5; i++) {
			const char *k = reason[i][0];

			reset_results();
			CHECK_INT(kpi_evaluate(set, day("2018-05-01"),
					       day("2018-07-31"),
					       alone ? k : NULL, &source,
					       &sink, &err), 0);
			snprintf(want, sizeof(want), "not evaluated: dataset "
				 "cases has no row with %s", reason[i][1]);
			CHECK_STR(find(k, "2018-07", TOTAL)->status, want);
			CHECK(find(k, "2018-07", OOST) == NULL);
			CHECK(!isnan(value_of(k, "2018-06", TOTAL)));
		}
	/* June: C7 registered, C4 closed, every row, C5 first met */
	CHECK_INT(evaluate(set, "2018-05-01", "2018-07-31", &err), 0);
	CHECK_VALUES({ "s", "2018-06", OOST, 1 },
		     { "c", "2018-06", WEST, 1 },
		     { "n", "2018-06", TOTAL, 8 },
		     { "f", "2018-06", WEST, 1 });
	kpi_set_free(set);
}

/* The newest input of cases read on 20 May: June begins after it and is
 * not evaluated, whatever dates the rows hold; May ends after it and is
 * partly covered (told once per KPI), April before it is not. */
TEST(coverage_after_the_input)
{
	kpi_source with_input = source;
	kpi_sink noting = sink;
	peil_error err;
	kpi_set *set = script_set("coverage.lua", coverage_script);

	with_input.input_day = fake_input_day;
	noting.partly_covered = note_partly_covered;
	CHECK(set != NULL);
	input_day_of_cases = day("2018-05-20");
	partly_covered_seen[0] = '\0';
	reset_results();
	CHECK_INT(kpi_evaluate(set, day("2018-04-01"), day("2018-06-30"), NULL,
			       &with_input, &noting, &err), 0);
	CHECK_STR(find("s", "2018-06", TOTAL)->status, "not evaluated: "
		  "dataset cases has no input after 2018-05-20");
	CHECK(find("s", "2018-06", OOST) == NULL);
	CHECK_DOUBLE(value_of("s", "2018-05", TOTAL), 3, 0);	/* C3-C5 */
	CHECK_STR(partly_covered_seen, "c:cases:2018-05-20 "
		  "f:cases:2018-05-20 n:cases:2018-05-20 r:cases:2018-05-20 "
		  "s:cases:2018-05-20 ");
	/* read on May's last day: May is covered, June still not */
	input_day_of_cases = day("2018-05-31");
	partly_covered_seen[0] = '\0';
	reset_results();
	CHECK_INT(kpi_evaluate(set, day("2018-04-01"), day("2018-06-30"), "s",
			       &with_input, &noting, &err), 0);
	CHECK_STR(partly_covered_seen, "");
	CHECK(isnan(value_of("s", "2018-06", TOTAL)));
	kpi_set_free(set);
}

/* A dataset and a field of 100 characters are named whole in the reason
 * of a figure not evaluated and in the note of a period partly covered
 * (before, the evaluation kept 63 bytes of each, and 255 of the reason:
 * "...has no row with registeredxxx" and no date). */
TEST(long_names_whole_in_reasons)
{
	kpi_source with_input = source;
	kpi_sink noting = sink;
	peil_error err;
	kpi_set *set = script_set("long.lua",
		"kpi { id = 's', title = 't', unit = 'n',\n"
		"  dataset = '" LONG_DATASET "',\n"
		"  grain = 'month', select = started_in('" LONG_FIELD "'),\n"
		"  rule = count() }\n");

	with_input.input_day = fake_input_day;
	noting.partly_covered = note_partly_covered;
	CHECK(set != NULL);
	CHECK_INT(strlen(LONG_DATASET), 100);
	CHECK_INT(strlen(LONG_FIELD), 100);
	/* C7's registration, 5 June, is the latest */
	reset_results();
	CHECK_INT(kpi_evaluate(set, day("2018-05-01"), day("2018-07-31"), NULL,
			       &source, &sink, &err), 0);
	CHECK_STR(find("s", "2018-07", TOTAL)->status, "not evaluated: "
		  "dataset " LONG_DATASET " has no row with " LONG_FIELD
		  " after 2018-06-05");
	/* read on 20 May */
	input_day_of_cases = day("2018-05-20");
	partly_covered_seen[0] = '\0';
	reset_results();
	CHECK_INT(kpi_evaluate(set, day("2018-04-01"), day("2018-06-30"), NULL,
			       &with_input, &noting, &err), 0);
	CHECK_STR(find("s", "2018-06", TOTAL)->status, "not evaluated: "
		  "dataset " LONG_DATASET " has no input after 2018-05-20");
	CHECK_STR(partly_covered_seen, "s:" LONG_DATASET ":2018-05-20 ");
	kpi_set_free(set);
}

int main(void)
{
	tmpdir = harness_tmp();
	fixture_build();
	cal = calendar_new(NULL);

	RUN(shipped_scripts_load);
	RUN(started_running_closed);
	RUN(caseload_on_the_reference_date);
	RUN(waiting_time);
	RUN(order_and_determinism);
	RUN(quarter_grain_targets_and_helpers);
	RUN(count_distinct_negative_zero_is_zero);
	RUN(a_failing_kpi_does_not_stop_the_others);
	RUN(each_dataset_a_kpi_reads);
	RUN(reference_date_is_the_periods_last_day);
	RUN(the_reference_date_can_be_the_first_day);
	RUN(unknown_keys_and_bad_definitions_are_refused);
	RUN(a_later_file_replaces_by_id);
	RUN(tampering_does_not_reach_the_next_script);
	RUN(load_errors);
	RUN(projection_is_narrow_without_lua);
	RUN(breakdown_of_two_fields_with_nulls);
	RUN(count_distinct_over_many_periods);
	RUN(grains_of_one_definition);
	RUN(lua_functions_get_the_period_of_their_grain);
	RUN(breakdowns_of_one_scan);
	RUN(lua_functions_read_only_declared_fields);
	RUN(choosing_kpis_by_id_and_tag);
	RUN(coverage_after_the_latest_date);
	RUN(coverage_after_the_input);
	RUN(long_names_whole_in_reasons);

	calendar_free(cal);
	return harness_done();
}
