/*
 * test_scan_settle.c - what a scan asks of its runs per row: only the
 * runs whose selection puts the row in a period, a breakdown's cell of
 * each run until every run found it, and a condition that compares with
 * reference_date() once for all periods where its truth is settled
 * (kpi_eval.c: kpi_scan_plan, kpi_scan_find, kpi_condition_settled),
 * and a count() or share() of a row that takes several periods at once
 * kept as its first and its end (kpi_run_span) and added up after the
 * scan.
 *
 * The figures are worked out by hand on a small fixture, and on a
 * generated one against the same condition written as a Lua function,
 * which is asked in each period apart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi.h"
#include "peil_values.h"

static const peil_field fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, PEIL_FIELD_REQUIRED },
	{ "referrer", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, PEIL_FIELD_REQUIRED },
	{ "first_meeting", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
	{ "mark", PEIL_TYPE_INTEGER, 0 },
};
#define FIELDS (sizeof(fields) / sizeof(fields[0]))
static const peil_schema schema = { "cases", FIELDS, fields };

#define MAX_ROWS 400
static peil_value rows[MAX_ROWS][FIELDS];
static size_t row_count;
static char texts[MAX_ROWS][3][16];

/* s copied into buf (16 bytes) as a text value; NULL: no value. */
static peil_value text_of(char *buf, const char *s)
{
	if (s)
		snprintf(buf, 16, "%s", s);
	return value_text(s ? buf : NULL);
}

/* A case; NULL: an empty field, mark 0: none. */
static void add_case(const char *id, const char *team, const char *referrer,
		     const char *registered, const char *first_meeting,
		     const char *closed, int mark)
{
	peil_value *r = rows[row_count];

	r[0] = text_of(texts[row_count][0], id);
	r[1] = text_of(texts[row_count][1], team);
	r[2] = text_of(texts[row_count][2], referrer);
	r[3] = value_date(registered);
	r[4] = value_date(first_meeting);
	r[5] = value_date(closed);
	r[6] = value_date(NULL);
	if (mark) {
		r[6].type = PEIL_TYPE_INTEGER;
		r[6].as.integer = mark;
	}
	row_count++;
}

static const peil_schema *fake_schema(void *ctx, const char *dataset)
{
	(void)ctx;
	return strcmp(dataset, "cases") == 0 ? &schema : NULL;
}

static int fake_scan(void *ctx, const peil_schema *s, const peil_filter *filter,
		     const size_t *projection, size_t projection_count,
		     peil_row_fn row, void *row_ctx, peil_error *err)
{
	(void)ctx, (void)s, (void)filter, (void)err;
	return values_scan(rows[0], row_count, FIELDS, projection,
			   projection_count, row, row_ctx);
}

static const kpi_source source = { NULL, fake_schema, fake_scan, NULL, NULL,
				   0, NULL, NULL };

/* ------------------------------------------------------------ figures */

#define MAX_RESULTS 16384
static struct figure {
	char key[160];		/* kpi|period|breakdown */
	double value;
} figures[MAX_RESULTS];
static size_t figure_count;
static size_t failure_count;

static int collect(void *ctx, const kpi_info *kpi, const peil_result *r)
{
	(void)ctx, (void)kpi;
	if (figure_count == MAX_RESULTS)
		return -1;
	snprintf(figures[figure_count].key, sizeof(figures[0].key),
		 "%s|%s|%s", r->kpi, r->period, r->breakdown);
	figures[figure_count++].value = r->value;
	return 0;
}

static void failed(void *ctx, const kpi_info *kpi, const peil_error *err)
{
	(void)ctx;
	printf("  kpi %s failed: %s\n", kpi->id, err->message);
	failure_count++;
}

static const kpi_sink sink = { NULL, collect, failed, NULL, NULL, NULL };

/* The value of a figure; -1000 when there is none. */
static double value_of(const char *kpi, const char *month, const char *cell)
{
	char key[160];

	snprintf(key, sizeof(key), "%s|%s|%s", kpi, month, cell);
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].key, key) == 0)
			return figures[i].value;
	return -1000;
}

/* A figure worked out by hand: -1000 for one that must not be there. */
struct want {
	const char *kpi, *month, *cell;
	double value;
};

/* Whether each figure of want[0..n) is as worked out; prints the first
 * that is not. */
