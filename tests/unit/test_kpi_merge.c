/*
 * test_kpi_merge.c - a join read beside the KPI's dataset (kpi_join.c,
 * "merge"): with a store that scans from a key inside a scan
 * (kpi_source.scans_from_key), the cases come a chunk at a time from the
 * key looked for on, through a scan with a filter key >= that, while the
 * members are scanned in their own order.  The figures are those of the
 * join in memory, worked out by hand; keys in no order fall back to it; a
 * store that breaks its key order fails the evaluation, naming the
 * dataset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/calendar.h"
#include "harness.h"
#include "kpi/kpi.h"

static char tmpdir[64];
static calendar *cal;

static const peil_field case_fields[] = {
	{ "case_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "team", PEIL_TYPE_TEXT, 0 },
	{ "registered", PEIL_TYPE_DATE, 0 },
	{ "closed", PEIL_TYPE_DATE, 0 },
};
static const peil_schema cases = { "cases", 4, case_fields };
static const peil_field member_fields[] = {
	{ "member_id", PEIL_TYPE_TEXT, PEIL_FIELD_KEY },
	{ "case_id", PEIL_TYPE_TEXT, 0 },
	{ "person", PEIL_TYPE_TEXT, 0 },
};
static const peil_schema members = { "case_members", 3, member_fields };

/* The rows of the store: cases in key order, members in member_id order;
 * texts owned by the arrays (NULL: no value). */
struct case_row {
	char id[16], team[16];
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

/* What the store did, and how it misbehaves when asked to. */
static int case_scans, filtered_case_scans;
static int break_case_order;
static int unexpected;	/* calls that a merge should not make */

static const peil_schema *schema_of(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "cases") == 0 ? &cases :
	       strcmp(name, "case_members") == 0 ? &members : NULL;
}

static peil_value text(const char *s, int none)
{
	peil_value v = { PEIL_TYPE_NULL, 0, { NULL } };

	if (!none) {
		v.type = PEIL_TYPE_TEXT;
		v.len = strlen(s);
		v.as.text = s;
	}
	return v;
}

static peil_value date(const char *iso)
{
	peil_value v = { PEIL_TYPE_NULL, 0, { NULL } };

	if (iso) {
		v.type = PEIL_TYPE_DATE;
		date_parse_iso(iso, &v.as.date);
	}
	return v;
}

static int bytes_cmp(const char *a, const char *b)
{
	return strcmp(a, b);	/* ASCII: byte order */
}

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

	full[0] = text(case_rows[r].id, 0);
	full[1] = text(case_rows[r].team, 0);
	full[2] = date(case_rows[r].registered);
	full[3] = date(case_rows[r].closed);
	return hand_row(full, projection, count, row, row_ctx);
}

static int member_hand(size_t r, const size_t *projection, size_t count,
		       peil_row_fn row, void *row_ctx)
{
	peil_value full[3];

	full[0] = text(member_rows[r].id, 0);
	full[1] = text(member_rows[r].case_id, member_rows[r].no_case);
	full[2] = text(member_rows[r].person, member_rows[r].no_person);
	return hand_row(full, projection, count, row, row_ctx);
}

/* Cases in key order, from the key of a filter case_id >= X when there is
 * one (the only filter a merge asks for); members in member_id order. */
static int scan(void *ctx, const peil_schema *schema,
		const peil_filter *filter, const size_t *projection,
		size_t count, peil_row_fn row, void *row_ctx, peil_error *err)
{
	size_t first = 0;
	int rc;

	(void)ctx, (void)err;
	if (schema == &members) {
		for (size_t r = 0; r < member_count; r++)
			if ((rc = member_hand(r, projection, count, row,
					      row_ctx)) != 0)
				return rc;
		return 0;
	}
	case_scans++;
	if (filter) {
		unexpected += !(filter->op == PEIL_OP_GE &&
				filter->field == 0 &&
				filter->value.type == PEIL_TYPE_TEXT);
		filtered_case_scans++;
		while (first < case_count &&
		       bytes_cmp(case_rows[first].id, filter->value.as.text) < 0)
			first++;
	}
	for (size_t r = first; r < case_count; r++) {
		/* broken: the second and third rows of each scan swapped */
		size_t at = break_case_order && r == first + 1 &&
				    r + 1 < case_count ? r + 1 :
			    break_case_order && r == first + 2 ? r - 1 : r;

		if ((rc = case_hand(at, projection, count, row, row_ctx)) != 0)
			return rc;
	}
	return 0;
}

static struct figure {
	char kpi[64], breakdown[128];
	double value;
} figures[64];
static size_t figure_count;
static char failure[2048];