static int figures_are(const struct want *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double got = value_of(want[i].kpi, want[i].month, want[i].cell);

		if (got != want[i].value) {
			printf("  %s %s %s: %g, expected %g\n", want[i].kpi,
			       want[i].month, want[i].cell, got,
			       want[i].value);
			return 0;
		}
	}
	return 1;
}
#define FIGURES_ARE(w) figures_are(w, sizeof(w) / sizeof((w)[0]))

/* Whether KPI a has the figures of KPI b, period by period and cell by
 * cell, and as many; n: how many were compared. */
static int same_figures(const char *a, const char *b, size_t *n)
{
	size_t la = strlen(a), lb = strlen(b), count_a = 0, count_b = 0;

	*n = 0;
	for (size_t i = 0; i < figure_count; i++) {
		const char *key = figures[i].key;
		char other[160];

		if (strncmp(key, b, lb) == 0 && key[lb] == '|')
			count_b++;
		if (strncmp(key, a, la) != 0 || key[la] != '|')
			continue;
		count_a++;
		snprintf(other, sizeof(other), "%s%s", b, key + la);
		for (size_t j = 0; j < figure_count; j++)
			if (strcmp(figures[j].key, other) == 0) {
				double x = figures[i].value;
				double y = figures[j].value;

				/* a share of no rows is NaN on both */
				if (x != y && !(x != x && y != y)) {
					printf("  %s: %g, %s: %g\n", key,
					       figures[i].value, other,
					       figures[j].value);
					return 0;
				}
				(*n)++;
			}
	}
	return count_a == count_b && *n == count_a;
}

static const char *tmpdir;
static calendar *cal;

static kpi_set *script_set(const char *name, const char *text)
{
	char path[512];
	kpi_set *set = kpi_set_new(cal, NULL, 1);
	peil_error err;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (!(f = fopen(path, "w")))
		return NULL;
	fputs(text, f);
	fclose(f);
	if (set && kpi_set_load_file(set, path, &err) < 0) {
		printf("  %s:%ld: %s\n", err.file, err.line, err.message);
		kpi_set_free(set);
		return NULL;
	}
	return set;
}

static int evaluate(kpi_set *set, const char *from, const char *to)
{
	int32_t a = 0, b = 0;
	peil_error err;

	figure_count = failure_count = 0;
	date_parse_iso(from, &a);
	date_parse_iso(to, &b);
	return kpi_evaluate(set, a, b, NULL, &source, &sink, &err);
}

/* The KPIs of kpis (calls of with(id, t), which gives t the breakdown by
 * team, grains and selection select where t has none) evaluated over
 * [from, to]: 0, or -1 when they did not load or evaluate, or a KPI
 * failed. */
static int evaluate_with(kpi_set **set, const char *grains, const char *select,
			 const char *kpis, const char *from, const char *to)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "local function with(id, t)\n"
		 "  t.id, t.title, t.unit, t.dataset = id, 't', 'n', 'cases'\n"
		 "  t.grain, t.breakdown = %s, { 'team' }\n"
		 "  t.select = t.select or %s\n"
		 "  return t\n"
		 "end\n%s",
		 grains, select, kpis);
	*set = script_set("with.lua", text);
	return *set && evaluate(*set, from, to) == 0 && failure_count == 0
		       ? 0 : -1;
}

#define TOTAL "{}"
#define OOST "{\"team\":\"Oost\"}"
#define WEST "{\"team\":\"West\"}"
#define ZUID "{\"team\":\"Zuid\"}"
#define NONE "{\"referrer\":null}"
#define WIJK "{\"referrer\":\"wijk\"}"

/* -------------------------------------------------------------- tests */

/* Waiting on the reference date (the last day of each month), January
 * to April 2018:
 *
 *   case team registered first meeting closed      waiting on 31-1 28-2 31-3 30-4
 *   W1   Oost 2017-12-01 -             -           (never met)    x    x    x    x
 *   W2   Oost 2018-01-15 2018-02-28    -           after 28-2 no  x    .    .    .
 *   W3   West 2018-01-20 2018-03-01    2018-04-10  before 1-3     x    x    .    .
 *   W4   West 2017-06-01 2017-07-01    -           long ago       .    .    .    .
 *   W5   Oost 2018-02-10 2018-06-01    2018-03-31  closed 31-3    .    x    x    -
 *   W6   West 2018-05-01 -             -           registered after all periods
 *
 * W2 meets on 28 February itself: not waiting then (gt, not ge).  W5 runs
 * on 28-2 and 31-3 (closed on the reference date still counts).  Per
 * month: January W1 W2 W3 = 3 (Oost 2, West 1); February W1 W3 W5 = 3
 * (Oost 2, West 1); March W1 W5 = 2 (Oost 2, West 0); April W1 = 1.
 * "wacht_ge" asks ge, so W2 still waits on 28 February: 4 then (Oost
 * 3).  "gemeten" is the negation of waiting where a first meeting is
 * set: January W4 = 1; February W2 W4 = 2; March W2 W3 W4 = 3; April W2
 * W4 = 2 (W3 closed on 10 April, W5 on 31 March). */
TEST(settled_conditions_by_hand)
{
	kpi_set *set;
	static const struct want want[] = {
		{ "wacht", "2018-01", TOTAL, 3 },
		{ "wacht", "2018-01", OOST, 2 },
		{ "wacht", "2018-01", WEST, 1 },
		{ "wacht", "2018-02", TOTAL, 3 },
		{ "wacht", "2018-02", OOST, 2 },
		{ "wacht", "2018-02", WEST, 1 },
		{ "wacht", "2018-03", TOTAL, 2 },
		{ "wacht", "2018-03", OOST, 2 },
		{ "wacht", "2018-03", WEST, 0 },
		{ "wacht", "2018-04", TOTAL, 1 },
		{ "wacht_ge", "2018-02", TOTAL, 4 },
		{ "wacht_ge", "2018-02", OOST, 3 },
		{ "wacht_ge", "2018-03", TOTAL, 2 },
		{ "gemeten", "2018-01", TOTAL, 1 },
		{ "gemeten", "2018-02", TOTAL, 2 },
		{ "gemeten", "2018-03", TOTAL, 3 },
		{ "gemeten", "2018-04", TOTAL, 2 },
		{ "gemeten", "2018-03", WEST, 2 },
	};

	row_count = 0;
	add_case("W1", "Oost", "a", "2017-12-01", NULL, NULL, 0);
	add_case("W2", "Oost", "a", "2018-01-15", "2018-02-28", NULL, 0);
	add_case("W3", "West", "a", "2018-01-20", "2018-03-01", "2018-04-10",
		 0);
	add_case("W4", "West", "a", "2017-06-01", "2017-07-01", NULL, 0);
	add_case("W5", "Oost", "a", "2018-02-10", "2018-06-01", "2018-03-31",
		 0);
	add_case("W6", "West", "a", "2018-05-01", NULL, NULL, 0);
	set = script_set("wacht.lua",
		"local common = { title = 't', unit = 'n', dataset = 'cases',\n"
		"  grain = 'month', breakdown = { 'team' },\n"
		"  select = on_reference_date('registered', 'closed') }\n"
		"local function with(t)\n"
		"  for k, v in pairs(common) do t[k] = v end\n"
		"  return t\n"
		"end\n"
		"kpi(with { id = 'wacht', rule = count(any {\n"
		"  is_empty('first_meeting'),\n"
		"  gt('first_meeting', reference_date()) }) })\n"
		"kpi(with { id = 'wacht_ge', rule = count(any {\n"
		"  is_empty('first_meeting'),\n"
		"  ge('first_meeting', reference_date()) }) })\n"
		"kpi(with { id = 'gemeten', where = is_set('first_meeting'),\n"
		"  rule = count(negate(gt('first_meeting', reference_date()))) })\n");
	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-04-30"), 0);
	CHECK_INT(failure_count, 0);
	CHECK(FIGURES_ARE(want));
	kpi_set_free(set);
}

/* The same conditions, declarative (settled over a row's periods) and as
 * Lua functions (asked in every period), on 400 generated cases over
 * three years, months and quarters: every figure equal.  A fifth of the
 * first meetings fall on a month's last day, the reference date. */