static int collect(void *ctx, const kpi_info *k, const peil_result *r)
{
	struct figure *f = &figures[figure_count++ % 64];

	(void)ctx, (void)k;
	snprintf(f->kpi, sizeof(f->kpi), "%s", r->kpi);
	snprintf(f->breakdown, sizeof(f->breakdown), "%s", r->breakdown);
	f->value = r->value;
	return 0;
}

static void collect_failure(void *ctx, const kpi_info *k,
			    const peil_error *err)
{
	(void)ctx, (void)k;
	snprintf(failure, sizeof(failure), "%s", err->message);
}

/* The figure of a cell, -1 when there is none. */
static double value(const char *kpi, const char *breakdown)
{
	for (size_t i = 0; i < figure_count; i++)
		if (strcmp(figures[i].kpi, kpi) == 0 &&
		    strcmp(figures[i].breakdown, breakdown) == 0)
			return figures[i].value;
	return -1;
}

/* Evaluate the KPIs of script for March 2018, merging when merge. */
static void evaluate(const char *script, int merge, kpi_set **out)
{
	kpi_source source = { NULL, schema_of, scan, NULL, NULL, merge };
	kpi_sink sink = { NULL, collect, collect_failure, NULL };
	kpi_set *set = *out = kpi_set_new(cal, NULL, 1);
	const char *dirs[] = { tmpdir };
	char path[128];
	peil_error err;
	int32_t from, to;
	FILE *f;

	snprintf(path, sizeof(path), "%s/merge.lua", tmpdir);
	f = fopen(path, "w");
	fputs(script, f);
	fclose(f);
	kpi_set_script_dirs(set, dirs, 1);
	CHECK_INT(kpi_set_load_file(set, path, &err), 0);
	CHECK_INT(kpi_set_check(set, schema_of, NULL, NULL), 0);
	figure_count = 0;
	case_scans = filtered_case_scans = unexpected = 0;
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
	"  dataset = 'case_members', grain = 'month',\n"
	"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
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
		evaluate(persons_kpi, merge, &set);
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
		CHECK_INT(filtered_case_scans, merge ? 2 : 0);
		CHECK_INT(case_scans, merge ? 2 : 1);
		kpi_set_free(set);
	}
}

/* 20 000 cases K00000 .. K19999 of teams T0 T1 T2 (k mod 3), all
 * registered 2018-01-01, closed in 2017 when k mod 5 is 1; cases with k
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
			 "2018-01-01", k % 5 == 1 ? "2017-06-30" : NULL);
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
	"  dataset = 'case_members', grain = 'month',\n"
	"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
	"  select = running_in('case.registered', 'case.closed'),\n"
	"  rule = count_distinct('case_id') }\n"
	"kpi { id = 'm', title = 't', unit = 'u',\n"
	"  dataset = 'case_members', grain = 'month',\n"
	"  join = { case = { dataset = 'cases', on = 'case_id' } },\n"
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
		evaluate(cases_kpi, merge, &set);
		CHECK_STR(failure, "");
		CHECK_DOUBLE(value("c", "{}"), 12000, 0);
		CHECK_DOUBLE(value("m", "{}"), 23998, 0);
		if (!merge) {
			CHECK_INT(filtered_case_scans, 0);
			CHECK_INT(case_scans, 1);
		} else if (!reverse) {
			CHECK_INT(filtered_case_scans, 4);
			CHECK_INT(case_scans, 4);
		} else {
			CHECK(filtered_case_scans > 1);
			CHECK_INT(case_scans - filtered_case_scans, 1);
		}
		kpi_set_free(set);
	}
}

/* A store that hands the rows from a key out of key order fails the
 * evaluation, naming the dataset, the key and the rows; no figure. */
TEST(merge_fails_loudly_on_cases_out_of_order)
{
	kpi_set *set;

	small_store();
	break_case_order = 1;
	evaluate(persons_kpi, 1, &set);
	break_case_order = 0;
	CHECK_STR(failure, "join 'case': the store gave dataset 'cases' from "
		  "key 'case_id' >= 'C2' out of key order: 'C3' after 'C4'");
	CHECK_INT(figure_count, 0);
	kpi_set_free(set);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/peil-merge-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	cal = calendar_new(NULL);
	case_rows = calloc(20000, sizeof(*case_rows));
	member_rows = calloc(40000, sizeof(*member_rows));
	RUN(merge_gives_the_figures_of_the_join_in_memory);
	RUN(merge_reads_the_cases_a_chunk_at_a_time);
	RUN(merge_fails_loudly_on_cases_out_of_order);
	free(case_rows);
	free(member_rows);
	calendar_free(cal);
	harness_remove_dir(tmpdir);
	return harness_done();
}