TEST(settled_conditions_against_lua)
{
	static const char *const last[] = { "31", "28", "31", "30", "31", "30",
					    "31", "31", "30", "31", "30", "31" };
	kpi_set *set;
	size_t n;
	unsigned seed = 7;

	row_count = 0;
	for (int i = 0; i < MAX_ROWS; i++) {
		char id[16], reg[16], met[16], closed[16];
		int y = 2016 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 3;
		int m = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		int d = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 28;
		int wait = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 10;
		int run = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30;
		int mm = m + wait / 3, my = y + (mm - 1) / 12;
		int cm = m + run, cy = y + (cm - 1) / 12;

		mm = (mm - 1) % 12 + 1;
		cm = (cm - 1) % 12 + 1;
		snprintf(id, sizeof(id), "G%d", i);
		snprintf(reg, sizeof(reg), "%04d-%02d-%02d", y, m, d);
		if (wait % 5 == 0)	/* on the reference date */
			snprintf(met, sizeof(met), "%04d-%02d-%s", my, mm,
				 last[mm - 1]);
		else
			snprintf(met, sizeof(met), "%04d-%02d-%02d", my, mm,
				 d);
		snprintf(closed, sizeof(closed), "%04d-%02d-%02d", cy, cm, d);
		add_case(id, i % 3 ? "Oost" : "West", NULL, reg,
			 wait == 9 ? NULL : met, run > 20 ? NULL : closed, 0);
	}
	set = script_set("tegen_lua.lua",
		"local function with(id, t)\n"
		"  t.id, t.title, t.unit, t.dataset = id, 't', 'n', 'cases'\n"
		"  t.grain, t.breakdown = { 'month', 'quarter' }, { 'team' }\n"
		"  t.select = on_reference_date('registered', 'closed')\n"
		"  return t\n"
		"end\n"
		"kpi(with('wacht', { rule = count(any {\n"
		"  is_empty('first_meeting'),\n"
		"  gt('first_meeting', reference_date()) }) }))\n"
		"kpi(with('wacht_lua', { rule = count(function(c, p)\n"
		"  return c.first_meeting == nil or c.first_meeting > p.reference\n"
		"end) }))\n"
		"kpi(with('gemeten', { where = le('first_meeting', reference_date()),\n"
		"  rule = share(all { is_set('first_meeting'),\n"
		"    negate(lt('registered', reference_date())) }) }))\n"
		"kpi(with('gemeten_lua', {\n"
		"  where = function(c, p)\n"
		"    return c.first_meeting ~= nil and c.first_meeting <= p.reference\n"
		"  end,\n"
		"  rule = share(function(c, p)\n"
		"    return c.first_meeting ~= nil and not (c.registered < p.reference)\n"
		"  end) }))\n");
	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2016-01-01", "2018-12-31"), 0);
	CHECK_INT(failure_count, 0);
	CHECK(same_figures("wacht", "wacht_lua", &n));
	CHECK(n >= 36 * 3);	/* 36 months and 12 quarters, 3 cells */
	CHECK(same_figures("gemeten", "gemeten_lua", &n));
	CHECK(n >= 36 * 3);
	kpi_set_free(set);
}

/* Two KPIs by referrer whose where holds for different rows of the empty
 * referrer, "(onbekend)": each finds that cell by its own row, one only
 * by the last row, after the other found it; a third never does.  And a
 * row outside all periods of one selection still counts in another's.
 *
 *   case referrer registered closed      mark
 *   R1   -        2018-01-05 -           8      (met_cijfer finds it)
 *   R2   wijk     2018-01-06 -           -
 *   R3   -        2018-02-07 -           -      (zonder_cijfer finds it)
 *   R4   -        2017-03-01 2018-02-01  -      (registered before all)
 *
 * Started in January: R1 R2; in February: R3.  Closed in February: R4.
 * met_cijfer (where mark set, started): January 1 (the empty referrer),
 * February none.  zonder_cijfer (where no mark, started): January 1
 * (wijk), February 1 (the empty referrer).  nooit (where mark above 9):
 * no row, so no cell of the empty referrer.  gesloten (closed_in): only
 * R4, in February. */
TEST(cells_found_by_each_run)
{
	kpi_set *set;
	static const struct want want[] = {
		{ "met_cijfer", "2018-01", NONE, 1 },
		{ "met_cijfer", "2018-02", NONE, 0 },
		{ "met_cijfer", "2018-01", WIJK, 0 },
		{ "zonder_cijfer", "2018-01", NONE, 0 },
		{ "zonder_cijfer", "2018-02", NONE, 1 },
		{ "zonder_cijfer", "2018-01", WIJK, 1 },
		{ "nooit", "2018-01", NONE, -1000 },
		{ "nooit", "2018-01", WIJK, 0 },
		{ "gesloten", "2018-02", TOTAL, 1 },
		{ "gesloten", "2018-02", NONE, 1 },
		{ "gesloten", "2018-01", TOTAL, 0 },
	};

	row_count = 0;
	add_case("R1", "Oost", NULL, "2018-01-05", NULL, NULL, 8);
	add_case("R2", "Oost", "wijk", "2018-01-06", NULL, NULL, 0);
	add_case("R3", "Oost", NULL, "2018-02-07", NULL, NULL, 0);
	add_case("R4", "Oost", NULL, "2017-03-01", NULL, "2018-02-01", 0);
	set = script_set("melder.lua",
		"local function with(id, t)\n"
		"  t.id, t.title, t.unit, t.dataset = id, 't', 'n', 'cases'\n"
		"  t.grain, t.breakdown = 'month', { 'referrer' }\n"
		"  t.select = t.select or started_in('registered')\n"
		"  t.rule = count()\n"
		"  return t\n"
		"end\n"
		"kpi(with('met_cijfer', { where = is_set('mark') }))\n"
		"kpi(with('zonder_cijfer', { where = is_empty('mark') }))\n"
		"kpi(with('nooit', { where = gt('mark', 9) }))\n"
		"kpi(with('gesloten', { select = closed_in('closed') }))\n");
	CHECK(set != NULL);
	CHECK_INT(evaluate(set, "2018-01-01", "2018-02-28"), 0);
	CHECK_INT(failure_count, 0);
	CHECK(FIGURES_ARE(want));
	kpi_set_free(set);
}

/* Counts of rows that run through several months, January to June
 * 2018 (running_in: registered on or before the month's last day, not
 * closed before its first):
 *
 *   case team registered closed     met  months                 how
 *   L1   Oost 2017-05-01 -          yes  Jan..Jun (6)           from the first, to the end
 *   L2   Oost 2018-02-10 2018-04-05 -    Feb Mar Apr (3)        inside
 *   L3   West 2018-03-01 2018-04-30 yes  Mar Apr (2)            two months
 *   L4   West 2018-06-15 -          -    Jun (1)                the last month
 *   L5   Zuid 2016-01-01 2017-12-31 yes  none                   before all
 *   L6   West 2018-03-15 2018-05-20 -    Mar Apr May (3)        to the last but one
 *
 * lopend, count(): January 1 (L1), February 2 (L1 L2), March 4, April 4
 * (L1 L2 L3 L6), May 2 (L1 L6), June 2 (L1 L4); Oost 1 2 2 2 1 1, West
 * 0 0 2 2 1 1, Zuid 0 throughout.  gezien, count(is_set("first_meeting")):
 * January 1, February 1 (L1), March 2, April 2 (L1 L3), May 1, June 1
 * (L1).  By quarter: Q1 L1 L2 L3 L6 = 4, Q2 L1 L2 L3 L4 L6 = 5 (West
 * 3). */
TEST(spans_by_hand)
{
	kpi_set *set;
	static const struct want want[] = {
		{ "lopend", "2018-01", TOTAL, 1 },
		{ "lopend", "2018-02", TOTAL, 2 },
		{ "lopend", "2018-03", TOTAL, 4 },
		{ "lopend", "2018-04", TOTAL, 4 },
		{ "lopend", "2018-05", TOTAL, 2 },
		{ "lopend", "2018-06", TOTAL, 2 },
		{ "lopend", "2018-01", OOST, 1 },
		{ "lopend", "2018-02", OOST, 2 },
		{ "lopend", "2018-04", OOST, 2 },
		{ "lopend", "2018-05", OOST, 1 },
		{ "lopend", "2018-06", OOST, 1 },
		{ "lopend", "2018-02", WEST, 0 },
		{ "lopend", "2018-03", WEST, 2 },
		{ "lopend", "2018-04", WEST, 2 },
		{ "lopend", "2018-05", WEST, 1 },
		{ "lopend", "2018-06", WEST, 1 },
		{ "lopend", "2018-01", ZUID, 0 },
		{ "lopend", "2018-06", ZUID, 0 },
		{ "gezien", "2018-01", TOTAL, 1 },
		{ "gezien", "2018-02", TOTAL, 1 },
		{ "gezien", "2018-03", TOTAL, 2 },
		{ "gezien", "2018-04", TOTAL, 2 },
		{ "gezien", "2018-05", TOTAL, 1 },
		{ "gezien", "2018-06", TOTAL, 1 },
		{ "gezien", "2018-04", WEST, 1 },
		{ "gezien", "2018-06", WEST, 0 },
		{ "lopend", "2018-Q1", TOTAL, 4 },
		{ "lopend", "2018-Q2", TOTAL, 5 },
		{ "lopend", "2018-Q2", WEST, 3 },
	};

	row_count = 0;
	add_case("L1", "Oost", NULL, "2017-05-01", "2017-05-02", NULL, 0);
	add_case("L2", "Oost", NULL, "2018-02-10", NULL, "2018-04-05", 0);
	add_case("L3", "West", NULL, "2018-03-01", "2018-03-02", "2018-04-30",
		 0);
	add_case("L4", "West", NULL, "2018-06-15", NULL, NULL, 0);
	add_case("L5", "Zuid", NULL, "2016-01-01", "2016-01-02", "2017-12-31",
		 0);
	add_case("L6", "West", NULL, "2018-03-15", NULL, "2018-05-20", 0);
	CHECK_INT(evaluate_with(&set, "{ 'month', 'quarter' }",
				"running_in('registered', 'closed')",
				"kpi(with('lopend', { rule = count() }))\n"
				"kpi(with('gezien', {\n"
				"  rule = count(is_set('first_meeting')) }))\n",
				"2018-01-01", "2018-06-30"), 0);
	CHECK(FIGURES_ARE(want));
	kpi_set_free(set);
}

/* Counts and shares of rows over many periods, declarative (a row's
 * periods taken at once) and with a Lua function (period by period), on
 * 400 generated cases of 24 teams over three years: more teams than a
 * run first makes room for, found after the first rows that span.
 * Every figure equal, of months, quarters and years.  Both keep
 * differences (kpi_run_span), the Lua ones of one period at a time. */
TEST(spans_against_lua)
{
	kpi_set *set;
	size_t n;
	unsigned seed = 11;
	static char teams[24][8];

	row_count = 0;
	for (int i = 0; i < MAX_ROWS; i++) {
		char id[16], reg[16], met[16], closed[16];
		int y = 2015 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 4;
		int m = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		int d = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 28;
		int run = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
		int t = i < 40 ? i % 3 : (int)(seed >> 16) % 24;
		int cm = m + run, cy = y + (cm - 1) / 12;

		cm = (cm - 1) % 12 + 1;
		snprintf(id, sizeof(id), "S%d", i);
		snprintf(teams[t], sizeof(teams[t]), "T%02d", t);
		snprintf(reg, sizeof(reg), "%04d-%02d-%02d", y, m, d);
		snprintf(met, sizeof(met), "%04d-%02d-%02d", y, m, d);
		snprintf(closed, sizeof(closed), "%04d-%02d-%02d", cy, cm, d);
		add_case(id, teams[t], NULL, reg, run % 3 ? met : NULL,
			 run > 30 ? NULL : closed, 0);
	}
	CHECK_INT(evaluate_with(&set, "{ 'month', 'quarter', 'year' }",
				"running_in('registered', 'closed')",
				"kpi(with('lopend', { rule = count() }))\n"
				"kpi(with('lopend_lua', {\n"
				"  rule = count(function() return true end) }))\n"
				"kpi(with('gezien', {\n"
				"  rule = share(is_set('first_meeting')) }))\n"
				"kpi(with('gezien_lua', { rule = share(function(c)\n"
				"  return c.first_meeting ~= nil end) }))\n"
				"kpi(with('peil', {\n"
				"  select = on_reference_date('registered', 'closed'),\n"
				"  rule = count() }))\n"
				"kpi(with('peil_lua', {\n"
				"  select = on_reference_date('registered', 'closed'),\n"
				"  rule = count(function() return true end) }))\n",
				"2016-01-01", "2018-12-31"), 0);
	CHECK(same_figures("lopend", "lopend_lua", &n));
	CHECK(n >= (36 + 12 + 3) * 25);	/* 24 teams and the total */
	CHECK(same_figures("gezien", "gezien_lua", &n));
	CHECK(n >= (36 + 12 + 3) * 25);
	CHECK(same_figures("peil", "peil_lua", &n));
	CHECK(n >= (36 + 12 + 3) * 25);
	kpi_set_free(set);
}

int main(void)
{
	int rc;

	tmpdir = harness_tmp();
	cal = calendar_new(NULL);
	RUN(settled_conditions_by_hand);
	RUN(settled_conditions_against_lua);
	RUN(cells_found_by_each_run);
	RUN(spans_by_hand);
	RUN(spans_against_lua);
	rc = harness_done();
	calendar_free(cal);
	return rc;
}
